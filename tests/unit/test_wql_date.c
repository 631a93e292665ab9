/* SPDX-License-Identifier: MIT */
/* WQL date/time literals (reference §11.3): every date and time form with
 * a valid and an invalid example, US order, two-digit years, leap days,
 * month names, mixed separators; then end to end through wes_query_compile
 * and wes_query_match against a datetime property. */
#include <stdlib.h>
#include <string.h>

#include "wes_test.h"

#include "wql/wql_internal.h"

static wes_namespace_t *ns;

static int setup(void **state) {
  static const char mof[] =
      "class Thing { string S; uint32 N; datetime When; };\n"
      "class Holder { Thing T; };\n"
      "class ThingEvent : __ExtrinsicEvent { datetime When; Thing T; };\n";
  (void)state;
  if (WES_FAILED(wes_namespace_new("root/test", &ns)) ||
      WES_FAILED(wes_mof_compile(ns, mof, sizeof(mof) - 1, NULL, NULL, NULL))) {
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  wes_namespace_unref(ns);
  return 0;
}

/* literal -> DMTF text, or NULL when the literal must be refused */
typedef struct date_case_s {
  const char *text;
  const char *dmtf;
} date_case_t;

static const date_case_t cases[] = {
    /* Mon[th] dd[,] [yy]yy */
    {"Apr 12 2000", "20000412000000.000000+000"},
    {"April 12, 2000", "20000412000000.000000+000"},
    {"apr 12 99", "19990412000000.000000+000"},
    {"Apr 31 2000", NULL}, /* April has 30 days */
    {"Apr 12 200", NULL},  /* 3-digit year */
    /* Mon[th][,] yyyy */
    {"Apr 2000", "20000401000000.000000+000"},
    {"APRIL, 2000", "20000401000000.000000+000"},
    {"Apr 99", NULL}, /* this form needs 4 digits */
    {"Apr,, 2000", NULL},
    /* Mon[th] [yy]yy dd */
    {"Apr 2000 12", "20000412000000.000000+000"},
    {"Apr 2000 32", NULL},
    {"Apr 2000, 12", NULL}, /* a comma only before a final year */
    /* dd Mon[th][,][ ][yy]yy */
    {"12 Apr 2000", "20000412000000.000000+000"},
    {"12 April, 2000", "20000412000000.000000+000"},
    {"12 Apr,2000", "20000412000000.000000+000"},
    {"12 Apr2000", "20000412000000.000000+000"},
    {"12 Apr 49", "20490412000000.000000+000"},
    {"12 Apr 50", "19500412000000.000000+000"},
    {"12Apr 2000", NULL},
    {"0 Apr 2000", NULL},
    /* dd [yy]yy Mon[th] */
    {"12 2000 Apr", "20000412000000.000000+000"},
    {"12 00 april", "20000412000000.000000+000"},
    {"12 2000, Apr", NULL},
    /* [yy]yy Mon[th] dd (a two-digit first number is the day) */
    {"2000 Apr 12", "20000412000000.000000+000"},
    {"10 Apr 12", "20120410000000.000000+000"},
    {"2000 Apr 120", NULL},
    /* yyyy Mon[th] */
    {"2000 Apr", "20000401000000.000000+000"},
    {"2000 Aprl", NULL}, /* neither the full name nor 3 letters */
    {"2000, Apr", NULL},
    /* yyyy dd Mon[th] */
    {"2000 12 Apr", "20000412000000.000000+000"},
    {"2000 31 Jun", NULL},
    /* [M]M{/-.}dd{/-.}[yy]yy: US order */
    {"4/12/2000", "20000412000000.000000+000"},
    {"04-12-00", "20000412000000.000000+000"},
    {"12.31.1999", "19991231000000.000000+000"},
    {"13/12/2000", NULL},
    {"4/12-2000", NULL}, /* mixed separators */
    {"4 / 12 / 2000", NULL},
    {"4:12:2000x", NULL},
    /* dd{/-.}[M]M{/-.}[yy]yy: read in US order, month first */
    {"05/04/2000", "20000504000000.000000+000"},
    {"25/12/2000", NULL}, /* month 25 */
    /* [M]M{/-.}[yy]yy{/-.}dd */
    {"4/2000/12", "20000412000000.000000+000"},
    {"4/2000/31", NULL},
    /* dd{/-.}[yy]yy{/-.}[M]M: month first as well */
    {"12.2000.04", "20001204000000.000000+000"},
    {"31.2000.04", NULL},
    /* [yy]yy{/-.}dd{/-.}[M]M: a 4-digit year first is followed by M/d */
    {"2000-04-12", "20000412000000.000000+000"},
    {"2000-31-12", NULL},
    /* [yy]yy{/-.}[M]M{/-.}dd */
    {"2000/4/12", "20000412000000.000000+000"},
    {"2000/4.12", NULL},
    {"2000/04/012", NULL}, /* 3-digit day */
    /* [yy]yyMMdd */
    {"000412", "20000412000000.000000+000"},
    {"20000412", "20000412000000.000000+000"},
    {"20001312", NULL},
    {"0004121", NULL}, /* 7 digits */
    /* yyyy[MM[dd]] */
    {"2000", "20000101000000.000000+000"},
    {"200004", "20000401000000.000000+000"}, /* not a valid yyMMdd */
    {"199913", NULL},
    {"123456789", NULL},
    /* leap days */
    {"2/29/2000", "20000229000000.000000+000"},
    {"2/29/2024", "20240229000000.000000+000"},
    {"Feb 29 1900", NULL},
    {"29 February 2023", NULL},
    {"20230229", NULL},
    /* month names: full and 3 letters, any case */
    {"JAN 1 2000", "20000101000000.000000+000"},
    {"january 1 2000", "20000101000000.000000+000"},
    {"FeBrUaRy 1 2000", "20000201000000.000000+000"},
    {"mar 1 2000", "20000301000000.000000+000"},
    {"May 1 2000", "20000501000000.000000+000"},
    {"Jun 1 2000", "20000601000000.000000+000"},
    {"July 1 2000", "20000701000000.000000+000"},
    {"aug 1 2000", "20000801000000.000000+000"},
    {"Sep 1 2000", "20000901000000.000000+000"},
    {"September 1 2000", "20000901000000.000000+000"},
    {"Oct 1 2000", "20001001000000.000000+000"},
    {"November 1 2000", "20001101000000.000000+000"},
    {"DEC 1 2000", "20001201000000.000000+000"},
    {"Sept 1 2000", NULL},
    {"Ja 1 2000", NULL},
    {"Apr Apr 2000", NULL},
    /* times alone: the date is 1900-01-01, no offset means UTC */
    /* hh[ ]{A|P}M */
    {"10 PM", "19000101220000.000000+000"},
    {"10am", "19000101100000.000000+000"},
    {"12 AM", "19000101000000.000000+000"},
    {"12 PM", "19000101120000.000000+000"},
    {"13 PM", NULL},
    {"0 AM", NULL},
    {"10", NULL},
    /* hh:mm */
    {"10:30", "19000101103000.000000+000"},
    {"23:59", "19000101235900.000000+000"},
    {"24:00", NULL},
    {"10:3", NULL},
    /* hh:mm[ ]{A|P}M */
    {"10:30 PM", "19000101223000.000000+000"},
    {"10:30pm", "19000101223000.000000+000"},
    {"10:60 PM", NULL},
    {"10:30 XM", NULL},
    /* hh:mm:ss */
    {"10:30:15", "19000101103015.000000+000"},
    {"10:30:60", NULL},
    /* hh:mm:ss[ ]{A|P}M */
    {"1:30:15 AM", "19000101013015.000000+000"},
    {"1:30:15 AM PM", NULL},
    /* hh:mm:ss:uuu (the trailing number: UTC offset in minutes) */
    {"10:30:15:300", "19000101103015.000000+300"},
    {"10:30:15:1000", NULL},
    /* hh:mm:ss:[[u]u]u */
    {"10:30:15:5", "19000101103015.000000+005"},
    {"10:30:15:60", "19000101103015.000000+060"},
    {"10:30:15:", NULL},
    /* hh:mm:ss:uuu[ ]{A|P}M */
    {"10:30:15:120 PM", "19000101223015.000000+120"},
    {"10:30:15:120:1 PM", NULL},
    /* hh:mm:ss:[[u]u]u[ ]{A|P}M */
    {"10:30:15:0pm", "19000101223015.000000+000"},
    {"10:30:15:0 PM 2000", NULL},
    /* date and time */
    {"4/12/2000 10:30:15", "20000412103015.000000+000"},
    {"Apr 12, 2000 10:30 PM", "20000412223000.000000+000"},
    {"2000-04-12 10:30:15:060", "20000412103015.000000+060"},
    {"  12 Apr 2000  10 AM  ", "20000412100000.000000+000"},
    {"4/12/2000T10:30:15", NULL},
    {"4/12/2000,10:30", NULL},
    /* neither */
    {"", NULL},
    {"   ", NULL},
    {"yesterday", NULL},
    {"4/12/2000 +300", NULL},
    {"2000-04-12 10:30:15.5", NULL},
};

static void test_wql_date_forms(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    wes_datetime_t dt;
    char buf[WES_DATETIME_LENGTH + 1];
    bool ok =
        wes__wql_date_parse(cases[i].text, strlen(cases[i].text), &dt);
    if (cases[i].dmtf == NULL) {
      if (ok) {
        fail_msg("'%s' accepted, want refused", cases[i].text);
      }
      continue;
    }
    if (!ok) {
      fail_msg("'%s' refused, want %s", cases[i].text, cases[i].dmtf);
    }
    assert_hr_ok(wes_datetime_format(&dt, buf, sizeof(buf)));
    if (strcmp(buf, cases[i].dmtf) != 0) {
      fail_msg("'%s' -> %s, want %s", cases[i].text, buf, cases[i].dmtf);
    }
  }
  /* not NUL-terminated: only len bytes are read */
  {
    wes_datetime_t dt;
    assert_true(wes__wql_date_parse("2000x", 4, &dt));
    assert_int_equal(dt.year, 2000);
    assert_false(wes__wql_date_parse(NULL, 0, &dt));
  }
}

