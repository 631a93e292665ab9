/* SPDX-License-Identifier: MIT */
/*
 * CancelAsyncCall racing delivery on a broker thread, from another thread
 * and from inside the consumer's own callback: exactly one final
 * set_status, no indicate after it, the broker's reference dropped before
 * the cancel returns.
 */
#include <stdatomic.h>

#include "itest.h"

typedef struct flood_s {
  fx_t *f;
  prov_t *p;
  atomic_int stop;
  uint32_t sent;
} flood_t;

static void flood_thread(void *arg) {
  flood_t *fl = arg;
  while (!atomic_load(&fl->stop) && fl->sent < 200000) {
    wes_hresult_t hr = fx_send(fl->p->sink, fx_event(fl->f, "x", fl->sent, 0));
    assert_true(hr == WES_S_OK || hr == WES_E_SHUTTING_DOWN);
    fl->sent++;
  }
}

static void test_cancel_races_delivery(void **state) {
  fx_t f;
  prov_t p;
  int round;
  (void)state;
  fx_setup(&f, WES_BROKER_OWN_THREAD, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  for (round = 0; round < 20; round++) {
    wes_sink_t *cs;
    rec_t *r = rec_new(&cs);
    flood_t fl;
    uv_thread_t th;
    memset(&fl, 0, sizeof(fl));
    atomic_init(&fl.stop, 0);
    fl.f = &f;
    fl.p = &p;
    assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
    assert_int_equal(uv_thread_create(&th, flood_thread, &fl), 0);
    rec_wait(r, 1 + (size_t)round * 10);
    assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
    /* before cancel returned: one final status, reference dropped */
    assert_int_equal(r->nstatus, 1);
    assert_hr_equal(r->status, WES_E_CALL_CANCELLED);
    atomic_store(&fl.stop, 1);
    uv_thread_join(&th);
    wes_sink_unref(cs);
    assert_int_equal(r->destroyed, 1);
    assert_int_equal(r->indicate_after_status, 0);
    assert_hr_equal(wes_broker_cancel_async_call(f.b, cs), WES_E_NOT_FOUND);
    rec_free(r);
  }
  fx_teardown(&f);
  prov_done(&p);
}

static void test_cancel_from_inside_callback(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs;
  rec_t *r;
  int i;
  (void)state;
  fx_setup(&f, WES_BROKER_OWN_THREAD, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  r->cancel_b = f.b;
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  for (i = 0; i < 100; i++) {
    assert_hr_ok(fx_send(p.sink, fx_event(&f, "x", (uint32_t)i, 0)));
  }
  rec_wait(r, 0); /* the final status */
  assert_hr_ok(r->cancel_hr);
  assert_int_equal(r->calls, 1);
  assert_int_equal(r->nstatus, 1);
  assert_hr_equal(r->status, WES_E_CALL_CANCELLED);
  fx_teardown(&f);
  assert_int_equal(r->nstatus, 1);
  assert_int_equal(r->indicate_after_status, 0);
  wes_sink_unref(cs);
  assert_int_equal(r->destroyed, 1);
  rec_free(r);
  prov_done(&p);
}

typedef struct blocker_s {
  fx_t *f;
  wes_sink_t *cs;
  wes_hresult_t hr;
} blocker_t;

static void cancel_thread(void *arg) {
  blocker_t *bl = arg;
  bl->hr = wes_broker_cancel_async_call(bl->f->b, bl->cs);
}

static void test_cancel_waits_for_callback_in_progress(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs;
  rec_t *r;
  uv_sem_t gate;
  uv_thread_t th;
  blocker_t bl;
  (void)state;
  fx_setup(&f, WES_BROKER_OWN_THREAD, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  uv_sem_init(&gate, 0);
  r->gate = &gate;
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "x", 1, 0)));
  /* the callback is now (or soon) blocked on the gate; cancel from a
   * third thread must wait for it and then send the final status */
  bl.f = &f;
  bl.cs = cs;
  bl.hr = 1;
  assert_int_equal(uv_thread_create(&th, cancel_thread, &bl), 0);
  uv_sem_post(&gate);
  uv_thread_join(&th);
  assert_hr_ok(bl.hr);
  assert_int_equal(r->nstatus, 1);
  assert_int_equal(r->indicate_after_status, 0);
  fx_teardown(&f);
  wes_sink_unref(cs);
  assert_int_equal(r->destroyed, 1);
  rec_free(r);
  uv_sem_destroy(&gate);
  prov_done(&p);
}

