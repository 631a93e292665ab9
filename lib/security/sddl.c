/* SPDX-License-Identifier: MIT */
/* SDDL text: parser and canonical printer. */
#include <string.h>

#include "sec_internal.h"

typedef struct {
  const char *code;
  uint8_t type;
} ace_type_name_t;

/* SDDL ACE type codes. Longer codes first so prefixes never shadow. */
static const ace_type_name_t ace_types[] = {
    {"OA", WES_ACE_ACCESS_ALLOWED_OBJECT},
    {"OD", WES_ACE_ACCESS_DENIED_OBJECT},
    {"OU", WES_ACE_SYSTEM_AUDIT_OBJECT},
    {"OL", WES_ACE_SYSTEM_ALARM_OBJECT},
    {"AU", WES_ACE_SYSTEM_AUDIT},
    {"AL", WES_ACE_SYSTEM_ALARM},
    {"ML", WES_ACE_SYSTEM_MANDATORY_LABEL},
    {"XA", WES_ACE_ACCESS_ALLOWED_CALLBACK},
    {"XD", WES_ACE_ACCESS_DENIED_CALLBACK},
    {"XU", WES_ACE_SYSTEM_AUDIT_CALLBACK},
    {"ZA", WES_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT},
    {"RA", WES_ACE_SYSTEM_RESOURCE_ATTRIBUTE},
    {"SP", WES_ACE_SYSTEM_SCOPED_POLICY_ID},
    {"TL", WES_ACE_SYSTEM_PROCESS_TRUST_LABEL},
    {"FL", WES_ACE_SYSTEM_ACCESS_FILTER},
    {"A", WES_ACE_ACCESS_ALLOWED},
    {"D", WES_ACE_ACCESS_DENIED},
};

/* ACE flag codes in bit order (the printing order). */
static const struct {
  const char *code;
  uint8_t bit;
} ace_flags[] = {
    {"OI", WES_ACE_OBJECT_INHERIT},
    {"CI", WES_ACE_CONTAINER_INHERIT},
    {"NP", WES_ACE_NO_PROPAGATE_INHERIT},
    {"IO", WES_ACE_INHERIT_ONLY},
    {"ID", WES_ACE_INHERITED},
    {"CR", WES_ACE_CRITICAL},
    {"SA", WES_ACE_SUCCESSFUL_ACCESS},
    {"FA", WES_ACE_FAILED_ACCESS},
    {"TP", WES_ACE_TRUST_PROTECTED_FILTER},
};

/* Single-bit rights codes; index = bit number. */
static const char *const right_bits[32] = {
    "CC", "DC", "LC", "SW", "RP", "WP", "DT", "LO", /* 0-7 */
    "CR", NULL, NULL, NULL, NULL, NULL, NULL, NULL, /* 8-15 */
    "SD", "RC", "WD", "WO", NULL, NULL, NULL, NULL, /* 16-23 */
    NULL, NULL, NULL, NULL, "GA", "GX", "GW", "GR", /* 24-31 */
};

/* Composite rights codes: printed when the mask equals one exactly. */
static const struct {
  const char *code;
  uint32_t mask;
} right_sets[] = {
    {"FA", 0x001F01FFu}, {"FR", 0x00120089u}, {"FW", 0x00120116u},
    {"FX", 0x001200A0u}, {"KA", 0x000F003Fu}, {"KR", 0x00020019u},
    {"KW", 0x00020006u}, {"KX", 0x00020019u},
};

/* Mandatory label rights, in bit order. */
static const struct {
  const char *code;
  uint32_t mask;
} label_rights[] = {
    {"NW", WES_LABEL_NO_WRITE_UP},
    {"NR", WES_LABEL_NO_READ_UP},
    {"NX", WES_LABEL_NO_EXECUTE_UP},
};

/* ---- parser ------------------------------------------------------------ */

