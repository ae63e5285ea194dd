// The assembler interface the opcode lowerings are written against.
//
// Verbs are Python-level (load a local, incref, guard an exact type, call a helper); only
// the xbyak implementation (pyasm_xbyak.cc) spells x86 mnemonics, and tests substitute a
// GoogleMock fake (tests/cpp/mock_pyasm.h). Frame memory is addressed by Slot: fast locals
// and operand-stack items both live in frame->localsplus, exactly where the interpreter
// keeps them, so the interpreter can take any frame over at an instruction boundary.
//
// Register contract: values live in the virtual registers below. Every CallHelper and
// every DecRef/XDecRef (whose dealloc path calls out) clobbers kRet, kArg*, kTmp0;
// kKeep* survive calls. Guards and fast-path verbs clobber kRet and kTmp0 and want their
// operands in kKeep* registers. See regs.h for the physical mapping and the reasons.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pyjion::x64 {

enum class Reg : uint8_t { kRet, kArg0, kArg1, kArg2, kArg3, kArg4, kArg5, kTmp0,
                           kKeep0, kKeep1, kKeep2 };
const char* RegName(Reg r);
inline Reg ArgReg(int i) { return static_cast<Reg>(static_cast<int>(Reg::kArg0) + i); }

// A word of frame memory: fast local i, or operand-stack item i counted from the bottom.
struct Slot {
  enum Kind : uint8_t { kLocal, kStack };
  Kind kind;
  int index;
  static Slot Local(int i) { return {kLocal, i}; }
  static Slot Stack(int i) { return {kStack, i}; }
  bool operator==(const Slot& o) const { return kind == o.kind && index == o.index; }
};

// Frame and thread fields a lowering may read.
enum class Field : uint8_t { kFrame, kTstate, kGlobals, kBuiltins, kLocals, kFunc, kCode };

// One argument of a helper call.
struct Arg {
  enum Kind : uint8_t { kReg, kSlotValue, kSlotAddress, kImm, kField };
  Kind kind;
  Reg reg = Reg::kRet;
  Slot slot = {Slot::kStack, 0};
  uint64_t imm = 0;
  Field field = Field::kFrame;
  bool operator==(const Arg& o) const;
};
inline Arg A(Reg r) { Arg a{Arg::kReg}; a.reg = r; return a; }
inline Arg AValue(Slot s) { Arg a{Arg::kSlotValue}; a.slot = s; return a; }
inline Arg AAddress(Slot s) { Arg a{Arg::kSlotAddress}; a.slot = s; return a; }
inline Arg AImm(uint64_t v) { Arg a{Arg::kImm}; a.imm = v; return a; }
inline Arg APtr(const void* p) { return AImm(reinterpret_cast<uint64_t>(p)); }
inline Arg AField(Field f) { Arg a{Arg::kField}; a.field = f; return a; }
inline Arg ATstate() { return AField(Field::kTstate); }
inline Arg AFrame() { return AField(Field::kFrame); }

// A C helper: its address and name (for comments, dumps and mock expectations).
struct Helper {
  const void* addr;
  const char* name;
  bool operator==(const Helper& o) const { return addr == o.addr; }
};
#define PJ_HELPER(fn) ::pyjion::x64::Helper{reinterpret_cast<const void*>(&fn), #fn}

enum class ArithOp : uint8_t { kAdd, kSubtract, kMultiply, kAnd, kOr, kXor, kLshift, kRshift,
                               kFloorDivide, kRemainder, kTrueDivide };
enum class NumKind : uint8_t { kFloat, kInt };  // an exact float, or an exact small int
enum class CmpOp : uint8_t { kLt, kLe, kEq, kNe, kGt, kGe };  // Py_LT .. Py_GE order
enum class SeqKind : uint8_t { kList, kTuple };  // exact list / exact tuple
enum class AttrKind : uint8_t { kInstanceValue, kSlot };  // LOAD_ATTR_INSTANCE_VALUE/_SLOT

using Label = int;

