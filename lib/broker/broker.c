/* SPDX-License-Identifier: MIT */
/*
 * Broker lifetime, its use of the loop module (lib/loop: the wake-up
 * through the loop's ingress, one heap timer per held batch, the own
 * thread, the manual driver), namespaces, the recursive control lock, the
 * ready list and the delivery pass.
 */
#include <stdlib.h>
#include <string.h>

#include "broker_internal.h"

/* ---- callback frames and the deferred close ----
 *
 * A close requested from inside a broker callback cannot run there: the
 * caller of the callback (a control call holding the lock, the delivery
 * pass, wes_broker_advance) still uses the broker, its loop and the
 * subscription when the callback returns. So wes_broker_close only
 * records it (closing = 1, close_owner = the calling thread) and the
 * outermost broker frame of that thread carries it out when it is left:
 * the outermost wes__broker_unlock (control calls and the final statuses
 * they send), the end of wake_cb / hold_timer_cb (embedded and own-thread
 * deliveries) or the end of wes_broker_advance (manual mode). */

/* One per thread: its address identifies the thread (lock_owner,
 * close_owner). */
static _Thread_local char tls_marker;
#define SELF ((uintptr_t)&tls_marker)

/* The broker whose loop-side delivery (wake_cb, hold_timer_cb, advance)
 * runs on this thread, or NULL. */
static _Thread_local wes_broker_t *tls_loop_host;

/* How many brokers' control locks this thread holds (provider ops run
 * under them). */
static _Thread_local unsigned tls_locks_held;

bool wes__broker_holds_lock(wes_broker_t *b) {
  return atomic_load_explicit(&b->lock_owner, memory_order_relaxed) == SELF;
}

bool wes__in_any_callback(void) { return wes__tls_in_cb || tls_locks_held > 0; }

bool wes__broker_in_callback(wes_broker_t *b) {
  return wes__broker_holds_lock(b) || tls_loop_host == b ||
         (wes__tls_cb_sub != NULL && wes__tls_cb_sub->b == b);
}

static void close_run(wes_broker_t *b);

/* Closes this thread requested from inside a callback of another broker
 * (wes_broker_close): listed here, marked with OTHER (never SELF, so no
 * frame of the closed broker takes them), run at the end of a broker
 * frame once the thread is inside no callback at all. */
static _Thread_local char tls_marker_other;
#define OTHER ((uintptr_t)&tls_marker_other)
static _Thread_local wes_broker_t *tls_closes;

static void run_other_closes(void) {
  while (tls_closes != NULL && !wes__in_any_callback() &&
         !wes__broker_in_callback(tls_closes)) {
    wes_broker_t *o = tls_closes;
    uintptr_t me = OTHER;
    tls_closes = o->close_next;
    if (atomic_compare_exchange_strong(&o->close_owner, &me, 0)) {
      close_run(o);
    }
  }
}

/* At the end of a broker frame: carries out a close this thread requested
 * from inside a callback, unless it is still inside another frame of the
 * broker. Returns true when it did: the broker may be gone. */
static bool close_pickup(wes_broker_t *b) {
  uintptr_t me = SELF;
  if (tls_closes != NULL) {
    run_other_closes();
  }
  if (atomic_load(&b->close_owner) != me || wes__broker_in_callback(b) ||
      !atomic_compare_exchange_strong(&b->close_owner, &me, 0)) {
    return false;
  }
  close_run(b);
  return true;
}

bool wes__broker_close_pickup(wes_broker_t *b) { return close_pickup(b); }

/* ---- queued unregistrations ---- */

wes_hresult_t wes__broker_defer_unregister(wes_broker_t *b, wes_provider_t *p) {
  wes_provider_t *it;
  wes_hresult_t hr = WES_E_INVALID_PARAMETER;
  wes__broker_lock(b);
  for (it = b->providers; it != NULL && it != p; it = it->next) {
  }
  if (it != NULL && !p->unreg_pending) {
    p->unreg_pending = 1;
    p->unreg_next = b->unregs;
    b->unregs = p;
    hr = WES_S_OK;
  }
  wes__broker_unlock(b); /* not the outermost: the caller holds it */
  return hr;
}

/* This thread runs the queue (no nesting: an unregistration queued by a
 * cancel_query of the one running is taken by the loop below). */
static _Thread_local int tls_unregs_busy;

/* After the outermost unlock: runs the queued unregistrations, each as a
 * plain wes_broker_unregister_provider (a pointer it takes off the queue
 * under the lock is only compared, never read, until found registered;
 * a close in between frees it and clears the queue). */
