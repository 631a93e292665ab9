/* SPDX-License-Identifier: MIT */
/* Unit tests of the MOF compiler (lib/cim/mof_*.c). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "wes_test.h"

/* ---- helpers ---- */

static wes_namespace_t *new_ns(void) {
  wes_namespace_t *ns = NULL;
  assert_hr_ok(wes_namespace_new("root/cimv2", &ns));
  return ns;
}

/* Compiles text (NUL-terminated) into ns; fails the test on error. */
static wes_mof_result_t *compile_ok(wes_namespace_t *ns, const char *text) {
  wes_mof_result_t *res = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  wes_error_clear(&err);
  hr = wes_mof_compile(ns, text, strlen(text), "test.mof", &res, &err);
  if (WES_FAILED(hr)) {
    fail_msg("compile failed: %s at %u:%u: %s", wes_err_name(hr), err.line,
             err.column, err.text);
  }
  assert_non_null(res);
  return res;
}

/*
 * Compiles text into a fresh namespace and asserts the failure code and
 * position, and that nothing of the text stayed in the namespace.
 */
static void check_error_at(const char *text, size_t len, wes_hresult_t code,
                           uint32_t line, uint32_t col) {
  wes_namespace_t *ns = new_ns();
  size_t before = wes_namespace_class_count(ns);
  wes_mof_result_t *res = (wes_mof_result_t *)(uintptr_t)1;
  wes_error_t err;
  wes_hresult_t hr;
  wes_error_clear(&err);
  hr = wes_mof_compile(ns, text, len, NULL, &res, &err);
  if (hr != code || err.line != line || err.column != col) {
    fail_msg("for <<%.*s>>: got %s at %u:%u (%s), want %s at %u:%u",
             (int)(len > 200 ? 200 : len), text, wes_err_name(hr), err.line,
             err.column, err.text, wes_err_name(code), line, col);
  }
  assert_int_equal(err.code, code);
  assert_true(err.text[0] != '\0');
  assert_ptr_equal(res, (wes_mof_result_t *)(uintptr_t)1); /* untouched */
  assert_int_equal(wes_namespace_class_count(ns), before);
  wes_namespace_unref(ns);
}

static void check_error(const char *text, wes_hresult_t code, uint32_t line,
                        uint32_t col) {
  check_error_at(text, strlen(text), code, line, col);
}

static void get_prop(const wes_class_t *cls, const char *name,
                     wes_property_info_t *info) {
  if (WES_FAILED(wes_class_property(cls, name, info))) {
    fail_msg("class %s has no property %s", wes_class_name(cls), name);
  }
}

/* A property's value; fails the test, naming it, when it cannot be read.
 * Strings and objects in it stay owned by o. */
static wes_value_t get(const wes_object_t *o, const char *name) {
  wes_value_t v;
  wes_hresult_t hr = wes_object_get(o, name, &v);
  if (WES_FAILED(hr)) {
    fail_msg("get %s failed: %s", name, wes_err_name(hr));
  }
  return v;
}

/* Default value of a property, read through a fresh instance. */
static wes_object_t *instance_of(wes_namespace_t *ns, const char *cls) {
  wes_object_t *o = NULL;
  assert_hr_ok(wes_object_new_by_name(ns, cls, &o));
  return o;
}

/* compile(render(o)) into ns gives back an equal instance. */
static void check_round_trip(wes_namespace_t *ns, const wes_object_t *o) {
  char *text = NULL;
  wes_mof_result_t *res;
  assert_hr_ok(wes_object_to_mof(o, 0, &text));
  res = compile_ok(ns, text);
  assert_true(wes_object_equal(o, wes_mof_result_instance_at(res, 0)));
  wes_mof_result_free(res);
  wes_free(text);
}

/* ---- declarations ---- */

static void test_mof_every_type(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  const wes_class_t *c;
  wes_property_info_t info;
  wes_object_t *o;
  wes_value_t v;
  static const struct {
    const char *name;
    wes_cimtype_t type;
  } want[] = {
      {"A", WES_CIM_SINT8},     {"B", WES_CIM_UINT8},
      {"C", WES_CIM_SINT16},    {"D", WES_CIM_UINT16},
      {"E", WES_CIM_SINT32},    {"F", WES_CIM_UINT32},
      {"G", WES_CIM_SINT64},    {"H", WES_CIM_UINT64},
      {"I", WES_CIM_REAL32},    {"J", WES_CIM_REAL64},
      {"K", WES_CIM_BOOLEAN},   {"L", WES_CIM_STRING},
      {"M", WES_CIM_DATETIME},  {"N", WES_CIM_CHAR16},
      {"O", WES_CIM_OBJECT},    {"P", WES_CIM_REFERENCE},
  };
  size_t i;
  (void)state;
  res = compile_ok(ns, "class T {\n"
                       "  sint8 A = -128;\n"
                       "  uint8 B = 255;\n"
                       "  sint16 C = -32768;\n"
                       "  uint16 D = 65535;\n"
                       "  sint32 E = -2147483648;\n"
                       "  uint32 F = 4294967295;\n"
                       "  sint64 G = -9223372036854775808;\n"
                       "  uint64 H = 18446744073709551615;\n"
                       "  real32 I = 1.5;\n"
                       "  real64 J = -1.2778E+02;\n"
                       "  boolean K = TRUE;\n"
                       "  string L = \"text\";\n"
                       "  datetime M = \"20240101120000.000000+060\";\n"
                       "  char16 N = 'x';\n"
                       "  object O;\n"
                       "  T ref P;\n"
                       "};\n");
  assert_int_equal(wes_mof_result_class_count(res), 1);
  c = wes_mof_result_class_at(res, 0);
  assert_string_equal(wes_class_name(c), "T");
  assert_ptr_equal(c, wes_namespace_get_class(ns, "t"));
  assert_null(wes_class_superclass(c));
  assert_int_equal(wes_class_property_count(c), sizeof(want) / sizeof(want[0]));
  for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    get_prop(c, want[i].name, &info);
    assert_int_equal(info.type, want[i].type);
    assert_int_equal(info.index, i);
  }
  get_prop(c, "P", &info);
  assert_string_equal(info.class_ref, "T");
  get_prop(c, "O", &info);
  assert_null(info.class_ref);

  o = instance_of(ns, "T");
  assert_int_equal(get(o, "A").u.sint, -128);
  assert_int_equal(get(o, "B").u.uint, 255);
  assert_int_equal(get(o, "C").u.sint, -32768);
  assert_int_equal(get(o, "D").u.uint, 65535);
  assert_true(get(o, "E").u.sint == INT32_MIN);
  assert_true(get(o, "F").u.uint == UINT32_MAX);
  assert_true(get(o, "G").u.sint == INT64_MIN);
  assert_true(get(o, "H").u.uint == UINT64_MAX);
  assert_true(get(o, "I").u.real == 1.5);
  assert_true(get(o, "J").u.real == -127.78);
  assert_hr_ok(wes_object_get(o, "K", &v));
  assert_false(v.is_null);
  assert_true(v.u.boolean);
  assert_string_equal(get(o, "L").u.str, "text");
  assert_string_equal(get(o, "M").u.str, "20240101120000.000000+060");
  assert_int_equal(get(o, "N").u.char16, 'x');
  assert_true(get(o, "O").is_null);
  assert_true(get(o, "P").is_null);
  wes_object_unref(o);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);
}

static void test_mof_numbers(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  wes_object_t *o;
  (void)state;
  res = compile_ok(ns, "class N {\n"
                       "  uint32 Hex = 0x41;\n"
                       "  uint32 HexUp = 0XfF;\n"
                       "  uint32 Oct = 0101;\n"
                       "  uint32 Bin = 1000001B;\n"
                       "  uint32 Bin2 = 101b;\n"
                       "  sint32 NegHex = -0x10;\n"
                       "  sint32 NegOct = -017;\n"
                       "  sint32 Zero = 0;\n"
                       "  sint32 Plus = +7;\n"
                       "  real64 R1 = .5;\n"
                       "  real64 R2 = -2.5e-3;\n"
                       "  real64 R3 = 12;\n"
                       "  real64 R4 = 1E3;\n"
                       "  real32 R5 = -0.25;\n"
                       "  char16 C = 65;\n"
                       "  uint64 Big = 0xFFFFFFFFFFFFFFFF;\n"
                       "};\n");
  o = instance_of(ns, "N");
  assert_int_equal(get(o, "Hex").u.uint, 0x41);
  assert_int_equal(get(o, "HexUp").u.uint, 0xFF);
  assert_int_equal(get(o, "Oct").u.uint, 0101);
  assert_int_equal(get(o, "Bin").u.uint, 0x41);
  assert_int_equal(get(o, "Bin2").u.uint, 5);
  assert_int_equal(get(o, "NegHex").u.sint, -16);
  assert_int_equal(get(o, "NegOct").u.sint, -15);
  assert_int_equal(get(o, "Zero").u.sint, 0);
  assert_int_equal(get(o, "Plus").u.sint, 7);
  assert_true(get(o, "R1").u.real == 0.5);
  assert_true(get(o, "R2").u.real == -2.5e-3);
  assert_true(get(o, "R3").u.real == 12.0);
  assert_true(get(o, "R4").u.real == 1000.0);
  assert_true(get(o, "R5").u.real == -0.25);
  assert_int_equal(get(o, "C").u.char16, 'A');
  assert_true(get(o, "Big").u.uint == UINT64_MAX);
  wes_object_unref(o);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  /* Ranges: one past each end. */
  check_error("class X { sint8 A = -129; };", WES_E_VALUE_OUT_OF_RANGE, 1,
              21);
  check_error("class X { sint8 A = 128; };", WES_E_VALUE_OUT_OF_RANGE, 1, 21);
  check_error("class X { uint8 A = 256; };", WES_E_VALUE_OUT_OF_RANGE, 1, 21);
  check_error("class X { uint8 A = -1; };", WES_E_VALUE_OUT_OF_RANGE, 1, 21);
  check_error("class X { sint16 A = 32768; };", WES_E_VALUE_OUT_OF_RANGE, 1,
              22);
  check_error("class X { uint16 A = 0x10000; };", WES_E_VALUE_OUT_OF_RANGE, 1,
              22);
  check_error("class X { sint32 A = 2147483648; };", WES_E_VALUE_OUT_OF_RANGE,
              1, 22);
  check_error("class X { uint32 A = 4294967296; };", WES_E_VALUE_OUT_OF_RANGE,
              1, 22);
  check_error("class X { sint64 A = 9223372036854775808; };",
              WES_E_VALUE_OUT_OF_RANGE, 1, 22);
  check_error("class X { sint64 A = -9223372036854775809; };",
              WES_E_VALUE_OUT_OF_RANGE, 1, 22);
  check_error("class X { uint64 A = 18446744073709551616; };",
              WES_E_VALUE_OUT_OF_RANGE, 1, 22);
  check_error("class X { uint64 A = 0x10000000000000000; };",
              WES_E_VALUE_OUT_OF_RANGE, 1, 22);
  check_error("class X { real32 A = 1e39; };", WES_E_VALUE_OUT_OF_RANGE, 1,
              22);
  check_error("class X { real64 A = 1e999; };", WES_E_VALUE_OUT_OF_RANGE, 1,
              22);
  check_error("class X { char16 A = 65536; };", WES_E_VALUE_OUT_OF_RANGE, 1,
              22);
  /* Malformed numbers. */
  check_error("class X { uint32 A = 0x; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class X { uint32 A = 09; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class X { uint32 A = 102b; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class X { uint32 A = 12abc; };", WES_E_INVALID_SYNTAX, 1, 24);
  check_error("class X { real64 A = 1.; };", WES_E_INVALID_SYNTAX, 1, 23);
  check_error("class X { real64 A = 1.5.2; };", WES_E_INVALID_SYNTAX, 1, 25);
  /* Type mismatches. */
  check_error("class X { uint32 A = 1.5; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class X { uint32 A = \"1\"; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class X { boolean A = 1; };", WES_E_TYPE_MISMATCH, 1, 23);
  check_error("class X { string A = 1; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class X { uint32 A = TRUE; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class X { char16 A = \"a\"; };", WES_E_TYPE_MISMATCH, 1, 22);
}

