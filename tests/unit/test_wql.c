/* SPDX-License-Identifier: MIT */
/* WQL: parser, printer, checker, compiler, evaluator, analysis,
 * projection and the filter abstraction. */
#include <stdlib.h>

#include "wes_test.h"

static const char test_mof[] =
    "class Win32_Process {\n"
    "  [key] string Handle; string Name; uint32 ProcessId;\n"
    "  string CommandLine; datetime CreationDate; boolean Critical;\n"
    "  real64 Load; sint32 Priority; uint64 WorkingSetSize; char16 Letter;\n"
    "  string Tags[]; sint8 Small; uint8 Tiny;\n"
    "};\n"
    "class Win32_Service { [key] string Name; string State;\n"
    "  boolean Started; };\n"
    "class Win32_TerminalService : Win32_Service { uint32 Sessions; };\n"
    "class Win32_LogicalDisk { [key] string DeviceID; string Name;\n"
    "  uint64 FreeSpace; string FileSystem; };\n"
    "class Win32_NTLogEvent { [key] uint32 RecordNumber; string SourceName; "
    "};\n"
    "class Win32_LocalTime { uint32 Hour; uint32 Minute; uint32 Second;\n"
    "  uint32 DayOfWeek; };\n"
    "class MyOwnClass { [key] string Id; };\n"
    "class MyClass { string Prop1; string Prop2; };\n"
    "class FaxEvent : __ExtrinsicEvent { string Number; };\n"
    "class SecurityViolationEvent : __ExtrinsicEvent { string Building;\n"
    "  sint32 EntranceNumber; datetime TimeOfDetection; };\n"
    "class RegistryValueChangeEvent : __ExtrinsicEvent { string Hive;\n"
    "  string KeyPath; string ValueName; };\n"
    "class Win32_ProcessTrace : __ExtrinsicEvent { uint32 ProcessID;\n"
    "  string ProcessName; };\n"
    "class EmailEvent : __ExtrinsicEvent { string Sender; uint32 Importance;\n"
    "  boolean Urgent; };\n"
    "class EventClass : __ExtrinsicEvent { string Sender;\n"
    "  uint32 Importance; };\n"
    "class MyEventClass : __ExtrinsicEvent { string property_1;\n"
    "  string property_2; string property_3; };\n"
    "class MyEvent : __ExtrinsicEvent { MyClass E1; MyClass E2; };\n"
    "class NotAnEvent { string X; };\n";

static wes_namespace_t *ns;

static int setup(void **state) {
  wes_error_t err;
  (void)state;
  if (WES_FAILED(wes_namespace_new("root/cimv2", &ns))) {
    return -1;
  }
  if (WES_FAILED(wes_mof_compile(ns, test_mof, sizeof(test_mof) - 1, "test.mof",
                                 NULL, &err))) {
    fprintf(stderr, "MOF: %u:%u %s\n", err.line, err.column, err.text);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  wes_namespace_unref(ns);
  return 0;
}

static void roundtrip(const wes_query_t *q, uint32_t flags);

/* Compiles (failing the test on error) and checks the printer round trip
 * on every query the tests compile. */
static wes_query_t *compile_ok(const char *text, uint32_t flags) {
  wes_query_t *q = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  wes_error_clear(&err);
  hr = wes_query_compile(ns, text, flags, &q, &err);
  if (WES_FAILED(hr)) {
    fail_msg("'%s': %s at %u:%u: %s", text, wes_err_name(hr), err.line,
             err.column, err.text);
  }
  roundtrip(q, flags);
  return q;
}

static void expect_err(const char *text, uint32_t flags, wes_hresult_t code) {
  wes_query_t *q = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  wes_error_clear(&err);
  hr = wes_query_compile(ns, text, flags, &q, &err);
  if (hr != code) {
    fail_msg("'%s': got %s (%s), want %s", text, wes_err_name(hr), err.text,
             wes_err_name(code));
  }
  assert_null(q);
  assert_hr_equal(err.code, code);
  assert_true(err.text[0] != '\0');
}

/* Round trip: canonical text compiles to the same canonical text. */
static void roundtrip(const wes_query_t *q, uint32_t flags) {
  wes_query_t *q2 = NULL;
  wes_error_t err;
  wes_hresult_t hr =
      wes_query_compile(ns, wes_query_canonical(q), flags, &q2, &err);
  if (WES_FAILED(hr)) {
    fail_msg("canonical '%s' does not compile: %s", wes_query_canonical(q),
             err.text);
  }
  assert_string_equal(wes_query_canonical(q), wes_query_canonical(q2));
  wes_query_unref(q2);
}

/* ---- objects ---- */

static wes_object_t *process(const char *name, uint32_t pid) {
  wes_object_t *p = NULL;
  assert_hr_ok(wes_object_new_by_name(ns, "Win32_Process", &p));
  assert_hr_ok(wes_object_set_string(p, "Handle", "1"));
  if (name != NULL) {
    assert_hr_ok(wes_object_set_string(p, "Name", name));
  }
  assert_hr_ok(wes_object_set_uint32(p, "ProcessId", pid));
  return p;
}

static wes_object_t *creation(const char *cls, wes_object_t *target) {
  wes_object_t *e = NULL;
  assert_hr_ok(wes_object_new_by_name(ns, cls, &e));
  if (target != NULL) {
    assert_hr_ok(wes_object_set_object(e, "TargetInstance", target));
    wes_object_unref(target);
  }
  wes_object_freeze(e);
  return e;
}

static int match(const char *text, const wes_object_t *obj) {
  wes_query_t *q = compile_ok(text, 0);
  int m = wes_query_match(q, obj);
  /* the syntax-only form of the same query must agree */
  wes_query_t *qs = NULL;
  assert_hr_ok(wes_query_compile(NULL, text, WES_QUERY_SYNTAX_ONLY, &qs, NULL));
  assert_int_equal(wes_query_match(qs, obj), m);
  wes_query_unref(qs);
  wes_query_unref(q);
  return m;
}

/* ---- documented examples (reference 11.10) ---- */

static const char *const examples[] = {
    "SELECT * FROM FaxEvent",
    "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
    "\"Win32_LogicalDisk\"",
    "SELECT * FROM __InstanceCreationEvent WITHIN 10 WHERE TargetInstance "
    "ISA 'Win32_Process' and TargetInstance.Name = 'notepad.exe'",
    "SELECT * FROM __InstanceModificationEvent WITHIN 10 WHERE "
    "TargetInstance ISA 'Win32_Service' and TargetInstance.Name = 'alerter'",
    "SELECT * FROM __InstanceDeletionEvent WHERE TargetInstance ISA "
    "'Win32_Process' and TargetInstance.Name = 'notepad.exe'",
    "SELECT * FROM __InstanceDeletionEvent WITHIN 10 WHERE TargetInstance "
    "ISA 'Win32_Process'",
    "SELECT * FROM __InstanceModificationEvent WITHIN 10 WHERE "
    "TargetInstance ISA \"Win32_LogicalDisk\"",
    "SELECT * FROM __InstanceModificationEvent WITHIN 600 WHERE "
    "TargetInstance ISA \"Win32_LogicalDisk\"",
    "SELECT * FROM __InstanceModificationEvent WITHIN 600 WHERE "
    "TargetInstance ISA \"Win32_LogicalDisk\" AND TargetInstance.FreeSpace "
    "< 1000000",
    "SELECT * FROM __InstanceOperationEvent WITHIN 10 WHERE TargetInstance "
    "ISA \"MyOwnClass\"",
    "SELECT targetInstance FROM __InstanceCreationEvent within 2 WHERE "
    "targetinstance isa \"Win32_Process\"",
    "SELECT targetInstance.Name FROM __InstanceCreationEvent within 2 WHERE "
    "targetinstance isa \"Win32_Process\"",
    "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
    "'Win32_NTLogEvent'",
    "SELECT * FROM __InstanceModificationEvent WITHIN 10 WHERE "
    "TargetInstance ISA 'Win32_Service' AND TargetInstance.__Class = "
    "'win32_TerminalService'",
    "SELECT * FROM __InstanceModificationEvent WHERE TargetInstance ISA "
    "\"Win32_LocalTime\" AND TargetInstance.Hour = 0 AND "
    "TargetInstance.Minute = 0 AND TargetInstance.Second = 0",
    "SELECT * FROM __InstanceModificationEvent WHERE TargetInstance ISA "
    "\"Win32_LocalTime\" AND TargetInstance.Hour = 8 AND "
    "TargetInstance.Minute = 0 AND TargetInstance.Second = 0 AND "
    "TargetInstance.DayOfWeek = 6",
    "SELECT * FROM EventClass",
    "SELECT property_1, property_2, property_3 FROM MyEventClass",
    "SELECT * FROM EmailEvent",
    "SELECT * FROM EmailEvent WHERE Importance > 3",
    "SELECT * FROM SecurityViolationEvent WHERE Building = 24;",
    "Select * from RegistryValueChangeEvent Where Hive = "
    "'HKEY_LOCAL_MACHINE' and KeyPath = 'SYSTEM\\\\ControlSet001\\\\Control' "
    "and ValueName = 'CurrentUser'",
    "SELECT * FROM Win32_ProcessTrace",
    "SELECT * FROM Win32_ProcessTrace WITHIN 10",
    "SELECT * FROM __TimerEvent WHERE TimerID = \"MyEvent\"",
    "select * from __TimerEvent where TimerID=\"MyTimer\"",
    "SELECT * FROM EmailEvent GROUP WITHIN 300",
    "SELECT * FROM EmailEvent GROUP WITHIN 300 BY Sender",
    "SELECT * FROM EventClass WHERE Sender = \"MyBoss\" GROUP WITHIN 300 BY "
    "Importance",
    "SELECT * FROM EmailEvent GROUP WITHIN 300 HAVING NumberOfEvents > 5",
    "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
    "\"Win32_NTLogEvent\" GROUP WITHIN 600 BY TargetInstance.SourceName "
    "HAVING NumberOfEvents > 25",
    "SELECT * FROM MyEvent",
    "SELECT E1 FROM MyEvent",
    "SELECT E1.Prop1 FROM MyEvent",
    "SELECT E1.Prop1, E1.Prop2, E2.Prop1, E2.Prop2 FROM MyEvent",
};

static void test_wql_documented_examples(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < (sizeof(examples) / sizeof(examples[0])); i++) {
    wes_query_t *q = compile_ok(examples[i], 0);
    wes_query_t *qs = NULL;
    assert_int_equal(wes_query_kind(q), WES_QUERY_KIND_EVENT);
    assert_true(wes_query_is_checked(q));
    roundtrip(q, 0);
    assert_hr_ok(
        wes_query_compile(NULL, examples[i], WES_QUERY_SYNTAX_ONLY, &qs, NULL));
    assert_false(wes_query_is_checked(qs));
    assert_string_equal(wes_query_canonical(q), wes_query_canonical(qs));
    roundtrip(qs, WES_QUERY_SYNTAX_ONLY);
    wes_query_unref(qs);
    wes_query_unref(q);
  }
}

