/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "internal.h"

int wes__strcasecmp(const char *a, const char *b) {
  for (;; a++, b++) {
    char ca = wes__ascii_lower(*a);
    char cb = wes__ascii_lower(*b);
    if (ca != cb || ca == '\0') {
      return (unsigned char)ca - (unsigned char)cb;
    }
  }
}

int wes__strncasecmp(const char *a, const char *b, size_t n) {
  for (; n > 0; n--, a++, b++) {
    char ca = wes__ascii_lower(*a);
    char cb = wes__ascii_lower(*b);
    if (ca != cb || ca == '\0') {
      return (unsigned char)ca - (unsigned char)cb;
    }
  }
  return 0;
}

uint64_t wes__hash_ci(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s != '\0'; s++) {
    h ^= (unsigned char)wes__ascii_lower(*s);
    h *= 1099511628211ULL;
  }
  return h;
}

wes_hresult_t wes__hr_from_uv(int uverr) {
  switch (uverr) {
  case 0:
    return WES_S_OK;
  case UV_ENOMEM:
    return WES_E_OUT_OF_MEMORY;
  case UV_EINVAL:
    return WES_E_INVALID_PARAMETER;
  case UV_ECANCELED:
    return WES_E_CALL_CANCELLED;
  case UV_ETIMEDOUT:
    return WES_E_TIMED_OUT;
  case UV_EAGAIN:
  case UV_EBUSY:
    return WES_E_SERVER_TOO_BUSY;
  case UV_ENOSYS:
  case UV_ENOTSUP:
    return WES_E_NOT_SUPPORTED;
  case UV_EACCES:
  case UV_EPERM:
    return WES_E_ACCESS_DENIED;
  case UV_ENOENT:
    return WES_E_NOT_FOUND;
  default:
    return WES_E_FAILED;
  }
}

void wes__buf_init(wes__buf_t *b) { memset(b, 0, sizeof(*b)); }

void wes__buf_init_counting(wes__buf_t *b) {
  memset(b, 0, sizeof(*b));
  b->count_only = true;
}

void wes__buf_free(wes__buf_t *b) {
  wes__free(b->data);
  wes__buf_init(b);
}

static bool buf_reserve(wes__buf_t *b, size_t extra) {
  size_t need;
  char *p;
  if (b->oom) {
    return false;
  }
  need = b->len + extra + 1;
  if (need <= b->cap) {
    return true;
  }
  if (need < b->len) {
    b->oom = true;
    return false;
  }
  {
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need) {
      cap *= 2;
    }
    p = wes__realloc(b->data, cap);
    if (p == NULL) {
      b->oom = true;
      return false;
    }
    b->data = p;
    b->cap = cap;
  }
  return true;
}

void wes__buf_append(wes__buf_t *b, const char *s, size_t n) {
  if (b->count_only) {
    b->len += n;
    return;
  }
  if (!buf_reserve(b, n)) {
    return;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void wes__buf_puts(wes__buf_t *b, const char *s) {
  wes__buf_append(b, s, strlen(s));
}

void wes__buf_putc(wes__buf_t *b, char c) { wes__buf_append(b, &c, 1); }

void wes__buf_printf(wes__buf_t *b, const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n >= 0 && b->count_only) {
    b->len += (size_t)n;
    return;
  }
  if (n < 0 || !buf_reserve(b, (size_t)n)) {
    return;
  }
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

char *wes__buf_take(wes__buf_t *b) {
  char *r;
  if (b->oom) {
    wes__buf_free(b);
    return NULL;
  }
  if (b->data == NULL) {
    wes__buf_append(b, "", 0);
    if (b->oom) {
      return NULL;
    }
  }
  r = b->data;
  wes__buf_init(b);
  return r;
}

int wes__ring_grow(void **ring, uint32_t *cap, uint32_t *head, uint32_t count,
                   size_t elem, uint32_t first, uint32_t limit) {
  uint32_t ncap = *cap ? *cap * 2 : first;
  unsigned char *nr;
  const unsigned char *old = *ring;
  uint32_t k;
  if (ncap > limit || ncap < *cap) {
    ncap = limit;
  }
  if (ncap <= *cap) {
    return -1;
  }
  nr = wes__malloc((size_t)ncap * elem);
  if (nr == NULL) {
    return -1;
  }
  for (k = 0; k < count; k++) { /* at most two runs; kept simple */
    memcpy(nr + (size_t)k * elem, old + (size_t)((*head + k) % *cap) * elem,
           elem);
  }
  wes__free(*ring);
  *ring = nr;
  *cap = ncap;
  *head = 0;
  return 0;
}
