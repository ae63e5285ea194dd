// Per-code JIT state in co_extra, the entry decision called from the evaluator, and the
// global configuration and statistics. See jit_state.h.
#include "runtime/jit_state.h"

#include <chrono>
#include <cstring>
#include <string>

#include "frontend/opcodes.h"
#include "runtime/perf_map.h"

namespace pyjion::rt {
namespace {

Py_ssize_t g_extra_index = -1;
Config g_config;
Stats g_stats;
uint64_t g_forced = 0;

std::vector<CodeState*> g_live;  // index kept in CodeState::live_index

void FreeState(void* p) {
  auto* state = static_cast<CodeState*>(p);
  CodeState* last = g_live.back();  // swap-remove from the live list
  g_live[state->live_index] = last;
  last->live_index = state->live_index;
  g_live.pop_back();
  FreeRegion(&state->compiled.region);
  delete state;
  pj_code_state_freed();
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// For a generator or coroutine (not an async generator) whose bytecode before
// RETURN_GENERATOR only copies free variables and makes cells: RETURN_GENERATOR's index, at
// which a direct call can make the generator object itself (runtime/cpython_shim.c). Else -1.
int GeneratorStart(PyCodeObject* code) {
  if (!(code->co_flags & (CO_GENERATOR | CO_COROUTINE)) || (code->co_flags & CO_ASYNC_GENERATOR))
    return -1;
  const auto* units = reinterpret_cast<const uint16_t*>(_PyCode_CODE(code));
  for (Py_ssize_t i = 0; i < Py_SIZE(code); ++i) {
    const int op = units[i] & 0xff;
    if (op == frontend::RETURN_GENERATOR) return static_cast<int>(i);
    if (op != frontend::COPY_FREE_VARS && op != frontend::MAKE_CELL) return -1;
  }
  return -1;
}

// Positional parameters when that is all the code takes (what a direct call can bind), for a
// generator or coroutine only if a direct call can make it (gen_start, GeneratorStart's).
int DirectArgcount(PyCodeObject* code, int gen_start) {
  constexpr int kNotDirect = CO_VARARGS | CO_VARKEYWORDS | CO_ASYNC_GENERATOR;
  constexpr int kMakesGenerator = CO_GENERATOR | CO_COROUTINE | CO_ITERABLE_COROUTINE;
  if ((code->co_flags & kNotDirect) || code->co_kwonlyargcount != 0 ||
      !(code->co_flags & CO_OPTIMIZED) || ((code->co_flags & kMakesGenerator) && gen_start < 0))
    return -1;
  return code->co_argcount;
}

// What pj_call_direct reads of a code object that has not been compiled yet.
PjDirectTarget DirectTargetFor(PyCodeObject* code) {
  const int gen_start = GeneratorStart(code);
  return PjDirectTarget{nullptr, nullptr, DirectArgcount(code, gen_start), gen_start, 0};
}

// Whether the code has a backward jump (a loop), read from its live units.
bool HasLoop(PyCodeObject* code) {
  const auto* units = reinterpret_cast<const uint16_t*>(_PyCode_CODE(code));
  for (Py_ssize_t i = 0; i < Py_SIZE(code); ++i) {
    const frontend::OpcodeInfo& info = frontend::GetOpcodeInfo(units[i] & 0xff);
    if (info.name != nullptr && info.base != frontend::CACHE &&
        frontend::GetOpcodeInfo(info.base).jump == frontend::JumpKind::kBackward)
      return true;
    if (info.name != nullptr && info.base != frontend::EXTENDED_ARG) i += info.caches;
  }
  return false;
}

// The interpreter's standard library directory (sys._stdlib_dir), with a trailing '/'.
const std::string& StdlibDir() {
  static std::string dir = [] {
    PyObject* d = PySys_GetObject("_stdlib_dir");  // borrowed
    const char* s = d != nullptr && PyUnicode_Check(d) ? PyUnicode_AsUTF8(d) : nullptr;
    if (s == nullptr) PyErr_Clear();
    return s != nullptr && *s != 0 ? std::string(s) + "/" : std::string();
  }();
  return dir;
}

// Whether code belongs to the interpreter's own standard library: a frozen module or a file
// under sys._stdlib_dir outside site-packages (third-party code counts as the program's).
bool InStdlib(PyCodeObject* code) {
  const char* file = PyUnicode_AsUTF8(code->co_filename);
  if (file == nullptr) {
    PyErr_Clear();
    return false;
  }
  if (std::strncmp(file, "<frozen ", 8) == 0) return true;
  const std::string& dir = StdlibDir();
  if (dir.empty() || std::strncmp(file, dir.c_str(), dir.size()) != 0) return false;
  return std::strstr(file + dir.size(), "site-packages/") == nullptr &&
         std::strstr(file + dir.size(), "dist-packages/") == nullptr;
}

// Whether the state's code is due for compiling on this run (run_count already counts it).
bool DueForCompile(const CodeState& state, PyCodeObject* code) {
  const long threshold = g_config.threshold;
  if (threshold != Config::kAuto) return state.run_count > static_cast<uint64_t>(threshold);
  if (CompiledByTime(state)) return state.interp_ns >= StdlibBudgetNs(code);
  if (state.has_loop) return true;
  if (!(code->co_flags & CO_OPTIMIZED)) return false;
  return state.run_count > Config::kAutoCalls;
}

}  // namespace

int64_t StdlibBudgetNs(PyCodeObject* code) { return Config::kCompileNsPerUnit * Py_SIZE(code); }

bool CompiledByTime(const CodeState& state) {
  return state.stdlib && g_config.threshold == Config::kAuto;
}

CodeState::CodeState(PyCodeObject* code)
    : PjDirectTarget(DirectTargetFor(code)),
      code(code),
      has_loop(HasLoop(code)),
      stdlib(InStdlib(code)) {}

const std::vector<CodeState*>& LiveStates() { return g_live; }

bool InitJitState() {
  if (g_extra_index >= 0) return true;
  g_extra_index = _PyEval_RequestCodeExtraIndex(FreeState);
  if (g_extra_index < 0) {
    PyErr_SetString(PyExc_RuntimeError, "pyjion_x64: no co_extra slot available");
    return false;
  }
  pj_set_extra_index(g_extra_index);
  return true;
}

Config& GetConfig() { return g_config; }
const Stats& GetStats() { return g_stats; }

CodeState* StateFor(PyCodeObject* code, bool create) {
  void* extra = nullptr;
  if (_PyCode_GetExtra(reinterpret_cast<PyObject*>(code), g_extra_index, &extra) < 0) return nullptr;
  if (extra != nullptr || !create) return static_cast<CodeState*>(extra);
  auto* state = new CodeState(code);
  if (_PyCode_SetExtra(reinterpret_cast<PyObject*>(code), g_extra_index, state) < 0) {
    delete state;
    return nullptr;
  }
  state->live_index = g_live.size();
  g_live.push_back(state);
  pj_check_extra_layout(code);
  return state;
}

bool EnsureCompiled(PyCodeObject* code, CodeState* state) {
  if (state->status == CodeState::Status::kCompiled) return true;
  if (state->status == CodeState::Status::kFailed) return false;
  const int64_t start = NowNs();
  std::string reason;
  x64::CompiledCode compiled;
  const bool ok = x64::Compile(code, &compiled, &reason, &state->run_count);
  if (state->status != CodeState::Status::kNew) {
    // Compiling ran code (a finalizer) that entered and compiled this code object already.
    FreeRegion(&compiled.region);
    return state->status == CodeState::Status::kCompiled;
  }
  state->compiled = std::move(compiled);
  state->compile_ns = NowNs() - start;
  g_stats.compile_ns += state->compile_ns;
  if (ok) {
    state->status = CodeState::Status::kCompiled;
    state->entry = reinterpret_cast<PjNativeEntry>(state->compiled.region.base);
    if (state->compiled.direct_entry_offset != 0)
      state->direct_entry = reinterpret_cast<PjDirectEntry>(
          static_cast<char*>(state->compiled.region.base) + state->compiled.direct_entry_offset);
    ++g_stats.compiled;
    PerfMapAdd(code, state->compiled.region.base, state->compiled.size);
  } else {
    state->status = CodeState::Status::kFailed;
    state->reason = reason;
    ++g_stats.failed;
    ++g_stats.reasons[reason];
    if (g_stats.refusals.size() < Stats::kMaxRefusals) {
      const char* qualname = PyUnicode_AsUTF8(code->co_qualname);
      const char* filename = PyUnicode_AsUTF8(code->co_filename);
      if (qualname == nullptr || filename == nullptr) PyErr_Clear();
      g_stats.refusals.push_back({qualname ? qualname : "?", filename ? filename : "?", reason,
                                  code->co_firstlineno});
    }
  }
  return ok;
}

void UpdateHook() {
  if (g_config.enabled || g_forced > 0) pj_install_hook();
  else pj_uninstall_hook();
}

void NoteForced() {
  ++g_forced;
  UpdateHook();
}

}  // namespace pyjion::rt

using namespace pyjion::rt;

extern "C" int64_t pj_now_ns(void) { return NowNs(); }

namespace pyjion::rt {
namespace {

PjNativeEntry EntryFor(PyCodeObject* code, int64_t** interp_ns) {
  CodeState* state = StateFor(code, g_config.enabled);
  if (state == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  ++state->run_count;
  if (state->status == CodeState::Status::kCompiled) return state->entry;
  if (state->status == CodeState::Status::kFailed) return nullptr;
  if (!state->forced && (!g_config.enabled || !DueForCompile(*state, code))) {
    if (interp_ns != nullptr && CompiledByTime(*state)) *interp_ns = &state->interp_ns;
    return nullptr;
  }
  return EnsureCompiled(code, state) ? state->entry : nullptr;
}

}  // namespace
}  // namespace pyjion::rt

// The evaluator's (C) entry into the JIT: no C++ exception may cross it. Memory running
// out anywhere in the JIT's own bookkeeping becomes MemoryError, as in the interpreter.
extern "C" PjNativeEntry pj_entry_for(PyThreadState* tstate, PyCodeObject* code,
                                      int64_t** interp_ns) {
  try {
    return pyjion::rt::EntryFor(code, interp_ns);
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (...) {
    PyErr_SetString(PyExc_SystemError, "pyjion_x64: internal error while compiling");
  }
  return nullptr;
}
