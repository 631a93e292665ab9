/* SPDX-License-Identifier: MIT */
/*
 * MOF compiler: a recursive-descent parser over the lexer of mof_lex.c
 * that builds classes and instances through the public cim API.
 *
 * Grammar accepted (keywords case-insensitive):
 *   mof          = { pragma | qualifierDecl | [quals] classDecl
 *                    | [quals] instanceDecl }
 *   pragma       = "#" "pragma" name [ "(" tokens ")" ]
 *   qualifierDecl= "qualifier" name ":" type [array] ["=" value]
 *                  { "," name "(" tokens ")" } ";"            (ignored)
 *   classDecl    = "class" name [":" super] "{" { feature } "}" ";"
 *   feature      = [quals] type ["ref"] name ( property | method )
 *   property     = [array] ["=" value] ";"
 *   method       = "(" [param {"," param}] ")" ";"             (ignored)
 *   instanceDecl = "instance" "of" class ["as" $alias] body ";"
 *   body         = "{" { [quals] name "=" value ";" } "}"
 *   quals        = "[" qual {"," qual} "]"
 *   qual         = name [ "(" value ")" | array-value ] [":" flavor...]
 *   value        = number | real | string {string} | char16 | TRUE
 *                | FALSE | NULL | $alias | "instance" "of" class body
 *                | "{" [value {"," value}] "}"
 *
 * Recursion happens only through values (arrays and nested instances)
 * and is bounded by WES__MOF_MAX_DEPTH; embedded instances are also
 * bounded by WES_MAX_OBJECT_NESTING.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_internal.h"
#include "mof_internal.h"
#include "render_internal.h"

struct wes_mof_result_s {
  wes_class_t **classes;
  size_t nclasses;
  size_t cap_classes;
  wes_object_t **instances;
  size_t ninstances;
  size_t cap_instances;
  char *pragma_ns;
};

/* ---- literal values (parsed before they are typed) ---- */

#define LIT_INT 1
#define LIT_REAL 2
#define LIT_STRING 3
#define LIT_CHAR 4
#define LIT_BOOL 5
#define LIT_NULL 6
#define LIT_ALIAS 7
#define LIT_OBJECT 8
#define LIT_ARRAY 9

typedef struct lit_s {
  int kind;
  uint32_t line;
  uint32_t col;
  uint64_t mag;
  bool neg;
  bool overflow;
  bool special; /* REAL written NaN / Infinity / -Infinity */
  double real;
  uint16_t ch;
  int boolean;
  char *str;          /* STRING (decoded), ALIAS (name) */
  wes_object_t *obj;  /* OBJECT: owned reference */
  struct lit_s *items; /* ARRAY */
  size_t n;
} lit_t;

typedef struct qual_s {
  char *name;
  bool has_value;
  lit_t value;
  uint32_t line;
  uint32_t col;
} qual_t;

typedef struct qual_list_s {
  qual_t *items;
  size_t n;
  size_t cap;
} qual_list_t;

typedef struct alias_s {
  char *name;
  wes_object_t *obj; /* borrowed from the result */
} alias_t;

typedef struct parser_s {
  wes_namespace_t *ns;
  wes__mof_lexer_t lx;
  wes__mof_tok_t tok;      /* current token */
  wes__mof_tok_t ahead[2]; /* look-ahead tokens */
  int nahead;
  wes_error_t *err;
  wes_mof_result_t *res;
  int depth;     /* braces of values, bounded by WES__MOF_MAX_DEPTH */
  int obj_depth; /* embedded instance bodies (the top-level one not
                    counted), bounded by WES_MAX_OBJECT_NESTING */
  alias_t *aliases;
  size_t naliases;
  size_t cap_aliases;
  const char *cur_class; /* name of the class being declared, or NULL */
} parser_t;

/* ---- helpers ---- */

static wes_hresult_t perr(parser_t *p, wes_hresult_t code, uint32_t line,
                          uint32_t col, const char *fmt, ...)
    WES_PRINTF(5, 6);

static wes_hresult_t perr(parser_t *p, wes_hresult_t code, uint32_t line,
                          uint32_t col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wes__verror(p->err, code, line, col, fmt, ap);
  va_end(ap);
  return code;
}

static wes_hresult_t oom(parser_t *p) {
  return perr(p, WES_E_OUT_OF_MEMORY, p->tok.line, p->tok.col,
              "out of memory");
}

static wes_hresult_t next(parser_t *p) {
  if (p->nahead > 0) {
    p->tok = p->ahead[0];
    p->ahead[0] = p->ahead[1];
    p->nahead--;
    return WES_S_OK;
  }
  return wes__mof_lex_next(&p->lx, &p->tok, p->err);
}

/* Token k (1 or 2) after the current one. */
static wes_hresult_t peek(parser_t *p, int k, const wes__mof_tok_t **ret) {
  while (p->nahead < k) {
    wes_hresult_t hr =
        wes__mof_lex_next(&p->lx, &p->ahead[p->nahead], p->err);
    if (WES_FAILED(hr)) {
      return hr;
    }
    p->nahead++;
  }
  *ret = &p->ahead[k - 1];
  return WES_S_OK;
}

static wes_hresult_t unexpected(parser_t *p, const char *what) {
  char d[64];
  wes__mof_tok_describe(&p->tok, d, sizeof(d));
  return perr(p, WES_E_INVALID_SYNTAX, p->tok.line, p->tok.col,
              "expected %s, found %s", what, d);
}

/* Consumes punctuation `c` or fails with "expected 'c' <context>". */
static wes_hresult_t expect(parser_t *p, int c, const char *context) {
  if (p->tok.kind != c) {
    char d[64];
    wes__mof_tok_describe(&p->tok, d, sizeof(d));
    return perr(p, WES_E_INVALID_SYNTAX, p->tok.line, p->tok.col,
                "expected '%c' %s, found %s", c, context, d);
  }
  return next(p);
}

/* Copies the current IDENT token's text (NUL-terminated) into *ret. */
static wes_hresult_t take_ident(parser_t *p, const char *what, char **ret,
                                uint32_t *line, uint32_t *col) {
  if (p->tok.kind != WES__MOF_TOK_IDENT) {
    return unexpected(p, what);
  }
  *ret = wes__strndup(p->tok.start, p->tok.len);
  if (*ret == NULL) {
    return oom(p);
  }
  if (line != NULL) {
    *line = p->tok.line;
    *col = p->tok.col;
  }
  return next(p);
}

/*
 * After an item of a comma-separated list: consumes ',' (*more set) or
 * the closing `close` (*more cleared); anything else fails with
 * "expected <what>".
 */
static wes_hresult_t list_next(parser_t *p, int close, const char *what,
                               bool *more) {
  if (p->tok.kind != ',' && p->tok.kind != close) {
    return unexpected(p, what);
  }
  *more = p->tok.kind == ',';
  return next(p);
}

/* Consumes the current token and then the keyword `kw` that must follow
 * it ("instance" "of", "#" "pragma"); `what` names it in the error. */
static wes_hresult_t skip_then_keyword(parser_t *p, const char *kw,
                                       const char *what) {
  wes_hresult_t hr = next(p);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (!wes__mof_tok_is(&p->tok, kw)) {
    return unexpected(p, what);
  }
  return next(p);
}

static wes_hresult_t enter(parser_t *p, uint32_t line, uint32_t col) {
  if (p->depth >= WES__MOF_MAX_DEPTH) {
    return perr(p, WES_E_QUOTA_VIOLATION, line, col,
                "nesting deeper than %d levels", WES__MOF_MAX_DEPTH);
  }
  p->depth++;
  return WES_S_OK;
}

static void lit_clear(lit_t *l) {
  size_t i;
  for (i = 0; i < l->n; i++) {
    lit_clear(&l->items[i]);
  }
  wes__free(l->items);
  wes__free(l->str);
  wes_object_unref(l->obj);
  memset(l, 0, sizeof(*l));
}

static void quals_clear(qual_list_t *q) {
  size_t i;
  for (i = 0; i < q->n; i++) {
    wes__free(q->items[i].name);
    lit_clear(&q->items[i].value);
  }
  wes__free(q->items);
  memset(q, 0, sizeof(*q));
}

static const qual_t *quals_find(const qual_list_t *q, const char *name) {
  size_t i;
  for (i = 0; i < q->n; i++) {
    if (wes__strcasecmp(q->items[i].name, name) == 0) {
      return &q->items[i];
    }
  }
  return NULL;
}

static const alias_t *alias_find(const parser_t *p, const char *name) {
  size_t i;
  for (i = 0; i < p->naliases; i++) {
    if (wes__strcasecmp(p->aliases[i].name, name) == 0) {
      return &p->aliases[i];
    }
  }
  return NULL;
}

