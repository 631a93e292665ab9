/* SPDX-License-Identifier: MIT */
/*
 * DMTF datetime (CIM_DATETIME): parsing, formatting, validation,
 * comparison, interval arithmetic and conversion to Unix microseconds and
 * FILETIME ticks. Everything is pure integer arithmetic on bounded values:
 * every input is range-checked before it is multiplied, so no path can
 * overflow.
 */
#include <string.h>
#include <time.h>

#include "internal.h"
#include "wes/datetime.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_MIN (60 * US_PER_SEC)
#define US_PER_HOUR (60 * US_PER_MIN)
#define US_PER_DAY (24 * US_PER_HOUR)

/* Seconds from 1601-01-01 to 1970-01-01 (FILETIME epoch to Unix epoch). */
#define FILETIME_EPOCH_DIFF_SEC INT64_C(11644473600)
#define FILETIME_EPOCH_DIFF_US (FILETIME_EPOCH_DIFF_SEC * US_PER_SEC)

#define MAX_INTERVAL_DAYS INT64_C(99999999)
#define MAX_OFFSET 999

/* Days from 1970-01-01 to 0000-01-01 and to 10000-01-01 (proleptic
 * Gregorian). */
#define DAYS_YEAR_0 INT64_C(-719528)
#define DAYS_YEAR_10000 INT64_C(2932897)

/* Column layout of the 25 characters (0-based start, width). */
typedef struct {
  int start;
  int width;
  const char *name;
} field_t;

enum { F_YEAR, F_MONTH, F_DAY, F_HOUR, F_MINUTE, F_SECOND, F_COUNT };

static const field_t abs_fields[F_COUNT] = {
    {0, 4, "year"}, {4, 2, "month"},   {6, 2, "day"},
    {8, 2, "hour"}, {10, 2, "minute"}, {12, 2, "second"},
};

#define POS_DOT 14
#define POS_US 15
#define POS_SIGN 21
#define POS_OFFSET 22

static int is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t year, int month) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap(year)) {
    return 29;
  }
  return mdays[month - 1];
}

/* Floor division for a positive divisor. */
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b) != 0 && a < 0) {
    q--;
  }
  return q;
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date. Works on 400-year
 * eras counted from 0000-03-01 so that February ends each computed year.
 * Valid for years 0..9999 (and far beyond; inputs are bounded anyway).
 */
static int64_t days_from_civil(int64_t y, int m, int d) {
  int64_t era, yoe, doy, doe;
  int mp;
  if (m <= 2) {
    y -= 1;
  }
  era = floor_div(y, 400);
  yoe = y - era * 400;                         /* 0..399 */
  mp = m > 2 ? m - 3 : m + 9;                  /* March = 0 */
  doy = (153 * mp + 2) / 5 + d - 1;            /* 0..365 */
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
  return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *ret_y, int *ret_m, int *ret_d) {
  int64_t era, doe, yoe, y, doy, mp;
  int m;
  z += 719468;
  era = floor_div(z, 146097);
  doe = z - era * 146097;                                      /* 0..146096 */
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* 0..365 */
  mp = (5 * doy + 2) / 153;                      /* 0..11 */
  *ret_d = (int)(doy - (153 * mp + 2) / 5 + 1);
  m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *ret_m = m;
  *ret_y = m <= 2 ? y + 1 : y;
}

/* ---- parsing ---- */

static char shown(char c) { return (c >= 0x20 && c < 0x7f) ? c : '?'; }

/*
 * Reads `width` characters at text+start: all digits (returns 1 and the
 * value), all asterisks (returns 0), else a syntax error at the first
 * offending column (returns -1 with *ret_col set).
 */
static int read_field(const char *text, int start, int width, int allow_stars,
                      int64_t *ret_val, int *ret_col) {
  int i, digits = 0, stars = 0;
  int64_t v = 0;
  for (i = 0; i < width; i++) {
    char c = text[start + i];
    if (c >= '0' && c <= '9' && stars == 0) {
      digits++;
      v = v * 10 + (c - '0');
    } else if (c == '*' && allow_stars && digits == 0) {
      stars++;
    } else {
      *ret_col = start + i + 1;
      return -1;
    }
  }
  *ret_val = v;
  return digits == width ? 1 : 0;
}