/* A slow consumer moved to a worker (WES_FLAG_DEFER_SLOW) cancels itself
 * from its callback, now running on the worker thread: the subscription
 * ends with exactly one final status once that callback returned, nothing
 * after it; what was still handed to the worker is released. */
static void test_cancel_from_inside_deferred_callback(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *cs2;
  rec_t *r, *r2;
  wes_subscription_stats_t st;
  uint32_t i;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  r2 = rec_new(&cs2);
  r->cancel_b = f.b;
  r->advance_ms = 150; /* over the 100 ms budget: deferred */
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, WES_FLAG_DEFER_SLOW));
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs2, 0));
  assert_hr_ok(
      wes_sink_set_batching_parameters(p.sink, WES_FLAG_MUST_NOT_BATCH, 0, 0));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "a", 0, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.deferred, 1);
  assert_int_equal(r->n, 1);
  /* from now on the callback (on the worker) cancels its own call */
  r->advance_ms = 0;
  r->cancel_hr = 1;
  for (i = 1; i < 20; i++) {
    assert_hr_ok(fx_send(p.sink, fx_event(&f, "b", i, 0)));
  }
  assert_hr_ok(wes_broker_advance(f.b, 0));
  rec_wait(r, 0); /* the final status */
  uv_mutex_lock(&r->lock);
  assert_true(r->cancel_hr == WES_S_OK || r->cancel_hr == WES_E_NOT_FOUND);
  uv_mutex_unlock(&r->lock);
  /* it was the callback's cancel that ended it, not the close below */
  assert_hr_equal(wes_broker_cancel_async_call(f.b, cs), WES_E_NOT_FOUND);
  assert_hr_equal(wes_broker_get_subscription_stats(f.b, cs, &st),
                  WES_E_NOT_FOUND);
  assert_int_equal(r2->n, 20); /* the other consumer is not affected */
  fx_teardown(&f);
  wes_sink_unref(cs);
  wes_sink_unref(cs2);
  uv_mutex_lock(&r->lock);
  assert_int_equal(r->nstatus, 1);
  assert_hr_equal(r->status, WES_E_CALL_CANCELLED);
  assert_int_equal(r->indicate_after_status, 0);
  assert_true(r->n >= 2);
  uv_mutex_unlock(&r->lock);
  /* the worker drops its last reference after the final status */
  {
    uint64_t deadline = uv_hrtime() + 30000000000ull;
    for (;;) {
      int d;
      uv_mutex_lock(&r->lock);
      d = r->destroyed;
      uv_mutex_unlock(&r->lock);
      if (d) {
        break;
      }
      assert_true(uv_hrtime() < deadline);
      uv_sleep(1);
    }
  }
  rec_free(r);
  rec_free(r2);
  prov_done(&p);
}

/* ---- deferred subscriptions end like every other one ---- */

/* A consumer that is slow once (150 ms of virtual time: moved to a
 * worker), then can be held inside a callback on the worker. */
typedef struct slow_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  wes_broker_t *b;
  wes_sink_t *self;    /* not referenced */
  uint64_t advance_ms; /* the next call "takes" that long */
  int hold;            /* callbacks wait while set */
  int cancel_self;     /* the next callback cancels its own call */
  int in_cb;
  int calls;
  size_t n;
  int nstatus;
  wes_hresult_t status;
  wes_hresult_t cancel_hr;
  int indicate_after_status;
  int destroyed;
  uint64_t first_seq[8];
} slow_t;

