/* SPDX-License-Identifier: MIT */
/*
 * Integration: cancels and closes made from inside broker callbacks never
 * wait for a callback running on another thread (DESIGN 2.6, 4.21). Real
 * threads: the loop (own thread, embedded on a thread of the test, or the
 * manual driver) and the worker threads of subscriptions moved there by
 * WES_FLAG_DEFER_SLOW. Every interleaving is forced with condition
 * variables; every wait is bounded (30 s) so a deadlock fails the test
 * instead of hanging it. No timing assertions.
 */
#include <stdint.h>
#include <string.h>

#include "itest.h"

#define WAIT_NS 30000000000ull

/* Two callbacks meet here: each arrives after its cancel returned and
 * leaves once both arrived, so each cancel is made while the other
 * callback is still in progress. */
typedef struct meet_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  int arrived;
  int timedout;
} meet_t;

static void meet_init(meet_t *m) {
  memset(m, 0, sizeof(*m));
  uv_mutex_init(&m->lock);
  uv_cond_init(&m->cond);
}

static void meet_done(meet_t *m) {
  uv_mutex_destroy(&m->lock);
  uv_cond_destroy(&m->cond);
}

/* On a callback's thread: never fails there (cmocka is not thread-safe),
 * records a timeout for the test thread instead. */
static void meet_arrive(meet_t *m) {
  uint64_t deadline = uv_hrtime() + WAIT_NS;
  uv_mutex_lock(&m->lock);
  m->arrived++;
  uv_cond_broadcast(&m->cond);
  while (m->arrived < 2) {
    uint64_t now = uv_hrtime();
    if (now >= deadline) {
      m->timedout = 1;
      break;
    }
    uv_cond_timedwait(&m->cond, &m->lock, deadline - now);
  }
  uv_mutex_unlock(&m->lock);
}

/* The close callback's count. */
typedef struct closed_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  int n;
} closed_t;

static void on_closed(void *arg) {
  closed_t *c = arg;
  uv_mutex_lock(&c->lock);
  c->n++;
  uv_cond_broadcast(&c->cond);
  uv_mutex_unlock(&c->lock);
}

/* A consumer whose callbacks can be slow once (moved to a worker), held
 * inside, and made to cancel another sink or close the broker. */
typedef struct dc_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  wes_broker_t *b;
  int manual;
  /* behaviours, read by the next callback */
  int slow;                  /* overrun the budget once */
  int hold;                  /* stay inside while set */
  wes_sink_t *cancel_target; /* cancel this (not referenced) */
  struct dc_s *peer;         /* the target's consumer, looked at on return */
  meet_t *meet;
  int close_broker;
  wes_broker_t *close_other; /* close this broker instead of b */
  closed_t *closed;          /* close callback's record, or NULL */
  /* what happened */
  int in_cb;
  int calls;
  size_t n;
  int acted;
  wes_hresult_t cancel_hr, close_hr;
  int peer_in_cb_at_return, peer_nstatus_at_return, peer_destroyed_at_return;
  int nstatus;
  wes_hresult_t status;
  int indicate_after_status;
  int destroyed;
  int closed_cb;
  uv_thread_t first_thread, last_thread;
} dc_t;

