/* SPDX-License-Identifier: MIT */
/* Rendering instances and classes as MOF text and JSON, and reading JSON
 * back (include/wes/render.h, docs/json.md). */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cim/cim_internal.h" /* wes__object_json_size */
#include "wes_test.h"

typedef struct {
  wes_namespace_t *ns;
} fixture_t;

static void add_prop(wes_class_t *c, const char *name, wes_cimtype_t t,
                     const char *ref, uint32_t flags) {
  assert_hr_ok(wes_class_add_property(c, name, t, ref, flags));
}

/*
 * class Inner { [key] string Name; uint32 Value = 7; };
 * class Sub : Inner { boolean Extra; };
 * class AllTypes { every type, arrays, embedded objects };
 */
static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  wes_class_t *inner = NULL, *sub = NULL, *all = NULL, *abs = NULL;
  wes_value_t v;
  if (f == NULL || WES_FAILED(wes_namespace_new("root/test", &f->ns))) {
    return -1;
  }
  assert_hr_ok(wes_class_new("Inner", NULL, &inner));
  add_prop(inner, "Name", WES_CIM_STRING, NULL, WES_PROP_KEY);
  add_prop(inner, "Value", WES_CIM_UINT32, NULL, 0);
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_UINT32;
  v.u.uint = 7;
  assert_hr_ok(wes_class_set_default(inner, "Value", &v));
  v.type = WES_CIM_STRING;
  v.u.str = "An \"inner\" class";
  assert_hr_ok(wes_class_set_qualifier(inner, NULL, "Description", &v));
  assert_hr_ok(wes_namespace_add_class(f->ns, inner, NULL));

  assert_hr_ok(wes_class_new("Sub", inner, &sub));
  add_prop(sub, "Extra", WES_CIM_BOOLEAN, NULL, 0);
  assert_hr_ok(wes_namespace_add_class(f->ns, sub, NULL));

  assert_hr_ok(wes_class_new("Abstract", NULL, &abs));
  v.type = WES_CIM_BOOLEAN;
  v.u.boolean = 1;
  assert_hr_ok(wes_class_set_qualifier(abs, NULL, "abstract", &v));
  assert_hr_ok(wes_namespace_add_class(f->ns, abs, NULL));

  assert_hr_ok(wes_class_new("AllTypes", NULL, &all));
  add_prop(all, "S8", WES_CIM_SINT8, NULL, 0);
  add_prop(all, "U8", WES_CIM_UINT8, NULL, 0);
  add_prop(all, "S16", WES_CIM_SINT16, NULL, 0);
  add_prop(all, "U16", WES_CIM_UINT16, NULL, 0);
  add_prop(all, "S32", WES_CIM_SINT32, NULL, 0);
  add_prop(all, "U32", WES_CIM_UINT32, NULL, 0);
  add_prop(all, "S64", WES_CIM_SINT64, NULL, 0);
  add_prop(all, "U64", WES_CIM_UINT64, NULL, 0);
  add_prop(all, "R32", WES_CIM_REAL32, NULL, 0);
  add_prop(all, "R64", WES_CIM_REAL64, NULL, 0);
  add_prop(all, "B", WES_CIM_BOOLEAN, NULL, 0);
  add_prop(all, "C", WES_CIM_CHAR16, NULL, 0);
  add_prop(all, "Str", WES_CIM_STRING, NULL, 0);
  add_prop(all, "Dt", WES_CIM_DATETIME, NULL, 0);
  add_prop(all, "Ref", WES_CIM_REFERENCE, "Inner", 0);
  add_prop(all, "Obj", WES_CIM_OBJECT, "Inner", 0);
  add_prop(all, "Weak", WES_CIM_OBJECT, NULL, 0);
  add_prop(all, "NullStr", WES_CIM_STRING, NULL, 0);
  add_prop(all, "U8A", WES_CIM_UINT8 | WES_CIM_FLAG_ARRAY, NULL, 0);
  add_prop(all, "S64A", WES_CIM_SINT64 | WES_CIM_FLAG_ARRAY, NULL, 0);
  add_prop(all, "R64A", WES_CIM_REAL64 | WES_CIM_FLAG_ARRAY, NULL, 0);
  add_prop(all, "BA", WES_CIM_BOOLEAN | WES_CIM_FLAG_ARRAY, NULL, 0);
  add_prop(all, "CA", WES_CIM_CHAR16 | WES_CIM_FLAG_ARRAY, NULL, 0);
  add_prop(all, "StrA", WES_CIM_STRING | WES_CIM_FLAG_ARRAY, NULL, 0);
  add_prop(all, "DtA", WES_CIM_DATETIME | WES_CIM_FLAG_ARRAY, NULL, 0);
  add_prop(all, "ObjA", WES_CIM_OBJECT | WES_CIM_FLAG_ARRAY, "Inner", 0);
  add_prop(all, "EmptyA", WES_CIM_UINT32 | WES_CIM_FLAG_ARRAY, NULL, 0);
  assert_hr_ok(wes_namespace_add_class(f->ns, all, NULL));
  wes_class_unref(inner);
  wes_class_unref(sub);
  wes_class_unref(abs);
  wes_class_unref(all);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  wes_namespace_unref(f->ns);
  free(f);
  return 0;
}

static wes_object_t *make_inner(fixture_t *f, const char *cls, const char *name,
                                uint32_t value) {
  wes_object_t *o = NULL;
  assert_hr_ok(wes_object_new_by_name(f->ns, cls, &o));
  assert_hr_ok(wes_object_set_string(o, "Name", name));
  assert_hr_ok(wes_object_set_uint32(o, "Value", value));
  return o;
}

static void set_array(wes_object_t *o, const char *name, wes_cimtype_t t,
                      const void *data, size_t n) {
  wes_value_t v;
  memset(&v, 0, sizeof(v));
  v.type = t | WES_CIM_FLAG_ARRAY;
  v.u.array.data = data;
  v.u.array.count = n;
  assert_hr_ok(wes_object_set(o, name, &v));
}

