/* SPDX-License-Identifier: MIT */
/*
 * CIM types and values: names, validation, deep copy, equality, hashing.
 */
#include <math.h>
#include <string.h>

#include "cim_internal.h"
#include "render_internal.h"
#include "wes/datetime.h"

static const struct {
  wes_cimtype_t type;
  const char *name;
} type_names[] = {
    {WES_CIM_SINT8, "sint8"},       {WES_CIM_UINT8, "uint8"},
    {WES_CIM_SINT16, "sint16"},     {WES_CIM_UINT16, "uint16"},
    {WES_CIM_SINT32, "sint32"},     {WES_CIM_UINT32, "uint32"},
    {WES_CIM_SINT64, "sint64"},     {WES_CIM_UINT64, "uint64"},
    {WES_CIM_REAL32, "real32"},     {WES_CIM_REAL64, "real64"},
    {WES_CIM_BOOLEAN, "boolean"},   {WES_CIM_STRING, "string"},
    {WES_CIM_DATETIME, "datetime"}, {WES_CIM_REFERENCE, "reference"},
    {WES_CIM_CHAR16, "char16"},     {WES_CIM_OBJECT, "object"},
};

WES_API const char *wes_cimtype_name(wes_cimtype_t type) {
  size_t i;
  if (type == WES_CIM_EMPTY) {
    return "empty";
  }
  type = WES_CIM_BASETYPE(type);
  for (i = 0; i < WES__ARRAY_SIZE(type_names); i++) {
    if (type_names[i].type == type) {
      return type_names[i].name;
    }
  }
  return "illegal";
}

WES_API wes_hresult_t wes_cimtype_parse(const char *name,
                                        wes_cimtype_t *ret_type) {
  size_t i;
  if (name == NULL || ret_type == NULL) {
    return WES_E_INVALID_CIM_TYPE;
  }
  for (i = 0; i < WES__ARRAY_SIZE(type_names); i++) {
    if (wes__strcasecmp(type_names[i].name, name) == 0) {
      *ret_type = type_names[i].type;
      return WES_S_OK;
    }
  }
  /* MOF spells references "<Class> ref"; accept the bare keyword too. */
  if (wes__strcasecmp(name, "ref") == 0) {
    *ret_type = WES_CIM_REFERENCE;
    return WES_S_OK;
  }
  return WES_E_INVALID_CIM_TYPE;
}

size_t wes__cimtype_elem_size(wes_cimtype_t base) {
  switch (WES_CIM_BASETYPE(base)) {
  case WES_CIM_SINT8:
  case WES_CIM_UINT8:
  case WES_CIM_BOOLEAN:
    return 1;
  case WES_CIM_SINT16:
  case WES_CIM_UINT16:
  case WES_CIM_CHAR16:
    return 2;
  case WES_CIM_SINT32:
  case WES_CIM_UINT32:
  case WES_CIM_REAL32:
    return 4;
  case WES_CIM_SINT64:
  case WES_CIM_UINT64:
  case WES_CIM_REAL64:
    return 8;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    return sizeof(const char *);
  case WES_CIM_OBJECT:
    return sizeof(wes_object_t *);
  default:
    return 0;
  }
}

bool wes__cimtype_valid(wes_cimtype_t t) {
  if ((t & ~(wes_cimtype_t)(WES_CIM_FLAG_ARRAY | 0xFFF)) != 0) {
    return false;
  }
  return wes__cimtype_elem_size(t) != 0;
}

static bool is_str_type(wes_cimtype_t base) {
  return base == WES_CIM_STRING || base == WES_CIM_DATETIME ||
         base == WES_CIM_REFERENCE;
}

bool wes__utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  const unsigned char *end = p + len;
  while (p < end) {
    unsigned char c = *p;
    uint32_t cp;
    size_t n, i;
    if ((size_t)(end - p) >= 8) {
      uint64_t w;
      memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        p += 8; /* ASCII fast path */
        continue;
      }
    }
    if (c < 0x80) {
      p++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if ((size_t)(end - p) <= n) {
      return false;
    }
    for (i = 1; i <= n; i++) {
      if ((p[i] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

static wes_hresult_t check_text(wes_cimtype_t base, const char *s,
                                wes_error_t *reterr) {
  if (s == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "NULL text in a %s value", wes_cimtype_name(base));
  }
  if (!wes__utf8_valid(s, strlen(s))) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "%s value is not valid UTF-8", wes_cimtype_name(base));
  }
  if (base == WES_CIM_DATETIME) {
    wes_datetime_t dt;
    wes_error_t e;
    wes_hresult_t hr = wes_datetime_parse(s, &dt, &e);
    if (WES_FAILED(hr)) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, e.column,
                        "bad datetime \"%.40s\": %s", s, e.text);
    }
  }
  return WES_S_OK;
}

