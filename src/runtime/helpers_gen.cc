// Runtime helpers of generator bodies run compiled: GET_YIELD_FROM_ITER and SEND, as in
// CPython 3.11's Python/ceval.c.
#include "runtime/helpers_gen.h"

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

extern "C" long rt_send(PyObject** base) {
  PyObject* receiver = base[0];
  PyObject* v = base[1];
  PyObject* retval = nullptr;
  const PySendResult status = PyIter_Send(receiver, v, &retval);
  Py_DECREF(v);
  if (status == PYGEN_ERROR) return -1;
  if (status == PYGEN_RETURN) {
    base[0] = retval;
    Py_DECREF(receiver);
    return 1;
  }
  base[1] = retval;
  return 0;
}
