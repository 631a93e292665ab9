/* SPDX-License-Identifier: MIT */
/*
 * The WMI system classes every namespace starts with
 * (reference/wmi-contract.md sections 10.1 and 7.4).
 */
#include <string.h>

#include "cim_internal.h"

#define ARR WES_CIM_FLAG_ARRAY
#define KEY WES_PROP_KEY

/* Default values used by the table. */
#define DEF_NONE 0
#define DEF_FALSE 1
#define DEF_LOCALSYSTEM_SID 2

typedef struct sys_prop_s {
  const char *name;
  wes_cimtype_t type;
  const char *class_ref; /* strong type (object:X / ref:X) */
  uint32_t flags;
  int def;
} sys_prop_t;

typedef struct sys_class_s {
  const char *name;
  const char *super; /* NULL for a root class */
  int abstract;
  sys_prop_t props[8]; /* terminated by a NULL name */
} sys_class_t;

/* Parents come before children. */
static const sys_class_t sys_classes[] = {
    {"__SystemClass", NULL, 1, {{NULL, 0, NULL, 0, 0}}},
    {"__IndicationRelated", "__SystemClass", 1, {{NULL, 0, NULL, 0, 0}}},
    {"__Event",
     "__IndicationRelated",
     1,
     {{"SECURITY_DESCRIPTOR", WES_CIM_UINT8 | ARR, NULL, 0, 0},
      {"TIME_CREATED", WES_CIM_UINT64, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__Namespace",
     "__SystemClass",
     0,
     {{"Name", WES_CIM_STRING, NULL, KEY, 0}, {NULL, 0, NULL, 0, 0}}},
    {"__Parameters", "__SystemClass", 0, {{NULL, 0, NULL, 0, 0}}},
    {"__InstanceOperationEvent",
     "__Event",
     0,
     {{"TargetInstance", WES_CIM_OBJECT, NULL, 0, 0}, {NULL, 0, NULL, 0, 0}}},
    {"__InstanceCreationEvent",
     "__InstanceOperationEvent",
     0,
     {{NULL, 0, NULL, 0, 0}}},
    {"__InstanceModificationEvent",
     "__InstanceOperationEvent",
     0,
     {{"PreviousInstance", WES_CIM_OBJECT, NULL, 0, 0}, {NULL, 0, NULL, 0, 0}}},
    {"__InstanceDeletionEvent",
     "__InstanceOperationEvent",
     0,
     {{NULL, 0, NULL, 0, 0}}},
    {"__MethodInvocationEvent",
     "__InstanceOperationEvent",
     0,
     {{"Method", WES_CIM_STRING, NULL, 0, 0},
      {"Parameters", WES_CIM_OBJECT, "__Parameters", 0, 0},
      {"PreCall", WES_CIM_BOOLEAN, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__ClassOperationEvent",
     "__Event",
     0,
     {{"TargetClass", WES_CIM_OBJECT, NULL, 0, 0}, {NULL, 0, NULL, 0, 0}}},
    {"__ClassCreationEvent",
     "__ClassOperationEvent",
     0,
     {{NULL, 0, NULL, 0, 0}}},
    {"__ClassModificationEvent",
     "__ClassOperationEvent",
     0,
     {{"PreviousClass", WES_CIM_OBJECT, NULL, 0, 0}, {NULL, 0, NULL, 0, 0}}},
    {"__ClassDeletionEvent",
     "__ClassOperationEvent",
     0,
     {{NULL, 0, NULL, 0, 0}}},
    {"__NamespaceOperationEvent",
     "__Event",
     0,
     {{"TargetNamespace", WES_CIM_OBJECT, "__Namespace", 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__NamespaceCreationEvent",
     "__NamespaceOperationEvent",
     0,
     {{NULL, 0, NULL, 0, 0}}},
    {"__NamespaceModificationEvent",
     "__NamespaceOperationEvent",
     0,
     {{"PreviousNamespace", WES_CIM_OBJECT, "__Namespace", 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__NamespaceDeletionEvent",
     "__NamespaceOperationEvent",
     0,
     {{NULL, 0, NULL, 0, 0}}},
    {"__TimerEvent",
     "__Event",
     0,
     {{"NumFirings", WES_CIM_UINT32, NULL, 0, 0},
      {"TimerId", WES_CIM_STRING, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__ExtrinsicEvent", "__Event", 0, {{NULL, 0, NULL, 0, 0}}},
    {"__SystemEvent", "__ExtrinsicEvent", 0, {{NULL, 0, NULL, 0, 0}}},
    {"__EventConsumer",
     "__IndicationRelated",
     1,
     {{"CreatorSID", WES_CIM_UINT8 | ARR, NULL, 0, 0},
      {"MachineName", WES_CIM_STRING, NULL, 0, 0},
      {"MaximumQueueSize", WES_CIM_UINT32, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__EventDroppedEvent",
     "__SystemEvent",
     0,
     {{"Event", WES_CIM_OBJECT, "__Event", 0, 0},
      {"IntendedConsumer", WES_CIM_REFERENCE, "__EventConsumer", 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__EventQueueOverflowEvent",
     "__EventDroppedEvent",
     0,
     {{"CurrentQueueSize", WES_CIM_UINT32, NULL, 0, 0}, {NULL, 0, NULL, 0, 0}}},
    {"__ConsumerFailureEvent",
     "__EventDroppedEvent",
     0,
     {{"ErrorCode", WES_CIM_UINT32, NULL, 0, 0},
      {"ErrorDescription", WES_CIM_STRING, NULL, 0, 0},
      {"ErrorObject", WES_CIM_OBJECT, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__AggregateEvent",
     "__IndicationRelated",
     0,
     {{"NumberOfEvents", WES_CIM_UINT32, NULL, 0, 0},
      {"Representative", WES_CIM_OBJECT, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__EventFilter",
     "__IndicationRelated",
     0,
     {{"CreatorSID", WES_CIM_UINT8 | ARR, NULL, 0, DEF_LOCALSYSTEM_SID},
      {"EventAccess", WES_CIM_STRING, NULL, 0, 0},
      {"EventNamespace", WES_CIM_STRING, NULL, 0, 0},
      {"Name", WES_CIM_STRING, NULL, KEY, 0},
      {"Query", WES_CIM_STRING, NULL, 0, 0},
      {"QueryLanguage", WES_CIM_STRING, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__FilterToConsumerBinding",
     "__IndicationRelated",
     0,
     {{"Consumer", WES_CIM_REFERENCE, "__EventConsumer", KEY, 0},
      {"Filter", WES_CIM_REFERENCE, "__EventFilter", KEY, 0},
      {"CreatorSID", WES_CIM_UINT8 | ARR, NULL, 0, 0},
      {"DeliverSynchronously", WES_CIM_BOOLEAN, NULL, 0, DEF_FALSE},
      {"DeliveryQoS", WES_CIM_UINT32, NULL, 0, 0},
      {"MaintainSecurityContext", WES_CIM_BOOLEAN, NULL, 0, DEF_FALSE},
      {"SlowDownProviders", WES_CIM_BOOLEAN, NULL, 0, DEF_FALSE},
      {NULL, 0, NULL, 0, 0}}},
    {"__EventGenerator", "__IndicationRelated", 1, {{NULL, 0, NULL, 0, 0}}},
    {"__TimerInstruction",
     "__EventGenerator",
     1,
     {{"SkipIfPassed", WES_CIM_BOOLEAN, NULL, 0, DEF_FALSE},
      {"TimerId", WES_CIM_STRING, NULL, KEY, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__AbsoluteTimerInstruction",
     "__TimerInstruction",
     0,
     {{"EventDateTime", WES_CIM_DATETIME, NULL, 0, 0}, {NULL, 0, NULL, 0, 0}}},
    {"__IntervalTimerInstruction",
     "__TimerInstruction",
     0,
     {{"IntervalBetweenEvents", WES_CIM_UINT32, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
    {"__TimerNextFiring", NULL, 0, {{NULL, 0, NULL, 0, 0}}},
    {"__NotifyStatus",
     "__SystemClass",
     0,
     {{"StatusCode", WES_CIM_UINT32, NULL, 0, 0}, {NULL, 0, NULL, 0, 0}}},
    {"__ExtendedStatus",
     "__NotifyStatus",
     0,
     {{"Description", WES_CIM_STRING, NULL, 0, 0},
      {"Operation", WES_CIM_STRING, NULL, 0, 0},
      {"ParameterInfo", WES_CIM_STRING, NULL, 0, 0},
      {"ProviderName", WES_CIM_STRING, NULL, 0, 0},
      {NULL, 0, NULL, 0, 0}}},
};

/* S-1-5-18 (LocalSystem) in binary form: the __EventFilter default. */
static const uint8_t localsystem_sid[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};

static wes_hresult_t add_prop(wes_class_t *cls, const sys_prop_t *sp) {
  wes_hresult_t hr;
  wes_value_t v;
  char cimtype[WES_MAX_IDENTIFIER + 8];
  wes_cimtype_t base = WES_CIM_BASETYPE(sp->type);
  hr =
      wes_class_add_property(cls, sp->name, sp->type, sp->class_ref, sp->flags);
  if (WES_FAILED(hr)) {
    return hr;
  }
  memset(&v, 0, sizeof(v));
  if (base == WES_CIM_OBJECT || base == WES_CIM_REFERENCE) {
    /* CIMTYPE qualifier as WMI shows it: object, object:X, ref:X */
    if (sp->class_ref != NULL) {
      strcpy(cimtype, base == WES_CIM_OBJECT ? "object:" : "ref:");
      strcat(cimtype, sp->class_ref);
    } else {
      strcpy(cimtype, base == WES_CIM_OBJECT ? "object" : "ref");
    }
    v.type = WES_CIM_STRING;
    v.u.str = cimtype;
    if (sp->class_ref != NULL || base == WES_CIM_OBJECT) {
      hr = wes_class_set_qualifier(cls, sp->name, "CIMTYPE", &v);
      if (WES_FAILED(hr)) {
        return hr;
      }
    }
  }
  memset(&v, 0, sizeof(v));
  switch (sp->def) {
  case DEF_FALSE:
    v.type = WES_CIM_BOOLEAN;
    v.u.boolean = 0;
    return wes_class_set_default(cls, sp->name, &v);
  case DEF_LOCALSYSTEM_SID:
    v.type = WES_CIM_UINT8 | ARR;
    v.u.array.data = localsystem_sid;
    v.u.array.count = sizeof(localsystem_sid);
    return wes_class_set_default(cls, sp->name, &v);
  default:
    return WES_S_OK;
  }
}

wes_hresult_t wes__sysclasses_install(wes_namespace_t *ns) {
  size_t i;
  const sys_prop_t *sp;
  for (i = 0; i < WES__ARRAY_SIZE(sys_classes); i++) {
    const sys_class_t *sc = &sys_classes[i];
    const wes_class_t *super = NULL;
    wes_class_t *cls = NULL;
    wes_hresult_t hr;
    if (sc->super != NULL) {
      super = wes_namespace_get_class(ns, sc->super);
      if (super == NULL) {
        return WES_E_CRITICAL_ERROR; /* table order bug */
      }
    }
    hr = wes__class_new_system(sc->name, super, &cls);
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (sc->abstract) {
      wes_value_t t;
      memset(&t, 0, sizeof(t));
      t.type = WES_CIM_BOOLEAN;
      t.u.boolean = 1;
      hr = wes_class_set_qualifier(cls, NULL, "abstract", &t);
    }
    for (sp = sc->props; WES_SUCCEEDED(hr) && sp->name != NULL; sp++) {
      hr = add_prop(cls, sp);
    }
    if (WES_SUCCEEDED(hr)) {
      hr = wes_namespace_add_class(ns, cls, NULL);
    }
    wes_class_unref(cls);
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  return WES_S_OK;
}
