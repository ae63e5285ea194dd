// Tests for frontend::StackEffect and frontend::ComputeDepths.
//  * StackEffect against dis.stack_effect for every base opcode and several opargs; the
//    three opcodes whose runtime effect differs (PRECALL, CALL, RETURN_GENERATOR) are
//    checked against ceval's behaviour instead.
//  * ComputeDepths against the interpreter itself: real functions run under an opcode
//    tracer that reads frame->stacktop (valid while ceval calls the tracer) at every
//    instruction, so each traced depth is the true runtime depth before that instruction.
//  * Hand-made code for merges, handlers, unreachable code and every refusal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "frontend/analysis.h"
#include "py_fixture.h"

namespace pyjion::frontend {
namespace {

using test::PyRef;
using ::testing::HasSubstr;

uint16_t U(int op, int arg = 0) { return static_cast<uint16_t>(op | (arg << 8)); }

Instr Make(uint8_t op, int oparg = 0) {
  Instr in;
  in.opcode = op;
  in.live_opcode = op;
  in.oparg = oparg;
  return in;
}

int Effect(uint8_t op, int oparg, bool jump) {
  int e = 12345;
  EXPECT_TRUE(StackEffect(Make(op, oparg), jump, &e)) << OpcodeName(op);
  return e;
}

// --- StackEffect ---------------------------------------------------------------------

constexpr char kEffectOracle[] = R"PY(
import dis, opcode
def effects():
    rows = []
    for name, op in opcode.opmap.items():
        for arg in (0, 1, 2, 3, 4, 7, 15, 0x102, 0x305):
            a = arg if op >= opcode.HAVE_ARGUMENT else None
            for jump in (False, True):
                rows.append((op, arg, int(jump), dis.stack_effect(op, a, jump=jump)))
    return rows
)PY";

TEST(StackEffect, MatchesDisExceptWhereRuntimeDiffers) {
  PyRef globals(test::ExecSource(kEffectOracle));
  ASSERT_TRUE(globals);
  std::vector<std::vector<long long>> rows;
  ASSERT_TRUE(test::CallForIntRows(PyDict_GetItemString(globals.get(), "effects"), nullptr,
                                   &rows));
  ASSERT_GT(rows.size(), 1000u);
  for (const auto& r : rows) {
    const auto op = static_cast<uint8_t>(r[0]);
    const int oparg = static_cast<int>(r[1]);
    const bool jump = r[2] != 0;
    if (op == CACHE) continue;  // not an instruction
    if (op == PRECALL || op == CALL || op == RETURN_GENERATOR) continue;  // below
    int e = 0;
    ASSERT_TRUE(StackEffect(Make(op, oparg), jump, &e)) << OpcodeName(op);
    EXPECT_EQ(e, r[3]) << OpcodeName(op) << " oparg " << oparg << " jump " << jump;
  }
}

TEST(StackEffect, RuntimeEffectsThatDifferFromDis) {
  for (int n : {0, 1, 2, 5}) {
    EXPECT_EQ(Effect(PRECALL, n, false), 0);           // dis: -n
    EXPECT_EQ(Effect(CALL, n, false), -(n + 1));       // dis: -1
  }
  EXPECT_EQ(Effect(RETURN_GENERATOR, 0, false), 1);  // the resumed frame has the sent value
}

TEST(StackEffect, SpotChecks) {
  EXPECT_EQ(Effect(LOAD_GLOBAL, 0, false), 1);
  EXPECT_EQ(Effect(LOAD_GLOBAL, 1, false), 2);
  EXPECT_EQ(Effect(LOAD_METHOD, 0, false), 1);
  EXPECT_EQ(Effect(FOR_ITER, 4, false), 1);
  EXPECT_EQ(Effect(FOR_ITER, 4, true), -1);
  EXPECT_EQ(Effect(SEND, 4, false), 0);
  EXPECT_EQ(Effect(SEND, 4, true), -1);
  EXPECT_EQ(Effect(JUMP_IF_TRUE_OR_POP, 4, false), -1);
  EXPECT_EQ(Effect(JUMP_IF_TRUE_OR_POP, 4, true), 0);
  EXPECT_EQ(Effect(POP_JUMP_BACKWARD_IF_NONE, 4, true), -1);
  EXPECT_EQ(Effect(BUILD_MAP, 3, false), -5);
  EXPECT_EQ(Effect(BUILD_CONST_KEY_MAP, 3, false), -3);
  EXPECT_EQ(Effect(BUILD_SLICE, 3, false), -2);
  EXPECT_EQ(Effect(UNPACK_EX, 0x0201, false), 3);
  EXPECT_EQ(Effect(MAKE_FUNCTION, 0xb, false), -3);
  EXPECT_EQ(Effect(CALL_FUNCTION_EX, 1, false), -3);
  EXPECT_EQ(Effect(FORMAT_VALUE, 4, false), -1);
  EXPECT_EQ(Effect(END_ASYNC_FOR, 0, false), -2);
  EXPECT_EQ(Effect(MATCH_CLASS, 2, false), -2);
  EXPECT_EQ(Effect(COPY, 3, false), 1);
  EXPECT_EQ(Effect(SWAP, 3, false), 0);
}

TEST(StackEffect, UnknownAndAbsurd) {
  int e = 0;
  EXPECT_FALSE(StackEffect(Make(CACHE), false, &e));
  EXPECT_FALSE(StackEffect(Make(0xee), false, &e));
  EXPECT_FALSE(StackEffect(Make(BUILD_MAP, 0x7fffffff), false, &e));
}

// --- ComputeDepths against the running interpreter ------------------------------------

// Runs drive() with an opcode tracer on frames of `code`, recording (unit, depth) before
// each traced instruction. frame.f_frame is at offset 24 of PyFrameObject in 3.11; in the
// _PyInterpreterFrame, f_code is at 32 and stacktop at 64 (stacktop = nlocalsplus + depth).
// A row (-1, -1) means the layout check failed.
constexpr char kTraceOracle[] = R"PY(
import sys, ctypes
def trace_depths(code, nlocalsplus, drive):
    rows = []
    def local(frame, event, arg):
        if event == 'opcode':
            iframe = ctypes.c_void_p.from_address(id(frame) + 24).value
            if ctypes.c_void_p.from_address(iframe + 32).value != id(frame.f_code):
                rows.append((-1, -1))
            else:
                top = ctypes.c_int.from_address(iframe + 64).value
                rows.append((frame.f_lasti // 2, top - nlocalsplus))
        return local
    def calls(frame, event, arg):
        if frame.f_code is code:
            frame.f_trace_opcodes = True
            return local
        return None
    old = sys.gettrace()
    sys.settrace(calls)
    try:
        drive()
    finally:
        sys.settrace(old)
    return rows
)PY";

// A source defining CODE (the code object to check) and drive() (exercises it).
struct TraceCase {
  const char* label;
  const char* source;
};

void PrintTo(const TraceCase& c, std::ostream* os) { *os << c.label; }

// Position of the instruction containing `unit` (its prefix or opcode unit), or -1.
int InstrContaining(const Analysis& a, int unit) {
  for (size_t i = 0; i < a.instrs.size(); ++i)
    if (a.instrs[i].start <= unit && unit <= a.instrs[i].index) return static_cast<int>(i);
  return -1;
}

// Checks every traced depth; returns the base opcodes that were executed.
std::set<int> CheckAgainstTrace(const TraceCase& tc) {
  std::set<int> seen;
  PyRef oracle(test::ExecSource(kTraceOracle));
  PyRef globals(test::ExecSource(tc.source));
  if (!oracle || !globals) {
    ADD_FAILURE() << "could not run the oracle or the case";
    return seen;
  }
  PyObject* code = PyDict_GetItemString(globals.get(), "CODE");
  PyObject* drive = PyDict_GetItemString(globals.get(), "drive");
  if (!code || !PyCode_Check(code) || !drive) {
    ADD_FAILURE() << "case must define CODE and drive";
    return seen;
  }
  const CodeInput before = test::InputFor(reinterpret_cast<PyCodeObject*>(code));
  PyRef args(Py_BuildValue("(OiO)", code, before.nlocalsplus, drive));
  std::vector<std::vector<long long>> rows;
  if (!test::CallForIntRows(PyDict_GetItemString(oracle.get(), "trace_depths"), args.get(),
                            &rows)) {
    ADD_FAILURE() << "tracing failed";
    return seen;
  }
  AnalysisResult r = Analyze(test::InputFor(reinterpret_cast<PyCodeObject*>(code)));
  if (!r.ok) {
    ADD_FAILURE() << "Analyze refused: " << r.reason;
    return seen;
  }
  EXPECT_GT(rows.size(), 3u);
  for (const auto& row : rows) {
    const int unit = static_cast<int>(row[0]);
    if (unit < 0) {
      ADD_FAILURE() << "frame layout check failed";
      return seen;
    }
    const int pos = InstrContaining(r.analysis, unit);
    if (pos < 0) {
      ADD_FAILURE() << "traced unit " << unit << " is not in any instruction";
      continue;
    }
    const Instr& in = r.analysis.instrs[pos];
    seen.insert(in.opcode);
    EXPECT_EQ(r.analysis.depth[pos], row[1])
        << tc.label << ": " << OpcodeName(in.opcode) << " at unit " << in.index;
  }
  return seen;
}

const TraceCase kTraceCases[] = {
    {"Branches", R"PY(
def f(n, xs):
    t = 0
    for i in range(n):
        if i % 3 == 0 or i == 4:
            continue
        if t > 100 and i:
            break
        t += i if i > 2 else -i
    while t > 10:
        t -= 7
    a = 1 < n < 20
    b = xs and xs[0] or None
    c = (y := n + 1) is not None
    d = None if xs is None else len(xs)
    return t, a, b, c, d, y
CODE = f.__code__
def drive():
    f(10, [1]); f(50, []); f(0, None)
)PY"},
    {"TryExceptFinally", R"PY(
def f(x, y):
    try:
        try:
            r = x / y
        except ZeroDivisionError as e:
            r = str(e)
        except (TypeError, ValueError):
            raise
        else:
            r += 1
        finally:
            x = None
    except TypeError as e2:
        try:
            raise KeyError('k') from e2
        except KeyError:
            r = -1
    for i in range(3):
        try:
            if i == 1:
                continue
            if i == 2:
                break
        finally:
            y = i
    try:
        return r
    finally:
        r = 0
CODE = f.__code__
def drive():
    f(1, 2); f(1, 0); f('a', 2)
)PY"},
    {"With", R"PY(
class CM:
    def __init__(self, swallow): self.swallow = swallow
    def __enter__(self): return self
    def __exit__(self, *a): return self.swallow
def f(swallow, fail):
    out = []
    with CM(swallow) as a, CM(True):
        out.append(a)
        if fail:
            raise ValueError
    with CM(swallow):
        for i in range(2):
            out.append(i)
            if fail:
                1 / 0
    return out
CODE = f.__code__
def drive():
    f(False, False); f(True, True)
    try:
        f(False, True)
    except ZeroDivisionError:
        pass
)PY"},
    {"Comprehension", R"PY(
def f(xs):
    k = 3
    return [x * k for x in xs if x % 2]
CODE = [c for c in f.__code__.co_consts if hasattr(c, 'co_code')][0]
def drive():
    f(range(10))
)PY"},
    {"CallsAndBuilds", R"PY(
import os.path
G = 1
def g(*a, **k): return a, k
class O:
    def m(self, a, b=2): return a + b
def f(xs, d, o):
    global G
    assert xs, 'msg'
    a = g(1, 2, x=3, y=4)
    b = g(*xs, *xs, **d, **{'z': 1})
    c = g(*xs)
    e = o.m(1, b=3) + o.m(2)
    s = f'{a!r:>10}{len(xs)}{e:{3}}x'
    t = xs[1:2], xs[::2], xs[1:]
    p, *q, r = xs
    u, v = xs[0], xs[1]
    m = {1: 2, 'a': b}, {'k': 1, 'j': 2}, {1, *xs}, (*xs, 1), [*xs]
    G = G + 1
    del u
    from os.path import join, sep
    h = lambda w=1, *, z=2: w + z + p
    def inner():
        nonlocal p
        p = p + 1
        return p
    inner()
    del p
    return a, b, c, e, s, t, q, r, v, m, join, sep, h, isinstance(xs, list), os.path.sep
CODE = f.__code__
def drive():
    f([1, 2, 3, 4], {'w': 5}, O())
    try:
        f([], {}, O())
    except AssertionError:
        pass
)PY"},
    {"Misc", R"PY(
H = 0
class O:
    pass
def f(x, xs, d, o):
    global H
    a = (+x, -x, ~x, not x, x in xs, x not in xs, x is None)
    o.attr = a
    d['k'] = o.attr
    del d['k']
    del o.attr
    H = 1
    del H
    if xs is not None:
        while xs is not None:
            xs = None
    while x:
        x = x - 1
    ys = None
    while ys is None:
        ys = x
    dd = {**d, 'q': 1}
    return a, dd
CODE = f.__code__
def drive():
    f(3, [1, 3], {}, O())
)PY"},
    {"SetComprehension", R"PY(
def f(xs):
    return {x % 3 for x in xs}
CODE = [c for c in f.__code__.co_consts if hasattr(c, 'co_code')][0]
def drive():
    f(range(10))
)PY"},
    {"DictComprehension", R"PY(
def f(xs):
    return {x: x * x for x in xs if x}
CODE = [c for c in f.__code__.co_consts if hasattr(c, 'co_code')][0]
def drive():
    f(range(10))
)PY"},
    {"Match", R"PY(
class P:
    __match_args__ = ('x', 'y')
    def __init__(self, x, y): self.x, self.y = x, y
def f(v):
    match v:
        case 0 | 1:
            return 'small'
        case [a, b, *rest] if a > 0:
            return a + b + len(rest)
        case (x, y):
            return x
        case {'k': k, **others}:
            return k, others
        case P(1, y=2):
            return 'p12'
        case P(x, y) if x:
            return x + y
        case str() as s:
            return s
        case _:
            return None
CODE = f.__code__
def drive():
    for v in (0, 1, [1, 2, 3, 4], [0, 2], (5, 6), {'k': 1, 'j': 2}, P(1, 2), P(3, 4), P(0, 0),
              'abc', 2.5):
        f(v)
)PY"},
    {"ExceptStar", R"PY(
def f(excs):
    r = []
    try:
        try:
            raise ExceptionGroup('g', excs)
        except* ValueError as e:
            r.append(e)
        except* TypeError:
            r.append(2)
            raise
    except* KeyError:
        r.append(3)
    except* TypeError:
        r.append(4)
    return r
CODE = f.__code__
def drive():
    f([ValueError(1)]); f([ValueError(1), TypeError(2)]); f([KeyError(3), ValueError(4)])
)PY"},
    {"Generator", R"PY(
def sub():
    x = yield 1
    yield x
    return 7
def f(n):
    for i in range(n):
        got = yield i
        if got:
            n += 1
    r = yield from sub()
    try:
        yield r
    except KeyError:
        yield 'caught'
CODE = f.__code__
def drive():
    list(f(3))
    g = f(2)
    next(g); g.send(True); next(g); next(g); next(g)
    g.throw(KeyError)
    g.close()
)PY"},
    {"Coroutine", R"PY(
class Ready:
    def __await__(self):
        yield 'suspend'
        return 5
class ACM:
    async def __aenter__(self): return await Ready()
    async def __aexit__(self, *a): return True
class AIter:
    def __init__(self): self.n = 0
    def __aiter__(self): return self
    async def __anext__(self):
        self.n += 1
        if self.n > 3: raise StopAsyncIteration
        return self.n
async def f(fail):
    t = await Ready()
    async with ACM() as c:
        t += c
        if fail: raise ValueError
    async for x in AIter():
        t += x
    return t
CODE = f.__code__
def run(coro):
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        return e.value
def drive():
    run(f(False)); run(f(True))
)PY"},
    {"AsyncGenerator", R"PY(
async def f(n):
    for i in range(n):
        yield i
CODE = f.__code__
def drive():
    ag = f(3)
    for _ in range(3):
        try:
            ag.asend(None).send(None)
        except StopIteration:
            pass
)PY"},
    {"ClassBody", R"PY(
def outer():
    v = 1
    class C:
        x: int = 3
        y = v
        def m(self): return v
    return C
CODE = [c for c in outer.__code__.co_consts if hasattr(c, 'co_code')][0]
def drive():
    outer()
)PY"},
    {"ModuleCode", R"PY(
CODE = compile('from os.path import *\nimport os\nclass K:\n    pass\nz = [1][0]\nif z:\n    del z\n',
               '<module>', 'exec')
def drive():
    exec(CODE, {})
)PY"},
    {"Interactive", R"PY(
import sys
CODE = compile('1 + 2', '<single>', 'single')
def drive():
    old = sys.displayhook
    sys.displayhook = lambda v: None
    try:
        exec(CODE, {})
    finally:
        sys.displayhook = old
)PY"},
};

class DepthsMatchInterpreter : public ::testing::TestWithParam<TraceCase> {};

TEST_P(DepthsMatchInterpreter, AtEveryTracedInstruction) { CheckAgainstTrace(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Real, DepthsMatchInterpreter, ::testing::ValuesIn(kTraceCases),
    [](const ::testing::TestParamInfo<TraceCase>& info) { return std::string(info.param.label); });

// The cases above together must execute (and so cross-check) nearly every opcode.
TEST(DepthsMatchInterpreterCoverage, TracedCasesCoverTheOpcodeSet) {
  std::set<int> seen;
  for (const TraceCase& tc : kTraceCases) {
    std::set<int> s = CheckAgainstTrace(tc);
    seen.insert(s.begin(), s.end());
  }
  std::vector<std::string> missing;
#define PJ_OPCODE(name, num, caches, jump) \
  if (!seen.count(num)) missing.push_back(#name);
#include "frontend/opcodes.def"
  // Never traced as instructions of their own: CACHE and EXTENDED_ARG are folded, and the
  // prologue up to RESUME runs before the tracer's "call" event.
  const std::set<std::string> untraceable = {"CACHE", "EXTENDED_ARG", "RESUME",
                                             "RETURN_GENERATOR", "MAKE_CELL", "COPY_FREE_VARS"};
  std::vector<std::string> unexpected;
  for (const std::string& m : missing)
    if (!untraceable.count(m)) unexpected.push_back(m);
  EXPECT_THAT(unexpected, ::testing::IsEmpty());
}

// --- ComputeDepths on hand-made code -----------------------------------------------

CodeInput Units(std::vector<uint16_t> units, int stacksize = 4) {
  CodeInput c;
  c.units = std::move(units);
  c.stacksize = stacksize;
  c.nlocalsplus = c.nlocals = 4;
  c.nconsts = c.nnames = 4;
  return c;
}

bool Depths(const CodeInput& c, Analysis* a, std::string* reason,
            std::vector<ExceptionEntry> entries = {}) {
  if (!Decode(c, a, reason)) return false;
  a->exception_entries = std::move(entries);
  return ComputeDepths(c, a, reason);
}

TEST(ComputeDepths, StraightLine) {
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Depths(Units({U(RESUME), U(LOAD_CONST), U(LOAD_CONST), U(BINARY_OP), U(0),
                            U(RETURN_VALUE)}), &a, &reason)) << reason;
  EXPECT_EQ((std::vector<int>{0, 0, 1, 2, 1}), a.depth);
  EXPECT_EQ(a.max_depth, 2);
  EXPECT_EQ((std::vector<bool>{true, false, false, false, false}), a.block_start);
  EXPECT_EQ((std::vector<int>{-1, -1, -1, -1, -1}), a.handler);
}

TEST(ComputeDepths, LoopWithForIter) {
  // 0 LOAD_FAST; 1 GET_ITER; 2 FOR_ITER +2 -> 5; 3 STORE_FAST; 4 JUMP_BACKWARD 3 -> 2;
  // 5 LOAD_CONST; 6 RETURN_VALUE
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Depths(Units({U(LOAD_FAST), U(GET_ITER), U(FOR_ITER, 2), U(STORE_FAST),
                            U(JUMP_BACKWARD, 3), U(LOAD_CONST), U(RETURN_VALUE)}),
                     &a, &reason)) << reason;
  EXPECT_EQ((std::vector<int>{0, 1, 1, 2, 1, 0, 1}), a.depth);
  EXPECT_EQ((std::vector<bool>{true, false, true, true, false, true, false}), a.block_start);
  // the STORE_FAST after FOR_ITER starts a block but only FOR_ITER falls into it
  EXPECT_EQ((std::vector<bool>{true, false, true, false, false, true, false}), a.entered);
  EXPECT_EQ(a.max_depth, 2);
}

TEST(ComputeDepths, ConditionalPopJumpOrPop) {
  // 0 LOAD_FAST; 1 JUMP_IF_TRUE_OR_POP +2 -> 4 (keeps value); 2 LOAD_CONST; 3 NOP;
  // 4 RETURN_VALUE: both paths arrive with depth 1.
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Depths(Units({U(LOAD_FAST), U(JUMP_IF_TRUE_OR_POP, 2), U(LOAD_CONST), U(NOP),
                            U(RETURN_VALUE)}), &a, &reason)) << reason;
  EXPECT_EQ((std::vector<int>{0, 1, 0, 1, 1}), a.depth);
}

TEST(ComputeDepths, UnreachableCodeKeepsMinusOne) {
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Depths(Units({U(LOAD_CONST), U(RETURN_VALUE), U(POP_TOP), U(RETURN_VALUE)}), &a,
                     &reason)) << reason;
  EXPECT_EQ((std::vector<int>{0, 1, -1, -1}), a.depth);
  EXPECT_TRUE(a.block_start[2]);
}

