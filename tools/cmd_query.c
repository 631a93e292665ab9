/* SPDX-License-Identifier: MIT */
/* `wes query parse|check|explain|eval`: WQL queries from the command line. */
#include <stdlib.h>
#include <string.h>

#include "wes_tool.h"

#define MAX_MOFS 64

typedef struct qargs_s {
  const char *mofs[MAX_MOFS];
  size_t nmofs;
  const char *json;
  const char *text;
  uint32_t flags;
} qargs_t;

static void usage(FILE *out) {
  fprintf(out,
          "usage: wes query parse [--data] 'WQL'\n"
          "       wes query check [--mof FILE]... [--data] 'WQL'\n"
          "       wes query explain [--mof FILE]... [--data] 'WQL'\n"
          "       wes query eval [--mof FILE]... [--data] 'WQL' --json "
          "EVENT.json\n"
          "\n"
          "parse    print the canonical form (syntax and structure only,\n"
          "         no schema)\n"
          "check    also check classes, properties, operators and constants\n"
          "         against the built-in classes plus the MOF files\n"
          "explain  what the compiler made of it: class, ISA targets,\n"
          "         WITHIN, GROUP, DNF, index keys\n"
          "eval     print `match` or `no match` for one event object (JSON\n"
          "         as `wes object` reads it)\n"
          "\n"
          "options:\n"
          "  --mof FILE       compile a MOF file into root\\cimv2 first\n"
          "                   (repeatable)\n"
          "  --data           a plain data query: FROM any class, no\n"
          "                   WITHIN/GROUP\n"
          "  --any-within     accept WITHIN below 0.01 s\n"
          "  --json FILE      the event for eval\n"
          "\n"
          "Errors go to stderr and exit 1: errors in the query as\n"
          "`NAME (0xXXXXXXXX) at LINE:COL: message`; errors in a --mof or\n"
          "--json file (unreadable, bad MOF or JSON) as\n"
          "`FILE:LINE:COL: NAME: message` (0:0 when there is no position).\n"
          "Exit status: 0 success (eval: match or no match), 1 an error was\n"
          "reported, 2 usage error.\n");
}

/* Parses options after the subcommand. Returns 0, or an exit code. */
static int parse_args(const char *sub, int argc, char **argv, qargs_t *a,
                      int allow_mof, int allow_json) {
  int i;
  memset(a, 0, sizeof(*a));
  for (i = 0; i < argc; i++) {
    const char *s = argv[i];
    if (wes_tool_is_help(s)) {
      usage(stdout);
      return -1;
    }
    if (strcmp(s, "--mof") == 0 && allow_mof) {
      if (i + 1 >= argc) {
        fprintf(stderr, "wes query %s: --mof needs a file\n", sub);
        return WES_EXIT_USAGE;
      }
      if (a->nmofs == MAX_MOFS) {
        fprintf(stderr, "wes query %s: too many --mof files\n", sub);
        return WES_EXIT_USAGE;
      }
      a->mofs[a->nmofs++] = argv[++i];
    } else if (strcmp(s, "--json") == 0 && allow_json) {
      if (i + 1 >= argc) {
        fprintf(stderr, "wes query %s: --json needs a file\n", sub);
        return WES_EXIT_USAGE;
      }
      a->json = argv[++i];
    } else if (strcmp(s, "--data") == 0) {
      a->flags |= WES_QUERY_DATA;
    } else if (strcmp(s, "--any-within") == 0) {
      a->flags |= WES_QUERY_ANY_WITHIN;
    } else if (s[0] == '-' && s[1] == '-') {
      fprintf(stderr, "wes query %s: unknown option '%s'\n", sub, s);
      return WES_EXIT_USAGE;
    } else if (a->text == NULL) {
      a->text = s;
    } else {
      fprintf(stderr,
              "wes query %s: unexpected argument '%s' (quote the "
              "query)\n",
              sub, s);
      return WES_EXIT_USAGE;
    }
  }
  if (a->text == NULL) {
    fprintf(stderr, "wes query %s: missing the query text\n", sub);
    return WES_EXIT_USAGE;
  }
  if (allow_json && a->json == NULL) {
    fprintf(stderr, "wes query %s: missing --json EVENT.json\n", sub);
    return WES_EXIT_USAGE;
  }
  return 0;
}