static wes_object_t *thing(const char *when) {
  wes_object_t *o = NULL;
  assert_hr_ok(wes_object_new_by_name(ns, "ThingEvent", &o));
  if (when != NULL) {
    assert_hr_ok(wes_object_set_datetime(o, "When", when));
  }
  wes_object_freeze(o);
  return o;
}

static int matches(const char *where, const char *when) {
  char text[512];
  wes_query_t *q = NULL;
  wes_object_t *o;
  wes_error_t err;
  int m;
  snprintf(text, sizeof(text), "SELECT * FROM ThingEvent WHERE %s", where);
  if (WES_FAILED(wes_query_compile(ns, text, 0, &q, &err))) {
    fail_msg("'%s': %s", text, err.text);
  }
  o = thing(when);
  m = wes_query_match(q, o);
  wes_object_unref(o);
  wes_query_unref(q);
  return m;
}

static void test_wql_date_match(void **state) {
  (void)state;
  assert_true(matches("When = 'Apr 12 2000'", "20000412000000.000000+000"));
  assert_true(matches("When = '4/12/2000'", "20000412000000.000000+000"));
  /* instants: 02:00 at +120 is midnight UTC */
  assert_true(matches("When = '2000-04-12'", "20000412020000.000000+120"));
  assert_false(matches("When = '2000-04-12'", "20000412000000.000000+120"));
  assert_true(matches("When > 'Apr 11 2000 11:59 PM'",
                      "20000412000000.000000+000"));
  assert_false(matches("When < 'Apr 11 2000 11:59 PM'",
                       "20000412000000.000000+000"));
  assert_true(matches("'12 April 2000' <= When", "20000412000000.000000+000"));
  assert_true(matches("When = '2000-04-12 10:30:15:060'",
                      "20000412093015.000000+000"));
  assert_true(matches("When <> '1/1/1999'", "20000412000000.000000+000"));
  assert_false(matches("When = '1/1/1999'", NULL)); /* NULL property */
  assert_true(matches("T.When = '4/12/00'", "20000412000000.000000+000") ==
              0); /* T is NULL */
  /* DMTF text keeps working, and means the same instant */
  assert_true(matches("When = '20000412000000.000000+000'",
                      "20000412000000.000000+000"));
}