static void run_unregs(wes_broker_t *b) {
  if (tls_unregs_busy) {
    return;
  }
  tls_unregs_busy = 1;
  for (;;) {
    wes_provider_t *p;
    uv_mutex_lock(&b->lock);
    p = b->unregs;
    if (p != NULL) {
      b->unregs = p->unreg_next;
    }
    uv_mutex_unlock(&b->lock);
    if (p == NULL) {
      break;
    }
    (void)wes_broker_unregister_provider(b, p);
  }
  tls_unregs_busy = 0;
}

/* ---- lock ---- */

void wes__broker_lock(wes_broker_t *b) {
  uv_mutex_lock(&b->lock);
  if (b->lock_depth++ == 0) {
    atomic_store_explicit(&b->lock_owner, SELF, memory_order_relaxed);
    tls_locks_held++;
  }
}

void wes__broker_unlock(wes_broker_t *b) {
  bsub_t *finals = NULL;
  size_t n = 0;
  bool outermost = b->lock_depth == 1, unregs = false;
  if (outermost) {
    unregs = b->unregs != NULL;
    if (b->finals_head != NULL) {
      finals = b->finals_head;
      b->finals_head = b->finals_tail = NULL;
      n = 1;
    }
    atomic_store_explicit(&b->lock_owner, 0, memory_order_relaxed);
    tls_locks_held--;
  }
  b->lock_depth--;
  uv_mutex_unlock(&b->lock);
  if (n > 0) {
    /* the subscriptions' references may be the last ones on b */
    wes__broker_ref(b);
  }
  while (finals != NULL) {
    bsub_t *next = finals->final_next;
    finals->final_next = NULL;
    wes__sub_finalize(finals);
    wes__sub_unref(finals);
    finals = next;
  }
  if (unregs) {
    run_unregs(b);
  }
  if (outermost) {
    /* a close requested by a callback under the lock or by a final
     * status above; the callers of this function touch the broker no
     * more after it (or hold references of their own) */
    (void)close_pickup(b);
  }
  if (n > 0) {
    wes__broker_unref(b);
  }
}

void wes__broker_defer_final(wes_broker_t *b, bsub_t *sub) {
  /* linked through the subscription: deferring never allocates, so a
   * final status is never sent with the control lock held */
  sub->final_next = NULL;
  wes__sub_ref(sub);
  if (b->finals_tail != NULL) {
    b->finals_tail->final_next = sub;
  } else {
    b->finals_head = sub;
  }
  b->finals_tail = sub;
}

/* ---- refcount ---- */

wes_broker_t *wes__broker_ref(wes_broker_t *b) {
  wes__ref_inc(&b->ref);
  return b;
}

static void broker_free(wes_broker_t *b) {
  wes__free(b->scratch);
  bns_t *ns = b->namespaces;
  while (ns != NULL) {
    bns_t *next = ns->next;
    wes_namespace_unref(ns->ns);
    wes_sd_unref(ns->sd);
    wes__free(ns->name);
    wes__free(ns);
    ns = next;
  }
  wes_clock_unref(b->clock);
  wes_access_cache_free(b->acache);
  uv_mutex_destroy(&b->lock);
  uv_mutex_destroy(&b->snap_lock);
  uv_mutex_destroy(&b->rd_lock);
  wes__free(b);
}

void wes__broker_unref(wes_broker_t *b) {
  if (b != NULL && wes__ref_dec(&b->ref)) {
    broker_free(b);
  }
}

/* ---- options ---- */

WES_API void wes_broker_options_init(wes_broker_options_t *opts) {
  if (opts == NULL) {
    return;
  }
  memset(opts, 0, sizeof(*opts));
  opts->size = (uint32_t)sizeof(*opts);
  opts->queue_limit = 10000;
  opts->overflow_policy = WES_OVERFLOW_DROP_NEWEST;
  opts->block_timeout_ms = 2000;
  opts->callback_budget_ms = 100;
  opts->temp_subscriptions_total = 10000;
  opts->temp_subscriptions_per_user = 1000;
  opts->drop_event_interval_ms = 1000;
  opts->spin_us = 4;
}

/* ---- namespaces ---- */

static char *ns_normalise(const char *name) {
  char *s = wes__strdup(name);
  char *p;
  if (s == NULL) {
    return NULL;
  }
  for (p = s; *p != '\0'; p++) {
    if (*p == '/') {
      *p = '\\';
    }
  }
  return s;
}

bns_t *wes__broker_find_ns(wes_broker_t *b, const char *name) {
  bns_t *ns;
  char *norm;
  if (name == NULL) {
    return NULL;
  }
  norm = ns_normalise(name);
  if (norm == NULL) {
    return NULL;
  }
  for (ns = b->namespaces; ns != NULL; ns = ns->next) {
    if (wes__strcasecmp(ns->name, norm) == 0) {
      break;
    }
  }
  wes__free(norm);
  return ns;
}

