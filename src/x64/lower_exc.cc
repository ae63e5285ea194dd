// Lowerings of raising and handling exceptions, and `with`:
// RAISE_VARARGS RERAISE PUSH_EXC_INFO POP_EXCEPT CHECK_EXC_MATCH BEFORE_WITH WITH_EXCEPT_START
// LOAD_ASSERTION_ERROR.
//
// Each is one call to its rt_* helper (runtime/helpers_exc.h) except LOAD_ASSERTION_ERROR,
// which is inline. Errors leave through L.ErrorExit; the re-raises (RERAISE, and a bare
// `raise` that finds a handled exception) use the exit without a traceback entry, exactly
// where ceval jumps to exception_unwind instead of error. CHECK_EXC_MATCH is fused with the
// POP_JUMP_*_IF_FALSE the compiler always puts after it, so no bool object is made.
#include "runtime/helpers_exc.h"
#include "x64/lower_common.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

// RAISE_VARARGS n (exc? cause? --): rt_raise (do_raise) consumes the n operands and always
// leaves an exception; it returns 1 only for a bare `raise` that re-raised the handled one.
void emit_RAISE_VARARGS(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const int n = in.oparg;
  const int depth_after = L.depth() - n;
  pa.CallHelper(PJ_HELPER(rt_raise), {ATstate(), n >= 1 ? AValue(L.Top(n - 1)) : AImm(0),
                                      n == 2 ? AValue(L.Top(0)) : AImm(0)});
  if (n == 0) pa.BranchIfNotZero(Reg::kRet, L.ErrorExit(depth_after, /*traceback=*/false));
  pa.Jump(L.ErrorExit(depth_after));
}

// RERAISE n (lasti? ... exc --): with n > 0, frame->prev_instr is first reset from the lasti
// int n items below the exception (a non-int is a SystemError at full depth, as in ceval).
// The re-raise itself adds no traceback entry.
void emit_RERAISE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_reraise),
                {AFrame(), AValue(L.Top()), in.oparg > 0 ? AValue(L.Top(in.oparg)) : AImm(0)});
  if (in.oparg > 0) pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Jump(L.ErrorExit(L.depth() - 1, /*traceback=*/false, /*keep_prev_instr=*/true));
}

// PUSH_EXC_INFO (exc -- prev_exc, exc): cannot fail.
void emit_PUSH_EXC_INFO(Lowering& L, const Instr& in) {
  L.pa().CallHelper(PJ_HELPER(rt_push_exc_info), {ATstate(), AAddress(L.Top())});
}

// POP_EXCEPT (prev_exc --): cannot fail (releasing the replaced exception may run code).
void emit_POP_EXCEPT(Lowering& L, const Instr& in) {
  L.pa().CallHelper(PJ_HELPER(rt_pop_except), {ATstate(), AValue(L.Top())});
}

// CHECK_EXC_MATCH (exc, type -- exc, bool): the type is consumed, so errors leave depth-1.
// Fused with a following POP_JUMP_*_IF_TRUE/FALSE: branch on the helper's 1/0 directly.
void emit_CHECK_EXC_MATCH(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Instr* jump = L.PeekNext();
  const std::vector<Arg> args = {ATstate(), AValue(L.Top(1)), AValue(L.Top(0))};
  if (jump == nullptr || !IsTruthJump(jump->opcode)) {
    pa.CallHelper(PJ_HELPER(rt_check_exc_match_obj), args);
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
    pa.Store(L.Top(0), Reg::kRet);
    return;
  }
  L.FuseNext();
  pa.CallHelper(PJ_HELPER(rt_check_exc_match), args);
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
  const bool poll = IsBackward(jump->opcode);
  if (poll) L.SetPrevInstrUnit(jump->index);  // the eval-breaker check belongs to the jump
  L.BranchOnFlag(Reg::kRet, JumpsIfTrue(jump->opcode), *jump, poll);
}

// BEFORE_WITH (mgr -- exit, enter_result): the helper swaps mgr for the bound __exit__ in
// place, so every failure leaves the same depth (mgr or __exit__ still owned there). The
// site's WithCache remembers the manager's class and its special methods.
void emit_BEFORE_WITH(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  WithCache* cache = L.caches().New<WithCache>();
  pa.CallHelper(PJ_HELPER(rt_before_with), {ATstate(), AAddress(L.Top()), APtr(cache)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

// WITH_EXCEPT_START (exit, lasti, prev_exc, exc -- exit, lasti, prev_exc, exc, res):
// res = exit(type(exc), exc, exc.__traceback__); nothing is consumed.
void emit_WITH_EXCEPT_START(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_with_except_start), {AValue(L.Top(3)), AValue(L.Top(0))});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

// LOAD_ASSERTION_ERROR (-- AssertionError): the built-in class is static, so inline.
void emit_LOAD_ASSERTION_ERROR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.LoadImm(Reg::kTmp0, reinterpret_cast<uint64_t>(PyExc_AssertionError));
  pa.IncRef(Reg::kTmp0);
  pa.Store(L.Stack(L.depth()), Reg::kTmp0);
}

}  // namespace pyjion::x64
