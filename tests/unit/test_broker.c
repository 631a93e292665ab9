/* SPDX-License-Identifier: MIT */
/* Broker unit tests: manual mode (virtual time, deterministic). */
#include <stdlib.h>
#include <uv.h>

#include "broker/broker_internal.h" /* next_query_id, for the wrap test */
#include "wes_test.h"

#define MOF                                                                    \
  "class MyEvent : __ExtrinsicEvent { string Name; uint32 Value; };\n"         \
  "class OtherEvent : __ExtrinsicEvent { uint32 Code; };\n"                    \
  "class Thing { [key] string Name; uint32 Size; };\n"                         \
  "class SubThing : Thing { string Extra; };\n"                                \
  "class Plain { string X; };\n"

/* The intrinsic queries most tests use, on both sides. */
#define THING_CREATED                                                          \
  "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Thing'"
#define PLAIN_CREATED                                                          \
  "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Plain'"

/* ---- a recording consumer ---- */

typedef struct rec_s {
  uv_mutex_t lock;
  wes_object_t *objs[256];
  uint64_t seqs[256];
  size_t n;
  size_t calls;
  size_t batch_sizes[256];
  int nstatus;
  wes_hresult_t status;
  wes_hresult_t ret;      /* what indicate returns */
  wes_broker_t *cancel_b; /* cancel from inside indicate */
  wes_sink_t *self;
  wes_hresult_t cancel_hr;
  int indicate_after_status;
  uint64_t advance_ms; /* clock advance inside indicate */
} rec_t;

static wes_hresult_t rec_indicate(void *data, wes_object_t *const *objs,
                                  size_t n) {
  rec_t *r = data;
  size_t i;
  uint64_t seq = 0;
  wes_broker_delivery_sequence(&seq);
  uv_mutex_lock(&r->lock);
  if (r->nstatus > 0) {
    r->indicate_after_status = 1;
  }
  if (r->calls < 256) {
    r->batch_sizes[r->calls] = n;
  }
  r->calls++;
  for (i = 0; i < n && r->n < 256; i++) {
    r->seqs[r->n] = seq + i;
    r->objs[r->n++] = wes_object_ref(objs[i]);
  }
  uv_mutex_unlock(&r->lock);
  if (r->advance_ms > 0 && r->cancel_b != NULL) {
    wes_clock_manual_advance(wes_broker_get_clock(r->cancel_b), r->advance_ms);
  } else if (r->cancel_b != NULL) {
    r->cancel_hr = wes_broker_cancel_async_call(r->cancel_b, r->self);
    /* the final status must not have arrived yet */
    assert_int_equal(r->nstatus, 0);
  }
  return r->ret;
}

static wes_hresult_t rec_status(void *data, int32_t flags, wes_hresult_t hr,
                                const char *param, wes_object_t *obj) {
  rec_t *r = data;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE) {
    uv_mutex_lock(&r->lock);
    r->nstatus++;
    r->status = hr;
    uv_mutex_unlock(&r->lock);
  }
  return WES_S_OK;
}

static rec_t *rec_new(wes_sink_t **ret) {
  rec_t *r = calloc(1, sizeof(*r));
  uv_mutex_init(&r->lock);
  assert_hr_ok(wes_sink_new_callback(rec_indicate, rec_status, r, ret));
  r->self = *ret;
  return r;
}

static void rec_free(rec_t *r) {
  size_t i;
  for (i = 0; i < r->n; i++) {
    wes_object_unref(r->objs[i]);
  }
  uv_mutex_destroy(&r->lock);
  free(r);
}

/* r got exactly one final status, with this code (a macro: failures
 * name the caller's line). */
#define assert_ended(r, code)                                                  \
  do {                                                                         \
    assert_int_equal((r)->nstatus, 1);                                         \
    assert_hr_equal((r)->status, (code));                                      \
  } while (0)

/* ---- a test provider ---- */

typedef struct prov_s {
  wes_sink_t *sink;
  int provided;
  uint32_t ids[64];
  int nids;
  uint32_t cancelled[64];
  int ncancelled;
  wes_hresult_t access;
  wes_hresult_t newq;
  wes_hresult_t provide_hr;
  const char *access_msg; /* failing access_check fills reterr with it */
  const char *newq_msg;   /* failing new_query fills reterr with it */
  uint32_t newq_line, newq_col;
  int reterr_clean; /* every reterr the broker passed was cleared */
  int calls;
} prov_t;

/* The broker passes a valid, cleared wes_error_t to both members. */
static void check_reterr(prov_t *p, const wes_error_t *reterr) {
  assert_non_null(reterr);
  if (reterr->code == WES_S_OK && reterr->text[0] == '\0' &&
      reterr->line == 0 && reterr->column == 0) {
    p->reterr_clean++;
  }
  p->calls++;
}

static wes_hresult_t p_provide(void *data, wes_sink_t *sink, int32_t flags) {
  prov_t *p = data;
  assert_int_equal(flags, 0);
  p->provided++;
  if (WES_FAILED(p->provide_hr)) {
    return p->provide_hr;
  }
  p->sink = wes_sink_ref(sink);
  return WES_S_OK;
}

static wes_hresult_t p_new_query(void *data, uint32_t id, const char *lang,
                                 const char *q, wes_error_t *reterr) {
  prov_t *p = data;
  assert_string_equal(lang, "WQL");
  assert_non_null(q);
  check_reterr(p, reterr);
  if (WES_FAILED(p->newq)) {
    if (p->newq_msg != NULL) {
      wes_error_set(reterr, p->newq, "%s", p->newq_msg);
      reterr->line = p->newq_line;
      reterr->column = p->newq_col;
    }
    return p->newq;
  }
  if (p->nids < 64) {
    p->ids[p->nids++] = id;
  }
  return WES_S_OK;
}

static wes_hresult_t p_cancel_query(void *data, uint32_t id) {
  prov_t *p = data;
  if (p->ncancelled < 64) {
    p->cancelled[p->ncancelled++] = id;
  }
  return WES_S_OK;
}

static wes_hresult_t p_access(void *data, const char *lang, const char *q,
                              const wes_token_t *tok, wes_error_t *reterr) {
  prov_t *p = data;
  (void)lang;
  (void)q;
  assert_non_null(tok);
  check_reterr(p, reterr);
  if (WES_FAILED(p->access) && p->access_msg != NULL) {
    return wes_error_set(reterr, p->access, "%s", p->access_msg);
  }
  return p->access;
}

static const wes_provider_ops_t prov_ops = {WES_PROVIDER_OPS_VERSION_1,
                                            p_provide, p_new_query,
                                            p_cancel_query, p_access};

/* ---- fixture ---- */

typedef struct fx_s {
  wes_broker_t *b;
  wes_namespace_t *ns;
  wes_token_t *user;  /* uid 1000 */
  wes_token_t *admin; /* uid 0 */
  wes_token_t *other; /* uid 1001 */
} fx_t;

static void fx_init_opts(fx_t *f, const wes_broker_options_t *o) {
  wes_broker_options_t opts;
  wes_error_t err;
  memset(f, 0, sizeof(*f));
  if (o == NULL) {
    wes_broker_options_init(&opts);
    opts.flags = WES_BROKER_MANUAL;
    o = &opts;
  }
  assert_hr_ok(wes_broker_new(NULL, o, &f->b, &err));
  f->ns = wes_broker_get_namespace(f->b, "root/cimv2");
  assert_non_null(f->ns);
  if (WES_FAILED(
          wes_mof_compile(f->ns, MOF, strlen(MOF), "t.mof", NULL, &err))) {
    fail_msg("mof: %s", err.text);
  }
  assert_hr_ok(
      wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0, &f->user, NULL));
  assert_hr_ok(
      wes_token_from_unix(0, 0, NULL, 0, NULL, NULL, 0, &f->admin, NULL));
  assert_hr_ok(
      wes_token_from_unix(1001, 1001, NULL, 0, NULL, NULL, 0, &f->other, NULL));
}

static void fx_init(fx_t *f) { fx_init_opts(f, NULL); }

static void fx_done(fx_t *f) {
  if (f->b != NULL) {
    assert_hr_ok(wes_broker_close(f->b, NULL, NULL));
  }
  wes_token_unref(f->user);
  wes_token_unref(f->admin);
  wes_token_unref(f->other);
}

static wes_object_t *my_event(fx_t *f, const char *name, uint32_t value) {
  wes_object_t *o = NULL;
  assert_hr_ok(wes_object_new_by_name(f->ns, "MyEvent", &o));
  assert_hr_ok(wes_object_set_string(o, "Name", name));
  assert_hr_ok(wes_object_set_uint32(o, "Value", value));
  return o;
}

static wes_object_t *creation(fx_t *f, const char *cls, const char *name) {
  wes_object_t *o = NULL, *t = NULL;
  assert_hr_ok(wes_object_new_by_name(f->ns, cls, &t));
  assert_hr_ok(wes_object_set_string(t, "Name", name));
  assert_hr_ok(wes_object_new_by_name(f->ns, "__InstanceCreationEvent", &o));
  assert_hr_ok(wes_object_set_object(o, "TargetInstance", t));
  wes_object_unref(t);
  return o;
}

static void indicate1(wes_sink_t *s, wes_object_t *o, wes_hresult_t want) {
  assert_hr_equal(wes_sink_indicate(s, &o, 1), want);
  wes_object_unref(o);
}

