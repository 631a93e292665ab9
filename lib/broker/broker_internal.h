/* SPDX-License-Identifier: MIT */
/*
 * Broker internals: the broker, namespaces, providers, broker-issued sinks
 * (psink), subscriptions (bsub), the immutable subscription snapshot and
 * its index, and the delivery machinery.
 *
 * Locks (always taken in this order, never the other way):
 *   b->lock      recursive; control state (namespaces, providers, the
 *                subscription list, provider callbacks). Never held while a
 *                consumer callback runs on the loop.
 *   b->snap_lock load+ref of the current snapshot.
 *   sub->cblock  held around every consumer callback of that subscription;
 *                finalisation takes it to wait for a callback in progress,
 *                except from inside a broker callback, which only tries it
 *                (wes__sub_finalize). Never taken while holding b->lock.
 *   sub->qlock   the subscription's bounded queue.
 *   (the ready stack of subscriptions with queued events, b->ready_top,
 *   is lock-free: pushed with a compare-and-swap, taken whole by the
 *   loop with an exchange.)
 *   b->rd_lock   restricted sinks' filter-drop reports (drops.c).
 *   a deferred subscription's worker lock (defer.c): nothing is called
 *                with it held; its worker never takes sub->cblock.
 *
 * Waits for callbacks (the re-entrancy rule, DESIGN 4.21): a thread inside
 * any broker callback (wes__in_any_callback: a consumer's indicate or
 * set_status on the loop, on a defer worker or on the thread sending a
 * final status, a provider op) never waits for a callback running on
 * another thread. A cancel (or close) made there that finds the target's
 * callback in progress elsewhere records the end (sub->cancel_in_cb, or
 * the worker's owed flag in defer.c); the thread of that callback sends the
 * one final status when it returns. Only threads outside every callback
 * wait, and what they wait for never waits in turn, so no cycle forms.
 *   the loop's ingress lock (wes__loop_post), innermost; the loop module
 *                never calls back with it held.
 */
#ifndef WES_BROKER_INTERNAL_H
#define WES_BROKER_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <uv.h>

#include "internal.h"
#include "loop/loop.h"
#include "uthash_cfg.h"
#include "wes/broker.h"
#include "wes/clock.h"
#include "wes/query.h"
#include "wes/security.h"
#include "wes/sink.h"

typedef struct bns_s bns_t;
typedef struct psink_s psink_t;
typedef struct bsub_s bsub_t;
typedef struct snap_s snap_t;

/* ---- namespaces ---- */
struct bns_s {
  bns_t *next;
  char *name; /* '\' separators */
  wes_namespace_t *ns;
  wes_sd_t *sd;                /* namespace security */
  psink_t *internal;           /* sink for broker-raised events (admin SD) */
  wes_sink_t *internal_sink;   /* its wrapper (our reference) */
  wes_prop_handle_t sd_handle; /* __Event.SECURITY_DESCRIPTOR */
  int have_sd_handle;
};

/* ---- broker-issued sinks ---- */
#define PSINK_MAIN 1
#define PSINK_RESTRICTED 2
#define PSINK_OBJECT 3
#define PSINK_INTERNAL 4

/* One registration/restricted query with what coverage needs. */
typedef struct pquery_s {
  wes_query_t *q;
  char *text;
} pquery_t;

/* A subscription a restricted sink's callback table was told about. */
typedef struct rknown_s {
  struct rknown_s *next;
  uint32_t id;
} rknown_t;

/* ---- rate-limited reports of a restricted sink's filter drops ---- */
/* Events a restricted sink drops because they match none of its queries
 * surface as a rate-limited __EventDroppedEvent (drops.c). The loop
 * raises the report; one held back by the interval goes out when the
 * interval ends (a timer of the broker's heap). */
