// The inline caches of BINARY_OP, BINARY_SUBSCR, STORE_SUBSCR and COMPARE_OP for operands
// of Python classes (helpers_dunder.h): the checks that make an operator, a subscript or a
// comparison a plain call of a Python method, and that call. Semantics follow CPython 3.11's Objects/abstract.c
// (binary_op1, binary_iop1, the sequence fallbacks, binop_type_error, PyObject_GetItem,
// PyObject_SetItem), Objects/object.c (PyObject_RichCompare, do_richcompare) and
// Objects/typeobject.c (SLOT1BINFULL, slot_mp_subscript, slot_mp_ass_subscript,
// slot_tp_richcompare).
#include "runtime/helpers_dunder.h"

#include <cstddef>

#include "runtime/helpers_call.h"
#include "runtime/interned.h"

namespace pyjion::rt {
namespace {

constexpr int kNbPower = 8, kNbInplaceOffset = 13, kNbOperators = 13;
constexpr uint32_t kMaxFills = 8;

// Per NB_* code (Include/opcode.h order): the method slot_nb_* calls, the operator as
// binop_type_error names it, and the number slots binary_op1 and binary_iop1 consult.
struct Operator {
  InternedName method;
  const char* symbol;
  const char* inplace_symbol;
  size_t slot, inplace_slot;
};
#define PJ_NB(name) offsetof(PyNumberMethods, name)
Operator kOperators[kNbOperators] = {
    {InternedName("__add__"), "+", "+=", PJ_NB(nb_add), PJ_NB(nb_inplace_add)},
    {InternedName("__and__"), "&", "&=", PJ_NB(nb_and), PJ_NB(nb_inplace_and)},
    {InternedName("__floordiv__"), "//", "//=", PJ_NB(nb_floor_divide), PJ_NB(nb_inplace_floor_divide)},
    {InternedName("__lshift__"), "<<", "<<=", PJ_NB(nb_lshift), PJ_NB(nb_inplace_lshift)},
    {InternedName("__matmul__"), "@", "@=", PJ_NB(nb_matrix_multiply), PJ_NB(nb_inplace_matrix_multiply)},
    {InternedName("__mul__"), "*", "*=", PJ_NB(nb_multiply), PJ_NB(nb_inplace_multiply)},
    {InternedName("__mod__"), "%", "%=", PJ_NB(nb_remainder), PJ_NB(nb_inplace_remainder)},
    {InternedName("__or__"), "|", "|=", PJ_NB(nb_or), PJ_NB(nb_inplace_or)},
    {InternedName("__pow__"), "**", "**=", PJ_NB(nb_power), PJ_NB(nb_inplace_power)},  // never cached
    {InternedName("__rshift__"), ">>", ">>=", PJ_NB(nb_rshift), PJ_NB(nb_inplace_rshift)},
    {InternedName("__sub__"), "-", "-=", PJ_NB(nb_subtract), PJ_NB(nb_inplace_subtract)},
    {InternedName("__truediv__"), "/", "/=", PJ_NB(nb_true_divide), PJ_NB(nb_inplace_true_divide)},
    {InternedName("__xor__"), "^", "^=", PJ_NB(nb_xor), PJ_NB(nb_inplace_xor)},
};
#undef PJ_NB

void* SlotAt(const PyNumberMethods* nb, size_t offset) {
  return *reinterpret_cast<void* const*>(reinterpret_cast<const char*>(nb) + offset);
}

// tp's attribute `name` (found along its MRO) if it is a Python function, else NULL; no
// error is left set (a name that could not be made means no cache entry).
PyObject* PythonFunction(PyTypeObject* tp, InternedName& name) {
  PyObject* key = name.get();
  if (key == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  PyObject* method = _PyType_Lookup(tp, key);
  return method != nullptr && PyFunction_Check(method) ? method : nullptr;
}

// No sequence slot for PyNumber_Add/Multiply (and their in-place forms) to fall back on.
bool NoSequenceSlots(const PyTypeObject* tp) {
  const PySequenceMethods* sq = tp->tp_as_sequence;
  return sq == nullptr || (sq->sq_concat == nullptr && sq->sq_repeat == nullptr &&
                           sq->sq_inplace_concat == nullptr && sq->sq_inplace_repeat == nullptr);
}

// Fills the cache for lhs `op` rhs if that operator is a call of the left type's Python
// method (see helpers_dunder.h); true if it did.
bool Fill(BinaryOpCache* cache, PyObject* lhs, PyObject* rhs, int nb_op) {
  PyTypeObject* tl = Py_TYPE(lhs);
  // only a Python class has operator methods to cache: tested first, since builtin operands
  // come through here at every miss
  if (!(tl->tp_flags & Py_TPFLAGS_HEAPTYPE) || tl->tp_as_number == nullptr) return false;
  const int base = nb_op >= kNbInplaceOffset ? nb_op - kNbInplaceOffset : nb_op;
  if (!CachesOperatorMethod(nb_op) || cache->fills >= kMaxFills) return false;
  PyTypeObject* tr = Py_TYPE(rhs);
  if (tr != tl && tr != &PyLong_Type && tr != &PyFloat_Type) return false;
  // int's and float's slots compute with an int or float subclass on the left
  if (PyType_IsSubtype(tl, &PyLong_Type) || PyType_IsSubtype(tl, &PyFloat_Type)) return false;
  Operator& op = kOperators[base];
  if (SlotAt(tl->tp_as_number, op.slot) == nullptr || !NoSequenceSlots(tl)) return false;
  if (nb_op >= kNbInplaceOffset && SlotAt(tl->tp_as_number, op.inplace_slot) != nullptr)
    return false;
  PyObject* method = PythonFunction(tl, op.method);  // slot_nb_*'s lookup_maybe_method
  if (method == nullptr) return false;
  if (!(tl->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)) return false;
  cache->left = tl;
  cache->left_version = tl->tp_version_tag;
  cache->right = tr;
  cache->method = method;
  ++cache->fills;
  return true;
}

// left.__op__(lhs, rhs), as slot_nb_*'s vectorcall_maybe makes it; NotImplemented becomes
// binop_type_error's TypeError, which is all binary_op1 and the fallbacks have left to do.
PyObject* CallMethod(PyObject* lhs, PyObject* rhs, int nb_op, BinaryOpCache* cache) {
  PyObject* res = CallFunction(cache->method, {lhs, rhs}, &cache->py);
  if (res != Py_NotImplemented) return res;
  Py_DECREF(res);
  const Operator& op = kOperators[nb_op >= kNbInplaceOffset ? nb_op - kNbInplaceOffset : nb_op];
  PyErr_Format(PyExc_TypeError, "unsupported operand type(s) for %.100s: '%.100s' and '%.100s'",
               nb_op >= kNbInplaceOffset ? op.inplace_symbol : op.symbol, Py_TYPE(lhs)->tp_name,
               Py_TYPE(rhs)->tp_name);
  return nullptr;
}

// The method that the subscript of a `tp` (a load, or a store) calls, as
// slot_mp_(ass_)subscript makes it: the type's Python __getitem__ / __setitem__; NULL for
// every other container.
InternedName kSubscrMethods[] = {InternedName("__getitem__"), InternedName("__setitem__")};

PyObject* SubscrMethod(PyTypeObject* tp, bool store) {
  if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE)) return nullptr;
  const PyMappingMethods* mp = tp->tp_as_mapping;
  if (mp == nullptr || (store ? mp->mp_ass_subscript == nullptr : mp->mp_subscript == nullptr))
    return nullptr;
  return PythonFunction(tp, kSubscrMethods[store]);  // vectorcall_method's lookup_method
}

// The cached method for instances of tp (NULL: the generic path), found by find(tp) on a
// miss: a type without one is cached too (array.array is a heap type), so that a site's
// other operands do not look it up every time.
template <typename Find>
PyObject* CachedMethod(TypeMethodCache* cache, PyTypeObject* tp, Find find) {
  if (tp == cache->type && tp->tp_version_tag == cache->version) return cache->method;
  if (cache->fills >= kMaxFills || !(tp->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG))
    return nullptr;
  cache->type = tp;
  cache->version = tp->tp_version_tag;
  cache->method = find(tp);
  ++cache->fills;
  return cache->method;
}

// typeobject.c's name_op, object.c's opstrings and _Py_SwappedOp, by Py_LT...Py_GE.
InternedName kCompareMethods[] = {InternedName("__lt__"), InternedName("__le__"),
                                  InternedName("__eq__"), InternedName("__ne__"),
                                  InternedName("__gt__"), InternedName("__ge__")};
constexpr const char* kCompareSymbols[] = {"<", "<=", "==", "!=", ">", ">="};
constexpr int kSwappedOp[] = {Py_GT, Py_GE, Py_EQ, Py_NE, Py_LT, Py_LE};

// slot_tp_richcompare (static in typeobject.c): the tp_richcompare of a class made here
// with a Python comparison method, once; NULL if that could not be made.
richcmpfunc SlotRichcompare(PyObject* function) {
  static richcmpfunc slot = nullptr;
  if (slot != nullptr) return slot;
  PyObject* probe = PyObject_CallFunction(reinterpret_cast<PyObject*>(&PyType_Type), "s(){sO}",
                                          "_pyjion_x64_probe", "__lt__", function);
  if (probe == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  slot = reinterpret_cast<PyTypeObject*>(probe)->tp_richcompare;
  Py_DECREF(probe);
  return slot;
}

// The Python method that `v op w` calls for v and w both of type tp, as slot_tp_richcompare
// finds it; NULL for every other type.
PyObject* CompareMethod(PyTypeObject* tp, int op) {
  if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || tp->tp_richcompare == nullptr) return nullptr;
  PyObject* method = PythonFunction(tp, kCompareMethods[op]);  // lookup_maybe_method
  if (method == nullptr) return nullptr;
  return tp->tp_richcompare == SlotRichcompare(method) ? method : nullptr;
}

// What do_richcompare does after the left operand's slot returned NotImplemented, for
// operands of one type: the right one's slot reflected, then identity for == and !=.
PyObject* CompareNotImplemented(PyObject* v, PyObject* w, int op) {
  if (richcmpfunc f = Py_TYPE(w)->tp_richcompare) {
    PyObject* res = f(w, v, kSwappedOp[op]);
    if (res != Py_NotImplemented) return res;
    Py_DECREF(res);
  }
  if (op == Py_EQ) return Py_NewRef(v == w ? Py_True : Py_False);
  if (op == Py_NE) return Py_NewRef(v != w ? Py_True : Py_False);
  PyErr_Format(PyExc_TypeError, "'%s' not supported between instances of '%.100s' and '%.100s'",
               kCompareSymbols[op], Py_TYPE(v)->tp_name, Py_TYPE(w)->tp_name);
  return nullptr;
}

}  // namespace

