// Tests for frontend::Decode: real code objects checked against Python's dis module (which
// shows the deoptimised form), quickened code (specialised opcodes map back to their base
// and leave hints), EXTENDED_ARG folding, and hand-made malformed unit streams.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/analysis.h"
#include "py_fixture.h"

namespace pyjion::frontend {
namespace {

using test::CallForIntRows;
using test::InputFor;
using test::PyRef;

// Names for the specialised opcode numbers (opcodes.h only names base opcodes).
enum SpecializedOpcode : uint8_t {
#define PJ_SPECIALIZED(name, num, base) name = num,
#include "frontend/opcodes.def"
};

uint16_t U(int op, int arg = 0) { return static_cast<uint16_t>(op | (arg << 8)); }

CodeInput Units(std::vector<uint16_t> units) {
  CodeInput c;
  c.units = std::move(units);
  c.stacksize = 8;
  c.nlocalsplus = c.nlocals = 4;
  c.nconsts = c.nnames = 4;
  return c;
}

// Oracle: dis.get_instructions (deoptimised, caches hidden) as rows of
// (opcode unit, opcode, full oparg, jump target unit or -1); EXTENDED_ARG rows dropped.
constexpr char kDisOracle[] = R"PY(
import dis
def decoded(code):
    rows = []
    for ins in dis.get_instructions(code):
        if ins.opname == 'EXTENDED_ARG':
            continue
        target = ins.argval // 2 if ins.opcode in dis.hasjrel else -1
        rows.append((ins.offset // 2, ins.opcode, ins.arg or 0, target))
    return rows
)PY";

// Decodes `code` and compares it with dis, instruction by instruction.
void ExpectMatchesDis(PyCodeObject* code) {
  ASSERT_NE(code, nullptr);
  PyRef globals(test::ExecSource(kDisOracle));
  ASSERT_TRUE(globals);
  PyObject* fn = PyDict_GetItemString(globals.get(), "decoded");
  PyRef args(PyTuple_Pack(1, reinterpret_cast<PyObject*>(code)));
  std::vector<std::vector<long long>> rows;
  ASSERT_TRUE(CallForIntRows(fn, args.get(), &rows));

  CodeInput input = InputFor(code);
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(input, &a, &reason)) << reason;
  ASSERT_EQ(a.instrs.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const Instr& in = a.instrs[i];
    SCOPED_TRACE("instr " + std::to_string(i) + " " + OpcodeName(in.opcode));
    EXPECT_EQ(in.index, rows[i][0]);
    EXPECT_EQ(in.opcode, rows[i][1]);
    EXPECT_EQ(in.oparg, rows[i][2]);
    if (rows[i][3] >= 0) {
      ASSERT_GE(in.target, 0);
      EXPECT_EQ(a.instrs[in.target].start, rows[i][3]);
    } else {
      EXPECT_EQ(in.target, -1);
    }
    EXPECT_EQ(in.next, i + 1 < a.instrs.size() ? a.instrs[i + 1].start
                                               : static_cast<int>(input.units.size()));
    EXPECT_EQ(a.instr_at_unit[in.start], static_cast<int>(i));
  }
}

void ExpectMatchesDis(const char* source, const char* name) {
  PyRef code(reinterpret_cast<PyObject*>(test::CompileFunctionCode(source, name)));
  ExpectMatchesDis(reinterpret_cast<PyCodeObject*>(code.get()));
}

// A function with `n` distinct float constants and locals (forces EXTENDED_ARG on LOAD_CONST
// and STORE_FAST), optionally ending in a loop whose body is long (EXTENDED_ARG on jumps).
std::string BigFunction(int n, bool long_jumps) {
  std::string s = "def f(a):\n";
  for (int i = 0; i < n; ++i)
    s += "    v" + std::to_string(i) + " = " + std::to_string(i) + ".5\n";
  if (long_jumps) {
    s += "    while a < 3:\n        if a:\n";
    for (int i = 0; i < n; ++i) s += "            a = a + v" + std::to_string(i) + "\n";
    s += "        a = a + 1\n";
  }
  s += "    return a\n";
  return s;
}

const Instr* FindOp(const Analysis& a, uint8_t op) {
  for (const Instr& in : a.instrs)
    if (in.opcode == op) return &in;
  return nullptr;
}

TEST(DecoderRealCode, StraightLine) {
  ExpectMatchesDis("def f(a, b):\n    c = a + b\n    return c * 2\n", "f");
}

TEST(DecoderRealCode, Loops) {
  ExpectMatchesDis(
      "def f(n):\n"
      "    t = 0\n"
      "    for i in range(n):\n"
      "        if i % 3 == 0:\n            continue\n"
      "        t += i\n"
      "    while t > 10:\n        t -= 7\n        if t == 12: break\n"
      "    return t\n", "f");
}

TEST(DecoderRealCode, TryExceptFinallyWith) {
  ExpectMatchesDis(
      "def f(path, x):\n"
      "    try:\n        y = 1 / x\n"
      "    except ZeroDivisionError as e:\n        y = 0\n"
      "    except (TypeError, ValueError):\n        raise\n"
      "    else:\n        y += 1\n"
      "    finally:\n        x = None\n"
      "    with open(path) as fh, open(path) as g:\n        y = fh.read()\n"
      "    return y\n", "f");
}

TEST(DecoderRealCode, ComprehensionsAndClosures) {
  ExpectMatchesDis(
      "def f(xs):\n"
      "    k = 3\n"
      "    a = [x * k for x in xs if x]\n"
      "    b = {x: x for x in xs}\n"
      "    c = {x for x in a}\n"
      "    g = (x for x in b)\n"
      "    return a, b, c, list(g), lambda: k\n", "f");
  ExpectMatchesDis("def f(xs):\n    k = 3\n    return [x * k for x in xs]\n", nullptr);
}

TEST(DecoderRealCode, KwNamesAttachToCall) {
  const char* src = "def f(x):\n    return print(x, sep=' ', end='')\n";
  ExpectMatchesDis(src, "f");
  CodeInput input = InputFor(src, "f");
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(input, &a, &reason)) << reason;
  const Instr* kw = FindOp(a, KW_NAMES);
  const Instr* call = FindOp(a, CALL);
  ASSERT_NE(kw, nullptr);
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->kwnames, kw->oparg);
  ASSERT_LT(static_cast<size_t>(kw->oparg), input.const_is_tuple_of_str.size());
  EXPECT_TRUE(input.const_is_tuple_of_str[kw->oparg]);
  EXPECT_EQ(call->oparg, 3);
}

