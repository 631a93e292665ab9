/* SPDX-License-Identifier: MIT */
/* SIDs: string and binary forms, SDDL aliases, Unix identities. */
#include <stdio.h>
#include <string.h>

#include "sec_internal.h"

#define BASE_ABS 0     /* a complete SID */
#define BASE_DOMAIN 1  /* domain SID + rid */
#define BASE_ROOT 2    /* forest root domain SID + rid */
#define BASE_MACHINE 3 /* machine SID + rid */

typedef struct {
  char alias[3];
  uint8_t base;
  uint8_t authority;
  uint8_t n;
  uint32_t sub[6];
} alias_t;

/*
 * SDDL SID aliases (Sddl.h, MS-DTYP 2.5.1.1). Where two aliases name the
 * same SID the first one listed is printed.
 */
static const alias_t aliases[] = {
    {"AA", BASE_ABS, 5, 2, {32, 579}},
    {"AC", BASE_ABS, 15, 2, {2, 1}},
    {"AN", BASE_ABS, 5, 1, {7}},
    {"AO", BASE_ABS, 5, 2, {32, 548}},
    {"AP", BASE_DOMAIN, 0, 1, {525}},
    {"AS", BASE_ABS, 18, 1, {1}},
    {"AU", BASE_ABS, 5, 1, {11}},
    {"BA", BASE_ABS, 5, 2, {32, 544}},
    {"BG", BASE_ABS, 5, 2, {32, 546}},
    {"BO", BASE_ABS, 5, 2, {32, 551}},
    {"BU", BASE_ABS, 5, 2, {32, 545}},
    {"CA", BASE_DOMAIN, 0, 1, {517}},
    {"CD", BASE_ABS, 5, 2, {32, 574}},
    {"CG", BASE_ABS, 3, 1, {1}},
    {"CN", BASE_DOMAIN, 0, 1, {522}},
    {"CO", BASE_ABS, 3, 1, {0}},
    {"CY", BASE_ABS, 5, 2, {32, 569}},
    {"DA", BASE_DOMAIN, 0, 1, {512}},
    {"DC", BASE_DOMAIN, 0, 1, {515}},
    {"DD", BASE_DOMAIN, 0, 1, {516}},
    {"DG", BASE_DOMAIN, 0, 1, {514}},
    {"DU", BASE_DOMAIN, 0, 1, {513}},
    {"EA", BASE_ROOT, 0, 1, {519}},
    {"ED", BASE_ABS, 5, 1, {9}},
    {"EK", BASE_ROOT, 0, 1, {527}},
    {"ER", BASE_ABS, 5, 2, {32, 573}},
    {"ES", BASE_ABS, 5, 2, {32, 576}},
    {"HA", BASE_ABS, 5, 2, {32, 578}},
    {"HI", BASE_ABS, 16, 1, {12288}},
    {"IS", BASE_ABS, 5, 2, {32, 568}},
    {"IU", BASE_ABS, 5, 1, {4}},
    {"KA", BASE_DOMAIN, 0, 1, {526}},
    {"LA", BASE_MACHINE, 0, 1, {500}},
    {"LG", BASE_MACHINE, 0, 1, {501}},
    {"LS", BASE_ABS, 5, 1, {19}},
    {"LU", BASE_ABS, 5, 2, {32, 559}},
    {"LW", BASE_ABS, 16, 1, {4096}},
    {"ME", BASE_ABS, 16, 1, {8192}},
    {"MP", BASE_ABS, 16, 1, {8448}},
    {"MS", BASE_ABS, 5, 2, {32, 577}},
    {"MU", BASE_ABS, 5, 2, {32, 558}},
    {"NO", BASE_ABS, 5, 2, {32, 556}},
    {"NS", BASE_ABS, 5, 1, {20}},
    {"NU", BASE_ABS, 5, 1, {2}},
    {"OW", BASE_ABS, 3, 1, {4}},
    {"PA", BASE_ROOT, 0, 1, {520}},
    {"PO", BASE_ABS, 5, 2, {32, 550}},
    {"PS", BASE_ABS, 5, 1, {10}},
    {"PU", BASE_ABS, 5, 2, {32, 547}},
    {"RA", BASE_ABS, 5, 2, {32, 575}},
    {"RC", BASE_ABS, 5, 1, {12}},
    {"RD", BASE_ABS, 5, 2, {32, 555}},
    {"RE", BASE_ABS, 5, 2, {32, 552}},
    {"RM", BASE_ABS, 5, 2, {32, 580}},
    {"RO", BASE_ROOT, 0, 1, {498}},
    {"RS", BASE_DOMAIN, 0, 1, {553}},
    {"RU", BASE_ABS, 5, 2, {32, 554}},
    {"SA", BASE_ROOT, 0, 1, {518}},
    {"SI", BASE_ABS, 16, 1, {16384}},
    {"SO", BASE_ABS, 5, 2, {32, 549}},
    {"SS", BASE_ABS, 18, 1, {2}},
    {"SU", BASE_ABS, 5, 1, {6}},
    {"SY", BASE_ABS, 5, 1, {18}},
    {"UD", BASE_ABS, 5, 6, {84, 0, 0, 0, 0, 0}},
    {"WD", BASE_ABS, 1, 1, {0}},
    {"WR", BASE_ABS, 5, 1, {33}},
};

