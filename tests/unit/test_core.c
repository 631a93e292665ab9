/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "internal.h"
#include "wes_test.h"

typedef struct {
  wes_hresult_t code;
  const char *name;
  uint32_t value;
} expect_t;

/* Spot checks against reference section 9 (exact values). */
static const expect_t expected[] = {
    {WES_S_NO_ERROR, "WBEM_S_NO_ERROR", 0x0},
    {WES_S_FALSE, "WBEM_S_FALSE", 0x1},
    {WES_S_TIMEDOUT, "WBEM_S_TIMEDOUT", 0x40004},
    {WES_S_SUBJECT_TO_SDS, "WBEM_S_SUBJECT_TO_SDS", 0x43003},
    {WES_E_FAILED, "WBEM_E_FAILED", 0x80041001},
    {WES_E_INVALID_PARAMETER, "WBEM_E_INVALID_PARAMETER", 0x80041008},
    {WES_E_NOT_SUPPORTED, "WBEM_E_NOT_SUPPORTED", 0x8004100C},
    {WES_E_INVALID_CLASS, "WBEM_E_INVALID_CLASS", 0x80041010},
    {WES_E_INVALID_QUERY, "WBEM_E_INVALID_QUERY", 0x80041017},
    {WES_E_READ_ONLY, "WBEM_E_READ_ONLY", 0x80041023},
    {WES_E_CALL_CANCELLED, "WBEM_E_CALL_CANCELLED", 0x80041032},
    {WES_E_SHUTTING_DOWN, "WBEM_E_SHUTTING_DOWN", 0x80041033},
    {WES_E_SERVER_TOO_BUSY, "WBEM_E_SERVER_TOO_BUSY", 0x80041045},
    {WES_E_UNPARSABLE_QUERY, "WBEM_E_UNPARSABLE_QUERY", 0x80041058},
    {WES_E_NOT_EVENT_CLASS, "WBEM_E_NOT_EVENT_CLASS", 0x80041059},
    {WES_E_AGGREGATING_BY_OBJECT, "WBEM_E_AGGREGATING_BY_OBJECT", 0x8004105D},
    {WES_E_UNINTERPRETABLE_PROVIDER_QUERY,
     "WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY", 0x8004105F},
    {WES_E_QUEUE_OVERFLOW, "WBEM_E_QUEUE_OVERFLOW", 0x80041061},
    {WES_E_QUOTA_VIOLATION, "WBEM_E_QUOTA_VIOLATION", 0x8004106C},
    {WES_E_PROVIDER_ALREADY_REGISTERED, "WBEM_E_PROVIDER_ALREADY_REGISTERED",
     0x80041084},
    {WES_E_PROVIDER_DISABLED, "WBEM_E_PROVIDER_DISABLED", 0x8004108A},
    {WES_ESS_E_REGISTRATION_TOO_BROAD, "WBEMESS_E_REGISTRATION_TOO_BROAD",
     0x80042001},
    {WES_ESS_E_REGISTRATION_TOO_PRECISE, "WBEMESS_E_REGISTRATION_TOO_PRECISE",
     0x80042002},
    {WES_ESS_E_AUTHZ_NOT_PRIVILEGED, "WBEMESS_E_AUTHZ_NOT_PRIVILEGED",
     0x80042003},
    {WES_E_RETRY_LATER, "WBEM_E_RETRY_LATER", 0x80043001},
    {WES_E_RESOURCE_CONTENTION, "WBEM_E_RESOURCE_CONTENTION", 0x80043002},
};

static void test_core_values_and_names(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
    assert_int_equal((uint32_t)expected[i].code, expected[i].value);
    assert_string_equal(wes_err_name(expected[i].code), expected[i].name);
    assert_non_null(wes_strerror(expected[i].code));
  }
  assert_true(WES_FAILED(WES_E_FAILED));
  assert_false(WES_FAILED(WES_S_FALSE));
  assert_true(WES_SUCCEEDED(WES_S_TIMEDOUT));
  assert_int_equal(WES_S_OK, 0);
  assert_int_equal(WES_S_INITIALIZED, WES_S_NO_ERROR);
}

