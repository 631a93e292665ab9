/* SPDX-License-Identifier: MIT */
/* `wes object render`: JSON text -> object -> MOF text (or JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wes_tool.h"

static void object_usage(FILE *out) {
  fprintf(out,
          "usage: wes object render --json FILE [--mof FILE]...\n"
          "                         [--format mof|json] [--pretty]\n"
          "                         [--no-types] [--system]\n"
          "\n"
          "Reads one object in the JSON shape of docs/json.md from FILE\n"
          "(`-` reads standard input) into an instance of its class, then\n"
          "prints it on standard output:\n"
          "  --format mof   MOF text, as IWbemClassObject::GetObjectText\n"
          "                 shows it (default)\n"
          "  --format json  JSON again (one line; --pretty indents it,\n"
          "                 --no-types writes bare values, --system adds\n"
          "                 the system properties)\n"
          "\n"
          "Classes come from a namespace root\\cimv2 holding the WMI system\n"
          "classes and the classes of the --mof files, compiled in order.\n"
          "\n"
          "Errors are printed on stderr as `FILE:LINE:COL: NAME: message`.\n"
          "Exit status: 0 success, 1 an error was reported, 2 usage error.\n");
}

/* Prints `<stdin>:0:0: NAME: message` for a failed read of stdin. */
static void stdin_error(wes_hresult_t hr, const char *text) {
  wes_error_t err;
  wes_error_clear(&err);
  err.code = hr;
  snprintf(err.text, sizeof(err.text), "%s", text);
  wes_tool_print_error("<stdin>", hr, &err);
}

/* Reads FILE, or standard input for "-". Failures are printed as
 * `FILE:0:0: NAME: message`. */
static char *read_input(const char *path, size_t *ret_len) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  if (strcmp(path, "-") != 0) {
    return wes_tool_read_file(path, ret_len);
  }
  for (;;) {
    size_t n;
    if (cap - len < 4096) {
      char *p;
      cap = cap == 0 ? 8192 : cap * 2;
      p = realloc(buf, cap + 1);
      if (p == NULL) {
        free(buf);
        stdin_error(WES_E_OUT_OF_MEMORY, "out of memory");
        return NULL;
      }
      buf = p;
    }
    n = fread(buf + len, 1, cap - len, stdin);
    len += n;
    if (n == 0) {
      break;
    }
  }
  if (ferror(stdin)) {
    stdin_error(WES_E_FAILED, "read error");
    free(buf);
    return NULL;
  }
  buf[len] = '\0';
  *ret_len = len;
  return buf;
}

static int object_render(int argc, char **argv) {
  const char **mofs;
  size_t nmofs = 0, len = 0;
  const char *json_path = NULL;
  int as_json = 0, i, rc;
  uint32_t flags = 0;
  wes_namespace_t *ns = NULL;
  wes_object_t *obj = NULL;
  wes_error_t err;
  wes_hresult_t hr;
  char *input, *text = NULL;
  mofs = calloc((size_t)argc, sizeof(*mofs));
  if (mofs == NULL) {
    fprintf(stderr, "wes object render: out of memory\n");
    return WES_EXIT_ERROR;
  }
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = NULL;
    if (wes_tool_is_help(a)) {
      object_usage(stdout);
      free(mofs);
      return WES_EXIT_OK;
    }
    if (strcmp(a, "--mof") == 0 || strcmp(a, "--json") == 0 ||
        strcmp(a, "--format") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "wes object render: %s needs a value\n", a);
        goto usage;
      }
      val = argv[++i];
    }
    if (strcmp(a, "--mof") == 0) {
      mofs[nmofs++] = val;
    } else if (strcmp(a, "--json") == 0) {
      if (json_path != NULL) {
        fprintf(stderr, "wes object render: --json given twice\n");
        goto usage;
      }
      json_path = val;
    } else if (strcmp(a, "--format") == 0) {
      if (strcmp(val, "mof") == 0) {
        as_json = 0;
      } else if (strcmp(val, "json") == 0) {
        as_json = 1;
      } else {
        fprintf(stderr, "wes object render: unknown format '%s'\n", val);
        goto usage;
      }
    } else if (strcmp(a, "--pretty") == 0) {
      flags |= WES_RENDER_PRETTY;
    } else if (strcmp(a, "--no-types") == 0) {
      flags |= WES_RENDER_NO_TYPES;
    } else if (strcmp(a, "--system") == 0) {
      flags |= WES_RENDER_SYSTEM_PROPS;
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "wes object render: unknown option '%s'\n", a);
      goto usage;
    } else {
      fprintf(stderr, "wes object render: unexpected argument '%s'\n", a);
      goto usage;
    }
  }
  if (json_path == NULL) {
    fprintf(stderr, "wes object render: --json FILE is required\n");
    goto usage;
  }
  rc = wes_tool_load_mofs(mofs, nmofs, &ns);
  free(mofs);
  if (rc != WES_EXIT_OK) {
    return rc;
  }
  input = read_input(json_path, &len);
  if (input == NULL) {
    wes_namespace_unref(ns);
    return WES_EXIT_ERROR;
  }
  wes_error_clear(&err);
  hr = wes_object_from_json(ns, input, len, &obj, &err);
  free(input);
  if (WES_FAILED(hr)) {
    wes_tool_print_error(strcmp(json_path, "-") == 0 ? "<stdin>" : json_path,
                         hr, &err);
    wes_namespace_unref(ns);
    return WES_EXIT_ERROR;
  }
  hr = as_json ? wes_object_to_json(obj, flags, &text)
               : wes_object_to_mof(obj, 0, &text);
  if (WES_FAILED(hr)) {
    fprintf(stderr, "wes object render: %s: %s\n", wes_err_name(hr),
            wes_strerror(hr));
    wes_object_unref(obj);
    wes_namespace_unref(ns);
    return WES_EXIT_ERROR;
  }
  fputs(text, stdout);
  if (as_json && (flags & WES_RENDER_PRETTY) == 0) {
    fputc('\n', stdout);
  }
  wes_free(text);
  wes_object_unref(obj);
  wes_namespace_unref(ns);
  return WES_EXIT_OK;
usage:
  free(mofs);
  object_usage(stderr);
  return WES_EXIT_USAGE;
}

int wes_cmd_object(int argc, char **argv) {
  if (argc < 2) {
    object_usage(stderr);
    return WES_EXIT_USAGE;
  }
  if (wes_tool_is_help(argv[1])) {
    object_usage(stdout);
    return WES_EXIT_OK;
  }
  if (strcmp(argv[1], "render") == 0) {
    return object_render(argc - 1, argv + 1);
  }
  fprintf(stderr, "wes object: unknown subcommand '%s'\n", argv[1]);
  object_usage(stderr);
  return WES_EXIT_USAGE;
}
