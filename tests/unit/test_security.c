/* SPDX-License-Identifier: MIT */
/* SIDs, tokens, identity mapping, access checks and the decision cache. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wes_test.h"

static wes_sid_t sid_of(const char *text) {
  wes_sid_t s;
  wes_error_t err;
  wes_hresult_t hr = wes_sid_parse(text, NULL, &s, &err);
  if (WES_FAILED(hr)) {
    fail_msg("SID '%s': %s", text, err.text);
  }
  return s;
}

static void check_sid(const char *in, const char *want) {
  wes_sid_t s = sid_of(in);
  char buf[WES_SID_STRING_MAX];
  assert_hr_ok(wes_sid_to_string(&s, buf, sizeof(buf)));
  if (strcmp(buf, want) != 0) {
    fail_msg("'%s' -> '%s', expected '%s'", in, buf, want);
  }
}

static void test_security_sid_text(void **state) {
  wes_sid_t s;
  wes_error_t err;
  char small[8];
  (void)state;
  check_sid("S-1-5-32-544", "S-1-5-32-544");
  check_sid("s-1-5-18", "S-1-5-18");
  check_sid("S-1-5", "S-1-5");
  check_sid("S-1-0x000000000005-18", "S-1-5-18");
  check_sid("S-1-0x123456789ABC-1", "S-1-0x123456789ABC-1");
  check_sid("S-1-4294967296-7", "S-1-0x100000000-7");
  check_sid("S-1-5-4294967295", "S-1-5-4294967295");
  check_sid("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
            "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15");
  assert_hr_equal(wes_sid_parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
                                NULL, &s, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sid_parse("S-2-5", NULL, &s, &err),
                  WES_E_INVALID_PARAMETER);
  assert_int_equal(err.column, 3);
  assert_hr_equal(wes_sid_parse("S-1-5-x", NULL, &s, &err),
                  WES_E_INVALID_PARAMETER);
  assert_int_equal(err.column, 7);
  assert_hr_equal(wes_sid_parse("S-1-281474976710656", NULL, &s, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sid_parse("S-1-0x1234567890ABC", NULL, &s, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sid_parse("", NULL, &s, &err), WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sid_parse("XY", NULL, &s, &err), WES_E_INVALID_PARAMETER);
  assert_hr_ok(wes_sid_parse("ba", NULL, &s, &err)); /* any case */
  assert_string_equal(wes_sid_alias(&s, NULL), "BA");
  check_sid("S-1-5-21-0x1-0x2-0x3-0x4b1", "S-1-5-21-1-2-3-1201");
  assert_hr_equal(wes_sid_parse("S-1-5-0x", NULL, &s, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sid_parse("S-1-5-0x100000000", NULL, &s, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sid_parse(NULL, NULL, &s, &err), WES_E_INVALID_PARAMETER);
  s = sid_of("S-1-5-32-544");
  assert_hr_equal(wes_sid_to_string(&s, small, sizeof(small)),
                  WES_E_BUFFER_TOO_SMALL);
}

static void test_security_alias_table(void **state) {
  static const struct {
    const char *alias, *sid;
  } t[] = {
      {"WD", "S-1-1-0"},
      {"CO", "S-1-3-0"},
      {"CG", "S-1-3-1"},
      {"OW", "S-1-3-4"},
      {"NU", "S-1-5-2"},
      {"IU", "S-1-5-4"},
      {"SU", "S-1-5-6"},
      {"AN", "S-1-5-7"},
      {"ED", "S-1-5-9"},
      {"PS", "S-1-5-10"},
      {"AU", "S-1-5-11"},
      {"RC", "S-1-5-12"},
      {"SY", "S-1-5-18"},
      {"LS", "S-1-5-19"},
      {"NS", "S-1-5-20"},
      {"WR", "S-1-5-33"},
      {"BA", "S-1-5-32-544"},
      {"BU", "S-1-5-32-545"},
      {"BG", "S-1-5-32-546"},
      {"PU", "S-1-5-32-547"},
      {"AO", "S-1-5-32-548"},
      {"SO", "S-1-5-32-549"},
      {"PO", "S-1-5-32-550"},
      {"BO", "S-1-5-32-551"},
      {"RE", "S-1-5-32-552"},
      {"RU", "S-1-5-32-554"},
      {"RD", "S-1-5-32-555"},
      {"NO", "S-1-5-32-556"},
      {"MU", "S-1-5-32-558"},
      {"LU", "S-1-5-32-559"},
      {"IS", "S-1-5-32-568"},
      {"CY", "S-1-5-32-569"},
      {"ER", "S-1-5-32-573"},
      {"CD", "S-1-5-32-574"},
      {"RA", "S-1-5-32-575"},
      {"ES", "S-1-5-32-576"},
      {"MS", "S-1-5-32-577"},
      {"HA", "S-1-5-32-578"},
      {"AA", "S-1-5-32-579"},
      {"RM", "S-1-5-32-580"},
      {"LW", "S-1-16-4096"},
      {"ME", "S-1-16-8192"},
      {"MP", "S-1-16-8448"},
      {"HI", "S-1-16-12288"},
      {"SI", "S-1-16-16384"},
      {"AC", "S-1-15-2-1"},
      {"AS", "S-1-18-1"},
      {"SS", "S-1-18-2"},
      {"UD", "S-1-5-84-0-0-0-0-0"},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    wes_sid_t a = sid_of(t[i].alias), b = sid_of(t[i].sid);
    char buf[WES_SID_STRING_MAX];
    assert_hr_ok(wes_sid_to_string(&a, buf, sizeof(buf)));
    if (!wes_sid_equal(&a, &b)) {
      fail_msg("%s resolved to %s, expected %s", t[i].alias, buf, t[i].sid);
    }
    assert_string_equal(wes_sid_alias(&b, NULL), t[i].alias);
  }
  {
    wes_sid_t s = sid_of("S-1-5-21-1-2-3-4");
    assert_null(wes_sid_alias(&s, NULL));
  }
}

static void test_security_relative_aliases(void **state) {
  static const struct {
    const char *alias;
    uint32_t rid;
    int base; /* 0 domain, 1 root, 2 machine */
  } t[] = {
      {"DA", 512, 0}, {"DU", 513, 0}, {"DG", 514, 0}, {"DC", 515, 0},
      {"DD", 516, 0}, {"CA", 517, 0}, {"CN", 522, 0}, {"AP", 525, 0},
      {"KA", 526, 0}, {"RS", 553, 0}, {"SA", 518, 1}, {"EA", 519, 1},
      {"PA", 520, 1}, {"RO", 498, 1}, {"EK", 527, 1}, {"LA", 500, 2},
      {"LG", 501, 2},
  };
  wes_sid_t dom = sid_of("S-1-5-21-10-20-30"), root = sid_of("S-1-5-21-1-1-1"),
            mach = sid_of("S-1-5-21-7-7-7"), s;
  wes_sid_scope_t scope = {&dom, &root, &mach};
  wes_sid_scope_t only_dom = {&dom, NULL, NULL};
  wes_error_t err;
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    const wes_sid_t *base = t[i].base == 0   ? &dom
                            : t[i].base == 1 ? &root
                                             : &mach;
    wes_sid_t want = *base;
    want.sub[want.sub_count++] = t[i].rid;
    assert_hr_equal(wes_sid_parse(t[i].alias, NULL, &s, &err), WES_E_NOT_FOUND);
    assert_non_null(strstr(err.text, t[i].alias));
    assert_hr_ok(wes_sid_parse(t[i].alias, &scope, &s, NULL));
    assert_true(wes_sid_equal(&s, &want));
    assert_string_equal(wes_sid_alias(&want, &scope), t[i].alias);
    assert_null(wes_sid_alias(&want, NULL));
  }
  /* Root-domain aliases fall back to the domain SID. */
  assert_hr_ok(wes_sid_parse("EA", &only_dom, &s, NULL));
  assert_int_equal(s.sub[s.sub_count - 1], 519);
  assert_int_equal(s.sub[1], 10);
  assert_hr_equal(wes_sid_parse("LA", &only_dom, &s, NULL), WES_E_NOT_FOUND);
}

