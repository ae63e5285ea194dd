// Lowering tests for the call family (lower_call.cc): which helper each opcode calls with
// which stack slots, the eval-breaker poll after CALL / CALL_FUNCTION_EX, and the stack
// depth each error exit hands to rt_unwind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lowering_fixture.h"
#include "runtime/helpers.h"
#include "runtime/helpers_attr.h"
#include "runtime/helpers_call.h"
#include "runtime/helpers_super.h"

namespace pyjion::test {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::AnyNumber;
using ::testing::InSequence;
using x64::A;
using x64::AAddress;
using x64::AFrame;
using x64::AImm;
using x64::APtr;
using x64::ATstate;
using x64::AValue;
using x64::Arg;
using x64::IsHelper;
using x64::Reg;
using x64::Slot;

// The arguments of the rt_unwind call of an error stub outside any try block.
std::vector<Arg> UnwindNoHandler(int depth) {
  return {ATstate(), AFrame(), AImm(depth), AImm(static_cast<uint64_t>(-1)), AImm(0), AImm(1)};
}

PyObject* NameOf(LoweringTest& t, uint8_t opcode) {
  auto* co = reinterpret_cast<PyCodeObject*>(t.code.get());
  return PyTuple_GET_ITEM(co->co_names, t.Find(opcode).oparg);
}

// ---- CALL -----------------------------------------------------------------------------

TEST(LowerCall, CallHandsTheLowestSlotAndCountToRtCallThenPollsTheBreaker) {
  // Stack before CALL 2: [NULL, g, a, 1] -> base slot 0; the result is tested for NULL.
  LoweringTest t("def f(g, a):\n    return g(a, 1)\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallIndirect(_, _,
                                 ::testing::ElementsAre(ATstate(), AAddress(Slot::Stack(0)), AImm(2), AImm(0), _)));
    EXPECT_CALL(t.pa, BranchIfZero(_, _));
    EXPECT_CALL(t.pa, PollEvalBreaker(_));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&pj_handle_eval_breaker), std::vector<Arg>{ATstate()}));
    EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _));
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), _)).Times(AnyNumber());
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, EachCallSiteCallsItsOwnHandlerStartingWithTheGenericOne) {
  LoweringTest t("def f(g):\n    return g(1), g(2)\n", "f");
  std::vector<const void*> slots;
  EXPECT_CALL(t.pa, CallIndirect(_, _, _))
      .WillRepeatedly([&slots](const void* slot, const char*, const std::vector<Arg>& args) {
        slots.push_back(slot);
        // the cache is the last argument and holds the slot the call goes through
        auto* cache = reinterpret_cast<const CallCache*>(args.back().imm);
        EXPECT_EQ(static_cast<const void*>(&cache->handler), slot);
        EXPECT_EQ(cache->handler, &rt_call);
      });
  ASSERT_TRUE(t.EmitAll());
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_NE(slots[0], slots[1]);
}

TEST(LowerCall, CallDeoptsToTheInterpreterWhenTracingStartedWithTheResultOnTheStack) {
  // [x, NULL, g, 1] before CALL 1: after the breaker poll, a tracing check whose deopt
  // resumes after the CALL's caches with [x, result] on the stack.
  LoweringTest t("def f(x, g):\n    return [x, g(1)]\n", "f");
  const frontend::Instr& call = t.Find(frontend::CALL);
  auto* co = reinterpret_cast<PyCodeObject*>(t.code.get());
  EXPECT_CALL(t.pa, SetPrevInstr(call.index)).Times(AnyNumber());  // the error exits' line
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallIndirect(_, _, _));
    EXPECT_CALL(t.pa, PollEvalBreaker(_));
    EXPECT_CALL(t.pa, BranchIfTracing(_));
    EXPECT_CALL(t.pa, SetPrevInstr(call.next - 1));
    EXPECT_CALL(t.pa, LoadImm(Reg::kRet, reinterpret_cast<uint64_t>(PJ_DEOPT)));
    EXPECT_CALL(t.pa, Epilogue(co->co_nlocalsplus + 2));
  }
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, CallFunctionExAlsoDeoptsWhenTracingStarted) {
  LoweringTest t("def f(g, a):\n    return g(*a)\n", "f");
  auto* co = reinterpret_cast<PyCodeObject*>(t.code.get());
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_call_function_ex), _));
    EXPECT_CALL(t.pa, PollEvalBreaker(_));
    EXPECT_CALL(t.pa, BranchIfTracing(_));
    EXPECT_CALL(t.pa, Epilogue(co->co_nlocalsplus + 1));
  }
  ASSERT_TRUE(t.Emit(frontend::CALL_FUNCTION_EX));
}

