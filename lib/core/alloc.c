/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "uthash_cfg.h"

_Thread_local int wes__uthash_oom;

static wes_malloc_fn a_malloc = malloc;
static wes_realloc_fn a_realloc = realloc;
static wes_calloc_fn a_calloc = calloc;
static wes_free_fn a_free = free;
static atomic_bool a_used;

wes_hresult_t wes_replace_allocator(wes_malloc_fn malloc_fn,
                                    wes_realloc_fn realloc_fn,
                                    wes_calloc_fn calloc_fn,
                                    wes_free_fn free_fn) {
  if (malloc_fn == NULL || realloc_fn == NULL || calloc_fn == NULL ||
      free_fn == NULL) {
    return WES_E_INVALID_PARAMETER;
  }
  if (atomic_load(&a_used)) {
    return WES_E_INVALID_OPERATION;
  }
  a_malloc = malloc_fn;
  a_realloc = realloc_fn;
  a_calloc = calloc_fn;
  a_free = free_fn;
  return WES_S_OK;
}

static void mark_used(void) {
  if (!atomic_load_explicit(&a_used, memory_order_relaxed)) {
    atomic_store(&a_used, true);
  }
}

void *wes__malloc(size_t size) {
  mark_used();
  return a_malloc(size == 0 ? 1 : size);
}

void *wes__calloc(size_t count, size_t size) {
  mark_used();
  if (count == 0 || size == 0) {
    count = 1;
    size = 1;
  }
  return a_calloc(count, size);
}

void *wes__realloc(void *ptr, size_t size) {
  mark_used();
  return a_realloc(ptr, size == 0 ? 1 : size);
}

void wes__free(void *ptr) {
  if (ptr != NULL) {
    a_free(ptr);
  }
}

void wes_free(void *ptr) { wes__free(ptr); }

char *wes__strndup(const char *s, size_t n) {
  char *r = wes__malloc(n + 1);
  if (r != NULL) {
    memcpy(r, s, n);
    r[n] = '\0';
  }
  return r;
}

char *wes__strdup(const char *s) { return wes__strndup(s, strlen(s)); }
