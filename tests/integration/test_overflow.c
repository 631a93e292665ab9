/* SPDX-License-Identifier: MIT */
/*
 * Bounded per-subscription queues under a stalled consumer: exact drop
 * counts for each policy, sequence-number gaps, and the rate-limited
 * __EventQueueOverflowEvent raised to administrators only.
 */
#include "itest.h"

static void setup_limit(fx_t *f, prov_t *p, uint32_t limit, uint32_t policy) {
  wes_broker_options_t o;
  wes_broker_options_init(&o);
  o.queue_limit = limit;
  o.overflow_policy = policy;
  o.block_timeout_ms = 50;
  fx_setup(f, WES_BROKER_MANUAL, &o);
  prov_init(p);
  fx_reg(f, p, "P", "SELECT * FROM MyEvent");
}

static void send_n(fx_t *f, prov_t *p, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    assert_hr_ok(fx_send(p->sink, fx_event(f, "o", i, 0)));
  }
}

/* A consumer of MyEvent (as the user) and an administrator watching the
 * broker's reports (admin_q); nothing reaches them before an advance. */
static void watch(fx_t *f, const char *admin_q, wes_sink_t **cs, rec_t **r,
                  wes_sink_t **adm, rec_t **ra) {
  *r = rec_new(cs);
  *ra = rec_new(adm);
  assert_hr_ok(fx_sub(f, "SELECT * FROM MyEvent", f->user, *cs, 0));
  assert_hr_ok(fx_sub(f, admin_q, f->admin, *adm, 0));
}

/* Drops a consumer (after the broker is closed): its sink, its record. */
static void drop(wes_sink_t *cs, rec_t *r) {
  wes_sink_unref(cs);
  rec_free(r);
}

/* Closes the broker, then drops what watch() made and the provider. */
static void unwatch(fx_t *f, prov_t *p, wes_sink_t *cs, rec_t *r,
                    wes_sink_t *adm, rec_t *ra) {
  fx_teardown(f);
  drop(cs, r);
  drop(adm, ra);
  prov_done(p);
}

static void test_overflow_drop_newest_exact(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm, *usr;
  rec_t *r, *ra, *ru;
  wes_subscription_stats_t st;
  wes_broker_stats_t bs;
  wes_object_t *ev = NULL;
  size_t i;
  (void)state;
  setup_limit(&f, &p, 10, WES_OVERFLOW_DROP_NEWEST);
  watch(&f, "SELECT * FROM __EventQueueOverflowEvent", &cs, &r, &adm, &ra);
  ru = rec_new(&usr);
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM __EventDroppedEvent", f.other, usr, 0));
  send_n(&f, &p, 25); /* the consumer is stalled: no advance */
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.matched, 25);
  assert_int_equal(st.dropped_overflow, 15);
  assert_int_equal(st.queued, 10);
  assert_int_equal(st.last_sequence, 25);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 10);
  for (i = 0; i < 10; i++) {
    assert_int_equal(r->seqs[i], i + 1);
    assert_int_equal(ival(r->objs[i], "Value"), i);
  }
  /* one rate-limited report, to the administrator only */
  assert_int_equal(ra->n, 1);
  assert_int_equal(ru->n, 0);
  assert_int_equal(ival(ra->objs[0], "CurrentQueueSize"), 15);
  assert_hr_ok(wes_object_get_object(ra->objs[0], "Event", &ev));
  assert_int_equal(ival(ev, "Value"), 24); /* the last one dropped */
  /* within the rate-limit interval drops are counted, reported later */
  send_n(&f, &p, 12);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 1);
  send_n(&f, &p, 11);
  assert_hr_ok(wes_broker_advance(f.b, 1000));
  assert_int_equal(ra->n, 2);
  assert_int_equal(ival(ra->objs[1], "CurrentQueueSize"), 3);
  assert_hr_ok(wes_broker_get_stats(f.b, &bs));
  /* 18 overflow drops + the 2 reports denied to the non-admin */
  assert_int_equal(bs.dropped, 20);
  assert_int_equal(bs.drop_events, 2);
  fx_teardown(&f);
  drop(cs, r);
  drop(adm, ra);
  drop(usr, ru);
  prov_done(&p);
}

