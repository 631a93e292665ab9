/* SPDX-License-Identifier: MIT */
/*
 * `wes watch`: runs a broker with the built-in providers on a libuv loop,
 * subscribes to a WQL event query as the calling Unix user and prints
 * every delivered event until interrupted, N events, or a timeout.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "wes_tool.h"

#define MAX_MOFS 64

typedef struct watch_s {
  uv_loop_t loop;
  uv_signal_t sigint, sigterm;
  uv_timer_t timeout;
  uv_async_t quit;
  wes_broker_t *broker;
  wes_datafile_provider_t *df;
  wes_sink_t *sink;
  int mof;
  unsigned long count; /* 0 = unlimited */
  unsigned long seen;
  int stopping;
  int failed;
  wes_hresult_t end_hr;
} watch_t;

static void usage(FILE *out) {
  fprintf(out,
          "usage: wes watch [--mof FILE]... [--count N] [--timeout S]\n"
          "                 [--format json|mof] [--namespace NS] 'WQL'\n"
          "\n"
          "Runs a broker with the built-in providers (CIM_DataFile), "
          "subscribes\n"
          "to the event query as the calling Unix user and prints each "
          "event\n"
          "as it is delivered (one JSON line each by default) until "
          "interrupted,\n"
          "N events have arrived, or S seconds have passed.\n"
          "\n"
          "options:\n"
          "  --mof FILE       compile a MOF file into the namespace first\n"
          "                   (repeatable)\n"
          "  --count N        stop after N events\n"
          "  --timeout S      stop after S seconds (decimals allowed)\n"
          "  --format F       json (default) or mof\n"
          "  --namespace NS   namespace (default root/cimv2)\n"
          "\n"
          "example:\n"
          "  wes watch \"SELECT * FROM __InstanceOperationEvent WHERE\n"
          "    TargetInstance ISA 'CIM_DataFile' AND\n"
          "    TargetInstance.Path = '/tmp/demo/'\"\n"
          "\n"
          "Exit status: 0 after N events, the timeout or an interrupt; 1 "
          "when\n"
          "the subscription fails (the error is printed); 2 usage error.\n");
}

static void log_hook(void *data, int level, const char *module,
                     const char *message) {
  (void)data;
  fprintf(stderr, "wes: %s: %s: %s\n",
          level == WES_LOG_ERROR ? "error" : "warning", module, message);
}

static void closed_cb(void *data) { (void)data; }

static void shutdown_now(watch_t *w) {
  if (w->stopping) {
    return;
  }
  w->stopping = 1;
  uv_signal_stop(&w->sigint);
  uv_signal_stop(&w->sigterm);
  uv_close((uv_handle_t *)&w->sigint, NULL);
  uv_close((uv_handle_t *)&w->sigterm, NULL);
  uv_close((uv_handle_t *)&w->timeout, NULL);
  uv_close((uv_handle_t *)&w->quit, NULL);
  wes_datafile_provider_close(w->df);
  w->df = NULL;
  wes_broker_close(w->broker, closed_cb, w);
}

static void on_signal(uv_signal_t *s, int sig) {
  (void)sig;
  shutdown_now(s->data);
}

static void on_timeout(uv_timer_t *t) { shutdown_now(t->data); }

static void on_quit(uv_async_t *a) { shutdown_now(a->data); }

static wes_hresult_t on_events(void *data, wes_object_t *const *objs,
                               size_t n) {
  watch_t *w = data;
  size_t i;
  for (i = 0; i < n; i++) {
    char *text = NULL;
    wes_hresult_t hr;
    if (w->count != 0 && w->seen >= w->count) {
      break;
    }
    hr = w->mof ? wes_object_to_mof(objs[i], 0, &text)
                : wes_object_to_json(objs[i], 0, &text);
    if (WES_FAILED(hr)) {
      fprintf(stderr, "wes watch: cannot render an event: %s\n",
              wes_err_name(hr));
      continue;
    }
    fputs(text, stdout);
    if (!w->mof) {
      fputc('\n', stdout);
    }
    fflush(stdout);
    wes_free(text);
    w->seen++;
  }
  if (w->count != 0 && w->seen >= w->count) {
    uv_async_send(&w->quit); /* close outside the broker's callback */
  }
  return WES_S_OK;
}

