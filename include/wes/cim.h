/* SPDX-License-Identifier: MIT */
/*
 * wes cim: CIM types and values, classes with single inheritance, the
 * namespace (class registry with the WMI system classes), and instances
 * (event objects).
 *
 * Ownership: classes, namespaces and objects are reference counted
 * (wes_x_ref returns its argument, wes_x_unref is NULL-safe and returns
 * NULL). Functions never steal a reference; if they keep an argument they
 * take their own. Strings passed in are copied. Values returned through
 * wes_value_t are borrowed: valid while the object (or class) they came
 * from is alive and, for a mutable object, until that property is set again.
 *
 * Thread: reference counting is safe from any thread. A class becomes
 * immutable when added to a namespace, and may then be shared by any number
 * of threads. A frozen object (wes_object_freeze) is immutable and may be
 * read from any number of threads; a mutable object belongs to one thread at
 * a time. A namespace may be read from many threads concurrently, but
 * wes_namespace_add_class must not run concurrently with any other use of
 * that namespace.
 */
#ifndef WES_CIM_H
#define WES_CIM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CIM types (CIMTYPE values of WMI) ---- */

typedef uint32_t wes_cimtype_t;

#define WES_CIM_EMPTY 0
#define WES_CIM_SINT8 16
#define WES_CIM_UINT8 17
#define WES_CIM_SINT16 2
#define WES_CIM_UINT16 18
#define WES_CIM_SINT32 3
#define WES_CIM_UINT32 19
#define WES_CIM_SINT64 20
#define WES_CIM_UINT64 21
#define WES_CIM_REAL32 4
#define WES_CIM_REAL64 5
#define WES_CIM_BOOLEAN 11
#define WES_CIM_STRING 8
#define WES_CIM_DATETIME 101
#define WES_CIM_REFERENCE 102
#define WES_CIM_CHAR16 103
#define WES_CIM_OBJECT 13
#define WES_CIM_FLAG_ARRAY 0x2000
#define WES_CIM_ILLEGAL 0xFFF

#define WES_CIM_BASETYPE(t) ((t) & ~(wes_cimtype_t)WES_CIM_FLAG_ARRAY)
#define WES_CIM_IS_ARRAY(t) (((t)&WES_CIM_FLAG_ARRAY) != 0)

/* WBEM_GENUS_TYPE */
#define WES_GENUS_CLASS 1
#define WES_GENUS_INSTANCE 2

/* Limits (WBEM_LIMITS and DESIGN 4.22). */
#define WES_MAX_IDENTIFIER 255      /* bytes in a class/property name */
#define WES_MAX_OBJECT_NESTING 64   /* embedded-object depth */
#define WES_MAX_USER_PROPERTIES 1024

/*
 * The MOF name of a type ("uint32", "string", "datetime", "object", ...,
 * with "[]" appended for arrays is NOT done: use WES_CIM_IS_ARRAY).
 * Unknown types give "illegal". Static storage. Thread: any.
 */
WES_API const char *wes_cimtype_name(wes_cimtype_t type);

/*
 * Parses a MOF type keyword (case-insensitive: "sint8" ... "object") into
 * *ret_type. Returns WES_S_OK or WES_E_INVALID_CIM_TYPE. Thread: any.
 */
WES_API wes_hresult_t wes_cimtype_parse(const char *name,
                                        wes_cimtype_t *ret_type);

typedef struct wes_class_s wes_class_t;
typedef struct wes_object_s wes_object_t;
typedef struct wes_namespace_s wes_namespace_t;

/*
 * An array value: `data` points to `count` elements of the element type's C
 * representation:
 *   sint8 int8_t, uint8 uint8_t, sint16 int16_t, uint16 uint16_t,
 *   sint32 int32_t, uint32 uint32_t, sint64 int64_t, uint64 uint64_t,
 *   real32 float, real64 double, boolean uint8_t (0/1), char16 uint16_t,
 *   string/datetime/reference `const char *` (UTF-8, never NULL),
 *   object `wes_object_t *` (never NULL).
 */
