/* SPDX-License-Identifier: MIT */
/*
 * Reading JSON (the shape of include/wes/render.h, docs/json.md) into an
 * instance. Two stages: a strict RFC 8259 parser builds a small tree with
 * the line:column of every value (depth-bounded, so recursion is bounded),
 * then the tree is converted against the classes of a namespace.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render_internal.h"
#include "wes/render.h"

/*
 * JSON nesting limit. One embedded object costs at most four levels
 * (object, "properties", type wrapper, array), so this admits
 * WES_MAX_OBJECT_NESTING embedded levels; deeper embedding is caught by
 * the object nesting check with its own message.
 */
#define JSON_MAX_DEPTH (4 * (WES_MAX_OBJECT_NESTING + 2))

enum { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

typedef struct jnode_s jnode_t;
typedef struct jmember_s jmember_t;

struct jnode_s {
  int kind;
  uint32_t line;
  uint32_t col;
  union {
    struct {
      const char *text; /* slice of the input */
      size_t len;
      bool integer; /* no fraction, no exponent */
    } num;
    struct {
      char *s; /* decoded UTF-8, NUL-terminated, may hold NULs */
      size_t len;
    } str;
    struct {
      jnode_t *items;
      size_t n;
    } arr;
    struct {
      jmember_t *m;
      size_t n;
    } obj;
  } u;
};

struct jmember_s {
  char *key;
  size_t key_len;
  uint32_t line;
  uint32_t col;
  jnode_t value;
};

typedef struct {
  const char *text;
  size_t len;
  size_t pos;
  uint32_t line;
  uint32_t col;
  wes_error_t *err;
} parser_t;

/* ---- tree ---- */

static void node_free(jnode_t *n) {
  size_t i;
  switch (n->kind) {
  case J_STRING:
    wes__free(n->u.str.s);
    break;
  case J_ARRAY:
    for (i = 0; i < n->u.arr.n; i++) {
      node_free(&n->u.arr.items[i]);
    }
    wes__free(n->u.arr.items);
    break;
  case J_OBJECT:
    for (i = 0; i < n->u.obj.n; i++) {
      wes__free(n->u.obj.m[i].key);
      node_free(&n->u.obj.m[i].value);
    }
    wes__free(n->u.obj.m);
    break;
  default:
    break;
  }
  n->kind = J_NULL;
}

/* ---- parser ---- */

static wes_hresult_t perr(parser_t *p, wes_hresult_t code, const char *fmt, ...)
    WES_PRINTF(3, 4);

static wes_hresult_t perr(parser_t *p, wes_hresult_t code, const char *fmt,
                          ...) {
  va_list ap;
  va_start(ap, fmt);
  wes__verror(p->err, code, p->line, p->col, fmt, ap);
  va_end(ap);
  return code;
}

static int peek(const parser_t *p) {
  return p->pos < p->len ? (unsigned char)p->text[p->pos] : -1;
}

/* Consumes one byte, keeping line and column (columns count characters:
 * UTF-8 continuation bytes do not advance them). */
static void advance(parser_t *p) {
  unsigned char c = (unsigned char)p->text[p->pos++];
  if (c == '\n') {
    p->line++;
    p->col = 1;
  } else if ((c & 0xC0) != 0x80) {
    p->col++;
  }
}

static void skip_ws(parser_t *p) {
  for (;;) {
    int c = peek(p);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      advance(p);
    } else {
      return;
    }
  }
}

static wes_hresult_t unexpected(parser_t *p, const char *expected) {
  int c = peek(p);
  if (c < 0) {
    return perr(p, WES_E_INVALID_SYNTAX, "%s expected, found end of input",
                expected);
  }
  if (c >= 0x20 && c < 0x7f) {
    return perr(p, WES_E_INVALID_SYNTAX, "%s expected, found '%c'", expected,
                c);
  }
  return perr(p, WES_E_INVALID_SYNTAX, "%s expected, found byte 0x%02X",
              expected, (unsigned)c);
}

/* Reads "XXXX" after "\u"; returns the code unit or -1 (error set). */
static long read_hex4(parser_t *p) {
  long v = 0;
  int i;
  for (i = 0; i < 4; i++) {
    int h = wes__hex_val(peek(p));
    if (h < 0) {
      unexpected(p, "hexadecimal digit");
      return -1;
    }
    v = v * 16 + h;
    advance(p);
  }
  return v;
}