static wes_hresult_t on_status(void *data, int32_t flags, wes_hresult_t hr,
                               const char *param, wes_object_t *obj) {
  watch_t *w = data;
  (void)param;
  (void)obj;
  if (flags == WES_STATUS_COMPLETE && !w->stopping) {
    w->end_hr = hr;
    w->failed = WES_FAILED(hr) && hr != WES_E_CALL_CANCELLED &&
                hr != WES_E_SHUTTING_DOWN;
    if (w->failed) {
      fprintf(stderr, "wes watch: the subscription ended: %s: %s\n",
              wes_err_name(hr), wes_strerror(hr));
    }
    uv_async_send(&w->quit);
  }
  return WES_S_OK;
}

static wes_hresult_t user_token(wes_token_t **ret) {
  gid_t groups[256];
  uint32_t g32[256];
  int n = getgroups(256, groups), i;
  if (n < 0) {
    n = 0;
  }
  for (i = 0; i < n; i++) {
    g32[i] = (uint32_t)groups[i];
  }
  return wes_token_from_unix((uint32_t)getuid(), (uint32_t)getgid(), g32,
                             (size_t)n, NULL, NULL, 0, ret, NULL);
}

int wes_cmd_watch(int argc, char **argv) {
  const char *mofs[MAX_MOFS];
  size_t nmofs = 0, k;
  const char *query = NULL, *nsname = "root/cimv2";
  double timeout = 0.0;
  watch_t w;
  wes_error_t err;
  wes_hresult_t hr;
  wes_token_t *tok = NULL;
  wes_namespace_t *ns;
  int i, rc = WES_EXIT_OK;
  memset(&w, 0, sizeof(w));
  for (i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (wes_tool_is_help(s)) {
      usage(stdout);
      return WES_EXIT_OK;
    }
    if (strcmp(s, "--mof") == 0 || strcmp(s, "--count") == 0 ||
        strcmp(s, "--timeout") == 0 || strcmp(s, "--format") == 0 ||
        strcmp(s, "--namespace") == 0) {
      const char *v;
      char *end = NULL;
      if (i + 1 >= argc) {
        fprintf(stderr, "wes watch: %s needs a value\n", s);
        return WES_EXIT_USAGE;
      }
      v = argv[++i];
      if (strcmp(s, "--mof") == 0) {
        if (nmofs == MAX_MOFS) {
          fprintf(stderr, "wes watch: at most %d --mof files\n", MAX_MOFS);
          return WES_EXIT_USAGE;
        }
        mofs[nmofs++] = v;
      } else if (strcmp(s, "--count") == 0) {
        w.count = strtoul(v, &end, 10);
        if (end == v || *end != '\0' || w.count == 0 || v[0] == '-') {
          fprintf(stderr, "wes watch: --count needs a positive integer\n");
          return WES_EXIT_USAGE;
        }
      } else if (strcmp(s, "--timeout") == 0) {
        timeout = strtod(v, &end);
        if (end == v || *end != '\0' || !(timeout > 0.0) || timeout > 1e7) {
          fprintf(stderr, "wes watch: --timeout needs seconds > 0\n");
          return WES_EXIT_USAGE;
        }
      } else if (strcmp(s, "--format") == 0) {
        if (strcmp(v, "json") == 0) {
          w.mof = 0;
        } else if (strcmp(v, "mof") == 0) {
          w.mof = 1;
        } else {
          fprintf(stderr, "wes watch: --format is json or mof\n");
          return WES_EXIT_USAGE;
        }
      } else {
        nsname = v;
      }
      continue;
    }
    if (s[0] == '-' && s[1] != '\0') {
      fprintf(stderr, "wes watch: unknown option '%s'\n", s);
      usage(stderr);
      return WES_EXIT_USAGE;
    }
    if (query != NULL) {
      fprintf(stderr, "wes watch: one query only (quote it)\n");
      return WES_EXIT_USAGE;
    }
    query = s;
  }
  if (query == NULL) {
    usage(stderr);
    return WES_EXIT_USAGE;
  }
  wes_set_log_hook(log_hook, NULL, WES_LOG_WARNING);
  if (uv_loop_init(&w.loop) != 0) {
    fprintf(stderr, "wes watch: cannot create the event loop\n");
    return WES_EXIT_ERROR;
  }
  hr = wes_broker_new(&w.loop, NULL, &w.broker, &err);
  if (WES_FAILED(hr)) {
    wes_tool_print_error("broker", hr, &err);
    uv_loop_close(&w.loop);
    return WES_EXIT_ERROR;
  }
  ns = wes_broker_get_namespace(w.broker, nsname);
  if (ns == NULL) {
    hr = wes_broker_add_namespace(w.broker, nsname, NULL, &ns, &err);
    if (WES_FAILED(hr)) {
      wes_tool_print_error(nsname, hr, &err);
      rc = WES_EXIT_ERROR;
      goto close_broker;
    }
  }
  hr = wes_datafile_provider_new(w.broker, &w.loop, nsname, &w.df, &err);
  if (WES_FAILED(hr)) {
    wes_tool_print_error("CIM_DataFile provider", hr, &err);
    rc = WES_EXIT_ERROR;
    goto close_broker;
  }
  for (k = 0; k < nmofs; k++) {
    wes_error_clear(&err);
    hr = wes_mof_compile_file(ns, mofs[k], NULL, &err);
    if (WES_FAILED(hr)) {
      wes_tool_print_error(mofs[k], hr, &err);
      rc = WES_EXIT_ERROR;
      goto close_broker;
    }
  }
  hr = user_token(&tok);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "wes watch: cannot build the user's token: %s\n",
            wes_err_name(hr));
    rc = WES_EXIT_ERROR;
    goto close_broker;
  }
  hr = wes_sink_new_callback(on_events, on_status, &w, &w.sink);
  if (WES_FAILED(hr)) {
    rc = WES_EXIT_ERROR;
    goto close_broker;
  }
  wes_error_clear(&err);
  hr = wes_broker_exec_notification_query_async(w.broker, nsname, "WQL", query,
                                                0, tok, w.sink, &err);
  if (WES_FAILED(hr)) {
    wes_tool_print_error("query", hr, &err);
    rc = WES_EXIT_ERROR;
    goto close_broker;
  }
  uv_signal_init(&w.loop, &w.sigint);
  uv_signal_init(&w.loop, &w.sigterm);
  uv_timer_init(&w.loop, &w.timeout);
  uv_async_init(&w.loop, &w.quit, on_quit);
  w.sigint.data = w.sigterm.data = w.timeout.data = w.quit.data = &w;
  uv_signal_start(&w.sigint, on_signal, SIGINT);
  uv_signal_start(&w.sigterm, on_signal, SIGTERM);
  if (timeout > 0.0) {
    uv_timer_start(&w.timeout, on_timeout, (uint64_t)(timeout * 1000.0), 0);
  }
  fprintf(stderr, "wes watch: watching; Ctrl-C to stop\n");
  uv_run(&w.loop, UV_RUN_DEFAULT);
  if (w.failed) {
    rc = WES_EXIT_ERROR;
  }
  goto done;
close_broker:
  wes_datafile_provider_close(w.df);
  wes_broker_close(w.broker, closed_cb, &w);
  uv_run(&w.loop, UV_RUN_DEFAULT);
done:
  wes_sink_unref(w.sink);
  wes_token_unref(tok);
  if (uv_loop_close(&w.loop) != 0) {
    uv_run(&w.loop, UV_RUN_DEFAULT);
    uv_loop_close(&w.loop);
  }
  wes_set_log_hook(NULL, NULL, 0);
  return rc;
}
