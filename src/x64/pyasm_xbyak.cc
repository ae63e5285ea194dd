// XbyakPyAsm: PyAsm verbs as x86-64 instruction sequences (the stencils' bodies).
// Register roles come from regs.h. Conventions:
//  - every call goes through `mov rax, imm64; call rax`, so code is independent of where
//    helpers are loaded;
//  - refcount decrements are inline, the dealloc call is a cold stub emitted by Finish();
//  - the stack is 16-byte aligned after Prologue (6 pushes + 8 bytes of padding).
#include "x64/pyasm_xbyak.h"

#include <Python.h>

#include <cstring>
#include <stdexcept>

#include "runtime/helpers_attr.h"
#include "runtime/shim.h"
#include "x64/regs.h"

namespace pyjion::x64 {

using namespace Xbyak::util;  // NOLINT: register names
namespace rg = regs;

const char* RegName(Reg r) {
  static const char* const kNames[] = {"ret", "arg0", "arg1", "arg2", "arg3", "arg4", "arg5",
                                       "tmp0", "keep0", "keep1", "keep2"};
  return kNames[static_cast<int>(r)];
}

bool Arg::operator==(const Arg& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case kReg: return reg == o.reg;
    case kSlotValue:
    case kSlotAddress: return slot == o.slot;
    case kImm: return imm == o.imm;
    case kField: return field == o.field;
  }
  return false;
}

namespace {

const Xbyak::Reg64& Phys(Reg r) {
  switch (r) {
    case Reg::kRet: return rg::kRet;
    case Reg::kArg0: return rg::Arg(0);
    case Reg::kArg1: return rg::Arg(1);
    case Reg::kArg2: return rg::Arg(2);
    case Reg::kArg3: return rg::Arg(3);
    case Reg::kArg4: return rg::Arg(4);
    case Reg::kArg5: return rg::Arg(5);
    case Reg::kTmp0: return rg::kTmp0;
    case Reg::kKeep0: return rg::kKeep0;
    case Reg::kKeep1: return rg::kKeep1;
    case Reg::kKeep2: return rg::kKeep2;
  }
  throw std::logic_error("bad register");
}

bool IsKeep(Reg r) { return r == Reg::kKeep0 || r == Reg::kKeep1 || r == Reg::kKeep2; }

void Require(bool ok, const char* what) {
  if (!ok) throw std::logic_error(what);
}

constexpr int kObSize = offsetof(PyVarObject, ob_size);
constexpr int kObType = offsetof(PyObject, ob_type);
constexpr int kObRefcnt = offsetof(PyObject, ob_refcnt);

}  // namespace

XbyakPyAsm::XbyakPyAsm(void* buffer, size_t capacity, const CodeLayout& layout)
    : gen_(new Xbyak::CodeGenerator(capacity, buffer)), layout_(layout) {
  gen_->setDefaultJmpNEAR(true);
}

XbyakPyAsm::~XbyakPyAsm() { delete gen_; }

void XbyakPyAsm::Note(CodeNote::Kind kind, int unit, const char* text) {
  notes_.push_back({gen_->getSize(), kind, unit, text});
}

// Labels are ours, not xbyak's: a position per label and a list of rel32 fields to patch
// once every label is bound (xbyak's hash-table labels were a fifth of the compile time).
// Jumps to a label already bound get the short form when the distance allows.
void XbyakPyAsm::J(Cond c, Label l) {
  const int64_t target = label_pos_.at(static_cast<size_t>(l));
  if (target >= 0) {
    const int64_t short_disp = target - (static_cast<int64_t>(gen_->getSize()) + 2);
    if (short_disp >= -128) {
      gen_->db(0x70 | c);
      gen_->db(static_cast<uint8_t>(short_disp));
      return;
    }
    gen_->db(0x0f);
    gen_->db(0x80 | c);
    gen_->dd(static_cast<uint32_t>(target - (static_cast<int64_t>(gen_->getSize()) + 4)));
    return;
  }
  gen_->db(0x0f);
  gen_->db(0x80 | c);
  fixups_.push_back({l, static_cast<uint32_t>(gen_->getSize())});
  gen_->dd(0);
}

void XbyakPyAsm::Jmp(Label l) {
  const int64_t target = label_pos_.at(static_cast<size_t>(l));
  if (target >= 0) {
    const int64_t short_disp = target - (static_cast<int64_t>(gen_->getSize()) + 2);
    if (short_disp >= -128) {
      gen_->db(0xeb);
      gen_->db(static_cast<uint8_t>(short_disp));
      return;
    }
    gen_->db(0xe9);
    gen_->dd(static_cast<uint32_t>(target - (static_cast<int64_t>(gen_->getSize()) + 4)));
    return;
  }
  gen_->db(0xe9);
  fixups_.push_back({l, static_cast<uint32_t>(gen_->getSize())});
  gen_->dd(0);
}

void XbyakPyAsm::CallLabel(Label l) {
  const int64_t target = label_pos_.at(static_cast<size_t>(l));
  gen_->db(0xe8);
  if (target >= 0) {
    gen_->dd(static_cast<uint32_t>(target - (static_cast<int64_t>(gen_->getSize()) + 4)));
    return;
  }
  fixups_.push_back({l, static_cast<uint32_t>(gen_->getSize())});
  gen_->dd(0);
}

void XbyakPyAsm::Here(Label l) {
  int64_t& pos = label_pos_.at(static_cast<size_t>(l));
  Require(pos < 0, "label bound twice");
  pos = static_cast<int64_t>(gen_->getSize());
  prev_stored_ = {-2, -2};  // a join: what other paths stored is not known
}

void XbyakPyAsm::PatchJumps() {
  auto* code = const_cast<uint8_t*>(gen_->getCode());
  for (const Fixup& f : fixups_) {
    const int64_t target = label_pos_[static_cast<size_t>(f.label)];
    Require(target >= 0, "jump to a label that was never bound");
    const auto disp = static_cast<int32_t>(target - (static_cast<int64_t>(f.at) + 4));
    std::memcpy(code + f.at, &disp, sizeof disp);
  }
}

int XbyakPyAsm::SlotOffset(Slot s) const {
  const int64_t index = s.kind == Slot::kLocal ? int64_t{s.index}
                                               : int64_t{layout_.nlocalsplus} + s.index;
  const int64_t offset = pj_offsets()->frame_localsplus + 8 * index;
  Require(offset >= 0 && offset <= INT32_MAX, "frame slot out of displacement range");
  return static_cast<int>(offset);
}

void XbyakPyAsm::CallAddress(const void* fn) {
  CommitPrevInstr();  // whatever is called may look at the frame (or, for allocations, tracemalloc)
  gen_->mov(rax, reinterpret_cast<uint64_t>(fn));
  gen_->call(rax);
}

// Debug builds of CPython (Py_REF_DEBUG) keep a global count of references.
void XbyakPyAsm::RefTotal(int delta) {
#ifdef Py_REF_DEBUG
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(&_Py_RefTotal));
  if (delta > 0) gen_->inc(qword[rg::kScratch]); else gen_->dec(qword[rg::kScratch]);
#else
  (void)delta;
#endif
}

bool XbyakPyAsm::IsBufferFull(const std::exception& e) {
  const auto* err = dynamic_cast<const Xbyak::Error*>(&e);
  return err != nullptr && static_cast<int>(*err) == Xbyak::ERR_CODE_IS_TOO_BIG;
}

size_t XbyakPyAsm::Finish() {
  prev_spec_ = {};  // each stub stores its own
  for (const DeallocStub& s : dealloc_stubs_) {
    Here(s.entry);
    StorePrevInstr(s.prev);  // the object's finalizer may look at the frame
    gen_->mov(rdi, Phys(s.reg));
    CallAddress(reinterpret_cast<const void*>(&_Py_Dealloc));
    Jmp(s.back);
  }
  gen_->ud2();  // nothing may run past the end of the function
  PatchJumps();
  gen_->ready();
  return gen_->getSize();
}

