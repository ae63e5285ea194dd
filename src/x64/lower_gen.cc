// Lowerings of generators, coroutines, async and except*:
// RETURN_GENERATOR YIELD_VALUE SEND GET_YIELD_FROM_ITER GET_AWAITABLE BEFORE_ASYNC_WITH
// GET_AITER GET_ANEXT END_ASYNC_FOR (generators and coroutines, compiled);
// ASYNC_GEN_WRAP CHECK_EG_MATCH PREP_RERAISE_STAR (not compiled yet: the function runs in
// the interpreter).
//
// A generator's or coroutine's frame is made by RETURN_GENERATOR in the interpreter
// (runtime/cpython_shim.c sends fresh ones there); its machine code is entered at each resume
// (gen_send_ex2 -> pj_eval_frame) and goes on where the frame stopped (the frontend's
// resume points, Lowering::EmitResumeDispatch). YIELD_VALUE suspends it the way ceval does:
// the stack stays in the frame, prev_instr names the YIELD_VALUE, gi_frame_state becomes
// FRAME_SUSPENDED, and the value is returned to gen_send_ex2.
#include "runtime/helpers_gen.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

// RETURN_GENERATOR: never reached by the machine code; should it be, the interpreter runs it.
void emit_RETURN_GENERATOR(Lowering& L, const Instr& in) { L.DeoptHere(); }

// YIELD_VALUE (value -- sent): returns value to the generator's caller; the resumed frame
// continues at the next instruction (a block start) with the sent value pushed.
void emit_YIELD_VALUE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Value v = L.Pop();
  const Reg r = L.ToReg(v);
  L.OwnValue(v, r);
  L.Flush();
  pa.SetGeneratorSuspended();
  pa.SetPrevInstr(in.index);
  pa.Move(Reg::kRet, r);
  pa.Epilogue(L.nlocalsplus() + L.sp());
  L.FreeReg(r);
  L.Push(Value::Slot(L.sp()));  // what the next instruction finds: the sent value
}

// SEND target (receiver, v -- receiver, retval) or, the receiver having returned,
// (receiver, v -- retval) and jump.
void emit_SEND(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  L.Flush();
  const int base = L.sp() - 2;
  pa.CallHelper(PJ_HELPER(rt_send), {AAddress(L.Stack(base))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(base + 1));
  L.Pop();
  L.Pop();
  L.Push(Value::Slot(base));
  pa.BranchIfNotZero(Reg::kRet, L.TargetLabel(in));
  L.Push(Value::Slot(base + 1));
}

// GET_YIELD_FROM_ITER (iterable -- iter).
void emit_GET_YIELD_FROM_ITER(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Value v = L.Pop();
  const Reg r = L.ToReg(v);
  L.OwnValue(v, r);  // stolen
  pa.CallHelper(PJ_HELPER(rt_get_yield_from_iter), {A(r), AImm(L.code_flags())});
  pa.BranchIfZero(Reg::kRet, L.ErrorHere());
  pa.Move(r, Reg::kRet);
  L.PushReg(r);
}

// GET_AWAITABLE oparg (iterable -- awaitable); on error the slot is consumed.
void emit_GET_AWAITABLE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_get_awaitable), {AAddress(L.Top()), AImm(in.oparg)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

// BEFORE_ASYNC_WITH (mgr -- aexit, res); on error mgr (or aexit) stays to be released.
void emit_BEFORE_ASYNC_WITH(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  WithCache* cache = L.caches().New<WithCache>();
  pa.CallHelper(PJ_HELPER(rt_before_async_with), {AAddress(L.Top()), APtr(cache)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

// GET_AITER (obj -- aiter); on error the slot is consumed.
void emit_GET_AITER(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_get_aiter), {AAddress(L.Top())});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

// GET_ANEXT (aiter -- aiter, awaitable).
void emit_GET_ANEXT(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_get_anext), {AValue(L.Top())});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

// END_ASYNC_FOR (aiter, exc --), the handler of an `async for`: StopAsyncIteration ends the
// loop; anything else is raised again as it is (ceval's goto exception_unwind: no new
// traceback entry), with aiter still on the stack.
void emit_END_ASYNC_FOR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_end_async_for), {AAddress(L.Top(1))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1, /*traceback=*/false));
}
void emit_ASYNC_GEN_WRAP(Lowering& L, const Instr& in) { L.Refuse("opcode ASYNC_GEN_WRAP is not compiled yet"); }
void emit_CHECK_EG_MATCH(Lowering& L, const Instr& in) { L.Refuse("opcode CHECK_EG_MATCH is not compiled yet"); }
void emit_PREP_RERAISE_STAR(Lowering& L, const Instr& in) { L.Refuse("opcode PREP_RERAISE_STAR is not compiled yet"); }

}  // namespace pyjion::x64