static wes_object_t *make_all(fixture_t *f) {
  wes_object_t *o = NULL, *in1, *in2, *sub;
  static const uint8_t u8a[] = {1, 0, 4, 128};
  static const int64_t s64a[] = {INT64_MIN, 0, INT64_MAX};
  static const double r64a[] = {0.1, -2.5, 1e300};
  static const uint8_t ba[] = {1, 0};
  static const uint16_t ca[] = {'x', 0x00e9};
  static const char *const stra[] = {"a", "b\\c", "tab\there"};
  static const char *const dta[] = {"20240229120000.000000+060",
                                    "00000001120032.000000:000"};
  wes_object_t *objs[2];
  assert_hr_ok(wes_object_new_by_name(f->ns, "AllTypes", &o));
  assert_hr_ok(wes_object_set_sint8(o, "S8", -128));
  assert_hr_ok(wes_object_set_uint8(o, "U8", 255));
  assert_hr_ok(wes_object_set_sint16(o, "S16", -32768));
  assert_hr_ok(wes_object_set_uint16(o, "U16", 65535));
  assert_hr_ok(wes_object_set_sint32(o, "S32", INT32_MIN));
  assert_hr_ok(wes_object_set_uint32(o, "U32", UINT32_MAX));
  assert_hr_ok(wes_object_set_sint64(o, "S64", INT64_MIN));
  assert_hr_ok(wes_object_set_uint64(o, "U64", UINT64_MAX));
  assert_hr_ok(wes_object_set_real32(o, "R32", 1.5f));
  assert_hr_ok(wes_object_set_real64(o, "R64", 0.1));
  assert_hr_ok(wes_object_set_boolean(o, "B", 1));
  assert_hr_ok(wes_object_set_char16(o, "C", '"'));
  assert_hr_ok(wes_object_set_string(o, "Str", "say \"hi\"\n\\ caf\xc3\xa9"));
  assert_hr_ok(wes_object_set_datetime(o, "Dt", "19940107140332.000000-300"));
  assert_hr_ok(wes_object_set_reference(o, "Ref", "Inner.Name=\"k\""));
  in1 = make_inner(f, "Inner", "one", 1);
  assert_hr_ok(wes_object_set_object(o, "Obj", in1));
  sub = make_inner(f, "Sub", "two", 2);
  assert_hr_ok(wes_object_set_boolean(sub, "Extra", 0));
  assert_hr_ok(wes_object_set_object(o, "Weak", sub));
  set_array(o, "U8A", WES_CIM_UINT8, u8a, 4);
  set_array(o, "S64A", WES_CIM_SINT64, s64a, 3);
  set_array(o, "R64A", WES_CIM_REAL64, r64a, 3);
  set_array(o, "BA", WES_CIM_BOOLEAN, ba, 2);
  set_array(o, "CA", WES_CIM_CHAR16, ca, 2);
  set_array(o, "StrA", WES_CIM_STRING, stra, 3);
  set_array(o, "DtA", WES_CIM_DATETIME, dta, 2);
  in2 = make_inner(f, "Inner", "three", 3);
  objs[0] = in1;
  objs[1] = in2;
  set_array(o, "ObjA", WES_CIM_OBJECT, objs, 2);
  set_array(o, "EmptyA", WES_CIM_UINT32, NULL, 0);
  wes_object_unref(in1);
  wes_object_unref(in2);
  wes_object_unref(sub);
  return o;
}

static const char golden_mof[] =
    "instance of AllTypes\n"
    "{\n"
    "\tS8 = -128;\n"
    "\tU8 = 255;\n"
    "\tS16 = -32768;\n"
    "\tU16 = 65535;\n"
    "\tS32 = -2147483648;\n"
    "\tU32 = 4294967295;\n"
    "\tS64 = \"-9223372036854775808\";\n"
    "\tU64 = \"18446744073709551615\";\n"
    "\tR32 = 1.5;\n"
    "\tR64 = 0.1;\n"
    "\tB = TRUE;\n"
    "\tC = '\"';\n"
    "\tStr = \"say \\\"hi\\\"\\n\\\\ caf\xc3\xa9\";\n"
    "\tDt = \"19940107140332.000000-300\";\n"
    "\tRef = \"Inner.Name=\\\"k\\\"\";\n"
    "\tObj = instance of Inner\n"
    "\t{\n"
    "\t\tName = \"one\";\n"
    "\t\tValue = 1;\n"
    "\t};\n"
    "\tWeak = instance of Sub\n"
    "\t{\n"
    "\t\tName = \"two\";\n"
    "\t\tValue = 2;\n"
    "\t\tExtra = FALSE;\n"
    "\t};\n"
    "\tU8A = {1, 0, 4, 128};\n"
    "\tS64A = {\"-9223372036854775808\", \"0\", \"9223372036854775807\"};\n"
    "\tR64A = {0.1, -2.5, 1e+300};\n"
    "\tBA = {TRUE, FALSE};\n"
    "\tCA = {'x', '\xc3\xa9'};\n"
    "\tStrA = {\"a\", \"b\\\\c\", \"tab\\there\"};\n"
    "\tDtA = {\"20240229120000.000000+060\", "
    "\"00000001120032.000000:000\"};\n"
    "\tObjA = {instance of Inner\n"
    "\t{\n"
    "\t\tName = \"one\";\n"
    "\t\tValue = 1;\n"
    "\t}, instance of Inner\n"
    "\t{\n"
    "\t\tName = \"three\";\n"
    "\t\tValue = 3;\n"
    "\t}};\n"
    "\tEmptyA = {};\n"
    "};\n";

static const char golden_json[] =
    "{\"class\":\"AllTypes\",\"properties\":{"
    "\"S8\":{\"type\":\"sint8\",\"value\":-128},"
    "\"U8\":{\"type\":\"uint8\",\"value\":255},"
    "\"S16\":{\"type\":\"sint16\",\"value\":-32768},"
    "\"U16\":{\"type\":\"uint16\",\"value\":65535},"
    "\"S32\":{\"type\":\"sint32\",\"value\":-2147483648},"
    "\"U32\":{\"type\":\"uint32\",\"value\":4294967295},"
    "\"S64\":{\"type\":\"sint64\",\"value\":\"-9223372036854775808\"},"
    "\"U64\":{\"type\":\"uint64\",\"value\":\"18446744073709551615\"},"
    "\"R32\":{\"type\":\"real32\",\"value\":1.5},"
    "\"R64\":{\"type\":\"real64\",\"value\":0.1},"
    "\"B\":{\"type\":\"boolean\",\"value\":true},"
    "\"C\":{\"type\":\"char16\",\"value\":\"\\\"\"},"
    "\"Str\":{\"type\":\"string\",\"value\":\"say \\\"hi\\\"\\n\\\\ "
    "caf\xc3\xa9\"},"
    "\"Dt\":{\"type\":\"datetime\",\"value\":\"19940107140332.000000-300\"},"
    "\"Ref\":{\"type\":\"ref:Inner\",\"value\":\"Inner.Name=\\\"k\\\"\"},"
    "\"Obj\":{\"type\":\"object:Inner\",\"value\":{\"class\":\"Inner\","
    "\"properties\":{\"Name\":{\"type\":\"string\",\"value\":\"one\"},"
    "\"Value\":{\"type\":\"uint32\",\"value\":1}}}},"
    "\"Weak\":{\"type\":\"object\",\"value\":{\"class\":\"Sub\","
    "\"properties\":{\"Name\":{\"type\":\"string\",\"value\":\"two\"},"
    "\"Value\":{\"type\":\"uint32\",\"value\":2},"
    "\"Extra\":{\"type\":\"boolean\",\"value\":false}}}},"
    "\"NullStr\":{\"type\":\"string\",\"value\":null},"
    "\"U8A\":{\"type\":\"uint8[]\",\"value\":[1,0,4,128]},"
    "\"S64A\":{\"type\":\"sint64[]\",\"value\":[\"-9223372036854775808\","
    "\"0\",\"9223372036854775807\"]},"
    "\"R64A\":{\"type\":\"real64[]\",\"value\":[0.1,-2.5,1e+300]},"
    "\"BA\":{\"type\":\"boolean[]\",\"value\":[true,false]},"
    "\"CA\":{\"type\":\"char16[]\",\"value\":[\"x\",\"\xc3\xa9\"]},"
    "\"StrA\":{\"type\":\"string[]\",\"value\":[\"a\",\"b\\\\c\","
    "\"tab\\there\"]},"
    "\"DtA\":{\"type\":\"datetime[]\",\"value\":[\"20240229120000.000000+060\","
    "\"00000001120032.000000:000\"]},"
    "\"ObjA\":{\"type\":\"object:Inner[]\",\"value\":[{\"class\":\"Inner\","
    "\"properties\":{\"Name\":{\"type\":\"string\",\"value\":\"one\"},"
    "\"Value\":{\"type\":\"uint32\",\"value\":1}}},{\"class\":\"Inner\","
    "\"properties\":{\"Name\":{\"type\":\"string\",\"value\":\"three\"},"
    "\"Value\":{\"type\":\"uint32\",\"value\":3}}}]},"
    "\"EmptyA\":{\"type\":\"uint32[]\",\"value\":[]}}}";