static void test_mof_strings(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  wes_object_t *o;
  wes_value_t v;
  (void)state;
  res = compile_ok(
      ns, "class S {\n"
          "  string Esc = \"a\\tb\\nc\\\\d\\\"e\\'f\\b\\f\\r\";\n"
          "  string Cat = \"abc\" \"def\"\n"
          "     // a comment between the parts\n"
          "     \"ghi\";\n"
          "  string Hex = \"\\x41\\X42\\x00e9\\x20AC\";\n"
          "  string Utf8 = \"gr\xC3\xBC\xC3\x9F \xE2\x82\xAC\";\n"
          "  string Empty = \"\";\n"
          "  char16 Q = '\\'';\n"
          "  char16 Bs = '\\\\';\n"
          "  char16 Euro = '\xE2\x82\xAC';\n"
          "  char16 Xe = '\\x263A';\n"
          "  string Slashes = \"\\\\\\\\.\\\\root\\\\cimv2\";\n"
          "};\n");
  o = instance_of(ns, "S");
  assert_string_equal(get(o, "Esc").u.str, "a\tb\nc\\d\"e'f\b\f\r");
  assert_string_equal(get(o, "Cat").u.str, "abcdefghi");
  assert_string_equal(get(o, "Hex").u.str, "AB\xC3\xA9\xE2\x82\xAC");
  assert_string_equal(get(o, "Utf8").u.str, "gr\xC3\xBC\xC3\x9F \xE2\x82\xAC");
  assert_hr_ok(wes_object_get(o, "Empty", &v));
  assert_false(v.is_null);
  assert_string_equal(v.u.str, "");
  assert_int_equal(get(o, "Q").u.char16, '\'');
  assert_int_equal(get(o, "Bs").u.char16, '\\');
  assert_int_equal(get(o, "Euro").u.char16, 0x20AC);
  assert_int_equal(get(o, "Xe").u.char16, 0x263A);
  assert_string_equal(get(o, "Slashes").u.str, "\\\\.\\root\\cimv2");
  wes_object_unref(o);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  check_error("class X { string A = \"abc; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class X { string A = \"a\nb\"; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class X { string A = \"a\\qb\"; };", WES_E_INVALID_SYNTAX, 1,
              24);
  check_error("class X { string A = \"a\\x\"; };", WES_E_INVALID_SYNTAX, 1, 24);
  check_error("class X { string A = \"a\\x0\"; };", WES_E_INVALID_SYNTAX, 1,
              24);
  check_error("class X { string A = \"a\\xD800\"; };", WES_E_INVALID_SYNTAX, 1,
              24);
  check_error("class X { string A = \"a\xFF\"; };", WES_E_INVALID_SYNTAX, 1,
              24);
  check_error("class X { string A = \"a\xC3\"; };", WES_E_INVALID_SYNTAX, 1,
              24);
  check_error("class X { char16 A = ''; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class X { char16 A = 'ab'; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class X { char16 A = '\xF0\x9F\x98\x80'; };",
              WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class X { char16 A = 'a", WES_E_INVALID_SYNTAX, 1, 22);
  /* An embedded NUL byte is not text. */
  check_error_at("class X { string A = \"a\0b\"; };", 31, WES_E_INVALID_SYNTAX,
                 1, 24);
  check_error_at("class X {\0};", 12, WES_E_INVALID_SYNTAX, 1, 10);
}

static void test_mof_arrays(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  const wes_class_t *c;
  wes_property_info_t info;
  wes_object_t *o;
  wes_value_t v;
  (void)state;
  res = compile_ok(ns, "class Arr {\n"
                       "  uint8 Data[];\n"
                       "  uint32 Fixed[4] = {1, 2};\n"
                       "  sint16 Neg[] = {-1, 0x7FFF, -0x8000};\n"
                       "  string Names[] = {\"a\", \"b\" \"c\", \"\"};\n"
                       "  boolean Flags[] = {TRUE, FALSE, true};\n"
                       "  real64 Reals[] = {1, 2.5, -3e2};\n"
                       "  real32 R32[] = {0.5};\n"
                       "  char16 Chars[] = {'a', 66};\n"
                       "  datetime Times[] = {\"20240101000000.000000+000\"};\n"
                       "  uint64 Empty[] = {};\n"
                       "  sint64 NullArr[] = NULL;\n"
                       "  object Objs[];\n"
                       "};\n");
  c = wes_mof_result_class_at(res, 0);
  get_prop(c, "Data", &info);
  assert_int_equal(info.type, WES_CIM_UINT8 | WES_CIM_FLAG_ARRAY);
  get_prop(c, "Fixed", &info);
  assert_int_equal(info.type, WES_CIM_UINT32 | WES_CIM_FLAG_ARRAY);
  get_prop(c, "Objs", &info);
  assert_int_equal(info.type, WES_CIM_OBJECT | WES_CIM_FLAG_ARRAY);
  o = instance_of(ns, "Arr");
  assert_true(get(o, "Data").is_null);
  assert_hr_ok(wes_object_get(o, "Fixed", &v));
  assert_false(v.is_null);
  assert_int_equal(v.u.array.count, 2);
  assert_int_equal(((const uint32_t *)v.u.array.data)[0], 1);
  assert_int_equal(((const uint32_t *)v.u.array.data)[1], 2);
  assert_hr_ok(wes_object_get(o, "Neg", &v));
  assert_int_equal(v.u.array.count, 3);
  assert_int_equal(((const int16_t *)v.u.array.data)[0], -1);
  assert_int_equal(((const int16_t *)v.u.array.data)[1], 0x7FFF);
  assert_int_equal(((const int16_t *)v.u.array.data)[2], -0x8000);
  assert_hr_ok(wes_object_get(o, "Names", &v));
  assert_int_equal(v.u.array.count, 3);
  assert_string_equal(((const char *const *)v.u.array.data)[0], "a");
  assert_string_equal(((const char *const *)v.u.array.data)[1], "bc");
  assert_string_equal(((const char *const *)v.u.array.data)[2], "");
  assert_hr_ok(wes_object_get(o, "Flags", &v));
  assert_int_equal(v.u.array.count, 3);
  assert_int_equal(((const uint8_t *)v.u.array.data)[0], 1);
  assert_int_equal(((const uint8_t *)v.u.array.data)[1], 0);
  assert_int_equal(((const uint8_t *)v.u.array.data)[2], 1);
  assert_hr_ok(wes_object_get(o, "Reals", &v));
  assert_true(((const double *)v.u.array.data)[0] == 1.0);
  assert_true(((const double *)v.u.array.data)[1] == 2.5);
  assert_true(((const double *)v.u.array.data)[2] == -300.0);
  assert_true(((const float *)get(o, "R32").u.array.data)[0] == 0.5f);
  assert_hr_ok(wes_object_get(o, "Chars", &v));
  assert_int_equal(((const uint16_t *)v.u.array.data)[0], 'a');
  assert_int_equal(((const uint16_t *)v.u.array.data)[1], 'B');
  assert_hr_ok(wes_object_get(o, "Times", &v));
  assert_string_equal(((const char *const *)v.u.array.data)[0],
                      "20240101000000.000000+000");
  assert_hr_ok(wes_object_get(o, "Empty", &v));
  assert_false(v.is_null);
  assert_int_equal(v.u.array.count, 0);
  assert_true(get(o, "NullArr").is_null);
  wes_object_unref(o);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  check_error("class X { uint8 A[] = 1; };", WES_E_TYPE_MISMATCH, 1, 23);
  check_error("class X { uint8 A = {1}; };", WES_E_TYPE_MISMATCH, 1, 21);
  check_error("class X { uint8 A[] = {1, 256}; };", WES_E_VALUE_OUT_OF_RANGE,
              1, 27);
  check_error("class X { uint8 A[] = {1, \"a\"}; };", WES_E_TYPE_MISMATCH, 1,
              27);
  check_error("class X { uint8 A[] = {1, NULL}; };", WES_E_TYPE_MISMATCH, 1,
              27);
  check_error("class X { uint8 A[] = {{1}}; };", WES_E_TYPE_MISMATCH, 1, 24);
  check_error("class X { uint8 A[] = {1,}; };", WES_E_INVALID_SYNTAX, 1, 26);
  check_error("class X { uint8 A[] = {1 2}; };", WES_E_INVALID_SYNTAX, 1, 26);
  check_error("class X { uint8 A[x]; };", WES_E_INVALID_SYNTAX, 1, 19);
  check_error("class X { uint8 A[; };", WES_E_INVALID_SYNTAX, 1, 19);
}

static void test_mof_inheritance_and_override(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  const wes_class_t *base, *derived, *leaf;
  wes_property_info_t info;
  wes_object_t *o;
  wes_value_t v;
  (void)state;
  res = compile_ok(ns,
                   "[abstract] class Base {\n"
                   "  [key] string Id;\n"
                   "  uint32 Level = 1;\n"
                   "  string Note;\n"
                   "};\n"
                   "class Derived : Base {\n"
                   "  uint32 Level = 5;\n"                 /* new default */
                   "  [Description(\"overridden\")] string Note;\n"
                   "  boolean Extra = FALSE;\n"
                   "};\n"
                   "class Leaf : Derived { };\n");
  assert_int_equal(wes_mof_result_class_count(res), 3);
  base = wes_mof_result_class_at(res, 0);
  derived = wes_mof_result_class_at(res, 1);
  leaf = wes_mof_result_class_at(res, 2);
  assert_true(wes_class_flags(base) & WES_CLASS_ABSTRACT);
  assert_false(wes_class_flags(derived) & WES_CLASS_ABSTRACT);
  assert_ptr_equal(wes_class_superclass(derived), base);
  assert_ptr_equal(wes_class_superclass(leaf), derived);
  assert_true(wes_class_derives_from(leaf, "Base"));
  assert_int_equal(wes_class_property_count(derived), 4);
  assert_int_equal(wes_class_property_count(leaf), 4);
  get_prop(derived, "Id", &info);
  assert_int_equal(info.index, 0);
  assert_true(info.flags & WES_PROP_KEY);
  assert_string_equal(info.origin, "Base");
  get_prop(derived, "Level", &info);
  assert_int_equal(info.index, 1);
  get_prop(derived, "Extra", &info);
  assert_int_equal(info.index, 3);
  assert_string_equal(info.origin, "Derived");
  assert_hr_ok(wes_class_get_qualifier(derived, "Note", "Description", &v));
  assert_string_equal(v.u.str, "overridden");
  o = instance_of(ns, "Leaf");
  assert_int_equal(get(o, "Level").u.uint, 5);
  assert_string_equal(wes_class_name(wes_object_class(o)), "Leaf");
  wes_object_unref(o);
  /* An event class derives from the system tree. */
  wes_mof_result_free(res);
  res = compile_ok(ns, "class MyEvent : __ExtrinsicEvent { string S; };");
  assert_true(wes_class_derives_from(wes_mof_result_class_at(res, 0),
                                     "__Event"));
  get_prop(wes_mof_result_class_at(res, 0), "TIME_CREATED", &info);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  check_error("class A { uint32 X; }; class B : A { string X; };",
              WES_E_TYPE_MISMATCH, 1, 45);
  check_error("class A { }; class A { };", WES_E_ALREADY_EXISTS, 1, 20);
  check_error("class __Event { };", WES_E_ALREADY_EXISTS, 1, 7);
  check_error("class A : B { };", WES_E_INVALID_SUPERCLASS, 1, 11);
  check_error("class A : A { };", WES_E_INVALID_SUPERCLASS, 1, 11);
  check_error("class __Mine { };", WES_E_INVALID_CLASS, 1, 7);
  check_error("class A { string _x; };", WES_E_INVALID_PROPERTY, 1, 18);
  check_error("class A { string X; string x; };", WES_E_ALREADY_EXISTS, 1, 28);
}

static void test_mof_qualifiers(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  const wes_class_t *c;
  wes_property_info_t info;
  wes_value_t v;
  (void)state;
  res = compile_ok(
      ns, "[Description(\"A class\" \" with qualifiers\"), Version(3),\n"
          " dynamic : ToInstance, provider(\"P\") : ToSubclass "
          "DisableOverride]\n"
          "class Q {\n"
          "  [key, MaxLen(10)] string Name;\n"
          "  [read] uint32 RO;\n"
          "  [read, write] uint32 RW;\n"
          "  [Values{\"Off\", \"On\"}, ValueMap{\"0\", \"1\"}] uint16 State;\n"
          "  [Units(\"ms\") : Amended, Scale(-3), Weight(0.5)] uint32 T;\n"
          "  [key(false)] string NotKey;\n"
          "  [Big(5000000000)] uint64 B;\n"
          "};\n");
  c = wes_mof_result_class_at(res, 0);
  assert_false(wes_class_flags(c) & WES_CLASS_ABSTRACT);
  assert_hr_ok(wes_class_get_qualifier(c, NULL, "description", &v));
  assert_int_equal(v.type, WES_CIM_STRING);
  assert_string_equal(v.u.str, "A class with qualifiers");
  assert_hr_ok(wes_class_get_qualifier(c, NULL, "Version", &v));
  assert_int_equal(v.type, WES_CIM_SINT32);
  assert_int_equal(v.u.sint, 3);
  assert_hr_ok(wes_class_get_qualifier(c, NULL, "dynamic", &v));
  assert_int_equal(v.type, WES_CIM_BOOLEAN);
  assert_true(v.u.boolean);
  assert_hr_ok(wes_class_get_qualifier(c, NULL, "provider", &v));
  assert_string_equal(v.u.str, "P");
  get_prop(c, "Name", &info);
  assert_true(info.flags & WES_PROP_KEY);
  assert_hr_ok(wes_class_get_qualifier(c, "Name", "MaxLen", &v));
  assert_int_equal(v.u.sint, 10);
  get_prop(c, "RO", &info);
  assert_true(info.flags & WES_PROP_READ_ONLY);
  get_prop(c, "RW", &info);
  assert_false(info.flags & WES_PROP_READ_ONLY);
  assert_hr_ok(wes_class_get_qualifier(c, "State", "Values", &v));
  assert_int_equal(v.type, WES_CIM_STRING | WES_CIM_FLAG_ARRAY);
  assert_int_equal(v.u.array.count, 2);
  assert_string_equal(((const char *const *)v.u.array.data)[1], "On");
  assert_hr_ok(wes_class_get_qualifier(c, "T", "Scale", &v));
  assert_int_equal(v.u.sint, -3);
  assert_hr_ok(wes_class_get_qualifier(c, "T", "Weight", &v));
  assert_int_equal(v.type, WES_CIM_REAL64);
  assert_true(v.u.real == 0.5);
  get_prop(c, "NotKey", &info);
  assert_false(info.flags & WES_PROP_KEY);
  assert_hr_ok(wes_class_get_qualifier(c, "B", "Big", &v));
  assert_int_equal(v.type, WES_CIM_SINT64);
  assert_true(v.u.sint == 5000000000LL);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  check_error("[key] class A { };", WES_E_INVALID_QUALIFIER, 1, 2);
  check_error("class A { [abstract] string X; };", WES_E_INVALID_QUALIFIER, 1,
              12);
  check_error("class A { [key, key] string X; };", WES_E_INVALID_QUALIFIER, 1,
              17);
  check_error("class A { [key(\"yes\")] string X; };",
              WES_E_INVALID_QUALIFIER_TYPE, 1, 16);
  check_error("[abstract(1)] class A { };", WES_E_INVALID_QUALIFIER_TYPE, 1,
              11);
  check_error("class A { [Values{1, \"a\"}] string X; };",
              WES_E_INVALID_QUALIFIER_TYPE, 1, 22);
  check_error("class A { [key : Bogus] string X; };", WES_E_INVALID_SYNTAX, 1,
              18);
  check_error("class A { [key string X; };", WES_E_INVALID_SYNTAX, 1, 16);
  check_error("class A { [] string X; };", WES_E_INVALID_SYNTAX, 1, 12);
  check_error("class A { [Description(\"x\"] string X; };",
              WES_E_INVALID_SYNTAX, 1, 27);
  check_error("class A { [key] real32 X; };", WES_E_CANNOT_BE_KEY, 1, 24);
  check_error("[x] qualifier Foo : boolean;", WES_E_INVALID_SYNTAX, 1, 5);
}

static void test_mof_embedded_and_ref(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  const wes_class_t *c;
  wes_property_info_t info;
  (void)state;
  res = compile_ok(ns,
                   "class Disk { [key] string DeviceID; uint64 Size; };\n"
                   "class Node {\n"
                   "  object Weak;\n"
                   "  Disk Strong;\n"                          /* WMI form */
                   "  [EmbeddedInstance(\"Disk\")] string Dmtf;\n"
                   "  [EmbeddedObject] string AnyObj;\n"
                   "  [CIMTYPE(\"object:Disk\")] object ByQual;\n"
                   "  [CIMTYPE(\"uint32\")] uint32 Plain;\n"
                   "  Disk ref DiskRef;\n"
                   "  object ref AnyRef;\n"
                   "  Node Next;\n"                            /* itself */
                   "  Node ref Self;\n"
                   "  Disk Disks[];\n"
                   "  [CIMTYPE(\"ref:Disk\")] Disk ref R2;\n"
                   "};\n");
  c = wes_mof_result_class_at(res, 1);
  get_prop(c, "Weak", &info);
  assert_int_equal(info.type, WES_CIM_OBJECT);
  assert_null(info.class_ref);
  get_prop(c, "Strong", &info);
  assert_int_equal(info.type, WES_CIM_OBJECT);
  assert_string_equal(info.class_ref, "Disk");
  get_prop(c, "Dmtf", &info);
  assert_int_equal(info.type, WES_CIM_OBJECT);
  assert_string_equal(info.class_ref, "Disk");
  get_prop(c, "AnyObj", &info);
  assert_int_equal(info.type, WES_CIM_OBJECT);
  assert_null(info.class_ref);
  get_prop(c, "ByQual", &info);
  assert_int_equal(info.type, WES_CIM_OBJECT);
  assert_string_equal(info.class_ref, "Disk");
  get_prop(c, "Plain", &info);
  assert_int_equal(info.type, WES_CIM_UINT32);
  get_prop(c, "DiskRef", &info);
  assert_int_equal(info.type, WES_CIM_REFERENCE);
  assert_string_equal(info.class_ref, "Disk");
  get_prop(c, "AnyRef", &info);
  assert_int_equal(info.type, WES_CIM_REFERENCE);
  assert_null(info.class_ref);
  get_prop(c, "Next", &info);
  assert_string_equal(info.class_ref, "Node");
  get_prop(c, "Self", &info);
  assert_int_equal(info.type, WES_CIM_REFERENCE);
  assert_string_equal(info.class_ref, "Node");
  get_prop(c, "Disks", &info);
  assert_int_equal(info.type, WES_CIM_OBJECT | WES_CIM_FLAG_ARRAY);
  assert_string_equal(info.class_ref, "Disk");
  get_prop(c, "R2", &info);
  assert_string_equal(info.class_ref, "Disk");
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  check_error("class B { }; class A { object O = instance of B { }; };",
              WES_E_NOT_SUPPORTED, 1, 35);
  check_error("class A { Nope X; };", WES_E_INVALID_CIM_TYPE, 1, 11);
  check_error("class A { Nope ref X; };", WES_E_INVALID_CLASS, 1, 11);
  check_error("class A { uint32 ref X; };", WES_E_INVALID_CIM_TYPE, 1, 11);
  check_error("class A { reference X; };", WES_E_INVALID_CIM_TYPE, 1, 11);
  check_error("class A { [EmbeddedInstance(\"Nope\")] string X; };",
              WES_E_INVALID_CLASS, 1, 29);
  check_error("class A { [EmbeddedInstance(\"A\")] uint32 X; };",
              WES_E_INVALID_QUALIFIER, 1, 12);
  check_error("class A { [EmbeddedInstance(1)] string X; };",
              WES_E_INVALID_QUALIFIER_TYPE, 1, 12);
  check_error("class A { [CIMTYPE(\"object:Nope\")] object X; };",
              WES_E_INVALID_CLASS, 1, 20);
  check_error("class A { [CIMTYPE(\"object:A\")] string X; };",
              WES_E_INVALID_QUALIFIER, 1, 20);
  check_error("class A { [CIMTYPE(\"sint32\")] uint32 X; };",
              WES_E_INVALID_QUALIFIER, 1, 20);
  check_error("class A { [CIMTYPE(\"bogus\")] uint32 X; };",
              WES_E_INVALID_QUALIFIER, 1, 20);
  check_error("class A { [CIMTYPE(\"weird:A\")] object X; };",
              WES_E_INVALID_QUALIFIER, 1, 20);
}

/* ---- instances ---- */

static void test_mof_instances(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  wes_object_t *o, *e;
  wes_value_t v;
  (void)state;
  res = compile_ok(
      ns,
      "class Disk { [key] string DeviceID; uint64 Size = 10; };\n"
      "class Ev : __ExtrinsicEvent {\n"
      "  string S; sint8 I8; uint16 U16; sint64 I64; real32 F; real64 D;\n"
      "  boolean B; char16 C; datetime T; Disk ref R; object O;\n"
      "  Disk Emb; Disk Many[]; uint8 Bytes[]; string Strs[];\n"
      "  uint32 Def = 7; string Nul = \"x\";\n"
      "};\n"
      "instance of Disk as $D1 { DeviceID = \"C:\"; Size = 0x100; };\n"
      "[Description(\"ignored\")]\n"
      "instance of Ev {\n"
      "  S = \"str\" \"ing\"; I8 = -5; U16 = 0xFFFF; I64 = -1; F = 0.5;\n"
      "  D = 2.25; B = true; C = 'z';\n"
      "  T = \"20240102030405.123456-300\";\n"
      "  R = $D1;\n"
      "  O = instance of Disk { DeviceID = \"D:\"; };\n"
      "  Emb = instance of Disk { DeviceID = \"E:\"; Size = 5; };\n"
      "  Many = { instance of Disk { DeviceID = \"F:\"; },\n"
      "           instance of Disk { DeviceID = \"G:\"; } };\n"
      "  Bytes = {1, 2, 0xFF};\n"
      "  [Description(\"qualifiers on instance properties are ignored\")]\n"
      "  Strs = {\"a\"};\n"
      "  Nul = NULL;\n"
      "};\n");
  assert_int_equal(wes_mof_result_class_count(res), 2);
  assert_int_equal(wes_mof_result_instance_count(res), 2);
  assert_null(wes_mof_result_instance_at(res, 2));
  o = wes_mof_result_instance_at(res, 0);
  assert_true(wes_object_is_frozen(o));
  assert_int_equal(get(o, "Size").u.uint, 256);
  o = wes_mof_result_instance_at(res, 1);
  assert_true(wes_object_is_frozen(o));
  assert_true(wes_object_isa(o, "__Event"));
  assert_string_equal(get(o, "S").u.str, "string");
  assert_int_equal(get(o, "I8").u.sint, -5);
  assert_int_equal(get(o, "U16").u.uint, 0xFFFF);
  assert_int_equal(get(o, "I64").u.sint, -1);
  assert_true(get(o, "F").u.real == 0.5);
  assert_true(get(o, "D").u.real == 2.25);
  assert_true(get(o, "B").u.boolean);
  assert_int_equal(get(o, "C").u.char16, 'z');
  assert_string_equal(get(o, "T").u.str, "20240102030405.123456-300");
  assert_hr_ok(wes_object_get(o, "R", &v));
  assert_false(v.is_null);
  assert_string_equal(v.u.str, "Disk.DeviceID=\"C:\"");
  assert_hr_ok(wes_object_get(o, "O", &v));
  assert_non_null(v.u.object);
  assert_true(wes_object_isa(v.u.object, "Disk"));
  assert_hr_ok(wes_object_get(o, "Emb", &v));
  e = v.u.object;
  assert_string_equal(get(e, "DeviceID").u.str, "E:");
  assert_int_equal(get(e, "Size").u.uint, 5);
  assert_hr_ok(wes_object_get(o, "Many", &v));
  assert_int_equal(v.u.array.count, 2);
  e = ((wes_object_t *const *)v.u.array.data)[1];
  assert_string_equal(get(e, "DeviceID").u.str, "G:");
  assert_hr_ok(wes_object_get(e, "Size", &v)); /* class default */
  assert_int_equal(v.u.uint, 10);
  assert_hr_ok(wes_object_get(o, "Bytes", &v));
  assert_int_equal(v.u.array.count, 3);
  assert_int_equal(((const uint8_t *)v.u.array.data)[2], 0xFF);
  assert_int_equal(get(o, "Def").u.uint, 7);
  assert_true(get(o, "Nul").is_null);
  wes_mof_result_free(res);

  /* Instances of classes from earlier texts and system classes. */
  res = compile_ok(ns, "instance of Disk { DeviceID = \"Z:\"; };\n"
                       "instance of __IntervalTimerInstruction {\n"
                       "  TimerId = \"T1\"; IntervalBetweenEvents = 10000;\n"
                       "  SkipIfPassed = FALSE; };\n"
                       "instance of Disk { };\n");
  assert_int_equal(wes_mof_result_class_count(res), 0);
  assert_int_equal(wes_mof_result_instance_count(res), 3);
  o = wes_mof_result_instance_at(res, 1);
  assert_int_equal(get(o, "IntervalBetweenEvents").u.uint, 10000);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  /* NULL ret_result is allowed: the classes stay, the result is dropped. */
  ns = new_ns();
  assert_hr_ok(wes_mof_compile(ns, "class K { }; instance of K { };", 31,
                               NULL, NULL, NULL));
  assert_non_null(wes_namespace_get_class(ns, "K"));
  wes_namespace_unref(ns);

#define DISK "class Disk { [key] string Id; uint32 N; };\n"
  check_error(DISK "instance of Nope { };", WES_E_INVALID_CLASS, 2, 13);
  check_error(DISK "instance of Disk { Bad = 1; };", WES_E_INVALID_PROPERTY, 2,
              20);
  check_error(DISK "instance of Disk { __CLASS = \"x\"; };",
              WES_E_INVALID_PROPERTY, 2, 20);
  check_error(DISK "instance of Disk { N = 1; n = 2; };",
              WES_E_ALREADY_EXISTS, 2, 27);
  check_error(DISK "instance of Disk { N = -1; };", WES_E_VALUE_OUT_OF_RANGE,
              2, 24);
  check_error(DISK "instance of Disk { N = \"1\"; };", WES_E_TYPE_MISMATCH, 2,
              24);
  check_error(DISK "instance of Disk { N = 1 };", WES_E_INVALID_SYNTAX, 2, 26);
  check_error(DISK "instance of Disk { N 1; };", WES_E_INVALID_SYNTAX, 2, 22);
  check_error(DISK "instance of Disk { N = 1; }", WES_E_INVALID_SYNTAX, 2, 28);
  check_error(DISK "instance Disk { };", WES_E_INVALID_SYNTAX, 2, 10);
  check_error(DISK "instance of Disk { N = 1;", WES_E_INVALID_SYNTAX, 2, 26);
  check_error(DISK "instance of Disk as D { };", WES_E_INVALID_SYNTAX, 2, 21);
  check_error(DISK "instance of Disk as $A { }; instance of Disk as $a { };",
              WES_E_ALREADY_EXISTS, 2, 49);
  check_error("class E : __ExtrinsicEvent { Disk ref R; };\n"
              "instance of E { R = $Nope; };",
              WES_E_INVALID_CLASS, 1, 30);
  check_error(DISK "class E : __ExtrinsicEvent { Disk ref R; };\n"
                   "instance of E { R = $Nope; };",
              WES_E_INVALID_SYNTAX, 3, 21);
  check_error(DISK "class E : __ExtrinsicEvent { Disk ref R; uint32 U; };\n"
                   "instance of E as $E { };\n"
                   "instance of E { R = $E; };",
              WES_E_TYPE_MISMATCH, 4, 21);
  check_error(DISK "class E : __ExtrinsicEvent { Disk ref R; uint32 U; };\n"
                   "instance of E { U = $E; };",
              WES_E_TYPE_MISMATCH, 3, 21);
  check_error(DISK "class E : __ExtrinsicEvent { Disk Emb; };\n"
                   "instance of E { Emb = instance of E { }; };",
              WES_E_TYPE_MISMATCH, 3, 23);
  check_error(DISK "class E : __ExtrinsicEvent { Disk Emb; };\n"
                   "instance of E { Emb = instance of Disk as $X { }; };",
              WES_E_INVALID_SYNTAX, 3, 43);
  check_error(DISK "[abstract] class Abs { };\ninstance of Abs { };",
              WES_E_INVALID_OPERATION, 3, 13);
  check_error(DISK "instance of __Event { };", WES_E_INVALID_OPERATION, 2,
              13);
  check_error(DISK "class E : __ExtrinsicEvent { datetime T; };\n"
              "instance of E { T = \"20241301000000.000000+000\"; };",
              WES_E_VALUE_OUT_OF_RANGE, 3, 21);
  check_error(DISK "class E : __ExtrinsicEvent { datetime T; };\n"
              "instance of E { T = \"yesterday\"; };",
              WES_E_TYPE_MISMATCH, 3, 21);
#undef DISK
}

/* ---- pragma, comments, methods, qualifier declarations ---- */

static void test_mof_pragma(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  (void)state;
  res = compile_ok(ns, "class A { };");
  assert_null(wes_mof_result_pragma_namespace(res));
  wes_mof_result_free(res);
  res = compile_ok(ns, "#pragma namespace(\"\\\\\\\\.\\\\root\\\\default\")\n"
                       "#pragma classflags(\"forceupdate\", \"updateonly\")\n"
                       "#pragma instanceflags(\"createonly\")\n"
                       "#pragma locale(\"ms_409\")\n"
                       "#pragma autorecover\n"
                       "  #  pragma namespace (\"\\\\\\\\.\\\\root\\\\\"\n"
                       "  \"cimv2\")\n"
                       "class B { };\n");
  assert_string_equal(wes_mof_result_pragma_namespace(res),
                      "\\\\.\\root\\cimv2");
  assert_int_equal(wes_mof_result_class_count(res), 1);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  check_error("#pragma include(\"other.mof\")", WES_E_NOT_SUPPORTED, 1, 1);
  check_error("class A { };\n#pragma deleteclass(\"A\", NOFAIL)",
              WES_E_NOT_SUPPORTED, 2, 1);
  check_error("#pragma namespace(root)", WES_E_INVALID_SYNTAX, 1, 19);
  check_error("#pragma namespace(\"x\"", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("#pragma namespace", WES_E_INVALID_SYNTAX, 1, 18);
  check_error("#pragma", WES_E_INVALID_SYNTAX, 1, 8);
  check_error("#include \"x\"", WES_E_INVALID_SYNTAX, 1, 2);
  check_error("#pragma locale(\"x\"", WES_E_INVALID_SYNTAX, 1, 19);
}

static void test_mof_comments_and_layout(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  (void)state;
  res = compile_ok(ns, "// leading comment\r\n"
                       "/* block\r\n comment */ class /* inside */ A\r\n"
                       "{ // trailing\r\n"
                       "  string /**/ X; /* several\n\n lines */\n"
                       "}\t;\f\n"
                       "CLASS B : a { STRING Y = NULL; };\n"
                       "INSTANCE OF b { x = \"1\"; Y = \"2\"; };\n"
                       "// no newline at end");
  assert_int_equal(wes_mof_result_class_count(res), 2);
  assert_int_equal(wes_mof_result_instance_count(res), 1);
  wes_mof_result_free(res);
  /* Empty texts compile to nothing. */
  res = compile_ok(ns, "");
  assert_int_equal(wes_mof_result_class_count(res), 0);
  wes_mof_result_free(res);
  res = compile_ok(ns, "  /* only */ // comments\n");
  assert_int_equal(wes_mof_result_instance_count(res), 0);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  check_error("class A { }; /* never closed", WES_E_INVALID_SYNTAX, 1, 14);
  /* Lines count \n, \r\n and \r; columns count characters. */
  check_error("\r\n\r\n  class A { @ };", WES_E_INVALID_SYNTAX, 3, 13);
  check_error("\r\rclass A { @ };", WES_E_INVALID_SYNTAX, 3, 11);
  check_error("class A { [Description(\"\xC3\xA9\xC3\xA9\")] string X }; ",
              WES_E_INVALID_SYNTAX, 1, 40);
}

static void test_mof_methods_and_qualifier_decls(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  const wes_class_t *c;
  (void)state;
  res = compile_ok(
      ns, "qualifier Description : string = NULL, Scope(any),\n"
          "  Flavor(ToSubclass, Translatable);\n"
          "Qualifier Key : boolean = false, Scope(property, reference);\n"
          "qualifier Values : string[], scope(property);\n"
          "qualifier Fixed : uint32[4] = {1, 2};\n"
          "class P {\n"
          "  [key] string Name;\n"
          "  [static, implemented] uint32 Create([in] string CommandLine,\n"
          "      [in, out] uint32 Pid[], [in] P ref Parent,\n"
          "      [in] sint32 Opt = 5);\n"
          "  uint32 Stop();\n"
          "  void Reset([in] boolean Hard);\n"
          "  string After;\n"
          "};\n");
  c = wes_mof_result_class_at(res, 0);
  assert_int_equal(wes_class_property_count(c), 2);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);

  check_error("class P { uint32 M(; };", WES_E_INVALID_SYNTAX, 1, 20);
  check_error("class P { uint32 M(uint32 a) };", WES_E_INVALID_SYNTAX, 1, 30);
  check_error("class P { uint32 M(uint32 a b); };", WES_E_INVALID_SYNTAX, 1,
              29);
  check_error("qualifier Q : widget;", WES_E_INVALID_CIM_TYPE, 1, 15);
  check_error("qualifier Q boolean;", WES_E_INVALID_SYNTAX, 1, 13);
  check_error("qualifier Q : boolean, Bogus(x);", WES_E_INVALID_SYNTAX, 1, 24);
  check_error("qualifier Q : boolean", WES_E_INVALID_SYNTAX, 1, 22);
}

/* ---- errors ---- */

static void test_mof_syntax_errors(void **state) {
  (void)state;
  check_error("class", WES_E_INVALID_SYNTAX, 1, 6);
  check_error("class 1A { };", WES_E_INVALID_SYNTAX, 1, 8);
  check_error("class 1 { };", WES_E_INVALID_SYNTAX, 1, 7);
  check_error("class A", WES_E_INVALID_SYNTAX, 1, 8);
  check_error("class A ; ", WES_E_INVALID_SYNTAX, 1, 9);
  check_error("class A : { };", WES_E_INVALID_SYNTAX, 1, 11);
  check_error("class A { };;", WES_E_INVALID_SYNTAX, 1, 13);
  check_error("class A { }", WES_E_INVALID_SYNTAX, 1, 12);
  check_error("class A {\n  uint32 X\n};", WES_E_INVALID_SYNTAX, 3, 1);
  check_error("class A {\n  uint32 X;", WES_E_INVALID_SYNTAX, 2, 12);
  check_error("class A { uint32; };", WES_E_INVALID_SYNTAX, 1, 17);
  check_error("class A { 5 X; };", WES_E_INVALID_SYNTAX, 1, 11);
  check_error("class A { uint32 X = ; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class A { uint32 X = }; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class A { string X = instance; };", WES_E_INVALID_SYNTAX, 1,
              30);
  check_error("class A { string X = foo; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class A { string X = $; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class A { string X = @; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("widget A { };", WES_E_INVALID_SYNTAX, 1, 1);
  check_error("[Description(\"x\")] widget A { };", WES_E_INVALID_SYNTAX, 1,
              20);
  check_error("}", WES_E_INVALID_SYNTAX, 1, 1);
  check_error("class A { }; \x80", WES_E_INVALID_SYNTAX, 1, 14);
  check_error("class A { string X = 'a'; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class A { uint32 X[] = {1}, 2; };", WES_E_INVALID_SYNTAX, 1, 27);
}

static void test_mof_message_text(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_error_t err;
  const char *t = "class A {\n  uint32 X\n};";
  (void)state;
  wes_error_clear(&err);
  assert_hr_equal(wes_mof_compile(ns, t, strlen(t), "a.mof", NULL, &err),
                  WES_E_INVALID_SYNTAX);
  assert_non_null(strstr(err.text, "expected ';' after property declaration"));
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 1);
  t = "class A : Missing { };";
  assert_hr_equal(wes_mof_compile(ns, t, strlen(t), NULL, NULL, &err),
                  WES_E_INVALID_SUPERCLASS);
  assert_non_null(strstr(err.text, "Missing"));
  /* NULL reterr is allowed. */
  assert_hr_equal(wes_mof_compile(ns, t, strlen(t), NULL, NULL, NULL),
                  WES_E_INVALID_SUPERCLASS);
  wes_namespace_unref(ns);
}

static char *repeat(const char *head, const char *unit, size_t n,
                    const char *mid, const char *tail_unit,
                    const char *tail) {
  size_t len = strlen(head) + n * (strlen(unit) + strlen(tail_unit)) +
               strlen(mid) + strlen(tail) + 1;
  char *s = malloc(len);
  size_t i;
  assert_non_null(s);
  strcpy(s, head);
  for (i = 0; i < n; i++) {
    strcat(s, unit);
  }
  strcat(s, mid);
  for (i = 0; i < n; i++) {
    strcat(s, tail_unit);
  }
  strcat(s, tail);
  return s;
}

/* A chain of `depth` objects of class N (property O) below a new top
 * object, built through the object model. */
static wes_object_t *object_chain(wes_namespace_t *ns, int depth,
                                  int in_array) {
  wes_object_t *inner = instance_of(ns, "N"), *outer;
  int i;
  for (i = 0; i < depth; i++) {
    outer = instance_of(ns, "N");
    if (in_array) {
      wes_value_t v;
      memset(&v, 0, sizeof(v));
      v.type = WES_CIM_OBJECT | WES_CIM_FLAG_ARRAY;
      v.u.array.data = &inner;
      v.u.array.count = 1;
      assert_hr_ok(wes_object_set(outer, "A", &v));
    } else {
      assert_hr_ok(wes_object_set_object(outer, "O", inner));
    }
    wes_object_unref(inner);
    inner = outer;
  }
  return inner;
}

static void test_mof_deep_nesting(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  wes_error_t err;
  char *t;
  int in_array;
  (void)state;
  /* An instance with 64 levels of embedded instances (what the object
   * model allows, WES_MAX_OBJECT_NESTING): accepted. */
  t = repeat("class N { object O; };\ninstance of N { ", "O = instance of N { ",
             WES_MAX_OBJECT_NESTING, "", "}; ", "};");
  res = compile_ok(ns, t);
  assert_int_equal(wes_mof_result_instance_count(res), 1);
  wes_mof_result_free(res);
  free(t);
  wes_namespace_unref(ns);
  /* One more: 65 levels. The error points at the 65th embedded '{'. */
  t = repeat("class N { object O; };\ninstance of N { ", "O = instance of N { ",
             WES_MAX_OBJECT_NESTING + 1, "", "}; ", "};");
  check_error(t, WES_E_QUOTA_VIOLATION, 2,
              (uint32_t)(16 + (WES_MAX_OBJECT_NESTING + 1) * 20 - 1));
  free(t);
  /* Arrays of instances: their braces do not count as object levels. */
  t = repeat("class N { object O[]; };\ninstance of N { ",
             "O = { instance of N { ", WES_MAX_OBJECT_NESTING, "", "} }; ",
             "};");
  ns = new_ns();
  res = compile_ok(ns, t);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);
  free(t);
  t = repeat("class N { object O[]; };\ninstance of N { ",
             "O = { instance of N { ", WES_MAX_OBJECT_NESTING + 1, "", "} }; ",
             "};");
  check_error(t, WES_E_QUOTA_VIOLATION, 2,
              (uint32_t)(16 + (WES_MAX_OBJECT_NESTING + 1) * 22 - 1));
  ns = new_ns();
  wes_error_clear(&err);
  assert_hr_equal(wes_mof_compile(ns, t, strlen(t), NULL, NULL, &err),
                  WES_E_QUOTA_VIOLATION);
  assert_null(wes_namespace_get_class(ns, "N"));
  assert_non_null(strstr(err.text, "64"));
  wes_namespace_unref(ns);
  free(t);
  /* Braces alone, far beyond the limit: no stack overflow. The brace
   * limit is 2 * 64 + 2 (a top-level body, then an array and an instance
   * body per embedded level, and one array brace more). */
  t = repeat("class A { uint8 X[] = ", "{", 100000, "1", "}", "; };");
  check_error(t, WES_E_QUOTA_VIOLATION, 1, 23 + 2 * WES_MAX_OBJECT_NESTING + 2);
  free(t);
  /* compile(render(x)) for the deepest objects the object model builds,
   * embedded directly and through arrays */
  for (in_array = 0; in_array <= 1; in_array++) {
    wes_object_t *o;
    ns = new_ns();
    res = compile_ok(ns, "class N { object O; object A[]; };");
    wes_mof_result_free(res);
    o = object_chain(ns, WES_MAX_OBJECT_NESTING, in_array);
    check_round_trip(ns, o);
    wes_object_unref(o);
    wes_namespace_unref(ns);
  }
}

static void test_mof_limits(void **state) {
  static char t_buf[2048];
  static char wide[64 + (WES_MAX_USER_PROPERTIES + 1) * 16];
  char name[300];
  char *t;
  size_t i, len;
  wes_namespace_t *ns;
  wes_mof_result_t *res;
  (void)state;
  memset(name, 'N', 256);
  name[256] = '\0';
  t = t_buf;
  snprintf(t, 2048, "class %s { };", name);
  check_error(t, WES_E_CLASS_NAME_TOO_WIDE, 1, 7);
  snprintf(t, 2048, "class A { string %s; };", name);
  check_error(t, WES_E_PROPERTY_NAME_TOO_WIDE, 1, 18);
  snprintf(t, 2048, "class A { [%s] string X; };", name);
  check_error(t, WES_E_QUALIFIER_NAME_TOO_WIDE, 1, 12);
  /* 255 bytes is fine. */
  name[255] = '\0';
  snprintf(t, 2048, "class %s { string %s; };", name, name);
  ns = new_ns();
  res = compile_ok(ns, t);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);
  /* More properties than a class may have. */
  len = sizeof(wide);
  t = wide;
  strcpy(t, "class Wide {");
  for (i = 0; i <= WES_MAX_USER_PROPERTIES; i++) {
    char prop[32];
    snprintf(prop, sizeof(prop), " uint8 P%zu;", i);
    strcat(t, prop);
  }
  strcat(t, " };");
  {
    wes_error_t err;
    ns = new_ns();
    assert_hr_equal(wes_mof_compile(ns, t, strlen(t), NULL, NULL, &err),
                    WES_E_TOO_MANY_PROPERTIES);
    assert_null(wes_namespace_get_class(ns, "Wide"));
    wes_namespace_unref(ns);
  }
  assert_true(strlen(t) < len);
}

