/* SPDX-License-Identifier: MIT */
/*
 * Rate-limited __EventDroppedEvent for the events a restricted sink's
 * filter drops because they match none of its queries (DESIGN 4.3 and
 * 4.17: every drop is counted and surfaces).
 *
 * The indicating thread counts the drop, keeps the event and, on the edge
 * to "something to report", lists the sink for the loop (one ingress item
 * per broker, posted on the list's empty -> non-empty edge). The loop
 * raises at most one report per drop_event_interval_ms per restricted
 * sink, Event = the last event dropped, IntendedConsumer NULL; the log
 * line says how many were dropped since the previous report and why (the
 * class has no property for either). A report held back by the interval
 * waits on a timer of the broker's heap and goes out when the interval
 * ends, even if nothing more is indicated. A broker close forgets what is
 * pending (silently, like the other drop reports).
 */
#include "broker_internal.h"

static void rd_item_cb(wes__ingress_t *item);
static void rd_timer_cb(wes__timer_t *t);

void wes__rdrop_note(psink_t *p, wes_object_t *obj) {
  wes_broker_t *b = p->b;
  uv_mutex_lock(&b->rd_lock);
  if (b->rd_closed) {
    uv_mutex_unlock(&b->rd_lock);
    return;
  }
  wes_object_unref(p->rd.last);
  p->rd.last = wes_object_ref(obj);
  p->rd.unreported++;
  if (!p->rd.queued) {
    /* the list (then the timer) holds a reference on the sink */
    p->rd.queued = 1;
    wes_sink_ref(p->self);
    p->rd.next = NULL;
    if (b->rd_tail != NULL) {
      b->rd_tail->rd.next = p;
    } else {
      b->rd_head = p;
    }
    b->rd_tail = p;
    if (!b->rd_pending) {
      /* posted under rd_lock: the loop is not closed before rd_closed
       * is set (wes__rdrop_close), and the loop's lock is innermost */
      b->rd_pending = 1;
      b->rd_item.cb = rd_item_cb;
      b->rd_item.data = b;
      if (WES_FAILED(wes__loop_post(b->loop, &b->rd_item))) {
        b->rd_pending = 0; /* closing: wes__rdrop_close releases the list */
      }
    }
  }
  uv_mutex_unlock(&b->rd_lock);
}

/* The loop is done with p: drops the reference the list or the timer
 * held. */
static void rd_release(psink_t *p) { wes_sink_unref(p->self); }

/* Reports what p holds if its interval allows, else arms its timer for
 * the end of the interval. Takes over the reference of the list or of
 * the timer that brought p here. Loop thread. */
static void rd_run(wes_broker_t *b, psink_t *p, uint64_t now) {
  wes_object_t *obj = NULL;
  uint64_t n = 0;
  int arm = 0;
  uv_mutex_lock(&b->rd_lock);
  if (p->rd.unreported > 0 && now >= p->rd.next_report) {
    n = p->rd.unreported;
    obj = p->rd.last;
    p->rd.last = NULL;
    p->rd.unreported = 0;
    p->rd.next_report = now + b->opts.drop_event_interval_ms;
  }
  if (p->rd.unreported > 0 && !b->rd_closed) {
    arm = 1; /* held back: keeps `queued`, so nobody lists it again */
  } else {
    p->rd.queued = 0;
  }
  uv_mutex_unlock(&b->rd_lock);
  if (n > 0) {
    wes__log(WES_LOG_WARNING, "broker",
             "restricted sink in namespace %s: %llu events dropped since the "
             "last report: they matched none of its %u queries",
             p->ns->name, (unsigned long long)n, (unsigned)p->nqueries);
    wes__raise_dropped(b, p->ns, obj);
    wes_object_unref(obj);
  }
  if (arm) {
    if (!p->rd.timer_init) {
      wes__timer_init(b->loop, &p->rd.timer, rd_timer_cb, p);
      p->rd.timer_init = 1;
    }
    if (WES_SUCCEEDED(wes__timer_start(&p->rd.timer, p->rd.next_report))) {
      if (!p->rd.armed) {
        p->rd.armed = 1;
        p->rd.armed_next = b->rd_armed;
        b->rd_armed = p;
      }
      return; /* the timer keeps the reference */
    }
    /* no memory for the heap, or closing: the next drop lists it again */
    uv_mutex_lock(&b->rd_lock);
    p->rd.queued = 0;
    uv_mutex_unlock(&b->rd_lock);
  }
  rd_release(p);
}

static void rd_unarm(wes_broker_t *b, psink_t *p) {
  psink_t **pp = &b->rd_armed;
  while (*pp != NULL && *pp != p) {
    pp = &(*pp)->rd.armed_next;
  }
  if (*pp == p) {
    *pp = p->rd.armed_next;
  }
  p->rd.armed_next = NULL;
  p->rd.armed = 0;
}

static void rd_timer_cb(wes__timer_t *t) {
  psink_t *p = t->data;
  wes_broker_t *b = p->b;
  rd_unarm(b, p);
  rd_run(b, p, wes__broker_now_ms(b));
}

static void rd_item_cb(wes__ingress_t *item) {
  wes_broker_t *b = item->data;
  psink_t *list;
  uint64_t now = wes__broker_now_ms(b);
  uv_mutex_lock(&b->rd_lock);
  list = b->rd_head;
  b->rd_head = b->rd_tail = NULL;
  b->rd_pending = 0;
  uv_mutex_unlock(&b->rd_lock);
  while (list != NULL) {
    psink_t *p = list;
    list = p->rd.next;
    p->rd.next = NULL;
    rd_run(b, p, now);
  }
}

/* Forgets what p has pending and drops the loop's reference. */
static void rd_forget(wes_broker_t *b, psink_t *p) {
  wes_object_t *obj;
  uv_mutex_lock(&b->rd_lock);
  obj = p->rd.last;
  p->rd.last = NULL;
  p->rd.unreported = 0;
  p->rd.queued = 0;
  uv_mutex_unlock(&b->rd_lock);
  wes_object_unref(obj);
  rd_release(p);
}

void wes__rdrop_close(wes_broker_t *b) {
  psink_t *list, *p;
  uv_mutex_lock(&b->rd_lock);
  b->rd_closed = 1;
  list = b->rd_head;
  b->rd_head = b->rd_tail = NULL;
  uv_mutex_unlock(&b->rd_lock);
  while (list != NULL) {
    p = list;
    list = p->rd.next;
    p->rd.next = NULL;
    rd_forget(b, p);
  }
  while ((p = b->rd_armed) != NULL) {
    b->rd_armed = p->rd.armed_next;
    p->rd.armed_next = NULL;
    p->rd.armed = 0;
    wes__timer_stop(&p->rd.timer);
    rd_forget(b, p);
  }
}

void wes__rdrop_free(psink_t *p) {
  /* nothing is listed or armed any more: both hold a reference */
  wes_object_unref(p->rd.last);
  p->rd.last = NULL;
}
