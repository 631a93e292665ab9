/* SPDX-License-Identifier: MIT */
/*
 * Object model costs, each beside a bare-C baseline from the same run:
 *   - property read by name and by precomputed handle vs a plain struct
 *     field read;
 *   - create + fill + freeze (+ release) of a typical event, an
 *     __InstanceCreationEvent holding a 10-property instance, vs malloc +
 *     fill (+ free) of an equivalent pair of C structs owning copies of the
 *     same strings.
 * Output: `name value unit` lines; each value is the median of RUNS runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wes.h"

#define RUNS 9
#define GET_ITERS 2000000
#define BUILD_ITERS 200000

static volatile uint64_t sink_u64;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(*v), cmp_double);
  return v[n / 2];
}

static void check(wes_hresult_t hr, const char *what) {
  if (WES_FAILED(hr)) {
    fprintf(stderr, "bench_object: %s failed: %s\n", what, wes_err_name(hr));
    exit(1);
  }
}

/* ---- the typical instance ---- */

static const char *const prop_names[] = {
    "Name",           "ProcessId",    "ParentProcessId", "ExecutablePath",
    "CommandLine",    "CreationDate", "ThreadCount",     "Priority",
    "WorkingSetSize", "SessionId"};

static wes_class_t *make_class(wes_namespace_t *ns) {
  wes_class_t *cls = NULL;
  check(wes_class_new("Bench_Process", NULL, &cls), "class_new");
  check(wes_class_add_property(cls, "Name", WES_CIM_STRING, NULL, WES_PROP_KEY),
        "add");
  check(wes_class_add_property(cls, "ProcessId", WES_CIM_UINT32, NULL, 0),
        "add");
  check(wes_class_add_property(cls, "ParentProcessId", WES_CIM_UINT32, NULL, 0),
        "add");
  check(wes_class_add_property(cls, "ExecutablePath", WES_CIM_STRING, NULL, 0),
        "add");
  check(wes_class_add_property(cls, "CommandLine", WES_CIM_STRING, NULL, 0),
        "add");
  check(wes_class_add_property(cls, "CreationDate", WES_CIM_DATETIME, NULL, 0),
        "add");
  check(wes_class_add_property(cls, "ThreadCount", WES_CIM_UINT32, NULL, 0),
        "add");
  check(wes_class_add_property(cls, "Priority", WES_CIM_UINT32, NULL, 0),
        "add");
  check(wes_class_add_property(cls, "WorkingSetSize", WES_CIM_UINT64, NULL, 0),
        "add");
  check(wes_class_add_property(cls, "SessionId", WES_CIM_UINT32, NULL, 0),
        "add");
  check(wes_namespace_add_class(ns, cls, NULL), "add_class");
  wes_class_unref(cls);
  return wes_namespace_get_class(ns, "Bench_Process");
}

/* The bare-C equivalent. */
typedef struct bare_proc_s {
  char *name;
  uint32_t process_id;
  uint32_t parent_process_id;
  char *executable_path;
  char *command_line;
  char *creation_date;
  uint32_t thread_count;
  uint32_t priority;
  uint64_t working_set_size;
  uint32_t session_id;
} bare_proc_t;

typedef struct bare_event_s {
  uint64_t time_created;
  uint8_t *security_descriptor;
  bare_proc_t *target;
} bare_event_t;

static char *dup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d != NULL) {
    memcpy(d, s, n);
  }
  return d;
}

#define S_NAME "bash"
#define S_PATH "/usr/bin/bash"
#define S_CMD "/usr/bin/bash -c 'sleep 1'"
#define S_DATE "20260124041500.123456+000"

