/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers shared by every module: allocation through the hook,
 * error filling, logging, atomic reference counts, ops-table gate.
 * Nothing declared here is exported (wes__ prefix, hidden visibility).
 */
#ifndef WES_INTERNAL_H
#define WES_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wes/common.h"

#define WES__HIDDEN __attribute__((visibility("hidden")))

#define WES__CONTAINER_OF(ptr, type, member)                                   \
  ((type *)((char *)(ptr)-offsetof(type, member)))

#define WES__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* True when an ops table of version `ver` or later has `member` set. */
#define WES__OPS_HAS(ops, member, ver)                                         \
  ((ops) != NULL && (ops)->version >= (ver) && (ops)->member != NULL)

/* Allocation through the replaceable allocator. */
void *wes__malloc(size_t size);
void *wes__calloc(size_t count, size_t size);
void *wes__realloc(void *ptr, size_t size);
void wes__free(void *ptr);
char *wes__strdup(const char *s);
char *wes__strndup(const char *s, size_t n);

/*
 * Fills err (if not NULL) and returns code, so callers can write
 * `return wes__error(err, WES_E_X, line, col, "fmt", ...);`.
 */
wes_hresult_t wes__error(wes_error_t *err, wes_hresult_t code, uint32_t line,
                         uint32_t column, const char *fmt, ...)
    WES_PRINTF(5, 6);
wes_hresult_t wes__verror(wes_error_t *err, wes_hresult_t code, uint32_t line,
                          uint32_t column, const char *fmt, va_list ap);

/* Logging through the hook; cheap when no hook or level too high. */
bool wes__log_enabled(int level);
void wes__log(int level, const char *module, const char *fmt, ...)
    WES_PRINTF(3, 4);

/* Maps a libuv error code to the nearest WMI code. */
wes_hresult_t wes__hr_from_uv(int uverr);

/* Atomic reference count. */
typedef struct wes__refcount_s {
  atomic_uint_fast32_t n;
} wes__refcount_t;

static inline void wes__ref_init(wes__refcount_t *r) {
  atomic_init(&r->n, 1);
}

static inline void wes__ref_inc(wes__refcount_t *r) {
  atomic_fetch_add_explicit(&r->n, 1, memory_order_relaxed);
}

/* Returns true when the count dropped to zero (caller then destroys). */
static inline bool wes__ref_dec(wes__refcount_t *r) {
  /* acq_rel rather than release + acquire fence: ThreadSanitizer does not
   * model fences, and the cost is the same on x86. */
  if (atomic_fetch_sub_explicit(&r->n, 1, memory_order_acq_rel) == 1) {
    return true;
  }
  return false;
}

static inline uint32_t wes__ref_get(wes__refcount_t *r) {
  return (uint32_t)atomic_load_explicit(&r->n, memory_order_relaxed);
}

/* ASCII case-insensitive helpers (identifiers, keywords). */
int wes__strcasecmp(const char *a, const char *b);
int wes__strncasecmp(const char *a, const char *b, size_t n);
/* A hint that `p` will be read soon (no effect where unsupported). */
#if defined(__GNUC__) || defined(__clang__)
#define WES__PREFETCH(p) __builtin_prefetch(p)
#else
#define WES__PREFETCH(p) ((void)(p))
#endif

/* A hint to the CPU inside a spin-wait loop. */
static inline void wes__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

static inline char wes__ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}
/* The value of a hexadecimal digit character, or -1. */
static inline int wes__hex_val(int c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}
/* FNV-1a over the ASCII-lowered bytes of s. */
uint64_t wes__hash_ci(const char *s);

/*
 * A growable string buffer used by renderers. On allocation failure the
 * buffer remembers it (oom = true) and further appends do nothing.
 */
typedef struct wes__buf_s {
  char *data;
  size_t len;
  size_t cap;
  bool oom;
  bool count_only; /* measure: len grows, nothing is stored or allocated */
} wes__buf_t;

void wes__buf_init(wes__buf_t *b);
/* A buffer that only counts the bytes appended to it (b->len). */
void wes__buf_init_counting(wes__buf_t *b);
void wes__buf_free(wes__buf_t *b);
void wes__buf_append(wes__buf_t *b, const char *s, size_t n);
void wes__buf_puts(wes__buf_t *b, const char *s);
void wes__buf_putc(wes__buf_t *b, char c);
void wes__buf_printf(wes__buf_t *b, const char *fmt, ...) WES_PRINTF(2, 3);
/* Hands the NUL-terminated text to the caller (free with wes__free), or
 * returns NULL (and frees) when an allocation failed. */
char *wes__buf_take(wes__buf_t *b);

/*
 * Grows a ring buffer of `elem`-byte entries (`*ring`, `*cap` slots, the
 * `count` live ones starting at `*head`) to twice its size (`first` slots
 * when empty), at most `limit`, moving the live entries to the front of
 * the new array (*head becomes 0). Returns 0, or -1 (nothing changed)
 * when the ring is at `limit` already or memory ran out.
 */
int wes__ring_grow(void **ring, uint32_t *cap, uint32_t *head, uint32_t count,
                   size_t elem, uint32_t first, uint32_t limit);

#endif /* WES_INTERNAL_H */
