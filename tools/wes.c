/* SPDX-License-Identifier: MIT */
/* The wes program: a command-line front end to libwes. */
#include <stdio.h>
#include <string.h>

#include "wes_tool.h"

typedef struct {
  const char *name;
  wes_tool_cmd_fn fn;
  const char *summary;
} command_t;

static const command_t commands[] = {
#ifdef WES_HAVE_CMD_MOF
    {"mof", wes_cmd_mof,
     "mof check FILE...      compile MOF files, list classes"},
#endif
#ifdef WES_HAVE_CMD_CLASS
    {"class", wes_cmd_class,
     "class show NAME        show a class as MOF\n"
     "  class list             list the classes with their superclasses"},
#endif
#ifdef WES_HAVE_CMD_OBJECT
    {"object", wes_cmd_object, "object render          JSON event -> MOF text"},
#endif
#ifdef WES_HAVE_CMD_QUERY
    {"query", wes_cmd_query, "query parse|check|explain|eval  WQL queries"},
#endif
#ifdef WES_HAVE_CMD_SID
    {"sid", wes_cmd_sid,
     "sid SID|ALIAS          canonical SID text\n"
     "  sid --from-hex HEX     canonical text of a binary SID"},
#endif
#ifdef WES_HAVE_CMD_SDDL
    {"sddl", wes_cmd_sddl,
     "sddl canon|hex|from-hex|access  security descriptors"},
#endif
#ifdef WES_HAVE_CMD_WATCH
    {"watch", wes_cmd_watch,
     "watch 'WQL'            print events as they arrive"},
#endif
    {NULL, NULL, NULL},
};

static void usage(FILE *out) {
  size_t i;
  fprintf(out, "usage: wes COMMAND [ARGS...]\n\ncommands:\n");
  fprintf(out, "  version                print the library version\n");
  for (i = 0; commands[i].name != NULL; i++) {
    fprintf(out, "  %s\n", commands[i].summary);
  }
  fprintf(out, "\n`wes COMMAND --help` describes a command.\n"
               "Exit status: 0 success, 1 reported error, 2 usage error.\n");
}

int main(int argc, char **argv) {
  size_t i;
  if (argc < 2) {
    usage(stderr);
    return WES_EXIT_USAGE;
  }
  if (wes_tool_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return WES_EXIT_OK;
  }
  if (strcmp(argv[1], "version") == 0) {
    if (argc > 2 && wes_tool_is_help(argv[2])) {
      printf("usage: wes version\n\nPrints the version of libwes.\n");
      return WES_EXIT_OK;
    }
    if (argc > 2) {
      fprintf(stderr, "wes version: unexpected argument '%s'\n", argv[2]);
      return WES_EXIT_USAGE;
    }
    printf("wes %s\n", wes_version_string());
    return WES_EXIT_OK;
  }
  for (i = 0; commands[i].name != NULL; i++) {
    if (strcmp(argv[1], commands[i].name) == 0) {
      return commands[i].fn(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "wes: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return WES_EXIT_USAGE;
}