static wes_hresult_t dc_indicate(void *data, wes_object_t *const *objs,
                                 size_t n) {
  dc_t *d = data;
  int slow, close_it;
  wes_sink_t *target;
  dc_t *peer;
  meet_t *meet;
  uint64_t deadline = uv_hrtime() + WAIT_NS;
  (void)objs;
  uv_mutex_lock(&d->lock);
  if (d->nstatus > 0) {
    d->indicate_after_status = 1;
  }
  if (d->calls == 0) {
    d->first_thread = uv_thread_self();
  }
  d->last_thread = uv_thread_self();
  d->calls++;
  d->n += n;
  slow = d->slow;
  d->slow = 0;
  d->in_cb = 1;
  uv_cond_broadcast(&d->cond);
  while (d->hold && uv_hrtime() < deadline) {
    uv_cond_timedwait(&d->cond, &d->lock, 100000000ull);
  }
  target = d->cancel_target;
  d->cancel_target = NULL;
  peer = d->peer;
  meet = d->meet;
  d->meet = NULL;
  close_it = d->close_broker;
  d->close_broker = 0;
  uv_mutex_unlock(&d->lock);
  if (slow) {
    /* over the callback budget: the subscription moves to a worker */
    wes_clock_t *clk = wes_broker_get_clock(d->b);
    if (d->manual) {
      wes_clock_manual_advance(clk, 150);
    } else {
      uint64_t t0 = wes_clock_now_ms(clk);
      while (wes_clock_now_ms(clk) - t0 < 3 && uv_hrtime() < deadline) {
        uv_sleep(1);
      }
    }
  }
  if (target != NULL) {
    wes_hresult_t hr = wes_broker_cancel_async_call(d->b, target);
    int pin = -1, pst = -1, pde = -1;
    if (peer != NULL) {
      uv_mutex_lock(&peer->lock);
      pin = peer->in_cb;
      pst = peer->nstatus;
      pde = peer->destroyed;
      uv_mutex_unlock(&peer->lock);
    }
    uv_mutex_lock(&d->lock);
    d->cancel_hr = hr;
    d->peer_in_cb_at_return = pin;
    d->peer_nstatus_at_return = pst;
    d->peer_destroyed_at_return = pde;
    uv_mutex_unlock(&d->lock);
  }
  if (meet != NULL) {
    meet_arrive(meet);
  }
  if (close_it) {
    wes_broker_t *cb = d->close_other != NULL ? d->close_other : d->b;
    wes_hresult_t hr =
        wes_broker_close(cb, d->closed != NULL ? on_closed : NULL, d->closed);
    int pin = -1, pst = -1;
    if (peer != NULL) {
      uv_mutex_lock(&peer->lock);
      pin = peer->in_cb;
      pst = peer->nstatus;
      uv_mutex_unlock(&peer->lock);
    }
    uv_mutex_lock(&d->lock);
    d->close_hr = hr;
    d->peer_in_cb_at_return = pin;
    d->peer_nstatus_at_return = pst;
    uv_mutex_unlock(&d->lock);
  }
  uv_mutex_lock(&d->lock);
  if (target != NULL || close_it) {
    d->acted = 1;
  }
  d->in_cb = 0;
  uv_cond_broadcast(&d->cond);
  uv_mutex_unlock(&d->lock);
  return WES_S_OK;
}

static wes_hresult_t dc_status(void *data, int32_t flags, wes_hresult_t hr,
                               const char *param, wes_object_t *obj) {
  dc_t *d = data;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE) {
    uv_mutex_lock(&d->lock);
    d->nstatus++;
    d->status = hr;
    uv_cond_broadcast(&d->cond);
    uv_mutex_unlock(&d->lock);
  }
  return WES_S_OK;
}

static void dc_destroy(void *data) {
  dc_t *d = data;
  uv_mutex_lock(&d->lock);
  d->destroyed++;
  uv_cond_broadcast(&d->cond);
  uv_mutex_unlock(&d->lock);
}

static const wes_sink_ops_t dc_ops = {WES_SINK_OPS_VERSION_1,
                                      dc_indicate,
                                      dc_status,
                                      NULL,
                                      NULL,
                                      NULL,
                                      NULL,
                                      dc_destroy};

static dc_t *dc_new(wes_broker_t *b, int manual, wes_sink_t **ret) {
  dc_t *d = calloc(1, sizeof(*d));
  uv_mutex_init(&d->lock);
  uv_cond_init(&d->cond);
  d->b = b;
  d->manual = manual;
  assert_hr_ok(wes_sink_new(&dc_ops, d, ret));
  return d;
}

static void dc_free(dc_t *d) {
  uv_mutex_destroy(&d->lock);
  uv_cond_destroy(&d->cond);
  free(d);
}

static int dc_get(dc_t *d, const int *field) {
  int v;
  uv_mutex_lock(&d->lock);
  v = *field;
  uv_mutex_unlock(&d->lock);
  return v;
}

static void dc_set(dc_t *d, int *field, int v) {
  uv_mutex_lock(&d->lock);
  *field = v;
  uv_cond_broadcast(&d->cond);
  uv_mutex_unlock(&d->lock);
}