/* The object's MOF (check_mof) or JSON (check_json) text, default
 * flags, is exactly want. */
static void check_mof(const wes_object_t *o, const char *want) {
  char *text = NULL;
  assert_hr_ok(wes_object_to_mof(o, 0, &text));
  assert_string_equal(text, want);
  wes_free(text);
}

static void check_json(const wes_object_t *o, const char *want) {
  char *text = NULL;
  assert_hr_ok(wes_object_to_json(o, 0, &text));
  assert_string_equal(text, want);
  wes_free(text);
}

static void test_render_mof_golden(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = make_all(f);
  char *text = NULL;
  check_mof(o, golden_mof);
  wes_object_freeze(o);
  check_mof(o, golden_mof);
  assert_hr_equal(wes_object_to_mof(NULL, 0, &text), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_to_mof(o, 0, NULL), WES_E_INVALID_PARAMETER);
  wes_object_unref(o);
}

static void test_render_json_golden(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = make_all(f);
  char *text = NULL;
  check_json(o, golden_json);
  assert_hr_equal(wes_object_to_json(NULL, 0, &text), WES_E_INVALID_PARAMETER);
  wes_object_unref(o);
}

/*
 * Renders o as JSON with `flags`, reads the text back and asserts a new
 * mutable object equal to o with the same hash. Returns the text (free
 * with wes_free).
 */
static char *json_round_trip(fixture_t *f, const wes_object_t *o,
                             uint32_t flags) {
  wes_object_t *back = NULL;
  char *text = NULL;
  wes_error_t err;
  wes_error_clear(&err);
  assert_hr_ok(wes_object_to_json(o, flags, &text));
  if (WES_FAILED(
          wes_object_from_json(f->ns, text, strlen(text), &back, &err))) {
    fail_msg("%u:%u: %s", err.line, err.column, err.text);
  }
  assert_true(wes_object_equal(o, back));
  assert_true(wes_object_hash(o) == wes_object_hash(back));
  assert_int_equal(wes_object_is_frozen(back), 0);
  wes_object_unref(back);
  return text;
}

static void test_render_json_bare_and_pretty(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = make_inner(f, "Inner", "x\x01y", 9);
  char *text = json_round_trip(f, o, WES_RENDER_NO_TYPES);
  assert_string_equal(text, "{\"class\":\"Inner\",\"properties\":{"
                            "\"Name\":\"x\\u0001y\",\"Value\":9}}");
  wes_free(text);
  text = json_round_trip(f, o, WES_RENDER_PRETTY);
  assert_string_equal(text,
                      "{\n"
                      "  \"class\": \"Inner\",\n"
                      "  \"properties\": {\n"
                      "    \"Name\": {\"type\": \"string\", \"value\": "
                      "\"x\\u0001y\"},\n"
                      "    \"Value\": {\"type\": \"uint32\", \"value\": 9}\n"
                      "  }\n"
                      "}\n");
  wes_free(text);
  wes_object_unref(o);
}

static void test_render_json_roundtrip(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = make_all(f);
  wes_free(json_round_trip(f, o, 0));
  /* Bare values convert through the declared types to the same object. */
  wes_free(json_round_trip(f, o,
                           WES_RENDER_NO_TYPES | WES_RENDER_PRETTY |
                               WES_RENDER_SYSTEM_PROPS));
  wes_object_unref(o);
}

/* NaN and infinities, surrogate-free and lone-surrogate char16. */
static void test_render_json_special_values(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = NULL;
  char *text = NULL;
  assert_hr_ok(wes_object_new_by_name(f->ns, "AllTypes", &o));
  assert_hr_ok(wes_object_set_real64(o, "R64", -INFINITY));
  assert_hr_ok(wes_object_set_real32(o, "R32", NAN));
  assert_hr_ok(wes_object_set_char16(o, "C", 0xD800));
  text = json_round_trip(f, o, WES_RENDER_NO_TYPES);
  assert_non_null(strstr(text, "\"R32\":\"NaN\""));
  assert_non_null(strstr(text, "\"R64\":\"-Infinity\""));
  assert_non_null(strstr(text, "\"C\":55296"));
  wes_free(text);
  wes_object_unref(o);
}

static void test_render_json_system_props(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = NULL, *in = make_inner(f, "Inner", "k", 1);
  char *text = NULL;
  assert_hr_ok(wes_object_new_by_name(f->ns, "__InstanceCreationEvent", &o));
  assert_hr_ok(wes_object_set_object(o, "TargetInstance", in));
  assert_hr_ok(
      wes_object_set_uint64(o, "TIME_CREATED", UINT64_C(116444736000000000)));
  assert_hr_ok(wes_object_to_json(o, WES_RENDER_SYSTEM_PROPS, &text));
  assert_non_null(strstr(text, "\"system\":{\"__CLASS\":"
                               "\"__InstanceCreationEvent\","
                               "\"__SUPERCLASS\":\"__InstanceOperationEvent\""
                               ",\"__DYNASTY\":\"__SystemClass\","));
  assert_non_null(strstr(text, "\"__GENUS\":2,"));
  assert_non_null(strstr(text, "\"__PATH\":null,"));
  assert_non_null(strstr(text,
                         "\"TIME_CREATED\":{\"type\":\"uint64\",\"value\":"
                         "\"116444736000000000\"}"));
  wes_free(text);
  check_mof(o, "instance of __InstanceCreationEvent\n"
               "{\n"
               "\tTIME_CREATED = \"116444736000000000\";\n"
               "\tTargetInstance = instance of Inner\n"
               "\t{\n"
               "\t\tName = \"k\";\n"
               "\t\tValue = 1;\n"
               "\t};\n"
               "};\n");
  wes_object_unref(in);
  wes_object_unref(o);
}