struct rdrop_s {
  /* under b->rd_lock */
  wes_object_t *last;  /* last event dropped, not yet reported */
  uint64_t unreported; /* dropped since the last report */
  psink_t *next;       /* in b's list of sinks to look at */
  uint8_t queued;      /* the loop knows (listed or timer armed); holds
                          a reference on the sink's wrapper */
  /* loop-private */
  uint8_t timer_init;
  uint8_t armed;        /* timer pending (in b->rd_armed) */
  uint64_t next_report; /* rate limit: no report before this */
  psink_t *armed_next;  /* in b->rd_armed */
  wes__timer_t timer;
};

struct psink_s {
  wes_broker_t *b; /* referenced */
  int kind;
  wes_sink_t *self;        /* the wrapper (not referenced) */
  wes_provider_t *prov;    /* MAIN/RESTRICTED; NULL after unregister
                              (under b->lock) */
  const void *prov_key;    /* the provider at creation: identity only,
                              never dereferenced, never changes */
  psink_t *parent;         /* RESTRICTED: the main sink (referenced) */
  wes_sink_t *parent_sink; /* RESTRICTED: reference on parent's wrapper */
  bns_t *ns;
  /* restricted queries and scoped callbacks */
  pquery_t *queries;
  size_t nqueries;
  const wes_provider_ops_t *cb_ops;
  void *cb_data;
  rknown_t *known; /* under b->lock */
  psink_t *rnext;  /* in the provider's restricted list */
  int in_list;
  /* state: 0 alive, else the failure code for every call */
  atomic_int dead;
  /* set_status(COMPLETE, failure) was reported (on this sink, or for a
   * restricted sink on its main sink): indicate fails with
   * WES_E_CALL_CANCELLED; the other calls keep working */
  atomic_int ended;
  /* batching (set_batching_parameters) */
  atomic_uint bflags;
  atomic_uint max_buffer;
  atomic_uint max_latency;
  atomic_int postfilter; /* 1: re-check WHERE (default) */
  /* security */
  uv_mutex_t sd_lock;
  wes_sd_t *sd;      /* set_sink_security, or NULL */
  atomic_int has_sd; /* sd != NULL: lets the hot path skip the lock */
  _Atomic(const wes_class_t *) ok_cls; /* last class that passed the
                                          event/namespace check */
  wes_token_t *publisher;              /* OBJECT: publisher token */
  /* stats, written by the indicating threads on every event: on cache
   * lines of their own, so that neither the fields above (read by every
   * thread) nor a neighbouring allocation shares them */
  char pad_st[64];
  atomic_uint_fast64_t st_indicated, st_matched, st_unmatched,
      st_dropped_restricted, st_rejected, st_dropped_security;
  char pad_end[64];
  struct rdrop_s rd; /* RESTRICTED: filter drop reports (drops.c) */
};

/* ---- providers ---- */
struct wes_provider_s {
  wes_provider_t *next;
  wes_broker_t *b;
  bns_t *ns;
  char *name;
  const wes_provider_ops_t *ops;
  void *data;
  pquery_t *regs;
  size_t nregs;
  wes_sink_t *main; /* the main sink wrapper (our reference) */
  psink_t *mainp;
  psink_t *restricted; /* restricted sinks (not referenced) */
  int provided;        /* provide_events called */
  int failed;
  /* unregistered from inside a provider op: queued (b->unregs, under
   * b->lock) until the lock's outermost holder lets go */
  int unreg_pending;
  wes_provider_t *unreg_next;
};

/* ---- subscriptions ---- */
/* bsub_t.pflags */
#define SUBF_SELECT_ALL 0x1u /* SELECT *: delivered without projection */
#define SUBF_ANY_DENIED 0x2u /* some cover was denied (once set, stays):
                                the event path must look at the covers */

#define INDEX_EXACT_SINT 1
#define INDEX_EXACT_UINT 2

#define SUB_ALIVE 0
#define SUB_ENDED 1

/* Deadline of a MUST_BATCH entry whose latency is WES_INFINITE. */
#define HELD_NO_DEADLINE UINT64_MAX

