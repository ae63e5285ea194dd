// W^X code regions backed by anonymous mmap. See code_arena.h.
#include "runtime/code_arena.h"

#include "runtime/perf_map.h"

#include <sys/mman.h>
#include <unistd.h>

namespace pyjion::rt {
namespace {

size_t g_mapped = 0;

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}
size_t RoundUp(size_t n) { return (n + PageSize() - 1) / PageSize() * PageSize(); }

}  // namespace

bool AllocWritable(size_t size, CodeRegion* out) {
  size_t bytes = RoundUp(size == 0 ? 1 : size);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  out->base = p;
  out->mapped = bytes;
  g_mapped += bytes;
  return true;
}

bool MakeExecutable(CodeRegion* region, size_t used) {
  size_t keep = RoundUp(used == 0 ? 1 : used);
  if (keep < region->mapped) {
    munmap(static_cast<char*>(region->base) + keep, region->mapped - keep);
    g_mapped -= region->mapped - keep;
    region->mapped = keep;
  }
  return mprotect(region->base, region->mapped, PROT_READ | PROT_EXEC) == 0;
}

void FreeRegion(CodeRegion* region) {
  if (region->base == nullptr) return;
  if (PerfMapEnabled()) {
    // The perf map cannot forget an entry, so the addresses must never name other code:
    // give the memory back but keep the range reserved (inaccessible) for the process.
    mprotect(region->base, region->mapped, PROT_NONE);
    madvise(region->base, region->mapped, MADV_DONTNEED);
  } else {
    munmap(region->base, region->mapped);
  }
  g_mapped -= region->mapped;
  region->base = nullptr;
  region->mapped = 0;
}

size_t MappedCodeBytes() { return g_mapped; }

}  // namespace pyjion::rt
