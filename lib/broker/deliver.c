/* SPDX-License-Identifier: MIT */
/*
 * The event path: matching on the indicating thread against the snapshot
 * index, security, the bounded per-subscription queue with its overflow
 * policy and sequence numbers; then, on the loop, batching, projection,
 * the consumer callback with its time budget, deferral to a worker, and
 * the broker-raised __EventQueueOverflowEvent / __ConsumerFailureEvent.
 */
#include <string.h>

#include "broker_internal.h"
#include "cim/cim_internal.h"
#include "wes/render.h"

_Thread_local bsub_t *wes__tls_cb_sub;
_Thread_local uint64_t wes__tls_cb_seq;
_Thread_local int wes__tls_in_cb;

/* ---- per-event context ---- */

typedef struct rctx_s {
  psink_t *p;
  wes_object_t *obj;
  wes_sd_t *sink_sd;  /* referenced */
  int event_sd_state; /* 0 unknown, 1 none, 2 parsed, 3 malformed */
  wes_sd_t *event_sd; /* referenced when parsed */
  int hits;
  uint64_t now;
  int have_now;
} rctx_t;

static wes_sd_t *sink_sd_of(psink_t *p) {
  wes_sd_t *sd = NULL;
  if (atomic_load(&p->has_sd)) {
    uv_mutex_lock(&p->sd_lock);
    sd = wes_sd_ref(p->sd);
    uv_mutex_unlock(&p->sd_lock);
  }
  if (sd == NULL && p->parent != NULL && atomic_load(&p->parent->has_sd)) {
    uv_mutex_lock(&p->parent->sd_lock);
    sd = wes_sd_ref(p->parent->sd);
    uv_mutex_unlock(&p->parent->sd_lock);
  }
  return sd;
}

static int event_sd_allows(rctx_t *c, bsub_t *sub) {
  if (c->event_sd_state == 0) {
    wes_value_t v;
    c->event_sd_state = 1;
    wes_hresult_t hr =
        c->p->ns->have_sd_handle
            ? wes_object_get_by_handle(c->obj, &c->p->ns->sd_handle, &v)
            : wes_object_get(c->obj, "SECURITY_DESCRIPTOR", &v);
    if (hr == WES_S_OK && !v.is_null &&
        v.type == (WES_CIM_UINT8 | WES_CIM_FLAG_ARRAY) && v.u.array.count > 0) {
      if (WES_SUCCEEDED(wes_sd_from_binary(v.u.array.data, v.u.array.count,
                                           &c->event_sd, NULL))) {
        c->event_sd_state = 2;
      } else {
        c->event_sd_state = 3;
      }
    }
  }
  switch (c->event_sd_state) {
  case 1:
    return 1;
  case 2:
    return WES_SUCCEEDED(
        wes__bsec_check(c->event_sd, sub->token, WES_WBEM_RIGHT_SUBSCRIBE));
  default:
    return 0; /* malformed SD: deny */
  }
}

/* ---- enqueue ---- */

static int ring_grow(bsub_t *s, uint32_t limit) {
  void *ring = s->ring;
  int r = wes__ring_grow(&ring, &s->cap, &s->head, s->count, sizeof(qent_t),
                         16, limit);
  s->ring = ring;
  return r;
}

subrep_t *wes__sub_rep(bsub_t *sub) {
  subrep_t *r = atomic_load_explicit(&sub->rep, memory_order_acquire);
  if (r == NULL) {
    r = wes__calloc(1, sizeof(*r));
    if (r != NULL) {
      atomic_store_explicit(&sub->rep, r, memory_order_release);
    }
  }
  return r;
}

static void note_drop(bsub_t *s, wes_object_t *obj) {
  wes_broker_t *b = s->b;
  subrep_t *r = wes__sub_rep(s);
  atomic_fetch_add(&s->st_dropped_overflow, 1);
  atomic_fetch_add(&b->st_dropped, 1);
  if (r == NULL) {
    return;
  }
  wes_object_unref(r->last_dropped);
  r->last_dropped = wes_object_ref(obj);
  if (r->drops_unreported++ == 0) {
    wes__broker_mark_ready(b, s);
  }
}

/* A matched event dropped for another reason than a full queue (a
 * security denial), with s->qlock held: kept for a rate-limited
 * __EventDroppedEvent raised by the loop. Subscribers of these events
 * never cause reports. */