Label XbyakPyAsm::NewLabel() {
  label_pos_.push_back(-1);
  return static_cast<Label>(label_pos_.size() - 1);
}
void XbyakPyAsm::Bind(Label l) { Here(l); }
void XbyakPyAsm::Jump(Label l) { Jmp(l); }
void XbyakPyAsm::Comment(const char* text) { Note(CodeNote::kComment, 0, text); }
void XbyakPyAsm::BeginInstr(int unit_index, const char* opname) {
  pc_map_.emplace_back(gen_->getSize(), unit_index);
  Note(CodeNote::kInstr, unit_index, opname);
}

void XbyakPyAsm::Prologue() {
  for (const Xbyak::Reg64* r : {&rbp, &rbx, &r12, &r13, &r14, &r15}) gen_->push(*r);
  gen_->sub(rsp, 8);
  gen_->mov(rg::kFrame, rsi);
  gen_->mov(rg::kTstate, rdi);
  gen_->mov(rg::kFirstInstr, reinterpret_cast<uint64_t>(layout_.first_instr));
}

void XbyakPyAsm::Epilogue(int stacktop) {
  SetStackTop(stacktop);
  gen_->add(rsp, 8);
  for (const Xbyak::Reg64* r : {&r15, &r14, &r13, &r12, &rbx, &rbp}) gen_->pop(*r);
  gen_->ret();
}

void XbyakPyAsm::BranchIfPrevInstrAt(int unit_index, Label l) {
  gen_->lea(rg::kScratch, ptr[rg::kFirstInstr + 2 * unit_index]);
  gen_->cmp(qword[rg::kFrame + pj_offsets()->frame_prev_instr], rg::kScratch);
  J(kE, l);
}

void XbyakPyAsm::SetGeneratorSuspended() {
  const PjOffsets* o = pj_offsets();
  gen_->mov(byte[rg::kFrame + o->gen_frame_state_from_frame],
            static_cast<uint8_t>(o->frame_suspended));
}

void XbyakPyAsm::SetPrevInstrSpec(int unit, int unless_unit) {
  prev_spec_ = {unit, unless_unit};
}

void XbyakPyAsm::StorePrevInstr(const PrevSpec& spec) {
  if (spec.unit < 0) return;
  if (spec.unless >= 0) SetPrevInstrUnlessAt(spec.unless, spec.unit);
  else SetPrevInstr(spec.unit);
}

void XbyakPyAsm::CommitPrevInstr() {
  if (prev_spec_.unit < 0 || prev_stored_ == prev_spec_) return;
  StorePrevInstr(prev_spec_);
}

void XbyakPyAsm::SetPrevInstr(int unit_index) {
  gen_->lea(rg::kScratch, ptr[rg::kFirstInstr + 2 * unit_index]);
  gen_->mov(qword[rg::kFrame + pj_offsets()->frame_prev_instr], rg::kScratch);
  prev_stored_ = {unit_index, -1};
}

void XbyakPyAsm::SetPrevInstrUnlessAt(int unless_unit, int unit_index) {
  const Label keep = NewLabel();
  const auto prev_instr = qword[rg::kFrame + pj_offsets()->frame_prev_instr];
  gen_->lea(rg::kScratch, ptr[rg::kFirstInstr + 2 * unless_unit]);
  gen_->cmp(prev_instr, rg::kScratch);
  J(kE, keep);
  gen_->lea(rg::kScratch, ptr[rg::kFirstInstr + 2 * unit_index]);
  gen_->mov(prev_instr, rg::kScratch);
  Here(keep);
  prev_stored_ = {unit_index, unless_unit};
}

void XbyakPyAsm::SetStackTop(int stacktop) {
  gen_->mov(dword[rg::kFrame + pj_offsets()->frame_stacktop], stacktop);
}

void XbyakPyAsm::Load(Reg dst, Slot s) { gen_->mov(Phys(dst), qword[rg::kFrame + SlotOffset(s)]); }
void XbyakPyAsm::Store(Slot s, Reg src) { gen_->mov(qword[rg::kFrame + SlotOffset(s)], Phys(src)); }
void XbyakPyAsm::StoreNull(Slot s) { gen_->mov(qword[rg::kFrame + SlotOffset(s)], 0); }
void XbyakPyAsm::LoadImm(Reg dst, uint64_t value) {
  if (value <= 0xffffffffu) gen_->mov(Phys(dst).cvt32(), static_cast<uint32_t>(value));
  else gen_->mov(Phys(dst), value);
}
void XbyakPyAsm::Move(Reg dst, Reg src) {
  if (dst != src) gen_->mov(Phys(dst), Phys(src));
}

void XbyakPyAsm::LoadField(Reg dst, Field f) {
  const PjOffsets* o = pj_offsets();
  const Xbyak::Reg64& d = Phys(dst);
  switch (f) {
    case Field::kFrame: gen_->mov(d, rg::kFrame); return;
    case Field::kTstate: gen_->mov(d, rg::kTstate); return;
    case Field::kGlobals: gen_->mov(d, qword[rg::kFrame + o->frame_f_globals]); return;
    case Field::kBuiltins: gen_->mov(d, qword[rg::kFrame + o->frame_f_builtins]); return;
    case Field::kLocals: gen_->mov(d, qword[rg::kFrame + o->frame_f_locals]); return;
    case Field::kFunc: gen_->mov(d, qword[rg::kFrame + o->frame_f_func]); return;
    case Field::kCode: gen_->mov(d, qword[rg::kFrame + o->frame_f_code]); return;
  }
}

void XbyakPyAsm::CopyFreeVars(int first_local, int n) {
  const Xbyak::Reg64& closure = rg::kTmp0;
  const Xbyak::Reg64& cell = Phys(Reg::kRet);  // RefTotal uses the scratch register
  gen_->mov(closure, qword[rg::kFrame + pj_offsets()->frame_f_func]);
  gen_->mov(closure, qword[closure + offsetof(PyFunctionObject, func_closure)]);
  for (int i = 0; i < n; ++i) {
    gen_->mov(cell, qword[closure + offsetof(PyTupleObject, ob_item) + 8 * i]);
    gen_->inc(qword[cell + kObRefcnt]);
    RefTotal(+1);
    gen_->mov(qword[rg::kFrame + SlotOffset(Slot::Local(first_local + i))], cell);
  }
}

void XbyakPyAsm::MaterializeLocal(Slot dst, int local) {
  gen_->mov(rg::kScratch, qword[rg::kFrame + SlotOffset(Slot::Local(local))]);
  gen_->inc(qword[rg::kScratch + kObRefcnt]);
  gen_->mov(qword[rg::kFrame + SlotOffset(dst)], rg::kScratch);
  RefTotal(+1);  // after the store: it uses kScratch
}

void XbyakPyAsm::MaterializeConst(Slot dst, const void* obj) {
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(obj));
  gen_->inc(qword[rg::kScratch + kObRefcnt]);
  gen_->mov(qword[rg::kFrame + SlotOffset(dst)], rg::kScratch);
  RefTotal(+1);  // after the store: it uses kScratch
}

void XbyakPyAsm::IncRef(Reg r) {
  gen_->inc(qword[Phys(r) + kObRefcnt]);
  RefTotal(+1);
}

void XbyakPyAsm::DecRef(Reg r) {
  dealloc_stubs_.push_back({NewLabel(), NewLabel(), r, prev_spec_});
  const DeallocStub* stub = &dealloc_stubs_.back();
  RefTotal(-1);
  gen_->dec(qword[Phys(r) + kObRefcnt]);
  J(kE, stub->entry);
  Here(stub->back);
}

void XbyakPyAsm::XDecRef(Reg r) {
  const Label skip = NewLabel();
  gen_->test(Phys(r), Phys(r));
  J(kE, skip);
  DecRef(r);
  Here(skip);
}

