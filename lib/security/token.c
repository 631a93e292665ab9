/* SPDX-License-Identifier: MIT */
/* Access tokens, identity resolution (authority ops), Unix credentials. */
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED, getgrouplist */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "sec_internal.h"

#define TOKEN_FLAGS                                                            \
  (WES_PRIV_SECURITY | WES_PRIV_TAKE_OWNERSHIP | WES_TOKEN_USER_DENY_ONLY)

static void token_destroy(wes_token_t *t) {
  wes__free(t->hash);
  wes__free(t->attr);
  wes__free(t->groups);
  wes__free(t);
}

wes_hresult_t wes_token_new(const wes_sid_t *user,
                            const wes_token_group_t *groups, size_t n,
                            uint32_t flags, wes_token_t **ret_token,
                            wes_error_t *reterr) {
  wes_token_t *t;
  size_t i;
  if (user == NULL || ret_token == NULL || (groups == NULL && n > 0)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  if (!wes__sid_valid(user)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "user SID not valid");
  }
  if (flags & ~(uint32_t)TOKEN_FLAGS) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "unknown token flags 0x%x",
                      (unsigned)(flags & ~(uint32_t)TOKEN_FLAGS));
  }
  if (n > 65535) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "too many groups (%zu, at most 65535)", n);
  }
  for (i = 0; i < n; i++) {
    if (!wes__sid_valid(&groups[i].sid)) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "group %zu: SID not valid", i + 1);
    }
  }
  t = wes__calloc(1, sizeof(*t));
  if (t == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  t->n = n + 1;
  t->hash = wes__calloc(n + 1, sizeof(uint32_t));
  t->attr = wes__calloc(n + 1, sizeof(uint32_t));
  if (n > 0) {
    t->groups = wes__calloc(n, sizeof(wes_token_group_t));
  }
  if (t->hash == NULL || t->attr == NULL || (n > 0 && t->groups == NULL)) {
    token_destroy(t);
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  wes__ref_init(&t->ref);
  t->id = wes__sec_next_id();
  t->flags = flags;
  t->user = *user;
  t->hash[0] = wes__sid_hash(user);
  t->attr[0] = (flags & WES_TOKEN_USER_DENY_ONLY) ? WES_GROUP_USE_FOR_DENY_ONLY
                                                  : WES_GROUP_ENABLED;
  for (i = 0; i < n; i++) {
    t->groups[i] = groups[i];
    t->hash[i + 1] = wes__sid_hash(&groups[i].sid);
    t->attr[i + 1] = groups[i].attributes;
  }
  for (i = 0; i < n + 1; i++) {
    uint64_t bit = (uint64_t)1 << (t->hash[i] & 63);
    if (t->attr[i] & WES_GROUP_USE_FOR_DENY_ONLY) {
      t->bloom_any |= bit;
    } else if (t->attr[i] & WES_GROUP_ENABLED) {
      t->bloom_enabled |= bit;
      t->bloom_any |= bit;
    }
  }
  *ret_token = t;
  return WES_S_OK;
}

wes_token_t *wes_token_ref(wes_token_t *token) {
  if (token != NULL) {
    wes__ref_inc(&token->ref);
  }
  return token;
}

wes_token_t *wes_token_unref(wes_token_t *token) {
  if (token != NULL && wes__ref_dec(&token->ref)) {
    token_destroy(token);
  }
  return NULL;
}

const wes_sid_t *wes_token_get_user(const wes_token_t *token) {
  return token != NULL ? &token->user : NULL;
}

const wes_token_group_t *wes_token_get_groups(const wes_token_t *token,
                                              size_t *ret_count) {
  if (ret_count != NULL) {
    *ret_count = token != NULL ? token->n - 1 : 0;
  }
  return token != NULL ? token->groups : NULL;
}

uint32_t wes_token_get_flags(const wes_token_t *token) {
  return token != NULL ? token->flags : 0;
}

/* ---- authority --------------------------------------------------------- */

static wes_hresult_t unix_user_sid(void *data, uint32_t uid,
                                   wes_sid_t *ret_sid) {
  (void)data;
  wes_sid_unix_user(uid, ret_sid);
  return WES_S_OK;
}

static wes_hresult_t unix_group_sid(void *data, uint32_t gid,
                                    wes_sid_t *ret_sid) {
  (void)data;
  wes_sid_unix_group(gid, ret_sid);
  return WES_S_OK;
}

static const wes_authority_ops_t unix_ops = {
    WES_AUTHORITY_OPS_VERSION_1,
    unix_user_sid,
    unix_group_sid,
    NULL,
};

const wes_authority_ops_t *wes_authority_unix(void) { return &unix_ops; }

typedef struct {
  wes_token_group_t *v;
  size_t n, cap;
} group_vec_t;

static int vec_has(const group_vec_t *g, const wes_sid_t *sid) {
  size_t i;
  for (i = 0; i < g->n; i++) {
    if (wes_sid_equal(&g->v[i].sid, sid)) {
      return 1;
    }
  }
  return 0;
}

static wes_hresult_t vec_add(group_vec_t *g, const wes_sid_t *sid,
                             uint32_t attr) {
  if (vec_has(g, sid)) {
    return WES_S_OK;
  }
  if (g->n == g->cap) {
    size_t ncap = g->cap == 0 ? 16 : g->cap * 2;
    wes_token_group_t *nv = wes__realloc(g->v, ncap * sizeof(*nv));
    if (nv == NULL) {
      return WES_E_OUT_OF_MEMORY;
    }
    g->v = nv;
    g->cap = ncap;
  }
  g->v[g->n].sid = *sid;
  g->v[g->n].attributes = attr;
  g->n++;
  return WES_S_OK;
}

static wes_hresult_t default_extras(uint32_t uid, group_vec_t *g) {
  static const uint32_t everyone[1] = {0}, auth[1] = {11},
                        admins[2] = {32, 544};
  wes_sid_t s;
  wes_hresult_t hr;
  (void)wes_sid_make(1, everyone, 1, &s);
  hr = vec_add(g, &s, WES_GROUP_DEFAULT);
  if (WES_SUCCEEDED(hr)) {
    (void)wes_sid_make(5, auth, 1, &s);
    hr = vec_add(g, &s, WES_GROUP_DEFAULT);
  }
  if (WES_SUCCEEDED(hr) && uid == 0) {
    (void)wes_sid_make(5, admins, 2, &s);
    hr = vec_add(g, &s, WES_GROUP_DEFAULT);
  }
  return hr;
}

wes_hresult_t wes_token_from_unix(uint32_t uid, uint32_t gid,
                                  const uint32_t *groups, size_t n,
                                  const wes_authority_ops_t *ops, void *data,
                                  uint32_t flags, wes_token_t **ret_token,
                                  wes_error_t *reterr) {
  group_vec_t g = {NULL, 0, 0};
  wes_sid_t user, s;
  wes_hresult_t hr;
  size_t i;
  if (ret_token == NULL || (groups == NULL && n > 0)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  if (ops == NULL) {
    ops = &unix_ops;
  }
  if (ops->version == 0 || ops->user_sid == NULL || ops->group_sid == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "authority ops: version 0 or user_sid/group_sid NULL");
  }
  hr = ops->user_sid(data, uid, &user);
  if (WES_FAILED(hr)) {
    return wes__error(reterr, hr, 0, 0, "authority: no SID for uid %u",
                      (unsigned)uid);
  }
  hr = ops->group_sid(data, gid, &s);
  if (WES_FAILED(hr)) {
    return wes__error(reterr, hr, 0, 0, "authority: no SID for gid %u",
                      (unsigned)gid);
  }
  if (!wes__sid_valid(&user) || !wes__sid_valid(&s)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "authority returned a SID that is not valid");
  }
  hr = vec_add(&g, &s, WES_GROUP_DEFAULT);
  for (i = 0; i < n && WES_SUCCEEDED(hr); i++) {
    hr = ops->group_sid(data, groups[i], &s);
    if (WES_FAILED(hr)) {
      wes__free(g.v);
      return wes__error(reterr, hr, 0, 0, "authority: no SID for gid %u",
                        (unsigned)groups[i]);
    }
    hr = vec_add(&g, &s, WES_GROUP_DEFAULT);
  }
  if (WES_SUCCEEDED(hr)) {
    if (WES__OPS_HAS(ops, extra_groups, WES_AUTHORITY_OPS_VERSION_1)) {
      wes_token_group_t buf[32];
      wes_token_group_t *big = NULL, *use = buf;
      size_t cnt = 0;
      hr = ops->extra_groups(data, uid, buf, WES__ARRAY_SIZE(buf), &cnt);
      if (hr == WES_E_BUFFER_TOO_SMALL && cnt > WES__ARRAY_SIZE(buf) &&
          cnt <= 65535) {
        size_t cap = cnt;
        big = wes__calloc(cap, sizeof(*big));
        if (big == NULL) {
          hr = WES_E_OUT_OF_MEMORY;
        } else {
          use = big;
          hr = ops->extra_groups(data, uid, big, cap, &cnt);
          if (WES_SUCCEEDED(hr) && cnt > cap) {
            hr = WES_E_INVALID_PARAMETER;
          }
        }
      } else if (WES_SUCCEEDED(hr) && cnt > WES__ARRAY_SIZE(buf)) {
        hr = WES_E_INVALID_PARAMETER;
      }
      for (i = 0; i < cnt && WES_SUCCEEDED(hr); i++) {
        if (!wes__sid_valid(&use[i].sid)) {
          hr = WES_E_INVALID_PARAMETER;
          break;
        }
        hr = vec_add(&g, &use[i].sid, use[i].attributes);
      }
      wes__free(big);
      if (WES_FAILED(hr)) {
        wes__free(g.v);
        return wes__error(reterr, hr, 0, 0,
                          "authority: extra_groups failed for uid %u",
                          (unsigned)uid);
      }
    } else {
      hr = default_extras(uid, &g);
    }
  }
  if (WES_FAILED(hr)) {
    wes__free(g.v);
    return wes__error(reterr, hr, 0, 0, "out of memory");
  }
  hr = wes_token_new(&user, g.v, g.n, flags, ret_token, reterr);
  wes__free(g.v);
  return hr;
}

