// Lowering tests for the exception, `with` and pattern-matching families: which helper each
// emit_* calls with which stack operands, the depth it leaves on error, and whether its
// error exit adds a traceback entry (the last rt_unwind argument).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "lowering_fixture.h"
#include "runtime/helpers.h"
#include "runtime/helpers_exc.h"

namespace pyjion::test {
namespace {

using ::testing::_;
using ::testing::AnyNumber;
using ::testing::InSequence;
using x64::AAddress;
using x64::AFrame;
using x64::AImm;
using x64::ATstate;
using x64::AValue;
using x64::Arg;
using x64::IsHelper;
using x64::Reg;
using x64::Slot;

// Arguments of the error stub's rt_unwind: (tstate, frame, depth, level, lasti, traceback);
// level -1 means no handler in this frame.
std::vector<Arg> Unwind(int depth, int level, bool lasti, bool traceback) {
  return {ATstate(), AFrame(), AImm(depth), AImm(static_cast<uint64_t>(level)),
          AImm(lasti ? 1 : 0), AImm(traceback ? 1 : 0)};
}

constexpr const char* kRaise = "def f(e):\n    raise e\n";
constexpr const char* kRaiseFrom = "def f(e, c):\n    raise e from c\n";
constexpr const char* kBareRaise = "def f():\n    raise\n";
// RAISE_VARARGS 1 at depth 1 inside the try; the handler is PUSH_EXC_INFO; RERAISE 0 (the
// finally's re-raise, depth 2, cleanup handler at level 1 with lasti); COPY 3; POP_EXCEPT;
// RERAISE 1 (depth 3, no handler).
constexpr const char* kTryFinally =
    "def f(e):\n    try:\n        raise e\n    finally:\n        pass\n";
constexpr const char* kTryExcept =
    "def f(e, t):\n    try:\n        raise e\n    except t:\n        return 1\n";
constexpr const char* kWith = "def f(cm):\n    with cm as x:\n        return x\n";

TEST(LowerRaise, RaiseOneOperandAddsATracebackEntry) {
  LoweringTest t(kRaise, "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_raise),
                                 std::vector<Arg>{ATstate(), AValue(Slot::Stack(0)), AImm(0)}));
    EXPECT_CALL(t.pa, BranchIfNotZero(_, _)).Times(0);
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(0, -1, false, true)));
  }
  ASSERT_TRUE(t.Emit(frontend::RAISE_VARARGS));
}

TEST(LowerRaise, RaiseFromPassesExceptionAndCause) {
  LoweringTest t(kRaiseFrom, "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_raise),
                               std::vector<Arg>{ATstate(), AValue(Slot::Stack(0)),
                                                AValue(Slot::Stack(1))}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(0, -1, false, true)));
  ASSERT_TRUE(t.Emit(frontend::RAISE_VARARGS));
}

TEST(LowerRaise, BareRaiseReraisesWithoutTracebackEntry) {
  LoweringTest t(kBareRaise, "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_raise),
                                 std::vector<Arg>{ATstate(), AImm(0), AImm(0)}));
    EXPECT_CALL(t.pa, BranchIfNotZero(Reg::kRet, _));  // 1: re-raised the handled exception
  }
  // Both exits exist: no traceback entry for the re-raise, one for "No active exception".
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(0, -1, false, false)));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(0, -1, false, true)));
  ASSERT_TRUE(t.Emit(frontend::RAISE_VARARGS));
}

TEST(LowerRaise, RaiseInsideTryUnwindsToTheHandler) {
  LoweringTest t(kTryFinally, "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(0, 0, false, true)));
  ASSERT_TRUE(t.Emit(frontend::RAISE_VARARGS));
}

TEST(LowerReraise, ReraiseZeroHasNoTracebackAndCannotFailOtherwise) {
  LoweringTest t(kTryFinally, "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_reraise),
                               std::vector<Arg>{AFrame(), AValue(Slot::Stack(1)), AImm(0)}));
  // The only exit: depth 2 (prev_exc, exc) minus the exception, no traceback entry; the
  // cleanup handler keeps 1 and pushes lasti.
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(1, 1, true, false)));
  ASSERT_TRUE(t.Emit(frontend::RERAISE, 0));
}

TEST(LowerReraise, ReraiseWithLastiResetsPrevInstrFirst) {
  LoweringTest t(kTryFinally, "f");
  {
    InSequence seq;
    // Stack: prev_exc, lasti, exc (COPY 3 / POP_EXCEPT went before). PEEK(oparg + 1) is the
    // lasti int the unwinder pushed.
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_reraise),
                                 std::vector<Arg>{AFrame(), AValue(Slot::Stack(2)),
                                                  AValue(Slot::Stack(1))}));
    EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _));  // lasti not an int: SystemError
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(3, -1, false, true)));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(2, -1, false, false)));
  ASSERT_TRUE(t.Emit(frontend::RERAISE, 1));
}

