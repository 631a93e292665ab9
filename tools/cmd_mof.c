/* SPDX-License-Identifier: MIT */
/* `wes mof check FILE...`: compile MOF files into one namespace. */
#include <stdio.h>
#include <string.h>

#include "wes_tool.h"

static void mof_usage(FILE *out) {
  fprintf(out,
          "usage: wes mof check FILE...\n"
          "\n"
          "Compiles the MOF files, in order, into one namespace (root\\cimv2\n"
          "with the WMI system classes), so later files may use classes of\n"
          "earlier ones. For each file prints the classes it declared, one\n"
          "per line (`FILE: class NAME : SUPERCLASS`), its `#pragma\n"
          "namespace` if any, and how many instances it built.\n"
          "\n"
          "Errors are printed on stderr as `FILE:LINE:COL: NAME: message`.\n"
          "Exit status: 0 all files compiled, 1 an error was reported,\n"
          "2 usage error.\n");
}

static int mof_check(int argc, char **argv) {
  wes_namespace_t *ns = NULL;
  wes_hresult_t hr;
  int i, first = 1;
  if (argc > 1 && wes_tool_is_help(argv[1])) {
    mof_usage(stdout);
    return WES_EXIT_OK;
  }
  if (argc > 1 && strcmp(argv[1], "--") == 0) {
    first = 2;
  } else {
    for (i = 1; i < argc; i++) {
      if (argv[i][0] == '-' && argv[i][1] != '\0') {
        fprintf(stderr, "wes mof check: unknown option '%s'\n", argv[i]);
        mof_usage(stderr);
        return WES_EXIT_USAGE;
      }
    }
  }
  if (first >= argc) {
    fprintf(stderr, "wes mof check: no FILE given\n");
    mof_usage(stderr);
    return WES_EXIT_USAGE;
  }
  hr = wes_namespace_new("root/cimv2", &ns);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "wes: cannot create namespace: %s\n", wes_err_name(hr));
    return WES_EXIT_ERROR;
  }
  for (i = first; i < argc; i++) {
    wes_mof_result_t *res = NULL;
    wes_error_t err;
    size_t k, n;
    const char *pns;
    wes_error_clear(&err);
    hr = wes_mof_compile_file(ns, argv[i], &res, &err);
    if (WES_FAILED(hr)) {
      wes_tool_print_error(argv[i], hr, &err);
      wes_namespace_unref(ns);
      return WES_EXIT_ERROR;
    }
    pns = wes_mof_result_pragma_namespace(res);
    if (pns != NULL) {
      printf("%s: #pragma namespace %s\n", argv[i], pns);
    }
    n = wes_mof_result_class_count(res);
    for (k = 0; k < n; k++) {
      const wes_class_t *c = wes_mof_result_class_at(res, k);
      const wes_class_t *s = wes_class_superclass(c);
      if (s != NULL) {
        printf("%s: class %s : %s\n", argv[i], wes_class_name(c),
               wes_class_name(s));
      } else {
        printf("%s: class %s\n", argv[i], wes_class_name(c));
      }
    }
    n = wes_mof_result_instance_count(res);
    printf("%s: %zu instance%s\n", argv[i], n, n == 1 ? "" : "s");
    wes_mof_result_free(res);
  }
  wes_namespace_unref(ns);
  return WES_EXIT_OK;
}

int wes_cmd_mof(int argc, char **argv) {
  if (argc < 2) {
    mof_usage(stderr);
    return WES_EXIT_USAGE;
  }
  if (wes_tool_is_help(argv[1])) {
    mof_usage(stdout);
    return WES_EXIT_OK;
  }
  if (strcmp(argv[1], "check") == 0) {
    return mof_check(argc - 1, argv + 1);
  }
  fprintf(stderr, "wes mof: unknown subcommand '%s'\n", argv[1]);
  mof_usage(stderr);
  return WES_EXIT_USAGE;
}