TEST(ComputeDepths, ReturnGeneratorLeavesTheSentValue) {
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Depths(Units({U(RETURN_GENERATOR), U(POP_TOP), U(RESUME), U(LOAD_CONST),
                            U(RETURN_VALUE)}), &a, &reason)) << reason;
  EXPECT_EQ((std::vector<int>{0, 1, 0, 0, 1}), a.depth);
}

TEST(ComputeDepths, HandlersGetEntryDepthPlusLastiPlusOne) {
  // 0 NOP; 1 LOAD_CONST; 2 LOAD_CONST; 3 POP_TOP; 4 RETURN_VALUE;
  // handler A (units 2..3, depth 1, lasti) at 5: PUSH_EXC_INFO ...; 9 RERAISE
  // handler B (unit 0, depth 0) at 10: RERAISE 0 (the exception is the one item)
  // entry C covers only unreachable code (unit 11), its handler 12 stays unreachable.
  std::vector<uint16_t> units = {U(NOP), U(LOAD_CONST), U(LOAD_CONST), U(POP_TOP),
                                 U(RETURN_VALUE), U(PUSH_EXC_INFO), U(POP_EXCEPT), U(POP_TOP),
                                 U(POP_TOP), U(RERAISE, 0), U(RERAISE, 0), U(NOP),
                                 U(RETURN_VALUE)};
  std::vector<ExceptionEntry> entries = {{0, 1, 10, 0, false}, {2, 4, 5, 1, true},
                                         {11, 12, 12, 0, false}};
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Depths(Units(units), &a, &reason, entries)) << reason;
  EXPECT_EQ((std::vector<int>{0, 0, 1, 2, 1, 3, 4, 3, 2, 1, 1, -1, -1}), a.depth);
  EXPECT_EQ((std::vector<int>{0, -1, 1, 1, -1, -1, -1, -1, -1, -1, -1, 2, -1}), a.handler);
  EXPECT_EQ((std::vector<int>{10, 5, 12}), a.handler_instr);
  EXPECT_TRUE(a.block_start[5]);
  EXPECT_TRUE(a.block_start[10]);
  EXPECT_TRUE(a.block_start[12]);
  EXPECT_EQ(a.max_depth, 4);
}

