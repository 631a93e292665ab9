/* SPDX-License-Identifier: MIT */
/*
 * Subscriptions: the consumer calls (ExecNotificationQuery[Async],
 * CancelAsyncCall, the semisynchronous enumerator), provider coverage
 * (provide_events / access_check / new_query / cancel_query), quotas, the
 * immutable snapshot with its index, and per-subscription statistics.
 */
#include <stdio.h>
#include <string.h>

#include "broker_internal.h"

/* ---- quota users ---- */

typedef struct quser_s {
  char *key;
  UT_hash_handle hh;
  uint32_t count;
} quser_t;

static quser_t *quota_find(wes_broker_t *b, const char *key) {
  quser_t *u = NULL;
  HASH_FIND_STR(b->quota_users, key, u);
  return u;
}

static void quota_release(wes_broker_t *b, const char *key) {
  quser_t *u = key != NULL ? quota_find(b, key) : NULL;
  if (u != NULL && --u->count == 0) {
    HASH_DEL(b->quota_users, u);
    wes__free(u->key);
    wes__free(u);
  }
}

/* Counts one subscription of the user `key`; *ret_key is the quota
 * entry's copy of the key, valid until the matching quota_release. */
static wes_hresult_t quota_take(wes_broker_t *b, const char *key,
                                const char **ret_key, wes_error_t *err) {
  quser_t *u = quota_find(b, key);
  if (b->nsubs >= b->opts.temp_subscriptions_total) {
    return wes__error(err, WES_E_QUOTA_VIOLATION, 0, 0,
                      "quota TemporarySubscriptionsTotal (%u) reached",
                      (unsigned)b->opts.temp_subscriptions_total);
  }
  if (u != NULL && u->count >= b->opts.temp_subscriptions_per_user) {
    return wes__error(err, WES_E_QUOTA_VIOLATION, 0, 0,
                      "quota TemporarySubscriptionsPerUser (%u) reached "
                      "for %s",
                      (unsigned)b->opts.temp_subscriptions_per_user, key);
  }
  if (u == NULL) {
    u = wes__calloc(1, sizeof(*u));
    if (u == NULL || (u->key = wes__strdup(key)) == NULL) {
      wes__free(u);
      return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    }
    wes__uthash_oom = 0;
    HASH_ADD_KEYPTR(hh, b->quota_users, u->key, strlen(u->key), u);
    if (wes__uthash_oom) {
      wes__free(u->key);
      wes__free(u);
      return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    }
  }
  u->count++;
  *ret_key = u->key;
  return WES_S_OK;
}

void wes__quota_free_all(wes_broker_t *b) {
  quser_t *u, *tmp;
  HASH_ITER(hh, b->quota_users, u, tmp) {
    HASH_DEL(b->quota_users, u);
    wes__free(u->key);
    wes__free(u);
  }
}

/* ---- subscription lifetime ---- */

bsub_t *wes__sub_ref(bsub_t *s) {
  wes__ref_inc(&s->ref);
  return s;
}

static void sub_free(bsub_t *s) {
  uint32_t i;
  for (i = 0; i < s->count; i++) {
    wes_object_unref(s->ring[(s->head + i) % s->cap].obj);
  }
  wes__free(s->ring);
  wes__stage_clear(s);
  wes__free(s->stage);
  wes__free(s->hold); /* not pending: a pending timer holds a reference */
  {
    subrep_t *r = atomic_load(&s->rep);
    if (r != NULL) {
      wes_object_unref(r->last_dropped);
      wes_object_unref(r->last_lost);
      wes_object_unref(r->fail_event);
      wes__free(r);
    }
  }
  wes_sink_unref(s->sink);
  wes_query_unref(s->q);
  wes_token_unref(s->token);
  wes__free(s->covers);
  uv_mutex_destroy(&s->qlock);
  if (s->qcond != NULL) {
    uv_cond_destroy(s->qcond);
    wes__free(s->qcond);
  }
  uv_mutex_destroy(&s->cblock);
  wes__broker_unref(s->b);
  wes__free(s);
}

void wes__sub_unref(bsub_t *s) {
  if (s != NULL && wes__ref_dec(&s->ref)) {
    sub_free(s);
  }
}

static int class_is_intrinsic(const wes_class_t *c) {
  return wes_class_derives_from(c, "__InstanceOperationEvent") ||
         wes_class_derives_from(c, "__ClassOperationEvent") ||
         wes_class_derives_from(c, "__NamespaceOperationEvent");
}

static void tell_cancel(wes_broker_t *b, bsub_t *s) {
  size_t i;
  (void)b;
  for (i = 0; i < s->ncovers; i++) {
    cover_t *c = &s->covers[i];
    if (c->denied || c->src == NULL) {
      continue;
    }
    if (c->restricted) {
      psink_t *r = c->src;
      if (WES__OPS_HAS(r->cb_ops, cancel_query, WES_PROVIDER_OPS_VERSION_1) &&
          !atomic_load(&r->dead)) {
        r->cb_ops->cancel_query(r->cb_data, s->id);
      }
    } else {
      wes_provider_t *p = c->src;
      if (WES__OPS_HAS(p->ops, cancel_query, WES_PROVIDER_OPS_VERSION_1)) {
        p->ops->cancel_query(p->data, s->id);
      }
    }
  }
}

void wes__sub_end(bsub_t *s, wes_hresult_t hr) {
  wes_broker_t *b = s->b;
  wes_object_t *lost = NULL;
  subrep_t *rep;
  uint32_t i;
  if (atomic_exchange(&s->state, SUB_ENDED) != SUB_ALIVE) {
    return;
  }
  s->end_hr = hr;
  /* unlink */
  if (s->prev != NULL) {
    s->prev->next = s->next;
  } else {
    b->subs = s->next;
  }
  if (s->next != NULL) {
    s->next->prev = s->prev;
  }
  /* s->next stays: a walk over b->subs that is at s (a provider op ended
   * it from inside that walk) goes on from there. Every subscription
   * ended under the lock stays referenced (finals) until its outermost
   * holder lets go, so the link is valid for as long as such a walk. */
  s->prev = NULL;
  b->nsubs--;
  quota_release(b, s->user);
  s->user = NULL;
  tell_cancel(b, s);
  /* close the queue: nothing more is accepted, queued events go */
  uv_mutex_lock(&s->qlock);
  s->closed = 1;
  rep = atomic_load(&s->rep);
  if (!s->admin && !atomic_load(&b->closing)) {
    /* what goes undelivered surfaces as one __EventDroppedEvent */
    if (s->count > 0) {
      lost = wes_object_ref(s->ring[(s->head + s->count - 1) % s->cap].obj);
    } else if (rep != NULL && rep->last_lost != NULL) {
      lost = wes_object_ref(rep->last_lost);
    }
    if (lost != NULL) {
      s->end_reported = 1;
      if (rep != NULL) {
        rep->lost_unreported = 0;
      }
    }
  }
  for (i = 0; i < s->count; i++) {
    wes_object_unref(s->ring[(s->head + i) % s->cap].obj);
  }
  atomic_fetch_add(&s->st_dropped_cancel, s->count);
  atomic_fetch_add(&b->st_dropped, s->count);
  s->count = 0;
  s->head = 0;
  if (s->qcond != NULL) {
    uv_cond_broadcast(s->qcond);
  }
  /* The loop releases what is staged and stops the batch timer. */
  wes__broker_mark_ready(b, s);
  uv_mutex_unlock(&s->qlock);
  if (lost != NULL) {
    wes__report_end_drops(s, lost);
  }
  wes__snap_invalidate(b);
  wes__broker_defer_final(b, s);
  wes__sub_unref(s); /* the list's reference */
}