static wes_hresult_t add_ns(wes_broker_t *b, const char *name, wes_sd_t *sd,
                            bns_t **ret, wes_error_t *err) {
  bns_t *ns;
  wes_hresult_t hr;
  const char *p;
  if (name[0] == '\0' || strlen(name) > WES_MAX_IDENTIFIER) {
    return wes__error(err, WES_E_INVALID_PARAMETER, 0, 0,
                      "namespace name must be 1..255 bytes");
  }
  for (p = name; *p != '\0'; p++) {
    if (*p == ':' || *p == '"' || (unsigned char)*p < 0x20) {
      return wes__error(err, WES_E_INVALID_PARAMETER, 0, 0,
                        "namespace name '%s' has a character not allowed",
                        name);
    }
  }
  if (wes__broker_find_ns(b, name) != NULL) {
    return wes__error(err, WES_E_ALREADY_EXISTS, 0, 0, "namespace '%s' exists",
                      name);
  }
  ns = wes__calloc(1, sizeof(*ns));
  if (ns == NULL) {
    return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  ns->name = ns_normalise(name);
  if (ns->name == NULL) {
    wes__free(ns);
    return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  hr = wes_namespace_new(name, &ns->ns);
  if (WES_FAILED(hr)) {
    wes__free(ns->name);
    wes__free(ns);
    return wes__error(err, hr, 0, 0, "cannot create namespace '%s'", name);
  }
  if (sd != NULL) {
    ns->sd = wes_sd_ref(sd);
  } else {
    hr = wes__bsec_default_ns_sd(&ns->sd);
    if (WES_FAILED(hr)) {
      wes_namespace_unref(ns->ns);
      wes__free(ns->name);
      wes__free(ns);
      return wes__error(err, hr, 0, 0, "cannot build the default SD");
    }
  }
  {
    const wes_class_t *ev = wes_namespace_get_class(ns->ns, "__Event");
    ns->have_sd_handle =
        ev != NULL && WES_SUCCEEDED(wes_class_get_handle(
                          ev, "SECURITY_DESCRIPTOR", &ns->sd_handle));
  }
  ns->next = b->namespaces;
  b->namespaces = ns;
  if (ret != NULL) {
    *ret = ns;
  }
  return WES_S_OK;
}

WES_API wes_hresult_t wes_broker_add_namespace(wes_broker_t *broker,
                                               const char *name, wes_sd_t *sd,
                                               wes_namespace_t **ret_ns,
                                               wes_error_t *reterr) {
  bns_t *ns = NULL;
  wes_hresult_t hr;
  if (broker == NULL || name == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "broker and name are required");
  }
  if (atomic_load(&broker->closing)) {
    return wes__error(reterr, WES_E_SHUTTING_DOWN, 0, 0,
                      "the broker is closing");
  }
  wes__broker_lock(broker);
  hr = add_ns(broker, name, sd, &ns, reterr);
  wes__broker_unlock(broker);
  if (WES_SUCCEEDED(hr) && ret_ns != NULL) {
    *ret_ns = ns->ns;
  }
  return hr;
}

WES_API wes_namespace_t *wes_broker_get_namespace(wes_broker_t *broker,
                                                  const char *name) {
  bns_t *ns;
  wes_namespace_t *r = NULL;
  if (broker == NULL || name == NULL) {
    return NULL;
  }
  wes__broker_lock(broker);
  ns = wes__broker_find_ns(broker, name);
  if (ns != NULL) {
    r = ns->ns;
  }
  wes__broker_unlock(broker);
  return r;
}

WES_API wes_hresult_t wes_broker_set_namespace_security(wes_broker_t *broker,
                                                        const char *name,
                                                        wes_sd_t *sd) {
  bns_t *ns;
  wes_hresult_t hr = WES_S_OK;
  if (broker == NULL || name == NULL || sd == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (atomic_load(&broker->closing)) {
    return WES_E_SHUTTING_DOWN;
  }
  wes__broker_lock(broker);
  ns = wes__broker_find_ns(broker, name);
  if (ns == NULL) {
    hr = WES_E_INVALID_NAMESPACE;
  } else {
    wes_sd_t *old = ns->sd;
    ns->sd = wes_sd_ref(sd);
    wes_sd_unref(old);
  }
  wes__broker_unlock(broker);
  return hr;
}

/* ---- clock ---- */

uint64_t wes__broker_now_ms(wes_broker_t *b) {
  return wes_clock_now_ms(b->clock);
}

WES_API wes_clock_t *wes_broker_get_clock(wes_broker_t *broker) {
  return broker != NULL ? broker->clock : NULL;
}

/* ---- ready list, batch timers and the delivery pass ---- */

static void wake_cb(wes__ingress_t *item);

static void post_wake(wes_broker_t *b) {
  /* Refused only once the loop is closing; then the close has released
   * (or is about to release) every subscription already. */
  (void)wes__loop_post(b->loop, &b->wake_item);
}

void wes__broker_mark_ready(wes_broker_t *b, bsub_t *sub) {
  bsub_t *top;
  /* Called with sub->qlock held and the queue open (or from sub_end),
   * so the loop is not closed before the post below returns. */
  if (atomic_load(&sub->ready) || atomic_exchange(&sub->ready, 1)) {
    /* Linked already and not yet taken off the list: the loop clears the
     * flag before it takes qlock to swap the queue, and this runs under
     * qlock, so what was just queued is seen by that swap. */
    return;
  }
  wes__sub_ref(sub);
  /* Push onto the ready stack. Only the loop takes from it, and it takes
   * everything at once, so a push cannot meet the ABA problem. */
  top = atomic_load(&b->ready_top);
  do {
    sub->ready_next = top;
  } while (!atomic_compare_exchange_weak(&b->ready_top, &top, sub));
  if (top == NULL && !atomic_exchange(&b->wake_pending, 1)) {
    post_wake(b);
  }
}

static void hold_timer_cb(wes__timer_t *t);

/* After a delivery: keeps the subscription's batch timer in step with the
 * deadline of its held batch (started on the edge to holding, moved when
 * the held batch changes, stopped when nothing is held), or with the end
 * of the rate-limit interval of a held-back drop report, whichever comes
 * first. A pending timer holds a reference on the subscription; this may
 * drop it (the caller must hold another one or not touch `sub`
 * afterwards). Loop thread. */
static void hold_update(wes_broker_t *b, bsub_t *sub) {
  struct hold_s *h = sub->hold;
  uint64_t d = sub->hold_deadline;
  subrep_t *rep = atomic_load_explicit(&sub->rep, memory_order_acquire);
  uint64_t due = rep != NULL ? rep->report_due : 0;
  if (due != 0 && (d == 0 || d == HELD_NO_DEADLINE || due < d)) {
    d = due;
  }
  if (d != 0 && d != HELD_NO_DEADLINE &&
      atomic_load(&sub->state) == SUB_ALIVE) {
    if (h == NULL) {
      h = wes__calloc(1, sizeof(*h));
      if (h == NULL) {
        return; /* the next event on this subscription retries */
      }
      wes__timer_init(b->loop, &h->timer, hold_timer_cb, sub);
      sub->hold = h;
    }
    if (h->armed == d && wes__timer_is_active(&h->timer)) {
      return;
    }
    if (WES_SUCCEEDED(wes__timer_start(&h->timer, d))) {
      if (h->armed == 0) {
        wes__sub_ref(sub);
      }
      h->armed = d;
      return;
    }
    /* closing, or no memory: stop; the next event on it retries */
  }
  if (h != NULL && h->armed != 0) {
    wes__timer_stop(&h->timer);
    h->armed = 0;
    wes__sub_unref(sub);
  }
}

static void hold_timer_cb(wes__timer_t *t) {
  bsub_t *sub = t->data;
  wes_broker_t *b = sub->b;
  wes_broker_t *prev_host = tls_loop_host;
  tls_loop_host = b;
  /* the timer's reference (armed != 0) keeps sub alive until hold_update
   * restarts the timer or drops it */
  wes__deliver_sub(b, sub, wes__broker_now_ms(b));
  hold_update(b, sub);
  tls_loop_host = prev_host;
  if (!b->manual) {
    (void)close_pickup(b); /* manual: wes_broker_advance does it */
  }
}

/* One pass over the ready list. Returns the number of subscriptions
 * visited. */
static size_t run_pass(wes_broker_t *b) {
  bsub_t *list, *sub;
  uint64_t now = wes__broker_now_ms(b);
  size_t visited = 0;
  bsub_t *fifo = NULL;
  list = atomic_exchange(&b->ready_top, NULL);
  /* the stack holds the latest first: deliver in marking order */
  while (list != NULL) {
    sub = list;
    list = sub->ready_next;
    sub->ready_next = fifo;
    fifo = sub;
  }
  list = fifo;
  while (list != NULL) {
    /* A subscription keeps its ready flag until it is taken off this list,
     * so nobody relinks it (ready_next) before that; what is queued after
     * the flag drops marks it again for the next pass. */
    sub = list;
    list = sub->ready_next;
    if (list != NULL) {
      /* the next subscription's queue and delivery lines, while this
       * one is delivered */
      WES__PREFETCH(list);
      WES__PREFETCH(&list->cblock);
    }
    atomic_store(&sub->ready, 0);
    /* A close requested by a callback stops deliveries at once; the
     * close itself marks every subscription ready again to release it. */
    if (!atomic_load(&b->closing) || atomic_load(&sub->state) != SUB_ALIVE) {
      /* `now` follows the clock through the pass: each callback's end
       * is the next one's start (deliver.c) */
      now = wes__deliver_sub(b, sub, now);
    }
    hold_update(b, sub);
    wes__sub_unref(sub);
    visited++;
  }
  return visited;
}

static void broker_run(wes_broker_t *b) {
  int guard;
  /* Deliveries may make more subscriptions ready (consumers republishing);
   * bound the passes so one wake-up cannot spin forever. */
  for (guard = 0; guard < 64; guard++) {
    if (run_pass(b) == 0 || atomic_load(&b->ready_top) == NULL) {
      break;
    }
  }
}

/* How long the loop waits, spinning, for more events before it sleeps,
 * and how many such rounds one wake-up may run before it yields to the
 * rest of the loop. While the loop spins, wake_pending stays set, so
 * indicating threads queue without the wake-up (a lock, an eventfd write
 * and the loop's epoll round trip), which otherwise dominates the cost
 * of a steady stream once the loop drains faster than a provider fills. */
#define SPIN_ROUNDS 256

static unsigned online_cpus(void) {
#if UV_VERSION_HEX >= 0x012c00
  return uv_available_parallelism();
#else
  uv_cpu_info_t *info = NULL;
  int n = 0;
  if (uv_cpu_info(&info, &n) != 0) {
    return 1;
  }
  uv_free_cpu_info(info, n);
  return n > 0 ? (unsigned)n : 1u;
#endif
}

/* Spins (up to b->spin_ns) until a subscription is ready; returns 1 if
 * one is. The first SPIN_GAP_NS it does not look: events that arrive
 * meanwhile gather in their queues and the next pass takes them together,
 * instead of every event costing the indicating thread a cache-line
 * exchange with the loop (the queue lock, the ready list). */
#define SPIN_GAP_NS 2000u

static int spin_for_more(wes_broker_t *b) {
  uint64_t start = uv_hrtime(), now;
  unsigned i;
  for (i = 0;; i++) {
    if ((i & 15u) == 15u) {
      now = uv_hrtime();
      if (now - start >= b->spin_ns) {
        return atomic_load_explicit(&b->ready_top, memory_order_acquire) !=
               NULL;
      }
      if (now - start >= SPIN_GAP_NS &&
          atomic_load_explicit(&b->ready_top, memory_order_acquire) !=
              NULL) {
        return 1;
      }
    }
    wes__cpu_relax();
  }
}

static void wake_cb(wes__ingress_t *item) {
  wes_broker_t *b = item->data;
  wes_broker_t *prev_host = tls_loop_host;
  int again, rounds;
  tls_loop_host = b;
  /* wake_pending stays set while this runs: marks made meanwhile are
   * picked up by the passes or by the re-post below. */
  broker_run(b);
  for (rounds = 0; b->spin_ns != 0 && rounds < SPIN_ROUNDS &&
                   !atomic_load(&b->closing) && spin_for_more(b);
       rounds++) {
    broker_run(b);
  }
  /* Clear the pending mark, then look again: a subscription pushed
   * before the clear was seen here, one pushed after sees the mark clear
   * and posts; the exchange makes sure only one of them posts. */
  atomic_store(&b->wake_pending, 0);
  again = atomic_load(&b->ready_top) != NULL;
  if (again && !atomic_exchange(&b->wake_pending, 1)) {
    post_wake(b);
  }
  tls_loop_host = prev_host;
  if (!b->manual) {
    (void)close_pickup(b); /* manual: wes_broker_advance does it */
  }
}

/* ---- close completion ---- */

static void close_finish(wes_broker_t *b) {
  wes_broker_close_cb cb = b->close_cb;
  void *data = b->close_data;
  if (cb != NULL) {
    cb(data);
  }
}

/* The loop closed (embedded: its handles are closed; manual: at once;
 * own thread: on the broker thread just before it ends). */
static void loop_closed(void *arg) {
  wes_broker_t *b = arg;
  if (b->close_detached) {
    return; /* thread_done runs close_cb once the loop is freed */
  }
  close_finish(b);
  if (b->mode != WES_BROKER_OWN_THREAD) {
    wes__broker_unref(b); /* own thread: the joining closer does it */
  }
}

/* Own thread closed from itself: the last act of the broker thread,
 * after the loop is freed and the thread detached. */
static void thread_done(void *arg) {
  wes_broker_t *b = arg;
  wes_broker_close_cb cb = b->close_cb;
  void *data = b->close_data;
  wes__broker_unref(b); /* the user's reference */
  if (cb != NULL) {
    cb(data);
  }
}

/* Releases what is left and closes the loop. Loop thread. */
static void close_loop(wes_broker_t *b) {
  broker_run(b);
  wes__rdrop_close(b);
  wes__loop_close(b->loop, loop_closed, b);
}

static void close_item_cb(wes__ingress_t *item) { close_loop(item->data); }

static wes_hresult_t open_loop(wes_broker_t *b, uv_loop_t *uv,
                               wes_error_t *err) {
  wes_hresult_t hr;
  if (b->mode == WES_BROKER_OWN_THREAD) {
    hr = wes__loop_new_thread(b->clock, &b->loop);
  } else {
    hr = wes__loop_new(uv, b->clock, &b->loop);
  }
  if (WES_FAILED(hr)) {
    int uverr = wes__loop_last_uv_error();
    b->loop = NULL;
    if (uverr == 0) {
      return wes__error(err, hr, 0, 0, "cannot create the broker loop");
    }
    hr = wes__error(err, WES_E_FAILED, 0, 0,
                    "cannot create the broker loop: %s", uv_strerror(uverr));
    if (err != NULL) {
      err->sys_error = uverr;
    }
    return hr;
  }
  b->wake_item.cb = wake_cb;
  b->wake_item.data = b;
  b->close_item.cb = close_item_cb;
  b->close_item.data = b;
  if (b->mode == 0) {
    /* The wake-up keeps the caller's loop alive until wes_broker_close
     * (like any open handle): cross-thread indications must find the
     * loop running. */
    wes__loop_keepalive(b->loop, true);
  }
  return WES_S_OK;
}

/* ---- creation ---- */

WES_API wes_hresult_t wes_broker_new(struct uv_loop_s *loop,
                                     const wes_broker_options_t *opts,
                                     wes_broker_t **ret_broker,
                                     wes_error_t *reterr) {
  wes_broker_t *b;
  wes_broker_options_t o;
  wes_hresult_t hr;
  uint32_t mode;
  wes_broker_options_init(&o);
  if (ret_broker == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "ret_broker is required");
  }
  if (opts != NULL) {
    size_t n = opts->size;
    if (n < offsetof(wes_broker_options_t, reserved) ||
        n > sizeof(wes_broker_options_t)) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "options size %u is not a known size", (unsigned)n);
    }
    memcpy(&o, opts, n);
  }
  if (o.spin_us > 1000) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "spin_us %u is over 1000", (unsigned)o.spin_us);
  }
  mode = o.flags & (WES_BROKER_OWN_THREAD | WES_BROKER_MANUAL);
  if ((o.flags & ~(WES_BROKER_OWN_THREAD | WES_BROKER_MANUAL)) != 0 ||
      mode == (WES_BROKER_OWN_THREAD | WES_BROKER_MANUAL)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "unknown or conflicting broker flags 0x%x",
                      (unsigned)o.flags);
  }
  if ((mode == 0) != (loop != NULL)) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      mode == 0 ? "embedded mode needs a loop"
                                : "own-thread and manual modes take no loop");
  }
  if (o.queue_limit == 0 || o.overflow_policy > WES_OVERFLOW_BLOCK) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "queue_limit must be > 0 and overflow_policy known");
  }
  if (o.clock != NULL && mode == WES_BROKER_MANUAL &&
      wes_clock_kind(o.clock) == WES_CLOCK_REAL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "manual mode needs a manual or custom clock");
  }
  b = wes__calloc(1, sizeof(*b));
  if (b == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  wes__ref_init(&b->ref);
  b->opts = o;
  b->opts.clock = NULL;
  b->mode = mode;
  b->manual = mode == WES_BROKER_MANUAL;
  b->spin_ns = b->manual || o.spin_us == 0 || online_cpus() < 2
                   ? 0
                   : (uint64_t)o.spin_us * 1000u;
  b->next_query_id = 1;
  atomic_init(&b->closing, 0);
  atomic_init(&b->snap_dirty, 1);
  if (uv_mutex_init_recursive(&b->lock) != 0) {
    wes__free(b);
    return wes__error(reterr, WES_E_FAILED, 0, 0, "mutex init failed");
  }
  uv_mutex_init(&b->snap_lock);
  uv_mutex_init(&b->rd_lock);
  if (o.clock != NULL) {
    b->clock = wes_clock_ref(o.clock);
  } else if (b->manual) {
    hr = wes_clock_new_manual(0, &b->clock);
    if (WES_FAILED(hr)) {
      broker_free(b);
      return wes__error(reterr, hr, 0, 0, "cannot create the clock");
    }
  } else {
    hr = wes_clock_new_real(&b->clock);
    if (WES_FAILED(hr)) {
      broker_free(b);
      return wes__error(reterr, hr, 0, 0, "cannot create the clock");
    }
  }
  hr = wes_access_cache_new(wes_wmi_generic_mapping(), 0, &b->acache, reterr);
  if (WES_FAILED(hr)) {
    broker_free(b);
    return hr;
  }
  hr = add_ns(b, "root", NULL, NULL, reterr);
  if (WES_SUCCEEDED(hr)) {
    hr = add_ns(b, "root/cimv2", NULL, NULL, reterr);
  }
  if (WES_FAILED(hr)) {
    broker_free(b);
    return hr;
  }
  hr = open_loop(b, loop, reterr);
  if (WES_FAILED(hr)) {
    broker_free(b);
    return hr;
  }
  if (mode == WES_BROKER_OWN_THREAD) {
    hr = wes__loop_thread_start(b->loop);
    if (WES_FAILED(hr)) {
      int uverr = wes__loop_last_uv_error();
      (void)wes__loop_thread_stop(b->loop, NULL, NULL);
      broker_free(b);
      hr = wes__error(reterr, WES_E_FAILED, 0, 0,
                      "cannot start the broker thread: %s", uv_strerror(uverr));
      if (reterr != NULL) {
        reterr->sys_error = uverr;
      }
      return hr;
    }
  }
  *ret_broker = b;
  return WES_S_OK;
}

