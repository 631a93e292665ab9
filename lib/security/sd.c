/* SPDX-License-Identifier: MIT */
/* Security descriptors: model, refcount, self-relative binary form. */
#include <string.h>

#include "sec_internal.h"

#define SD_HEADER 20
#define ACL_HEADER 8
#define ACE_HEADER 4
#define ACL_MAX 65535u

static atomic_uint_fast64_t next_id = 1;

uint64_t wes__sec_next_id(void) {
  return (uint64_t)atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed);
}

int wes__ace_kind(uint8_t type) {
  switch (type) {
  case WES_ACE_ACCESS_ALLOWED:
  case WES_ACE_ACCESS_DENIED:
  case WES_ACE_SYSTEM_AUDIT:
  case WES_ACE_SYSTEM_ALARM:
  case WES_ACE_ACCESS_ALLOWED_CALLBACK:
  case WES_ACE_ACCESS_DENIED_CALLBACK:
  case WES_ACE_SYSTEM_AUDIT_CALLBACK:
  case WES_ACE_SYSTEM_ALARM_CALLBACK:
  case WES_ACE_SYSTEM_MANDATORY_LABEL:
  case WES_ACE_SYSTEM_RESOURCE_ATTRIBUTE:
  case WES_ACE_SYSTEM_SCOPED_POLICY_ID:
  case WES_ACE_SYSTEM_PROCESS_TRUST_LABEL:
  case WES_ACE_SYSTEM_ACCESS_FILTER:
    return WES__ACE_KIND_BASIC;
  case WES_ACE_ACCESS_ALLOWED_OBJECT:
  case WES_ACE_ACCESS_DENIED_OBJECT:
  case WES_ACE_SYSTEM_AUDIT_OBJECT:
  case WES_ACE_SYSTEM_ALARM_OBJECT:
  case WES_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT:
  case WES_ACE_ACCESS_DENIED_CALLBACK_OBJECT:
  case WES_ACE_SYSTEM_AUDIT_CALLBACK_OBJECT:
  case WES_ACE_SYSTEM_ALARM_CALLBACK_OBJECT:
    return WES__ACE_KIND_OBJECT;
  default:
    return WES__ACE_KIND_UNKNOWN;
  }
}

/* Size of an ACE without padding. */
static size_t ace_raw_size(const wes_ace_t *ace) {
  size_t n = ACE_HEADER;
  switch (wes__ace_kind(ace->type)) {
  case WES__ACE_KIND_BASIC:
    n += 4 + wes_sid_binary_length(&ace->sid);
    break;
  case WES__ACE_KIND_OBJECT:
    n += 8 + wes_sid_binary_length(&ace->sid);
    if (ace->object_flags & WES_ACE_OBJECT_TYPE_PRESENT) {
      n += 16;
    }
    if (ace->object_flags & WES_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
      n += 16;
    }
    break;
  default:
    break;
  }
  return n + ace->app_data_len;
}

size_t wes__ace_size(const wes_ace_t *ace) {
  return (ace_raw_size(ace) + 3) & ~(size_t)3;
}

size_t wes__acl_size(const wes__acl_t *acl) {
  size_t n = ACL_HEADER, i;
  if (acl->state != WES_ACL_PRESENT) {
    return 0;
  }
  for (i = 0; i < acl->count; i++) {
    n += wes__ace_size(&acl->aces[i]);
  }
  return n;
}

static void acl_free(wes__acl_t *acl) {
  wes__free(acl->aces);
  wes__free(acl->sid_hash);
  wes__free(acl->app_blob);
  wes__free(acl->eval);
  memset(acl, 0, sizeof(*acl));
}

static const wes_sid_t owner_rights_sid = {1, 1, {0, 0, 0, 0, 0, 3}, {4}};