/* Sends the final status (with s->cblock held). `wait`: the caller is
 * outside every callback and may wait for a deferred subscription's
 * worker to leave the consumer's callback (wes__defer_finish). */
static void final_locked(bsub_t *s, bool wait) {
  wes_sink_t *sink;
  if (atomic_exchange(&s->final_sent, 1)) {
    return;
  }
  if (atomic_load(&s->deferred)) {
    /* its worker's sink stays until the subscription is freed */
    wes__defer_finish(s, wait);
    return;
  }
  sink = s->sink;
  s->sink = NULL;
  if (sink != NULL) {
    wes__send_final(s, sink);
  }
}

void wes__send_final(bsub_t *s, wes_sink_t *sink) {
  bsub_t *prev = wes__tls_cb_sub;
  int prev_in = wes__tls_in_cb;
  wes__tls_cb_sub = s;
  wes__tls_in_cb = 1;
  wes_sink_set_status(sink, WES_STATUS_COMPLETE, s->end_hr, NULL, NULL);
  /* the sink's destroy (if this was the last reference) is a callback
   * too */
  wes_sink_unref(sink);
  wes__tls_cb_sub = prev;
  wes__tls_in_cb = prev_in;
}

void wes__sub_finalize(bsub_t *s) {
  if (wes__tls_cb_sub == s) {
    /* inside its own callback: the delivery code finishes after it */
    atomic_store(&s->cancel_in_cb, 1);
    return;
  }
  if (!wes__in_any_callback()) {
    /* waits for a callback of s in progress: when this returns, the
     * final status was sent and the sink released */
    uv_mutex_lock(&s->cblock);
    final_locked(s, true);
    uv_mutex_unlock(&s->cblock);
    return;
  }
  /* Inside a broker callback: never wait for another thread's callback
   * (two such waits could wait for each other). Record the end first,
   * then only try the callback lock. Held, it belongs to the loop inside
   * deliver() for s (the only other thread that takes it: there is one
   * finalisation per subscription), which sends the final status after
   * its callback: under the lock (wes__sub_final_after_cb) or, if it had
   * looked before the flag was set, once it released the lock and sees s
   * ended (wes__sub_final_owed). The end and the flag are stored before
   * the try, the loop loads them after its release (sequentially
   * consistent accesses and fences), so one of the two sees the other. */
  atomic_store(&s->cancel_in_cb, 1);
  atomic_thread_fence(memory_order_seq_cst);
  if (uv_mutex_trylock(&s->cblock) == 0) {
    /* no callback of s in progress (a deferred one's worker may be in
     * the consumer's callback: then the worker finishes) */
    final_locked(s, false);
    uv_mutex_unlock(&s->cblock);
  }
}

void wes__sub_final_after_cb(bsub_t *s) {
  /* called by the delivery code with s->cblock held */
  if (atomic_load(&s->cancel_in_cb)) {
    final_locked(s, false);
  }
}

void wes__sub_final_owed(bsub_t *s) {
  atomic_thread_fence(memory_order_seq_cst);
  if (!atomic_load(&s->cancel_in_cb) || atomic_load(&s->final_sent)) {
    return;
  }
  /* Held: by the finalising callback thread, which sends it. */
  if (uv_mutex_trylock(&s->cblock) == 0) {
    final_locked(s, false);
    uv_mutex_unlock(&s->cblock);
  }
}

/* ---- snapshot ---- */

/* Frees a bucket's index and drops the snapshot's references on the
 * subscriptions in it. */
static void tb_free(tbucket_t *tb) {
  size_t i, k;
  for (i = 0; i < tb->ngroups; i++) {
    eqgroup_t *g = &tb->groups[i];
    uint32_t j;
    for (j = 0; j < g->nvals_cap; j++) {
      eqval_t *v = &g->vals[j];
      uint32_t n = wes__eqval_count(v);
      bsub_t *const *subs = wes__eqval_subs(v);
      for (k = 0; k < n; k++) {
        wes__sub_unref(subs[k]);
      }
      if (v->u.p & 1u) {
        wes__free((void *)(v->u.p - 1u));
      }
    }
    wes__free(g->vals);
    wes__free(g->path);
  }
  for (k = 0; k < tb->nrest; k++) {
    wes__sub_unref(tb->rest[k]);
  }
  wes__free(tb->groups);
  wes__free(tb->rest);
}

static void snap_free(snap_t *sn) {
  cbucket_t *cb, *ctmp;
  HASH_ITER(hh, sn->classes, cb, ctmp) {
    tbucket_t *tb, *ttmp;
    HASH_DEL(sn->classes, cb);
    HASH_ITER(hh, cb->targets, tb, ttmp) {
      HASH_DEL(cb->targets, tb);
      tb_free(tb);
      wes__free(tb);
    }
    tb_free(&cb->any);
    wes__free(cb);
  }
  wes__free(sn);
}

void wes__snap_put(snap_t *sn) {
  if (sn != NULL && wes__ref_dec(&sn->ref)) {
    snap_free(sn);
  }
}

/* Appends to a value's subscription list (taking a reference on `s`):
 * the first one inline (most equality values are used by one
 * subscription), then an eqmany_t that doubles. */
static int push_val(eqval_t *v, bsub_t *s) {
  eqmany_t *m;
  if (v->u.p == 0) {
    v->u.one = wes__sub_ref(s);
    return 0;
  }
  m = (v->u.p & 1u) ? (eqmany_t *)(v->u.p - 1u) : NULL;
  if (m == NULL || m->n == m->cap) {
    uint32_t nc = m != NULL ? m->cap * 2 : 4;
    eqmany_t *nm;
    if (m != NULL && nc < m->cap) {
      return -1;
    }
    nm = wes__realloc(m, sizeof(*nm) + (size_t)nc * sizeof(nm->subs[0]));
    if (nm == NULL) {
      return -1;
    }
    if (m == NULL) {
      nm->n = 1;
      nm->subs[0] = v->u.one;
    }
    nm->cap = nc;
    m = nm;
    v->u.p = (uintptr_t)m + 1u;
  }
  m->subs[m->n++] = wes__sub_ref(s);
  return 0;
}

