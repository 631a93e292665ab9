/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the self-relative binary decoder. Whatever decodes
 * must re-encode, decode again to the same bytes, and survive an access
 * check.
 */
#include <stdlib.h>
#include <string.h>

#include "wes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wes_sd_t *sd = NULL, *back = NULL;
  wes_error_t err;
  /* Copy so that the decoder's bounds are exactly the input's. */
  uint8_t *copy = malloc(size > 0 ? size : 1);
  if (copy == NULL) {
    return 0;
  }
  memcpy(copy, data, size);
  if (WES_SUCCEEDED(wes_sd_from_binary(copy, size, &sd, &err))) {
    uint8_t *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    char *text = NULL;
    wes_token_t *tok = NULL;
    uint32_t granted = 0;
    if (WES_FAILED(wes_sd_to_binary(sd, &b1, &l1, &err)) ||
        WES_FAILED(wes_sd_from_binary(b1, l1, &back, &err)) ||
        WES_FAILED(wes_sd_to_binary(back, &b2, &l2, &err)) || l1 != l2 ||
        memcmp(b1, b2, l1) != 0) {
      abort();
    }
    if (WES_SUCCEEDED(wes_sd_to_sddl(sd, NULL, &text, &err))) {
      wes_free(text);
    }
    if (WES_SUCCEEDED(wes_token_from_unix(1000, 1000, NULL, 0, NULL, NULL, 0,
                                          &tok, &err))) {
      (void)wes_access_check(sd, tok, WES_MAXIMUM_ALLOWED,
                             wes_wmi_generic_mapping(), &granted, &err);
      (void)wes_access_check(sd, tok, WES_WBEM_RIGHT_SUBSCRIBE, NULL, &granted,
                             &err);
      wes_token_unref(tok);
    }
    wes_free(b1);
    wes_free(b2);
    wes_sd_unref(back);
    wes_sd_unref(sd);
  }
  free(copy);
  return 0;
}
