// Lowerings of names, globals, cells and free variables:
// LOAD_CLOSURE LOAD_DEREF STORE_DEREF DELETE_DEREF LOAD_CLASSDEREF MAKE_CELL COPY_FREE_VARS
// LOAD_GLOBAL STORE_GLOBAL DELETE_GLOBAL LOAD_NAME STORE_NAME DELETE_NAME.
//
// Inline: the cell opcodes (a cell lives in its localsplus slot; its contents are read and
// written in place) and LOAD_GLOBAL's cache hit (two exact-dict and version-tag guards, see
// rt::GlobalCache). Everything else is one rt_* helper call (runtime/helpers_names.h) with
// ceval's semantics and messages. MAKE_CELL and COPY_FREE_VARS run before RESUME, where
// the frame is still incomplete: the driver leaves prev_instr alone and errors add no
// traceback entry.
#include "runtime/helpers_names.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

namespace {

// The error path of an empty cell: UnboundLocalError / NameError, then unwind at `depth`.
void EmitUnboundDeref(Lowering& L, Label unbound, int index) {
  L.Cold([&L, unbound, index] {
    PyAsm& pa = L.pa();
    pa.Bind(unbound);
    pa.CallHelper(PJ_HELPER(rt_unbound_deref), {AFrame(), AImm(index)});
    pa.Jump(L.ErrorHere());
  });
}

// Pushes the helper result in kRet, or unwinds at the current depth when it is NULL.
void EmitPushResult(Lowering& L) {
  PyAsm& pa = L.pa();
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

}  // namespace

// LOAD_CLOSURE (-- cell): the cell object itself; exactly LOAD_FAST in ceval 3.11.
void emit_LOAD_CLOSURE(Lowering& L, const Instr& in) { emit_LOAD_FAST(L, in); }

// LOAD_DEREF (-- value): the contents of the cell in slot oparg; empty raises.
void emit_LOAD_DEREF(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label unbound = pa.NewLabel();
  const Reg r = L.AcquireReg();
  pa.Load(r, L.Local(in.oparg));
  pa.LoadCell(r, r);
  pa.BranchIfZero(r, unbound);
  pa.IncRef(r);
  EmitUnboundDeref(L, unbound, in.oparg);
  L.PushReg(r);
}

// STORE_DEREF (value --): the cell takes the item's reference; the old contents are
// released after the new ones are in place (their __del__ may read the cell).
void emit_STORE_DEREF(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Value v = L.Pop();
  const Reg val = L.ToReg(v);
  L.OwnValue(v, val);
  const Reg cell = L.AcquireReg();
  pa.Load(cell, L.Local(in.oparg));
  pa.LoadCell(Reg::kRet, cell);
  pa.StoreCell(cell, val);
  pa.XDecRef(Reg::kRet);
  L.FreeReg(cell);
  L.FreeReg(val);
}

// DELETE_DEREF (--): empties the cell; an empty cell raises.
void emit_DELETE_DEREF(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label unbound = pa.NewLabel();
  pa.Load(Reg::kKeep0, L.Local(in.oparg));
  pa.LoadCell(Reg::kKeep1, Reg::kKeep0);
  pa.BranchIfZero(Reg::kKeep1, unbound);
  pa.LoadImm(Reg::kTmp0, 0);
  pa.StoreCell(Reg::kKeep0, Reg::kTmp0);
  pa.DecRef(Reg::kKeep1);
  EmitUnboundDeref(L, unbound, in.oparg);
}

// LOAD_CLASSDEREF (-- value): class bodies; the namespace mapping first, then the cell.
void emit_LOAD_CLASSDEREF(Lowering& L, const Instr& in) {
  L.pa().CallHelper(PJ_HELPER(rt_load_classderef), {AFrame(), AImm(in.oparg)});
  EmitPushResult(L);
}

// MAKE_CELL (--): localsplus[oparg] = PyCell_New(localsplus[oparg]) (an argument's value,
// or NULL); the slot's old reference is released after the cell is stored. Failure goes
// to ceval's resume_with_error: no traceback entry, as the frame is not complete yet.
void emit_MAKE_CELL(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(PyCell_New), {AValue(L.Local(in.oparg))});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth(), /*traceback=*/false));
  pa.Load(Reg::kKeep0, L.Local(in.oparg));
  pa.Store(L.Local(in.oparg), Reg::kRet);
  pa.XDecRef(Reg::kKeep0);
}

