/* SPDX-License-Identifier: MIT */
/* The built-in providers: CIM_DataFile registration and query checks. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
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

/* Either order of teardown is safe: the broker closed first (with a
 * watched directory and a live subscription) leaves the provider's
 * watchers to its own close. */
static void test_providers_datafile_close_after_broker(void **state) {
  pfx_t f;
  char q[256];
  (void)state;
  pfx_init(&f);
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
           "'CIM_DataFile' AND TargetInstance.Path = '%s'",
           f.dir);
  assert_hr_ok(wes_broker_exec_notification_query_async(
      f.b, "root/cimv2", "WQL", q, 0, f.tok, f.sink, NULL));
  uv_run(&f.loop, UV_RUN_NOWAIT);
  assert_hr_ok(wes_broker_close(f.b, NULL, NULL));
  uv_run(&f.loop, UV_RUN_NOWAIT);
  wes_datafile_provider_close(f.dp);
  uv_run(&f.loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&f.loop), 0);
  wes_sink_unref(f.sink);
  wes_token_unref(f.tok);
  f.dir[strlen(f.dir) - 1] = '\0';
  rmdir(f.dir);
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

#define DF_PREFIX "provider 'wes|CIM_DataFile|1': "

/* The refusal says what to add, in the subscriber's reterr (the broker
 * puts the provider's name in front); nothing more goes to the log. */
static void test_providers_datafile_not_capable_message(void **state) {
  pfx_t f;
  logcap_t cap;
  wes_error_t err;
  wes_enum_t *en = NULL;
  char q[256];
  const char *no_dir = "SELECT * FROM __InstanceCreationEvent WHERE "
                       "TargetInstance ISA 'CIM_DataFile' AND "
                       "TargetInstance.FileSize > 3";
  (void)state;
  memset(&cap, 0, sizeof(cap));
  pfx_init(&f);
  wes_set_log_hook(capture_log, &cap, WES_LOG_WARNING);
  memset(&err, 0, sizeof(err));
  assert_hr_equal(sub(&f, no_dir, &err), WES_E_PROVIDER_NOT_CAPABLE);
  assert_hr_equal(err.code, WES_E_PROVIDER_NOT_CAPABLE);
  assert_string_equal(err.text,
                      DF_PREFIX "add TargetInstance.Path = '/dir/' (with the "
                                "trailing '/') or TargetInstance.Name = "
                                "'/dir/file' to the WHERE clause");
  /* the semisynchronous form says the same */
  wes_error_clear(&err);
  assert_hr_equal(wes_broker_exec_notification_query(
                      f.b, "root/cimv2", "WQL", no_dir,
                      WES_FLAG_RETURN_IMMEDIATELY | WES_FLAG_FORWARD_ONLY,
                      f.tok, &en, &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  assert_null(en);
  assert_non_null(strstr(err.text, DF_PREFIX "add TargetInstance.Path"));
  /* one OR branch without a directory: every branch needs one */
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
           "'CIM_DataFile' AND (TargetInstance.Path = '%s' OR "
           "TargetInstance.FileSize > 3)",
           f.dir);
  wes_error_clear(&err);
  assert_hr_equal(sub(&f, q, &err), WES_E_PROVIDER_NOT_CAPABLE);
  assert_non_null(strstr(err.text, "TargetInstance.Name = '/dir/file'"));
  assert_non_null(strstr(err.text, "to every OR branch"));
  /* a directory that does not exist: named, with the system's reason */
  wes_error_clear(&err);
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceDeletionEvent WHERE "
                      "TargetInstance ISA 'CIM_DataFile' AND "
                      "TargetInstance.Path = '/nonexistent/wes/'",
                      &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  assert_non_null(strstr(err.text, DF_PREFIX "cannot watch /nonexistent/wes/"));
  assert_int_equal(err.sys_error, ENOENT);
  /* a file named as a directory */
  wes_error_clear(&err);
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceDeletionEvent WHERE "
                      "TargetInstance ISA 'CIM_DataFile' AND "
                      "TargetInstance.Path = '/dev/null/'",
                      &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  assert_non_null(strstr(err.text, "/dev/null"));
  assert_int_equal(cap.n, 0);
  wes_set_log_hook(NULL, NULL, WES_LOG_WARNING);
  pfx_done(&f);
}

/* ---- FSName ---- */

typedef struct fsrec_s {
  char fsname[2][64]; /* TargetInstance, PreviousInstance ("" if none) */
  int has[2];
  int n;
} fsrec_t;

static void copy_fsname(wes_object_t *ev, const char *prop, char *buf,
                        int *has) {
  wes_object_t *t = NULL;
  const char *fs = NULL;
  if (WES_SUCCEEDED(wes_object_get_object(ev, prop, &t)) && t != NULL &&
      WES_SUCCEEDED(wes_object_get_string(t, "FSName", &fs)) && fs != NULL) {
    snprintf(buf, 64, "%s", fs);
    *has = 1;
  }
}

static wes_hresult_t fs_indicate(void *d, wes_object_t *const *o, size_t n) {
  fsrec_t *r = d;
  size_t i;
  for (i = 0; i < n; i++) {
    if (r->n == 0 && wes_object_isa(o[i], "__InstanceModificationEvent")) {
      copy_fsname(o[i], "TargetInstance", r->fsname[0], &r->has[0]);
      copy_fsname(o[i], "PreviousInstance", r->fsname[1], &r->has[1]);
      r->n++;
    }
  }
  return WES_S_OK;
}

static void tick(uv_timer_t *t) { (void)t; }

#ifdef __linux__
/* The test's own reading of /proc/self/mounts ("source mountpoint type
 * ..."): the type of the longest mount point containing `path` (the last
 * of equal ones), octal escapes in mount points decoded. */
static void expected_fstype(const char *path, char *ret, size_t len) {
  FILE *f = fopen("/proc/self/mounts", "r");
  char line[8192];
  size_t best = 0;
  int found = 0;
  assert_non_null(f);
  ret[0] = '\0';
  while (fgets(line, sizeof(line), f) != NULL) {
    char src[4096], raw[4096], type[256], mnt[4096];
    size_t i, j, ml;
    if (sscanf(line, "%4095s %4095s %255s", src, raw, type) != 3) {
      continue;
    }
    for (i = 0, j = 0; raw[i] != '\0'; j++) {
      if (raw[i] == '\\' && raw[i + 1] != '\0' && raw[i + 2] != '\0' &&
          raw[i + 3] != '\0') {
        mnt[j] = (char)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) |
                        (raw[i + 3] - '0'));
        i += 4;
      } else {
        mnt[j] = raw[i++];
      }
    }
    mnt[j] = '\0';
    ml = strlen(mnt);
    if (strcmp(mnt, "/") == 0) {
      ml = 1;
    } else if (strncmp(mnt, path, ml) != 0 ||
               (path[ml] != '/' && path[ml] != '\0')) {
      continue;
    }
    if (!found || ml >= best) {
      best = ml;
      found = 1;
      snprintf(ret, len, "%s", type);
    }
  }
  fclose(f);
}
#endif

