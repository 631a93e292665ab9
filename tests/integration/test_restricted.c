/* SPDX-License-Identifier: MIT */
/*
 * Restricted sinks (GetRestrictedSink): query validation, scoped
 * callbacks (new_query/cancel_query/access_check for overlapping
 * subscriptions), IsActive following consumers as they come and go,
 * events outside the restricted queries dropped and counted, and
 * SetSinkSecurity affecting only the restricted sink.
 */
#include "itest.h"

typedef struct scoped_s {
  uint32_t ids[64];
  int nids;
  uint32_t cancelled[64];
  int ncancelled;
} scoped_t;

static wes_hresult_t sc_new(void *data, uint32_t id, const char *l,
                            const char *q, wes_error_t *reterr) {
  scoped_t *s = data;
  (void)l;
  (void)q;
  (void)reterr;
  s->ids[s->nids++] = id;
  return WES_S_OK;
}

static wes_hresult_t sc_cancel(void *data, uint32_t id) {
  scoped_t *s = data;
  s->cancelled[s->ncancelled++] = id;
  return WES_S_OK;
}

static wes_hresult_t sc_provide(void *data, wes_sink_t *s, int32_t f) {
  (void)data;
  (void)s;
  (void)f;
  return WES_S_OK;
}

static const wes_provider_ops_t scoped_ops = {
    WES_PROVIDER_OPS_VERSION_1, sc_provide, sc_new, sc_cancel, NULL};

/* A broker (mode: WES_BROKER_MANUAL or WES_BROKER_OWN_THREAD) with
 * provider "P" registered for MyEvent. */
static void setup_p(fx_t *f, prov_t *p, uint32_t mode) {
  fx_setup(f, mode, NULL);
  prov_init(p);
  fx_reg(f, p, "P", "SELECT * FROM MyEvent");
}

/* Drops a consumer (after the broker is closed): its sink, its record. */
static void drop(wes_sink_t *cs, rec_t *r) {
  wes_sink_unref(cs);
  rec_free(r);
}

static void test_restricted_validation(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *rs = NULL, *cs;
  rec_t *r;
  const char *bad_parse = "SELECT FROM";
  const char *not_covered = "SELECT * FROM OtherEvent";
  const char *not_event = "SELECT * FROM Thing";
  const char *ok = "SELECT * FROM MyEvent WHERE Value = 1";
  static const wes_provider_ops_t v0 = {0, sc_provide, NULL, NULL, NULL};
  (void)state;
  setup_p(&f, &p, WES_BROKER_MANUAL);
  r = rec_new(&cs);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM OtherEvent", f.user, cs, 0));
  assert_null(p.sink); /* not provided yet: get one via a subscription */
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  assert_non_null(p.sink);
  assert_hr_equal(
      wes_sink_get_restricted_sink(p.sink, 1, &bad_parse, NULL, NULL, &rs),
      WES_E_UNPARSABLE_QUERY);
  assert_hr_equal(
      wes_sink_get_restricted_sink(p.sink, 1, &not_covered, NULL, NULL, &rs),
      WES_E_INVALID_QUERY);
  assert_hr_equal(
      wes_sink_get_restricted_sink(p.sink, 1, &not_event, NULL, NULL, &rs),
      WES_E_INVALID_QUERY);
  assert_hr_equal(wes_sink_get_restricted_sink(p.sink, 1, &ok, &v0, NULL, &rs),
                  WES_E_INVALID_PARAMETER);
  assert_null(rs);
  assert_hr_ok(wes_sink_get_restricted_sink(p.sink, 1, &ok, NULL, NULL, &rs));
  assert_non_null(rs);
  wes_sink_unref(rs);
  fx_teardown(&f);
  drop(cs, r);
  prov_done(&p);
}

