/* SPDX-License-Identifier: MIT */
/*
 * The offload sink: a bounded ring of object references in front of an
 * inner sink that a worker thread of its own feeds.
 *
 * Objects get sequence numbers; the ring holds [head_seq, tail_seq).
 * Statuses are kept in a list, each tagged with `pos` = tail_seq when it
 * was queued: it is delivered once every object with seq < pos is done.
 */
#include <string.h>

#ifndef _WIN32
#include <pthread.h>
#endif

#include <uv.h>

#include "internal.h"
#include "wes/sink.h"

#define BATCH_MAX 256u

typedef struct status_node_s {
  struct status_node_s *next;
  uint64_t pos;
  int32_t flags;
  wes_hresult_t hr;
  char *param;
  wes_object_t *obj;
} status_node_t;

typedef struct offload_s {
  wes_sink_t *inner;
  size_t cap;
  uint32_t policy;
  uint32_t timeout_ms;
  wes_object_t **ring;
  wes_object_t **batch; /* worker only */
  size_t batch_cap;

  uv_mutex_t mu;
  uv_cond_t cv_work; /* worker waits for something to do */
  uv_cond_t cv_room; /* BLOCK producers wait for room */
  uv_cond_t cv_idle; /* flush waits for progress */
  uint64_t head_seq;
  uint64_t tail_seq;
  bool in_progress;   /* the worker is inside inner->indicate */
  uint64_t run_start; /* first seq of that run */
  status_node_t *st_head;
  status_node_t *st_tail;
  uint64_t st_queued;
  uint64_t st_done;
  bool stop;
  bool self_cleanup;
  uv_thread_t worker_id;
  uv_thread_t thread;

  uint64_t queued;
  uint64_t delivered;
  uint64_t dropped;
} offload_t;

static void free_status(status_node_t *s) {
  wes__free(s->param);
  wes_object_unref(s->obj);
  wes__free(s);
}

static void offload_free(offload_t *o) {
  status_node_t *s = o->st_head;
  while (s != NULL) {
    status_node_t *next = s->next;
    free_status(s);
    s = next;
  }
  while (o->head_seq < o->tail_seq) {
    wes_object_unref(o->ring[o->head_seq++ % o->cap]);
  }
  uv_cond_destroy(&o->cv_idle);
  uv_cond_destroy(&o->cv_room);
  uv_cond_destroy(&o->cv_work);
  uv_mutex_destroy(&o->mu);
  wes_sink_unref(o->inner);
  wes__free(o->batch);
  wes__free(o->ring);
  wes__free(o);
}

static void worker_main(void *arg) {
  offload_t *o = arg;
  bool self_cleanup;

  uv_mutex_lock(&o->mu);
  o->worker_id = uv_thread_self();
  for (;;) {
    if (o->st_head != NULL && o->st_head->pos <= o->head_seq) {
      status_node_t *s = o->st_head;
      o->st_head = s->next;
      if (o->st_head == NULL) {
        o->st_tail = NULL;
      }
      uv_mutex_unlock(&o->mu);
      (void)wes_sink_set_status(o->inner, s->flags, s->hr, s->param, s->obj);
      free_status(s);
      uv_mutex_lock(&o->mu);
      o->st_done++;
      uv_cond_broadcast(&o->cv_idle);
      continue;
    }
    if (o->head_seq < o->tail_seq) {
      uint64_t end = o->tail_seq;
      size_t k = 0, i;
      if (o->st_head != NULL && o->st_head->pos < end) {
        end = o->st_head->pos;
      }
      if (end - o->head_seq > o->batch_cap) {
        end = o->head_seq + o->batch_cap;
      }
      o->run_start = o->head_seq;
      while (o->head_seq < end) {
        size_t slot = (size_t)(o->head_seq % o->cap);
        o->batch[k++] = o->ring[slot];
        o->ring[slot] = NULL;
        o->head_seq++;
      }
      o->in_progress = true;
      uv_cond_broadcast(&o->cv_room);
      uv_mutex_unlock(&o->mu);
      (void)wes_sink_indicate(o->inner, o->batch, k);
      for (i = 0; i < k; i++) {
        wes_object_unref(o->batch[i]);
      }
      uv_mutex_lock(&o->mu);
      o->in_progress = false;
      o->delivered += k;
      uv_cond_broadcast(&o->cv_idle);
      continue;
    }
    if (o->stop) {
      break;
    }
    uv_cond_wait(&o->cv_work, &o->mu);
  }
  self_cleanup = o->self_cleanup;
  uv_mutex_unlock(&o->mu);
  if (self_cleanup) {
    /* The last reference went from inside the inner sink: nobody joins. */
    offload_free(o);
#ifndef _WIN32
    pthread_detach(pthread_self());
#endif
  }
}

