/* SPDX-License-Identifier: MIT */
/*
 * Delivery on a real libuv loop embedded in the caller's loop: a provider
 * thread indicates, the loop delivers; asynchronous close with the loop
 * left clean; and (manual mode) callback budgets, deferral to a worker,
 * postfilter requirements and sequence numbers.
 */
#include "itest.h"

typedef struct emb_s {
  fx_t f;
  uv_loop_t loop;
  prov_t p;
  int closed;
  size_t want;
  rec_t *r;
} emb_t;

static void emb_closed(void *data) {
  emb_t *e = data;
  e->closed++;
}

static void send_thread(void *arg) {
  emb_t *e = arg;
  uint32_t i;
  for (i = 0; i < 500; i++) {
    assert_hr_ok(fx_send(e->p.sink, fx_event(&e->f, "t", i, 0)));
  }
}

static void check_cb(uv_idle_t *h) {
  emb_t *e = h->data;
  if (rec_count(e->r) >= e->want) {
    uv_idle_stop(h);
    uv_close((uv_handle_t *)h, NULL);
    uv_stop(h->loop); /* the broker's handle keeps the loop alive */
  }
}

static void test_delivery_embedded_loop(void **state) {
  emb_t e;
  wes_broker_options_t o;
  wes_error_t err;
  wes_sink_t *cs;
  uv_thread_t th;
  uv_idle_t idle;
  size_t i;
  (void)state;
  memset(&e, 0, sizeof(e));
  assert_int_equal(uv_loop_init(&e.loop), 0);
  wes_broker_options_init(&o);
  assert_hr_ok(wes_broker_new(&e.loop, &o, &e.f.b, &err));
  e.f.ns = wes_broker_get_namespace(e.f.b, "root/cimv2");
  assert_hr_ok(
      wes_mof_compile(e.f.ns, ITEST_MOF, strlen(ITEST_MOF), NULL, NULL, NULL));
  assert_hr_ok(
      wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0, &e.f.user, NULL));
  prov_init(&e.p);
  fx_reg(&e.f, &e.p, "P", "SELECT * FROM MyEvent");
  e.r = rec_new(&cs);
  assert_hr_ok(fx_sub(&e.f, "SELECT * FROM MyEvent WHERE Value >= 250",
                      e.f.user, cs, 0));
  e.want = 250;
  assert_int_equal(uv_thread_create(&th, send_thread, &e), 0);
  uv_idle_init(&e.loop, &idle);
  idle.data = &e;
  uv_idle_start(&idle, check_cb);
  uv_run(&e.loop, UV_RUN_DEFAULT);
  uv_thread_join(&th);
  assert_int_equal(e.r->n, 250);
  for (i = 0; i < e.r->n; i++) {
    assert_int_equal(ival(e.r->objs[i], "Value"), 250 + i);
  }
  /* asynchronous close: the callback runs from the loop, then the loop
   * has nothing left */
  assert_hr_ok(wes_broker_close(e.f.b, emb_closed, &e));
  assert_hr_equal(wes_broker_close(e.f.b, emb_closed, &e), WES_E_SHUTTING_DOWN);
  assert_int_equal(e.closed, 0);
  assert_int_equal(e.r->nstatus, 1);
  uv_run(&e.loop, UV_RUN_DEFAULT);
  assert_int_equal(e.closed, 1);
  assert_int_equal(uv_loop_close(&e.loop), 0);
  e.f.b = NULL;
  wes_sink_unref(cs);
  assert_int_equal(e.r->destroyed, 1);
  rec_free(e.r);
  prov_done(&e.p);
  fx_teardown(&e.f);
}

static void count_close(void *data) { (*(int *)data)++; }

static void test_delivery_own_thread_close_callback(void **state) {
  fx_t f;
  int closed = 0;
  wes_sink_t *cs;
  rec_t *r;
  prov_t p;
  (void)state;
  fx_setup(&f, WES_BROKER_OWN_THREAD, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "a", 1, 0)));
  rec_wait(r, 1);
  assert_hr_ok(wes_broker_close(f.b, count_close, &closed));
  /* own thread: close joins the thread, the callback ran */
  assert_int_equal(closed, 1);
  f.b = NULL;
  wes_sink_unref(cs);
  rec_free(r);
  prov_done(&p);
  fx_teardown(&f);
}

