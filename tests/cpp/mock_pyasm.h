// GoogleMock fake of the PyAsm interface, for lowering tests: construct a Lowering over a
// MockPyAsm and assert which verbs (guards, fast paths, helper calls) an emit_* chooses.
// NewLabel hands out increasing ids by default; structure verbs are allowed any number
// of times by NiceMock users, or expected explicitly with StrictMock + InSequence.
#pragma once

#include <gmock/gmock.h>

#include <ostream>

#include "x64/pyasm.h"

namespace pyjion::x64 {

inline std::ostream& operator<<(std::ostream& os, const Slot& s) {
  return os << (s.kind == Slot::kLocal ? "local" : "stack") << "[" << s.index << "]";
}
inline std::ostream& operator<<(std::ostream& os, const Helper& h) { return os << h.name; }
inline std::ostream& operator<<(std::ostream& os, Reg r) { return os << RegName(r); }

class MockPyAsm : public PyAsm {
 public:
  MockPyAsm() {
    ON_CALL(*this, NewLabel()).WillByDefault([this] { return next_label_++; });
  }
  MOCK_METHOD(Label, NewLabel, (), (override));
  MOCK_METHOD(void, Bind, (Label), (override));
  MOCK_METHOD(void, Jump, (Label), (override));
  MOCK_METHOD(void, Comment, (const char*), (override));
  MOCK_METHOD(void, BeginInstr, (int, const char*), (override));
  MOCK_METHOD(void, DirectEntry, (const DirectEntryLayout&, Label, Label), (override));
  MOCK_METHOD(void, DirectCall, (const DirectCallSite&, Label), (override));
  MOCK_METHOD(void, BuiltinCall, (const BuiltinCallSite&, Label), (override));
  MOCK_METHOD(void, VectorCall, (const VectorCallSite&, Label), (override));
  MOCK_METHOD(void, Prologue, (), (override));
  MOCK_METHOD(void, Epilogue, (int), (override));
  MOCK_METHOD(void, SetPrevInstr, (int), (override));
  MOCK_METHOD(void, BranchIfPrevInstrAt, (int, Label), (override));
  MOCK_METHOD(void, SetGeneratorSuspended, (), (override));
  MOCK_METHOD(void, SetPrevInstrUnlessAt, (int, int), (override));
  MOCK_METHOD(void, SetPrevInstrSpec, (int, int), (override));
  MOCK_METHOD(void, CommitPrevInstr, (), (override));
  MOCK_METHOD(void, SetStackTop, (int), (override));
  MOCK_METHOD(void, Load, (Reg, Slot), (override));
  MOCK_METHOD(void, Store, (Slot, Reg), (override));
  MOCK_METHOD(void, StoreNull, (Slot), (override));
  MOCK_METHOD(void, LoadImm, (Reg, uint64_t), (override));
  MOCK_METHOD(void, Move, (Reg, Reg), (override));
  MOCK_METHOD(void, LoadField, (Reg, Field), (override));
  MOCK_METHOD(void, MaterializeLocal, (Slot, int), (override));
  MOCK_METHOD(void, CopyFreeVars, (int, int), (override));
  MOCK_METHOD(void, MaterializeConst, (Slot, const void*), (override));
  MOCK_METHOD(void, IncRef, (Reg), (override));
  MOCK_METHOD(void, DecRef, (Reg), (override));
  MOCK_METHOD(void, XDecRef, (Reg), (override));
  MOCK_METHOD(void, DecRefNoDealloc, (Reg), (override));
  MOCK_METHOD(void, BranchIfZero, (Reg, Label), (override));
  MOCK_METHOD(void, BranchIfNotZero, (Reg, Label), (override));
  MOCK_METHOD(void, BranchIfNegative32, (Reg, Label), (override));
  MOCK_METHOD(void, BranchIfEqual, (Reg, uint64_t, Label), (override));
  MOCK_METHOD(void, BranchIfNotEqual, (Reg, uint64_t, Label), (override));
  MOCK_METHOD(void, BranchIfSame, (Reg, Reg, Label), (override));
  MOCK_METHOD(void, CallHelper, (const Helper&, const std::vector<Arg>&), (override));
  MOCK_METHOD(void, CallIndirect, (const void*, const char*, const std::vector<Arg>&), (override));
  MOCK_METHOD(void, PollEvalBreaker, (Label), (override));
  MOCK_METHOD(void, BranchIfTracing, (Label), (override));
  MOCK_METHOD(void, GuardExactType, (Reg, const void*, Label), (override));
  MOCK_METHOD(void, MediumIntArith, (ArithOp, Reg, Reg, Reg, Reg, Label), (override));
  MOCK_METHOD(void, FloatArith, (ArithOp, Reg, Reg, NumKind, Reg, NumKind, Reg, Label), (override));
  MOCK_METHOD(void, CompareMediumInts, (CmpOp, Reg, Reg, Reg, Label), (override));
  MOCK_METHOD(void, CompareFloats, (CmpOp, Reg, Reg, Reg), (override));
  MOCK_METHOD(void, CompareFloatInt, (CmpOp, Reg, Reg, Reg, Label), (override));
  MOCK_METHOD(void, CompareMediumIntImm, (CmpOp, Reg, Reg, int64_t, Label), (override));
  MOCK_METHOD(void, MediumIntArithImm, (ArithOp, Reg, Reg, int64_t, Reg, Label), (override));
  MOCK_METHOD(void, CompareStrEqual, (Reg, Reg, Reg, bool), (override));
  MOCK_METHOD(void, SelectBool, (Reg, Reg), (override));
  MOCK_METHOD(void, CompareSame, (Reg, Reg, Reg, bool), (override));
  MOCK_METHOD(void, ListIterNext, (Reg, Reg, Label), (override));
  MOCK_METHOD(void, TupleIterNext, (Reg, Reg, Label), (override));
  MOCK_METHOD(void, DictIterNext, (Reg, Reg, Label, bool), (override));
  MOCK_METHOD(void, RangeIterNext, (Reg, Reg, Label), (override));
  MOCK_METHOD(void, RangeIterNextInto, (Reg, Reg, Slot, Label), (override));
  MOCK_METHOD(void, LoadCell, (Reg, Reg), (override));
  MOCK_METHOD(void, StoreCell, (Reg, Reg), (override));
  MOCK_METHOD(void, GuardDictVersion, (Reg, const uint64_t*, Label), (override));
  MOCK_METHOD(void, LoadWord, (Reg, const void*), (override));
  MOCK_METHOD(void, LoadSeqItem, (SeqKind, Reg, Reg, Reg, Label), (override));
  MOCK_METHOD(void, ExchangeListItem, (Reg, Reg, Reg, Label), (override));
  MOCK_METHOD(void, UnpackSeqToSlots, (SeqKind, Reg, int, Slot, Label), (override));
  MOCK_METHOD(void, ListAppendInline, (Reg, Reg, Label), (override));
  MOCK_METHOD(void, LoadAttrInline, (Reg, Reg, const void*, Label), (override));
  MOCK_METHOD(void, StoreAttrInline, (Reg, Reg, Reg, const void*, Label), (override));
  MOCK_METHOD(void, LoadMethodInline, (Reg, Reg, const void*, Label), (override));
  MOCK_METHOD(void, LoadModuleAttrInline, (Reg, Reg, const void*, Label), (override));
  MOCK_METHOD(void, GuardTypeVersion, (Reg, uint32_t, Label), (override));
  MOCK_METHOD(void, LoadCachedAttr, (AttrKind, Reg, Reg, int, Label), (override));

 private:
  Label next_label_ = 0;
};

// Matches a CallHelper whose Helper is the given function.
MATCHER_P(IsHelper, fn, "") { return arg.addr == reinterpret_cast<const void*>(fn); }

}  // namespace pyjion::x64
