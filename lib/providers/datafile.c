/* SPDX-License-Identifier: MIT */
/*
 * The built-in CIM_DataFile event provider: creation, modification (with
 * PreviousInstance) and deletion events of regular files, pushed from
 * libuv file-system watchers (inotify on Linux). It uses only the public
 * API. Which directories to watch comes from the subscriptions it is told
 * about (new_query); a query that does not name a directory or a file is
 * refused with WBEM_E_PROVIDER_NOT_CAPABLE.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "internal.h"
#include "uthash_cfg.h"
#include "wes/broker.h"
#include "wes/datetime.h"
#include "wes/mof.h"
#include "wes/query.h"

#define DATAFILE_MOF                                                           \
  "class CIM_LogicalFile {\n"                                                  \
  "  [key] string Name; string Caption; string Description;\n"                 \
  "  string Status; string CSCreationClassName; string CSName;\n"              \
  "  string FSCreationClassName; string FSName; string CreationClassName;\n"   \
  "  string Drive; string Path; string FileName; string Extension;\n"          \
  "  string FileType; string EightDotThreeFileName; uint64 FileSize;\n"        \
  "  uint64 InUseCount; datetime CreationDate; datetime LastAccessed;\n"       \
  "  datetime LastModified; datetime InstallDate; boolean Archive;\n"          \
  "  boolean Compressed; string CompressionMethod; boolean Encrypted;\n"       \
  "  string EncryptionMethod; boolean Hidden; boolean Readable;\n"             \
  "  boolean System; boolean Writeable;\n"                                     \
  "};\n"                                                                       \
  "class CIM_DataFile : CIM_LogicalFile {\n"                                   \
  "  string Manufacturer; string Version;\n"                                   \
  "};\n"

#define REG_QUERY                                                              \
  "SELECT * FROM __InstanceOperationEvent WHERE TargetInstance ISA "           \
  "'CIM_DataFile'"

typedef struct known_s {
  char *name; /* file name inside the directory */
  UT_hash_handle hh;
  wes_object_t *inst;
  uint64_t size;
  int64_t mtime_ns;
  int64_t ctime_ns;
} known_t;

typedef struct watch_s {
  struct watch_s *next;
  struct wes_datafile_provider_s *dp;
  char *dir; /* with trailing '/' */
  uv_fs_event_t h;
  int started;
  int refs; /* queries using it (under dp->lock) */
  int closing;
  known_t *known; /* loop thread only */
} watch_t;

typedef struct dq_s {
  struct dq_s *next;
  uint32_t id;
  char **dirs;
  size_t ndirs;
} dq_t;

struct wes_datafile_provider_s {
  wes_broker_t *b;
  uv_loop_t *loop;
  wes_namespace_t *ns;
  wes_provider_t *reg;
  uv_mutex_t lock;
  wes_sink_t *sink; /* from provide_events */
  dq_t *queries;    /* under lock */
  watch_t *watches; /* loop thread (list), refs under lock */
  uv_async_t async;
  uv_thread_t loop_thread;
  int handles;
  int closing;
};

/* ---- building instances ---- */

static void set_dt(wes_object_t *o, const char *prop, int64_t us) {
  wes_datetime_t dt;
  char buf[32];
  if (WES_SUCCEEDED(wes_datetime_from_unix_us(us, 0, &dt)) &&
      WES_SUCCEEDED(wes_datetime_format(&dt, buf, sizeof(buf)))) {
    wes_object_set_datetime(o, prop, buf);
  }
}