/* The index keys carry DMTF text, so an equality index finds the event. */
static void test_wql_date_keys(void **state) {
  wes_query_t *q = NULL;
  wes_object_t *o;
  wes_value_t v;
  const wes_query_pred_t *k;
  int cmp = 1;
  (void)state;
  assert_hr_ok(wes_query_compile(
      ns, "SELECT * FROM ThingEvent WHERE When = 'Apr 12 2000 10 PM'", 0, &q,
      NULL));
  assert_int_equal(wes_query_key_count(q), 1);
  k = wes_query_key_at(q, 0);
  assert_int_equal(k->value.type, WES_CIM_DATETIME);
  assert_string_equal(k->value.u.str, "20000412220000.000000+000");
  o = thing("20000412230000.000000+060");
  assert_hr_ok(wes_object_get(o, "When", &v));
  assert_hr_ok(wes_query_value_compare(&v, &k->value, &cmp));
  assert_int_equal(cmp, 0);
  assert_true(wes_query_value_hash(&v) == wes_query_value_hash(&k->value));
  assert_true(wes_query_match(q, o));
  /* the canonical text keeps the literal as written */
  assert_non_null(strstr(wes_query_canonical(q), "'Apr 12 2000 10 PM'"));
  wes_object_unref(o);
  wes_query_unref(q);
}

