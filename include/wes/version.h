/* SPDX-License-Identifier: MIT */
/*
 * wes version numbers.
 *
 * ABI policy: until 1.0 every minor release may change the ABI; from 1.0 on
 * the ABI only grows within a major version (ops tables are append-only and
 * versioned, public structs keep reserved space).
 */
#ifndef WES_VERSION_H
#define WES_VERSION_H

#define WES_VERSION_MAJOR 0
#define WES_VERSION_MINOR 1
#define WES_VERSION_PATCH 0
#define WES_VERSION_STRING "0.1.0"
#define WES_VERSION_HEX                                                        \
  ((WES_VERSION_MAJOR << 16) | (WES_VERSION_MINOR << 8) | WES_VERSION_PATCH)

#endif /* WES_VERSION_H */
