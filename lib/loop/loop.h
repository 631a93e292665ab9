/* SPDX-License-Identifier: MIT */
/*
 * Internal: the loop module, the libuv binding the broker stands on.
 *
 * A wes__loop_t bundles, for one broker:
 * - a clock (include/wes/clock.h) and ONE timer heap keyed on it;
 * - the ingress: a mutex-protected MPSC queue of intrusive items that any
 *   thread may post to, drained on the loop thread by swapping the whole
 *   list out under the lock and running it unlocked (as libuv's
 *   uv__work_done);
 * - worker offload (uv_queue_work with a cap on jobs in flight);
 * - "call on the loop and wait" for cross-thread calls that must return
 *   only after the loop side acted.
 *
 * Three ways to run it:
 * 1. Embedded (caller's uv_loop_t): wes__loop_new(uv, clock).
 *    The loop thread is the thread running uv_run on that loop (and the
 *    one that created the wes__loop_t). One uv_async_t wakes it for
 *    ingress (coalesced: sent only on the empty -> non-empty edge); one
 *    uv_timer_t is armed for the earliest deadline of the heap.
 * 2. Own thread: wes__loop_new_thread() creates a uv_loop_t,
 *    wes__loop_thread_start() runs it on a thread of its own,
 *    wes__loop_thread_stop() / wes__loop_thread_join() end it.
 * 1 and 2 normally use the real clock; they also accept a manual or
 * custom clock (the uv_timer_t is then armed for the delay the clock
 * reports, and a timer fires once the clock has reached its deadline, so
 * whoever moves such a clock decides when timers are due).
 * 3. Manual (manual or custom clock, no uv loop): no uv handles, no
 *    thread. Posting
 *    only queues; nothing runs until someone calls wes__loop_run_due() or
 *    wes__loop_advance(); that caller is the loop thread for the duration
 *    of the call. Order is deterministic: ingress in posting order, then
 *    timers by (deadline, start order).
 *
 * Thread tags as in the public headers: "Thread: loop" means the loop
 * thread (in manual mode: the thread that owns the loop, i.e. the one
 * calling run_due/advance, never concurrently with those calls).
 * "Called on: loop" likewise for callbacks. Nothing here takes a lock
 * while calling a callback, so callbacks may call any function below.
 *
 * Close sequence (embedded/manual): the owner stops its own handles and
 * timers, then wes__loop_close(loop, cb, arg) on the loop thread: posting
 * is refused from then on (WES_E_SHUTTING_DOWN), items already posted
 * still run, queued work jobs that never started get their after callback
 * with WES_E_CALL_CANCELLED, jobs running on the pool are waited for, the
 * uv handles are closed, and cb(arg) runs as the last touch; the loop
 * memory is gone when cb returns. In manual mode all of that happens
 * before wes__loop_close returns. Own-thread mode: see
 * wes__loop_thread_stop, and wes__loop_thread_detach for a close decided
 * on the loop thread itself.
 */
#ifndef WES_LOOP_H
#define WES_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "wes/clock.h"
#include "wes/common.h"

typedef struct wes__loop_s wes__loop_t;

/* ---- Ingress items (intrusive; the poster owns the memory) ---- */

typedef struct wes__ingress_s wes__ingress_t;

/* Runs an item on the loop thread; the item is no longer linked (the
 * callback may free it or post it again). Called on: loop. */
typedef void (*wes__ingress_cb)(wes__ingress_t *item);

struct wes__ingress_s {
  wes__ingress_t *next; /* private to the loop */
  wes__ingress_cb cb;
  void *data; /* free for the poster */
};

/* ---- Timers (intrusive; the owner owns the memory) ---- */

typedef struct wes__timer_s wes__timer_t;

/* A timer fired (it is stopped now; start it again for a periodic one).
 * Called on: loop. */
typedef void (*wes__timer_cb)(wes__timer_t *timer);

struct wes__timer_s {
  /* private to the loop module: */
  wes__loop_t *loop;
  uint64_t deadline; /* absolute, clock now_ms scale */
  uint64_t seq;      /* start order, breaks ties of equal deadlines */
  size_t slot;       /* heap index, or SIZE_MAX when not pending */
  /* set by wes__timer_init: */
  wes__timer_cb cb;
  void *data; /* free for the owner */
};

/* ---- Work jobs (intrusive; the owner owns the memory) ---- */

typedef struct wes__work_s wes__work_t;

