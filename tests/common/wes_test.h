/* SPDX-License-Identifier: MIT */
/* Common includes and assertions for the cmocka suites. */
#ifndef WES_TEST_H
#define WES_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wes.h"

/* Asserts two status codes are equal, printing their WMI names. */
#define assert_hr_equal(a, b)                                                  \
  do {                                                                         \
    wes_hresult_t wes_t_a_ = (a), wes_t_b_ = (b);                              \
    if (wes_t_a_ != wes_t_b_) {                                                \
      fail_msg("%s (0x%08X) != %s (0x%08X)", wes_err_name(wes_t_a_),           \
               (unsigned)wes_t_a_, wes_err_name(wes_t_b_),                     \
               (unsigned)wes_t_b_);                                            \
    }                                                                          \
  } while (0)

/* Asserts a call succeeded (hr >= 0), printing the code otherwise. */
#define assert_hr_ok(x)                                                        \
  do {                                                                         \
    wes_hresult_t wes_t_hr_ = (x);                                             \
    if (WES_FAILED(wes_t_hr_)) {                                               \
      fail_msg("%s failed: %s (0x%08X)", #x, wes_err_name(wes_t_hr_),          \
               (unsigned)wes_t_hr_);                                           \
    }                                                                          \
  } while (0)

#endif /* WES_TEST_H */