TEST(DecoderRealCode, CallWithoutKeywordsHasNoKwNames) {
  CodeInput input = InputFor("def f(x):\n    return len(x) + abs(x)\n", "f");
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(input, &a, &reason)) << reason;
  int calls = 0;
  for (const Instr& in : a.instrs)
    if (in.opcode == CALL) {
      ++calls;
      EXPECT_EQ(in.kwnames, -1);
    }
  EXPECT_EQ(calls, 2);
}

TEST(DecoderRealCode, ExtendedArgConstantsAndLocals) {
  const std::string src = BigFunction(300, false);
  ExpectMatchesDis(src.c_str(), "f");
  CodeInput input = InputFor(src.c_str(), "f");
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(input, &a, &reason)) << reason;
  int prefixed = 0;
  for (const Instr& in : a.instrs) {
    if (in.start == in.index) continue;
    ++prefixed;
    EXPECT_EQ(in.index, in.start + 1);
    EXPECT_GT(in.oparg, 255);
    EXPECT_EQ(a.instr_at_unit[in.index], -1);  // only the prefix unit starts the instruction
  }
  EXPECT_GT(prefixed, 40);
}

TEST(DecoderRealCode, ExtendedArgJumps) {
  const std::string src = BigFunction(300, true);
  ExpectMatchesDis(src.c_str(), "f");
  CodeInput input = InputFor(src.c_str(), "f");
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(input, &a, &reason)) << reason;
  bool long_forward = false, long_backward = false;
  for (const Instr& in : a.instrs) {
    if (in.target < 0 || in.oparg <= 255) continue;
    EXPECT_LT(in.start, in.index);
    if (GetOpcodeInfo(in.opcode).jump == JumpKind::kForward) long_forward = true;
    if (GetOpcodeInfo(in.opcode).jump == JumpKind::kBackward) long_backward = true;
  }
  EXPECT_TRUE(long_forward);
  EXPECT_TRUE(long_backward);
}

