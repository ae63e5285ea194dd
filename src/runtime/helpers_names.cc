// Runtime helpers of the names family (see helpers_names.h). Each mirrors one opcode of
// CPython 3.11's Python/ceval.c: LOAD_GLOBAL (and its inline cache), STORE/DELETE_GLOBAL,
// LOAD/STORE/DELETE_NAME, LOAD_CLASSDEREF, the unbound-cell errors and COPY_FREE_VARS.
#include "runtime/helpers_names.h"

namespace pyjion::rt {
namespace {

inline bool BothExactDicts(PyObject* globals, PyObject* builtins) {
  return PyDict_CheckExact(globals) && PyDict_CheckExact(builtins);
}

inline uint64_t Tag(PyObject* dict) {
  return reinterpret_cast<PyDictObject*>(dict)->ma_version_tag;
}

void NameError(PyObject* name) {
  FormatExcCheckArg(PyThreadState_Get(), PyExc_NameError, kNameErrorMsg, name);
}

// The mapping-protocol lookup of `name` in `ns`: new reference; NULL with no exception
// when ns raised KeyError (cleared); NULL with an exception on any other error.
PyObject* GetItemNoKeyError(PyObject* ns, PyObject* name) {
  PyObject* v = PyObject_GetItem(ns, name);
  if (v == nullptr && PyErr_ExceptionMatches(PyExc_KeyError)) PyErr_Clear();
  return v;
}

}  // namespace

bool InitGlobalCache(GlobalCache* cache, PyObject* name) {
  Py_hash_t hash = PyObject_Hash(name);
  if (hash == -1) return false;
  cache->name = name;
  cache->hash = hash;
  return true;
}

}  // namespace pyjion::rt

using namespace pyjion;

// LOAD_GLOBAL: ceval's two paths. Exact dicts: _PyDict_LoadGlobal (globals, then
// builtins; NULL without an exception means "not found"). Otherwise the mapping protocol,
// where a KeyError from globals falls through to builtins and one from builtins becomes
// NameError. The cache is refilled only on the exact-dict path, when both dicts have only
// exact-str keys (so the lookup ran no user code) and neither changed while we looked.
extern "C" PyObject* rt_load_global(PjFrame* frame, rt::GlobalCache* cache) {
  PyObject* globals = frame->f_globals;
  PyObject* builtins = frame->f_builtins;
  PyObject* name = cache->name;
  if (rt::BothExactDicts(globals, builtins)) {
    const uint64_t globals_tag = rt::Tag(globals), builtins_tag = rt::Tag(builtins);
    PyObject* v = _PyDict_GetItem_KnownHash(globals, name, cache->hash);
    if (v == nullptr) {
      if (PyErr_Occurred()) return nullptr;
      v = _PyDict_GetItem_KnownHash(builtins, name, cache->hash);
      if (v == nullptr) {
        if (!PyErr_Occurred()) rt::NameError(name);
        return nullptr;
      }
    }
    if (rt::Tag(globals) == globals_tag && rt::Tag(builtins) == builtins_tag &&
        pj_dict_has_exact_str_keys(globals) && pj_dict_has_exact_str_keys(builtins)) {
      cache->globals_tag = globals_tag;
      cache->builtins_tag = builtins_tag;
      cache->value = v;
    }
    return Py_NewRef(v);
  }
  PyObject* v = rt::GetItemNoKeyError(globals, name);
  if (v != nullptr || PyErr_Occurred()) return v;
  v = PyObject_GetItem(builtins, name);
  if (v == nullptr && PyErr_ExceptionMatches(PyExc_KeyError)) rt::NameError(name);
  return v;
}

extern "C" int rt_store_global(PjFrame* frame, PyObject* name, PyObject* v) {
  int err = PyDict_SetItem(frame->f_globals, name, v);
  Py_DECREF(v);
  return err;
}

extern "C" int rt_delete_global(PjFrame* frame, PyObject* name) {
  if (PyDict_DelItem(frame->f_globals, name) == 0) return 0;
  if (PyErr_ExceptionMatches(PyExc_KeyError)) rt::NameError(name);
  return -1;
}