static void test_wql_example_meanings(void **state) {
  wes_query_t *q;
  (void)state;
  /* 4: notepad started */
  q = compile_ok(examples[2], 0);
  assert_true(wes_query_within(q) == 10.0);
  assert_int_equal(wes_query_target_count(q), 1);
  assert_string_equal(wes_query_target_name(q, 0), "Win32_Process");
  assert_string_equal(wes_query_target_property(q), "TargetInstance");
  assert_non_null(wes_query_target_class(q, 0));
  {
    wes_object_t *e1 =
        creation("__InstanceCreationEvent", process("NOTEPAD.EXE", 4));
    wes_object_t *e2 =
        creation("__InstanceCreationEvent", process("calc.exe", 4));
    wes_object_t *e3 =
        creation("__InstanceDeletionEvent", process("notepad.exe", 4));
    assert_int_equal(wes_query_match(q, e1), 1);
    assert_int_equal(wes_query_match(q, e2), 0);
    assert_int_equal(wes_query_match(q, e3), 0);
    wes_object_unref(e1);
    wes_object_unref(e2);
    wes_object_unref(e3);
  }
  wes_query_unref(q);
  /* 11: __InstanceOperationEvent covers all three kinds */
  q = compile_ok("SELECT * FROM __InstanceOperationEvent WITHIN 10 WHERE "
                 "TargetInstance ISA 'Win32_Process'",
                 0);
  {
    wes_object_t *e = creation("__InstanceDeletionEvent", process("x", 1));
    assert_int_equal(wes_query_match(q, e), 1);
    wes_object_unref(e);
  }
  wes_query_unref(q);
  /* 14 with the doc typo `_Class`: not a property */
  expect_err("SELECT * FROM __InstanceModificationEvent WITHIN 10 WHERE "
             "TargetInstance ISA 'Win32_Service' AND TargetInstance._Class "
             "= 'win32_TerminalService'",
             0, WES_E_INVALID_PROPERTY);
  /* __CLASS matches the exact class only (subclasses excluded) */
  {
    wes_object_t *svc = NULL, *ts = NULL, *e1, *e2;
    const char *qt = "SELECT * FROM __InstanceModificationEvent WHERE "
                     "TargetInstance ISA 'Win32_Service' AND "
                     "TargetInstance.__Class = 'win32_TerminalService'";
    assert_hr_ok(wes_object_new_by_name(ns, "Win32_Service", &svc));
    assert_hr_ok(wes_object_new_by_name(ns, "Win32_TerminalService", &ts));
    e1 = creation("__InstanceModificationEvent", svc);
    e2 = creation("__InstanceModificationEvent", ts);
    assert_int_equal(match(qt, e1), 0);
    assert_int_equal(match(qt, e2), 1);
    assert_int_equal(match("SELECT * FROM __InstanceModificationEvent WHERE "
                           "TargetInstance ISA 'Win32_Service'",
                           e2),
                     1);
    wes_object_unref(e1);
    wes_object_unref(e2);
  }
  /* PreviousInstance takes the class TargetInstance was tested for;
   * system properties need no ISA */
  {
    wes_object_t *svc = NULL, *old = NULL, *e = NULL;
    const char *qt = "SELECT * FROM __InstanceModificationEvent WITHIN 5 "
                     "WHERE TargetInstance ISA 'Win32_Service' AND "
                     "TargetInstance.State = 'Running' AND "
                     "PreviousInstance.State = 'Stopped'";
    assert_hr_ok(wes_object_new_by_name(ns, "Win32_Service", &svc));
    assert_hr_ok(wes_object_set_string(svc, "State", "Running"));
    assert_hr_ok(wes_object_new_by_name(ns, "Win32_Service", &old));
    assert_hr_ok(wes_object_set_string(old, "State", "Stopped"));
    assert_hr_ok(wes_object_new_by_name(ns, "__InstanceModificationEvent", &e));
    assert_hr_ok(wes_object_set_object(e, "TargetInstance", svc));
    assert_hr_ok(wes_object_set_object(e, "PreviousInstance", old));
    wes_object_freeze(e);
    assert_int_equal(match(qt, e), 1);
    assert_int_equal(match("SELECT * FROM __InstanceModificationEvent WHERE "
                           "TargetInstance.__CLASS = 'Win32_Service'",
                           e),
                     1);
    expect_err("SELECT * FROM __InstanceModificationEvent WHERE "
               "PreviousInstance.State = 'x'",
               0, WES_E_INVALID_PROPERTY);
    wes_object_unref(svc);
    wes_object_unref(old);
    wes_object_unref(e);
  }
  /* 20: string property against a number compares the decimal text */
  {
    wes_object_t *e = NULL;
    assert_hr_ok(wes_object_new_by_name(ns, "SecurityViolationEvent", &e));
    assert_hr_ok(wes_object_set_string(e, "Building", "24"));
    wes_object_freeze(e);
    assert_int_equal(
        match("SELECT * FROM SecurityViolationEvent WHERE Building = 24;", e),
        1);
    assert_int_equal(
        match("SELECT * FROM SecurityViolationEvent WHERE Building = 25", e),
        0);
    wes_object_unref(e);
  }
  /* 21: backslashes escaped */
  {
    wes_object_t *e = NULL;
    assert_hr_ok(wes_object_new_by_name(ns, "RegistryValueChangeEvent", &e));
    assert_hr_ok(wes_object_set_string(e, "Hive", "HKEY_LOCAL_MACHINE"));
    assert_hr_ok(
        wes_object_set_string(e, "KeyPath", "SYSTEM\\ControlSet001\\Control"));
    assert_hr_ok(wes_object_set_string(e, "ValueName", "CurrentUser"));
    wes_object_freeze(e);
    assert_int_equal(match(examples[21], e), 1);
    wes_object_unref(e);
  }
}

/* ---- error table (reference 11.9) and DESIGN 4.7 ---- */

