/* SPDX-License-Identifier: MIT */
/*
 * MOF text of instances (as IWbemClassObject::GetObjectText shows them)
 * and of class declarations, plus the helpers that the JSON writer and
 * reader and the MOF compiler share (render_internal.h): numbers, UTF-8,
 * integer ranges, array elements and the value formatter.
 */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_internal.h"
#include "wes/datetime.h"
#include "wes/render.h"

/* ---- shared helpers ---- */

static const char *locale_point(void) {
  const struct lconv *lc = localeconv();
  return (lc != NULL && lc->decimal_point != NULL &&
          lc->decimal_point[0] != '\0')
             ? lc->decimal_point
             : ".";
}

bool wes__render_parse_real(const char *text, size_t len, double *ret) {
  const char *point = locale_point();
  size_t plen = strlen(point), i, n = 0;
  char small[128];
  char *buf = small, *end = NULL;
  bool ok;
  if (len == 0 || len > (SIZE_MAX - 1) / (plen + 1)) {
    return false;
  }
  if (len * plen + 1 > sizeof(small)) {
    buf = wes__malloc(len * plen + 1);
    if (buf == NULL) {
      return false;
    }
  }
  for (i = 0; i < len; i++) {
    char c = text[i];
    if (c == '.') {
      memcpy(buf + n, point, plen);
      n += plen;
    } else if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' ||
               c == 'E') {
      buf[n++] = c;
    } else {
      if (buf != small) {
        wes__free(buf);
      }
      return false;
    }
  }
  buf[n] = '\0';
  *ret = strtod(buf, &end);
  ok = end == buf + n && n > 0;
  if (buf != small) {
    wes__free(buf);
  }
  return ok;
}

wes_hresult_t wes__render_check_datetime(const char *text, wes_error_t *derr) {
  wes_datetime_t dt;
  wes_hresult_t hr = wes_datetime_parse(text, &dt, derr);
  if (WES_FAILED(hr) && hr != WES_E_VALUE_OUT_OF_RANGE) {
    hr = WES_E_TYPE_MISMATCH;
  }
  return hr;
}

bool wes__render_real32_fits(double v) {
  /* FLT_MAX is (2^24 - 1) * 2^104; half its ulp is 2^103. A value of
   * exactly FLT_MAX + 2^103 rounds (to even) up to infinity. */
  return fabs(v) < (double)FLT_MAX + ldexp(1.0, 103);
}

void wes__render_real(wes__buf_t *b, double v, bool is32) {
  const char *point = locale_point();
  size_t plen = strlen(point);
  char text[64], out[64];
  int prec = is32 ? 6 : 15, last = is32 ? 9 : 17;
  size_t i, n = 0, len;
  for (;; prec++) {
    double back = 0;
    snprintf(text, sizeof(text), "%.*g", prec, v);
    /* Normalise the locale's decimal point to '.'. */
    len = strlen(text);
    n = 0;
    for (i = 0; i < len && n + 1 < sizeof(out); i++) {
      if (plen > 0 && strncmp(text + i, point, plen) == 0) {
        out[n++] = '.';
        i += plen - 1;
      } else {
        out[n++] = text[i];
      }
    }
    out[n] = '\0';
    if (prec >= last || (wes__render_parse_real(out, n, &back) &&
                         (is32 ? (float)back == (float)v : back == v))) {
      break;
    }
  }
  wes__buf_append(b, out, n);
}