wes_hresult_t wes_token_from_peer(int fd, const wes_authority_ops_t *ops,
                                  void *data, uint32_t flags,
                                  wes_token_t **ret_token,
                                  wes_error_t *reterr) {
#if defined(SO_PEERCRED)
  struct ucred cred;
  socklen_t clen = sizeof(cred);
  uint32_t stack_groups[64];
  uint32_t *groups = stack_groups;
  size_t ngroups = 0;
  wes_hresult_t hr;
  if (ret_token == NULL || fd < 0) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "bad argument");
  }
  memset(&cred, 0, sizeof(cred));
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
      clen != sizeof(cred)) {
    wes_hresult_t r =
        wes__error(reterr, WES_E_ACCESS_DENIED, 0, 0,
                   "no peer credentials on fd %d: %s", fd, strerror(errno));
    if (reterr != NULL) {
      reterr->sys_error = errno;
    }
    return r;
  }
#if defined(SO_PEERGROUPS)
  {
    gid_t gbuf[64];
    socklen_t glen = sizeof(gbuf);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gbuf, &glen) == 0) {
      size_t i;
      ngroups = glen / sizeof(gid_t);
      for (i = 0; i < ngroups; i++) {
        stack_groups[i] = (uint32_t)gbuf[i];
      }
    } else if (errno == ERANGE && glen > sizeof(gbuf)) {
      gid_t *gb = wes__malloc(glen);
      size_t i;
      if (gb == NULL) {
        return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
      }
      groups = wes__malloc((glen / sizeof(gid_t)) * sizeof(uint32_t) + 4);
      if (groups == NULL ||
          getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gb, &glen) != 0) {
        wes__free(gb);
        if (groups != NULL) {
          wes__free(groups);
        }
        return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0,
                          "cannot read peer groups");
      }
      ngroups = glen / sizeof(gid_t);
      for (i = 0; i < ngroups; i++) {
        groups[i] = (uint32_t)gb[i];
      }
      wes__free(gb);
    } else {
      goto from_passwd;
    }
    goto done;
  }
