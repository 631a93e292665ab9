/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wes_tool.h"

char *wes_tool_read_file(const char *path, size_t *ret_len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t len = 0, cap = 0;
  if (f == NULL) {
    fprintf(stderr, "wes: %s: %s\n", path, strerror(errno));
    return NULL;
  }
  for (;;) {
    size_t n;
    if (cap - len < 4096) {
      char *p;
      cap = cap == 0 ? 8192 : cap * 2;
      p = realloc(buf, cap + 1);
      if (p == NULL) {
        free(buf);
        fclose(f);
        fprintf(stderr, "wes: %s: out of memory\n", path);
        return NULL;
      }
      buf = p;
    }
    n = fread(buf + len, 1, cap - len, f);
    len += n;
    if (n == 0) {
      break;
    }
  }
  if (ferror(f)) {
    fprintf(stderr, "wes: %s: %s\n", path, strerror(errno));
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  buf[len] = '\0';
  if (ret_len != NULL) {
    *ret_len = len;
  }
  return buf;
}

void wes_tool_print_error(const char *file, wes_hresult_t hr,
                          const wes_error_t *err) {
  const char *text = (err != NULL && err->text[0] != '\0') ? err->text
                                                            : wes_strerror(hr);
  fprintf(stderr, "%s:%u:%u: %s: %s\n", file != NULL ? file : "<input>",
          err != NULL ? err->line : 0, err != NULL ? err->column : 0,
          wes_err_name(hr), text);
}

int wes_tool_load_mofs(const char *const *files, size_t nfiles,
                       wes_namespace_t **ret_ns) {
  wes_namespace_t *ns = NULL;
  wes_hresult_t hr = wes_namespace_new("root/cimv2", &ns);
  size_t i;
  if (WES_FAILED(hr)) {
    fprintf(stderr, "wes: cannot create namespace: %s\n", wes_err_name(hr));
    return WES_EXIT_ERROR;
  }
  for (i = 0; i < nfiles; i++) {
    wes_error_t err;
    wes_error_clear(&err);
    hr = wes_mof_compile_file(ns, files[i], NULL, &err);
    if (WES_FAILED(hr)) {
      wes_tool_print_error(files[i], hr, &err);
      wes_namespace_unref(ns);
      return WES_EXIT_ERROR;
    }
  }
  *ret_ns = ns;
  return WES_EXIT_OK;
}

int wes_tool_is_help(const char *s) {
  return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}
