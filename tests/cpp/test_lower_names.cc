// Lowering tests for the names family (globals, names, cells, free variables): the cache
// guards of LOAD_GLOBAL and its miss helper, the NULL that LOAD_GLOBAL pushes for calls,
// inline cell access, and the depth / traceback flag of every error exit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "lowering_fixture.h"
#include "runtime/helpers_call.h"
#include "runtime/helpers_names.h"

namespace pyjion::test {
namespace {

using ::testing::_;
using ::testing::AnyNumber;
using ::testing::InSequence;
using ::testing::Sequence;
using ::testing::SaveArg;
using ::testing::Truly;
using x64::AFrame;
using x64::AImm;
using x64::APtr;
using x64::Arg;
using x64::ATstate;
using x64::AValue;
using x64::Field;
using x64::IsHelper;
using x64::Reg;
using x64::Slot;

// rt_unwind's arguments for an error leaving `depth` items, outside any handler.
std::vector<Arg> UnwindArgs(int depth, bool traceback) {
  return {ATstate(), AFrame(), AImm(depth), AImm(static_cast<uint64_t>(-1)), AImm(0),
          AImm(traceback ? 1 : 0)};
}

// Like LoweringTest, for a code object nested in a function's constants (class bodies).
struct NestedLoweringTest {
  NestedLoweringTest(const char* source, const char* func_name) {
    EXPECT_CALL(pa, CallHelper(_, _)).Times(AnyNumber());
    EXPECT_CALL(pa, Store(_, _)).Times(AnyNumber());
    EXPECT_CALL(pa, BranchIfZero(_, _)).Times(AnyNumber());
    LoweringTest outer(source, func_name);
    PyObject* consts = reinterpret_cast<PyCodeObject*>(outer.code.get())->co_consts;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(consts); ++i) {
      if (PyCode_Check(PyTuple_GET_ITEM(consts, i))) {
        code.reset(Py_NewRef(PyTuple_GET_ITEM(consts, i)));
        break;
      }
    }
    if (!code) return;
    auto* co = reinterpret_cast<PyCodeObject*>(code.get());
    result = frontend::Analyze(InputFor(co));
    if (result.ok) lowering = std::make_unique<x64::Lowering>(pa, result.analysis, co, caches);
  }
  bool Emit(uint8_t opcode, int nth = 0) {
    return lowering && lowering->EmitOneForTest(lowering->FindForTest(opcode, nth));
  }
  ::testing::NiceMock<x64::MockPyAsm> pa;
  PyRef code;
  frontend::AnalysisResult result;
  rt::CacheArena caches;
  std::unique_ptr<x64::Lowering> lowering;
};

// -- LOAD_GLOBAL -----------------------------------------------------------------------------

TEST(LowerLoadGlobal, CacheHitIsGuardedByBothDictVersionsMissCallsTheHelper) {
  LoweringTest t("G = 1\ndef f():\n    return G\n", "f");
  const uint64_t* globals_tag = nullptr;
  const uint64_t* builtins_tag = nullptr;
  const void* value_addr = nullptr;
  std::vector<Arg> helper_args;
  {
    InSequence seq;
    EXPECT_CALL(t.pa, LoadField(Reg::kTmp0, Field::kGlobals));  // always a dict: the tag suffices
    EXPECT_CALL(t.pa, GuardDictVersion(Reg::kTmp0, _, _)).WillOnce(SaveArg<1>(&globals_tag));
    EXPECT_CALL(t.pa, LoadField(Reg::kTmp0, Field::kBuiltins));
    EXPECT_CALL(t.pa, GuardExactType(Reg::kTmp0, &PyDict_Type, _));
    EXPECT_CALL(t.pa, GuardDictVersion(Reg::kTmp0, _, _)).WillOnce(SaveArg<1>(&builtins_tag));
    EXPECT_CALL(t.pa, LoadWord(Reg::kKeep0, _)).WillOnce(SaveArg<1>(&value_addr));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep0));  // pushed as a register item
    // cold: the miss
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_global), _))
        .WillOnce(SaveArg<1>(&helper_args));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Move(Reg::kKeep0, Reg::kRet));
  }
  EXPECT_CALL(t.pa, StoreNull(_)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::LOAD_GLOBAL));

  // All three words belong to the one cache handed to the helper, made for name "G".
  ASSERT_EQ(helper_args.size(), 2u);
  EXPECT_EQ(helper_args[0], AFrame());
  ASSERT_EQ(helper_args[1].kind, Arg::kImm);
  auto* cache = reinterpret_cast<const rt::GlobalCache*>(helper_args[1].imm);
  EXPECT_EQ(globals_tag, &cache->globals_tag);
  EXPECT_EQ(builtins_tag, &cache->builtins_tag);
  EXPECT_EQ(value_addr, static_cast<const void*>(&cache->value));
  EXPECT_EQ(PyUnicode_CompareWithASCIIString(cache->name, "G"), 0);
  EXPECT_EQ(cache->globals_tag, 0u);  // empty until the first miss: never matches
}

