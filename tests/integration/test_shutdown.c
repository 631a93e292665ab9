/* SPDX-License-Identifier: MIT */
/*
 * Closing a broker with events in flight: provider threads keep
 * indicating while the broker closes; every subscription completes exactly
 * once with WBEM_E_SHUTTING_DOWN, every sink reference is released, and
 * every call afterwards fails with WBEM_E_SHUTTING_DOWN.
 */
#include <stdatomic.h>

#include "itest.h"

#define NSUB 16

typedef struct fl_s {
  fx_t *f;
  wes_sink_t *sink;
  atomic_int shut;
  uint32_t ok, after;
} fl_t;

static void flood(void *arg) {
  fl_t *fl = arg;
  uint32_t i;
  for (i = 0; i < 100000; i++) {
    wes_hresult_t hr = fx_send(fl->sink, fx_event(fl->f, "x", i, 0));
    if (hr == WES_S_OK) {
      fl->ok++;
    } else {
      assert_hr_equal(hr, WES_E_SHUTTING_DOWN);
      fl->after++;
      if (fl->after > 10) {
        break;
      }
    }
  }
}

static void run_close_in_flight(uint32_t mode) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs[NSUB], *os = NULL;
  rec_t *r[NSUB];
  uv_thread_t th[2];
  fl_t fl[2];
  wes_enum_t *en = NULL;
  wes_object_t *o;
  uint32_t n;
  int i;
  fx_setup(&f, mode, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  for (i = 0; i < NSUB; i++) {
    char q[96];
    r[i] = rec_new(&cs[i]);
    snprintf(q, sizeof(q), "SELECT * FROM MyEvent WHERE Value > %d", i * 10);
    assert_hr_ok(fx_sub(&f, q, i % 2 ? f.user : f.other, cs[i], 0));
  }
  assert_hr_ok(wes_broker_exec_notification_query(f.b, "root/cimv2", "WQL",
                                                  "SELECT * FROM MyEvent", 0x30,
                                                  f.user, &en, NULL));
  assert_hr_ok(
      wes_broker_query_object_sink(f.b, "root/cimv2", 0, f.admin, &os, NULL));
  memset(fl, 0, sizeof(fl));
  fl[0].f = fl[1].f = &f;
  fl[0].sink = p.sink;
  fl[1].sink = os;
  assert_int_equal(uv_thread_create(&th[0], flood, &fl[0]), 0);
  assert_int_equal(uv_thread_create(&th[1], flood, &fl[1]), 0);
  if (mode == WES_BROKER_MANUAL) {
    assert_hr_ok(wes_broker_advance(f.b, 1));
  } else {
    rec_wait(r[NSUB - 1], 1);
  }
  assert_hr_ok(wes_broker_close(f.b, NULL, NULL));
  uv_thread_join(&th[0]);
  uv_thread_join(&th[1]);
  for (i = 0; i < NSUB; i++) {
    assert_int_equal(r[i]->nstatus, 1);
    assert_hr_equal(r[i]->status, WES_E_SHUTTING_DOWN);
    assert_int_equal(r[i]->indicate_after_status, 0);
    wes_sink_unref(cs[i]);
    assert_int_equal(r[i]->destroyed, 1);
    rec_free(r[i]);
  }
  /* the enumerator drains what it got, then reports the end */
  while (wes_enum_next(en, WES_NO_WAIT, 1, &o, &n) == WES_S_OK) {
    wes_object_unref(o);
  }
  assert_hr_equal(wes_enum_next(en, WES_INFINITE, 1, &o, &n), WES_S_FALSE);
  wes_enum_free(en);
  assert_hr_equal(wes_sink_is_active(p.sink), WES_E_SHUTTING_DOWN);
  assert_hr_equal(wes_sink_set_batching_parameters(p.sink, 0, 1, 1),
                  WES_E_SHUTTING_DOWN);
  wes_sink_unref(os);
  f.b = NULL;
  fx_teardown(&f);
  prov_done(&p);
}

static void test_shutdown_own_thread_in_flight(void **state) {
  (void)state;
  run_close_in_flight(WES_BROKER_OWN_THREAD);
}

static void test_shutdown_manual_in_flight(void **state) {
  (void)state;
  run_close_in_flight(WES_BROKER_MANUAL);
}