static void test_mof_rollback(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  wes_error_t err;
  size_t before;
  const char *bad = "class A { string X; };\n"
                    "class B : A { uint32 Y; };\n"
                    "class C : B { };\n"
                    "instance of C { X = \"x\"; };\n"
                    "class D : C { uint32 Z = \"oops\"; };\n";
  const char *good = "class A { string X; };\n"
                     "class B : A { uint32 Y; };\n";
  (void)state;
  res = compile_ok(ns, "class Keep { };");
  wes_mof_result_free(res);
  before = wes_namespace_class_count(ns);
  wes_error_clear(&err);
  assert_hr_equal(
      wes_mof_compile(ns, bad, strlen(bad), "bad.mof", &res, &err),
      WES_E_TYPE_MISMATCH);
  assert_int_equal(err.line, 5);
  assert_int_equal(err.column, 26);
  assert_int_equal(wes_namespace_class_count(ns), before);
  assert_null(wes_namespace_get_class(ns, "A"));
  assert_null(wes_namespace_get_class(ns, "B"));
  assert_null(wes_namespace_get_class(ns, "C"));
  assert_null(wes_namespace_get_class(ns, "D"));
  assert_non_null(wes_namespace_get_class(ns, "Keep"));
  /* The names are free again. */
  res = compile_ok(ns, good);
  assert_int_equal(wes_mof_result_class_count(res), 2);
  wes_mof_result_free(res);
  /* A failing second text does not touch what the first one added. */
  assert_hr_equal(wes_mof_compile(ns, "class E : B { }; class A { };", 29,
                                  NULL, NULL, &err),
                  WES_E_ALREADY_EXISTS);
  assert_null(wes_namespace_get_class(ns, "E"));
  assert_non_null(wes_namespace_get_class(ns, "A"));
  assert_non_null(wes_namespace_get_class(ns, "B"));
  wes_namespace_unref(ns);
}