static wes_object_t *make_instance(wes_datafile_provider_t *dp, const char *dir,
                                   const char *file, const uv_stat_t *st) {
  wes_object_t *o = NULL;
  char *full;
  const char *dot;
  size_t dl = strlen(dir), fl = strlen(file);
  char host[256];
  if (WES_FAILED(wes_object_new_by_name(dp->ns, "CIM_DataFile", &o))) {
    return NULL;
  }
  full = wes__malloc(dl + fl + 1);
  if (full == NULL) {
    wes_object_unref(o);
    return NULL;
  }
  memcpy(full, dir, dl);
  memcpy(full + dl, file, fl + 1);
  wes_object_set_string(o, "Name", full);
  wes_object_set_string(o, "Caption", full);
  wes_object_set_string(o, "Description", full);
  wes_object_set_string(o, "Path", dir);
  wes_object_set_string(o, "Drive", "");
  dot = strrchr(file, '.');
  if (dot != NULL && dot != file) {
    char *base = wes__strndup(file, (size_t)(dot - file));
    if (base != NULL) {
      wes_object_set_string(o, "FileName", base);
      wes__free(base);
    }
    wes_object_set_string(o, "Extension", dot + 1);
    wes_object_set_string(o, "FileType", dot + 1);
  } else {
    wes_object_set_string(o, "FileName", file);
    wes_object_set_string(o, "Extension", "");
    wes_object_set_string(o, "FileType", "File");
  }
  wes_object_set_string(o, "CreationClassName", "CIM_LogicalFile");
  wes_object_set_string(o, "CSCreationClassName", "Win32_ComputerSystem");
  wes_object_set_string(o, "FSCreationClassName", "Win32_FileSystem");
  if (gethostname(host, sizeof(host)) == 0) {
    host[sizeof(host) - 1] = '\0';
    wes_object_set_string(o, "CSName", host);
  }
  wes_object_set_string(o, "Status", "OK");
  wes_object_set_boolean(o, "Hidden", file[0] == '.');
  wes_object_set_boolean(o, "System", 0);
  wes_object_set_boolean(o, "Archive", 0);
  wes_object_set_boolean(o, "Compressed", 0);
  wes_object_set_boolean(o, "Encrypted", 0);
  if (st != NULL) {
    wes_object_set_uint64(o, "FileSize", st->st_size);
    set_dt(o, "LastModified",
           (int64_t)st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000);
    set_dt(o, "LastAccessed",
           (int64_t)st->st_atim.tv_sec * 1000000 + st->st_atim.tv_nsec / 1000);
    set_dt(o, "CreationDate",
           (int64_t)st->st_ctim.tv_sec * 1000000 + st->st_ctim.tv_nsec / 1000);
    wes_object_set_boolean(o, "Readable", access(full, R_OK) == 0);
    wes_object_set_boolean(o, "Writeable", access(full, W_OK) == 0);
  }
  wes__free(full);
  wes_object_freeze(o);
  return o;
}

static void emit(wes_datafile_provider_t *dp, const char *cls,
                 wes_object_t *target, wes_object_t *previous) {
  wes_object_t *ev = NULL;
  wes_sink_t *sink;
  uv_mutex_lock(&dp->lock);
  sink = wes_sink_ref(dp->sink);
  uv_mutex_unlock(&dp->lock);
  if (sink == NULL) {
    return;
  }
  if (WES_SUCCEEDED(wes_object_new_by_name(dp->ns, cls, &ev))) {
    wes_object_set_object(ev, "TargetInstance", target);
    if (previous != NULL) {
      wes_object_set_object(ev, "PreviousInstance", previous);
    }
    wes_sink_indicate(sink, &ev, 1);
    wes_object_unref(ev);
  }
  wes_sink_unref(sink);
}

/* ---- watching ---- */

static int stat_file(const char *dir, const char *file, uv_stat_t *st) {
  char path[4096];
  struct stat s;
  int n = snprintf(path, sizeof(path), "%s%s", dir, file);
  if (n < 0 || (size_t)n >= sizeof(path) || lstat(path, &s) != 0 ||
      !S_ISREG(s.st_mode)) {
    return -1;
  }
  memset(st, 0, sizeof(*st));
  st->st_size = (uint64_t)s.st_size;
  st->st_mtim.tv_sec = s.st_mtim.tv_sec;
  st->st_mtim.tv_nsec = s.st_mtim.tv_nsec;
  st->st_atim.tv_sec = s.st_atim.tv_sec;
  st->st_atim.tv_nsec = s.st_atim.tv_nsec;
  st->st_ctim.tv_sec = s.st_ctim.tv_sec;
  st->st_ctim.tv_nsec = s.st_ctim.tv_nsec;
  return 0;
}

