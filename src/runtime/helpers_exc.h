// Runtime helpers of the exception and `with` family: raising (ceval's do_raise), the
// re-raise of RERAISE, the handled-exception stack (PUSH_EXC_INFO / POP_EXCEPT), except
// matching (check_except_type_valid + PyErr_GivenExceptionMatches), the context-manager
// protocol (BEFORE_WITH, WITH_EXCEPT_START), and the structural pattern-matching opcodes
// (MATCH_MAPPING, MATCH_SEQUENCE, MATCH_KEYS, MATCH_CLASS).
// Semantics follow CPython 3.11's Python/ceval.c; see helpers.h for the ownership convention.
#pragma once

#include <Python.h>

#include "runtime/shim.h"

extern "C" {

// RAISE_VARARGS oparg (exc? cause? --): ceval's do_raise. Steals exc and cause (either may
// be NULL: oparg 0 passes neither, oparg 1 no cause). Always leaves an exception set.
// Returns 1 for the bare `raise` that re-raised the handled exception (the unwinder adds no
// traceback entry), 0 otherwise (a new exception, or an error while making it). The result
// is a long so that compiled code may test the whole register.
long rt_raise(PyThreadState* tstate, PyObject* exc, PyObject* cause);

// RERAISE oparg (lasti? ... exc --): borrows `lasti` (PEEK(oparg + 1), NULL when oparg is
// 0). When given, sets frame->prev_instr from it first; if it is not an int, raises
// SystemError and returns -1 WITHOUT consuming exc (ceval's `goto error`, exc still on the
// stack). Otherwise steals exc, makes it the current exception and returns 0 (ceval's
// `goto exception_unwind`: no traceback entry).
int rt_reraise(PjFrame* frame, PyObject* exc, PyObject* lasti);

// PUSH_EXC_INFO (exc -- prev_exc, exc): `top` addresses the exception's slot. Moves the
// thread's handled exception (or None) into top[0], puts exc in top[1] and makes it the
// handled exception (which takes its own reference). Cannot fail.
void rt_push_exc_info(PyThreadState* tstate, PyObject** top);

// POP_EXCEPT (prev_exc --): steals prev_exc, which becomes the handled exception again;
// the replaced one is released.
void rt_pop_except(PyThreadState* tstate, PyObject* prev_exc);

// CHECK_EXC_MATCH (exc, type -- exc, bool): borrows exc, steals type. 1 if exc matches
// type (a class or a tuple of classes), 0 if not, -1 with TypeError ("catching classes
// that do not inherit from BaseException is not allowed"). A long, like rt_raise's, as the
// fused jump tests the whole register.
long rt_check_exc_match(PyThreadState* tstate, PyObject* exc, PyObject* type);
// Same, as a new reference to True/False, or NULL.
PyObject* rt_check_exc_match_obj(PyThreadState* tstate, PyObject* exc, PyObject* type);

// BEFORE_WITH's and BEFORE_ASYNC_WITH's site cache: the class of the last manager and
// what its __enter__ and __exit__ (or __aenter__, __aexit__) were, plain functions or
// method descriptors of a builtin type (borrowed: the class holds them while its version
// tag is unchanged), with the direct-call memory of the enter function.
struct WithCache {
  PyTypeObject* type;
  unsigned int version;
  PyObject* enter;
  PyObject* exit;
  PjCallCache enter_py;
};

// BEFORE_WITH (mgr -- exit, enter_result): `top` addresses mgr's slot. Looks up __enter__
// and __exit__ as special methods; on success top[0] becomes the bound __exit__ (mgr
// released) and __enter__()'s result is returned. NULL with the exception set otherwise;
// top[0] then still owns either mgr (lookup failed) or __exit__ (__enter__ raised), so
// the stack depth is unchanged either way. A manager of the class in `cache` skips the
// lookups and has a compiled __enter__ run directly.
PyObject* rt_before_with(PyThreadState* tstate, PyObject** top, WithCache* cache);

}  // extern "C"

namespace pyjion::rt {

// BEFORE_WITH's and BEFORE_ASYNC_WITH's shared body: the special methods `enter` and
// `exit` (interned names; NULL when making one failed, which returns NULL with top[0]
// kept) looked up on mgr in top[0] (or found through `cache`), then called as
// rt_before_with says;
// `protocol` names the protocol in the TypeError ("context manager", "asynchronous
// context manager").
PyObject* EnterContext(PyObject** top, PyObject* enter, PyObject* exit, const char* protocol,
                       WithCache* cache);

}  // namespace pyjion::rt

extern "C" {

// WITH_EXCEPT_START (exit, lasti, prev_exc, exc -- exit, lasti, prev_exc, exc, res):
// borrows everything; calls exit(type(exc), exc, exc.__traceback__). New ref or NULL.
PyObject* rt_with_except_start(PyObject* exit_func, PyObject* exc);

// MATCH_MAPPING / MATCH_SEQUENCE (subject -- subject, bool): borrow subject. New ref to
// True/False (tp_flags test), cannot fail.
PyObject* rt_match_mapping(PyObject* subject);
PyObject* rt_match_sequence(PyObject* subject);

// MATCH_KEYS (subject, keys -- subject, keys, values_or_None): borrows both; ceval's
// match_keys. New tuple of values, None when a key is missing, or NULL.
PyObject* rt_match_keys(PyThreadState* tstate, PyObject* subject, PyObject* keys);

// MATCH_CLASS count (subject, type, names -- attrs_or_None): ceval's match_class. `base`
// addresses subject's slot; all three are stolen. The result (a tuple of the matched
// attributes, or None when the match fails) is written to base[0] and returned; NULL on
// error (the three are released then too).
PyObject* rt_match_class(PyThreadState* tstate, PyObject** base, int count);

}  // extern "C"
