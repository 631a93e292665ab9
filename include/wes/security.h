/* SPDX-License-Identifier: MIT */
/*
 * Security: SIDs, security descriptors (owner, group, DACL, SACL), SDDL
 * text, the self-relative binary form Windows code builds
 * (SetSinkSecurity, __Event.SECURITY_DESCRIPTOR), access tokens, identity
 * resolution (Unix users and groups -> SIDs), access checks with Windows
 * semantics and a thread-safe decision cache.
 *
 * Objects: wes_sd_t and wes_token_t are refcounted and immutable once
 * built, so they may be shared between threads freely. wes_sid_t is a
 * plain value struct. Thread: every function in this header may be called
 * from any thread.
 *
 * Errors: bad text or bytes give WES_E_INVALID_PARAMETER with a message in
 * reterr (column = 1-based byte position in SDDL/SID text, or 1-based
 * byte offset in binary input), features wes does not implement give
 * WES_E_NOT_SUPPORTED, allocation failures WES_E_OUT_OF_MEMORY.
 * See docs/security.md.
 */
#ifndef WES_SECURITY_H
#define WES_SECURITY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Access rights ----------------------------------------------------- */

/* WMI rights (WBEM_SECURITY_FLAGS). */
#define WES_WBEM_ENABLE 0x00000001u
#define WES_WBEM_METHOD_EXECUTE 0x00000002u
#define WES_WBEM_FULL_WRITE_REP 0x00000004u
#define WES_WBEM_PARTIAL_WRITE_REP 0x00000008u
#define WES_WBEM_WRITE_PROVIDER 0x00000010u
#define WES_WBEM_REMOTE_ACCESS 0x00000020u
#define WES_WBEM_RIGHT_SUBSCRIBE 0x00000040u
#define WES_WBEM_RIGHT_PUBLISH 0x00000080u

/* Standard, special and generic rights. */
#define WES_DELETE 0x00010000u
#define WES_READ_CONTROL 0x00020000u
#define WES_WRITE_DAC 0x00040000u
#define WES_WRITE_OWNER 0x00080000u
#define WES_SYNCHRONIZE 0x00100000u
#define WES_STANDARD_RIGHTS_REQUIRED 0x000F0000u
#define WES_STANDARD_RIGHTS_ALL 0x001F0000u
#define WES_SPECIFIC_RIGHTS_ALL 0x0000FFFFu
#define WES_ACCESS_SYSTEM_SECURITY 0x01000000u
#define WES_MAXIMUM_ALLOWED 0x02000000u
#define WES_GENERIC_ALL 0x10000000u
#define WES_GENERIC_EXECUTE 0x20000000u
#define WES_GENERIC_WRITE 0x40000000u
#define WES_GENERIC_READ 0x80000000u
#define WES_GENERIC_MASK 0xF0000000u

/* ---- SIDs ---------------------------------------------------------------- */

#define WES_SID_REVISION 1
#define WES_SID_MAX_SUB_AUTHORITIES 15
/* Largest binary SID: 8 + 4 * 15 bytes. */
#define WES_SID_MAX_BINARY 68
/* Buffer size that holds any SID text with its NUL. */
#define WES_SID_STRING_MAX 192

/*
 * A SID as a value. authority is the 48-bit identifier authority in
 * big-endian byte order, as in the binary form. Only sub[0..sub_count-1]
 * are meaningful; two SIDs are equal when wes_sid_equal says so (never
 * compare with memcmp on the whole struct).
 */
typedef struct wes_sid_s {
  uint8_t revision;
  uint8_t sub_count;
  uint8_t authority[6];
  uint32_t sub[WES_SID_MAX_SUB_AUTHORITIES];
} wes_sid_t;

/*
 * SIDs that domain- and machine-relative SDDL aliases resolve against.
 * domain: DA DU DG DC DD CA CN AP KA RS (domain SID + RID).
 * root_domain: EA SA PA RO EK (NULL: use domain).
 * machine: LA LG (machine SID + 500/501).
 * Any member may be NULL; an alias whose base is NULL is an error when
 * parsed, and a SID is printed as such an alias only when its base is set.
 */
typedef struct wes_sid_scope_s {
  const wes_sid_t *domain;
  const wes_sid_t *root_domain;
  const wes_sid_t *machine;
} wes_sid_scope_t;

