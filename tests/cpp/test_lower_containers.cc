// Lowering tests for the containers families (lower_attr.cc, lower_build.cc): which fast
// paths are guarded and how, which helper is called with which operands, and the stack
// depth each failure leaves for the unwinder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lowering_fixture.h"
#include "runtime/helpers.h"
#include "runtime/helpers_attr.h"
#include "runtime/helpers_containers.h"
#include "runtime/helpers_dunder.h"

namespace pyjion::test {
namespace {

using ::testing::_;
using ::testing::AnyNumber;
using ::testing::ElementsAre;
using ::testing::InSequence;
using ::testing::Sequence;
using ::testing::Not;
using x64::A;
using x64::AAddress;
using x64::AImm;
using x64::APtr;
using x64::AValue;
using x64::IsHelper;
using x64::Reg;
using x64::SeqKind;
using x64::Slot;

// rt_unwind's arguments for an error leaving `depth` items, outside any handler.
std::vector<x64::Arg> UnwindAt(int depth) {
  return {x64::ATstate(), x64::AFrame(), AImm(depth), AImm(static_cast<uint64_t>(-1)),
          AImm(0), AImm(1)};
}

// Pretends the quickened code had specialised the first `op` for hint h.
void SetHint(LoweringTest& t, uint8_t op, frontend::Hint h) {
  t.result.analysis.instrs.at(t.lowering->FindForTest(op)).hint = h;
}

// ---- BINARY_SUBSCR -------------------------------------------------------------------------

constexpr const char* kSubscr = "def f(a, i):\n    return a[i]\n";

TEST(LowerContainers, SubscrGuardsIntIndexThenListTupleThenDict) {
  LoweringTest t(kSubscr, "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Stack(0)));
    EXPECT_CALL(t.pa, Load(Reg::kKeep1, Slot::Stack(1)));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep1, &PyLong_Type, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyList_Type, _));
    EXPECT_CALL(t.pa, LoadSeqItem(SeqKind::kList, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyTuple_Type, _));
    EXPECT_CALL(t.pa, LoadSeqItem(SeqKind::kTuple, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyDict_Type, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyDict_GetItemWithError),
                                 std::vector<x64::Arg>{A(Reg::kKeep0), A(Reg::kKeep1)}));
    EXPECT_CALL(t.pa, Move(Reg::kKeep2, Reg::kRet));
    // the dict's item is borrowed: owned, then the operands released (the dict first)
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep2));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    // a list's or tuple's item likewise
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep2));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    // cold: the site's __getitem__ cache (PyObject_GetItem for all but instances of Python
    // classes) borrowing both, then ceval's releases
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_binary_subscr_ic),
                                 ElementsAre(A(Reg::kKeep0), A(Reg::kKeep1), _)));
    EXPECT_CALL(t.pa, Move(Reg::kKeep2, Reg::kRet));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    // cold: a key the dict lacks raises KeyError, then the same releases
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_dict_key_missing),
                                 std::vector<x64::Arg>{A(Reg::kKeep1)}));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
  }
  ASSERT_TRUE(t.Emit(frontend::BINARY_SUBSCR));
}