size_t wes__render_utf8_encode(uint32_t cp, char *u) {
  if (cp < 0x80) {
    u[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  u[0] = (char)(0xF0 | (cp >> 18));
  u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  u[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

void wes__render_put_utf8(wes__buf_t *b, uint32_t cp) {
  char u[4];
  size_t n = wes__render_utf8_encode(cp, u);
  wes__buf_append(b, u, n);
}

size_t wes__render_utf8_decode(const unsigned char *s, size_t n,
                               uint32_t *cp) {
  uint32_t c;
  size_t len, i;
  if (n == 0) {
    return 0;
  }
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  } else if ((s[0] & 0xE0u) == 0xC0u) {
    len = 2;
    c = s[0] & 0x1Fu;
  } else if ((s[0] & 0xF0u) == 0xE0u) {
    len = 3;
    c = s[0] & 0x0Fu;
  } else if ((s[0] & 0xF8u) == 0xF0u) {
    len = 4;
    c = s[0] & 0x07u;
  } else {
    return 0;
  }
  if (n < len) {
    return 0;
  }
  for (i = 1; i < len; i++) {
    if ((s[i] & 0xC0u) != 0x80u) {
      return 0;
    }
    c = (c << 6) | (s[i] & 0x3Fu);
  }
  if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
      (len == 4 && c < 0x10000) || c > 0x10FFFF ||
      (c >= 0xD800 && c <= 0xDFFF)) {
    return 0;
  }
  *cp = c;
  return len;
}

void wes__render_quoted(wes__buf_t *b, const char *s, bool json) {
  wes__buf_putc(b, '"');
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '"':
      wes__buf_puts(b, "\\\"");
      break;
    case '\\':
      wes__buf_puts(b, "\\\\");
      break;
    case '\n':
      wes__buf_puts(b, "\\n");
      break;
    case '\t':
      wes__buf_puts(b, "\\t");
      break;
    case '\r':
      wes__buf_puts(b, "\\r");
      break;
    case '\b':
      wes__buf_puts(b, "\\b");
      break;
    case '\f':
      wes__buf_puts(b, "\\f");
      break;
    default:
      if (json && c < 0x20) {
        wes__buf_printf(b, "\\u%04x", (unsigned)c);
      } else if (!json && (c < 0x20 || c == 0x7f)) {
        wes__buf_printf(b, "\\x%04X", (unsigned)c);
      } else {
        wes__buf_putc(b, (char)c);
      }
    }
  }
  wes__buf_putc(b, '"');
}

void *wes__render_grow(void *arr, size_t *cap, size_t n, size_t size) {
  size_t ncap;
  void *na;
  if (n < *cap) {
    return arr;
  }
  ncap = *cap == 0 ? 8 : *cap * 2;
  if (ncap > SIZE_MAX / size) {
    return NULL;
  }
  na = wes__realloc(arr, ncap * size);
  if (na != NULL) {
    *cap = ncap;
  }
  return na;
}

void wes__render_type_text(wes_cimtype_t type, const char *class_ref, char *buf,
                           size_t size) {
  wes_cimtype_t base = WES_CIM_BASETYPE(type);
  const char *arr = WES_CIM_IS_ARRAY(type) ? "[]" : "";
  if (class_ref != NULL && base == WES_CIM_OBJECT) {
    snprintf(buf, size, "object:%s%s", class_ref, arr);
  } else if (class_ref != NULL && base == WES_CIM_REFERENCE) {
    snprintf(buf, size, "ref:%s%s", class_ref, arr);
  } else {
    snprintf(buf, size, "%s%s", wes_cimtype_name(base), arr);
  }
}

/* ---- integers, array elements, values ---- */

static bool type_is_signed(wes_cimtype_t base) {
  return base == WES_CIM_SINT8 || base == WES_CIM_SINT16 ||
         base == WES_CIM_SINT32 || base == WES_CIM_SINT64;
}

