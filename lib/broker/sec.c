/* SPDX-License-Identifier: MIT */
/* The broker's use of the security module. */
#include <string.h>

#include "broker_internal.h"

/* Default namespace SD: Everyone may enable (connect) and subscribe,
 * Administrators get everything (generic all). */
#define DEFAULT_NS_SDDL "O:BAG:BAD:(A;;0x41;;;WD)(A;;GA;;;BA)"
/* Broker-raised events (overflow, dropped, consumer failure): only
 * administrators may receive them. */
#define ADMIN_SDDL "O:BAG:BAD:(A;;0x40;;;BA)"

wes_hresult_t wes__bsec_default_ns_sd(wes_sd_t **ret) {
  return wes_sd_from_sddl(DEFAULT_NS_SDDL, NULL, ret, NULL);
}

wes_hresult_t wes__bsec_admin_sd(wes_sd_t **ret) {
  return wes_sd_from_sddl(ADMIN_SDDL, NULL, ret, NULL);
}

wes_hresult_t wes__bsec_check(const wes_sd_t *sd, const wes_token_t *tok,
                              uint32_t rights) {
  wes_hresult_t hr;
  if (sd == NULL) {
    return WES_S_OK;
  }
  hr = wes_access_check(sd, tok, rights, wes_wmi_generic_mapping(), NULL, NULL);
  if (WES_FAILED(hr)) {
    return WES_E_ACCESS_DENIED;
  }
  return WES_S_OK;
}

wes_hresult_t wes__bsec_check_binary(const void *data, size_t len,
                                     const wes_token_t *tok, uint32_t rights) {
  wes_sd_t *sd = NULL;
  wes_hresult_t hr = wes_sd_from_binary(data, len, &sd, NULL);
  if (WES_FAILED(hr)) {
    return WES_E_ACCESS_DENIED; /* a malformed SD protects: deny */
  }
  hr = wes__bsec_check(sd, tok, rights);
  wes_sd_unref(sd);
  return hr;
}

char *wes__bsec_user_key(const wes_token_t *tok) {
  char buf[WES_SID_STRING_MAX];
  const wes_sid_t *user = wes_token_get_user(tok);
  if (user == NULL || WES_FAILED(wes_sid_to_string(user, buf, sizeof(buf)))) {
    return wes__strdup("?");
  }
  return wes__strdup(buf);
}