/* Waits (bounded) until *field >= want. */
static void dc_wait(dc_t *d, const int *field, int want, const char *what) {
  uint64_t deadline = uv_hrtime() + WAIT_NS;
  uv_mutex_lock(&d->lock);
  while (*field < want) {
    uint64_t now = uv_hrtime();
    if (now >= deadline) {
      uv_mutex_unlock(&d->lock);
      fail_msg("timed out (deadlock?) waiting for %s", what);
    }
    uv_cond_timedwait(&d->cond, &d->lock, deadline - now);
  }
  uv_mutex_unlock(&d->lock);
}

/* ---- fixture: a broker in any mode, a provider, MUST_NOT_BATCH ---- */

typedef struct env_s {
  fx_t f;
  prov_t p;
  uint32_t mode;
  uv_loop_t loop;
  uv_thread_t loop_thread;
  int loop_running;
} env_t;

static void loop_main(void *arg) {
  env_t *e = arg;
  uv_run(&e->loop, UV_RUN_DEFAULT);
}

static void env_setup(env_t *e, uint32_t mode) {
  wes_broker_options_t o;
  wes_error_t err;
  fx_t *f = &e->f;
  memset(e, 0, sizeof(*e));
  e->mode = mode;
  wes_broker_options_init(&o);
  o.flags = mode;
  o.callback_budget_ms = 1;
  if (mode == 0) {
    assert_int_equal(uv_loop_init(&e->loop), 0);
  }
  assert_hr_ok(wes_broker_new(mode == 0 ? &e->loop : NULL, &o, &f->b, &err));
  f->ns = wes_broker_get_namespace(f->b, "root/cimv2");
  if (WES_FAILED(wes_mof_compile(f->ns, ITEST_MOF, strlen(ITEST_MOF), "i", NULL,
                                 &err))) {
    fail_msg("mof: %s", err.text);
  }
  assert_hr_ok(
      wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0, &f->user, NULL));
  prov_init(&e->p);
  fx_reg(f, &e->p, "P", "SELECT * FROM MyEvent");
  if (mode == 0) {
    assert_int_equal(uv_thread_create(&e->loop_thread, loop_main, e), 0);
    e->loop_running = 1;
  }
}

/* The broker is gone already (closed by a callback) when `closed`. */
static void env_teardown(env_t *e, int closed) {
  if (!closed) {
    assert_hr_ok(wes_broker_close(e->f.b, NULL, NULL));
  }
  e->f.b = NULL;
  if (e->loop_running) {
    uv_thread_join(&e->loop_thread);
    assert_int_equal(uv_loop_close(&e->loop), 0);
  }
  wes_token_unref(e->f.user);
  prov_done(&e->p);
}

/* Subscribes `sink` to events with Src = src; the test keeps no
 * reference on the sink afterwards (so destroy counts the broker's). */
static void env_sub(env_t *e, wes_sink_t *sink, uint32_t src, int defer) {
  char q[96];
  snprintf(q, sizeof(q), "SELECT * FROM MyEvent WHERE Src = %u", (unsigned)src);
  assert_hr_ok(
      fx_sub(&e->f, q, e->f.user, sink, defer ? WES_FLAG_DEFER_SLOW : 0));
  if (e->p.sink != NULL) {
    assert_hr_ok(wes_sink_set_batching_parameters(
        e->p.sink, WES_FLAG_MUST_NOT_BATCH, 0, 0));
  }
}

static void env_send(env_t *e, uint32_t src, uint32_t value) {
  assert_hr_ok(fx_send(e->p.sink, fx_event(&e->f, "e", value, src)));
  if (e->mode == WES_BROKER_MANUAL) {
    assert_hr_ok(wes_broker_advance(e->f.b, 0));
  }
}

/* One slow callback, then the subscription delivers on its worker. */
static void make_deferred(env_t *e, dc_t *d, wes_sink_t *sink, uint32_t src) {
  wes_subscription_stats_t st;
  uint64_t deadline = uv_hrtime() + WAIT_NS;
  int calls = dc_get(d, &d->calls);
  dc_set(d, &d->slow, 1);
  env_send(e, src, 0);
  dc_wait(d, &d->calls, calls + 1, "the slow callback");
  for (;;) {
    assert_hr_ok(wes_broker_get_subscription_stats(e->f.b, sink, &st));
    if (st.deferred == 1) {
      break;
    }
    if (uv_hrtime() >= deadline) {
      fail_msg("the subscription was not moved to a worker");
    }
    uv_sleep(1);
  }
}

