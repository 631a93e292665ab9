/* SPDX-License-Identifier: MIT */
/*
 * bench_wql: evaluation time of representative WQL queries, each beside a
 * hand-written C predicate doing the same test on the same object in the
 * same run (public API with precomputed property handles), plus a bare
 * function-pointer call as the physical floor, and the parse+compile time
 * of a typical query.
 *
 * Output: one `name value unit` line per figure. Medians over batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wes.h"

#define BATCHES 31
#define ITERS 200000

static const char mof[] =
    "class Win32_Process { [key] string Handle; string Name;\n"
    "  uint32 ProcessId; string CommandLine; };\n"
    "class EmailEvent : __ExtrinsicEvent { string Sender; uint32 Importance;\n"
    "  string Subject; string Cc; };\n";

static volatile int sink;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

typedef int (*pred_fn)(const void *ctx, const wes_object_t *obj);

/* Median ns per call of fn(ctx, obj) over BATCHES batches. */
static double measure(pred_fn fn, const void *ctx, const wes_object_t *obj,
                      int *ret_result) {
  double t[BATCHES];
  int b, i, acc = 0;
  for (i = 0; i < ITERS / 10; i++) { /* warm up */
    acc += fn(ctx, obj);
  }
  for (b = 0; b < BATCHES; b++) {
    double t0 = now_ns();
    for (i = 0; i < ITERS; i++) {
      acc += fn(ctx, obj);
    }
    t[b] = (now_ns() - t0) / ITERS;
  }
  sink = acc;
  *ret_result = fn(ctx, obj);
  qsort(t, BATCHES, sizeof(t[0]), cmp_double);
  return t[BATCHES / 2];
}

static int run_query(const void *ctx, const wes_object_t *obj) {
  return wes_query_match(ctx, obj);
}

static int bare_call(const void *ctx, const wes_object_t *obj) {
  return ctx != NULL && obj != NULL;
}

/* ---- hand-written twins ---- */

typedef struct handles_s {
  wes_prop_handle_t target, name, pid, sender, importance, subject, cc;
  const wes_class_t *process_cls, *creation_cls, *email_cls;
} handles_t;

