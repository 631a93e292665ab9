// SPDX-License-Identifier: MIT
// Compiles the umbrella header as C++11.
#include "wes.h"

int main() {
  wes_hresult_t hr = WES_E_INVALID_QUERY;
  return WES_FAILED(hr) && wes_err_name(hr)[0] == 'W' ? 0 : 1;
}