TEST(ComputeDepths, HandlerUsesOpcodeUnitNotPrefix) {
  // EXTENDED_ARG at unit 0, LOAD_CONST at unit 1: an entry covering unit 1 applies to the
  // instruction, one covering only the prefix unit 0 does not (ceval looks up the opcode).
  CodeInput c = Units({U(EXTENDED_ARG, 0), U(LOAD_CONST, 1), U(RETURN_VALUE), U(RERAISE)});
  Analysis a;
  std::string reason;
  ASSERT_TRUE(Depths(c, &a, &reason, {{1, 2, 3, 0, false}})) << reason;
  EXPECT_EQ((std::vector<int>{0, -1, -1}), a.handler);
  EXPECT_EQ((std::vector<int>{0, 1, 1}), a.depth);
  ASSERT_TRUE(Depths(c, &a, &reason, {{0, 1, 3, 0, false}})) << reason;
  EXPECT_EQ((std::vector<int>{-1, -1, -1}), a.handler);
  EXPECT_EQ((std::vector<int>{0, 1, -1}), a.depth);
}

struct BadDepth {
  const char* label;
  std::vector<uint16_t> units;
  int stacksize;
  std::vector<ExceptionEntry> entries;
  const char* reason;
};

void PrintTo(const BadDepth& c, std::ostream* os) { *os << c.label; }