/* ---- manual mode ---- */

WES_API wes_hresult_t wes_broker_advance(wes_broker_t *broker, uint64_t ms) {
  wes_hresult_t hr;
  wes_broker_t *prev_host;
  int guard;
  if (broker == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!broker->manual || wes_clock_kind(broker->clock) != WES_CLOCK_MANUAL) {
    return WES_E_INVALID_OPERATION;
  }
  if (atomic_load(&broker->closing)) {
    return WES_E_SHUTTING_DOWN;
  }
  hr = ms > 0 ? wes_clock_manual_advance(broker->clock, ms) : WES_S_OK;
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (wes__tls_in_cb || wes__broker_in_callback(broker)) {
    /* from inside a callback (consumer or provider): time only; the
     * outer advance, or the next one, delivers what became due */
    return WES_S_OK;
  }
  if (atomic_exchange(&broker->advancing, 1)) {
    return WES_E_INVALID_OPERATION;
  }
  prev_host = tls_loop_host;
  tls_loop_host = broker;
  /* The loop's manual driver: the wake item (ready list), then the batch
   * timers due, in (deadline, start) order. Again while that made more
   * work due now (consumers republishing), bounded; not after a callback
   * asked for a close. */
  for (guard = 0; guard < 64; guard++) {
    if (atomic_load(&broker->closing) || wes__loop_run_due(broker->loop) == 0) {
      break;
    }
  }
  tls_loop_host = prev_host;
  atomic_store(&broker->advancing, 0);
  if (close_pickup(broker)) {
    /* a callback closed the broker: it is gone now (close_cb ran) */
    return WES_E_SHUTTING_DOWN;
  }
  return WES_S_OK;
}

