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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shutdown_own_thread_in_flight),
      cmocka_unit_test(test_shutdown_manual_in_flight),
      cmocka_unit_test(test_shutdown_calls_after_close),
  };
  return cmocka_run_group_tests_name("shutdown", tests, NULL, NULL);
}
