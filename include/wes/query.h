/* SPDX-License-Identifier: MIT */
/*
 * wes query: WQL event queries (and plain data queries) -- parse, check
 * against a namespace, compile to a fast filter, evaluate, analyse and
 * project; plus the restricted-query filter abstraction wes_filter_ops_t.
 *
 * The language, every error code and the coercion and NULL rules are
 * described in docs/wql.md.
 *
 * Ownership: a compiled query (wes_query_t) and a filter (wes_filter_t)
 * are reference counted: wes_x_ref returns its argument, wes_x_unref is
 * NULL-safe and returns NULL. Strings and structs returned by accessors are
 * borrowed from the query and live as long as it does.
 *
 * Thread: a compiled query is immutable. Every function taking a
 * `const wes_query_t *` (matching, accessors, analysis, projection) may be
 * called from any number of threads at once; ref/unref from any thread.
 * A checked query holds a reference on its namespace; do not add classes to
 * that namespace while other threads use it (see cim.h).
 */
#ifndef WES_QUERY_H
#define WES_QUERY_H

#include "cim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wes_query_s wes_query_t;

/* ---- compile flags ---- */

/*
 * Syntax and structure only: no class or property lookups (`ns` may be
 * NULL and is ignored). Such a query can still be matched: properties are
 * then found by name at evaluation time (slower) and constants are
 * converted per value. Used for registration queries naming classes that
 * are defined later, and by tools.
 */
#define WES_QUERY_SYNTAX_ONLY 0x1u
/*
 * A plain data query (`SELECT ... FROM AnyClass WHERE ...`): the FROM
 * class need not be an event class; WITHIN and GROUP are rejected.
 */
#define WES_QUERY_DATA 0x2u
/* Skip the minimum-WITHIN check (WES_QUERY_MIN_WITHIN); WITHIN must still
 * be positive. For a broker that enforces its own minimum. */
#define WES_QUERY_ANY_WITHIN 0x4u

/* Smallest accepted WITHIN interval in seconds (DESIGN 4.7). */
#define WES_QUERY_MIN_WITHIN 0.01

/* Limits (DESIGN 4.22). */
#define WES_QUERY_MAX_LENGTH 16384 /* bytes of text */
#define WES_QUERY_MAX_TERMS 1024   /* predicates in WHERE */
#define WES_QUERY_MAX_DEPTH 64     /* nesting of parentheses and NOT */

/* wes_query_kind */
#define WES_QUERY_KIND_EVENT 1
#define WES_QUERY_KIND_DATA 2

/*
 * Parses, checks and compiles `text` (NUL-terminated UTF-8).
 * Without WES_QUERY_SYNTAX_ONLY the FROM class, every WHERE/BY property
 * path, the ISA classes, operators and constants are checked against `ns`
 * and resolved to precomputed handles. The query keeps a reference on ns.
 * Returns WES_S_OK or:
 *   WES_E_INVALID_PARAMETER  NULL text/ret_query, empty text, or ns NULL
 *                            without WES_QUERY_SYNTAX_ONLY
 *   WES_E_UNPARSABLE_QUERY   syntax error (message names what was expected)
 *   WES_E_INVALID_QUERY      a backslash escape other than \\ \' \";
 *                            unterminated '[' in a LIKE pattern; WITHIN or
 *                            GROUP WITHIN not positive; WITHIN below
 *                            WES_QUERY_MIN_WITHIN; GROUP WITHIN above
 *                            4294967295; WITHIN or GROUP in a data query
 *   WES_E_QUOTA_VIOLATION    text > 16384 bytes, > 1024 predicates, nesting
 *                            > 64, path deeper than 64, any name (class,
 *                            property, path segment, ISA class) > 255 bytes
 *   WES_E_VALUE_OUT_OF_RANGE an integer literal beyond 64 bits
 *   WES_E_MISSING_GROUP_WITHIN    GROUP BY / HAVING without GROUP WITHIN
 *   WES_E_MISSING_AGGREGATION_LIST  BY with no list, or BY *
 *   WES_E_INVALID_CLASS      FROM or ISA class unknown in ns
 *   WES_E_NOT_EVENT_CLASS    FROM class does not derive from __Event
 *   WES_E_INVALID_PROPERTY   unknown property in WHERE/BY, HAVING on
 *                            anything but NumberOfEvents, TargetInstance.X
 *                            with no class to resolve X against (add ISA)
 *   WES_E_PROPERTY_NOT_AN_OBJECT  dot notation on a non-object property
 *   WES_E_AGGREGATING_BY_OBJECT   BY on an embedded object
 *   WES_E_INVALID_OPERATOR   operator not valid for the type (ordering on
 *                            boolean, LIKE on a number, ISA on a
 *                            non-object, any comparison on arrays/objects,
 *                            `< NULL`)
 *   WES_E_TYPE_MISMATCH      constant cannot convert to the property type
 *   WES_E_OUT_OF_MEMORY
 * reterr gets the code, a message and the 1-based line/column (bytes).
 * Ownership: *ret_query is a new reference (untouched on failure).
 * Thread: any (ns must not be modified concurrently).
 */
