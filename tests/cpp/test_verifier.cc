// Tests for frontend::Analyze (decode + exception table + depths + verifier).
//  * Real code: a range of hand-picked functions, and every code object of the installed
//    standard library, must be accepted, satisfy the Analysis invariants and agree with
//    dis._parse_exception_table.
//  * Hand-made code: each refusal of the verifier, with its reason.
//  * Robustness: random and mutated inputs must be refused or accepted cleanly (no crash,
//    no out-of-bounds index in the result); build with -DPJ_SANITIZE=ON to check under ASan.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "frontend/analysis.h"
#include "py_fixture.h"

namespace pyjion::frontend {
namespace {

using test::PyRef;
using ::testing::HasSubstr;

uint16_t U(int op, int arg = 0) { return static_cast<uint16_t>(op | (arg << 8)); }

// Checks the structural promises of an accepted Analysis; returns the first broken one.
std::string BrokenInvariant(const CodeInput& c, const Analysis& a) {
  const int units = static_cast<int>(c.units.size());
  const int n = static_cast<int>(a.instrs.size());
  if (n == 0) return "no instructions";
  if (static_cast<int>(a.instr_at_unit.size()) != units) return "instr_at_unit size";
  if (static_cast<int>(a.depth.size()) != n || static_cast<int>(a.handler.size()) != n ||
      static_cast<int>(a.block_start.size()) != n)
    return "per-instruction vector size";
  if (a.handler_instr.size() != a.exception_entries.size()) return "handler_instr size";
  if (a.depth[0] != 0 || !a.block_start[0]) return "entry instruction";
  if (a.max_depth < 0 || a.max_depth > c.stacksize) return "max_depth";
  for (int i = 0; i < n; ++i) {
    const Instr& in = a.instrs[i];
    const std::string at = " at instr " + std::to_string(i);
    if (in.start < 0 || in.start > in.index || in.index >= in.next || in.next > units)
      return "unit layout" + at;
    if (in.next != (i + 1 < n ? a.instrs[i + 1].start : units)) return "instructions not contiguous" + at;
    if (a.instr_at_unit[in.start] != i) return "instr_at_unit" + at;
    if ((in.target >= 0) != (GetOpcodeInfo(in.opcode).jump != JumpKind::kNone))
      return "jump target presence" + at;
    if (in.target >= n) return "jump target range" + at;
    if (a.depth[i] < -1 || a.depth[i] > c.stacksize) return "depth range" + at;
    if (a.handler[i] < -1 || a.handler[i] >= static_cast<int>(a.exception_entries.size()))
      return "handler range" + at;
    if (a.handler[i] >= 0 && a.depth[i] >= 0) {
      const ExceptionEntry& e = a.exception_entries[a.handler[i]];
      if (in.index < e.start || in.index >= e.end) return "handler does not cover" + at;
      if (a.depth[a.handler_instr[a.handler[i]]] != e.depth + (e.lasti ? 1 : 0) + 1)
        return "handler depth" + at;
    }
    if (in.opcode == CALL && in.kwnames >= c.nconsts) return "kwnames range" + at;
  }
  for (int h : a.handler_instr)
    if (h < 0 || h >= n) return "handler_instr range";
  return "";
}

CodeInput Units(std::vector<uint16_t> units, int stacksize = 4) {
  CodeInput c;
  c.units = std::move(units);
  c.stacksize = stacksize;
  c.nlocalsplus = 3;
  c.nlocals = 2;
  c.ncellvars = 0;
  c.nfreevars = 1;
  c.nconsts = 2;
  c.nnames = 2;
  c.const_is_tuple_of_str = {false, true};
  return c;
}

// --- real code -----------------------------------------------------------------------

void ExpectAccepted(const char* source, const char* name) {
  PyRef code(reinterpret_cast<PyObject*>(test::CompileFunctionCode(source, name)));
  ASSERT_TRUE(code);
  const CodeInput input = test::InputFor(reinterpret_cast<PyCodeObject*>(code.get()));
  const AnalysisResult r = Analyze(input);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_TRUE(r.reason.empty());
  EXPECT_EQ(BrokenInvariant(input, r.analysis), "");
}

TEST(AnalyzeRealCode, AcceptsOrdinaryFunctions) {
  ExpectAccepted("def f(a, b=2, *c, d, **e):\n    return a + b + len(c) + d + len(e)\n", "f");
  ExpectAccepted(
      "def f(xs):\n"
      "    out = {}\n"
      "    for i, x in enumerate(xs):\n"
      "        try:\n            out[x] = 1 / i\n"
      "        except ZeroDivisionError:\n            continue\n"
      "        finally:\n            pass\n"
      "    with open('/dev/null') as fh:\n        fh.read()\n"
      "    return sorted(out, key=lambda k: -k, reverse=True)\n", "f");
  ExpectAccepted("x = 1\nclass C:\n    y = x\nfrom os.path import *\n", nullptr);
}

TEST(AnalyzeRealCode, GeneratorsAndCoroutinesAreNotRefusedHere) {
  const char* sources[][2] = {
      {"def f(n):\n    yield from range(n)\n    x = yield 1\n    return x\n", "f"},
      {"async def f(a):\n    async with a as b:\n        return await b\n", "f"},
      {"async def f(a):\n    async for x in a:\n        yield x\n", "f"}};
  for (const auto& s : sources) {
    PyRef code(reinterpret_cast<PyObject*>(test::CompileFunctionCode(s[0], s[1])));
    ASSERT_TRUE(code);
    const CodeInput input = test::InputFor(reinterpret_cast<PyCodeObject*>(code.get()));
    EXPECT_NE(input.flags & (kCoGenerator | kCoCoroutine | kCoAsyncGenerator), 0);
    const AnalysisResult r = Analyze(input);
    EXPECT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.analysis.instrs[0].opcode, RETURN_GENERATOR);
    EXPECT_EQ(r.analysis.depth[1], 1);  // POP_TOP of the first sent value
  }
}

TEST(AnalyzeRealCode, QuickenedCodeIsAccepted) {
  const char* src =
      "def f(xs, o):\n"
      "    t = 0\n"
      "    for x in xs:\n"
      "        t += x * 2 + o.v + len(xs)\n"
      "    return t, o.m(1)\n"
      "class O:\n"
      "    v = 1\n"
      "    def m(self, a): return a\n"
      "for _ in range(40):\n"
      "    f([1, 2, 3], O())\n";
  ExpectAccepted(src, "f");
}

constexpr char kStdlibWalker[] = R"PY(
import os, dis
def code_objects():
    root = os.path.dirname(os.__file__)
    out = []
    def walk(c):
        out.append(c)
        for k in c.co_consts:
            if hasattr(k, 'co_code'):
                walk(k)
    for dirpath, dirs, files in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        if rel.startswith(('test', 'idlelib', 'site-packages', 'dist-packages')):
            dirs[:] = []
            continue
        for name in sorted(files):
            if name.endswith('.py'):
                try:
                    with open(os.path.join(dirpath, name), 'rb') as fh:
                        walk(compile(fh.read(), name, 'exec'))
                except (SyntaxError, ValueError, OSError):
                    pass
    return out
def entries(code):
    return [(e.start // 2, e.end // 2, e.target // 2, e.depth, int(e.lasti))
            for e in dis._parse_exception_table(code)]
)PY";

// Every code object of the standard library: accepted, invariants hold, and the exception
// table agrees with dis. Catches stack-effect mistakes on rarely used opcodes, since a
// wrong effect shows up as an inconsistent merge, an underflow or a stack size overrun.
TEST(AnalyzeRealCode, WholeStandardLibrary) {
  PyRef globals(test::ExecSource(kStdlibWalker));
  ASSERT_TRUE(globals);
  PyRef codes(PyObject_CallObject(PyDict_GetItemString(globals.get(), "code_objects"), nullptr));
  ASSERT_TRUE(codes) << (test::ReportPyError(), "walker failed");
  PyObject* entries_fn = PyDict_GetItemString(globals.get(), "entries");
  const Py_ssize_t count = PyList_GET_SIZE(codes.get());
  ASSERT_GT(count, 5000);
  int refused = 0, with_handlers = 0;
  for (Py_ssize_t i = 0; i < count; ++i) {
    auto* co = reinterpret_cast<PyCodeObject*>(PyList_GET_ITEM(codes.get(), i));
    const CodeInput input = test::InputFor(co);
    const AnalysisResult r = Analyze(input);
    if (!r.ok) {
      if (++refused <= 10) ADD_FAILURE() << input.name << ": " << r.reason;
      continue;
    }
    const std::string broken = BrokenInvariant(input, r.analysis);
    EXPECT_EQ(broken, "") << input.name;
    PyRef args(PyTuple_Pack(1, reinterpret_cast<PyObject*>(co)));
    std::vector<std::vector<long long>> rows;
    ASSERT_TRUE(test::CallForIntRows(entries_fn, args.get(), &rows));
    const auto& entries = r.analysis.exception_entries;
    ASSERT_EQ(entries.size(), rows.size()) << input.name;
    with_handlers += !entries.empty();
    for (size_t k = 0; k < rows.size(); ++k) {
      EXPECT_EQ((std::vector<long long>{entries[k].start, entries[k].end, entries[k].target,
                                        entries[k].depth, entries[k].lasti ? 1 : 0}),
                rows[k])
          << input.name << " entry " << k;
    }
  }
  EXPECT_EQ(refused, 0);
  EXPECT_GT(with_handlers, 500);
}

// --- hand-made refusals ----------------------------------------------------------------

struct Refusal {
  const char* label;
  CodeInput code;
  const char* reason;
};

void PrintTo(const Refusal& r, std::ostream* os) { *os << r.label; }

CodeInput WithTable(CodeInput c, std::string table) {
  c.exception_table = std::move(table);
  return c;
}

CodeInput WithCounts(CodeInput c, int nlocalsplus, int nfreevars) {
  c.nlocalsplus = nlocalsplus;
  c.nfreevars = nfreevars;
  return c;
}

std::vector<Refusal> Refusals() {
  const uint16_t kRet = U(RETURN_VALUE);
  const uint16_t kConst = U(LOAD_CONST, 0);
  std::vector<uint16_t> call4 = {U(CALL, 0), 0, 0, 0, 0};
  auto seq = [](std::initializer_list<std::vector<uint16_t>> parts) {
    std::vector<uint16_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  return {
      {"EmptyCode", Units({}), "empty code"},
      {"NegativeCount", WithCounts(Units({kConst, kRet}), -1, 0), "negative count"},
      {"UnknownOpcode", Units({U(RESUME), U(0xee, 3), kRet}), "unknown opcode 0xee at unit 1"},
      {"JumpOutOfRange", Units({U(RESUME), U(NOP), U(NOP), U(NOP), U(JUMP_FORWARD, 9)}),
       "jump out of range at unit 4"},
      {"TruncatedExtendedArg", Units({kConst, kRet, U(EXTENDED_ARG, 1)}),
       "truncated EXTENDED_ARG at unit 2"},
      {"TruncatedCaches", Units({kConst, kConst, U(BINARY_OP, 0)}),
       "truncated inline caches at unit 2"},
      {"LoadFastOutOfRange", Units({U(LOAD_FAST, 3), kRet}), "local index out of range"},
      {"StoreFastOutOfRange", Units({kConst, U(EXTENDED_ARG, 1), U(STORE_FAST, 0), kConst, kRet}),
       "local index out of range: STORE_FAST oparg 256 at unit 2"},
      {"DeleteFastOutOfRange", Units({U(DELETE_FAST, 7), kConst, kRet}), "local index"},
      {"LoadDerefOutOfRange", Units({U(LOAD_DEREF, 3), kRet}), "local index"},
      {"StoreDerefOutOfRange", Units({kConst, U(STORE_DEREF, 3), kConst, kRet}), "local index"},
      {"DeleteDerefOutOfRange", Units({U(DELETE_DEREF, 3), kConst, kRet}), "local index"},
      {"LoadClosureOutOfRange", Units({U(LOAD_CLOSURE, 3), kRet}), "local index"},
      {"MakeCellOutOfRange", Units({U(MAKE_CELL, 3), kConst, kRet}), "local index"},
      {"LoadClassDerefOutOfRange", Units({U(LOAD_CLASSDEREF, 3), kRet}), "local index"},
      {"ConstOutOfRange", Units({U(LOAD_CONST, 2), kRet}),
       "const index out of range: LOAD_CONST oparg 2 at unit 0"},
      {"NameOutOfRange", Units({U(LOAD_NAME, 2), kRet}), "name index out of range"},
      {"AttrNameOutOfRange", Units({kConst, U(LOAD_ATTR, 2), 0, 0, 0, 0, kRet}),
       "name index out of range: LOAD_ATTR"},
      {"MethodNameOutOfRange", Units({kConst, U(LOAD_METHOD, 9), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                      kRet}), "name index out of range: LOAD_METHOD"},
      {"ImportNameOutOfRange", Units({kConst, kConst, U(IMPORT_NAME, 2), kRet}),
       "name index out of range: IMPORT_NAME"},
      {"StoreGlobalOutOfRange", Units({kConst, U(STORE_GLOBAL, 2), kConst, kRet}),
       "name index out of range: STORE_GLOBAL"},
      {"LoadGlobalOutOfRange", Units({U(LOAD_GLOBAL, 4), 0, 0, 0, 0, 0, kRet}),
       "name index out of range: LOAD_GLOBAL oparg 4"},
      {"KwNamesConstOutOfRange", Units(seq({{U(KW_NAMES, 2)}, call4, {kRet}})),
       "const index out of range: KW_NAMES"},
      {"KwNamesNotTupleOfStr", Units(seq({{U(KW_NAMES, 0)}, call4, {kRet}})),
       "KW_NAMES constant is not a tuple of str"},
      {"KwNamesWithoutCall", Units({U(KW_NAMES, 1), kConst, kRet}), "KW_NAMES not followed by CALL"},
      {"JumpBetweenKwNamesAndCall",
       Units(seq({{U(PUSH_NULL), kConst, kConst, U(LOAD_FAST, 0), U(POP_JUMP_FORWARD_IF_TRUE, 1),
                   U(KW_NAMES, 1), U(PRECALL, 1), 0}, call4, {kRet}})),
       "jump between KW_NAMES and CALL"},
      {"CopyZero", Units({kConst, U(COPY, 0), kRet}), "bad oparg: COPY oparg 0"},
      {"SwapZero", Units({kConst, U(SWAP, 0), kRet}), "bad oparg: SWAP oparg 0"},
      {"CopyTooDeep", Units({kConst, U(COPY, 2), kRet}), "stack underflow at unit 1: COPY"},
      {"SwapTooDeep", Units({kConst, kConst, U(SWAP, 3), kRet}), "stack underflow at unit 2: SWAP"},
      {"BinaryOpSelector", Units({kConst, kConst, U(BINARY_OP, 26), 0, kRet}),
       "bad oparg: BINARY_OP oparg 26"},
      {"CompareOpSelector", Units({kConst, kConst, U(COMPARE_OP, 6), 0, 0, kRet}),
       "bad oparg: COMPARE_OP"},
      {"RaiseVarargs", Units({kConst, kConst, kConst, U(RAISE_VARARGS, 3)}),
       "bad oparg: RAISE_VARARGS"},
      {"BuildSlice", Units({kConst, U(BUILD_SLICE, 1), kRet}), "bad oparg: BUILD_SLICE"},
      {"CopyFreeVars", Units({U(COPY_FREE_VARS, 2), kConst, kRet}), "bad oparg: COPY_FREE_VARS"},
      {"BadExceptionTable", WithTable(Units({kConst, kRet}), std::string("\x02\x01\x01\x00", 4)),
       "bad exception table: missing entry start marker at byte 0"},
      {"ExceptionTargetNotAnInstruction",
       WithTable(Units({kConst, kConst, U(BINARY_OP, 0), 0, kRet}), std::string("\x80\x02\x03\x00", 4)),
       "bad exception table: handler target unit 3 is not an instruction start"},
      {"InconsistentDepth",
       Units({U(LOAD_FAST, 0), U(POP_JUMP_FORWARD_IF_TRUE, 1), kConst, kConst, kRet}),
       "inconsistent stack depth at unit 3: 0 vs 1"},
      {"DepthBeyondStackSize", Units({kConst, kConst, U(BUILD_TUPLE, 2), kRet}, 1),
       "stack depth 2 exceeds stack size 1 at unit 2"},
      {"FallsOffTheEnd", Units({kConst, U(POP_TOP)}), "falls off the end"},
      {"PairWithoutSecondHalf", Units({U(LOAD_FAST__LOAD_FAST, 0), kConst, U(BUILD_TUPLE, 2), kRet}),
       "superinstruction LOAD_FAST__LOAD_FAST at unit 0 not followed by a plain LOAD_FAST"},
      {"PairSecondHalfWithPrefix", Units({kConst, kConst, U(STORE_FAST__STORE_FAST, 0),
                                          U(EXTENDED_ARG, 0), U(STORE_FAST, 1), kConst, kRet}),
       "superinstruction STORE_FAST__STORE_FAST at unit 2 not followed by a plain STORE_FAST"},
  };
}

class AnalyzeRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(AnalyzeRefuses, WithReason) {
  const AnalysisResult r = Analyze(GetParam().code);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.reason, HasSubstr(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    HandMade, AnalyzeRefuses, ::testing::ValuesIn(Refusals()),
    [](const ::testing::TestParamInfo<Refusal>& info) { return std::string(info.param.label); });

TEST(AnalyzeHandMade, AcceptsIndicesAtTheLimit) {
  // nlocalsplus 3, nconsts 2, nnames 2: the last valid index of each table.
  std::vector<uint16_t> units = {U(LOAD_FAST, 2), U(LOAD_CONST, 1), U(LOAD_GLOBAL, 3), 0, 0, 0,
                                 0, 0, U(LOAD_ATTR, 1), 0, 0, 0, 0, U(BUILD_TUPLE, 3),
                                 U(RETURN_VALUE)};
  const CodeInput c = Units(units, 4);
  const AnalysisResult r = Analyze(c);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.analysis.max_depth, 4);
  EXPECT_EQ(BrokenInvariant(c, r.analysis), "");
}

TEST(AnalyzeHandMade, KwNamesCallIsAccepted) {
  // NULL, callable, arg, KW_NAMES ('name',), PRECALL 1, CALL 1, RETURN_VALUE
  std::vector<uint16_t> units = {U(PUSH_NULL), U(LOAD_CONST, 0), U(LOAD_CONST, 0),
                                 U(KW_NAMES, 1), U(PRECALL, 1), 0, U(CALL, 1), 0, 0, 0, 0,
                                 U(RETURN_VALUE)};
  const AnalysisResult r = Analyze(Units(units));
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.analysis.instrs[5].opcode, CALL);
  EXPECT_EQ(r.analysis.instrs[5].kwnames, 1);
  EXPECT_EQ(r.analysis.depth[5], 3);
  EXPECT_EQ(r.analysis.depth[6], 1);
}

// --- robustness ------------------------------------------------------------------------

// A random unit: often a common, well-formed instruction (so inputs get through to the
// depth pass), otherwise any byte pair.
uint16_t RandomUnit(std::mt19937& rng) {
  static const uint16_t kCommon[] = {
      U(LOAD_CONST, 0), U(LOAD_FAST, 0), U(POP_TOP), U(NOP), U(RETURN_VALUE), U(BINARY_OP, 0),
      U(JUMP_FORWARD, 1), U(POP_JUMP_FORWARD_IF_TRUE, 2), U(JUMP_BACKWARD, 3), U(COPY, 1),
      U(SWAP, 2), U(BUILD_TUPLE, 2), U(FOR_ITER, 2), U(GET_ITER), U(PUSH_EXC_INFO)};
  if (rng() % 4 != 0) return kCommon[rng() % (sizeof(kCommon) / sizeof(kCommon[0]))];
  const int op = static_cast<int>(rng() % 256);
  const int arg = rng() % 3 == 0 ? static_cast<int>(rng() % 256) : static_cast<int>(rng() % 4);
  return U(op, arg);
}

std::string RandomTable(std::mt19937& rng) {
  std::string t;
  const int n = static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) {
    const int b = static_cast<int>(rng() % 256);
    t.push_back(static_cast<char>(i % 4 == 0 && rng() % 2 ? (b | 0x80) : (b & 0x7f)));
  }
  return t;
}

