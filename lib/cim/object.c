/* SPDX-License-Identifier: MIT */
/*
 * Instances: slots, typed accessors, system properties, paths, freeze,
 * clone, equality and hashing.
 *
 * Invariant: every embedded object is frozen (embedding freezes it), so
 * only a root object may be mutable. Consequences: freeze and clone never
 * recurse; hashing recurses only into embedded objects whose hash is not
 * cached yet (at most WES_MAX_OBJECT_NESTING levels, each object once);
 * equality recurses at most WES_MAX_OBJECT_NESTING levels with a memo of
 * proven pairs; the only possible cycle is embedding an object in itself.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "cim_internal.h"

/* ---- server name ---- */

static uv_once_t server_once = UV_ONCE_INIT;
static char server_name[256];

static void server_init(void) {
  size_t size = sizeof(server_name);
  if (uv_os_gethostname(server_name, &size) != 0 || server_name[0] == '\0') {
    strcpy(server_name, "localhost");
  }
}

const char *wes__cim_server_name(void) {
  uv_once(&server_once, server_init);
  return server_name;
}

/* ---- lifetime ---- */

static void drop_paths(wes_object_t *obj) {
  char *p = atomic_exchange(&obj->relpath, NULL);
  wes__free(p);
  p = atomic_exchange(&obj->path, NULL);
  wes__free(p);
}

static void object_destroy(wes_object_t *obj) {
  uint32_t i;
  for (i = 0; i < obj->count; i++) {
    wes__value_clear(&obj->slots[i]);
  }
  drop_paths(obj);
  wes_class_unref(obj->cls);
  wes__free(obj);
}

WES_API wes_object_t *wes_object_ref(wes_object_t *obj) {
  if (obj != NULL) {
    wes__ref_inc(&obj->ref);
  }
  return obj;
}

WES_API wes_object_t *wes_object_unref(wes_object_t *obj) {
  if (obj != NULL && wes__ref_dec(&obj->ref)) {
    object_destroy(obj);
  }
  return NULL;
}

static wes_object_t *object_alloc(const wes_class_t *cls) {
  wes_object_t *obj =
      wes__malloc(sizeof(*obj) + cls->nprops * sizeof(wes_value_t));
  if (obj == NULL) {
    return NULL;
  }
  wes__ref_init(&obj->ref);
  obj->cls = wes_class_ref((wes_class_t *)cls);
  obj->count = cls->nprops;
  obj->frozen = false;
  obj->height = 0;
  atomic_init(&obj->hash, 0);
  atomic_init(&obj->json_size, 0);
  atomic_init(&obj->relpath, NULL);
  atomic_init(&obj->path, NULL);
  return obj;
}

