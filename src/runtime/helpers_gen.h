// Runtime helpers of generator bodies run compiled (x64/lower_gen.cc): `yield from`'s
// GET_YIELD_FROM_ITER and SEND. Semantics follow CPython 3.11's Python/ceval.c; see
// helpers.h for the ownership convention.
#pragma once

#include <Python.h>

extern "C" {

// GET_YIELD_FROM_ITER (iterable -- iter): a generator stays as it is; a coroutine only in
// coroutine code (code_flags has CO_COROUTINE or CO_ITERABLE_COROUTINE), else TypeError
// "cannot 'yield from' a coroutine object in a non-coroutine generator"; anything else
// becomes iter(iterable). Steals iterable; new reference or NULL.
PyObject* rt_get_yield_from_iter(PyObject* iterable, int code_flags);

// SEND (receiver, v -- receiver, retval) on base[0..1] (PyIter_Send; compiled code never
// runs with a trace function set). Returns 0 when the receiver yielded (base[1] = the
// value: fall through), 1 when it returned (base[0] = the return value, the receiver
// released: jump), -1 on error (v released, the receiver left in base[0]).
long rt_send(PyObject** base);

}  // extern "C"
