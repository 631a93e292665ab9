/* SPDX-License-Identifier: MIT */
/*
 * wes broker: the WMI event subsystem. Namespaces, event providers,
 * temporary event consumers (ExecNotificationQuery[Async] and
 * CancelAsyncCall), the subscription index and the delivery path.
 * See docs/broker.md for the narrative and docs/threading.md for threads.
 *
 * Modes (wes_broker_options_t.flags):
 *   - embedded (default): the broker lives on the caller's libuv loop;
 *     deliveries run in that loop's callbacks.
 *   - WES_BROKER_OWN_THREAD: the broker creates a loop and a thread.
 *   - WES_BROKER_MANUAL: no loop and no wall clock. Time is virtual and
 *     nothing is delivered until wes_broker_advance, which delivers on the
 *     calling thread, deterministically.
 *
 * Threads: unless stated otherwise a function may be called from any
 * thread, including from inside a provider or consumer callback, in every
 * mode (the broker's control lock is recursive; what cannot happen inside
 * the callback is queued and takes effect after it returns: a cancel from
 * inside the consumer's own callback, wes_broker_close, and
 * wes_broker_unregister_provider from inside a provider op; see each).
 * A call made from inside any broker callback never waits for a callback
 * running on another thread (see wes_broker_cancel_async_call).
 * Consumer callbacks (indicate, set_status) run on the loop thread
 * (manual mode: inside wes_broker_advance), never concurrently for one
 * subscription; a subscription moved to a worker (WES_FLAG_DEFER_SLOW)
 * gets its indicate calls on that worker thread, and its final set_status
 * on the thread that ended it (see wes_broker_cancel_async_call).
 */
#ifndef WES_BROKER_H
#define WES_BROKER_H

#include "cim.h"
#include "clock.h"
#include "provider.h"
#include "security.h"
#include "sink.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uv_loop_s;

typedef struct wes_broker_s wes_broker_t;
typedef struct wes_provider_s wes_provider_t;
typedef struct wes_enum_s wes_enum_t;

/* ---- options ---- */

/* wes_broker_options_t.flags */
#define WES_BROKER_OWN_THREAD 0x1u /* run a private loop on a new thread */
#define WES_BROKER_MANUAL 0x2u     /* virtual time, wes_broker_advance */

/* Overflow policies (DESIGN 4.17). */
#define WES_OVERFLOW_DROP_NEWEST 0u /* default */
#define WES_OVERFLOW_DROP_OLDEST 1u
/* Block the indicating thread up to block_timeout_ms, then drop newest.
 * Inside a broker callback (a consumer's, a provider op) it never blocks:
 * there a full queue drops the newest at once. */
#define WES_OVERFLOW_BLOCK 2u

/*
 * Broker options. Initialise with wes_broker_options_init, then change
 * what you need. `size` must be sizeof(wes_broker_options_t) of the
 * caller's header (the struct only grows at the end).
 */
typedef struct wes_broker_options_s {
  uint32_t size;
  uint32_t flags;                       /* WES_BROKER_* */
  uint32_t queue_limit;                 /* events per subscription: 10000 */
  uint32_t overflow_policy;             /* WES_OVERFLOW_*: DROP_NEWEST */
  uint32_t block_timeout_ms;            /* WES_OVERFLOW_BLOCK wait: 2000 */
  uint32_t callback_budget_ms;          /* consumer callback budget: 100 */
  uint32_t temp_subscriptions_total;    /* quota: 10000 */
  uint32_t temp_subscriptions_per_user; /* quota: 1000 */
  uint32_t drop_event_interval_ms;      /* rate limit, per subscription
                                           (and per restricted sink), of
                                           overflow, dropped and consumer
                                           failure events: 1000 */
  wes_clock_t *clock;                   /* NULL: real clock, or a new
                                           manual clock with MANUAL;
                                           referenced by the broker */
  uint32_t spin_us;                     /* after a delivery pass, the loop
                                           spin-waits this long for more
                                           events before it sleeps: 4;
                                           0 = never, at most 1000;
                                           not in manual mode nor on one
                                           CPU (docs/broker.md) */
  uint32_t reserved[5];
} wes_broker_options_t;

