#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Black-box tests of the `wes` command-line program, printed as TAP.

usage: test_cli.py WES_EXECUTABLE SOURCE_ROOT

Every command family compiled into the program is exercised: exit codes
(0 success, 1 reported error, 2 usage error), `--help` on every command
and subcommand, exact output where the docs define it, and error lines
with their positions. Families missing from `wes --help` are skipped.

Each run of the program must finish within a timeout, must not die of a
signal and must not print a sanitizer report (AddressSanitizer,
LeakSanitizer, UndefinedBehaviorSanitizer), so the suite doubles as a
crash/leak check when the program is built with -Db_sanitize.

Tests that document a known discrepancy between a command and its docs
carry a TAP "# TODO" directive (expected to fail). Only the standard
library is used.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

if len(sys.argv) != 3:
    sys.stderr.write(__doc__)
    sys.exit(2)

WES = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
EVENTS = "tests/data/events.mof"
APP_EVENTS = "tests/data/app_events.mof"
TIMERS = "tests/data/timers.mof"
BAD_MOF = "tests/data/bad_syntax.mof"
VIOLATION = "tests/data/violation.json"
PROCESS = "tests/data/process_creation.json"
FAX = "tests/data/fax.json"

# Slower under sanitizers and on loaded CI machines; generous but bounded.
RUN_TIMEOUT = float(os.environ.get("WES_CLI_TIMEOUT", "60"))

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "UndefinedBehaviorSanitizer",
                   "WARNING: ThreadSanitizer")

# realpath: the CIM_DataFile provider reports paths as the kernel sees them.
TMP = os.path.realpath(tempfile.mkdtemp(prefix="wes-cli-"))


class Fail(Exception):
    pass


class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def __repr__(self):
        return "wes %s -> exit %s\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(repr(a) for a in self.args), self.rc, self.out, self.err)


def check_sanitizers(args, err):
    for mark in SANITIZER_MARKS:
        if mark in err:
            raise Fail("sanitizer report from wes %s:\n%s" %
                       (" ".join(args), err))


def wes(*args, stdin=None, timeout=None):
    """Runs wes ARGS in the source root; returns a Result."""
    args = [str(a) for a in args]
    try:
        p = subprocess.run([WES] + args, cwd=SRC,
                           input=b"" if stdin is None else stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout or RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Fail("wes %s did not finish within %s s" %
                   (" ".join(args), timeout or RUN_TIMEOUT))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    check_sanitizers(args, err)
    r = Result(args, p.returncode, out, err)
    if p.returncode < 0:
        raise Fail("killed by signal %d\n%r" % (-p.returncode, r))
    return r


def tmpfile(name, content):
    """Writes content (str or bytes) to a fresh file in TMP; returns it."""
    path = os.path.join(TMP, name)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode) as f:
        f.write(content)
    return path