/* The slow part. Called on: a libuv pool thread (real modes) or the loop
 * thread inside run_due/advance (manual mode). Must not touch the loop or
 * anything owned by the loop thread. */
typedef void (*wes__work_cb)(wes__work_t *work);

/* Completion: status WES_S_OK after work_cb ran, WES_E_CALL_CANCELLED when
 * the job never started (loop closing). Called on: loop. */
typedef void (*wes__after_work_cb)(wes__work_t *work, wes_hresult_t status);

struct wes__work_s {
  /* private to the loop module: */
  uv_work_t req;
  wes__loop_t *loop;
  wes__work_t *next;
  wes__work_cb work_cb;
  wes__after_work_cb after_cb;
  /* free for the owner: */
  void *data;
};

/* Default cap on jobs handed to the libuv pool at once (the pool is
 * shared by the process and has 4 threads unless UV_THREADPOOL_SIZE). */
#define WES__LOOP_WORK_CAP_DEFAULT 2u

/* Counters (wes__loop_get_stats). Read on the loop thread for exact
 * values; `posted` and `async_sent` are also updated by posting threads. */
typedef struct wes__loop_stats_s {
  uint64_t posted;     /* items accepted by wes__loop_post */
  uint64_t async_sent; /* uv_async_send calls (empty -> non-empty edges) */
  uint64_t drains;     /* times the queue was swapped out non-empty */
  uint64_t items_run;  /* ingress callbacks run */
  uint64_t timers_run; /* timer callbacks run */
  uint64_t work_done;  /* after_work callbacks run */
  uint64_t work_peak;  /* highest number of jobs in the pool at once */
} wes__loop_stats_t;

/* ---- Creation and close ---- */

/*
 * Creates a loop. `clock` NULL means a new real clock.
 * - `uv` given (embedded mode, any clock): the uv_async_t and uv_timer_t
 *   are initialised on it now (call on the uv loop's thread), and the
 *   async handle is uv_unref'd (see wes__loop_keepalive).
 * - `uv` NULL (manual mode): needs a manual or custom clock.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (ret_loop NULL; real clock
 * without uv), WES_E_OUT_OF_MEMORY, or the mapped libuv error.
 * Ownership: the loop references the clock.
 * Thread: the loop thread to be.
 */
wes_hresult_t wes__loop_new(uv_loop_t *uv, wes_clock_t *clock,
                            wes__loop_t **ret_loop);

/*
 * Creates a loop with a uv_loop_t of its own, to run on its own thread
 * (not started yet: wes__loop_thread_start). `clock` NULL means a new real
 * clock (any clock is accepted, as in embedded mode). Timers, posts and
 * work may be set up before the start (from the creating thread only).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (ret_loop NULL),
 * WES_E_OUT_OF_MEMORY, mapped libuv errors. Thread: any.
 */
wes_hresult_t wes__loop_new_thread(wes_clock_t *clock, wes__loop_t **ret_loop);

/*
 * Starts the thread of a loop made by wes__loop_new_thread: it runs
 * uv_run(UV_RUN_DEFAULT) until wes__loop_close has run on it and every
 * handle on its uv loop is closed.
 * Returns WES_S_OK, WES_E_INVALID_OPERATION (not a thread loop, or
 * already started), WES_E_FAILED (thread creation failed).
 * Thread: the creating thread.
 */
wes_hresult_t wes__loop_thread_start(wes__loop_t *loop);

/*
 * Own-thread mode, from another thread: runs `fn(arg)` on the loop thread
 * (NULL: nothing) and then wes__loop_close there, so fn is where the owner
 * closes its own uv handles and timers; then joins the thread, closes the
 * uv loop and frees everything. Equivalent to wes__loop_call_sync(fn) +
 * posting the close + wes__loop_thread_join.
 * Returns WES_S_OK, WES_E_INVALID_OPERATION (called on the loop thread,
 * not a thread loop, not started), WES_E_FAILED (uv_loop_close reported
 * handles still open: they were leaked, and logged).
 * Thread: any but the loop thread. Blocking: yes.
 */
wes_hresult_t wes__loop_thread_stop(wes__loop_t *loop, void (*fn)(void *),
                                    void *arg);

/*
 * Own-thread mode, lower level: waits for the thread to end (after the
 * owner posted a function that called wes__loop_close), then closes the
 * uv loop and frees the loop. Codes as wes__loop_thread_stop.
 * Thread: any but the loop thread. Blocking: yes.
 */
wes_hresult_t wes__loop_thread_join(wes__loop_t *loop);