void XbyakPyAsm::DecRefNoDealloc(Reg r) {
  RefTotal(-1);
  gen_->dec(qword[Phys(r) + kObRefcnt]);
}

void XbyakPyAsm::BranchIfZero(Reg r, Label l) {
  gen_->test(Phys(r), Phys(r));
  J(kE, l);
}
void XbyakPyAsm::BranchIfNotZero(Reg r, Label l) {
  gen_->test(Phys(r), Phys(r));
  J(kNE, l);
}
void XbyakPyAsm::BranchIfNegative32(Reg r, Label l) {
  gen_->test(Phys(r).cvt32(), Phys(r).cvt32());
  J(kS, l);
}
void XbyakPyAsm::BranchIfEqual(Reg r, uint64_t imm, Label l) {
  gen_->mov(rg::kScratch, imm);
  gen_->cmp(Phys(r), rg::kScratch);
  J(kE, l);
}
void XbyakPyAsm::BranchIfNotEqual(Reg r, uint64_t imm, Label l) {
  gen_->mov(rg::kScratch, imm);
  gen_->cmp(Phys(r), rg::kScratch);
  J(kNE, l);
}

void XbyakPyAsm::BranchIfSame(Reg a, Reg b, Label l) {
  gen_->cmp(Phys(a), Phys(b));
  J(kE, l);
}

void XbyakPyAsm::CallHelper(const Helper& fn, const std::vector<Arg>& args) {
  MoveArgs(args);
  Note(CodeNote::kCall, 0, fn.name);
  CallAddress(fn.addr);
}

void XbyakPyAsm::CallIndirect(const void* fn_slot, const char* name,
                              const std::vector<Arg>& args) {
  MoveArgs(args);
  Note(CodeNote::kCallIndirect, 0, name);
  CommitPrevInstr();
  gen_->mov(rax, reinterpret_cast<uint64_t>(fn_slot));
  gen_->call(qword[rax]);
}

// The SysV argument registers from args, in order.
void XbyakPyAsm::MoveArgs(const std::vector<Arg>& args) {
  Require(args.size() <= 6, "CallHelper: at most 6 arguments");
  const PjOffsets* o = pj_offsets();
  for (size_t i = 0; i < args.size(); ++i) {
    const Arg& a = args[i];
    const Xbyak::Reg64& dst = rg::Arg(static_cast<int>(i));
    switch (a.kind) {
      case Arg::kReg:
        // Sources must not be another argument register: that one may already be written.
        Require(a.reg == ArgReg(static_cast<int>(i)) || a.reg < Reg::kArg0 || a.reg > Reg::kArg5,
                "CallHelper: argument taken from another argument register");
        if (Phys(a.reg).getIdx() != dst.getIdx()) gen_->mov(dst, Phys(a.reg));
        break;
      case Arg::kSlotValue: gen_->mov(dst, qword[rg::kFrame + SlotOffset(a.slot)]); break;
      case Arg::kSlotAddress: gen_->lea(dst, ptr[rg::kFrame + SlotOffset(a.slot)]); break;
      case Arg::kImm:
        if (a.imm <= 0xffffffffu) gen_->mov(dst.cvt32(), static_cast<uint32_t>(a.imm));
        else gen_->mov(dst, a.imm);
        break;
      case Arg::kField:
        switch (a.field) {
          case Field::kFrame: gen_->mov(dst, rg::kFrame); break;
          case Field::kTstate: gen_->mov(dst, rg::kTstate); break;
          case Field::kGlobals: gen_->mov(dst, qword[rg::kFrame + o->frame_f_globals]); break;
          case Field::kBuiltins: gen_->mov(dst, qword[rg::kFrame + o->frame_f_builtins]); break;
          case Field::kLocals: gen_->mov(dst, qword[rg::kFrame + o->frame_f_locals]); break;
          case Field::kFunc: gen_->mov(dst, qword[rg::kFrame + o->frame_f_func]); break;
          case Field::kCode: gen_->mov(dst, qword[rg::kFrame + o->frame_f_code]); break;
        }
        break;
    }
  }
}

void XbyakPyAsm::PollEvalBreaker(Label slow) {
  const PjOffsets* o = pj_offsets();
  gen_->mov(rg::kScratch, qword[rg::kTstate + o->tstate_interp]);
  gen_->cmp(dword[rg::kScratch + o->interp_eval_breaker], 0);
  J(kNE, slow);
}

void XbyakPyAsm::BranchIfTracing(Label l) {
  const PjOffsets* o = pj_offsets();
  gen_->mov(rg::kScratch, qword[rg::kTstate + o->tstate_cframe]);
  gen_->cmp(byte[rg::kScratch + o->cframe_use_tracing], 0);
  J(kNE, l);
}

void XbyakPyAsm::GuardExactType(Reg obj, const void* type, Label fail) {
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(type));
  gen_->cmp(qword[Phys(obj) + kObType], rg::kScratch);
  J(kNE, fail);
}

// phys_dst (r10 or r11) = the signed value of a one-digit int; jumps to fail if it has more
// digits. Uses rax. A 3.11 int is ob_size (sign and digit count) plus 30-bit digits.
void XbyakPyAsm::LoadMediumIntValue(Reg obj, int phys_dst, Label fail) {
  const Xbyak::Reg64 dst(phys_dst);
  gen_->mov(rax, qword[Phys(obj) + kObSize]);
  gen_->lea(dst, ptr[rax + 1]);
  gen_->cmp(dst, 2);
  J(kA, fail);  // size not in {-1, 0, 1}
  gen_->mov(dst.cvt32(), dword[Phys(obj) + pj_offsets()->long_digit0]);
  gen_->imul(dst, rax);  // digit * sign (ob_digit[0] is 0 for zero)
}

// dst = the value of an exact int of at most two 30-bit digits (|value| < 2**60); jumps to
// fail for more. Uses rax. ob_size is the sign times the digit count; a one-digit value is
// digit0 * ob_size (which also gives 0 for zero, whatever its digit holds).
void XbyakPyAsm::LoadSmallIntValue(Reg obj, const Xbyak::Reg64& dst, Label fail) {
  const Xbyak::Reg64& o = Phys(obj);
  const Label two = NewLabel(), done = NewLabel();
  gen_->mov(rax, qword[o + kObSize]);
  gen_->mov(dst.cvt32(), dword[o + pj_offsets()->long_digit0]);
  gen_->lea(rcx, ptr[rax + 1]);
  gen_->cmp(rcx, 2);
  J(kA, two);
  gen_->imul(dst, rax);
  Jmp(done);
  Here(two);  // |size| == 2: digit0 + (digit1 << 30), times the sign; more: fail
  gen_->lea(rcx, ptr[rax + 2]);
  gen_->cmp(rcx, 4);
  J(kA, fail);
  gen_->mov(ecx, dword[o + pj_offsets()->long_digit0 + 4]);
  gen_->shl(rcx, 30);
  gen_->or_(dst, rcx);
  gen_->sar(rax, 1);
  gen_->imul(dst, rax);
  Here(done);
}