static void test_wql_date_errors(void **state) {
  static const struct {
    const char *text;
    uint32_t col;
  } bad[] = {
      {"SELECT * FROM ThingEvent WHERE When = 'yesterday'", 37},
      {"SELECT * FROM ThingEvent WHERE When = '4/12-2000'", 37},
      {"SELECT * FROM ThingEvent WHERE When > 'Feb 29 2023'", 37},
      {"SELECT * FROM ThingEvent WHERE When < 'Apr 12 2000 25:00'", 37},
      {"SELECT * FROM ThingEvent WHERE '13/1/2000' = When", 44},
      {"SELECT * FROM ThingEvent WHERE When = 20000412", 37},
      {"SELECT * FROM ThingEvent WHERE T.When = 'Apr 2000 12 AM PM'", 39},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    wes_query_t *q = NULL;
    wes_error_t err;
    wes_hresult_t hr = wes_query_compile(ns, bad[i].text, 0, &q, &err);
    if (hr != WES_E_TYPE_MISMATCH || err.line != 1 ||
        err.column != bad[i].col) {
      fail_msg("'%s': %s at %u:%u (%s), want TYPE_MISMATCH at 1:%u",
               bad[i].text, wes_err_name(hr), err.line, err.column, err.text,
               bad[i].col);
    }
    assert_null(q);
  }
  /* the same literals are plain strings for a string property */
  {
    wes_query_t *q = NULL;
    assert_hr_ok(wes_query_compile(
        ns, "SELECT * FROM ThingEvent WHERE T.S = 'Apr 12 2000'", 0, &q,
        NULL));
    wes_query_unref(q);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wql_date_forms),
      cmocka_unit_test(test_wql_date_match),
      cmocka_unit_test(test_wql_date_keys),
      cmocka_unit_test(test_wql_date_errors),
  };
  return cmocka_run_group_tests_name("wql_date", tests, setup, teardown);
}