WES_API wes_hresult_t wes_object_new(const wes_class_t *cls,
                                     wes_object_t **ret_obj) {
  wes_object_t *obj;
  uint32_t i;
  if (cls == NULL || ret_obj == NULL || !cls->frozen) {
    return WES_E_INVALID_PARAMETER;
  }
  if (cls->flags & WES_CLASS_ABSTRACT) {
    return WES_E_INVALID_OPERATION;
  }
  obj = object_alloc(cls);
  if (obj == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  if (cls->nprops > 0) {
    memcpy(obj->slots, cls->template_slots, cls->nprops * sizeof(wes_value_t));
  }
  if (cls->heap_defaults) {
    for (i = 0; i < cls->nprops; i++) {
      if (!obj->slots[i].is_null &&
          WES_FAILED(
              wes__value_copy(&obj->slots[i], &cls->template_slots[i]))) {
        /* slots after i still alias the class: make them NULL */
        uint32_t j;
        for (j = i + 1; j < cls->nprops; j++) {
          memset(&obj->slots[j].u, 0, sizeof(obj->slots[j].u));
          obj->slots[j].is_null = 1;
        }
        wes_object_unref(obj);
        return WES_E_OUT_OF_MEMORY;
      }
    }
  }
  *ret_obj = obj;
  return WES_S_OK;
}

WES_API wes_hresult_t wes_object_new_by_name(const wes_namespace_t *ns,
                                             const char *class_name,
                                             wes_object_t **ret_obj) {
  const wes_class_t *cls;
  if (ns == NULL || class_name == NULL || ret_obj == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  cls = wes_namespace_get_class(ns, class_name);
  if (cls == NULL) {
    return WES_E_INVALID_CLASS;
  }
  return wes_object_new(cls, ret_obj);
}

WES_API const wes_class_t *wes_object_class(const wes_object_t *obj) {
  return obj ? obj->cls : NULL;
}

/* ---- nesting, freeze, hash ---- */

static uint32_t value_height(const wes_value_t *v) {
  uint32_t h = 0;
  size_t i;
  if (v->is_null || WES_CIM_BASETYPE(v->type) != WES_CIM_OBJECT) {
    return 0;
  }
  if (!WES_CIM_IS_ARRAY(v->type)) {
    return 1u + v->u.object->height; /* embedded => frozen => exact */
  }
  for (i = 0; i < v->u.array.count; i++) {
    const wes_object_t *o = ((wes_object_t *const *)v->u.array.data)[i];
    if (1u + o->height > h) {
      h = 1u + o->height;
    }
  }
  return h;
}

uint32_t wes__object_height(const wes_object_t *obj) {
  uint32_t i, h = 0;
  if (obj->frozen) {
    return obj->height;
  }
  for (i = 0; i < obj->count; i++) {
    uint32_t vh = value_height(&obj->slots[i]);
    if (vh > h) {
      h = vh;
    }
  }
  return h;
}

static uint64_t compute_hash(const wes_object_t *obj) {
  uint64_t h;
  uint32_t i;
  h = wes__hash_mix(0xC1A55ULL, obj->cls->name_hash);
  h = wes__hash_mix(h, obj->count);
  for (i = 0; i < obj->count; i++) {
    h = wes__hash_mix(h, wes__value_hash(&obj->slots[i]));
  }
  return h;
}

WES_API void wes_object_freeze(wes_object_t *obj) {
  if (obj == NULL || obj->frozen) {
    return;
  }
  /* children are frozen already (invariant), so nothing to recurse into;
   * the hash is computed on first use */
  obj->height = (uint8_t)wes__object_height(obj);
  obj->frozen = true;
}

WES_API int wes_object_is_frozen(const wes_object_t *obj) {
  return obj != NULL && obj->frozen;
}

WES_API uint64_t wes_object_hash(const wes_object_t *obj) {
  uint64_t h;
  if (obj == NULL) {
    return 0;
  }
  if (!obj->frozen) {
    return compute_hash(obj);
  }
  /* frozen: cache it; racing readers store the same value */
  h = atomic_load_explicit(&((wes_object_t *)obj)->hash, memory_order_relaxed);
  if (h == 0) {
    h = compute_hash(obj);
    if (h == 0) {
      h = 1;
    }
    atomic_store_explicit(&((wes_object_t *)obj)->hash, h,
                          memory_order_relaxed);
  }
  return h;
}

static bool same_shape(const wes_object_t *a, const wes_object_t *b) {
  uint32_t i;
  if (a->cls == b->cls) {
    return true;
  }
  if (a->count != b->count || a->cls->name_hash != b->cls->name_hash ||
      wes__strcasecmp(a->cls->name, b->cls->name) != 0) {
    return false;
  }
  /* the same schema loaded twice (e.g. two namespaces) */
  for (i = 0; i < a->count; i++) {
    if (a->slots[i].type != b->slots[i].type ||
        a->cls->props[i].name_hash != b->cls->props[i].name_hash ||
        !wes__cim_name_eq(a->cls->props[i].name, b->cls->props[i].name)) {
      return false;
    }
  }
  return true;
}

/*
 * Pairs of embedded objects already proven equal during one comparison,
 * a few per depth. Embedded objects are frozen, so a proof stays valid;
 * without it a structure sharing children (an object array holding the
 * same child twice, 64 levels deep) would take 2^64 steps.
 */
#define EQ_MEMO_WAYS 4
typedef struct eq_memo_s {
  const wes_object_t *a[WES_MAX_OBJECT_NESTING + 1][EQ_MEMO_WAYS];
  const wes_object_t *b[WES_MAX_OBJECT_NESTING + 1][EQ_MEMO_WAYS];
  uint32_t n[WES_MAX_OBJECT_NESTING + 1]; /* insertions per depth */
} eq_memo_t;

static bool obj_equal(const wes_object_t *a, const wes_object_t *b,
                      eq_memo_t *m, uint32_t depth);

static bool slot_equal(const wes_value_t *x, const wes_value_t *y, eq_memo_t *m,
                       uint32_t depth) {
  size_t i;
  if (WES_CIM_BASETYPE(x->type) != WES_CIM_OBJECT || x->type != y->type ||
      x->is_null || y->is_null) {
    return wes__value_equal(x, y);
  }
  if (!WES_CIM_IS_ARRAY(x->type)) {
    return obj_equal(x->u.object, y->u.object, m, depth + 1);
  }
  if (x->u.array.count != y->u.array.count) {
    return false;
  }
  for (i = 0; i < x->u.array.count; i++) {
    if (!obj_equal(((wes_object_t *const *)x->u.array.data)[i],
                   ((wes_object_t *const *)y->u.array.data)[i], m, depth + 1)) {
      return false;
    }
  }
  return true;
}

static bool obj_equal(const wes_object_t *a, const wes_object_t *b,
                      eq_memo_t *m, uint32_t depth) {
  uint32_t i, w;
  bool memo_ok;
  if (a == b) {
    return true;
  }
  if (a == NULL || b == NULL || !same_shape(a, b)) {
    return false;
  }
  if (a->frozen && b->frozen && wes_object_hash(a) != wes_object_hash(b)) {
    return false;
  }
  /* embedded objects are frozen and nested at most 64 deep */
  memo_ok =
      depth > 0 && depth <= WES_MAX_OBJECT_NESTING && a->frozen && b->frozen;
  if (memo_ok) {
    uint32_t used = m->n[depth] < EQ_MEMO_WAYS ? m->n[depth] : EQ_MEMO_WAYS;
    for (w = 0; w < used; w++) {
      if (m->a[depth][w] == a && m->b[depth][w] == b) {
        return true;
      }
    }
  } else if (depth > WES_MAX_OBJECT_NESTING) {
    return false; /* cannot happen: nesting is bounded on set */
  }
  for (i = 0; i < a->count; i++) {
    if (!slot_equal(&a->slots[i], &b->slots[i], m, depth)) {
      return false;
    }
  }
  if (memo_ok) {
    w = m->n[depth]++ % EQ_MEMO_WAYS;
    m->a[depth][w] = a;
    m->b[depth][w] = b;
  }
  return true;
}

WES_API int wes_object_equal(const wes_object_t *a, const wes_object_t *b) {
  eq_memo_t m;
  if (a == b) {
    return 1;
  }
  if (a == NULL || b == NULL || !same_shape(a, b)) {
    return 0;
  }
  memset(m.n, 0, sizeof(m.n)); /* only counted entries are read */
  return obj_equal(a, b, &m, 0) ? 1 : 0;
}
WES_API wes_hresult_t wes_object_clone(const wes_object_t *obj,
                                       wes_object_t **ret_obj) {
  wes_object_t *c;
  uint32_t i;
  if (obj == NULL || ret_obj == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  c = object_alloc(obj->cls);
  if (c == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  for (i = 0; i < obj->count; i++) {
    /* embedded objects are frozen: sharing them is a deep copy in effect */
    if (WES_FAILED(wes__value_copy(&c->slots[i], &obj->slots[i]))) {
      uint32_t j;
      for (j = i + 1; j < obj->count; j++) {
        memset(&c->slots[j], 0, sizeof(c->slots[j]));
        c->slots[j].type = obj->slots[j].type;
        c->slots[j].is_null = 1;
      }
      wes_object_unref(c);
      return WES_E_OUT_OF_MEMORY;
    }
  }
  *ret_obj = c;
  return WES_S_OK;
}

WES_API int wes_object_isa(const wes_object_t *obj, const char *class_name) {
  return obj != NULL && wes_class_derives_from(obj->cls, class_name);
}

/* ---- setting ---- */

static wes_hresult_t check_embedded(const wes_object_t *obj,
                                    const wes__property_t *p,
                                    const wes_object_t *v) {
  if (v == obj) {
    return WES_E_CIRCULAR_REFERENCE;
  }
  if (p->class_ref != NULL && !wes_class_derives_from(v->cls, p->class_ref)) {
    return WES_E_TYPE_MISMATCH;
  }
  if (1u + wes__object_height(v) > WES_MAX_OBJECT_NESTING) {
    return WES_E_QUOTA_VIOLATION;
  }
  return WES_S_OK;
}

static wes_hresult_t set_slot(wes_object_t *obj, const wes__property_t *p,
                              const wes_value_t *value) {
  wes_value_t copy;
  wes_value_t *slot;
  wes_hresult_t hr;
  wes_cimtype_t base = WES_CIM_BASETYPE(p->type);
  size_t i;
  if (obj->frozen) {
    return WES_E_READ_ONLY;
  }
  if (value->is_null && value->type == WES_CIM_EMPTY) {
    copy.type = p->type;
    copy.is_null = 1;
    memset(&copy.u, 0, sizeof(copy.u));
  } else {
    if (value->type != p->type) {
      return WES_E_TYPE_MISMATCH;
    }
    hr = wes__value_validate(value, NULL);
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (!value->is_null && base == WES_CIM_OBJECT) {
      if (WES_CIM_IS_ARRAY(p->type)) {
        wes_object_t *const *objs = value->u.array.data;
        for (i = 0; i < value->u.array.count; i++) {
          hr = check_embedded(obj, p, objs[i]);
          if (WES_FAILED(hr)) {
            return hr;
          }
        }
      } else {
        hr = check_embedded(obj, p, value->u.object);
        if (WES_FAILED(hr)) {
          return hr;
        }
      }
    }
    hr = wes__value_copy(&copy, value);
    if (WES_FAILED(hr)) {
      return hr;
    }
    /* embedding freezes (after the last point of failure) */
    if (!copy.is_null && base == WES_CIM_OBJECT) {
      if (WES_CIM_IS_ARRAY(p->type)) {
        for (i = 0; i < copy.u.array.count; i++) {
          wes_object_freeze(((wes_object_t **)copy.u.array.data)[i]);
        }
      } else {
        wes_object_freeze(copy.u.object);
      }
    }
  }
  slot = &obj->slots[p->index];
  wes__value_clear(slot);
  *slot = copy;
  if (p->flags & WES_PROP_KEY) {
    drop_paths(obj);
  }
  return WES_S_OK;
}

static bool is_system_name(const char *name) {
  return name[0] == '_' && name[1] == '_';
}

WES_API wes_hresult_t wes_object_set(wes_object_t *obj, const char *name,
                                     const wes_value_t *value) {
  const wes__property_t *p;
  if (obj == NULL || name == NULL || value == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (is_system_name(name)) {
    return WES_E_SYSTEM_PROPERTY;
  }
  p = wes__class_find(obj->cls, name);
  if (p == NULL) {
    return WES_E_NOT_FOUND;
  }
  return set_slot(obj, p, value);
}

WES_API wes_hresult_t wes_object_set_null(wes_object_t *obj, const char *name) {
  wes_value_t v;
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_EMPTY;
  v.is_null = 1;
  return wes_object_set(obj, name, &v);
}

static bool handle_ok(const wes_object_t *obj, const wes_prop_handle_t *h) {
  return obj != NULL && h != NULL && wes__class_is_a(obj->cls, h->cls) &&
         h->index < h->cls->nprops;
}

WES_API wes_hresult_t wes_object_set_by_handle(wes_object_t *obj,
                                               const wes_prop_handle_t *h,
                                               const wes_value_t *value) {
  if (value == NULL || !handle_ok(obj, h)) {
    return WES_E_INVALID_PARAMETER;
  }
  return set_slot(obj, &obj->cls->props[h->index], value);
}

WES_API wes_hresult_t wes_object_get_by_handle(const wes_object_t *obj,
                                               const wes_prop_handle_t *h,
                                               wes_value_t *ret_value) {
  if (ret_value == NULL || !handle_ok(obj, h)) {
    return WES_E_INVALID_PARAMETER;
  }
  *ret_value = obj->slots[h->index];
  return WES_S_OK;
}

/* ---- system properties ---- */

static void put_key_value(wes__buf_t *b, const wes_value_t *v) {
  const char *s;
  switch (WES_CIM_BASETYPE(v->type)) {
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    wes__buf_putc(b, '"');
    for (s = v->u.str; *s != '\0'; s++) {
      if (*s == '"' || *s == '\\') {
        wes__buf_putc(b, '\\');
      }
      wes__buf_putc(b, *s);
    }
    wes__buf_putc(b, '"');
    break;
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
    wes__buf_printf(b, "%" PRId64, v->u.sint);
    break;
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    wes__buf_printf(b, "%" PRIu64, v->u.uint);
    break;
  case WES_CIM_BOOLEAN:
    wes__buf_puts(b, v->u.boolean ? "TRUE" : "FALSE");
    break;
  case WES_CIM_CHAR16:
    wes__buf_printf(b, "%u", (unsigned)v->u.char16);
    break;
  default:
    wes__buf_printf(b, "%.17g", v->u.real);
    break;
  }
}

/* Builds __RELPATH; NULL when a key is NULL or memory runs out. */
static char *build_relpath(const wes_object_t *obj) {
  const wes_class_t *cls = obj->cls;
  wes__buf_t b;
  uint32_t i;
  wes__buf_init(&b);
  wes__buf_puts(&b, cls->name);
  if (cls->singleton || cls->nkeys == 0) {
    wes__buf_puts(&b, "=@");
    return wes__buf_take(&b);
  }
  for (i = 0; i < cls->nkeys; i++) {
    const wes__property_t *p = &cls->props[cls->keys[i]];
    const wes_value_t *v = &obj->slots[p->index];
    if (v->is_null) {
      wes__buf_free(&b);
      return NULL;
    }
    wes__buf_putc(&b, i == 0 ? '.' : ',');
    wes__buf_puts(&b, p->name);
    wes__buf_putc(&b, '=');
    put_key_value(&b, v);
  }
  return wes__buf_take(&b);
}

static const char *cached(_Atomic(char *) *slot, char *fresh) {
  char *expected = NULL;
  if (fresh == NULL) {
    return NULL;
  }
  if (atomic_compare_exchange_strong(slot, &expected, fresh)) {
    return fresh;
  }
  wes__free(fresh);
  return expected;
}

static const char *get_relpath(const wes_object_t *obj) {
  wes_object_t *o = (wes_object_t *)obj;
  char *p = atomic_load(&o->relpath);
  if (p != NULL) {
    return p;
  }
  return cached(&o->relpath, build_relpath(obj));
}

static const char *get_path(const wes_object_t *obj) {
  wes_object_t *o = (wes_object_t *)obj;
  char *p = atomic_load(&o->path);
  const char *rel;
  wes__buf_t b;
  if (p != NULL) {
    return p;
  }
  rel = get_relpath(obj);
  if (rel == NULL || obj->cls->ns_name == NULL) {
    return NULL;
  }
  wes__buf_init(&b);
  wes__buf_puts(&b, "\\\\");
  wes__buf_puts(&b, wes__cim_server_name());
  wes__buf_putc(&b, '\\');
  wes__buf_puts(&b, obj->cls->ns_name);
  wes__buf_putc(&b, ':');
  wes__buf_puts(&b, rel);
  return cached(&o->path, wes__buf_take(&b));
}

static void set_str(wes_value_t *v, const char *s) {
  v->type = WES_CIM_STRING;
  v->is_null = s == NULL;
  v->u.str = s;
}

static wes_hresult_t get_system(const wes_object_t *obj, const char *name,
                                wes_value_t *ret) {
  const wes_class_t *cls = obj->cls;
  wes_value_t v;
  memset(&v, 0, sizeof(v));
  if (wes__strcasecmp(name, "__CLASS") == 0) {
    set_str(&v, cls->name);
  } else if (wes__strcasecmp(name, "__SUPERCLASS") == 0) {
    set_str(&v, cls->superclass ? cls->superclass->name : NULL);
  } else if (wes__strcasecmp(name, "__DYNASTY") == 0) {
    set_str(&v, cls->ancestors[0]->name);
  } else if (wes__strcasecmp(name, "__DERIVATION") == 0) {
    v.type = WES_CIM_STRING | WES_CIM_FLAG_ARRAY;
    v.u.array.data = cls->depth ? (const void *)cls->derivation : NULL;
    v.u.array.count = cls->depth;
  } else if (wes__strcasecmp(name, "__GENUS") == 0) {
    v.type = WES_CIM_SINT32;
    v.u.sint = WES_GENUS_INSTANCE;
  } else if (wes__strcasecmp(name, "__PROPERTY_COUNT") == 0) {
    v.type = WES_CIM_SINT32;
    v.u.sint = cls->nprops;
  } else if (wes__strcasecmp(name, "__RELPATH") == 0) {
    set_str(&v, cls->paths_null ? NULL : get_relpath(obj));
  } else if (wes__strcasecmp(name, "__PATH") == 0) {
    set_str(&v, cls->paths_null ? NULL : get_path(obj));
  } else if (wes__strcasecmp(name, "__NAMESPACE") == 0) {
    set_str(&v, cls->paths_null ? NULL : cls->ns_name);
  } else if (wes__strcasecmp(name, "__SERVER") == 0) {
    set_str(&v, cls->paths_null ? NULL : wes__cim_server_name());
  } else {
    return WES_E_NOT_FOUND;
  }
  *ret = v;
  return WES_S_OK;
}

WES_API wes_hresult_t wes_object_get(const wes_object_t *obj, const char *name,
                                     wes_value_t *ret_value) {
  const wes__property_t *p;
  if (obj == NULL || name == NULL || ret_value == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (is_system_name(name)) {
    return get_system(obj, name, ret_value);
  }
  p = wes__class_find(obj->cls, name);
  if (p == NULL) {
    return WES_E_NOT_FOUND;
  }
  *ret_value = obj->slots[p->index];
  return WES_S_OK;
}

/* ---- typed accessors ---- */

static wes_hresult_t typed_get(const wes_object_t *obj, const char *name,
                               wes_cimtype_t type, wes_value_t *v) {
  wes_hresult_t hr = wes_object_get(obj, name, v);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (v->type != type) {
    return WES_E_TYPE_MISMATCH;
  }
  return v->is_null ? WES_S_FALSE : WES_S_OK;
}

/* The typed getter of every scalar and text type. */
#define WES__TYPED_GET(suffix, ctype, CIMT, field)                             \
  WES_API wes_hresult_t wes_object_get_##suffix(                               \
      const wes_object_t *obj, const char *name, ctype *ret) {                 \
    wes_value_t v;                                                             \
    wes_hresult_t hr;                                                          \
    if (ret == NULL) {                                                         \
      return WES_E_INVALID_PARAMETER;                                          \
    }                                                                          \
    hr = typed_get(obj, name, CIMT, &v);                                       \
    if (hr == WES_S_OK) {                                                      \
      *ret = (ctype)v.u.field;                                                 \
    }                                                                          \
    return hr;                                                                 \
  }

#define WES__TYPED_INT(suffix, ctype, CIMT, field)                             \
  WES_API wes_hresult_t wes_object_set_##suffix(wes_object_t *obj,             \
                                                const char *name, ctype x) {   \
    wes_value_t v;                                                             \
    memset(&v, 0, sizeof(v));                                                  \
    v.type = CIMT;                                                             \
    v.u.field = x;                                                             \
    return wes_object_set(obj, name, &v);                                      \
  }                                                                            \
  WES__TYPED_GET(suffix, ctype, CIMT, field)

WES__TYPED_INT(sint8, int8_t, WES_CIM_SINT8, sint)
WES__TYPED_INT(uint8, uint8_t, WES_CIM_UINT8, uint)
WES__TYPED_INT(sint16, int16_t, WES_CIM_SINT16, sint)
WES__TYPED_INT(uint16, uint16_t, WES_CIM_UINT16, uint)
WES__TYPED_INT(sint32, int32_t, WES_CIM_SINT32, sint)
WES__TYPED_INT(uint32, uint32_t, WES_CIM_UINT32, uint)
WES__TYPED_INT(sint64, int64_t, WES_CIM_SINT64, sint)
WES__TYPED_INT(uint64, uint64_t, WES_CIM_UINT64, uint)
WES__TYPED_INT(real32, float, WES_CIM_REAL32, real)
WES__TYPED_INT(real64, double, WES_CIM_REAL64, real)
WES__TYPED_INT(boolean, int, WES_CIM_BOOLEAN, boolean)
WES__TYPED_INT(char16, uint16_t, WES_CIM_CHAR16, char16)
#undef WES__TYPED_INT

/* Text setters: a NULL pointer sets NULL. */
#define WES__TYPED_STR(suffix, CIMT)                                           \
  WES_API wes_hresult_t wes_object_set_##suffix(                               \
      wes_object_t *obj, const char *name, const char *x) {                    \
    wes_value_t v;                                                             \
    memset(&v, 0, sizeof(v));                                                  \
    v.type = CIMT;                                                             \
    v.is_null = x == NULL;                                                     \
    v.u.str = x;                                                               \
    return wes_object_set(obj, name, &v);                                      \
  }                                                                            \
  WES__TYPED_GET(suffix, const char *, CIMT, str)

WES__TYPED_STR(string, WES_CIM_STRING)
WES__TYPED_STR(datetime, WES_CIM_DATETIME)
WES__TYPED_STR(reference, WES_CIM_REFERENCE)
#undef WES__TYPED_STR
#undef WES__TYPED_GET

WES_API wes_hresult_t wes_object_set_object(wes_object_t *obj, const char *name,
                                            wes_object_t *x) {
  wes_value_t v;
  memset(&v, 0, sizeof(v));
  v.type = WES_CIM_OBJECT;
  v.is_null = x == NULL;
  v.u.object = x;
  return wes_object_set(obj, name, &v);
}

WES_API wes_hresult_t wes_object_get_object(const wes_object_t *obj,
                                            const char *name,
                                            wes_object_t **ret) {
  wes_value_t v;
  wes_hresult_t hr;
  if (ret == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = typed_get(obj, name, WES_CIM_OBJECT, &v);
  if (hr == WES_S_OK) {
    *ret = v.u.object;
  }
  return hr;
}