TEST(LowerLoadGlobal, EachSiteHasItsOwnCache) {
  LoweringTest t("def f():\n    return (G, G)\n", "f");
  std::set<uint64_t> caches;
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_global), _))
      .WillRepeatedly([&caches](const x64::Helper&, const std::vector<Arg>& args) {
        caches.insert(args.at(1).imm);
      });
  ASSERT_TRUE(t.Emit(frontend::LOAD_GLOBAL, 0));
  ASSERT_TRUE(t.Emit(frontend::LOAD_GLOBAL, 1));
  EXPECT_EQ(caches.size(), 2u);
}

TEST(LowerLoadGlobal, ForACallPushesNullBelowTheValue) {
  LoweringTest t("def f(x):\n    return len(x)\n", "f");
  ASSERT_EQ(t.Find(frontend::LOAD_GLOBAL).oparg & 1, 1);
  // NULL and value are virtual items: the CALL after them materialises both in their slots
  // (the exits of the instructions in between materialise them too, later, when cold)
  std::vector<std::string> events;
  EXPECT_CALL(t.pa, LoadWord(Reg::kKeep0, _)).WillOnce([&events](auto&&...) {
    events.push_back("load");
  });
  EXPECT_CALL(t.pa, StoreNull(Slot::Stack(0))).WillRepeatedly([&events](auto&&...) {
    events.push_back("null");
  });
  EXPECT_CALL(t.pa, Store(Slot::Stack(1), Reg::kKeep0)).WillRepeatedly([&events](auto&&...) {
    events.push_back("value");
  });
  EXPECT_CALL(t.pa, CallIndirect(_, _, _)).WillOnce([&events](auto&&...) {
    events.push_back("call");
  });
  // A failed lookup pushed nothing: the NULL slot is above the unwound depth.
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(0, true)));
  ASSERT_TRUE(t.EmitAll());
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(events.begin(), events.begin() + 4),
            (std::vector<std::string>{"load", "null", "value", "call"}));
}

TEST(LowerLoadGlobal, MissFailureUnwindsAtTheDepthBeforeTheLoad) {
  LoweringTest t("def f(a):\n    return a + G\n", "f");
  EXPECT_CALL(t.pa, Move(Reg::kKeep0, Reg::kRet));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(1, true)));
  ASSERT_TRUE(t.Emit(frontend::LOAD_GLOBAL));
}

// -- other globals and names: one helper call each --------------------------------------------

TEST(LowerStoreGlobal, HelperStealsTheValueAndFailsBelowIt) {
  LoweringTest t("def f(a):\n    global G\n    G = a\n", "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_store_global),
                                 Truly([](const std::vector<Arg>& a) {
                                   return a.size() == 3 && a[0] == AFrame() &&
                                          a[2] == AValue(Slot::Stack(0));
                                 })));
    EXPECT_CALL(t.pa, BranchIfNegative32(Reg::kRet, _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(0, true)));
  }
  ASSERT_TRUE(t.Emit(frontend::STORE_GLOBAL));
}

TEST(LowerDeleteGlobal, CallsTheHelper) {
  LoweringTest t("def f():\n    global G\n    del G\n", "f");
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_delete_global), _));
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(0, true)));
  ASSERT_TRUE(t.Emit(frontend::DELETE_GLOBAL));
}

TEST(LowerNames, ModuleLevelLoadStoreDeleteNameAreHelpers) {
  const char* src = "a = 1\nb = a\ndel b\n";
  {
    LoweringTest t(src, nullptr);
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_name), _));
    EXPECT_CALL(t.pa, Store(Slot::Stack(0), Reg::kRet));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(0, true)));
    ASSERT_TRUE(t.Emit(frontend::LOAD_NAME));
  }
  {
    LoweringTest t(src, nullptr);
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_store_name), _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(0, true)));
    ASSERT_TRUE(t.Emit(frontend::STORE_NAME));
  }
  {
    LoweringTest t(src, nullptr);
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_delete_name), _));
    ASSERT_TRUE(t.Emit(frontend::DELETE_NAME));
  }
}

// -- cells and free variables -----------------------------------------------------------------

// x is a cell (captured by a never-created inner function), y a plain local.
constexpr const char* kCells =
    "def f(x):\n"
    "    if 0:\n"
    "        def inner():\n"
    "            return x\n"
    "    x = x + 1\n"
    "    del x\n"
    "    return x\n";