TEST(LowerCall, CallPassesTheKwNamesTupleOfTheConstants) {
  LoweringTest t("def f(g):\n    return g(1, x=2, y=3)\n", "f");
  const frontend::Instr& call = t.Find(frontend::CALL);
  ASSERT_GE(call.kwnames, 0);
  auto* co = reinterpret_cast<PyCodeObject*>(t.code.get());
  PyObject* kwnames = PyTuple_GET_ITEM(co->co_consts, call.kwnames);
  ASSERT_TRUE(PyTuple_Check(kwnames));
  ASSERT_EQ(PyTuple_GET_SIZE(kwnames), 2);
  EXPECT_CALL(t.pa, CallIndirect(_, _,
                               ::testing::ElementsAre(ATstate(), AAddress(Slot::Stack(0)), AImm(3), APtr(kwnames), _)));
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, CallErrorDepthsExcludeTheConsumedSlotsAndKeepTheResultAfterThePoll) {
  // [x, NULL, g, 1] before CALL 1: a failed call leaves [x] (depth 1); a failing eval-breaker
  // poll happens with the result pushed (depth 2).
  LoweringTest t("def f(x, g):\n    return [x, g(1)]\n", "f");
  EXPECT_CALL(t.pa, CallIndirect(_, _,
                               ::testing::ElementsAre(ATstate(), AAddress(Slot::Stack(1)), AImm(1), AImm(0), _)));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(1)));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(2)));
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, MethodCallUsesTheSameHelperOnTheMethodSlot) {
  // LOAD_METHOD left [meth_or_NULL, self_or_attr]; CALL 1 sees [m, o, a] from base 0.
  LoweringTest t("def f(o, a):\n    return o.m(a)\n", "f");
  EXPECT_CALL(t.pa, CallIndirect(_, _,
                               ::testing::ElementsAre(ATstate(), AAddress(Slot::Stack(0)), AImm(1), AImm(0), _)));
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, PlainCallTriesTheSitesDirectCalleeFirstThenItsHandler) {
  // [NULL, g, a, 1] from base 0: the direct call sees the callable in slot 1 and 2 arguments,
  // and shares the handler's cache. (The whole function is emitted so that PUSH_NULL's
  // known NULL reaches the CALL on the virtual stack.)
  LoweringTest t("def f(g, a):\n    return g(a, 1)\n", "f");
  x64::DirectCallSite site;
  const void* handler_cache = nullptr;
  {
    InSequence seq;
    EXPECT_CALL(t.pa, DirectCall(_, _)).WillOnce([&site](const x64::DirectCallSite& s, x64::Label) {
      site = s;
    });
    EXPECT_CALL(t.pa, CallIndirect(_, _, _))
        .WillOnce([&handler_cache](const void*, const char*, const std::vector<Arg>& args) {
          handler_cache = reinterpret_cast<const void*>(args.back().imm);
        });
  }
  ASSERT_TRUE(t.EmitAll());
  EXPECT_EQ(site.base, 0);
  EXPECT_EQ(site.oparg, 2);
  EXPECT_FALSE(site.maybe_method);
  EXPECT_EQ(site.cache, handler_cache);
}

TEST(LowerCall, MethodCallsDirectCallTellsMethodFromPlainCallAtRunTime) {
  // [m, o, a] from base 0, or [NULL, attribute, a] if LOAD_METHOD found no method.
  LoweringTest t("def f(o, a):\n    return o.m(a)\n", "f");
  x64::DirectCallSite site;
  EXPECT_CALL(t.pa, DirectCall(_, _)).WillOnce([&site](const x64::DirectCallSite& s, x64::Label) {
    site = s;
  });
  ASSERT_TRUE(t.Emit(frontend::CALL));
  EXPECT_EQ(site.base, 0);
  EXPECT_EQ(site.oparg, 1);
  EXPECT_TRUE(site.maybe_method);
}