bool CachesOperatorMethod(int nb_op) {
  return nb_op != kNbPower && nb_op != kNbPower + kNbInplaceOffset;
}

}  // namespace pyjion::rt

using pyjion::rt::BinaryOpCache;
using pyjion::rt::TypeMethodCache;

extern "C" PyObject* rt_binary_op_ic(PyObject* lhs, PyObject* rhs, int nb_op,
                                     BinaryOpCache* cache, PjBinaryFunc generic) {
  PyTypeObject* tl = Py_TYPE(lhs);
  const bool hit = tl == cache->left && tl->tp_version_tag == cache->left_version &&
                   Py_TYPE(rhs) == cache->right;
  if (hit || pyjion::rt::Fill(cache, lhs, rhs, nb_op))
    return pyjion::rt::CallMethod(lhs, rhs, nb_op, cache);
  return generic(lhs, rhs);
}

extern "C" PyObject* rt_binary_subscr_ic(PyObject* container, PyObject* sub,
                                         TypeMethodCache* cache) {
  PyObject* method = pyjion::rt::CachedMethod(
      cache, Py_TYPE(container), [](PyTypeObject* tp) { return pyjion::rt::SubscrMethod(tp, false); });
  if (method == nullptr) return PyObject_GetItem(container, sub);
  return pyjion::rt::CallFunction(method, {container, sub}, &cache->py);
}

