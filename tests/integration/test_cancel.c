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
 * ends with exactly one final status, nothing after it. What was already
 * handed to the worker is still delivered first (docs/consumer-guide.md);
 * those callbacks cancel again and get WES_E_NOT_FOUND. */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cancel_races_delivery),
      cmocka_unit_test(test_cancel_from_inside_callback),
      cmocka_unit_test(test_cancel_waits_for_callback_in_progress),
      cmocka_unit_test(test_cancel_from_inside_deferred_callback),
  };
  return cmocka_run_group_tests_name("cancel", tests, NULL, NULL);
}
