// Lowering tests for the core families (stack/locals, operators, control flow): each
// asserts the choices an emit_* makes against a mock assembler.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lowering_fixture.h"
#include "runtime/helpers.h"
#include "runtime/helpers_dunder.h"
#include "runtime/helpers_iter.h"

namespace pyjion::test {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::AnyNumber;
using ::testing::InSequence;
using ::testing::Return;
using x64::IsHelper;
using x64::Reg;

constexpr const char* kAdd = "def f(a, b):\n    return a + b\n";

TEST(LowerBinaryOp, AddGuardsIntsThenFloatsAndFallsBackToHelper) {
  LoweringTest t(kAdd, "f");
  EXPECT_CALL(t.pa, Bind(_)).Times(::testing::AnyNumber());  // the one below is checked
  {
    InSequence seq;
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyLong_Type, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep1, &PyLong_Type, _));
    x64::Label past_one_digit = -1;
    // both operands are owned temporaries here (in their slots): the left may take the result
    EXPECT_CALL(t.pa, MediumIntArith(x64::ArithOp::kAdd, Reg::kRet, Reg::kKeep0, Reg::kKeep1,
                                     Reg::kKeep0, _))
        .WillOnce(::testing::SaveArg<5>(&past_one_digit));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyFloat_Type, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep1, &PyFloat_Type, _));
    EXPECT_CALL(t.pa, FloatArith(x64::ArithOp::kAdd, Reg::kRet, Reg::kKeep0, x64::NumKind::kFloat,
                                 Reg::kKeep1, x64::NumKind::kFloat, Reg::kKeep0, _));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    // cold: the operator-method cache borrowing both, with ceval's binary_ops[NB_ADD] for
    // anything else, then ceval's releases, then the check
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_binary_op_ic),
                                 ElementsAre(A(Reg::kKeep0), A(Reg::kKeep1), x64::AImm(0), _,
                                             x64::APtr(reinterpret_cast<const void*>(
                                                 &PyNumber_Add)))));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kKeep2, _));
    // cold: two exact ints the inline path gave up on go straight to int's nb_add
    EXPECT_CALL(t.pa, Bind(::testing::Truly([&past_one_digit](x64::Label l) { return l == past_one_digit; })));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(PyLong_Type.tp_as_number->nb_add),
                                 ElementsAre(A(Reg::kKeep0), A(Reg::kKeep1))));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kKeep2, _));
    // cold, where the float guards fail: a float with an int on either side, converted
    // without a call; the float operand (an owned temporary) may take the result
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyFloat_Type, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep1, &PyLong_Type, _));
    EXPECT_CALL(t.pa, FloatArith(x64::ArithOp::kAdd, Reg::kRet, Reg::kKeep0, x64::NumKind::kFloat,
                                 Reg::kKeep1, x64::NumKind::kInt, Reg::kKeep0, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyLong_Type, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep1, &PyFloat_Type, _));
    EXPECT_CALL(t.pa, FloatArith(x64::ArithOp::kAdd, Reg::kRet, Reg::kKeep0, x64::NumKind::kInt,
                                 Reg::kKeep1, x64::NumKind::kFloat, Reg::kKeep1, _));
  }
  ASSERT_TRUE(t.Emit(frontend::BINARY_OP));
}