from_passwd :
#endif
{
  /* Fallback: the groups of the peer uid's passwd entry. */
  struct passwd pw, *res = NULL;
  char pwbuf[4096];
  if (getpwuid_r(cred.uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 &&
      res != NULL) {
    gid_t gl[64];
    int ng = 64;
    if (getgrouplist(pw.pw_name, cred.gid, gl, &ng) >= 0) {
      int i;
      for (i = 0; i < ng; i++) {
        stack_groups[i] = (uint32_t)gl[i];
      }
      ngroups = (size_t)ng;
    } else {
      wes__log(WES_LOG_WARNING, "security",
               "peer uid %u is in more than 64 groups; only its primary "
               "group is used",
               (unsigned)cred.uid);
    }
  }
}
#if defined(SO_PEERGROUPS)
done:
#endif
  hr = wes_token_from_unix((uint32_t)cred.uid, (uint32_t)cred.gid, groups,
                           ngroups, ops, data, flags, ret_token, reterr);
  if (groups != stack_groups) {
    wes__free(groups);
  }
  return hr;
#else
  (void)fd;
  (void)ops;
  (void)data;
  (void)flags;
  (void)ret_token;
  return wes__error(reterr, WES_E_NOT_SUPPORTED, 0, 0,
                    "SO_PEERCRED is not available on this platform");
#endif
}
