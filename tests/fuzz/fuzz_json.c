/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the JSON reader. A namespace (system classes plus a
 * small test class with every kind of property) is created once; each
 * input is read into it. Accepted objects are rendered back to JSON and
 * MOF, and the JSON must read back to an equal object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wes_namespace_t *fuzz_ns;

static void must(wes_hresult_t hr) {
  if (WES_FAILED(hr)) {
    abort();
  }
}

static void setup(void) {
  wes_class_t *c = NULL, *e = NULL;
  must(wes_namespace_new("root/fuzz", &fuzz_ns));
  must(wes_class_new("FuzzItem", NULL, &c));
  must(wes_class_add_property(c, "Name", WES_CIM_STRING, NULL, WES_PROP_KEY));
  must(wes_class_add_property(c, "Count", WES_CIM_UINT32, NULL, 0));
  must(wes_class_add_property(c, "Child", WES_CIM_OBJECT, "FuzzItem", 0));
  must(wes_namespace_add_class(fuzz_ns, c, NULL));
  must(wes_class_new("FuzzEvent",
                     wes_namespace_get_class(fuzz_ns, "__ExtrinsicEvent"), &e));
  must(wes_class_add_property(e, "S8", WES_CIM_SINT8, NULL, 0));
  must(wes_class_add_property(e, "U16", WES_CIM_UINT16, NULL, 0));
  must(wes_class_add_property(e, "S64", WES_CIM_SINT64, NULL, 0));
  must(wes_class_add_property(e, "R32", WES_CIM_REAL32, NULL, 0));
  must(wes_class_add_property(e, "R64", WES_CIM_REAL64, NULL, 0));
  must(wes_class_add_property(e, "B", WES_CIM_BOOLEAN, NULL, 0));
  must(wes_class_add_property(e, "C", WES_CIM_CHAR16, NULL, 0));
  must(wes_class_add_property(e, "Dt", WES_CIM_DATETIME, NULL, 0));
  must(wes_class_add_property(e, "Ref", WES_CIM_REFERENCE, "FuzzItem", 0));
  must(wes_class_add_property(e, "Item", WES_CIM_OBJECT, "FuzzItem", 0));
  must(wes_class_add_property(e, "Any", WES_CIM_OBJECT, NULL, 0));
  must(wes_class_add_property(e, "Strs", WES_CIM_STRING | WES_CIM_FLAG_ARRAY,
                              NULL, 0));
  must(wes_class_add_property(e, "Items", WES_CIM_OBJECT | WES_CIM_FLAG_ARRAY,
                              "FuzzItem", 0));
  must(wes_class_add_property(e, "U64s", WES_CIM_UINT64 | WES_CIM_FLAG_ARRAY,
                              NULL, 0));
  must(wes_namespace_add_class(fuzz_ns, e, NULL));
  wes_class_unref(c);
  wes_class_unref(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wes_object_t *obj = NULL, *back = NULL;
  wes_error_t err;
  char *json = NULL, *mof = NULL;
  if (fuzz_ns == NULL) {
    setup();
  }
  if (WES_FAILED(wes_object_from_json(fuzz_ns, (const char *)data, size, &obj,
                                      &err))) {
    if (err.line == 0 || err.column == 0) {
      abort();
    }
    return 0;
  }
  must(wes_object_to_json(obj, 0, &json));
  must(wes_object_to_mof(obj, 0, &mof));
  must(wes_object_from_json(fuzz_ns, json, strlen(json), &back, &err));
  if (!wes_object_equal(obj, back)) {
    abort();
  }
  wes_free(json);
  must(wes_object_to_json(
      obj, WES_RENDER_NO_TYPES | WES_RENDER_PRETTY | WES_RENDER_SYSTEM_PROPS,
      &json));
  wes_object_unref(back);
  back = NULL;
  must(wes_object_from_json(fuzz_ns, json, strlen(json), &back, &err));
  if (!wes_object_equal(obj, back)) {
    abort();
  }
  wes_free(json);
  wes_free(mof);
  wes_object_unref(back);
  wes_object_unref(obj);
  return 0;
}
