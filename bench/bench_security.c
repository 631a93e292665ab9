/* SPDX-License-Identifier: MIT */
/*
 * Access check of a 10-ACE DACL for a token with 8 groups: uncached
 * (wes_access_check) and cached (wes_access_cache_check), beside a bare
 * loop calling an empty function through a pointer. Each figure is the
 * median of 7 runs, in ns per check. Goals (DESIGN 5 / issue 4): <= 200 ns
 * uncached, <= 20 ns cached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wes.h"

#define ITER 2000000
#define RUNS 7

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef uint32_t (*step_fn)(void *ctx, uint32_t i);

typedef struct {
  wes_sd_t *sd;
  wes_token_t *tok;
  wes_access_cache_t *cache;
} ctx_t;

static volatile uint32_t sink;

static uint32_t step_baseline(void *ctx, uint32_t i) {
  (void)ctx;
  return i & 1;
}

static uint32_t step_uncached(void *ctx, uint32_t i) {
  ctx_t *c = ctx;
  uint32_t g = 0;
  (void)i;
  (void)wes_access_check(c->sd, c->tok, WES_WBEM_RIGHT_SUBSCRIBE,
                         wes_wmi_generic_mapping(), &g, NULL);
  return g;
}

static uint32_t step_cached(void *ctx, uint32_t i) {
  ctx_t *c = ctx;
  uint32_t g = 0;
  (void)i;
  (void)wes_access_cache_check(c->cache, c->sd, c->tok,
                               WES_WBEM_RIGHT_SUBSCRIBE, &g, NULL);
  return g;
}

static double measure(step_fn volatile fn, void *ctx) {
  double r[RUNS];
  int k;
  for (k = 0; k < RUNS; k++) {
    uint32_t acc = 0, i;
    uint64_t t0 = now_ns();
    for (i = 0; i < ITER; i++) {
      acc += fn(ctx, i);
    }
    r[k] = (double)(now_ns() - t0) / ITER;
    sink = acc;
  }
  qsort(r, RUNS, sizeof(r[0]), cmp_double);
  return r[RUNS / 2];
}

int main(void) {
  ctx_t c;
  char sddl[1024];
  size_t len;
  wes_token_group_t groups[8];
  wes_sid_t user;
  uint32_t g = 0;
  int i;
  double base, unc, cac;
  /* Nine ACEs for SIDs the token lacks (one a deny), then the one that
   * grants: every ACE is looked at. */
  len = (size_t)snprintf(sddl, sizeof(sddl), "O:SYG:SYD:");
  for (i = 0; i < 9; i++) {
    len += (size_t)snprintf(sddl + len, sizeof(sddl) - len,
                            "(%s;;0x%x;;;S-1-5-21-1-2-3-%d)",
                            i == 4 ? "D" : "A", i == 4 ? 0x80 : 0x41, 1000 + i);
  }
  snprintf(sddl + len, sizeof(sddl) - len, "(A;;GR;;;S-1-22-2-107)");
  if (WES_FAILED(wes_sd_from_sddl(sddl, NULL, &c.sd, NULL))) {
    fprintf(stderr, "bench_security: bad SDDL\n");
    return 1;
  }
  wes_sid_unix_user(1000, &user);
  for (i = 0; i < 8; i++) {
    wes_sid_unix_group((uint32_t)(100 + i), &groups[i].sid);
    groups[i].attributes = WES_GROUP_DEFAULT;
  }
  if (WES_FAILED(wes_token_new(&user, groups, 8, 0, &c.tok, NULL)) ||
      WES_FAILED(
          wes_access_cache_new(wes_wmi_generic_mapping(), 0, &c.cache, NULL))) {
    return 1;
  }
  if (wes_access_check(c.sd, c.tok, WES_WBEM_RIGHT_SUBSCRIBE,
                       wes_wmi_generic_mapping(), &g, NULL) != WES_S_OK) {
    fprintf(stderr, "bench_security: the check should grant\n");
    return 1;
  }
  base = measure(step_baseline, &c);
  unc = measure(step_uncached, &c);
  cac = measure(step_cached, &c);
  printf("security.baseline_call %.2f ns\n", base);
  printf("security.access_check_uncached %.2f ns\n", unc);
  printf("security.access_check_cached %.2f ns\n", cac);
  printf("security.uncached_over_baseline %.1f x\n", unc / base);
  printf("security.cached_over_baseline %.1f x\n", cac / base);
  wes_access_cache_free(c.cache);
  wes_token_unref(c.tok);
  wes_sd_unref(c.sd);
  return 0;
}
