/* SPDX-License-Identifier: MIT */
/* wes sddl: canonical SDDL, self-relative hex, access checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wes_tool.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: wes sddl canon 'SDDL'          canonical SDDL\n"
          "       wes sddl hex 'SDDL'            self-relative bytes as hex\n"
          "       wes sddl from-hex HEX          SDDL of self-relative bytes\n"
          "       wes sddl access 'SDDL' --token LIST --desired MASK\n"
          "                       [--mapping GR,GW,GX,GA|wmi]\n"
          "options of every subcommand: --domain SID, --machine SID\n\n"
          "canon, hex and from-hex print Windows' forms. access prints\n"
          "`granted 0xXXXXXXXX` or `denied` (exit 0 either way). LIST is\n"
          "comma-separated: the user SID first, then groups; SID:deny-only\n"
          "marks a deny-only SID; +SeSecurityPrivilege and\n"
          "+SeTakeOwnershipPrivilege enable a privilege. MASK and mapping\n"
          "values are numbers (0x hex or decimal).\n\n"
          "Errors: NAME (0xXXXXXXXX) at COL: message (exit 1).\n");
}

/* Prints `NAME (0xXXXXXXXX) at COL: [what: ]message` (COL 0: no
 * position). */
static void report(const char *what, wes_hresult_t hr, const wes_error_t *err) {
  fprintf(stderr, "%s (0x%08X) at %u: %s%s%s\n", wes_err_name(hr), (unsigned)hr,
          err->column, what != NULL ? what : "", what != NULL ? ": " : "",
          err->text[0] != '\0' ? err->text : wes_strerror(hr));
}

static void set_err(wes_error_t *err, wes_hresult_t code, size_t col,
                    const char *msg) {
  err->code = code;
  err->column = (uint32_t)col;
  snprintf(err->text, sizeof(err->text), "%s", msg);
}

