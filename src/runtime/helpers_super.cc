// rt_super_method (runtime/helpers_super.h): typeobject.c's super_init_without_args,
// supercheck and super_getattro for `super().name` in instance methods, with nothing made:
// no super object, no bound method. Anything else is left to the ordinary path, which
// raises what CPython raises.
#include "runtime/helpers_super.h"

#include "runtime/helpers_names.h"

namespace {

unsigned long long g_super_methods = 0;  // under the GIL

using pyjion::rt::SuperCache;
using pyjion::rt::SuperEntry;

// What `name` is after `start` in tp's MRO, as super_getattro walks it, if every dict it
// looks in is an exact dict of str keys (a lookup there runs no code and cannot fail);
// NULL if not found that way (then the super object's own attributes, or an error, are
// the ordinary path's). Borrowed.
PyObject* FindAfter(PyTypeObject* tp, PyTypeObject* start, PyObject* name) {
  PyObject* mro = tp->tp_mro;
  if (mro == nullptr || !PyTuple_CheckExact(mro)) return nullptr;
  const Py_ssize_t n = PyTuple_GET_SIZE(mro);
  Py_ssize_t i = 0;
  while (i + 1 < n && PyTuple_GET_ITEM(mro, i) != reinterpret_cast<PyObject*>(start)) ++i;
  for (++i; i < n; ++i) {
    PyObject* dict = reinterpret_cast<PyTypeObject*>(PyTuple_GET_ITEM(mro, i))->tp_dict;
    if (dict == nullptr || !PyDict_CheckExact(dict) || !pj_dict_has_exact_str_keys(dict))
      return nullptr;
    PyObject* found = PyDict_GetItemWithError(dict, name);
    if (found != nullptr) return found;
    if (PyErr_Occurred()) {  // not for str keys; kept out all the same
      PyErr_Clear();
      return nullptr;
    }
  }
  return nullptr;
}

// Whether LOAD_METHOD's [meth, self] form gives what calling super_getattro's binding of
// meth to obj gives: a function (its bound method calls it with obj first), or a method or
// slot descriptor of a type obj is an instance of (its __get__ would bind it).
bool UnboundCallable(PyObject* meth, PyObject* obj) {
  if (PyFunction_Check(meth)) return true;
  if (!Py_IS_TYPE(meth, &PyMethodDescr_Type) && !Py_IS_TYPE(meth, &PyWrapperDescr_Type))
    return false;
  return PyObject_TypeCheck(obj, PyDescr_TYPE(meth));
}

SuperEntry* Fill(SuperCache* cache, PyTypeObject* tp, PyTypeObject* start, PyObject* obj) {
  if (cache->fills >= pyjion::rt::kMaxSuperFills) return nullptr;
  ++cache->fills;
  if (!(tp->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) ||
      !PyType_IsSubtype(tp, start))  // supercheck's other cases: the ordinary path
    return nullptr;
  PyObject* meth = FindAfter(tp, start, cache->name);
  if (meth == nullptr || !UnboundCallable(meth, obj)) return nullptr;
  SuperEntry& e = cache->entries[cache->next++ % pyjion::rt::kSuperWays];
  e.obj_type = tp;
  e.version = tp->tp_version_tag;
  e.start = start;
  e.meth = meth;
  return &e;
}

// What `super(start, obj).name` gives as LOAD_METHOD's [meth, self] (borrowed meth), or
// NULL for the ordinary path.
PyObject* Lookup(SuperCache* cache, PyObject* start, PyObject* obj) {
  if (!PyType_Check(start) || PyType_Check(obj)) return nullptr;  // class mode: ordinary
  PyTypeObject* tp = Py_TYPE(obj);
  auto* start_type = reinterpret_cast<PyTypeObject*>(start);
  for (SuperEntry& e : cache->entries) {
    if (e.obj_type == tp && e.version == tp->tp_version_tag && e.start == start_type)
      return e.meth;
  }
  SuperEntry* e = Fill(cache, tp, start_type, obj);
  return e != nullptr ? e->meth : nullptr;
}

}  // namespace

extern "C" long rt_super_method(PjFrame* frame, PyObject** base, int first_is_cell,
                                int class_index, SuperCache* cache) {
  PyObject* callable = base[1];
  if (base[0] != nullptr || callable != reinterpret_cast<PyObject*>(&PySuper_Type)) return 0;
  PyObject* obj = frame->localsplus[0];
  if (obj != nullptr && first_is_cell) obj = PyCell_Check(obj) ? PyCell_GET(obj) : nullptr;
  PyObject* cell = frame->localsplus[class_index];
  if (obj == nullptr || cell == nullptr || !PyCell_Check(cell)) return 0;
  PyObject* start = PyCell_GET(cell);
  PyObject* meth = start != nullptr ? Lookup(cache, start, obj) : nullptr;
  if (meth == nullptr) return 0;
  base[0] = Py_NewRef(meth);
  base[1] = Py_NewRef(obj);
  Py_DECREF(callable);  // the builtin super: never the last reference
  ++g_super_methods;
  return 1;
}

extern "C" long rt_super_method_args(PyObject** base, SuperCache* cache) {
  PyObject* callable = base[1];
  if (base[0] != nullptr || callable != reinterpret_cast<PyObject*>(&PySuper_Type)) return 0;
  PyObject* start = base[2];
  PyObject* obj = base[3];
  PyObject* meth = Lookup(cache, start, obj);
  if (meth == nullptr) return 0;
  base[0] = Py_NewRef(meth);
  base[1] = obj;  // the slot's reference moves
  Py_DECREF(callable);
  Py_DECREF(start);  // CALL's order: the callable, then the arguments
  ++g_super_methods;
  return 1;
}

extern "C" unsigned long long rt_super_methods(void) { return g_super_methods; }
