/* SPDX-License-Identifier: MIT */
/*
 * Broker benchmarks (DESIGN section 5). Each figure is printed beside a
 * baseline measured in the same run:
 *   - handoff_*: a bare cross-thread hand-off (mutex-protected queue,
 *     condition variable on the empty -> non-empty edge, consumer swaps
 *     the whole queue), the physical limit of "provider thread ->
 *     consumer thread";
 *   - call_*: a bare function-pointer call per event.
 * Output: one `name value unit` line per figure.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "wes.h"

#define MOF "class BenchEvent : __ExtrinsicEvent { uint32 Value; uint64 T; };\n"

static double now_s(void) { return (double)uv_hrtime() / 1e9; }

/* ---- counting allocator (bytes per subscription) ---- */

static atomic_llong live_bytes;

typedef union hdr_u {
  size_t size;
  max_align_t align;
} hdr_t;

static void *c_malloc(size_t n) {
  hdr_t *h = malloc(sizeof(hdr_t) + n);
  if (h == NULL) {
    return NULL;
  }
  h->size = n;
  atomic_fetch_add(&live_bytes, (long long)n);
  return h + 1;
}

static void c_free(void *p) {
  hdr_t *h;
  if (p == NULL) {
    return;
  }
  h = (hdr_t *)p - 1;
  atomic_fetch_sub(&live_bytes, (long long)h->size);
  free(h);
}

static void *c_realloc(void *p, size_t n) {
  hdr_t *h;
  size_t old;
  if (p == NULL) {
    return c_malloc(n);
  }
  h = (hdr_t *)p - 1;
  old = h->size;
  h = realloc(h, sizeof(hdr_t) + n);
  if (h == NULL) {
    return NULL;
  }
  h->size = n;
  atomic_fetch_add(&live_bytes, (long long)n - (long long)old);
  return h + 1;
}

static void *c_calloc(size_t c, size_t n) {
  void *p;
  if (n != 0 && c > ((size_t)-1) / n) {
    return NULL;
  }
  p = c_malloc(c * n);
  if (p != NULL) {
    memset(p, 0, c * n);
  }
  return p;
}

/* ---- baseline: bare hand-off ---- */

typedef struct ho_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  void **items;
  size_t n, cap;
  int done;
  uint64_t received;
  uint64_t want;
  uint64_t *lat; /* latency samples (ns) */
  size_t nlat;
} ho_t;

static void ho_consumer(void *arg) {
  ho_t *h = arg;
  void **local = malloc(h->cap * sizeof(void *));
  for (;;) {
    size_t n, i;
    uv_mutex_lock(&h->lock);
    while (h->n == 0 && !h->done) {
      uv_cond_wait(&h->cond, &h->lock);
    }
    n = h->n;
    memcpy(local, h->items, n * sizeof(void *));
    h->n = 0;
    uv_cond_signal(&h->cond);
    if (n == 0 && h->done) {
      uv_mutex_unlock(&h->lock);
      break;
    }
    uv_mutex_unlock(&h->lock);
    for (i = 0; i < n; i++) {
      if (h->lat != NULL) {
        uint64_t t = (uint64_t)(uintptr_t)local[i];
        h->lat[h->nlat++] = uv_hrtime() - t;
      }
    }
    h->received += n;
  }
  free(local);
}

static void ho_push(ho_t *h, void *item) {
  uv_mutex_lock(&h->lock);
  while (h->n == h->cap) {
    uv_cond_wait(&h->cond, &h->lock);
  }
  h->items[h->n++] = item;
  if (h->n == 1) {
    uv_cond_signal(&h->cond);
  }
  uv_mutex_unlock(&h->lock);
}

static void ho_init(ho_t *h, size_t cap) {
  memset(h, 0, sizeof(*h));
  uv_mutex_init(&h->lock);
  uv_cond_init(&h->cond);
  h->cap = cap;
  h->items = malloc(cap * sizeof(void *));
}

