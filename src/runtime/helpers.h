// Core runtime helpers called from compiled code (the slow paths of the core families:
// unwinding, locals, operators, truth tests, iteration). Family-specific helpers declare
// themselves in helpers_<family>.h.
//
// Convention for every rt_* helper: it STEALS the stack operands it is given (they are
// released whether it succeeds or fails) unless its comment says "borrows", and returns a
// new reference or NULL with an exception set (int helpers: -1 with an exception set).
// Helpers whose result compiled code keeps as a 64-bit flag return long, not int: the
// SysV ABI leaves the upper half of rax undefined for an int result.
#pragma once

#include <Python.h>

#include "runtime/shim.h"

namespace pyjion::rt {

// ceval's format_exc_check_arg: formats `fmt` with `name`, and for NameError proper sets
// NameError.name (which drives "Did you mean ...?").
void FormatExcCheckArg(PyThreadState* tstate, PyObject* exc, const char* fmt, PyObject* name);

// ceval's format_kwargs_error: rewrites the pending error of merging `kwargs` into the
// keyword arguments of `func` (not a mapping; a repeated keyword) as ceval's TypeError.
void FormatKwargsError(PyObject* func, PyObject* kwargs);

// Whether the private layouts of the list and range iterators (listobject.c's
// listiterobject {it_index, it_seq}, rangeobject.c's rangeiterobject {index, start, step,
// len}) are what compiled code steps inline; checked once on real iterators.
bool ListIterLayoutKnown();
bool TupleIterLayoutKnown();
bool RangeIterLayoutKnown();

constexpr const char* kUnboundLocalMsg =
    "cannot access local variable '%s' where it is not associated with a value";
constexpr const char* kUnboundFreeMsg =
    "cannot access free variable '%s' where it is not associated with a value in enclosing scope";
constexpr const char* kNameErrorMsg = "name '%.200s' is not defined";

}  // namespace pyjion::rt

extern "C" {

// Exception unwinding for an error raised with `depth` owned-or-NULL items on the stack.
// traceback: add a traceback entry first (ceval's `error:`), 0 for re-raises.
// level >= 0: a handler takes it: pops to `level`, pushes lasti (if lasti) and the
// normalised exception; returns 0. level < 0 (or failure): empties the stack, returns -1.
int rt_unwind(PyThreadState* tstate, PjFrame* frame, int depth, int level, int lasti,
              int traceback);

// ceval's unbound_local_error (LOAD_FAST, DELETE_FAST, LOAD_CLOSURE of an empty slot):
// raises UnboundLocalError naming localsplus[index]. Always returns -1.
int rt_unbound_local(PyThreadState* tstate, PjFrame* frame, int index);

// BINARY_OP ** and **= (ceval's binary_ops[] entries for NB_POWER and NB_INPLACE_POWER):
// borrow both operands, as the rest of that table (PyNumber_Add...) does.
PyObject* rt_power(PyObject* lhs, PyObject* rhs);
PyObject* rt_inplace_power(PyObject* lhs, PyObject* rhs);
// BINARY_OP + / += of two exact strs whose left operand is fast local *local and whose
// result the next STORE_FAST stores there (ceval's BINARY_OP_INPLACE_ADD_UNICODE): takes the
// local's reference, leaving it NULL, and appends rhs (stolen) in place when nothing else
// refers to the string (PyUnicode_Append). Returns the result, or NULL (the local unbound).
PyObject* rt_unicode_inplace_add(PyObject** local, PyObject* rhs);
PyObject* rt_contains_op(PyObject* item, PyObject* container, int invert);
long rt_contains_op_bool(PyObject* item, PyObject* container, int invert);
long rt_is_true(PyObject* obj);                                        // 1, 0 or -1
PyObject* rt_unary_positive(PyObject* v);
PyObject* rt_unary_negative(PyObject* v);
PyObject* rt_unary_not(PyObject* v);
PyObject* rt_unary_invert(PyObject* v);
PyObject* rt_get_iter(PyObject* iterable);
// FOR_ITER: borrows iter. Next item, or NULL: exhausted (no exception) or error. Defined
// in cpython_shim.c, which resumes a generator straight into its machine code.
PyObject* rt_for_iter(PyObject* iter);
// After rt_for_iter returned NULL: 0 if the iterator is exhausted (StopIteration cleared),
// -1 if a real error is pending.
int rt_for_iter_end(PyThreadState* tstate);

}  // extern "C"

extern "C" {
// JUMP_IF_*_OR_POP: borrows obj. 1, 0 or -1.
long rt_is_true_borrowed(PyObject* obj);
}
