/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the broker integration tests: a thread-safe recording
 * consumer, a scriptable provider, tokens and a class schema.
 * Waits are bounded (they fail the test after 30 s) but never assert on
 * timing.
 */
#ifndef WES_ITEST_H
#define WES_ITEST_H

#include <stdlib.h>
#include <uv.h>

#include "wes_test.h"

#define ITEST_MOF                                                              \
  "class MyEvent : __ExtrinsicEvent { string Name; uint32 Value; "             \
  "uint32 Src; };\n"                                                           \
  "class OtherEvent : __ExtrinsicEvent { uint32 Code; };\n"                    \
  "class Thing { [key] string Name; uint32 Size; };\n"

#define ITEST_MAX 4096

typedef struct rec_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  wes_object_t **objs;
  uint64_t *seqs;
  size_t n, cap;
  size_t calls;
  size_t batch[ITEST_MAX];
  int nstatus;
  wes_hresult_t status;
  int indicate_after_status;
  int destroyed;
  /* behaviours */
  wes_broker_t *cancel_b; /* cancel self from inside indicate */
  wes_sink_t *self;
  wes_hresult_t cancel_hr;
  uint64_t advance_ms; /* advance the manual clock inside indicate */
  uv_sem_t *gate;      /* wait on it inside the first indicate */
  int gated;
  wes_hresult_t ret;
} rec_t;

static inline wes_hresult_t rec_indicate(void *data, wes_object_t *const *objs,
                                         size_t n) {
  rec_t *r = data;
  size_t i;
  uint64_t seq = 0;
  wes_broker_delivery_sequence(&seq);
  if (r->gate != NULL && !r->gated) {
    r->gated = 1;
    uv_sem_wait(r->gate);
  }
  uv_mutex_lock(&r->lock);
  if (r->nstatus > 0) {
    r->indicate_after_status = 1;
  }
  if (r->calls < ITEST_MAX) {
    r->batch[r->calls] = n;
  }
  r->calls++;
  for (i = 0; i < n; i++) {
    if (r->n == r->cap) {
      r->cap = r->cap ? r->cap * 2 : 64;
      r->objs = realloc(r->objs, r->cap * sizeof(*r->objs));
      r->seqs = realloc(r->seqs, r->cap * sizeof(*r->seqs));
    }
    r->seqs[r->n] = seq + i;
    r->objs[r->n++] = wes_object_ref(objs[i]);
  }
  uv_cond_broadcast(&r->cond);
  uv_mutex_unlock(&r->lock);
  if (r->advance_ms > 0 && r->cancel_b != NULL) {
    wes_clock_manual_advance(wes_broker_get_clock(r->cancel_b), r->advance_ms);
  } else if (r->cancel_b != NULL) {
    r->cancel_hr = wes_broker_cancel_async_call(r->cancel_b, r->self);
  }
  return r->ret;
}

static inline wes_hresult_t rec_status(void *data, int32_t flags,
                                       wes_hresult_t hr, const char *param,
                                       wes_object_t *obj) {
  rec_t *r = data;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE) {
    uv_mutex_lock(&r->lock);
    r->nstatus++;
    r->status = hr;
    uv_cond_broadcast(&r->cond);
    uv_mutex_unlock(&r->lock);
  }
  return WES_S_OK;
}

static inline void rec_destroy(void *data) {
  rec_t *r = data;
  uv_mutex_lock(&r->lock);
  r->destroyed = 1;
  uv_mutex_unlock(&r->lock);
}

static const wes_sink_ops_t rec_ops = {WES_SINK_OPS_VERSION_1,
                                       rec_indicate,
                                       rec_status,
                                       NULL,
                                       NULL,
                                       NULL,
                                       NULL,
                                       rec_destroy};

static inline rec_t *rec_new(wes_sink_t **ret) {
  rec_t *r = calloc(1, sizeof(*r));
  uv_mutex_init(&r->lock);
  uv_cond_init(&r->cond);
  assert_hr_ok(wes_sink_new(&rec_ops, r, ret));
  r->self = *ret;
  return r;
}

