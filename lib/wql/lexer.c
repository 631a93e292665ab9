/* SPDX-License-Identifier: MIT */
/* WQL lexer and the per-query arena. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wql_internal.h"

/* ---- arena ---- */

/* Alignment of every arena block: enough for the types the arena holds
 * (pointers, sizes, 64-bit integers, doubles), not max_align_t, which is
 * 16 or 32 bytes on common targets and would pad every small string. */
typedef union wql_align_u {
  void *p;
  size_t z;
  int64_t i;
  uint64_t u;
  double d;
} wql_align_t;

#define WQL_ALIGN _Alignof(wql_align_t)

struct wql_chunk_s {
  wql_chunk_t *next;
  uint32_t used, cap; /* a chunk never exceeds WQL_ALLOC_MAX */
  wql_align_t data[];
};

/* Without a reservation, chunks start small and double up to
 * WQL_CHUNK_MAX. wes_query_compile measures a query once (see
 * wes__wql_arena_reserve) and then builds it in one chunk of the exact
 * size, since every live subscription keeps its query's arena. */
#define WQL_CHUNK_FIRST 256
#define WQL_CHUNK_MAX 4096
/* Largest single allocation (far above what the query limits allow). */
#define WQL_ALLOC_MAX ((size_t)1 << 30)

static size_t wql_round(size_t size) {
  size = (size + WQL_ALIGN - 1) / WQL_ALIGN * WQL_ALIGN;
  return size == 0 ? WQL_ALIGN : size;
}

static wql_chunk_t *wql_chunk_new(wql_arena_t *a, size_t cap) {
  wql_chunk_t *c;
  if (cap > WQL_ALLOC_MAX) {
    return NULL;
  }
  c = wes__malloc(sizeof(*c) + cap);
  if (c == NULL) {
    return NULL;
  }
  c->cap = (uint32_t)cap;
  c->used = 0;
  c->next = a->head;
  a->head = c;
  return c;
}

void *wes__wql_alloc(wql_arena_t *a, size_t size) {
  wql_chunk_t *c = a->head;
  void *p;
  if (size > WQL_ALLOC_MAX) {
    return NULL;
  }
  size = wql_round(size);
  if (c == NULL || (size_t)(c->cap - c->used) < size) {
    size_t cap =
        c == NULL ? WQL_CHUNK_FIRST
                  : (c->cap >= WQL_CHUNK_MAX / 2 ? WQL_CHUNK_MAX : c->cap * 2);
    if (cap < size) {
      cap = size;
    }
    c = wql_chunk_new(a, cap);
    if (c == NULL) {
      return NULL;
    }
  }
  p = (char *)c->data + c->used;
  c->used += (uint32_t)size;
  memset(p, 0, size);
  return p;
}

size_t wes__wql_arena_used(const wql_arena_t *a) {
  const wql_chunk_t *c;
  size_t n = 0;
  for (c = a->head; c != NULL; c = c->next) {
    n += c->used;
  }
  return n;
}

bool wes__wql_arena_reserve(wql_arena_t *a, size_t size) {
  if (size == 0) {
    return true;
  }
  return size <= WQL_ALLOC_MAX && wql_chunk_new(a, wql_round(size)) != NULL;
}

