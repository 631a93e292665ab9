/* SPDX-License-Identifier: MIT */
/*
 * Providers (registration with EventQueryList validation, unregistration)
 * and the sinks the broker hands out (IWbemEventSink): the provider's main
 * sink, restricted sinks, QueryObjectSink sinks and the internal sink of
 * broker-raised events.
 */
#include <string.h>

#include "broker_internal.h"
#include "wes/datetime.h"

/* ---- psink ops ---- */

static wes_hresult_t psink_state(psink_t *p) {
  int d = atomic_load(&p->dead);
  if (d != 0) {
    return (wes_hresult_t)d;
  }
  if (atomic_load(&p->b->closing)) {
    return WES_E_SHUTTING_DOWN;
  }
  return WES_S_OK;
}

static int is_intrinsic(const wes_class_t *c) {
  return wes_class_derives_from(c, "__InstanceOperationEvent") ||
         wes_class_derives_from(c, "__ClassOperationEvent") ||
         wes_class_derives_from(c, "__NamespaceOperationEvent");
}

/* Stamps TIME_CREATED (strictly increasing per broker) when absent and
 * freezes the object. */
static void stamp_and_freeze(wes_broker_t *b, wes_object_t *obj) {
  if (!wes_object_is_frozen(obj)) {
    uint64_t v;
    if (wes_object_get_uint64(obj, "TIME_CREATED", &v) == WES_S_FALSE) {
      uint64_t now = wes_filetime_from_unix_us(wes_clock_now_utc_us(b->clock));
      uint64_t last = atomic_load(&b->last_time_created);
      uint64_t t;
      do {
        t = now > last ? now : last + 1;
      } while (!atomic_compare_exchange_weak(&b->last_time_created, &last, t));
      wes_object_set_uint64(obj, "TIME_CREATED", t);
    }
    wes_object_freeze(obj);
  }
}

void wes__psink_route(psink_t *p, wes_object_t *const *objs, size_t n) {
  snap_t *snap = wes__snap_get(p->b);
  size_t i;
  if (snap == NULL) {
    return;
  }
  for (i = 0; i < n; i++) {
    stamp_and_freeze(p->b, objs[i]);
    wes__route_event(p, snap, objs[i]);
  }
  wes__snap_put(snap);
}

static wes_hresult_t ps_indicate(void *data, wes_object_t *const *objs,
                                 size_t n) {
  psink_t *p = data;
  wes_broker_t *b = p->b;
  wes_hresult_t hr = psink_state(p);
  snap_t *snap;
  size_t i;
  int rejected = 0;
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (atomic_load(&p->ended) ||
      (p->parent != NULL && atomic_load(&p->parent->ended))) {
    return WES_E_CALL_CANCELLED; /* its provider reported a failure */
  }
  atomic_fetch_add(&p->st_indicated, n);
  atomic_fetch_add(&b->st_indicated, n);
  snap = wes__snap_get(b);
  for (i = 0; i < n; i++) {
    wes_object_t *obj = objs[i];
    const wes_class_t *cls = wes_object_class(obj);
    if (cls != atomic_load_explicit(&p->ok_cls, memory_order_relaxed)) {
      if (!wes_class_derives_from(cls, "__Event") ||
          wes_class_namespace(cls) != p->ns->ns ||
          (p->kind == PSINK_OBJECT && is_intrinsic(cls))) {
        atomic_fetch_add(&p->st_rejected, 1);
        rejected = 1;
        continue;
      }
      atomic_store_explicit(&p->ok_cls, cls, memory_order_relaxed);
    }
    stamp_and_freeze(b, obj);
    if (p->kind == PSINK_RESTRICTED) {
      size_t k;
      int ok = 0;
      for (k = 0; k < p->nqueries && !ok; k++) {
        ok = wes_query_match(p->queries[k].q, obj);
      }
      if (!ok) {
        atomic_fetch_add(&p->st_dropped_restricted, 1);
        wes__rdrop_note(p, obj);
        continue;
      }
    }
    if (snap != NULL) {
      wes__route_event(p, snap, obj);
    }
  }
  wes__snap_put(snap);
  return rejected ? WES_E_INVALID_OBJECT : WES_S_OK;
}

