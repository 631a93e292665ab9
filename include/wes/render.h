/* SPDX-License-Identifier: MIT */
/*
 * Rendering objects and classes as MOF text and JSON, and reading JSON back
 * into an object of a known class.
 *
 * JSON shape (stable; see docs/json.md):
 *   {"class":"Name","properties":{"Prop":{"type":"uint32","value":5}, ...}}
 * Types are MOF names, "[]" appended for arrays, "object:Class" /
 * "ref:Class" for strong types. sint64/uint64 values are JSON strings of
 * decimal digits (as WMI's VARIANT form; safe for JavaScript readers);
 * datetime, reference and string values are JSON strings; char16 a
 * one-character string (a lone surrogate as its code unit number); real
 * NaN/infinities are the strings "NaN", "Infinity", "-Infinity"; NULL is
 * JSON null; embedded objects nest in the same shape. Properties appear in
 * slot order, NULL ones included.
 *
 * Thread: any, for frozen objects and immutable classes.
 */
#ifndef WES_RENDER_H
#define WES_RENDER_H

#include "cim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags for the renderers. */
#define WES_RENDER_PRETTY 0x1u      /* JSON: indented, one property a line */
#define WES_RENDER_SYSTEM_PROPS 0x2u /* JSON: add "system":{...} */
#define WES_RENDER_NO_TYPES 0x4u    /* JSON: "Prop": value, no type wrapper */
#define WES_RENDER_INHERITED 0x8u   /* class MOF: list inherited properties */

/*
 * MOF text of an instance, as IWbemClassObject::GetObjectText shows it:
 *   instance of Name
 *   {
 *       Prop = value;
 *   };
 * NULL properties are left out; embedded objects nest (`Prop = instance of
 * X {...};`, one tab deeper); 64-bit integers are quoted as GetObjectText
 * shows them; non-finite reals are NaN, Infinity, -Infinity (a wes
 * extension that wes_mof_compile reads back). `flags` is reserved (pass
 * 0). *ret_text is NUL-terminated; free it with wes_free.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_OUT_OF_MEMORY.
 */
WES_API wes_hresult_t wes_object_to_mof(const wes_object_t *obj,
                                        uint32_t flags, char **ret_text);

/* MOF declaration of a class (qualifiers, superclass, properties;
 * with WES_RENDER_INHERITED also the inherited ones, marked by a comment).
 * Free with wes_free. Codes as wes_object_to_mof. */
WES_API wes_hresult_t wes_class_to_mof(const wes_class_t *cls, uint32_t flags,
                                       char **ret_text);

/* JSON text of an instance (one line unless WES_RENDER_PRETTY).
 * Free with wes_free. Codes as wes_object_to_mof. */
WES_API wes_hresult_t wes_object_to_json(const wes_object_t *obj,
                                         uint32_t flags, char **ret_text);

/*
 * Reads one JSON object (the shape above; the "type" wrapper is optional:
 * a bare JSON value is converted to the property's declared type) into a
 * new instance of a class found in `ns`. Unknown classes, unknown
 * properties, values of the wrong JSON kind or out of range for the type,
 * bad datetimes, embedded objects whose class does not fit, nesting beyond
 * WES_MAX_OBJECT_NESTING and malformed JSON are errors with line/column.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs), WES_E_INVALID_SYNTAX
 * (malformed JSON, or JSON not of the shape above: missing "class",
 * unknown member, duplicate property), WES_E_INVALID_CLASS, WES_E_NOT_FOUND
 * (unknown property), WES_E_TYPE_MISMATCH, WES_E_VALUE_OUT_OF_RANGE,
 * WES_E_INVALID_OPERATION (abstract class), WES_E_QUOTA_VIOLATION (nesting),
 * WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_obj is a new, mutable reference.
 */
WES_API wes_hresult_t wes_object_from_json(const wes_namespace_t *ns,
                                           const char *text, size_t len,
                                           wes_object_t **ret_obj,
                                           wes_error_t *reterr);

#ifdef __cplusplus
}
#endif

#endif /* WES_RENDER_H */