// A CALL site's inline direct call (pyasm_xbyak_entry.cc): the operands in their stack
// slots, and the site's rt::CallCache, whose PjCallCache names the callee last run directly.
struct DirectCallSite {
  const void* cache = nullptr;    // the site's CallCache
  int base = 0;                   // stack slot of the first of the oparg + 2 operands
  int oparg = 0;                  // CALL's argument count (self not included)
  // false when the first operand is known to be NULL ([NULL, callable, args...]); true when
  // it may be a method ([meth, self, args...]), which the code then tells apart at run time
  bool maybe_method = false;
};

// A CALL site's inline builtin call (pyasm_xbyak_call.cc): the operands in their slots and
// the site's rt::CallCache, whose inline_* fields name the builtin it calls.
struct BuiltinCallSite {
  const void* cache = nullptr;    // the site's CallCache
  int base = 0;                   // stack slot of the first of the oparg + 2 operands
  int oparg = 0;                  // CALL's argument count (self not included)
  // kDescr: [method descriptor, self, args...]; kFunction: [NULL, builtin function, args...]
  enum Form : uint8_t { kDescr, kFunction } form = kDescr;
  bool check_null = false;        // kFunction: the first operand may not be NULL
};

// A CALL site's inline vectorcall (pyasm_xbyak_call.cc): any callable with a vectorcall
// function but the kinds the handler owns, once the site's rt::CallCache allows it.
struct VectorCallSite {
  const void* cache = nullptr;    // the site's CallCache
  int base = 0;                   // stack slot of the first of the oparg + 2 operands
  int oparg = 0;                  // CALL's argument count, keywords included
  bool maybe_method = false;      // as DirectCallSite
  const void* kwnames = nullptr;  // KW_NAMES's tuple, or NULL
  int nkw = 0;                    // its size
  bool not_descr = false;         // method descriptors go to the handler (descr_fast sites)
};

// What a compiled function's direct entry (pyasm_xbyak_entry.cc) bakes in.
struct DirectEntryLayout {
  int argcount = 0, nlocalsplus = 0, framesize = 0;  // framesize in words
  const void* code = nullptr;                         // the code object (f_code)
  const uint16_t* first_instr = nullptr;              // _PyCode_CODE(code)
  unsigned long long* run_count = nullptr;            // its PjDirectTarget's counter
};

class PyAsm {
 public:
  virtual ~PyAsm() = default;

  // -- structure --
  virtual Label NewLabel() = 0;
  virtual void Bind(Label l) = 0;
  virtual void Jump(Label l) = 0;
  virtual void Comment(const char* text) = 0;  // text: a static string
  virtual void BeginInstr(int unit_index, const char* opname) = 0;  // pc map + dump text
  // Calls the callee the site's cache last ran directly through its direct entry, when the
  // callable is a function with that code, no code state died since, the count is at most
  // the callee's argcount (the entry takes the rest from the defaults, or refuses), and
  // neither tracing nor a missing hook rules it out: result in kRet (NULL with an exception
  // set; the operands are consumed either way). Jumps to `other`, consuming nothing, when a
  // check fails or the entry refused. Calls out.
  virtual void DirectCall(const DirectCallSite& site, Label other) = 0;
  // Calls the C function of the builtin the site's cache names when the operands have
  // site.form and the callable (and for kDescr the exact type of self) matches it; result in
  // kRet (NULL with an exception set), the operands left in their slots for the caller to
  // release. Jumps to `other` when a check fails (recursion limit included), having done
  // nothing. Calls out.
  virtual void BuiltinCall(const BuiltinCallSite& site, Label other) = 0;
  // When the site's cache allows it, calls the callable's vectorcall function as
  // PyObject_Vectorcall does (PY_VECTORCALL_ARGUMENTS_OFFSET, the site's keyword names),
  // unless it is a Python function, a bound method, (site.not_descr) a method descriptor, or
  // has none; result in kRet, operands left in their slots. Else jumps to `other` having done
  // nothing. Calls out.
  virtual void VectorCall(const VectorCallSite& site, Label other) = 0;
  // The direct entry of the function (runtime/shim.h, PjDirectEntry), bound at `entry`; it
  // calls the function's ordinary entry at `body` (the prologue).
  virtual void DirectEntry(const DirectEntryLayout& layout, Label entry, Label body) = 0;
  virtual void Prologue() = 0;                      // save registers, set the fixed roles
  virtual void Epilogue(int stacktop) = 0;          // frame->stacktop = stacktop; return kRet
  virtual void SetPrevInstr(int unit_index) = 0;    // frame->prev_instr = first_instr + i
  // Jumps to l when frame->prev_instr is first_instr + unit_index (a generator's resume).
  virtual void BranchIfPrevInstrAt(int unit_index, Label l) = 0;
  // The generator owning the frame: gi_frame_state = FRAME_SUSPENDED (YIELD_VALUE).
  virtual void SetGeneratorSuspended() = 0;
  // frame->prev_instr = first_instr + unit_index unless it is first_instr + unless_unit.
  virtual void SetPrevInstrUnlessAt(int unless_unit, int unit_index) = 0;
  // What frame->prev_instr must hold while the code that follows runs, stored lazily: only
  // before what can observe it (every helper call or other call out, and every dealloc
  // stub), once per straight-line stretch (a bound label forgets what was stored). unit < 0:
  // leave it alone. unless_unit >= 0: as SetPrevInstrUnlessAt.
  virtual void SetPrevInstrSpec(int unit, int unless_unit) = 0;
  virtual void CommitPrevInstr() = 0;  // store it now (if not known to be stored already)
  virtual void SetStackTop(int stacktop) = 0;       // frame->stacktop (localsplus index)

