// Runtime helpers of the names family: globals (with the LOAD_GLOBAL inline cache),
// LOAD/STORE/DELETE_NAME, cells and free variables. Semantics follow CPython 3.11's
// Python/ceval.c, messages included; see helpers.h for the ownership convention (stack
// operands passed in are stolen; new reference or NULL+exception; int helpers 0 / -1).
#pragma once

#include <Python.h>

#include <cstdint>

#include "runtime/helpers.h"

namespace pyjion::rt {


// The inline cache of one LOAD_GLOBAL site. Compiled code hits when f_globals and
// f_builtins are exact dicts whose PEP 509 version tags (ma_version_tag) equal the cached
// ones: every mutation of a dict gives it a fresh, process-wide unique tag, so equal tags
// mean the very same dicts, unchanged since the cache was filled, and `value` is still
// what the lookup would return (and alive: the dict holds it). A tag of 0 never matches.
// The cache is only filled when both dicts have exact-str keys only, where a lookup runs
// no user code (a str subclass key's __eq__ would otherwise be skipped on hits).
// Why tags and not dict-keys versions (dk_version, as LOAD_GLOBAL_MODULE uses): 3.11
// exports neither _PyDictKeys_GetVersionForCurrentState nor its counter, and versions
// made up outside CPython's counter could collide with CPython's own.
struct GlobalCache {
  uint64_t globals_tag = 0;
  uint64_t builtins_tag = 0;
  PyObject* value = nullptr;    // borrowed
  PyObject* name = nullptr;     // borrowed from co_names
  Py_hash_t hash = -1;          // hash(name)
};

// Prepares a cache (from the compiled code's CacheArena) for a LOAD_GLOBAL of `name`
// (borrowed from co_names). False with an exception set if name cannot be hashed.
bool InitGlobalCache(GlobalCache* cache, PyObject* name);

}  // namespace pyjion::rt

extern "C" {

// LOAD_GLOBAL miss path: full lookup (globals, then builtins) as ceval does, refilling the
// cache when both namespaces are exact dicts. New reference, or NULL with NameError etc.
PyObject* rt_load_global(PjFrame* frame, pyjion::rt::GlobalCache* cache);
// STORE_GLOBAL: steals v. DELETE_GLOBAL. 0 or -1.
int rt_store_global(PjFrame* frame, PyObject* name, PyObject* v);
int rt_delete_global(PjFrame* frame, PyObject* name);

// LOAD_NAME / STORE_NAME (steals v) / DELETE_NAME on frame->f_locals, globals, builtins.
PyObject* rt_load_name(PjFrame* frame, PyObject* name);
int rt_store_name(PjFrame* frame, PyObject* name, PyObject* v);
int rt_delete_name(PjFrame* frame, PyObject* name);

// LOAD_CLASSDEREF: the class namespace (f_locals) first, then the cell in slot `index`.
PyObject* rt_load_classderef(PjFrame* frame, int index);

// LOAD_DEREF / DELETE_DEREF of an empty cell: ceval's format_exc_unbound (UnboundLocalError
// for cell variables, NameError for free ones; an exception already set is kept). -1.
int rt_unbound_deref(PjFrame* frame, int index);

// dict_shim.c: 1 if every key of the (exact) dict is an exact str, else 0.
int pj_dict_has_exact_str_keys(PyObject* dict);

}  // extern "C"
