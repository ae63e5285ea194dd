// Runtime helpers of the call family. Each mirrors one opcode (or one static helper) of
// CPython 3.11's Python/ceval.c: LOAD_METHOD, PRECALL+CALL, CALL_FUNCTION_EX (do_call_core,
// check_args_iterable, format_kwargs_error), MAKE_FUNCTION, LOAD_BUILD_CLASS, GET_LEN,
// PRINT_EXPR, SETUP_ANNOTATIONS, IMPORT_NAME (import_name), IMPORT_FROM (import_from) and
// IMPORT_STAR (import_all_from). Compiled code never runs while tracing is on, so the
// tracing variants of ceval (trace_call_function, C_TRACE) have no counterpart here.
#include "runtime/helpers_call.h"
#include "runtime/helpers.h"
#include "runtime/helpers_attr.h"
#include "runtime/interned.h"

#include <frameobject.h>  // PyFrame_FastToLocalsWithError, PyFrame_LocalsToFast

#include <cstring>
#include <vector>

namespace {

using pyjion::rt::InternedName;

InternedName g_build_class("__build_class__");
InternedName g_import("__import__");
InternedName g_displayhook("displayhook");
InternedName g_annotations("__annotations__");
InternedName g_name("__name__");
InternedName g_spec("__spec__");
InternedName g_all("__all__");
InternedName g_dict("__dict__");

// ceval's check_args_iterable: the TypeError for `f(*x)` with a non-iterable x.
int CheckArgsIterable(PyThreadState* tstate, PyObject* func, PyObject* args) {
  if (Py_TYPE(args)->tp_iter != nullptr || PySequence_Check(args)) return 0;
  // It may be called with a live exception: clear it before _PyObject_FunctionStr.
  PyErr_Clear();
  PyObject* funcstr = _PyObject_FunctionStr(func);
  if (funcstr != nullptr) {
    PyErr_Format(PyExc_TypeError, "%U argument after * must be an iterable, not %.200s",
                 funcstr, Py_TYPE(args)->tp_name);
    Py_DECREF(funcstr);
  }
  return -1;
}


// The C function behind the interpreter's own builtins.__import__, found in the builtins
// module's method table (what interp->import_func was created from). ceval takes its fast
// path when builtins.__import__ is that object; calling any object with this function is
// the same thing, so identity of the C function is the test here. NULL if not found.
PyCFunction OriginalImportFunction() {
  static bool searched = false;
  static PyCFunction original = nullptr;
  if (searched) return original;
  searched = true;
  PyObject* builtins = PyImport_AddModule("builtins");  // borrowed; always loaded
  PyModuleDef* def = builtins != nullptr ? PyModule_GetDef(builtins) : nullptr;
  if (def == nullptr || def->m_methods == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  for (PyMethodDef* m = def->m_methods; m->ml_name != nullptr; ++m) {
    if (strcmp(m->ml_name, "__import__") == 0) original = m->ml_meth;
  }
  return original;
}

bool IsOriginalImport(PyObject* import_func) {
  PyCFunction original = OriginalImportFunction();
  return original != nullptr && PyCFunction_Check(import_func) &&
         PyCFunction_GET_FUNCTION(import_func) == original;
}

// ceval's import_all_from: copies the public names of `v` into `locals`.
int ImportAllFrom(PyThreadState* tstate, PyObject* locals, PyObject* v) {
  PyObject *all, *dict;
  int skip_leading_underscores = 0;
  PyObject* all_name = g_all.get();
  PyObject* dict_name = g_dict.get();
  PyObject* name_name = g_name.get();
  if (all_name == nullptr || dict_name == nullptr || name_name == nullptr) return -1;
  if (_PyObject_LookupAttr(v, all_name, &all) < 0) return -1;
  if (all == nullptr) {
    if (_PyObject_LookupAttr(v, dict_name, &dict) < 0) return -1;
    if (dict == nullptr) {
      PyErr_SetString(PyExc_ImportError, "from-import-* object has no __dict__ and no __all__");
      return -1;
    }
    all = PyMapping_Keys(dict);
    Py_DECREF(dict);
    if (all == nullptr) return -1;
    skip_leading_underscores = 1;
  }
  int err = 0;
  for (Py_ssize_t pos = 0;; pos++) {
    PyObject* name = PySequence_GetItem(all, pos);
    if (name == nullptr) {
      if (!PyErr_ExceptionMatches(PyExc_IndexError)) err = -1;
      else PyErr_Clear();
      break;
    }
    if (!PyUnicode_Check(name)) {
      PyObject* modname = PyObject_GetAttr(v, name_name);
      if (modname == nullptr) {
        Py_DECREF(name);
        err = -1;
        break;
      }
      if (!PyUnicode_Check(modname)) {
        PyErr_Format(PyExc_TypeError, "module __name__ must be a string, not %.100s",
                     Py_TYPE(modname)->tp_name);
      } else {
        PyErr_Format(PyExc_TypeError, "%s in %U.%s must be str, not %.100s",
                     skip_leading_underscores ? "Key" : "Item", modname,
                     skip_leading_underscores ? "__dict__" : "__all__", Py_TYPE(name)->tp_name);
      }
      Py_DECREF(modname);
      Py_DECREF(name);
      err = -1;
      break;
    }
    if (skip_leading_underscores) {
      if (PyUnicode_READY(name) == -1) {
        Py_DECREF(name);
        err = -1;
        break;
      }
      if (PyUnicode_READ_CHAR(name, 0) == '_') {
        Py_DECREF(name);
        continue;
      }
    }
    PyObject* value = PyObject_GetAttr(v, name);
    if (value == nullptr) err = -1;
    else if (PyDict_CheckExact(locals)) err = PyDict_SetItem(locals, name, value);
    else err = PyObject_SetItem(locals, name, value);
    Py_DECREF(name);
    Py_XDECREF(value);
    if (err != 0) break;
  }
  Py_DECREF(all);
  return err;
}

// Whether calling `callable` is type_call on it: a class whose metaclass (type itself, or
// one such as ABCMeta that defines no __call__) calls as type does. Checked at every call:
// a metaclass gaining __call__ does not change the class's version tag.
bool CalledAsType(PyObject* callable) {
  return PyType_Check(callable) && Py_TYPE(callable)->tp_call == PyType_Type.tp_call;
}

// The tp_init of classes whose __init__ is a Python function (typeobject.c's slot_tp_init,
// not exported): learnt from the first such class seen.
initproc g_slot_tp_init = nullptr;

InternedName g_init("__init__");

// The __init__ of a class that Instantiate can make instances of, or NULL: a heap type
// whose instances come from object.__new__ and whose __init__ is a Python function
// (borrowed: the class keeps it while its version tag is unchanged). The caller checked
// that the class is called as type_call (CalledAsType).
PyObject* DirectInit(PyTypeObject* tp) {
  if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || tp->tp_new != PyBaseObject_Type.tp_new)
    return nullptr;
  PyObject* name = g_init.get();
  if (name == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  PyObject* init = _PyType_Lookup(tp, name);
  if (init == nullptr || !PyFunction_Check(init)) return nullptr;
  if (g_slot_tp_init == nullptr) g_slot_tp_init = tp->tp_init;
  return tp->tp_init == g_slot_tp_init ? init : nullptr;
}

// func (a Python function, borrowed) called with the n arguments args (consumed; the last
// of them named by kwnames, or NULL): directly when it is compiled (through the call
// site's caches `py`, or `kw` with keyword arguments), else an ordinary call.
PyObject* CallConsuming(PyThreadState* tstate, PyObject* func, PyObject** args, int n,
                        PyObject* kwnames, PjCallCache* py, PjKwCallCache* kw) {
  PyObject* res = kwnames == nullptr
                      ? pj_call_cached(tstate, Py_NewRef(func), args, n, py)
                      : pj_call_kw_cached(tstate, Py_NewRef(func), args, n, kwnames, kw);
  if (res != PJ_NOT_DIRECT) return res;
  Py_DECREF(func);  // not compiled (yet)
  const Py_ssize_t npos = n - (kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0);
  res = PyObject_Vectorcall(func, args, static_cast<size_t>(npos), kwnames);
  for (int i = 0; i < n; ++i) Py_DECREF(args[i]);
  return res;
}

// Instantiates base[1], a class DirectInit gave `init` for, as type_call does
// (object.__new__, then __init__, which must return None), with __init__ run directly when
// it is compiled (through the call site's caches `py`, or `kw` with keyword arguments).
// base is [NULL, cls, args[nargs]], the last of them named by kwnames (or NULL); the class
// and the arguments are consumed and the new object (or NULL) is returned.
PyObject* Instantiate(PyThreadState* tstate, PyObject** base, int nargs, PyObject* kwnames,
                      PyObject* init, PjCallCache* py, PjKwCallCache* kw) {
  auto* tp = reinterpret_cast<PyTypeObject*>(base[1]);
  // object.__new__(cls) with no arguments: the abstract-class check and the instance dict
  static PyObject* empty = PyTuple_New(0);
  PyObject* obj = empty != nullptr ? tp->tp_new(tp, empty, nullptr) : nullptr;
  PyObject* cls = base[1];
  if (obj == nullptr) {
    Py_DECREF(cls);
    for (int i = 0; i < nargs; ++i) Py_DECREF(base[2 + i]);
    return nullptr;
  }
  base[1] = Py_NewRef(obj);  // self, then the arguments: the __init__ frame takes them
  PyObject* res = CallConsuming(tstate, init, base + 1, nargs + 1, kwnames, py, kw);
  Py_DECREF(cls);
  if (res == nullptr) {
    Py_DECREF(obj);
    return nullptr;
  }
  if (res != Py_None) {
    PyErr_Format(PyExc_TypeError, "__init__() should return None, not '%.200s'",
                 Py_TYPE(res)->tp_name);
    Py_DECREF(res);
    Py_DECREF(obj);
    return nullptr;
  }
  Py_DECREF(res);
  return obj;
}

InternedName g_new("__new__");

// typeobject.c's slot_tp_new (not exported): the tp_new type_new gives every class that
// defines __new__, read from a class made here whose __new__ is a staticmethod of None
// (making it runs no Python code); NULL if that failed.
newfunc SlotTpNew() {
  static const newfunc slot = []() -> newfunc {
    PyObject* sm = PyStaticMethod_New(Py_None);
    PyObject* name = g_new.get();
    PyObject* ns = sm != nullptr && name != nullptr ? PyDict_New() : nullptr;
    PyObject* cls = nullptr;
    if (ns != nullptr && PyDict_SetItem(ns, name, sm) == 0)
      cls = PyObject_CallFunction(reinterpret_cast<PyObject*>(&PyType_Type), "s(O)O",
                                  "pyjion_x64_new_probe", &PyBaseObject_Type, ns);
    newfunc found = cls != nullptr ? reinterpret_cast<PyTypeObject*>(cls)->tp_new : nullptr;
    Py_XDECREF(cls);
    Py_XDECREF(ns);
    Py_XDECREF(sm);
    PyErr_Clear();
    return found != PyBaseObject_Type.tp_new ? found : nullptr;
  }();
  return slot;
}

// The __new__ of a class that New can instantiate, or NULL: a heap type whose __new__ is a
// Python function (a staticmethod of one, as type_new makes it, or a function set on the
// class later: slot_tp_new's lookup gives both as the function) and whose __init__ is
// object's, which then does nothing (object_init with tp_new not object_new). *wrapper is
// the staticmethod or NULL. Borrowed: the class keeps them while its version tag is the
// one returned in *version, and the staticmethod its function while StillWraps. The caller
// checked that the class is called as type_call (CalledAsType).
PyObject* DirectNew(PyTypeObject* tp, PyObject** wrapper, unsigned* version) {
  if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || tp->tp_init != PyBaseObject_Type.tp_init ||
      tp->tp_new == nullptr || tp->tp_new != SlotTpNew())
    return nullptr;
  PyObject* name = g_new.get();
  PyObject* descr = name != nullptr ? _PyType_Lookup(tp, name) : nullptr;
  if (descr == nullptr || !(tp->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)) {
    PyErr_Clear();
    return nullptr;
  }
  *version = tp->tp_version_tag;
  *wrapper = Py_IS_TYPE(descr, &PyStaticMethod_Type) ? descr : nullptr;
  Py_INCREF(descr);  // reading the wrapped function allocates: a collection may run code
  PyObject* func = *wrapper != nullptr ? pyjion::rt::WrappedCallable(descr) : descr;
  const bool unchanged = tp->tp_version_tag == *version;
  Py_DECREF(descr);
  return unchanged && func != nullptr && PyFunction_Check(func) ? func : nullptr;
}

// type_call's tp_init of an instance of a subclass that a __new__ returned, with the
// arguments of the call (nargs, the last of them named by kwnames), borrowed.
int InitInstance(PyObject* obj, PyObject* const* args, int nargs, PyObject* kwnames) {
  const Py_ssize_t nkw = kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0;
  PyObject* tuple = PyTuple_New(nargs - nkw);
  if (tuple == nullptr) return -1;
  for (Py_ssize_t i = 0; i < nargs - nkw; ++i) PyTuple_SET_ITEM(tuple, i, Py_NewRef(args[i]));
  PyObject* kwargs = nkw > 0 ? _PyStack_AsDict(args + nargs - nkw, kwnames) : nullptr;
  const int r = nkw > 0 && kwargs == nullptr ? -1 : Py_TYPE(obj)->tp_init(obj, tuple, kwargs);
  Py_DECREF(tuple);
  Py_XDECREF(kwargs);
  return r;
}

// Instantiates base[1], a class DirectNew gave `func` for, as type_call does: __new__(cls,
// *args, **kwargs) (slot_tp_new), run directly when compiled (through the call site's
// caches `py`, or `kw` with keyword arguments); then, for an instance of a proper subclass
// of cls, the subclass's tp_init with the same arguments (for cls itself that is
// object_init, which does nothing here). base is [NULL, cls, args[nargs]] (nargs at most
// kNewMaxArgs), the last of them named by kwnames (or NULL); the class and the arguments
// are consumed, after the call as type_call's argument tuple holds them, and the new
// object (or NULL) is returned.
constexpr int kNewMaxArgs = 15;
PyObject* New(PyThreadState* tstate, PyObject** base, int nargs, PyObject* kwnames,
              PyObject* func, PjCallCache* py, PjKwCallCache* kw) {
  const int n = nargs + 1;  // __new__'s arguments: the class, then the call's
  PyObject* held[kNewMaxArgs + 1];
  for (int i = 0; i < n; ++i) held[i] = Py_NewRef(base[1 + i]);
  PyObject* res = CallConsuming(tstate, func, base + 1, n, kwnames, py, kw);
  auto* cls = reinterpret_cast<PyTypeObject*>(held[0]);
  if (res != nullptr && Py_TYPE(res) != cls && PyObject_TypeCheck(res, cls) &&
      Py_TYPE(res)->tp_init != nullptr && InitInstance(res, held + 1, nargs, kwnames) < 0)
    Py_CLEAR(res);
  for (int i = 0; i < n; ++i) Py_DECREF(held[i]);  // the callable, then the arguments
  return res;
}

}  // namespace