static void test_shutdown_calls_after_close(void **state) {
  fx_t f;
  wes_broker_t *b;
  (void)state;
  fx_setup(&f, WES_BROKER_OWN_THREAD, NULL);
  b = f.b;
  assert_hr_ok(wes_broker_close(b, NULL, NULL));
  f.b = NULL;
  fx_teardown(&f);
}

/* While a provider still holds its sink the closed broker stays a valid
 * object, and every call on it (and on that sink) fails with
 * WES_E_SHUTTING_DOWN; nothing reaches the provider any more. */
static void run_calls_fail_after_close(uint32_t mode) {
  fx_t f;
  prov_t p;
  wes_provider_t *pr;
  wes_sink_t *cs, *os = NULL, *rs = NULL;
  rec_t *r;
  wes_enum_t *en = NULL;
  wes_namespace_t *ns = NULL;
  const char *q = "SELECT * FROM MyEvent";
  const char *q2 = "SELECT * FROM OtherEvent";
  wes_provider_t *pr2 = NULL;
  int ncancelled;
  fx_setup(&f, mode, NULL);
  prov_init(&p);
  pr = fx_reg(&f, &p, "P", q);
  r = rec_new(&cs);
  assert_hr_ok(fx_sub(&f, q, f.user, cs, 0));
  assert_non_null(p.sink);
  assert_hr_ok(wes_broker_close(f.b, NULL, NULL));
  assert_int_equal(r->nstatus, 1);
  assert_hr_equal(r->status, WES_E_SHUTTING_DOWN);
  ncancelled = p.ncancelled;
  assert_int_equal(ncancelled, 1);
  /* the broker object lives on through p.sink */
  assert_hr_equal(wes_broker_close(f.b, NULL, NULL), WES_E_SHUTTING_DOWN);
  assert_hr_equal(fx_sub(&f, q, f.user, cs, 0), WES_E_SHUTTING_DOWN);
  assert_hr_equal(wes_broker_exec_notification_query(
                      f.b, "root/cimv2", "WQL", q, 0x30, f.user, &en, NULL),
                  WES_E_SHUTTING_DOWN);
  assert_null(en);
  assert_hr_equal(wes_broker_cancel_async_call(f.b, cs), WES_E_SHUTTING_DOWN);
  assert_hr_equal(
      wes_broker_query_object_sink(f.b, "root/cimv2", 0, f.admin, &os, NULL),
      WES_E_SHUTTING_DOWN);
  assert_null(os);
  assert_hr_equal(wes_broker_add_namespace(f.b, "root/late", NULL, &ns, NULL),
                  WES_E_SHUTTING_DOWN);
  {
    wes_sd_t *sd = NULL;
    assert_hr_ok(wes_sd_from_sddl("O:BAG:BAD:(A;;0x41;;;WD)", NULL, &sd, NULL));
    assert_hr_equal(wes_broker_set_namespace_security(f.b, "root/cimv2", sd),
                    WES_E_SHUTTING_DOWN);
    wes_sd_unref(sd);
  }
  assert_hr_equal(wes_broker_register_provider(f.b, "root/cimv2", "P2", &q2,
                                               1, &prov_ops, &p, &pr2, NULL),
                  WES_E_SHUTTING_DOWN);
  assert_null(pr2);
  assert_hr_equal(wes_broker_unregister_provider(f.b, pr),
                  WES_E_SHUTTING_DOWN);
  if (mode == WES_BROKER_MANUAL) {
    assert_hr_equal(wes_broker_advance(f.b, 1), WES_E_SHUTTING_DOWN);
  }
  /* and on the provider's sink */
  assert_hr_equal(fx_send(p.sink, fx_event(&f, "late", 1, 0)),
                  WES_E_SHUTTING_DOWN);
  assert_hr_equal(wes_sink_is_active(p.sink), WES_E_SHUTTING_DOWN);
  assert_hr_equal(
      wes_sink_get_restricted_sink(p.sink, 1, &q, NULL, NULL, &rs),
      WES_E_SHUTTING_DOWN);
  assert_null(rs);
  assert_hr_equal(wes_sink_set_status(p.sink, WES_STATUS_COMPLETE,
                                      WES_E_FAILED, NULL, NULL),
                  WES_E_SHUTTING_DOWN);
  assert_int_equal(r->nstatus, 1);
  assert_int_equal(r->n, 0);
  assert_int_equal(p.ncancelled, ncancelled);
  assert_int_equal(p.provided, 1);
  f.b = NULL;
  fx_teardown(&f);
  wes_sink_unref(cs);
  assert_int_equal(r->destroyed, 1);
  rec_free(r);
  prov_done(&p); /* the last reference: the broker is freed here */
}