static void note_lost_locked(bsub_t *s, wes_object_t *obj) {
  subrep_t *r;
  if (s->admin || s->closed || (r = wes__sub_rep(s)) == NULL) {
    return;
  }
  wes_object_unref(r->last_lost);
  r->last_lost = wes_object_ref(obj);
  if (r->lost_unreported++ == 0) {
    wes__broker_mark_ready(s->b, s);
  }
}

static void note_lost(bsub_t *s, wes_object_t *obj) {
  if (s->admin) {
    return;
  }
  uv_mutex_lock(&s->qlock);
  note_lost_locked(s, obj);
  uv_mutex_unlock(&s->qlock);
}

static uint64_t ctx_now(rctx_t *c) {
  if (!c->have_now) {
    c->now = wes__broker_now_ms(c->p->b);
    c->have_now = 1;
  }
  return c->now;
}

static void enqueue(rctx_t *c, bsub_t *s) {
  wes_broker_t *b = s->b;
  psink_t *p = c->p;
  uint32_t limit = b->opts.queue_limit;
  uint32_t bflags = atomic_load(&p->bflags);
  qent_t *e;
  size_t i;
  uv_mutex_lock(&s->qlock);
  if (s->closed) {
    uv_mutex_unlock(&s->qlock);
    return;
  }
  for (i = 0; (atomic_load_explicit(&s->pflags, memory_order_relaxed) &
               SUBF_ANY_DENIED) &&
              i < s->ncovers;
       i++) {
    cover_t *cv = &s->covers[i];
    if (cv->denied && cv->src != NULL &&
        ((!cv->restricted && cv->src == p->prov_key) ||
         (cv->restricted && cv->src == p))) {
      note_lost_locked(s, c->obj);
      uv_mutex_unlock(&s->qlock);
      atomic_fetch_add(&s->st_dropped_security, 1);
      atomic_fetch_add(&p->st_dropped_security, 1);
      atomic_fetch_add(&b->st_dropped, 1);
      return;
    }
  }
  s->seq++;
  c->hits++;
  /* written only here, under qlock: a plain increment, read atomically */
  atomic_store_explicit(
      &s->st_matched,
      atomic_load_explicit(&s->st_matched, memory_order_relaxed) + 1,
      memory_order_relaxed);
  /* p->st_matched: once per event, from c->hits (wes__route_event) */
  if (s->count + atomic_load(&s->staged) >= limit) {
    uint32_t policy = s->policy;
    if (policy == WES_OVERFLOW_BLOCK && wes__in_any_callback()) {
      /* the loop cannot drain itself, and no callback (a consumer's, a
       * provider op holding the control lock) waits for another */
      policy = WES_OVERFLOW_DROP_NEWEST;
    }
    if (policy == WES_OVERFLOW_BLOCK) {
      uint64_t deadline =
          uv_hrtime() + (uint64_t)b->opts.block_timeout_ms * 1000000u;
      /* Announce the wait before re-reading `staged`: the delivering
       * thread lowers `staged` and then reads qwaiters (both sequentially
       * consistent), so either this loop sees the room or that thread
       * sees the waiter and signals under qlock (wes__unstage). */
      atomic_fetch_add(&s->qwaiters, 1);
      while (!s->closed && s->count + atomic_load(&s->staged) >= limit) {
        uint64_t now = uv_hrtime();
        if (now >= deadline ||
            uv_cond_timedwait(s->qcond, &s->qlock, deadline - now) != 0) {
          break;
        }
      }
      atomic_fetch_sub(&s->qwaiters, 1);
      if (s->closed) {
        uv_mutex_unlock(&s->qlock);
        return;
      }
    } else if (policy == WES_OVERFLOW_DROP_OLDEST && s->count > 0) {
      qent_t *old = &s->ring[s->head];
      note_drop(s, old->obj);
      wes_object_unref(old->obj);
      s->head = (s->head + 1) % s->cap;
      s->count--;
    }
    if (s->count + atomic_load(&s->staged) >= limit) {
      note_drop(s, c->obj);
      uv_mutex_unlock(&s->qlock);
      return;
    }
  }
  if (s->count == s->cap && ring_grow(s, limit) != 0) {
    note_drop(s, c->obj);
    uv_mutex_unlock(&s->qlock);
    return;
  }
  e = &s->ring[(s->head + s->count) % s->cap];
  e->obj = wes_object_ref(c->obj);
  e->seq = s->seq;
  e->bflags = bflags;
  e->max_buffer = atomic_load(&p->max_buffer);
  e->deadline = 0;
  if (bflags == WES_FLAG_MUST_BATCH) {
    uint32_t lat = atomic_load(&p->max_latency);
    e->deadline =
        lat == WES_INFINITE ? HELD_NO_DEADLINE : ctx_now(c) + (uint64_t)lat;
  }
  s->count++;
  if (s->count == 1) {
    wes__broker_mark_ready(b, s);
  }
  uv_mutex_unlock(&s->qlock);
}