typedef struct {
  const char *s;
  size_t len;
  size_t pos;
  const wes_sid_scope_t *scope;
  wes_error_t *err;
} parser_t;

#define COL(ps, at) ((uint32_t)(at) + 1)

static wes_hresult_t perr(parser_t *ps, size_t at, wes_hresult_t code,
                          const char *fmt, const char *arg) {
  return wes__error(ps->err, code, 1, COL(ps, at), fmt, arg);
}

/* True when a section header "X:" starts at i. */
static int section_at(const parser_t *ps, size_t i) {
  char c;
  if (i + 1 >= ps->len || ps->s[i + 1] != ':') {
    return 0;
  }
  c = ps->s[i];
  return c == 'O' || c == 'G' || c == 'D' || c == 'S';
}

/* Parses a GUID field s[a..b); empty = absent. */
static wes_hresult_t parse_guid(parser_t *ps, size_t a, size_t b, wes_guid_t *g,
                                int *present) {
  static const int dash[4] = {8, 13, 18, 23};
  uint8_t bytes[16];
  size_t i, k = 0;
  int di = 0;
  for (i = a; i < b && ps->s[i] == ' '; i++) {
  }
  if (i == b) {
    *present = 0; /* empty, or only spaces */
    return WES_S_OK;
  }
  if (b - a != 36) {
    return perr(ps, a, WES_E_INVALID_PARAMETER,
                "GUID must be xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx%s", "");
  }
  for (i = 0; i < 36; i++) {
    char c = ps->s[a + i];
    if (di < 4 && (int)i == dash[di]) {
      if (c != '-') {
        return perr(ps, a + i, WES_E_INVALID_PARAMETER,
                    "'-' expected in GUID%s", "");
      }
      di++;
      continue;
    }
    if (wes__hex_val(c) < 0) {
      return perr(ps, a + i, WES_E_INVALID_PARAMETER,
                  "hex digit expected in GUID%s", "");
    }
    if ((k & 1) == 0) {
      bytes[k / 2] = (uint8_t)(wes__hex_val(c) << 4);
    } else {
      bytes[k / 2] |= (uint8_t)wes__hex_val(c);
    }
    k++;
  }
  g->data1 = ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) |
             ((uint32_t)bytes[2] << 8) | bytes[3];
  g->data2 = (uint16_t)((bytes[4] << 8) | bytes[5]);
  g->data3 = (uint16_t)((bytes[6] << 8) | bytes[7]);
  memcpy(g->data4, bytes + 8, 8);
  *present = 1;
  return WES_S_OK;
}

/* Two-letter code comparison; Windows accepts codes in any case. */
static int code_eq(const char *s, const char *code) {
  return wes__ascii_lower(s[0]) == wes__ascii_lower(code[0]) &&
         wes__ascii_lower(s[1]) == wes__ascii_lower(code[1]);
}