static void test_render_class_mof(void **state) {
  fixture_t *f = *state;
  char *text = NULL;
  const wes_class_t *c = wes_namespace_get_class(f->ns, "Inner");
  assert_hr_ok(wes_class_to_mof(c, 0, &text));
  assert_string_equal(text, "[Description(\"An \\\"inner\\\" class\")]\n"
                            "class Inner\n"
                            "{\n"
                            "\t[key] string Name;\n"
                            "\tuint32 Value = 7;\n"
                            "};\n");
  wes_free(text);
  c = wes_namespace_get_class(f->ns, "Sub");
  assert_hr_ok(wes_class_to_mof(c, 0, &text));
  assert_string_equal(text, "[Description(\"An \\\"inner\\\" class\")]\n"
                            "class Sub : Inner\n"
                            "{\n"
                            "\tboolean Extra;\n"
                            "};\n");
  wes_free(text);
  assert_hr_ok(wes_class_to_mof(c, WES_RENDER_INHERITED, &text));
  assert_string_equal(text, "[Description(\"An \\\"inner\\\" class\")]\n"
                            "class Sub : Inner\n"
                            "{\n"
                            "\t/* inherited from Inner */\n"
                            "\t[key] string Name;\n"
                            "\tuint32 Value = 7;\n"
                            "\t/* declared in Sub */\n"
                            "\tboolean Extra;\n"
                            "};\n");
  wes_free(text);
  c = wes_namespace_get_class(f->ns, "AllTypes");
  assert_hr_ok(wes_class_to_mof(c, 0, &text));
  assert_non_null(strstr(text, "\n\tInner ref Ref;\n\tInner Obj;\n"
                               "\tobject Weak;\n"));
  assert_non_null(strstr(text, "\n\tuint8 U8A[];\n"));
  assert_non_null(strstr(text, "\n\tInner ObjA[];\n"));
  wes_free(text);
  c = wes_namespace_get_class(f->ns, "Abstract");
  assert_hr_ok(wes_class_to_mof(c, 0, &text));
  assert_string_equal(text, "[abstract]\nclass Abstract\n{\n};\n");
  wes_free(text);
  c = wes_namespace_get_class(f->ns, "__InstanceCreationEvent");
  assert_hr_ok(wes_class_to_mof(c, WES_RENDER_INHERITED, &text));
  assert_non_null(strstr(text, "class __InstanceCreationEvent : "
                               "__InstanceOperationEvent\n{\n"));
  assert_non_null(strstr(text, "\t/* inherited from __Event */\n"));
  assert_non_null(strstr(text, "\tuint8 SECURITY_DESCRIPTOR[];\n"));
  assert_non_null(strstr(text, "\tuint64 TIME_CREATED;\n"));
  assert_non_null(strstr(text, "object TargetInstance;\n"));
  wes_free(text);
  assert_hr_equal(wes_class_to_mof(NULL, 0, &text), WES_E_INVALID_PARAMETER);
}

/* Reads `json`, expecting `code` at line:col. */
static void read_bad(fixture_t *f, const char *json, wes_hresult_t code,
                     uint32_t line, uint32_t col) {
  wes_object_t *o = (wes_object_t *)0x1;
  wes_error_t err;
  wes_error_clear(&err);
  assert_hr_equal(wes_object_from_json(f->ns, json, strlen(json), &o, &err),
                  code);
  assert_ptr_equal(o, (wes_object_t *)0x1);
  assert_hr_equal(err.code, code);
  assert_true(err.text[0] != '\0');
  if (err.line != line || err.column != col) {
    fail_msg("%s: at %u:%u, expected %u:%u (%s)", json, err.line, err.column,
             line, col, err.text);
  }
}

