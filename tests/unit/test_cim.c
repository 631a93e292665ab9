/* SPDX-License-Identifier: MIT */
/* cim: types, values, classes, namespaces, system classes, objects
 * (reference/wmi-contract.md sections 10.1-10.3 and 7.4). */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "wes_test.h"

#include "cim/cim_internal.h"

#define ARR WES_CIM_FLAG_ARRAY

static wes_namespace_t *ns_new(void) {
  wes_namespace_t *ns = NULL;
  assert_hr_ok(wes_namespace_new("root/cimv2", &ns));
  assert_non_null(ns);
  return ns;
}

static wes_value_t bool_value(int b) {
  wes_value_t v;
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_BOOLEAN;
  v.u.boolean = b;
  return v;
}

static wes_value_t str_value(const char *s) {
  wes_value_t v;
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_STRING;
  v.u.str = s;
  return v;
}

/* A user class Thing (key Name string, plus one property per type) added
 * to ns, optionally deriving from `super` (a class name in ns). */
static wes_class_t *make_thing(wes_namespace_t *ns, const char *name,
                               const char *super) {
  wes_class_t *cls = NULL;
  const wes_class_t *sup = super ? wes_namespace_get_class(ns, super) : NULL;
  if (super != NULL) {
    assert_non_null(sup);
  }
  assert_hr_ok(wes_class_new(name, sup, &cls));
  if (super == NULL) {
    assert_hr_ok(wes_class_add_property(cls, "Name", WES_CIM_STRING, NULL, 1));
    assert_hr_ok(wes_class_add_property(cls, "S8", WES_CIM_SINT8, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "U8", WES_CIM_UINT8, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "S16", WES_CIM_SINT16, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "U16", WES_CIM_UINT16, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "S32", WES_CIM_SINT32, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "U32", WES_CIM_UINT32, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "S64", WES_CIM_SINT64, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "U64", WES_CIM_UINT64, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "R32", WES_CIM_REAL32, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "R64", WES_CIM_REAL64, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "B", WES_CIM_BOOLEAN, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "C16", WES_CIM_CHAR16, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "DT", WES_CIM_DATETIME, NULL, 0));
    assert_hr_ok(
        wes_class_add_property(cls, "Ref", WES_CIM_REFERENCE, NULL, 0));
    assert_hr_ok(wes_class_add_property(cls, "Obj", WES_CIM_OBJECT, NULL, 0));
    assert_hr_ok(
        wes_class_add_property(cls, "Bytes", WES_CIM_UINT8 | ARR, NULL, 0));
    assert_hr_ok(
        wes_class_add_property(cls, "Strs", WES_CIM_STRING | ARR, NULL, 0));
    assert_hr_ok(
        wes_class_add_property(cls, "Objs", WES_CIM_OBJECT | ARR, NULL, 0));
    assert_hr_ok(
        wes_class_add_property(cls, "NS", WES_CIM_OBJECT, "__Namespace", 0));
  }
  assert_hr_ok(wes_namespace_add_class(ns, cls, NULL));
  wes_class_unref(cls);
  return wes_namespace_get_class(ns, name);
}

static wes_object_t *new_obj(wes_namespace_t *ns, const char *cls) {
  wes_object_t *o = NULL;
  assert_hr_ok(wes_object_new_by_name(ns, cls, &o));
  assert_non_null(o);
  return o;
}

/* ---- types ---- */

static void test_cim_type_names(void **state) {
  static const struct {
    wes_cimtype_t t;
    const char *n;
  } all[] = {{WES_CIM_SINT8, "sint8"},       {WES_CIM_UINT8, "uint8"},
             {WES_CIM_SINT16, "sint16"},     {WES_CIM_UINT16, "uint16"},
             {WES_CIM_SINT32, "sint32"},     {WES_CIM_UINT32, "uint32"},
             {WES_CIM_SINT64, "sint64"},     {WES_CIM_UINT64, "uint64"},
             {WES_CIM_REAL32, "real32"},     {WES_CIM_REAL64, "real64"},
             {WES_CIM_BOOLEAN, "boolean"},   {WES_CIM_STRING, "string"},
             {WES_CIM_DATETIME, "datetime"}, {WES_CIM_REFERENCE, "reference"},
             {WES_CIM_CHAR16, "char16"},     {WES_CIM_OBJECT, "object"}};
  size_t i;
  wes_cimtype_t t;
  (void)state;
  /* exact WMI values */
  assert_int_equal(WES_CIM_SINT8, 16);
  assert_int_equal(WES_CIM_UINT64, 21);
  assert_int_equal(WES_CIM_DATETIME, 101);
  assert_int_equal(WES_CIM_OBJECT, 13);
  for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    assert_string_equal(wes_cimtype_name(all[i].t), all[i].n);
    /* arrays share the element name */
    assert_string_equal(wes_cimtype_name(all[i].t | ARR), all[i].n);
    t = 0;
    assert_hr_ok(wes_cimtype_parse(all[i].n, &t));
    assert_int_equal(t, all[i].t);
  }
  assert_hr_ok(wes_cimtype_parse("UINT32", &t));
  assert_int_equal(t, WES_CIM_UINT32);
  assert_hr_ok(wes_cimtype_parse("ref", &t));
  assert_int_equal(t, WES_CIM_REFERENCE);
  assert_string_equal(wes_cimtype_name(WES_CIM_ILLEGAL), "illegal");
  assert_string_equal(wes_cimtype_name(999), "illegal");
  t = 77;
  assert_hr_equal(wes_cimtype_parse("int", &t), WES_E_INVALID_CIM_TYPE);
  assert_hr_equal(wes_cimtype_parse("", &t), WES_E_INVALID_CIM_TYPE);
  assert_hr_equal(wes_cimtype_parse(NULL, &t), WES_E_INVALID_CIM_TYPE);
  assert_hr_equal(wes_cimtype_parse("uint8", NULL), WES_E_INVALID_CIM_TYPE);
  assert_int_equal(t, 77);
}

