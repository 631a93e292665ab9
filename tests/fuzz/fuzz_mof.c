/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the MOF compiler. One namespace lives for the whole
 * run: every input is compiled into it, then removed again, so the
 * target also checks the rollback contract (a failed compile leaves the
 * namespace exactly as it was) and leaks nothing per input.
 * Checks: a failure carries its code in the error and a position inside
 * the text; a success returns frozen instances and classes present in the
 * namespace.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cim/cim_internal.h"
#include "wes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wes_namespace_t *g_ns;
static size_t g_base_count;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wes_mof_result_t *res = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  size_t i, n;
  if (g_ns == NULL) {
    if (WES_FAILED(wes_namespace_new("root/fuzz", &g_ns))) {
      abort();
    }
    g_base_count = wes_namespace_class_count(g_ns);
  }
  if (size > 64 * 1024) {
    return 0;
  }
  wes_error_clear(&err);
  hr = wes_mof_compile(g_ns, (const char *)data, size, "fuzz.mof", &res,
                       &err);
  if (WES_FAILED(hr)) {
    if (res != NULL || err.code != hr || err.text[0] == '\0') {
      abort();
    }
    if (hr != WES_E_OUT_OF_MEMORY && err.line == 0) {
      abort();
    }
    if (err.line > size + 1 || err.column > size + 1) {
      abort();
    }
    if (wes_namespace_class_count(g_ns) != g_base_count) {
      abort(); /* rollback left something behind */
    }
    return 0;
  }
  if (res == NULL) {
    abort();
  }
  n = wes_mof_result_instance_count(res);
  for (i = 0; i < n; i++) {
    wes_object_t *o = wes_mof_result_instance_at(res, i);
    if (o == NULL || !wes_object_is_frozen(o)) {
      abort();
    }
    (void)wes_object_hash(o);
  }
  n = wes_mof_result_class_count(res);
  if (wes_namespace_class_count(g_ns) != g_base_count + n) {
    abort();
  }
  /* Remove this input's classes again, newest first. */
  for (i = n; i > 0; i--) {
    wes_class_t *c = wes_mof_result_class_at(res, i - 1);
    if (wes_namespace_get_class(g_ns, wes_class_name(c)) != c ||
        WES_FAILED(wes__namespace_remove_class(g_ns, c))) {
      abort();
    }
  }
  wes_mof_result_free(res);
  if (wes_namespace_class_count(g_ns) != g_base_count) {
    abort();
  }
  return 0;
}
