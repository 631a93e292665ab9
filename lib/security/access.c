/* SPDX-License-Identifier: MIT */
/* Access checks (Windows AccessCheck semantics) and the decision cache. */
#include <string.h>

#include "sec_internal.h"

static const wes_generic_mapping_t wmi_mapping = {
    /* GR */ WES_WBEM_ENABLE | WES_WBEM_RIGHT_SUBSCRIBE | WES_READ_CONTROL,
    /* GW */ WES_WBEM_FULL_WRITE_REP | WES_WBEM_PARTIAL_WRITE_REP |
        WES_WBEM_WRITE_PROVIDER | WES_WBEM_RIGHT_PUBLISH,
    /* GX */ WES_WBEM_METHOD_EXECUTE,
    /* GA */ 0xFFu | WES_READ_CONTROL | WES_WRITE_DAC,
};

const wes_generic_mapping_t *wes_wmi_generic_mapping(void) {
  return &wmi_mapping;
}

uint32_t wes_map_generic(uint32_t mask, const wes_generic_mapping_t *m) {
  uint32_t out;
  if (m == NULL || (mask & WES_GENERIC_MASK) == 0) {
    return mask;
  }
  out = mask & ~WES_GENERIC_MASK;
  if (mask & WES_GENERIC_READ) {
    out |= m->generic_read;
  }
  if (mask & WES_GENERIC_WRITE) {
    out |= m->generic_write;
  }
  if (mask & WES_GENERIC_EXECUTE) {
    out |= m->generic_execute;
  }
  if (mask & WES_GENERIC_ALL) {
    out |= m->generic_all;
  }
  return out;
}

/* Token membership: enabled SIDs, or also deny-only ones for deny ACEs. */
static inline int in_token(const wes_token_t *t, const wes_sid_t *sid,
                           uint32_t hash, int for_deny) {
  uint64_t bit = (uint64_t)1 << (hash & 63);
  size_t i;
  if (!((for_deny ? t->bloom_any : t->bloom_enabled) & bit)) {
    return 0;
  }
  for (i = 0; i < t->n; i++) {
    uint32_t a;
    const wes_sid_t *s;
    if (t->hash[i] != hash) {
      continue;
    }
    a = t->attr[i];
    if (a & WES_GROUP_USE_FOR_DENY_ONLY) {
      if (!for_deny) {
        continue;
      }
    } else if (!(a & WES_GROUP_ENABLED)) {
      continue;
    }
    s = i == 0 ? &t->user : &t->groups[i - 1].sid;
    if (s->sub_count == sid->sub_count &&
        memcmp(s->authority, sid->authority, 6) == 0 &&
        memcmp(s->sub, sid->sub, sid->sub_count * sizeof(uint32_t)) == 0) {
      return 1;
    }
  }
  return 0;
}

/*
 * Marks a maximal grant computed for a NULL or absent DACL (which grants
 * whatever is asked). Bit 24 (ACCESS_SYSTEM_SECURITY) is free for it:
 * that right never comes from a DACL.
 */
#define NULL_DACL WES_ACCESS_SYSTEM_SECURITY

/*
 * Every right the DACL grants token (the MAXIMUM_ALLOWED walk); the
 * owner's implicit rights and WRITE_OWNER through the privilege are
 * included. A NULL/absent DACL gives `all`.
 */
static uint32_t max_granted(const wes_sd_t *sd, const wes_token_t *t,
                            const wes_generic_mapping_t *m, uint32_t all) {
  uint32_t granted = 0, denied = 0;
  int is_owner;
  size_t i;
  if (t->flags & WES_PRIV_TAKE_OWNERSHIP) {
    granted |= WES_WRITE_OWNER;
  }
  if (sd->dacl.state != WES_ACL_PRESENT) {
    return granted | all | NULL_DACL;
  }
  is_owner = in_token(t, &sd->owner, sd->owner_hash, 0);
  if (is_owner && !sd->owner_rights) {
    granted |= WES_READ_CONTROL | WES_WRITE_DAC;
  }
  for (i = 0; i < sd->dacl.neval; i++) {
    const wes__ace_eval_t *e = &sd->dacl.eval[i];
    uint32_t mask;
    int match;
    switch (e->op) {
    case WES__OP_ALLOW:
      match = in_token(t, e->sid, e->hash, 0);
      break;
    case WES__OP_DENY:
      match = in_token(t, e->sid, e->hash, 1);
      break;
    default:
      match = is_owner;
      break;
    }
    if (!match) {
      continue;
    }
    mask = wes_map_generic(e->mask, m);
    if (e->op == WES__OP_ALLOW || e->op == WES__OP_ALLOW_OWNER) {
      granted |= mask & ~denied;
    } else {
      denied |= mask & ~granted;
    }
  }
  return granted;
}