/*
 * Fills `opts` with the defaults above (mode: embedded). NULL-safe.
 * Thread: any.
 */
WES_API void wes_broker_options_init(wes_broker_options_t *opts);

/* ---- lifetime ---- */

/*
 * Creates a broker. `loop` is the caller's libuv loop (embedded mode); it
 * must be NULL with WES_BROKER_OWN_THREAD or WES_BROKER_MANUAL. The broker
 * starts with the namespace "root/cimv2" (and "root"), whose security
 * descriptor grants WBEM_ENABLE to Everyone and everything to
 * BUILTIN\Administrators. `opts` may be NULL (defaults).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL ret_broker, loop given
 * with OWN_THREAD/MANUAL or missing otherwise, both mode flags, unknown
 * flag bits, bad size, zero queue_limit, unknown overflow policy, spin_us
 * over 1000, a real clock in manual mode),
 * WES_E_OUT_OF_MEMORY,
 * WES_E_FAILED (libuv could not create a handle or the thread; sys_error
 * carries the libuv code).
 * Ownership: *ret_broker belongs to the caller until wes_broker_close.
 * Thread: embedded mode: the loop's thread. Otherwise any.
 */
WES_API wes_hresult_t wes_broker_new(struct uv_loop_s *loop,
                                     const wes_broker_options_t *opts,
                                     wes_broker_t **ret_broker,
                                     wes_error_t *reterr);

typedef void (*wes_broker_close_cb)(void *data);

/*
 * Starts closing the broker: every later call on it (or on a sink it
 * issued) fails with WES_E_SHUTTING_DOWN; every subscription gets its one
 * final set_status(WES_STATUS_COMPLETE, WES_E_SHUTTING_DOWN) and its
 * sink is released; providers get cancel_query for each covered
 * subscription; events still queued are released undelivered (counted).
 * Then the broker's handles close and `cb(data)` runs (may be NULL): in
 * embedded mode from the loop once its handles are closed (keep running
 * the loop), with OWN_THREAD on the broker thread just before it exits
 * (wes_broker_close joins that thread), in manual mode before this
 * function returns. After cb the broker is freed.
 *
 * From inside a broker callback (a consumer's indicate or set_status, a
 * provider op; any mode, any thread, also the worker thread of a
 * subscription moved there by WES_FLAG_DEFER_SLOW) the close is recorded
 * and this returns WES_S_OK at once, never waiting for a callback
 * running on another thread. From then on nothing more is delivered to
 * any consumer (not even the rest of the current batch) and every other
 * call fails with WES_E_SHUTTING_DOWN. The close itself runs, exactly as
 * above, once the callback has returned, when its thread leaves the
 * broker call that ran the callback (the outermost one on that thread;
 * on a worker: right after the consumer's callback returns, the worker
 * sends its own subscription's final status itself):
 * - embedded: cb runs from the loop once its handles are closed;
 * - OWN_THREAD, callback on the broker thread: the thread closes the
 *   loop, frees it and the broker (unless providers still hold sinks),
 *   detaches itself (nobody joins it) and runs cb(data) as its last act,
 *   on the broker thread. Callback on another thread (a provider op on
 *   the subscribing thread, the final status of a cancel made there, a
 *   deferred consumer's worker): that thread joins the broker thread,
 *   where cb runs;
 * - MANUAL: that broker call (wes_broker_advance, a subscribe, cancel,
 *   register, ...) runs cb(data) and frees the broker before it returns:
 *   do not touch the broker afterwards. wes_broker_advance then returns
 *   WES_E_SHUTTING_DOWN; the other calls return their own result (they
 *   had succeeded or failed before the close ran). A deferred consumer's
 *   worker runs the close and cb(data) itself, after waiting for an
 *   advance in progress on another thread to return (it delivers nothing
 *   more); do not call wes_broker_advance once that close may have run.
 * Sinks handed to providers stay valid objects until the providers unref
 * them, but every call on them fails with WES_E_SHUTTING_DOWN.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL broker),
 * WES_E_SHUTTING_DOWN (already closing, or a callback asked for the close
 * and it is still underway).
 * Thread: any, including broker callbacks. Embedded mode: from a thread
 * other than the loop's the loop side of the close runs on the loop
 * thread (keep running the loop). Manual mode: from a thread other than
 * one inside wes_broker_advance, the close waits until that advance
 * returned (it delivers nothing more once the close started). Outside
 * every callback the close waits for callbacks in progress, as
 * wes_broker_cancel_async_call does; inside one it never waits.
 */
