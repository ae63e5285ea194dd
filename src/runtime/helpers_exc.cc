// Runtime helpers of the exception, `with` and pattern-matching family. Each mirrors the
// corresponding opcode body (or static helper: do_raise, check_except_type_valid,
// match_keys, match_class) of CPython 3.11's Python/ceval.c, including its error messages
// and reference counting; see helpers_exc.h for the contract of each.
#include "runtime/helpers_exc.h"

#include "runtime/helpers_call.h"
#include "runtime/interned.h"

// The public headers map _PyObject_LookupSpecial to the _Py_Identifier variant for old
// extensions; ceval's BEFORE_WITH uses the exported PyObject* one (pycore_object.h).
#undef _PyObject_LookupSpecial
extern "C" PyObject* _PyObject_LookupSpecial(PyObject* self, PyObject* attr);

namespace {

using pyjion::rt::InternedName;

InternedName g_enter("__enter__");
InternedName g_exit("__exit__");
InternedName g_get("get");

constexpr const char* kCannotCatchMsg =
    "catching classes that do not inherit from BaseException is not allowed";

// ceval's check_except_type_valid: 0, or -1 with TypeError.
int CheckExceptTypeValid(PyThreadState* tstate, PyObject* right) {
  if (PyTuple_Check(right)) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(right); ++i) {
      if (!PyExceptionClass_Check(PyTuple_GET_ITEM(right, i))) {
        PyErr_SetString(PyExc_TypeError, kCannotCatchMsg);
        return -1;
      }
    }
  } else if (!PyExceptionClass_Check(right)) {
    PyErr_SetString(PyExc_TypeError, kCannotCatchMsg);
    return -1;
  }
  return 0;
}

// do_raise's bare `raise`: re-raise the topmost handled exception. 1, or 0 with
// RuntimeError when there is none.
int ReraiseHandled(PyThreadState* tstate) {
  _PyErr_StackItem* exc_info = _PyErr_GetTopmostException(tstate);
  PyObject* value = exc_info->exc_value;
  if (value == nullptr || value == Py_None) {
    PyErr_SetString(PyExc_RuntimeError, "No active exception to reraise");
    return 0;
  }
  PyObject* type = Py_NewRef(PyExceptionInstance_Class(value));
  Py_INCREF(value);
  PyErr_Restore(type, value, PyException_GetTraceback(value));
  return 1;
}

// do_raise's `cause` handling: the exception to store as __cause__ (a new reference, or
// NULL for None) in *fixed. Consumes cause. -1 with an exception set on failure.
int FixCause(PyObject* cause, PyObject** fixed) {
  if (PyExceptionClass_Check(cause)) {
    *fixed = PyObject_CallNoArgs(cause);
    Py_DECREF(cause);
    return *fixed == nullptr ? -1 : 0;
  }
  if (PyExceptionInstance_Check(cause)) {
    *fixed = cause;
    return 0;
  }
  if (cause == Py_None) {
    Py_DECREF(cause);
    *fixed = nullptr;
    return 0;
  }
  PyErr_SetString(PyExc_TypeError, "exception causes must derive from BaseException");
  Py_DECREF(cause);
  return -1;
}

}  // namespace

extern "C" long rt_raise(PyThreadState* tstate, PyObject* exc, PyObject* cause) {
  if (exc == nullptr) return ReraiseHandled(tstate);
  PyObject *type, *value;
  if (PyExceptionClass_Check(exc)) {
    type = exc;
    value = PyObject_CallNoArgs(exc);
    if (value == nullptr) goto raise_error;
    if (!PyExceptionInstance_Check(value)) {
      PyErr_Format(PyExc_TypeError,
                   "calling %R should have returned an instance of BaseException, not %R",
                   type, Py_TYPE(value));
      goto raise_error;
    }
  } else if (PyExceptionInstance_Check(exc)) {
    value = exc;
    type = Py_NewRef(PyExceptionInstance_Class(exc));
  } else {
    Py_DECREF(exc);
    PyErr_SetString(PyExc_TypeError, "exceptions must derive from BaseException");
    Py_XDECREF(cause);
    return 0;
  }
  if (cause != nullptr) {
    PyObject* fixed;
    const int err = FixCause(cause, &fixed);
    cause = nullptr;  // consumed
    if (err < 0) goto raise_error;
    PyException_SetCause(value, fixed);  // steals fixed
  }
  PyErr_SetObject(type, value);  // chains __context__ from the handled exception
  Py_DECREF(value);
  Py_DECREF(type);
  return 0;

raise_error:
  Py_XDECREF(value);
  Py_DECREF(type);
  Py_XDECREF(cause);
  return 0;
}

