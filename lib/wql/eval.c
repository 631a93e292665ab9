/* SPDX-License-Identifier: MIT */
/*
 * Evaluator: runs the branch program on an object. Property access goes
 * through precompiled slots (one class test per step, O(1)); a step whose
 * object is not of the resolved class, or a syntax-only query, falls back
 * to a lookup by name. Nothing here allocates.
 */
#include <math.h>
#include <string.h>

#include "cim/cim_internal.h"
#include "wql_internal.h"

int wes__wql_ci_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  size_t n = alen < blen ? alen : blen, i;
  for (i = 0; i < n; i++) {
    unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[i];
    if (ca != cb) {
      ca = (unsigned char)wes__ascii_lower((char)ca);
      cb = (unsigned char)wes__ascii_lower((char)cb);
      if (ca != cb) {
        return ca < cb ? -1 : 1;
      }
    }
  }
  return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* NUL-terminated a against b (b has no NUL inside). */
static inline int ci_cmp_z(const char *a, const char *b) {
  for (;; a++, b++) {
    unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
    if (ca != cb) {
      ca = (unsigned char)wes__ascii_lower((char)ca);
      cb = (unsigned char)wes__ascii_lower((char)cb);
      if (ca != cb) {
        return ca < cb ? -1 : 1;
      }
    }
    if (ca == '\0') {
      return 0;
    }
  }
}

static inline bool apply(int op, int c) {
  switch (op) {
  case WQL_OP_EQ:
    return c == 0;
  case WQL_OP_NE:
    return c != 0;
  case WQL_OP_LT:
    return c < 0;
  case WQL_OP_GT:
    return c > 0;
  case WQL_OP_LE:
    return c <= 0;
  case WQL_OP_GE:
    return c >= 0;
  default:
    return false;
  }
}

static inline int cmp_i64(int64_t a, int64_t b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/* signed value against the constant's integer */
static inline int cmp_s_const(int64_t v, const wql_cval_t *cv) {
  if (cv->big) {
    return -1; /* constant > INT64_MAX */
  }
  return cmp_i64(v, cv->i);
}

static inline int cmp_u_const(uint64_t v, const wql_cval_t *cv) {
  if (cv->big) {
    return v < cv->u ? -1 : v > cv->u ? 1 : 0;
  }
  if (cv->i < 0) {
    return 1;
  }
  return v < (uint64_t)cv->i ? -1 : v > (uint64_t)cv->i ? 1 : 0;
}

static inline bool cmp_real(double v, int op, double c) {
  if (isnan(v) || isnan(c)) {
    return op == WQL_OP_NE;
  }
  return apply(op, v < c ? -1 : v > c ? 1 : 0);
}

bool wes__wql_cmp_value(const wes_value_t *v, int op, const wql_cval_t *cv) {
  if (WES_CIM_IS_ARRAY(v->type)) {
    return false;
  }
  switch (v->type) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
    if ((cv->have & WQL_HAVE_INT) && !(cv->have & WQL_IS_REAL)) {
      return apply(op, cmp_s_const(v->u.sint, cv));
    }
    if (cv->have & WQL_HAVE_REAL) {
      return cmp_real((double)v->u.sint, op, cv->r);
    }
    return false;
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    if ((cv->have & WQL_HAVE_INT) && !(cv->have & WQL_IS_REAL)) {
      return apply(op, cmp_u_const(v->u.uint, cv));
    }
    if (cv->have & WQL_HAVE_REAL) {
      return cmp_real((double)v->u.uint, op, cv->r);
    }
    return false;
  case WES_CIM_REAL32:
  case WES_CIM_REAL64:
    if (cv->have & WQL_HAVE_REAL) {
      return cmp_real(v->u.real, op, cv->r);
    }
    return false;
  case WES_CIM_BOOLEAN:
    if ((cv->have & WQL_HAVE_BOOL) && (op == WQL_OP_EQ || op == WQL_OP_NE)) {
      return apply(op, (v->u.boolean != 0) - (cv->b != 0));
    }
    return false;
  case WES_CIM_STRING:
  case WES_CIM_REFERENCE:
    if (cv->have & WQL_HAVE_STR) {
      return apply(op, ci_cmp_z(v->u.str, cv->s));
    }
    return false;
  case WES_CIM_DATETIME:
    if (cv->have & WQL_HAVE_DT) {
      wes_datetime_t dt;
      int c = 0;
      if (WES_FAILED(wes_datetime_parse(v->u.str, &dt, NULL)) ||
          WES_FAILED(wes_datetime_compare(&dt, cv->dt, &c))) {
        return false;
      }
      return apply(op, c);
    }
    return false;
  case WES_CIM_CHAR16:
    if (cv->have & WQL_HAVE_C16) {
      return apply(op, cmp_i64(v->u.char16, cv->c16));
    }
    if ((cv->have & WQL_HAVE_INT) && !(cv->have & WQL_IS_REAL)) {
      return apply(op, cmp_s_const(v->u.char16, cv));
    }
    return false;
  default:
    return false;
  }
}

