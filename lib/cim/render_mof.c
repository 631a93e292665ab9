/* SPDX-License-Identifier: MIT */
/*
 * MOF text of instances (as IWbemClassObject::GetObjectText shows them)
 * and of class declarations, plus the number/UTF-8 helpers the JSON code
 * shares (render_internal.h).
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_internal.h"
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

/* ---- MOF values ---- */

static void put_indent(wes__buf_t *b, int indent) {
  int i;
  for (i = 0; i < indent; i++) {
    wes__buf_putc(b, '\t');
  }
}

/* A MOF string literal: backslash escapes for '"', '\\' and controls. */
static void put_mof_string(wes__buf_t *b, const char *s) {
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
      if (c < 0x20 || c == 0x7f) {
        wes__buf_printf(b, "\\x%04X", (unsigned)c);
      } else {
        wes__buf_putc(b, (char)c);
      }
    }
  }
  wes__buf_putc(b, '"');
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

static void put_mof_real(wes__buf_t *b, double v, bool is32) {
  if (isnan(v)) {
    wes__buf_puts(b, "NaN");
  } else if (isinf(v)) {
    wes__buf_puts(b, v < 0 ? "-Infinity" : "Infinity");
  } else {
    wes__render_real(b, v, is32);
  }
}

static void put_instance(wes__buf_t *b, const wes_object_t *obj, int indent);

/* One scalar of base type `base` at `p` (array element layout). */
static void put_mof_elem(wes__buf_t *b, wes_cimtype_t base, const void *p,
                         int indent) {
  switch (base) {
  case WES_CIM_SINT8:
    wes__buf_printf(b, "%d", (int)*(const int8_t *)p);
    break;
  case WES_CIM_UINT8:
    wes__buf_printf(b, "%u", (unsigned)*(const uint8_t *)p);
    break;
  case WES_CIM_SINT16:
    wes__buf_printf(b, "%d", (int)*(const int16_t *)p);
    break;
  case WES_CIM_UINT16:
    wes__buf_printf(b, "%u", (unsigned)*(const uint16_t *)p);
    break;
  case WES_CIM_SINT32:
    wes__buf_printf(b, "%ld", (long)*(const int32_t *)p);
    break;
  case WES_CIM_UINT32:
    wes__buf_printf(b, "%lu", (unsigned long)*(const uint32_t *)p);
    break;
  case WES_CIM_SINT64:
    wes__buf_printf(b, "\"%lld\"", (long long)*(const int64_t *)p);
    break;
  case WES_CIM_UINT64:
    wes__buf_printf(b, "\"%llu\"", (unsigned long long)*(const uint64_t *)p);
    break;
  case WES_CIM_REAL32:
    put_mof_real(b, *(const float *)p, true);
    break;
  case WES_CIM_REAL64:
    put_mof_real(b, *(const double *)p, false);
    break;
  case WES_CIM_BOOLEAN:
    wes__buf_puts(b, *(const uint8_t *)p ? "TRUE" : "FALSE");
    break;
  case WES_CIM_CHAR16:
    put_mof_char16(b, *(const uint16_t *)p);
    break;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    put_mof_string(b, *(const char *const *)p);
    break;
  case WES_CIM_OBJECT:
    put_instance(b, *(const wes_object_t *const *)p, indent);
    break;
  default:
    wes__buf_puts(b, "NULL");
    break;
  }
}

/* A whole (non-NULL) value. */
static void put_mof_value(wes__buf_t *b, const wes_value_t *v, int indent) {
  wes_cimtype_t base = WES_CIM_BASETYPE(v->type);
  if (WES_CIM_IS_ARRAY(v->type)) {
    size_t i, esz = wes__cimtype_elem_size(base);
    const char *data = v->u.array.data;
    wes__buf_putc(b, '{');
    for (i = 0; i < v->u.array.count; i++) {
      if (i > 0) {
        wes__buf_puts(b, ", ");
      }
      put_mof_elem(b, base, data + i * esz, indent);
    }
    wes__buf_putc(b, '}');
    return;
  }
  switch (base) {
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
    put_mof_real(b, v->u.real, true);
    break;
  case WES_CIM_REAL64:
    put_mof_real(b, v->u.real, false);
    break;
  case WES_CIM_BOOLEAN:
    wes__buf_puts(b, v->u.boolean ? "TRUE" : "FALSE");
    break;
  case WES_CIM_CHAR16:
    put_mof_char16(b, v->u.char16);
    break;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    put_mof_string(b, v->u.str);
    break;
  case WES_CIM_OBJECT:
    put_instance(b, v->u.object, indent);
    break;
  default:
    wes__buf_puts(b, "NULL");
    break;
  }
}

/*
 * "instance of X\n<indent>{\n<indent+1>P = v;\n...<indent>}" (no trailing
 * ';'). Embedded objects are frozen, so their nesting is bounded by
 * WES_MAX_OBJECT_NESTING and the recursion with it.
 */
static void put_instance(wes__buf_t *b, const wes_object_t *obj, int indent) {
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
    put_mof_value(b, v, indent + 1);
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
  put_instance(&b, obj, 0);
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