void XbyakPyAsm::MediumIntArithImm(ArithOp op, Reg dst, Reg lhs, int64_t imm, Reg reuse,
                                   Label fail) {
  Require(IsKeep(lhs) && imm >= INT32_MIN && imm <= INT32_MAX, "MediumIntArithImm");
  const Xbyak::Reg64& a = rg::kTmp0;
  const auto i32 = static_cast<int32_t>(imm);
  const bool pow2 = imm > 0 && (imm & (imm - 1)) == 0;
  int k = 0;
  while (pow2 && (int64_t{1} << k) != imm) ++k;
  LoadSmallIntValue(lhs, a, fail);
  switch (op) {
    case ArithOp::kAdd: gen_->add(a, i32); break;
    case ArithOp::kSubtract: gen_->sub(a, i32); break;
    case ArithOp::kMultiply:
      gen_->imul(a, a, i32);
      J(kO, fail);
      break;
    case ArithOp::kAnd: gen_->and_(a, i32); break;
    case ArithOp::kOr: gen_->or_(a, i32); break;
    case ArithOp::kXor: gen_->xor_(a, i32); break;
    case ArithOp::kLshift:
      Require(imm >= 0 && imm < 64, "MediumIntArithImm: shift count");
      if (imm == 0) break;
      gen_->mov(rax, a);
      gen_->shl(rax, static_cast<uint8_t>(imm));
      gen_->mov(rdx, rax);
      gen_->sar(rdx, static_cast<uint8_t>(imm));
      gen_->cmp(rdx, a);
      J(kNE, fail);  // bits lost: a big int
      gen_->mov(a, rax);
      break;
    case ArithOp::kRshift:
      Require(imm >= 0, "MediumIntArithImm: shift count");
      gen_->sar(a, static_cast<uint8_t>(imm > 63 ? 63 : imm));
      break;
    case ArithOp::kFloorDivide:
    case ArithOp::kRemainder: {
      Require(imm != 0, "MediumIntArithImm: division by zero");
      if (pow2) {  // floors like Python: an arithmetic shift, a mask (b > 0)
        if (op == ArithOp::kFloorDivide) gen_->sar(a, static_cast<uint8_t>(k));
        else if (imm <= INT32_MAX) gen_->and_(a, static_cast<int32_t>(imm - 1));
        break;
      }
      const Label exact = NewLabel();
      gen_->mov(rg::kScratch, imm);
      gen_->mov(rax, a);
      gen_->cqo();
      gen_->idiv(rg::kScratch);
      gen_->test(rdx, rdx);
      J(kE, exact);
      gen_->mov(rcx, rdx);
      gen_->xor_(rcx, rg::kScratch);
      J(kNS, exact);
      gen_->dec(rax);
      gen_->add(rdx, rg::kScratch);
      Here(exact);
      gen_->mov(a, op == ArithOp::kFloorDivide ? rax : rdx);
      break;
    }
    case ArithOp::kTrueDivide:
      Require(false, "MediumIntArithImm: no true division");
  }
  BoxLongInTmp0(reuse);
  if (Phys(dst).getIdx() != rax.getIdx()) gen_->mov(Phys(dst), rax);
}

void XbyakPyAsm::MediumIntArith(ArithOp op, Reg dst, Reg lhs, Reg rhs, Reg reuse, Label fail) {
  Require(IsKeep(lhs) && IsKeep(rhs), "MediumIntArith: operands must be kKeep registers");
  Require(op != ArithOp::kTrueDivide, "MediumIntArith: no true division");
  const Xbyak::Reg64& a = rg::kTmp0;
  const Xbyak::Reg64& b = rg::kScratch;
  LoadSmallIntValue(lhs, a, fail);
  LoadSmallIntValue(rhs, b, fail);
  switch (op) {
    case ArithOp::kAdd: gen_->add(a, b); break;          // |result| < 2**61
    case ArithOp::kSubtract: gen_->sub(a, b); break;
    case ArithOp::kMultiply:
      gen_->imul(a, b);
      J(kO, fail);
      break;
    case ArithOp::kAnd: gen_->and_(a, b); break;         // two's complement, as Python's
    case ArithOp::kOr: gen_->or_(a, b); break;
    case ArithOp::kXor: gen_->xor_(a, b); break;
    case ArithOp::kLshift: {  // negative counts raise, results past 64 bits are big ints
      gen_->cmp(b, 63);
      J(kA, fail);  // unsigned: negative counts too
      gen_->mov(rcx, b);
      gen_->mov(rax, a);
      gen_->shl(rax, cl);
      gen_->mov(rdx, rax);
      gen_->sar(rdx, cl);
      gen_->cmp(rdx, a);
      J(kNE, fail);
      gen_->mov(a, rax);
      break;
    }
    case ArithOp::kRshift: {
      const Label in_range = NewLabel();
      gen_->test(b, b);
      J(kS, fail);
      gen_->cmp(b, 63);
      J(kBE, in_range);
      gen_->mov(b, 63);  // every bit shifted out: 0 or -1
      Here(in_range);
      gen_->mov(rcx, b);
      gen_->sar(a, cl);
      break;
    }
    case ArithOp::kFloorDivide:
    case ArithOp::kRemainder: {  // C truncates; Python floors (the remainder takes b's sign)
      const Label exact = NewLabel();
      gen_->test(b, b);
      J(kE, fail);
      gen_->mov(rax, a);
      gen_->cqo();
      gen_->idiv(b);
      gen_->test(rdx, rdx);
      J(kE, exact);
      gen_->mov(rcx, rdx);
      gen_->xor_(rcx, b);
      J(kNS, exact);
      gen_->dec(rax);
      gen_->add(rdx, b);
      Here(exact);
      gen_->mov(a, op == ArithOp::kFloorDivide ? rax : rdx);
      break;
    }
    case ArithOp::kTrueDivide:
      break;
  }
  BoxLongInTmp0(reuse);
  if (Phys(dst).getIdx() != rax.getIdx()) gen_->mov(Phys(dst), rax);
}

// rax = a new reference to the int whose value is in kTmp0: small ones from the
// interpreter's cache, others boxed by PyLong_FromLong (NULL on MemoryError). `reuse`: an
// owned operand register (Reg::kRet: none) whose int takes a one-digit result in place
// when nothing else refers to it (every 3.11 int has room for a digit) and it has at most
// two digits (a larger one would keep its whole allocation for a one-digit value); its
// count is then raised by one, so that releasing the operand leaves it to the result (as
// FloatArith's reuse). Small results always come from the cache, as CPython's do.
void XbyakPyAsm::BoxLongInTmp0(Reg reuse) {
  const Label big = NewLabel(), alloc = NewLabel(), done = NewLabel();
  const PjOffsets* o = pj_offsets();
  gen_->lea(rax, ptr[rg::kTmp0 - PJ_SMALL_INT_MIN]);
  gen_->cmp(rax, PJ_SMALL_INT_MAX - PJ_SMALL_INT_MIN);
  J(kA, big);
  gen_->imul(rax, rax, o->long_sizeof);
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(pj_small_ints()));
  gen_->add(rax, rg::kScratch);
  gen_->inc(qword[rax + kObRefcnt]);
  RefTotal(+1);
  Jmp(done);
  Here(big);
  if (reuse != Reg::kRet) {
    const Xbyak::Reg64& r = Phys(reuse);
    gen_->lea(rax, ptr[rg::kTmp0 + static_cast<int32_t>(PyLong_MASK)]);
    gen_->cmp(rax, 2 * static_cast<int32_t>(PyLong_MASK));
    J(kA, alloc);  // |value| >= 2**30: two digits
    gen_->cmp(qword[r + kObRefcnt], 1);
    J(kNE, alloc);
    gen_->mov(rax, qword[r + kObSize]);
    gen_->add(rax, 2);
    gen_->cmp(rax, 4);
    J(kA, alloc);
    gen_->mov(rcx, rg::kTmp0);
    gen_->sar(rcx, 63);  // 0 or -1
    gen_->mov(rdx, rg::kTmp0);
    gen_->xor_(rdx, rcx);
    gen_->sub(rdx, rcx);  // |value|
    gen_->or_(rcx, 1);    // the sign: ob_size 1 or -1
    gen_->mov(qword[r + kObSize], rcx);
    gen_->mov(dword[r + o->long_digit0], edx);
    gen_->mov(rax, r);
    gen_->inc(qword[rax + kObRefcnt]);
    RefTotal(+1);
    Jmp(done);
  }
  Here(alloc);
  gen_->mov(rdi, rg::kTmp0);
  CallAddress(reinterpret_cast<const void*>(&PyLong_FromLong));
  Here(done);
}