static wes_hresult_t syntax_error(wes_error_t *err, const char *text, int col,
                                  const char *what) {
  return wes__error(err, WES_E_INVALID_SYNTAX, 1, (uint32_t)col,
                    "datetime: %s at column %d (found '%c')", what, col,
                    shown(text[col - 1]));
}

static wes_hresult_t range_error(wes_error_t *err, int col, const char *name,
                                 int64_t v) {
  return wes__error(err, WES_E_VALUE_OUT_OF_RANGE, 1, (uint32_t)col,
                    "datetime: %s %lld out of range at column %d", name,
                    (long long)v, col);
}

/* Checks hour/minute/second ranges (already parsed as digits or stars). */
static wes_hresult_t check_time_fields(const wes_datetime_t *dt, int interval,
                                       wes_error_t *err) {
  if (dt->hour != WES_DT_UNSPECIFIED && dt->hour > 23) {
    return range_error(err, abs_fields[F_HOUR].start + 1, "hour", dt->hour);
  }
  if (dt->minute != WES_DT_UNSPECIFIED && dt->minute > 59) {
    return range_error(err, abs_fields[F_MINUTE].start + 1, "minute",
                       dt->minute);
  }
  if (dt->second != WES_DT_UNSPECIFIED && dt->second > (interval ? 59 : 60)) {
    return range_error(err, abs_fields[F_SECOND].start + 1, "second",
                       dt->second);
  }
  return WES_S_OK;
}

/* The microsecond field: digits, then optional trailing asterisks. */
static int read_microseconds(const char *text, int allow_stars, int32_t *ret_us,
                             uint32_t *ret_stars, int *ret_col) {
  int i, digits = 0;
  int32_t v = 0;
  for (i = 0; i < 6; i++) {
    char c = text[POS_US + i];
    if (c >= '0' && c <= '9' && digits == i) {
      digits++;
      v = v * 10 + (c - '0');
    } else if (c == '*' && allow_stars) {
      continue;
    } else {
      *ret_col = POS_US + i + 1;
      return -1;
    }
  }
  if (digits == 0) {
    *ret_us = WES_DT_UNSPECIFIED;
    *ret_stars = 0;
    return 0;
  }
  for (i = digits; i < 6; i++) {
    v *= 10;
  }
  *ret_us = v;
  *ret_stars = (uint32_t)(6 - digits);
  return 1;
}

static wes_hresult_t parse_interval(const char *text, wes_datetime_t *dt,
                                    wes_error_t *err) {
  int64_t v;
  int col = 0, f;
  uint32_t stars = 0;
  memset(dt, 0, sizeof(*dt));
  dt->flags = WES_DT_INTERVAL;
  if (read_field(text, 0, 8, 0, &v, &col) < 0) {
    return syntax_error(err, text, col, "digit expected in days");
  }
  dt->days = v;
  dt->year = 0;
  dt->month = 0;
  dt->day = 0;
  for (f = F_HOUR; f <= F_SECOND; f++) {
    if (read_field(text, abs_fields[f].start, abs_fields[f].width, 0, &v,
                   &col) < 0) {
      return syntax_error(err, text, col, "digit expected");
    }
    if (f == F_HOUR) {
      dt->hour = (int32_t)v;
    } else if (f == F_MINUTE) {
      dt->minute = (int32_t)v;
    } else {
      dt->second = (int32_t)v;
    }
  }
  if (text[POS_DOT] != '.') {
    return syntax_error(err, text, POS_DOT + 1, "'.' expected");
  }
  if (read_microseconds(text, 0, &dt->microsecond, &stars, &col) < 0) {
    return syntax_error(err, text, col, "digit expected in microseconds");
  }
  if (memcmp(text + POS_OFFSET, "000", 3) != 0) {
    for (col = POS_OFFSET; text[col] == '0'; col++) {
    }
    return syntax_error(err, text, col + 1, "interval must end in \":000\"");
  }
  return check_time_fields(dt, 1, err);
}

