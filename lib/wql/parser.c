/* SPDX-License-Identifier: MIT */
/*
 * WQL parser: recursive descent over one-token lookahead. Recursion only
 * through parentheses and NOT, bounded by WQL_MAX_DEPTH; AND/OR chains are
 * built iteratively into n-ary nodes (nested ones of the same kind are
 * flattened, so printing and re-parsing gives the same tree).
 */
#include <stdio.h>
#include <string.h>

#include "wql_internal.h"

typedef struct parser_s {
  wql_lexer_t lx;
  wql_token_t tok;
  wql_arena_t *arena; /* what the compiled query keeps (strings too) */
  wql_arena_t *nodes; /* WHERE tree structure: arena or a scratch arena */
  wes_error_t *err;
  uint32_t depth;
  uint32_t npreds;
  int in_having;
} parser_t;

#define TRY(x)                                                                 \
  do {                                                                         \
    wes_hresult_t try_hr_ = (x);                                               \
    if (WES_FAILED(try_hr_)) {                                                 \
      return try_hr_;                                                          \
    }                                                                          \
  } while (0)

static wes_hresult_t oom(parser_t *p) {
  return wes__error(p->err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
}

static wes_hresult_t next(parser_t *p) {
  return wes__wql_lex_next(&p->lx, &p->tok);
}

/* A short description of the current token for messages. */
static const char *tok_desc(const parser_t *p, char *buf, size_t size) {
  const wql_token_t *t = &p->tok;
  size_t n;
  if (t->type == TK_EOF) {
    return "end of query";
  }
  n = t->len > 24 ? 24 : t->len;
  snprintf(buf, size, "'%.*s%s'", (int)n, t->start, t->len > 24 ? "..." : "");
  return buf;
}

static wes_hresult_t expected(parser_t *p, const char *what) {
  char buf[40];
  return wes__error(p->err, WES_E_UNPARSABLE_QUERY, p->tok.line, p->tok.col,
                    "expected %s, found %s", what,
                    tok_desc(p, buf, sizeof(buf)));
}

/* Names over WQL_MAX_IDENT never get here (the lexer refuses them with
 * WES_E_QUOTA_VIOLATION); kept as a guard for every name the parser takes. */
static wes_hresult_t check_ident_len(parser_t *p, const wql_token_t *t,
                                     int is_class) {
  if (t->len > WQL_MAX_IDENT) {
    return wes__error(p->err, WES_E_QUOTA_VIOLATION, t->line, t->col,
                      "%s name longer than the limit of %d bytes",
                      is_class ? "class" : "property", WQL_MAX_IDENT);
  }
  return WES_S_OK;
}

/* prop_path := ident { '.' ident }; current token is the first ident. */
static wes_hresult_t parse_path(parser_t *p, wql_path_t **ret) {
  wql_path_t *path = wes__wql_alloc(p->nodes, sizeof(*path));
  char *names[WQL_MAX_PATH];
  uint32_t n = 0;
  const char *start = p->tok.start;
  const char *end;
  if (path == NULL) {
    return oom(p);
  }
  path->line = p->tok.line;
  path->col = p->tok.col;
  for (;;) {
    if (p->tok.type != TK_IDENT) {
      return expected(p,
                      n == 0 ? "a property name" : "a property name after '.'");
    }
    TRY(check_ident_len(p, &p->tok, 0));
    if (n == WQL_MAX_PATH) {
      return wes__error(p->err, WES_E_QUOTA_VIOLATION, p->tok.line, p->tok.col,
                        "property path deeper than %d", WQL_MAX_PATH);
    }
    names[n] = wes__wql_strndup(p->arena, p->tok.start, p->tok.len);
    if (names[n] == NULL) {
      return oom(p);
    }
    n++;
    end = p->tok.start + p->tok.len;
    TRY(next(p));
    if (p->tok.type != TK_DOT) {
      break;
    }
    TRY(next(p));
  }
  path->n = n;
  path->names = wes__wql_alloc(p->nodes, n * sizeof(char *));
  if (path->names == NULL) {
    return oom(p);
  }
  memcpy(path->names, names, n * sizeof(char *));
  if (n == 1) {
    path->text = names[0]; /* the common case needs no second copy */
  } else {
    /* dotted text without any whitespace the source had around dots */
    size_t len = 0, i;
    char *t;
    for (i = 0; i < n; i++) {
      len += strlen(names[i]) + 1;
    }
    t = wes__wql_alloc(p->arena, len);
    if (t == NULL) {
      return oom(p);
    }
    for (i = 0; i < n; i++) {
      if (i > 0) {
        strcat(t, ".");
      }
      strcat(t, names[i]);
    }
    path->text = t;
  }
  (void)start;
  (void)end;
  *ret = path;
  return WES_S_OK;
}

static bool is_const_tok(wql_tok_t t) {
  return t == TK_STRING || t == TK_INT || t == TK_REAL || t == TK_TRUE ||
         t == TK_FALSE || t == TK_NULL;
}

static int relop_of(wql_tok_t t) {
  switch (t) {
  case TK_EQ:
    return WQL_OP_EQ;
  case TK_NE:
    return WQL_OP_NE;
  case TK_LT:
    return WQL_OP_LT;
  case TK_GT:
    return WQL_OP_GT;
  case TK_LE:
    return WQL_OP_LE;
  case TK_GE:
    return WQL_OP_GE;
  default:
    return 0;
  }
}

static int flip_op(int op) {
  switch (op) {
  case WQL_OP_LT:
    return WQL_OP_GT;
  case WQL_OP_GT:
    return WQL_OP_LT;
  case WQL_OP_LE:
    return WQL_OP_GE;
  case WQL_OP_GE:
    return WQL_OP_LE;
  default:
    return op;
  }
}

/* Canonical decimal text of a number literal (arena). */
static char *number_text(parser_t *p, const wql_lit_t *lit) {
  char buf[64];
  wes__buf_t b;
  char *s;
  if (lit->kind == WQL_LIT_INT) {
    if (lit->big) {
      snprintf(buf, sizeof(buf), "%llu", (unsigned long long)lit->u);
    } else {
      snprintf(buf, sizeof(buf), "%lld", (long long)lit->i);
    }
    return wes__wql_strndup(p->arena, buf, strlen(buf));
  }
  wes__buf_init(&b);
  wes__wql_print_number(lit->r, &b);
  if (b.oom || b.data == NULL) {
    wes__buf_free(&b);
    return NULL;
  }
  s = wes__wql_strndup(p->arena, b.data, b.len);
  wes__buf_free(&b);
  return s;
}

/* Converts the current constant token into a literal and advances. */
static wes_hresult_t take_const(parser_t *p, wql_lit_t *lit) {
  memset(lit, 0, sizeof(*lit));
  switch (p->tok.type) {
  case TK_STRING:
    lit->kind = WQL_LIT_STRING;
    lit->s = p->tok.sval;
    lit->slen = p->tok.slen;
    break;
  case TK_INT:
    lit->kind = WQL_LIT_INT;
    lit->i = p->tok.ival;
    lit->u = p->tok.uval;
    lit->big = p->tok.big;
    lit->r = p->tok.rval;
    break;
  case TK_REAL:
    lit->kind = WQL_LIT_REAL;
    lit->r = p->tok.rval;
    break;
  case TK_TRUE:
  case TK_FALSE:
    lit->kind = WQL_LIT_BOOL;
    lit->b = p->tok.type == TK_TRUE;
    break;
  case TK_NULL:
    lit->kind = WQL_LIT_NULL;
    break;
  default:
    return expected(p, "a constant");
  }
  if (lit->kind == WQL_LIT_INT || lit->kind == WQL_LIT_REAL) {
    lit->s = number_text(p, lit);
    if (lit->s == NULL) {
      return oom(p);
    }
    lit->slen = strlen(lit->s);
  }
  return next(p);
}

static wql_node_t *new_node(parser_t *p, wql_node_kind_t kind, uint32_t line,
                            uint32_t col) {
  wql_node_t *n = wes__wql_alloc(p->nodes, sizeof(*n));
  if (n != NULL) {
    n->kind = kind;
    n->line = line;
    n->col = col;
    n->pred_id = -1;
  }
  return n;
}

static wes_hresult_t count_pred(parser_t *p, uint32_t line, uint32_t col) {
  if (++p->npreds > WQL_MAX_TERMS) {
    return wes__error(p->err, WES_E_QUOTA_VIOLATION, line, col,
                      "more than %d terms in a condition", WQL_MAX_TERMS);
  }
  return WES_S_OK;
}

static wes_hresult_t parse_condition(parser_t *p, wql_node_t **ret);

/* predicate := operand relop operand | path IS [NOT] NULL | path ISA class
 *            | path LIKE string */
static wes_hresult_t parse_predicate(parser_t *p, wql_node_t **ret) {
  uint32_t line = p->tok.line, col = p->tok.col;
  wql_node_t *n;
  wql_path_t *path = NULL;
  wql_lit_t lit;
  int op;
  uint32_t op_line, op_col;
  char buf[40];

  TRY(count_pred(p, line, col));
  if (is_const_tok(p->tok.type)) {
    /* constant relop path */
    TRY(take_const(p, &lit));
    op = relop_of(p->tok.type);
    if (op == 0) {
      return expected(p, "a comparison operator after the constant");
    }
    op_line = p->tok.line;
    op_col = p->tok.col;
    TRY(next(p));
    if (p->tok.type != TK_IDENT) {
      if (is_const_tok(p->tok.type)) {
        return wes__error(p->err, WES_E_UNPARSABLE_QUERY, p->tok.line,
                          p->tok.col,
                          "expected a property name: one side of a "
                          "comparison must be a property");
      }
      return expected(p, "a property name after the comparison operator");
    }
    TRY(parse_path(p, &path));
    op = flip_op(op);
  } else if (p->tok.type == TK_IDENT) {
    TRY(parse_path(p, &path));
    op_line = p->tok.line;
    op_col = p->tok.col;
    if (p->tok.type == TK_IS) {
      int neg = 0;
      TRY(next(p));
      if (p->tok.type == TK_NOT) {
        neg = 1;
        TRY(next(p));
      }
      if (p->tok.type != TK_NULL) {
        return expected(p, neg ? "NULL after IS NOT"
                               : "NULL or NOT NULL "
                                 "after IS");
      }
      TRY(next(p));
      n = new_node(p, WQL_ISNULL, line, col);
      if (n == NULL) {
        return oom(p);
      }
      n->path = path;
      n->negated = neg;
      n->op_line = (int)op_line;
      n->op_col = (int)op_col;
      *ret = n;
      return WES_S_OK;
    }
    if (p->tok.type == TK_ISA) {
      TRY(next(p));
      if (p->tok.type != TK_STRING && p->tok.type != TK_IDENT) {
        return expected(p, "a class name after ISA");
      }
      n = new_node(p, WQL_ISA, line, col);
      if (n == NULL) {
        return oom(p);
      }
      n->path = path;
      n->cls_line = p->tok.line;
      n->cls_col = p->tok.col;
      if (p->tok.type == TK_STRING) {
        n->cls = p->tok.sval;
        if (p->tok.slen == 0) {
          return wes__error(p->err, WES_E_UNPARSABLE_QUERY, p->tok.line,
                            p->tok.col, "empty class name after ISA");
        }
        if (p->tok.slen > WQL_MAX_IDENT) {
          return wes__error(p->err, WES_E_QUOTA_VIOLATION, p->tok.line,
                            p->tok.col,
                            "class name longer than the limit of %d bytes",
                            WQL_MAX_IDENT);
        }
      } else {
        TRY(check_ident_len(p, &p->tok, 1));
        n->cls = wes__wql_strndup(p->arena, p->tok.start, p->tok.len);
        if (n->cls == NULL) {
          return oom(p);
        }
      }
      n->op_line = (int)op_line;
      n->op_col = (int)op_col;
      TRY(next(p));
      *ret = n;
      return WES_S_OK;
    }
    if (p->tok.type == TK_LIKE) {
      TRY(next(p));
      if (p->tok.type != TK_STRING) {
        return expected(p, "a string pattern after LIKE");
      }
      n = new_node(p, WQL_LIKE, line, col);
      if (n == NULL) {
        return oom(p);
      }
      n->path = path;
      n->op_line = (int)op_line;
      n->op_col = (int)op_col;
      n->cls_line = p->tok.line; /* pattern position */
      n->cls_col = p->tok.col;
      TRY(take_const(p, &n->lit));
      *ret = n;
      return WES_S_OK;
    }
    op = relop_of(p->tok.type);
    if (op == 0) {
      if (p->tok.type == TK_NOT) {
        return wes__error(p->err, WES_E_UNPARSABLE_QUERY, p->tok.line,
                          p->tok.col,
                          "expected a comparison operator, LIKE, ISA or IS "
                          "after '%s' (negate with NOT before the property)",
                          path->text);
      }
      return wes__error(p->err, WES_E_UNPARSABLE_QUERY, p->tok.line, p->tok.col,
                        "expected a comparison operator, LIKE, ISA or IS "
                        "after '%s', found %s",
                        path->text, tok_desc(p, buf, sizeof(buf)));
    }
    TRY(next(p));
    if (p->tok.type == TK_IDENT) {
      return wes__error(p->err, WES_E_UNPARSABLE_QUERY, p->tok.line, p->tok.col,
                        "expected a constant: comparing two properties is "
                        "not supported");
    }
    if (!is_const_tok(p->tok.type)) {
      return expected(p, "a constant after the comparison operator");
    }
    TRY(take_const(p, &lit));
  } else {
    return expected(p, "a property name, a constant, NOT or '('");
  }

  if (lit.kind == WQL_LIT_NULL) {
    if (op != WQL_OP_EQ && op != WQL_OP_NE) {
      return wes__error(p->err, WES_E_INVALID_OPERATOR, op_line, op_col,
                        "only =, <> and != compare with NULL (use IS NULL)");
    }
    n = new_node(p, WQL_ISNULL, line, col);
    if (n == NULL) {
      return oom(p);
    }
    n->path = path;
    n->negated = op == WQL_OP_NE;
    n->op_line = (int)op_line;
    n->op_col = (int)op_col;
    *ret = n;
    return WES_S_OK;
  }
  n = new_node(p, WQL_CMP, line, col);
  if (n == NULL) {
    return oom(p);
  }
  n->path = path;
  n->op = op;
  n->op_line = (int)op_line;
  n->op_col = (int)op_col;
  n->lit = lit;
  *ret = n;
  return WES_S_OK;
}

/* unary := NOT unary | '(' condition ')' | predicate */
static wes_hresult_t parse_unary(parser_t *p, wql_node_t **ret) {
  uint32_t line = p->tok.line, col = p->tok.col;
  wes_hresult_t hr;
  if (p->tok.type == TK_NOT || p->tok.type == TK_LPAREN) {
    if (++p->depth > WQL_MAX_DEPTH) {
      return wes__error(p->err, WES_E_QUOTA_VIOLATION, line, col,
                        "condition nested deeper than %d", WQL_MAX_DEPTH);
    }
    if (p->tok.type == TK_NOT) {
      wql_node_t *n = new_node(p, WQL_NOT, line, col);
      wql_node_t *kid = NULL;
      if (n == NULL) {
        return oom(p);
      }
      TRY(next(p));
      hr = parse_unary(p, &kid);
      if (WES_FAILED(hr)) {
        return hr;
      }
      n->kids = wes__wql_alloc(p->nodes, sizeof(wql_node_t *));
      if (n->kids == NULL) {
        return oom(p);
      }
      n->kids[0] = kid;
      n->nkids = 1;
      *ret = n;
    } else {
      TRY(next(p));
      TRY(parse_condition(p, ret));
      if (p->tok.type != TK_RPAREN) {
        char what[64];
        snprintf(what, sizeof(what), "')' to close '(' at %u:%u", line, col);
        return expected(p, what);
      }
      TRY(next(p));
    }
    p->depth--;
    return WES_S_OK;
  }
  return parse_predicate(p, ret);
}

/* Appends kid to an n-ary list, flattening a kid of the same kind. */
static wes_hresult_t push_kid(parser_t *p, wql_node_t ***kids, uint32_t *n,
                              uint32_t *cap, wql_node_t *kid,
                              wql_node_kind_t kind) {
  uint32_t add = kid->kind == kind ? kid->nkids : 1;
  if (*n + add > *cap) {
    uint32_t ncap = *cap == 0 ? 4 : *cap * 2;
    wql_node_t **nk;
    while (ncap < *n + add) {
      ncap *= 2;
    }
    nk = wes__wql_alloc(p->nodes, ncap * sizeof(*nk));
    if (nk == NULL) {
      return oom(p);
    }
    if (*n > 0) {
      memcpy(nk, *kids, *n * sizeof(*nk));
    }
    *kids = nk;
    *cap = ncap;
  }
  if (kid->kind == kind) {
    memcpy(*kids + *n, kid->kids, kid->nkids * sizeof(wql_node_t *));
  } else {
    (*kids)[*n] = kid;
  }
  *n += add;
  return WES_S_OK;
}

/* and_cond := unary { AND unary } */
static wes_hresult_t parse_and(parser_t *p, wql_node_t **ret) {
  wql_node_t *first = NULL, *kid = NULL, *n;
  wql_node_t **kids = NULL;
  uint32_t nk = 0, cap = 0;
  uint32_t line = p->tok.line, col = p->tok.col;
  TRY(parse_unary(p, &first));
  if (p->tok.type != TK_AND) {
    *ret = first;
    return WES_S_OK;
  }
  TRY(push_kid(p, &kids, &nk, &cap, first, WQL_AND));
  while (p->tok.type == TK_AND) {
    TRY(next(p));
    TRY(parse_unary(p, &kid));
    TRY(push_kid(p, &kids, &nk, &cap, kid, WQL_AND));
  }
  n = new_node(p, WQL_AND, line, col);
  if (n == NULL) {
    return oom(p);
  }
  n->kids = kids;
  n->nkids = nk;
  *ret = n;
  return WES_S_OK;
}

/* condition := and_cond { OR and_cond } */
static wes_hresult_t parse_condition(parser_t *p, wql_node_t **ret) {
  wql_node_t *first = NULL, *kid = NULL, *n;
  wql_node_t **kids = NULL;
  uint32_t nk = 0, cap = 0;
  uint32_t line = p->tok.line, col = p->tok.col;
  TRY(parse_and(p, &first));
  if (p->tok.type != TK_OR) {
    *ret = first;
    return WES_S_OK;
  }
  TRY(push_kid(p, &kids, &nk, &cap, first, WQL_OR));
  while (p->tok.type == TK_OR) {
    TRY(next(p));
    TRY(parse_and(p, &kid));
    TRY(push_kid(p, &kids, &nk, &cap, kid, WQL_OR));
  }
  n = new_node(p, WQL_OR, line, col);
  if (n == NULL) {
    return oom(p);
  }
  n->kids = kids;
  n->nkids = nk;
  *ret = n;
  return WES_S_OK;
}

/* A positive number for WITHIN / GROUP WITHIN. */
static wes_hresult_t parse_interval(parser_t *p, const char *clause,
                                    double *ret, uint32_t *line,
                                    uint32_t *col) {
  *line = p->tok.line;
  *col = p->tok.col;
  if (p->tok.type != TK_INT && p->tok.type != TK_REAL) {
    char what[48];
    snprintf(what, sizeof(what), "a number of seconds after %s", clause);
    return expected(p, what);
  }
  if (!(p->tok.rval > 0)) {
    return wes__error(p->err, WES_E_INVALID_QUERY, p->tok.line, p->tok.col,
                      "%s interval must be positive", clause);
  }
  *ret = p->tok.rval;
  return next(p);
}

/* Validates a HAVING condition: NumberOfEvents op uint32 only. */
static wes_hresult_t check_having(parser_t *p, const wql_node_t *n) {
  uint32_t i;
  switch (n->kind) {
  case WQL_AND:
  case WQL_OR:
  case WQL_NOT:
    for (i = 0; i < n->nkids; i++) {
      TRY(check_having(p, n->kids[i]));
    }
    return WES_S_OK;
  default:
    break;
  }
  if (n->path->n != 1 ||
      wes__strcasecmp(n->path->names[0], "NumberOfEvents") != 0) {
    return wes__error(
        p->err, WES_E_INVALID_PROPERTY, n->path->line, n->path->col,
        "HAVING may use only NumberOfEvents, not '%s'", n->path->text);
  }
  if (n->kind != WQL_CMP) {
    return wes__error(p->err, WES_E_INVALID_OPERATOR, (uint32_t)n->op_line,
                      (uint32_t)n->op_col,
                      "HAVING compares NumberOfEvents with =, <>, <, <=, > "
                      "or >= only");
  }
  if (n->lit.kind != WQL_LIT_INT || n->lit.big || n->lit.i < 0 ||
      n->lit.i > (int64_t)UINT32_MAX) {
    return wes__error(p->err, WES_E_TYPE_MISMATCH, (uint32_t)n->op_line,
                      (uint32_t)n->op_col,
                      "HAVING NumberOfEvents needs an unsigned 32-bit "
                      "integer");
  }
  return WES_S_OK;
}

static wes_hresult_t parse_path_list(parser_t *p, uint32_t *ret_n,
                                     wql_path_t ***ret_list) {
  wql_path_t **list = NULL;
  uint32_t n = 0, cap = 0;
  for (;;) {
    wql_path_t *path = NULL;
    TRY(parse_path(p, &path));
    if (n == cap) {
      uint32_t ncap = cap == 0 ? 4 : cap * 2;
      wql_path_t **nl = wes__wql_alloc(p->arena, ncap * sizeof(*nl));
      if (nl == NULL) {
        return oom(p);
      }
      if (n > 0) {
        memcpy(nl, list, n * sizeof(*nl));
      }
      list = nl;
      cap = ncap;
    }
    list[n++] = path;
    if (n > WQL_MAX_TERMS) {
      return wes__error(p->err, WES_E_QUOTA_VIOLATION, path->line, path->col,
                        "more than %d properties in a list", WQL_MAX_TERMS);
    }
    if (p->tok.type != TK_COMMA) {
      break;
    }
    TRY(next(p));
  }
  *ret_n = n;
  *ret_list = list;
  return WES_S_OK;
}

static wes_hresult_t parse_group(parser_t *p, wql_ast_t *ast) {
  uint32_t gline = p->tok.line, gcol = p->tok.col;
  TRY(next(p)); /* GROUP */
  if (p->tok.type != TK_WITHIN) {
    if (p->tok.type == TK_BY || p->tok.type == TK_HAVING) {
      return wes__error(p->err, WES_E_MISSING_GROUP_WITHIN, gline, gcol,
                        "GROUP needs WITHIN before %s",
                        p->tok.type == TK_BY ? "BY" : "HAVING");
    }
    return expected(p, "WITHIN after GROUP");
  }
  TRY(next(p));
  ast->has_group = 1;
  TRY(parse_interval(p, "GROUP WITHIN", &ast->group_within, &ast->group_line,
                     &ast->group_col));
  if (ast->group_within > 4294967295.0) {
    return wes__error(p->err, WES_E_INVALID_QUERY, ast->group_line,
                      ast->group_col,
                      "GROUP WITHIN interval exceeds 4294967295 seconds");
  }
  if (p->tok.type == TK_BY) {
    uint32_t bline = p->tok.line, bcol = p->tok.col;
    TRY(next(p));
    if (p->tok.type != TK_IDENT) {
      if (p->tok.type == TK_STAR || p->tok.type == TK_EOF ||
          p->tok.type == TK_HAVING || p->tok.type == TK_SEMI) {
        return wes__error(p->err, WES_E_MISSING_AGGREGATION_LIST, bline, bcol,
                          "GROUP BY needs a list of properties (aggregating "
                          "on all properties is not supported)");
      }
      return expected(p, "a property name after BY");
    }
    TRY(parse_path_list(p, &ast->nby, &ast->by));
  }
  if (p->tok.type == TK_HAVING) {
    uint32_t saved = p->npreds;
    TRY(next(p));
    p->npreds = 0;
    p->depth = 0;
    TRY(parse_condition(p, &ast->having));
    p->npreds = saved;
    TRY(check_having(p, ast->having));
  }
  return WES_S_OK;
}

wes_hresult_t wes__wql_parse(const char *text, size_t len, wql_arena_t *arena,
                             wql_arena_t *where_arena, wql_ast_t **ret_ast,
                             wes_error_t *err) {
  parser_t p;
  wql_ast_t *ast;
  memset(&p, 0, sizeof(p));
  p.arena = arena;
  p.nodes = arena;
  p.err = err;
  wes__wql_lex_init(&p.lx, text, len, arena, err);
  ast = wes__wql_alloc(arena, sizeof(*ast));
  if (ast == NULL) {
    return oom(&p);
  }
  TRY(next(&p));
  if (p.tok.type != TK_SELECT) {
    return expected(&p, "SELECT at the start of the query");
  }
  TRY(next(&p));
  if (p.tok.type == TK_STAR) {
    ast->select_all = 1;
    TRY(next(&p));
  } else if (p.tok.type == TK_IDENT) {
    TRY(parse_path_list(&p, &ast->nselect, &ast->select));
  } else {
    return expected(&p, "'*' or a property list after SELECT");
  }
  if (p.tok.type != TK_FROM) {
    return expected(&p, "FROM after the select list");
  }
  TRY(next(&p));
  if (p.tok.type != TK_IDENT) {
    return expected(&p, "a class name after FROM");
  }
  TRY(check_ident_len(&p, &p.tok, 1));
  ast->cls = wes__wql_strndup(arena, p.tok.start, p.tok.len);
  if (ast->cls == NULL) {
    return oom(&p);
  }
  ast->cls_line = p.tok.line;
  ast->cls_col = p.tok.col;
  TRY(next(&p));
  if (p.tok.type == TK_WITHIN) {
    TRY(next(&p));
    ast->has_within = 1;
    TRY(parse_interval(&p, "WITHIN", &ast->within, &ast->within_line,
                       &ast->within_col));
  }
  if (p.tok.type == TK_WHERE) {
    TRY(next(&p));
    p.nodes = where_arena != NULL ? where_arena : arena;
    TRY(parse_condition(&p, &ast->where));
    p.nodes = arena;
    ast->npreds = p.npreds;
  }
  if (p.tok.type == TK_WITHIN) {
    return wes__error(err, WES_E_UNPARSABLE_QUERY, p.tok.line, p.tok.col,
                      ast->where == NULL ? "WITHIN given twice"
                                         : "WITHIN must come before WHERE");
  }
  if (p.tok.type == TK_GROUP) {
    TRY(parse_group(&p, ast));
  } else if (p.tok.type == TK_HAVING || p.tok.type == TK_BY) {
    return wes__error(err, WES_E_MISSING_GROUP_WITHIN, p.tok.line, p.tok.col,
                      "%s needs GROUP WITHIN",
                      p.tok.type == TK_BY ? "BY" : "HAVING");
  }
  if (p.tok.type == TK_SEMI) {
    TRY(next(&p));
  }
  if (p.tok.type != TK_EOF) {
    if (ast->has_group) {
      return expected(&p, ast->having != NULL
                              ? "end of query after HAVING condition"
                              : "BY, HAVING or end of query");
    }
    if (ast->where != NULL) {
      return expected(&p, "AND, OR, GROUP or end of query");
    }
    return expected(&p, ast->has_within ? "WHERE, GROUP or end of query"
                                        : "WITHIN, WHERE, GROUP or end of "
                                          "query after the class name");
  }
  *ret_ast = ast;
  return WES_S_OK;
}
