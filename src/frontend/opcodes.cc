// The opcode table behind opcodes.h: one entry per byte value, filled from opcodes.def.
#include "opcodes.h"

#include <array>

namespace pyjion::frontend {
namespace {

std::array<OpcodeInfo, 256> BuildTable() {
  std::array<OpcodeInfo, 256> t{};
#define PJ_OPCODE(name, num, caches, jump) \
  t[num] = OpcodeInfo{#name, num, caches, static_cast<JumpKind>(jump), true};
#include "opcodes.def"
#define PJ_SPECIALIZED(name, num, base) \
  t[num] = OpcodeInfo{#name, base, t[base].caches, JumpKind::kNone, false};
#include "opcodes.def"
  return t;
}

}  // namespace

const OpcodeInfo& GetOpcodeInfo(uint8_t raw) {
  static const std::array<OpcodeInfo, 256> table = BuildTable();
  return table[raw];
}

}  // namespace pyjion::frontend
