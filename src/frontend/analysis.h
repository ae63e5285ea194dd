// The frontend's contract: what it needs from a code object (CodeInput, Python-free so it
// can be unit-tested and fuzzed on hand-made bytecode) and what it hands to the lowering
// (Analysis: decoded instructions, exception-table entries, stack depths, block starts).
// Analyze() either returns a well-formed Analysis or refuses with a reason string;
// refusing means the function runs in the interpreter, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "opcodes.h"

namespace pyjion::frontend {

// Code-object flags the frontend cares about (values of CPython's CO_* constants).
constexpr int kCoOptimized = 0x1, kCoNewLocals = 0x2, kCoVarargs = 0x4, kCoVarkeywords = 0x8,
              kCoNested = 0x10, kCoGenerator = 0x20, kCoCoroutine = 0x80,
              kCoIterableCoroutine = 0x100, kCoAsyncGenerator = 0x200;

// Everything the frontend reads from a PyCodeObject, copied out.
struct CodeInput {
  std::vector<uint16_t> units;      // _PyCode_CODE(co): live units, may be quickened
  std::string exception_table;      // co_exceptiontable bytes
  int nlocalsplus = 0;              // locals + cells + free variables
  int nlocals = 0;                  // co_nlocals
  int ncellvars = 0, nfreevars = 0;
  int stacksize = 0;                // co_stacksize
  int nconsts = 0, nnames = 0;
  int argcount = 0;                 // co_argcount
  int kwonlyargcount = 0;           // co_kwonlyargcount
  int flags = 0;                    // co_flags
  std::string name;                 // co_qualname, for messages
  std::vector<bool> const_is_tuple_of_str;  // for KW_NAMES validation, per const
};

// Type feedback read from the quickened form of an instruction.
enum class Hint : uint8_t { kNone, kInt, kFloat, kStr, kList, kTuple, kDict };

struct Instr {
  int start = 0;            // unit index of the first EXTENDED_ARG prefix (what jumps target)
  int index = 0;            // unit index of the opcode itself (what prev_instr points at)
  uint8_t opcode = 0;       // base opcode (deoptimised)
  uint8_t live_opcode = 0;  // raw opcode byte found in the live code
  int oparg = 0;            // full oparg, EXTENDED_ARG folded in
  int next = 0;             // unit index of the following instruction (after CACHEs)
  int target = -1;          // jump target, an instruction position in Analysis::instrs; -1 none
  Hint hint = Hint::kNone;
  int kwnames = -1;         // CALL only: consts index named by the preceding KW_NAMES, else -1
  uint8_t descr_fast = 0;   // CALL only: the preceding PRECALL is specialised as
                            // PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST (1) or
                            // PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS (2), else 0
};

struct ExceptionEntry {
  int start = 0, end = 0;   // half-open unit range [start, end)
  int target = 0;           // handler unit index
  int depth = 0;            // stack depth to unwind to
  bool lasti = false;       // push the offset of the raising instruction before the exception
};

struct Analysis {
  std::vector<Instr> instrs;              // in code order; CACHE/EXTENDED_ARG units folded away
  std::vector<int> instr_at_unit;         // unit index -> position in instrs of the instruction
                                          // whose Instr::start is that unit (its first prefix,
                                          // or the opcode unit if it has none), else -1
  std::vector<ExceptionEntry> exception_entries;
  std::vector<int> handler;               // per instr: index into exception_entries or -1
  std::vector<int> handler_instr;         // per exception entry: instr position of its target
  std::vector<int> depth;                 // per instr: runtime stack depth before it; -1 unreachable
                                          // (at a handler: entry.depth + lasti + 1, i.e. the
                                          // pushed lasti and exception are counted)
  std::vector<bool> block_start;          // per instr: jump target, handler, or after a branch
  std::vector<bool> entered;              // per instr: reached other than by falling into it
                                          // (the first instruction, a jump target, a handler,
                                          // a resume point)
  std::vector<int> dispatch_pos;          // per instr: the instruction frame->prev_instr names
                                          // while it runs: itself, the first half of the
                                          // superinstruction it is the second half of, or
                                          // kDispatchVaries (superinstructions.cc)
  int max_depth = 0;
  // Generators: where a resumed frame goes on. gen_send_ex2 resumes at prev_instr + 1 with
  // the sent value pushed; prev_instr then names RETURN_GENERATOR or a YIELD_VALUE (resumed
  // at the next instruction), or the unit before a SEND's target (a throw() into a
  // `yield from` that ended it). Every resume position is a block start.
  struct ResumePoint {
    int prev_unit;  // frame->prev_instr's unit index
    int pos;        // the instruction that runs next
  };
  std::vector<ResumePoint> resume;
  // Definitely-bound fast locals (bound_locals.cc): bound_words words per instruction, bit i
  // of the instruction's words set when local i holds a value on every path to it.
  std::vector<uint64_t> bound;
  int bound_words = 0;
};

struct AnalysisResult {
  bool ok = false;
  std::string reason;   // set when !ok: why the code is refused
  Analysis analysis;
};

// Decodes, parses the exception table, computes depths and block starts, and verifies.
AnalysisResult Analyze(const CodeInput& code);

// Pieces of Analyze, exposed for tests and the fuzzer. Each returns false and sets *reason
// on malformed input.
bool Decode(const CodeInput& code, Analysis* out, std::string* reason);
bool ParseExceptionTable(const std::string& table, int code_units,
                         std::vector<ExceptionEntry>* out, std::string* reason);
// Runtime stack effect of one instruction: on the fall-through edge (jump=false) or on the
// jump edge (jump=true). Returns false for opcodes whose effect is unknown.
bool StackEffect(const Instr& in, bool jump, int* effect);
bool ComputeDepths(const CodeInput& code, Analysis* a, std::string* reason);
// Fills Analysis::dispatch_pos (after ComputeDepths); false for a superinstruction without
// its second half. kDispatchVaries: a jump target inside a chain of superinstructions, where
// some paths run the instruction as a second half and others dispatch it.
constexpr int kDispatchVaries = -1;
bool ComputeDispatch(Analysis* a, std::string* reason);
// The live opcode is the first half of a superinstruction (LOAD_FAST__LOAD_FAST, ...).
bool IsPairHead(const Instr& in);
// Fills Analysis::bound (after ComputeDepths); LocalBound asks it (false when unknown).
void ComputeBoundLocals(const CodeInput& code, Analysis* a);
bool LocalBound(const Analysis& a, int pos, int local);

}  // namespace pyjion::frontend