void XbyakPyAsm::LoadDouble(Reg obj, NumKind kind, const Xbyak::Xmm& dst, Label fail) {
  if (kind == NumKind::kFloat) {
    gen_->movsd(dst, qword[Phys(obj) + pj_offsets()->float_ob_fval]);
    return;
  }
  LoadSmallIntValue(obj, rg::kTmp0, fail);
  gen_->cvtsi2sd(dst, rg::kTmp0);  // exact below 2**53, else rounded to nearest as float()
}

void XbyakPyAsm::FloatArith(ArithOp op, Reg dst, Reg lhs, NumKind lkind, Reg rhs,
                            NumKind rkind, Reg reuse, Label fail) {
  LoadDouble(lhs, lkind, xmm0, fail);
  LoadDouble(rhs, rkind, xmm1, fail);
  switch (op) {
    case ArithOp::kAdd: gen_->addsd(xmm0, xmm1); break;
    case ArithOp::kSubtract: gen_->subsd(xmm0, xmm1); break;
    case ArithOp::kMultiply: gen_->mulsd(xmm0, xmm1); break;
    case ArithOp::kTrueDivide:
      gen_->xorpd(xmm2, xmm2);
      gen_->ucomisd(xmm1, xmm2);
      J(kE, fail);  // zero (ZeroDivisionError) or NaN: the generic path
      gen_->divsd(xmm0, xmm1);
      break;
    default:
      Require(false, "FloatArith: unsupported operation");
  }
  const Label alloc = NewLabel(), done = NewLabel();
  if (reuse != Reg::kRet) {  // a temporary nobody else holds takes the result
    const Xbyak::Reg64& r = Phys(reuse);
    gen_->cmp(qword[r + kObRefcnt], 1);
    J(kNE, alloc);
    gen_->movsd(qword[r + pj_offsets()->float_ob_fval], xmm0);
    gen_->mov(rax, r);
    gen_->inc(qword[rax + kObRefcnt]);
    RefTotal(+1);
    Jmp(done);
  }
  Here(alloc);
  CallAddress(reinterpret_cast<const void*>(&PyFloat_FromDouble));
  Here(done);
  if (Phys(dst).getIdx() != rax.getIdx()) gen_->mov(Phys(dst), rax);
}

void XbyakPyAsm::CompareMediumInts(CmpOp op, Reg dst, Reg lhs, Reg rhs, Label fail) {
  Require(IsKeep(dst), "CompareMediumInts: dst must be a kKeep register");
  LoadSmallIntValue(lhs, rg::kTmp0, fail);
  LoadSmallIntValue(rhs, rg::kScratch, fail);
  gen_->cmp(rg::kTmp0, rg::kScratch);
  SetCondition(op, dst);
}

void XbyakPyAsm::CompareMediumIntImm(CmpOp op, Reg dst, Reg lhs, int64_t imm, Label fail) {
  Require(IsKeep(dst) && imm >= INT32_MIN && imm <= INT32_MAX, "CompareMediumIntImm");
  LoadSmallIntValue(lhs, rg::kTmp0, fail);
  gen_->cmp(rg::kTmp0, static_cast<int32_t>(imm));
  SetCondition(op, dst);
}

// dst (a kKeep register) = 1/0 from the flags of a signed comparison.
void XbyakPyAsm::SetCondition(CmpOp op, Reg dst) {
  const Xbyak::Reg8 d = Phys(dst).cvt8();
  switch (op) {
    case CmpOp::kLt: gen_->setl(d); break;
    case CmpOp::kLe: gen_->setle(d); break;
    case CmpOp::kEq: gen_->sete(d); break;
    case CmpOp::kNe: gen_->setne(d); break;
    case CmpOp::kGt: gen_->setg(d); break;
    case CmpOp::kGe: gen_->setge(d); break;
  }
  gen_->movzx(Phys(dst).cvt32(), d);
}

// IEEE comparisons: every ordered comparison with a NaN is false, != is true.
void XbyakPyAsm::CompareFloats(CmpOp op, Reg dst, Reg lhs, Reg rhs) {
  Require(IsKeep(dst), "CompareFloats: dst must be a kKeep register");
  const int fval = pj_offsets()->float_ob_fval;
  gen_->movsd(xmm0, qword[Phys(lhs) + fval]);
  gen_->movsd(xmm1, qword[Phys(rhs) + fval]);
  CompareDoubles(op, dst);
}

void XbyakPyAsm::CompareFloatInt(CmpOp op, Reg dst, Reg flt, Reg integer, Label fail) {
  Require(IsKeep(dst) && IsKeep(flt), "CompareFloatInt: dst and flt must be kKeep registers");
  LoadSmallIntValue(integer, rg::kTmp0, fail);
  gen_->mov(rcx, int64_t{1} << 48);  // -2**48 <= value <= 2**48, else fail
  gen_->lea(rax, ptr[rg::kTmp0 + rcx]);
  gen_->add(rcx, rcx);
  gen_->cmp(rax, rcx);
  J(kA, fail);
  gen_->cvtsi2sd(xmm1, rg::kTmp0);  // exact
  gen_->movsd(xmm0, qword[Phys(flt) + pj_offsets()->float_ob_fval]);
  CompareDoubles(op, dst);
}

// dst (a kKeep register) = 1/0 for `xmm0 op xmm1`. Clobbers rax.
void XbyakPyAsm::CompareDoubles(CmpOp op, Reg dst) {
  const Xbyak::Reg8 d = Phys(dst).cvt8();
  switch (op) {
    case CmpOp::kLt: gen_->ucomisd(xmm1, xmm0); gen_->seta(d); break;
    case CmpOp::kLe: gen_->ucomisd(xmm1, xmm0); gen_->setae(d); break;
    case CmpOp::kGt: gen_->ucomisd(xmm0, xmm1); gen_->seta(d); break;
    case CmpOp::kGe: gen_->ucomisd(xmm0, xmm1); gen_->setae(d); break;
    case CmpOp::kEq:
      gen_->ucomisd(xmm0, xmm1);
      gen_->sete(d);
      gen_->setnp(al);
      gen_->and_(d, al);
      break;
    case CmpOp::kNe:
      gen_->ucomisd(xmm0, xmm1);
      gen_->setne(d);
      gen_->setp(al);
      gen_->or_(d, al);
      break;
  }
  gen_->movzx(Phys(dst).cvt32(), d);
}

// dst = 1/0 for lhs == rhs (negate: !=), both exact strs: identity, else _PyUnicode_Equal.
void XbyakPyAsm::CompareStrEqual(Reg dst, Reg lhs, Reg rhs, bool negate) {
  Require(IsKeep(dst), "CompareStrEqual: dst must be a kKeep register");
  const Label same = NewLabel(), done = NewLabel();
  gen_->cmp(Phys(lhs), Phys(rhs));
  J(kE, same);
  gen_->mov(rdi, Phys(lhs));
  gen_->mov(rsi, Phys(rhs));
  CallAddress(reinterpret_cast<const void*>(&_PyUnicode_Equal));
  Jmp(done);
  Here(same);
  gen_->mov(eax, 1);
  Here(done);
  gen_->mov(Phys(dst).cvt32(), eax);
  if (negate) gen_->xor_(Phys(dst).cvt32(), 1);
}

void XbyakPyAsm::SelectBool(Reg dst, Reg flag) {
  gen_->test(Phys(flag).cvt32(), Phys(flag).cvt32());
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(Py_True));
  gen_->mov(Phys(dst), reinterpret_cast<uint64_t>(Py_False));
  gen_->cmovnz(Phys(dst), rg::kScratch);
}

void XbyakPyAsm::CompareSame(Reg dst, Reg a, Reg b, bool negate) {
  gen_->cmp(Phys(a), Phys(b));
  if (negate) gen_->setne(al);
  else gen_->sete(al);
  gen_->movzx(Phys(dst).cvt32(), al);
}

