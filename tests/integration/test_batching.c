/* SPDX-License-Identifier: MIT */
/*
 * SetBatchingParameters on provider sinks, in manual mode (virtual time,
 * no sleeps): MUST_BATCH flushes by latency and by size, BATCH_IF_NEEDED
 * coalesces what queued while the consumer was not called, MUST_NOT_BATCH
 * delivers one event per call; order is kept.
 */
#include "itest.h"

typedef struct bfx_s {
  fx_t f;
  prov_t p;
  wes_sink_t *cs;
  rec_t *r;
} bfx_t;

static void bfx_init(bfx_t *x) {
  fx_setup(&x->f, WES_BROKER_MANUAL, NULL);
  prov_init(&x->p);
  fx_reg(&x->f, &x->p, "P", "SELECT * FROM MyEvent");
  x->r = rec_new(&x->cs);
  assert_hr_ok(fx_sub(&x->f, "SELECT * FROM MyEvent", x->f.user, x->cs, 0));
}

static void bfx_done(bfx_t *x) {
  size_t i;
  for (i = 1; i < x->r->n; i++) {
    assert_true(ival(x->r->objs[i], "Value") >
                ival(x->r->objs[i - 1], "Value"));
  }
  fx_teardown(&x->f);
  wes_sink_unref(x->cs);
  rec_free(x->r);
  prov_done(&x->p);
}

static void send_n(bfx_t *x, uint32_t from, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    assert_hr_ok(fx_send(x->p.sink, fx_event(&x->f, "b", from + i, 0)));
  }
}

static void test_batching_latency_flush(void **state) {
  bfx_t x;
  (void)state;
  bfx_init(&x);
  assert_hr_ok(wes_sink_set_batching_parameters(x.p.sink, WES_FLAG_MUST_BATCH,
                                                WES_BATCH_MAX_BUFFER, 100));
  send_n(&x, 0, 3);
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->n, 0);
  assert_hr_ok(wes_broker_advance(x.f.b, 60));
  send_n(&x, 3, 2); /* joins the held batch */
  assert_hr_ok(wes_broker_advance(x.f.b, 39));
  assert_int_equal(x.r->n, 0);
  assert_hr_ok(wes_broker_advance(x.f.b, 1)); /* 100 ms after the first */
  assert_int_equal(x.r->calls, 1);
  assert_int_equal(x.r->batch[0], 5);
  /* an infinite latency waits for size only */
  assert_hr_ok(wes_sink_set_batching_parameters(
      x.p.sink, WES_FLAG_MUST_BATCH, WES_BATCH_MAX_BUFFER, WES_INFINITE));
  send_n(&x, 10, 2);
  assert_hr_ok(wes_broker_advance(x.f.b, 1000000));
  assert_int_equal(x.r->calls, 1);
  bfx_done(&x);
  /* close released the held events: they were never delivered */
}

static void test_batching_size_flush(void **state) {
  bfx_t x;
  size_t i, total = 0;
  (void)state;
  bfx_init(&x);
  /* a tiny buffer: every ~2 events exceed it */
  assert_hr_ok(wes_sink_set_batching_parameters(x.p.sink, WES_FLAG_MUST_BATCH,
                                                200, WES_INFINITE));
  send_n(&x, 0, 10);
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_true(x.r->calls >= 2);
  for (i = 0; i < x.r->calls; i++) {
    total += x.r->batch[i];
  }
  /* whatever is below the size limit stays held */
  assert_true(total <= 10);
  assert_true(total >= 8);
  bfx_done(&x);
}

/* An event whose JSON size does not depend on the broker's clock:
 * TIME_CREATED is set (the broker stamps it only when absent). */
static wes_object_t *sized_event(bfx_t *x, uint32_t v) {
  wes_object_t *o = fx_event(&x->f, "b", v, 0);
  assert_hr_ok(wes_object_set_uint64(o, "TIME_CREATED", 1000000 + v));
  return o;
}

static size_t json_size(wes_object_t *o) {
  char *text = NULL;
  size_t n;
  assert_hr_ok(wes_object_to_json(o, 0, &text));
  n = strlen(text);
  wes_free(text);
  return n;
}

