/* SPDX-License-Identifier: MIT */
/*
 * Analysis for the broker: the DNF of WHERE (negations pushed to the
 * predicates, NULL made explicit), index keys, ISA targets, may_overlap
 * and coverage.
 */
#include <string.h>

#include "cim/cim_internal.h"
#include "wql_internal.h"

/* ---- DNF construction over a scratch arena ---- */

typedef struct lit_s {
  const wql_node_t *n;
  uint32_t op; /* WES_QUERY_OP_* */
} lit_t;

typedef struct conj_s {
  uint32_t n;
  lit_t *l;
} conj_t;

typedef struct dnf_s {
  uint32_t n; /* conjunctions; > WQL_MAX_DNF never built */
  conj_t *c;
} dnf_t;

typedef struct dctx_s {
  wql_arena_t scratch;
  bool too_big;
  bool oom;
} dctx_t;

static uint32_t neg_op(uint32_t op) {
  switch (op) {
  case WES_QUERY_OP_EQ:
    return WES_QUERY_OP_NE;
  case WES_QUERY_OP_NE:
    return WES_QUERY_OP_EQ;
  case WES_QUERY_OP_LT:
    return WES_QUERY_OP_GE;
  case WES_QUERY_OP_GE:
    return WES_QUERY_OP_LT;
  case WES_QUERY_OP_GT:
    return WES_QUERY_OP_LE;
  case WES_QUERY_OP_LE:
    return WES_QUERY_OP_GT;
  case WES_QUERY_OP_LIKE:
    return WES_QUERY_OP_NOTLIKE;
  case WES_QUERY_OP_ISA:
    return WES_QUERY_OP_ISNOTA;
  case WES_QUERY_OP_ISNULL:
    return WES_QUERY_OP_ISNOTNULL;
  case WES_QUERY_OP_ISNOTNULL:
    return WES_QUERY_OP_ISNULL;
  default:
    return op;
  }
}

static uint32_t leaf_op(const wql_node_t *n) {
  switch (n->kind) {
  case WQL_CMP:
    return (uint32_t)n->op; /* WQL_OP_* == WES_QUERY_OP_* */
  case WQL_LIKE:
    return WES_QUERY_OP_LIKE;
  case WQL_ISA:
    return WES_QUERY_OP_ISA;
  case WQL_ISNULL:
    return n->negated ? WES_QUERY_OP_ISNOTNULL : WES_QUERY_OP_ISNULL;
  default:
    return 0;
  }
}

static bool mk_dnf(dctx_t *d, dnf_t *out, uint32_t nconj) {
  out->n = nconj;
  out->c = wes__wql_alloc(&d->scratch, (nconj + 1) * sizeof(conj_t));
  if (out->c == NULL) {
    d->oom = true;
    return false;
  }
  return true;
}

static bool single(dctx_t *d, dnf_t *out, const wql_node_t *n, uint32_t op,
                   const wql_node_t *null_n) {
  /* one conjunction {op}, plus {IS NULL} when the negation must also hold
   * for NULL */
  uint32_t k = null_n != NULL ? 2 : 1, i;
  if (!mk_dnf(d, out, k)) {
    return false;
  }
  for (i = 0; i < k; i++) {
    out->c[i].n = 1;
    out->c[i].l = wes__wql_alloc(&d->scratch, sizeof(lit_t));
    if (out->c[i].l == NULL) {
      d->oom = true;
      return false;
    }
    out->c[i].l[0].n = n;
    out->c[i].l[0].op = i == 0 ? op : WES_QUERY_OP_ISNULL;
  }
  return true;
}

