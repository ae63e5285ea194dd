// Lowerings of control flow: JUMP_FORWARD, JUMP_BACKWARD (polls the eval breaker),
// JUMP_BACKWARD_NO_INTERRUPT (does not), POP_JUMP_{FORWARD,BACKWARD}_IF_{TRUE,FALSE,NONE,
// NOT_NONE} (backward ones poll when taken), JUMP_IF_{TRUE,FALSE}_OR_POP, GET_ITER, FOR_ITER.
// The virtual stack is flushed before every jump, so each target finds the interpreter's
// stack in the frame. FOR_ITER steps exact list, tuple and range iterators inline.
#include "runtime/helpers.h"
#include "runtime/helpers_iter.h"
#include "x64/lower_common.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

void EmitTruthJump(Lowering& L, const Value& v, Reg r, bool jump_if_true, const Instr& jump,
                   bool poll) {
  PyAsm& pa = L.pa();
  Label is_true = pa.NewLabel(), is_false = pa.NewLabel(), slow = pa.NewLabel();
  Label on_true = pa.NewLabel(), on_false = pa.NewLabel(), cont = pa.NewLabel();
  L.Cold([&L, slow, on_true, on_false, v, r] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    // rt_is_true steals an owned item; a borrowed one is only looked at
    pa.CallHelper(v.owned() ? PJ_HELPER(rt_is_true) : PJ_HELPER(rt_is_true_borrowed), {A(r)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
    pa.BranchIfNotZero(Reg::kRet, on_true);
    pa.Jump(on_false);
  });
  pa.BranchIfEqual(r, reinterpret_cast<uint64_t>(Py_True), is_true);
  pa.BranchIfEqual(r, reinterpret_cast<uint64_t>(Py_False), is_false);
  pa.BranchIfNotEqual(r, reinterpret_cast<uint64_t>(Py_None), slow);
  pa.Bind(is_false);  // True, False and None are never deallocated
  if (v.owned()) pa.DecRefNoDealloc(r);
  pa.Bind(on_false);
  if (jump_if_true) pa.Jump(cont);
  else L.Branch(jump, poll);
  pa.Bind(is_true);
  if (v.owned()) pa.DecRefNoDealloc(r);
  pa.Bind(on_true);
  if (jump_if_true) L.Branch(jump, poll);
  pa.Bind(cont);
  L.FreeReg(r);
}

void emit_JUMP_FORWARD(Lowering& L, const Instr& in) {
  L.Flush();
  L.Branch(in, false);
}
void emit_JUMP_BACKWARD(Lowering& L, const Instr& in) {
  L.Flush();
  L.Branch(in, true);
}
void emit_JUMP_BACKWARD_NO_INTERRUPT(Lowering& L, const Instr& in) {
  L.Flush();
  L.Branch(in, false);
}

static void EmitPopJumpIf(Lowering& L, const Instr& in) {
  const Value v = L.Pop();
  L.Flush();
  const Reg r = L.ToReg(v);
  EmitTruthJump(L, v, r, JumpsIfTrue(in.opcode), in, IsBackward(in.opcode));
}
void emit_POP_JUMP_FORWARD_IF_TRUE(Lowering& L, const Instr& in) { EmitPopJumpIf(L, in); }
void emit_POP_JUMP_FORWARD_IF_FALSE(Lowering& L, const Instr& in) { EmitPopJumpIf(L, in); }
void emit_POP_JUMP_BACKWARD_IF_TRUE(Lowering& L, const Instr& in) { EmitPopJumpIf(L, in); }
void emit_POP_JUMP_BACKWARD_IF_FALSE(Lowering& L, const Instr& in) { EmitPopJumpIf(L, in); }

// POP_JUMP_*_IF_NONE / NOT_NONE (value --): None is never deallocated.
static void EmitPopJumpNone(Lowering& L, const Instr& in, bool jump_if_none) {
  PyAsm& pa = L.pa();
  const Value v = L.Pop();
  L.Flush();
  const Reg r = L.ToReg(v);
  const Reg flag = L.AcquireReg();
  Label not_none = pa.NewLabel(), done = pa.NewLabel();
  pa.BranchIfNotEqual(r, reinterpret_cast<uint64_t>(Py_None), not_none);
  if (v.owned()) pa.DecRefNoDealloc(r);
  pa.LoadImm(flag, jump_if_none ? 1 : 0);
  pa.Jump(done);
  pa.Bind(not_none);
  if (v.owned()) pa.DecRef(r);
  pa.LoadImm(flag, jump_if_none ? 0 : 1);
  pa.Bind(done);
  L.FreeReg(r);
  L.BranchOnFlag(flag, true, in, IsBackward(in.opcode));
  L.FreeReg(flag);
}
void emit_POP_JUMP_FORWARD_IF_NONE(Lowering& L, const Instr& in) { EmitPopJumpNone(L, in, true); }
void emit_POP_JUMP_BACKWARD_IF_NONE(Lowering& L, const Instr& in) { EmitPopJumpNone(L, in, true); }
void emit_POP_JUMP_FORWARD_IF_NOT_NONE(Lowering& L, const Instr& in) { EmitPopJumpNone(L, in, false); }
void emit_POP_JUMP_BACKWARD_IF_NOT_NONE(Lowering& L, const Instr& in) { EmitPopJumpNone(L, in, false); }

// JUMP_IF_{TRUE,FALSE}_OR_POP (value -- value?): keeps the value when jumping, pops it
// when falling through. The truth test borrows the value, so errors leave it on the stack.
// A frame lowering: the value is in its slot on both edges.
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
  const Value v = L.Pop();
  const Reg r = L.ToReg(v);
  L.OwnValue(v, r);  // rt_get_iter steals it
  pa.CallHelper(PJ_HELPER(rt_get_iter), {A(r)});
  pa.BranchIfZero(Reg::kRet, L.ErrorHere());
  pa.Move(r, Reg::kRet);
  L.PushReg(r);
}

