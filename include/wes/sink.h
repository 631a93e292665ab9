/* SPDX-License-Identifier: MIT */
/*
 * wes sinks: the IWbemObjectSink / IWbemEventSink contract.
 *
 * A sink receives event objects (`indicate`) and a final status
 * (`set_status`). Implementers fill a versioned ops table
 * (wes_sink_ops_t) and wrap it with wes_sink_new(); the library owns the
 * resulting wes_sink_t and counts references atomically, so implementers
 * never write refcount code. The broker hands sinks of its own to providers
 * (their `is_active`, `get_restricted_sink`, `set_batching_parameters` and
 * `set_sink_security` are the IWbemEventSink methods); consumers give the
 * broker sinks made here.
 *
 * Helper sinks: a callback sink, a JSON-lines writer, an offload sink
 * (inner sink runs on its own thread behind a bounded queue) and a tee.
 *
 * Ownership (see docs/sink.md): functions never steal references.
 * `indicate` borrows the objects for the call; a sink that keeps one takes
 * its own reference with wes_object_ref. `set_status` borrows `param` and
 * `obj` likewise.
 *
 * Thread: wes_sink_new, wes_sink_ref, wes_sink_unref and every
 * wes_sink_<method> call may be made from any thread. Whether an ops member
 * may then run concurrently with itself is the implementer's business:
 * the wrapper adds no lock. The thread rules of each helper sink are given
 * with its constructor.
 */
#ifndef WES_SINK_H
#define WES_SINK_H

#include "cim.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defined by include/wes/provider.h (the provider ops table). */
struct wes_provider_ops_s;

/* A library-owned, atomically refcounted sink. */
typedef struct wes_sink_s wes_sink_t;

/* ---- Constants (WMI's exact values; WES_x is WBEM_x) ---- */

/* WBEM_STATUS_TYPE: the `flags` of set_status (reference section 3.2). */
#define WES_STATUS_COMPLETE 0x0
#define WES_STATUS_REQUIREMENTS 0x1
#define WES_STATUS_PROGRESS 0x2
#define WES_STATUS_LOGGING_INFORMATION 0x100
#define WES_STATUS_LOGGING_INFORMATION_PROVIDER 0x200
#define WES_STATUS_LOGGING_INFORMATION_HOST 0x400
#define WES_STATUS_LOGGING_INFORMATION_REPOSITORY 0x800
#define WES_STATUS_LOGGING_INFORMATION_ESS 0x1000

/*
 * WBEM_PROVIDER_REQUIREMENTS_TYPE (reference section 3.3): the `hr` of
 * set_status(WES_STATUS_REQUIREMENTS, code, NULL, NULL) from a provider.
 */
#define WES_REQUIREMENTS_START_POSTFILTER 0
#define WES_REQUIREMENTS_STOP_POSTFILTER 1
#define WES_REQUIREMENTS_RECHECK_SUBSCRIPTIONS 2

/* WBEM_BATCH_TYPE: `flags` of set_batching_parameters (section 4.4). */
#define WES_FLAG_BATCH_IF_NEEDED 0x0u
#define WES_FLAG_MUST_BATCH 0x1u
#define WES_FLAG_MUST_NOT_BATCH 0x2u

/* "Maximum" buffer size for set_batching_parameters (MAX_INT). */
#define WES_BATCH_MAX_BUFFER 0x7FFFFFFFu

/* WBEM_TIMEOUT_TYPE: WBEM_NO_WAIT and WBEM_INFINITE (milliseconds). */
#define WES_NO_WAIT 0x0u
#define WES_INFINITE 0xFFFFFFFFu

/* ---- The ops table ---- */

#define WES_SINK_OPS_VERSION_1 1u
#define WES_SINK_OPS_VERSION WES_SINK_OPS_VERSION_1

/*
 * What an implementer provides. Static, const storage; the library keeps
 * the pointer (it must stay valid and unchanged while any sink made from
 * it lives). Every member gets the `data` given to wes_sink_new first.
 * `indicate` is mandatory; every other member may be NULL, and a call
 * through an absent member returns WES_E_NOT_SUPPORTED without reaching
 * the implementer. The wrapper validates arguments (see each wes_sink_x
 * function below) before calling a member, so members never see NULL
 * where the call requires a value.
 */