static wes_hresult_t check_range(const wes_value_t *v, wes_error_t *reterr) {
  int64_t lo = 0, hi = 0;
  uint64_t uhi = 0;
  bool is_signed = false;
  switch (v->type) {
  case WES_CIM_SINT8:
    lo = INT8_MIN, hi = INT8_MAX, is_signed = true;
    break;
  case WES_CIM_SINT16:
    lo = INT16_MIN, hi = INT16_MAX, is_signed = true;
    break;
  case WES_CIM_SINT32:
    lo = INT32_MIN, hi = INT32_MAX, is_signed = true;
    break;
  case WES_CIM_UINT8:
    uhi = UINT8_MAX;
    break;
  case WES_CIM_UINT16:
    uhi = UINT16_MAX;
    break;
  case WES_CIM_UINT32:
    uhi = UINT32_MAX;
    break;
  case WES_CIM_REAL32:
    /* a finite double that would round to a float infinity; NaN and the
     * infinities themselves are values a real32 holds */
    if (isfinite(v->u.real) && !wes__render_real32_fits(v->u.real)) {
      return wes__error(reterr, WES_E_VALUE_OUT_OF_RANGE, 0, 0,
                        "value out of range for real32 (beyond "
                        "+/-3.4028235e+38)");
    }
    return WES_S_OK;
  default:
    return WES_S_OK;
  }
  if (is_signed ? (v->u.sint < lo || v->u.sint > hi) : (v->u.uint > uhi)) {
    return wes__error(reterr, WES_E_VALUE_OUT_OF_RANGE, 0, 0,
                      "value out of range for %s", wes_cimtype_name(v->type));
  }
  return WES_S_OK;
}

wes_hresult_t wes__value_validate(const wes_value_t *v, wes_error_t *reterr) {
  wes_cimtype_t base;
  size_t i;
  wes_hresult_t hr;
  if (v == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "NULL value");
  }
  if (!wes__cimtype_valid(v->type)) {
    return wes__error(reterr, WES_E_INVALID_CIM_TYPE, 0, 0,
                      "unknown CIM type %u", (unsigned)v->type);
  }
  if (v->is_null) {
    return WES_S_OK;
  }
  base = WES_CIM_BASETYPE(v->type);
  if (!WES_CIM_IS_ARRAY(v->type)) {
    if (is_str_type(base)) {
      return check_text(base, v->u.str, reterr);
    }
    if (base == WES_CIM_OBJECT && v->u.object == NULL) {
      return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                        "NULL object pointer in a non-NULL value");
    }
    return check_range(v, reterr);
  }
  if (v->u.array.count > 0 && v->u.array.data == NULL) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                      "array with %zu elements but no data", v->u.array.count);
  }
  if (v->u.array.count > (size_t)INT32_MAX) {
    return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0, "array too long");
  }
  for (i = 0; i < v->u.array.count; i++) {
    if (is_str_type(base)) {
      hr = check_text(base, ((const char *const *)v->u.array.data)[i], reterr);
      if (WES_FAILED(hr)) {
        return hr;
      }
    } else if (base == WES_CIM_OBJECT) {
      if (((wes_object_t *const *)v->u.array.data)[i] == NULL) {
        return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                          "NULL element %zu in an object array", i);
      }
    } else if (base == WES_CIM_BOOLEAN) {
      uint8_t b = ((const uint8_t *)v->u.array.data)[i];
      if (b > 1) {
        return wes__error(reterr, WES_E_INVALID_PARAMETER, 0, 0,
                          "boolean array element %zu is %u, not 0/1", i,
                          (unsigned)b);
      }
    }
  }
  return WES_S_OK;
}

static void free_array(wes_cimtype_t base, wes_array_t *a) {
  size_t i;
  if (a->data == NULL) {
    return;
  }
  if (is_str_type(base)) {
    for (i = 0; i < a->count; i++) {
      wes__free((void *)((const char *const *)a->data)[i]);
    }
  } else if (base == WES_CIM_OBJECT) {
    for (i = 0; i < a->count; i++) {
      wes_object_unref(((wes_object_t *const *)a->data)[i]);
    }
  }
  wes__free((void *)a->data);
}