static void test_wql_error_table(void **state) {
  wes_query_t *q = NULL;
  wes_error_t err;
  (void)state;
  /* language (reference 11.9 first row; Wine: NULL before language) */
  assert_hr_ok(wes_query_check_language("WQL"));
  assert_hr_ok(wes_query_check_language("wql"));
  assert_hr_equal(wes_query_check_language("SQL"), WES_E_INVALID_QUERY_TYPE);
  assert_hr_equal(wes_query_check_language(NULL), WES_E_INVALID_PARAMETER);
  /* NULL / empty query */
  assert_hr_equal(wes_query_compile(ns, NULL, 0, &q, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_query_compile(ns, "", 0, &q, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(
      wes_query_compile(NULL, "SELECT * FROM EmailEvent", 0, &q, NULL),
      WES_E_INVALID_PARAMETER);
  assert_hr_equal(
      wes_query_compile(ns, "SELECT * FROM EmailEvent", 0, NULL, &err),
      WES_E_INVALID_PARAMETER);
  /* syntax (wmi-rs: "42" gives UNPARSABLE_QUERY on Windows) */
  expect_err("42", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("   ", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FORM EmailEvent", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT FROM EmailEvent", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender =", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE (Sender = 'a'", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender = 'a')", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender = Importance", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE 1 = 2", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Importance = 1 + 2", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender NOT LIKE 'a'", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender IS 5", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender IS NOT 'x'", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender = 'unterminated", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Importance = 1.2.3", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Importance = 0x10", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Importance = 1e5", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT *, Sender FROM EmailEvent", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender = 'a' WITHIN 5", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent;;", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender = \xc3\xa9", 0,
             WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender ! 'a'", 0,
             WES_E_UNPARSABLE_QUERY);
  /* keywords are reserved: NULL/TRUE/FALSE/GROUP cannot name things */
  expect_err("SELECT * FROM Group", 0, WES_E_UNPARSABLE_QUERY);
  expect_err("SELECT Null FROM EmailEvent", 0, WES_E_UNPARSABLE_QUERY);
  /* classes */
  expect_err("SELECT * FROM NoSuchEvent", 0, WES_E_INVALID_CLASS);
  expect_err("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
             "'NoSuchClass'",
             0, WES_E_INVALID_CLASS);
  expect_err("SELECT * FROM Win32_Process", 0, WES_E_NOT_EVENT_CLASS);
  expect_err("SELECT * FROM __AggregateEvent", 0, WES_E_NOT_EVENT_CLASS);
  expect_err("SELECT * FROM NotAnEvent WHERE X = 'a'", 0,
             WES_E_NOT_EVENT_CLASS);
  /* WITHIN */
  expect_err("SELECT * FROM EmailEvent WITHIN 0.001", 0, WES_E_INVALID_QUERY);
  expect_err("SELECT * FROM EmailEvent WITHIN 0", 0, WES_E_INVALID_QUERY);
  expect_err("SELECT * FROM EmailEvent WITHIN -5", 0, WES_E_INVALID_QUERY);
  q = compile_ok("SELECT * FROM EmailEvent WITHIN 0.001", WES_QUERY_ANY_WITHIN);
  assert_true(wes_query_within(q) == 0.001);
  wes_query_unref(q);
  expect_err("SELECT * FROM EmailEvent WITHIN 0", WES_QUERY_ANY_WITHIN,
             WES_E_INVALID_QUERY);
  /* GROUP */
  expect_err("SELECT * FROM EmailEvent GROUP BY Sender", 0,
             WES_E_MISSING_GROUP_WITHIN);
  expect_err("SELECT * FROM EmailEvent BY Sender", 0,
             WES_E_MISSING_GROUP_WITHIN);
  expect_err("SELECT * FROM EmailEvent HAVING NumberOfEvents > 5", 0,
             WES_E_MISSING_GROUP_WITHIN);
  expect_err("SELECT * FROM EmailEvent GROUP WITHIN 300 BY", 0,
             WES_E_MISSING_AGGREGATION_LIST);
  expect_err("SELECT * FROM EmailEvent GROUP WITHIN 300 BY *", 0,
             WES_E_MISSING_AGGREGATION_LIST);
  expect_err("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
             "'Win32_NTLogEvent' GROUP WITHIN 600 BY TargetInstance",
             0, WES_E_AGGREGATING_BY_OBJECT);
  expect_err("SELECT * FROM EmailEvent GROUP WITHIN 300 HAVING Importance > "
             "5",
             0, WES_E_INVALID_PROPERTY);
  expect_err("SELECT * FROM EmailEvent GROUP WITHIN 300 HAVING "
             "NumberOfEvents > 'x'",
             0, WES_E_TYPE_MISMATCH);
  expect_err("SELECT * FROM EmailEvent GROUP WITHIN 300 HAVING "
             "NumberOfEvents > -1",
             0, WES_E_TYPE_MISMATCH);
  expect_err("SELECT * FROM EmailEvent GROUP WITHIN 300 HAVING "
             "NumberOfEvents LIKE '5'",
             0, WES_E_INVALID_OPERATOR);
  expect_err("SELECT * FROM EmailEvent GROUP WITHIN 0", 0, WES_E_INVALID_QUERY);
  expect_err("SELECT * FROM EmailEvent GROUP WITHIN 300 BY NoSuch", 0,
             WES_E_INVALID_PROPERTY);
  /* dot notation */
  expect_err("SELECT * FROM EmailEvent WHERE Sender.Name = 'x'", 0,
             WES_E_PROPERTY_NOT_AN_OBJECT);
  expect_err("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
             "'Win32_Process' AND TargetInstance.Name.Length = 3",
             0, WES_E_PROPERTY_NOT_AN_OBJECT);
  /* operators */
  expect_err("SELECT * FROM EmailEvent WHERE Urgent < TRUE", 0,
             WES_E_INVALID_OPERATOR);
  expect_err("SELECT * FROM EmailEvent WHERE Urgent >= 0", 0,
             WES_E_INVALID_OPERATOR);
  expect_err("SELECT * FROM EmailEvent WHERE Urgent > FALSE", 0,
             WES_E_INVALID_OPERATOR);
  expect_err("SELECT * FROM EmailEvent WHERE Importance LIKE '5%'", 0,
             WES_E_INVALID_OPERATOR);
  expect_err("SELECT * FROM EmailEvent WHERE Sender ISA 'MyClass'", 0,
             WES_E_INVALID_OPERATOR);
  expect_err("SELECT * FROM EmailEvent WHERE Sender >= NULL", 0,
             WES_E_INVALID_OPERATOR);
  expect_err("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance = 5",
             0, WES_E_INVALID_OPERATOR);
  expect_err("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
             "'Win32_Process' AND TargetInstance.Tags = 'a'",
             0, WES_E_INVALID_OPERATOR);
  /* constants */
  expect_err("SELECT * FROM EmailEvent WHERE Importance = 'high'", 0,
             WES_E_TYPE_MISMATCH);
  expect_err("SELECT * FROM EmailEvent WHERE Importance = TRUE", 0,
             WES_E_TYPE_MISMATCH);
  expect_err("SELECT * FROM EmailEvent WHERE Sender = TRUE", 0,
             WES_E_TYPE_MISMATCH);
  expect_err("SELECT * FROM SecurityViolationEvent WHERE TimeOfDetection > "
             "'yesterday'",
             0, WES_E_TYPE_MISMATCH);
  expect_err("SELECT * FROM SecurityViolationEvent WHERE TimeOfDetection > 5",
             0, WES_E_TYPE_MISMATCH);
  expect_err("SELECT * FROM EmailEvent WHERE Urgent = 'maybe'", 0,
             WES_E_TYPE_MISMATCH);
  expect_err("SELECT * FROM EmailEvent WHERE Importance = "
             "99999999999999999999999",
             0, WES_E_VALUE_OUT_OF_RANGE);
  /* properties */
  expect_err("SELECT * FROM EmailEvent WHERE NoSuch = 1", 0,
             WES_E_INVALID_PROPERTY);
  expect_err("SELECT * FROM EmailEvent WHERE __NoSuch = 1", 0,
             WES_E_INVALID_PROPERTY);
  expect_err("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance.Name "
             "= 'x'",
             0, WES_E_INVALID_PROPERTY);
  expect_err("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
             "'Win32_Process' AND TargetInstance.NoSuch = 'x'",
             0, WES_E_INVALID_PROPERTY);
  /* data-only clauses */
  expect_err("SELECT * FROM Win32_Process WITHIN 5", WES_QUERY_DATA,
             WES_E_INVALID_QUERY);
  expect_err("SELECT * FROM Win32_Process GROUP WITHIN 5", WES_QUERY_DATA,
             WES_E_INVALID_QUERY);
  /* escapes (Wine: `LIKE "PCI\%"` is WBEM_E_INVALID_QUERY on Windows) */
  expect_err("SELECT * FROM Win32_Process WHERE Name LIKE \"PCI\\%\"",
             WES_QUERY_DATA, WES_E_INVALID_QUERY);
  expect_err("SELECT * FROM EmailEvent WHERE Sender = 'a\\nb'", 0,
             WES_E_INVALID_QUERY);
  q = compile_ok("SELECT * FROM Win32_Process WHERE Name LIKE \"PCI\\\\%\"",
                 WES_QUERY_DATA);
  wes_query_unref(q);
  expect_err("SELECT * FROM Win32_Process WHERE Name LIKE 'a[bc'",
             WES_QUERY_DATA, WES_E_INVALID_QUERY);
}

static void test_wql_error_positions(void **state) {
  wes_query_t *q = NULL;
  wes_error_t err;
  (void)state;
  assert_hr_equal(
      wes_query_compile(ns, "SELECT * FORM EmailEvent", 0, &q, &err),
      WES_E_UNPARSABLE_QUERY);
  assert_int_equal(err.line, 1);
  assert_int_equal(err.column, 10);
  assert_non_null(strstr(err.text, "expected FROM after the select list"));
  assert_hr_equal(wes_query_compile(ns,
                                    "SELECT *\n  FROM EmailEvent\n"
                                    "  WHERE Importance = 'x'",
                                    0, &q, &err),
                  WES_E_TYPE_MISMATCH);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 20);
  assert_hr_equal(wes_query_compile(ns, "SELECT * FROM NoSuch", 0, &q, &err),
                  WES_E_INVALID_CLASS);
  assert_int_equal(err.column, 15);
  assert_non_null(strstr(err.text, "NoSuch"));
  assert_hr_equal(wes_query_compile(ns,
                                    "SELECT * FROM EmailEvent WHERE (a = 1 "
                                    "OR b = 2",
                                    0, &q, &err),
                  WES_E_UNPARSABLE_QUERY);
  assert_non_null(strstr(err.text, "')' to close '(' at 1:32"));
  assert_hr_equal(wes_query_compile(ns,
                                    "SELECT * FROM EmailEvent WHERE "
                                    "Sender = 'a\\qb'",
                                    0, &q, &err),
                  WES_E_INVALID_QUERY);
  assert_int_equal(err.column, 43); /* the backslash */
  assert_null(q);
}

/* Builds in buf "SELECT * FROM EmailEvent WHERE " and "Importance = 1"
 * inside depth parentheses; returns buf. */
static char *in_parens(char *buf, size_t depth) {
  size_t i, n = (size_t)sprintf(buf, "SELECT * FROM EmailEvent WHERE ");
  for (i = 0; i < depth; i++) {
    buf[n++] = '(';
  }
  n += (size_t)sprintf(buf + n, "Importance = 1");
  for (i = 0; i < depth; i++) {
    buf[n++] = ')';
  }
  buf[n] = '\0';
  return buf;
}

/* ... the same condition behind count NOTs. */
static char *behind_nots(char *buf, size_t count) {
  size_t i, n = (size_t)sprintf(buf, "SELECT * FROM EmailEvent WHERE ");
  for (i = 0; i < count; i++) {
    n += (size_t)sprintf(buf + n, "NOT ");
  }
  sprintf(buf + n, "Importance = 1");
  return buf;
}

static void test_wql_limits(void **state) {
  char *buf = malloc(40000);
  size_t i, n;
  wes_query_t *q;
  (void)state;
  assert_non_null(buf);
  if (buf == NULL) {
    return;
  }
  /* nesting: 64 parentheses are fine, 65 are not */
  q = compile_ok(in_parens(buf, 64), 0);
  roundtrip(q, 0);
  wes_query_unref(q);
  expect_err(in_parens(buf, 65), 0, WES_E_QUOTA_VIOLATION);
  /* NOT chains count as nesting */
  expect_err(behind_nots(buf, 100), 0, WES_E_QUOTA_VIOLATION);
  /* 1024 terms fine, 1025 not */
  n = (size_t)sprintf(buf, "SELECT * FROM EmailEvent WHERE a=0");
  for (i = 1; i < 1024; i++) {
    n += (size_t)sprintf(buf + n, " OR a=%zu", i);
  }
  q = compile_ok(buf, WES_QUERY_SYNTAX_ONLY);
  {
    size_t cnt = 0;
    /* 1024 disjuncts exceed the DNF cap */
    assert_hr_equal(wes_query_dnf_count(q, &cnt), WES_E_NOT_SUPPORTED);
  }
  wes_query_unref(q);
  sprintf(buf + n, " OR a=5000");
  expect_err(buf, WES_QUERY_SYNTAX_ONLY, WES_E_QUOTA_VIOLATION);
  /* length */
  memset(buf, ' ', 16385);
  memcpy(buf, "SELECT * FROM EmailEvent", 24);
  buf[16385] = '\0';
  expect_err(buf, 0, WES_E_QUOTA_VIOLATION);
  buf[16384] = '\0';
  q = compile_ok(buf, 0);
  wes_query_unref(q);
  /* identifiers */
  n = (size_t)sprintf(buf, "SELECT * FROM ");
  memset(buf + n, 'A', 256);
  buf[n + 256] = '\0';
  expect_err(buf, 0, WES_E_QUOTA_VIOLATION);
  n = (size_t)sprintf(buf, "SELECT * FROM EmailEvent WHERE ");
  memset(buf + n, 'p', 256);
  sprintf(buf + n + 256, " = 1");
  expect_err(buf, 0, WES_E_QUOTA_VIOLATION);
  /* pathological path depth */
  n = (size_t)sprintf(buf, "SELECT * FROM EmailEvent WHERE a");
  for (i = 0; i < 70; i++) {
    n += (size_t)sprintf(buf + n, ".a");
  }
  sprintf(buf + n, " = 1");
  expect_err(buf, WES_QUERY_SYNTAX_ONLY, WES_E_QUOTA_VIOLATION);
  free(buf);
}

/* Compiles text expecting code at line:col with `needle` in the message. */
static void expect_err_at(const char *text, uint32_t flags,
                          wes_hresult_t code, uint32_t line, uint32_t col,
                          const char *needle) {
  wes_query_t *q = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  wes_error_clear(&err);
  hr = wes_query_compile(ns, text, flags, &q, &err);
  if (hr != code || err.line != line || err.column != col ||
      strstr(err.text, needle) == NULL) {
    fail_msg("got %s at %u:%u (%s), want %s at %u:%u with '%s'",
             wes_err_name(hr), (unsigned)err.line, (unsigned)err.column,
             err.text, wes_err_name(code), (unsigned)line, (unsigned)col,
             needle);
  }
  assert_null(q);
}

/* Every name is limited to 255 bytes with WES_E_QUOTA_VIOLATION at the
 * name; the other DESIGN 4.22 limits give the same code at limit + 1. */
static void test_wql_limits_exact(void **state) {
  char *buf = malloc(40000);
  char name[300];
  size_t i, n;
  wes_query_t *q;
  static const char *const fmts[] = {
      /* each %s is where the long name goes; %u its 1-based column */
      "SELECT * FROM %s",
      "SELECT %s FROM EmailEvent",
      "SELECT Sender, %s FROM EmailEvent",
      "SELECT * FROM EmailEvent WHERE %s = 1",
      "SELECT * FROM EmailEvent WHERE 1 = %s",
      "SELECT * FROM EmailEvent WHERE TargetInstance.%s = 1",
      "SELECT * FROM EmailEvent WHERE a.b.%s IS NULL",
      "SELECT * FROM EmailEvent WHERE TargetInstance ISA %s",
      "SELECT * FROM EmailEvent WHERE TargetInstance ISA '%s'",
      "SELECT * FROM EmailEvent GROUP WITHIN 5 BY %s",
      "SELECT * FROM EmailEvent GROUP WITHIN 5 HAVING %s > 1",
      "SELECT * FROM EmailEvent\n  WHERE Sender = 'x' AND %s = 2",
      "SELECT * FROM EmailEvent WHERE %s", /* syntax error follows */
  };
  (void)state;
  assert_non_null(buf);
  if (buf == NULL) {
    return;
  }
  for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
    const char *at = strstr(fmts[i], "%s");
    const char *nl = strchr(fmts[i], '\n');
    uint32_t line = 1, col;
    size_t len;
    if (nl != NULL && nl < at) {
      line = 2;
      col = (uint32_t)(at - nl);
    } else {
      col = (uint32_t)(at - fmts[i]) + 1;
    }
    if (at > fmts[i] && at[-1] == '\'') {
      col--; /* a quoted class name is reported at its quote */
    }
    for (len = 255; len <= 256; len++) {
      memset(name, 'N', len);
      name[len] = '\0';
      snprintf(buf, 40000, fmts[i], name);
      if (len == 256) {
        expect_err_at(buf, WES_QUERY_SYNTAX_ONLY, WES_E_QUOTA_VIOLATION, line,
                      col, "255");
      } else {
        wes_error_t err;
        wes_hresult_t hr;
        q = NULL;
        hr = wes_query_compile(ns, buf, WES_QUERY_SYNTAX_ONLY, &q, &err);
        if (hr == WES_E_QUOTA_VIOLATION) {
          fail_msg("255-byte name refused in '%s': %s", fmts[i], err.text);
        }
        wes_query_unref(q);
      }
    }
  }
  /* 255 bytes compiles against a schema too (unknown class, not a quota) */
  memset(name, 'N', 255);
  name[255] = '\0';
  snprintf(buf, 40000, "SELECT * FROM %s", name);
  expect_err(buf, 0, WES_E_INVALID_CLASS);
  /* nesting: 64 ok, 65th '(' reported at its column */
  expect_err_at(in_parens(buf, 65), 0, WES_E_QUOTA_VIOLATION, 1, 32 + 64, "64");
  /* NOT counts: 64 compile, the 65th NOT is refused */
  q = compile_ok(behind_nots(buf, 64), 0);
  wes_query_unref(q);
  expect_err_at(behind_nots(buf, 65), 0, WES_E_QUOTA_VIOLATION, 1, 32 + 64 * 4,
                "64");
  /* terms: 1024 AND-ed predicates ok, the 1025th reported at its start */
  n = (size_t)sprintf(buf, "SELECT * FROM EmailEvent WHERE a=0");
  for (i = 1; i < 1024; i++) {
    n += (size_t)sprintf(buf + n, " AND a<>%zu", i);
  }
  q = compile_ok(buf, WES_QUERY_SYNTAX_ONLY);
  wes_query_unref(q);
  sprintf(buf + n, " AND a=7");
  expect_err_at(buf, WES_QUERY_SYNTAX_ONLY, WES_E_QUOTA_VIOLATION, 1,
                (uint32_t)n + 6, "1024");
  /* length: 16384 bytes ok, 16385 refused, message names the limit */
  memset(buf, ' ', 16385);
  memcpy(buf, "SELECT * FROM EmailEvent", 24);
  buf[16384] = '\0';
  q = compile_ok(buf, 0);
  wes_query_unref(q);
  buf[16384] = ' ';
  buf[16385] = '\0';
  expect_err_at(buf, 0, WES_E_QUOTA_VIOLATION, 0, 0, "16384");
  free(buf);
}

/* ---- semantics ---- */

static wes_object_t *email(const char *sender, uint32_t imp, int urgent) {
  wes_object_t *e = NULL;
  assert_hr_ok(wes_object_new_by_name(ns, "EmailEvent", &e));
  if (sender != NULL) {
    assert_hr_ok(wes_object_set_string(e, "Sender", sender));
  }
  assert_hr_ok(wes_object_set_uint32(e, "Importance", imp));
  if (urgent >= 0) {
    assert_hr_ok(wes_object_set_boolean(e, "Urgent", urgent));
  }
  wes_object_freeze(e);
  return e;
}

static void test_wql_precedence(void **state) {
  wes_object_t *e = email("a", 1, 0);
  wes_query_t *q;
  (void)state;
  /* OR binds looser than AND: true OR (false AND false) */
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender = 'a' OR "
                         "Sender = 'b' AND Importance = 9",
                         e),
                   1);
  /* (true OR false) AND false */
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE (Sender = 'a' OR "
                         "Sender = 'b') AND Importance = 9",
                         e),
                   0);
  /* NOT binds tighter than AND */
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE NOT Sender = 'b' "
                         "AND Importance = 1",
                         e),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE NOT (Sender = 'a' "
                         "AND Importance = 9)",
                         e),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE NOT Sender = 'a' "
                         "OR Importance = 1",
                         e),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE NOT (Sender = 'a' "
                         "OR Importance = 9)",
                         e),
                   0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE NOT NOT Sender = "
                         "'a'",
                         e),
                   1);
  /* printer keeps the grouping */
  q = compile_ok("select * from EmailEvent where (sender = 'a' or sender = "
                 "'b') and not (importance = 9 or urgent = true)",
                 0);
  assert_string_equal(wes_query_canonical(q),
                      "SELECT * FROM EmailEvent WHERE (sender = 'a' OR "
                      "sender = 'b') AND NOT (importance = 9 OR urgent = "
                      "TRUE)");
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM EmailEvent WHERE ((Sender = 'a' AND "
                 "(Importance = 1)) AND Urgent = FALSE) OR ((Sender = 'b'))",
                 0);
  assert_string_equal(wes_query_canonical(q),
                      "SELECT * FROM EmailEvent WHERE Sender = 'a' AND "
                      "Importance = 1 AND Urgent = FALSE OR Sender = 'b'");
  roundtrip(q, 0);
  wes_query_unref(q);
  wes_object_unref(e);
}