char *wes__wql_strndup(wql_arena_t *a, const char *s, size_t n) {
  char *p = wes__wql_alloc(a, n + 1);
  if (p != NULL) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

void wes__wql_arena_free(wql_arena_t *a) {
  wql_chunk_t *c = a->head;
  while (c != NULL) {
    wql_chunk_t *next = c->next;
    wes__free(c);
    c = next;
  }
  a->head = NULL;
}

/* ---- keywords ---- */

static const struct {
  const char *word;
  wql_tok_t tok;
} keywords[] = {
    {"SELECT", TK_SELECT}, {"FROM", TK_FROM},   {"WHERE", TK_WHERE},
    {"WITHIN", TK_WITHIN}, {"GROUP", TK_GROUP}, {"BY", TK_BY},
    {"HAVING", TK_HAVING}, {"AND", TK_AND},     {"OR", TK_OR},
    {"NOT", TK_NOT},       {"LIKE", TK_LIKE},   {"ISA", TK_ISA},
    {"IS", TK_IS},         {"NULL", TK_NULL},   {"TRUE", TK_TRUE},
    {"FALSE", TK_FALSE},
};

const char *wes__wql_tok_keyword(wql_tok_t t) {
  size_t i;
  for (i = 0; i < WES__ARRAY_SIZE(keywords); i++) {
    if (keywords[i].tok == t) {
      return keywords[i].word;
    }
  }
  return NULL;
}

static wql_tok_t keyword_of(const char *s, size_t n) {
  size_t i;
  for (i = 0; i < WES__ARRAY_SIZE(keywords); i++) {
    if (strlen(keywords[i].word) == n &&
        wes__strncasecmp(keywords[i].word, s, n) == 0) {
      return keywords[i].tok;
    }
  }
  return TK_IDENT;
}

/* ---- lexer ---- */

void wes__wql_lex_init(wql_lexer_t *lx, const char *src, size_t len,
                       wql_arena_t *arena, wes_error_t *err) {
  lx->src = src;
  lx->len = len;
  lx->pos = 0;
  lx->line = 1;
  lx->col = 1;
  lx->arena = arena;
  lx->err = err;
}

static char peekc(const wql_lexer_t *lx, size_t off) {
  return lx->pos + off < lx->len ? lx->src[lx->pos + off] : '\0';
}

static void advance(wql_lexer_t *lx, size_t n) {
  while (n-- > 0 && lx->pos < lx->len) {
    if (lx->src[lx->pos] == '\n') {
      lx->line++;
      lx->col = 1;
    } else {
      lx->col++;
    }
    lx->pos++;
  }
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static wes_hresult_t lex_string(wql_lexer_t *lx, wql_token_t *tok) {
  char quote = peekc(lx, 0);
  size_t start = lx->pos + 1, i;
  size_t n = 0;
  char *out;
  /* First pass: find the end and validate escapes. */
  uint32_t line = lx->line, col = lx->col + 1;
  for (i = start; i < lx->len; i++) {
    char c = lx->src[i];
    if (c == quote) {
      break;
    }
    if (c == '\\') {
      char e = i + 1 < lx->len ? lx->src[i + 1] : '\0';
      if (e != '\\' && e != '\'' && e != '"') {
        return wes__error(lx->err, WES_E_INVALID_QUERY, line, col,
                          "invalid escape '\\%c' in string (only \\\\, \\' "
                          "and \\\" are allowed)",
                          (e >= 0x20 && e < 0x7f) ? e : '?');
      }
      i++;
      col++;
    }
    if (c == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  if (i >= lx->len) {
    return wes__error(lx->err, WES_E_UNPARSABLE_QUERY, tok->line, tok->col,
                      "unterminated string (expected closing %c)", quote);
  }
  out = wes__wql_alloc(lx->arena, i - start + 1);
  if (out == NULL) {
    return wes__error(lx->err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  for (size_t j = start; j < i; j++) {
    if (lx->src[j] == '\\') {
      j++;
    }
    out[n++] = lx->src[j];
  }
  out[n] = '\0';
  tok->type = TK_STRING;
  tok->sval = out;
  tok->slen = n;
  advance(lx, i + 1 - lx->pos);
  return WES_S_OK;
}

static wes_hresult_t lex_number(wql_lexer_t *lx, wql_token_t *tok) {
  size_t i = lx->pos;
  bool neg = false, real = false;
  char buf[80];
  size_t n;
  if (lx->src[i] == '-' || lx->src[i] == '+') {
    neg = lx->src[i] == '-';
    i++;
  }
  while (i < lx->len && is_digit(lx->src[i])) {
    i++;
  }
  if (i + 1 < lx->len && lx->src[i] == '.' && is_digit(lx->src[i + 1])) {
    real = true;
    i++;
    while (i < lx->len && is_digit(lx->src[i])) {
      i++;
    }
  }
  if (i < lx->len &&
      (is_alpha(lx->src[i]) || is_digit(lx->src[i]) || lx->src[i] == '.')) {
    return wes__error(lx->err, WES_E_UNPARSABLE_QUERY, tok->line, tok->col,
                      "malformed number (expected digits, optionally "
                      "followed by '.' and digits)");
  }
  n = i - lx->pos;
  if (n >= sizeof(buf)) {
    return wes__error(lx->err, WES_E_VALUE_OUT_OF_RANGE, tok->line, tok->col,
                      "number too long");
  }
  memcpy(buf, lx->src + lx->pos, n);
  buf[n] = '\0';
  tok->len = n;
  if (real) {
    tok->type = TK_REAL;
    errno = 0;
    tok->rval = strtod(buf, NULL);
    if (errno == ERANGE && !isfinite(tok->rval)) {
      return wes__error(lx->err, WES_E_VALUE_OUT_OF_RANGE, tok->line, tok->col,
                        "real number out of range");
    }
  } else {
    const char *d = buf + ((buf[0] == '-' || buf[0] == '+') ? 1 : 0);
    uint64_t mag;
    errno = 0;
    mag = strtoull(d, NULL, 10);
    if (errno == ERANGE) {
      return wes__error(lx->err, WES_E_VALUE_OUT_OF_RANGE, tok->line, tok->col,
                        "integer does not fit in 64 bits");
    }
    tok->type = TK_INT;
    if (neg) {
      if (mag > (uint64_t)INT64_MAX + 1) {
        return wes__error(lx->err, WES_E_VALUE_OUT_OF_RANGE, tok->line,
                          tok->col, "integer does not fit in 64 bits");
      }
      tok->ival = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
      tok->rval = -(double)mag;
    } else if (mag > (uint64_t)INT64_MAX) {
      tok->big = 1;
      tok->uval = mag;
      tok->rval = (double)mag;
    } else {
      tok->ival = (int64_t)mag;
      tok->rval = (double)mag;
    }
  }
  advance(lx, n);
  return WES_S_OK;
}

wes_hresult_t wes__wql_lex_next(wql_lexer_t *lx, wql_token_t *tok) {
  char c;
  memset(tok, 0, sizeof(*tok));
  for (;;) {
    c = peekc(lx, 0);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
        c == '\v') {
      advance(lx, 1);
      continue;
    }
    break;
  }
  tok->start = lx->src + lx->pos;
  tok->line = lx->line;
  tok->col = lx->col;
  if (lx->pos >= lx->len) {
    tok->type = TK_EOF;
    return WES_S_OK;
  }
  if (c == '\0') {
    return wes__error(lx->err, WES_E_UNPARSABLE_QUERY, tok->line, tok->col,
                      "unexpected NUL byte in query");
  }
  if (is_alpha(c)) {
    size_t i = lx->pos;
    while (i < lx->len && (is_alpha(lx->src[i]) || is_digit(lx->src[i]))) {
      i++;
    }
    tok->len = i - lx->pos;
    if (tok->len > WQL_MAX_IDENT) {
      /* DESIGN 4.22: every name (class, property, path segment) */
      return wes__error(lx->err, WES_E_QUOTA_VIOLATION, tok->line, tok->col,
                        "name longer than the limit of %d bytes (%zu bytes)",
                        WQL_MAX_IDENT, tok->len);
    }
    tok->type = keyword_of(tok->start, tok->len);
    advance(lx, tok->len);
    return WES_S_OK;
  }
  if (is_digit(c) || ((c == '-' || c == '+') && is_digit(peekc(lx, 1)))) {
    return lex_number(lx, tok);
  }
  if (c == '\'' || c == '"') {
    wes_hresult_t hr = lex_string(lx, tok);
    tok->len = (size_t)(lx->src + lx->pos - tok->start);
    return hr;
  }
  tok->len = 1;
  switch (c) {
  case '(':
    tok->type = TK_LPAREN;
    break;
  case ')':
    tok->type = TK_RPAREN;
    break;
  case ',':
    tok->type = TK_COMMA;
    break;
  case '.':
    tok->type = TK_DOT;
    break;
  case '*':
    tok->type = TK_STAR;
    break;
  case ';':
    tok->type = TK_SEMI;
    break;
  case '=':
    tok->type = TK_EQ;
    break;
  case '!':
    if (peekc(lx, 1) != '=') {
      return wes__error(lx->err, WES_E_UNPARSABLE_QUERY, tok->line, tok->col,
                        "unexpected '!' (expected '!=')");
    }
    tok->type = TK_NE;
    tok->len = 2;
    break;
  case '<':
    if (peekc(lx, 1) == '>') {
      tok->type = TK_NE;
      tok->len = 2;
    } else if (peekc(lx, 1) == '=') {
      tok->type = TK_LE;
      tok->len = 2;
    } else {
      tok->type = TK_LT;
    }
    break;
  case '>':
    if (peekc(lx, 1) == '=') {
      tok->type = TK_GE;
      tok->len = 2;
    } else {
      tok->type = TK_GT;
    }
    break;
  default:
    if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f) {
      return wes__error(lx->err, WES_E_UNPARSABLE_QUERY, tok->line, tok->col,
                        "unexpected character '%c'", c);
    }
    return wes__error(lx->err, WES_E_UNPARSABLE_QUERY, tok->line, tok->col,
                      "unexpected byte 0x%02X (names are ASCII letters, "
                      "digits and '_')",
                      (unsigned)(unsigned char)c);
  }
  advance(lx, tok->len);
  return WES_S_OK;
}
