/* SPDX-License-Identifier: MIT */
/* `wes class show|list`: classes of root\cimv2 (system classes plus the
 * classes of --mof files) as MOF declarations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wes_tool.h"

static void class_usage(FILE *out) {
  fprintf(out,
          "usage: wes class show NAME [--mof FILE]... [--declared]\n"
          "       wes class list [--mof FILE]...\n"
          "\n"
          "show  prints the class NAME as a MOF declaration: qualifiers,\n"
          "      superclass and every property, inherited ones included\n"
          "      (each run marked by a comment naming the class that\n"
          "      declared it). --declared leaves inherited properties out.\n"
          "list  prints the name of every class, one per line, with its\n"
          "      superclass (`NAME : SUPERCLASS`).\n"
          "\n"
          "Classes come from a namespace root\\cimv2 holding the WMI system\n"
          "classes (__Event, __InstanceCreationEvent, ...) and the classes\n"
          "of the --mof files, compiled in order. Class names are\n"
          "case-insensitive.\n"
          "\n"
          "Errors are printed on stderr (MOF errors as\n"
          "`FILE:LINE:COL: NAME: message`). Exit status: 0 success, 1 an\n"
          "error was reported (unknown class, bad MOF), 2 usage error.\n");
}

/* Parsed common options. */
typedef struct {
  const char **mofs;
  size_t nmofs;
  const char *name;
  int declared;
} class_opts_t;

/* Returns -1 on success, else an exit code (help or usage error). */
static int parse_opts(const char *cmd, int argc, char **argv, int want_name,
                      class_opts_t *o) {
  int i;
  o->mofs = calloc((size_t)argc, sizeof(*o->mofs));
  if (o->mofs == NULL) {
    fprintf(stderr, "wes class %s: out of memory\n", cmd);
    return WES_EXIT_ERROR;
  }
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (wes_tool_is_help(a)) {
      class_usage(stdout);
      return WES_EXIT_OK;
    }
    if (strcmp(a, "--mof") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "wes class %s: --mof needs a FILE\n", cmd);
        return WES_EXIT_USAGE;
      }
      o->mofs[o->nmofs++] = argv[++i];
    } else if (strncmp(a, "--mof=", 6) == 0) {
      o->mofs[o->nmofs++] = a + 6;
    } else if (want_name && strcmp(a, "--declared") == 0) {
      o->declared = 1;
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "wes class %s: unknown option '%s'\n", cmd, a);
      return WES_EXIT_USAGE;
    } else if (want_name && o->name == NULL) {
      o->name = a;
    } else {
      fprintf(stderr, "wes class %s: unexpected argument '%s'\n", cmd, a);
      return WES_EXIT_USAGE;
    }
  }
  if (want_name && o->name == NULL) {
    fprintf(stderr, "wes class %s: no class NAME given\n", cmd);
    return WES_EXIT_USAGE;
  }
  return -1;
}

static int class_show(int argc, char **argv) {
  class_opts_t o;
  wes_namespace_t *ns = NULL;
  const wes_class_t *cls;
  char *text = NULL;
  wes_hresult_t hr;
  int rc;
  memset(&o, 0, sizeof(o));
  rc = parse_opts("show", argc, argv, 1, &o);
  if (rc >= 0) {
    if (rc == WES_EXIT_USAGE) {
      class_usage(stderr);
    }
    free(o.mofs);
    return rc;
  }
  rc = wes_tool_load_mofs(o.mofs, o.nmofs, &ns);
  free(o.mofs);
  if (rc != WES_EXIT_OK) {
    return rc;
  }
  cls = wes_namespace_get_class(ns, o.name);
  if (cls == NULL) {
    fprintf(stderr, "wes class show: %s: unknown class '%s' in %s\n",
            wes_err_name(WES_E_INVALID_CLASS), o.name, wes_namespace_name(ns));
    wes_namespace_unref(ns);
    return WES_EXIT_ERROR;
  }
  hr = wes_class_to_mof(cls, o.declared ? 0 : WES_RENDER_INHERITED, &text);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "wes class show: %s: %s\n", wes_err_name(hr),
            wes_strerror(hr));
    wes_namespace_unref(ns);
    return WES_EXIT_ERROR;
  }
  fputs(text, stdout);
  wes_free(text);
  wes_namespace_unref(ns);
  return WES_EXIT_OK;
}

static int class_list(int argc, char **argv) {
  class_opts_t o;
  wes_namespace_t *ns = NULL;
  size_t i, n;
  int rc;
  memset(&o, 0, sizeof(o));
  rc = parse_opts("list", argc, argv, 0, &o);
  if (rc >= 0) {
    if (rc == WES_EXIT_USAGE) {
      class_usage(stderr);
    }
    free(o.mofs);
    return rc;
  }
  rc = wes_tool_load_mofs(o.mofs, o.nmofs, &ns);
  free(o.mofs);
  if (rc != WES_EXIT_OK) {
    return rc;
  }
  n = wes_namespace_class_count(ns);
  for (i = 0; i < n; i++) {
    const wes_class_t *c = wes_namespace_class_at(ns, i);
    const wes_class_t *s = wes_class_superclass(c);
    if (s != NULL) {
      printf("%s : %s\n", wes_class_name(c), wes_class_name(s));
    } else {
      printf("%s\n", wes_class_name(c));
    }
  }
  wes_namespace_unref(ns);
  return WES_EXIT_OK;
}

int wes_cmd_class(int argc, char **argv) {
  if (argc < 2) {
    class_usage(stderr);
    return WES_EXIT_USAGE;
  }
  if (wes_tool_is_help(argv[1])) {
    class_usage(stdout);
    return WES_EXIT_OK;
  }
  if (strcmp(argv[1], "show") == 0) {
    return class_show(argc - 1, argv + 1);
  }
  if (strcmp(argv[1], "list") == 0) {
    return class_list(argc - 1, argv + 1);
  }
  fprintf(stderr, "wes class: unknown subcommand '%s'\n", argv[1]);
  class_usage(stderr);
  return WES_EXIT_USAGE;
}