/* The slot for hash h in g (existing or a new empty one with the hash
 * set), growing the table to keep it at most 3/4 full; NULL when out of
 * memory. Snapshot construction only (single thread). */
static eqval_t *eqval_slot_for(eqgroup_t *g, uint64_t h) {
  uint32_t i;
  if ((uint64_t)(g->nvals + 1) * 4 > (uint64_t)g->nvals_cap * 3) {
    uint32_t nc = g->nvals_cap ? g->nvals_cap * 2 : 8;
    eqval_t *nt;
    uint32_t k;
    if (nc < g->nvals_cap) {
      return NULL;
    }
    nt = wes__calloc(nc, sizeof(*nt));
    if (nt == NULL) {
      return NULL;
    }
    for (k = 0; k < g->nvals_cap; k++) {
      eqval_t *o = &g->vals[k];
      if (o->u.p != 0) {
        for (i = wes__eqval_slot(o->hash, nc); nt[i].u.p != 0;
             i = (i + 1) & (nc - 1)) {
        }
        nt[i] = *o;
      }
    }
    wes__free(g->vals);
    g->vals = nt;
    g->nvals_cap = nc;
  }
  for (i = wes__eqval_slot(h, g->nvals_cap);;
       i = (i + 1) & (g->nvals_cap - 1)) {
    eqval_t *v = &g->vals[i];
    if (v->u.p == 0) {
      v->hash = h;
      g->nvals++;
      return v;
    }
    if (v->hash == h) {
      return v;
    }
  }
}

static int push_sub(bsub_t ***arr, size_t *n, size_t *cap, bsub_t *s) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 4;
    bsub_t **na = wes__realloc(*arr, nc * sizeof(*na));
    if (na == NULL) {
      return -1;
    }
    *arr = na;
    *cap = nc;
  }
  (*arr)[(*n)++] = wes__sub_ref(s);
  return 0;
}

static char *lower_dup(const char *s) {
  char *d = wes__strdup(s);
  char *p;
  if (d != NULL) {
    for (p = d; *p; p++) {
      *p = wes__ascii_lower(*p);
    }
  }
  return d;
}

static int index_add(snap_t *sn, bsub_t *s) {
  const wes_class_t *cls = wes_query_class(s->q);
  cbucket_t *cb = NULL;
  tbucket_t *tb;
  const wes_query_pred_t *key = NULL;
  size_t i, nkeys;
  HASH_FIND_PTR(sn->classes, &cls, cb);
  if (cb == NULL) {
    cb = wes__calloc(1, sizeof(*cb));
    if (cb == NULL) {
      return -1;
    }
    cb->cls = cls;
    cb->have_ti = WES_SUCCEEDED(
        wes_class_get_handle(cls, "TargetInstance", &cb->ti));
    wes__uthash_oom = 0;
    HASH_ADD_PTR(sn->classes, cls, cb);
    if (wes__uthash_oom) {
      wes__free(cb);
      return -1;
    }
  }
  tb = &cb->any;
  if (wes_query_target_count(s->q) == 1 &&
      wes_query_target_property(s->q) != NULL &&
      wes__strcasecmp(wes_query_target_property(s->q), "TargetInstance") == 0 &&
      wes_query_target_class(s->q, 0) != NULL) {
    const wes_class_t *t = wes_query_target_class(s->q, 0);
    tbucket_t *tt = NULL;
    HASH_FIND_PTR(cb->targets, &t, tt);
    if (tt == NULL) {
      tt = wes__calloc(1, sizeof(*tt));
      if (tt == NULL) {
        return -1;
      }
      tt->target = t;
      wes__uthash_oom = 0;
      HASH_ADD_PTR(cb->targets, target, tt);
      if (wes__uthash_oom) {
        wes__free(tt);
        return -1;
      }
    }
    tb = tt;
  }
  nkeys = wes_query_key_count(s->q);
  for (i = 0; i < nkeys; i++) {
    const wes_query_pred_t *k = wes_query_key_at(s->q, i);
    if (k != NULL && k->op == WES_QUERY_OP_EQ && !k->value.is_null &&
        !WES_CIM_IS_ARRAY(k->value.type)) {
      key = k;
      break;
    }
  }
  s->index_exact = 0;
  if (key != NULL) {
    eqgroup_t *g = NULL;
    eqval_t *v = NULL;
    uint64_t h = wes_query_value_hash(&key->value);
    size_t nconj = 0;
    if (wes_query_dnf_count(s->q, &nconj) == WES_S_OK && nconj == 1 &&
        wes_query_dnf_size(s->q, 0) == 1) {
      const wes_query_pred_t *only = wes_query_dnf_pred(s->q, 0, 0);
      if (only != NULL && only->op == WES_QUERY_OP_EQ &&
          wes__strcasecmp(only->path, key->path) == 0 &&
          only->value.type == key->value.type &&
          !key->value.is_null) {
        switch (key->value.type) {
        case WES_CIM_SINT8:
        case WES_CIM_SINT16:
        case WES_CIM_SINT32:
        case WES_CIM_SINT64:
          s->index_exact = only->value.u.sint == key->value.u.sint
                               ? INDEX_EXACT_SINT
                               : 0;
          break;
        case WES_CIM_UINT8:
        case WES_CIM_UINT16:
        case WES_CIM_UINT32:
        case WES_CIM_UINT64:
          s->index_exact = only->value.u.uint == key->value.u.uint
                               ? INDEX_EXACT_UINT
                               : 0;
          break;
        default:
          break;
        }
      }
    }
    for (i = 0; i < tb->ngroups; i++) {
      if (wes__strcasecmp(tb->groups[i].path, key->path) == 0) {
        g = &tb->groups[i];
        break;
      }
    }
    if (g == NULL) {
      eqgroup_t *ng = wes__realloc(tb->groups, (tb->ngroups + 1) * sizeof(*ng));
      if (ng == NULL) {
        return -1;
      }
      tb->groups = ng;
      g = &tb->groups[tb->ngroups];
      memset(g, 0, sizeof(*g));
      g->pred = key;
      g->path = lower_dup(key->path);
      if (g->path == NULL) {
        return -1;
      }
      tb->ngroups++;
    }
    v = eqval_slot_for(g, h);
    if (v == NULL) {
      return -1;
    }
    return push_val(v, s);
  }
  return push_sub(&tb->rest, &tb->nrest, &tb->caprest, s);
}

static atomic_uint_fast64_t snap_gens;

