/* SPDX-License-Identifier: MIT */
/* DMTF datetime: parsing, validation, formatting, comparison, arithmetic,
 * Unix and FILETIME conversions (reference section 10.4). */
#include <stdlib.h>

#include "wes_test.h"

static wes_datetime_t parse_ok(const char *text) {
  wes_datetime_t dt;
  wes_error_t err;
  wes_error_clear(&err);
  memset(&dt, 0x5a, sizeof(dt));
  if (WES_FAILED(wes_datetime_parse(text, &dt, &err))) {
    fail_msg("parse of '%s' failed: %s", text, err.text);
  }
  return dt;
}

/* Parses `text`, expecting failure `code` at `column`. */
static void parse_bad(const char *text, wes_hresult_t code, uint32_t column) {
  wes_datetime_t dt;
  wes_error_t err;
  memset(&dt, 0x5a, sizeof(dt));
  wes_error_clear(&err);
  assert_hr_equal(wes_datetime_parse(text, &dt, &err), code);
  assert_hr_equal(err.code, code);
  if (err.column != column) {
    fail_msg("'%s': column %u, expected %u (%s)", text, err.column, column,
             err.text);
  }
  assert_true(err.text[0] != '\0');
  /* ret_dt untouched on failure */
  assert_int_equal(dt.year, 0x5a5a5a5a);
}

/* Formats dt and checks the text. */
static void format_is(const wes_datetime_t *dt, const char *expect) {
  char buf[WES_DATETIME_LENGTH + 1];
  assert_hr_ok(wes_datetime_format(dt, buf, sizeof(buf)));
  assert_string_equal(buf, expect);
}

static void roundtrip(const char *text) {
  wes_datetime_t dt = parse_ok(text);
  format_is(&dt, text);
}

static int cmp_text(const char *a, const char *b) {
  int c = 99;
  assert_hr_ok(wes_datetime_compare_text(a, b, &c));
  return c;
}

static void test_datetime_parse_absolute(void **state) {
  wes_datetime_t dt;
  (void)state;
  dt = parse_ok("19940107140332.000000-300");
  assert_int_equal(dt.flags, 0);
  assert_int_equal(dt.year, 1994);
  assert_int_equal(dt.month, 1);
  assert_int_equal(dt.day, 7);
  assert_int_equal(dt.hour, 14);
  assert_int_equal(dt.minute, 3);
  assert_int_equal(dt.second, 32);
  assert_int_equal(dt.microsecond, 0);
  assert_int_equal(dt.utc_offset, -300);
  dt = parse_ok("99991231235959.999999+999");
  assert_int_equal(dt.year, 9999);
  assert_int_equal(dt.microsecond, 999999);
  assert_int_equal(dt.utc_offset, 999);
  dt = parse_ok("00000101000000.000000-001");
  assert_int_equal(dt.year, 0);
  assert_int_equal(dt.utc_offset, -1);
  assert_int_equal(dt.flags & WES_DT_NO_OFFSET, 0);
  roundtrip("19940107140332.000000-300");
  roundtrip("20240229120000.500000+060");
  roundtrip("00000101000000.000000-001");
  roundtrip("00000101000000.000000-000");
  roundtrip("00000101000000.000000+000");
  roundtrip("20161231235960.000000+000"); /* leap second */
}

static void test_datetime_parse_asterisks(void **state) {
  wes_datetime_t dt;
  (void)state;
  dt = parse_ok("19980416******.000000+***");
  assert_int_equal(dt.year, 1998);
  assert_int_equal(dt.day, 16);
  assert_int_equal(dt.hour, WES_DT_UNSPECIFIED);
  assert_int_equal(dt.minute, WES_DT_UNSPECIFIED);
  assert_int_equal(dt.second, WES_DT_UNSPECIFIED);
  assert_int_equal(dt.microsecond, 0);
  assert_true((dt.flags & WES_DT_NO_OFFSET) != 0);
  assert_true((dt.flags & WES_DT_MINUS_SIGN) == 0);
  assert_int_equal(dt.utc_offset, 0);
  parse_bad("19980416******.000000+**", WES_E_INVALID_SYNTAX, 25);
}

