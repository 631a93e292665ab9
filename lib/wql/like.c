/* SPDX-License-Identifier: MIT */
/*
 * LIKE patterns: % (any run), _ (one character), [set], [a-z], [^set].
 * Case-insensitive (ASCII folding), UTF-8 aware (one character = one code
 * point). A compiled pattern is a list of single-character elements split
 * by % into segments; every element consumes exactly one character, so the
 * leftmost occurrence of each middle segment is always a correct choice and
 * matching is O(len(subject) * len(pattern)) with no backtracking.
 */
#include <string.h>

#include "wql_internal.h"

#define EL_LIT 0
#define EL_ANY 1
#define EL_SET 2

typedef struct like_el_s {
  uint8_t kind;
  uint8_t neg;
  uint32_t c;  /* EL_LIT: folded code point */
  uint32_t nr; /* EL_SET: ranges */
  uint32_t (*r)[2];
} like_el_t;

typedef struct like_seg_s {
  uint32_t start, len; /* elements */
} like_seg_t;

struct wql_like_s {
  like_el_t *el;
  uint32_t nel;
  like_seg_t *seg;
  uint32_t nseg;
  bool lead_star, trail_star, any_star;
  bool literal; /* no wildcard at all */
};

static uint32_t fold(uint32_t c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Decodes one code point; invalid bytes decode as themselves. */
static inline uint32_t decode(const unsigned char *s, size_t len, size_t *i) {
  uint32_t c = s[*i], cp;
  size_t n, k;
  if (c < 0x80) {
    (*i)++;
    return c;
  }
  n = c >= 0xF8 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (n == 0 || *i + n >= len) {
    (*i)++;
    return c;
  }
  cp = c & (0x3Fu >> n);
  for (k = 1; k <= n; k++) {
    uint32_t cc = s[*i + k];
    if ((cc & 0xC0) != 0x80) {
      (*i)++;
      return c;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *i += n + 1;
  return cp;
}

wes_hresult_t wes__wql_like_compile(wql_arena_t *arena, const char *pat,
                                    size_t len, uint32_t line, uint32_t col,
                                    wql_like_t **ret, wes_error_t *err) {
  const unsigned char *s = (const unsigned char *)pat;
  wql_like_t *p = wes__wql_alloc(arena, sizeof(*p));
  size_t i = 0;
  uint32_t nseg = 0;
  bool in_seg = false;
  if (p == NULL) {
    return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  /* at most one element per byte, one segment per two elements */
  p->el = wes__wql_alloc(arena, (len + 1) * sizeof(like_el_t));
  p->seg = wes__wql_alloc(arena, (len / 2 + 2) * sizeof(like_seg_t));
  if (p->el == NULL || p->seg == NULL) {
    return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  p->literal = true;
  while (i < len) {
    like_el_t *e;
    if (s[i] == '%') {
      p->any_star = true;
      p->literal = false;
      if (p->nel == 0) {
        p->lead_star = true;
      }
      in_seg = false;
      i++;
      continue;
    }
    if (!in_seg) {
      p->seg[nseg].start = p->nel;
      p->seg[nseg].len = 0;
      nseg++;
      in_seg = true;
    }
    e = &p->el[p->nel];
    if (s[i] == '_') {
      e->kind = EL_ANY;
      p->literal = false;
      i++;
    } else if (s[i] == '[') {
      size_t j = i + 1, start;
      uint32_t nr = 0;
      e->kind = EL_SET;
      p->literal = false;
      if (j < len && s[j] == '^') {
        e->neg = 1;
        j++;
      }
      start = j;
      /* first pass: find the closing ']' (a ']' right after '[' or '[^'
       * is a member) */
      {
        size_t q = j;
        bool found = false;
        while (q < len) {
          if (s[q] == ']' && q != start) {
            found = true;
            break;
          }
          q++;
        }
        if (!found) {
          return wes__error(err, WES_E_INVALID_QUERY, line, col,
                            "LIKE pattern has an unterminated '[' at "
                            "offset %zu (write [[] for a literal '[')",
                            i);
        }
        e->r = wes__wql_alloc(arena, (q - start + 1) * sizeof(*e->r));
        if (e->r == NULL) {
          return wes__error(err, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
        }
        while (j < q) {
          uint32_t lo = decode(s, q, &j), hi = lo;
          if (j + 1 < q && s[j] == '-') {
            j++;
            hi = decode(s, q, &j);
            if (hi < lo) {
              uint32_t t = lo;
              lo = hi;
              hi = t;
            }
          }
          e->r[nr][0] = lo;
          e->r[nr][1] = hi;
          nr++;
        }
        e->nr = nr;
        i = q + 1;
      }
    } else {
      e->kind = EL_LIT;
      e->c = fold(decode(s, len, &i));
    }
    p->nel++;
    p->seg[nseg - 1].len++;
  }
  p->trail_star = p->any_star && !in_seg;
  p->nseg = nseg;
  *ret = p;
  return WES_S_OK;
}

bool wes__wql_like_is_literal(const wql_like_t *p) { return p->literal; }

static bool el_match(const like_el_t *e, uint32_t c) {
  uint32_t k;
  switch (e->kind) {
  case EL_LIT:
    return fold(c) == e->c;
  case EL_ANY:
    return true;
  default: {
    uint32_t lc = fold(c);
    uint32_t uc = (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
    bool in = false;
    for (k = 0; k < e->nr && !in; k++) {
      in = (c >= e->r[k][0] && c <= e->r[k][1]) ||
           (lc >= e->r[k][0] && lc <= e->r[k][1]) ||
           (uc >= e->r[k][0] && uc <= e->r[k][1]);
    }
    return e->neg ? !in : in;
  }
  }
}

/* Matches segment `sg` at byte `pos` of s[0..end); returns the byte after
 * it, or (size_t)-1. */
static size_t seg_at(const wql_like_t *p, const like_seg_t *sg,
                     const unsigned char *s, size_t end, size_t pos) {
  uint32_t k;
  for (k = 0; k < sg->len; k++) {
    uint32_t c;
    if (pos >= end) {
      return (size_t)-1;
    }
    c = decode(s, end, &pos);
    if (!el_match(&p->el[sg->start + k], c)) {
      return (size_t)-1;
    }
  }
  return pos;
}

bool wes__wql_like_match(const wql_like_t *p, const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t pos = 0, end = len;
  uint32_t first = 0, last = p->nseg;
  if (!p->any_star) {
    if (p->nseg == 0) {
      return len == 0;
    }
    return seg_at(p, &p->seg[0], s, len, 0) == len;
  }
  if (!p->lead_star && first < last) {
    size_t r = seg_at(p, &p->seg[first], s, end, pos);
    if (r == (size_t)-1) {
      return false;
    }
    pos = r;
    first++;
  }
  if (!p->trail_star && first < last) {
    /* the last segment must end exactly at the end: step back its length
     * in characters */
    const like_seg_t *sg = &p->seg[last - 1];
    size_t st = end;
    uint32_t k;
    for (k = 0; k < sg->len; k++) {
      if (st <= pos) {
        return false;
      }
      st--;
      while (st > pos && (s[st] & 0xC0) == 0x80) {
        st--;
      }
    }
    if (seg_at(p, sg, s, end, st) != end) {
      return false;
    }
    end = st;
    last--;
  }
  for (; first < last; first++) {
    const like_seg_t *sg = &p->seg[first];
    size_t at = pos, r = (size_t)-1;
    const like_el_t *e0 = &p->el[sg->start];
    bool ascii_first = e0->kind == EL_LIT && e0->c < 0x80;
    unsigned char lo = (unsigned char)e0->c;
    unsigned char up = (lo >= 'a' && lo <= 'z') ? (unsigned char)(lo - 32) : lo;
    while (at < end) {
      if (ascii_first) {
        /* skip to the next byte that can start the segment */
        while (at < end && s[at] != lo && s[at] != up) {
          at++;
        }
        if (at >= end) {
          break;
        }
      }
      r = seg_at(p, sg, s, end, at);
      if (r != (size_t)-1) {
        break;
      }
      /* next character */
      decode(s, end, &at);
    }
    if (r == (size_t)-1) {
      return false;
    }
    pos = r;
  }
  return true;
}