/* FSName of a file's events is the type of the file system the watched
 * directory lives on, found once when the watch starts (the seeded
 * PreviousInstance has it too). Two directories on different mounts when
 * the machine has them (/tmp and the tmpfs /dev/shm). */
static void check_fsname_under(const char *base) {
  uv_loop_t loop;
  uv_timer_t t;
  wes_broker_t *b = NULL;
  wes_datafile_provider_t *dp = NULL;
  wes_token_t *tok = NULL;
  wes_sink_t *sink = NULL;
  fsrec_t r;
  char dir[256], file[300], q[512];
  FILE *fp;
  int i;
  uv_fs_t req;
  memset(&r, 0, sizeof(r));
  snprintf(dir, sizeof(dir), "%s/wes-fs-XXXXXX", base);
  if (mkdtemp(dir) == NULL) {
    return; /* not writable here: nothing to check */
  }
  /* the kernel's path of the directory */
  assert_int_equal(uv_fs_realpath(NULL, &req, dir, NULL), 0);
  snprintf(dir, sizeof(dir), "%s/", (const char *)req.ptr);
  uv_fs_req_cleanup(&req);
  snprintf(file, sizeof(file), "%sf.txt", dir);
  fp = fopen(file, "w"); /* exists before the watch: seeded */
  assert_non_null(fp);
  fclose(fp);
  assert_int_equal(uv_loop_init(&loop), 0);
  uv_timer_init(&loop, &t);
  uv_timer_start(&t, tick, 20, 20);
  assert_hr_ok(wes_broker_new(&loop, NULL, &b, NULL));
  assert_hr_ok(wes_datafile_provider_new(b, &loop, "root/cimv2", &dp, NULL));
  assert_hr_ok(wes_token_from_unix((uint32_t)getuid(), (uint32_t)getgid(), NULL,
                                   0, NULL, NULL, 0, &tok, NULL));
  assert_hr_ok(wes_sink_new_callback(fs_indicate, NULL, &r, &sink));
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceModificationEvent WHERE TargetInstance "
           "ISA 'CIM_DataFile' AND TargetInstance.Path = '%s'",
           dir);
  assert_hr_ok(wes_broker_exec_notification_query_async(
      b, "root/cimv2", "WQL", q, 0, tok, sink, NULL));
  uv_run(&loop, UV_RUN_NOWAIT);
  fp = fopen(file, "a");
  assert_non_null(fp);
  fputs("more", fp);
  fclose(fp);
  for (i = 0; i < 500 && r.n == 0; i++) {
    uv_run(&loop, UV_RUN_ONCE);
  }
  assert_int_equal(r.n, 1);