/* Copies n ACEs into acl (state PRESENT), validating them. */
static wes_hresult_t acl_init(wes__acl_t *acl, const char *what, int state,
                              uint8_t revision, const wes_ace_t *aces, size_t n,
                              wes_error_t *reterr) {
  size_t i, blob = 0, total = ACL_HEADER;
  int has_object = 0;
  memset(acl, 0, sizeof(*acl));
  if (state != WES_ACL_ABSENT && state != WES_ACL_NULL &&
      state != WES_ACL_PRESENT) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "%s state %d is not a WES_ACL_* value", what, state);
  }
  acl->state = state;
  if (state != WES_ACL_PRESENT) {
    if (n > 0) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "ACEs given for an absent or NULL %s", what);
    }
    return WES_S_OK;
  }
  if (n > 0 && aces == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "%s: NULL ACE array", what);
  }
  for (i = 0; i < n; i++) {
    const wes_ace_t *a = &aces[i];
    int kind = wes__ace_kind(a->type);
    size_t sz;
    if (kind != WES__ACE_KIND_UNKNOWN && !wes__sid_valid(&a->sid)) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "%s ACE %zu: SID not valid", what, i + 1);
    }
    if (a->app_data_len > 0 && a->app_data == NULL) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "%s ACE %zu: NULL app_data", what, i + 1);
    }
    if (kind == WES__ACE_KIND_OBJECT) {
      has_object = 1;
      if (a->object_flags & ~(uint32_t)3) {
        return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                          "%s ACE %zu: unknown object flags 0x%x", what, i + 1,
                          (unsigned)a->object_flags);
      }
    }
    if (a->app_data_len > ACL_MAX) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "%s ACE %zu larger than 65535 bytes", what, i + 1);
    }
    sz = wes__ace_size(a);
    if (sz > ACL_MAX) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "%s ACE %zu larger than 65535 bytes", what, i + 1);
    }
    total += sz;
    if (total > ACL_MAX) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "%s larger than 65535 bytes", what);
    }
    blob += a->app_data_len;
  }
  if (revision == 0) {
    revision = has_object ? WES_ACL_REVISION_DS : WES_ACL_REVISION;
  } else if (revision < 2 || revision > 4) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "%s revision %u (2..4 allowed)", what,
                      (unsigned)revision);
  }
  acl->revision = revision;
  acl->count = n;
  if (n == 0) {
    return WES_S_OK;
  }
  acl->aces = wes__calloc(n, sizeof(wes_ace_t));
  acl->sid_hash = wes__calloc(n, sizeof(uint32_t));
  if (blob > 0) {
    acl->app_blob = wes__malloc(blob);
  }
  if (acl->aces == NULL || acl->sid_hash == NULL ||
      (blob > 0 && acl->app_blob == NULL)) {
    acl_free(acl);
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  blob = 0;
  for (i = 0; i < n; i++) {
    wes_ace_t *d = &acl->aces[i];
    *d = aces[i];
    if (wes__ace_kind(d->type) == WES__ACE_KIND_UNKNOWN) {
      d->mask = 0;
      d->object_flags = 0;
      memset(&d->sid, 0, sizeof(d->sid));
    } else if (wes__ace_kind(d->type) == WES__ACE_KIND_BASIC) {
      d->object_flags = 0;
    }
    if (!(d->object_flags & WES_ACE_OBJECT_TYPE_PRESENT)) {
      memset(&d->object_type, 0, sizeof(d->object_type));
    }
    if (!(d->object_flags & WES_ACE_INHERITED_OBJECT_TYPE_PRESENT)) {
      memset(&d->inherited_object_type, 0, sizeof(d->inherited_object_type));
    }
    if (d->app_data_len > 0) {
      memcpy(acl->app_blob + blob, aces[i].app_data, d->app_data_len);
      d->app_data = acl->app_blob + blob;
      blob += d->app_data_len;
    } else {
      d->app_data = NULL;
    }
    acl->sid_hash[i] = wes__sid_hash(&d->sid);
  }
  return WES_S_OK;
}

static void sd_destroy(wes_sd_t *sd) {
  acl_free(&sd->dacl);
  acl_free(&sd->sacl);
  wes__free(sd);
}