static void ho_finish(ho_t *h, uv_thread_t *th) {
  uv_mutex_lock(&h->lock);
  h->done = 1;
  uv_cond_broadcast(&h->cond);
  uv_mutex_unlock(&h->lock);
  uv_thread_join(th);
  free(h->items);
  uv_mutex_destroy(&h->lock);
  uv_cond_destroy(&h->cond);
}

static double handoff_rate(uint64_t n) {
  ho_t h;
  uv_thread_t th;
  uint64_t i;
  double t0, t1;
  ho_init(&h, 65536);
  uv_thread_create(&th, ho_consumer, &h);
  t0 = now_s();
  for (i = 0; i < n; i++) {
    ho_push(&h, (void *)(uintptr_t)(i + 1));
  }
  ho_finish(&h, &th);
  t1 = now_s();
  return (double)n / (t1 - t0);
}

/* ---- broker throughput ---- */

typedef struct cons_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  atomic_ullong got;
  uint64_t want;
  uint64_t *lat;
  size_t nlat, maxlat;
} cons_t;

static wes_hresult_t cons_indicate(void *data, wes_object_t *const *objs,
                                   size_t n) {
  cons_t *c = data;
  uint64_t got;
  if (c->lat != NULL) {
    size_t i;
    uint64_t now = uv_hrtime();
    for (i = 0; i < n && c->nlat < c->maxlat; i++) {
      uint64_t t = 0;
      wes_object_get_uint64(objs[i], "T", &t);
      c->lat[c->nlat++] = now - t;
    }
  }
  got = atomic_fetch_add(&c->got, n) + n;
  if (got >= c->want) {
    uv_mutex_lock(&c->lock);
    uv_cond_signal(&c->cond);
    uv_mutex_unlock(&c->lock);
  }
  return WES_S_OK;
}

typedef struct bfx_s {
  wes_broker_t *b;
  wes_namespace_t *ns;
  wes_token_t *tok;
  wes_sink_t *psink;
} bfx_t;

static wes_hresult_t bp_provide(void *data, wes_sink_t *s, int32_t f) {
  bfx_t *x = data;
  (void)f;
  x->psink = wes_sink_ref(s);
  return WES_S_OK;
}

static const wes_provider_ops_t bench_ops = {WES_PROVIDER_OPS_VERSION_1,
                                             bp_provide, NULL, NULL, NULL};

/* wes_broker_options_t.spin_us of the brokers made by bfx_new */
static uint32_t bench_spin_us = 4;

static void bfx_new(bfx_t *x, uint32_t flags, uint32_t limit, uint32_t policy) {
  wes_broker_options_t o;
  wes_provider_t *pr;
  const char *q = "SELECT * FROM BenchEvent";
  memset(x, 0, sizeof(*x));
  wes_broker_options_init(&o);
  o.flags = flags;
  o.queue_limit = limit;
  o.overflow_policy = policy;
  o.block_timeout_ms = 60000;
  o.temp_subscriptions_total = 100000;
  o.temp_subscriptions_per_user = 100000;
  o.spin_us = bench_spin_us;
  if (WES_FAILED(wes_broker_new(NULL, &o, &x->b, NULL))) {
    fprintf(stderr, "broker_new failed\n");
    exit(1);
  }
  x->ns = wes_broker_get_namespace(x->b, "root/cimv2");
  wes_mof_compile(x->ns, MOF, strlen(MOF), NULL, NULL, NULL);
  wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0, &x->tok, NULL);
  wes_broker_register_provider(x->b, "root/cimv2", "bench", &q, 1, &bench_ops,
                               x, &pr, NULL);
}

static void bfx_free(bfx_t *x) {
  wes_broker_close(x->b, NULL, NULL);
  wes_sink_unref(x->psink);
  wes_token_unref(x->tok);
}

#define POOL 1024