static void test_overflow_drop_oldest(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs;
  rec_t *r;
  wes_subscription_stats_t st;
  size_t i;
  (void)state;
  setup_limit(&f, &p, 10, WES_OVERFLOW_DROP_NEWEST);
  r = rec_new(&cs);
  /* the subscription's own policy overrides the broker's */
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs,
                      WES_FLAG_OVERFLOW_DROP_OLDEST));
  send_n(&f, &p, 25);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 10);
  for (i = 0; i < 10; i++) {
    assert_int_equal(r->seqs[i], 16 + i);
    assert_int_equal(ival(r->objs[i], "Value"), 15 + i);
  }
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.dropped_overflow, 15);
  assert_hr_equal(
      fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs,
             WES_FLAG_OVERFLOW_DROP_OLDEST | WES_FLAG_OVERFLOW_BLOCK),
      WES_E_INVALID_PARAMETER);
  fx_teardown(&f);
  drop(cs, r);
  prov_done(&p);
}

typedef struct bl_s {
  fx_t *f;
  prov_t *p;
} bl_t;

static void block_sender(void *arg) {
  bl_t *b = arg;
  send_n(b->f, b->p, 8);
}

static void test_overflow_block_waits_for_room(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs;
  rec_t *r;
  uv_thread_t th;
  bl_t b;
  wes_subscription_stats_t st;
  int guard = 0;
  (void)state;
  setup_limit(&f, &p, 4, WES_OVERFLOW_BLOCK);
  r = rec_new(&cs);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  b.f = &f;
  b.p = &p;
  assert_int_equal(uv_thread_create(&th, block_sender, &b), 0);
  /* keep draining while the provider thread is blocked on a full queue;
   * every event either arrives or is counted as dropped (after the
   * 50 ms block timeout) */
  for (;;) {
    assert_hr_ok(wes_broker_advance(f.b, 0));
    assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
    if (st.matched == 8 && st.queued == 0) {
      break;
    }
    uv_sleep(1);
    assert_true(++guard < 30000);
  }
  uv_thread_join(&th);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n + st.dropped_overflow, 8);
  fx_teardown(&f);
  drop(cs, r);
  prov_done(&p);
}

/* An administrator subscribed to the parent class __EventDroppedEvent
 * gets both kinds the broker raises (queue overflow, consumer failure);
 * a non-administrator subscribed to either gets neither. */
static void test_overflow_admin_parent_class(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm, *usr;
  rec_t *r, *ra, *ru;
  wes_subscription_stats_t st;
  wes_object_t *ev = NULL;
  (void)state;
  setup_limit(&f, &p, 2, WES_OVERFLOW_DROP_NEWEST);
  watch(&f, "SELECT * FROM __EventDroppedEvent", &cs, &r, &adm, &ra);
  r->ret = WES_E_FAILED;
  ru = rec_new(&usr);
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM __ConsumerFailureEvent", f.other, usr, 0));
  send_n(&f, &p, 5); /* 2 queued, 3 dropped */
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 2);
  assert_int_equal(r->calls, 1);
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.dropped_overflow, 3);
  assert_int_equal(st.consumer_failures, 1);
  assert_int_equal(ru->n, 0);
  assert_int_equal(ra->n, 2);
  assert_true(wes_object_isa(ra->objs[0], "__EventQueueOverflowEvent"));
  assert_int_equal(ival(ra->objs[0], "CurrentQueueSize"), 3);
  assert_true(wes_object_isa(ra->objs[1], "__ConsumerFailureEvent"));
  assert_int_equal(ival(ra->objs[1], "ErrorCode"), (uint32_t)WES_E_FAILED);
  assert_hr_ok(wes_object_get_object(ra->objs[1], "Event", &ev));
  assert_int_equal(ival(ev, "Value"), 0); /* the first of the batch */
  fx_teardown(&f);
  drop(cs, r);
  drop(adm, ra);
  drop(usr, ru);
  prov_done(&p);
}