/* ---- matching ---- */

/* `exact`: the index already proved the WHERE (index_exact), so it is
 * not evaluated again. */
static void try_sub(rctx_t *c, bsub_t *s, int exact) {
  psink_t *p = c->p;
  if (atomic_load(&s->state) != SUB_ALIVE || s->ns != p->ns) {
    return;
  }
  if (!exact && ((p->kind != PSINK_MAIN && p->kind != PSINK_RESTRICTED) ||
                 atomic_load(&p->postfilter))) {
    if (!wes_query_match(s->q, c->obj)) {
      return;
    }
  }
  if (c->sink_sd != NULL && WES_FAILED(wes_access_cache_check(
                                s->b->acache, c->sink_sd, s->token,
                                WES_WBEM_RIGHT_SUBSCRIBE, NULL, NULL))) {
    atomic_fetch_add(&s->st_dropped_security, 1);
    atomic_fetch_add(&p->st_dropped_security, 1);
    atomic_fetch_add(&s->b->st_dropped, 1);
    note_lost(s, c->obj);
    return;
  }
  if (!event_sd_allows(c, s)) {
    atomic_fetch_add(&s->st_dropped_security, 1);
    atomic_fetch_add(&s->b->st_dropped, 1);
    note_lost(s, c->obj);
    return;
  }
  enqueue(c, s);
}

static int exact_kind(const wes_value_t *v) {
  switch (v->type) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
    return INDEX_EXACT_SINT;
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    return INDEX_EXACT_UINT;
  default:
    return 0;
  }
}

static void route_tb(rctx_t *c, tbucket_t *tb) {
  size_t i, k;
  for (i = 0; i < tb->ngroups; i++) {
    eqgroup_t *g = &tb->groups[i];
    wes_value_t v;
    if (wes_query_pred_read(g->pred, c->obj, &v) == WES_S_OK && !v.is_null) {
      uint64_t h = wes_query_value_hash(&v);
      const eqval_t *ev = wes__eqval_find(g, h);
      if (ev != NULL) {
        bsub_t *const *subs = wes__eqval_subs(ev);
        uint32_t nsubs = wes__eqval_count(ev);
        /* The value hash is a bijection on 64-bit integers of one
         * signedness, so an equal hash of the same kind proves the
         * equality for a subscription whose WHERE is only that. */
        int kind = exact_kind(&v);
        for (k = 0; k < nsubs; k++) {
          try_sub(c, subs[k], kind != 0 && subs[k]->index_exact == kind);
        }
      }
    }
  }
  for (k = 0; k < tb->nrest; k++) {
    try_sub(c, tb->rest[k], 0);
  }
}

/* The buckets of an event class and its ancestors in one snapshot, in
 * walk order (the class first). Each indicating thread keeps the last one
 * it resolved: a provider indicates one class at a time, so the walk up
 * the class chain with a hash probe per ancestor is paid once per class
 * and snapshot, not per event. The cache is keyed by the snapshot's
 * generation, which no other snapshot of any broker ever has, and is only
 * used while the caller holds a reference on that snapshot. */
#define ROUTE_CACHE_MAX 8

typedef struct route_cache_s {
  uint64_t gen;
  const wes_class_t *cls;
  uint32_t n;
  cbucket_t *cbs[ROUTE_CACHE_MAX];
  const wes_class_t *rest; /* where the walk stopped when cbs filled up */
} route_cache_t;

static _Thread_local route_cache_t route_cache;