/* ---- close ---- */

/* Ends everything (any thread, no broker lock held). */
static void close_body(wes_broker_t *b) {
  wes_provider_t *p;
  wes__broker_lock(b);
  /* every subscription ends once with SHUTTING_DOWN (cancel_query to the
   * providers covering it) */
  while (b->subs != NULL) {
    wes__sub_end(b->subs, WES_E_SHUTTING_DOWN);
  }
  /* providers: their sinks die, their handles go */
  p = b->providers;
  b->providers = NULL;
  b->unregs = NULL; /* queued ones are among them */
  while (p != NULL) {
    wes_provider_t *next = p->next;
    psink_t *r;
    size_t i;
    wes__psink_kill(p->mainp, WES_E_SHUTTING_DOWN);
    p->mainp->prov = NULL;
    for (r = p->restricted; r != NULL; r = r->rnext) {
      wes__psink_kill(r, WES_E_SHUTTING_DOWN);
      r->prov = NULL;
      r->in_list = 0;
    }
    wes_sink_unref(p->main);
    for (i = 0; i < p->nregs; i++) {
      wes_query_unref(p->regs[i].q);
      wes__free(p->regs[i].text);
    }
    wes__free(p->regs);
    wes__free(p->name);
    wes__free(p);
    p = next;
  }
  wes__broker_unlock(b); /* runs the final set_status calls */
  wes__snap_clear(b);
  wes__broker_lock(b);
  {
    bns_t *ns;
    for (ns = b->namespaces; ns != NULL; ns = ns->next) {
      wes_sink_t *s = ns->internal_sink;
      ns->internal_sink = NULL;
      ns->internal = NULL;
      if (s != NULL) {
        wes__psink_kill(wes__psink_from_sink(s), WES_E_SHUTTING_DOWN);
        wes__broker_unlock(b);
        wes_sink_unref(s);
        wes__broker_lock(b);
      }
    }
  }
  wes__broker_unlock(b);
}