static void test_shutdown_calls_fail_after_close(void **state) {
  (void)state;
  run_calls_fail_after_close(WES_BROKER_MANUAL);
  run_calls_fail_after_close(WES_BROKER_OWN_THREAD);
}

/* ---- close from inside broker callbacks (DESIGN 4.21) ---- */

/* Where the close is requested:
 * IN_INDICATE     a consumer's indicate;
 * IN_STATUS       its final set_status, after a cancel from the test
 *                 thread (the cancelling thread runs it);
 * IN_STATUS_LOOP  its final set_status after it cancelled itself from
 *                 indicate (the loop thread runs it);
 * IN_NEW_QUERY    a provider's new_query (on the subscribing thread);
 * IN_PROVIDE      a provider's provide_events (first interest);
 * IN_TIMER        a consumer's indicate run by a batch timer
 *                 (MUST_BATCH latency);
 * IN_NESTED       a provider's new_query for a subscription a consumer
 *                 makes from its indicate (the loop thread, inside a
 *                 consumer callback, holding the control lock). */
#define IN_INDICATE 0
#define IN_STATUS 1
#define IN_STATUS_LOOP 2
#define IN_NEW_QUERY 3
#define IN_PROVIDE 4
#define IN_TIMER 5
#define IN_NESTED 6

/* The close callback's record. */
typedef struct done_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  int n;
  uv_thread_t thread;
} done_t;

static void done_cb(void *data) {
  done_t *d = data;
  uv_mutex_lock(&d->lock);
  d->n++;
  d->thread = uv_thread_self();
  uv_cond_broadcast(&d->cond);
  uv_mutex_unlock(&d->lock);
}

static void done_wait(done_t *d) {
  uint64_t deadline = uv_hrtime() + 30000000000ull;
  uv_mutex_lock(&d->lock);
  while (d->n == 0) {
    uint64_t now = uv_hrtime();
    if (now >= deadline) {
      uv_mutex_unlock(&d->lock);
      fail_msg("timed out waiting for the close callback");
    }
    uv_cond_timedwait(&d->cond, &d->lock, deadline - now);
  }
  uv_mutex_unlock(&d->lock);
}

/* Requests the close from a callback, twice: the second call finds the
 * close underway. The lock guards the record only, never a broker call
 * (the callbacks run on the broker thread in own-thread mode). */
typedef struct closer_s {
  uv_mutex_t lock;
  fx_t *f;
  wes_sink_t *nested; /* IN_NESTED: subscribed from indicate */
  wes_hresult_t nested_hr;
  wes_broker_t *b;
  wes_sink_t *self;
  done_t *done;
  int where;
  int armed;
  int indicates, statuses, after_status, destroyed;
  wes_hresult_t status, close_hr, close2_hr, cancel_hr;
  uv_thread_t cb_thread;
} closer_t;

/* Takes the arming when the callback is `where`'s. */
static int closer_take(closer_t *c, int where1, int where2) {
  int go;
  uv_mutex_lock(&c->lock);
  go = c->armed && (c->where == where1 || c->where == where2);
  if (go) {
    c->armed = 0;
  }
  uv_mutex_unlock(&c->lock);
  return go;
}

static void closer_arm(closer_t *c) {
  uv_mutex_lock(&c->lock);
  c->armed = 1;
  uv_mutex_unlock(&c->lock);
}

static void closer_close(closer_t *c) {
  wes_hresult_t hr1 = wes_broker_close(c->b, done_cb, c->done);
  wes_hresult_t hr2 = wes_broker_close(c->b, done_cb, c->done);
  uv_mutex_lock(&c->lock);
  c->close_hr = hr1;
  c->close2_hr = hr2;
  c->cb_thread = uv_thread_self();
  uv_mutex_unlock(&c->lock);
}