static void test_wql_null_semantics(void **state) {
  wes_object_t *e = email(NULL, 1, -1); /* Sender and Urgent NULL */
  (void)state;
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender IS NULL", e),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender = NULL", e), 1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE NULL = Sender", e), 1);
  assert_int_equal(
      match("SELECT * FROM EmailEvent WHERE Sender IS NOT NULL", e), 0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender <> NULL", e),
                   0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender != NULL", e),
                   0);
  /* every other operator is false on NULL */
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender = 'a'", e), 0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender <> 'a'", e), 0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender < 'zzz'", e),
                   0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender LIKE '%'", e),
                   0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Urgent = FALSE", e),
                   0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Urgent <> TRUE", e),
                   0);
  /* NOT of a false comparison is true */
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE NOT Sender = 'a'", e),
                   1);
  assert_int_equal(
      match("SELECT * FROM EmailEvent WHERE Importance IS NOT NULL", e), 1);
  wes_object_unref(e);
  /* NULL embedded object: paths through it are NULL */
  e = creation("__InstanceCreationEvent", NULL);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "TargetInstance IS NULL",
                         e),
                   1);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "TargetInstance ISA 'Win32_Process'",
                         e),
                   0);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "TargetInstance.Name IS NULL AND "
                         "TargetInstance ISA 'Win32_Process'",
                         e),
                   0);
  /* read by name (syntax only; a checked query needs a dominating ISA) */
  {
    wes_query_t *qs = NULL;
    assert_hr_ok(wes_query_compile(NULL,
                                   "SELECT * FROM __InstanceCreationEvent "
                                   "WHERE TargetInstance ISA 'Win32_Process' "
                                   "OR TargetInstance.Name IS NULL",
                                   WES_QUERY_SYNTAX_ONLY, &qs, NULL));
    assert_int_equal(wes_query_match(qs, e), 1);
    wes_query_unref(qs);
  }
  wes_object_unref(e);
}

static void test_wql_coercion(void **state) {
  wes_object_t *p = process("Svc.exe", 4242), *e;
  wes_object_t *raw = NULL;
  (void)state;
  assert_hr_ok(
      wes_object_set_datetime(p, "CreationDate", "20240102030405.000000+060"));
  assert_hr_ok(wes_object_set_boolean(p, "Critical", 1));
  assert_hr_ok(wes_object_set_real64(p, "Load", 0.75));
  assert_hr_ok(wes_object_set_sint32(p, "Priority", -3));
  assert_hr_ok(
      wes_object_set_uint64(p, "WorkingSetSize", 18000000000000000000ULL));
  assert_hr_ok(wes_object_set_char16(p, "Letter", 'C'));
  assert_hr_ok(wes_object_set_sint8(p, "Small", -128));
  assert_hr_ok(wes_object_set_uint8(p, "Tiny", 255));
  raw = wes_object_ref(p);
  e = creation("__InstanceCreationEvent", p);
#define TI                                                                     \
  "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "            \
  "'Win32_Process' AND TargetInstance."
  /* numbers */
  assert_int_equal(match(TI "ProcessId = 4242", e), 1);
  assert_int_equal(match(TI "ProcessId = '4242'", e), 1);
  assert_int_equal(match(TI "ProcessId > -5", e), 1);
  assert_int_equal(match(TI "ProcessId < 4242.5", e), 1);
  assert_int_equal(match(TI "ProcessId > '4242.5'", e), 0);
  assert_int_equal(match(TI "ProcessId >= +4242", e), 1);
  assert_int_equal(match(TI "ProcessId < 18446744073709551615", e), 1);
  assert_int_equal(match(TI "Priority < 0", e), 1);
  assert_int_equal(match(TI "Priority = -3", e), 1);
  assert_int_equal(match(TI "Priority > 18446744073709551615", e), 0);
  assert_int_equal(match(TI "Small = -128", e), 1);
  assert_int_equal(match(TI "Tiny = 255", e), 1);
  assert_int_equal(match(TI "Tiny > 1000", e), 0);
  assert_int_equal(match(TI "WorkingSetSize = 18000000000000000000", e), 1);
  assert_int_equal(match(TI "WorkingSetSize > -1", e), 1);
  assert_int_equal(match(TI "WorkingSetSize > 9223372036854775807", e), 1);
  assert_int_equal(match(TI "Load > 0.5", e), 1);
  assert_int_equal(match(TI "Load < 1", e), 1);
  assert_int_equal(match(TI "Load = '0.75'", e), 1);
  /* booleans: TRUE/FALSE, numbers 0 and non-zero, strings */
  assert_int_equal(match(TI "Critical = TRUE", e), 1);
  assert_int_equal(match(TI "Critical <> FALSE", e), 1);
  assert_int_equal(match(TI "Critical = 1", e), 1);
  assert_int_equal(match(TI "Critical = -1", e), 1);
  assert_int_equal(match(TI "Critical != 0", e), 1);
  assert_int_equal(match(TI "Critical = 'true'", e), 1);
  assert_int_equal(match(TI "Critical = FALSE", e), 0);
  /* strings against numbers: decimal text */
  assert_int_equal(match(TI "Name = 'SVC.EXE'", e), 1);
  assert_int_equal(match(TI "Name > 'svc'", e), 1);
  assert_int_equal(match(TI "Name < 'SVD'", e), 1);
  /* datetime: instants when both have offsets */
  assert_int_equal(match(TI "CreationDate = '20240102020405.000000+000'", e),
                   1);
  assert_int_equal(match(TI "CreationDate < '20240102030405.000000+000'", e),
                   1);
  assert_int_equal(match(TI "CreationDate > '20240102020404.999999+000'", e),
                   1);
  assert_int_equal(match(TI "CreationDate LIKE '2024%'", e), 1);
  /* char16 */
  assert_int_equal(match(TI "Letter = 'C'", e), 1);
  assert_int_equal(match(TI "Letter = 67", e), 1);
  assert_int_equal(match(TI "Letter < 'D'", e), 1);
  /* arrays: only IS [NOT] NULL */
  assert_int_equal(match(TI "Tags IS NULL", e), 1);
  /* system properties */
  assert_int_equal(match(TI "__CLASS = 'win32_process'", e), 1);
  assert_int_equal(match(TI "__GENUS = 2", e), 1);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "__Class = '__InstanceCreationEvent'",
                         e),
                   1);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "__SUPERCLASS = '__InstanceOperationEvent'",
                         e),
                   1);
  /* constant on either side */
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "TargetInstance ISA 'Win32_Process' AND 5000 > "
                         "TargetInstance.ProcessId",
                         e),
                   1);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "TargetInstance ISA Win32_Process AND 'svc.exe' = "
                         "TargetInstance.Name",
                         e),
                   1);
#undef TI
  wes_object_unref(e);
  /* data query on the instance itself */
  {
    wes_query_t *q = compile_ok("SELECT * FROM Win32_Process WHERE "
                                "\"NTFS\" <> Name AND ProcessId = 4242",
                                WES_QUERY_DATA);
    assert_int_equal(wes_query_kind(q), WES_QUERY_KIND_DATA);
    assert_int_equal(wes_query_match(q, raw), 1);
    wes_query_unref(q);
  }
  wes_object_unref(raw);
}

static void test_wql_case_insensitive(void **state) {
  wes_object_t *e = email("MyBoss", 7, 1);
  wes_query_t *q;
  (void)state;
  assert_int_equal(match("sElEcT * fRoM emailevent wHeRe SENDER = 'myboss' "
                         "aNd importance >= 7 Or urgent = false",
                         e),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender = 'MYBOSS'", e),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender LIKE "
                         "'my%S'",
                         e),
                   1);
  q = compile_ok("select sender from emailevent where sender = 'x' group "
                 "within 5 by sender having numberofevents >= 2",
                 0);
  assert_string_equal(wes_query_canonical(q),
                      "SELECT sender FROM emailevent WHERE sender = 'x' "
                      "GROUP WITHIN 5 BY sender HAVING numberofevents >= 2");
  assert_string_equal(wes_query_class_name(q), "emailevent");
  assert_string_equal(wes_class_name(wes_query_class(q)), "EmailEvent");
  wes_query_unref(q);
  wes_object_unref(e);
}

static void test_wql_strings_and_escapes(void **state) {
  wes_query_t *q;
  wes_object_t *e = email("it's \"quoted\" \\ here", 1, 0);
  (void)state;
  q = compile_ok(
      "SELECT * FROM EmailEvent WHERE Sender = \"it's \\\"quoted\\\" "
      "\\\\ here\"",
      0);
  assert_string_equal(wes_query_canonical(q),
                      "SELECT * FROM EmailEvent WHERE Sender = 'it\\'s "
                      "\"quoted\" \\\\ here'");
  assert_int_equal(wes_query_match(q, e), 1);
  roundtrip(q, 0);
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM EmailEvent WHERE Sender = 'it\\'s "
                 "\\\"quoted\\\" \\\\ here'",
                 0);
  assert_int_equal(wes_query_match(q, e), 1);
  wes_query_unref(q);
  /* whitespace: newline, CR and tab separate tokens (Wine test) */
  q = compile_ok("SELECT\nSender\rFROM\tEmailEvent", 0);
  assert_string_equal(wes_query_canonical(q), "SELECT Sender FROM EmailEvent");
  wes_query_unref(q);
  /* no whitespace needed around operators */
  q = compile_ok("SELECT*FROM EmailEvent WHERE(Sender='a'OR Importance>=2)", 0);
  assert_string_equal(wes_query_canonical(q),
                      "SELECT * FROM EmailEvent WHERE Sender = 'a' OR "
                      "Importance >= 2");
  wes_query_unref(q);
  /* UTF-8 in strings */
  q = compile_ok("SELECT * FROM EmailEvent WHERE Sender = 'caf\xc3\xa9'", 0);
  wes_query_unref(q);
  wes_object_unref(e);
}

static void test_wql_numbers_print(void **state) {
  wes_query_t *q;
  (void)state;
  q = compile_ok("SELECT * FROM EmailEvent WITHIN 0.1 WHERE Importance > "
                 "+3.50 AND Importance < -0.25 GROUP WITHIN 300.0",
                 0);
  assert_string_equal(wes_query_canonical(q),
                      "SELECT * FROM EmailEvent WITHIN 0.1 WHERE Importance "
                      "> 3.5 AND Importance < -0.25 GROUP WITHIN 300");
  assert_true(wes_query_within(q) == 0.1);
  assert_true(wes_query_group_within(q) == 300.0);
  roundtrip(q, 0);
  wes_query_unref(q);
  /* huge intervals print without overflow */
  q = compile_ok("SELECT * FROM EmailEvent WITHIN "
                 "111111111111111111111111111111111111111111111111111111111111"
                 "111.5",
                 0);
  assert_true(wes_query_within(q) > 1e62);
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM EmailEvent WITHIN 1000000000000000.0", 0);
  assert_string_equal(wes_query_canonical(q),
                      "SELECT * FROM EmailEvent WITHIN 1000000000000000.0");
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM EmailEvent WHERE Importance = 5.0", 0);
  assert_string_equal(wes_query_canonical(q),
                      "SELECT * FROM EmailEvent WHERE Importance = 5.0");
  roundtrip(q, 0);
  wes_query_unref(q);
}

/* ---- projection ---- */

static void test_wql_projection(void **state) {
  wes_query_t *q;
  wes_object_t *e, *out = NULL, *ti = NULL;
  wes_value_t v;
  (void)state;
  e = creation("__InstanceCreationEvent", process("a.exe", 7));
  q = compile_ok("SELECT * FROM __InstanceCreationEvent", 0);
  assert_hr_ok(wes_query_project(q, e, &out));
  assert_ptr_equal(out, e);
  wes_object_unref(out);
  wes_query_unref(q);
  /* TargetInstance.Name delivers TargetInstance whole */
  q = compile_ok("SELECT TargetInstance.Name FROM __InstanceCreationEvent "
                 "WHERE TargetInstance ISA 'Win32_Process'",
                 0);
  assert_int_equal(wes_query_select_count(q), 1);
  assert_string_equal(wes_query_select_at(q, 0), "TargetInstance.Name");
  assert_hr_ok(wes_query_project(q, e, &out));
  assert_ptr_not_equal(out, e);
  assert_true(wes_object_is_frozen(out));
  assert_string_equal(wes_class_name(wes_object_class(out)),
                      "__InstanceCreationEvent");
  assert_hr_ok(wes_object_get_object(out, "TargetInstance", &ti));
  assert_non_null(ti);
  assert_hr_ok(wes_object_get(ti, "ProcessId", &v));
  assert_int_equal(v.u.uint, 7);
  /* TIME_CREATED was not selected: NULL */
  assert_hr_ok(wes_object_get(out, "TIME_CREATED", &v));
  assert_true(v.is_null);
  /* system properties always */
  assert_hr_ok(wes_object_get(out, "__CLASS", &v));
  assert_string_equal(v.u.str, "__InstanceCreationEvent");
  wes_object_unref(out);
  wes_query_unref(q);
  /* unknown select names are accepted and deliver nothing (wmi-rs) */
  q = compile_ok("SELECT NoSuchField FROM __InstanceCreationEvent", 0);
  assert_hr_ok(wes_query_project(q, e, &out));
  assert_hr_ok(wes_object_get(out, "TargetInstance", &v));
  assert_true(v.is_null);
  wes_object_unref(out);
  /* wrong class */
  {
    wes_object_t *other = email("x", 1, 0);
    assert_hr_equal(wes_query_project(q, other, &out), WES_E_INVALID_PARAMETER);
    wes_object_unref(other);
  }
  assert_hr_equal(wes_query_project(q, NULL, &out), WES_E_INVALID_PARAMETER);
  wes_query_unref(q);
  wes_object_unref(e);
}