// Iterators stepped inline (layouts checked at start-up: rt::*IterLayoutKnown).
namespace {
constexpr int kIterField0 = sizeof(PyObject);  // the first field after the header
constexpr int kSeqIterIndex = kIterField0, kSeqIterSeq = kIterField0 + 8;  // list, tuple
constexpr int kRangeIndex = kIterField0, kRangeStart = kIterField0 + 8,
              kRangeStep = kIterField0 + 16, kRangeLen = kIterField0 + 24;
}  // namespace

// List and tuple iterators share a layout (index, sequence); the items are behind ob_item
// in a list, inline in a tuple.
void XbyakPyAsm::SeqIterNext(Reg dst, Reg it, Label other, bool tuple) {
  Require(dst != it, "Seq iterator step: dst != it");
  const Xbyak::Reg64& i = Phys(it);
  gen_->mov(rg::kTmp0, qword[i + kSeqIterSeq]);
  gen_->test(rg::kTmp0, rg::kTmp0);
  J(kE, other);
  gen_->mov(rg::kScratch, qword[i + kSeqIterIndex]);
  gen_->cmp(rg::kScratch, qword[rg::kTmp0 + kObSize]);
  J(kGE, other);
  if (tuple) {
    gen_->mov(Phys(dst), qword[rg::kTmp0 + rg::kScratch * 8 + offsetof(PyTupleObject, ob_item)]);
  } else {
    gen_->mov(rax, qword[rg::kTmp0 + offsetof(PyListObject, ob_item)]);
    gen_->mov(Phys(dst), qword[rax + rg::kScratch * 8]);
  }
  gen_->inc(qword[i + kSeqIterIndex]);
  gen_->inc(qword[Phys(dst) + kObRefcnt]);
  RefTotal(+1);
}

void XbyakPyAsm::ListIterNext(Reg dst, Reg it, Label other) { SeqIterNext(dst, it, other, false); }
void XbyakPyAsm::TupleIterNext(Reg dst, Reg it, Label other) { SeqIterNext(dst, it, other, true); }

// A dict key or value iterator (dictobject.c's dictiterobject) over a combined table
// (ma_values NULL) whose entry at the position holds an item: dictiter_iternextkey /
// dictiter_iternextvalue's found case. The dict changed in size, a split table, a deleted
// entry there, the iterator's end and "keys changed" (len 0 with an item found) are theirs.
namespace {
constexpr int kDiDict = kIterField0, kDiUsed = kIterField0 + 8, kDiPos = kIterField0 + 16,
              kDiLen = kIterField0 + 32;
}  // namespace

void XbyakPyAsm::DictIterNext(Reg dst, Reg it, Label other, bool values) {
  Require(dst != it, "DictIterNext: dst != it");
  const PjOffsets& o = *pj_offsets();
  const Xbyak::Reg64& i = Phys(it);
  const Label general = NewLabel(), found = NewLabel();
  gen_->mov(rg::kTmp0, qword[i + kDiDict]);
  gen_->test(rg::kTmp0, rg::kTmp0);
  J(kE, other);
  gen_->mov(rg::kScratch, qword[rg::kTmp0 + offsetof(PyDictObject, ma_used)]);
  gen_->cmp(rg::kScratch, qword[i + kDiUsed]);
  J(kNE, other);
  gen_->cmp(qword[rg::kTmp0 + offsetof(PyDictObject, ma_values)], 0);
  J(kNE, other);
  gen_->cmp(qword[i + kDiLen], 0);
  J(kE, other);
  gen_->mov(rg::kTmp0, qword[rg::kTmp0 + offsetof(PyDictObject, ma_keys)]);
  gen_->mov(rdx, qword[i + kDiPos]);
  gen_->cmp(rdx, qword[rg::kTmp0 + o.dictkeys_nentries]);
  J(kGE, other);
  // rax = the entries: dk_indices + (1 << dk_log2_index_bytes)
  gen_->movzx(ecx, byte[rg::kTmp0 + o.dictkeys_log2_index_bytes]);
  gen_->mov(eax, 1);
  gen_->shl(rax, cl);
  gen_->lea(rax, ptr[rax + rg::kTmp0 + o.dictkeys_indices]);
  gen_->cmp(byte[rg::kTmp0 + o.dictkeys_kind], o.dictkeys_general);
  J(kE, general);
  gen_->mov(rcx, rdx);  // PyDictUnicodeEntry {key, value}
  gen_->shl(rcx, 4);
  gen_->add(rax, rcx);
  DictEntryItem(0, 8, values, other);
  Jmp(found);
  Here(general);
  gen_->lea(rcx, ptr[rdx + rdx * 2]);  // PyDictKeyEntry {hash, key, value}
  gen_->lea(rax, ptr[rax + rcx * 8]);
  DictEntryItem(8, 16, values, other);
  Here(found);
  gen_->mov(Phys(dst), rcx);
  gen_->inc(rdx);
  gen_->mov(qword[i + kDiPos], rdx);
  gen_->dec(qword[i + kDiLen]);
  gen_->inc(qword[Phys(dst) + kObRefcnt]);
  RefTotal(+1);
}

// rcx = the key or value of the entry at rax; to other if the entry is deleted (no value).
void XbyakPyAsm::DictEntryItem(int key_offset, int value_offset, bool values, Label other) {
  gen_->mov(rcx, qword[rax + value_offset]);
  gen_->test(rcx, rcx);
  J(kE, other);
  if (!values) gen_->mov(rcx, qword[rax + key_offset]);
}

// kTmp0 = the range iterator's next value, the iterator moved on; to other when it ended.
void XbyakPyAsm::RangeIterStep(Reg it, Label other) {
  Require(IsKeep(it), "RangeIterNext: it in a kKeep register");
  const Xbyak::Reg64& i = Phys(it);
  gen_->mov(rg::kTmp0, qword[i + kRangeIndex]);
  gen_->cmp(rg::kTmp0, qword[i + kRangeLen]);
  J(kGE, other);
  gen_->inc(qword[i + kRangeIndex]);
  gen_->imul(rg::kTmp0, qword[i + kRangeStep]);  // wraps as rangeiter_next's unsigned math
  gen_->add(rg::kTmp0, qword[i + kRangeStart]);
}

void XbyakPyAsm::RangeIterNext(Reg dst, Reg it, Label other) {
  Require(dst != it, "RangeIterNext: dst != it");
  RangeIterStep(it, other);
  BoxLongInTmp0();
  gen_->mov(Phys(dst), rax);
}

void XbyakPyAsm::RangeIterNextInto(Reg dst, Reg it, Slot local, Label other) {
  Require(dst != it, "RangeIterNextInto: dst != it");
  const Label box = NewLabel(), done = NewLabel();
  RangeIterStep(it, other);
  // small ints come from the cache; values above one digit (and negative ones) are boxed
  gen_->lea(rax, ptr[rg::kTmp0 - PJ_SMALL_INT_MIN]);
  gen_->cmp(rax, PJ_SMALL_INT_MAX - PJ_SMALL_INT_MIN);
  J(kBE, box);
  gen_->cmp(rg::kTmp0, static_cast<int32_t>(PyLong_MASK));
  J(kA, box);
  gen_->mov(rax, qword[rg::kFrame + SlotOffset(local)]);
  gen_->test(rax, rax);
  J(kE, box);
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(&PyLong_Type));
  gen_->cmp(qword[rax + kObType], rg::kScratch);
  J(kNE, box);
  gen_->cmp(qword[rax + kObRefcnt], 1);
  J(kNE, box);
  gen_->cmp(qword[rax + kObSize], 1);
  J(kNE, box);
  gen_->mov(dword[rax + pj_offsets()->long_digit0], rg::kTmp0.cvt32());
  gen_->inc(qword[rax + kObRefcnt]);
  RefTotal(+1);
  Jmp(done);
  Here(box);
  BoxLongInTmp0();
  Here(done);
  gen_->mov(Phys(dst), rax);
}