extern "C" int rt_reraise(PjFrame* frame, PyObject* exc, PyObject* lasti) {
  if (lasti != nullptr) {
    if (!PyLong_Check(lasti)) {
      PyErr_SetString(PyExc_SystemError, "lasti is not an int");
      return -1;
    }
    frame->prev_instr =
        reinterpret_cast<uint16_t*>(_PyCode_CODE(frame->f_code)) + PyLong_AsLong(lasti);
  }
  PyObject* type = Py_NewRef(PyExceptionInstance_Class(exc));
  PyErr_Restore(type, exc, PyException_GetTraceback(exc));
  return 0;
}

extern "C" void rt_push_exc_info(PyThreadState* tstate, PyObject** top) {
  PyObject* value = top[0];
  _PyErr_StackItem* exc_info = tstate->exc_info;
  top[0] = exc_info->exc_value != nullptr ? exc_info->exc_value : Py_NewRef(Py_None);
  top[1] = Py_NewRef(value);
  exc_info->exc_value = value;  // the reference the stack slot held
}

extern "C" void rt_pop_except(PyThreadState* tstate, PyObject* prev_exc) {
  _PyErr_StackItem* exc_info = tstate->exc_info;
  PyObject* value = exc_info->exc_value;
  exc_info->exc_value = prev_exc;
  Py_XDECREF(value);
}

extern "C" long rt_check_exc_match(PyThreadState* tstate, PyObject* exc, PyObject* type) {
  if (CheckExceptTypeValid(tstate, type) < 0) {
    Py_DECREF(type);
    return -1;
  }
  const int res = PyErr_GivenExceptionMatches(exc, type);
  Py_DECREF(type);
  return res;
}

extern "C" PyObject* rt_check_exc_match_obj(PyThreadState* tstate, PyObject* exc,
                                            PyObject* type) {
  const long res = rt_check_exc_match(tstate, exc, type);
  if (res < 0) return nullptr;
  return Py_NewRef(res ? Py_True : Py_False);
}

namespace {

// A special method a WithCache may hold for mgr's class: binding it to mgr (and to any
// other instance of exactly that class) runs no Python code and cannot fail its type check.
bool CacheableSpecial(PyObject* attr, PyObject* mgr) {
  if (Py_IS_TYPE(attr, &PyFunction_Type)) return true;
  return Py_IS_TYPE(attr, &PyMethodDescr_Type) &&
         PyObject_TypeCheck(mgr, reinterpret_cast<PyDescrObject*>(attr)->d_type);
}

// _PyObject_LookupSpecial's result for a class attribute CacheableSpecial accepted.
PyObject* BindSpecial(PyObject* attr, PyObject* mgr) {
  if (Py_IS_TYPE(attr, &PyFunction_Type)) return PyMethod_New(attr, mgr);
  return Py_TYPE(attr)->tp_descr_get(attr, mgr, reinterpret_cast<PyObject*>(Py_TYPE(mgr)));
}

// Remembers mgr's class when both special methods are cacheable (looked up again: the
// lookups just made may have run a descriptor's __get__).
void FillWithCache(WithCache* cache, PyObject* mgr, PyObject* enter_name, PyObject* exit_name) {
  PyTypeObject* tp = Py_TYPE(mgr);
  if (!(tp->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)) return;
  PyObject* enter = _PyType_Lookup(tp, enter_name);
  PyObject* exit = _PyType_Lookup(tp, exit_name);
  if (enter == nullptr || exit == nullptr || !CacheableSpecial(enter, mgr) ||
      !CacheableSpecial(exit, mgr))
    return;
  cache->type = tp;
  cache->version = tp->tp_version_tag;
  cache->enter = enter;
  cache->exit = exit;
}

// The cached path: the class's own __exit__ bound to mgr, __enter__ called with mgr (a
// compiled function directly). `enter` is a new reference, released here.
PyObject* EnterCached(PyObject** top, PyObject* enter, PyObject* exit_attr, PjCallCache* py) {
  PyObject* mgr = top[0];
  PyObject* exit = BindSpecial(exit_attr, mgr);
  if (exit == nullptr) {
    Py_DECREF(enter);
    return nullptr;
  }
  top[0] = exit;
  Py_DECREF(mgr);  // exit holds it
  PyObject* res = Py_IS_TYPE(enter, &PyFunction_Type)
                      ? pyjion::rt::CallFunction<1>(enter, {mgr}, py)
                      : PyObject_Vectorcall(enter, &mgr, 1, nullptr);
  Py_DECREF(enter);
  return res;
}

}  // namespace