bool wes__render_int_set(wes_value_t *v, wes_cimtype_t base, uint64_t mag,
                         bool neg) {
  uint64_t max_pos, max_neg = 0; /* largest magnitudes allowed */
  switch (base) {
  case WES_CIM_SINT8:
    max_pos = INT8_MAX;
    max_neg = (uint64_t)INT8_MAX + 1u;
    break;
  case WES_CIM_SINT16:
    max_pos = INT16_MAX;
    max_neg = (uint64_t)INT16_MAX + 1u;
    break;
  case WES_CIM_SINT32:
    max_pos = INT32_MAX;
    max_neg = (uint64_t)INT32_MAX + 1u;
    break;
  case WES_CIM_SINT64:
    max_pos = INT64_MAX;
    max_neg = (uint64_t)INT64_MAX + 1u;
    break;
  case WES_CIM_UINT8:
    max_pos = UINT8_MAX;
    break;
  case WES_CIM_UINT16:
  case WES_CIM_CHAR16:
    max_pos = UINT16_MAX;
    break;
  case WES_CIM_UINT32:
    max_pos = UINT32_MAX;
    break;
  case WES_CIM_UINT64:
    max_pos = UINT64_MAX;
    break;
  default:
    return false;
  }
  if (mag == 0) {
    neg = false; /* "-0" */
  }
  if (mag > (neg ? max_neg : max_pos)) {
    return false;
  }
  if (base == WES_CIM_CHAR16) {
    v->u.char16 = (uint16_t)mag;
  } else if (type_is_signed(base)) {
    /* mag - 1 <= INT64_MAX here, so this cannot overflow. */
    v->u.sint = neg ? -(int64_t)(mag - 1u) - 1 : (int64_t)mag;
  } else {
    v->u.uint = mag;
  }
  return true;
}

void wes__render_elem_get(wes_cimtype_t base, const void *data, size_t i,
                          wes_value_t *v) {
  memset(v, 0, sizeof(*v));
  v->type = base;
  switch (base) {
  case WES_CIM_SINT8:
    v->u.sint = ((const int8_t *)data)[i];
    break;
  case WES_CIM_UINT8:
    v->u.uint = ((const uint8_t *)data)[i];
    break;
  case WES_CIM_SINT16:
    v->u.sint = ((const int16_t *)data)[i];
    break;
  case WES_CIM_UINT16:
    v->u.uint = ((const uint16_t *)data)[i];
    break;
  case WES_CIM_SINT32:
    v->u.sint = ((const int32_t *)data)[i];
    break;
  case WES_CIM_UINT32:
    v->u.uint = ((const uint32_t *)data)[i];
    break;
  case WES_CIM_SINT64:
    v->u.sint = ((const int64_t *)data)[i];
    break;
  case WES_CIM_UINT64:
    v->u.uint = ((const uint64_t *)data)[i];
    break;
  case WES_CIM_REAL32:
    v->u.real = ((const float *)data)[i];
    break;
  case WES_CIM_REAL64:
    v->u.real = ((const double *)data)[i];
    break;
  case WES_CIM_BOOLEAN:
    v->u.boolean = ((const uint8_t *)data)[i] != 0;
    break;
  case WES_CIM_CHAR16:
    v->u.char16 = ((const uint16_t *)data)[i];
    break;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    v->u.str = ((const char *const *)data)[i];
    break;
  case WES_CIM_OBJECT:
    v->u.object = ((wes_object_t *const *)data)[i];
    break;
  default:
    v->is_null = 1;
    break;
  }
}