static void test_mof_invalid_parameters(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res = NULL;
  wes_error_t err;
  (void)state;
  assert_hr_equal(wes_mof_compile(NULL, "", 0, NULL, &res, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_mof_compile(ns, NULL, 5, NULL, &res, &err),
                  WES_E_INVALID_PARAMETER);
  assert_null(res);
  /* NULL text with length 0 is an empty text. */
  assert_hr_ok(wes_mof_compile(ns, NULL, 0, NULL, &res, &err));
  assert_int_equal(wes_mof_result_class_count(res), 0);
  wes_mof_result_free(res);
  assert_hr_equal(wes_mof_compile_file(NULL, "x", NULL, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_mof_compile_file(ns, NULL, NULL, &err),
                  WES_E_INVALID_PARAMETER);
  /* Accessors are NULL-safe. */
  assert_int_equal(wes_mof_result_class_count(NULL), 0);
  assert_null(wes_mof_result_class_at(NULL, 0));
  assert_int_equal(wes_mof_result_instance_count(NULL), 0);
  assert_null(wes_mof_result_instance_at(NULL, 0));
  assert_null(wes_mof_result_pragma_namespace(NULL));
  wes_mof_result_free(NULL);
  wes_namespace_unref(ns);
}

static void test_mof_compile_file(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res = NULL;
  wes_error_t err;
  char path[] = "/tmp/wes_test_mof_XXXXXX";
  const char *t = "class F : __ExtrinsicEvent { string S; };\n"
                  "instance of F { S = \"x\"; };\n";
  int fd = mkstemp(path);
  FILE *f;
  (void)state;
  assert_true(fd >= 0);
  f = fdopen(fd, "wb");
  assert_non_null(f);
  fputs(t, f);
  fclose(f);
  assert_hr_ok(wes_mof_compile_file(ns, path, &res, &err));
  assert_int_equal(wes_mof_result_class_count(res), 1);
  assert_int_equal(wes_mof_result_instance_count(res), 1);
  wes_mof_result_free(res);
  /* A syntax error in a file. */
  f = fopen(path, "wb");
  assert_non_null(f);
  fputs("class G {\n  string\n", f);
  fclose(f);
  wes_error_clear(&err);
  assert_hr_equal(wes_mof_compile_file(ns, path, &res, &err),
                  WES_E_INVALID_SYNTAX);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 1);
  unlink(path);
  wes_error_clear(&err);
  assert_hr_equal(wes_mof_compile_file(ns, path, &res, &err),
                  WES_E_NOT_FOUND);
  assert_int_equal(err.sys_error, ENOENT);
  assert_non_null(strstr(err.text, path));
  wes_namespace_unref(ns);
}

/* Encodes ASCII/Latin-1 UTF-8 text as UTF-16 with a BOM. */
static size_t to_utf16(const char *src, int big, char *out) {
  size_t n = 2, i;
  out[0] = (char)(big ? 0xFE : 0xFF);
  out[1] = (char)(big ? 0xFF : 0xFE);
  for (i = 0; src[i] != '\0'; i++) {
    unsigned u = (unsigned char)src[i];
    if (u == 0xC3) { /* two-byte Latin-1 letter */
      u = 0xC0 | ((unsigned char)src[++i] & 0x3F);
    }
    out[n + (big ? 1 : 0)] = (char)u;
    out[n + (big ? 0 : 1)] = 0;
    n += 2;
  }
  return n;
}

static void test_mof_byte_order_marks(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res = NULL;
  wes_error_t err;
  static const char utf8[] = "\xEF\xBB\xBF"
                             "class U8 { };";
  char buf[128];
  size_t n;
  wes_object_t *o;
  int big;
  (void)state;
  assert_hr_ok(wes_mof_compile(ns, utf8, sizeof(utf8) - 1, NULL, &res, &err));
  assert_string_equal(wes_class_name(wes_mof_result_class_at(res, 0)), "U8");
  wes_mof_result_free(res);
  /* little endian, then big endian */
  for (big = 0; big <= 1; big++) {
    n = to_utf16(big ? "class BE { string S = \"\xC3\xA9\"; };"
                     : "class LE { string S = \"\xC3\xA9\"; };",
                 big, buf);
    assert_hr_ok(wes_mof_compile(ns, buf, n, NULL, &res, &err));
    wes_mof_result_free(res);
    o = instance_of(ns, big ? "BE" : "LE");
    assert_string_equal(get(o, "S").u.str, "\xC3\xA9");
    wes_object_unref(o);
  }
  /* Odd length and lone surrogates are rejected. */
  n = to_utf16("class X { };", 0, buf);
  assert_hr_equal(wes_mof_compile(ns, buf, n - 1, NULL, &res, &err),
                  WES_E_INVALID_SYNTAX);
  buf[2] = 0x00;
  buf[3] = (char)0xDC;
  assert_hr_equal(wes_mof_compile(ns, buf, n, NULL, &res, &err),
                  WES_E_INVALID_SYNTAX);
  assert_null(wes_namespace_get_class(ns, "X"));
  wes_namespace_unref(ns);
}

/* The example file shipped in tests/data (path relative to this source). */
static void test_mof_events_file(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res = NULL;
  wes_error_t err;
  char path[1024];
  const char *src = __FILE__;
  const char *slash = strrchr(src, '/');
  const wes_class_t *c;
  wes_property_info_t info;
  (void)state;
  snprintf(path, sizeof(path), "%.*s/../data/events.mof",
           slash != NULL ? (int)(slash - src) : 1,
           slash != NULL ? src : ".");
  wes_error_clear(&err);
  if (access(path, R_OK) != 0) {
    /* Run from the source root rather than the build directory. */
    snprintf(path, sizeof(path), "tests/data/events.mof");
  }
  if (WES_FAILED(wes_mof_compile_file(ns, path, &res, &err))) {
    fail_msg("%s:%u:%u: %s: %s", path, err.line, err.column,
             wes_err_name(err.code), err.text);
  }
  assert_string_equal(wes_mof_result_pragma_namespace(res),
                      "\\\\.\\root\\cimv2");
  c = wes_namespace_get_class(ns, "SecurityViolationEvent");
  assert_non_null(c);
  assert_true(wes_class_derives_from(c, "__ExtrinsicEvent"));
  get_prop(c, "Building", &info);
  assert_int_equal(info.type, WES_CIM_STRING);
  get_prop(c, "EntranceNumber", &info);
  assert_int_equal(info.type, WES_CIM_SINT32);
  get_prop(c, "TimeOfDetection", &info);
  assert_int_equal(info.type, WES_CIM_DATETIME);
  c = wes_namespace_get_class(ns, "Win32_Process");
  assert_non_null(c);
  get_prop(c, "Handle", &info);
  assert_true(info.flags & WES_PROP_KEY);
  assert_true(wes_mof_result_instance_count(res) >= 2);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);
}