static wes_hresult_t parse_rights(parser_t *ps, size_t a, size_t b,
                                  uint32_t *ret) {
  uint32_t mask = 0;
  size_t i = a;
  if (a == b) {
    *ret = 0;
    return WES_S_OK;
  }
  if (ps->s[a] == ' ') {
    /* Spaces may precede right codes, never a number. */
    while (i < b && ps->s[i] == ' ') {
      i++;
    }
    if (i < b && ps->s[i] >= '0' && ps->s[i] <= '9') {
      return perr(ps, a, WES_E_INVALID_PARAMETER,
                  "space before a numeric access mask%s", "");
    }
  }
  if (ps->s[a] >= '0' && ps->s[a] <= '9') {
    uint64_t v = 0;
    if (b - a > 2 && ps->s[a] == '0' &&
        (ps->s[a + 1] == 'x' || ps->s[a + 1] == 'X')) {
      for (i = a + 2; i < b; i++) {
        int h = wes__hex_val(ps->s[i]);
        if (h < 0) {
          return perr(ps, i, WES_E_INVALID_PARAMETER,
                      "hex digit expected in access mask%s", "");
        }
        v = (v << 4) | (uint64_t)h;
        if (v > 0xFFFFFFFFu) {
          return perr(ps, a, WES_E_INVALID_PARAMETER,
                      "access mask larger than 32 bits%s", "");
        }
      }
    } else {
      /* A leading 0 means octal (MS-DTYP), else decimal. */
      unsigned base = (ps->s[a] == '0' && b - a > 1) ? 8 : 10;
      for (i = a; i < b; i++) {
        if (ps->s[i] < '0' || ps->s[i] > (base == 8 ? '7' : '9')) {
          return perr(ps, i, WES_E_INVALID_PARAMETER,
                      base == 8 ? "octal digit expected in access mask%s"
                                : "digit expected in access mask%s",
                      "");
        }
        v = v * base + (uint64_t)(ps->s[i] - '0');
        if (v > 0xFFFFFFFFu) {
          return perr(ps, a, WES_E_INVALID_PARAMETER,
                      "access mask larger than 32 bits%s", "");
        }
      }
    }
    *ret = (uint32_t)v;
    return WES_S_OK;
  }
  while (i < b) {
    size_t k;
    int found = 0;
    if (ps->s[i] == ' ') {
      /* Spaces between codes are skipped; after the last one, refused. */
      while (i < b && ps->s[i] == ' ') {
        i++;
      }
      if (i == b) {
        return perr(ps, i - 1, WES_E_INVALID_PARAMETER,
                    "space after the access rights%s", "");
      }
    }
    if (b - i < 2) {
      return perr(ps, i, WES_E_INVALID_PARAMETER,
                  "incomplete access right code%s", "");
    }
    for (k = 0; k < 32 && !found; k++) {
      if (right_bits[k] != NULL && code_eq(ps->s + i, right_bits[k])) {
        mask |= (uint32_t)1 << k;
        found = 1;
      }
    }
    for (k = 0; k < WES__ARRAY_SIZE(right_sets) && !found; k++) {
      if (code_eq(ps->s + i, right_sets[k].code)) {
        mask |= right_sets[k].mask;
        found = 1;
      }
    }
    for (k = 0; k < WES__ARRAY_SIZE(label_rights) && !found; k++) {
      if (code_eq(ps->s + i, label_rights[k].code)) {
        mask |= label_rights[k].mask;
        found = 1;
      }
    }
    if (!found) {
      char code[3] = {ps->s[i], ps->s[i + 1], 0};
      return perr(ps, i, WES_E_INVALID_PARAMETER,
                  "unknown access right code '%s'", code);
    }
    i += 2;
  }
  *ret = mask;
  return WES_S_OK;
}

static wes_hresult_t parse_ace_flags(parser_t *ps, size_t a, size_t b,
                                     uint8_t *ret) {
  uint8_t f = 0;
  size_t i = a, k;
  while (i < b && ps->s[i] == ' ') {
    i++; /* "(A; ;GA;;;WD)": spaces in the flags field */
  }
  while (i < b) {
    int found = 0;
    if (b - i < 2) {
      return perr(ps, i, WES_E_INVALID_PARAMETER, "incomplete ACE flag%s", "");
    }
    for (k = 0; k < WES__ARRAY_SIZE(ace_flags); k++) {
      if (code_eq(ps->s + i, ace_flags[k].code)) {
        f |= ace_flags[k].bit;
        found = 1;
        break;
      }
    }
    if (!found) {
      char code[3] = {ps->s[i], ps->s[i + 1], 0};
      return perr(ps, i, WES_E_INVALID_PARAMETER, "unknown ACE flag '%s'",
                  code);
    }
    i += 2;
  }
  *ret = f;
  return WES_S_OK;
}

/* True when s[a..b) is empty or only spaces. */
static int blank(const parser_t *ps, size_t a, size_t b) {
  for (; a < b; a++) {
    if (ps->s[a] != ' ') {
      return 0;
    }
  }
  return 1;
}