static void test_render_json_malformed(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = NULL;
  read_bad(f, "", WES_E_INVALID_SYNTAX, 1, 1);
  read_bad(f, "   ", WES_E_INVALID_SYNTAX, 1, 4);
  read_bad(f, "{", WES_E_INVALID_SYNTAX, 1, 2);
  read_bad(f, "{\"class\":\"Inner\",}", WES_E_INVALID_SYNTAX, 1, 18);
  read_bad(f, "{\"class\":\"Inner\",\n \"properties\":{\"Value\":[1,2,]}}",
           WES_E_INVALID_SYNTAX, 2, 29);
  read_bad(f, "{\"class\":\"Inner\"} x", WES_E_INVALID_SYNTAX, 1, 19);
  read_bad(f, "{\"class\":'Inner'}", WES_E_INVALID_SYNTAX, 1, 10);
  read_bad(f, "{class:\"Inner\"}", WES_E_INVALID_SYNTAX, 1, 2);
  read_bad(f, "{\"class\" \"Inner\"}", WES_E_INVALID_SYNTAX, 1, 10);
  read_bad(f, "{\"class\":\"Inn\ner\"}", WES_E_INVALID_SYNTAX, 1, 14);
  read_bad(f, "{\"class\":\"Inner\\x\"}", WES_E_INVALID_SYNTAX, 1, 17);
  read_bad(f, "{\"class\":\"\\ud800\"}", WES_E_INVALID_SYNTAX, 1, 17);
  read_bad(f, "{\"class\":\"\\ud800\\u0041\"}", WES_E_INVALID_SYNTAX, 1, 23);
  read_bad(f, "{\"class\":\"\\udc00\"}", WES_E_INVALID_SYNTAX, 1, 17);
  read_bad(f, "{\"class\":\"\\u12g4\"}", WES_E_INVALID_SYNTAX, 1, 15);
  read_bad(f, "{\"class\":\"\xc3\x28\"}", WES_E_INVALID_SYNTAX, 1, 11);
  read_bad(f, "{\"class\":\"\xc0\xaf\"}", WES_E_INVALID_SYNTAX, 1, 11);
  read_bad(f, "{\"class\":\"\xed\xa0\x80\"}", WES_E_INVALID_SYNTAX, 1, 11);
  read_bad(f, "{\"class\":\"\xf4\x90\x80\x80\"}", WES_E_INVALID_SYNTAX, 1, 11);
  read_bad(f, "{\"class\":\"\xe2\x82\"", WES_E_INVALID_SYNTAX, 1, 11);
  read_bad(f, "{\"class\":\"Inner", WES_E_INVALID_SYNTAX, 1, 16);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Value\":01}}",
           WES_E_INVALID_SYNTAX, 1, 41);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Value\":1.}}",
           WES_E_INVALID_SYNTAX, 1, 42);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Value\":-}}",
           WES_E_INVALID_SYNTAX, 1, 41);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Value\":1e}}",
           WES_E_INVALID_SYNTAX, 1, 42);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Value\":+1}}",
           WES_E_INVALID_SYNTAX, 1, 40);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Value\":tru}}",
           WES_E_INVALID_SYNTAX, 1, 43);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Value\":NaN}}",
           WES_E_INVALID_SYNTAX, 1, 40);
  read_bad(f, "\xef\xbb\xbf{\"class\":\"Inner\"}", WES_E_INVALID_SYNTAX, 1, 1);
  read_bad(f, "[1]", WES_E_INVALID_SYNTAX, 1, 1);
  /* Embedded NUL in the input. */
  assert_hr_equal(
      wes_object_from_json(f->ns, "{\"class\":\"Inner\"}\0", 18, &o, NULL),
      WES_E_INVALID_SYNTAX);
  assert_hr_equal(wes_object_from_json(NULL, "{}", 2, &o, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_from_json(f->ns, NULL, 2, &o, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_from_json(f->ns, "{}", 2, NULL, NULL),
                  WES_E_INVALID_PARAMETER);
}

static void test_render_json_shape_errors(void **state) {
  fixture_t *f = *state;
  read_bad(f, "{}", WES_E_INVALID_SYNTAX, 1, 1);
  read_bad(f, "{\"class\":5}", WES_E_INVALID_SYNTAX, 1, 10);
  read_bad(f, "{\"class\":\"Nope\"}", WES_E_INVALID_CLASS, 1, 10);
  read_bad(f, "{\"class\":\"Abstract\"}", WES_E_INVALID_OPERATION, 1, 10);
  read_bad(f, "{\"class\":\"Inner\",\"extra\":1}", WES_E_INVALID_SYNTAX, 1, 26);
  read_bad(f, "{\"class\":\"Inner\",\"class\":\"Inner\"}", WES_E_INVALID_SYNTAX,
           1, 26);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":[]}", WES_E_INVALID_SYNTAX,
           1, 31);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Nope\":1}}",
           WES_E_NOT_FOUND, 1, 32);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"__CLASS\":\"X\"}}",
           WES_E_NOT_FOUND, 1, 32);
  read_bad(f, "{\"class\":\"Inner\",\"properties\":{\"Value\":1,\"value\":2}}",
           WES_E_INVALID_SYNTAX, 1, 42);
  /* Typed wrappers. */
  read_bad(f,
           "{\"class\":\"Inner\",\"properties\":{\"Value\":"
           "{\"type\":\"sint32\",\"value\":1}}}",
           WES_E_TYPE_MISMATCH, 1, 48);
  read_bad(f,
           "{\"class\":\"Inner\",\"properties\":{\"Value\":"
           "{\"type\":\"uint32[]\",\"value\":[1]}}}",
           WES_E_TYPE_MISMATCH, 1, 48);
  read_bad(f,
           "{\"class\":\"Inner\",\"properties\":{\"Value\":"
           "{\"type\":\"uint32\"}}}",
           WES_E_INVALID_SYNTAX, 1, 40);
  read_bad(f,
           "{\"class\":\"Inner\",\"properties\":{\"Value\":"
           "{\"type\":\"uint32\",\"value\":1,\"x\":2}}}",
           WES_E_INVALID_SYNTAX, 1, 71);
  read_bad(f,
           "{\"class\":\"AllTypes\",\"properties\":{\"Obj\":"
           "{\"type\":\"object:Sub\",\"value\":null}}}",
           WES_E_TYPE_MISMATCH, 1, 49);
}

static void test_render_json_type_checks(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = NULL;
  uint64_t u64 = 0;
  int64_t s64 = 0;
  int8_t s8 = 0;
  uint16_t c = 0;
  const char *s = NULL;
#define ALL(props) "{\"class\":\"AllTypes\",\"properties\":{" props "}}"
  read_bad(f, ALL("\"S8\":128"), WES_E_VALUE_OUT_OF_RANGE, 1, 40);
  read_bad(f, ALL("\"S8\":-129"), WES_E_VALUE_OUT_OF_RANGE, 1, 40);
  read_bad(f, ALL("\"U8\":-1"), WES_E_VALUE_OUT_OF_RANGE, 1, 40);
  read_bad(f, ALL("\"U8\":256"), WES_E_VALUE_OUT_OF_RANGE, 1, 40);
  read_bad(f, ALL("\"U32\":4294967296"), WES_E_VALUE_OUT_OF_RANGE, 1, 41);
  read_bad(f, ALL("\"S64\":\"9223372036854775808\""), WES_E_VALUE_OUT_OF_RANGE,
           1, 41);
  read_bad(f, ALL("\"U64\":\"18446744073709551616\""), WES_E_VALUE_OUT_OF_RANGE,
           1, 41);
  read_bad(f, ALL("\"U64\":99999999999999999999999"), WES_E_VALUE_OUT_OF_RANGE,
           1, 41);
  read_bad(f, ALL("\"U64\":\"12a\""), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, ALL("\"U32\":1.5"), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, ALL("\"U32\":1e3"), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, ALL("\"U32\":\"5\""), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, ALL("\"B\":1"), WES_E_TYPE_MISMATCH, 1, 39);
  read_bad(f, ALL("\"Str\":5"), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, ALL("\"Str\":\"a\\u0000b\""), WES_E_VALUE_OUT_OF_RANGE, 1, 41);
  read_bad(f, ALL("\"R32\":1e39"), WES_E_VALUE_OUT_OF_RANGE, 1, 41);
  read_bad(f, ALL("\"R64\":1e999"), WES_E_VALUE_OUT_OF_RANGE, 1, 41);
  read_bad(f, ALL("\"R64\":\"1.5\""), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, ALL("\"C\":\"ab\""), WES_E_VALUE_OUT_OF_RANGE, 1, 39);
  read_bad(f, ALL("\"C\":\"\xf0\x9f\x98\x80\""), WES_E_VALUE_OUT_OF_RANGE, 1,
           39);
  read_bad(f, ALL("\"C\":65536"), WES_E_VALUE_OUT_OF_RANGE, 1, 39);
  read_bad(f, ALL("\"Dt\":\"19941307140332.000000-300\""),
           WES_E_VALUE_OUT_OF_RANGE, 1, 40);
  read_bad(f, ALL("\"Dt\":\"1994-01-07\""), WES_E_TYPE_MISMATCH, 1, 40);
  read_bad(f, ALL("\"U8A\":5"), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, ALL("\"U8A\":[1,null]"), WES_E_TYPE_MISMATCH, 1, 44);
  read_bad(f, ALL("\"U8A\":[1,300]"), WES_E_VALUE_OUT_OF_RANGE, 1, 44);
  read_bad(f, ALL("\"Obj\":5"), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, ALL("\"Obj\":{\"class\":\"AllTypes\"}"), WES_E_TYPE_MISMATCH, 1,
           50);
  read_bad(f, ALL("\"ObjA\":[{\"class\":\"Inner\"},{\"class\":\"Nope\"}]"),
           WES_E_INVALID_CLASS, 1, 70);
  read_bad(
      f, ALL("\"ObjA\":[{\"class\":\"Inner\",\"properties\":{\"Value\":-1}}]"),
      WES_E_VALUE_OUT_OF_RANGE, 1, 82);
#undef ALL
  /* Accepted forms: 64-bit as numbers or strings, hex strings, -0, char16
   * as a code unit, unicode escapes incl. a surrogate pair, missing
   * properties keep defaults. */
  {
    const char *json =
        "{\"properties\":{\"S8\":-0,\"U64\":\"0xFFFFFFFFFFFFFFFF\","
        "\"S64\":-9223372036854775808,\"C\":233,"
        "\"Str\":\"\\u00e9\\ud83d\\ude00\\/\"},\"class\":\"AllTypes\","
        "\"system\":{\"whatever\":[1,{\"a\":null}]}}";
    wes_error_t err;
    if (WES_FAILED(wes_object_from_json(f->ns, json, strlen(json), &o, &err))) {
      fail_msg("%u:%u %s", err.line, err.column, err.text);
    }
    assert_hr_ok(wes_object_get_uint64(o, "U64", &u64));
    assert_true(u64 == UINT64_MAX);
    assert_hr_ok(wes_object_get_sint64(o, "S64", &s64));
    assert_true(s64 == INT64_MIN);
    assert_hr_ok(wes_object_get_sint8(o, "S8", &s8));
    assert_int_equal(s8, 0);
    assert_hr_ok(wes_object_get_char16(o, "C", &c));
    assert_int_equal(c, 233);
    assert_hr_ok(wes_object_get_string(o, "Str", &s));
    assert_string_equal(s, "\xc3\xa9\xf0\x9f\x98\x80/");
    assert_hr_equal(wes_object_get_string(o, "NullStr", &s), WES_S_FALSE);
    wes_object_unref(o);
  }
  {
    const char *json = "{\"class\":\"inner\"}";
    uint32_t v = 0;
    assert_hr_ok(wes_object_from_json(f->ns, json, strlen(json), &o, NULL));
    assert_hr_ok(wes_object_get_uint32(o, "Value", &v));
    assert_int_equal(v, 7);
    wes_object_unref(o);
  }
}