/* ---- analysis ---- */

static void test_wql_analysis(void **state) {
  wes_query_t *q;
  size_t n = 0;
  const wes_query_pred_t *p;
  wes_object_t *e;
  wes_value_t v;
  (void)state;
  q = compile_ok("SELECT * FROM __InstanceCreationEvent WITHIN 5 WHERE "
                 "TargetInstance ISA 'Win32_Process' AND "
                 "TargetInstance.Name = 'x' AND TargetInstance.ProcessId > "
                 "100",
                 0);
  assert_true(wes_query_within(q) == 5.0);
  assert_true(wes_query_group_within(q) == 0.0);
  assert_hr_ok(wes_query_dnf_count(q, &n));
  assert_int_equal(n, 1);
  assert_int_equal(wes_query_dnf_size(q, 0), 3);
  p = wes_query_dnf_pred(q, 0, 0);
  assert_int_equal(p->op, WES_QUERY_OP_ISA);
  assert_string_equal(p->value.u.str, "Win32_Process");
  p = wes_query_dnf_pred(q, 0, 2);
  assert_int_equal(p->op, WES_QUERY_OP_GT);
  assert_string_equal(p->path, "TargetInstance.ProcessId");
  assert_int_equal(p->value.type, WES_CIM_UINT32);
  assert_int_equal(p->value.u.uint, 100);
  assert_null(wes_query_dnf_pred(q, 0, 3));
  assert_null(wes_query_dnf_pred(q, 1, 0));
  assert_int_equal(wes_query_key_count(q), 2);
  p = wes_query_key_at(q, 0);
  assert_int_equal(p->op, WES_QUERY_OP_EQ);
  assert_string_equal(p->path, "TargetInstance.Name");
  assert_int_equal(p->value.type, WES_CIM_STRING);
  assert_string_equal(p->value.u.str, "x");
  e = creation("__InstanceCreationEvent", process("X", 500));
  assert_hr_ok(wes_query_pred_read(p, e, &v));
  assert_string_equal(v.u.str, "X");
  assert_hr_ok(wes_query_pred_read(wes_query_key_at(q, 1), e, &v));
  assert_int_equal(v.u.uint, 500);
  assert_int_equal(wes_query_match(q, e), 1);
  wes_object_unref(e);
  wes_query_unref(q);

  /* NOT pushed down with explicit NULL alternatives */
  q = compile_ok("SELECT * FROM EmailEvent WHERE NOT (Sender = 'a' AND "
                 "Importance < 3)",
                 0);
  assert_hr_ok(wes_query_dnf_count(q, &n));
  assert_int_equal(n, 4);
  assert_int_equal(wes_query_dnf_pred(q, 0, 0)->op, WES_QUERY_OP_NE);
  assert_int_equal(wes_query_dnf_pred(q, 1, 0)->op, WES_QUERY_OP_ISNULL);
  assert_int_equal(wes_query_dnf_pred(q, 2, 0)->op, WES_QUERY_OP_GE);
  assert_int_equal(wes_query_key_count(q), 0);
  assert_int_equal(wes_query_target_count(q), 0);
  assert_null(wes_query_target_property(q));
  wes_query_unref(q);

  /* OR of ISA targets */
  q = compile_ok("SELECT * FROM __InstanceOperationEvent WITHIN 10 WHERE "
                 "TargetInstance ISA 'Win32_Process' OR (TargetInstance ISA "
                 "'Win32_Service' AND TargetInstance ISA "
                 "'Win32_TerminalService')",
                 0);
  assert_int_equal(wes_query_target_count(q), 2);
  assert_string_equal(wes_query_target_name(q, 0), "Win32_Process");
  assert_string_equal(wes_query_target_name(q, 1), "Win32_TerminalService");
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM __InstanceOperationEvent WITHIN 10 WHERE "
                 "TargetInstance ISA 'Win32_Process' OR TIME_CREATED > 5",
                 0);
  assert_int_equal(wes_query_target_count(q), 0);
  wes_query_unref(q);
  /* DNF too large: 8 binary ORs ANDed with 600 terms */
  {
    char *buf = malloc(20000);
    size_t k, len;
    assert_non_null(buf);
    if (buf != NULL) {
      len = (size_t)sprintf(buf, "SELECT * FROM EmailEvent WHERE a=0");
      for (k = 0; k < 8; k++) {
        len += (size_t)sprintf(buf + len, " AND (b%zu=1 OR c%zu=1)", k, k);
      }
      for (k = 0; k < 600; k++) {
        len += (size_t)sprintf(buf + len, " AND d%zu=1", k);
      }
      q = compile_ok(buf, WES_QUERY_SYNTAX_ONLY);
      assert_hr_equal(wes_query_dnf_count(q, &n), WES_E_NOT_SUPPORTED);
      assert_int_equal(wes_query_target_count(q), 0);
      assert_true(wes_query_key_count(q) > 600);
      wes_query_unref(q);
      free(buf);
    }
  }

  /* no WHERE: one empty conjunction */
  q = compile_ok("SELECT * FROM EmailEvent GROUP WITHIN 300 BY Sender, "
                 "Importance HAVING NumberOfEvents > 5 AND NOT "
                 "NumberOfEvents >= 100",
                 0);
  assert_hr_ok(wes_query_dnf_count(q, &n));
  assert_int_equal(n, 1);
  assert_int_equal(wes_query_dnf_size(q, 0), 0);
  assert_true(wes_query_group_within(q) == 300.0);
  assert_int_equal(wes_query_group_by_count(q), 2);
  assert_string_equal(wes_query_group_by_at(q, 1), "Importance");
  assert_null(wes_query_group_by_at(q, 2));
  assert_true(wes_query_has_having(q));
  assert_int_equal(wes_query_having_match(q, 5), 0);
  assert_int_equal(wes_query_having_match(q, 6), 1);
  assert_int_equal(wes_query_having_match(q, 100), 0);
  e = email("boss", 3, 0);
  assert_hr_ok(wes_query_group_by_value(q, 0, e, &v));
  assert_string_equal(v.u.str, "boss");
  assert_hr_ok(wes_query_group_by_value(q, 1, e, &v));
  assert_int_equal(v.u.uint, 3);
  assert_hr_equal(wes_query_group_by_value(q, 2, e, &v),
                  WES_E_INVALID_PARAMETER);
  wes_object_unref(e);
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM EmailEvent", 0);
  assert_int_equal(wes_query_having_match(q, 0), 1);
  assert_false(wes_query_has_having(q));
  wes_query_unref(q);
}

static wes_query_t *sq(const char *text) {
  wes_query_t *q = NULL;
  assert_hr_ok(wes_query_compile(NULL, text, WES_QUERY_SYNTAX_ONLY, &q, NULL));
  return q;
}

static void overlap(const char *a, const char *b, int want) {
  wes_query_t *qa = compile_ok(a, 0), *qb = compile_ok(b, 0);
  wes_query_t *sa = sq(a), *sb = sq(b);
  if (wes_query_may_overlap(qa, qb, NULL) != want ||
      wes_query_may_overlap(qb, qa, NULL) != want ||
      wes_query_may_overlap(sa, sb, ns) != want) {
    fail_msg("may_overlap('%s', '%s') != %d", a, b, want);
  }
  wes_query_unref(qa);
  wes_query_unref(qb);
  wes_query_unref(sa);
  wes_query_unref(sb);
}

static void test_wql_overlap(void **state) {
  (void)state;
#define PC "SELECT * FROM __InstanceCreationEvent WHERE "
#define PO "SELECT * FROM __InstanceOperationEvent WITHIN 5 WHERE "
  overlap("SELECT * FROM EmailEvent", "SELECT * FROM EmailEvent", 1);
  overlap("SELECT * FROM EmailEvent", "SELECT * FROM FaxEvent", 0);
  overlap("SELECT * FROM EmailEvent", "SELECT * FROM __ExtrinsicEvent", 1);
  overlap("SELECT * FROM __Event", "SELECT * FROM __TimerEvent", 1);
  overlap(PC "TargetInstance ISA 'Win32_Process'",
          PO "TargetInstance ISA 'Win32_Process'", 1);
  overlap("SELECT * FROM __InstanceDeletionEvent",
          "SELECT * FROM __InstanceCreationEvent", 0);
  overlap(PC "TargetInstance ISA 'Win32_Process'",
          PC "TargetInstance ISA 'Win32_Service'", 0);
  overlap(PC "TargetInstance ISA 'Win32_Service'",
          PC "TargetInstance ISA 'Win32_TerminalService'", 1);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND TargetInstance.Name = "
             "'a'",
          PC "TargetInstance ISA 'Win32_Process' AND TargetInstance.Name = "
             "'A'",
          1);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND TargetInstance.Name = "
             "'a'",
          PC "TargetInstance ISA 'Win32_Process' AND TargetInstance.Name = "
             "'b'",
          0);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId > 100",
          PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId < 50",
          0);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId >= 100",
          PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId <= 100",
          1);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId > 100",
          PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId <= 100",
          0);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId = 7",
          PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId <> 7",
          0);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId = 7",
          PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.ProcessId > '6'",
          1);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.Name IS NULL",
          PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.Name LIKE '%'",
          0);
  overlap(PC "TargetInstance ISA 'Win32_Process' AND "
             "TargetInstance.Name IS NULL",
          PC "TargetInstance ISA 'Win32_Process' AND NOT "
             "TargetInstance.Name = 'a'",
          1);
  overlap("SELECT * FROM EmailEvent WHERE Importance = 1 OR Importance = 2",
          "SELECT * FROM EmailEvent WHERE Importance = 2", 1);
  overlap("SELECT * FROM EmailEvent WHERE Importance = 1 OR Importance = 3",
          "SELECT * FROM EmailEvent WHERE Importance = 2", 0);
  overlap("SELECT * FROM EmailEvent WHERE Sender LIKE 'a%'",
          "SELECT * FROM EmailEvent WHERE Sender = 'b'", 1);
  overlap(PC "NOT TargetInstance ISA 'Win32_Service'",
          PC "TargetInstance ISA 'Win32_TerminalService'", 0);
  overlap(PC "NOT TargetInstance ISA 'Win32_TerminalService'",
          PC "TargetInstance ISA 'Win32_Service'", 1);
#undef PC
#undef PO
}

static void test_wql_covers(void **state) {
  wes_query_t *reg, *q, *sreg;
  (void)state;
  sreg = sq("SELECT * FROM __InstanceOperationEvent WHERE TargetInstance "
            "ISA 'Win32_Service'");
  reg = compile_ok("SELECT * FROM __InstanceOperationEvent WHERE "
                   "TargetInstance ISA 'Win32_Service'",
                   0);
  assert_int_equal(wes_query_target_count(sreg), 1);
  assert_null(wes_query_target_class(sreg, 0));
  q = compile_ok("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance "
                 "ISA 'Win32_TerminalService' AND TargetInstance.Name = 'x'",
                 0);
  assert_true(wes_query_covers(reg, q, NULL));
  assert_true(wes_query_covers(sreg, q, ns));
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance "
                 "ISA 'Win32_Process'",
                 0);
  assert_false(wes_query_covers(reg, q, NULL));
  assert_false(wes_query_covers(sreg, q, ns));
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM EmailEvent", 0);
  assert_false(wes_query_covers(reg, q, NULL));
  wes_query_unref(q);
  /* a registration without ISA covers every target */
  wes_query_unref(reg);
  reg = compile_ok("SELECT * FROM __InstanceOperationEvent", 0);
  q = compile_ok("SELECT * FROM __InstanceDeletionEvent WHERE TargetInstance "
                 "ISA 'Win32_Process'",
                 0);
  assert_true(wes_query_covers(reg, q, NULL));
  wes_query_unref(q);
  wes_query_unref(reg);
  wes_query_unref(sreg);
}