TEST(LowerCall, PlainCallTriesOnlyTheBuiltinFunctionForm) {
  // PUSH_NULL known below: no method descriptor can be there, and no NULL check is needed.
  LoweringTest t("def f(g, a):\n    return g(a, 1)\n", "f");
  std::vector<x64::BuiltinCallSite> sites;
  EXPECT_CALL(t.pa, BuiltinCall(_, _)).WillRepeatedly([&sites](const x64::BuiltinCallSite& s, x64::Label) {
    sites.push_back(s);
  });
  ASSERT_TRUE(t.EmitAll());
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].form, x64::BuiltinCallSite::kFunction);
  EXPECT_FALSE(sites[0].check_null);
  EXPECT_EQ(sites[0].oparg, 2);
  EXPECT_EQ(sites[0].base, 0);
}

TEST(LowerCall, MethodCallTriesTheDescriptorThenTheFunctionForm) {
  LoweringTest t("def f(o, a):\n    return o.m(a)\n", "f");
  std::vector<x64::BuiltinCallSite> sites;
  EXPECT_CALL(t.pa, BuiltinCall(_, _)).WillRepeatedly([&sites](const x64::BuiltinCallSite& s, x64::Label) {
    sites.push_back(s);
  });
  ASSERT_TRUE(t.Emit(frontend::CALL));
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].form, x64::BuiltinCallSite::kDescr);
  EXPECT_EQ(sites[1].form, x64::BuiltinCallSite::kFunction);
  EXPECT_TRUE(sites[1].check_null);  // LOAD_METHOD may have left [NULL, attribute]
}

TEST(LowerCall, InlineCallsReleaseTheOperandsInCallsOrder) {
  // [m, o, a] from base 0: the descriptor form releases slots 0, 1, 2; the function form
  // 1, 2; the vectorcall 0 (maybe NULL), 1, 2.
  LoweringTest t("def f(o, a):\n    return o.m(a)\n", "f");
  std::vector<int> loads;
  int builtin_calls = 0;
  EXPECT_CALL(t.pa, BuiltinCall(_, _)).WillRepeatedly([&](const x64::BuiltinCallSite&, x64::Label) {
    ++builtin_calls;
  });
  EXPECT_CALL(t.pa, Load(Reg::kTmp0, _)).WillRepeatedly([&](Reg, Slot s) {
    if (builtin_calls > 0) loads.push_back(s.index);
  });
  ASSERT_TRUE(t.Emit(frontend::CALL));
  EXPECT_EQ(loads, (std::vector<int>{0, 1, 2, 1, 2, 0, 1, 2}));
}

TEST(LowerCall, CallsWithKeywordsTryTheVectorcallWithTheirNames) {
  LoweringTest t("def f(g):\n    return g(1, x=2, y=3)\n", "f");
  auto* co = reinterpret_cast<PyCodeObject*>(t.code.get());
  PyObject* kwnames = PyTuple_GET_ITEM(co->co_consts, t.Find(frontend::CALL).kwnames);
  x64::VectorCallSite site;
  EXPECT_CALL(t.pa, VectorCall(_, _)).WillOnce([&site](const x64::VectorCallSite& s, x64::Label) {
    site = s;
  });
  ASSERT_TRUE(t.EmitAll());
  EXPECT_EQ(site.oparg, 3);
  EXPECT_EQ(site.nkw, 2);
  EXPECT_EQ(site.kwnames, kwnames);
  EXPECT_FALSE(site.maybe_method);
}

TEST(LowerCall, CallsWithKeywordsGoOnlyThroughTheHandler) {
  LoweringTest t("def f(g):\n    return g(1, x=2)\n", "f");
  EXPECT_CALL(t.pa, DirectCall(_, _)).Times(0);
  EXPECT_CALL(t.pa, BuiltinCall(_, _)).Times(0);
  EXPECT_CALL(t.pa, CallIndirect(_, _, _));
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, CallErrorInsideTryUnwindsToTheHandler) {
  LoweringTest t("def f(g):\n    try:\n        return g()\n    except Exception:\n"
                 "        return 0\n", "f");
  // The handler's depth is 0, without lasti; the failed call leaves depth 0.
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind),
                               std::vector<Arg>{ATstate(), AFrame(), AImm(0), AImm(0), AImm(0),
                                                AImm(1)}));
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, PrecallAndKwNamesEmitNothing) {
  LoweringTest t("def f(g):\n    return g(1, x=2)\n", "f");
  EXPECT_CALL(t.pa, CallHelper(_, _)).Times(0);
  EXPECT_CALL(t.pa, Load(_, _)).Times(0);
  EXPECT_CALL(t.pa, Store(_, _)).Times(0);
  EXPECT_CALL(t.pa, IncRef(_)).Times(0);
  EXPECT_CALL(t.pa, DecRef(_)).Times(0);
  EXPECT_CALL(t.pa, PollEvalBreaker(_)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::PRECALL));
  ASSERT_TRUE(t.Emit(frontend::KW_NAMES));
}

