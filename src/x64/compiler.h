// Compiles one code object to machine code: frontend analysis, one lowering pass into a
// W^X region, retrying with a larger region when the first estimate is too small.
#pragma once

#include <Python.h>

#include <string>
#include <utility>
#include <vector>

#include "runtime/cache_arena.h"
#include "runtime/code_arena.h"
#include "x64/code_note.h"

namespace pyjion::x64 {

struct CompiledCode {
  rt::CodeRegion region;
  size_t size = 0;                                       // bytes of machine code
  std::vector<CodeNote> notes;                           // for dumps
  rt::CacheArena caches;                                  // the inline caches it reads
  size_t direct_entry_offset = 0;                         // 0: no direct entry
};

// False with *reason when the code is refused; never throws. With run_count (the code's
// PjDirectTarget counter), eligible code also gets a direct entry.
bool Compile(PyCodeObject* co, CompiledCode* out, std::string* reason,
             unsigned long long* run_count = nullptr);

}  // namespace pyjion::x64