void ExpectCleanOutcome(const CodeInput& c) {
  const AnalysisResult r = Analyze(c);
  if (r.ok) {
    EXPECT_EQ(BrokenInvariant(c, r.analysis), "");
  } else {
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST(AnalyzeRobustness, RandomInputs) {
  std::mt19937 rng(20240611);
  int accepted = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    std::vector<uint16_t> units(1 + rng() % 24);
    for (uint16_t& u : units) u = RandomUnit(rng);
    if (rng() % 2) units.push_back(U(RETURN_VALUE));
    CodeInput c = Units(units, static_cast<int>(rng() % 10));
    c.nlocalsplus = static_cast<int>(rng() % 5);
    c.nconsts = static_cast<int>(rng() % 5);
    c.nnames = static_cast<int>(rng() % 5);
    c.const_is_tuple_of_str.assign(c.nconsts, rng() % 2);
    if (rng() % 3 == 0) c.exception_table = RandomTable(rng);
    const AnalysisResult r = Analyze(c);
    accepted += r.ok;
    if (r.ok) {
      ASSERT_EQ(BrokenInvariant(c, r.analysis), "") << "iteration " << iter;
    } else {
      ASSERT_FALSE(r.reason.empty()) << "iteration " << iter;
    }
  }
  EXPECT_GT(accepted, 100);  // the generator does get past the depth pass
}

TEST(AnalyzeRobustness, MutatedRealCode) {
  PyRef code(reinterpret_cast<PyObject*>(test::CompileFunctionCode(
      "def f(xs, d):\n"
      "    t = 0\n"
      "    for x in xs:\n"
      "        try:\n            t += d[x]\n"
      "        except KeyError:\n            t -= 1\n"
      "        finally:\n            t *= 2\n"
      "    with open('/dev/null') as fh:\n        print(t, file=fh)\n"
      "    return [y for y in xs if y], t\n", "f")));
  ASSERT_TRUE(code);
  const CodeInput base = test::InputFor(reinterpret_cast<PyCodeObject*>(code.get()));
  ASSERT_TRUE(Analyze(base).ok);
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; ++iter) {
    CodeInput c = base;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 5) {
        case 0: c.units[rng() % c.units.size()] = RandomUnit(rng); break;
        case 1: c.units[rng() % c.units.size()] ^= static_cast<uint16_t>(1u << (rng() % 16)); break;
        case 2: c.units.resize(rng() % (c.units.size() + 1)); if (c.units.empty()) c.units.push_back(0); break;
        case 3:
          if (!c.exception_table.empty())
            c.exception_table[rng() % c.exception_table.size()] ^= static_cast<char>(1 << (rng() % 8));
          break;
        default: c.stacksize = static_cast<int>(rng() % 8); break;
      }
    }
    ExpectCleanOutcome(c);
    if (::testing::Test::HasFailure()) FAIL() << "iteration " << iter;
  }
}