class ComputeDepthsRefuses : public ::testing::TestWithParam<BadDepth> {};

TEST_P(ComputeDepthsRefuses, WithReason) {
  const BadDepth& k = GetParam();
  Analysis a;
  std::string reason;
  EXPECT_FALSE(Depths(Units(k.units, k.stacksize), &a, &reason, k.entries));
  EXPECT_THAT(reason, HasSubstr(k.reason));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ComputeDepthsRefuses,
    ::testing::Values(
        BadDepth{"Empty", {}, 4, {}, "empty code"},
        BadDepth{"InconsistentMerge",
                 {U(LOAD_FAST), U(POP_JUMP_FORWARD_IF_TRUE, 1), U(LOAD_CONST), U(LOAD_CONST),
                  U(RETURN_VALUE)},
                 4, {}, "inconsistent stack depth at unit 3: 0 vs 1"},
        BadDepth{"LoopGrowsStack",
                 {U(LOAD_CONST), U(JUMP_BACKWARD, 2)}, 4, {},
                 "inconsistent stack depth at unit 0: 0 vs 1"},
        BadDepth{"BeyondStackSize",
                 {U(LOAD_CONST), U(LOAD_CONST), U(BUILD_TUPLE, 2), U(RETURN_VALUE)}, 1, {},
                 "stack depth 2 exceeds stack size 1 at unit 2"},
        BadDepth{"Underflow", {U(POP_TOP), U(LOAD_CONST), U(RETURN_VALUE)}, 4, {},
                 "stack underflow at unit 0: POP_TOP needs 1"},
        BadDepth{"CallUnderflow",
                 {U(LOAD_CONST), U(LOAD_CONST), U(CALL, 1), U(0), U(0), U(0), U(0),
                  U(RETURN_VALUE)},
                 4, {}, "stack underflow at unit 2: CALL needs 3"},
        BadDepth{"CopyTooDeep", {U(LOAD_CONST), U(COPY, 2), U(RETURN_VALUE)}, 4, {},
                 "stack underflow at unit 1: COPY needs 2"},
        BadDepth{"SwapTooDeep", {U(LOAD_CONST), U(SWAP, 2), U(RETURN_VALUE)}, 4, {},
                 "stack underflow at unit 1: SWAP needs 2"},
        BadDepth{"FallsOffTheEnd", {U(LOAD_CONST), U(POP_TOP)}, 4, {},
                 "execution falls off the end of the code at unit 1"},
        BadDepth{"ConditionalFallsOffTheEnd", {U(LOAD_CONST), U(POP_JUMP_BACKWARD_IF_TRUE, 2)},
                 4, {}, "execution falls off the end of the code at unit 1"},
        BadDepth{"HandlerTargetNotAnInstruction",
                 {U(LOAD_CONST), U(BINARY_SUBSCR), U(0), U(0), U(0), U(0), U(RETURN_VALUE)}, 4,
                 {{0, 1, 3, 0, false}}, "handler target unit 3 is not an instruction start"},
        BadDepth{"HandlerDeeperThanCode",
                 {U(LOAD_CONST), U(RETURN_VALUE), U(RERAISE)}, 4, {{0, 2, 2, 2, false}},
                 "exception handler depth 2 exceeds stack depth 0 at unit 0"},
        BadDepth{"HandlerBeyondStackSize",
                 {U(LOAD_CONST), U(RETURN_VALUE), U(RERAISE)}, 1, {{1, 2, 2, 1, true}},
                 "stack depth 3 exceeds stack size 1 at unit 2"},
        BadDepth{"HandlerInconsistentWithFallThrough",
                 {U(LOAD_CONST), U(POP_TOP), U(LOAD_CONST), U(RETURN_VALUE)}, 4,
                 {{0, 1, 2, 0, false}}, "inconsistent stack depth at unit 2"}),
    [](const ::testing::TestParamInfo<BadDepth>& info) { return std::string(info.param.label); });

}  // namespace
}  // namespace pyjion::frontend

