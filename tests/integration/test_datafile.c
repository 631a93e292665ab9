/* SPDX-License-Identifier: MIT */
/*
 * The CIM_DataFile provider on a real loop with real files: creation,
 * modification (with PreviousInstance) and deletion events, with the
 * Windows property names mapped to Linux; a subscription on one file name
 * sees only that file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "itest.h"

typedef struct dfx_s {
  uv_loop_t loop;
  uv_timer_t tick;
  wes_broker_t *b;
  wes_datafile_provider_t *dp;
  wes_token_t *tok;
  char dir[64];
} dfx_t;

static void tick_cb(uv_timer_t *t) { (void)t; }

static void run_until(dfx_t *f, rec_t *r, size_t n) {
  int i;
  for (i = 0; i < 600 && rec_count(r) < n; i++) {
    uv_run(&f->loop, UV_RUN_ONCE);
  }
  assert_true(rec_count(r) >= n);
}

static void write_file(const char *path, const char *text, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

static const char *str(wes_object_t *o, const char *prop) {
  const char *s = NULL;
  assert_hr_ok(wes_object_get_string(o, prop, &s));
  return s;
}

static wes_object_t *target(wes_object_t *ev, const char *prop) {
  wes_object_t *t = NULL;
  assert_hr_ok(wes_object_get_object(ev, prop, &t));
  assert_non_null(t);
  return t;
}

static void test_datafile_create_modify_delete(void **state) {
  dfx_t f;
  wes_sink_t *all, *one;
  rec_t *ra, *ro;
  char q[512], path[128], other[128];
  uint64_t size = 0;
  wes_object_t *t, *prev;
  (void)state;
  memset(&f, 0, sizeof(f));
  assert_int_equal(uv_loop_init(&f.loop), 0);
  uv_timer_init(&f.loop, &f.tick);
  uv_timer_start(&f.tick, tick_cb, 50, 50);
  assert_hr_ok(wes_broker_new(&f.loop, NULL, &f.b, NULL));
  assert_hr_ok(
      wes_datafile_provider_new(f.b, &f.loop, "root/cimv2", &f.dp, NULL));
  assert_hr_ok(wes_token_from_unix((uint32_t)getuid(), (uint32_t)getgid(), NULL,
                                   0, NULL, NULL, 0, &f.tok, NULL));
  strcpy(f.dir, "/tmp/wes-df-XXXXXX");
  assert_non_null(mkdtemp(f.dir));
  strcat(f.dir, "/");
  snprintf(path, sizeof(path), "%sreport.txt", f.dir);
  snprintf(other, sizeof(other), "%sother.log", f.dir);
  ra = rec_new(&all);
  ro = rec_new(&one);
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceOperationEvent WHERE TargetInstance ISA "
           "'CIM_DataFile' AND TargetInstance.Path = '%s'",
           f.dir);
  assert_hr_ok(wes_broker_exec_notification_query_async(
      f.b, "root/cimv2", "WQL", q, 0, f.tok, all, NULL));
  snprintf(q, sizeof(q),
           "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA "
           "'CIM_DataFile' AND TargetInstance.Name = '%s'",
           other);
  assert_hr_ok(wes_broker_exec_notification_query_async(
      f.b, "root/cimv2", "WQL", q, 0, f.tok, one, NULL));

  write_file(path, "hello", O_TRUNC);
  run_until(&f, ra, 1);
  assert_true(wes_object_isa(ra->objs[0], "__InstanceCreationEvent"));
  t = target(ra->objs[0], "TargetInstance");
  assert_true(wes_object_isa(t, "CIM_DataFile"));
  assert_string_equal(str(t, "Name"), path);
  assert_string_equal(str(t, "Path"), f.dir);
  assert_string_equal(str(t, "Drive"), "");
  assert_string_equal(str(t, "FileName"), "report");
  assert_string_equal(str(t, "Extension"), "txt");

  write_file(path, " world", O_APPEND);
  run_until(&f, ra, 2);
  assert_true(
      wes_object_isa(ra->objs[ra->n - 1], "__InstanceModificationEvent"));
  t = target(ra->objs[ra->n - 1], "TargetInstance");
  prev = target(ra->objs[ra->n - 1], "PreviousInstance");
  assert_hr_ok(wes_object_get_uint64(t, "FileSize", &size));
  assert_int_equal(size, 11);
  {
    const char *lm = NULL;
    assert_hr_ok(wes_object_get_datetime(t, "LastModified", &lm));
    assert_int_equal(strlen(lm), 25);
  }
  assert_string_equal(str(prev, "Name"), path);

  write_file(other, "x", O_TRUNC);
  run_until(&f, ro, 1);
  assert_int_equal(ro->n, 1); /* only the named file */
  assert_string_equal(str(target(ro->objs[0], "TargetInstance"), "Name"),
                      other);

  assert_int_equal(unlink(path), 0);
  {
    size_t before = rec_count(ra), i;
    int found = 0;
    run_until(&f, ra, before + 1);
    for (i = before; i < ra->n; i++) {
      if (wes_object_isa(ra->objs[i], "__InstanceDeletionEvent")) {
        found = 1;
        assert_string_equal(str(target(ra->objs[i], "TargetInstance"), "Name"),
                            path);
      }
    }
    if (!found) {
      run_until(&f, ra, ra->n + 1);
      assert_true(
          wes_object_isa(ra->objs[ra->n - 1], "__InstanceDeletionEvent"));
    }
  }
  unlink(other);
  assert_int_equal(ro->n, 1);

  wes_datafile_provider_close(f.dp);
  assert_hr_ok(wes_broker_close(f.b, NULL, NULL));
  uv_close((uv_handle_t *)&f.tick, NULL);
  uv_run(&f.loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&f.loop), 0);
  assert_int_equal(ra->nstatus, 1);
  wes_sink_unref(all);
  wes_sink_unref(one);
  rec_free(ra);
  rec_free(ro);
  wes_token_unref(f.tok);
  f.dir[strlen(f.dir) - 1] = '\0';
  assert_int_equal(rmdir(f.dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_datafile_create_modify_delete),
  };
  return cmocka_run_group_tests_name("datafile", tests, NULL, NULL);
}
