// The compile driver: code object -> CodeInput -> Analysis -> Lowering over XbyakPyAsm ->
// executable region. Every failure becomes a refusal with a reason (never a crash).
#include "x64/compiler.h"

#include <new>
#include <stdexcept>

#include "frontend/analysis.h"
#include "runtime/code_input.h"
#include "x64/lowering.h"
#include "x64/pyasm_xbyak.h"

namespace pyjion::x64 {
namespace {

// Generators and coroutines are compiled (their bodies run compiled from each resume);
// async generators not yet.
constexpr int kAsyncGeneratorFlags = CO_ASYNC_GENERATOR;
constexpr size_t kBytesPerInstr = 320, kBaseBytes = 4096;

enum class Attempt { kDone, kRefused, kTooSmall };

Attempt TryEmit(PyCodeObject* co, const frontend::Analysis& a, size_t capacity,
                CompiledCode* out, std::string* reason, unsigned long long* run_count) {
  rt::CodeRegion region;
  if (!rt::AllocWritable(capacity, &region)) {
    *reason = "out of executable memory";
    return Attempt::kRefused;
  }
  try {
    CodeLayout layout{co->co_nlocalsplus, reinterpret_cast<const uint16_t*>(_PyCode_CODE(co))};
    XbyakPyAsm pa(region.base, region.mapped, layout);
    rt::CacheArena caches;
    Lowering lowering(pa, a, co, caches);
    lowering.RequestDirectEntry(run_count);
    if (!lowering.Run()) {
      *reason = lowering.reason();
      rt::FreeRegion(&region);
      return Attempt::kRefused;
    }
    out->size = pa.Finish();
    out->notes = pa.annotations();
    out->caches = std::move(caches);
    out->direct_entry_offset = lowering.direct_entry() >= 0 ? pa.LabelOffset(lowering.direct_entry()) : 0;
  } catch (const std::bad_alloc&) {
    // nothing here may allocate: "out of memory" fits std::string's inline buffer
    rt::FreeRegion(&region);
    *reason = "out of memory";
    return Attempt::kRefused;
  } catch (const std::exception& e) {
    rt::FreeRegion(&region);
    if (XbyakPyAsm::IsBufferFull(e)) return Attempt::kTooSmall;
    *reason = std::string("assembler error: ") + e.what();
    return Attempt::kRefused;
  }
  if (!rt::MakeExecutable(&region, out->size)) {
    rt::FreeRegion(&region);
    *reason = "cannot make code executable";
    return Attempt::kRefused;
  }
  out->region = region;
  return Attempt::kDone;
}

}  // namespace

bool Compile(PyCodeObject* co, CompiledCode* out, std::string* reason,
             unsigned long long* run_count) {
  try {
    if (co->co_flags & kAsyncGeneratorFlags) {
      *reason = "async generator code runs in the interpreter";
      return false;
    }
    frontend::CodeInput input;
    if (!rt::MakeCodeInput(co, &input)) {
      PyErr_Clear();
      *reason = "cannot read the code object";
      return false;
    }
    frontend::AnalysisResult result = frontend::Analyze(input);
    if (!result.ok) {
      *reason = result.reason;
      return false;
    }
    size_t capacity = kBaseBytes + kBytesPerInstr * result.analysis.instrs.size();
    for (int tries = 0; tries < 4; ++tries, capacity *= 2) {
      switch (TryEmit(co, result.analysis, capacity, out, reason, run_count)) {
        case Attempt::kDone: return true;
        case Attempt::kRefused: return false;
        case Attempt::kTooSmall: break;
      }
    }
    *reason = "function too large";
    return false;
  } catch (const std::bad_alloc&) {
    *reason = "out of memory";  // no allocation (see TryEmit)
    return false;
  } catch (const std::exception& e) {
    *reason = std::string("internal compiler error: ") + e.what();
    return false;
  }
}

}  // namespace pyjion::x64