static wes_provider_t *reg(fx_t *f, prov_t *p, const char *q) {
  wes_provider_t *pr = NULL;
  wes_error_t err;
  if (WES_FAILED(wes_broker_register_provider(f->b, "root/cimv2", "P", &q, 1,
                                              &prov_ops, p, &pr, &err))) {
    fail_msg("register: %s", err.text);
  }
  return pr;
}

/* Subscribes s to q in root/cimv2 as tok; the error goes to err. */
static wes_hresult_t sub_err(fx_t *f, const char *q, wes_token_t *tok,
                             wes_sink_t *s, wes_error_t *err) {
  return wes_broker_exec_notification_query_async(f->b, "root/cimv2", "WQL", q,
                                                  0, tok, s, err);
}

static wes_hresult_t sub(fx_t *f, const char *q, wes_token_t *tok,
                         wes_sink_t *s) {
  return sub_err(f, q, tok, s, NULL);
}

/* The usual set-up: a manual broker, provider "P" registered for pq and
 * one recording consumer (its sink in *cs). */
static rec_t *fx_init_one(fx_t *f, prov_t *p, const char *pq, wes_sink_t **cs) {
  fx_init(f);
  reg(f, p, pq);
  return rec_new(cs);
}

/* ... and its tear-down. */
static void fx_done_one(fx_t *f, prov_t *p, wes_sink_t *cs, rec_t *r) {
  wes_sink_unref(cs);
  fx_done(f);
  wes_sink_unref(p->sink);
  rec_free(r);
}

/* The semisynchronous form (return immediately, forward only). */
static wes_hresult_t enum_err(fx_t *f, const char *q, wes_token_t *tok,
                              wes_enum_t **en, wes_error_t *err) {
  return wes_broker_exec_notification_query(
      f->b, "root/cimv2", "WQL", q,
      WES_FLAG_RETURN_IMMEDIATELY | WES_FLAG_FORWARD_ONLY, tok, en, err);
}

/* Drops a consumer: its sink, then its record. */
static void drop(wes_sink_t *cs, rec_t *r) {
  wes_sink_unref(cs);
  rec_free(r);
}

static uint32_t value_of(wes_object_t *o) {
  uint32_t v = 0;
  assert_hr_ok(wes_object_get_uint32(o, "Value", &v));
  return v;
}

/* ---- tests ---- */

static void test_broker_options_and_new(void **state) {
  wes_broker_options_t o;
  wes_broker_t *b = NULL;
  uv_loop_t loop;
  (void)state;
  wes_broker_options_init(&o);
  assert_int_equal(o.queue_limit, 10000);
  assert_int_equal(o.callback_budget_ms, 100);
  assert_int_equal(o.temp_subscriptions_total, 10000);
  assert_int_equal(o.temp_subscriptions_per_user, 1000);
  assert_hr_equal(wes_broker_new(NULL, NULL, NULL, NULL),
                  WES_E_INVALID_PARAMETER);
  /* embedded mode needs a loop */
  assert_hr_equal(wes_broker_new(NULL, &o, &b, NULL), WES_E_INVALID_PARAMETER);
  o.flags = WES_BROKER_MANUAL | WES_BROKER_OWN_THREAD;
  assert_hr_equal(wes_broker_new(NULL, &o, &b, NULL), WES_E_INVALID_PARAMETER);
  o.flags = WES_BROKER_MANUAL;
  uv_loop_init(&loop);
  assert_hr_equal(wes_broker_new(&loop, &o, &b, NULL), WES_E_INVALID_PARAMETER);
  o.queue_limit = 0;
  assert_hr_equal(wes_broker_new(NULL, &o, &b, NULL), WES_E_INVALID_PARAMETER);
  o.queue_limit = 5;
  o.size = 3;
  assert_hr_equal(wes_broker_new(NULL, &o, &b, NULL), WES_E_INVALID_PARAMETER);
  assert_null(b);
  o.size = sizeof(o);
  assert_hr_ok(wes_broker_new(NULL, &o, &b, NULL));
  assert_non_null(wes_broker_get_namespace(b, "root\\cimv2"));
  assert_non_null(wes_broker_get_namespace(b, "ROOT/CIMV2"));
  assert_non_null(wes_broker_get_namespace(b, "root"));
  assert_null(wes_broker_get_namespace(b, "root/nope"));
  assert_hr_equal(wes_broker_add_namespace(b, "root/cimv2", NULL, NULL, NULL),
                  WES_E_ALREADY_EXISTS);
  assert_hr_ok(wes_broker_add_namespace(b, "root/test", NULL, NULL, NULL));
  assert_hr_ok(wes_broker_advance(b, 10));
  assert_int_equal(wes_clock_now_ms(wes_broker_get_clock(b)), 10);
  assert_hr_ok(wes_broker_close(b, NULL, NULL));
  uv_loop_close(&loop);
}

static void test_broker_extrinsic_vertical_slice(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  wes_provider_t *pr;
  wes_subscription_stats_t st;
  wes_sink_stats_t ss;
  (void)state;
  fx_init(&f);
  pr = reg(&f, &p, "SELECT * FROM MyEvent");
  assert_int_equal(p.provided, 0); /* no interest yet */
  r = rec_new(&cs);
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent WHERE Value > 5", f.user, cs));
  assert_int_equal(p.provided, 1);
  assert_int_equal(p.nids, 1);
  assert_non_null(p.sink);
  indicate1(p.sink, my_event(&f, "a", 1), WES_S_OK);
  indicate1(p.sink, my_event(&f, "b", 6), WES_S_OK);
  indicate1(p.sink, my_event(&f, "c", 10), WES_S_OK);
  assert_int_equal(r->n, 0); /* manual: nothing before advance */
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 2);
  assert_int_equal(value_of(r->objs[0]), 6);
  assert_int_equal(value_of(r->objs[1]), 10);
  assert_int_equal(r->seqs[0], 1);
  assert_int_equal(r->seqs[1], 2);
  {
    uint64_t t1 = 0, t2 = 0;
    assert_hr_ok(wes_object_get_uint64(r->objs[0], "TIME_CREATED", &t1));
    assert_hr_ok(wes_object_get_uint64(r->objs[1], "TIME_CREATED", &t2));
    assert_true(t2 > t1);
    assert_true(wes_object_is_frozen(r->objs[0]));
  }
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_int_equal(st.matched, 2);
  assert_int_equal(st.delivered, 2);
  assert_int_equal(st.query_id, p.ids[0]);
  assert_hr_ok(wes_broker_get_sink_stats(p.sink, &ss));
  assert_int_equal(ss.indicated, 3);
  assert_int_equal(ss.matched, 2);
  assert_int_equal(ss.unmatched, 1);
  assert_hr_equal(wes_broker_get_sink_stats(cs, &ss), WES_E_INVALID_PARAMETER);
  /* an object that is not an event is rejected, counted */
  {
    wes_object_t *o = NULL;
    assert_hr_ok(wes_object_new_by_name(f.ns, "Plain", &o));
    indicate1(p.sink, o, WES_E_INVALID_OBJECT);
  }
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_ended(r, WES_E_CALL_CANCELLED);
  assert_int_equal(p.ncancelled, 1);
  assert_int_equal(p.cancelled[0], p.ids[0]);
  assert_hr_equal(wes_broker_cancel_async_call(f.b, cs), WES_E_NOT_FOUND);
  assert_hr_ok(wes_broker_unregister_provider(f.b, pr));
  indicate1(p.sink, my_event(&f, "d", 7), WES_E_CALL_CANCELLED);
  wes_sink_unref(p.sink);
  wes_sink_unref(cs);
  fx_done(&f);
  assert_int_equal(r->nstatus, 1);
  rec_free(r);
}

static void test_broker_consumer_argument_errors(void **state) {
  fx_t f;
  wes_sink_t *cs;
  rec_t *r;
  wes_error_t err;
  (void)state;
  fx_init(&f);
  r = rec_new(&cs);
  /* Wine's cases: NULL sink, NULL/empty query, unknown language */
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/cimv2", "WQL", "SELECT * FROM MyEvent", 0,
                      f.user, NULL, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/cimv2", "WQL", NULL, 0, f.user, cs, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/cimv2", "WQL", "", 0, f.user, cs, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/cimv2", "SQL", "SELECT * FROM MyEvent", 0,
                      f.user, cs, NULL),
                  WES_E_INVALID_QUERY_TYPE);
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/cimv2", "SQL", NULL, 0, f.user, cs, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/cimv2", "WQL", "SELECT * FROM MyEvent", 0x40,
                      f.user, cs, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/nope", "WQL", "SELECT * FROM MyEvent", 0,
                      f.user, cs, NULL),
                  WES_E_INVALID_NAMESPACE);
  /* wmi-rs: "42" is unparsable */
  assert_hr_equal(sub(&f, "42", f.user, cs), WES_E_UNPARSABLE_QUERY);
  assert_hr_equal(wes_broker_exec_notification_query_async(
                      f.b, "root/cimv2", "wql", "SELECT * FROM NoSuch", 0,
                      f.user, cs, &err),
                  WES_E_INVALID_CLASS);
  assert_hr_equal(sub(&f, "SELECT * FROM Plain", f.user, cs),
                  WES_E_NOT_EVENT_CLASS);
  assert_hr_equal(sub(&f, "SELECT * FROM MyEvent WHERE Nope = 1", f.user, cs),
                  WES_E_INVALID_PROPERTY);
  /* later-release features fail loudly */
  assert_hr_equal(
      sub(&f, "SELECT * FROM MyEvent GROUP WITHIN 10 BY Name", f.user, cs),
      WES_E_NOT_SUPPORTED);
  assert_hr_equal(
      sub(&f, "SELECT * FROM __TimerEvent WHERE TimerId = 'x'", f.user, cs),
      WES_E_NOT_SUPPORTED);
  assert_hr_equal(sub(&f,
                      "SELECT * FROM __InstanceCreationEvent WITHIN 5 WHERE "
                      "TargetInstance ISA 'Thing'",
                      f.user, cs),
                  WES_E_NOT_SUPPORTED);
  assert_hr_equal(sub(&f, THING_CREATED, f.user, cs),
                  WES_ESS_E_REGISTRATION_TOO_PRECISE);
  assert_int_equal(r->nstatus, 0); /* failures never touch the sink */
  assert_hr_equal(wes_broker_cancel_async_call(f.b, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_cancel_async_call(f.b, cs), WES_E_NOT_FOUND);
  wes_sink_unref(cs);
  fx_done(&f);
  rec_free(r);
}