static int ci_eq(const char *a, const char *b) {
  for (;; a++, b++) {
    char x = *a, y = *b;
    if (x >= 'A' && x <= 'Z') {
      x = (char)(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = (char)(y - 'A' + 'a');
    }
    if (x != y) {
      return 0;
    }
    if (x == '\0') {
      return 1;
    }
  }
}

static int ci_contains(const char *s, const char *needle) {
  size_t n = strlen(needle);
  for (; *s != '\0'; s++) {
    size_t i;
    for (i = 0; i < n; i++) {
      char x = s[i], y = needle[i];
      if (x == '\0') {
        return 0;
      }
      if (x >= 'A' && x <= 'Z') {
        x = (char)(x - 'A' + 'a');
      }
      if (x != y) {
        break;
      }
    }
    if (i == n) {
      return 1;
    }
  }
  return 0;
}

/* Sender = 'boss' */
static int twin_eq(const void *ctx, const wes_object_t *obj) {
  const handles_t *h = ctx;
  wes_value_t v;
  if (!wes_class_is_a(wes_object_class(obj), h->email_cls) ||
      wes_object_get_by_handle(obj, &h->sender, &v) != WES_S_OK || v.is_null) {
    return 0;
  }
  return ci_eq(v.u.str, "boss");
}

/* TargetInstance ISA 'Win32_Process' AND TargetInstance.Name = 'x' AND
 * TargetInstance.ProcessId > 100 */
static int twin_3pred(const void *ctx, const wes_object_t *obj) {
  const handles_t *h = ctx;
  wes_value_t v;
  const wes_object_t *ti;
  if (!wes_class_is_a(wes_object_class(obj), h->creation_cls) ||
      wes_object_get_by_handle(obj, &h->target, &v) != WES_S_OK || v.is_null) {
    return 0;
  }
  ti = v.u.object;
  if (!wes_class_is_a(wes_object_class(ti), h->process_cls)) {
    return 0;
  }
  if (wes_object_get_by_handle(ti, &h->name, &v) != WES_S_OK || v.is_null ||
      !ci_eq(v.u.str, "x")) {
    return 0;
  }
  if (wes_object_get_by_handle(ti, &h->pid, &v) != WES_S_OK || v.is_null) {
    return 0;
  }
  return v.u.uint > 100;
}

/* Subject LIKE '%invoice%' */
static int twin_like(const void *ctx, const wes_object_t *obj) {
  const handles_t *h = ctx;
  wes_value_t v;
  if (!wes_class_is_a(wes_object_class(obj), h->email_cls) ||
      wes_object_get_by_handle(obj, &h->subject, &v) != WES_S_OK || v.is_null) {
    return 0;
  }
  return ci_contains(v.u.str, "invoice");
}

/* Importance = 1 OR ... OR Importance = 5 */
static int twin_or5(const void *ctx, const wes_object_t *obj) {
  const handles_t *h = ctx;
  wes_value_t v;
  uint64_t x;
  if (!wes_class_is_a(wes_object_class(obj), h->email_cls) ||
      wes_object_get_by_handle(obj, &h->importance, &v) != WES_S_OK ||
      v.is_null) {
    return 0;
  }
  x = v.u.uint;
  return x == 1 || x == 2 || x == 3 || x == 4 || x == 5;
}

/* Cc IS NULL */
static int twin_null(const void *ctx, const wes_object_t *obj) {
  const handles_t *h = ctx;
  wes_value_t v;
  if (!wes_class_is_a(wes_object_class(obj), h->email_cls) ||
      wes_object_get_by_handle(obj, &h->cc, &v) != WES_S_OK) {
    return 0;
  }
  return v.is_null != 0;
}

static void die(const char *what, wes_hresult_t hr, const wes_error_t *err) {
  fprintf(stderr, "bench_wql: %s: %s %s\n", what, wes_err_name(hr),
          err != NULL ? err->text : "");
  exit(1);
}

static wes_query_t *compile(wes_namespace_t *ns, const char *text) {
  wes_query_t *q = NULL;
  wes_error_t err;
  wes_hresult_t hr = wes_query_compile(ns, text, 0, &q, &err);
  if (WES_FAILED(hr)) {
    die(text, hr, &err);
  }
  return q;
}

static void pair(const char *name, wes_namespace_t *ns, const char *text,
                 pred_fn twin, const handles_t *h, const wes_object_t *obj,
                 int expect) {
  wes_query_t *q = compile(ns, text);
  int r1 = -1, r2 = -1;
  double tq = measure(run_query, q, obj, &r1);
  double tt = measure(twin, h, obj, &r2);
  if (r1 != expect || r2 != expect) {
    fprintf(stderr,
            "bench_wql: %s: results differ (query %d, twin %d, "
            "expected %d)\n",
            name, r1, r2, expect);
    exit(1);
  }
  printf("wql_%s_match %.1f ns\n", name, tq);
  printf("wql_%s_handwritten %.1f ns\n", name, tt);
  printf("wql_%s_ratio %.2f x\n", name, tq / tt);
  wes_query_unref(q);
}

int main(void) {
  wes_namespace_t *ns = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  handles_t h;
  wes_object_t *proc = NULL, *ev = NULL, *mail = NULL;
  const char *q3 = "SELECT * FROM __InstanceCreationEvent WHERE "
                   "TargetInstance ISA 'Win32_Process' AND "
                   "TargetInstance.Name = 'x' AND TargetInstance.ProcessId "
                   "> 100";
  double t[BATCHES];
  int b, i, r = 0;

  if (WES_FAILED(hr = wes_namespace_new("root/cimv2", &ns))) {
    die("namespace", hr, NULL);
  }
  if (WES_FAILED(
          hr = wes_mof_compile(ns, mof, sizeof(mof) - 1, NULL, NULL, &err))) {
    die("mof", hr, &err);
  }
  memset(&h, 0, sizeof(h));
  h.process_cls = wes_namespace_get_class(ns, "Win32_Process");
  h.creation_cls = wes_namespace_get_class(ns, "__InstanceCreationEvent");
  h.email_cls = wes_namespace_get_class(ns, "EmailEvent");
  if (WES_FAILED(
          wes_class_get_handle(h.creation_cls, "TargetInstance", &h.target)) ||
      WES_FAILED(wes_class_get_handle(h.process_cls, "Name", &h.name)) ||
      WES_FAILED(wes_class_get_handle(h.process_cls, "ProcessId", &h.pid)) ||
      WES_FAILED(wes_class_get_handle(h.email_cls, "Sender", &h.sender)) ||
      WES_FAILED(
          wes_class_get_handle(h.email_cls, "Importance", &h.importance)) ||
      WES_FAILED(wes_class_get_handle(h.email_cls, "Subject", &h.subject)) ||
      WES_FAILED(wes_class_get_handle(h.email_cls, "Cc", &h.cc))) {
    die("handles", WES_E_FAILED, NULL);
  }
  /* the event with an embedded object */
  if (WES_FAILED(wes_object_new(h.process_cls, &proc)) ||
      WES_FAILED(wes_object_set_string(proc, "Handle", "4242")) ||
      WES_FAILED(wes_object_set_string(proc, "Name", "X")) ||
      WES_FAILED(wes_object_set_uint32(proc, "ProcessId", 4242)) ||
      WES_FAILED(wes_object_new(h.creation_cls, &ev)) ||
      WES_FAILED(wes_object_set_object(ev, "TargetInstance", proc))) {
    die("objects", WES_E_FAILED, NULL);
  }
  wes_object_freeze(ev);
  if (WES_FAILED(wes_object_new(h.email_cls, &mail)) ||
      WES_FAILED(wes_object_set_string(mail, "Sender", "Boss")) ||
      WES_FAILED(wes_object_set_uint32(mail, "Importance", 5)) ||
      WES_FAILED(wes_object_set_string(mail, "Subject",
                                       "Quarterly report for the board, "
                                       "draft 3"))) {
    die("objects", WES_E_FAILED, NULL);
  }
  wes_object_freeze(mail);

  {
    double tb = measure(bare_call, &h, ev, &r);
    printf("baseline_fnptr_call %.1f ns\n", tb);
  }
  pair("equality", ns, "SELECT * FROM EmailEvent WHERE Sender = 'boss'",
       twin_eq, &h, mail, 1);
  pair("3pred", ns, q3, twin_3pred, &h, ev, 1);
  pair("like", ns, "SELECT * FROM EmailEvent WHERE Subject LIKE '%invoice%'",
       twin_like, &h, mail, 0);
  pair("or5", ns,
       "SELECT * FROM EmailEvent WHERE Importance = 1 OR Importance = 2 OR "
       "Importance = 3 OR Importance = 4 OR Importance = 5",
       twin_or5, &h, mail, 1);
  pair("null", ns, "SELECT * FROM EmailEvent WHERE Cc IS NULL", twin_null, &h,
       mail, 1);

  /* LIKE on a subject that has one */
  {
    wes_object_t *m2 = NULL;
    if (WES_FAILED(wes_object_clone(mail, &m2)) ||
        WES_FAILED(wes_object_set_string(
            m2, "Subject", "Re: your Invoice #2024-117 is overdue"))) {
      die("objects", WES_E_FAILED, NULL);
    }
    wes_object_freeze(m2);
    pair("like_hit", ns,
         "SELECT * FROM EmailEvent WHERE Subject LIKE '%invoice%'", twin_like,
         &h, m2, 1);
    wes_object_unref(m2);
  }

  /* parse + check + compile of the 3-predicate query */
  for (b = 0; b < BATCHES; b++) {
    double t0 = now_ns();
    for (i = 0; i < 2000; i++) {
      wes_query_t *q = NULL;
      if (WES_FAILED(wes_query_compile(ns, q3, 0, &q, NULL))) {
        die("compile", WES_E_FAILED, NULL);
      }
      wes_query_unref(q);
    }
    t[b] = (now_ns() - t0) / 2000 / 1000.0;
  }
  qsort(t, BATCHES, sizeof(t[0]), cmp_double);
  printf("wql_compile_3pred %.2f us\n", t[BATCHES / 2]);
  for (b = 0; b < BATCHES; b++) {
    double t0 = now_ns();
    for (i = 0; i < 2000; i++) {
      wes_query_t *q = NULL;
      if (WES_FAILED(
              wes_query_compile(NULL, q3, WES_QUERY_SYNTAX_ONLY, &q, NULL))) {
        die("compile", WES_E_FAILED, NULL);
      }
      wes_query_unref(q);
    }
    t[b] = (now_ns() - t0) / 2000 / 1000.0;
  }
  qsort(t, BATCHES, sizeof(t[0]), cmp_double);
  printf("wql_parse_3pred %.2f us\n", t[BATCHES / 2]);

  wes_object_unref(mail);
  wes_object_unref(ev);
  wes_object_unref(proc);
  wes_namespace_unref(ns);
  return 0;
}