/* An event class deeper than the per-thread route cache (8 buckets):
 * subscriptions on all 12 ancestors get it, on the first event (cache
 * filled) and on the next ones (cache used, the rest walked). */
static void test_delivery_deep_class_chain(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs[12];
  rec_t *r[12];
  char mof[1024], q[64];
  size_t len = 0;
  int k;
  wes_object_t *o = NULL;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  for (k = 0; k < 12; k++) {
    if (k == 0) {
      len += (size_t)snprintf(mof + len, sizeof(mof) - len,
                              "class Deep0 : __ExtrinsicEvent { uint32 "
                              "Value; };\n");
    } else {
      len += (size_t)snprintf(mof + len, sizeof(mof) - len,
                              "class Deep%d : Deep%d { };\n", k, k - 1);
    }
  }
  assert_hr_ok(wes_mof_compile(f.ns, mof, len, "deep", NULL, NULL));
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM Deep0");
  for (k = 0; k < 12; k++) {
    r[k] = rec_new(&cs[k]);
    snprintf(q, sizeof(q), "SELECT * FROM Deep%d", k);
    assert_hr_ok(fx_sub(&f, q, f.user, cs[k], 0));
  }
  for (k = 0; k < 2; k++) {
    assert_hr_ok(wes_object_new_by_name(f.ns, "Deep11", &o));
    assert_hr_ok(fx_send(p.sink, o));
  }
  assert_hr_ok(wes_object_new_by_name(f.ns, "Deep5", &o));
  assert_hr_ok(fx_send(p.sink, o));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  for (k = 0; k < 12; k++) {
    assert_int_equal(r[k]->n, k <= 5 ? 3 : 2);
  }
  fx_teardown(&f);
  for (k = 0; k < 12; k++) {
    wes_sink_unref(cs[k]);
    rec_free(r[k]);
  }
  prov_done(&p);
}

/* ---- the loop's spin-wait (options.spin_us) ---- */

typedef struct spin_src_s {
  wes_sink_t *sink;
  fx_t *f;
  uint32_t src, n;
} spin_src_t;

static void spin_send(void *arg) {
  spin_src_t *s = arg;
  uint32_t i;
  for (i = 0; i < s->n; i++) {
    assert_hr_ok(fx_send(s->sink, fx_event(s->f, "s", i, s->src)));
  }
}

/* Two provider threads stream into an own-thread broker whose loop
 * sleeps after every pass (spin_us 0), spins the default 4 us, or spins
 * the most (1000 us): every event arrives once, each source's events in
 * order, and the sequence numbers have no gap. */
static void test_delivery_spin_streams(void **state) {
  static const uint32_t spins[] = {0, 4, 1000};
  size_t k;
  (void)state;
  for (k = 0; k < sizeof(spins) / sizeof(spins[0]); k++) {
    wes_broker_options_t o;
    fx_t f;
    prov_t p;
    rec_t *r;
    wes_sink_t *cs;
    spin_src_t src[2];
    uv_thread_t th[2];
    uint32_t next[2] = {0, 0};
    const uint32_t per = 20000;
    size_t i;
    wes_broker_options_init(&o);
    o.spin_us = spins[k];
    o.queue_limit = 2 * per; /* nothing may be dropped */
    fx_setup(&f, WES_BROKER_OWN_THREAD, &o);
    prov_init(&p);
    fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
    r = rec_new(&cs);
    assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
    for (i = 0; i < 2; i++) {
      src[i].sink = p.sink;
      src[i].f = &f;
      src[i].src = (uint32_t)i;
      src[i].n = per;
      assert_int_equal(uv_thread_create(&th[i], spin_send, &src[i]), 0);
    }
    for (i = 0; i < 2; i++) {
      uv_thread_join(&th[i]);
    }
    rec_wait(r, 2 * per);
    assert_int_equal(r->n, 2 * per);
    for (i = 0; i < r->n; i++) {
      uint32_t sidx = ival(r->objs[i], "Src");
      assert_true(sidx < 2);
      assert_int_equal(ival(r->objs[i], "Value"), next[sidx]);
      next[sidx]++;
      assert_true(r->seqs[i] == r->seqs[0] + i);
    }
    assert_hr_ok(wes_broker_close(f.b, NULL, NULL));
    f.b = NULL;
    assert_int_equal(r->nstatus, 1);
    wes_sink_unref(cs);
    rec_free(r);
    prov_done(&p);
    fx_teardown(&f);
  }
}

