/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the MOF and JSON renderers (render_mof.c,
 * json_write.c), the JSON reader (json_read.c) and the MOF compiler
 * (mof_lex.c, mof_parse.c). They are defined in render_mof.c. Nothing
 * here is exported.
 */
#ifndef WES_RENDER_INTERNAL_H
#define WES_RENDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cim_internal.h"

/*
 * Appends the shortest decimal text of a finite real that reads back to
 * the same value (as float when is32), always with '.' as the decimal
 * point whatever the C locale, e.g. "1.5", "1e+20", "-0". Callers handle
 * NaN and infinities themselves.
 */
void wes__render_real(wes__buf_t *b, double v, bool is32);

/*
 * Parses a JSON/MOF number text (ASCII, '.' decimal point, exponent
 * allowed) of `len` bytes into a double regardless of the C locale.
 * Returns false when the text is not a number (or out of memory for a
 * very long text).
 */
bool wes__render_parse_real(const char *text, size_t len, double *ret);

/* Writes the UTF-8 encoding of code point cp (< 0x110000, no
 * surrogates) into out (4 bytes room) and returns its length. */
size_t wes__render_utf8_encode(uint32_t cp, char *out);

/* Appends the UTF-8 encoding of cp (as wes__render_utf8_encode). */
void wes__render_put_utf8(wes__buf_t *b, uint32_t cp);

/*
 * Decodes the UTF-8 sequence at s (n bytes available) into *cp and
 * returns its length, or 0 when it is not valid UTF-8 (overlong,
 * surrogate, above U+10FFFF, truncated, stray continuation byte, n 0).
 */
size_t wes__render_utf8_decode(const unsigned char *s, size_t n,
                               uint32_t *cp);

/*
 * True when the finite double v converts to a finite real32: |v| below
 * FLT_MAX plus half a unit in the last place, so that the shortest text
 * of FLT_MAX ("3.4028235e+38", slightly above it) still reads back.
 */
bool wes__render_real32_fits(double v);

/*
 * Checks the text of a datetime value: WES_S_OK, WES_E_VALUE_OUT_OF_RANGE
 * (a field out of range) or WES_E_TYPE_MISMATCH (not DMTF datetime text),
 * with the parser's message in *derr.
 */
wes_hresult_t wes__render_check_datetime(const char *text, wes_error_t *derr);

/*
 * Appends s in double quotes with backslash escapes for '"', '\\', \n, \t,
 * \r, \b, \f; other control characters as JSON writes them ("\u001f")
 * when json, else as MOF does ("\x001F", DEL included).
 */
void wes__render_quoted(wes__buf_t *b, const char *s, bool json);

/*
 * Makes room for element n of an array of `size`-byte elements at `arr`
 * with capacity *cap (doubling it). Returns the (possibly moved) array,
 * or NULL when out of memory (the old array is then still valid and *cap
 * unchanged).
 */
void *wes__render_grow(void *arr, size_t *cap, size_t n, size_t size);

/* The type text of the JSON shape: "uint32", "string[]", "object:Foo",
 * "ref:Foo[]" (written into buf, NUL-terminated, truncated to size). */
void wes__render_type_text(wes_cimtype_t type, const char *class_ref, char *buf,
                           size_t size);

/*
 * Stores the integer -mag (neg) or mag as a scalar of integer type `base`
 * (sint8 .. uint64, or char16 as 0 .. 65535) in v->u.sint, v->u.uint or
 * v->u.char16. Returns false, leaving v untouched, when the value is
 * outside the type's range or `base` is not one of those types. "-0" is 0.
 */
bool wes__render_int_set(wes_value_t *v, wes_cimtype_t base, uint64_t mag,
                         bool neg);

/* Reads element i of array data of base type `base` (layout of
 * wes_array_t) into *ret as a non-NULL scalar of that type (borrowed). */
void wes__render_elem_get(wes_cimtype_t base, const void *data, size_t i,
                          wes_value_t *ret);

/* Stores the scalar *v as element i of array data of base type `base`
 * (reals narrowed to float for real32, booleans to 0/1). */
void wes__render_elem_put(wes_cimtype_t base, void *data, size_t i,
                          const wes_value_t *v);

/*
 * How wes__render_value writes a value: the texts and writers in which the
 * MOF and the JSON forms differ. put_object receives the format itself
 * (ctx is the renderer's state).
 */
typedef struct wes__render_fmt_s wes__render_fmt_t;
struct wes__render_fmt_s {
  const char *array_open;  /* "[" or "{" */
  const char *array_sep;   /* "," or ", " */
  const char *array_close; /* "]" or "}" */
  const char *true_text;
  const char *false_text;
  const char *null_text;    /* NULL values and unknown types */
  const char *nan_text;     /* reals: NaN, +infinity, -infinity */
  const char *inf_text;
  const char *neg_inf_text;
  void (*put_string)(wes__buf_t *b, const char *s); /* string, datetime,
                                                       reference */
  void (*put_char16)(wes__buf_t *b, uint16_t c);
  void (*put_object)(const wes__render_fmt_t *f, wes__buf_t *b,
                     const wes_object_t *obj, int indent);
  void *ctx;
};

/*
 * Appends value *v (scalar or array, NULL included) in format f. Integers
 * are decimal, 64-bit ones quoted (as GetObjectText and WMI's VARIANT
 * strings show them); finite reals as wes__render_real. `indent` is
 * passed on to put_object.
 */
void wes__render_value(const wes__render_fmt_t *f, wes__buf_t *b,
                       const wes_value_t *v, int indent);

#endif /* WES_RENDER_INTERNAL_H */