static void bare_build(uint32_t i) {
  bare_event_t *ev = malloc(sizeof(*ev));
  bare_proc_t *p = malloc(sizeof(*p));
  if (ev == NULL || p == NULL) {
    exit(1);
  }
  p->name = dup(S_NAME);
  p->process_id = i;
  p->parent_process_id = 1;
  p->executable_path = dup(S_PATH);
  p->command_line = dup(S_CMD);
  p->creation_date = dup(S_DATE);
  p->thread_count = 1;
  p->priority = 8;
  p->working_set_size = 4096u * i;
  p->session_id = 0;
  ev->time_created = 133000000000000000ULL + i;
  ev->security_descriptor = NULL;
  ev->target = p;
  /* publish so the compiler cannot drop the work */
  sink_u64 += (uint64_t)(uintptr_t)ev->target->name[0] + p->process_id;
  free(p->name);
  free(p->executable_path);
  free(p->command_line);
  free(p->creation_date);
  free(p);
  free(ev);
}

static void wes_build(const wes_class_t *proc_cls, const wes_class_t *ev_cls,
                      uint32_t i) {
  wes_object_t *ev = NULL, *p = NULL;
  check(wes_object_new(proc_cls, &p), "object_new");
  wes_object_set_string(p, "Name", S_NAME);
  wes_object_set_uint32(p, "ProcessId", i);
  wes_object_set_uint32(p, "ParentProcessId", 1);
  wes_object_set_string(p, "ExecutablePath", S_PATH);
  wes_object_set_string(p, "CommandLine", S_CMD);
  wes_object_set_datetime(p, "CreationDate", S_DATE);
  wes_object_set_uint32(p, "ThreadCount", 1);
  wes_object_set_uint32(p, "Priority", 8);
  wes_object_set_uint64(p, "WorkingSetSize", 4096u * (uint64_t)i);
  wes_object_set_uint32(p, "SessionId", 0);
  check(wes_object_new(ev_cls, &ev), "object_new");
  wes_object_set_uint64(ev, "TIME_CREATED", 133000000000000000ULL + i);
  check(wes_object_set_object(ev, "TargetInstance", p), "set_object");
  wes_object_unref(p);
  wes_object_freeze(ev);
  sink_u64 += wes_object_is_frozen(ev);
  wes_object_unref(ev);
}

/* The same event, filled through precomputed handles. */
static wes_prop_handle_t hp[10], h_time, h_target;

static void set_h(wes_object_t *o, const wes_prop_handle_t *h, wes_cimtype_t t,
                  uint64_t u, const char *s) {
  wes_value_t v;
  memset(&v, 0, sizeof(v));
  v.type = t;
  if (s != NULL) {
    v.u.str = s;
  } else {
    v.u.uint = u;
  }
  wes_object_set_by_handle(o, h, &v);
}

static void wes_build_handles(const wes_class_t *proc_cls,
                              const wes_class_t *ev_cls, uint32_t i) {
  wes_object_t *ev = NULL, *p = NULL;
  wes_value_t v;
  check(wes_object_new(proc_cls, &p), "object_new");
  set_h(p, &hp[0], WES_CIM_STRING, 0, S_NAME);
  set_h(p, &hp[1], WES_CIM_UINT32, i, NULL);
  set_h(p, &hp[2], WES_CIM_UINT32, 1, NULL);
  set_h(p, &hp[3], WES_CIM_STRING, 0, S_PATH);
  set_h(p, &hp[4], WES_CIM_STRING, 0, S_CMD);
  set_h(p, &hp[5], WES_CIM_DATETIME, 0, S_DATE);
  set_h(p, &hp[6], WES_CIM_UINT32, 1, NULL);
  set_h(p, &hp[7], WES_CIM_UINT32, 8, NULL);
  set_h(p, &hp[8], WES_CIM_UINT64, 4096u * (uint64_t)i, NULL);
  set_h(p, &hp[9], WES_CIM_UINT32, 0, NULL);
  check(wes_object_new(ev_cls, &ev), "object_new");
  set_h(ev, &h_time, WES_CIM_UINT64, 133000000000000000ULL + i, NULL);
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_OBJECT;
  v.u.object = p;
  check(wes_object_set_by_handle(ev, &h_target, &v), "set_object");
  wes_object_unref(p);
  wes_object_freeze(ev);
  sink_u64 += wes_object_is_frozen(ev);
  wes_object_unref(ev);
}