/* The whole close, `closing` already set; the broker may be gone when
 * this returns. Not from inside a callback of the broker. */
static void close_run(wes_broker_t *b) {
  if (b->manual) {
    /* Never beside a delivery: wait until an advance running on another
     * thread (a deferred consumer's worker or a provider thread closes)
     * returns; it delivers nothing more once `closing` is set, and no
     * new one starts. The broker is freed at the end of this close, so
     * the mark is never cleared. */
    while (atomic_exchange(&b->advancing, 1)) {
      uv_sleep(1);
    }
  }
  close_body(b);
  if (b->mode == WES_BROKER_OWN_THREAD) {
    /* the rest runs on the broker thread: release what is staged, close
     * the loop, then close_cb */
    if (wes__loop_on_loop_thread(b->loop)) {
      /* closed from the broker thread itself (a callback): it cannot
       * join itself, so it ends on its own: frees the loop and the
       * broker, detaches, and runs close_cb as its last act */
      b->close_detached = 1;
      (void)wes__loop_thread_detach(b->loop, thread_done, b);
      (void)wes__loop_post(b->loop, &b->close_item);
      return;
    }
    (void)wes__loop_post(b->loop, &b->close_item);
    (void)wes__loop_thread_join(b->loop);
    wes__broker_unref(b);
    return;
  }
  if (b->mode == 0 && !wes__loop_on_loop_thread(b->loop)) {
    /* embedded, from another thread (a provider callback or a final
     * status there): the loop side closes on the loop thread */
    (void)wes__loop_post(b->loop, &b->close_item);
    return;
  }
  /* embedded: close_cb and the last unref run once the loop's handles are
   * closed (keep running the loop); manual: before this returns */
  close_loop(b);
}