static void known_free(known_t *k) {
  wes_object_unref(k->inst);
  wes__free(k->name);
  wes__free(k);
}

static known_t *known_set(watch_t *w, const char *file, const uv_stat_t *st) {
  known_t *k = NULL;
  HASH_FIND_STR(w->known, file, k);
  if (k == NULL) {
    k = wes__calloc(1, sizeof(*k));
    if (k == NULL || (k->name = wes__strdup(file)) == NULL) {
      wes__free(k);
      return NULL;
    }
    wes__uthash_oom = 0;
    HASH_ADD_KEYPTR(hh, w->known, k->name, strlen(k->name), k);
    if (wes__uthash_oom) {
      known_free(k);
      return NULL;
    }
  }
  k->size = st->st_size;
  k->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
  k->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
  return k;
}

static void on_fs_event(uv_fs_event_t *h, const char *filename, int events,
                        int status) {
  watch_t *w = h->data;
  wes_datafile_provider_t *dp = w->dp;
  known_t *k = NULL;
  uv_stat_t st;
  (void)events;
  if (status < 0 || filename == NULL || w->closing) {
    return;
  }
  HASH_FIND_STR(w->known, filename, k);
  if (stat_file(w->dir, filename, &st) == 0) {
    wes_object_t *inst = make_instance(dp, w->dir, filename, &st);
    if (inst == NULL) {
      return;
    }
    if (k == NULL) {
      k = known_set(w, filename, &st);
      if (k != NULL) {
        k->inst = wes_object_ref(inst);
      }
      emit(dp, "__InstanceCreationEvent", inst, NULL);
    } else {
      int64_t m = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
      int64_t c = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
      if (m != k->mtime_ns || c != k->ctime_ns || st.st_size != k->size) {
        wes_object_t *prev = k->inst;
        k->inst = wes_object_ref(inst);
        known_set(w, filename, &st);
        emit(dp, "__InstanceModificationEvent", inst, prev);
        wes_object_unref(prev);
      }
    }
    wes_object_unref(inst);
  } else if (k != NULL) {
    HASH_DEL(w->known, k);
    if (k->inst != NULL) {
      emit(dp, "__InstanceDeletionEvent", k->inst, NULL);
    }
    known_free(k);
  }
}

static void seed(watch_t *w) {
  uv_fs_t req;
  uv_dirent_t ent;
  if (uv_fs_scandir(NULL, &req, w->dir, 0, NULL) < 0) {
    uv_fs_req_cleanup(&req);
    return;
  }
  while (uv_fs_scandir_next(&req, &ent) != UV_EOF) {
    uv_stat_t st;
    if (stat_file(w->dir, ent.name, &st) == 0) {
      known_t *k = known_set(w, ent.name, &st);
      if (k != NULL) {
        k->inst = make_instance(w->dp, w->dir, ent.name, &st);
      }
    }
  }
  uv_fs_req_cleanup(&req);
}

static void watch_closed(uv_handle_t *h) {
  watch_t *w = h->data;
  wes_datafile_provider_t *dp = w->dp;
  known_t *k, *tmp;
  HASH_ITER(hh, w->known, k, tmp) {
    HASH_DEL(w->known, k);
    known_free(k);
  }
  wes__free(w->dir);
  wes__free(w);
  if (--dp->handles == 0 && dp->closing) {
    uv_mutex_destroy(&dp->lock);
    wes__free(dp);
  }
}