extern "C" int rt_load_method(PyObject** base, PyObject* name) {
  PyObject* obj = base[0];
  PyObject* meth = nullptr;
  const int found = _PyObject_GetMethod(obj, name, &meth);
  if (meth == nullptr) return -1;  // obj stays on the stack, as in ceval
  if (found) {
    base[0] = meth;  // meth | self
    base[1] = obj;
  } else {
    base[0] = nullptr;  // NULL | attr
    base[1] = meth;
    Py_DECREF(obj);
  }
  return 0;
}

namespace {

// PRECALL: [NULL, bound method] -> [im_func, im_self]. Nothing can observe the stack
// between PRECALL and CALL, so doing it here is the same as doing it there. True if it
// did (the specialised PRECALLs then deoptimise).
bool UnpackBoundMethod(PyObject** base) {
  PyObject* callable = base[1];
  if (base[0] != nullptr || !Py_IS_TYPE(callable, &PyMethod_Type)) return false;
  PyObject* func = PyMethod_GET_FUNCTION(callable);
  PyObject* self = PyMethod_GET_SELF(callable);
  Py_INCREF(func);
  Py_INCREF(self);
  base[0] = func;
  base[1] = self;
  Py_DECREF(callable);
  return true;
}

// [bound method, a1..an]: a bound method where LOAD_METHOD leaves an unbound one (the
// __exit__ that BEFORE_WITH pushed, called as exit(None, None, None)) is
// im_func(im_self, a1..an), run here directly when im_func is compiled (through the site's
// positional or keyword memory: an `__exit__(self, *args)` too): all n + 1 slots are
// stolen and the result written to base[0]. PJ_NOT_DIRECT, consuming nothing, else.
constexpr int kMaxBoundInMethodSlotArgs = 8;
PyObject* CallBoundInMethodSlot(PyThreadState* tstate, PyObject** base, int nargs,
                                CallCache* cache) {
  PyObject* bound = base[0];
  if (!Py_IS_TYPE(bound, &PyMethod_Type) || nargs >= kMaxBoundInMethodSlotArgs)
    return PJ_NOT_DIRECT;
  PyObject* func = PyMethod_GET_FUNCTION(bound);
  if (!Py_IS_TYPE(func, &PyFunction_Type)) return PJ_NOT_DIRECT;
  PyObject* args[kMaxBoundInMethodSlotArgs];
  args[0] = PyMethod_GET_SELF(bound);
  for (int i = 0; i < nargs; i++) args[i + 1] = base[i + 1];
  Py_INCREF(func);
  Py_INCREF(args[0]);
  auto* code = reinterpret_cast<PyCodeObject*>(PyFunction_GET_CODE(func));
  const bool positional_only = !(code->co_flags & (CO_VARARGS | CO_VARKEYWORDS)) &&
                               code->co_kwonlyargcount == 0;
  PyObject* res = positional_only
                      ? pj_call_cached(tstate, func, args, nargs + 1, &cache->py)
                      : pj_call_kw_cached(tstate, func, args, nargs + 1, nullptr, &cache->kw);
  if (res == PJ_NOT_DIRECT) {
    Py_DECREF(func);
    Py_DECREF(args[0]);
    return res;
  }
  base[0] = res;
  Py_DECREF(bound);
  return res;
}

constexpr int kCallFlags = kCallDescrFast | kCallDescrFastWithKeywords;

// The ml_flags of the method descriptors a site's specialised PRECALL (descr_fast:
// kCallDescrFast or kCallDescrFastWithKeywords) handles itself.
int SpecialisedDescrFlags(int descr_fast) {
  return descr_fast == kCallDescrFast ? METH_FASTCALL : (METH_FASTCALL | METH_KEYWORDS);
}

// The METH_* calling conventions the specialised handlers call directly (not METH_METHOD,
// whose functions also take the defining class).
bool DirectConvention(int flags) {
  if (flags & (METH_METHOD | METH_CLASS | METH_STATIC)) return false;
  switch (flags & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS)) {
    case METH_O: case METH_NOARGS: case METH_FASTCALL: case METH_FASTCALL | METH_KEYWORDS:
      return true;
    default:
      return false;
  }
}

