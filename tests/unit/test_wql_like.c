/* SPDX-License-Identifier: MIT */
/* WQL LIKE: %, _, ranges, sets, negated sets, literal brackets, empty
 * strings, case folding, UTF-8, pathological patterns. */
#include <stdlib.h>

#include "wes_test.h"

static wes_namespace_t *ns;

static int setup(void **state) {
  static const char mof[] = "class Thing { string S; uint32 N; };\n";
  (void)state;
  if (WES_FAILED(wes_namespace_new("root/test", &ns)) ||
      WES_FAILED(wes_mof_compile(ns, mof, sizeof(mof) - 1, NULL, NULL, NULL))) {
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  wes_namespace_unref(ns);
  return 0;
}

/* Compiles `S LIKE 'pattern'` (pattern given raw: quotes and backslashes
 * are escaped here) and matches an object whose S is `subject`. */
static int like(const char *pattern, const char *subject) {
  char text[4096];
  size_t n = 0, i;
  wes_query_t *q = NULL;
  wes_object_t *o = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  int m;
  n += (size_t)snprintf(text, sizeof(text),
                        "SELECT * FROM Thing WHERE S LIKE '");
  for (i = 0; pattern[i] != '\0' && n + 4 < sizeof(text); i++) {
    if (pattern[i] == '\'' || pattern[i] == '\\') {
      text[n++] = '\\';
    }
    text[n++] = pattern[i];
  }
  text[n++] = '\'';
  text[n] = '\0';
  hr = wes_query_compile(ns, text, WES_QUERY_DATA, &q, &err);
  if (WES_FAILED(hr)) {
    fail_msg("pattern '%s': %s %s", pattern, wes_err_name(hr), err.text);
  }
  {
    /* printer round trip of the pattern */
    wes_query_t *q2 = NULL;
    assert_hr_ok(wes_query_compile(ns, wes_query_canonical(q), WES_QUERY_DATA,
                                   &q2, NULL));
    assert_string_equal(wes_query_canonical(q), wes_query_canonical(q2));
    wes_query_unref(q2);
  }
  assert_hr_ok(wes_object_new_by_name(ns, "Thing", &o));
  assert_hr_ok(wes_object_set_string(o, "S", subject));
  m = wes_query_match(q, o);
  wes_object_unref(o);
  wes_query_unref(q);
  return m;
}

typedef struct vec_s {
  const char *pattern;
  const char *subject;
  int want;
} vec_t;

static void run(const vec_t *v, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    int got = like(v[i].pattern, v[i].subject);
    if (got != v[i].want) {
      fail_msg("'%s' LIKE '%s': got %d, want %d", v[i].subject, v[i].pattern,
               got, v[i].want);
    }
  }
}

#define RUN(v) run(v, sizeof(v) / sizeof(v[0]))

static void test_wql_like_percent_underscore(void **state) {
  static const vec_t v[] = {
      {"abc", "abc", 1},
      {"abc", "abcd", 0},
      {"abc", "ab", 0},
      {"%", "", 1},
      {"%", "anything", 1},
      {"%%", "", 1},
      {"a%", "a", 1},
      {"a%", "abc", 1},
      {"a%", "ba", 0},
      {"%a", "ba", 1},
      {"%a", "ab", 0},
      {"%b%", "abc", 1},
      {"%b%", "ac", 0},
      {"a%c", "ac", 1},
      {"a%c", "abbbc", 1},
      {"a%c", "abbbcd", 0},
      {"a%c%e", "abcde", 1},
      {"a%c%e", "aecx", 0},
      {"_", "a", 1},
      {"_", "", 0},
      {"_", "ab", 0},
      {"a_c", "abc", 1},
      {"a_c", "ac", 0},
      {"___", "abc", 1},
      {"___", "ab", 0},
      {"%_", "", 0},
      {"%_", "x", 1},
      {"_%_", "x", 0},
      {"_%_", "xy", 1},
      {"%a%a", "aa", 1},
      {"%a%a", "a", 0},
      {"a%a", "a", 0},
      {"a%a", "aa", 1},
      {"%abc", "ababc", 1},
      {"%aab", "aaab", 1},
      {"ab%ab", "ab", 0},
      {"ab%ab", "abab", 1},
      {"ab%ab", "abxab", 1},
      {"%%%x%%%", "yyxyy", 1},
      /* Wine: '%%REGEDIT%' */
      {"%%REGEDIT%", "C:\\Windows\\regedit.exe", 1},
      {"%firefox.exe", "C:\\Program Files\\Firefox\\firefox.exe", 1},
      {"FirstName%", "firstname lastname", 1},
      {"%Win32%", "Win32_Process", 1},
      {"%Win32%", "CIM_Process", 0},
  };
  (void)state;
  RUN(v);
}