void wes__render_elem_put(wes_cimtype_t base, void *data, size_t i,
                          const wes_value_t *v) {
  switch (base) {
  case WES_CIM_SINT8:
    ((int8_t *)data)[i] = (int8_t)v->u.sint;
    break;
  case WES_CIM_UINT8:
    ((uint8_t *)data)[i] = (uint8_t)v->u.uint;
    break;
  case WES_CIM_SINT16:
    ((int16_t *)data)[i] = (int16_t)v->u.sint;
    break;
  case WES_CIM_UINT16:
    ((uint16_t *)data)[i] = (uint16_t)v->u.uint;
    break;
  case WES_CIM_SINT32:
    ((int32_t *)data)[i] = (int32_t)v->u.sint;
    break;
  case WES_CIM_UINT32:
    ((uint32_t *)data)[i] = (uint32_t)v->u.uint;
    break;
  case WES_CIM_SINT64:
    ((int64_t *)data)[i] = v->u.sint;
    break;
  case WES_CIM_UINT64:
    ((uint64_t *)data)[i] = v->u.uint;
    break;
  case WES_CIM_REAL32:
    ((float *)data)[i] = (float)v->u.real;
    break;
  case WES_CIM_REAL64:
    ((double *)data)[i] = v->u.real;
    break;
  case WES_CIM_BOOLEAN:
    ((uint8_t *)data)[i] = v->u.boolean ? 1u : 0u;
    break;
  case WES_CIM_CHAR16:
    ((uint16_t *)data)[i] = v->u.char16;
    break;
  case WES_CIM_OBJECT:
    ((wes_object_t **)data)[i] = v->u.object;
    break;
  default: /* string, datetime, reference */
    ((const char **)data)[i] = v->u.str;
    break;
  }
}

static void put_scalar(const wes__render_fmt_t *f, wes__buf_t *b,
                       const wes_value_t *v, int indent) {
  switch (WES_CIM_BASETYPE(v->type)) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
    wes__buf_printf(b, "%lld", (long long)v->u.sint);
    break;
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
    wes__buf_printf(b, "%llu", (unsigned long long)v->u.uint);
    break;
  case WES_CIM_SINT64:
    wes__buf_printf(b, "\"%lld\"", (long long)v->u.sint);
    break;
  case WES_CIM_UINT64:
    wes__buf_printf(b, "\"%llu\"", (unsigned long long)v->u.uint);
    break;
  case WES_CIM_REAL32:
  case WES_CIM_REAL64:
    if (isnan(v->u.real)) {
      wes__buf_puts(b, f->nan_text);
    } else if (isinf(v->u.real)) {
      wes__buf_puts(b, v->u.real < 0 ? f->neg_inf_text : f->inf_text);
    } else {
      wes__render_real(b, v->u.real,
                       WES_CIM_BASETYPE(v->type) == WES_CIM_REAL32);
    }
    break;
  case WES_CIM_BOOLEAN:
    wes__buf_puts(b, v->u.boolean ? f->true_text : f->false_text);
    break;
  case WES_CIM_CHAR16:
    f->put_char16(b, v->u.char16);
    break;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    f->put_string(b, v->u.str);
    break;
  case WES_CIM_OBJECT:
    f->put_object(f, b, v->u.object, indent);
    break;
  default:
    wes__buf_puts(b, f->null_text);
    break;
  }
}

void wes__render_value(const wes__render_fmt_t *f, wes__buf_t *b,
                       const wes_value_t *v, int indent) {
  wes_cimtype_t base = WES_CIM_BASETYPE(v->type);
  size_t i;
  if (v->is_null) {
    wes__buf_puts(b, f->null_text);
    return;
  }
  if (!WES_CIM_IS_ARRAY(v->type)) {
    put_scalar(f, b, v, indent);
    return;
  }
  wes__buf_puts(b, f->array_open);
  for (i = 0; i < v->u.array.count; i++) {
    wes_value_t e;
    if (i > 0) {
      wes__buf_puts(b, f->array_sep);
    }
    wes__render_elem_get(base, v->u.array.data, i, &e);
    put_scalar(f, b, &e, indent);
  }
  wes__buf_puts(b, f->array_close);
}

/* ---- MOF values ---- */

static void put_indent(wes__buf_t *b, int indent) {
  int i;
  for (i = 0; i < indent; i++) {
    wes__buf_putc(b, '\t');
  }
}

/* A MOF string literal: backslash escapes for '"', '\\' and controls. */
static void put_mof_string(wes__buf_t *b, const char *s) {
  wes__render_quoted(b, s, false);
}

