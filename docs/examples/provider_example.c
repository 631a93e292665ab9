/* SPDX-License-Identifier: MIT */
/*
 * A complete event provider (docs/provider-guide.md): it declares an
 * extrinsic event class, registers with the broker, starts a thread when
 * the broker calls provide_events, and indicates events from that thread
 * while someone is interested (IsActive). A consumer subscribed with a
 * WHERE clause receives the matching ones.
 *
 * Build: cc provider_example.c $(pkg-config --cflags --libs wes)
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "wes.h"

#define MOF                                                                    \
  "class DiskAlert : __ExtrinsicEvent {\n"                                     \
  "  string Device;\n"                                                         \
  "  uint32 PercentFull;\n"                                                    \
  "};\n"

typedef struct my_provider_s {
  wes_namespace_t *ns;
  wes_sink_t *sink; /* the broker's sink, kept from provide_events */
  uv_thread_t thread;
  int started;
  atomic_int queries; /* subscriptions the broker told us about */
} my_provider_t;

/* The provider's own thread: produce events, indicate them. */
static void producer(void *arg) {
  my_provider_t *p = arg;
  uint32_t pct;
  for (pct = 80; pct <= 100; pct += 5) {
    wes_object_t *ev = NULL;
    wes_hresult_t hr;
    /* IsActive: is anybody interested? (here always yes) */
    if (wes_sink_is_active(p->sink) != WES_S_OK) {
      continue;
    }
    if (WES_FAILED(wes_object_new_by_name(p->ns, "DiskAlert", &ev))) {
      return;
    }
    wes_object_set_string(ev, "Device", "/dev/sda1");
    wes_object_set_uint32(ev, "PercentFull", pct);
    /* The broker stamps TIME_CREATED, freezes the object and matches it
     * on this thread; delivery happens on the broker's loop. */
    hr = wes_sink_indicate(p->sink, &ev, 1);
    wes_object_unref(ev); /* one new object per event, never reused */
    if (WES_FAILED(hr)) {
      fprintf(stderr, "indicate: %s\n", wes_err_name(hr));
      return;
    }
  }
}

/* IWbemEventProvider::ProvideEvents: called once, on first interest. */
static wes_hresult_t my_provide_events(void *data, wes_sink_t *sink,
                                       int32_t flags) {
  my_provider_t *p = data;
  (void)flags;
  p->sink = wes_sink_ref(sink); /* keep it */
  return WES_S_OK;              /* return quickly */
}

/* Whether `text` contains `word`, ignoring ASCII case. */
static int mentions(const char *text, const char *word) {
  size_t n = strlen(word), i;
  for (; *text != '\0'; text++) {
    for (i = 0; i < n && text[i] != '\0'; i++) {
      char a = text[i], b = word[i];
      if (a >= 'A' && a <= 'Z') {
        a = (char)(a - 'A' + 'a');
      }
      if (b >= 'A' && b <= 'Z') {
        b = (char)(b - 'A' + 'a');
      }
      if (a != b) {
        break;
      }
    }
    if (i == n) {
      return 1;
    }
  }
  return 0;
}

/* IWbemEventProviderQuerySink::NewQuery / CancelQuery. A query this
 * provider will not serve fails the subscription; the message written
 * into reterr reaches the subscriber (prefixed with the provider's
 * name). */
static wes_hresult_t my_new_query(void *data, uint32_t id, const char *lang,
                                  const char *query, wes_error_t *reterr) {
  my_provider_t *p = data;
  if (!mentions(query, "PercentFull")) {
    return wes_error_set(reterr, WES_E_PROVIDER_NOT_CAPABLE,
                         "add a PercentFull condition to the WHERE clause, "
                         "e.g. PercentFull > 90");
  }
  printf("provider: new query %u (%s): %s\n", (unsigned)id, lang, query);
  atomic_fetch_add(&p->queries, 1);
  return WES_S_OK;
}

static wes_hresult_t my_cancel_query(void *data, uint32_t id) {
  my_provider_t *p = data;
  printf("provider: cancel query %u\n", (unsigned)id);
  atomic_fetch_sub(&p->queries, 1);
  return WES_S_OK;
}

static const wes_provider_ops_t my_ops = {
    WES_PROVIDER_OPS_VERSION_1, my_provide_events, my_new_query,
    my_cancel_query, NULL /* no access_check: everyone may subscribe */};

