/* SPDX-License-Identifier: MIT */
/*
 * MOF lexer: identifiers, string and char16 literals with MOF escapes,
 * integers (decimal, hex, octal, binary), reals, aliases, punctuation,
 * `//` and `/ * * /` comments. Positions are 1-based lines and columns;
 * columns count characters (UTF-8 code points), a tab counts as one.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mof_internal.h"
#include "render_internal.h"

void wes__mof_lex_init(wes__mof_lexer_t *lx, const char *text, size_t len) {
  lx->text = text;
  lx->len = len;
  lx->pos = 0;
  lx->line = 1;
  lx->col = 1;
}

static int peek_at(const wes__mof_lexer_t *lx, size_t off) {
  size_t p = lx->pos + off;
  return p < lx->len ? (unsigned char)lx->text[p] : -1;
}

/* Advances one byte, keeping line/column. */
static void advance(wes__mof_lexer_t *lx) {
  unsigned char c = (unsigned char)lx->text[lx->pos];
  lx->pos++;
  if (c == '\n') {
    lx->line++;
    lx->col = 1;
  } else if (c == '\r') {
    if (lx->pos < lx->len && lx->text[lx->pos] == '\n') {
      return; /* the '\n' that follows ends the line */
    }
    lx->line++;
    lx->col = 1;
  } else if ((c & 0xC0u) != 0x80u) {
    lx->col++;
  }
}

static bool is_ident_start(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_ident_char(int c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/*
 * Scans one character of a string or char16 literal starting at lx->pos
 * (which is neither the closing quote nor a line end). Sets *cp to the
 * character's code point. A \x escape may give U+0000 or a lone
 * surrogate only in a char16 literal (code_unit), which holds any UTF-16
 * code unit; a string cannot hold them. Returns WES_S_OK or
 * WES_E_INVALID_SYNTAX.
 */
static wes_hresult_t scan_lit_char(wes__mof_lexer_t *lx, bool code_unit,
                                   uint32_t *cp, wes_error_t *err) {
  uint32_t line = lx->line, col = lx->col;
  int c = peek_at(lx, 0);
  if (c == '\\') {
    int e = peek_at(lx, 1);
    advance(lx);
    switch (e) {
    case 'b':
      *cp = '\b';
      break;
    case 't':
      *cp = '\t';
      break;
    case 'n':
      *cp = '\n';
      break;
    case 'f':
      *cp = '\f';
      break;
    case 'r':
      *cp = '\r';
      break;
    case '"':
    case '\'':
    case '\\':
      *cp = (uint32_t)e;
      break;
    case 'x':
    case 'X': {
      uint32_t v = 0;
      int digits = 0;
      advance(lx);
      while (digits < 4 && wes__hex_val(peek_at(lx, 0)) >= 0) {
        v = (v << 4) | (uint32_t)wes__hex_val(peek_at(lx, 0));
        advance(lx);
        digits++;
      }
      if (digits == 0) {
        return wes__error(err, WES_E_INVALID_SYNTAX, line, col,
                          "expected hex digits after '\\%c'", e);
      }
      if (!code_unit && (v == 0 || (v >= 0xD800 && v <= 0xDFFF))) {
        return wes__error(err, WES_E_INVALID_SYNTAX, line, col,
                          "escape '\\%c%X' is not a valid character", e,
                          (unsigned)v);
      }
      *cp = v;
      return WES_S_OK;
    }
    default:
      if (e >= 0x20 && e < 0x7F) {
        return wes__error(err, WES_E_INVALID_SYNTAX, line, col,
                          "unknown escape sequence '\\%c'", e);
      }
      return wes__error(err, WES_E_INVALID_SYNTAX, line, col,
                        "unknown escape sequence");
    }
    advance(lx);
    return WES_S_OK;
  } else {
    size_t n = wes__render_utf8_decode(
        (const unsigned char *)lx->text + lx->pos, lx->len - lx->pos, cp);
    size_t i;
    if (n == 0 || *cp == 0) {
      return wes__error(err, WES_E_INVALID_SYNTAX, line, col,
                        "invalid character (not UTF-8 text) in literal");
    }
    for (i = 0; i < n; i++) {
      advance(lx);
    }
    return WES_S_OK;
  }
}

static wes_hresult_t scan_string(wes__mof_lexer_t *lx, wes__mof_tok_t *tok,
                                 wes_error_t *err) {
  advance(lx); /* opening quote */
  for (;;) {
    int c = peek_at(lx, 0);
    uint32_t cp;
    wes_hresult_t hr;
    if (c == '"') {
      advance(lx);
      break;
    }
    if (c < 0 || c == '\n' || c == '\r') {
      return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                        "unterminated string literal");
    }
    hr = scan_lit_char(lx, false, &cp, err);
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  tok->kind = WES__MOF_TOK_STRING;
  return WES_S_OK;
}

static wes_hresult_t scan_char(wes__mof_lexer_t *lx, wes__mof_tok_t *tok,
                               wes_error_t *err) {
  uint32_t cp;
  wes_hresult_t hr;
  int c;
  advance(lx); /* opening quote */
  c = peek_at(lx, 0);
  if (c == '\'') {
    return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                      "empty char16 literal");
  }
  if (c < 0 || c == '\n' || c == '\r') {
    return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                      "unterminated char16 literal");
  }
  hr = scan_lit_char(lx, true, &cp, err);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (peek_at(lx, 0) != '\'') {
    return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                      "expected ''' closing a char16 literal of one "
                      "character");
  }
  advance(lx);
  if (cp > 0xFFFF) {
    return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                      "char16 literal outside the 16-bit range");
  }
  tok->kind = WES__MOF_TOK_CHAR;
  tok->ch = (uint16_t)cp;
  return WES_S_OK;
}