/* Reconciles watchers with the queries (loop thread). */
static void reconcile(wes_datafile_provider_t *dp) {
  watch_t **pw, *w;
  dq_t *q;
  size_t i;
  uv_mutex_lock(&dp->lock);
  for (w = dp->watches; w != NULL; w = w->next) {
    w->refs = 0;
  }
  for (q = dp->closing ? NULL : dp->queries; q != NULL; q = q->next) {
    for (i = 0; i < q->ndirs; i++) {
      for (w = dp->watches; w != NULL; w = w->next) {
        if (strcmp(w->dir, q->dirs[i]) == 0) {
          break;
        }
      }
      if (w == NULL) {
        int r;
        size_t len;
        w = wes__calloc(1, sizeof(*w));
        if (w == NULL || (w->dir = wes__strdup(q->dirs[i])) == NULL) {
          wes__free(w);
          continue;
        }
        w->dp = dp;
        uv_fs_event_init(dp->loop, &w->h);
        w->h.data = w;
        dp->handles++;
        len = strlen(w->dir);
        w->dir[len - 1] = '\0'; /* watch "/dir", not "/dir/" */
        r = uv_fs_event_start(&w->h, on_fs_event, w->dir, 0);
        w->dir[len - 1] = '/';
        if (r != 0) {
          wes__log(WES_LOG_WARNING, "datafile", "cannot watch %s: %s", w->dir,
                   uv_strerror(r));
        } else {
          w->started = 1;
          seed(w);
        }
        w->next = dp->watches;
        dp->watches = w;
      }
      w->refs++;
    }
  }
  pw = &dp->watches;
  while ((w = *pw) != NULL) {
    if (w->refs == 0) {
      *pw = w->next;
      w->closing = 1;
      if (w->started) {
        uv_fs_event_stop(&w->h);
      }
      uv_close((uv_handle_t *)&w->h, watch_closed);
    } else {
      pw = &w->next;
    }
  }
  uv_mutex_unlock(&dp->lock);
}

static void async_cb(uv_async_t *a) { reconcile(a->data); }

static void changed(wes_datafile_provider_t *dp) {
  uv_thread_t me = uv_thread_self();
  if (uv_thread_equal(&me, &dp->loop_thread)) {
    reconcile(dp);
  } else {
    uv_async_send(&dp->async);
  }
}

/* ---- the provider ops ---- */

static wes_hresult_t df_provide(void *data, wes_sink_t *sink, int32_t f) {
  wes_datafile_provider_t *dp = data;
  (void)f;
  uv_mutex_lock(&dp->lock);
  wes_sink_unref(dp->sink);
  dp->sink = wes_sink_ref(sink);
  uv_mutex_unlock(&dp->lock);
  return WES_S_OK;
}

static const char *last_comp(const char *path) {
  const char *d = strrchr(path, '.');
  return d != NULL ? d + 1 : path;
}

/* Directories a query asks for; -1 when some OR-branch names none. */
static int query_dirs(const wes_query_t *q, char ***ret, size_t *ret_n,
                      char *why, size_t whylen) {
  size_t nconj = 0, i, j;
  char **dirs = NULL;
  size_t n = 0;
  if (WES_FAILED(wes_query_dnf_count(q, &nconj))) {
    snprintf(why, whylen, "the WHERE clause is too complex");
    return -1;
  }
  for (i = 0; i < nconj; i++) {
    char *dir = NULL;
    for (j = 0; j < wes_query_dnf_size(q, i) && dir == NULL; j++) {
      const wes_query_pred_t *p = wes_query_dnf_pred(q, i, j);
      const char *prop;
      size_t len;
      if (p == NULL || p->op != WES_QUERY_OP_EQ || p->value.is_null ||
          p->value.type != WES_CIM_STRING ||
          wes__strncasecmp(p->path, "TargetInstance.", 15) != 0) {
        continue;
      }
      prop = last_comp(p->path);
      len = strlen(p->value.u.str);
      if (wes__strcasecmp(prop, "Path") == 0 && len > 1 &&
          p->value.u.str[0] == '/' && p->value.u.str[len - 1] == '/') {
        dir = wes__strdup(p->value.u.str);
      } else if (wes__strcasecmp(prop, "Name") == 0 && len > 1 &&
                 p->value.u.str[0] == '/' && p->value.u.str[len - 1] != '/') {
        const char *slash = strrchr(p->value.u.str, '/');
        dir =
            wes__strndup(p->value.u.str, (size_t)(slash - p->value.u.str) + 1);
      }
    }
    if (dir == NULL) {
      snprintf(why, whylen,
               "add TargetInstance.Path = '/dir/' (a directory with its "
               "trailing '/') or TargetInstance.Name = '/dir/file' to %s "
               "WHERE branch",
               nconj > 1 ? "every OR" : "the");
      for (j = 0; j < n; j++) {
        wes__free(dirs[j]);
      }
      wes__free(dirs);
      return -1;
    }
    {
      char **nd = wes__realloc(dirs, (n + 1) * sizeof(*nd));
      if (nd == NULL) {
        wes__free(dir);
        for (j = 0; j < n; j++) {
          wes__free(dirs[j]);
        }
        wes__free(dirs);
        snprintf(why, whylen, "out of memory");
        return -1;
      }
      dirs = nd;
      dirs[n++] = dir;
    }
  }
  *ret = dirs;
  *ret_n = n;
  return 0;
}

