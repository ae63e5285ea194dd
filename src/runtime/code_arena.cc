// The code arena: chunks, the free list and the page protection flips (see code_arena.h).
#include "runtime/code_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <vector>

#include "runtime/perf_map.h"

namespace pyjion::rt {
namespace {

constexpr size_t kChunkBytes = size_t{2} << 20;
constexpr size_t kAlign = 64;  // regions start on cache lines

struct Chunk {
  char* base = nullptr;
  size_t size = 0;
  std::map<size_t, size_t> free;  // offset -> length, coalesced
  size_t live = 0;                // bytes handed out and not freed
};

// Never destroyed: code may run, and chunks be looked up, while static destructors run at
// exit (and a destroyed vector would hide the chunks from LeakSanitizer's exit check).
std::vector<Chunk*>& g_chunks = *new std::vector<Chunk*>();
size_t g_used = 0;
size_t g_arena = 0;

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}
size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Sets the protection of the whole pages that [p, p + n) touches.
bool Protect(void* p, size_t n, int prot) {
  const uintptr_t start = reinterpret_cast<uintptr_t>(p) & ~(PageSize() - 1);
  const uintptr_t end = RoundUp(reinterpret_cast<uintptr_t>(p) + n, PageSize());
  return mprotect(reinterpret_cast<void*>(start), end - start, prot) == 0;
}

Chunk* NewChunk(size_t at_least) {
  const size_t size = std::max(kChunkBytes, RoundUp(at_least, PageSize()));
  void* p = mmap(nullptr, size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  auto* c = new Chunk();
  c->base = static_cast<char*>(p);
  c->size = size;
  c->free.emplace(0, size);
  g_chunks.push_back(c);
  g_arena += size;
  return c;
}

// First fit in c; the offset, or SIZE_MAX.
size_t TakeFrom(Chunk* c, size_t n) {
  for (auto it = c->free.begin(); it != c->free.end(); ++it) {
    if (it->second < n) continue;
    const size_t off = it->first, len = it->second;
    c->free.erase(it);
    if (len > n) c->free.emplace(off + n, len - n);
    c->live += n;
    return off;
  }
  return SIZE_MAX;
}

void GiveBack(Chunk* c, size_t off, size_t n) {
  c->live -= n;
  auto next = c->free.lower_bound(off);
  if (next != c->free.end() && off + n == next->first) {  // merge with the block after
    n += next->second;
    next = c->free.erase(next);
  }
  if (next != c->free.begin()) {  // and with the one before
    auto prev = std::prev(next);
    if (prev->first + prev->second == off) {
      prev->second += n;
      return;
    }
  }
  c->free.emplace(off, n);
}

// Unmaps a chunk that holds nothing, keeping one for the next compile.
void MaybeRelease(Chunk* c) {
  if (c->live != 0 || g_chunks.size() <= 1) return;
  munmap(c->base, c->size);
  g_arena -= c->size;
  g_chunks.erase(std::find(g_chunks.begin(), g_chunks.end(), c));
  delete c;
}

}  // namespace

bool AllocWritable(size_t size, CodeRegion* out) {
  const size_t n = RoundUp(size == 0 ? 1 : size, kAlign);
  Chunk* chunk = nullptr;
  size_t off = SIZE_MAX;
  for (Chunk* c : g_chunks) {
    off = TakeFrom(c, n);
    if (off != SIZE_MAX) {
      chunk = c;
      break;
    }
  }
  if (chunk == nullptr) {
    chunk = NewChunk(n);
    if (chunk == nullptr) return false;
    off = TakeFrom(chunk, n);
  }
  void* p = chunk->base + off;
  if (!Protect(p, n, PROT_READ | PROT_WRITE)) {
    GiveBack(chunk, off, n);
    return false;
  }
  out->base = p;
  out->mapped = n;
  out->chunk = chunk;
  out->writable = true;
  g_used += n;
  return true;
}

bool MakeExecutable(CodeRegion* region, size_t used) {
  auto* c = static_cast<Chunk*>(region->chunk);
  const size_t keep = RoundUp(used == 0 ? 1 : used, kAlign);
  const size_t written = region->mapped;
  const bool ok = Protect(region->base, written, PROT_READ | PROT_EXEC);
  region->writable = false;
  if (keep < written) {
    GiveBack(c, static_cast<char*>(region->base) - c->base + keep, written - keep);
    g_used -= written - keep;
    region->mapped = keep;
  }
  return ok;
}

void FreeRegion(CodeRegion* region) {
  if (region->base == nullptr) return;
  auto* c = static_cast<Chunk*>(region->chunk);
  if (region->writable) Protect(region->base, region->mapped, PROT_READ | PROT_EXEC);
  g_used -= region->mapped;
  if (PerfMapEnabled()) {
    c->live -= region->mapped;  // the perf map names these addresses forever: no reuse
  } else {
    GiveBack(c, static_cast<char*>(region->base) - c->base, region->mapped);
    MaybeRelease(c);
  }
  region->base = nullptr;
  region->mapped = 0;
  region->chunk = nullptr;
  region->writable = false;
}

size_t MappedCodeBytes() { return g_used; }
size_t ArenaBytes() { return g_arena; }

}  // namespace pyjion::rt
