/* SPDX-License-Identifier: MIT */
/* Unit tests of the sink module: wrapper and helper sinks. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <uv.h>

#include "wes_test.h"

/* ---- Event objects for the tests ---- */

#define NOBJ 64

static wes_namespace_t *g_ns;
static wes_object_t *g_obj[NOBJ];

static int setup_objects(void **state) {
  wes_class_t *cls = NULL;
  size_t i;
  (void)state;

  if (WES_FAILED(wes_namespace_new("root/test", &g_ns)) ||
      WES_FAILED(wes_class_new(
          "Test_Event", wes_namespace_get_class(g_ns, "__ExtrinsicEvent"),
          &cls)) ||
      WES_FAILED(wes_class_add_property(cls, "Id", WES_CIM_UINT32, NULL, 0)) ||
      WES_FAILED(
          wes_class_add_property(cls, "Text", WES_CIM_STRING, NULL, 0)) ||
      WES_FAILED(wes_namespace_add_class(g_ns, cls, NULL))) {
    return -1;
  }
  for (i = 0; i < NOBJ; i++) {
    if (WES_FAILED(wes_object_new(cls, &g_obj[i])) ||
        WES_FAILED(wes_object_set_uint32(g_obj[i], "Id", (uint32_t)i)) ||
        WES_FAILED(wes_object_set_string(g_obj[i], "Text", "a \"q\"\n"))) {
      return -1;
    }
  }
  wes_class_unref(cls);
  return 0;
}

static int teardown_objects(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < NOBJ; i++) {
    g_obj[i] = wes_object_unref(g_obj[i]);
  }
  g_ns = wes_namespace_unref(g_ns);
  return 0;
}

static int obj_id(const wes_object_t *obj) {
  int i;
  for (i = 0; i < NOBJ; i++) {
    if (g_obj[i] == obj) {
      return i;
    }
  }
  return -1000;
}

/* ---- A recording sink (thread-safe), with a gate ---- */

#define LOG_MAX 1024

typedef struct rec_s {
  uv_mutex_t mu;
  uv_cond_t cv;
  int log[LOG_MAX]; /* object id, or -1 - status index */
  size_t n;
  wes_hresult_t st_hr[16];
  int32_t st_flags[16];
  char st_param[16][32];
  size_t nst;
  size_t calls;
  int entered;
  bool gated;
  int destroyed;
  int active;      /* is_active answer: 1 OK, 0 FALSE */
  bool off_thread; /* a call came on a thread other than `main` */
  uv_thread_t main;
  wes_sink_t *outer;      /* flush this from inside (must be refused) */
  wes_hresult_t flush_hr; /* what that flush returned */
  wes_sink_t *drop_last;  /* unref this from inside indicate */
} rec_t;

static void rec_init(rec_t *r) {
  memset(r, 0, sizeof(*r));
  assert_int_equal(uv_mutex_init(&r->mu), 0);
  assert_int_equal(uv_cond_init(&r->cv), 0);
  r->main = uv_thread_self();
  r->flush_hr = 1234;
}

static void rec_fini(rec_t *r) {
  uv_cond_destroy(&r->cv);
  uv_mutex_destroy(&r->mu);
}

static void rec_note_thread(rec_t *r) {
  uv_thread_t self = uv_thread_self();
  if (!uv_thread_equal(&self, &r->main)) {
    r->off_thread = true;
  }
}

static wes_hresult_t rec_indicate(void *data, wes_object_t *const *objs,
                                  size_t n) {
  rec_t *r = data;
  wes_sink_t *drop;
  size_t i;

  if (r->outer != NULL) {
    r->flush_hr = wes_sink_offload_flush(r->outer); /* worker thread */
  }
  uv_mutex_lock(&r->mu);
  rec_note_thread(r);
  r->entered++;
  r->calls++;
  uv_cond_broadcast(&r->cv);
  while (r->gated) {
    uv_cond_wait(&r->cv, &r->mu);
  }
  for (i = 0; i < n && r->n < LOG_MAX; i++) {
    r->log[r->n++] = obj_id(objs[i]);
  }
  drop = r->drop_last;
  r->drop_last = NULL;
  uv_cond_broadcast(&r->cv);
  uv_mutex_unlock(&r->mu);
  if (drop != NULL) {
    wes_sink_unref(drop);
  }
  return WES_S_OK;
}

static wes_hresult_t rec_set_status(void *data, int32_t flags, wes_hresult_t hr,
                                    const char *param, wes_object_t *obj) {
  rec_t *r = data;
  (void)obj;
  uv_mutex_lock(&r->mu);
  rec_note_thread(r);
  if (r->nst < 16 && r->n < LOG_MAX) {
    r->st_hr[r->nst] = hr;
    r->st_flags[r->nst] = flags;
    snprintf(r->st_param[r->nst], sizeof(r->st_param[0]), "%s",
             param != NULL ? param : "");
    r->log[r->n++] = -1 - (int)r->nst;
    r->nst++;
  }
  uv_cond_broadcast(&r->cv);
  uv_mutex_unlock(&r->mu);
  return WES_S_OK;
}

static wes_hresult_t rec_is_active(void *data) {
  rec_t *r = data;
  return r->active ? WES_S_OK : WES_S_FALSE;
}

static void rec_destroy(void *data) {
  rec_t *r = data;
  uv_mutex_lock(&r->mu);
  r->destroyed++;
  uv_cond_broadcast(&r->cv);
  uv_mutex_unlock(&r->mu);
}

static const wes_sink_ops_t rec_ops = {
    .version = WES_SINK_OPS_VERSION,
    .indicate = rec_indicate,
    .set_status = rec_set_status,
    .is_active = rec_is_active,
    .destroy = rec_destroy,
};

