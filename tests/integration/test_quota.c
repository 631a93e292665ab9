/* SPDX-License-Identifier: MIT */
/*
 * Temporary-subscription quotas (total and per user, keyed on the
 * token's user SID) under concurrent subscribers: exactly the quota
 * succeeds, the rest get WBEM_E_QUOTA_VIOLATION naming the quota, and
 * cancelling or releasing an enumerator gives the quota back.
 */
#include <stdatomic.h>

#include "itest.h"

#define PER_USER 25
#define THREADS 4
#define TRIES 20

typedef struct qt_s {
  fx_t *f;
  wes_token_t *tok;
  wes_sink_t *sinks[TRIES];
  rec_t *recs[TRIES];
  int ok, quota;
} qt_t;

static void quota_thread(void *arg) {
  qt_t *q = arg;
  int i;
  for (i = 0; i < TRIES; i++) {
    wes_error_t err;
    wes_hresult_t hr;
    q->recs[i] = rec_new(&q->sinks[i]);
    hr = wes_broker_exec_notification_query_async(q->f->b, "root/cimv2", "WQL",
                                                  "SELECT * FROM MyEvent", 0,
                                                  q->tok, q->sinks[i], &err);
    if (hr == WES_S_OK) {
      q->ok++;
    } else {
      assert_hr_equal(hr, WES_E_QUOTA_VIOLATION);
      assert_non_null(strstr(err.text, "TemporarySubscriptions"));
      q->quota++;
    }
  }
}

static void test_quota_concurrent_exhaustion(void **state) {
  fx_t f;
  wes_broker_options_t o;
  qt_t q[THREADS];
  uv_thread_t th[THREADS];
  int i, k, ok_user = 0, total = 0;
  wes_enum_t *en = NULL;
  (void)state;
  wes_broker_options_init(&o);
  o.temp_subscriptions_per_user = PER_USER;
  o.temp_subscriptions_total = 60;
  fx_setup(&f, WES_BROKER_OWN_THREAD, &o);
  memset(q, 0, sizeof(q));
  for (i = 0; i < THREADS; i++) {
    q[i].f = &f;
    /* threads 0,1 are the same user; 2 another; 3 admin */
    q[i].tok = i < 2 ? f.user : (i == 2 ? f.other : f.admin);
    assert_int_equal(uv_thread_create(&th[i], quota_thread, &q[i]), 0);
  }
  for (i = 0; i < THREADS; i++) {
    uv_thread_join(&th[i]);
    total += q[i].ok;
  }
  ok_user = q[0].ok + q[1].ok;
  /* 80 attempts for 60 places: exactly 60 succeed, whichever thread wins;
   * the two threads of one user never exceed the per-user quota */
  assert_int_equal(total, 60);
  assert_true(ok_user <= PER_USER);
  for (i = 0; i < THREADS; i++) {
    assert_int_equal(q[i].ok + q[i].quota, TRIES);
  }
  /* the enumerator counts too */
  assert_hr_equal(wes_broker_exec_notification_query(f.b, "root/cimv2", "WQL",
                                                     "SELECT * FROM MyEvent",
                                                     0x30, f.admin, &en, NULL),
                  WES_E_QUOTA_VIOLATION);
  /* give one back */
  for (k = 0; k < TRIES; k++) {
    if (wes_broker_cancel_async_call(f.b, q[3].sinks[k]) == WES_S_OK) {
      break;
    }
  }
  assert_hr_ok(wes_broker_exec_notification_query(f.b, "root/cimv2", "WQL",
                                                  "SELECT * FROM MyEvent", 0x30,
                                                  f.admin, &en, NULL));
  wes_enum_free(en);
  assert_hr_ok(wes_broker_exec_notification_query(f.b, "root/cimv2", "WQL",
                                                  "SELECT * FROM MyEvent", 0x30,
                                                  f.admin, &en, NULL));
  wes_enum_free(en);
  fx_teardown(&f);
  for (i = 0; i < THREADS; i++) {
    for (k = 0; k < TRIES; k++) {
      wes_sink_unref(q[i].sinks[k]);
      assert_int_equal(q[i].recs[k]->destroyed, 1);
      rec_free(q[i].recs[k]);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quota_concurrent_exhaustion),
  };
  return cmocka_run_group_tests_name("quota", tests, NULL, NULL);
}