static void test_wql_like_empty(void **state) {
  static const vec_t v[] = {
      {"", "", 1},  {"", "a", 0},   {"%", "", 1},
      {"_", "", 0}, {"[a]", "", 0}, {"[^a]", "", 0},
  };
  (void)state;
  RUN(v);
}

static void test_wql_like_sets(void **state) {
  static const vec_t v[] = {
      {"[abc]", "a", 1},
      {"[abc]", "c", 1},
      {"[abc]", "d", 0},
      {"[a-f]", "d", 1},
      {"[a-f]", "g", 0},
      {"[a-f]x", "ex", 1},
      {"[a-cx-z]", "y", 1},
      {"[a-cx-z]", "m", 0},
      {"[0-9][0-9]", "42", 1},
      {"[0-9][0-9]", "4x", 0},
      {"[^a-f]", "g", 1},
      {"[^a-f]", "c", 0},
      {"[^abc]", "d", 1},
      {"[^abc]", "b", 0},
      {"[f-a]", "c", 1},
      {"[a-]", "-", 1},
      {"[-a]", "-", 1},
      {"[a-]", "b", 0},
      {"x[^0-9]y", "x_y", 1},
      {"x[^0-9]y", "x5y", 0},
      {"[A-F]", "d", 1},
      {"[a-f]", "D", 1},
      {"[^a-f]", "D", 0},
      {"%[xyz]", "abz", 1},
      {"%[xyz]%", "abc", 0},
      {"[%]", "%", 1},
      {"[%]", "a", 0},
      {"[_]", "_", 1},
      {"[_]", "a", 0},
      {"[[]", "[", 1},
      {"[[]x]", "[x]", 1},
      {"[]]", "]", 1},
      {"[]]", "x", 0},
      {"[^]]", "x", 1},
      {"[^]]", "]", 0},
      {"a]b", "a]b", 1},
      /* the documented double-underscore search */
      {"%[_][_]%", "__CLASS", 1},
      {"%[_][_]%", "Win32_Process", 0},
      {"%[_][_]%", "a__b", 1},
      {"%[_]%", "a_b", 1},
      {"100[%]", "100%", 1},
      {"100[%]", "1000", 0},
  };
  (void)state;
  RUN(v);
}

static void test_wql_like_case_and_utf8(void **state) {
  static const vec_t v[] = {
      {"ABC", "abc", 1},
      {"abc", "ABC", 1},
      {"a%C", "AxxxC", 1},
      {"caf\xc3\xa9", "CAF\xc3\xa9", 1},
      {"caf_", "caf\xc3\xa9", 1},
      {"caf__", "caf\xc3\xa9", 0},
      {"_\xe2\x82\xac", "x\xe2\x82\xac", 1},
      {"[\xc3\xa9\xc3\xa8]", "\xc3\xa8", 1},
      {"[\xc3\xa9\xc3\xa8]", "e", 0},
      {"[^\xc3\xa9]", "\xc3\xa8", 1},
      {"%\xe2\x82\xac", "price: 5\xe2\x82\xac", 1},
      {"%_\xe2\x82\xac", "\xe2\x82\xac", 0},
  };
  (void)state;
  RUN(v);
}

/* Compiles "SELECT * FROM Thing WHERE <cond>" as a data query. */
static wes_hresult_t compile_where(const char *cond, wes_query_t **q) {
  char text[256];
  snprintf(text, sizeof(text), "SELECT * FROM Thing WHERE %s", cond);
  return wes_query_compile(ns, text, WES_QUERY_DATA, q, NULL);
}