static void test_wql_value_compare_hash(void **state) {
  wes_value_t a, b;
  int c = 0;
  (void)state;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  a.type = WES_CIM_UINT32;
  a.u.uint = 5;
  b.type = WES_CIM_SINT64;
  b.u.sint = 5;
  assert_hr_ok(wes_query_value_compare(&a, &b, &c));
  assert_int_equal(c, 0);
  assert_true(wes_query_value_hash(&a) == wes_query_value_hash(&b));
  b.type = WES_CIM_REAL64;
  b.u.real = 5.0;
  assert_hr_ok(wes_query_value_compare(&a, &b, &c));
  assert_int_equal(c, 0);
  assert_true(wes_query_value_hash(&a) == wes_query_value_hash(&b));
  b.u.real = 5.5;
  assert_hr_ok(wes_query_value_compare(&a, &b, &c));
  assert_true(c < 0);
  b.type = WES_CIM_SINT64;
  b.u.sint = -1;
  assert_hr_ok(wes_query_value_compare(&a, &b, &c));
  assert_true(c > 0);
  a.type = WES_CIM_STRING;
  a.u.str = "Hello";
  b.type = WES_CIM_STRING;
  b.u.str = "hELLO";
  assert_hr_ok(wes_query_value_compare(&a, &b, &c));
  assert_int_equal(c, 0);
  assert_true(wes_query_value_hash(&a) == wes_query_value_hash(&b));
  b.type = WES_CIM_UINT32;
  assert_hr_equal(wes_query_value_compare(&a, &b, &c), WES_E_TYPE_MISMATCH);
  a.type = WES_CIM_DATETIME;
  a.u.str = "20240102030405.000000+060";
  b.type = WES_CIM_STRING;
  b.u.str = "20240102020405.000000+000";
  assert_hr_ok(wes_query_value_compare(&a, &b, &c));
  assert_int_equal(c, 0);
  b.type = WES_CIM_DATETIME;
  assert_true(wes_query_value_hash(&a) == wes_query_value_hash(&b));
  a.is_null = 1;
  assert_hr_equal(wes_query_value_compare(&a, &b, &c), WES_E_TYPE_MISMATCH);
  assert_hr_equal(wes_query_value_compare(NULL, &b, &c),
                  WES_E_INVALID_PARAMETER);
}

/* ---- filters ---- */

static int custom_released;

static int custom_match(void *data, const wes_object_t *obj) {
  (void)obj;
  return *(int *)data;
}

static void custom_release(void *data) {
  (void)data;
  custom_released++;
}

static void test_wql_filter(void **state) {
  static const wes_filter_ops_t ops_min = {WES_FILTER_OPS_VERSION_1,
                                           custom_match, NULL, NULL};
  static const wes_filter_ops_t ops_rel = {WES_FILTER_OPS_VERSION, custom_match,
                                           NULL, custom_release};
  static const wes_filter_ops_t ops_v0 = {0, custom_match, NULL, NULL};
  static const wes_filter_ops_t ops_nomatch = {1, NULL, NULL, NULL};
  static int yes = 1;
  wes_filter_t *f = NULL;
  wes_query_t *q;
  wes_object_t *e = email("a", 1, 0);
  char *text = NULL;
  (void)state;
  assert_hr_equal(wes_filter_new(&ops_v0, &yes, &f), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_filter_new(&ops_nomatch, &yes, &f),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_filter_new(NULL, &yes, &f), WES_E_INVALID_PARAMETER);
  assert_null(f);
  assert_hr_ok(wes_filter_new(&ops_min, &yes, &f));
  assert_int_equal(wes_filter_match(f, e), 1);
  assert_hr_equal(wes_filter_describe(f, &text), WES_E_NOT_SUPPORTED);
  assert_null(wes_filter_query(f));
  assert_null(wes_filter_unref(f));
  custom_released = 0;
  assert_hr_ok(wes_filter_new(&ops_rel, &yes, &f));
  assert_ptr_equal(wes_filter_ref(f), f);
  wes_filter_unref(f);
  assert_int_equal(custom_released, 0);
  wes_filter_unref(f);
  assert_int_equal(custom_released, 1);

  q = compile_ok("select * from EmailEvent where sender = 'A'", 0);
  assert_hr_ok(wes_filter_from_query(q, &f));
  assert_ptr_equal(wes_filter_query(f), q);
  wes_query_unref(q); /* the filter keeps its own reference */
  assert_int_equal(wes_filter_match(f, e), 1);
  assert_int_equal(wes_filter_match(f, NULL), 0);
  assert_hr_ok(wes_filter_describe(f, &text));
  assert_string_equal(text, "SELECT * FROM EmailEvent WHERE sender = 'A'");
  wes_free(text);
  wes_filter_unref(f);
  assert_null(wes_filter_unref(NULL));
  wes_object_unref(e);
}

static void test_wql_syntax_only(void **state) {
  wes_query_t *q;
  wes_object_t *e;
  (void)state;
  /* classes that do not exist yet are fine in syntax-only mode */
  q = sq("SELECT * FROM NotYetDefined WHERE TargetInstance ISA 'Later' AND "
         "TargetInstance.Whatever = 5");
  assert_null(wes_query_class(q));
  assert_string_equal(wes_query_class_name(q), "NotYetDefined");
  assert_int_equal(wes_query_target_count(q), 1);
  assert_string_equal(wes_query_target_name(q, 0), "Later");
  assert_int_equal(wes_query_dnf_pred(q, 0, 1)->value.type, WES_CIM_SINT64);
  e = email("a", 1, 0);
  assert_int_equal(wes_query_match(q, e), 0);
  wes_query_unref(q);
  /* but still the syntax and clause rules */
  assert_hr_equal(wes_query_compile(NULL, "SELECT * FROM X WHERE",
                                    WES_QUERY_SYNTAX_ONLY, &q, NULL),
                  WES_E_UNPARSABLE_QUERY);
  /* by-name evaluation coerces per value */
  q = sq("SELECT * FROM EmailEvent WHERE Importance = '1' AND Sender = 'A' "
         "AND Urgent = 0 AND NoSuch IS NULL");
  assert_int_equal(wes_query_match(q, e), 1);
  wes_query_unref(q);
  q = sq("SELECT * FROM EmailEvent WHERE Importance = 'x'");
  assert_int_equal(wes_query_match(q, e), 0);
  wes_query_unref(q);
  wes_object_unref(e);
}

static void test_wql_or_sets(void **state) {
  wes_object_t *e5 = email("Carol", 5, 0), *e9 = email(NULL, 9, 1);
  wes_object_t *p = NULL, *ev;
  (void)state;
  /* folded chains of equalities (uint, strings), hits, misses, NULL */
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Importance = 1 OR "
                         "Importance = 5 OR Importance = 3 OR Importance = 4",
                         e5),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Importance = 1 OR "
                         "Importance = 5 OR Importance = 3 OR Importance = 4",
                         e9),
                   0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Importance = 1 OR "
                         "Importance = 2 OR Importance = -1 OR Importance = "
                         "18446744073709551615",
                         e5),
                   0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender = 'alice' OR "
                         "Sender = 'bob' OR Sender = 'CAROL'",
                         e5),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Sender = 'alice' OR "
                         "Sender = 'bob' OR Sender = 'CAROL'",
                         e9),
                   0);
  /* inside AND, followed by more terms, negated */
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Urgent = TRUE AND "
                         "(Importance = 7 OR Importance = 8 OR Importance = "
                         "9) AND Sender IS NULL",
                         e9),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE NOT (Importance = 7 "
                         "OR Importance = 8 OR Importance = 9)",
                         e9),
                   0);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Importance = 7 OR "
                         "Importance = 8 OR Importance = 9 OR Sender = "
                         "'carol'",
                         e5),
                   1);
  assert_int_equal(match("SELECT * FROM EmailEvent WHERE Importance = 1 OR "
                         "Importance = 2 OR Importance = 3 OR Importance = 4 "
                         "OR Importance = 5 OR Importance = 6 OR Importance = "
                         "7 OR Importance = 8 OR Importance = 9 OR Importance "
                         "= 10 OR Importance = 11",
                         e9),
                   1);
  /* signed values */
  assert_hr_ok(wes_object_new_by_name(ns, "Win32_Process", &p));
  assert_hr_ok(wes_object_set_sint32(p, "Priority", -4));
  ev = creation("__InstanceCreationEvent", p);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "TargetInstance ISA 'Win32_Process' AND "
                         "(TargetInstance.Priority = 3 OR "
                         "TargetInstance.Priority = -4 OR "
                         "TargetInstance.Priority = 0)",
                         ev),
                   1);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "TargetInstance ISA 'Win32_Process' AND "
                         "(TargetInstance.Priority = 3 OR "
                         "TargetInstance.Priority = -5 OR "
                         "TargetInstance.Priority = 0)",
                         ev),
                   0);
  wes_object_unref(ev);
  wes_object_unref(e5);
  wes_object_unref(e9);
}

#include <pthread.h>

typedef struct mt_s {
  const wes_query_t *q;
  const wes_object_t *yes, *no;
  int bad;
} mt_t;

static void *mt_run(void *arg) {
  mt_t *m = arg;
  int i;
  for (i = 0; i < 20000; i++) {
    if (wes_query_match(m->q, m->yes) != 1 ||
        wes_query_match(m->q, m->no) != 0) {
      m->bad++;
    }
  }
  return NULL;
}

static void test_wql_threads(void **state) {
  pthread_t t[4];
  mt_t m[4];
  wes_query_t *q = compile_ok("SELECT * FROM __InstanceCreationEvent WHERE "
                              "TargetInstance ISA 'Win32_Process' AND "
                              "TargetInstance.Name LIKE '%a%' AND "
                              "TargetInstance.ProcessId > 100",
                              0);
  wes_object_t *yes = creation("__InstanceCreationEvent", process("a", 101));
  wes_object_t *no = creation("__InstanceCreationEvent", process("a", 100));
  int i;
  (void)state;
  for (i = 0; i < 4; i++) {
    m[i].q = q;
    m[i].yes = yes;
    m[i].no = no;
    m[i].bad = 0;
    assert_int_equal(pthread_create(&t[i], NULL, mt_run, &m[i]), 0);
  }
  for (i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(m[i].bad, 0);
  }
  wes_object_unref(yes);
  wes_object_unref(no);
  wes_query_unref(q);
}

/* Paths resolved against one class must still read correctly when the
 * object is of another class (a dominating ISA evaluated after the path,
 * alternatives of an OR with their own ISA): by-name fallback, never a
 * wrong slot. */
static void test_wql_resolution(void **state) {
  wes_object_t *proc = process("b", 7), *svc = NULL, *e1, *e2;
  const char *qt = "SELECT * FROM __InstanceCreationEvent WHERE "
                   "(TargetInstance ISA 'Win32_Service' AND "
                   "TargetInstance.Name = 'a') OR (TargetInstance ISA "
                   "'Win32_Process' AND TargetInstance.Name = 'b')";
  wes_query_t *q;
  (void)state;
  assert_hr_ok(wes_object_new_by_name(ns, "Win32_Service", &svc));
  assert_hr_ok(wes_object_set_string(svc, "Name", "a"));
  e1 = creation("__InstanceCreationEvent", proc);
  e2 = creation("__InstanceCreationEvent", svc);
  assert_int_equal(match(qt, e1), 1);
  assert_int_equal(match(qt, e2), 1);
  /* the property exists only on the other class: read before the ISA
   * (NULL, not garbage), then the ISA fails */
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "TargetInstance.State IS NULL AND "
                         "TargetInstance ISA 'Win32_Service'",
                         e1),
                   0);
  assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                         "(TargetInstance.State = 'x' AND "
                         "TargetInstance ISA 'Win32_Service') OR "
                         "(TargetInstance.Name = 'b' AND "
                         "TargetInstance ISA 'Win32_Process')",
                         e1),
                   1);
  /* a top-level ISA later in the chain does not make earlier terms
   * trusted */
  q = compile_ok("SELECT * FROM __InstanceCreationEvent WHERE "
                 "TargetInstance.Name = 'a' AND TargetInstance ISA "
                 "'Win32_Service'",
                 0);
  assert_int_equal(wes_query_match(q, e1), 0);
  assert_int_equal(wes_query_match(q, e2), 1);
  wes_query_unref(q);
  /* subclass instances: inherited properties keep their slots */
  {
    wes_object_t *ts = NULL, *e3;
    assert_hr_ok(wes_object_new_by_name(ns, "Win32_TerminalService", &ts));
    assert_hr_ok(wes_object_set_string(ts, "Name", "a"));
    assert_hr_ok(wes_object_set_uint32(ts, "Sessions", 3));
    e3 = creation("__InstanceCreationEvent", ts);
    assert_int_equal(match(qt, e3), 1);
    assert_int_equal(match("SELECT * FROM __InstanceCreationEvent WHERE "
                           "TargetInstance ISA 'Win32_TerminalService' AND "
                           "TargetInstance.Sessions = 3 AND "
                           "TargetInstance.Name = 'A'",
                           e3),
                     1);
    wes_object_unref(e3);
  }
  /* the FROM class test: other event classes never match */
  assert_int_equal(match("SELECT * FROM __InstanceDeletionEvent", e1), 0);
  assert_int_equal(match("SELECT * FROM __Event", e1), 1);
  wes_object_unref(e1);
  wes_object_unref(e2);
}

