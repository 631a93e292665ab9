/* SPDX-License-Identifier: MIT */
/* Shared helpers of the wes program's commands. */
#ifndef WES_TOOL_H
#define WES_TOOL_H

#include <stdio.h>

#include "wes.h"

/* Exit codes of every command. */
#define WES_EXIT_OK 0
#define WES_EXIT_ERROR 1 /* a reported error (bad input, failed check) */
#define WES_EXIT_USAGE 2 /* a usage error */

/* A command: argv[0] is the command family ("mof", "query", ...). */
typedef int (*wes_tool_cmd_fn)(int argc, char **argv);

/*
 * Reads a whole file into a NUL-terminated buffer (free with free()).
 * Returns NULL and prints "PATH:0:0: NAME: strerror" on failure, NAME
 * chosen from errno (WBEM_E_NOT_FOUND, WBEM_E_ACCESS_DENIED, ...).
 */
char *wes_tool_read_file(const char *path, size_t *ret_len);

/*
 * Creates the namespace "root/cimv2" and compiles every MOF file named by
 * the `--mof FILE` options in argv (in order). Errors are printed as
 * `file:line:col: NAME: message`. Returns 0 or WES_EXIT_ERROR.
 */
int wes_tool_load_mofs(const char *const *files, size_t nfiles,
                       wes_namespace_t **ret_ns);

/* Prints `file:line:col: NAME: message` for a failure. */
void wes_tool_print_error(const char *file, wes_hresult_t hr,
                          const wes_error_t *err);

/*
 * Decodes hex text (an even number of digits, either case) into bytes
 * (free with free()). On failure returns NULL and fills err: code
 * WBEM_E_INVALID_PARAMETER with the 1-based column of the bad digit (or
 * the length, for an odd count), or WBEM_E_OUT_OF_MEMORY.
 */
unsigned char *wes_tool_hex_decode(const char *hex, size_t *ret_len,
                                   wes_error_t *err);

/* Returns non-zero when s is "-h" or "--help". */
int wes_tool_is_help(const char *s);

/* Command families (each in cmd_<family>.c). */
int wes_cmd_mof(int argc, char **argv);
int wes_cmd_class(int argc, char **argv);
int wes_cmd_object(int argc, char **argv);
int wes_cmd_query(int argc, char **argv);
int wes_cmd_sid(int argc, char **argv);
int wes_cmd_sddl(int argc, char **argv);
int wes_cmd_watch(int argc, char **argv);

#endif /* WES_TOOL_H */
