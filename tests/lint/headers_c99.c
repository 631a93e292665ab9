/* SPDX-License-Identifier: MIT */
/* Compiles the umbrella header as strict C99. It must not pull <uv.h>. */
#include "wes.h"

#ifdef UV_VERSION_MAJOR
#error "public headers must not include <uv.h>"
#endif
#ifdef HASH_FIND
#error "public headers must not include <uthash.h>"
#endif

int main(void) {
  wes_hresult_t hr = WES_E_INVALID_QUERY;
  return WES_FAILED(hr) && wes_err_name(hr)[0] == 'W' ? 0 : 1;
}