/*
 * Validates one UTF-8 sequence starting at p->pos (lead byte >= 0x80),
 * copies it to b and consumes it. Rejects overlongs, surrogates and code
 * points above U+10FFFF.
 */
static wes_hresult_t copy_utf8(parser_t *p, wes__buf_t *b) {
  const unsigned char *s = (const unsigned char *)p->text + p->pos;
  uint32_t cp;
  size_t n = wes__render_utf8_decode(s, p->len - p->pos, &cp), i;
  if (n == 0) {
    return perr(p, WES_E_INVALID_SYNTAX,
                "invalid UTF-8 sequence at byte 0x%02X (overlong, "
                "surrogate, above U+10FFFF or truncated)",
                (unsigned)s[0]);
  }
  wes__buf_append(b, (const char *)s, n);
  for (i = 0; i < n; i++) {
    advance(p);
  }
  return WES_S_OK;
}

static wes_hresult_t parse_escape(parser_t *p, wes__buf_t *b) {
  int c;
  long u, lo;
  advance(p); /* '\' */
  c = peek(p);
  switch (c) {
  case '"':
  case '\\':
  case '/':
    wes__buf_putc(b, (char)c);
    break;
  case 'b':
    wes__buf_putc(b, '\b');
    break;
  case 'f':
    wes__buf_putc(b, '\f');
    break;
  case 'n':
    wes__buf_putc(b, '\n');
    break;
  case 'r':
    wes__buf_putc(b, '\r');
    break;
  case 't':
    wes__buf_putc(b, '\t');
    break;
  case 'u':
    advance(p);
    u = read_hex4(p);
    if (u < 0) {
      return WES_E_INVALID_SYNTAX;
    }
    if (u >= 0xDC00 && u <= 0xDFFF) {
      return perr(p, WES_E_INVALID_SYNTAX,
                  "\\u%04lX: low surrogate without a high surrogate", u);
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (peek(p) != '\\') {
        return unexpected(p, "\\u escape of a low surrogate");
      }
      advance(p);
      if (peek(p) != 'u') {
        return unexpected(p, "\\u escape of a low surrogate");
      }
      advance(p);
      lo = read_hex4(p);
      if (lo < 0) {
        return WES_E_INVALID_SYNTAX;
      }
      if (lo < 0xDC00 || lo > 0xDFFF) {
        return perr(p, WES_E_INVALID_SYNTAX,
                    "\\u%04lX: high surrogate not followed by a low one", u);
      }
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    }
    wes__render_put_utf8(b, (uint32_t)u);
    return WES_S_OK;
  default:
    return unexpected(p, "escape character (\" \\ / b f n r t u)");
  }
  advance(p);
  return WES_S_OK;
}

/* A string at p->pos ('"'), decoded into a new buffer. */
static wes_hresult_t parse_string_raw(parser_t *p, char **ret_s,
                                      size_t *ret_len) {
  wes__buf_t b;
  wes_hresult_t hr = WES_S_OK;
  wes__buf_init(&b);
  advance(p); /* '"' */
  for (;;) {
    int c = peek(p);
    if (c < 0) {
      hr = perr(p, WES_E_INVALID_SYNTAX, "unterminated string");
      break;
    }
    if (c == '"') {
      advance(p);
      break;
    }
    if (c == '\\') {
      hr = parse_escape(p, &b);
    } else if (c < 0x20) {
      hr =
          perr(p, WES_E_INVALID_SYNTAX,
               "control character 0x%02X in a string (escape it)", (unsigned)c);
    } else if (c >= 0x80) {
      hr = copy_utf8(p, &b);
    } else {
      /* A run of plain ASCII in one append. */
      size_t start = p->pos;
      while (p->pos < p->len) {
        unsigned char d = (unsigned char)p->text[p->pos];
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') {
          break;
        }
        p->pos++;
        p->col++;
      }
      wes__buf_append(&b, p->text + start, p->pos - start);
    }
    if (WES_FAILED(hr)) {
      break;
    }
  }
  if (WES_SUCCEEDED(hr)) {
    size_t len = b.len;
    char *s = wes__buf_take(&b);
    if (s == NULL) {
      return perr(p, WES_E_OUT_OF_MEMORY, "out of memory");
    }
    *ret_s = s;
    *ret_len = len;
    return WES_S_OK;
  }
  wes__buf_free(&b);
  return hr;
}