/* Puts d's next callback in progress (held) and waits until it is. */
static void hold_in_callback(env_t *e, dc_t *d, uint32_t src, uint32_t v) {
  dc_set(d, &d->hold, 1);
  env_send(e, src, v);
  dc_wait(d, &d->in_cb, 1, "the callback to start");
}

static void release(dc_t *d) { dc_set(d, &d->hold, 0); }

/* Ended once with `hr`, nothing after, the broker's reference dropped. */
static void assert_ended(dc_t *d, wes_hresult_t hr) {
  dc_wait(d, &d->destroyed, 1, "the sink's release");
  uv_mutex_lock(&d->lock);
  assert_int_equal(d->nstatus, 1);
  assert_hr_equal(d->status, hr);
  assert_int_equal(d->indicate_after_status, 0);
  assert_int_equal(d->destroyed, 1);
  uv_mutex_unlock(&d->lock);
}

/* ---- two deferred subscriptions cancel each other from their workers ----
 */
static void test_reentrant_deferred_cancel_each_other(void **state) {
  env_t e;
  dc_t *a, *b;
  wes_sink_t *sa, *sb;
  meet_t m;
  wes_broker_stats_t bs;
  uv_thread_t loop_thread;
  (void)state;
  env_setup(&e, WES_BROKER_OWN_THREAD);
  meet_init(&m);
  a = dc_new(e.f.b, 0, &sa);
  b = dc_new(e.f.b, 0, &sb);
  env_sub(&e, sa, 1, 1);
  env_sub(&e, sb, 2, 1);
  make_deferred(&e, a, sa, 1);
  make_deferred(&e, b, sb, 2);
  loop_thread = a->first_thread;
  /* both inside a callback on their workers, each with one more event
   * queued behind it */
  hold_in_callback(&e, a, 1, 1);
  hold_in_callback(&e, b, 2, 1);
  assert_false(uv_thread_equal(&a->last_thread, &loop_thread));
  assert_false(uv_thread_equal(&b->last_thread, &loop_thread));
  assert_false(uv_thread_equal(&a->last_thread, &b->last_thread));
  env_send(&e, 1, 2);
  env_send(&e, 2, 2);
  uv_mutex_lock(&a->lock);
  a->cancel_target = sb;
  a->peer = b;
  a->meet = &m;
  uv_mutex_unlock(&a->lock);
  uv_mutex_lock(&b->lock);
  b->cancel_target = sa;
  b->peer = a;
  b->meet = &m;
  uv_mutex_unlock(&b->lock);
  wes_sink_unref(sa);
  wes_sink_unref(sb);
  release(a);
  release(b);
  dc_wait(a, &a->acted, 1, "a's cancel");
  dc_wait(b, &b->acted, 1, "b's cancel");
  assert_int_equal(m.timedout, 0);
  assert_hr_ok(a->cancel_hr);
  assert_hr_ok(b->cancel_hr);
  /* each cancel returned while the other callback was in progress,
   * before the other's final status */
  assert_int_equal(a->peer_in_cb_at_return, 1);
  assert_int_equal(b->peer_in_cb_at_return, 1);
  assert_int_equal(a->peer_nstatus_at_return, 0);
  assert_int_equal(b->peer_nstatus_at_return, 0);
  assert_ended(a, WES_E_CALL_CANCELLED);
  assert_ended(b, WES_E_CALL_CANCELLED);
  assert_int_equal(dc_get(a, &a->calls), 2); /* the queued one never came */
  assert_int_equal(dc_get(b, &b->calls), 2);
  env_send(&e, 1, 3);
  env_send(&e, 2, 3);
  assert_hr_ok(wes_broker_get_stats(e.f.b, &bs));
  assert_int_equal(bs.subscriptions, 0);
  assert_hr_equal(wes_broker_cancel_async_call(e.f.b, sa), WES_E_NOT_FOUND);
  env_teardown(&e, 0);
  assert_int_equal(a->calls, 2);
  assert_int_equal(a->nstatus, 1);
  assert_int_equal(b->nstatus, 1);
  meet_done(&m);
  dc_free(a);
  dc_free(b);
}