void wes__value_clear(wes_value_t *v) {
  wes_cimtype_t base = WES_CIM_BASETYPE(v->type);
  if (!v->is_null) {
    if (WES_CIM_IS_ARRAY(v->type)) {
      free_array(base, &v->u.array);
    } else if (is_str_type(base)) {
      wes__free((void *)v->u.str);
    } else if (base == WES_CIM_OBJECT) {
      wes_object_unref(v->u.object);
    }
  }
  memset(&v->u, 0, sizeof(v->u));
  v->is_null = 1;
}

wes_hresult_t wes__value_copy(wes_value_t *dst, const wes_value_t *src) {
  wes_cimtype_t base = WES_CIM_BASETYPE(src->type);
  size_t i, n, esz;
  dst->type = src->type;
  dst->is_null = src->is_null ? 1 : 0;
  memset(&dst->u, 0, sizeof(dst->u));
  if (src->is_null) {
    return WES_S_OK;
  }
  if (!WES_CIM_IS_ARRAY(src->type)) {
    if (is_str_type(base)) {
      dst->u.str = wes__strdup(src->u.str);
      if (dst->u.str == NULL) {
        dst->is_null = 1;
        return WES_E_OUT_OF_MEMORY;
      }
    } else if (base == WES_CIM_OBJECT) {
      dst->u.object = wes_object_ref(src->u.object);
    } else if (base == WES_CIM_BOOLEAN) {
      dst->u.boolean = src->u.boolean != 0;
    } else if (base == WES_CIM_REAL32) {
      dst->u.real = (double)(float)src->u.real;
    } else {
      dst->u = src->u;
    }
    return WES_S_OK;
  }
  n = src->u.array.count;
  dst->u.array.count = n;
  if (n == 0) {
    return WES_S_OK;
  }
  esz = wes__cimtype_elem_size(base);
  void *data = wes__malloc(n * esz);
  if (data == NULL) {
    dst->is_null = 1;
    dst->u.array.count = 0;
    return WES_E_OUT_OF_MEMORY;
  }
  if (is_str_type(base)) {
    const char *const *s = src->u.array.data;
    char **d = data;
    for (i = 0; i < n; i++) {
      d[i] = wes__strdup(s[i]);
      if (d[i] == NULL) {
        while (i > 0) {
          wes__free(d[--i]);
        }
        wes__free(data);
        dst->is_null = 1;
        dst->u.array.count = 0;
        return WES_E_OUT_OF_MEMORY;
      }
    }
  } else if (base == WES_CIM_OBJECT) {
    wes_object_t *const *s = src->u.array.data;
    wes_object_t **d = data;
    for (i = 0; i < n; i++) {
      d[i] = wes_object_ref(s[i]);
    }
  } else {
    memcpy(data, src->u.array.data, n * esz);
  }
  dst->u.array.data = data;
  return WES_S_OK;
}

static bool real_eq(double a, double b) {
  if (isnan(a) && isnan(b)) {
    return true;
  }
  return a == b;
}

static bool elem_equal(wes_cimtype_t base, const void *a, const void *b,
                       size_t i) {
  switch (base) {
  case WES_CIM_REAL32:
    return real_eq(((const float *)a)[i], ((const float *)b)[i]);
  case WES_CIM_REAL64:
    return real_eq(((const double *)a)[i], ((const double *)b)[i]);
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    return strcmp(((const char *const *)a)[i], ((const char *const *)b)[i]) ==
           0;
  case WES_CIM_OBJECT:
    return wes_object_equal(((wes_object_t *const *)a)[i],
                            ((wes_object_t *const *)b)[i]) != 0;
  default: {
    size_t esz = wes__cimtype_elem_size(base);
    return memcmp((const char *)a + i * esz, (const char *)b + i * esz, esz) ==
           0;
  }
  }
}

bool wes__value_equal(const wes_value_t *a, const wes_value_t *b) {
  wes_cimtype_t base;
  size_t i;
  if (a->type != b->type || (a->is_null != 0) != (b->is_null != 0)) {
    return false;
  }
  if (a->is_null) {
    return true;
  }
  base = WES_CIM_BASETYPE(a->type);
  if (WES_CIM_IS_ARRAY(a->type)) {
    if (a->u.array.count != b->u.array.count) {
      return false;
    }
    for (i = 0; i < a->u.array.count; i++) {
      if (!elem_equal(base, a->u.array.data, b->u.array.data, i)) {
        return false;
      }
    }
    return true;
  }
  switch (base) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
    return a->u.sint == b->u.sint;
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    return a->u.uint == b->u.uint;
  case WES_CIM_REAL32:
  case WES_CIM_REAL64:
    return real_eq(a->u.real, b->u.real);
  case WES_CIM_BOOLEAN:
    return (a->u.boolean != 0) == (b->u.boolean != 0);
  case WES_CIM_CHAR16:
    return a->u.char16 == b->u.char16;
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    return strcmp(a->u.str, b->u.str) == 0;
  case WES_CIM_OBJECT:
    return wes_object_equal(a->u.object, b->u.object) != 0;
  default:
    return false;
  }
}