// The METH_O builtins that warm CPython code calls without entering a recursion level
// (ceval.c's PRECALL_NO_KW_LEN and PRECALL_NO_KW_LIST_APPEND): builtins.len and list.append.
bool CalledWithoutRecursionCheck(const PyMethodDef* ml) {
  static const PyMethodDef* len_ml = nullptr;
  static const PyMethodDef* append_ml = nullptr;
  static bool looked = false;
  if (!looked) {
    looked = true;
    PyObject* builtins = PyImport_ImportModule("builtins");
    PyObject* len = builtins != nullptr ? PyObject_GetAttrString(builtins, "len") : nullptr;
    if (len != nullptr && PyCFunction_Check(len))
      len_ml = reinterpret_cast<PyCFunctionObject*>(len)->m_ml;  // static data
    Py_XDECREF(len);
    Py_XDECREF(builtins);
    PyObject* name = PyUnicode_FromString("append");
    PyObject* append = name != nullptr ? _PyType_Lookup(&PyList_Type, name) : nullptr;
    if (append != nullptr && Py_IS_TYPE(append, &PyMethodDescr_Type))
      append_ml = reinterpret_cast<PyMethodDescrObject*>(append)->d_method;
    Py_XDECREF(name);
    PyErr_Clear();
  }
  return ml == len_ml || ml == append_ml;
}

// Whether calling ml enters a recursion level, as its vectorcall in CPython does.
bool EntersRecursion(const PyMethodDef* ml) {
  const int conv = ml->ml_flags & (METH_FASTCALL | METH_NOARGS | METH_O);
  return (conv == METH_O && !CalledWithoutRecursionCheck(ml)) || conv == METH_NOARGS;
}

// The inline convention (CallCache::inline_conv) of ml for calls with nargs arguments
// (self not counted), or -1 if such calls must take the handler.
int InlineConvention(const PyMethodDef* ml, int nargs) {
  switch (ml->ml_flags & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS)) {
    case METH_O:
      if (nargs != 1) return -1;
      return CalledWithoutRecursionCheck(ml) ? kInlineOUnchecked : kInlineO;
    case METH_NOARGS: return nargs == 0 ? kInlineNoArgs : -1;
    case METH_FASTCALL: case METH_FASTCALL | METH_KEYWORDS: return kInlineFast;
    default: return -1;
  }
}

