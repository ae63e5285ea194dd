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

/* ---- managed instance dicts (attribute and method caches, helpers_attr.cc) ----------- */

/* The index of `name` (an exact str) among the shared keys of heap type tp, i.e. its
 * position in every instance's values array; -1 if absent. Runs no Python code. */
Py_ssize_t pj_shared_keys_index(PyTypeObject *tp, PyObject *name) {
  if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || !(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT))
    return -1;
  PyDictKeysObject *keys = ((PyHeapTypeObject *)tp)->ht_cached_keys;
  if (keys == NULL || !DK_IS_UNICODE(keys)) return -1;
  PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
  for (Py_ssize_t i = 0; i < keys->dk_nentries; i++) {
    PyObject *key = entries[i].me_key;
    if (key == name || (key != NULL && PyUnicode_CheckExact(key) && _PyUnicode_Equal(key, name)))
      return i;
  }
  return -1;
}

/* Entries of tp's shared keys (-1 if it has none): a new attribute name adds one, and
 * entries are never removed, so an unchanged count means no new names. */
Py_ssize_t pj_shared_keys_nentries(PyTypeObject *tp) {
  if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE)) return -1;
  PyDictKeysObject *keys = ((PyHeapTypeObject *)tp)->ht_cached_keys;
  return keys == NULL ? -1 : keys->dk_nentries;
}

/* The values of dict when it is a split table over tp's shared keys, else NULL: the
 * instance dict of a managed-dict object whose values array never existed (its type's
 * tp_new is not object's: subclasses of dict, list, random.Random...) or was made into a
 * dict. Entry i is then the value of shared key i (NULL: none), as in a values array. */
PyObject **pj_split_values_over_cached_keys(PyObject *dict, PyTypeObject *tp) {
  if (dict == NULL || !(tp->tp_flags & Py_TPFLAGS_HEAPTYPE)) return NULL;
  PyDictObject *mp = (PyDictObject *)dict;
  if (mp->ma_values == NULL || mp->ma_keys != ((PyHeapTypeObject *)tp)->ht_cached_keys)
    return NULL;
  return mp->ma_values->values;
}

/* STORE_ATTR_INSTANCE_VALUE's bookkeeping when a value fills an empty entry. */
void pj_values_add_to_insertion_order(PyObject **values, Py_ssize_t index) {
  _PyDictValues_AddToInsertionOrder((PyDictValues *)values, index);
}

/* ---- dict[constant str] (BINARY_SUBSCR, lower_attr.cc) ------------------------------- */

/* dict[key] for an exact dict and an exact str key, borrowed, NULL if absent (or on an
 * error, set), as PyDict_GetItemWithError. *hint is the entry index where the site found
 * the key last: dicts built alike (records from one literal, kwargs of one call) keep
 * their keys in the same order, so the key object itself is usually there, which needs
 * no hashing or probing. The entry is the key's only one in a dict of str keys; deleted
 * entries have a NULL key (and a split table a NULL value). */
PyObject *pj_dict_get_str_hinted(PyObject *dict, PyObject *key, Py_ssize_t *hint) {
  PyDictObject *mp = (PyDictObject *)dict;
  PyDictKeysObject *dk = mp->ma_keys;
  const Py_ssize_t ix = *hint;
  if (DK_IS_UNICODE(dk) && ix < dk->dk_nentries) {
    PyDictUnicodeEntry *ep = &DK_UNICODE_ENTRIES(dk)[ix];
    if (ep->me_key == key) {
      PyObject *value = mp->ma_values != NULL ? mp->ma_values->values[ix] : ep->me_value;
      if (value != NULL) return value;
    }
  }
  PyObject *value = PyDict_GetItemWithError(dict, key);
  if (value == NULL || !DK_IS_UNICODE(mp->ma_keys)) return value;
  dk = mp->ma_keys;  /* the lookup ran no user code: str keys only */
  /* where the key is, among the first entries (records are small; a key further on keeps
   * the old hint and takes the full lookup each time) */
  PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(dk);
  for (Py_ssize_t i = 0; i < dk->dk_nentries && i < 16; i++) {
    if (entries[i].me_key == key) {
      *hint = i;
      break;
    }
  }
  return value;
}