/* ---- values ---- */

static wes_hresult_t parse_instance_body(parser_t *p, bool top,
                                         wes_object_t **ret_obj);

static wes_hresult_t parse_value(parser_t *p, lit_t *out) {
  wes_hresult_t hr;
  memset(out, 0, sizeof(*out));
  out->line = p->tok.line;
  out->col = p->tok.col;
  switch (p->tok.kind) {
  case '{': {
    size_t cap = 0;
    bool more = true;
    hr = enter(p, p->tok.line, p->tok.col);
    if (WES_FAILED(hr)) {
      return hr;
    }
    out->kind = LIT_ARRAY;
    hr = next(p);
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (p->tok.kind == '}') {
      more = false;
      hr = next(p);
    }
    while (more && WES_SUCCEEDED(hr)) {
      lit_t *ni = wes__render_grow(out->items, &cap, out->n, sizeof(lit_t));
      if (ni == NULL) {
        return oom(p);
      }
      out->items = ni;
      hr = parse_value(p, &out->items[out->n]);
      out->n++; /* a partly parsed element is freed with the rest */
      if (WES_SUCCEEDED(hr)) {
        hr = list_next(p, '}', "',' or '}' in an array value", &more);
      }
    }
    p->depth--;
    return hr;
  }
  case WES__MOF_TOK_INT:
    out->kind = LIT_INT;
    out->mag = p->tok.mag;
    out->neg = p->tok.neg;
    out->overflow = p->tok.overflow;
    return next(p);
  case WES__MOF_TOK_REAL:
    out->kind = LIT_REAL;
    out->real = p->tok.real;
    out->overflow = p->tok.overflow && !p->tok.special;
    out->special = p->tok.special;
    return next(p);
  case WES__MOF_TOK_CHAR:
    out->kind = LIT_CHAR;
    out->ch = p->tok.ch;
    return next(p);
  case WES__MOF_TOK_STRING: {
    wes__buf_t b;
    wes__buf_init(&b);
    while (p->tok.kind == WES__MOF_TOK_STRING) {
      hr = wes__mof_string_decode(&p->tok, &b);
      if (WES_FAILED(hr)) {
        wes__buf_free(&b);
        return oom(p);
      }
      hr = next(p);
      if (WES_FAILED(hr)) {
        wes__buf_free(&b);
        return hr;
      }
    }
    wes__buf_putc(&b, '\0'); /* so that "" gives an empty string */
    if (b.oom) {
      wes__buf_free(&b);
      return oom(p);
    }
    out->kind = LIT_STRING;
    out->str = b.data; /* owned; NUL-terminated */
    return WES_S_OK;
  }
  case WES__MOF_TOK_ALIAS:
    out->kind = LIT_ALIAS;
    out->str = wes__strndup(p->tok.start, p->tok.len);
    if (out->str == NULL) {
      return oom(p);
    }
    return next(p);
  case WES__MOF_TOK_IDENT:
    if (wes__mof_tok_is(&p->tok, "true") ||
        wes__mof_tok_is(&p->tok, "false")) {
      out->kind = LIT_BOOL;
      out->boolean = wes__mof_tok_is(&p->tok, "true");
      return next(p);
    }
    if (wes__mof_tok_is(&p->tok, "null")) {
      out->kind = LIT_NULL;
      return next(p);
    }
    if (wes__mof_tok_is(&p->tok, "nan") ||
        wes__mof_tok_is(&p->tok, "infinity")) {
      /* wes extension (DMTF MOF has no such literals): what
       * wes_object_to_mof writes for non-finite reals */
      out->kind = LIT_REAL;
      out->special = true;
      out->real = wes__mof_tok_is(&p->tok, "nan") ? (double)NAN : INFINITY;
      return next(p);
    }
    if (wes__mof_tok_is(&p->tok, "instance")) {
      hr = skip_then_keyword(p, "of", "'of' after 'instance'");
      if (WES_FAILED(hr)) {
        return hr;
      }
      out->kind = LIT_OBJECT;
      return parse_instance_body(p, false, &out->obj);
    }
    return unexpected(p, "a value");
  default:
    return unexpected(p, "a value");
  }
}

/* Memory a typed value borrows from besides its literal (array data). */
typedef struct conv_mem_s {
  void *data;
} conv_mem_t;

/* Stores integer literal l as type t (integer or char16) in *v; false
 * when it does not fit. */
static bool lit_int_set(const lit_t *l, wes_cimtype_t t, wes_value_t *v) {
  return !l->overflow && wes__render_int_set(v, t, l->mag, l->neg);
}

static bool type_is_int(wes_cimtype_t t) {
  switch (t) {
  case WES_CIM_SINT8:
  case WES_CIM_UINT8:
  case WES_CIM_SINT16:
  case WES_CIM_UINT16:
  case WES_CIM_SINT32:
  case WES_CIM_UINT32:
  case WES_CIM_SINT64:
  case WES_CIM_UINT64:
    return true;
  default:
    return false;
  }
}

static bool keys_all_set(const wes_object_t *obj);

static const char *lit_kind_name(int kind) {
  switch (kind) {
  case LIT_INT:
    return "an integer";
  case LIT_REAL:
    return "a real number";
  case LIT_STRING:
    return "a string";
  case LIT_CHAR:
    return "a char16 literal";
  case LIT_BOOL:
    return "a boolean";
  case LIT_NULL:
    return "NULL";
  case LIT_ALIAS:
    return "an alias";
  case LIT_OBJECT:
    return "an instance";
  default:
    return "an array";
  }
}

/*
 * Types a scalar literal as base type `t` into *v (no array flag).
 * Strings and objects are borrowed from the literal.
 */
static wes_hresult_t conv_scalar(parser_t *p, const lit_t *l,
                                 wes_cimtype_t t, const char *class_ref,
                                 wes_value_t *v) {
  memset(v, 0, sizeof(*v));
  v->type = t;
  if (l->kind == LIT_INT && (type_is_int(t) || t == WES_CIM_CHAR16)) {
    if (!lit_int_set(l, t, v)) {
      return perr(p, WES_E_VALUE_OUT_OF_RANGE, l->line, l->col,
                  "integer out of range for %s", wes_cimtype_name(t));
    }
    return WES_S_OK;
  }
  if ((l->kind == LIT_INT || l->kind == LIT_REAL) &&
      (t == WES_CIM_REAL32 || t == WES_CIM_REAL64)) {
    double d;
    if (l->kind == LIT_INT) {
      d = (double)l->mag;
      if (l->neg) {
        d = -d;
      }
    } else {
      d = l->real;
    }
    if (!l->special && (l->overflow || (t == WES_CIM_REAL32 &&
                                        !wes__render_real32_fits(d)))) {
      return perr(p, WES_E_VALUE_OUT_OF_RANGE, l->line, l->col,
                  "real number out of range for %s", wes_cimtype_name(t));
    }
    v->u.real = d;
    return WES_S_OK;
  }
  if (l->kind == LIT_STRING &&
      (t == WES_CIM_SINT64 || t == WES_CIM_UINT64)) {
    /* 64-bit integers travel as strings in WMI (VARIANT VT_BSTR) and
     * GetObjectText quotes them: accept an integer literal in quotes. */
    wes__mof_lexer_t lx;
    wes__mof_tok_t tok;
    wes_error_t ignored;
    lit_t num;
    wes__mof_lex_init(&lx, l->str, strlen(l->str));
    if (strchr("+-0123456789", l->str[0]) == NULL || l->str[0] == '\0' ||
        WES_FAILED(wes__mof_lex_next(&lx, &tok, &ignored)) ||
        tok.kind != WES__MOF_TOK_INT || lx.pos != lx.len) {
      return perr(p, WES_E_TYPE_MISMATCH, l->line, l->col,
                  "the string is not an integer for a %s property",
                  wes_cimtype_name(t));
    }
    num = *l;
    num.kind = LIT_INT;
    num.mag = tok.mag;
    num.neg = tok.neg;
    num.overflow = tok.overflow;
    num.str = NULL;
    return conv_scalar(p, &num, t, class_ref, v);
  }
  if (l->kind == LIT_STRING && t == WES_CIM_STRING) {
    v->u.str = l->str;
    return WES_S_OK;
  }
  if (l->kind == LIT_STRING && t == WES_CIM_DATETIME) {
    wes_error_t derr;
    wes_hresult_t hr = wes__render_check_datetime(l->str, &derr);
    if (WES_FAILED(hr)) {
      return perr(p, hr, l->line, l->col, "not a valid DMTF datetime: %s",
                  derr.text);
    }
    v->u.str = l->str;
    return WES_S_OK;
  }
  if (l->kind == LIT_STRING && t == WES_CIM_REFERENCE) {
    v->u.str = l->str;
    return WES_S_OK;
  }
  if (l->kind == LIT_CHAR && t == WES_CIM_CHAR16) {
    v->u.char16 = l->ch;
    return WES_S_OK;
  }
  if (l->kind == LIT_BOOL && t == WES_CIM_BOOLEAN) {
    v->u.boolean = l->boolean;
    return WES_S_OK;
  }
  if (l->kind == LIT_OBJECT && t == WES_CIM_OBJECT) {
    if (class_ref != NULL &&
        !wes_class_derives_from(wes_object_class(l->obj), class_ref)) {
      return perr(p, WES_E_TYPE_MISMATCH, l->line, l->col,
                  "instance of %s is not a %s",
                  wes_class_name(wes_object_class(l->obj)), class_ref);
    }
    v->u.object = l->obj;
    return WES_S_OK;
  }
  if (l->kind == LIT_ALIAS && t == WES_CIM_REFERENCE) {
    const alias_t *a = alias_find(p, l->str);
    wes_value_t path;
    if (a == NULL) {
      return perr(p, WES_E_INVALID_SYNTAX, l->line, l->col,
                  "alias '$%s' is not defined (aliases must be declared "
                  "before use)",
                  l->str);
    }
    if (class_ref != NULL && !wes_object_isa(a->obj, class_ref)) {
      return perr(p, WES_E_TYPE_MISMATCH, l->line, l->col,
                  "alias '$%s' is an instance of %s, not of %s", l->str,
                  wes_class_name(wes_object_class(a->obj)), class_ref);
    }
    if (WES_FAILED(wes_object_get(a->obj, "__RELPATH", &path)) ||
        path.is_null || path.type != WES_CIM_STRING) {
      if (keys_all_set(a->obj)) {
        return oom(p); /* the path text could not be built */
      }
      return perr(p, WES_E_TYPE_MISMATCH, l->line, l->col,
                  "alias '$%s' has no object path (no key values)", l->str);
    }
    v->u.str = path.u.str;
    return WES_S_OK;
  }
  return perr(p, WES_E_TYPE_MISMATCH, l->line, l->col,
              "%s cannot be assigned to a %s property", lit_kind_name(l->kind),
              wes_cimtype_name(t));
}