WES_API wes_hresult_t wes_broker_close(wes_broker_t *broker,
                                       wes_broker_close_cb cb, void *data);

/*
 * Manual mode: advances the broker's manual clock by `ms` milliseconds
 * (0 allowed), then delivers everything due: queued events, batches whose
 * latency expired. Consumer callbacks run on the calling thread before
 * this returns. From inside a broker callback (a consumer's, or a provider
 * op) it only moves the clock and returns WES_S_OK: it never nests
 * deliveries; what became due is delivered by the outer advance, if the
 * callback runs inside one, or else by the next advance.
 * If a callback it runs closes the broker (wes_broker_close), it delivers
 * nothing more, finishes the close (close_cb runs on this thread) and
 * returns WES_E_SHUTTING_DOWN: the broker is gone then.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL),
 * WES_E_INVALID_OPERATION (not a manual broker, its clock is not a manual
 * clock, or another thread is inside wes_broker_advance),
 * WES_E_VALUE_OUT_OF_RANGE (clock overflow), WES_E_SHUTTING_DOWN (closing,
 * or closed by one of its callbacks).
 * Thread: any, one at a time.
 */
WES_API wes_hresult_t wes_broker_advance(wes_broker_t *broker, uint64_t ms);

/*
 * The broker's clock (borrowed; wes_clock_ref to keep it). In manual mode
 * a consumer callback may wes_clock_manual_advance it to simulate time
 * spent. Thread: any.
 */
WES_API wes_clock_t *wes_broker_get_clock(wes_broker_t *broker);

/* ---- namespaces ---- */

/*
 * Adds a namespace (name like "root/test"; '/' or '\'), with the system
 * classes, and the given security descriptor (borrowed; the broker keeps
 * its own reference), or the default SD when `sd` is NULL.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_ALREADY_EXISTS,
 * WES_E_SHUTTING_DOWN, WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_ns (may be NULL) is borrowed, valid until the broker is
 * freed. Add classes to it (wes_namespace_add_class, wes_mof_compile)
 * before subscribing to them, never concurrently with subscriptions.
 * Thread: any.
 */
WES_API wes_hresult_t wes_broker_add_namespace(wes_broker_t *broker,
                                               const char *name, wes_sd_t *sd,
                                               wes_namespace_t **ret_ns,
                                               wes_error_t *reterr);

/*
 * Finds a namespace by name (case-insensitive, '/' or '\'). Borrowed
 * pointer or NULL. Thread: any.
 */
WES_API wes_namespace_t *wes_broker_get_namespace(wes_broker_t *broker,
                                                  const char *name);

/*
 * Replaces a namespace's security descriptor (checked for WBEM_ENABLE at
 * subscribe time, WBEM_FULL_WRITE for wes_broker_query_object_sink).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_INVALID_NAMESPACE,
 * WES_E_SHUTTING_DOWN. Ownership: the broker references `sd`.
 * Thread: any.
 */
WES_API wes_hresult_t wes_broker_set_namespace_security(wes_broker_t *broker,
                                                        const char *ns,
                                                        wes_sd_t *sd);

/* ---- providers ---- */

/*
 * Registers an event provider in namespace `ns` under `name` (unique per
 * namespace) with its EventQueryList `queries[0..nqueries-1]` and ops.
 * Each query is checked (reference section 6.2): syntax ->
 * WES_E_UNPARSABLE_QUERY (or the WQL module's code) with line/column;
 * FROM class unknown -> WES_E_INVALID_CLASS; not an event class ->
 * WES_E_NOT_EVENT_CLASS; an intrinsic event without `TargetInstance ISA`
 * -> WES_E_UNINTERPRETABLE_PROVIDER_QUERY; FROM __Event,
 * __ExtrinsicEvent or a system event class -> WES_ESS_E_REGISTRATION_TOO_BROAD.
 * Unlike WMI (which skips a bad entry) the whole registration then fails;
 * reterr names the entry index. If subscriptions the provider covers exist
 * already, provide_events, access_check and new_query run before return.
 * Returns those, WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, nqueries 0,
 * ops version 0 or provide_events NULL), WES_E_INVALID_NAMESPACE,
 * WES_E_PROVIDER_ALREADY_REGISTERED, WES_E_SHUTTING_DOWN,
 * WES_E_PROVIDER_FAILURE (provide_events failed), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_provider is a handle for wes_broker_unregister_provider.
 * Thread: any.
 */
