/* SPDX-License-Identifier: MIT */
/*
 * wql internals: tokens, the syntax tree, the compiled program and the
 * helpers shared by the lexer, parser, printer, checker/compiler,
 * evaluator, LIKE matcher and analysis.
 */
#ifndef WES_WQL_INTERNAL_H
#define WES_WQL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "wes/cim.h"
#include "wes/datetime.h"
#include "wes/query.h"

/* ---- limits (DESIGN 4.22) ---- */
#define WQL_MAX_QUERY 16384    /* bytes of query text */
#define WQL_MAX_IDENT 255      /* bytes of one identifier */
#define WQL_MAX_TERMS 1024     /* predicates in WHERE (and HAVING) */
#define WQL_MAX_DEPTH 64       /* nesting of parentheses and NOT */
#define WQL_MAX_PATH 64        /* components of a dotted property path */
#define WQL_MAX_DNF 256        /* disjuncts kept in the DNF */
#define WQL_MAX_DNF_PREDS 4096 /* predicates over all DNF disjuncts */
#define WQL_MIN_WITHIN 0.01    /* seconds */

/* ---- arena: every allocation of one query lives until the query dies ---- */
typedef struct wql_chunk_s wql_chunk_t;
typedef struct wql_arena_s {
  wql_chunk_t *head;
} wql_arena_t;

void *wes__wql_alloc(wql_arena_t *a, size_t size); /* zeroed; NULL on OOM */
/* Bytes handed out so far (rounded as allocated): what a reservation for
 * the same allocations needs. */
size_t wes__wql_arena_used(const wql_arena_t *a);
/* Adds one empty chunk of `size` bytes (as measured by wes__wql_arena_used
 * on an arena that made the same allocations); false on OOM. Later
 * allocations use it first and only grow the arena when it runs out. */
bool wes__wql_arena_reserve(wql_arena_t *a, size_t size);
char *wes__wql_strndup(wql_arena_t *a, const char *s, size_t n);
void wes__wql_arena_free(wql_arena_t *a);

/* ---- tokens ---- */
typedef enum wql_tok_e {
  TK_EOF = 0,
  TK_IDENT,
  TK_STRING,
  TK_INT,
  TK_REAL,
  TK_LPAREN,
  TK_RPAREN,
  TK_COMMA,
  TK_DOT,
  TK_STAR,
  TK_SEMI,
  TK_EQ,
  TK_NE,
  TK_LT,
  TK_GT,
  TK_LE,
  TK_GE,
  /* keywords */
  TK_SELECT,
  TK_FROM,
  TK_WHERE,
  TK_WITHIN,
  TK_GROUP,
  TK_BY,
  TK_HAVING,
  TK_AND,
  TK_OR,
  TK_NOT,
  TK_LIKE,
  TK_ISA,
  TK_IS,
  TK_NULL,
  TK_TRUE,
  TK_FALSE
} wql_tok_t;

typedef struct wql_token_s {
  wql_tok_t type;
  const char *start; /* into the query text */
  size_t len;        /* bytes of source text */
  uint32_t line, col;
  /* TK_STRING: decoded value (arena); TK_INT/TK_REAL: value */
  char *sval;
  size_t slen;
  int64_t ival;  /* TK_INT when it fits int64 */
  uint64_t uval; /* TK_INT: magnitude when big (> INT64_MAX) */
  int big;       /* TK_INT: value is uval (> INT64_MAX) */
  double rval;   /* TK_INT and TK_REAL */
} wql_token_t;

typedef struct wql_lexer_s {
  const char *src;
  size_t len;
  size_t pos;
  uint32_t line, col;
  wql_arena_t *arena;
  wes_error_t *err;
} wql_lexer_t;

void wes__wql_lex_init(wql_lexer_t *lx, const char *src, size_t len,
                       wql_arena_t *arena, wes_error_t *err);