/* Parses one "(...)" at ps->pos (which is at '('). */
static wes_hresult_t parse_ace(parser_t *ps, int sacl, wes_ace_t *ace) {
  size_t start = ps->pos, f[7], nf = 0, i, k;
  int present;
  wes_hresult_t hr;
  memset(ace, 0, sizeof(*ace));
  /* Split fields at ';' up to ')'. */
  f[nf++] = start + 1;
  for (i = start + 1;; i++) {
    if (i >= ps->len) {
      return perr(ps, start, WES_E_INVALID_PARAMETER,
                  "ACE not closed with ')'%s", "");
    }
    if (ps->s[i] == '(') {
      return perr(ps, i, WES_E_INVALID_PARAMETER,
                  "unexpected '(' inside an ACE%s", "");
    }
    if (ps->s[i] == ')') {
      break;
    }
    if (ps->s[i] == ';') {
      if (nf == 6) {
        return perr(ps, i, WES_E_NOT_SUPPORTED,
                    "a seventh ACE field (condition or resource attribute) "
                    "is not supported%s",
                    "");
      }
      f[nf++] = i + 1;
    }
  }
  if (nf != 6) {
    return perr(ps, i, WES_E_INVALID_PARAMETER,
                "an ACE has 6 fields: type;flags;rights;guid;guid;sid%s", "");
  }
  f[6] = i + 1; /* end of last field + 1 */
  ps->pos = i + 1;
  /* Field j spans f[j] .. f[j+1]-1. */
  {
    size_t ta = f[0], tb = f[1] - 1;
    int found = 0;
    for (k = 0; k < WES__ARRAY_SIZE(ace_types); k++) {
      size_t cl = strlen(ace_types[k].code);
      if (tb - ta == cl &&
          wes__strncasecmp(ps->s + ta, ace_types[k].code, cl) == 0) {
        ace->type = ace_types[k].type;
        found = 1;
        break;
      }
    }
    if (!found) {
      char code[8];
      size_t n = tb - ta < 7 ? tb - ta : 7;
      memcpy(code, ps->s + ta, n);
      code[n] = '\0';
      return perr(ps, ta, WES_E_INVALID_PARAMETER, "unknown ACE type '%s'",
                  code);
    }
    if (!sacl && ace->type != WES_ACE_ACCESS_ALLOWED &&
        ace->type != WES_ACE_ACCESS_DENIED &&
        ace->type != WES_ACE_ACCESS_ALLOWED_OBJECT &&
        ace->type != WES_ACE_ACCESS_DENIED_OBJECT &&
        ace->type != WES_ACE_ACCESS_ALLOWED_CALLBACK &&
        ace->type != WES_ACE_ACCESS_DENIED_CALLBACK &&
        ace->type != WES_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT) {
      return perr(ps, ta, WES_E_INVALID_PARAMETER,
                  "ACE type '%s' is not allowed in a DACL", ace_types[k].code);
    }
    switch (ace->type) {
    case WES_ACE_ACCESS_ALLOWED_CALLBACK:
    case WES_ACE_ACCESS_DENIED_CALLBACK:
    case WES_ACE_SYSTEM_AUDIT_CALLBACK:
    case WES_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT:
    case WES_ACE_SYSTEM_RESOURCE_ATTRIBUTE:
    case WES_ACE_SYSTEM_ACCESS_FILTER:
      return perr(ps, ta, WES_E_NOT_SUPPORTED,
                  "ACE type '%s' (conditional/resource attribute ACE) is "
                  "not supported",
                  ace->type == WES_ACE_SYSTEM_ACCESS_FILTER        ? "FL"
                  : ace->type == WES_ACE_SYSTEM_RESOURCE_ATTRIBUTE ? "RA"
                                                                   : "X?/ZA");
    default:
      break;
    }
  }
  hr = parse_ace_flags(ps, f[1], f[2] - 1, &ace->flags);
  if (WES_SUCCEEDED(hr)) {
    hr = parse_rights(ps, f[2], f[3] - 1, &ace->mask);
  }
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (wes__ace_kind(ace->type) == WES__ACE_KIND_OBJECT) {
    hr = parse_guid(ps, f[3], f[4] - 1, &ace->object_type, &present);
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (present) {
      ace->object_flags |= WES_ACE_OBJECT_TYPE_PRESENT;
    }
    hr = parse_guid(ps, f[4], f[5] - 1, &ace->inherited_object_type, &present);
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (present) {
      ace->object_flags |= WES_ACE_INHERITED_OBJECT_TYPE_PRESENT;
    }
    /* An OA ACE without GUIDs becomes a plain allowed ACE, as
     * ConvertStringSecurityDescriptorToSecurityDescriptor documents. */
    if (ace->type == WES_ACE_ACCESS_ALLOWED_OBJECT && ace->object_flags == 0) {
      ace->type = WES_ACE_ACCESS_ALLOWED;
    }
  } else if (!blank(ps, f[3], f[4] - 1) || !blank(ps, f[4], f[5] - 1)) {
    return perr(ps, f[3], WES_E_INVALID_PARAMETER,
                "object GUIDs are allowed only in object ACEs (OA, OD, OU, "
                "OL)%s",
                "");
  }
  {
    /* Spaces may precede the SID, and follow it only after an alias. */
    size_t sa = f[5], sb = f[6] - 1, t;
    while (sa < sb && ps->s[sa] == ' ') {
      sa++;
    }
    for (t = sb; t > sa && ps->s[t - 1] == ' '; t--) {
    }
    if (t < sb) {
      if (t - sa != 2) {
        return perr(ps, t, WES_E_INVALID_PARAMETER,
                    "space after a SID (allowed only after an alias)%s", "");
      }
      sb = t;
    }
    return wes__sid_parse_n(ps->s + sa, sb - sa, ps->scope, &ace->sid,
                            COL(ps, sa), ps->err);
  }
}