/* Accumulates a digit in base `base`; sets overflow on wrap. */
static void acc_digit(wes__mof_tok_t *tok, unsigned base, unsigned d) {
  if (tok->mag > (UINT64_MAX - d) / base) {
    tok->overflow = true;
  }
  tok->mag = tok->mag * base + d;
}

/* Converts text[0..n) (a MOF real), independent of the C locale. */
static double parse_real(const char *text, size_t n) {
  double v;
  if (!wes__render_parse_real(text, n, &v)) {
    return HUGE_VAL; /* out of memory: reported as out of range */
  }
  return v;
}

/* True when a sign at the current position is directly followed by the
 * word Infinity (any case) and no further name character. */
static bool signed_infinity(const wes__mof_lexer_t *lx) {
  static const char word[] = "infinity";
  size_t i;
  for (i = 0; i < 8; i++) {
    int c = peek_at(lx, i + 1);
    if (c < 0 || (c | 0x20) != word[i]) {
      return false;
    }
  }
  return !is_ident_char(peek_at(lx, 9));
}

static wes_hresult_t scan_number(wes__mof_lexer_t *lx, wes__mof_tok_t *tok,
                                 wes_error_t *err) {
  size_t begin = lx->pos;
  size_t digits_start, ndigits = 0;
  int c = peek_at(lx, 0);
  bool is_real = false;
  tok->kind = WES__MOF_TOK_INT;
  if (c == '+' || c == '-') {
    tok->neg = (c == '-');
    advance(lx);
  }
  if (peek_at(lx, 0) == '0' &&
      (peek_at(lx, 1) == 'x' || peek_at(lx, 1) == 'X')) {
    advance(lx);
    advance(lx);
    while (wes__hex_val(peek_at(lx, 0)) >= 0) {
      acc_digit(tok, 16, (unsigned)wes__hex_val(peek_at(lx, 0)));
      advance(lx);
      ndigits++;
    }
    if (ndigits == 0) {
      return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                        "expected hex digits after '0x'");
    }
  } else {
    digits_start = lx->pos;
    while (is_digit(peek_at(lx, 0))) {
      advance(lx);
      ndigits++;
    }
    c = peek_at(lx, 0);
    if (c == '.' && is_digit(peek_at(lx, 1))) {
      is_real = true;
      advance(lx);
      while (is_digit(peek_at(lx, 0))) {
        advance(lx);
      }
      c = peek_at(lx, 0);
    } else if (c == '.') {
      return wes__error(err, WES_E_INVALID_SYNTAX, lx->line, lx->col,
                        "expected digits after '.' in a real number");
    }
    if ((c == 'e' || c == 'E') && ndigits + (is_real ? 1u : 0u) > 0 &&
        (is_digit(peek_at(lx, 1)) ||
         ((peek_at(lx, 1) == '+' || peek_at(lx, 1) == '-') &&
          is_digit(peek_at(lx, 2))))) {
      is_real = true;
      advance(lx);
      if (peek_at(lx, 0) == '+' || peek_at(lx, 0) == '-') {
        advance(lx);
      }
      while (is_digit(peek_at(lx, 0))) {
        advance(lx);
      }
    }
    if (is_real) {
      tok->kind = WES__MOF_TOK_REAL;
      tok->real = parse_real(lx->text + begin, lx->pos - begin);
      tok->overflow = !isfinite(tok->real);
    } else if (c == 'b' || c == 'B') {
      size_t i;
      for (i = 0; i < ndigits; i++) {
        char d = lx->text[digits_start + i];
        if (d != '0' && d != '1') {
          return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                            "invalid digit '%c' in a binary number", d);
        }
        acc_digit(tok, 2, (unsigned)(d - '0'));
      }
      advance(lx);
    } else if (ndigits > 1 && lx->text[digits_start] == '0') {
      size_t i;
      for (i = 0; i < ndigits; i++) {
        char d = lx->text[digits_start + i];
        if (d > '7') {
          return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                            "invalid digit '%c' in an octal number "
                            "(leading 0)",
                            d);
        }
        acc_digit(tok, 8, (unsigned)(d - '0'));
      }
    } else {
      size_t i;
      for (i = 0; i < ndigits; i++) {
        acc_digit(tok, 10, (unsigned)(lx->text[digits_start + i] - '0'));
      }
    }
  }
  c = peek_at(lx, 0);
  if (is_ident_char(c) || c == '.') {
    return wes__error(err, WES_E_INVALID_SYNTAX, lx->line, lx->col,
                      "unexpected '%c' after a number", c);
  }
  return WES_S_OK;
}