TEST(LowerContainers, SubscrOfLocalsByAConstantNeedsNoReferencesAndNoIndexGuard) {
  LoweringTest t("def f(t):\n    return t[1]\n", "f");
  EXPECT_CALL(t.pa, GuardExactType(_, &PyLong_Type, _)).Times(0);  // 1 is an int
  EXPECT_CALL(t.pa, GuardExactType(_, &PyDict_Type, _)).Times(0);  // no dict has int keys here
  EXPECT_CALL(t.pa, LoadSeqItem(SeqKind::kList, _, _, _, _));
  EXPECT_CALL(t.pa, LoadSeqItem(SeqKind::kTuple, _, _, _, _));
  EXPECT_CALL(t.pa, DecRef(_)).Times(0);  // the local and the constant are borrowed
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerContainers, SubscrByAConstantStrKeyHasOnlyTheDictPathWithAnIndexHint) {
  LoweringTest t("def f(d):\n    return d['key']\n", "f");
  EXPECT_CALL(t.pa, GuardExactType(_, &PyLong_Type, _)).Times(0);  // 'key' is no int
  EXPECT_CALL(t.pa, LoadSeqItem(_, _, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, GuardExactType(_, &PyDict_Type, _));
  // the site's own entry-index hint, after the dict and the key
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&pj_dict_get_str_hinted), ElementsAre(_, _, _)));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyDict_GetItemWithError), _)).Times(0);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerContainers, SubscrFailureLeavesDepthWithoutOperands) {
  // a[i] inside `return b, a[i]`: depth 3 before BINARY_SUBSCR, 1 after its failure.
  LoweringTest t("def f(a, i, b):\n    return b, a[i]\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(1))).Times(1);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), Not(UnwindAt(1)))).Times(0);
  ASSERT_TRUE(t.Emit(frontend::BINARY_SUBSCR));
}

TEST(LowerContainers, SubscrListHintEmitsOnlyTheListPath) {
  LoweringTest t(kSubscr, "f");
  SetHint(t, frontend::BINARY_SUBSCR, frontend::Hint::kList);
  EXPECT_CALL(t.pa, LoadSeqItem(SeqKind::kList, _, _, _, _));
  EXPECT_CALL(t.pa, LoadSeqItem(SeqKind::kTuple, _, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, GuardExactType(_, &PyDict_Type, _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyDict_GetItemWithError), _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyObject_GetItem), _));
  ASSERT_TRUE(t.Emit(frontend::BINARY_SUBSCR));
}

TEST(LowerContainers, SubscrDictHintSkipsTheSequencePaths) {
  LoweringTest t(kSubscr, "f");
  SetHint(t, frontend::BINARY_SUBSCR, frontend::Hint::kDict);
  EXPECT_CALL(t.pa, GuardExactType(_, &PyLong_Type, _)).Times(0);
  EXPECT_CALL(t.pa, LoadSeqItem(_, _, _, _, _)).Times(0);
  EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyDict_Type, _));
  // the interpreter ran BINARY_SUBSCR_DICT here: its release order (key, then dict), both
  // when the key is found and when it is missing
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyDict_GetItemWithError), _));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep2));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyObject_GetItem), _));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));  // the generic path's order
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_dict_key_missing), _));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
  }
  ASSERT_TRUE(t.Emit(frontend::BINARY_SUBSCR));
}

// ---- STORE_SUBSCR / DELETE_SUBSCR ------------------------------------------------------------

TEST(LowerContainers, StoreSubscrExchangesListItemThenReleasesOldItem) {
  // stack: value (local v), container a, sub i
  LoweringTest t("def f(a, i, v):\n    a[i] = v\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Stack(1)));
    EXPECT_CALL(t.pa, Load(Reg::kKeep1, Slot::Stack(2)));
    EXPECT_CALL(t.pa, Load(Reg::kKeep2, Slot::Stack(0)));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep1, &PyLong_Type, _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyList_Type, _));
    EXPECT_CALL(t.pa, ExchangeListItem(Reg::kKeep0, Reg::kKeep1, Reg::kKeep2, _));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep2));  // the replaced item
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));  // then the operands, container first
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyDict_Type, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_store_subscr_dict),
                                 std::vector<x64::Arg>{A(Reg::kKeep2), A(Reg::kKeep0),
                                                       A(Reg::kKeep1)}));
    // cold: the site's __setitem__ cache, stealing all three
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_store_subscr_ic),
                                 ElementsAre(A(Reg::kKeep2), A(Reg::kKeep0), A(Reg::kKeep1), _)));
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0))).Times(1);
  ASSERT_TRUE(t.Emit(frontend::STORE_SUBSCR));
}