/* ---- a loop-side consumer and a deferred one cancel each other ---- */
static void test_reentrant_loop_and_worker_cancel_each_other(void **state) {
  env_t e;
  dc_t *l, *w;
  wes_sink_t *sl, *sw;
  meet_t m;
  wes_broker_stats_t bs;
  (void)state;
  env_setup(&e, WES_BROKER_OWN_THREAD);
  meet_init(&m);
  l = dc_new(e.f.b, 0, &sl);
  w = dc_new(e.f.b, 0, &sw);
  env_sub(&e, sl, 1, 0);
  env_sub(&e, sw, 2, 1);
  make_deferred(&e, w, sw, 2);
  /* the worker inside w's callback first (the loop hands it the event),
   * then the loop inside l's */
  hold_in_callback(&e, w, 2, 1);
  env_send(&e, 2, 2);
  hold_in_callback(&e, l, 1, 1);
  assert_true(uv_thread_equal(&l->last_thread, &w->first_thread));
  assert_false(uv_thread_equal(&l->last_thread, &w->last_thread));
  uv_mutex_lock(&l->lock);
  l->cancel_target = sw;
  l->peer = w;
  l->meet = &m;
  uv_mutex_unlock(&l->lock);
  uv_mutex_lock(&w->lock);
  w->cancel_target = sl;
  w->peer = l;
  w->meet = &m;
  uv_mutex_unlock(&w->lock);
  wes_sink_unref(sl);
  wes_sink_unref(sw);
  release(l);
  release(w);
  dc_wait(l, &l->acted, 1, "the loop consumer's cancel");
  dc_wait(w, &w->acted, 1, "the worker consumer's cancel");
  assert_int_equal(m.timedout, 0);
  assert_hr_ok(l->cancel_hr);
  assert_hr_ok(w->cancel_hr);
  assert_int_equal(l->peer_in_cb_at_return, 1);
  assert_int_equal(w->peer_in_cb_at_return, 1);
  assert_int_equal(l->peer_nstatus_at_return, 0);
  assert_int_equal(w->peer_nstatus_at_return, 0);
  assert_ended(l, WES_E_CALL_CANCELLED);
  assert_ended(w, WES_E_CALL_CANCELLED);
  env_send(&e, 1, 3);
  env_send(&e, 2, 3);
  assert_int_equal(dc_get(l, &l->calls), 1);
  assert_int_equal(dc_get(w, &w->calls), 2);
  assert_hr_ok(wes_broker_get_stats(e.f.b, &bs));
  assert_int_equal(bs.subscriptions, 0);
  env_teardown(&e, 0);
  meet_done(&m);
  dc_free(l);
  dc_free(w);
}

/* ---- a cancel from a callback returns while the target's callback is
 * in progress on another thread; the target ends after it ---- */
