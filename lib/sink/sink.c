/* SPDX-License-Identifier: MIT */
/* The library-owned sink wrapper: refcount, validation, dispatch. */
#include "wes/sink.h"
#include "internal.h"

struct wes_sink_s {
  wes__refcount_t ref;
  const wes_sink_ops_t *ops;
  void *data;
};

WES_API wes_hresult_t wes_sink_new(const wes_sink_ops_t *ops, void *data,
                                   wes_sink_t **ret_sink) {
  wes_sink_t *s;

  if (ops == NULL || ret_sink == NULL || ops->version == 0 ||
      ops->indicate == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  s = wes__calloc(1, sizeof(*s));
  if (s == NULL) {
    return WES_E_OUT_OF_MEMORY;
  }
  wes__ref_init(&s->ref);
  s->ops = ops;
  s->data = data;
  *ret_sink = s;
  return WES_S_OK;
}

WES_API wes_sink_t *wes_sink_ref(wes_sink_t *sink) {
  if (sink != NULL) {
    wes__ref_inc(&sink->ref);
  }
  return sink;
}

WES_API wes_sink_t *wes_sink_unref(wes_sink_t *sink) {
  if (sink != NULL && wes__ref_dec(&sink->ref)) {
    if (WES__OPS_HAS(sink->ops, destroy, WES_SINK_OPS_VERSION_1)) {
      sink->ops->destroy(sink->data);
    }
    wes__free(sink);
  }
  return NULL;
}

WES_API const wes_sink_ops_t *wes_sink_get_ops(const wes_sink_t *sink) {
  return sink != NULL ? sink->ops : NULL;
}

WES_API void *wes_sink_get_data(const wes_sink_t *sink) {
  return sink != NULL ? sink->data : NULL;
}

WES_API wes_hresult_t wes_sink_indicate(wes_sink_t *sink,
                                        wes_object_t *const *objs, size_t n) {
  size_t i;

  if (sink == NULL || (n > 0 && objs == NULL)) {
    return WES_E_INVALID_PARAMETER;
  }
  for (i = 0; i < n; i++) {
    if (objs[i] == NULL) {
      return WES_E_INVALID_PARAMETER;
    }
  }
  if (n == 0) {
    return WES_S_OK;
  }
  return sink->ops->indicate(sink->data, objs, n);
}

WES_API wes_hresult_t wes_sink_set_status(wes_sink_t *sink, int32_t flags,
                                          wes_hresult_t hr, const char *param,
                                          wes_object_t *obj) {
  if (sink == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!WES__OPS_HAS(sink->ops, set_status, WES_SINK_OPS_VERSION_1)) {
    return WES_E_NOT_SUPPORTED;
  }
  return sink->ops->set_status(sink->data, flags, hr, param, obj);
}

WES_API wes_hresult_t wes_sink_is_active(wes_sink_t *sink) {
  if (sink == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!WES__OPS_HAS(sink->ops, is_active, WES_SINK_OPS_VERSION_1)) {
    return WES_E_NOT_SUPPORTED;
  }
  return sink->ops->is_active(sink->data);
}

WES_API wes_hresult_t wes_sink_get_restricted_sink(
    wes_sink_t *sink, size_t n, const char *const *queries,
    const struct wes_provider_ops_s *callback, void *callback_data,
    wes_sink_t **ret_sink) {
  wes_sink_t *out = NULL;
  wes_hresult_t hr;
  size_t i;

  if (sink == NULL || ret_sink == NULL || n == 0 || queries == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  for (i = 0; i < n; i++) {
    if (queries[i] == NULL) {
      return WES_E_INVALID_PARAMETER;
    }
  }
  if (!WES__OPS_HAS(sink->ops, get_restricted_sink, WES_SINK_OPS_VERSION_1)) {
    return WES_E_NOT_SUPPORTED;
  }
  hr = sink->ops->get_restricted_sink(sink->data, n, queries, callback,
                                      callback_data, &out);
  if (WES_FAILED(hr)) {
    return hr;
  }
  if (out == NULL) {
    return WES_E_FAILED;
  }
  *ret_sink = out;
  return hr;
}

WES_API wes_hresult_t wes_sink_set_batching_parameters(
    wes_sink_t *sink, uint32_t flags, uint32_t max_buffer_bytes,
    uint32_t max_latency_ms) {
  if (sink == NULL ||
      (flags != WES_FLAG_BATCH_IF_NEEDED && flags != WES_FLAG_MUST_BATCH &&
       flags != WES_FLAG_MUST_NOT_BATCH)) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!WES__OPS_HAS(sink->ops, set_batching_parameters,
                    WES_SINK_OPS_VERSION_1)) {
    return WES_E_NOT_SUPPORTED;
  }
  return sink->ops->set_batching_parameters(sink->data, flags, max_buffer_bytes,
                                            max_latency_ms);
}

WES_API wes_hresult_t wes_sink_set_sink_security(wes_sink_t *sink,
                                                 const void *sd, size_t len) {
  if (sink == NULL || sd == NULL || len == 0) {
    return WES_E_INVALID_PARAMETER;
  }
  if (!WES__OPS_HAS(sink->ops, set_sink_security, WES_SINK_OPS_VERSION_1)) {
    return WES_E_NOT_SUPPORTED;
  }
  return sink->ops->set_sink_security(sink->data, sd, len);
}