PyObject* pyjion::rt::EnterContext(PyObject** top, PyObject* enter_name, PyObject* exit_name,
                                   const char* protocol, WithCache* cache) {
  if (enter_name == nullptr || exit_name == nullptr) return nullptr;  // MemoryError, top[0] kept
  PyObject* mgr = top[0];
  PyTypeObject* tp = Py_TYPE(mgr);
  if (cache != nullptr && cache->type == tp && tp->tp_version_tag == cache->version) {
    // held across the binding, which may collect garbage whose finalizer changes the class
    return EnterCached(top, Py_NewRef(cache->enter), cache->exit, &cache->enter_py);
  }
  PyObject* enter = _PyObject_LookupSpecial(mgr, enter_name);
  if (enter == nullptr) {
    if (!PyErr_Occurred()) {
      PyErr_Format(PyExc_TypeError, "'%.200s' object does not support the %s protocol",
                   Py_TYPE(mgr)->tp_name, protocol);
    }
    return nullptr;
  }
  PyObject* exit = _PyObject_LookupSpecial(mgr, exit_name);
  if (exit == nullptr) {
    if (!PyErr_Occurred()) {
      PyErr_Format(PyExc_TypeError,
                   "'%.200s' object does not support the %s protocol (missed %U method)",
                   Py_TYPE(mgr)->tp_name, protocol, exit_name);
    }
    Py_DECREF(enter);
    return nullptr;
  }
  if (cache != nullptr) FillWithCache(cache, mgr, enter_name, exit_name);
  top[0] = exit;
  Py_DECREF(mgr);
  PyObject* res = PyObject_CallNoArgs(enter);
  Py_DECREF(enter);
  return res;
}

extern "C" PyObject* rt_before_with(PyThreadState* tstate, PyObject** top, WithCache* cache) {
  (void)tstate;
  return pyjion::rt::EnterContext(top, g_enter.get(), g_exit.get(), "context manager", cache);
}

extern "C" PyObject* rt_with_except_start(PyObject* exit_func, PyObject* exc) {
  PyObject* tb = PyException_GetTraceback(exc);
  Py_XDECREF(tb);  // borrowed from here on, as in ceval (exc keeps it alive)
  PyObject* stack[4] = {nullptr, reinterpret_cast<PyObject*>(PyExceptionInstance_Class(exc)),
                        exc, tb != nullptr ? tb : Py_None};
  return PyObject_Vectorcall(exit_func, stack + 1, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr);
}

extern "C" PyObject* rt_match_mapping(PyObject* subject) {
  return Py_NewRef(Py_TYPE(subject)->tp_flags & Py_TPFLAGS_MAPPING ? Py_True : Py_False);
}

extern "C" PyObject* rt_match_sequence(PyObject* subject) {
  return Py_NewRef(Py_TYPE(subject)->tp_flags & Py_TPFLAGS_SEQUENCE ? Py_True : Py_False);
}

extern "C" PyObject* rt_match_keys(PyThreadState* tstate, PyObject* map, PyObject* keys) {
  const Py_ssize_t nkeys = PyTuple_GET_SIZE(keys);
  if (nkeys == 0) return PyTuple_New(0);  // no keys means no items
  PyObject *seen = nullptr, *dummy = nullptr, *values = nullptr, *get = nullptr;
  // map.get(key, dummy): checks for the key and fetches its value in one call, and does
  // not trigger __missing__ in dict subclasses.
  const int meth_found = _PyObject_GetMethod(map, g_get.get(), &get);
  if (get == nullptr) goto fail;
  seen = PySet_New(nullptr);
  if (seen == nullptr) goto fail;
  dummy = PyObject_CallNoArgs(reinterpret_cast<PyObject*>(&PyBaseObject_Type));
  if (dummy == nullptr) goto fail;
  values = PyTuple_New(nkeys);
  if (values == nullptr) goto fail;
  for (Py_ssize_t i = 0; i < nkeys; ++i) {
    PyObject* key = PyTuple_GET_ITEM(keys, i);
    if (PySet_Contains(seen, key) || PySet_Add(seen, key)) {
      if (!PyErr_Occurred()) {
        PyErr_Format(PyExc_ValueError, "mapping pattern checks duplicate key (%R)", key);
      }
      goto fail;
    }
    PyObject* args[] = {map, key, dummy};
    PyObject* value = meth_found ? PyObject_Vectorcall(get, args, 3, nullptr)
                                 : PyObject_Vectorcall(get, &args[1], 2, nullptr);
    if (value == nullptr) goto fail;
    if (value == dummy) {  // key not in map
      Py_DECREF(value);
      Py_DECREF(values);
      values = Py_NewRef(Py_None);
      break;
    }
    PyTuple_SET_ITEM(values, i, value);
  }
  Py_DECREF(get);
  Py_DECREF(seen);
  Py_DECREF(dummy);
  return values;
fail:
  Py_XDECREF(get);
  Py_XDECREF(seen);
  Py_XDECREF(dummy);
  Py_XDECREF(values);
  return nullptr;
}

