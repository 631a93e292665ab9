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
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
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
  wes_sink_unref(cs);
  rec_free(r);
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
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
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
  wes_sink_unref(c1);
  wes_sink_unref(c2);
  wes_sink_unref(c3);
  rec_free(r1);
  rec_free(r2);
  rec_free(r3);
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
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
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
  wes_sink_unref(cs);
  rec_free(r);
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
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
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
  wes_sink_unref(cs);
  rec_free(r);
  prov_done(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_restricted_validation),
      cmocka_unit_test(test_restricted_interest_follows_consumers),
      cmocka_unit_test(test_restricted_sink_security_only_it),
      cmocka_unit_test(test_restricted_is_active_ignores_denied),
  };
  return cmocka_run_group_tests_name("restricted", tests, NULL, NULL);
}