static void test_broker_registration_codes(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_provider_t *pr = NULL;
  wes_error_t err;
  const char *q;
  static const wes_provider_ops_t bad = {0, p_provide, NULL, NULL, NULL};
  (void)state;
  fx_init(&f);
#define REG(text)                                                              \
  (q = (text), wes_broker_register_provider(f.b, "root/cimv2", "P", &q, 1,     \
                                            &prov_ops, &p, &pr, &err))
  assert_hr_equal(REG("SELECT * FROM"), WES_E_UNPARSABLE_QUERY);
  assert_hr_equal(REG("SELECT * FROM __InstanceCreationEvent"),
                  WES_E_UNINTERPRETABLE_PROVIDER_QUERY);
  assert_hr_equal(REG("SELECT * FROM __Event"),
                  WES_ESS_E_REGISTRATION_TOO_BROAD);
  assert_hr_equal(REG("SELECT * FROM __ExtrinsicEvent"),
                  WES_ESS_E_REGISTRATION_TOO_BROAD);
  assert_hr_equal(REG("SELECT * FROM Plain"), WES_E_NOT_EVENT_CLASS);
  assert_hr_equal(REG("SELECT * FROM Missing"), WES_E_INVALID_CLASS);
  assert_hr_equal(REG("SELECT * FROM __InstanceCreationEvent WHERE "
                      "TargetInstance ISA 'Missing'"),
                  WES_E_INVALID_CLASS);
  assert_null(pr);
  q = "SELECT * FROM MyEvent";
  assert_hr_equal(wes_broker_register_provider(f.b, "root/cimv2", "P", &q, 1,
                                               &bad, &p, &pr, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_register_provider(f.b, "root/cimv2", "P", &q, 0,
                                               &prov_ops, &p, &pr, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_register_provider(f.b, "root/x", "P", &q, 1,
                                               &prov_ops, &p, &pr, NULL),
                  WES_E_INVALID_NAMESPACE);
  assert_hr_ok(REG("SELECT * FROM MyEvent"));
  assert_hr_equal(REG("SELECT * FROM OtherEvent"),
                  WES_E_PROVIDER_ALREADY_REGISTERED);
#undef REG
  fx_done(&f);
  wes_sink_unref(p.sink);
}

static void test_broker_intrinsic_isa_index(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *c1, *c2, *c3;
  rec_t *r1, *r2, *r3;
  (void)state;
  fx_init(&f);
  reg(&f, &p,
      "SELECT * FROM __InstanceOperationEvent WHERE TargetInstance ISA "
      "'Thing'");
  r1 = rec_new(&c1);
  r2 = rec_new(&c2);
  r3 = rec_new(&c3);
  assert_hr_ok(sub(&f,
                   "SELECT * FROM __InstanceCreationEvent WHERE "
                   "TargetInstance ISA 'SubThing'",
                   f.user, c1));
  assert_hr_ok(sub(&f,
                   "SELECT * FROM __InstanceOperationEvent WHERE "
                   "TargetInstance ISA 'Thing' AND TargetInstance.Name = 'x'",
                   f.user, c2));
  assert_hr_ok(sub(&f,
                   "SELECT * FROM __InstanceDeletionEvent WHERE "
                   "TargetInstance ISA 'Thing'",
                   f.user, c3));
  assert_int_equal(p.provided, 1);
  assert_int_equal(p.nids, 3);
  assert_true(p.ids[0] < p.ids[1] && p.ids[1] < p.ids[2]);
  indicate1(p.sink, creation(&f, "Thing", "x"), WES_S_OK);
  indicate1(p.sink, creation(&f, "SubThing", "y"), WES_S_OK);
  indicate1(p.sink, creation(&f, "SubThing", "x"), WES_S_OK);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r1->n, 2); /* the two SubThings */
  assert_int_equal(r2->n, 2); /* the two named x */
  assert_int_equal(r3->n, 0);
  wes_sink_unref(c1);
  wes_sink_unref(c2);
  wes_sink_unref(c3);
  fx_done(&f);
  assert_ended(r1, WES_E_SHUTTING_DOWN);
  assert_int_equal(p.ncancelled, 3); /* close: cancel_query per sub */
  /* sinks die with the broker */
  indicate1(p.sink, creation(&f, "Thing", "z"), WES_E_SHUTTING_DOWN);
  wes_sink_unref(p.sink);
  rec_free(r1);
  rec_free(r2);
  rec_free(r3);
}

static void test_broker_equality_index_many(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs[50];
  rec_t *rs[50];
  char q[128];
  int i;
  (void)state;
  fx_init(&f);
  reg(&f, &p, "SELECT * FROM MyEvent");
  for (i = 0; i < 50; i++) {
    rs[i] = rec_new(&cs[i]);
    snprintf(q, sizeof(q), "SELECT * FROM MyEvent WHERE Value = %d", i);
    assert_hr_ok(sub(&f, q, f.user, cs[i]));
  }
  for (i = 0; i < 50; i++) {
    indicate1(p.sink, my_event(&f, "v", (uint32_t)(i * 7 % 50)), WES_S_OK);
  }
  assert_hr_ok(wes_broker_advance(f.b, 0));
  for (i = 0; i < 50; i++) {
    assert_int_equal(rs[i]->n, 1);
    assert_int_equal(value_of(rs[i]->objs[0]), (uint32_t)i);
  }
  for (i = 0; i < 50; i++) {
    wes_sink_unref(cs[i]);
  }
  fx_done(&f);
  for (i = 0; i < 50; i++) {
    rec_free(rs[i]);
  }
  wes_sink_unref(p.sink);
}

static void test_broker_is_active_and_provider_codes(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  wes_error_t err;
  (void)state;
  r = fx_init_one(&f, &p, "SELECT * FROM MyEvent", &cs);
  /* the other event class is not covered: no provide_events */
  assert_hr_ok(sub(&f, "SELECT * FROM OtherEvent", f.user, cs));
  assert_int_equal(p.provided, 0);
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  assert_int_equal(p.provided, 1);
  assert_hr_equal(wes_sink_is_active(p.sink), WES_S_OK);
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_hr_equal(wes_sink_is_active(p.sink), WES_S_FALSE);
  /* access_check */
  p.access = WES_E_ACCESS_DENIED;
  assert_hr_equal(sub_err(&f, "SELECT * FROM MyEvent", f.user, cs, &err),
                  WES_E_ACCESS_DENIED);
  p.access = WES_E_FAILED;
  assert_hr_equal(sub(&f, "SELECT * FROM MyEvent", f.user, cs),
                  WES_E_PROVIDER_FAILURE);
  p.access = WES_S_OK;
  p.newq = WES_E_PROVIDER_NOT_CAPABLE;
  assert_hr_equal(sub(&f, "SELECT * FROM MyEvent", f.user, cs),
                  WES_E_PROVIDER_NOT_CAPABLE);
  p.newq = WES_S_OK;
  assert_int_equal(p.provided, 1); /* only once, ever */
  /* ids are never reused */
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  assert_true(p.ids[p.nids - 1] > p.ids[0]);
  assert_int_equal(r->nstatus, 2); /* the two cancels */
  wes_sink_unref(cs);
  fx_done(&f);
  assert_int_equal(r->nstatus, 3);
  wes_sink_unref(p.sink);
  rec_free(r);
}

/* A provider's failure message (new_query / access_check reterr) reaches
 * the subscriber's reterr, prefixed with the provider's name, with the
 * code the subscribe call returns and the provider's position; without a
 * message there is still one naming the provider. */
static void test_broker_provider_message_reaches_subscriber(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  wes_error_t err;
  wes_enum_t *en = NULL;
  char longmsg[400];
  const char *q = "SELECT * FROM MyEvent WHERE Value > 2";
  (void)state;
  r = fx_init_one(&f, &p, "SELECT * FROM MyEvent", &cs);
  /* new_query with a message and a position */
  p.newq = WES_E_PROVIDER_NOT_CAPABLE;
  p.newq_msg = "add Value = 1";
  p.newq_line = 1;
  p.newq_col = 30;
  memset(&err, 0x5a, sizeof(err));
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_PROVIDER_NOT_CAPABLE);
  assert_hr_equal(err.code, WES_E_PROVIDER_NOT_CAPABLE);
  assert_string_equal(err.text, "provider 'P': add Value = 1");
  assert_int_equal(err.line, 1);
  assert_int_equal(err.column, 30);
  assert_int_equal(err.sys_error, 0);
  /* the semisynchronous form: the same */
  wes_error_clear(&err);
  assert_hr_equal(enum_err(&f, q, f.user, &en, &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  assert_null(en);
  assert_hr_equal(err.code, WES_E_PROVIDER_NOT_CAPABLE);
  assert_string_equal(err.text, "provider 'P': add Value = 1");
  assert_int_equal(err.column, 30);
  /* a NULL reterr from the subscriber is fine */
  assert_hr_equal(sub(&f, q, f.user, cs), WES_E_PROVIDER_NOT_CAPABLE);
  /* new_query fails without a message: one naming the provider anyway */
  p.newq_msg = NULL;
  p.newq = WES_E_INVALID_QUERY;
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_INVALID_QUERY);
  assert_hr_equal(err.code, WES_E_INVALID_QUERY);
  assert_non_null(strstr(err.text, "provider 'P'"));
  assert_non_null(strstr(err.text, "new_query"));
  assert_non_null(strstr(err.text, "WBEM_E_INVALID_QUERY"));
  assert_int_equal(err.line, 0);
  assert_int_equal(err.column, 0);
  /* a long message is cut, terminated, and keeps the prefix */
  memset(longmsg, 'x', sizeof(longmsg) - 1);
  longmsg[sizeof(longmsg) - 1] = '\0';
  p.newq = WES_E_PROVIDER_NOT_CAPABLE;
  p.newq_msg = longmsg;
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_PROVIDER_NOT_CAPABLE);
  assert_int_equal(strlen(err.text), WES_ERROR_TEXT_LENGTH - 1);
  assert_memory_equal(err.text, "provider 'P': xxx", 17);
  p.newq = WES_S_OK;
  p.newq_msg = NULL;
  /* access_check: a denial with a message */
  p.access = WES_E_ACCESS_DENIED;
  p.access_msg = "only group wheel may watch MyEvent";
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_ACCESS_DENIED);
  assert_hr_equal(err.code, WES_E_ACCESS_DENIED);
  assert_string_equal(err.text,
                      "provider 'P': only group wheel may watch MyEvent");
  wes_error_clear(&err);
  assert_hr_equal(enum_err(&f, q, f.user, &en, &err), WES_E_ACCESS_DENIED);
  assert_string_equal(err.text,
                      "provider 'P': only group wheel may watch MyEvent");
  /* ... without one */
  p.access_msg = NULL;
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_ACCESS_DENIED);
  assert_string_equal(err.text, "provider 'P' denied access to the query");
  /* another access_check failure becomes PROVIDER_FAILURE; the message
   * keeps the provider's own code and text */
  p.access = WES_E_NOT_AVAILABLE;
  p.access_msg = "the user database is unreachable";
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_PROVIDER_FAILURE);
  assert_hr_equal(err.code, WES_E_PROVIDER_FAILURE);
  assert_non_null(strstr(err.text, "provider 'P'"));
  assert_non_null(strstr(err.text, "WBEM_E_NOT_AVAILABLE"));
  assert_non_null(strstr(err.text, "the user database is unreachable"));
  p.access_msg = NULL;
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_PROVIDER_FAILURE);
  assert_non_null(strstr(err.text, "provider 'P'"));
  assert_non_null(strstr(err.text, "access_check"));
  assert_non_null(strstr(err.text, "WBEM_E_NOT_AVAILABLE"));
  /* a message left behind with a success is ignored */
  p.access = WES_S_OK;
  wes_error_clear(&err);
  assert_hr_ok(sub_err(&f, q, f.user, cs, &err));
  assert_hr_equal(err.code, WES_S_OK);
  assert_string_equal(err.text, "");
  /* every call got a valid, cleared reterr */
  assert_true(p.calls > 0);
  assert_int_equal(p.reterr_clean, p.calls);
  assert_int_equal(r->nstatus, 0); /* failed subscribes never reach it */
  fx_done_one(&f, &p, cs, r);
}