WES_API wes_hresult_t wes_broker_register_provider(
    wes_broker_t *broker, const char *ns, const char *name,
    const char *const *queries, size_t nqueries, const wes_provider_ops_t *ops,
    void *data, wes_provider_t **ret_provider, wes_error_t *reterr);

/*
 * Unregisters a provider: cancel_query for every covered subscription,
 * then its sinks (main and restricted) are dead (calls return
 * WES_E_CALL_CANCELLED), and no ops member is called any more once this
 * returns. Subscriptions stay alive (another provider may cover them).
 * From inside a provider op (of any provider: ops run with the control
 * lock held, in the middle of a walk over providers and subscriptions) it
 * is queued: it returns WES_S_OK at once and takes effect when the broker
 * call that ran the op returns; until then the operation in progress may
 * still call this provider's ops.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, not registered, or
 * already queued), WES_E_SHUTTING_DOWN (the broker is closing: the
 * provider was already released by the close, or will be).
 * Ownership: frees the handle (when queued: once it takes effect).
 * Thread: any.
 */
WES_API wes_hresult_t wes_broker_unregister_provider(wes_broker_t *broker,
                                                     wes_provider_t *provider);

/*
 * IWbemServices::QueryObjectSink: a sink into which the caller indicates
 * extrinsic events of namespace `ns` directly. The caller's `token` must
 * hold WBEM_ENABLE and WBEM_FULL_WRITE on the namespace (administrators
 * do by default); the token is the publisher identity.
 * wes_sink_set_status(sink, WES_STATUS_COMPLETE, failure, ...) on it
 * closes it: later indicate calls return WES_E_CALL_CANCELLED (the
 * subscriptions are untouched). On a provider's main or restricted sink
 * the same call ends the subscriptions no other live source covers with
 * that code, then indicate on it (and, for a main sink, on its restricted
 * sinks) returns WES_E_CALL_CANCELLED (docs/broker.md section 5).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, flags not 0),
 * WES_E_INVALID_NAMESPACE, WES_E_ACCESS_DENIED, WES_E_SHUTTING_DOWN,
 * WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_sink is a new reference (wes_sink_unref).
 * Thread: any.
 */
WES_API wes_hresult_t wes_broker_query_object_sink(
    wes_broker_t *broker, const char *ns, int32_t flags, wes_token_t *token,
    wes_sink_t **ret_sink, wes_error_t *reterr);

/* ---- consumers ---- */

/* Flags of the consumer calls: WMI's ... */
#define WES_FLAG_RETURN_IMMEDIATELY 0x10
#define WES_FLAG_FORWARD_ONLY 0x20
#define WES_FLAG_SEND_STATUS 0x80
#define WES_FLAG_USE_AMENDED_QUALIFIERS 0x20000
/* ... and wes's own (never set by WMI code): */
/* Move deliveries to a worker thread once a callback overran its budget. */
#define WES_FLAG_DEFER_SLOW 0x01000000
/* Per-subscription overflow policy overriding the broker's (at most one
 * of the two: both together give WES_E_INVALID_PARAMETER). */
#define WES_FLAG_OVERFLOW_DROP_OLDEST 0x02000000
#define WES_FLAG_OVERFLOW_BLOCK 0x04000000