namespace {

// ceval's match_class_attr: subject.name, NULL without an exception when it is missing,
// TypeError for a repeated name.
PyObject* MatchClassAttr(PyObject* subject, PyObject* type, PyObject* name, PyObject* seen) {
  if (PySet_Contains(seen, name) || PySet_Add(seen, name)) {
    if (!PyErr_Occurred()) {
      PyErr_Format(PyExc_TypeError, "%s() got multiple sub-patterns for attribute %R",
                   reinterpret_cast<PyTypeObject*>(type)->tp_name, name);
    }
    return nullptr;
  }
  PyObject* attr = PyObject_GetAttr(subject, name);
  if (attr == nullptr && PyErr_ExceptionMatches(PyExc_AttributeError)) PyErr_Clear();
  return attr;
}

// ceval's match_class positional part: appends the nargs positional sub-pattern
// attributes to attrs. 0, or -1 (no match, or an error when one is set).
int MatchClassPositional(PyObject* subject, PyObject* type, Py_ssize_t nargs,
                         PyObject* attrs, PyObject* seen) {
  auto* tp = reinterpret_cast<PyTypeObject*>(type);
  int match_self = 0;
  PyObject* match_args = PyObject_GetAttrString(type, "__match_args__");
  if (match_args != nullptr) {
    if (!PyTuple_CheckExact(match_args)) {
      PyErr_Format(PyExc_TypeError, "%s.__match_args__ must be a tuple (got %s)", tp->tp_name,
                   Py_TYPE(match_args)->tp_name);
      Py_DECREF(match_args);
      return -1;
    }
  } else if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
    PyErr_Clear();
    // _Py_TPFLAGS_MATCH_SELF counts only when the type defines no __match_args__.
    match_args = PyTuple_New(0);
    if (match_args == nullptr) return -1;
    match_self = PyType_HasFeature(tp, _Py_TPFLAGS_MATCH_SELF);
  } else {
    return -1;
  }
  int result = 0;
  const Py_ssize_t allowed = match_self ? 1 : PyTuple_GET_SIZE(match_args);
  if (allowed < nargs) {
    PyErr_Format(PyExc_TypeError, "%s() accepts %d positional sub-pattern%s (%d given)",
                 tp->tp_name, static_cast<int>(allowed), allowed == 1 ? "" : "s",
                 static_cast<int>(nargs));
    result = -1;
  } else if (match_self) {
    PyList_Append(attrs, subject);
  } else {
    for (Py_ssize_t i = 0; i < nargs; ++i) {
      PyObject* name = PyTuple_GET_ITEM(match_args, i);
      if (!PyUnicode_CheckExact(name)) {
        PyErr_Format(PyExc_TypeError, "__match_args__ elements must be strings (got %s)",
                     Py_TYPE(name)->tp_name);
        result = -1;
        break;
      }
      PyObject* attr = MatchClassAttr(subject, type, name, seen);
      if (attr == nullptr) {
        result = -1;
        break;
      }
      PyList_Append(attrs, attr);
      Py_DECREF(attr);
    }
  }
  Py_DECREF(match_args);
  return result;
}

// ceval's match_class: a tuple of the extracted attributes, or NULL (no match when no
// exception is set).
PyObject* MatchClass(PyObject* subject, PyObject* type, Py_ssize_t nargs, PyObject* kwargs) {
  if (!PyType_Check(type)) {
    PyErr_SetString(PyExc_TypeError, "called match pattern must be a type");
    return nullptr;
  }
  if (PyObject_IsInstance(subject, type) <= 0) return nullptr;
  PyObject* seen = PySet_New(nullptr);
  if (seen == nullptr) return nullptr;
  PyObject* attrs = PyList_New(0);
  if (attrs == nullptr) {
    Py_DECREF(seen);
    return nullptr;
  }
  bool ok = nargs == 0 || MatchClassPositional(subject, type, nargs, attrs, seen) == 0;
  for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(kwargs); ++i) {
    PyObject* attr = MatchClassAttr(subject, type, PyTuple_GET_ITEM(kwargs, i), seen);
    if (attr == nullptr) {
      ok = false;
      break;
    }
    PyList_Append(attrs, attr);
    Py_DECREF(attr);
  }
  PyObject* result = ok ? PyList_AsTuple(attrs) : nullptr;
  Py_DECREF(attrs);
  Py_DECREF(seen);
  return result;
}

}  // namespace

extern "C" PyObject* rt_match_class(PyThreadState* tstate, PyObject** base, int count) {
  PyObject* subject = base[0];
  PyObject* type = base[1];
  PyObject* names = base[2];
  PyObject* attrs = MatchClass(subject, type, count, names);
  Py_DECREF(names);
  Py_DECREF(type);
  if (attrs == nullptr) {
    if (PyErr_Occurred()) return nullptr;  // subject stays in base[0] for the unwinder
    attrs = Py_NewRef(Py_None);
  }
  base[0] = attrs;
  Py_DECREF(subject);
  return attrs;
}
