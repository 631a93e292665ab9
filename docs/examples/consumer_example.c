/* SPDX-License-Identifier: MIT */
/*
 * A complete temporary consumer (docs/consumer-guide.md), on a broker
 * embedded in the application's own libuv loop:
 *   - ExecNotificationQueryAsync with a sink, ended by CancelAsyncCall
 *     (exactly one set_status(COMPLETE, WBEM_E_CALL_CANCELLED));
 *   - ExecNotificationQuery (semisynchronous) read with wes_enum_next;
 *   - events published through QueryObjectSink by an administrator.
 *
 * Build: cc consumer_example.c $(pkg-config --cflags --libs wes)
 */
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "wes.h"

#define MOF                                                                    \
  "class OrderPlaced : __ExtrinsicEvent { string Customer; "                   \
  "real64 Amount; };\n"

typedef struct app_s {
  int events;
  int statuses;
  wes_hresult_t final_hr;
} app_t;

static wes_hresult_t on_indicate(void *data, wes_object_t *const *objs,
                                 size_t n) {
  app_t *app = data;
  size_t i;
  uint64_t seq = 0;
  /* per-subscription sequence numbers show gaps if events were dropped */
  wes_broker_delivery_sequence(&seq);
  for (i = 0; i < n; i++) {
    char *json = NULL;
    if (WES_SUCCEEDED(
            wes_object_to_json(objs[i], WES_RENDER_NO_TYPES, &json))) {
      printf("async #%llu: %s\n", (unsigned long long)(seq + i), json);
      wes_free(json);
    }
  }
  app->events += (int)n;
  return WES_S_OK; /* return within the 100 ms budget */
}

static wes_hresult_t on_status(void *data, int32_t flags, wes_hresult_t hr,
                               const char *param, wes_object_t *obj) {
  app_t *app = data;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE) {
    app->statuses++;
    app->final_hr = hr;
    printf("async: final status %s\n", wes_err_name(hr));
  }
  return WES_S_OK;
}

static void publish(wes_sink_t *object_sink, wes_namespace_t *ns,
                    const char *customer, double amount) {
  wes_object_t *ev = NULL;
  wes_object_new_by_name(ns, "OrderPlaced", &ev);
  wes_object_set_string(ev, "Customer", customer);
  wes_object_set_real64(ev, "Amount", amount);
  wes_sink_indicate(object_sink, &ev, 1);
  wes_object_unref(ev);
}

int main(void) {
  uv_loop_t loop;
  wes_broker_t *broker = NULL;
  wes_namespace_t *ns;
  wes_token_t *user = NULL, *admin = NULL;
  wes_sink_t *sink = NULL, *object_sink = NULL;
  wes_enum_t *en = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  app_t app;
  wes_object_t *got[4];
  uint32_t n = 0, i;

  memset(&app, 0, sizeof(app));
  uv_loop_init(&loop);
  /* embedded: deliveries run inside this loop's callbacks */
  if (WES_FAILED(wes_broker_new(&loop, NULL, &broker, &err))) {
    fprintf(stderr, "broker: %s\n", err.text);
    return 1;
  }
  ns = wes_broker_get_namespace(broker, "root/cimv2");
  wes_mof_compile(ns, MOF, strlen(MOF), NULL, NULL, NULL);
  wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0, &user, NULL);
  wes_token_from_unix(0, 0, NULL, 0, NULL, NULL, 0, &admin, NULL);

  /* Errors come back at once, with a position for syntax errors. */
  wes_sink_new_callback(on_indicate, on_status, &app, &sink);
  hr = wes_broker_exec_notification_query_async(
      broker, "root/cimv2", "WQL", "SELECT * FROM OrderPlaced WHERE", 0, user,
      sink, &err);
  printf("bad query: %s at %u:%u: %s\n", wes_err_name(hr), (unsigned)err.line,
         (unsigned)err.column, err.text);

  /* Asynchronous subscription. */
  hr = wes_broker_exec_notification_query_async(
      broker, "root/cimv2", "WQL",
      "SELECT Customer FROM OrderPlaced WHERE Amount >= 100", 0, user, sink,
      &err);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "subscribe: %s\n", err.text);
    return 1;
  }
  /* Semisynchronous subscription: flags RETURN_IMMEDIATELY|FORWARD_ONLY. */
  hr = wes_broker_exec_notification_query(
      broker, "root/cimv2", "WQL", "SELECT * FROM OrderPlaced",
      WES_FLAG_RETURN_IMMEDIATELY | WES_FLAG_FORWARD_ONLY, user, &en, &err);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "subscribe: %s\n", err.text);
    return 1;
  }

  /* An administrator publishes extrinsic events directly. */
  wes_broker_query_object_sink(broker, "root/cimv2", 0, admin, &object_sink,
                               NULL);
  publish(object_sink, ns, "alice", 250.0);
  publish(object_sink, ns, "bob", 20.0);
  publish(object_sink, ns, "carol", 120.0);

  /* Let the loop deliver. */
  uv_run(&loop, UV_RUN_NOWAIT);

  /* The enumerator got all three (WBEM_S_TIMEDOUT: fewer than asked). */
  hr = wes_enum_next(en, 1000, 4, got, &n);
  printf("enum: %s, %u events\n", wes_err_name(hr), (unsigned)n);
  for (i = 0; i < n; i++) {
    wes_object_unref(got[i]);
  }

  /* CancelAsyncCall: the one final status arrives before it returns. */
  wes_broker_cancel_async_call(broker, sink);
  wes_enum_free(en); /* releasing the enumerator cancels it */

  wes_sink_unref(object_sink);
  wes_broker_close(broker, NULL, NULL);
  uv_run(&loop, UV_RUN_DEFAULT); /* the close completes on the loop */
  uv_loop_close(&loop);
  wes_sink_unref(sink);
  wes_token_unref(user);
  wes_token_unref(admin);
  printf("async events %d, final statuses %d\n", app.events, app.statuses);
  return (app.events == 2 && app.statuses == 1 && n == 3) ? 0 : 1;
}
