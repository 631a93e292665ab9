/* SPDX-License-Identifier: MIT */
/*
 * The worker of a subscription moved off the loop (WES_FLAG_DEFER_SLOW,
 * after a callback overran its budget). It replaces the consumer as the
 * subscription's sink: the loop hands it batches (a quick queue append),
 * a thread of its own calls the consumer's indicate with them, one batch
 * at a time, with the callback context set (wes_broker_delivery_sequence
 * works there, a cancel from inside is recognised).
 *
 * Ending (DESIGN 2.6, 4.6) follows the rule of every subscription:
 * wes__defer_finish called outside every broker callback waits until the
 * worker is outside the consumer's callback, releases what the worker
 * still holds (dropped_cancel), sends the one final set_status and drops
 * the consumer's reference, all before it returns, on the calling thread.
 * Called from inside a broker callback (a consumer's on the loop or on
 * another worker, a provider op) it never waits: if the worker is inside
 * the consumer's callback it records the end (d->owed) and the worker
 * finishes when that callback returns. So does a cancel from inside the
 * consumer's own callback on the worker. The worker thread ends right
 * after the finish; a waiting finish on another thread joins it, one on
 * the worker detaches it, otherwise d_destroy joins (or detaches) it.
 * A wes_broker_close the consumer requested from its callback runs on
 * the worker after that callback returned (wes__broker_close_pickup).
 *
 * Locks: d->mu is innermost (nothing is called with it held). The worker
 * never takes sub->cblock, so a finish holding it may wait for the worker.
 *
 * Lifetime: the worker holds a reference on the subscription until it
 * exits; the subscription holds the sink (sub->sink) until it is freed,
 * which therefore happens after the worker ended.
 */
#include <string.h>

#ifndef _WIN32
#include <pthread.h>
#endif

#include "broker_internal.h"

#define DEFER_BATCH 256u

typedef struct dent_s {
  wes_object_t *obj;
  uint64_t seq;
} dent_t;

typedef struct defer_s {
  bsub_t *sub;       /* the worker's reference until it exits */
  wes_sink_t *inner; /* the consumer; NULL once finished */
  uv_mutex_t mu;
  uv_cond_t cv_work; /* the worker waits for work or the end */
  uv_cond_t cv_idle; /* a finish waits for the callback to return */
  dent_t *ring;      /* queued, under mu */
  uint32_t cap, head, count, limit;
  uint8_t in_cb;    /* the worker is inside the consumer's indicate */
  uint8_t owed;     /* ended meanwhile by a finish that did not wait: the
                       worker finishes after the callback */
  uint8_t finished; /* no more callbacks; the worker exits */
  uint8_t joined;   /* the thread was joined or detached */
  uint8_t want_room; /* the loop found the queue full: tell it when the
                        worker has taken a batch (wes__defer_push) */
  uv_thread_t thread;
  uv_thread_t worker_id;            /* set by the worker when it starts */
  wes_object_t *batch[DEFER_BATCH]; /* worker only */
} defer_t;

static int on_worker(defer_t *d) {
  uv_thread_t self = uv_thread_self();
  return uv_thread_equal(&d->worker_id, &self) != 0;
}

/* Releases what is queued (with d->mu held); returns how many. */
static uint32_t discard_locked(defer_t *d) {
  uint32_t n = d->count, i;
  for (i = 0; i < n; i++) {
    wes_object_unref(d->ring[(d->head + i) % d->cap].obj);
  }
  d->count = 0;
  d->head = 0;
  return n;
}

static void finish(defer_t *d, bool wait);

