/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the MOF and JSON renderers (render_mof.c,
 * json_write.c) and the JSON reader (json_read.c). Nothing here is
 * exported.
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
 * Returns false when the text is not a number.
 */
bool wes__render_parse_real(const char *text, size_t len, double *ret);

/* Writes the UTF-8 encoding of code point cp (< 0x110000, no
 * surrogates) into out (4 bytes room) and returns its length. */
size_t wes__render_utf8_encode(uint32_t cp, char *out);

/* Appends the UTF-8 encoding of cp (as wes__render_utf8_encode). */
void wes__render_put_utf8(wes__buf_t *b, uint32_t cp);

/* The type text of the JSON shape: "uint32", "string[]", "object:Foo",
 * "ref:Foo[]" (written into buf, NUL-terminated, truncated to size). */
void wes__render_type_text(wes_cimtype_t type, const char *class_ref, char *buf,
                           size_t size);

#endif /* WES_RENDER_INTERNAL_H */