/* Whether a covering source has reported a failure for good (under
 * b->lock): it no longer keeps a subscription alive. */
static int source_failed(const cover_t *c) {
  if (c->restricted) {
    return atomic_load(&((psink_t *)c->src)->ended) != 0;
  }
  return ((const wes_provider_t *)c->src)->failed;
}

static wes_hresult_t ps_set_status(void *data, int32_t flags, wes_hresult_t hr,
                                   const char *param, wes_object_t *obj) {
  psink_t *p = data;
  wes_broker_t *b = p->b;
  wes_hresult_t st = psink_state(p);
  (void)param;
  (void)obj;
  if (WES_FAILED(st)) {
    return st;
  }
  if (flags == WES_STATUS_REQUIREMENTS) {
    switch (hr) {
    case WES_REQUIREMENTS_START_POSTFILTER:
      atomic_store(&p->postfilter, 1);
      return WES_S_OK;
    case WES_REQUIREMENTS_STOP_POSTFILTER:
      atomic_store(&p->postfilter, 0);
      return WES_S_OK;
    case WES_REQUIREMENTS_RECHECK_SUBSCRIPTIONS:
      wes__broker_lock(b);
      if (p->kind == PSINK_MAIN && p->prov != NULL) {
        wes__cover_recheck(b, p->prov);
      } else if (p->kind == PSINK_RESTRICTED && p->cb_ops != NULL) {
        wes__cover_recheck(b, p);
      }
      wes__broker_unlock(b);
      return WES_S_OK;
    default:
      return WES_E_INVALID_PARAMETER;
    }
  }
  if (flags == WES_STATUS_COMPLETE && WES_FAILED(hr)) {
    /* the provider fails for good on this sink: subscriptions only it
     * covers end (once), later indicate calls fail */
    void *src = NULL;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&p->ended, &expected, 1)) {
      return WES_S_OK; /* reported before: nothing more to end */
    }
    wes__broker_lock(b);
    if (p->kind == PSINK_MAIN && p->prov != NULL) {
      p->prov->failed = 1;
      src = p->prov;
      wes__log(WES_LOG_ERROR, "broker", "provider '%s' failed: %s",
               p->prov->name, wes_err_name(hr));
    } else if (p->kind == PSINK_RESTRICTED && p->cb_ops != NULL &&
               p->prov != NULL) {
      src = p;
      wes__log(WES_LOG_ERROR, "broker",
               "restricted sink of provider '%s' failed: %s", p->prov->name,
               wes_err_name(hr));
    } else {
      wes__log(WES_LOG_WARNING, "broker",
               "event sink closed by its publisher: %s", wes_err_name(hr));
    }
    if (src != NULL) {
      bsub_t *s, *next;
      for (s = b->subs; s != NULL; s = next) {
        size_t i;
        int mine = 0, other = 0;
        next = s->next;
        for (i = 0; i < s->ncovers; i++) {
          const cover_t *c = &s->covers[i];
          if (c->src == src) {
            mine = 1;
          } else if (c->src != NULL && !c->denied && !source_failed(c)) {
            other = 1;
          }
        }
        if (mine && !other) {
          wes__sub_end(s, hr);
        }
      }
    }
    wes__broker_unlock(b);
    return WES_S_OK;
  }
  if ((flags & ~(int32_t)0x1F03) != 0) {
    return WES_E_INVALID_PARAMETER;
  }
  return WES_S_OK; /* progress and logging information: accepted */
}

