// Stack depths: the runtime stack effect of every 3.11 opcode (as Python/ceval.c moves its
// stack pointer, which differs from dis.stack_effect for PRECALL/CALL, FOR_ITER, SEND and
// RETURN_GENERATOR), and the data-flow pass that gives each instruction its depth.
// Owns: StackEffect(), ComputeDepths() and, as by-products, Analysis::handler,
// handler_instr, block_start and max_depth.
//
// ComputeDepths is a worklist pass. Seeds: instruction 0 at depth 0, and the handler of
// every exception entry that covers a reachable instruction, at entry.depth + lasti + 1
// (the unwinder pops to entry.depth, optionally pushes lasti, then pushes the exception).
// Each instruction is queued at most once (when its depth first becomes known), so the
// pass is linear in the code size whatever the input.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis.h"

namespace pyjion::frontend {
namespace {

// Effects larger than this cannot be real (and keep int arithmetic safe).
constexpr int64_t kMaxEffect = int64_t{1} << 30;

bool Fail(std::string* reason, const std::string& text) {
  if (reason) *reason = text;
  return false;
}

std::string At(const Instr& in) { return " at unit " + std::to_string(in.index); }

int PopCount4(int v) {
  return (v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1) + ((v >> 3) & 1);
}

// Control flow out of an instruction.
struct Flow {
  bool falls_through;
  bool jumps;
};

Flow FlowOf(uint8_t op) {
  switch (op) {
    case RETURN_VALUE: case RERAISE: case RAISE_VARARGS:
      return {false, false};
    case JUMP_FORWARD: case JUMP_BACKWARD: case JUMP_BACKWARD_NO_INTERRUPT:
      return {false, true};
    default:
      return {true, GetOpcodeInfo(op).jump != JumpKind::kNone};
  }
}

// Effect of instructions whose stack change depends on the oparg; false if `op` is not one.
bool OpargEffect(uint8_t op, int64_t n, int64_t* e) {
  switch (op) {
    case LOAD_GLOBAL: *e = 1 + (n & 1); return true;
    case BUILD_TUPLE: case BUILD_LIST: case BUILD_SET: case BUILD_STRING: *e = 1 - n; return true;
    case BUILD_MAP: *e = 1 - 2 * n; return true;
    case BUILD_CONST_KEY_MAP: *e = -n; return true;
    case BUILD_SLICE: *e = n == 3 ? -2 : -1; return true;
    case UNPACK_SEQUENCE: *e = n - 1; return true;
    case UNPACK_EX: *e = (n & 0xff) + (n >> 8); return true;
    case MAKE_FUNCTION: *e = -PopCount4(static_cast<int>(n & 0xf)); return true;
    case CALL: *e = -(n + 1); return true;  // pops callable/NULL-or-self + n args, pushes 1
    case CALL_FUNCTION_EX: *e = -(2 + (n & 1)); return true;
    case FORMAT_VALUE: *e = (n & 4) ? -1 : 0; return true;
    case RAISE_VARARGS: *e = -n; return true;
    default: return false;
  }
}

// Effect of conditional branches, which differs between the two edges.
bool BranchEffect(uint8_t op, bool jump, int64_t* e) {
  switch (op) {
    case POP_JUMP_FORWARD_IF_FALSE: case POP_JUMP_FORWARD_IF_TRUE:
    case POP_JUMP_FORWARD_IF_NONE: case POP_JUMP_FORWARD_IF_NOT_NONE:
    case POP_JUMP_BACKWARD_IF_FALSE: case POP_JUMP_BACKWARD_IF_TRUE:
    case POP_JUMP_BACKWARD_IF_NONE: case POP_JUMP_BACKWARD_IF_NOT_NONE:
      *e = -1; return true;
    case JUMP_IF_FALSE_OR_POP: case JUMP_IF_TRUE_OR_POP: *e = jump ? 0 : -1; return true;
    case FOR_ITER: *e = jump ? -1 : 1; return true;  // exhausted: iterator popped
    case SEND: *e = jump ? -1 : 0; return true;      // returned: value replaces receiver
    default: return false;
  }
}

// Effect of everything else: a constant per opcode. False for unknown numbers and CACHE.
bool FixedEffect(uint8_t op, int64_t* e) {
  switch (op) {
    case NOP: case RESUME: case EXTENDED_ARG: case UNARY_POSITIVE: case UNARY_NEGATIVE:
    case UNARY_NOT: case UNARY_INVERT: case GET_ITER: case GET_YIELD_FROM_ITER:
    case GET_AWAITABLE: case GET_AITER: case LOAD_ATTR: case DELETE_FAST: case DELETE_NAME:
    case DELETE_GLOBAL: case DELETE_DEREF: case MAKE_CELL: case COPY_FREE_VARS:
    case LIST_TO_TUPLE: case SETUP_ANNOTATIONS: case PRECALL: case KW_NAMES: case SWAP:
    case CHECK_EXC_MATCH: case CHECK_EG_MATCH: case YIELD_VALUE: case ASYNC_GEN_WRAP:
    case JUMP_FORWARD: case JUMP_BACKWARD: case JUMP_BACKWARD_NO_INTERRUPT:
      *e = 0; return true;
    // RETURN_GENERATOR: the frame is resumed at the next instruction with the sent value
    // pushed (gen_send_ex2), so the code after it sees one more item.
    case PUSH_NULL: case LOAD_CONST: case LOAD_FAST: case LOAD_NAME: case LOAD_DEREF:
    case LOAD_CLASSDEREF: case LOAD_CLOSURE: case LOAD_BUILD_CLASS: case LOAD_ASSERTION_ERROR:
    case COPY: case GET_LEN: case MATCH_MAPPING: case MATCH_SEQUENCE: case MATCH_KEYS:
    case PUSH_EXC_INFO: case WITH_EXCEPT_START: case GET_ANEXT: case BEFORE_WITH:
    case BEFORE_ASYNC_WITH: case IMPORT_FROM: case LOAD_METHOD: case RETURN_GENERATOR:
      *e = 1; return true;
    case POP_TOP: case BINARY_OP: case BINARY_SUBSCR: case COMPARE_OP: case IS_OP:
    case CONTAINS_OP: case STORE_FAST: case STORE_NAME: case STORE_GLOBAL: case STORE_DEREF:
    case DELETE_ATTR: case PRINT_EXPR: case IMPORT_NAME: case IMPORT_STAR: case POP_EXCEPT:
    case PREP_RERAISE_STAR: case LIST_APPEND: case SET_ADD: case LIST_EXTEND:
    case SET_UPDATE: case DICT_UPDATE: case DICT_MERGE: case RETURN_VALUE: case RERAISE:
      *e = -1; return true;
    case STORE_ATTR: case DELETE_SUBSCR: case MAP_ADD: case END_ASYNC_FOR: case MATCH_CLASS:
      *e = -2; return true;
    case STORE_SUBSCR:
      *e = -3; return true;
    default:
      return false;
  }
}

// Items an instruction reads from the stack (it needs at least this depth before it).
// Returns -1 if unknown.
int64_t StackInputs(const Instr& in) {
  const int64_t n = in.oparg;
  switch (in.opcode) {
    case SWAP: case COPY: case RAISE_VARARGS: case BUILD_TUPLE: case BUILD_LIST:
    case BUILD_SET: case BUILD_STRING: case BUILD_SLICE:
      return n;
    case BUILD_MAP: return 2 * n;
    case BUILD_CONST_KEY_MAP: case LIST_APPEND: case SET_ADD: case LIST_EXTEND:
    case SET_UPDATE: case DICT_UPDATE: case RERAISE:
      return n + 1;
    case MAP_ADD: case PRECALL: case CALL: return n + 2;
    case DICT_MERGE: return n + 3;  // its error path names the callable, PEEK(oparg + 2)
    case MAKE_FUNCTION: return 1 + PopCount4(static_cast<int>(n & 0xf));
    case CALL_FUNCTION_EX: return 3 + (n & 1);
    case FORMAT_VALUE: return (n & 4) ? 2 : 1;
    case WITH_EXCEPT_START: return 4;  // exit, lasti, previous exception, exception
    case STORE_SUBSCR: case MATCH_CLASS: return 3;
    case BINARY_OP: case BINARY_SUBSCR: case COMPARE_OP: case IS_OP: case CONTAINS_OP:
    case IMPORT_NAME: case PREP_RERAISE_STAR: case STORE_ATTR: case DELETE_SUBSCR:
    case END_ASYNC_FOR: case CHECK_EXC_MATCH: case CHECK_EG_MATCH: case MATCH_KEYS: case SEND:
      return 2;
    default: break;
  }
  int64_t e = 0;
  if (!FixedEffect(in.opcode, &e) && !BranchEffect(in.opcode, false, &e) &&
      !OpargEffect(in.opcode, n, &e))
    return -1;
  // The rest push at most one item and read one item unless they are pure pushes.
  switch (in.opcode) {
    case NOP: case RESUME: case EXTENDED_ARG: case PUSH_NULL: case LOAD_CONST: case LOAD_FAST:
    case LOAD_NAME: case LOAD_DEREF: case LOAD_CLASSDEREF: case LOAD_CLOSURE: case LOAD_GLOBAL:
    case LOAD_BUILD_CLASS: case LOAD_ASSERTION_ERROR: case DELETE_FAST: case DELETE_NAME:
    case DELETE_GLOBAL: case DELETE_DEREF: case MAKE_CELL: case COPY_FREE_VARS:
    case SETUP_ANNOTATIONS: case KW_NAMES: case JUMP_FORWARD: case JUMP_BACKWARD:
    case JUMP_BACKWARD_NO_INTERRUPT: case RETURN_GENERATOR:
      return 0;
    default:
      return 1;
  }
}

// The mutable state of one ComputeDepths run.
class DepthPass {
 public:
  DepthPass(const CodeInput& code, Analysis* a, std::string* reason)
      : code_(code), a_(*a), reason_(reason) {}