static wes_object_t **make_pool(bfx_t *x) {
  wes_object_t **pool = malloc(POOL * sizeof(*pool));
  size_t i;
  for (i = 0; i < POOL; i++) {
    wes_object_new_by_name(x->ns, "BenchEvent", &pool[i]);
    wes_object_set_uint32(pool[i], "Value", (uint32_t)i);
    wes_object_set_uint64(pool[i], "T", 0);
    wes_object_freeze(pool[i]);
  }
  return pool;
}

static void free_pool(wes_object_t **pool) {
  size_t i;
  for (i = 0; i < POOL; i++) {
    wes_object_unref(pool[i]);
  }
  free(pool);
}

static double broker_rate(uint64_t n, uint32_t bflags) {
  bfx_t x;
  cons_t c;
  wes_sink_t *cs;
  wes_object_t **pool;
  uint64_t i;
  double t0, t1;
  static const wes_sink_ops_t ops = {WES_SINK_OPS_VERSION_1,
                                     cons_indicate,
                                     NULL,
                                     NULL,
                                     NULL,
                                     NULL,
                                     NULL,
                                     NULL};
  bfx_new(&x, WES_BROKER_OWN_THREAD, 65536, WES_OVERFLOW_BLOCK);
  memset(&c, 0, sizeof(c));
  uv_mutex_init(&c.lock);
  uv_cond_init(&c.cond);
  c.want = n;
  wes_sink_new(&ops, &c, &cs);
  wes_broker_exec_notification_query_async(
      x.b, "root/cimv2", "WQL", "SELECT * FROM BenchEvent", 0, x.tok, cs, NULL);
  wes_sink_set_batching_parameters(x.psink, bflags, WES_BATCH_MAX_BUFFER, 0);
  pool = make_pool(&x);
  t0 = now_s();
  for (i = 0; i < n; i++) {
    wes_sink_indicate(x.psink, &pool[i % POOL], 1);
  }
  uv_mutex_lock(&c.lock);
  while (atomic_load(&c.got) < n) {
    uv_cond_wait(&c.cond, &c.lock);
  }
  uv_mutex_unlock(&c.lock);
  t1 = now_s();
  bfx_free(&x);
  wes_sink_unref(cs);
  free_pool(pool);
  uv_mutex_destroy(&c.lock);
  uv_cond_destroy(&c.cond);
  return (double)n / (t1 - t0);
}

/* ---- per-event cost with many subscriptions (manual mode) ---- */

static wes_hresult_t count_indicate(void *data, wes_object_t *const *objs,
                                    size_t n) {
  (void)objs;
  *(uint64_t *)data += n;
  return WES_S_OK;
}

/* `one_each`: MUST_NOT_BATCH, so every event has a callback of its own
 * also with one subscription (with 10,000 they have one anyway). */