wes_hresult_t wes_sd_new(const wes_sd_desc_t *desc, wes_sd_t **ret_sd,
                         wes_error_t *reterr) {
  wes_sd_t *sd;
  wes_hresult_t hr;
  size_t i;
  if (desc == NULL || ret_sd == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  if ((desc->owner != NULL && !wes__sid_valid(desc->owner)) ||
      (desc->group != NULL && !wes__sid_valid(desc->group))) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "owner or group SID not valid");
  }
  sd = wes__calloc(1, sizeof(*sd));
  if (sd == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  hr = acl_init(&sd->dacl, "DACL", desc->dacl_state, desc->dacl_revision,
                desc->dacl, desc->dacl_count, reterr);
  if (WES_SUCCEEDED(hr)) {
    hr = acl_init(&sd->sacl, "SACL", desc->sacl_state, desc->sacl_revision,
                  desc->sacl, desc->sacl_count, reterr);
  }
  if (WES_FAILED(hr)) {
    sd_destroy(sd);
    return hr;
  }
  wes__ref_init(&sd->ref);
  sd->id = wes__sec_next_id();
  sd->control =
      (uint16_t)(desc->control & ~(WES_SE_DACL_PRESENT | WES_SE_SACL_PRESENT));
  sd->control |= WES_SE_SELF_RELATIVE;
  if (sd->dacl.state != WES_ACL_ABSENT) {
    sd->control |= WES_SE_DACL_PRESENT;
  }
  if (sd->sacl.state != WES_ACL_ABSENT) {
    sd->control |= WES_SE_SACL_PRESENT;
  }
  sd->rm_control =
      (sd->control & WES_SE_RM_CONTROL_VALID) ? desc->rm_control : 0;
  if (desc->owner != NULL) {
    sd->has_owner = 1;
    sd->owner = *desc->owner;
    sd->owner_hash = wes__sid_hash(&sd->owner);
  }
  if (desc->group != NULL) {
    sd->has_group = 1;
    sd->group = *desc->group;
  }
  for (i = 0; i < sd->dacl.count; i++) {
    const wes_ace_t *a = &sd->dacl.aces[i];
    if (!(a->flags & WES_ACE_INHERIT_ONLY) &&
        wes__ace_kind(a->type) != WES__ACE_KIND_UNKNOWN &&
        wes_sid_equal(&a->sid, &owner_rights_sid)) {
      sd->owner_rights = 1;
    }
  }
  if (sd->dacl.count > 0) {
    sd->dacl.eval = wes__calloc(sd->dacl.count, sizeof(wes__ace_eval_t));
    if (sd->dacl.eval == NULL) {
      sd_destroy(sd);
      return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    }
  }
  for (i = 0; i < sd->dacl.count; i++) {
    const wes_ace_t *a = &sd->dacl.aces[i];
    wes__ace_eval_t *e = &sd->dacl.eval[sd->dacl.neval];
    uint8_t op;
    if (a->flags & WES_ACE_INHERIT_ONLY) {
      continue;
    }
    switch (a->type) {
    case WES_ACE_ACCESS_ALLOWED:
      op = WES__OP_ALLOW;
      break;
    case WES_ACE_ACCESS_DENIED:
    case WES_ACE_ACCESS_DENIED_CALLBACK:
      op = WES__OP_DENY; /* a condition wes cannot evaluate: unknown */
      break;
    case WES_ACE_ACCESS_ALLOWED_OBJECT:
      op = (a->object_flags & WES_ACE_OBJECT_TYPE_PRESENT) ? 0 : WES__OP_ALLOW;
      break;
    case WES_ACE_ACCESS_DENIED_OBJECT:
    case WES_ACE_ACCESS_DENIED_CALLBACK_OBJECT:
      op = (a->object_flags & WES_ACE_OBJECT_TYPE_PRESENT) ? 0 : WES__OP_DENY;
      break;
    default:
      op = 0; /* audit, alarm, labels, callback allow: not applied */
      break;
    }
    if (op == 0 || a->mask == 0) {
      continue;
    }
    if (sd->owner_rights && wes_sid_equal(&a->sid, &owner_rights_sid)) {
      op = op == WES__OP_ALLOW ? WES__OP_ALLOW_OWNER : WES__OP_DENY_OWNER;
    }
    e->op = op;
    e->mask = a->mask;
    e->hash = sd->dacl.sid_hash[i];
    e->sid = &a->sid;
    sd->dacl.neval++;
  }
  *ret_sd = sd;
  return WES_S_OK;
}

wes_sd_t *wes_sd_ref(wes_sd_t *sd) {
  if (sd != NULL) {
    wes__ref_inc(&sd->ref);
  }
  return sd;
}

