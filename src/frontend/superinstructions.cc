// Superinstructions: which instruction frame->prev_instr names while each one runs.
// Owns Analysis::dispatch_pos. Quickened 3.11 code pairs adjacent instructions
// (_PyCode_Quicken): LOAD_FAST__LOAD_FAST, LOAD_FAST__LOAD_CONST, STORE_FAST__LOAD_FAST,
// STORE_FAST__STORE_FAST and LOAD_CONST__LOAD_FAST. ceval dispatches the pair once and runs
// the second half without moving prev_instr, so an error in it (an unbound local) has the
// first half's traceback line and f_lasti (the exception-table lookup still uses
// next_instr - 1, the second half itself). Code that falls through a dispatched pair skips
// the second half's dispatch; a chain of pairs alternates. A jump to the second half
// dispatches it on its own, so after a jump target inside a chain the answer depends on the
// path (kDispatchVaries; the lowering then decides at run time from prev_instr itself).
// Python-free.
#include <string>

#include "analysis.h"

namespace pyjion::frontend {
namespace {

// The base opcode a superinstruction's second half must have; 0 for other opcodes.
uint8_t SecondHalfOf(uint8_t live_opcode) {
  switch (live_opcode) {
    case LOAD_FAST__LOAD_FAST: case STORE_FAST__LOAD_FAST: case LOAD_CONST__LOAD_FAST:
      return LOAD_FAST;
    case LOAD_FAST__LOAD_CONST:
      return LOAD_CONST;
    case STORE_FAST__STORE_FAST:
      return STORE_FAST;
    default:
      return 0;
  }
}

}  // namespace

bool ComputeDispatch(Analysis* a, std::string* reason) {
  const size_t n = a->instrs.size();
  a->dispatch_pos.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const Instr& in = a->instrs[i];
    const uint8_t second = SecondHalfOf(in.live_opcode);
    // ceval reads the next unit as the second half's opcode and oparg (NEXTOPARG), with no
    // EXTENDED_ARG; quickening only pairs such neighbours, so anything else is hand-made.
    if (second != 0 && !(i + 1 < n && a->instrs[i + 1].start == in.next &&
                         a->instrs[i + 1].index == in.next && a->instrs[i + 1].opcode == second)) {
      if (reason) {
        *reason = std::string("superinstruction ") + OpcodeName(in.live_opcode) + " at unit " +
                  std::to_string(in.index) + " not followed by a plain " + OpcodeName(second);
      }
      return false;
    }
    // How the instruction is entered by falling through from i - 1 ...
    int state = static_cast<int>(i);
    if (i > 0 && a->depth[i - 1] >= 0 && SecondHalfOf(a->instrs[i - 1].live_opcode) != 0) {
      // a first half that ran as such consumes this one; one that ran as a second half
      // did not, and this one is dispatched
      const int prev = a->dispatch_pos[i - 1];
      if (prev == static_cast<int>(i - 1) || prev == kDispatchVaries) state = prev;
    }
    // ... and a jump or a handler entry dispatches it on its own.
    if (a->block_start[i] && state != static_cast<int>(i)) state = kDispatchVaries;
    a->dispatch_pos[i] = state;
  }
  return true;
}

bool IsPairHead(const Instr& in) { return SecondHalfOf(in.live_opcode) != 0; }

}  // namespace pyjion::frontend