static double per_event_ns(uint32_t nsubs, uint64_t n, int one_each,
                           long long *ret_bytes, double *ret_match_ns) {
  bfx_t x;
  wes_sink_t *cs;
  wes_object_t **pool, *ev;
  uint64_t got = 0, i;
  uint32_t k;
  double t0, t1;
  long long before, after;
  char q[96];
  bfx_new(&x, WES_BROKER_MANUAL, 1000000, WES_OVERFLOW_DROP_NEWEST);
  wes_sink_new_callback(count_indicate, NULL, &got, &cs);
  pool = make_pool(&x);
  if (one_each) {
    wes_sink_set_batching_parameters(x.psink, WES_FLAG_MUST_NOT_BATCH, 0, 0);
  }
  /* prime the provider and the snapshot with one subscription */
  before = atomic_load(&live_bytes);
  for (k = 0; k < nsubs; k++) {
    snprintf(q, sizeof(q), "SELECT * FROM BenchEvent WHERE Value = %u", k);
    if (WES_FAILED(wes_broker_exec_notification_query_async(
            x.b, "root/cimv2", "WQL", q, 0, x.tok, cs, NULL))) {
      fprintf(stderr, "subscribe %u failed\n", k);
      exit(1);
    }
  }
  /* the first event builds the index */
  wes_object_new_by_name(x.ns, "BenchEvent", &ev);
  wes_object_set_uint32(ev, "Value", nsubs + 1);
  wes_sink_indicate(x.psink, &ev, 1);
  wes_object_unref(ev);
  after = atomic_load(&live_bytes);
  if (ret_bytes != NULL) {
    *ret_bytes = (after - before) / (long long)nsubs;
  }
  /* match + enqueue on the indicating thread only (delivery untimed) */
  {
    double m = 0.0, a = now_s();
    for (i = 0; i < n; i++) {
      if ((i & 1023) == 0) {
        a = now_s();
      }
      wes_sink_indicate(x.psink, &pool[(i % nsubs) % POOL], 1);
      if ((i & 1023) == 1023 || i + 1 == n) {
        m += now_s() - a;
        wes_broker_advance(x.b, 0);
      }
    }
    *ret_match_ns = m * 1e9 / (double)n;
  }
  got = 0;
  /* the whole path: match, enqueue, deliver */
  t0 = now_s();
  for (i = 0; i < n; i++) {
    /* value i % nsubs matches exactly one subscription */
    wes_sink_indicate(x.psink, &pool[(i % nsubs) % POOL], 1);
    if ((i & 1023) == 1023) {
      wes_broker_advance(x.b, 0);
    }
  }
  wes_broker_advance(x.b, 0);
  t1 = now_s();
  if (got != n) {
    fprintf(stderr, "per_event: got %llu of %llu\n", (unsigned long long)got,
            (unsigned long long)n);
  }
  bfx_free(&x);
  wes_sink_unref(cs);
  free_pool(pool);
  return (t1 - t0) * 1e9 / (double)n;
}

typedef wes_hresult_t (*ind_fn)(void *, wes_object_t *const *, size_t);

static double call_ns(uint64_t n) {
  volatile ind_fn fn = count_indicate;
  uint64_t got = 0, i;
  wes_object_t *o = NULL;
  double t0 = now_s(), t1;
  for (i = 0; i < n; i++) {
    fn(&got, &o, 1);
  }
  t1 = now_s();
  return (t1 - t0) * 1e9 / (double)n;
}

/* ---- latency at 10 k events/s ---- */

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void pace(uint64_t *next, uint64_t period) {
  while (uv_hrtime() < *next) {
  }
  *next += period;
}