  // -- data movement --
  virtual void Load(Reg dst, Slot s) = 0;
  virtual void Store(Slot s, Reg src) = 0;
  virtual void StoreNull(Slot s) = 0;
  virtual void LoadImm(Reg dst, uint64_t value) = 0;
  virtual void Move(Reg dst, Reg src) = 0;
  virtual void LoadField(Reg dst, Field f) = 0;
  // Materialise a borrowed item into a frame slot: dst = localsplus[local] / obj, with a new
  // reference. Clobber only the implementation's private scratch register.
  virtual void MaterializeLocal(Slot dst, int local) = 0;
  virtual void MaterializeConst(Slot dst, const void* obj) = 0;
  // COPY_FREE_VARS: localsplus[first_local + i] = a new reference to cell i of the frame's
  // function's closure, for i < n. Clobbers kRet, kTmp0 and the private scratch register.
  virtual void CopyFreeVars(int first_local, int n) = 0;

  // -- reference counts --
  virtual void IncRef(Reg r) = 0;
  virtual void DecRef(Reg r) = 0;           // may dealloc: clobbers caller-saved registers
  virtual void XDecRef(Reg r) = 0;          // NULL-tolerant DecRef
  virtual void DecRefNoDealloc(Reg r) = 0;  // for objects known to stay alive (True, None)

  // -- control --
  virtual void BranchIfZero(Reg r, Label l) = 0;       // 64-bit zero / NULL
  virtual void BranchIfNotZero(Reg r, Label l) = 0;
  virtual void BranchIfNegative32(Reg r, Label l) = 0;  // C int result < 0
  virtual void BranchIfEqual(Reg r, uint64_t imm, Label l) = 0;
  virtual void BranchIfNotEqual(Reg r, uint64_t imm, Label l) = 0;
  virtual void BranchIfSame(Reg a, Reg b, Label l) = 0;      // pointer identity
  virtual void CallHelper(const Helper& fn, const std::vector<Arg>& args) = 0;  // result kRet
  // Calls the function whose address is stored at *fn_slot when the code runs (a call
  // site's current handler), with the same argument rules as CallHelper.
  virtual void CallIndirect(const void* fn_slot, const char* name, const std::vector<Arg>& args) = 0;
  virtual void PollEvalBreaker(Label slow) = 0;  // jump to slow when the eval breaker is set
  virtual void BranchIfTracing(Label l) = 0;     // tstate->cframe->use_tracing != 0