TEST(LowerContainers, SubscrsOfAConstantOrWithFeedbackTakeNoMethodCache) {
  // a constant container is no instance of a Python class; feedback names a built-in one
  LoweringTest t("def f(i, d, v):\n    d[i] = (1, 2)[i]\n", "f");
  SetHint(t, frontend::STORE_SUBSCR, frontend::Hint::kDict);
  EXPECT_CALL(t.pa, CallHelper(_, _)).Times(AnyNumber());
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_binary_subscr_ic), _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_store_subscr_ic), _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyObject_GetItem), _)).Times(1);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_store_subscr), _)).Times(1);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerContainers, DeleteSubscrCallsHelperAndFailsAtDepthMinusTwo) {
  LoweringTest t("def f(a, i, b):\n    del a[i]\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_delete_subscr),
                               std::vector<x64::Arg>{AValue(Slot::Stack(0)), AValue(Slot::Stack(1))}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::DELETE_SUBSCR));
}

// ---- BUILD_SLICE, attributes --------------------------------------------------------------------

TEST(LowerContainers, BuildSliceTwoPassesNullStep) {
  LoweringTest t("def f(a, i, j, v):\n    a[i:j] = v\n", "f");
  // stack: v, a, i, j (a store: no fusion)
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_slice),
                               std::vector<x64::Arg>{AValue(Slot::Stack(2)), AValue(Slot::Stack(3)),
                                                     AImm(0)}));
  EXPECT_CALL(t.pa, Store(Slot::Stack(2), Reg::kRet));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(2)));
  ASSERT_TRUE(t.Emit(frontend::BUILD_SLICE));
}

TEST(LowerContainers, BuildSliceOfTwoFusesWithTheSubscriptAfterIt) {
  LoweringTest t("def f(a, i, j):\n    return a[i:j]\n", "f");
  // stack: a, i, j: one call stealing all three, the subscript's failure leaving none
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_slice), _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_subscr_slice),
                               std::vector<x64::Arg>{AValue(Slot::Stack(0)), AValue(Slot::Stack(1)),
                                                     AValue(Slot::Stack(2))}));
  EXPECT_CALL(t.pa, Store(Slot::Stack(0), Reg::kRet));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::BUILD_SLICE));
}

TEST(LowerContainers, BuildSliceThreeTakesStepFromTop) {
  LoweringTest t("def f(a, i, j, k):\n    return a[i:j:k]\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_slice),
                               std::vector<x64::Arg>{AValue(Slot::Stack(1)), AValue(Slot::Stack(2)),
                                                     AValue(Slot::Stack(3))}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(1)));
  ASSERT_TRUE(t.Emit(frontend::BUILD_SLICE));
}

TEST(LowerContainers, LoadAttrChecksTheSiteCacheInlineThenCallsTheCacheHelper) {
  LoweringTest t("def f(o):\n    return o.spam\n", "f");
  PyObject* name = PyTuple_GET_ITEM(reinterpret_cast<PyCodeObject*>(t.code.get())->co_names, 0);
  const void* cache = nullptr;
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Stack(0)));
    EXPECT_CALL(t.pa, LoadAttrInline(Reg::kKeep1, Reg::kKeep0, _, _))
        .WillOnce(::testing::SaveArg<2>(&cache));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));  // the owner item was owned (in its slot)
    // cold: the module entry, then the helper
    EXPECT_CALL(t.pa, LoadModuleAttrInline(Reg::kKeep1, Reg::kKeep0, ::testing::Eq(::testing::ByRef(cache)), _));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_attr_ic), _));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Move(Reg::kKeep1, Reg::kRet));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  }
  ASSERT_TRUE(t.Emit(frontend::LOAD_ATTR));
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(static_cast<const rt::AttrCache*>(cache)->name, name);
  EXPECT_EQ(static_cast<const rt::AttrCache*>(cache)->fills, 0u);  // filled at run time
}