WES_API wes_hresult_t wes_query_compile(const wes_namespace_t *ns,
                                        const char *text, uint32_t flags,
                                        wes_query_t **ret_query,
                                        wes_error_t *reterr);

/*
 * Checks a query-language name as WMI does before looking at the text:
 * "WQL" (any case) is the only language.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL), or
 * WES_E_INVALID_QUERY_TYPE. Thread: any.
 */
WES_API wes_hresult_t wes_query_check_language(const char *language);

/* Reference counting. Thread: any. */
WES_API wes_query_t *wes_query_ref(wes_query_t *q);
WES_API wes_query_t *wes_query_unref(wes_query_t *q);

/*
 * Matches an object (an event, or an instance for a data query): true when
 * its class is the FROM class or derives from it and the WHERE clause holds.
 * For a checked query, classes are compared by identity: an object whose
 * class belongs to another namespace never matches.
 * Never allocates. A NULL argument gives 0.
 * Returns 1 (match) or 0. Thread: any (obj frozen or owned by the caller).
 */
WES_API int wes_query_match(const wes_query_t *q, const wes_object_t *obj);

/* ---- accessors (all borrowed, all Thread: any) ---- */

/* The text as given. */
WES_API const char *wes_query_text(const wes_query_t *q);
/* The canonical text: keywords upper case, strings single-quoted and
 * escaped, minimal parentheses; compiling it gives the same tree. */
WES_API const char *wes_query_canonical(const wes_query_t *q);
/* WES_QUERY_KIND_EVENT or WES_QUERY_KIND_DATA. */
WES_API uint32_t wes_query_kind(const wes_query_t *q);
/* Non-zero when checked against a namespace (not WES_QUERY_SYNTAX_ONLY). */
WES_API int wes_query_is_checked(const wes_query_t *q);
/* The FROM class name as written. */
WES_API const char *wes_query_class_name(const wes_query_t *q);
/* The FROM class, or NULL for a syntax-only query. */
WES_API const wes_class_t *wes_query_class(const wes_query_t *q);
/* The namespace a checked query was compiled against, or NULL. */
WES_API const wes_namespace_t *wes_query_namespace(const wes_query_t *q);

/* Non-zero for SELECT *. */
WES_API int wes_query_select_all(const wes_query_t *q);
/* SELECT list entries (dotted paths as written); 0 for SELECT *. */
WES_API size_t wes_query_select_count(const wes_query_t *q);
WES_API const char *wes_query_select_at(const wes_query_t *q, size_t i);

/* WITHIN interval in seconds, or 0.0 when there is no WITHIN clause. */
WES_API double wes_query_within(const wes_query_t *q);

/* GROUP WITHIN interval in seconds, or 0.0 when there is no GROUP. */
WES_API double wes_query_group_within(const wes_query_t *q);
/* GROUP BY paths (dotted, as written); 0 when no BY. */
WES_API size_t wes_query_group_by_count(const wes_query_t *q);
WES_API const char *wes_query_group_by_at(const wes_query_t *q, size_t i);
/*
 * Reads the i-th BY value of an event (through embedded objects).
 * Returns WES_S_OK (*ret_value borrowed from obj), WES_S_FALSE (NULL or
 * absent), WES_E_INVALID_PARAMETER (NULLs, i out of range). Never
 * allocates.
 */
WES_API wes_hresult_t wes_query_group_by_value(const wes_query_t *q, size_t i,
                                               const wes_object_t *obj,
                                               wes_value_t *ret_value);
/* Non-zero when there is a HAVING clause. */
WES_API int wes_query_has_having(const wes_query_t *q);
/* Evaluates HAVING for an aggregate of `number_of_events`; 1 when there
 * is no HAVING clause. */
WES_API int wes_query_having_match(const wes_query_t *q,
                                   uint32_t number_of_events);

/* ---- analysis ---- */

/* Predicate operators: WMIQ_RPN_OP values (wmiutils.h), plus NOTLIKE. */
#define WES_QUERY_OP_EQ 1
#define WES_QUERY_OP_NE 2
#define WES_QUERY_OP_GE 3
#define WES_QUERY_OP_LE 4
#define WES_QUERY_OP_LT 5
#define WES_QUERY_OP_GT 6
#define WES_QUERY_OP_LIKE 7
#define WES_QUERY_OP_ISA 8
#define WES_QUERY_OP_ISNOTA 9
#define WES_QUERY_OP_ISNULL 10
#define WES_QUERY_OP_ISNOTNULL 11
#define WES_QUERY_OP_NOTLIKE 12 /* wes: NOT (p LIKE x), p not NULL */

