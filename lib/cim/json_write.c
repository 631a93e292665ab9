/* SPDX-License-Identifier: MIT */
/*
 * JSON text of an instance in the stable shape of include/wes/render.h and
 * docs/json.md:
 *   {"class":"Name","properties":{"Prop":{"type":"uint32","value":5}}}
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render_internal.h"
#include "wes/render.h"

typedef struct {
  wes__buf_t *b;
  uint32_t flags;
} jw_t;

static void put_json_string(wes__buf_t *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
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
      if (c < 0x20) {
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        wes__buf_append(b, esc, sizeof(esc));
      } else {
        wes__buf_putc(b, (char)c);
      }
    }
  }
  wes__buf_putc(b, '"');
}

static void newline(jw_t *w, int indent) {
  int i;
  if ((w->flags & WES_RENDER_PRETTY) == 0) {
    return;
  }
  wes__buf_putc(w->b, '\n');
  for (i = 0; i < indent; i++) {
    wes__buf_puts(w->b, "  ");
  }
}

static void put_key(jw_t *w, const char *key) {
  put_json_string(w->b, key);
  wes__buf_puts(w->b, (w->flags & WES_RENDER_PRETTY) != 0 ? ": " : ":");
}

static void put_json_real(wes__buf_t *b, double v, bool is32) {
  if (isnan(v)) {
    wes__buf_puts(b, "\"NaN\"");
  } else if (isinf(v)) {
    wes__buf_puts(b, v < 0 ? "\"-Infinity\"" : "\"Infinity\"");
  } else {
    wes__render_real(b, v, is32);
  }
}

static void put_json_char16(wes__buf_t *b, uint16_t c) {
  if (c >= 0xD800 && c <= 0xDFFF) {
    /* A lone UTF-16 surrogate has no UTF-8 form: write the code unit. */
    wes__buf_printf(b, "%u", (unsigned)c);
  } else if (c == 0) {
    wes__buf_puts(b, "\"\\u0000\"");
  } else {
    char s[5];
    s[wes__render_utf8_encode(c, s)] = '\0';
    put_json_string(b, s);
  }
}

static void put_object(jw_t *w, const wes_object_t *obj, int indent);

static void put_elem(jw_t *w, wes_cimtype_t base, const void *p, int indent) {
  wes__buf_t *b = w->b;
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
    put_json_real(b, *(const float *)p, true);
    break;
  case WES_CIM_REAL64:
    put_json_real(b, *(const double *)p, false);
    break;
  case WES_CIM_BOOLEAN:
    wes__buf_puts(b, *(const uint8_t *)p ? "true" : "false");
    break;
  case WES_CIM_CHAR16:
    put_json_char16(b, *(const uint16_t *)p);
    break;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    put_json_string(b, *(const char *const *)p);
    break;
  case WES_CIM_OBJECT:
    put_object(w, *(const wes_object_t *const *)p, indent);
    break;
  default:
    wes__buf_puts(b, "null");
    break;
  }
}

static void put_value(jw_t *w, const wes_value_t *v, int indent) {
  wes__buf_t *b = w->b;
  wes_cimtype_t base = WES_CIM_BASETYPE(v->type);
  if (v->is_null) {
    wes__buf_puts(b, "null");
    return;
  }
  if (WES_CIM_IS_ARRAY(v->type)) {
    size_t i, esz = wes__cimtype_elem_size(base);
    const char *data = v->u.array.data;
    wes__buf_putc(b, '[');
    for (i = 0; i < v->u.array.count; i++) {
      if (i > 0) {
        wes__buf_puts(b, (w->flags & WES_RENDER_PRETTY) != 0 ? ", " : ",");
      }
      put_elem(w, base, data + i * esz, indent);
    }
    wes__buf_putc(b, ']');
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
    put_json_real(b, v->u.real, true);
    break;
  case WES_CIM_REAL64:
    put_json_real(b, v->u.real, false);
    break;
  case WES_CIM_BOOLEAN:
    wes__buf_puts(b, v->u.boolean ? "true" : "false");
    break;
  case WES_CIM_CHAR16:
    put_json_char16(b, v->u.char16);
    break;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    put_json_string(b, v->u.str);
    break;
  case WES_CIM_OBJECT:
    put_object(w, v->u.object, indent);
    break;
  default:
    wes__buf_puts(b, "null");
    break;
  }
}

