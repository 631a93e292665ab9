/* SPDX-License-Identifier: MIT */
/*
 * Classes: single inheritance, flat property tables with stable slots,
 * qualifiers, defaults, O(1) is-a through the ancestors array.
 */
#include <stdlib.h>
#include <string.h>

#include "cim_internal.h"

/* Identifier: letter or '_' first, then letters, digits, '_'; bytes of
 * valid UTF-8 sequences >= 0x80 count as letters (WMI allows Unicode). */
static bool is_identifier(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t len = strlen(s);
  if (len == 0 || (*p >= '0' && *p <= '9')) {
    return false;
  }
  for (; *p != '\0'; p++) {
    unsigned char c = *p;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_' || c >= 0x80)) {
      return false;
    }
  }
  return wes__utf8_valid(s, len);
}

static void quals_free(wes__qualifier_t *q, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    wes__free(q[i].name);
    wes__value_clear(&q[i].value);
  }
  wes__free(q);
}

static void prop_free(wes__property_t *p) {
  wes__free(p->name);
  wes__free(p->class_ref);
  wes__free(p->origin);
  quals_free(p->quals, p->nquals);
  wes__value_clear(&p->def);
}

static void class_destroy(wes_class_t *cls) {
  uint32_t i;
  for (i = 0; i < cls->nprops; i++) {
    prop_free(&cls->props[i]);
  }
  wes__free(cls->props);
  wes__free(cls->lookup);
  wes__free(cls->keys);
  quals_free(cls->quals, cls->nquals);
  wes__free(cls->template_slots);
  wes__free((void *)cls->ancestors);
  wes__free((void *)cls->derivation);
  wes__free(cls->ns_name);
  wes__free(cls->name);
  wes_class_unref(cls->superclass);
  wes__free(cls);
}

WES_API wes_class_t *wes_class_ref(wes_class_t *cls) {
  if (cls != NULL) {
    wes__ref_inc(&cls->ref);
  }
  return cls;
}

WES_API wes_class_t *wes_class_unref(wes_class_t *cls) {
  if (cls != NULL && wes__ref_dec(&cls->ref)) {
    class_destroy(cls);
  }
  return NULL;
}

