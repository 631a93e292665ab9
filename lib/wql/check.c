/* SPDX-License-Identifier: MIT */
/*
 * Checker and compiler: resolves the FROM class, every property path (to
 * precomputed handles), ISA classes and constants against a namespace,
 * checks operators against types, compiles LIKE patterns, and emits the
 * short-circuit branch program the evaluator runs.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cim/cim_internal.h"
#include "wql_internal.h"

#define TRY(x)                                                                 \
  do {                                                                         \
    wes_hresult_t try_hr_ = (x);                                               \
    if (WES_FAILED(try_hr_)) {                                                 \
      return try_hr_;                                                          \
    }                                                                          \
  } while (0)

typedef struct cctx_s {
  wes_query_t *q;
  const wes_namespace_t *ns; /* NULL: syntax only */
  wes_error_t *err;
  /* ISA tests that dominate the path being resolved: positive ISA terms
   * that every DNF conjunction containing it also contains (a stack kept
   * while walking WHERE; see push_forced) */
  const wql_node_t **dom; /* dom_inline until it outgrows it */
  uint32_t ndom, domcap;
  const wql_node_t *dom_inline[16];
} cctx_t;

static wes_hresult_t oom(cctx_t *c) {
  return wes__error(c->err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
}

/* ---- constants ---- */

/* Parses a whole string as a WQL number; sets have bits. */
static void parse_numeric_string(const char *s, wql_cval_t *cv) {
  const char *p = s;
  char *end;
  bool real = false;
  if (*p == '+' || *p == '-') {
    p++;
  }
  if (*p < '0' || *p > '9') {
    return;
  }
  while (*p >= '0' && *p <= '9') {
    p++;
  }
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') {
      return;
    }
    while (*p >= '0' && *p <= '9') {
      p++;
    }
    real = true;
  }
  if (*p != '\0') {
    return;
  }
  errno = 0;
  if (real) {
    cv->r = strtod(s, &end);
    if (errno == ERANGE && !isfinite(cv->r)) {
      return;
    }
    cv->have |= WQL_HAVE_REAL | WQL_IS_REAL | WQL_HAVE_BOOL;
    cv->b = cv->r != 0;
    return;
  }
  if (s[0] == '-') {
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE) {
      return;
    }
    cv->i = v;
  } else {
    unsigned long long v = strtoull(s[0] == '+' ? s + 1 : s, &end, 10);
    if (errno == ERANGE) {
      return;
    }
    if (v > (unsigned long long)INT64_MAX) {
      cv->big = 1;
      cv->u = v;
    } else {
      cv->i = (int64_t)v;
    }
  }
  cv->r = cv->big ? (double)cv->u : (double)cv->i;
  cv->have |= WQL_HAVE_INT | WQL_HAVE_REAL | WQL_HAVE_BOOL;
  cv->b = cv->big || cv->i != 0;
}