static wes_hresult_t ps_is_active(void *data) {
  psink_t *p = data;
  wes_broker_t *b = p->b;
  wes_hresult_t hr = psink_state(p);
  bsub_t *s;
  int active = 0;
  if (WES_FAILED(hr)) {
    return hr;
  }
  wes__broker_lock(b);
  for (s = b->subs; s != NULL && !active; s = s->next) {
    size_t i;
    if (s->ns != p->ns) {
      continue;
    }
    switch (p->kind) {
    case PSINK_MAIN:
      for (i = 0; i < s->ncovers; i++) {
        if (s->covers[i].src == p->prov && !s->covers[i].denied) {
          active = 1;
        }
      }
      break;
    case PSINK_RESTRICTED:
      if (p->cb_ops != NULL) {
        /* a subscription this sink's own access_check / new_query
         * refused is not one it serves (DESIGN 4.3) */
        int refused = 0;
        uv_mutex_lock(&s->qlock);
        for (i = 0; i < s->ncovers; i++) {
          if (s->covers[i].src == p && s->covers[i].denied) {
            refused = 1;
          }
        }
        uv_mutex_unlock(&s->qlock);
        if (refused) {
          break;
        }
      }
      for (i = 0; i < p->nqueries && !active; i++) {
        active = wes_query_may_overlap(p->queries[i].q, s->q, p->ns->ns);
      }
      break;
    default:
      active = !is_intrinsic(wes_query_class(s->q));
      break;
    }
  }
  wes__broker_unlock(b);
  return active ? WES_S_OK : WES_S_FALSE;
}

static wes_hresult_t ps_set_batching(void *data, uint32_t flags,
                                     uint32_t max_buffer,
                                     uint32_t max_latency) {
  psink_t *p = data;
  wes_hresult_t hr = psink_state(p);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (flags > WES_FLAG_MUST_NOT_BATCH) {
    return WES_E_INVALID_PARAMETER;
  }
  atomic_store(&p->bflags, flags);
  atomic_store(&p->max_buffer, max_buffer);
  atomic_store(&p->max_latency, max_latency);
  return WES_S_OK;
}

static wes_hresult_t ps_set_security(void *data, const void *sdbytes,
                                     size_t len) {
  psink_t *p = data;
  wes_hresult_t hr = psink_state(p);
  wes_sd_t *sd = NULL, *old;
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (sdbytes == NULL || len == 0) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = wes_sd_from_binary(sdbytes, len, &sd, NULL);
  if (WES_FAILED(hr)) {
    return hr == WES_E_OUT_OF_MEMORY ? hr : WES_E_INVALID_PARAMETER;
  }
  if (wes_sd_get_group(sd) == NULL || wes_sd_get_owner(sd) == NULL) {
    wes_sd_unref(sd);
    wes__log(WES_LOG_WARNING, "broker",
             "set_sink_security: the SD needs an owner and a group");
    return WES_E_INVALID_PARAMETER;
  }
  uv_mutex_lock(&p->sd_lock);
  old = p->sd;
  p->sd = sd;
  atomic_store(&p->has_sd, 1);
  uv_mutex_unlock(&p->sd_lock);
  wes_sd_unref(old);
  return WES_S_OK;
}

static wes_hresult_t ps_get_restricted(void *data, size_t n,
                                       const char *const *queries,
                                       const wes_provider_ops_t *cb,
                                       void *cb_data, wes_sink_t **ret);

static void ps_destroy(void *data) {
  psink_t *p = data;
  wes_broker_t *b = p->b;
  size_t i;
  if (p->kind == PSINK_RESTRICTED) {
    wes__broker_lock(b);
    if (p->in_list && p->prov != NULL) {
      psink_t **pp = &p->prov->restricted;
      while (*pp != NULL && *pp != p) {
        pp = &(*pp)->rnext;
      }
      if (*pp == p) {
        *pp = p->rnext;
      }
      p->in_list = 0;
    }
    if (p->cb_ops != NULL) {
      wes__cover_forget(b, p, 0);
    }
    wes__broker_unlock(b);
    wes_sink_unref(p->parent_sink);
  }
  for (i = 0; i < p->nqueries; i++) {
    wes_query_unref(p->queries[i].q);
    wes__free(p->queries[i].text);
  }
  wes__free(p->queries);
  wes_sd_unref(p->sd);
  wes_token_unref(p->publisher);
  wes__rdrop_free(p);
  uv_mutex_destroy(&p->sd_lock);
  wes__free(p);
  wes__broker_unref(b);
}