static void test_batching_size_flush_exact(void **state) {
  bfx_t x;
  size_t sz;
  uint32_t i;
  wes_object_t *probe;
  (void)state;
  bfx_init(&x);
  probe = sized_event(&x, 9);
  sz = json_size(probe);
  wes_object_unref(probe);
  assert_true(sz > 1);
  for (i = 0; i < 8; i++) {
    wes_object_t *o = sized_event(&x, i);
    assert_int_equal(json_size(o), sz); /* all events the same size */
    wes_object_unref(o);
  }
  /* bad flags are refused and change nothing */
  assert_hr_equal(wes_sink_set_batching_parameters(x.p.sink, 4, 1, 0),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(
      wes_sink_set_batching_parameters(x.p.sink, 0xFFFFFFFFu, 1, 0),
      WES_E_INVALID_PARAMETER);
  /* a one-byte buffer: every event is a batch of its own */
  assert_hr_ok(wes_sink_set_batching_parameters(x.p.sink, WES_FLAG_MUST_BATCH,
                                                1, WES_INFINITE));
  for (i = 0; i < 3; i++) {
    assert_hr_ok(fx_send(x.p.sink, sized_event(&x, i)));
  }
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->calls, 3);
  for (i = 0; i < 3; i++) {
    assert_int_equal(x.r->batch[i], 1);
  }
  /* room for exactly two events: 2 + 2 flushed, the fifth held */
  assert_hr_ok(wes_sink_set_batching_parameters(
      x.p.sink, WES_FLAG_MUST_BATCH, (uint32_t)(2 * sz), WES_INFINITE));
  for (i = 3; i < 8; i++) {
    assert_hr_ok(fx_send(x.p.sink, sized_event(&x, i)));
  }
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->calls, 5);
  assert_int_equal(x.r->batch[3], 2);
  assert_int_equal(x.r->batch[4], 2);
  assert_int_equal(x.r->n, 7);
  /* an infinite latency never flushes a partial batch */
  assert_hr_ok(wes_broker_advance(x.f.b, 1000000));
  assert_int_equal(x.r->n, 7);
  /* the held batch keeps the parameters it was indicated with: the next
   * event completes it */
  assert_hr_ok(fx_send(x.p.sink, sized_event(&x, 8)));
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->n, 9);
  assert_int_equal(x.r->calls, 6);
  assert_int_equal(x.r->batch[5], 2);
  /* one byte more than an event: a single event waits */
  assert_hr_ok(wes_sink_set_batching_parameters(
      x.p.sink, WES_FLAG_MUST_BATCH, (uint32_t)(sz + 1), WES_INFINITE));
  assert_hr_ok(fx_send(x.p.sink, sized_event(&x, 9)));
  assert_hr_ok(wes_broker_advance(x.f.b, 1000000));
  assert_int_equal(x.r->n, 9);
  /* a MUST_NOT_BATCH event behind it flushes the held one first */
  assert_hr_ok(wes_sink_set_batching_parameters(x.p.sink,
                                                WES_FLAG_MUST_NOT_BATCH, 0, 0));
  assert_hr_ok(fx_send(x.p.sink, sized_event(&x, 10)));
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->n, 11);
  assert_int_equal(x.r->calls, 8);
  assert_int_equal(x.r->batch[6], 1);
  assert_int_equal(x.r->batch[7], 1);
  assert_int_equal(ival(x.r->objs[9], "Value"), 9);
  assert_int_equal(ival(x.r->objs[10], "Value"), 10);
  bfx_done(&x);
}

static void test_batching_if_needed_coalesces(void **state) {
  bfx_t x;
  (void)state;
  bfx_init(&x);
  send_n(&x, 0, 7);
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->calls, 1);
  assert_int_equal(x.r->batch[0], 7);
  send_n(&x, 7, 1);
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->calls, 2);
  assert_int_equal(x.r->batch[1], 1);
  bfx_done(&x);
}

static void test_batching_must_not_batch(void **state) {
  bfx_t x;
  size_t i;
  (void)state;
  bfx_init(&x);
  assert_hr_ok(wes_sink_set_batching_parameters(x.p.sink,
                                                WES_FLAG_MUST_NOT_BATCH, 0, 0));
  send_n(&x, 0, 6);
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->calls, 6);
  for (i = 0; i < 6; i++) {
    assert_int_equal(x.r->batch[i], 1);
    assert_int_equal(x.r->seqs[i], i + 1);
  }
  assert_hr_equal(wes_sink_set_batching_parameters(x.p.sink, 3, 0, 0),
                  WES_E_INVALID_PARAMETER);
  bfx_done(&x);
}

static void test_batching_mixed_keeps_order(void **state) {
  bfx_t x;
  (void)state;
  bfx_init(&x);
  assert_hr_ok(wes_sink_set_batching_parameters(x.p.sink, WES_FLAG_MUST_BATCH,
                                                WES_BATCH_MAX_BUFFER, 50));
  send_n(&x, 0, 2);
  assert_hr_ok(wes_sink_set_batching_parameters(x.p.sink,
                                                WES_FLAG_MUST_NOT_BATCH, 0, 0));
  send_n(&x, 2, 1);
  /* the held batch flushes before the later event, order kept */
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->n, 3);
  assert_int_equal(x.r->batch[0], 2);
  assert_int_equal(x.r->batch[1], 1);
  bfx_done(&x);
}

/* Batches bigger than the delivery's on-stack array (64) and up to the
 * 4096 cap, one after another and for two subscriptions: whole, in
 * order, projected per subscription. */
static void test_batching_big_batches(void **state) {
  bfx_t x;
  wes_sink_t *cs2;
  rec_t *r2;
  (void)state;
  bfx_init(&x);
  r2 = rec_new(&cs2);
  assert_hr_ok(
      fx_sub(&x.f, "SELECT Value FROM MyEvent", x.f.user, cs2, 0));
  send_n(&x, 0, 300);
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  send_n(&x, 300, 4100);
  assert_hr_ok(wes_broker_advance(x.f.b, 0));
  assert_int_equal(x.r->calls, 3);
  assert_int_equal(x.r->batch[0], 300);
  assert_int_equal(x.r->batch[1], 4096); /* the cap per call */
  assert_int_equal(x.r->batch[2], 4);
  assert_int_equal(x.r->n, 4400);
  assert_int_equal(r2->calls, 3);
  assert_int_equal(r2->n, 4400);
  assert_int_equal(ival(r2->objs[4399], "Value"), 4399);
  {
    wes_value_t v;
    /* projected: Name was not selected */
    assert_hr_ok(wes_object_get(r2->objs[0], "Name", &v));
    assert_true(v.is_null);
  }
  wes_sink_unref(cs2);
  bfx_done(&x);
  rec_free(r2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batching_big_batches),
      cmocka_unit_test(test_batching_latency_flush),
      cmocka_unit_test(test_batching_size_flush),
      cmocka_unit_test(test_batching_size_flush_exact),
      cmocka_unit_test(test_batching_if_needed_coalesces),
      cmocka_unit_test(test_batching_must_not_batch),
      cmocka_unit_test(test_batching_mixed_keeps_order),
  };
  return cmocka_run_group_tests_name("batching", tests, NULL, NULL);
}