static wes_hresult_t quals_copy(wes__qualifier_t **dst, uint32_t *ndst,
                                const wes__qualifier_t *src, uint32_t n) {
  uint32_t i;
  *dst = NULL;
  *ndst = 0;
  if (n == 0) {
    return WES_S_OK;
  }
  *dst = wes__calloc(n, sizeof(**dst));
  if (*dst == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  for (i = 0; i < n; i++) {
    (*dst)[i].name = wes__strdup(src[i].name);
    if ((*dst)[i].name == NULL ||
        WES_FAILED(wes__value_copy(&(*dst)[i].value, &src[i].value))) {
      wes__free((*dst)[i].name);
      quals_free(*dst, i);
      *dst = NULL;
      *ndst = 0;
      return WES_E_OUT_OF_MEMORY;
    }
    (*ndst)++;
  }
  return WES_S_OK;
}

static wes_hresult_t prop_copy(wes__property_t *dst,
                               const wes__property_t *src) {
  memset(dst, 0, sizeof(*dst));
  dst->def.type = src->type;
  dst->def.is_null = 1;
  dst->name = wes__strdup(src->name);
  dst->origin = wes__strdup(src->origin);
  dst->class_ref = src->class_ref ? wes__strdup(src->class_ref) : NULL;
  if (dst->name == NULL || dst->origin == NULL ||
      (src->class_ref != NULL && dst->class_ref == NULL) ||
      WES_FAILED(
          quals_copy(&dst->quals, &dst->nquals, src->quals, src->nquals)) ||
      WES_FAILED(wes__value_copy(&dst->def, &src->def))) {
    prop_free(dst);
    return WES_E_OUT_OF_MEMORY;
  }
  dst->name_hash = src->name_hash;
  dst->type = src->type;
  dst->flags = src->flags | WES_PROP_INHERITED;
  dst->index = src->index;
  return WES_S_OK;
}

/* Rebuilds the open-addressing lookup for `cap` entries at least. */
static wes_hresult_t lookup_rebuild(wes_class_t *cls, uint32_t want) {
  uint32_t size = 8, i;
  uint32_t *t;
  while (size < want * 2) {
    size *= 2;
  }
  t = wes__calloc(size, sizeof(*t));
  if (t == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  for (i = 0; i < cls->nprops; i++) {
    uint32_t j = (uint32_t)cls->props[i].name_hash & (size - 1);
    while (t[j] != 0) {
      j = (j + 1) & (size - 1);
    }
    t[j] = i + 1;
  }
  wes__free(cls->lookup);
  cls->lookup = t;
  cls->lookup_mask = size - 1;
  return WES_S_OK;
}

const wes__property_t *wes__class_find(const wes_class_t *cls,
                                       const char *name) {
  uint64_t h;
  uint32_t j;
  if (cls->lookup == NULL) {
    return NULL;
  }
  h = wes__cim_name_hash(name);
  j = (uint32_t)h & cls->lookup_mask;
  while (cls->lookup[j] != 0) {
    const wes__property_t *p = &cls->props[cls->lookup[j] - 1];
    if (p->name_hash == h && wes__cim_name_eq(p->name, name)) {
      return p;
    }
    j = (j + 1) & cls->lookup_mask;
  }
  return NULL;
}

static wes_hresult_t class_new(const char *name, const wes_class_t *super,
                               bool system, wes_class_t **ret_class) {
  wes_class_t *cls;
  uint32_t i;
  if (name == NULL || ret_class == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (strlen(name) > WES_MAX_IDENTIFIER) {
    return WES_E_CLASS_NAME_TOO_WIDE;
  }
  if (!is_identifier(name) || (!system && name[0] == '_')) {
    return WES_E_INVALID_PARAMETER;
  }
  if (super != NULL && !super->frozen) {
    return WES_E_INVALID_SUPERCLASS;
  }
  cls = wes__calloc(1, sizeof(*cls));
  if (cls == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  wes__ref_init(&cls->ref);
  cls->name = wes__strdup(name);
  if (cls->name == NULL) {
    goto oom;
  }
  cls->name_hash = wes__cim_name_hash(name);
  cls->superclass = wes_class_ref((wes_class_t *)super);
  cls->depth = super ? super->depth + 1 : 0;
  cls->ancestors = wes__calloc(cls->depth + 1, sizeof(*cls->ancestors));
  cls->derivation = wes__calloc(cls->depth + 1, sizeof(*cls->derivation));
  if (cls->ancestors == NULL || cls->derivation == NULL) {
    goto oom;
  }
  for (i = 0; i < cls->depth; i++) {
    cls->ancestors[i] = super->ancestors[i];
    /* parent first: derivation[0] = super, last = root */
    cls->derivation[i] = super->ancestors[cls->depth - 1 - i]->name;
  }
  cls->ancestors[cls->depth] = cls;
  if (super != NULL) {
    cls->paths_null = super->paths_null;
    if (super->nprops > 0) {
      cls->props = wes__calloc(super->nprops, sizeof(*cls->props));
      if (cls->props == NULL) {
        goto oom;
      }
      cls->props_cap = super->nprops;
      for (i = 0; i < super->nprops; i++) {
        if (WES_FAILED(prop_copy(&cls->props[i], &super->props[i]))) {
          goto oom;
        }
        cls->nprops++;
      }
    }
    if (WES_FAILED(quals_copy(&cls->quals, &cls->nquals, super->quals,
                              super->nquals))) {
      goto oom;
    }
    /* abstract is not inherited (WMI: flavor restricted) */
    for (i = 0; i < cls->nquals; i++) {
      if (wes__strcasecmp(cls->quals[i].name, "abstract") == 0 ||
          wes__strcasecmp(cls->quals[i].name, "singleton") == 0) {
        wes__free(cls->quals[i].name);
        wes__value_clear(&cls->quals[i].value);
        cls->quals[i] = cls->quals[cls->nquals - 1];
        cls->nquals--;
        i--;
      }
    }
  }
  if (wes__strcasecmp(name, "__Event") == 0 ||
      wes__strcasecmp(name, "__AggregateEvent") == 0) {
    cls->paths_null = true;
  }
  if (WES_FAILED(lookup_rebuild(cls, cls->nprops + 1))) {
    goto oom;
  }
  *ret_class = cls;
  return WES_S_OK;
oom:
  class_destroy(cls);
  return WES_E_OUT_OF_MEMORY;
}

WES_API wes_hresult_t wes_class_new(const char *name,
                                    const wes_class_t *superclass,
                                    wes_class_t **ret_class) {
  return class_new(name, superclass, false, ret_class);
}

wes_hresult_t wes__class_new_system(const char *name,
                                    const wes_class_t *superclass,
                                    wes_class_t **ret_class) {
  wes_hresult_t hr = class_new(name, superclass, true, ret_class);
  if (WES_SUCCEEDED(hr)) {
    (*ret_class)->flags |= WES_CLASS_SYSTEM;
  }
  return hr;
}

static bool type_is_object_or_ref(wes_cimtype_t t) {
  t = WES_CIM_BASETYPE(t);
  return t == WES_CIM_OBJECT || t == WES_CIM_REFERENCE;
}

static bool type_can_be_key(wes_cimtype_t t) {
  return !WES_CIM_IS_ARRAY(t) && WES_CIM_BASETYPE(t) != WES_CIM_OBJECT &&
         WES_CIM_BASETYPE(t) != WES_CIM_REAL32 &&
         WES_CIM_BASETYPE(t) != WES_CIM_REAL64;
}

/* Stores (or replaces) a qualifier in an array. */
static wes_hresult_t quals_put(wes__qualifier_t **q, uint32_t *n,
                               const char *name, const wes_value_t *v) {
  wes__qualifier_t *found =
      (wes__qualifier_t *)wes__qualifier_find(*q, *n, name);
  wes_value_t copy;
  if (WES_FAILED(wes__value_copy(&copy, v))) {
    return WES_E_OUT_OF_MEMORY;
  }
  if (found != NULL) {
    wes__value_clear(&found->value);
    found->value = copy;
    return WES_S_OK;
  }
  wes__qualifier_t *nq = wes__realloc(*q, (*n + 1) * sizeof(**q));
  if (nq == NULL) {
    wes__value_clear(&copy);
    return WES_E_OUT_OF_MEMORY;
  }
  *q = nq;
  nq[*n].name = wes__strdup(name);
  if (nq[*n].name == NULL) {
    wes__value_clear(&copy);
    return WES_E_OUT_OF_MEMORY;
  }
  nq[*n].value = copy;
  (*n)++;
  return WES_S_OK;
}

static wes_hresult_t put_bool_qual(wes__qualifier_t **q, uint32_t *n,
                                   const char *name) {
  wes_value_t v;
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_BOOLEAN;
  v.u.boolean = 1;
  return quals_put(q, n, name, &v);
}

WES_API wes_hresult_t wes_class_add_property(wes_class_t *cls, const char *name,
                                             wes_cimtype_t type,
                                             const char *class_ref,
                                             uint32_t flags) {
  wes__property_t *p;
  size_t len;
  if (cls == NULL || name == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (cls->frozen) {
    return WES_E_READ_ONLY;
  }
  len = strlen(name);
  if (len > WES_MAX_IDENTIFIER) {
    return WES_E_PROPERTY_NAME_TOO_WIDE;
  }
  if (!is_identifier(name) || name[0] == '_') {
    return WES_E_INVALID_PARAMETER;
  }
  if (!wes__cimtype_valid(type) ||
      (class_ref != NULL && !type_is_object_or_ref(type))) {
    return WES_E_INVALID_CIM_TYPE;
  }
  if (class_ref != NULL &&
      (strlen(class_ref) > WES_MAX_IDENTIFIER || !is_identifier(class_ref))) {
    return WES_E_INVALID_PARAMETER;
  }
  if ((flags & WES_PROP_KEY) && !type_can_be_key(type)) {
    return WES_E_CANNOT_BE_KEY;
  }
  flags &= WES_PROP_KEY | WES_PROP_READ_ONLY;
  p = (wes__property_t *)wes__class_find(cls, name);
  if (p != NULL) {
    char *ref_copy = NULL;
    if (!(p->flags & WES_PROP_INHERITED)) {
      return WES_E_ALREADY_EXISTS;
    }
    if (p->type != type) {
      return WES_E_TYPE_MISMATCH;
    }
    if (class_ref != NULL) {
      ref_copy = wes__strdup(class_ref);
      if (ref_copy == NULL) {
        return WES_E_OUT_OF_MEMORY;
      }
    }
    if ((flags & WES_PROP_KEY) && !(p->flags & WES_PROP_KEY) &&
        WES_FAILED(put_bool_qual(&p->quals, &p->nquals, "key"))) {
      wes__free(ref_copy);
      return WES_E_OUT_OF_MEMORY;
    }
    if (ref_copy != NULL) {
      wes__free(p->class_ref);
      p->class_ref = ref_copy;
    }
    /* an override is declared here: no longer "inherited" */
    p->flags = (p->flags & ~WES_PROP_INHERITED) | flags;
    return WES_S_OK;
  }
  if (cls->nprops >= WES_MAX_USER_PROPERTIES) {
    return WES_E_TOO_MANY_PROPERTIES;
  }
  if (cls->nprops == cls->props_cap) {
    uint32_t cap = cls->props_cap ? cls->props_cap * 2 : 8;
    wes__property_t *np = wes__realloc(cls->props, cap * sizeof(*np));
    if (np == NULL) {
      return WES_E_OUT_OF_MEMORY;
    }
    cls->props = np;
    cls->props_cap = cap;
  }
  if ((cls->lookup_mask + 1) < (cls->nprops + 1) * 2 &&
      WES_FAILED(lookup_rebuild(cls, cls->nprops + 1))) {
    return WES_E_OUT_OF_MEMORY;
  }
  p = &cls->props[cls->nprops];
  memset(p, 0, sizeof(*p));
  p->def.type = type;
  p->def.is_null = 1;
  p->name = wes__strdup(name);
  p->origin = wes__strdup(cls->name);
  p->class_ref = class_ref ? wes__strdup(class_ref) : NULL;
  if (p->name == NULL || p->origin == NULL ||
      (class_ref != NULL && p->class_ref == NULL) ||
      ((flags & WES_PROP_KEY) &&
       WES_FAILED(put_bool_qual(&p->quals, &p->nquals, "key")))) {
    prop_free(p);
    return WES_E_OUT_OF_MEMORY;
  }
  p->name_hash = wes__cim_name_hash(name);
  p->type = type;
  p->flags = flags;
  p->index = cls->nprops;
  cls->nprops++;
  {
    /* insert into the lookup table */
    uint32_t j = (uint32_t)p->name_hash & cls->lookup_mask;
    while (cls->lookup[j] != 0) {
      j = (j + 1) & cls->lookup_mask;
    }
    cls->lookup[j] = p->index + 1;
  }
  return WES_S_OK;
}

WES_API wes_hresult_t wes_class_set_default(wes_class_t *cls,
                                            const char *property,
                                            const wes_value_t *value) {
  wes__property_t *p;
  wes_value_t copy;
  wes_hresult_t hr;
  if (cls == NULL || property == NULL || value == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (cls->frozen) {
    return WES_E_READ_ONLY;
  }
  p = (wes__property_t *)wes__class_find(cls, property);
  if (p == NULL) {
    return WES_E_NOT_FOUND;
  }
  if (value->is_null && value->type == WES_CIM_EMPTY) {
    wes__value_clear(&p->def);
    return WES_S_OK;
  }
  if (value->type != p->type) {
    return WES_E_TYPE_MISMATCH;
  }
  if (!value->is_null && WES_CIM_BASETYPE(p->type) == WES_CIM_OBJECT) {
    return WES_E_NOT_SUPPORTED; /* no embedded-object defaults */
  }
  hr = wes__value_validate(value, NULL);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (WES_FAILED(wes__value_copy(&copy, value))) {
    return WES_E_OUT_OF_MEMORY;
  }
  wes__value_clear(&p->def);
  p->def = copy;
  return WES_S_OK;
}

/* Parses a CIMTYPE qualifier text against the property's type. */
static wes_hresult_t apply_cimtype(wes__property_t *p, const char *text) {
  const char *colon = strchr(text, ':');
  wes_cimtype_t want;
  char *ref = NULL;
  if (colon != NULL) {
    size_t kw = (size_t)(colon - text);
    if (kw == 6 && wes__strncasecmp(text, "object", 6) == 0) {
      want = WES_CIM_OBJECT;
    } else if (kw == 3 && wes__strncasecmp(text, "ref", 3) == 0) {
      want = WES_CIM_REFERENCE;
    } else {
      return WES_E_INVALID_PARAMETER;
    }
    if (colon[1] == '\0' || strlen(colon + 1) > WES_MAX_IDENTIFIER ||
        !is_identifier(colon + 1)) {
      return WES_E_INVALID_PARAMETER;
    }
  } else if (WES_FAILED(wes_cimtype_parse(text, &want))) {
    return WES_E_INVALID_PARAMETER;
  }
  if (WES_CIM_BASETYPE(p->type) != want) {
    return WES_E_TYPE_MISMATCH;
  }
  if (colon != NULL) {
    ref = wes__strdup(colon + 1);
    if (ref == NULL) {
      return WES_E_OUT_OF_MEMORY;
    }
    wes__free(p->class_ref);
    p->class_ref = ref;
  }
  return WES_S_OK;
}

WES_API wes_hresult_t wes_class_set_qualifier(wes_class_t *cls,
                                              const char *property,
                                              const char *qualifier,
                                              const wes_value_t *value) {
  wes__property_t *p = NULL;
  bool is_bool;
  wes_hresult_t hr;
  if (cls == NULL || qualifier == NULL || value == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (strlen(qualifier) > WES_MAX_IDENTIFIER) {
    return WES_E_QUALIFIER_NAME_TOO_WIDE;
  }
  if (!is_identifier(qualifier)) {
    return WES_E_INVALID_PARAMETER;
  }
  if (cls->frozen) {
    return WES_E_READ_ONLY;
  }
  if (property != NULL) {
    p = (wes__property_t *)wes__class_find(cls, property);
    if (p == NULL) {
      return WES_E_NOT_FOUND;
    }
  }
  if (WES_CIM_BASETYPE(value->type) == WES_CIM_OBJECT ||
      value->type == WES_CIM_EMPTY || value->is_null) {
    return WES_E_INVALID_QUALIFIER_TYPE;
  }
  hr = wes__value_validate(value, NULL);
  if (WES_FAILED(hr)) {
    return hr == WES_E_INVALID_CIM_TYPE ? WES_E_INVALID_QUALIFIER_TYPE : hr;
  }
  is_bool = value->type == WES_CIM_BOOLEAN;
  if (p == NULL) {
    if (wes__strcasecmp(qualifier, "abstract") == 0 ||
        wes__strcasecmp(qualifier, "singleton") == 0) {
      if (!is_bool) {
        return WES_E_INVALID_QUALIFIER_TYPE;
      }
      hr = quals_put(&cls->quals, &cls->nquals, qualifier, value);
      if (WES_FAILED(hr)) {
        return hr;
      }
      if (wes__strcasecmp(qualifier, "abstract") == 0) {
        cls->flags = value->u.boolean ? (cls->flags | WES_CLASS_ABSTRACT)
                                      : (cls->flags & ~WES_CLASS_ABSTRACT);
      } else {
        cls->singleton = value->u.boolean != 0;
      }
      return WES_S_OK;
    }
    return quals_put(&cls->quals, &cls->nquals, qualifier, value);
  }
  if (wes__strcasecmp(qualifier, "key") == 0) {
    if (!is_bool) {
      return WES_E_INVALID_QUALIFIER_TYPE;
    }
    if (value->u.boolean && !type_can_be_key(p->type)) {
      return WES_E_CANNOT_BE_KEY;
    }
    hr = quals_put(&p->quals, &p->nquals, qualifier, value);
    if (WES_SUCCEEDED(hr)) {
      p->flags = value->u.boolean ? (p->flags | WES_PROP_KEY)
                                  : (p->flags & ~WES_PROP_KEY);
    }
    return hr;
  }
  if (wes__strcasecmp(qualifier, "CIMTYPE") == 0) {
    if (value->type != WES_CIM_STRING) {
      return WES_E_INVALID_QUALIFIER_TYPE;
    }
    hr = apply_cimtype(p, value->u.str);
    if (WES_FAILED(hr)) {
      return hr;
    }
    return quals_put(&p->quals, &p->nquals, qualifier, value);
  }
  if (wes__strcasecmp(qualifier, "read") == 0 ||
      wes__strcasecmp(qualifier, "write") == 0) {
    const wes__qualifier_t *r, *w;
    if (!is_bool) {
      return WES_E_INVALID_QUALIFIER_TYPE;
    }
    hr = quals_put(&p->quals, &p->nquals, qualifier, value);
    if (WES_FAILED(hr)) {
      return hr;
    }
    r = wes__qualifier_find(p->quals, p->nquals, "read");
    w = wes__qualifier_find(p->quals, p->nquals, "write");
    if (r != NULL && r->value.u.boolean && (w == NULL || !w->value.u.boolean)) {
      p->flags |= WES_PROP_READ_ONLY;
    } else {
      p->flags &= ~WES_PROP_READ_ONLY;
    }
    return WES_S_OK;
  }
  return quals_put(&p->quals, &p->nquals, qualifier, value);
}

WES_API wes_hresult_t wes_class_get_qualifier(const wes_class_t *cls,
                                              const char *property,
                                              const char *qualifier,
                                              wes_value_t *ret_value) {
  const wes__qualifier_t *q;
  if (cls == NULL || qualifier == NULL || ret_value == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (property != NULL) {
    const wes__property_t *p = wes__class_find(cls, property);
    if (p == NULL) {
      return WES_E_NOT_FOUND;
    }
    q = wes__qualifier_find(p->quals, p->nquals, qualifier);
  } else {
    q = wes__qualifier_find(cls->quals, cls->nquals, qualifier);
  }
  if (q == NULL) {
    return WES_E_NOT_FOUND;
  }
  *ret_value = q->value;
  return WES_S_OK;
}

WES_API const char *wes_class_name(const wes_class_t *cls) {
  return cls ? cls->name : NULL;
}

WES_API const wes_class_t *wes_class_superclass(const wes_class_t *cls) {
  return cls ? cls->superclass : NULL;
}

WES_API uint32_t wes_class_flags(const wes_class_t *cls) {
  return cls ? cls->flags : 0;
}

WES_API wes_namespace_t *wes_class_namespace(const wes_class_t *cls) {
  return cls ? cls->ns : NULL;
}

WES_API int wes_class_derives_from(const wes_class_t *cls,
                                   const char *ancestor_name) {
  uint32_t i;
  uint64_t h;
  if (cls == NULL || ancestor_name == NULL) {
    return 0;
  }
  h = wes__cim_name_hash(ancestor_name);
  for (i = 0; i <= cls->depth; i++) {
    const wes_class_t *a = cls->ancestors[i];
    if (a->name_hash == h && wes__cim_name_eq(a->name, ancestor_name)) {
      return 1;
    }
  }
  return 0;
}

WES_API int wes_class_is_a(const wes_class_t *cls,
                           const wes_class_t *ancestor) {
  return wes__class_is_a(cls, ancestor) ? 1 : 0;
}

WES_API size_t wes_class_property_count(const wes_class_t *cls) {
  return cls ? cls->nprops : 0;
}

static void fill_info(const wes__property_t *p, wes_property_info_t *info) {
  info->name = p->name;
  info->type = p->type;
  info->class_ref = p->class_ref;
  info->origin = p->origin;
  info->flags = p->flags;
  info->index = p->index;
}

WES_API wes_hresult_t wes_class_property_at(const wes_class_t *cls,
                                            size_t index,
                                            wes_property_info_t *ret_info) {
  if (cls == NULL || ret_info == NULL || index >= cls->nprops) {
    return WES_E_INVALID_PARAMETER;
  }
  fill_info(&cls->props[index], ret_info);
  return WES_S_OK;
}

WES_API wes_hresult_t wes_class_property(const wes_class_t *cls,
                                         const char *name,
                                         wes_property_info_t *ret_info) {
  const wes__property_t *p;
  if (cls == NULL || name == NULL || ret_info == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  p = wes__class_find(cls, name);
  if (p == NULL) {
    return WES_E_NOT_FOUND;
  }
  fill_info(p, ret_info);
  return WES_S_OK;
}

WES_API wes_hresult_t wes_class_get_handle(const wes_class_t *cls,
                                           const char *name,
                                           wes_prop_handle_t *ret_handle) {
  const wes__property_t *p;
  if (cls == NULL || name == NULL || ret_handle == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  p = wes__class_find(cls, name);
  if (p == NULL) {
    return WES_E_NOT_FOUND;
  }
  ret_handle->cls = cls;
  ret_handle->index = p->index;
  ret_handle->type = p->type;
  return WES_S_OK;
}

wes_hresult_t wes__class_freeze(wes_class_t *cls, wes_namespace_t *ns) {
  uint32_t i, n = 0;
  uint32_t *keys = NULL;
  wes_value_t *tmpl = NULL;
  char *ns_name;
  ns_name = wes__strdup(wes_namespace_name(ns));
  if (ns_name == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  for (i = 0; i < cls->nprops; i++) {
    if (cls->props[i].flags & WES_PROP_KEY) {
      n++;
    }
  }
  if (n > 0) {
    keys = wes__malloc(n * sizeof(*keys));
    if (keys == NULL) {
      wes__free(ns_name);
      return WES_E_OUT_OF_MEMORY;
    }
  }
  if (cls->nprops > 0) {
    tmpl = wes__malloc(cls->nprops * sizeof(*tmpl));
    if (tmpl == NULL) {
      wes__free(keys);
      wes__free(ns_name);
      return WES_E_OUT_OF_MEMORY;
    }
  }
  n = 0;
  cls->heap_defaults = false;
  for (i = 0; i < cls->nprops; i++) {
    const wes__property_t *p = &cls->props[i];
    if (p->flags & WES_PROP_KEY) {
      keys[n++] = i;
    }
    tmpl[i] = p->def;
    tmpl[i].type = p->type;
    if (!p->def.is_null && (WES_CIM_IS_ARRAY(p->type) ||
                            WES_CIM_BASETYPE(p->type) == WES_CIM_STRING ||
                            WES_CIM_BASETYPE(p->type) == WES_CIM_DATETIME ||
                            WES_CIM_BASETYPE(p->type) == WES_CIM_REFERENCE)) {
      cls->heap_defaults = true;
    }
  }
  /* keys in name order (insertion sort: few keys) */
  for (i = 1; i < n; i++) {
    uint32_t k = keys[i], j = i;
    while (j > 0 && wes__strcasecmp(cls->props[keys[j - 1]].name,
                                    cls->props[k].name) > 0) {
      keys[j] = keys[j - 1];
      j--;
    }
    keys[j] = k;
  }
  wes__free(cls->keys);
  wes__free(cls->template_slots);
  wes__free(cls->ns_name);
  cls->keys = keys;
  cls->nkeys = n;
  cls->template_slots = tmpl;
  cls->ns_name = ns_name;
  cls->ns = ns;
  cls->frozen = true;
  return WES_S_OK;
}