/* True when the object's class has key properties and all are set. */
static bool keys_all_set(const wes_object_t *obj) {
  const wes_class_t *c = wes_object_class(obj);
  size_t i, n = wes_class_property_count(c), nkeys = 0;
  for (i = 0; i < n; i++) {
    wes_property_info_t info;
    wes_value_t v;
    if (WES_FAILED(wes_class_property_at(c, i, &info))) {
      return false;
    }
    if (info.flags & WES_PROP_KEY) {
      if (WES_FAILED(wes_object_get(obj, info.name, &v)) || v.is_null) {
        return false;
      }
      nkeys++;
    }
  }
  return nkeys > 0;
}

/*
 * Types literal l as `type` (array flag allowed) into *v. Array data is
 * allocated in mem->data (free with wes__free after use); everything else
 * is borrowed from l or from aliased instances.
 */
static wes_hresult_t conv_value(parser_t *p, const lit_t *l,
                                wes_cimtype_t type, const char *class_ref,
                                wes_value_t *v, conv_mem_t *mem) {
  wes_cimtype_t base = WES_CIM_BASETYPE(type);
  mem->data = NULL;
  if (l->kind == LIT_NULL) {
    memset(v, 0, sizeof(*v));
    v->type = type;
    v->is_null = 1;
    return WES_S_OK;
  }
  if (!WES_CIM_IS_ARRAY(type)) {
    if (l->kind == LIT_ARRAY) {
      return perr(p, WES_E_TYPE_MISMATCH, l->line, l->col,
                  "an array value cannot be assigned to a %s property "
                  "(not an array)",
                  wes_cimtype_name(type));
    }
    return conv_scalar(p, l, type, class_ref, v);
  }
  if (l->kind != LIT_ARRAY) {
    return perr(p, WES_E_TYPE_MISMATCH, l->line, l->col,
                "expected an array value {...} for a %s[] property, found %s",
                wes_cimtype_name(base), lit_kind_name(l->kind));
  }
  {
    size_t esize = wes__cimtype_elem_size(base);
    size_t i;
    if (esize == 0) {
      return perr(p, WES_E_INVALID_CIM_TYPE, l->line, l->col,
                  "no arrays of this type");
    }
    if (l->n > 0) {
      mem->data = wes__calloc(l->n, esize);
      if (mem->data == NULL) {
        return oom(p);
      }
    }
    for (i = 0; i < l->n; i++) {
      wes_value_t ev;
      const lit_t *e = &l->items[i];
      wes_hresult_t hr;
      if (e->kind == LIT_ARRAY) {
        hr = perr(p, WES_E_TYPE_MISMATCH, e->line, e->col,
                  "arrays of arrays are not allowed");
      } else if (e->kind == LIT_NULL) {
        hr = perr(p, WES_E_TYPE_MISMATCH, e->line, e->col,
                  "NULL is not allowed as an array element");
      } else {
        hr = conv_scalar(p, e, base, class_ref, &ev);
      }
      if (WES_FAILED(hr)) {
        wes__free(mem->data);
        mem->data = NULL;
        return hr;
      }
      wes__render_elem_put(base, mem->data, i, &ev);
    }
    memset(v, 0, sizeof(*v));
    v->type = type;
    v->u.array.data = mem->data;
    v->u.array.count = l->n;
  }
  return WES_S_OK;
}

/* ---- qualifiers ---- */

static bool is_flavor(const wes__mof_tok_t *t) {
  static const char *const flavors[] = {
      "EnableOverride", "DisableOverride", "Restricted",  "ToSubclass",
      "NotToSubclass",  "ToInstance",      "NotToInstance", "Translatable",
      "Amended"};
  size_t i;
  for (i = 0; i < WES__ARRAY_SIZE(flavors); i++) {
    if (wes__mof_tok_is(t, flavors[i])) {
      return true;
    }
  }
  return false;
}

/* Parses "[ qual, ... ]" (current token '[') into *q (appending). */
static wes_hresult_t parse_quals(parser_t *p, qual_list_t *q) {
  wes_hresult_t hr = next(p);
  bool more = true;
  while (more && WES_SUCCEEDED(hr)) {
    qual_t *it;
    qual_t *ni = wes__render_grow(q->items, &q->cap, q->n, sizeof(qual_t));
    if (ni == NULL) {
      return oom(p);
    }
    q->items = ni;
    it = &q->items[q->n];
    memset(it, 0, sizeof(*it));
    if (p->tok.kind != WES__MOF_TOK_IDENT) {
      return unexpected(p, "a qualifier name");
    }
    {
      char *name = wes__strndup(p->tok.start, p->tok.len);
      uint32_t line = p->tok.line, col = p->tok.col;
      if (name == NULL) {
        return oom(p);
      }
      if (quals_find(q, name) != NULL) {
        hr = perr(p, WES_E_INVALID_QUALIFIER, line, col,
                  "qualifier '%s' given twice", name);
        wes__free(name);
        return hr;
      }
      it->name = name;
      it->line = line;
      it->col = col;
      q->n++;
    }
    hr = next(p);
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (p->tok.kind == '(') {
      hr = next(p);
      if (WES_SUCCEEDED(hr)) {
        it->has_value = true;
        hr = parse_value(p, &it->value);
      }
      if (WES_SUCCEEDED(hr)) {
        hr = expect(p, ')', "after the qualifier value");
      }
    } else if (p->tok.kind == '{') {
      it->has_value = true;
      hr = parse_value(p, &it->value);
    }
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (it->has_value && it->value.kind == LIT_OBJECT) {
      return perr(p, WES_E_INVALID_QUALIFIER, it->value.line, it->value.col,
                  "a qualifier value cannot be an instance");
    }
    if (p->tok.kind == ':') {
      hr = next(p);
      if (WES_FAILED(hr)) {
        return hr;
      }
      if (!is_flavor(&p->tok)) {
        return unexpected(p, "a qualifier flavor (ToSubclass, "
                             "EnableOverride, ...)");
      }
      while (is_flavor(&p->tok)) {
        hr = next(p);
        if (WES_FAILED(hr)) {
          return hr;
        }
      }
    }
    hr = list_next(p, ']', "',' or ']' in a qualifier list", &more);
  }
  return hr;
}

