/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "internal.h"

_Static_assert(WES_E_FAILED < 0, "HRESULT failure codes must be negative");
_Static_assert(WES_E_FAILED == (wes_hresult_t)-2147217407,
               "WES_E_FAILED must be 0x80041001");
_Static_assert(WES_S_TIMEDOUT == 0x40004, "WES_S_TIMEDOUT must be 0x40004");

typedef struct {
  wes_hresult_t code;
  const char *name;
  const char *text;
} hr_entry_t;

#define WES__HR_ENTRY(m, n, t) {WES_##m, n, t},
static const hr_entry_t hr_table[] = {WES_HRESULT_MAP(WES__HR_ENTRY)};
#undef WES__HR_ENTRY

static const hr_entry_t *hr_find(wes_hresult_t hr) {
  size_t i;
  for (i = 0; i < WES__ARRAY_SIZE(hr_table); i++) {
    if (hr_table[i].code == hr) {
      return &hr_table[i];
    }
  }
  return NULL;
}

const char *wes_err_name(wes_hresult_t hr) {
  const hr_entry_t *e = hr_find(hr);
  return e != NULL ? e->name : "WBEM_E_UNKNOWN";
}

const char *wes_strerror(wes_hresult_t hr) {
  const hr_entry_t *e = hr_find(hr);
  return e != NULL ? e->text : "unknown status code";
}

void wes_error_clear(wes_error_t *err) {
  if (err != NULL) {
    memset(err, 0, sizeof(*err));
  }
}

wes_hresult_t wes__verror(wes_error_t *err, wes_hresult_t code, uint32_t line,
                          uint32_t column, const char *fmt, va_list ap) {
  if (err != NULL) {
    err->code = code;
    err->sys_error = 0;
    err->line = line;
    err->column = column;
    if (fmt != NULL) {
      vsnprintf(err->text, sizeof(err->text), fmt, ap);
    } else {
      snprintf(err->text, sizeof(err->text), "%s", wes_strerror(code));
    }
  }
  return code;
}

wes_hresult_t wes_error_set(wes_error_t *err, wes_hresult_t code,
                            const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wes__verror(err, code, 0, 0, fmt, ap);
  va_end(ap);
  return code;
}

wes_hresult_t wes__error(wes_error_t *err, wes_hresult_t code, uint32_t line,
                         uint32_t column, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wes__verror(err, code, line, column, fmt, ap);
  va_end(ap);
  return code;
}

const char *wes_version_string(void) { return WES_VERSION_STRING; }
