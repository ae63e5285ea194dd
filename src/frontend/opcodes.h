// Opcode metadata for CPython 3.11, built from the generated opcodes.def X-macro.
// Owns: the Opcode enum (base opcodes), names, inline-cache counts, jump kinds and the
// deopt map from specialised/quickened forms back to their base opcode. Python-free.
#pragma once

#include <cstdint>

namespace pyjion::frontend {

enum Opcode : uint8_t {
#define PJ_OPCODE(name, num, caches, jump) name = num,
#include "opcodes.def"
};

// The specialised / quickened opcode numbers, as found in live code.
enum SpecializedOpcode : uint8_t {
#define PJ_SPECIALIZED(name, num, base) name = num,
#include "opcodes.def"
};

enum class JumpKind : int8_t { kNone = 0, kForward = 1, kBackward = -1 };

struct OpcodeInfo {
  const char* name;    // nullptr: not a valid 3.11 opcode number
  uint8_t base;        // the base opcode this number deoptimises to (itself for base opcodes)
  uint8_t caches;      // inline CACHE units after the base opcode
  JumpKind jump;       // relative jump direction (base opcodes only)
  bool is_base;
};

// Table indexed by the raw opcode byte found in live (possibly quickened) code.
const OpcodeInfo& GetOpcodeInfo(uint8_t raw);
inline const char* OpcodeName(uint8_t raw) {
  const char* n = GetOpcodeInfo(raw).name;
  return n ? n : "<invalid>";
}

}  // namespace pyjion::frontend