/* Reads the next token. Returns WES_S_OK or an error (err filled). */
wes_hresult_t wes__wql_lex_next(wql_lexer_t *lx, wql_token_t *tok);
/* Keyword spelling for messages and printing ("SELECT"); NULL for others */
const char *wes__wql_tok_keyword(wql_tok_t t);

/* ---- literals ---- */
#define WQL_LIT_NULL 0
#define WQL_LIT_STRING 1
#define WQL_LIT_INT 2
#define WQL_LIT_REAL 3
#define WQL_LIT_BOOL 4

typedef struct wql_lit_s {
  int kind;
  char *s; /* STRING: decoded; INT/REAL: canonical decimal text */
  size_t slen;
  int64_t i;  /* INT (when !big) */
  uint64_t u; /* INT when big */
  int big;
  double r; /* INT and REAL */
  int b;    /* BOOL */
  const char *dmtf; /* STRING compared with a datetime property: the DMTF
                       text of a reference §11.3 literal (query arena) */
} wql_lit_t;

/* ---- syntax tree ---- */
typedef struct wql_path_s {
  char **names;
  char *text;             /* dotted, as written (names[0] itself when n == 1) */
  struct wql_cpath_s *cp; /* WHERE paths: compiled form, once compiled */
  uint32_t n;             /* components, >= 1 */
  uint32_t line, col;
} wql_path_t;

typedef enum wql_node_kind_e {
  WQL_AND = 1,
  WQL_OR,
  WQL_NOT,
  WQL_CMP,   /* path op literal (never NULL literal) */
  WQL_LIKE,  /* path LIKE string */
  WQL_ISA,   /* path ISA class */
  WQL_ISNULL /* path IS [NOT] NULL (negated = IS NOT NULL) */
} wql_node_kind_t;

/* comparison operators: WMIQ_RPN values */
#define WQL_OP_EQ 1
#define WQL_OP_NE 2
#define WQL_OP_GE 3
#define WQL_OP_LE 4
#define WQL_OP_LT 5
#define WQL_OP_GT 6

typedef struct wql_like_s wql_like_t;

typedef struct wql_node_s {
  wql_node_kind_t kind;
  uint32_t line, col;
  /* AND / OR / NOT */
  struct wql_node_s **kids;
  uint32_t nkids;
  /* predicates */
  wql_path_t *path;
  int op; /* CMP */
  int op_line, op_col;
  wql_lit_t lit; /* CMP: constant; LIKE: pattern (STRING) */
  char *cls;     /* ISA: class name */
  uint32_t cls_line, cls_col;
  int negated; /* ISNULL: IS NOT NULL */
  /* compile results */
  wql_like_t *like;             /* LIKE: compiled pattern */
  const wes_class_t *isa_class; /* ISA: resolved class (checked mode) */
  int pred_id;                  /* index of this predicate in the pred table */
} wql_node_t;

typedef struct wql_ast_s {
  wql_path_t **select;
  char *cls;
  double within;
  wql_node_t *where; /* NULL once compiled (see wes__wql_parse) */
  double group_within;
  wql_path_t **by;
  wql_node_t *having;
  int select_all;
  uint32_t nselect;
  uint32_t cls_line, cls_col;
  int has_within;
  uint32_t within_line, within_col;
  int has_group;
  uint32_t group_line, group_col;
  uint32_t nby;
  uint32_t npreds; /* predicates in WHERE */
} wql_ast_t;

/*
 * Parses `text` (len bytes) into an AST allocated in `arena`. The WHERE
 * tree's structure (nodes, child lists, wql_path_t and their name arrays)
 * goes to `where_arena` when not NULL, everything else (all strings, the
 * select list, GROUP BY, HAVING) to `arena`, so the WHERE tree can be
 * dropped once it is compiled. Returns WES_S_OK or a parse error with
 * position (err filled).
 */
wes_hresult_t wes__wql_parse(const char *text, size_t len, wql_arena_t *arena,
                             wql_arena_t *where_arena, wql_ast_t **ret_ast,
                             wes_error_t *err);