/* Classes and instances rendered as MOF (render.h) compile back to the
 * same thing; this also covers 64-bit integers written as strings, the
 * form GetObjectText uses. */
static void test_mof_render_round_trip(void **state) {
  const char *t =
      "[abstract, Description(\"base\")] class B { [key] string Id; };\n"
      "class D : B { uint64 Big = 18446744073709551615; sint64 Neg = -5;\n"
      "  [read, Values{\"a\", \"b\"}] uint16 V = 1; real64 R = 2.5;\n"
      "  string S = \"tab\\there \\\"q\\\"\"; char16 C = '\\'';\n"
      "  uint8 Bytes[] = {1, 2}; datetime T; D ref Ref; B Emb;\n"
      "  boolean Flag = TRUE; };\n"
      "instance of D { Id = \"1\"; Big = 5; Neg = \"-9223372036854775808\";\n"
      "  T = \"20240101000000.000000+000\"; Ref = \"D.Id=\\\"0\\\"\";\n"
      "  Emb = instance of D { Id = \"2\"; Bytes = {}; }; };\n";
  wes_namespace_t *ns = new_ns(), *ns2 = new_ns();
  wes_mof_result_t *res, *res2;
  wes_value_t v;
  size_t i;
  (void)state;
  res = compile_ok(ns, t);
  for (i = 0; i < wes_mof_result_class_count(res); i++) {
    const wes_class_t *c = wes_mof_result_class_at(res, i), *c2;
    char *text = NULL;
    size_t k;
    assert_hr_ok(wes_class_to_mof(c, 0, &text));
    res2 = compile_ok(ns2, text);
    wes_free(text);
    c2 = wes_mof_result_class_at(res2, 0);
    assert_string_equal(wes_class_name(c2), wes_class_name(c));
    assert_int_equal(wes_class_flags(c2), wes_class_flags(c));
    assert_int_equal(wes_class_property_count(c2),
                     wes_class_property_count(c));
    for (k = 0; k < wes_class_property_count(c); k++) {
      wes_property_info_t a, b;
      assert_hr_ok(wes_class_property_at(c, k, &a));
      assert_hr_ok(wes_class_property_at(c2, k, &b));
      assert_string_equal(a.name, b.name);
      assert_int_equal(a.type, b.type);
      assert_int_equal(a.flags, b.flags);
      if (a.class_ref != NULL) {
        assert_string_equal(a.class_ref, b.class_ref);
      } else {
        assert_null(b.class_ref);
      }
    }
    wes_mof_result_free(res2);
  }
  for (i = 0; i < wes_mof_result_instance_count(res); i++) {
    wes_object_t *o = wes_mof_result_instance_at(res, i);
    check_round_trip(ns2, o);
  }
  assert_hr_ok(wes_object_get(wes_mof_result_instance_at(res, 0), "Neg", &v));
  assert_true(v.u.sint == INT64_MIN);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);
  wes_namespace_unref(ns2);
  /* Quoted 64-bit integers must be integers. */
  check_error("class A { uint64 X = \"12x\"; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class A { uint64 X = \" 1\"; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class A { uint64 X = \"\"; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class A { uint64 X = \"-1\"; };", WES_E_VALUE_OUT_OF_RANGE, 1,
              22);
  check_error("class A { uint32 X = \"1\"; };", WES_E_TYPE_MISMATCH, 1, 22);
}

