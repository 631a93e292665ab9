/* SPDX-License-Identifier: MIT */
/*
 * Security denials at each layer: the namespace SD (WBEM_ENABLE), the
 * provider's access_check (denied, WBEM_S_SUBJECT_TO_SDS with per-event
 * SDs), the sink SD set with SetSinkSecurity (binary, group required),
 * and the publish right of QueryObjectSink.
 */
#include "itest.h"

static void sd_bytes(const char *sddl, uint8_t **bin, size_t *len) {
  wes_sd_t *sd = NULL;
  assert_hr_ok(wes_sd_from_sddl(sddl, NULL, &sd, NULL));
  assert_hr_ok(wes_sd_to_binary(sd, bin, len, NULL));
  wes_sd_unref(sd);
}

static wes_object_t *event_with_sd(fx_t *f, uint32_t v, const char *sddl) {
  wes_object_t *o = fx_event(f, "s", v, 0);
  if (sddl != NULL) {
    uint8_t *bin;
    size_t len;
    wes_value_t val;
    sd_bytes(sddl, &bin, &len);
    memset(&val, 0, sizeof(val));
    val.type = WES_CIM_UINT8 | WES_CIM_FLAG_ARRAY;
    val.u.array.data = bin;
    val.u.array.count = len;
    assert_hr_ok(wes_object_set(o, "SECURITY_DESCRIPTOR", &val));
    wes_free(bin);
  }
  return o;
}

static void test_security_subject_to_sds(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cu, *ca;
  rec_t *ru, *ra;
  wes_subscription_stats_t st;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  p.access = WES_S_SUBJECT_TO_SDS;
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  ru = rec_new(&cu);
  ra = rec_new(&ca);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cu, 0));
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.admin, ca, 0));
  /* admin-only event, everyone event, malformed SD, no SD */
  assert_hr_ok(
      fx_send(p.sink, event_with_sd(&f, 1, "O:BAG:BAD:(A;;0x40;;;BA)")));
  assert_hr_ok(
      fx_send(p.sink, event_with_sd(&f, 2, "O:BAG:BAD:(A;;0x40;;;WD)")));
  {
    wes_object_t *o = fx_event(&f, "bad", 3, 0);
    static const uint8_t junk[4] = {1, 0, 0, 0};
    wes_value_t val;
    memset(&val, 0, sizeof(val));
    val.type = WES_CIM_UINT8 | WES_CIM_FLAG_ARRAY;
    val.u.array.data = junk;
    val.u.array.count = sizeof(junk);
    assert_hr_ok(wes_object_set(o, "SECURITY_DESCRIPTOR", &val));
    assert_hr_ok(fx_send(p.sink, o));
  }
  assert_hr_ok(fx_send(p.sink, event_with_sd(&f, 4, NULL)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ru->n, 2);
  assert_int_equal(ival(ru->objs[0], "Value"), 2);
  assert_int_equal(ival(ru->objs[1], "Value"), 4);
  assert_int_equal(ra->n, 3);
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cu, &st));
  assert_int_equal(st.dropped_security, 2);
  fx_teardown(&f);
  wes_sink_unref(cu);
  wes_sink_unref(ca);
  rec_free(ru);
  rec_free(ra);
  prov_done(&p);
}

static void test_security_sink_sd(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cu, *ca;
  rec_t *ru, *ra;
  uint8_t *bin;
  size_t len;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  ru = rec_new(&cu);
  ra = rec_new(&ca);
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.user, cu, 0));
  assert_hr_ok(fx_sub(&f, "SELECT * FROM MyEvent", f.admin, ca, 0));
  /* without a group: rejected */
  sd_bytes("O:BAD:(A;;0x40;;;BA)", &bin, &len);
  assert_hr_equal(wes_sink_set_sink_security(p.sink, bin, len),
                  WES_E_INVALID_PARAMETER);
  wes_free(bin);
  {
    static const uint8_t junk[3] = {9, 9, 9};
    assert_hr_equal(wes_sink_set_sink_security(p.sink, junk, sizeof(junk)),
                    WES_E_INVALID_PARAMETER);
  }
  assert_hr_equal(wes_sink_set_sink_security(p.sink, NULL, 0),
                  WES_E_INVALID_PARAMETER);
  sd_bytes("O:BAG:BAD:(A;;0x40;;;BA)", &bin, &len);
  assert_hr_ok(wes_sink_set_sink_security(p.sink, bin, len));
  wes_free(bin);
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "x", 1, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ru->n, 0);
  assert_int_equal(ra->n, 1);
  /* a later call replaces the SD */
  sd_bytes("O:BAG:BAD:(A;;0x40;;;WD)", &bin, &len);
  assert_hr_ok(wes_sink_set_sink_security(p.sink, bin, len));
  wes_free(bin);
  assert_hr_ok(fx_send(p.sink, fx_event(&f, "y", 2, 0)));
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(ru->n, 1);
  assert_int_equal(ra->n, 2);
  fx_teardown(&f);
  wes_sink_unref(cu);
  wes_sink_unref(ca);
  rec_free(ru);
  rec_free(ra);
  prov_done(&p);
}

static void test_security_layers_at_subscribe(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs, *os = NULL;
  rec_t *r;
  wes_sd_t *sd = NULL;
  wes_error_t err;
  (void)state;
  fx_setup(&f, WES_BROKER_MANUAL, NULL);
  prov_init(&p);
  fx_reg(&f, &p, "P", "SELECT * FROM MyEvent");
  r = rec_new(&cs);
  /* provider denies */
  p.access = WES_E_ACCESS_DENIED;
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/cimv2", "WQL", "SELECT * FROM MyEvent", 0,
                      f.user, cs, &err),
                  WES_E_ACCESS_DENIED);
  assert_non_null(strstr(err.text, "P"));
  p.access = WES_S_OK;
  /* a namespace whose SD lets only one user in */
  assert_hr_ok(
      wes_sd_from_sddl("O:BAG:BAD:(A;;0x41;;;S-1-22-1-1001)", NULL, &sd, NULL));
  assert_hr_ok(wes_broker_add_namespace(f.b, "root/private", sd, NULL, NULL));
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/private", "WQL",
                      "SELECT * FROM __ExtrinsicEvent", 0, f.user, cs, NULL),
                  WES_E_ACCESS_DENIED);
  assert_hr_ok(wes_broker_exec_notification_query_async(
      f.b, "root/private", "WQL", "SELECT * FROM __ExtrinsicEvent", 0, f.other,
      cs, NULL));
  /* publishing needs FULL_WRITE: not even that user */
  assert_hr_equal(
      wes_broker_query_object_sink(f.b, "root/private", 0, f.other, &os, NULL),
      WES_E_ACCESS_DENIED);
  wes_sd_unref(sd);
  fx_teardown(&f);
  wes_sink_unref(cs);
  rec_free(r);
  prov_done(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_security_subject_to_sds),
      cmocka_unit_test(test_security_sink_sd),
      cmocka_unit_test(test_security_layers_at_subscribe),
  };
  return cmocka_run_group_tests_name("security", tests, NULL, NULL);
}