static inline void rec_free(rec_t *r) {
  size_t i;
  for (i = 0; i < r->n; i++) {
    wes_object_unref(r->objs[i]);
  }
  free(r->objs);
  free(r->seqs);
  uv_mutex_destroy(&r->lock);
  uv_cond_destroy(&r->cond);
  free(r);
}

/* Waits until r has n events (or a status when n == 0); bounded. */
static inline void rec_wait(rec_t *r, size_t n) {
  uint64_t deadline = uv_hrtime() + 30000000000ull;
  uv_mutex_lock(&r->lock);
  while ((n > 0 ? r->n < n : r->nstatus == 0)) {
    uint64_t now = uv_hrtime();
    if (now >= deadline) {
      uv_mutex_unlock(&r->lock);
      fail_msg("timed out waiting for %zu events (have %zu)", n, r->n);
    }
    uv_cond_timedwait(&r->cond, &r->lock, deadline - now);
  }
  uv_mutex_unlock(&r->lock);
}

static inline size_t rec_count(rec_t *r) {
  size_t n;
  uv_mutex_lock(&r->lock);
  n = r->n;
  uv_mutex_unlock(&r->lock);
  return n;
}

/* ---- provider ---- */

typedef struct prov_s {
  uv_mutex_t lock;
  wes_sink_t *sink;
  int provided;
  uint32_t ids[256];
  int nids;
  uint32_t cancelled[256];
  int ncancelled;
  int naccess;
  wes_hresult_t access;
} prov_t;

static inline wes_hresult_t p_provide(void *data, wes_sink_t *sink,
                                      int32_t flags) {
  prov_t *p = data;
  (void)flags;
  uv_mutex_lock(&p->lock);
  p->provided++;
  p->sink = wes_sink_ref(sink);
  uv_mutex_unlock(&p->lock);
  return WES_S_OK;
}

static inline wes_hresult_t p_new_query(void *data, uint32_t id,
                                        const char *lang, const char *q,
                                        wes_error_t *reterr) {
  prov_t *p = data;
  (void)lang;
  (void)q;
  (void)reterr;
  uv_mutex_lock(&p->lock);
  if (p->nids < 256) {
    p->ids[p->nids++] = id;
  }
  uv_mutex_unlock(&p->lock);
  return WES_S_OK;
}

static inline wes_hresult_t p_cancel_query(void *data, uint32_t id) {
  prov_t *p = data;
  uv_mutex_lock(&p->lock);
  if (p->ncancelled < 256) {
    p->cancelled[p->ncancelled++] = id;
  }
  uv_mutex_unlock(&p->lock);
  return WES_S_OK;
}

static inline wes_hresult_t p_access(void *data, const char *lang,
                                     const char *q, const wes_token_t *tok,
                                     wes_error_t *reterr) {
  prov_t *p = data;
  (void)lang;
  (void)q;
  (void)tok;
  (void)reterr;
  uv_mutex_lock(&p->lock);
  p->naccess++;
  uv_mutex_unlock(&p->lock);
  return p->access;
}

static const wes_provider_ops_t prov_ops = {WES_PROVIDER_OPS_VERSION_1,
                                            p_provide, p_new_query,
                                            p_cancel_query, p_access};

static inline void prov_init(prov_t *p) {
  memset(p, 0, sizeof(*p));
  uv_mutex_init(&p->lock);
}

static inline void prov_done(prov_t *p) {
  wes_sink_unref(p->sink);
  uv_mutex_destroy(&p->lock);
}

/* ---- fixture ---- */

typedef struct fx_s {
  wes_broker_t *b;
  wes_namespace_t *ns;
  wes_token_t *user, *admin, *other;
} fx_t;