static void offload_destroy(void *data) {
  offload_t *o = data;
  uv_thread_t self = uv_thread_self();
  bool on_worker;

  uv_mutex_lock(&o->mu);
  o->stop = true;
  on_worker = uv_thread_equal(&o->worker_id, &self) != 0;
  if (on_worker) {
    o->self_cleanup = true;
  }
  uv_cond_signal(&o->cv_work);
  uv_mutex_unlock(&o->mu);
  if (on_worker) {
    return;
  }
  uv_thread_join(&o->thread);
  offload_free(o);
}

/* Waits for room until the deadline (uv_hrtime scale); false on timeout. */
static bool wait_room(offload_t *o, uint64_t deadline_ns) {
  while (o->tail_seq - o->head_seq >= o->cap) {
    /* The worker may be asleep with what this call queued so far. */
    uv_cond_signal(&o->cv_work);
    if (o->timeout_ms == WES_INFINITE) {
      uv_cond_wait(&o->cv_room, &o->mu);
    } else {
      uint64_t now = uv_hrtime();
      if (now >= deadline_ns) {
        return false;
      }
      (void)uv_cond_timedwait(&o->cv_room, &o->mu, deadline_ns - now);
    }
  }
  return true;
}

static wes_hresult_t offload_indicate(void *data, wes_object_t *const *objs,
                                      size_t n) {
  offload_t *o = data;
  wes_hresult_t hr = WES_S_OK;
  uint64_t deadline_ns = 0;
  size_t i;

  if (o->policy == WES_OFFLOAD_BLOCK && o->timeout_ms != WES_INFINITE) {
    deadline_ns = uv_hrtime() + (uint64_t)o->timeout_ms * 1000000u;
  }
  uv_mutex_lock(&o->mu);
  for (i = 0; i < n; i++) {
    if (o->tail_seq - o->head_seq >= o->cap) {
      bool room = false;
      if (o->policy == WES_OFFLOAD_DROP_OLDEST) {
        size_t slot = (size_t)(o->head_seq % o->cap);
        wes_object_unref(o->ring[slot]);
        o->ring[slot] = NULL;
        o->head_seq++;
        o->dropped++;
        room = true;
      } else if (o->policy == WES_OFFLOAD_BLOCK &&
                 o->timeout_ms != WES_NO_WAIT) {
        room = wait_room(o, deadline_ns);
      }
      if (!room) {
        o->dropped += n - i;
        hr = WES_E_SERVER_TOO_BUSY;
        break;
      }
    }
    o->ring[(size_t)(o->tail_seq % o->cap)] = wes_object_ref(objs[i]);
    o->tail_seq++;
    o->queued++;
  }
  uv_cond_signal(&o->cv_work);
  uv_mutex_unlock(&o->mu);
  return hr;
}