typedef struct {
  int state;
  uint16_t control;
  wes_ace_t *aces;
  size_t count, cap;
} acl_acc_t;

static wes_hresult_t parse_acl(parser_t *ps, int sacl, acl_acc_t *acc) {
  uint16_t p_bit = sacl ? WES_SE_SACL_PROTECTED : WES_SE_DACL_PROTECTED;
  uint16_t ar_bit =
      sacl ? WES_SE_SACL_AUTO_INHERIT_REQ : WES_SE_DACL_AUTO_INHERIT_REQ;
  uint16_t ai_bit =
      sacl ? WES_SE_SACL_AUTO_INHERITED : WES_SE_DACL_AUTO_INHERITED;
  int null_acl = 0;
  /* Flags until '(' or the next section or the end; spaces skipped. */
  while (ps->pos < ps->len && ps->s[ps->pos] != '(' &&
         !section_at(ps, ps->pos)) {
    const char *s = ps->s + ps->pos;
    size_t left = ps->len - ps->pos;
    if (s[0] == ' ') {
      ps->pos++;
    } else if (left >= 17 && memcmp(s, "NO_ACCESS_CONTROL", 17) == 0) {
      null_acl = 1;
      ps->pos += 17;
    } else if (left >= 2 && memcmp(s, "AR", 2) == 0) {
      acc->control |= ar_bit;
      ps->pos += 2;
    } else if (left >= 2 && memcmp(s, "AI", 2) == 0) {
      acc->control |= ai_bit;
      ps->pos += 2;
    } else if (s[0] == 'P') {
      acc->control |= p_bit;
      ps->pos += 1;
    } else {
      return perr(ps, ps->pos, WES_E_INVALID_PARAMETER,
                  "unknown %s flag (P, AR, AI, NO_ACCESS_CONTROL allowed)",
                  sacl ? "SACL" : "DACL");
    }
  }
  acc->state = null_acl ? WES_ACL_NULL : WES_ACL_PRESENT;
  while (ps->pos < ps->len && ps->s[ps->pos] == '(') {
    wes_hresult_t hr;
    if (null_acl) {
      return perr(ps, ps->pos, WES_E_INVALID_PARAMETER,
                  "NO_ACCESS_CONTROL (NULL ACL) cannot have ACEs%s", "");
    }
    if (acc->count == acc->cap) {
      size_t ncap = acc->cap == 0 ? 8 : acc->cap * 2;
      wes_ace_t *n = wes__realloc(acc->aces, ncap * sizeof(wes_ace_t));
      if (n == NULL) {
        return wes__error(ps->err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
      }
      acc->aces = n;
      acc->cap = ncap;
    }
    if (acc->count >= 16384) {
      return perr(ps, ps->pos, WES_E_INVALID_PARAMETER,
                  "%s larger than 65535 bytes", sacl ? "SACL" : "DACL");
    }
    hr = parse_ace(ps, sacl, &acc->aces[acc->count]);
    if (WES_FAILED(hr)) {
      return hr;
    }
    acc->count++;
    while (ps->pos < ps->len && ps->s[ps->pos] == ' ') {
      ps->pos++; /* spaces between ACEs and before the next section */
    }
  }
  if (ps->pos < ps->len && !section_at(ps, ps->pos)) {
    return perr(ps, ps->pos, WES_E_INVALID_PARAMETER,
                "'(' or the next section expected%s", "");
  }
  return WES_S_OK;
}

wes_hresult_t wes_sd_from_sddl(const char *sddl, const wes_sid_scope_t *scope,
                               wes_sd_t **ret_sd, wes_error_t *reterr) {
  parser_t ps;
  wes_sid_t owner, group;
  int have_owner = 0, have_group = 0, seen_d = 0, seen_s = 0;
  acl_acc_t dacl, sacl;
  wes_sd_desc_t d;
  wes_hresult_t hr = WES_S_OK;
  if (sddl == NULL || ret_sd == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  memset(&ps, 0, sizeof(ps));
  ps.s = sddl;
  ps.len = strlen(sddl);
  ps.scope = scope;
  ps.err = reterr;
  memset(&dacl, 0, sizeof(dacl));
  memset(&sacl, 0, sizeof(sacl));
  while (ps.pos < ps.len && WES_SUCCEEDED(hr)) {
    char c;
    size_t at;
    if (ps.s[ps.pos] == ' ') {
      ps.pos++; /* spaces around sections are ignored */
      continue;
    }
    c = ps.s[ps.pos];
    at = ps.pos;
    if (!section_at(&ps, ps.pos)) {
      hr = perr(&ps, ps.pos, WES_E_INVALID_PARAMETER,
                "section O:, G:, D: or S: expected%s", "");
      break;
    }
    ps.pos += 2;
    if (c == 'O' || c == 'G') {
      size_t end = ps.pos;
      wes_sid_t *dst = c == 'O' ? &owner : &group;
      int *have = c == 'O' ? &have_owner : &have_group;
      if (*have) {
        hr = perr(&ps, at, WES_E_INVALID_PARAMETER, "duplicate %s section",
                  c == 'O' ? "O:" : "G:");
        break;
      }
      size_t t;
      while (end < ps.len && !section_at(&ps, end)) {
        end++;
      }
      /* Trailing spaces are ignored after an alias ("O:BA G:SY"). */
      for (t = end; t > ps.pos && ps.s[t - 1] == ' '; t--) {
      }
      if (t < end && t - ps.pos != 2) {
        t = end; /* keep them: the SID parser reports the space */
      }
      hr = wes__sid_parse_n(ps.s + ps.pos, t - ps.pos, scope, dst,
                            COL(&ps, ps.pos), reterr);
      *have = 1;
      ps.pos = end;
    } else {
      int is_s = c == 'S';
      int *seen = is_s ? &seen_s : &seen_d;
      if (*seen) {
        hr = perr(&ps, at, WES_E_INVALID_PARAMETER, "duplicate %s section",
                  is_s ? "S:" : "D:");
        break;
      }
      *seen = 1;
      hr = parse_acl(&ps, is_s, is_s ? &sacl : &dacl);
    }
  }
  if (WES_SUCCEEDED(hr)) {
    memset(&d, 0, sizeof(d));
    d.control = (uint16_t)(dacl.control | sacl.control);
    d.owner = have_owner ? &owner : NULL;
    d.group = have_group ? &group : NULL;
    d.dacl_state = seen_d ? dacl.state : WES_ACL_ABSENT;
    d.dacl = dacl.aces;
    d.dacl_count = dacl.count;
    d.sacl_state = seen_s ? sacl.state : WES_ACL_ABSENT;
    d.sacl = sacl.aces;
    d.sacl_count = sacl.count;
    hr = wes_sd_new(&d, ret_sd, reterr);
    if (WES_FAILED(hr) && reterr != NULL) {
      reterr->line = 1;
    }
  }
  wes__free(dacl.aces);
  wes__free(sacl.aces);
  return hr;
}

/* ---- printer ----------------------------------------------------------- */

static void put_rights(wes__buf_t *b, uint8_t type, uint32_t mask) {
  size_t k;
  int i;
  if (mask == 0) {
    return;
  }
  if (type == WES_ACE_SYSTEM_MANDATORY_LABEL) {
    if ((mask & ~(uint32_t)7) == 0) {
      for (k = 0; k < WES__ARRAY_SIZE(label_rights); k++) {
        if (mask & label_rights[k].mask) {
          wes__buf_puts(b, label_rights[k].code);
        }
      }
      return;
    }
    wes__buf_printf(b, "0x%x", (unsigned)mask);
    return;
  }
  for (k = 0; k < WES__ARRAY_SIZE(right_sets); k++) {
    if (mask == right_sets[k].mask) {
      wes__buf_puts(b, right_sets[k].code);
      return;
    }
  }
  for (i = 0; i < 32; i++) {
    if ((mask & ((uint32_t)1 << i)) && right_bits[i] == NULL) {
      wes__buf_printf(b, "0x%x", (unsigned)mask);
      return;
    }
  }
  for (i = 0; i < 32; i++) {
    if (mask & ((uint32_t)1 << i)) {
      wes__buf_puts(b, right_bits[i]);
    }
  }
}

static void put_guid(wes__buf_t *b, const wes_guid_t *g) {
  wes__buf_printf(b, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                  (unsigned)g->data1, (unsigned)g->data2, (unsigned)g->data3,
                  g->data4[0], g->data4[1], g->data4[2], g->data4[3],
                  g->data4[4], g->data4[5], g->data4[6], g->data4[7]);
}

static const char *type_code(uint8_t type) {
  size_t k;
  for (k = 0; k < WES__ARRAY_SIZE(ace_types); k++) {
    if (ace_types[k].type == type) {
      return ace_types[k].code;
    }
  }
  return NULL;
}

static wes_hresult_t put_acl(wes__buf_t *b, const wes__acl_t *acl, int sacl,
                             uint16_t control, const wes_sid_scope_t *scope,
                             wes_error_t *reterr) {
  size_t i, k;
  if (acl->state == WES_ACL_ABSENT) {
    return WES_S_OK;
  }
  wes__buf_puts(b, sacl ? "S:" : "D:");
  if (control & (sacl ? WES_SE_SACL_PROTECTED : WES_SE_DACL_PROTECTED)) {
    wes__buf_putc(b, 'P');
  }
  if (control &
      (sacl ? WES_SE_SACL_AUTO_INHERIT_REQ : WES_SE_DACL_AUTO_INHERIT_REQ)) {
    wes__buf_puts(b, "AR");
  }
  if (control &
      (sacl ? WES_SE_SACL_AUTO_INHERITED : WES_SE_DACL_AUTO_INHERITED)) {
    wes__buf_puts(b, "AI");
  }
  if (acl->state == WES_ACL_NULL) {
    wes__buf_puts(b, "NO_ACCESS_CONTROL");
    return WES_S_OK;
  }
  for (i = 0; i < acl->count; i++) {
    const wes_ace_t *a = &acl->aces[i];
    const char *code = type_code(a->type);
    int kind = wes__ace_kind(a->type);
    if (code == NULL || kind == WES__ACE_KIND_UNKNOWN || a->app_data_len > 0 ||
        a->type == WES_ACE_ACCESS_ALLOWED_CALLBACK ||
        a->type == WES_ACE_ACCESS_DENIED_CALLBACK ||
        a->type == WES_ACE_SYSTEM_AUDIT_CALLBACK ||
        a->type == WES_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT ||
        a->type == WES_ACE_SYSTEM_RESOURCE_ATTRIBUTE ||
        a->type == WES_ACE_SYSTEM_ACCESS_FILTER) {
      return wes__error(reterr, WES_E_NOT_SUPPORTED, 0, 0,
                        "%s ACE %zu (type 0x%02x%s) cannot be printed as "
                        "SDDL by wes",
                        sacl ? "SACL" : "DACL", i + 1, (unsigned)a->type,
                        a->app_data_len > 0 ? ", with trailing data" : "");
    }
    wes__buf_putc(b, '(');
    wes__buf_puts(b, code);
    wes__buf_putc(b, ';');
    for (k = 0; k < WES__ARRAY_SIZE(ace_flags); k++) {
      uint8_t bit = ace_flags[k].bit;
      if (!(a->flags & bit)) {
        continue;
      }
      /* 0x40 is TP on access filter ACEs, SA elsewhere. */
      if (bit == 0x40 && (strcmp(ace_flags[k].code, "TP") == 0) !=
                             (a->type == WES_ACE_SYSTEM_ACCESS_FILTER)) {
        continue;
      }
      wes__buf_puts(b, ace_flags[k].code);
    }
    wes__buf_putc(b, ';');
    put_rights(b, a->type, a->mask);
    wes__buf_putc(b, ';');
    if (a->object_flags & WES_ACE_OBJECT_TYPE_PRESENT) {
      put_guid(b, &a->object_type);
    }
    wes__buf_putc(b, ';');
    if (a->object_flags & WES_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
      put_guid(b, &a->inherited_object_type);
    }
    wes__buf_putc(b, ';');
    wes__sid_append(b, &a->sid, scope);
    wes__buf_putc(b, ')');
  }
  return WES_S_OK;
}

wes_hresult_t wes_sd_to_sddl(const wes_sd_t *sd, const wes_sid_scope_t *scope,
                             char **ret_text, wes_error_t *reterr) {
  wes__buf_t b;
  wes_hresult_t hr;
  char *text;
  if (sd == NULL || ret_text == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  wes__buf_init(&b);
  wes__buf_puts(&b, "");
  if (sd->has_owner) {
    wes__buf_puts(&b, "O:");
    wes__sid_append(&b, &sd->owner, scope);
  }
  if (sd->has_group) {
    wes__buf_puts(&b, "G:");
    wes__sid_append(&b, &sd->group, scope);
  }
  hr = put_acl(&b, &sd->dacl, 0, sd->control, scope, reterr);
  if (WES_SUCCEEDED(hr)) {
    hr = put_acl(&b, &sd->sacl, 1, sd->control, scope, reterr);
  }
  if (WES_FAILED(hr)) {
    wes__buf_free(&b);
    return hr;
  }
  text = wes__buf_take(&b);
  if (text == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  *ret_text = text;
  return WES_S_OK;
}
