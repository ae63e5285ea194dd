// Lowerings of the stack, constant and fast-local family, plus RESUME and RETURN_VALUE:
// NOP, CACHE, EXTENDED_ARG, RESUME, POP_TOP, PUSH_NULL, COPY, SWAP, LOAD_CONST,
// LOAD_FAST, STORE_FAST, DELETE_FAST, RETURN_VALUE. All inline; the only helper is the
// unbound-local error. LOAD_FAST, LOAD_CONST and PUSH_NULL emit no stores: they push
// borrowed (or NULL) items on the virtual stack, copied into the frame only if needed.
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

// POP_TOP (value --): only an owned item has anything to release.
void emit_POP_TOP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Value v = L.Pop();
  if (v.kind == Value::kSlot) {
    pa.Load(Reg::kTmp0, L.Stack(v.position));
    pa.DecRef(Reg::kTmp0);
  } else if (v.kind == Value::kReg) {
    L.DropValue(v, v.reg);
  }
}

// PUSH_NULL (-- NULL)
void emit_PUSH_NULL(Lowering& L, const Instr& in) { L.Push(Value::Null()); }

// COPY n (.. x <n-1 items> -- .. x <n-1 items> x): a borrowed item is copied as such; an
// owned one gets a new reference in a value register.
void emit_COPY(Lowering& L, const Instr& in) {
  const Value v = L.Peek(in.oparg - 1);
  if (!v.owned()) {
    L.Push(v);
    return;
  }
  const Reg r = L.AcquireReg();
  L.LoadValue(r, v);
  L.pa().IncRef(r);
  L.PushReg(r);
}

// SWAP n: exchange TOS and the n-th item (no code for items held as virtual values).
void emit_SWAP(Lowering& L, const Instr& in) { L.SwapItems(in.oparg); }

// LOAD_CONST (-- consts[oparg]): a borrowed item; the code object keeps the constant alive.
void emit_LOAD_CONST(Lowering& L, const Instr& in) { L.Push(Value::Const(L.Const(in.oparg))); }

// LOAD_FAST (-- value): a borrowed item, after checking that the local is bound (unbound
// raises UnboundLocalError out of line) unless the frontend proved it is.
void emit_LOAD_FAST(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  if (L.LocalKnownBound(in.oparg)) {  // bound on every path here: nothing to check
    L.Push(Value::Local(in.oparg));
    return;
  }
  Label unbound = pa.NewLabel();
  pa.Load(Reg::kTmp0, L.Local(in.oparg));
  pa.BranchIfZero(Reg::kTmp0, unbound);
  L.Cold([&L, unbound, index = in.oparg] {
    PyAsm& pa = L.pa();
    pa.Bind(unbound);
    pa.CallHelper(PJ_HELPER(rt_unbound_local), {ATstate(), AFrame(), AImm(index)});
    pa.Jump(L.ErrorHere());
  });
  L.Push(Value::Local(in.oparg));
}

// STORE_FAST (value --): the new value is in place before the old one is released, since
// releasing it can run arbitrary code that looks at the frame. Items still borrowing the
// old value get their own reference first.
void emit_STORE_FAST(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Value v = L.Pop();
  L.MaterializeLocalCopies(in.oparg);
  const Slot local = L.Local(in.oparg);
  pa.Load(Reg::kRet, local);
  if (v.kind == Value::kReg) {
    pa.Store(local, v.reg);
    L.FreeReg(v.reg);
  } else if (v.kind == Value::kNull) {
    pa.StoreNull(local);
  } else {
    L.LoadValue(Reg::kTmp0, v);
    L.OwnValue(v, Reg::kTmp0);
    pa.Store(local, Reg::kTmp0);
  }
  pa.XDecRef(Reg::kRet);
}

// DELETE_FAST (--): unbound raises UnboundLocalError. Items borrowing the local get their
// own reference first.
void emit_DELETE_FAST(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label unbound = pa.NewLabel();
  L.MaterializeLocalCopies(in.oparg);
  pa.Load(Reg::kRet, L.Local(in.oparg));
  pa.BranchIfZero(Reg::kRet, unbound);
  pa.StoreNull(L.Local(in.oparg));
  pa.DecRef(Reg::kRet);
  L.Cold([&L, unbound, index = in.oparg] {
    PyAsm& pa = L.pa();
    pa.Bind(unbound);
    pa.CallHelper(PJ_HELPER(rt_unbound_local), {ATstate(), AFrame(), AImm(index)});
    pa.Jump(L.ErrorHere());
  });
}

// RETURN_VALUE (value --): the reference moves to the caller; the stack is then empty.
void emit_RETURN_VALUE(Lowering& L, const Instr& in) {
  const Value v = L.Pop();
  L.Flush();  // nothing is left in well-formed code
  L.LoadValue(Reg::kRet, v);
  L.OwnValue(v, Reg::kRet);
  if (v.kind == Value::kReg) L.FreeReg(v.reg);
  L.pa().CommitPrevInstr();  // a frame object that outlives the call reports this line
  L.pa().Jump(L.Epilogue());
}

}  // namespace pyjion::x64