constexpr char kQuickenSource[] = R"PY(
def f(a, b, xs, t, d, s, fa, fb):
    x = a + b
    y = fa * fb
    z = xs[0] + t[1] + d['k']
    p, q = t
    m, n = xs
    w = s + 'x'
    if a < b:
        x = x - 1
    if fa < fb:
        y = fa - fb
    xs[0] = 5
    d['k'] = 1
    return x, y, z, w
for _ in range(64):
    f(1, 2, [1, 2], (3, 4), {'k': 1}, 'a', 1.5, 2.5)
)PY";

TEST(DecoderQuickened, SpecialisedOpcodesMapToBaseAndSetHints) {
  PyRef code(reinterpret_cast<PyObject*>(test::CompileFunctionCode(kQuickenSource, "f")));
  ASSERT_TRUE(code);
  ExpectMatchesDis(reinterpret_cast<PyCodeObject*>(code.get()));
  CodeInput input = InputFor(reinterpret_cast<PyCodeObject*>(code.get()));
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(input, &a, &reason)) << reason;
  int specialised = 0;
  std::vector<int> hints(7, 0);
  for (const Instr& in : a.instrs) {
    if (in.live_opcode != in.opcode) ++specialised;
    EXPECT_EQ(GetOpcodeInfo(in.live_opcode).base, in.opcode);
    hints[static_cast<int>(in.hint)]++;
    if (in.hint != Hint::kNone) {
      EXPECT_NE(in.live_opcode, in.opcode);
    }
  }
  EXPECT_GT(specialised, 10);
  EXPECT_GE(hints[static_cast<int>(Hint::kInt)], 3);    // a + b, ... + ..., a < b, x - 1
  EXPECT_GE(hints[static_cast<int>(Hint::kFloat)], 2);  // fa * fb, fa < fb, fa - fb
  EXPECT_GE(hints[static_cast<int>(Hint::kStr)], 1);    // s + 'x'
  EXPECT_GE(hints[static_cast<int>(Hint::kList)], 3);   // xs[0], m, n = xs, xs[0] = 5
  EXPECT_GE(hints[static_cast<int>(Hint::kTuple)], 2);  // t[1], p, q = t
  EXPECT_GE(hints[static_cast<int>(Hint::kDict)], 2);   // d['k'], d['k'] = 1
}

TEST(DecoderQuickened, ExtendedArgQuickIsFolded) {
  std::string src = BigFunction(300, true);
  src += "for _ in range(20):\n    f(0)\n";
  PyRef code(reinterpret_cast<PyObject*>(test::CompileFunctionCode(src.c_str(), "f")));
  ASSERT_TRUE(code);
  CodeInput input = InputFor(reinterpret_cast<PyCodeObject*>(code.get()));
  int quick_prefixes = 0;
  for (uint16_t u : input.units) quick_prefixes += (u & 0xff) == 34;  // EXTENDED_ARG_QUICK
  EXPECT_GT(quick_prefixes, 0) << "warm-up did not quicken the code";
  ExpectMatchesDis(reinterpret_cast<PyCodeObject*>(code.get()));
}

// --- hand-made unit streams ----------------------------------------------------------

TEST(DecoderHandMade, FoldsExtendedArgs) {
  CodeInput c = Units({U(RESUME), U(EXTENDED_ARG, 1), U(LOAD_CONST, 2), U(EXTENDED_ARG_QUICK, 1),
                       U(EXTENDED_ARG, 2), U(EXTENDED_ARG, 3), U(LOAD_FAST, 4),
                       U(RETURN_VALUE)});
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(c, &a, &reason)) << reason;
  ASSERT_EQ(a.instrs.size(), 4u);
  EXPECT_EQ(a.instrs[1].start, 1);
  EXPECT_EQ(a.instrs[1].index, 2);
  EXPECT_EQ(a.instrs[1].oparg, 0x102);
  EXPECT_EQ(a.instrs[1].next, 3);
  EXPECT_EQ(a.instrs[2].start, 3);
  EXPECT_EQ(a.instrs[2].index, 6);
  EXPECT_EQ(a.instrs[2].oparg, 0x01020304);
  EXPECT_EQ(a.instrs[2].opcode, LOAD_FAST);
  EXPECT_EQ((std::vector<int>{0, 1, -1, 2, -1, -1, -1, 3}), a.instr_at_unit);
}