static wes_hresult_t closer_indicate(void *data, wes_object_t *const *objs,
                                     size_t n) {
  closer_t *c = data;
  int self_cancel, nested;
  (void)objs;
  (void)n;
  uv_mutex_lock(&c->lock);
  c->indicates++;
  if (c->statuses > 0) {
    c->after_status = 1;
  }
  self_cancel = c->armed && c->where == IN_STATUS_LOOP;
  nested = c->armed && c->where == IN_NESTED;
  uv_mutex_unlock(&c->lock);
  if (closer_take(c, IN_INDICATE, IN_TIMER)) {
    closer_close(c);
  } else if (nested) {
    /* the provider's new_query closes; the subscription is made */
    wes_hresult_t hr =
        fx_sub(c->f, "SELECT * FROM MyEvent", c->f->user, c->nested, 0);
    uv_mutex_lock(&c->lock);
    c->nested_hr = hr;
    uv_mutex_unlock(&c->lock);
  } else if (self_cancel) {
    /* the final status follows this callback, on the loop thread */
    wes_hresult_t hr = wes_broker_cancel_async_call(c->b, c->self);
    uv_mutex_lock(&c->lock);
    c->cancel_hr = hr;
    uv_mutex_unlock(&c->lock);
  }
  return WES_S_OK;
}

static wes_hresult_t closer_status(void *data, int32_t flags, wes_hresult_t hr,
                                   const char *param, wes_object_t *obj) {
  closer_t *c = data;
  (void)param;
  (void)obj;
  if (flags != WES_STATUS_COMPLETE) {
    return WES_S_OK;
  }
  uv_mutex_lock(&c->lock);
  c->statuses++;
  c->status = hr;
  uv_mutex_unlock(&c->lock);
  if (closer_take(c, IN_STATUS, IN_STATUS_LOOP)) {
    closer_close(c);
  }
  return WES_S_OK;
}

static void closer_destroy(void *data) {
  closer_t *c = data;
  uv_mutex_lock(&c->lock);
  c->destroyed = 1;
  uv_mutex_unlock(&c->lock);
}

static const wes_sink_ops_t closer_ops = {WES_SINK_OPS_VERSION_1,
                                          closer_indicate,
                                          closer_status,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL,
                                          closer_destroy};

/* A provider that closes the broker from provide_events or new_query. */
typedef struct cprov_s {
  prov_t p; /* first: the itest helpers take it as their data */
  closer_t *c;
} cprov_t;

static wes_hresult_t cp_provide(void *data, wes_sink_t *sink, int32_t flags) {
  cprov_t *cp = data;
  wes_hresult_t hr = p_provide(&cp->p, sink, flags);
  if (closer_take(cp->c, IN_PROVIDE, IN_PROVIDE)) {
    closer_close(cp->c);
  }
  return hr;
}

static wes_hresult_t cp_new_query(void *data, uint32_t id, const char *lang,
                                  const char *q, wes_error_t *reterr) {
  cprov_t *cp = data;
  wes_hresult_t hr = p_new_query(&cp->p, id, lang, q, reterr);
  if (closer_take(cp->c, IN_NEW_QUERY, IN_NESTED)) {
    closer_close(cp->c);
  }
  return hr;
}

static const wes_provider_ops_t cprov_ops = {WES_PROVIDER_OPS_VERSION_1,
                                             cp_provide, cp_new_query,
                                             p_cancel_query, p_access};

#define NREC 3