// ---- LOAD_METHOD ----------------------------------------------------------------------

TEST(LowerCall, LoadMethodKeepsTheObjectOnTheStackOnError) {
  LoweringTest t("def f(x, o):\n    return [x, o.meth()]\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, LoadMethodInline(Reg::kKeep1, Reg::kKeep0, _, _));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep1));
    // cold: a module's attribute, [NULL, attr], the module released
    EXPECT_CALL(t.pa, LoadModuleAttrInline(Reg::kKeep1, Reg::kKeep0, _, _));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, Move(Reg::kKeep0, Reg::kKeep1));
    EXPECT_CALL(t.pa, LoadImm(Reg::kKeep1, 0));
    EXPECT_CALL(t.pa, Store(Slot::Stack(1), Reg::kKeep0));  // cold: the helper works in place
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_method_ic),
                                 ::testing::ElementsAre(AAddress(Slot::Stack(1)), _)));
    EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(2)));
  }
  EXPECT_CALL(t.pa, PollEvalBreaker(_)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::LOAD_METHOD));
}

// ---- CALL_FUNCTION_EX -----------------------------------------------------------------

TEST(LowerCall, CallFunctionExWithKwargsPollsAfterTheCall) {
  // [NULL, g, a, {}] before CALL_FUNCTION_EX 1.
  LoweringTest t("def f(g, a, k):\n    return g(*a, **k)\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_call_function_ex),
                                 ElementsAre(ATstate(), AAddress(Slot::Stack(0)), AImm(1), _)));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, PollEvalBreaker(_));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&pj_handle_eval_breaker), _));
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(0)));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(1)));
  ASSERT_TRUE(t.Emit(frontend::CALL_FUNCTION_EX));
}

TEST(LowerCall, CallFunctionExWithoutKwargs) {
  LoweringTest t("def f(x, g, a):\n    return (x, g(*a))\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_call_function_ex),
                               ElementsAre(ATstate(), AAddress(Slot::Stack(1)), AImm(0), _)));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(1)));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(2)));
  ASSERT_TRUE(t.Emit(frontend::CALL_FUNCTION_EX));
}

// ---- MAKE_FUNCTION --------------------------------------------------------------------

TEST(LowerCall, MakeFunctionWithDefaultsAndClosureTakesThreeSlots) {
  // [defaults, closure, code] before MAKE_FUNCTION 0x09.
  LoweringTest t("def f(a):\n    def g(b=a):\n        return a\n    return g\n", "f");
  ASSERT_EQ(t.Find(frontend::MAKE_FUNCTION).oparg, 0x09);
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_make_function),
                                 std::vector<Arg>{AFrame(), AAddress(Slot::Stack(0)), AImm(9)}));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(0)));
  }
  EXPECT_CALL(t.pa, PollEvalBreaker(_)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::MAKE_FUNCTION));
}

TEST(LowerCall, MakeFunctionPlain) {
  LoweringTest t("def f(x):\n    return [x, lambda: 0]\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_make_function),
                               std::vector<Arg>{AFrame(), AAddress(Slot::Stack(1)), AImm(0)}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(1)));
  ASSERT_TRUE(t.Emit(frontend::MAKE_FUNCTION));
}

// ---- imports ----------------------------------------------------------------------------

TEST(LowerCall, ImportNameConsumesLevelAndFromlist) {
  LoweringTest t("def f():\n    import os.path\n    return os\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_import_name),
                                 std::vector<Arg>{ATstate(), AFrame(),
                                                  APtr(NameOf(t, frontend::IMPORT_NAME)),
                                                  AValue(Slot::Stack(0)), AValue(Slot::Stack(1))}));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Store(Slot::Stack(0), Reg::kRet));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(0)));
  }
  ASSERT_TRUE(t.Emit(frontend::IMPORT_NAME));
}