static const wes_sink_ops_t psink_ops = {
    WES_SINK_OPS_VERSION_1, ps_indicate,     ps_set_status,   ps_is_active,
    ps_get_restricted,      ps_set_batching, ps_set_security, ps_destroy};

wes_hresult_t wes__psink_new(wes_broker_t *b, int kind, bns_t *ns,
                             wes_provider_t *prov, psink_t **ret_p,
                             wes_sink_t **ret_sink) {
  psink_t *p = wes__calloc(1, sizeof(*p));
  wes_hresult_t hr;
  if (p == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  p->b = wes__broker_ref(b);
  p->kind = kind;
  p->ns = ns;
  p->prov = prov;
  p->prov_key = prov;
  atomic_init(&p->dead, 0);
  atomic_init(&p->ended, 0);
  atomic_init(&p->bflags, WES_FLAG_BATCH_IF_NEEDED);
  atomic_init(&p->max_buffer, WES_BATCH_MAX_BUFFER);
  atomic_init(&p->max_latency, WES_INFINITE);
  atomic_init(&p->postfilter, 1);
  uv_mutex_init(&p->sd_lock);
  hr = wes_sink_new(&psink_ops, p, &p->self);
  if (WES_FAILED(hr)) {
    uv_mutex_destroy(&p->sd_lock);
    wes__broker_unref(b);
    wes__free(p);
    return hr;
  }
  *ret_p = p;
  *ret_sink = p->self;
  return WES_S_OK;
}

void wes__psink_kill(psink_t *p, wes_hresult_t code) {
  int expected = 0;
  atomic_compare_exchange_strong(&p->dead, &expected, (int)code);
}

psink_t *wes__psink_from_sink(const wes_sink_t *sink) {
  if (sink == NULL || wes_sink_get_ops(sink) != &psink_ops) {
    return NULL;
  }
  return wes_sink_get_data(sink);
}

WES_API wes_hresult_t wes_broker_get_sink_stats(const wes_sink_t *sink,
                                                wes_sink_stats_t *ret) {
  psink_t *p = wes__psink_from_sink(sink);
  if (p == NULL || ret == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  memset(ret, 0, sizeof(*ret));
  ret->indicated = atomic_load(&p->st_indicated);
  ret->matched = atomic_load(&p->st_matched);
  ret->unmatched = atomic_load(&p->st_unmatched);
  ret->dropped_restricted = atomic_load(&p->st_dropped_restricted);
  ret->rejected = atomic_load(&p->st_rejected);
  ret->dropped_security = atomic_load(&p->st_dropped_security);
  return WES_S_OK;
}

/* ---- registration queries ---- */

static wes_hresult_t check_reg_query(bns_t *ns, const char *text, size_t idx,
                                     wes_query_t **ret, wes_error_t *err) {
  wes_query_t *q = NULL;
  wes_hresult_t hr = wes_query_compile(ns->ns, text, 0, &q, err);
  const wes_class_t *cls;
  if (WES_FAILED(hr)) {
    if (err != NULL) {
      char msg[WES_ERROR_TEXT_LENGTH];
      memcpy(msg, err->text, sizeof(msg));
      wes__error(err, hr, err->line, err->column, "EventQueryList[%u]: %.120s",
                 (unsigned)idx, msg);
    }
    return hr;
  }
  cls = wes_query_class(q);
  if (wes__strcasecmp(wes_class_name(cls), "__Event") == 0 ||
      wes__strcasecmp(wes_class_name(cls), "__ExtrinsicEvent") == 0 ||
      wes_class_derives_from(cls, "__SystemEvent") ||
      wes_class_derives_from(cls, "__TimerEvent") ||
      wes_class_derives_from(cls, "__ClassOperationEvent") ||
      wes_class_derives_from(cls, "__NamespaceOperationEvent")) {
    wes_query_unref(q);
    return wes__error(err, WES_ESS_E_REGISTRATION_TOO_BROAD, 0, 0,
                      "EventQueryList[%u]: %s overlaps the events the "
                      "system provides",
                      (unsigned)idx, wes_class_name(cls));
  }
  if (is_intrinsic(cls) && wes_query_target_count(q) == 0) {
    wes_query_unref(q);
    return wes__error(err, WES_E_UNINTERPRETABLE_PROVIDER_QUERY, 0, 0,
                      "EventQueryList[%u]: an intrinsic event query must "
                      "say TargetInstance ISA 'Class'",
                      (unsigned)idx);
  }
  if (wes_query_group_within(q) > 0.0) {
    wes_query_unref(q);
    return wes__error(err, WES_E_INVALID_QUERY, 0, 0,
                      "EventQueryList[%u]: providers never produce "
                      "aggregate events (GROUP WITHIN)",
                      (unsigned)idx);
  }
  *ret = q;
  return WES_S_OK;
}

WES_API wes_hresult_t wes_broker_register_provider(
    wes_broker_t *broker, const char *nsname, const char *name,
    const char *const *queries, size_t nqueries, const wes_provider_ops_t *ops,
    void *data, wes_provider_t **ret_provider, wes_error_t *reterr) {
  wes_broker_t *b = broker;
  wes_provider_t *p = NULL, *it;
  bns_t *ns;
  wes_hresult_t hr = WES_S_OK;
  size_t i;
  if (b == NULL || nsname == NULL || name == NULL || queries == NULL ||
      nqueries == 0 || ops == NULL || ret_provider == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "broker, namespace, name, queries (at least one), "
                      "ops and ret_provider are required");
  }
  if (ops->version == 0 || ops->provide_events == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "provider ops: version 0 or provide_events missing");
  }
  for (i = 0; i < nqueries; i++) {
    if (queries[i] == NULL) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "EventQueryList[%u] is NULL", (unsigned)i);
    }
  }
  if (atomic_load(&b->closing)) {
    return wes__error(reterr, WES_E_SHUTTING_DOWN, 0, 0,
                      "the broker is closing");
  }
  wes__broker_lock(b);
  ns = wes__broker_find_ns(b, nsname);
  if (ns == NULL) {
    hr = wes__error(reterr, WES_E_INVALID_NAMESPACE, 0, 0,
                    "namespace '%s' not found", nsname);
    goto out;
  }
  for (it = b->providers; it != NULL; it = it->next) {
    if (it->ns == ns && wes__strcasecmp(it->name, name) == 0) {
      hr = wes__error(reterr, WES_E_PROVIDER_ALREADY_REGISTERED, 0, 0,
                      "provider '%s' is already registered", name);
      goto out;
    }
  }
  p = wes__calloc(1, sizeof(*p));
  if (p == NULL || (p->name = wes__strdup(name)) == NULL ||
      (p->regs = wes__calloc(nqueries, sizeof(*p->regs))) == NULL) {
    hr = wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
    goto out;
  }
  p->b = b;
  p->ns = ns;
  p->ops = ops;
  p->data = data;
  for (i = 0; i < nqueries; i++) {
    hr = check_reg_query(ns, queries[i], i, &p->regs[i].q, reterr);
    if (WES_FAILED(hr)) {
      goto out;
    }
    p->nregs++;
    p->regs[i].text = wes__strdup(queries[i]);
    if (p->regs[i].text == NULL) {
      hr = wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
      goto out;
    }
  }
  hr = wes__psink_new(b, PSINK_MAIN, ns, p, &p->mainp, &p->main);
  if (WES_FAILED(hr)) {
    wes__error(reterr, hr, 0, 0, "out of memory");
    goto out;
  }
  p->next = b->providers;
  b->providers = p;
  wes__cover_provider(b, p);
  if (p->failed) {
    /* provide_events failed: take it out again */
    b->providers = p->next;
    wes__cover_forget(b, p, 1);
    wes__psink_kill(p->mainp, WES_E_CALL_CANCELLED);
    p->mainp->prov = NULL;
    hr = wes__error(reterr, WES_E_PROVIDER_FAILURE, 0, 0,
                    "provider '%s': provide_events failed", name);
    goto out;
  }
  wes__snap_invalidate(b);
  *ret_provider = p;
  p = NULL;