TEST(LowerExcInfo, PushExcInfoRewritesTheTopSlotInPlace) {
  LoweringTest t(kTryFinally, "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_push_exc_info),
                               std::vector<Arg>{ATstate(), AAddress(Slot::Stack(0))}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), _)).Times(0);  // cannot fail
  ASSERT_TRUE(t.Emit(frontend::PUSH_EXC_INFO));
}

TEST(LowerExcInfo, PopExceptHandsThePreviousExceptionBack) {
  LoweringTest t(kTryFinally, "f");
  // The cleanup handler: prev_exc, lasti, exc; COPY 3 pushes prev_exc again, and
  // POP_EXCEPT pops that copy from the top (slot 3).
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_pop_except),
                               std::vector<Arg>{ATstate(), AValue(Slot::Stack(3))}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::POP_EXCEPT));
}

TEST(LowerCheckExcMatch, FusedWithTheJumpBranchesOnTheHelperResult) {
  LoweringTest t(kTryExcept, "f");
  {
    InSequence seq;
    // Stack: prev_exc, exc, type.
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_check_exc_match),
                                 std::vector<Arg>{ATstate(), AValue(Slot::Stack(1)),
                                                  AValue(Slot::Stack(2))}));
    EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));  // POP_JUMP_FORWARD_IF_FALSE
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_check_exc_match_obj), _)).Times(0);
  EXPECT_CALL(t.pa, PollEvalBreaker(_)).Times(0);
  // type is consumed: error depth 2, inside the cleanup handler (level 1, lasti).
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(2, 1, true, true)));
  ASSERT_TRUE(t.Emit(frontend::CHECK_EXC_MATCH));
}

TEST(LowerWith, BeforeWithSwapsInPlaceAndKeepsTheDepthOnError) {
  LoweringTest t(kWith, "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_before_with),
                                 ::testing::ElementsAre(ATstate(), AAddress(Slot::Stack(0)), _)));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Store(Slot::Stack(1), Reg::kRet));
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(1, -1, false, true)));
  ASSERT_TRUE(t.Emit(frontend::BEFORE_WITH));
}

TEST(LowerWith, WithExceptStartCallsExitFromFourBelow) {
  LoweringTest t(kWith, "f");
  // Stack in the handler: exit, lasti, prev_exc, exc.
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_with_except_start),
                                 std::vector<Arg>{AValue(Slot::Stack(0)),
                                                  AValue(Slot::Stack(3))}));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Store(Slot::Stack(4), Reg::kRet));
  }
  // Its cleanup handler keeps exit, lasti, prev_exc (level 3) and pushes lasti again.
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(4, 3, true, true)));
  ASSERT_TRUE(t.Emit(frontend::WITH_EXCEPT_START));
}

TEST(LowerAssert, LoadAssertionErrorIsInline) {
  LoweringTest t("def f(x):\n    assert x\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, LoadImm(Reg::kTmp0, reinterpret_cast<uint64_t>(PyExc_AssertionError)));
    EXPECT_CALL(t.pa, IncRef(Reg::kTmp0));
    EXPECT_CALL(t.pa, Store(Slot::Stack(0), Reg::kTmp0));
  }
  EXPECT_CALL(t.pa, CallHelper(_, _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::LOAD_ASSERTION_ERROR));
}

constexpr const char* kMatch =
    "def f(s, C):\n"
    "    match s:\n"
    "        case C(x):\n"
    "            return x\n"
    "        case {'a': 1}:\n"
    "            return 2\n"
    "        case [1]:\n"
    "            return 3\n";

TEST(LowerMatch, MatchClassWritesOverTheSubjectAndKeepsItOnError) {
  LoweringTest t(kMatch, "f");
  // Stack: s, s (COPY 1), C, names.
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_match_class),
                               std::vector<Arg>{ATstate(), AAddress(Slot::Stack(1)), AImm(1)}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(2, -1, false, true)));
  ASSERT_TRUE(t.Emit(frontend::MATCH_CLASS));
}

TEST(LowerMatch, MatchKeysBorrowsSubjectAndKeys) {
  LoweringTest t(kMatch, "f");
  // Stack: s, s (COPY 1), keys.
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_match_keys),
                                 std::vector<Arg>{ATstate(), AValue(Slot::Stack(1)),
                                                  AValue(Slot::Stack(2))}));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Store(Slot::Stack(3), Reg::kRet));
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Unwind(3, -1, false, true)));
  ASSERT_TRUE(t.Emit(frontend::MATCH_KEYS));
}

TEST(LowerMatch, MatchMappingAndSequenceCannotFail) {
  for (uint8_t op : {frontend::MATCH_MAPPING, frontend::MATCH_SEQUENCE}) {
    LoweringTest t(kMatch, "f");
    const void* helper = op == frontend::MATCH_MAPPING
                             ? reinterpret_cast<const void*>(&rt_match_mapping)
                             : reinterpret_cast<const void*>(&rt_match_sequence);
    EXPECT_CALL(t.pa, CallHelper(IsHelper(helper), _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), _)).Times(0);
    EXPECT_CALL(t.pa, Store(_, Reg::kRet));
    ASSERT_TRUE(t.Emit(op));
  }
}

}  // namespace
}  // namespace pyjion::test