static bool build(dctx_t *d, const wql_node_t *n, bool neg, dnf_t *out,
                  uint32_t depth) {
  uint32_t i;
  if (depth > WQL_MAX_DEPTH * 2 + 4) {
    d->too_big = true;
    return false;
  }
  if (n->kind == WQL_NOT) {
    return build(d, n->kids[0], !neg, out, depth + 1);
  }
  if (n->kind == WQL_AND || n->kind == WQL_OR) {
    bool conj = (n->kind == WQL_AND) != neg;
    dnf_t acc;
    if (!build(d, n->kids[0], neg, &acc, depth + 1)) {
      return false;
    }
    for (i = 1; i < n->nkids; i++) {
      dnf_t k, r;
      uint32_t a, b, x = 0;
      if (!build(d, n->kids[i], neg, &k, depth + 1)) {
        return false;
      }
      if (conj) {
        uint64_t cnt = (uint64_t)acc.n * k.n, lits = 0;
        if (cnt > WQL_MAX_DNF) {
          d->too_big = true;
          return false;
        }
        for (a = 0; a < acc.n; a++) {
          lits += (uint64_t)acc.c[a].n * k.n;
        }
        for (b = 0; b < k.n; b++) {
          lits += (uint64_t)k.c[b].n * acc.n;
        }
        if (lits > WQL_MAX_DNF_PREDS) {
          d->too_big = true;
          return false;
        }
        if (!mk_dnf(d, &r, (uint32_t)cnt)) {
          return false;
        }
        for (a = 0; a < acc.n; a++) {
          for (b = 0; b < k.n; b++) {
            conj_t *c = &r.c[x++];
            c->n = acc.c[a].n + k.c[b].n;
            c->l = wes__wql_alloc(&d->scratch, (c->n + 1) * sizeof(lit_t));
            if (c->l == NULL) {
              d->oom = true;
              return false;
            }
            memcpy(c->l, acc.c[a].l, acc.c[a].n * sizeof(lit_t));
            memcpy(c->l + acc.c[a].n, k.c[b].l, k.c[b].n * sizeof(lit_t));
          }
        }
      } else {
        if (acc.n + k.n > WQL_MAX_DNF) {
          d->too_big = true;
          return false;
        }
        if (!mk_dnf(d, &r, acc.n + k.n)) {
          return false;
        }
        memcpy(r.c, acc.c, acc.n * sizeof(conj_t));
        memcpy(r.c + acc.n, k.c, k.n * sizeof(conj_t));
      }
      acc = r;
    }
    *out = acc;
    return true;
  }
  {
    uint32_t op = leaf_op(n);
    if (!neg) {
      return single(d, out, n, op, NULL);
    }
    if (n->kind == WQL_ISNULL) {
      return single(d, out, n, neg_op(op), NULL);
    }
    return single(d, out, n, neg_op(op), n);
  }
}

/* ---- predicate values ---- */

static bool int_fits(wes_cimtype_t t, const wql_cval_t *cv, int64_t *si,
                     uint64_t *ui) {
  int64_t lo = 0;
  uint64_t hi = 0;
  bool sign = false;
  switch (t) {
  case WES_CIM_SINT8:
    lo = INT8_MIN, hi = INT8_MAX, sign = true;
    break;
  case WES_CIM_SINT16:
    lo = INT16_MIN, hi = INT16_MAX, sign = true;
    break;
  case WES_CIM_SINT32:
    lo = INT32_MIN, hi = INT32_MAX, sign = true;
    break;
  case WES_CIM_SINT64:
    lo = INT64_MIN, hi = INT64_MAX, sign = true;
    break;
  case WES_CIM_UINT8:
    hi = UINT8_MAX;
    break;
  case WES_CIM_UINT16:
    hi = UINT16_MAX;
    break;
  case WES_CIM_UINT32:
    hi = UINT32_MAX;
    break;
  case WES_CIM_UINT64:
    hi = UINT64_MAX;
    break;
  default:
    return false;
  }
  if (!(cv->have & WQL_HAVE_INT) || (cv->have & WQL_IS_REAL)) {
    return false;
  }
  if (cv->big) {
    if (sign || cv->u > hi) {
      return false;
    }
    *ui = cv->u;
    return true;
  }
  if (cv->i < lo || (cv->i >= 0 && (uint64_t)cv->i > hi) ||
      (!sign && cv->i < 0)) {
    return false;
  }
  *si = cv->i;
  *ui = (uint64_t)cv->i;
  return true;
}