/* ---- allocation failures ---- */

static long g_fail_countdown = -1; /* < 0: never fail */

static int should_fail(void) {
  if (g_fail_countdown < 0) {
    return 0;
  }
  if (g_fail_countdown == 0) {
    return 1;
  }
  g_fail_countdown--;
  return g_fail_countdown == 0;
}

static void *t_malloc(size_t n) { return should_fail() ? NULL : malloc(n); }
static void *t_realloc(void *p, size_t n) {
  return should_fail() ? NULL : realloc(p, n);
}
static void *t_calloc(size_t c, size_t n) {
  return should_fail() ? NULL : calloc(c, n);
}
static void t_free(void *p) { free(p); }

/* Fails the 1st, 2nd, ... allocation of a compile until it succeeds: every
 * failure is WBEM_E_OUT_OF_MEMORY, rolls back, and leaks nothing. */
static void test_mof_out_of_memory(void **state) {
  const char *t =
      "#pragma namespace(\"root\\\\x\")\n"
      "[abstract, Description(\"base\")] class B { [key] string Id; };\n"
      "class D : B { uint8 A[] = {1, 2}; string S = \"s\" \"t\";\n"
      "  [Values{\"a\", \"b\"}] uint32 V = 3; D ref R; object O;\n"
      "  uint32 M([in] string X); };\n"
      "instance of D as $X { Id = \"1\"; };\n"
      "instance of D { Id = \"2\"; R = $X; A = {3};\n"
      "  O = instance of D { Id = \"3\"; }; };\n";
  long n;
  (void)state;
  for (n = 1; n < 100000; n++) {
    wes_namespace_t *ns = new_ns();
    size_t before = wes_namespace_class_count(ns);
    wes_mof_result_t *res = NULL;
    wes_error_t err;
    wes_hresult_t hr;
    g_fail_countdown = n;
    hr = wes_mof_compile(ns, t, strlen(t), NULL, &res, &err);
    g_fail_countdown = -1;
    if (WES_SUCCEEDED(hr)) {
      assert_int_equal(wes_mof_result_class_count(res), 2);
      assert_int_equal(wes_mof_result_instance_count(res), 2);
      wes_mof_result_free(res);
      wes_namespace_unref(ns);
      break;
    }
    if (hr != WES_E_OUT_OF_MEMORY) {
      fail_msg("allocation %ld failed: got %s at %u:%u (%s)", n,
               wes_err_name(hr), err.line, err.column, err.text);
    }
    assert_null(res);
    assert_int_equal(wes_namespace_class_count(ns), before);
    wes_namespace_unref(ns);
  }
  assert_true(n > 10);
  assert_true(n < 100000);
}

