/* SPDX-License-Identifier: MIT */
/* Public query API: compile, accessors, match, projection, value compare
 * and hash, and the filter abstraction. */
#include <math.h>
#include <string.h>

#include "cim/cim_internal.h"
#include "wql_internal.h"

static void query_free(wes_query_t *q) {
  if (q == NULL) {
    return;
  }
  wes_namespace_unref(q->ns);
  wes__wql_arena_free(&q->arena);
  wes__free(q);
}

/* The first pass of a compilation reserves this much so that it usually
 * runs in one chunk; the second pass reserves what the first one used. */
#define WQL_MEASURE_RESERVE 4096

/* One compilation of text (len bytes, validated) into a new query whose
 * arena starts with a chunk of `reserve` bytes. */
static wes_hresult_t compile_once(const wes_namespace_t *ns, const char *text,
                                  size_t len, uint32_t flags, size_t reserve,
                                  wes_query_t **ret_query,
                                  wes_error_t *reterr) {
  wes_query_t *q;
  wes_hresult_t hr;
  wes__buf_t b;
  const wes_namespace_t *cns;
  wql_arena_t where_arena = {NULL}; /* the WHERE tree, dropped below */
  q = wes__calloc(1, sizeof(*q));
  if (q == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  wes__ref_init(&q->ref);
  q->kind = (uint8_t)((flags & WES_QUERY_DATA) ? WES_QUERY_KIND_DATA
                                               : WES_QUERY_KIND_EVENT);
  if (!wes__wql_arena_reserve(&q->arena, reserve) ||
      (q->text = wes__wql_strndup(&q->arena, text, len)) == NULL) {
    hr = wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    goto fail;
  }
  hr = wes__wql_parse(q->text, len, &q->arena, &where_arena, &q->ast, reterr);
  if (WES_FAILED(hr)) {
    goto fail;
  }
  /* clause rules that need no schema */
  if (q->kind == WES_QUERY_KIND_DATA &&
      (q->ast->has_within || q->ast->has_group)) {
    hr = wes__error(reterr, WES_E_INVALID_QUERY,
                    q->ast->has_within ? q->ast->within_line
                                       : q->ast->group_line,
                    q->ast->has_within ? q->ast->within_col : q->ast->group_col,
                    "%s is only valid in event queries",
                    q->ast->has_within ? "WITHIN" : "GROUP WITHIN");
    goto fail;
  }
  if (q->ast->has_within && !(flags & WES_QUERY_ANY_WITHIN) &&
      q->ast->within < WQL_MIN_WITHIN) {
    hr = wes__error(
        reterr, WES_E_INVALID_QUERY, q->ast->within_line, q->ast->within_col,
        "WITHIN interval below the minimum of %g seconds", WQL_MIN_WITHIN);
    goto fail;
  }
  cns = (flags & WES_QUERY_SYNTAX_ONLY) ? NULL : ns;
  q->checked = cns != NULL ? 1 : 0;
  hr = wes__wql_compile(q, cns, reterr);
  if (WES_SUCCEEDED(hr)) {
    if (cns != NULL) {
      q->ns = wes_namespace_ref((wes_namespace_t *)cns);
    }
    hr = wes__wql_analyze(q, reterr);
  }
  if (WES_FAILED(hr)) {
    goto fail;
  }
  /* the canonical text shares the original when they are the same */
  wes__buf_init(&b);
  wes__wql_print(q->ast, &b);
  if (b.oom || b.data == NULL) {
    q->canon = NULL;
  } else if (b.len == len && memcmp(b.data, q->text, len) == 0) {
    q->canon = q->text;
  } else {
    q->canon = wes__wql_strndup(&q->arena, b.data, b.len);
  }
  wes__buf_free(&b);
  if (q->canon == NULL) {
    hr = wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    goto fail;
  }
  /* Matching runs the program, the DNF and keys are built and nothing
   * else reads the WHERE tree (all its strings live in q->arena). */
  wes__wql_arena_free(&where_arena);
  q->ast->where = NULL;
  *ret_query = q;
  return WES_S_OK;
fail:
  wes__wql_arena_free(&where_arena);
  query_free(q);
  return hr;
}

wes_hresult_t wes_query_compile(const wes_namespace_t *ns, const char *text,
                                uint32_t flags, wes_query_t **ret_query,
                                wes_error_t *reterr) {
  wes_query_t *q = NULL;
  size_t len, need;
  wes_hresult_t hr;
  if (text == NULL || ret_query == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "query text and ret_query are required");
  }
  if (ns == NULL && !(flags & WES_QUERY_SYNTAX_ONLY)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "a namespace is required unless "
                      "WES_QUERY_SYNTAX_ONLY is given");
  }
  len = strnlen(text, WQL_MAX_QUERY + 1);
  if (len == 0) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "empty query text");
  }
  if (len > WQL_MAX_QUERY) {
    return wes__error(reterr, WES_E_QUOTA_VIOLATION, 0, 0,
                      "query longer than %d bytes", WQL_MAX_QUERY);
  }
  /* Pass 1 validates and measures; compilation is deterministic, so
   * pass 2 fits in one chunk of exactly the bytes pass 1 used (if the
   * namespace changed in between, the arena simply grows). */
  hr = compile_once(ns, text, len, flags, WQL_MEASURE_RESERVE, &q, reterr);
  if (WES_FAILED(hr)) {
    return hr;
  }
  need = wes__wql_arena_used(&q->arena);
  query_free(q);
  q = NULL;
  hr = compile_once(ns, text, len, flags, need, &q, reterr);
  if (WES_FAILED(hr)) {
    return hr;
  }
  *ret_query = q;
  return WES_S_OK;
}

