/* SPDX-License-Identifier: MIT */
/*
 * cim internals shared with the other modules (WQL evaluator, renderers,
 * MOF compiler, broker). Nothing here is exported.
 *
 * Layout summary:
 * - A class owns a flat property table: inherited properties first, in the
 *   superclass's slot order, then its own. Slot i of an instance holds the
 *   value of property i. An override keeps the inherited slot.
 * - ancestors[0..depth] lists the root class first and the class itself
 *   last, so `is_a(cls, anc)` is one comparison:
 *   anc->depth <= cls->depth && cls->ancestors[anc->depth] == anc.
 * - An object is one allocation: header + `count` wes_value_t slots. Every
 *   slot always carries the property's exact type in `type`; `is_null`
 *   marks NULL. Strings, arrays and their strings are owned by the object;
 *   embedded objects are referenced.
 * - Embedding an object (set of an object property) freezes the embedded
 *   object. Hence every embedded object is frozen, only a root object can
 *   be mutable, no cycle can form except embedding an object in itself,
 *   and freeze/clone never recurse (hash and equality recurse at most
 *   WES_MAX_OBJECT_NESTING levels). Frozen objects cache their hash (on
 *   first use) and their nesting height (at freeze).
 *
 * Thread: the same rules as include/wes/cim.h. The inline readers below do
 * no locking; use them on frozen objects or from the owning thread.
 */
#ifndef WES_CIM_INTERNAL_H
#define WES_CIM_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/internal.h"
#include "wes/cim.h"

/* A qualifier: name as declared, value owned (strings/arrays copied). */
typedef struct wes__qualifier_s {
  char *name;
  wes_value_t value;
} wes__qualifier_t;

/* One entry of a class's property table. */
typedef struct wes__property_s {
  char *name;         /* as declared (first declaration's spelling) */
  uint64_t name_hash; /* wes__cim_name_hash(name) */
  char *class_ref;    /* strong type of object/reference, or NULL */
  char *origin;       /* name of the class that first declared it */
  wes_cimtype_t type; /* with WES_CIM_FLAG_ARRAY for arrays */
  uint32_t flags;     /* WES_PROP_*; WES_PROP_INHERITED when inherited */
  uint32_t index;     /* slot */
  uint32_t nquals;
  wes__qualifier_t *quals; /* owned */
  wes_value_t def;         /* default (owned); is_null when none */
} wes__property_t;

struct wes_class_s {
  wes__refcount_t ref;
  char *name;
  uint64_t name_hash;            /* wes__cim_name_hash(name) */
  wes_class_t *superclass;       /* referenced, or NULL */
  uint32_t depth;                /* 0 for a root class */
  const wes_class_t **ancestors; /* depth + 1 entries, root first */
  const char **derivation;       /* depth entries, parent first (for
                                    __DERIVATION); names borrowed */
  uint32_t flags;                /* WES_CLASS_* */
  bool frozen;                   /* set when added to a namespace */
  bool singleton;                /* [singleton] qualifier */
  bool paths_null;               /* event class: __PATH & co are NULL */
  bool heap_defaults;            /* some default owns memory */
  uint32_t nprops;
  uint32_t props_cap;
  wes__property_t *props; /* nprops entries, slot order */
  uint32_t *lookup;       /* open addressing: slot + 1, 0 = empty */
  uint32_t lookup_mask;   /* table size - 1 (power of two) */
  uint32_t nkeys;
  uint32_t *keys; /* key slots sorted by name (frozen) */
  uint32_t nquals;
  wes__qualifier_t *quals;     /* class qualifiers, owned */
  wes_value_t *template_slots; /* nprops defaults (frozen), owned by
                                  props[i].def: a shallow image */
  wes_namespace_t *ns;         /* not referenced; NULL until added */
  char *ns_name;               /* copy of the namespace name ('\') */
};

struct wes_object_s {
  wes__refcount_t ref;
  wes_class_t *cls; /* referenced */
  uint32_t count;   /* == cls->nprops */
  bool frozen;
  uint8_t height;          /* embedded-object nesting below (frozen only) */
  _Atomic(uint64_t) hash;  /* cached wes_object_hash of a frozen object,
                              0 = not computed yet (filled lazily) */
  _Atomic(uint32_t) json_size; /* cached wes__object_json_size of a
                                  frozen object, 0 = not yet */
  _Atomic(char *) relpath; /* lazily built __RELPATH text, or NULL */
  _Atomic(char *) path;    /* lazily built __PATH text, or NULL */
  wes_value_t slots[];
};

/* Bytes of the compact JSON text of obj (wes_object_to_json, flags 0),
 * at least 1, measured without building the text; cached on a frozen
 * object. The encoded size SetBatchingParameters' max_buffer counts.
 * Thread: any. */
uint32_t wes__object_json_size(const wes_object_t *obj);

/* ---- fast inline accessors ---- */

/* Slot `index` (no bounds check beyond an assert-free contract: index must
 * be < obj->count, e.g. from a handle validated with wes__class_is_a). */
static inline const wes_value_t *wes__object_slot(const wes_object_t *obj,
                                                  uint32_t index) {
  return &obj->slots[index];
}

/* O(1): `cls` is `ancestor` or derives from it. NULL-safe (false). */
static inline bool wes__class_is_a(const wes_class_t *cls,
                                   const wes_class_t *ancestor) {
  return cls != NULL && ancestor != NULL && ancestor->depth <= cls->depth &&
         cls->ancestors[ancestor->depth] == ancestor;
}