static wes_object_t *event_admin_only(fx_t *f, uint32_t v) {
  wes_object_t *o = fx_event(f, "s", v, 0);
  wes_sd_t *sd = NULL;
  uint8_t *bin = NULL;
  size_t len = 0;
  wes_value_t val;
  assert_hr_ok(wes_sd_from_sddl("O:BAG:BAD:(A;;0x40;;;BA)", NULL, &sd, NULL));
  assert_hr_ok(wes_sd_to_binary(sd, &bin, &len, NULL));
  wes_sd_unref(sd);
  memset(&val, 0, sizeof(val));
  val.type = WES_CIM_UINT8 | WES_CIM_FLAG_ARRAY;
  val.u.array.data = bin;
  val.u.array.count = len;
  assert_hr_ok(wes_object_set(o, "SECURITY_DESCRIPTOR", &val));
  wes_free(bin);
  return o;
}

static void assert_plain_dropped(wes_object_t *o, uint32_t value) {
  wes_object_t *ev = NULL;
  wes_value_t ic;
  assert_true(wes_object_isa(o, "__EventDroppedEvent"));
  assert_false(wes_object_isa(o, "__EventQueueOverflowEvent"));
  assert_false(wes_object_isa(o, "__ConsumerFailureEvent"));
  assert_hr_ok(wes_object_get_object(o, "Event", &ev));
  assert_non_null(ev);
  assert_int_equal(ival(ev, "Value"), value);
  memset(&ic, 0, sizeof(ic));
  assert_hr_ok(wes_object_get(o, "IntendedConsumer", &ic));
  assert_true(ic.is_null);
}

/* A matched event the subscriber may not see (the event's SD denies
 * it) surfaces as a plain __EventDroppedEvent to administrators, at most
 * once per drop_event_interval_ms; the next one reports the last
 * event denied meanwhile. */
static void test_overflow_dropped_event_security(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm;
  rec_t *r, *ra;
  wes_subscription_stats_t st;
  (void)state;
  setup_limit(&f, &p, 100, WES_OVERFLOW_DROP_NEWEST);
  p.access = WES_S_SUBJECT_TO_SDS;
  watch(&f, "SELECT * FROM __EventDroppedEvent", &cs, &r, &adm, &ra);
  assert_hr_ok(fx_send(p.sink, event_admin_only(&f, 1)));
  assert_hr_ok(fx_send(p.sink, event_admin_only(&f, 2)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 0);
  assert_int_equal(ra->n, 1);
  assert_plain_dropped(ra->objs[0], 2); /* the last one denied */
  /* within the interval: counted, reported later */
  assert_hr_ok(fx_send(p.sink, event_admin_only(&f, 3)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 1);
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "ok", 4, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 1000));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  assert_int_equal(ra->n, 2);
  assert_plain_dropped(ra->objs[1], 3);
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.dropped_security, 3);
  unwatch(&f, &p, cs, r, adm, ra);
}

/* Events still queued when a subscription is cancelled are released
 * undelivered: one __EventDroppedEvent (Event = the last of them) tells
 * administrators. A close releases them silently. */
