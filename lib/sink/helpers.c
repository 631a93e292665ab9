/* SPDX-License-Identifier: MIT */
/* Helper sinks: callback, tee, JSON-lines writer. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "internal.h"
#include "cim/render_internal.h"
#include "wes/render.h"
#include "wes/sink.h"

/* ---- Callback sink ---- */

typedef struct cb_sink_s {
  wes_sink_indicate_cb indicate_cb;
  wes_sink_status_cb status_cb;
  void *data;
} cb_sink_t;

static wes_hresult_t cb_indicate(void *data, wes_object_t *const *objs,
                                 size_t n) {
  cb_sink_t *c = data;
  return c->indicate_cb(c->data, objs, n);
}

static wes_hresult_t cb_set_status(void *data, int32_t flags, wes_hresult_t hr,
                                   const char *param, wes_object_t *obj) {
  cb_sink_t *c = data;
  return c->status_cb(c->data, flags, hr, param, obj);
}

static void cb_destroy(void *data) { wes__free(data); }

static const wes_sink_ops_t cb_ops_full = {
    .version = WES_SINK_OPS_VERSION,
    .indicate = cb_indicate,
    .set_status = cb_set_status,
    .destroy = cb_destroy,
};

/* Without set_status: the wrapper answers WES_E_NOT_SUPPORTED. */
static const wes_sink_ops_t cb_ops_indicate_only = {
    .version = WES_SINK_OPS_VERSION,
    .indicate = cb_indicate,
    .destroy = cb_destroy,
};

WES_API wes_hresult_t wes_sink_new_callback(wes_sink_indicate_cb indicate_cb,
                                            wes_sink_status_cb status_cb,
                                            void *data, wes_sink_t **ret_sink) {
  cb_sink_t *c;
  wes_hresult_t hr;

  if (indicate_cb == NULL || ret_sink == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  c = wes__calloc(1, sizeof(*c));
  if (c == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  c->indicate_cb = indicate_cb;
  c->status_cb = status_cb;
  c->data = data;
  hr = wes_sink_new(status_cb != NULL ? &cb_ops_full : &cb_ops_indicate_only, c,
                    ret_sink);
  if (WES_FAILED(hr)) {
    wes__free(c);
  }
  return hr;
}

/* ---- Tee ---- */

#define TEE_MAX 64

typedef struct tee_sink_s {
  size_t n;
  wes_sink_t *sinks[];
} tee_sink_t;

static wes_hresult_t tee_indicate(void *data, wes_object_t *const *objs,
                                  size_t n) {
  tee_sink_t *t = data;
  wes_hresult_t result = WES_S_OK;
  size_t i;

  for (i = 0; i < t->n; i++) {
    wes_hresult_t hr = wes_sink_indicate(t->sinks[i], objs, n);
    if (WES_FAILED(hr) && WES_SUCCEEDED(result)) {
      result = hr;
    }
  }
  return result;
}

static wes_hresult_t tee_set_status(void *data, int32_t flags,
                                    wes_hresult_t code, const char *param,
                                    wes_object_t *obj) {
  tee_sink_t *t = data;
  wes_hresult_t result = WES_S_OK;
  size_t i;

  for (i = 0; i < t->n; i++) {
    wes_hresult_t hr =
        wes_sink_set_status(t->sinks[i], flags, code, param, obj);
    if (WES_FAILED(hr) && WES_SUCCEEDED(result)) {
      result = hr;
    }
  }
  return result;
}

static wes_hresult_t tee_is_active(void *data) {
  tee_sink_t *t = data;
  bool answered = false;
  size_t i;

  for (i = 0; i < t->n; i++) {
    wes_hresult_t hr = wes_sink_is_active(t->sinks[i]);
    if (hr == WES_S_OK) {
      return WES_S_OK;
    }
    if (hr == WES_S_FALSE) {
      answered = true;
    }
  }
  return answered ? WES_S_FALSE : WES_E_NOT_SUPPORTED;
}

static void tee_destroy(void *data) {
  tee_sink_t *t = data;
  size_t i;

  for (i = 0; i < t->n; i++) {
    wes_sink_unref(t->sinks[i]);
  }
  wes__free(t);
}

static const wes_sink_ops_t tee_ops = {
    .version = WES_SINK_OPS_VERSION,
    .indicate = tee_indicate,
    .set_status = tee_set_status,
    .is_active = tee_is_active,
    .destroy = tee_destroy,
};

WES_API wes_hresult_t wes_sink_new_tee(wes_sink_t *const *sinks, size_t n,
                                       wes_sink_t **ret_sink) {
  tee_sink_t *t;
  wes_hresult_t hr;
  size_t i;

  if (sinks == NULL || n == 0 || n > TEE_MAX || ret_sink == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  for (i = 0; i < n; i++) {
    if (sinks[i] == NULL) {
      return WES_E_INVALID_PARAMETER;
    }
  }
  t = wes__calloc(1, sizeof(*t) + n * sizeof(t->sinks[0]));
  if (t == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  t->n = n;
  for (i = 0; i < n; i++) {
    t->sinks[i] = sinks[i];
  }
  hr = wes_sink_new(&tee_ops, t, ret_sink);
  if (WES_FAILED(hr)) {
    wes__free(t);
    return hr;
  }
  for (i = 0; i < n; i++) {
    wes_sink_ref(sinks[i]);
  }
  return WES_S_OK;
}

/* ---- JSON lines ---- */

#define JSON_KNOWN_FLAGS (WES_SINK_JSON_STATUS_LINE | WES_SINK_JSON_CLOSE_FD)

typedef struct json_sink_s {
  int fd;
  uint32_t flags;
  uint32_t render_flags;
  uv_mutex_t mu;
} json_sink_t;

/*
 * write() with SIGPIPE held back on this thread: a reader that went away
 * gives EPIPE instead of killing the process. A SIGPIPE raised by our own
 * write is consumed; one that was already pending is left alone.
 */
static ssize_t write_nosigpipe(int fd, const char *p, size_t len) {
  sigset_t pipe_set, old_set, pending;
  bool was_pending;
  ssize_t w;
  int saved;

  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigpending(&pending);
  was_pending = sigismember(&pending, SIGPIPE) == 1;
  if (pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set) != 0) {
    return write(fd, p, len);
  }
  w = write(fd, p, len);
  saved = errno;
  if (w < 0 && saved == EPIPE && !was_pending) {
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, NULL);
  errno = saved;
  return w;
}

static wes_hresult_t write_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t w = write_nosigpipe(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd pfd;
        pfd.fd = fd;
        pfd.events = POLLOUT;
        pfd.revents = 0;
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
          wes__log(WES_LOG_ERROR, "sink", "json-lines poll(fd %d): %s", fd,
                   strerror(errno));
          return WES_E_FAILED;
        }
        continue;
      }
      wes__log(WES_LOG_ERROR, "sink", "json-lines write(fd %d): %s", fd,
               strerror(errno));
      return WES_E_FAILED;
    }
    p += w;
    len -= (size_t)w;
  }
  return WES_S_OK;
}

