// Small shapes shared by several lowering families: classification of the conditional
// jumps, the operands of two-operand instructions on the virtual stack, and the
// truth-test branch used by POP_JUMP_*_IF_TRUE/FALSE.
#pragma once

#include "frontend/opcodes.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

inline bool IsTruthJump(uint8_t op) {
  return op == frontend::POP_JUMP_FORWARD_IF_TRUE || op == frontend::POP_JUMP_FORWARD_IF_FALSE ||
         op == frontend::POP_JUMP_BACKWARD_IF_TRUE || op == frontend::POP_JUMP_BACKWARD_IF_FALSE;
}
inline bool JumpsIfTrue(uint8_t op) {
  return op == frontend::POP_JUMP_FORWARD_IF_TRUE || op == frontend::POP_JUMP_BACKWARD_IF_TRUE;
}
inline bool IsBackward(uint8_t op) {
  return frontend::GetOpcodeInfo(op).jump == frontend::JumpKind::kBackward;
}

// The two operands of a binary instruction, popped from the virtual stack, each in a value
// register (borrowed items are not increfed: `owned` says what must be released).
struct Operands {
  Value lv, rv;
  Reg l, r;
};

inline Operands PopOperands(Lowering& L) {
  Operands o;
  o.rv = L.Pop();
  o.lv = L.Pop();
  o.l = L.ToReg(o.lv);
  o.r = L.ToReg(o.rv);
  return o;
}

// A value register for the result, written once the operands are no longer read: the
// register of an operand that needs no release (borrowed), else a third one.
inline Reg ResultReg(Lowering& L, const Operands& o) {
  if (!o.lv.owned()) return o.l;
  if (!o.rv.owned()) return o.r;
  return L.AcquireReg();
}

// Releases the owned operands (left first, as ceval) and frees their registers but `keep`.
inline void ReleaseOwned(Lowering& L, const Operands& o, bool right_first = false);
inline void DropOperands(Lowering& L, const Operands& o, Reg keep) {
  ReleaseOwned(L, o);
  if (o.l != keep) L.FreeReg(o.l);
  if (o.r != keep) L.FreeReg(o.r);
}

// Releases the owned operands (the left first, as ceval, or the right first) without
// freeing their registers: for a cold path, whose registers the main path frees.
inline void ReleaseOwned(Lowering& L, const Operands& o, bool right_first) {
  const bool l = o.lv.owned(), r = o.rv.owned();
  if (l && !right_first) L.pa().DecRef(o.l);
  if (r) L.pa().DecRef(o.r);
  if (l && right_first) L.pa().DecRef(o.l);
}

// ceval's generic form of a two-operand instruction: res = fn(l, r[, extra]) for a C function
// that borrows both (binary_ops[], PyObject_RichCompare, PyObject_GetItem), then the owned
// operands released (left first), then the error exit when res is NULL. res must not be the
// register of an owned operand (ResultReg's never is). Borrowed operands cost nothing.
inline void CallBorrowing(Lowering& L, const Operands& o, const Helper& fn, Reg res,
                          std::vector<Arg> extra = {}) {
  std::vector<Arg> args{A(o.l), A(o.r)};
  args.insert(args.end(), extra.begin(), extra.end());
  L.pa().CallHelper(fn, args);
  L.pa().Move(res, Reg::kRet);
  ReleaseOwned(L, o);
  L.pa().BranchIfZero(res, L.ErrorHere());
}

// Gives a helper that steals both operands references of its own.
inline void OwnOperands(Lowering& L, const Operands& o) {
  L.OwnValue(o.lv, o.l);
  L.OwnValue(o.rv, o.r);
}

// Whether an item is known at compile time (a constant) to be of exact type tp.
inline bool KnownType(const Value& v, PyTypeObject* tp) { return v.known_type() == tp; }
// Whether it may be of exact type tp: not known to be of another type. A fast path for tp
// on a constant of another type could only fail its guard.
inline bool CouldBe(const Value& v, PyTypeObject* tp) {
  return v.known_type() == nullptr || v.known_type() == tp;
}

// The value of a constant exact int that fits an instruction's 32-bit immediate.
inline bool SmallIntConst(const Value& v, int64_t* out) {
  if (v.kind != Value::kConst || !PyLong_CheckExact(v.obj)) return false;
  int overflow = 0;
  const long x = PyLong_AsLongAndOverflow(v.obj, &overflow);
  if (overflow != 0 || x < INT32_MIN || x > INT32_MAX) return false;
  *out = x;
  return true;
}

// Guards r (holding v) to be of exact type tp unless v is known to be; jumps to fail.
inline void GuardType(Lowering& L, const Value& v, Reg r, PyTypeObject* tp, Label fail) {
  if (!KnownType(v, tp)) L.pa().GuardExactType(r, tp, fail);
}

// Branches to jump's target when the truth of v (popped, held in r; the rest of the stack
// flushed) equals jump_if_true, releasing v if it was owned. True, False and None are
// tested inline; anything else goes through rt_is_true out of line. Polls the eval breaker
// when `poll`.
void EmitTruthJump(Lowering& L, const Value& v, Reg r, bool jump_if_true, const Instr& jump,
                   bool poll);

}  // namespace pyjion::x64