/* Canonical text of an AST (printer). */
void wes__wql_print(const wql_ast_t *ast, wes__buf_t *b);
void wes__wql_print_node(const wql_node_t *n, wes__buf_t *b);
void wes__wql_print_lit(const wql_lit_t *lit, wes__buf_t *b);
void wes__wql_print_string(const char *s, size_t len, wes__buf_t *b);
void wes__wql_print_number(double v, wes__buf_t *b);

/* ---- LIKE ---- */
/*
 * Compiles a LIKE pattern. Returns WES_S_OK, WES_E_INVALID_QUERY
 * (unterminated '[' set: err with line/col), WES_E_OUT_OF_MEMORY.
 */
wes_hresult_t wes__wql_like_compile(wql_arena_t *arena, const char *pat,
                                    size_t len, uint32_t line, uint32_t col,
                                    wql_like_t **ret, wes_error_t *err);
/* Matches s (len bytes) against a compiled pattern; never allocates. */
bool wes__wql_like_match(const wql_like_t *p, const char *s, size_t len);
/* True when the pattern has no wildcard (then it is an equality). */
bool wes__wql_like_is_literal(const wql_like_t *p);

/* ---- compiled constants ---- */
#define WQL_HAVE_INT 0x1u  /* integral: i (or u when big) */
#define WQL_HAVE_REAL 0x2u /* r */
#define WQL_HAVE_BOOL 0x4u /* b */
#define WQL_HAVE_STR 0x8u  /* s, slen */
#define WQL_HAVE_DT 0x10u  /* dt */
#define WQL_HAVE_C16 0x20u /* c16 */
#define WQL_IS_REAL 0x40u  /* the literal was a real: compare as double */

typedef struct wql_cval_s {
  union {
    int64_t i;  /* integral, unless big */
    uint64_t u; /* integral when big (> INT64_MAX) */
  };
  double r;
  const char *s;
  size_t slen;
  const wes_datetime_t *dt; /* arena; only with WQL_HAVE_DT */
  const char *dts; /* arena: DMTF text of a reference §11.3 literal, or NULL
                      (the literal was DMTF itself, or no datetime) */
  uint32_t have;
  int big;
  int b;
  uint16_t c16;
} wql_cval_t;

/* ---- compiled paths ---- */
typedef struct wql_step_s {
  const char *name;    /* component name */
  wes_prop_handle_t h; /* resolved handle: h.cls is the class it belongs
                          to, NULL = dynamic (read by name) */
  int system;          /* a __ system property: read by name */
  int trusted;         /* the evaluator already proved the object at
                          this step is_a h.cls (FROM class, or a
                          dominating top-level ISA) */
} wql_step_t;

typedef struct wql_cpath_s {
  uint32_t n;
  int resolved; /* every step has a class and a slot */
  const char *text;
  wql_step_t steps[]; /* n */
} wql_cpath_t;

/* ---- compiled program (short-circuit branch code) ---- */
#define WQL_I_CMP 1
#define WQL_I_LIKE 2
#define WQL_I_ISA 3
#define WQL_I_ISNULL 4
#define WQL_I_NOTNULL 5

#define WQL_PC_ACCEPT (-1)
#define WQL_PC_REJECT (-2)

/* specialised forms chosen at compile time (checked queries) */
#define WQL_F_GENERIC 0
#define WQL_F_STR_EQ 1 /* string/reference =, constant lower-cased */
#define WQL_F_STR_NE 2
#define WQL_F_UINT 3 /* unsigned integer property, integer constant */
#define WQL_F_SINT 4 /* signed integer property, integer constant */