/*
 * Fills ret_sid with authority (< 2^48) and n sub-authorities.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (ret_sid NULL, subs NULL with
 * n > 0, n > 15, authority >= 2^48). Thread: any.
 */
WES_API wes_hresult_t wes_sid_make(uint64_t authority, const uint32_t *subs,
                                   size_t n, wes_sid_t *ret_sid);

/* Returns the 48-bit identifier authority of sid. Thread: any. */
WES_API uint64_t wes_sid_get_authority(const wes_sid_t *sid);

/*
 * Parses a SID: the string form `S-1-<authority>-<sub>...` ('S' or 's';
 * the authority in decimal below 2^48 or 0x and up to 12 hex digits; up
 * to 15 sub-authorities, each decimal or 0x hex, below 2^32) or a
 * two-letter SDDL alias ("BA", "SY", ...; any case, as Windows accepts).
 * Domain- and machine-relative aliases resolve against scope (may be
 * NULL). Values that overflow are refused (Windows saturates them).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL argument, malformed
 * text, unknown alias; reterr column = position), WES_E_NOT_FOUND (an
 * alias that needs a domain or machine SID that scope does not give).
 * Thread: any.
 */
WES_API wes_hresult_t wes_sid_parse(const char *text,
                                    const wes_sid_scope_t *scope,
                                    wes_sid_t *ret_sid, wes_error_t *reterr);

/*
 * Writes the S-1 string form (never an alias) into buf: the authority in
 * decimal below 2^32, else as 0x and upper-case hex digits without
 * leading zeros ("S-1-0x12A05F200-30"), as Windows prints it. Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL, sid not
 * valid), WES_E_BUFFER_TOO_SMALL (size too small; WES_SID_STRING_MAX
 * always suffices). Thread: any.
 */
WES_API wes_hresult_t wes_sid_to_string(const wes_sid_t *sid, char *buf,
                                        size_t size);

/*
 * Returns the two-letter SDDL alias of sid ("BA"), or NULL when it has
 * none. Domain- and machine-relative aliases are returned only when scope
 * gives their base. Ownership: static storage. Thread: any.
 */
WES_API const char *wes_sid_alias(const wes_sid_t *sid,
                                  const wes_sid_scope_t *scope);

/*
 * Reads a binary SID from the first len bytes of data; ret_used (may be
 * NULL) receives its length (8 + 4n).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL, truncated, revision not
 * 1, more than 15 sub-authorities; reterr explains). Thread: any.
 */
WES_API wes_hresult_t wes_sid_from_binary(const void *data, size_t len,
                                          wes_sid_t *ret_sid, size_t *ret_used,
                                          wes_error_t *reterr);

/*
 * Writes the binary form of sid into buf (size bytes); ret_len receives
 * its length. Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL, sid not
 * valid), WES_E_BUFFER_TOO_SMALL (ret_len still receives the size needed
 * when not NULL). Thread: any.
 */
WES_API wes_hresult_t wes_sid_to_binary(const wes_sid_t *sid, void *buf,
                                        size_t size, size_t *ret_len);

/* Returns 8 + 4 * sub_count, or 0 for NULL. Thread: any. */
WES_API size_t wes_sid_binary_length(const wes_sid_t *sid);

/* Returns 1 when a and b are the same SID, else 0 (NULL equals nothing). */
WES_API int wes_sid_equal(const wes_sid_t *a, const wes_sid_t *b);

/* Unix identities (DESIGN 4.15): S-1-22-1-<uid>, S-1-22-2-<gid>. */
WES_API void wes_sid_unix_user(uint32_t uid, wes_sid_t *ret_sid);
WES_API void wes_sid_unix_group(uint32_t gid, wes_sid_t *ret_sid);

/* ---- Security descriptors -------------------------------------------- */

/* Control bits (SECURITY_DESCRIPTOR_CONTROL). */
#define WES_SE_OWNER_DEFAULTED 0x0001u
#define WES_SE_GROUP_DEFAULTED 0x0002u
#define WES_SE_DACL_PRESENT 0x0004u
#define WES_SE_DACL_DEFAULTED 0x0008u
#define WES_SE_SACL_PRESENT 0x0010u
#define WES_SE_SACL_DEFAULTED 0x0020u
#define WES_SE_DACL_AUTO_INHERIT_REQ 0x0100u
#define WES_SE_SACL_AUTO_INHERIT_REQ 0x0200u
#define WES_SE_DACL_AUTO_INHERITED 0x0400u
#define WES_SE_SACL_AUTO_INHERITED 0x0800u
#define WES_SE_DACL_PROTECTED 0x1000u
#define WES_SE_SACL_PROTECTED 0x2000u
#define WES_SE_RM_CONTROL_VALID 0x4000u
#define WES_SE_SELF_RELATIVE 0x8000u

