// Per-code-object JIT state (kept in co_extra), the global switches (enabled, threshold)
// and the counters behind pyjion_x64.info() and stats(). Owns the decision, on each
// entry of a code object through the hook, whether to run native code, compile, or leave
// the frame to the interpreter.
#pragma once

#include <Python.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/shim.h"
#include "x64/compiler.h"

namespace pyjion::rt {

// The head (PjDirectTarget: entry, argcount, run_count) is what pj_call_direct reads from C.
struct CodeState : PjDirectTarget {
  enum class Status : uint8_t { kNew, kCompiled, kFailed };
  explicit CodeState(PyCodeObject* code);
  PyCodeObject* code;                  // borrowed: the state dies with its code object
  Status status = Status::kNew;
  bool forced = false;                 // @pyjion_x64.jit: compile on first call
  bool has_loop = false;               // a backward jump somewhere in the code
  bool stdlib = false;                 // the interpreter's standard library (see Config)
  int64_t interp_ns = 0;               // time the interpreter ran it (stdlib code only)
  size_t live_index = 0;               // position in LiveStates()
  x64::CompiledCode compiled;
  std::string reason;                  // why it is not compiled (kFailed)
  int64_t compile_ns = 0;
};

struct Refusal {
  std::string qualname, filename, reason;
  int firstlineno = 0;
};

struct Stats {
  uint64_t compiled = 0, failed = 0;
  int64_t compile_ns = 0;
  std::map<std::string, uint64_t> reasons;
  std::vector<Refusal> refusals;       // the first kMaxRefusals refused code objects
  static constexpr size_t kMaxRefusals = 1000;
};

// When a code object is compiled. An explicit threshold N: after N calls (0: on the first).
// kAuto, the default: the program's code with a loop on its first run (one call may run it
// for long), its other functions after kAutoCalls calls (a compile costs as much as running
// a short function some dozens of times), its module and class bodies without a loop never
// (they run once). The interpreter's standard library (much of it runs only at import:
// enum classes, re.compile, namedtuple, the import system) once the interpreter has spent
// as long running it as compiling it would take, kCompileNsPerUnit per code unit: a
// break-even rule, which costs at most about twice the better choice made in hindsight.
// The interpreter's time counts the callees too, so the figure is twice the measured
// compile cost (about 1 us per unit on these machines).
struct Config {
  static constexpr long kAuto = -1;
  static constexpr uint64_t kAutoCalls = 8;
  static constexpr int64_t kCompileNsPerUnit = 2000;
  bool enabled = false;
  long threshold = kAuto;
};

bool InitJitState();                         // co_extra index; false with exception set
Config& GetConfig();
// Whether state's code is compiled by the interpreter time it has taken (standard library
// code under the auto threshold, see Config), and after how much of it.
bool CompiledByTime(const CodeState& state);
int64_t StdlibBudgetNs(PyCodeObject* code);
const Stats& GetStats();
// The state of code, or nullptr; create=true makes it (nullptr with exception on failure).
CodeState* StateFor(PyCodeObject* code, bool create);
// Every live code state, for per-code-object statistics.
const std::vector<CodeState*>& LiveStates();
// Compiles now if not done yet. True if native code is available.
bool EnsureCompiled(PyCodeObject* code, CodeState* state);
// Installs or removes the hook as `enabled` and the forced functions require.
void UpdateHook();
void NoteForced();                           // one more @jit code object

}  // namespace pyjion::rt