typedef struct qent_s {
  wes_object_t *obj;
  uint64_t seq;
  uint64_t deadline;   /* MUST_BATCH: enqueue time + latency */
  uint32_t max_buffer; /* MUST_BATCH */
  uint32_t bflags;
} qent_t;

/* A covering source of a subscription: a provider (restricted = 0) or a
 * restricted sink with a callback table (restricted = 1). Under qlock. */
typedef struct cover_s {
  void *src; /* NULL once the source went away */
  uint8_t restricted;
  uint8_t subject_to_sds; /* access_check said WBEM_S_SUBJECT_TO_SDS */
  uint8_t denied;         /* access_check / new_query refused: no events
                             from this source reach the subscription */
} cover_t;

/* The batch timer of a subscription (loop-private): one heap timer of
 * the loop, started for the deadline of the held MUST_BATCH batch.
 * While it is pending (armed != 0) it holds a reference on the
 * subscription. */
struct hold_s {
  wes__timer_t timer;
  uint64_t armed; /* deadline started for, 0 = not pending */
};

/* The report state of a subscription that dropped events or whose
 * consumer failed: most subscriptions never need it, so it is allocated
 * on first use (wes__sub_rep) instead of living in every bsub_t. */
typedef struct subrep_s {
  /* under qlock */
  uint64_t drops_unreported;
  uint64_t lost_unreported;
  wes_object_t *last_dropped;
  wes_object_t *last_lost; /* last matched event dropped for another
                              reason (security), not yet reported */
  /* the delivering thread (the drop fields under qlock too) */
  uint64_t next_drop_report; /* rate limit of overflow events */
  uint64_t next_lost_report; /* ... of __EventDroppedEvent */
  uint64_t next_fail_report; /* ... of __ConsumerFailureEvent */
  uint64_t report_due;       /* a drop report held back by the rate
                                limit is due then (0: none); the
                                batch timer is armed for it */
  /* under qlock: the last failure of a consumer running on a deferral
   * worker, for the loop to report (wes__report_failure_from_worker) */
  wes_object_t *fail_event;
  wes_hresult_t fail_hr;
} subrep_t;

/*
 * A subscription. The fields are grouped by the thread that writes them,
 * so the indicating threads and the delivering thread (loop or worker) do
 * not write the same cache lines: first what the indicating threads write
 * under qlock, then fields that are read on the event path but written
 * only on subscription changes (more than a cache line of them, which
 * keeps the two written groups apart), then what the delivering thread
 * writes.
 */