#if defined(__linux__)
  {
    char want[256];
    expected_fstype(dir, want, sizeof(want));
    assert_true(want[0] != '\0');
    assert_true(r.has[0]);
    assert_true(r.has[1]);
    assert_string_equal(r.fsname[0], want);
    assert_string_equal(r.fsname[1], want);
    if (strncmp(dir, "/dev/shm/", 9) == 0 && strcmp(want, "tmpfs") == 0) {
      assert_string_equal(r.fsname[0], "tmpfs");
    }
  }
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__NetBSD__) || defined(__DragonFly__)
  assert_true(r.has[0] && r.fsname[0][0] != '\0');
  assert_string_equal(r.fsname[0], r.fsname[1]);
#else
  assert_false(r.has[0]); /* no way to find it: left NULL */
#endif
  assert_hr_ok(wes_broker_cancel_async_call(b, sink));
  wes_datafile_provider_close(dp);
  assert_hr_ok(wes_broker_close(b, NULL, NULL));
  uv_close((uv_handle_t *)&t, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
  wes_sink_unref(sink);
  wes_token_unref(tok);
  unlink(file);
  dir[strlen(dir) - 1] = '\0';
  rmdir(dir);
}

static void test_providers_datafile_fsname(void **state) {
  struct stat st;
  (void)state;
  check_fsname_under("/tmp");
  if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)) {
    check_fsname_under("/dev/shm");
  }
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

/* The provider's own failures other than "not capable" (here: out of
 * memory while it compiles the query again) reach the subscriber with
 * the provider's name, not as a bare code. Every allocation of a
 * subscription is failed in turn until the provider's compile is hit. */
static void test_providers_datafile_compile_failure_reported(void **state) {
  pfx_t f;
  char q[256];
  long k;
  int found = 0;
  (void)state;
  pfx_init(&f);
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
           "'CIM_DataFile' AND TargetInstance.Path = '%s'",
           f.dir);
  for (k = 0; k < 5000 && !found; k++) {
    wes_hresult_t hr;
    wes_error_t err;
    wes_error_clear(&err);
    fail_countdown = k;
    hr = sub(&f, q, &err);
    if (fail_countdown >= 0) {
      fail_countdown = -1; /* nothing failed: the subscription stands */
      assert_hr_ok(hr);
      break;
    }
    if (WES_SUCCEEDED(hr)) {
      assert_hr_ok(wes_broker_cancel_async_call(f.b, f.sink));
    }
    if (strstr(err.text, "while compiling") != NULL) {
      found = 1;
      assert_hr_equal(hr, WES_E_OUT_OF_MEMORY);
      assert_hr_equal(err.code, WES_E_OUT_OF_MEMORY);
      assert_string_equal(err.text, DF_PREFIX "out of memory while compiling "
                                              "the query");
    }
  }
  fail_countdown = -1;
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
      cmocka_unit_test(test_providers_datafile_close_after_broker),
      cmocka_unit_test(test_providers_datafile_class_declared),
      cmocka_unit_test(test_providers_datafile_not_capable),
      cmocka_unit_test(test_providers_datafile_not_capable_message),
      cmocka_unit_test(test_providers_datafile_compile_failure_reported),
      cmocka_unit_test(test_providers_datafile_fsname),
      cmocka_unit_test(test_providers_datafile_bad_args),
  };
  if (WES_FAILED(
          wes_replace_allocator(t_malloc, t_realloc, t_calloc, t_free))) {
    return 1;
  }
  return cmocka_run_group_tests_name("providers", tests, NULL, NULL);
}