/* A path into TargetInstance (PreviousInstance, ...) is resolved only
 * against ISA tests that dominate it: positive ISA terms ANDed with the
 * predicate or with one of its ancestors (NOT pushed inward, as in the
 * DNF). Issue 3: an intrinsic query names its target with ISA, not under
 * OR. */
static void isa_reject(const char *text, const char *at, const char *hint) {
  wes_query_t *q = NULL;
  wes_error_t err;
  const char *pos = strstr(text, at);
  wes_error_clear(&err);
  assert_non_null(pos);
  assert_hr_equal(wes_query_compile(ns, text, 0, &q, &err),
                  WES_E_INVALID_PROPERTY);
  assert_null(q);
  assert_int_equal(err.line, 1);
  if (err.column != (uint32_t)(pos - text) + 1) {
    fail_msg("'%s': error at column %u, want %u (%s)", text, err.column,
             (unsigned)(pos - text) + 1, err.text);
  }
  if (strstr(err.text, hint) == NULL) {
    fail_msg("'%s': message '%s' lacks the hint \"%s\"", text, err.text, hint);
  }
  /* syntax only: accepted (read by name) */
  assert_hr_ok(wes_query_compile(NULL, text, WES_QUERY_SYNTAX_ONLY, &q, NULL));
  wes_query_unref(q);
}

static void test_wql_isa_dominance(void **state) {
  static const char *const ti_hint = "add TargetInstance ISA 'ClassName'";
  static const char *const accepted[] = {
      /* each alternative names its own target */
      "SELECT * FROM __InstanceCreationEvent WHERE (TargetInstance ISA "
      "'Win32_Process' AND TargetInstance.ProcessId = 1) OR (TargetInstance "
      "ISA 'Win32_Service' AND TargetInstance.State = 'x')",
      /* the ISA is an AND-sibling of an ancestor (OR, NOT) */
      "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
      "'Win32_Service' AND (TargetInstance.State = 'x' OR "
      "TargetInstance.Name = 'y')",
      "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
      "'Win32_Service' AND NOT TargetInstance.State = 'x'",
      /* a later sibling dominates too */
      "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance.State = "
      "'x' AND TargetInstance ISA 'Win32_Service'",
      /* NOT (NOT a OR b) is a AND NOT b */
      "SELECT * FROM __InstanceCreationEvent WHERE NOT (NOT TargetInstance "
      "ISA 'Win32_Service' OR TargetInstance.State <> 'x')",
      /* the innermost dominating ISA, most derived, adds Sessions */
      "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
      "'Win32_Service' AND ((TargetInstance ISA 'Win32_TerminalService' AND "
      "TargetInstance.Sessions = 3) OR TargetInstance.State = 'x')",
      /* PreviousInstance takes a dominating TargetInstance ISA */
      "SELECT * FROM __InstanceModificationEvent WHERE TargetInstance ISA "
      "'Win32_Service' AND (PreviousInstance.State = 'a' OR "
      "TargetInstance.State = 'b')",
      /* the declared strong type applies whatever the ISA tests */
      "SELECT * FROM MyEvent WHERE E1.Prop1 = 'a' OR E2.Prop2 = 'b'",
      "SELECT * FROM MyEvent WHERE E1 ISA 'MyClass' OR E1.Prop1 = 'a'",
      /* system properties need no class */
      "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
      "'Win32_Service' OR TargetInstance.__CLASS = 'x'",
      /* GROUP BY: the ISA terms WHERE forces */
      "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
      "'Win32_Service' AND TargetInstance.Name = 'a' GROUP WITHIN 10 BY "
      "TargetInstance.State",
  };
  wes_object_t *proc = process("p", 1), *svc = NULL, *svc2 = NULL;
  wes_object_t *e1, *e2, *e3;
  wes_query_t *q;
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
    q = compile_ok(accepted[i], 0);
    wes_query_unref(q);
  }
  /* many dominating ISA terms (more than the checker keeps inline) */
  {
    char buf[4096];
    size_t len = (size_t)snprintf(buf, sizeof(buf),
                                  "SELECT * FROM __InstanceCreationEvent "
                                  "WHERE TargetInstance.State = 'x'");
    for (i = 0; i < 40; i++) {
      len += (size_t)snprintf(
          buf + len, sizeof(buf) - len, " AND (TargetInstance ISA '%s')",
          i % 2 ? "Win32_Service" : "Win32_TerminalService");
    }
    len += (size_t)snprintf(buf + len, sizeof(buf) - len,
                            " AND TargetInstance.Sessions = 1");
    assert_true(len < sizeof(buf));
    q = compile_ok(buf, 0);
    wes_query_unref(q);
  }
  /* issue 3: the only ISA is an OR-sibling */
  isa_reject("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
             "'__Namespace' OR TargetInstance.Name = 'x'",
             "TargetInstance.Name", ti_hint);
  isa_reject("SELECT * FROM __InstanceCreationEvent WHERE (TargetInstance "
             "ISA 'Win32_Service' AND TargetInstance.State = 'x') OR "
             "TargetInstance.Name = 'y'",
             "TargetInstance.Name", ti_hint);
  /* an OR of ISA tests dominates nothing */
  isa_reject("SELECT * FROM __InstanceCreationEvent WHERE (TargetInstance "
             "ISA 'Win32_Service' OR TargetInstance ISA "
             "'Win32_TerminalService') AND TargetInstance.Name = 'y'",
             "TargetInstance.Name", ti_hint);
  /* a negated ISA dominates nothing, nor does an ISA ANDed under NOT
   * (NOT (a AND b) is NOT a OR NOT b) */
  isa_reject("SELECT * FROM __InstanceCreationEvent WHERE NOT TargetInstance "
             "ISA 'Win32_Service' AND TargetInstance.State = 'x'",
             "TargetInstance.State", ti_hint);
  isa_reject("SELECT * FROM __InstanceCreationEvent WHERE NOT (TargetInstance "
             "ISA 'Win32_Service' AND TargetInstance.State = 'x')",
             "TargetInstance.State", ti_hint);
  isa_reject("SELECT * FROM __InstanceCreationEvent WHERE NOT (NOT "
             "TargetInstance ISA 'Win32_Service' AND TargetInstance.State = "
             "'x')",
             "TargetInstance.State", ti_hint);
  /* the dominating ISA's class lacks it, though an OR-sibling's has it */
  isa_reject("SELECT * FROM __InstanceCreationEvent WHERE (TargetInstance "
             "ISA 'Win32_Service' AND TargetInstance.Sessions = 3) OR "
             "TargetInstance ISA 'Win32_TerminalService'",
             "TargetInstance.Sessions", "class Win32_Service has no property");
  isa_reject("SELECT * FROM __InstanceModificationEvent WHERE TargetInstance "
             "ISA 'Win32_Service' OR PreviousInstance.State = 'x'",
             "PreviousInstance.State", "add PreviousInstance ISA 'ClassName'");
  isa_reject("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
             "'Win32_Service' OR TargetInstance ISA 'Win32_Process' GROUP "
             "WITHIN 10 BY TargetInstance.Name",
             "TargetInstance.Name", ti_hint);

  /* meaning of the alternatives form, and its targets */
  assert_hr_ok(wes_object_new_by_name(ns, "Win32_Service", &svc));
  assert_hr_ok(wes_object_set_string(svc, "Name", "s"));
  assert_hr_ok(wes_object_set_string(svc, "State", "x"));
  assert_hr_ok(wes_object_new_by_name(ns, "Win32_Service", &svc2));
  assert_hr_ok(wes_object_set_string(svc2, "Name", "s"));
  assert_hr_ok(wes_object_set_string(svc2, "State", "y"));
  e1 = creation("__InstanceCreationEvent", proc);
  e2 = creation("__InstanceCreationEvent", svc);
  e3 = creation("__InstanceCreationEvent", svc2);
  q = compile_ok(accepted[0], 0);
  assert_int_equal(wes_query_match(q, e1), 1);
  assert_int_equal(wes_query_match(q, e2), 1);
  assert_int_equal(wes_query_match(q, e3), 0);
  assert_int_equal(wes_query_target_count(q), 2);
  assert_string_equal(wes_query_target_name(q, 0), "Win32_Process");
  assert_string_equal(wes_query_target_name(q, 1), "Win32_Service");
  wes_query_unref(q);
  q = compile_ok(accepted[4], 0);
  assert_int_equal(wes_query_match(q, e1), 0);
  assert_int_equal(wes_query_match(q, e2), 1);
  assert_int_equal(wes_query_match(q, e3), 0);
  assert_int_equal(wes_query_target_count(q), 1);
  assert_string_equal(wes_query_target_name(q, 0), "Win32_Service");
  wes_query_unref(q);
  assert_int_equal(match(accepted[3], e1), 0);
  assert_int_equal(match(accepted[3], e2), 1);
  wes_object_unref(e1);
  wes_object_unref(e2);
  wes_object_unref(e3);
}

/* ---- peers' cases (reference/peers.md 2.3, 5.2, 5.3) ---- */

static void test_wql_peer_cases(void **state) {
  /* Wine dlls/wbemprox/tests/query.c: accepted by Windows (data queries;
   * classes unknown here, so syntax only) */
  static const char *const wine_ok[] = {
      "SELECT HOTFIXID FROM Win32_QuickFixEngineering",
      "SELECT * FROM Win32_BIOS",
      "SELECT * FROM Win32_LogicalDisk WHERE \"NTFS\" = FileSystem",
      "SELECT a FROM b",
      "SELECT a FROM Win32_Bios",
      "SELECT Description FROM Win32_Bios",
      "SELECT * FROM Win32_Process WHERE Caption LIKE '%%REGEDIT%'",
      ("SELECT * FROM Win32_DiskDrive WHERE "
       "DeviceID=\"\\\\\\\\.\\\\PHYSICALDRIVE0\""),
      "SELECT\na\rFROM\tb",
      "SELECT * FROM Win32_Process WHERE Caption LIKE \"%firefox.exe\"",
      "SELECT * FROM Win32_VideoController where availability = '3'",
      "SELECT * FROM Win3_BIOS WHERE NAME <> NULL",
      "SELECT * FROM Win32_BIOS WHERE NULL = NAME",
      "SELECT * FROM Win32_LogicalDiskToPartition",
      "SELECT * FROM Win32_DiskDriveToDiskPartition",
  };
  /* .NET WqlEventQuery.BuildQuery output shapes, and wmi-rs's builder */
  static const char *const dotnet[][2] = {
      {"select * from __InstanceCreationEvent within 10 where "
       "TargetInstance isa \"Win32_Process\"",
       "SELECT * FROM __InstanceCreationEvent WITHIN 10 WHERE "
       "TargetInstance ISA 'Win32_Process'"},
      {"select * from EmailEvent group within 300 by Sender,Importance "
       "having NumberOfEvents > 5",
       "SELECT * FROM EmailEvent GROUP WITHIN 300 BY Sender, Importance "
       "HAVING NumberOfEvents > 5"},
      {"select * from __InstanceModificationEvent within 0.5 where "
       "TargetInstance isa 'Win32_Service' group within 60",
       "SELECT * FROM __InstanceModificationEvent WITHIN 0.5 WHERE "
       "TargetInstance ISA 'Win32_Service' GROUP WITHIN 60"},
      {"SELECT * FROM __InstanceModificationEvent WITHIN 0.1 WHERE "
       "TargetInstance ISA 'Win32_LocalTime'",
       "SELECT * FROM __InstanceModificationEvent WITHIN 0.1 WHERE "
       "TargetInstance ISA 'Win32_LocalTime'"},
      /* "group within" inside a string must not be taken as the clause
       * (the .NET string slicer would) */
      {"select * from EmailEvent where Sender = 'x group within 5' group "
       "within 6",
       "SELECT * FROM EmailEvent WHERE Sender = 'x group within 5' GROUP "
       "WITHIN 6"},
  };
  size_t i;
  wes_query_t *q;
  (void)state;
  for (i = 0; i < sizeof(wine_ok) / sizeof(wine_ok[0]); i++) {
    q = compile_ok(wine_ok[i], WES_QUERY_SYNTAX_ONLY | WES_QUERY_DATA);
    assert_int_equal(wes_query_kind(q), WES_QUERY_KIND_DATA);
    wes_query_unref(q);
  }
  q = compile_ok(wine_ok[7], WES_QUERY_SYNTAX_ONLY | WES_QUERY_DATA);
  assert_string_equal(wes_query_dnf_pred(q, 0, 0)->value.u.str,
                      "\\\\.\\PHYSICALDRIVE0");
  wes_query_unref(q);
  /* unknown classes in a namespace that lacks them (test_empty_namespace) */
  expect_err("SELECT * FROM Win32_OperatingSystem", WES_QUERY_DATA,
             WES_E_INVALID_CLASS);
  expect_err("SELECT * FROM __ASSOCIATORS", WES_QUERY_DATA,
             WES_E_INVALID_CLASS);
  for (i = 0; i < sizeof(dotnet) / sizeof(dotnet[0]); i++) {
    q = compile_ok(dotnet[i][0], WES_QUERY_SYNTAX_ONLY);
    assert_string_equal(wes_query_canonical(q), dotnet[i][1]);
    wes_query_unref(q);
  }
  q = compile_ok(dotnet[4][0], WES_QUERY_SYNTAX_ONLY);
  assert_true(wes_query_group_within(q) == 6.0);
  wes_query_unref(q);
}

