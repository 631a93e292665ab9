/* SPDX-License-Identifier: MIT */
/*
 * The only include site of <uthash.h>: routes uthash through the wes
 * allocator and turns its out-of-memory exit into a recoverable error.
 *
 * With HASH_NONFATAL_OOM, a failed add leaves the table unchanged and sets
 * `wes__uthash_oom`; callers check it with WES__UTHASH_ADD_OK().
 */
#ifndef WES_UTHASH_CFG_H
#define WES_UTHASH_CFG_H

#include "internal.h"

#define uthash_malloc(sz) wes__malloc(sz)
#define uthash_free(ptr, sz) wes__free(ptr)
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(elt) (wes__uthash_oom = 1)

extern _Thread_local int wes__uthash_oom;

#include <uthash.h>

#endif /* WES_UTHASH_CFG_H */
