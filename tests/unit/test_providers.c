/* SPDX-License-Identifier: MIT */
/* The built-in providers: CIM_DataFile registration and query checks. */
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

#include "wes_test.h"

typedef struct pfx_s {
  uv_loop_t loop;
  wes_broker_t *b;
  wes_datafile_provider_t *dp;
  wes_token_t *tok;
  wes_sink_t *sink;
  char dir[64];
} pfx_t;

static wes_hresult_t ignore(void *d, wes_object_t *const *o, size_t n) {
  (void)d;
  (void)o;
  (void)n;
  return WES_S_OK;
}

static void pfx_init(pfx_t *f) {
  memset(f, 0, sizeof(*f));
  assert_int_equal(uv_loop_init(&f->loop), 0);
  assert_hr_ok(wes_broker_new(&f->loop, NULL, &f->b, NULL));
  assert_hr_ok(
      wes_datafile_provider_new(f->b, &f->loop, "root/cimv2", &f->dp, NULL));
  assert_hr_ok(wes_token_from_unix((uint32_t)getuid(), (uint32_t)getgid(), NULL,
                                   0, NULL, NULL, 0, &f->tok, NULL));
  assert_hr_ok(wes_sink_new_callback(ignore, NULL, NULL, &f->sink));
  strcpy(f->dir, "/tmp/wes-prov-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  strcat(f->dir, "/");
}

static void pfx_done(pfx_t *f) {
  wes_datafile_provider_close(f->dp);
  assert_hr_ok(wes_broker_close(f->b, NULL, NULL));
  uv_run(&f->loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&f->loop), 0);
  wes_sink_unref(f->sink);
  wes_token_unref(f->tok);
  f->dir[strlen(f->dir) - 1] = '\0';
  rmdir(f->dir);
}

static wes_hresult_t sub(pfx_t *f, const char *q, wes_error_t *err) {
  return wes_broker_exec_notification_query_async(f->b, "root/cimv2", "WQL", q,
                                                  0, f->tok, f->sink, err);
}

static void test_providers_datafile_class_declared(void **state) {
  pfx_t f;
  wes_namespace_t *ns;
  const wes_class_t *c;
  wes_property_info_t info;
  (void)state;
  pfx_init(&f);
  ns = wes_broker_get_namespace(f.b, "root/cimv2");
  c = wes_namespace_get_class(ns, "CIM_DataFile");
  assert_non_null(c);
  assert_true(wes_class_derives_from(c, "CIM_LogicalFile"));
  assert_hr_ok(wes_class_property(c, "Name", &info));
  assert_true(info.flags & WES_PROP_KEY);
  assert_hr_ok(wes_class_property(c, "FileSize", &info));
  assert_int_equal(info.type, WES_CIM_UINT64);
  assert_hr_ok(wes_class_property(c, "LastModified", &info));
  assert_int_equal(info.type, WES_CIM_DATETIME);
  pfx_done(&f);
}

static void test_providers_datafile_not_capable(void **state) {
  pfx_t f;
  char q[256];
  wes_error_t err;
  (void)state;
  pfx_init(&f);
  /* no directory named */
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceCreationEvent WHERE "
                      "TargetInstance ISA 'CIM_DataFile'",
                      &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  /* a path without the trailing slash is not a directory */
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceCreationEvent WHERE "
                      "TargetInstance ISA 'CIM_DataFile' AND "
                      "TargetInstance.Path = '/tmp'",
                      &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  /* one OR branch without a directory */
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
           "'CIM_DataFile' AND (TargetInstance.Path = '%s' OR "
           "TargetInstance.FileSize > 3)",
           f.dir);
  assert_hr_equal(sub(&f, q, &err), WES_E_PROVIDER_NOT_CAPABLE);
  /* a directory that does not exist */
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceDeletionEvent WHERE "
                      "TargetInstance ISA 'CIM_DataFile' AND "
                      "TargetInstance.Path = '/nonexistent/wes/'",
                      &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  /* served: a directory, or a file name */
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceOperationEvent WHERE TargetInstance ISA "
           "'CIM_DataFile' AND TargetInstance.Path = '%s'",
           f.dir);
  assert_hr_ok(sub(&f, q, &err));
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceModificationEvent WHERE TargetInstance "
           "ISA 'CIM_DataFile' AND TargetInstance.Name = '%sa.txt'",
           f.dir);
  assert_hr_ok(sub(&f, q, &err));
  /* polling a class nobody provides is for a later release */
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE "
                      "TargetInstance ISA '__Namespace'",
                      &err),
                  WES_E_NOT_SUPPORTED);
  pfx_done(&f);
}

typedef struct logcap_s {
  char text[1024];
  int n;
} logcap_t;

static void capture_log(void *data, int level, const char *module,
                        const char *message) {
  logcap_t *c = data;
  (void)level;
  if (strcmp(module, "datafile") == 0) {
    snprintf(c->text, sizeof(c->text), "%s", message);
    c->n++;
  }
}

/* The refusal says what to add: through the log hook (the provider ops
 * carry only a code); the subscriber's reterr names the provider, the
 * code and points to the log. */