static void worker_main(void *arg) {
  defer_t *d = arg;
  bsub_t *sub = d->sub;
  wes_broker_t *b = sub->b;
  uv_mutex_lock(&d->mu);
  d->worker_id = uv_thread_self();
  for (;;) {
    uint32_t k = 0, i;
    uint64_t first, t0, dt;
    wes_hresult_t hr;
    int owed, room;
    if (d->finished) {
      break;
    }
    if (d->count == 0 || atomic_load(&sub->state) != SUB_ALIVE ||
        atomic_load(&b->closing)) {
      /* nothing to do, or ended, or the broker is closing (nothing more
       * is delivered): the finish is on the way and releases what is
       * queued (no callback starts after the end) */
      uv_cond_wait(&d->cv_work, &d->mu);
      continue;
    }
    /* one run of consecutive sequence numbers, so that objs[i] carries
     * first + i */
    first = d->ring[d->head].seq;
    while (k < d->count && k < DEFER_BATCH &&
           d->ring[(d->head + k) % d->cap].seq == first + k) {
      d->batch[k] = d->ring[(d->head + k) % d->cap].obj;
      k++;
    }
    d->head = (d->head + k) % d->cap;
    d->count -= k;
    d->in_cb = 1;
    room = d->want_room;
    d->want_room = 0;
    uv_mutex_unlock(&d->mu);
    if (room) {
      /* the loop left events staged for want of room: there is some now
       * (an open queue keeps the loop from closing under the wake-up) */
      uv_mutex_lock(&sub->qlock);
      if (!sub->closed) {
        wes__broker_mark_ready(b, sub);
      }
      uv_mutex_unlock(&sub->qlock);
    }
    wes__tls_cb_sub = sub;
    wes__tls_cb_seq = first;
    wes__tls_in_cb = 1;
    t0 = wes__broker_now_ms(b);
    hr = wes_sink_indicate(d->inner, d->batch, k);
    dt = wes__broker_now_ms(b) - t0;
    wes__tls_cb_sub = NULL;
    wes__tls_in_cb = 0;
    /* the consumer's time is measured here, where it runs */
    (void)wes__note_callback_time(sub, dt, " on its worker");
    atomic_fetch_add(&sub->st_delivered, k);
    atomic_fetch_add(&sub->st_batches, 1);
    atomic_fetch_add(&b->st_delivered, k);
    if (WES_FAILED(hr)) {
      atomic_fetch_add(&sub->st_failures, 1);
      wes__log(WES_LOG_WARNING, "broker",
               "consumer of subscription %u failed on its worker: %s",
               (unsigned)sub->id, wes_err_name(hr));
      wes__report_failure_from_worker(sub, d->batch[0], hr);
    }
    for (i = 0; i < k; i++) {
      wes_object_unref(d->batch[i]);
    }
    uv_mutex_lock(&d->mu);
    d->in_cb = 0;
    uv_cond_broadcast(&d->cv_idle);
    owed = d->owed;
    d->owed = 0;
    uv_mutex_unlock(&d->mu);
    /* Ended from another thread's callback while this one ran (owed), or
     * cancelled from inside this callback: it takes effect now. For the
     * latter the loop may race to do the same after handing over a
     * batch; the flag decides (a finish there that finds this callback
     * over does it itself, else it leaves it owed). */
    if (owed || (atomic_load(&sub->cancel_in_cb) &&
                 !atomic_exchange(&sub->final_sent, 1))) {
      finish(d, true);
    }
    /* a close the consumer asked for from this callback runs now */
    (void)wes__broker_close_pickup(b);
    uv_mutex_lock(&d->mu);
  }
  uv_mutex_unlock(&d->mu);
  /* the last touch: the subscription (and this record with its sink) may
   * be freed here, on this thread */
  wes__sub_unref(sub);
}

uint32_t wes__defer_push(bsub_t *sub, wes_object_t *const *objs,
                         const qent_t *ents, uint32_t n) {
  defer_t *d = wes_sink_get_data(sub->sink);
  uint32_t i, late = 0;
  uv_mutex_lock(&d->mu);
  for (i = 0; i < n; i++) {
    if (d->finished) {
      late++;
      continue;
    }
    if (d->count == d->cap) {
      void *ring = d->ring;
      int r = wes__ring_grow(&ring, &d->cap, &d->head, d->count,
                             sizeof(dent_t), 64, d->limit);
      d->ring = ring;
      if (r != 0) {
        /* full: the rest stays staged with the loop, so the queue bound
         * and the subscription's overflow policy apply to what comes */
        d->want_room = 1;
        break;
      }
    }
    d->ring[(d->head + d->count) % d->cap].obj = wes_object_ref(objs[i]);
    d->ring[(d->head + d->count) % d->cap].seq = ents[i].seq;
    d->count++;
  }
  uv_cond_signal(&d->cv_work);
  uv_mutex_unlock(&d->mu);
  if (late > 0) {
    atomic_fetch_add(&sub->st_dropped_cancel, late);
    atomic_fetch_add(&sub->b->st_dropped, late);
  }
  return i;
}

/* The worker's sink is only a handle (sub->sink) for the loop and for
 * wes__defer_finish; the loop hands it events with wes__defer_push. */
static wes_hresult_t d_indicate(void *data, wes_object_t *const *objs,
                                size_t n) {
  (void)data;
  (void)objs;
  (void)n;
  return WES_E_INVALID_OPERATION;
}

static void d_destroy(void *data) {
  defer_t *d = data;
  /* The subscription is being freed: its worker has ended (it held a
   * reference until then), and it was finished, joined or detached. */
  uv_mutex_lock(&d->mu);
  d->finished = 1;
  uv_cond_signal(&d->cv_work);
  (void)discard_locked(d);
  uv_mutex_unlock(&d->mu);
  if (!d->joined) {
    /* not joined by a finish (it did not wait): the worker has ended, or
     * this is its last act */
    if (on_worker(d)) {
#ifndef _WIN32
      pthread_detach(pthread_self());
#endif
    } else {
      uv_thread_join(&d->thread);
    }
  }
  wes_sink_unref(d->inner);
  wes__free(d->ring);
  uv_cond_destroy(&d->cv_idle);
  uv_cond_destroy(&d->cv_work);
  uv_mutex_destroy(&d->mu);
  wes__free(d);
}

