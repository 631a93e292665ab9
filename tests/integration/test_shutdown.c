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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shutdown_own_thread_in_flight),
      cmocka_unit_test(test_shutdown_manual_in_flight),
      cmocka_unit_test(test_shutdown_calls_after_close),
      cmocka_unit_test(test_shutdown_calls_fail_after_close),
  };
  return cmocka_run_group_tests_name("shutdown", tests, NULL, NULL);
}
