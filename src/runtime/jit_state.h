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
  Status status = Status::kNew;
  bool forced = false;                 // @pyjion_x64.jit: compile on first call
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

struct Config {
  bool enabled = false;
  long threshold = 0;
};

bool InitJitState();                         // co_extra index; false with exception set
Config& GetConfig();
const Stats& GetStats();
// The state of code, or nullptr; create=true makes it (nullptr with exception on failure).
CodeState* StateFor(PyCodeObject* code, bool create);
// Compiles now if not done yet. True if native code is available.
bool EnsureCompiled(PyCodeObject* code, CodeState* state);
// Installs or removes the hook as `enabled` and the forced functions require.
void UpdateHook();
void NoteForced();                           // one more @jit code object

}  // namespace pyjion::rt
