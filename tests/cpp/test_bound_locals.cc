// The frontend's definitely-bound locals (bound_locals.cc) on real functions: which
// LOAD_FASTs read a local that holds a value on every path (no unbound check needed).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/analysis.h"
#include "py_fixture.h"

namespace pyjion::test {
namespace {

// For each LOAD_FAST of `func` in `source`, in code order: whether its local is known bound.
std::vector<bool> LoadFastFacts(const char* source, const char* func = "f") {
  const frontend::CodeInput input = InputFor(source, func);
  const frontend::AnalysisResult r = frontend::Analyze(input);
  EXPECT_TRUE(r.ok) << r.reason;
  std::vector<bool> facts;
  for (size_t i = 0; i < r.analysis.instrs.size(); ++i) {
    const frontend::Instr& in = r.analysis.instrs[i];
    if (in.opcode == frontend::LOAD_FAST && r.analysis.depth[i] >= 0)
      facts.push_back(frontend::LocalBound(r.analysis, static_cast<int>(i), in.oparg));
  }
  return facts;
}

TEST(BoundLocals, ParametersOfEveryKindAreBound) {
  EXPECT_EQ(LoadFastFacts("def f(a, b=1, *args, c, d=2, **kw):\n"
                          "    return a, b, args, c, d, kw\n"),
            (std::vector<bool>{true, true, true, true, true, true}));
}

TEST(BoundLocals, AssignedOnOnePathOnlyIsNotBound) {
  EXPECT_EQ(LoadFastFacts("def f(c):\n    if c:\n        x = 1\n    return x\n"),
            (std::vector<bool>{true, false}));
}

TEST(BoundLocals, AssignedOnEveryPathIsBound) {
  EXPECT_EQ(LoadFastFacts("def f(c):\n    if c:\n        x = 1\n    else:\n        x = 2\n"
                          "    return x\n"),
            (std::vector<bool>{true, true}));
}

TEST(BoundLocals, DeleteUnbindsAndALoadBindsForWhatFollows) {
  // x after del: unbound; the second read of y follows a first read that succeeded
  EXPECT_EQ(LoadFastFacts("def f(x, c):\n    del x\n    if c:\n        y = 1\n"
                          "    return (y, y, x)\n"),
            (std::vector<bool>{true, false, true, false}));
}

TEST(BoundLocals, LoopsReachAFixpoint) {
  // i is bound inside the loop and after it only where the loop ran: not after
  EXPECT_EQ(LoadFastFacts("def f(n):\n    t = 0\n    for i in range(n):\n        t += i\n"
                          "    return t, i\n"),
            (std::vector<bool>{true, true, true, true, false}));
}

TEST(BoundLocals, InPlaceStrAppendMayLeaveItsLocalUnboundInAHandler) {
  // s += t may fail with s already taken (ceval's BINARY_OP_INPLACE_ADD_UNICODE): the
  // handler cannot count on s; after the STORE_FAST s is bound again
  EXPECT_EQ(LoadFastFacts("def f(s, t):\n    try:\n        s += t\n        r = s\n"
                          "    except MemoryError:\n        return s\n    return r\n"),
            (std::vector<bool>{true, true, true, false, true}));
}

TEST(BoundLocals, HandlersStartFromWhatEveryCoveredInstructionHad) {
  // v is assigned inside the try: the handler cannot count on it
  EXPECT_EQ(LoadFastFacts("def f(g):\n    try:\n        v = g()\n    except Exception:\n"
                          "        return v\n    return v\n"),
            (std::vector<bool>{true, false, true}));
}

}  // namespace
}  // namespace pyjion::test