static void lit_value(const wql_node_t *n, wes_cimtype_t t, int typed,
                      const wql_cval_t *cv, wes_value_t *v) {
  memset(v, 0, sizeof(*v));
  if (typed && !WES_CIM_IS_ARRAY(t)) {
    int64_t si = 0;
    uint64_t ui = 0;
    if (int_fits(t, cv, &si, &ui)) {
      v->type = t;
      if (t == WES_CIM_SINT8 || t == WES_CIM_SINT16 || t == WES_CIM_SINT32 ||
          t == WES_CIM_SINT64) {
        v->u.sint = si;
      } else {
        v->u.uint = ui;
      }
      return;
    }
    switch (t) {
    case WES_CIM_REAL32:
    case WES_CIM_REAL64:
      if (cv->have & WQL_HAVE_REAL) {
        v->type = t;
        v->u.real = cv->r;
        return;
      }
      break;
    case WES_CIM_BOOLEAN:
      if (cv->have & WQL_HAVE_BOOL) {
        v->type = t;
        v->u.boolean = cv->b;
        return;
      }
      break;
    case WES_CIM_STRING:
    case WES_CIM_REFERENCE:
    case WES_CIM_DATETIME:
      if (cv->have & WQL_HAVE_STR) {
        v->type = t;
        v->u.str = t == WES_CIM_DATETIME && n->lit.dmtf != NULL ? n->lit.dmtf
                                                                : cv->s;
        return;
      }
      break;
    case WES_CIM_CHAR16:
      if (cv->have & WQL_HAVE_C16) {
        v->type = t;
        v->u.char16 = cv->c16;
        return;
      }
      break;
    default:
      break;
    }
  }
  switch (n->lit.kind) {
  case WQL_LIT_STRING:
    v->type = WES_CIM_STRING;
    v->u.str = n->lit.s;
    break;
  case WQL_LIT_INT:
    if (n->lit.big) {
      v->type = WES_CIM_UINT64;
      v->u.uint = n->lit.u;
    } else {
      v->type = WES_CIM_SINT64;
      v->u.sint = n->lit.i;
    }
    break;
  case WQL_LIT_REAL:
    v->type = WES_CIM_REAL64;
    v->u.real = n->lit.r;
    break;
  case WQL_LIT_BOOL:
    v->type = WES_CIM_BOOLEAN;
    v->u.boolean = n->lit.b;
    break;
  default:
    v->type = WES_CIM_EMPTY;
    v->is_null = 1;
    break;
  }
}

/* Final type of a compiled path in a checked query. */
static bool path_type(const wes_query_t *q, const wql_cpath_t *cp,
                      wes_cimtype_t *t) {
  const wql_step_t *st = &cp->steps[cp->n - 1];
  if (!q->checked || st->h.cls == NULL) {
    return false;
  }
  *t = st->h.type;
  return true;
}

static wes_hresult_t make_pred(wes_query_t *q, const wql_node_t *n, uint32_t op,
                               wes_query_pred_t *p) {
  const wql_cpath_t *cp = n->path->cp;
  wes_cimtype_t t = WES_CIM_EMPTY;
  int typed = path_type(q, cp, &t);
  memset(p, 0, sizeof(*p));
  p->path = n->path->text;
  p->op = op;
  p->line = n->line;
  p->column = n->col;
  p->reserved = cp;
  switch (op) {
  case WES_QUERY_OP_ISA:
  case WES_QUERY_OP_ISNOTA:
    p->value.type = WES_CIM_STRING;
    p->value.u.str = n->cls;
    break;
  case WES_QUERY_OP_ISNULL:
  case WES_QUERY_OP_ISNOTNULL:
    p->value.type = typed ? t : WES_CIM_EMPTY;
    p->value.is_null = 1;
    break;
  default: {
    wql_cval_t cv;
    (void)wes__wql_cval_from_lit(NULL, &n->lit, &cv); /* no dt: no OOM */
    if (n->kind == WQL_LIKE) {
      typed = 0;
    }
    lit_value(n, t, typed, &cv, &p->value);
    break;
  }
  }
  return WES_S_OK;
}