typedef struct wes_sink_ops_s {
  /* WES_SINK_OPS_VERSION_1 or later; 0 is rejected. */
  uint32_t version;

  /*
   * IWbemObjectSink::Indicate. `objs` holds n >= 1 non-NULL objects; the
   * array and the objects are borrowed for the call (wes_object_ref one to
   * keep it). Return WES_S_OK when accepted; WES_E_SERVER_TOO_BUSY tells a
   * provider it may re-fire. Since ops v1. Mandatory.
   */
  wes_hresult_t (*indicate)(void *data, wes_object_t *const *objs, size_t n);

  /*
   * IWbemObjectSink::SetStatus. `flags` is a WES_STATUS_* value, `hr` the
   * final code for COMPLETE (the requirement code for REQUIREMENTS),
   * `param` and `obj` optional and borrowed (may be NULL). Since ops v1.
   */
  wes_hresult_t (*set_status)(void *data, int32_t flags, wes_hresult_t hr,
                              const char *param, wes_object_t *obj);

  /*
   * IWbemEventSink::IsActive: WES_S_OK when someone is interested,
   * WES_S_FALSE when not, or a failure. Since ops v1.
   */
  wes_hresult_t (*is_active)(void *data);

  /*
   * IWbemEventSink::GetRestrictedSink. `queries` holds n >= 1 non-NULL
   * WQL strings (borrowed). `callback` (may be NULL) is a provider ops
   * table scoped to the new sink, called with `callback_data`. On success
   * store a new reference in *ret_sink (never NULL); on failure leave it
   * untouched. Since ops v1.
   */
  wes_hresult_t (*get_restricted_sink)(
      void *data, size_t n, const char *const *queries,
      const struct wes_provider_ops_s *callback, void *callback_data,
      wes_sink_t **ret_sink);

  /*
   * IWbemEventSink::SetBatchingParameters. `flags` is one of
   * WES_FLAG_BATCH_IF_NEEDED / MUST_BATCH / MUST_NOT_BATCH (checked by
   * the wrapper), `max_buffer_bytes` the batch size limit in bytes of the
   * events' encoded size, `max_latency_ms` the longest a batch may wait
   * (WES_INFINITE: no limit). Since ops v1.
   */
  wes_hresult_t (*set_batching_parameters)(void *data, uint32_t flags,
                                           uint32_t max_buffer_bytes,
                                           uint32_t max_latency_ms);

  /*
   * IWbemEventSink::SetSinkSecurity. `sd` is a self-relative binary
   * security descriptor of `len` >= 1 bytes, borrowed for the call (copy
   * it to keep it). Since ops v1.
   */
  wes_hresult_t (*set_sink_security)(void *data, const void *sd, size_t len);

  /*
   * Runs exactly once, when the last reference to the wes_sink_t goes
   * (on the thread that dropped it). Release `data` here. Since ops v1.
   */
  void (*destroy)(void *data);

  /* ---- members above: version 1. Append only. ---- */
} wes_sink_ops_t;

/* ---- The wrapper ---- */

/*
 * Wraps an ops table and its data in a new library-owned sink with one
 * reference. A version newer than the library knows is accepted and read
 * as the newest known version.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL ops or ret_sink,
 * version 0, indicate NULL), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_sink is a new reference. On failure nothing is kept and
 * destroy is not called: `data` still belongs to the caller.
 * Thread: any.
 */
WES_API wes_hresult_t wes_sink_new(const wes_sink_ops_t *ops, void *data,
                                   wes_sink_t **ret_sink);

/* Adds a reference; returns `sink`. NULL-safe. Thread: any. */
WES_API wes_sink_t *wes_sink_ref(wes_sink_t *sink);

/*
 * Drops a reference; the last one runs ops->destroy(data) on this thread
 * and frees the wrapper. NULL-safe; returns NULL. Thread: any. Blocking:
 * as long as destroy takes (an offload sink first delivers what it has
 * queued and joins its worker).
 */
WES_API wes_sink_t *wes_sink_unref(wes_sink_t *sink);

/* The ops table / data the sink was made with (borrowed). NULL for a NULL
 * sink. Thread: any. */
WES_API const wes_sink_ops_t *wes_sink_get_ops(const wes_sink_t *sink);
WES_API void *wes_sink_get_data(const wes_sink_t *sink);

/*
 * Delivers n objects. n == 0 returns WES_S_OK without calling the sink.
 * Returns what ops->indicate returned, or WES_E_INVALID_PARAMETER (NULL
 * sink; objs NULL with n > 0; a NULL element).
 * Ownership: objects borrowed. Thread: any (see the sink's own rules).
 */
WES_API wes_hresult_t wes_sink_indicate(wes_sink_t *sink,
                                        wes_object_t *const *objs, size_t n);

/*
 * Reports a status (WES_STATUS_*). Returns what ops->set_status returned,
 * WES_E_NOT_SUPPORTED (no set_status member), WES_E_INVALID_PARAMETER
 * (NULL sink). Ownership: param and obj borrowed. Thread: any.
 */
WES_API wes_hresult_t wes_sink_set_status(wes_sink_t *sink, int32_t flags,
                                          wes_hresult_t hr, const char *param,
                                          wes_object_t *obj);

