// XbyakPyAsm: the PyAsm interface implemented with xbyak. The only place (with its .cc)
// that spells x86-64 mnemonics. Code is generated straight into a caller-provided RW
// buffer at its final address (see runtime/code_arena.h); cold stubs that the
// implementation owns (dealloc calls) are queued and emitted by Finish().
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "x64/code_note.h"
#include "x64/pyasm.h"

namespace Xbyak { class CodeGenerator; class Reg64; struct Reg32; class Xmm; }

namespace pyjion::x64 {

struct CodeLayout {
  int nlocalsplus = 0;           // stack slot i lives at localsplus[nlocalsplus + i]
  const uint16_t* first_instr = nullptr;  // _PyCode_CODE(co)
};

class XbyakPyAsm : public PyAsm {
 public:
  XbyakPyAsm(void* buffer, size_t capacity, const CodeLayout& layout);
  ~XbyakPyAsm() override;

  // Emits queued cold stubs; returns the code size. Throws on overflow (caller retries).
  size_t Finish();
  // Whether an exception thrown while emitting means the buffer was too small.
  static bool IsBufferFull(const std::exception& e);
  // Instruction starts, comments and helper calls, for dumps.
  const std::vector<CodeNote>& annotations() const { return notes_; }
  // The byte offset a bound label ended up at (after Finish).
  size_t LabelOffset(Label l) const { return static_cast<size_t>(label_pos_.at(static_cast<size_t>(l))); }
  // (native offset, unit index) at each instruction start.
  const std::vector<std::pair<size_t, int>>& pc_map() const { return pc_map_; }

  Label NewLabel() override;
  void Bind(Label l) override;
  void Jump(Label l) override;
  void Comment(const char* text) override;
  void BeginInstr(int unit_index, const char* opname) override;
  void Prologue() override;
  void Epilogue(int stacktop) override;
  void SetPrevInstr(int unit_index) override;
  void SetPrevInstrUnlessAt(int unless_unit, int unit_index) override;
  void SetPrevInstrSpec(int unit, int unless_unit) override;
  void CommitPrevInstr() override;
  void SetStackTop(int stacktop) override;

  void Load(Reg dst, Slot s) override;
  void Store(Slot s, Reg src) override;
  void StoreNull(Slot s) override;
  void LoadImm(Reg dst, uint64_t value) override;
  void Move(Reg dst, Reg src) override;
  void LoadField(Reg dst, Field f) override;
  void MaterializeLocal(Slot dst, int local) override;
  void CopyFreeVars(int first_local, int n) override;
  void MaterializeConst(Slot dst, const void* obj) override;

  void IncRef(Reg r) override;
  void DecRef(Reg r) override;
  void XDecRef(Reg r) override;
  void DecRefNoDealloc(Reg r) override;

  void BranchIfZero(Reg r, Label l) override;
  void BranchIfNotZero(Reg r, Label l) override;
  void BranchIfNegative32(Reg r, Label l) override;
  void BranchIfEqual(Reg r, uint64_t imm, Label l) override;
  void BranchIfNotEqual(Reg r, uint64_t imm, Label l) override;
  void BranchIfSame(Reg a, Reg b, Label l) override;
  void CallHelper(const Helper& fn, const std::vector<Arg>& args) override;
  void CallIndirect(const void* fn_slot, const char* name, const std::vector<Arg>& args) override;
  void PollEvalBreaker(Label slow) override;
  void BranchIfTracing(Label l) override;