/* Builds a snapshot of b->subs (under b->lock). */
static snap_t *snap_build(wes_broker_t *b) {
  snap_t *sn = wes__calloc(1, sizeof(*sn));
  bsub_t *s;
  if (sn == NULL) {
    return NULL;
  }
  wes__ref_init(&sn->ref);
  sn->gen = atomic_fetch_add(&snap_gens, 1) + 1;
  for (s = b->subs; s != NULL; s = s->next) {
    /* index_add references `s` once it is in the index */
    if (index_add(sn, s) != 0) {
      snap_free(sn);
      return NULL;
    }
  }
  return sn;
}

void wes__snap_invalidate(wes_broker_t *b) { atomic_store(&b->snap_dirty, 1); }

snap_t *wes__snap_get(wes_broker_t *b) {
  snap_t *sn;
  if (atomic_load(&b->snap_dirty) && !atomic_load(&b->closing)) {
    wes__broker_lock(b);
    if (atomic_load(&b->snap_dirty) && !atomic_load(&b->closing)) {
      snap_t *nsn = snap_build(b);
      if (nsn != NULL) {
        snap_t *old;
        atomic_store(&b->snap_dirty, 0);
        uv_mutex_lock(&b->snap_lock);
        old = b->snap;
        b->snap = nsn;
        uv_mutex_unlock(&b->snap_lock);
        wes__snap_put(old);
        atomic_fetch_add(&b->st_snapshots, 1);
      }
    }
    wes__broker_unlock(b);
  }
  uv_mutex_lock(&b->snap_lock);
  sn = b->snap;
  if (sn != NULL) {
    wes__ref_inc(&sn->ref);
  }
  uv_mutex_unlock(&b->snap_lock);
  return sn;
}

void wes__snap_clear(wes_broker_t *b) {
  snap_t *old;
  uv_mutex_lock(&b->snap_lock);
  old = b->snap;
  b->snap = NULL;
  uv_mutex_unlock(&b->snap_lock);
  wes__snap_put(old);
  wes__quota_free_all(b);
}

/* ---- coverage ---- */

static int add_cover(bsub_t *s, void *src, int restricted, int sds,
                     int denied) {
  cover_t *nc;
  uint32_t i;
  uv_mutex_lock(&s->qlock);
  /* a slot whose source went away is reused, so a subscription that
   * outlives many restricted sinks does not grow */
  for (i = 0; i < s->ncovers && s->covers[i].src != NULL; i++) {
  }
  if (i == s->ncovers) {
    if (s->ncovers == UINT16_MAX) {
      uv_mutex_unlock(&s->qlock);
      return -1;
    }
    nc = wes__realloc(s->covers, (s->ncovers + 1) * sizeof(*nc));
    if (nc == NULL) {
      uv_mutex_unlock(&s->qlock);
      return -1;
    }
    s->covers = nc;
    s->ncovers++;
  }
  s->covers[i].src = src;
  s->covers[i].restricted = (uint8_t)restricted;
  s->covers[i].subject_to_sds = (uint8_t)sds;
  s->covers[i].denied = (uint8_t)denied;
  if (denied) {
    atomic_fetch_or(&s->pflags, SUBF_ANY_DENIED);
  }
  uv_mutex_unlock(&s->qlock);
  return 0;
}

/* Whether p's registration covers s, failed or not. */
static int registration_covers(wes_provider_t *p, bsub_t *s) {
  size_t i;
  if (p->ns != s->ns) {
    return 0;
  }
  for (i = 0; i < p->nregs; i++) {
    if (wes_query_covers(p->regs[i].q, s->q, s->ns->ns)) {
      return 1;
    }
  }
  return 0;
}

static int provider_covers(wes_provider_t *p, bsub_t *s) {
  return !p->failed && registration_covers(p, s);
}

static int restricted_overlaps(psink_t *r, bsub_t *s) {
  size_t i;
  if (r->ns != s->ns || atomic_load(&r->dead) || atomic_load(&r->ended)) {
    return 0;
  }
  for (i = 0; i < r->nqueries; i++) {
    if (wes_query_may_overlap(r->queries[i].q, s->q, s->ns->ns)) {
      return 1;
    }
  }
  return 0;
}

/* provide_events on first interest. Returns 0, or -1 if it failed. */
static int ensure_provided(wes_provider_t *p) {
  wes_hresult_t hr;
  if (p->provided) {
    return p->failed ? -1 : 0;
  }
  p->provided = 1;
  hr = p->ops->provide_events(p->data, p->main, 0);
  if (WES_FAILED(hr)) {
    p->failed = 1;
    wes__log(WES_LOG_ERROR, "broker",
             "provider '%s': provide_events failed with %s", p->name,
             wes_err_name(hr));
    return -1;
  }
  return 0;
}

/* How messages name a covering source. */
static void source_label(char *buf, size_t len, const char *name,
                         int restricted) {
  snprintf(buf, len, restricted ? "provider '%s' (restricted sink)"
                                : "provider '%s'",
           name != NULL ? name : "?");
}

/* Fills err for a source's failure `code` (what the subscription fails
 * with); `own` is the member's return value and perr what it wrote. */
static wes_hresult_t source_error(wes_error_t *err, wes_hresult_t code,
                                  wes_hresult_t own, const char *label,
                                  const char *member,
                                  const wes_error_t *perr) {
  const char *text = perr->text;
  if (err == NULL) {
    return code;
  }
  if (text[0] == '\0') {
    if (code == WES_E_ACCESS_DENIED) {
      wes__error(err, code, 0, 0, "%s denied access to the query", label);
    } else {
      wes__error(err, code, 0, 0, "%s: %s failed with %s (%s)", label, member,
                 wes_err_name(own), wes_strerror(own));
    }
  } else if (code != own) {
    wes__error(err, code, 0, 0, "%s: %s failed with %s: %s", label, member,
               wes_err_name(own), text);
  } else {
    wes__error(err, code, 0, 0, "%s: %s", label, text);
  }
  err->line = perr->line;
  err->column = perr->column;
  err->sys_error = perr->sys_error;
  return code;
}

/* Asks one covering source (provider or restricted callback table).
 * Returns WES_S_OK / WES_S_SUBJECT_TO_SDS, or a failure for the
 * subscription, described in err (may be NULL). */