TEST(LowerContainers, LoadAttrOfALocalBorrowsItAndOwnsItOnlyForTheHelper) {
  LoweringTest t("def f(o):\n    return o.spam\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Local(0)));
    EXPECT_CALL(t.pa, LoadAttrInline(Reg::kKeep1, Reg::kKeep0, _, _));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, LoadModuleAttrInline(Reg::kKeep1, Reg::kKeep0, _, _));  // cold
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep1));  // the module's attribute; the local stays borrowed
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep0));  // cold: rt_load_attr_ic steals the owner
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_attr_ic), _));
  }
  EXPECT_CALL(t.pa, DecRef(_)).Times(0);  // nothing was owned: the local stays the local's
  EXPECT_CALL(t.pa, Store(_, _)).Times(0);
  ASSERT_TRUE(t.EmitAll());
}

TEST(LowerContainers, StoreAttrMovesTheValueInThroughTheSiteCache) {
  LoweringTest t("def f(o, v):\n    o.spam = v\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Stack(1)));  // owner
    EXPECT_CALL(t.pa, Load(Reg::kKeep1, Slot::Stack(0)));  // value, owned: no IncRef
    EXPECT_CALL(t.pa, StoreAttrInline(Reg::kKeep0, Reg::kKeep1, Reg::kRet, _, _));
    EXPECT_CALL(t.pa, XDecRef(Reg::kRet));                 // the replaced value
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_store_attr_ic),
                                 ::testing::ElementsAre(A(Reg::kKeep1), A(Reg::kKeep0), _)));
    EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  }
  EXPECT_CALL(t.pa, IncRef(_)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::STORE_ATTR));
}

TEST(LowerContainers, DeleteAttrCallsHelper) {
  LoweringTest t("def f(o):\n    del o.spam\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_delete_attr), _));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::DELETE_ATTR));
}

// ---- builders ----------------------------------------------------------------------------------

TEST(LowerContainers, BuildTupleTakesTheItemsInPlace) {
  LoweringTest t("def f(a, b, c):\n    return (a, b, c)\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_tuple),
                                 std::vector<x64::Arg>{AAddress(Slot::Stack(0)), AImm(3)}));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Move(Reg::kKeep0, Reg::kRet));  // the result is a register item
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::BUILD_TUPLE));
}

TEST(LowerContainers, BuildListAboveOtherItems) {
  LoweringTest t("def f(x, a, b):\n    return x, [a, b]\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_list),
                               std::vector<x64::Arg>{AAddress(Slot::Stack(1)), AImm(2)}));
  EXPECT_CALL(t.pa, Move(_, Reg::kRet));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(1)));
  ASSERT_TRUE(t.Emit(frontend::BUILD_LIST));
}

TEST(LowerContainers, BuildTupleOfLocalsMaterialisesThemInTheirSlots) {
  LoweringTest t("def f(a, b):\n    return (a, b)\n", "f");
  // (the unbound-local exits of the loads materialise them too, later, in the cold region)
  std::vector<std::string> events;
  EXPECT_CALL(t.pa, MaterializeLocal(_, _)).WillRepeatedly([&events](Slot s, int local) {
    events.push_back("local " + std::to_string(local) + " -> " + std::to_string(s.index));
  });
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_tuple),
                               std::vector<x64::Arg>{AAddress(Slot::Stack(0)), AImm(2)}))
      .WillOnce([&events](auto&&...) { events.push_back("build"); });
  ASSERT_TRUE(t.EmitAll());
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(events.begin(), events.begin() + 3),
            (std::vector<std::string>{"local 0 -> 0", "local 1 -> 1", "build"}));
}

TEST(LowerContainers, BuildMapTakesTwoSlotsPerEntry) {
  LoweringTest t("def f(a, b, c, d):\n    return {a: b, c: d}\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_map),
                               std::vector<x64::Arg>{AAddress(Slot::Stack(0)), AImm(2)}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::BUILD_MAP));
}

TEST(LowerContainers, BuildConstKeyMapPassesValuesAndKeys) {
  LoweringTest t("def f(a, b):\n    return {'x': a, 'y': b}\n", "f");
  // stack: a, b, ('x', 'y')
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_const_key_map),
                               std::vector<x64::Arg>{AAddress(Slot::Stack(0)), AValue(Slot::Stack(2)),
                                                     AImm(2)}));
  EXPECT_CALL(t.pa, Store(Slot::Stack(0), Reg::kRet));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::BUILD_CONST_KEY_MAP));
}