static void test_datetime_parse_asterisk_forms(void **state) {
  wes_datetime_t dt;
  (void)state;
  dt = parse_ok("**************.******-***");
  assert_int_equal(dt.year, WES_DT_UNSPECIFIED);
  assert_int_equal(dt.month, WES_DT_UNSPECIFIED);
  assert_int_equal(dt.microsecond, WES_DT_UNSPECIFIED);
  assert_true((dt.flags & WES_DT_MINUS_SIGN) != 0);
  roundtrip("**************.******-***");
  roundtrip("19980416******.000000+***");
  roundtrip("****0229******.******+000"); /* any year: 29 Feb allowed */
  roundtrip("2020****120000.000000+060");
  /* Partial microseconds ("precision"). */
  dt = parse_ok("20200101000000.123***+000");
  assert_int_equal(dt.microsecond, 123000);
  assert_int_equal(WES_DT_US_STARS(dt.flags), 3);
  roundtrip("20200101000000.123***+000");
  roundtrip("20200101000000.12345*+000");
  /* Whole fields only. */
  parse_bad("199*0416******.000000+***", WES_E_INVALID_SYNTAX, 4);
  parse_bad("1998041*******.000000+***", WES_E_INVALID_SYNTAX, 8);
  parse_bad("19980416*1****.000000+***", WES_E_INVALID_SYNTAX, 10);
  parse_bad("20200101000000.1*3***+000", WES_E_INVALID_SYNTAX, 18);
  parse_bad("20200101000000.*12345+000", WES_E_INVALID_SYNTAX, 17);
  parse_bad("20200101000000.000000+*00", WES_E_INVALID_SYNTAX, 24);
  parse_bad("20200101000000.000000+0**", WES_E_INVALID_SYNTAX, 24);
  /* Asterisks never in intervals. */
  parse_bad("0000000*120032.000000:000", WES_E_INVALID_SYNTAX, 8);
  parse_bad("00000001120032.******:000", WES_E_INVALID_SYNTAX, 16);
}

static void test_datetime_parse_interval(void **state) {
  wes_datetime_t dt;
  int64_t us = 0;
  (void)state;
  dt = parse_ok("00000001120032.000000:000");
  assert_int_equal(dt.flags, WES_DT_INTERVAL);
  assert_int_equal(dt.days, 1);
  assert_int_equal(dt.hour, 12);
  assert_int_equal(dt.minute, 0);
  assert_int_equal(dt.second, 32);
  assert_hr_ok(wes_datetime_to_unix_us(&dt, &us));
  assert_true(us == INT64_C(1) * 86400000000 + INT64_C(12) * 3600000000 +
                        INT64_C(32) * 1000000);
  roundtrip("00000001120032.000000:000");
  roundtrip("99999999235959.999999:000");
  parse_bad("00000001120032.000000:001", WES_E_INVALID_SYNTAX, 25);
  parse_bad("00000001120032.000000:100", WES_E_INVALID_SYNTAX, 23);
  parse_bad("00000001240000.000000:000", WES_E_VALUE_OUT_OF_RANGE, 9);
  parse_bad("00000001006000.000000:000", WES_E_VALUE_OUT_OF_RANGE, 11);
  parse_bad("00000001000060.000000:000", WES_E_VALUE_OUT_OF_RANGE, 13);
  parse_bad("0000000A000000.000000:000", WES_E_INVALID_SYNTAX, 8);
}

