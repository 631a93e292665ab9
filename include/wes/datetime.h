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
#define WES_DT_MINUS_SIGN 0x4u /* offset sign was '-': "-***", "-000" */
/* Bits 8..10: number of trailing '*' in a partly given microsecond field
 * ("123***" -> microsecond 123000, 3 asterisks). */
#define WES_DT_US_STARS_SHIFT 8
#define WES_DT_US_STARS(flags) (((flags) >> WES_DT_US_STARS_SHIFT) & 0x7u)

/*
 * A parsed datetime. Absolute: year 0..9999, month 1..12, day 1..31 (valid
 * for the month), hour 0..23, minute 0..59, second 0..60 (leap second
 * accepted as in DMTF), microsecond 0..999999, utc_offset in minutes
 * (-999..999). Any of year..microsecond may be WES_DT_UNSPECIFIED when the
 * text had asterisks there. A missing offset ("+***"/"-***") is told by
 * WES_DT_NO_OFFSET (utc_offset is then 0; -1 is a real offset, so the flag,
 * not the value, decides). Interval: days 0..99999999, hour 0..23, minute
 * 0..59, second 0..59, microsecond 0..999999, no asterisks; year, month,
 * day and utc_offset are 0.
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
 * A leap second (60) counts as the first second of the next minute.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, a field out of range),
 * WES_E_INVALID_OPERATION (a field is unspecified, or the offset is
 * missing for an absolute time).
 */
WES_API wes_hresult_t wes_datetime_to_unix_us(const wes_datetime_t *dt,
                                              int64_t *ret_us);

/*
 * Builds an absolute datetime from microseconds since the Unix epoch, shown
 * at `utc_offset_minutes` (-999..999). Returns WES_S_OK,
 * WES_E_INVALID_PARAMETER (NULL, offset out of range),
 * WES_E_VALUE_OUT_OF_RANGE (local time outside years 0000..9999).
 */
WES_API wes_hresult_t wes_datetime_from_unix_us(int64_t us,
                                                int32_t utc_offset_minutes,
                                                wes_datetime_t *ret_dt);

/* Builds an interval from a length in microseconds. Returns WES_S_OK,
 * WES_E_INVALID_PARAMETER (NULL), WES_E_VALUE_OUT_OF_RANGE (negative, or
 * more than 99999999 days). */
WES_API wes_hresult_t wes_datetime_interval_from_us(int64_t us,
                                                    wes_datetime_t *ret_dt);

/*
 * FILETIME ticks (100 ns since 1601-01-01 UTC, as TIME_CREATED carries)
 * from/to Unix microseconds: ticks = (us + 11644473600000000) * 10.
 * from_unix_us saturates: instants before 1601 give 0, instants past
 * FILETIME's range give UINT64_MAX. to_unix_us truncates the sub-microsecond
 * part (never overflows). Thread: any.
 */
WES_API uint64_t wes_filetime_from_unix_us(int64_t us);
WES_API int64_t wes_filetime_to_unix_us(uint64_t filetime);
/* FILETIME ticks of the current UTC time (realtime clock, 100-ns
 * resolution), or 0 if the clock cannot be read. Thread: any. */
WES_API uint64_t wes_filetime_now(void);

/*
 * Compares two datetimes: both absolute and fully specified → as instants
 * (offsets applied); both intervals → by length; otherwise (asterisks, or
 * a missing offset on either side) character by character over the DMTF
 * text, which is what WMI does ('*' sorts before digits, so only equality
 * is meaningful there; "+***" differs from "+000").
 * Sets *ret_cmp to -1, 0 or 1. Returns WES_S_OK, WES_E_INVALID_PARAMETER
 * (NULLs, a field out of range), WES_E_TYPE_MISMATCH (an interval against
 * an absolute time).
 */
WES_API wes_hresult_t wes_datetime_compare(const wes_datetime_t *a,
                                           const wes_datetime_t *b,
                                           int *ret_cmp);

/* Parses both texts and compares them as wes_datetime_compare does.
 * Returns also the codes of wes_datetime_parse. */
WES_API wes_hresult_t wes_datetime_compare_text(const char *a, const char *b,
                                                int *ret_cmp);

/*
 * Interval arithmetic. diff: *ret = a - b as an interval, for two absolute
 * instants (offsets applied; two zone-less times subtract as wall-clock
 * times) or two intervals; fails with WES_E_VALUE_OUT_OF_RANGE when a < b.
 * add: absolute + interval, keeping the absolute time's offset (or its
 * absence). Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, a field out
 * of range), WES_E_INVALID_OPERATION (unspecified fields; a zoned time
 * against a zone-less one), WES_E_TYPE_MISMATCH (wrong kinds),
 * WES_E_VALUE_OUT_OF_RANGE (negative difference, result past year 9999 or
 * 99999999 days). Partial microsecond asterisks are treated as zeros.
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