typedef struct wes_array_s {
  const void *data;
  size_t count;
} wes_array_t;

/*
 * A CIM value. `type` is the CIM type (with WES_CIM_FLAG_ARRAY for arrays).
 * `is_null` non-zero means the NULL value of that type (the union is then
 * unused). Integers of every width travel in `sint` (signed types) or
 * `uint` (unsigned types); real32 and real64 in `real`; char16 in `char16`;
 * string, datetime (DMTF text) and reference (object path text) in `str`.
 */
typedef struct wes_value_s {
  wes_cimtype_t type;
  uint32_t is_null;
  union {
    int64_t sint;
    uint64_t uint;
    double real;
    int boolean;
    uint16_t char16;
    const char *str;
    wes_object_t *object;
    wes_array_t array;
  } u;
} wes_value_t;

/* ---- Classes ---- */

/* Property flags (wes_class_add_property, wes_property_info_t.flags). */
#define WES_PROP_KEY 0x1u       /* [key] qualifier */
#define WES_PROP_READ_ONLY 0x2u /* [read] without [write]; informative */
#define WES_PROP_INHERITED 0x100u /* set on info of an inherited property */

/* Class flags (wes_class_info). */
#define WES_CLASS_ABSTRACT 0x1u
#define WES_CLASS_SYSTEM 0x2u /* one of the built-in __ classes */

/*
 * Creates a new, mutable class named `name` deriving from `superclass`
 * (NULL for a root class). The new class starts with every property of the
 * superclass (same slots, so property handles of the superclass work on
 * instances of the new class).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL name/ret_class, name not
 * an identifier or starting with '_', which is reserved for the system
 * classes), WES_E_CLASS_NAME_TOO_WIDE (> 255 bytes),
 * WES_E_INVALID_SUPERCLASS (superclass not yet added to a namespace),
 * WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_class is a new reference; the superclass is referenced.
 * Thread: any.
 */
WES_API wes_hresult_t wes_class_new(const char *name,
                                    const wes_class_t *superclass,
                                    wes_class_t **ret_class);

/*
 * Adds a property, or overrides an inherited one (same name, same type:
 * the override may add qualifiers and a new default). `type` is a CIM type,
 * with WES_CIM_FLAG_ARRAY for arrays. `class_ref` names the class of a
 * strongly typed embedded object (`object:ClassName`) or reference
 * (`ClassName ref`), else NULL. `flags` are WES_PROP_*.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL class or name, bad
 * identifier, name starting with '_'), WES_E_PROPERTY_NAME_TOO_WIDE,
 * WES_E_INVALID_CIM_TYPE (unknown type, class_ref on a type that is neither
 * object nor reference), WES_E_ALREADY_EXISTS (declared twice in this class),
 * WES_E_TYPE_MISMATCH (override with another type), WES_E_READ_ONLY (class
 * already added to a namespace), WES_E_CANNOT_BE_KEY (WES_PROP_KEY on an
 * array, object or real property), WES_E_TOO_MANY_PROPERTIES (more than
 * WES_MAX_USER_PROPERTIES, inherited ones included), WES_E_OUT_OF_MEMORY.
 * Thread: the thread that owns the mutable class.
 */
WES_API wes_hresult_t wes_class_add_property(wes_class_t *cls,
                                             const char *name,
                                             wes_cimtype_t type,
                                             const char *class_ref,
                                             uint32_t flags);

/*
 * Sets the default value of a property (copied into every new instance).
 * value->type must be the property's type; a NULL value (is_null, type
 * the property's or WES_CIM_EMPTY) removes the default.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, invalid UTF-8 or
 * datetime text), WES_E_NOT_FOUND (no such property), WES_E_TYPE_MISMATCH,
 * WES_E_VALUE_OUT_OF_RANGE (integer outside its type, finite real32
 * beyond +/-FLT_MAX),
 * WES_E_NOT_SUPPORTED (non-NULL default of an embedded-object property),
 * WES_E_READ_ONLY (class frozen), WES_E_OUT_OF_MEMORY.
 */