// Whether the machine code may call callable's vectorcall itself (x64 VectorCall does
// PyObject_Vectorcall's work, less its result check): not Python functions, which the handler
// runs directly once compiled, not bound methods, which PRECALL unpacks, and not method
// descriptors where the site's specialised PRECALL releases in its own order.
bool InlineVectorcall(PyObject* callable, int site_descr_fast) {
  if (Py_IS_TYPE(callable, &PyFunction_Type) || Py_IS_TYPE(callable, &PyMethod_Type))
    return false;
  if (site_descr_fast != 0 && Py_IS_TYPE(callable, &PyMethodDescr_Type)) return false;
  return PyVectorcall_Function(callable) != nullptr;
}

// Calls ml with self and nargs arguments; PJ_NOT_DIRECT if the count does not fit it.
PyObject* CallMethodDef(PyMethodDef* ml, PyObject* self, PyObject* const* args,
                        Py_ssize_t nargs) {
  if (InlineConvention(ml, static_cast<int>(nargs)) < 0) return PJ_NOT_DIRECT;
  const bool enter = EntersRecursion(ml);
  if (enter && Py_EnterRecursiveCall(" while calling a Python object")) return nullptr;
  PyObject* res;
  switch (ml->ml_flags & (METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS)) {
    case METH_O: res = ml->ml_meth(self, args[0]); break;
    case METH_NOARGS: res = ml->ml_meth(self, nullptr); break;
    case METH_FASTCALL:
      res = reinterpret_cast<_PyCFunctionFast>(reinterpret_cast<void (*)(void)>(ml->ml_meth))(
          self, args, nargs);
      break;
    default:
      res = reinterpret_cast<_PyCFunctionFastWithKeywords>(
          reinterpret_cast<void (*)(void)>(ml->ml_meth))(self, args, nargs, nullptr);
      break;
  }
  if (enter) Py_LeaveRecursiveCall();
  return res;
}

// After a specialised handler's call: the result into base[0], then the releases in
// CALL's order (the callable, then the arguments), or, where the site's PRECALL was seen
// specialised as a METH_FASTCALL method-descriptor call (descr_fast), in that
// instruction's order (the arguments after self, self, the descriptor).
PyObject* Finish(PyObject** base, PyObject* callable, PyObject** args, int total, PyObject* res,
                 bool specialised_order) {
  base[0] = res;
  if (specialised_order) {
    for (int i = 1; i < total; i++) Py_DECREF(args[i]);
    Py_DECREF(args[0]);
    Py_DECREF(callable);
    return res;
  }
  Py_XDECREF(callable);  // NULL: the callee's frame took them (pj_move_call_refs)
  for (int i = 0; i < total; i++) Py_XDECREF(args[i]);
  return res;
}

// The references of a call to a plain function whose arguments did not bind, released in
// the order ceval's CALL would have released them after moving them into the callee's new
// frame (initialize_locals, then the frame's clearing): surplus positional arguments at
// once (no *args); the keyword values from the first that fails to bind (unknown name,
// given twice, positional-only) on; then, as the frame is cleared, every local in order:
// the positional and keyword arguments in their parameters, the *args tuple (its items
// last to first), the **kwargs dict (insertion order); the function last.
void ReleaseAfterBindingFailed(PyObject* callable, PyObject** args, int total, PyObject* kwnames) {
  auto* code = reinterpret_cast<PyCodeObject*>(PyFunction_GET_CODE(callable));
  const int nkw = kwnames != nullptr ? static_cast<int>(PyTuple_GET_SIZE(kwnames)) : 0;
  const int npos = total - nkw;
  const int nparams = code->co_argcount + code->co_kwonlyargcount;
  const bool varargs = (code->co_flags & CO_VARARGS) != 0;
  const bool varkw = (code->co_flags & CO_VARKEYWORDS) != 0;
  const int placed = npos < code->co_argcount ? npos : code->co_argcount;
  if (!varargs)
    for (int i = placed; i < npos; i++) Py_DECREF(args[i]);
  // where each keyword value went: a parameter's index, kToKwargs, or nowhere (the loop
  // stopped at the first failure)
  constexpr int kToKwargs = -1, kUnbound = -2;
  std::vector<int> dest(static_cast<size_t>(nkw), kUnbound);
  std::vector<bool> filled(static_cast<size_t>(nparams), false);
  for (int j = 0; j < placed; j++) filled[static_cast<size_t>(j)] = true;
  int failed_at = nkw;
  for (int i = 0; i < nkw && failed_at == nkw; i++) {
    PyObject* name = PyTuple_GET_ITEM(kwnames, i);
    int found = -1;
    for (int j = code->co_posonlyargcount; j < nparams && found < 0; j++) {
      PyObject* param = PyTuple_GET_ITEM(code->co_localsplusnames, j);
      // two str (the call's TypeError stays set: comparing them cannot fail)
      if (param == name || PyUnicode_Compare(param, name) == 0) found = j;
    }
    if (found < 0) {
      if (varkw) dest[static_cast<size_t>(i)] = kToKwargs;
      else failed_at = i;
    } else if (filled[static_cast<size_t>(found)]) {
      failed_at = i;
    } else {
      filled[static_cast<size_t>(found)] = true;
      dest[static_cast<size_t>(i)] = found;
    }
  }
  for (int i = failed_at; i < nkw; i++) Py_DECREF(args[npos + i]);
  // the frame's clearing, local by local
  for (int j = 0; j < nparams; j++) {
    if (j < placed) {
      Py_DECREF(args[j]);
      continue;
    }
    for (int i = 0; i < failed_at; i++)
      if (dest[static_cast<size_t>(i)] == j) Py_DECREF(args[npos + i]);
  }
  if (varargs)
    for (int i = npos - 1; i >= placed; i--) Py_DECREF(args[i]);
  for (int i = 0; i < failed_at; i++)
    if (dest[static_cast<size_t>(i)] == kToKwargs) Py_DECREF(args[npos + i]);
  Py_DECREF(callable);
}

// str and int, which have no vectorcall in 3.11: called with one positional argument they
// are PyObject_Str and PyNumber_Long (rt_call_conversion).
bool IsConversion(PyObject* callable) {
  return callable == reinterpret_cast<PyObject*>(&PyUnicode_Type) ||
         callable == reinterpret_cast<PyObject*>(&PyLong_Type);
}

