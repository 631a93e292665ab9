/* SPDX-License-Identifier: MIT */
/*
 * Canonical printer: keywords upper case, strings single-quoted with \\ and
 * \' escapes, numbers in shortest round-trip form, minimal parentheses.
 * parse(print(ast)) gives the same tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wql_internal.h"

void wes__wql_print_number(double v, wes__buf_t *b) {
  char buf[128];
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof(buf), "%.*f", prec, v);
    if (strtod(buf, NULL) == v) {
      break;
    }
  }
  if (prec > 17) {
    snprintf(buf, sizeof(buf), "%.17f", v);
  }
  /* trim trailing zeros but keep one digit after the point */
  {
    size_t n = strlen(buf);
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
      while (n > (size_t)(dot - buf) + 2 && buf[n - 1] == '0') {
        buf[--n] = '\0';
      }
    }
  }
  wes__buf_puts(b, buf);
}

void wes__wql_print_string(const char *s, size_t len, wes__buf_t *b) {
  size_t i;
  wes__buf_putc(b, '\'');
  for (i = 0; i < len; i++) {
    if (s[i] == '\\' || s[i] == '\'') {
      wes__buf_putc(b, '\\');
    }
    wes__buf_putc(b, s[i]);
  }
  wes__buf_putc(b, '\'');
}

void wes__wql_print_lit(const wql_lit_t *lit, wes__buf_t *b) {
  switch (lit->kind) {
  case WQL_LIT_NULL:
    wes__buf_puts(b, "NULL");
    break;
  case WQL_LIT_STRING:
    wes__wql_print_string(lit->s, lit->slen, b);
    break;
  case WQL_LIT_INT:
  case WQL_LIT_REAL:
    wes__buf_puts(b, lit->s);
    break;
  case WQL_LIT_BOOL:
    wes__buf_puts(b, lit->b ? "TRUE" : "FALSE");
    break;
  default:
    break;
  }
}

static const char *op_text(int op) {
  switch (op) {
  case WQL_OP_EQ:
    return "=";
  case WQL_OP_NE:
    return "<>";
  case WQL_OP_GE:
    return ">=";
  case WQL_OP_LE:
    return "<=";
  case WQL_OP_LT:
    return "<";
  case WQL_OP_GT:
    return ">";
  default:
    return "?";
  }
}

static void print_kid(const wql_node_t *kid, wql_node_kind_t parent,
                      wes__buf_t *b) {
  /* parentheses when the child binds looser than the parent */
  bool paren =
      (parent == WQL_AND && kid->kind == WQL_OR) ||
      (parent == WQL_NOT && (kid->kind == WQL_AND || kid->kind == WQL_OR)) ||
      (parent == kid->kind && (kid->kind == WQL_AND || kid->kind == WQL_OR));
  if (paren) {
    wes__buf_putc(b, '(');
  }
  wes__wql_print_node(kid, b);
  if (paren) {
    wes__buf_putc(b, ')');
  }
}

void wes__wql_print_node(const wql_node_t *n, wes__buf_t *b) {
  uint32_t i;
  switch (n->kind) {
  case WQL_AND:
  case WQL_OR:
    for (i = 0; i < n->nkids; i++) {
      if (i > 0) {
        wes__buf_puts(b, n->kind == WQL_AND ? " AND " : " OR ");
      }
      print_kid(n->kids[i], n->kind, b);
    }
    break;
  case WQL_NOT:
    wes__buf_puts(b, "NOT ");
    print_kid(n->kids[0], WQL_NOT, b);
    break;
  case WQL_CMP:
    wes__buf_puts(b, n->path->text);
    wes__buf_putc(b, ' ');
    wes__buf_puts(b, op_text(n->op));
    wes__buf_putc(b, ' ');
    wes__wql_print_lit(&n->lit, b);
    break;
  case WQL_LIKE:
    wes__buf_puts(b, n->path->text);
    wes__buf_puts(b, " LIKE ");
    wes__wql_print_lit(&n->lit, b);
    break;
  case WQL_ISA:
    wes__buf_puts(b, n->path->text);
    wes__buf_puts(b, " ISA ");
    wes__wql_print_string(n->cls, strlen(n->cls), b);
    break;
  case WQL_ISNULL:
    wes__buf_puts(b, n->path->text);
    wes__buf_puts(b, n->negated ? " IS NOT NULL" : " IS NULL");
    break;
  default:
    break;
  }
}

/* an interval: integral values without a fraction */
static void print_interval(double v, wes__buf_t *b) {
  if (v >= 0 && v < 1e15 && v == (double)(int64_t)v) {
    wes__buf_printf(b, "%lld", (long long)v);
  } else {
    wes__wql_print_number(v, b);
  }
}

static void print_paths(wql_path_t *const *paths, uint32_t n, wes__buf_t *b) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    if (i > 0) {
      wes__buf_puts(b, ", ");
    }
    wes__buf_puts(b, paths[i]->text);
  }
}

void wes__wql_print(const wql_ast_t *ast, wes__buf_t *b) {
  wes__buf_puts(b, "SELECT ");
  if (ast->select_all) {
    wes__buf_putc(b, '*');
  } else {
    print_paths(ast->select, ast->nselect, b);
  }
  wes__buf_puts(b, " FROM ");
  wes__buf_puts(b, ast->cls);
  if (ast->has_within) {
    wes__buf_puts(b, " WITHIN ");
    print_interval(ast->within, b);
  }
  if (ast->where != NULL) {
    wes__buf_puts(b, " WHERE ");
    wes__wql_print_node(ast->where, b);
  }
  if (ast->has_group) {
    wes__buf_puts(b, " GROUP WITHIN ");
    print_interval(ast->group_within, b);
    if (ast->nby > 0) {
      wes__buf_puts(b, " BY ");
      print_paths(ast->by, ast->nby, b);
    }
    if (ast->having != NULL) {
      wes__buf_puts(b, " HAVING ");
      wes__wql_print_node(ast->having, b);
    }
  }
}