uint64_t wes__hash_bytes(uint64_t h, const void *p, size_t n) {
  const unsigned char *c = p;
  uint64_t w;
  size_t left = n;
  h = wes__hash_mix(h, (uint64_t)n);
  while (left >= 8) {
    memcpy(&w, c, 8);
    h = (h ^ w) * 0x9fb21c651e98df25ULL;
    h ^= h >> 28;
    c += 8;
    left -= 8;
  }
  w = 0;
  memcpy(&w, c, left);
  return wes__hash_mix(h, w);
}

static uint64_t real_bits(double d) {
  uint64_t u;
  if (isnan(d)) {
    return 0x7ff8000000000000ULL;
  }
  if (d == 0.0) {
    d = 0.0; /* -0 hashes as +0 */
  }
  memcpy(&u, &d, sizeof(u));
  return u;
}

static uint64_t elem_hash(wes_cimtype_t base, const void *a, size_t i) {
  switch (base) {
  case WES_CIM_SINT8:
    return (uint64_t)(int64_t)((const int8_t *)a)[i];
  case WES_CIM_UINT8:
  case WES_CIM_BOOLEAN:
    return ((const uint8_t *)a)[i];
  case WES_CIM_SINT16:
    return (uint64_t)(int64_t)((const int16_t *)a)[i];
  case WES_CIM_UINT16:
  case WES_CIM_CHAR16:
    return ((const uint16_t *)a)[i];
  case WES_CIM_SINT32:
    return (uint64_t)(int64_t)((const int32_t *)a)[i];
  case WES_CIM_UINT32:
    return ((const uint32_t *)a)[i];
  case WES_CIM_SINT64:
    return (uint64_t)((const int64_t *)a)[i];
  case WES_CIM_UINT64:
    return ((const uint64_t *)a)[i];
  case WES_CIM_REAL32:
    return real_bits(((const float *)a)[i]);
  case WES_CIM_REAL64:
    return real_bits(((const double *)a)[i]);
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE: {
    const char *s = ((const char *const *)a)[i];
    return wes__hash_bytes(0, s, strlen(s));
  }
  case WES_CIM_OBJECT:
    return wes_object_hash(((wes_object_t *const *)a)[i]);
  default:
    return 0;
  }
}

uint64_t wes__value_hash(const wes_value_t *v) {
  wes_cimtype_t base = WES_CIM_BASETYPE(v->type);
  uint64_t h = wes__hash_mix(0x5eed, v->type);
  size_t i;
  if (v->is_null) {
    return wes__hash_mix(h, 0xdeadull);
  }
  if (WES_CIM_IS_ARRAY(v->type)) {
    h = wes__hash_mix(h, v->u.array.count);
    for (i = 0; i < v->u.array.count; i++) {
      h = wes__hash_mix(h, elem_hash(base, v->u.array.data, i));
    }
    return h;
  }
  switch (base) {
  case WES_CIM_SINT8:
  case WES_CIM_SINT16:
  case WES_CIM_SINT32:
  case WES_CIM_SINT64:
    return wes__hash_mix(h, (uint64_t)v->u.sint);
  case WES_CIM_UINT8:
  case WES_CIM_UINT16:
  case WES_CIM_UINT32:
  case WES_CIM_UINT64:
    return wes__hash_mix(h, v->u.uint);
  case WES_CIM_REAL32:
  case WES_CIM_REAL64:
    return wes__hash_mix(h, real_bits(v->u.real));
  case WES_CIM_BOOLEAN:
    return wes__hash_mix(h, v->u.boolean != 0);
  case WES_CIM_CHAR16:
    return wes__hash_mix(h, v->u.char16);
  case WES_CIM_STRING:
  case WES_CIM_DATETIME:
  case WES_CIM_REFERENCE:
    return wes__hash_bytes(h, v->u.str, strlen(v->u.str));
  case WES_CIM_OBJECT:
    return wes__hash_mix(h, wes_object_hash(v->u.object));
  default:
    return h;
  }
}

const wes__qualifier_t *wes__qualifier_find(const wes__qualifier_t *q,
                                            uint32_t n, const char *name) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    if (wes__strcasecmp(q[i].name, name) == 0) {
      return &q[i];
    }
  }
  return NULL;
}