/* Several sources cover a subscription: the message names the one that
 * failed (a provider, or a restricted sink's callback table), and any
 * already told get cancel_query. */
static void test_broker_provider_message_names_failing_source(void **state) {
  fx_t f;
  prov_t p1 = {0}, p2 = {0}, sc = {0};
  wes_provider_t *pr1 = NULL, *pr2 = NULL;
  wes_sink_t *cs, *rs = NULL;
  rec_t *r;
  wes_error_t err;
  const char *q = "SELECT * FROM MyEvent";
  const char *rq = "SELECT * FROM MyEvent WHERE Value = 1";
  (void)state;
  fx_init(&f);
  assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "First", &q, 1,
                                            &prov_ops, &p1, &pr1, NULL));
  assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "Second", &q,
                                            1, &prov_ops, &p2, &pr2, NULL));
  r = rec_new(&cs);
  p2.newq = WES_E_PROVIDER_NOT_CAPABLE;
  p2.newq_msg = "name a Value";
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_PROVIDER_NOT_CAPABLE);
  assert_string_equal(err.text, "provider 'Second': name a Value");
  /* whichever provider accepted it first was told it is gone */
  assert_int_equal(p1.ncancelled, p1.nids);
  /* the other way round */
  p2.newq = WES_S_OK;
  p2.newq_msg = NULL;
  p1.access = WES_E_ACCESS_DENIED;
  p1.access_msg = "not for you";
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, q, f.user, cs, &err), WES_E_ACCESS_DENIED);
  assert_string_equal(err.text, "provider 'First': not for you");
  assert_int_equal(p2.ncancelled, p2.nids);
  p1.access = WES_S_OK;
  p1.access_msg = NULL;
  /* a restricted sink's callback table */
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent WHERE Value = 9", f.user, cs));
  assert_non_null(p1.sink);
  assert_hr_ok(
      wes_sink_get_restricted_sink(p1.sink, 1, &rq, &prov_ops, &sc, &rs));
  sc.newq = WES_E_PROVIDER_NOT_CAPABLE;
  sc.newq_msg = "this sink serves Value = 1 only as a test";
  wes_error_clear(&err);
  assert_hr_equal(sub_err(&f, rq, f.user, cs, &err),
                  WES_E_PROVIDER_NOT_CAPABLE);
  assert_string_equal(err.text, "provider 'First' (restricted sink): this "
                                "sink serves Value = 1 only as a test");
  assert_int_equal(sc.reterr_clean, sc.calls);
  wes_sink_unref(rs);
  wes_sink_unref(cs);
  fx_done(&f);
  wes_sink_unref(p1.sink);
  wes_sink_unref(p2.sink);
  wes_sink_unref(sc.sink);
  rec_free(r);
}

typedef struct blog_s {
  char text[512];
  int n;
} blog_t;

static void broker_log(void *data, int level, const char *module,
                       const char *message) {
  blog_t *c = data;
  if (level == WES_LOG_WARNING && strcmp(module, "broker") == 0) {
    snprintf(c->text, sizeof(c->text), "%s", message);
    c->n++;
  }
}

/* No subscriber call waits when a provider refuses an existing
 * subscription (registration after it, RECHECK_SUBSCRIPTIONS): its
 * message goes to the log hook. */
static void test_broker_provider_message_logged_without_caller(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  blog_t lg;
  (void)state;
  memset(&lg, 0, sizeof(lg));
  fx_init(&f);
  r = rec_new(&cs);
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  wes_set_log_hook(broker_log, &lg, WES_LOG_WARNING);
  p.newq = WES_E_PROVIDER_NOT_CAPABLE;
  p.newq_msg = "add a WHERE clause";
  reg(&f, &p, "SELECT * FROM MyEvent");
  assert_int_equal(lg.n, 1);
  assert_non_null(strstr(lg.text, "provider 'P': add a WHERE clause"));
  assert_non_null(strstr(lg.text, "WBEM_E_PROVIDER_NOT_CAPABLE"));
  assert_non_null(strstr(lg.text, "stays subscribed"));
  assert_int_equal(r->nstatus, 0);
  /* recheck: now it accepts, then denies with a message */
  p.newq = WES_S_OK;
  p.newq_msg = NULL;
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_REQUIREMENTS,
                                   WES_REQUIREMENTS_RECHECK_SUBSCRIPTIONS, NULL,
                                   NULL));
  assert_int_equal(lg.n, 1);
  p.access = WES_E_ACCESS_DENIED;
  p.access_msg = "revoked";
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_REQUIREMENTS,
                                   WES_REQUIREMENTS_RECHECK_SUBSCRIPTIONS, NULL,
                                   NULL));
  assert_int_equal(lg.n, 2);
  assert_non_null(strstr(lg.text, "provider 'P': revoked"));
  assert_non_null(strstr(lg.text, "ends"));
  assert_ended(r, WES_E_ACCESS_DENIED);
  wes_set_log_hook(NULL, NULL, WES_LOG_WARNING);
  assert_int_equal(p.reterr_clean, p.calls);
  fx_done_one(&f, &p, cs, r);
}

