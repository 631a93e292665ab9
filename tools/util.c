/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wes_tool.h"

/* Prints `FILE:0:0: NAME: strerror` for a failed open or read, with the
 * code that fits the errno value. */
static void print_file_error(const char *path, int e) {
  wes_error_t err;
  wes_hresult_t hr;
  switch (e) {
  case ENOENT:
  case ENOTDIR:
    hr = WES_E_NOT_FOUND;
    break;
  case EACCES:
  case EPERM:
  case EROFS:
    hr = WES_E_ACCESS_DENIED;
    break;
  case ENOMEM:
    hr = WES_E_OUT_OF_MEMORY;
    break;
  default:
    hr = WES_E_FAILED;
    break;
  }
  wes_error_clear(&err);
  err.code = hr;
  err.sys_error = e;
  snprintf(err.text, sizeof(err.text), "%s",
           e != 0 ? strerror(e) : "read error");
  wes_tool_print_error(path, hr, &err);
}

char *wes_tool_read_file(const char *path, size_t *ret_len) {
  FILE *f;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int e = 0;
  errno = 0;
  f = fopen(path, "rb");
  if (f == NULL) {
    print_file_error(path, errno);
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
        print_file_error(path, ENOMEM);
        return NULL;
      }
      buf = p;
    }
    errno = 0;
    n = fread(buf + len, 1, cap - len, f);
    e = errno;
    len += n;
    if (n == 0) {
      break;
    }
  }
  if (ferror(f)) {
    print_file_error(path, e);
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
  const char *text =
      (err != NULL && err->text[0] != '\0') ? err->text : wes_strerror(hr);
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

unsigned char *wes_tool_hex_decode(const char *hex, size_t *ret_len,
                                   wes_error_t *err) {
  size_t n = strlen(hex), i;
  unsigned char *out;
  wes_error_clear(err);
  if (n % 2 != 0) {
    err->code = WES_E_INVALID_PARAMETER;
    err->column = (uint32_t)n;
    snprintf(err->text, sizeof(err->text), "odd number of hex digits");
    return NULL;
  }
  out = malloc(n / 2 + 1);
  if (out == NULL) {
    err->code = WES_E_OUT_OF_MEMORY;
    snprintf(err->text, sizeof(err->text), "out of memory");
    return NULL;
  }
  for (i = 0; i < n; i++) {
    char c = hex[i];
    int v = wes__hex_val(c);
    if (v < 0) {
      free(out);
      err->code = WES_E_INVALID_PARAMETER;
      err->column = (uint32_t)i + 1;
      snprintf(err->text, sizeof(err->text), "not a hex digit: '%c'", c);
      return NULL;
    }
    if (i % 2 == 0) {
      out[i / 2] = (unsigned char)(v << 4);
    } else {
      out[i / 2] |= (unsigned char)v;
    }
  }
  *ret_len = n / 2;
  return out;
}