// Cells (PyCellObject.ob_ref) and the LOAD_GLOBAL cache guard (names family).
void XbyakPyAsm::LoadCell(Reg dst, Reg cell) {
  gen_->mov(Phys(dst), qword[Phys(cell) + offsetof(PyCellObject, ob_ref)]);
}
void XbyakPyAsm::StoreCell(Reg cell, Reg src) {
  gen_->mov(qword[Phys(cell) + offsetof(PyCellObject, ob_ref)], Phys(src));
}
void XbyakPyAsm::GuardDictVersion(Reg dict, const uint64_t* tag, Label fail) {
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(tag));
  gen_->mov(rg::kScratch, qword[rg::kScratch]);
  gen_->cmp(qword[Phys(dict) + offsetof(PyDictObject, ma_version_tag)], rg::kScratch);
  J(kNE, fail);
}
void XbyakPyAsm::LoadWord(Reg dst, const void* addr) {
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(addr));
  gen_->mov(Phys(dst), qword[rg::kScratch]);
}

// kTmp0 = the position in [0, len(seq)) that the exact int `index` designates in the exact
// list/tuple `seq` (negative values count from the end); jumps to fail when it has more
// than one digit or is out of range. Uses rax and kScratch.
void XbyakPyAsm::LoadSeqIndex(Reg seq, Reg index, Label fail) {
  Require(IsKeep(seq) && IsKeep(index), "LoadSeqIndex: operands must be kKeep registers");
  LoadMediumIntValue(index, rg::kTmp0.getIdx(), fail);
  const Label nonneg = NewLabel();
  gen_->mov(rg::kScratch, qword[Phys(seq) + kObSize]);
  gen_->test(rg::kTmp0, rg::kTmp0);
  J(kNS, nonneg);
  gen_->add(rg::kTmp0, rg::kScratch);
  Here(nonneg);
  gen_->cmp(rg::kTmp0, rg::kScratch);
  J(kAE, fail);  // unsigned: an index still negative is out of range too
}

void XbyakPyAsm::LoadSeqItem(SeqKind kind, Reg dst, Reg seq, Reg index, Label fail) {
  LoadSeqIndex(seq, index, fail);
  if (kind == SeqKind::kList) {
    gen_->mov(rg::kScratch, qword[Phys(seq) + offsetof(PyListObject, ob_item)]);
    gen_->mov(Phys(dst), qword[rg::kScratch + rg::kTmp0 * 8]);
  } else {
    gen_->mov(Phys(dst), qword[Phys(seq) + rg::kTmp0 * 8 + offsetof(PyTupleObject, ob_item)]);
  }
}

void XbyakPyAsm::ExchangeListItem(Reg list, Reg index, Reg value, Label fail) {
  Require(IsKeep(value), "ExchangeListItem: value must be a kKeep register");
  LoadSeqIndex(list, index, fail);
  gen_->mov(rg::kScratch, qword[Phys(list) + offsetof(PyListObject, ob_item)]);
  gen_->lea(rg::kScratch, ptr[rg::kScratch + rg::kTmp0 * 8]);
  gen_->mov(rax, qword[rg::kScratch]);
  gen_->mov(qword[rg::kScratch], Phys(value));
  gen_->mov(Phys(value), rax);
}

void XbyakPyAsm::UnpackSeqToSlots(SeqKind kind, Reg seq, int n, Slot first, Label fail) {
  Require(IsKeep(seq) && first.kind == Slot::kStack, "UnpackSeqToSlots: kKeep seq, stack slots");
  gen_->cmp(qword[Phys(seq) + kObSize], n);
  J(kNE, fail);
  // Items are read through kTmp0 (RefTotal may use kScratch).
  int base_offset;
  if (kind == SeqKind::kList) {
    gen_->mov(rg::kTmp0, qword[Phys(seq) + offsetof(PyListObject, ob_item)]);
    base_offset = 0;
  } else {
    gen_->mov(rg::kTmp0, Phys(seq));
    base_offset = offsetof(PyTupleObject, ob_item);
  }
  for (int j = 0; j < n; ++j) {
    gen_->mov(rax, qword[rg::kTmp0 + base_offset + 8 * (n - 1 - j)]);
    gen_->inc(qword[rax + kObRefcnt]);
    RefTotal(+1);
    gen_->mov(qword[rg::kFrame + SlotOffset(Slot::Stack(first.index + j))], rax);
  }
}

// The attribute caches' inline fields (runtime/helpers_attr.h).
namespace {
constexpr int kTypeVersion = offsetof(PyTypeObject, tp_version_tag);
constexpr int kCachedKeys = offsetof(PyHeapTypeObject, ht_cached_keys);
constexpr int kValueVersion = offsetof(rt::AttrCache, value_version);
constexpr int kValueIndex = offsetof(rt::AttrCache, value_index);
constexpr int kSlotVersion = offsetof(rt::AttrCache, slot_version);
constexpr int kSlotOffset = offsetof(rt::AttrCache, slot_offset);
constexpr int kMethod = offsetof(rt::AttrCache, method);
constexpr int kNoDictMethod = offsetof(rt::AttrCache, nodict_method);
constexpr int kModule = offsetof(rt::AttrCache, module);
constexpr int kModuleTag = offsetof(rt::AttrCache, module_tag);
constexpr int kModuleValue = offsetof(rt::AttrCache, module_value);
constexpr int kDictKeys = offsetof(PyDictObject, ma_keys);
constexpr int kDictValues = offsetof(PyDictObject, ma_values);  // a PyDictValues is its array
}  // namespace

// kTmp0 = the values of obj's instance dict when that is a split table over the shared keys
// of obj's type (so entry i is shared key i's value, as in a values array), else jumps to
// miss. For a managed-dict object with no values array; clobbers `work`.
void XbyakPyAsm::LoadSplitDictValues(Reg obj, Reg work, Label miss) {
  const Xbyak::Reg64& o = Phys(obj);
  const Xbyak::Reg64& w = Phys(work);
  gen_->mov(rg::kTmp0, qword[o + rt::kManagedDictOffset]);
  gen_->test(rg::kTmp0, rg::kTmp0);
  J(kE, miss);
  gen_->mov(w, qword[o + kObType]);
  gen_->mov(w, qword[w + kCachedKeys]);
  gen_->cmp(w, qword[rg::kTmp0 + kDictKeys]);  // only a split dict shares them
  J(kNE, miss);
  gen_->mov(rg::kTmp0, qword[rg::kTmp0 + kDictValues]);
}

// kTmp0 = the owner's type version, kScratch = the cache; jumps to miss for version 0
// (an unversioned type, which an empty entry would otherwise match).
void XbyakPyAsm::LoadVersionAndCache(Reg obj, const void* cache, Label miss) {
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(cache));
  gen_->mov(rg::kTmp0, qword[Phys(obj) + kObType]);
  gen_->mov(rg::kTmp0.cvt32(), dword[rg::kTmp0 + kTypeVersion]);
  gen_->test(rg::kTmp0.cvt32(), rg::kTmp0.cvt32());
  J(kE, miss);
}

void XbyakPyAsm::LoadAttrInline(Reg dst, Reg obj, const void* cache, Label miss) {
  Require(dst != obj && IsKeep(dst) && IsKeep(obj), "LoadAttrInline: kKeep registers, dst != obj");
  const Xbyak::Reg64& d = Phys(dst);
  const Xbyak::Reg64& o = Phys(obj);
  const Label try_slot = NewLabel(), done = NewLabel();
  const Label have_values = NewLabel();
  LoadVersionAndCache(obj, cache, miss);
  gen_->cmp(rg::kTmp0.cvt32(), dword[rg::kScratch + kValueVersion]);
  J(kNE, try_slot);
  gen_->mov(rg::kTmp0, qword[o + rt::kValuesPointerOffset]);
  gen_->test(rg::kTmp0, rg::kTmp0);
  J(kNE, have_values);
  LoadSplitDictValues(obj, dst, miss);
  Here(have_values);
  gen_->mov(d.cvt32(), dword[rg::kScratch + kValueIndex]);
  gen_->mov(d, qword[rg::kTmp0 + d * 8]);
  Jmp(done);
  Here(try_slot);
  gen_->cmp(rg::kTmp0.cvt32(), dword[rg::kScratch + kSlotVersion]);
  J(kNE, miss);
  gen_->mov(rg::kTmp0.cvt32(), dword[rg::kScratch + kSlotOffset]);
  gen_->mov(d, qword[o + rg::kTmp0]);
  Here(done);
  gen_->test(d, d);
  J(kE, miss);
}