static void test_providers_datafile_not_capable_message(void **state) {
  pfx_t f;
  logcap_t cap;
  wes_error_t err;
  (void)state;
  memset(&cap, 0, sizeof(cap));
  pfx_init(&f);
  wes_set_log_hook(capture_log, &cap, WES_LOG_WARNING);
  memset(&err, 0, sizeof(err));
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceCreationEvent WHERE "
                      "TargetInstance ISA 'CIM_DataFile' AND "
                      "TargetInstance.FileSize > 3",
                      &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  assert_int_equal(cap.n, 1);
  assert_non_null(strstr(cap.text, "TargetInstance.Path = '/dir/'"));
  assert_non_null(strstr(cap.text, "TargetInstance.Name"));
  assert_non_null(strstr(err.text, "CIM_DataFile"));
  assert_non_null(strstr(err.text, "see the log"));
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceDeletionEvent WHERE "
                      "TargetInstance ISA 'CIM_DataFile' AND "
                      "TargetInstance.Path = '/nonexistent/wes/'",
                      &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  assert_int_equal(cap.n, 2);
  assert_non_null(strstr(cap.text, "/nonexistent/wes/"));
  assert_non_null(strstr(cap.text, "not a directory"));
  wes_set_log_hook(NULL, NULL, WES_LOG_WARNING);
  pfx_done(&f);
}

/* ---- allocation failure injection (the allocator is replaced in
 * main, before any other wes call) ---- */
static long fail_countdown = -1; /* fail the allocation when it hits 0 */

static int alloc_fails(void) {
  if (fail_countdown < 0) {
    return 0;
  }
  return fail_countdown-- == 0;
}

static void *t_malloc(size_t n) { return alloc_fails() ? NULL : malloc(n); }

static void *t_realloc(void *p, size_t n) {
  return alloc_fails() ? NULL : realloc(p, n);
}

static void *t_calloc(size_t c, size_t n) {
  return alloc_fails() ? NULL : calloc(c, n);
}

static void t_free(void *p) { free(p); }

/* A query the provider cannot compile (here: out of memory while it
 * compiles) is logged with the same guidance as its other refusals, not
 * refused silently. Every allocation of a subscription is failed in turn
 * until the provider's own compile is hit. */
static void test_providers_datafile_compile_failure_logged(void **state) {
  pfx_t f;
  logcap_t cap;
  char q[256];
  long k;
  int found = 0;
  (void)state;
  memset(&cap, 0, sizeof(cap));
  pfx_init(&f);
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
           "'CIM_DataFile' AND TargetInstance.Path = '%s'",
           f.dir);
  wes_set_log_hook(capture_log, &cap, WES_LOG_WARNING);
  for (k = 0; k < 5000 && !found; k++) {
    wes_hresult_t hr;
    cap.n = 0;
    fail_countdown = k;
    hr = sub(&f, q, NULL);
    if (fail_countdown >= 0) {
      fail_countdown = -1; /* nothing failed: the subscription stands */
      assert_hr_ok(hr);
      break;
    }
    if (WES_SUCCEEDED(hr)) {
      assert_hr_ok(wes_broker_cancel_async_call(f.b, f.sink));
    }
    if (cap.n > 0 && strstr(cap.text, "does not compile") != NULL) {
      found = 1;
      assert_hr_equal(hr, WES_E_OUT_OF_MEMORY);
      assert_non_null(strstr(cap.text, "TargetInstance.Path = '/dir/'"));
      assert_non_null(strstr(cap.text, "TargetInstance.Name"));
      assert_non_null(strstr(cap.text, "OUT_OF_MEMORY"));
    }
  }
  fail_countdown = -1;
  wes_set_log_hook(NULL, NULL, WES_LOG_WARNING);
  assert_true(found);
  pfx_done(&f);
}

static void test_providers_datafile_bad_args(void **state) {
  wes_datafile_provider_t *dp = NULL;
  uv_loop_t loop;
  wes_broker_t *b;
  (void)state;
  uv_loop_init(&loop);
  assert_hr_ok(wes_broker_new(&loop, NULL, &b, NULL));
  assert_hr_equal(
      wes_datafile_provider_new(NULL, &loop, "root/cimv2", &dp, NULL),
      WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_datafile_provider_new(b, &loop, "root/none", &dp, NULL),
                  WES_E_INVALID_NAMESPACE);
  assert_null(dp);
  wes_datafile_provider_close(NULL);
  assert_hr_ok(wes_broker_close(b, NULL, NULL));
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_providers_datafile_class_declared),
      cmocka_unit_test(test_providers_datafile_not_capable),
      cmocka_unit_test(test_providers_datafile_not_capable_message),
      cmocka_unit_test(test_providers_datafile_compile_failure_logged),
      cmocka_unit_test(test_providers_datafile_bad_args),
  };
  if (WES_FAILED(
          wes_replace_allocator(t_malloc, t_realloc, t_calloc, t_free))) {
    return 1;
  }
  return cmocka_run_group_tests_name("providers", tests, NULL, NULL);
}