/* ACE types. */
#define WES_ACE_ACCESS_ALLOWED 0x00
#define WES_ACE_ACCESS_DENIED 0x01
#define WES_ACE_SYSTEM_AUDIT 0x02
#define WES_ACE_SYSTEM_ALARM 0x03
#define WES_ACE_ACCESS_ALLOWED_COMPOUND 0x04
#define WES_ACE_ACCESS_ALLOWED_OBJECT 0x05
#define WES_ACE_ACCESS_DENIED_OBJECT 0x06
#define WES_ACE_SYSTEM_AUDIT_OBJECT 0x07
#define WES_ACE_SYSTEM_ALARM_OBJECT 0x08
#define WES_ACE_ACCESS_ALLOWED_CALLBACK 0x09
#define WES_ACE_ACCESS_DENIED_CALLBACK 0x0A
#define WES_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT 0x0B
#define WES_ACE_ACCESS_DENIED_CALLBACK_OBJECT 0x0C
#define WES_ACE_SYSTEM_AUDIT_CALLBACK 0x0D
#define WES_ACE_SYSTEM_AUDIT_CALLBACK_OBJECT 0x0E
#define WES_ACE_SYSTEM_ALARM_CALLBACK 0x0F
#define WES_ACE_SYSTEM_ALARM_CALLBACK_OBJECT 0x10
#define WES_ACE_SYSTEM_MANDATORY_LABEL 0x11
#define WES_ACE_SYSTEM_RESOURCE_ATTRIBUTE 0x12
#define WES_ACE_SYSTEM_SCOPED_POLICY_ID 0x13
#define WES_ACE_SYSTEM_PROCESS_TRUST_LABEL 0x14
#define WES_ACE_SYSTEM_ACCESS_FILTER 0x15

/* ACE flags. */
#define WES_ACE_OBJECT_INHERIT 0x01
#define WES_ACE_CONTAINER_INHERIT 0x02
#define WES_ACE_NO_PROPAGATE_INHERIT 0x04
#define WES_ACE_INHERIT_ONLY 0x08
#define WES_ACE_INHERITED 0x10
#define WES_ACE_CRITICAL 0x20
#define WES_ACE_SUCCESSFUL_ACCESS 0x40
#define WES_ACE_TRUST_PROTECTED_FILTER 0x40
#define WES_ACE_FAILED_ACCESS 0x80

/* Object ACE flags (wes_ace_t.object_flags). */
#define WES_ACE_OBJECT_TYPE_PRESENT 0x1u
#define WES_ACE_INHERITED_OBJECT_TYPE_PRESENT 0x2u

/* ACL revisions. */
#define WES_ACL_REVISION 2
#define WES_ACL_REVISION_DS 4

/* Mandatory label rights (SYSTEM_MANDATORY_LABEL ACE masks). */
#define WES_LABEL_NO_WRITE_UP 0x1u
#define WES_LABEL_NO_READ_UP 0x2u
#define WES_LABEL_NO_EXECUTE_UP 0x4u

/* A GUID in its binary field layout (data1..3 little-endian on the wire). */
typedef struct wes_guid_s {
  uint32_t data1;
  uint16_t data2;
  uint16_t data3;
  uint8_t data4[8];
} wes_guid_t;

/*
 * One ACE. For object types (0x05-0x08, 0x0B, 0x0C, 0x0E, 0x10) the
 * object_flags say which GUIDs are present. app_data/app_data_len are the
 * bytes that follow the SID (callback ACEs' condition, resource
 * attributes, padding); for ACE types wes does not know (0x04, > 0x15)
 * they are the whole body after the 4-byte header, and mask/sid are 0.
 * In descriptors returned by wes, app_data is borrowed from the
 * descriptor.
 */
typedef struct wes_ace_s {
  uint8_t type;
  uint8_t flags;
  uint32_t mask;
  uint32_t object_flags;
  wes_guid_t object_type;
  wes_guid_t inherited_object_type;
  wes_sid_t sid;
  const uint8_t *app_data;
  size_t app_data_len;
} wes_ace_t;