static void cancel_in_progress(int target_deferred) {
  env_t e;
  dc_t *x, *y;
  wes_sink_t *sx, *sy;
  wes_broker_stats_t bs;
  env_setup(&e, WES_BROKER_OWN_THREAD);
  x = dc_new(e.f.b, 0, &sx);
  y = dc_new(e.f.b, 0, &sy);
  env_sub(&e, sx, 1, !target_deferred);
  env_sub(&e, sy, 2, target_deferred);
  if (target_deferred) {
    /* y held on its worker with two events queued behind it; x cancels
     * from its callback on the loop */
    make_deferred(&e, y, sy, 2);
    hold_in_callback(&e, y, 2, 1);
    env_send(&e, 2, 2);
    env_send(&e, 2, 3);
  } else {
    /* x held in a callback on its worker (the loop is free to hand it
     * the event first), then y held on the loop; x cancels y */
    make_deferred(&e, x, sx, 1);
    hold_in_callback(&e, x, 1, 1);
    hold_in_callback(&e, y, 2, 1);
    env_send(&e, 2, 2); /* queued behind y's callback */
  }
  uv_mutex_lock(&x->lock);
  x->cancel_target = sy;
  x->peer = y;
  uv_mutex_unlock(&x->lock);
  wes_sink_unref(sy);
  if (target_deferred) {
    env_send(&e, 1, 1); /* x's callback on the loop cancels y */
  } else {
    release(x); /* x's callback on its worker cancels y */
  }
  dc_wait(x, &x->acted, 1, "the cancel to return");
  uv_mutex_lock(&x->lock);
  assert_hr_ok(x->cancel_hr);
  assert_int_equal(x->peer_in_cb_at_return, 1);
  assert_int_equal(x->peer_nstatus_at_return, 0);
  assert_int_equal(x->peer_destroyed_at_return, 0);
  uv_mutex_unlock(&x->lock);
  /* y is still inside its callback: no status yet */
  assert_int_equal(dc_get(y, &y->in_cb), 1);
  assert_int_equal(dc_get(y, &y->nstatus), 0);
  assert_int_equal(dc_get(y, &y->destroyed), 0);
  if (target_deferred) {
    assert_hr_equal(wes_broker_cancel_async_call(e.f.b, sy), WES_E_NOT_FOUND);
  }
  release(y);
  assert_ended(y, WES_E_CALL_CANCELLED);
  assert_int_equal(dc_get(y, &y->calls), target_deferred ? 2 : 1);
  env_send(&e, 2, 9);
  assert_hr_ok(wes_broker_get_stats(e.f.b, &bs));
  assert_int_equal(bs.subscriptions, 1); /* x lives */
  assert_true(bs.dropped >= (target_deferred ? 2u : 1u));
  assert_hr_ok(wes_broker_cancel_async_call(e.f.b, sx));
  assert_int_equal(dc_get(x, &x->nstatus), 1);
  wes_sink_unref(sx);
  assert_int_equal(dc_get(x, &x->destroyed), 1);
  env_teardown(&e, 0);
  assert_int_equal(y->calls, target_deferred ? 2 : 1);
  assert_int_equal(y->nstatus, 1);
  assert_int_equal(y->destroyed, 1);
  dc_free(x);
  dc_free(y);
}

static void test_reentrant_cancel_worker_in_progress(void **state) {
  (void)state;
  cancel_in_progress(1);
}

static void test_reentrant_cancel_loop_in_progress(void **state) {
  (void)state;
  cancel_in_progress(0);
}

/* ---- a deferred consumer closes the broker from its worker ---- */

static void close_from_worker(uint32_t mode) {
  env_t e;
  dc_t *w, *l;
  wes_sink_t *sw, *sl;
  closed_t c;
  uint64_t deadline;
  int manual = mode == WES_BROKER_MANUAL;
  env_setup(&e, mode);
  memset(&c, 0, sizeof(c));
  uv_mutex_init(&c.lock);
  uv_cond_init(&c.cond);
  w = dc_new(e.f.b, manual, &sw);
  l = dc_new(e.f.b, manual, &sl);
  env_sub(&e, sw, 2, 1);
  env_sub(&e, sl, 1, 0);
  make_deferred(&e, w, sw, 2);
  env_send(&e, 1, 1);
  dc_wait(l, &l->calls, 1, "the loop consumer");
  /* w's next callback, on its worker, closes the broker; one more event
   * waits behind it */
  hold_in_callback(&e, w, 2, 1);
  env_send(&e, 2, 2);
  assert_false(uv_thread_equal(&w->last_thread, &w->first_thread));
  uv_mutex_lock(&w->lock);
  w->close_broker = 1;
  w->closed = &c;
  uv_mutex_unlock(&w->lock);
  wes_sink_unref(sw);
  wes_sink_unref(sl);
  release(w);
  /* the close is recorded in the callback and runs on the worker once
   * the callback returned */
  dc_wait(w, &w->acted, 1, "the close call");
  uv_mutex_lock(&w->lock);
  assert_hr_ok(w->close_hr);
  uv_mutex_unlock(&w->lock);
  assert_ended(w, WES_E_SHUTTING_DOWN);
  assert_ended(l, WES_E_SHUTTING_DOWN);
  deadline = uv_hrtime() + WAIT_NS;
  uv_mutex_lock(&c.lock);
  while (c.n == 0) {
    uint64_t now = uv_hrtime();
    if (now >= deadline) {
      uv_mutex_unlock(&c.lock);
      fail_msg("timed out (deadlock?) waiting for the close callback");
    }
    uv_cond_timedwait(&c.cond, &c.lock, deadline - now);
  }
  assert_int_equal(c.n, 1);
  uv_mutex_unlock(&c.lock);
  env_teardown(&e, 1);
  assert_int_equal(w->calls, 2); /* nothing after the close's callback */
  assert_int_equal(l->calls, 1);
  uv_mutex_destroy(&c.lock);
  uv_cond_destroy(&c.cond);
  dc_free(w);
  dc_free(l);
}

