/* SPDX-License-Identifier: MIT */
/* Internal layout of the security module's objects. */
#ifndef WES_SEC_INTERNAL_H
#define WES_SEC_INTERNAL_H

#include "internal.h"
#include "wes/security.h"

/* One DACL entry that takes part in access checks (precomputed). */
typedef struct wes__ace_eval_s {
  uint32_t hash;
  uint32_t mask;
  uint8_t op; /* WES__OP_* */
  const wes_sid_t *sid;
} wes__ace_eval_t;

#define WES__OP_ALLOW 1
#define WES__OP_DENY 2
#define WES__OP_ALLOW_OWNER 3 /* OWNER RIGHTS ACE: matches the owner */
#define WES__OP_DENY_OWNER 4

/* One ACL as stored inside a descriptor. */
typedef struct wes__acl_s {
  int state;        /* WES_ACL_* */
  uint8_t revision; /* ACL revision written in the binary form */
  uint8_t sbz1;
  uint16_t sbz2;
  size_t count;
  wes_ace_t *aces;
  uint32_t *sid_hash;    /* hash of aces[i].sid, for the access check */
  uint8_t *app_blob;     /* storage of every ACE's app_data */
  wes__ace_eval_t *eval; /* DACL only: the ACEs checks look at */
  size_t neval;
} wes__acl_t;

struct wes_sd_s {
  wes__refcount_t ref;
  uint64_t id; /* unique, never reused: cache key */
  uint16_t control;
  uint8_t rm_control;
  uint8_t has_owner;
  uint8_t has_group;
  uint8_t owner_rights; /* DACL names OWNER RIGHTS (S-1-3-4) */
  uint32_t owner_hash;
  wes_sid_t owner;
  wes_sid_t group;
  wes__acl_t dacl;
  wes__acl_t sacl;
};

struct wes_token_s {
  wes__refcount_t ref;
  uint64_t id;
  uint32_t flags;
  uint64_t bloom_enabled;    /* bit (hash & 63) of every enabled SID */
  uint64_t bloom_any;        /* same, enabled or deny-only SIDs */
  size_t n;                  /* entries: [0] user, [1..] groups */
  uint32_t *hash;            /* per entry */
  uint32_t *attr;            /* per entry; user: ENABLED or DENY_ONLY */
  wes_token_group_t *groups; /* entries 1..n-1 as given */
  wes_sid_t user;
};

/* A fresh unique id for descriptors and tokens. */
uint64_t wes__sec_next_id(void);

/* Hash of a SID (only its meaningful bytes). */
uint32_t wes__sid_hash(const wes_sid_t *sid);

/* 1 when sid is structurally valid (revision 1, <= 15 subs). */
int wes__sid_valid(const wes_sid_t *sid);

/*
 * Parses a SID or alias from text[0..len) (not NUL-terminated); errors
 * report column base + offset.
 */
wes_hresult_t wes__sid_parse_n(const char *text, size_t len,
                               const wes_sid_scope_t *scope, wes_sid_t *ret_sid,
                               uint32_t base, wes_error_t *reterr);

/* Appends the alias of sid (or its S-1 text) to b. */
void wes__sid_append(wes__buf_t *b, const wes_sid_t *sid,
                     const wes_sid_scope_t *scope);

/* Writes the binary SID at p (wes_sid_binary_length bytes). */
void wes__sid_write(const wes_sid_t *sid, uint8_t *p);

/* Properties of an ACE type. */
#define WES__ACE_KIND_UNKNOWN 0
#define WES__ACE_KIND_BASIC 1  /* header, mask, SID */
#define WES__ACE_KIND_OBJECT 2 /* header, mask, flags, GUIDs, SID */
int wes__ace_kind(uint8_t type);

/* Binary size of one ACE (header included, padded to 4). */
size_t wes__ace_size(const wes_ace_t *ace);

/* Size of a whole ACL in binary form. */
size_t wes__acl_size(const wes__acl_t *acl);

#endif /* WES_SEC_INTERNAL_H */