/* Builds JSON with `levels` embedded objects through the weak property. */
static char *nested_json(int levels, bool typed) {
  size_t cap = (size_t)(levels + 1) * 128 + 64, len = 0;
  char *s = malloc(cap);
  int i;
  assert_non_null(s);
  for (i = 0; i < levels; i++) {
    len += (size_t)snprintf(s + len, cap - len, "%s",
                            typed ? "{\"class\":\"AllTypes\",\"properties\":"
                                    "{\"Weak\":{\"type\":\"object\",\"value\":"
                                  : "{\"class\":\"AllTypes\",\"properties\":"
                                    "{\"Weak\":");
  }
  len += (size_t)snprintf(s + len, cap - len, "{\"class\":\"Inner\"}");
  for (i = 0; i < levels; i++) {
    len += (size_t)snprintf(s + len, cap - len, "%s", typed ? "}}}" : "}}");
  }
  return s;
}

static void test_render_json_nesting_limit(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = NULL;
  wes_error_t err;
  char *s;
  char *deep;
  size_t i, n = 100000;
  /* 64 embedded levels are fine, typed or bare. */
  s = nested_json(WES_MAX_OBJECT_NESTING, true);
  assert_hr_ok(wes_object_from_json(f->ns, s, strlen(s), &o, &err));
  wes_object_unref(o);
  free(s);
  s = nested_json(WES_MAX_OBJECT_NESTING, false);
  assert_hr_ok(wes_object_from_json(f->ns, s, strlen(s), &o, &err));
  wes_object_unref(o);
  free(s);
  /* 65 are not. */
  s = nested_json(WES_MAX_OBJECT_NESTING + 1, true);
  assert_hr_equal(wes_object_from_json(f->ns, s, strlen(s), &o, &err),
                  WES_E_QUOTA_VIOLATION);
  assert_true(err.line == 1 && err.column > 1);
  free(s);
  s = nested_json(WES_MAX_OBJECT_NESTING + 1, false);
  assert_hr_equal(wes_object_from_json(f->ns, s, strlen(s), &o, &err),
                  WES_E_QUOTA_VIOLATION);
  free(s);
  /* Raw JSON nesting far beyond: rejected early, no deep recursion. */
  deep = malloc(2 * n + 1);
  assert_non_null(deep);
  for (i = 0; i < n; i++) {
    deep[i] = '[';
    deep[n + i] = ']';
  }
  deep[2 * n] = '\0';
  assert_hr_equal(wes_object_from_json(f->ns, deep, 2 * n, &o, &err),
                  WES_E_QUOTA_VIOLATION);
  assert_int_equal(err.line, 1);
  free(deep);
}

/* ---- a failing allocator: the Nth allocation after arming fails ---- */

static long chaos_fail_at; /* 0: never */
static long chaos_count;
static long chaos_live; /* allocations not yet freed */

static bool chaos_fail(void) {
  return chaos_fail_at > 0 && ++chaos_count == chaos_fail_at;
}

static void *chaos_malloc(size_t n) {
  void *p = chaos_fail() ? NULL : malloc(n);
  chaos_live += p != NULL;
  return p;
}

static void *chaos_calloc(size_t c, size_t n) {
  void *p = chaos_fail() ? NULL : calloc(c, n);
  chaos_live += p != NULL;
  return p;
}

static void *chaos_realloc(void *old, size_t n) {
  void *p = chaos_fail() ? NULL : realloc(old, n);
  chaos_live += p != NULL && old == NULL;
  return p;
}

static void chaos_free(void *p) {
  chaos_live -= p != NULL;
  free(p);
}

static void chaos_arm(long n) {
  chaos_fail_at = n;
  chaos_count = 0;
}

/* Renders `o` as pretty JSON (which 0) or MOF (1), or `cls` as MOF with
 * its inherited properties (2), with allocation n failing for n = 1, 2, ...
 * until the call succeeds: every failure is WES_E_OUT_OF_MEMORY and leaks
 * nothing. */
static void render_under_chaos(int which, const wes_object_t *o,
                               const wes_class_t *cls) {
  char *text = NULL;
  long n, live;
  wes_hresult_t hr;
  for (n = 1;; n++) {
    live = chaos_live;
    chaos_arm(n);
    hr = which == 0   ? wes_object_to_json(o, WES_RENDER_PRETTY, &text)
         : which == 1 ? wes_object_to_mof(o, 0, &text)
                      : wes_class_to_mof(cls, WES_RENDER_INHERITED, &text);
    chaos_arm(0);
    if (hr == WES_S_OK) {
      wes_free(text);
      break;
    }
    assert_hr_equal(hr, WES_E_OUT_OF_MEMORY);
    assert_int_equal(chaos_live, live);
  }
}