static wes_hresult_t slow_indicate(void *data, wes_object_t *const *objs,
                                   size_t n) {
  slow_t *s = data;
  uint64_t adv, seq = 0;
  int cancel;
  (void)objs;
  (void)wes_broker_delivery_sequence(&seq);
  uv_mutex_lock(&s->lock);
  if (s->nstatus > 0) {
    s->indicate_after_status = 1;
  }
  if (s->calls < 8) {
    s->first_seq[s->calls] = seq;
  }
  s->calls++;
  s->n += n;
  adv = s->advance_ms;
  s->advance_ms = 0;
  s->in_cb = 1;
  uv_cond_broadcast(&s->cond);
  while (s->hold) {
    uv_cond_wait(&s->cond, &s->lock);
  }
  cancel = s->cancel_self;
  s->cancel_self = 0;
  uv_mutex_unlock(&s->lock);
  if (adv > 0) {
    wes_clock_manual_advance(wes_broker_get_clock(s->b), adv);
  }
  if (cancel) {
    wes_hresult_t hr = wes_broker_cancel_async_call(s->b, s->self);
    uv_mutex_lock(&s->lock);
    s->cancel_hr = hr;
    uv_mutex_unlock(&s->lock);
  }
  uv_mutex_lock(&s->lock);
  s->in_cb = 0;
  uv_cond_broadcast(&s->cond);
  uv_mutex_unlock(&s->lock);
  return WES_S_OK;
}

static wes_hresult_t slow_status(void *data, int32_t flags, wes_hresult_t hr,
                                 const char *param, wes_object_t *obj) {
  slow_t *s = data;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE) {
    uv_mutex_lock(&s->lock);
    s->nstatus++;
    s->status = hr;
    uv_cond_broadcast(&s->cond);
    uv_mutex_unlock(&s->lock);
  }
  return WES_S_OK;
}

static void slow_destroy(void *data) {
  slow_t *s = data;
  uv_mutex_lock(&s->lock);
  s->destroyed = 1;
  uv_cond_broadcast(&s->cond);
  uv_mutex_unlock(&s->lock);
}

static const wes_sink_ops_t slow_ops = {WES_SINK_OPS_VERSION_1,
                                        slow_indicate,
                                        slow_status,
                                        NULL,
                                        NULL,
                                        NULL,
                                        NULL,
                                        slow_destroy};

/* Waits (bounded, never a timing assertion) until *field == want. */
static void slow_wait(slow_t *s, const int *field, int want) {
  uint64_t deadline = uv_hrtime() + 30000000000ull;
  uv_mutex_lock(&s->lock);
  while (*field != want) {
    uint64_t now = uv_hrtime();
    if (now >= deadline) {
      uv_mutex_unlock(&s->lock);
      fail_msg("timed out waiting for the consumer");
    }
    uv_cond_timedwait(&s->cond, &s->lock, deadline - now);
  }
  uv_mutex_unlock(&s->lock);
}

static int slow_get(slow_t *s, const int *field) {
  int v;
  uv_mutex_lock(&s->lock);
  v = *field;
  uv_mutex_unlock(&s->lock);
  return v;
}

/* Manual broker, a DEFER_SLOW subscription already moved to its worker
 * (the only reference on the consumer sink is the broker's), and its
 * worker now inside a callback held there, with three more events queued
 * behind it. */