/* "system":{...}: the system properties as bare values. */
static void put_system(jw_t *w, const wes_object_t *obj, int indent) {
  static const char *const names[] = {
      "__CLASS",  "__SUPERCLASS",     "__DYNASTY", "__DERIVATION",
      "__GENUS",  "__NAMESPACE",      "__PATH",    "__RELPATH",
      "__SERVER", "__PROPERTY_COUNT",
  };
  size_t i;
  put_key(w, "system");
  wes__buf_putc(w->b, '{');
  for (i = 0; i < WES__ARRAY_SIZE(names); i++) {
    wes_value_t v;
    if (i > 0) {
      wes__buf_putc(w->b, ',');
    }
    newline(w, indent + 1);
    put_key(w, names[i]);
    if (WES_FAILED(wes_object_get(obj, names[i], &v))) {
      wes__buf_puts(w->b, "null");
    } else {
      put_value(w, &v, indent + 1);
    }
  }
  newline(w, indent);
  wes__buf_putc(w->b, '}');
}

/* Embedded objects are frozen, so their nesting (and this recursion) is
 * bounded by WES_MAX_OBJECT_NESTING. */
static void put_object(jw_t *w, const wes_object_t *obj, int indent) {
  const wes_class_t *cls = obj->cls;
  uint32_t i;
  bool typed = (w->flags & WES_RENDER_NO_TYPES) == 0;
  wes__buf_putc(w->b, '{');
  newline(w, indent + 1);
  put_key(w, "class");
  put_json_string(w->b, cls->name);
  wes__buf_putc(w->b, ',');
  if ((w->flags & WES_RENDER_SYSTEM_PROPS) != 0) {
    newline(w, indent + 1);
    put_system(w, obj, indent + 1);
    wes__buf_putc(w->b, ',');
  }
  newline(w, indent + 1);
  put_key(w, "properties");
  wes__buf_putc(w->b, '{');
  for (i = 0; i < obj->count && i < cls->nprops; i++) {
    const wes__property_t *p = &cls->props[i];
    if (i > 0) {
      wes__buf_putc(w->b, ',');
    }
    newline(w, indent + 2);
    put_key(w, p->name);
    if (typed) {
      char type[WES_MAX_IDENTIFIER + 16];
      wes__render_type_text(p->type, p->class_ref, type, sizeof(type));
      wes__buf_putc(w->b, '{');
      put_key(w, "type");
      put_json_string(w->b, type);
      wes__buf_puts(w->b, (w->flags & WES_RENDER_PRETTY) != 0 ? ", " : ",");
      put_key(w, "value");
      put_value(w, wes__object_slot(obj, i), indent + 2);
      wes__buf_putc(w->b, '}');
    } else {
      put_value(w, wes__object_slot(obj, i), indent + 2);
    }
  }
  if (cls->nprops > 0) {
    newline(w, indent + 1);
  }
  wes__buf_putc(w->b, '}');
  newline(w, indent);
  wes__buf_putc(w->b, '}');
}

WES_API wes_hresult_t wes_object_to_json(const wes_object_t *obj,
                                         uint32_t flags, char **ret_text) {
  wes__buf_t b;
  jw_t w;
  char *text;
  if (obj == NULL || ret_text == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  wes__buf_init(&b);
  w.b = &b;
  w.flags = flags;
  put_object(&w, obj, 0);
  if ((flags & WES_RENDER_PRETTY) != 0) {
    wes__buf_putc(&b, '\n');
  }
  text = wes__buf_take(&b);
  if (text == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  *ret_text = text;
  return WES_S_OK;
}
