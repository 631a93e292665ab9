/* SPDX-License-Identifier: MIT */
/*
 * The loop: timer heap on a clock, MPSC ingress + uv_async_t, worker
 * offload, call-and-wait, own-thread mode, manual (virtual-time) mode.
 * See loop.h for the contract.
 */
#include <stdint.h>
#include <string.h>

#include <uv.h>
#ifndef _WIN32
#include <pthread.h>
#endif

#include "internal.h"
#include "loop/clock_int.h"
#include "loop/loop.h"

#define SLOT_NONE SIZE_MAX

#define MODE_EMBEDDED 0
#define MODE_THREAD 1
#define MODE_MANUAL 2

struct wes__loop_s {
  int mode;
  wes_clock_t *clock;
  uv_loop_t *uv;
  uv_loop_t own_uv; /* MODE_THREAD */
  uv_async_t async;
  uv_timer_t timer;
  int handles_open;

  /* Guarded by mu: the ingress list, the refusal flag, the owner thread
   * and the posting counters. */
  uv_mutex_t mu;
  wes__ingress_t *head;
  wes__ingress_t *tail;
  bool refuse;
  uv_thread_t owner;
  bool running; /* manual: a run_due/advance is in progress */
  uint64_t posted;
  uint64_t async_sent;

  /* Manual mode: held for the length of run_due/advance. */
  uv_mutex_t run_mu;

  /* Loop thread only below. */
  bool in_run;
  bool in_timers;
  wes__timer_t **heap;
  size_t heap_n;
  size_t heap_cap;
  uint64_t seq_next;
  bool armed;
  uint64_t armed_deadline;

  wes__work_t *wait_head;
  wes__work_t *wait_tail;
  unsigned work_cap;
  unsigned in_flight;
  size_t work_pending;

  unsigned keepalive;
  wes__loop_stats_t st;

  bool closing;
  bool finished;
  wes__loop_close_cb close_cb;
  void *close_arg;

  uv_thread_t thread;
  bool started;
  /* wes__loop_thread_detach (loop thread only) */
  bool detached;
  void (*detach_fn)(void *);
  void *detach_arg;
};

/* The libuv code behind the last failed creation/start on this thread. */
static _Thread_local int last_uv_error;

int wes__loop_last_uv_error(void) { return last_uv_error; }

static void free_loop(wes__loop_t *loop) {
  wes__free(loop->heap);
  uv_mutex_destroy(&loop->mu);
  uv_mutex_destroy(&loop->run_mu);
  wes_clock_unref(loop->clock);
  wes__free(loop);
}

/* ---- Timer heap (min-heap on (deadline, seq)) ---- */

static bool t_less(const wes__timer_t *a, const wes__timer_t *b) {
  if (a->deadline != b->deadline) {
    return a->deadline < b->deadline;
  }
  return a->seq < b->seq;
}

static void heap_set(wes__loop_t *loop, size_t i, wes__timer_t *t) {
  loop->heap[i] = t;
  t->slot = i;
}

static void heap_up(wes__loop_t *loop, size_t i) {
  wes__timer_t *t = loop->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!t_less(t, loop->heap[parent])) {
      break;
    }
    heap_set(loop, i, loop->heap[parent]);
    i = parent;
  }
  heap_set(loop, i, t);
}

static void heap_down(wes__loop_t *loop, size_t i) {
  wes__timer_t *t = loop->heap[i];
  size_t n = loop->heap_n;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    wes__timer_t *best = t;
    if (l < n && t_less(loop->heap[l], best)) {
      m = l;
      best = loop->heap[l];
    }
    if (r < n && t_less(loop->heap[r], best)) {
      m = r;
    }
    if (m == i) {
      break;
    }
    heap_set(loop, i, loop->heap[m]);
    i = m;
  }
  heap_set(loop, i, t);
}

static void heap_remove(wes__loop_t *loop, wes__timer_t *t) {
  size_t i = t->slot;
  wes__timer_t *last;

  loop->heap_n--;
  t->slot = SLOT_NONE;
  if (i == loop->heap_n) {
    return;
  }
  last = loop->heap[loop->heap_n];
  heap_set(loop, i, last);
  heap_up(loop, i);
  heap_down(loop, last->slot);
}