out:
  wes__broker_unlock(b);
  if (p != NULL) {
    for (i = 0; i < p->nregs; i++) {
      wes_query_unref(p->regs[i].q);
      wes__free(p->regs[i].text);
    }
    wes__free(p->regs);
    wes__free(p->name);
    wes_sink_unref(p->main);
    wes__free(p);
  }
  return hr;
}

WES_API wes_hresult_t wes_broker_unregister_provider(wes_broker_t *broker,
                                                     wes_provider_t *prov) {
  wes_provider_t **pp;
  psink_t *r;
  size_t i;
  if (broker == NULL || prov == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (atomic_load(&broker->closing)) {
    return WES_E_SHUTTING_DOWN;
  }
  if (wes__broker_holds_lock(broker)) {
    /* inside a provider op: they run under the control lock, in the
     * middle of a walk over the providers or subscriptions that must not
     * find the provider freed; queued until the lock is released */
    return wes__broker_defer_unregister(broker, prov);
  }
  wes__broker_lock(broker);
  for (pp = &broker->providers; *pp != NULL && *pp != prov; pp = &(*pp)->next) {
  }
  if (*pp == NULL) {
    wes__broker_unlock(broker);
    return WES_E_INVALID_PARAMETER;
  }
  *pp = prov->next;
  for (r = prov->restricted; r != NULL; r = r->rnext) {
    if (r->cb_ops != NULL) {
      wes__cover_forget(broker, r, 1);
    }
    wes__psink_kill(r, WES_E_CALL_CANCELLED);
    r->prov = NULL;
    r->in_list = 0;
  }
  wes__cover_forget(broker, prov, 1);
  wes__psink_kill(prov->mainp, WES_E_CALL_CANCELLED);
  prov->mainp->prov = NULL;
  wes__snap_invalidate(broker);
  wes__broker_unlock(broker);
  wes_sink_unref(prov->main);
  for (i = 0; i < prov->nregs; i++) {
    wes_query_unref(prov->regs[i].q);
    wes__free(prov->regs[i].text);
  }
  wes__free(prov->regs);
  wes__free(prov->name);
  wes__free(prov);
  return WES_S_OK;
}

/* ---- restricted sinks ---- */

static wes_hresult_t ps_get_restricted(void *data, size_t n,
                                       const char *const *queries,
                                       const wes_provider_ops_t *cb,
                                       void *cb_data, wes_sink_t **ret) {
  psink_t *p = data, *r = NULL, *main;
  wes_broker_t *b = p->b;
  wes_hresult_t hr = psink_state(p);
  wes_sink_t *rs = NULL;
  size_t i, k;
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (p->kind != PSINK_MAIN && p->kind != PSINK_RESTRICTED) {
    return WES_E_NOT_SUPPORTED;
  }
  if (cb != NULL && cb->version == 0) {
    return WES_E_INVALID_PARAMETER;
  }
  main = p->kind == PSINK_MAIN ? p : p->parent;
  wes__broker_lock(b);
  if (main->prov == NULL) {
    wes__broker_unlock(b);
    return WES_E_CALL_CANCELLED;
  }
  hr = wes__psink_new(b, PSINK_RESTRICTED, p->ns, main->prov, &r, &rs);
  if (WES_FAILED(hr)) {
    wes__broker_unlock(b);
    return hr;
  }
  r->queries = wes__calloc(n, sizeof(*r->queries));
  if (r->queries == NULL) {
    hr = WES_E_OUT_OF_MEMORY;
    goto fail;
  }
  for (i = 0; i < n; i++) {
    wes_error_t err;
    int covered = 0;
    hr = wes_query_compile(p->ns->ns, queries[i], 0, &r->queries[i].q, &err);
    if (WES_FAILED(hr)) {
      wes__log(WES_LOG_WARNING, "broker", "get_restricted_sink: query %u: %s",
               (unsigned)i, err.text);
      if (hr != WES_E_UNPARSABLE_QUERY && hr != WES_E_OUT_OF_MEMORY) {
        hr = WES_E_INVALID_QUERY;
      }
      goto fail;
    }
    r->nqueries++;
    r->queries[i].text = wes__strdup(queries[i]);
    for (k = 0; k < main->prov->nregs && !covered; k++) {
      covered =
          wes_query_covers(main->prov->regs[k].q, r->queries[i].q, p->ns->ns);
    }
    if (!covered || r->queries[i].text == NULL) {
      wes__log(WES_LOG_WARNING, "broker",
               "get_restricted_sink: query %u is not covered by the "
               "provider's registration",
               (unsigned)i);
      hr = r->queries[i].text == NULL ? WES_E_OUT_OF_MEMORY
                                      : WES_E_INVALID_QUERY;
      goto fail;
    }
  }
  /* the restricted sink inherits its parent's batching parameters */
  atomic_store(&r->bflags, atomic_load(&main->bflags));
  atomic_store(&r->max_buffer, atomic_load(&main->max_buffer));
  atomic_store(&r->max_latency, atomic_load(&main->max_latency));
  r->parent = main;
  r->parent_sink = wes_sink_ref(main->self);
  r->cb_ops = cb;
  r->cb_data = cb_data;
  r->rnext = main->prov->restricted;
  main->prov->restricted = r;
  r->in_list = 1;
  if (cb != NULL) {
    wes__restricted_attach(b, r);
  }
  wes__broker_unlock(b);
  *ret = rs;
  return WES_S_OK;
fail:
  wes__broker_unlock(b);
  wes_sink_unref(rs);
  return hr;
}

/* ---- QueryObjectSink ---- */

WES_API wes_hresult_t wes_broker_query_object_sink(
    wes_broker_t *broker, const char *nsname, int32_t flags, wes_token_t *token,
    wes_sink_t **ret_sink, wes_error_t *reterr) {
  bns_t *ns;
  psink_t *p;
  wes_sink_t *s;
  wes_hresult_t hr;
  if (broker == NULL || nsname == NULL || token == NULL || ret_sink == NULL ||
      flags != 0) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "broker, namespace, token and ret_sink are required; "
                      "flags must be 0");
  }
  if (atomic_load(&broker->closing)) {
    return wes__error(reterr, WES_E_SHUTTING_DOWN, 0, 0,
                      "the broker is closing");
  }
  wes__broker_lock(broker);
  ns = wes__broker_find_ns(broker, nsname);
  if (ns == NULL) {
    wes__broker_unlock(broker);
    return wes__error(reterr, WES_E_INVALID_NAMESPACE, 0, 0,
                      "namespace '%s' not found", nsname);
  }
  if (WES_FAILED(wes__bsec_check(ns->sd, token,
                                 WES_WBEM_ENABLE | WES_WBEM_FULL_WRITE_REP))) {
    wes__broker_unlock(broker);
    return wes__error(reterr, WES_E_ACCESS_DENIED, 0, 0,
                      "publishing events needs WBEM_ENABLE and "
                      "WBEM_FULL_WRITE on the namespace");
  }
  hr = wes__psink_new(broker, PSINK_OBJECT, ns, NULL, &p, &s);
  if (WES_SUCCEEDED(hr)) {
    p->publisher = wes_token_ref(token);
  }
  wes__broker_unlock(broker);
  if (WES_FAILED(hr)) {
    return wes__error(reterr, hr, 0, 0, "out of memory");
  }
  *ret_sink = s;
  return WES_S_OK;
}