static wes_hresult_t ask_source(const wes_provider_ops_t *ops, void *data,
                                const char *name, int restricted, bsub_t *s,
                                int *told, wes_error_t *err) {
  wes_hresult_t hr = WES_S_OK, ar = WES_S_OK;
  const char *text = wes_query_text(s->q);
  char label[160];
  wes_error_t perr;
  *told = 0;
  if (WES__OPS_HAS(ops, access_check, WES_PROVIDER_OPS_VERSION_1)) {
    wes_error_clear(&perr);
    ar = ops->access_check(data, "WQL", text, s->token, &perr);
    if (WES_FAILED(ar)) {
      source_label(label, sizeof(label), name, restricted);
      return source_error(err,
                          ar == WES_E_ACCESS_DENIED ? WES_E_ACCESS_DENIED
                                                    : WES_E_PROVIDER_FAILURE,
                          ar, label, "access_check", &perr);
    }
  }
  if (WES__OPS_HAS(ops, new_query, WES_PROVIDER_OPS_VERSION_1)) {
    wes_error_clear(&perr);
    hr = ops->new_query(data, s->id, "WQL", text, &perr);
    if (WES_FAILED(hr)) {
      source_label(label, sizeof(label), name, restricted);
      return source_error(err, hr, hr, label, "new_query", &perr);
    }
    *told = 1;
  }
  return ar == WES_S_SUBJECT_TO_SDS ? WES_S_SUBJECT_TO_SDS : WES_S_OK;
}

/* The provider name of a source, for messages. */
static const char *source_name(void *src, int restricted) {
  if (restricted) {
    wes_provider_t *p = ((psink_t *)src)->prov;
    return p != NULL ? p->name : NULL;
  }
  return ((wes_provider_t *)src)->name;
}

wes_hresult_t wes__cover_sub(wes_broker_t *b, bsub_t *s, wes_error_t *err) {
  wes_provider_t *p;
  int candidates = 0, failed = 0;
  const char *failed_name = NULL;
  wes_hresult_t hr = WES_S_OK;
  const wes_class_t *cls = wes_query_class(s->q);
  for (p = b->providers; p != NULL; p = p->next) {
    int told = 0;
    if (p->ns != s->ns || !registration_covers(p, s)) {
      continue;
    }
    candidates++;
    if (ensure_provided(p) != 0) {
      failed++;
      failed_name = p->name;
      continue;
    }
    hr = ask_source(p->ops, p->data, p->name, 0, s, &told, err);
    if (WES_FAILED(hr)) {
      break;
    }
    if (add_cover(s, p, 0, hr == WES_S_SUBJECT_TO_SDS, 0) != 0) {
      if (told &&
          WES__OPS_HAS(p->ops, cancel_query, WES_PROVIDER_OPS_VERSION_1)) {
        p->ops->cancel_query(p->data, s->id);
      }
      hr = wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
      break;
    }
    hr = WES_S_OK;
  }
  if (WES_SUCCEEDED(hr)) {
    /* restricted sinks with a callback table */
    for (p = b->providers; p != NULL && WES_SUCCEEDED(hr); p = p->next) {
      psink_t *r;
      for (r = p->restricted; r != NULL; r = r->rnext) {
        int told = 0;
        if (!restricted_overlaps(r, s)) {
          continue;
        }
        hr = ask_source(r->cb_ops, r->cb_data, p->name, 1, s, &told, err);
        if (WES_FAILED(hr)) {
          break;
        }
        if (add_cover(s, r, 1, hr == WES_S_SUBJECT_TO_SDS, 0) != 0) {
          if (told && WES__OPS_HAS(r->cb_ops, cancel_query,
                                   WES_PROVIDER_OPS_VERSION_1)) {
            r->cb_ops->cancel_query(r->cb_data, s->id);
          }
          hr = wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
          break;
        }
        hr = WES_S_OK;
      }
    }
  }
  if (WES_SUCCEEDED(hr) && class_is_intrinsic(cls) && s->ncovers == 0) {
    if (failed > 0) {
      hr = wes__error(err, WES_E_PROVIDER_FAILURE, 0, 0,
                      "provider '%s', which serves this query, has failed",
                      failed_name);
    } else if (candidates == 0 && wes_query_within(s->q) > 0.0) {
      hr = wes__error(err, WES_E_NOT_SUPPORTED, 0, 0,
                      "no provider serves this query and WITHIN polling "
                      "is not supported yet (a later release)");
    } else if (candidates == 0) {
      hr = wes__error(err, WES_ESS_E_REGISTRATION_TOO_PRECISE, 0, 0,
                      "no provider serves these intrinsic events; a "
                      "WITHIN clause would be needed (polling)");
    }
  }
  if (WES_FAILED(hr)) {
    tell_cancel(b, s);
    wes__free(s->covers);
    s->covers = NULL;
    s->ncovers = 0;
  }
  return hr;
}

/* A source refused an existing subscription where no subscriber call is
 * waiting for the message: it goes to the log hook. */
static void log_refusal(const bsub_t *s, wes_hresult_t hr,
                        const wes_error_t *err, int ends) {
  wes__log(WES_LOG_WARNING, "broker",
           "existing subscription %u refused with %s: %s (%s)",
           (unsigned)s->id, wes_err_name(hr), err->text,
           ends ? "it ends with that code"
                : "this source sends it no events; it stays subscribed");
}

/* A provider registered while subscriptions exist. */
void wes__cover_provider(wes_broker_t *b, wes_provider_t *p) {
  bsub_t *s;
  for (s = b->subs; s != NULL; s = s->next) {
    int told = 0;
    wes_hresult_t hr;
    wes_error_t err;
    if (atomic_load(&s->state) != SUB_ALIVE || !provider_covers(p, s)) {
      continue; /* ended by a provider op during this walk */
    }
    if (ensure_provided(p) != 0) {
      return;
    }
    hr = ask_source(p->ops, p->data, p->name, 0, s, &told, &err);
    if (atomic_load(&s->state) != SUB_ALIVE) {
      /* the op ended it (a cancel): it has had its end, without p */
      if (told &&
          WES__OPS_HAS(p->ops, cancel_query, WES_PROVIDER_OPS_VERSION_1)) {
        p->ops->cancel_query(p->data, s->id);
      }
      continue;
    }
    if (WES_FAILED(hr)) {
      log_refusal(s, hr, &err, 0);
    }
    if (add_cover(s, p, 0, hr == WES_S_SUBJECT_TO_SDS, WES_FAILED(hr)) != 0 &&
        told &&
        WES__OPS_HAS(p->ops, cancel_query, WES_PROVIDER_OPS_VERSION_1)) {
      p->ops->cancel_query(p->data, s->id);
    }
  }
}

