// Lowerings of structural pattern matching: MATCH_MAPPING MATCH_SEQUENCE MATCH_KEYS MATCH_CLASS.
// One helper call each (runtime/helpers_exc.h: ceval's opcode bodies, match_keys and
// match_class); the type-flag tests of MATCH_MAPPING/MATCH_SEQUENCE cannot fail.
#include "runtime/helpers_exc.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

// MATCH_MAPPING / MATCH_SEQUENCE (subject -- subject, bool)
void emit_MATCH_MAPPING(Lowering& L, const Instr& in) {
  L.pa().CallHelper(PJ_HELPER(rt_match_mapping), {AValue(L.Top())});
  L.pa().Store(L.Stack(L.depth()), Reg::kRet);
}
void emit_MATCH_SEQUENCE(Lowering& L, const Instr& in) {
  L.pa().CallHelper(PJ_HELPER(rt_match_sequence), {AValue(L.Top())});
  L.pa().Store(L.Stack(L.depth()), Reg::kRet);
}

// MATCH_KEYS (subject, keys -- subject, keys, values_or_None): borrows both.
void emit_MATCH_KEYS(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_match_keys), {ATstate(), AValue(L.Top(1)), AValue(L.Top(0))});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

// MATCH_CLASS count (subject, type, names -- attrs_or_None): the helper writes the result
// over subject. On error type and names are gone and subject is still owned (depth - 2).
void emit_MATCH_CLASS(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_match_class), {ATstate(), AAddress(L.Top(2)), AImm(in.oparg)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2));
}

}  // namespace pyjion::x64