extern "C" int rt_store_subscr_ic(PyObject* value, PyObject* container, PyObject* sub,
                                  TypeMethodCache* cache) {
  int err;
  PyObject* method = pyjion::rt::CachedMethod(
      cache, Py_TYPE(container), [](PyTypeObject* tp) { return pyjion::rt::SubscrMethod(tp, true); });
  if (method != nullptr) {
    PyObject* res = pyjion::rt::CallFunction(method, {container, sub, value}, &cache->py);
    err = res == nullptr ? -1 : 0;
    Py_XDECREF(res);
  } else {
    err = PyObject_SetItem(container, sub, value) != 0 ? -1 : 0;
  }
  Py_DECREF(value);  // ceval's STORE_SUBSCR order
  Py_DECREF(container);
  Py_DECREF(sub);
  return err;
}

extern "C" PyObject* rt_compare_op_ic(PyObject* lhs, PyObject* rhs, int op,
                                      TypeMethodCache* cache) {
  PyTypeObject* tp = Py_TYPE(lhs);
  PyObject* method =
      Py_TYPE(rhs) == tp
          ? pyjion::rt::CachedMethod(
                cache, tp, [op](PyTypeObject* t) { return pyjion::rt::CompareMethod(t, op); })
          : nullptr;
  if (method == nullptr) return PyObject_RichCompare(lhs, rhs, op);
  if (Py_EnterRecursiveCall(" in comparison")) return nullptr;  // PyObject_RichCompare's
  PyObject* res = pyjion::rt::CallFunction(method, {lhs, rhs}, &cache->py);
  if (res == Py_NotImplemented) {
    Py_DECREF(res);
    res = pyjion::rt::CompareNotImplemented(lhs, rhs, op);
  }
  Py_LeaveRecursiveCall();
  return res;
}
