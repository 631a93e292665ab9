/* SPDX-License-Identifier: MIT */
/*
 * WQL date/time literals (reference §11.3): the text of a string constant
 * compared with a datetime property, when it is not DMTF text. A literal
 * is a date, a time, or a date, whitespace and a time.
 *
 * The text is first cut into elements (digit runs and letter runs) and the
 * gaps between them; the forms are then told apart by the number, kind and
 * width of the elements and by their gaps:
 * - numeric dates: one run of 4, 6 or 8 digits, or three numbers with two
 *   equal separators from '/', '-', '.'. wes always reads them in US order
 *   (month before day; the year is the 4-digit number, else the last);
 * - dates with a month name (full or 3 letters, any case) and one or two
 *   numbers separated by whitespace (a comma may precede a final year):
 *   a 4-digit number is the year, otherwise the first number is the day;
 * - times: hh AM/PM, hh:mm, hh:mm:ss, hh:mm:ss:n with an optional AM/PM;
 *   the n after the third colon is a UTC offset in minutes (0..999).
 * Two-digit years: 00-49 are 2000-2049, 50-99 are 1950-1999. Without a
 * time the time is 00:00:00; without an offset it is UTC (+000); without a
 * date the date is 1900-01-01.
 */
#include <string.h>

#include "wql_internal.h"

#define WD_MAX 10 /* elements in one literal (a full one has 8) */

enum { WD_NUM = 1, WD_WORD };
enum { WG_NONE = 1, WG_SPACE, WG_COMMA, WG_SLASH, WG_DASH, WG_DOT, WG_COLON };
enum { WW_AM = 13, WW_PM = 14 };

typedef struct wd_elem_s {
  int kind;
  size_t len;   /* characters */
  uint32_t val; /* WD_NUM: value; WD_WORD: month 1..12, WW_AM, WW_PM, 0 */
} wd_elem_t;

static bool wd_digit(char c) { return c >= '0' && c <= '9'; }

static bool wd_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool wd_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
         c == '\v';
}