TEST(LowerBinaryOp, AConstantStrOperandRulesOutTheNumberPaths) {
  LoweringTest t("def f(a):\n    return '%d' % a\n", "f");
  EXPECT_CALL(t.pa, MediumIntArith(_, _, _, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, MediumIntArithImm(_, _, _, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, FloatArith(_, _, _, _, _, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, GuardExactType(_, _, _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyNumber_Remainder), _));
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerCompareOp, AConstantOfAnotherTypeRulesOutTheStrPath) {
  LoweringTest t("def f(a):\n    return a == None\n", "f");
  EXPECT_CALL(t.pa, CompareStrEqual(_, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, GuardExactType(_, &PyUnicode_Type, _)).Times(0);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerBinaryOp, GenericPathOfBorrowedOperandsTouchesNoReferences) {
  LoweringTest t("def f(a):\n    return a % 'x'\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_binary_op_ic), _));
  EXPECT_CALL(t.pa, IncRef(_)).Times(0);  // a local and a constant: nothing to own
  EXPECT_CALL(t.pa, DecRef(_)).Times(0);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerBinaryOp, StrAddStoredBackIntoItsLeftLocalAppendsInPlace) {
  // s += t then STORE_FAST s: after the number paths, the local's address to the helper
  for (const char* src : {"def f(s, t):\n    s += t\n    return s\n",
                          "def f(s, t):\n    s = s + t\n    return s\n"}) {
    SCOPED_TRACE(src);
    LoweringTest t(src, "f");
    // the cold float-and-int paths, after everything else
    EXPECT_CALL(t.pa, FloatArith(_, _, _, x64::NumKind::kFloat, _, x64::NumKind::kInt, _, _));
    EXPECT_CALL(t.pa, FloatArith(_, _, _, x64::NumKind::kInt, _, x64::NumKind::kFloat, _, _));
    {
      InSequence seq;
      EXPECT_CALL(t.pa, MediumIntArith(_, _, _, _, _, _));
      EXPECT_CALL(t.pa, FloatArith(_, _, _, x64::NumKind::kFloat, _, x64::NumKind::kFloat, _, _));
      EXPECT_CALL(t.pa, GuardExactType(_, &PyUnicode_Type, _)).Times(2);
      EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unicode_inplace_add),
                                   ::testing::ElementsAre(x64::AAddress(x64::Slot::Local(0)), _)));
    }
    ASSERT_TRUE(t.EmitAll());
  }
}

TEST(LowerBinaryOp, StrAddOfAMaterialisedLeftOperandChecksItIsTheLocalsString) {
  // the branch materialises the pushed s: in place only if the slot holds s's string, after
  // which the stack's reference is dropped before the helper takes the local's
  LoweringTest t("def f(s, c):\n    s += 'a' if c else 'b'\n    return s\n", "f");
  EXPECT_CALL(t.pa, Load(Reg::kTmp0, _)).Times(AnyNumber());  // (gMock tries newer first)
  EXPECT_CALL(t.pa, DecRef(_)).Times(AnyNumber());
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kTmp0, x64::Slot::Local(0)));
    EXPECT_CALL(t.pa, BranchIfSame(_, Reg::kTmp0, _));
    EXPECT_CALL(t.pa, DecRef(_));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unicode_inplace_add),
                                 ::testing::ElementsAre(x64::AAddress(x64::Slot::Local(0)), _)));
  }
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerBinaryOp, StrAddIntoAnotherLocalOrNotFromALocalIsNotInPlace) {
  for (const char* src : {"def f(s, t):\n    u = s + t\n    return u\n",
                          "def f(s, t):\n    s = t + s\n    return s\n",
                          "def f(s, t):\n    s = s * t\n    return s\n",
                          "def f(s, t):\n    return s + t\n"}) {
    SCOPED_TRACE(src);
    LoweringTest t(src, "f");
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unicode_inplace_add), _)).Times(0);
    ASSERT_TRUE(t.EmitAll());
  }
}

TEST(LowerBinaryOp, SubtractUsesTheSameFastPaths) {
  LoweringTest t("def f(a, b):\n    return a - b\n", "f");
  EXPECT_CALL(t.pa, MediumIntArith(x64::ArithOp::kSubtract, _, _, _, _, _));
  EXPECT_CALL(t.pa, FloatArith(x64::ArithOp::kSubtract, _, _, _, _, _, _, _)).Times(3);
  ASSERT_TRUE(t.Emit(frontend::BINARY_OP));
}

