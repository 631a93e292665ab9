/* SPDX-License-Identifier: MIT */
/* wes sid: canonical SID text from a SID, an alias or binary hex. */
#include <stdlib.h>
#include <string.h>

#include "wes_tool.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: wes sid [--domain SID] [--machine SID] SID|ALIAS\n"
          "       wes sid --from-hex HEX\n\n"
          "Prints the canonical S-1 form of a SID given as S-1-... text or\n"
          "as a two-letter SDDL alias (BA, SY, WD, ...). Domain- and\n"
          "machine-relative aliases (DA, DU, LA, LG, ...) need --domain or\n"
          "--machine. --from-hex reads a binary SID as hex digits.\n\n"
          "Errors: NAME (0xXXXXXXXX) at COL: message (exit 1).\n");
}

static void report(wes_hresult_t hr, const wes_error_t *err) {
  fprintf(stderr, "%s (0x%08X) at %u: %s\n", wes_err_name(hr), (unsigned)hr,
          err->column, err->text[0] != '\0' ? err->text : wes_strerror(hr));
}

/* Puts "what: " before the message of err. */
static void prefix_error(wes_error_t *err, const char *what) {
  char msg[WES_ERROR_TEXT_LENGTH];
  snprintf(msg, sizeof(msg), "%s", err->text);
  snprintf(err->text, sizeof(err->text), "%s: %.140s", what, msg);
}

int wes_cmd_sid(int argc, char **argv) {
  const char *domain = NULL, *machine = NULL, *from_hex = NULL, *text = NULL;
  wes_sid_t dom, mach, sid;
  wes_sid_scope_t scope = {NULL, NULL, NULL};
  wes_error_t err;
  wes_hresult_t hr;
  char buf[WES_SID_STRING_MAX];
  int i;
  for (i = 1; i < argc; i++) {
    if (wes_tool_is_help(argv[i])) {
      usage(stdout);
      return WES_EXIT_OK;
    } else if (strcmp(argv[i], "--domain") == 0 && i + 1 < argc) {
      domain = argv[++i];
    } else if (strcmp(argv[i], "--machine") == 0 && i + 1 < argc) {
      machine = argv[++i];
    } else if (strcmp(argv[i], "--from-hex") == 0 && i + 1 < argc) {
      from_hex = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1] == '-') {
      fprintf(stderr, "wes sid: unknown option or missing value '%s'\n",
              argv[i]);
      usage(stderr);
      return WES_EXIT_USAGE;
    } else if (text == NULL) {
      text = argv[i];
    } else {
      fprintf(stderr, "wes sid: unexpected argument '%s'\n", argv[i]);
      return WES_EXIT_USAGE;
    }
  }
  if ((text == NULL) == (from_hex == NULL)) {
    usage(stderr);
    return WES_EXIT_USAGE;
  }
  wes_error_clear(&err);
  if (domain != NULL) {
    hr = wes_sid_parse(domain, NULL, &dom, &err);
    if (WES_FAILED(hr)) {
      prefix_error(&err, "--domain");
      report(hr, &err);
      return WES_EXIT_ERROR;
    }
    scope.domain = &dom;
  }
  if (machine != NULL) {
    hr = wes_sid_parse(machine, NULL, &mach, &err);
    if (WES_FAILED(hr)) {
      prefix_error(&err, "--machine");
      report(hr, &err);
      return WES_EXIT_ERROR;
    }
    scope.machine = &mach;
  }
  if (from_hex != NULL) {
    size_t len = 0, used = 0;
    unsigned char *bytes = wes_tool_hex_decode(from_hex, &len, &err);
    if (bytes == NULL) {
      report(err.code, &err);
      return WES_EXIT_ERROR;
    }
    hr = wes_sid_from_binary(bytes, len, &sid, &used, &err);
    free(bytes);
    if (WES_SUCCEEDED(hr) && used != len) {
      hr = WES_E_INVALID_PARAMETER;
      err.column = (uint32_t)(2 * used + 1);
      snprintf(err.text, sizeof(err.text), "%zu bytes after the end of the SID",
               len - used);
    } else if (WES_FAILED(hr) && err.column > 0) {
      err.column = 2 * err.column - 1; /* byte offset -> hex column */
    }
  } else {
    hr = wes_sid_parse(text, &scope, &sid, &err);
  }
  if (WES_FAILED(hr)) {
    report(hr, &err);
    return WES_EXIT_ERROR;
  }
  (void)wes_sid_to_string(&sid, buf, sizeof(buf));
  printf("%s\n", buf);
  return WES_EXIT_OK;
}
