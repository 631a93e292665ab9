/* SPDX-License-Identifier: MIT */
/*
 * DMTF datetime (CIM_DATETIME): the 25-character absolute form
 * `yyyymmddHHMMSS.mmmmmmsUUU` (UUU = UTC offset in minutes), the asterisk
 * forms (whole fields replaced by '*'), and the interval form
 * `ddddddddHHMMSS.mmmmmm:000`.
 *
 * Thread: every function here is pure and may be called from any thread.
 */
#ifndef WES_DATETIME_H
#define WES_DATETIME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WES_DATETIME_LENGTH 25 /* characters, without the NUL */

/* Field value meaning "asterisks" (unspecified). */
#define WES_DT_UNSPECIFIED (-1)

/* wes_datetime_t.flags */
#define WES_DT_INTERVAL 0x1u   /* interval form (days, ":000") */
#define WES_DT_NO_OFFSET 0x2u  /* offset given as "+***" / "-***" */

/*
 * A parsed datetime. Absolute: year 0..9999, month 1..12, day 1..31 (valid
 * for the month), hour 0..23, minute 0..59, second 0..60 (leap second
 * accepted as in DMTF), microsecond 0..999999, utc_offset in minutes
 * (-999..999). Any field may be WES_DT_UNSPECIFIED when the text had
 * asterisks there. Interval: days 0..99999999, hour..microsecond as above,
 * no asterisks.
 */
typedef struct wes_datetime_s {
  uint32_t flags;
  int32_t year;
  int32_t month;
  int32_t day;
  int32_t hour;
  int32_t minute;
  int32_t second;
  int32_t microsecond;
  int32_t utc_offset;
  int64_t days; /* interval only */
} wes_datetime_t;

/*
 * Parses DMTF text (exactly 25 characters). Asterisks must replace whole
 * fields (and a microsecond field may be partly asterisks only at its
 * end, as DMTF allows for precision: "123***").
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL), WES_E_INVALID_SYNTAX
 * (wrong length, bad character, bad separator; err->column is the 1-based
 * position), WES_E_VALUE_OUT_OF_RANGE (a field outside its range, e.g.
 * month 13 or 30 February).
 */
WES_API wes_hresult_t wes_datetime_parse(const char *text,
                                         wes_datetime_t *ret_dt,
                                         wes_error_t *reterr);

/*
 * Writes the 25-character DMTF text plus NUL into buf (size >= 26).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, small buffer),
 * WES_E_VALUE_OUT_OF_RANGE (a field out of range).
 */
WES_API wes_hresult_t wes_datetime_format(const wes_datetime_t *dt, char *buf,
                                          size_t size);

/*
 * Converts an absolute, fully specified datetime to microseconds since
 * 1970-01-01 00:00 UTC (offset applied). An interval converts to its length
 * in microseconds.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_INVALID_OPERATION (a field
 * is unspecified, or the offset is missing for an absolute time).
 */
WES_API wes_hresult_t wes_datetime_to_unix_us(const wes_datetime_t *dt,
                                              int64_t *ret_us);

/*
 * Builds an absolute datetime from microseconds since the Unix epoch, shown
 * at `utc_offset_minutes` (-999..999). Returns WES_S_OK,
 * WES_E_INVALID_PARAMETER, WES_E_VALUE_OUT_OF_RANGE (outside years
 * 0000..9999).
 */
WES_API wes_hresult_t wes_datetime_from_unix_us(int64_t us,
                                                int32_t utc_offset_minutes,
                                                wes_datetime_t *ret_dt);

/* Builds an interval from a length in microseconds (>= 0). */
WES_API wes_hresult_t wes_datetime_interval_from_us(int64_t us,
                                                    wes_datetime_t *ret_dt);

/*
 * FILETIME ticks (100 ns since 1601-01-01 UTC, as TIME_CREATED carries)
 * from/to Unix microseconds. Thread: any.
 */
WES_API uint64_t wes_filetime_from_unix_us(int64_t us);
WES_API int64_t wes_filetime_to_unix_us(uint64_t filetime);
/* FILETIME ticks of the current UTC time. */
WES_API uint64_t wes_filetime_now(void);

/*
 * Compares two datetimes: both absolute and fully specified → as instants
 * (offsets applied); both intervals → by length; otherwise (asterisks, or
 * one missing offset) field by field in text order, which is what WMI does.
 * Sets *ret_cmp to <0, 0, >0. Returns WES_S_OK, WES_E_INVALID_PARAMETER,
 * WES_E_TYPE_MISMATCH (an interval against an absolute time).
 */
WES_API wes_hresult_t wes_datetime_compare(const wes_datetime_t *a,
                                           const wes_datetime_t *b,
                                           int *ret_cmp);

/* Parses both texts and compares them as wes_datetime_compare does. */
WES_API wes_hresult_t wes_datetime_compare_text(const char *a, const char *b,
                                                int *ret_cmp);

/*
 * Interval arithmetic: *ret = a - b for two absolute instants, as an
 * interval (fails with WES_E_VALUE_OUT_OF_RANGE when a < b); or
 * absolute + interval. Returns WES_S_OK, WES_E_INVALID_PARAMETER,
 * WES_E_INVALID_OPERATION (unspecified fields), WES_E_TYPE_MISMATCH,
 * WES_E_VALUE_OUT_OF_RANGE.
 */
WES_API wes_hresult_t wes_datetime_diff(const wes_datetime_t *a,
                                        const wes_datetime_t *b,
                                        wes_datetime_t *ret_interval);
WES_API wes_hresult_t wes_datetime_add(const wes_datetime_t *abs,
                                       const wes_datetime_t *interval,
                                       wes_datetime_t *ret_dt);

#ifdef __cplusplus
}
#endif

#endif /* WES_DATETIME_H */