TEST(LowerBinaryOp, TrueDivideIsInlineForFloatsOnly) {
  LoweringTest t("def f(a, b):\n    return a / b\n", "f");
  EXPECT_CALL(t.pa, MediumIntArith(_, _, _, _, _, _)).Times(0);  // int / int makes a float
  // float / float, float / int, int / float
  EXPECT_CALL(t.pa, FloatArith(x64::ArithOp::kTrueDivide, _, _, _, _, _, _, _)).Times(3);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_binary_op_ic), _));
  ASSERT_TRUE(t.Emit(frontend::BINARY_OP));
}

TEST(LowerBinaryOp, BitwiseShiftsAndDivisionOfIntsAreInline) {
  for (const char* op : {"&", "|", "^", "<<", ">>", "//", "%"}) {
    SCOPED_TRACE(op);
    LoweringTest t((std::string("def f(a, b):\n    return a ") + op + " b\n").c_str(), "f");
    EXPECT_CALL(t.pa, MediumIntArith(_, _, _, _, _, _));
    EXPECT_CALL(t.pa, FloatArith(_, _, _, _, _, _, _, _)).Times(0);
    ASSERT_TRUE(t.Emit(frontend::BINARY_OP));
  }
}

TEST(LowerBinaryOp, OnlyOwnedTemporariesMayTakeAnIntResult) {
  // a * b on two locals (borrowed: other holders) boxes afresh; (a * b) + a and
  // ((a * b) + a) * 3 may write into the temporary the operation before made
  LoweringTest t("def f(a, b):\n    return (a * b + a) * 3\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, MediumIntArith(x64::ArithOp::kMultiply, _, _, _, Reg::kRet, _));
    // the left operand (the temporary) is the one offered
    EXPECT_CALL(t.pa, MediumIntArith(x64::ArithOp::kAdd, _, _, _, ::testing::Ne(Reg::kRet), _))
        .With(::testing::Args<2, 4>(::testing::Eq()));
    EXPECT_CALL(t.pa, MediumIntArithImm(x64::ArithOp::kMultiply, _, _, 3, ::testing::Ne(Reg::kRet), _))
        .With(::testing::Args<2, 4>(::testing::Eq()));
  }
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerBinaryOp, ConstantIntOperandsAreImmediates) {
  LoweringTest t("def f(x):\n    return (x + 1, 3 * x, x % 8, x // 10, 1 - x, x << 70)\n", "f");
  EXPECT_CALL(t.pa, MediumIntArithImm(x64::ArithOp::kAdd, _, _, 1, _, _));
  EXPECT_CALL(t.pa, MediumIntArithImm(x64::ArithOp::kMultiply, _, _, 3, _, _));  // commutes
  EXPECT_CALL(t.pa, MediumIntArithImm(x64::ArithOp::kRemainder, _, _, 8, _, _));
  EXPECT_CALL(t.pa, MediumIntArithImm(x64::ArithOp::kFloorDivide, _, _, 10, _, _));
  // 1 - x does not commute; a shift by 70 is not inline with an immediate
  EXPECT_CALL(t.pa, MediumIntArith(x64::ArithOp::kSubtract, _, _, _, _, _));
  EXPECT_CALL(t.pa, MediumIntArith(x64::ArithOp::kLshift, _, _, _, _, _));
  EXPECT_CALL(t.pa, GuardExactType(_, &PyLong_Type, _)).Times(6);  // x in each; no constant
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerCompareOp, ConstantOnEitherSideIsAnImmediate) {
  LoweringTest t("def f(x):\n    return (x < 5, 5 < x)\n", "f");
  EXPECT_CALL(t.pa, CompareMediumIntImm(x64::CmpOp::kLt, _, _, 5, _));
  EXPECT_CALL(t.pa, CompareMediumIntImm(x64::CmpOp::kGt, _, _, 5, _));  // 5 < x: x > 5
  EXPECT_CALL(t.pa, CompareMediumInts(_, _, _, _, _)).Times(0);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerBinaryOp, FloatTimesAConstantIntConvertsTheIntAndReusesNoBorrowedFloat) {
  LoweringTest t("def f(x):\n    return x * 2\n", "f");
  // x is a borrowed local: it must not take the result; the constant needs no guard
  EXPECT_CALL(t.pa, FloatArith(x64::ArithOp::kMultiply, Reg::kRet, _, x64::NumKind::kFloat, _,
                               x64::NumKind::kInt, Reg::kRet, _));
  EXPECT_CALL(t.pa, GuardExactType(_, &PyFloat_Type, _)).Times(1);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerCompareOp, AFloatAgainstAConstantIntConvertsTheConstant) {
  LoweringTest t("def f(x):\n    return (x < 0, 2 <= x)\n", "f");
  // after each int path: the float guarded, the constant needing none; 2 <= x is x >= 2
  EXPECT_CALL(t.pa, GuardExactType(_, &PyFloat_Type, _)).Times(2);
  EXPECT_CALL(t.pa, CompareFloatInt(x64::CmpOp::kLt, _, _, _, _));
  EXPECT_CALL(t.pa, CompareFloatInt(x64::CmpOp::kGe, _, _, _, _));
  EXPECT_CALL(t.pa, CompareFloats(_, _, _, _)).Times(0);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerCompareOp, AFloatAndAnIntOfUnknownTypesCompareOutOfLineWithoutACall) {
  LoweringTest t("def f(a, b):\n    return a < b\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CompareFloats(x64::CmpOp::kLt, _, Reg::kKeep0, Reg::kKeep1));
    // cold: float < int, then int < float as float > int
    EXPECT_CALL(t.pa, CompareFloatInt(x64::CmpOp::kLt, _, Reg::kKeep0, Reg::kKeep1, _));
    EXPECT_CALL(t.pa, CompareFloatInt(x64::CmpOp::kGt, _, Reg::kKeep1, Reg::kKeep0, _));
  }
  ASSERT_TRUE(t.Emit(frontend::COMPARE_OP));
}