static void latency(size_t samples, double *p50, double *p99, double *b50,
                    double *b99) {
  bfx_t x;
  cons_t c;
  wes_sink_t *cs;
  size_t i;
  uint64_t next, period = 100000; /* 100 us: 10 k events/s */
  ho_t h;
  uv_thread_t th;
  static const wes_sink_ops_t ops = {WES_SINK_OPS_VERSION_1,
                                     cons_indicate,
                                     NULL,
                                     NULL,
                                     NULL,
                                     NULL,
                                     NULL,
                                     NULL};
  bfx_new(&x, WES_BROKER_OWN_THREAD, 10000, WES_OVERFLOW_DROP_NEWEST);
  memset(&c, 0, sizeof(c));
  uv_mutex_init(&c.lock);
  uv_cond_init(&c.cond);
  c.want = samples;
  c.maxlat = samples;
  c.lat = malloc(samples * sizeof(uint64_t));
  wes_sink_new(&ops, &c, &cs);
  wes_broker_exec_notification_query_async(
      x.b, "root/cimv2", "WQL", "SELECT * FROM BenchEvent", 0, x.tok, cs, NULL);
  wes_sink_set_batching_parameters(x.psink, WES_FLAG_MUST_NOT_BATCH, 0, 0);
  next = uv_hrtime();
  for (i = 0; i < samples; i++) {
    wes_object_t *o = NULL;
    pace(&next, period);
    wes_object_new_by_name(x.ns, "BenchEvent", &o);
    wes_object_set_uint64(o, "T", uv_hrtime());
    wes_sink_indicate(x.psink, &o, 1);
    wes_object_unref(o);
  }
  uv_mutex_lock(&c.lock);
  while (atomic_load(&c.got) < samples) {
    uv_cond_wait(&c.cond, &c.lock);
  }
  uv_mutex_unlock(&c.lock);
  qsort(c.lat, c.nlat, sizeof(uint64_t), cmp_u64);
  *p50 = (double)c.lat[c.nlat / 2] / 1000.0;
  *p99 = (double)c.lat[c.nlat * 99 / 100] / 1000.0;
  bfx_free(&x);
  wes_sink_unref(cs);
  free(c.lat);
  /* baseline: the bare hand-off at the same rate */
  ho_init(&h, 65536);
  h.lat = malloc(samples * sizeof(uint64_t));
  uv_thread_create(&th, ho_consumer, &h);
  next = uv_hrtime();
  for (i = 0; i < samples; i++) {
    pace(&next, period);
    ho_push(&h, (void *)(uintptr_t)uv_hrtime());
  }
  ho_finish(&h, &th);
  qsort(h.lat, h.nlat, sizeof(uint64_t), cmp_u64);
  *b50 = (double)h.lat[h.nlat / 2] / 1000.0;
  *b99 = (double)h.lat[h.nlat * 99 / 100] / 1000.0;
  free(h.lat);
}

#define ROUNDS 7

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(*v), cmp_dbl);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void usage(void) {
  fprintf(stderr, "usage: bench_broker [--quick] "
                  "[--only latency|throughput|match|memory]\n");
  exit(2);
}

int main(int argc, char **argv) {
  uint64_t n = 1000000;
  double ho, rb, rnb, call, p50, p99, b50, b99, m10k;
  long long bytes = 0;
  int quick = 0, i;
  const char *only = NULL;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      quick = 1;
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
      if (strcmp(only, "latency") != 0 && strcmp(only, "throughput") != 0 &&
          strcmp(only, "match") != 0 && strcmp(only, "memory") != 0) {
        usage();
      }
    } else {
      usage();
    }
  }