struct bsub_s {
  /* ---- written by indicating threads (under qlock) ---- */
  uv_mutex_t qlock;
  qent_t *ring;
  uint32_t cap, head, count;
  /* entries moved to the stage: raised under qlock, lowered by the
   * delivering thread without it (see wes__unstage) */
  atomic_uint staged;
  atomic_uint qwaiters; /* BLOCK: indicating threads waiting on qcond */
  /* references: taken by the ready stack on each queue's empty ->
   * non-empty edge, so it lives with the queue's line */
  wes__refcount_t ref;
  uint64_t seq;
  atomic_uint_fast64_t st_matched, st_dropped_overflow, st_dropped_security;
  /* drop and failure reports: made on the first drop or failure (under
   * qlock), NULL until then; freed with the subscription */
  _Atomic(struct subrep_s *) rep;
  bsub_t *ready_next; /* on the ready stack (b->ready_top), while ready */
  uv_cond_t *qcond; /* BLOCK policy only (room available), else NULL */
  uint8_t policy;   /* WES_OVERFLOW_* */
  uint8_t closed;   /* under qlock */
  uint8_t end_reported; /* under qlock: the drops of its end were
                           reported */
  uint8_t admin;        /* subscriber to __EventDroppedEvent family */
  atomic_uchar state;   /* SUB_* */
  atomic_uchar final_sent;
  /* on the ready stack: set (exchange) by the thread that pushes it,
   * cleared by the loop when it takes the subscription off */
  atomic_uchar ready;
  /* ended from inside a callback: its own (on the loop or its worker),
   * or another thread's that could not wait for the callback of this one
   * in progress; the thread of that callback sends the final status when
   * it returns (sub.c, defer.c) */
  atomic_uchar cancel_in_cb;
  /* ---- read on the event path, written on subscription changes ---- */
  wes_broker_t *b;
  bns_t *ns;
  wes_query_t *q;
  wes_token_t *token;
  cover_t *covers;
  uint16_t ncovers; /* slots of covers (under qlock and b->lock) */
  /* the WHERE is exactly the equality the index tests, with a signed
   * (INDEX_EXACT_SINT) or unsigned (INDEX_EXACT_UINT) integer constant:
   * an index hit of the same kind of value needs no re-evaluation (set
   * while building a snapshot, under b->lock, before publishing it) */
  uint8_t index_exact;
  atomic_uchar pflags; /* SUBF_*, set with atomic_fetch_or */
  uint32_t id;
  int32_t flags;
  wes_hresult_t end_hr;
  bsub_t *next, *prev; /* b->subs, under b->lock */
  bsub_t *final_next;  /* b->finals_head list, under b->lock */
  const char *user;     /* quota key: the quota entry's string (shared,
                           not owned); NULL once the quota is released */
  wes_sink_t *key_sink; /* the sink given by the consumer: identity
                           for cancel and stats (not referenced) */
  wes_enum_t *en;       /* semisynchronous enumerator or NULL */
  /* ---- written by the delivering thread ---- */
  uv_mutex_t cblock; /* callbacks */
  wes_sink_t *sink;  /* consumer, NULL once finalised; once deferred
                        its worker's sink (defer.c), kept until the
                        subscription is freed */
  /* loop-private stage */
  qent_t *stage;
  uint32_t nstage, stage_cap;
  struct hold_s *hold;       /* batch timer, made on the first hold */
  uint64_t hold_deadline;    /* 0 = none; HELD_NO_DEADLINE = infinite */
  atomic_uint_fast64_t st_delivered, st_batches, st_cb_max;
  atomic_uchar deferred; /* deliveries moved to a worker thread */
  uint8_t in_deliver;    /* loop-private: wes__deliver_sub in progress */
  /* counted on rare paths only */
  atomic_uint_fast64_t st_dropped_cancel, st_failures, st_over_budget;
};

/* ---- snapshot and index ---- */
/* One equality value of a group: the subscriptions whose key predicate
 * compares with a value of this hash. A slot of the group's open
 * addressing table, 16 bytes: `u.p` is 0 for an empty slot, the one
 * subscription itself (most equality values are used by one), or, with
 * its low bit set, an eqmany_t of several. */
typedef struct eqmany_s {
  uint32_t n, cap;
  bsub_t *subs[];
} eqmany_t;

typedef struct eqval_s {
  uint64_t hash;
  union {
    uintptr_t p;  /* 0: empty; low bit set: (eqmany_t *)(p - 1) */
    bsub_t *one;  /* otherwise */
  } u;
} eqval_t;

typedef struct eqgroup_s {
  const wes_query_pred_t *pred; /* representative: reads the value */
  char *path;                   /* lower-cased path */
  eqval_t *vals;                /* table of nvals_cap slots (a power of
                                   two, or 0), linear probing */
  uint32_t nvals, nvals_cap;
} eqgroup_t;

/* Start slot of a value hash in a table of `cap` slots (a power of two):
 * the hash is mixed first, value hashes of small integers are close. */
static inline uint32_t wes__eqval_slot(uint64_t h, uint32_t cap) {
  h ^= h >> 33;
  h *= UINT64_C(0xff51afd7ed558ccd);
  h ^= h >> 33;
  return (uint32_t)h & (cap - 1u);
}

