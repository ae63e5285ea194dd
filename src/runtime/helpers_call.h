// Runtime helpers of the call family: method lookup, calls, function creation, imports and
// the module-level statements (LOAD_BUILD_CLASS, SETUP_ANNOTATIONS, PRINT_EXPR, GET_LEN).
// Semantics follow CPython 3.11's Python/ceval.c; see helpers.h for the ownership convention.
//
// Helpers that work on several stack items take `base`, the address of the lowest of them in
// frame->localsplus, and write their result into base[0] before they release anything (a
// release can run __del__, which must find the result held).
#pragma once

#include <Python.h>

#include "runtime/shim.h"

extern "C" {

// LOAD_METHOD (obj -- meth_or_NULL, self_or_attr). base[0] is obj. On success base[0..1]
// become [meth, obj] (method found: obj moves up as self) or [NULL, attr] (obj released);
// returns 0. On failure returns -1 with the exception set and obj still owned by base[0],
// as in ceval (error depth = depth before the instruction).
int rt_load_method(PyObject** base, PyObject* name);

// PRECALL n + CALL n (NULL_or_meth, callable_or_self, arg1..argn -- result). base[0] is
// the lowest of the n+2 slots. Does PRECALL's bound-method unpacking ([NULL, method] ->
// [im_func, im_self]) first, then PyObject_Vectorcall with PY_VECTORCALL_ARGUMENTS_OFFSET
// and `kwnames` (KW_NAMES's tuple or NULL). Steals all n+2 slots; the result (new reference)
// is written to base[0] and returned, NULL with an exception set on failure.
// oparg may carry kCallDescrFast or kCallDescrFastWithKeywords: the interpreter has
// specialised the PRECALL as PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST or
// PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS, so when that instruction's guards pass the
// references are released in its order (arguments, self, descriptor), not CALL's.
constexpr int kCallDescrFast = 1 << 30;
constexpr int kCallDescrFastWithKeywords = 1 << 29;
// cache: the site's memory of its last directly called Python function (shim.h).
PyObject* rt_call(PyThreadState* tstate, PyObject** base, int oparg, PyObject* kwnames,
                  PjCallCache* cache);

// CALL_FUNCTION_EX (NULL, func, callargs[, kwargs] -- result): has_kwargs = oparg & 1.
// Non-dict kwargs are merged into a new dict (format_kwargs_error on failure), non-tuple
// callargs become a tuple (check_args_iterable first), then PyObject_Call. Steals all
// slots; result written to base[0] and returned, or NULL.
PyObject* rt_call_function_ex(PyThreadState* tstate, PyObject** base, int has_kwargs);

// MAKE_FUNCTION flags ([defaults] [kwdefaults] [annotations] [closure] code -- func):
// base[0] is the lowest item (popcount(flags & 0xf) + 1 items). Steals them all; the new
// function is written to base[0] and returned, or NULL.
PyObject* rt_make_function(PjFrame* frame, PyObject** base, int flags);

// LOAD_BUILD_CLASS (-- builtins.__build_class__): new reference or NULL (NameError
// "__build_class__ not found").
PyObject* rt_load_build_class(PyThreadState* tstate, PjFrame* frame);

// GET_LEN (obj -- obj, len): borrows obj. New int or NULL.
PyObject* rt_get_len(PyObject* obj);

// PRINT_EXPR (value --): calls sys.displayhook(value). Steals value; 0 or -1.
int rt_print_expr(PyThreadState* tstate, PyObject* value);

// SETUP_ANNOTATIONS (--): makes sure frame->f_locals has __annotations__. 0 or -1.
int rt_setup_annotations(PyThreadState* tstate, PjFrame* frame);

// IMPORT_NAME (level, fromlist -- module): ceval's import_name. Steals level and fromlist.
PyObject* rt_import_name(PyThreadState* tstate, PjFrame* frame, PyObject* name,
                         PyObject* level, PyObject* fromlist);

// IMPORT_FROM (module -- module, value): ceval's import_from. Borrows module.
PyObject* rt_import_from(PyThreadState* tstate, PyObject* module, PyObject* name);

// IMPORT_STAR (module --): ceval's import_all_from into the frame's locals, synchronised
// with the fast locals through the frame object. Steals module; 0 or -1.
int rt_import_star(PyThreadState* tstate, PjFrame* frame, PyObject* module);

}  // extern "C"