typedef struct wql_insn_s {
  uint8_t kind;
  uint8_t op;
  uint8_t fast;      /* WQL_F_* */
  uint8_t fast_type; /* the property type the fast form expects */
  uint8_t in_kind;   /* set test (below): 0 none, WQL_F_UINT/SINT/STR_EQ */
  int32_t jt, jf;
  const wql_cpath_t *path;
  /* operands by kind: only the members of `kind` are ever read */
  union {
    struct {
      const wql_cval_t *cv; /* CMP */
      const char *lower;    /* CMP with F_STR_*: lower-cased constant */
    };
    const wql_like_t *like; /* LIKE */
    struct {
      const wes_class_t *isa; /* ISA (NULL: by name) */
      const char *isa_name;
    };
  };
  /* a chain of `p = c1 OR p = c2 ...` folded into one set test (the chain
   * insns stay as the fallback for values of an unexpected type) */
  uint32_t in_n;
  int32_t in_jf;              /* where the chain goes when none hold */
  const uint64_t *in_vals;    /* sorted (UINT/SINT) */
  const char *const *in_strs; /* lower-cased (STR_EQ) */
} wql_insn_t;

/* predicate of the DNF / index keys (public struct + compiled path) */
typedef struct wql_dnf_s {
  size_t nconj;
  size_t *conj_len;
  wes_query_pred_t **conj; /* conj[i][0..conj_len[i]-1] */
} wql_dnf_t;

/* what an intrinsic event query watches (wes_query_target_*) */
typedef struct wql_target_s {
  const char *name;
  const wes_class_t *cls;
} wql_target_t;

typedef struct wql_targets_s {
  const char *prop; /* "TargetInstance" etc. */
  size_t n;         /* >= 1 */
  wql_target_t t[];
} wql_targets_t;

struct wes_query_s {
  wes__refcount_t ref;
  uint8_t kind;    /* WES_QUERY_KIND_* */
  uint8_t checked; /* resolved against a namespace */
  uint8_t dnf_ok;  /* dnf is valid */
  uint32_t nprog;  /* instructions in prog */
  uint32_t nkeys;  /* entries in keys */
  /* one chunk of exactly the size the query needs (wes_query_compile
   * measures it in a first pass): the texts, the AST without its WHERE
   * tree, the program, the DNF, keys and targets */
  wql_arena_t arena;
  char *text;          /* original text */
  const char *canon;   /* canonical text (may be text itself) */
  wes_namespace_t *ns; /* referenced when checked */
  wql_ast_t *ast;
  const wes_class_t *cls; /* FROM class (checked) */
  /* program */
  wql_insn_t *prog;
  /* analysis */
  wql_targets_t *targets; /* NULL when there are none */
  wql_dnf_t dnf;
  wes_query_pred_t *keys; /* may be dnf.conj[0] itself */
  /* GROUP BY compiled paths */
  wql_cpath_t **by;
};

/* value access for the evaluator and analysis */
bool wes__wql_read_path(const wql_cpath_t *p, const wes_object_t *obj,
                        wes_value_t *ret);
bool wes__wql_cmp_value(const wes_value_t *v, int op, const wql_cval_t *cv);
/* Fills cv from a literal. The datetime form (WQL_HAVE_DT, dt; for a
 * reference §11.3 literal also dts) is allocated in `a`, or left out when
 * `a` is NULL. Returns false only when that allocation fails. */
bool wes__wql_cval_from_lit(wql_arena_t *a, const wql_lit_t *lit,
                            wql_cval_t *cv);
/* case-insensitive (ASCII) compare of byte strings */
int wes__wql_ci_cmp(const char *a, size_t alen, const char *b, size_t blen);

bool wes__wql_run(const wes_query_t *q, const wes_object_t *obj);
bool wes__wql_having(const wql_node_t *n, uint32_t count);

/* Parses a WQL date/time literal of reference §11.3 (not DMTF text) into
 * an absolute datetime with an offset (wqldate.c). False when `s` is none
 * of the forms or names an impossible date or time. Pure; never allocates.
 */
bool wes__wql_date_parse(const char *s, size_t len, wes_datetime_t *ret);

/* checker + compiler (check.c) */
wes_hresult_t wes__wql_compile(wes_query_t *q, const wes_namespace_t *ns,
                               wes_error_t *err);
/* analysis (analysis.c) */
wes_hresult_t wes__wql_analyze(wes_query_t *q, wes_error_t *err);

#endif /* WES_WQL_INTERNAL_H */