static slow_t *deferred_setup(fx_t *f, prov_t *p) {
  slow_t *s = calloc(1, sizeof(*s));
  wes_sink_t *cs;
  wes_subscription_stats_t st;
  uint32_t i;
  uv_mutex_init(&s->lock);
  uv_cond_init(&s->cond);
  fx_setup(f, WES_BROKER_MANUAL, NULL);
  prov_init(p);
  fx_reg(f, p, "P", "SELECT * FROM MyEvent");
  s->b = f->b;
  assert_hr_ok(wes_sink_new(&slow_ops, s, &cs));
  s->self = cs;
  s->advance_ms = 150; /* over the 100 ms budget */
  assert_hr_ok(
      fx_sub(f, "SELECT * FROM MyEvent", f->user, cs, WES_FLAG_DEFER_SLOW));
  assert_hr_ok(
      wes_sink_set_batching_parameters(p->sink, WES_FLAG_MUST_NOT_BATCH, 0, 0));
  assert_hr_ok(fx_send(p->sink, fx_event(f, "a", 0, 0)));
  assert_hr_ok(wes_broker_advance(f->b, 0));
  assert_hr_ok(wes_broker_get_subscription_stats(f->b, cs, &st));
  assert_int_equal(st.deferred, 1);
  assert_int_equal(st.delivered, 1);
  wes_sink_unref(cs); /* from now on only the broker holds it */
  uv_mutex_lock(&s->lock);
  s->hold = 1;
  uv_mutex_unlock(&s->lock);
  assert_hr_ok(fx_send(p->sink, fx_event(f, "b", 1, 0)));
  assert_hr_ok(wes_broker_advance(f->b, 0));
  slow_wait(s, &s->in_cb, 1); /* the worker is inside the callback */
  for (i = 2; i < 5; i++) {
    assert_hr_ok(fx_send(p->sink, fx_event(f, "c", i, 0)));
  }
  assert_hr_ok(wes_broker_advance(f->b, 0));
  assert_int_equal(slow_get(s, &s->calls), 2);
  /* the callback on the worker knows its sequence number */
  assert_int_equal(s->first_seq[1], 2);
  return s;
}

static void slow_free(slow_t *s) {
  uv_mutex_destroy(&s->lock);
  uv_cond_destroy(&s->cond);
  free(s);
}

static void release_later(void *arg) {
  slow_t *s = arg;
  /* let the canceller reach its wait first (likely, not required: the
   * assertions hold either way) */
  uv_sleep(20);
  uv_mutex_lock(&s->lock);
  s->hold = 0;
  uv_cond_broadcast(&s->cond);
  uv_mutex_unlock(&s->lock);
}

/* Cancel from another thread while the worker is inside the consumer's
 * callback: it waits for that callback, releases the three events the
 * worker still holds, and before it returns the consumer has had its one
 * final status and the broker's reference on the sink is gone (destroy
 * ran). No indicate follows. */
static void test_cancel_deferred_mid_callback(void **state) {
  fx_t f;
  prov_t p;
  slow_t *s;
  uv_thread_t th;
  wes_broker_stats_t bs;
  int destroyed, nstatus, in_cb, calls;
  wes_hresult_t status;
  (void)state;
  s = deferred_setup(&f, &p);
  assert_int_equal(uv_thread_create(&th, release_later, s), 0);
  assert_hr_ok(wes_broker_cancel_async_call(f.b, s->self));
  uv_mutex_lock(&s->lock);
  destroyed = s->destroyed;
  nstatus = s->nstatus;
  status = s->status;
  in_cb = s->in_cb;
  calls = s->calls;
  uv_mutex_unlock(&s->lock);
  assert_int_equal(destroyed, 1);
  assert_int_equal(nstatus, 1);
  assert_hr_equal(status, WES_E_CALL_CANCELLED);
  assert_int_equal(in_cb, 0);
  assert_int_equal(calls, 2);
  uv_thread_join(&th);
  /* nothing after the cancel */
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "d", 9, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_advance(f.b, 1000));
  assert_int_equal(slow_get(s, &s->calls), 2);
  assert_int_equal(slow_get(s, &s->nstatus), 1);
  assert_int_equal(slow_get(s, &s->indicate_after_status), 0);
  assert_hr_ok(wes_broker_get_stats(f.b, &bs));
  assert_int_equal(bs.delivered, 2);
  assert_int_equal(bs.dropped, 3); /* released on cancel */
  assert_int_equal(bs.subscriptions, 0);
  assert_hr_equal(wes_broker_cancel_async_call(f.b, s->self), WES_E_NOT_FOUND);
  fx_teardown(&f);
  slow_free(s);
  prov_done(&p);
}