wes_hresult_t wes_sid_make(uint64_t authority, const uint32_t *subs, size_t n,
                           wes_sid_t *ret_sid) {
  int i;
  if (ret_sid == NULL || (subs == NULL && n > 0) ||
      n > WES_SID_MAX_SUB_AUTHORITIES || authority >= ((uint64_t)1 << 48)) {
    return WES_E_INVALID_PARAMETER;
  }
  memset(ret_sid, 0, sizeof(*ret_sid));
  ret_sid->revision = WES_SID_REVISION;
  ret_sid->sub_count = (uint8_t)n;
  for (i = 0; i < 6; i++) {
    ret_sid->authority[i] = (uint8_t)(authority >> (8 * (5 - i)));
  }
  if (n > 0) {
    memcpy(ret_sid->sub, subs, n * sizeof(uint32_t));
  }
  return WES_S_OK;
}

uint64_t wes_sid_get_authority(const wes_sid_t *sid) {
  uint64_t a = 0;
  int i;
  if (sid == NULL) {
    return 0;
  }
  for (i = 0; i < 6; i++) {
    a = (a << 8) | sid->authority[i];
  }
  return a;
}

int wes__sid_valid(const wes_sid_t *sid) {
  return sid != NULL && sid->revision == WES_SID_REVISION &&
         sid->sub_count <= WES_SID_MAX_SUB_AUTHORITIES;
}

int wes_sid_equal(const wes_sid_t *a, const wes_sid_t *b) {
  if (a == NULL || b == NULL) {
    return 0;
  }
  if (a->revision != b->revision || a->sub_count != b->sub_count ||
      a->sub_count > WES_SID_MAX_SUB_AUTHORITIES ||
      memcmp(a->authority, b->authority, 6) != 0) {
    return 0;
  }
  return memcmp(a->sub, b->sub, a->sub_count * sizeof(uint32_t)) == 0;
}

uint32_t wes__sid_hash(const wes_sid_t *sid) {
  uint32_t h = 2166136261u;
  int i, n = sid->sub_count > 15 ? 15 : sid->sub_count;
  h = (h ^ sid->sub_count) * 16777619u;
  for (i = 0; i < 6; i++) {
    h = (h ^ sid->authority[i]) * 16777619u;
  }
  for (i = 0; i < n; i++) {
    h = (h ^ sid->sub[i]) * 16777619u;
  }
  return h;
}