wes_hresult_t wes_query_check_language(const char *language) {
  if (language == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  return wes__strcasecmp(language, "WQL") == 0 ? WES_S_OK
                                               : WES_E_INVALID_QUERY_TYPE;
}

wes_query_t *wes_query_ref(wes_query_t *q) {
  if (q != NULL) {
    wes__ref_inc(&q->ref);
  }
  return q;
}

wes_query_t *wes_query_unref(wes_query_t *q) {
  if (q != NULL && wes__ref_dec(&q->ref)) {
    query_free(q);
  }
  return NULL;
}

const char *wes_query_text(const wes_query_t *q) {
  return q != NULL ? q->text : NULL;
}

const char *wes_query_canonical(const wes_query_t *q) {
  return q != NULL ? q->canon : NULL;
}

uint32_t wes_query_kind(const wes_query_t *q) {
  return q != NULL ? q->kind : 0;
}

int wes_query_is_checked(const wes_query_t *q) {
  return q != NULL && q->checked;
}

const char *wes_query_class_name(const wes_query_t *q) {
  return q != NULL ? q->ast->cls : NULL;
}

const wes_class_t *wes_query_class(const wes_query_t *q) {
  return q != NULL ? q->cls : NULL;
}

const wes_namespace_t *wes_query_namespace(const wes_query_t *q) {
  return q != NULL ? q->ns : NULL;
}

int wes_query_select_all(const wes_query_t *q) {
  return q != NULL && q->ast->select_all;
}

size_t wes_query_select_count(const wes_query_t *q) {
  return q != NULL ? q->ast->nselect : 0;
}

const char *wes_query_select_at(const wes_query_t *q, size_t i) {
  return (q != NULL && i < q->ast->nselect) ? q->ast->select[i]->text : NULL;
}

double wes_query_within(const wes_query_t *q) {
  return (q != NULL && q->ast->has_within) ? q->ast->within : 0.0;
}

double wes_query_group_within(const wes_query_t *q) {
  return (q != NULL && q->ast->has_group) ? q->ast->group_within : 0.0;
}

size_t wes_query_group_by_count(const wes_query_t *q) {
  return q != NULL ? q->ast->nby : 0;
}

const char *wes_query_group_by_at(const wes_query_t *q, size_t i) {
  return (q != NULL && i < q->ast->nby) ? q->ast->by[i]->text : NULL;
}

wes_hresult_t wes_query_group_by_value(const wes_query_t *q, size_t i,
                                       const wes_object_t *obj,
                                       wes_value_t *ret_value) {
  wes_value_t v;
  if (q == NULL || obj == NULL || ret_value == NULL || i >= q->ast->nby) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!wes__wql_read_path(q->by[i], obj, &v)) {
    return WES_S_FALSE;
  }
  *ret_value = v;
  return WES_S_OK;
}

int wes_query_has_having(const wes_query_t *q) {
  return q != NULL && q->ast->having != NULL;
}