TEST(LowerContainers, BuildStringJoinsTheParts) {
  LoweringTest t("def f(a, b):\n    return f'{a}-{b}'\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_build_string),
                               std::vector<x64::Arg>{AAddress(Slot::Stack(0)), AImm(3)}));
  ASSERT_TRUE(t.Emit(frontend::BUILD_STRING));
}

TEST(LowerContainers, ListExtendFindsTheListBelowTheIterable) {
  LoweringTest t("def f(a, b):\n    return [*a, *b]\n", "f");
  // BUILD_LIST 0; LOAD a; LIST_EXTEND 1; LOAD b; LIST_EXTEND 1
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_list_extend),
                               std::vector<x64::Arg>{AValue(Slot::Stack(0)), AValue(Slot::Stack(1))}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(1)));
  ASSERT_TRUE(t.Emit(frontend::LIST_EXTEND, 1));
}

TEST(LowerContainers, DictMergeNamesTheCallableTwoBelowTheDict) {
  LoweringTest t("def f(g, a, b):\n    return g(**a, **b)\n", "f");
  // stack: NULL, g, (), {}, then a: the callable is at Stack(1), the dict at Stack(3).
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_dict_merge),
                               std::vector<x64::Arg>{AValue(Slot::Stack(3)), AValue(Slot::Stack(4)),
                                                     AValue(Slot::Stack(1))}));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(4)));
  ASSERT_TRUE(t.Emit(frontend::DICT_MERGE));
}

TEST(LowerContainers, ListAppendInComprehensionUsesPeekOparg) {
  // The comprehension's own code: [.0 iterator] -> BUILD_LIST 0; ...; FOR_ITER; STORE x;
  // LOAD x; LIST_APPEND 2 with the list at the bottom and the iterator above it.
  LoweringTest t("def f(it):\n    return [x for x in it]\n", "f");
  PyObject* consts = reinterpret_cast<PyCodeObject*>(t.code.get())->co_consts;
  PyCodeObject* comp = nullptr;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(consts); ++i) {
    if (PyCode_Check(PyTuple_GET_ITEM(consts, i)))
      comp = reinterpret_cast<PyCodeObject*>(PyTuple_GET_ITEM(consts, i));
  }
  ASSERT_NE(comp, nullptr);
  ::testing::NiceMock<x64::MockPyAsm> pa;
  auto result = frontend::Analyze(InputFor(comp));
  ASSERT_TRUE(result.ok);
  rt::CacheArena caches;
  x64::Lowering lowering(pa, result.analysis, comp, caches);
  EXPECT_CALL(pa, CallHelper(_, _)).Times(AnyNumber());
  {
    InSequence seq;  // value (slot 2, owned) in kKeep0; the list 2 below it (slot 0)
    EXPECT_CALL(pa, Load(Reg::kKeep0, Slot::Stack(2)));
    EXPECT_CALL(pa, Load(Reg::kKeep1, Slot::Stack(0)));
    EXPECT_CALL(pa, ListAppendInline(Reg::kKeep1, Reg::kKeep0, _));
    EXPECT_CALL(pa, CallHelper(IsHelper(&rt_list_append),
                               std::vector<x64::Arg>{A(Reg::kKeep1), A(Reg::kKeep0)}));
  }
  ASSERT_TRUE(lowering.EmitOneForTest(lowering.FindForTest(frontend::LIST_APPEND)));
}