/*
 * One predicate of the DNF or of the index keys. Every comparison
 * operator (EQ .. GT, LIKE, NOTLIKE, ISA, ISNOTA) is false when the
 * property is NULL, so NOT (p = 1) appears as (p <> 1) OR (p IS NULL).
 * `value`: the constant, converted to the property's type in a checked
 * query (a constant that lies outside an integer type keeps the literal's
 * type), else the literal's type (string, sint64/uint64, real64, boolean).
 * ISA/ISNOTA carry the class name as a string; IS [NOT] NULL a NULL
 * value. Strings compare ASCII case-insensitively.
 */
typedef struct wes_query_pred_s {
  const char *path; /* dotted property path as written */
  uint32_t op;      /* WES_QUERY_OP_* */
  wes_value_t value;
  uint32_t line, column;
  const void *reserved; /* for wes_query_pred_read */
} wes_query_pred_t;

/*
 * Reads, from an event, the value a predicate tests (through embedded
 * objects). Returns WES_S_OK (*ret_value borrowed from obj), WES_S_FALSE
 * (NULL or absent), WES_E_INVALID_PARAMETER. Never allocates. Thread: any.
 */
WES_API wes_hresult_t wes_query_pred_read(const wes_query_pred_t *pred,
                                          const wes_object_t *obj,
                                          wes_value_t *ret_value);

/*
 * WHERE in disjunctive normal form: an OR of conjunctions (ANDs) of
 * predicates, what providers can inspect to push filters down (as CMPI's
 * getDOC). No WHERE gives one empty conjunction (always true).
 * wes_query_dnf_count returns WES_S_OK and the number of conjunctions, or
 * WES_E_NOT_SUPPORTED when the DNF would exceed 256 conjunctions or 4096
 * predicates in all (then treat the WHERE as opaque),
 * WES_E_INVALID_PARAMETER.
 */
WES_API wes_hresult_t wes_query_dnf_count(const wes_query_t *q,
                                          size_t *ret_count);
/* Number of predicates of conjunction i (0 when out of range). */
WES_API size_t wes_query_dnf_size(const wes_query_t *q, size_t i);
/* Predicate j of conjunction i, or NULL when out of range. Borrowed. */
WES_API const wes_query_pred_t *wes_query_dnf_pred(const wes_query_t *q,
                                                   size_t i, size_t j);

/*
 * Index keys: the top-level AND terms of WHERE that are = < <= > >= of a
 * property against a non-NULL constant. Every matching event satisfies all
 * of them, so a subscription index may use any one of them to skip the
 * query; the full match must still run.
 */
WES_API size_t wes_query_key_count(const wes_query_t *q);
WES_API const wes_query_pred_t *wes_query_key_at(const wes_query_t *q,
                                                 size_t i);

/*
 * ISA targets of an event query: the classes `TargetInstance` (or
 * TargetClass, TargetNamespace, PreviousInstance...) must be an instance
 * of. Taken from the DNF: every conjunction names one (the most derived
 * when it names several); when some conjunction has none, or the DNF is
 * not available, the count is 0 (any target). wes_query_target_property
 * names the property (NULL when count is 0); target_class is NULL for a
 * syntax-only query.
 */
WES_API size_t wes_query_target_count(const wes_query_t *q);
WES_API const char *wes_query_target_name(const wes_query_t *q, size_t i);
WES_API const wes_class_t *wes_query_target_class(const wes_query_t *q,
                                                  size_t i);
WES_API const char *wes_query_target_property(const wes_query_t *q);

/*
 * False (0) only when no object can satisfy both queries: event classes not
 * related by inheritance, ISA targets disjoint, or every pair of DNF
 * conjunctions has contradictory constraints on one property (different
 * equalities, empty ranges, IS NULL against a comparison, disjoint ISA).
 * Otherwise 1. `ns` (may be NULL) resolves class names of syntax-only
 * queries; unresolvable names are assumed related. Thread: any.
 */
WES_API int wes_query_may_overlap(const wes_query_t *a, const wes_query_t *b,
                                  const wes_namespace_t *ns);

/*
 * Coverage (DESIGN 4.14): non-zero when a provider registration query
 * `reg` covers the consumer query `q`: their event classes are related by
 * inheritance and their ISA targets overlap (no targets = any). The
 * registration's other WHERE terms are ignored. `ns` as for may_overlap.
 */
WES_API int wes_query_covers(const wes_query_t *reg, const wes_query_t *q,
                             const wes_namespace_t *ns);