int wes_query_having_match(const wes_query_t *q, uint32_t number_of_events) {
  if (q == NULL || q->ast->having == NULL) {
    return 1;
  }
  return wes__wql_having(q->ast->having, number_of_events) ? 1 : 0;
}

wes_hresult_t wes_query_pred_read(const wes_query_pred_t *pred,
                                  const wes_object_t *obj,
                                  wes_value_t *ret_value) {
  wes_value_t v;
  if (pred == NULL || obj == NULL || ret_value == NULL ||
      pred->reserved == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!wes__wql_read_path(pred->reserved, obj, &v)) {
    return WES_S_FALSE;
  }
  *ret_value = v;
  return WES_S_OK;
}

wes_hresult_t wes_query_dnf_count(const wes_query_t *q, size_t *ret_count) {
  if (q == NULL || ret_count == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!q->dnf_ok) {
    return WES_E_NOT_SUPPORTED;
  }
  *ret_count = q->dnf.nconj;
  return WES_S_OK;
}

size_t wes_query_dnf_size(const wes_query_t *q, size_t i) {
  if (q == NULL || !q->dnf_ok || i >= q->dnf.nconj) {
    return 0;
  }
  return q->dnf.conj_len[i];
}

const wes_query_pred_t *wes_query_dnf_pred(const wes_query_t *q, size_t i,
                                           size_t j) {
  if (q == NULL || !q->dnf_ok || i >= q->dnf.nconj || j >= q->dnf.conj_len[i]) {
    return NULL;
  }
  return &q->dnf.conj[i][j];
}

size_t wes_query_key_count(const wes_query_t *q) {
  return q != NULL ? q->nkeys : 0;
}

const wes_query_pred_t *wes_query_key_at(const wes_query_t *q, size_t i) {
  return (q != NULL && i < q->nkeys) ? &q->keys[i] : NULL;
}

size_t wes_query_target_count(const wes_query_t *q) {
  return (q != NULL && q->targets != NULL) ? q->targets->n : 0;
}

const char *wes_query_target_name(const wes_query_t *q, size_t i) {
  return (q != NULL && q->targets != NULL && i < q->targets->n)
             ? q->targets->t[i].name
             : NULL;
}

const wes_class_t *wes_query_target_class(const wes_query_t *q, size_t i) {
  return (q != NULL && q->targets != NULL && i < q->targets->n)
             ? q->targets->t[i].cls
             : NULL;
}

const char *wes_query_target_property(const wes_query_t *q) {
  return (q != NULL && q->targets != NULL) ? q->targets->prop : NULL;
}

/* ---- value compare / hash ---- */

#define VK_NONE 0
#define VK_NUM 1
#define VK_BOOL 2
#define VK_STR 3
#define VK_DT 4

static int vkind(const wes_value_t *v) {
  if (v->is_null || WES_CIM_IS_ARRAY(v->type)) {
    return VK_NONE;
  }
  switch (v->type) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
  case WES_CIM_REAL32:
  case WES_CIM_REAL64:
  case WES_CIM_CHAR16:
    return VK_NUM;
  case WES_CIM_BOOLEAN:
    return VK_BOOL;
  case WES_CIM_STRING:
  case WES_CIM_REFERENCE:
    return v->u.str != NULL ? VK_STR : VK_NONE;
  case WES_CIM_DATETIME:
    return v->u.str != NULL ? VK_DT : VK_NONE;
  default:
    return VK_NONE;
  }
}

/* numeric value as (is_real, signed?, i, u, r) */
typedef struct num_s {
  int kind; /* 0 signed, 1 unsigned, 2 real */
  int64_t i;
  uint64_t u;
  double r;
} num_t;

static num_t to_num(const wes_value_t *v) {
  num_t n;
  memset(&n, 0, sizeof(n));
  switch (v->type) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
    n.kind = 0;
    n.i = v->u.sint;
    n.r = (double)v->u.sint;
    break;
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    n.kind = 1;
    n.u = v->u.uint;
    n.r = (double)v->u.uint;
    break;
  case WES_CIM_CHAR16:
    n.kind = 1;
    n.u = v->u.char16;
    n.r = v->u.char16;
    break;
  default:
    n.kind = 2;
    n.r = v->u.real;
    break;
  }
  return n;
}