/* Cancel from inside the consumer's callback on the worker: it takes
 * effect when that callback returns (no wait on itself): the worker
 * releases what it still holds, sends the one final status and lets go of
 * the sink. */
static void test_cancel_deferred_from_inside_worker(void **state) {
  fx_t f;
  prov_t p;
  slow_t *s;
  wes_broker_stats_t bs;
  (void)state;
  s = deferred_setup(&f, &p);
  uv_mutex_lock(&s->lock);
  s->cancel_self = 1;
  s->hold = 0;
  uv_cond_broadcast(&s->cond);
  uv_mutex_unlock(&s->lock);
  slow_wait(s, &s->destroyed, 1);
  uv_mutex_lock(&s->lock);
  assert_hr_ok(s->cancel_hr);
  assert_int_equal(s->nstatus, 1);
  assert_hr_equal(s->status, WES_E_CALL_CANCELLED);
  assert_int_equal(s->calls, 2);
  assert_int_equal(s->indicate_after_status, 0);
  uv_mutex_unlock(&s->lock);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_get_stats(f.b, &bs));
  assert_int_equal(bs.dropped, 3);
  assert_int_equal(bs.subscriptions, 0);
  assert_hr_equal(wes_broker_cancel_async_call(f.b, s->self), WES_E_NOT_FOUND);
  fx_teardown(&f);
  assert_int_equal(slow_get(s, &s->calls), 2);
  assert_int_equal(slow_get(s, &s->nstatus), 1);
  slow_free(s);
  prov_done(&p);
}

/* A close with a deferred subscription in flight: the same, with
 * WES_E_SHUTTING_DOWN, before wes_broker_close returns (manual mode). */
static void test_cancel_deferred_close_in_flight(void **state) {
  fx_t f;
  prov_t p;
  slow_t *s;
  uv_thread_t th;
  (void)state;
  s = deferred_setup(&f, &p);
  assert_int_equal(uv_thread_create(&th, release_later, s), 0);
  assert_hr_ok(wes_broker_close(f.b, NULL, NULL));
  f.b = NULL;
  uv_mutex_lock(&s->lock);
  assert_int_equal(s->destroyed, 1);
  assert_int_equal(s->nstatus, 1);
  assert_hr_equal(s->status, WES_E_SHUTTING_DOWN);
  assert_int_equal(s->in_cb, 0);
  assert_int_equal(s->calls, 2);
  assert_int_equal(s->indicate_after_status, 0);
  uv_mutex_unlock(&s->lock);
  uv_thread_join(&th);
  fx_teardown(&f);
  slow_free(s);
  prov_done(&p);
}

/* ---- every control call from inside callbacks (DESIGN 4.21) ---- */

/* What one callback did, call by call. */
typedef struct calls_s {
  uv_mutex_t lock;
  fx_t *f;
  uint32_t mode;
  wes_sink_t *self;     /* the acting consumer's sink */
  wes_sink_t *victim;   /* another consumer, cancelled */
  wes_sink_t *newcomer; /* subscribed from inside */
  wes_sink_t *psink;    /* the provider's sink */
  wes_provider_t *me;   /* the acting provider (provider case) */
  int armed, depth, max_depth, indicates, statuses;
  wes_hresult_t status;
  wes_hresult_t sub_hr, cancel_other_hr, batch_hr, reg_hr, unreg_hr,
      unreg_self_hr, advance_hr, cancel_self_hr;
  uint64_t clock_before, clock_after;
} calls_t;