  // -- guards and inline fast paths --
  virtual void GuardExactType(Reg obj, const void* type, Label fail) = 0;
  // lhs, rhs exact ints (kKeep registers); jumps to fail unless both have at most two
  // digits (|value| < 2**60) and the result needs no more than 64 bits (mul overflow,
  // shifts out of range or negative, division or modulo by zero all go to fail). dst (kRet)
  // = a new reference to the result (small ints from the cache, else boxed) or NULL on
  // MemoryError. `reuse`: an owned operand register whose int may take a one-digit result
  // in place if nothing else refers to it (its count is then raised by one, as FloatArith's
  // reuse); Reg::kRet for none. Not kTrueDivide. Clobbers every caller-saved register.
  virtual void MediumIntArith(ArithOp op, Reg dst, Reg lhs, Reg rhs, Reg reuse, Label fail) = 0;
  // MediumIntArith with rhs a constant int (|imm| < 2**31; for the shifts 0 <= imm < 64;
  // for division and modulo imm != 0).
  virtual void MediumIntArithImm(ArithOp op, Reg dst, Reg lhs, int64_t imm, Reg reuse,
                                 Label fail) = 0;
  // lhs op rhs on floats (kAdd, kSubtract, kMultiply, kTrueDivide), each operand an exact
  // float or (NumKind::kInt) an exact int of at most two digits, converted as float() does
  // (jumps to fail if larger). A zero (or NaN) divisor jumps to fail. `reuse`: an owned
  // operand register whose float may take the result if nothing else refers to it (its
  // count is then raised by one, so that releasing the operand leaves it to the result);
  // Reg::kRet for none. dst (kRet) = the result (new reference) or NULL on MemoryError.
  // Clobbers every caller-saved register.
  virtual void FloatArith(ArithOp op, Reg dst, Reg lhs, NumKind lkind, Reg rhs, NumKind rkind,
                          Reg reuse, Label fail) = 0;
  // dst = 1/0 for `lhs op rhs` on exact ints (fail unless both have at most two digits) or floats.
  virtual void CompareMediumInts(CmpOp op, Reg dst, Reg lhs, Reg rhs, Label fail) = 0;
  virtual void CompareFloats(CmpOp op, Reg dst, Reg lhs, Reg rhs) = 0;
  // dst (a kKeep register) = 1/0 for `flt op integer`, an exact float and an exact int:
  // ints below 2**48 in magnitude are converted exactly and compared as doubles, as
  // float_richcompare does; larger ones jump to fail.
  virtual void CompareFloatInt(CmpOp op, Reg dst, Reg flt, Reg integer, Label fail) = 0;
  // CompareMediumInts with rhs a constant int (|imm| < 2**31).
  virtual void CompareMediumIntImm(CmpOp op, Reg dst, Reg lhs, int64_t imm, Label fail) = 0;
  // dst (a kKeep register) = 1/0 for lhs == rhs on exact strs (negate: !=). Calls out.
  virtual void CompareStrEqual(Reg dst, Reg lhs, Reg rhs, bool negate) = 0;
  // dst = flag ? Py_True : Py_False, no reference taken; dst may be flag.
  virtual void SelectBool(Reg dst, Reg flag) = 0;
  // dst = 1/0 for a is b (negate: is not); dst may be a or b.
  virtual void CompareSame(Reg dst, Reg a, Reg b, bool negate) = 0;
  // FOR_ITER steps of an exact list / tuple / range iterator in `it` (a kKeep register):
  // dst = a new reference to the next item and the iterator moves on; jumps to other,
  // touching nothing, when the iterator has no next item inline. RangeIterNext's dst is
  // NULL if boxing the int failed (MemoryError); it may call out.
  virtual void ListIterNext(Reg dst, Reg it, Label other) = 0;
  virtual void TupleIterNext(Reg dst, Reg it, Label other) = 0;
  // ... of an exact dict key iterator (values: value iterator) while its dict is unchanged
  // and the entry at its position holds an item (everything else is dictiter_iternext*'s).
  virtual void DictIterNext(Reg dst, Reg it, Label other, bool values) = 0;
  virtual void RangeIterNext(Reg dst, Reg it, Label other) = 0;
  // RangeIterNext for an item that the next instruction stores into `local`: a positive
  // one-digit value is written into the local's int in place when nothing but the local
  // holds that int (ceval's FOR_ITER_RANGE, _PyLong_AssignValue); dst is then that int with
  // a new reference, which the store drops again.
  virtual void RangeIterNextInto(Reg dst, Reg it, Slot local, Label other) = 0;