/*
 * IsActive. Returns WES_S_OK (interest), WES_S_FALSE (none), what
 * ops->is_active returned otherwise, WES_E_NOT_SUPPORTED (no member),
 * WES_E_INVALID_PARAMETER (NULL sink). Thread: any.
 */
WES_API wes_hresult_t wes_sink_is_active(wes_sink_t *sink);

/*
 * GetRestrictedSink. Returns what the member returned, or
 * WES_E_INVALID_PARAMETER (NULL sink or ret_sink; n == 0; queries NULL; a
 * NULL query), WES_E_NOT_SUPPORTED (no member), WES_E_FAILED (the member
 * claimed success without giving a sink).
 * Ownership: queries borrowed; *ret_sink a new reference, written only
 * on success. Thread: any.
 */
WES_API wes_hresult_t wes_sink_get_restricted_sink(
    wes_sink_t *sink, size_t n, const char *const *queries,
    const struct wes_provider_ops_s *callback, void *callback_data,
    wes_sink_t **ret_sink);

/*
 * SetBatchingParameters. Returns what the member returned, or
 * WES_E_INVALID_PARAMETER (NULL sink; flags not one of the three
 * WES_FLAG_*BATCH* values), WES_E_NOT_SUPPORTED (no member). Thread: any.
 */
WES_API wes_hresult_t wes_sink_set_batching_parameters(
    wes_sink_t *sink, uint32_t flags, uint32_t max_buffer_bytes,
    uint32_t max_latency_ms);

/*
 * SetSinkSecurity with a self-relative binary SD. Returns what the member
 * returned, or WES_E_INVALID_PARAMETER (NULL sink or sd; len 0),
 * WES_E_NOT_SUPPORTED (no member). Ownership: sd borrowed. Thread: any.
 */
WES_API wes_hresult_t wes_sink_set_sink_security(wes_sink_t *sink,
                                                 const void *sd, size_t len);

/* ---- Helper sinks ---- */

/* User functions for the callback sink (same meaning as the ops members;
 * `data` is the pointer given to wes_sink_new_callback). */
typedef wes_hresult_t (*wes_sink_indicate_cb)(void *data,
                                              wes_object_t *const *objs,
                                              size_t n);
typedef wes_hresult_t (*wes_sink_status_cb)(void *data, int32_t flags,
                                            wes_hresult_t hr, const char *param,
                                            wes_object_t *obj);

/*
 * A sink that calls `indicate_cb` and `status_cb` (may be NULL: set_status
 * then returns WES_E_NOT_SUPPORTED) with `data`. Nothing is done to `data`
 * when the sink goes. is_active, get_restricted_sink,
 * set_batching_parameters and set_sink_security return
 * WES_E_NOT_SUPPORTED.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL indicate_cb or
 * ret_sink), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_sink new reference. Thread: any; the callbacks run on
 * whichever thread calls wes_sink_indicate / wes_sink_set_status, possibly
 * concurrently.
 */
WES_API wes_hresult_t wes_sink_new_callback(wes_sink_indicate_cb indicate_cb,
                                            wes_sink_status_cb status_cb,
                                            void *data, wes_sink_t **ret_sink);

/* Flags of wes_sink_new_json_lines. */
/* On set_status(WES_STATUS_COMPLETE, ...) write one status line:
 * {"status":"complete","hr":"0x80041032","name":"WBEM_E_CALL_CANCELLED"}
 * plus "param":"..." when a param is given. Without the flag COMPLETE
 * writes nothing. Other status kinds never write anything. */
#define WES_SINK_JSON_STATUS_LINE 0x1u
/* Close the descriptor when the sink is destroyed. */
#define WES_SINK_JSON_CLOSE_FD 0x2u

/*
 * A sink that writes each indicated object as one line of JSON
 * (wes_object_to_json with `render_flags`, then '\n') to the file
 * descriptor `fd`. The lines of one indicate call are written with a single
 * write when the descriptor takes them at once; a mutex keeps lines of
 * concurrent calls from interleaving. Short writes and EINTR are retried; a
 * non-blocking descriptor that is full is waited for (Blocking: may).
 * indicate returns WES_S_OK, WES_E_OUT_OF_MEMORY, WES_E_FAILED (write
 * error: sys_error text goes to the log hook), or the render error
 * (objects before a failing one are written). set_status returns WES_S_OK
 * or a write error as indicate. Other members: WES_E_NOT_SUPPORTED.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (fd < 0, NULL ret_sink,
 * unknown flags, WES_RENDER_PRETTY in render_flags), WES_E_OUT_OF_MEMORY.
 * Ownership: *ret_sink new reference; the descriptor stays the caller's
 * unless WES_SINK_JSON_CLOSE_FD. Thread: any.
 */
