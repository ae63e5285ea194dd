// Lowerings of the stack, constant and fast-local family, plus RESUME and RETURN_VALUE:
// NOP, CACHE, EXTENDED_ARG, RESUME, POP_TOP, PUSH_NULL, COPY, SWAP, LOAD_CONST,
// LOAD_FAST, STORE_FAST, DELETE_FAST, RETURN_VALUE. All inline; the only helper is the
// unbound-local error.
#include "runtime/helpers.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

void emit_NOP(Lowering& L, const Instr& in) {}
void emit_CACHE(Lowering& L, const Instr& in) {}        // folded away by the decoder
void emit_EXTENDED_ARG(Lowering& L, const Instr& in) {} // folded away by the decoder

// RESUME (--): oparg < 2 polls the eval breaker (function entry, not after yield).
void emit_RESUME(Lowering& L, const Instr& in) {
  if (in.oparg >= 2) return;
  PyAsm& pa = L.pa();
  Label slow = pa.NewLabel(), join = pa.NewLabel();
  pa.PollEvalBreaker(slow);
  pa.Bind(join);
  L.Cold([&L, slow, join] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(pj_handle_eval_breaker), {ATstate()});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth()));
    pa.Jump(join);
  });
}

// POP_TOP (value --)
void emit_POP_TOP(Lowering& L, const Instr& in) {
  L.pa().Load(Reg::kKeep0, L.Top());
  L.pa().DecRef(Reg::kKeep0);
}

// PUSH_NULL (-- NULL)
void emit_PUSH_NULL(Lowering& L, const Instr& in) { L.pa().StoreNull(L.Stack(L.depth())); }

// COPY n (.. x <n-1 items> -- .. x <n-1 items> x); the copied item is never NULL.
void emit_COPY(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.Load(Reg::kTmp0, L.Top(in.oparg - 1));
  pa.IncRef(Reg::kTmp0);
  pa.Store(L.Stack(L.depth()), Reg::kTmp0);
}

// SWAP n: exchange TOS and the n-th item.
void emit_SWAP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.Load(Reg::kTmp0, L.Top(0));
  pa.Load(Reg::kRet, L.Top(in.oparg - 1));
  pa.Store(L.Top(0), Reg::kRet);
  pa.Store(L.Top(in.oparg - 1), Reg::kTmp0);
}

// LOAD_CONST (-- consts[oparg]): the code object keeps the constant alive.
void emit_LOAD_CONST(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.LoadImm(Reg::kTmp0, reinterpret_cast<uint64_t>(L.Const(in.oparg)));
  pa.IncRef(Reg::kTmp0);
  pa.Store(L.Stack(L.depth()), Reg::kTmp0);
}

// LOAD_FAST (-- value): unbound (NULL) raises UnboundLocalError out of line.
void emit_LOAD_FAST(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label unbound = pa.NewLabel();
  pa.Load(Reg::kTmp0, L.Local(in.oparg));
  pa.BranchIfZero(Reg::kTmp0, unbound);
  pa.IncRef(Reg::kTmp0);
  pa.Store(L.Stack(L.depth()), Reg::kTmp0);
  L.Cold([&L, unbound, index = in.oparg] {
    PyAsm& pa = L.pa();
    pa.Bind(unbound);
    pa.CallHelper(PJ_HELPER(rt_unbound_local), {ATstate(), AFrame(), AImm(index)});
    pa.Jump(L.ErrorExit(L.depth()));
  });
}

// STORE_FAST (value --): the new value is in place before the old one is released, since
// releasing it can run arbitrary code that looks at the frame.
void emit_STORE_FAST(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.Load(Reg::kKeep0, L.Local(in.oparg));
  pa.Load(Reg::kTmp0, L.Top());
  pa.Store(L.Local(in.oparg), Reg::kTmp0);
  pa.XDecRef(Reg::kKeep0);
}

// DELETE_FAST (--): unbound raises UnboundLocalError.
void emit_DELETE_FAST(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label unbound = pa.NewLabel();
  pa.Load(Reg::kKeep0, L.Local(in.oparg));
  pa.BranchIfZero(Reg::kKeep0, unbound);
  pa.StoreNull(L.Local(in.oparg));
  pa.DecRef(Reg::kKeep0);
  L.Cold([&L, unbound, index = in.oparg] {
    PyAsm& pa = L.pa();
    pa.Bind(unbound);
    pa.CallHelper(PJ_HELPER(rt_unbound_local), {ATstate(), AFrame(), AImm(index)});
    pa.Jump(L.ErrorExit(L.depth()));
  });
}

// RETURN_VALUE (value --): the reference moves to the caller; the stack is then empty.
void emit_RETURN_VALUE(Lowering& L, const Instr& in) {
  L.pa().Load(Reg::kRet, L.Top());
  L.pa().Jump(L.Epilogue());
}

}  // namespace pyjion::x64