/* The boolean meaning of a flag qualifier ([key], [key(true)]). */
static wes_hresult_t qual_bool(parser_t *p, const qual_t *q, bool *ret) {
  if (!q->has_value) {
    *ret = true;
    return WES_S_OK;
  }
  if (q->value.kind != LIT_BOOL) {
    return perr(p, WES_E_INVALID_QUALIFIER_TYPE, q->value.line, q->value.col,
                "qualifier '%s' takes a boolean value", q->name);
  }
  *ret = q->value.boolean != 0;
  return WES_S_OK;
}

/* The value type of a qualifier literal element. */
static wes_cimtype_t qual_elem_type(const lit_t *l) {
  switch (l->kind) {
  case LIT_INT: {
    wes_value_t v;
    return lit_int_set(l, WES_CIM_SINT32, &v) ? WES_CIM_SINT32
                                              : WES_CIM_SINT64;
  }
  case LIT_REAL:
    return WES_CIM_REAL64;
  case LIT_BOOL:
    return WES_CIM_BOOLEAN;
  case LIT_CHAR:
    return WES_CIM_CHAR16;
  case LIT_STRING:
    return WES_CIM_STRING;
  default:
    return WES_CIM_EMPTY;
  }
}

/* Stores qualifier q on cls (property NULL for the class). */
static wes_hresult_t apply_qual(parser_t *p, wes_class_t *cls,
                                const char *prop, const qual_t *q) {
  wes_value_t v;
  conv_mem_t mem = {NULL};
  wes_hresult_t hr;
  uint32_t line = q->has_value ? q->value.line : q->line;
  uint32_t col = q->has_value ? q->value.col : q->col;
  if (!q->has_value) {
    memset(&v, 0, sizeof(v));
    v.type = WES_CIM_BOOLEAN;
    v.u.boolean = 1;
  } else if (q->value.kind == LIT_ARRAY) {
    wes_cimtype_t t = WES_CIM_EMPTY;
    size_t i;
    for (i = 0; i < q->value.n; i++) {
      wes_cimtype_t et = qual_elem_type(&q->value.items[i]);
      if (et == WES_CIM_EMPTY) {
        return perr(p, WES_E_INVALID_QUALIFIER_TYPE, q->value.items[i].line,
                    q->value.items[i].col,
                    "qualifier array elements must be numbers, strings, "
                    "booleans or char16");
      }
      if (t == WES_CIM_EMPTY || t == et) {
        t = et;
      } else if ((t == WES_CIM_SINT32 || t == WES_CIM_SINT64) &&
                 (et == WES_CIM_SINT32 || et == WES_CIM_SINT64)) {
        t = WES_CIM_SINT64;
      } else if ((t == WES_CIM_SINT32 || t == WES_CIM_SINT64 ||
                  t == WES_CIM_REAL64) &&
                 (et == WES_CIM_SINT32 || et == WES_CIM_SINT64 ||
                  et == WES_CIM_REAL64)) {
        t = WES_CIM_REAL64;
      } else {
        return perr(p, WES_E_INVALID_QUALIFIER_TYPE, q->value.items[i].line,
                    q->value.items[i].col,
                    "qualifier array elements of different types");
      }
    }
    if (t == WES_CIM_EMPTY) {
      t = WES_CIM_STRING; /* {} */
    }
    hr = conv_value(p, &q->value, t | WES_CIM_FLAG_ARRAY, NULL, &v, &mem);
    if (WES_FAILED(hr)) {
      return hr;
    }
  } else if (q->value.kind == LIT_NULL) {
    memset(&v, 0, sizeof(v));
    v.type = WES_CIM_STRING;
    v.is_null = 1;
  } else {
    wes_cimtype_t t = qual_elem_type(&q->value);
    if (t == WES_CIM_EMPTY) {
      return perr(p, WES_E_INVALID_QUALIFIER_TYPE, line, col,
                  "qualifier '%s' has a value of a type qualifiers cannot "
                  "hold",
                  q->name);
    }
    if (q->value.overflow) {
      return perr(p, WES_E_VALUE_OUT_OF_RANGE, line, col,
                  "number out of range in qualifier '%s'", q->name);
    }
    hr = conv_value(p, &q->value, t, NULL, &v, &mem);
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  hr = wes_class_set_qualifier(cls, prop, q->name, &v);
  wes__free(mem.data);
  if (WES_FAILED(hr)) {
    return perr(p, hr, q->line, q->col, "cannot set qualifier '%s': %s",
                q->name, wes_strerror(hr));
  }
  return WES_S_OK;
}

/* ---- class declarations ---- */

/* Resolves a class name used as a type: the class being declared or one in
 * the namespace. Returns the canonical name (borrowed) or NULL. */
static const char *resolve_class(parser_t *p, const char *name) {
  const wes_class_t *c;
  if (p->cur_class != NULL && wes__strcasecmp(p->cur_class, name) == 0) {
    return p->cur_class;
  }
  c = wes_namespace_get_class(p->ns, name);
  return c != NULL ? wes_class_name(c) : NULL;
}

/*
 * An optional array suffix "[" [size] "]" (the size is accepted, not
 * enforced). Sets *is_array when present; `context` completes "expected
 * ']' ..." in the error.
 */
static wes_hresult_t parse_array_suffix(parser_t *p, const char *context,
                                        bool *is_array) {
  wes_hresult_t hr;
  *is_array = p->tok.kind == '[';
  if (!*is_array) {
    return WES_S_OK;
  }
  hr = next(p);
  if (WES_SUCCEEDED(hr) && p->tok.kind == WES__MOF_TOK_INT) {
    hr = next(p);
  }
  if (WES_SUCCEEDED(hr)) {
    hr = expect(p, ']', context);
  }
  return hr;
}

/* An optional "= value" whose value is parsed and dropped (parameter and
 * qualifier declaration defaults). */
static wes_hresult_t skip_default(parser_t *p) {
  lit_t l;
  wes_hresult_t hr;
  if (p->tok.kind != '=') {
    return WES_S_OK;
  }
  hr = next(p);
  if (WES_SUCCEEDED(hr)) {
    hr = parse_value(p, &l);
    lit_clear(&l);
  }
  return hr;
}

/* After a type name: consumes "ref" when an identifier (the feature's
 * name) follows it, and says so in *is_ref. */
static wes_hresult_t accept_ref(parser_t *p, bool *is_ref) {
  const wes__mof_tok_t *t2;
  wes_hresult_t hr;
  *is_ref = false;
  if (!wes__mof_tok_is(&p->tok, "ref")) {
    return WES_S_OK;
  }
  hr = peek(p, 1, &t2);
  if (WES_FAILED(hr) || t2->kind != WES__MOF_TOK_IDENT) {
    return hr;
  }
  *is_ref = true;
  return next(p);
}

/* Skips a method's parameter list (current token '(') and its ';'. */
static wes_hresult_t skip_method(parser_t *p) {
  wes_hresult_t hr = next(p);
  qual_list_t q = {NULL, 0, 0};
  bool is_ref, is_array, more = true;
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (p->tok.kind == ')') {
    more = false;
    hr = next(p);
  }
  while (more && WES_SUCCEEDED(hr)) {
    if (p->tok.kind == '[') {
      hr = parse_quals(p, &q);
      quals_clear(&q);
      if (WES_FAILED(hr)) {
        return hr;
      }
    }
    if (p->tok.kind != WES__MOF_TOK_IDENT) {
      return unexpected(p, "a parameter type");
    }
    hr = next(p);
    if (WES_SUCCEEDED(hr)) {
      hr = accept_ref(p, &is_ref);
    }
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (p->tok.kind != WES__MOF_TOK_IDENT) {
      return unexpected(p, "a parameter name");
    }
    hr = next(p);
    if (WES_SUCCEEDED(hr)) {
      hr = parse_array_suffix(p, "closing the parameter's array size",
                              &is_array);
    }
    if (WES_SUCCEEDED(hr)) {
      hr = skip_default(p);
    }
    if (WES_SUCCEEDED(hr)) {
      hr = list_next(p, ')', "',' or ')' in a method's parameter list",
                     &more);
    }
  }
  if (WES_FAILED(hr)) {
    return hr;
  }
  return expect(p, ';', "after method declaration");
}

/* Applies the type-shaping qualifiers (CIMTYPE, EmbeddedInstance,
 * EmbeddedObject) and the flag qualifiers (key, read, write). */
static wes_hresult_t shape_type(parser_t *p, const qual_list_t *q,
                                wes_cimtype_t *type, const char **class_ref,
                                uint32_t *flags) {
  const qual_t *k;
  wes_hresult_t hr;
  bool b = false, rd = false, wr = false;
  wes_cimtype_t base = WES_CIM_BASETYPE(*type);
  if ((k = quals_find(q, "abstract")) != NULL) {
    return perr(p, WES_E_INVALID_QUALIFIER, k->line, k->col,
                "qualifier 'abstract' applies to classes, not properties");
  }
  if ((k = quals_find(q, "key")) != NULL) {
    hr = qual_bool(p, k, &b);
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (b) {
      *flags |= WES_PROP_KEY;
    }
  }
  if ((k = quals_find(q, "read")) != NULL) {
    hr = qual_bool(p, k, &rd);
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  if ((k = quals_find(q, "write")) != NULL) {
    hr = qual_bool(p, k, &wr);
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  if (rd && !wr) {
    *flags |= WES_PROP_READ_ONLY;
  }
  if ((k = quals_find(q, "EmbeddedObject")) != NULL) {
    hr = qual_bool(p, k, &b);
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (b) {
      if (base != WES_CIM_STRING && base != WES_CIM_OBJECT) {
        return perr(p, WES_E_INVALID_QUALIFIER, k->line, k->col,
                    "qualifier 'EmbeddedObject' needs a string or object "
                    "property");
      }
      *type = WES_CIM_OBJECT | (*type & WES_CIM_FLAG_ARRAY);
      base = WES_CIM_OBJECT;
    }
  }
  if ((k = quals_find(q, "EmbeddedInstance")) != NULL) {
    const char *cn;
    if (!k->has_value || k->value.kind != LIT_STRING) {
      return perr(p, WES_E_INVALID_QUALIFIER_TYPE, k->line, k->col,
                  "qualifier 'EmbeddedInstance' takes a class name string");
    }
    if (base != WES_CIM_STRING && base != WES_CIM_OBJECT) {
      return perr(p, WES_E_INVALID_QUALIFIER, k->line, k->col,
                  "qualifier 'EmbeddedInstance' needs a string or object "
                  "property");
    }
    cn = resolve_class(p, k->value.str);
    if (cn == NULL) {
      return perr(p, WES_E_INVALID_CLASS, k->value.line, k->value.col,
                  "EmbeddedInstance names unknown class '%s'", k->value.str);
    }
    *type = WES_CIM_OBJECT | (*type & WES_CIM_FLAG_ARRAY);
    base = WES_CIM_OBJECT;
    *class_ref = cn;
  }
  if ((k = quals_find(q, "CIMTYPE")) != NULL) {
    const char *s;
    const char *colon;
    if (!k->has_value || k->value.kind != LIT_STRING) {
      return perr(p, WES_E_INVALID_QUALIFIER_TYPE, k->line, k->col,
                  "qualifier 'CIMTYPE' takes a string");
    }
    s = k->value.str;
    colon = strchr(s, ':');
    if (colon != NULL) {
      size_t n = (size_t)(colon - s);
      wes_cimtype_t want;
      const char *cn;
      if (n == 6 && wes__strncasecmp(s, "object", 6) == 0) {
        want = WES_CIM_OBJECT;
      } else if (n == 3 && wes__strncasecmp(s, "ref", 3) == 0) {
        want = WES_CIM_REFERENCE;
      } else {
        return perr(p, WES_E_INVALID_QUALIFIER, k->value.line, k->value.col,
                    "CIMTYPE '%s' is neither 'object:Class' nor 'ref:Class'",
                    s);
      }
      if (base != want) {
        return perr(p, WES_E_INVALID_QUALIFIER, k->value.line, k->value.col,
                    "CIMTYPE '%s' does not match the declared type %s", s,
                    wes_cimtype_name(base));
      }
      cn = resolve_class(p, colon + 1);
      if (cn == NULL) {
        return perr(p, WES_E_INVALID_CLASS, k->value.line, k->value.col,
                    "CIMTYPE names unknown class '%s'", colon + 1);
      }
      if (*class_ref != NULL && wes__strcasecmp(*class_ref, cn) != 0) {
        return perr(p, WES_E_INVALID_QUALIFIER, k->value.line, k->value.col,
                    "CIMTYPE '%s' contradicts the declared class %s", s,
                    *class_ref);
      }
      *class_ref = cn;
    } else {
      wes_cimtype_t t = WES_CIM_ILLEGAL;
      if (wes__strcasecmp(s, "reference") == 0 ||
          wes__strcasecmp(s, "ref") == 0) {
        t = WES_CIM_REFERENCE;
      } else if (WES_FAILED(wes_cimtype_parse(s, &t))) {
        return perr(p, WES_E_INVALID_QUALIFIER, k->value.line, k->value.col,
                    "CIMTYPE '%s' is not a CIM type", s);
      }
      if (t != base) {
        return perr(p, WES_E_INVALID_QUALIFIER, k->value.line, k->value.col,
                    "CIMTYPE '%s' does not match the declared type %s", s,
                    wes_cimtype_name(base));
      }
    }
  }
  return WES_S_OK;
}

/* Qualifiers consumed by the parser itself (not stored as qualifiers). */
static bool qual_is_shaping(const char *name) {
  return wes__strcasecmp(name, "CIMTYPE") == 0 ||
         wes__strcasecmp(name, "EmbeddedInstance") == 0 ||
         wes__strcasecmp(name, "EmbeddedObject") == 0;
}

static wes_hresult_t parse_feature(parser_t *p, wes_class_t *cls) {
  qual_list_t q = {NULL, 0, 0};
  char *tname = NULL, *pname = NULL;
  uint32_t tline = 0, tcol = 0, pline = 0, pcol = 0;
  bool is_ref = false, is_array = false, has_def = false;
  lit_t def;
  wes_cimtype_t type = WES_CIM_EMPTY;
  const char *class_ref = NULL;
  uint32_t flags = 0;
  wes_hresult_t hr = WES_S_OK;
  size_t i;
  memset(&def, 0, sizeof(def));
  if (p->tok.kind == '[') {
    hr = parse_quals(p, &q);
    if (WES_FAILED(hr)) {
      goto done;
    }
  }
  if (p->tok.kind != WES__MOF_TOK_IDENT) {
    hr = unexpected(p, "a property type");
    goto done;
  }
  hr = take_ident(p, "a property type", &tname, &tline, &tcol);
  if (WES_FAILED(hr)) {
    goto done;
  }
  hr = accept_ref(p, &is_ref);
  if (WES_SUCCEEDED(hr)) {
    hr = take_ident(p, "a property name", &pname, &pline, &pcol);
  }
  if (WES_FAILED(hr)) {
    goto done;
  }
  if (p->tok.kind == '(') {
    hr = skip_method(p); /* methods are accepted and ignored */
    goto done;
  }
  /* Resolve the type. */
  if (is_ref) {
    type = WES_CIM_REFERENCE;
    if (wes__strcasecmp(tname, "object") != 0) {
      wes_cimtype_t t;
      if (WES_SUCCEEDED(wes_cimtype_parse(tname, &t))) {
        hr = perr(p, WES_E_INVALID_CIM_TYPE, tline, tcol,
                  "'%s ref': only a class can be referenced", tname);
        goto done;
      }
      class_ref = resolve_class(p, tname);
      if (class_ref == NULL) {
        hr = perr(p, WES_E_INVALID_CLASS, tline, tcol,
                  "reference to unknown class '%s'", tname);
        goto done;
      }
    }
  } else if (WES_FAILED(wes_cimtype_parse(tname, &type))) {
    class_ref = resolve_class(p, tname);
    if (class_ref == NULL) {
      hr = perr(p, WES_E_INVALID_CIM_TYPE, tline, tcol,
                "'%s' is neither a CIM type nor a known class", tname);
      goto done;
    }
    type = WES_CIM_OBJECT;
  } else if (type == WES_CIM_REFERENCE) {
    hr = perr(p, WES_E_INVALID_CIM_TYPE, tline, tcol,
              "a reference is declared as 'ClassName ref %s'", pname);
    goto done;
  }
  hr = parse_array_suffix(p, "closing the array size", &is_array);
  if (WES_FAILED(hr)) {
    goto done;
  }
  if (is_array) {
    type |= WES_CIM_FLAG_ARRAY;
  }
  if (p->tok.kind == '=') {
    hr = next(p);
    if (WES_SUCCEEDED(hr)) {
      has_def = true;
      hr = parse_value(p, &def);
    }
    if (WES_FAILED(hr)) {
      goto done;
    }
  }
  hr = expect(p, ';', "after property declaration");
  if (WES_FAILED(hr)) {
    goto done;
  }
  hr = shape_type(p, &q, &type, &class_ref, &flags);
  if (WES_FAILED(hr)) {
    goto done;
  }
  hr = wes_class_add_property(cls, pname, type, class_ref, flags);
  if (hr == WES_E_INVALID_PARAMETER) {
    hr = perr(p, WES_E_INVALID_PROPERTY, pline, pcol,
              "'%s' is not a valid property name (names must not start "
              "with '_')",
              pname);
    goto done;
  }
  if (WES_FAILED(hr)) {
    hr = perr(p, hr, pline, pcol, "cannot add property '%s': %s", pname,
              hr == WES_E_ALREADY_EXISTS ? "declared twice in this class"
              : hr == WES_E_TYPE_MISMATCH
                  ? "it overrides an inherited property of another type"
                  : wes_strerror(hr));
    goto done;
  }
  for (i = 0; i < q.n; i++) {
    if (qual_is_shaping(q.items[i].name)) {
      continue;
    }
    hr = apply_qual(p, cls, pname, &q.items[i]);
    if (WES_FAILED(hr)) {
      goto done;
    }
  }
  if (has_def) {
    wes_value_t v;
    conv_mem_t mem;
    hr = conv_value(p, &def, type, class_ref, &v, &mem);
    if (WES_FAILED(hr)) {
      goto done;
    }
    hr = wes_class_set_default(cls, pname, &v);
    wes__free(mem.data);
    if (WES_FAILED(hr)) {
      hr = perr(p, hr, def.line, def.col,
                "cannot set the default of '%s': %s", pname,
                wes_strerror(hr));
    }
  }
done:
  quals_clear(&q);
  lit_clear(&def);
  wes__free(tname);
  wes__free(pname);
  return hr;
}

static wes_hresult_t result_add_class(parser_t *p, wes_class_t *cls) {
  wes_mof_result_t *r = p->res;
  wes_class_t **na =
      wes__render_grow(r->classes, &r->cap_classes, r->nclasses, sizeof(*na));
  if (na == NULL) {
    return oom(p);
  }
  r->classes = na;
  r->classes[r->nclasses++] = wes_class_ref(cls);
  return WES_S_OK;
}

/* classDecl, current token after "class". */
static wes_hresult_t parse_class(parser_t *p, qual_list_t *q) {
  char *name = NULL, *super = NULL;
  uint32_t nline = 0, ncol = 0, sline = 0, scol = 0;
  wes_class_t *cls = NULL;
  const wes_class_t *sc = NULL;
  wes_hresult_t hr;
  size_t i;
  hr = take_ident(p, "a class name", &name, &nline, &ncol);
  if (WES_FAILED(hr)) {
    goto done;
  }
  if (wes_namespace_get_class(p->ns, name) != NULL) {
    hr = perr(p, WES_E_ALREADY_EXISTS, nline, ncol,
              "class '%s' already exists", name);
    goto done;
  }
  if (p->tok.kind == ':') {
    hr = next(p);
    if (WES_SUCCEEDED(hr)) {
      hr = take_ident(p, "a superclass name", &super, &sline, &scol);
    }
    if (WES_FAILED(hr)) {
      goto done;
    }
    sc = wes_namespace_get_class(p->ns, super);
    if (sc == NULL) {
      hr = perr(p, WES_E_INVALID_SUPERCLASS, sline, scol,
                "superclass '%s' of '%s' is not declared", super, name);
      goto done;
    }
  }
  if (p->tok.kind != '{') {
    hr = unexpected(p, sc == NULL ? "':' or '{' after the class name"
                                  : "'{' after the superclass name");
    goto done;
  }
  hr = wes_class_new(name, sc, &cls);
  if (hr == WES_E_INVALID_PARAMETER) {
    hr = perr(p, WES_E_INVALID_CLASS, nline, ncol,
              "'%s' is not a valid class name (names starting with '_' are "
              "reserved for system classes)",
              name);
    goto done;
  }
  if (WES_FAILED(hr)) {
    hr = perr(p, hr, nline, ncol, "cannot declare class '%s': %s", name,
              wes_strerror(hr));
    goto done;
  }
  for (i = 0; i < q->n; i++) {
    const qual_t *k = &q->items[i];
    if (wes__strcasecmp(k->name, "key") == 0 || qual_is_shaping(k->name)) {
      hr = perr(p, WES_E_INVALID_QUALIFIER, k->line, k->col,
                "qualifier '%s' applies to properties, not classes",
                k->name);
      goto done;
    }
    if (wes__strcasecmp(k->name, "abstract") == 0) {
      bool b;
      hr = qual_bool(p, k, &b);
      if (WES_FAILED(hr)) {
        goto done;
      }
    }
    hr = apply_qual(p, cls, NULL, k);
    if (WES_FAILED(hr)) {
      goto done;
    }
  }
  hr = next(p);
  if (WES_FAILED(hr)) {
    goto done;
  }
  p->cur_class = wes_class_name(cls);
  while (p->tok.kind != '}') {
    if (p->tok.kind == WES__MOF_TOK_EOF) {
      hr = unexpected(p, "'}' closing the class body");
      goto done;
    }
    hr = parse_feature(p, cls);
    if (WES_FAILED(hr)) {
      goto done;
    }
  }
  hr = next(p);
  if (WES_SUCCEEDED(hr)) {
    hr = expect(p, ';', "after class declaration");
  }
  if (WES_FAILED(hr)) {
    goto done;
  }
  hr = wes_namespace_add_class(p->ns, cls, NULL);
  if (WES_FAILED(hr)) {
    hr = perr(p, hr, nline, ncol, "cannot add class '%s': %s", name,
              wes_strerror(hr));
    goto done;
  }
  hr = result_add_class(p, cls);
  if (WES_FAILED(hr)) {
    /* Not recorded, so roll it back here. */
    wes__namespace_remove_class(p->ns, cls);
  }
done:
  p->cur_class = NULL;
  wes_class_unref(cls);
  wes__free(name);
  wes__free(super);
  return hr;
}

/* ---- instances ---- */

/* "Class [as $alias] { ... }" after "instance of". Top-level instances
 * also take the trailing ';' and may carry an alias. */
static wes_hresult_t parse_instance_body(parser_t *p, bool top,
                                         wes_object_t **ret_obj) {
  char *cname = NULL, *alias = NULL;
  uint32_t cline = 0, ccol = 0, aline = 0, acol = 0;
  const wes_class_t *cls;
  wes_object_t *obj = NULL;
  bool *seen = NULL;
  wes_hresult_t hr;
  hr = take_ident(p, "a class name after 'instance of'", &cname, &cline,
                  &ccol);
  if (WES_FAILED(hr)) {
    goto done;
  }
  cls = wes_namespace_get_class(p->ns, cname);
  if (cls == NULL) {
    hr = perr(p, WES_E_INVALID_CLASS, cline, ccol,
              "instance of unknown class '%s'", cname);
    goto done;
  }
  if (wes__mof_tok_is(&p->tok, "as")) {
    hr = next(p);
    if (WES_FAILED(hr)) {
      goto done;
    }
    if (p->tok.kind != WES__MOF_TOK_ALIAS) {
      hr = unexpected(p, "an alias ($Name) after 'as'");
      goto done;
    }
    if (!top) {
      hr = perr(p, WES_E_INVALID_SYNTAX, p->tok.line, p->tok.col,
                "an embedded instance cannot have an alias");
      goto done;
    }
    alias = wes__strndup(p->tok.start, p->tok.len);
    aline = p->tok.line;
    acol = p->tok.col;
    if (alias == NULL) {
      hr = oom(p);
      goto done;
    }
    if (alias_find(p, alias) != NULL) {
      hr = perr(p, WES_E_ALREADY_EXISTS, aline, acol,
                "alias '$%s' is already defined", alias);
      goto done;
    }
    hr = next(p);
    if (WES_FAILED(hr)) {
      goto done;
    }
  }
  if (p->tok.kind != '{') {
    hr = unexpected(p, "'{' after the instance's class name");
    goto done;
  }
  if (!top) {
    /* as the object model counts: an instance may embed objects
     * WES_MAX_OBJECT_NESTING levels deep, array braces not counted */
    if (p->obj_depth >= WES_MAX_OBJECT_NESTING) {
      hr = perr(p, WES_E_QUOTA_VIOLATION, p->tok.line, p->tok.col,
                "embedded instances nested deeper than %d levels",
                WES_MAX_OBJECT_NESTING);
      goto done;
    }
    p->obj_depth++;
  }
  hr = enter(p, p->tok.line, p->tok.col);
  if (WES_FAILED(hr)) {
    goto done;
  }
  hr = wes_object_new(cls, &obj);
  if (WES_FAILED(hr)) {
    hr = perr(p, hr, cline, ccol, "cannot create an instance of '%s': %s",
              cname,
              hr == WES_E_INVALID_OPERATION ? "the class is abstract"
                                            : wes_strerror(hr));
    goto done;
  }
  if (wes_class_property_count(cls) > 0) {
    seen = wes__calloc(wes_class_property_count(cls), sizeof(bool));
    if (seen == NULL) {
      hr = oom(p);
      goto done;
    }
  }
  hr = next(p);
  if (WES_FAILED(hr)) {
    goto done;
  }
  while (p->tok.kind != '}') {
    qual_list_t q = {NULL, 0, 0};
    char *pname = NULL;
    uint32_t pline = 0, pcol = 0;
    wes_property_info_t info;
    lit_t val;
    memset(&val, 0, sizeof(val));
    if (p->tok.kind == '[') {
      hr = parse_quals(p, &q); /* property qualifiers: accepted, ignored */
    }
    if (WES_SUCCEEDED(hr)) {
      hr = p->tok.kind == WES__MOF_TOK_IDENT
               ? take_ident(p, "a property name", &pname, &pline, &pcol)
               : unexpected(p, "a property name or '}'");
    }
    if (WES_SUCCEEDED(hr)) {
      if (WES_FAILED(wes_class_property(cls, pname, &info))) {
        if (pname[0] == '_' && pname[1] == '_') {
          hr = perr(p, WES_E_INVALID_PROPERTY, pline, pcol,
                    "system property '%s' cannot be set", pname);
        } else {
          hr = perr(p, WES_E_INVALID_PROPERTY, pline, pcol,
                    "class '%s' has no property '%s'", cname, pname);
        }
      } else if (seen[info.index]) {
        hr = perr(p, WES_E_ALREADY_EXISTS, pline, pcol,
                  "property '%s' assigned twice", pname);
      } else {
        seen[info.index] = true;
      }
    }
    if (WES_SUCCEEDED(hr)) {
      hr = expect(p, '=', "after the property name");
    }
    if (WES_SUCCEEDED(hr)) {
      hr = parse_value(p, &val);
    }
    if (WES_SUCCEEDED(hr)) {
      hr = expect(p, ';', "after property value");
    }
    if (WES_SUCCEEDED(hr)) {
      wes_value_t v;
      conv_mem_t mem;
      hr = conv_value(p, &val, info.type, info.class_ref, &v, &mem);
      if (WES_SUCCEEDED(hr)) {
        hr = wes_object_set(obj, info.name, &v);
        wes__free(mem.data);
        if (WES_FAILED(hr)) {
          hr = perr(p, hr, val.line, val.col, "cannot set '%s': %s", pname,
                    hr == WES_E_QUOTA_VIOLATION
                        ? "embedded objects nested too deeply"
                        : wes_strerror(hr));
        }
      }
    }
    quals_clear(&q);
    lit_clear(&val);
    wes__free(pname);
    if (WES_FAILED(hr)) {
      goto done;
    }
    if (p->tok.kind == WES__MOF_TOK_EOF) {
      hr = unexpected(p, "'}' closing the instance");
      goto done;
    }
  }
  p->depth--;
  if (!top) {
    p->obj_depth--;
  }
  hr = next(p);
  if (WES_FAILED(hr)) {
    goto done;
  }
  if (top) {
    hr = expect(p, ';', "after instance declaration");
    if (WES_FAILED(hr)) {
      goto done;
    }
    wes_object_freeze(obj);
    if (alias != NULL) {
      alias_t *na = wes__render_grow(p->aliases, &p->cap_aliases,
                                     p->naliases, sizeof(alias_t));
      if (na == NULL) {
        hr = oom(p);
        goto done;
      }
      p->aliases = na;
      p->aliases[p->naliases].name = alias;
      p->aliases[p->naliases].obj = obj;
      p->naliases++;
      alias = NULL;
    }
  }
  *ret_obj = obj;
  obj = NULL;
done:
  wes_object_unref(obj);
  wes__free(seen);
  wes__free(cname);
  wes__free(alias);
  return hr;
}

/* ---- top level ---- */

static wes_hresult_t parse_pragma(parser_t *p) {
  uint32_t line = p->tok.line, col = p->tok.col;
  wes__mof_tok_t name;
  wes_hresult_t hr = skip_then_keyword(p, "pragma", "'pragma' after '#'");
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (p->tok.kind != WES__MOF_TOK_IDENT) {
    return unexpected(p, "a pragma name");
  }
  name = p->tok;
  if (wes__mof_tok_is(&name, "include") ||
      wes__mof_tok_is(&name, "deleteclass") ||
      wes__mof_tok_is(&name, "deleteinstance")) {
    return perr(p, WES_E_NOT_SUPPORTED, line, col,
                "#pragma %.*s is not supported", (int)name.len, name.start);
  }
  hr = next(p);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (wes__mof_tok_is(&name, "namespace")) {
    lit_t l;
    hr = expect(p, '(', "after #pragma namespace");
    if (WES_FAILED(hr)) {
      return hr;
    }
    if (p->tok.kind != WES__MOF_TOK_STRING) {
      return unexpected(p, "a namespace string");
    }
    hr = parse_value(p, &l);
    if (WES_FAILED(hr)) {
      lit_clear(&l);
      return hr;
    }
    wes__free(p->res->pragma_ns);
    p->res->pragma_ns = l.str;
    l.str = NULL;
    lit_clear(&l);
    return expect(p, ')', "closing #pragma namespace");
  }
  /* Other pragmas (classflags, instanceflags, locale, autorecover, ...)
   * are accepted and ignored: skip a balanced parenthesised argument. */
  if (p->tok.kind == '(') {
    unsigned level = 0;
    do {
      if (p->tok.kind == '(') {
        level++;
      } else if (p->tok.kind == ')') {
        level--;
      } else if (p->tok.kind == WES__MOF_TOK_EOF) {
        return unexpected(p, "')' closing the pragma's arguments");
      }
      hr = next(p);
      if (WES_FAILED(hr)) {
        return hr;
      }
    } while (level > 0);
  }
  return WES_S_OK;
}

/* qualifier Name : type [array] [= value] {, name(...)} ; (ignored) */
static wes_hresult_t parse_qualifier_decl(parser_t *p) {
  wes_hresult_t hr = next(p);
  bool is_array;
  wes_cimtype_t t;
  char tname[32];
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (p->tok.kind != WES__MOF_TOK_IDENT) {
    return unexpected(p, "a qualifier name");
  }
  hr = next(p);
  if (WES_SUCCEEDED(hr)) {
    hr = expect(p, ':', "after the qualifier name");
  }
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (p->tok.kind != WES__MOF_TOK_IDENT) {
    return unexpected(p, "a qualifier type");
  }
  snprintf(tname, sizeof(tname), "%.*s",
           (int)(p->tok.len < 31 ? p->tok.len : 31), p->tok.start);
  if (p->tok.len > 31 || WES_FAILED(wes_cimtype_parse(tname, &t)) ||
      t == WES_CIM_OBJECT || t == WES_CIM_REFERENCE) {
    return perr(p, WES_E_INVALID_CIM_TYPE, p->tok.line, p->tok.col,
                "'%s' is not a qualifier type", tname);
  }
  hr = next(p);
  if (WES_SUCCEEDED(hr)) {
    hr = parse_array_suffix(p, "closing the array size", &is_array);
  }
  if (WES_SUCCEEDED(hr)) {
    hr = skip_default(p);
  }
  while (WES_SUCCEEDED(hr) && p->tok.kind == ',') {
    hr = next(p);
    if (WES_FAILED(hr)) {
      break;
    }
    if (!wes__mof_tok_is(&p->tok, "scope") &&
        !wes__mof_tok_is(&p->tok, "flavor")) {
      return unexpected(p, "'Scope(...)' or 'Flavor(...)'");
    }
    hr = next(p);
    if (WES_SUCCEEDED(hr)) {
      hr = expect(p, '(', "after Scope or Flavor");
    }
    while (WES_SUCCEEDED(hr)) {
      if (p->tok.kind != WES__MOF_TOK_IDENT) {
        return unexpected(p, "a scope or flavor name");
      }
      hr = next(p);
      if (WES_SUCCEEDED(hr) && p->tok.kind == ',') {
        hr = next(p);
        continue;
      }
      if (WES_SUCCEEDED(hr)) {
        hr = expect(p, ')', "closing the list");
      }
      break;
    }
  }
  if (WES_FAILED(hr)) {
    return hr;
  }
  return expect(p, ';', "after qualifier declaration");
}

static wes_hresult_t result_add_instance(parser_t *p, wes_object_t *obj) {
  wes_mof_result_t *r = p->res;
  wes_object_t **na = wes__render_grow(r->instances, &r->cap_instances,
                                       r->ninstances, sizeof(*na));
  if (na == NULL) {
    return oom(p);
  }
  r->instances = na;
  r->instances[r->ninstances++] = obj;
  return WES_S_OK;
}

static wes_hresult_t parse_mof(parser_t *p) {
  wes_hresult_t hr = next(p);
  while (WES_SUCCEEDED(hr) && p->tok.kind != WES__MOF_TOK_EOF) {
    qual_list_t q = {NULL, 0, 0};
    if (p->tok.kind == '#') {
      hr = parse_pragma(p);
      continue;
    }
    if (wes__mof_tok_is(&p->tok, "qualifier")) {
      hr = parse_qualifier_decl(p);
      continue;
    }
    if (p->tok.kind == '[') {
      hr = parse_quals(p, &q);
    }
    if (WES_FAILED(hr)) {
      /* fall through to cleanup */
    } else if (wes__mof_tok_is(&p->tok, "class")) {
      hr = next(p);
      if (WES_SUCCEEDED(hr)) {
        hr = parse_class(p, &q);
      }
    } else if (wes__mof_tok_is(&p->tok, "instance")) {
      wes_object_t *obj = NULL;
      hr = skip_then_keyword(p, "of", "'of' after 'instance'");
      if (WES_SUCCEEDED(hr)) {
        /* Instance qualifiers are accepted and ignored. */
        hr = parse_instance_body(p, true, &obj);
      }
      if (WES_SUCCEEDED(hr)) {
        hr = result_add_instance(p, obj);
        if (WES_FAILED(hr)) {
          wes_object_unref(obj);
        }
      }
    } else {
      hr = unexpected(p, q.n > 0 ? "'class' or 'instance of' after "
                                   "qualifiers"
                                 : "'class', 'instance of', 'qualifier' or "
                                   "'#pragma'");
    }
    quals_clear(&q);
  }
  return hr;
}

/* ---- public API ---- */

void wes_mof_result_free(wes_mof_result_t *r) {
  size_t i;
  if (r == NULL) {
    return;
  }
  for (i = 0; i < r->nclasses; i++) {
    wes_class_unref(r->classes[i]);
  }
  for (i = 0; i < r->ninstances; i++) {
    wes_object_unref(r->instances[i]);
  }
  wes__free(r->classes);
  wes__free(r->instances);
  wes__free(r->pragma_ns);
  wes__free(r);
}

/* Converts UTF-16 text (after its BOM) to UTF-8. NULL on bad input or
 * out of memory (*ret_oom says which). */
static char *utf16_to_utf8(const unsigned char *s, size_t n, bool big,
                           size_t *ret_len, bool *ret_oom) {
  wes__buf_t b;
  size_t i = 0;
  *ret_oom = false;
  wes__buf_init(&b);
  if (n % 2 != 0) {
    return NULL;
  }
  while (i + 1 < n) {
    uint32_t u = big ? ((uint32_t)s[i] << 8 | s[i + 1])
                     : ((uint32_t)s[i + 1] << 8 | s[i]);
    i += 2;
    if (u >= 0xD800 && u <= 0xDBFF) {
      uint32_t lo;
      if (i + 1 >= n) {
        wes__buf_free(&b);
        return NULL;
      }
      lo = big ? ((uint32_t)s[i] << 8 | s[i + 1])
               : ((uint32_t)s[i + 1] << 8 | s[i]);
      if (lo < 0xDC00 || lo > 0xDFFF) {
        wes__buf_free(&b);
        return NULL;
      }
      i += 2;
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      wes__buf_free(&b);
      return NULL;
    }
    wes__render_put_utf8(&b, u);
  }
  *ret_len = b.len;
  wes__buf_putc(&b, '\0');
  if (b.oom) {
    wes__buf_free(&b);
    *ret_oom = true;
    return NULL;
  }
  return b.data;
}

wes_hresult_t wes_mof_compile(wes_namespace_t *ns, const char *text,
                              size_t len, const char *filename,
                              wes_mof_result_t **ret_result,
                              wes_error_t *reterr) {
  parser_t p;
  wes_hresult_t hr;
  char *converted = NULL;
  size_t i;
  if (ns == NULL || (text == NULL && len > 0)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "NULL namespace or text");
  }
  if (text == NULL) {
    text = "";
  }
  /* Byte-order marks: UTF-8 is skipped, UTF-16 converted. */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    len -= 3;
  } else if (len >= 2 && ((unsigned char)text[0] == 0xFF ||
                          (unsigned char)text[0] == 0xFE) &&
             ((unsigned char)text[1] ^ (unsigned char)text[0]) == 0x01) {
    bool big = (unsigned char)text[0] == 0xFE, is_oom;
    size_t nlen = 0;
    converted = utf16_to_utf8((const unsigned char *)text + 2, len - 2, big,
                              &nlen, &is_oom);
    if (converted == NULL) {
      return wes__error(reterr,
                        is_oom ? WES_E_OUT_OF_MEMORY : WES_E_INVALID_SYNTAX,
                        1, 1,
                        is_oom ? "out of memory"
                               : "invalid UTF-16 text after byte-order mark");
    }
    text = converted;
    len = nlen;
  }
  memset(&p, 0, sizeof(p));
  p.ns = ns;
  p.err = reterr;
  wes__mof_lex_init(&p.lx, text, len);
  p.res = wes__calloc(1, sizeof(*p.res));
  if (p.res == NULL) {
    wes__free(converted);
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  hr = parse_mof(&p);
  for (i = 0; i < p.naliases; i++) {
    wes__free(p.aliases[i].name);
  }
  wes__free(p.aliases);
  wes__free(converted);
  if (WES_FAILED(hr)) {
    /* Roll back: newest class first, so subclasses go before their
     * superclasses. */
    for (i = p.res->nclasses; i > 0; i--) {
      wes_hresult_t rhr =
          wes__namespace_remove_class(ns, p.res->classes[i - 1]);
      if (WES_FAILED(rhr)) {
        wes__log(WES_LOG_ERROR, "mof",
                 "%s: cannot roll back class %s: %s",
                 filename != NULL ? filename : "<text>",
                 wes_class_name(p.res->classes[i - 1]), wes_err_name(rhr));
      }
    }
    wes_mof_result_free(p.res);
    return hr;
  }
  wes__log(WES_LOG_DEBUG, "mof", "%s: %zu classes, %zu instances",
           filename != NULL ? filename : "<text>", p.res->nclasses,
           p.res->ninstances);
  if (ret_result != NULL) {
    *ret_result = p.res;
  } else {
    wes_mof_result_free(p.res);
  }
  return WES_S_OK;
}

wes_hresult_t wes_mof_compile_file(wes_namespace_t *ns, const char *path,
                                   wes_mof_result_t **ret_result,
                                   wes_error_t *reterr) {
  FILE *f;
  wes__buf_t b;
  wes_hresult_t hr;
  char chunk[8192];
  size_t n;
  if (ns == NULL || path == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "NULL namespace or path");
  }
  f = fopen(path, "rb");
  if (f == NULL) {
    int e = errno;
    hr = wes__error(reterr, WES_E_NOT_FOUND, 0, 0, "cannot open %s: %s",
                    path, strerror(e));
    if (reterr != NULL) {
      reterr->sys_error = e;
    }
    return hr;
  }
  wes__buf_init(&b);
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
    wes__buf_append(&b, chunk, n);
  }
  if (ferror(f)) {
    int e = errno;
    fclose(f);
    wes__buf_free(&b);
    hr = wes__error(reterr, WES_E_NOT_FOUND, 0, 0, "cannot read %s: %s",
                    path, strerror(e));
    if (reterr != NULL) {
      reterr->sys_error = e;
    }
    return hr;
  }
  fclose(f);
  if (b.oom) {
    wes__buf_free(&b);
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  hr = wes_mof_compile(ns, b.data, b.len, path, ret_result, reterr);
  wes__buf_free(&b);
  return hr;
}

size_t wes_mof_result_class_count(const wes_mof_result_t *r) {
  return r != NULL ? r->nclasses : 0;
}

wes_class_t *wes_mof_result_class_at(const wes_mof_result_t *r, size_t i) {
  return (r != NULL && i < r->nclasses) ? r->classes[i] : NULL;
}

size_t wes_mof_result_instance_count(const wes_mof_result_t *r) {
  return r != NULL ? r->ninstances : 0;
}

wes_object_t *wes_mof_result_instance_at(const wes_mof_result_t *r,
                                         size_t i) {
  return (r != NULL && i < r->ninstances) ? r->instances[i] : NULL;
}

const char *wes_mof_result_pragma_namespace(const wes_mof_result_t *r) {
  return r != NULL ? r->pragma_ns : NULL;
}
