// Lowerings of the operator family: BINARY_OP, COMPARE_OP (alone, or fused with the
// POP_JUMP_*_IF_TRUE/FALSE after it), UNARY_*, IS_OP, CONTAINS_OP.
// Inline fast paths: add/subtract/multiply on exact one-digit ints and exact floats, and
// comparisons of the same, guarded by exact-type checks; everything else and every guard
// failure goes to one rt_* helper call out of line.
#include "runtime/helpers.h"
#include "x64/lower_common.h"
#include "x64/lowering.h"

namespace pyjion::x64 {
namespace {

// NB_* codes from CPython's Include/opcode.h.
constexpr int kNbAdd = 0, kNbMultiply = 5, kNbSubtract = 10, kNbInplaceOffset = 13;

bool InlineArith(int nb_op, ArithOp* op) {
  int base = nb_op >= kNbInplaceOffset ? nb_op - kNbInplaceOffset : nb_op;
  switch (base) {
    case kNbAdd: *op = ArithOp::kAdd; return true;
    case kNbSubtract: *op = ArithOp::kSubtract; return true;
    case kNbMultiply: *op = ArithOp::kMultiply; return true;
    default: return false;
  }
}

bool WantInt(const Instr& in) { return in.hint == frontend::Hint::kNone || in.hint == frontend::Hint::kInt; }
bool WantFloat(const Instr& in) { return in.hint == frontend::Hint::kNone || in.hint == frontend::Hint::kFloat; }

// Exact-type guards for both operands (held in kKeep0/kKeep1); jumps to fail on mismatch.
void GuardBoth(PyAsm& pa, const void* type, Label fail) {
  pa.GuardExactType(Reg::kKeep0, type, fail);
  pa.GuardExactType(Reg::kKeep1, type, fail);
}

// (lhs, rhs -- result) through rt_binary_op out of line; rejoins at join with kRet stored.
void QueueBinarySlow(Lowering& L, Label slow, Label join, int nb_op) {
  L.Cold([&L, slow, join, nb_op] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(rt_binary_op), {A(Reg::kKeep0), A(Reg::kKeep1), AImm(nb_op)});
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2));
    pa.Store(L.Top(1), Reg::kRet);
    pa.Jump(join);
  });
}

}  // namespace

// BINARY_OP (lhs, rhs -- result); oparg = NB_*.
void emit_BINARY_OP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label slow = pa.NewLabel(), join = pa.NewLabel();
  pa.Load(Reg::kKeep0, L.Top(1));
  pa.Load(Reg::kKeep1, L.Top(0));
  ArithOp op;
  if (InlineArith(in.oparg, &op)) {
    Label boxed = pa.NewLabel(), not_int = pa.NewLabel();
    if (WantInt(in)) {
      pa.Comment("int fast path");
      GuardBoth(pa, &PyLong_Type, not_int);
      pa.MediumIntArith(op, Reg::kRet, Reg::kKeep0, Reg::kKeep1, slow);
      pa.Jump(boxed);
    }
    pa.Bind(not_int);
    if (WantFloat(in)) {
      pa.Comment("float fast path");
      GuardBoth(pa, &PyFloat_Type, slow);
      pa.FloatArith(op, Reg::kRet, Reg::kKeep0, Reg::kKeep1);
    } else {
      pa.Jump(slow);
    }
    pa.Bind(boxed);
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));  // boxing failed: operands still owned
    pa.Store(L.Top(1), Reg::kRet);
    pa.DecRef(Reg::kKeep0);
    pa.DecRef(Reg::kKeep1);
  } else {
    pa.Jump(slow);
  }
  pa.Bind(join);
  QueueBinarySlow(L, slow, join, in.oparg);
}