/*
 * real32 extremes: the instance text of FLT_MAX (3.4028235e+38, its
 * shortest form, slightly above FLT_MAX) compiles back; a value that does
 * round past FLT_MAX does not.
 */
static void test_mof_real32_limits(void **state) {
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  wes_object_t *o;
  char *text = NULL;
  float x = 0;
  (void)state;
  res = compile_ok(ns, "class R { real32 X = 3.4028235e38; "
                       "real32 Y = -3.4028235e+38; real32 Z; };\n"
                       "instance of R { Z = 1.17549435e-38; };");
  o = wes_mof_result_instance_at(res, 0);
  assert_hr_ok(wes_object_get_real32(o, "X", &x));
  assert_true(x == FLT_MAX);
  assert_hr_ok(wes_object_get_real32(o, "Y", &x));
  assert_true(x == -FLT_MAX);
  assert_hr_ok(wes_object_get_real32(o, "Z", &x));
  assert_true(x == FLT_MIN);
  /* The rendered instance compiles back to an equal object. */
  assert_hr_ok(wes_object_to_mof(o, 0, &text));
  assert_non_null(strstr(text, "X = 3.4028235e+38;"));
  {
    wes_mof_result_t *again = compile_ok(ns, text);
    assert_true(wes_object_equal(o, wes_mof_result_instance_at(again, 0)));
    wes_mof_result_free(again);
  }
  wes_free(text);
  wes_mof_result_free(res);
  wes_namespace_unref(ns);
  check_error("class R { real32 X = 3.4028236e38; };",
              WES_E_VALUE_OUT_OF_RANGE, 1, 22);
  check_error("class R { real32 X[] = {1, -3.4028236e38}; };",
              WES_E_VALUE_OUT_OF_RANGE, 1, 28);
  /* finite beyond FLT_MAX in an instance: same code, at the literal */
  check_error("class R { real32 X; };\ninstance of R { X = 1e300; };",
              WES_E_VALUE_OUT_OF_RANGE, 2, 21);
  check_error("class R { real32 X[]; };\ninstance of R { X = {-1e300}; };",
              WES_E_VALUE_OUT_OF_RANGE, 2, 22);
}