/* The slot of hash h in g, or NULL. The snapshot is immutable: any
 * thread holding a reference may call this. */
static inline const eqval_t *wes__eqval_find(const eqgroup_t *g, uint64_t h) {
  uint32_t i;
  if (g->nvals_cap == 0) {
    return NULL;
  }
  for (i = wes__eqval_slot(h, g->nvals_cap);;
       i = (i + 1) & (g->nvals_cap - 1)) {
    const eqval_t *v = &g->vals[i];
    if (v->u.p == 0) {
      return NULL; /* the table is never full */
    }
    if (v->hash == h) {
      return v;
    }
  }
}

static inline uint32_t wes__eqval_count(const eqval_t *v) {
  return v->u.p == 0 ? 0u
         : (v->u.p & 1u) ? ((const eqmany_t *)(v->u.p - 1u))->n
                         : 1u;
}

static inline bsub_t *const *wes__eqval_subs(const eqval_t *v) {
  return (v->u.p & 1u) ? ((const eqmany_t *)(v->u.p - 1u))->subs
                       : &v->u.one;
}

typedef struct tbucket_s {
  const wes_class_t *target; /* NULL: the "any target" bucket */
  UT_hash_handle hh;
  eqgroup_t *groups;
  size_t ngroups;
  bsub_t **rest;
  size_t nrest, caprest;
} tbucket_t;

typedef struct cbucket_s {
  const wes_class_t *cls; /* event class */
  UT_hash_handle hh;
  tbucket_t any;
  tbucket_t *targets; /* uthash by target class pointer */
  wes_prop_handle_t ti; /* cls.TargetInstance, when have_ti */
  int have_ti;
} cbucket_t;

struct snap_s {
  wes__refcount_t ref;
  uint64_t gen; /* unique across brokers and time: keys the indicating
                   threads' route caches (deliver.c) */
  cbucket_t *classes; /* uthash by event class pointer; each subscription
                         is in exactly one bucket, referenced */
};

/* ---- the broker ---- */
struct wes_broker_s {
  wes__refcount_t ref; /* user + psinks */
  uv_mutex_t lock;     /* recursive control lock */
  wes_broker_options_t opts;
  uint32_t mode; /* WES_BROKER_OWN_THREAD / MANUAL / 0 */
  atomic_int closing;
  wes_clock_t *clock;
  int manual;
  /* loop (lib/loop): ingress, timer heap, own thread, manual driver */
  wes__loop_t *loop;
  wes__ingress_t wake_item;  /* runs the ready list; posted on the ready
                                list's empty -> non-empty edge */
  atomic_int wake_pending;   /* wake_item posted or running */
  wes__ingress_t close_item; /* own-thread close, run on the loop */
  wes_broker_close_cb close_cb;
  void *close_data;
  /* A close requested from inside a broker callback (broker.c): the
   * requesting thread's marker, 0 when none is pending. The outermost
   * broker frame of that thread carries the close out. */
  atomic_uintptr_t close_owner;
  /* A close requested from inside a callback of another broker: in the
   * requesting thread's list (broker.c), run once it left every callback. */
  wes_broker_t *close_next;
  /* Own thread closed from itself: nobody joins it; the thread frees the
   * loop and the broker and runs close_cb as its last act. */
  int close_detached;
  /* The thread marker of the control lock's holder, 0 when free. */
  atomic_uintptr_t lock_owner;
  /* state under lock */
  bns_t *namespaces;
  wes_provider_t *providers;
  wes_provider_t *unregs; /* queued unregistrations (under lock) */
  bsub_t *subs;
  size_t nsubs;
  struct quser_s *quota_users; /* uthash by user key */
  uint32_t next_query_id;
  int ids_wrapped; /* next_query_id went past 2^32 - 1 once */
  /* snapshot */
  uv_mutex_t snap_lock;
  snap_t *snap;
  atomic_int snap_dirty;
  /* ready subscriptions: a lock-free stack (each holds a reference),
   * pushed on a queue's empty -> non-empty edge, taken whole by the loop */
  _Atomic(bsub_t *) ready_top;
  uint64_t spin_ns; /* the loop's spin-wait for more (wake_cb), 0 = none */
  atomic_int advancing; /* manual: inside advance */
  /* restricted sinks with filter drops to report (drops.c) */
  uv_mutex_t rd_lock;
  psink_t *rd_head, *rd_tail; /* under rd_lock; each holds a reference */
  int rd_pending;             /* rd_item posted (rd_lock) */
  int rd_closed;              /* the loop is closing: no more posts */
  wes__ingress_t rd_item;
  psink_t *rd_armed; /* loop-private: sinks whose report timer is armed */
  /* recursive lock bookkeeping (changed only by the holder) */
  uint32_t lock_depth;
  /* finalisations after the outermost unlock (through final_next) */
  bsub_t *finals_head, *finals_tail;
  /* TIME_CREATED */
  atomic_uint_fast64_t last_time_created;
  wes_access_cache_t *acache; /* sink SD decisions */
  /* stats: what indicating threads count, then (a cache line apart) what
   * the delivering thread counts */
  char pad_ind[64];
  atomic_uint_fast64_t st_indicated, st_dropped;
  char pad_del[64];
  atomic_uint_fast64_t st_delivered, st_over_budget, st_drop_events;
  /* deliver()'s array for batches over its stack array: the delivering
   * thread's while scratch_busy is held (else it allocates) */
  wes_object_t **scratch;
  atomic_int scratch_busy;
  char pad_end[64];
  atomic_uint_fast64_t st_subs_total, st_snapshots;
};