/*
 * IWbemServices::ExecNotificationQueryAsync: subscribes `sink` to the
 * events of namespace `ns` matching `query`, as the user of `token`.
 * Checks, in order: NULL broker/ns/language/query/sink/token or empty
 * query -> WES_E_INVALID_PARAMETER; language not "WQL" (case-insensitive)
 * -> WES_E_INVALID_QUERY_TYPE; flags other than SEND_STATUS,
 * USE_AMENDED_QUALIFIERS and the WES_FLAG_* above, or both
 * WES_FLAG_OVERFLOW_DROP_OLDEST and WES_FLAG_OVERFLOW_BLOCK ->
 * WES_E_INVALID_PARAMETER; closing -> WES_E_SHUTTING_DOWN; unknown
 * namespace -> WES_E_INVALID_NAMESPACE; namespace SD without WBEM_ENABLE
 * for the token -> WES_E_ACCESS_DENIED; the WQL module's codes
 * (WES_E_UNPARSABLE_QUERY with line/column, WES_E_INVALID_CLASS,
 * WES_E_NOT_EVENT_CLASS, WES_E_INVALID_PROPERTY, WES_E_TYPE_MISMATCH,
 * WES_E_INVALID_QUERY, WES_E_QUOTA_VIOLATION for size limits);
 * GROUP WITHIN, timer events, or an intrinsic query that needs polling ->
 * WES_E_NOT_SUPPORTED (a later release); an intrinsic query that no
 * provider covers and has no WITHIN -> WES_ESS_E_REGISTRATION_TOO_PRECISE;
 * quotas -> WES_E_QUOTA_VIOLATION naming the quota; a covering provider's
 * access_check denial -> WES_E_ACCESS_DENIED (any other access_check
 * failure -> WES_E_PROVIDER_FAILURE); its new_query failure -> that code
 * (WES_E_PROVIDER_NOT_CAPABLE, ...); for these three reterr holds the
 * provider's own message as "provider 'NAME': TEXT", with its line and
 * column (provider.h, "Failure messages"); an intrinsic query whose only
 * covering providers have failed (provide_events, or a final error
 * status) -> WES_E_PROVIDER_FAILURE naming one; WES_E_OUT_OF_MEMORY.
 * On failure the sink is untouched (no reference taken, no callback).
 * On success the broker references the sink until the subscription ends;
 * it ends with exactly one set_status(WES_STATUS_COMPLETE, hr).
 * Ownership: `token` is referenced for the subscription's life.
 * Thread: any.
 */
WES_API wes_hresult_t wes_broker_exec_notification_query_async(
    wes_broker_t *broker, const char *ns, const char *language,
    const char *query, int32_t flags, wes_token_t *token, wes_sink_t *sink,
    wes_error_t *reterr);

/*
 * IWbemServices::CancelAsyncCall: ends every subscription using `sink`
 * (compared by pointer). Each gets exactly one
 * set_status(WES_STATUS_COMPLETE, WES_E_CALL_CANCELLED), unless it already
 * had its final status; no indicate follows; events still queued for it
 * (also those waiting for the worker of a subscription moved there by
 * WES_FLAG_DEFER_SLOW) are released undelivered and counted in
 * dropped_cancel.
 * - Called from a thread that is not inside any broker callback: the
 *   final set_status has run and the broker's references are dropped
 *   before this returns (it waits for a callback of that subscription in
 *   progress, on the loop or on its worker).
 * - Called from inside any broker callback (a consumer's indicate or
 *   set_status on the loop, on a worker or on the thread sending a final
 *   status, a provider op; of this broker or another): it never waits
 *   for a callback running on another thread, so two callbacks cancelling
 *   each other's sinks cannot deadlock. If the subscription's callback is
 *   in progress on another thread, the cancel is recorded and this
 *   returns WES_S_OK at once; the subscription's own thread (the loop, or
 *   its worker) sends the one final set_status and drops the reference
 *   right after that callback returns. If no callback of it is in
 *   progress, the final set_status runs on the calling thread before this
 *   returns, as from outside.
 * - Called from inside that sink's own callback (on the loop or on its
 *   worker): it takes effect when the callback returns.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs), WES_E_NOT_FOUND (no
 * subscription uses the sink), WES_E_SHUTTING_DOWN.
 * Thread: any.
 */
WES_API wes_hresult_t wes_broker_cancel_async_call(wes_broker_t *broker,
                                                   wes_sink_t *sink);