static void on_uv_timer(uv_timer_t *h);

static void rearm(wes__loop_t *loop) {
  uint64_t now, delay;

  if (loop->mode == MODE_MANUAL || loop->closing || loop->in_timers) {
    return;
  }
  if (loop->heap_n == 0) {
    if (loop->armed) {
      uv_timer_stop(&loop->timer);
      loop->armed = false;
    }
    return;
  }
  if (loop->armed && loop->armed_deadline == loop->heap[0]->deadline) {
    return;
  }
  now = wes_clock_now_ms(loop->clock);
  delay = loop->heap[0]->deadline > now ? loop->heap[0]->deadline - now : 0;
  loop->armed_deadline = loop->heap[0]->deadline;
  loop->armed = true;
  /* Only fails on a closing handle, which cannot be the case here. */
  (void)uv_timer_start(&loop->timer, on_uv_timer, delay, 0);
}

/* Runs the timers due at `now` that were started before this pass. */
static size_t run_timers(wes__loop_t *loop, uint64_t now) {
  uint64_t pass_seq = loop->seq_next;
  size_t n = 0;

  loop->in_timers = true;
  while (loop->heap_n > 0 && !loop->closing) {
    wes__timer_t *t = loop->heap[0];
    if (t->deadline > now || t->seq >= pass_seq) {
      /* A timer started in this pass with a deadline <= now was clamped
       * to now, so it sorts after every older due timer. */
      break;
    }
    heap_remove(loop, t);
    loop->st.timers_run++;
    n++;
    t->cb(t);
  }
  loop->in_timers = false;
  rearm(loop);
  return n;
}

static void on_uv_timer(uv_timer_t *h) {
  wes__loop_t *loop = h->data;
  loop->armed = false;
  run_timers(loop, wes_clock_now_ms(loop->clock));
}

void wes__timer_init(wes__loop_t *loop, wes__timer_t *timer, wes__timer_cb cb,
                     void *data) {
  memset(timer, 0, sizeof(*timer));
  timer->loop = loop;
  timer->cb = cb;
  timer->data = data;
  timer->slot = SLOT_NONE;
}