TEST(LowerCompareOp, FusedWithJumpComparesInlineWithoutMakingABool) {
  LoweringTest t("def f(a, b):\n    if a < b:\n        return 1\n    return 2\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyLong_Type, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep1, &PyLong_Type, _));
    EXPECT_CALL(t.pa, CompareMediumInts(x64::CmpOp::kLt, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1, _));
    EXPECT_CALL(t.pa, CompareFloats(x64::CmpOp::kLt, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kKeep2, _));  // POP_JUMP_FORWARD_IF_FALSE
    // cold: the comparison-method cache (PyObject_RichCompare for all but instances of
    // Python classes), borrowing both
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_compare_op_ic),
                                 ElementsAre(A(Reg::kKeep0), A(Reg::kKeep1), x64::AImm(Py_LT), _)));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_is_true),
                                 std::vector<x64::Arg>{A(Reg::kKeep2)}));
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), _)).Times(AnyNumber());
  ASSERT_TRUE(t.Emit(frontend::COMPARE_OP));
}

TEST(LowerCompareOp, AloneComparesInlineAndMakesABool) {
  LoweringTest t("def f(a, b):\n    return a < b\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CompareMediumInts(x64::CmpOp::kLt, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1, _));
    EXPECT_CALL(t.pa, CompareFloats(x64::CmpOp::kLt, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1));
    EXPECT_CALL(t.pa, SelectBool(Reg::kKeep2, Reg::kKeep2));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep2));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_compare_op_ic), _));  // cold: the rest
  }
  EXPECT_CALL(t.pa, CompareStrEqual(_, _, _, _)).Times(0);  // only for == and !=
  ASSERT_TRUE(t.Emit(frontend::COMPARE_OP));
}

TEST(LowerCompareOp, AConstantOperandTakesNoMethodCache) {
  // no instance of a Python class compares with a constant through its own method alone
  LoweringTest t("def f(a):\n    return a < 10\n", "f");
  EXPECT_CALL(t.pa, CallHelper(_, _)).Times(AnyNumber());
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_compare_op_ic), _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyObject_RichCompare), _)).Times(1);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerCompareOp, EqualityOfStrsIsInline) {
  LoweringTest t("def f(a, b):\n    return a == b\n", "f");
  EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyUnicode_Type, _));
  EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep1, &PyUnicode_Type, _));
  EXPECT_CALL(t.pa, CompareStrEqual(Reg::kKeep2, Reg::kKeep0, Reg::kKeep1, false));
  ASSERT_TRUE(t.Emit(frontend::COMPARE_OP));
}

