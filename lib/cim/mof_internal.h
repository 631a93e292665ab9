/* SPDX-License-Identifier: MIT */
/*
 * MOF compiler internals: the lexer (mof_lex.c) used by the parser
 * (mof_parse.c). Nothing here is exported.
 */
#ifndef WES_MOF_INTERNAL_H
#define WES_MOF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "wes/mof.h"

/* Depth limit of the braces of values (instance bodies and arrays, the
 * top-level instance body included): the deepest text an object of the
 * object model renders to is its top-level body plus, for each of
 * WES_MAX_OBJECT_NESTING embedded levels, an array and an instance body;
 * one more lets the array brace of one level too many through, so that
 * its instance is reported as an object nested too deeply. Embedded
 * instances themselves are limited to WES_MAX_OBJECT_NESTING
 * (mof_parse.c), counted as the object model counts them. */
#define WES__MOF_MAX_DEPTH (2 * WES_MAX_OBJECT_NESTING + 2)

/* Token kinds. Punctuation tokens use the character itself (< 128). */
#define WES__MOF_TOK_EOF 256
#define WES__MOF_TOK_IDENT 257
#define WES__MOF_TOK_STRING 258 /* "..." (raw, still escaped) */
#define WES__MOF_TOK_CHAR 259   /* 'x' (value in `ch`) */
#define WES__MOF_TOK_INT 260    /* integer (mag, neg, overflow) */
#define WES__MOF_TOK_REAL 261   /* real (real) */
#define WES__MOF_TOK_ALIAS 262  /* $Name (start/len exclude the '$') */

typedef struct wes__mof_tok_s {
  int kind;
  const char *start; /* token text in the source */
  size_t len;
  uint32_t line;
  uint32_t col;
  uint64_t mag;  /* INT: magnitude */
  bool neg;      /* INT: minus sign */
  bool overflow; /* INT: magnitude above UINT64_MAX; REAL: not finite */
  bool special;  /* REAL: written NaN / Infinity / -Infinity (wes extension;
                    the lexer gives signed Infinity a REAL token, bare NaN
                    and Infinity stay IDENT tokens for the parser) */
  double real;   /* REAL */
  uint16_t ch;   /* CHAR */
} wes__mof_tok_t;

typedef struct wes__mof_lexer_s {
  const char *text;
  size_t len;
  size_t pos;
  uint32_t line;
  uint32_t col;
} wes__mof_lexer_t;

void wes__mof_lex_init(wes__mof_lexer_t *lx, const char *text, size_t len);

/*
 * Scans the next token into *tok (skipping blanks and comments).
 * Returns WES_S_OK, or WES_E_INVALID_SYNTAX with the position in err
 * (unterminated string or comment, bad escape, bad number, invalid UTF-8,
 * unexpected character).
 */
wes_hresult_t wes__mof_lex_next(wes__mof_lexer_t *lx, wes__mof_tok_t *tok,
                                wes_error_t *err);

/*
 * Appends the decoded value of a STRING token (escapes resolved, UTF-8) to
 * buf. The token was validated by the lexer. Returns WES_S_OK or
 * WES_E_OUT_OF_MEMORY.
 */
wes_hresult_t wes__mof_string_decode(const wes__mof_tok_t *tok,
                                     wes__buf_t *buf);

/* Non-zero when the IDENT token equals `kw` (ASCII case-insensitive). */
bool wes__mof_tok_is(const wes__mof_tok_t *tok, const char *kw);

/* Writes a short printable description of a token ("'}'", "end of
 * input", "identifier 'Foo'") into buf. */
void wes__mof_tok_describe(const wes__mof_tok_t *tok, char *buf, size_t size);

#endif /* WES_MOF_INTERNAL_H */