static wes_hresult_t df_new_query(void *data, uint32_t id, const char *lang,
                                  const char *text) {
  wes_datafile_provider_t *dp = data;
  wes_query_t *q = NULL;
  char why[200];
  char **dirs = NULL;
  size_t n = 0, i;
  dq_t *dq;
  wes_error_t err;
  wes_hresult_t hr;
  (void)lang;
  wes_error_clear(&err);
  hr = wes_query_compile(dp->ns, text, 0, &q, &err);
  if (WES_FAILED(hr)) {
    wes__log(WES_LOG_WARNING, "datafile",
             "CIM_DataFile provider cannot serve \"%s\": it does not "
             "compile (%s: %s); subscribe with SELECT * FROM "
             "__InstanceOperationEvent (or a subclass) WHERE TargetInstance "
             "ISA 'CIM_DataFile' AND TargetInstance.Path = '/dir/' (a "
             "directory with its trailing '/') or TargetInstance.Name = "
             "'/dir/file'",
             text, wes_err_name(hr), err.text);
    return hr == WES_E_OUT_OF_MEMORY ? hr : WES_E_PROVIDER_NOT_CAPABLE;
  }
  if (query_dirs(q, &dirs, &n, why, sizeof(why)) != 0) {
    wes__log(WES_LOG_WARNING, "datafile",
             "CIM_DataFile provider cannot serve \"%s\": %s", text, why);
    wes_query_unref(q);
    return WES_E_PROVIDER_NOT_CAPABLE;
  }
  wes_query_unref(q);
  for (i = 0; i < n; i++) {
    struct stat s;
    if (stat(dirs[i], &s) != 0 || !S_ISDIR(s.st_mode)) {
      wes__log(WES_LOG_WARNING, "datafile",
               "CIM_DataFile provider: %s is not a directory", dirs[i]);
      for (i = 0; i < n; i++) {
        wes__free(dirs[i]);
      }
      wes__free(dirs);
      return WES_E_PROVIDER_NOT_CAPABLE;
    }
  }
  dq = wes__calloc(1, sizeof(*dq));
  if (dq == NULL) {
    for (i = 0; i < n; i++) {
      wes__free(dirs[i]);
    }
    wes__free(dirs);
    return WES_E_OUT_OF_MEMORY;
  }
  dq->id = id;
  dq->dirs = dirs;
  dq->ndirs = n;
  uv_mutex_lock(&dp->lock);
  dq->next = dp->queries;
  dp->queries = dq;
  uv_mutex_unlock(&dp->lock);
  changed(dp);
  return WES_S_OK;
}

static void dq_free(dq_t *q) {
  size_t i;
  for (i = 0; i < q->ndirs; i++) {
    wes__free(q->dirs[i]);
  }
  wes__free(q->dirs);
  wes__free(q);
}