/* ---- broker.c ---- */
void wes__broker_lock(wes_broker_t *b);
void wes__broker_unlock(wes_broker_t *b);
wes_broker_t *wes__broker_ref(wes_broker_t *b);
void wes__broker_unref(wes_broker_t *b);
bns_t *wes__broker_find_ns(wes_broker_t *b, const char *name);
uint64_t wes__broker_now_ms(wes_broker_t *b);
/* Pushes a subscription onto the ready stack (unless it is on it); on
 * the stack's empty -> non-empty edge, unless a wake-up is pending,
 * posts the broker's wake item to the loop (manual mode: it runs at the
 * next advance). Lock-free. */
void wes__broker_mark_ready(wes_broker_t *b, bsub_t *sub);
void wes__unstage(bsub_t *sub, uint32_t n);
/* Records a consumer call of `dt` ms (callback_ms_max; over the budget:
 * counted and logged, `where` completing the log line); returns 1 when it
 * was over the budget. The delivering thread. */
int wes__note_callback_time(bsub_t *sub, uint64_t dt, const char *where);
/* Hands a deferred subscription's worker the events `objs` (sequence
 * numbers from `ents`), as many as its queue takes (with sub->cblock
 * held, sub->sink its worker's sink); returns how many it took. Those
 * it did not take stay staged: the worker marks the subscription ready
 * once it has room again. */
uint32_t wes__defer_push(bsub_t *sub, wes_object_t *const *objs,
                         const qent_t *ents, uint32_t n);
/* Sends the consumer `sink` its one final set_status(COMPLETE,
 * sub->end_hr) and drops that reference, both as a callback of `sub`
 * (the thread-local callback state set around them). */
void wes__send_final(bsub_t *s, wes_sink_t *sink);
/* A deferral worker's consumer call failed: noted in the subscription's
 * report state and the subscription made ready, so the loop raises the
 * rate-limited __ConsumerFailureEvent (Event = `event`). Any thread not
 * holding sub->qlock. */
void wes__report_failure_from_worker(bsub_t *sub, wes_object_t *event,
                                     wes_hresult_t hr);
/* The subscription's report state, made if absent; NULL when out of
 * memory (the drop is still counted, only its report is lost). With
 * sub->qlock held. */
