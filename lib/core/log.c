/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <stdio.h>

#include "internal.h"

typedef struct {
  wes_log_cb cb;
  void *data;
  int max_level;
} log_hook_t;

static log_hook_t hooks[2];
static atomic_int active = -1; /* index into hooks, or -1 */
static atomic_int next_slot;

void wes_set_log_hook(wes_log_cb cb, void *data, int max_level) {
  int slot;
  if (cb == NULL) {
    atomic_store(&active, -1);
    return;
  }
  /* Alternate slots so the active one is never written while published. */
  slot = atomic_fetch_add(&next_slot, 1) & 1;
  hooks[slot].cb = cb;
  hooks[slot].data = data;
  hooks[slot].max_level = max_level;
  atomic_store(&active, slot);
}

bool wes__log_enabled(int level) {
  int slot = atomic_load_explicit(&active, memory_order_acquire);
  return slot >= 0 && level <= hooks[slot].max_level;
}

void wes__log(int level, const char *module, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  int slot = atomic_load_explicit(&active, memory_order_acquire);
  if (slot < 0 || level > hooks[slot].max_level) {
    return;
  }
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  hooks[slot].cb(hooks[slot].data, level, module, msg);
}