  bool Run() {
    const size_t n = a_.instrs.size();
    a_.depth.assign(n, -1);
    a_.handler.assign(n, -1);
    a_.handler_instr.assign(a_.exception_entries.size(), -1);
    a_.block_start.assign(n, false);
    a_.entered.assign(n, false);
    a_.max_depth = 0;
    if (n == 0) return Fail(reason_, "empty code");
    if (code_.stacksize < 0) return Fail(reason_, "negative stack size");
    if (!ResolveHandlers() || !AssignHandlers() || !MarkBlockStarts()) return false;
    if (!Reach(0, 0, a_.instrs[0])) return false;
    while (!work_.empty()) {
      const int pos = work_.back();
      work_.pop_back();
      if (!Visit(pos)) return false;
    }
    for (int d : a_.depth) a_.max_depth = std::max(a_.max_depth, d);
    return true;
  }

 private:
  // handler_instr[e]: the instruction starting at entry e's target unit.
  bool ResolveHandlers() {
    const auto& entries = a_.exception_entries;
    for (size_t e = 0; e < entries.size(); ++e) {
      const int t = entries[e].target;
      const int pos = t >= 0 && static_cast<size_t>(t) < a_.instr_at_unit.size()
                          ? a_.instr_at_unit[static_cast<size_t>(t)] : -1;
      if (pos < 0 || static_cast<size_t>(pos) >= a_.instrs.size())
        return Fail(reason_, "bad exception table: handler target unit " + std::to_string(t) +
                                 " is not an instruction start");
      if (e > 0 && entries[e].start < entries[e - 1].end)
        return Fail(reason_, "bad exception table: overlapping or unsorted ranges");
      a_.handler_instr[e] = pos;
    }
    return true;
  }