static wes_hresult_t parse_number(parser_t *p, jnode_t *n) {
  size_t start = p->pos;
  bool integer = true;
  if (peek(p) == '-') {
    advance(p);
  }
  if (peek(p) == '0') {
    advance(p);
  } else if (peek(p) >= '1' && peek(p) <= '9') {
    while (peek(p) >= '0' && peek(p) <= '9') {
      advance(p);
    }
  } else {
    return unexpected(p, "digit");
  }
  if (peek(p) == '.') {
    integer = false;
    advance(p);
    if (!(peek(p) >= '0' && peek(p) <= '9')) {
      return unexpected(p, "digit after '.'");
    }
    while (peek(p) >= '0' && peek(p) <= '9') {
      advance(p);
    }
  }
  if (peek(p) == 'e' || peek(p) == 'E') {
    integer = false;
    advance(p);
    if (peek(p) == '+' || peek(p) == '-') {
      advance(p);
    }
    if (!(peek(p) >= '0' && peek(p) <= '9')) {
      return unexpected(p, "digit in exponent");
    }
    while (peek(p) >= '0' && peek(p) <= '9') {
      advance(p);
    }
  }
  n->kind = J_NUMBER;
  n->u.num.text = p->text + start;
  n->u.num.len = p->pos - start;
  n->u.num.integer = integer;
  return WES_S_OK;
}

static wes_hresult_t parse_literal(parser_t *p, const char *word, int kind,
                                   jnode_t *n) {
  size_t i, len = strlen(word);
  for (i = 0; i < len; i++) {
    if (peek(p) != word[i]) {
      return unexpected(p, "JSON value");
    }
    advance(p);
  }
  n->kind = kind;
  return WES_S_OK;
}

static wes_hresult_t parse_value(parser_t *p, jnode_t *n, int depth);

/*
 * After an element or member: consumes ',' (sets *more) or the closing
 * `close` character (clears *more). A trailing comma and anything else
 * are syntax errors about `what` ("array" or "object").
 */
static wes_hresult_t list_next(parser_t *p, int close, const char *what,
                               bool *more) {
  skip_ws(p);
  if (peek(p) == ',') {
    advance(p);
    skip_ws(p);
    if (peek(p) == close) {
      return perr(p, WES_E_INVALID_SYNTAX, "trailing comma in %s", what);
    }
    *more = true;
    return WES_S_OK;
  }
  if (peek(p) == close) {
    advance(p);
    *more = false;
    return WES_S_OK;
  }
  return unexpected(p, close == ']' ? "',' or ']'" : "',' or '}'");
}

