/* SPDX-License-Identifier: MIT */
/*
 * Namespaces: a case-insensitive class registry (uthash) plus the classes
 * in insertion order.
 */
#include <string.h>

#include "cim_internal.h"
#include "uthash_cfg.h"

typedef struct ns_entry_s {
  char *lname; /* ASCII-lowered class name: the hash key */
  wes_class_t *cls;
  UT_hash_handle hh;
} ns_entry_t;

struct wes_namespace_s {
  wes__refcount_t ref;
  char *name; /* with '\' separators */
  ns_entry_t *table;
  wes_class_t **order;
  size_t count;
  size_t cap;
};

static char *lower_dup(const char *s) {
  char *d = wes__strdup(s);
  char *p;
  if (d != NULL) {
    for (p = d; *p != '\0'; p++) {
      *p = wes__ascii_lower(*p);
    }
  }
  return d;
}

static void ns_destroy(wes_namespace_t *ns) {
  ns_entry_t *e, *tmp;
  size_t i;
  HASH_ITER(hh, ns->table, e, tmp) {
    HASH_DEL(ns->table, e);
    wes__free(e->lname);
    wes__free(e);
  }
  for (i = ns->count; i > 0; i--) {
    /* the class may outlive us: drop its back-pointer */
    ns->order[i - 1]->ns = NULL;
    wes_class_unref(ns->order[i - 1]);
  }
  wes__free(ns->order);
  wes__free(ns->name);
  wes__free(ns);
}

WES_API wes_namespace_t *wes_namespace_ref(wes_namespace_t *ns) {
  if (ns != NULL) {
    wes__ref_inc(&ns->ref);
  }
  return ns;
}

WES_API wes_namespace_t *wes_namespace_unref(wes_namespace_t *ns) {
  if (ns != NULL && wes__ref_dec(&ns->ref)) {
    ns_destroy(ns);
  }
  return NULL;
}

WES_API const char *wes_namespace_name(const wes_namespace_t *ns) {
  return ns ? ns->name : NULL;
}

static bool valid_ns_name(const char *name) {
  const char *p;
  size_t len = strlen(name);
  if (len == 0 || len > 1024 || !wes__utf8_valid(name, len)) {
    return false;
  }
  if (name[0] == '\\' || name[0] == '/' || name[len - 1] == '\\' ||
      name[len - 1] == '/') {
    return false;
  }
  for (p = name; *p != '\0'; p++) {
    unsigned char c = (unsigned char)*p;
    if (c < 0x20 || c == ':' || c == '"') {
      return false;
    }
    if ((c == '/' || c == '\\') && (p[1] == '/' || p[1] == '\\')) {
      return false; /* empty segment */
    }
  }
  return true;
}

