#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Counts results of scripts/test and prints "N passed, N failed".

Each TAP line ("ok N" / "not ok N") in meson's testlog.json counts once;
a test without TAP output counts once by its result. Each fuzz target
counts once. Each failed build step counts as one failure.
Exit status: 0 when nothing failed, 1 otherwise.
"""
import glob
import json
import os
import re
import sys


def count_log(path):
    passed = failed = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            t = json.loads(line)
            res = t.get("result", "")
            out = t.get("stdout", "") or ""
            # TAP directives: "# SKIP" is skipped; "# TODO" marks a known
            # discrepancy (an expected failure), counted neither way.
            lines = re.findall(r"^(?:ok|not ok) \d+[^\n]*", out, re.M)
            oks = bad = 0
            for tl in lines:
                directive = re.search(r"#\s*(TODO|SKIP)\b", tl, re.I)
                if directive:
                    continue
                if tl.startswith("ok"):
                    oks += 1
                else:
                    bad += 1
            if lines:
                passed += oks
                failed += bad
                # A crash after some TAP lines still fails the executable.
                if res not in ("OK", "EXPECTEDFAIL") and bad == 0:
                    failed += 1
            elif res in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif res == "SKIP":
                pass
            else:
                failed += 1
            if res not in ("OK", "SKIP", "EXPECTEDFAIL"):
                print("FAILED: %s (%s) in %s" % (t.get("name"), res, path))
    return passed, failed


def main():
    out, fuzz = sys.argv[1], sys.argv[2]
    steps = sys.argv[3:]
    passed = failed = 0
    for log in sorted(glob.glob(os.path.join(out, "*", "meson-logs",
                                             "testlog.json"))):
        p, f = count_log(log)
        print("%s: %d passed, %d failed" % (os.path.dirname(
            os.path.dirname(log)), p, f))
        passed += p
        failed += f
    if os.path.exists(fuzz):
        with open(fuzz) as f:
            for line in f:
                if line.startswith("pass"):
                    passed += 1
                elif line.startswith("fail"):
                    failed += 1
                    print("FAILED:", line.strip())
    for s in steps:
        print("FAILED step:", s)
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
