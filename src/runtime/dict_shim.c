/* Dict internals for the names family (C, Py_BUILD_CORE: CPython 3.11's internal headers
 * do not compile as C++). Declared in helpers_names.h. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include "internal/pycore_dict.h"

/* Whether every key of the dict is an exact str (the dict keys' kind is not
 * DICT_KEYS_GENERAL): a lookup of a str key then runs no user code (no __eq__/__hash__ of
 * a key), so a cached LOAD_GLOBAL result is exactly what the lookup would do. The kind
 * only changes when a key is inserted, which also changes the dict's version tag. */
int pj_dict_has_exact_str_keys(PyObject *dict) {
  return DK_IS_UNICODE(((PyDictObject *)dict)->ma_keys);
}