static void test_restricted_interest_follows_consumers(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *rs = NULL, *c1, *c2, *c3;
  rec_t *r1, *r2, *r3;
  scoped_t sc;
  wes_sink_stats_t ss;
  const char *rq = "SELECT * FROM MyEvent WHERE Value = 1";
  (void)state;
  memset(&sc, 0, sizeof(sc));
  setup_p(&f, &p, WES_BROKER_MANUAL);
  r1 = rec_new(&c1);
  r2 = rec_new(&c2);
  r3 = rec_new(&c3);
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM MyEvent WHERE Value = 2", f.user, c1, 0));
  assert_hr_ok(
      wes_sink_get_restricted_sink(p.sink, 1, &rq, &scoped_ops, &sc, &rs));
  /* Value = 2 cannot overlap Value = 1 */
  assert_hr_equal(wes_sink_is_active(rs), WES_S_FALSE);
  assert_hr_equal(wes_sink_is_active(p.sink), WES_S_OK);
  assert_int_equal(sc.nids, 0);
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM MyEvent WHERE Value < 5", f.user, c2, 0));
  assert_hr_equal(wes_sink_is_active(rs), WES_S_OK);
  assert_int_equal(sc.nids, 1);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, c3, 0));
  assert_int_equal(sc.nids, 2);
  /* events: outside the restricted query -> dropped and counted */
  assert_hr_ok(fx_send(rs, fx_event(&f, "a", 1, 0)));
  assert_hr_ok(fx_send(rs, fx_event(&f, "b", 2, 0)));
  assert_hr_ok(wes_broker_get_sink_stats(rs, &ss));
  assert_int_equal(ss.indicated, 2);
  assert_int_equal(ss.dropped_restricted, 1);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r1->n, 0);
  assert_int_equal(r2->n, 1);
  assert_int_equal(r3->n, 1);
  assert_hr_ok(wes_broker_cancel_async_call(f.b, c2));
  assert_int_equal(sc.ncancelled, 1);
  assert_int_equal(sc.cancelled[0], sc.ids[0]);
  assert_hr_equal(wes_sink_is_active(rs), WES_S_OK); /* c3 still there */
  assert_hr_ok(wes_broker_cancel_async_call(f.b, c3));
  assert_hr_equal(wes_sink_is_active(rs), WES_S_FALSE);
  assert_int_equal(sc.ncancelled, 2);
  /* a sink restricted from a restricted sink works too */
  {
    wes_sink_t *rr = NULL;
    assert_hr_ok(wes_sink_get_restricted_sink(rs, 1, &rq, NULL, NULL, &rr));
    wes_sink_unref(rr);
  }
  wes_sink_unref(rs);
  fx_teardown(&f);
  drop(c1, r1);
  drop(c2, r2);
  drop(c3, r3);
  prov_done(&p);
}

static wes_hresult_t deny_access(void *data, const char *l, const char *q,
                                 const wes_token_t *t, wes_error_t *reterr) {
  (void)data;
  (void)l;
  (void)q;
  (void)t;
  return wes_error_set(reterr, WES_E_ACCESS_DENIED,
                       "this restricted sink serves nobody");
}

static const wes_provider_ops_t denying_ops = {
    WES_PROVIDER_OPS_VERSION_1, sc_provide, sc_new, sc_cancel, deny_access};

/* DESIGN 4.3: IsActive on a restricted sink counts only the overlapping
 * subscriptions it actually serves; ones its own access_check refused do
 * not make it active. */
static void test_restricted_is_active_ignores_denied(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *rs = NULL, *plain = NULL, *cs;
  rec_t *r;
  scoped_t sc;
  const char *rq = "SELECT * FROM MyEvent WHERE Value = 1";
  (void)state;
  memset(&sc, 0, sizeof(sc));
  setup_p(&f, &p, WES_BROKER_MANUAL);
  r = rec_new(&cs);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  assert_hr_ok(
      wes_sink_get_restricted_sink(p.sink, 1, &rq, &denying_ops, &sc, &rs));
  assert_non_null(rs);
  /* access_check refused the only overlapping subscription */
  assert_int_equal(sc.nids, 0);
  assert_hr_equal(wes_sink_is_active(rs), WES_S_FALSE);
  /* the provider's main sink still serves it */
  assert_hr_equal(wes_sink_is_active(p.sink), WES_S_OK);
  /* without a callback table the overlap alone counts, as before */
  assert_hr_ok(
      wes_sink_get_restricted_sink(p.sink, 1, &rq, NULL, NULL, &plain));
  assert_hr_equal(wes_sink_is_active(plain), WES_S_OK);
  /* events indicated on the refusing sink do not reach the consumer */
  assert_hr_ok(fx_send(rs, fx_event(&f, "refused", 1, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 0);
  wes_sink_unref(plain);
  wes_sink_unref(rs);
  fx_teardown(&f);
  drop(cs, r);
  prov_done(&p);
}

static void test_restricted_sink_security_only_it(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *rs = NULL, *cs;
  rec_t *r;
  wes_sd_t *sd = NULL;
  uint8_t *bin = NULL;
  size_t len = 0;
  const char *rq = "SELECT * FROM MyEvent";
  (void)state;
  setup_p(&f, &p, WES_BROKER_MANUAL);
  r = rec_new(&cs);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cs, 0));
  assert_hr_ok(wes_sink_get_restricted_sink(p.sink, 1, &rq, NULL, NULL, &rs));
  /* the documented sample: subscribe right for Administrators only */
  assert_hr_ok(wes_sd_from_sddl("O:BAG:BAD:(A;;0x40;;;BA)", NULL, &sd, NULL));
  assert_hr_ok(wes_sd_to_binary(sd, &bin, &len, NULL));
  assert_hr_ok(wes_sink_set_sink_security(rs, bin, len));
  assert_hr_ok(fx_send(rs, fx_event(&f, "denied", 1, 0)));
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "allowed", 2, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  assert_int_equal(ival(r->objs[0], "Value"), 2);
  wes_free(bin);
  wes_sd_unref(sd);
  wes_sink_unref(rs);
  fx_teardown(&f);
  drop(cs, r);
  prov_done(&p);
}