// COMPARE_OP (lhs, rhs -- result); oparg = Py_LT..Py_GE. When the next instruction is a
// POP_JUMP_*_IF_TRUE/FALSE, the two are emitted together and no bool object is made.
void emit_COMPARE_OP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Instr* jump = L.PeekNext();
  if (jump == nullptr || !IsTruthJump(jump->opcode)) {
    pa.CallHelper(PJ_HELPER(rt_compare_op), {AValue(L.Top(1)), AValue(L.Top(0)), AImm(in.oparg)});
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2));
    pa.Store(L.Top(1), Reg::kRet);
    return;
  }
  L.FuseNext();
  const CmpOp op = static_cast<CmpOp>(in.oparg);
  Label slow = pa.NewLabel(), decided = pa.NewLabel(), join = pa.NewLabel();
  Label not_int = pa.NewLabel();
  pa.Load(Reg::kKeep0, L.Top(1));
  pa.Load(Reg::kKeep1, L.Top(0));
  if (WantInt(in)) {
    pa.Comment("int compare");
    GuardBoth(pa, &PyLong_Type, not_int);
    pa.CompareMediumInts(op, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1, slow);
    pa.Jump(decided);
  }
  pa.Bind(not_int);
  if (WantFloat(in)) {
    pa.Comment("float compare");
    GuardBoth(pa, &PyFloat_Type, slow);
    pa.CompareFloats(op, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1);
  } else {
    pa.Jump(slow);
  }
  pa.Bind(decided);
  pa.DecRef(Reg::kKeep0);
  pa.DecRef(Reg::kKeep1);
  pa.Bind(join);
  L.BranchOnFlag(Reg::kKeep2, JumpsIfTrue(jump->opcode), *jump, IsBackward(jump->opcode));
  L.Cold([&L, slow, join, oparg = in.oparg, jump] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(rt_compare_op), {A(Reg::kKeep0), A(Reg::kKeep1), AImm(oparg)});
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2));
    L.SetPrevInstrUnit(jump->index);  // the truth test belongs to the jump
    pa.CallHelper(PJ_HELPER(rt_is_true), {A(Reg::kRet)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 2));
    pa.Move(Reg::kKeep2, Reg::kRet);
    pa.Jump(join);
  });
}

// Shared shape of the one-operand helpers: (value -- result).
static void EmitUnary(Lowering& L, const Helper& fn) {
  PyAsm& pa = L.pa();
  pa.CallHelper(fn, {AValue(L.Top())});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
  pa.Store(L.Top(), Reg::kRet);
}

void emit_UNARY_POSITIVE(Lowering& L, const Instr& in) { EmitUnary(L, PJ_HELPER(rt_unary_positive)); }
void emit_UNARY_NEGATIVE(Lowering& L, const Instr& in) { EmitUnary(L, PJ_HELPER(rt_unary_negative)); }
void emit_UNARY_INVERT(Lowering& L, const Instr& in) { EmitUnary(L, PJ_HELPER(rt_unary_invert)); }
void emit_UNARY_NOT(Lowering& L, const Instr& in) { EmitUnary(L, PJ_HELPER(rt_unary_not)); }

// IS_OP (lhs, rhs -- bool); oparg 1 = `is not`. Identity never fails: all inline.
void emit_IS_OP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label done = pa.NewLabel();
  pa.Load(Reg::kKeep0, L.Top(1));
  pa.Load(Reg::kKeep1, L.Top(0));
  const uint64_t same = reinterpret_cast<uint64_t>(in.oparg ? Py_False : Py_True);
  const uint64_t other = reinterpret_cast<uint64_t>(in.oparg ? Py_True : Py_False);
  pa.LoadImm(Reg::kKeep2, same);
  pa.BranchIfSame(Reg::kKeep0, Reg::kKeep1, done);
  pa.LoadImm(Reg::kKeep2, other);
  pa.Bind(done);
  pa.IncRef(Reg::kKeep2);
  pa.Store(L.Top(1), Reg::kKeep2);
  pa.DecRef(Reg::kKeep0);
  pa.DecRef(Reg::kKeep1);
}

// CONTAINS_OP (item, container -- bool); oparg 1 = `not in`.
void emit_CONTAINS_OP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_contains_op), {AValue(L.Top(1)), AValue(L.Top(0)), AImm(in.oparg)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2));
  pa.Store(L.Top(1), Reg::kRet);
}

}  // namespace pyjion::x64