namespace pyjion::frontend {
namespace {

// ---- generators' resume points -------------------------------------------------------------

// The (prev_instr unit, opcode of the instruction resumed at) pairs of a function.
std::vector<std::pair<int, uint8_t>> ResumePoints(const char* source) {
  const CodeInput input = test::InputFor(source, "g");
  const AnalysisResult r = Analyze(input);
  EXPECT_TRUE(r.ok) << r.reason;
  std::vector<std::pair<int, uint8_t>> out;
  for (const Analysis::ResumePoint& p : r.analysis.resume) {
    EXPECT_TRUE(r.analysis.block_start[p.pos]);  // the stack is in the frame there
    out.emplace_back(p.prev_unit, r.analysis.instrs[p.pos].opcode);
  }
  return out;
}

TEST(ResumePoints, AfterReturnGeneratorAndEveryYield) {
  // RETURN_GENERATOR (unit 0) resumes at POP_TOP; each YIELD_VALUE at its RESUME
  const auto points = ResumePoints("def g(a):\n    yield a\n    x = yield a + 1\n");
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0], std::make_pair(0, static_cast<uint8_t>(POP_TOP)));
  EXPECT_EQ(points[1].second, RESUME);
  EXPECT_EQ(points[2].second, RESUME);
  EXPECT_LT(points[1].first, points[2].first);
}