TEST(LowerCompareOp, ConstantOperandNeedsNoTypeGuardAndRulesOutFloats) {
  LoweringTest t("def f(a):\n    if a < 10:\n        return 1\n    return 2\n", "f");
  // a is a borrowed local, 10 a borrowed constant: their registers take the result flag
  EXPECT_CALL(t.pa, GuardExactType(_, &PyLong_Type, _)).Times(1);  // only a
  EXPECT_CALL(t.pa, CompareFloats(_, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, SelectBool(_, _)).Times(0);  // fused with the jump
  EXPECT_CALL(t.pa, DecRef(_)).Times(0);         // nothing owned
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerControl, JumpBackwardPollsTheEvalBreaker) {
  LoweringTest t("def f():\n    while True:\n        pass\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, PollEvalBreaker(_));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&pj_handle_eval_breaker), _));
  }
  ASSERT_TRUE(t.Emit(frontend::JUMP_BACKWARD));
}

TEST(LowerControl, ForIterIntoALocalMayReuseItsInt) {
  // for i in range(n): the range step writes into local 1's int when only it holds it
  LoweringTest t("def f(n):\n    for i in range(n):\n        pass\n", "f");
  EXPECT_CALL(t.pa, RangeIterNextInto(_, _, x64::Slot::Local(1), _)).Times(1);
  EXPECT_CALL(t.pa, RangeIterNext(_, _, _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::FOR_ITER));
}

TEST(LowerControl, ForIterStepsListTupleRangeAndDictIteratorsInline) {
  // an iterator of unknown type: each exact type is tried in turn before tp_iternext
  LoweringTest t("def f(it):\n    for x in it:\n        pass\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, GuardExactType(_, &PyListIter_Type, _));
    EXPECT_CALL(t.pa, ListIterNext(_, _, _));
    EXPECT_CALL(t.pa, GuardExactType(_, &PyTupleIter_Type, _));
    EXPECT_CALL(t.pa, TupleIterNext(_, _, _));
    EXPECT_CALL(t.pa, GuardExactType(_, &PyRangeIter_Type, _));
    EXPECT_CALL(t.pa, RangeIterNextInto(_, _, x64::Slot::Local(1), _));
    EXPECT_CALL(t.pa, GuardExactType(_, &PyDictIterKey_Type, _));
    EXPECT_CALL(t.pa, DictIterNext(_, _, _, false));
    EXPECT_CALL(t.pa, GuardExactType(_, &PyDictIterValue_Type, _));
    EXPECT_CALL(t.pa, DictIterNext(_, _, _, true));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_for_iter), _));
  }
  ASSERT_TRUE(t.Emit(frontend::FOR_ITER));
}

TEST(LowerControl, ForIterWithAPairUnpackedStepsPairIteratorsIntoTheSlots) {
  // for a, b in it: enumerate / dict items / zip write the pair into the two slots that
  // UNPACK_SEQUENCE fills (from stack slot 1, above the iterator); other items are unpacked
  LoweringTest t("def f(it):\n    for a, b in it:\n        pass\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, ListIterNext(_, _, _));
    EXPECT_CALL(t.pa, TupleIterNext(_, _, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_for_iter_pair),
                                 ::testing::ElementsAre(_, x64::AAddress(x64::Slot::Stack(1)))));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_for_iter), _));
    EXPECT_CALL(t.pa, GuardExactType(_, &PyTuple_Type, _));
    EXPECT_CALL(t.pa, UnpackSeqToSlots(x64::SeqKind::kTuple, _, 2, x64::Slot::Stack(1), _));
    EXPECT_CALL(t.pa, GuardExactType(_, &PyList_Type, _));
    EXPECT_CALL(t.pa, UnpackSeqToSlots(x64::SeqKind::kList, _, 2, x64::Slot::Stack(1), _));
  }
  EXPECT_CALL(t.pa, RangeIterNext(_, _, _)).Times(0);
  EXPECT_CALL(t.pa, DictIterNext(_, _, _, _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::FOR_ITER));
}