/* ---- out of memory: fail the Nth allocation, N = 0, 1, 2, ... ---- */

static long chaos_countdown = -1; /* -1: never fail */

static int chaos_tick(void) {
  if (chaos_countdown == 0) {
    return 1;
  }
  if (chaos_countdown > 0) {
    chaos_countdown--;
  }
  return 0;
}

/* Every block carries its size in front so that the tests can count the
 * bytes the library holds and the allocations it makes. */
typedef union chaos_hdr_u {
  size_t size;
  max_align_t align;
} chaos_hdr_t;

static long long chaos_live;  /* bytes currently allocated */
static long long chaos_calls; /* allocations made (malloc/calloc/realloc) */

static void *chaos_malloc(size_t n) {
  chaos_hdr_t *h;
  if (chaos_tick() || n > SIZE_MAX - sizeof(*h)) {
    return NULL;
  }
  h = malloc(sizeof(*h) + n);
  if (h == NULL) {
    return NULL;
  }
  h->size = n;
  chaos_live += (long long)n;
  chaos_calls++;
  return h + 1;
}

static void chaos_free(void *p) {
  chaos_hdr_t *h;
  if (p == NULL) {
    return;
  }
  h = (chaos_hdr_t *)p - 1;
  chaos_live -= (long long)h->size;
  free(h);
}

static void *chaos_realloc(void *p, size_t n) {
  chaos_hdr_t *h, *nh;
  if (p == NULL) {
    return chaos_malloc(n);
  }
  if (chaos_tick() || n > SIZE_MAX - sizeof(*h)) {
    return NULL;
  }
  h = (chaos_hdr_t *)p - 1;
  chaos_live -= (long long)h->size;
  nh = realloc(h, sizeof(*nh) + n);
  if (nh == NULL) {
    chaos_live += (long long)h->size;
    return NULL;
  }
  nh->size = n;
  chaos_live += (long long)n;
  chaos_calls++;
  return nh + 1;
}

static void *chaos_calloc(size_t c, size_t n) {
  void *p;
  if (n != 0 && c > SIZE_MAX / n) {
    return NULL;
  }
  p = chaos_malloc(c * n);
  if (p != NULL) {
    memset(p, 0, c * n);
  }
  return p;
}

static void test_wql_out_of_memory(void **state) {
  static const char *const texts[] = {
      "SELECT TargetInstance FROM __InstanceModificationEvent WITHIN 5 "
      "WHERE TargetInstance ISA 'Win32_Process' AND (TargetInstance.Name "
      "LIKE '%[a-c]x_%' OR NOT TargetInstance.ProcessId > 5) AND "
      "(TargetInstance.Priority = 1 OR TargetInstance.Priority = 2 OR "
      "TargetInstance.Priority = 3) AND PreviousInstance.Name = 'x'",
      "SELECT * FROM EmailEvent WHERE Sender = 'it\\'s' GROUP WITHIN 300 "
      "BY Sender, Importance HAVING NumberOfEvents > 5",
  /* more dominating ISA terms than the checker keeps inline */
#define ISA_SVC4                                                               \
  " AND TargetInstance ISA 'Win32_Service' AND TargetInstance ISA "            \
  "'Win32_Service' AND TargetInstance ISA 'Win32_Service' AND "                \
  "TargetInstance ISA 'Win32_Service'"
      "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance.State = "
      "'x'" ISA_SVC4 ISA_SVC4 ISA_SVC4 ISA_SVC4 ISA_SVC4
      " GROUP WITHIN 10 BY TargetInstance.Name",
#undef ISA_SVC4
  };
  size_t t;
  long n;
  wes_object_t *e = creation("__InstanceModificationEvent", process("abxy", 3));
  (void)state;
  for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
    uint32_t mode;
    for (mode = 0; mode < 2; mode++) {
      uint32_t flags = mode ? WES_QUERY_SYNTAX_ONLY : 0;
      for (n = 0; n < 100000; n++) {
        wes_query_t *q = NULL;
        wes_object_t *out = NULL;
        wes_error_t err;
        wes_hresult_t hr;
        chaos_countdown = n;
        hr = wes_query_compile(ns, texts[t], flags, &q, &err);
        if (hr == WES_S_OK && t == 0) {
          hr = wes_query_project(q, e, &out);
          wes_object_unref(out);
        }
        chaos_countdown = -1;
        if (hr == WES_S_OK) {
          wes_query_unref(q);
          break;
        }
        assert_hr_equal(hr, WES_E_OUT_OF_MEMORY);
        wes_query_unref(q);
      }
      assert_true(n > 3 && n < 100000);
    }
  }
  wes_object_unref(e);
}

/* ---- what a compiled query keeps (DESIGN 5: <= 1 KiB a subscription) ---- */

static void test_wql_compact_storage(void **state) {
  wes_query_t *q = NULL, *q2 = NULL;
  const wes_query_pred_t *p;
  wes_object_t *e = NULL;
  long long before, calls;
  size_t n = 0, i;
  (void)state;
  /* a typical subscription query: its whole footprint stays well inside
   * the per-subscription budget, and matching allocates nothing */
  before = chaos_live;
  assert_hr_ok(wes_query_compile(
      ns, "SELECT * FROM EmailEvent WHERE Importance = 3", 0, &q, NULL));
  assert_true(chaos_live - before > 0);
  assert_true(chaos_live - before <= 1024);
  assert_hr_ok(wes_object_new_by_name(ns, "EmailEvent", &e));
  assert_hr_ok(wes_object_set_uint32(e, "Importance", 3));
  wes_object_freeze(e);
  calls = chaos_calls;
  assert_int_equal(wes_query_match(q, e), 1);
  assert_int_equal(chaos_calls, calls);
  /* already canonical: the canonical text is the original text */
  assert_string_equal(wes_query_text(q),
                      "SELECT * FROM EmailEvent WHERE Importance = 3");
  assert_string_equal(wes_query_canonical(q), wes_query_text(q));
  /* not canonical: both texts are kept, each as it should be */
  assert_hr_ok(wes_query_compile(
      ns, "select * from EmailEvent where 3=Importance", 0, &q2, NULL));
  assert_string_equal(wes_query_text(q2),
                      "select * from EmailEvent where 3=Importance");
  assert_string_equal(wes_query_canonical(q2), wes_query_canonical(q));
  assert_int_equal(wes_query_match(q2, e), 1);
  wes_query_unref(q2);
  wes_query_unref(q);
  wes_object_unref(e);
  /* keys that are exactly the one conjunction read like it */
  q = compile_ok("SELECT * FROM EmailEvent WHERE Importance = 3 AND Sender = "
                 "'boss' AND Urgent = TRUE",
                 0);
  assert_hr_ok(wes_query_dnf_count(q, &n));
  assert_int_equal(n, 1);
  assert_int_equal(wes_query_dnf_size(q, 0), 3);
  assert_int_equal(wes_query_key_count(q), 3);
  for (i = 0; i < 3; i++) {
    const wes_query_pred_t *d = wes_query_dnf_pred(q, 0, i);
    p = wes_query_key_at(q, i);
    assert_non_null(p);
    assert_string_equal(p->path, d->path);
    assert_int_equal(p->op, d->op);
    assert_int_equal(p->value.type, d->value.type);
  }
  p = wes_query_key_at(q, 1);
  assert_string_equal(p->path, "Sender");
  assert_int_equal(p->op, WES_QUERY_OP_EQ);
  assert_string_equal(p->value.u.str, "boss");
  assert_null(wes_query_key_at(q, 3));
  wes_query_unref(q);
  /* a <> term is in the conjunction but is no key */
  q = compile_ok("SELECT * FROM EmailEvent WHERE Importance = 3 AND Sender <> "
                 "'boss'",
                 0);
  assert_int_equal(wes_query_dnf_size(q, 0), 2);
  assert_int_equal(wes_query_key_count(q), 1);
  p = wes_query_key_at(q, 0);
  assert_string_equal(p->path, "Importance");
  assert_int_equal(p->value.u.uint, 3);
  assert_null(wes_query_key_at(q, 1));
  wes_query_unref(q);
  /* an OR at the top has no keys; its conjunctions are still there */
  q = compile_ok("SELECT * FROM EmailEvent WHERE Importance = 3 OR Sender = "
                 "'boss'",
                 0);
  assert_hr_ok(wes_query_dnf_count(q, &n));
  assert_int_equal(n, 2);
  assert_int_equal(wes_query_key_count(q), 0);
  assert_null(wes_query_key_at(q, 0));
  wes_query_unref(q);
  /* the WHERE tree is gone after compiling: HAVING, GROUP BY, the select
   * list and datetime constants still work */
  q = compile_ok("SELECT Sender, Importance FROM EmailEvent WHERE Importance "
                 "> 3 AND Sender LIKE 'b%' GROUP WITHIN 300 BY Sender "
                 "HAVING NumberOfEvents > 5",
                 0);
  assert_int_equal(wes_query_having_match(q, 6), 1);
  assert_int_equal(wes_query_having_match(q, 5), 0);
  assert_int_equal(wes_query_select_count(q), 2);
  assert_string_equal(wes_query_select_at(q, 0), "Sender");
  assert_string_equal(wes_query_select_at(q, 1), "Importance");
  assert_int_equal(wes_query_group_by_count(q), 1);
  assert_string_equal(wes_query_group_by_at(q, 0), "Sender");
  assert_hr_ok(wes_object_new_by_name(ns, "EmailEvent", &e));
  assert_hr_ok(wes_object_set_string(e, "Sender", "bob"));
  assert_hr_ok(wes_object_set_uint32(e, "Importance", 4));
  wes_object_freeze(e);
  assert_int_equal(wes_query_match(q, e), 1);
  wes_object_unref(e);
  assert_hr_ok(wes_object_new_by_name(ns, "EmailEvent", &e));
  assert_hr_ok(wes_object_set_string(e, "Sender", "al"));
  assert_hr_ok(wes_object_set_uint32(e, "Importance", 4));
  wes_object_freeze(e);
  assert_int_equal(wes_query_match(q, e), 0);
  wes_object_unref(e);
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM SecurityViolationEvent WHERE TimeOfDetection "
                 "> '20200101120000.000000+000' AND TargetInstance.Name = 'x'",
                 WES_QUERY_SYNTAX_ONLY);
  wes_query_unref(q);
  q = compile_ok("SELECT * FROM SecurityViolationEvent WHERE TimeOfDetection "
                 "> '20200101120000.000000+000'",
                 0);
  assert_hr_ok(wes_object_new_by_name(ns, "SecurityViolationEvent", &e));
  assert_hr_ok(wes_object_set_datetime(e, "TimeOfDetection",
                                       "20200101130000.000000+060"));
  wes_object_freeze(e);
  assert_int_equal(wes_query_match(q, e), 0); /* 12:00 UTC: not later */
  wes_object_unref(e);
  assert_hr_ok(wes_object_new_by_name(ns, "SecurityViolationEvent", &e));
  assert_hr_ok(wes_object_set_datetime(e, "TimeOfDetection",
                                       "20200101120001.000000+000"));
  wes_object_freeze(e);
  assert_int_equal(wes_query_match(q, e), 1);
  wes_object_unref(e);
  wes_query_unref(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wql_out_of_memory),
      cmocka_unit_test(test_wql_documented_examples),
      cmocka_unit_test(test_wql_example_meanings),
      cmocka_unit_test(test_wql_error_table),
      cmocka_unit_test(test_wql_error_positions),
      cmocka_unit_test(test_wql_limits),
      cmocka_unit_test(test_wql_limits_exact),
      cmocka_unit_test(test_wql_precedence),
      cmocka_unit_test(test_wql_null_semantics),
      cmocka_unit_test(test_wql_coercion),
      cmocka_unit_test(test_wql_case_insensitive),
      cmocka_unit_test(test_wql_strings_and_escapes),
      cmocka_unit_test(test_wql_numbers_print),
      cmocka_unit_test(test_wql_projection),
      cmocka_unit_test(test_wql_analysis),
      cmocka_unit_test(test_wql_overlap),
      cmocka_unit_test(test_wql_covers),
      cmocka_unit_test(test_wql_value_compare_hash),
      cmocka_unit_test(test_wql_filter),
      cmocka_unit_test(test_wql_syntax_only),
      cmocka_unit_test(test_wql_or_sets),
      cmocka_unit_test(test_wql_peer_cases),
      cmocka_unit_test(test_wql_resolution),
      cmocka_unit_test(test_wql_isa_dominance),
      cmocka_unit_test(test_wql_threads),
      cmocka_unit_test(test_wql_compact_storage),
  };
  if (WES_FAILED(wes_replace_allocator(chaos_malloc, chaos_realloc,
                                       chaos_calloc, chaos_free))) {
    return 1;
  }
  return cmocka_run_group_tests_name("wql", tests, setup, teardown);
}