static wes_hresult_t offload_set_status(void *data, int32_t flags,
                                        wes_hresult_t code, const char *param,
                                        wes_object_t *obj) {
  offload_t *o = data;
  status_node_t *s = wes__calloc(1, sizeof(*s));

  if (s == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  if (param != NULL) {
    s->param = wes__strdup(param);
    if (s->param == NULL) {
      wes__free(s);
      return WES_E_OUT_OF_MEMORY;
    }
  }
  s->flags = flags;
  s->hr = code;
  s->obj = wes_object_ref(obj);
  uv_mutex_lock(&o->mu);
  s->pos = o->tail_seq;
  if (o->st_tail != NULL) {
    o->st_tail->next = s;
  } else {
    o->st_head = s;
  }
  o->st_tail = s;
  o->st_queued++;
  uv_cond_signal(&o->cv_work);
  uv_mutex_unlock(&o->mu);
  return WES_S_OK;
}

static wes_hresult_t offload_is_active(void *data) {
  offload_t *o = data;
  return wes_sink_is_active(o->inner);
}

static wes_hresult_t
offload_get_restricted_sink(void *data, size_t n, const char *const *queries,
                            const struct wes_provider_ops_s *callback,
                            void *callback_data, wes_sink_t **ret_sink) {
  offload_t *o = data;
  return wes_sink_get_restricted_sink(o->inner, n, queries, callback,
                                      callback_data, ret_sink);
}

static wes_hresult_t offload_set_batching(void *data, uint32_t flags,
                                          uint32_t max_buffer_bytes,
                                          uint32_t max_latency_ms) {
  offload_t *o = data;
  return wes_sink_set_batching_parameters(o->inner, flags, max_buffer_bytes,
                                          max_latency_ms);
}

static wes_hresult_t offload_set_security(void *data, const void *sd,
                                          size_t len) {
  offload_t *o = data;
  return wes_sink_set_sink_security(o->inner, sd, len);
}

static const wes_sink_ops_t offload_ops = {
    .version = WES_SINK_OPS_VERSION,
    .indicate = offload_indicate,
    .set_status = offload_set_status,
    .is_active = offload_is_active,
    .get_restricted_sink = offload_get_restricted_sink,
    .set_batching_parameters = offload_set_batching,
    .set_sink_security = offload_set_security,
    .destroy = offload_destroy,
};

WES_API wes_hresult_t wes_sink_new_offload(wes_sink_t *inner, size_t capacity,
                                           uint32_t policy,
                                           uint32_t block_timeout_ms,
                                           wes_sink_t **ret_sink) {
  offload_t *o;
  wes_sink_t *sink;
  wes_hresult_t hr;

  if (inner == NULL || ret_sink == NULL || capacity == 0 ||
      capacity > SIZE_MAX / sizeof(wes_object_t *) ||
      policy > WES_OFFLOAD_BLOCK) {
    return WES_E_INVALID_PARAMETER;
  }
  o = wes__calloc(1, sizeof(*o));
  if (o == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  o->cap = capacity;
  o->policy = policy;
  o->timeout_ms = block_timeout_ms;
  o->batch_cap = capacity < BATCH_MAX ? capacity : BATCH_MAX;
  o->ring = wes__calloc(capacity, sizeof(*o->ring));
  o->batch = wes__calloc(o->batch_cap, sizeof(*o->batch));
  if (o->ring == NULL || o->batch == NULL) {
    wes__free(o->ring);
    wes__free(o->batch);
    wes__free(o);
    return WES_E_OUT_OF_MEMORY;
  }
  hr = WES_E_OUT_OF_MEMORY;
  if (uv_mutex_init(&o->mu) != 0) {
    goto fail_mem;
  }
  if (uv_cond_init(&o->cv_work) != 0) {
    goto fail_mu;
  }
  if (uv_cond_init(&o->cv_room) != 0) {
    goto fail_work;
  }
  if (uv_cond_init(&o->cv_idle) != 0) {
    goto fail_room;
  }
  o->inner = wes_sink_ref(inner);
  if (uv_thread_create(&o->thread, worker_main, o) != 0) {
    wes_sink_unref(o->inner);
    o->inner = NULL;
    hr = WES_E_FAILED;
    goto fail_idle;
  }
  hr = wes_sink_new(&offload_ops, o, &sink);
  if (WES_FAILED(hr)) {
    /* The worker has nothing to do: stop it, then free (unrefs inner). */
    uv_mutex_lock(&o->mu);
    o->stop = true;
    uv_cond_signal(&o->cv_work);
    uv_mutex_unlock(&o->mu);
    uv_thread_join(&o->thread);
    offload_free(o);
    return hr;
  }
  *ret_sink = sink;
  return WES_S_OK;

fail_idle:
  uv_cond_destroy(&o->cv_idle);
fail_room:
  uv_cond_destroy(&o->cv_room);
fail_work:
  uv_cond_destroy(&o->cv_work);
fail_mu:
  uv_mutex_destroy(&o->mu);
fail_mem:
  wes__free(o->ring);
  wes__free(o->batch);
  wes__free(o);
  return hr;
}

static offload_t *as_offload(wes_sink_t *sink) {
  if (wes_sink_get_ops(sink) != &offload_ops) {
    return NULL;
  }
  return wes_sink_get_data(sink);
}

WES_API wes_hresult_t wes_sink_offload_stats(wes_sink_t *sink,
                                             uint64_t *ret_queued,
                                             uint64_t *ret_delivered,
                                             uint64_t *ret_dropped,
                                             uint64_t *ret_pending) {
  offload_t *o = as_offload(sink);

  if (o == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  uv_mutex_lock(&o->mu);
  if (ret_queued != NULL) {
    *ret_queued = o->queued;
  }
  if (ret_delivered != NULL) {
    *ret_delivered = o->delivered;
  }
  if (ret_dropped != NULL) {
    *ret_dropped = o->dropped;
  }
  if (ret_pending != NULL) {
    *ret_pending = o->tail_seq - o->head_seq;
  }
  uv_mutex_unlock(&o->mu);
  return WES_S_OK;
}

WES_API wes_hresult_t wes_sink_offload_flush(wes_sink_t *sink) {
  offload_t *o = as_offload(sink);
  uv_thread_t self = uv_thread_self();
  uint64_t objs_target, st_target;

  if (o == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  uv_mutex_lock(&o->mu);
  if (uv_thread_equal(&o->worker_id, &self)) {
    uv_mutex_unlock(&o->mu);
    return WES_E_INVALID_OPERATION;
  }
  objs_target = o->tail_seq;
  st_target = o->st_queued;
  for (;;) {
    uint64_t done = o->in_progress ? o->run_start : o->head_seq;
    if (done >= objs_target && o->st_done >= st_target) {
      break;
    }
    uv_cond_wait(&o->cv_idle, &o->mu);
  }
  uv_mutex_unlock(&o->mu);
  return WES_S_OK;
}
