// Lowering: the per-function driver that walks the analysed bytecode once and calls one
// emit_<OPNAME> per instruction (dispatch generated from opcodes.def), plus the services
// those lowerings share: the virtual operand stack (value.h), value registers, labels for
// jump targets, error exits keyed by (depth, exception handler, what must be materialised),
// a queue of cold out-of-line bodies, the shared epilogue, and refusal with a reason.
//
// Two kinds of lowering coexist:
//  - stack-aware ones (VStackAware() in lowering.cc) Pop() and Push() Values and leave
//    items virtual (a borrowed local or constant, a NULL, a result in a value register);
//  - frame ones work on frame memory (Top(k), depth()); the driver materialises the whole
//    virtual stack before them and treats every item as in its slot afterwards.
// The virtual stack is materialised at every block boundary, so jump targets and exception
// handlers always find the interpreter's stack in the frame.
//
// Layout of a compiled function: prologue; the instructions in code order (fast paths
// fall through); the shared exits; then the cold region (slow paths, error stubs).
#pragma once

#include <Python.h>

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "frontend/analysis.h"
#include "runtime/cache_arena.h"
#include "x64/pyasm.h"
#include "x64/value.h"

namespace pyjion::x64 {

using frontend::Instr;

class Lowering {
 public:
  Lowering(PyAsm& pa, const frontend::Analysis& analysis, PyCodeObject* code,
           rt::CacheArena& caches);

  // Emits the whole function. False if some lowering refused; reason() says why.
  bool Run();
  // Also emit a direct entry (pyasm.h DirectEntry) if the code can have one; run_count is
  // the counter it bumps. Call before Run. direct_entry(): its label, or -1.
  void RequestDirectEntry(unsigned long long* run_count) { direct_run_count_ = run_count; }
  Label direct_entry() const { return direct_entry_; }
  const std::string& reason() const { return reason_; }
  // For lowering tests: emits only instruction `pos` (first one with `opcode` when pos < 0)
  // and then its cold bodies and error stubs. False if refused or not found.
  bool EmitOneForTest(int pos);
  int FindForTest(uint8_t opcode, int nth = 0) const;

  // ---- services for emit_* -----------------------------------------------------------
  PyAsm& pa() { return pa_; }
  rt::CacheArena& caches() { return caches_; }  // inline caches, owned with the code
  PyCodeObject* code() const { return code_; }
  int nlocalsplus() const { return nlocalsplus_; }
  int code_flags() const { return code_->co_flags; }
  PyObject* Const(int i) const;    // borrowed from co_consts
  PyObject* Name(int i) const;     // borrowed from co_names
  PyObject* LocalName(int i) const;  // borrowed from co_localsplusnames
  const Instr& instr() const { return *instr_; }
  // Whether fast local `local` holds a value whenever this instruction runs (the frontend's
  // definite-assignment facts), so reading it needs no unbound check.
  bool LocalKnownBound(int local) const { return frontend::LocalBound(a_, pos_, local); }

  // -- frame lowerings: the stack is in frame memory --
  int depth() const { return depth_; }                 // stack depth before this instruction
  Slot Top(int k = 0) const { return Slot::Stack(depth_ - 1 - k); }  // k-th from the top
  static Slot Stack(int i) { return Slot::Stack(i); }
  static Slot Local(int i) { return Slot::Local(i); }

  // -- stack-aware lowerings: the virtual operand stack --
  int sp() const { return static_cast<int>(vs_.size()); }  // current virtual depth
  const Value& Peek(int k = 0) const { return vs_.at(vs_.size() - 1 - k); }
  Value Pop();
  void Push(const Value& v);
  // Pushes the owned reference held in value register r (taken from AcquireReg/ToReg).
  void PushReg(Reg r);
  // A value register (kKeep0..2) for this instruction: survives helper calls. Spills the
  // deepest register item of the virtual stack to its slot when all are taken.
  Reg AcquireReg();
  void FreeReg(Reg r);
  // A register holding v's object pointer (a popped Value): v's own register if it is in
  // one (now held by this instruction), else a newly acquired value register loaded with it.
  Reg ToReg(const Value& v);
  void LoadValue(Reg dst, const Value& v);   // dst = v's object pointer; no refcounting
  void OwnValue(const Value& v, Reg r);      // r holds v: make it an owned reference
  void DropValue(const Value& v, Reg r);     // release v (held in r) if owned; frees r
  // Writes every virtual item to its frame slot, as the interpreter would have it.
  void Flush();
  void FlushFrom(int position);  // ... only the items at position and above
  // SWAP k: exchanges the top item and the k-th from the top (k >= 2) without touching
  // memory (items that live in their slots are first loaded into value registers).
  void SwapItems(int k);
  // Items that borrow fast local `local` get their own reference (before it is rebound).
  void MaterializeLocalCopies(int local);