/* Reads one path step of `o`; false when absent. */
static inline bool read_step(const wql_step_t *st, const wes_object_t *o,
                             wes_value_t *tmp, const wes_value_t **ret) {
  if (st->h.cls != NULL && wes__class_is_a(o->cls, st->h.cls)) {
    *ret = wes__object_slot(o, st->h.index);
    return true;
  }
  if (st->system == 1) { /* __CLASS, the common one, without a lookup */
    tmp->type = WES_CIM_STRING;
    tmp->is_null = 0;
    tmp->u.str = o->cls->name;
    *ret = tmp;
    return true;
  }
  if (WES_FAILED(wes_object_get(o, st->name, tmp))) {
    return false;
  }
  *ret = tmp;
  return true;
}

bool wes__wql_read_path(const wql_cpath_t *p, const wes_object_t *obj,
                        wes_value_t *ret) {
  const wes_object_t *o = obj;
  uint32_t k;
  for (k = 0;; k++) {
    wes_value_t tmp;
    const wes_value_t *v;
    if (!read_step(&p->steps[k], o, &tmp, &v)) {
      return false;
    }
    if (k + 1 == p->n) {
      *ret = *v;
      return !v->is_null;
    }
    if (v->is_null || v->type != WES_CIM_OBJECT || v->u.object == NULL) {
      return false;
    }
    o = v->u.object;
  }
}

static inline bool is_text(wes_cimtype_t t) {
  return t == WES_CIM_STRING || t == WES_CIM_DATETIME || t == WES_CIM_REFERENCE;
}

/* Resolved path: one class test and one slot read per step. Returns the
 * slot, or NULL when some step is absent, NULL or of another class (the
 * caller then takes the general path). Sets *absent when the value is
 * definitely NULL/absent. */
static inline const wes_value_t *
read_fast(const wql_cpath_t *p, const wes_object_t *o, bool *absent) {
  uint32_t k;
  for (k = 0;; k++) {
    const wql_step_t *st = &p->steps[k];
    const wes_value_t *v;
    if (!st->trusted && !wes__class_is_a(o->cls, st->h.cls)) {
      return NULL;
    }
    v = wes__object_slot(o, st->h.index);
    if (k + 1 == p->n) {
      if (v->is_null) {
        *absent = true;
        return NULL;
      }
      return v;
    }
    if (v->is_null || v->u.object == NULL) {
      *absent = true;
      return NULL;
    }
    o = v->u.object;
  }
}

/* lower-case ASCII equality of a property value with a lower-cased
 * constant */
static inline bool ci_eq_lower(const char *a, const char *low) {
  for (;; a++, low++) {
    unsigned char x = (unsigned char)*a, y = (unsigned char)*low;
    if (x != y && (unsigned char)wes__ascii_lower((char)x) != y) {
      return false;
    }
    if (y == '\0') {
      return x == '\0';
    }
  }
}

static bool test_generic(const wql_insn_t *in, const wes_object_t *obj) {
  wes_value_t v;
  bool present = wes__wql_read_path(in->path, obj, &v);
  switch (in->kind) {
  case WQL_I_CMP:
    return present && wes__wql_cmp_value(&v, in->op, in->cv);
  case WQL_I_LIKE:
    return present && is_text(v.type) &&
           wes__wql_like_match(in->like, v.u.str, strlen(v.u.str));
  case WQL_I_ISA:
    if (!present || v.type != WES_CIM_OBJECT || v.u.object == NULL) {
      return false;
    }
    if (in->isa != NULL) {
      return wes__class_is_a(v.u.object->cls, in->isa);
    }
    return wes_class_derives_from(v.u.object->cls, in->isa_name) != 0;
  case WQL_I_ISNULL:
    return !present;
  case WQL_I_NOTNULL:
    return present;
  default:
    return false;
  }
}