void wes_sid_unix_user(uint32_t uid, wes_sid_t *ret_sid) {
  uint32_t s[2] = {1, uid};
  (void)wes_sid_make(22, s, 2, ret_sid);
}

void wes_sid_unix_group(uint32_t gid, wes_sid_t *ret_sid) {
  uint32_t s[2] = {2, gid};
  (void)wes_sid_make(22, s, 2, ret_sid);
}

static const wes_sid_t *scope_base(const wes_sid_scope_t *scope, int base) {
  if (scope == NULL) {
    return NULL;
  }
  switch (base) {
  case BASE_DOMAIN:
    return scope->domain;
  case BASE_ROOT:
    return scope->root_domain != NULL ? scope->root_domain : scope->domain;
  case BASE_MACHINE:
    return scope->machine;
  default:
    return NULL;
  }
}

/* Resolves alias entry a; 0 on success, -1 when its base is missing. */
static int alias_resolve(const alias_t *a, const wes_sid_scope_t *scope,
                         wes_sid_t *ret) {
  const wes_sid_t *base;
  if (a->base == BASE_ABS) {
    (void)wes_sid_make(a->authority, a->sub, a->n, ret);
    return 0;
  }
  base = scope_base(scope, a->base);
  if (!wes__sid_valid(base) || base->sub_count >= WES_SID_MAX_SUB_AUTHORITIES) {
    return -1;
  }
  *ret = *base;
  ret->sub[ret->sub_count++] = a->sub[0];
  return 0;
}

static const char *base_name(int base) {
  switch (base) {
  case BASE_DOMAIN:
    return "a domain SID";
  case BASE_ROOT:
    return "a (root) domain SID";
  default:
    return "a machine SID";
  }
}