WES_API wes_hresult_t wes_class_set_default(wes_class_t *cls,
                                            const char *property,
                                            const wes_value_t *value);

/*
 * Sets a qualifier on the class (property NULL) or on one of its
 * properties. Qualifier names are case-insensitive. `abstract` on the class
 * makes it abstract and `singleton` a singleton (both boolean, not
 * inherited); `key` (boolean) on a property marks it key; `read`/`write`
 * (boolean) set WES_PROP_READ_ONLY when read is TRUE and write is not;
 * `CIMTYPE` with text "object:ClassName" / "ref:ClassName" sets the strong
 * type (a plain type name is checked against the property's type). Other
 * qualifiers are stored and rendered. Setting a qualifier again replaces
 * its value. Qualifier values may be any non-NULL type but object.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, bad name, malformed
 * CIMTYPE text), WES_E_QUALIFIER_NAME_TOO_WIDE, WES_E_NOT_FOUND (no such
 * property), WES_E_INVALID_QUALIFIER_TYPE (e.g. `key` not boolean, an
 * object or NULL value), WES_E_TYPE_MISMATCH (CIMTYPE contradicts the
 * property's type), WES_E_CANNOT_BE_KEY, WES_E_READ_ONLY (class frozen),
 * WES_E_OUT_OF_MEMORY.
 */
WES_API wes_hresult_t wes_class_set_qualifier(wes_class_t *cls,
                                              const char *property,
                                              const char *qualifier,
                                              const wes_value_t *value);

/*
 * Reads a qualifier. Returns WES_S_OK, WES_E_NOT_FOUND (no such property or
 * qualifier), WES_E_INVALID_PARAMETER. *ret_value is borrowed from the class.
 */
WES_API wes_hresult_t wes_class_get_qualifier(const wes_class_t *cls,
                                              const char *property,
                                              const char *qualifier,
                                              wes_value_t *ret_value);

WES_API wes_class_t *wes_class_ref(wes_class_t *cls);
WES_API wes_class_t *wes_class_unref(wes_class_t *cls);

/* Name as declared. Borrowed for the class's lifetime. Thread: any. */
WES_API const char *wes_class_name(const wes_class_t *cls);
/* The superclass, or NULL for a root class. Borrowed. Thread: any. */
WES_API const wes_class_t *wes_class_superclass(const wes_class_t *cls);
/* WES_CLASS_* flags. Thread: any. */
WES_API uint32_t wes_class_flags(const wes_class_t *cls);
/* The namespace the class was added to, or NULL (also after that
 * namespace was destroyed). Borrowed. */
WES_API wes_namespace_t *wes_class_namespace(const wes_class_t *cls);

/*
 * Non-zero when `cls` is `ancestor_name` or derives from it (names compare
 * case-insensitively). O(depth). Thread: any.
 */
WES_API int wes_class_derives_from(const wes_class_t *cls,
                                   const char *ancestor_name);
/* Same test by class pointer, O(1). Thread: any. */
WES_API int wes_class_is_a(const wes_class_t *cls,
                           const wes_class_t *ancestor);

/* Number of (non-system) properties, inherited ones included. */
WES_API size_t wes_class_property_count(const wes_class_t *cls);

typedef struct wes_property_info_s {
  const char *name;        /* as declared */
  wes_cimtype_t type;      /* with WES_CIM_FLAG_ARRAY for arrays */
  const char *class_ref;   /* strong type of object/reference, or NULL */
  const char *origin;      /* name of the class that first declared it */
  uint32_t flags;          /* WES_PROP_* */
  uint32_t index;          /* slot, 0 .. count-1, inherited first */
} wes_property_info_t;

/*
 * Describes the property at slot `index` (0-based, inherited properties
 * first in declaration order). Strings are borrowed from the class.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (index out of range or NULLs).
 */
