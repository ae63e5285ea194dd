// Small shapes shared by several lowering families: classification of the conditional
// jumps, and the truth-test branch used by POP_JUMP_*_IF_TRUE/FALSE.
#pragma once

#include "frontend/opcodes.h"
#include "x64/lowering.h"

namespace pyjion::x64 {

inline bool IsTruthJump(uint8_t op) {
  return op == frontend::POP_JUMP_FORWARD_IF_TRUE || op == frontend::POP_JUMP_FORWARD_IF_FALSE ||
         op == frontend::POP_JUMP_BACKWARD_IF_TRUE || op == frontend::POP_JUMP_BACKWARD_IF_FALSE;
}
inline bool JumpsIfTrue(uint8_t op) {
  return op == frontend::POP_JUMP_FORWARD_IF_TRUE || op == frontend::POP_JUMP_BACKWARD_IF_TRUE;
}
inline bool IsBackward(uint8_t op) {
  return frontend::GetOpcodeInfo(op).jump == frontend::JumpKind::kBackward;
}

// Pops the object in kKeep0 (already loaded from the top of the stack) and branches to
// jump's target when its truth equals jump_if_true. True and False are tested inline;
// anything else goes through rt_is_true out of line. Polls the eval breaker when `poll`.
void EmitPopTruthJump(Lowering& L, bool jump_if_true, const Instr& jump, bool poll);

}  // namespace pyjion::x64