static void route_cb(rctx_t *c, cbucket_t *cb) {
  route_tb(c, &cb->any);
  if (cb->targets != NULL && cb->have_ti) {
    wes_value_t tv;
    if (wes_object_get_by_handle(c->obj, &cb->ti, &tv) == WES_S_OK &&
        !tv.is_null && WES_CIM_BASETYPE(tv.type) == WES_CIM_OBJECT &&
        !WES_CIM_IS_ARRAY(tv.type) && tv.u.object != NULL) {
      const wes_class_t *t;
      for (t = wes_object_class(tv.u.object); t != NULL;
           t = wes_class_superclass(t)) {
        tbucket_t *tb = NULL;
        HASH_FIND_PTR(cb->targets, &t, tb);
        if (tb != NULL) {
          route_tb(c, tb);
        }
      }
    }
  }
}

void wes__route_event(psink_t *p, snap_t *snap, wes_object_t *obj) {
  rctx_t c;
  const wes_class_t *cls = wes_object_class(obj);
  route_cache_t *rc = &route_cache;
  memset(&c, 0, sizeof(c));
  c.p = p;
  c.obj = obj;
  c.sink_sd = sink_sd_of(p);
  if (rc->gen != snap->gen || rc->cls != cls) {
    const wes_class_t *k;
    uint32_t n = 0;
    for (k = cls; k != NULL && n < ROUTE_CACHE_MAX;
         k = wes_class_superclass(k)) {
      cbucket_t *cb = NULL;
      HASH_FIND_PTR(snap->classes, &k, cb);
      if (cb != NULL) {
        rc->cbs[n++] = cb;
      }
    }
    rc->n = n;
    rc->rest = k; /* a chain with more buckets: walked from here on */
    rc->cls = cls;
    rc->gen = snap->gen;
  }
  {
    const wes_class_t *k;
    uint32_t i;
    for (i = 0; i < rc->n; i++) {
      route_cb(&c, rc->cbs[i]);
    }
    for (k = rc->rest; k != NULL; k = wes_class_superclass(k)) {
      cbucket_t *cb = NULL;
      HASH_FIND_PTR(snap->classes, &k, cb);
      if (cb != NULL) {
        route_cb(&c, cb);
      }
    }
  }
  if (c.hits == 0) {
    atomic_fetch_add(&p->st_unmatched, 1);
  } else {
    atomic_fetch_add(&p->st_matched, (uint_fast64_t)c.hits);
  }
  wes_sd_unref(c.sink_sd);
  wes_sd_unref(c.event_sd);
}

/* ---- broker-raised events ---- */

static psink_t *internal_sink(wes_broker_t *b, bns_t *ns) {
  psink_t *p = NULL;
  wes__broker_lock(b);
  if (ns->internal == NULL && !atomic_load(&b->closing)) {
    wes_sink_t *s;
    if (WES_SUCCEEDED(wes__psink_new(b, PSINK_INTERNAL, ns, NULL, &p, &s))) {
      if (WES_FAILED(wes__bsec_admin_sd(&p->sd))) {
        wes_sink_unref(s);
        p = NULL;
      } else {
        atomic_store(&p->has_sd, 1);
        ns->internal = p;
        ns->internal_sink = s;
      }
    }
  }
  p = ns->internal;
  wes__broker_unlock(b);
  return p;
}

static void raise_in(wes_broker_t *b, bns_t *ns, const char *cls,
                     wes_object_t *dropped, uint64_t count, wes_hresult_t hr) {
  wes_object_t *ev = NULL;
  psink_t *p;
  int prev_in_cb;
  p = internal_sink(b, ns);
  if (p == NULL || WES_FAILED(wes_object_new_by_name(ns->ns, cls, &ev))) {
    return;
  }
  if (dropped != NULL) {
    wes_object_set_object(ev, "Event", dropped);
  }
  if (strcmp(cls, "__EventQueueOverflowEvent") == 0) {
    wes_object_set_uint32(ev, "CurrentQueueSize",
                          (uint32_t)(count > UINT32_MAX ? UINT32_MAX : count));
  } else if (strcmp(cls, "__ConsumerFailureEvent") == 0) {
    wes_object_set_uint32(ev, "ErrorCode", (uint32_t)hr);
    wes_object_set_string(ev, "ErrorDescription", wes_strerror(hr));
  } /* __EventDroppedEvent: Event only (IntendedConsumer stays NULL) */
  atomic_fetch_add(&b->st_drop_events, 1);
  /* a report never waits for room (WES_OVERFLOW_BLOCK): it may be raised
   * on the loop or with the control lock held */
  prev_in_cb = wes__tls_in_cb;
  wes__tls_in_cb = 1;
  wes__psink_route(p, &ev, 1);
  wes__tls_in_cb = prev_in_cb;
  wes_object_unref(ev);
}

