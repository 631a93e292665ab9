/* SPDX-License-Identifier: MIT */
/* Clocks: real (libuv monotonic + real time), manual, custom ops. */
#include <stdatomic.h>
#include <stdint.h>

#include <uv.h>

#include "internal.h"
#include "loop/clock_int.h"
#include "wes/clock.h"

struct wes_clock_s {
  wes__refcount_t ref;
  uint32_t kind;
  const wes_clock_ops_t *ops; /* custom only */
  void *data;                 /* custom only */
  int64_t start_utc_us;       /* manual only */
  /* manual: the current now_ms; custom: highest reading seen */
  atomic_uint_fast64_t ms;
};

static wes_hresult_t clock_alloc(uint32_t kind, wes_clock_t **ret) {
  wes_clock_t *c = wes__calloc(1, sizeof(*c));
  if (c == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  wes__ref_init(&c->ref);
  c->kind = kind;
  atomic_init(&c->ms, 0);
  *ret = c;
  return WES_S_OK;
}

WES_API wes_hresult_t wes_clock_new(const wes_clock_ops_t *ops, void *data,
                                    wes_clock_t **ret_clock) {
  wes_clock_t *c;
  wes_hresult_t hr;

  if (ops == NULL || ret_clock == NULL || ops->version == 0 ||
      ops->now_ms == NULL || ops->now_utc_us == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = clock_alloc(WES_CLOCK_CUSTOM, &c);
  if (WES_FAILED(hr)) {
    return hr;
  }
  c->ops = ops;
  c->data = data;
  *ret_clock = c;
  return WES_S_OK;
}

WES_API wes_hresult_t wes_clock_new_real(wes_clock_t **ret_clock) {
  if (ret_clock == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  return clock_alloc(WES_CLOCK_REAL, ret_clock);
}

WES_API wes_hresult_t wes_clock_new_manual(int64_t start_utc_us,
                                           wes_clock_t **ret_clock) {
  wes_clock_t *c;
  wes_hresult_t hr;

  if (ret_clock == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = clock_alloc(WES_CLOCK_MANUAL, &c);
  if (WES_FAILED(hr)) {
    return hr;
  }
  c->start_utc_us = start_utc_us;
  *ret_clock = c;
  return WES_S_OK;
}

WES_API wes_clock_t *wes_clock_ref(wes_clock_t *clock) {
  if (clock != NULL) {
    wes__ref_inc(&clock->ref);
  }
  return clock;
}

WES_API wes_clock_t *wes_clock_unref(wes_clock_t *clock) {
  if (clock != NULL && wes__ref_dec(&clock->ref)) {
    if (clock->kind == WES_CLOCK_CUSTOM &&
        WES__OPS_HAS(clock->ops, destroy, WES_CLOCK_OPS_VERSION_1)) {
      clock->ops->destroy(clock->data);
    }
    wes__free(clock);
  }
  return NULL;
}

WES_API uint32_t wes_clock_kind(const wes_clock_t *clock) {
  return clock != NULL ? clock->kind : 0;
}

WES_API uint64_t wes_clock_now_ms(wes_clock_t *clock) {
  uint_fast64_t seen, v;

  if (clock == NULL) {
    return 0;
  }
  switch (clock->kind) {
  case WES_CLOCK_REAL:
    return uv_hrtime() / 1000000u;
  case WES_CLOCK_MANUAL:
    return (uint64_t)atomic_load_explicit(&clock->ms, memory_order_acquire);
  default:
    v = clock->ops->now_ms(clock->data);
    seen = atomic_load_explicit(&clock->ms, memory_order_relaxed);
    while (v > seen) {
      if (atomic_compare_exchange_weak_explicit(&clock->ms, &seen, v,
                                                memory_order_relaxed,
                                                memory_order_relaxed)) {
        return (uint64_t)v;
      }
    }
    return (uint64_t)(v > seen ? v : seen);
  }
}

WES_API int64_t wes_clock_now_utc_us(wes_clock_t *clock) {
  uv_timeval64_t tv;

  if (clock == NULL) {
    return 0;
  }
  switch (clock->kind) {
  case WES_CLOCK_REAL:
    if (uv_gettimeofday(&tv) != 0) {
      return 0;
    }
    return tv.tv_sec * 1000000 + tv.tv_usec;
  case WES_CLOCK_MANUAL:
    return clock->start_utc_us +
           (int64_t)atomic_load_explicit(&clock->ms, memory_order_acquire) *
               1000;
  default:
    return clock->ops->now_utc_us(clock->data);
  }
}

/* True when start + ms * 1000 fits int64_t. */
static bool manual_fits(const wes_clock_t *c, uint64_t ms) {
  uint64_t us;

  if (ms > (uint64_t)(INT64_MAX / 1000)) {
    return false;
  }
  us = ms * 1000u;
  if (c->start_utc_us > 0 && us > (uint64_t)(INT64_MAX - c->start_utc_us)) {
    return false;
  }
  return true;
}

bool wes__clock_manual_fits(const wes_clock_t *clock, uint64_t now_ms) {
  return clock != NULL && clock->kind == WES_CLOCK_MANUAL &&
         manual_fits(clock, now_ms);
}

WES_API wes_hresult_t wes_clock_manual_advance(wes_clock_t *clock,
                                               uint64_t ms) {
  uint_fast64_t cur;

  if (clock == NULL || clock->kind != WES_CLOCK_MANUAL) {
    return WES_E_INVALID_PARAMETER;
  }
  cur = atomic_load_explicit(&clock->ms, memory_order_acquire);
  for (;;) {
    if ((uint64_t)cur > UINT64_MAX - ms || !manual_fits(clock, cur + ms)) {
      return WES_E_VALUE_OUT_OF_RANGE;
    }
    if (atomic_compare_exchange_weak_explicit(&clock->ms, &cur, cur + ms,
                                              memory_order_acq_rel,
                                              memory_order_acquire)) {
      return WES_S_OK;
    }
  }
}

WES_API wes_hresult_t wes_clock_manual_set(wes_clock_t *clock,
                                           uint64_t now_ms) {
  uint_fast64_t cur;

  if (clock == NULL || clock->kind != WES_CLOCK_MANUAL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!manual_fits(clock, now_ms)) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  cur = atomic_load_explicit(&clock->ms, memory_order_acquire);
  for (;;) {
    if (now_ms < (uint64_t)cur) {
      return WES_E_INVALID_PARAMETER;
    }
    if (atomic_compare_exchange_weak_explicit(&clock->ms, &cur, now_ms,
                                              memory_order_acq_rel,
                                              memory_order_acquire)) {
      return WES_S_OK;
    }
  }
}