static void test_cim_utf8(void **state) {
  (void)state;
  assert_true(wes__utf8_valid("abc", 3));
  assert_true(wes__utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
  assert_false(wes__utf8_valid("\xc0\xaf", 2));         /* overlong */
  assert_false(wes__utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
  assert_false(wes__utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
  assert_false(wes__utf8_valid("\xe2\x82", 2));         /* truncated */
  assert_false(wes__utf8_valid("\x80", 1));
  assert_false(wes__utf8_valid("\xff", 1));
  assert_false(wes__utf8_valid("\xe0\x80\xaf", 3)); /* overlong 3-byte */
}

/* ---- namespaces and system classes ---- */

static void test_cim_namespace_basics(void **state) {
  wes_namespace_t *ns = NULL;
  (void)state;
  assert_hr_equal(wes_namespace_new(NULL, &ns), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_namespace_new("root", NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_namespace_new("", &ns), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_namespace_new("root//x", &ns), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_namespace_new("root/", &ns), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_namespace_new("ro\xffot", &ns), WES_E_INVALID_PARAMETER);
  assert_null(ns);
  ns = ns_new();
  assert_string_equal(wes_namespace_name(ns), "root\\cimv2");
  assert_ptr_equal(wes_namespace_ref(ns), ns);
  assert_null(wes_namespace_unref(ns));
  assert_non_null(wes_namespace_get_class(ns, "__EVENT"));
  assert_non_null(wes_namespace_get_class(ns, "__event"));
  assert_null(wes_namespace_get_class(ns, "NoSuchClass"));
  assert_null(wes_namespace_get_class(ns, NULL));
  assert_null(wes_namespace_get_class(NULL, "__Event"));
  assert_null(wes_namespace_class_at(ns, wes_namespace_class_count(ns)));
  assert_string_equal(wes_class_name(wes_namespace_class_at(ns, 0)),
                      "__SystemClass");
  assert_null(wes_namespace_unref(ns));
  assert_null(wes_namespace_unref(NULL));
}

typedef struct exp_prop_s {
  const char *name;
  wes_cimtype_t type;
  const char *class_ref;
  uint32_t key;
} exp_prop_t;

typedef struct exp_class_s {
  const char *name;
  const char *super;
  int abstract;
  exp_prop_t props[12];
} exp_class_t;

#define EP_END                                                                 \
  { NULL, 0, NULL, 0 }
#define EV_PROPS                                                               \
  {"SECURITY_DESCRIPTOR", WES_CIM_UINT8 | ARR, NULL, 0}, {                     \
    "TIME_CREATED", WES_CIM_UINT64, NULL, 0                                    \
  }
#define DROP_PROPS                                                             \
  EV_PROPS, {"Event", WES_CIM_OBJECT, "__Event", 0}, {                         \
    "IntendedConsumer", WES_CIM_REFERENCE, "__EventConsumer", 0                \
  }

/* Every class of section 10.1 with its full (inherited) property set. */
static const exp_class_t expected_classes[] = {
    {"__SystemClass", NULL, 1, {EP_END}},
    {"__IndicationRelated", "__SystemClass", 1, {EP_END}},
    {"__Event", "__IndicationRelated", 1, {EV_PROPS, EP_END}},
    {"__InstanceOperationEvent",
     "__Event",
     0,
     {EV_PROPS, {"TargetInstance", WES_CIM_OBJECT, NULL, 0}, EP_END}},
    {"__InstanceCreationEvent",
     "__InstanceOperationEvent",
     0,
     {EV_PROPS, {"TargetInstance", WES_CIM_OBJECT, NULL, 0}, EP_END}},
    {"__InstanceModificationEvent",
     "__InstanceOperationEvent",
     0,
     {EV_PROPS,
      {"TargetInstance", WES_CIM_OBJECT, NULL, 0},
      {"PreviousInstance", WES_CIM_OBJECT, NULL, 0},
      EP_END}},
    {"__InstanceDeletionEvent",
     "__InstanceOperationEvent",
     0,
     {EV_PROPS, {"TargetInstance", WES_CIM_OBJECT, NULL, 0}, EP_END}},
    {"__MethodInvocationEvent",
     "__InstanceOperationEvent",
     0,
     {EV_PROPS,
      {"TargetInstance", WES_CIM_OBJECT, NULL, 0},
      {"Method", WES_CIM_STRING, NULL, 0},
      {"Parameters", WES_CIM_OBJECT, "__Parameters", 0},
      {"PreCall", WES_CIM_BOOLEAN, NULL, 0},
      EP_END}},
    {"__ClassOperationEvent",
     "__Event",
     0,
     {EV_PROPS, {"TargetClass", WES_CIM_OBJECT, NULL, 0}, EP_END}},
    {"__ClassCreationEvent",
     "__ClassOperationEvent",
     0,
     {EV_PROPS, {"TargetClass", WES_CIM_OBJECT, NULL, 0}, EP_END}},
    {"__ClassModificationEvent",
     "__ClassOperationEvent",
     0,
     {EV_PROPS,
      {"TargetClass", WES_CIM_OBJECT, NULL, 0},
      {"PreviousClass", WES_CIM_OBJECT, NULL, 0},
      EP_END}},
    {"__ClassDeletionEvent",
     "__ClassOperationEvent",
     0,
     {EV_PROPS, {"TargetClass", WES_CIM_OBJECT, NULL, 0}, EP_END}},
    {"__NamespaceOperationEvent",
     "__Event",
     0,
     {EV_PROPS, {"TargetNamespace", WES_CIM_OBJECT, "__Namespace", 0}, EP_END}},
    {"__NamespaceCreationEvent",
     "__NamespaceOperationEvent",
     0,
     {EV_PROPS, {"TargetNamespace", WES_CIM_OBJECT, "__Namespace", 0}, EP_END}},
    {"__NamespaceModificationEvent",
     "__NamespaceOperationEvent",
     0,
     {EV_PROPS,
      {"TargetNamespace", WES_CIM_OBJECT, "__Namespace", 0},
      {"PreviousNamespace", WES_CIM_OBJECT, "__Namespace", 0},
      EP_END}},
    {"__NamespaceDeletionEvent",
     "__NamespaceOperationEvent",
     0,
     {EV_PROPS, {"TargetNamespace", WES_CIM_OBJECT, "__Namespace", 0}, EP_END}},
    {"__TimerEvent",
     "__Event",
     0,
     {EV_PROPS,
      {"NumFirings", WES_CIM_UINT32, NULL, 0},
      {"TimerId", WES_CIM_STRING, NULL, 0},
      EP_END}},
    {"__ExtrinsicEvent", "__Event", 0, {EV_PROPS, EP_END}},
    {"__SystemEvent", "__ExtrinsicEvent", 0, {EV_PROPS, EP_END}},
    {"__EventDroppedEvent", "__SystemEvent", 0, {DROP_PROPS, EP_END}},
    {"__EventQueueOverflowEvent",
     "__EventDroppedEvent",
     0,
     {DROP_PROPS, {"CurrentQueueSize", WES_CIM_UINT32, NULL, 0}, EP_END}},
    {"__ConsumerFailureEvent",
     "__EventDroppedEvent",
     0,
     {DROP_PROPS,
      {"ErrorCode", WES_CIM_UINT32, NULL, 0},
      {"ErrorDescription", WES_CIM_STRING, NULL, 0},
      {"ErrorObject", WES_CIM_OBJECT, NULL, 0},
      EP_END}},
    {"__AggregateEvent",
     "__IndicationRelated",
     0,
     {{"NumberOfEvents", WES_CIM_UINT32, NULL, 0},
      {"Representative", WES_CIM_OBJECT, NULL, 0},
      EP_END}},
    {"__EventFilter",
     "__IndicationRelated",
     0,
     {{"CreatorSID", WES_CIM_UINT8 | ARR, NULL, 0},
      {"EventAccess", WES_CIM_STRING, NULL, 0},
      {"EventNamespace", WES_CIM_STRING, NULL, 0},
      {"Name", WES_CIM_STRING, NULL, 1},
      {"Query", WES_CIM_STRING, NULL, 0},
      {"QueryLanguage", WES_CIM_STRING, NULL, 0},
      EP_END}},
    {"__EventConsumer",
     "__IndicationRelated",
     1,
     {{"CreatorSID", WES_CIM_UINT8 | ARR, NULL, 0},
      {"MachineName", WES_CIM_STRING, NULL, 0},
      {"MaximumQueueSize", WES_CIM_UINT32, NULL, 0},
      EP_END}},
    {"__FilterToConsumerBinding",
     "__IndicationRelated",
     0,
     {{"Consumer", WES_CIM_REFERENCE, "__EventConsumer", 1},
      {"Filter", WES_CIM_REFERENCE, "__EventFilter", 1},
      {"CreatorSID", WES_CIM_UINT8 | ARR, NULL, 0},
      {"DeliverSynchronously", WES_CIM_BOOLEAN, NULL, 0},
      {"DeliveryQoS", WES_CIM_UINT32, NULL, 0},
      {"MaintainSecurityContext", WES_CIM_BOOLEAN, NULL, 0},
      {"SlowDownProviders", WES_CIM_BOOLEAN, NULL, 0},
      EP_END}},
    {"__EventGenerator", "__IndicationRelated", 1, {EP_END}},
    {"__TimerInstruction",
     "__EventGenerator",
     1,
     {{"SkipIfPassed", WES_CIM_BOOLEAN, NULL, 0},
      {"TimerId", WES_CIM_STRING, NULL, 1},
      EP_END}},
    {"__AbsoluteTimerInstruction",
     "__TimerInstruction",
     0,
     {{"SkipIfPassed", WES_CIM_BOOLEAN, NULL, 0},
      {"TimerId", WES_CIM_STRING, NULL, 1},
      {"EventDateTime", WES_CIM_DATETIME, NULL, 0},
      EP_END}},
    {"__IntervalTimerInstruction",
     "__TimerInstruction",
     0,
     {{"SkipIfPassed", WES_CIM_BOOLEAN, NULL, 0},
      {"TimerId", WES_CIM_STRING, NULL, 1},
      {"IntervalBetweenEvents", WES_CIM_UINT32, NULL, 0},
      EP_END}},
    {"__TimerNextFiring", NULL, 0, {EP_END}},
    {"__Namespace",
     "__SystemClass",
     0,
     {{"Name", WES_CIM_STRING, NULL, 1}, EP_END}},
    {"__Parameters", "__SystemClass", 0, {EP_END}},
    {"__NotifyStatus",
     "__SystemClass",
     0,
     {{"StatusCode", WES_CIM_UINT32, NULL, 0}, EP_END}},
    {"__ExtendedStatus",
     "__NotifyStatus",
     0,
     {{"StatusCode", WES_CIM_UINT32, NULL, 0},
      {"Description", WES_CIM_STRING, NULL, 0},
      {"Operation", WES_CIM_STRING, NULL, 0},
      {"ParameterInfo", WES_CIM_STRING, NULL, 0},
      {"ProviderName", WES_CIM_STRING, NULL, 0},
      EP_END}},
};

static void test_cim_system_classes(void **state) {
  wes_namespace_t *ns = ns_new();
  size_t i, j;
  (void)state;
  assert_int_equal(wes_namespace_class_count(ns),
                   sizeof(expected_classes) / sizeof(expected_classes[0]));
  for (i = 0; i < sizeof(expected_classes) / sizeof(expected_classes[0]); i++) {
    const exp_class_t *e = &expected_classes[i];
    const wes_class_t *cls = wes_namespace_get_class(ns, e->name);
    const wes_class_t *sup;
    size_t n = 0;
    wes_object_t *o = NULL;
    if (cls == NULL) {
      fail_msg("system class %s missing", e->name);
    }
    assert_string_equal(wes_class_name(cls), e->name);
    sup = wes_class_superclass(cls);
    if (e->super == NULL) {
      assert_null(sup);
    } else {
      assert_non_null(sup);
      assert_string_equal(wes_class_name(sup), e->super);
    }
    assert_true(wes_class_flags(cls) & WES_CLASS_SYSTEM);
    if (((wes_class_flags(cls) & WES_CLASS_ABSTRACT) != 0) !=
        (e->abstract != 0)) {
      fail_msg("%s: abstract flag wrong", e->name);
    }
    assert_ptr_equal(wes_class_namespace(cls), ns);
    for (j = 0; e->props[j].name != NULL; j++) {
      wes_property_info_t info;
      const exp_prop_t *ep = &e->props[j];
      if (WES_FAILED(wes_class_property(cls, ep->name, &info))) {
        fail_msg("%s.%s missing", e->name, ep->name);
      }
      assert_string_equal(info.name, ep->name);
      if (info.type != ep->type) {
        fail_msg("%s.%s: type %u, expected %u", e->name, ep->name,
                 (unsigned)info.type, (unsigned)ep->type);
      }
      if (ep->class_ref == NULL) {
        assert_null(info.class_ref);
      } else {
        assert_non_null(info.class_ref);
        assert_string_equal(info.class_ref, ep->class_ref);
      }
      assert_int_equal((info.flags & WES_PROP_KEY) != 0, ep->key != 0);
      n++;
    }
    if (wes_class_property_count(cls) != n) {
      fail_msg("%s: %zu properties, expected %zu", e->name,
               wes_class_property_count(cls), n);
    }
    if (e->abstract) {
      assert_hr_equal(wes_object_new(cls, &o), WES_E_INVALID_OPERATION);
      assert_null(o);
    } else {
      assert_hr_ok(wes_object_new(cls, &o));
      wes_object_unref(o);
    }
  }
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_system_defaults_qualifiers(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *o;
  wes_value_t v;
  int b = 7;
  static const uint8_t sid[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
  (void)state;
  o = new_obj(ns, "__IntervalTimerInstruction");
  assert_hr_equal(wes_object_get_boolean(o, "SkipIfPassed", &b), WES_S_OK);
  assert_int_equal(b, 0);
  wes_object_unref(o);
  o = new_obj(ns, "__FilterToConsumerBinding");
  b = 7;
  assert_hr_equal(wes_object_get_boolean(o, "DeliverSynchronously", &b),
                  WES_S_OK);
  assert_int_equal(b, 0);
  assert_hr_equal(wes_object_get_boolean(o, "SlowDownProviders", &b), WES_S_OK);
  assert_hr_ok(wes_object_get(o, "DeliveryQoS", &v));
  assert_true(v.is_null);
  wes_object_unref(o);
  o = new_obj(ns, "__EventFilter");
  assert_hr_ok(wes_object_get(o, "CreatorSID", &v));
  assert_int_equal(v.type, WES_CIM_UINT8 | ARR);
  assert_false(v.is_null);
  assert_int_equal(v.u.array.count, sizeof(sid));
  assert_memory_equal(v.u.array.data, sid, sizeof(sid));
  wes_object_unref(o);
  /* qualifiers */
  assert_hr_ok(wes_class_get_qualifier(wes_namespace_get_class(ns, "__Event"),
                                       NULL, "ABSTRACT", &v));
  assert_int_equal(v.type, WES_CIM_BOOLEAN);
  assert_true(v.u.boolean);
  assert_hr_ok(wes_class_get_qualifier(
      wes_namespace_get_class(ns, "__EventFilter"), "Name", "key", &v));
  assert_true(v.u.boolean);
  assert_hr_ok(wes_class_get_qualifier(
      wes_namespace_get_class(ns, "__NamespaceOperationEvent"),
      "TargetNamespace", "CIMTYPE", &v));
  assert_string_equal(v.u.str, "object:__Namespace");
  assert_hr_ok(wes_class_get_qualifier(
      wes_namespace_get_class(ns, "__EventDroppedEvent"), "IntendedConsumer",
      "CIMTYPE", &v));
  assert_string_equal(v.u.str, "ref:__EventConsumer");
  /* abstract is not inherited: __InstanceOperationEvent is concrete */
  assert_hr_equal(wes_class_get_qualifier(
                      wes_namespace_get_class(ns, "__InstanceOperationEvent"),
                      NULL, "abstract", &v),
                  WES_E_NOT_FOUND);
  assert_hr_equal(
      wes_class_get_qualifier(wes_namespace_get_class(ns, "__EventFilter"),
                              "Nope", "key", &v),
      WES_E_NOT_FOUND);
  assert_hr_equal(wes_class_get_qualifier(NULL, NULL, "key", &v),
                  WES_E_INVALID_PARAMETER);
  assert_null(wes_namespace_unref(ns));
}

/* ---- system properties ---- */

static void test_cim_event_system_properties(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *ev = new_obj(ns, "__InstanceCreationEvent");
  wes_value_t v;
  int32_t i32 = 0;
  const char **names;
  const char *s = NULL;
  (void)state;
  assert_hr_ok(wes_object_get(ev, "__CLASS", &v));
  assert_string_equal(v.u.str, "__InstanceCreationEvent");
  assert_hr_ok(wes_object_get_string(ev, "__superclass", &s));
  assert_string_equal(s, "__InstanceOperationEvent");
  assert_hr_ok(wes_object_get_string(ev, "__DYNASTY", &s));
  assert_string_equal(s, "__SystemClass");
  assert_hr_ok(wes_object_get(ev, "__DERIVATION", &v));
  assert_int_equal(v.type, WES_CIM_STRING | ARR);
  assert_int_equal(v.u.array.count, 4);
  names = (const char **)v.u.array.data;
  assert_string_equal(names[0], "__InstanceOperationEvent");
  assert_string_equal(names[1], "__Event");
  assert_string_equal(names[2], "__IndicationRelated");
  assert_string_equal(names[3], "__SystemClass");
  assert_hr_ok(wes_object_get_sint32(ev, "__GENUS", &i32));
  assert_int_equal(i32, 2);
  assert_hr_ok(wes_object_get_sint32(ev, "__PROPERTY_COUNT", &i32));
  assert_int_equal(i32, 3);
  /* event instances: these are NULL as WMI delivers them */
  assert_hr_equal(wes_object_get_string(ev, "__NAMESPACE", &s), WES_S_FALSE);
  assert_hr_equal(wes_object_get_string(ev, "__PATH", &s), WES_S_FALSE);
  assert_hr_equal(wes_object_get_string(ev, "__RELPATH", &s), WES_S_FALSE);
  assert_hr_equal(wes_object_get_string(ev, "__SERVER", &s), WES_S_FALSE);
  assert_hr_equal(wes_object_get(ev, "__NOPE", &v), WES_E_NOT_FOUND);
  assert_hr_equal(wes_object_get_uint32(ev, "__GENUS", NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_get_uint32(ev, "__GENUS", (uint32_t *)&i32),
                  WES_E_TYPE_MISMATCH);
  /* system properties cannot be set */
  assert_hr_equal(wes_object_set_string(ev, "__CLASS", "x"),
                  WES_E_SYSTEM_PROPERTY);
  assert_hr_equal(wes_object_set_null(ev, "__PATH"), WES_E_SYSTEM_PROPERTY);
  assert_true(wes_object_isa(ev, "__event"));
  assert_true(wes_object_isa(ev, "__InstanceCreationEvent"));
  assert_false(wes_object_isa(ev, "__InstanceDeletionEvent"));
  assert_false(wes_object_isa(ev, NULL));
  assert_false(wes_object_isa(NULL, "__Event"));
  wes_object_unref(ev);
  /* the aggregate event is delivered like an event: paths NULL */
  ev = new_obj(ns, "__AggregateEvent");
  assert_hr_equal(wes_object_get_string(ev, "__PATH", &s), WES_S_FALSE);
  wes_object_unref(ev);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_paths(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *o;
  wes_class_t *cls = NULL;
  const char *s = NULL;
  char expect[512];
  int32_t i32;
  (void)state;
  /* single key with escapes */
  o = new_obj(ns, "__EventFilter");
  assert_hr_equal(wes_object_get_string(o, "__RELPATH", &s), WES_S_FALSE);
  assert_hr_ok(wes_object_set_string(o, "Name", "a\"b\\c"));
  assert_hr_ok(wes_object_get_string(o, "__RELPATH", &s));
  assert_string_equal(s, "__EventFilter.Name=\"a\\\"b\\\\c\"");
  assert_hr_ok(wes_object_get_string(o, "__PATH", &s));
  snprintf(expect, sizeof(expect),
           "\\\\%s\\root\\cimv2:__EventFilter.Name=\"a\\\"b\\\\c\"",
           wes__cim_server_name());
  assert_string_equal(s, expect);
  assert_hr_ok(wes_object_get_string(o, "__NAMESPACE", &s));
  assert_string_equal(s, "root\\cimv2");
  assert_hr_ok(wes_object_get_string(o, "__SERVER", &s));
  assert_string_equal(s, wes__cim_server_name());
  assert_hr_ok(wes_object_get_sint32(o, "__PROPERTY_COUNT", &i32));
  assert_int_equal(i32, 6);
  /* changing the key changes the path */
  assert_hr_ok(wes_object_set_string(o, "Name", "f1"));
  assert_hr_ok(wes_object_get_string(o, "__RELPATH", &s));
  assert_string_equal(s, "__EventFilter.Name=\"f1\"");
  wes_object_unref(o);
  /* two keys in name order */
  o = new_obj(ns, "__FilterToConsumerBinding");
  assert_hr_ok(
      wes_object_set_reference(o, "Filter", "__EventFilter.Name=\"f1\""));
  assert_hr_ok(wes_object_set_reference(o, "Consumer",
                                        "LogFileEventConsumer.Name=\"c\""));
  assert_hr_ok(wes_object_get_string(o, "__RELPATH", &s));
  assert_string_equal(s, "__FilterToConsumerBinding.Consumer="
                         "\"LogFileEventConsumer.Name=\\\"c\\\"\","
                         "Filter=\"__EventFilter.Name=\\\"f1\\\"\"");
  wes_object_unref(o);
  /* no key: Class=@ */
  o = new_obj(ns, "__NotifyStatus");
  assert_hr_ok(wes_object_get_string(o, "__RELPATH", &s));
  assert_string_equal(s, "__NotifyStatus=@");
  wes_object_unref(o);
  /* singleton, integer and boolean keys */
  assert_hr_ok(wes_class_new("Single", NULL, &cls));
  {
    wes_value_t t = bool_value(1);
    assert_hr_ok(wes_class_set_qualifier(cls, NULL, "singleton", &t));
  }
  assert_hr_ok(
      wes_class_add_property(cls, "Id", WES_CIM_UINT32, NULL, WES_PROP_KEY));
  assert_hr_ok(wes_namespace_add_class(ns, cls, NULL));
  wes_class_unref(cls);
  o = new_obj(ns, "Single");
  assert_hr_ok(wes_object_get_string(o, "__RELPATH", &s));
  assert_string_equal(s, "Single=@");
  wes_object_unref(o);
  assert_hr_ok(wes_class_new("Multi", NULL, &cls));
  assert_hr_ok(
      wes_class_add_property(cls, "Zed", WES_CIM_SINT32, NULL, WES_PROP_KEY));
  assert_hr_ok(wes_class_add_property(cls, "alpha", WES_CIM_BOOLEAN, NULL,
                                      WES_PROP_KEY));
  assert_hr_ok(wes_namespace_add_class(ns, cls, NULL));
  wes_class_unref(cls);
  o = new_obj(ns, "Multi");
  assert_hr_ok(wes_object_set_sint32(o, "Zed", -5));
  assert_hr_ok(wes_object_set_boolean(o, "alpha", 1));
  assert_hr_ok(wes_object_get_string(o, "__RELPATH", &s));
  assert_string_equal(s, "Multi.alpha=TRUE,Zed=-5");
  /* a frozen object computes and caches the same text */
  wes_object_freeze(o);
  assert_hr_ok(wes_object_get_string(o, "__RELPATH", &s));
  assert_string_equal(s, "Multi.alpha=TRUE,Zed=-5");
  wes_object_unref(o);
  assert_null(wes_namespace_unref(ns));
}

/* ---- classes ---- */

static void test_cim_class_errors(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_class_t *cls = NULL, *sub = NULL, *other = NULL;
  char longname[300];
  wes_value_t v;
  (void)state;
  memset(longname, 'a', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  assert_hr_equal(wes_class_new(NULL, NULL, &cls), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_new("X", NULL, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_new("", NULL, &cls), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_new("9x", NULL, &cls), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_new("a b", NULL, &cls), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_new("__Mine", NULL, &cls), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_new("bad\xc3", NULL, &cls),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_new(longname, NULL, &cls),
                  WES_E_CLASS_NAME_TOO_WIDE);
  assert_null(cls);
  assert_hr_ok(wes_class_new("Base", NULL, &cls));
  /* superclass must be in a namespace */
  assert_hr_equal(wes_class_new("Sub", cls, &sub), WES_E_INVALID_SUPERCLASS);
  /* add_property errors */
  assert_hr_equal(wes_class_add_property(NULL, "P", WES_CIM_UINT8, NULL, 0),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_add_property(cls, NULL, WES_CIM_UINT8, NULL, 0),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_add_property(cls, "_P", WES_CIM_UINT8, NULL, 0),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_add_property(cls, "P-1", WES_CIM_UINT8, NULL, 0),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_add_property(cls, longname, WES_CIM_UINT8, NULL, 0),
                  WES_E_PROPERTY_NAME_TOO_WIDE);
  assert_hr_equal(wes_class_add_property(cls, "P", 99, NULL, 0),
                  WES_E_INVALID_CIM_TYPE);
  assert_hr_equal(wes_class_add_property(cls, "P", WES_CIM_EMPTY, NULL, 0),
                  WES_E_INVALID_CIM_TYPE);
  assert_hr_equal(wes_class_add_property(cls, "P", WES_CIM_ILLEGAL, NULL, 0),
                  WES_E_INVALID_CIM_TYPE);
  assert_hr_equal(wes_class_add_property(cls, "P", WES_CIM_STRING, "Base", 0),
                  WES_E_INVALID_CIM_TYPE);
  assert_hr_equal(
      wes_class_add_property(cls, "P", WES_CIM_OBJECT, NULL, WES_PROP_KEY),
      WES_E_CANNOT_BE_KEY);
  assert_hr_ok(wes_class_add_property(cls, "P", WES_CIM_UINT8, NULL, 0));
  assert_hr_equal(wes_class_add_property(cls, "p", WES_CIM_UINT8, NULL, 0),
                  WES_E_ALREADY_EXISTS);
  assert_hr_ok(wes_class_add_property(cls, "Q", WES_CIM_STRING, NULL, 0));
  /* defaults */
  v = str_value("x");
  assert_hr_equal(wes_class_set_default(cls, "P", &v), WES_E_TYPE_MISMATCH);
  assert_hr_equal(wes_class_set_default(cls, "Nope", &v), WES_E_NOT_FOUND);
  assert_hr_equal(wes_class_set_default(cls, NULL, &v),
                  WES_E_INVALID_PARAMETER);
  assert_hr_ok(wes_class_set_default(cls, "Q", &v));
  v = str_value("\xff");
  assert_hr_equal(wes_class_set_default(cls, "Q", &v), WES_E_INVALID_PARAMETER);
  /* qualifiers */
  v = str_value("yes");
  assert_hr_equal(wes_class_set_qualifier(cls, "P", "key", &v),
                  WES_E_INVALID_QUALIFIER_TYPE);
  assert_hr_equal(wes_class_set_qualifier(cls, NULL, "abstract", &v),
                  WES_E_INVALID_QUALIFIER_TYPE);
  assert_hr_equal(wes_class_set_qualifier(cls, "Nope", "key", &v),
                  WES_E_NOT_FOUND);
  assert_hr_equal(wes_class_set_qualifier(cls, "P", NULL, &v),
                  WES_E_INVALID_PARAMETER);
  v = str_value("object:Base");
  assert_hr_equal(wes_class_set_qualifier(cls, "P", "CIMTYPE", &v),
                  WES_E_TYPE_MISMATCH);
  v = str_value("uint8");
  assert_hr_ok(wes_class_set_qualifier(cls, "P", "CIMTYPE", &v));
  v = str_value("Description text");
  assert_hr_ok(wes_class_set_qualifier(cls, NULL, "Description", &v));
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_OBJECT;
  v.is_null = 1;
  assert_hr_equal(wes_class_set_qualifier(cls, NULL, "Q", &v),
                  WES_E_INVALID_QUALIFIER_TYPE);
  assert_hr_ok(wes_namespace_add_class(ns, cls, NULL));
  /* frozen */
  assert_hr_equal(wes_class_add_property(cls, "R", WES_CIM_UINT8, NULL, 0),
                  WES_E_READ_ONLY);
  v = str_value("y");
  assert_hr_equal(wes_class_set_default(cls, "Q", &v), WES_E_READ_ONLY);
  assert_hr_equal(wes_class_set_qualifier(cls, NULL, "X", &v), WES_E_READ_ONLY);
  /* namespace errors */
  assert_hr_equal(wes_namespace_add_class(ns, cls, NULL),
                  WES_E_INVALID_OPERATION);
  assert_hr_ok(wes_class_new("BASE", NULL, &other));
  {
    wes_error_t err;
    wes_error_clear(&err);
    assert_hr_equal(wes_namespace_add_class(ns, other, &err),
                    WES_E_ALREADY_EXISTS);
    assert_hr_equal(err.code, WES_E_ALREADY_EXISTS);
    assert_true(strlen(err.text) > 0);
  }
  assert_hr_equal(wes_namespace_add_class(NULL, other, NULL),
                  WES_E_INVALID_PARAMETER);
  wes_class_unref(other);
  {
    wes_namespace_t *ns2 = NULL;
    assert_hr_ok(wes_namespace_new("root/other", &ns2));
    assert_hr_ok(wes_class_new("Sub", cls, &sub));
    assert_hr_equal(wes_namespace_add_class(ns2, sub, NULL),
                    WES_E_INVALID_SUPERCLASS);
    wes_namespace_unref(ns2);
  }
  /* override with another type */
  assert_hr_equal(wes_class_add_property(sub, "P", WES_CIM_UINT16, NULL, 0),
                  WES_E_TYPE_MISMATCH);
  wes_class_unref(sub);
  wes_class_unref(cls);
  /* qualifier / object get errors */
  assert_hr_equal(wes_class_property(NULL, "P", NULL), WES_E_INVALID_PARAMETER);
  assert_null(wes_class_name(NULL));
  assert_int_equal(wes_class_flags(NULL), 0);
  assert_null(wes_class_unref(NULL));
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_class_too_many_properties(void **state) {
  wes_class_t *cls = NULL;
  char name[32];
  int i;
  (void)state;
  assert_hr_ok(wes_class_new("Big", NULL, &cls));
  for (i = 0; i < WES_MAX_USER_PROPERTIES; i++) {
    snprintf(name, sizeof(name), "P%d", i);
    assert_hr_ok(wes_class_add_property(cls, name, WES_CIM_UINT32, NULL, 0));
  }
  assert_hr_equal(wes_class_add_property(cls, "Last", WES_CIM_UINT32, NULL, 0),
                  WES_E_TOO_MANY_PROPERTIES);
  assert_int_equal(wes_class_property_count(cls), WES_MAX_USER_PROPERTIES);
  /* every name still found */
  for (i = 0; i < WES_MAX_USER_PROPERTIES; i += 97) {
    wes_property_info_t info;
    snprintf(name, sizeof(name), "p%d", i);
    assert_hr_ok(wes_class_property(cls, name, &info));
    assert_int_equal(info.index, (uint32_t)i);
  }
  wes_class_unref(cls);
}

static void test_cim_inheritance(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_class_t *base = NULL, *sub = NULL;
  const wes_class_t *b, *s, *ev;
  wes_property_info_t info;
  wes_prop_handle_t hb, hs;
  wes_object_t *o;
  wes_value_t v;
  uint32_t u = 0;
  (void)state;
  assert_hr_ok(wes_class_new(
      "MyEvent", wes_namespace_get_class(ns, "__ExtrinsicEvent"), &base));
  assert_int_equal(wes_class_property_count(base), 2);
  assert_hr_ok(
      wes_class_add_property(base, "Building", WES_CIM_STRING, NULL, 0));
  assert_hr_ok(
      wes_class_add_property(base, "Entrance", WES_CIM_UINT32, NULL, 0));
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_UINT32;
  v.u.uint = 7;
  assert_hr_ok(wes_class_set_default(base, "Entrance", &v));
  assert_hr_ok(wes_namespace_add_class(ns, base, NULL));
  assert_false(wes_class_flags(base) & WES_CLASS_SYSTEM);
  assert_hr_ok(wes_class_new("MySubEvent", base, &sub));
  /* override: same slot, new default, adds key */
  assert_hr_ok(wes_class_add_property(sub, "entrance", WES_CIM_UINT32, NULL,
                                      WES_PROP_KEY));
  v.u.uint = 9;
  assert_hr_ok(wes_class_set_default(sub, "Entrance", &v));
  assert_hr_ok(wes_class_add_property(sub, "Extra", WES_CIM_SINT64, NULL, 0));
  assert_hr_ok(wes_namespace_add_class(ns, sub, NULL));
  b = base;
  s = sub;
  ev = wes_namespace_get_class(ns, "__Event");
  assert_true(wes_class_is_a(s, b));
  assert_true(wes_class_is_a(s, ev));
  assert_true(wes_class_is_a(b, b));
  assert_false(wes_class_is_a(b, s));
  assert_false(wes_class_is_a(NULL, b));
  assert_true(wes_class_derives_from(s, "__indicationrelated"));
  assert_false(wes_class_derives_from(b, "MySubEvent"));
  assert_hr_ok(wes_class_property(s, "Entrance", &info));
  assert_int_equal(info.index, 3);
  assert_string_equal(info.origin, "MyEvent");
  assert_true(info.flags & WES_PROP_KEY);
  assert_false(info.flags & WES_PROP_INHERITED);
  assert_hr_ok(wes_class_property(s, "Building", &info));
  assert_true(info.flags & WES_PROP_INHERITED);
  assert_hr_ok(wes_class_property(b, "Entrance", &info));
  assert_false(info.flags & WES_PROP_KEY);
  assert_hr_ok(wes_class_property_at(s, 0, &info));
  assert_string_equal(info.name, "SECURITY_DESCRIPTOR");
  assert_string_equal(info.origin, "__Event");
  assert_hr_ok(wes_class_property_at(s, 4, &info));
  assert_string_equal(info.name, "Extra");
  assert_hr_equal(wes_class_property_at(s, 5, &info), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_property(s, "Nope", &info), WES_E_NOT_FOUND);
  /* defaults per class */
  o = new_obj(ns, "MyEvent");
  assert_hr_ok(wes_object_get_uint32(o, "Entrance", &u));
  assert_int_equal(u, 7);
  wes_object_unref(o);
  o = new_obj(ns, "MySubEvent");
  assert_hr_ok(wes_object_get_uint32(o, "Entrance", &u));
  assert_int_equal(u, 9);
  /* handles: base handle works on subclass instances */
  assert_hr_ok(wes_class_get_handle(b, "entrance", &hb));
  assert_hr_ok(wes_class_get_handle(s, "Extra", &hs));
  assert_hr_equal(wes_class_get_handle(s, "Nope", &hs), WES_E_NOT_FOUND);
  assert_hr_equal(wes_class_get_handle(NULL, "Extra", &hs),
                  WES_E_INVALID_PARAMETER);
  v.u.uint = 11;
  assert_hr_ok(wes_object_set_by_handle(o, &hb, &v));
  assert_hr_ok(wes_object_get_uint32(o, "Entrance", &u));
  assert_int_equal(u, 11);
  memset(&v, 0, sizeof(v));
  assert_hr_ok(wes_object_get_by_handle(o, &hb, &v));
  assert_int_equal(v.u.uint, 11);
  v.type = WES_CIM_STRING;
  v.u.str = "x";
  assert_hr_equal(wes_object_set_by_handle(o, &hb, &v), WES_E_TYPE_MISMATCH);
  wes_object_unref(o);
  /* a subclass handle on a base instance, or an unrelated class: refused */
  o = new_obj(ns, "MyEvent");
  assert_hr_equal(wes_object_get_by_handle(o, &hs, &v),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_set_by_handle(o, &hs, &v),
                  WES_E_INVALID_PARAMETER);
  wes_object_unref(o);
  o = new_obj(ns, "__EventFilter");
  assert_hr_equal(wes_object_get_by_handle(o, &hb, &v),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_get_by_handle(o, NULL, &v),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_get_by_handle(o, &hb, NULL),
                  WES_E_INVALID_PARAMETER);
  wes_object_unref(o);
  wes_class_unref(sub);
  wes_class_unref(base);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_namespace_remove(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_class_t *a = NULL, *b = NULL;
  size_t n = wes_namespace_class_count(ns);
  (void)state;
  assert_hr_ok(wes_class_new("A", NULL, &a));
  assert_hr_ok(wes_namespace_add_class(ns, a, NULL));
  assert_hr_ok(wes_class_new("B", a, &b));
  assert_hr_ok(wes_namespace_add_class(ns, b, NULL));
  assert_int_equal(wes_namespace_class_count(ns), n + 2);
  assert_hr_equal(wes__namespace_remove_class(ns, a), WES_E_CLASS_HAS_CHILDREN);
  assert_hr_ok(wes__namespace_remove_class(ns, b));
  assert_hr_equal(wes__namespace_remove_class(ns, b), WES_E_NOT_FOUND);
  assert_null(wes_namespace_get_class(ns, "B"));
  assert_null(wes_class_namespace(b));
  assert_hr_ok(wes__namespace_remove_class(ns, a));
  assert_int_equal(wes_namespace_class_count(ns), n);
  assert_hr_equal(wes__namespace_remove_class(NULL, a),
                  WES_E_INVALID_PARAMETER);
  wes_class_unref(b);
  wes_class_unref(a);
  assert_null(wes_namespace_unref(ns));
}

/* ---- objects ---- */

static void test_cim_object_typed(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *o;
  int8_t s8;
  uint8_t u8;
  int16_t s16;
  uint16_t u16, c16;
  int32_t s32;
  uint32_t u32;
  int64_t s64;
  uint64_t u64;
  float r32;
  double r64;
  int b;
  const char *s;
  wes_value_t v;
  (void)state;
  make_thing(ns, "Thing", NULL);
  o = new_obj(ns, "Thing");
  /* everything starts NULL: S_FALSE, out untouched */
  u32 = 42;
  assert_hr_equal(wes_object_get_uint32(o, "U32", &u32), WES_S_FALSE);
  assert_int_equal(u32, 42);
  assert_hr_ok(wes_object_set_sint8(o, "S8", -128));
  assert_hr_ok(wes_object_set_uint8(o, "U8", 255));
  assert_hr_ok(wes_object_set_sint16(o, "S16", -32768));
  assert_hr_ok(wes_object_set_uint16(o, "U16", 65535));
  assert_hr_ok(wes_object_set_sint32(o, "S32", INT32_MIN));
  assert_hr_ok(wes_object_set_uint32(o, "U32", UINT32_MAX));
  assert_hr_ok(wes_object_set_sint64(o, "S64", INT64_MIN));
  assert_hr_ok(wes_object_set_uint64(o, "U64", UINT64_MAX));
  assert_hr_ok(wes_object_set_real32(o, "R32", 1.5f));
  assert_hr_ok(wes_object_set_real64(o, "R64", -2.25));
  assert_hr_ok(wes_object_set_boolean(o, "B", 5));
  assert_hr_ok(wes_object_set_char16(o, "C16", 0x20AC));
  assert_hr_ok(wes_object_set_string(o, "Name", "h\xc3\xa9llo"));
  assert_hr_ok(wes_object_set_datetime(o, "DT", "19940107140332.000000-300"));
  assert_hr_ok(wes_object_set_reference(o, "Ref", "Thing.Name=\"x\""));
  assert_hr_ok(wes_object_get_sint8(o, "s8", &s8));
  assert_int_equal(s8, -128);
  assert_hr_ok(wes_object_get_uint8(o, "U8", &u8));
  assert_int_equal(u8, 255);
  assert_hr_ok(wes_object_get_sint16(o, "S16", &s16));
  assert_int_equal(s16, -32768);
  assert_hr_ok(wes_object_get_uint16(o, "U16", &u16));
  assert_int_equal(u16, 65535);
  assert_hr_ok(wes_object_get_sint32(o, "S32", &s32));
  assert_int_equal(s32, INT32_MIN);
  assert_hr_ok(wes_object_get_uint32(o, "U32", &u32));
  assert_int_equal(u32, UINT32_MAX);
  assert_hr_ok(wes_object_get_sint64(o, "S64", &s64));
  assert_true(s64 == INT64_MIN);
  assert_hr_ok(wes_object_get_uint64(o, "U64", &u64));
  assert_true(u64 == UINT64_MAX);
  assert_hr_ok(wes_object_get_real32(o, "R32", &r32));
  assert_true(r32 == 1.5f);
  assert_hr_ok(wes_object_get_real64(o, "R64", &r64));
  assert_true(r64 == -2.25);
  assert_hr_ok(wes_object_get_boolean(o, "B", &b));
  assert_int_equal(b, 1);
  assert_hr_ok(wes_object_get_char16(o, "C16", &c16));
  assert_int_equal(c16, 0x20AC);
  assert_hr_ok(wes_object_get_string(o, "name", &s));
  assert_string_equal(s, "h\xc3\xa9llo");
  assert_hr_ok(wes_object_get_datetime(o, "DT", &s));
  assert_string_equal(s, "19940107140332.000000-300");
  assert_hr_ok(wes_object_get_reference(o, "Ref", &s));
  assert_string_equal(s, "Thing.Name=\"x\"");
  /* wrong types both ways */
  assert_hr_equal(wes_object_set_uint32(o, "S32", 1), WES_E_TYPE_MISMATCH);
  assert_hr_equal(wes_object_set_string(o, "DT", "x"), WES_E_TYPE_MISMATCH);
  assert_hr_equal(
      wes_object_set_datetime(o, "Name", "19940107140332.000000-300"),
      WES_E_TYPE_MISMATCH);
  assert_hr_equal(wes_object_get_sint32(o, "U32", &s32), WES_E_TYPE_MISMATCH);
  assert_hr_equal(wes_object_get_string(o, "Ref", &s), WES_E_TYPE_MISMATCH);
  assert_hr_equal(wes_object_set_real64(o, "R32", 1.0), WES_E_TYPE_MISMATCH);
  /* bad text */
  assert_hr_equal(wes_object_set_string(o, "Name", "bad\xc3("),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_set_datetime(o, "DT", "1994"),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_set_datetime(o, "DT", "19941307140332.000000-300"),
                  WES_E_INVALID_PARAMETER);
  /* failed sets leave the old value */
  assert_hr_ok(wes_object_get_string(o, "Name", &s));
  assert_string_equal(s, "h\xc3\xa9llo");
  /* ranges through the generic setter */
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_SINT8;
  v.u.sint = 128;
  assert_hr_equal(wes_object_set(o, "S8", &v), WES_E_VALUE_OUT_OF_RANGE);
  v.type = WES_CIM_UINT16;
  v.u.uint = 65536;
  assert_hr_equal(wes_object_set(o, "U16", &v), WES_E_VALUE_OUT_OF_RANGE);
  v.type = WES_CIM_SINT32;
  v.u.sint = (int64_t)INT32_MIN - 1;
  assert_hr_equal(wes_object_set(o, "S32", &v), WES_E_VALUE_OUT_OF_RANGE);
  v.type = 999;
  assert_hr_equal(wes_object_set(o, "S32", &v), WES_E_TYPE_MISMATCH);
  /* NULL state vs absent */
  assert_hr_ok(wes_object_set_string(o, "Name", NULL));
  assert_hr_equal(wes_object_get_string(o, "Name", &s), WES_S_FALSE);
  assert_hr_ok(wes_object_set_uint32(o, "U32", 3));
  assert_hr_ok(wes_object_set_null(o, "U32"));
  assert_hr_equal(wes_object_get_uint32(o, "U32", &u32), WES_S_FALSE);
  assert_hr_ok(wes_object_get(o, "U32", &v));
  assert_true(v.is_null);
  assert_int_equal(v.type, WES_CIM_UINT32);
  assert_hr_equal(wes_object_get_uint32(o, "Nope", &u32), WES_E_NOT_FOUND);
  assert_hr_equal(wes_object_set_uint32(o, "Nope", 1), WES_E_NOT_FOUND);
  assert_hr_equal(wes_object_set_null(o, "Nope"), WES_E_NOT_FOUND);
  assert_hr_equal(wes_object_get(o, "Nope", &v), WES_E_NOT_FOUND);
  /* NULL arguments */
  assert_hr_equal(wes_object_set_uint32(NULL, "U32", 1),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_set_uint32(o, NULL, 1), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_get(o, "U32", NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_get(NULL, "U32", &v), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_set(o, "U32", NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_get_string(o, "Name", NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_new(NULL, &o), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_new_by_name(ns, "Nope", &o), WES_E_INVALID_CLASS);
  assert_hr_equal(wes_object_new_by_name(ns, NULL, &o),
                  WES_E_INVALID_PARAMETER);
  assert_null(wes_object_unref(NULL));
  assert_null(wes_object_class(NULL));
  assert_ptr_equal(wes_object_class(o), wes_namespace_get_class(ns, "Thing"));
  wes_object_unref(o);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_object_not_in_namespace(void **state) {
  wes_class_t *cls = NULL;
  wes_object_t *o = NULL;
  (void)state;
  assert_hr_ok(wes_class_new("Loose", NULL, &cls));
  assert_hr_equal(wes_object_new(cls, &o), WES_E_INVALID_PARAMETER);
  assert_null(o);
  wes_class_unref(cls);
}

static void test_cim_object_arrays(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *o;
  wes_value_t v, got;
  uint8_t bytes[3] = {1, 2, 3};
  char s1[8] = "one";
  const char *strs[2];
  (void)state;
  make_thing(ns, "Thing", NULL);
  o = new_obj(ns, "Thing");
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_UINT8 | ARR;
  v.u.array.data = bytes;
  v.u.array.count = 3;
  assert_hr_ok(wes_object_set(o, "Bytes", &v));
  bytes[0] = 99; /* copied: no effect */
  assert_hr_ok(wes_object_get(o, "Bytes", &got));
  assert_int_equal(got.u.array.count, 3);
  assert_int_equal(((const uint8_t *)got.u.array.data)[0], 1);
  /* scalar type for an array property */
  v.type = WES_CIM_UINT8;
  v.u.uint = 1;
  assert_hr_equal(wes_object_set(o, "Bytes", &v), WES_E_TYPE_MISMATCH);
  /* string arrays are deep copies, validated element-wise */
  strs[0] = s1;
  strs[1] = "two";
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_STRING | ARR;
  v.u.array.data = strs;
  v.u.array.count = 2;
  assert_hr_ok(wes_object_set(o, "Strs", &v));
  strcpy(s1, "XXX");
  assert_hr_ok(wes_object_get(o, "Strs", &got));
  assert_string_equal(((const char *const *)got.u.array.data)[0], "one");
  assert_string_equal(((const char *const *)got.u.array.data)[1], "two");
  strs[1] = NULL;
  assert_hr_equal(wes_object_set(o, "Strs", &v), WES_E_INVALID_PARAMETER);
  strs[1] = "\xc0\x80";
  assert_hr_equal(wes_object_set(o, "Strs", &v), WES_E_INVALID_PARAMETER);
  /* count without data */
  v.u.array.data = NULL;
  assert_hr_equal(wes_object_set(o, "Strs", &v), WES_E_INVALID_PARAMETER);
  /* empty array is not NULL */
  v.u.array.count = 0;
  assert_hr_ok(wes_object_set(o, "Strs", &v));
  assert_hr_ok(wes_object_get(o, "Strs", &got));
  assert_false(got.is_null);
  assert_int_equal(got.u.array.count, 0);
  wes_object_unref(o);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_object_freeze(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *o, *c = NULL;
  wes_prop_handle_t h;
  wes_value_t v;
  uint32_t u = 0;
  (void)state;
  make_thing(ns, "Thing", NULL);
  o = new_obj(ns, "Thing");
  assert_hr_ok(wes_object_set_uint32(o, "U32", 5));
  assert_false(wes_object_is_frozen(o));
  wes_object_freeze(o);
  wes_object_freeze(o); /* idempotent */
  wes_object_freeze(NULL);
  assert_true(wes_object_is_frozen(o));
  assert_false(wes_object_is_frozen(NULL));
  assert_hr_equal(wes_object_set_uint32(o, "U32", 6), WES_E_READ_ONLY);
  assert_hr_equal(wes_object_set_null(o, "U32"), WES_E_READ_ONLY);
  assert_hr_equal(wes_object_set_string(o, "Name", "x"), WES_E_READ_ONLY);
  assert_hr_ok(wes_class_get_handle(wes_object_class(o), "U32", &h));
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_UINT32;
  assert_hr_equal(wes_object_set_by_handle(o, &h, &v), WES_E_READ_ONLY);
  assert_hr_ok(wes_object_get_uint32(o, "U32", &u));
  assert_int_equal(u, 5);
  /* clone: mutable, equal, independent */
  assert_hr_ok(wes_object_clone(o, &c));
  assert_false(wes_object_is_frozen(c));
  assert_true(wes_object_equal(o, c));
  assert_true(wes_object_hash(o) == wes_object_hash(c));
  assert_hr_ok(wes_object_set_uint32(c, "U32", 6));
  assert_hr_ok(wes_object_get_uint32(o, "U32", &u));
  assert_int_equal(u, 5);
  assert_false(wes_object_equal(o, c));
  assert_hr_equal(wes_object_clone(NULL, &c), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_clone(o, NULL), WES_E_INVALID_PARAMETER);
  wes_object_unref(c);
  wes_object_unref(o);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_embedded(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *ev, *target, *got = NULL, *nsobj, *c = NULL;
  wes_value_t v;
  wes_object_t *arr[2];
  (void)state;
  make_thing(ns, "Thing", NULL);
  ev = new_obj(ns, "__InstanceCreationEvent");
  target = new_obj(ns, "Thing");
  assert_hr_ok(wes_object_set_string(target, "Name", "t1"));
  assert_hr_ok(wes_object_set_object(ev, "TargetInstance", target));
  /* embedding freezes the embedded object */
  assert_true(wes_object_is_frozen(target));
  assert_hr_equal(wes_object_set_string(target, "Name", "t2"), WES_E_READ_ONLY);
  assert_hr_ok(wes_object_get_object(ev, "TargetInstance", &got));
  assert_ptr_equal(got, target);
  /* self embedding is a cycle */
  assert_hr_equal(wes_object_set_object(ev, "TargetInstance", ev),
                  WES_E_CIRCULAR_REFERENCE);
  c = new_obj(ns, "Thing");
  assert_hr_equal(wes_object_set_object(c, "Obj", c), WES_E_CIRCULAR_REFERENCE);
  arr[0] = target;
  arr[1] = c;
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_OBJECT | ARR;
  v.u.array.data = arr;
  v.u.array.count = 2;
  assert_hr_equal(wes_object_set(c, "Objs", &v), WES_E_CIRCULAR_REFERENCE);
  assert_false(wes_object_is_frozen(c));
  arr[1] = NULL;
  assert_hr_equal(wes_object_set(c, "Objs", &v), WES_E_INVALID_PARAMETER);
  arr[1] = target;
  assert_hr_ok(wes_object_set(c, "Objs", &v));
  /* strong typing: NS is object:__Namespace */
  assert_hr_equal(wes_object_set_object(c, "NS", target), WES_E_TYPE_MISMATCH);
  nsobj = new_obj(ns, "__Namespace");
  assert_hr_ok(wes_object_set_string(nsobj, "Name", "child"));
  assert_hr_ok(wes_object_set_object(c, "NS", nsobj));
  wes_object_unref(nsobj);
  {
    wes_object_t *nev = new_obj(ns, "__NamespaceCreationEvent");
    assert_hr_equal(wes_object_set_object(nev, "TargetNamespace", target),
                    WES_E_TYPE_MISMATCH);
    wes_object_unref(nev);
  }
  /* the weakly typed object accepts anything; NULL object sets NULL */
  assert_hr_ok(wes_object_set_object(ev, "TargetInstance", NULL));
  assert_hr_equal(wes_object_get_object(ev, "TargetInstance", &got),
                  WES_S_FALSE);
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_OBJECT;
  assert_hr_equal(wes_object_set(ev, "TargetInstance", &v),
                  WES_E_INVALID_PARAMETER);
  /* the object survives the caller's reference through the event */
  assert_hr_ok(wes_object_set_object(ev, "TargetInstance", target));
  wes_object_unref(target);
  assert_hr_ok(wes_object_get_object(ev, "TargetInstance", &got));
  {
    const char *s;
    assert_hr_ok(wes_object_get_string(got, "Name", &s));
    assert_string_equal(s, "t1");
  }
  wes_object_unref(c);
  wes_object_unref(ev);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_nesting_limit(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *inner, *outer;
  int level;
  (void)state;
  make_thing(ns, "Thing", NULL);
  inner = new_obj(ns, "Thing");
  /* nesting 1..64 is accepted */
  for (level = 1; level <= WES_MAX_OBJECT_NESTING; level++) {
    outer = new_obj(ns, "Thing");
    assert_hr_ok(wes_object_set_object(outer, "Obj", inner));
    wes_object_unref(inner);
    inner = outer;
  }
  assert_int_equal(wes__object_height(inner), WES_MAX_OBJECT_NESTING);
  outer = new_obj(ns, "Thing");
  assert_hr_equal(wes_object_set_object(outer, "Obj", inner),
                  WES_E_QUOTA_VIOLATION);
  assert_false(wes_object_is_frozen(inner)); /* refused before freezing */
  {
    wes_object_t *arr[1] = {inner};
    wes_value_t v;
    memset(&v, 0, sizeof(v));
    v.type = WES_CIM_OBJECT | ARR;
    v.u.array.data = arr;
    v.u.array.count = 1;
    assert_hr_equal(wes_object_set(outer, "Objs", &v), WES_E_QUOTA_VIOLATION);
  }
  /* deep structures: equality, hash, clone, freeze all terminate */
  {
    wes_object_t *c = NULL;
    assert_hr_ok(wes_object_clone(inner, &c));
    assert_true(wes_object_equal(inner, c));
    assert_true(wes_object_hash(inner) == wes_object_hash(c));
    wes_object_freeze(c);
    assert_true(wes_object_equal(inner, c));
    wes_object_unref(c);
  }
  wes_object_unref(outer);
  wes_object_unref(inner);
  assert_null(wes_namespace_unref(ns));
}

/* A chain of 64 levels where each level holds its child twice (an object
 * array [child, child]): 2^64 paths, 64 distinct objects. */
static wes_object_t *shared_chain(wes_namespace_t *ns, const char *leaf) {
  wes_object_t *inner = new_obj(ns, "Thing");
  int level;
  assert_hr_ok(wes_object_set_string(inner, "Name", leaf));
  for (level = 1; level <= WES_MAX_OBJECT_NESTING; level++) {
    wes_object_t *outer = new_obj(ns, "Thing");
    wes_object_t *pair[2] = {inner, inner};
    wes_value_t v;
    memset(&v, 0, sizeof(v));
    v.type = WES_CIM_OBJECT | ARR;
    v.u.array.data = pair;
    v.u.array.count = 2;
    assert_hr_ok(wes_object_set(outer, "Objs", &v));
    wes_object_unref(inner);
    inner = outer;
  }
  return inner;
}

static void test_cim_shared_children_equal(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *a, *b, *c;
  (void)state;
  make_thing(ns, "Thing", NULL);
  a = shared_chain(ns, "leaf");
  b = shared_chain(ns, "leaf");
  c = shared_chain(ns, "other");
  /* terminates (linear in distinct objects) and is right */
  assert_true(wes_object_equal(a, b));
  assert_true(wes_object_hash(a) == wes_object_hash(b));
  assert_false(wes_object_equal(a, c));
  wes_object_freeze(a);
  wes_object_freeze(b);
  assert_true(wes_object_equal(a, b));
  wes_object_unref(a);
  wes_object_unref(b);
  wes_object_unref(c);
  assert_null(wes_namespace_unref(ns));
}

/* Builds an event holding a Thing; values differ with `k`. */
static wes_object_t *build_event(wes_namespace_t *ns, int k) {
  wes_object_t *ev = new_obj(ns, "__InstanceModificationEvent");
  wes_object_t *t = new_obj(ns, "Thing");
  uint8_t sd[4] = {1, 0, 4, 128};
  wes_value_t v;
  assert_hr_ok(wes_object_set_string(t, "Name", k ? "b" : "a"));
  assert_hr_ok(wes_object_set_real64(t, "R64", 0.5));
  assert_hr_ok(wes_object_set_uint64(t, "U64", 1234567890123ULL));
  assert_hr_ok(wes_object_set_object(ev, "TargetInstance", t));
  wes_object_unref(t);
  assert_hr_ok(wes_object_set_uint64(ev, "TIME_CREATED", 133000000000000000));
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_UINT8 | ARR;
  v.u.array.data = sd;
  v.u.array.count = 4;
  assert_hr_ok(wes_object_set(ev, "SECURITY_DESCRIPTOR", &v));
  return ev;
}

static void test_cim_equal_hash_laws(void **state) {
  wes_namespace_t *ns = ns_new(), *ns2;
  wes_object_t *a, *b, *c, *d;
  uint64_t ha;
  (void)state;
  make_thing(ns, "Thing", NULL);
  a = build_event(ns, 0);
  b = build_event(ns, 0);
  c = build_event(ns, 1);
  /* reflexive, symmetric, equal => same hash */
  assert_true(wes_object_equal(a, a));
  assert_true(wes_object_equal(a, b));
  assert_true(wes_object_equal(b, a));
  assert_true(wes_object_hash(a) == wes_object_hash(b));
  assert_false(wes_object_equal(a, c));
  assert_false(wes_object_equal(c, a));
  assert_false(wes_object_hash(a) == wes_object_hash(c));
  assert_false(wes_object_equal(a, NULL));
  assert_false(wes_object_equal(NULL, a));
  assert_true(wes_object_equal(NULL, NULL));
  assert_true(wes_object_hash(NULL) == 0);
  /* freezing keeps the hash */
  ha = wes_object_hash(a);
  wes_object_freeze(a);
  assert_true(wes_object_hash(a) == ha);
  assert_true(wes_object_equal(a, b));
  /* a NULL property differs from a set one; NULL equals NULL */
  assert_hr_ok(wes_object_set_null(b, "TIME_CREATED"));
  assert_false(wes_object_equal(a, b));
  assert_hr_ok(wes_object_set_uint64(b, "TIME_CREATED", 133000000000000000));
  assert_true(wes_object_equal(a, b));
  /* different classes are not equal even with equal values */
  d = new_obj(ns, "__InstanceCreationEvent");
  assert_false(wes_object_equal(a, d));
  wes_object_unref(d);
  /* same class name and shape in another namespace: equal, same hash */
  assert_hr_ok(wes_namespace_new("root/second", &ns2));
  make_thing(ns2, "Thing", NULL);
  d = build_event(ns2, 0);
  assert_true(wes_object_equal(a, d));
  assert_true(wes_object_hash(a) == wes_object_hash(d));
  wes_object_unref(d);
  /* same class name, same types, other property names: not equal */
  {
    wes_class_t *k = NULL;
    wes_object_t *x, *y;
    assert_hr_ok(wes_class_new("Twin", NULL, &k));
    assert_hr_ok(wes_class_add_property(k, "A", WES_CIM_UINT32, NULL, 0));
    assert_hr_ok(wes_namespace_add_class(ns, k, NULL));
    wes_class_unref(k);
    assert_hr_ok(wes_class_new("Twin", NULL, &k));
    assert_hr_ok(wes_class_add_property(k, "B", WES_CIM_UINT32, NULL, 0));
    assert_hr_ok(wes_namespace_add_class(ns2, k, NULL));
    wes_class_unref(k);
    x = new_obj(ns, "Twin");
    y = new_obj(ns2, "twin");
    assert_false(wes_object_equal(x, y));
    wes_object_unref(x);
    wes_object_unref(y);
  }
  wes_namespace_unref(ns2);
  /* reals: NaN equals NaN, -0 equals +0, with equal hashes */
  d = new_obj(ns, "Thing");
  c = wes_object_unref(c);
  c = new_obj(ns, "Thing");
  assert_hr_ok(wes_object_set_real64(d, "R64", NAN));
  assert_hr_ok(wes_object_set_real64(c, "R64", NAN));
  assert_true(wes_object_equal(c, d));
  assert_true(wes_object_hash(c) == wes_object_hash(d));
  assert_hr_ok(wes_object_set_real64(d, "R64", -0.0));
  assert_hr_ok(wes_object_set_real64(c, "R64", 0.0));
  assert_true(wes_object_equal(c, d));
  assert_true(wes_object_hash(c) == wes_object_hash(d));
  /* strings compare case-sensitively (a change of case is a change) */
  assert_hr_ok(wes_object_set_string(d, "Name", "abc"));
  assert_hr_ok(wes_object_set_string(c, "Name", "ABC"));
  assert_false(wes_object_equal(c, d));
  wes_object_unref(c);
  wes_object_unref(d);
  wes_object_unref(a);
  wes_object_unref(b);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_lifetimes(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *o;
  const wes_class_t *cls;
  const char *s = NULL;
  (void)state;
  make_thing(ns, "Thing", NULL);
  o = new_obj(ns, "Thing");
  assert_ptr_equal(wes_object_ref(o), o);
  wes_object_unref(o);
  assert_hr_ok(wes_object_set_string(o, "Name", "n"));
  cls = wes_object_class(o);
  /* the object keeps its class alive after the namespace is gone */
  assert_null(wes_namespace_unref(ns));
  assert_string_equal(wes_class_name(cls), "Thing");
  assert_null(wes_class_namespace(cls));
  assert_hr_ok(wes_object_get_string(o, "__NAMESPACE", &s));
  assert_string_equal(s, "root\\cimv2");
  assert_hr_ok(wes_object_get_string(o, "__RELPATH", &s));
  assert_string_equal(s, "Thing.Name=\"n\"");
  wes_object_unref(o);
}

#define READERS 4

typedef struct reader_arg_s {
  wes_object_t *obj;
  uint64_t hash;
  int ok;
} reader_arg_t;

static void *reader(void *p) {
  reader_arg_t *a = p;
  int i;
  a->ok = 1;
  for (i = 0; i < 2000; i++) {
    const char *s = NULL;
    wes_object_t *o = wes_object_ref(a->obj);
    wes_object_t *t = NULL;
    if (wes_object_hash(o) != a->hash ||
        wes_object_get_object(o, "TargetInstance", &t) != WES_S_OK ||
        wes_object_get_string(t, "__RELPATH", &s) != WES_S_OK ||
        strcmp(s, "Thing.Name=\"a\"") != 0) {
      a->ok = 0;
    }
    wes_object_unref(o);
  }
  return NULL;
}

static void test_cim_frozen_shared_threads(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *ev;
  pthread_t th[READERS];
  reader_arg_t args[READERS];
  int i;
  (void)state;
  make_thing(ns, "Thing", NULL);
  ev = build_event(ns, 0);
  wes_object_freeze(ev);
  for (i = 0; i < READERS; i++) {
    args[i].obj = ev;
    args[i].hash = wes_object_hash(ev);
    assert_int_equal(pthread_create(&th[i], NULL, reader, &args[i]), 0);
  }
  for (i = 0; i < READERS; i++) {
    assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_true(args[i].ok);
  }
  wes_object_unref(ev);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_all_array_types(void **state) {
  static const wes_cimtype_t types[] = {
      WES_CIM_SINT8,  WES_CIM_UINT8,    WES_CIM_SINT16,    WES_CIM_UINT16,
      WES_CIM_SINT32, WES_CIM_UINT32,   WES_CIM_SINT64,    WES_CIM_UINT64,
      WES_CIM_REAL32, WES_CIM_REAL64,   WES_CIM_BOOLEAN,   WES_CIM_CHAR16,
      WES_CIM_STRING, WES_CIM_DATETIME, WES_CIM_REFERENCE, WES_CIM_OBJECT};
  const size_t ntypes = sizeof(types) / sizeof(types[0]);
  wes_namespace_t *ns = ns_new();
  wes_class_t *cls = NULL;
  wes_object_t *o, *c = NULL, *e1, *e2;
  char name[16];
  size_t i;
  unsigned char raw[2][16];
  const char *texts[2] = {"a", "b"};
  const char *dts[2] = {"20260101000000.000000+000",
                        "00000001120032.000000:000"};
  wes_object_t *objs[2];
  (void)state;
  assert_hr_ok(wes_class_new("Arrays", NULL, &cls));
  for (i = 0; i < ntypes; i++) {
    snprintf(name, sizeof(name), "A%zu", i);
    assert_hr_ok(wes_class_add_property(cls, name, types[i] | ARR, NULL, 0));
  }
  assert_hr_ok(wes_namespace_add_class(ns, cls, NULL));
  wes_class_unref(cls);
  e1 = new_obj(ns, "__Namespace");
  e2 = new_obj(ns, "__Namespace");
  assert_hr_ok(wes_object_set_string(e2, "Name", "other"));
  objs[0] = e1;
  objs[1] = e2;
  o = new_obj(ns, "Arrays");
  for (i = 0; i < ntypes; i++) {
    wes_value_t v, got;
    memset(&v, 0, sizeof(v));
    memset(raw, 0, sizeof(raw));
    v.type = types[i] | ARR;
    v.u.array.count = 2;
    switch (types[i]) {
    case WES_CIM_STRING:
    case WES_CIM_REFERENCE:
      v.u.array.data = texts;
      break;
    case WES_CIM_DATETIME:
      v.u.array.data = dts;
      break;
    case WES_CIM_OBJECT:
      v.u.array.data = objs;
      break;
    default:
      raw[0][0] = 1; /* first element 1 (0/1 for booleans) */
      v.u.array.data = raw[0];
      break;
    }
    snprintf(name, sizeof(name), "A%zu", i);
    assert_hr_ok(wes_object_set(o, name, &v));
    assert_hr_ok(wes_object_get(o, name, &got));
    assert_int_equal(got.type, types[i] | ARR);
    assert_int_equal(got.u.array.count, 2);
    assert_ptr_not_equal(got.u.array.data, v.u.array.data);
  }
  assert_true(wes_object_is_frozen(e1));
  assert_hr_ok(wes_object_clone(o, &c));
  assert_true(wes_object_equal(o, c));
  assert_true(wes_object_hash(o) == wes_object_hash(c));
  /* changing any one array breaks equality and (here) the hash */
  for (i = 0; i < ntypes; i++) {
    wes_object_t *d = NULL;
    wes_value_t v;
    wes_object_t *rev[2];
    const char *rtexts[2] = {"b", "a"};
    const char *rdts[2] = {"00000001120032.000000:000",
                           "20260101000000.000000+000"};
    memset(&v, 0, sizeof(v));
    memset(raw, 0, sizeof(raw));
    rev[0] = e2;
    rev[1] = e1;
    v.type = types[i] | ARR;
    v.u.array.count = 2;
    switch (types[i]) {
    case WES_CIM_STRING:
    case WES_CIM_REFERENCE:
      v.u.array.data = rtexts;
      break;
    case WES_CIM_DATETIME:
      v.u.array.data = rdts;
      break;
    case WES_CIM_OBJECT:
      v.u.array.data = rev;
      break;
    default:
      raw[0][0] = 0;
      raw[0][15] = 1;
      /* second element non-zero instead of the first */
      memcpy(raw[0] + wes__cimtype_elem_size(types[i]), raw[0] + 15, 1);
      raw[0][15] = 0;
      v.u.array.data = raw[0];
      break;
    }
    assert_hr_ok(wes_object_clone(o, &d));
    snprintf(name, sizeof(name), "A%zu", i);
    assert_hr_ok(wes_object_set(d, name, &v));
    if (wes_object_equal(o, d)) {
      fail_msg("array of %s: change not seen", wes_cimtype_name(types[i]));
    }
    assert_false(wes_object_hash(o) == wes_object_hash(d));
    wes_object_unref(d);
  }
  wes_object_unref(c);
  wes_object_unref(o);
  wes_object_unref(e1);
  wes_object_unref(e2);
  assert_null(wes_namespace_unref(ns));
}

static void test_cim_qualifier_effects(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_class_t *cls = NULL, *sub = NULL;
  wes_property_info_t info;
  wes_value_t v;
  wes_object_t *o, *t;
  const char *s;
  (void)state;
  assert_hr_ok(wes_class_new("Q", NULL, &cls));
  assert_hr_ok(wes_class_add_property(cls, "Ro", WES_CIM_UINT32, NULL, 0));
  assert_hr_ok(wes_class_add_property(cls, "Emb", WES_CIM_OBJECT, NULL, 0));
  assert_hr_ok(wes_class_add_property(cls, "Id", WES_CIM_STRING, NULL, 0));
  v = bool_value(1);
  assert_hr_ok(wes_class_set_qualifier(cls, "Ro", "read", &v));
  assert_hr_ok(wes_class_property(cls, "Ro", &info));
  assert_true(info.flags & WES_PROP_READ_ONLY);
  assert_hr_ok(wes_class_set_qualifier(cls, "Ro", "Write", &v));
  assert_hr_ok(wes_class_property(cls, "Ro", &info));
  assert_false(info.flags & WES_PROP_READ_ONLY);
  /* key through the qualifier */
  assert_hr_ok(wes_class_set_qualifier(cls, "Id", "KEY", &v));
  assert_hr_ok(wes_class_property(cls, "Id", &info));
  assert_true(info.flags & WES_PROP_KEY);
  assert_hr_equal(wes_class_set_qualifier(cls, "Emb", "key", &v),
                  WES_E_CANNOT_BE_KEY);
  /* strong type through CIMTYPE */
  v = str_value("object:__Namespace");
  assert_hr_ok(wes_class_set_qualifier(cls, "Emb", "cimtype", &v));
  assert_hr_ok(wes_class_property(cls, "Emb", &info));
  assert_string_equal(info.class_ref, "__Namespace");
  v = str_value("ref:__Namespace");
  assert_hr_equal(wes_class_set_qualifier(cls, "Emb", "CIMTYPE", &v),
                  WES_E_TYPE_MISMATCH);
  v = str_value("object:");
  assert_hr_equal(wes_class_set_qualifier(cls, "Emb", "CIMTYPE", &v),
                  WES_E_INVALID_PARAMETER);
  v = str_value("thing:X");
  assert_hr_equal(wes_class_set_qualifier(cls, "Emb", "CIMTYPE", &v),
                  WES_E_INVALID_PARAMETER);
  /* class qualifiers: replaced when set again, inherited but abstract */
  v = str_value("first");
  assert_hr_ok(wes_class_set_qualifier(cls, NULL, "Description", &v));
  v = str_value("second");
  assert_hr_ok(wes_class_set_qualifier(cls, NULL, "description", &v));
  v = bool_value(1);
  assert_hr_ok(wes_class_set_qualifier(cls, NULL, "abstract", &v));
  assert_true(wes_class_flags(cls) & WES_CLASS_ABSTRACT);
  assert_hr_ok(wes_namespace_add_class(ns, cls, NULL));
  assert_hr_ok(wes_class_get_qualifier(cls, NULL, "DESCRIPTION", &v));
  assert_string_equal(v.u.str, "second");
  assert_hr_ok(wes_class_new("QSub", cls, &sub));
  assert_false(wes_class_flags(sub) & WES_CLASS_ABSTRACT);
  assert_hr_ok(wes_namespace_add_class(ns, sub, NULL));
  assert_hr_ok(wes_class_get_qualifier(sub, NULL, "Description", &v));
  assert_string_equal(v.u.str, "second");
  assert_hr_equal(wes_class_get_qualifier(sub, NULL, "abstract", &v),
                  WES_E_NOT_FOUND);
  assert_hr_ok(wes_class_get_qualifier(sub, "Emb", "CIMTYPE", &v));
  assert_string_equal(v.u.str, "object:__Namespace");
  /* the strong type is enforced on the subclass */
  o = new_obj(ns, "QSub");
  t = new_obj(ns, "__NotifyStatus");
  assert_hr_equal(wes_object_set_object(o, "Emb", t), WES_E_TYPE_MISMATCH);
  assert_false(wes_object_is_frozen(t));
  wes_object_unref(t);
  /* a NULL of type EMPTY through the generic setter */
  assert_hr_ok(wes_object_set_string(o, "Id", "x"));
  memset(&v, 0, sizeof(v));
  v.is_null = 1;
  assert_hr_ok(wes_object_set(o, "Id", &v));
  assert_hr_equal(wes_object_get_string(o, "Id", &s), WES_S_FALSE);
  /* a user event class: paths NULL like every event */
  wes_object_unref(o);
  wes_class_unref(sub);
  wes_class_unref(cls);
  assert_hr_ok(wes_class_new(
      "UserEvent", wes_namespace_get_class(ns, "__ExtrinsicEvent"), &cls));
  assert_hr_ok(wes_namespace_add_class(ns, cls, NULL));
  wes_class_unref(cls);
  o = new_obj(ns, "UserEvent");
  assert_hr_equal(wes_object_get_string(o, "__PATH", &s), WES_S_FALSE);
  assert_hr_ok(wes_object_get_string(o, "__DYNASTY", &s));
  assert_string_equal(s, "__SystemClass");
  wes_object_unref(o);
  assert_null(wes_namespace_unref(ns));
}

/* ---- allocation failures ---- */

static atomic_long alloc_count;
static atomic_long alloc_fail_at; /* 0: never */

static bool alloc_should_fail(void) {
  long n = atomic_fetch_add(&alloc_count, 1) + 1;
  long f = atomic_load(&alloc_fail_at);
  return f != 0 && n == f;
}

static void *t_malloc(size_t n) {
  return alloc_should_fail() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n) {
  return alloc_should_fail() ? NULL : realloc(p, n);
}

static void *t_calloc(size_t c, size_t n) {
  return alloc_should_fail() ? NULL : calloc(c, n);
}

/* Everything the module allocates, with cleanup on every failure path.
 * Returns the first failure code, or WES_S_OK. */
static wes_hresult_t oom_scenario(void) {
  wes_namespace_t *ns = NULL;
  wes_class_t *cls = NULL, *sub = NULL;
  wes_object_t *o = NULL, *child = NULL, *c = NULL;
  wes_value_t v;
  const char *strs[2] = {"x", "y"};
  uint8_t bytes[2] = {1, 2};
  const char *s;
  wes_hresult_t hr;
#define OOM_TRY(x)                                                             \
  do {                                                                         \
    hr = (x);                                                                  \
    if (WES_FAILED(hr)) {                                                      \
      goto done;                                                               \
    }                                                                          \
  } while (0)
  OOM_TRY(wes_namespace_new("root/oom", &ns));
  OOM_TRY(wes_class_new("Fault", NULL, &cls));
  OOM_TRY(
      wes_class_add_property(cls, "Name", WES_CIM_STRING, NULL, WES_PROP_KEY));
  OOM_TRY(wes_class_add_property(cls, "Strs", WES_CIM_STRING | ARR, NULL, 0));
  OOM_TRY(wes_class_add_property(cls, "Bytes", WES_CIM_UINT8 | ARR, NULL, 0));
  OOM_TRY(wes_class_add_property(cls, "Obj", WES_CIM_OBJECT, NULL, 0));
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_STRING | ARR;
  v.u.array.data = strs;
  v.u.array.count = 2;
  OOM_TRY(wes_class_set_default(cls, "Strs", &v));
  v = str_value("d");
  OOM_TRY(wes_class_set_default(cls, "Name", &v));
  v = str_value("text");
  OOM_TRY(wes_class_set_qualifier(cls, "Name", "Description", &v));
  OOM_TRY(wes_namespace_add_class(ns, cls, NULL));
  OOM_TRY(wes_class_new("FaultSub", cls, &sub));
  OOM_TRY(wes_class_add_property(sub, "Name", WES_CIM_STRING, NULL, 0));
  OOM_TRY(wes_namespace_add_class(ns, sub, NULL));
  OOM_TRY(wes_object_new(sub, &o));
  OOM_TRY(wes_object_new_by_name(ns, "__Namespace", &child));
  OOM_TRY(wes_object_set_string(child, "Name", "n"));
  OOM_TRY(wes_object_set_object(o, "Obj", child));
  OOM_TRY(wes_object_set_string(o, "Name", "k"));
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_UINT8 | ARR;
  v.u.array.data = bytes;
  v.u.array.count = 2;
  OOM_TRY(wes_object_set(o, "Bytes", &v));
  v.type = WES_CIM_STRING | ARR;
  v.u.array.data = strs;
  OOM_TRY(wes_object_set(o, "Strs", &v));
  OOM_TRY(wes_object_clone(o, &c));
  wes_object_freeze(o);
  if (!wes_object_equal(o, c) || wes_object_hash(o) != wes_object_hash(c)) {
    hr = WES_E_FAILED;
    goto done;
  }
  /* a path that cannot be built comes back NULL */
  hr = wes_object_get_string(o, "__PATH", &s);
  if (hr != WES_S_OK) {
    hr = WES_E_OUT_OF_MEMORY;
    goto done;
  }
  hr = WES_S_OK;
done:
  wes_object_unref(c);
  wes_object_unref(child);
  wes_object_unref(o);
  wes_class_unref(sub);
  wes_class_unref(cls);
  wes_namespace_unref(ns);
  return hr;
#undef OOM_TRY
}

static void test_cim_out_of_memory(void **state) {
  long n;
  wes_hresult_t hr = WES_E_FAILED;
  (void)state;
  for (n = 1; n < 100000; n++) {
    atomic_store(&alloc_count, 0);
    atomic_store(&alloc_fail_at, n);
    hr = oom_scenario();
    atomic_store(&alloc_fail_at, 0);
    if (atomic_load(&alloc_count) < n) {
      break; /* the scenario needed fewer allocations: no failure hit */
    }
    if (hr != WES_E_OUT_OF_MEMORY) {
      fail_msg("allocation %ld failed but the scenario returned %s", n,
               wes_err_name(hr));
    }
  }
  assert_hr_ok(hr);
  /* the loop went through every allocation of the scenario */
  assert_true(n > 200);
}

/*
 * Every typed setter and getter refuses a property of another type (the
 * closest one: same C representation where there is one) with
 * WES_E_TYPE_MISMATCH, leaving the property and the out-value as they
 * were.
 */
/*
 * real32 range: a finite value beyond FLT_MAX (which a float would hold as
 * an infinity) is WES_E_VALUE_OUT_OF_RANGE, as out-of-range integers are,
 * and leaves the object unchanged; the largest values that round to
 * FLT_MAX, NaN and the infinities are stored. Defaults likewise.
 */
static void test_cim_real32_range(void **state) {
  static const double bad[] = {1e300, -1e300, 3.4028236e38, -3.5e38, DBL_MAX};
  static const double good[] = {3.4028235e38, -3.4028235e38, 3.40282356e38,
                                1e-300, 0.0};
  wes_namespace_t *ns = ns_new();
  wes_class_t *cls = NULL;
  wes_object_t *o = NULL;
  wes_value_t v;
  float f = 0;
  size_t i;
  (void)state;
  assert_hr_ok(wes_class_new("R32Holder", NULL, &cls));
  assert_hr_ok(wes_class_add_property(cls, "R", WES_CIM_REAL32, NULL, 0));
  assert_hr_ok(wes_class_add_property(cls, "I", WES_CIM_UINT8, NULL, 0));
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_REAL32;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    v.u.real = bad[i];
    assert_hr_equal(wes_class_set_default(cls, "R", &v),
                    WES_E_VALUE_OUT_OF_RANGE);
  }
  v.u.real = -(double)INFINITY;
  assert_hr_ok(wes_class_set_default(cls, "R", &v)); /* -inf default */
  assert_hr_ok(wes_namespace_add_class(ns, cls, NULL));
  assert_hr_ok(wes_object_new(cls, &o));
  assert_hr_ok(wes_object_get_real32(o, "R", &f));
  assert_true(isinf(f) && f < 0);
  assert_hr_ok(wes_object_set_real32(o, "R", 2.5f));
  v.type = WES_CIM_UINT8;
  v.u.uint = 256; /* the code integers use */
  assert_hr_equal(wes_object_set(o, "I", &v), WES_E_VALUE_OUT_OF_RANGE);
  v.type = WES_CIM_REAL32;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    v.u.real = bad[i];
    assert_hr_equal(wes_object_set(o, "R", &v), WES_E_VALUE_OUT_OF_RANGE);
    assert_hr_ok(wes_object_get_real32(o, "R", &f));
    assert_true(f == 2.5f); /* unchanged */
  }
  for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    v.u.real = good[i];
    assert_hr_ok(wes_object_set(o, "R", &v));
    assert_hr_ok(wes_object_get_real32(o, "R", &f));
    assert_true(f == (float)good[i]);
    assert_true(isfinite(f));
  }
  v.u.real = (double)NAN;
  assert_hr_ok(wes_object_set(o, "R", &v));
  assert_hr_ok(wes_object_get_real32(o, "R", &f));
  assert_true(isnan(f));
  v.u.real = -(double)INFINITY;
  assert_hr_ok(wes_object_set(o, "R", &v));
  assert_hr_ok(wes_object_get_real32(o, "R", &f));
  assert_true(isinf(f) && f < 0);
  assert_hr_ok(wes_object_set_real32(o, "R", INFINITY));
  assert_hr_ok(wes_object_set_real32(o, "R", FLT_MAX));
  wes_object_unref(o);
  wes_class_unref(cls);
  wes_namespace_unref(ns);
}

static void test_cim_typed_wrong_types(void **state) {
  wes_namespace_t *ns = ns_new();
  wes_object_t *o, *copy = NULL, *inner;
  int8_t s8 = 11;
  uint8_t u8 = 11;
  int16_t s16 = 11;
  uint16_t u16 = 11;
  int32_t s32 = 11;
  uint32_t u32 = 11;
  int64_t s64 = 11;
  uint64_t u64 = 11;
  float r32 = 11;
  double r64 = 11;
  int b = 11;
  const char *s = "untouched";
  wes_object_t *obj = NULL;
  (void)state;
  make_thing(ns, "Thing", NULL);
  o = new_obj(ns, "Thing");
  inner = new_obj(ns, "Thing");
  /* Give every property a value first. */
  assert_hr_ok(wes_object_set_string(o, "Name", "n"));
  assert_hr_ok(wes_object_set_sint8(o, "S8", 1));
  assert_hr_ok(wes_object_set_uint8(o, "U8", 1));
  assert_hr_ok(wes_object_set_sint16(o, "S16", 1));
  assert_hr_ok(wes_object_set_uint16(o, "U16", 1));
  assert_hr_ok(wes_object_set_sint32(o, "S32", 1));
  assert_hr_ok(wes_object_set_uint32(o, "U32", 1));
  assert_hr_ok(wes_object_set_sint64(o, "S64", 1));
  assert_hr_ok(wes_object_set_uint64(o, "U64", 1));
  assert_hr_ok(wes_object_set_real32(o, "R32", 1));
  assert_hr_ok(wes_object_set_real64(o, "R64", 1));
  assert_hr_ok(wes_object_set_boolean(o, "B", 1));
  assert_hr_ok(wes_object_set_char16(o, "C16", 1));
  assert_hr_ok(wes_object_set_datetime(o, "DT", "19940107140332.000000-300"));
  assert_hr_ok(wes_object_set_reference(o, "Ref", "Thing.Name=\"x\""));
  assert_hr_ok(wes_object_set_object(o, "Obj", inner));
  assert_hr_ok(wes_object_clone(o, &copy));
#define MISMATCH(x) assert_hr_equal((x), WES_E_TYPE_MISMATCH)
  MISMATCH(wes_object_set_sint8(o, "U8", 2));
  MISMATCH(wes_object_set_uint8(o, "S8", 2));
  MISMATCH(wes_object_set_uint8(o, "B", 1));
  MISMATCH(wes_object_set_sint16(o, "U16", 2));
  MISMATCH(wes_object_set_uint16(o, "C16", 2));
  MISMATCH(wes_object_set_char16(o, "U16", 2));
  MISMATCH(wes_object_set_sint32(o, "U32", 2));
  MISMATCH(wes_object_set_uint32(o, "S32", 2));
  MISMATCH(wes_object_set_sint64(o, "U64", 2));
  MISMATCH(wes_object_set_uint64(o, "S64", 2));
  MISMATCH(wes_object_set_real32(o, "R64", 2));
  MISMATCH(wes_object_set_real64(o, "R32", 2));
  MISMATCH(wes_object_set_boolean(o, "U8", 1));
  MISMATCH(wes_object_set_string(o, "Ref", "Thing.Name=\"y\""));
  MISMATCH(wes_object_set_datetime(o, "Name", "19940107140332.000000-300"));
  MISMATCH(wes_object_set_reference(o, "Name", "Thing.Name=\"y\""));
  MISMATCH(wes_object_set_object(o, "Name", inner));
  MISMATCH(wes_object_set_string(o, "Bytes", "x")); /* array property */
  assert_true(wes_object_equal(o, copy));
  MISMATCH(wes_object_get_sint8(o, "U8", &s8));
  MISMATCH(wes_object_get_uint8(o, "B", &u8));
  MISMATCH(wes_object_get_sint16(o, "U16", &s16));
  MISMATCH(wes_object_get_uint16(o, "C16", &u16));
  MISMATCH(wes_object_get_char16(o, "U16", &u16));
  MISMATCH(wes_object_get_sint32(o, "U32", &s32));
  MISMATCH(wes_object_get_uint32(o, "S32", &u32));
  MISMATCH(wes_object_get_sint64(o, "U64", &s64));
  MISMATCH(wes_object_get_uint64(o, "S64", &u64));
  MISMATCH(wes_object_get_real32(o, "R64", &r32));
  MISMATCH(wes_object_get_real64(o, "R32", &r64));
  MISMATCH(wes_object_get_boolean(o, "U8", &b));
  MISMATCH(wes_object_get_string(o, "DT", &s));
  MISMATCH(wes_object_get_datetime(o, "Name", &s));
  MISMATCH(wes_object_get_reference(o, "Name", &s));
  MISMATCH(wes_object_get_object(o, "Name", &obj));
  MISMATCH(wes_object_get_uint8(o, "Bytes", &u8)); /* array property */
#undef MISMATCH
  assert_int_equal(s8, 11);
  assert_int_equal(u8, 11);
  assert_int_equal(s16, 11);
  assert_int_equal(u16, 11);
  assert_int_equal(s32, 11);
  assert_int_equal(u32, 11);
  assert_true(s64 == 11 && u64 == 11 && r32 == 11 && r64 == 11);
  assert_int_equal(b, 11);
  assert_string_equal(s, "untouched");
  assert_null(obj);
  wes_object_unref(copy);
  wes_object_unref(inner);
  wes_object_unref(o);
  wes_namespace_unref(ns);
}

#define INV(x) assert_hr_equal((x), WES_E_INVALID_PARAMETER)

/* Every public function of cim.h with NULL in each pointer argument:
 * the documented code, or a neutral result, never a crash. */
static void test_cim_null_arguments(void **state) {
  wes_namespace_t *ns = ns_new();
  const wes_class_t *thing = make_thing(ns, "Thing", NULL);
  wes_class_t *cls = NULL, *fresh = NULL;
  wes_object_t *o = new_obj(ns, "Thing"), *out = NULL;
  wes_value_t v = str_value("x"), got;
  wes_property_info_t info;
  wes_prop_handle_t h;
  const char *s = NULL;
  uint32_t u32 = 0;
  (void)state;
  /* classes */
  INV(wes_class_new(NULL, NULL, &cls));
  INV(wes_class_new("A", NULL, NULL));
  assert_null(cls);
  assert_hr_ok(wes_class_new("Fresh", NULL, &fresh));
  INV(wes_class_add_property(NULL, "X", WES_CIM_STRING, NULL, 0));
  INV(wes_class_add_property(fresh, NULL, WES_CIM_STRING, NULL, 0));
  assert_hr_ok(wes_class_add_property(fresh, "X", WES_CIM_STRING, NULL, 0));
  INV(wes_class_set_default(NULL, "X", &v));
  INV(wes_class_set_default(fresh, NULL, &v));
  INV(wes_class_set_default(fresh, "X", NULL));
  INV(wes_class_set_qualifier(NULL, NULL, "Description", &v));
  INV(wes_class_set_qualifier(fresh, NULL, NULL, &v));
  INV(wes_class_set_qualifier(fresh, NULL, "Description", NULL));
  INV(wes_class_set_qualifier(fresh, "X", NULL, &v));
  INV(wes_class_get_qualifier(NULL, NULL, "abstract", &got));
  INV(wes_class_get_qualifier(thing, NULL, NULL, &got));
  INV(wes_class_get_qualifier(thing, "Name", "key", NULL));
  assert_null(wes_class_ref(NULL));
  assert_null(wes_class_unref(NULL));
  assert_null(wes_class_name(NULL));
  assert_null(wes_class_superclass(NULL));
  assert_int_equal(wes_class_flags(NULL), 0);
  assert_null(wes_class_namespace(NULL));
  assert_false(wes_class_derives_from(NULL, "Thing"));
  assert_false(wes_class_derives_from(thing, NULL));
  assert_false(wes_class_is_a(NULL, thing));
  assert_false(wes_class_is_a(thing, NULL));
  assert_int_equal(wes_class_property_count(NULL), 0);
  INV(wes_class_property_at(NULL, 0, &info));
  INV(wes_class_property_at(thing, 0, NULL));
  INV(wes_class_property(NULL, "Name", &info));
  INV(wes_class_property(thing, NULL, &info));
  INV(wes_class_property(thing, "Name", NULL));
  INV(wes_class_get_handle(NULL, "Name", &h));
  INV(wes_class_get_handle(thing, NULL, &h));
  INV(wes_class_get_handle(thing, "Name", NULL));
  /* namespaces */
  assert_null(wes_namespace_ref(NULL));
  assert_null(wes_namespace_name(NULL));
  INV(wes_namespace_add_class(NULL, fresh, NULL));
  INV(wes_namespace_add_class(ns, NULL, NULL));
  assert_int_equal(wes_namespace_class_count(NULL), 0);
  assert_null(wes_namespace_class_at(NULL, 0));
  assert_null(wes_namespace_class_at(ns, wes_namespace_class_count(ns)));
  /* objects */
  INV(wes_object_new(NULL, &out));
  INV(wes_object_new(thing, NULL));
  INV(wes_object_new_by_name(NULL, "Thing", &out));
  INV(wes_object_new_by_name(ns, NULL, &out));
  INV(wes_object_new_by_name(ns, "Thing", NULL));
  assert_null(out);
  assert_null(wes_object_ref(NULL));
  assert_null(wes_object_unref(NULL));
  assert_null(wes_object_class(NULL));
  wes_object_freeze(NULL);
  assert_false(wes_object_is_frozen(NULL));
  INV(wes_object_clone(NULL, &out));
  INV(wes_object_clone(o, NULL));
  INV(wes_object_set(NULL, "Name", &v));
  INV(wes_object_set(o, NULL, &v));
  INV(wes_object_set(o, "Name", NULL));
  INV(wes_object_get(NULL, "Name", &got));
  INV(wes_object_get(o, NULL, &got));
  INV(wes_object_get(o, "Name", NULL));
  assert_hr_ok(wes_class_get_handle(thing, "Name", &h));
  INV(wes_object_set_by_handle(NULL, &h, &v));
  INV(wes_object_set_by_handle(o, NULL, &v));
  INV(wes_object_set_by_handle(o, &h, NULL));
  INV(wes_object_get_by_handle(NULL, &h, &got));
  INV(wes_object_get_by_handle(o, NULL, &got));
  INV(wes_object_get_by_handle(o, &h, NULL));
  INV(wes_object_set_null(NULL, "Name"));
  INV(wes_object_set_null(o, NULL));
  INV(wes_object_set_uint32(NULL, "U32", 1));
  INV(wes_object_set_uint32(o, NULL, 1));
  INV(wes_object_get_uint32(NULL, "U32", &u32));
  INV(wes_object_get_uint32(o, NULL, &u32));
  INV(wes_object_get_uint32(o, "U32", NULL));
  INV(wes_object_set_string(NULL, "Name", "x"));
  INV(wes_object_get_string(o, "Name", NULL));
  INV(wes_object_get_string(NULL, "Name", &s));
  INV(wes_object_set_object(NULL, "Obj", NULL));
  INV(wes_object_get_object(o, "Obj", NULL));
  INV(wes_object_get_object(NULL, "Obj", &out));
  /* A NULL text or object through a typed setter sets NULL. */
  assert_hr_ok(wes_object_set_string(o, "Name", "k"));
  assert_hr_ok(wes_object_set_string(o, "Name", NULL));
  assert_hr_equal(wes_object_get_string(o, "Name", &s), WES_S_FALSE);
  assert_hr_ok(wes_object_set_object(o, "Obj", NULL));
  assert_hr_equal(wes_object_get_object(o, "Obj", &out), WES_S_FALSE);
  assert_false(wes_object_isa(NULL, "Thing"));
  assert_false(wes_object_isa(o, NULL));
  assert_false(wes_object_equal(o, NULL));
  assert_false(wes_object_equal(NULL, o));
  (void)wes_object_hash(NULL);
  assert_null(out);
  wes_object_unref(o);
  wes_class_unref(fresh);
  wes_namespace_unref(ns);
}
#undef INV

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cim_type_names),
      cmocka_unit_test(test_cim_utf8),
      cmocka_unit_test(test_cim_namespace_basics),
      cmocka_unit_test(test_cim_system_classes),
      cmocka_unit_test(test_cim_system_defaults_qualifiers),
      cmocka_unit_test(test_cim_event_system_properties),
      cmocka_unit_test(test_cim_paths),
      cmocka_unit_test(test_cim_class_errors),
      cmocka_unit_test(test_cim_class_too_many_properties),
      cmocka_unit_test(test_cim_inheritance),
      cmocka_unit_test(test_cim_namespace_remove),
      cmocka_unit_test(test_cim_object_typed),
      cmocka_unit_test(test_cim_object_not_in_namespace),
      cmocka_unit_test(test_cim_object_arrays),
      cmocka_unit_test(test_cim_object_freeze),
      cmocka_unit_test(test_cim_embedded),
      cmocka_unit_test(test_cim_nesting_limit),
      cmocka_unit_test(test_cim_equal_hash_laws),
      cmocka_unit_test(test_cim_shared_children_equal),
      cmocka_unit_test(test_cim_lifetimes),
      cmocka_unit_test(test_cim_frozen_shared_threads),
      cmocka_unit_test(test_cim_all_array_types),
      cmocka_unit_test(test_cim_qualifier_effects),
      cmocka_unit_test(test_cim_out_of_memory),
      cmocka_unit_test(test_cim_null_arguments),
      cmocka_unit_test(test_cim_typed_wrong_types),
      cmocka_unit_test(test_cim_real32_range),
  };
  /* the counting allocator (fails on demand) must be in place first */
  if (WES_FAILED(wes_replace_allocator(t_malloc, t_realloc, t_calloc, free))) {
    return 1;
  }
  return cmocka_run_group_tests_name("cim", tests, NULL, NULL);
}