static inline void fx_setup(fx_t *f, uint32_t flags,
                            const wes_broker_options_t *o_in) {
  wes_broker_options_t o;
  wes_error_t err;
  memset(f, 0, sizeof(*f));
  if (o_in != NULL) {
    o = *o_in;
  } else {
    wes_broker_options_init(&o);
  }
  o.flags = flags;
  assert_hr_ok(wes_broker_new(NULL, &o, &f->b, &err));
  f->ns = wes_broker_get_namespace(f->b, "root/cimv2");
  if (WES_FAILED(wes_mof_compile(f->ns, ITEST_MOF, strlen(ITEST_MOF), "i", NULL,
                                 &err))) {
    fail_msg("mof: %s", err.text);
  }
  assert_hr_ok(
      wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0, &f->user, NULL));
  assert_hr_ok(
      wes_token_from_unix(0, 0, NULL, 0, NULL, NULL, 0, &f->admin, NULL));
  assert_hr_ok(
      wes_token_from_unix(1001, 1001, NULL, 0, NULL, NULL, 0, &f->other, NULL));
}

/* fx_setup in any mode: `loop` for embedded mode (flags 0), else NULL. */
static inline void fx_setup_loop(fx_t *f, uint32_t flags, uv_loop_t *loop) {
  wes_broker_options_t o;
  wes_error_t err;
  memset(f, 0, sizeof(*f));
  wes_broker_options_init(&o);
  o.flags = flags;
  assert_hr_ok(wes_broker_new(loop, &o, &f->b, &err));
  f->ns = wes_broker_get_namespace(f->b, "root/cimv2");
  if (WES_FAILED(wes_mof_compile(f->ns, ITEST_MOF, strlen(ITEST_MOF), "i", NULL,
                                 &err))) {
    fail_msg("mof: %s", err.text);
  }
  assert_hr_ok(
      wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0, &f->user, NULL));
  assert_hr_ok(
      wes_token_from_unix(0, 0, NULL, 0, NULL, NULL, 0, &f->admin, NULL));
  assert_hr_ok(
      wes_token_from_unix(1001, 1001, NULL, 0, NULL, NULL, 0, &f->other, NULL));
}

static inline void fx_teardown(fx_t *f) {
  if (f->b != NULL) {
    assert_hr_ok(wes_broker_close(f->b, NULL, NULL));
    f->b = NULL;
  }
  wes_token_unref(f->user);
  wes_token_unref(f->admin);
  wes_token_unref(f->other);
}

static inline wes_provider_t *fx_reg(fx_t *f, prov_t *p, const char *name,
                                     const char *q) {
  wes_provider_t *pr = NULL;
  wes_error_t err;
  if (WES_FAILED(wes_broker_register_provider(f->b, "root/cimv2", name, &q, 1,
                                              &prov_ops, p, &pr, &err))) {
    fail_msg("register: %s", err.text);
  }
  return pr;
}

static inline wes_hresult_t fx_sub(fx_t *f, const char *q, wes_token_t *tok,
                                   wes_sink_t *s, int32_t flags) {
  wes_error_t err;
  wes_hresult_t hr = wes_broker_exec_notification_query_async(
      f->b, "root/cimv2", "WQL", q, flags, tok, s, &err);
  return hr;
}

static inline wes_object_t *fx_event(fx_t *f, const char *name, uint32_t value,
                                     uint32_t src) {
  wes_object_t *o = NULL;
  assert_hr_ok(wes_object_new_by_name(f->ns, "MyEvent", &o));
  assert_hr_ok(wes_object_set_string(o, "Name", name));
  assert_hr_ok(wes_object_set_uint32(o, "Value", value));
  assert_hr_ok(wes_object_set_uint32(o, "Src", src));
  return o;
}

static inline wes_hresult_t fx_send(wes_sink_t *s, wes_object_t *o) {
  wes_hresult_t hr = wes_sink_indicate(s, &o, 1);
  wes_object_unref(o);
  return hr;
}

static inline uint32_t ival(wes_object_t *o, const char *prop) {
  uint32_t v = 0;
  assert_hr_ok(wes_object_get_uint32(o, prop, &v));
  return v;
}

#endif /* WES_ITEST_H */