subrep_t *wes__sub_rep(bsub_t *sub);
/* Queues a finalisation to run when the outermost lock is released. */
void wes__broker_defer_final(wes_broker_t *b, bsub_t *sub);

/* True when the calling thread is inside a callback of `b` (it holds the
 * control lock, runs a consumer callback of b, or is inside the loop-side
 * delivery of b): a close from here is deferred (wes_broker_close). */
bool wes__broker_in_callback(wes_broker_t *b);
/* True when the calling thread holds b's control lock (e.g. it runs a
 * provider op). */
bool wes__broker_holds_lock(wes_broker_t *b);
/* True when the calling thread is inside a callback of any broker: a
 * consumer's indicate or set_status (loop, defer worker, final status),
 * or it holds some broker's control lock (provider ops run under it).
 * Such a thread never waits for another thread's callback. */
bool wes__in_any_callback(void);
/* At the end of a broker frame that is not a control call (a defer
 * worker after the consumer's callback returned): carries out a close
 * this thread requested from inside that callback. Returns true when it
 * did (the broker may be gone unless the caller holds a reference). */
bool wes__broker_close_pickup(wes_broker_t *b);
/* wes_broker_unregister_provider from inside a provider op (the caller
 * holds the control lock): queues it; it runs when the lock's outermost
 * holder releases it. Returns WES_S_OK, WES_E_INVALID_PARAMETER (not a
 * registered provider, or already queued). */
wes_hresult_t wes__broker_defer_unregister(wes_broker_t *b, wes_provider_t *p);

/* ---- psink.c ---- */
wes_hresult_t wes__psink_new(wes_broker_t *b, int kind, bns_t *ns,
                             wes_provider_t *prov, psink_t **ret_p,
                             wes_sink_t **ret_sink);
/* Marks dead with code (CALL_CANCELLED / SHUTTING_DOWN). */
void wes__psink_kill(psink_t *p, wes_hresult_t code);
psink_t *wes__psink_from_sink(const wes_sink_t *sink);
/* Routes n objects from an internal source (overflow events). */
void wes__psink_route(psink_t *p, wes_object_t *const *objs, size_t n);

/* ---- sub.c ---- */
bsub_t *wes__sub_ref(bsub_t *s);
void wes__sub_unref(bsub_t *s);
/* Ends a subscription (under b->lock): unlinks it, cancel_query to its
 * providers, closes its queue; the final status follows (now or after the
 * lock / its callback). */
void wes__sub_end(bsub_t *s, wes_hresult_t hr);
/* Sends the final status once and drops the sink (never under b->lock).
 * Outside every broker callback it waits for a callback of `s` in
 * progress; inside one (wes__in_any_callback) it never waits: if the
 * callback of `s` is in progress on another thread, that thread sends the
 * final status when it returns. */
void wes__sub_finalize(bsub_t *s);
/* Loop thread, after wes__deliver_sub saw `s` ended (cblock not held):
 * sends a final status a callback on another thread left to the loop. */
void wes__sub_final_owed(bsub_t *s);
/* Snapshot */
snap_t *wes__snap_get(wes_broker_t *b);
void wes__snap_put(snap_t *s);
void wes__snap_invalidate(wes_broker_t *b);
void wes__snap_clear(wes_broker_t *b);
/* Coverage of providers for one subscription / one provider. */
wes_hresult_t wes__cover_sub(wes_broker_t *b, bsub_t *s, wes_error_t *err);
void wes__cover_provider(wes_broker_t *b, wes_provider_t *p);
void wes__restricted_attach(wes_broker_t *b, psink_t *r);
void wes__cover_forget(wes_broker_t *b, void *src, int tell);
void wes__cover_recheck(wes_broker_t *b, void *src);
void wes__quota_free_all(wes_broker_t *b);
/* With s->cblock held after a callback: the final status if the
 * subscription was ended from inside that callback, or from inside a
 * callback on another thread meanwhile (cancel_in_cb). */