/* States of a DACL or SACL. */
#define WES_ACL_ABSENT 0  /* SE_x_PRESENT clear */
#define WES_ACL_NULL 1    /* present, no ACL ("D:NO_ACCESS_CONTROL") */
#define WES_ACL_PRESENT 2 /* present with an ACL (maybe empty: "D:") */

/*
 * What wes_sd_new builds from. control: the SE_* bits to keep (PRESENT
 * and SELF_RELATIVE bits are derived from dacl_state/sacl_state).
 * owner/group: NULL = absent. *_revision: 0 = WES_ACL_REVISION, or
 * WES_ACL_REVISION_DS when the ACL holds an object ACE. rm_control: the
 * Sbz1 byte (kept only with WES_SE_RM_CONTROL_VALID).
 */
typedef struct wes_sd_desc_s {
  uint16_t control;
  uint8_t rm_control;
  const wes_sid_t *owner;
  const wes_sid_t *group;
  int dacl_state;
  uint8_t dacl_revision;
  const wes_ace_t *dacl;
  size_t dacl_count;
  int sacl_state;
  uint8_t sacl_revision;
  const wes_ace_t *sacl;
  size_t sacl_count;
} wes_sd_desc_t;

/* An immutable, refcounted security descriptor. */
typedef struct wes_sd_s wes_sd_t;

/*
 * Builds a descriptor from desc (copied; desc is not kept).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL, a state not one of
 * WES_ACL_*, ACEs given for an absent/NULL ACL, SID not valid, an ACL
 * larger than 65535 bytes), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_sd is a new reference. Thread: any.
 */
WES_API wes_hresult_t wes_sd_new(const wes_sd_desc_t *desc, wes_sd_t **ret_sd,
                                 wes_error_t *reterr);

/* Takes a reference; returns sd. NULL-safe. Thread: any. */
WES_API wes_sd_t *wes_sd_ref(wes_sd_t *sd);
/* Drops a reference; returns NULL. NULL-safe. Thread: any. */
WES_API wes_sd_t *wes_sd_unref(wes_sd_t *sd);

/* Returns the control word as the binary form has it (SE_SELF_RELATIVE
 * and PRESENT bits included). Thread: any. */
WES_API uint16_t wes_sd_get_control(const wes_sd_t *sd);
/* Returns the owner / group SID or NULL when absent. Borrowed from sd. */
WES_API const wes_sid_t *wes_sd_get_owner(const wes_sd_t *sd);
WES_API const wes_sid_t *wes_sd_get_group(const wes_sd_t *sd);
/*
 * Returns WES_ACL_ABSENT, WES_ACL_NULL or WES_ACL_PRESENT and, for
 * PRESENT, the ACEs (borrowed from sd) and their count (out-params may be
 * NULL). Thread: any.
 */
WES_API int wes_sd_get_dacl(const wes_sd_t *sd, const wes_ace_t **ret_aces,
                            size_t *ret_count);
WES_API int wes_sd_get_sacl(const wes_sd_t *sd, const wes_ace_t **ret_aces,
                            size_t *ret_count);

/*
 * Parses SDDL text (`O:owner G:group D:flags(ace)... S:flags(ace)...`,
 * sections in any order, each at most once) the way
 * ConvertStringSecurityDescriptorToSecurityDescriptor does: codes and
 * aliases in any case, spaces where Windows skips them, masks in hex,
 * octal or decimal, OA without GUIDs read as A, audit/alarm ACEs refused
 * in a DACL (docs/security.md section 4). scope (may be NULL) resolves
 * domain- and machine-relative aliases.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (syntax, unknown code or
 * alias, bad GUID/number, ACL over 65535 bytes; reterr line 1, column =
 * byte position), WES_E_NOT_FOUND (alias needing a domain/machine SID
 * not in scope), WES_E_NOT_SUPPORTED (conditional ACEs XA/XD/XU/ZA,
 * access filters FL, resource attributes RA), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_sd is a new reference. Thread: any.
 */
WES_API wes_hresult_t wes_sd_from_sddl(const char *sddl,
                                       const wes_sid_scope_t *scope,
                                       wes_sd_t **ret_sd, wes_error_t *reterr);

