/* SPDX-License-Identifier: MIT */
/*
 * MOF compiler: class declarations (superclass, qualifiers, properties of
 * every CIM type and arrays, embedded-object and `ref` types, defaults),
 * `instance of` blocks, comments, and `#pragma namespace`.
 *
 * Thread: a compile modifies its namespace; do not run it concurrently with
 * other users of that namespace.
 */
#ifndef WES_MOF_H
#define WES_MOF_H

#include "cim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wes_mof_result_s wes_mof_result_t;

/*
 * Compiles MOF text into `ns`: each class is added to the namespace as it
 * is declared (classes may use classes declared earlier in the text or
 * already in the namespace); instances are built, frozen and collected in
 * the result. `filename` is used only in log messages (may be NULL).
 * `text` is UTF-8 (a UTF-8 byte-order mark is skipped; text starting with
 * a UTF-16 LE/BE byte-order mark is converted first); `len` bytes are
 * read, a NUL byte inside is a syntax error. NULL text with len 0 is an
 * empty text.
 * On failure nothing of this text stays in the namespace (classes added by
 * it are removed again), *ret_result is untouched, and reterr carries the
 * 1-based line and column (in characters) of the first error and a message
 * saying what was expected. docs/mof.md lists what is accepted.
 * `#pragma namespace("\\\\.\\root\\x")` is recorded in the result
 * (the text's classes still go to `ns`; tools use the recorded name).
 * Methods and qualifier declarations are parsed and ignored.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL ns, or NULL text with
 * len > 0), WES_E_INVALID_SYNTAX (malformed text),
 * WES_E_INVALID_CLASS (unknown class in `instance of`, `ref`,
 * EmbeddedInstance or CIMTYPE; class name starting with '_'),
 * WES_E_INVALID_SUPERCLASS (unknown superclass), WES_E_ALREADY_EXISTS
 * (class, property, alias or instance property declared twice),
 * WES_E_INVALID_CIM_TYPE (unknown type name), WES_E_INVALID_PROPERTY
 * (unknown property in an instance, property name starting with '_'),
 * WES_E_TYPE_MISMATCH (value of the wrong kind, override with another
 * type, embedded instance of the wrong class), WES_E_VALUE_OUT_OF_RANGE
 * (number outside its type, datetime field out of range),
 * WES_E_INVALID_QUALIFIER (qualifier in the wrong place, given twice, or
 * contradicting the type), WES_E_INVALID_QUALIFIER_TYPE (e.g. `key("x")`),
 * WES_E_CANNOT_BE_KEY ([key] on a real, object or array property),
 * WES_E_INVALID_OPERATION (instance of an abstract class),
 * WES_E_NOT_SUPPORTED (`#pragma include`, `deleteclass`,
 * `deleteinstance`; a non-NULL default for an embedded-object property),
 * WES_E_QUOTA_VIOLATION (embedded instances nested beyond
 * WES_MAX_OBJECT_NESTING levels below the top-level instance, or value
 * braces beyond 130), WES_E_CLASS_NAME_TOO_WIDE, WES_E_PROPERTY_NAME_TOO_WIDE,
 * WES_E_QUALIFIER_NAME_TOO_WIDE (names over 255 bytes),
 * WES_E_TOO_MANY_PROPERTIES, WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_result is new; free with wes_mof_result_free (NULL ok
 * for ret_result if the caller needs nothing back).
 * Thread: see the top of this file.
 */
WES_API wes_hresult_t wes_mof_compile(wes_namespace_t *ns, const char *text,
                                      size_t len, const char *filename,
                                      wes_mof_result_t **ret_result,
                                      wes_error_t *reterr);

/* Reads a file and compiles it as wes_mof_compile does (the path is the
 * filename); adds WES_E_NOT_FOUND (cannot open or read: sys_error = errno,
 * line and column 0). Thread: as wes_mof_compile. */
WES_API wes_hresult_t wes_mof_compile_file(wes_namespace_t *ns,
                                           const char *path,
                                           wes_mof_result_t **ret_result,
                                           wes_error_t *reterr);

/* Classes declared by the text, in order (borrowed from the result; NULL
 * for an index out of range; count 0 for a NULL result). Thread: any. */
WES_API size_t wes_mof_result_class_count(const wes_mof_result_t *r);
WES_API wes_class_t *wes_mof_result_class_at(const wes_mof_result_t *r,
                                             size_t i);
/* Instances built by the text, in order (borrowed; frozen; NULL for an
 * index out of range). Thread: any. */
WES_API size_t wes_mof_result_instance_count(const wes_mof_result_t *r);
WES_API wes_object_t *wes_mof_result_instance_at(const wes_mof_result_t *r,
                                                 size_t i);
/* The last `#pragma namespace` value with escapes resolved (the usual
 * line gives `\\.\root\cimv2`), or NULL. Borrowed. Thread: any. */
WES_API const char *wes_mof_result_pragma_namespace(const wes_mof_result_t *r);

/* Frees a result (NULL-safe). Thread: any. */
WES_API void wes_mof_result_free(wes_mof_result_t *r);

#ifdef __cplusplus
}
#endif

#endif /* WES_MOF_H */