/* Every allocation failure inside the renderers and the reader gives
 * WES_E_OUT_OF_MEMORY and leaks nothing; the call then succeeds once the
 * allocator recovers. */
static void test_render_out_of_memory(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = make_all(f), *back = NULL;
  char *json = NULL;
  const wes_class_t *cls = wes_namespace_get_class(f->ns, "Sub");
  long n, live;
  wes_hresult_t hr;
  int which;
  wes_object_freeze(o);
  assert_hr_ok(wes_object_to_json(o, 0, &json));
  for (which = 0; which < 3; which++) {
    render_under_chaos(which, o, cls);
  }
  for (n = 1;; n++) {
    wes_error_t err;
    live = chaos_live;
    chaos_arm(n);
    hr = wes_object_from_json(f->ns, json, strlen(json), &back, &err);
    chaos_arm(0);
    if (hr == WES_S_OK) {
      assert_true(wes_object_equal(o, back));
      wes_object_unref(back);
      assert_int_equal(chaos_live, live);
      break;
    }
    if (hr != WES_E_OUT_OF_MEMORY) {
      fail_msg("allocation %ld: %s (%s)", n, wes_err_name(hr), err.text);
    }
    assert_int_equal(chaos_live, live);
  }
  assert_true(n > 50); /* the loop did exercise many failure points */
  wes_free(json);
  wes_object_unref(o);
}

/*
 * Arrays of every element type not in AllTypes, controls and DEL in
 * strings and char16, NaN/infinity in arrays and qualifiers: exact MOF and
 * JSON text (pretty JSON separates array elements with ", "), and the JSON
 * reads back to an equal object.
 */
static void test_render_every_array_type(void **state) {
  fixture_t *f = *state;
  static const int8_t s8[] = {-128, 127};
  static const int16_t s16[] = {-32768, 5};
  static const uint16_t u16[] = {65535, 0};
  static const int32_t s32[] = {INT32_MIN, 7};
  static const uint32_t u32[] = {UINT32_MAX, 1};
  static const uint64_t u64[] = {UINT64_MAX, 0};
  static const float r32[] = {0.1f, -3.0f};
  static const uint16_t c16[] = {0x01, 0x7f, 0xD800, '\''};
  static const char *const refs[] = {"Inner.Name=\"a\""};
  static const char *const strs[] = {"\x01\x1f\x7f\"\\\b\f\r"};
  double r64[3];
  /* each array property: its element type, class reference and value */
  const struct {
    const char *name;
    wes_cimtype_t type;
    const char *ref;
    const void *data;
    size_t n;
  } props[] = {
      {"S8A", WES_CIM_SINT8, NULL, s8, 2},
      {"S16A", WES_CIM_SINT16, NULL, s16, 2},
      {"U16A", WES_CIM_UINT16, NULL, u16, 2},
      {"S32A", WES_CIM_SINT32, NULL, s32, 2},
      {"U32A", WES_CIM_UINT32, NULL, u32, 2},
      {"U64A", WES_CIM_UINT64, NULL, u64, 2},
      {"R32A", WES_CIM_REAL32, NULL, r32, 2},
      {"R64A", WES_CIM_REAL64, NULL, r64, 3},
      {"CA", WES_CIM_CHAR16, NULL, c16, 4},
      {"RefA", WES_CIM_REFERENCE, "Inner", refs, 1},
      {"StrA", WES_CIM_STRING, NULL, strs, 1},
  };
  size_t i;
  wes_class_t *cls = NULL;
  wes_object_t *o = NULL;
  wes_value_t q;
  char *text = NULL;
  r64[0] = NAN;
  r64[1] = INFINITY;
  r64[2] = -INFINITY;
  assert_hr_ok(wes_class_new("Arrays", NULL, &cls));
  for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
    add_prop(cls, props[i].name, props[i].type | WES_CIM_FLAG_ARRAY,
             props[i].ref, 0);
  }
  memset(&q, 0, sizeof(q));
  q.type = WES_CIM_REAL64 | WES_CIM_FLAG_ARRAY;
  q.u.array.data = r64;
  q.u.array.count = 3;
  assert_hr_ok(wes_class_set_qualifier(cls, "R64A", "Limits", &q));
  assert_hr_ok(wes_namespace_add_class(f->ns, cls, NULL));
  assert_hr_ok(wes_object_new(cls, &o));
  for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
    set_array(o, props[i].name, props[i].type, props[i].data, props[i].n);
  }
  check_mof(o, "instance of Arrays\n"
               "{\n"
               "\tS8A = {-128, 127};\n"
               "\tS16A = {-32768, 5};\n"
               "\tU16A = {65535, 0};\n"
               "\tS32A = {-2147483648, 7};\n"
               "\tU32A = {4294967295, 1};\n"
               "\tU64A = {\"18446744073709551615\", \"0\"};\n"
               "\tR32A = {0.1, -3};\n"
               "\tR64A = {NaN, Infinity, -Infinity};\n"
               "\tCA = {'\\x0001', '\\x007F', '\\xD800', '\\''};\n"
               "\tRefA = {\"Inner.Name=\\\"a\\\"\"};\n"
               "\tStrA = {\"\\x0001\\x001F\\x007F\\\"\\\\\\b\\f\\r\"};\n"
               "};\n");
  assert_hr_ok(wes_class_to_mof(cls, 0, &text));
  assert_non_null(
      strstr(text, "[Limits{NaN, Infinity, -Infinity}] real64 R64A[];"));
  wes_free(text);
  text = json_round_trip(f, o, WES_RENDER_NO_TYPES);
  assert_string_equal(
      text, "{\"class\":\"Arrays\",\"properties\":{"
            "\"S8A\":[-128,127],\"S16A\":[-32768,5],\"U16A\":[65535,0],"
            "\"S32A\":[-2147483648,7],\"U32A\":[4294967295,1],"
            "\"U64A\":[\"18446744073709551615\",\"0\"],"
            "\"R32A\":[0.1,-3],"
            "\"R64A\":[\"NaN\",\"Infinity\",\"-Infinity\"],"
            "\"CA\":[\"\\u0001\",\"\x7f\",55296,\"'\"],"
            "\"RefA\":[\"Inner.Name=\\\"a\\\"\"],"
            "\"StrA\":[\"\\u0001\\u001f\x7f\\\"\\\\\\b\\f\\r\"]}}");
  wes_free(text);
  text = json_round_trip(f, o, WES_RENDER_NO_TYPES | WES_RENDER_PRETTY);
  assert_non_null(strstr(text, "\"S8A\": [-128, 127],\n"));
  assert_non_null(strstr(text, "\"R64A\": [\"NaN\", \"Infinity\", "
                               "\"-Infinity\"],\n"));
  wes_free(text);
  wes_object_unref(o);
  wes_class_unref(cls);
}