WES_API wes_hresult_t wes_sink_new_json_lines(int fd, uint32_t flags,
                                              uint32_t render_flags,
                                              wes_sink_t **ret_sink);

/* Overflow policies of the offload sink's bounded queue. */
#define WES_OFFLOAD_DROP_NEWEST 0u /* refuse the incoming object */
#define WES_OFFLOAD_DROP_OLDEST 1u /* discard the oldest queued object */
#define WES_OFFLOAD_BLOCK 2u       /* wait for room up to the timeout */

/*
 * A sink that queues what it is given and calls `inner` from a thread of
 * its own, so a slow inner sink never holds up the caller.
 * - The queue holds up to `capacity` objects (>= 1); each object is
 *   referenced while queued. A full queue applies `policy`:
 *   DROP_NEWEST refuses the incoming object, DROP_OLDEST releases the
 *   oldest queued object, BLOCK waits for room up to `block_timeout_ms`
 *   counted from the start of the call (WES_INFINITE: forever;
 *   WES_NO_WAIT behaves as DROP_NEWEST) and then refuses the rest of the
 *   call's objects. Every object dropped either way is counted
 *   (wes_sink_offload_stats).
 * - indicate returns WES_S_OK when every object was queued, or
 *   WES_E_SERVER_TOO_BUSY when some were refused (objs[0..k) were queued,
 *   the rest not); WES_E_SHUTTING_DOWN never happens (the sink lives
 *   while the caller holds a reference).
 * - The worker calls wes_sink_indicate(inner, ...) with runs of queued
 *   objects in order (several objects of successive calls may arrive in
 *   one call), and wes_sink_set_status(inner, ...) after every object
 *   queued before that status. Statuses are never dropped and not counted
 *   against capacity; set_status returns WES_S_OK (or
 *   WES_E_OUT_OF_MEMORY). Codes from the inner sink are not reported back.
 * - is_active, get_restricted_sink, set_batching_parameters and
 *   set_sink_security are forwarded at once, on the calling thread, to
 *   `inner` (so the inner sink must allow those from any thread).
 * - When the last reference goes, the worker first delivers everything
 *   still queued, then exits; the thread is joined and `inner` unreffed.
 *   Dropping the last reference from inside the inner sink's own
 *   callbacks is allowed (the worker then finishes and cleans up alone).
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL inner or ret_sink,
 * capacity 0, unknown policy), WES_E_OUT_OF_MEMORY, WES_E_FAILED (the
 * thread could not be started).
 * Ownership: the sink holds a reference on `inner`; *ret_sink is new.
 * Thread: any; the inner sink's indicate/set_status always run on the
 * worker thread, one at a time.
 */
WES_API wes_hresult_t wes_sink_new_offload(wes_sink_t *inner, size_t capacity,
                                           uint32_t policy,
                                           uint32_t block_timeout_ms,
                                           wes_sink_t **ret_sink);

/*
 * Counters of an offload sink: objects queued, objects handed to the
 * inner sink, objects dropped (all policies), and objects queued right
 * now. Any out-param may be NULL.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL sink, or not an offload
 * sink). Thread: any.
 */
WES_API wes_hresult_t wes_sink_offload_stats(wes_sink_t *sink,
                                             uint64_t *ret_queued,
                                             uint64_t *ret_delivered,
                                             uint64_t *ret_dropped,
                                             uint64_t *ret_pending);

/*
 * Waits until everything queued on an offload sink before this call has
 * been handed to the inner sink and the inner call returned.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (NULL or not an offload sink),
 * WES_E_INVALID_OPERATION (called on the sink's worker thread, i.e. from
 * inside the inner sink: it would wait for itself).
 * Thread: any other than the worker. Blocking: yes.
 */
WES_API wes_hresult_t wes_sink_offload_flush(wes_sink_t *sink);

/*
 * A sink that forwards every indicate and set_status to each of `n` sinks
 * in array order. Every branch is called even when one fails; the result
 * is WES_S_OK or the first failure. is_active returns WES_S_OK when a
 * branch is active, WES_S_FALSE when none is but one answered, else
 * WES_E_NOT_SUPPORTED; the other members return WES_E_NOT_SUPPORTED.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (n == 0, n > 64, NULL sinks,
 * a NULL element, NULL ret_sink), WES_E_OUT_OF_MEMORY.
 * Ownership: references each branch (released when the tee goes); the
 * array is copied. Thread: any; branches are called on the caller's
 * thread.
 */
WES_API wes_hresult_t wes_sink_new_tee(wes_sink_t *const *sinks, size_t n,
                                       wes_sink_t **ret_sink);

#ifdef __cplusplus
}
#endif

#endif /* WES_SINK_H */