const char *wes_sid_alias(const wes_sid_t *sid, const wes_sid_scope_t *scope) {
  size_t i;
  if (!wes__sid_valid(sid)) {
    return NULL;
  }
  for (i = 0; i < WES__ARRAY_SIZE(aliases); i++) {
    wes_sid_t s;
    if (alias_resolve(&aliases[i], scope, &s) == 0 && wes_sid_equal(&s, sid)) {
      return aliases[i].alias;
    }
  }
  return NULL;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

wes_hresult_t wes__sid_parse_n(const char *text, size_t len,
                               const wes_sid_scope_t *scope, wes_sid_t *ret_sid,
                               uint32_t base, wes_error_t *reterr) {
  wes_sid_t sid;
  size_t p, i;
  uint64_t auth = 0;
  uint32_t subs[WES_SID_MAX_SUB_AUTHORITIES];
  size_t n = 0;
  if (len == 0) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 1, base, "empty SID");
  }
  if (len == 2) {
    for (i = 0; i < WES__ARRAY_SIZE(aliases); i++) {
      /* Windows accepts aliases in any case ("ba" is BA). */
      if (wes__ascii_lower(text[0]) == wes__ascii_lower(aliases[i].alias[0]) &&
          wes__ascii_lower(text[1]) == wes__ascii_lower(aliases[i].alias[1])) {
        if (alias_resolve(&aliases[i], scope, &sid) != 0) {
          return wes__error(reterr, WES_E_NOT_FOUND, 1, base,
                            "SID alias '%s' needs %s", aliases[i].alias,
                            base_name(aliases[i].base));
        }
        *ret_sid = sid;
        return WES_S_OK;
      }
    }
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 1, base,
                      "unknown SID alias '%.2s'", text);
  }
  if (len < 4 || (text[0] != 'S' && text[0] != 's') || text[1] != '-') {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 1, base,
                      "a SID is S-1-... or a two-letter alias");
  }
  if (text[2] != '1' || text[3] != '-') {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 1, base + 2,
                      "SID revision must be 1");
  }
  p = 4;
  /* Identifier authority: decimal, or 0x and up to 12 hex digits. */
  if (p + 1 < len && text[p] == '0' &&
      (text[p + 1] == 'x' || text[p + 1] == 'X')) {
    size_t start = p + 2, d = 0;
    p = start;
    while (p < len && wes__hex_val(text[p]) >= 0) {
      if (++d > 12) {
        return wes__error(reterr, WES_E_INVALID_PARAMETER, 1,
                          base + (uint32_t)p,
                          "identifier authority longer than 48 bits");
      }
      auth = (auth << 4) | (uint64_t)wes__hex_val(text[p]);
      p++;
    }
    if (d == 0) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 1,
                        base + (uint32_t)start, "hex digits expected");
    }
  } else {
    size_t start = p;
    while (p < len && is_digit(text[p])) {
      auth = auth * 10 + (uint64_t)(text[p] - '0');
      if (auth >= ((uint64_t)1 << 48)) {
        return wes__error(reterr, WES_E_INVALID_PARAMETER, 1,
                          base + (uint32_t)start,
                          "identifier authority larger than 48 bits");
      }
      p++;
    }
    if (p == start) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 1, base + (uint32_t)p,
                        "identifier authority expected");
    }
  }
  while (p < len) {
    uint64_t v = 0;
    size_t start;
    if (text[p] != '-') {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 1, base + (uint32_t)p,
                        "'-' expected in SID");
    }
    p++;
    start = p;
    if (p + 1 < len && text[p] == '0' &&
        (text[p + 1] == 'x' || text[p + 1] == 'X')) {
      /* Windows also reads sub-authorities in hex (0x4b1). */
      p += 2;
      while (p < len && wes__hex_val(text[p]) >= 0) {
        v = (v << 4) | (uint64_t)wes__hex_val(text[p]);
        if (v > 0xFFFFFFFFu) {
          return wes__error(reterr, WES_E_INVALID_PARAMETER, 1,
                            base + (uint32_t)start,
                            "sub-authority larger than 32 bits");
        }
        p++;
      }
      if (p == start + 2) {
        return wes__error(reterr, WES_E_INVALID_PARAMETER, 1,
                          base + (uint32_t)p, "hex digits expected");
      }
    } else {
      while (p < len && is_digit(text[p])) {
        v = v * 10 + (uint64_t)(text[p] - '0');
        if (v > 0xFFFFFFFFu) {
          return wes__error(reterr, WES_E_INVALID_PARAMETER, 1,
                            base + (uint32_t)start,
                            "sub-authority larger than 32 bits");
        }
        p++;
      }
      if (p == start) {
        return wes__error(reterr, WES_E_INVALID_PARAMETER, 1,
                          base + (uint32_t)p, "sub-authority expected");
      }
    }
    if (n == WES_SID_MAX_SUB_AUTHORITIES) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 1,
                        base + (uint32_t)start, "more than 15 sub-authorities");
    }
    subs[n++] = (uint32_t)v;
  }
  (void)wes_sid_make(auth, subs, n, ret_sid);
  return WES_S_OK;
}

wes_hresult_t wes_sid_parse(const char *text, const wes_sid_scope_t *scope,
                            wes_sid_t *ret_sid, wes_error_t *reterr) {
  if (text == NULL || ret_sid == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  return wes__sid_parse_n(text, strlen(text), scope, ret_sid, 1, reterr);
}

static size_t sid_format(const wes_sid_t *sid, char *buf, size_t size) {
  uint64_t a = wes_sid_get_authority(sid);
  int n, i;
  size_t len;
  if (a < ((uint64_t)1 << 32)) {
    n = snprintf(buf, size, "S-%u-%u", (unsigned)sid->revision, (unsigned)a);
  } else {
    n = snprintf(buf, size, "S-%u-0x%llX", (unsigned)sid->revision,
                 (unsigned long long)a);
  }
  len = (size_t)n;
  for (i = 0; i < sid->sub_count; i++) {
    n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
                 "-%u", (unsigned)sid->sub[i]);
    len += (size_t)n;
  }
  return len;
}