  // handler[i]: the entry whose [start, end) holds the opcode unit of instruction i, as
  // ceval looks it up. Entries are sorted and disjoint, so one forward scan suffices.
  bool AssignHandlers() {
    const auto& entries = a_.exception_entries;
    size_t e = 0;
    for (size_t i = 0; i < a_.instrs.size(); ++i) {
      const int unit = a_.instrs[i].index;
      while (e < entries.size() && entries[e].end <= unit) ++e;
      if (e < entries.size() && entries[e].start <= unit) a_.handler[i] = static_cast<int>(e);
    }
    return true;
  }

  bool MarkBlockStarts() {
    const int n = static_cast<int>(a_.instrs.size());
    a_.block_start[0] = a_.entered[0] = true;
    for (int i = 0; i < n; ++i) {
      const Instr& in = a_.instrs[i];
      const Flow flow = FlowOf(in.opcode);
      if (flow.jumps) {
        if (in.target < 0 || in.target >= n) return Fail(reason_, "jump out of range" + At(in));
        a_.block_start[in.target] = a_.entered[in.target] = true;
      }
      if ((flow.jumps || !flow.falls_through) && i + 1 < n) a_.block_start[i + 1] = true;
    }
    for (int h : a_.handler_instr) a_.block_start[h] = a_.entered[h] = true;
    MarkResumePoints();
    return true;
  }