/*
 * Prints sd as Windows' canonical SDDL (ConvertSecurityDescriptorTo-
 * StringSecurityDescriptor with owner, group, DACL and SACL): sections in
 * the order O G D S, flags P AR AI, ACE flags and rights codes in bit
 * order, exact composite rights (FA, KA, ...) when the mask equals one,
 * lower-case hex when some bit has no code, aliases for SIDs that have
 * one (domain/machine-relative ones when scope gives their base).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL), WES_E_NOT_SUPPORTED
 * (an ACE SDDL cannot express here: callback data, unknown types),
 * WES_E_OUT_OF_MEMORY. Ownership: *ret_text is new; free with wes_free.
 * Thread: any.
 */
WES_API wes_hresult_t wes_sd_to_sddl(const wes_sd_t *sd,
                                     const wes_sid_scope_t *scope,
                                     char **ret_text, wes_error_t *reterr);

/*
 * Decodes a self-relative binary descriptor, validating revision, the
 * SE_SELF_RELATIVE bit, every offset (inside the buffer, 4-aligned, not
 * overlapping another part, consistent with the PRESENT bits), SIDs
 * (revision, at most 15 sub-authorities), ACL revision/size/count and
 * every ACE size. Never reads outside data[0..len).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL or anything malformed;
 * reterr column = 1-based byte offset of the fault), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_sd is a new reference; data is not kept. Thread: any.
 */
WES_API wes_hresult_t wes_sd_from_binary(const void *data, size_t len,
                                         wes_sd_t **ret_sd,
                                         wes_error_t *reterr);

/* Returns the length of the self-relative binary form. Thread: any. */
WES_API size_t wes_sd_binary_length(const wes_sd_t *sd);

/*
 * Encodes sd in self-relative form, laid out as Windows lays it out
 * (header, SACL, DACL, owner, group): ConvertStringSecurityDescriptorTo-
 * SecurityDescriptor gives the same bytes for the same SDDL.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_data is new; free with wes_free. Thread: any.
 */
WES_API wes_hresult_t wes_sd_to_binary(const wes_sd_t *sd, uint8_t **ret_data,
                                       size_t *ret_len, wes_error_t *reterr);

/* ---- Tokens -------------------------------------------------------------- */

/* Group attributes (SE_GROUP_*). */
#define WES_GROUP_MANDATORY 0x00000001u
#define WES_GROUP_ENABLED_BY_DEFAULT 0x00000002u
#define WES_GROUP_ENABLED 0x00000004u
#define WES_GROUP_OWNER 0x00000008u
#define WES_GROUP_USE_FOR_DENY_ONLY 0x00000010u
/* The usual attributes of a group in a logon token. */
#define WES_GROUP_DEFAULT 0x00000007u

/* Privileges a token may hold enabled (wes_token_new flags). */
#define WES_PRIV_SECURITY 0x00000001u       /* SeSecurityPrivilege */
#define WES_PRIV_TAKE_OWNERSHIP 0x00000002u /* SeTakeOwnershipPrivilege */
/* The user SID only denies (restricted tokens). */
#define WES_TOKEN_USER_DENY_ONLY 0x00010000u

typedef struct wes_token_group_s {
  wes_sid_t sid;
  uint32_t attributes; /* WES_GROUP_* */
} wes_token_group_t;

/* An immutable, refcounted access token. */
typedef struct wes_token_s wes_token_t;

/*
 * Builds a token: user SID, n groups (copied), flags = WES_PRIV_* |
 * WES_TOKEN_USER_DENY_ONLY. A group neither ENABLED nor USE_FOR_DENY_ONLY
 * takes part in no check.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL user, groups NULL with
 * n > 0, a SID not valid, unknown flag bits, n > 65535),
 * WES_E_OUT_OF_MEMORY. Ownership: *ret_token is a new reference.
 * Thread: any.
 */
WES_API wes_hresult_t wes_token_new(const wes_sid_t *user,
                                    const wes_token_group_t *groups, size_t n,
                                    uint32_t flags, wes_token_t **ret_token,
                                    wes_error_t *reterr);

WES_API wes_token_t *wes_token_ref(wes_token_t *token);   /* NULL-safe */
WES_API wes_token_t *wes_token_unref(wes_token_t *token); /* returns NULL */