static void test_delivery_spin_option_checked(void **state) {
  wes_broker_options_t o;
  wes_broker_t *b = NULL;
  wes_error_t err;
  (void)state;
  wes_broker_options_init(&o);
  assert_int_equal(o.spin_us, 4);
  o.spin_us = 1001;
  o.flags = WES_BROKER_OWN_THREAD;
  assert_hr_equal(wes_broker_new(NULL, &o, &b, &err),
                  WES_E_INVALID_PARAMETER);
  assert_null(b);
  assert_non_null(strstr(err.text, "spin_us"));
  /* the largest allowed value; in manual mode it is accepted and unused */
  o.spin_us = 1000;
  o.flags = WES_BROKER_MANUAL;
  assert_hr_ok(wes_broker_new(NULL, &o, &b, &err));
  assert_hr_ok(wes_broker_close(b, NULL, NULL));
}

/* ---- manual mode: budgets, deferral, postfilter, sequences ---- */

static void test_delivery_budget_counted_and_deferred(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *cs2;
  rec_t *r, *r2;
  wes_subscription_stats_t st;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  r2 = rec_new(&cs2);
  /* the consumer "takes" 150 ms of virtual time per call */
  r->cancel_b = f.b;
  r->advance_ms = 150;
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, WES_FLAG_DEFER_SLOW));
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs2, 0));
  assert_hr_ok(
      wes_sink_set_batching_parameters(p.sink, WES_FLAG_MUST_NOT_BATCH, 0, 0));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "a", 1, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.over_budget, 1);
  assert_int_equal(st.callback_ms_max, 150);
  assert_int_equal(st.deferred, 1);
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs2, &st));
  assert_int_equal(st.over_budget, 0);
  assert_int_equal(st.deferred, 0);
  /* after deferral the slow consumer runs on a worker; it still gets
   * every event, and the fast one is not held up */
  r->advance_ms = 0;
  r->cancel_b = NULL;
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "b", 2, 0)));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "c", 3, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r2->n, 3);
  rec_wait(r, 3);
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  /* the worker delivered everything, then the one final status */
  assert_int_equal(r->n, 3);
  assert_int_equal(r->nstatus, 1);
  assert_hr_equal(r->status, WES_E_CALL_CANCELLED);
  wes_sink_unref(cs);
  assert_int_equal(r->destroyed, 1);
  rec_free(r);
  fx_teardown(&f);
  wes_sink_unref(cs2);
  rec_free(r2);
  prov_done(&p);
}

static void test_delivery_postfilter_requirements(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs;
  rec_t *r;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM MyEvent WHERE Value > 10", f.user, cs, 0));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "drop", 1, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 0);
  /* the provider promises to filter itself: the broker stops re-checking */
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_REQUIREMENTS,
                                   WES_REQUIREMENTS_STOP_POSTFILTER, NULL,
                                   NULL));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "drop", 2, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_REQUIREMENTS,
                                   WES_REQUIREMENTS_START_POSTFILTER, NULL,
                                   NULL));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "drop", 3, 0)));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "keep", 14, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 2);
  assert_int_equal(ival(r->objs[1], "Value"), 14);
  assert_hr_equal(
      wes_sink_set_status(p.sink, WES_STATUS_REQUIREMENTS, 7, NULL, NULL),
      WES_E_INVALID_PARAMETER);
  /* recheck: access_check runs again; a denial ends the subscription */
  assert_int_equal(p.naccess, 1);
  p.access = WES_E_ACCESS_DENIED;
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_REQUIREMENTS,
                                   WES_REQUIREMENTS_RECHECK_SUBSCRIPTIONS, NULL,
                                   NULL));
  assert_int_equal(p.naccess, 2);
  assert_int_equal(r->nstatus, 1);
  assert_hr_equal(r->status, WES_E_ACCESS_DENIED);
  fx_teardown(&f);
  wes_sink_unref(cs);
  rec_free(r);
  prov_done(&p);
}