static void test_datetime_parse_syntax_errors(void **state) {
  wes_datetime_t dt;
  (void)state;
  parse_bad("", WES_E_INVALID_SYNTAX, 1);
  parse_bad("19940107140332.000000-30", WES_E_INVALID_SYNTAX, 25);
  parse_bad("19940107140332.000000-3000", WES_E_INVALID_SYNTAX, 26);
  parse_bad("19940107140332.000000-300 and more", WES_E_INVALID_SYNTAX, 26);
  parse_bad("19940107140332,000000-300", WES_E_INVALID_SYNTAX, 15);
  parse_bad("19940107140332.000000 300", WES_E_INVALID_SYNTAX, 22);
  parse_bad("19940107140332.000000*300", WES_E_INVALID_SYNTAX, 22);
  parse_bad("1994010714033x.000000-300", WES_E_INVALID_SYNTAX, 14);
  parse_bad("x9940107140332.000000-300", WES_E_INVALID_SYNTAX, 1);
  parse_bad("19940107140332.00000a-300", WES_E_INVALID_SYNTAX, 21);
  parse_bad("19940107140332.000000-3a0", WES_E_INVALID_SYNTAX, 24);
  parse_bad("1994-01-07 14:03:32.00000", WES_E_INVALID_SYNTAX, 5);
  parse_bad("19940107140332.000000-\xc3\xa9"
            "0",
            WES_E_INVALID_SYNTAX, 23);
  parse_bad("\xff"
            "9940107140332.000000-300",
            WES_E_INVALID_SYNTAX, 1);
  assert_hr_equal(wes_datetime_parse(NULL, &dt, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_parse("19940107140332.000000-300", NULL, NULL),
                  WES_E_INVALID_PARAMETER);
}

static void test_datetime_parse_ranges(void **state) {
  (void)state;
  parse_bad("19941307140332.000000-300", WES_E_VALUE_OUT_OF_RANGE, 5);
  parse_bad("19940007140332.000000-300", WES_E_VALUE_OUT_OF_RANGE, 5);
  parse_bad("19940100140332.000000-300", WES_E_VALUE_OUT_OF_RANGE, 7);
  parse_bad("19940132140332.000000-300", WES_E_VALUE_OUT_OF_RANGE, 7);
  parse_bad("19940431140332.000000-300", WES_E_VALUE_OUT_OF_RANGE, 7);
  parse_bad("19940230000000.000000+000", WES_E_VALUE_OUT_OF_RANGE, 7);
  parse_bad("19940107240000.000000+000", WES_E_VALUE_OUT_OF_RANGE, 9);
  parse_bad("19940107006000.000000+000", WES_E_VALUE_OUT_OF_RANGE, 11);
  parse_bad("19940107000061.000000+000", WES_E_VALUE_OUT_OF_RANGE, 13);
  parse_bad("****0230******.******+***", WES_E_VALUE_OUT_OF_RANGE, 7);
  parse_bad("******32******.******+***", WES_E_VALUE_OUT_OF_RANGE, 7);
  parse_bad("****13********.******+***", WES_E_VALUE_OUT_OF_RANGE, 5);
  /* Unknown month: any day 1..31. */
  roundtrip("2019**31******.******+***");
}

static void test_datetime_leap_years(void **state) {
  (void)state;
  roundtrip("20000229000000.000000+000"); /* divisible by 400 */
  roundtrip("20240229000000.000000+000"); /* divisible by 4 */
  roundtrip("16000229000000.000000+000");
  roundtrip("00000229000000.000000+000"); /* year 0 is a leap year */
  parse_bad("19000229000000.000000+000", WES_E_VALUE_OUT_OF_RANGE, 7);
  parse_bad("21000229000000.000000+000", WES_E_VALUE_OUT_OF_RANGE, 7);
  parse_bad("20230229000000.000000+000", WES_E_VALUE_OUT_OF_RANGE, 7);
}

static void test_datetime_format_checks(void **state) {
  wes_datetime_t dt;
  char small[25], buf[26];
  (void)state;
  dt = parse_ok("19940107140332.000000-300");
  assert_hr_equal(wes_datetime_format(&dt, small, sizeof(small)),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_format(NULL, buf, sizeof(buf)),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_format(&dt, NULL, 26), WES_E_INVALID_PARAMETER);
  dt.month = 13;
  assert_hr_equal(wes_datetime_format(&dt, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  dt = parse_ok("19940107140332.000000-300");
  dt.utc_offset = 1000;
  assert_hr_equal(wes_datetime_format(&dt, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  dt.utc_offset = INT32_MIN;
  assert_hr_equal(wes_datetime_format(&dt, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  dt = parse_ok("19940107140332.000000-300");
  dt.year = 10000;
  assert_hr_equal(wes_datetime_format(&dt, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  dt.year = -2;
  assert_hr_equal(wes_datetime_format(&dt, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  dt = parse_ok("19940228140332.000000-300");
  dt.day = 29;
  assert_hr_equal(wes_datetime_format(&dt, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  dt = parse_ok("00000001120032.000000:000");
  dt.days = INT64_C(100000000);
  assert_hr_equal(wes_datetime_format(&dt, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  dt.days = -1;
  assert_hr_equal(wes_datetime_format(&dt, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
}

static void test_datetime_compare_instants(void **state) {
  wes_datetime_t a, b;
  int c = 0;
  (void)state;
  /* Same instant at different offsets. */
  assert_int_equal(
      cmp_text("20200101000000.000000+060", "20191231230000.000000+000"), 0);
  assert_int_equal(
      cmp_text("20200101000000.000000+000", "20200101000000.000001+000"), -1);
  /* 10:00 at -300 is 15:00 UTC, later than 12:00 UTC, although the text
   * sorts lower. */
  assert_int_equal(
      cmp_text("20200101100000.000000-300", "20200101120000.000000+000"), 1);
  assert_int_equal(
      cmp_text("99991231235959.999999-999", "00000101000000.000000+999"), 1);
  /* Intervals by length. */
  assert_int_equal(
      cmp_text("00000001000000.000000:000", "00000000235959.999999:000"), 1);
  assert_int_equal(
      cmp_text("00000001000000.000000:000", "00000001000000.000000:000"), 0);
  /* Interval against absolute. */
  assert_hr_equal(wes_datetime_compare_text("00000001000000.000000:000",
                                            "20200101000000.000000+000", &c),
                  WES_E_TYPE_MISMATCH);
  /* Bad text. */
  assert_hr_equal(
      wes_datetime_compare_text("2020", "20200101000000.000000+000", &c),
      WES_E_INVALID_SYNTAX);
  a = parse_ok("20200101000000.000000+000");
  b = a;
  b.month = 0;
  assert_hr_equal(wes_datetime_compare(&a, &b, &c), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_compare(&a, NULL, &c), WES_E_INVALID_PARAMETER);
}

static void test_datetime_compare_wmi_rules(void **state) {
  (void)state;
  /* A missing offset is not +000. */
  assert_int_not_equal(
      cmp_text("20200101000000.000000+***", "20200101000000.000000+000"), 0);
  assert_int_equal(
      cmp_text("20200101000000.000000+***", "20200101000000.000000+***"), 0);
  assert_int_not_equal(
      cmp_text("20200101000000.000000+***", "20200101000000.000000-***"), 0);
  /* Text order: the offset is not applied when either side lacks it. */
  assert_int_equal(
      cmp_text("20200101100000.000000+***", "20200101120000.000000-300"), -1);
  /* Asterisks: equal only to the same pattern. */
  assert_int_equal(
      cmp_text("19980416******.000000+***", "19980416******.000000+***"), 0);
  assert_int_not_equal(
      cmp_text("19980416******.000000+***", "19980416120000.000000+***"), 0);
  assert_int_equal(
      cmp_text("19980416******.000000+***", "19980417******.000000+***"), -1);
}

static void test_datetime_unix(void **state) {
  wes_datetime_t dt;
  int64_t us = 0;
  char buf[26];
  (void)state;
  dt = parse_ok("19700101000000.000000+000");
  assert_hr_ok(wes_datetime_to_unix_us(&dt, &us));
  assert_true(us == 0);
  dt = parse_ok("20000101000000.000000+000");
  assert_hr_ok(wes_datetime_to_unix_us(&dt, &us));
  assert_true(us == INT64_C(946684800) * 1000000);
  dt = parse_ok("19940107140332.000000-300");
  assert_hr_ok(wes_datetime_to_unix_us(&dt, &us));
  assert_true(us == INT64_C(757969412) * 1000000);
  dt = parse_ok("19691231235959.999999+000");
  assert_hr_ok(wes_datetime_to_unix_us(&dt, &us));
  assert_true(us == -1);
  dt = parse_ok("00000101000000.000000+000");
  assert_hr_ok(wes_datetime_to_unix_us(&dt, &us));
  assert_true(us == INT64_C(-62167219200) * 1000000);

  assert_hr_ok(wes_datetime_from_unix_us(-1, 0, &dt));
  assert_hr_ok(wes_datetime_format(&dt, buf, sizeof(buf)));
  assert_string_equal(buf, "19691231235959.999999+000");
  assert_hr_ok(
      wes_datetime_from_unix_us(INT64_C(757969412) * 1000000, -300, &dt));
  assert_hr_ok(wes_datetime_format(&dt, buf, sizeof(buf)));
  assert_string_equal(buf, "19940107140332.000000-300");
  assert_hr_ok(wes_datetime_from_unix_us(0, 999, &dt));
  assert_hr_ok(wes_datetime_format(&dt, buf, sizeof(buf)));
  assert_string_equal(buf, "19700101163900.000000+999");

  /* Unspecified fields and missing offsets. */
  dt = parse_ok("19980416******.000000+000");
  assert_hr_equal(wes_datetime_to_unix_us(&dt, &us), WES_E_INVALID_OPERATION);
  dt = parse_ok("19980416000000.000000+***");
  assert_hr_equal(wes_datetime_to_unix_us(&dt, &us), WES_E_INVALID_OPERATION);
  assert_hr_equal(wes_datetime_to_unix_us(NULL, &us), WES_E_INVALID_PARAMETER);

  /* Out of range: years outside 0000..9999, offsets, extremes. */
  assert_hr_equal(wes_datetime_from_unix_us(INT64_MAX, 0, &dt),
                  WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_equal(wes_datetime_from_unix_us(INT64_MIN, 0, &dt),
                  WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_equal(wes_datetime_from_unix_us(INT64_MAX, -999, &dt),
                  WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_equal(
      wes_datetime_from_unix_us(INT64_C(-62167219200) * 1000000, -1, &dt),
      WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_ok(
      wes_datetime_from_unix_us(INT64_C(-62167219200) * 1000000, 0, &dt));
  assert_int_equal(dt.year, 0);
  assert_hr_equal(
      wes_datetime_from_unix_us(INT64_C(253402300800) * 1000000, 0, &dt),
      WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_ok(
      wes_datetime_from_unix_us(INT64_C(253402300800) * 1000000 - 1, 0, &dt));
  assert_int_equal(dt.year, 9999);
  assert_hr_equal(wes_datetime_from_unix_us(0, 1000, &dt),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_from_unix_us(0, 0, NULL),
                  WES_E_INVALID_PARAMETER);
}

/* Every ~13th day of years 0..9999 converts there and back. */
static void test_datetime_unix_roundtrip_sweep(void **state) {
  int64_t us;
  (void)state;
  for (us = INT64_C(-62167219200) * 1000000;
       us < INT64_C(253402300800) * 1000000; us += INT64_C(1123456789012)) {
    wes_datetime_t dt;
    int64_t back = 0;
    int32_t off = (int32_t)(((us / 1000000) % 1999 + 1999) % 1999) - 999;
    wes_hresult_t hr = wes_datetime_from_unix_us(us, off, &dt);
    if (hr == WES_E_VALUE_OUT_OF_RANGE) {
      continue; /* local time fell outside 0000..9999 */
    }
    assert_hr_ok(hr);
    assert_hr_ok(wes_datetime_to_unix_us(&dt, &back));
    assert_true(back == us);
  }
}

static void test_datetime_filetime(void **state) {
  wes_datetime_t dt;
  int64_t us = 0;
  uint64_t now;
  (void)state;
  /* Reference 10.1: 1970-01-01 is 116444736000000000 ticks. */
  assert_true(wes_filetime_from_unix_us(0) == UINT64_C(116444736000000000));
  assert_true(wes_filetime_to_unix_us(UINT64_C(116444736000000000)) == 0);
  /* 1601-01-01 is tick 0. */
  dt = parse_ok("16010101000000.000000+000");
  assert_hr_ok(wes_datetime_to_unix_us(&dt, &us));
  assert_true(wes_filetime_from_unix_us(us) == 0);
  assert_true(wes_filetime_to_unix_us(0) == us);
  /* A known instant: 2000-01-01 00:00 UTC = 125911584000000000. */
  dt = parse_ok("20000101010000.000000+060");
  assert_hr_ok(wes_datetime_to_unix_us(&dt, &us));
  assert_true(wes_filetime_from_unix_us(us) == UINT64_C(125911584000000000));
  assert_true(wes_filetime_to_unix_us(UINT64_C(125911584000000000)) == us);
  /* Sub-microsecond ticks truncate. */
  assert_true(wes_filetime_to_unix_us(UINT64_C(116444736000000009)) == 0);
  assert_true(wes_filetime_to_unix_us(UINT64_C(116444736000000010)) == 1);
  /* Saturation, never overflow. */
  assert_true(wes_filetime_from_unix_us(INT64_MIN) == 0);
  assert_true(wes_filetime_from_unix_us(INT64_C(-11644473600000001)) == 0);
  assert_true(wes_filetime_from_unix_us(INT64_MAX) == UINT64_MAX);
  assert_true(wes_filetime_to_unix_us(UINT64_MAX) ==
              (int64_t)(UINT64_MAX / 10) - INT64_C(11644473600000000));
  /* Now is after 2020 and before 2200. */
  now = wes_filetime_now();
  assert_true(now > wes_filetime_from_unix_us(INT64_C(1577836800) * 1000000));
  assert_true(now < wes_filetime_from_unix_us(INT64_C(7258118400) * 1000000));
}

static void test_datetime_intervals(void **state) {
  wes_datetime_t a, b, iv, r;
  char buf[26];
  (void)state;
  a = parse_ok("20200301000000.000000+000");
  b = parse_ok("20200228120000.000000+000");
  assert_hr_ok(wes_datetime_diff(&a, &b, &iv));
  assert_hr_ok(wes_datetime_format(&iv, buf, sizeof(buf)));
  assert_string_equal(buf, "00000001120000.000000:000"); /* leap year */
  assert_hr_equal(wes_datetime_diff(&b, &a, &iv), WES_E_VALUE_OUT_OF_RANGE);
  /* Offsets applied. */
  a = parse_ok("20200101000000.000000+060");
  b = parse_ok("20200101000000.000000+000");
  assert_hr_equal(wes_datetime_diff(&a, &b, &iv), WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_ok(wes_datetime_diff(&b, &a, &iv));
  assert_hr_ok(wes_datetime_format(&iv, buf, sizeof(buf)));
  assert_string_equal(buf, "00000000010000.000000:000");
  /* add */
  a = parse_ok("20231231230000.000000-300");
  iv = parse_ok("00000000013000.000001:000");
  assert_hr_ok(wes_datetime_add(&a, &iv, &r));
  assert_hr_ok(wes_datetime_format(&r, buf, sizeof(buf)));
  assert_string_equal(buf, "20240101003000.000001-300");
  a = parse_ok("20240228000000.000000+***");
  iv = parse_ok("00000001000000.000000:000");
  assert_hr_ok(wes_datetime_add(&a, &iv, &r));
  assert_hr_ok(wes_datetime_format(&r, buf, sizeof(buf)));
  assert_string_equal(buf, "20240229000000.000000+***");
  /* Largest interval overflows the calendar, cleanly. */
  iv = parse_ok("99999999235959.999999:000");
  assert_hr_equal(wes_datetime_add(&a, &iv, &r), WES_E_VALUE_OUT_OF_RANGE);
  a = parse_ok("99991231235959.999999+000");
  iv = parse_ok("00000000000000.000001:000");
  assert_hr_equal(wes_datetime_add(&a, &iv, &r), WES_E_VALUE_OUT_OF_RANGE);
  /* Kinds and unspecified fields. */
  assert_hr_equal(wes_datetime_add(&iv, &a, &r), WES_E_TYPE_MISMATCH);
  assert_hr_equal(wes_datetime_diff(&a, &iv, &r), WES_E_TYPE_MISMATCH);
  b = parse_ok("2024022800****.000000+000");
  assert_hr_equal(wes_datetime_add(&b, &iv, &r), WES_E_INVALID_OPERATION);
  assert_hr_equal(wes_datetime_diff(&a, &b, &r), WES_E_INVALID_OPERATION);
  b = parse_ok("20240228000000.000000+***");
  assert_hr_equal(wes_datetime_diff(&a, &b, &r), WES_E_INVALID_OPERATION);
  /* interval - interval */
  a = parse_ok("00000002000000.000000:000");
  b = parse_ok("00000000000000.000001:000");
  assert_hr_ok(wes_datetime_diff(&a, &b, &r));
  assert_hr_ok(wes_datetime_format(&r, buf, sizeof(buf)));
  assert_string_equal(buf, "00000001235959.999999:000");
  /* interval_from_us limits */
  assert_hr_equal(wes_datetime_interval_from_us(-1, &r),
                  WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_equal(wes_datetime_interval_from_us(INT64_MAX, &r),
                  WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_ok(
      wes_datetime_interval_from_us(INT64_C(100000000) * 86400000000 - 1, &r));
  assert_hr_ok(wes_datetime_format(&r, buf, sizeof(buf)));
  assert_string_equal(buf, "99999999235959.999999:000");
  assert_hr_equal(wes_datetime_interval_from_us(0, NULL),
                  WES_E_INVALID_PARAMETER);
}

/*
 * Hand-built datetimes with one field out of range: format refuses them
 * with VALUE_OUT_OF_RANGE; conversion, comparison and arithmetic with
 * INVALID_PARAMETER (never a crash or an overflow).
 */
static void test_datetime_fields_out_of_range(void **state) {
  static const struct {
    int field; /* index into the field table below */
    int64_t value;
  } bad[] = {
      {0, 10000},     {0, -2},        {0, INT32_MIN}, {1, 0},
      {1, 13},        {2, 0},         {2, 30},        {3, 24},
      {3, -2},        {4, 60},        {5, 61},        {6, 1000000},
      {6, -7},        {6, INT32_MAX}, {7, 1000},      {7, -1000},
      {8, -1},        {8, 100000000}, {8, INT64_MAX}, {8, INT64_MIN},
  };
  wes_datetime_t abs = parse_ok("20240229120000.000000+060");
  wes_datetime_t iv = parse_ok("00000001000000.000000:000");
  wes_datetime_t r;
  char buf[WES_DATETIME_LENGTH + 1];
  int64_t us;
  int c;
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    /* Field 8 (days) is an interval's; the others an absolute time's
     * (29 February: day 30 is out of range). */
    wes_datetime_t x = bad[i].field == 8 ? iv : abs;
    int32_t *fields[8];
    fields[0] = &x.year;
    fields[1] = &x.month;
    fields[2] = &x.day;
    fields[3] = &x.hour;
    fields[4] = &x.minute;
    fields[5] = &x.second;
    fields[6] = &x.microsecond;
    fields[7] = &x.utc_offset;
    if (bad[i].field == 8) {
      x.days = bad[i].value;
    } else {
      *fields[bad[i].field] = (int32_t)bad[i].value;
    }
    assert_hr_equal(wes_datetime_format(&x, buf, sizeof(buf)),
                    WES_E_VALUE_OUT_OF_RANGE);
    assert_hr_equal(wes_datetime_to_unix_us(&x, &us),
                    WES_E_INVALID_PARAMETER);
    assert_hr_equal(wes_datetime_compare(&x, &x, &c),
                    WES_E_INVALID_PARAMETER);
    assert_hr_equal(wes_datetime_diff(&x, &x, &r), WES_E_INVALID_PARAMETER);
    if (bad[i].field == 8) {
      assert_hr_equal(wes_datetime_add(&abs, &x, &r),
                      WES_E_INVALID_PARAMETER);
    } else {
      assert_hr_equal(wes_datetime_add(&x, &iv, &r),
                      WES_E_INVALID_PARAMETER);
    }
  }
  /* An interval's second is 0..59 (no leap second). */
  r = iv;
  r.second = 60;
  assert_hr_equal(wes_datetime_format(&r, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_equal(wes_datetime_to_unix_us(&r, &us), WES_E_INVALID_PARAMETER);
  /* Unknown flag bits and an impossible count of microsecond asterisks. */
  r = abs;
  r.flags = 0xFFFFFFFFu;
  assert_hr_equal(wes_datetime_format(&r, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
  assert_hr_equal(wes_datetime_compare(&r, &abs, &c),
                  WES_E_INVALID_PARAMETER);
  r = abs;
  r.flags = 7u << WES_DT_US_STARS_SHIFT;
  assert_hr_equal(wes_datetime_format(&r, buf, sizeof(buf)),
                  WES_E_VALUE_OUT_OF_RANGE);
}

/* NULL in every pointer argument. */
static void test_datetime_null_arguments(void **state) {
  wes_datetime_t a = parse_ok("20240229120000.000000+060");
  wes_datetime_t iv = parse_ok("00000001000000.000000:000");
  wes_datetime_t r;
  char buf[WES_DATETIME_LENGTH + 1];
  int64_t us;
  int c;
  const char *t = "20240229120000.000000+060";
  (void)state;
  assert_hr_equal(wes_datetime_parse(NULL, &r, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_parse(t, NULL, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_ok(wes_datetime_parse(t, &r, NULL)); /* reterr is optional */
  assert_hr_equal(wes_datetime_parse("x", &r, NULL), WES_E_INVALID_SYNTAX);
  assert_hr_equal(wes_datetime_format(NULL, buf, sizeof(buf)),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_format(&a, NULL, sizeof(buf)),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_format(&a, buf, WES_DATETIME_LENGTH),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_to_unix_us(NULL, &us), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_to_unix_us(&a, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_from_unix_us(0, 0, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_interval_from_us(0, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_compare(NULL, &a, &c), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_compare(&a, NULL, &c), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_compare(&a, &a, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_compare_text(NULL, t, &c),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_compare_text(t, NULL, &c),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_compare_text(t, t, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_diff(NULL, &a, &r), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_diff(&a, NULL, &r), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_diff(&a, &a, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_add(NULL, &iv, &r), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_add(&a, NULL, &r), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datetime_add(&a, &iv, NULL), WES_E_INVALID_PARAMETER);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_datetime_parse_absolute),
      cmocka_unit_test(test_datetime_parse_asterisks),
      cmocka_unit_test(test_datetime_parse_asterisk_forms),
      cmocka_unit_test(test_datetime_parse_interval),
      cmocka_unit_test(test_datetime_parse_syntax_errors),
      cmocka_unit_test(test_datetime_parse_ranges),
      cmocka_unit_test(test_datetime_leap_years),
      cmocka_unit_test(test_datetime_format_checks),
      cmocka_unit_test(test_datetime_compare_instants),
      cmocka_unit_test(test_datetime_compare_wmi_rules),
      cmocka_unit_test(test_datetime_unix),
      cmocka_unit_test(test_datetime_unix_roundtrip_sweep),
      cmocka_unit_test(test_datetime_filetime),
      cmocka_unit_test(test_datetime_intervals),
      cmocka_unit_test(test_datetime_fields_out_of_range),
      cmocka_unit_test(test_datetime_null_arguments),
  };
  return cmocka_run_group_tests_name("datetime", tests, NULL, NULL);
}