static void run_close_inside(uint32_t mode, int where) {
  uv_loop_t loop;
  fx_t f;
  cprov_t cp;
  closer_t c;
  done_t done;
  wes_provider_t *pr = NULL;
  wes_sink_t *cs, *rs[NREC], *ns;
  rec_t *r[NREC], *rn;
  const char *q = "SELECT * FROM MyEvent";
  uv_thread_t me = uv_thread_self();
  wes_hresult_t hr;
  int i, nsubs;
  if (mode == 0) {
    assert_int_equal(uv_loop_init(&loop), 0);
  }
  fx_setup_loop(&f, mode, mode == 0 ? &loop : NULL);
  memset(&done, 0, sizeof(done));
  uv_mutex_init(&done.lock);
  uv_cond_init(&done.cond);
  memset(&c, 0, sizeof(c));
  uv_mutex_init(&c.lock);
  c.b = f.b;
  c.f = &f;
  c.done = &done;
  c.where = where;
  rn = rec_new(&ns);
  c.nested = ns;
  memset(&cp, 0, sizeof(cp));
  prov_init(&cp.p);
  cp.c = &c;
  assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "P", &q, 1,
                                            &cprov_ops, &cp, &pr, NULL));
  assert_hr_ok(wes_sink_new(&closer_ops, &c, &cs));
  c.self = cs;
  if (where == IN_PROVIDE) {
    /* the first subscription the provider covers calls provide_events */
    closer_arm(&c);
  }
  assert_hr_ok(fx_sub(&f, q, f.user, cs, 0));
  nsubs = 1;
  for (i = 0; i < NREC; i++) {
    r[i] = rec_new(&rs[i]);
    if (where == IN_NEW_QUERY && i == NREC - 1) {
      closer_arm(&c);
    }
    hr = fx_sub(&f, q, i % 2 ? f.other : f.user, rs[i], 0);
    if (where == IN_PROVIDE) {
      /* the close ran when the first subscribe returned */
      assert_hr_equal(hr, WES_E_SHUTTING_DOWN);
    } else {
      /* IN_NEW_QUERY: the last one is made, then ended by the close */
      assert_hr_ok(hr);
      nsubs++;
    }
  }
  if (where == IN_INDICATE || where == IN_STATUS_LOOP || where == IN_NESTED ||
      where == IN_TIMER) {
    if (where == IN_TIMER) {
      /* held until the 5 ms latency passed: the batch timer delivers */
      assert_hr_ok(wes_sink_set_batching_parameters(
          cp.p.sink, WES_FLAG_MUST_BATCH, 1u << 30, 5));
    } else {
      /* one event per indicate call: nothing may follow the close */
      assert_hr_ok(wes_sink_set_batching_parameters(
          cp.p.sink, WES_FLAG_MUST_NOT_BATCH, 0, 0));
    }
    closer_arm(&c);
    for (i = 0; i < 3; i++) {
      assert_hr_ok(fx_send(cp.p.sink, fx_event(&f, "e", (uint32_t)i, 0)));
    }
    if (mode == WES_BROKER_MANUAL) {
      if (where == IN_TIMER) {
        assert_hr_ok(wes_broker_advance(f.b, 1)); /* held */
        assert_int_equal(done.n, 0);
        assert_hr_equal(wes_broker_advance(f.b, 10), WES_E_SHUTTING_DOWN);
      } else {
        /* advance finishes the close, runs done_cb, frees the loop */
        assert_hr_equal(wes_broker_advance(f.b, 1), WES_E_SHUTTING_DOWN);
      }
      assert_int_equal(done.n, 1);
    }
    if (where == IN_NESTED) {
      nsubs++;
    }
  } else if (where == IN_STATUS) {
    closer_arm(&c);
    /* the final status runs on this thread; the close it asks for runs
     * before the cancel returns (own thread: the broker thread is
     * joined) */
    assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
    if (mode != 0) {
      assert_int_equal(done.n, 1);
    }
  } else if (mode != 0) {
    /* provider callbacks: the close ran before the subscribe returned */
    assert_int_equal(done.n, 1);
  }
  if (mode == 0) {
    /* embedded: the loop closes its handles, then done_cb; uv_run
     * returns once the broker let go of the loop */
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
  }
  done_wait(&done);
  uv_mutex_lock(&done.lock);
  assert_int_equal(done.n, 1);
  if (mode == WES_BROKER_OWN_THREAD &&
      (where == IN_INDICATE || where == IN_STATUS_LOOP || where == IN_NESTED ||
       where == IN_TIMER)) {
    /* closed on the broker thread: done_cb ran there, as its last act */
    assert_true(uv_thread_equal(&done.thread, &c.cb_thread));
    assert_false(uv_thread_equal(&done.thread, &me));
  }
  uv_mutex_unlock(&done.lock);
  uv_mutex_lock(&c.lock);
  assert_int_equal(c.armed, 0); /* the close was requested */
  assert_hr_ok(c.close_hr);
  assert_hr_equal(c.close2_hr, WES_E_SHUTTING_DOWN);
  assert_int_equal(c.statuses, 1);
  assert_hr_equal(c.status, where == IN_STATUS || where == IN_STATUS_LOOP
                                ? WES_E_CALL_CANCELLED
                                : WES_E_SHUTTING_DOWN);
  assert_int_equal(c.after_status, 0);
  if (where == IN_INDICATE || where == IN_STATUS_LOOP || where == IN_NESTED ||
      where == IN_TIMER) {
    assert_int_equal(c.indicates, 1);
  }
  if (where == IN_NESTED) {
    assert_hr_ok(c.nested_hr);
    assert_int_equal(rn->nstatus, 1);
    assert_hr_equal(rn->status, WES_E_SHUTTING_DOWN);
  } else {
    assert_int_equal(rn->nstatus, 0);
  }
  if (where == IN_STATUS_LOOP) {
    assert_hr_ok(c.cancel_hr);
  }
  uv_mutex_unlock(&c.lock);
  for (i = 0; i < NREC; i++) {
    uv_mutex_lock(&r[i]->lock);
    if (where == IN_PROVIDE) {
      assert_int_equal(r[i]->nstatus, 0); /* never subscribed */
    } else {
      assert_int_equal(r[i]->nstatus, 1);
      assert_hr_equal(r[i]->status, WES_E_SHUTTING_DOWN);
    }
    assert_int_equal(r[i]->indicate_after_status, 0);
    uv_mutex_unlock(&r[i]->lock);
  }
  /* the provider heard of every subscription's end */
  uv_mutex_lock(&cp.p.lock);
  assert_int_equal(cp.p.nids, nsubs);
  assert_int_equal(cp.p.ncancelled, nsubs);
  uv_mutex_unlock(&cp.p.lock);
  /* the provider's sink keeps the closed broker object alive: every call
   * on it fails with SHUTTING_DOWN */
  assert_hr_equal(fx_sub(&f, q, f.user, rs[0], 0), WES_E_SHUTTING_DOWN);
  assert_hr_equal(wes_broker_close(f.b, NULL, NULL), WES_E_SHUTTING_DOWN);
  assert_hr_equal(wes_broker_cancel_async_call(f.b, cs), WES_E_SHUTTING_DOWN);
  assert_hr_equal(wes_broker_unregister_provider(f.b, pr), WES_E_SHUTTING_DOWN);
  assert_hr_equal(fx_send(cp.p.sink, fx_event(&f, "late", 1, 0)),
                  WES_E_SHUTTING_DOWN);
  /* every consumer reference was released */
  wes_sink_unref(cs);
  assert_int_equal(c.destroyed, 1);
  wes_sink_unref(ns);
  assert_int_equal(rn->destroyed, 1);
  rec_free(rn);
  for (i = 0; i < NREC; i++) {
    wes_sink_unref(rs[i]);
    assert_int_equal(r[i]->destroyed, 1);
    rec_free(r[i]);
  }
  f.b = NULL;
  fx_teardown(&f);
  prov_done(&cp.p); /* the last reference: the broker is freed here */
  uv_mutex_destroy(&c.lock);
  uv_mutex_destroy(&done.lock);
  uv_cond_destroy(&done.cond);
  if (mode == 0) {
    assert_int_equal(uv_loop_close(&loop), 0);
  }
}