/*
 * IWbemServices::ExecNotificationQuery (semisynchronous): as the async
 * form, but events queue in an enumerator read with wes_enum_next.
 * `flags` must contain WES_FLAG_RETURN_IMMEDIATELY|WES_FLAG_FORWARD_ONLY
 * and may add WES_FLAG_USE_AMENDED_QUALIFIERS, else
 * WES_E_INVALID_PARAMETER. Other codes as the async form. The enumerator
 * holds at most queue_limit unread events; what does not fit is dropped
 * and counted as an overflow drop (and a consumer failure,
 * WES_E_CLIENT_TOO_SLOW).
 * Ownership: *ret_enum is new; wes_enum_free cancels and frees it.
 * Thread: any.
 */
WES_API wes_hresult_t wes_broker_exec_notification_query(
    wes_broker_t *broker, const char *ns, const char *language,
    const char *query, int32_t flags, wes_token_t *token, wes_enum_t **ret_enum,
    wes_error_t *reterr);

/*
 * IEnumWbemClassObject::Next: waits up to `timeout_ms` (WES_INFINITE, or
 * WES_NO_WAIT) for `count` events and stores new references in objs[].
 * In manual mode nothing arrives unless another thread calls
 * wes_broker_advance; use WES_NO_WAIT there.
 * Returns WES_S_OK (count returned), WES_S_TIMEDOUT (fewer; the
 * subscription is alive), WES_S_FALSE (fewer; the subscription has ended,
 * by cancel, close or failure; nothing more will come), the subscription's
 * final error code when it failed and nothing is left,
 * WES_E_INVALID_PARAMETER (NULLs; *ret_returned untouched).
 * Thread: any, one reader at a time.
 */
WES_API wes_hresult_t wes_enum_next(wes_enum_t *en, uint32_t timeout_ms,
                                    uint32_t count, wes_object_t **objs,
                                    uint32_t *ret_returned);

/*
 * Releases the enumerator; this cancels its subscription (WMI: releasing
 * the enumerator cancels). Unread events are released. NULL-safe.
 * Thread: any, not concurrently with wes_enum_next on it.
 */
WES_API void wes_enum_free(wes_enum_t *en);

/* ---- sequence numbers and statistics ---- */

/*
 * Inside a consumer's indicate callback: the subscription sequence
 * number of objs[0] (objs[i] has *ret_first + i unless events between them
 * were dropped: every matched event takes a number, dropped ones leave a
 * gap). Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL),
 * WES_E_INVALID_OPERATION (not inside an indicate callback).
 * Thread: the callback's thread.
 */
WES_API wes_hresult_t wes_broker_delivery_sequence(uint64_t *ret_first);

/* Counters of one subscription. */
typedef struct wes_subscription_stats_s {
  uint64_t matched;           /* events that matched and passed security */
  uint64_t delivered;         /* events handed to indicate */
  uint64_t batches;           /* indicate calls */
  uint64_t dropped_overflow;  /* dropped by the overflow policy */
  uint64_t dropped_security;  /* matched but denied by an SD */
  uint64_t dropped_cancel;    /* queued when the subscription ended */
  uint64_t consumer_failures; /* indicate returned a failure */
  uint64_t over_budget;       /* callbacks over callback_budget_ms */
  uint64_t callback_ms_max;   /* longest callback (broker clock, ms) */
  uint64_t queued;            /* events waiting now */
  uint64_t last_sequence;     /* last sequence number given */
  uint32_t deferred;          /* non-zero once moved to a worker */
  uint32_t query_id;          /* id given to providers' new_query */
} wes_subscription_stats_t;

/*
 * Reads the counters of the (first) subscription using `sink`.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER, WES_E_NOT_FOUND.
 * Ownership: *ret_stats is the caller's; nothing is retained. Thread: any.
 */
WES_API wes_hresult_t
wes_broker_get_subscription_stats(wes_broker_t *broker, const wes_sink_t *sink,
                                  wes_subscription_stats_t *ret_stats);

/* Counters of a provider-side sink (main, restricted or object sink). */
typedef struct wes_sink_stats_s {
  uint64_t indicated;          /* objects passed to indicate */
  uint64_t matched;            /* (event, subscription) hits */
  uint64_t unmatched;          /* events no subscription wanted */
  uint64_t dropped_restricted; /* outside the restricted sink's queries */
  uint64_t rejected;           /* not an event of the namespace */
  uint64_t dropped_security;   /* hits denied by the sink's SD */
} wes_sink_stats_t;