TEST(AnalyzeRobustness, HugeOpargsAndLongPrefixChains) {
  std::vector<uint16_t> units;
  for (int i = 0; i < 3; ++i) units.push_back(U(EXTENDED_ARG, 0x7f));
  units.push_back(U(BUILD_MAP, 0xff));  // oparg 0x7f7f7fff: effect far beyond any stack
  units.push_back(U(RETURN_VALUE));
  AnalysisResult r = Analyze(Units(units));
  EXPECT_FALSE(r.ok);
  for (int op : {int{JUMP_FORWARD}, int{JUMP_BACKWARD}, int{UNPACK_SEQUENCE}, int{BUILD_TUPLE}}) {
    units[3] = U(op, 0xff);
    r = Analyze(Units(units));
    EXPECT_FALSE(r.ok) << OpcodeName(static_cast<uint8_t>(op));
  }
  CodeInput many = Units(std::vector<uint16_t>(5000, U(EXTENDED_ARG, 1)));
  many.units.push_back(U(RETURN_VALUE));
  r = Analyze(many);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.reason, HasSubstr("too many EXTENDED_ARG"));
}

// Quickened pairs (superinstructions.cc): the second half runs under the first half's
// prev_instr; a chain alternates; a jump target inside a chain makes it path-dependent.
TEST(AnalyzeHandMade, SuperinstructionDispatchPositions) {
  const uint16_t kRet = U(RETURN_VALUE);
  // 0 LOAD_FAST__LOAD_FAST a, 1 LOAD_FAST__LOAD_FAST b, 2 LOAD_FAST c, 3 BUILD_TUPLE 3, 4 RETURN
  const AnalysisResult chain = Analyze(Units({U(LOAD_FAST__LOAD_FAST, 0), U(LOAD_FAST__LOAD_FAST, 1),
                                              U(LOAD_FAST, 2), U(BUILD_TUPLE, 3), kRet}));
  ASSERT_TRUE(chain.ok) << chain.reason;
  EXPECT_EQ(chain.analysis.dispatch_pos, (std::vector<int>{0, 0, 2, 3, 4}));

  // 0 LOAD_FAST x; 1 POP_JUMP_FORWARD_IF_FALSE +2 -> 4; 2 LOAD_CONST; 3 STORE_FAST__LOAD_FAST;
  // 4 LOAD_FAST__LOAD_FAST (jump target, second half on fall-through); 5 LOAD_FAST;
  // 6 BUILD_TUPLE 2; 7 RETURN_VALUE
  const AnalysisResult join = Analyze(Units({U(LOAD_FAST, 1), U(POP_JUMP_FORWARD_IF_FALSE, 2),
                                             U(LOAD_CONST, 0), U(STORE_FAST__LOAD_FAST, 2),
                                             U(LOAD_FAST__LOAD_FAST, 0), U(LOAD_FAST, 2),
                                             U(BUILD_TUPLE, 2), kRet}));
  ASSERT_TRUE(join.ok) << join.reason;
  EXPECT_EQ(join.analysis.dispatch_pos,
            (std::vector<int>{0, 1, 2, 3, kDispatchVaries, kDispatchVaries, 6, 7}));
}

}  // namespace
}  // namespace pyjion::frontend