static void test_reentrant_close_from_worker_own_thread(void **state) {
  (void)state;
  close_from_worker(WES_BROKER_OWN_THREAD);
}

static void test_reentrant_close_from_worker_embedded(void **state) {
  (void)state;
  close_from_worker(0);
}

static void test_reentrant_close_from_worker_manual(void **state) {
  (void)state;
  close_from_worker(WES_BROKER_MANUAL);
}

/* ---- a callback of one broker closes another broker whose callback is
 * in progress on that broker's thread: the close never waits for it ---- */
static void test_reentrant_close_other_broker_in_callback(void **state) {
  env_t ea, eb;
  dc_t *x, *y;
  wes_sink_t *sx, *sy;
  closed_t c;
  uint64_t deadline;
  (void)state;
  env_setup(&ea, WES_BROKER_OWN_THREAD);
  env_setup(&eb, WES_BROKER_OWN_THREAD);
  memset(&c, 0, sizeof(c));
  uv_mutex_init(&c.lock);
  uv_cond_init(&c.cond);
  x = dc_new(ea.f.b, 0, &sx);
  y = dc_new(eb.f.b, 0, &sy);
  env_sub(&ea, sx, 1, 0);
  env_sub(&eb, sy, 1, 0);
  hold_in_callback(&eb, y, 1, 1); /* on b's thread */
  uv_mutex_lock(&x->lock);
  x->close_broker = 1;
  x->close_other = eb.f.b;
  x->closed = &c;
  x->peer = y;
  uv_mutex_unlock(&x->lock);
  wes_sink_unref(sx);
  wes_sink_unref(sy);
  env_send(&ea, 1, 1); /* x's callback, on a's thread, closes b */
  dc_wait(x, &x->acted, 1, "the close of the other broker to return");
  uv_mutex_lock(&x->lock);
  assert_hr_ok(x->close_hr);
  assert_int_equal(x->peer_in_cb_at_return, 1);
  assert_int_equal(x->peer_nstatus_at_return, 0);
  uv_mutex_unlock(&x->lock);
  release(y);
  assert_ended(y, WES_E_SHUTTING_DOWN);
  deadline = uv_hrtime() + WAIT_NS;
  uv_mutex_lock(&c.lock);
  while (c.n == 0) {
    uint64_t now = uv_hrtime();
    if (now >= deadline) {
      uv_mutex_unlock(&c.lock);
      fail_msg("timed out (deadlock?) waiting for the close callback");
    }
    uv_cond_timedwait(&c.cond, &c.lock, deadline - now);
  }
  assert_int_equal(c.n, 1);
  uv_mutex_unlock(&c.lock);
  assert_int_equal(dc_get(x, &x->nstatus), 0); /* a lives on */
  env_teardown(&eb, 1);
  env_teardown(&ea, 0);
  assert_int_equal(x->nstatus, 1);
  assert_hr_equal(x->status, WES_E_SHUTTING_DOWN);
  assert_int_equal(y->calls, 1);
  uv_mutex_destroy(&c.lock);
  uv_cond_destroy(&c.cond);
  dc_free(x);
  dc_free(y);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reentrant_deferred_cancel_each_other),
      cmocka_unit_test(test_reentrant_loop_and_worker_cancel_each_other),
      cmocka_unit_test(test_reentrant_cancel_worker_in_progress),
      cmocka_unit_test(test_reentrant_cancel_loop_in_progress),
      cmocka_unit_test(test_reentrant_close_from_worker_own_thread),
      cmocka_unit_test(test_reentrant_close_from_worker_embedded),
      cmocka_unit_test(test_reentrant_close_from_worker_manual),
      cmocka_unit_test(test_reentrant_close_other_broker_in_callback),
  };
  return cmocka_run_group_tests_name("reentrant", tests, NULL, NULL);
}