static void test_broker_provider_registered_after_subscription(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  wes_provider_t *pr;
  (void)state;
  fx_init(&f);
  r = rec_new(&cs);
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  pr = reg(&f, &p, "SELECT * FROM MyEvent");
  assert_int_equal(p.provided, 1);
  assert_int_equal(p.nids, 1);
  indicate1(p.sink, my_event(&f, "a", 1), WES_S_OK);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  assert_hr_ok(wes_broker_unregister_provider(f.b, pr));
  assert_int_equal(p.ncancelled, 1);
  assert_hr_equal(wes_sink_is_active(p.sink), WES_E_CALL_CANCELLED);
  assert_int_equal(r->nstatus, 0); /* the subscription lives on */
  fx_done_one(&f, &p, cs, r);
}

static void test_broker_provider_failure_ends_subscriptions(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  (void)state;
  r = fx_init_one(&f, &p, THING_CREATED, &cs);
  assert_hr_ok(sub(&f, THING_CREATED, f.user, cs));
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_COMPLETE,
                                   WES_E_PROVIDER_FAILURE, NULL, NULL));
  assert_ended(r, WES_E_PROVIDER_FAILURE);
  wes_sink_unref(cs);
  fx_done(&f);
  assert_int_equal(r->nstatus, 1);
  wes_sink_unref(p.sink);
  rec_free(r);
}

/* A provider that fails for good (set_status COMPLETE with an error) ends
 * only the subscriptions no other provider covers, each exactly once; a
 * later subscription that only it would cover fails with
 * WES_E_PROVIDER_FAILURE, not as if no provider existed. */
static void test_broker_provider_failure_partial_cover(void **state) {
  fx_t f;
  prov_t p1 = {0}, p2 = {0};
  wes_provider_t *pr1 = NULL, *pr2 = NULL;
  wes_sink_t *ca, *cb, *cc;
  rec_t *ra, *rb, *rc;
  wes_error_t err;
  const char *q1[2] = {THING_CREATED, PLAIN_CREATED};
  const char *q2 = THING_CREATED;
  (void)state;
  fx_init(&f);
  assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "P1", q1, 2,
                                            &prov_ops, &p1, &pr1, NULL));
  assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "P2", &q2, 1,
                                            &prov_ops, &p2, &pr2, NULL));
  ra = rec_new(&ca);
  rb = rec_new(&cb);
  rc = rec_new(&cc);
  assert_hr_ok(sub(&f, PLAIN_CREATED, f.user, ca)); /* P1 only */
  assert_hr_ok(sub(&f, THING_CREATED, f.user, cb)); /* P1 and P2 */
  assert_int_equal(p1.nids, 2);
  assert_int_equal(p2.nids, 1);
  assert_hr_ok(wes_sink_set_status(p1.sink, WES_STATUS_COMPLETE,
                                   WES_E_PROVIDER_FAILURE, NULL, NULL));
  assert_ended(ra, WES_E_PROVIDER_FAILURE);
  assert_int_equal(rb->nstatus, 0);
  assert_int_equal(p1.ncancelled, 1); /* the ended subscription */
  assert_int_equal(p1.cancelled[0], p1.ids[0]);
  /* a second failure report changes nothing */
  assert_hr_ok(wes_sink_set_status(p1.sink, WES_STATUS_COMPLETE,
                                   WES_E_FAILED, NULL, NULL));
  assert_int_equal(ra->nstatus, 1);
  assert_int_equal(rb->nstatus, 0);
  assert_hr_equal(wes_broker_cancel_async_call(f.b, ca), WES_E_NOT_FOUND);
  /* the other provider still serves the surviving subscription */
  indicate1(p2.sink, creation(&f, "Thing", "t"), WES_S_OK);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(rb->n, 1);
  /* only the failed provider would cover this one */
  memset(&err, 0, sizeof(err));
  assert_hr_equal(sub_err(&f, PLAIN_CREATED, f.user, cc, &err),
                  WES_E_PROVIDER_FAILURE);
  assert_non_null(strstr(err.text, "'P1'"));
  assert_int_equal(rc->nstatus, 0);
  fx_done(&f);
  assert_int_equal(ra->nstatus, 1);
  assert_ended(rb, WES_E_SHUTTING_DOWN);
  drop(ca, ra);
  drop(cb, rb);
  drop(cc, rc);
  wes_sink_unref(p1.sink);
  wes_sink_unref(p2.sink);
}

/* After its provider reported a failure for good, the main sink and its
 * restricted sinks refuse events (WES_E_CALL_CANCELLED) instead of
 * accepting them for nobody; status calls keep working. */
static void test_broker_provider_failure_closes_sinks(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs, *rs = NULL;
  rec_t *r;
  wes_sink_stats_t ss;
  const char *rq = "SELECT * FROM MyEvent WHERE Value = 1";
  (void)state;
  r = fx_init_one(&f, &p, "SELECT * FROM MyEvent", &cs);
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  assert_non_null(p.sink);
  assert_hr_ok(wes_sink_get_restricted_sink(p.sink, 1, &rq, NULL, NULL, &rs));
  indicate1(p.sink, my_event(&f, "a", 1), WES_S_OK);
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_COMPLETE,
                                   WES_E_PROVIDER_FAILURE, NULL, NULL));
  assert_ended(r, WES_E_PROVIDER_FAILURE);
  indicate1(p.sink, my_event(&f, "b", 1), WES_E_CALL_CANCELLED);
  indicate1(rs, my_event(&f, "c", 1), WES_E_CALL_CANCELLED);
  assert_hr_ok(wes_broker_get_sink_stats(p.sink, &ss));
  assert_int_equal(ss.indicated, 1); /* refused events are not counted */
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_PROGRESS, 0, NULL, NULL));
  assert_int_equal(r->nstatus, 1);
  wes_sink_unref(rs);
  fx_done_one(&f, &p, cs, r);
}

/* set_status(COMPLETE, failure) on a restricted sink with a callback
 * table ends, once and with that code, the subscriptions no other live
 * source covers; the others live on; the restricted sink then refuses
 * events and takes no new subscriptions, the main sink keeps working. */
static void
test_broker_restricted_failure_ends_its_subscriptions(void **state) {
  fx_t f;
  prov_t p = {0}, p2 = {0}, sc = {0};
  wes_provider_t *pr2 = NULL;
  wes_sink_t *ca, *cb, *cc, *rs = NULL;
  rec_t *ra, *rb, *rc;
  const char *rq = "SELECT * FROM MyEvent WHERE Value = 1";
  const char *q2 = "SELECT * FROM OtherEvent";
  (void)state;
  fx_init(&f);
  ra = rec_new(&ca);
  rb = rec_new(&cb);
  rc = rec_new(&cc);
  /* subscriptions before the providers: the main provider refuses them,
   * so only the restricted sink serves MyEvent */
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, ca));
  assert_hr_ok(sub(&f, "SELECT * FROM __ExtrinsicEvent", f.user, cb));
  p.access = WES_E_ACCESS_DENIED;
  reg(&f, &p, "SELECT * FROM MyEvent");
  assert_non_null(p.sink);
  assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "P2", &q2, 1,
                                            &prov_ops, &p2, &pr2, NULL));
  assert_non_null(p2.sink); /* covers cb (OtherEvent is an extrinsic) */
  assert_hr_ok(
      wes_sink_get_restricted_sink(p.sink, 1, &rq, &prov_ops, &sc, &rs));
  assert_int_equal(sc.nids, 2); /* told about both */
  assert_hr_ok(
      wes_sink_set_status(rs, WES_STATUS_COMPLETE, WES_E_FAILED, NULL, NULL));
  assert_ended(ra, WES_E_FAILED);
  assert_int_equal(rb->nstatus, 0); /* P2 still covers it */
  /* a second report ends nothing more */
  assert_hr_ok(wes_sink_set_status(rs, WES_STATUS_COMPLETE,
                                   WES_E_PROVIDER_FAILURE, NULL, NULL));
  assert_ended(ra, WES_E_FAILED);
  assert_int_equal(rb->nstatus, 0);
  indicate1(rs, my_event(&f, "x", 1), WES_E_CALL_CANCELLED);
  /* a new overlapping subscription is no longer told to it */
  p.access = WES_S_OK;
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent WHERE Value = 1", f.admin, cc));
  assert_int_equal(sc.nids, 2);
  /* the main sink and the other provider still work */
  indicate1(p.sink, my_event(&f, "y", 1), WES_S_OK);
  {
    wes_object_t *o = NULL;
    assert_hr_ok(wes_object_new_by_name(f.ns, "OtherEvent", &o));
    indicate1(p2.sink, o, WES_S_OK);
  }
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(rb->n, 1); /* from P2 only: P's source is refused */
  assert_int_equal(rc->n, 1);
  assert_int_equal(ra->n, 0);
  wes_sink_unref(rs);
  fx_done(&f);
  assert_int_equal(ra->nstatus, 1);
  assert_ended(rb, WES_E_SHUTTING_DOWN);
  drop(ca, ra);
  drop(cb, rb);
  drop(cc, rc);
  wes_sink_unref(p.sink);
  wes_sink_unref(p2.sink);
}

static void test_broker_provide_events_failure(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  (void)state;
  fx_init(&f);
  p.provide_hr = WES_E_FAILED;
  reg(&f, &p, THING_CREATED);
  r = rec_new(&cs);
  assert_hr_equal(sub(&f, THING_CREATED, f.user, cs), WES_E_PROVIDER_FAILURE);
  /* and again: the provider stays failed, it is not forgotten */
  assert_hr_equal(sub(&f, THING_CREATED, f.user, cs), WES_E_PROVIDER_FAILURE);
  assert_int_equal(p.provided, 1);
  wes_sink_unref(cs);
  fx_done(&f);
  rec_free(r);
}