TEST(DecoderHandMade, SkipsCachesAndResolvesJumps) {
  // 0 RESUME; 1 LOAD_FAST; 2 POP_JUMP_FORWARD_IF_FALSE +3 -> 6; 3 LOAD_FAST; 4 BINARY_OP
  // (cache 5); 6 JUMP_BACKWARD_QUICK 7 -> 0 (specialised form still jumps)
  CodeInput c = Units({U(RESUME), U(LOAD_FAST), U(POP_JUMP_FORWARD_IF_FALSE, 3), U(LOAD_FAST),
                       U(BINARY_OP_ADD_INT, 0), U(CACHE, 0x7f), U(JUMP_BACKWARD_QUICK, 7)});
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(c, &a, &reason)) << reason;
  ASSERT_EQ(a.instrs.size(), 6u);
  EXPECT_EQ(a.instrs[2].target, 5);
  EXPECT_EQ(a.instrs[4].opcode, BINARY_OP);
  EXPECT_EQ(a.instrs[4].live_opcode, BINARY_OP_ADD_INT);
  EXPECT_EQ(a.instrs[4].hint, Hint::kInt);
  EXPECT_EQ(a.instrs[4].next, 6);
  EXPECT_EQ(a.instrs[5].opcode, JUMP_BACKWARD);
  EXPECT_EQ(a.instrs[5].target, 0);
  EXPECT_EQ(a.instr_at_unit[5], -1);
}

TEST(DecoderHandMade, ForIterAndSendJumpForward) {
  CodeInput c = Units({U(FOR_ITER, 2), U(POP_TOP), U(NOP), U(SEND, 0), U(NOP)});
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(c, &a, &reason)) << reason;
  EXPECT_EQ(a.instrs[0].target, 3);
  EXPECT_EQ(a.instrs[3].target, 4);
}

TEST(DecoderHandMade, HintsFromSpecialisedOpcodes) {
  struct Case { int live; Hint hint; };
  const Case cases[] = {
      {BINARY_OP_SUBTRACT_INT, Hint::kInt}, {BINARY_OP_MULTIPLY_INT, Hint::kInt},
      {COMPARE_OP_INT_JUMP, Hint::kInt}, {BINARY_OP_ADD_FLOAT, Hint::kFloat},
      {BINARY_OP_SUBTRACT_FLOAT, Hint::kFloat}, {COMPARE_OP_FLOAT_JUMP, Hint::kFloat},
      {BINARY_OP_INPLACE_ADD_UNICODE, Hint::kStr}, {COMPARE_OP_STR_JUMP, Hint::kStr},
      {BINARY_SUBSCR_LIST_INT, Hint::kList}, {STORE_SUBSCR_LIST_INT, Hint::kList},
      {UNPACK_SEQUENCE_LIST, Hint::kList}, {UNPACK_SEQUENCE_TUPLE, Hint::kTuple},
      {UNPACK_SEQUENCE_TWO_TUPLE, Hint::kTuple}, {BINARY_SUBSCR_TUPLE_INT, Hint::kTuple},
      {BINARY_SUBSCR_DICT, Hint::kDict}, {STORE_SUBSCR_DICT, Hint::kDict},
      {BINARY_OP_ADAPTIVE, Hint::kNone}, {LOAD_ATTR_SLOT, Hint::kNone},
      {PRECALL_NO_KW_TUPLE_1, Hint::kNone}, {PRECALL_NO_KW_STR_1, Hint::kNone}};
  for (const Case& k : cases) {
    const OpcodeInfo& info = GetOpcodeInfo(static_cast<uint8_t>(k.live));
    std::vector<uint16_t> units{U(k.live, 2)};
    units.resize(1 + info.caches, 0);
    Analysis a;
    std::string reason;
    ASSERT_TRUE(Decode(Units(units), &a, &reason)) << info.name << ": " << reason;
    ASSERT_EQ(a.instrs.size(), 1u);
    EXPECT_EQ(a.instrs[0].opcode, info.base) << info.name;
    EXPECT_EQ(a.instrs[0].hint, k.hint) << info.name;
  }
}