static void raise_event(wes_broker_t *b, bsub_t *sub, const char *cls,
                        wes_object_t *dropped, uint64_t count,
                        wes_hresult_t hr) {
  if (sub->admin) {
    return; /* never about subscribers of these events: no loops */
  }
  raise_in(b, sub->ns, cls, dropped, count, hr);
}

void wes__raise_dropped(wes_broker_t *b, bns_t *ns, wes_object_t *dropped) {
  raise_in(b, ns, "__EventDroppedEvent", dropped, 0, 0);
}

void wes__report_end_drops(bsub_t *sub, wes_object_t *obj) {
  wes__log(WES_LOG_WARNING, "broker",
           "subscription %u ended with events undelivered", (unsigned)sub->id);
  raise_event(sub->b, sub, "__EventDroppedEvent", obj, 0, 0);
  wes_object_unref(obj);
}

/* The loop releases the stage of an ended subscription; staged events
 * (a held batch) not reported by the end surface as one
 * __EventDroppedEvent. */
static void release_stage(wes_broker_t *b, bsub_t *sub) {
  wes_object_t *lost = NULL;
  if (sub->nstage > 0 && !sub->admin && !atomic_load(&b->closing)) {
    uv_mutex_lock(&sub->qlock);
    if (!sub->end_reported) {
      sub->end_reported = 1;
      lost = wes_object_ref(sub->stage[sub->nstage - 1].obj);
    }
    uv_mutex_unlock(&sub->qlock);
  }
  if (lost != NULL) {
    wes__report_end_drops(sub, lost);
  }
  wes__stage_clear(sub);
}

/* ---- delivery ---- */

/* Lowers the staged count by `n` after the delivering thread released
 * that many staged entries, and wakes indicating threads blocked for room
 * (BLOCK policy) if any announced themselves. Without waiters no lock is
 * taken, so a steady stream does not make the indicating thread and the
 * delivering thread meet on qlock twice per pass. */
void wes__unstage(bsub_t *sub, uint32_t n) {
  atomic_fetch_sub(&sub->staged, n);
  if (sub->qcond != NULL && atomic_load(&sub->qwaiters) > 0) {
    uv_mutex_lock(&sub->qlock);
    uv_cond_broadcast(sub->qcond);
    uv_mutex_unlock(&sub->qlock);
  }
}

void wes__stage_clear(bsub_t *sub) {
  uint32_t i;
  for (i = 0; i < sub->nstage; i++) {
    wes_object_unref(sub->stage[i].obj);
  }
  if (sub->nstage > 0) {
    atomic_fetch_add(&sub->st_dropped_cancel, sub->nstage);
    wes__unstage(sub, sub->nstage);
  }
  sub->nstage = 0;
  sub->hold_deadline = 0;
}

static uint32_t entry_size(const qent_t *e) {
  /* cached on the (frozen) event: measured once for every subscription
   * that batches it, and without building the text */
  return wes__object_json_size(e->obj);
}

static void defer_sub(bsub_t *sub) {
  /* with sub->cblock held */
  wes_sink_t *off = NULL;
  if (sub->sink == NULL || atomic_load(&sub->deferred)) {
    return;
  }
  if (WES_SUCCEEDED(wes__defer_new(sub, &off))) {
    wes_sink_unref(sub->sink);
    sub->sink = off;
    atomic_store(&sub->deferred, 1);
    wes__log(WES_LOG_INFO, "broker", "subscription %u moved to a worker thread",
             (unsigned)sub->id);
  }
}

#define STACK_OBJS 64
#define MAX_BATCH 4096u /* events per consumer call */

int wes__note_callback_time(bsub_t *sub, uint64_t dt, const char *where) {
  wes_broker_t *b = sub->b;
  if (dt > atomic_load(&sub->st_cb_max)) {
    atomic_store(&sub->st_cb_max, dt);
  }
  if (dt <= b->opts.callback_budget_ms) {
    return 0;
  }
  atomic_fetch_add(&sub->st_over_budget, 1);
  atomic_fetch_add(&b->st_over_budget, 1);
  wes__log(WES_LOG_WARNING, "broker",
           "consumer of subscription %u took %llu ms%s (budget %u ms)",
           (unsigned)sub->id, (unsigned long long)dt, where,
           (unsigned)b->opts.callback_budget_ms);
  return 1;
}