int main(void) {
  wes_namespace_t *ns = NULL;
  const wes_class_t *proc_cls, *ev_cls;
  wes_object_t *obj = NULL;
  wes_prop_handle_t handles[10];
  double by_name[RUNS], by_handle[RUNS], bare_read[RUNS];
  double build[RUNS], build_h[RUNS], bare_alloc[RUNS];
  bare_proc_t bare;
  bare_proc_t *volatile bare_ptr = &bare;
  int r, k;
  uint32_t i;

  check(wes_namespace_new("root/cimv2", &ns), "namespace_new");
  proc_cls = make_class(ns);
  ev_cls = wes_namespace_get_class(ns, "__InstanceCreationEvent");
  check(wes_object_new(proc_cls, &obj), "object_new");
  check(wes_object_set_string(obj, "Name", S_NAME), "set");
  check(wes_object_set_uint32(obj, "ProcessId", 4242), "set");
  for (k = 0; k < 10; k++) {
    check(wes_class_get_handle(proc_cls, prop_names[k], &handles[k]), "handle");
  }
  for (k = 0; k < 10; k++) {
    hp[k] = handles[k];
  }
  check(wes_class_get_handle(ev_cls, "TIME_CREATED", &h_time), "handle");
  check(wes_class_get_handle(ev_cls, "TargetInstance", &h_target), "handle");
  wes_object_freeze(obj);
  memset(&bare, 0, sizeof(bare));
  bare.process_id = 4242;

  for (r = 0; r < RUNS; r++) {
    double t0, t1;
    uint64_t acc = 0;
    wes_value_t v;
    /* by name: cycles through the 10 properties */
    t0 = now_ns();
    for (i = 0; i < GET_ITERS; i++) {
      wes_object_get(obj, prop_names[i % 10], &v);
      acc += v.type;
    }
    t1 = now_ns();
    by_name[r] = (t1 - t0) / GET_ITERS;
    t0 = now_ns();
    for (i = 0; i < GET_ITERS; i++) {
      wes_object_get_by_handle(obj, &handles[i % 10], &v);
      acc += v.type;
    }
    t1 = now_ns();
    by_handle[r] = (t1 - t0) / GET_ITERS;
    t0 = now_ns();
    for (i = 0; i < GET_ITERS; i++) {
      acc += bare_ptr->process_id + (i % 10);
    }
    t1 = now_ns();
    bare_read[r] = (t1 - t0) / GET_ITERS;
    sink_u64 += acc;

    t0 = now_ns();
    for (i = 0; i < BUILD_ITERS; i++) {
      wes_build(proc_cls, ev_cls, i);
    }
    t1 = now_ns();
    build[r] = (t1 - t0) / BUILD_ITERS;
    t0 = now_ns();
    for (i = 0; i < BUILD_ITERS; i++) {
      wes_build_handles(proc_cls, ev_cls, i);
    }
    t1 = now_ns();
    build_h[r] = (t1 - t0) / BUILD_ITERS;
    t0 = now_ns();
    for (i = 0; i < BUILD_ITERS; i++) {
      bare_build(i);
    }
    t1 = now_ns();
    bare_alloc[r] = (t1 - t0) / BUILD_ITERS;
  }

  printf("object_get_by_name %.1f ns/op\n", median(by_name, RUNS));
  printf("object_get_by_handle %.1f ns/op\n", median(by_handle, RUNS));
  printf("baseline_struct_field_read %.1f ns/op\n", median(bare_read, RUNS));
  printf("event_create_fill_freeze %.1f ns/op\n", median(build, RUNS));
  printf("event_create_fill_freeze_by_handle %.1f ns/op\n",
         median(build_h, RUNS));
  printf("baseline_struct_malloc_fill %.1f ns/op\n", median(bare_alloc, RUNS));
  wes_object_unref(obj);
  wes_namespace_unref(ns);
  return 0;
}