/* Accessors; the returned pointers are borrowed from the token. */
WES_API const wes_sid_t *wes_token_get_user(const wes_token_t *token);
WES_API const wes_token_group_t *wes_token_get_groups(const wes_token_t *token,
                                                      size_t *ret_count);
WES_API uint32_t wes_token_get_flags(const wes_token_t *token);

/*
 * Identity resolution: maps Unix ids to SIDs. An agent plugs its own
 * directory by passing its table; NULL means wes_authority_unix().
 */
typedef struct wes_authority_ops_s {
  uint32_t version; /* WES_AUTHORITY_OPS_VERSION_1; never 0 */
  /* Mandatory (ops v1): the SID of user uid. */
  wes_hresult_t (*user_sid)(void *data, uint32_t uid, wes_sid_t *ret_sid);
  /* Mandatory (ops v1): the SID of group gid. */
  wes_hresult_t (*group_sid)(void *data, uint32_t gid, wes_sid_t *ret_sid);
  /*
   * Optional (ops v1): further groups of user uid (well-known groups,
   * directory groups), written into buf (cap entries); *ret_n = how many.
   * Return WES_E_BUFFER_TOO_SMALL with *ret_n = the count needed to be
   * asked again with a larger buffer. When absent, the token gets the
   * defaults of DESIGN 4.15: Everyone, Authenticated Users, and
   * BUILTIN\Administrators for uid 0.
   */
  wes_hresult_t (*extra_groups)(void *data, uint32_t uid,
                                wes_token_group_t *buf, size_t cap,
                                size_t *ret_n);
  /* ---- members above: version 1. Append only. ---- */
} wes_authority_ops_t;

#define WES_AUTHORITY_OPS_VERSION_1 1u
#define WES_AUTHORITY_OPS_VERSION WES_AUTHORITY_OPS_VERSION_1

/*
 * The default table: uid -> S-1-22-1-uid, gid -> S-1-22-2-gid, no
 * extra_groups (so the defaults above apply). Static storage, data unused.
 */
WES_API const wes_authority_ops_t *wes_authority_unix(void);

/*
 * Builds the token of a Unix identity: user = ops->user_sid(uid); groups
 * = group_sid(gid), group_sid of each of groups[0..n) (duplicates
 * removed), then the extra groups; all with WES_GROUP_DEFAULT. ops NULL
 * = wes_authority_unix() (data ignored). flags as in wes_token_new.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (ops version 0 or a mandatory
 * member NULL, groups NULL with n > 0, bad flags), any failure code the
 * ops return (passed through), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_token is a new reference. Thread: any (ops called on
 * the calling thread).
 */
WES_API wes_hresult_t wes_token_from_unix(uint32_t uid, uint32_t gid,
                                          const uint32_t *groups, size_t n,
                                          const wes_authority_ops_t *ops,
                                          void *data, uint32_t flags,
                                          wes_token_t **ret_token,
                                          wes_error_t *reterr);

/*
 * Builds the token of the process at the other end of a connected Unix
 * domain socket: uid/gid from SO_PEERCRED, supplementary groups from
 * SO_PEERGROUPS (when the kernel lacks it, the groups of the peer uid's
 * passwd entry from getgrouplist), then as wes_token_from_unix.
 * Returns the codes of wes_token_from_unix, and WES_E_NOT_SUPPORTED on
 * platforms without SO_PEERCRED, WES_E_ACCESS_DENIED when the socket has
 * no peer credentials (not a connected Unix socket; sys_error = errno).
 * Thread: any.
 */
WES_API wes_hresult_t wes_token_from_peer(int fd,
                                          const wes_authority_ops_t *ops,
                                          void *data, uint32_t flags,
                                          wes_token_t **ret_token,
                                          wes_error_t *reterr);

/* ---- Access checks ------------------------------------------------------- */

typedef struct wes_generic_mapping_s {
  uint32_t generic_read;
  uint32_t generic_write;
  uint32_t generic_execute;
  uint32_t generic_all;
} wes_generic_mapping_t;

/*
 * WMI's generic mapping (DESIGN 4.15): GR -> ENABLE|SUBSCRIBE|
 * READ_CONTROL, GW -> FULL_WRITE|PARTIAL_WRITE|WRITE_PROVIDER|PUBLISH,
 * GX -> METHOD_EXECUTE, GA -> all eight WMI rights | READ_CONTROL |
 * WRITE_DAC. Static storage. Thread: any.
 */