static int num_cmp(num_t a, num_t b) {
  if (a.kind == 2 || b.kind == 2) {
    return a.r < b.r ? -1 : a.r > b.r ? 1 : 0;
  }
  if (a.kind == 0 && b.kind == 0) {
    return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  }
  if (a.kind == 1 && b.kind == 1) {
    return a.u < b.u ? -1 : a.u > b.u ? 1 : 0;
  }
  if (a.kind == 0) { /* signed vs unsigned */
    if (a.i < 0) {
      return -1;
    }
    return (uint64_t)a.i < b.u ? -1 : (uint64_t)a.i > b.u ? 1 : 0;
  }
  if (b.i < 0) {
    return 1;
  }
  return a.u < (uint64_t)b.i ? -1 : a.u > (uint64_t)b.i ? 1 : 0;
}

wes_hresult_t wes_query_value_compare(const wes_value_t *a,
                                      const wes_value_t *b, int *ret_cmp) {
  int ka, kb;
  if (a == NULL || b == NULL || ret_cmp == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  ka = vkind(a);
  kb = vkind(b);
  if (ka == VK_NONE || kb == VK_NONE) {
    return WES_E_TYPE_MISMATCH;
  }
  if ((ka == VK_DT || kb == VK_DT) && (ka == VK_STR || ka == VK_DT) &&
      (kb == VK_STR || kb == VK_DT)) {
    wes_datetime_t da, db;
    if (WES_SUCCEEDED(wes_datetime_parse(a->u.str, &da, NULL)) &&
        WES_SUCCEEDED(wes_datetime_parse(b->u.str, &db, NULL)) &&
        WES_SUCCEEDED(wes_datetime_compare(&da, &db, ret_cmp))) {
      return WES_S_OK;
    }
    ka = kb = VK_STR;
  }
  if (ka != kb) {
    return WES_E_TYPE_MISMATCH;
  }
  switch (ka) {
  case VK_NUM:
    *ret_cmp = num_cmp(to_num(a), to_num(b));
    return WES_S_OK;
  case VK_BOOL:
    *ret_cmp = (a->u.boolean != 0) - (b->u.boolean != 0);
    return WES_S_OK;
  default:
    *ret_cmp =
        wes__wql_ci_cmp(a->u.str, strlen(a->u.str), b->u.str, strlen(b->u.str));
    return WES_S_OK;
  }
}

static uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t wes_query_value_hash(const wes_value_t *v) {
  if (v == NULL) {
    return 0;
  }
  switch (v->type) { /* integers first: the common index keys */
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
    return mix64((uint64_t)v->u.sint + 1);
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    return mix64(v->u.uint + 1);
  default:
    break;
  }
  switch (vkind(v)) {
  case VK_NUM: {
    num_t n = to_num(v);
    if (n.kind == 2) {
      double r = n.r;
      if (r == 0) {
        return mix64(1);
      }
      if (r >= -9.2e18 && r <= 9.2e18 && r == (double)(int64_t)r) {
        return mix64((uint64_t)(int64_t)r + 1);
      }
      if (r >= 0 && r < 1.8e19 && r == (double)(uint64_t)r) {
        return mix64((uint64_t)r + 1);
      }
      {
        uint64_t bits;
        memcpy(&bits, &r, sizeof(bits));
        return mix64(bits ^ 0x5555555555555555ULL);
      }
    }
    if (n.kind == 0) {
      return mix64((uint64_t)n.i + 1);
    }
    return mix64(n.u + 1);
  }
  case VK_BOOL:
    return mix64(v->u.boolean ? 0x7777u : 0x3333u);
  case VK_DT: {
    wes_datetime_t dt;
    int64_t us;
    if (WES_SUCCEEDED(wes_datetime_parse(v->u.str, &dt, NULL)) &&
        !(dt.flags & WES_DT_INTERVAL) &&
        WES_SUCCEEDED(wes_datetime_to_unix_us(&dt, &us))) {
      return mix64((uint64_t)us ^ 0xD7D7D7D7ULL);
    }
    return wes__hash_ci(v->u.str);
  }
  case VK_STR:
    return wes__hash_ci(v->u.str);
  default:
    return 0;
  }
}

/* ---- projection ---- */

wes_hresult_t wes_query_project(const wes_query_t *q, wes_object_t *obj,
                                wes_object_t **ret_obj) {
  const wes_class_t *cls;
  wes_object_t *out = NULL;
  wes_hresult_t hr;
  uint32_t i, k;
  if (q == NULL || obj == NULL || ret_obj == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  cls = obj->cls;
  if (q->cls != NULL && !wes__class_is_a(cls, q->cls)) {
    return WES_E_INVALID_PARAMETER;
  }
  if (q->ast->select_all) {
    *ret_obj = wes_object_ref(obj);
    return WES_S_OK;
  }
  hr = wes_object_new(cls, &out);
  if (WES_FAILED(hr)) {
    return hr;
  }
  for (i = 0; i < cls->nprops; i++) {
    const wes__property_t *p = wes__class_prop(cls, i);
    wes_prop_handle_t h;
    wes_value_t nullv;
    bool keep = false;
    for (k = 0; k < q->ast->nselect && !keep; k++) {
      keep = wes__strcasecmp(q->ast->select[k]->names[0], p->name) == 0;
    }
    h.cls = cls;
    h.index = i;
    h.type = p->type;
    if (keep) {
      hr = wes_object_set_by_handle(out, &h, wes__object_slot(obj, i));
    } else {
      memset(&nullv, 0, sizeof(nullv));
      nullv.type = p->type;
      nullv.is_null = 1;
      hr = wes_object_set_by_handle(out, &h, &nullv);
    }
    if (WES_FAILED(hr)) {
      wes_object_unref(out);
      return hr == WES_E_OUT_OF_MEMORY ? hr : WES_E_FAILED;
    }
  }
  wes_object_freeze(out);
  *ret_obj = out;
  return WES_S_OK;
}

/* ---- filters ---- */

struct wes_filter_s {
  wes__refcount_t ref;
  const wes_filter_ops_t *ops;
  void *data;
  wes_query_t *q;
};

static int query_filter_match(void *data, const wes_object_t *obj) {
  return wes_query_match(data, obj);
}

static wes_hresult_t query_filter_describe(void *data, char **ret_text) {
  const wes_query_t *q = data;
  char *s = wes__strdup(q->canon);
  if (s == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  *ret_text = s;
  return WES_S_OK;
}

static void query_filter_release(void *data) { wes_query_unref(data); }

static const wes_filter_ops_t query_filter_ops = {
    WES_FILTER_OPS_VERSION_1,
    query_filter_match,
    query_filter_describe,
    query_filter_release,
};

wes_hresult_t wes_filter_new(const wes_filter_ops_t *ops, void *data,
                             wes_filter_t **ret_filter) {
  wes_filter_t *f;
  if (ops == NULL || ret_filter == NULL || ops->version == 0 ||
      ops->match == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  f = wes__calloc(1, sizeof(*f));
  if (f == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  wes__ref_init(&f->ref);
  f->ops = ops;
  f->data = data;
  *ret_filter = f;
  return WES_S_OK;
}

wes_hresult_t wes_filter_from_query(wes_query_t *q, wes_filter_t **ret_filter) {
  wes_filter_t *f = NULL;
  wes_hresult_t hr;
  if (q == NULL || ret_filter == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = wes_filter_new(&query_filter_ops, q, &f);
  if (WES_FAILED(hr)) {
    return hr;
  }
  wes_query_ref(q);
  f->q = q;
  *ret_filter = f;
  return WES_S_OK;
}

wes_filter_t *wes_filter_ref(wes_filter_t *f) {
  if (f != NULL) {
    wes__ref_inc(&f->ref);
  }
  return f;
}

wes_filter_t *wes_filter_unref(wes_filter_t *f) {
  if (f != NULL && wes__ref_dec(&f->ref)) {
    if (WES__OPS_HAS(f->ops, release, WES_FILTER_OPS_VERSION_1)) {
      f->ops->release(f->data);
    }
    wes__free(f);
  }
  return NULL;
}

int wes_filter_match(const wes_filter_t *f, const wes_object_t *obj) {
  if (f == NULL || obj == NULL) {
    return 0;
  }
  return f->ops->match(f->data, obj) != 0;
}

wes_hresult_t wes_filter_describe(const wes_filter_t *f, char **ret_text) {
  if (f == NULL || ret_text == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!WES__OPS_HAS(f->ops, describe, WES_FILTER_OPS_VERSION_1)) {
    return WES_E_NOT_SUPPORTED;
  }
  return f->ops->describe(f->data, ret_text);
}

wes_query_t *wes_filter_query(const wes_filter_t *f) {
  return f != NULL ? f->q : NULL;
}