WES_API wes_hresult_t wes_namespace_new(const char *name,
                                        wes_namespace_t **ret_ns) {
  wes_namespace_t *ns;
  char *p;
  wes_hresult_t hr;
  if (name == NULL || ret_ns == NULL || !valid_ns_name(name)) {
    return WES_E_INVALID_PARAMETER;
  }
  ns = wes__calloc(1, sizeof(*ns));
  if (ns == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  wes__ref_init(&ns->ref);
  ns->name = wes__strdup(name);
  if (ns->name == NULL) {
    wes__free(ns);
    return WES_E_OUT_OF_MEMORY;
  }
  for (p = ns->name; *p != '\0'; p++) {
    if (*p == '/') {
      *p = '\\';
    }
  }
  hr = wes__sysclasses_install(ns);
  if (WES_FAILED(hr)) {
    ns_destroy(ns);
    return hr;
  }
  *ret_ns = ns;
  return WES_S_OK;
}

static ns_entry_t *find_entry(const wes_namespace_t *ns, const char *name) {
  char buf[WES_MAX_IDENTIFIER + 1];
  size_t len = strlen(name), i;
  ns_entry_t *e = NULL;
  if (len > WES_MAX_IDENTIFIER) {
    return NULL;
  }
  for (i = 0; i < len; i++) {
    buf[i] = wes__ascii_lower(name[i]);
  }
  buf[len] = '\0';
  HASH_FIND(hh, ns->table, buf, len, e);
  return e;
}

WES_API wes_hresult_t wes_namespace_add_class(wes_namespace_t *ns,
                                              wes_class_t *cls,
                                              wes_error_t *reterr) {
  ns_entry_t *e;
  wes_hresult_t hr;
  if (ns == NULL || cls == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "NULL namespace or class");
  }
  if (cls->frozen) {
    return wes__error(reterr, WES_E_INVALID_OPERATION, 0, 0,
                      "class %s is already in a namespace", cls->name);
  }
  if (find_entry(ns, cls->name) != NULL) {
    return wes__error(reterr, WES_E_ALREADY_EXISTS, 0, 0,
                      "class %s already exists in %s", cls->name, ns->name);
  }
  if (cls->superclass != NULL && cls->superclass->ns != ns) {
    return wes__error(reterr, WES_E_INVALID_SUPERCLASS, 0, 0,
                      "superclass %s of %s is not in namespace %s",
                      cls->superclass->name, cls->name, ns->name);
  }
  if (ns->count == ns->cap) {
    size_t cap = ns->cap ? ns->cap * 2 : 64;
    wes_class_t **o = wes__realloc(ns->order, cap * sizeof(*o));
    if (o == NULL) {
      return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    }
    ns->order = o;
    ns->cap = cap;
  }
  e = wes__calloc(1, sizeof(*e));
  if (e == NULL || (e->lname = lower_dup(cls->name)) == NULL) {
    wes__free(e);
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  hr = wes__class_freeze(cls, ns);
  if (WES_FAILED(hr)) {
    wes__free(e->lname);
    wes__free(e);
    return wes__error(reterr, hr, 0, 0, "cannot freeze class %s", cls->name);
  }
  e->cls = cls;
  wes__uthash_oom = 0;
  HASH_ADD_KEYPTR(hh, ns->table, e->lname, strlen(e->lname), e);
  if (wes__uthash_oom) {
    wes__uthash_oom = 0;
    cls->ns = NULL;
    cls->frozen = false;
    wes__free(e->lname);
    wes__free(e);
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  ns->order[ns->count++] = wes_class_ref(cls);
  return WES_S_OK;
}

WES_API wes_class_t *wes_namespace_get_class(const wes_namespace_t *ns,
                                             const char *name) {
  ns_entry_t *e;
  if (ns == NULL || name == NULL) {
    return NULL;
  }
  e = find_entry(ns, name);
  return e ? e->cls : NULL;
}

WES_API size_t wes_namespace_class_count(const wes_namespace_t *ns) {
  return ns ? ns->count : 0;
}

WES_API wes_class_t *wes_namespace_class_at(const wes_namespace_t *ns,
                                            size_t i) {
  if (ns == NULL || i >= ns->count) {
    return NULL;
  }
  return ns->order[i];
}

wes_hresult_t wes__namespace_remove_class(wes_namespace_t *ns,
                                          wes_class_t *cls) {
  ns_entry_t *e;
  size_t i, pos = ns ? ns->count : 0;
  if (ns == NULL || cls == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  e = find_entry(ns, cls->name);
  if (e == NULL || e->cls != cls) {
    return WES_E_NOT_FOUND;
  }
  for (i = 0; i < ns->count; i++) {
    if (ns->order[i] == cls) {
      pos = i;
    } else if (ns->order[i]->superclass == cls) {
      return WES_E_CLASS_HAS_CHILDREN;
    }
  }
  HASH_DEL(ns->table, e);
  wes__free(e->lname);
  wes__free(e);
  memmove(&ns->order[pos], &ns->order[pos + 1],
          (ns->count - pos - 1) * sizeof(*ns->order));
  ns->count--;
  cls->ns = NULL;
  wes_class_unref(cls);
  return WES_S_OK;
}