/* A restricted sink with a callback table was created. */
void wes__restricted_attach(wes_broker_t *b, psink_t *r) {
  bsub_t *s;
  for (s = b->subs; s != NULL; s = s->next) {
    int told = 0;
    wes_hresult_t hr;
    wes_error_t err;
    if (atomic_load(&s->state) != SUB_ALIVE || !restricted_overlaps(r, s)) {
      continue; /* ended by a provider op during this walk */
    }
    hr = ask_source(r->cb_ops, r->cb_data, source_name(r, 1), 1, s, &told,
                    &err);
    if (atomic_load(&s->state) != SUB_ALIVE) {
      /* the op ended it (a cancel): it has had its end, without r */
      if (told &&
          WES__OPS_HAS(r->cb_ops, cancel_query, WES_PROVIDER_OPS_VERSION_1)) {
        r->cb_ops->cancel_query(r->cb_data, s->id);
      }
      continue;
    }
    if (WES_FAILED(hr)) {
      log_refusal(s, hr, &err, 0);
    }
    if (add_cover(s, r, 1, hr == WES_S_SUBJECT_TO_SDS, WES_FAILED(hr)) != 0 &&
        told &&
        WES__OPS_HAS(r->cb_ops, cancel_query, WES_PROVIDER_OPS_VERSION_1)) {
      r->cb_ops->cancel_query(r->cb_data, s->id);
    }
  }
}

/* A source (provider or restricted sink) goes away: forget it in every
 * subscription; cancel_query when `tell`. */
void wes__cover_forget(wes_broker_t *b, void *src, int tell) {
  bsub_t *s;
  for (s = b->subs; s != NULL; s = s->next) {
    size_t i;
    if (atomic_load(&s->state) != SUB_ALIVE) {
      continue; /* ended during this walk: its sources were told */
    }
    uv_mutex_lock(&s->qlock);
    for (i = 0; i < s->ncovers; i++) {
      cover_t *c = &s->covers[i];
      if (c->src != src) {
        continue;
      }
      c->src = NULL;
      if (tell && !c->denied) {
        uv_mutex_unlock(&s->qlock);
        if (c->restricted) {
          psink_t *r = src;
          if (WES__OPS_HAS(r->cb_ops, cancel_query,
                           WES_PROVIDER_OPS_VERSION_1)) {
            r->cb_ops->cancel_query(r->cb_data, s->id);
          }
        } else {
          wes_provider_t *p = src;
          if (WES__OPS_HAS(p->ops, cancel_query, WES_PROVIDER_OPS_VERSION_1)) {
            p->ops->cancel_query(p->data, s->id);
          }
        }
        uv_mutex_lock(&s->qlock);
      }
    }
    uv_mutex_unlock(&s->qlock);
  }
}

/* Re-runs access_check/new_query of one source for the subscriptions it
 * covers (WBEM_REQUIREMENTS_RECHECK_SUBSCRIPTIONS). */
void wes__cover_recheck(wes_broker_t *b, void *src) {
  bsub_t *s, *next;
  for (s = b->subs; s != NULL; s = next) {
    size_t i;
    int found = -1, restricted = 0;
    next = s->next;
    if (atomic_load(&s->state) != SUB_ALIVE) {
      continue; /* ended by a provider op during this walk */
    }
    for (i = 0; i < s->ncovers; i++) {
      if (s->covers[i].src == src) {
        found = (int)i;
        restricted = s->covers[i].restricted;
        break;
      }
    }
    if (found >= 0) {
      const wes_provider_ops_t *ops;
      void *data;
      int told = 0;
      wes_hresult_t hr;
      wes_error_t err;
      if (restricted) {
        ops = ((psink_t *)src)->cb_ops;
        data = ((psink_t *)src)->cb_data;
      } else {
        ops = ((wes_provider_t *)src)->ops;
        data = ((wes_provider_t *)src)->data;
      }
      if (WES__OPS_HAS(ops, cancel_query, WES_PROVIDER_OPS_VERSION_1) &&
          !s->covers[found].denied) {
        ops->cancel_query(data, s->id);
      }
      if (atomic_load(&s->state) != SUB_ALIVE) {
        continue; /* cancel_query ended it (a cancel) */
      }
      hr = ask_source(ops, data, source_name(src, restricted), restricted, s,
                      &told, &err);
      if (atomic_load(&s->state) != SUB_ALIVE) {
        /* the op ended it (a cancel) after its end was told */
        if (told &&
            WES__OPS_HAS(ops, cancel_query, WES_PROVIDER_OPS_VERSION_1)) {
          ops->cancel_query(data, s->id);
        }
        continue;
      }
      if (WES_FAILED(hr)) {
        log_refusal(s, hr, &err, hr == WES_E_ACCESS_DENIED);
      }
      uv_mutex_lock(&s->qlock);
      s->covers[found].denied = WES_FAILED(hr);
      if (WES_FAILED(hr)) {
        atomic_fetch_or(&s->pflags, SUBF_ANY_DENIED);
      }
      s->covers[found].subject_to_sds = hr == WES_S_SUBJECT_TO_SDS;
      uv_mutex_unlock(&s->qlock);
      if (hr == WES_E_ACCESS_DENIED) {
        wes__sub_end(s, WES_E_ACCESS_DENIED);
      }
    }
  }
}

/* ---- subscribe ---- */

#define ALLOWED_ASYNC_FLAGS                                                    \
  (WES_FLAG_SEND_STATUS | WES_FLAG_USE_AMENDED_QUALIFIERS |                    \
   WES_FLAG_DEFER_SLOW | WES_FLAG_OVERFLOW_DROP_OLDEST |                       \
   WES_FLAG_OVERFLOW_BLOCK)

/* The next query id (under b->lock): 1, 2, ... 2^32 - 1, then, once the
 * counter has wrapped, the next one that no live subscription uses (0 is
 * never given). */
static uint32_t next_id(wes_broker_t *b) {
  for (;;) {
    uint32_t id = b->next_query_id++;
    bsub_t *t;
    if (b->next_query_id == 0) {
      b->next_query_id = 1;
      b->ids_wrapped = 1;
    }
    if (!b->ids_wrapped) {
      return id;
    }
    for (t = b->subs; t != NULL && t->id != id; t = t->next) {
    }
    if (t == NULL) {
      return id; /* fewer live subscriptions than ids: this ends */
    }
  }
}

