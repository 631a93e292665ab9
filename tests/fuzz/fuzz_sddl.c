/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the SDDL parser. Whatever parses must print, encode,
 * decode and print again to the same text.
 */
#include <stdlib.h>
#include <string.h>

#include "wes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  wes_sd_t *sd = NULL, *back = NULL;
  wes_sid_t dom;
  wes_sid_scope_t scope = {&dom, NULL, &dom};
  wes_error_t err;
  if (text == NULL) {
    return 0;
  }
  memcpy(text, data, size);
  text[size] = '\0';
  (void)wes_sid_parse("S-1-5-21-1-2-3", NULL, &dom, NULL);
  if (WES_SUCCEEDED(wes_sd_from_sddl(text, &scope, &sd, &err))) {
    char *t1 = NULL, *t2 = NULL;
    uint8_t *bin = NULL;
    size_t len = 0;
    if (WES_FAILED(wes_sd_to_binary(sd, &bin, &len, &err)) ||
        WES_FAILED(wes_sd_from_binary(bin, len, &back, &err))) {
      abort(); /* what parses must encode and decode */
    }
    if (WES_SUCCEEDED(wes_sd_to_sddl(sd, &scope, &t1, &err))) {
      if (WES_FAILED(wes_sd_to_sddl(back, &scope, &t2, &err)) ||
          strcmp(t1, t2) != 0) {
        abort();
      }
      wes_sd_unref(back);
      back = NULL;
      /* The canonical text parses to the same canonical text. */
      if (WES_FAILED(wes_sd_from_sddl(t1, &scope, &back, &err))) {
        abort();
      }
      wes_free(t2);
      t2 = NULL;
      if (WES_FAILED(wes_sd_to_sddl(back, &scope, &t2, &err)) ||
          strcmp(t1, t2) != 0) {
        abort();
      }
    }
    wes_free(t1);
    wes_free(t2);
    wes_free(bin);
    wes_sd_unref(back);
    wes_sd_unref(sd);
  }
  free(text);
  return 0;
}
