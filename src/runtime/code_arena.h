// Executable memory for compiled functions, kept W^X: a region is mapped read+write while
// the emitter writes it, then flipped to read+execute before anything runs it; no mapping
// is ever writable and executable at once. One mapping per compiled code object, released
// when the code object dies.
#pragma once

#include <cstddef>

namespace pyjion::rt {

struct CodeRegion {
  void* base = nullptr;
  size_t mapped = 0;   // bytes mapped (whole pages)
};

bool AllocWritable(size_t size, CodeRegion* out);   // RW, not executable
bool MakeExecutable(CodeRegion* region, size_t used); // RX; trims unused whole pages
void FreeRegion(CodeRegion* region);
size_t MappedCodeBytes();                             // all live regions

}  // namespace pyjion::rt