static void test_broker_projection(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  wes_value_t v;
  (void)state;
  r = fx_init_one(&f, &p, "SELECT * FROM MyEvent", &cs);
  assert_hr_ok(sub(&f, "SELECT Value FROM MyEvent", f.user, cs));
  indicate1(p.sink, my_event(&f, "gone", 3), WES_S_OK);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  assert_int_equal(value_of(r->objs[0]), 3);
  assert_hr_ok(wes_object_get(r->objs[0], "Name", &v));
  assert_true(v.is_null);
  fx_done_one(&f, &p, cs, r);
}

static void test_broker_cancel_inside_callback(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  (void)state;
  r = fx_init_one(&f, &p, "SELECT * FROM MyEvent", &cs);
  r->cancel_b = f.b;
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  {
    wes_sink_stats_t ss;
    wes_sink_set_batching_parameters(p.sink, WES_FLAG_MUST_NOT_BATCH, 0, 0);
    indicate1(p.sink, my_event(&f, "a", 1), WES_S_OK);
    indicate1(p.sink, my_event(&f, "b", 2), WES_S_OK);
    assert_hr_ok(wes_broker_get_sink_stats(p.sink, &ss));
    assert_int_equal(ss.matched, 2);
  }
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(r->cancel_hr);
  assert_int_equal(r->calls, 1); /* the second event never came */
  assert_ended(r, WES_E_CALL_CANCELLED);
  assert_int_equal(r->indicate_after_status, 0);
  wes_sink_unref(cs);
  fx_done(&f);
  assert_int_equal(r->nstatus, 1);
  wes_sink_unref(p.sink);
  rec_free(r);
}