/* A consumer's indicate failed: a rate-limited __ConsumerFailureEvent
 * (loop thread; a deferral worker posts it here). */
static void consumer_failed(wes_broker_t *b, bsub_t *sub, wes_object_t *event,
                            wes_hresult_t hr, uint64_t now) {
  subrep_t *r;
  uv_mutex_lock(&sub->qlock);
  r = wes__sub_rep(sub);
  uv_mutex_unlock(&sub->qlock);
  if (r != NULL && now >= r->next_fail_report) { /* rate-limited */
    r->next_fail_report = now + b->opts.drop_event_interval_ms;
    raise_event(b, sub, "__ConsumerFailureEvent", event, 0, hr);
  }
}

/* `*clk` is the clock read when the previous callback of this pass
 * returned (or when the pass started): the callback's start time, so a
 * pass of callbacks costs one clock read per callback, not two. */
static uint32_t deliver(wes_broker_t *b, bsub_t *sub, qent_t *ents,
                        uint32_t n, uint64_t *clk) {
  wes_object_t *stack[STACK_OBJS];
  wes_object_t **objs = n <= STACK_OBJS ? stack : NULL;
  uint32_t i, taken = n;
  uint64_t t0, t1, dt;
  wes_hresult_t hr;
  int deferred, project = 1, scratch = 0;
  if (objs == NULL && n <= MAX_BATCH &&
      !atomic_exchange(&b->scratch_busy, 1)) {
    /* the delivering thread's array for big batches, kept between them
     * (MAX_BATCH entries at most), so a batch allocates nothing */
    if (b->scratch == NULL) {
      b->scratch = wes__malloc(MAX_BATCH * sizeof(*b->scratch));
    }
    if (b->scratch != NULL) {
      objs = b->scratch;
      scratch = 1;
    } else {
      atomic_store(&b->scratch_busy, 0);
    }
  }
  if (objs == NULL) {
    objs = wes__malloc((size_t)n * sizeof(*objs));
    if (objs == NULL) {
      atomic_fetch_add(&sub->st_dropped_overflow, n);
      atomic_fetch_add(&b->st_dropped, n);
      return n;
    }
  }
  /* SELECT *: the stage's references keep the events alive through the
   * callback; no reference of our own is taken (one atomic pair per event
   * on a cache line the indicating thread also writes). */
  project = !(atomic_load_explicit(&sub->pflags, memory_order_relaxed) &
               SUBF_SELECT_ALL);
  for (i = 0; i < n; i++) {
    if (!project) {
      objs[i] = ents[i].obj;
    } else if (WES_FAILED(wes_query_project(sub->q, ents[i].obj, &objs[i]))) {
      objs[i] = wes_object_ref(ents[i].obj);
    }
  }
  uv_mutex_lock(&sub->cblock);
  if (sub->sink == NULL || atomic_load(&sub->state) != SUB_ALIVE ||
      atomic_load(&b->closing)) {
    /* ended, or the broker is closing (maybe by a close this very
     * consumer requested from its previous callback) */
    uv_mutex_unlock(&sub->cblock);
    atomic_fetch_add(&sub->st_dropped_cancel, n);
    atomic_fetch_add(&b->st_dropped, n);
    goto out;
  }
  deferred = atomic_load(&sub->deferred);
  if (deferred) {
    /* a queue append for its worker, which times and counts the
     * consumer's calls; what does not fit stays staged */
    taken = wes__defer_push(sub, objs, ents, n);
    uv_mutex_unlock(&sub->cblock);
    goto out;
  }
  wes__tls_cb_sub = sub;
  wes__tls_cb_seq = ents[0].seq;
  wes__tls_in_cb = 1;
  t0 = *clk;
  hr = wes_sink_indicate(sub->sink, objs, n);
  t1 = wes__broker_now_ms(b);
  *clk = t1;
  wes__tls_cb_sub = NULL;
  wes__tls_in_cb = 0;
  dt = t1 - t0;
  {
    /* only this thread, under cblock, counts them while not deferred;
     * the worker takes over after `deferred` is set, so plain adds */
    atomic_store_explicit(
        &sub->st_delivered,
        atomic_load_explicit(&sub->st_delivered, memory_order_relaxed) + n,
        memory_order_relaxed);
    atomic_store_explicit(
        &sub->st_batches,
        atomic_load_explicit(&sub->st_batches, memory_order_relaxed) + 1,
        memory_order_relaxed);
    atomic_fetch_add(&b->st_delivered, n);
  }
  if (wes__note_callback_time(sub, dt, "")) {
    if ((sub->flags & WES_FLAG_DEFER_SLOW) &&
        !atomic_load(&sub->cancel_in_cb)) {
      defer_sub(sub);
    }
  }
  wes__sub_final_after_cb(sub);
  uv_mutex_unlock(&sub->cblock);
  if (WES_FAILED(hr)) {
    atomic_fetch_add(&sub->st_failures, 1);
    wes__log(WES_LOG_WARNING, "broker",
             "consumer of subscription %u failed: %s", (unsigned)sub->id,
             wes_err_name(hr));
    consumer_failed(b, sub, ents[0].obj, hr, t1);
  }
out:
  for (i = 0; project && i < n; i++) {
    wes_object_unref(objs[i]);
  }
  if (scratch) {
    atomic_store(&b->scratch_busy, 0);
  } else if (objs != stack) {
    wes__free(objs);
  }
  return taken;
}