static bool in_u64(const uint64_t *v, uint32_t n, uint64_t x) {
  uint32_t lo = 0, hi = n;
  if (n <= 8) {
    for (lo = 0; lo < n; lo++) {
      if (v[lo] == x) {
        return true;
      }
    }
    return false;
  }
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (v[mid] == x) {
      return true;
    }
    if (v[mid] < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

static bool in_s64(const uint64_t *v, uint32_t n, int64_t x) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    int64_t m;
    memcpy(&m, &v[mid], sizeof(m));
    if (m == x) {
      return true;
    }
    if (m < x) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

/* The set form of a folded OR chain: returns the next pc, or
 * WQL_PC_REJECT - 1 when the value does not fit the fast form. */
#define WQL_PC_FALLBACK (-3)
static inline int32_t test_in(const wql_insn_t *in, const wes_object_t *obj) {
  bool absent = false, hit = false;
  const wes_value_t *v = read_fast(in->path, obj, &absent);
  uint32_t k;
  if (v == NULL) {
    return absent ? in->in_jf : WQL_PC_FALLBACK;
  }
  if (v->type != in->fast_type) {
    return WQL_PC_FALLBACK;
  }
  if (in->in_kind == WQL_F_UINT) {
    hit = in_u64(in->in_vals, in->in_n, v->u.uint);
  } else if (in->in_kind == WQL_F_SINT) {
    hit = in_s64(in->in_vals, in->in_n, v->u.sint);
  } else {
    for (k = 0; k < in->in_n && !hit; k++) {
      hit = ci_eq_lower(v->u.str, in->in_strs[k]);
    }
  }
  return hit ? in->jt : in->in_jf;
}

static inline bool test(const wql_insn_t *in, const wes_object_t *obj) {
  if (in->path->resolved) {
    bool absent = false;
    const wes_value_t *v = read_fast(in->path, obj, &absent);
    if (v != NULL) {
      if (in->fast == WQL_F_STR_EQ && v->type == in->fast_type) {
        return ci_eq_lower(v->u.str, in->lower);
      }
      if (in->fast == WQL_F_UINT && v->type == in->fast_type) {
        return apply(in->op, cmp_u_const(v->u.uint, in->cv));
      }
      if (in->kind == WQL_I_ISA && in->isa != NULL) {
        return v->type == WES_CIM_OBJECT && v->u.object != NULL &&
               wes__class_is_a(v->u.object->cls, in->isa);
      }
      if (in->fast == WQL_F_SINT && v->type == in->fast_type) {
        return apply(in->op, cmp_s_const(v->u.sint, in->cv));
      }
      if (in->kind == WQL_I_LIKE) {
        return is_text(v->type) &&
               wes__wql_like_match(in->like, v->u.str, strlen(v->u.str));
      }
      if (in->fast == WQL_F_STR_NE && v->type == in->fast_type) {
        return !ci_eq_lower(v->u.str, in->lower);
      }
      if (in->kind == WQL_I_NOTNULL) {
        return true;
      }
      if (in->kind == WQL_I_ISNULL) {
        return false;
      }
    } else if (absent) {
      return in->kind == WQL_I_ISNULL;
    }
  }
  return test_generic(in, obj);
}

bool wes__wql_run(const wes_query_t *q, const wes_object_t *obj) {
  int32_t pc = 0;
  if (q->cls != NULL) {
    if (!wes__class_is_a(obj->cls, q->cls)) {
      return false;
    }
  } else if (!wes_class_derives_from(obj->cls, q->ast->cls)) {
    return false;
  }
  if (q->nprog == 0) {
    return true;
  }
  while (pc >= 0) {
    const wql_insn_t *in = &q->prog[pc];
    if (in->in_kind != 0) {
      int32_t next = test_in(in, obj);
      if (next != WQL_PC_FALLBACK) {
        pc = next;
        continue;
      }
    }
    pc = test(in, obj) ? in->jt : in->jf;
  }
  return pc == WQL_PC_ACCEPT;
}

int wes_query_match(const wes_query_t *q, const wes_object_t *obj) {
  if (q == NULL || obj == NULL) {
    return 0;
  }
  return wes__wql_run(q, obj) ? 1 : 0;
}

bool wes__wql_having(const wql_node_t *n, uint32_t count) {
  uint32_t i;
  switch (n->kind) {
  case WQL_AND:
    for (i = 0; i < n->nkids; i++) {
      if (!wes__wql_having(n->kids[i], count)) {
        return false;
      }
    }
    return true;
  case WQL_OR:
    for (i = 0; i < n->nkids; i++) {
      if (wes__wql_having(n->kids[i], count)) {
        return true;
      }
    }
    return false;
  case WQL_NOT:
    return !wes__wql_having(n->kids[0], count);
  case WQL_CMP:
    return apply(n->op, cmp_i64((int64_t)count, n->lit.i));
  default:
    return false;
  }
}