/* Subscriptions whose WHERE is only the indexed equality skip the
 * re-evaluation on an index hit; the index compares hashes, so the cases
 * where two different values share a hash (a negative signed constant and
 * a large unsigned value) must still be decided by the WHERE. */
#define IDX_MOF                                                                \
  "class IdxEvent : __ExtrinsicEvent { uint64 U; sint32 S; string T; };\n"

static void idx_send(fx_t *f, prov_t *p, uint64_t u, int32_t sv,
                     const char *t) {
  wes_object_t *o = NULL;
  assert_hr_ok(wes_object_new_by_name(f->ns, "IdxEvent", &o));
  assert_hr_ok(wes_object_set_uint64(o, "U", u));
  assert_hr_ok(wes_object_set_sint32(o, "S", sv));
  assert_hr_ok(wes_object_set_string(o, "T", t));
  assert_hr_ok(fx_send(p->sink, o));
}

static void test_delivery_index_exact_equality(void **state) {
  static const char *const queries[] = {
      "SELECT * FROM IdxEvent WHERE U = 7",
      "SELECT * FROM IdxEvent WHERE U = -1", /* constant outside uint64 */
      "SELECT * FROM IdxEvent WHERE S = -1",
      "SELECT * FROM IdxEvent WHERE S = -1 AND T = 'x'",
      "SELECT * FROM IdxEvent WHERE T = 'x'",
  };
  enum { NQ = sizeof(queries) / sizeof(queries[0]) };
  fx_t f;
  prov_t p;
  wes_sink_t *cs[NQ];
  rec_t *r[NQ];
  size_t i;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  assert_hr_ok(wes_mof_compile(f.ns, IDX_MOF, strlen(IDX_MOF), "idx", NULL,
                               NULL));
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM IdxEvent");
  for (i = 0; i < NQ; i++) {
    r[i] = rec_new(&cs[i]);
    assert_hr_ok(fx_sub(&f, queries[i], f.user, cs[i], 0));
  }
  idx_send(&f, &p, 7, 0, "y");          /* U = 7 */
  idx_send(&f, &p, UINT64_MAX, 5, "y"); /* hashes as -1; U = -1 false */
  idx_send(&f, &p, 8, -1, "y");         /* S = -1, T differs */
  idx_send(&f, &p, 9, -1, "X");         /* S = -1 AND T = 'x' (no case) */
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r[0]->n, 1);
  {
    uint64_t u = 0;
    assert_hr_ok(wes_object_get_uint64(r[0]->objs[0], "U", &u));
    assert_true(u == 7);
  }
  assert_int_equal(r[1]->n, 0);
  assert_int_equal(r[2]->n, 2);
  assert_int_equal(r[3]->n, 1);
  assert_int_equal(r[4]->n, 1);
  fx_teardown(&f);
  for (i = 0; i < NQ; i++) {
    wes_sink_unref(cs[i]);
    rec_free(r[i]);
  }
  prov_done(&p);
}

static void test_delivery_consumer_failure_event(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm;
  rec_t *r, *ra;
  wes_subscription_stats_t st;
  uint32_t code = 0;
  wes_object_t *inner = NULL;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  ra = rec_new(&adm);
  r->ret = WES_E_FAILED;
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  /* a non-admin may subscribe but never receives these */
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM __ConsumerFailureEvent", f.admin, adm, 0));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "a", 1, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.consumer_failures, 1);
  assert_int_equal(ra->n, 1);
  assert_hr_ok(wes_object_get_uint32(ra->objs[0], "ErrorCode", &code));
  assert_int_equal(code, (uint32_t)WES_E_FAILED);
  assert_hr_ok(wes_object_get_object(ra->objs[0], "Event", &inner));
  assert_int_equal(ival(inner, "Value"), 1);
  fx_teardown(&f);
  wes_sink_unref(cs);
  wes_sink_unref(adm);
  rec_free(r);
  rec_free(ra);
  prov_done(&p);
}