WES_API wes_hresult_t wes_class_property_at(const wes_class_t *cls,
                                            size_t index,
                                            wes_property_info_t *ret_info);

/*
 * Looks a property up by name (case-insensitive).
 * Returns WES_S_OK, WES_E_NOT_FOUND, WES_E_INVALID_PARAMETER.
 */
WES_API wes_hresult_t wes_class_property(const wes_class_t *cls,
                                         const char *name,
                                         wes_property_info_t *ret_info);

/*
 * A precomputed property handle: resolve once with wes_class_get_handle,
 * then read/write in O(1) on any instance of that class or a subclass.
 * The fields are for the library; treat the struct as opaque.
 */
typedef struct wes_prop_handle_s {
  const wes_class_t *cls;
  uint32_t index;
  wes_cimtype_t type;
} wes_prop_handle_t;

/*
 * Resolves `name` on `cls` into a handle. The handle stays valid while the
 * class lives. Returns WES_S_OK, WES_E_NOT_FOUND, WES_E_INVALID_PARAMETER.
 * Thread: any (frozen class).
 */
WES_API wes_hresult_t wes_class_get_handle(const wes_class_t *cls,
                                           const char *name,
                                           wes_prop_handle_t *ret_handle);

/* ---- Namespaces (class registries) ---- */

/*
 * Creates a namespace named `name` (e.g. "root/cimv2"; '/' and '\' are
 * equivalent, __NAMESPACE shows '\') holding every WMI system class
 * (__SystemClass ... __Event, the intrinsic operation events, __TimerEvent,
 * __ExtrinsicEvent, __SystemEvent, the dropped/overflow/failure events,
 * __AggregateEvent, __EventFilter, __EventConsumer,
 * __FilterToConsumerBinding, __EventGenerator, the timer instructions,
 * __TimerNextFiring, __Namespace, __Parameters, __NotifyStatus,
 * __ExtendedStatus).
 * The name is non-empty UTF-8 (at most 1024 bytes), has no empty segment,
 * no leading or trailing separator, no control character, ':' or '"'.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_ns is a new reference. Thread: any.
 */
WES_API wes_hresult_t wes_namespace_new(const char *name,
                                        wes_namespace_t **ret_ns);

WES_API wes_namespace_t *wes_namespace_ref(wes_namespace_t *ns);
WES_API wes_namespace_t *wes_namespace_unref(wes_namespace_t *ns);

/* The name with '\' separators ("root\cimv2"). Borrowed. Thread: any. */
WES_API const char *wes_namespace_name(const wes_namespace_t *ns);

/*
 * Adds a class: its superclass must be in this namespace. The class becomes
 * immutable and the namespace takes a reference.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_ALREADY_EXISTS (a class
 * of that name exists), WES_E_INVALID_SUPERCLASS (superclass not in this
 * namespace), WES_E_INVALID_OPERATION (class already in a namespace),
 * WES_E_OUT_OF_MEMORY.
 * Thread: not concurrently with any other use of the namespace.
 */
WES_API wes_hresult_t wes_namespace_add_class(wes_namespace_t *ns,
                                              wes_class_t *cls,
                                              wes_error_t *reterr);

/*
 * Finds a class by name (case-insensitive). Returns a borrowed pointer
 * (valid while the namespace lives), or NULL. Thread: any.
 */
WES_API wes_class_t *wes_namespace_get_class(const wes_namespace_t *ns,
                                             const char *name);

/* Number of classes, and the class at position i in insertion order. */
WES_API size_t wes_namespace_class_count(const wes_namespace_t *ns);
WES_API wes_class_t *wes_namespace_class_at(const wes_namespace_t *ns,
                                            size_t i);

/* ---- Objects (instances; events are instances) ---- */

/*
 * Creates an instance of a class that is in a namespace. Properties start
 * at their class defaults, or NULL.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL, or class not in a
 * namespace), WES_E_INVALID_OPERATION (abstract class),
 * WES_E_OUT_OF_MEMORY.
 * Ownership: new reference. Thread: any.
 */
