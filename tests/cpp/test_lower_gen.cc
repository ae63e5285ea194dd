// Lowering tests for generator bodies (lower_gen.cc and Lowering's resume dispatch): where
// the machine code goes on when a generator is resumed, and how YIELD_VALUE suspends it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lowering_fixture.h"
#include "runtime/helpers_gen.h"
#include "runtime/shim.h"

namespace pyjion::test {
namespace {

using ::testing::_;
using ::testing::AnyNumber;
using ::testing::InSequence;
using x64::IsHelper;
using x64::Reg;

constexpr const char* kTwoYields = "def g(a):\n    yield a\n    yield a + 1\n";

TEST(LowerGenerator, EntryDispatchesOnPrevInstrToEveryResumePointElseGivesUp) {
  LoweringTest t(kTwoYields, "g");
  EXPECT_CALL(t.pa, LoadImm(_, _)).Times(AnyNumber());
  std::vector<int> units;
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Prologue()).RetiresOnSaturation();
    EXPECT_CALL(t.pa, BranchIfPrevInstrAt(_, _)).Times(3).WillRepeatedly([&units](int u, x64::Label) {
      units.push_back(u);
    });
    EXPECT_CALL(t.pa, LoadImm(Reg::kRet, reinterpret_cast<uint64_t>(PJ_NOT_RESUMABLE)))
        .RetiresOnSaturation();
  }
  ASSERT_TRUE(t.EmitAll());
  const auto& resume = t.result.analysis.resume;
  ASSERT_EQ(units.size(), resume.size());
  for (size_t i = 0; i < units.size(); ++i) EXPECT_EQ(units[i], resume[i].prev_unit);
}

TEST(LowerGenerator, YieldValueSuspendsAndReturnsWithTheStackInTheFrame) {
  // yield a: [a] -> suspended with an empty stack, prev_instr on the YIELD_VALUE
  LoweringTest t(kTwoYields, "g");
  const frontend::Instr& yield = t.Find(frontend::YIELD_VALUE);
  auto* co = reinterpret_cast<PyCodeObject*>(t.code.get());
  EXPECT_CALL(t.pa, SetPrevInstr(_)).Times(AnyNumber());
  EXPECT_CALL(t.pa, Epilogue(_)).Times(AnyNumber());
  {
    InSequence seq;
    EXPECT_CALL(t.pa, SetGeneratorSuspended());
    EXPECT_CALL(t.pa, SetPrevInstr(yield.index)).RetiresOnSaturation();
    EXPECT_CALL(t.pa, Epilogue(co->co_nlocalsplus + 0)).RetiresOnSaturation();
  }
  ASSERT_TRUE(t.Emit(frontend::YIELD_VALUE));
}

TEST(LowerGenerator, SendJumpsWhenTheReceiverReturned) {
  LoweringTest t("def g(it):\n    r = yield from it\n    return r\n", "g");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_send), _));
    EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _)).RetiresOnSaturation();
    EXPECT_CALL(t.pa, BranchIfNotZero(Reg::kRet, _)).RetiresOnSaturation();
  }
  ASSERT_TRUE(t.Emit(frontend::SEND));
}

TEST(LowerGenerator, OrdinaryFunctionsHaveNoResumeDispatch) {
  LoweringTest t("def f(a):\n    return a\n", "f");
  EXPECT_CALL(t.pa, BranchIfPrevInstrAt(_, _)).Times(0);
  ASSERT_TRUE(t.EmitAll());
}

}  // namespace
}  // namespace pyjion::test