static void test_broker_semisync_enum(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_enum_t *en = NULL;
  wes_object_t *objs[4];
  uint32_t n = 99;
  (void)state;
  fx_init(&f);
  reg(&f, &p, "SELECT * FROM MyEvent");
  assert_hr_equal(wes_broker_exec_notification_query(f.b, "root/cimv2", "WQL",
                                                     "SELECT * FROM MyEvent", 0,
                                                     f.user, &en, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_exec_notification_query(
                      f.b, "root/cimv2", "WQL", "SELECT * FROM MyEvent",
                      WES_FLAG_RETURN_IMMEDIATELY, f.user, &en, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_ok(enum_err(&f, "SELECT * FROM MyEvent", f.user, &en, NULL));
  assert_hr_equal(wes_enum_next(en, WES_NO_WAIT, 1, NULL, &n),
                  WES_E_INVALID_PARAMETER);
  assert_int_equal(n, 99);
  assert_hr_equal(wes_enum_next(en, WES_NO_WAIT, 1, objs, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_ok(wes_enum_next(en, WES_NO_WAIT, 0, objs, &n));
  assert_int_equal(n, 0);
  assert_hr_equal(wes_enum_next(en, WES_NO_WAIT, 1, objs, &n), WES_S_TIMEDOUT);
  assert_int_equal(n, 0);
  indicate1(p.sink, my_event(&f, "a", 1), WES_S_OK);
  indicate1(p.sink, my_event(&f, "b", 2), WES_S_OK);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_equal(wes_enum_next(en, 10, 4, objs, &n), WES_S_TIMEDOUT);
  assert_int_equal(n, 2);
  assert_int_equal(value_of(objs[0]), 1);
  assert_int_equal(value_of(objs[1]), 2);
  wes_object_unref(objs[0]);
  wes_object_unref(objs[1]);
  wes_enum_free(en);
  assert_hr_equal(wes_sink_is_active(p.sink), WES_S_FALSE);
  /* an enumerator whose subscription ended returns S_FALSE */
  assert_hr_ok(wes_broker_exec_notification_query(f.b, "root/cimv2", "WQL",
                                                  "SELECT * FROM MyEvent", 0x30,
                                                  f.user, &en, NULL));
  fx_done(&f);
  f.b = NULL;
  assert_hr_equal(wes_enum_next(en, WES_INFINITE, 1, objs, &n), WES_S_FALSE);
  assert_int_equal(n, 0);
  wes_enum_free(en);
  wes_sink_unref(p.sink);
}

/* An enumerator whose subscription ends with its provider's failure:
 * what already arrived is read first (WBEM_S_FALSE: fewer, ended), then
 * the failure code itself (after a close it is WBEM_S_FALSE, see
 * test_broker_semisync_enum). Bad language and flags fail up front. */
static void test_broker_semisync_failure_code(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_enum_t *en = NULL, *en2 = NULL;
  wes_object_t *objs[4];
  uint32_t n = 0;
  (void)state;
  fx_init(&f);
  reg(&f, &p, "SELECT * FROM MyEvent");
  assert_hr_ok(enum_err(&f, "SELECT * FROM MyEvent", f.user, &en, NULL));
  assert_hr_equal(
      wes_broker_exec_notification_query(
          f.b, "root/cimv2", "SQL", "SELECT * FROM MyEvent",
          WES_FLAG_RETURN_IMMEDIATELY | WES_FLAG_FORWARD_ONLY, f.user, &en2,
          NULL),
      WES_E_INVALID_QUERY_TYPE);
  assert_hr_equal(wes_broker_exec_notification_query(
                      f.b, "root/cimv2", "WQL", "SELECT * FROM MyEvent",
                      WES_FLAG_RETURN_IMMEDIATELY | WES_FLAG_FORWARD_ONLY |
                          WES_FLAG_SEND_STATUS,
                      f.user, &en2, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_null(en2);
  indicate1(p.sink, my_event(&f, "a", 7), WES_S_OK);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_sink_set_status(p.sink, WES_STATUS_COMPLETE,
                                   WES_E_PROVIDER_FAILURE, NULL, NULL));
  assert_hr_equal(wes_enum_next(en, WES_NO_WAIT, 4, objs, &n), WES_S_FALSE);
  assert_int_equal(n, 1);
  assert_int_equal(value_of(objs[0]), 7);
  wes_object_unref(objs[0]);
  assert_hr_equal(wes_enum_next(en, WES_INFINITE, 4, objs, &n),
                  WES_E_PROVIDER_FAILURE);
  assert_int_equal(n, 0);
  wes_enum_free(en);
  fx_done(&f);
  wes_sink_unref(p.sink);
}

static void test_broker_close_semantics(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs, *os = NULL;
  rec_t *r;
  (void)state;
  r = fx_init_one(&f, &p, "SELECT * FROM MyEvent", &cs);
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  assert_hr_ok(
      wes_broker_query_object_sink(f.b, "root/cimv2", 0, f.admin, &os, NULL));
  indicate1(p.sink, my_event(&f, "queued", 1), WES_S_OK);
  assert_hr_ok(wes_broker_close(f.b, NULL, NULL));
  assert_ended(r, WES_E_SHUTTING_DOWN);
  assert_int_equal(r->n, 0); /* queued events are released, not delivered */
  indicate1(p.sink, my_event(&f, "late", 1), WES_E_SHUTTING_DOWN);
  indicate1(os, my_event(&f, "late", 1), WES_E_SHUTTING_DOWN);
  assert_hr_equal(wes_sink_is_active(p.sink), WES_E_SHUTTING_DOWN);
  f.b = NULL;
  wes_sink_unref(os);
  wes_sink_unref(p.sink);
  wes_sink_unref(cs);
  fx_done(&f);
  rec_free(r);
}

static void close_counter(void *data) { (*(int *)data)++; }

static void test_broker_close_callback_manual(void **state) {
  wes_broker_options_t o;
  wes_broker_t *b;
  int n = 0;
  (void)state;
  wes_broker_options_init(&o);
  o.flags = WES_BROKER_MANUAL;
  assert_hr_ok(wes_broker_new(NULL, &o, &b, NULL));
  assert_hr_ok(wes_broker_close(b, close_counter, &n));
  assert_int_equal(n, 1);
}

/* Manual mode: a consumer that closes the broker from its indicate (and
 * advances the clock first, which only moves time from inside). */
typedef struct mcloser_s {
  wes_broker_t *b;
  int close_count; /* the close callback */
  int indicates, statuses, after_status;
  wes_hresult_t status, advance_hr, close_hr, close2_hr;
  uint64_t t0, t1;
} mcloser_t;

static void mcloser_done(void *data) { ((mcloser_t *)data)->close_count++; }

static wes_hresult_t mcloser_indicate(void *data, wes_object_t *const *objs,
                                      size_t n) {
  mcloser_t *c = data;
  wes_clock_t *clk = wes_broker_get_clock(c->b);
  (void)objs;
  (void)n;
  if (c->statuses > 0) {
    c->after_status = 1;
  }
  if (c->indicates++ == 0) {
    c->t0 = wes_clock_now_ms(clk);
    c->advance_hr = wes_broker_advance(c->b, 7); /* no nested delivery */
    c->t1 = wes_clock_now_ms(clk);
    c->close_hr = wes_broker_close(c->b, mcloser_done, c);
    c->close2_hr = wes_broker_close(c->b, mcloser_done, c);
    /* nothing happened yet: the close waits for this callback */
    assert_int_equal(c->statuses, 0);
    assert_int_equal(c->close_count, 0);
  }
  return WES_S_OK;
}

static wes_hresult_t mcloser_status(void *data, int32_t flags, wes_hresult_t hr,
                                    const char *param, wes_object_t *obj) {
  mcloser_t *c = data;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE) {
    c->statuses++;
    c->status = hr;
  }
  return WES_S_OK;
}

static void test_broker_close_inside_advance(void **state) {
  uint64_t adv[2] = {0, 3};
  int k;
  (void)state;
  for (k = 0; k < 2; k++) {
    fx_t f;
    prov_t p = {0};
    mcloser_t c;
    wes_sink_t *cs, *rs;
    rec_t *r;
    int i;
    fx_init(&f);
    memset(&c, 0, sizeof(c));
    c.b = f.b;
    reg(&f, &p, "SELECT * FROM MyEvent");
    assert_hr_ok(
        wes_sink_new_callback(mcloser_indicate, mcloser_status, &c, &cs));
    r = rec_new(&rs);
    assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
    assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, rs));
    assert_hr_ok(wes_sink_set_batching_parameters(
        p.sink, WES_FLAG_MUST_NOT_BATCH, 0, 0));
    for (i = 0; i < 4; i++) {
      indicate1(p.sink, my_event(&f, "e", (uint32_t)i), WES_S_OK);
    }
    /* the advance finishes the close, runs its callback, frees the broker
     * (the provider's sink keeps the object) and says so */
    assert_hr_equal(wes_broker_advance(f.b, adv[k]), WES_E_SHUTTING_DOWN);
    assert_int_equal(c.close_count, 1);
    assert_hr_ok(c.close_hr);
    assert_hr_equal(c.close2_hr, WES_E_SHUTTING_DOWN);
    assert_hr_ok(c.advance_hr);
    assert_int_equal(c.t1, c.t0 + 7);
    assert_int_equal(c.indicates, 1);
    assert_int_equal(c.statuses, 1);
    assert_hr_equal(c.status, WES_E_SHUTTING_DOWN);
    assert_int_equal(c.after_status, 0);
    assert_ended(r, WES_E_SHUTTING_DOWN);
    assert_int_equal(r->indicate_after_status, 0);
    /* delivered in full before the closer's turn, or not at all */
    assert_true(r->n == 0 || r->n == 4);
    assert_int_equal(p.ncancelled, 2);
    assert_hr_equal(wes_broker_advance(f.b, 1), WES_E_SHUTTING_DOWN);
    indicate1(p.sink, my_event(&f, "late", 9), WES_E_SHUTTING_DOWN);
    f.b = NULL;
    fx_done(&f);
    wes_sink_unref(cs);
    wes_sink_unref(rs);
    rec_free(r);
    wes_sink_unref(p.sink); /* frees the broker */
  }
}

/* Manual mode: provide_events closes the broker during the registration
 * that calls it; the registration completes, then the close runs before
 * wes_broker_register_provider returns. */
static wes_broker_t *closing_b;
static int closing_count;

static void closing_done(void *data) {
  (void)data;
  closing_count++;
}

static wes_hresult_t closing_provide(void *data, wes_sink_t *sink,
                                     int32_t flags) {
  wes_hresult_t hr = p_provide(data, sink, flags);
  assert_hr_ok(wes_broker_close(closing_b, closing_done, NULL));
  assert_hr_equal(wes_broker_close(closing_b, closing_done, NULL),
                  WES_E_SHUTTING_DOWN);
  assert_int_equal(closing_count, 0);
  return hr;
}

static const wes_provider_ops_t closing_ops = {WES_PROVIDER_OPS_VERSION_1,
                                               closing_provide, p_new_query,
                                               p_cancel_query, NULL};

static void test_broker_close_inside_register(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *rs;
  rec_t *r;
  wes_provider_t *pr = NULL;
  const char *q = "SELECT * FROM MyEvent";
  (void)state;
  fx_init(&f);
  closing_b = f.b;
  closing_count = 0;
  r = rec_new(&rs);
  assert_hr_ok(sub(&f, q, f.user, rs));
  assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "C", &q, 1,
                                            &closing_ops, &p, &pr, NULL));
  assert_int_equal(closing_count, 1);
  assert_int_equal(p.provided, 1);
  assert_int_equal(p.nids, 1);
  assert_int_equal(p.ncancelled, 1);
  assert_ended(r, WES_E_SHUTTING_DOWN);
  assert_hr_equal(wes_broker_unregister_provider(f.b, pr), WES_E_SHUTTING_DOWN);
  f.b = NULL;
  fx_done(&f);
  wes_sink_unref(rs);
  rec_free(r);
  wes_sink_unref(p.sink); /* frees the broker */
}

/* A provider whose cancel_query cancels a consumer's subscription (the
 * one it is told about): the walk that told it goes on over the other
 * subscriptions (they are all told, none keeps a stale reference to the
 * unregistered provider). */
static wes_broker_t *cq_b;
static wes_sink_t *cq_victim;

static wes_hresult_t cq_cancel_query(void *data, uint32_t id) {
  p_cancel_query(data, id);
  if (cq_victim != NULL) {
    wes_sink_t *v = cq_victim;
    cq_victim = NULL;
    assert_hr_ok(wes_broker_cancel_async_call(cq_b, v));
  }
  return WES_S_OK;
}

static const wes_provider_ops_t cq_ops = {WES_PROVIDER_OPS_VERSION_1,
                                          p_provide, p_new_query,
                                          cq_cancel_query, NULL};

/* ... and one whose new_query does, while registering. */
static wes_hresult_t cq_new_query(void *data, uint32_t id, const char *lang,
                                  const char *q, wes_error_t *reterr) {
  wes_hresult_t hr = p_new_query(data, id, lang, q, reterr);
  if (cq_victim != NULL) {
    wes_sink_t *v = cq_victim;
    cq_victim = NULL;
    assert_hr_ok(wes_broker_cancel_async_call(cq_b, v));
  }
  return hr;
}

static const wes_provider_ops_t cq_reg_ops = {WES_PROVIDER_OPS_VERSION_1,
                                              p_provide, cq_new_query,
                                              p_cancel_query, NULL};

/* After the close: consumer k ended cancelled, the others shut down;
 * each is dropped. */
static void cq_check_ended(rec_t **r, wes_sink_t **cs, int k) {
  int i;
  for (i = 0; i < 3; i++) {
    assert_ended(r[i], i == k ? WES_E_CALL_CANCELLED : WES_E_SHUTTING_DOWN);
    drop(cs[i], r[i]);
  }
}

static void test_broker_cancel_inside_cancel_query(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs[3];
  rec_t *r[3];
  wes_provider_t *pr = NULL;
  const char *q = "SELECT * FROM MyEvent";
  int i, k;
  (void)state;
  for (k = 0; k < 3; k++) {
    fx_init(&f);
    memset(&p, 0, sizeof(p));
    cq_b = f.b;
    assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "Q", &q, 1,
                                              &cq_ops, &p, &pr, NULL));
    for (i = 0; i < 3; i++) {
      r[i] = rec_new(&cs[i]);
      assert_hr_ok(sub(&f, q, f.user, cs[i]));
    }
    /* whichever subscription the walk meets first, cancelled from there */
    cq_victim = cs[k];
    assert_hr_ok(wes_broker_unregister_provider(f.b, pr));
    assert_int_equal(p.ncancelled, 3);
    assert_null(cq_victim);
    for (i = 0; i < 3; i++) {
      assert_int_equal(r[i]->nstatus, i == k ? 1 : 0);
    }
    fx_done(&f); /* ends the others: the provider is not told again */
    assert_int_equal(p.ncancelled, 3);
    cq_check_ended(r, cs, k);
    wes_sink_unref(p.sink);
  }
  /* the registration's walk over existing subscriptions goes on too */
  for (k = 0; k < 3; k++) {
    fx_init(&f);
    memset(&p, 0, sizeof(p));
    cq_b = f.b;
    for (i = 0; i < 3; i++) {
      r[i] = rec_new(&cs[i]);
      assert_hr_ok(sub(&f, q, f.user, cs[i]));
    }
    cq_victim = cs[k];
    assert_hr_ok(wes_broker_register_provider(f.b, "root/cimv2", "Q", &q, 1,
                                              &cq_reg_ops, &p, &pr, NULL));
    assert_null(cq_victim);
    /* the first new_query cancels the victim. The walk goes newest
     * first: the victim (k == 2) was told, then told of its end; else it
     * ended before its turn and was never told. The walk went on. */
    if (k == 2) {
      assert_int_equal(p.nids, 3);
      assert_int_equal(p.ncancelled, 1);
      assert_int_equal(p.cancelled[0], p.ids[0]);
    } else {
      assert_int_equal(p.nids, 2);
      assert_int_equal(p.ncancelled, 0);
    }
    fx_done(&f);
    assert_int_equal(p.ncancelled, p.nids);
    cq_check_ended(r, cs, k);
    wes_sink_unref(p.sink);
  }
}