static void test_overflow_dropped_event_cancel(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm;
  rec_t *r, *ra;
  wes_broker_stats_t bs;
  (void)state;
  setup_limit(&f, &p, 100, WES_OVERFLOW_DROP_NEWEST);
  watch(&f, "SELECT * FROM __EventDroppedEvent", &cs, &r, &adm, &ra);
  send_n(&f, &p, 3); /* queued, not delivered */
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 0);
  assert_int_equal(r->nstatus, 1);
  assert_int_equal(ra->n, 1);
  assert_plain_dropped(ra->objs[0], 2);
  assert_hr_ok(wes_broker_get_stats(f.b, &bs));
  assert_int_equal(bs.drop_events, 1);
  /* a cancel with nothing queued reports nothing */
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  send_n(&f, &p, 2);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 2);
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 1);
  unwatch(&f, &p, cs, r, adm, ra);
}

/* __ConsumerFailureEvent is rate-limited like the overflow event: one
 * per drop_event_interval_ms per subscription; every failure counts. */
static void test_overflow_consumer_failure_rate_limited(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm;
  rec_t *r, *ra;
  wes_subscription_stats_t st;
  (void)state;
  setup_limit(&f, &p, 100, WES_OVERFLOW_DROP_NEWEST);
  watch(&f, "SELECT * FROM __ConsumerFailureEvent", &cs, &r, &adm, &ra);
  r->ret = WES_E_FAILED;
  send_n(&f, &p, 1);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  send_n(&f, &p, 1);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  send_n(&f, &p, 1);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->calls, 3);
  assert_int_equal(ra->n, 1);
  assert_hr_ok(wes_broker_advance(f.b, 1000));
  send_n(&f, &p, 1);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->calls, 4);
  assert_int_equal(ra->n, 2);
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.consumer_failures, 4);
  unwatch(&f, &p, cs, r, adm, ra);
}

/* A full semisynchronous enumerator drops what does not fit: counted as
 * overflow drops (broker "dropped"), not only as a consumer failure. */
static void test_overflow_full_enumerator_counts_drops(void **state) {
  fx_t f;
  prov_t p;
  wes_enum_t *en = NULL;
  wes_broker_stats_t bs;
  wes_object_t *objs[4];
  uint32_t n = 0, i;
  (void)state;
  setup_limit(&f, &p, 2, WES_OVERFLOW_DROP_NEWEST);
  assert_hr_ok(wes_broker_exec_notification_query(
      f.b, "root/cimv2", "WQL", "SELECT * FROM MyEvent",
      WES_FLAG_RETURN_IMMEDIATELY | WES_FLAG_FORWARD_ONLY, f.user, &en, NULL));
  send_n(&f, &p, 2);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_get_stats(f.b, &bs));
  assert_int_equal(bs.dropped, 0);
  send_n(&f, &p, 2); /* the enumerator is full: both are dropped */
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_get_stats(f.b, &bs));
  assert_int_equal(bs.dropped, 2);
  assert_hr_equal(wes_enum_next(en, WES_NO_WAIT, 4, objs, &n), WES_S_TIMEDOUT);
  assert_int_equal(n, 2);
  for (i = 0; i < n; i++) {
    assert_int_equal(ival(objs[i], "Value"), i);
    wes_object_unref(objs[i]);
  }
  wes_enum_free(en);
  fx_teardown(&f);
  prov_done(&p);
}

/* A report held back by the rate limit does not wait for the next
 * delivery: the broker's timer raises it when the interval ends, with the
 * exact number dropped since the previous report, even though nothing
 * more is indicated. Manual mode: the window passes with
 * wes_broker_advance. */