/*
 * Reads the counters of a sink the broker issued (provider main sink,
 * restricted sink, object sink).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULLs, or not a broker sink).
 * Ownership: *ret_stats is the caller's; nothing is retained. Thread: any.
 */
WES_API wes_hresult_t wes_broker_get_sink_stats(const wes_sink_t *sink,
                                                wes_sink_stats_t *ret_stats);

/* Broker-wide counters. */
typedef struct wes_broker_stats_s {
  uint64_t subscriptions;       /* alive now */
  uint64_t subscriptions_total; /* ever created */
  uint64_t providers;           /* registered now */
  uint64_t indicated;           /* objects indicated on all sinks */
  uint64_t delivered;           /* objects delivered to consumers */
  uint64_t dropped;             /* all drops, every reason */
  uint64_t over_budget;         /* consumer callbacks over budget */
  uint64_t drop_events;         /* overflow/dropped/failure events raised */
  uint64_t snapshots;           /* subscription snapshots published */
} wes_broker_stats_t;

/*
 * Reads broker-wide counters. Returns WES_S_OK, WES_E_INVALID_PARAMETER.
 * Ownership: *ret_stats is the caller's; nothing is retained. Thread: any.
 */
WES_API wes_hresult_t wes_broker_get_stats(wes_broker_t *broker,
                                           wes_broker_stats_t *ret_stats);

/* ---- built-in providers ---- */

typedef struct wes_datafile_provider_s wes_datafile_provider_t;

/*
 * Registers the built-in CIM_DataFile provider in namespace `ns` of
 * `broker` (declaring CIM_LogicalFile and CIM_DataFile there first if the
 * namespace lacks them). It serves __InstanceCreationEvent,
 * __InstanceModificationEvent (with PreviousInstance) and
 * __InstanceDeletionEvent for TargetInstance ISA 'CIM_DataFile', pushed
 * from libuv file-system watchers on `loop` (no polling). It learns what to
 * watch from each subscription: every OR-branch of the WHERE clause must
 * say TargetInstance.Path = '/dir/' (a directory, with the trailing '/')
 * or TargetInstance.Name = '/dir/file'; other queries fail at subscribe
 * time with WES_E_PROVIDER_NOT_CAPABLE, and the subscriber's reterr says
 * what to add ("provider 'wes|CIM_DataFile|1': add TargetInstance.Path =
 * '/dir/' ..."); so does a directory that does not exist or is not one
 * ("cannot watch /dir/: ...", sys_error = errno); running out of memory
 * while compiling the query again gives WES_E_OUT_OF_MEMORY with a
 * message. Only regular files in the watched directory itself are
 * reported (no recursion).
 * Properties: Name (full path), Path (directory with trailing '/'), Drive
 * (""), FileName (without extension), Extension (without the dot),
 * FileSize, LastModified, LastAccessed, CreationDate (status change time;
 * Linux keeps no birth time here), Hidden (name starts with '.'),
 * Readable/Writeable (for the broker process), FileType, CSName (host
 * name), Caption and Description (= Name), FSName (the type of the file
 * system holding the watched directory as the system names it: "ext4",
 * "tmpfs", "xfs", "btrfs", "overlay", ...; on Linux from the longest
 * mount point containing the directory in /proc/self/mountinfo, else
 * /proc/self/mounts; on macOS and the BSDs from statfs; looked up once
 * when the directory's watch starts; NULL where none of these exists).
 * Returns the codes of wes_broker_register_provider, WES_E_INVALID_PARAMETER
 * (NULLs), WES_E_FAILED (libuv), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_provider until wes_datafile_provider_close.
 * Thread: the loop's thread (creates a libuv handle).
 */
WES_API wes_hresult_t wes_datafile_provider_new(
    wes_broker_t *broker, struct uv_loop_s *loop, const char *ns,
    wes_datafile_provider_t **ret_provider, wes_error_t *reterr);

/*
 * Unregisters the provider (unless the broker is already closing) and
 * closes its watchers; the memory goes once the loop has run the close
 * callbacks (keep running the loop). NULL-safe.
 * Thread: the loop's thread.
 */
WES_API void wes_datafile_provider_close(wes_datafile_provider_t *provider);

#ifdef __cplusplus
}
#endif

#endif /* WES_BROKER_H */