WES_API wes_hresult_t wes_object_new(const wes_class_t *cls,
                                     wes_object_t **ret_obj);

/* wes_object_new on the class named `class_name` in `ns`; adds
 * WES_E_INVALID_CLASS when there is no such class. */
WES_API wes_hresult_t wes_object_new_by_name(const wes_namespace_t *ns,
                                             const char *class_name,
                                             wes_object_t **ret_obj);

WES_API wes_object_t *wes_object_ref(wes_object_t *obj);
WES_API wes_object_t *wes_object_unref(wes_object_t *obj);

/* The class (borrowed, lives as long as the object). Thread: any. */
WES_API const wes_class_t *wes_object_class(const wes_object_t *obj);

/*
 * Makes the object and, recursively, its embedded objects immutable.
 * Setters then fail with WES_E_READ_ONLY. Idempotent. Thread: the owner.
 */
WES_API void wes_object_freeze(wes_object_t *obj);
WES_API int wes_object_is_frozen(const wes_object_t *obj);

/*
 * Deep copy, mutable (not frozen) at the top level. Embedded objects are
 * always frozen (see wes_object_set), so the copy shares them: that is a
 * deep copy in effect, and replacing them in the copy leaves the source
 * untouched. Returns WES_S_OK,
 * WES_E_INVALID_PARAMETER, WES_E_OUT_OF_MEMORY. Ownership: new reference.
 * Thread: any for a frozen source, else its owner.
 */
WES_API wes_hresult_t wes_object_clone(const wes_object_t *obj,
                                       wes_object_t **ret_obj);

/*
 * Sets a property by name (case-insensitive). value->type must equal the
 * property's type exactly (arrays included); is_null sets NULL (type the
 * property's or WES_CIM_EMPTY). Strings and arrays are copied; embedded
 * objects are referenced AND FROZEN (wes_object_freeze): an embedded
 * object never changes afterwards, like WMI's copy on Put; clone it first
 * to keep a mutable version. They must be instances of the strong type,
 * if any, and not the object itself; nesting deeper than
 * WES_MAX_OBJECT_NESTING fails. On failure nothing changes (and nothing
 * is frozen).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs; invalid UTF-8; bad
 * datetime text; NULL element of a string/object array; non-NULL object
 * value with a NULL pointer), WES_E_NOT_FOUND (no such property),
 * WES_E_SYSTEM_PROPERTY (a __ name), WES_E_TYPE_MISMATCH (type differs, or
 * embedded object of the wrong class), WES_E_VALUE_OUT_OF_RANGE (integer
 * outside its type's width; a finite real32 value beyond +/-FLT_MAX, which
 * a float would hold as an infinity; NaN and infinities themselves are
 * accepted), WES_E_READ_ONLY (frozen),
 * WES_E_CIRCULAR_REFERENCE, WES_E_QUOTA_VIOLATION (nesting > 64),
 * WES_E_OUT_OF_MEMORY.
 */
WES_API wes_hresult_t wes_object_set(wes_object_t *obj, const char *name,
                                     const wes_value_t *value);

/*
 * Reads a property or a system property (__CLASS, __SUPERCLASS, __DYNASTY,
 * __DERIVATION, __GENUS, __PROPERTY_COUNT, __RELPATH, __PATH, __NAMESPACE,
 * __SERVER) by name. *ret_value is borrowed (see top of file; the text of
 * __RELPATH/__PATH of a mutable object lives until a key property is set);
 * system properties that do not apply come back with is_null set: for an
 * event (class deriving from __Event, or __AggregateEvent) __NAMESPACE,
 * __PATH, __RELPATH and __SERVER; __RELPATH/__PATH when a key is NULL;
 * __SUPERCLASS of a root class. __RELPATH is `Class.Key="v"` (several keys
 * comma-separated in name order, strings escaped with \), or `Class=@`
 * for a singleton or a class without keys.
 * Returns WES_S_OK, WES_E_NOT_FOUND, WES_E_INVALID_PARAMETER.
 */
