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
 * already in the namespace); instances are built and collected in the
 * result. `filename` is used only in messages (may be NULL).
 * On failure nothing of this text stays in the namespace (classes added by
 * it are removed again), *ret_result is untouched, and reterr carries the
 * line and column of the first error.
 * `#pragma namespace("\\\\.\\root\\x")` is recorded in the result (the
 * text's classes still go to `ns`; tools use the recorded name).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs), WES_E_INVALID_SYNTAX
 * (malformed text), WES_E_INVALID_CLASS (unknown class), 
 * WES_E_INVALID_SUPERCLASS, WES_E_ALREADY_EXISTS, WES_E_INVALID_CIM_TYPE,
 * WES_E_INVALID_PROPERTY (unknown property in an instance),
 * WES_E_TYPE_MISMATCH, WES_E_VALUE_OUT_OF_RANGE, WES_E_INVALID_QUALIFIER,
 * WES_E_INVALID_OPERATION (instance of an abstract class),
 * WES_E_QUOTA_VIOLATION (nesting beyond 64), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_result is new; free with wes_mof_result_free (NULL ok
 * for ret_result if the caller needs nothing back).
 */
WES_API wes_hresult_t wes_mof_compile(wes_namespace_t *ns, const char *text,
                                      size_t len, const char *filename,
                                      wes_mof_result_t **ret_result,
                                      wes_error_t *reterr);

/* Reads a file and compiles it; adds WES_E_NOT_FOUND (cannot open) with
 * sys_error = errno. */
WES_API wes_hresult_t wes_mof_compile_file(wes_namespace_t *ns,
                                           const char *path,
                                           wes_mof_result_t **ret_result,
                                           wes_error_t *reterr);

/* Classes declared by the text, in order (borrowed from the result). */
WES_API size_t wes_mof_result_class_count(const wes_mof_result_t *r);
WES_API wes_class_t *wes_mof_result_class_at(const wes_mof_result_t *r,
                                             size_t i);
/* Instances built by the text, in order (borrowed; frozen). */
WES_API size_t wes_mof_result_instance_count(const wes_mof_result_t *r);
WES_API wes_object_t *wes_mof_result_instance_at(const wes_mof_result_t *r,
                                                 size_t i);
/* The last `#pragma namespace` value, or NULL. Borrowed. */
WES_API const char *wes_mof_result_pragma_namespace(const wes_mof_result_t *r);

/* Frees a result (NULL-safe). Thread: any. */
WES_API void wes_mof_result_free(wes_mof_result_t *r);

#ifdef __cplusplus
}
#endif

#endif /* WES_MOF_H */