#define CHECK_ROW(m, n, t)                                                     \
  assert_string_equal(wes_err_name(WES_##m), n);                               \
  assert_string_equal(wes_strerror(WES_##m), t);                               \
  assert_int_equal(WES_FAILED(WES_##m), ((uint32_t)WES_##m >= 0x80000000u));

/* Every row of the table round-trips, and failure <=> severity bit. */
static void test_core_table_is_consistent(void **state) {
  (void)state;
  WES_HRESULT_MAP(CHECK_ROW)
}

static void test_core_unknown_codes(void **state) {
  (void)state;
  assert_string_equal(wes_err_name((wes_hresult_t)0x8004104A),
                      "WBEM_E_UNKNOWN");
  assert_string_equal(wes_strerror((wes_hresult_t)0x12345678),
                      "unknown status code");
  assert_string_equal(wes_err_name((wes_hresult_t)-1), "WBEM_E_UNKNOWN");
}

static void test_core_error_fill(void **state) {
  wes_error_t err;
  wes_hresult_t hr;
  (void)state;
  wes_error_clear(&err);
  assert_int_equal(err.code, 0);
  hr = wes__error(&err, WES_E_INVALID_QUERY, 3, 14, "expected %s", "FROM");
  assert_hr_equal(hr, WES_E_INVALID_QUERY);
  assert_hr_equal(err.code, WES_E_INVALID_QUERY);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 14);
  assert_string_equal(err.text, "expected FROM");
  /* NULL err is allowed and still returns the code. */
  assert_hr_equal(wes__error(NULL, WES_E_FAILED, 0, 0, "x"), WES_E_FAILED);
  /* Long messages are truncated, not overflowed. */
  {
    char big[400];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    wes__error(&err, WES_E_FAILED, 0, 0, "%s", big);
    assert_int_equal(strlen(err.text), WES_ERROR_TEXT_LENGTH - 1);
  }
}

/* The public filler for code outside the library (providers). */
static void test_core_error_set(void **state) {
  wes_error_t err;
  (void)state;
  memset(&err, 0x5a, sizeof(err));
  assert_hr_equal(wes_error_set(&err, WES_E_PROVIDER_NOT_CAPABLE,
                                "add %s = '%s'", "Path", "/dir/"),
                  WES_E_PROVIDER_NOT_CAPABLE);
  assert_hr_equal(err.code, WES_E_PROVIDER_NOT_CAPABLE);
  assert_string_equal(err.text, "add Path = '/dir/'");
  assert_int_equal(err.line, 0);
  assert_int_equal(err.column, 0);
  assert_int_equal(err.sys_error, 0);
  /* NULL err: still the code */
  assert_hr_equal(wes_error_set(NULL, WES_E_ACCESS_DENIED, "x"),
                  WES_E_ACCESS_DENIED);
  /* NULL fmt: the code's own text */
  assert_hr_equal(wes_error_set(&err, WES_E_INVALID_QUERY, NULL),
                  WES_E_INVALID_QUERY);
  assert_string_equal(err.text, wes_strerror(WES_E_INVALID_QUERY));
  /* a success code is stored as given */
  assert_hr_equal(wes_error_set(&err, WES_S_FALSE, "%d", 7), WES_S_FALSE);
  assert_hr_equal(err.code, WES_S_FALSE);
  assert_string_equal(err.text, "7");
  /* long text is cut and terminated */
  {
    char big[400];
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    wes_error_set(&err, WES_E_FAILED, "%s", big);
    assert_int_equal(strlen(err.text), WES_ERROR_TEXT_LENGTH - 1);
  }
}

static void test_core_allocator_replace_after_use(void **state) {
  void *p;
  (void)state;
  assert_hr_equal(wes_replace_allocator(NULL, realloc, calloc, free),
                  WES_E_INVALID_PARAMETER);
  p = wes__malloc(16);
  assert_non_null(p);
  wes__free(p);
  /* Memory already came from the default allocator: refused. */
  assert_hr_equal(wes_replace_allocator(malloc, realloc, calloc, free),
                  WES_E_INVALID_OPERATION);
}

/* wes__ring_grow keeps the live entries in order across the wrap, stops
 * at the limit, and changes nothing when it cannot grow. */
static void test_core_ring_grow(void **state) {
  uint64_t *ring = NULL;
  void *vr;
  uint32_t cap = 0, head = 0, count = 0, k;
  (void)state;
  vr = ring;
  assert_int_equal(wes__ring_grow(&vr, &cap, &head, 0, sizeof(uint64_t), 4, 10),
                   0);
  ring = vr;
  assert_int_equal(cap, 4);
  /* fill 4 with the head at 3, so the entries wrap: 100 101 102 103 */
  head = 3;
  for (k = 0; k < 4; k++) {
    ring[(head + k) % cap] = 100 + k;
  }
  count = 4;
  vr = ring;
  assert_int_equal(
      wes__ring_grow(&vr, &cap, &head, count, sizeof(uint64_t), 4, 10), 0);
  ring = vr;
  assert_int_equal(cap, 8);
  assert_int_equal(head, 0);
  for (k = 0; k < 4; k++) {
    assert_true(ring[k] == 100 + k);
  }
  /* doubling stops at the limit, then nothing changes */
  vr = ring;
  assert_int_equal(
      wes__ring_grow(&vr, &cap, &head, count, sizeof(uint64_t), 4, 10), 0);
  assert_int_equal(cap, 10);
  assert_int_equal(
      wes__ring_grow(&vr, &cap, &head, count, sizeof(uint64_t), 4, 10), -1);
  assert_int_equal(cap, 10);
  ring = vr;
  for (k = 0; k < 4; k++) {
    assert_true(ring[k] == 100 + k);
  }
  wes__free(ring);
}

static int log_calls;
static char log_last[256];
static void log_hook(void *data, int level, const char *module,
                     const char *message) {
  (void)data;
  (void)level;
  log_calls++;
  snprintf(log_last, sizeof(log_last), "%s: %s", module, message);
}

static void test_core_log_hook(void **state) {
  (void)state;
  log_calls = 0;
  wes__log(WES_LOG_ERROR, "core", "nobody listens");
  assert_int_equal(log_calls, 0);
  wes_set_log_hook(log_hook, NULL, WES_LOG_WARNING);
  assert_true(wes__log_enabled(WES_LOG_WARNING));
  assert_false(wes__log_enabled(WES_LOG_DEBUG));
  wes__log(WES_LOG_DEBUG, "core", "too chatty");
  assert_int_equal(log_calls, 0);
  wes__log(WES_LOG_WARNING, "core", "slow consumer %d ms", 150);
  assert_int_equal(log_calls, 1);
  assert_string_equal(log_last, "core: slow consumer 150 ms");
  wes_set_log_hook(NULL, NULL, 0);
  wes__log(WES_LOG_ERROR, "core", "gone");
  assert_int_equal(log_calls, 1);
}

static void test_core_refcount(void **state) {
  wes__refcount_t r;
  (void)state;
  wes__ref_init(&r);
  wes__ref_inc(&r);
  assert_int_equal(wes__ref_get(&r), 2);
  assert_false(wes__ref_dec(&r));
  assert_true(wes__ref_dec(&r));
}

static void test_core_strings_and_buffers(void **state) {
  wes__buf_t b;
  char *s;
  (void)state;
  assert_int_equal(wes__strcasecmp("__InstanceCreationEvent",
                                   "__INSTANCEcreationevent"),
                   0);
  assert_true(wes__strcasecmp("a", "b") < 0);
  assert_int_equal(wes__strncasecmp("SELECTx", "selecty", 6), 0);
  assert_true(wes__hash_ci("Win32_Process") == wes__hash_ci("WIN32_PROCESS"));
  wes__buf_init(&b);
  s = wes__buf_take(&b);
  assert_string_equal(s, "");
  wes__free(s);
  wes__buf_puts(&b, "instance of ");
  wes__buf_printf(&b, "%s {%d}", "X", 42);
  wes__buf_putc(&b, ';');
  s = wes__buf_take(&b);
  assert_string_equal(s, "instance of X {42};");
  wes__free(s);
  assert_hr_equal(wes__hr_from_uv(-12 /* UV_ENOMEM on Linux */),
                  WES_E_OUT_OF_MEMORY);
  assert_hr_equal(wes__hr_from_uv(0), WES_S_OK);
  assert_string_equal(wes_version_string(), WES_VERSION_STRING);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_core_values_and_names),
      cmocka_unit_test(test_core_table_is_consistent),
      cmocka_unit_test(test_core_unknown_codes),
      cmocka_unit_test(test_core_error_fill),
      cmocka_unit_test(test_core_error_set),
      cmocka_unit_test(test_core_allocator_replace_after_use),
      cmocka_unit_test(test_core_log_hook),
      cmocka_unit_test(test_core_refcount),
      cmocka_unit_test(test_core_strings_and_buffers),
      cmocka_unit_test(test_core_ring_grow),
  };
  return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