/* Validates the request and maps desired; WES_S_OK to go on. */
static wes_hresult_t prepare(const wes_sd_t *sd, const wes_token_t *token,
                             uint32_t *desired,
                             const wes_generic_mapping_t *mapping,
                             wes_error_t *reterr) {
  if (sd == NULL || token == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "NULL descriptor or token");
  }
  if (!sd->has_owner || !sd->has_group) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "the security descriptor has no %s",
                      !sd->has_owner ? "owner" : "group");
  }
  if (*desired & WES_GENERIC_MASK) {
    if (mapping == NULL) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "generic rights 0x%08x in the desired mask and no "
                        "generic mapping",
                        (unsigned)(*desired & WES_GENERIC_MASK));
    }
    *desired = wes_map_generic(*desired, mapping);
  }
  return WES_S_OK;
}

static uint32_t all_rights(const wes_generic_mapping_t *m) {
  return m != NULL ? m->generic_all
                   : (WES_STANDARD_RIGHTS_ALL | WES_SPECIFIC_RIGHTS_ALL);
}

/* Final decision from the maximal grant. */
static wes_hresult_t decide(const wes_token_t *t, uint32_t desired,
                            uint32_t max, uint32_t *ret_granted,
                            wes_error_t *reterr) {
  uint32_t extra = 0, want;
  if (desired & WES_ACCESS_SYSTEM_SECURITY) {
    if (!(t->flags & WES_PRIV_SECURITY)) {
      return wes__error(reterr, WES_E_PRIVILEGE_NOT_HELD, 0, 0,
                        "ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege");
    }
    extra = WES_ACCESS_SYSTEM_SECURITY;
  }
  want = desired & ~(WES_ACCESS_SYSTEM_SECURITY | WES_MAXIMUM_ALLOWED);
  if (max & NULL_DACL) {
    max = (max & ~NULL_DACL) | want;
  }
  if ((want & ~max) != 0) {
    return wes__error(reterr, WES_E_ACCESS_DENIED, 0, 0,
                      "access 0x%08x denied (granted 0x%08x of 0x%08x)",
                      (unsigned)(want & ~max), (unsigned)(want & max),
                      (unsigned)want);
  }
  if (desired & WES_MAXIMUM_ALLOWED) {
    uint32_t g = max | extra;
    if (g == 0) {
      return wes__error(reterr, WES_E_ACCESS_DENIED, 0, 0,
                        "MAXIMUM_ALLOWED: no right granted");
    }
    if (ret_granted != NULL) {
      *ret_granted = g;
    }
    return WES_S_OK;
  }
  if (want == 0 && extra == 0) {
    /* Windows: an empty request is not granted anything. */
    return wes__error(reterr, WES_E_ACCESS_DENIED, 0, 0,
                      "no access right requested");
  }
  if (ret_granted != NULL) {
    *ret_granted = want | extra;
  }
  return WES_S_OK;
}

wes_hresult_t wes_access_check(const wes_sd_t *sd, const wes_token_t *token,
                               uint32_t desired,
                               const wes_generic_mapping_t *mapping,
                               uint32_t *ret_granted, wes_error_t *reterr) {
  wes_hresult_t hr = prepare(sd, token, &desired, mapping, reterr);
  if (WES_FAILED(hr)) {
    return hr;
  }
  return decide(token, desired,
                max_granted(sd, token, mapping, all_rights(mapping)),
                ret_granted, reterr);
}

/* ---- cache ------------------------------------------------------------- */

/*
 * Each slot is a seqlock: `seq` odd while a writer fills it. Readers copy
 * the fields with atomic loads and accept them only when seq was even and
 * unchanged around the copy. Keys are ids, never pointers.
 */
typedef struct {
  atomic_uint_fast32_t seq;
  atomic_uint_fast64_t sd_id;
  atomic_uint_fast64_t token_id;
  atomic_uint_fast32_t granted;
} slot_t;

struct wes_access_cache_s {
  size_t mask;
  int has_mapping;
  wes_generic_mapping_t mapping;
  uint32_t all;
  atomic_uint_fast64_t hits;
  atomic_uint_fast64_t misses;
  slot_t *slots;
};