static int calls_take(calls_t *c) {
  int go;
  uv_mutex_lock(&c->lock);
  go = c->armed;
  c->armed = 0;
  uv_mutex_unlock(&c->lock);
  return go;
}

static void calls_arm(calls_t *c) {
  uv_mutex_lock(&c->lock);
  c->armed = 1;
  uv_mutex_unlock(&c->lock);
}

static wes_hresult_t noop_provide(void *data, wes_sink_t *sink, int32_t flags) {
  (void)data;
  (void)sink;
  (void)flags;
  return WES_S_OK;
}

static const wes_provider_ops_t noop_ops = {WES_PROVIDER_OPS_VERSION_1,
                                            noop_provide, NULL, NULL, NULL};

/* Calls everything once; `in_provider`: from a provider op (the control
 * lock is held), else from a consumer's indicate. */
static void calls_do(calls_t *c, int in_provider) {
  fx_t *f = c->f;
  const char *q2 = "SELECT * FROM OtherEvent";
  wes_provider_t *p2 = NULL;
  wes_clock_t *clk = wes_broker_get_clock(f->b);
  wes_hresult_t sub_hr, cancel_hr, batch_hr, reg_hr, unreg_hr, adv_hr;
  wes_hresult_t self_hr = WES_S_OK, unreg_self_hr = WES_S_OK;
  uint64_t t0, t1;
  sub_hr = fx_sub(f, "SELECT * FROM MyEvent", f->other, c->newcomer, 0);
  cancel_hr = wes_broker_cancel_async_call(f->b, c->victim);
  batch_hr =
      wes_sink_set_batching_parameters(c->psink, WES_FLAG_MUST_NOT_BATCH, 0, 0);
  reg_hr = wes_broker_register_provider(f->b, "root/cimv2", "P2", &q2, 1,
                                        &noop_ops, NULL, &p2, NULL);
  unreg_hr =
      p2 != NULL ? wes_broker_unregister_provider(f->b, p2) : WES_E_FAILED;
  t0 = wes_clock_now_ms(clk);
  adv_hr = wes_broker_advance(f->b, 5);
  t1 = wes_clock_now_ms(clk);
  if (in_provider) {
    unreg_self_hr = wes_broker_unregister_provider(f->b, c->me);
  } else {
    self_hr = wes_broker_cancel_async_call(f->b, c->self);
  }
  uv_mutex_lock(&c->lock);
  c->sub_hr = sub_hr;
  c->cancel_other_hr = cancel_hr;
  c->batch_hr = batch_hr;
  c->reg_hr = reg_hr;
  c->unreg_hr = unreg_hr;
  c->advance_hr = adv_hr;
  c->cancel_self_hr = self_hr;
  c->unreg_self_hr = unreg_self_hr;
  c->clock_before = t0;
  c->clock_after = t1;
  uv_mutex_unlock(&c->lock);
}

static wes_hresult_t calls_indicate(void *data, wes_object_t *const *objs,
                                    size_t n) {
  calls_t *c = data;
  (void)objs;
  (void)n;
  uv_mutex_lock(&c->lock);
  c->indicates++;
  if (++c->depth > c->max_depth) {
    c->max_depth = c->depth;
  }
  uv_mutex_unlock(&c->lock);
  if (calls_take(c)) {
    calls_do(c, 0);
  }
  uv_mutex_lock(&c->lock);
  c->depth--;
  uv_mutex_unlock(&c->lock);
  return WES_S_OK;
}

static wes_hresult_t calls_status(void *data, int32_t flags, wes_hresult_t hr,
                                  const char *param, wes_object_t *obj) {
  calls_t *c = data;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE) {
    uv_mutex_lock(&c->lock);
    c->statuses++;
    c->status = hr;
    uv_mutex_unlock(&c->lock);
  }
  return WES_S_OK;
}

static const wes_sink_ops_t calls_sink_ops = {WES_SINK_OPS_VERSION_1,
                                              calls_indicate,
                                              calls_status,
                                              NULL,
                                              NULL,
                                              NULL,
                                              NULL,
                                              NULL};