static wes_hresult_t json_flush(json_sink_t *j, wes__buf_t *b) {
  wes_hresult_t hr;

  if (b->oom) {
    return WES_E_OUT_OF_MEMORY;
  }
  if (b->len == 0) {
    return WES_S_OK;
  }
  uv_mutex_lock(&j->mu);
  hr = write_all(j->fd, b->data, b->len);
  uv_mutex_unlock(&j->mu);
  return hr;
}

static wes_hresult_t json_indicate(void *data, wes_object_t *const *objs,
                                   size_t n) {
  json_sink_t *j = data;
  wes_hresult_t hr = WES_S_OK, whr;
  wes__buf_t b;
  size_t i;

  wes__buf_init(&b);
  for (i = 0; i < n; i++) {
    char *text = NULL;
    hr = wes_object_to_json(objs[i], j->render_flags, &text);
    if (WES_FAILED(hr)) {
      break;
    }
    wes__buf_puts(&b, text);
    wes__buf_putc(&b, '\n');
    wes_free(text);
  }
  whr = json_flush(j, &b);
  wes__buf_free(&b);
  return WES_FAILED(hr) ? hr : whr;
}

static wes_hresult_t json_set_status(void *data, int32_t flags,
                                     wes_hresult_t code, const char *param,
                                     wes_object_t *obj) {
  json_sink_t *j = data;
  wes_hresult_t hr;
  wes__buf_t b;

  (void)obj;
  if (flags != WES_STATUS_COMPLETE ||
      (j->flags & WES_SINK_JSON_STATUS_LINE) == 0) {
    return WES_S_OK;
  }
  wes__buf_init(&b);
  wes__buf_printf(&b, "{\"status\":\"complete\",\"hr\":\"0x%08X\",\"name\":",
                  (unsigned)code);
  wes__render_quoted(&b, wes_err_name(code), true);
  if (param != NULL) {
    wes__buf_puts(&b, ",\"param\":");
    wes__render_quoted(&b, param, true);
  }
  wes__buf_puts(&b, "}\n");
  hr = json_flush(j, &b);
  wes__buf_free(&b);
  return hr;
}

static void json_destroy(void *data) {
  json_sink_t *j = data;
  if ((j->flags & WES_SINK_JSON_CLOSE_FD) != 0) {
    close(j->fd);
  }
  uv_mutex_destroy(&j->mu);
  wes__free(j);
}

static const wes_sink_ops_t json_ops = {
    .version = WES_SINK_OPS_VERSION,
    .indicate = json_indicate,
    .set_status = json_set_status,
    .destroy = json_destroy,
};

WES_API wes_hresult_t wes_sink_new_json_lines(int fd, uint32_t flags,
                                              uint32_t render_flags,
                                              wes_sink_t **ret_sink) {
  json_sink_t *j;
  wes_hresult_t hr;

  if (fd < 0 || ret_sink == NULL || (flags & ~JSON_KNOWN_FLAGS) != 0 ||
      (render_flags & WES_RENDER_PRETTY) != 0) {
    return WES_E_INVALID_PARAMETER;
  }
  j = wes__calloc(1, sizeof(*j));
  if (j == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  if (uv_mutex_init(&j->mu) != 0) {
    wes__free(j);
    return WES_E_OUT_OF_MEMORY;
  }
  j->fd = fd;
  j->flags = flags;
  j->render_flags = render_flags;
  hr = wes_sink_new(&json_ops, j, ret_sink);
  if (WES_FAILED(hr)) {
    uv_mutex_destroy(&j->mu);
    wes__free(j);
  }
  return hr;
}