  // Analysis::resume for generator and coroutine code (jump targets are in range by now).
  void MarkResumePoints() {
    a_.resume.clear();
    if (!(code_.flags & (kCoGenerator | kCoCoroutine))) return;
    const int n = static_cast<int>(a_.instrs.size());
    for (int i = 0; i < n; ++i) {
      const Instr& in = a_.instrs[i];
      int pos = -1, prev_unit = -1;
      if ((in.opcode == RETURN_GENERATOR || in.opcode == YIELD_VALUE) && i + 1 < n) {
        pos = i + 1;
        prev_unit = in.index;
      } else if (in.opcode == SEND) {
        pos = in.target;
        prev_unit = a_.instrs[in.target].start - 1;
      }
      if (pos < 0) continue;
      a_.block_start[pos] = a_.entered[pos] = true;
      a_.resume.push_back({prev_unit, pos});
    }
  }

  // Records that `pos` is entered with `depth` from instruction `from`.
  bool Reach(int pos, int64_t depth, const Instr& from) {
    const Instr& in = a_.instrs[pos];
    if (depth < 0) return Fail(reason_, "negative stack depth" + At(in));
    if (depth > code_.stacksize)
      return Fail(reason_, "stack depth " + std::to_string(depth) + " exceeds stack size " +
                               std::to_string(code_.stacksize) + At(in));
    int& d = a_.depth[pos];
    if (d == -1) {
      d = static_cast<int>(depth);
      work_.push_back(pos);
      return true;
    }
    if (d != depth)
      return Fail(reason_, "inconsistent stack depth at unit " + std::to_string(in.index) +
                               ": " + std::to_string(d) + " vs " + std::to_string(depth) +
                               " (from unit " + std::to_string(from.index) + ")");
    return true;
  }

  bool Visit(int pos) {
    const Instr& in = a_.instrs[pos];
    const int depth = a_.depth[pos];
    const int64_t inputs = StackInputs(in);
    if (inputs < 0) return Fail(reason_, std::string("unknown stack effect for ") +
                                             OpcodeName(in.opcode) + At(in));
    if (inputs > depth)
      return Fail(reason_, std::string("stack underflow") + At(in) + ": " +
                               OpcodeName(in.opcode) + " needs " + std::to_string(inputs) +
                               " items, depth is " + std::to_string(depth));
    if (!EnterHandler(pos, depth)) return false;
    const Flow flow = FlowOf(in.opcode);
    if (flow.falls_through && !Follow(pos, false)) return false;
    if (flow.jumps && !Follow(pos, true)) return false;
    return true;
  }

  bool Follow(int pos, bool jump) {
    const Instr& in = a_.instrs[pos];
    int effect = 0;
    if (!StackEffect(in, jump, &effect))
      return Fail(reason_, std::string("unknown stack effect for ") + OpcodeName(in.opcode) +
                               At(in));
    const int next = jump ? in.target : pos + 1;
    if (next < 0 || static_cast<size_t>(next) >= a_.instrs.size())
      return Fail(reason_, jump ? "jump out of range" + At(in)
                                : "execution falls off the end of the code" + At(in));
    return Reach(next, int64_t{a_.depth[pos]} + effect, in);
  }

  // A reachable instruction makes its exception handler reachable.
  bool EnterHandler(int pos, int depth) {
    const int e = a_.handler[pos];
    if (e < 0) return true;
    const ExceptionEntry& entry = a_.exception_entries[e];
    const Instr& in = a_.instrs[pos];
    if (entry.depth > depth)
      return Fail(reason_, "exception handler depth " + std::to_string(entry.depth) +
                               " exceeds stack depth " + std::to_string(depth) + At(in));
    return Reach(a_.handler_instr[e], int64_t{entry.depth} + (entry.lasti ? 1 : 0) + 1, in);
  }

  const CodeInput& code_;
  Analysis& a_;
  std::string* reason_;
  std::vector<int> work_;
};

}  // namespace

bool StackEffect(const Instr& in, bool jump, int* effect) {
  int64_t e = 0;
  if (!BranchEffect(in.opcode, jump, &e) && !OpargEffect(in.opcode, in.oparg, &e) &&
      !FixedEffect(in.opcode, &e))
    return false;
  if (e > kMaxEffect || e < -kMaxEffect) return false;
  *effect = static_cast<int>(e);
  return true;
}

bool ComputeDepths(const CodeInput& code, Analysis* a, std::string* reason) {
  return DepthPass(code, a, reason).Run();
}

}  // namespace pyjion::frontend