WES_API wes_hresult_t wes_object_get(const wes_object_t *obj,
                                     const char *name,
                                     wes_value_t *ret_value);

/* Set/get by handle: as above, O(1). Returns also WES_E_INVALID_PARAMETER
 * when the object's class does not derive from the handle's class. */
WES_API wes_hresult_t wes_object_set_by_handle(wes_object_t *obj,
                                               const wes_prop_handle_t *h,
                                               const wes_value_t *value);
WES_API wes_hresult_t wes_object_get_by_handle(const wes_object_t *obj,
                                               const wes_prop_handle_t *h,
                                               wes_value_t *ret_value);

/* Sets a property to NULL. Same codes as wes_object_set. */
WES_API wes_hresult_t wes_object_set_null(wes_object_t *obj,
                                          const char *name);

/*
 * Typed accessors. A setter fails with WES_E_TYPE_MISMATCH unless the
 * property has exactly that type; a getter likewise. Getters return
 * WES_S_OK with the value, or WES_S_FALSE when the property is NULL
 * (*ret untouched). Other codes as wes_object_set / wes_object_get.
 * String getters return borrowed text. set_datetime validates the DMTF
 * text; set_reference takes an object path text.
 */
#define WES__DECLARE_TYPED(suffix, ctype)                                      \
  WES_API wes_hresult_t wes_object_set_##suffix(wes_object_t *obj,             \
                                                const char *name, ctype v);    \
  WES_API wes_hresult_t wes_object_get_##suffix(                               \
      const wes_object_t *obj, const char *name, ctype *ret);
WES__DECLARE_TYPED(sint8, int8_t)
WES__DECLARE_TYPED(uint8, uint8_t)
WES__DECLARE_TYPED(sint16, int16_t)
WES__DECLARE_TYPED(uint16, uint16_t)
WES__DECLARE_TYPED(sint32, int32_t)
WES__DECLARE_TYPED(uint32, uint32_t)
WES__DECLARE_TYPED(sint64, int64_t)
WES__DECLARE_TYPED(uint64, uint64_t)
WES__DECLARE_TYPED(real32, float)
WES__DECLARE_TYPED(real64, double)
WES__DECLARE_TYPED(boolean, int)
WES__DECLARE_TYPED(char16, uint16_t)
WES__DECLARE_TYPED(string, const char *)
WES__DECLARE_TYPED(datetime, const char *)
WES__DECLARE_TYPED(reference, const char *)
#undef WES__DECLARE_TYPED

/* Embedded object: the setter references `v` (NULL sets NULL); the getter
 * returns a borrowed pointer. */
WES_API wes_hresult_t wes_object_set_object(wes_object_t *obj,
                                            const char *name,
                                            wes_object_t *v);
WES_API wes_hresult_t wes_object_get_object(const wes_object_t *obj,
                                            const char *name,
                                            wes_object_t **ret);

/*
 * Non-zero when the object's class is `class_name` or derives from it
 * (the WQL ISA test). Thread: any for a frozen object.
 */
WES_API int wes_object_isa(const wes_object_t *obj, const char *class_name);

/*
 * Deep equality: same class and equal properties (embedded objects
 * compared deeply; NULL equals NULL; reals compare by value, NaN equal to
 * NaN). System properties are not compared. Thread: any for frozen objects.
 */
WES_API int wes_object_equal(const wes_object_t *a, const wes_object_t *b);

/*
 * A hash consistent with wes_object_equal, stable across runs and
 * platforms of the same byte order (it does not depend on addresses).
 * Cached on first use for a frozen object.
 * Thread: any for frozen objects.
 */
WES_API uint64_t wes_object_hash(const wes_object_t *obj);

#ifdef __cplusplus
}
#endif

#endif /* WES_CIM_H */