// Py_LT if callable is the builtin min, Py_GT if it is max, else -1: the same C function
// (PyMethodDef) as the builtins module's own, wherever the object was found.
int MinMaxOp(PyObject* callable) {
  static PyMethodDef *min_ml = nullptr, *max_ml = nullptr;
  if (!PyCFunction_CheckExact(callable)) return -1;
  if (min_ml == nullptr) {
    PyObject* builtins = PyImport_AddModule("builtins");  // borrowed; always loaded
    PyObject* min = builtins ? PyObject_GetAttrString(builtins, "min") : nullptr;
    PyObject* max = builtins ? PyObject_GetAttrString(builtins, "max") : nullptr;
    if (min != nullptr && max != nullptr && PyCFunction_CheckExact(min) &&
        PyCFunction_CheckExact(max)) {
      min_ml = reinterpret_cast<PyCFunctionObject*>(min)->m_ml;
      max_ml = reinterpret_cast<PyCFunctionObject*>(max)->m_ml;
    }
    Py_XDECREF(min);
    Py_XDECREF(max);
    if (min_ml == nullptr) {
      PyErr_Clear();  // builtins.min replaced before the first call: no fast path
      return -1;
    }
  }
  PyMethodDef* ml = reinterpret_cast<PyCFunctionObject*>(callable)->m_ml;
  return ml == min_ml ? Py_LT : ml == max_ml ? Py_GT : -1;
}

// rt_call_class(_new)'s guard: [NULL, the site's class], still called as type_call and
// unchanged since (its version tag: the same __init__ or __new__ and slots).
bool SameClass(PyObject** base, const CallCache* cache) {
  PyObject* callable = base[1];
  return base[0] == nullptr && callable == reinterpret_cast<PyObject*>(cache->cls) &&
         CalledAsType(callable) && cache->cls->tp_version_tag == cache->cls_version;
}

// A specialised handler that does not fit this call: back to the generic one.
PyObject* Miss(PyThreadState* tstate, PyObject** base, int oparg, PyObject* kwnames,
               CallCache* cache) {
  cache->handler = rt_call;
  ++cache->respecialisations;
  return rt_call(tstate, base, oparg, kwnames, cache);
}

}  // namespace

extern "C" PyObject* rt_call(PyThreadState* tstate, PyObject** base, int oparg, PyObject* kwnames,
                             CallCache* cache) {
  const int site_descr_fast = oparg & kCallFlags;
  int descr_fast = site_descr_fast;
  oparg &= ~kCallFlags;
  if (UnpackBoundMethod(base)) descr_fast = 0;
  const int is_meth = base[0] != nullptr;
  const int total = oparg + is_meth;
  PyObject* callable = base[1 - is_meth];
  PyObject** args = base + 2 - is_meth;
  const Py_ssize_t nkw = kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0;
  const bool specialise = cache->respecialisations < kMaxRespecialisations;
  if (kwnames == nullptr && !is_meth && oparg == 1 && IsConversion(callable)) {
    if (specialise) cache->handler = rt_call_conversion;  // its guards, just checked
    return rt_call_conversion(tstate, base, oparg, kwnames, cache);
  }
  if (kwnames == nullptr && !is_meth && oparg >= 2 && MinMaxOp(callable) >= 0) {
    if (specialise) cache->handler = rt_call_min_max;
    return rt_call_min_max(tstate, base, oparg, kwnames, cache);
  }
  if (nkw == 0) {
    if (is_meth) {
      PyObject* res = CallBoundInMethodSlot(tstate, base, total, cache);
      if (res != PJ_NOT_DIRECT) return res;
    }
    // A compiled Python function: its frame is pushed and run here, as ceval inlines calls
    // (the callee takes the callable's and the arguments' references).
    PyObject* res = pj_call_cached(tstate, callable, args, total, &cache->py);
    if (res != PJ_NOT_DIRECT) {
      if (specialise) cache->handler = rt_call_py;
      base[0] = res;
      return res;
    }
    // The kind of builtin callable the next calls may take straight to its C function.
    if (specialise && is_meth && Py_IS_TYPE(callable, &PyMethodDescr_Type)) {
      auto* descr = reinterpret_cast<PyMethodDescrObject*>(callable);
      PyMethodDef* ml = descr->d_method;
      if (DirectConvention(ml->ml_flags) && Py_IS_TYPE(args[0], descr->d_common.d_type)) {
        cache->ml = ml;
        cache->self_type = Py_TYPE(args[0]);
        cache->handler = rt_call_descr;
        // inline too, unless the site's specialised PRECALL would release in another order
        // than the machine code does for this kind (shim: Finish's specialised_order)
        const int conv = InlineConvention(ml, total - 1);
        if (conv >= 0 &&
            (site_descr_fast == 0 || ml->ml_flags == SpecialisedDescrFlags(site_descr_fast))) {
          cache->inline_ml = ml;
          cache->inline_self_type = Py_TYPE(args[0]);
          cache->inline_conv = static_cast<uint8_t>(conv);
        }
      }
    } else if (specialise && Py_IS_TYPE(callable, &PyCFunction_Type)) {
      PyMethodDef* ml = reinterpret_cast<PyCFunctionObject*>(callable)->m_ml;
      if (DirectConvention(ml->ml_flags) && !(ml->ml_flags & METH_NOARGS)) {
        cache->ml = ml;
        cache->handler = rt_call_cfunc;
        const int conv = InlineConvention(ml, total);
        if (conv >= 0 && !is_meth) {
          cache->inline_ml = ml;
          cache->inline_self_type = nullptr;
          cache->inline_conv = static_cast<uint8_t>(conv);
        }
      }
    }
  }
  if (!is_meth && CalledAsType(callable)) {
    auto* tp = reinterpret_cast<PyTypeObject*>(callable);
    PyObject* init = DirectInit(tp);
    if (init != nullptr) {
      // _PyType_Lookup gave the class a version tag, unless none was left
      if (specialise && (tp->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)) {
        cache->cls = tp;
        cache->cls_version = tp->tp_version_tag;
        cache->init = init;
        cache->handler = rt_call_class;
      }
      PyObject* res = Instantiate(tstate, base, total, kwnames, init, &cache->py, &cache->kw);
      base[0] = res;
      return res;
    }
    PyObject* wrapper = nullptr;
    unsigned version = 0;
    PyObject* new_func = total <= kNewMaxArgs ? DirectNew(tp, &wrapper, &version) : nullptr;
    if (new_func != nullptr) {
      if (specialise) {
        cache->cls = tp;
        cache->cls_version = version;
        cache->init = new_func;
        cache->new_wrapper = wrapper;
        cache->handler = rt_call_class_new;
      }
      PyObject* res = New(tstate, base, total, kwnames, new_func, &cache->py, &cache->kw);
      base[0] = res;
      return res;
    }
  }
  if (Py_IS_TYPE(callable, &PyFunction_Type)) {  // keywords, *args, **kwargs, kw-only
    PyObject* res = pj_call_kw_cached(tstate, callable, args, total, kwnames, &cache->kw);
    if (res != PJ_NOT_DIRECT) {
      if (specialise) cache->handler = rt_call_py;
      base[0] = res;
      return res;
    }
  }
  if (specialise && InlineVectorcall(callable, site_descr_fast)) cache->vectorcall = 1;
  // a plain function's frame takes the caller's references, as in ceval's CALL
  const bool move_refs = Py_IS_TYPE(callable, &PyFunction_Type);
  if (move_refs) pj_move_call_refs(base + 1 - is_meth, total + 1);
  PyObject* res = PyObject_Vectorcall(callable, args,
                                      static_cast<size_t>(total - nkw) |
                                          PY_VECTORCALL_ARGUMENTS_OFFSET,
                                      kwnames);
  if (move_refs) {
    pj_move_call_refs_done();
    if (base[1 - is_meth] == nullptr) {  // taken
      base[0] = res;
      return res;
    }
    if (res == nullptr) {  // the arguments did not bind: no frame ran
      ReleaseAfterBindingFailed(callable, args, total, kwnames);
      base[0] = res;
      return res;
    }
  }
  bool specialised_order = false;
  if (descr_fast && total >= 1 && Py_IS_TYPE(callable, &PyMethodDescr_Type)) {
    // Warm code: the interpreter runs PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST or
    // PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS here, which (when its guards pass)
    // releases the arguments after self first, then self, then the descriptor. When a
    // guard fails it deoptimises to the generic PRECALL/CALL, whose order is below.
    PyMethodDescrObject* descr = reinterpret_cast<PyMethodDescrObject*>(callable);
    specialised_order = descr->d_method->ml_flags == SpecialisedDescrFlags(descr_fast) &&
                        Py_IS_TYPE(args[0], descr->d_common.d_type);
  }
  return Finish(base, callable, args, total, res, specialised_order);
}