TEST(LowerContainers, MapAddTakesDictBelowKeyAndValue) {
  LoweringTest t("def f(it):\n    return {k: v for k, v in it}\n", "f");
  PyObject* consts = reinterpret_cast<PyCodeObject*>(t.code.get())->co_consts;
  PyCodeObject* comp = nullptr;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(consts); ++i) {
    if (PyCode_Check(PyTuple_GET_ITEM(consts, i)))
      comp = reinterpret_cast<PyCodeObject*>(PyTuple_GET_ITEM(consts, i));
  }
  ASSERT_NE(comp, nullptr);
  ::testing::NiceMock<x64::MockPyAsm> pa;
  auto result = frontend::Analyze(InputFor(comp));
  ASSERT_TRUE(result.ok);
  rt::CacheArena caches;
  x64::Lowering lowering(pa, result.analysis, comp, caches);
  EXPECT_CALL(pa, CallHelper(_, _)).Times(AnyNumber());
  // stack: dict, iterator, key, value
  EXPECT_CALL(pa, CallHelper(IsHelper(&rt_map_add),
                             std::vector<x64::Arg>{AValue(Slot::Stack(0)), AValue(Slot::Stack(2)),
                                                   AValue(Slot::Stack(3))}));
  EXPECT_CALL(pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(2)));
  ASSERT_TRUE(lowering.EmitOneForTest(lowering.FindForTest(frontend::MAP_ADD)));
}

// ---- FORMAT_VALUE ------------------------------------------------------------------------------

TEST(LowerContainers, FormatValuePlainStrIsANoOpBehindAGuard) {
  LoweringTest t("def f(a):\n    return f'{a}'\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyUnicode_Type, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_format_value),
                                 std::vector<x64::Arg>{A(Reg::kKeep0), AImm(0), AImm(0)}));
  }
  EXPECT_CALL(t.pa, Store(_, _)).Times(1);  // only on the slow path
  ASSERT_TRUE(t.Emit(frontend::FORMAT_VALUE));
}

TEST(LowerContainers, FormatValueWithConversionAndSpecCallsHelper) {
  LoweringTest t("def f(a, w):\n    return f'{a!r:>{w}}'\n", "f");
  // stack: a, then the spec built from w (FORMAT_VALUE of w, BUILD_STRING) -> a, spec
  EXPECT_CALL(t.pa, GuardExactType(_, _, _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_format_value),
                               std::vector<x64::Arg>{AValue(Slot::Stack(0)), AValue(Slot::Stack(1)),
                                                     AImm(2)}));
  EXPECT_CALL(t.pa, Store(Slot::Stack(0), Reg::kRet));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::FORMAT_VALUE, 1));
}

// ---- unpacking --------------------------------------------------------------------------------

TEST(LowerContainers, UnpackSequenceInlinesTupleAndListOfTheRightLength) {
  LoweringTest t("def f(s):\n    a, b = s\n    return a\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Stack(0)));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyTuple_Type, _));
    EXPECT_CALL(t.pa, UnpackSeqToSlots(SeqKind::kTuple, Reg::kKeep0, 2, Slot::Stack(0), _));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyList_Type, _));
    EXPECT_CALL(t.pa, UnpackSeqToSlots(SeqKind::kList, Reg::kKeep0, 2, Slot::Stack(0), _));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unpack_sequence),
                                 std::vector<x64::Arg>{A(Reg::kKeep0), AImm(2),
                                                       AAddress(Slot::Stack(0))}));
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::UNPACK_SEQUENCE));
}

TEST(LowerContainers, UnpackSequenceTupleHintSkipsTheListPath) {
  LoweringTest t("def f(s):\n    a, b = s\n    return a\n", "f");
  SetHint(t, frontend::UNPACK_SEQUENCE, frontend::Hint::kTuple);
  EXPECT_CALL(t.pa, UnpackSeqToSlots(SeqKind::kTuple, _, 2, _, _));
  EXPECT_CALL(t.pa, UnpackSeqToSlots(SeqKind::kList, _, _, _, _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::UNPACK_SEQUENCE));
}

TEST(LowerContainers, UnpackExSplitsTheOparg) {
  LoweringTest t("def f(s):\n    a, *b, c, d = s\n    return b\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unpack_ex),
                               std::vector<x64::Arg>{AValue(Slot::Stack(0)), AImm(1), AImm(2),
                                                     AAddress(Slot::Stack(0))}));
  EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindAt(0)));
  ASSERT_TRUE(t.Emit(frontend::UNPACK_EX));
}

}  // namespace
}  // namespace pyjion::test