// FOR_ITER (iter -- iter next) or, exhausted, (iter --) and jump. The iterator stays in its
// slot: the stack is flushed first (a no-op at a loop header; a FOR_ITER whose body never
// jumps back, `for x in it: return x`, is not one), so the exhausted path finds it there and
// the jump target finds the whole stack in the frame. Exact list, tuple, range and dict
// key/value iterators are stepped inline while they have items; their end and every other
// iterator go through rt_for_iter (tp_iternext). Followed by UNPACK_SEQUENCE 2 (`for a, b in
// ...`), the two are emitted together: enumerate, dict items and zip iterators write their
// pair straight into the unpacked slots (rt_for_iter_pair), no tuple made; any other item
// goes through UNPACK_SEQUENCE's own lowering.
void emit_FOR_ITER(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  L.Flush();
  const Instr* unpack = L.PeekFallThrough();
  const bool pair = unpack != nullptr && unpack->opcode == frontend::UNPACK_SEQUENCE &&
                    unpack->oparg == 2 && rt::PairIterLayoutsKnown();
  const Reg it = L.AcquireReg();
  const Reg item = L.AcquireReg();
  L.LoadValue(it, L.Peek(0));
  Label generic = pa.NewLabel(), have = pa.NewLabel(), ended = pa.NewLabel();
  Label unpacked = pa.NewLabel();
  // each inline step behind its exact-type guard; a mismatch tries the next one
  auto step = [&](bool known, const char* what, PyTypeObject* type, auto&& next) {
    if (!known) return;
    const Label mismatch = pa.NewLabel();
    pa.Comment(what);
    pa.GuardExactType(it, type, mismatch);
    next();
    pa.Jump(have);
    pa.Bind(mismatch);
  };
  step(rt::ListIterLayoutKnown(), "list iterator", &PyListIter_Type,
       [&] { pa.ListIterNext(item, it, generic); });
  step(rt::TupleIterLayoutKnown(), "tuple iterator", &PyTupleIter_Type,
       [&] { pa.TupleIterNext(item, it, generic); });
  if (pair) {
    pa.Comment("pair iterator");  // the slots UNPACK_SEQUENCE fills start where the item goes
    pa.CallHelper(PJ_HELPER(rt_for_iter_pair), {A(it), AAddress(L.Stack(L.sp()))});
    pa.BranchIfZero(Reg::kRet, ended);
    pa.BranchIfNegative32(Reg::kRet, generic);
    pa.Jump(unpacked);
  } else {
    step(rt::RangeIterLayoutKnown(), "range iterator", &PyRangeIter_Type, [&] {
      // `for i in range(...)`: the item goes straight into a local, whose int may be reused
      const Instr* store = L.Following();
      if (store != nullptr && store->opcode == frontend::STORE_FAST) {
        pa.RangeIterNextInto(item, it, L.Local(store->oparg), generic);
      } else {
        pa.RangeIterNext(item, it, generic);
      }
      pa.BranchIfZero(item, L.ErrorHere());  // boxing failed; the iterator has moved on
    });
    for (const bool values : {false, true}) {
      step(rt::DictIterLayoutKnown(), values ? "dict value iterator" : "dict key iterator",
           values ? &PyDictIterValue_Type : &PyDictIterKey_Type,
           [&] { pa.DictIterNext(item, it, generic, values); });
    }
  }
  pa.Bind(generic);
  pa.CallHelper(PJ_HELPER(rt_for_iter), {A(it)});
  pa.BranchIfZero(Reg::kRet, ended);
  pa.Move(item, Reg::kRet);
  L.Cold([&L, ended, &in, it] {
    PyAsm& pa = L.pa();
    pa.Bind(ended);
    pa.CallHelper(PJ_HELPER(rt_for_iter_end), {ATstate()});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
    pa.Load(it, L.Stack(L.sp() - 1));
    pa.DecRef(it);
    pa.Jump(L.TargetLabel(in));
  });
  pa.Bind(have);
  L.FreeReg(it);
  L.PushReg(item);
  if (pair) {
    L.FuseNext();
    L.SetPrevInstrUnit(unpack->index);
    emit_UNPACK_SEQUENCE(L, *unpack);
    pa.Bind(unpacked);  // both ways: the pair in its two slots
  }
}

}  // namespace pyjion::x64