TEST(LowerCall, ImportFromBorrowsTheModuleAndPushes) {
  LoweringTest t("def f():\n    from os import path, sep\n    return path, sep\n", "f");
  // IMPORT_FROM path: the module at slot 0 stays, `path` is pushed at slot 1.
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_import_from),
                                 std::vector<Arg>{ATstate(), AValue(Slot::Stack(0)),
                                                  APtr(NameOf(t, frontend::IMPORT_FROM))}));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Store(Slot::Stack(1), Reg::kRet));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(1)));
  }
  ASSERT_TRUE(t.Emit(frontend::IMPORT_FROM));
}

TEST(LowerCall, ImportStarConsumesTheModule) {
  LoweringTest t("from os.path import *\n", nullptr);
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_import_star),
                                 std::vector<Arg>{ATstate(), AFrame(), AValue(Slot::Stack(0))}));
    EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(0)));
  }
  ASSERT_TRUE(t.Emit(frontend::IMPORT_STAR));
}

// ---- module-level statements and GET_LEN --------------------------------------------------

TEST(LowerCall, SetupAnnotationsAndLoadBuildClass) {
  LoweringTest t("x: int = 1\nclass K:\n    pass\n", nullptr);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_setup_annotations),
                               std::vector<Arg>{ATstate(), AFrame()}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(0)));
  ASSERT_TRUE(t.Emit(frontend::SETUP_ANNOTATIONS));

  LoweringTest k("class K:\n    pass\n", nullptr);
  {
    InSequence seq;
    EXPECT_CALL(k.pa, CallHelper(IsHelper(&rt_load_build_class),
                                 std::vector<Arg>{ATstate(), AFrame()}));
    EXPECT_CALL(k.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(k.pa, Store(Slot::Stack(1), Reg::kRet));  // above the NULL of PUSH_NULL
    EXPECT_CALL(k.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(1)));
  }
  ASSERT_TRUE(k.Emit(frontend::LOAD_BUILD_CLASS));
}

TEST(LowerCall, GetLenBorrowsTheSubjectAndPushesTheLength) {
  LoweringTest t("def f(x):\n    match x:\n        case [a]:\n            return a\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_get_len), std::vector<Arg>{AValue(Slot::Stack(0))}));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Store(Slot::Stack(1), Reg::kRet));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindNoHandler(1)));
  }
  ASSERT_TRUE(t.Emit(frontend::GET_LEN));
}

TEST(LowerCall, SuperMethodTriesTheStepWithoutASuperObjectFirst) {
  // self, x, then the __class__ free variable (local 2); [NULL, super] at stack slots 0, 1
  LoweringTest t("class A:\n    def m(self, x):\n        return super().m(x)\nm = A.m\n", "m");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_super_method),
                                 ElementsAre(AFrame(), AAddress(Slot::Stack(0)), AImm(0), AImm(2), _)));
    EXPECT_CALL(t.pa, CallIndirect(_, _, _));  // else the ordinary CALL 0
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_method_ic), _));  // and LOAD_METHOD
  }
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, SuperMethodReadsAFirstArgumentKeptInACell) {
  LoweringTest t("class A:\n    def m(self):\n        f = lambda: self\n        return super().m()\nm = A.m\n",
                 "m");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_super_method), ElementsAre(_, _, AImm(1), _, _)));
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, SuperWithTwoArgumentsTriesTheStepOnTheCallItems) {
  // [NULL, super, A, self] from stack slot 0
  LoweringTest t("class A:\n    def f(self):\n        return super(A, self).m()\nf = A.f\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_super_method_args),
                                 ElementsAre(AAddress(Slot::Stack(0)), _)));
    EXPECT_CALL(t.pa, CallIndirect(_, _, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_method_ic), _));
  }
  ASSERT_TRUE(t.Emit(frontend::CALL));
}

TEST(LowerCall, OtherCallsBeforeALoadMethodAreNotTheSuperStep) {
  for (const char* src : {"def f(g):\n    return g().m()\n",  // not super
                          "def f(a, b):\n    return super(a, b()).m()\n",  // a call in the arguments
                          "def f(super):\n    return super().m()\n",  // a local named super
                          "def f(self):\n    return super().m()\n"}) {  // no __class__ cell
    SCOPED_TRACE(src);
    LoweringTest t(src, "f");
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_super_method), _)).Times(0);
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_super_method_args), _)).Times(0);
    ASSERT_TRUE(t.EmitAll());
  }
}

}  // namespace
}  // namespace pyjion::test