/* The acting provider: its new_query does the calls when armed. */
typedef struct cprov_s {
  prov_t p; /* first: the itest helpers take it as their data */
  calls_t *c;
} cprov_t;

static wes_hresult_t cp_new_query(void *data, uint32_t id, const char *lang,
                                  const char *q, wes_error_t *reterr) {
  cprov_t *cp = data;
  wes_hresult_t hr = p_new_query(&cp->p, id, lang, q, reterr);
  if (calls_take(cp->c)) {
    calls_do(cp->c, 1);
  }
  return hr;
}

static const wes_provider_ops_t cprov_ops = {WES_PROVIDER_OPS_VERSION_1,
                                             p_provide, cp_new_query,
                                             p_cancel_query, p_access};

static void calls_wait(calls_t *c, uv_loop_t *loop, rec_t *r) {
  uint64_t deadline = uv_hrtime() + 30000000000ull;
  for (;;) {
    int done;
    uv_mutex_lock(&c->lock);
    done = c->statuses > 0;
    uv_mutex_unlock(&c->lock);
    if (done && (r == NULL || rec_count(r) > 0)) {
      return;
    }
    assert_true(uv_hrtime() < deadline);
    if (loop != NULL) {
      uv_run(loop, UV_RUN_NOWAIT);
    } else if (c->mode == WES_BROKER_MANUAL) {
      assert_hr_ok(wes_broker_advance(c->f->b, 1));
    } else {
      uv_sleep(1);
    }
  }
}