static wes_hresult_t subscribe(wes_broker_t *b, const char *nsname,
                               const char *query, int32_t flags,
                               wes_token_t *token, wes_sink_t *sink,
                               wes_enum_t *en, wes_error_t *err) {
  bns_t *ns;
  wes_query_t *q = NULL;
  bsub_t *s = NULL;
  wes_hresult_t hr;
  const wes_class_t *cls;
  wes__broker_lock(b);
  if (atomic_load(&b->closing)) {
    hr = wes__error(err, WES_E_SHUTTING_DOWN, 0, 0, "the broker is closing");
    goto out;
  }
  ns = wes__broker_find_ns(b, nsname);
  if (ns == NULL) {
    hr = wes__error(err, WES_E_INVALID_NAMESPACE, 0, 0,
                    "namespace '%s' not found", nsname);
    goto out;
  }
  if (WES_FAILED(wes__bsec_check(ns->sd, token, WES_WBEM_ENABLE))) {
    hr = wes__error(err, WES_E_ACCESS_DENIED, 0, 0,
                    "the namespace's security does not grant WBEM_ENABLE");
    goto out;
  }
  hr = wes_query_compile(ns->ns, query, 0, &q, err);
  if (WES_FAILED(hr)) {
    goto out;
  }
  cls = wes_query_class(q);
  if (wes_query_group_within(q) > 0.0) {
    hr = wes__error(err, WES_E_NOT_SUPPORTED, 0, 0,
                    "GROUP WITHIN (aggregation) is not supported yet "
                    "(a later release)");
    goto out;
  }
  if (cls != NULL && wes_class_derives_from(cls, "__TimerEvent")) {
    hr = wes__error(err, WES_E_NOT_SUPPORTED, 0, 0,
                    "timer events (timer instructions) are not supported "
                    "yet (a later release)");
    goto out;
  }
  s = wes__calloc(1, sizeof(*s));
  if (s == NULL) {
    hr = wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    goto out;
  }
  wes__ref_init(&s->ref);
  s->b = wes__broker_ref(b);
  s->ns = ns;
  s->q = q;
  if (wes_query_select_all(q)) {
    atomic_fetch_or(&s->pflags, SUBF_SELECT_ALL);
  }
  q = NULL;
  s->flags = flags;
  s->token = wes_token_ref(token);
  s->en = en;
  s->policy = b->opts.overflow_policy;
  if (flags & WES_FLAG_OVERFLOW_DROP_OLDEST) {
    s->policy = WES_OVERFLOW_DROP_OLDEST;
  }
  if (flags & WES_FLAG_OVERFLOW_BLOCK) {
    s->policy = WES_OVERFLOW_BLOCK;
  }
  s->admin = cls != NULL && wes_class_derives_from(cls, "__EventDroppedEvent");
  uv_mutex_init(&s->qlock);
  uv_mutex_init(&s->cblock);
  if (s->policy == WES_OVERFLOW_BLOCK) {
    s->qcond = wes__malloc(sizeof(*s->qcond));
    if (s->qcond == NULL) {
      hr = wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
      goto out;
    }
    uv_cond_init(s->qcond);
  }
  {
    char *key = wes__bsec_user_key(token);
    if (key == NULL) {
      hr = wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
      goto out;
    }
    hr = quota_take(b, key, &s->user, err);
    wes__free(key);
  }
  if (WES_FAILED(hr)) {
    goto out;
  }
  s->id = next_id(b);
  hr = wes__cover_sub(b, s, err);
  if (WES_FAILED(hr)) {
    quota_release(b, s->user);
    s->user = NULL;
    goto out;
  }
  s->sink = wes_sink_ref(sink);
  s->key_sink = sink;
  s->next = b->subs;
  if (b->subs != NULL) {
    b->subs->prev = s;
  }
  b->subs = s;
  b->nsubs++;
  atomic_fetch_add(&b->st_subs_total, 1);
  wes__snap_invalidate(b);
  s = NULL; /* the list owns it */
  hr = WES_S_OK;
out:
  wes__broker_unlock(b);
  if (s != NULL) {
    s->en = NULL;
    wes__sub_unref(s);
  }
  wes_query_unref(q);
  return hr;
}

static wes_hresult_t check_common(wes_broker_t *b, const char *ns,
                                  const char *language, const char *query,
                                  wes_token_t *token, const void *sinkish,
                                  wes_error_t *err) {
  if (b == NULL || ns == NULL || language == NULL || query == NULL ||
      token == NULL || sinkish == NULL) {
    return wes__error(err, WES_E_INVALID_PARAMETER, 0, 0,
                      "broker, namespace, language, query, token and "
                      "sink are required");
  }
  if (query[0] == '\0') {
    return wes__error(err, WES_E_INVALID_PARAMETER, 0, 0, "the query is empty");
  }
  if (wes__strcasecmp(language, "WQL") != 0) {
    return wes__error(err, WES_E_INVALID_QUERY_TYPE, 0, 0,
                      "query language '%s' is not supported (only WQL)",
                      language);
  }
  return WES_S_OK;
}

WES_API wes_hresult_t wes_broker_exec_notification_query_async(
    wes_broker_t *broker, const char *ns, const char *language,
    const char *query, int32_t flags, wes_token_t *token, wes_sink_t *sink,
    wes_error_t *reterr) {
  wes_hresult_t hr =
      check_common(broker, ns, language, query, token, sink, reterr);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if ((flags & ~(int32_t)ALLOWED_ASYNC_FLAGS) != 0 ||
      ((flags & WES_FLAG_OVERFLOW_DROP_OLDEST) &&
       (flags & WES_FLAG_OVERFLOW_BLOCK))) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "flags 0x%x are not valid here", (unsigned)flags);
  }
  return subscribe(broker, ns, query, flags, token, sink, NULL, reterr);
}