wes_hresult_t wes__mof_lex_next(wes__mof_lexer_t *lx, wes__mof_tok_t *tok,
                                wes_error_t *err) {
  int c;
  memset(tok, 0, sizeof(*tok));
  /* Blanks and comments. */
  for (;;) {
    c = peek_at(lx, 0);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v') {
      advance(lx);
    } else if (c == '/' && peek_at(lx, 1) == '/') {
      while (peek_at(lx, 0) >= 0 && peek_at(lx, 0) != '\n' &&
             peek_at(lx, 0) != '\r') {
        advance(lx);
      }
    } else if (c == '/' && peek_at(lx, 1) == '*') {
      uint32_t line = lx->line, col = lx->col;
      advance(lx);
      advance(lx);
      for (;;) {
        if (peek_at(lx, 0) < 0) {
          return wes__error(err, WES_E_INVALID_SYNTAX, line, col,
                            "unterminated comment");
        }
        if (peek_at(lx, 0) == '*' && peek_at(lx, 1) == '/') {
          advance(lx);
          advance(lx);
          break;
        }
        advance(lx);
      }
    } else {
      break;
    }
  }
  tok->line = lx->line;
  tok->col = lx->col;
  tok->start = lx->text + lx->pos;
  if (c < 0) {
    tok->kind = WES__MOF_TOK_EOF;
    return WES_S_OK;
  }
  if (is_ident_start(c)) {
    while (is_ident_char(peek_at(lx, 0))) {
      advance(lx);
    }
    tok->kind = WES__MOF_TOK_IDENT;
  } else if (c == '$') {
    advance(lx);
    if (!is_ident_start(peek_at(lx, 0))) {
      return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                        "expected an alias name after '$'");
    }
    tok->start++;
    while (is_ident_char(peek_at(lx, 0))) {
      advance(lx);
    }
    tok->kind = WES__MOF_TOK_ALIAS;
  } else if ((c == '-' || c == '+') && signed_infinity(lx)) {
    /* wes extension: -Infinity / +Infinity (case-insensitive) */
    size_t i;
    for (i = 0; i < 9; i++) {
      advance(lx);
    }
    tok->kind = WES__MOF_TOK_REAL;
    tok->real = c == '-' ? -INFINITY : INFINITY;
    tok->special = true;
  } else if (is_digit(c) ||
             ((c == '-' || c == '+' || c == '.') &&
              (is_digit(peek_at(lx, 1)) ||
               (c != '.' && peek_at(lx, 1) == '.' &&
                is_digit(peek_at(lx, 2)))))) {
    wes_hresult_t hr = scan_number(lx, tok, err);
    if (WES_FAILED(hr)) {
      return hr;
    }
  } else if (c == '"') {
    wes_hresult_t hr = scan_string(lx, tok, err);
    if (WES_FAILED(hr)) {
      return hr;
    }
  } else if (c == '\'') {
    wes_hresult_t hr = scan_char(lx, tok, err);
    if (WES_FAILED(hr)) {
      return hr;
    }
  } else if (strchr("{}[]();,:=#", c) != NULL) {
    advance(lx);
    tok->kind = c;
  } else if (c >= 0x21 && c < 0x7F) {
    return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                      "unexpected character '%c'", c);
  } else {
    return wes__error(err, WES_E_INVALID_SYNTAX, tok->line, tok->col,
                      "unexpected character (byte 0x%02X)", (unsigned)c);
  }
  tok->len = (size_t)(lx->text + lx->pos - tok->start);
  return WES_S_OK;
}