/*
 * Three-way comparison of two values with WQL semantics (strings ASCII
 * case-insensitive, numbers by value across integer and real types,
 * datetimes as instants, booleans). Returns WES_S_OK with *ret_cmp <0, 0,
 * >0; WES_E_TYPE_MISMATCH when the values are not comparable (or one is
 * NULL); WES_E_INVALID_PARAMETER. Thread: any.
 */
WES_API wes_hresult_t wes_query_value_compare(const wes_value_t *a,
                                              const wes_value_t *b,
                                              int *ret_cmp);
/*
 * A hash consistent with equality under wes_query_value_compare (equal
 * values hash equal; integers and integral reals of the same value alike;
 * strings case-folded). For equality indexes. Thread: any.
 */
WES_API uint64_t wes_query_value_hash(const wes_value_t *v);

/* ---- projection ---- */

/*
 * The object delivered for an event (DESIGN 4.11). SELECT *: a new
 * reference to `obj` itself (no copy). Otherwise a new frozen instance of
 * obj's class holding only the named top-level properties (an embedded
 * object is delivered whole, so `TargetInstance.Name` keeps all of
 * TargetInstance); system properties always; names the class lacks are
 * ignored.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, or obj's class does not
 * derive from the checked FROM class), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_obj is a new reference. Thread: any (obj frozen).
 */
WES_API wes_hresult_t wes_query_project(const wes_query_t *q, wes_object_t *obj,
                                        wes_object_t **ret_obj);

/* ---- the filter abstraction ---- */

typedef struct wes_filter_s wes_filter_t;

#define WES_FILTER_OPS_VERSION_1 1u
#define WES_FILTER_OPS_VERSION WES_FILTER_OPS_VERSION_1

/*
 * A restricted-query filter: anything that can say whether an object
 * passes. The compiled WQL query is the main implementation
 * (wes_filter_from_query); callers may plug their own predicate.
 * The table is const, in static storage, and must not change while used.
 */
typedef struct wes_filter_ops_s {
  uint32_t version; /* WES_FILTER_OPS_VERSION_1 ..; never 0 */
  /*
   * Mandatory. Non-zero when `obj` passes. Must not allocate or block
   * for long, must not call into the broker. Called on: any thread,
   * possibly several at once (the predicate must be thread-safe).
   * Since 0.1 (ops v1).
   */
  int (*match)(void *data, const wes_object_t *obj);
  /*
   * Optional. A human-readable description (the canonical WQL text for a
   * query filter) in *ret_text, to free with wes_free. Returns WES_S_OK or
   * an error code. Called on: any thread. Since 0.1 (ops v1).
   */
  wes_hresult_t (*describe)(void *data, char **ret_text);
  /*
   * Optional. Called once when the last reference to the filter goes.
   * Called on: the thread dropping the last reference. Since 0.1 (ops v1).
   */
  void (*release)(void *data);
  /* ---- members above: version 1. Append only. ---- */
} wes_filter_ops_t;

/*
 * Wraps an ops table and its data into a refcounted filter.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL ops/ret_filter, version
 * 0, match NULL), WES_E_OUT_OF_MEMORY (release is NOT called then).
 * Ownership: *ret_filter is a new reference; `data` belongs to the filter
 * until release runs. Thread: any.
 */
WES_API wes_hresult_t wes_filter_new(const wes_filter_ops_t *ops, void *data,
                                     wes_filter_t **ret_filter);

/*
 * A filter that matches with a compiled query (takes a reference on q).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_OUT_OF_MEMORY.
 */
WES_API wes_hresult_t wes_filter_from_query(wes_query_t *q,
                                            wes_filter_t **ret_filter);

/* Reference counting. Thread: any. */
WES_API wes_filter_t *wes_filter_ref(wes_filter_t *f);
WES_API wes_filter_t *wes_filter_unref(wes_filter_t *f);

/* Calls the filter's match (1 or 0; 0 for NULL arguments). Thread: any. */
WES_API int wes_filter_match(const wes_filter_t *f, const wes_object_t *obj);

/*
 * The filter's description (free with wes_free). Returns WES_S_OK,
 * WES_E_NOT_SUPPORTED (the ops table has no describe), WES_E_INVALID_PARAMETER,
 * WES_E_OUT_OF_MEMORY, or what describe returned. Thread: any.
 */
WES_API wes_hresult_t wes_filter_describe(const wes_filter_t *f,
                                          char **ret_text);

/* The query behind a filter made by wes_filter_from_query (borrowed), or
 * NULL for a custom filter. Thread: any. */
WES_API wes_query_t *wes_filter_query(const wes_filter_t *f);

#ifdef __cplusplus
}
#endif

#endif /* WES_QUERY_H */
