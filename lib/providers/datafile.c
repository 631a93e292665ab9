/* SPDX-License-Identifier: MIT */
/*
 * The built-in CIM_DataFile event provider: creation, modification (with
 * PreviousInstance) and deletion events of regular files, pushed from
 * libuv file-system watchers (inotify on Linux). It uses only the public
 * API. Which directories to watch comes from the subscriptions it is told
 * about (new_query); a query that does not name a directory or a file is
 * refused with WBEM_E_PROVIDER_NOT_CAPABLE and a message (in new_query's
 * reterr, which the broker hands to the subscriber) saying what to add.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) ||     \
    defined(__DragonFly__)
#include <sys/mount.h>
#include <sys/param.h>
#define DF_STATFS_TYPENAME 1
#elif defined(__NetBSD__)
#include <sys/statvfs.h>
#define DF_STATVFS_TYPENAME 1
#elif defined(__linux__)
#define DF_PROC_MOUNTS 1
#endif

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

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
  char *fsname; /* file system type of dir's mount, or NULL */
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
                                   const char *fsname, const char *file,
                                   const uv_stat_t *st) {
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
  if (fsname != NULL) {
    wes_object_set_string(o, "FSName", fsname);
  }
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

/* ---- the file system type (FSName) ---- */

#ifdef DF_PROC_MOUNTS
/* Decodes the octal escapes (\040 space, \011 tab, \012 newline, \134
 * backslash) the kernel writes in mount points, in place. */
static void unescape_mount(char *s) {
  char *out = s;
  while (*s != '\0') {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
        s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
      *out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
      s += 4;
    } else {
      *out++ = *s++;
    }
  }
  *out = '\0';
}

/* Length of mount point `mnt` when it contains `path`, else -1. */
static long mount_prefix(const char *mnt, const char *path) {
  size_t n = strlen(mnt);
  while (n > 1 && mnt[n - 1] == '/') {
    n--;
  }
  if (n == 1 && mnt[0] == '/') {
    return 1;
  }
  if (strncmp(mnt, path, n) == 0 && (path[n] == '/' || path[n] == '\0')) {
    return (long)n;
  }
  return -1;
}

/* Splits the next space-separated field off *p ("" at the end). */
static char *next_field(char **p) {
  char *s = *p, *e;
  while (*s == ' ') {
    s++;
  }
  e = s;
  while (*e != '\0' && *e != ' ' && *e != '\n') {
    e++;
  }
  if (*e != '\0') {
    *e++ = '\0';
  }
  *p = e;
  return s;
}

/* The type of the mount holding `path` from a mount table: `info` 1 for
 * /proc/self/mountinfo ("id parent maj:min root MOUNTPOINT opts [tags] -
 * TYPE source superopts"), 0 for /proc/self/mounts ("source MOUNTPOINT
 * TYPE opts 0 0"). The longest mount point that contains the path wins;
 * among equal ones the last (the mount on top). Lines that do not fit in
 * the buffer are skipped. Returns 0 when the table could be read. */
static int scan_mounts(const char *table, int info, const char *path,
                       char *ret, size_t retlen) {
  FILE *f = fopen(table, "r");
  char *line;
  const size_t cap = 4 * PATH_MAX + 1024;
  long best = -1;
  if (f == NULL) {
    return -1;
  }
  line = wes__malloc(cap);
  if (line == NULL) {
    fclose(f);
    return -1;
  }
  ret[0] = '\0';
  while (fgets(line, (int)cap, f) != NULL) {
    char *p = line, *mnt, *type = NULL;
    long len;
    if (strchr(line, '\n') == NULL && !feof(f)) {
      int c;
      while ((c = fgetc(f)) != EOF && c != '\n') {
      }
      continue;
    }
    if (info) {
      char *fld;
      next_field(&p); /* mount id */
      next_field(&p); /* parent id */
      next_field(&p); /* major:minor */
      next_field(&p); /* root */
      mnt = next_field(&p);
      /* options, then optional tags up to the lone "-" */
      while (*(fld = next_field(&p)) != '\0' && strcmp(fld, "-") != 0) {
      }
      if (*fld != '\0') {
        type = next_field(&p);
      }
    } else {
      next_field(&p); /* source */
      mnt = next_field(&p);
      type = next_field(&p);
    }
    if (type == NULL || type[0] == '\0' || mnt[0] != '/') {
      continue;
    }
    unescape_mount(mnt);
    len = mount_prefix(mnt, path);
    if (len >= 0 && len >= best) {
      best = len;
      snprintf(ret, retlen, "%s", type);
    }
  }
  wes__free(line);
  fclose(f);
  return 0;
}
#endif

/* The file system type name of the mount holding directory `dir` as the
 * system calls it ("ext4", "tmpfs", "apfs", ...), or NULL when unknown.
 * Looked up once per watched directory. */