void wes__sub_final_after_cb(bsub_t *s);

/* ---- deliver.c ---- */
/* Matches one event against the snapshot and enqueues hits (any thread). */
void wes__route_event(psink_t *p, snap_t *snap, wes_object_t *obj);
/* Delivers what is queued for one subscription (loop). */
/* Delivers what is queued for `sub` (loop thread). `now` is a clock
 * reading taken just before; returns the latest reading, taken after the
 * last consumer callback (or `now` when none ran). */
uint64_t wes__deliver_sub(wes_broker_t *b, bsub_t *sub, uint64_t now);
/* Consumer callbacks with budget measurement. */
void wes__stage_clear(bsub_t *sub);
/* With b->lock held, after wes__sub_end closed the queue: raises one
 * __EventDroppedEvent for what the end released undelivered (event =
 * `obj`, the last of them; consumes the reference). */
void wes__report_end_drops(bsub_t *sub, wes_object_t *obj);

/* Raises a plain __EventDroppedEvent (Event = `dropped`, borrowed) in
 * namespace `ns` to whoever subscribes to it (deliver.c). */
void wes__raise_dropped(wes_broker_t *b, bns_t *ns, wes_object_t *dropped);

/* ---- drops.c ---- */
/* A restricted sink dropped `obj` (none of its queries match): counted
 * for a rate-limited __EventDroppedEvent. Any thread. */
void wes__rdrop_note(psink_t *p, wes_object_t *obj);
/* Loop thread, before the loop closes: forgets pending reports, stops
 * their timers and releases the sinks they held. */
void wes__rdrop_close(wes_broker_t *b);
/* ps_destroy: what a sink's report state still holds. */
void wes__rdrop_free(psink_t *p);

/* ---- defer.c ---- */
/* Moves a subscription's deliveries to a worker thread of its own:
 * *ret_sink (new) queues what the loop hands it (sequence numbers from
 * wes__tls_cb_seq) and the worker calls sub->sink with it. With
 * sub->cblock held. Returns WES_S_OK, WES_E_OUT_OF_MEMORY, WES_E_FAILED
 * (no thread). */
wes_hresult_t wes__defer_new(bsub_t *sub, wes_sink_t **ret_sink);
/* The final status of a deferred subscription (sub->final_sent just
 * set): releases what the worker still holds (counted as
 * dropped_cancel), sends set_status(COMPLETE, end_hr) to the consumer on
 * the calling thread and drops the consumer's reference. If the worker
 * is inside the consumer's callback: with `wait` (a caller outside every
 * callback) it waits for that callback to return first; without, it
 * records the end and returns at once, and the worker does all this when
 * the callback returns. On the worker itself it never waits. */
void wes__defer_finish(bsub_t *sub, bool wait);

/* ---- sec.c ---- */
wes_hresult_t wes__bsec_default_ns_sd(wes_sd_t **ret);
wes_hresult_t wes__bsec_admin_sd(wes_sd_t **ret);
/* WES_S_OK when granted, WES_E_ACCESS_DENIED when not. */
wes_hresult_t wes__bsec_check(const wes_sd_t *sd, const wes_token_t *tok,
                              uint32_t rights);
/* Checks a binary SD (an event's SECURITY_DESCRIPTOR). */
wes_hresult_t wes__bsec_check_binary(const void *sd, size_t len,
                                     const wes_token_t *tok, uint32_t rights);
/* The token's user SID text (quota key), new string. */
char *wes__bsec_user_key(const wes_token_t *tok);

/* Thread-local callback context (deliver.c). */
extern _Thread_local bsub_t *wes__tls_cb_sub;
extern _Thread_local uint64_t wes__tls_cb_seq;
extern _Thread_local int wes__tls_in_cb;

#endif /* WES_BROKER_INTERNAL_H */