TEST(LowerControl, ForIterIntoAnythingElseBoxesAFreshInt) {
  LoweringTest t("def f(n, o):\n    for o.a in range(n):\n        pass\n", "f");
  EXPECT_CALL(t.pa, RangeIterNextInto(_, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, RangeIterNext(_, _, _)).Times(1);
  ASSERT_TRUE(t.Emit(frontend::FOR_ITER));
}

TEST(LowerControl, PopJumpTestsTrueFalseAndNoneInline) {
  LoweringTest t("def f(a):\n    if a:\n        return 1\n    return 2\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, BranchIfEqual(Reg::kKeep0, reinterpret_cast<uint64_t>(Py_True), _));
    EXPECT_CALL(t.pa, BranchIfEqual(Reg::kKeep0, reinterpret_cast<uint64_t>(Py_False), _));
    EXPECT_CALL(t.pa, BranchIfNotEqual(Reg::kKeep0, reinterpret_cast<uint64_t>(Py_None), _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_is_true), _));  // the item was owned (in its slot)
  }
  ASSERT_TRUE(t.Emit(frontend::POP_JUMP_FORWARD_IF_FALSE));
}

TEST(LowerLocals, LoadFastOfAParameterNeedsNoCheck) {
  LoweringTest t("def f(a):\n    return a\n", "f");
  EXPECT_CALL(t.pa, Load(_, _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unbound_local), _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::LOAD_FAST));
}

TEST(LowerLocals, LoadFastChecksForUnboundOutOfLineAndPushesABorrowedItem) {
  LoweringTest t("def f(c):\n    if c:\n        x = 1\n    return x\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kTmp0, x64::Slot::Local(1)));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kTmp0, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unbound_local), _));
  }
  EXPECT_CALL(t.pa, IncRef(_)).Times(0);  // no reference is taken, nothing is stored
  EXPECT_CALL(t.pa, Store(_, _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::LOAD_FAST, 1));  // x (the first LOAD_FAST is c)
}

TEST(LowerLocals, StoreFastWritesBeforeReleasingTheOldValue) {
  LoweringTest t("def f(a):\n    b = a\n    return b\n", "f");
  {
    InSequence seq;  // the stored item is in its slot when STORE_FAST is emitted alone
    EXPECT_CALL(t.pa, Load(Reg::kRet, x64::Slot::Local(1)));
    EXPECT_CALL(t.pa, Load(Reg::kTmp0, x64::Slot::Stack(0)));
    EXPECT_CALL(t.pa, Store(x64::Slot::Local(1), Reg::kTmp0));
    EXPECT_CALL(t.pa, XDecRef(Reg::kRet));
  }
  EXPECT_CALL(t.pa, IncRef(_)).Times(0);  // the slot's reference moves into the local
  ASSERT_TRUE(t.Emit(frontend::STORE_FAST));
}

TEST(LowerErrors, ErrorExitInsideTryUnwindsToTheHandler) {
  LoweringTest t("def f(a, b):\n    try:\n        return a / b\n    except ZeroDivisionError:\n"
                 "        return 0\n", "f");
  // depth after BINARY_OP's failure is 0; the handler's depth is 0, no lasti, traceback on.
  std::vector<x64::Arg> unwind_args = {x64::ATstate(), x64::AFrame(), x64::AImm(0),
                                       x64::AImm(0), x64::AImm(0), x64::AImm(1)};
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), unwind_args));
  ASSERT_TRUE(t.Emit(frontend::BINARY_OP));
}

}  // namespace
}  // namespace pyjion::test
