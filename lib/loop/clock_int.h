/* SPDX-License-Identifier: MIT */
/* Internal: what the loop needs to know about a clock beyond clock.h. */
#ifndef WES_LOOP_CLOCK_INT_H
#define WES_LOOP_CLOCK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "wes/clock.h"

/* True when a manual clock can be set to now_ms without overflowing its
 * UTC reading (false for other kinds). Thread: any. */
bool wes__clock_manual_fits(const wes_clock_t *clock, uint64_t now_ms);

#endif /* WES_LOOP_CLOCK_INT_H */