static void rec_wait_entered(rec_t *r, int n) {
  uv_mutex_lock(&r->mu);
  while (r->entered < n) {
    uv_cond_wait(&r->cv, &r->mu);
  }
  uv_mutex_unlock(&r->mu);
}

static void rec_open_gate(rec_t *r) {
  uv_mutex_lock(&r->mu);
  r->gated = false;
  uv_cond_broadcast(&r->cv);
  uv_mutex_unlock(&r->mu);
}

static void rec_wait_destroyed(rec_t *r) {
  uv_mutex_lock(&r->mu);
  while (r->destroyed == 0) {
    uv_cond_wait(&r->cv, &r->mu);
  }
  uv_mutex_unlock(&r->mu);
}

static void assert_log(rec_t *r, const int *expect, size_t n) {
  size_t i;
  uv_mutex_lock(&r->mu);
  assert_int_equal(r->n, n);
  for (i = 0; i < n; i++) {
    if (r->log[i] != expect[i]) {
      uv_mutex_unlock(&r->mu);
      fail_msg("log[%zu] = %d, expected %d", i, r->log[i], expect[i]);
    }
  }
  uv_mutex_unlock(&r->mu);
}

/* ---- Wrapper ---- */

static int plain_destroyed;

static wes_hresult_t plain_indicate(void *data, wes_object_t *const *objs,
                                    size_t n) {
  size_t *count = data;
  (void)objs;
  *count += n;
  return WES_S_OK;
}

static void plain_destroy(void *data) {
  (void)data;
  plain_destroyed++;
}

static const wes_sink_ops_t plain_ops = {
    .version = WES_SINK_OPS_VERSION_1,
    .indicate = plain_indicate,
    .destroy = plain_destroy,
};

static void test_sink_refcount_destroy(void **state) {
  wes_sink_t *s = NULL;
  size_t count = 0;
  (void)state;

  plain_destroyed = 0;
  assert_hr_ok(wes_sink_new(&plain_ops, &count, &s));
  assert_ptr_equal(wes_sink_get_ops(s), &plain_ops);
  assert_ptr_equal(wes_sink_get_data(s), &count);
  assert_ptr_equal(wes_sink_ref(s), s);
  assert_ptr_equal(wes_sink_ref(s), s);
  assert_null(wes_sink_unref(s));
  assert_null(wes_sink_unref(s));
  assert_int_equal(plain_destroyed, 0);
  assert_hr_ok(wes_sink_indicate(s, g_obj, 3));
  assert_int_equal(count, 3);
  assert_null(wes_sink_unref(s));
  assert_int_equal(plain_destroyed, 1);
  assert_null(wes_sink_unref(NULL));
  assert_null(wes_sink_ref(NULL));
  assert_null(wes_sink_get_ops(NULL));
  assert_null(wes_sink_get_data(NULL));
}

/* Refs and unrefs from several threads; destroy runs exactly once. */
static void ref_churn(void *arg) {
  wes_sink_t *s = arg;
  int i;
  for (i = 0; i < 10000; i++) {
    wes_sink_unref(wes_sink_ref(s));
  }
  wes_sink_unref(s); /* the reference given to this thread */
}

static void test_sink_refcount_threads(void **state) {
  uv_thread_t th[4];
  wes_sink_t *s = NULL;
  size_t count = 0;
  int i;
  (void)state;

  plain_destroyed = 0;
  assert_hr_ok(wes_sink_new(&plain_ops, &count, &s));
  for (i = 0; i < 4; i++) {
    assert_int_equal(uv_thread_create(&th[i], ref_churn, wes_sink_ref(s)), 0);
  }
  wes_sink_unref(s);
  for (i = 0; i < 4; i++) {
    assert_int_equal(uv_thread_join(&th[i]), 0);
  }
  assert_int_equal(plain_destroyed, 1);
}