WES_API wes_hresult_t wes_broker_cancel_async_call(wes_broker_t *broker,
                                                   wes_sink_t *sink) {
  bsub_t *s, *next;
  int found = 0;
  if (broker == NULL || sink == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (atomic_load(&broker->closing)) {
    return WES_E_SHUTTING_DOWN;
  }
  wes__broker_lock(broker);
  for (s = broker->subs; s != NULL; s = next) {
    next = s->next;
    if (s->key_sink == sink) {
      found = 1;
      wes__sub_end(s, WES_E_CALL_CANCELLED);
    }
  }
  wes__broker_unlock(broker); /* final set_status runs here */
  return found ? WES_S_OK : WES_E_NOT_FOUND;
}

/* ---- statistics ---- */

WES_API wes_hresult_t
wes_broker_get_subscription_stats(wes_broker_t *broker, const wes_sink_t *sink,
                                  wes_subscription_stats_t *ret_stats) {
  bsub_t *s, *found = NULL;
  if (broker == NULL || sink == NULL || ret_stats == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  wes__broker_lock(broker);
  for (s = broker->subs; s != NULL; s = s->next) {
    if (s->key_sink == sink) {
      found = s;
      break;
    }
  }
  if (found != NULL) {
    wes_subscription_stats_t *st = ret_stats;
    memset(st, 0, sizeof(*st));
    st->matched = atomic_load(&found->st_matched);
    st->delivered = atomic_load(&found->st_delivered);
    st->batches = atomic_load(&found->st_batches);
    st->dropped_overflow = atomic_load(&found->st_dropped_overflow);
    st->dropped_security = atomic_load(&found->st_dropped_security);
    st->dropped_cancel = atomic_load(&found->st_dropped_cancel);
    st->consumer_failures = atomic_load(&found->st_failures);
    st->over_budget = atomic_load(&found->st_over_budget);
    st->callback_ms_max = atomic_load(&found->st_cb_max);
    uv_mutex_lock(&found->qlock);
    st->queued = (uint64_t)found->count + atomic_load(&found->staged);
    st->last_sequence = found->seq;
    uv_mutex_unlock(&found->qlock);
    st->deferred = (uint32_t)atomic_load(&found->deferred);
    st->query_id = found->id;
  }
  wes__broker_unlock(broker);
  return found != NULL ? WES_S_OK : WES_E_NOT_FOUND;
}

/* ---- the semisynchronous enumerator ---- */

struct wes_enum_s {
  wes_broker_t *b;
  wes_sink_t *sink;
  uv_mutex_t lock;
  uv_cond_t cond;
  wes_object_t **q;
  uint32_t head, count, cap, limit;
  int ended;
  wes_hresult_t hr;
  uint64_t dropped;
};

static wes_hresult_t enum_indicate(void *data, wes_object_t *const *objs,
                                   size_t n) {
  wes_enum_t *en = data;
  size_t i;
  uint64_t ndrop = 0;
  wes_hresult_t hr = WES_S_OK;
  uv_mutex_lock(&en->lock);
  for (i = 0; i < n; i++) {
    if (en->count == en->cap) {
      void *q = en->q;
      (void)wes__ring_grow(&q, &en->cap, &en->head, en->count,
                           sizeof(wes_object_t *), 16, en->limit);
      en->q = q;
    }
    if (en->count < en->cap) {
      en->q[(en->head + en->count) % en->cap] = wes_object_ref(objs[i]);
      en->count++;
    } else {
      en->dropped++;
      ndrop++;
      hr = WES_E_CLIENT_TOO_SLOW;
    }
  }
  uv_cond_broadcast(&en->cond);
  uv_mutex_unlock(&en->lock);
  if (ndrop > 0 && wes__tls_cb_sub != NULL && wes__tls_cb_sub->en == en) {
    /* a full enumerator is a full queue: the events count as overflow
     * drops (besides the consumer failure the code causes) */
    atomic_fetch_add(&wes__tls_cb_sub->st_dropped_overflow, ndrop);
    atomic_fetch_add(&wes__tls_cb_sub->b->st_dropped, ndrop);
  }
  return hr;
}

static wes_hresult_t enum_set_status(void *data, int32_t flags,
                                     wes_hresult_t hr, const char *param,
                                     wes_object_t *obj) {
  wes_enum_t *en = data;
  (void)param;
  (void)obj;
  if (flags != WES_STATUS_COMPLETE) {
    return WES_S_OK;
  }
  uv_mutex_lock(&en->lock);
  en->ended = 1;
  en->hr = hr;
  uv_cond_broadcast(&en->cond);
  uv_mutex_unlock(&en->lock);
  return WES_S_OK;
}

static void enum_destroy(void *data) {
  wes_enum_t *en = data;
  size_t i;
  for (i = 0; i < en->count; i++) {
    wes_object_unref(en->q[(en->head + i) % en->cap]);
  }
  wes__free(en->q);
  uv_mutex_destroy(&en->lock);
  uv_cond_destroy(&en->cond);
  wes__broker_unref(en->b);
  wes__free(en);
}

static const wes_sink_ops_t enum_sink_ops = {WES_SINK_OPS_VERSION_1,
                                             enum_indicate,
                                             enum_set_status,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             enum_destroy};

WES_API wes_hresult_t wes_broker_exec_notification_query(
    wes_broker_t *broker, const char *ns, const char *language,
    const char *query, int32_t flags, wes_token_t *token, wes_enum_t **ret_enum,
    wes_error_t *reterr) {
  const int32_t need = WES_FLAG_RETURN_IMMEDIATELY | WES_FLAG_FORWARD_ONLY;
  wes_enum_t *en;
  wes_hresult_t hr =
      check_common(broker, ns, language, query, token, ret_enum, reterr);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if ((flags & need) != need ||
      (flags & ~(need | WES_FLAG_USE_AMENDED_QUALIFIERS)) != 0) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "flags must be WBEM_FLAG_RETURN_IMMEDIATELY | "
                      "WBEM_FLAG_FORWARD_ONLY (0x30), optionally with "
                      "WBEM_FLAG_USE_AMENDED_QUALIFIERS");
  }
  en = wes__calloc(1, sizeof(*en));
  if (en == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  en->b = wes__broker_ref(broker);
  en->limit = broker->opts.queue_limit;
  uv_mutex_init(&en->lock);
  uv_cond_init(&en->cond);
  hr = wes_sink_new(&enum_sink_ops, en, &en->sink);
  if (WES_FAILED(hr)) {
    enum_destroy(en);
    return wes__error(reterr, hr, 0, 0, "out of memory");
  }
  hr = subscribe(broker, ns, query, 0, token, en->sink, en, reterr);
  if (WES_FAILED(hr)) {
    wes_sink_unref(en->sink); /* destroys en */
    return hr;
  }
  *ret_enum = en;
  return WES_S_OK;
}

WES_API wes_hresult_t wes_enum_next(wes_enum_t *en, uint32_t timeout_ms,
                                    uint32_t count, wes_object_t **objs,
                                    uint32_t *ret_returned) {
  uint32_t n = 0;
  uint64_t deadline = 0;
  wes_hresult_t hr;
  if (en == NULL || objs == NULL || ret_returned == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (timeout_ms != WES_INFINITE && timeout_ms != WES_NO_WAIT) {
    deadline = uv_hrtime() + (uint64_t)timeout_ms * 1000000u;
  }
  uv_mutex_lock(&en->lock);
  while (n < count) {
    if (en->count > 0) {
      objs[n++] = en->q[en->head];
      en->head = (en->head + 1) % en->cap;
      en->count--;
      continue;
    }
    if (en->ended || timeout_ms == WES_NO_WAIT) {
      break;
    }
    if (timeout_ms == WES_INFINITE) {
      uv_cond_wait(&en->cond, &en->lock);
    } else {
      uint64_t now = uv_hrtime();
      if (now >= deadline ||
          uv_cond_timedwait(&en->cond, &en->lock, deadline - now) != 0) {
        if (en->count == 0) {
          break;
        }
      }
    }
  }
  if (n == count) {
    hr = WES_S_OK;
  } else if (en->ended) {
    hr = (n == 0 && WES_FAILED(en->hr) && en->hr != WES_E_CALL_CANCELLED &&
          en->hr != WES_E_SHUTTING_DOWN)
             ? en->hr
             : WES_S_FALSE;
  } else {
    hr = WES_S_TIMEDOUT;
  }
  uv_mutex_unlock(&en->lock);
  *ret_returned = n;
  return hr;
}

WES_API void wes_enum_free(wes_enum_t *en) {
  if (en == NULL) {
    return;
  }
  if (!atomic_load(&en->b->closing)) {
    wes_broker_cancel_async_call(en->b, en->sink);
  }
  wes_sink_unref(en->sink); /* the enumerator goes with the sink */
}