WES_API wes_hresult_t wes_broker_close(wes_broker_t *broker,
                                       wes_broker_close_cb cb, void *data) {
  wes_broker_t *b = broker;
  if (b == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (atomic_exchange(&b->closing, 1)) {
    return WES_E_SHUTTING_DOWN;
  }
  b->close_cb = cb;
  b->close_data = data;
  if (wes__broker_in_callback(b)) {
    /* deliveries stop now (closing); the rest runs when this thread
     * leaves its outermost frame of the broker (close_pickup) */
    atomic_store(&b->close_owner, SELF);
    return WES_S_OK;
  }
  if (wes__in_any_callback()) {
    /* inside a callback of another broker: a close here could wait for
     * this broker's callbacks (or its thread); it runs when this thread
     * leaves its callbacks (the end of the other broker's frame) */
    atomic_store(&b->close_owner, OTHER);
    b->close_next = tls_closes;
    tls_closes = b;
    return WES_S_OK;
  }
  close_run(b);
  return WES_S_OK;
}

/* ---- stats ---- */

WES_API wes_hresult_t wes_broker_get_stats(wes_broker_t *broker,
                                           wes_broker_stats_t *ret_stats) {
  wes_provider_t *p;
  uint64_t np = 0;
  if (broker == NULL || ret_stats == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  memset(ret_stats, 0, sizeof(*ret_stats));
  wes__broker_lock(broker);
  for (p = broker->providers; p != NULL; p = p->next) {
    np++;
  }
  ret_stats->subscriptions = broker->nsubs;
  wes__broker_unlock(broker);
  ret_stats->providers = np;
  ret_stats->subscriptions_total = atomic_load(&broker->st_subs_total);
  ret_stats->indicated = atomic_load(&broker->st_indicated);
  ret_stats->delivered = atomic_load(&broker->st_delivered);
  ret_stats->dropped = atomic_load(&broker->st_dropped);
  ret_stats->over_budget = atomic_load(&broker->st_over_budget);
  ret_stats->drop_events = atomic_load(&broker->st_drop_events);
  ret_stats->snapshots = atomic_load(&broker->st_snapshots);
  return WES_S_OK;
}