/* ---- consumer failures reported from a deferral worker ---- */

void wes__report_failure_from_worker(bsub_t *sub, wes_object_t *event,
                                     wes_hresult_t hr) {
  subrep_t *r;
  uv_mutex_lock(&sub->qlock);
  /* an open queue keeps the loop from closing under the wake-up, as for
   * an indicating thread (wes__broker_mark_ready) */
  if (!sub->closed && (r = wes__sub_rep(sub)) != NULL) {
    wes_object_unref(r->fail_event);
    r->fail_event = wes_object_ref(event);
    r->fail_hr = hr;
    wes__broker_mark_ready(sub->b, sub);
  }
  uv_mutex_unlock(&sub->qlock);
}

static int stage_reserve(bsub_t *sub, uint32_t n) {
  if (sub->nstage + n > sub->stage_cap) {
    uint32_t cap = sub->stage_cap ? sub->stage_cap : 16;
    qent_t *ns;
    while (cap < sub->nstage + n) {
      cap *= 2;
    }
    ns = wes__realloc(sub->stage, (size_t)cap * sizeof(*ns));
    if (ns == NULL) {
      return -1;
    }
    sub->stage = ns;
    sub->stage_cap = cap;
  }
  return 0;
}


uint64_t wes__deliver_sub(wes_broker_t *b, bsub_t *sub, uint64_t now) {
  uint32_t i = 0, j, done, moved = 0, taken;
  uint64_t report = 0, nlost = 0, clk;
  wes_object_t *dropped = NULL, *lost = NULL, *failed = NULL;
  wes_hresult_t failed_hr = WES_S_OK;
  subrep_t *rep;
  if (sub->in_deliver) {
    /* Nested (a callback closed the broker): the outer call finishes. */
    return now;
  }
  if (atomic_load(&sub->state) != SUB_ALIVE) {
    release_stage(b, sub);
    wes__sub_final_owed(sub);
    return now;
  }
  sub->in_deliver = 1;
  uv_mutex_lock(&sub->qlock);
  if (sub->count > 0 && sub->nstage == 0 && sub->head == 0) {
    /* The usual case: the stage is empty and the queue starts at the
     * front of its array. Swap the arrays instead of copying, so the
     * indicating threads wait on qlock for O(1), not O(queued). */
    qent_t *r = sub->ring;
    uint32_t rcap = sub->cap;
    sub->ring = sub->stage;
    sub->cap = sub->stage_cap;
    sub->stage = r;
    sub->stage_cap = rcap;
    moved = sub->count;
    sub->nstage = moved;
    atomic_fetch_add(&sub->staged, moved);
    sub->count = 0;
  } else if (sub->count > 0 && stage_reserve(sub, sub->count) == 0) {
    for (moved = 0; moved < sub->count; moved++) {
      sub->stage[sub->nstage++] = sub->ring[(sub->head + moved) % sub->cap];
    }
    atomic_fetch_add(&sub->staged, moved);
    sub->count = 0;
    sub->head = 0;
  }
  rep = atomic_load_explicit(&sub->rep, memory_order_acquire);
  if (rep != NULL && rep->fail_event != NULL) {
    failed = rep->fail_event; /* a worker's failure, raised below */
    failed_hr = rep->fail_hr;
    rep->fail_event = NULL;
  }
  if (rep != NULL) {
    if (rep->drops_unreported > 0 && now >= rep->next_drop_report) {
      report = rep->drops_unreported;
      rep->drops_unreported = 0;
      dropped = rep->last_dropped;
      rep->last_dropped = NULL;
      rep->next_drop_report = now + b->opts.drop_event_interval_ms;
    }
    if (rep->lost_unreported > 0 && now >= rep->next_lost_report) {
      nlost = rep->lost_unreported;
      rep->lost_unreported = 0;
      lost = rep->last_lost;
      rep->last_lost = NULL;
      rep->next_lost_report = now + b->opts.drop_event_interval_ms;
    }
    /* a report held back by the rate limit goes out when its interval
     * ends, even with no further traffic (hold_update arms the timer) */
    rep->report_due = 0;
    if (rep->drops_unreported > 0) {
      rep->report_due = rep->next_drop_report;
    }
    if (rep->lost_unreported > 0 &&
        (rep->report_due == 0 || rep->next_lost_report < rep->report_due)) {
      rep->report_due = rep->next_lost_report;
    }
  }
  uv_mutex_unlock(&sub->qlock);
  if (report > 0) {
    wes__log(WES_LOG_WARNING, "broker",
             "subscription %u: %llu events dropped (queue full)",
             (unsigned)sub->id, (unsigned long long)report);
    raise_event(b, sub, "__EventQueueOverflowEvent", dropped, report, 0);
    wes_object_unref(dropped);
  }
  if (failed != NULL) {
    consumer_failed(b, sub, failed, failed_hr, now);
    wes_object_unref(failed);
  }
  if (nlost > 0) {
    wes__log(WES_LOG_WARNING, "broker",
             "subscription %u: %llu events dropped (access denied)",
             (unsigned)sub->id, (unsigned long long)nlost);
    raise_event(b, sub, "__EventDroppedEvent", lost, nlost, 0);
    wes_object_unref(lost);
  }
  sub->hold_deadline = 0;
  clk = now;
  while (i < sub->nstage && atomic_load(&sub->state) == SUB_ALIVE) {
    qent_t *e = &sub->stage[i];
    if (e->bflags == WES_FLAG_MUST_NOT_BATCH) {
      if (deliver(b, sub, e, 1, &clk) < 1) {
        break; /* a deferred consumer's worker is full */
      }
      i++;
    } else if (e->bflags == WES_FLAG_MUST_BATCH) {
      uint64_t size = 0;
      int flush;
      j = i;
      while (j < sub->nstage && sub->stage[j].bflags == WES_FLAG_MUST_BATCH &&
             j - i < MAX_BATCH) {
        size += entry_size(&sub->stage[j]);
        j++;
        if (size >= e->max_buffer) {
          break;
        }
      }
      flush = size >= e->max_buffer || j - i >= MAX_BATCH ||
              (e->deadline != HELD_NO_DEADLINE && now >= e->deadline) ||
              j < sub->nstage;
      if (!flush) {
        sub->hold_deadline = e->deadline;
        break;
      }
      taken = deliver(b, sub, e, j - i, &clk);
      i += taken;
      if (i < j) {
        break;
      }
    } else {
      j = i;
      while (j < sub->nstage &&
             sub->stage[j].bflags == WES_FLAG_BATCH_IF_NEEDED &&
             j - i < MAX_BATCH) {
        j++;
      }
      taken = deliver(b, sub, e, j - i, &clk);
      i += taken;
      if (i < j) {
        break;
      }
    }
  }
  done = i;
  for (j = 0; j < done; j++) {
    wes_object_unref(sub->stage[j].obj);
  }
  if (done > 0) {
    memmove(sub->stage, sub->stage + done,
            (size_t)(sub->nstage - done) * sizeof(*sub->stage));
    sub->nstage -= done;
    wes__unstage(sub, done);
  }
  if (atomic_load(&sub->state) != SUB_ALIVE) {
    release_stage(b, sub);
    /* a callback on another thread ended it while ours ran */
    wes__sub_final_owed(sub);
  }
  sub->in_deliver = 0;
  return clk;
}

WES_API wes_hresult_t wes_broker_delivery_sequence(uint64_t *ret_first) {
  if (ret_first == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (wes__tls_cb_sub == NULL || !wes__tls_in_cb) {
    return WES_E_INVALID_OPERATION;
  }
  *ret_first = wes__tls_cb_seq;
  return WES_S_OK;
}