  // -- cells and global-name caches (names family; clobber only the implementation's
  //    private scratch register) --
  virtual void LoadCell(Reg dst, Reg cell) = 0;    // dst = PyCell_GET(cell), maybe NULL
  virtual void StoreCell(Reg cell, Reg src) = 0;   // PyCell_SET(cell, src); no refcounting
  // Jumps to fail unless the dict in `dict` (a dict object) has the PEP 509 version tag
  // (ma_version_tag) that is stored at *tag when the guard runs.
  virtual void GuardDictVersion(Reg dict, const uint64_t* tag, Label fail) = 0;
  virtual void LoadWord(Reg dst, const void* addr) = 0;  // dst = *addr, read at run time

  // -- exact lists and tuples (containers family; operands in kKeep registers; these
  //    clobber kRet and kTmp0) --
  // dst = seq[index], borrowed, for an exact list/tuple seq and an exact int index (negative
  // indexes count from the end); jumps to fail unless index has one digit and is in range.
  virtual void LoadSeqItem(SeqKind kind, Reg dst, Reg seq, Reg index, Label fail) = 0;
  // list[index] = value for an exact list and an exact int index (negative from the end):
  // the list takes value's reference and `value` is left holding the previous item (to be
  // released). Jumps to fail, storing nothing, unless index has one digit and is in range.
  virtual void ExchangeListItem(Reg list, Reg index, Reg value, Label fail) = 0;
  // Unpacks an exact list/tuple of exactly n items onto the operand stack as
  // UNPACK_SEQUENCE does: stack slot first.index + j gets a new reference to seq[n-1-j].
  // Jumps to fail, writing nothing, if len(seq) != n. seq must not live in those slots only.
  virtual void UnpackSeqToSlots(SeqKind kind, Reg seq, int n, Slot first, Label fail) = 0;
  // LIST_APPEND's fast path: stores value (an owned reference, moved in) at the end of the
  // exact list in `list` when it has room; jumps to full, touching nothing, otherwise.
  virtual void ListAppendInline(Reg list, Reg value, Label full) = 0;

  // -- attribute inline caches (rt::AttrCache, filled at run time by the helpers; these
  //    read its inline fields; they clobber kTmp0 and the private scratch register) --
  // dst = the borrowed attribute of obj through the cache's instance-value or slot entry;
  // jumps to miss when neither applies or the attribute is unset. dst != obj.
  virtual void LoadAttrInline(Reg dst, Reg obj, const void* cache, Label miss) = 0;
  // Stores value (an owned reference, moved in) into obj through the same entries; `old`
  // (must be kRet) gets the replaced reference, maybe NULL for a slot. Jumps to miss,
  // storing nothing, when neither applies or an instance value was unset (the helper then
  // keeps the values' insertion order).
  virtual void StoreAttrInline(Reg obj, Reg value, Reg old, const void* cache, Label miss) = 0;
  // dst = the borrowed method LOAD_METHOD pushes with obj as self, through the cache's
  // method entries (instance with values and no attribute of that name; type without
  // instance dicts); jumps to miss otherwise. Also clobbers kRet. dst != obj.
  virtual void LoadMethodInline(Reg dst, Reg obj, const void* cache, Label miss) = 0;
  // dst = the borrowed attribute of the module obj through the cache's module entry (obj
  // is that module and its dict's version tag is unchanged); jumps to miss otherwise.
  virtual void LoadModuleAttrInline(Reg dst, Reg obj, const void* cache, Label miss) = 0;

  // -- LOAD_ATTR inline caches (values read from the quickened code at compile time) --
  // Jumps to fail unless Py_TYPE(obj)->tp_version_tag == version (never 0).
  virtual void GuardTypeVersion(Reg obj, uint32_t version, Label fail) = 0;
  // dst = a borrowed attribute of obj (of a type guarded by GuardTypeVersion) at a cached
  // position: kInstanceValue: entry `index` of its managed-dict values array (fail if the
  // object has no values array, i.e. a materialised __dict__); kSlot: the member at byte
  // offset `index`. Jumps to fail when the attribute is unset (NULL).
  virtual void LoadCachedAttr(AttrKind kind, Reg dst, Reg obj, int index, Label fail) = 0;
};

}  // namespace pyjion::x64