/* The property table entry at slot i (i < cls->nprops). */
static inline const wes__property_t *wes__class_prop(const wes_class_t *cls,
                                                     uint32_t i) {
  return &cls->props[i];
}

/* Hash of an identifier, ASCII case folded (bit 0x20 forced on every
 * byte; equality is checked separately). Used for property and class
 * names inside cim. */
static inline uint64_t wes__cim_name_hash(const char *s) {
  uint64_t h = 0x243F6A8885A308D3ULL;
  for (; *s != '\0'; s++) {
    h = ((h << 5) | (h >> 59)) ^ (uint64_t)((unsigned char)*s | 0x20u);
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 32);
}

/* ASCII case-insensitive identifier equality, inlined for lookups. */
static inline bool wes__cim_name_eq(const char *a, const char *b) {
  for (;; a++, b++) {
    unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
    if (ca != cb) {
      ca |= 0x20u;
      if (ca != (cb | 0x20u) || ca < 'a' || ca > 'z') {
        return false;
      }
    } else if (ca == 0) {
      return true;
    }
  }
}

/* Case-insensitive lookup in the class's table; NULL when absent. Does not
 * know system properties. Thread: any for a frozen class. */
const wes__property_t *wes__class_find(const wes_class_t *cls,
                                       const char *name);

/* True for the class of an event (derives from __Event, or is
 * __AggregateEvent): its instances have NULL __PATH, __RELPATH, __SERVER,
 * __NAMESPACE. */
static inline bool wes__class_is_event(const wes_class_t *cls) {
  return cls->paths_null;
}

/* Qualifier lookup (case-insensitive) in an array; NULL when absent. */
const wes__qualifier_t *wes__qualifier_find(const wes__qualifier_t *q,
                                            uint32_t n, const char *name);

/* ---- values ---- */

/* Size in bytes of one array element of base type `t` (0 if unknown). */
size_t wes__cimtype_elem_size(wes_cimtype_t base);

/* True when `t` (array flag allowed) is a known CIM type other than EMPTY
 * and ILLEGAL. */
bool wes__cimtype_valid(wes_cimtype_t t);

/*
 * Deep copy: strings and arrays duplicated, objects referenced (array of
 * objects: each referenced). dst is overwritten (not cleared first).
 * Returns WES_S_OK or WES_E_OUT_OF_MEMORY (dst then NULL of src's type).
 * Note: it does not freeze embedded objects; to store a value in an
 * object's slot use wes_object_set (which checks, freezes and copies), so
 * that the "every embedded object is frozen" invariant holds.
 */
wes_hresult_t wes__value_copy(wes_value_t *dst, const wes_value_t *src);

/* Frees what a value owns (as produced by wes__value_copy) and makes it the
 * NULL value of the same type. */
void wes__value_clear(wes_value_t *v);

/* Deep equality of two values (type and null state included; reals by
 * value with NaN == NaN and -0 == +0; embedded objects deeply). */
bool wes__value_equal(const wes_value_t *a, const wes_value_t *b);

/* Hash consistent with wes__value_equal, independent of addresses. */
uint64_t wes__value_hash(const wes_value_t *v);

/*
 * Checks a value before it is stored: type valid, strings valid UTF-8
 * (arrays: every element, no NULL element), datetimes valid DMTF text,
 * object arrays without NULL elements. Does not check class strong types.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_INVALID_CIM_TYPE.
 */
wes_hresult_t wes__value_validate(const wes_value_t *v, wes_error_t *reterr);

/* UTF-8 validation (rejects overlongs, surrogates, > U+10FFFF). */
bool wes__utf8_valid(const char *s, size_t len);

/* Mixing helpers used for stable hashes. */
static inline uint64_t wes__hash_mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 33);
}
uint64_t wes__hash_bytes(uint64_t h, const void *p, size_t n);

/* ---- classes and namespaces ---- */

/*
 * Removes `cls` from `ns` (the MOF compiler rolls back a failed compile
 * with it, newest class first). The class is unfrozen-in-name only: it
 * keeps its frozen state, loses its namespace back-pointer, and the
 * namespace drops its reference. Fails with WES_E_NOT_FOUND when cls is
 * not in ns, WES_E_CLASS_HAS_CHILDREN when another class of ns derives
 * from it, WES_E_INVALID_PARAMETER on NULL.
 * Thread: not concurrently with any other use of ns.
 */
wes_hresult_t wes__namespace_remove_class(wes_namespace_t *ns,
                                          wes_class_t *cls);

/* wes_class_new without the rule against names starting with '_'; the
 * class is flagged WES_CLASS_SYSTEM (sysclasses.c). */
wes_hresult_t wes__class_new_system(const char *name,
                                    const wes_class_t *superclass,
                                    wes_class_t **ret_class);

/* Freezes a class (computes keys, template); called by add_class. */
wes_hresult_t wes__class_freeze(wes_class_t *cls, wes_namespace_t *ns);

/* Adds every system class to a new namespace (sysclasses.c). */
wes_hresult_t wes__sysclasses_install(wes_namespace_t *ns);

/* The host name used in __SERVER and __PATH (static storage). */
const char *wes__cim_server_name(void);

/* Nesting height of an object (0: no embedded object). Exact when frozen;
 * computed from the (frozen) children otherwise. */
uint32_t wes__object_height(const wes_object_t *obj);

#endif /* WES_CIM_INTERNAL_H */