WES_API const wes_generic_mapping_t *wes_wmi_generic_mapping(void);

/* Replaces the generic bits of mask by what mapping maps them to. */
WES_API uint32_t wes_map_generic(uint32_t mask,
                                 const wes_generic_mapping_t *mapping);

/*
 * Checks whether token may have `desired` on an object protected by sd,
 * as Windows' AccessCheck: generic bits of desired and of every ACE mask
 * are mapped with mapping (NULL: none; generic bits in desired are then
 * an error); a NULL or absent DACL grants everything; an empty DACL
 * grants nothing; ACEs are taken in order, inherit-only ones skipped; an
 * allow ACE grants its bits to enabled SIDs of the token; a deny ACE
 * (also for deny-only SIDs) refuses bits not granted before it; the owner
 * holds READ_CONTROL|WRITE_DAC unless the DACL names OWNER RIGHTS (OW);
 * ACCESS_SYSTEM_SECURITY needs WES_PRIV_SECURITY; WES_PRIV_TAKE_OWNERSHIP
 * grants WRITE_OWNER; MAXIMUM_ALLOWED asks for every right the DACL
 * gives. Object ACEs naming an object type and callback allow ACEs do
 * not apply; callback deny ACEs apply (their condition counts as
 * unknown). Mandatory labels are not evaluated.
 * On success *ret_granted (may be NULL) receives the granted mask: the
 * mapped desired mask, or for MAXIMUM_ALLOWED everything granted.
 * Returns WES_S_OK (granted), WES_E_ACCESS_DENIED (some bit refused),
 * WES_E_PRIVILEGE_NOT_HELD (ACCESS_SYSTEM_SECURITY without the
 * privilege), WES_E_INVALID_PARAMETER (NULL sd/token, sd without owner
 * or group, generic bits in desired without mapping).
 * Thread: any. Allocates nothing.
 */
WES_API wes_hresult_t wes_access_check(const wes_sd_t *sd,
                                       const wes_token_t *token,
                                       uint32_t desired,
                                       const wes_generic_mapping_t *mapping,
                                       uint32_t *ret_granted,
                                       wes_error_t *reterr);

/*
 * A decision cache: remembers, per (descriptor, token) pair, every right
 * the token holds on the descriptor under one generic mapping, so a
 * repeated check is a table probe. Entries are keyed on the objects'
 * identities (unique ids, never reused, so a freed and reallocated object
 * never hits a stale entry) and hold no references. Fixed size,
 * lock-free lookups, older entries overwritten.
 */
typedef struct wes_access_cache_s wes_access_cache_t;

/*
 * Creates a cache of at least `capacity` entries (rounded up to a power
 * of two, 16 .. 2^20; 0 means 4096) for mapping (copied; NULL = no
 * mapping). Returns WES_S_OK, WES_E_INVALID_PARAMETER (ret NULL,
 * capacity > 2^20), WES_E_OUT_OF_MEMORY. Ownership: free with
 * wes_access_cache_free. Thread: any.
 */
WES_API wes_hresult_t wes_access_cache_new(const wes_generic_mapping_t *mapping,
                                           size_t capacity,
                                           wes_access_cache_t **ret_cache,
                                           wes_error_t *reterr);

/* Frees the cache; NULL-safe. No other thread may be using it. */
WES_API void wes_access_cache_free(wes_access_cache_t *cache);

/*
 * wes_access_check with the cache's mapping, answered from the cache when
 * the pair was seen before. Same return codes and results as
 * wes_access_check (plus WES_E_INVALID_PARAMETER for a NULL cache).
 * Thread: any, concurrently with other checks on the same cache.
 */
WES_API wes_hresult_t wes_access_cache_check(
    wes_access_cache_t *cache, const wes_sd_t *sd, const wes_token_t *token,
    uint32_t desired, uint32_t *ret_granted, wes_error_t *reterr);

/*
 * Forgets every entry. Thread: any (an entry written by a concurrent
 * check may survive; it is still right, the objects being immutable).
 */
WES_API void wes_access_cache_clear(wes_access_cache_t *cache);

/* Hit and miss counters since creation (out-params may be NULL). */
WES_API void wes_access_cache_stats(const wes_access_cache_t *cache,
                                    uint64_t *ret_hits, uint64_t *ret_misses);

#ifdef __cplusplus
}
#endif

#endif /* WES_SECURITY_H */