/*
 * Own-thread mode, on the loop thread (a callback of the loop): arranges
 * for the loop thread to end on its own, so that nobody needs to join it
 * (a thread cannot join itself). Once wes__loop_close has run and
 * uv_run returned, the thread closes the uv loop and frees the loop (as
 * wes__loop_thread_join would), detaches itself (POSIX pthread_detach,
 * Windows CloseHandle: libuv has no uv_thread_detach) and calls fn(arg)
 * as its last act. The owner must neither join nor use the loop after
 * wes__loop_close. `fn` may be NULL.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL loop),
 * WES_E_INVALID_OPERATION (not a thread loop, or not called on its
 * thread). Thread: loop (of a started thread loop).
 */
wes_hresult_t wes__loop_thread_detach(wes__loop_t *loop, void (*fn)(void *),
                                      void *arg);

/*
 * The libuv error code behind the last failure of wes__loop_new,
 * wes__loop_new_thread or wes__loop_thread_start on the calling thread
 * (for wes_error_t.sys_error); 0 when that call failed for another
 * reason or succeeded. Thread: any (per thread).
 */
int wes__loop_last_uv_error(void);

/* Called when a close finished (see the top of this file). The loop
 * pointer must not be used any more (embedded/manual: it is freed after
 * this returns; own-thread: wes__loop_thread_join frees it). */
typedef void (*wes__loop_close_cb)(void *arg);

/*
 * Starts closing (sequence at the top of this file). `cb` may be NULL.
 * Pending timers are simply forgotten (their owners must have stopped
 * them). Calling it twice is a no-op the second time.
 * Thread: loop.
 */
void wes__loop_close(wes__loop_t *loop, wes__loop_close_cb cb, void *arg);

/* ---- Accessors ---- */

/* The uv loop (NULL in manual mode). Borrowed. Thread: any. */
uv_loop_t *wes__loop_uv(wes__loop_t *loop);
/* The clock (borrowed; lives as long as the loop). Thread: any. */
wes_clock_t *wes__loop_clock(wes__loop_t *loop);
/* True for a manual/custom clock loop. Thread: any. */
bool wes__loop_is_manual(const wes__loop_t *loop);
/* wes_clock_now_ms of the loop's clock. Thread: any. */
uint64_t wes__loop_now_ms(wes__loop_t *loop);
/*
 * True when the calling thread is the loop thread: the thread running the
 * loop's callbacks (own-thread mode), the creating thread (embedded, until
 * a loop callback runs elsewhere), or, in manual mode, the thread inside
 * run_due/advance (or the creating thread when none is). Thread: any.
 */
bool wes__loop_on_loop_thread(wes__loop_t *loop);
/* Copies the counters. Thread: loop. */
void wes__loop_get_stats(wes__loop_t *loop, wes__loop_stats_t *ret_stats);

/*
 * Keep-alive count: while it is > 0 the ingress uv_async_t is uv_ref'd,
 * so uv_run does not return for lack of work while the owner expects
 * posts (e.g. live subscriptions); at 0 it is uv_unref'd. Own-thread
 * loops are kept alive until closed regardless. No effect in manual mode.
 * Thread: loop.
 */
void wes__loop_keepalive(wes__loop_t *loop, bool on);

/* ---- Ingress ---- */

/*
 * Queues an item; item->cb and item->data must be set. The item must not
 * be pending already (use a flag of your own if it may be posted twice).
 * Items run in posting order (per posting thread, and globally in the
 * order the posts took the lock). Wakes the loop on the empty -> non-empty
 * edge only. Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL loop, item or
 * cb), WES_E_SHUTTING_DOWN (close started; the item was not queued).
 * Thread: any. Blocking: no (a short mutex).
 */
wes_hresult_t wes__loop_post(wes__loop_t *loop, wes__ingress_t *item);

/*
 * Allocates an item that runs fn(arg) on the loop thread. Returns as
 * wes__loop_post, plus WES_E_OUT_OF_MEMORY. Thread: any.
 */
wes_hresult_t wes__loop_post_fn(wes__loop_t *loop, void (*fn)(void *),
                                void *arg);

/*
 * Runs fn(arg) on the loop thread and returns after it returned. On the
 * loop thread itself, fn runs at once, inline. In manual mode on another
 * thread, fn runs inline on the calling thread while holding the manual
 * run lock (so never concurrently with run_due/advance).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL loop or fn),
 * WES_E_SHUTTING_DOWN (close started; fn did not run). In the real modes
 * the loop must be running (uv_run) for this to return.
 * Thread: any. Blocking: yes.
 */