TEST(LowerCells, MakeCellWrapsTheSlotAndFailsWithoutTraceback) {
  LoweringTest t(kCells, "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&PyCell_New), std::vector<Arg>{AValue(Slot::Local(0))}));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Local(0)));
    EXPECT_CALL(t.pa, Store(Slot::Local(0), Reg::kRet));
    EXPECT_CALL(t.pa, XDecRef(Reg::kKeep0));
    // The frame is incomplete before RESUME: ceval's resume_with_error adds no traceback.
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(0, false)));
  }
  EXPECT_CALL(t.pa, SetPrevInstr(_)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::MAKE_CELL));
}

TEST(LowerCells, LoadDerefReadsTheCellInline) {
  LoweringTest t(kCells, "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Local(0)));
    EXPECT_CALL(t.pa, LoadCell(Reg::kKeep0, Reg::kKeep0));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kKeep0, _));
    EXPECT_CALL(t.pa, IncRef(Reg::kKeep0));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unbound_deref),
                                 std::vector<Arg>{AFrame(), AImm(0)}));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(0, true)));
  }
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_classderef), _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::LOAD_DEREF));
}

TEST(LowerCells, StoreDerefStoresBeforeReleasingTheOldContents) {
  LoweringTest t(kCells, "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, Load(Reg::kKeep0, Slot::Stack(0)));  // the value, owned: moves in
    EXPECT_CALL(t.pa, Load(Reg::kKeep1, Slot::Local(0)));  // the cell
    EXPECT_CALL(t.pa, LoadCell(Reg::kRet, Reg::kKeep1));
    EXPECT_CALL(t.pa, StoreCell(Reg::kKeep1, Reg::kKeep0));
    EXPECT_CALL(t.pa, XDecRef(Reg::kRet));
  }
  EXPECT_CALL(t.pa, IncRef(_)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(_, _)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::STORE_DEREF));
}

TEST(LowerCells, DeleteDerefEmptiesTheCellOrRaises) {
  LoweringTest t(kCells, "f");
  {
    InSequence seq;
    EXPECT_CALL(t.pa, LoadCell(Reg::kKeep1, Reg::kKeep0));
    EXPECT_CALL(t.pa, BranchIfZero(Reg::kKeep1, _));
    EXPECT_CALL(t.pa, LoadImm(Reg::kTmp0, 0));
    EXPECT_CALL(t.pa, StoreCell(Reg::kKeep0, Reg::kTmp0));
    EXPECT_CALL(t.pa, DecRef(Reg::kKeep1));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unbound_deref), _));
    EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_unwind), UnwindArgs(0, true)));
  }
  ASSERT_TRUE(t.Emit(frontend::DELETE_DEREF));
}

constexpr const char* kClosure =
    "def outer():\n"
    "    v = 1\n"
    "    def inner():\n"
    "        return v\n"
    "    return inner\n"
    "inner = outer()\n";

TEST(LowerCells, CopyFreeVarsCopiesTheCellsInline) {
  LoweringTest t(kClosure, "inner");
  // inner has no locals and no cells of its own: its one free variable is slot 0
  EXPECT_CALL(t.pa, CopyFreeVars(0, 1));
  EXPECT_CALL(t.pa, CallHelper(_, _)).Times(0);
  EXPECT_CALL(t.pa, SetPrevInstr(_)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::COPY_FREE_VARS));
}

TEST(LowerCells, LoadClosureIsLoadFast) {
  LoweringTest t(kClosure, "outer");
  // the cell was made by MAKE_CELL on every path: a borrowed item, no check, no code
  EXPECT_CALL(t.pa, Load(_, _)).Times(0);
  EXPECT_CALL(t.pa, CallHelper(_, _)).Times(0);
  EXPECT_CALL(t.pa, IncRef(_)).Times(0);
  ASSERT_TRUE(t.Emit(frontend::LOAD_CLOSURE));
}

TEST(LowerCells, LoadClassDerefInAClassBodyCallsTheHelper) {
  NestedLoweringTest t("def f(v):\n    class C:\n        a = v\n    return C\n", "f");
  ASSERT_TRUE(t.lowering);
  EXPECT_CALL(t.pa, CallHelper(IsHelper(&rt_load_classderef), _));
  EXPECT_CALL(t.pa, BranchIfZero(Reg::kRet, _));
  EXPECT_CALL(t.pa, Store(Slot::Stack(0), Reg::kRet));
  ASSERT_TRUE(t.Emit(frontend::LOAD_CLASSDEREF));
}

}  // namespace
}  // namespace pyjion::test