/* Checks that a real is NaN (want_inf 0) or an infinity of that sign. */
static void assert_special(double d, int want_inf) {
  if (want_inf == 0) {
    assert_true(isnan(d));
  } else {
    assert_true(isinf(d));
    assert_true(want_inf > 0 ? d > 0 : d < 0);
  }
}

/*
 * NaN, Infinity and -Infinity (a wes extension: DMTF MOF has no such
 * literals) are what wes_object_to_mof / wes_class_to_mof write for
 * non-finite reals, and the compiler reads them back: real32 and real64,
 * scalars, arrays, defaults and qualifiers; any case; +Infinity too.
 */
static void test_mof_nonfinite_round_trip(void **state) {
  static const int kinds[3] = {0, 1, -1}; /* NaN, +Inf, -Inf */
  wes_namespace_t *ns = new_ns(), *ns2 = new_ns();
  wes_mof_result_t *res, *res2;
  const wes_class_t *cls;
  wes_object_t *o;
  wes_value_t v;
  char *text = NULL;
  size_t i, k;
  float f = 0;
  double d = 0;
  (void)state;
  res = compile_ok(ns,
                   "class NF { [Limits{NaN, Infinity, -Infinity}] real64 Q;\n"
                   "  real32 D32 = nan; real64 D64 = -INFINITY;\n"
                   "  real32 R32; real64 R64; real32 A32[]; real64 A64[]; };\n"
                   "instance of NF { R32 = +Infinity; R64 = NaN;\n"
                   "  A32 = {NaN, Infinity, -Infinity, 1.5};\n"
                   "  A64 = {naN, +infinity, -Infinity, -0.25}; };\n");
  o = wes_mof_result_instance_at(res, 0);
  assert_hr_ok(wes_object_get_real32(o, "D32", &f));
  assert_special(f, 0);
  assert_hr_ok(wes_object_get_real64(o, "D64", &d));
  assert_special(d, -1);
  assert_hr_ok(wes_object_get_real32(o, "R32", &f));
  assert_special(f, 1);
  assert_hr_ok(wes_object_get_real64(o, "R64", &d));
  assert_special(d, 0);
  assert_hr_ok(wes_object_get(o, "A32", &v));
  assert_int_equal(v.u.array.count, 4);
  for (i = 0; i < 3; i++) {
    assert_special(((const float *)v.u.array.data)[i], kinds[i]);
  }
  assert_true(((const float *)v.u.array.data)[3] == 1.5f);
  assert_hr_ok(wes_object_get(o, "A64", &v));
  for (i = 0; i < 3; i++) {
    assert_special(((const double *)v.u.array.data)[i], kinds[i]);
  }
  /* compile(render(x)): the class, then the instance */
  cls = wes_mof_result_class_at(res, 0);
  assert_hr_ok(wes_class_to_mof(cls, 0, &text));
  assert_non_null(strstr(text, "[Limits{NaN, Infinity, -Infinity}]"));
  res2 = compile_ok(ns2, text);
  wes_free(text);
  {
    wes_object_t *d1 = instance_of(ns, "NF");
    wes_object_t *d2 = instance_of(ns2, "NF");
    wes_value_t qv;
    const wes_value_t *q = &qv;
    assert_hr_ok(wes_object_get_real32(d1, "D32", &f));
    assert_special(f, 0);
    assert_hr_ok(wes_object_get_real32(d2, "D32", &f));
    assert_special(f, 0);
    assert_hr_ok(wes_object_get_real64(d2, "D64", &d));
    assert_special(d, -1);
    assert_hr_ok(wes_class_get_qualifier(wes_mof_result_class_at(res2, 0),
                                         "Q", "Limits", &qv));
    assert_int_equal(q->u.array.count, 3);
    for (i = 0; i < 3; i++) {
      assert_special(((const double *)q->u.array.data)[i], kinds[i]);
    }
    wes_object_unref(d1);
    wes_object_unref(d2);
  }
  wes_mof_result_free(res2);
  assert_hr_ok(wes_object_to_mof(o, 0, &text));
  assert_non_null(strstr(text, "R32 = Infinity;"));
  assert_non_null(strstr(text, "A32 = {NaN, Infinity, -Infinity, 1.5};"));
  res2 = compile_ok(ns, text);
  wes_free(text);
  assert_true(wes_object_equal(o, wes_mof_result_instance_at(res2, 0)));
  wes_mof_result_free(res2);
  /* every special value in every real slot, one at a time */
  for (k = 0; k < 3; k++) {
    double x = kinds[k] == 0 ? (double)NAN : kinds[k] * (double)INFINITY;
    wes_object_t *n = instance_of(ns, "NF");
    wes_object_t *back;
    float a32[2];
    double a64[2];
    a32[0] = (float)x;
    a32[1] = 2.0f;
    a64[0] = -1.0;
    a64[1] = x;
    assert_hr_ok(wes_object_set_real32(n, "R32", (float)x));
    assert_hr_ok(wes_object_set_real64(n, "R64", x));
    memset(&v, 0, sizeof(v));
    v.type = WES_CIM_REAL32 | WES_CIM_FLAG_ARRAY;
    v.u.array.data = a32;
    v.u.array.count = 2;
    assert_hr_ok(wes_object_set(n, "A32", &v));
    v.type = WES_CIM_REAL64 | WES_CIM_FLAG_ARRAY;
    v.u.array.data = a64;
    assert_hr_ok(wes_object_set(n, "A64", &v));
    assert_hr_ok(wes_object_to_mof(n, 0, &text));
    res2 = compile_ok(ns, text);
    wes_free(text);
    back = wes_mof_result_instance_at(res2, 0);
    assert_true(wes_object_equal(n, back));
    assert_hr_ok(wes_object_get_real32(back, "R32", &f));
    assert_special(f, kinds[k]);
    assert_hr_ok(wes_object_get_real64(back, "R64", &d));
    assert_special(d, kinds[k]);
    assert_special(((const double *)get(back, "A64").u.array.data)[1],
                   kinds[k]);
    wes_mof_result_free(res2);
    wes_object_unref(n);
  }
  wes_mof_result_free(res);
  wes_namespace_unref(ns);
  wes_namespace_unref(ns2);
  /* names stay names; only a value position reads them as reals */
  res = compile_ok(ns = new_ns(), "class NaN { real64 Infinity = Infinity; };");
  assert_string_equal(wes_class_name(wes_mof_result_class_at(res, 0)), "NaN");
  wes_mof_result_free(res);
  wes_namespace_unref(ns);
  /* errors, with positions */
  check_error("class A { uint32 X = NaN; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class A { sint32 X = -Infinity; };", WES_E_TYPE_MISMATCH, 1,
              22);
  check_error("class A { string X = Infinity; };", WES_E_TYPE_MISMATCH, 1, 22);
  check_error("class A { real64 X = -NaN; };", WES_E_INVALID_SYNTAX, 1, 22);
  check_error("class A { real64 X = -Infinityx; };", WES_E_INVALID_SYNTAX, 1,
              22);
  check_error("class A { real64 X = - Infinity; };", WES_E_INVALID_SYNTAX, 1,
              22);
  check_error("class A { real64 X = Inf; };", WES_E_INVALID_SYNTAX, 1, 22);
}

/*
 * char16 holds any UTF-16 code unit: the instance text shows U+0000 and
 * lone surrogates as '\x0000' and '\xD800', and those literals compile
 * back (in a char16 literal only; strings still refuse them).
 */
static void test_mof_char16_code_units(void **state) {
  static const uint16_t units[] = {0x0000, 0xD800, 0xDFFF, 0x001F, 0x007F};
  wes_namespace_t *ns = new_ns();
  wes_mof_result_t *res;
  size_t i;
  uint16_t c = 1;
  (void)state;
  res = compile_ok(ns, "class C16 { char16 C; char16 A[]; };\n"
                       "instance of C16 { C = '\\x0'; "
                       "A = {'\\xD800', '\\xdfff', '\\X0000'}; };");
  assert_hr_ok(
      wes_object_get_char16(wes_mof_result_instance_at(res, 0), "C", &c));
  assert_int_equal(c, 0);
  wes_mof_result_free(res);
  for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    wes_object_t *o = instance_of(ns, "C16");
    assert_hr_ok(wes_object_set_char16(o, "C", units[i]));
    check_round_trip(ns, o);
    wes_object_unref(o);
  }
  wes_namespace_unref(ns);
  check_error("class X { string A = \"a\\x0000\"; };", WES_E_INVALID_SYNTAX, 1,
              24);
  check_error("class X { string A = \"a\\xDC00\"; };", WES_E_INVALID_SYNTAX, 1,
              24);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mof_every_type),
      cmocka_unit_test(test_mof_numbers),
      cmocka_unit_test(test_mof_strings),
      cmocka_unit_test(test_mof_arrays),
      cmocka_unit_test(test_mof_inheritance_and_override),
      cmocka_unit_test(test_mof_qualifiers),
      cmocka_unit_test(test_mof_embedded_and_ref),
      cmocka_unit_test(test_mof_instances),
      cmocka_unit_test(test_mof_pragma),
      cmocka_unit_test(test_mof_comments_and_layout),
      cmocka_unit_test(test_mof_methods_and_qualifier_decls),
      cmocka_unit_test(test_mof_syntax_errors),
      cmocka_unit_test(test_mof_message_text),
      cmocka_unit_test(test_mof_deep_nesting),
      cmocka_unit_test(test_mof_limits),
      cmocka_unit_test(test_mof_rollback),
      cmocka_unit_test(test_mof_invalid_parameters),
      cmocka_unit_test(test_mof_compile_file),
      cmocka_unit_test(test_mof_byte_order_marks),
      cmocka_unit_test(test_mof_events_file),
      cmocka_unit_test(test_mof_render_round_trip),
      cmocka_unit_test(test_mof_out_of_memory),
      cmocka_unit_test(test_mof_real32_limits),
      cmocka_unit_test(test_mof_nonfinite_round_trip),
      cmocka_unit_test(test_mof_char16_code_units),
  };
  /* Before any other wes call, so allocation failures can be injected. */
  if (WES_FAILED(wes_replace_allocator(t_malloc, t_realloc, t_calloc,
                                       t_free))) {
    return 1;
  }
  return cmocka_run_group_tests_name("mof", tests, NULL, NULL);
}