static const wes_sink_ops_t defer_ops = {WES_SINK_OPS_VERSION_1,
                                         d_indicate,
                                         NULL,
                                         NULL,
                                         NULL,
                                         NULL,
                                         NULL,
                                         d_destroy};

wes_hresult_t wes__defer_new(bsub_t *sub, wes_sink_t **ret_sink) {
  defer_t *d = wes__calloc(1, sizeof(*d));
  wes_hresult_t hr;
  if (d == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  d->limit = sub->b->opts.queue_limit;
  if (uv_mutex_init(&d->mu) != 0) {
    wes__free(d);
    return WES_E_FAILED;
  }
  if (uv_cond_init(&d->cv_work) != 0) {
    uv_mutex_destroy(&d->mu);
    wes__free(d);
    return WES_E_FAILED;
  }
  if (uv_cond_init(&d->cv_idle) != 0) {
    uv_cond_destroy(&d->cv_work);
    uv_mutex_destroy(&d->mu);
    wes__free(d);
    return WES_E_FAILED;
  }
  d->inner = wes_sink_ref(sub->sink);
  d->sub = wes__sub_ref(sub);
  hr = wes_sink_new(&defer_ops, d, ret_sink);
  if (WES_FAILED(hr)) {
    wes__sub_unref(d->sub); /* never the last: the caller holds one */
    wes_sink_unref(d->inner);
    d->inner = NULL;
    d->joined = 1;
    d_destroy(d);
    return hr;
  }
  if (uv_thread_create(&d->thread, worker_main, d) != 0) {
    wes__sub_unref(d->sub);
    d->joined = 1;
    wes_sink_unref(*ret_sink); /* d_destroy: releases inner */
    *ret_sink = NULL;
    return WES_E_FAILED;
  }
  return WES_S_OK;
}

static void finish(defer_t *d, bool wait) {
  bsub_t *sub = d->sub;
  wes_object_t *last = NULL;
  wes_sink_t *inner;
  uint32_t n;
  int self;
  uv_mutex_lock(&d->mu);
  self = on_worker(d);
  if (d->in_cb && !self && !wait) {
    /* from inside a callback elsewhere: no waiting for this one; the
     * worker finishes when it returns (no callback starts after the
     * end) */
    d->owed = 1;
    uv_mutex_unlock(&d->mu);
    return;
  }
  d->finished = 1;
  uv_cond_signal(&d->cv_work);
  /* on the worker it is never inside the callback here (a cancel from
   * inside waits for the callback to return) */
  while (d->in_cb && !self) {
    uv_cond_wait(&d->cv_idle, &d->mu);
  }
  if (d->count > 0) {
    last = wes_object_ref(d->ring[(d->head + d->count - 1) % d->cap].obj);
  }
  n = discard_locked(d);
  inner = d->inner;
  d->inner = NULL;
  uv_mutex_unlock(&d->mu);
  if (n > 0) {
    atomic_fetch_add(&sub->st_dropped_cancel, n);
    atomic_fetch_add(&sub->b->st_dropped, n);
  }
  if (last != NULL) {
    /* what the worker still held surfaces as one __EventDroppedEvent,
     * unless the end was reported already (or the broker is closing) */
    int report = 0;
    if (!sub->admin && !atomic_load(&sub->b->closing)) {
      uv_mutex_lock(&sub->qlock);
      report = !sub->end_reported;
      sub->end_reported = 1;
      uv_mutex_unlock(&sub->qlock);
    }
    if (report) {
      wes__report_end_drops(sub, last); /* consumes the reference */
    } else {
      wes_object_unref(last);
    }
  }
  if (inner != NULL) {
    wes__send_final(sub, inner);
  }
  /* The worker ends now. On it: detach. A caller that waits joins it
   * (the worker never waits for that caller). Otherwise d_destroy does,
   * once the worker dropped its reference: joining here could wait for
   * the worker to carry out a close it picked up. */
  if (!d->joined && (self || wait)) {
    d->joined = 1;
    if (self) {
#ifndef _WIN32
      pthread_detach(pthread_self());
#endif
    } else {
      uv_thread_join(&d->thread);
    }
  }
}

void wes__defer_finish(bsub_t *sub, bool wait) {
  finish(wes_sink_get_data(sub->sink), wait);
}
