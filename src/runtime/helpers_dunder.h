// BINARY_OP on an instance of a Python class whose operator is a Python method (`v + w`
// with Vec.__add__): the site's inline cache, filled at run time, calls that method itself
// (directly when it is compiled) instead of PyNumber_Add -> slot_nb_add -> a vectorcall
// through the evaluation hook.
//
// An entry is taken only where CPython's dispatch (abstract.c's binary_op1 and the
// sequence fallbacks of PyNumber_Add/Multiply and their in-place forms, typeobject.c's
// SLOT1BINFULL) provably comes down to `left.__op__(left, right)` followed, if that returns
// NotImplemented, by the TypeError binop_type_error raises: the left operand's exact type is
// a heap type whose __op__ is a Python function, with no in-place slot for an in-place
// operator and no sequence slots; the right operand is of the same exact type or an exact
// int or float (whose own slots return NotImplemented for anything else, and which have no
// reflected Python method to try). The guard is the left type's identity and version tag
// (which changes when any class in its MRO gains, loses or changes an attribute) and the
// right operand's exact type. Everything else takes ceval's binary_ops[] function.
//
// BINARY_SUBSCR and STORE_SUBSCR on such instances (`grid[x, y]` with Grid.__getitem__ /
// __setitem__) likewise call the Python method found on the exact type, as slot_mp_subscript
// and slot_mp_ass_subscript do, guarded by the type's identity and version tag; the entry is
// taken for a heap type whose mapping slot is set and whose method is a Python function
// (CPython's BINARY_SUBSCR_GETITEM conditions). Everything else calls PyObject_GetItem /
// PyObject_SetItem.
//
// COMPARE_OP on two instances of the same Python class whose comparison method is a Python
// function (`p < q` with P.__lt__) calls that method itself, as slot_tp_richcompare does,
// inside PyObject_RichCompare's recursion check; NotImplemented goes on as do_richcompare
// does for operands of one type (the reflected slot, then identity for == and !=, else
// TypeError). Guarded by the type's identity and version tag, and taken only where the
// type's tp_richcompare is slot_tp_richcompare. Everything else: PyObject_RichCompare.
#pragma once

#include <Python.h>

#include <cstdint>

#include "runtime/shim.h"

namespace pyjion::rt {

struct BinaryOpCache {
  PyTypeObject* left = nullptr;   // compared by identity
  uint32_t left_version = 0;      // its tp_version_tag when filled
  PyTypeObject* right = nullptr;  // left, int or float
  PyObject* method = nullptr;     // left's __op__ (borrowed: the type keeps it)
  PjCallCache py{};               // direct calls of method
  uint32_t fills = 0;             // refills after which the site stays generic
};

// A subscript's or comparison's site: the Python method that one exact type's instances
// take there (their __getitem__, __setitem__ or comparison method).
struct TypeMethodCache {
  PyTypeObject* type = nullptr;  // compared by identity
  uint32_t version = 0;          // its tp_version_tag when filled
  PyObject* method = nullptr;    // borrowed (the type keeps it); NULL if the type has none
                                 // there (the generic path), cached too
  PjCallCache py{};              // direct calls of method
  uint32_t fills = 0;            // refills after which the site stays generic
};

// Whether BINARY_OP nb_op can take the cache: all but ** and **=, which are ternary in
// CPython (PyNumber_Power with None).
bool CachesOperatorMethod(int nb_op);

}  // namespace pyjion::rt

extern "C" {

// BINARY_OP nb_op (not ** or **=) on lhs and rhs (both borrowed): a new reference or NULL.
// `generic` is ceval's binary_ops[nb_op] (PyNumber_Add...), for what the cache does not take.
typedef PyObject* (*PjBinaryFunc)(PyObject*, PyObject*);
PyObject* rt_binary_op_ic(PyObject* lhs, PyObject* rhs, int nb_op,
                          pyjion::rt::BinaryOpCache* cache, PjBinaryFunc generic);

// COMPARE_OP op (Py_LT...Py_GE) on lhs and rhs (both borrowed): a new reference or NULL.
PyObject* rt_compare_op_ic(PyObject* lhs, PyObject* rhs, int op, pyjion::rt::TypeMethodCache* cache);

// BINARY_SUBSCR: container[sub] (both borrowed), a new reference or NULL.
PyObject* rt_binary_subscr_ic(PyObject* container, PyObject* sub, pyjion::rt::TypeMethodCache* cache);

// STORE_SUBSCR: container[sub] = value, releasing value, container and sub (stolen) in
// ceval's order; 0, or -1 with an exception set.
int rt_store_subscr_ic(PyObject* value, PyObject* container, PyObject* sub,
                       pyjion::rt::TypeMethodCache* cache);

}  // extern "C"
