// Executable memory for compiled functions, kept W^X: a region is read+write only while
// the emitter writes it and read+execute before anything runs it; no page is ever
// writable and executable at once.
//
// Regions are carved out of 2 MiB chunks (private anonymous mappings, read+execute at
// rest) with a first-fit free list, so a compile costs two mprotect calls on the pages it
// writes instead of a mapping of its own: no mmap/munmap per function, no mapping count
// growing with the number of functions. While a region is written its pages (which may
// hold other functions' code) are not executable; nothing runs from them then: compiling
// runs no Python code and holds the GIL, so no other thread can be in compiled code.
// Private mappings mean a fork()ed child shares nothing writable with its parent. With the
// perf map on, freed regions are never reused (their addresses stay named in the map).
#pragma once

#include <cstddef>

namespace pyjion::rt {

struct CodeRegion {
  void* base = nullptr;
  size_t mapped = 0;      // bytes of the region (a multiple of 64)
  void* chunk = nullptr;  // the chunk it came from (internal)
  bool writable = false;  // between AllocWritable and MakeExecutable
};

bool AllocWritable(size_t size, CodeRegion* out);     // RW, not executable
bool MakeExecutable(CodeRegion* region, size_t used); // RX; returns the unused tail
void FreeRegion(CodeRegion* region);
size_t MappedCodeBytes();                             // bytes of all live regions
size_t ArenaBytes();                                  // bytes of all chunks

}  // namespace pyjion::rt