wes_hresult_t wes__loop_call_sync(wes__loop_t *loop, void (*fn)(void *),
                                  void *arg);

/* ---- Timers ---- */

/* Initialises a timer (stopped). Thread: loop. */
void wes__timer_init(wes__loop_t *loop, wes__timer_t *timer, wes__timer_cb cb,
                     void *data);

/*
 * Starts (or reschedules) a timer for the absolute `deadline_ms` on the
 * clock's now_ms scale. A deadline in the past is taken as now (fires at
 * the next run). Equal deadlines fire in the order of their (last) start,
 * so a rescheduled timer goes behind the others of its deadline. In the real
 * modes the uv_timer_t is re-armed when the earliest deadline changed.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL or uninitialised),
 * WES_E_SHUTTING_DOWN (loop closing), WES_E_OUT_OF_MEMORY (heap growth;
 * the timer stays as it was). Thread: loop.
 */
wes_hresult_t wes__timer_start(wes__timer_t *timer, uint64_t deadline_ms);

/* wes__timer_start(timer, now + delay_ms), saturating. Thread: loop. */
wes_hresult_t wes__timer_start_in(wes__timer_t *timer, uint64_t delay_ms);

/* Cancels a pending timer; idempotent, NULL-safe. Thread: loop. */
void wes__timer_stop(wes__timer_t *timer);

/* True when the timer is pending. Thread: loop. */
bool wes__timer_is_active(const wes__timer_t *timer);

/* The earliest pending deadline into *ret_deadline; false when no timer is
 * pending. Thread: loop. */
bool wes__loop_next_deadline(wes__loop_t *loop, uint64_t *ret_deadline);

/*
 * Runs what is due now: first the whole ingress queue (posting order),
 * then queued work jobs (manual mode: work_cb then after_cb, inline), then
 * every timer with deadline <= now in (deadline, start order). A timer
 * (re)started from a callback with a deadline <= now waits for the next
 * run, so a callback that restarts itself cannot spin. Returns the number
 * of callbacks run; 0 when called from inside a callback of a run already
 * in progress (runs do not nest). If a callback closed the loop, the loop
 * is freed when this returns. In the real modes the loop does this by
 * itself; the call is allowed there too. Thread: loop.
 */
size_t wes__loop_run_due(wes__loop_t *loop);

/*
 * Manual mode with a manual clock: advances virtual time by `ms` in steps.
 * For each pending deadline up to now + ms, in order, the clock is set to
 * that deadline and wes__loop_run_due runs (so a callback sees now ==
 * its deadline); finally the clock is set to now + ms and run_due runs
 * once more. Timers started by callbacks with deadlines inside the window
 * run in the same call, at their own deadlines.
 * A timer that keeps restarting itself at the same instant keeps this call
 * busy, like any busy loop. If a callback closed the loop, the remaining
 * steps are skipped and the loop is freed when this returns.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL), WES_E_NOT_SUPPORTED
 * (not a loop on a manual clock: use run_due), WES_E_VALUE_OUT_OF_RANGE
 * (overflow; nothing done), WES_E_INVALID_OPERATION (called from inside a
 * callback of a run in progress). Thread: loop (the caller becomes it).
 */
wes_hresult_t wes__loop_advance(wes__loop_t *loop, uint64_t ms);

/* ---- Worker offload ---- */

/* Sets the cap on jobs in the pool at once (>= 1; 0 is taken as 1).
 * Thread: loop. */
void wes__loop_set_work_cap(wes__loop_t *loop, unsigned cap);

/*
 * Queues a job: work_cb runs on a pool thread (manual mode: inline at the
 * next run_due/advance), then after_cb on the loop thread. Jobs beyond the
 * cap wait in FIFO order. A job in flight keeps the uv loop alive.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL loop, work, work_cb or
 * after_cb), WES_E_SHUTTING_DOWN (closing; the callbacks will not run),
 * or the mapped libuv error (callbacks will not run). Thread: loop.
 */
wes_hresult_t wes__loop_queue_work(wes__loop_t *loop, wes__work_t *work,
                                   wes__work_cb work_cb,
                                   wes__after_work_cb after_cb, void *data);

/* Jobs queued or running whose after_cb has not run yet. Thread: loop. */
size_t wes__loop_work_pending(wes__loop_t *loop);

#endif /* WES_LOOP_H */
