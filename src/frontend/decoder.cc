// Decoder: turns the live (possibly quickened) 3.11 code units into Analysis::instrs.
// Owns: Decode(). Every raw opcode is mapped to its base opcode through GetOpcodeInfo,
// EXTENDED_ARG prefixes (at most 3, EXTENDED_ARG_QUICK included) are folded into the oparg,
// inline CACHE units are skipped, relative jumps are resolved to instruction positions,
// type hints are read from specialised opcodes, and KW_NAMES is attached to its CALL.
// Input is untrusted: every read is bounds-checked and every loop advances by >= 1 unit.
#include <cstdint>
#include <string>

#include "analysis.h"

namespace pyjion::frontend {
namespace {

constexpr int kMaxExtendedArgs = 3;
// Code larger than this is refused outright (CPython's own limit is far below it).
constexpr size_t kMaxCodeUnits = size_t{1} << 28;

std::string Hex2(int v) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  s += kDigits[(v >> 4) & 0xf];
  s += kDigits[v & 0xf];
  return s;
}

bool Fail(std::string* reason, const std::string& text) {
  if (reason) *reason = text;
  return false;
}

// Type feedback carried by the specialised form of an instruction (its live opcode).
Hint HintFor(uint8_t live) {
  switch (live) {
    case BINARY_OP_ADD_INT: case BINARY_OP_SUBTRACT_INT: case BINARY_OP_MULTIPLY_INT:
    case COMPARE_OP_INT_JUMP:
      return Hint::kInt;
    case BINARY_OP_ADD_FLOAT: case BINARY_OP_SUBTRACT_FLOAT: case BINARY_OP_MULTIPLY_FLOAT:
    case COMPARE_OP_FLOAT_JUMP:
      return Hint::kFloat;
    case BINARY_OP_ADD_UNICODE: case BINARY_OP_INPLACE_ADD_UNICODE: case COMPARE_OP_STR_JUMP:
      return Hint::kStr;
    case BINARY_SUBSCR_LIST_INT: case STORE_SUBSCR_LIST_INT: case UNPACK_SEQUENCE_LIST:
      return Hint::kList;
    case BINARY_SUBSCR_TUPLE_INT: case UNPACK_SEQUENCE_TUPLE: case UNPACK_SEQUENCE_TWO_TUPLE:
      return Hint::kTuple;
    case BINARY_SUBSCR_DICT: case STORE_SUBSCR_DICT:
      return Hint::kDict;
    default:
      return Hint::kNone;
  }
}

// Reads one instruction (prefixes, opcode, caches) starting at unit `pos`.
bool DecodeOne(const std::vector<uint16_t>& units, int pos, Instr* in, std::string* reason) {
  const int n = static_cast<int>(units.size());
  uint32_t oparg = 0;
  in->start = pos;
  for (int prefixes = 0;; ++prefixes) {
    const uint8_t raw = units[pos] & 0xff;
    const OpcodeInfo& info = GetOpcodeInfo(raw);
    if (!info.name)
      return Fail(reason, "unknown opcode " + Hex2(raw) + " at unit " + std::to_string(pos));
    if (info.base == CACHE)
      return Fail(reason, "CACHE where an opcode is expected at unit " + std::to_string(pos));
    oparg = (oparg << 8) | (units[pos] >> 8);
    if (info.base != EXTENDED_ARG) {
      in->index = pos;
      in->opcode = info.base;
      in->live_opcode = raw;
      break;
    }
    if (prefixes + 1 > kMaxExtendedArgs)
      return Fail(reason, "too many EXTENDED_ARG prefixes at unit " + std::to_string(pos));
    if (++pos >= n)
      return Fail(reason, "truncated EXTENDED_ARG at unit " + std::to_string(pos - 1));
  }
  if (oparg > 0x7fffffffu)
    return Fail(reason, "oparg too large at unit " + std::to_string(in->index));
  in->oparg = static_cast<int>(oparg);
  in->next = in->index + 1 + GetOpcodeInfo(in->opcode).caches;
  if (in->next > n)
    return Fail(reason, "truncated inline caches at unit " + std::to_string(in->index));
  in->hint = HintFor(in->live_opcode);
  return true;
}

// Resolves the relative jump of `in` (if any) to an instruction position.
bool ResolveJump(const Analysis& a, int units, Instr* in, std::string* reason) {
  const JumpKind kind = GetOpcodeInfo(in->opcode).jump;
  if (kind == JumpKind::kNone) return true;
  const int64_t base = int64_t{in->index} + 1;
  const int64_t target = kind == JumpKind::kForward ? base + in->oparg : base - in->oparg;
  if (target < 0 || target >= units)
    return Fail(reason, "jump out of range at unit " + std::to_string(in->index));
  const int pos = a.instr_at_unit[static_cast<size_t>(target)];
  if (pos < 0)
    return Fail(reason, "jump into the middle of an instruction at unit " +
                            std::to_string(in->index) + " (target unit " +
                            std::to_string(target) + ")");
  in->target = pos;
  return true;
}

// CALL takes its keyword names from a KW_NAMES placed just before it (the compiler emits
// KW_NAMES; PRECALL; CALL). Only that exact shape counts. It also learns whether the
// interpreter specialised its PRECALL as a METH_FASTCALL method descriptor call, whose
// release order differs from the generic CALL's (see rt_call).
void AttachKwNames(std::vector<Instr>* instrs) {
  for (size_t i = 0; i < instrs->size(); ++i) {
    Instr& call = (*instrs)[i];
    if (call.opcode != CALL) continue;
    size_t k = i;
    if (k > 0 && (*instrs)[k - 1].opcode == PRECALL) {
      --k;
      const uint8_t live = (*instrs)[k].live_opcode;
      call.descr_fast = live == PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST            ? 1
                        : live == PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS ? 2
                                                                               : 0;
    }
    if (k > 0 && (*instrs)[k - 1].opcode == KW_NAMES) call.kwnames = (*instrs)[k - 1].oparg;
  }
}

}  // namespace

bool Decode(const CodeInput& code, Analysis* out, std::string* reason) {
  out->instrs.clear();
  out->instr_at_unit.clear();
  if (code.units.size() >= kMaxCodeUnits) return Fail(reason, "code too large");
  const int n = static_cast<int>(code.units.size());
  out->instr_at_unit.assign(static_cast<size_t>(n), -1);
  for (int pos = 0; pos < n;) {
    Instr in;
    if (!DecodeOne(code.units, pos, &in, reason)) return false;
    out->instr_at_unit[static_cast<size_t>(in.start)] = static_cast<int>(out->instrs.size());
    out->instrs.push_back(in);
    pos = in.next;  // always > pos: next = index + 1 + caches and index >= pos
  }
  for (Instr& in : out->instrs)
    if (!ResolveJump(*out, n, &in, reason)) return false;
  AttachKwNames(&out->instrs);
  return true;
}

}  // namespace pyjion::frontend