TEST(ResumePoints, YieldFromAlsoResumesAtItsSendTarget) {
  // RETURN_GENERATOR, the YIELD_VALUE of the SEND loop, and the SEND's target: a throw()
  // that ends the delegation leaves prev_instr on the unit before it
  const CodeInput input = test::InputFor("def g(it):\n    r = yield from it\n    return r\n", "g");
  const AnalysisResult r = Analyze(input);
  ASSERT_TRUE(r.ok) << r.reason;
  ASSERT_EQ(r.analysis.resume.size(), 3u);
  int send = -1;
  for (size_t i = 0; i < r.analysis.instrs.size(); ++i)
    if (r.analysis.instrs[i].opcode == SEND) send = static_cast<int>(i);
  ASSERT_GE(send, 0);
  const int target = r.analysis.instrs[send].target;
  int found = 0;
  for (const Analysis::ResumePoint& p : r.analysis.resume) {
    if (p.pos != target) continue;
    ++found;
    EXPECT_EQ(p.prev_unit, r.analysis.instrs[target].start - 1);
  }
  EXPECT_EQ(found, 1);
}

TEST(ResumePoints, OrdinaryFunctionsHaveNone) {
  const CodeInput input = test::InputFor("def g(a):\n    return a\n", "g");
  const AnalysisResult r = Analyze(input);
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.analysis.resume.empty());
}

}  // namespace
}  // namespace pyjion::frontend