static void put_mof_char16(wes__buf_t *b, uint16_t c) {
  wes__buf_putc(b, '\'');
  if (c == '\'' || c == '\\') {
    wes__buf_putc(b, '\\');
    wes__buf_putc(b, (char)c);
  } else if (c < 0x20 || c == 0x7f || (c >= 0xD800 && c <= 0xDFFF)) {
    wes__buf_printf(b, "\\x%04X", (unsigned)c);
  } else {
    wes__render_put_utf8(b, c);
  }
  wes__buf_putc(b, '\'');
}

static void put_instance(const wes__render_fmt_t *f, wes__buf_t *b,
                         const wes_object_t *obj, int indent);

/* MOF literals: arrays in braces, TRUE/FALSE, bare NaN/Infinity. */
static const wes__render_fmt_t mof_fmt = {
    .array_open = "{",
    .array_sep = ", ",
    .array_close = "}",
    .true_text = "TRUE",
    .false_text = "FALSE",
    .null_text = "NULL",
    .nan_text = "NaN",
    .inf_text = "Infinity",
    .neg_inf_text = "-Infinity",
    .put_string = put_mof_string,
    .put_char16 = put_mof_char16,
    .put_object = put_instance,
    .ctx = NULL,
};

/* A whole value. */
static void put_mof_value(wes__buf_t *b, const wes_value_t *v, int indent) {
  wes__render_value(&mof_fmt, b, v, indent);
}

/*
 * "instance of X\n<indent>{\n<indent+1>P = v;\n...<indent>}" (no trailing
 * ';'). Embedded objects are frozen, so their nesting is bounded by
 * WES_MAX_OBJECT_NESTING and the recursion with it.
 */
static void put_instance(const wes__render_fmt_t *f, wes__buf_t *b,
                         const wes_object_t *obj, int indent) {
  const wes_class_t *cls = obj->cls;
  uint32_t i;
  wes__buf_puts(b, "instance of ");
  wes__buf_puts(b, cls->name);
  wes__buf_putc(b, '\n');
  put_indent(b, indent);
  wes__buf_puts(b, "{\n");
  for (i = 0; i < obj->count && i < cls->nprops; i++) {
    const wes_value_t *v = wes__object_slot(obj, i);
    if (v->is_null) {
      continue;
    }
    put_indent(b, indent + 1);
    wes__buf_puts(b, cls->props[i].name);
    wes__buf_puts(b, " = ");
    wes__render_value(f, b, v, indent + 1);
    wes__buf_puts(b, ";\n");
  }
  put_indent(b, indent);
  wes__buf_putc(b, '}');
}