static wes_hresult_t parse_absolute(const char *text, wes_datetime_t *dt,
                                    wes_error_t *err) {
  int64_t v;
  int col = 0, f, r;
  int32_t *slots[F_COUNT];
  uint32_t stars = 0;
  memset(dt, 0, sizeof(*dt));
  slots[F_YEAR] = &dt->year;
  slots[F_MONTH] = &dt->month;
  slots[F_DAY] = &dt->day;
  slots[F_HOUR] = &dt->hour;
  slots[F_MINUTE] = &dt->minute;
  slots[F_SECOND] = &dt->second;
  for (f = 0; f < F_COUNT; f++) {
    r = read_field(text, abs_fields[f].start, abs_fields[f].width, 1, &v, &col);
    if (r < 0) {
      return syntax_error(err, text, col, "digit or whole-field '*' expected");
    }
    *slots[f] = r == 1 ? (int32_t)v : WES_DT_UNSPECIFIED;
  }
  if (text[POS_DOT] != '.') {
    return syntax_error(err, text, POS_DOT + 1, "'.' expected");
  }
  if (read_microseconds(text, 1, &dt->microsecond, &stars, &col) < 0) {
    return syntax_error(err, text, col,
                        "digit or trailing '*' expected in microseconds");
  }
  dt->flags |= stars << WES_DT_US_STARS_SHIFT;
  if (text[POS_SIGN] != '+' && text[POS_SIGN] != '-') {
    return syntax_error(err, text, POS_SIGN + 1,
                        "'+', '-' (offset) or ':' (interval) expected");
  }
  r = read_field(text, POS_OFFSET, 3, 1, &v, &col);
  if (r < 0) {
    return syntax_error(err, text, col, "digit or \"***\" expected in offset");
  }
  if (text[POS_SIGN] == '-' && (r == 0 || v == 0)) {
    dt->flags |= WES_DT_MINUS_SIGN;
  }
  if (r == 0) {
    dt->flags |= WES_DT_NO_OFFSET;
    dt->utc_offset = 0;
  } else {
    dt->utc_offset = (int32_t)(text[POS_SIGN] == '-' ? -v : v);
  }
  /* Ranges. */
  if (dt->month != WES_DT_UNSPECIFIED && (dt->month < 1 || dt->month > 12)) {
    return range_error(err, abs_fields[F_MONTH].start + 1, "month", dt->month);
  }
  if (dt->day != WES_DT_UNSPECIFIED) {
    int maxd = 31;
    if (dt->month != WES_DT_UNSPECIFIED) {
      /* An unknown year allows 29 February. */
      maxd = days_in_month(dt->year == WES_DT_UNSPECIFIED ? 2000 : dt->year,
                           dt->month);
    }
    if (dt->day < 1 || dt->day > maxd) {
      return range_error(err, abs_fields[F_DAY].start + 1, "day", dt->day);
    }
  }
  return check_time_fields(dt, 0, err);
}

wes_hresult_t wes_datetime_parse(const char *text, wes_datetime_t *ret_dt,
                                 wes_error_t *reterr) {
  wes_datetime_t dt;
  wes_hresult_t hr;
  size_t len;
  if (text == NULL || ret_dt == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "datetime: NULL argument");
  }
  len = strnlen(text, WES_DATETIME_LENGTH + 1);
  if (len != WES_DATETIME_LENGTH) {
    return wes__error(
        reterr, WES_E_INVALID_SYNTAX, 1,
        (uint32_t)(len < WES_DATETIME_LENGTH ? len + 1
                                             : WES_DATETIME_LENGTH + 1),
        "datetime: expected exactly %d characters, got %s%zu",
        WES_DATETIME_LENGTH, len > WES_DATETIME_LENGTH ? "more than " : "",
        len > WES_DATETIME_LENGTH ? (size_t)WES_DATETIME_LENGTH : len);
  }
  if (text[POS_SIGN] == ':') {
    hr = parse_interval(text, &dt, reterr);
  } else {
    hr = parse_absolute(text, &dt, reterr);
  }
  if (WES_FAILED(hr)) {
    return hr;
  }
  *ret_dt = dt;
  return WES_S_OK;
}