static void test_overflow_held_back_report_at_window_end(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm;
  rec_t *r, *ra;
  wes_broker_stats_t bs;
  wes_object_t *ev = NULL;
  uint32_t i;
  (void)state;
  setup_limit(&f, &p, 2, WES_OVERFLOW_DROP_NEWEST);
  watch(&f, "SELECT * FROM __EventQueueOverflowEvent", &cs, &r, &adm, &ra);
  send_n(&f, &p, 5); /* stalled consumer: 2 queued, 3 dropped */
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 2);
  assert_int_equal(ra->n, 1);
  assert_int_equal(ival(ra->objs[0], "CurrentQueueSize"), 3);
  /* within the interval: 2 queued, 4 dropped, the report is held back */
  for (i = 10; i < 16; i++) {
    assert_hr_ok(fx_send(p.sink, fx_event(&f, "o", i, 0)));
  }
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 4);
  assert_int_equal(ra->n, 1);
  assert_hr_ok(wes_broker_advance(f.b, 999));
  assert_int_equal(ra->n, 1);
  /* the interval ends: no further traffic, the summary arrives */
  assert_hr_ok(wes_broker_advance(f.b, 1));
  assert_int_equal(ra->n, 2);
  assert_int_equal(ival(ra->objs[1], "CurrentQueueSize"), 4);
  assert_hr_ok(wes_object_get_object(ra->objs[1], "Event", &ev));
  assert_int_equal(ival(ev, "Value"), 15); /* the last one dropped */
  assert_int_equal(r->n, 4);
  /* nothing more to say: no further reports */
  assert_hr_ok(wes_broker_advance(f.b, 5000));
  assert_int_equal(ra->n, 2);
  assert_hr_ok(wes_broker_get_stats(f.b, &bs));
  assert_int_equal(bs.drop_events, 2);
  assert_int_equal(bs.dropped, 7);
  /* held back again, then the subscription is cancelled: its timer is
   * stopped, the report is not raised afterwards */
  send_n(&f, &p, 3);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 3); /* the interval had passed: at once */
  send_n(&f, &p, 3);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 3);
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_hr_ok(wes_broker_advance(f.b, 2000));
  assert_int_equal(ra->n, 3);
  /* and one held back when the broker closes: forgotten, no leak */
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  send_n(&f, &p, 3);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 4);
  send_n(&f, &p, 3);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 4);
  fx_teardown(&f);
  assert_int_equal(ra->n, 4);
  drop(cs, r);
  drop(adm, ra);
  prov_done(&p);
}

/* The same for a held-back security denial report (__EventDroppedEvent):
 * raised when the interval ends, Event = the last one denied. */
static void test_overflow_held_back_denial_report(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *adm;
  rec_t *r, *ra;
  (void)state;
  setup_limit(&f, &p, 100, WES_OVERFLOW_DROP_NEWEST);
  p.access = WES_S_SUBJECT_TO_SDS;
  watch(&f, "SELECT * FROM __EventDroppedEvent", &cs, &r, &adm, &ra);
  assert_hr_ok(fx_send(p.sink, event_admin_only(&f, 1)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 1);
  assert_plain_dropped(ra->objs[0], 1);
  assert_hr_ok(wes_broker_advance(f.b, 10));
  assert_hr_ok(fx_send(p.sink, event_admin_only(&f, 2)));
  assert_hr_ok(fx_send(p.sink, event_admin_only(&f, 3)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 1);
  assert_hr_ok(wes_broker_advance(f.b, 989));
  assert_int_equal(ra->n, 1);
  assert_hr_ok(wes_broker_advance(f.b, 1));
  assert_int_equal(ra->n, 2);
  assert_plain_dropped(ra->objs[1], 3);
  assert_int_equal(r->n, 0);
  unwatch(&f, &p, cs, r, adm, ra);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_overflow_drop_newest_exact),
      cmocka_unit_test(test_overflow_drop_oldest),
      cmocka_unit_test(test_overflow_block_waits_for_room),
      cmocka_unit_test(test_overflow_admin_parent_class),
      cmocka_unit_test(test_overflow_dropped_event_security),
      cmocka_unit_test(test_overflow_dropped_event_cancel),
      cmocka_unit_test(test_overflow_consumer_failure_rate_limited),
      cmocka_unit_test(test_overflow_full_enumerator_counts_drops),
      cmocka_unit_test(test_overflow_held_back_report_at_window_end),
      cmocka_unit_test(test_overflow_held_back_denial_report),
  };
  return cmocka_run_group_tests_name("overflow", tests, NULL, NULL);
}
