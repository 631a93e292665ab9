/* SPDX-License-Identifier: MIT */
/* The README example: a consumer subscribes with WQL, a publisher indicates
 * an event, the broker (in virtual time) delivers it. */
#include <stdio.h>
#include <string.h>
#include <wes.h>

static wes_hresult_t on_events(void *data, wes_object_t *const *objs, size_t n) {
  const char *drive;
  (void)data;
  for (size_t i = 0; i < n; i++)
    if (wes_object_get_string(objs[i], "Drive", &drive) == WES_S_OK)
      printf("%s: disk almost full\n", drive);
  return WES_S_OK;
}

int main(void) {
  const char *mof = "class DiskFull : __ExtrinsicEvent {string Drive; uint64 Free;};";
  wes_broker_options_t opts;
  wes_broker_t *b; wes_namespace_t *ns; wes_token_t *me;
  wes_sink_t *consumer, *publisher; wes_object_t *ev;
  wes_broker_options_init(&opts);
  opts.flags = WES_BROKER_MANUAL;                 /* virtual time: advance() */
  if (WES_FAILED(wes_broker_new(NULL, &opts, &b, NULL))) return 1;
  ns = wes_broker_get_namespace(b, "root/cimv2");
  wes_mof_compile(ns, mof, strlen(mof), "inline", NULL, NULL);
  wes_token_from_unix(0, 0, NULL, 0, NULL, NULL, 0, &me, NULL);   /* root */
  wes_sink_new_callback(on_events, NULL, NULL, &consumer);
  wes_broker_exec_notification_query_async(b, "root/cimv2", "WQL",
      "SELECT * FROM DiskFull WHERE Free < 1000000", 0, me, consumer, NULL);
  wes_broker_query_object_sink(b, "root/cimv2", 0, me, &publisher, NULL);
  wes_object_new_by_name(ns, "DiskFull", &ev);
  wes_object_set_string(ev, "Drive", "/var");
  wes_object_set_uint64(ev, "Free", 4096);
  wes_sink_indicate(publisher, &ev, 1);           /* any thread may do this */
  wes_broker_advance(b, 0);                       /* prints "/var: disk almost full" */
  wes_object_unref(ev); wes_sink_unref(publisher);
  wes_broker_close(b, NULL, NULL);                /* consumer: SHUTTING_DOWN */
  wes_sink_unref(consumer); wes_token_unref(me);
  return 0;
}