// LOAD_NAME: locals (a dict or any mapping), then globals (a dict), then builtins.
extern "C" PyObject* rt_load_name(PjFrame* frame, PyObject* name) {
  PyObject* locals = frame->f_locals;
  if (locals == nullptr) {
    PyErr_Format(PyExc_SystemError, "no locals when loading %R", name);
    return nullptr;
  }
  PyObject* v;
  if (PyDict_CheckExact(locals)) {
    v = PyDict_GetItemWithError(locals, name);
    if (v != nullptr) return Py_NewRef(v);
    if (PyErr_Occurred()) return nullptr;
  } else {
    v = rt::GetItemNoKeyError(locals, name);
    if (v != nullptr || PyErr_Occurred()) return v;
  }
  v = PyDict_GetItemWithError(frame->f_globals, name);
  if (v != nullptr) return Py_NewRef(v);
  if (PyErr_Occurred()) return nullptr;
  PyObject* builtins = frame->f_builtins;
  if (PyDict_CheckExact(builtins)) {
    v = PyDict_GetItemWithError(builtins, name);
    if (v == nullptr) {
      if (!PyErr_Occurred()) rt::NameError(name);
      return nullptr;
    }
    return Py_NewRef(v);
  }
  v = PyObject_GetItem(builtins, name);
  if (v == nullptr && PyErr_ExceptionMatches(PyExc_KeyError)) rt::NameError(name);
  return v;
}

extern "C" int rt_store_name(PjFrame* frame, PyObject* name, PyObject* v) {
  PyObject* ns = frame->f_locals;
  if (ns == nullptr) {
    PyErr_Format(PyExc_SystemError, "no locals found when storing %R", name);
    Py_DECREF(v);
    return -1;
  }
  int err = PyDict_CheckExact(ns) ? PyDict_SetItem(ns, name, v) : PyObject_SetItem(ns, name, v);
  Py_DECREF(v);
  return err;
}

// DELETE_NAME: any failure of the deletion becomes NameError, as in ceval.
extern "C" int rt_delete_name(PjFrame* frame, PyObject* name) {
  PyObject* ns = frame->f_locals;
  if (ns == nullptr) {
    PyErr_Format(PyExc_SystemError, "no locals when deleting %R", name);
    return -1;
  }
  if (PyObject_DelItem(ns, name) == 0) return 0;
  rt::NameError(name);
  return -1;
}

extern "C" PyObject* rt_load_classderef(PjFrame* frame, int index) {
  PyObject* locals = frame->f_locals;
  PyObject* name = PyTuple_GET_ITEM(frame->f_code->co_localsplusnames, index);
  PyObject* value = nullptr;
  if (locals != nullptr) {  // ceval asserts it; class bodies always have one
    if (PyDict_CheckExact(locals)) {
      value = PyDict_GetItemWithError(locals, name);
      if (value != nullptr) return Py_NewRef(value);
      if (PyErr_Occurred()) return nullptr;
    } else {
      value = rt::GetItemNoKeyError(locals, name);
      if (value != nullptr || PyErr_Occurred()) return value;
    }
  }
  value = PyCell_GET(frame->localsplus[index]);
  if (value == nullptr) {
    rt_unbound_deref(frame, index);
    return nullptr;
  }
  return Py_NewRef(value);
}

// format_exc_unbound: "don't stomp" an exception already set, then the local/free split.
extern "C" int rt_unbound_deref(PjFrame* frame, int index) {
  if (PyErr_Occurred()) return -1;
  PyCodeObject* co = frame->f_code;
  PyObject* name = PyTuple_GET_ITEM(co->co_localsplusnames, index);
  const bool local_or_cell = index < co->co_nplaincellvars + co->co_nlocals;
  rt::FormatExcCheckArg(PyThreadState_Get(), local_or_cell ? PyExc_UnboundLocalError : PyExc_NameError,
                        local_or_cell ? rt::kUnboundLocalMsg : rt::kUnboundFreeMsg, name);
  return -1;
}