/* ---- filter drops surface as rate-limited __EventDroppedEvent ---- */

typedef struct rlog_s {
  uv_mutex_t lock;
  int n;
  char last[512];
} rlog_t;

static void rlog_hook(void *data, int level, const char *module,
                      const char *msg) {
  rlog_t *l = data;
  (void)level;
  (void)module;
  if (strstr(msg, "restricted sink") == NULL) {
    return;
  }
  uv_mutex_lock(&l->lock);
  l->n++;
  snprintf(l->last, sizeof(l->last), "%s", msg);
  uv_mutex_unlock(&l->lock);
}

static void assert_report(wes_object_t *o, uint32_t value) {
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

/* Events a restricted sink drops because they match none of its queries
 * are counted and reported to administrators as a plain
 * __EventDroppedEvent (Event = the last one dropped, IntendedConsumer
 * NULL), at most once per drop_event_interval_ms per restricted sink;
 * the log line gives how many and why. A report held back by the interval
 * goes out when the interval ends, with no further traffic. */
static void test_restricted_filter_drops_reported(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *rs = NULL, *rs2 = NULL, *c, *adm, *usr;
  rec_t *r, *ra, *ru;
  wes_sink_stats_t ss;
  wes_broker_stats_t bs;
  rlog_t lg;
  const char *rq = "SELECT * FROM MyEvent WHERE Value = 1";
  const char *rq2 = "SELECT * FROM MyEvent WHERE Value = 2";
  (void)state;
  memset(&lg, 0, sizeof(lg));
  uv_mutex_init(&lg.lock);
  wes_set_log_hook(rlog_hook, &lg, WES_LOG_WARNING);
  setup_p(&f, &p, WES_BROKER_MANUAL);
  r = rec_new(&c);
  ra = rec_new(&adm);
  ru = rec_new(&usr);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, c, 0));
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM __EventDroppedEvent", f.admin, adm, 0));
  assert_hr_ok(fx_sub(&f, "SELECT * FROM __EventDroppedEvent", f.other, usr,
                      0)); /* not an administrator: never sees them */
  assert_hr_ok(wes_sink_get_restricted_sink(p.sink, 1, &rq, NULL, NULL, &rs));
  assert_hr_ok(wes_sink_get_restricted_sink(p.sink, 1, &rq2, NULL, NULL, &rs2));
  assert_hr_ok(fx_send(rs, fx_event(&f, "a", 2, 0)));
  assert_hr_ok(fx_send(rs, fx_event(&f, "b", 1, 0)));
  assert_hr_ok(fx_send(rs, fx_event(&f, "c", 3, 0)));
  assert_int_equal(ra->n, 0); /* raised by the loop */
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  assert_int_equal(ra->n, 1);
  assert_int_equal(ru->n, 0);
  assert_report(ra->objs[0], 3);
  assert_int_equal(lg.n, 1);
  assert_non_null(strstr(lg.last, ": 2 events dropped"));
  assert_non_null(strstr(lg.last, "matched none of its 1 queries"));
  /* within the interval: counted, held back */
  assert_hr_ok(fx_send(rs, fx_event(&f, "d", 4, 0)));
  assert_hr_ok(fx_send(rs, fx_event(&f, "e", 5, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(fx_send(rs, fx_event(&f, "f", 6, 0)));
  /* the limit is per restricted sink: another one reports at once */
  assert_hr_ok(fx_send(rs2, fx_event(&f, "g", 7, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 2);
  assert_report(ra->objs[1], 7);
  assert_hr_ok(wes_broker_advance(f.b, 998));
  assert_int_equal(ra->n, 2);
  /* the interval ends: the summary goes out with no new event */
  assert_hr_ok(wes_broker_advance(f.b, 2));
  assert_int_equal(ra->n, 3);
  assert_report(ra->objs[2], 6);
  assert_int_equal(lg.n, 3);
  assert_non_null(strstr(lg.last, ": 3 events dropped"));
  assert_hr_ok(wes_broker_advance(f.b, 5000));
  assert_int_equal(ra->n, 3);
  assert_int_equal(ru->n, 0);
  assert_int_equal(r->n, 1);
  assert_hr_ok(wes_broker_get_sink_stats(rs, &ss));
  assert_int_equal(ss.indicated, 6);
  assert_int_equal(ss.dropped_restricted, 5);
  assert_hr_ok(wes_broker_get_stats(f.b, &bs));
  assert_int_equal(bs.drop_events, 3);
  /* after the interval the next drop is reported at once; the one after
   * it is held back, and the provider lets go of its sink: the pending
   * report still goes out, then the sink is released */
  assert_hr_ok(fx_send(rs, fx_event(&f, "h", 8, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 4);
  assert_hr_ok(fx_send(rs, fx_event(&f, "i", 9, 0)));
  wes_sink_unref(rs);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 4);
  assert_hr_ok(wes_broker_advance(f.b, 1000));
  assert_int_equal(ra->n, 5);
  assert_report(ra->objs[4], 9);
  /* one held back when the broker closes: forgotten, nothing leaks */
  assert_hr_ok(fx_send(rs2, fx_event(&f, "j", 10, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 6);
  assert_report(ra->objs[5], 10);
  assert_hr_ok(fx_send(rs2, fx_event(&f, "k", 11, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ra->n, 6);
  fx_teardown(&f);
  wes_set_log_hook(NULL, NULL, WES_LOG_WARNING);
  assert_int_equal(ra->n, 6);
  wes_sink_unref(rs2);
  drop(c, r);
  drop(adm, ra);
  drop(usr, ru);
  uv_mutex_destroy(&lg.lock);
  prov_done(&p);
}

/* A restricted sink that drops from several threads at once: every drop
 * is counted once, and the reports stay within the rate limit. */
typedef struct rflood_s {
  fx_t *f;
  wes_sink_t *rs;
  uint32_t base;
} rflood_t;

static void rflood_thread(void *arg) {
  rflood_t *fl = arg;
  uint32_t i;
  for (i = 0; i < 500; i++) {
    assert_hr_ok(fx_send(fl->rs, fx_event(fl->f, "t", fl->base + i, 0)));
  }
}

static void test_restricted_filter_drops_threads(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *rs = NULL, *adm, *c;
  rec_t *ra, *r;
  wes_sink_stats_t ss;
  rflood_t fl[4];
  uv_thread_t th[4];
  const char *rq = "SELECT * FROM MyEvent WHERE Value = 0";
  int i;
  (void)state;
  setup_p(&f, &p, WES_BROKER_OWN_THREAD);
  ra = rec_new(&adm);
  r = rec_new(&c);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, c, 0));
  assert_hr_ok(
      fx_sub(&f, "SELECT * FROM __EventDroppedEvent", f.admin, adm, 0));
  assert_hr_ok(wes_sink_get_restricted_sink(p.sink, 1, &rq, NULL, NULL, &rs));
  for (i = 0; i < 4; i++) {
    fl[i].f = &f;
    fl[i].rs = rs;
    fl[i].base = 1 + (uint32_t)i * 1000;
    assert_int_equal(uv_thread_create(&th[i], rflood_thread, &fl[i]), 0);
  }
  for (i = 0; i < 4; i++) {
    uv_thread_join(&th[i]);
  }
  rec_wait(ra, 1); /* the first report, from the broker thread */
  assert_hr_ok(wes_broker_get_sink_stats(rs, &ss));
  assert_int_equal(ss.dropped_restricted, 2000);
  fx_teardown(&f);
  /* the first report went out; the rest was held back by the interval
   * (or went out when it ended) and a close forgets what is pending */
  assert_true(ra->n >= 1);
  assert_true(wes_object_isa(ra->objs[0], "__EventDroppedEvent"));
  assert_int_equal(r->n, 0);
  wes_sink_unref(rs);
  drop(adm, ra);
  drop(c, r);
  prov_done(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_restricted_validation),
      cmocka_unit_test(test_restricted_interest_follows_consumers),
      cmocka_unit_test(test_restricted_sink_security_only_it),
      cmocka_unit_test(test_restricted_is_active_ignores_denied),
      cmocka_unit_test(test_restricted_filter_drops_reported),
      cmocka_unit_test(test_restricted_filter_drops_threads),
  };
  return cmocka_run_group_tests_name("restricted", tests, NULL, NULL);
}