wes_hresult_t wes__mof_string_decode(const wes__mof_tok_t *tok,
                                     wes__buf_t *buf) {
  wes__mof_lexer_t lx;
  wes_error_t err;
  /* Re-scan the literal between its quotes; it is known to be valid. */
  wes__mof_lex_init(&lx, tok->start + 1, tok->len - 2);
  while (lx.pos < lx.len) {
    uint32_t cp = 0;
    if (WES_FAILED(scan_lit_char(&lx, false, &cp, &err))) {
      return WES_E_INVALID_SYNTAX; /* not reached for lexer tokens */
    }
    wes__render_put_utf8(buf, cp);
  }
  return buf->oom ? WES_E_OUT_OF_MEMORY : WES_S_OK;
}

bool wes__mof_tok_is(const wes__mof_tok_t *tok, const char *kw) {
  size_t n = strlen(kw);
  return tok->kind == WES__MOF_TOK_IDENT && tok->len == n &&
         wes__strncasecmp(tok->start, kw, n) == 0;
}

void wes__mof_tok_describe(const wes__mof_tok_t *tok, char *buf,
                           size_t size) {
  int n = tok->len > 40 ? 40 : (int)tok->len;
  switch (tok->kind) {
  case WES__MOF_TOK_EOF:
    snprintf(buf, size, "end of input");
    break;
  case WES__MOF_TOK_IDENT:
    snprintf(buf, size, "'%.*s'%s", n, tok->start, tok->len > 40 ? "..." : "");
    break;
  case WES__MOF_TOK_STRING:
    snprintf(buf, size, "a string");
    break;
  case WES__MOF_TOK_CHAR:
    snprintf(buf, size, "a char16 literal");
    break;
  case WES__MOF_TOK_INT:
  case WES__MOF_TOK_REAL:
    snprintf(buf, size, "number %.*s", n, tok->start);
    break;
  case WES__MOF_TOK_ALIAS:
    snprintf(buf, size, "alias '$%.*s'", n, tok->start);
    break;
  default:
    snprintf(buf, size, "'%c'", tok->kind);
    break;
  }
}