extern "C" PyObject* rt_call_py(PyThreadState* tstate, PyObject** base, int oparg,
                                PyObject* kwnames, CallCache* cache) {
  UnpackBoundMethod(base);
  const int is_meth = base[0] != nullptr;
  const int total = (oparg & ~kCallFlags) + is_meth;
  PyObject* callable = base[1 - is_meth];
  PyObject** args = base + 2 - is_meth;
  PyObject* res = kwnames == nullptr ? pj_call_cached(tstate, callable, args, total, &cache->py)
                                     : PJ_NOT_DIRECT;
  if (res == PJ_NOT_DIRECT)
    res = pj_call_kw_cached(tstate, callable, args, total, kwnames, &cache->kw);
  if (res != PJ_NOT_DIRECT) {
    base[0] = res;
    return res;
  }
  return Miss(tstate, base, oparg, kwnames, cache);
}

extern "C" PyObject* rt_call_class(PyThreadState* tstate, PyObject** base, int oparg,
                                   PyObject* kwnames, CallCache* cache) {
  // the same class, unchanged since: the same __init__, object.__new__ and slot_tp_init
  if (!SameClass(base, cache)) return Miss(tstate, base, oparg, kwnames, cache);
  PyObject* res = Instantiate(tstate, base, oparg & ~kCallFlags, kwnames, cache->init,
                              &cache->py, &cache->kw);
  base[0] = res;
  return res;
}

extern "C" PyObject* rt_call_class_new(PyThreadState* tstate, PyObject** base, int oparg,
                                       PyObject* kwnames, CallCache* cache) {
  // the same class, unchanged since (the same __new__, slot_tp_new and object_init), its
  // staticmethod still wrapping the same function
  const int nargs = oparg & ~kCallFlags;
  if (!SameClass(base, cache) ||
      (cache->new_wrapper != nullptr && !pyjion::rt::StillWraps(cache->new_wrapper, cache->init)) ||
      nargs > kNewMaxArgs)
    return Miss(tstate, base, oparg, kwnames, cache);
  PyObject* res = New(tstate, base, nargs, kwnames, cache->init, &cache->py, &cache->kw);
  base[0] = res;
  return res;
}

extern "C" PyObject* rt_call_conversion(PyThreadState* tstate, PyObject** base, int oparg,
                                        PyObject* kwnames, CallCache* cache) {
  if (kwnames != nullptr || base[0] != nullptr || (oparg & ~kCallFlags) != 1 ||
      !IsConversion(base[1]))
    return Miss(tstate, base, oparg, kwnames, cache);
  // type_call -> unicode_new / long_new with one positional argument and nothing else is
  // PyObject_Str / PyNumber_Long; the type object outlives the releases
  PyObject* arg = base[2];
  // (int of an exact str: what PyNumber_Long comes to after finding no __int__, __index__
  // or __trunc__ on str, without the special-method lookup)
  PyObject* res = base[1] == reinterpret_cast<PyObject*>(&PyUnicode_Type) ? PyObject_Str(arg)
                  : PyUnicode_CheckExact(arg) ? PyLong_FromUnicodeObject(arg, 10)
                                              : PyNumber_Long(arg);
  base[0] = res;
  Py_DECREF(arg);
  Py_DECREF(base[1]);
  return res;
}

extern "C" PyObject* rt_call_min_max(PyThreadState* tstate, PyObject** base, int oparg,
                                     PyObject* kwnames, CallCache* cache) {
  const int n = oparg & ~kCallFlags;
  const int op = kwnames == nullptr && base[0] == nullptr && n >= 2 ? MinMaxOp(base[1]) : -1;
  if (op < 0) return Miss(tstate, base, oparg, kwnames, cache);
  // bltinmodule.c's min_max over the positional arguments, no key: the first item that no
  // later one beats (item `op` best)
  PyObject** args = base + 2;
  PyObject* best = args[0];
  PyObject* res = nullptr;
  // as _PyObject_MakeTpCall, which calls the METH_VARARGS function
  if (!Py_EnterRecursiveCall(" while calling a Python object")) {
    res = best;
    for (int i = 1; i < n; i++) {
      const int cmp = PyObject_RichCompareBool(args[i], best, op);
      if (cmp < 0) {
        res = nullptr;
        break;
      }
      if (cmp > 0) best = res = args[i];
    }
    Py_LeaveRecursiveCall();
  }
  Py_XINCREF(res);
  base[0] = res;
  for (int i = 0; i < n; i++) Py_DECREF(args[i]);  // ceval's CALL: the arguments, then it
  Py_DECREF(base[1]);
  return res;
}

extern "C" PyObject* rt_call_descr(PyThreadState* tstate, PyObject** base, int oparg,
                                   PyObject* kwnames, CallCache* cache) {
  PyObject* callable = base[0];
  if (kwnames != nullptr || callable == nullptr || !Py_IS_TYPE(callable, &PyMethodDescr_Type) ||
      reinterpret_cast<PyMethodDescrObject*>(callable)->d_method != cache->ml ||
      !Py_IS_TYPE(base[1], cache->self_type))
    return Miss(tstate, base, oparg, kwnames, cache);
  const int descr_fast = oparg & kCallFlags;
  const int total = (oparg & ~kCallFlags) + 1;
  PyObject** args = base + 1;
  PyObject* res = CallMethodDef(cache->ml, args[0], args + 1, total - 1);
  if (res == PJ_NOT_DIRECT) return Miss(tstate, base, oparg, kwnames, cache);
  return Finish(base, callable, args, total, res,
                descr_fast && cache->ml->ml_flags == SpecialisedDescrFlags(descr_fast));
}

extern "C" PyObject* rt_call_cfunc(PyThreadState* tstate, PyObject** base, int oparg,
                                   PyObject* kwnames, CallCache* cache) {
  UnpackBoundMethod(base);
  const int is_meth = base[0] != nullptr;
  PyObject* callable = base[1 - is_meth];
  if (kwnames != nullptr || !Py_IS_TYPE(callable, &PyCFunction_Type) ||
      reinterpret_cast<PyCFunctionObject*>(callable)->m_ml != cache->ml)
    return Miss(tstate, base, oparg, kwnames, cache);
  const int total = (oparg & ~kCallFlags) + is_meth;
  PyObject** args = base + 2 - is_meth;
  PyObject* res = CallMethodDef(cache->ml, PyCFunction_GET_SELF(callable), args, total);
  if (res == PJ_NOT_DIRECT) return Miss(tstate, base, oparg, kwnames, cache);
  return Finish(base, callable, args, total, res, false);
}

