// Exception-table parser for CPython 3.11's zero-cost exception handling.
// Owns: ParseExceptionTable(). co_exceptiontable is a list of entries of four varints
// (start, size, target, depth << 1 | lasti), all in code units. Each varint is big-endian in
// 6-bit chunks: bit 6 (0x40) says another byte follows; bit 7 (0x80) is set only on the
// first byte of an entry (ceval's binary search keys on it). The table is untrusted input:
// anything CPython's compiler would not emit is refused rather than guessed at.
#include <string>
#include <vector>

#include "analysis.h"

namespace pyjion::frontend {
namespace {

constexpr int kChunkBits = 6;
constexpr unsigned kChunkMask = 0x3f, kMoreBit = 0x40, kEntryStartBit = 0x80;
// Values above this cannot describe real code (and keep start + size from overflowing).
constexpr long long kMaxValue = 1LL << 30;

class TableReader {
 public:
  explicit TableReader(const std::string& table) : table_(table) {}

  bool AtEnd() const { return pos_ >= table_.size(); }
  size_t pos() const { return pos_; }

  // Reads one varint; `first` says it opens an entry (so must carry the 0x80 marker).
  bool ReadVarint(bool first, int* value, std::string* reason) {
    long long v = 0;
    for (bool head = true;; head = false) {
      if (AtEnd()) return Fail(reason, "truncated entry");
      const unsigned b = static_cast<unsigned char>(table_[pos_]);
      const bool marked = (b & kEntryStartBit) != 0;
      if (head && first && !marked) return Fail(reason, "missing entry start marker");
      if (!(head && first) && marked) return Fail(reason, "entry start marker inside an entry");
      v = (v << kChunkBits) | (b & kChunkMask);
      if (v > kMaxValue) return Fail(reason, "value overflow");
      ++pos_;
      if (!(b & kMoreBit)) break;
    }
    *value = static_cast<int>(v);
    return true;
  }

 private:
  bool Fail(std::string* reason, const char* what) {
    if (reason)
      *reason = std::string("bad exception table: ") + what + " at byte " + std::to_string(pos_);
    return false;
  }

  const std::string& table_;
  size_t pos_ = 0;
};

bool Refuse(std::string* reason, const std::string& what, size_t entry) {
  if (reason) *reason = "bad exception table: " + what + " in entry " + std::to_string(entry);
  return false;
}

// Checks one decoded entry against the code size and the previous entry.
bool CheckEntry(const ExceptionEntry& e, const ExceptionEntry* prev, int code_units,
                size_t index, std::string* reason) {
  if (e.end > code_units) return Refuse(reason, "range past the end of the code", index);
  if (e.target >= code_units) return Refuse(reason, "target past the end of the code", index);
  if (prev && e.start < prev->end) return Refuse(reason, "overlapping or unsorted ranges", index);
  return true;
}

}  // namespace

bool ParseExceptionTable(const std::string& table, int code_units,
                         std::vector<ExceptionEntry>* out, std::string* reason) {
  out->clear();
  TableReader r(table);
  while (!r.AtEnd()) {  // every iteration consumes at least 4 bytes or returns
    int start = 0, size = 0, target = 0, depth_lasti = 0;
    if (!r.ReadVarint(true, &start, reason) || !r.ReadVarint(false, &size, reason) ||
        !r.ReadVarint(false, &target, reason) || !r.ReadVarint(false, &depth_lasti, reason))
      return false;
    ExceptionEntry e;
    e.start = start;
    e.end = start + size;  // both <= 2^30, no overflow
    e.target = target;
    e.depth = depth_lasti >> 1;
    e.lasti = (depth_lasti & 1) != 0;
    if (!CheckEntry(e, out->empty() ? nullptr : &out->back(), code_units, out->size(), reason))
      return false;
    out->push_back(e);
  }
  return true;
}

}  // namespace pyjion::frontend
