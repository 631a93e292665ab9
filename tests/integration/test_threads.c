/* SPDX-License-Identifier: MIT */
/*
 * Many providers indicating concurrently from their own threads into many
 * subscriptions of a broker running its own loop thread: exact counts,
 * per-provider order kept in every subscription.
 */
#include "itest.h"

#define NPROV 4
#define PER_PROV 2000

typedef struct thr_s {
  fx_t *f;
  prov_t *p;
  uint32_t src;
} thr_t;

static void provider_thread(void *arg) {
  thr_t *t = arg;
  uint32_t i;
  for (i = 0; i < PER_PROV; i++) {
    wes_object_t *objs[2];
    objs[0] = fx_event(t->f, "e", i, t->src);
    if (i % 2 == 0 || i + 1 >= PER_PROV) {
      /* single and two-object indicate calls */
      assert_hr_ok(wes_sink_indicate(t->p->sink, objs, 1));
      wes_object_unref(objs[0]);
    } else {
      objs[1] = fx_event(t->f, "e", ++i, t->src);
      assert_hr_ok(wes_sink_indicate(t->p->sink, objs, 2));
      wes_object_unref(objs[0]);
      wes_object_unref(objs[1]);
    }
  }
}

static void check_order(rec_t *r) {
  uint32_t last[NPROV];
  int seen[NPROV] = {0};
  size_t i;
  for (i = 0; i < r->n; i++) {
    uint32_t src = ival(r->objs[i], "Src");
    uint32_t v = ival(r->objs[i], "Value");
    assert_true(src < NPROV);
    if (seen[src]) {
      assert_true(v > last[src]);
    }
    seen[src] = 1;
    last[src] = v;
    if (i > 0) {
      assert_true(r->seqs[i] > r->seqs[i - 1]);
    }
  }
}

static void test_threads_concurrent_providers(void **state) {
  fx_t f;
  prov_t p[NPROV];
  thr_t t[NPROV];
  uv_thread_t th[NPROV];
  wes_sink_t *cs[8];
  rec_t *r[8];
  char name[16], q[128];
  int i;
  wes_subscription_stats_t st;
  (void)state;
  fx_setup(&f, WES_BROKER_OWN_THREAD, NULL);
  for (i = 0; i < NPROV; i++) {
    prov_init(&p[i]);
    snprintf(name, sizeof(name), "P%d", i);
    fx_reg(&f, &p[i], name, "SELECT * FROM MyEvent");
  }
  for (i = 0; i < 8; i++) {
    r[i] = rec_new(&cs[i]);
  }
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs[0], 0));
  for (i = 0; i < NPROV; i++) {
    snprintf(q, sizeof(q), "SELECT * FROM MyEvent WHERE Src = %d", i);
    assert_hr_ok(fx_sub(&f, q, f.user, cs[1 + i], 0));
  }
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM MyEvent WHERE Value < 100", f.user, cs[5], 0));
  assert_hr_ok(fx_sub(&f, "SELECT * FROM OtherEvent", f.user, cs[6], 0));
  assert_hr_ok(fx_sub(&f,
                      "SELECT Value, Src FROM MyEvent WHERE Src = 2 OR "
                      "Src = 3",
                      f.other, cs[7], 0));
  for (i = 0; i < NPROV; i++) {
    assert_int_equal(p[i].provided, 1);
    t[i].f = &f;
    t[i].p = &p[i];
    t[i].src = (uint32_t)i;
    assert_int_equal(uv_thread_create(&th[i], provider_thread, &t[i]), 0);
  }
  for (i = 0; i < NPROV; i++) {
    uv_thread_join(&th[i]);
  }
  rec_wait(r[0], NPROV * PER_PROV);
  for (i = 0; i < NPROV; i++) {
    rec_wait(r[1 + i], PER_PROV);
  }
  rec_wait(r[5], NPROV * 100);
  rec_wait(r[7], 2 * PER_PROV);
  /* nothing more arrives: close drains and ends everything */
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs[0], &st));
  assert_int_equal(st.matched, NPROV * PER_PROV);
  assert_int_equal(st.dropped_overflow, 0);
  fx_teardown(&f);
  assert_int_equal(r[0]->n, NPROV * PER_PROV);
  for (i = 0; i < NPROV; i++) {
    size_t k;
    assert_int_equal(r[1 + i]->n, PER_PROV);
    for (k = 0; k < r[1 + i]->n; k++) {
      assert_int_equal(ival(r[1 + i]->objs[k], "Src"), (uint32_t)i);
    }
  }
  assert_int_equal(r[5]->n, NPROV * 100);
  assert_int_equal(r[6]->n, 0);
  assert_int_equal(r[7]->n, 2 * PER_PROV);
  for (i = 0; i < 8; i++) {
    check_order(r[i]);
    assert_int_equal(r[i]->nstatus, 1);
    assert_hr_equal(r[i]->status, WES_E_SHUTTING_DOWN);
    assert_int_equal(r[i]->indicate_after_status, 0);
    wes_sink_unref(cs[i]);
    assert_int_equal(r[i]->destroyed, 1); /* the broker let go */
    rec_free(r[i]);
  }
  for (i = 0; i < NPROV; i++) {
    prov_done(&p[i]);
  }
}

typedef struct sub_thr_s {
  fx_t *f;
  int rounds;
} sub_thr_t;

static void subscriber_thread(void *arg) {
  sub_thr_t *s = arg;
  int i;
  for (i = 0; i < s->rounds; i++) {
    wes_sink_t *cs;
    rec_t *r = rec_new(&cs);
    assert_hr_ok(fx_sub(s->f, "SELECT * FROM MyEvent WHERE Value >= 0",
                        s->f->user, cs, 0));
    assert_hr_ok(wes_broker_cancel_async_call(s->f->b, cs));
    assert_int_equal(r->nstatus, 1);
    wes_sink_unref(cs);
    assert_int_equal(r->destroyed, 1);
    rec_free(r);
  }
}

static void test_threads_subscribe_churn_while_indicating(void **state) {
  fx_t f;
  prov_t p;
  uv_thread_t th[3];
  sub_thr_t st = {NULL, 200};
  thr_t t;
  wes_sink_t *cs;
  rec_t *r;
  int i;
  (void)state;
  fx_setup(&f, WES_BROKER_OWN_THREAD, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  st.f = &f;
  t.f = &f;
  t.p = &p;
  t.src = 0;
  assert_int_equal(uv_thread_create(&th[0], provider_thread, &t), 0);
  assert_int_equal(uv_thread_create(&th[1], subscriber_thread, &st), 0);
  assert_int_equal(uv_thread_create(&th[2], subscriber_thread, &st), 0);
  for (i = 0; i < 3; i++) {
    uv_thread_join(&th[i]);
  }
  rec_wait(r, PER_PROV);
  fx_teardown(&f);
  assert_int_equal(r->n, PER_PROV);
  check_order(r);
  wes_sink_unref(cs);
  rec_free(r);
  prov_done(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_threads_concurrent_providers),
      cmocka_unit_test(test_threads_subscribe_churn_while_indicating),
  };
  return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
