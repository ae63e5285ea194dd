// Analyze(): the frontend's entry point, plus the operand verifier.
// Owns: running Decode -> ParseExceptionTable -> operand checks -> ComputeDepths, and the
// checks that keep the lowering from indexing out of bounds: local/cell slots against
// co_nlocalsplus, constants against co_consts, names against co_names, KW_NAMES shape,
// and oparg domains that ceval indexes tables with (BINARY_OP, COMPARE_OP, ...).
// Generator and coroutine flags are not refused here; the JIT decides that elsewhere.
#include <string>

#include "analysis.h"

namespace pyjion::frontend {
namespace {

// Largest meaningful opargs for opcodes whose oparg selects an operation.
constexpr int kMaxBinaryOp = 25;  // NB_INPLACE_XOR
constexpr int kMaxCompareOp = 5;  // Py_GE
constexpr int kMaxResume = 3;     // after await
// Most frame slots (co_nlocalsplus + co_stacksize) accepted: the emitter addresses slot i
// at frame + localsplus + 8 * i with an int32 displacement, so a bigger frame would
// overflow it. No real function comes near this (a 128 MB frame).
constexpr long long kMaxFrameSlots = 1LL << 24;

std::string Where(const Instr& in) {
  return std::string(OpcodeName(in.opcode)) + " oparg " + std::to_string(in.oparg) +
         " at unit " + std::to_string(in.index);
}

bool Fail(std::string* reason, const std::string& text) {
  if (reason) *reason = text;
  return false;
}

// What table an instruction's oparg indexes, and that table's size in `code`.
enum class Operand { kNone, kLocal, kConst, kName, kGlobalName };

Operand OperandOf(uint8_t op) {
  switch (op) {
    case LOAD_FAST: case STORE_FAST: case DELETE_FAST: case LOAD_CLOSURE: case LOAD_DEREF:
    case STORE_DEREF: case DELETE_DEREF: case MAKE_CELL: case LOAD_CLASSDEREF:
      return Operand::kLocal;
    case LOAD_CONST: case KW_NAMES:
      return Operand::kConst;
    case LOAD_NAME: case STORE_NAME: case DELETE_NAME: case LOAD_ATTR: case STORE_ATTR:
    case DELETE_ATTR: case STORE_GLOBAL: case DELETE_GLOBAL: case IMPORT_NAME:
    case IMPORT_FROM: case LOAD_METHOD:
      return Operand::kName;
    case LOAD_GLOBAL:
      return Operand::kGlobalName;
    default:
      return Operand::kNone;
  }
}

bool CheckOperandIndex(const CodeInput& code, const Instr& in, std::string* reason) {
  switch (OperandOf(in.opcode)) {
    case Operand::kLocal:
      if (in.oparg >= code.nlocalsplus)
        return Fail(reason, "local index out of range: " + Where(in));
      return true;
    case Operand::kConst:
      if (in.oparg >= code.nconsts) return Fail(reason, "const index out of range: " + Where(in));
      return true;
    case Operand::kName:
      if (in.oparg >= code.nnames) return Fail(reason, "name index out of range: " + Where(in));
      return true;
    case Operand::kGlobalName:
      if ((in.oparg >> 1) >= code.nnames)
        return Fail(reason, "name index out of range: " + Where(in));
      return true;
    case Operand::kNone:
      return true;
  }
  return true;
}

// Opargs ceval uses as a selector or count; anything the compiler never emits is refused.
bool CheckOpargDomain(const CodeInput& code, const Instr& in, std::string* reason) {
  bool ok = true;
  switch (in.opcode) {
    case BINARY_OP: ok = in.oparg <= kMaxBinaryOp; break;
    case COMPARE_OP: ok = in.oparg <= kMaxCompareOp; break;
    case IS_OP: case CONTAINS_OP: ok = in.oparg <= 1; break;
    case RAISE_VARARGS: ok = in.oparg <= 2; break;
    case BUILD_SLICE: ok = in.oparg == 2 || in.oparg == 3; break;
    case MAKE_FUNCTION: ok = in.oparg <= 0xf; break;
    case FORMAT_VALUE: ok = in.oparg <= 7; break;
    case RESUME: ok = in.oparg <= kMaxResume; break;
    case COPY: case SWAP: ok = in.oparg >= 1; break;
    case COPY_FREE_VARS: ok = in.oparg <= code.nfreevars && in.oparg <= code.nlocalsplus; break;
    default: break;
  }
  return ok ? true : Fail(reason, "bad oparg: " + Where(in));
}

// KW_NAMES must name a tuple of strings and feed the CALL right after it (maybe via PRECALL);
// the decoder attached it to that CALL, so find it there.
bool CheckKwNames(const CodeInput& code, const Analysis& a, size_t i, std::string* reason) {
  const Instr& in = a.instrs[i];
  if (in.opcode != KW_NAMES) return true;
  if (!code.const_is_tuple_of_str.empty() &&
      (static_cast<size_t>(in.oparg) >= code.const_is_tuple_of_str.size() ||
       !code.const_is_tuple_of_str[static_cast<size_t>(in.oparg)]))
    return Fail(reason, "KW_NAMES constant is not a tuple of str: " + Where(in));
  size_t k = i + 1;
  if (k < a.instrs.size() && a.instrs[k].opcode == PRECALL) ++k;
  if (k >= a.instrs.size() || a.instrs[k].opcode != CALL)
    return Fail(reason, "KW_NAMES not followed by CALL: " + Where(in));
  return true;
}

bool CheckCounts(const CodeInput& code, std::string* reason) {
  if (code.nlocalsplus < 0 || code.nlocals < 0 || code.ncellvars < 0 || code.nfreevars < 0 ||
      code.stacksize < 0 || code.nconsts < 0 || code.nnames < 0 || code.argcount < 0)
    return Fail(reason, "negative count in code object");
  if (static_cast<long long>(code.nlocalsplus) + code.stacksize > kMaxFrameSlots)
    return Fail(reason, "frame too large: " + std::to_string(code.nlocalsplus) +
                            " locals and a stack size of " + std::to_string(code.stacksize));
  if (code.units.empty()) return Fail(reason, "empty code");
  return true;
}

bool VerifyOperands(const CodeInput& code, const Analysis& a, std::string* reason) {
  for (size_t i = 0; i < a.instrs.size(); ++i) {
    const Instr& in = a.instrs[i];
    if (!CheckOperandIndex(code, in, reason) || !CheckOpargDomain(code, in, reason) ||
        !CheckKwNames(code, a, i, reason))
      return false;
  }
  return true;
}

// KW_NAMES state lives in a C local in ceval between KW_NAMES and CALL; nothing may jump
// into the middle of that sequence.
bool VerifyKwNamesBlocks(const Analysis& a, std::string* reason) {
  for (size_t i = 0; i + 1 < a.instrs.size(); ++i) {
    if (a.instrs[i].opcode != KW_NAMES) continue;
    for (size_t k = i + 1; k < a.instrs.size() && k <= i + 2; ++k) {
      if (a.block_start[k])
        return Fail(reason, "jump between KW_NAMES and CALL: " + Where(a.instrs[k]));
      if (a.instrs[k].opcode == CALL) break;
    }
  }
  return true;
}

}  // namespace

AnalysisResult Analyze(const CodeInput& code) {
  AnalysisResult r;
  Analysis& a = r.analysis;
  const int units = static_cast<int>(code.units.size());
  r.ok = CheckCounts(code, &r.reason) && Decode(code, &a, &r.reason) &&
         ParseExceptionTable(code.exception_table, units, &a.exception_entries, &r.reason) &&
         VerifyOperands(code, a, &r.reason) && ComputeDepths(code, &a, &r.reason) &&
         VerifyKwNamesBlocks(a, &r.reason) && ComputeDispatch(&a, &r.reason);
  if (r.ok) {
    r.reason.clear();
    ComputeBoundLocals(code, &a);
  }
  return r;
}

}  // namespace pyjion::frontend
