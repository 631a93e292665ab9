/* SPDX-License-Identifier: MIT */
/*
 * wes provider: the table an event provider fills so the broker can talk to
 * it (IWbemEventProvider, IWbemEventProviderQuerySink and
 * IWbemEventProviderSecurity of WMI in one versioned struct).
 *
 * A provider is registered with wes_broker_register_provider (broker.h)
 * with a namespace, a name, its registration queries (EventQueryList) and
 * this table. The broker then:
 *   - calls provide_events once, when the first subscription the provider
 *     covers appears (or at registration if one already exists), handing it
 *     the provider's main sink (an IWbemEventSink: wes_sink_indicate,
 *     wes_sink_is_active, wes_sink_get_restricted_sink,
 *     wes_sink_set_batching_parameters, wes_sink_set_sink_security,
 *     wes_sink_set_status with WES_STATUS_REQUIREMENTS);
 *   - calls access_check, then new_query, for every subscription the
 *     provider covers, and cancel_query when that subscription ends; a
 *     failure of either fails the subscription, with the message the
 *     provider wrote into their `reterr` (see "Failure messages").
 *
 * Threads: every member is called with the broker's control lock held, on
 * the thread that caused the change (the subscribing, cancelling,
 * registering or closing thread, or the loop thread; the closing thread
 * may be a deferred consumer's worker carrying out a wes_broker_close the
 * consumer asked for from its callback). Members may call back into the
 * broker on the same thread (the lock is recursive), and may indicate on
 * any sink from any thread, but must not block waiting for another thread
 * that itself calls a broker control function.
 */
#ifndef WES_PROVIDER_H
#define WES_PROVIDER_H

#include "common.h"
#include "security.h"
#include "sink.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Failure messages (new_query, access_check). The broker always passes a
 * valid `reterr`, cleared (code WES_S_OK, empty text), never NULL and
 * never the subscriber's own struct. A member that fails may fill it with
 * wes_error_set (common.h), e.g.
 *   return wes_error_set(reterr, WES_E_PROVIDER_NOT_CAPABLE,
 *                        "add TargetInstance.Path = '/dir/'");
 * and may set reterr->line/column (1-based, in `query`) and sys_error.
 * The broker reads it only when the member returns a failure, and then:
 *   - during a subscribe call (wes_broker_exec_notification_query_async
 *     and the semisynchronous form), the subscriber's reterr gets the
 *     code the subscribe call returns, the text as
 *     "provider 'NAME': TEXT" (restricted-sink callback tables:
 *     "provider 'NAME' (restricted sink): TEXT"; an access_check failure
 *     other than WES_E_ACCESS_DENIED, returned as WES_E_PROVIDER_FAILURE,
 *     also names the provider's own code), cut to
 *     WES_ERROR_TEXT_LENGTH - 1 bytes (keep TEXT under about 100
 *     characters), and the member's line, column and sys_error. A member
 *     that fails without filling `reterr` still gives a message naming
 *     the provider and its code;
 *   - when no subscriber call is waiting (a provider registered, or a
 *     restricted sink created, while subscriptions exist; a
 *     WES_REQUIREMENTS_RECHECK_SUBSCRIPTIONS re-run), the same text goes
 *     to the log hook (WES_LOG_WARNING, module "broker").
 * The text is the provider's own: the broker never prints it.
 */

/*
 * The provider ops table (version 1). Members' first argument is the `data`
 * pointer given at registration. The table must stay valid and unchanged
 * while the provider is registered (the broker keeps the pointer).
 */
typedef struct wes_provider_ops_s {
  /* WES_PROVIDER_OPS_VERSION_1 or later; 0 is rejected. */
  uint32_t version;
  /*
   * Mandatory (ops v1). IWbemEventProvider::ProvideEvents: start
   * delivering into `sink` (the provider's main sink). Called once per
   * registration. The sink is borrowed for the call: keep it with
   * wes_sink_ref. `flags` is 0. Return WES_S_OK; a failure marks the
   * provider failed: subscriptions it covers end with
   * set_status(COMPLETE, WES_E_PROVIDER_FAILURE) unless another provider
   * also covers them. Must return quickly (start a thread, arm a watcher).
   */
  wes_hresult_t (*provide_events)(void *data, wes_sink_t *sink, int32_t flags);
  /*
   * Optional (ops v1). IWbemEventProviderQuerySink::NewQuery: a
   * subscription covered by this provider started. `query_id` comes from
   * a per-broker counter that starts at 1 and gives one value to each
   * subscribe call that passes the query and quota checks (also when the
   * call fails after that), so no id repeats within the first 2^32 - 1
   * values; after 0xFFFFFFFF the counter starts over at 1 (0 is never
   * given) and skips the ids of subscriptions still alive, so two live
   * subscriptions never share an id.
   * `language` is "WQL"; `query` the consumer's query text (borrowed for
   * the call). A failure fails the
   * subscription with that code: use WES_E_PROVIDER_NOT_CAPABLE for a
   * query the provider cannot serve, and say why (what to add or change)
   * in `reterr` (see "Failure messages" below).
   */
  wes_hresult_t (*new_query)(void *data, uint32_t query_id,
                             const char *language, const char *query,
                             wes_error_t *reterr);
  /*
   * Optional (ops v1). IWbemEventProviderQuerySink::CancelQuery: the
   * subscription given to new_query with this id ended (or the provider
   * is being unregistered). The return value is ignored.
   */
  wes_hresult_t (*cancel_query)(void *data, uint32_t query_id);
  /*
   * Optional (ops v1). IWbemEventProviderSecurity::AccessCheck, before
   * new_query. `token` is the consumer's token (borrowed for the call;
   * read it with the security API). Return WES_S_OK (allowed),
   * WES_S_SUBJECT_TO_SDS (allowed, but each event's SECURITY_DESCRIPTOR
   * must grant the consumer WBEM_RIGHT_SUBSCRIBE), WES_E_ACCESS_DENIED
   * (the subscription fails with it) or another failure (the subscription
   * fails with WES_E_PROVIDER_FAILURE). On a failure, `reterr` may say
   * why (see "Failure messages" below).
   */
  wes_hresult_t (*access_check)(void *data, const char *language,
                                const char *query, const wes_token_t *token,
                                wes_error_t *reterr);
  /* ---- members above: version 1. Append only. ---- */
} wes_provider_ops_t;

#define WES_PROVIDER_OPS_VERSION_1 1u
#define WES_PROVIDER_OPS_VERSION WES_PROVIDER_OPS_VERSION_1

#ifdef __cplusplus
}
#endif

#endif /* WES_PROVIDER_H */
