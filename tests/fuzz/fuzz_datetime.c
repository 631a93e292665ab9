/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the DMTF datetime parser: parse, and for accepted
 * text check that formatting gives the same text back, that comparison
 * with itself is 0, and that conversions and arithmetic stay in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[64];
  char out[WES_DATETIME_LENGTH + 1];
  wes_datetime_t dt, r;
  wes_error_t err;
  int64_t us;
  int cmp = 1;
  if (size >= sizeof(text)) {
    return 0;
  }
  memcpy(text, data, size);
  text[size] = '\0';
  if (WES_FAILED(wes_datetime_parse(text, &dt, &err))) {
    if (err.column == 0 || err.column > WES_DATETIME_LENGTH + 1) {
      abort();
    }
    return 0;
  }
  if (WES_FAILED(wes_datetime_format(&dt, out, sizeof(out))) ||
      strcmp(out, text) != 0) {
    abort();
  }
  if (WES_FAILED(wes_datetime_compare(&dt, &dt, &cmp)) || cmp != 0) {
    abort();
  }
  if (WES_SUCCEEDED(wes_datetime_to_unix_us(&dt, &us))) {
    if ((dt.flags & WES_DT_INTERVAL) != 0) {
      if (WES_FAILED(wes_datetime_interval_from_us(us, &r))) {
        abort();
      }
    } else {
      int64_t back = 0;
      (void)wes_filetime_to_unix_us(wes_filetime_from_unix_us(us));
      if (WES_FAILED(wes_datetime_from_unix_us(us, dt.utc_offset, &r)) ||
          WES_FAILED(wes_datetime_to_unix_us(&r, &back)) || back != us) {
        abort();
      }
      (void)wes_datetime_diff(&dt, &r, &r);
    }
  }
  (void)wes_datetime_add(&dt, &dt, &r);
  return 0;
}