/* A consumer that fails on its deferral worker is reported like one that
 * fails on the loop: the worker notes it and the loop raises the
 * __ConsumerFailureEvent. */
static void test_delivery_failure_on_worker_reported(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm;
  rec_t *r, *ra;
  wes_subscription_stats_t st;
  uint32_t code = 0;
  wes_object_t *inner = NULL;
  uint64_t deadline;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  ra = rec_new(&adm);
  r->cancel_b = f.b;
  r->advance_ms = 150; /* over budget: moved to a worker */
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, WES_FLAG_DEFER_SLOW));
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM __ConsumerFailureEvent", f.admin, adm, 0));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "a", 1, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.deferred, 1);
  assert_int_equal(ra->n, 0);
  r->advance_ms = 0;
  r->cancel_b = NULL;
  r->ret = WES_E_FAILED;
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "b", 2, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  rec_wait(r, 2); /* the worker called the consumer */
  deadline = uv_hrtime() + 30000000000ull;
  while (rec_count(ra) == 0) {
    assert_true(uv_hrtime() < deadline);
    uv_sleep(1);
    assert_hr_ok(wes_broker_advance(f.b, 0));
  }
  assert_int_equal(ra->n, 1);
  assert_hr_ok(wes_object_get_uint32(ra->objs[0], "ErrorCode", &code));
  assert_int_equal(code, (uint32_t)WES_E_FAILED);
  assert_hr_ok(wes_object_get_object(ra->objs[0], "Event", &inner));
  assert_int_equal(ival(inner, "Value"), 2);
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.consumer_failures, 1);
  fx_teardown(&f);
  wes_sink_unref(cs);
  wes_sink_unref(adm);
  rec_free(r);
  rec_free(ra);
  prov_done(&p);
}

/* ---- a consumer on its deferral worker, held inside its callback ---- */

typedef struct held_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  wes_broker_t *b;
  uint64_t advance_ms; /* the next call "takes" that long (virtual) */
  int hold;            /* calls wait while set */
  int in_cb;
  uint32_t values[256];
  size_t n;
  int nstatus;
} held_t;

static wes_hresult_t held_indicate(void *data, wes_object_t *const *objs,
                                   size_t n) {
  held_t *h = data;
  uint64_t adv;
  size_t i;
  uv_mutex_lock(&h->lock);
  h->in_cb = 1;
  uv_cond_broadcast(&h->cond);
  while (h->hold) {
    uv_cond_wait(&h->cond, &h->lock);
  }
  for (i = 0; i < n && h->n < 256; i++) {
    h->values[h->n++] = ival(objs[i], "Value");
  }
  adv = h->advance_ms;
  h->advance_ms = 0;
  h->in_cb = 0;
  uv_cond_broadcast(&h->cond);
  uv_mutex_unlock(&h->lock);
  if (adv > 0) {
    wes_clock_manual_advance(wes_broker_get_clock(h->b), adv);
  }
  return WES_S_OK;
}

static wes_hresult_t held_status(void *data, int32_t flags, wes_hresult_t hr,
                                 const char *param, wes_object_t *obj) {
  held_t *h = data;
  (void)hr;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE) {
    uv_mutex_lock(&h->lock);
    h->nstatus++;
    uv_cond_broadcast(&h->cond);
    uv_mutex_unlock(&h->lock);
  }
  return WES_S_OK;
}

static const wes_sink_ops_t held_ops = {
    WES_SINK_OPS_VERSION_1, held_indicate, held_status, NULL, NULL, NULL, NULL,
    NULL};