static wes_hresult_t take(wes__buf_t *b, char **ret_text) {
  char *text = wes__buf_take(b);
  if (text == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  *ret_text = text;
  return WES_S_OK;
}

WES_API wes_hresult_t wes_object_to_mof(const wes_object_t *obj, uint32_t flags,
                                        char **ret_text) {
  wes__buf_t b;
  (void)flags;
  if (obj == NULL || ret_text == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  wes__buf_init(&b);
  put_instance(&mof_fmt, &b, obj, 0);
  wes__buf_puts(&b, ";\n");
  return take(&b, ret_text);
}

/* ---- class declarations ---- */

static bool qual_is(const wes__qualifier_t *q, const char *name) {
  return wes__strcasecmp(q->name, name) == 0;
}

/* "[a, b(1), c{"x", "y"}]" followed by a space, or nothing. `key` and
 * `abstract` are added from the flags when no qualifier carries them;
 * CIMTYPE is left out (the declared type shows it). */
static void put_qualifiers(wes__buf_t *b, const wes__qualifier_t *q, uint32_t n,
                           const char *implied, bool multiline, int indent) {
  uint32_t i;
  bool any = false;
  bool have_implied = implied == NULL;
  for (i = 0; i < n && !have_implied; i++) {
    have_implied = qual_is(&q[i], implied);
  }
  if (!have_implied) {
    wes__buf_putc(b, '[');
    wes__buf_puts(b, implied);
    any = true;
  }
  for (i = 0; i < n; i++) {
    const wes_value_t *v = &q[i].value;
    if (qual_is(&q[i], "CIMTYPE")) {
      continue;
    }
    wes__buf_puts(b, any ? ", " : "[");
    any = true;
    wes__buf_puts(b, q[i].name);
    if (v->is_null) {
      continue;
    }
    if (v->type == WES_CIM_BOOLEAN) {
      if (!v->u.boolean) {
        wes__buf_puts(b, "(FALSE)");
      }
    } else if (WES_CIM_IS_ARRAY(v->type)) {
      put_mof_value(b, v, indent);
    } else {
      wes__buf_putc(b, '(');
      put_mof_value(b, v, indent);
      wes__buf_putc(b, ')');
    }
  }
  if (any) {
    wes__buf_puts(b, multiline ? "]\n" : "] ");
  }
}

static void put_property_decl(wes__buf_t *b, const wes__property_t *p) {
  wes_cimtype_t base = WES_CIM_BASETYPE(p->type);
  wes__buf_putc(b, '\t');
  put_qualifiers(b, p->quals, p->nquals,
                 (p->flags & WES_PROP_KEY) != 0 ? "key" : NULL, false, 1);
  if (base == WES_CIM_OBJECT && p->class_ref != NULL) {
    wes__buf_puts(b, p->class_ref);
  } else if (base == WES_CIM_REFERENCE) {
    wes__buf_puts(b, p->class_ref != NULL ? p->class_ref : "object");
    wes__buf_puts(b, " ref");
  } else {
    wes__buf_puts(b, wes_cimtype_name(base));
  }
  wes__buf_putc(b, ' ');
  wes__buf_puts(b, p->name);
  if (WES_CIM_IS_ARRAY(p->type)) {
    wes__buf_puts(b, "[]");
  }
  if (!p->def.is_null) {
    wes__buf_puts(b, " = ");
    put_mof_value(b, &p->def, 1);
  }
  wes__buf_puts(b, ";\n");
}

WES_API wes_hresult_t wes_class_to_mof(const wes_class_t *cls, uint32_t flags,
                                       char **ret_text) {
  wes__buf_t b;
  uint32_t i;
  const char *group = NULL;
  bool inherited_shown = false;
  if (cls == NULL || ret_text == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  wes__buf_init(&b);
  put_qualifiers(&b, cls->quals, cls->nquals,
                 (cls->flags & WES_CLASS_ABSTRACT) != 0 ? "abstract" : NULL,
                 true, 0);
  wes__buf_puts(&b, "class ");
  wes__buf_puts(&b, cls->name);
  if (cls->superclass != NULL) {
    wes__buf_puts(&b, " : ");
    wes__buf_puts(&b, cls->superclass->name);
  }
  wes__buf_puts(&b, "\n{\n");
  for (i = 0; i < cls->nprops; i++) {
    const wes__property_t *p = &cls->props[i];
    bool inherited = (p->flags & WES_PROP_INHERITED) != 0;
    if (inherited && (flags & WES_RENDER_INHERITED) == 0) {
      continue;
    }
    if ((flags & WES_RENDER_INHERITED) != 0) {
      /* One comment line before each run of properties of one origin. */
      const char *origin = inherited ? p->origin : cls->name;
      if (group == NULL || wes__strcasecmp(group, origin) != 0) {
        if (inherited) {
          wes__buf_printf(&b, "\t/* inherited from %s */\n", origin);
          inherited_shown = true;
        } else if (inherited_shown) {
          wes__buf_printf(&b, "\t/* declared in %s */\n", origin);
        }
        group = origin;
      }
    }
    put_property_decl(&b, p);
  }
  wes__buf_puts(&b, "};\n");
  return take(&b, ret_text);
}
