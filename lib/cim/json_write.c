/* SPDX-License-Identifier: MIT */
/*
 * JSON text of an instance in the stable shape of include/wes/render.h and
 * docs/json.md:
 *   {"class":"Name","properties":{"Prop":{"type":"uint32","value":5}}}
 */
#include <stdio.h>
#include <string.h>

#include "render_internal.h"
#include "wes/render.h"

typedef struct {
  wes__buf_t *b;
  uint32_t flags;
  wes__render_fmt_t fmt; /* values; fmt.ctx points back here */
} jw_t;

static void put_json_string(wes__buf_t *b, const char *s) {
  wes__render_quoted(b, s, true);
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

static void fmt_object(const wes__render_fmt_t *f, wes__buf_t *b,
                       const wes_object_t *obj, int indent) {
  (void)b;
  put_object(f->ctx, obj, indent);
}

static void put_value(jw_t *w, const wes_value_t *v, int indent) {
  wes__render_value(&w->fmt, w->b, v, indent);
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

/* Renders obj into b (a storing or a counting buffer). */
static void render_json(const wes_object_t *obj, uint32_t flags,
                        wes__buf_t *b) {
  jw_t w;
  w.b = b;
  w.flags = flags;
  w.fmt.array_open = "[";
  w.fmt.array_sep = (flags & WES_RENDER_PRETTY) != 0 ? ", " : ",";
  w.fmt.array_close = "]";
  w.fmt.true_text = "true";
  w.fmt.false_text = "false";
  w.fmt.null_text = "null";
  w.fmt.nan_text = "\"NaN\"";
  w.fmt.inf_text = "\"Infinity\"";
  w.fmt.neg_inf_text = "\"-Infinity\"";
  w.fmt.put_string = put_json_string;
  w.fmt.put_char16 = put_json_char16;
  w.fmt.put_object = fmt_object;
  w.fmt.ctx = &w;
  put_object(&w, obj, 0);
  if ((flags & WES_RENDER_PRETTY) != 0) {
    wes__buf_putc(b, '\n');
  }
}

WES_API wes_hresult_t wes_object_to_json(const wes_object_t *obj,
                                         uint32_t flags, char **ret_text) {
  wes__buf_t b;
  char *text;
  if (obj == NULL || ret_text == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  wes__buf_init(&b);
  render_json(obj, flags, &b);
  text = wes__buf_take(&b);
  if (text == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  *ret_text = text;
  return WES_S_OK;
}

uint32_t wes__object_json_size(const wes_object_t *obj) {
  wes__buf_t b;
  uint32_t n = obj->frozen ? atomic_load_explicit(&obj->json_size,
                                                  memory_order_relaxed)
                           : 0;
  if (n != 0) {
    return n;
  }
  wes__buf_init_counting(&b);
  render_json(obj, 0, &b);
  n = b.len == 0 ? 1 : b.len > UINT32_MAX ? UINT32_MAX : (uint32_t)b.len;
  if (obj->frozen) {
    /* frozen: the text never changes; racing writers store the same */
    atomic_store_explicit(&((wes_object_t *)obj)->json_size, n,
                          memory_order_relaxed);
  }
  return n;
}