static char *fs_type_name(const char *dir) {
#if defined(DF_PROC_MOUNTS)
  uv_fs_t req;
  char type[256];
  char *ret = NULL;
  const char *path = dir;
  /* the mount table has the kernel's paths: resolve symbolic links */
  if (uv_fs_realpath(NULL, &req, dir, NULL) == 0 && req.ptr != NULL) {
    path = req.ptr;
  }
  if ((scan_mounts("/proc/self/mountinfo", 1, path, type, sizeof(type)) ==
           0 ||
       scan_mounts("/proc/self/mounts", 0, path, type, sizeof(type)) == 0) &&
      type[0] != '\0') {
    ret = wes__strdup(type);
  }
  uv_fs_req_cleanup(&req);
  return ret;
#elif defined(DF_STATFS_TYPENAME)
  struct statfs sfs;
  if (statfs(dir, &sfs) == 0 && sfs.f_fstypename[0] != '\0') {
    return wes__strndup(sfs.f_fstypename, sizeof(sfs.f_fstypename));
  }
  return NULL;
#elif defined(DF_STATVFS_TYPENAME)
  struct statvfs sfs;
  if (statvfs(dir, &sfs) == 0 && sfs.f_fstypename[0] != '\0') {
    return wes__strndup(sfs.f_fstypename, sizeof(sfs.f_fstypename));
  }
  return NULL;
#else
  (void)dir;
  return NULL;
#endif
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
    wes_object_t *inst = make_instance(dp, w->dir, w->fsname, filename, &st);
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
        k->inst = make_instance(w->dp, w->dir, w->fsname, ent.name, &st);
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
  wes__free(w->fsname);
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
        w->fsname = fs_type_name(w->dir);
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

static void free_dirs(char **dirs, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    wes__free(dirs[i]);
  }
  wes__free(dirs);
}

/* Directories a query asks for. Fails with WES_E_PROVIDER_NOT_CAPABLE
 * saying what to add when some OR-branch names none. */
static wes_hresult_t query_dirs(const wes_query_t *q, char ***ret,
                                size_t *ret_n, wes_error_t *reterr) {
  size_t nconj = 0, i, j;
  char **dirs = NULL;
  size_t n = 0;
  if (WES_FAILED(wes_query_dnf_count(q, &nconj))) {
    return wes_error_set(reterr, WES_E_PROVIDER_NOT_CAPABLE,
                         "the WHERE clause is too complex to find the "
                         "directories to watch in it");
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
      free_dirs(dirs, n);
      /* short: the broker puts "provider '<name>': " in front */
      return wes_error_set(reterr, WES_E_PROVIDER_NOT_CAPABLE,
                           "add TargetInstance.Path = '/dir/' (with the "
                           "trailing '/') or TargetInstance.Name = "
                           "'/dir/file' to %s",
                           nconj > 1 ? "every OR branch" : "the WHERE clause");
    }
    {
      char **nd = wes__realloc(dirs, (n + 1) * sizeof(*nd));
      if (nd == NULL) {
        wes__free(dir);
        free_dirs(dirs, n);
        return wes_error_set(reterr, WES_E_OUT_OF_MEMORY, "out of memory");
      }
      dirs = nd;
      dirs[n++] = dir;
    }
  }
  *ret = dirs;
  *ret_n = n;
  return WES_S_OK;
}

static wes_hresult_t df_new_query(void *data, uint32_t id, const char *lang,
                                  const char *text, wes_error_t *reterr) {
  wes_datafile_provider_t *dp = data;
  wes_query_t *q = NULL;
  char **dirs = NULL;
  size_t n = 0, i;
  dq_t *dq;
  wes_error_t err;
  wes_hresult_t hr;
  (void)lang;
  wes_error_clear(&err);
  /* the broker compiled it already: only memory can fail here */
  hr = wes_query_compile(dp->ns, text, 0, &q, &err);
  if (WES_FAILED(hr)) {
    if (hr == WES_E_OUT_OF_MEMORY) {
      return wes_error_set(reterr, hr,
                           "out of memory while compiling the query");
    }
    hr = wes_error_set(reterr, WES_E_PROVIDER_NOT_CAPABLE,
                       "cannot compile the query (%s: %s)", wes_err_name(hr),
                       err.text);
    reterr->line = err.line;
    reterr->column = err.column;
    return hr;
  }
  hr = query_dirs(q, &dirs, &n, reterr);
  wes_query_unref(q);
  if (WES_FAILED(hr)) {
    return hr;
  }
  for (i = 0; i < n; i++) {
    struct stat s;
    if (stat(dirs[i], &s) != 0) {
      int e = errno;
      hr = wes_error_set(reterr, WES_E_PROVIDER_NOT_CAPABLE,
                         "cannot watch %.100s: %s", dirs[i],
                         uv_strerror(uv_translate_sys_error(e)));
      reterr->sys_error = e;
      free_dirs(dirs, n);
      return hr;
    }
    if (!S_ISDIR(s.st_mode)) {
      hr = wes_error_set(reterr, WES_E_PROVIDER_NOT_CAPABLE,
                         "cannot watch %.100s: not a directory", dirs[i]);
      free_dirs(dirs, n);
      return hr;
    }
  }
  dq = wes__calloc(1, sizeof(*dq));
  if (dq == NULL) {
    free_dirs(dirs, n);
    return wes_error_set(reterr, WES_E_OUT_OF_MEMORY, "out of memory");
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