static wes_hresult_t df_cancel_query(void *data, uint32_t id) {
  wes_datafile_provider_t *dp = data;
  dq_t **pq, *q;
  int found = 0;
  uv_mutex_lock(&dp->lock);
  for (pq = &dp->queries; (q = *pq) != NULL;) {
    if (q->id == id) {
      *pq = q->next;
      dq_free(q);
      found = 1;
    } else {
      pq = &q->next;
    }
  }
  uv_mutex_unlock(&dp->lock);
  if (found && !dp->closing) {
    changed(dp);
  }
  return WES_S_OK;
}

static const wes_provider_ops_t df_ops = {WES_PROVIDER_OPS_VERSION_1,
                                          df_provide, df_new_query,
                                          df_cancel_query, NULL};

/* ---- public ---- */

static void async_closed(uv_handle_t *h) {
  wes_datafile_provider_t *dp = h->data;
  if (--dp->handles == 0) {
    uv_mutex_destroy(&dp->lock);
    wes__free(dp);
  }
}

WES_API wes_hresult_t wes_datafile_provider_new(wes_broker_t *broker,
                                                struct uv_loop_s *loop,
                                                const char *ns,
                                                wes_datafile_provider_t **ret,
                                                wes_error_t *reterr) {
  wes_datafile_provider_t *dp;
  wes_namespace_t *nsp;
  wes_hresult_t hr;
  const char *q = REG_QUERY;
  if (broker == NULL || loop == NULL || ns == NULL || ret == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "broker, loop, namespace and ret are required");
  }
  nsp = wes_broker_get_namespace(broker, ns);
  if (nsp == NULL) {
    return wes__error(reterr, WES_E_INVALID_NAMESPACE, 0, 0,
                      "namespace '%s' not found", ns);
  }
  if (wes_namespace_get_class(nsp, "CIM_DataFile") == NULL) {
    hr = wes_mof_compile(nsp, DATAFILE_MOF, strlen(DATAFILE_MOF),
                         "<CIM_DataFile>", NULL, reterr);
    if (WES_FAILED(hr)) {
      return hr;
    }
  }
  dp = wes__calloc(1, sizeof(*dp));
  if (dp == NULL) {
    return wes__error(reterr, WES_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  dp->b = broker;
  dp->loop = loop;
  dp->ns = nsp;
  dp->loop_thread = uv_thread_self();
  uv_mutex_init(&dp->lock);
  if (uv_async_init(loop, &dp->async, async_cb) != 0) {
    uv_mutex_destroy(&dp->lock);
    wes__free(dp);
    return wes__error(reterr, WES_E_FAILED, 0, 0, "uv_async_init failed");
  }
  dp->async.data = dp;
  uv_unref((uv_handle_t *)&dp->async);
  dp->handles = 1;
  hr = wes_broker_register_provider(broker, ns, "wes|CIM_DataFile|1", &q, 1,
                                    &df_ops, dp, &dp->reg, reterr);
  if (WES_FAILED(hr)) {
    dp->closing = 1;
    uv_close((uv_handle_t *)&dp->async, async_closed);
    return hr;
  }
  *ret = dp;
  return WES_S_OK;
}

WES_API void wes_datafile_provider_close(wes_datafile_provider_t *dp) {
  dq_t *q;
  if (dp == NULL) {
    return;
  }
  /* unregister first: no more calls into df_ops after it returns */
  wes_broker_unregister_provider(dp->b, dp->reg);
  uv_mutex_lock(&dp->lock);
  dp->closing = 1;
  while ((q = dp->queries) != NULL) {
    dp->queries = q->next;
    dq_free(q);
  }
  wes_sink_unref(dp->sink);
  dp->sink = NULL;
  uv_mutex_unlock(&dp->lock);
  reconcile(dp); /* closes every watcher */
  uv_close((uv_handle_t *)&dp->async, async_closed);
}