namespace {

// The function that func(*callargs, **kwargs) could call directly: a plain function or a
// method bound to one (then *self is set), called with an exact tuple of at most
// PJ_KW_MAX_ARGS arguments and no keyword arguments (an empty dict is none: `f(*args,
// **kwargs)` in a decorator's wrapper); *binds when its parameters are not all positional
// (*args, **kwargs, keyword-only ones: pj_call_kw_cached binds them). NULL otherwise; the
// common miss, a wrapper calling a wrapper, costs only this.
constexpr Py_ssize_t kMaxDirectArgs = PJ_KW_MAX_ARGS;

inline PyObject* DirectCallee(PyObject* func, PyObject* callargs, PyObject* kwargs,
                              PyObject** self, bool* binds) {
  constexpr int kNotPositional = CO_VARARGS | CO_VARKEYWORDS;
  if (kwargs != nullptr && PyDict_GET_SIZE(kwargs) != 0) return nullptr;
  if (Py_IS_TYPE(func, &PyMethod_Type)) {
    *self = PyMethod_GET_SELF(func);
    func = PyMethod_GET_FUNCTION(func);
  }
  if (!Py_IS_TYPE(func, &PyFunction_Type)) return nullptr;
  const auto* code = reinterpret_cast<PyCodeObject*>(PyFunction_GET_CODE(func));
  *binds = (code->co_flags & kNotPositional) != 0 || code->co_kwonlyargcount != 0;
  if (PyTuple_GET_SIZE(callargs) + (*self != nullptr) > kMaxDirectArgs) return nullptr;
  return func;
}

// func([self,] *callargs) as a direct call of compiled code, the callee's frame taking
// references of its own (binds: through pj_call_kw_cached, which binds *args, **kwargs and
// keyword-only defaults); PJ_NOT_DIRECT if func is not compiled (or tracing is on).
__attribute__((noinline)) PyObject* CallDirectFromTuple(PyThreadState* tstate, PyObject* func,
                                                        PyObject* self, PyObject* callargs,
                                                        bool binds, ExCallCache* cache) {
  const Py_ssize_t nargs = PyTuple_GET_SIZE(callargs) + (self != nullptr);
  if (!binds && !pj_can_call_direct(tstate, func, nargs)) return PJ_NOT_DIRECT;
  PyObject* args[kMaxDirectArgs];
  Py_ssize_t i = 0;
  if (self != nullptr) args[i++] = Py_NewRef(self);
  for (Py_ssize_t k = 0; i < nargs; k++) args[i++] = Py_NewRef(PyTuple_GET_ITEM(callargs, k));
  PyObject* res = binds ? pj_call_kw_cached(tstate, Py_NewRef(func), args, nargs, nullptr,
                                            &cache->kw)
                        : pj_call_cached(tstate, Py_NewRef(func), args, nargs, &cache->pos);
  if (res != PJ_NOT_DIRECT) return res;  // the call took the references
  Py_DECREF(func);
  for (i = 0; i < nargs; i++) Py_DECREF(args[i]);
  return PJ_NOT_DIRECT;
}

}  // namespace

extern "C" PyObject* rt_call_function_ex(PyThreadState* tstate, PyObject** base,
                                         int has_kwargs, ExCallCache* cache) {
  // base[0] is the NULL pushed by the compiler (PUSH_NULL); ceval asserts it.
  PyObject* func = base[1];
  PyObject* callargs = base[2];
  PyObject* kwargs = has_kwargs ? base[3] : nullptr;
  PyObject* result = nullptr;
  if (kwargs != nullptr && !PyDict_CheckExact(kwargs)) {
    PyObject* d = PyDict_New();
    if (d == nullptr) goto done;
    if (_PyDict_MergeEx(d, kwargs, 2) < 0) {
      Py_DECREF(d);
      pyjion::rt::FormatKwargsError(func, kwargs);
      goto done;
    }
    Py_SETREF(kwargs, d);
  }
  if (!PyTuple_CheckExact(callargs)) {
    if (CheckArgsIterable(tstate, func, callargs) < 0) goto done;
    PyObject* t = PySequence_Tuple(callargs);
    if (t == nullptr) goto done;
    Py_SETREF(callargs, t);
  }
  {
    PyObject* self = nullptr;
    bool binds = false;
    PyObject* callee = DirectCallee(func, callargs, kwargs, &self, &binds);
    result = callee != nullptr
                 ? CallDirectFromTuple(tstate, callee, self, callargs, binds, cache)
                 : PJ_NOT_DIRECT;
  }
  // do_call_core without tracing is PyObject_Call for every kind of callable.
  if (result == PJ_NOT_DIRECT) result = PyObject_Call(func, callargs, kwargs);
  base[0] = result;
done:
  Py_DECREF(func);
  Py_DECREF(callargs);
  Py_XDECREF(kwargs);
  return result;
}

extern "C" PyObject* rt_make_function(PjFrame* frame, PyObject** base, int flags) {
  int n = 0;
  for (int bit = 1; bit <= 8; bit <<= 1) n += (flags & bit) ? 1 : 0;
  PyObject* code = base[n];
  PyObject* func = PyFunction_New(code, frame->f_globals);
  Py_DECREF(code);
  if (func == nullptr) {
    for (int i = n - 1; i >= 0; --i) Py_DECREF(base[i]);
    return nullptr;
  }
  // Popped from the top: closure, annotations, kwdefaults, defaults. The new function's
  // fields are all NULL, so the references move in without releasing anything.
  auto* f = reinterpret_cast<PyFunctionObject*>(func);
  int top = n - 1;
  if (flags & 0x08) f->func_closure = base[top--];
  if (flags & 0x04) f->func_annotations = base[top--];
  if (flags & 0x02) f->func_kwdefaults = base[top--];
  if (flags & 0x01) f->func_defaults = base[top--];
  base[0] = func;
  return func;
}

extern "C" PyObject* rt_load_build_class(PyThreadState* tstate, PjFrame* frame) {
  PyObject* key = g_build_class.get();
  if (key == nullptr) return nullptr;
  PyObject* builtins = frame->f_builtins;
  if (PyDict_CheckExact(builtins)) {
    PyObject* bc = _PyDict_GetItemWithError(builtins, key);
    if (bc == nullptr) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_NameError, "__build_class__ not found");
      return nullptr;
    }
    Py_INCREF(bc);
    return bc;
  }
  PyObject* bc = PyObject_GetItem(builtins, key);
  if (bc == nullptr && PyErr_ExceptionMatches(PyExc_KeyError)) {
    PyErr_SetString(PyExc_NameError, "__build_class__ not found");
  }
  return bc;
}

extern "C" PyObject* rt_get_len(PyObject* obj) {
  const Py_ssize_t len = PyObject_Length(obj);
  if (len < 0) return nullptr;
  return PyLong_FromSsize_t(len);
}