  // Error exit for a failure that leaves the first `n` items of the virtual stack (or, in a
  // frame lowering, `n` owned-or-NULL slots) on the stack; virtual items are materialised
  // by the exit, which also stores this instruction's prev_instr (unless keep_prev_instr:
  // RERAISE sets it itself). traceback=false for re-raises (RERAISE, bare raise), which add
  // no traceback entry.
  Label ErrorExit(int n, bool traceback = true, bool keep_prev_instr = false);
  Label ErrorHere(bool traceback = true) { return ErrorExit(sp(), traceback); }
  Label TargetLabel(const Instr& jump) const;  // label of a jump's target instruction
  Label Epilogue() const { return epilogue_; }  // return kRet (stack must be empty)
  // Jumps to jump's target; backward jumps that CPython polls at also poll the eval breaker.
  // The virtual stack must be flushed.
  void Branch(const Instr& jump, bool poll);
  // Branches to jump's target when `flag` (a C int in a register) is nonzero / zero.
  void BranchOnFlag(Reg flag, bool jump_if_nonzero, const Instr& jump, bool poll);
  // Queues an out-of-line body; it runs after the main pass with depth(), instr() and the
  // virtual stack of the moment it was queued. The body must end in a jump.
  void Cold(std::function<void()> body);
  // The next instruction, if it can be fused into this one (not a jump target, same
  // exception handler), else null.
  const Instr* PeekNext() const;
  // The instruction this one falls through to when only that reaches it (no jump, handler
  // or resume point enters it; same exception handler): a branch that can emit it along
  // its fall-through edge, else null.
  const Instr* PeekFallThrough() const;
  // The instruction after this one in code order whatever reaches it (nullptr at the end):
  // for a lowering that only reads what that instruction will do with its result.
  const Instr* Following() const;
  // The instruction k before this one when this one and the k - 1 between are reached only
  // by falling through from it (so it ran just before), else null.
  const Instr* Preceding(int k) const;
  void FuseNext();                 // the next instruction is emitted by this one
  void Refuse(const std::string& reason);
  // After a call: if tracing or profiling was switched on (sys.settrace, pdb.set_trace),
  // hands the frame to the interpreter, which resumes at the next instruction with the
  // first `n` items of the stack (materialised first), so the rest of this frame is traced.
  void DeoptIfTracing(int n);
  // Leaves for the interpreter at this instruction: it runs again from there.
  void DeoptHere();
  // frame->prev_instr names `unit` from here on in this instruction (a fused instruction
  // whose second half can observe it).
  void SetPrevInstrUnit(int unit);

 private:
  void EmitResumeDispatch();
  struct PrevSpec {
    int unit = -1, unless = -1;
    bool operator<(const PrevSpec& o) const { return std::tie(unit, unless) < std::tie(o.unit, o.unless); }
  };
  struct Materialization {
    std::vector<std::pair<int, Value>> items;  // (position, value) of non-slot items
    bool operator<(const Materialization& o) const { return items < o.items; }
  };
  struct ErrorKey {
    int depth, handler; bool traceback; Materialization mat; PrevSpec prev;
    bool operator<(const ErrorKey& o) const {
      return std::tie(depth, handler, traceback, mat, prev) <
             std::tie(o.depth, o.handler, o.traceback, o.mat, o.prev);
    }
  };
  struct ColdBody {
    std::function<void()> body; int pos; int depth;
    std::vector<Value> vs; unsigned held; PrevSpec prev;
  };

  void EmitInstr(int pos);
  void EmitDirectEntry();
  void EmitErrorStubs();
  void SetCurrent(int pos, int depth);
  void ResetStack(int depth);              // all items in their slots
  Materialization Snapshot(int n) const;   // what the first n items need to be in memory
  void EmitMaterialize(const Materialization& m);
  void EmitDeoptExit(const Materialization& mat, int n, int resume_after);
  void MaterializeAt(int position);
  unsigned RegsInUse() const;
  int DispatchPos(int pos) const;
  PrevSpec PrevSpecFor(int pos) const;
  void SetPrevSpec(const PrevSpec& spec);
  void StorePrevInstr(const PrevSpec& spec);

  PyAsm& pa_;
  rt::CacheArena& caches_;
  const frontend::Analysis& a_;
  PyCodeObject* code_;
  int nlocalsplus_;
  std::vector<Label> labels_;      // per instruction position
  Label epilogue_, exit_null_;
  std::map<ErrorKey, Label> error_exits_;
  std::map<std::tuple<int, int, bool>, Label> unwind_stubs_;
  std::vector<ColdBody> cold_;
  int pos_ = 0, depth_ = 0;
  const Instr* instr_ = nullptr;
  bool fused_next_ = false;
  bool refused_ = false;
  std::string reason_;
  std::vector<Value> vs_;          // the virtual operand stack
  PrevSpec prev_;                  // what prev_instr holds while the current code runs
  bool eager_prev_instr_ = false;  // store prev_instr at every instruction (see Run)
  unsigned long long* direct_run_count_ = nullptr;
  Label direct_entry_ = -1;
  Label body_ = -1;                // the ordinary entry (the prologue)
  unsigned held_ = 0;              // value registers held by the current instruction
};

// One lowering per base opcode, defined in the lower_<family>.cc files.
#define PJ_OPCODE(name, num, caches, jump) void emit_##name(Lowering& L, const Instr& in);
#include "frontend/opcodes.def"

}  // namespace pyjion::x64
