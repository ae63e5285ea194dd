// Fixture for opcode-lowering tests: analyse a real function's code object, build a
// Lowering over a GoogleMock PyAsm, and emit one instruction of it.
//
//   LoweringTest t("def f(a, b):\n    return a + b\n", "f");
//   EXPECT_CALL(t.pa, GuardExactType(Reg::kKeep0, &PyLong_Type, _));
//   ASSERT_TRUE(t.Emit(frontend::BINARY_OP));
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "frontend/analysis.h"
#include "mock_pyasm.h"
#include "py_fixture.h"
#include "x64/lowering.h"

namespace pyjion::test {

struct LoweringTest {
  LoweringTest(const char* source, const char* func_name) {
    AllowAnyCalls();
    code.reset(reinterpret_cast<PyObject*>(CompileFunctionCode(source, func_name)));
    if (!code) return;
    auto* co = reinterpret_cast<PyCodeObject*>(code.get());
    result = frontend::Analyze(InputFor(co));
    if (result.ok) lowering = std::make_unique<x64::Lowering>(pa, result.analysis, co, caches);
  }
  // Emits the nth instruction whose base opcode is `opcode`.
  bool Emit(uint8_t opcode, int nth = 0) {
    if (!lowering) return false;
    return lowering->EmitOneForTest(lowering->FindForTest(opcode, nth));
  }
  // Emits the whole function, as the compiler does (the virtual stack flows through).
  bool EmitAll() { return lowering && lowering->Run(); }
  const frontend::Instr& Find(uint8_t opcode, int nth = 0) {
    return result.analysis.instrs.at(lowering->FindForTest(opcode, nth));
  }

  // Catch-alls, so a test's own expectations only constrain the verbs it names (newer
  // expectations take precedence in GoogleMock).
  void AllowAnyCalls() {
    using ::testing::_;
    using ::testing::AnyNumber;
    EXPECT_CALL(pa, CallHelper(_, _)).Times(AnyNumber());
    EXPECT_CALL(pa, Load(_, _)).Times(AnyNumber());
    EXPECT_CALL(pa, Store(_, _)).Times(AnyNumber());
    EXPECT_CALL(pa, IncRef(_)).Times(AnyNumber());
    EXPECT_CALL(pa, DecRef(_)).Times(AnyNumber());
    EXPECT_CALL(pa, XDecRef(_)).Times(AnyNumber());
    EXPECT_CALL(pa, BranchIfZero(_, _)).Times(AnyNumber());
    EXPECT_CALL(pa, BranchIfNotZero(_, _)).Times(AnyNumber());
    EXPECT_CALL(pa, BranchIfNegative32(_, _)).Times(AnyNumber());
    EXPECT_CALL(pa, BranchIfEqual(_, _, _)).Times(AnyNumber());
    EXPECT_CALL(pa, BranchIfNotEqual(_, _, _)).Times(AnyNumber());
    EXPECT_CALL(pa, GuardExactType(_, _, _)).Times(AnyNumber());
  }

  ::testing::NiceMock<x64::MockPyAsm> pa;
  PyRef code;
  frontend::AnalysisResult result;
  rt::CacheArena caches;
  std::unique_ptr<x64::Lowering> lowering;
};

}  // namespace pyjion::test