static void held_wait_in_cb(held_t *h) {
  uint64_t deadline = uv_hrtime() + 30000000000ull;
  uv_mutex_lock(&h->lock);
  while (!h->in_cb) {
    uint64_t now = uv_hrtime();
    if (now >= deadline) {
      uv_mutex_unlock(&h->lock);
      fail_msg("the worker never entered the callback");
    }
    uv_cond_timedwait(&h->cond, &h->lock, deadline - now);
  }
  uv_mutex_unlock(&h->lock);
}

static void held_set(held_t *h, int hold) {
  uv_mutex_lock(&h->lock);
  h->hold = hold;
  uv_cond_broadcast(&h->cond);
  uv_mutex_unlock(&h->lock);
}

/* Sets up a manual broker (queue_limit 4) with an admin recorder of
 * __EventDroppedEvent (overflow events included) and a consumer that is
 * moved to its worker by the first event and then held inside its
 * second callback on the worker. */
static void held_setup(fx_t *f, prov_t *p, held_t *h, wes_sink_t **cs,
                       rec_t **ra, wes_sink_t **adm) {
  wes_broker_options_t o;
  wes_subscription_stats_t st;
  wes_broker_options_init(&o);
  o.queue_limit = 4;
  fx_setup(f, WES_BROKER_MANUAL, &o);
  prov_init(p);
  fx_reg(f, p, "P", "SELECT * FROM MyEvent");
  memset(h, 0, sizeof(*h));
  uv_mutex_init(&h->lock);
  uv_cond_init(&h->cond);
  h->b = f->b;
  assert_hr_ok(wes_sink_new(&held_ops, h, cs));
  *ra = rec_new(adm);
  assert_hr_ok(
      fx_sub(f, "SELECT * FROM MyEvent", f->user, *cs, WES_FLAG_DEFER_SLOW));
  assert_hr_ok(
      fx_sub(f, "SELECT * FROM __EventDroppedEvent", f->admin, *adm, 0));
  h->advance_ms = 150; /* over budget: moved to a worker */
  assert_hr_ok(fx_send(p->sink, fx_event(f, "a", 0, 0)));
  assert_hr_ok(wes_broker_advance(f->b, 0));
  assert_hr_ok(wes_broker_get_subscription_stats(f->b, *cs, &st));
  assert_int_equal(st.deferred, 1);
  held_set(h, 1);
  assert_hr_ok(fx_send(p->sink, fx_event(f, "b", 1, 0)));
  assert_hr_ok(wes_broker_advance(f->b, 0));
  held_wait_in_cb(h);
}

static void held_teardown(fx_t *f, prov_t *p, held_t *h, wes_sink_t *cs,
                          rec_t *ra, wes_sink_t *adm) {
  fx_teardown(f);
  wes_sink_unref(cs);
  wes_sink_unref(adm);
  rec_free(ra);
  prov_done(p);
  uv_mutex_destroy(&h->lock);
  uv_cond_destroy(&h->cond);
}

/* A full worker queue pushes back: the rest stays with the broker, whose
 * queue bound and overflow policy apply (counted as overflow, reported as
 * __EventQueueOverflowEvent), never as a consumer failure; the worker
 * times the consumer's calls. */
static void test_delivery_deferred_backpressure(void **state) {
  fx_t f;
  prov_t p;
  held_t h;
  wes_sink_t *cs, *adm;
  rec_t *ra;
  wes_subscription_stats_t st;
  uint32_t v;
  size_t i;
  uint64_t deadline;
  (void)state;
  held_setup(&f, &p, &h, &cs, &ra, &adm);
  /* 4 fit the worker's queue, 4 the broker's; the other 4 are dropped */
  for (v = 2; v < 14; v++) {
    assert_hr_ok(fx_send(p.sink, fx_event(&f, "c", v, 0)));
    assert_hr_ok(wes_broker_advance(f.b, 0));
  }
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.dropped_overflow, 4);
  assert_int_equal(st.consumer_failures, 0);
  assert_true(ra->n >= 1);
  assert_string_equal(wes_class_name(wes_object_class(ra->objs[0])),
                      "__EventQueueOverflowEvent");
  /* the next call "takes" 120 ms: measured on the worker */
  uv_mutex_lock(&h.lock);
  h.advance_ms = 120;
  uv_mutex_unlock(&h.lock);
  held_set(&h, 0);
  deadline = uv_hrtime() + 30000000000ull;
  for (;;) {
    size_t got;
    uv_mutex_lock(&h.lock);
    got = h.n;
    uv_mutex_unlock(&h.lock);
    if (got == 10) {
      break;
    }
    assert_true(uv_hrtime() < deadline);
    uv_sleep(1);
    assert_hr_ok(wes_broker_advance(f.b, 0)); /* staged ones move on */
  }
  /* 0 and 1, then 2..9 in order (10..13 were the newest: dropped) */
  for (i = 0; i < 10; i++) {
    assert_int_equal(h.values[i], i);
  }
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.consumer_failures, 0);
  assert_true(st.callback_ms_max >= 120);
  assert_true(st.over_budget >= 2);
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_int_equal(h.nstatus, 1);
  held_teardown(&f, &p, &h, cs, ra, adm);
}