static void test_security_sid_binary(void **state) {
  static const uint8_t admins[] = {1,  2, 0, 0, 0,  0, 0, 5,
                                   32, 0, 0, 0, 32, 2, 0, 0};
  static const uint8_t system[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
  wes_sid_t s;
  uint8_t buf[WES_SID_MAX_BINARY], bad[16];
  size_t used = 0, len = 0;
  wes_error_t err;
  (void)state;
  assert_hr_ok(wes_sid_from_binary(admins, sizeof(admins), &s, &used, NULL));
  assert_int_equal(used, 16);
  assert_string_equal(wes_sid_alias(&s, NULL), "BA");
  assert_hr_ok(wes_sid_to_binary(&s, buf, sizeof(buf), &len));
  assert_int_equal(len, 16);
  assert_memory_equal(buf, admins, 16);
  assert_hr_ok(wes_sid_from_binary(system, sizeof(system), &s, &used, NULL));
  assert_string_equal(wes_sid_alias(&s, NULL), "SY");
  assert_int_equal(wes_sid_binary_length(&s), 12);
  assert_hr_equal(wes_sid_to_binary(&s, buf, 11, &len), WES_E_BUFFER_TOO_SMALL);
  assert_int_equal(len, 12);
  /* Malformed. */
  assert_hr_equal(wes_sid_from_binary(admins, 15, &s, NULL, &err),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_sid_from_binary(admins, 7, &s, NULL, &err),
                  WES_E_INVALID_PARAMETER);
  memcpy(bad, admins, 16);
  bad[1] = 16;
  assert_hr_equal(wes_sid_from_binary(bad, 16, &s, NULL, &err),
                  WES_E_INVALID_PARAMETER);
  assert_non_null(strstr(err.text, "15"));
  bad[1] = 2;
  bad[0] = 2;
  assert_hr_equal(wes_sid_from_binary(bad, 16, &s, NULL, &err),
                  WES_E_INVALID_PARAMETER);
  /* make / authority */
  {
    uint32_t sub[2] = {32, 544};
    wes_sid_t m;
    assert_hr_ok(wes_sid_make(5, sub, 2, &m));
    assert_true(wes_sid_equal(&m, &s) == 0);
    assert_hr_ok(wes_sid_from_binary(admins, 16, &s, NULL, NULL));
    assert_true(wes_sid_equal(&m, &s));
    assert_int_equal(wes_sid_get_authority(&m), 5);
    assert_hr_equal(wes_sid_make((uint64_t)1 << 48, sub, 2, &m),
                    WES_E_INVALID_PARAMETER);
    assert_hr_equal(wes_sid_make(5, sub, 16, &m), WES_E_INVALID_PARAMETER);
  }
}

/* ---- tokens -------------------------------------------------------------- */

static wes_token_t *token_of(const char *user, const char *const *groups,
                             size_t n, uint32_t flags) {
  wes_token_group_t g[16];
  wes_sid_t u = sid_of(user);
  wes_token_t *t = NULL;
  size_t i;
  for (i = 0; i < n; i++) {
    const char *s = groups[i];
    g[i].attributes = WES_GROUP_DEFAULT;
    if (s[0] == '!') { /* deny-only */
      g[i].attributes = WES_GROUP_USE_FOR_DENY_ONLY;
      s++;
    }
    g[i].sid = sid_of(s);
  }
  assert_hr_ok(wes_token_new(&u, g, n, flags, &t, NULL));
  return t;
}

static void test_security_unix_mapping(void **state) {
  wes_token_t *t = NULL;
  const wes_token_group_t *g;
  size_t n = 0;
  uint32_t sup[3] = {27, 100, 27};
  char buf[WES_SID_STRING_MAX];
  (void)state;
  assert_hr_ok(
      wes_token_from_unix(1000, 1000, sup, 3, NULL, NULL, 0, &t, NULL));
  assert_hr_ok(wes_sid_to_string(wes_token_get_user(t), buf, sizeof(buf)));
  assert_string_equal(buf, "S-1-22-1-1000");
  g = wes_token_get_groups(t, &n);
  assert_int_equal(n, 5); /* 1000, 27, 100, WD, AU */
  assert_hr_ok(wes_sid_to_string(&g[0].sid, buf, sizeof(buf)));
  assert_string_equal(buf, "S-1-22-2-1000");
  assert_hr_ok(wes_sid_to_string(&g[1].sid, buf, sizeof(buf)));
  assert_string_equal(buf, "S-1-22-2-27");
  assert_hr_ok(wes_sid_to_string(&g[2].sid, buf, sizeof(buf)));
  assert_string_equal(buf, "S-1-22-2-100");
  assert_string_equal(wes_sid_alias(&g[3].sid, NULL), "WD");
  assert_string_equal(wes_sid_alias(&g[4].sid, NULL), "AU");
  assert_int_equal(g[0].attributes, WES_GROUP_DEFAULT);
  wes_token_unref(t);
  /* root also gets BUILTIN\Administrators. */
  assert_hr_ok(wes_token_from_unix(0, 0, NULL, 0, wes_authority_unix(), NULL,
                                   WES_PRIV_SECURITY, &t, NULL));
  g = wes_token_get_groups(t, &n);
  assert_int_equal(n, 4);
  assert_string_equal(wes_sid_alias(&g[3].sid, NULL), "BA");
  assert_int_equal(wes_token_get_flags(t), WES_PRIV_SECURITY);
  assert_ptr_equal(wes_token_ref(t), t);
  wes_token_unref(t);
  wes_token_unref(t);
  assert_null(wes_token_unref(NULL));
}

static wes_hresult_t dir_user(void *data, uint32_t uid, wes_sid_t *ret) {
  uint32_t sub[5] = {21, 1, 2, 3, 0};
  (void)data;
  if (uid == 666) {
    return WES_E_NOT_FOUND;
  }
  sub[4] = 10000 + uid;
  return wes_sid_make(5, sub, 5, ret);
}

static wes_hresult_t dir_group(void *data, uint32_t gid, wes_sid_t *ret) {
  uint32_t sub[5] = {21, 1, 2, 3, 0};
  (void)data;
  sub[4] = 20000 + gid;
  return wes_sid_make(5, sub, 5, ret);
}

static int extra_calls;

static wes_hresult_t dir_extra(void *data, uint32_t uid, wes_token_group_t *buf,
                               size_t cap, size_t *ret_n) {
  size_t want = *(size_t *)data, i;
  (void)uid;
  extra_calls++;
  *ret_n = want;
  if (cap < want) {
    return WES_E_BUFFER_TOO_SMALL;
  }
  for (i = 0; i < want; i++) {
    uint32_t sub[2] = {32, (uint32_t)(1000 + i)};
    (void)wes_sid_make(5, sub, 2, &buf[i].sid);
    buf[i].attributes = WES_GROUP_DEFAULT;
  }
  return WES_S_OK;
}

static void test_security_authority_ops(void **state) {
  wes_authority_ops_t ops = {WES_AUTHORITY_OPS_VERSION, dir_user, dir_group,
                             NULL};
  wes_token_t *t = NULL;
  size_t n = 0, want = 40;
  wes_error_t err;
  char buf[WES_SID_STRING_MAX];
  (void)state;
  assert_hr_ok(wes_token_from_unix(5, 6, NULL, 0, &ops, NULL, 0, &t, NULL));
  assert_hr_ok(wes_sid_to_string(wes_token_get_user(t), buf, sizeof(buf)));
  assert_string_equal(buf, "S-1-5-21-1-2-3-10005");
  (void)wes_token_get_groups(t, &n);
  assert_int_equal(n, 3); /* group 6, then the default WD, AU */
  wes_token_unref(t);
  /* extra_groups replaces the defaults; a large answer is re-asked. */
  ops.extra_groups = dir_extra;
  extra_calls = 0;
  assert_hr_ok(wes_token_from_unix(5, 6, NULL, 0, &ops, &want, 0, &t, NULL));
  (void)wes_token_get_groups(t, &n);
  assert_int_equal(n, 41);
  assert_int_equal(extra_calls, 2);
  wes_token_unref(t);
  /* Failures pass through; bad tables are refused. */
  assert_hr_equal(
      wes_token_from_unix(666, 6, NULL, 0, &ops, &want, 0, &t, &err),
      WES_E_NOT_FOUND);
  ops.version = 0;
  assert_hr_equal(wes_token_from_unix(5, 6, NULL, 0, &ops, &want, 0, &t, NULL),
                  WES_E_INVALID_PARAMETER);
  ops.version = 99; /* newer versions are accepted */
  assert_hr_ok(wes_token_from_unix(5, 6, NULL, 0, &ops, &want, 0, &t, NULL));
  wes_token_unref(t);
  ops.version = 1;
  ops.group_sid = NULL;
  assert_hr_equal(wes_token_from_unix(5, 6, NULL, 0, &ops, &want, 0, &t, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_token_from_unix(5, 6, NULL, 2, NULL, NULL, 0, &t, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(
      wes_token_from_unix(5, 6, NULL, 0, NULL, NULL, 0x80000000u, &t, NULL),
      WES_E_INVALID_PARAMETER);
}

static void test_security_token_from_peer(void **state) {
  int sv[2];
  wes_token_t *t = NULL;
  wes_sid_t me;
  wes_error_t err;
  (void)state;
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  assert_hr_ok(wes_token_from_peer(sv[0], NULL, NULL, 0, &t, &err));
  wes_sid_unix_user((uint32_t)getuid(), &me);
  assert_true(wes_sid_equal(wes_token_get_user(t), &me));
  {
    size_t n = 0, i;
    const wes_token_group_t *g = wes_token_get_groups(t, &n);
    wes_sid_t pg;
    int found = 0;
    wes_sid_unix_group((uint32_t)getgid(), &pg);
    for (i = 0; i < n; i++) {
      found |= wes_sid_equal(&g[i].sid, &pg);
    }
    assert_true(found);
  }
  wes_token_unref(t);
  close(sv[0]);
  close(sv[1]);
  /* A pipe has no peer credentials. */
  assert_int_equal(pipe(sv), 0);
  assert_hr_equal(wes_token_from_peer(sv[0], NULL, NULL, 0, &t, &err),
                  WES_E_ACCESS_DENIED);
  assert_int_not_equal(err.sys_error, 0);
  close(sv[0]);
  close(sv[1]);
  assert_hr_equal(wes_token_from_peer(-1, NULL, NULL, 0, &t, &err),
                  WES_E_INVALID_PARAMETER);
}

/* ---- access checks --------------------------------------------------- */

static wes_sd_t *sd_of(const char *sddl) {
  wes_sd_t *sd = NULL;
  wes_error_t err;
  wes_hresult_t hr = wes_sd_from_sddl(sddl, NULL, &sd, &err);
  if (WES_FAILED(hr)) {
    fail_msg("'%s': %s", sddl, err.text);
  }
  return sd;
}

/* Checks with and without the cache; both must agree. */
static wes_hresult_t check(const char *sddl, wes_token_t *t, uint32_t desired,
                           const wes_generic_mapping_t *m,
                           uint32_t *ret_granted) {
  wes_sd_t *sd = sd_of(sddl);
  wes_access_cache_t *c = NULL;
  uint32_t g1 = 0xDEAD, g2 = 0xBEEF, g3 = 0xF00D;
  wes_hresult_t hr1 = wes_access_check(sd, t, desired, m, &g1, NULL), hr2, hr3;
  assert_hr_ok(wes_access_cache_new(m, 16, &c, NULL));
  hr2 = wes_access_cache_check(c, sd, t, desired, &g2, NULL);
  hr3 = wes_access_cache_check(c, sd, t, desired, &g3, NULL);
  assert_hr_equal(hr1, hr2);
  assert_hr_equal(hr1, hr3);
  if (hr1 == WES_S_OK) {
    assert_int_equal(g1, g2);
    assert_int_equal(g1, g3);
  }
  wes_access_cache_free(c);
  wes_sd_unref(sd);
  if (ret_granted != NULL) {
    *ret_granted = g1;
  }
  return hr1;
}

#define SUB WES_WBEM_RIGHT_SUBSCRIBE
#define PUB WES_WBEM_RIGHT_PUBLISH

static void test_security_access_order(void **state) {
  const char *const admin_groups[] = {"BA", "WD", "AU"};
  const char *const user_groups[] = {"BU", "WD", "AU"};
  wes_token_t *admin = token_of("S-1-22-1-0", admin_groups, 3, 0);
  wes_token_t *user = token_of("S-1-22-1-1000", user_groups, 3, 0);
  uint32_t g = 0;
  (void)state;
  /* The documented sink SD: admins may subscribe, others not. */
  assert_hr_ok(check("O:BAG:BAD:(A;;0x40;;;BA)", admin, SUB, NULL, &g));
  assert_int_equal(g, SUB);
  assert_hr_equal(check("O:BAG:BAD:(A;;0x40;;;BA)", user, SUB, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  assert_hr_equal(check("O:BAG:BAD:(A;;0x80;;;BA)", admin, SUB, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  /* Deny after allow: the allow already granted the bit. */
  assert_hr_ok(
      check("O:SYG:SYD:(A;;0x40;;;WD)(D;;0x40;;;BU)", user, SUB, NULL, &g));
  /* Allow after deny: the deny wins. */
  assert_hr_equal(
      check("O:SYG:SYD:(D;;0x40;;;BU)(A;;0x40;;;WD)", user, SUB, NULL, NULL),
      WES_E_ACCESS_DENIED);
  /* A deny naming other bits does not matter. */
  assert_hr_ok(
      check("O:SYG:SYD:(D;;0x80;;;BU)(A;;0xC0;;;WD)", user, SUB, NULL, &g));
  /* ... but it refuses a request that includes them. */
  assert_hr_equal(check("O:SYG:SYD:(D;;0x80;;;BU)(A;;0xC0;;;WD)", user,
                        SUB | PUB, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  /* Bits granted across several ACEs add up. */
  assert_hr_ok(check("O:SYG:SYD:(A;;0x40;;;BU)(A;;0x80;;;AU)", user, SUB | PUB,
                     NULL, &g));
  assert_int_equal(g, SUB | PUB);
  /* Inherit-only ACEs are skipped; inherited ones apply. */
  assert_hr_equal(check("O:SYG:SYD:(A;IO;0x40;;;WD)", user, SUB, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  assert_hr_ok(check("O:SYG:SYD:(D;OICIIO;0x40;;;WD)(A;ID;0x40;;;WD)", user,
                     SUB, NULL, NULL));
  /* Audit ACEs in a DACL (SDDL refuses them; binary can carry them)
   * grant nothing. */
  {
    wes_sid_t sy = sid_of("SY");
    wes_ace_t au;
    wes_sd_desc_t d;
    wes_sd_t *sd = NULL;
    memset(&au, 0, sizeof(au));
    au.type = WES_ACE_SYSTEM_AUDIT;
    au.flags = WES_ACE_SUCCESSFUL_ACCESS;
    au.mask = SUB;
    au.sid = sid_of("WD");
    memset(&d, 0, sizeof(d));
    d.owner = &sy;
    d.group = &sy;
    d.dacl_state = WES_ACL_PRESENT;
    d.dacl = &au;
    d.dacl_count = 1;
    assert_hr_ok(wes_sd_new(&d, &sd, NULL));
    assert_hr_equal(wes_access_check(sd, user, SUB, NULL, &g, NULL),
                    WES_E_ACCESS_DENIED);
    wes_sd_unref(sd);
  }
  /* Object ACEs: with an object type they do not apply. */
  assert_hr_equal(
      check("O:SYG:SYD:(OA;;0x40;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)",
            user, SUB, NULL, NULL),
      WES_E_ACCESS_DENIED);
  assert_hr_ok(
      check("O:SYG:SYD:(OA;;0x40;;ab721a53-1e2f-11d0-9819-00aa0040529b;WD)",
            user, SUB, NULL, NULL));
  /* Empty request. */
  assert_hr_equal(check("O:SYG:SYD:(A;;0x40;;;WD)", user, 0, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  wes_token_unref(admin);
  wes_token_unref(user);
}

static void test_security_access_null_and_empty_dacl(void **state) {
  const char *const groups[] = {"WD"};
  wes_token_t *t = token_of("S-1-22-1-1000", groups, 1, 0);
  uint32_t g = 0;
  (void)state;
  assert_hr_ok(check("O:SYG:SYD:NO_ACCESS_CONTROL", t, SUB | PUB | WES_DELETE,
                     NULL, &g));
  assert_int_equal(g, SUB | PUB | WES_DELETE);
  assert_hr_ok(check("O:SYG:SY", t, SUB, NULL, &g)); /* no DACL at all */
  assert_hr_equal(check("O:SYG:SYD:", t, SUB, NULL, NULL), WES_E_ACCESS_DENIED);
  /* MAXIMUM_ALLOWED on a NULL DACL gives GenericAll of the mapping. */
  assert_hr_ok(check("O:SYG:SYD:NO_ACCESS_CONTROL", t, WES_MAXIMUM_ALLOWED,
                     wes_wmi_generic_mapping(), &g));
  assert_int_equal(g, wes_wmi_generic_mapping()->generic_all);
  assert_hr_equal(check("O:SYG:SYD:", t, WES_MAXIMUM_ALLOWED, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  wes_token_unref(t);
}

static void test_security_access_owner_and_privileges(void **state) {
  const char *const groups[] = {"WD"};
  wes_token_t *owner = token_of("S-1-22-1-1000", groups, 1, 0);
  wes_token_t *other = token_of("S-1-22-1-1001", groups, 1, 0);
  wes_token_t *priv = token_of("S-1-22-1-1001", groups, 1,
                               WES_PRIV_SECURITY | WES_PRIV_TAKE_OWNERSHIP);
  uint32_t g = 0;
  (void)state;
  /* The owner reads and changes the DACL even if it is empty... */
  assert_hr_ok(check("O:S-1-22-1-1000G:SYD:", owner,
                     WES_READ_CONTROL | WES_WRITE_DAC, NULL, &g));
  assert_hr_equal(
      check("O:S-1-22-1-1000G:SYD:", other, WES_READ_CONTROL, NULL, NULL),
      WES_E_ACCESS_DENIED);
  /* ... and a deny ACE cannot take those rights away ... */
  assert_hr_ok(check("O:S-1-22-1-1000G:SYD:(D;;RCWD;;;WD)", owner,
                     WES_READ_CONTROL, NULL, NULL));
  /* ... unless OWNER RIGHTS is named: then its ACEs decide. */
  assert_hr_equal(check("O:S-1-22-1-1000G:SYD:(A;;RC;;;OW)", owner,
                        WES_WRITE_DAC, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  assert_hr_ok(check("O:S-1-22-1-1000G:SYD:(A;;RC;;;OW)", owner,
                     WES_READ_CONTROL, NULL, NULL));
  assert_hr_equal(check("O:S-1-22-1-1000G:SYD:(A;;RC;;;OW)", other,
                        WES_READ_CONTROL, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  /* MAXIMUM_ALLOWED includes the owner's implicit rights. */
  assert_hr_ok(check("O:S-1-22-1-1000G:SYD:(A;;0x40;;;WD)", owner,
                     WES_MAXIMUM_ALLOWED, NULL, &g));
  assert_int_equal(g, SUB | WES_READ_CONTROL | WES_WRITE_DAC);
  /* ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege, even on NULL DACLs. */
  assert_hr_equal(check("O:SYG:SYD:NO_ACCESS_CONTROL", other,
                        WES_ACCESS_SYSTEM_SECURITY, NULL, NULL),
                  WES_E_PRIVILEGE_NOT_HELD);
  assert_hr_ok(check("O:SYG:SYD:", priv, WES_ACCESS_SYSTEM_SECURITY, NULL, &g));
  assert_int_equal(g, WES_ACCESS_SYSTEM_SECURITY);
  /* SeTakeOwnershipPrivilege grants WRITE_OWNER. */
  assert_hr_ok(check("O:SYG:SYD:", priv, WES_WRITE_OWNER, NULL, &g));
  assert_hr_equal(check("O:SYG:SYD:", other, WES_WRITE_OWNER, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  wes_token_unref(owner);
  wes_token_unref(other);
  wes_token_unref(priv);
}

static void test_security_access_generic_and_maximum(void **state) {
  const char *const groups[] = {"BU", "WD"};
  wes_token_t *t = token_of("S-1-22-1-1000", groups, 2, 0);
  const wes_generic_mapping_t *wmi = wes_wmi_generic_mapping();
  uint32_t g = 0;
  wes_error_t err;
  wes_sd_t *sd;
  (void)state;
  /* GR in an ACE maps to ENABLE|SUBSCRIBE|READ_CONTROL. */
  assert_hr_ok(check("O:SYG:SYD:(A;;GR;;;BU)", t, SUB, wmi, &g));
  assert_hr_equal(check("O:SYG:SYD:(A;;GR;;;BU)", t, PUB, wmi, NULL),
                  WES_E_ACCESS_DENIED);
  assert_hr_ok(check("O:SYG:SYD:(A;;GW;;;BU)", t, PUB, wmi, NULL));
  assert_hr_ok(
      check("O:SYG:SYD:(A;;GX;;;BU)", t, WES_WBEM_METHOD_EXECUTE, wmi, NULL));
  /* Without a mapping the generic bit in an ACE does not match. */
  assert_hr_equal(check("O:SYG:SYD:(A;;GR;;;BU)", t, SUB, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  /* Generic bits in the request are mapped first. */
  assert_hr_ok(check("O:SYG:SYD:(A;;GA;;;BU)", t, WES_GENERIC_READ, wmi, &g));
  assert_int_equal(g, wmi->generic_read);
  /* Without a mapping they are an error. */
  sd = sd_of("O:SYG:SYD:(A;;GA;;;BU)");
  assert_hr_equal(wes_access_check(sd, t, WES_GENERIC_READ, NULL, &g, &err),
                  WES_E_INVALID_PARAMETER);
  assert_non_null(strstr(err.text, "mapping"));
  wes_sd_unref(sd);
  /* MAXIMUM_ALLOWED: allowed bits minus those denied first. */
  assert_hr_ok(check("O:SYG:SYD:(D;;0x80;;;WD)(A;;GA;;;BU)", t,
                     WES_MAXIMUM_ALLOWED, wmi, &g));
  assert_int_equal(g, wmi->generic_all & ~PUB);
  assert_hr_ok(check("O:SYG:SYD:(D;;0x80;;;WD)(A;;GA;;;BU)", t,
                     WES_MAXIMUM_ALLOWED | SUB, wmi, &g));
  assert_hr_equal(check("O:SYG:SYD:(D;;0x80;;;WD)(A;;GA;;;BU)", t,
                        WES_MAXIMUM_ALLOWED | PUB, wmi, NULL),
                  WES_E_ACCESS_DENIED);
  assert_int_equal(wes_map_generic(WES_GENERIC_ALL | 0x100, wmi),
                   0x1FFu | WES_READ_CONTROL | WES_WRITE_DAC);
  assert_int_equal(wes_map_generic(WES_GENERIC_WRITE, wmi),
                   0x04u | 0x08u | 0x10u | 0x80u);
  assert_int_equal(wes_map_generic(WES_GENERIC_EXECUTE, wmi), 0x2u);
  wes_token_unref(t);
}

static void test_security_access_deny_only_and_bad_input(void **state) {
  const char *const groups[] = {"!BU", "WD"};
  wes_token_t *t = token_of("S-1-22-1-1000", groups, 2, 0);
  wes_token_t *du = NULL;
  wes_sid_t u = sid_of("S-1-22-1-1000");
  wes_sd_t *sd;
  uint32_t g = 0;
  wes_error_t err;
  (void)state;
  /* A deny-only group matches deny ACEs, never allow ACEs. */
  assert_hr_equal(check("O:SYG:SYD:(A;;0x40;;;BU)", t, SUB, NULL, NULL),
                  WES_E_ACCESS_DENIED);
  assert_hr_equal(
      check("O:SYG:SYD:(D;;0x40;;;BU)(A;;0x40;;;WD)", t, SUB, NULL, NULL),
      WES_E_ACCESS_DENIED);
  assert_hr_ok(check("O:SYG:SYD:(A;;0x40;;;WD)", t, SUB, NULL, NULL));
  /* A deny-only user. */
  assert_hr_ok(wes_token_new(&u, NULL, 0, WES_TOKEN_USER_DENY_ONLY, &du, NULL));
  assert_hr_equal(
      check("O:SYG:SYD:(A;;0x40;;;S-1-22-1-1000)", du, SUB, NULL, NULL),
      WES_E_ACCESS_DENIED);
  wes_token_unref(du);
  /* No owner or no group: AccessCheck refuses the descriptor. */
  sd = sd_of("G:SYD:(A;;0x40;;;WD)");
  assert_hr_equal(wes_access_check(sd, t, SUB, NULL, &g, &err),
                  WES_E_INVALID_PARAMETER);
  assert_non_null(strstr(err.text, "owner"));
  wes_sd_unref(sd);
  sd = sd_of("O:SYD:(A;;0x40;;;WD)");
  assert_hr_equal(wes_access_check(sd, t, SUB, NULL, &g, &err),
                  WES_E_INVALID_PARAMETER);
  assert_non_null(strstr(err.text, "group"));
  assert_hr_equal(wes_access_check(sd, NULL, SUB, NULL, &g, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_equal(wes_access_cache_check(NULL, sd, t, SUB, &g, NULL),
                  WES_E_INVALID_PARAMETER);
  wes_sd_unref(sd);
  {
    wes_token_group_t bad;
    memset(&bad, 0, sizeof(bad));
    assert_hr_equal(wes_token_new(&u, &bad, 1, 0, &du, NULL),
                    WES_E_INVALID_PARAMETER);
    assert_hr_equal(wes_token_new(NULL, NULL, 0, 0, &du, NULL),
                    WES_E_INVALID_PARAMETER);
  }
  wes_token_unref(t);
}

static void test_security_cache(void **state) {
  const char *const groups[] = {"BU", "WD"};
  wes_token_t *t = token_of("S-1-22-1-1000", groups, 2, 0);
  wes_token_t *t2 = token_of("S-1-22-1-1001", groups + 1, 1, 0);
  wes_sd_t *sd = sd_of("O:SYG:SYD:(A;;0x40;;;BU)");
  wes_access_cache_t *c = NULL;
  uint64_t hits = 0, misses = 0;
  uint32_t g = 0;
  int i;
  (void)state;
  assert_hr_equal(wes_access_cache_new(NULL, (size_t)1 << 21, &c, NULL),
                  WES_E_INVALID_PARAMETER);
  assert_hr_ok(wes_access_cache_new(wes_wmi_generic_mapping(), 0, &c, NULL));
  for (i = 0; i < 10; i++) {
    assert_hr_ok(wes_access_cache_check(c, sd, t, SUB, &g, NULL));
    assert_hr_equal(wes_access_cache_check(c, sd, t2, SUB, &g, NULL),
                    WES_E_ACCESS_DENIED);
  }
  wes_access_cache_stats(c, &hits, &misses);
  assert_int_equal(misses, 2);
  assert_int_equal(hits, 18);
  /* Different desired masks are answered from the same entry. */
  assert_hr_equal(wes_access_cache_check(c, sd, t, PUB, &g, NULL),
                  WES_E_ACCESS_DENIED);
  assert_hr_equal(wes_access_cache_check(c, sd, t, 0, &g, NULL),
                  WES_E_ACCESS_DENIED);
  wes_access_cache_stats(c, &hits, &misses);
  assert_int_equal(misses, 2);
  wes_access_cache_clear(c);
  assert_hr_ok(wes_access_cache_check(c, sd, t, SUB, &g, NULL));
  wes_access_cache_stats(c, &hits, &misses);
  assert_int_equal(misses, 3);
  /* A new descriptor with the same text is a new key. */
  {
    wes_sd_t *sd2 = sd_of("O:SYG:SYD:(A;;0x80;;;BU)");
    assert_hr_equal(wes_access_cache_check(c, sd2, t, SUB, &g, NULL),
                    WES_E_ACCESS_DENIED);
    wes_sd_unref(sd2);
  }
  wes_access_cache_free(c);
  wes_access_cache_free(NULL);
  wes_sd_unref(sd);
  wes_token_unref(t);
  wes_token_unref(t2);
}

typedef struct {
  wes_access_cache_t *cache;
  wes_sd_t *sd[4];
  wes_token_t *tok[4];
  int errors;
} hammer_t;

static void *hammer(void *arg) {
  hammer_t *h = arg;
  int i;
  for (i = 0; i < 20000; i++) {
    int a = i & 3, b = (i >> 2) & 3;
    uint32_t g = 0;
    wes_hresult_t hr =
        wes_access_cache_check(h->cache, h->sd[a], h->tok[b], SUB, &g, NULL);
    /* sd[k] grants SUB to the token k only. */
    if ((a == b) != (hr == WES_S_OK)) {
      __atomic_add_fetch(&h->errors, 1, __ATOMIC_RELAXED);
    }
  }
  return NULL;
}

static void test_security_cache_threads(void **state) {
  hammer_t h;
  pthread_t th[4];
  int i;
  (void)state;
  memset(&h, 0, sizeof(h));
  assert_hr_ok(wes_access_cache_new(NULL, 16, &h.cache, NULL));
  for (i = 0; i < 4; i++) {
    char sddl[96], user[32];
    snprintf(user, sizeof(user), "S-1-22-1-%d", 100 + i);
    snprintf(sddl, sizeof(sddl), "O:SYG:SYD:(A;;0x40;;;%s)", user);
    h.sd[i] = sd_of(sddl);
    h.tok[i] = token_of(user, NULL, 0, 0);
  }
  for (i = 0; i < 4; i++) {
    assert_int_equal(pthread_create(&th[i], NULL, hammer, &h), 0);
  }
  for (i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
  }
  assert_int_equal(h.errors, 0);
  for (i = 0; i < 4; i++) {
    wes_sd_unref(h.sd[i]);
    wes_token_unref(h.tok[i]);
  }
  wes_access_cache_free(h.cache);
}

/* ---- allocation failures --------------------------------------------- */

static long chaos_countdown = -1; /* fail when it reaches 0; -1: never */
static long chaos_live;           /* blocks allocated and not freed */

static int chaos_fail(void) {
  if (chaos_countdown < 0) {
    return 0;
  }
  return chaos_countdown-- == 0;
}

static void *chaos_malloc(size_t n) {
  void *p = chaos_fail() ? NULL : malloc(n);
  __atomic_add_fetch(&chaos_live, p != NULL, __ATOMIC_RELAXED);
  return p;
}

static void *chaos_calloc(size_t c, size_t n) {
  void *p = chaos_fail() ? NULL : calloc(c, n);
  __atomic_add_fetch(&chaos_live, p != NULL, __ATOMIC_RELAXED);
  return p;
}

static void *chaos_realloc(void *q, size_t n) {
  void *p;
  if (chaos_fail()) {
    return NULL;
  }
  p = realloc(q, n);
  __atomic_add_fetch(&chaos_live, (p != NULL && q == NULL), __ATOMIC_RELAXED);
  return p;
}

static void chaos_free(void *p) {
  __atomic_sub_fetch(&chaos_live, p != NULL, __ATOMIC_RELAXED);
  free(p);
}

static void test_security_out_of_memory(void **state) {
  uint32_t sup[20];
  long n, base = chaos_live;
  int done = 0, i;
  (void)state;
  for (i = 0; i < 20; i++) {
    sup[i] = (uint32_t)(100 + i);
  }
  for (n = 0; !done && n < 1000; n++) {
    wes_token_t *t = NULL;
    wes_access_cache_t *c = NULL;
    wes_hresult_t hr;
    chaos_countdown = n;
    hr = wes_token_from_unix(0, 0, sup, 20, NULL, NULL, 0, &t, NULL);
    if (WES_SUCCEEDED(hr)) {
      hr = wes_access_cache_new(NULL, 64, &c, NULL);
    }
    chaos_countdown = -1;
    if (WES_SUCCEEDED(hr)) {
      size_t ng = 0;
      (void)wes_token_get_groups(t, &ng);
      assert_int_equal(ng, 24);
      done = 1;
    } else {
      assert_hr_equal(hr, WES_E_OUT_OF_MEMORY);
    }
    wes_access_cache_free(c);
    wes_token_unref(t);
    assert_int_equal(chaos_live, base);
  }
  assert_true(done);
  assert_true(n > 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_security_sid_text),
      cmocka_unit_test(test_security_alias_table),
      cmocka_unit_test(test_security_relative_aliases),
      cmocka_unit_test(test_security_sid_binary),
      cmocka_unit_test(test_security_unix_mapping),
      cmocka_unit_test(test_security_authority_ops),
      cmocka_unit_test(test_security_token_from_peer),
      cmocka_unit_test(test_security_access_order),
      cmocka_unit_test(test_security_access_null_and_empty_dacl),
      cmocka_unit_test(test_security_access_owner_and_privileges),
      cmocka_unit_test(test_security_access_generic_and_maximum),
      cmocka_unit_test(test_security_access_deny_only_and_bad_input),
      cmocka_unit_test(test_security_cache),
      cmocka_unit_test(test_security_cache_threads),
      cmocka_unit_test(test_security_out_of_memory),
  };
  if (wes_replace_allocator(chaos_malloc, chaos_realloc, chaos_calloc,
                            chaos_free) != WES_S_OK) {
    return 1;
  }
  return cmocka_run_group_tests_name("security", tests, NULL, NULL);
}
