// Lowering driver: one pass over the analysed instructions, dispatching to emit_<OPNAME>,
// then the shared exits, the queued cold bodies and the error stubs. See lowering.h.
#include "x64/lowering.h"

#include <array>
#include <stdexcept>

#include "runtime/helpers.h"

namespace pyjion::x64 {

using frontend::Opcode;

namespace {

using EmitFn = void (*)(Lowering&, const Instr&);

std::array<EmitFn, 256> BuildDispatch() {
  std::array<EmitFn, 256> t{};
#define PJ_OPCODE(name, num, caches, jump) t[num] = &emit_##name;
#include "frontend/opcodes.def"
  return t;
}

// Instructions that cannot raise, call out or release a reference: they leave
// frame->prev_instr alone, as nothing can observe it during them.
bool NeedsPrevInstr(uint8_t op) {
  switch (op) {
    case frontend::NOP: case frontend::LOAD_CONST: case frontend::PUSH_NULL:
    case frontend::COPY: case frontend::SWAP: case frontend::KW_NAMES:
    case frontend::PRECALL: case frontend::JUMP_FORWARD: case frontend::EXTENDED_ARG:
    case frontend::CACHE: case frontend::MAKE_CELL:
    case frontend::COPY_FREE_VARS:
      return false;
    default:
      return true;
  }
}

// Lowerings written against the virtual operand stack (Pop/Push); all others work on frame
// memory and get the stack materialised first.
bool VStackAware(uint8_t op) {
  switch (op) {
    case frontend::NOP: case frontend::LOAD_CONST: case frontend::LOAD_FAST:
    case frontend::STORE_FAST: case frontend::POP_TOP: case frontend::PUSH_NULL:
    case frontend::RETURN_VALUE: case frontend::RESUME: case frontend::LOAD_CLOSURE:
    case frontend::LOAD_ATTR: case frontend::STORE_ATTR: case frontend::LOAD_METHOD:
    case frontend::BINARY_OP: case frontend::COMPARE_OP: case frontend::IS_OP:
    case frontend::CONTAINS_OP: case frontend::UNARY_POSITIVE: case frontend::UNARY_NEGATIVE:
    case frontend::UNARY_INVERT: case frontend::UNARY_NOT:
    case frontend::POP_JUMP_FORWARD_IF_TRUE: case frontend::POP_JUMP_FORWARD_IF_FALSE:
    case frontend::POP_JUMP_BACKWARD_IF_TRUE: case frontend::POP_JUMP_BACKWARD_IF_FALSE:
    case frontend::POP_JUMP_FORWARD_IF_NONE: case frontend::POP_JUMP_FORWARD_IF_NOT_NONE:
    case frontend::POP_JUMP_BACKWARD_IF_NONE: case frontend::POP_JUMP_BACKWARD_IF_NOT_NONE:
    case frontend::JUMP_FORWARD: case frontend::JUMP_BACKWARD:
    case frontend::JUMP_BACKWARD_NO_INTERRUPT: case frontend::GET_ITER: case frontend::FOR_ITER:
    case frontend::BINARY_SUBSCR: case frontend::STORE_SUBSCR: case frontend::BUILD_TUPLE:
    case frontend::BUILD_LIST: case frontend::BUILD_SET: case frontend::BUILD_STRING:
    case frontend::LIST_APPEND: case frontend::UNPACK_SEQUENCE: case frontend::LOAD_DEREF:
    case frontend::STORE_DEREF: case frontend::LOAD_GLOBAL: case frontend::COPY:
    case frontend::SWAP: case frontend::DELETE_FAST: case frontend::CALL:
    case frontend::PRECALL: case frontend::KW_NAMES: case frontend::RETURN_GENERATOR:
    case frontend::YIELD_VALUE: case frontend::SEND: case frontend::GET_YIELD_FROM_ITER:
      return true;
    default:
      return false;
  }
}

}  // namespace

// The instruction whose unit frame->prev_instr names while instrs[pos] runs: itself, the
// first half of a quickened superinstruction, or frontend::kDispatchVaries (see
// frontend/superinstructions.cc).
int Lowering::DispatchPos(int pos) const {
  return a_.dispatch_pos.empty() ? pos : a_.dispatch_pos[static_cast<size_t>(pos)];
}

// frame->prev_instr for instrs[pos], kept as ceval keeps it: the instruction itself, the
// first half of the superinstruction it is the second half of (ceval runs the second half
// without moving prev_instr), or, where that depends on the path (a jump target inside a
// chain of pairs), decided at run time from prev_instr itself: it names the previous
// instruction exactly when that one ran as a first half. Instructions that cannot observe
// it leave it alone (unit -1).
Lowering::PrevSpec Lowering::PrevSpecFor(int pos) const {
  const frontend::Instr& in = a_.instrs[static_cast<size_t>(pos)];
  const int at = DispatchPos(pos);
  if (at == frontend::kDispatchVaries) return {in.index, a_.instrs[static_cast<size_t>(pos) - 1].index};
  if (at != pos) return {a_.instrs[static_cast<size_t>(at)].index, -1};
  if (NeedsPrevInstr(in.opcode) || frontend::IsPairHead(in)) return {in.index, -1};
  return {};
}

void Lowering::SetPrevSpec(const PrevSpec& spec) {
  prev_ = spec;
  pa_.SetPrevInstrSpec(spec.unit, spec.unless);
}

void Lowering::StorePrevInstr(const PrevSpec& spec) {
  if (spec.unit < 0) return;
  if (spec.unless >= 0) pa_.SetPrevInstrUnlessAt(spec.unless, spec.unit);
  else pa_.SetPrevInstr(spec.unit);
}

void Lowering::SetPrevInstrUnit(int unit) { SetPrevSpec({unit, -1}); }

Lowering::Lowering(PyAsm& pa, const frontend::Analysis& analysis, PyCodeObject* code,
                   rt::CacheArena& caches)
    : pa_(pa), caches_(caches), a_(analysis), code_(code), nlocalsplus_(code->co_nlocalsplus) {}

PyObject* Lowering::Const(int i) const { return PyTuple_GET_ITEM(code_->co_consts, i); }
PyObject* Lowering::Name(int i) const { return PyTuple_GET_ITEM(code_->co_names, i); }
PyObject* Lowering::LocalName(int i) const {
  return PyTuple_GET_ITEM(code_->co_localsplusnames, i);
}

void Lowering::Refuse(const std::string& reason) {
  if (!refused_) reason_ = reason;
  refused_ = true;
}

void Lowering::SetCurrent(int pos, int depth) {
  pos_ = pos;
  depth_ = depth;
  instr_ = &a_.instrs[pos];
}

bool Lowering::Run() {
  static const std::array<EmitFn, 256> dispatch = BuildDispatch();
  const size_t n = a_.instrs.size();
  labels_.resize(n);
  for (size_t i = 0; i < n; ++i) labels_[i] = pa_.NewLabel();
  epilogue_ = pa_.NewLabel();
  exit_null_ = pa_.NewLabel();

  body_ = pa_.NewLabel();
  pa_.Bind(body_);
  pa_.Prologue();
  EmitResumeDispatch();
  // prev_instr is stored lazily (XbyakPyAsm::SetPrevInstrSpec), except where a jump target
  // inside a chain of superinstructions decides it from what the previous instruction
  // stored: there every instruction stores it, as ceval's dispatch does.
  for (int d : a_.dispatch_pos) eager_prev_instr_ |= d == frontend::kDispatchVaries;
  bool stack_known = false;  // whether vs_ describes the stack on entry to this instruction
  for (size_t pos = 0; pos < n && !refused_; ++pos) {
    if (a_.depth[pos] < 0) {  // unreachable: the interpreter would never run it
      stack_known = false;
      continue;
    }
    if (fused_next_) {  // emitted by the previous instruction
      fused_next_ = false;
      pa_.Bind(labels_[pos]);
      continue;
    }
    SetCurrent(static_cast<int>(pos), a_.depth[pos]);
    if (!stack_known || a_.block_start[pos]) ResetStack(depth_);
    if (sp() != depth_) {
      Refuse("internal error: virtual stack depth " + std::to_string(sp()) + " but " +
             std::to_string(depth_) + " at unit " + std::to_string(instr_->index));
      break;
    }
    pa_.Bind(labels_[pos]);
    pa_.BeginInstr(instr_->index, frontend::OpcodeName(instr_->opcode));
    SetPrevSpec(PrevSpecFor(static_cast<int>(pos)));
    if (eager_prev_instr_) StorePrevInstr(prev_);
    const bool aware = VStackAware(instr_->opcode);
    if (!aware) Flush();
    held_ = 0;
    dispatch[instr_->opcode](*this, *instr_);
    held_ = 0;
    stack_known = aware;
    // Falling into a block start: its code expects the stack in the frame.
    size_t next = pos + 1 + (fused_next_ ? 1 : 0);
    if (aware && next < n && a_.block_start[next]) Flush();
  }
  if (refused_) return false;

  pa_.Bind(exit_null_);
  pa_.LoadImm(Reg::kRet, 0);
  pa_.Bind(epilogue_);
  pa_.Epilogue(nlocalsplus_);

  // Cold bodies may queue more cold bodies and error exits; drain them all.
  for (size_t i = 0; i < cold_.size() && !refused_; ++i) {
    ColdBody body = cold_[i];
    SetCurrent(body.pos, body.depth);
    vs_ = body.vs;
    held_ = body.held;
    SetPrevSpec(body.prev);
    body.body();
  }
  if (refused_) return false;
  EmitErrorStubs();
  EmitDirectEntry();
  return !refused_;
}

// A direct entry for code a caller can bind arguments for by position alone, with few
// enough locals for the stub's unrolled moves and releases.
void Lowering::EmitDirectEntry() {
  constexpr int kNotDirect = CO_VARARGS | CO_VARKEYWORDS | CO_GENERATOR | CO_COROUTINE |
                             CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE;
  constexpr int kMaxDirectLocals = 64;
  if (direct_run_count_ == nullptr || (code_->co_flags & kNotDirect) ||
      !(code_->co_flags & CO_OPTIMIZED) || code_->co_kwonlyargcount != 0 ||
      code_->co_nlocalsplus > kMaxDirectLocals || code_->co_argcount > code_->co_nlocalsplus)
    return;
  DirectEntryLayout layout;
  layout.argcount = code_->co_argcount;
  layout.nlocalsplus = code_->co_nlocalsplus;
  layout.framesize = code_->co_nlocalsplus + code_->co_stacksize + pj_offsets()->frame_specials_words;
  layout.code = code_;
  layout.first_instr = reinterpret_cast<const uint16_t*>(_PyCode_CODE(code_));
  layout.run_count = direct_run_count_;
  direct_entry_ = pa_.NewLabel();
  pa_.DirectEntry(layout, direct_entry_, body_);
}

int Lowering::FindForTest(uint8_t opcode, int nth) const {
  for (size_t i = 0; i < a_.instrs.size(); ++i) {
    if (a_.instrs[i].opcode == opcode && a_.depth[i] >= 0 && nth-- == 0) return static_cast<int>(i);
  }
  return -1;
}

bool Lowering::EmitOneForTest(int pos) {
  static const std::array<EmitFn, 256> dispatch = BuildDispatch();
  if (pos < 0 || static_cast<size_t>(pos) >= a_.instrs.size() || a_.depth[pos] < 0) return false;
  labels_.resize(a_.instrs.size());
  for (size_t i = 0; i < labels_.size(); ++i) labels_[i] = pa_.NewLabel();
  epilogue_ = pa_.NewLabel();
  exit_null_ = pa_.NewLabel();
  SetCurrent(pos, a_.depth[pos]);
  ResetStack(depth_);
  held_ = 0;
  SetPrevSpec(PrevSpecFor(pos));
  dispatch[instr_->opcode](*this, *instr_);
  for (size_t i = 0; i < cold_.size() && !refused_; ++i) {
    ColdBody body = cold_[i];
    SetCurrent(body.pos, body.depth);
    vs_ = body.vs;
    held_ = body.held;
    SetPrevSpec(body.prev);
    body.body();
  }
  EmitErrorStubs();
  return !refused_;
}

void Lowering::Cold(std::function<void()> body) {
  cold_.push_back({std::move(body), pos_, depth_, vs_, held_, prev_});
}

const Instr* Lowering::PeekNext() const {
  size_t next = static_cast<size_t>(pos_) + 1;
  if (next >= a_.instrs.size() || a_.block_start[next] || a_.depth[next] < 0) return nullptr;
  // A fused pair shares this instruction's error exits, so both need the same handler.
  if (a_.handler[next] != a_.handler[static_cast<size_t>(pos_)]) return nullptr;
  return &a_.instrs[next];
}

const Instr* Lowering::PeekFallThrough() const {
  const size_t next = static_cast<size_t>(pos_) + 1;
  if (next >= a_.instrs.size() || a_.entered[next] || a_.depth[next] < 0) return nullptr;
  if (a_.handler[next] != a_.handler[static_cast<size_t>(pos_)]) return nullptr;
  return &a_.instrs[next];
}

const Instr* Lowering::Following() const {
  const size_t next = static_cast<size_t>(pos_) + 1;
  return next < a_.instrs.size() ? &a_.instrs[next] : nullptr;
}

const Instr* Lowering::Preceding(int k) const {
  if (k < 1 || pos_ < k) return nullptr;
  for (int i = pos_ - k + 1; i <= pos_; ++i)
    if (a_.entered[static_cast<size_t>(i)]) return nullptr;
  return &a_.instrs[static_cast<size_t>(pos_ - k)];
}

void Lowering::FuseNext() { fused_next_ = true; }

Label Lowering::TargetLabel(const Instr& jump) const { return labels_.at(jump.target); }

Label Lowering::ErrorExit(int n, bool traceback, bool keep_prev_instr) {
  // The handler keeps the items below its level, so they must all still be owned here. The
  // frontend checks the level against the depth before the instruction; only hand-made
  // code puts it above what is left once a failing instruction consumed its operands (the
  // interpreter has no answer for that either), so refuse rather than hand the handler
  // released slots.
  // ceval looks the handler up at next_instr - 1: the failing instruction itself, also for
  // the second half of a superinstruction (whose traceback line and lasti are the first
  // half's, from prev_instr).
  const int handler = a_.handler[static_cast<size_t>(pos_)];
  if (handler >= 0 && a_.exception_entries[handler].depth > n) {
    Refuse("exception handler level " + std::to_string(a_.exception_entries[handler].depth) +
           " above the stack depth " + std::to_string(n) + " at an error exit of " +
           frontend::OpcodeName(instr_->opcode) + " at unit " + std::to_string(instr_->index));
    return pa_.NewLabel();
  }
  ErrorKey key{n, handler, traceback, Snapshot(n), keep_prev_instr ? PrevSpec{} : prev_};
  auto it = error_exits_.find(key);
  if (it != error_exits_.end()) return it->second;
  Label l = pa_.NewLabel();
  error_exits_.emplace(key, l);
  return l;
}

// Each exit materialises its virtual items, then jumps to the stub shared by every exit of
// the same depth and handler: add the traceback entry, unwind the stack to the handler's
// depth (pushing lasti and the exception) and jump to the handler, or unwind everything
// and return NULL.
void Lowering::EmitErrorStubs() {
  SetPrevSpec({});  // each exit stores its instruction's; the shared stubs store none
  for (const auto& [key, label] : error_exits_) {
    pa_.Bind(label);
    EmitMaterialize(key.mat);
    StorePrevInstr(key.prev);  // the traceback's line, the handler's lasti
    auto stub = unwind_stubs_.find({key.depth, key.handler, key.traceback});
    if (stub != unwind_stubs_.end()) {
      pa_.Jump(stub->second);
      continue;
    }
    Label shared = pa_.NewLabel();
    unwind_stubs_.emplace(std::make_tuple(key.depth, key.handler, key.traceback), shared);
    pa_.Bind(shared);
    int level = -1, lasti = 0;
    if (key.handler >= 0) {
      const frontend::ExceptionEntry& e = a_.exception_entries[key.handler];
      level = e.depth;
      lasti = e.lasti ? 1 : 0;
    }
    pa_.CallHelper(PJ_HELPER(rt_unwind),
                   {ATstate(), AFrame(), AImm(key.depth), AImm(static_cast<uint64_t>(level)),
                    AImm(lasti), AImm(key.traceback ? 1 : 0)});
    if (key.handler >= 0) {
      pa_.BranchIfNegative32(Reg::kRet, exit_null_);
      pa_.Jump(labels_.at(a_.handler_instr[key.handler]));
    } else {
      pa_.Jump(exit_null_);
    }
  }
}

// A generator's machine code is only entered to resume it (RETURN_GENERATOR runs in the
// interpreter): on to the instruction after where frame->prev_instr says it stopped, whose
// stack is in the frame (a block start); anywhere else, back to the caller, which lets the
// interpreter resume it.
void Lowering::EmitResumeDispatch() {
  if (a_.resume.empty()) return;
  for (const frontend::Analysis::ResumePoint& r : a_.resume)
    pa_.BranchIfPrevInstrAt(r.prev_unit, labels_.at(static_cast<size_t>(r.pos)));
  pa_.LoadImm(Reg::kRet, reinterpret_cast<uint64_t>(PJ_NOT_RESUMABLE));
  pa_.Epilogue(nlocalsplus_);
}

// The hand-over to the interpreter: the first n stack items materialised, prev_instr at
// `resume_after` (the interpreter resumes at the unit after it), PJ_DEOPT returned.
void Lowering::EmitDeoptExit(const Materialization& mat, int n, int resume_after) {
  EmitMaterialize(mat);
  pa_.SetPrevInstr(resume_after);
  pa_.LoadImm(Reg::kRet, reinterpret_cast<uint64_t>(PJ_DEOPT));
  pa_.Epilogue(nlocalsplus_ + n);
}

void Lowering::DeoptHere() { EmitDeoptExit(Snapshot(sp()), sp(), instr_->start - 1); }

void Lowering::DeoptIfTracing(int n) {
  Label deopt = pa_.NewLabel();
  pa_.BranchIfTracing(deopt);
  // The interpreter resumes at prev_instr + 1: the unit after this instruction's caches.
  const int resume_after = instr_->next - 1;
  const Materialization mat = Snapshot(n);
  Cold([this, deopt, n, resume_after, mat] {
    pa_.Bind(deopt);
    EmitDeoptExit(mat, n, resume_after);
  });
}

// ---- the virtual operand stack --------------------------------------------------------

namespace {

constexpr Reg kValueRegs[] = {Reg::kKeep0, Reg::kKeep1, Reg::kKeep2};

unsigned RegBit(Reg r) {
  for (unsigned i = 0; i < 3; ++i)
    if (kValueRegs[i] == r) return 1u << i;
  return 0;
}

}  // namespace

void Lowering::ResetStack(int depth) {
  vs_.clear();
  for (int i = 0; i < depth; ++i) vs_.push_back(Value::Slot(i));
}

Value Lowering::Pop() {
  if (vs_.empty()) throw std::logic_error("virtual stack underflow");
  Value v = vs_.back();
  vs_.pop_back();
  if (v.kind == Value::kReg) held_ |= RegBit(v.reg);  // the instruction owns it now
  return v;
}

void Lowering::Push(const Value& v) {
  Value item = v;
  if (item.kind == Value::kSlot) item.position = sp();
  if (item.kind == Value::kSlot && v.position != sp())
    throw std::logic_error("a slot item pushed at another position");
  if (item.kind == Value::kReg) held_ &= ~RegBit(item.reg);
  vs_.push_back(item);
}

void Lowering::PushReg(Reg r) { Push(Value::InReg(r)); }

unsigned Lowering::RegsInUse() const {
  unsigned used = held_;
  for (const Value& v : vs_)
    if (v.kind == Value::kReg) used |= RegBit(v.reg);
  return used;
}

Reg Lowering::AcquireReg() {
  unsigned used = RegsInUse();
  if (used == 7) {  // spill the deepest register item
    for (size_t i = 0; i < vs_.size(); ++i) {
      if (vs_[i].kind != Value::kReg) continue;
      pa_.Store(Slot::Stack(static_cast<int>(i)), vs_[i].reg);
      used &= ~RegBit(vs_[i].reg);
      vs_[i] = Value::Slot(static_cast<int>(i));
      break;
    }
  }
  for (unsigned i = 0; i < 3; ++i) {
    if (!(used & (1u << i))) {
      held_ |= 1u << i;
      return kValueRegs[i];
    }
  }
  throw std::logic_error("no value register left");
}

void Lowering::FreeReg(Reg r) { held_ &= ~RegBit(r); }

void Lowering::LoadValue(Reg dst, const Value& v) {
  switch (v.kind) {
    case Value::kSlot: pa_.Load(dst, Slot::Stack(v.position)); return;
    case Value::kConst: pa_.LoadImm(dst, reinterpret_cast<uint64_t>(v.obj)); return;
    case Value::kLocal: pa_.Load(dst, Slot::Local(v.local)); return;
    case Value::kNull: pa_.LoadImm(dst, 0); return;
    case Value::kReg: pa_.Move(dst, v.reg); return;
  }
}

Reg Lowering::ToReg(const Value& v) {
  if (v.kind == Value::kReg) {
    held_ |= RegBit(v.reg);
    return v.reg;
  }
  Reg r = AcquireReg();
  LoadValue(r, v);
  return r;
}

void Lowering::OwnValue(const Value& v, Reg r) {
  if (v.borrowed()) pa_.IncRef(r);
}

void Lowering::DropValue(const Value& v, Reg r) {
  if (v.owned()) pa_.DecRef(r);
  FreeReg(r);
}

void Lowering::MaterializeAt(int i) {
  Value& v = vs_[static_cast<size_t>(i)];
  const Slot slot = Slot::Stack(i);
  switch (v.kind) {
    case Value::kSlot: return;
    case Value::kConst: pa_.MaterializeConst(slot, v.obj); break;
    case Value::kLocal: pa_.MaterializeLocal(slot, v.local); break;
    case Value::kNull: pa_.StoreNull(slot); break;
    case Value::kReg: pa_.Store(slot, v.reg); break;
  }
  v = Value::Slot(i);
}

void Lowering::Flush() { FlushFrom(0); }

void Lowering::FlushFrom(int position) {
  for (int i = position; i < sp(); ++i) MaterializeAt(i);
}

void Lowering::SwapItems(int k) {
  const size_t top = vs_.size() - 1, other = vs_.size() - static_cast<size_t>(k);
  for (size_t i : {top, other}) {
    if (vs_[i].kind != Value::kSlot) continue;
    const Reg r = AcquireReg();
    pa_.Load(r, Slot::Stack(static_cast<int>(i)));
    vs_[i] = Value::InReg(r);
    FreeReg(r);  // held by the item now
  }
  std::swap(vs_[top], vs_[other]);
}

void Lowering::MaterializeLocalCopies(int local) {
  for (int i = 0; i < sp(); ++i)
    if (vs_[static_cast<size_t>(i)].kind == Value::kLocal && vs_[static_cast<size_t>(i)].local == local)
      MaterializeAt(i);
}

Lowering::Materialization Lowering::Snapshot(int n) const {
  Materialization m;
  for (int i = 0; i < n && i < sp(); ++i) {
    const Value& v = vs_[static_cast<size_t>(i)];
    if (v.kind != Value::kSlot) m.items.emplace_back(i, v);
  }
  return m;
}

void Lowering::EmitMaterialize(const Materialization& m) {
  for (const auto& [i, v] : m.items) {
    const Slot slot = Slot::Stack(i);
    switch (v.kind) {
      case Value::kSlot: break;
      case Value::kConst: pa_.MaterializeConst(slot, v.obj); break;
      case Value::kLocal: pa_.MaterializeLocal(slot, v.local); break;
      case Value::kNull: pa_.StoreNull(slot); break;
      case Value::kReg: pa_.Store(slot, v.reg); break;
    }
  }
}

void Lowering::Branch(const Instr& jump, bool poll) {
  if (!poll) {
    pa_.Jump(TargetLabel(jump));
    return;
  }
  Label slow = pa_.NewLabel();
  pa_.PollEvalBreaker(slow);
  pa_.Jump(TargetLabel(jump));
  const int depth_at_target = a_.depth.at(jump.target);
  Cold([this, slow, &jump, depth_at_target] {
    pa_.Bind(slow);
    pa_.CallHelper(PJ_HELPER(pj_handle_eval_breaker), {ATstate()});
    // The branch already popped its operands, so the error leaves the target's depth.
    pa_.BranchIfNegative32(Reg::kRet, ErrorExit(depth_at_target));
    pa_.Jump(TargetLabel(jump));
  });
}

void Lowering::BranchOnFlag(Reg flag, bool jump_if_nonzero, const Instr& jump, bool poll) {
  if (!poll) {
    if (jump_if_nonzero) pa_.BranchIfNotZero(flag, TargetLabel(jump));
    else pa_.BranchIfZero(flag, TargetLabel(jump));
    return;
  }
  Label skip = pa_.NewLabel();
  if (jump_if_nonzero) pa_.BranchIfZero(flag, skip);
  else pa_.BranchIfNotZero(flag, skip);
  Branch(jump, true);
  pa_.Bind(skip);
}

}  // namespace pyjion::x64