/* ---- validation of a struct, formatting ---- */

static int in_range_or_unspec(int32_t v, int32_t lo, int32_t hi) {
  return v == WES_DT_UNSPECIFIED || (v >= lo && v <= hi);
}

/* Checks a struct as wes_datetime_format would need it. */
static wes_hresult_t validate(const wes_datetime_t *dt) {
  uint32_t stars = WES_DT_US_STARS(dt->flags);
  if ((dt->flags & WES_DT_INTERVAL) != 0) {
    if (dt->days < 0 || dt->days > MAX_INTERVAL_DAYS || dt->hour < 0 ||
        dt->hour > 23 || dt->minute < 0 || dt->minute > 59 || dt->second < 0 ||
        dt->second > 59 || dt->microsecond < 0 || dt->microsecond > 999999 ||
        stars != 0) {
      return WES_E_VALUE_OUT_OF_RANGE;
    }
    return WES_S_OK;
  }
  if (!in_range_or_unspec(dt->year, 0, 9999) ||
      !in_range_or_unspec(dt->month, 1, 12) ||
      !in_range_or_unspec(dt->day, 1, 31) ||
      !in_range_or_unspec(dt->hour, 0, 23) ||
      !in_range_or_unspec(dt->minute, 0, 59) ||
      !in_range_or_unspec(dt->second, 0, 60) ||
      !in_range_or_unspec(dt->microsecond, 0, 999999) || stars > 5) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  if (dt->day != WES_DT_UNSPECIFIED && dt->month != WES_DT_UNSPECIFIED &&
      dt->day > days_in_month(dt->year == WES_DT_UNSPECIFIED ? 2000 : dt->year,
                              dt->month)) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  if ((dt->flags & WES_DT_NO_OFFSET) == 0 &&
      (dt->utc_offset < -MAX_OFFSET || dt->utc_offset > MAX_OFFSET)) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  return WES_S_OK;
}

static void put_num(char *p, int64_t v, int width) {
  int i;
  for (i = width - 1; i >= 0; i--) {
    p[i] = (char)('0' + (int)(v % 10));
    v /= 10;
  }
}

static void put_field(char *p, int32_t v, int width) {
  if (v == WES_DT_UNSPECIFIED) {
    memset(p, '*', (size_t)width);
  } else {
    put_num(p, v, width);
  }
}

/* Writes the 25 characters (no NUL) of a validated struct. */
static void format_raw(const wes_datetime_t *dt, char *p) {
  if ((dt->flags & WES_DT_INTERVAL) != 0) {
    put_num(p, dt->days, 8);
    put_num(p + 8, dt->hour, 2);
    put_num(p + 10, dt->minute, 2);
    put_num(p + 12, dt->second, 2);
    p[POS_DOT] = '.';
    put_num(p + POS_US, dt->microsecond, 6);
    memcpy(p + POS_SIGN, ":000", 4);
    return;
  }
  put_field(p, dt->year, 4);
  put_field(p + 4, dt->month, 2);
  put_field(p + 6, dt->day, 2);
  put_field(p + 8, dt->hour, 2);
  put_field(p + 10, dt->minute, 2);
  put_field(p + 12, dt->second, 2);
  p[POS_DOT] = '.';
  put_field(p + POS_US, dt->microsecond, 6);
  if (dt->microsecond != WES_DT_UNSPECIFIED) {
    uint32_t stars = WES_DT_US_STARS(dt->flags);
    memset(p + POS_US + 6 - stars, '*', stars);
  }
  if ((dt->flags & WES_DT_NO_OFFSET) != 0) {
    p[POS_SIGN] = (dt->flags & WES_DT_MINUS_SIGN) != 0 ? '-' : '+';
    memcpy(p + POS_OFFSET, "***", 3);
  } else {
    p[POS_SIGN] = (dt->utc_offset < 0 || (dt->utc_offset == 0 &&
                                          (dt->flags & WES_DT_MINUS_SIGN) != 0))
                      ? '-'
                      : '+';
    put_num(p + POS_OFFSET,
            dt->utc_offset < 0 ? -dt->utc_offset : dt->utc_offset, 3);
  }
}