static void test_broker_query_object_sink(void **state) {
  fx_t f;
  wes_sink_t *os = NULL, *cs;
  rec_t *r;
  (void)state;
  fx_init(&f);
  assert_hr_equal(
      wes_broker_query_object_sink(f.b, "root/cimv2", 0, f.user, &os, NULL),
      WES_E_ACCESS_DENIED);
  assert_hr_equal(
      wes_broker_query_object_sink(f.b, "root/cimv2", 1, f.admin, &os, NULL),
      WES_E_INVALID_PARAMETER);
  assert_hr_equal(
      wes_broker_query_object_sink(f.b, "root/none", 0, f.admin, &os, NULL),
      WES_E_INVALID_NAMESPACE);
  assert_hr_ok(
      wes_broker_query_object_sink(f.b, "root/cimv2", 0, f.admin, &os, NULL));
  r = rec_new(&cs);
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  assert_hr_equal(wes_sink_is_active(os), WES_S_OK);
  indicate1(os, my_event(&f, "x", 5), WES_S_OK);
  /* intrinsic events cannot be published this way */
  indicate1(os, creation(&f, "Thing", "t"), WES_E_INVALID_OBJECT);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  /* a failure reported on it closes it: later events are refused, the
   * subscriptions (not served by it alone) live on */
  assert_hr_ok(
      wes_sink_set_status(os, WES_STATUS_COMPLETE, WES_E_FAILED, NULL, NULL));
  indicate1(os, my_event(&f, "y", 6), WES_E_CALL_CANCELLED);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  assert_int_equal(r->nstatus, 0);
  wes_sink_unref(os);
  wes_sink_unref(cs);
  fx_done(&f);
  rec_free(r);
}

static void test_broker_quota(void **state) {
  fx_t f;
  wes_broker_options_t o;
  wes_sink_t *cs[4];
  rec_t *rs[4];
  wes_error_t err;
  int i;
  (void)state;
  wes_broker_options_init(&o);
  o.flags = WES_BROKER_MANUAL;
  o.temp_subscriptions_per_user = 2;
  o.temp_subscriptions_total = 3;
  fx_init_opts(&f, &o);
  for (i = 0; i < 4; i++) {
    rs[i] = rec_new(&cs[i]);
  }
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs[0]));
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs[1]));
  assert_hr_equal(sub_err(&f, "SELECT * FROM MyEvent", f.user, cs[2], &err),
                  WES_E_QUOTA_VIOLATION);
  assert_non_null(strstr(err.text, "PerUser"));
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.other, cs[2]));
  assert_hr_equal(sub_err(&f, "SELECT * FROM MyEvent", f.admin, cs[3], &err),
                  WES_E_QUOTA_VIOLATION);
  assert_non_null(strstr(err.text, "Total"));
  /* cancelling frees quota */
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs[0]));
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs[3]));
  for (i = 0; i < 4; i++) {
    wes_sink_unref(cs[i]);
  }
  fx_done(&f);
  for (i = 0; i < 4; i++) {
    rec_free(rs[i]);
  }
}

static void test_broker_namespace_security(void **state) {
  fx_t f;
  wes_sink_t *cs;
  rec_t *r;
  wes_sd_t *sd = NULL;
  (void)state;
  fx_init(&f);
  r = rec_new(&cs);
  assert_hr_ok(wes_sd_from_sddl("O:BAG:BAD:(A;;GA;;;BA)", NULL, &sd, NULL));
  assert_hr_ok(wes_broker_set_namespace_security(f.b, "root/cimv2", sd));
  assert_hr_equal(sub(&f, "SELECT * FROM MyEvent", f.user, cs),
                  WES_E_ACCESS_DENIED);
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.admin, cs));
  assert_hr_equal(wes_broker_set_namespace_security(f.b, "root/x", sd),
                  WES_E_INVALID_NAMESPACE);
  wes_sd_unref(sd);
  wes_sink_unref(cs);
  fx_done(&f);
  rec_free(r);
}

static void test_broker_stats(void **state) {
  fx_t f;
  wes_broker_stats_t st;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  (void)state;
  r = fx_init_one(&f, &p, "SELECT * FROM MyEvent", &cs);
  assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs));
  indicate1(p.sink, my_event(&f, "a", 1), WES_S_OK);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_hr_ok(wes_broker_get_stats(f.b, &st));
  assert_int_equal(st.subscriptions, 1);
  assert_int_equal(st.providers, 1);
  assert_int_equal(st.indicated, 1);
  assert_int_equal(st.delivered, 1);
  assert_hr_equal(wes_broker_get_stats(NULL, &st), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_broker_delivery_sequence(NULL), WES_E_INVALID_PARAMETER);
  {
    uint64_t s;
    assert_hr_equal(wes_broker_delivery_sequence(&s), WES_E_INVALID_OPERATION);
  }
  fx_done_one(&f, &p, cs, r);
}

static void test_broker_peer_cases(void **state) {
  fx_t f;
  prov_t p = {0};
  wes_sink_t *cs;
  rec_t *r;
  wes_subscription_stats_t st;
  (void)state;
  fx_init(&f);
  reg(&f, &p,
      "SELECT * FROM __InstanceOperationEvent WHERE TargetInstance ISA "
      "'Thing'");
  r = rec_new(&cs);
  /* wmi-rs: a fractional WITHIN is accepted when a provider covers the
   * query (no polling needed) */
  assert_hr_ok(sub(&f,
                   "SELECT * FROM __InstanceCreationEvent WITHIN 0.1 WHERE "
                   "TargetInstance ISA 'Thing'",
                   f.user, cs));
  /* Wine: the service holds the sink (a second reference) */
  assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs, &st));
  assert_true(st.query_id > 0);
  indicate1(p.sink, creation(&f, "Thing", "w"), WES_S_OK);
  assert_hr_ok(wes_broker_advance(f.b, 0));
  assert_int_equal(r->n, 1);
  /* four system-ish event properties always present on the event */
  {
    wes_value_t v;
    assert_hr_ok(wes_object_get(r->objs[0], "TIME_CREATED", &v));
    assert_false(v.is_null);
  }
  assert_hr_ok(wes_broker_cancel_async_call(f.b, cs));
  assert_int_equal(r->nstatus, 1);
  fx_done_one(&f, &p, cs, r);
}

/* Query ids after the 32-bit counter wrapped: 0 is never given and a
 * live subscription's id is skipped. */
static void test_broker_query_ids_wrap(void **state) {
  fx_t f;
  prov_t p;
  wes_sink_t *cs[4];
  rec_t *r[4];
  wes_subscription_stats_t st;
  uint32_t want[4] = {1, UINT32_MAX - 1, UINT32_MAX, 2};
  int k;
  (void)state;
  memset(&p, 0, sizeof(p));
  fx_init(&f);
  reg(&f, &p, "SELECT * FROM MyEvent");
  for (k = 0; k < 4; k++) {
    r[k] = rec_new(&cs[k]);
    if (k == 1) {
      f.b->next_query_id = UINT32_MAX - 1; /* skip ahead to the wrap */
    }
    assert_hr_ok(sub(&f, "SELECT * FROM MyEvent", f.user, cs[k]));
    assert_hr_ok(wes_broker_get_subscription_stats(f.b, cs[k], &st));
    assert_true(st.query_id == want[k]); /* the 4th: not 0, not 1 (live) */
  }
  for (k = 0; k < 4; k++) {
    wes_sink_unref(cs[k]);
  }
  fx_done(&f);
  wes_sink_unref(p.sink);
  for (k = 0; k < 4; k++) {
    rec_free(r[k]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_broker_query_ids_wrap),
      cmocka_unit_test(test_broker_options_and_new),
      cmocka_unit_test(test_broker_extrinsic_vertical_slice),
      cmocka_unit_test(test_broker_consumer_argument_errors),
      cmocka_unit_test(test_broker_registration_codes),
      cmocka_unit_test(test_broker_intrinsic_isa_index),
      cmocka_unit_test(test_broker_equality_index_many),
      cmocka_unit_test(test_broker_is_active_and_provider_codes),
      cmocka_unit_test(test_broker_provider_message_reaches_subscriber),
      cmocka_unit_test(test_broker_provider_message_names_failing_source),
      cmocka_unit_test(test_broker_provider_message_logged_without_caller),
      cmocka_unit_test(test_broker_provider_registered_after_subscription),
      cmocka_unit_test(test_broker_provider_failure_ends_subscriptions),
      cmocka_unit_test(test_broker_provider_failure_closes_sinks),
      cmocka_unit_test(test_broker_restricted_failure_ends_its_subscriptions),
      cmocka_unit_test(test_broker_provide_events_failure),
      cmocka_unit_test(test_broker_provider_failure_partial_cover),
      cmocka_unit_test(test_broker_projection),
      cmocka_unit_test(test_broker_cancel_inside_callback),
      cmocka_unit_test(test_broker_semisync_enum),
      cmocka_unit_test(test_broker_semisync_failure_code),
      cmocka_unit_test(test_broker_close_semantics),
      cmocka_unit_test(test_broker_close_callback_manual),
      cmocka_unit_test(test_broker_close_inside_advance),
      cmocka_unit_test(test_broker_close_inside_register),
      cmocka_unit_test(test_broker_cancel_inside_cancel_query),
      cmocka_unit_test(test_broker_query_object_sink),
      cmocka_unit_test(test_broker_quota),
      cmocka_unit_test(test_broker_namespace_security),
      cmocka_unit_test(test_broker_stats),
      cmocka_unit_test(test_broker_peer_cases),
  };
  return cmocka_run_group_tests_name("broker", tests, NULL, NULL);
}