static void print_query_error(wes_hresult_t hr, const wes_error_t *err) {
  fprintf(stderr, "%s (0x%08X) at %u:%u: %s\n", wes_err_name(hr), (unsigned)hr,
          err->line, err->column,
          err->text[0] != '\0' ? err->text : wes_strerror(hr));
}

static int compile(const wes_namespace_t *ns, const qargs_t *a, uint32_t extra,
                   wes_query_t **ret) {
  wes_error_t err;
  wes_hresult_t hr;
  wes_error_clear(&err);
  hr = wes_query_compile(ns, a->text, a->flags | extra, ret, &err);
  if (WES_FAILED(hr)) {
    print_query_error(hr, &err);
    return WES_EXIT_ERROR;
  }
  return WES_EXIT_OK;
}

static void print_string(const char *s) {
  putchar('\'');
  for (; *s != '\0'; s++) {
    if (*s == '\'' || *s == '\\') {
      putchar('\\');
    }
    putchar(*s);
  }
  putchar('\'');
}

static void print_value(const wes_value_t *v) {
  if (v->is_null) {
    fputs("NULL", stdout);
    return;
  }
  switch (v->type) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
    printf("%lld", (long long)v->u.sint);
    break;
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    printf("%llu", (unsigned long long)v->u.uint);
    break;
  case WES_CIM_REAL32:
  case WES_CIM_REAL64:
    printf("%.17g", v->u.real);
    break;
  case WES_CIM_BOOLEAN:
    fputs(v->u.boolean ? "TRUE" : "FALSE", stdout);
    break;
  case WES_CIM_CHAR16:
    printf("char16 %u", (unsigned)v->u.char16);
    break;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    print_string(v->u.str);
    break;
  default:
    fputs("?", stdout);
    break;
  }
}

