// Lowerings of control flow: JUMP_FORWARD, JUMP_BACKWARD (polls the eval breaker),
// JUMP_BACKWARD_NO_INTERRUPT (does not), POP_JUMP_{FORWARD,BACKWARD}_IF_{TRUE,FALSE,NONE,
// NOT_NONE} (backward ones poll when taken), JUMP_IF_{TRUE,FALSE}_OR_POP, GET_ITER, FOR_ITER.
#include "runtime/helpers.h"
#include "x64/lower_common.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

void EmitPopTruthJump(Lowering& L, bool jump_if_true, const Instr& jump, bool poll) {
  PyAsm& pa = L.pa();
  Label is_true = pa.NewLabel(), is_false = pa.NewLabel(), slow = pa.NewLabel();
  Label decided = pa.NewLabel();
  pa.BranchIfEqual(Reg::kKeep0, reinterpret_cast<uint64_t>(Py_True), is_true);
  pa.BranchIfNotEqual(Reg::kKeep0, reinterpret_cast<uint64_t>(Py_False), slow);
  pa.Bind(is_false);
  pa.DecRefNoDealloc(Reg::kKeep0);
  pa.LoadImm(Reg::kKeep2, 0);
  pa.Jump(decided);
  pa.Bind(is_true);
  pa.DecRefNoDealloc(Reg::kKeep0);
  pa.LoadImm(Reg::kKeep2, 1);
  pa.Bind(decided);
  L.BranchOnFlag(Reg::kKeep2, jump_if_true, jump, poll);
  L.Cold([&L, slow, decided] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(rt_is_true), {A(Reg::kKeep0)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
    pa.Move(Reg::kKeep2, Reg::kRet);
    pa.Jump(decided);
  });
}

void emit_JUMP_FORWARD(Lowering& L, const Instr& in) { L.Branch(in, false); }
void emit_JUMP_BACKWARD(Lowering& L, const Instr& in) { L.Branch(in, true); }
void emit_JUMP_BACKWARD_NO_INTERRUPT(Lowering& L, const Instr& in) { L.Branch(in, false); }

static void EmitPopJumpIf(Lowering& L, const Instr& in) {
  L.pa().Load(Reg::kKeep0, L.Top());
  EmitPopTruthJump(L, JumpsIfTrue(in.opcode), in, IsBackward(in.opcode));
}
void emit_POP_JUMP_FORWARD_IF_TRUE(Lowering& L, const Instr& in) { EmitPopJumpIf(L, in); }
void emit_POP_JUMP_FORWARD_IF_FALSE(Lowering& L, const Instr& in) { EmitPopJumpIf(L, in); }
void emit_POP_JUMP_BACKWARD_IF_TRUE(Lowering& L, const Instr& in) { EmitPopJumpIf(L, in); }
void emit_POP_JUMP_BACKWARD_IF_FALSE(Lowering& L, const Instr& in) { EmitPopJumpIf(L, in); }

// POP_JUMP_*_IF_NONE / NOT_NONE (value --): None is never deallocated.
static void EmitPopJumpNone(Lowering& L, const Instr& in, bool jump_if_none) {
  PyAsm& pa = L.pa();
  Label not_none = pa.NewLabel(), done = pa.NewLabel();
  pa.Load(Reg::kKeep0, L.Top());
  pa.BranchIfNotEqual(Reg::kKeep0, reinterpret_cast<uint64_t>(Py_None), not_none);
  pa.DecRefNoDealloc(Reg::kKeep0);
  pa.LoadImm(Reg::kKeep2, jump_if_none ? 1 : 0);
  pa.Jump(done);
  pa.Bind(not_none);
  pa.DecRef(Reg::kKeep0);
  pa.LoadImm(Reg::kKeep2, jump_if_none ? 0 : 1);
  pa.Bind(done);
  L.BranchOnFlag(Reg::kKeep2, true, in, IsBackward(in.opcode));
}
void emit_POP_JUMP_FORWARD_IF_NONE(Lowering& L, const Instr& in) { EmitPopJumpNone(L, in, true); }
void emit_POP_JUMP_BACKWARD_IF_NONE(Lowering& L, const Instr& in) { EmitPopJumpNone(L, in, true); }
void emit_POP_JUMP_FORWARD_IF_NOT_NONE(Lowering& L, const Instr& in) { EmitPopJumpNone(L, in, false); }
void emit_POP_JUMP_BACKWARD_IF_NOT_NONE(Lowering& L, const Instr& in) { EmitPopJumpNone(L, in, false); }

// JUMP_IF_{TRUE,FALSE}_OR_POP (value -- value?): keeps the value when jumping, pops it
// when falling through. The truth test borrows the value, so errors leave it on the stack.
static void EmitJumpOrPop(Lowering& L, const Instr& in, bool jump_if_true) {
  PyAsm& pa = L.pa();
  Label slow = pa.NewLabel(), decided = pa.NewLabel();
  pa.Load(Reg::kKeep0, L.Top());
  pa.LoadImm(Reg::kKeep2, 1);
  pa.BranchIfEqual(Reg::kKeep0, reinterpret_cast<uint64_t>(Py_True), decided);
  pa.LoadImm(Reg::kKeep2, 0);
  pa.BranchIfNotEqual(Reg::kKeep0, reinterpret_cast<uint64_t>(Py_False), slow);
  pa.Bind(decided);
  if (jump_if_true) pa.BranchIfNotZero(Reg::kKeep2, L.TargetLabel(in));
  else pa.BranchIfZero(Reg::kKeep2, L.TargetLabel(in));
  pa.DecRef(Reg::kKeep0);
  L.Cold([&L, slow, decided] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(rt_is_true_borrowed), {A(Reg::kKeep0)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth()));
    pa.Move(Reg::kKeep2, Reg::kRet);
    pa.Jump(decided);
  });
}
void emit_JUMP_IF_TRUE_OR_POP(Lowering& L, const Instr& in) { EmitJumpOrPop(L, in, true); }
void emit_JUMP_IF_FALSE_OR_POP(Lowering& L, const Instr& in) { EmitJumpOrPop(L, in, false); }

// GET_ITER (iterable -- iterator)
void emit_GET_ITER(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_get_iter), {AValue(L.Top())});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
  pa.Store(L.Top(), Reg::kRet);
}

// FOR_ITER (iter -- iter next) or, exhausted, (iter --) and jump.
void emit_FOR_ITER(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label ended = pa.NewLabel();
  pa.CallHelper(PJ_HELPER(rt_for_iter), {AValue(L.Top())});
  pa.BranchIfZero(Reg::kRet, ended);
  pa.Store(L.Stack(L.depth()), Reg::kRet);
  L.Cold([&L, ended, &in] {
    PyAsm& pa = L.pa();
    pa.Bind(ended);
    pa.CallHelper(PJ_HELPER(rt_for_iter_end), {ATstate()});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth()));
    pa.Load(Reg::kKeep0, L.Top());
    pa.DecRef(Reg::kKeep0);
    pa.Jump(L.TargetLabel(in));
  });
}

}  // namespace pyjion::x64