static const char *const wd_months[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

/* Month 1..12 for a full or 3-letter name, WW_AM/WW_PM, else 0. */
static uint32_t wd_word(const char *s, size_t len) {
  uint32_t m;
  if (len == 2 && (s[1] == 'm' || s[1] == 'M')) {
    if (s[0] == 'a' || s[0] == 'A') {
      return WW_AM;
    }
    if (s[0] == 'p' || s[0] == 'P') {
      return WW_PM;
    }
  }
  for (m = 0; m < 12; m++) {
    const char *name = wd_months[m];
    size_t i, n = strlen(name);
    if (len != 3 && len != n) {
      continue;
    }
    for (i = 0; i < len; i++) {
      if (wes__ascii_lower(s[i]) != name[i]) {
        break;
      }
    }
    if (i == len) {
      return m + 1;
    }
  }
  return 0;
}

/* Kind of the gap text s[0..len). */
static int wd_gap(const char *s, size_t len) {
  size_t i, commas = 0, spaces = 0;
  if (len == 0) {
    return WG_NONE;
  }
  if (len == 1) {
    switch (s[0]) {
    case '/':
      return WG_SLASH;
    case '-':
      return WG_DASH;
    case '.':
      return WG_DOT;
    case ':':
      return WG_COLON;
    default:
      break;
    }
  }
  for (i = 0; i < len; i++) {
    if (s[i] == ',') {
      commas++;
    } else if (wd_space(s[i])) {
      spaces++;
    } else {
      return 0;
    }
  }
  if (commas == 0) {
    return WG_SPACE;
  }
  return commas == 1 ? WG_COMMA : 0;
}

static bool wd_leap(int32_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int32_t wd_mdays(int32_t y, int32_t m) {
  static const int8_t d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && wd_leap(y) ? 29 : d[m - 1];
}

/* A year written with 2 or 4 digits (2-digit window: 00-49 -> 20xx). */
static bool wd_year(const wd_elem_t *e, int32_t *y) {
  if (e->kind != WD_NUM || (e->len != 2 && e->len != 4)) {
    return false;
  }
  *y = (int32_t)e->val;
  if (e->len == 2) {
    *y += e->val < 50 ? 2000 : 1900;
  }
  return true;
}

/* A month or day number: 1 or 2 digits. */
static bool wd_small(const wd_elem_t *e, int32_t *v) {
  if (e->kind != WD_NUM || e->len < 1 || e->len > 2) {
    return false;
  }
  *v = (int32_t)e->val;
  return true;
}

static bool wd_set_date(wes_datetime_t *dt, int32_t y, int32_t m, int32_t d) {
  if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 ||
      d > wd_mdays(y, m)) {
    return false;
  }
  dt->year = y;
  dt->month = m;
  dt->day = d;
  return true;
}

/* One run of digits: yyyy, yyMMdd (else yyyyMM), yyyyMMdd. */
static bool wd_date_run(const wd_elem_t *e, wes_datetime_t *dt) {
  uint32_t v = e->val;
  switch (e->len) {
  case 4:
    return wd_set_date(dt, (int32_t)v, 1, 1);
  case 6: {
    uint32_t yy = v / 10000;
    int32_t y = (int32_t)yy + (yy < 50 ? 2000 : 1900);
    if (wd_set_date(dt, y, (int32_t)(v / 100 % 100), (int32_t)(v % 100))) {
      return true;
    }
    return wd_set_date(dt, (int32_t)(v / 100), (int32_t)(v % 100), 1);
  }
  case 8:
    return wd_set_date(dt, (int32_t)(v / 10000), (int32_t)(v / 100 % 100),
                       (int32_t)(v % 100));
  default:
    return false;
  }
}

/* Three numbers with equal separators, US order. */
static bool wd_date_numeric(const wd_elem_t *e, const int *gap,
                            wes_datetime_t *dt) {
  int32_t y, m, d;
  if (gap[0] != gap[1] ||
      (gap[0] != WG_SLASH && gap[0] != WG_DASH && gap[0] != WG_DOT)) {
    return false;
  }
  if (e[0].len == 4) { /* yyyy M d */
    if (!wd_year(&e[0], &y) || !wd_small(&e[1], &m) || !wd_small(&e[2], &d)) {
      return false;
    }
  } else if (e[1].len == 4) { /* M yyyy d */
    if (!wd_small(&e[0], &m) || !wd_year(&e[1], &y) || !wd_small(&e[2], &d)) {
      return false;
    }
  } else { /* M d [yy]yy */
    if (!wd_small(&e[0], &m) || !wd_small(&e[1], &d) || !wd_year(&e[2], &y)) {
      return false;
    }
  }
  return wd_set_date(dt, y, m, d);
}

/* A month name and one or two numbers. */
static bool wd_date_alpha(const wd_elem_t *e, const int *gap, size_t n,
                          wes_datetime_t *dt) {
  int32_t y, d = 1;
  size_t p, i;
  const wd_elem_t *num[2];
  size_t nn = 0;
  bool year_last;
  for (p = 0; p < n && e[p].kind != WD_WORD; p++) {
  }
  for (i = 0; i < n; i++) {
    if (i != p) {
      num[nn++] = &e[i];
    }
  }
  /* the year ends the date in Mon[,] yyyy, Mon dd[,] yy, dd Mon[,][ ]yy */
  year_last = p != n - 1 && !(n == 3 && num[0]->len == 4);
  for (i = 0; i + 1 < n; i++) {
    if (gap[i] == WG_SPACE) {
      continue;
    }
    if (i + 2 == n && year_last &&
        (gap[i] == WG_COMMA || (gap[i] == WG_NONE && n == 3 && p == 1))) {
      continue;
    }
    return false;
  }
  if (n == 2) { /* Mon[,] yyyy or yyyy Mon */
    if (num[0]->len != 4 || !wd_year(num[0], &y)) {
      return false;
    }
  } else if (num[0]->len == 4) { /* the year first, then the day */
    if (!wd_year(num[0], &y) || !wd_small(num[1], &d)) {
      return false;
    }
  } else { /* the day first, then the year */
    if (!wd_small(num[0], &d) || !wd_year(num[1], &y)) {
      return false;
    }
  }
  return wd_set_date(dt, y, (int32_t)e[p].val, d);
}

static bool wd_date(const wd_elem_t *e, const int *gap, size_t n,
                    wes_datetime_t *dt) {
  size_t i, words = 0;
  for (i = 0; i < n; i++) {
    if (e[i].kind == WD_WORD) {
      if (e[i].val < 1 || e[i].val > 12) {
        return false;
      }
      words++;
    }
  }
  if (words == 1) {
    return (n == 2 || n == 3) && wd_date_alpha(e, gap, n, dt);
  }
  if (words != 0) {
    return false;
  }
  if (n == 1) {
    return wd_date_run(&e[0], dt);
  }
  return n == 3 && wd_date_numeric(e, gap, dt);
}

/* hh[:mm[:ss[:n]]][[ ]AM|PM]; hh alone needs AM/PM. */
static bool wd_time(const wd_elem_t *e, const int *gap, size_t n,
                    wes_datetime_t *dt) {
  uint32_t part[4] = {0, 0, 0, 0};
  size_t k = 0, i;
  uint32_t ampm = 0;
  for (i = 0; i < n; i++) {
    if (e[i].kind == WD_WORD) {
      break;
    }
    if (k == 4 || (i > 0 && gap[i - 1] != WG_COLON)) {
      return false;
    }
    /* widths: hh 1-2, mm and ss 2, the offset 1-3 */
    if ((k == 0 && e[i].len > 2) || ((k == 1 || k == 2) && e[i].len != 2) ||
        (k == 3 && e[i].len > 3)) {
      return false;
    }
    part[k++] = e[i].val;
  }
  if (k == 0) {
    return false;
  }
  if (i < n) { /* the AM/PM word must end the literal */
    if (i + 1 != n || (gap[i - 1] != WG_NONE && gap[i - 1] != WG_SPACE) ||
        (e[i].val != WW_AM && e[i].val != WW_PM)) {
      return false;
    }
    ampm = e[i].val;
  } else if (k == 1) {
    return false;
  }
  if (ampm != 0) {
    if (part[0] < 1 || part[0] > 12) {
      return false;
    }
    part[0] = part[0] % 12 + (ampm == WW_PM ? 12 : 0);
  } else if (part[0] > 23) {
    return false;
  }
  if (part[1] > 59 || part[2] > 59) {
    return false;
  }
  dt->hour = (int32_t)part[0];
  dt->minute = (int32_t)part[1];
  dt->second = (int32_t)part[2];
  dt->utc_offset = (int32_t)part[3];
  return true;
}

bool wes__wql_date_parse(const char *s, size_t len, wes_datetime_t *ret) {
  wd_elem_t e[WD_MAX];
  int gap[WD_MAX];
  size_t n = 0, i = 0, t;
  wes_datetime_t dt;
  if (s == NULL || ret == NULL) {
    return false;
  }
  while (len > 0 && wd_space(s[len - 1])) {
    len--;
  }
  while (i < len && wd_space(s[i])) {
    i++;
  }
  if (i == len) {
    return false;
  }
  /* elements and the gaps between them */
  while (i < len) {
    size_t start = i;
    if (n == WD_MAX) {
      return false;
    }
    if (wd_digit(s[i])) {
      uint32_t v = 0;
      while (i < len && wd_digit(s[i])) {
        if (i - start == 8) {
          return false; /* no element is wider than 8 digits */
        }
        v = v * 10 + (uint32_t)(s[i] - '0');
        i++;
      }
      e[n].kind = WD_NUM;
      e[n].val = v;
    } else if (wd_alpha(s[i])) {
      while (i < len && wd_alpha(s[i])) {
        i++;
      }
      e[n].kind = WD_WORD;
      e[n].val = wd_word(s + start, i - start);
      if (e[n].val == 0) {
        return false;
      }
    } else {
      return false;
    }
    e[n].len = i - start;
    start = i;
    while (i < len && !wd_digit(s[i]) && !wd_alpha(s[i])) {
      i++;
    }
    if (i < len) {
      gap[n] = wd_gap(s + start, i - start);
      if (gap[n] == 0) {
        return false;
      }
    } else if (i > start) {
      return false; /* punctuation after the last element */
    }
    n++;
  }
  /* the time starts at the first number followed by ':' or by AM/PM */
  for (t = 0; t < n; t++) {
    if (e[t].kind == WD_NUM && t + 1 < n &&
        (gap[t] == WG_COLON ||
         (e[t + 1].kind == WD_WORD &&
          (e[t + 1].val == WW_AM || e[t + 1].val == WW_PM) &&
          (gap[t] == WG_NONE || gap[t] == WG_SPACE)))) {
      break;
    }
  }
  memset(&dt, 0, sizeof(dt));
  dt.year = 1900;
  dt.month = 1;
  dt.day = 1;
  if (t > 0) {
    if (t < n && gap[t - 1] != WG_SPACE) {
      return false; /* whitespace between the date and the time */
    }
    if (!wd_date(e, gap, t, &dt)) {
      return false;
    }
  }
  if (t < n && !wd_time(e + t, gap + t, n - t, &dt)) {
    return false;
  }
  *ret = dt;
  return true;
}