/* ---- targets ---- */

static bool is_simple_isa(const wes_query_pred_t *p) {
  return p->op == WES_QUERY_OP_ISA && strchr(p->path, '.') == NULL;
}

static const wes_class_t *pred_isa_class(const wes_query_t *q,
                                         const wes_query_pred_t *p) {
  if (q->ns == NULL) {
    return NULL;
  }
  return wes_namespace_get_class(q->ns, p->value.u.str);
}

static wes_hresult_t compute_targets(wes_query_t *q) {
  const char *tp = NULL;
  size_t i, j, n = 0;
  wql_targets_t *ts;
  if (!q->dnf_ok || q->ast->where == NULL) {
    return WES_S_OK;
  }
  for (i = 0; i < q->dnf.nconj && tp == NULL; i++) {
    for (j = 0; j < q->dnf.conj_len[i]; j++) {
      if (is_simple_isa(&q->dnf.conj[i][j])) {
        tp = q->dnf.conj[i][j].path;
        break;
      }
    }
  }
  if (tp == NULL) {
    return WES_S_OK;
  }
  ts = wes__wql_alloc(&q->arena,
                      sizeof(*ts) + q->dnf.nconj * sizeof(wql_target_t));
  if (ts == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  for (i = 0; i < q->dnf.nconj; i++) {
    const char *best = NULL;
    const wes_class_t *bc = NULL;
    bool contradictory = false;
    size_t k;
    for (j = 0; j < q->dnf.conj_len[i]; j++) {
      const wes_query_pred_t *p = &q->dnf.conj[i][j];
      const wes_class_t *c;
      if (!is_simple_isa(p) || wes__strcasecmp(p->path, tp) != 0) {
        continue;
      }
      c = pred_isa_class(q, p);
      if (best == NULL) {
        best = p->value.u.str;
        bc = c;
      } else if (c != NULL && bc != NULL) {
        if (wes__class_is_a(c, bc)) {
          best = p->value.u.str;
          bc = c;
        } else if (!wes__class_is_a(bc, c)) {
          contradictory = true;
        }
      }
    }
    if (contradictory) {
      continue; /* this conjunction can never hold */
    }
    if (best == NULL) {
      return WES_S_OK; /* some alternative has no target: any */
    }
    for (k = 0; k < n; k++) {
      if (wes__strcasecmp(ts->t[k].name, best) == 0) {
        break;
      }
    }
    if (k == n) {
      ts->t[n].name = best;
      ts->t[n].cls = bc;
      n++;
    }
  }
  if (n > 0) {
    ts->prop = tp;
    ts->n = n;
    q->targets = ts;
  }
  return WES_S_OK;
}

wes_hresult_t wes__wql_analyze(wes_query_t *q, wes_error_t *err) {
  dctx_t d;
  dnf_t dnf;
  uint32_t i, j;
  wes_hresult_t hr = WES_S_OK;
  memset(&d, 0, sizeof(d));
  memset(&dnf, 0, sizeof(dnf));

  /* DNF */
  if (q->ast->where == NULL) {
    q->dnf_ok = 1;
    q->dnf.nconj = 1;
    q->dnf.conj_len = wes__wql_alloc(&q->arena, sizeof(size_t));
    q->dnf.conj = wes__wql_alloc(&q->arena, sizeof(wes_query_pred_t *));
    if (q->dnf.conj_len == NULL || q->dnf.conj == NULL) {
      return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    }
  } else if (build(&d, q->ast->where, false, &dnf, 0)) {
    q->dnf_ok = 1;
    q->dnf.nconj = dnf.n;
    q->dnf.conj_len = wes__wql_alloc(&q->arena, dnf.n * sizeof(size_t));
    q->dnf.conj = wes__wql_alloc(&q->arena, dnf.n * sizeof(wes_query_pred_t *));
    if (q->dnf.conj_len == NULL || q->dnf.conj == NULL) {
      hr = WES_E_OUT_OF_MEMORY;
    }
    for (i = 0; i < dnf.n && hr == WES_S_OK; i++) {
      q->dnf.conj_len[i] = dnf.c[i].n;
      q->dnf.conj[i] =
          wes__wql_alloc(&q->arena, dnf.c[i].n * sizeof(wes_query_pred_t));
      if (q->dnf.conj[i] == NULL) {
        hr = WES_E_OUT_OF_MEMORY;
        break;
      }
      for (j = 0; j < dnf.c[i].n; j++) {
        make_pred(q, dnf.c[i].l[j].n, dnf.c[i].l[j].op, &q->dnf.conj[i][j]);
      }
    }
  } else if (d.oom) {
    hr = WES_E_OUT_OF_MEMORY;
  }
  /* index keys: top-level AND terms comparing with a constant */
  if (hr == WES_S_OK && q->ast->where != NULL) {
    wql_node_t *w = q->ast->where;
    wql_node_t *const *terms = w->kind == WQL_AND ? w->kids : &w;
    uint32_t nt = w->kind == WQL_AND ? w->nkids : 1, nk = 0;
    /* when the keys are exactly the only conjunction of the DNF (the
     * usual `A = 1 AND B = 2`), they share its predicates */
    bool same = q->dnf_ok && dnf.n == 1;
    for (i = 0; i < nt; i++) {
      const wql_node_t *t = terms[i];
      if (t->kind == WQL_CMP && t->op != WQL_OP_NE) {
        if (same && (nk >= dnf.c[0].n || dnf.c[0].l[nk].n != t ||
                     dnf.c[0].l[nk].op != (uint32_t)t->op)) {
          same = false;
        }
        nk++;
      }
    }
    if (same && nk == dnf.c[0].n) {
      q->keys = q->dnf.conj[0];
      q->nkeys = nk;
    } else {
      q->keys = wes__wql_alloc(&q->arena, nk * sizeof(wes_query_pred_t));
      if (q->keys == NULL) {
        hr = WES_E_OUT_OF_MEMORY;
      }
      nk = 0;
      for (i = 0; i < nt && hr == WES_S_OK; i++) {
        const wql_node_t *t = terms[i];
        if (t->kind == WQL_CMP && t->op != WQL_OP_NE) {
          make_pred(q, t, (uint32_t)t->op, &q->keys[nk++]);
        }
      }
      q->nkeys = nk;
    }
  }
  wes__wql_arena_free(&d.scratch);
  if (hr != WES_S_OK) {
    return wes__error(err, hr, 0, 0, "out of memory");
  }
  if (compute_targets(q) != WES_S_OK) {
    return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  return WES_S_OK;
}

/* ---- overlap ---- */

typedef struct octx_s {
  const wes_namespace_t *ns;
} octx_t;

static const wes_class_t *resolve_class(const wes_class_t *known,
                                        const char *name,
                                        const wes_namespace_t *qns,
                                        const wes_namespace_t *ns) {
  if (known != NULL) {
    return known;
  }
  if (qns != NULL) {
    const wes_class_t *c = wes_namespace_get_class(qns, name);
    if (c != NULL) {
      return c;
    }
  }
  if (ns != NULL) {
    return wes_namespace_get_class(ns, name);
  }
  return NULL;
}

/* 1 related, 0 disjoint, -1 unknown */
static int classes_related(const wes_class_t *a, const char *an,
                           const wes_class_t *b, const char *bn) {
  if (a != NULL && b != NULL) {
    if (wes__class_is_a(a, b) || wes__class_is_a(b, a)) {
      return 1;
    }
    /* classes of two namespaces: compare by name along the chain */
    if (wes_class_namespace(a) != wes_class_namespace(b)) {
      return (wes_class_derives_from(a, wes_class_name(b)) ||
              wes_class_derives_from(b, wes_class_name(a)))
                 ? 1
                 : 0;
    }
    return 0;
  }
  if (wes__strcasecmp(an, bn) == 0) {
    return 1;
  }
  return -1;
}

typedef struct side_s {
  const wes_query_t *q;
  const wes_query_pred_t *p;
} side_t;

static const wes_class_t *side_class(const side_t *s, const octx_t *o) {
  return resolve_class(NULL, s->p->value.u.str, s->q->ns, o->ns);
}

static bool is_range(uint32_t op) {
  return op == WES_QUERY_OP_LT || op == WES_QUERY_OP_LE ||
         op == WES_QUERY_OP_GT || op == WES_QUERY_OP_GE;
}

/* true when x op c can hold for x == v (v compared with c) */
static bool holds(uint32_t op, int cmp_v_c) {
  switch (op) {
  case WES_QUERY_OP_EQ:
    return cmp_v_c == 0;
  case WES_QUERY_OP_NE:
    return cmp_v_c != 0;
  case WES_QUERY_OP_LT:
    return cmp_v_c < 0;
  case WES_QUERY_OP_LE:
    return cmp_v_c <= 0;
  case WES_QUERY_OP_GT:
    return cmp_v_c > 0;
  case WES_QUERY_OP_GE:
    return cmp_v_c >= 0;
  default:
    return true;
  }
}

/* True when the two predicates on the same path contradict each other. */
static bool contradict(const side_t *a, const side_t *b, const octx_t *o) {
  uint32_t x = a->p->op, y = b->p->op;
  int c;
  if (x == WES_QUERY_OP_ISNULL || y == WES_QUERY_OP_ISNULL) {
    return x != y;
  }
  if (x == WES_QUERY_OP_ISNOTNULL || y == WES_QUERY_OP_ISNOTNULL) {
    return false;
  }
  if (x == WES_QUERY_OP_ISA || x == WES_QUERY_OP_ISNOTA ||
      y == WES_QUERY_OP_ISA || y == WES_QUERY_OP_ISNOTA) {
    const wes_class_t *ca, *cb;
    if (!((x == WES_QUERY_OP_ISA || x == WES_QUERY_OP_ISNOTA) &&
          (y == WES_QUERY_OP_ISA || y == WES_QUERY_OP_ISNOTA))) {
      return false;
    }
    ca = side_class(a, o);
    cb = side_class(b, o);
    if (x == WES_QUERY_OP_ISA && y == WES_QUERY_OP_ISA) {
      return classes_related(ca, a->p->value.u.str, cb, b->p->value.u.str) == 0;
    }
    if (x == WES_QUERY_OP_ISA && y == WES_QUERY_OP_ISNOTA) {
      return ca != NULL && cb != NULL && wes__class_is_a(ca, cb);
    }
    if (x == WES_QUERY_OP_ISNOTA && y == WES_QUERY_OP_ISA) {
      return ca != NULL && cb != NULL && wes__class_is_a(cb, ca);
    }
    return false;
  }
  if (x == WES_QUERY_OP_LIKE || x == WES_QUERY_OP_NOTLIKE ||
      y == WES_QUERY_OP_LIKE || y == WES_QUERY_OP_NOTLIKE) {
    return false;
  }
  if (WES_FAILED(wes_query_value_compare(&a->p->value, &b->p->value, &c))) {
    return false;
  }
  /* c = a.value vs b.value */
  if (x == WES_QUERY_OP_EQ) {
    return !holds(y, c);
  }
  if (y == WES_QUERY_OP_EQ) {
    return !holds(x, -c);
  }
  if (x == WES_QUERY_OP_NE || y == WES_QUERY_OP_NE) {
    return false;
  }
  if (is_range(x) && is_range(y)) {
    bool xl = x == WES_QUERY_OP_GT || x == WES_QUERY_OP_GE; /* lower */
    bool yl = y == WES_QUERY_OP_GT || y == WES_QUERY_OP_GE;
    bool strict;
    if (xl == yl) {
      return false;
    }
    strict = x == WES_QUERY_OP_GT || x == WES_QUERY_OP_LT ||
             y == WES_QUERY_OP_GT || y == WES_QUERY_OP_LT;
    if (xl) { /* a lower bound, b upper bound */
      return c > 0 || (c == 0 && strict);
    }
    return c < 0 || (c == 0 && strict);
  }
  return false;
}

static bool conj_sat(const wes_query_t *qa, const wes_query_pred_t *a,
                     size_t na, const wes_query_t *qb,
                     const wes_query_pred_t *b, size_t nb, const octx_t *o) {
  size_t n = na + nb, i, j;
  for (i = 0; i < n; i++) {
    side_t si = {i < na ? qa : qb, i < na ? &a[i] : &b[i - na]};
    for (j = i + 1; j < n; j++) {
      side_t sj = {j < na ? qa : qb, j < na ? &a[j] : &b[j - na]};
      if (wes__strcasecmp(si.p->path, sj.p->path) != 0) {
        continue;
      }
      if (contradict(&si, &sj, o)) {
        return false;
      }
    }
  }
  return true;
}

static int event_classes_related(const wes_query_t *a, const wes_query_t *b,
                                 const wes_namespace_t *ns) {
  const wes_class_t *ca = resolve_class(a->cls, a->ast->cls, a->ns, ns);
  const wes_class_t *cb = resolve_class(b->cls, b->ast->cls, b->ns, ns);
  return classes_related(ca, a->ast->cls, cb, b->ast->cls);
}

int wes_query_may_overlap(const wes_query_t *a, const wes_query_t *b,
                          const wes_namespace_t *ns) {
  octx_t o;
  size_t i, j;
  if (a == NULL || b == NULL) {
    return 1;
  }
  o.ns = ns;
  if (event_classes_related(a, b, ns) == 0) {
    return 0;
  }
  if (!a->dnf_ok || !b->dnf_ok) {
    return 1;
  }
  for (i = 0; i < a->dnf.nconj; i++) {
    for (j = 0; j < b->dnf.nconj; j++) {
      if (conj_sat(a, a->dnf.conj[i], a->dnf.conj_len[i], b, b->dnf.conj[j],
                   b->dnf.conj_len[j], &o)) {
        return 1;
      }
    }
  }
  return 0;
}

int wes_query_covers(const wes_query_t *reg, const wes_query_t *q,
                     const wes_namespace_t *ns) {
  size_t i, j;
  if (reg == NULL || q == NULL) {
    return 0;
  }
  if (event_classes_related(reg, q, ns) == 0) {
    return 0;
  }
  if (reg->targets == NULL || q->targets == NULL) {
    return 1;
  }
  for (i = 0; i < reg->targets->n; i++) {
    const wql_target_t *ra = &reg->targets->t[i];
    const wes_class_t *ca = resolve_class(ra->cls, ra->name, reg->ns, ns);
    for (j = 0; j < q->targets->n; j++) {
      const wql_target_t *qb = &q->targets->t[j];
      const wes_class_t *cb = resolve_class(qb->cls, qb->name, q->ns, ns);
      if (classes_related(ca, ra->name, cb, qb->name) != 0) {
        return 1;
      }
    }
  }
  return 0;
}