static wes_hresult_t parse_array(parser_t *p, jnode_t *n, int depth) {
  size_t cap = 0;
  wes_hresult_t hr;
  bool more = true;
  n->kind = J_ARRAY;
  n->u.arr.items = NULL;
  n->u.arr.n = 0;
  advance(p); /* '[' */
  skip_ws(p);
  if (peek(p) == ']') {
    advance(p);
    return WES_S_OK;
  }
  while (more) {
    jnode_t *ni = wes__render_grow(n->u.arr.items, &cap, n->u.arr.n,
                                   sizeof(*ni));
    if (ni == NULL) {
      return perr(p, WES_E_OUT_OF_MEMORY, "out of memory");
    }
    n->u.arr.items = ni;
    skip_ws(p);
    /* Parse in place so that a failure leaves the partial item owned by
     * the array (node_free releases it). */
    hr = parse_value(p, &n->u.arr.items[n->u.arr.n++], depth + 1);
    if (WES_SUCCEEDED(hr)) {
      hr = list_next(p, ']', "array", &more);
    }
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  return WES_S_OK;
}

static wes_hresult_t parse_object(parser_t *p, jnode_t *n, int depth) {
  size_t cap = 0;
  wes_hresult_t hr;
  bool more = true;
  n->kind = J_OBJECT;
  n->u.obj.m = NULL;
  n->u.obj.n = 0;
  advance(p); /* '{' */
  skip_ws(p);
  if (peek(p) == '}') {
    advance(p);
    return WES_S_OK;
  }
  while (more) {
    jmember_t *m;
    if (peek(p) != '"') {
      return unexpected(p, "string (member name)");
    }
    m = wes__render_grow(n->u.obj.m, &cap, n->u.obj.n, sizeof(*m));
    if (m == NULL) {
      return perr(p, WES_E_OUT_OF_MEMORY, "out of memory");
    }
    n->u.obj.m = m;
    m = &n->u.obj.m[n->u.obj.n];
    m->line = p->line;
    m->col = p->col;
    m->value.kind = J_NULL;
    hr = parse_string_raw(p, &m->key, &m->key_len);
    if (WES_FAILED(hr)) {
      return hr;
    }
    n->u.obj.n++; /* owns the key from here on */
    skip_ws(p);
    if (peek(p) != ':') {
      return unexpected(p, "':'");
    }
    advance(p);
    skip_ws(p);
    hr = parse_value(p, &m->value, depth + 1);
    if (WES_SUCCEEDED(hr)) {
      hr = list_next(p, '}', "object", &more);
    }
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  return WES_S_OK;
}

/* Parses one value at p->pos (whitespace skipped) into *n. On failure *n
 * holds whatever was built so far (free it with node_free). */
static wes_hresult_t parse_value(parser_t *p, jnode_t *n, int depth) {
  int c = peek(p);
  memset(n, 0, sizeof(*n));
  n->kind = J_NULL;
  n->line = p->line;
  n->col = p->col;
  if (depth > JSON_MAX_DEPTH) {
    return perr(p, WES_E_QUOTA_VIOLATION, "JSON nested deeper than %d levels",
                JSON_MAX_DEPTH);
  }
  switch (c) {
  case '{':
    return parse_object(p, n, depth);
  case '[':
    return parse_array(p, n, depth);
  case '"': {
    char *s = NULL;
    size_t len = 0;
    wes_hresult_t hr = parse_string_raw(p, &s, &len);
    if (WES_FAILED(hr)) {
      return hr;
    }
    n->kind = J_STRING;
    n->u.str.s = s;
    n->u.str.len = len;
    return WES_S_OK;
  }
  case 't':
    return parse_literal(p, "true", J_TRUE, n);
  case 'f':
    return parse_literal(p, "false", J_FALSE, n);
  case 'n':
    return parse_literal(p, "null", J_NULL, n);
  default:
    if (c == '-' || (c >= '0' && c <= '9')) {
      return parse_number(p, n);
    }
    return unexpected(p, "JSON value");
  }
}

/* ---- conversion ---- */

typedef struct {
  const wes_namespace_t *ns;
  wes_error_t *err;
} reader_t;

static wes_hresult_t nerr(reader_t *r, const jnode_t *n, wes_hresult_t code,
                          const char *fmt, ...) WES_PRINTF(4, 5);

static wes_hresult_t nerr(reader_t *r, const jnode_t *n, wes_hresult_t code,
                          const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wes__verror(r->err, code, n->line, n->col, fmt, ap);
  va_end(ap);
  return code;
}

static const char *kind_name(int kind) {
  switch (kind) {
  case J_NULL:
    return "null";
  case J_FALSE:
  case J_TRUE:
    return "a boolean";
  case J_NUMBER:
    return "a number";
  case J_STRING:
    return "a string";
  case J_ARRAY:
    return "an array";
  default:
    return "an object";
  }
}

static const jnode_t *member(const jnode_t *obj, const char *key) {
  size_t i;
  for (i = 0; i < obj->u.obj.n; i++) {
    if (strcmp(obj->u.obj.m[i].key, key) == 0) {
      return &obj->u.obj.m[i].value;
    }
  }
  return NULL;
}

/*
 * Parses a decimal integer text (optional '-', digits; with allow_hex also
 * "0x..." as WMI's VARIANT strings may carry) into magnitude and sign.
 * Returns 1 on success, 0 on bad syntax, -1 when the magnitude exceeds
 * UINT64_MAX.
 */
static int parse_integer_text(const char *s, size_t len, bool allow_hex,
                              uint64_t *ret_mag, bool *ret_neg) {
  size_t i = 0;
  uint64_t v = 0;
  unsigned base = 10;
  bool neg = false;
  if (i < len && (s[i] == '-' || (allow_hex && s[i] == '+'))) {
    neg = s[i] == '-';
    i++;
  }
  if (allow_hex && len - i > 2 && s[i] == '0' &&
      (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
  }
  if (i >= len) {
    return 0;
  }
  for (; i < len; i++) {
    int d = base == 16 ? wes__hex_val((unsigned char)s[i])
                       : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
    if (d < 0) {
      return 0;
    }
    if (v > (UINT64_MAX - (uint64_t)d) / base) {
      return -1;
    }
    v = v * base + (uint64_t)d;
  }
  *ret_mag = v;
  *ret_neg = neg;
  return 1;
}

/* An integer of type `base` (or char16) from a JSON number (or, for
 * 64-bit types, a string of digits) into v->u.sint, v->u.uint or
 * v->u.char16. */
static wes_hresult_t to_integer(reader_t *r, const jnode_t *n,
                                wes_cimtype_t base, wes_value_t *v) {
  uint64_t mag = 0;
  bool neg = false;
  int ok;
  bool wide = base == WES_CIM_SINT64 || base == WES_CIM_UINT64;
  const char *tname = wes_cimtype_name(base);
  if (n->kind == J_NUMBER) {
    if (!n->u.num.integer) {
      return nerr(r, n, WES_E_TYPE_MISMATCH,
                  "%s expects an integer, found %.*s", tname,
                  (int)(n->u.num.len > 40 ? 40 : n->u.num.len), n->u.num.text);
    }
    ok = parse_integer_text(n->u.num.text, n->u.num.len, false, &mag, &neg);
  } else if (n->kind == J_STRING && wide) {
    ok = parse_integer_text(n->u.str.s, n->u.str.len, true, &mag, &neg);
    if (ok == 0) {
      return nerr(r, n, WES_E_TYPE_MISMATCH,
                  "%s expects a string of decimal digits", tname);
    }
  } else {
    return nerr(r, n, WES_E_TYPE_MISMATCH, "%s expects %s, found %s", tname,
                wide ? "a number or a string of digits" : "a number",
                kind_name(n->kind));
  }
  if (ok < 0 || !wes__render_int_set(v, base, mag, neg)) {
    return nerr(r, n, WES_E_VALUE_OUT_OF_RANGE, "value out of range for %s",
                tname);
  }
  return WES_S_OK;
}

static wes_hresult_t to_real(reader_t *r, const jnode_t *n, bool is32,
                             double *ret) {
  double v;
  const char *tname = is32 ? "real32" : "real64";
  if (n->kind == J_STRING) {
    /* The exact texts only: "NaN\u0000x" is not "NaN". */
    bool whole = strlen(n->u.str.s) == n->u.str.len;
    if (whole && strcmp(n->u.str.s, "NaN") == 0) {
      *ret = NAN;
    } else if (whole && strcmp(n->u.str.s, "Infinity") == 0) {
      *ret = INFINITY;
    } else if (whole && strcmp(n->u.str.s, "-Infinity") == 0) {
      *ret = -INFINITY;
    } else {
      return nerr(r, n, WES_E_TYPE_MISMATCH,
                  "%s expects a number (or \"NaN\", \"Infinity\", "
                  "\"-Infinity\")",
                  tname);
    }
    return WES_S_OK;
  }
  if (n->kind != J_NUMBER) {
    return nerr(r, n, WES_E_TYPE_MISMATCH, "%s expects a number, found %s",
                tname, kind_name(n->kind));
  }
  if (!wes__render_parse_real(n->u.num.text, n->u.num.len, &v)) {
    return nerr(r, n, WES_E_OUT_OF_MEMORY, "out of memory");
  }
  if (!isfinite(v) || (is32 && !wes__render_real32_fits(v))) {
    return nerr(r, n, WES_E_VALUE_OUT_OF_RANGE, "value out of range for %s",
                tname);
  }
  *ret = is32 ? (double)(float)v : v;
  return WES_S_OK;
}

/* A text of string/datetime/reference type (no NUL inside). */
static wes_hresult_t to_text(reader_t *r, const jnode_t *n, wes_cimtype_t base,
                             const char **ret) {
  const char *tname = wes_cimtype_name(base);
  if (n->kind != J_STRING) {
    return nerr(r, n, WES_E_TYPE_MISMATCH, "%s expects a string, found %s",
                tname, kind_name(n->kind));
  }
  if (strlen(n->u.str.s) != n->u.str.len) {
    return nerr(r, n, WES_E_VALUE_OUT_OF_RANGE, "%s values cannot hold U+0000",
                tname);
  }
  if (base == WES_CIM_DATETIME) {
    wes_error_t derr;
    wes_hresult_t hr = wes__render_check_datetime(n->u.str.s, &derr);
    if (WES_FAILED(hr)) {
      return nerr(r, n, hr, "bad datetime: %s", derr.text);
    }
  }
  *ret = n->u.str.s;
  return WES_S_OK;
}

static wes_hresult_t to_char16(reader_t *r, const jnode_t *n,
                               wes_value_t *v) {
  if (n->kind == J_NUMBER) {
    return to_integer(r, n, WES_CIM_CHAR16, v);
  }
  if (n->kind == J_STRING) {
    uint32_t cp = 0;
    /* The string is valid UTF-8: it must hold exactly one code point. */
    if (n->u.str.len == 0 ||
        wes__render_utf8_decode((const unsigned char *)n->u.str.s,
                                n->u.str.len, &cp) != n->u.str.len ||
        cp > 0xFFFF) {
      return nerr(r, n, WES_E_VALUE_OUT_OF_RANGE,
                  "char16 expects one character of the Basic Multilingual "
                  "Plane");
    }
    v->u.char16 = (uint16_t)cp;
    return WES_S_OK;
  }
  return nerr(r, n, WES_E_TYPE_MISMATCH,
              "char16 expects a one-character string, found %s",
              kind_name(n->kind));
}

static wes_hresult_t build_object(reader_t *r, const jnode_t *n,
                                  const char *strong, uint32_t nesting,
                                  wes_object_t **ret_obj);

/*
 * Converts one array element or scalar of the property's base type into
 * *v (type the base type; texts borrowed from the tree; objects built as
 * new references).
 */
static wes_hresult_t to_scalar(reader_t *r, const jnode_t *n,
                               const wes__property_t *p, uint32_t nesting,
                               wes_value_t *v) {
  wes_cimtype_t base = WES_CIM_BASETYPE(p->type);
  memset(v, 0, sizeof(*v));
  v->type = base;
  if (n->kind == J_NULL) {
    return nerr(r, n, WES_E_TYPE_MISMATCH, "array elements cannot be null");
  }
  switch (base) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    return to_integer(r, n, base, v);
  case WES_CIM_REAL32:
  case WES_CIM_REAL64:
    return to_real(r, n, base == WES_CIM_REAL32, &v->u.real);
  case WES_CIM_BOOLEAN:
    if (n->kind != J_TRUE && n->kind != J_FALSE) {
      return nerr(r, n, WES_E_TYPE_MISMATCH,
                  "boolean expects true or false, found %s",
                  kind_name(n->kind));
    }
    v->u.boolean = n->kind == J_TRUE;
    return WES_S_OK;
  case WES_CIM_CHAR16:
    return to_char16(r, n, v);
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    return to_text(r, n, base, &v->u.str);
  case WES_CIM_OBJECT:
    return build_object(r, n, p->class_ref, nesting + 1, &v->u.object);
  default:
    return nerr(r, n, WES_E_TYPE_MISMATCH, "property type %s cannot be read",
                wes_cimtype_name(base));
  }
}

/* Checks the "type" text of a wrapper against the declared type. */
static wes_hresult_t check_type_text(reader_t *r, const jnode_t *t,
                                     const wes__property_t *p) {
  char want[WES_MAX_IDENTIFIER + 16];
  const char *s;
  size_t len;
  bool arr;
  wes_cimtype_t base = WES_CIM_BASETYPE(p->type), got;
  const char *colon;
  char kw[16];
  if (t->kind != J_STRING) {
    return nerr(r, t, WES_E_TYPE_MISMATCH, "\"type\" must be a string");
  }
  s = t->u.str.s;
  len = t->u.str.len;
  arr = len >= 2 && s[len - 2] == '[' && s[len - 1] == ']';
  if (arr) {
    len -= 2;
  }
  colon = memchr(s, ':', len);
  {
    size_t kwlen = colon != NULL ? (size_t)(colon - s) : len;
    if (kwlen == 0 || kwlen >= sizeof(kw)) {
      goto mismatch;
    }
    memcpy(kw, s, kwlen);
    kw[kwlen] = '\0';
  }
  if (WES_FAILED(wes_cimtype_parse(kw, &got)) || got != base ||
      arr != WES_CIM_IS_ARRAY(p->type)) {
    goto mismatch;
  }
  if (colon != NULL) {
    size_t clen = len - (size_t)(colon + 1 - s);
    if ((base != WES_CIM_OBJECT && base != WES_CIM_REFERENCE) ||
        p->class_ref == NULL || strlen(p->class_ref) != clen ||
        wes__strncasecmp(colon + 1, p->class_ref, clen) != 0) {
      goto mismatch;
    }
  }
  return WES_S_OK;
mismatch:
  wes__render_type_text(p->type, p->class_ref, want, sizeof(want));
  return nerr(r, t, WES_E_TYPE_MISMATCH, "property %s has type %s, not %.*s",
              p->name, want, (int)(t->u.str.len > 80 ? 80 : t->u.str.len),
              t->u.str.s);
}

static void release_objects(wes_object_t **objs, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    wes_object_unref(objs[i]);
  }
}

/* Sets property p of obj from a JSON value (wrapper or bare). */
static wes_hresult_t set_property(reader_t *r, wes_object_t *obj,
                                  const wes__property_t *p, const jnode_t *n,
                                  uint32_t nesting) {
  wes_value_t v;
  wes_cimtype_t base = WES_CIM_BASETYPE(p->type);
  wes_hresult_t hr;
  const jnode_t *vn = n;
  void *data = NULL;
  size_t count = 0, i;
  memset(&v, 0, sizeof(v));
  v.type = p->type;
  if (n->kind == J_OBJECT && member(n, "type") != NULL) {
    const jnode_t *t = member(n, "type");
    for (i = 0; i < n->u.obj.n; i++) {
      const jmember_t *m = &n->u.obj.m[i];
      if (strcmp(m->key, "type") != 0 && strcmp(m->key, "value") != 0) {
        return nerr(r, &m->value, WES_E_INVALID_SYNTAX,
                    "unexpected member \"%.60s\" in a typed value", m->key);
      }
    }
    vn = member(n, "value");
    if (n->u.obj.n != 2 || vn == NULL) {
      /* vn is NULL for {"type":..,"type":..} */
      return nerr(r, n, WES_E_INVALID_SYNTAX,
                  "a typed value needs exactly \"type\" and \"value\"");
    }
    hr = check_type_text(r, t, p);
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  if (vn->kind == J_NULL) {
    v.is_null = 1;
  } else if (WES_CIM_IS_ARRAY(p->type)) {
    size_t esz = wes__cimtype_elem_size(base);
    if (vn->kind != J_ARRAY) {
      return nerr(r, vn, WES_E_TYPE_MISMATCH,
                  "property %s is an array, found %s", p->name,
                  kind_name(vn->kind));
    }
    count = vn->u.arr.n;
    if (count > 0) {
      data = wes__calloc(count, esz);
      if (data == NULL) {
        return nerr(r, vn, WES_E_OUT_OF_MEMORY, "out of memory");
      }
    }
    for (i = 0; i < count; i++) {
      wes_value_t ev;
      hr = to_scalar(r, &vn->u.arr.items[i], p, nesting, &ev);
      if (WES_FAILED(hr)) {
        if (base == WES_CIM_OBJECT) {
          release_objects(data, i);
        }
        wes__free(data);
        return hr;
      }
      wes__render_elem_put(base, data, i, &ev);
    }
    v.u.array.data = data;
    v.u.array.count = count;
  } else {
    hr = to_scalar(r, vn, p, nesting, &v);
    if (WES_FAILED(hr)) {
      return hr;
    }
    v.type = p->type;
  }
  hr = wes_object_set(obj, p->name, &v);
  if (!v.is_null && base == WES_CIM_OBJECT) {
    if (WES_CIM_IS_ARRAY(p->type)) {
      release_objects(data, count);
    } else {
      wes_object_unref(v.u.object);
    }
  }
  wes__free(data);
  if (WES_FAILED(hr)) {
    return nerr(r, vn, hr, "cannot set property %s: %s", p->name,
                wes_strerror(hr));
  }
  return WES_S_OK;
}

static wes_hresult_t build_object(reader_t *r, const jnode_t *n,
                                  const char *strong, uint32_t nesting,
                                  wes_object_t **ret_obj) {
  const jnode_t *cn = NULL, *pn = NULL;
  const wes_class_t *cls;
  wes_object_t *obj = NULL;
  bool *seen = NULL;
  wes_hresult_t hr;
  size_t i;
  if (n->kind != J_OBJECT) {
    return nerr(r, n, nesting == 0 ? WES_E_INVALID_SYNTAX : WES_E_TYPE_MISMATCH,
                "an object ({\"class\": ..., \"properties\": {...}}) "
                "expected, found %s",
                kind_name(n->kind));
  }
  if (nesting > WES_MAX_OBJECT_NESTING) {
    return nerr(r, n, WES_E_QUOTA_VIOLATION,
                "embedded objects nested deeper than %d",
                WES_MAX_OBJECT_NESTING);
  }
  for (i = 0; i < n->u.obj.n; i++) {
    const jmember_t *m = &n->u.obj.m[i];
    const jnode_t **slot = NULL;
    if (strcmp(m->key, "class") == 0) {
      slot = &cn;
    } else if (strcmp(m->key, "properties") == 0) {
      slot = &pn;
    } else if (strcmp(m->key, "system") == 0) {
      continue; /* informative only */
    } else {
      return nerr(r, &m->value, WES_E_INVALID_SYNTAX,
                  "unexpected member \"%.60s\" (expected \"class\", "
                  "\"properties\" or \"system\")",
                  m->key);
    }
    if (*slot != NULL) {
      return nerr(r, &m->value, WES_E_INVALID_SYNTAX, "duplicate member \"%s\"",
                  m->key);
    }
    *slot = &m->value;
  }
  if (cn == NULL) {
    return nerr(r, n, WES_E_INVALID_SYNTAX, "member \"class\" missing");
  }
  if (cn->kind != J_STRING) {
    return nerr(r, cn, WES_E_INVALID_SYNTAX, "\"class\" must be a string");
  }
  cls = strlen(cn->u.str.s) == cn->u.str.len
            ? wes_namespace_get_class(r->ns, cn->u.str.s)
            : NULL;
  if (cls == NULL) {
    return nerr(r, cn, WES_E_INVALID_CLASS, "unknown class \"%.80s\"",
                cn->u.str.s);
  }
  if (strong != NULL && !wes_class_derives_from(cls, strong)) {
    return nerr(r, cn, WES_E_TYPE_MISMATCH, "class %s does not derive from %s",
                cls->name, strong);
  }
  if (pn != NULL && pn->kind != J_OBJECT) {
    return nerr(r, pn, WES_E_INVALID_SYNTAX,
                "\"properties\" must be an object");
  }
  hr = wes_object_new(cls, &obj);
  if (WES_FAILED(hr)) {
    return nerr(r, cn, hr, "cannot create an instance of %s: %s", cls->name,
                hr == WES_E_INVALID_OPERATION ? "the class is abstract"
                                              : wes_strerror(hr));
  }
  if (pn != NULL && pn->u.obj.n > 0) {
    seen = wes__calloc(cls->nprops > 0 ? cls->nprops : 1, sizeof(*seen));
    if (seen == NULL) {
      wes_object_unref(obj);
      return nerr(r, pn, WES_E_OUT_OF_MEMORY, "out of memory");
    }
    for (i = 0; i < pn->u.obj.n; i++) {
      const jmember_t *m = &pn->u.obj.m[i];
      jnode_t keypos = {0};
      const wes__property_t *p =
          strlen(m->key) == m->key_len ? wes__class_find(cls, m->key) : NULL;
      keypos.line = m->line;
      keypos.col = m->col;
      if (p == NULL) {
        hr = nerr(r, &keypos, WES_E_NOT_FOUND,
                  m->key[0] == '_' && m->key[1] == '_'
                      ? "system property \"%.80s\" cannot be set"
                      : "class %s has no property \"%.80s\"",
                  m->key[0] == '_' && m->key[1] == '_' ? m->key : cls->name,
                  m->key);
        break;
      }
      if (seen[p->index]) {
        hr = nerr(r, &keypos, WES_E_INVALID_SYNTAX, "property %s given twice",
                  p->name);
        break;
      }
      seen[p->index] = true;
      hr = set_property(r, obj, p, &m->value, nesting);
      if (WES_FAILED(hr)) {
        break;
      }
    }
    wes__free(seen);
    if (WES_FAILED(hr)) {
      wes_object_unref(obj);
      return hr;
    }
  }
  *ret_obj = obj;
  return WES_S_OK;
}

WES_API wes_hresult_t wes_object_from_json(const wes_namespace_t *ns,
                                           const char *text, size_t len,
                                           wes_object_t **ret_obj,
                                           wes_error_t *reterr) {
  parser_t p;
  reader_t r;
  jnode_t root;
  wes_object_t *obj = NULL;
  wes_hresult_t hr;
  if (ns == NULL || (text == NULL && len > 0) || ret_obj == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL argument");
  }
  memset(&p, 0, sizeof(p));
  p.text = text;
  p.len = len;
  p.line = 1;
  p.col = 1;
  p.err = reterr;
  skip_ws(&p);
  hr = parse_value(&p, &root, 0);
  if (WES_SUCCEEDED(hr)) {
    skip_ws(&p);
    if (p.pos < p.len) {
      hr = unexpected(&p, "end of input");
    }
  }
  if (WES_FAILED(hr)) {
    node_free(&root);
    return hr;
  }
  r.ns = ns;
  r.err = reterr;
  hr = build_object(&r, &root, NULL, 0, &obj);
  node_free(&root);
  if (WES_FAILED(hr)) {
    return hr;
  }
  *ret_obj = obj;
  return WES_S_OK;
}