typedef struct canceller_s {
  wes_broker_t *b;
  wes_sink_t *cs;
  wes_hresult_t hr;
} canceller_t;

static void cancel_thread(void *arg) {
  canceller_t *c = arg;
  c->hr = wes_broker_cancel_async_call(c->b, c->cs);
}

/* What the worker still holds when its subscription is cancelled is
 * released and surfaces as one __EventDroppedEvent. */
static void test_delivery_deferred_cancel_reports_drops(void **state) {
  fx_t f;
  prov_t p;
  held_t h;
  wes_sink_t *cs, *adm;
  rec_t *ra;
  wes_subscription_stats_t st;
  canceller_t c;
  uv_thread_t th;
  uint32_t v;
  uint64_t deadline;
  wes_object_t *inner = NULL;
  (void)state;
  held_setup(&f, &p, &h, &cs, &ra, &adm);
  for (v = 2; v < 5; v++) { /* 3 queued on the worker */
    assert_hr_ok(fx_send(p.sink, fx_event(&f, "c", v, 0)));
    assert_hr_ok(wes_broker_advance(f.b, 0));
  }
  c.b = f.b;
  c.cs = cs;
  c.hr = WES_E_FAILED;
  assert_int_equal(uv_thread_create(&th, cancel_thread, &c), 0);
  /* the cancel ended the subscription (it is off the list) and waits for
   * the callback in progress */
  deadline = uv_hrtime() + 30000000000ull;
  while (wes_broker_get_subscription_stats(f.b, cs, &st) == WES_S_OK) {
    assert_true(uv_hrtime() < deadline);
    uv_sleep(1);
  }
  held_set(&h, 0);
  uv_thread_join(&th);
  assert_hr_ok(c.hr);
  assert_int_equal(h.nstatus, 1);
  assert_int_equal(h.n, 2); /* 0 and 1 only: 2..4 were released */
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 1);
  assert_string_equal(wes_class_name(wes_object_class(ra->objs[0])),
                      "__EventDroppedEvent");
  assert_hr_ok(wes_object_get_object(ra->objs[0], "Event", &inner));
  assert_int_equal(ival(inner, "Value"), 4);
  held_teardown(&f, &p, &h, cs, ra, adm);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_delivery_embedded_loop),
      cmocka_unit_test(test_delivery_own_thread_close_callback),
      cmocka_unit_test(test_delivery_deep_class_chain),
      cmocka_unit_test(test_delivery_spin_streams),
      cmocka_unit_test(test_delivery_spin_option_checked),
      cmocka_unit_test(test_delivery_budget_counted_and_deferred),
      cmocka_unit_test(test_delivery_postfilter_requirements),
      cmocka_unit_test(test_delivery_index_exact_equality),
      cmocka_unit_test(test_delivery_consumer_failure_event),
      cmocka_unit_test(test_delivery_failure_on_worker_reported),
      cmocka_unit_test(test_delivery_deferred_backpressure),
      cmocka_unit_test(test_delivery_deferred_cancel_reports_drops),
  };
  return cmocka_run_group_tests_name("delivery", tests, NULL, NULL);
}