#define RUN(part) (only == NULL || strcmp(only, part) == 0)
  wes_replace_allocator(c_malloc, c_realloc, c_calloc, c_free);
  if (quick) {
    n = 100000;
  }
  if (RUN("latency")) {
    latency(quick ? 2000 : 20000, &p50, &p99, &b50, &b99);
    printf("handoff_latency_p50 %.1f us\n", b50);
    printf("handoff_latency_p99 %.1f us\n", b99);
    printf("must_not_batch_latency_p50 %.1f us\n", p50);
    printf("must_not_batch_latency_p99 %.1f us\n", p99);
    /* the same with a loop that spins longer than the gap between events
     * (spin_us = 200 at one event per 100 us): it never sleeps */
    bench_spin_us = 200;
    latency(quick ? 2000 : 20000, &p50, &p99, &b50, &b99);
    bench_spin_us = 4;
    printf("must_not_batch_latency_spin200_p50 %.1f us\n", p50);
    printf("must_not_batch_latency_spin200_p99 %.1f us\n", p99);
  }
  if (RUN("throughput")) {
    /* Interleaved rounds, medians: the machine's speed drifts, so each
     * figure and its baseline are sampled side by side. */
    double hos[ROUNDS], rbs[ROUNDS], rnbs[ROUNDS];
    int r, rounds = quick ? 3 : ROUNDS;
    for (r = 0; r < rounds; r++) {
      hos[r] = handoff_rate(n);
      rbs[r] = broker_rate(n, WES_FLAG_BATCH_IF_NEEDED);
      rnbs[r] = broker_rate(n, WES_FLAG_MUST_NOT_BATCH);
    }
    ho = median(hos, rounds);
    rb = median(rbs, rounds);
    rnb = median(rnbs, rounds);
    printf("throughput_rounds %d rounds\n", rounds);
    printf("handoff_events_per_s %.0f events/s\n", ho);
    printf("broker_batched_events_per_s %.0f events/s\n", rb);
    printf("broker_batched_vs_handoff %.2f ratio\n", ho / rb);
    printf("broker_must_not_batch_events_per_s %.0f events/s\n", rnb);
    printf("broker_must_not_batch_vs_handoff %.2f ratio\n", ho / rnb);
  }
  if (RUN("match")) {
    /* interleaved rounds, medians, as for throughput */
    enum { M1, M100, M10K, C1, C100, C10K, E1, E10K, NFIG };
    double fig[NFIG][ROUNDS], med[NFIG], dummy;
    int r, f, rounds = quick ? 3 : 5;
    call = call_ns(n * 10);
    for (r = 0; r < rounds; r++) {
      fig[C1][r] = per_event_ns(1, n / 4, 0, NULL, &fig[M1][r]);
      fig[C100][r] = per_event_ns(100, n / 4, 0, NULL, &fig[M100][r]);
      fig[C10K][r] = per_event_ns(10000, n / 4, 0, NULL, &fig[M10K][r]);
      fig[E1][r] = per_event_ns(1, n / 4, 1, NULL, &dummy);
      fig[E10K][r] = per_event_ns(10000, n / 4, 1, NULL, &dummy);
    }
    for (f = 0; f < NFIG; f++) {
      med[f] = median(fig[f], rounds);
    }
    printf("match_rounds %d rounds\n", rounds);
    printf("call_per_event %.1f ns\n", call);
    printf("match_per_event_1_sub %.1f ns\n", med[M1]);
    printf("match_per_event_100_subs %.1f ns\n", med[M100]);
    printf("match_per_event_10000_subs %.1f ns\n", med[M10K]);
    printf("match_10000_vs_1 %.2f ratio\n", med[M10K] / med[M1]);
    printf("per_event_1_sub %.1f ns\n", med[C1]);
    printf("per_event_100_subs %.1f ns\n", med[C100]);
    printf("per_event_10000_subs %.1f ns\n", med[C10K]);
    printf("per_event_10000_vs_1 %.2f ratio\n", med[C10K] / med[C1]);
    printf("per_event_callback_each_1_sub %.1f ns\n", med[E1]);
    printf("per_event_callback_each_10000_subs %.1f ns\n", med[E10K]);
    printf("per_event_callback_each_10000_vs_1 %.2f ratio\n",
           med[E10K] / med[E1]);
  }
  if (RUN("memory")) {
    /* of which the compiled query (the WQL module's arena) */
    bfx_t x;
    wes_query_t *qs[100];
    long long before;
    int k;
    char q[96];
    per_event_ns(10000, 10000, 0, &bytes, &m10k);
    printf("bytes_per_subscription %lld bytes\n", bytes);
    bfx_new(&x, WES_BROKER_MANUAL, 1000, WES_OVERFLOW_DROP_NEWEST);
    before = atomic_load(&live_bytes);
    for (k = 0; k < 100; k++) {
      snprintf(q, sizeof(q), "SELECT * FROM BenchEvent WHERE Value = %d", k);
      wes_query_compile(x.ns, q, 0, &qs[k], NULL);
    }
    printf("bytes_per_compiled_query %lld bytes\n",
           (atomic_load(&live_bytes) - before) / 100);
    printf("bytes_per_subscription_broker_only %lld bytes\n",
           bytes - (atomic_load(&live_bytes) - before) / 100);
    for (k = 0; k < 100; k++) {
      wes_query_unref(qs[k]);
    }
    bfx_free(&x);
  }
#undef RUN
  return 0;
}