wes_sd_t *wes_sd_unref(wes_sd_t *sd) {
  if (sd != NULL && wes__ref_dec(&sd->ref)) {
    sd_destroy(sd);
  }
  return NULL;
}

uint16_t wes_sd_get_control(const wes_sd_t *sd) {
  return sd != NULL ? sd->control : 0;
}

const wes_sid_t *wes_sd_get_owner(const wes_sd_t *sd) {
  return (sd != NULL && sd->has_owner) ? &sd->owner : NULL;
}

const wes_sid_t *wes_sd_get_group(const wes_sd_t *sd) {
  return (sd != NULL && sd->has_group) ? &sd->group : NULL;
}

static int get_acl(const wes__acl_t *acl, const wes_ace_t **ret_aces,
                   size_t *ret_count) {
  if (ret_aces != NULL) {
    *ret_aces = acl->state == WES_ACL_PRESENT ? acl->aces : NULL;
  }
  if (ret_count != NULL) {
    *ret_count = acl->state == WES_ACL_PRESENT ? acl->count : 0;
  }
  return acl->state;
}

int wes_sd_get_dacl(const wes_sd_t *sd, const wes_ace_t **ret_aces,
                    size_t *ret_count) {
  static const wes__acl_t absent;
  return get_acl(sd != NULL ? &sd->dacl : &absent, ret_aces, ret_count);
}

int wes_sd_get_sacl(const wes_sd_t *sd, const wes_ace_t **ret_aces,
                    size_t *ret_count) {
  static const wes__acl_t absent;
  return get_acl(sd != NULL ? &sd->sacl : &absent, ret_aces, ret_count);
}

/* ---- binary encoding --------------------------------------------------- */

static void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t get16(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
         ((uint32_t)p[3] << 24);
}

static void put_guid(uint8_t *p, const wes_guid_t *g) {
  put32(p, g->data1);
  put16(p + 4, g->data2);
  put16(p + 6, g->data3);
  memcpy(p + 8, g->data4, 8);
}

static void get_guid(const uint8_t *p, wes_guid_t *g) {
  g->data1 = get32(p);
  g->data2 = (uint16_t)get16(p + 4);
  g->data3 = (uint16_t)get16(p + 6);
  memcpy(g->data4, p + 8, 8);
}

/* Writes acl at p; returns its size. */
static size_t acl_write(const wes__acl_t *acl, uint8_t *p) {
  size_t size = wes__acl_size(acl), pos = ACL_HEADER, i;
  p[0] = acl->revision;
  p[1] = acl->sbz1;
  put16(p + 2, (uint32_t)size);
  put16(p + 4, (uint32_t)acl->count);
  put16(p + 6, acl->sbz2);
  for (i = 0; i < acl->count; i++) {
    const wes_ace_t *a = &acl->aces[i];
    size_t asz = wes__ace_size(a), q = pos + ACE_HEADER;
    int kind = wes__ace_kind(a->type);
    memset(p + pos, 0, asz);
    p[pos] = a->type;
    p[pos + 1] = a->flags;
    put16(p + pos + 2, (uint32_t)asz);
    if (kind != WES__ACE_KIND_UNKNOWN) {
      put32(p + q, a->mask);
      q += 4;
      if (kind == WES__ACE_KIND_OBJECT) {
        put32(p + q, a->object_flags);
        q += 4;
        if (a->object_flags & WES_ACE_OBJECT_TYPE_PRESENT) {
          put_guid(p + q, &a->object_type);
          q += 16;
        }
        if (a->object_flags & WES_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
          put_guid(p + q, &a->inherited_object_type);
          q += 16;
        }
      }
      wes__sid_write(&a->sid, p + q);
      q += wes_sid_binary_length(&a->sid);
    }
    if (a->app_data_len > 0) {
      memcpy(p + q, a->app_data, a->app_data_len);
    }
    pos += asz;
  }
  return size;
}

size_t wes_sd_binary_length(const wes_sd_t *sd) {
  if (sd == NULL) {
    return 0;
  }
  return SD_HEADER + wes__acl_size(&sd->sacl) + wes__acl_size(&sd->dacl) +
         (sd->has_owner ? wes_sid_binary_length(&sd->owner) : 0) +
         (sd->has_group ? wes_sid_binary_length(&sd->group) : 0);
}