def data(name):
    with open(os.path.join(SRC, name), encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- checks

def expect(cond, msg, r=None):
    if not cond:
        raise Fail(msg + ("\n%r" % r if r is not None else ""))


def rc(r, code):
    expect(r.rc == code, "expected exit %d, got %d" % (code, r.rc), r)
    return r


def ok(*args, **kw):
    """Runs wes, expects exit 0 and an empty stderr."""
    r = rc(wes(*args, **kw), 0)
    expect(r.err == "", "expected nothing on stderr", r)
    return r


def fails(code, args, kw):
    """Runs wes, expects exit `code`, nothing on stdout, a message on
    stderr."""
    r = rc(wes(*args, **kw), code)
    expect(r.out == "", "expected nothing on stdout", r)
    expect(r.err.strip() != "", "expected a message on stderr", r)
    return r


def error(*args, **kw):
    """Runs wes, expects exit 1, nothing on stdout, a message on stderr."""
    return fails(1, args, kw)


def usage_error(*args, **kw):
    """Runs wes, expects exit 2, nothing on stdout, a message on stderr."""
    return fails(2, args, kw)


def eq(actual, expected, what, r=None):
    if actual != expected:
        raise Fail("%s:\n  expected %r\n  actual   %r%s" %
                   (what, expected, actual,
                    "\n%r" % r if r is not None else ""))


def has(text, needle, what, r=None):
    expect(needle in text, "%s: %r not found" % (what, needle), r)


def match(pattern, text, what, r=None):
    m = re.search(pattern, text, re.M)
    expect(m is not None, "%s: /%s/ does not match" % (what, pattern), r)
    return m


def usage_says(needle, *args):
    """usage_error(*args), with needle in the message."""
    r = usage_error(*args)
    has(r.err, needle, "message", r)


def first_err_line(r, pattern, form):
    """The first line of stderr, matched in full by pattern; form says how
    it should look."""
    first = r.err.splitlines()[0] if r.err else ""
    m = re.fullmatch(pattern, first)
    expect(m is not None, "not `%s`" % form, r)
    return m


def hr_name_code(r, pattern, form, name, code):
    """first_err_line for `NAME (0xXXXXXXXX) at ...`, checking both."""
    m = first_err_line(r, r"(\w+) \((0x[0-9A-F]{8})\) at " + pattern,
                       "NAME (0xXXXXXXXX) at " + form)
    eq(m.group(1), name, "error name", r)
    eq(m.group(2), code, "error code", r)
    return m


def hr_line(r, name, code, line, col):
    """`NAME (0xXXXXXXXX) at LINE:COL: message` (query errors)."""
    m = hr_name_code(r, r"(\d+):(\d+): (.+)", "LINE:COL: message", name,
                     code)
    if line is not None:
        eq((int(m.group(3)), int(m.group(4))), (line, col), "position", r)
    return m.group(5)


def hr_col(r, name, code, col):
    """`NAME (0xXXXXXXXX) at COL: message` (sid/sddl errors)."""
    m = hr_name_code(r, r"(\d+): (.+)", "COL: message", name, code)
    if col is not None:
        eq(int(m.group(3)), col, "column", r)
    return m.group(4)


def file_error(r, path, name, line, col):
    """`FILE:LINE:COL: NAME: message` (MOF and JSON errors)."""
    m = first_err_line(r, r"(.*):(\d+):(\d+): (\w+): (.+)",
                       "FILE:LINE:COL: NAME: message")
    eq(m.group(1), path, "file", r)
    eq(m.group(4), name, "error name", r)
    if line is not None:
        eq((int(m.group(2)), int(m.group(3))), (line, col), "position", r)
    return m.group(5)


# -------------------------------------------------------------- registry

TESTS = []


def test(name, family=None, todo=None):
    """Registers fn as a test; family: skipped unless that command exists;
    todo: a known discrepancy (TAP "# TODO", expected to fail)."""
    def deco(fn):
        TESTS.append((name, family, todo, fn))
        return fn
    return deco


def add(name, fn, family=None, todo=None):
    TESTS.append((name, family, todo, fn))


def families():
    """The command families listed by `wes --help`."""
    r = wes("--help")
    found = set()
    for line in r.out.splitlines():
        m = re.match(r"  (\w+)\b", line)
        if m:
            found.add(m.group(1))
    return found


# ================================================================ top level

@test("wes version prints the library version")
def _():
    r = ok("version")
    match(r"\Awes \d+\.\d+\.\d+\S*\n\Z", r.out, "version line", r)
    meson = data("meson.build")
    m = re.search(r"version: '([^']+)'", meson)
    if m:
        eq(r.out, "wes %s\n" % m.group(1), "version matches meson.build", r)


@test("wes version with an extra argument is a usage error")
def _():
    usage_error("version", "extra")


@test("wes with no arguments: usage on stderr, exit 2")
def _():
    r = usage_error()
    has(r.err, "usage: wes COMMAND", "usage text", r)


@test("wes unknown command: exit 2 naming it")
def _():
    r = usage_error("frobnicate")
    has(r.err, "wes: unknown command 'frobnicate'", "message", r)
    has(r.err, "usage: wes COMMAND", "usage text", r)


@test("wes --help / -h / help: usage on stdout, exit 0")
def _():
    for flag in ("--help", "-h", "help"):
        r = ok(flag)
        expect(r.out.startswith("usage: wes COMMAND"), "usage first", r)
        has(r.out, "version", "lists version", r)
        has(r.out, "Exit status: 0 success, 1 reported error, "
            "2 usage error.", "exit codes", r)


# (family, a line of the `wes --help` summary: every subcommand and form)
SUMMARY = [
    ("mof", "mof check FILE..."),
    ("class", "class show NAME"),
    ("class", "class list"),
    ("object", "object render"),
    ("query", "query parse|check|explain|eval"),
    ("sid", "sid SID|ALIAS"),
    ("sid", "sid --from-hex HEX"),
    ("sddl", "sddl canon|hex|from-hex|access"),
    ("watch", "watch 'WQL'"),
]


@test("wes --help summary names every subcommand (class list, "
      "sid --from-hex included)")
def _():
    r = ok("--help")
    have = families()
    lines = [line.strip() for line in r.out.splitlines()]
    for fam, entry in SUMMARY:
        if fam not in have:
            continue
        expect(any(line.startswith(entry + " ") for line in lines),
               "summary line %r missing" % entry, r)


@test("wes --help lists every command family that is built")
def _():
    r = ok("--help")
    for fam in ("mof", "class", "object", "query", "sid", "sddl", "watch"):
        if os.path.exists(os.path.join(SRC, "tools", "cmd_%s.c" % fam)):
            match(r"^  %s\b" % fam, r.out, "family %s" % fam, r)


# --help on every command and subcommand: exit 0, usage on stdout.
HELP = [
    (None, ["version"], "usage: wes version"),
    ("mof", ["mof"], "usage: wes mof check"),
    ("mof", ["mof", "check"], "usage: wes mof check"),
    ("class", ["class"], "usage: wes class show"),
    ("class", ["class", "show"], "usage: wes class show"),
    ("class", ["class", "list"], "wes class list"),
    ("object", ["object"], "usage: wes object render"),
    ("object", ["object", "render"], "usage: wes object render"),
    ("query", ["query"], "usage: wes query parse"),
    ("query", ["query", "parse"], "usage: wes query parse"),
    ("query", ["query", "check"], "wes query check"),
    ("query", ["query", "explain"], "wes query explain"),
    ("query", ["query", "eval"], "wes query eval"),
    ("sid", ["sid"], "usage: wes sid"),
    ("sddl", ["sddl"], "usage: wes sddl canon"),
    ("sddl", ["sddl", "canon"], "usage: wes sddl canon"),
    ("sddl", ["sddl", "hex"], "wes sddl hex"),
    ("sddl", ["sddl", "from-hex"], "wes sddl from-hex"),
    ("sddl", ["sddl", "access"], "wes sddl access"),
    ("watch", ["watch"], "usage: wes watch"),
]


def help_test(argv, needle):
    def fn():
        for flag in ("--help", "-h"):
            r = ok(*(argv + [flag]))
            expect(r.out.startswith("usage:"), "usage first", r)
            has(r.out, needle, "usage text", r)
    return fn


for _fam, _argv, _needle in HELP:
    add("wes %s --help prints usage, exit 0" % " ".join(_argv),
        help_test(_argv, _needle), _fam)


# ====================================================================== mof

EVENTS_CHECK = """\
tests/data/events.mof: #pragma namespace \\\\.\\root\\cimv2
tests/data/events.mof: class SecurityViolationEvent : __ExtrinsicEvent
tests/data/events.mof: class FaxEvent : __ExtrinsicEvent
tests/data/events.mof: class CIM_ManagedSystemElement
tests/data/events.mof: class CIM_Process : CIM_ManagedSystemElement
tests/data/events.mof: class Win32_Process : CIM_Process
tests/data/events.mof: class CIM_LogicalDevice : CIM_ManagedSystemElement
tests/data/events.mof: class CIM_LogicalDisk : CIM_LogicalDevice
tests/data/events.mof: class Win32_LogicalDisk : CIM_LogicalDisk
tests/data/events.mof: class ProcessStartEvent : __ExtrinsicEvent
tests/data/events.mof: class ConfigChangeEvent : __ExtrinsicEvent
tests/data/events.mof: 3 instances
"""


@test("mof check events.mof lists its pragma, classes and instances",
      "mof")
def _():
    r = ok("mof", "check", EVENTS)
    eq(r.out, EVENTS_CHECK, "output", r)


@test("mof check timers.mof: no classes, 2 instances", "mof")
def _():
    r = ok("mof", "check", TIMERS)
    eq(r.out, "tests/data/timers.mof: 2 instances\n", "output", r)


@test("mof check events.mof app_events.mof: later files use earlier classes",
      "mof")
def _():
    r = ok("mof", "check", EVENTS, APP_EVENTS)
    eq(r.out, EVENTS_CHECK +
       "tests/data/app_events.mof: class AppCrashEvent : __ExtrinsicEvent\n"
       "tests/data/app_events.mof: class DiskThresholdEvent : "
       "__ExtrinsicEvent\n"
       "tests/data/app_events.mof: 1 instance\n", "output", r)


@test("mof check -- FILE accepts a file after --", "mof")
def _():
    r = ok("mof", "check", "--", TIMERS)
    eq(r.out, "tests/data/timers.mof: 2 instances\n", "output", r)


@test("mof check every good tests/data/*.mof (in dependency order)", "mof")
def _():
    d = os.path.join(SRC, "tests", "data")
    files = sorted(f for f in os.listdir(d) if f.endswith(".mof"))
    good = ["tests/data/" + f for f in files if f != "bad_syntax.mof"]
    # app_events.mof needs the classes of events.mof.
    good.sort(key=lambda f: (f != EVENTS, f))
    r = ok("mof", "check", *good)
    for f in good:
        match(r"^%s: \d+ instances?$" % re.escape(f), r.out, f, r)


@test("mof check bad_syntax.mof: FILE:LINE:COL: NAME: message, exit 1",
      "mof")
def _():
    r = error("mof", "check", BAD_MOF)
    eq(r.err, "tests/data/bad_syntax.mof:8:1: WBEM_E_INVALID_SYNTAX: "
       "expected ';' after property declaration, found '}'\n", "stderr", r)
    # The file's own comment documents the exact line.
    has(data(BAD_MOF), r.err.strip().replace("tests/data/", ""),
        "matches the comment in the file", r)


@test("mof check app_events.mof alone: unknown class Win32_Process, exit 1",
      "mof")
def _():
    r = error("mof", "check", APP_EVENTS)
    msg = file_error(r, APP_EVENTS, "WBEM_E_INVALID_CIM_TYPE", 8, 3)
    has(msg, "Win32_Process", "message", r)


@test("mof check stops at the first bad file (earlier output kept), exit 1",
      "mof")
def _():
    r = rc(wes("mof", "check", TIMERS, BAD_MOF, EVENTS), 1)
    eq(r.out, "tests/data/timers.mof: 2 instances\n", "stdout", r)
    file_error(r, BAD_MOF, "WBEM_E_INVALID_SYNTAX", 8, 1)


@test("mof check errors in a temporary file carry line and column", "mof")
def _():
    path = tmpfile("unknown_super.mof",
                   "// x\nclass A : __ExtrinsicEvent { uint32 X; };\n"
                   "class B : NoSuchBase\n{\n};\n")
    r = error("mof", "check", path)
    first = r.err.splitlines()[0]
    m = match(r"^(.*):(\d+):(\d+): (\w+): ", first, "error line", r)
    eq(m.group(1), path, "file", r)
    eq(m.group(2), "3", "line", r)


@test("mof check on a missing file: exit 1 naming it", "mof")
def _():
    r = error("mof", "check", "tests/data/no_such_file.mof")
    msg = file_error(r, "tests/data/no_such_file.mof", "WBEM_E_NOT_FOUND",
                     None, None)
    has(msg, "No such file", "message", r)


@test("mof check on binary garbage: exit 1, no crash", "mof")
def _():
    path = tmpfile("garbage.mof", bytes(range(256)) * 8)
    error("mof", "check", path)


@test("mof check on deeply nested instances: exit 1, no crash", "mof")
def _():
    body = "instance of __Namespace { Name = " * 300 + "1" + "; }" * 300
    path = tmpfile("deep.mof", body + ";\n")
    error("mof", "check", path)


@test("mof usage errors: no subcommand, unknown subcommand, no FILE, "
      "unknown option (exit 2)", "mof")
def _():
    usage_error("mof")
    usage_says("unknown subcommand 'frob'", "mof", "frob")
    usage_says("no FILE given", "mof", "check")
    usage_says("unknown option '--bogus'", "mof", "check", "--bogus", EVENTS)


# ==================================================================== class

IME_INHERITED = """\
class __InstanceModificationEvent : __InstanceOperationEvent
{
\t/* inherited from __Event */
\tuint8 SECURITY_DESCRIPTOR[];
\tuint64 TIME_CREATED;
\t/* inherited from __InstanceOperationEvent */
\tobject TargetInstance;
\t/* declared in __InstanceModificationEvent */
\tobject PreviousInstance;
};
"""


@test("class show __InstanceModificationEvent: inherited properties "
      "(docs/json.md example)", "class")
def _():
    r = ok("class", "show", "__InstanceModificationEvent")
    eq(r.out, IME_INHERITED, "output", r)
    has(data("docs/json.md"), IME_INHERITED, "same text as docs/json.md", r)


@test("class show is case-insensitive", "class")
def _():
    r = ok("class", "show", "__instancemodificationevent")
    eq(r.out, IME_INHERITED, "output", r)


@test("class show --declared leaves inherited properties out", "class")
def _():
    r = ok("class", "show", "--declared", "__InstanceModificationEvent")
    eq(r.out, "class __InstanceModificationEvent : __InstanceOperationEvent\n"
       "{\n\tobject PreviousInstance;\n};\n", "output", r)


@test("class show __SystemClass-rooted system classes exist (reference "
      "10.1)", "class")
def _():
    for name in ("__Event", "__InstanceCreationEvent",
                 "__InstanceDeletionEvent", "__ExtrinsicEvent",
                 "__TimerEvent", "__AggregateEvent",
                 "__EventQueueOverflowEvent", "__IntervalTimerInstruction"):
        r = ok("class", "show", name)
        match(r"^class %s\b" % name, r.out, name, r)


@test("class show __TimerEvent: NumFirings and TimerId", "class")
def _():
    r = ok("class", "show", "--declared", "__TimerEvent")
    has(r.out, "uint32 NumFirings;", "NumFirings", r)
    has(r.out, "string TimerId;", "TimerId", r)
    match(r"^class __TimerEvent : __Event$", r.out, "superclass", r)


@test("class show NAME --mof FILE: a class of the MOF file", "class")
def _():
    r = ok("class", "show", "SecurityViolationEvent", "--mof", EVENTS)
    eq(r.out, '[Description("A security violation detected at a building '
       'entrance.")]\n'
       "class SecurityViolationEvent : __ExtrinsicEvent\n{\n"
       "\t/* inherited from __Event */\n"
       "\tuint8 SECURITY_DESCRIPTOR[];\n\tuint64 TIME_CREATED;\n"
       "\t/* declared in SecurityViolationEvent */\n"
       "\tstring Building;\n\tsint32 EntranceNumber;\n"
       "\tdatetime TimeOfDetection;\n};\n", "output", r)


@test("class show --mof=FILE and several --mof files in order", "class")
def _():
    r = ok("class", "show", "--mof=" + EVENTS, "--mof", APP_EVENTS,
           "AppCrashEvent", "--declared")
    has(r.out, "class AppCrashEvent : __ExtrinsicEvent", "header", r)
    match(r"^\tWin32_Process Process;$", r.out, "embedded object", r)
    match(r"^\tstring Backtrace\[\];$", r.out, "array", r)


@test("class show Win32_Process: key qualifiers and abstract base", "class")
def _():
    r = ok("class", "show", "CIM_ManagedSystemElement", "--mof", EVENTS)
    has(r.out, "abstract", "abstract qualifier", r)
    r = ok("class", "show", "Win32_Process", "--mof", EVENTS)
    match(r"^\t\[key.*\] string Handle;$", r.out, "key Handle", r)
    has(r.out, "/* inherited from CIM_Process */", "run comment", r)


@test("class show --declared: references, weak objects, array and char16 "
      "defaults", "class")
def _():
    r = ok("class", "show", "ConfigChangeEvent", "--mof", EVENTS,
           "--declared")
    eq(r.out, "class ConfigChangeEvent : __ExtrinsicEvent\n{\n"
       "\tCIM_Process ref Owner;\n\tobject Detail;\n"
       '\tstring Keys[] = {"HKLM", "HKCU"};\n'
       "\tchar16 Separator = '\\\\';\n};\n", "output", r)


@test("class show unknown class: WBEM_E_INVALID_CLASS, exit 1", "class")
def _():
    r = error("class", "show", "NoSuchClass")
    has(r.err, "WBEM_E_INVALID_CLASS", "code", r)
    has(r.err, "'NoSuchClass'", "name", r)
    # A MOF class is unknown without its --mof.
    r = error("class", "show", "SecurityViolationEvent")
    has(r.err, "WBEM_E_INVALID_CLASS", "code", r)


@test("class show with a bad or missing --mof file: exit 1", "class")
def _():
    r = error("class", "show", "__Event", "--mof", BAD_MOF)
    file_error(r, BAD_MOF, "WBEM_E_INVALID_SYNTAX", 8, 1)
    r = error("class", "show", "__Event", "--mof", "tests/data/nope.mof")
    file_error(r, "tests/data/nope.mof", "WBEM_E_NOT_FOUND", None, None)


@test("class list: every system class with its superclass", "class")
def _():
    r = ok("class", "list")
    lines = r.out.splitlines()
    for want in ("__SystemClass", "__Event : __IndicationRelated",
                 "__InstanceOperationEvent : __Event",
                 "__InstanceCreationEvent : __InstanceOperationEvent",
                 "__InstanceModificationEvent : __InstanceOperationEvent",
                 "__InstanceDeletionEvent : __InstanceOperationEvent",
                 "__ClassModificationEvent : __ClassOperationEvent",
                 "__NamespaceCreationEvent : __NamespaceOperationEvent",
                 "__TimerEvent : __Event", "__ExtrinsicEvent : __Event",
                 "__SystemEvent : __ExtrinsicEvent",
                 "__EventDroppedEvent : __SystemEvent",
                 "__EventQueueOverflowEvent : __EventDroppedEvent",
                 "__ConsumerFailureEvent : __EventDroppedEvent",
                 "__AggregateEvent : __IndicationRelated",
                 "__TimerInstruction : __EventGenerator",
                 "__AbsoluteTimerInstruction : __TimerInstruction",
                 "__IntervalTimerInstruction : __TimerInstruction"):
        expect(want in lines, "missing %r" % want, r)
    eq(len(lines), len(set(lines)), "no duplicates", r)


@test("class list --mof FILE adds the MOF classes", "class")
def _():
    base = ok("class", "list").out.splitlines()
    r = ok("class", "list", "--mof", EVENTS)
    lines = r.out.splitlines()
    for want in ("SecurityViolationEvent : __ExtrinsicEvent",
                 "Win32_Process : CIM_Process", "CIM_ManagedSystemElement"):
        expect(want in lines, "missing %r" % want, r)
    eq(len(lines), len(base) + 10, "10 more classes", r)


@test("class usage errors (exit 2)", "class")
def _():
    usage_error("class")
    usage_says("unknown subcommand 'frob'", "class", "frob")
    usage_says("no class NAME given", "class", "show")
    usage_error("class", "show", "A", "B")
    usage_error("class", "show", "__Event", "--mof")
    usage_error("class", "show", "__Event", "--bogus")
    usage_error("class", "list", "--declared")
    usage_error("class", "list", "extra")


# =================================================================== object

VIOLATION_MOF = """\
instance of SecurityViolationEvent
{
\tTIME_CREATED = "133549830000000000";
\tBuilding = "Building 24";
\tEntranceNumber = 3;
\tTimeOfDetection = "20240315083000.000000-300";
};
"""


@test("object render violation.json (scripts/demo): MOF text", "object")
def _():
    r = ok("object", "render", "--mof", EVENTS, "--json", VIOLATION)
    eq(r.out, VIOLATION_MOF, "output", r)


@test("object render --format json --pretty reproduces violation.json",
      "object")
def _():
    r = ok("object", "render", "--mof", EVENTS, "--json", VIOLATION,
           "--format", "json", "--pretty")
    eq(r.out, data(VIOLATION), "output", r)


@test("object render --format json: one line, typed shape", "object")
def _():
    r = ok("object", "render", "--json", VIOLATION, "--mof", EVENTS,
           "--format", "json")
    eq(r.out.count("\n"), 1, "one line", r)
    obj = json.loads(r.out)
    eq(obj, json.loads(data(VIOLATION)), "same object as the file", r)
    eq(list(obj["properties"]), ["SECURITY_DESCRIPTOR", "TIME_CREATED",
                                 "Building", "EntranceNumber",
                                 "TimeOfDetection"], "slot order", r)


@test("object render --no-types and --system", "object")
def _():
    r = ok("object", "render", "--json", VIOLATION, "--mof", EVENTS,
           "--format", "json", "--no-types", "--system")
    obj = json.loads(r.out)
    eq(list(obj), ["class", "system", "properties"], "members", r)
    eq(obj["properties"]["EntranceNumber"], 3, "bare value", r)
    eq(obj["properties"]["TIME_CREATED"], "133549830000000000",
       "uint64 as a string", r)
    eq(obj["system"]["__CLASS"], "SecurityViolationEvent", "__CLASS", r)
    eq(obj["system"]["__SUPERCLASS"], "__ExtrinsicEvent", "__SUPERCLASS", r)
    eq(obj["system"]["__DERIVATION"],
       ["__ExtrinsicEvent", "__Event", "__IndicationRelated",
        "__SystemClass"], "__DERIVATION", r)
    eq(obj["system"]["__PROPERTY_COUNT"], 5, "__PROPERTY_COUNT", r)
    eq(obj["system"]["__PATH"], None, "__PATH null on events", r)


@test("object render: JSON -> JSON -> MOF round trip (system member "
      "accepted)", "object")
def _():
    r = ok("object", "render", "--json", PROCESS, "--mof", EVENTS,
           "--format", "json", "--system", "--pretty")
    path = tmpfile("roundtrip.json", r.out)
    a = ok("object", "render", "--json", PROCESS, "--mof", EVENTS)
    b = ok("object", "render", "--json", path, "--mof", EVENTS)
    eq(b.out, a.out, "same MOF text", b)


@test("object render process_creation.json: embedded object nests",
      "object")
def _():
    r = ok("object", "render", "--mof", EVENTS, "--json", PROCESS)
    eq(r.out, "instance of __InstanceCreationEvent\n{\n"
       '\tTIME_CREATED = "133475904000000000";\n'
       "\tTargetInstance = instance of Win32_Process\n\t{\n"
       '\t\tName = "sshd";\n'
       '\t\tCSCreationClassName = "Win32_ComputerSystem";\n'
       '\t\tCSName = "HOST";\n'
       '\t\tCreationClassName = "Win32_Process";\n'
       '\t\tHandle = "4242";\n'
       '\t\tOSCreationClassName = "Win32_OperatingSystem";\n'
       '\t\tOSName = "Linux";\n'
       '\t\tCreationDate = "20231211093000.000000+060";\n'
       '\t\tCommandLine = "/usr/sbin/sshd -D";\n'
       "\t\tParentProcessId = 1;\n\t\tProcessId = 4242;\n"
       '\t\tEnvironment = {"PATH=/usr/bin", "LANG=C"};\n'
       "\t};\n};\n", "output", r)


@test("object render fax.json: bare values, class defaults kept", "object")
def _():
    r = ok("object", "render", "--mof", EVENTS, "--json", FAX)
    eq(r.out, 'instance of FaxEvent\n{\n\tSenderNumber = "+1 555 0100";\n'
       "\tPages = 1;\n\tUrgent = TRUE;\n};\n", "output", r)


@test("object render --json - reads standard input", "object")
def _():
    r = ok("object", "render", "--mof", EVENTS, "--json", "-",
           stdin=b'{"class": "faxevent", "properties": {"pages": 7}}')
    eq(r.out, "instance of FaxEvent\n{\n\tPages = 7;\n\tUrgent = FALSE;\n"
       "};\n", "output (case-insensitive names)", r)
    r = error("object", "render", "--json", "-", stdin=b'{"class":\n')
    file_error(r, "<stdin>", "WBEM_E_INVALID_SYNTAX", 2, 1)


# (file name, content, error name, line, column): each must exit 1 with
# `FILE:LINE:COL: NAME: message`. A string column names the text the
# error must point at (its first occurrence on the line).
BAD_JSON = [
    ("trailing_comma.json",
     '{"class": "SecurityViolationEvent",\n "properties": {"Building": "x",}}',
     "WBEM_E_INVALID_SYNTAX", 2, 33),
    ("wrong_kind.json",
     '{"class": "SecurityViolationEvent",\n "properties": {"Building": 5}}',
     "WBEM_E_TYPE_MISMATCH", 2, 29),
    ("unknown_class.json", '{"class": "NoSuch"}',
     "WBEM_E_INVALID_CLASS", 1, 11),
    ("abstract.json", '{"class": "CIM_ManagedSystemElement"}',
     "WBEM_E_INVALID_OPERATION", 1, '"CIM_'),
    ("unknown_prop.json", '{"class": "FaxEvent", "properties": {"Nope": 1}}',
     "WBEM_E_NOT_FOUND", 1, '"Nope"'),
    ("out_of_range.json",
     '{"class": "FaxEvent", "properties": {"Pages": -1}}',
     "WBEM_E_VALUE_OUT_OF_RANGE", 1, "-1"),
    ("twice.json",
     '{"class": "FaxEvent", "properties": {"Pages": 1, "Pages": 2}}',
     "WBEM_E_INVALID_SYNTAX", 1, 50),
    ("wrapper_type.json",
     '{"class": "FaxEvent", "properties": '
     '{"Pages": {"type": "uint16", "value": 7}}}',
     "WBEM_E_TYPE_MISMATCH", 1, 56),
    ("nul.json",
     '{"class": "FaxEvent", "properties": {"SenderNumber": "a\\u0000b"}}',
     "WBEM_E_VALUE_OUT_OF_RANGE", 1, 54),
    ("bom.json", b'\xef\xbb\xbf{"class": "FaxEvent"}',
     "WBEM_E_INVALID_SYNTAX", 1, 1),
    ("empty.json", "", "WBEM_E_INVALID_SYNTAX", 1, 1),
    ("array.json", "[1, 2]", "WBEM_E_INVALID_SYNTAX", 1, 1),
    ("trailing.json", '{"class": "FaxEvent"} x', "WBEM_E_INVALID_SYNTAX",
     1, 23),
    ("bad_datetime.json",
     '{"class": "SecurityViolationEvent", "properties": '
     '{"TimeOfDetection": "yesterday"}}', "WBEM_E_TYPE_MISMATCH", 1, 71),
    ("deep.json",
     '{"class": "FaxEvent", "properties": {"SenderNumber": ' +
     "[" * 1000 + "]" * 1000 + "}}", "WBEM_E_QUOTA_VIOLATION", 1, None),
    ("garbage.json", bytes(range(256)), "WBEM_E_INVALID_SYNTAX", 1, 1),
]


def bad_json_test(name, content, code, line, col):
    def fn():
        path = tmpfile(name, content)
        r = error("object", "render", "--mof", EVENTS, "--json", path)
        m = re.fullmatch(r"(.*):(\d+):(\d+): (\w+): (.+)",
                         r.err.splitlines()[0])
        expect(m is not None, "not `FILE:LINE:COL: NAME: message`", r)
        eq(m.group(1), path, "file", r)
        eq(m.group(4), code, "error name", r)
        eq(int(m.group(2)), line, "line", r)
        want = col
        if isinstance(col, str):
            text = content if isinstance(content, str) else \
                content.decode("latin-1")
            want = text.splitlines()[line - 1].index(col) + 1
        if want is not None:
            eq(int(m.group(3)), want, "column", r)
        else:
            expect(int(m.group(3)) > 0, "a column", r)
    return fn


for _args in BAD_JSON:
    add("object render bad JSON %s: %s at %s:%s, exit 1" %
        (_args[0], _args[2], _args[3], _args[4] or "*"),
        bad_json_test(*_args), "object")


@test("object render: error columns count characters, not bytes", "object")
def _():
    text = ('{"class": "FaxEvent", "properties": '
            '{"SenderNumber": "\u00e9\u00e9", "Pages": "x"}}')
    path = tmpfile("utf8.json", text.encode("utf-8"))
    r = error("object", "render", "--mof", EVENTS, "--json", path)
    file_error(r, path, "WBEM_E_TYPE_MISMATCH", 1, text.index('"x"') + 1)


@test("object render: a MOF class is unknown without --mof, exit 1",
      "object")
def _():
    r = error("object", "render", "--json", VIOLATION)
    file_error(r, VIOLATION, "WBEM_E_INVALID_CLASS", 2, 12)


@test("object render: missing JSON file, directory, bad --mof: exit 1",
      "object")
def _():
    r = error("object", "render", "--json", "tests/data/nope.json")
    msg = file_error(r, "tests/data/nope.json", "WBEM_E_NOT_FOUND", 0, 0)
    eq(msg, "No such file or directory", "message", r)
    r = error("object", "render", "--json", "tests/data")
    msg = file_error(r, "tests/data", "WBEM_E_FAILED", 0, 0)
    eq(msg, "Is a directory", "message", r)
    r = error("object", "render", "--json", VIOLATION, "--mof", BAD_MOF)
    file_error(r, BAD_MOF, "WBEM_E_INVALID_SYNTAX", 8, 1)


@test("object usage errors (exit 2)", "object")
def _():
    usage_error("object")
    usage_says("unknown subcommand 'frob'", "object", "frob")
    usage_says("--json FILE is required", "object", "render")
    usage_error("object", "render", "--json")
    usage_error("object", "render", "--json", VIOLATION, "--json", FAX)
    usage_error("object", "render", "--json", VIOLATION, "--format", "xml")
    usage_error("object", "render", "--json", VIOLATION, "--bogus")
    usage_error("object", "render", "--json", VIOLATION, "extra")


# ==================================================================== query

def canon_test(text, expected, flags=()):
    def fn():
        r = ok("query", "parse", *(list(flags) + [text]))
        eq(r.out, expected + "\n", "canonical form", r)
        # The canonical form is a fixed point.
        r2 = ok("query", "parse", *(list(flags) + [expected]))
        eq(r2.out, expected + "\n", "canonical form of the canonical form",
           r2)
    return fn


CANON = [
    ("select * from __InstanceCreationEvent within 5 where TargetInstance "
     "isa 'Win32_Process' and TargetInstance.Name like 'ssh%'",
     "SELECT * FROM __InstanceCreationEvent WITHIN 5 WHERE TargetInstance "
     "ISA 'Win32_Process' AND TargetInstance.Name LIKE 'ssh%'"),
    ("select * from SecurityViolationEvent where 5 < EntranceNumber or "
     "Building != \"B\" and Building = NULL;",
     "SELECT * FROM SecurityViolationEvent WHERE EntranceNumber > 5 OR "
     "Building <> 'B' AND Building IS NULL"),
    ("SELECT * FROM SecurityViolationEvent WHERE Building = 24;",
     "SELECT * FROM SecurityViolationEvent WHERE Building = 24"),
    ("select * from X where a = 5.0", "SELECT * FROM X WHERE a = 5.0"),
    ("select * from X where a = 5.50", "SELECT * FROM X WHERE a = 5.5"),
    ("select * from X where a = -5 and b = +3",
     "SELECT * FROM X WHERE a = -5 AND b = 3"),
    ("select * from X where a=1 and (b=2 or c=3)",
     "SELECT * FROM X WHERE a = 1 AND (b = 2 OR c = 3)"),
    ("select * from X where (a=1 and b=2) or c=3",
     "SELECT * FROM X WHERE a = 1 AND b = 2 OR c = 3"),
    ("select * from X where not (a = 1)", "SELECT * FROM X WHERE NOT a = 1"),
    ("select * from X where a = 'it\\'s' or b = \"say \\\"hi\\\"\"",
     "SELECT * FROM X WHERE a = 'it\\'s' OR b = 'say \"hi\"'"),
    ("select * from X where a like 'PCI\\\\%'",
     "SELECT * FROM X WHERE a LIKE 'PCI\\\\%'"),
    ("select * from X where a <> NULL", "SELECT * FROM X WHERE a IS NOT NULL"),
    ("select * from X where a = true and b = False",
     "SELECT * FROM X WHERE a = TRUE AND b = FALSE"),
    ("select TargetInstance.Name, c from X", "SELECT TargetInstance.Name, c "
     "FROM X"),
    ("select * from X where TargetInstance isa Win32_Process",
     "SELECT * FROM X WHERE TargetInstance ISA 'Win32_Process'"),
    ("select * from X within 0.1", "SELECT * FROM X WITHIN 0.1"),
    ("select * from EmailEvent group within 300 by Sender having "
     "NumberOfEvents > 5",
     "SELECT * FROM EmailEvent GROUP WITHIN 300 BY Sender HAVING "
     "NumberOfEvents > 5"),
    ("SELECT *\n  FROM X\n  WHERE a = 1", "SELECT * FROM X WHERE a = 1"),
]

for _i, (_text, _canon) in enumerate(CANON):
    add("query parse canonical form %d: %s" % (_i + 1, _canon[:60]),
        canon_test(_text, _canon), "query")

add("query parse --any-within accepts WITHIN below 0.01 s",
    canon_test("select * from X within 0.001", "SELECT * FROM X WITHIN 0.001",
               ["--any-within"]), "query")
add("query parse --data: a data query",
    canon_test("select Name from Win32_Process where ProcessId = 4",
               "SELECT Name FROM Win32_Process WHERE ProcessId = 4",
               ["--data"]), "query")


@test("query parse reference 11.10 examples: all accepted, fixed point",
      "query")
def _():
    for q in (
            "SELECT * FROM FaxEvent",
            "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
            "\"Win32_LogicalDisk\"",
            "SELECT * FROM __InstanceCreationEvent WITHIN 10 WHERE "
            "TargetInstance ISA 'Win32_Process' and TargetInstance.Name = "
            "'notepad.exe'",
            "SELECT * FROM __InstanceModificationEvent WITHIN 600 WHERE "
            "TargetInstance ISA \"Win32_LogicalDisk\" AND "
            "TargetInstance.FreeSpace < 1000000",
            "SELECT targetInstance FROM __InstanceCreationEvent within 2 "
            "WHERE targetinstance isa \"Win32_Process\"",
            "Select * from RegistryValueChangeEvent Where Hive = "
            "'HKEY_LOCAL_MACHINE' and KeyPath = "
            "'SYSTEM\\\\ControlSet001\\\\Control' and ValueName = "
            "'CurrentUser'",
            "select * from __TimerEvent where TimerID=\"MyTimer\"",
            "SELECT * FROM EmailEvent GROUP WITHIN 300",
            "SELECT * FROM EventClass WHERE Sender = \"MyBoss\" GROUP WITHIN "
            "300 BY Importance",
            "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
            "\"Win32_NTLogEvent\" GROUP WITHIN 600 BY "
            "TargetInstance.SourceName HAVING NumberOfEvents > 25",
            "SELECT E1.Prop1, E1.Prop2, E2.Prop1, E2.Prop2 FROM MyEvent"):
        r = ok("query", "parse", q)
        canon = r.out.rstrip("\n")
        r2 = ok("query", "parse", canon)
        eq(r2.out, r.out, "fixed point", r2)


# (query, flags, error name, code, line, column, text in the message)
QUERY_ERRORS = [
    ("SELECT * FORM x", [], "WBEM_E_UNPARSABLE_QUERY", "0x80041058", 1, 10,
     "expected FROM after the select list, found 'FORM'"),
    ("SELECT * FROM X WHERE", [], "WBEM_E_UNPARSABLE_QUERY", "0x80041058",
     1, 22, None),
    ("SELECT *\nFORM X", [], "WBEM_E_UNPARSABLE_QUERY", "0x80041058", 2, 1,
     "FORM"),
    ("select * from X where a like 'PCI\\%'", [], "WBEM_E_INVALID_QUERY",
     "0x80041017", 1, 34, "\\%"),
    ("select * from X within 0.001", [], "WBEM_E_INVALID_QUERY",
     "0x80041017", 1, 24, None),
    ("select * from X within 0", [], "WBEM_E_INVALID_QUERY", "0x80041017",
     1, 24, None),
    ("select * from X where a=1 within 5", [], "WBEM_E_UNPARSABLE_QUERY",
     "0x80041058", 1, 27, "WITHIN"),
    ("select * from X within 5", ["--data"], "WBEM_E_INVALID_QUERY",
     "0x80041017", None, None, None),
    ("select * from X where a = 99999999999999999999", [],
     "WBEM_E_VALUE_OUT_OF_RANGE", "0x8004102B", 1, 27, None),
    ("select * from X where a = 0x10", [], "WBEM_E_UNPARSABLE_QUERY",
     "0x80041058", 1, 27, None),
    ("select * from X where 1 = 1", [], "WBEM_E_UNPARSABLE_QUERY",
     "0x80041058", None, None, None),
    ("select * from X where a = b", [], "WBEM_E_UNPARSABLE_QUERY",
     "0x80041058", None, None, None),
    ("select * from X where a = 'open", [], "WBEM_E_UNPARSABLE_QUERY",
     "0x80041058", 1, 27, None),
    ("select * from X by a", [], "WBEM_E_MISSING_GROUP_WITHIN",
     "0x8004105A", None, None, None),
    ("select * from X group within 5 by", [],
     "WBEM_E_MISSING_AGGREGATION_LIST", "0x8004105B", None, None, None),
    ("(select * from X)", [], "WBEM_E_UNPARSABLE_QUERY", "0x80041058", 1, 1,
     None),
    ("", [], "WBEM_E_INVALID_PARAMETER", "0x80041008", None, None, None),
    ("select * from X where " + "(" * 100 + "a=1" + ")" * 100, [],
     "WBEM_E_QUOTA_VIOLATION", "0x8004106C", None, None, None),
    ("select * from X where " + " or ".join("a=%d" % i for i in range(1100)),
     [], "WBEM_E_QUOTA_VIOLATION", "0x8004106C", None, None, None),
    ("select * from X where a = '" + "x" * 17000 + "'", [],
     "WBEM_E_QUOTA_VIOLATION", "0x8004106C", None, None, None),
    ("select * from " + "C" * 300, [], "WBEM_E_QUOTA_VIOLATION",
     "0x8004106C", 1, 15, "255"),
    ("select * from X where " + "p" * 300 + " = 1", [],
     "WBEM_E_QUOTA_VIOLATION", "0x8004106C", 1, 23, "255"),
    ("select * from X where a.b." + "p" * 256 + " = 1", [],
     "WBEM_E_QUOTA_VIOLATION", "0x8004106C", 1, 27, "255"),
    ("select * from X\u00e9", [], "WBEM_E_UNPARSABLE_QUERY", "0x80041058", 1,
     16, None),
    ("select * from X group within 4294967296", [], "WBEM_E_INVALID_QUERY",
     "0x80041017", 1, 30, "4294967295"),
    ("select * from X where a is 5", [], "WBEM_E_UNPARSABLE_QUERY",
     "0x80041058", None, None, None),
    ("select * from X where a not like 'b'", [], "WBEM_E_UNPARSABLE_QUERY",
     "0x80041058", None, None, None),
    ("select * from X where a like 'PCI\\q'", [], "WBEM_E_INVALID_QUERY",
     "0x80041017", 1, 34, None),
]


def query_error_test(q, flags, name, code, line, col, text):
    def fn():
        r = error("query", "parse", *(flags + [q]))
        msg = hr_line(r, name, code, line, col)
        if text is not None:
            has(msg, text, "message", r)
    return fn


for _i, _args in enumerate(QUERY_ERRORS):
    add("query parse error %d: %s%s" %
        (_i + 1, _args[2], " at %s:%s" % (_args[4], _args[5])
         if _args[4] is not None else ""),
        query_error_test(*_args), "query")


@test("query parse needs no schema: unknown classes are fine", "query")
def _():
    r = ok("query", "parse", "select * from NoSuchEvent where x.y.z = 1")
    eq(r.out, "SELECT * FROM NoSuchEvent WHERE x.y.z = 1\n", "output", r)


@test("query check against built-in classes and --mof files", "query")
def _():
    r = ok("query", "check", "select * from __InstanceModificationEvent "
           "where TargetInstance isa '__Namespace' and "
           "TargetInstance.Name = 'a'")
    eq(r.out, "ok: SELECT * FROM __InstanceModificationEvent WHERE "
       "TargetInstance ISA '__Namespace' AND TargetInstance.Name = 'a'\n",
       "output", r)
    r = ok("query", "check", "--mof", EVENTS, "select * from "
           "SecurityViolationEvent where EntranceNumber > 2")
    eq(r.out, "ok: SELECT * FROM SecurityViolationEvent WHERE "
       "EntranceNumber > 2\n", "output", r)
    r = ok("query", "check", "--mof", EVENTS, "--mof", APP_EVENTS,
           "select * from AppCrashEvent where Process.ProcessId = 777")
    has(r.out, "ok: ", "second --mof file used", r)
    r = ok("query", "check", "--mof", EVENTS, "--data",
           "select * from Win32_Process where ProcessId = 5")
    eq(r.out, "ok: SELECT * FROM Win32_Process WHERE ProcessId = 5\n",
       "data query", r)


# (mof files, query, error name, code, line, column, text in the message)
CHECK_ERRORS = [
    ([], "select * from SecurityViolationEvent", "WBEM_E_INVALID_CLASS",
     "0x80041010", 1, 15, "SecurityViolationEvent"),
    ([EVENTS], "select * from Win32_Process", "WBEM_E_NOT_EVENT_CLASS",
     "0x80041059", 1, 15, "Win32_Process"),
    ([EVENTS], "select * from SecurityViolationEvent where Nope = 1",
     "WBEM_E_INVALID_PROPERTY", "0x80041031", 1, 44, "Nope"),
    ([EVENTS], "select * from SecurityViolationEvent where EntranceNumber "
     "= 'high'", "WBEM_E_TYPE_MISMATCH", "0x80041005", 1, 59, None),
    ([EVENTS], "select * from FaxEvent where Urgent > 1",
     "WBEM_E_INVALID_OPERATOR", "0x80041063", None, None, None),
    ([EVENTS], "select * from FaxEvent where Pages like '1%'",
     "WBEM_E_INVALID_OPERATOR", "0x80041063", None, None, None),
    ([EVENTS], "select * from FaxEvent where Pages.x = 1",
     "WBEM_E_PROPERTY_NOT_AN_OBJECT", "0x8004105C", None, None, None),
    ([], "select * from __InstanceCreationEvent where TargetInstance isa "
     "'NoSuchClass'", "WBEM_E_INVALID_CLASS", "0x80041010", None, None,
     "NoSuchClass"),
    ([], "select * from __AggregateEvent", "WBEM_E_NOT_EVENT_CLASS",
     "0x80041059", None, None, None),
    ([EVENTS], "select * from ProcessStartEvent group within 10 by Process",
     "WBEM_E_AGGREGATING_BY_OBJECT", "0x8004105D", None, None, None),
    ([], "select * from __InstanceCreationEvent where TargetInstance.Name = "
     "'x'", "WBEM_E_INVALID_PROPERTY", "0x80041031", 1, 45,
     "TargetInstance ISA"),
    ([], "select * from __InstanceCreationEvent group within 5 having "
     "NumberOfEvents > 'x'", "WBEM_E_TYPE_MISMATCH", "0x80041005", None,
     None, None),
    ([], "select * from __InstanceCreationEvent group within 5 having Foo > 1",
     "WBEM_E_INVALID_PROPERTY", "0x80041031", None, None, "NumberOfEvents"),
    ([], "select * from __InstanceCreationEvent where TargetInstance isa "
     "'__Namespace' and TargetInstance.Name like 'a[b'",
     "WBEM_E_INVALID_QUERY", "0x80041017", None, None, "["),
    ([], "select * from __Event where SECURITY_DESCRIPTOR = 1",
     "WBEM_E_INVALID_OPERATOR", "0x80041063", None, None, None),
    ([], "select * from __Event where __CLASS.x = 1",
     "WBEM_E_PROPERTY_NOT_AN_OBJECT", "0x8004105C", None, None, None),
]


def check_error_test(mofs, q, name, code, line, col, text):
    def fn():
        args = []
        for m in mofs:
            args += ["--mof", m]
        r = error("query", "check", *(args + [q]))
        msg = hr_line(r, name, code, line, col)
        if text is not None:
            has(msg, text, "message", r)
    return fn


for _i, _args in enumerate(CHECK_ERRORS):
    add("query check error %d: %s" % (_i + 1, _args[2]),
        check_error_test(*_args), "query")


@test("query check with a bad or missing --mof: MOF error, exit 1", "query")
def _():
    r = error("query", "check", "--mof", BAD_MOF, "select * from __Event")
    file_error(r, BAD_MOF, "WBEM_E_INVALID_SYNTAX", 8, 1)
    r = error("query", "check", "--mof", "tests/data/nope.mof",
              "select * from __Event")
    file_error(r, "tests/data/nope.mof", "WBEM_E_NOT_FOUND", None, None)


EXPLAIN_DOC = """\
query:   SELECT * FROM __InstanceOperationEvent WITHIN 10 WHERE \
TargetInstance ISA '__Namespace' AND (TargetInstance.Name = 'a' OR NOT \
TargetInstance.Name LIKE 'b%')
kind:    event
class:   __InstanceOperationEvent
select:  *
targets: TargetInstance ISA __Namespace
within:  10 s
group:   none
dnf:     3 conjunctions
  [1] TargetInstance ISA '__Namespace' AND TargetInstance.Name = 'a'
  [2] TargetInstance ISA '__Namespace' AND TargetInstance.Name NOT LIKE 'b%'
  [3] TargetInstance ISA '__Namespace' AND TargetInstance.Name IS NULL
keys:    0
"""


@test("query explain: the docs/wql.md example", "query")
def _():
    r = ok("query", "explain", "select * from __InstanceOperationEvent "
           "within 10 where TargetInstance isa '__Namespace' and "
           "(TargetInstance.Name = 'a' or not TargetInstance.Name like 'b%')")
    eq(r.out, EXPLAIN_DOC, "output", r)
    has(data("docs/wql.md"), EXPLAIN_DOC, "same text as docs/wql.md", r)


@test("query explain: index keys with their types", "query")
def _():
    r = ok("query", "explain", "--mof", EVENTS, "select * from "
           "SecurityViolationEvent where Building = 'B1' and "
           "EntranceNumber > 2")
    has(r.out, "targets: any\n", "targets", r)
    has(r.out, "dnf:     1 conjunction\n  [1] Building = 'B1' AND "
        "EntranceNumber > 2\n", "dnf", r)
    has(r.out, "keys:    2\n  Building = 'B1' (string)\n"
        "  EntranceNumber > 2 (sint32)\n", "keys", r)


@test("query explain: projection, WITHIN and GROUP", "query")
def _():
    r = ok("query", "explain", "--mof", EVENTS, "select Building, "
           "EntranceNumber from SecurityViolationEvent within 2.5 group "
           "within 10 by Building having NumberOfEvents > 3")
    has(r.out, "select:  Building, EntranceNumber\n", "select", r)
    has(r.out, "within:  2.5 s\n", "within", r)
    has(r.out, "group:   within 10 s, by Building, having NumberOfEvents "
        "> 3\n", "group", r)
    has(r.out, "  [1] TRUE\n", "empty conjunction", r)


@test("query explain --data: a data query", "query")
def _():
    r = ok("query", "explain", "--mof", EVENTS, "--data",
           "select * from Win32_Process where ProcessId = 4242")
    has(r.out, "kind:    data\n", "kind", r)
    has(r.out, "class:   Win32_Process\n", "class", r)


@test("query explain of an invalid query: exit 1", "query")
def _():
    r = error("query", "explain", "select * from NoSuchEvent")
    hr_line(r, "WBEM_E_INVALID_CLASS", "0x80041010", 1, 15)


# (query, json file, expected output)
EVAL = [
    ("select * from SecurityViolationEvent where EntranceNumber = 3",
     VIOLATION, "match"),
    ("select * from SecurityViolationEvent where EntranceNumber > 3",
     VIOLATION, "no match"),
    ("select * from SecurityViolationEvent where Building = 'BUILDING 24'",
     VIOLATION, "match"),
    ("select * from SecurityViolationEvent where Building like 'Build%24'",
     VIOLATION, "match"),
    ("select * from SecurityViolationEvent where TimeOfDetection > "
     "'20240315130000.000000+000'", VIOLATION, "match"),
    ("select * from SecurityViolationEvent where TimeOfDetection > "
     "'20240315140000.000000+000'", VIOLATION, "no match"),
    ("select * from SecurityViolationEvent where SECURITY_DESCRIPTOR "
     "is null", VIOLATION, "match"),
    ("select * from __ExtrinsicEvent", VIOLATION, "match"),
    ("select * from FaxEvent", VIOLATION, "no match"),
    ("select * from FaxEvent where Urgent = TRUE and Pages = 1", FAX,
     "match"),
    ("select * from FaxEvent where Urgent = 0", FAX, "no match"),
    ("select * from __InstanceCreationEvent where TargetInstance isa "
     "'Win32_Process' and TargetInstance.Name like 'ssh%'", PROCESS, "match"),
    ("select * from __InstanceOperationEvent where TargetInstance isa "
     "'CIM_Process'", PROCESS, "match"),
    ("select * from __InstanceCreationEvent where TargetInstance isa "
     "'Win32_LogicalDisk'", PROCESS, "no match"),
    ("select * from __InstanceDeletionEvent", PROCESS, "no match"),
    ("select * from __InstanceCreationEvent where TargetInstance isa "
     "'Win32_Process' and TargetInstance.ProcessId > 100 and "
     "TargetInstance.ParentProcessId = 1", PROCESS, "match"),
    ("select * from __InstanceCreationEvent where TargetInstance isa "
     "'Win32_Process' and TargetInstance.ProcessId > 5000", PROCESS,
     "no match"),
    ("select * from __InstanceCreationEvent where TargetInstance isa "
     "'Win32_Process' and TargetInstance.ExecutablePath is null", PROCESS,
     "match"),
    ("select * from __InstanceCreationEvent where TargetInstance isa "
     "'Win32_Process' and TargetInstance.ProcessId = '4242'", PROCESS,
     "match"),
]


def eval_test(q, path, expected):
    def fn():
        r = ok("query", "eval", "--mof", EVENTS, q, "--json", path)
        eq(r.out, expected + "\n", "output", r)
    return fn


for _i, (_q, _p, _e) in enumerate(EVAL):
    add("query eval %d: %s -> %s" % (_i + 1, os.path.basename(_p), _e),
        eval_test(_q, _p, _e), "query")


@test("query eval: numbers against a string property (reference 11.10 "
      "example 20)", "query")
def _():
    path = tmpfile("building24.json", '{"class": "SecurityViolationEvent", '
                   '"properties": {"Building": "24"}}')
    q = "SELECT * FROM SecurityViolationEvent WHERE Building = 24;"
    r = ok("query", "eval", "--mof", EVENTS, q, "--json", path)
    eq(r.out, "match\n", "output", r)
    r = ok("query", "eval", "--mof", EVENTS, q, "--json", VIOLATION)
    eq(r.out, "no match\n", "output", r)


@test("query eval --data: a data query on an instance", "query")
def _():
    path = tmpfile("disk.json", '{"class": "Win32_LogicalDisk", '
                   '"properties": {"DeviceID": "C:", "SystemName": "HOST", '
                   '"FreeSpace": "53687091200", "FileSystem": "ext4"}}')
    q = ("select * from CIM_LogicalDisk where FreeSpace > 2000000 and "
         "DeviceID = 'c:' and Size is null")
    r = ok("query", "eval", "--mof", EVENTS, "--data", q, "--json", path)
    eq(r.out, "match\n", "output", r)
    q = ("select * from Win32_LogicalDisk where FileSystem = 'NTFS' or "
         "FreeSpace < 2000000")
    r = ok("query", "eval", "--mof", EVENTS, "--data", q, "--json", path)
    eq(r.out, "no match\n", "output", r)


@test("query eval errors: bad JSON (position), missing file, bad query: "
      "exit 1", "query")
def _():
    path = tmpfile("eval_bad.json",
                   '{"class": "SecurityViolationEvent",\n "properties": '
                   '{"Building": "x",}}')
    r = error("query", "eval", "--mof", EVENTS,
              "select * from SecurityViolationEvent", "--json", path)
    file_error(r, path, "WBEM_E_INVALID_SYNTAX", 2, 33)
    r = error("query", "eval", "--mof", EVENTS,
              "select * from SecurityViolationEvent", "--json",
              "tests/data/nope.json")
    msg = file_error(r, "tests/data/nope.json", "WBEM_E_NOT_FOUND", 0, 0)
    eq(msg, "No such file or directory", "message", r)
    r = error("query", "eval", "select * from SecurityViolationEvent",
              "--json", VIOLATION)
    hr_line(r, "WBEM_E_INVALID_CLASS", "0x80041010", 1, 15)


@test("query usage errors (exit 2)", "query")
def _():
    usage_error("query")
    usage_says("unknown subcommand 'frob'", "query", "frob")
    usage_says("missing the query text", "query", "parse")
    usage_error("query", "parse", "select * from A", "extra")
    usage_error("query", "parse", "--mof", EVENTS, "select * from A")
    usage_error("query", "parse", "--json", VIOLATION, "select * from A")
    usage_error("query", "check", "--bogus", "select * from A")
    usage_error("query", "check", "select * from A", "--mof")
    usage_says("--json", "query", "eval", "select * from __Event")
    usage_error("query", "eval", "select * from __Event", "--json")
    usage_error("query", "explain")


# ====================================================================== sid

SID_OK = [
    (["BA"], "S-1-5-32-544"), (["SY"], "S-1-5-18"), (["WD"], "S-1-1-0"),
    (["AU"], "S-1-5-11"), (["BU"], "S-1-5-32-545"), (["NS"], "S-1-5-20"),
    (["LS"], "S-1-5-19"), (["CO"], "S-1-3-0"), (["AN"], "S-1-5-7"),
    (["IU"], "S-1-5-4"), (["RD"], "S-1-5-32-555"), (["OW"], "S-1-3-4"),
    (["AC"], "S-1-15-2-1"), (["SI"], "S-1-16-16384"),
    (["ME"], "S-1-16-8192"), (["ba"], "S-1-5-32-544"),
    (["S-1-5-32-544"], "S-1-5-32-544"), (["s-1-5-18"], "S-1-5-18"),
    (["S-1-0x100000000-1"], "S-1-0x100000000-1"),
    (["S-1-4294967296-5"], "S-1-0x100000000-5"),
    (["S-1-5-21-1-2-3-1000"], "S-1-5-21-1-2-3-1000"),
    (["--domain", "S-1-5-21-1-2-3", "DA"], "S-1-5-21-1-2-3-512"),
    (["DA", "--domain", "S-1-5-21-1-2-3"], "S-1-5-21-1-2-3-512"),
    (["--domain", "S-1-5-21-1-2-3", "DU"], "S-1-5-21-1-2-3-513"),
    (["--machine", "S-1-5-21-7-8-9", "LA"], "S-1-5-21-7-8-9-500"),
    (["--machine", "S-1-5-21-7-8-9", "LG"], "S-1-5-21-7-8-9-501"),
    (["--from-hex", "01020000000000052000000020020000"], "S-1-5-32-544"),
    (["--from-hex", "010100000000000512000000"], "S-1-5-18"),
    (["--from-hex", "010100000000000100000000"], "S-1-1-0"),
]


def sid_ok_test(args, expected):
    def fn():
        r = ok("sid", *args)
        eq(r.out, expected + "\n", "output", r)
    return fn


for _args, _exp in SID_OK:
    add("sid %s -> %s" % (" ".join(_args), _exp), sid_ok_test(_args, _exp),
        "sid")


def sid_binary(text):
    """The binary form of an S-1 SID, built here independently."""
    parts = text.split("-")
    auth = int(parts[2], 0)
    subs = [int(x) for x in parts[3:]]
    b = bytes([1, len(subs)]) + auth.to_bytes(6, "big")
    for s in subs:
        b += s.to_bytes(4, "little")
    return b.hex()


@test("sid --from-hex decodes SIDs built by the test (upper-case hex too)",
      "sid")
def _():
    for s in ("S-1-5-32-544", "S-1-5-21-1-2-3-1000", "S-1-1-0",
              "S-1-0x100000000-7", "S-1-5-21-4294967295-1-2-3-4-5-6-7-8-9-10"
              "-11-12"):
        r = ok("sid", "--from-hex", sid_binary(s))
        eq(r.out, s + "\n", "from binary", r)
        r = ok("sid", "--from-hex", sid_binary(s).upper())
        eq(r.out, s + "\n", "from upper-case hex", r)


# Every SDDL alias that needs no domain (Sddl.h / MS-DTYP facts).
FIXED_ALIASES = {
    "WD": "S-1-1-0", "CO": "S-1-3-0", "CG": "S-1-3-1", "OW": "S-1-3-4",
    "NU": "S-1-5-2", "IU": "S-1-5-4", "SU": "S-1-5-6", "AN": "S-1-5-7",
    "ED": "S-1-5-9", "PS": "S-1-5-10", "AU": "S-1-5-11", "RC": "S-1-5-12",
    "SY": "S-1-5-18", "LS": "S-1-5-19", "NS": "S-1-5-20", "WR": "S-1-5-33",
    "UD": "S-1-5-84-0-0-0-0-0", "AC": "S-1-15-2-1", "LW": "S-1-16-4096",
    "ME": "S-1-16-8192", "MP": "S-1-16-8448", "HI": "S-1-16-12288",
    "SI": "S-1-16-16384", "AS": "S-1-18-1", "SS": "S-1-18-2",
}
for _alias, _rid in (("BA", 544), ("BU", 545), ("BG", 546), ("PU", 547),
                     ("AO", 548), ("SO", 549), ("PO", 550), ("BO", 551),
                     ("RE", 552), ("RU", 554), ("RD", 555), ("NO", 556),
                     ("MU", 558), ("LU", 559), ("IS", 568), ("CY", 569),
                     ("ER", 573), ("CD", 574), ("RA", 575), ("ES", 576),
                     ("MS", 577), ("HA", 578), ("AA", 579), ("RM", 580)):
    FIXED_ALIASES[_alias] = "S-1-5-32-%d" % _rid
DOMAIN_ALIASES = {"DA": 512, "DU": 513, "DG": 514, "DC": 515, "DD": 516,
                  "CA": 517, "CN": 522, "AP": 525, "KA": 526, "RS": 553,
                  "RO": 498, "SA": 518, "EA": 519, "PA": 520, "EK": 527}
MACHINE_ALIASES = {"LA": 500, "LG": 501}


@test("sid: every fixed alias, in upper and lower case", "sid")
def _():
    for alias, sid in sorted(FIXED_ALIASES.items()):
        for a in (alias, alias.lower()):
            r = ok("sid", a)
            eq(r.out, sid + "\n", "alias %s" % a, r)


@test("sid: domain- and machine-relative aliases need their base", "sid")
def _():
    dom, mach = "S-1-5-21-11-22-33", "S-1-5-21-44-55-66"
    for alias, rid in sorted(DOMAIN_ALIASES.items()):
        r = ok("sid", "--domain", dom, alias)
        eq(r.out, "%s-%d\n" % (dom, rid), "alias %s" % alias, r)
        r = error("sid", alias)
        hr_col(r, "WBEM_E_NOT_FOUND", "0x80041002", 1)
    for alias, rid in sorted(MACHINE_ALIASES.items()):
        r = ok("sid", "--machine", mach, "--domain", dom, alias)
        eq(r.out, "%s-%d\n" % (mach, rid), "alias %s" % alias, r)
        r = error("sid", "--domain", dom, alias)
        hr_col(r, "WBEM_E_NOT_FOUND", "0x80041002", 1)


@test("sid: text forms of docs/security.md (hex authority, hex "
      "sub-authorities, overflow refused)", "sid")
def _():
    eq(ok("sid", "S-1-5000000000-30").out, "S-1-0x12A05F200-30\n",
       "authority from 2^32 printed as hex")
    eq(ok("sid", "S-1-5-21-0x1-0x2-0x3-0x4b1").out,
       "S-1-5-21-1-2-3-1201\n", "hex sub-authorities")
    eq(ok("sid", "S-1-4294967295-1").out, "S-1-4294967295-1\n",
       "authority below 2^32 printed in decimal")
    r = error("sid", "S-1-3-4294967296")
    hr_col(r, "WBEM_E_INVALID_PARAMETER", "0x80041008", 7)


SID_ERR = [
    (["LA"], "WBEM_E_NOT_FOUND", "0x80041002", 1, "needs a machine SID"),
    (["DA"], "WBEM_E_NOT_FOUND", "0x80041002", 1, "needs a domain SID"),
    (["XX"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 1, "'XX'"),
    (["S-1-5-"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 7, None),
    ([""], "WBEM_E_INVALID_PARAMETER", "0x80041008", 1, None),
    (["S-1-5-99999999999"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 7,
     None),
    (["S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16"],
     "WBEM_E_INVALID_PARAMETER", "0x80041008", None, "15"),
    (["--domain", "XX", "DA"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 1,
     "--domain"),
    (["--machine", "S-1-x", "LA"], "WBEM_E_INVALID_PARAMETER", "0x80041008",
     None, "--machine"),
    (["--from-hex", "010200000000000520000000200200000"],
     "WBEM_E_INVALID_PARAMETER", "0x80041008", 33, "odd number"),
    (["--from-hex", "0102000000000005200000002002000000"],
     "WBEM_E_INVALID_PARAMETER", "0x80041008", 33, "after the end"),
    (["--from-hex", "01zz"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 3,
     "hex digit"),
    (["--from-hex", "0102"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 1,
     "truncated"),
    (["--from-hex", ""], "WBEM_E_INVALID_PARAMETER", "0x80041008", None,
     None),
    (["--from-hex", "0110" + "00" * 70], "WBEM_E_INVALID_PARAMETER",
     "0x80041008", None, None),
]


def col_err_test(family, args, name, code, col, text):
    """`wes FAMILY ARGS` fails (exit 1) with NAME (CODE) at COL and, unless
    None, text in the message (an option named there exactly once)."""
    def fn():
        r = error(family, *args)
        msg = hr_col(r, name, code, col)
        if text is not None:
            has(msg, text, "message", r)
            if text.startswith("--"):
                eq(msg.count(text), 1, "times %s is named" % text, r)
    return fn


for _args, _name, _code, _col, _text in SID_ERR:
    add("sid %s: %s at %s, exit 1" % (" ".join(_args)[:50], _name,
                                       _col if _col is not None else "*"),
        col_err_test("sid", _args, _name, _code, _col, _text), "sid")


@test("sid usage errors (exit 2)", "sid")
def _():
    usage_error("sid")
    usage_says("unexpected argument 'SY'", "sid", "BA", "SY")
    usage_error("sid", "--bogus")
    usage_error("sid", "--from-hex", "0102", "BA")
    usage_error("sid", "--domain")
    usage_error("sid", "BA", "--from-hex")


# ===================================================================== sddl

SDDL_CANON = [
    ("O:BAG:SYD:(A;;0x1;;;WD)(A;;CCDCLCSWRPWPRCWD;;;BA)",
     "O:BAG:SYD:(A;;CC;;;WD)(A;;CCDCLCSWRPWPRCWD;;;BA)"),
    ("O:BAG:BAD:(A;;0x40;;;BA)", "O:BAG:BAD:(A;;DT;;;BA)"),
    ("O:S-1-5-32-544G:S-1-5-18D:P(A;OICI;0x1f01ff;;;S-1-1-0)",
     "O:BAG:SYD:P(A;OICI;FA;;;WD)"),
    ("O:BAG:SYD:(A;;GA;;;SY)", "O:BAG:SYD:(A;;GA;;;SY)"),
    ("D:NO_ACCESS_CONTROL", "D:NO_ACCESS_CONTROL"),
    ("D:", "D:"),
    ("D:(A;;0x120089;;;WD)", "D:(A;;FR;;;WD)"),
    ("D:(A;;0x120116;;;WD)", "D:(A;;FW;;;WD)"),
    ("D:(A;;0x1200a0;;;WD)", "D:(A;;FX;;;WD)"),
    ("D:(A;;0xf003f;;;WD)", "D:(A;;KA;;;WD)"),
    ("D:(A;;0x20019;;;WD)", "D:(A;;KR;;;WD)"),
    ("D:(A;;0x20006;;;WD)", "D:(A;;KW;;;WD)"),
    ("D:(A;;0x12019F;;;WD)", "D:(A;;0x12019f;;;WD)"),
    ("D:(A;;0x1F0003;;;WD)", "D:(A;;0x1f0003;;;WD)"),
    ("D:(A;;0x3;;;WD)", "D:(A;;CCDC;;;WD)"),
    ("D:(A;;0x10000000;;;WD)", "D:(A;;GA;;;WD)"),
    ("D:(A;;0x80000000;;;WD)", "D:(A;;GR;;;WD)"),
    ("D:(A;;0x0;;;WD)", "D:(A;;;;;WD)"),
    ("D:(A;CIOI;GA;;;WD)", "D:(A;OICI;GA;;;WD)"),
    ("D:AIP(A;;GA;;;WD)", "D:PAI(A;;GA;;;WD)"),
    ("D:ARPAI(A;;GA;;;WD)", "D:PARAI(A;;GA;;;WD)"),
    ("S:(AU;FASA;GA;;;WD)D:(A;;GA;;;WD)G:SYO:BA",
     "O:BAG:SYD:(A;;GA;;;WD)S:(AU;SAFA;GA;;;WD)"),
    ("D:(OA;;CR;AB721A53-1E2F-11D0-9819-00AA0040529B;;WD)",
     "D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)"),
    ("S:(ML;;NW;;;LW)", "S:(ML;;NW;;;LW)"),
]


def sddl_canon_test(text, expected):
    def fn():
        r = ok("sddl", "canon", text)
        if expected is not None:
            eq(r.out, expected + "\n", "canonical", r)
        canon = r.out.strip()
        r2 = ok("sddl", "canon", canon)
        eq(r2.out, r.out, "canonical form is a fixed point", r2)
        h = ok("sddl", "hex", canon).out.strip()
        match(r"\A(?:[0-9a-f]{2})+\Z", h, "lower-case hex bytes")
        back = ok("sddl", "from-hex", h)
        eq(back.out, r.out, "hex round trip", back)
    return fn


for _text, _exp in SDDL_CANON:
    add("sddl canon %s -> %s (and hex round trip)" % (_text, _exp),
        sddl_canon_test(_text, _exp), "sddl")


@test("sddl canon: SACL, inheritance flags and several ACE types", "sddl")
def _():
    for text in ("O:BAG:SYD:AI(A;ID;FR;;;WD)(D;;FW;;;AN)S:(AU;SAFA;GA;;;WD)",
                 "O:SYG:SYD:PAI(A;OICIIO;GA;;;CO)(A;;0x12019f;;;AU)",
                 "O:BAG:SYD:(A;;0x123456;;;S-1-5-21-1-2-3-1000)"):
        r = ok("sddl", "canon", text)
        canon = r.out.strip()
        eq(ok("sddl", "canon", canon).out, r.out, "fixed point", r)
        h = ok("sddl", "hex", canon).out.strip()
        eq(ok("sddl", "from-hex", h).out, r.out, "hex round trip", r)


@test("sddl hex: the docs/security.md example, byte for byte", "sddl")
def _():
    r = ok("sddl", "hex", "O:BAG:BAD:(A;;0x40;;;BA)")
    doc = ("01000480 34000000 44000000 00000000 14000000"
           "02002000 01000000"
           "00001800 40000000 0102000000000005 2000000020020000"
           "0102000000000005 2000000020020000"
           "0102000000000005 2000000020020000").replace(" ", "")
    eq(r.out, doc + "\n", "bytes", r)


@test("sddl --domain/--machine: relative aliases in and out", "sddl")
def _():
    r = ok("sddl", "canon", "--domain", "S-1-5-21-1-2-3",
           "O:DAG:DUD:(A;;GA;;;S-1-5-21-1-2-3-512)")
    eq(r.out, "O:DAG:DUD:(A;;GA;;;DA)\n", "domain aliases", r)
    r = ok("sddl", "canon", "--machine", "S-1-5-21-1-2-3",
           "O:S-1-5-21-1-2-3-500G:SY")
    eq(r.out, "O:LAG:SY\n", "machine alias", r)
    r = ok("sddl", "canon", "O:S-1-5-21-1-2-3-500G:SY")
    eq(r.out, "O:S-1-5-21-1-2-3-500G:SY\n", "no alias without --machine", r)


@test("sddl canon prints known SIDs as aliases, domain ones only with "
      "--domain", "sddl")
def _():
    text = ("O:S-1-5-32-545G:S-1-16-12288D:(A;;GA;;;S-1-5-11)"
            "(A;;GA;;;S-1-5-21-1-2-3-519)")
    r = ok("sddl", "canon", text)
    eq(r.out, "O:BUG:HID:(A;;GA;;;AU)(A;;GA;;;S-1-5-21-1-2-3-519)\n",
       "without --domain", r)
    r = ok("sddl", "canon", "--domain", "S-1-5-21-1-2-3", text)
    eq(r.out, "O:BUG:HID:(A;;GA;;;AU)(A;;GA;;;EA)\n", "with --domain", r)
    for alias, sid in sorted(FIXED_ALIASES.items()):
        r = ok("sddl", "canon", "O:%sG:%s" % (sid, alias.lower()))
        eq(r.out, "O:%sG:%s\n" % (alias, alias), "alias %s" % alias, r)


# (sddl, token, desired, mapping, expected)
ACCESS = [
    ("O:BAG:SYD:(A;;0x1;;;WD)", "S-1-5-21-1-2-3-1000,WD", "0x1", None,
     "granted 0x00000001"),
    ("O:BAG:SYD:(A;;0x1;;;WD)", "S-1-5-21-1-2-3-1000,WD", "0x2", None,
     "denied"),
    ("O:BAG:SYD:(A;;0x1;;;WD)", "S-1-5-21-1-2-3-1000,WD", "1", None,
     "granted 0x00000001"),
    ("O:BAG:SYD:(D;;0x1;;;WD)(A;;0x3;;;WD)", "S-1-5-21-1-2-3-1000,WD",
     "0x2", None, "granted 0x00000002"),
    ("O:BAG:SYD:(D;;0x1;;;WD)(A;;0x3;;;WD)", "S-1-5-21-1-2-3-1000,WD",
     "0x3", None, "denied"),
    ("O:BAG:SYD:(A;;0x3;;;WD)(D;;0x1;;;WD)", "S-1-5-21-1-2-3-1000,WD",
     "0x3", None, "granted 0x00000003"),
    ("O:BAG:SYD:(A;IO;0x1;;;WD)", "S-1-5-21-1-2-3-1000,WD", "0x1", None,
     "denied"),
    ("O:BAG:BAD:(A;;GR;;;BU)", "S-1-22-1-1000,BU", "0x80000000", "wmi",
     "granted 0x00020041"),
    ("O:BAG:BAD:(A;;GR;;;BU)", "S-1-22-1-1000,BU", "0x80000000",
     "0x1,0x2,0x4,0x8", "granted 0x00000001"),
    ("O:BAG:SYD:(A;;GR;;;WD)", "BA,WD", "0x2000000", "wmi",
     "granted 0x00060041"),
    ("O:BAG:SYD:", "S-1-22-1-1000,WD", "0x2000000", None, "denied"),
    ("O:BAG:SYD:", "BA", "0x20000", None, "granted 0x00020000"),
    ("O:BAG:SYD:", "BA", "0x40000", None, "granted 0x00040000"),
    ("O:BAG:SYD:NO_ACCESS_CONTROL", "S-1-22-1-1000", "0x1f01ff", None,
     "granted 0x001F01FF"),
    ("O:BAG:BAD:", "S-1-22-1-0,+SeSecurityPrivilege", "0x01000000", None,
     "granted 0x01000000"),
    ("O:BAG:BAD:", "S-1-22-1-0", "0x01000000", None, "denied"),
    ("O:BAG:BAD:(A;;0x1;;;BU)", "S-1-22-1-1000,BU:deny-only", "1", None,
     "denied"),
    ("O:BAG:BAD:(D;;0x1;;;BU)(A;;0x1;;;WD)", "S-1-22-1-1000,BU:deny-only,WD",
     "1", None, "denied"),
    ("O:BAG:BAD:(A;;0x1;;;WD)", "S-1-22-1-1000,BU:deny-only,WD", "1", None,
     "granted 0x00000001"),
]


def access_test(sd, token, desired, mapping, expected):
    def fn():
        args = ["sddl", "access", sd, "--token", token, "--desired", desired]
        if mapping is not None:
            args += ["--mapping", mapping]
        r = ok(*args)
        eq(r.out, expected + "\n", "decision", r)
    return fn


for _i, _args in enumerate(ACCESS):
    add("sddl access %d: %s %s -> %s" % (_i + 1, _args[0], _args[2],
                                         _args[4]),
        access_test(*_args), "sddl")


# (args after "sddl", error name, code, column, text in the message)
SDDL_ERR = [
    (["canon", "D:(A;;GZ;;;WD)"], "WBEM_E_INVALID_PARAMETER", "0x80041008",
     7, "unknown access right code 'GZ'"),
    (["canon", "O:BAG:SYD:(X;;;;;WD)"], "WBEM_E_INVALID_PARAMETER",
     "0x80041008", 12, "'X'"),
    (["canon", "O:XXG:SY"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 3,
     "'XX'"),
    (["canon", "O:DAG:SY"], "WBEM_E_NOT_FOUND", "0x80041002", 3,
     "domain SID"),
    (["canon", "O:BAG:SYD:(A;;0x1;;;WD"], "WBEM_E_INVALID_PARAMETER",
     "0x80041008", None, None),
    (["canon", "O:BAG:SYD:" + "(A;;GA;;;WD)" * 4000],
     "WBEM_E_INVALID_PARAMETER", "0x80041008", None, "65535"),
    (["hex", "Q:BA"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 1, None),
    (["from-hex", "0102"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 1,
     "truncated"),
    (["from-hex", "01z"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 3,
     "odd number"),
    (["from-hex", "010g"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 4,
     "hex digit"),
    (["from-hex", "01" * 5000], "WBEM_E_INVALID_PARAMETER", "0x80041008",
     None, None),
    (["from-hex", "0100048000010000" + "00" * 12], "WBEM_E_INVALID_PARAMETER",
     "0x80041008", None, None),
    (["access", "O:BAG:SYD:(A;;GR;;;WD)", "--token", "BA,WD", "--desired",
      "0x80000000"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 0,
     "generic"),
    (["access", "D:(A;;0x1;;;WD)", "--token", "BA", "--desired", "1"],
     "WBEM_E_INVALID_PARAMETER", "0x80041008", 0, "owner"),
    (["access", "O:BAD:(A;;0x1;;;WD)", "--token", "BA", "--desired", "1"],
     "WBEM_E_INVALID_PARAMETER", "0x80041008", 0, "group"),
    (["access", "O:BAG:BAD:", "--token", "S-1-22-1-1000,BU:foo",
      "--desired", "1"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 17,
     "--token"),
    (["access", "O:BAG:BAD:", "--token", "S-1-22-1-1000,,WD", "--desired",
      "1"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 15, "--token"),
    (["access", "O:BAG:BAD:", "--token", "S-1-22-1-1000,+SeFoo",
      "--desired", "1"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 15,
     "privilege"),
    (["access", "O:BAG:BAD:", "--token", "S-1-22-1-1000,XX", "--desired",
      "1"], "WBEM_E_INVALID_PARAMETER", "0x80041008", 15, "'XX'"),
    (["access", "O:BAG:BAD:", "--token", "+SeSecurityPrivilege",
      "--desired", "1"], "WBEM_E_INVALID_PARAMETER", "0x80041008", None,
     "user"),
    (["access", "O:BAG:BAD:", "--token", "BA", "--desired", "zz"],
     "WBEM_E_INVALID_PARAMETER", "0x80041008", None, "--desired"),
    (["access", "O:BAG:BAD:", "--token", "BA", "--desired", "0x100000000"],
     "WBEM_E_INVALID_PARAMETER", "0x80041008", None, "--desired"),
    (["access", "O:BAG:BAD:", "--token", "BA", "--desired", "1",
      "--mapping", "1,2,3"], "WBEM_E_INVALID_PARAMETER", "0x80041008", None,
     "--mapping"),
    (["canon", "--domain", "XX", "D:"], "WBEM_E_INVALID_PARAMETER",
     "0x80041008", 1, "--domain"),
]


for _i, _args in enumerate(SDDL_ERR):
    add("sddl error %d: %s %s -> %s at %s, exit 1" %
        (_i + 1, _args[0][0], _args[0][1][:30], _args[1],
         _args[3] if _args[3] is not None else "*"),
        col_err_test("sddl", *_args), "sddl")


@test("sddl usage errors (exit 2)", "sddl")
def _():
    usage_error("sddl")
    usage_error("sddl", "frob", "D:")
    usage_error("sddl", "canon")
    usage_error("sddl", "canon", "D:", "extra")
    usage_error("sddl", "canon", "--bogus", "D:")
    usage_says("belong to 'access'", "sddl", "canon", "D:", "--token", "BA")
    r = usage_error("sddl", "access", "O:BAG:BAD:", "--token", "BA")
    has(r.err, "--token and --desired", "message", r)
    usage_error("sddl", "access", "O:BAG:BAD:", "--desired", "1")
    usage_error("sddl", "hex", "D:", "--domain")


# ==================================================================== watch

def datafile_query(d, cls="__InstanceOperationEvent"):
    return ("SELECT * FROM %s WHERE TargetInstance ISA 'CIM_DataFile' AND "
            "TargetInstance.Path = '%s/'" % (cls, d))


@test("watch usage errors (exit 2)", "watch")
def _():
    usage_error("watch")
    usage_error("watch", "--count", "0", "select * from __Event")
    usage_error("watch", "--count", "-3", "select * from __Event")
    usage_error("watch", "--count", "abc", "select * from __Event")
    usage_error("watch", "--count")
    usage_error("watch", "--timeout", "-1", "select * from __Event")
    usage_error("watch", "--timeout", "0", "select * from __Event")
    usage_error("watch", "--timeout", "soon", "select * from __Event")
    usage_error("watch", "--format", "xml", "select * from __Event")
    r = usage_error("watch", "--bogus", "select * from __Event")
    has(r.err, "unknown option '--bogus'", "message", r)
    usage_error("watch", "select * from __Event", "select * from __Event")


@test("watch with an invalid query: exit 1 with the WQL error", "watch")
def _():
    r = error("watch", "--timeout", "5", "SELECT * FORM x")
    has(r.err, "WBEM_E_UNPARSABLE_QUERY", "code", r)
    has(r.err, "1:10", "position", r)
    has(r.err, "expected FROM", "message", r)
    r = error("watch", "--timeout", "5", "select * from NoSuchEvent")
    has(r.err, "WBEM_E_INVALID_CLASS", "code", r)


@test("watch with a bad or missing --mof: exit 1", "watch")
def _():
    r = error("watch", "--timeout", "5", "--mof", BAD_MOF,
              "select * from __Event")
    file_error(r, BAD_MOF, "WBEM_E_INVALID_SYNTAX", 8, 1)
    r = error("watch", "--timeout", "5", "--mof", "tests/data/nope.mof",
              "select * from __Event")
    has(r.err, "WBEM_E_NOT_FOUND", "code", r)


@test("watch: CIM_DataFile query without a directory is "
      "WBEM_E_PROVIDER_NOT_CAPABLE saying what to add", "watch")
def _():
    # The provider's message comes back through the subscribe call's
    # error (not only a log line): one line with the code and what to add.
    for cls in ("__InstanceOperationEvent", "__InstanceCreationEvent"):
        r = error("watch", "--timeout", "5", "SELECT * FROM %s WHERE "
                  "TargetInstance ISA 'CIM_DataFile'" % cls)
        m = match(r"^query:0:0: WBEM_E_PROVIDER_NOT_CAPABLE: "
                  r"provider 'wes\|CIM_DataFile\|1': (.*)$", r.err,
                  "the subscribe error line", r)
        has(m.group(1), "TargetInstance.Path = '/dir/'", "says what to add",
            r)
        has(m.group(1), "TargetInstance.Name = '/dir/file'",
            "says what to add", r)
    r = error("watch", "--timeout", "5",
              datafile_query("/nonexistent-wes-cli-dir"))
    m = match(r"^query:0:0: WBEM_E_PROVIDER_NOT_CAPABLE: "
              r"provider 'wes\|CIM_DataFile\|1': (.*)$", r.err,
              "the subscribe error line", r)
    has(m.group(1), "/nonexistent-wes-cli-dir/", "names the directory", r)


@test("watch: unsupported kinds fail at subscribe time (issue 5)", "watch")
def _():
    r = error("watch", "--timeout", "5", "select * from "
              "__InstanceCreationEvent within 5 where TargetInstance isa "
              "'__Namespace'")
    has(r.err, "WBEM_E_NOT_SUPPORTED", "polling", r)
    r = error("watch", "--timeout", "5", "select * from "
              "__InstanceCreationEvent where TargetInstance isa "
              "'__Namespace'")
    has(r.err, "WBEMESS_E_REGISTRATION_TOO_PRECISE", "no provider", r)
    r = error("watch", "--timeout", "5", "--mof", EVENTS, "select * from "
              "SecurityViolationEvent group within 5")
    has(r.err, "WBEM_E_NOT_SUPPORTED", "aggregation", r)
    r = error("watch", "--timeout", "5", "select * from __TimerEvent")
    has(r.err, "WBEM_E_NOT_SUPPORTED", "timers", r)


@test("watch --timeout with no events: exit 0, nothing on stdout", "watch")
def _():
    t0 = time.monotonic()
    r = rc(wes("watch", "--timeout", "0.3", "--mof", EVENTS,
               "select * from SecurityViolationEvent", timeout=30), 0)
    eq(r.out, "", "stdout", r)
    expect(time.monotonic() - t0 < 25, "timeout honoured", r)


class Watch:
    """A `wes watch` process with its output read by threads."""

    def __init__(self, *args):
        self.args = [str(a) for a in args]
        self.p = subprocess.Popen([WES, "watch"] + self.args, cwd=SRC,
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.out, self.err = [], []
        self.lock = threading.Lock()
        self.t_out = threading.Thread(target=self._read,
                                      args=(self.p.stdout, self.out))
        self.t_err = threading.Thread(target=self._read,
                                      args=(self.p.stderr, self.err))
        self.t_out.start()
        self.t_err.start()

    def _read(self, stream, into):
        for line in iter(stream.readline, b""):
            with self.lock:
                into.append(line.decode("utf-8", "replace"))
        stream.close()

    def lines(self):
        with self.lock:
            return list(self.out)

    def stderr(self):
        with self.lock:
            return "".join(self.err)

    def wait_for(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return
            if self.p.poll() is not None and not pred():
                time.sleep(0.1)
                if pred():
                    return
                raise Fail("wes watch exited (%s) while waiting for %s\n"
                           "stdout: %s\nstderr: %s" %
                           (self.p.returncode, what, "".join(self.lines()),
                            self.stderr()))
            time.sleep(0.02)
        raise Fail("timed out waiting for %s\nstdout: %s\nstderr: %s" %
                   (what, "".join(self.lines()), self.stderr()))

    def wait_ready(self):
        """Waits for the subscription, then for the inotify watch."""
        self.wait_for(lambda: "watching" in self.stderr(), 30,
                      "the 'watching' line")
        fdinfo = "/proc/%d/fdinfo" % self.p.pid
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.path.isdir(fdinfo):
            try:
                for fd in os.listdir(fdinfo):
                    with open(os.path.join(fdinfo, fd)) as f:
                        if "inotify wd:" in f.read():
                            time.sleep(0.1)
                            return
            except OSError:
                pass
            time.sleep(0.02)
        time.sleep(1.0)  # no /proc: give the loop time to start watching

    def finish(self, timeout=30):
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Fail("wes watch %s did not exit within %s s\nstderr: %s" %
                       (" ".join(self.args), timeout, self.stderr()))
        self.t_out.join(10)
        self.t_err.join(10)
        check_sanitizers(["watch"] + self.args, self.stderr())
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.t_out.join(10)
        self.t_err.join(10)


def prop(obj, name):
    v = obj["properties"][name]
    return v["value"] if isinstance(v, dict) and "type" in v else v


@test("watch live: create, modify, delete a file -> three events (JSON "
      "lines), --count stops it", "watch")
def _():
    d = tempfile.mkdtemp(prefix="watch-", dir=TMP)
    w = Watch("--count", "3", "--timeout", "60", datafile_query(d))
    try:
        w.wait_ready()
        path = os.path.join(d, "report.txt")
        open(path, "w").close()
        w.wait_for(lambda: len(w.lines()) >= 1, 20, "the creation event")
        with open(path, "a") as f:
            f.write("more\n")
        w.wait_for(lambda: len(w.lines()) >= 2, 20, "the modification event")
        os.unlink(path)
        code = w.finish()
    finally:
        w.kill()
    lines = w.lines()
    expect(code == 0, "exit %s, stderr: %s" % (code, w.stderr()))
    eq(len(lines), 3, "three lines: %r" % lines, None)
    events = [json.loads(line) for line in lines]
    eq([e["class"] for e in events],
       ["__InstanceCreationEvent", "__InstanceModificationEvent",
        "__InstanceDeletionEvent"], "event classes")
    for e in events:
        t = prop(e, "TargetInstance")
        eq(t["class"], "CIM_DataFile", "TargetInstance class")
        eq(prop(t, "Name"), path, "Name")
        eq(prop(t, "Path"), d + "/", "Path")
        eq(prop(t, "FileName"), "report", "FileName")
        eq(prop(t, "Extension"), "txt", "Extension")
        eq(prop(t, "Drive"), "", "Drive")
        match(r"\A\d{14}\.\d{6}[+-]\d{3}\Z", prop(t, "LastModified"),
              "LastModified as a DMTF datetime")
        match(r"^\d+$", prop(e, "TIME_CREATED"), "TIME_CREATED")
    eq(prop(prop(events[1], "TargetInstance"), "FileSize"), "5",
       "FileSize after the append")
    prev = prop(events[1], "PreviousInstance")
    expect(prev is not None, "modification carries PreviousInstance")
    eq(prop(prev, "FileSize"), "0", "PreviousInstance FileSize")
    stamps = [int(prop(e, "TIME_CREATED")) for e in events]
    expect(stamps == sorted(stamps) and len(set(stamps)) == 3,
           "TIME_CREATED strictly increasing: %r" % stamps)


@test("watch live: --format mof and a WHERE filter on the file name",
      "watch")
def _():
    d = tempfile.mkdtemp(prefix="watch-", dir=TMP)
    q = datafile_query(d, "__InstanceCreationEvent") + \
        " AND TargetInstance.Extension = 'log'"
    w = Watch("--count", "1", "--timeout", "60", "--format", "mof", q)
    try:
        w.wait_ready()
        open(os.path.join(d, "skip.txt"), "w").close()
        open(os.path.join(d, "keep.log"), "w").close()
        code = w.finish()
    finally:
        w.kill()
    out = "".join(w.lines())
    expect(code == 0, "exit %s, stderr: %s" % (code, w.stderr()))
    expect(out.startswith("instance of __InstanceCreationEvent\n{\n"),
           "MOF text: %r" % out)
    has(out, "\tTargetInstance = instance of CIM_DataFile\n", "embedded")
    has(out, '\t\tName = "%s";\n' % os.path.join(d, "keep.log"), "Name")
    expect("skip.txt" not in out, "filtered out skip.txt: %r" % out)
    eq(out.count("instance of __Instance"), 1, "one event")


@test("watch live: SIGINT stops it with exit 0", "watch")
def _():
    d = tempfile.mkdtemp(prefix="watch-", dir=TMP)
    w = Watch("--timeout", "60", datafile_query(d))
    try:
        w.wait_for(lambda: "watching" in w.stderr(), 30,
                   "the 'watching' line")
        t0 = time.monotonic()
        w.p.send_signal(signal.SIGINT)
        code = w.finish(timeout=30)
    finally:
        w.kill()
    expect(code == 0, "exit %s, stderr: %s" % (code, w.stderr()))
    expect(time.monotonic() - t0 < 25, "stopped promptly")
    eq(w.lines(), [], "no events")


# ================== former known discrepancies (were TAP # TODO, now fixed)

@test("docs/mof.md `wes mof check tests/data/events.mof` example matches "
      "the program", "mof")
def _():
    doc = data("docs/mof.md")
    m = re.search(r"\$ wes mof check tests/data/events\.mof\n(.*?)```",
                  doc, re.S)
    expect(m is not None, "example not found in docs/mof.md")
    r = ok("mof", "check", EVENTS)
    for line in m.group(1).splitlines():
        if line != "...":
            expect(line in r.out.splitlines(),
                   "documented line %r not printed" % line, r)


@test("object render: an unreadable --json FILE is reported as "
      "FILE:LINE:COL: NAME: message (its --help)", "object")
def _():
    r = ok("object", "render", "--help")
    has(r.out, "`FILE:LINE:COL: NAME: message`", "help text", r)
    r = error("object", "render", "--json", "tests/data/nope.json")
    msg = file_error(r, "tests/data/nope.json", "WBEM_E_NOT_FOUND", 0, 0)
    eq(msg, "No such file or directory", "message", r)
    eq(len(r.err.splitlines()), 1, "one error line", r)


@test("query eval: --help says how errors print, and they print so: "
      "query errors as NAME (0xXXXXXXXX) at LINE:COL: message, --json "
      "file errors as FILE:LINE:COL: NAME: message", "query")
def _():
    r = ok("query", "eval", "--help")
    flat = " ".join(r.out.split())
    has(flat, "errors in the query as `NAME (0xXXXXXXXX) at LINE:COL: "
        "message`", "help: query errors", r)
    has(flat, "errors in a --mof or --json file (unreadable, bad MOF or "
        "JSON) as `FILE:LINE:COL: NAME: message`", "help: file errors", r)
    path = tmpfile("eval_todo.json", '{"class": "FaxEvent",}')
    r = error("query", "eval", "--mof", EVENTS, "select * from FaxEvent",
              "--json", path)
    file_error(r, path, "WBEM_E_INVALID_SYNTAX", 1, 22)
    r = error("query", "eval", "--mof", EVENTS, "select * from FaxEvent",
              "--json", "tests/data/nope.json")
    file_error(r, "tests/data/nope.json", "WBEM_E_NOT_FOUND", 0, 0)
    r = error("query", "eval", "--mof", EVENTS, "select * from FaxEvent "
              "where Nope = 1", "--json", path)
    hr_line(r, "WBEM_E_INVALID_PROPERTY", "0x80041031", 1, 30)


@test("query check: an intrinsic query whose only ISA is under OR is "
      "rejected (issue 3: 'name their target with ISA (not under OR)')",
      "query")
def _():
    q = ("select * from __InstanceCreationEvent "
         "where TargetInstance isa '__Namespace' or "
         "TargetInstance.Name = 'x'")
    r = error("query", "check", q)
    msg = hr_line(r, "WBEM_E_INVALID_PROPERTY", "0x80041031", 1,
                  q.index("TargetInstance.Name") + 1)
    has(msg, "add TargetInstance ISA 'ClassName'", "hint", r)


@test("query check: each OR alternative may name its own target with ISA "
      "(issue 3)", "query")
def _():
    r = ok("query", "check", "select * from __InstanceCreationEvent where "
           "(TargetInstance isa '__Namespace' and TargetInstance.Name = 'a') "
           "or (TargetInstance isa '__Namespace' and "
           "not TargetInstance.Name = 'b')")
    match(r"\Aok: SELECT \* FROM __InstanceCreationEvent WHERE ", r.out,
          "output", r)


# ============================================================= TAP runner

def main():
    try:
        have = families()
    except Fail as e:
        print("Bail out! wes --help failed: %s" % str(e).splitlines()[0])
        return 1
    print("1..%d" % len(TESTS))
    failed = 0
    for n, (name, family, todo, fn) in enumerate(TESTS, 1):
        if family is not None and family not in have:
            print("ok %d - %s # SKIP wes %s is not built" % (n, name, family))
            continue
        directive = " # TODO %s" % todo if todo else ""
        try:
            fn()
        except Exception as e:  # report, keep going
            if isinstance(e, Fail):
                detail = str(e)
            else:
                detail = traceback.format_exc()
            print("not ok %d - %s%s" % (n, name, directive))
            for line in detail.splitlines():
                print("#   " + line)
            if not todo:
                failed += 1
        else:
            print("ok %d - %s%s" % (n, name, directive))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(code)
