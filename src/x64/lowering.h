// Lowering: the per-function driver that walks the analysed bytecode once and calls one
// emit_<OPNAME> per instruction (dispatch generated from opcodes.def), plus the services
// those lowerings share: stack-slot naming at the current depth, labels for jump targets,
// error exits keyed by (depth, exception handler), a queue of cold out-of-line bodies,
// the shared epilogue, and refusal with a reason.
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
#include "x64/pyasm.h"

namespace pyjion::x64 {

using frontend::Instr;

class Lowering {
 public:
  Lowering(PyAsm& pa, const frontend::Analysis& analysis, PyCodeObject* code);

  // Emits the whole function. False if some lowering refused; reason() says why.
  bool Run();
  const std::string& reason() const { return reason_; }
  // For lowering tests: emits only instruction `pos` (first one with `opcode` when pos < 0)
  // and then its cold bodies and error stubs. False if refused or not found.
  bool EmitOneForTest(int pos);
  int FindForTest(uint8_t opcode, int nth = 0) const;

  // ---- services for emit_* -----------------------------------------------------------
  PyAsm& pa() { return pa_; }
  PyCodeObject* code() const { return code_; }
  int nlocalsplus() const { return nlocalsplus_; }
  int depth() const { return depth_; }                 // stack depth before this instruction
  Slot Top(int k = 0) const { return Slot::Stack(depth_ - 1 - k); }  // k-th from the top
  static Slot Stack(int i) { return Slot::Stack(i); }
  static Slot Local(int i) { return Slot::Local(i); }
  PyObject* Const(int i) const;    // borrowed from co_consts
  PyObject* Name(int i) const;     // borrowed from co_names
  PyObject* LocalName(int i) const;  // borrowed from co_localsplusnames

  // Error exit for a failure that leaves `depth_after` owned-or-NULL items on the stack.
  // traceback=false for re-raises (RERAISE, bare raise), which add no traceback entry.
  Label ErrorExit(int depth_after, bool traceback = true);
  Label TargetLabel(const Instr& jump) const;  // label of a jump's target instruction
  Label Epilogue() const { return epilogue_; }  // return kRet (stack must be empty)
  // Jumps to jump's target; backward jumps that CPython polls at also poll the eval breaker.
  void Branch(const Instr& jump, bool poll);
  // Branches to jump's target when `flag` (a C int in a register) is nonzero / zero.
  void BranchOnFlag(Reg flag, bool jump_if_nonzero, const Instr& jump, bool poll);
  // Queues an out-of-line body; it runs after the main pass with depth() and instr() of
  // the instruction that queued it. The body must end in a jump.
  void Cold(std::function<void()> body);
  // The next instruction, if it can be fused into this one (not a jump target, same
  // exception handler), else null.
  const Instr* Peek() const;
  void FuseNext();                 // the next instruction is emitted by this one
  void Refuse(const std::string& reason);
  const Instr& instr() const { return *instr_; }
  // After a call: if tracing or profiling was switched on (sys.settrace, pdb.set_trace),
  // hands the frame to the interpreter, which resumes at the next instruction with
  // `depth_after` items on the stack, so the rest of this frame is traced.
  void DeoptIfTracing(int depth_after);

 private:
  struct ErrorKey {
    int depth, handler; bool traceback;
    bool operator<(const ErrorKey& o) const {
      return std::tie(depth, handler, traceback) < std::tie(o.depth, o.handler, o.traceback);
    }
  };
  struct ColdBody { std::function<void()> body; int pos; int depth; };

  void EmitInstr(int pos);
  void EmitErrorStubs();
  void SetCurrent(int pos, int depth);
  int DispatchPos(int pos) const;
  void SetPrevInstrFor(int pos);

  PyAsm& pa_;
  const frontend::Analysis& a_;
  PyCodeObject* code_;
  int nlocalsplus_;
  std::vector<Label> labels_;      // per instruction position
  Label epilogue_, exit_null_;
  std::map<ErrorKey, Label> error_exits_;
  std::vector<ColdBody> cold_;
  int pos_ = 0, depth_ = 0;
  const Instr* instr_ = nullptr;
  bool fused_next_ = false;
  bool refused_ = false;
  std::string reason_;
};

// One lowering per base opcode, defined in the lower_<family>.cc files.
#define PJ_OPCODE(name, num, caches, jump) void emit_##name(Lowering& L, const Instr& in);
#include "frontend/opcodes.def"

}  // namespace pyjion::x64