static void test_wql_like_escapes(void **state) {
  wes_query_t *q = NULL;
  (void)state;
  /* backslash is an escape of the string literal, so `\\` is a literal
   * backslash in the pattern; LIKE itself has no escape character */
  assert_int_equal(like("PCI\\%", "PCI\\VEN_8086"), 1);
  assert_int_equal(like("PCI\\%", "PCIX"), 0);
  assert_int_equal(like("it's%", "It's here"), 1);
  /* `\%` in the query text is not a valid escape */
  assert_hr_equal(compile_where("S LIKE 'PCI\\%'", &q), WES_E_INVALID_QUERY);
  assert_hr_equal(compile_where("S LIKE 'a\\_b'", &q), WES_E_INVALID_QUERY);
  /* unterminated sets */
  assert_hr_equal(compile_where("S LIKE '[abc'", &q), WES_E_INVALID_QUERY);
  assert_hr_equal(compile_where("S LIKE '['", &q), WES_E_INVALID_QUERY);
  assert_hr_equal(compile_where("S LIKE '[]'", &q), WES_E_INVALID_QUERY);
  /* LIKE needs a string constant and a string property */
  assert_hr_equal(compile_where("S LIKE 5", &q), WES_E_UNPARSABLE_QUERY);
  assert_hr_equal(compile_where("N LIKE '5'", &q), WES_E_INVALID_OPERATOR);
  assert_null(q);
}

static void test_wql_like_negation(void **state) {
  wes_query_t *q = NULL;
  wes_object_t *o = NULL, *onull = NULL;
  (void)state;
  assert_hr_ok(wes_query_compile(ns,
                                 "SELECT * FROM Thing WHERE NOT S LIKE "
                                 "'%10.%'",
                                 WES_QUERY_DATA, &q, NULL));
  assert_hr_ok(wes_object_new_by_name(ns, "Thing", &o));
  assert_hr_ok(wes_object_set_string(o, "S", "192.168.10.1"));
  assert_int_equal(wes_query_match(q, o), 0);
  assert_hr_ok(wes_object_set_string(o, "S", "192.168.1.1"));
  assert_int_equal(wes_query_match(q, o), 1);
  assert_hr_ok(wes_object_new_by_name(ns, "Thing", &onull));
  assert_int_equal(wes_query_match(q, onull), 1);
  wes_object_unref(o);
  wes_object_unref(onull);
  wes_query_unref(q);
}

static void test_wql_like_pathological(void **state) {
  /* `%a%a%a...%b` against a long run of 'a': exponential for a naive
   * backtracking matcher, linear-ish here */
  char *pat = malloc(4096), *subj = malloc(20001);
  size_t i, n = 0;
  (void)state;
  assert_non_null(pat);
  assert_non_null(subj);
  if (pat == NULL || subj == NULL) {
    free(pat);
    free(subj);
    return;
  }
  for (i = 0; i < 200; i++) {
    pat[n++] = '%';
    pat[n++] = 'a';
  }
  pat[n++] = '%';
  pat[n++] = 'b';
  pat[n] = '\0';
  memset(subj, 'a', 20000);
  subj[20000] = '\0';
  assert_int_equal(like(pat, subj), 0);
  subj[19999] = 'b';
  assert_int_equal(like(pat, subj), 1);
  /* underscores and sets between stars */
  n = 0;
  for (i = 0; i < 100; i++) {
    memcpy(pat + n, "%_[a-c]", 7);
    n += 7;
  }
  pat[n++] = '%';
  pat[n++] = 'z';
  pat[n] = '\0';
  subj[19999] = 'a';
  assert_int_equal(like(pat, subj), 0);
  subj[19999] = 'z';
  assert_int_equal(like(pat, subj), 1);
  free(pat);
  free(subj);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wql_like_percent_underscore),
      cmocka_unit_test(test_wql_like_empty),
      cmocka_unit_test(test_wql_like_sets),
      cmocka_unit_test(test_wql_like_case_and_utf8),
      cmocka_unit_test(test_wql_like_escapes),
      cmocka_unit_test(test_wql_like_negation),
      cmocka_unit_test(test_wql_like_pathological),
  };
  return cmocka_run_group_tests_name("wql_like", tests, setup, teardown);
}