#define ALL(props) "{\"class\":\"AllTypes\",\"properties\":{" props "}}"
/* JSON review cases: a typed wrapper with "type" twice (no "value") used
 * to dereference NULL; NULL arguments of the renderers and the reader. */
static void test_render_json_wrapper_and_nulls(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = make_inner(f, "Inner", "n", 1), *out = NULL;
  const wes_class_t *inner = wes_namespace_get_class(f->ns, "Inner");
  char *text = NULL;
  wes_error_t err;
  read_bad(f, ALL("\"U32\":{\"type\":\"uint32\",\"type\":\"uint32\"}"),
           WES_E_INVALID_SYNTAX, 1, 41);
  /* Without "type" it is no wrapper: an object for a uint32. */
  read_bad(f, ALL("\"U32\":{\"value\":1,\"value\":2}"), WES_E_TYPE_MISMATCH,
           1, 41);
  read_bad(f, ALL("\"U32\":{\"type\":\"uint32\",\"value\":1,\"value\":2}"),
           WES_E_INVALID_SYNTAX, 1, 41);
  /* NULL arguments. */
  assert_hr_equal(wes_object_to_json(o, 0, NULL), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_to_mof(NULL, 0, &text), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_class_to_mof(inner, 0, NULL), WES_E_INVALID_PARAMETER);
  assert_null(text);
  wes_error_clear(&err);
  assert_hr_equal(wes_object_from_json(NULL, "{}", 2, &out, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(err.code, WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_from_json(f->ns, NULL, 2, &out, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_object_from_json(f->ns, "{}", 2, NULL, &err),
                  WES_E_INVALID_PARAMETER);
  /* NULL text of length 0 is an empty text: malformed, not a crash. */
  assert_hr_equal(wes_object_from_json(f->ns, NULL, 0, &out, &err),
                  WES_E_INVALID_SYNTAX);
  assert_int_equal(err.line, 1);
  assert_int_equal(err.column, 1);
  assert_null(out);
  wes_object_unref(o);
}
#undef ALL

/*
 * real32 extremes round-trip: FLT_MAX renders as its shortest text
 * 3.4028235e+38, slightly above FLT_MAX, which used to be refused when
 * read back. Texts that are only "NaN" up to a U+0000, and an empty
 * char16 string, are refused.
 */
static void test_render_real32_limits(void **state) {
  fixture_t *f = *state;
  static const float lim[] = {FLT_MAX, -FLT_MAX, FLT_MIN, 1e-45f};
  size_t i;
  float r = 0;
  wes_object_t *o = NULL;
  for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
    assert_hr_ok(wes_object_new_by_name(f->ns, "AllTypes", &o));
    assert_hr_ok(wes_object_set_real32(o, "R32", lim[i]));
    assert_hr_ok(wes_object_get_real32(o, "R32", &r));
    assert_true(r == lim[i]);
    wes_free(json_round_trip(f, o, 0));
    wes_object_unref(o);
  }
#define R32(v) "{\"class\":\"AllTypes\",\"properties\":{\"R32\":" v "}}"
  o = NULL;
  assert_hr_ok(wes_object_from_json(f->ns, R32("3.4028235e38"),
                                    strlen(R32("3.4028235e38")), &o, NULL));
  assert_hr_ok(wes_object_get_real32(o, "R32", &r));
  assert_true(r == FLT_MAX);
  wes_object_unref(o);
  read_bad(f, R32("3.4028236e38"), WES_E_VALUE_OUT_OF_RANGE, 1, 41);
  read_bad(f, R32("-3.4028236e38"), WES_E_VALUE_OUT_OF_RANGE, 1, 41);
  read_bad(f, R32("\"NaN\\u0000\""), WES_E_TYPE_MISMATCH, 1, 41);
  read_bad(f, R32("\"Infinity\\u0000x\""), WES_E_TYPE_MISMATCH, 1, 41);
  /* finite but beyond FLT_MAX: refused with the position, as MOF does */
  read_bad(f, R32("1e300"), WES_E_VALUE_OUT_OF_RANGE, 1, 41);
  read_bad(f, R32("-1e300"), WES_E_VALUE_OUT_OF_RANGE, 1, 41);
  read_bad(f, R32("{\"type\":\"real32\",\"value\":1e300}"),
           WES_E_VALUE_OUT_OF_RANGE, 1, 66);
  /* the non-finite spellings the renderer writes are accepted */
  o = NULL;
  assert_hr_ok(wes_object_from_json(f->ns, R32("\"-Infinity\""),
                                    strlen(R32("\"-Infinity\"")), &o, NULL));
  assert_hr_ok(wes_object_get_real32(o, "R32", &r));
  assert_true(isinf(r) && r < 0);
  wes_object_unref(o);
#undef R32
  read_bad(f, "{\"class\":\"AllTypes\",\"properties\":{\"C\":\"\"}}",
           WES_E_VALUE_OUT_OF_RANGE, 1, 39);
}

/* The measured JSON size (what the broker's batching counts) is exactly
 * the length of the text, before and after freezing (then cached), and a
 * clone changed after its original was measured is measured anew. */
static void test_render_json_size(void **state) {
  fixture_t *f = *state;
  wes_object_t *o = make_all(f), *c = NULL;
  char *text = NULL;
  assert_hr_ok(wes_object_to_json(o, 0, &text));
  assert_int_equal(wes__object_json_size(o), strlen(text));
  wes_free(text);
  wes_object_freeze(o);
  assert_hr_ok(wes_object_to_json(o, 0, &text));
  assert_int_equal(wes__object_json_size(o), strlen(text));
  assert_int_equal(wes__object_json_size(o), strlen(text)); /* cached */
  wes_free(text);
  assert_hr_ok(wes_object_clone(o, &c));
  assert_hr_ok(wes_object_set_uint32(c, "U32", 123456789u));
  wes_object_freeze(c);
  assert_hr_ok(wes_object_to_json(c, 0, &text));
  assert_int_equal(wes__object_json_size(c), strlen(text));
  wes_free(text);
  wes_object_unref(c);
  wes_object_unref(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_render_mof_golden, setup, teardown),
      cmocka_unit_test_setup_teardown(test_render_json_golden, setup, teardown),
      cmocka_unit_test_setup_teardown(test_render_json_size, setup, teardown),
      cmocka_unit_test_setup_teardown(test_render_json_bare_and_pretty, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_json_roundtrip, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_json_special_values, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_json_system_props, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_class_mof, setup, teardown),
      cmocka_unit_test_setup_teardown(test_render_json_malformed, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_json_shape_errors, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_json_type_checks, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_json_nesting_limit, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_every_array_type, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_json_wrapper_and_nulls,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_render_real32_limits, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_render_out_of_memory, setup,
                                      teardown),
  };
  if (WES_FAILED(wes_replace_allocator(chaos_malloc, chaos_realloc,
                                       chaos_calloc, chaos_free))) {
    return 1;
  }
  return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