static void test_sink_version_checks(void **state) {
  wes_sink_ops_t ops = plain_ops;
  wes_sink_t *s = NULL;
  size_t count = 0;
  (void)state;

  plain_destroyed = 0;
  ops.version = 0;
  assert_hr_equal(wes_sink_new(&ops, &count, &s), WES_E_INVALID_PARAMETER);
  ops = plain_ops;
  ops.indicate = NULL;
  assert_hr_equal(wes_sink_new(&ops, &count, &s), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new(NULL, &count, &s), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new(&plain_ops, &count, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_null(s);
  /* Failure never runs destroy: data stays the caller's. */
  assert_int_equal(plain_destroyed, 0);
  /* A newer version than the library knows is accepted. */
  ops = plain_ops;
  ops.version = WES_SINK_OPS_VERSION + 7;
  assert_hr_ok(wes_sink_new(&ops, &count, &s));
  assert_hr_ok(wes_sink_indicate(s, g_obj, 1));
  assert_int_equal(count, 1);
  wes_sink_unref(s);
  assert_int_equal(plain_destroyed, 1);
}

static void test_sink_absent_members(void **state) {
  static const char *const q[] = {"SELECT * FROM Test_Event"};
  wes_object_t *with_null[2];
  wes_sink_t *s = NULL, *r = NULL;
  size_t count = 0;
  (void)state;

  assert_hr_ok(wes_sink_new(&plain_ops, &count, &s));
  assert_hr_equal(
      wes_sink_set_status(s, WES_STATUS_COMPLETE, WES_S_OK, NULL, NULL),
      WES_E_NOT_SUPPORTED);
  assert_hr_equal(wes_sink_is_active(s), WES_E_NOT_SUPPORTED);
  assert_hr_equal(wes_sink_get_restricted_sink(s, 1, q, NULL, NULL, &r),
                  WES_E_NOT_SUPPORTED);
  assert_null(r);
  assert_hr_equal(wes_sink_set_batching_parameters(s, WES_FLAG_MUST_BATCH,
                                                   WES_BATCH_MAX_BUFFER,
                                                   WES_INFINITE),
                  WES_E_NOT_SUPPORTED);
  assert_hr_equal(wes_sink_set_sink_security(s, "x", 1), WES_E_NOT_SUPPORTED);

  /* Argument checks come first. */
  assert_hr_equal(wes_sink_indicate(NULL, g_obj, 1), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_indicate(s, NULL, 1), WES_E_INVALID_PARAMETER);
  with_null[0] = g_obj[0];
  with_null[1] = NULL;
  assert_hr_equal(wes_sink_indicate(s, with_null, 2), WES_E_INVALID_PARAMETER);
  assert_int_equal(count, 0);
  assert_hr_ok(wes_sink_indicate(s, NULL, 0));
  assert_int_equal(count, 0); /* n == 0 does not reach the sink */
  assert_hr_equal(wes_sink_set_status(NULL, 0, 0, NULL, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_is_active(NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_get_restricted_sink(s, 0, q, NULL, NULL, &r),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_get_restricted_sink(s, 1, NULL, NULL, NULL, &r),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_get_restricted_sink(s, 1, q, NULL, NULL, NULL),
                  WES_E_INVALID_PARAMETER);
  {
    const char *const nq[] = {q[0], NULL};
    assert_hr_equal(wes_sink_get_restricted_sink(s, 2, nq, NULL, NULL, &r),
                    WES_E_INVALID_PARAMETER);
  }
  assert_hr_equal(wes_sink_set_batching_parameters(s, 3, 0, 0),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_set_batching_parameters(NULL, 0, 0, 0),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_set_sink_security(s, NULL, 4),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_set_sink_security(s, "x", 0),
                  WES_E_INVALID_PARAMETER);
  wes_sink_unref(s);
}

/* A sink with every member, recording what it got. */
typedef struct full_s {
  int32_t flags;
  wes_hresult_t hr;
  const char *param;
  wes_object_t *obj;
  size_t nq;
  const char *q0;
  const struct wes_provider_ops_s *cb;
  void *cb_data;
  uint32_t bflags, bbuf, blat;
  const void *sd;
  size_t sdlen;
  bool give_nothing;
  wes_sink_t *child;
} full_t;

static wes_hresult_t full_indicate(void *data, wes_object_t *const *objs,
                                   size_t n) {
  (void)data;
  (void)objs;
  (void)n;
  return WES_E_SERVER_TOO_BUSY;
}

static wes_hresult_t full_set_status(void *data, int32_t flags,
                                     wes_hresult_t hr, const char *param,
                                     wes_object_t *obj) {
  full_t *f = data;
  f->flags = flags;
  f->hr = hr;
  f->param = param;
  f->obj = obj;
  return WES_S_OK;
}

static wes_hresult_t full_is_active(void *data) {
  (void)data;
  return WES_S_FALSE;
}

static wes_hresult_t full_restricted(void *data, size_t n,
                                     const char *const *queries,
                                     const struct wes_provider_ops_s *cb,
                                     void *cb_data, wes_sink_t **ret_sink) {
  full_t *f = data;
  f->nq = n;
  f->q0 = queries[0];
  f->cb = cb;
  f->cb_data = cb_data;
  if (f->give_nothing) {
    return WES_S_OK;
  }
  *ret_sink = wes_sink_ref(f->child);
  return WES_S_OK;
}

static wes_hresult_t full_batching(void *data, uint32_t flags, uint32_t buf,
                                   uint32_t lat) {
  full_t *f = data;
  f->bflags = flags;
  f->bbuf = buf;
  f->blat = lat;
  return WES_S_OK;
}

static wes_hresult_t full_security(void *data, const void *sd, size_t len) {
  full_t *f = data;
  f->sd = sd;
  f->sdlen = len;
  return WES_E_ACCESS_DENIED;
}

static const wes_sink_ops_t full_ops = {
    .version = WES_SINK_OPS_VERSION,
    .indicate = full_indicate,
    .set_status = full_set_status,
    .is_active = full_is_active,
    .get_restricted_sink = full_restricted,
    .set_batching_parameters = full_batching,
    .set_sink_security = full_security,
};

static void test_sink_full_dispatch(void **state) {
  static const char *const q[] = {"SELECT * FROM Test_Event", "x"};
  static const unsigned char sd[20] = {1};
  full_t f;
  wes_sink_t *s = NULL, *r = NULL;
  size_t count = 0;
  int cookie = 0;
  (void)state;

  memset(&f, 0, sizeof(f));
  assert_hr_ok(wes_sink_new(&plain_ops, &count, &f.child));
  assert_hr_ok(wes_sink_new(&full_ops, &f, &s));
  /* Return codes travel back unchanged. */
  assert_hr_equal(wes_sink_indicate(s, g_obj, 2), WES_E_SERVER_TOO_BUSY);
  assert_hr_ok(wes_sink_set_status(s, WES_STATUS_REQUIREMENTS,
                                   WES_REQUIREMENTS_STOP_POSTFILTER, "p",
                                   g_obj[1]));
  assert_int_equal(f.flags, WES_STATUS_REQUIREMENTS);
  assert_int_equal(f.hr, 1);
  assert_string_equal(f.param, "p");
  assert_ptr_equal(f.obj, g_obj[1]);
  assert_hr_equal(wes_sink_is_active(s), WES_S_FALSE);
  assert_hr_ok(wes_sink_get_restricted_sink(
      s, 2, q, (const struct wes_provider_ops_s *)&cookie, &cookie, &r));
  assert_ptr_equal(r, f.child);
  assert_int_equal(f.nq, 2);
  assert_ptr_equal(f.q0, q[0]);
  assert_ptr_equal(f.cb, (const void *)&cookie);
  assert_ptr_equal(f.cb_data, &cookie);
  wes_sink_unref(r);
  /* A member claiming success without a sink: WES_E_FAILED. */
  f.give_nothing = true;
  r = NULL;
  assert_hr_equal(wes_sink_get_restricted_sink(s, 1, q, NULL, NULL, &r),
                  WES_E_FAILED);
  assert_null(r);
  assert_hr_ok(
      wes_sink_set_batching_parameters(s, WES_FLAG_MUST_NOT_BATCH, 4096, 250));
  assert_int_equal(f.bflags, WES_FLAG_MUST_NOT_BATCH);
  assert_int_equal(f.bbuf, 4096);
  assert_int_equal(f.blat, 250);
  assert_hr_equal(wes_sink_set_sink_security(s, sd, sizeof(sd)),
                  WES_E_ACCESS_DENIED);
  assert_ptr_equal(f.sd, sd);
  assert_int_equal(f.sdlen, sizeof(sd));
  /* No destroy member: unref just frees the wrapper. */
  wes_sink_unref(s);
  wes_sink_unref(f.child);
}

static void test_sink_constants(void **state) {
  (void)state;
  /* Values from the contract (reference sections 3.2, 3.3, 4.4, 8). */
  assert_int_equal(WES_STATUS_COMPLETE, 0);
  assert_int_equal(WES_STATUS_REQUIREMENTS, 1);
  assert_int_equal(WES_STATUS_PROGRESS, 2);
  assert_int_equal(WES_STATUS_LOGGING_INFORMATION, 0x100);
  assert_int_equal(WES_STATUS_LOGGING_INFORMATION_PROVIDER, 0x200);
  assert_int_equal(WES_STATUS_LOGGING_INFORMATION_HOST, 0x400);
  assert_int_equal(WES_STATUS_LOGGING_INFORMATION_REPOSITORY, 0x800);
  assert_int_equal(WES_STATUS_LOGGING_INFORMATION_ESS, 0x1000);
  assert_int_equal(WES_REQUIREMENTS_START_POSTFILTER, 0);
  assert_int_equal(WES_REQUIREMENTS_STOP_POSTFILTER, 1);
  assert_int_equal(WES_REQUIREMENTS_RECHECK_SUBSCRIPTIONS, 2);
  assert_int_equal(WES_FLAG_BATCH_IF_NEEDED, 0);
  assert_int_equal(WES_FLAG_MUST_BATCH, 1);
  assert_int_equal(WES_FLAG_MUST_NOT_BATCH, 2);
  assert_int_equal(WES_BATCH_MAX_BUFFER, 0x7FFFFFFF);
  assert_int_equal(WES_INFINITE, 0xFFFFFFFFu);
  assert_int_equal(WES_NO_WAIT, 0);
}

/* ---- Callback sink ---- */

typedef struct cbrec_s {
  size_t n;
  int first;
  int32_t flags;
  wes_hresult_t hr;
} cbrec_t;

static wes_hresult_t cb_ind(void *data, wes_object_t *const *objs, size_t n) {
  cbrec_t *c = data;
  c->n += n;
  c->first = obj_id(objs[0]);
  return WES_S_FALSE;
}

static wes_hresult_t cb_st(void *data, int32_t flags, wes_hresult_t hr,
                           const char *param, wes_object_t *obj) {
  cbrec_t *c = data;
  (void)param;
  (void)obj;
  c->flags = flags;
  c->hr = hr;
  return WES_S_OK;
}

static void test_sink_callback(void **state) {
  cbrec_t c;
  wes_sink_t *s = NULL;
  (void)state;

  memset(&c, 0, sizeof(c));
  assert_hr_equal(wes_sink_new_callback(NULL, cb_st, &c, &s),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_callback(cb_ind, cb_st, &c, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_ok(wes_sink_new_callback(cb_ind, cb_st, &c, &s));
  assert_hr_equal(wes_sink_indicate(s, g_obj + 5, 3), WES_S_FALSE);
  assert_int_equal(c.n, 3);
  assert_int_equal(c.first, 5);
  assert_hr_ok(wes_sink_set_status(s, WES_STATUS_COMPLETE, WES_E_CALL_CANCELLED,
                                   NULL, NULL));
  assert_int_equal(c.flags, WES_STATUS_COMPLETE);
  assert_hr_equal(c.hr, WES_E_CALL_CANCELLED);
  assert_hr_equal(wes_sink_is_active(s), WES_E_NOT_SUPPORTED);
  assert_hr_equal(wes_sink_set_batching_parameters(s, 0, 1, 1),
                  WES_E_NOT_SUPPORTED);
  wes_sink_unref(s);

  /* Without a status callback set_status is not supported. */
  assert_hr_ok(wes_sink_new_callback(cb_ind, NULL, &c, &s));
  assert_hr_equal(
      wes_sink_set_status(s, WES_STATUS_COMPLETE, WES_S_OK, NULL, NULL),
      WES_E_NOT_SUPPORTED);
  wes_sink_unref(s);
}

/* ---- JSON lines ---- */

static char *read_all(int fd) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  ssize_t r;

  assert_non_null(buf);
  for (;;) {
    if (len + 1 >= cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    r = read(fd, buf + len, cap - len - 1);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      break;
    }
    len += (size_t)r;
  }
  buf[len] = '\0';
  return buf;
}

static char *json_of(const wes_object_t *obj, uint32_t flags) {
  char *text = NULL;
  assert_hr_ok(wes_object_to_json(obj, flags, &text));
  return text;
}

static void test_sink_json_lines_pipe(void **state) {
  int fds[2];
  wes_sink_t *s = NULL;
  char *j[3], *got, expect[8192];
  int i;
  (void)state;

  assert_int_equal(pipe(fds), 0);
  assert_hr_ok(wes_sink_new_json_lines(
      fds[1], WES_SINK_JSON_STATUS_LINE | WES_SINK_JSON_CLOSE_FD, 0, &s));
  assert_hr_ok(wes_sink_indicate(s, g_obj, 2));
  assert_hr_ok(wes_sink_indicate(s, g_obj + 2, 1));
  /* Only COMPLETE writes (and only with the flag). */
  assert_hr_ok(
      wes_sink_set_status(s, WES_STATUS_PROGRESS, 0x10002, NULL, NULL));
  assert_hr_ok(wes_sink_set_status(s, WES_STATUS_COMPLETE, WES_E_CALL_CANCELLED,
                                   "he said \"hi\"\n", NULL));
  assert_hr_equal(wes_sink_is_active(s), WES_E_NOT_SUPPORTED);
  wes_sink_unref(s); /* closes fds[1]: the reader sees EOF */
  got = read_all(fds[0]);
  close(fds[0]);
  for (i = 0; i < 3; i++) {
    j[i] = json_of(g_obj[i], 0);
    assert_null(strchr(j[i], '\n'));
  }
  snprintf(expect, sizeof(expect),
           "%s\n%s\n%s\n"
           "{\"status\":\"complete\",\"hr\":\"0x80041032\","
           "\"name\":\"WBEM_E_CALL_CANCELLED\","
           "\"param\":\"he said \\\"hi\\\"\\n\"}\n",
           j[0], j[1], j[2]);
  assert_string_equal(got, expect);
  for (i = 0; i < 3; i++) {
    wes_free(j[i]);
  }
  free(got);
}

static void test_sink_json_lines_options(void **state) {
  int fds[2];
  wes_sink_t *s = NULL;
  char *j0, *got, expect[4096];
  (void)state;

  assert_hr_equal(wes_sink_new_json_lines(-1, 0, 0, &s),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_json_lines(1, 0x80, 0, &s),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_json_lines(1, 0, WES_RENDER_PRETTY, &s),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_json_lines(1, 0, 0, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_null(s);

  /* No status line, render flags passed on, descriptor left open. */
  assert_int_equal(pipe(fds), 0);
  assert_hr_ok(wes_sink_new_json_lines(fds[1], 0, WES_RENDER_NO_TYPES, &s));
  assert_hr_ok(wes_sink_indicate(s, g_obj + 7, 1));
  assert_hr_ok(
      wes_sink_set_status(s, WES_STATUS_COMPLETE, WES_S_OK, NULL, NULL));
  wes_sink_unref(s);
  assert_true(fcntl(fds[1], F_GETFD) != -1);
  close(fds[1]);
  got = read_all(fds[0]);
  close(fds[0]);
  j0 = json_of(g_obj[7], WES_RENDER_NO_TYPES);
  snprintf(expect, sizeof(expect), "%s\n", j0);
  assert_string_equal(got, expect);
  wes_free(j0);
  free(got);
}

static void test_sink_json_lines_broken_pipe(void **state) {
  int fds[2];
  wes_sink_t *s = NULL;
  (void)state;

  assert_int_equal(pipe(fds), 0);
  close(fds[0]);
  assert_hr_ok(wes_sink_new_json_lines(
      fds[1], WES_SINK_JSON_STATUS_LINE | WES_SINK_JSON_CLOSE_FD, 0, &s));
  /* EPIPE, reported; SIGPIPE does not kill the process. */
  assert_hr_equal(wes_sink_indicate(s, g_obj, 1), WES_E_FAILED);
  assert_hr_equal(
      wes_sink_set_status(s, WES_STATUS_COMPLETE, WES_S_OK, NULL, NULL),
      WES_E_FAILED);
  wes_sink_unref(s);
}

/* ---- Offload ---- */

static void test_sink_offload_invalid(void **state) {
  rec_t r;
  wes_sink_t *inner = NULL, *s = NULL;
  uint64_t q;
  (void)state;

  rec_init(&r);
  assert_hr_ok(wes_sink_new(&rec_ops, &r, &inner));
  assert_hr_equal(wes_sink_new_offload(NULL, 4, 0, 0, &s),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_offload(inner, 0, 0, 0, &s),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_offload(inner, 4, 3, 0, &s),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_offload(inner, 4, 0, 0, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_null(s);
  /* Not an offload sink. */
  assert_hr_equal(wes_sink_offload_stats(inner, &q, NULL, NULL, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_offload_stats(NULL, &q, NULL, NULL, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_offload_flush(inner), WES_E_INVALID_PARAMETER);
  wes_sink_unref(inner);
  assert_int_equal(r.destroyed, 1);
  rec_fini(&r);
}

static void test_sink_offload_order(void **state) {
  rec_t r;
  wes_sink_t *inner = NULL, *s = NULL;
  int expect[NOBJ + 2];
  uint64_t queued, delivered, dropped, pending;
  size_t i, k = 0;
  (void)state;

  rec_init(&r);
  r.active = 1;
  assert_hr_ok(wes_sink_new(&rec_ops, &r, &inner));
  assert_hr_ok(
      wes_sink_new_offload(inner, 8, WES_OFFLOAD_BLOCK, WES_INFINITE, &s));
  wes_sink_unref(inner); /* the offload sink keeps its own reference */
  for (i = 0; i < NOBJ; i += 4) {
    assert_hr_ok(wes_sink_indicate(s, g_obj + i, 4));
    expect[k++] = (int)i;
    expect[k++] = (int)i + 1;
    expect[k++] = (int)i + 2;
    expect[k++] = (int)i + 3;
    if (i == 32) {
      assert_hr_ok(
          wes_sink_set_status(s, WES_STATUS_PROGRESS, 7, "half", g_obj[0]));
      expect[k++] = -1;
    }
  }
  assert_hr_ok(
      wes_sink_set_status(s, WES_STATUS_COMPLETE, WES_S_OK, NULL, NULL));
  expect[k++] = -2;
  /* Forwarded at once on this thread. */
  assert_hr_equal(wes_sink_is_active(s), WES_S_OK);
  assert_hr_equal(wes_sink_set_sink_security(s, "x", 1), WES_E_NOT_SUPPORTED);
  assert_hr_ok(wes_sink_offload_flush(s));
  assert_log(&r, expect, k);
  assert_int_equal(r.st_flags[0], WES_STATUS_PROGRESS);
  assert_int_equal(r.st_hr[0], 7);
  assert_string_equal(r.st_param[0], "half");
  assert_hr_equal(r.st_hr[1], WES_S_OK);
  uv_mutex_lock(&r.mu);
  assert_true(r.off_thread); /* the inner sink ran on the worker */
  uv_mutex_unlock(&r.mu);
  assert_hr_ok(
      wes_sink_offload_stats(s, &queued, &delivered, &dropped, &pending));
  assert_int_equal(queued, NOBJ);
  assert_int_equal(delivered, NOBJ);
  assert_int_equal(dropped, 0);
  assert_int_equal(pending, 0);
  wes_sink_unref(s);
  assert_int_equal(r.destroyed, 1);
  rec_fini(&r);
}

/* Several producer threads; each one's objects arrive in its order. */
typedef struct prod_s {
  wes_sink_t *sink;
  int first;
  int count;
  int failures;
} prod_t;

static void producer(void *arg) {
  prod_t *p = arg;
  int i;
  for (i = 0; i < p->count; i++) {
    if (WES_FAILED(wes_sink_indicate(p->sink, &g_obj[p->first + i], 1))) {
      p->failures++;
    }
  }
}

static void test_sink_offload_threads(void **state) {
  enum { NP = 4, PER = NOBJ / NP };
  rec_t r;
  wes_sink_t *inner = NULL, *s = NULL;
  uv_thread_t th[NP];
  prod_t p[NP];
  int last[NP];
  size_t i;
  int t;
  (void)state;

  rec_init(&r);
  assert_hr_ok(wes_sink_new(&rec_ops, &r, &inner));
  assert_hr_ok(
      wes_sink_new_offload(inner, 3, WES_OFFLOAD_BLOCK, WES_INFINITE, &s));
  for (t = 0; t < NP; t++) {
    p[t].sink = s;
    p[t].first = t * PER;
    p[t].count = PER;
    p[t].failures = 0;
    last[t] = -1;
    assert_int_equal(uv_thread_create(&th[t], producer, &p[t]), 0);
  }
  for (t = 0; t < NP; t++) {
    assert_int_equal(uv_thread_join(&th[t]), 0);
    assert_int_equal(p[t].failures, 0);
  }
  wes_sink_unref(s); /* flushes and joins */
  uv_mutex_lock(&r.mu);
  assert_int_equal(r.n, NOBJ);
  for (i = 0; i < r.n; i++) {
    int id = r.log[i];
    assert_true(id >= 0 && id < NOBJ);
    assert_true(id > last[id / PER]);
    last[id / PER] = id;
  }
  uv_mutex_unlock(&r.mu);
  assert_int_equal(r.destroyed, 0);
  wes_sink_unref(inner);
  assert_int_equal(r.destroyed, 1);
  rec_fini(&r);
}

/* An offload sink (capacity, policy, timeout) over a fresh gated
 * recorder r, holding the only reference to it; its worker is stuck in
 * the inner sink on object 0. */
static wes_sink_t *stuck_offload(rec_t *r, size_t capacity, uint32_t policy,
                                 uint32_t timeout) {
  wes_sink_t *inner = NULL, *s = NULL;

  rec_init(r);
  r->gated = true;
  assert_hr_ok(wes_sink_new(&rec_ops, r, &inner));
  assert_hr_ok(wes_sink_new_offload(inner, capacity, policy, timeout, &s));
  wes_sink_unref(inner);
  assert_hr_ok(wes_sink_indicate(s, g_obj, 1));
  rec_wait_entered(r, 1);
  return s;
}

/* Worker stuck in the inner sink on object 0; the queue of 4 then gets
 * objects 1..6 under `policy`. */
static wes_sink_t *stalled_offload(rec_t *r, uint32_t policy, uint32_t timeout,
                                   wes_hresult_t expect_hr) {
  wes_sink_t *s = stuck_offload(r, 4, policy, timeout);
  assert_hr_equal(wes_sink_indicate(s, g_obj + 1, 6), expect_hr);
  return s;
}

static void check_stats(wes_sink_t *s, uint64_t queued, uint64_t delivered,
                        uint64_t dropped, uint64_t pending) {
  uint64_t q, d, x, p;
  assert_hr_ok(wes_sink_offload_stats(s, &q, &d, &x, &p));
  assert_int_equal(q, queued);
  assert_int_equal(d, delivered);
  assert_int_equal(x, dropped);
  assert_int_equal(p, pending);
}

static void test_sink_offload_drop_newest(void **state) {
  static const int expect[] = {0, 1, 2, 3, 4};
  rec_t r;
  wes_sink_t *s =
      stalled_offload(&r, WES_OFFLOAD_DROP_NEWEST, 0, WES_E_SERVER_TOO_BUSY);
  (void)state;

  check_stats(s, 5, 0, 2, 4);
  rec_open_gate(&r);
  assert_hr_ok(wes_sink_offload_flush(s));
  check_stats(s, 5, 5, 2, 0);
  assert_log(&r, expect, 5);
  wes_sink_unref(s);
  assert_int_equal(r.destroyed, 1);
  rec_fini(&r);
}

static void test_sink_offload_drop_oldest(void **state) {
  static const int expect[] = {0, 3, 4, 5, 6};
  rec_t r;
  wes_sink_t *s = stalled_offload(&r, WES_OFFLOAD_DROP_OLDEST, 0, WES_S_OK);
  (void)state;

  check_stats(s, 7, 0, 2, 4);
  rec_open_gate(&r);
  assert_hr_ok(wes_sink_offload_flush(s));
  check_stats(s, 7, 5, 2, 0);
  assert_log(&r, expect, 5);
  wes_sink_unref(s);
  rec_fini(&r);
}

static void test_sink_offload_block_timeout(void **state) {
  static const int expect[] = {0, 1, 2, 3, 4};
  rec_t r;
  /* Room never comes while the gate is shut: the wait ends after 1 ms
   * and the rest is refused (no timing is asserted, only the outcome). */
  wes_sink_t *s =
      stalled_offload(&r, WES_OFFLOAD_BLOCK, 1, WES_E_SERVER_TOO_BUSY);
  (void)state;

  check_stats(s, 5, 0, 2, 4);
  rec_open_gate(&r);
  assert_hr_ok(wes_sink_offload_flush(s));
  assert_log(&r, expect, 5);
  wes_sink_unref(s);
  rec_fini(&r);

  /* WES_NO_WAIT behaves as drop-newest. */
  s = stalled_offload(&r, WES_OFFLOAD_BLOCK, WES_NO_WAIT,
                      WES_E_SERVER_TOO_BUSY);
  check_stats(s, 5, 0, 2, 4);
  rec_open_gate(&r);
  wes_sink_unref(s);
  assert_log(&r, expect, 5);
  rec_fini(&r);
}

/* BLOCK forever: a producer waits for room; nothing is dropped. */
static void block_producer(void *arg) {
  prod_t *p = arg;
  if (WES_FAILED(wes_sink_indicate(p->sink, &g_obj[p->first], 10))) {
    p->failures++;
  }
}

static void test_sink_offload_block_infinite(void **state) {
  static const int expect[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  rec_t r;
  wes_sink_t *s = NULL;
  uv_thread_t th;
  prod_t p;
  (void)state;

  s = stuck_offload(&r, 2, WES_OFFLOAD_BLOCK, WES_INFINITE);
  p.sink = s;
  p.first = 1;
  p.failures = 0;
  assert_int_equal(uv_thread_create(&th, block_producer, &p), 0);
  rec_open_gate(&r);
  assert_int_equal(uv_thread_join(&th), 0);
  assert_int_equal(p.failures, 0);
  assert_hr_ok(wes_sink_offload_flush(s));
  check_stats(s, 11, 11, 0, 0);
  assert_log(&r, expect, 11);
  wes_sink_unref(s);
  rec_fini(&r);
}

/* Statuses stay behind the objects queued before them, also when older
 * objects are dropped around them. */
static void test_sink_offload_status_order(void **state) {
  static const int expect[] = {0, -1, 3, 4, -2};
  rec_t r;
  wes_sink_t *s = NULL;
  (void)state;

  s = stuck_offload(&r, 2, WES_OFFLOAD_DROP_OLDEST, 0);
  assert_hr_ok(wes_sink_indicate(s, g_obj + 1, 2));
  assert_hr_ok(wes_sink_set_status(s, WES_STATUS_PROGRESS, 1, NULL, NULL));
  assert_hr_ok(wes_sink_indicate(s, g_obj + 3, 2)); /* drops 1 and 2 */
  assert_hr_ok(wes_sink_set_status(s, WES_STATUS_COMPLETE, 2, NULL, NULL));
  check_stats(s, 5, 0, 2, 2);
  rec_open_gate(&r);
  assert_hr_ok(wes_sink_offload_flush(s));
  assert_log(&r, expect, 5);
  wes_sink_unref(s);
  rec_fini(&r);
}

/* The last reference goes on another thread while the worker is stuck
 * with objects queued: destroy waits, delivers everything, then joins. */
static void unref_thread(void *arg) { wes_sink_unref(arg); }

static void test_sink_offload_destroy_in_flight(void **state) {
  static const int expect[] = {0, 1, 2, 3, 4, -1};
  rec_t r;
  wes_sink_t *s = NULL;
  uv_thread_t th;
  (void)state;

  s = stuck_offload(&r, 8, WES_OFFLOAD_DROP_NEWEST, 0);
  assert_hr_ok(wes_sink_indicate(s, g_obj + 1, 4));
  assert_hr_ok(wes_sink_set_status(s, WES_STATUS_COMPLETE, WES_E_SHUTTING_DOWN,
                                   NULL, NULL));
  assert_int_equal(uv_thread_create(&th, unref_thread, s), 0);
  rec_open_gate(&r);
  assert_int_equal(uv_thread_join(&th), 0);
  /* Everything was delivered and the inner sink released. */
  assert_log(&r, expect, 6);
  assert_hr_equal(r.st_hr[0], WES_E_SHUTTING_DOWN);
  assert_int_equal(r.destroyed, 1);
  rec_fini(&r);
}

/* The last reference goes from inside the inner sink, on the worker. */
static void test_sink_offload_destroy_from_worker(void **state) {
  static const int expect[] = {0, 1, 2};
  rec_t r;
  wes_sink_t *s = NULL;
  (void)state;

  s = stuck_offload(&r, 8, WES_OFFLOAD_DROP_NEWEST, 0);
  assert_hr_ok(wes_sink_indicate(s, g_obj + 1, 2));
  uv_mutex_lock(&r.mu);
  r.drop_last = s; /* our reference, dropped by the inner sink */
  uv_mutex_unlock(&r.mu);
  rec_open_gate(&r);
  /* The worker finishes the queue and cleans up alone. */
  rec_wait_destroyed(&r);
  assert_log(&r, expect, 3);
  rec_fini(&r);
}

static void test_sink_offload_flush_from_worker(void **state) {
  rec_t r;
  wes_sink_t *inner = NULL, *s = NULL;
  (void)state;

  rec_init(&r);
  assert_hr_ok(wes_sink_new(&rec_ops, &r, &inner));
  assert_hr_ok(wes_sink_new_offload(inner, 8, WES_OFFLOAD_DROP_NEWEST, 0, &s));
  wes_sink_unref(inner);
  r.outer = s; /* set before the first indicate: no race */
  assert_hr_ok(wes_sink_indicate(s, g_obj, 1));
  assert_hr_ok(wes_sink_offload_flush(s));
  assert_hr_equal(r.flush_hr, WES_E_INVALID_OPERATION);
  wes_sink_unref(s);
  rec_fini(&r);
}

/* ---- Tee ---- */

static wes_hresult_t failing_indicate(void *data, wes_object_t *const *objs,
                                      size_t n) {
  int *calls = data;
  (void)objs;
  (void)n;
  (*calls)++;
  return WES_E_ACCESS_DENIED;
}

static const wes_sink_ops_t failing_ops = {
    .version = WES_SINK_OPS_VERSION,
    .indicate = failing_indicate,
};

static void test_sink_tee(void **state) {
  static const int expect[] = {4, 5, -1};
  rec_t a, b;
  int fcalls = 0;
  wes_sink_t *sinks[3], *tee = NULL;
  int i;
  (void)state;

  rec_init(&a);
  rec_init(&b);
  assert_hr_ok(wes_sink_new(&rec_ops, &a, &sinks[0]));
  assert_hr_ok(wes_sink_new(&failing_ops, &fcalls, &sinks[1]));
  assert_hr_ok(wes_sink_new(&rec_ops, &b, &sinks[2]));
  assert_hr_equal(wes_sink_new_tee(sinks, 0, &tee), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_tee(NULL, 1, &tee), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_tee(sinks, 65, &tee), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sink_new_tee(sinks, 3, NULL), WES_E_INVALID_PARAMETER);
  {
    wes_sink_t *with_null[2] = {sinks[0], NULL};
    assert_hr_equal(wes_sink_new_tee(with_null, 2, &tee),
                    WES_E_INVALID_PARAMETER);
  }
  assert_null(tee);
  assert_hr_ok(wes_sink_new_tee(sinks, 3, &tee));
  for (i = 0; i < 3; i++) {
    wes_sink_unref(sinks[i]); /* the tee holds them */
  }
  assert_int_equal(a.destroyed, 0);
  /* Every branch is called; the result is the first failure. */
  assert_hr_equal(wes_sink_indicate(tee, g_obj + 4, 2), WES_E_ACCESS_DENIED);
  assert_int_equal(fcalls, 1);
  /* set_status: the failing branch has none (NOT_SUPPORTED). */
  assert_hr_equal(
      wes_sink_set_status(tee, WES_STATUS_COMPLETE, WES_S_OK, NULL, NULL),
      WES_E_NOT_SUPPORTED);
  assert_log(&a, expect, 3);
  assert_log(&b, expect, 3);
  /* is_active: OK if any branch is active, FALSE if none. */
  assert_hr_equal(wes_sink_is_active(tee), WES_S_FALSE);
  b.active = 1;
  assert_hr_equal(wes_sink_is_active(tee), WES_S_OK);
  assert_hr_equal(wes_sink_set_batching_parameters(tee, 0, 1, 1),
                  WES_E_NOT_SUPPORTED);
  wes_sink_unref(tee);
  assert_int_equal(a.destroyed, 1);
  assert_int_equal(b.destroyed, 1);
  rec_fini(&a);
  rec_fini(&b);

  /* A tee of sinks that cannot answer is_active. */
  assert_hr_ok(wes_sink_new(&failing_ops, &fcalls, &sinks[0]));
  assert_hr_ok(wes_sink_new_tee(sinks, 1, &tee));
  wes_sink_unref(sinks[0]);
  assert_hr_equal(wes_sink_is_active(tee), WES_E_NOT_SUPPORTED);
  wes_sink_unref(tee);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sink_refcount_destroy),
      cmocka_unit_test(test_sink_refcount_threads),
      cmocka_unit_test(test_sink_version_checks),
      cmocka_unit_test(test_sink_absent_members),
      cmocka_unit_test(test_sink_full_dispatch),
      cmocka_unit_test(test_sink_constants),
      cmocka_unit_test(test_sink_callback),
      cmocka_unit_test(test_sink_json_lines_pipe),
      cmocka_unit_test(test_sink_json_lines_options),
      cmocka_unit_test(test_sink_json_lines_broken_pipe),
      cmocka_unit_test(test_sink_offload_invalid),
      cmocka_unit_test(test_sink_offload_order),
      cmocka_unit_test(test_sink_offload_threads),
      cmocka_unit_test(test_sink_offload_drop_newest),
      cmocka_unit_test(test_sink_offload_drop_oldest),
      cmocka_unit_test(test_sink_offload_block_timeout),
      cmocka_unit_test(test_sink_offload_block_infinite),
      cmocka_unit_test(test_sink_offload_status_order),
      cmocka_unit_test(test_sink_offload_destroy_in_flight),
      cmocka_unit_test(test_sink_offload_destroy_from_worker),
      cmocka_unit_test(test_sink_offload_flush_from_worker),
      cmocka_unit_test(test_sink_tee),
  };
  return cmocka_run_group_tests_name("sink", tests, setup_objects,
                                     teardown_objects);
}