/* ---- a consumer, to see the events ---- */

typedef struct seen_s {
  uv_mutex_t lock;
  uv_cond_t cond;
  int n;
} seen_t;

static wes_hresult_t on_event(void *data, wes_object_t *const *objs, size_t n) {
  seen_t *s = data;
  size_t i;
  for (i = 0; i < n; i++) {
    uint32_t pct = 0;
    wes_object_get_uint32(objs[i], "PercentFull", &pct);
    printf("consumer: DiskAlert %u%%\n", (unsigned)pct);
  }
  uv_mutex_lock(&s->lock);
  s->n += (int)n;
  uv_cond_signal(&s->cond);
  uv_mutex_unlock(&s->lock);
  return WES_S_OK;
}

int main(void) {
  wes_broker_options_t opts;
  wes_broker_t *broker = NULL;
  wes_provider_t *reg = NULL;
  wes_token_t *token = NULL;
  wes_sink_t *consumer = NULL;
  my_provider_t prov;
  seen_t seen;
  wes_error_t err;
  const char *event_query_list[] = {"SELECT * FROM DiskAlert"};
  wes_hresult_t hr;

  memset(&prov, 0, sizeof(prov));
  memset(&seen, 0, sizeof(seen));
  uv_mutex_init(&seen.lock);
  uv_cond_init(&seen.cond);

  /* 1. A broker on its own thread. */
  wes_broker_options_init(&opts);
  opts.flags = WES_BROKER_OWN_THREAD;
  hr = wes_broker_new(NULL, &opts, &broker, &err);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "broker: %s: %s\n", wes_err_name(hr), err.text);
    return 1;
  }

  /* 2. The event class, in root/cimv2. */
  prov.ns = wes_broker_get_namespace(broker, "root/cimv2");
  hr = wes_mof_compile(prov.ns, MOF, strlen(MOF), "diskalert.mof", NULL, &err);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "mof: %s\n", err.text);
    return 1;
  }

  /* 3. Register the provider with its EventQueryList. */
  hr = wes_broker_register_provider(broker, "root/cimv2", "Example|Disk|1",
                                    event_query_list, 1, &my_ops, &prov, &reg,
                                    &err);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "register: %s: %s\n", wes_err_name(hr), err.text);
    return 1;
  }

  /* 4. A consumer: alerts above 90 %. provide_events and new_query run
   * inside this call, because this is the first interest. */
  wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0, &token, NULL);
  wes_sink_new_callback(on_event, NULL, &seen, &consumer);
  hr = wes_broker_exec_notification_query_async(
      broker, "root/cimv2", "WQL",
      "SELECT * FROM DiskAlert WHERE PercentFull > 90", 0, token, consumer,
      &err);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "subscribe: %s: %s\n", wes_err_name(hr), err.text);
    return 1;
  }

  /* A query the provider refuses: its message comes back in err. */
  hr = wes_broker_exec_notification_query_async(
      broker, "root/cimv2", "WQL", "SELECT * FROM DiskAlert", 0, token,
      consumer, &err);
  if (hr != WES_E_PROVIDER_NOT_CAPABLE) {
    fprintf(stderr, "expected a refusal, got %s\n", wes_err_name(hr));
    return 1;
  }
  printf("refused: %s: %s\n", wes_err_name(hr), err.text);

  /* 5. The provider produces on its own thread. */
  uv_thread_create(&prov.thread, producer, &prov);
  uv_thread_join(&prov.thread);

  /* 95 and 100 match */
  uv_mutex_lock(&seen.lock);
  while (seen.n < 2) {
    uv_cond_wait(&seen.cond, &seen.lock);
  }
  uv_mutex_unlock(&seen.lock);

  /* 6. Tear down: cancel, unregister, close (joins the broker thread). */
  wes_broker_cancel_async_call(broker, consumer);
  wes_broker_unregister_provider(broker, reg);
  wes_broker_close(broker, NULL, NULL);
  wes_sink_unref(prov.sink);
  wes_sink_unref(consumer);
  wes_token_unref(token);
  uv_mutex_destroy(&seen.lock);
  uv_cond_destroy(&seen.cond);
  printf("done: %d events\n", seen.n);
  return seen.n == 2 ? 0 : 1;
}