TEST(DecoderHandMade, KwNamesOnlyFromTheImmediateShape) {
  CodeInput c = Units({U(KW_NAMES, 3), U(PRECALL, 1), U(0), U(CALL, 1), U(0), U(0), U(0), U(0),
                       U(KW_NAMES, 2), U(CALL, 1), U(0), U(0), U(0), U(0),
                       U(KW_NAMES, 1), U(NOP), U(PRECALL, 1), U(0), U(CALL, 1), U(0), U(0),
                       U(0), U(0), U(PRECALL, 0), U(0), U(CALL, 0), U(0), U(0), U(0), U(0)});
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Decode(c, &a, &reason)) << reason;
  std::vector<int> kwnames;
  for (const Instr& in : a.instrs)
    if (in.opcode == CALL) kwnames.push_back(in.kwnames);
  EXPECT_EQ((std::vector<int>{3, 2, -1, -1}), kwnames);
}

struct BadCase {
  const char* label;
  std::vector<uint16_t> units;
  const char* reason;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.label; }

class DecoderRefuses : public ::testing::TestWithParam<BadCase> {};

TEST_P(DecoderRefuses, WithReason) {
  const BadCase& k = GetParam();
  Analysis a;
  std::string reason;
  EXPECT_FALSE(Decode(Units(k.units), &a, &reason));
  EXPECT_EQ(reason, k.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, DecoderRefuses,
    ::testing::Values(
        BadCase{"UnknownOpcode", {U(RESUME), U(0xee)}, "unknown opcode 0xee at unit 1"},
        BadCase{"UnknownAfterPrefix", {U(EXTENDED_ARG, 1), U(0xfe)},
                "unknown opcode 0xfe at unit 1"},
        BadCase{"CacheAsOpcode", {U(NOP), U(CACHE)}, "CACHE where an opcode is expected at unit 1"},
        BadCase{"CacheAfterPrefix", {U(EXTENDED_ARG, 1), U(CACHE)},
                "CACHE where an opcode is expected at unit 1"},
        BadCase{"TruncatedExtendedArg", {U(NOP), U(EXTENDED_ARG, 1)},
                "truncated EXTENDED_ARG at unit 1"},
        BadCase{"TooManyPrefixes",
                {U(EXTENDED_ARG, 1), U(EXTENDED_ARG, 1), U(EXTENDED_ARG, 1), U(EXTENDED_ARG, 1),
                 U(NOP)},
                "too many EXTENDED_ARG prefixes at unit 3"},
        BadCase{"OpargTooLarge",
                {U(EXTENDED_ARG, 0x80), U(EXTENDED_ARG), U(EXTENDED_ARG), U(LOAD_CONST)},
                "oparg too large at unit 3"},
        BadCase{"TruncatedCaches", {U(LOAD_FAST), U(LOAD_FAST), U(BINARY_OP, 0)},
                "truncated inline caches at unit 2"},
        BadCase{"TruncatedLoadGlobalCaches", {U(LOAD_GLOBAL), U(0), U(0), U(0), U(0)},
                "truncated inline caches at unit 0"},
        BadCase{"JumpPastEnd", {U(NOP), U(JUMP_FORWARD, 1)}, "jump out of range at unit 1"},
        BadCase{"JumpBeforeStart", {U(NOP), U(JUMP_BACKWARD, 3)}, "jump out of range at unit 1"},
        BadCase{"JumpIntoCache", {U(JUMP_FORWARD, 1), U(BINARY_OP), U(CACHE)},
                "jump into the middle of an instruction at unit 0 (target unit 2)"},
        BadCase{"JumpPastPrefix", {U(JUMP_FORWARD, 1), U(EXTENDED_ARG, 1), U(LOAD_CONST)},
                "jump into the middle of an instruction at unit 0 (target unit 2)"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.label); });

TEST(DecoderHandMade, EmptyCodeDecodesToNothing) {
  Analysis a;
  std::string reason;
  EXPECT_TRUE(Decode(Units({}), &a, &reason));
  EXPECT_TRUE(a.instrs.empty());
  EXPECT_TRUE(a.instr_at_unit.empty());
}

}  // namespace
}  // namespace pyjion::frontend
