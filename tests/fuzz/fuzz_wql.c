/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for WQL: parse + check + compile (syntax-only and
 * against a namespace, event and data forms). For every accepted query:
 * the canonical text must compile to the same canonical text, errors must
 * carry a position inside the text, and matching, analysis, overlap and
 * projection must run on a few prepared events without failing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char mof[] =
    "class Win32_Process { [key] string Handle; string Name;\n"
    "  uint32 ProcessId; sint32 Priority; boolean Critical; real64 Load;\n"
    "  datetime Created; string Tags[]; char16 Letter; };\n"
    "class Win32_Service { [key] string Name; boolean Started; };\n"
    "class EmailEvent : __ExtrinsicEvent { string Sender;\n"
    "  uint32 Importance; Win32_Process Proc; };\n";

static wes_namespace_t *ns;
static wes_object_t *events[3];

static void init(void) {
  wes_object_t *p = NULL, *e = NULL;
  if (ns != NULL) {
    return;
  }
  if (WES_FAILED(wes_namespace_new("root/cimv2", &ns)) ||
      WES_FAILED(wes_mof_compile(ns, mof, sizeof(mof) - 1, NULL, NULL, NULL))) {
    abort();
  }
  wes_object_new_by_name(ns, "Win32_Process", &p);
  wes_object_set_string(p, "Handle", "1");
  wes_object_set_string(p, "Name", "notepad.exe");
  wes_object_set_uint32(p, "ProcessId", 4242);
  wes_object_set_sint32(p, "Priority", -3);
  wes_object_set_datetime(p, "Created", "20240102030405.000000+060");
  wes_object_new_by_name(ns, "__InstanceCreationEvent", &e);
  wes_object_set_object(e, "TargetInstance", p);
  wes_object_freeze(e);
  events[0] = e;
  e = NULL;
  wes_object_new_by_name(ns, "EmailEvent", &e);
  wes_object_set_string(e, "Sender", "Boss");
  wes_object_set_uint32(e, "Importance", 5);
  wes_object_set_object(e, "Proc", p);
  wes_object_freeze(e);
  events[1] = e;
  e = NULL;
  wes_object_new_by_name(ns, "__InstanceDeletionEvent", &e);
  wes_object_freeze(e);
  events[2] = e;
  wes_object_unref(p);
}

static void exercise(wes_query_t *q, uint32_t flags) {
  wes_query_t *q2 = NULL;
  wes_error_t err;
  size_t i, j, n = 0;
  /* canonical round trip */
  if (WES_FAILED(
          wes_query_compile(ns, wes_query_canonical(q), flags, &q2, &err)) ||
      strcmp(wes_query_canonical(q), wes_query_canonical(q2)) != 0) {
    abort();
  }
  for (i = 0; i < 3; i++) {
    wes_object_t *out = NULL;
    wes_value_t v;
    int m = wes_query_match(q, events[i]);
    if (m != wes_query_match(q2, events[i])) {
      abort();
    }
    if (m && WES_SUCCEEDED(wes_query_project(q, events[i], &out))) {
      wes_object_unref(out);
    }
    for (j = 0; j < wes_query_group_by_count(q); j++) {
      (void)wes_query_group_by_value(q, j, events[i], &v);
    }
    for (j = 0; j < wes_query_key_count(q); j++) {
      (void)wes_query_pred_read(wes_query_key_at(q, j), events[i], &v);
    }
  }
  (void)wes_query_having_match(q, 7);
  if (WES_SUCCEEDED(wes_query_dnf_count(q, &n))) {
    for (i = 0; i < n; i++) {
      for (j = 0; j < wes_query_dnf_size(q, i); j++) {
        if (wes_query_dnf_pred(q, i, j) == NULL) {
          abort();
        }
      }
    }
  }
  /* a query always overlaps itself unless its WHERE is contradictory;
   * just run the analysis both ways */
  (void)wes_query_may_overlap(q, q2, ns);
  (void)wes_query_covers(q, q2, ns);
  wes_query_unref(q2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const uint32_t modes[] = {
      WES_QUERY_SYNTAX_ONLY,
      0,
      WES_QUERY_DATA,
      WES_QUERY_SYNTAX_ONLY | WES_QUERY_DATA | WES_QUERY_ANY_WITHIN,
  };
  char *text;
  size_t i;
  init();
  if (size > 20000) {
    return 0;
  }
  text = malloc(size + 1);
  if (text == NULL) {
    return 0;
  }
  memcpy(text, data, size);
  text[size] = '\0';
  for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
    wes_query_t *q = NULL;
    wes_error_t err;
    wes_hresult_t hr;
    wes_error_clear(&err);
    hr = wes_query_compile(ns, text, modes[i], &q, &err);
    if (WES_FAILED(hr)) {
      if (q != NULL || err.code != hr || err.text[0] == '\0') {
        abort();
      }
      continue;
    }
    exercise(q, modes[i]);
    wes_query_unref(q);
  }
  free(text);
  return 0;
}