wes_hresult_t wes_sid_to_string(const wes_sid_t *sid, char *buf, size_t size) {
  char tmp[WES_SID_STRING_MAX];
  size_t len;
  if (!wes__sid_valid(sid) || buf == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  len = sid_format(sid, tmp, sizeof(tmp));
  if (len + 1 > size) {
    return WES_E_BUFFER_TOO_SMALL;
  }
  memcpy(buf, tmp, len + 1);
  return WES_S_OK;
}

void wes__sid_append(wes__buf_t *b, const wes_sid_t *sid,
                     const wes_sid_scope_t *scope) {
  char tmp[WES_SID_STRING_MAX];
  const char *alias = wes_sid_alias(sid, scope);
  if (alias != NULL) {
    wes__buf_puts(b, alias);
    return;
  }
  (void)sid_format(sid, tmp, sizeof(tmp));
  wes__buf_puts(b, tmp);
}

size_t wes_sid_binary_length(const wes_sid_t *sid) {
  if (sid == NULL) {
    return 0;
  }
  return 8 + 4 * (size_t)sid->sub_count;
}

void wes__sid_write(const wes_sid_t *sid, uint8_t *p) {
  int i;
  p[0] = sid->revision;
  p[1] = sid->sub_count;
  memcpy(p + 2, sid->authority, 6);
  for (i = 0; i < sid->sub_count; i++) {
    uint32_t v = sid->sub[i];
    p[8 + 4 * i] = (uint8_t)v;
    p[9 + 4 * i] = (uint8_t)(v >> 8);
    p[10 + 4 * i] = (uint8_t)(v >> 16);
    p[11 + 4 * i] = (uint8_t)(v >> 24);
  }
}

wes_hresult_t wes_sid_to_binary(const wes_sid_t *sid, void *buf, size_t size,
                                size_t *ret_len) {
  size_t need;
  if (!wes__sid_valid(sid)) {
    return WES_E_INVALID_PARAMETER;
  }
  need = wes_sid_binary_length(sid);
  if (ret_len != NULL) {
    *ret_len = need;
  }
  if (buf == NULL && size > 0) {
    return WES_E_INVALID_PARAMETER;
  }
  if (size < need) {
    return WES_E_BUFFER_TOO_SMALL;
  }
  wes__sid_write(sid, (uint8_t *)buf);
  return WES_S_OK;
}

wes_hresult_t wes_sid_from_binary(const void *data, size_t len,
                                  wes_sid_t *ret_sid, size_t *ret_used,
                                  wes_error_t *reterr) {
  const uint8_t *p = (const uint8_t *)data;
  wes_sid_t sid;
  size_t need;
  int i;
  if (data == NULL || ret_sid == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  if (len < 8) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 1,
                      "SID truncated: %zu bytes, at least 8 needed", len);
  }
  if (p[0] != WES_SID_REVISION) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 1,
                      "SID revision %u, expected 1", (unsigned)p[0]);
  }
  if (p[1] > WES_SID_MAX_SUB_AUTHORITIES) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 2,
                      "SID has %u sub-authorities, at most 15 allowed",
                      (unsigned)p[1]);
  }
  need = 8 + 4 * (size_t)p[1];
  if (len < need) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 2,
                      "SID truncated: %zu bytes, %zu needed", len, need);
  }
  memset(&sid, 0, sizeof(sid));
  sid.revision = p[0];
  sid.sub_count = p[1];
  memcpy(sid.authority, p + 2, 6);
  for (i = 0; i < sid.sub_count; i++) {
    const uint8_t *q = p + 8 + 4 * i;
    sid.sub[i] = (uint32_t)q[0] | ((uint32_t)q[1] << 8) |
                 ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24);
  }
  *ret_sid = sid;
  if (ret_used != NULL) {
    *ret_used = need;
  }
  return WES_S_OK;
}