wes_hresult_t wes_sd_to_binary(const wes_sd_t *sd, uint8_t **ret_data,
                               size_t *ret_len, wes_error_t *reterr) {
  size_t len, pos = SD_HEADER;
  uint8_t *p;
  if (sd == NULL || ret_data == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  len = wes_sd_binary_length(sd);
  p = wes__calloc(1, len);
  if (p == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  p[0] = 1;
  p[1] = sd->rm_control;
  put16(p + 2, sd->control);
  if (sd->sacl.state == WES_ACL_PRESENT) {
    put32(p + 12, (uint32_t)pos);
    pos += acl_write(&sd->sacl, p + pos);
  }
  if (sd->dacl.state == WES_ACL_PRESENT) {
    put32(p + 16, (uint32_t)pos);
    pos += acl_write(&sd->dacl, p + pos);
  }
  if (sd->has_owner) {
    put32(p + 4, (uint32_t)pos);
    wes__sid_write(&sd->owner, p + pos);
    pos += wes_sid_binary_length(&sd->owner);
  }
  if (sd->has_group) {
    put32(p + 8, (uint32_t)pos);
    wes__sid_write(&sd->group, p + pos);
    pos += wes_sid_binary_length(&sd->group);
  }
  *ret_data = p;
  if (ret_len != NULL) {
    *ret_len = len;
  }
  return WES_S_OK;
}

/* ---- binary decoding --------------------------------------------------- */

#define BAD(off, ...)                                                          \
  wes__error(reterr, WES_E_INVALID_PARAMETER, 0, (uint32_t)(off) + 1,          \
             __VA_ARGS__)

/* Reads a SID at off (bounded by end); ret_size = its length. */
static wes_hresult_t read_sid(const uint8_t *p, size_t off, size_t end,
                              const char *what, wes_sid_t *ret,
                              size_t *ret_size, wes_error_t *reterr) {
  size_t need;
  if (end < off || end - off < 8) {
    return BAD(off, "%s SID truncated", what);
  }
  if (p[off] != WES_SID_REVISION) {
    return BAD(off, "%s SID revision %u, expected 1", what, (unsigned)p[off]);
  }
  if (p[off + 1] > WES_SID_MAX_SUB_AUTHORITIES) {
    return BAD(off + 1, "%s SID has %u sub-authorities, at most 15", what,
               (unsigned)p[off + 1]);
  }
  need = 8 + 4 * (size_t)p[off + 1];
  if (end - off < need) {
    return BAD(off + 1, "%s SID truncated: %zu bytes needed, %zu left", what,
               need, end - off);
  }
  (void)wes_sid_from_binary(p + off, need, ret, NULL, NULL);
  *ret_size = need;
  return WES_S_OK;
}

/* Reads an ACL at off; ret_size = AclSize. */
static wes_hresult_t read_acl(const uint8_t *p, size_t len, size_t off,
                              const char *what, wes__acl_t *acl,
                              size_t *ret_size, wes_error_t *reterr) {
  size_t size, count, pos, i;
  uint8_t rev;
  wes_ace_t *aces = NULL;
  wes_hresult_t hr;
  if (len - off < ACL_HEADER) {
    return BAD(off, "%s header truncated", what);
  }
  rev = p[off];
  if (rev < 2 || rev > 4) {
    return BAD(off, "%s revision %u (2..4 allowed)", what, (unsigned)rev);
  }
  size = get16(p + off + 2);
  count = get16(p + off + 4);
  if (size < ACL_HEADER || (size & 3) != 0) {
    return BAD(off + 2, "%s size %zu not valid (at least 8, multiple of 4)",
               what, size);
  }
  if (size > len - off) {
    return BAD(off + 2, "%s size %zu runs past the end of the buffer", what,
               size);
  }
  if (count > (size - ACL_HEADER) / ACE_HEADER) {
    return BAD(off + 4, "%s ACE count %zu does not fit in %zu bytes", what,
               count, size);
  }
  if (count > 0) {
    aces = wes__calloc(count, sizeof(wes_ace_t));
    if (aces == NULL) {
      return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    }
  }
  pos = off + ACL_HEADER;
  for (i = 0; i < count; i++) {
    wes_ace_t *a = &aces[i];
    size_t asz, end, q, sidsz;
    int kind;
    if (off + size - pos < ACE_HEADER) {
      hr = BAD(pos,
               "%s ACE %zu of %zu lies past the ACL size (ACE count "
               "too large)",
               what, i + 1, count);
      goto fail;
    }
    a->type = p[pos];
    a->flags = p[pos + 1];
    asz = get16(p + pos + 2);
    if (asz < ACE_HEADER || (asz & 3) != 0) {
      hr = BAD(pos + 2, "%s ACE %zu size %zu not valid", what, i + 1, asz);
      goto fail;
    }
    if (asz > off + size - pos) {
      hr = BAD(pos + 2, "%s ACE %zu size %zu runs past the ACL", what, i + 1,
               asz);
      goto fail;
    }
    end = pos + asz;
    q = pos + ACE_HEADER;
    kind = wes__ace_kind(a->type);
    if (kind != WES__ACE_KIND_UNKNOWN) {
      if (end - q < 4) {
        hr = BAD(q, "%s ACE %zu too short for its mask", what, i + 1);
        goto fail;
      }
      a->mask = get32(p + q);
      q += 4;
    }
    if (kind == WES__ACE_KIND_OBJECT) {
      if (rev < WES_ACL_REVISION_DS) {
        hr = BAD(pos, "%s ACE %zu: object ACE in an ACL of revision %u", what,
                 i + 1, (unsigned)rev);
        goto fail;
      }
      if (end - q < 4) {
        hr = BAD(q, "%s ACE %zu too short for its object flags", what, i + 1);
        goto fail;
      }
      a->object_flags = get32(p + q);
      if (a->object_flags & ~(uint32_t)3) {
        hr = BAD(q, "%s ACE %zu: unknown object flags 0x%x", what, i + 1,
                 (unsigned)a->object_flags);
        goto fail;
      }
      q += 4;
      if (a->object_flags & WES_ACE_OBJECT_TYPE_PRESENT) {
        if (end - q < 16) {
          hr = BAD(q, "%s ACE %zu: object type GUID truncated", what, i + 1);
          goto fail;
        }
        get_guid(p + q, &a->object_type);
        q += 16;
      }
      if (a->object_flags & WES_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
        if (end - q < 16) {
          hr = BAD(q, "%s ACE %zu: inherited object type GUID truncated", what,
                   i + 1);
          goto fail;
        }
        get_guid(p + q, &a->inherited_object_type);
        q += 16;
      }
    }
    if (kind != WES__ACE_KIND_UNKNOWN) {
      hr = read_sid(p, q, end, "ACE", &a->sid, &sidsz, reterr);
      if (WES_FAILED(hr)) {
        goto fail;
      }
      q += sidsz;
    }
    a->app_data = p + q;
    a->app_data_len = end - q;
    pos = end;
  }
  hr = acl_init(acl, what, WES_ACL_PRESENT, rev, aces, count, reterr);
  if (WES_SUCCEEDED(hr)) {
    acl->sbz1 = p[off + 1];
    acl->sbz2 = (uint16_t)get16(p + off + 6);
    *ret_size = size;
  }
fail:
  wes__free(aces);
  return hr;
}

typedef struct {
  size_t off, size;
  const char *what;
} range_t;

wes_hresult_t wes_sd_from_binary(const void *data, size_t len,
                                 wes_sd_t **ret_sd, wes_error_t *reterr) {
  const uint8_t *p = (const uint8_t *)data;
  wes_sd_t *sd;
  wes_hresult_t hr = WES_S_OK;
  uint32_t off[4]; /* owner, group, sacl, dacl */
  static const char *const names[4] = {"owner", "group", "SACL", "DACL"};
  range_t r[4];
  size_t nr = 0, i, j, sz;
  uint16_t control;
  if (data == NULL || ret_sd == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  if (len < SD_HEADER) {
    return BAD(0, "security descriptor truncated: %zu bytes, at least 20", len);
  }
  if (p[0] != 1) {
    return BAD(0, "security descriptor revision %u, expected 1",
               (unsigned)p[0]);
  }
  control = (uint16_t)get16(p + 2);
  if (!(control & WES_SE_SELF_RELATIVE)) {
    return BAD(2, "SE_SELF_RELATIVE is not set (absolute form in a buffer)");
  }
  for (i = 0; i < 4; i++) {
    off[i] = get32(p + 4 + 4 * i);
    if (off[i] == 0) {
      continue;
    }
    if (off[i] < SD_HEADER || off[i] >= len) {
      return BAD(4 + 4 * i, "%s offset %u outside the descriptor (%zu bytes)",
                 names[i], (unsigned)off[i], len);
    }
    if ((off[i] & 3) != 0) {
      return BAD(4 + 4 * i, "%s offset %u not 4-byte aligned", names[i],
                 (unsigned)off[i]);
    }
  }
  if (!(control & WES_SE_SACL_PRESENT) && off[2] != 0) {
    return BAD(12, "SACL offset set but SE_SACL_PRESENT clear");
  }
  if (!(control & WES_SE_DACL_PRESENT) && off[3] != 0) {
    return BAD(16, "DACL offset set but SE_DACL_PRESENT clear");
  }
  sd = wes__calloc(1, sizeof(*sd));
  if (sd == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  if (off[0] != 0) {
    hr = read_sid(p, off[0], len, "owner", &sd->owner, &sz, reterr);
    if (WES_FAILED(hr)) {
      goto fail;
    }
    sd->has_owner = 1;
    r[nr].off = off[0], r[nr].size = sz, r[nr++].what = names[0];
  }
  if (off[1] != 0) {
    hr = read_sid(p, off[1], len, "group", &sd->group, &sz, reterr);
    if (WES_FAILED(hr)) {
      goto fail;
    }
    sd->has_group = 1;
    r[nr].off = off[1], r[nr].size = sz, r[nr++].what = names[1];
  }
  if (control & WES_SE_SACL_PRESENT) {
    if (off[2] == 0) {
      sd->sacl.state = WES_ACL_NULL;
    } else {
      hr = read_acl(p, len, off[2], "SACL", &sd->sacl, &sz, reterr);
      if (WES_FAILED(hr)) {
        goto fail;
      }
      r[nr].off = off[2], r[nr].size = sz, r[nr++].what = names[2];
    }
  }
  if (control & WES_SE_DACL_PRESENT) {
    if (off[3] == 0) {
      sd->dacl.state = WES_ACL_NULL;
    } else {
      hr = read_acl(p, len, off[3], "DACL", &sd->dacl, &sz, reterr);
      if (WES_FAILED(hr)) {
        goto fail;
      }
      r[nr].off = off[3], r[nr].size = sz, r[nr++].what = names[3];
    }
  }
  for (i = 0; i < nr; i++) {
    for (j = i + 1; j < nr; j++) {
      if (r[i].off < r[j].off + r[j].size && r[j].off < r[i].off + r[i].size) {
        size_t at = r[i].off > r[j].off ? r[i].off : r[j].off;
        hr = BAD(at, "%s and %s overlap", r[i].what, r[j].what);
        goto fail;
      }
    }
  }
  {
    /* Finish through the common constructor path for derived fields. */
    wes_sd_desc_t d;
    wes_sd_t *out = NULL;
    memset(&d, 0, sizeof(d));
    d.control = control;
    d.rm_control = p[1];
    d.owner = sd->has_owner ? &sd->owner : NULL;
    d.group = sd->has_group ? &sd->group : NULL;
    d.dacl_state = sd->dacl.state;
    d.dacl_revision = sd->dacl.revision;
    d.dacl = sd->dacl.aces;
    d.dacl_count = sd->dacl.count;
    d.sacl_state = sd->sacl.state;
    d.sacl_revision = sd->sacl.revision;
    d.sacl = sd->sacl.aces;
    d.sacl_count = sd->sacl.count;
    hr = wes_sd_new(&d, &out, reterr);
    if (WES_FAILED(hr)) {
      goto fail;
    }
    out->dacl.sbz1 = sd->dacl.sbz1;
    out->dacl.sbz2 = sd->dacl.sbz2;
    out->sacl.sbz1 = sd->sacl.sbz1;
    out->sacl.sbz2 = sd->sacl.sbz2;
    out->rm_control = p[1];
    sd_destroy(sd);
    *ret_sd = out;
    return WES_S_OK;
  }
fail:
  sd_destroy(sd);
  return hr;
}