static void run_close_inside_all(int where) {
  run_close_inside(0, where);
  run_close_inside(WES_BROKER_OWN_THREAD, where);
  run_close_inside(WES_BROKER_MANUAL, where);
}

static void test_shutdown_close_in_indicate(void **state) {
  (void)state;
  run_close_inside_all(IN_INDICATE);
}

static void test_shutdown_close_in_status(void **state) {
  (void)state;
  run_close_inside_all(IN_STATUS);
}

static void test_shutdown_close_in_status_on_loop(void **state) {
  (void)state;
  run_close_inside_all(IN_STATUS_LOOP);
}

static void test_shutdown_close_in_new_query(void **state) {
  (void)state;
  run_close_inside_all(IN_NEW_QUERY);
}

static void test_shutdown_close_in_provide_events(void **state) {
  (void)state;
  run_close_inside_all(IN_PROVIDE);
}

/* A consumer closes the broker from its indicate while two provider
 * threads keep indicating (own thread: the close runs on the broker
 * thread, which then ends on its own). */
static void run_close_inside_in_flight(uint32_t mode) {
  fx_t f;
  prov_t p;
  closer_t c;
  done_t done;
  wes_sink_t *cs, *rs[NSUB], *os = NULL;
  rec_t *r[NSUB];
  uv_thread_t th[2];
  fl_t fl[2];
  int i, guard;
  fx_setup(&f, mode, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  memset(&done, 0, sizeof(done));
  uv_mutex_init(&done.lock);
  uv_cond_init(&done.cond);
  memset(&c, 0, sizeof(c));
  uv_mutex_init(&c.lock);
  c.b = f.b;
  c.f = &f;
  c.done = &done;
  c.where = IN_INDICATE;
  assert_hr_ok(wes_sink_new(&closer_ops, &c, &cs));
  c.self = cs;
  for (i = 0; i < NSUB; i++) {
    char q[96];
    r[i] = rec_new(&rs[i]);
    snprintf(q, sizeof(q), "SELECT * FROM MyEvent WHERE Value > %d", i * 10);
    assert_hr_ok(fx_sub(&f, q, i % 2 ? f.user : f.other, rs[i], 0));
  }
  /* the closer acts once the floods are well under way */
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM MyEvent WHERE Value > 2000", f.user, cs, 0));
  assert_hr_ok(
      wes_broker_query_object_sink(f.b, "root/cimv2", 0, f.admin, &os, NULL));
  closer_arm(&c);
  memset(fl, 0, sizeof(fl));
  fl[0].f = fl[1].f = &f;
  fl[0].sink = p.sink;
  fl[1].sink = os;
  assert_int_equal(uv_thread_create(&th[0], flood, &fl[0]), 0);
  assert_int_equal(uv_thread_create(&th[1], flood, &fl[1]), 0);
  if (mode == WES_BROKER_MANUAL) {
    wes_hresult_t hr = WES_S_OK;
    for (guard = 0; guard < 1000000 && hr == WES_S_OK; guard++) {
      hr = wes_broker_advance(f.b, 1);
    }
    assert_hr_equal(hr, WES_E_SHUTTING_DOWN);
  }
  done_wait(&done);
  uv_thread_join(&th[0]);
  uv_thread_join(&th[1]);
  uv_mutex_lock(&c.lock);
  assert_hr_ok(c.close_hr);
  assert_hr_equal(c.close2_hr, WES_E_SHUTTING_DOWN);
  assert_int_equal(c.indicates, 1);
  assert_int_equal(c.statuses, 1);
  assert_hr_equal(c.status, WES_E_SHUTTING_DOWN);
  uv_mutex_unlock(&c.lock);
  for (i = 0; i < NSUB; i++) {
    uv_mutex_lock(&r[i]->lock);
    assert_int_equal(r[i]->nstatus, 1);
    assert_hr_equal(r[i]->status, WES_E_SHUTTING_DOWN);
    assert_int_equal(r[i]->indicate_after_status, 0);
    uv_mutex_unlock(&r[i]->lock);
    wes_sink_unref(rs[i]);
    assert_int_equal(r[i]->destroyed, 1);
    rec_free(r[i]);
  }
  wes_sink_unref(cs);
  assert_int_equal(c.destroyed, 1);
  uv_mutex_lock(&done.lock);
  assert_int_equal(done.n, 1);
  uv_mutex_unlock(&done.lock);
  wes_sink_unref(os);
  f.b = NULL;
  fx_teardown(&f);
  prov_done(&p); /* the last reference: the broker is freed here */
  uv_mutex_destroy(&c.lock);
  uv_mutex_destroy(&done.lock);
  uv_cond_destroy(&done.cond);
}

static void test_shutdown_close_in_indicate_in_flight(void **state) {
  int round;
  (void)state;
  for (round = 0; round < 5; round++) {
    run_close_inside_in_flight(WES_BROKER_OWN_THREAD);
    run_close_inside_in_flight(WES_BROKER_MANUAL);
  }
}

static void test_shutdown_close_in_batch_timer(void **state) {
  (void)state;
  run_close_inside_all(IN_TIMER);
}

static void test_shutdown_close_in_nested_new_query(void **state) {
  (void)state;
  run_close_inside_all(IN_NESTED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shutdown_own_thread_in_flight),
      cmocka_unit_test(test_shutdown_manual_in_flight),
      cmocka_unit_test(test_shutdown_calls_after_close),
      cmocka_unit_test(test_shutdown_calls_fail_after_close),
      cmocka_unit_test(test_shutdown_close_in_indicate),
      cmocka_unit_test(test_shutdown_close_in_status),
      cmocka_unit_test(test_shutdown_close_in_status_on_loop),
      cmocka_unit_test(test_shutdown_close_in_new_query),
      cmocka_unit_test(test_shutdown_close_in_provide_events),
      cmocka_unit_test(test_shutdown_close_in_batch_timer),
      cmocka_unit_test(test_shutdown_close_in_nested_new_query),
      cmocka_unit_test(test_shutdown_close_in_indicate_in_flight),
  };
  return cmocka_run_group_tests_name("shutdown", tests, NULL, NULL);
}