static const char *op_name(uint32_t op) {
  static const char *const names[] = {
      "?",    "=",   "<>",     ">=",      "<=",          "<",       ">",
      "LIKE", "ISA", "ISNOTA", "IS NULL", "IS NOT NULL", "NOT LIKE"};
  return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

static void print_pred(const wes_query_pred_t *p, int with_type) {
  printf("%s %s", p->path, op_name(p->op));
  if (p->op != WES_QUERY_OP_ISNULL && p->op != WES_QUERY_OP_ISNOTNULL) {
    putchar(' ');
    print_value(&p->value);
  }
  if (with_type && !p->value.is_null) {
    printf(" (%s)", wes_cimtype_name(p->value.type));
  }
}

static void explain(const wes_query_t *q) {
  size_t i, j, n = 0;
  const char *canon = wes_query_canonical(q);
  printf("query:   %s\n", canon);
  printf("kind:    %s%s\n",
         wes_query_kind(q) == WES_QUERY_KIND_EVENT ? "event" : "data",
         wes_query_is_checked(q) ? "" : " (syntax only)");
  printf("class:   %s\n", wes_query_class(q) != NULL
                              ? wes_class_name(wes_query_class(q))
                              : wes_query_class_name(q));
  printf("select:  ");
  if (wes_query_select_all(q)) {
    printf("*\n");
  } else {
    for (i = 0; i < wes_query_select_count(q); i++) {
      printf("%s%s", i > 0 ? ", " : "", wes_query_select_at(q, i));
    }
    putchar('\n');
  }
  if (wes_query_target_count(q) > 0) {
    printf("targets: %s ISA", wes_query_target_property(q));
    for (i = 0; i < wes_query_target_count(q); i++) {
      printf("%s %s", i > 0 ? " |" : "", wes_query_target_name(q, i));
    }
    putchar('\n');
  } else {
    printf("targets: any\n");
  }
  if (wes_query_within(q) > 0) {
    printf("within:  %g s\n", wes_query_within(q));
  } else {
    printf("within:  none\n");
  }
  if (wes_query_group_within(q) > 0) {
    printf("group:   within %g s", wes_query_group_within(q));
    if (wes_query_group_by_count(q) > 0) {
      printf(", by ");
      for (i = 0; i < wes_query_group_by_count(q); i++) {
        printf("%s%s", i > 0 ? ", " : "", wes_query_group_by_at(q, i));
      }
    }
    if (wes_query_has_having(q)) {
      const char *h = NULL, *s = canon;
      while ((s = strstr(s, " HAVING ")) != NULL) {
        h = s + 8;
        s++;
      }
      printf(", having %s", h != NULL ? h : "?");
    }
    putchar('\n');
  } else {
    printf("group:   none\n");
  }
  if (WES_FAILED(wes_query_dnf_count(q, &n))) {
    printf("dnf:     not available (too large: > 256 conjunctions or "
           "> 4096 predicates)\n");
  } else {
    printf("dnf:     %zu conjunction%s\n", n, n == 1 ? "" : "s");
    for (i = 0; i < n; i++) {
      size_t m = wes_query_dnf_size(q, i);
      printf("  [%zu] ", i + 1);
      if (m == 0) {
        printf("TRUE");
      }
      for (j = 0; j < m; j++) {
        if (j > 0) {
          printf(" AND ");
        }
        print_pred(wes_query_dnf_pred(q, i, j), 0);
      }
      putchar('\n');
    }
  }
  printf("keys:    %zu\n", wes_query_key_count(q));
  for (i = 0; i < wes_query_key_count(q); i++) {
    printf("  ");
    print_pred(wes_query_key_at(q, i), 1);
    putchar('\n');
  }
}

static int run(const char *sub, int argc, char **argv) {
  qargs_t a;
  wes_namespace_t *ns = NULL;
  wes_query_t *q = NULL;
  int is_parse = strcmp(sub, "parse") == 0;
  int is_eval = strcmp(sub, "eval") == 0;
  int rc = parse_args(sub, argc, argv, &a, !is_parse, is_eval);
  if (rc != 0) {
    return rc < 0 ? WES_EXIT_OK : rc;
  }
  if (is_parse) {
    rc = compile(NULL, &a, WES_QUERY_SYNTAX_ONLY, &q);
    if (rc == WES_EXIT_OK) {
      printf("%s\n", wes_query_canonical(q));
    }
    wes_query_unref(q);
    return rc;
  }
  rc = wes_tool_load_mofs(a.mofs, a.nmofs, &ns);
  if (rc != WES_EXIT_OK) {
    return rc;
  }
  rc = compile(ns, &a, 0, &q);
  if (rc == WES_EXIT_OK) {
    if (strcmp(sub, "check") == 0) {
      printf("ok: %s\n", wes_query_canonical(q));
    } else if (strcmp(sub, "explain") == 0) {
      explain(q);
    } else {
      size_t len = 0;
      char *text = wes_tool_read_file(a.json, &len);
      wes_object_t *obj = NULL;
      if (text == NULL) {
        rc = WES_EXIT_ERROR;
      } else {
        wes_error_t err;
        wes_hresult_t hr;
        wes_error_clear(&err);
        hr = wes_object_from_json(ns, text, len, &obj, &err);
        if (WES_FAILED(hr)) {
          wes_tool_print_error(a.json, hr, &err);
          rc = WES_EXIT_ERROR;
        } else {
          wes_object_freeze(obj);
          printf("%s\n", wes_query_match(q, obj) ? "match" : "no match");
          wes_object_unref(obj);
        }
        free(text);
      }
    }
  }
  wes_query_unref(q);
  wes_namespace_unref(ns);
  return rc;
}

int wes_cmd_query(int argc, char **argv) {
  const char *sub;
  if (argc < 2) {
    usage(stderr);
    return WES_EXIT_USAGE;
  }
  sub = argv[1];
  if (wes_tool_is_help(sub) || strcmp(sub, "help") == 0) {
    usage(stdout);
    return WES_EXIT_OK;
  }
  if (strcmp(sub, "parse") == 0 || strcmp(sub, "check") == 0 ||
      strcmp(sub, "explain") == 0 || strcmp(sub, "eval") == 0) {
    return run(sub, argc - 2, argv + 2);
  }
  fprintf(stderr, "wes query: unknown subcommand '%s'\n\n", sub);
  usage(stderr);
  return WES_EXIT_USAGE;
}