// COPY_FREE_VARS n (--): the function's closure cells into the last n slots (new
// references), inline: ceval's loop over func_closure.
void emit_COPY_FREE_VARS(Lowering& L, const Instr& in) {
  if (in.oparg == 0) return;
  PyCodeObject* co = L.code();
  L.pa().CopyFreeVars(co->co_nlocals + co->co_nplaincellvars, in.oparg);
}

// LOAD_GLOBAL (-- [NULL] value): name = co_names[oparg >> 1]; oparg & 1 pushes a NULL
// first. Inline cache hit: f_globals and f_builtins are exact dicts whose version tags
// equal the site's cache (rt::GlobalCache), so the cached value is still the answer.
// Miss: rt_load_global does ceval's full lookup and refills the cache.
void emit_LOAD_GLOBAL(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  rt::GlobalCache* cache = L.caches().New<rt::GlobalCache>();
  if (!rt::InitGlobalCache(cache, L.Name(in.oparg >> 1))) {
    PyErr_Clear();
    L.Refuse("cannot hash a LOAD_GLOBAL name");
    return;
  }
  Label miss = pa.NewLabel(), join = pa.NewLabel();
  const Reg r = L.AcquireReg();
  L.Cold([&L, miss, join, cache, r] {
    PyAsm& pa = L.pa();
    pa.Bind(miss);
    pa.CallHelper(PJ_HELPER(rt_load_global), {AFrame(), APtr(cache)});
    pa.BranchIfZero(Reg::kRet, L.ErrorHere());  // nothing is pushed on failure
    pa.Move(r, Reg::kRet);
    pa.Jump(join);
  });
  // f_globals is always a dict (maybe a subclass: it has the version tag too), and a tag
  // equal to the cached one (filled from exact dicts only, never reused) means the very
  // same exact dict; f_builtins may be any mapping, so its type is checked first
  pa.LoadField(Reg::kTmp0, Field::kGlobals);
  pa.GuardDictVersion(Reg::kTmp0, &cache->globals_tag, miss);
  pa.LoadField(Reg::kTmp0, Field::kBuiltins);
  pa.GuardExactType(Reg::kTmp0, &PyDict_Type, miss);
  pa.GuardDictVersion(Reg::kTmp0, &cache->builtins_tag, miss);
  pa.LoadWord(r, &cache->value);
  pa.IncRef(r);
  pa.Bind(join);
  if (in.oparg & 1) L.Push(Value::Null());
  L.PushReg(r);
}

// STORE_GLOBAL (value --): rt_store_global steals the value.
void emit_STORE_GLOBAL(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_store_global),
                {AFrame(), APtr(L.Name(in.oparg)), AValue(L.Top())});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

// DELETE_GLOBAL (--): a missing name raises NameError.
void emit_DELETE_GLOBAL(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_delete_global), {AFrame(), APtr(L.Name(in.oparg))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth()));
}

// LOAD_NAME (-- value): f_locals, globals, builtins.
void emit_LOAD_NAME(Lowering& L, const Instr& in) {
  L.pa().CallHelper(PJ_HELPER(rt_load_name), {AFrame(), APtr(L.Name(in.oparg))});
  EmitPushResult(L);
}

// STORE_NAME (value --): rt_store_name steals the value.
void emit_STORE_NAME(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_store_name), {AFrame(), APtr(L.Name(in.oparg)), AValue(L.Top())});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

// DELETE_NAME (--)
void emit_DELETE_NAME(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_delete_name), {AFrame(), APtr(L.Name(in.oparg))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth()));
}

}  // namespace pyjion::x64