extern "C" int rt_print_expr(PyThreadState* tstate, PyObject* value) {
  PyObject* name = g_displayhook.get();
  PyObject* hook = name != nullptr ? _PySys_GetAttr(tstate, name) : nullptr;  // borrowed
  if (hook == nullptr) {
    if (name != nullptr) PyErr_SetString(PyExc_RuntimeError, "lost sys.displayhook");
    Py_DECREF(value);
    return -1;
  }
  PyObject* res = PyObject_CallOneArg(hook, value);
  Py_DECREF(value);
  if (res == nullptr) return -1;
  Py_DECREF(res);
  return 0;
}

extern "C" int rt_setup_annotations(PyThreadState* tstate, PjFrame* frame) {
  PyObject* locals = frame->f_locals;
  if (locals == nullptr) {
    PyErr_Format(PyExc_SystemError, "no locals found when setting up annotations");
    return -1;
  }
  PyObject* key = g_annotations.get();
  if (key == nullptr) return -1;
  if (PyDict_CheckExact(locals)) {
    PyObject* ann = _PyDict_GetItemWithError(locals, key);
    if (ann != nullptr) return 0;
    if (PyErr_Occurred()) return -1;
    ann = PyDict_New();
    if (ann == nullptr) return -1;
    const int err = PyDict_SetItem(locals, key, ann);
    Py_DECREF(ann);
    return err != 0 ? -1 : 0;
  }
  PyObject* ann = PyObject_GetItem(locals, key);
  if (ann != nullptr) {
    Py_DECREF(ann);
    return 0;
  }
  if (!PyErr_ExceptionMatches(PyExc_KeyError)) return -1;
  PyErr_Clear();
  ann = PyDict_New();
  if (ann == nullptr) return -1;
  const int err = PyObject_SetItem(locals, key, ann);
  Py_DECREF(ann);
  return err != 0 ? -1 : 0;
}

// ceval's import_name.
static PyObject* ImportName(PyThreadState* tstate, PjFrame* frame, PyObject* name,
                            PyObject* fromlist, PyObject* level) {
  PyObject* key = g_import.get();
  if (key == nullptr) return nullptr;
  PyObject* import_func = _PyDict_GetItemWithError(frame->f_builtins, key);
  if (import_func == nullptr) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ImportError, "__import__ not found");
    return nullptr;
  }
  PyObject* locals = frame->f_locals != nullptr ? frame->f_locals : Py_None;
  if (IsOriginalImport(import_func)) {  // not overloaded: straight to the import machinery
    const int ilevel = _PyLong_AsInt(level);
    if (ilevel == -1 && PyErr_Occurred()) return nullptr;
    return PyImport_ImportModuleLevelObject(name, frame->f_globals, locals, fromlist, ilevel);
  }
  Py_INCREF(import_func);
  PyObject* stack[5] = {name, frame->f_globals, locals, fromlist, level};
  PyObject* res = PyObject_Vectorcall(import_func, stack, 5, nullptr);
  Py_DECREF(import_func);
  return res;
}

extern "C" PyObject* rt_import_name(PyThreadState* tstate, PjFrame* frame, PyObject* name,
                                    PyObject* level, PyObject* fromlist) {
  PyObject* res = ImportName(tstate, frame, name, fromlist, level);
  Py_DECREF(level);
  Py_DECREF(fromlist);
  return res;
}

extern "C" PyObject* rt_import_from(PyThreadState* tstate, PyObject* v, PyObject* name) {
  PyObject* x;
  if (_PyObject_LookupAttr(v, name, &x) != 0) return x;
  // Issue #17636: a circular relative import may have left the submodule only in
  // sys.modules; fall back on sys.modules["pkg.name"].
  PyObject *fullmodname, *pkgpath, *pkgname_or_unknown, *errmsg;
  PyObject* pkgname = nullptr;
  PyObject* name_key = g_name.get();
  if (name_key == nullptr) return nullptr;
  pkgname = PyObject_GetAttr(v, name_key);
  if (pkgname == nullptr) goto error;
  if (!PyUnicode_Check(pkgname)) {
    Py_CLEAR(pkgname);
    goto error;
  }
  fullmodname = PyUnicode_FromFormat("%U.%U", pkgname, name);
  if (fullmodname == nullptr) {
    Py_DECREF(pkgname);
    return nullptr;
  }
  x = PyImport_GetModule(fullmodname);
  Py_DECREF(fullmodname);
  if (x == nullptr && !PyErr_Occurred()) goto error;
  Py_DECREF(pkgname);
  return x;
error:
  pkgpath = PyModule_GetFilenameObject(v);
  if (pkgname == nullptr) {
    pkgname_or_unknown = PyUnicode_FromString("<unknown module name>");
    if (pkgname_or_unknown == nullptr) {
      Py_XDECREF(pkgpath);
      return nullptr;
    }
  } else {
    pkgname_or_unknown = pkgname;
  }
  if (pkgpath == nullptr || !PyUnicode_Check(pkgpath)) {
    PyErr_Clear();
    errmsg = PyUnicode_FromFormat("cannot import name %R from %R (unknown location)", name,
                                  pkgname_or_unknown);
    // PyErr_SetImportError checks errmsg and pkgname for NULL.
    PyErr_SetImportError(errmsg, pkgname, nullptr);
  } else {
    PyObject* spec_key = g_spec.get();
    PyObject* spec = spec_key != nullptr ? PyObject_GetAttr(v, spec_key) : nullptr;
    const char* fmt = _PyModuleSpec_IsInitializing(spec)
                          ? "cannot import name %R from partially initialized module %R "
                            "(most likely due to a circular import) (%S)"
                          : "cannot import name %R from %R (%S)";
    Py_XDECREF(spec);
    errmsg = PyUnicode_FromFormat(fmt, name, pkgname_or_unknown, pkgpath);
    PyErr_SetImportError(errmsg, pkgname, pkgpath);
  }
  Py_XDECREF(errmsg);
  Py_XDECREF(pkgname_or_unknown);
  Py_XDECREF(pkgpath);
  return nullptr;
}

extern "C" int rt_import_star(PyThreadState* tstate, PjFrame* frame, PyObject* module) {
  // ceval works on the interpreter frame directly (_PyFrame_FastToLocalsWithError); the
  // exported equivalents take the frame object, which then knows to copy back.
  PyObject* f = pj_frame_object(frame);
  if (f == nullptr) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_SystemError, "no frame object for 'import *'");
    Py_DECREF(module);
    return -1;
  }
  if (PyFrame_FastToLocalsWithError(reinterpret_cast<PyFrameObject*>(f)) < 0) {
    Py_DECREF(module);
    return -1;
  }
  PyObject* locals = frame->f_locals;
  if (locals == nullptr) {
    PyErr_SetString(PyExc_SystemError, "no locals found during 'import *'");
    Py_DECREF(module);
    return -1;
  }
  const int err = ImportAllFrom(tstate, locals, module);
  PyFrame_LocalsToFast(reinterpret_cast<PyFrameObject*>(f), 0);
  Py_DECREF(module);
  return err != 0 ? -1 : 0;
}