/* Parses a 32-bit number (0x hex or decimal). 0 on success. */
static int parse_u32(const char *s, size_t n, uint32_t *ret) {
  char tmp[32];
  char *end;
  unsigned long long v;
  if (n == 0 || n >= sizeof(tmp) || s[0] == '-' || s[0] == '+' || s[0] == ' ') {
    return -1;
  }
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  errno = 0;
  v = strtoull(
      tmp, &end,
      (n > 2 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X')) ? 16 : 10);
  if (errno != 0 || *end != '\0' || v > 0xFFFFFFFFull) {
    return -1;
  }
  *ret = (uint32_t)v;
  return 0;
}

/* Builds the token of a LIST; err->column is a column in LIST. */
static wes_hresult_t parse_token(const char *list, const wes_sid_scope_t *scope,
                                 wes_token_t **ret, wes_error_t *err) {
  wes_sid_t user;
  wes_token_group_t *groups = NULL;
  size_t ngroups = 0, pos = 0, len = strlen(list);
  uint32_t flags = 0;
  int have_user = 0;
  wes_hresult_t hr = WES_S_OK;
  groups = calloc(len / 2 + 1, sizeof(*groups));
  if (groups == NULL) {
    set_err(err, WES_E_OUT_OF_MEMORY, 0, "out of memory");
    return WES_E_OUT_OF_MEMORY;
  }
  while (pos <= len && WES_SUCCEEDED(hr)) {
    size_t end = pos, sid_end;
    int deny_only = 0;
    char item[256];
    while (end < len && list[end] != ',') {
      end++;
    }
    if (end == pos || end - pos >= sizeof(item)) {
      set_err(err, WES_E_INVALID_PARAMETER, pos + 1,
              "empty or overlong item in the token list");
      hr = WES_E_INVALID_PARAMETER;
      break;
    }
    memcpy(item, list + pos, end - pos);
    item[end - pos] = '\0';
    if (item[0] == '+') {
      if (strcmp(item, "+SeSecurityPrivilege") == 0) {
        flags |= WES_PRIV_SECURITY;
      } else if (strcmp(item, "+SeTakeOwnershipPrivilege") == 0) {
        flags |= WES_PRIV_TAKE_OWNERSHIP;
      } else {
        set_err(err, WES_E_INVALID_PARAMETER, pos + 1,
                "unknown privilege (SeSecurityPrivilege, "
                "SeTakeOwnershipPrivilege)");
        hr = WES_E_INVALID_PARAMETER;
        break;
      }
      pos = end + 1;
      continue;
    }
    sid_end = strlen(item);
    {
      char *colon = strchr(item, ':');
      if (colon != NULL) {
        if (strcmp(colon, ":deny-only") != 0) {
          set_err(err, WES_E_INVALID_PARAMETER,
                  pos + (size_t)(colon - item) + 1,
                  "only ':deny-only' may follow a SID");
          hr = WES_E_INVALID_PARAMETER;
          break;
        }
        deny_only = 1;
        *colon = '\0';
        sid_end = (size_t)(colon - item);
      }
    }
    (void)sid_end;
    {
      wes_sid_t s;
      wes_error_t e;
      wes_error_clear(&e);
      hr = wes_sid_parse(item, scope, &s, &e);
      if (WES_FAILED(hr)) {
        *err = e;
        err->column = e.column + (uint32_t)pos;
        break;
      }
      if (!have_user) {
        user = s;
        have_user = 1;
        if (deny_only) {
          flags |= WES_TOKEN_USER_DENY_ONLY;
        }
      } else {
        groups[ngroups].sid = s;
        groups[ngroups].attributes =
            deny_only ? WES_GROUP_USE_FOR_DENY_ONLY : WES_GROUP_DEFAULT;
        ngroups++;
      }
    }
    pos = end + 1;
  }
  if (WES_SUCCEEDED(hr) && !have_user) {
    set_err(err, WES_E_INVALID_PARAMETER, 1, "the token list has no user SID");
    hr = WES_E_INVALID_PARAMETER;
  }
  if (WES_SUCCEEDED(hr)) {
    hr = wes_token_new(&user, groups, ngroups, flags, ret, err);
  }
  free(groups);
  return hr;
}

static wes_hresult_t parse_mapping(const char *s, wes_generic_mapping_t *m,
                                   wes_error_t *err) {
  uint32_t v[4];
  size_t pos = 0, i, len = strlen(s);
  if (strcmp(s, "wmi") == 0) {
    *m = *wes_wmi_generic_mapping();
    return WES_S_OK;
  }
  for (i = 0; i < 4; i++) {
    size_t end = pos;
    while (end < len && s[end] != ',') {
      end++;
    }
    if (parse_u32(s + pos, end - pos, &v[i]) != 0 || (i < 3 && end >= len) ||
        (i == 3 && end != len)) {
      set_err(err, WES_E_INVALID_PARAMETER, pos + 1,
              "expected GR,GW,GX,GA: four numbers, or 'wmi'");
      return WES_E_INVALID_PARAMETER;
    }
    pos = end + 1;
  }
  m->generic_read = v[0];
  m->generic_write = v[1];
  m->generic_execute = v[2];
  m->generic_all = v[3];
  return WES_S_OK;
}

int wes_cmd_sddl(int argc, char **argv) {
  const char *sub = NULL, *input = NULL, *domain = NULL, *machine = NULL;
  const char *token_list = NULL, *desired_s = NULL, *mapping_s = NULL;
  wes_sid_t dom, mach;
  wes_sid_scope_t scope = {NULL, NULL, NULL};
  wes_error_t err;
  wes_hresult_t hr;
  wes_sd_t *sd = NULL;
  int i, rc = WES_EXIT_OK;
  for (i = 1; i < argc; i++) {
    if (wes_tool_is_help(argv[i])) {
      usage(stdout);
      return WES_EXIT_OK;
    } else if (strcmp(argv[i], "--domain") == 0 && i + 1 < argc) {
      domain = argv[++i];
    } else if (strcmp(argv[i], "--machine") == 0 && i + 1 < argc) {
      machine = argv[++i];
    } else if (strcmp(argv[i], "--token") == 0 && i + 1 < argc) {
      token_list = argv[++i];
    } else if (strcmp(argv[i], "--desired") == 0 && i + 1 < argc) {
      desired_s = argv[++i];
    } else if (strcmp(argv[i], "--mapping") == 0 && i + 1 < argc) {
      mapping_s = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1] == '-') {
      fprintf(stderr, "wes sddl: unknown option or missing value '%s'\n",
              argv[i]);
      return WES_EXIT_USAGE;
    } else if (sub == NULL) {
      sub = argv[i];
    } else if (input == NULL) {
      input = argv[i];
    } else {
      fprintf(stderr, "wes sddl: unexpected argument '%s'\n", argv[i]);
      return WES_EXIT_USAGE;
    }
  }
  if (sub == NULL || input == NULL ||
      (strcmp(sub, "canon") != 0 && strcmp(sub, "hex") != 0 &&
       strcmp(sub, "from-hex") != 0 && strcmp(sub, "access") != 0)) {
    usage(stderr);
    return WES_EXIT_USAGE;
  }
  if (strcmp(sub, "access") == 0) {
    if (token_list == NULL || desired_s == NULL) {
      fprintf(stderr, "wes sddl access: --token and --desired are needed\n");
      return WES_EXIT_USAGE;
    }
  } else if (token_list != NULL || desired_s != NULL || mapping_s != NULL) {
    fprintf(stderr,
            "wes sddl %s: --token/--desired/--mapping belong to "
            "'access'\n",
            sub);
    return WES_EXIT_USAGE;
  }
  wes_error_clear(&err);
  if (domain != NULL) {
    hr = wes_sid_parse(domain, NULL, &dom, &err);
    if (WES_FAILED(hr)) {
      report("--domain", hr, &err);
      return WES_EXIT_ERROR;
    }
    scope.domain = &dom;
  }
  if (machine != NULL) {
    hr = wes_sid_parse(machine, NULL, &mach, &err);
    if (WES_FAILED(hr)) {
      report("--machine", hr, &err);
      return WES_EXIT_ERROR;
    }
    scope.machine = &mach;
  }
  if (strcmp(sub, "from-hex") == 0) {
    size_t len = 0;
    unsigned char *bytes = wes_tool_hex_decode(input, &len, &err);
    if (bytes == NULL) {
      report(NULL, err.code, &err);
      return WES_EXIT_ERROR;
    }
    hr = wes_sd_from_binary(bytes, len, &sd, &err);
    free(bytes);
    if (WES_FAILED(hr) && err.column > 0) {
      err.column = 2 * err.column - 1; /* byte offset -> hex column */
    }
  } else {
    hr = wes_sd_from_sddl(input, &scope, &sd, &err);
  }
  if (WES_FAILED(hr)) {
    report(NULL, hr, &err);
    return WES_EXIT_ERROR;
  }
  if (strcmp(sub, "canon") == 0 || strcmp(sub, "from-hex") == 0) {
    char *text = NULL;
    hr = wes_sd_to_sddl(sd, &scope, &text, &err);
    if (WES_FAILED(hr)) {
      report(NULL, hr, &err);
      rc = WES_EXIT_ERROR;
    } else {
      printf("%s\n", text);
      wes_free(text);
    }
  } else if (strcmp(sub, "hex") == 0) {
    uint8_t *bytes = NULL;
    size_t len = 0, k;
    hr = wes_sd_to_binary(sd, &bytes, &len, &err);
    if (WES_FAILED(hr)) {
      report(NULL, hr, &err);
      rc = WES_EXIT_ERROR;
    } else {
      for (k = 0; k < len; k++) {
        printf("%02x", bytes[k]);
      }
      printf("\n");
      wes_free(bytes);
    }
  } else {
    wes_token_t *tok = NULL;
    wes_generic_mapping_t map;
    uint32_t desired = 0, granted = 0;
    if (parse_u32(desired_s, strlen(desired_s), &desired) != 0) {
      set_err(&err, WES_E_INVALID_PARAMETER, 1,
              "expected a 32-bit number (0x hex or decimal)");
      report("--desired", WES_E_INVALID_PARAMETER, &err);
      wes_sd_unref(sd);
      return WES_EXIT_ERROR;
    }
    if (mapping_s != NULL) {
      hr = parse_mapping(mapping_s, &map, &err);
      if (WES_FAILED(hr)) {
        report("--mapping", hr, &err);
        wes_sd_unref(sd);
        return WES_EXIT_ERROR;
      }
    }
    hr = parse_token(token_list, &scope, &tok, &err);
    if (WES_FAILED(hr)) {
      report("--token", hr, &err);
      wes_sd_unref(sd);
      return WES_EXIT_ERROR;
    }
    wes_error_clear(&err);
    hr = wes_access_check(sd, tok, desired, mapping_s != NULL ? &map : NULL,
                          &granted, &err);
    if (hr == WES_S_OK) {
      printf("granted 0x%08X\n", (unsigned)granted);
    } else if (hr == WES_E_ACCESS_DENIED || hr == WES_E_PRIVILEGE_NOT_HELD) {
      printf("denied\n");
    } else {
      report(NULL, hr, &err);
      rc = WES_EXIT_ERROR;
    }
    wes_token_unref(tok);
  }
  wes_sd_unref(sd);
  return rc;
}
