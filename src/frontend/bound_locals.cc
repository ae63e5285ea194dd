// Definitely-bound fast locals: for every reachable instruction, which locals hold a value
// on every path to it, so that LOAD_FAST of them needs no unbound-local check.
// Owns ComputeBoundLocals() and Analysis::bound. Python-free.
//
// A forward "must" data-flow pass over the instructions, intersecting at merges:
//  - on entry, the parameters are bound (co_argcount + co_kwonlyargcount, plus *args and
//    **kwargs): the interpreter binds them all before the first instruction;
//  - STORE_FAST, MAKE_CELL (the slot then holds the cell), LOAD_FAST and LOAD_CLOSURE (after
//    them the local was bound, or the instruction raised) bind; COPY_FREE_VARS n binds the
//    last n slots; DELETE_FAST unbinds (and also binds nothing if it raised); so does a
//    BINARY_OP + / += followed by STORE_FAST x for x (the in-place str append);
//  - an exception handler starts from the intersection of the states of every instruction
//    its range covers (an exception may leave at any of them).
// Each instruction is revisited only when its state shrinks, so the pass ends; code with
// more locals than kMaxTracked gets no facts (every LOAD_FAST keeps its check).
#include <cstdint>
#include <vector>

#include "analysis.h"

namespace pyjion::frontend {
namespace {

constexpr int kMaxTracked = 4096;
constexpr int kNbAdd = 0, kNbInplaceAdd = 13;  // BINARY_OP's NB_ADD, NB_INPLACE_ADD

class BoundPass {
 public:
  BoundPass(const CodeInput& code, Analysis* a)
      : code_(code), a_(*a), words_((code.nlocalsplus + 63) / 64) {}

  void Run() {
    const size_t n = a_.instrs.size();
    a_.bound_words = words_;
    a_.bound.assign(n * static_cast<size_t>(words_), 0);
    if (code_.nlocalsplus > kMaxTracked || code_.nlocalsplus <= 0 || n == 0) {
      a_.bound_words = 0;
      a_.bound.clear();
      return;
    }
    seen_.assign(n, false);
    std::vector<uint64_t> entry(static_cast<size_t>(words_), 0);
    int params = code_.argcount + code_.kwonlyargcount + ((code_.flags & kCoVarargs) ? 1 : 0) +
                 ((code_.flags & kCoVarkeywords) ? 1 : 0);
    if (params > code_.nlocalsplus) params = code_.nlocalsplus;
    for (int i = 0; i < params; ++i) Set(entry.data(), i);
    Merge(0, entry.data());
    while (!work_.empty()) {
      const int pos = work_.back();
      work_.pop_back();
      Visit(pos);
    }
  }

 private:
  uint64_t* State(int pos) { return &a_.bound[static_cast<size_t>(pos) * words_]; }
  static void Set(uint64_t* s, int i) { s[i / 64] |= uint64_t{1} << (i % 64); }
  static void Clear(uint64_t* s, int i) { s[i / 64] &= ~(uint64_t{1} << (i % 64)); }

  // Joins `in` into the state of pos; queues pos when it changed.
  void Merge(int pos, const uint64_t* in) {
    if (pos < 0 || static_cast<size_t>(pos) >= a_.instrs.size() || a_.depth[pos] < 0) return;
    uint64_t* s = State(pos);
    bool changed = false;
    if (!seen_[pos]) {
      seen_[pos] = true;
      for (int w = 0; w < words_; ++w) s[w] = in[w];
      changed = true;
    } else {
      for (int w = 0; w < words_; ++w) {
        const uint64_t v = s[w] & in[w];
        changed |= v != s[w];
        s[w] = v;
      }
    }
    if (changed) work_.push_back(pos);
  }

  void Visit(int pos) {
    const Instr& in = a_.instrs[pos];
    std::vector<uint64_t> out(State(pos), State(pos) + words_);
    const int h = a_.handler[pos];
    if (h >= 0) Merge(a_.handler_instr[h], out.data());  // raising before any effect
    const int i = in.oparg;
    switch (in.opcode) {
      case STORE_FAST: case MAKE_CELL: case LOAD_FAST: case LOAD_CLOSURE:
        if (i < code_.nlocalsplus) Set(out.data(), i);
        break;
      case DELETE_FAST:
        if (i < code_.nlocalsplus) Clear(out.data(), i);
        break;
      case BINARY_OP: {
        // str + / += stored back into its left operand's local is done in place, the local
        // unbound until the STORE_FAST (and for good if the append fails), as in ceval
        const size_t next = static_cast<size_t>(pos) + 1;
        if ((i == kNbAdd || i == kNbInplaceAdd) && next < a_.instrs.size() &&
            a_.instrs[next].opcode == STORE_FAST && a_.instrs[next].oparg < code_.nlocalsplus)
          Clear(out.data(), a_.instrs[next].oparg);
        break;
      }
      case COPY_FREE_VARS:
        for (int k = code_.nlocalsplus - i; k < code_.nlocalsplus; ++k)
          if (k >= 0) Set(out.data(), k);
        break;
      default:
        break;
    }
    if (h >= 0) Merge(a_.handler_instr[h], out.data());  // raising after it (a call, say)
    switch (in.opcode) {
      case RETURN_VALUE: case RERAISE: case RAISE_VARARGS:
        return;
      case JUMP_FORWARD: case JUMP_BACKWARD: case JUMP_BACKWARD_NO_INTERRUPT:
        Merge(in.target, out.data());
        return;
      default:
        break;
    }
    if (in.target >= 0) Merge(in.target, out.data());
    Merge(pos + 1, out.data());
  }

  const CodeInput& code_;
  Analysis& a_;
  const int words_;
  std::vector<bool> seen_;
  std::vector<int> work_;
};

}  // namespace

void ComputeBoundLocals(const CodeInput& code, Analysis* a) { BoundPass(code, a).Run(); }

bool LocalBound(const Analysis& a, int pos, int local) {
  if (a.bound_words == 0 || local < 0 || local / 64 >= a.bound_words) return false;
  const uint64_t w = a.bound[static_cast<size_t>(pos) * a.bound_words + local / 64];
  return (w >> (local % 64)) & 1;
}

}  // namespace pyjion::frontend