wes_hresult_t wes_datetime_format(const wes_datetime_t *dt, char *buf,
                                  size_t size) {
  wes_hresult_t hr;
  if (dt == NULL || buf == NULL || size < WES_DATETIME_LENGTH + 1) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = validate(dt);
  if (WES_FAILED(hr)) {
    return hr;
  }
  format_raw(dt, buf);
  buf[WES_DATETIME_LENGTH] = '\0';
  return WES_S_OK;
}

/* ---- conversions ---- */

static int fully_specified(const wes_datetime_t *dt) {
  return dt->year != WES_DT_UNSPECIFIED && dt->month != WES_DT_UNSPECIFIED &&
         dt->day != WES_DT_UNSPECIFIED && dt->hour != WES_DT_UNSPECIFIED &&
         dt->minute != WES_DT_UNSPECIFIED && dt->second != WES_DT_UNSPECIFIED &&
         dt->microsecond != WES_DT_UNSPECIFIED;
}

/* Microseconds since 1970-01-01 of the wall-clock time, offset ignored.
 * The struct must be validated and fully specified. */
static int64_t local_us(const wes_datetime_t *dt) {
  int64_t days = days_from_civil(dt->year, dt->month, dt->day);
  return days * US_PER_DAY + dt->hour * US_PER_HOUR + dt->minute * US_PER_MIN +
         dt->second * US_PER_SEC + dt->microsecond;
}

static int64_t interval_us(const wes_datetime_t *dt) {
  return dt->days * US_PER_DAY + dt->hour * US_PER_HOUR +
         dt->minute * US_PER_MIN + dt->second * US_PER_SEC + dt->microsecond;
}

wes_hresult_t wes_datetime_to_unix_us(const wes_datetime_t *dt,
                                      int64_t *ret_us) {
  if (dt == NULL || ret_us == NULL || WES_FAILED(validate(dt))) {
    return WES_E_INVALID_PARAMETER;
  }
  if ((dt->flags & WES_DT_INTERVAL) != 0) {
    *ret_us = interval_us(dt);
    return WES_S_OK;
  }
  if (!fully_specified(dt) || (dt->flags & WES_DT_NO_OFFSET) != 0) {
    return WES_E_INVALID_OPERATION;
  }
  *ret_us = local_us(dt) - (int64_t)dt->utc_offset * US_PER_MIN;
  return WES_S_OK;
}

/* Splits local microseconds (already range-checked) into fields. */
static void split_local(int64_t local, wes_datetime_t *dt) {
  int64_t days = floor_div(local, US_PER_DAY);
  int64_t rest = local - days * US_PER_DAY; /* 0 .. US_PER_DAY-1 */
  int64_t y;
  int m, d;
  civil_from_days(days, &y, &m, &d);
  dt->year = (int32_t)y;
  dt->month = m;
  dt->day = d;
  dt->hour = (int32_t)(rest / US_PER_HOUR);
  rest %= US_PER_HOUR;
  dt->minute = (int32_t)(rest / US_PER_MIN);
  rest %= US_PER_MIN;
  dt->second = (int32_t)(rest / US_PER_SEC);
  dt->microsecond = (int32_t)(rest % US_PER_SEC);
}

static int local_in_range(int64_t local) {
  return local >= DAYS_YEAR_0 * US_PER_DAY &&
         local < DAYS_YEAR_10000 * US_PER_DAY;
}

