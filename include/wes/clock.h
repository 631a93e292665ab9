/* SPDX-License-Identifier: MIT */
/*
 * wes clocks: where every timer in wes takes its time from.
 *
 * A clock gives two readings:
 * - now_ms: monotonic milliseconds from an arbitrary origin; timers
 *   (batch latency, polling, windows, timer instructions) are deadlines
 *   on this scale;
 * - now_utc_us: wall-clock UTC in microseconds since 1970-01-01T00:00:00Z
 *   (TIME_CREATED, absolute timer instructions).
 *
 * Three kinds:
 * - real (wes_clock_new_real): the system's monotonic and real-time
 *   clocks. A broker on a real clock drives its timers with libuv.
 * - manual (wes_clock_new_manual): virtual time for simulators and tests.
 *   No thread, no wall clock: time moves only when the user advances it,
 *   and a broker on a manual clock runs its timers only inside its
 *   advance call, in deadline order, the same way every run.
 * - custom (wes_clock_new with a user ops table): read through the ops;
 *   treated like a manual clock (timers run only when the owner of the
 *   clock asks the broker to run them; wes never sleeps on it).
 *
 * Thread: every function here may be called from any thread; readings of
 * a manual clock are atomic.
 */
#ifndef WES_CLOCK_H
#define WES_CLOCK_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A library-owned, atomically refcounted clock. */
typedef struct wes_clock_s wes_clock_t;

#define WES_CLOCK_OPS_VERSION_1 1u
#define WES_CLOCK_OPS_VERSION WES_CLOCK_OPS_VERSION_1

/*
 * A user clock. Static, const storage; the library keeps the pointer.
 * Members may be called from any thread, concurrently.
 */
typedef struct wes_clock_ops_s {
  /* WES_CLOCK_OPS_VERSION_1 or later; 0 is rejected. */
  uint32_t version;
  /* Monotonic milliseconds. Mandatory. A reading lower than an earlier
   * one is replaced by the earlier one (wes never sees time go back).
   * Since ops v1. */
  uint64_t (*now_ms)(void *data);
  /* UTC microseconds since the Unix epoch. Mandatory. Since ops v1. */
  int64_t (*now_utc_us)(void *data);
  /* Runs once when the last reference goes; may be NULL. Since ops v1. */
  void (*destroy)(void *data);
  /* ---- members above: version 1. Append only. ---- */
} wes_clock_ops_t;

/* Kinds (wes_clock_kind). */
#define WES_CLOCK_REAL 1u
#define WES_CLOCK_MANUAL 2u
#define WES_CLOCK_CUSTOM 3u

/*
 * A custom clock from an ops table.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL ops or ret_clock,
 * version 0, now_ms or now_utc_us NULL), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_clock new reference; on failure `data` stays the
 * caller's and destroy is not called. Thread: any.
 */
WES_API wes_hresult_t wes_clock_new(const wes_clock_ops_t *ops, void *data,
                                    wes_clock_t **ret_clock);

/*
 * The real clock: now_ms from the system's monotonic clock (libuv
 * uv_hrtime), now_utc_us from the real-time clock.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL ret_clock),
 * WES_E_OUT_OF_MEMORY. Ownership: new reference. Thread: any.
 */
WES_API wes_hresult_t wes_clock_new_real(wes_clock_t **ret_clock);

/*
 * A manual clock: now_ms starts at 0 and now_utc_us at `start_utc_us`;
 * both move only through wes_clock_manual_advance / wes_clock_manual_set
 * (now_utc_us = start_utc_us + now_ms * 1000).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL ret_clock),
 * WES_E_OUT_OF_MEMORY. Ownership: new reference. Thread: any.
 */
WES_API wes_hresult_t wes_clock_new_manual(int64_t start_utc_us,
                                           wes_clock_t **ret_clock);

/* Adds a reference; returns `clock`. NULL-safe. Thread: any. */
WES_API wes_clock_t *wes_clock_ref(wes_clock_t *clock);

/* Drops a reference (the last runs destroy for a custom clock and frees).
 * NULL-safe; returns NULL. Thread: any. */
WES_API wes_clock_t *wes_clock_unref(wes_clock_t *clock);

/* WES_CLOCK_REAL, WES_CLOCK_MANUAL or WES_CLOCK_CUSTOM; 0 for NULL.
 * Thread: any. */
WES_API uint32_t wes_clock_kind(const wes_clock_t *clock);

/* Monotonic milliseconds (never lower than an earlier reading of the same
 * clock); 0 for NULL. Thread: any. */
WES_API uint64_t wes_clock_now_ms(wes_clock_t *clock);

/* UTC microseconds since the Unix epoch; 0 for NULL. Thread: any. */
WES_API int64_t wes_clock_now_utc_us(wes_clock_t *clock);

/*
 * Moves a manual clock forward by `ms`. It only moves the clock: timers
 * run when the broker (or loop) that uses it is told to run them
 * (wes_broker_advance does both).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL, not a manual clock),
 * WES_E_VALUE_OUT_OF_RANGE (the sum would overflow now_ms or now_utc_us;
 * nothing changes). Thread: any.
 */
WES_API wes_hresult_t wes_clock_manual_advance(wes_clock_t *clock, uint64_t ms);

/*
 * Sets a manual clock's now_ms; it may not move backwards.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL, not a manual clock,
 * now_ms lower than the current reading), WES_E_VALUE_OUT_OF_RANGE
 * (now_utc_us would overflow). Thread: any.
 */
WES_API wes_hresult_t wes_clock_manual_set(wes_clock_t *clock, uint64_t now_ms);

#ifdef __cplusplus
}
#endif

#endif /* WES_CLOCK_H */
