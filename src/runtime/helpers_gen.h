// Runtime helpers of generator and coroutine bodies run compiled (x64/lower_gen.cc):
// `yield from`'s GET_YIELD_FROM_ITER and SEND; `await`'s GET_AWAITABLE; `async with`'s
// BEFORE_ASYNC_WITH; `async for`'s GET_AITER, GET_ANEXT and END_ASYNC_FOR. Semantics and
// error messages follow CPython 3.11's Python/ceval.c and Objects/genobject.c
// (_PyCoro_GetAwaitableIter, _PyGen_yf); see helpers.h for the ownership convention.
#pragma once

#include <Python.h>

#include "runtime/helpers_exc.h"

extern "C" {

// GET_YIELD_FROM_ITER (iterable -- iter): a generator stays as it is; a coroutine only in
// coroutine code (code_flags has CO_COROUTINE or CO_ITERABLE_COROUTINE), else TypeError
// "cannot 'yield from' a coroutine object in a non-coroutine generator"; anything else
// becomes iter(iterable). Steals iterable; new reference or NULL.
PyObject* rt_get_yield_from_iter(PyObject* iterable, int code_flags);

// SEND (receiver, v -- receiver, retval) on base[0..1] (PyIter_Send; compiled code never
// runs with a trace function set). Returns 0 when the receiver yielded (base[1] = the
// value: fall through), 1 when it returned (base[0] = the return value, the receiver
// released: jump), -1 on error (v released, the receiver left in base[0]). Defined in
// cpython_shim.c, which resumes a generator or coroutine straight into its machine code.
long rt_send(PyObject** base);

// GET_AWAITABLE oparg (iterable -- awaitable) on top[0]: _PyCoro_GetAwaitableIter, with
// format_awaitable_error's messages for `async with` (oparg 1: __aenter__, 2: __aexit__),
// and RuntimeError "coroutine is being awaited already". Releases the iterable; the
// awaitable is written to top[0] and returned, or NULL (top[0] consumed).
PyObject* rt_get_awaitable(PyObject** top, int oparg);

// BEFORE_ASYNC_WITH (mgr -- aexit, res) on top[0]: res = mgr.__aenter__() (looked up on the
// type); top[0] becomes the bound __aexit__, res is returned (the caller pushes it) or NULL
// with top[0] still mgr when a lookup failed, or the __aexit__ when the call failed.
// `cache` as rt_before_with's.
PyObject* rt_before_async_with(PyObject** top, WithCache* cache);

// GET_AITER (obj -- aiter) on top[0]: type(obj).__aiter__(obj), which must have __anext__.
// Releases obj; the iterator is written to top[0] and returned, or NULL (top[0] consumed).
PyObject* rt_get_aiter(PyObject** top);

// GET_ANEXT (aiter -- aiter, awaitable): the awaitable of aiter.__anext__() (borrowed), a
// new reference or NULL.
PyObject* rt_get_anext(PyObject* aiter);

// END_ASYNC_FOR (aiter, exc --) on base[0..1]: a StopAsyncIteration ends the loop (both
// released, 0); any other exception is raised again as it is (-1, aiter left in base[0],
// exc taken by the error indicator), for the unwinder to handle without a new traceback
// entry.
int rt_end_async_for(PyObject** base);

}  // extern "C"
