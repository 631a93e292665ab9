/* SPDX-License-Identifier: MIT */
/* The README example: declare an event class, fill an event, print JSON. */
#include <stdio.h>
#include <string.h>
#include <wes.h>

int main(void) {
  wes_namespace_t *ns;
  wes_object_t *ev;
  char *json;
  const char *mof = "class DiskFull : __ExtrinsicEvent { string Drive; "
                    "uint64 FreeBytes; };";
  if (WES_FAILED(wes_namespace_new("root/cimv2", &ns)) ||
      WES_FAILED(wes_mof_compile(ns, mof, strlen(mof), "inline", NULL, NULL)))
    return 1;
  wes_object_new_by_name(ns, "DiskFull", &ev);
  wes_object_set_string(ev, "Drive", "/var");
  wes_object_set_uint64(ev, "FreeBytes", 4096);
  wes_object_to_json(ev, 0, &json);
  puts(json);
  wes_free(json);
  wes_object_unref(ev);
  wes_namespace_unref(ns);
  return 0;
}
