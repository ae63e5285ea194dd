// Runtime helpers of generator and coroutine bodies run compiled: GET_YIELD_FROM_ITER,
// SEND, GET_AWAITABLE, BEFORE_ASYNC_WITH, GET_AITER, GET_ANEXT and END_ASYNC_FOR, as in
// CPython 3.11's Python/ceval.c (and Objects/genobject.c for what ceval calls there).
#include "runtime/helpers_gen.h"

#include "runtime/helpers_exc.h"
#include "runtime/interned.h"
#include "runtime/shim.h"

namespace {

pyjion::rt::InternedName g_aenter("__aenter__");
pyjion::rt::InternedName g_aexit("__aexit__");

// genobject.c's gen_is_coroutine: a generator made by a types.coroutine function.
bool GenIsCoroutine(PyObject* o) {
  if (!PyGen_CheckExact(o)) return false;
  auto* code = reinterpret_cast<PyCodeObject*>(reinterpret_cast<PyGenObject*>(o)->gi_code);
  return (code->co_flags & CO_ITERABLE_COROUTINE) != 0;
}

// genobject.c's _PyCoro_GetAwaitableIter (not exported): a new reference or NULL.
PyObject* GetAwaitableIter(PyObject* o) {
  if (PyCoro_CheckExact(o) || GenIsCoroutine(o)) return Py_NewRef(o);
  PyTypeObject* ot = Py_TYPE(o);
  unaryfunc getter = ot->tp_as_async != nullptr ? ot->tp_as_async->am_await : nullptr;
  if (getter == nullptr) {
    PyErr_Format(PyExc_TypeError, "object %.100s can't be used in 'await' expression",
                 ot->tp_name);
    return nullptr;
  }
  PyObject* res = getter(o);
  if (res == nullptr) return nullptr;
  if (PyCoro_CheckExact(res) || GenIsCoroutine(res)) {
    // __await__ must return an *iterator*, not a coroutine or another awaitable (PEP 492)
    PyErr_SetString(PyExc_TypeError, "__await__() returned a coroutine");
    Py_DECREF(res);
    return nullptr;
  }
  if (!PyIter_Check(res)) {
    PyErr_Format(PyExc_TypeError, "__await__() returned non-iterator of type '%.100s'",
                 Py_TYPE(res)->tp_name);
    Py_DECREF(res);
    return nullptr;
  }
  return res;
}

// ceval's format_awaitable_error.
void FormatAwaitableError(PyTypeObject* type, int oparg) {
  if (type->tp_as_async != nullptr && type->tp_as_async->am_await != nullptr) return;
  if (oparg == 1) {
    PyErr_Format(PyExc_TypeError,
                 "'async with' received an object from __aenter__ that does not implement "
                 "__await__: %.100s",
                 type->tp_name);
  } else if (oparg == 2) {
    PyErr_Format(PyExc_TypeError,
                 "'async with' received an object from __aexit__ that does not implement "
                 "__await__: %.100s",
                 type->tp_name);
  }
}

}  // namespace

extern "C" PyObject* rt_get_yield_from_iter(PyObject* iterable, int code_flags) {
  if (PyCoro_CheckExact(iterable)) {
    if (!(code_flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE))) {
      Py_DECREF(iterable);
      PyErr_SetString(PyExc_TypeError,
                      "cannot 'yield from' a coroutine object in a non-coroutine generator");
      return nullptr;
    }
    return iterable;
  }
  if (PyGen_CheckExact(iterable)) return iterable;
  PyObject* iter = PyObject_GetIter(iterable);
  Py_DECREF(iterable);
  return iter;
}

extern "C" PyObject* rt_get_awaitable(PyObject** top, int oparg) {
  PyObject* iterable = top[0];
  PyObject* iter = GetAwaitableIter(iterable);
  if (iter == nullptr) FormatAwaitableError(Py_TYPE(iterable), oparg);
  Py_DECREF(iterable);
  if (iter != nullptr && PyCoro_CheckExact(iter)) {
    if (PyObject* yf = pj_gen_yf(iter)) {
      // iter is a coroutine being awaited (yf is what it awaits)
      Py_DECREF(yf);
      Py_CLEAR(iter);
      PyErr_SetString(PyExc_RuntimeError, "coroutine is being awaited already");
    }
  }
  top[0] = iter;
  return iter;
}

extern "C" PyObject* rt_before_async_with(PyObject** top, WithCache* cache) {
  return pyjion::rt::EnterContext(top, g_aenter.get(), g_aexit.get(),
                                  "asynchronous context manager", cache);
}

extern "C" PyObject* rt_get_aiter(PyObject** top) {
  PyObject* obj = top[0];
  top[0] = nullptr;
  PyTypeObject* type = Py_TYPE(obj);
  unaryfunc getter = type->tp_as_async != nullptr ? type->tp_as_async->am_aiter : nullptr;
  if (getter == nullptr) {
    PyErr_Format(PyExc_TypeError,
                 "'async for' requires an object with __aiter__ method, got %.100s",
                 type->tp_name);
    Py_DECREF(obj);
    return nullptr;
  }
  PyObject* iter = getter(obj);
  Py_DECREF(obj);
  if (iter == nullptr) return nullptr;
  if (Py_TYPE(iter)->tp_as_async == nullptr || Py_TYPE(iter)->tp_as_async->am_anext == nullptr) {
    PyErr_Format(PyExc_TypeError,
                 "'async for' received an object from __aiter__ that does not implement "
                 "__anext__: %.100s",
                 Py_TYPE(iter)->tp_name);
    Py_DECREF(iter);
    return nullptr;
  }
  top[0] = iter;
  return iter;
}

extern "C" PyObject* rt_get_anext(PyObject* aiter) {
  PyTypeObject* type = Py_TYPE(aiter);
  if (PyAsyncGen_CheckExact(aiter)) return type->tp_as_async->am_anext(aiter);
  unaryfunc getter = type->tp_as_async != nullptr ? type->tp_as_async->am_anext : nullptr;
  if (getter == nullptr) {
    PyErr_Format(PyExc_TypeError,
                 "'async for' requires an iterator with __anext__ method, got %.100s",
                 type->tp_name);
    return nullptr;
  }
  PyObject* next_iter = getter(aiter);
  if (next_iter == nullptr) return nullptr;
  PyObject* awaitable = GetAwaitableIter(next_iter);
  if (awaitable == nullptr) {
    _PyErr_FormatFromCause(PyExc_TypeError,
                           "'async for' received an invalid object from __anext__: %.100s",
                           Py_TYPE(next_iter)->tp_name);
  }
  Py_DECREF(next_iter);
  return awaitable;
}

extern "C" int rt_end_async_for(PyObject** base) {
  PyObject* val = base[1];
  if (PyErr_GivenExceptionMatches(val, PyExc_StopAsyncIteration)) {
    Py_DECREF(val);
    Py_DECREF(base[0]);
    return 0;
  }
  PyObject* exc = Py_NewRef(reinterpret_cast<PyObject*>(PyExceptionInstance_Class(val)));
  PyErr_Restore(exc, val, PyException_GetTraceback(val));
  return -1;
}