wes_hresult_t wes_access_cache_new(const wes_generic_mapping_t *mapping,
                                   size_t capacity,
                                   wes_access_cache_t **ret_cache,
                                   wes_error_t *reterr) {
  wes_access_cache_t *c;
  size_t n = 16, i;
  if (ret_cache == NULL || capacity > ((size_t)1 << 20)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "NULL argument or capacity above 2^20");
  }
  if (capacity == 0) {
    capacity = 4096;
  }
  while (n < capacity) {
    n <<= 1;
  }
  c = wes__calloc(1, sizeof(*c));
  if (c == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  c->slots = wes__calloc(n, sizeof(slot_t));
  if (c->slots == NULL) {
    wes__free(c);
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  for (i = 0; i < n; i++) {
    atomic_init(&c->slots[i].seq, 0);
    atomic_init(&c->slots[i].sd_id, 0);
    atomic_init(&c->slots[i].token_id, 0);
    atomic_init(&c->slots[i].granted, 0);
  }
  c->mask = n - 1;
  if (mapping != NULL) {
    c->has_mapping = 1;
    c->mapping = *mapping;
  }
  c->all = all_rights(mapping != NULL ? &c->mapping : NULL);
  atomic_init(&c->hits, 0);
  atomic_init(&c->misses, 0);
  *ret_cache = c;
  return WES_S_OK;
}

void wes_access_cache_free(wes_access_cache_t *cache) {
  if (cache != NULL) {
    wes__free(cache->slots);
    wes__free(cache);
  }
}

static inline size_t slot_of(const wes_access_cache_t *c, uint64_t a,
                             uint64_t b) {
  uint64_t h = a * 0x9E3779B97F4A7C15ull ^
               (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
  return (size_t)(h ^ (h >> 29)) & c->mask;
}

static int cache_get(slot_t *s, uint64_t sd_id, uint64_t tok_id,
                     uint32_t *ret) {
  uint_fast32_t s1 = atomic_load_explicit(&s->seq, memory_order_acquire);
  uint64_t a, b;
  uint32_t g;
  if (s1 & 1) {
    return 0;
  }
  /*
   * Acquire loads: if one of them sees a newer writer's (release) store,
   * that writer's odd seq becomes visible to the re-load below.
   */
  a = atomic_load_explicit(&s->sd_id, memory_order_acquire);
  b = atomic_load_explicit(&s->token_id, memory_order_acquire);
  g = (uint32_t)atomic_load_explicit(&s->granted, memory_order_acquire);
  if (atomic_load_explicit(&s->seq, memory_order_relaxed) != s1) {
    return 0;
  }
  if (a != sd_id || b != tok_id) {
    return 0;
  }
  *ret = g;
  return 1;
}

static void cache_put(slot_t *s, uint64_t sd_id, uint64_t tok_id, uint32_t g) {
  uint_fast32_t s1 = atomic_load_explicit(&s->seq, memory_order_relaxed);
  if ((s1 & 1) ||
      !atomic_compare_exchange_strong_explicit(
          &s->seq, &s1, s1 + 1, memory_order_acquire, memory_order_relaxed)) {
    return; /* another writer is busy with this slot: skip */
  }
  /* The acquire CAS keeps these stores after the odd seq. */
  atomic_store_explicit(&s->sd_id, sd_id, memory_order_release);
  atomic_store_explicit(&s->token_id, tok_id, memory_order_release);
  atomic_store_explicit(&s->granted, g, memory_order_release);
  atomic_store_explicit(&s->seq, s1 + 2, memory_order_release);
}

wes_hresult_t wes_access_cache_check(wes_access_cache_t *cache,
                                     const wes_sd_t *sd,
                                     const wes_token_t *token, uint32_t desired,
                                     uint32_t *ret_granted,
                                     wes_error_t *reterr) {
  const wes_generic_mapping_t *m;
  wes_hresult_t hr;
  uint32_t max;
  slot_t *s;
  if (cache == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL cache");
  }
  m = cache->has_mapping ? &cache->mapping : NULL;
  hr = prepare(sd, token, &desired, m, reterr);
  if (WES_FAILED(hr)) {
    return hr;
  }
  s = &cache->slots[slot_of(cache, sd->id, token->id)];
  if (cache_get(s, sd->id, token->id, &max)) {
    atomic_fetch_add_explicit(&cache->hits, 1, memory_order_relaxed);
  } else {
    atomic_fetch_add_explicit(&cache->misses, 1, memory_order_relaxed);
    max = max_granted(sd, token, m, cache->all);
    cache_put(s, sd->id, token->id, max);
  }
  return decide(token, desired, max, ret_granted, reterr);
}

void wes_access_cache_clear(wes_access_cache_t *cache) {
  size_t i;
  if (cache == NULL) {
    return;
  }
  for (i = 0; i <= cache->mask; i++) {
    cache_put(&cache->slots[i], 0, 0, 0);
  }
}

void wes_access_cache_stats(const wes_access_cache_t *cache, uint64_t *ret_hits,
                            uint64_t *ret_misses) {
  wes_access_cache_t *c = (wes_access_cache_t *)cache;
  if (ret_hits != NULL) {
    *ret_hits = c != NULL ? (uint64_t)atomic_load(&c->hits) : 0;
  }
  if (ret_misses != NULL) {
    *ret_misses = c != NULL ? (uint64_t)atomic_load(&c->misses) : 0;
  }
}