wes_hresult_t wes__timer_start(wes__timer_t *timer, uint64_t deadline_ms) {
  wes__loop_t *loop;
  uint64_t now;

  if (timer == NULL || timer->loop == NULL || timer->cb == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  loop = timer->loop;
  if (loop->closing) {
    return WES_E_SHUTTING_DOWN;
  }
  now = wes_clock_now_ms(loop->clock);
  if (deadline_ms < now) {
    deadline_ms = now;
  }
  if (timer->slot == SLOT_NONE) {
    if (loop->heap_n == loop->heap_cap) {
      size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
      wes__timer_t **h = wes__realloc(loop->heap, cap * sizeof(*h));
      if (h == NULL) {
        return WES_E_OUT_OF_MEMORY;
      }
      loop->heap = h;
      loop->heap_cap = cap;
    }
    timer->deadline = deadline_ms;
    timer->seq = loop->seq_next++;
    heap_set(loop, loop->heap_n++, timer);
    heap_up(loop, timer->slot);
  } else {
    timer->deadline = deadline_ms;
    timer->seq = loop->seq_next++;
    heap_up(loop, timer->slot);
    heap_down(loop, timer->slot);
  }
  rearm(loop);
  return WES_S_OK;
}

wes_hresult_t wes__timer_start_in(wes__timer_t *timer, uint64_t delay_ms) {
  uint64_t now;

  if (timer == NULL || timer->loop == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  now = wes_clock_now_ms(timer->loop->clock);
  return wes__timer_start(timer, delay_ms > UINT64_MAX - now ? UINT64_MAX
                                                             : now + delay_ms);
}

void wes__timer_stop(wes__timer_t *timer) {
  if (timer == NULL || timer->loop == NULL || timer->slot == SLOT_NONE) {
    return;
  }
  heap_remove(timer->loop, timer);
  rearm(timer->loop);
}

bool wes__timer_is_active(const wes__timer_t *timer) {
  return timer != NULL && timer->slot != SLOT_NONE;
}

bool wes__loop_next_deadline(wes__loop_t *loop, uint64_t *ret_deadline) {
  if (loop == NULL || loop->heap_n == 0) {
    return false;
  }
  if (ret_deadline != NULL) {
    *ret_deadline = loop->heap[0]->deadline;
  }
  return true;
}

/* ---- Ingress ---- */

/* Swaps the queue out once and runs it; returns the number run. */
static size_t drain_once(wes__loop_t *loop) {
  wes__ingress_t *item;
  size_t n = 0;
  uv_thread_t self = uv_thread_self();

  uv_mutex_lock(&loop->mu);
  if (loop->mode != MODE_MANUAL) {
    loop->owner = self;
  }
  item = loop->head;
  loop->head = loop->tail = NULL;
  uv_mutex_unlock(&loop->mu);
  if (item != NULL) {
    loop->st.drains++;
  }
  while (item != NULL) {
    wes__ingress_t *next = item->next;
    item->next = NULL;
    loop->st.items_run++;
    n++;
    item->cb(item);
    item = next;
  }
  return n;
}

static void on_async(uv_async_t *h) { drain_once(h->data); }

wes_hresult_t wes__loop_post(wes__loop_t *loop, wes__ingress_t *item) {
  if (loop == NULL || item == NULL || item->cb == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  item->next = NULL;
  uv_mutex_lock(&loop->mu);
  if (loop->refuse) {
    uv_mutex_unlock(&loop->mu);
    return WES_E_SHUTTING_DOWN;
  }
  loop->posted++;
  if (loop->head == NULL) {
    loop->head = loop->tail = item;
    if (loop->mode != MODE_MANUAL) {
      /* Under the lock, so a close cannot free the handle meanwhile. */
      loop->async_sent++;
      uv_async_send(&loop->async);
    }
  } else {
    loop->tail->next = item;
    loop->tail = item;
  }
  uv_mutex_unlock(&loop->mu);
  return WES_S_OK;
}

typedef struct fn_item_s {
  wes__ingress_t item;
  void (*fn)(void *);
  void *arg;
} fn_item_t;

static void run_fn_item(wes__ingress_t *item) {
  fn_item_t *f = WES__CONTAINER_OF(item, fn_item_t, item);
  void (*fn)(void *) = f->fn;
  void *arg = f->arg;
  wes__free(f);
  fn(arg);
}

wes_hresult_t wes__loop_post_fn(wes__loop_t *loop, void (*fn)(void *),
                                void *arg) {
  fn_item_t *f;
  wes_hresult_t hr;

  if (loop == NULL || fn == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  f = wes__calloc(1, sizeof(*f));
  if (f == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  f->item.cb = run_fn_item;
  f->fn = fn;
  f->arg = arg;
  hr = wes__loop_post(loop, &f->item);
  if (WES_FAILED(hr)) {
    wes__free(f);
  }
  return hr;
}

bool wes__loop_on_loop_thread(wes__loop_t *loop) {
  uv_thread_t self = uv_thread_self();
  bool eq;

  if (loop == NULL) {
    return false;
  }
  uv_mutex_lock(&loop->mu);
  eq = uv_thread_equal(&loop->owner, &self) != 0;
  uv_mutex_unlock(&loop->mu);
  return eq;
}

typedef struct sync_call_s {
  wes__ingress_t item;
  void (*fn)(void *);
  void *arg;
  uv_mutex_t mu;
  uv_cond_t cv;
  bool done;
} sync_call_t;

static void run_sync_item(wes__ingress_t *item) {
  sync_call_t *s = WES__CONTAINER_OF(item, sync_call_t, item);
  s->fn(s->arg);
  uv_mutex_lock(&s->mu);
  s->done = true;
  uv_cond_signal(&s->cv);
  uv_mutex_unlock(&s->mu);
  /* s may be gone from here on. */
}

wes_hresult_t wes__loop_call_sync(wes__loop_t *loop, void (*fn)(void *),
                                  void *arg) {
  sync_call_t s;
  wes_hresult_t hr;
  bool inline_run, refuse;
  uv_thread_t self = uv_thread_self();

  if (loop == NULL || fn == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  uv_mutex_lock(&loop->mu);
  refuse = loop->refuse;
  inline_run = uv_thread_equal(&loop->owner, &self) != 0 &&
               (loop->mode != MODE_MANUAL || loop->running);
  uv_mutex_unlock(&loop->mu);
  if (inline_run) {
    fn(arg);
    return WES_S_OK;
  }
  if (loop->mode == MODE_MANUAL) {
    if (refuse) {
      return WES_E_SHUTTING_DOWN;
    }
    uv_mutex_lock(&loop->run_mu);
    fn(arg);
    uv_mutex_unlock(&loop->run_mu);
    return WES_S_OK;
  }
  memset(&s, 0, sizeof(s));
  s.item.cb = run_sync_item;
  s.fn = fn;
  s.arg = arg;
  if (uv_mutex_init(&s.mu) != 0) {
    return WES_E_OUT_OF_MEMORY;
  }
  if (uv_cond_init(&s.cv) != 0) {
    uv_mutex_destroy(&s.mu);
    return WES_E_OUT_OF_MEMORY;
  }
  hr = wes__loop_post(loop, &s.item);
  if (WES_SUCCEEDED(hr)) {
    uv_mutex_lock(&s.mu);
    while (!s.done) {
      uv_cond_wait(&s.cv, &s.mu);
    }
    uv_mutex_unlock(&s.mu);
  }
  uv_cond_destroy(&s.cv);
  uv_mutex_destroy(&s.mu);
  return hr;
}

/* ---- Work ---- */

static void maybe_finish(wes__loop_t *loop);
static void submit_waiting(wes__loop_t *loop);

static void work_trampoline(uv_work_t *req) {
  wes__work_t *w = WES__CONTAINER_OF(req, wes__work_t, req);
  w->work_cb(w);
}

static void after_trampoline(uv_work_t *req, int status) {
  wes__work_t *w = WES__CONTAINER_OF(req, wes__work_t, req);
  wes__loop_t *loop = w->loop;

  loop->in_flight--;
  loop->work_pending--;
  loop->st.work_done++;
  w->after_cb(w, status == 0              ? WES_S_OK
                 : status == UV_ECANCELED ? WES_E_CALL_CANCELLED
                                          : wes__hr_from_uv(status));
  if (loop->closing) {
    maybe_finish(loop);
  } else {
    submit_waiting(loop);
  }
}

static int submit(wes__loop_t *loop, wes__work_t *w) {
  int r = uv_queue_work(loop->uv, &w->req, work_trampoline, after_trampoline);
  if (r == 0) {
    loop->in_flight++;
    if (loop->in_flight > loop->st.work_peak) {
      loop->st.work_peak = loop->in_flight;
    }
  }
  return r;
}

static void submit_waiting(wes__loop_t *loop) {
  while (loop->wait_head != NULL && loop->in_flight < loop->work_cap) {
    wes__work_t *w = loop->wait_head;
    loop->wait_head = w->next;
    if (loop->wait_head == NULL) {
      loop->wait_tail = NULL;
    }
    w->next = NULL;
    if (submit(loop, w) != 0) {
      /* Cannot happen with valid arguments; report it as cancelled. */
      loop->work_pending--;
      loop->st.work_done++;
      w->after_cb(w, WES_E_CALL_CANCELLED);
    }
  }
}

void wes__loop_set_work_cap(wes__loop_t *loop, unsigned cap) {
  if (loop == NULL) {
    return;
  }
  loop->work_cap = cap == 0 ? 1 : cap;
  if (loop->mode != MODE_MANUAL && !loop->closing) {
    submit_waiting(loop);
  }
}

wes_hresult_t wes__loop_queue_work(wes__loop_t *loop, wes__work_t *work,
                                   wes__work_cb work_cb,
                                   wes__after_work_cb after_cb, void *data) {
  if (loop == NULL || work == NULL || work_cb == NULL || after_cb == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (loop->closing) {
    return WES_E_SHUTTING_DOWN;
  }
  work->loop = loop;
  work->next = NULL;
  work->work_cb = work_cb;
  work->after_cb = after_cb;
  work->data = data;
  if (loop->mode != MODE_MANUAL && loop->in_flight < loop->work_cap &&
      loop->wait_head == NULL) {
    int r = submit(loop, work);
    if (r != 0) {
      return wes__hr_from_uv(r);
    }
  } else if (loop->wait_tail != NULL) {
    loop->wait_tail->next = work;
    loop->wait_tail = work;
  } else {
    loop->wait_head = loop->wait_tail = work;
  }
  loop->work_pending++;
  return WES_S_OK;
}

size_t wes__loop_work_pending(wes__loop_t *loop) {
  return loop != NULL ? loop->work_pending : 0;
}

/* Manual mode: runs the jobs queued before this call, inline, in order. */
static size_t run_manual_work(wes__loop_t *loop) {
  wes__work_t *w = loop->wait_head;
  size_t n = 0;

  loop->wait_head = loop->wait_tail = NULL;
  while (w != NULL) {
    wes__work_t *next = w->next;
    w->next = NULL;
    w->work_cb(w);
    loop->work_pending--;
    loop->st.work_done++;
    n++;
    w->after_cb(w, WES_S_OK);
    w = next;
  }
  return n;
}

/* ---- Creation ---- */

static wes_hresult_t loop_alloc(wes_clock_t *clock, int mode,
                                wes__loop_t **ret) {
  wes__loop_t *loop = wes__calloc(1, sizeof(*loop));
  if (loop == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  if (uv_mutex_init(&loop->mu) != 0) {
    wes__free(loop);
    return WES_E_OUT_OF_MEMORY;
  }
  if (uv_mutex_init(&loop->run_mu) != 0) {
    uv_mutex_destroy(&loop->mu);
    wes__free(loop);
    return WES_E_OUT_OF_MEMORY;
  }
  loop->mode = mode;
  loop->clock = clock;
  loop->owner = uv_thread_self();
  loop->work_cap = WES__LOOP_WORK_CAP_DEFAULT;
  *ret = loop;
  return WES_S_OK;
}

static wes_hresult_t init_handles(wes__loop_t *loop) {
  int r = uv_async_init(loop->uv, &loop->async, on_async);
  if (r != 0) {
    last_uv_error = r;
    return wes__hr_from_uv(r);
  }
  loop->async.data = loop;
  if (loop->mode != MODE_THREAD) {
    uv_unref((uv_handle_t *)&loop->async);
  }
  /* uv_timer_init cannot fail. */
  (void)uv_timer_init(loop->uv, &loop->timer);
  loop->timer.data = loop;
  loop->handles_open = 2;
  return WES_S_OK;
}

/* Takes a reference on the clock to use (a new real clock for NULL). */
static wes_hresult_t pick_clock(wes_clock_t *clock, wes_clock_t **ret) {
  if (clock == NULL) {
    return wes_clock_new_real(ret);
  }
  *ret = wes_clock_ref(clock);
  return WES_S_OK;
}

wes_hresult_t wes__loop_new(uv_loop_t *uv, wes_clock_t *clock,
                            wes__loop_t **ret_loop) {
  wes__loop_t *loop;
  wes_clock_t *c;
  wes_hresult_t hr;
  bool real;

  last_uv_error = 0;
  if (ret_loop == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  real = clock == NULL || wes_clock_kind(clock) == WES_CLOCK_REAL;
  if (uv == NULL && real) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = pick_clock(clock, &c);
  if (WES_FAILED(hr)) {
    return hr;
  }
  hr = loop_alloc(c, uv != NULL ? MODE_EMBEDDED : MODE_MANUAL, &loop);
  if (WES_FAILED(hr)) {
    wes_clock_unref(c);
    return hr;
  }
  if (uv != NULL) {
    loop->uv = uv;
    hr = init_handles(loop);
    if (WES_FAILED(hr)) {
      free_loop(loop);
      return hr;
    }
  }
  *ret_loop = loop;
  return WES_S_OK;
}

wes_hresult_t wes__loop_new_thread(wes_clock_t *clock, wes__loop_t **ret_loop) {
  wes__loop_t *loop;
  wes_clock_t *c;
  wes_hresult_t hr;
  int r;

  last_uv_error = 0;
  if (ret_loop == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  hr = pick_clock(clock, &c);
  if (WES_FAILED(hr)) {
    return hr;
  }
  hr = loop_alloc(c, MODE_THREAD, &loop);
  if (WES_FAILED(hr)) {
    wes_clock_unref(c);
    return hr;
  }
  r = uv_loop_init(&loop->own_uv);
  if (r != 0) {
    last_uv_error = r;
    free_loop(loop);
    return wes__hr_from_uv(r);
  }
  loop->uv = &loop->own_uv;
  hr = init_handles(loop);
  if (WES_FAILED(hr)) {
    (void)uv_loop_close(&loop->own_uv);
    free_loop(loop);
    return hr;
  }
  *ret_loop = loop;
  return WES_S_OK;
}

static wes_hresult_t finish_thread_loop(wes__loop_t *loop);

static void thread_main(void *arg) {
  wes__loop_t *loop = arg;
  uv_mutex_lock(&loop->mu);
  loop->owner = uv_thread_self();
  uv_mutex_unlock(&loop->mu);
  uv_run(loop->uv, UV_RUN_DEFAULT);
  if (loop->detached) {
    /* wes__loop_thread_detach: nobody joins this thread. */
    void (*fn)(void *) = loop->detach_fn;
    void *fn_arg = loop->detach_arg;
    uv_thread_t self = uv_thread_self();
    (void)finish_thread_loop(loop);
#ifdef _WIN32
    CloseHandle(self);
#else
    (void)pthread_detach(self);
#endif
    if (fn != NULL) {
      fn(fn_arg);
    }
  }
}

wes_hresult_t wes__loop_thread_start(wes__loop_t *loop) {
  int r;
  last_uv_error = 0;
  if (loop == NULL || loop->mode != MODE_THREAD || loop->started) {
    return WES_E_INVALID_OPERATION;
  }
  r = uv_thread_create(&loop->thread, thread_main, loop);
  if (r != 0) {
    last_uv_error = r;
    return WES_E_FAILED;
  }
  loop->started = true;
  /* From now on the new thread is the loop thread (thread_main sets the
   * same value; this covers calls made before it got there). */
  uv_mutex_lock(&loop->mu);
  loop->owner = loop->thread;
  uv_mutex_unlock(&loop->mu);
  return WES_S_OK;
}

static wes_hresult_t finish_thread_loop(wes__loop_t *loop) {
  int r = uv_loop_close(loop->uv);
  if (r != 0) {
    wes__log(WES_LOG_ERROR, "loop",
             "uv_loop_close: %s (handles left open; loop memory leaked)",
             uv_strerror(r));
    return WES_E_FAILED;
  }
  free_loop(loop);
  return WES_S_OK;
}

wes_hresult_t wes__loop_thread_join(wes__loop_t *loop) {
  if (loop == NULL || loop->mode != MODE_THREAD || !loop->started ||
      wes__loop_on_loop_thread(loop)) {
    return WES_E_INVALID_OPERATION;
  }
  if (uv_thread_join(&loop->thread) != 0) {
    return WES_E_FAILED;
  }
  return finish_thread_loop(loop);
}

wes_hresult_t wes__loop_thread_detach(wes__loop_t *loop, void (*fn)(void *),
                                      void *arg) {
  if (loop == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  /* (started is the creating thread's: not read here) */
  if (loop->mode != MODE_THREAD || !wes__loop_on_loop_thread(loop)) {
    return WES_E_INVALID_OPERATION;
  }
  loop->detached = true;
  loop->detach_fn = fn;
  loop->detach_arg = arg;
  return WES_S_OK;
}

typedef struct stop_item_s {
  wes__ingress_t item;
  wes__loop_t *loop;
  void (*fn)(void *);
  void *arg;
} stop_item_t;

static void run_stop_item(wes__ingress_t *item) {
  stop_item_t *s = WES__CONTAINER_OF(item, stop_item_t, item);
  if (s->fn != NULL) {
    s->fn(s->arg);
  }
  wes__loop_close(s->loop, NULL, NULL);
}

wes_hresult_t wes__loop_thread_stop(wes__loop_t *loop, void (*fn)(void *),
                                    void *arg) {
  stop_item_t s;

  if (loop == NULL || loop->mode != MODE_THREAD) {
    return WES_E_INVALID_OPERATION;
  }
  memset(&s, 0, sizeof(s));
  s.item.cb = run_stop_item;
  s.loop = loop;
  s.fn = fn;
  s.arg = arg;
  if (!loop->started) {
    /* Never ran: close it here, on the creating thread. */
    run_stop_item(&s.item);
    uv_run(loop->uv, UV_RUN_DEFAULT);
    return finish_thread_loop(loop);
  }
  if (wes__loop_on_loop_thread(loop)) {
    return WES_E_INVALID_OPERATION;
  }
  /* Refused when a close already started: then only join. */
  (void)wes__loop_post(loop, &s.item);
  return wes__loop_thread_join(loop);
}

/* ---- Close ---- */

static void on_handle_closed(uv_handle_t *h) {
  wes__loop_t *loop = h->data;
  loop->handles_open--;
  maybe_finish(loop);
}

static void maybe_finish(wes__loop_t *loop) {
  wes__loop_close_cb cb;
  void *arg;

  if (!loop->closing || loop->finished || loop->handles_open > 0 ||
      loop->in_flight > 0 || loop->in_run) {
    return;
  }
  loop->finished = true;
  cb = loop->close_cb;
  arg = loop->close_arg;
  if (cb != NULL) {
    cb(arg);
  }
  if (loop->mode != MODE_THREAD) {
    free_loop(loop);
  }
}

void wes__loop_close(wes__loop_t *loop, wes__loop_close_cb cb, void *arg) {
  wes__work_t *w;
  size_t i;

  if (loop == NULL || loop->closing) {
    return;
  }
  uv_mutex_lock(&loop->mu);
  loop->refuse = true;
  uv_mutex_unlock(&loop->mu);
  loop->closing = true;
  loop->close_cb = cb;
  loop->close_arg = arg;

  /* Items posted before the refusal still run. */
  while (drain_once(loop) > 0) {
  }
  /* Jobs that never started. */
  w = loop->wait_head;
  loop->wait_head = loop->wait_tail = NULL;
  while (w != NULL) {
    wes__work_t *next = w->next;
    w->next = NULL;
    loop->work_pending--;
    loop->st.work_done++;
    w->after_cb(w, WES_E_CALL_CANCELLED);
    w = next;
  }
  /* Pending timers are forgotten. */
  for (i = 0; i < loop->heap_n; i++) {
    loop->heap[i]->slot = SLOT_NONE;
  }
  loop->heap_n = 0;

  if (loop->mode != MODE_MANUAL) {
    uv_timer_stop(&loop->timer);
    loop->armed = false;
    uv_close((uv_handle_t *)&loop->async, on_handle_closed);
    uv_close((uv_handle_t *)&loop->timer, on_handle_closed);
  }
  maybe_finish(loop);
}

/* ---- Accessors ---- */

uv_loop_t *wes__loop_uv(wes__loop_t *loop) {
  return loop != NULL ? loop->uv : NULL;
}

wes_clock_t *wes__loop_clock(wes__loop_t *loop) {
  return loop != NULL ? loop->clock : NULL;
}

bool wes__loop_is_manual(const wes__loop_t *loop) {
  return loop != NULL && loop->mode == MODE_MANUAL;
}

uint64_t wes__loop_now_ms(wes__loop_t *loop) {
  return loop != NULL ? wes_clock_now_ms(loop->clock) : 0;
}

void wes__loop_get_stats(wes__loop_t *loop, wes__loop_stats_t *ret_stats) {
  if (loop == NULL || ret_stats == NULL) {
    return;
  }
  *ret_stats = loop->st;
  uv_mutex_lock(&loop->mu);
  ret_stats->posted = loop->posted;
  ret_stats->async_sent = loop->async_sent;
  uv_mutex_unlock(&loop->mu);
}

void wes__loop_keepalive(wes__loop_t *loop, bool on) {
  if (loop == NULL) {
    return;
  }
  if (on) {
    loop->keepalive++;
  } else if (loop->keepalive > 0) {
    loop->keepalive--;
  } else {
    return;
  }
  if (loop->mode != MODE_EMBEDDED || loop->closing) {
    return;
  }
  if (on && loop->keepalive == 1) {
    uv_ref((uv_handle_t *)&loop->async);
  } else if (!on && loop->keepalive == 0) {
    uv_unref((uv_handle_t *)&loop->async);
  }
}

/* ---- Running ---- */

/* Enters a run; false when this thread is already inside one. */
static bool run_enter(wes__loop_t *loop) {
  uv_thread_t self = uv_thread_self();

  if (loop->mode == MODE_MANUAL) {
    bool nested;
    uv_mutex_lock(&loop->mu);
    nested = loop->running && uv_thread_equal(&loop->owner, &self);
    uv_mutex_unlock(&loop->mu);
    if (nested) {
      return false;
    }
    uv_mutex_lock(&loop->run_mu);
    uv_mutex_lock(&loop->mu);
    loop->running = true;
    loop->owner = self;
    uv_mutex_unlock(&loop->mu);
  } else if (loop->in_run) {
    return false;
  }
  loop->in_run = true;
  return true;
}

/* Leaves a run; the loop may be freed on return (a callback closed it). */
static void run_leave(wes__loop_t *loop) {
  loop->in_run = false;
  if (loop->mode == MODE_MANUAL) {
    uv_mutex_lock(&loop->mu);
    loop->running = false;
    uv_mutex_unlock(&loop->mu);
    uv_mutex_unlock(&loop->run_mu);
  }
  if (loop->closing) {
    maybe_finish(loop);
  }
}

static size_t run_due_inner(wes__loop_t *loop) {
  size_t n = 0;

  if (loop->closing) {
    return 0;
  }
  n += drain_once(loop);
  if (loop->mode == MODE_MANUAL && !loop->closing) {
    n += run_manual_work(loop);
  }
  if (!loop->closing) {
    n += run_timers(loop, wes_clock_now_ms(loop->clock));
  }
  return n;
}

size_t wes__loop_run_due(wes__loop_t *loop) {
  size_t n;

  if (loop == NULL || !run_enter(loop)) {
    return 0;
  }
  n = run_due_inner(loop);
  run_leave(loop);
  return n;
}

wes_hresult_t wes__loop_advance(wes__loop_t *loop, uint64_t ms) {
  uint64_t now, target, d;

  if (loop == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (wes_clock_kind(loop->clock) != WES_CLOCK_MANUAL) {
    return WES_E_NOT_SUPPORTED;
  }
  now = wes_clock_now_ms(loop->clock);
  if (now > UINT64_MAX - ms || !wes__clock_manual_fits(loop->clock, now + ms)) {
    return WES_E_VALUE_OUT_OF_RANGE;
  }
  target = now + ms;
  if (!run_enter(loop)) {
    return WES_E_INVALID_OPERATION;
  }
  run_due_inner(loop);
  while (!loop->closing && wes__loop_next_deadline(loop, &d) && d <= target) {
    /* Fails only if someone moved the clock past d meanwhile. */
    (void)wes_clock_manual_set(loop->clock, d);
    run_due_inner(loop);
  }
  if (!loop->closing) {
    (void)wes_clock_manual_set(loop->clock, target);
    run_due_inner(loop);
  }
  run_leave(loop);
  return WES_S_OK;
}