void XbyakPyAsm::StoreAttrInline(Reg obj, Reg value, Reg old, const void* cache, Label miss) {
  Require(old == Reg::kRet && IsKeep(obj) && IsKeep(value), "StoreAttrInline: registers");
  const Xbyak::Reg64& o = Phys(obj);
  const Xbyak::Reg64& v = Phys(value);
  const Label try_slot = NewLabel(), done = NewLabel();
  LoadVersionAndCache(obj, cache, miss);
  gen_->cmp(rg::kTmp0.cvt32(), dword[rg::kScratch + kValueVersion]);
  J(kNE, try_slot);
  gen_->mov(rg::kTmp0, qword[o + rt::kValuesPointerOffset]);
  gen_->test(rg::kTmp0, rg::kTmp0);
  J(kE, miss);
  gen_->mov(eax, dword[rg::kScratch + kValueIndex]);
  gen_->lea(rg::kTmp0, ptr[rg::kTmp0 + rax * 8]);
  gen_->mov(rax, qword[rg::kTmp0]);
  gen_->mov(qword[rg::kTmp0], v);
  gen_->test(rax, rax);
  J(kNE, done);
  // an empty entry filled: _PyDictValues_AddToInsertionOrder, as STORE_ATTR_INSTANCE_VALUE
  // does (the order's length is the byte before last in front of the values, the indexes
  // in front of it)
  gen_->mov(rg::kTmp0, qword[o + rt::kValuesPointerOffset]);
  gen_->movzx(eax, byte[rg::kTmp0 - 2]);
  gen_->inc(eax);
  gen_->mov(byte[rg::kTmp0 - 2], al);
  gen_->neg(rax);
  gen_->mov(rg::kScratch.cvt32(), dword[rg::kScratch + kValueIndex]);
  gen_->mov(byte[rg::kTmp0 + rax - 2], rg::kScratch.cvt8());
  gen_->xor_(eax, eax);  // no replaced value
  Jmp(done);
  Here(try_slot);
  gen_->cmp(rg::kTmp0.cvt32(), dword[rg::kScratch + kSlotVersion]);
  J(kNE, miss);
  gen_->mov(rg::kTmp0.cvt32(), dword[rg::kScratch + kSlotOffset]);
  gen_->add(rg::kTmp0, o);
  gen_->mov(rax, qword[rg::kTmp0]);
  gen_->mov(qword[rg::kTmp0], v);
  Here(done);
}

void XbyakPyAsm::LoadMethodInline(Reg dst, Reg obj, const void* cache, Label miss) {
  Require(dst != obj && IsKeep(dst) && IsKeep(obj), "LoadMethodInline: kKeep registers, dst != obj");
  const Xbyak::Reg64& d = Phys(dst);
  const Xbyak::Reg64& o = Phys(obj);
  const Label try_nodict = NewLabel(), done = NewLabel();
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(cache));
  gen_->mov(rg::kTmp0, qword[o + kObType]);
  gen_->mov(eax, dword[rg::kTmp0 + kTypeVersion]);
  gen_->test(eax, eax);
  J(kE, miss);
  gen_->cmp(eax, dword[rg::kScratch + kValueVersion]);
  J(kNE, try_nodict);
  const Label keyed = NewLabel();
  gen_->cmp(qword[o + rt::kValuesPointerOffset], 0);  // a values array, or else
  J(kNE, keyed);
  LoadSplitDictValues(obj, dst, miss);  // a split dict over the shared keys
  gen_->mov(rg::kTmp0, qword[o + kObType]);
  Here(keyed);
  gen_->mov(rg::kTmp0, qword[rg::kTmp0 + kCachedKeys]);  // the layout gained no names
  gen_->mov(rg::kTmp0, qword[rg::kTmp0 + pj_offsets()->dictkeys_nentries]);
  gen_->mov(eax, dword[rg::kScratch + kValueIndex]);
  gen_->cmp(rg::kTmp0, rax);
  J(kNE, miss);
  gen_->mov(d, qword[rg::kScratch + kMethod]);
  Jmp(done);
  Here(try_nodict);
  gen_->cmp(eax, dword[rg::kScratch + kSlotVersion]);
  J(kNE, miss);
  gen_->mov(d, qword[rg::kScratch + kNoDictMethod]);
  Here(done);
}

void XbyakPyAsm::LoadModuleAttrInline(Reg dst, Reg obj, const void* cache, Label miss) {
  Require(dst != obj, "LoadModuleAttrInline: dst != obj");
  const Xbyak::Reg64& d = Phys(dst);
  gen_->mov(rg::kScratch, reinterpret_cast<uint64_t>(cache));
  gen_->cmp(Phys(obj), qword[rg::kScratch + kModule]);
  J(kNE, miss);
  gen_->mov(d, qword[Phys(obj) + pj_offsets()->module_md_dict]);
  gen_->mov(d, qword[d + offsetof(PyDictObject, ma_version_tag)]);
  gen_->cmp(d, qword[rg::kScratch + kModuleTag]);
  J(kNE, miss);
  gen_->mov(d, qword[rg::kScratch + kModuleValue]);
}

void XbyakPyAsm::ListAppendInline(Reg list, Reg value, Label full) {
  const Xbyak::Reg64& l = Phys(list);
  gen_->mov(rg::kTmp0, qword[l + kObSize]);
  gen_->cmp(rg::kTmp0, qword[l + offsetof(PyListObject, allocated)]);
  J(kGE, full);
  gen_->mov(rg::kScratch, qword[l + offsetof(PyListObject, ob_item)]);
  gen_->mov(qword[rg::kScratch + rg::kTmp0 * 8], Phys(value));
  gen_->inc(rg::kTmp0);
  gen_->mov(qword[l + kObSize], rg::kTmp0);
}

void XbyakPyAsm::GuardTypeVersion(Reg obj, uint32_t version, Label fail) {
  Require(version != 0, "GuardTypeVersion: version 0 matches unversioned types");
  gen_->mov(rg::kScratch, qword[Phys(obj) + kObType]);
  gen_->cmp(dword[rg::kScratch + offsetof(PyTypeObject, tp_version_tag)], version);
  J(kNE, fail);
}

// 3.11 keeps a managed-dict object's values array pointer 4 words before the object
// (_PyObject_ValuesPointer in internal/pycore_object.h), NULL once a dict is materialised.
constexpr int kValuesPointerOffset = -4 * static_cast<int>(sizeof(PyObject*));

void XbyakPyAsm::LoadCachedAttr(AttrKind kind, Reg dst, Reg obj, int index, Label fail) {
  Require(dst != obj, "LoadCachedAttr: dst must differ from obj");
  if (kind == AttrKind::kInstanceValue) {
    gen_->mov(rg::kScratch, qword[Phys(obj) + kValuesPointerOffset]);
    gen_->test(rg::kScratch, rg::kScratch);
    J(kE, fail);
    gen_->mov(Phys(dst), qword[rg::kScratch + 8 * index]);
  } else {
    gen_->mov(Phys(dst), qword[Phys(obj) + index]);
  }
  gen_->test(Phys(dst), Phys(dst));
  J(kE, fail);
}

}  // namespace pyjion::x64