/* First code point of a one-character UTF-8 string, or -1. */
static int32_t single_char(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  if (len == 1 && u[0] < 0x80) {
    return u[0];
  }
  if (len == 2 && (u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
    return ((u[0] & 0x1F) << 6) | (u[1] & 0x3F);
  }
  if (len == 3 && (u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 &&
      (u[2] & 0xC0) == 0x80) {
    return ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F);
  }
  return -1;
}

bool wes__wql_cval_from_lit(wql_arena_t *a, const wql_lit_t *lit,
                            wql_cval_t *cv) {
  memset(cv, 0, sizeof(*cv));
  switch (lit->kind) {
  case WQL_LIT_STRING: {
    int32_t c;
    wes_datetime_t dt;
    cv->have |= WQL_HAVE_STR;
    cv->s = lit->s;
    cv->slen = lit->slen;
    parse_numeric_string(lit->s, cv);
    if (wes__strcasecmp(lit->s, "TRUE") == 0) {
      cv->have |= WQL_HAVE_BOOL;
      cv->b = 1;
    } else if (wes__strcasecmp(lit->s, "FALSE") == 0) {
      cv->have |= WQL_HAVE_BOOL;
      cv->b = 0;
    }
    if (a != NULL && lit->slen == WES_DATETIME_LENGTH &&
        WES_SUCCEEDED(wes_datetime_parse(lit->s, &dt, NULL))) {
      wes_datetime_t *pdt = wes__wql_alloc(a, sizeof(*pdt));
      if (pdt == NULL) {
        return false;
      }
      *pdt = dt;
      cv->have |= WQL_HAVE_DT;
      cv->dt = pdt;
    } else if (a != NULL && wes__wql_date_parse(lit->s, lit->slen, &dt)) {
      /* reference §11.3 forms; kept also as DMTF text for index keys */
      wes_datetime_t *pdt = wes__wql_alloc(a, sizeof(*pdt));
      char *text = wes__wql_alloc(a, WES_DATETIME_LENGTH + 1);
      if (pdt == NULL || text == NULL) {
        return false;
      }
      *pdt = dt;
      if (WES_SUCCEEDED(
              wes_datetime_format(&dt, text, WES_DATETIME_LENGTH + 1))) {
        cv->have |= WQL_HAVE_DT;
        cv->dt = pdt;
        cv->dts = text;
      }
    }
    c = single_char(lit->s, lit->slen);
    if (c >= 0 && c <= 0xFFFF) {
      cv->have |= WQL_HAVE_C16;
      cv->c16 = (uint16_t)c;
    }
    break;
  }
  case WQL_LIT_INT:
    cv->have = WQL_HAVE_INT | WQL_HAVE_REAL | WQL_HAVE_BOOL | WQL_HAVE_STR;
    cv->big = lit->big;
    if (lit->big) {
      cv->u = lit->u;
    } else {
      cv->i = lit->i;
    }
    cv->r = lit->r;
    cv->b = lit->big || lit->i != 0;
    cv->s = lit->s;
    cv->slen = lit->slen;
    if (!lit->big && lit->i >= 0 && lit->i <= 0xFFFF) {
      cv->have |= WQL_HAVE_C16;
      cv->c16 = (uint16_t)lit->i;
    }
    break;
  case WQL_LIT_REAL:
    cv->have = WQL_HAVE_REAL | WQL_IS_REAL | WQL_HAVE_BOOL | WQL_HAVE_STR;
    cv->r = lit->r;
    cv->b = lit->r != 0;
    cv->s = lit->s;
    cv->slen = lit->slen;
    break;
  case WQL_LIT_BOOL:
    cv->have = WQL_HAVE_BOOL;
    cv->b = lit->b;
    break;
  default:
    break;
  }
  return true;
}

/* ---- paths ---- */

static const struct {
  const char *name;
  wes_cimtype_t type;
} sysprops[] = {
    {"__CLASS", WES_CIM_STRING},
    {"__SUPERCLASS", WES_CIM_STRING},
    {"__DYNASTY", WES_CIM_STRING},
    {"__DERIVATION", WES_CIM_STRING | WES_CIM_FLAG_ARRAY},
    {"__GENUS", WES_CIM_SINT32},
    {"__NAMESPACE", WES_CIM_STRING},
    {"__PATH", WES_CIM_STRING},
    {"__RELPATH", WES_CIM_STRING},
    {"__SERVER", WES_CIM_STRING},
    {"__PROPERTY_COUNT", WES_CIM_SINT32},
};

static int sysprop_index(const char *name) {
  size_t i;
  for (i = 0; i < WES__ARRAY_SIZE(sysprops); i++) {
    if (wes__strcasecmp(sysprops[i].name, name) == 0) {
      return (int)i;
    }
  }
  return -1;
}

/* Candidate classes for the object at a prefix of a path: the classes of
 * the dominating ISA tests on exactly that prefix (most derived first),
 * then the property's declared strong type. */
typedef struct cands_s {
  const wes_class_t *c[16];
  size_t n;
} cands_t;

static bool prefix_eq(const wql_path_t *isa_path, const wql_path_t *path,
                      uint32_t n) {
  uint32_t i;
  if (isa_path->n != n) {
    return false;
  }
  for (i = 0; i < n; i++) {
    if (wes__strcasecmp(isa_path->names[i], path->names[i]) != 0) {
      return false;
    }
  }
  return true;
}

static void add_cand(cands_t *cs, const wes_class_t *c) {
  size_t i;
  if (c == NULL) {
    return;
  }
  for (i = 0; i < cs->n; i++) {
    if (cs->c[i] == c) {
      return;
    }
  }
  if (cs->n < WES__ARRAY_SIZE(cs->c)) {
    cs->c[cs->n++] = c;
  }
}

/*
 * Pushes onto the dominator stack the positive ISA terms that `n` (seen
 * with negation `neg`) forces: every DNF conjunction of n contains them.
 * An ISA forces itself when not negated; NOT flips the negation; a
 * conjunction (AND, or OR under an odd number of NOTs, as in the DNF)
 * forces what each of its kids forces; a disjunction forces nothing.
 */
static wes_hresult_t push_forced(cctx_t *c, const wql_node_t *n, bool neg,
                                 uint32_t depth) {
  uint32_t i;
  if (n == NULL || depth > WQL_MAX_DEPTH + 2) {
    return WES_S_OK;
  }
  switch (n->kind) {
  case WQL_ISA:
    if (neg || n->isa_class == NULL) {
      return WES_S_OK;
    }
    if (c->ndom == c->domcap) {
      uint32_t ncap = c->domcap * 2;
      const wql_node_t **nd;
      if (c->dom == c->dom_inline) {
        nd = wes__malloc(ncap * sizeof(*nd));
        if (nd != NULL) {
          memcpy(nd, c->dom, c->ndom * sizeof(*nd));
        }
      } else {
        nd = wes__realloc(c->dom, ncap * sizeof(*nd));
      }
      if (nd == NULL) {
        return oom(c);
      }
      c->dom = nd;
      c->domcap = ncap;
    }
    c->dom[c->ndom++] = n;
    return WES_S_OK;
  case WQL_NOT:
    return push_forced(c, n->kids[0], !neg, depth + 1);
  case WQL_AND:
  case WQL_OR:
    if ((n->kind == WQL_AND) != neg) {
      for (i = 0; i < n->nkids; i++) {
        TRY(push_forced(c, n->kids[i], neg, depth + 1));
      }
    }
    return WES_S_OK;
  default:
    return WES_S_OK;
  }
}

/* True when WHERE has a positive or negative ISA test on the first `len`
 * components of path anywhere (for the error message only). */
static bool any_isa_on(const wql_node_t *n, const wql_path_t *path,
                       uint32_t len, uint32_t depth) {
  uint32_t i;
  if (n == NULL || depth > WQL_MAX_DEPTH + 2) {
    return false;
  }
  if (n->kind == WQL_AND || n->kind == WQL_OR || n->kind == WQL_NOT) {
    for (i = 0; i < n->nkids; i++) {
      if (any_isa_on(n->kids[i], path, len, depth + 1)) {
        return true;
      }
    }
    return false;
  }
  return n->kind == WQL_ISA && prefix_eq(n->path, path, len);
}

/* Most derived first. */
static void order_cands(cands_t *cs) {
  size_t i, j;
  for (i = 0; i < cs->n; i++) {
    for (j = i + 1; j < cs->n; j++) {
      if (wes__class_is_a(cs->c[j], cs->c[i])) {
        const wes_class_t *t = cs->c[i];
        cs->c[i] = cs->c[j];
        cs->c[j] = t;
      }
    }
  }
}

/* Adds the classes of the dominating ISA tests on the first `len`
 * components of path, most derived first. */
static void dom_cands(const cctx_t *c, const wql_path_t *path, uint32_t len,
                      cands_t *cs) {
  uint32_t i;
  for (i = 0; i < c->ndom; i++) {
    if (prefix_eq(c->dom[i]->path, path, len)) {
      add_cand(cs, c->dom[i]->isa_class);
    }
  }
  order_cands(cs);
}

static wes_hresult_t compile_path(cctx_t *c, wql_path_t *path,
                                  int final_ok_object, wql_cpath_t **ret,
                                  wes_cimtype_t *ret_type, int *ret_typed,
                                  int lenient) {
  wes_query_t *q = c->q;
  wql_cpath_t *cp;
  const wes_class_t *cls = q->cls;
  uint32_t k;
  (void)final_ok_object;
  cp = wes__wql_alloc(&q->arena, sizeof(*cp) + path->n * sizeof(wql_step_t));
  if (cp == NULL) {
    return oom(c);
  }
  cp->n = path->n;
  cp->text = path->text;
  *ret_typed = 0;
  *ret_type = WES_CIM_EMPTY;
  for (k = 0; k < path->n; k++) {
    wql_step_t *st = &cp->steps[k];
    const char *name = path->names[k];
    const wes__property_t *prop;
    int si;
    st->name = name;
    si = sysprop_index(name);
    if (si >= 0) {
      st->system = si + 1;
      if (k + 1 < path->n && c->ns != NULL && !lenient) {
        return wes__error(c->err, WES_E_PROPERTY_NOT_AN_OBJECT, path->line,
                          path->col,
                          "'%s' is a system property, not an "
                          "embedded object",
                          name);
      }
      if (k + 1 == path->n && c->ns != NULL) {
        *ret_type = sysprops[si].type;
        *ret_typed = 1;
      }
      if (k + 1 < path->n) {
        cls = NULL;
      }
      continue;
    }
    if (c->ns == NULL || cls == NULL) {
      /* syntax only, or no class known: read by name at run time */
      continue;
    }
    prop = wes__class_find(cls, name);
    if (prop == NULL) {
      if (lenient) {
        cls = NULL;
        continue;
      }
      return wes__error(c->err, WES_E_INVALID_PROPERTY, path->line, path->col,
                        "class %s has no property '%s'", wes_class_name(cls),
                        name);
    }
    st->h.cls = cls;
    st->h.index = prop->index;
    st->h.type = prop->type;
    if (k + 1 == path->n) {
      *ret_type = prop->type;
      *ret_typed = 1;
      break;
    }
    if (prop->type != WES_CIM_OBJECT) {
      if (lenient) {
        cls = NULL;
        continue;
      }
      return wes__error(c->err, WES_E_PROPERTY_NOT_AN_OBJECT, path->line,
                        path->col,
                        "'%s' is not an embedded object (dot notation needs "
                        "an object property)",
                        name);
    }
    {
      cands_t cs;
      const wes_class_t *next = NULL;
      size_t i;
      memset(&cs, 0, sizeof(cs));
      dom_cands(c, path, k + 1, &cs);
      if (cs.n == 0 && k == 0) {
        /* PreviousInstance has the class TargetInstance was tested for
         * (likewise PreviousClass/TargetClass) */
        static const char *const pairs[][2] = {
            {"PreviousInstance", "TargetInstance"},
            {"PreviousClass", "TargetClass"},
            {"PreviousNamespace", "TargetNamespace"}};
        size_t pi;
        for (pi = 0; pi < WES__ARRAY_SIZE(pairs); pi++) {
          if (wes__strcasecmp(name, pairs[pi][0]) == 0) {
            char *nm[1];
            wql_path_t alt;
            memset(&alt, 0, sizeof(alt));
            nm[0] = (char *)pairs[pi][1];
            alt.n = 1;
            alt.names = nm;
            dom_cands(c, &alt, 1, &cs);
          }
        }
      }
      if (prop->class_ref != NULL) {
        add_cand(&cs, wes_namespace_get_class(c->ns, prop->class_ref));
      }
      for (i = 0; i < cs.n; i++) {
        if (wes__class_find(cs.c[i], path->names[k + 1]) != NULL ||
            sysprop_index(path->names[k + 1]) >= 0) {
          next = cs.c[i];
          break;
        }
      }
      if (next == NULL && cs.n == 0 && sysprop_index(path->names[k + 1]) >= 0) {
        /* a system property of an object of unknown class: by name */
        cls = NULL;
        continue;
      }
      if (next == NULL) {
        if (lenient) {
          cls = NULL;
          continue;
        }
        if (cs.n == 0 && any_isa_on(q->ast->where, path, k + 1, 0)) {
          return wes__error(c->err, WES_E_INVALID_PROPERTY, path->line,
                            path->col,
                            "cannot resolve '%s' (add %s ISA 'ClassName' "
                            "with AND; an ISA under OR or NOT does not "
                            "apply)",
                            path->text, name);
        }
        if (cs.n == 0) {
          return wes__error(c->err, WES_E_INVALID_PROPERTY, path->line,
                            path->col,
                            "cannot resolve '%s': the class of %s is not "
                            "known (add %s ISA 'ClassName')",
                            path->text, name, name);
        }
        return wes__error(c->err, WES_E_INVALID_PROPERTY, path->line, path->col,
                          "class %s has no property '%s'",
                          wes_class_name(cs.c[0]), path->names[k + 1]);
      }
      cls = next;
    }
  }
  cp->resolved = 1;
  for (k = 0; k < cp->n; k++) {
    if (cp->steps[k].h.cls == NULL) {
      cp->resolved = 0;
    }
  }
  *ret = cp;
  return WES_S_OK;
}

/* Links a WHERE path to its compiled form. A path starting at the FROM
 * class is trusted (the run checks the object's class first). */
static void add_path(cctx_t *c, wql_path_t *path, wql_cpath_t *cp) {
  wes_query_t *q = c->q;
  if (q->cls != NULL && cp->steps[0].h.cls == q->cls) {
    cp->steps[0].trusted = 1;
  }
  path->cp = cp;
}

/* ---- type checking of one predicate ---- */

static bool is_int_type(wes_cimtype_t t) {
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

static bool is_text_type(wes_cimtype_t t) {
  return t == WES_CIM_STRING || t == WES_CIM_DATETIME || t == WES_CIM_REFERENCE;
}

static wes_hresult_t check_cmp(cctx_t *c, const wql_node_t *n, wes_cimtype_t t,
                               const wql_cval_t *cv) {
  uint32_t need = 0;
  const char *tn = wes_cimtype_name(WES_CIM_BASETYPE(t));
  if (WES_CIM_IS_ARRAY(t)) {
    return wes__error(c->err, WES_E_INVALID_OPERATOR, (uint32_t)n->op_line,
                      (uint32_t)n->op_col,
                      "'%s' is an array: WQL cannot compare array "
                      "properties",
                      n->path->text);
  }
  if (t == WES_CIM_OBJECT) {
    return wes__error(c->err, WES_E_INVALID_OPERATOR, (uint32_t)n->op_line,
                      (uint32_t)n->op_col,
                      "'%s' is an embedded object: use ISA, IS NULL or a "
                      "dotted property",
                      n->path->text);
  }
  if (t == WES_CIM_BOOLEAN && n->op != WQL_OP_EQ && n->op != WQL_OP_NE) {
    return wes__error(c->err, WES_E_INVALID_OPERATOR, (uint32_t)n->op_line,
                      (uint32_t)n->op_col,
                      "'%s' is boolean: only =, <> and != apply",
                      n->path->text);
  }
  if (is_int_type(t)) {
    need = WQL_HAVE_INT | WQL_HAVE_REAL;
  } else if (t == WES_CIM_REAL32 || t == WES_CIM_REAL64) {
    need = WQL_HAVE_REAL;
  } else if (t == WES_CIM_BOOLEAN) {
    need = WQL_HAVE_BOOL;
  } else if (t == WES_CIM_STRING || t == WES_CIM_REFERENCE) {
    need = WQL_HAVE_STR;
  } else if (t == WES_CIM_DATETIME) {
    need = WQL_HAVE_DT;
  } else if (t == WES_CIM_CHAR16) {
    need = WQL_HAVE_C16 | WQL_HAVE_INT;
  }
  if (n->lit.kind == WQL_LIT_BOOL && t != WES_CIM_BOOLEAN) {
    need = 0;
  }
  if ((cv->have & need) == 0) {
    return wes__error(
        c->err, WES_E_TYPE_MISMATCH, (uint32_t)n->op_line, (uint32_t)n->op_col,
        "constant cannot be converted to %s (type of '%s')", tn, n->path->text);
  }
  return WES_S_OK;
}

/* Picks a specialised form of a comparison when the type allows. */
static void choose_fast(cctx_t *c, wql_insn_t *in, wes_cimtype_t t) {
  const wql_cval_t *cv = in->cv;
  if ((t == WES_CIM_STRING || t == WES_CIM_REFERENCE) &&
      (cv->have & WQL_HAVE_STR) &&
      (in->op == WQL_OP_EQ || in->op == WQL_OP_NE)) {
    char *low = wes__wql_strndup(&c->q->arena, cv->s, cv->slen);
    size_t i;
    if (low == NULL) {
      return; /* the generic form works too */
    }
    for (i = 0; i < cv->slen; i++) {
      low[i] = wes__ascii_lower(low[i]);
    }
    in->lower = low;
    in->fast = in->op == WQL_OP_EQ ? WQL_F_STR_EQ : WQL_F_STR_NE;
    in->fast_type = (uint8_t)t;
    return;
  }
  if ((cv->have & WQL_HAVE_INT) && !(cv->have & WQL_IS_REAL) &&
      is_int_type(t)) {
    in->fast = (t == WES_CIM_UINT8 || t == WES_CIM_UINT16 ||
                t == WES_CIM_UINT32 || t == WES_CIM_UINT64)
                   ? WQL_F_UINT
                   : WQL_F_SINT;
    in->fast_type = (uint8_t)t;
  }
}

/* ---- program generation ---- */

typedef struct gen_s {
  cctx_t *c;
  wql_insn_t *prog;
  uint32_t n, cap;
  int32_t *label_pc;
  uint32_t nlabels, lcap;
  bool neg; /* under an odd number of NOTs */
} gen_t;

static int32_t new_label(gen_t *g) {
  if (g->nlabels == g->lcap) {
    uint32_t ncap = g->lcap == 0 ? 16 : g->lcap * 2;
    int32_t *nl = wes__realloc(g->label_pc, ncap * sizeof(*nl));
    if (nl == NULL) {
      return -100;
    }
    g->label_pc = nl;
    g->lcap = ncap;
  }
  g->label_pc[g->nlabels] = -100;
  return (int32_t)g->nlabels++;
}

static wes_hresult_t compile_pred(cctx_t *c, wql_node_t *n, wql_insn_t *in) {
  wes_query_t *q = c->q;
  wql_cpath_t *cp = NULL;
  wes_cimtype_t t = WES_CIM_EMPTY;
  int typed = 0;
  TRY(compile_path(c, n->path, 0, &cp, &t, &typed, 0));
  add_path(c, n->path, cp);
  in->path = cp;
  switch (n->kind) {
  case WQL_CMP: {
    wql_cval_t *cv = wes__wql_alloc(&q->arena, sizeof(*cv));
    if (cv == NULL) {
      return oom(c);
    }
    if (!wes__wql_cval_from_lit(&q->arena, &n->lit, cv)) {
      return oom(c);
    }
    if (typed) {
      TRY(check_cmp(c, n, t, cv));
      if (t == WES_CIM_DATETIME && cv->dts != NULL) {
        n->lit.dmtf = cv->dts; /* the DNF and index keys carry DMTF text */
      }
    }
    in->kind = WQL_I_CMP;
    in->op = (uint8_t)n->op;
    in->cv = cv;
    if (typed && cp->resolved) {
      choose_fast(c, in, t);
    }
    break;
  }
  case WQL_LIKE:
    if (typed && (WES_CIM_IS_ARRAY(t) || !is_text_type(t))) {
      return wes__error(c->err, WES_E_INVALID_OPERATOR, (uint32_t)n->op_line,
                        (uint32_t)n->op_col,
                        "LIKE needs a string property; '%s' is %s%s",
                        n->path->text, wes_cimtype_name(WES_CIM_BASETYPE(t)),
                        WES_CIM_IS_ARRAY(t) ? "[]" : "");
    }
    TRY(wes__wql_like_compile(&q->arena, n->lit.s, n->lit.slen, n->cls_line,
                              n->cls_col, &n->like, c->err));
    in->kind = WQL_I_LIKE;
    in->like = n->like;
    break;
  case WQL_ISA:
    if (typed && t != WES_CIM_OBJECT) {
      return wes__error(c->err, WES_E_INVALID_OPERATOR, (uint32_t)n->op_line,
                        (uint32_t)n->op_col,
                        "ISA needs an embedded-object property; '%s' is "
                        "%s%s",
                        n->path->text, wes_cimtype_name(WES_CIM_BASETYPE(t)),
                        WES_CIM_IS_ARRAY(t) ? "[]" : "");
    }
    in->kind = WQL_I_ISA;
    in->isa = n->isa_class;
    in->isa_name = n->cls;
    break;
  case WQL_ISNULL:
    in->kind = n->negated ? WQL_I_NOTNULL : WQL_I_ISNULL;
    break;
  default:
    break;
  }
  return WES_S_OK;
}

static wes_hresult_t gen(gen_t *g, wql_node_t *n, int32_t lt, int32_t lf) {
  uint32_t i;
  switch (n->kind) {
  case WQL_AND:
  case WQL_OR: {
    /* the ISA terms a conjunction forces dominate every predicate below
     * it (until the conjunction is left) */
    uint32_t mark = g->c->ndom;
    if (g->c->ns != NULL && (n->kind == WQL_AND) != g->neg) {
      for (i = 0; i < n->nkids; i++) {
        TRY(push_forced(g->c, n->kids[i], g->neg, 0));
      }
    }
    for (i = 0; i < n->nkids; i++) {
      if (i + 1 < n->nkids) {
        int32_t next = new_label(g);
        if (next < 0) {
          return oom(g->c);
        }
        if (n->kind == WQL_AND) {
          TRY(gen(g, n->kids[i], next, lf));
        } else {
          TRY(gen(g, n->kids[i], lt, next));
        }
        g->label_pc[next] = (int32_t)g->n;
      } else {
        TRY(gen(g, n->kids[i], lt, lf));
      }
    }
    g->c->ndom = mark;
    return WES_S_OK;
  }
  case WQL_NOT: {
    wes_hresult_t hr;
    g->neg = !g->neg;
    hr = gen(g, n->kids[0], lf, lt);
    g->neg = !g->neg;
    return hr;
  }
  default: {
    wql_insn_t *in;
    if (g->n == g->cap) {
      uint32_t ncap = g->cap == 0 ? 8 : g->cap * 2;
      wql_insn_t *np = wes__realloc(g->prog, ncap * sizeof(*np));
      if (np == NULL) {
        return oom(g->c);
      }
      g->prog = np;
      g->cap = ncap;
    }
    in = &g->prog[g->n];
    memset(in, 0, sizeof(*in));
    in->jt = lt;
    in->jf = lf;
    n->pred_id = (int)g->n;
    g->n++;
    return compile_pred(g->c, n, in);
  }
  }
}

/* Label ids are >= 0; ACCEPT/REJECT are encoded as -1/-2 already. */
static int32_t resolve(const gen_t *g, int32_t l) {
  return l < 0 ? l : g->label_pc[l];
}

/* Resolves ISA classes first (paths through objects depend on them). */
static wes_hresult_t resolve_isa(cctx_t *c, wql_node_t *n, uint32_t depth) {
  uint32_t i;
  if (n == NULL || depth > WQL_MAX_DEPTH + 2) {
    return WES_S_OK;
  }
  if (n->kind == WQL_AND || n->kind == WQL_OR || n->kind == WQL_NOT) {
    for (i = 0; i < n->nkids; i++) {
      TRY(resolve_isa(c, n->kids[i], depth + 1));
    }
    return WES_S_OK;
  }
  if (n->kind == WQL_ISA && c->ns != NULL) {
    n->isa_class = wes_namespace_get_class(c->ns, n->cls);
    if (n->isa_class == NULL) {
      return wes__error(c->err, WES_E_INVALID_CLASS, n->cls_line, n->cls_col,
                        "class '%s' (after ISA) does not exist in namespace "
                        "%s",
                        n->cls, wes_namespace_name(c->ns));
    }
  }
  return WES_S_OK;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

static int cmp_s64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

static bool same_eq_path(const wql_insn_t *a, const wql_insn_t *b) {
  return b->kind == WQL_I_CMP && b->op == WQL_OP_EQ && b->fast == a->fast &&
         b->fast_type == a->fast_type &&
         wes__strcasecmp(a->path->text, b->path->text) == 0;
}

/* Folds runs `p = c1 (false->) p = c2 (false->) ... ` that all jump to the
 * same target when true into one set test on the first instruction. */
static wes_hresult_t fold_in_sets(cctx_t *c) {
  wes_query_t *q = c->q;
  uint32_t *refs, i;
  if (q->nprog < 3) {
    return WES_S_OK;
  }
  refs = wes__calloc(q->nprog, sizeof(*refs));
  if (refs == NULL) {
    return oom(c);
  }
  for (i = 0; i < q->nprog; i++) {
    if (q->prog[i].jt >= 0) {
      refs[q->prog[i].jt]++;
    }
    if (q->prog[i].jf >= 0) {
      refs[q->prog[i].jf]++;
    }
  }
  for (i = 0; i < q->nprog; i++) {
    wql_insn_t *a = &q->prog[i];
    uint32_t n = 1, k;
    if (a->kind != WQL_I_CMP || a->op != WQL_OP_EQ ||
        (a->fast != WQL_F_UINT && a->fast != WQL_F_SINT &&
         a->fast != WQL_F_STR_EQ)) {
      continue;
    }
    while (i + n < q->nprog && a[n - 1].jf == (int32_t)(i + n) &&
           refs[i + n] == 1 && same_eq_path(a, &a[n]) && a[n].jt == a->jt) {
      n++;
    }
    if (n < 3) {
      continue;
    }
    a->in_kind = a->fast;
    a->in_n = 0;
    a->in_jf = a[n - 1].jf;
    if (a->fast == WQL_F_STR_EQ) {
      const char **strs = wes__wql_alloc(&q->arena, n * sizeof(char *));
      if (strs == NULL) {
        wes__free(refs);
        return oom(c);
      }
      for (k = 0; k < n; k++) {
        strs[a->in_n++] = a[k].lower;
      }
      a->in_strs = strs;
    } else {
      uint64_t *vals = wes__wql_alloc(&q->arena, n * sizeof(uint64_t));
      if (vals == NULL) {
        wes__free(refs);
        return oom(c);
      }
      for (k = 0; k < n; k++) {
        const wql_cval_t *cv = a[k].cv;
        if (a->fast == WQL_F_UINT) {
          if (cv->big) {
            vals[a->in_n++] = cv->u;
          } else if (cv->i >= 0) {
            vals[a->in_n++] = (uint64_t)cv->i;
          }
        } else if (!cv->big) {
          memcpy(&vals[a->in_n++], &cv->i, sizeof(uint64_t));
        }
      }
      qsort(vals, a->in_n, sizeof(uint64_t),
            a->fast == WQL_F_UINT ? cmp_u64 : cmp_s64);
      a->in_vals = vals;
    }
    i += n - 1;
  }
  wes__free(refs);
  return WES_S_OK;
}

/* Marks path steps whose class test the evaluator can skip: step 0 on the
 * FROM class (the run checks the object's class first) and steps right
 * after a prefix that a top-level ISA term, evaluated earlier in the AND
 * chain, has proven to be of a class deriving from the step's class. */
static void trust_node(wes_query_t *q, const wql_node_t *n,
                       const wql_node_t *isa, uint32_t depth) {
  uint32_t i;
  if (depth > WQL_MAX_DEPTH + 2) {
    return;
  }
  if (n->kind == WQL_AND || n->kind == WQL_OR || n->kind == WQL_NOT) {
    for (i = 0; i < n->nkids; i++) {
      trust_node(q, n->kids[i], isa, depth + 1);
    }
    return;
  }
  if (n->path->cp != NULL) {
    wql_cpath_t *cp = n->path->cp;
    uint32_t k = isa->path->n;
    if (cp->n > k && prefix_eq(isa->path, n->path, k) &&
        cp->steps[k].h.cls != NULL &&
        wes__class_is_a(isa->isa_class, cp->steps[k].h.cls)) {
      cp->steps[k].trusted = 1;
    }
  }
}

static void mark_trusted(wes_query_t *q) {
  wql_node_t *w = q->ast->where;
  wql_node_t *const *terms;
  uint32_t nt, i, j;
  /* (paths starting at the FROM class: see add_path) */
  if (w == NULL) {
    return;
  }
  terms = w->kind == WQL_AND ? w->kids : &w;
  nt = w->kind == WQL_AND ? w->nkids : 1;
  for (i = 0; i < nt; i++) {
    if (terms[i]->kind != WQL_ISA || terms[i]->isa_class == NULL) {
      continue;
    }
    for (j = i + 1; j < nt; j++) {
      trust_node(q, terms[j], terms[i], 0);
    }
  }
}

static wes_hresult_t compile(cctx_t *c);

wes_hresult_t wes__wql_compile(wes_query_t *q, const wes_namespace_t *ns,
                               wes_error_t *err) {
  cctx_t c;
  wes_hresult_t hr;
  memset(&c, 0, sizeof(c));
  c.q = q;
  c.ns = ns;
  c.err = err;
  c.dom = c.dom_inline;
  c.domcap = WES__ARRAY_SIZE(c.dom_inline);
  hr = compile(&c);
  if (c.dom != c.dom_inline) {
    wes__free(c.dom);
  }
  return hr;
}

static wes_hresult_t compile(cctx_t *c) {
  gen_t g;
  wes_query_t *q = c->q;
  const wes_namespace_t *ns = c->ns;
  wes_error_t *err = c->err;
  wql_ast_t *ast = q->ast;
  wes_hresult_t hr = WES_S_OK;
  uint32_t i;
  memset(&g, 0, sizeof(g));
  g.c = c;

  if (ns != NULL) {
    q->cls = wes_namespace_get_class(ns, ast->cls);
    if (q->cls == NULL) {
      return wes__error(err, WES_E_INVALID_CLASS, ast->cls_line, ast->cls_col,
                        "class '%s' does not exist in namespace %s", ast->cls,
                        wes_namespace_name(ns));
    }
    if (q->kind == WES_QUERY_KIND_EVENT &&
        !wes_class_derives_from(q->cls, "__Event")) {
      return wes__error(err, WES_E_NOT_EVENT_CLASS, ast->cls_line, ast->cls_col,
                        "class %s is not an event class (it does not derive "
                        "from __Event)",
                        ast->cls);
    }
    TRY(resolve_isa(c, ast->where, 0));
  }

  if (ast->where != NULL) {
    hr = gen(&g, ast->where, WQL_PC_ACCEPT, WQL_PC_REJECT);
    if (WES_SUCCEEDED(hr)) {
      q->prog = wes__wql_alloc(&q->arena, g.n * sizeof(wql_insn_t));
      if (q->prog == NULL) {
        hr = oom(c);
      } else {
        for (i = 0; i < g.n; i++) {
          q->prog[i] = g.prog[i];
          q->prog[i].jt = resolve(&g, g.prog[i].jt);
          q->prog[i].jf = resolve(&g, g.prog[i].jf);
        }
        q->nprog = g.n;
      }
    }
  }
  wes__free(g.prog);
  wes__free(g.label_pc);
  TRY(hr);
  mark_trusted(q);
  TRY(fold_in_sets(c));

  /* GROUP BY and SELECT paths: dominated by the ISA terms WHERE forces */
  c->ndom = 0;
  if (ns != NULL) {
    TRY(push_forced(c, ast->where, false, 0));
  }
  /* GROUP BY paths */
  if (ast->nby > 0) {
    q->by = wes__wql_alloc(&q->arena, ast->nby * sizeof(*q->by));
    if (q->by == NULL) {
      return oom(c);
    }
    for (i = 0; i < ast->nby; i++) {
      wes_cimtype_t t;
      int typed;
      TRY(compile_path(c, ast->by[i], 0, &q->by[i], &t, &typed, 0));
      if (typed && WES_CIM_BASETYPE(t) == WES_CIM_OBJECT) {
        return wes__error(err, WES_E_AGGREGATING_BY_OBJECT, ast->by[i]->line,
                          ast->by[i]->col,
                          "cannot group by the embedded object '%s' (name "
                          "one of its properties, e.g. %s.Name)",
                          ast->by[i]->text, ast->by[i]->text);
      }
    }
  }
  /* SELECT list: checked only (projection reads the first components by
   * name); unknown names are accepted (and deliver nothing), as Windows
   * does */
  for (i = 0; i < ast->nselect; i++) {
    wes_cimtype_t t;
    int typed;
    wql_cpath_t *sel = NULL;
    TRY(compile_path(c, ast->select[i], 1, &sel, &t, &typed, 1));
  }
  return WES_S_OK;
}