  void GuardExactType(Reg obj, const void* type, Label fail) override;
  void MediumIntArith(ArithOp op, Reg dst, Reg lhs, Reg rhs, Reg reuse, Label fail) override;
  void MediumIntArithImm(ArithOp op, Reg dst, Reg lhs, int64_t imm, Reg reuse,
                         Label fail) override;
  void CompareMediumIntImm(CmpOp op, Reg dst, Reg lhs, int64_t imm, Label fail) override;
  void FloatArith(ArithOp op, Reg dst, Reg lhs, NumKind lkind, Reg rhs, NumKind rkind,
                  Reg reuse, Label fail) override;
  void CompareMediumInts(CmpOp op, Reg dst, Reg lhs, Reg rhs, Label fail) override;
  void CompareFloats(CmpOp op, Reg dst, Reg lhs, Reg rhs) override;
  void CompareFloatInt(CmpOp op, Reg dst, Reg flt, Reg integer, Label fail) override;
  void CompareStrEqual(Reg dst, Reg lhs, Reg rhs, bool negate) override;
  void SelectBool(Reg dst, Reg flag) override;
  void CompareSame(Reg dst, Reg a, Reg b, bool negate) override;
  void ListIterNext(Reg dst, Reg it, Label other) override;
  void TupleIterNext(Reg dst, Reg it, Label other) override;
  void DictIterNext(Reg dst, Reg it, Label other, bool values) override;
  void RangeIterNext(Reg dst, Reg it, Label other) override;
  void RangeIterNextInto(Reg dst, Reg it, Slot local, Label other) override;
  void LoadCell(Reg dst, Reg cell) override;
  void StoreCell(Reg cell, Reg src) override;
  void GuardDictVersion(Reg dict, const uint64_t* tag, Label fail) override;
  void LoadWord(Reg dst, const void* addr) override;
  void LoadSeqItem(SeqKind kind, Reg dst, Reg seq, Reg index, Label fail) override;
  void ExchangeListItem(Reg list, Reg index, Reg value, Label fail) override;
  void UnpackSeqToSlots(SeqKind kind, Reg seq, int n, Slot first, Label fail) override;
  void ListAppendInline(Reg list, Reg value, Label full) override;
  void LoadAttrInline(Reg dst, Reg obj, const void* cache, Label miss) override;
  void StoreAttrInline(Reg obj, Reg value, Reg old, const void* cache, Label miss) override;
  void LoadMethodInline(Reg dst, Reg obj, const void* cache, Label miss) override;
  void LoadModuleAttrInline(Reg dst, Reg obj, const void* cache, Label miss) override;
  void GuardTypeVersion(Reg obj, uint32_t version, Label fail) override;
  void DirectEntry(const DirectEntryLayout& layout, Label entry, Label body) override;
  void BranchIfPrevInstrAt(int unit_index, Label l) override;
  void SetGeneratorSuspended() override;
  void DirectCall(const DirectCallSite& site, Label other) override;
  void BuiltinCall(const BuiltinCallSite& site, Label other) override;
  void VectorCall(const VectorCallSite& site, Label other) override;
  void LoadCachedAttr(AttrKind kind, Reg dst, Reg obj, int index, Label fail) override;

 private:
  void Note(CodeNote::Kind kind, int unit, const char* text);  // at the current offset
  // x86 condition codes (the low nibble of jcc).
  enum Cond : uint8_t { kO, kNO, kB, kAE, kE, kNE, kBE, kA, kS, kNS, kP, kNP, kL, kGE, kLE, kG };
  struct PrevSpec {
    int unit = -1, unless = -1;
    bool operator==(const PrevSpec& o) const { return unit == o.unit && unless == o.unless; }
  };
  struct DeallocStub { Label entry, back; Reg reg; PrevSpec prev; };
  struct Fixup { Label label; uint32_t at; };  // a rel32 field at code offset `at`
  void J(Cond c, Label l);
  void Jmp(Label l);
  void CallLabel(Label l);
  void Here(Label l);
  void PatchJumps();
  int SlotOffset(Slot s) const;
  void LoadMediumIntValue(Reg obj, int phys_dst, Label fail);
  void LoadSmallIntValue(Reg obj, const Xbyak::Reg64& dst, Label fail);
  void LoadDouble(Reg obj, NumKind kind, const Xbyak::Xmm& dst, Label fail);
  void LoadSeqIndex(Reg seq, Reg index, Label fail);
  void LoadVersionAndCache(Reg obj, const void* cache, Label miss);
  void LoadSplitDictValues(Reg obj, Reg work, Label miss);
  void BoxLongInTmp0(Reg reuse = Reg::kRet);
  void RangeIterStep(Reg it, Label other);
  void SeqIterNext(Reg dst, Reg it, Label other, bool tuple);
  void DictEntryItem(int key_offset, int value_offset, bool values, Label other);
  void SetCondition(CmpOp op, Reg dst);
  void CompareDoubles(CmpOp op, Reg dst);
  void CallAddress(const void* fn);
  void MoveArgs(const std::vector<Arg>& args);
  void SelectCallee(int base, int count, bool maybe_method, const Xbyak::Reg64& callable,
                    const Xbyak::Reg64& args, const Xbyak::Reg32& nargs);
  void RefTotal(int delta);

  Xbyak::CodeGenerator* gen_;
  CodeLayout layout_;
  void StorePrevInstr(const PrevSpec& spec);
  PrevSpec prev_spec_;                 // what prev_instr must hold from here on
  PrevSpec prev_stored_{-2, -2};       // what it is known to hold here (-2: unknown)
  std::vector<int64_t> label_pos_;   // code offset per label, -1 until bound
  std::vector<Fixup> fixups_;
  std::deque<DeallocStub> dealloc_stubs_;
  std::vector<CodeNote> notes_;
  std::vector<std::pair<size_t, int>> pc_map_;
};

}  // namespace pyjion::x64