static void run_calls_inside(uint32_t mode, int in_provider) {
  uv_loop_t loop;
  fx_t f;
  cprov_t cp;
  calls_t c;
  wes_provider_t *pr = NULL;
  wes_sink_t *acting, *victim, *newcomer, *bystander;
  rec_t *rv, *rn, *rb;
  wes_subscription_stats_t st;
  const char *q = "SELECT * FROM MyEvent";
  if (mode == 0) {
    assert_int_equal(uv_loop_init(&loop), 0);
  }
  fx_setup_loop(&f, mode, mode == 0 ? &loop : NULL);
  memset(&c, 0, sizeof(c));
  uv_mutex_init(&c.lock);
  c.f = &f;
  c.mode = mode;
  memset(&cp, 0, sizeof(cp));
  prov_init(&cp.p);
  cp.c = &c;
  assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "P", &q, 1,
                                            &cprov_ops, &cp, &pr, NULL));
  c.me = pr;
  assert_hr_ok(wes_sink_new(&calls_sink_ops, &c, &acting));
  rv = rec_new(&victim);
  rn = rec_new(&newcomer);
  rb = rec_new(&bystander);
  c.self = acting;
  c.victim = victim;
  c.newcomer = newcomer;
  assert_hr_ok(fx_sub(&f, q, f.user, bystander, 0));
  assert_hr_ok(fx_sub(&f, q, f.user, victim, 0));
  c.psink = cp.p.sink;
  if (in_provider) {
    /* the acting provider's new_query for this subscription acts */
    calls_arm(&c);
    assert_hr_ok(fx_sub(&f, q, f.user, acting, 0));
    /* the queued unregistration ran when the subscribe returned */
    assert_hr_equal(fx_send(cp.p.sink, fx_event(&f, "gone", 1, 0)),
                    WES_E_CALL_CANCELLED);
    assert_hr_equal(wes_broker_unregister_provider(f.b, pr),
                    WES_E_INVALID_PARAMETER);
    assert_int_equal(c.statuses, 0);
  } else {
    assert_hr_ok(fx_sub(&f, q, f.user, acting, 0));
    calls_arm(&c);
    assert_hr_ok(fx_send(cp.p.sink, fx_event(&f, "go", 1, 0)));
    calls_wait(&c, mode == 0 ? &loop : NULL, rb);
  }
  uv_mutex_lock(&c.lock);
  assert_int_equal(c.armed, 0);
  assert_hr_ok(c.sub_hr);
  assert_hr_ok(c.cancel_other_hr);
  assert_hr_ok(c.batch_hr);
  assert_hr_ok(c.reg_hr);
  assert_hr_ok(c.unreg_hr);
  if (mode == WES_BROKER_MANUAL) {
    /* from inside a callback: the clock moves, nothing is delivered */
    assert_hr_ok(c.advance_hr);
    assert_int_equal(c.clock_after, c.clock_before + 5);
  } else {
    assert_hr_equal(c.advance_hr, WES_E_INVALID_OPERATION);
  }
  if (in_provider) {
    assert_hr_ok(c.unreg_self_hr);
    assert_int_equal(c.indicates, 0);
  } else {
    /* its own cancel took effect after the callback: one final status */
    assert_hr_ok(c.cancel_self_hr);
    assert_int_equal(c.indicates, 1);
    assert_int_equal(c.max_depth, 1);
    assert_int_equal(c.statuses, 1);
    assert_hr_equal(c.status, WES_E_CALL_CANCELLED);
  }
  uv_mutex_unlock(&c.lock);
  /* the victim ended once, cancelled; the newcomer lives */
  uv_mutex_lock(&rv->lock);
  assert_int_equal(rv->nstatus, 1);
  assert_hr_equal(rv->status, WES_E_CALL_CANCELLED);
  uv_mutex_unlock(&rv->lock);
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, newcomer, &st));
  assert_hr_equal(wes_broker_cancel_async_call(f.b, victim), WES_E_NOT_FOUND);
  if (in_provider) {
    /* the unregistration told the provider of every subscription's end
     * from its point of view */
    uv_mutex_lock(&cp.p.lock);
    assert_int_equal(cp.p.ncancelled, cp.p.nids);
    uv_mutex_unlock(&cp.p.lock);
  }
  fx_teardown(&f);
  if (mode == 0) {
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
  }
  uv_mutex_lock(&rn->lock);
  assert_int_equal(rn->nstatus, 1);
  assert_hr_equal(rn->status, WES_E_SHUTTING_DOWN);
  uv_mutex_unlock(&rn->lock);
  uv_mutex_lock(&c.lock);
  assert_int_equal(c.statuses, 1);
  uv_mutex_unlock(&c.lock);
  wes_sink_unref(acting);
  wes_sink_unref(victim);
  wes_sink_unref(newcomer);
  wes_sink_unref(bystander);
  rec_free(rv);
  rec_free(rn);
  rec_free(rb);
  prov_done(&cp.p);
  uv_mutex_destroy(&c.lock);
}

static void test_cancel_calls_inside_consumer(void **state) {
  (void)state;
  run_calls_inside(0, 0);
  run_calls_inside(WES_BROKER_OWN_THREAD, 0);
  run_calls_inside(WES_BROKER_MANUAL, 0);
}

static void test_cancel_calls_inside_provider(void **state) {
  (void)state;
  run_calls_inside(0, 1);
  run_calls_inside(WES_BROKER_OWN_THREAD, 1);
  run_calls_inside(WES_BROKER_MANUAL, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cancel_races_delivery),
      cmocka_unit_test(test_cancel_from_inside_callback),
      cmocka_unit_test(test_cancel_waits_for_callback_in_progress),
      cmocka_unit_test(test_cancel_from_inside_deferred_callback),
      cmocka_unit_test(test_cancel_deferred_mid_callback),
      cmocka_unit_test(test_cancel_deferred_from_inside_worker),
      cmocka_unit_test(test_cancel_deferred_close_in_flight),
      cmocka_unit_test(test_cancel_calls_inside_consumer),
      cmocka_unit_test(test_cancel_calls_inside_provider),
  };
  return cmocka_run_group_tests_name("cancel", tests, NULL, NULL);
}