wes_hresult_t wes_datetime_from_unix_us(int64_t us, int32_t utc_offset_minutes,
                                        wes_datetime_t *ret_dt) {
  wes_datetime_t dt;
  int64_t local;
  if (ret_dt == NULL || utc_offset_minutes < -MAX_OFFSET ||
      utc_offset_minutes > MAX_OFFSET) {
    return WES_E_INVALID_PARAMETER;
  }
  /* Bound first so that adding the offset cannot overflow. */
  if (us < DAYS_YEAR_0 * US_PER_DAY - MAX_OFFSET * US_PER_MIN ||
      us >= DAYS_YEAR_10000 * US_PER_DAY + MAX_OFFSET * US_PER_MIN) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  local = us + (int64_t)utc_offset_minutes * US_PER_MIN;
  if (!local_in_range(local)) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  memset(&dt, 0, sizeof(dt));
  split_local(local, &dt);
  dt.utc_offset = utc_offset_minutes;
  *ret_dt = dt;
  return WES_S_OK;
}

wes_hresult_t wes_datetime_interval_from_us(int64_t us,
                                            wes_datetime_t *ret_dt) {
  wes_datetime_t dt;
  int64_t rest;
  if (ret_dt == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (us < 0 || us / US_PER_DAY > MAX_INTERVAL_DAYS) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  memset(&dt, 0, sizeof(dt));
  dt.flags = WES_DT_INTERVAL;
  dt.days = us / US_PER_DAY;
  rest = us % US_PER_DAY;
  dt.hour = (int32_t)(rest / US_PER_HOUR);
  rest %= US_PER_HOUR;
  dt.minute = (int32_t)(rest / US_PER_MIN);
  rest %= US_PER_MIN;
  dt.second = (int32_t)(rest / US_PER_SEC);
  dt.microsecond = (int32_t)(rest % US_PER_SEC);
  *ret_dt = dt;
  return WES_S_OK;
}

uint64_t wes_filetime_from_unix_us(int64_t us) {
  /* Saturate outside FILETIME's range (before 1601, or past ~30828). */
  if (us <= -FILETIME_EPOCH_DIFF_US) {
    return 0;
  }
  if (us >= (int64_t)(UINT64_MAX / 10) - FILETIME_EPOCH_DIFF_US) {
    return UINT64_MAX;
  }
  return (uint64_t)(us + FILETIME_EPOCH_DIFF_US) * 10u;
}

int64_t wes_filetime_to_unix_us(uint64_t filetime) {
  /* filetime / 10 <= 1.8e18 fits int64_t. */
  return (int64_t)(filetime / 10u) - FILETIME_EPOCH_DIFF_US;
}

uint64_t wes_filetime_now(void) {
  struct timespec ts;
  if (timespec_get(&ts, TIME_UTC) != TIME_UTC || ts.tv_sec < 0) {
    return 0;
  }
  return ((uint64_t)ts.tv_sec + (uint64_t)FILETIME_EPOCH_DIFF_SEC) * 10000000u +
         (uint64_t)ts.tv_nsec / 100u;
}

/* ---- comparison and arithmetic ---- */

wes_hresult_t wes_datetime_compare(const wes_datetime_t *a,
                                   const wes_datetime_t *b, int *ret_cmp) {
  char ta[WES_DATETIME_LENGTH], tb[WES_DATETIME_LENGTH];
  int ia, ib, c;
  if (a == NULL || b == NULL || ret_cmp == NULL || WES_FAILED(validate(a)) ||
      WES_FAILED(validate(b))) {
    return WES_E_INVALID_PARAMETER;
  }
  ia = (a->flags & WES_DT_INTERVAL) != 0;
  ib = (b->flags & WES_DT_INTERVAL) != 0;
  if (ia != ib) {
    return WES_E_TYPE_MISMATCH;
  }
  if (ia) {
    int64_t x = interval_us(a), y = interval_us(b);
    *ret_cmp = x < y ? -1 : (x > y ? 1 : 0);
    return WES_S_OK;
  }
  if (fully_specified(a) && fully_specified(b) &&
      (a->flags & WES_DT_NO_OFFSET) == 0 &&
      (b->flags & WES_DT_NO_OFFSET) == 0) {
    int64_t x = local_us(a) - (int64_t)a->utc_offset * US_PER_MIN;
    int64_t y = local_us(b) - (int64_t)b->utc_offset * US_PER_MIN;
    *ret_cmp = x < y ? -1 : (x > y ? 1 : 0);
    return WES_S_OK;
  }
  /* WMI: character by character over the text ('*' sorts before digits). */
  format_raw(a, ta);
  format_raw(b, tb);
  c = memcmp(ta, tb, sizeof(ta));
  *ret_cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
  return WES_S_OK;
}

wes_hresult_t wes_datetime_compare_text(const char *a, const char *b,
                                        int *ret_cmp) {
  wes_datetime_t da, db;
  wes_hresult_t hr;
  if (a == NULL || b == NULL || ret_cmp == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = wes_datetime_parse(a, &da, NULL);
  if (WES_FAILED(hr)) {
    return hr;
  }
  hr = wes_datetime_parse(b, &db, NULL);
  if (WES_FAILED(hr)) {
    return hr;
  }
  return wes_datetime_compare(&da, &db, ret_cmp);
}

wes_hresult_t wes_datetime_diff(const wes_datetime_t *a,
                                const wes_datetime_t *b,
                                wes_datetime_t *ret_interval) {
  int ia, ib;
  int64_t x, y;
  if (a == NULL || b == NULL || ret_interval == NULL ||
      WES_FAILED(validate(a)) || WES_FAILED(validate(b))) {
    return WES_E_INVALID_PARAMETER;
  }
  ia = (a->flags & WES_DT_INTERVAL) != 0;
  ib = (b->flags & WES_DT_INTERVAL) != 0;
  if (ia != ib) {
    return WES_E_TYPE_MISMATCH;
  }
  if (ia) {
    x = interval_us(a);
    y = interval_us(b);
  } else {
    if (!fully_specified(a) || !fully_specified(b)) {
      return WES_E_INVALID_OPERATION;
    }
    if ((a->flags & WES_DT_NO_OFFSET) != 0 ||
        (b->flags & WES_DT_NO_OFFSET) != 0) {
      /* Two zone-less times subtract as wall-clock times; a zone-less
       * time against a zoned one has no defined difference. */
      if ((a->flags & WES_DT_NO_OFFSET) != (b->flags & WES_DT_NO_OFFSET)) {
        return WES_E_INVALID_OPERATION;
      }
      x = local_us(a);
      y = local_us(b);
    } else {
      x = local_us(a) - (int64_t)a->utc_offset * US_PER_MIN;
      y = local_us(b) - (int64_t)b->utc_offset * US_PER_MIN;
    }
  }
  /* |x|, |y| < 2^63 / 2 here (years 0..9999, or <= 99999999 days), so the
   * difference cannot overflow. */
  if (x < y) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  return wes_datetime_interval_from_us(x - y, ret_interval);
}

wes_hresult_t wes_datetime_add(const wes_datetime_t *abs,
                               const wes_datetime_t *interval,
                               wes_datetime_t *ret_dt) {
  wes_datetime_t out;
  int64_t local, len;
  if (abs == NULL || interval == NULL || ret_dt == NULL ||
      WES_FAILED(validate(abs)) || WES_FAILED(validate(interval))) {
    return WES_E_INVALID_PARAMETER;
  }
  if ((abs->flags & WES_DT_INTERVAL) != 0 ||
      (interval->flags & WES_DT_INTERVAL) == 0) {
    return WES_E_TYPE_MISMATCH;
  }
  if (!fully_specified(abs)) {
    return WES_E_INVALID_OPERATION;
  }
  local = local_us(abs);
  len = interval_us(interval);
  /* local < 3.2e17, len < 8.7e18: check before adding. */
  if (len >= DAYS_YEAR_10000 * US_PER_DAY - local) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  local += len;
  memset(&out, 0, sizeof(out));
  split_local(local, &out);
  out.flags = abs->flags & (WES_DT_NO_OFFSET | WES_DT_MINUS_SIGN);
  out.utc_offset = abs->utc_offset;
  *ret_dt = out;
  return WES_S_OK;
}
