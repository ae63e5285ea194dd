// Regression tests for the bugs found with the frontend fuzzer (fuzz/frontend), by its
// runs or while writing its oracles: one test per finding, on a minimal input, each one
// failing without its fix. Every input here must be compiled or refused with a reason,
// never crash; run the suite under -DPJ_SANITIZE=ON for the sanitizer half of that. The
// same inputs are in the fuzzer's seed corpus as fuzz/frontend/corpus/regress-*.
//
// Hostile code objects are made the way a user could make them: CodeType.replace() on a
// real function's code (HostileCode), or as a hand-made frontend::CodeInput.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "frontend/analysis.h"
#include "mock_pyasm.h"
#include "py_fixture.h"
#include "runtime/code_arena.h"
#include "x64/compiler.h"
#include "x64/lowering.h"

namespace pyjion::frontend {
namespace {

using test::PyRef;
using ::testing::HasSubstr;

uint16_t U(int op, int arg = 0) { return static_cast<uint16_t>(op | (arg << 8)); }

// Runs `source` (with `op` = dis.opmap and a no-op `f` predefined) and returns the code
// object it binds to `co`; null (test failure) if it does not.
PyRef HostileCode(const std::string& source) {
  const std::string prelude =
      "import dis\n"
      "op = dis.opmap\n"
      "def f():\n"
      "    pass\n";
  PyRef globals(test::ExecSource((prelude + source).c_str()));
  if (!globals) return PyRef();
  PyObject* co = PyDict_GetItemString(globals.get(), "co");  // borrowed
  if (!co || !PyCode_Check(co)) {
    ADD_FAILURE() << "the source binds no code object to `co`";
    return PyRef();
  }
  Py_INCREF(co);
  return PyRef(co);
}

// x64::Compile on `co`: true if compiled (the code region is released at once).
bool CompileAndFree(PyObject* co, std::string* reason) {
  x64::CompiledCode compiled;
  const bool ok = x64::Compile(reinterpret_cast<PyCodeObject*>(co), &compiled, reason);
  EXPECT_FALSE(PyErr_Occurred()) << "Compile left an exception set";
  PyErr_Clear();
  if (ok) rt::FreeRegion(&compiled.region);
  return ok;
}

// A small valid CodeInput: RESUME; LOAD_CONST 0; RETURN_VALUE.
CodeInput ReturnConst() {
  CodeInput c;
  c.units = {U(RESUME), U(LOAD_CONST, 0), U(RETURN_VALUE)};
  c.stacksize = 1;
  c.nconsts = 1;
  c.const_is_tuple_of_str = {false};
  c.name = "ret";
  return c;
}

// ---- Finding 1: frame slots past the int32 displacement range -------------------------
// A huge co_stacksize plus an UNPACK_SEQUENCE with a 2**28 count (three EXTENDED_ARGs) made
// the stack depth 2**28, and the emitter's frame offset 8 * (nlocalsplus + depth)
// overflowed int (UBSan: signed integer overflow in XbyakPyAsm::SlotOffset); without
// sanitizers the wrapped offset would address memory far outside the frame. Spotted while
// writing the harness's frame-slot audit, confirmed by this input under the harness.

TEST(FrontendRegressions, HugeStackDepthIsRefused) {
  PyRef co = HostileCode(
      "code = bytes([op['RESUME'], 0, op['LOAD_CONST'], 0,\n"
      "              op['EXTENDED_ARG'], 0x10, op['EXTENDED_ARG'], 0, op['EXTENDED_ARG'], 0,\n"
      "              op['UNPACK_SEQUENCE'], 0, 0, 0,\n"
      "              op['LOAD_CONST'], 0, op['RETURN_VALUE'], 0])\n"
      "co = f.__code__.replace(co_code=code, co_stacksize=0x7fffffff,\n"
      "                        co_exceptiontable=b'', co_linetable=b'')\n");
  ASSERT_TRUE(co);
  const AnalysisResult r = Analyze(test::InputFor(reinterpret_cast<PyCodeObject*>(co.get())));
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.reason, HasSubstr("frame too large"));
  std::string reason;
  EXPECT_FALSE(CompileAndFree(co.get(), &reason));
  EXPECT_THAT(reason, HasSubstr("frame too large"));
}

TEST(FrontendRegressions, FrameSizeLimitIsExact) {
  CodeInput c = ReturnConst();
  c.nlocalsplus = 1000;
  c.nlocals = 1000;
  c.stacksize = (1 << 24) - 1000;
  EXPECT_TRUE(Analyze(c).ok) << Analyze(c).reason;
  c.stacksize += 1;
  const AnalysisResult r = Analyze(c);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.reason, HasSubstr("frame too large"));
}

TEST(FrontendRegressions, LargeButLegalStackStillCompiles) {
  // A deep (2**20 items) but addressable stack is compiled, not refused.
  PyRef co = HostileCode(
      "code = bytes([op['RESUME'], 0, op['LOAD_CONST'], 0,\n"
      "              op['EXTENDED_ARG'], 0x10, op['EXTENDED_ARG'], 0,\n"
      "              op['UNPACK_SEQUENCE'], 0, 0, 0,\n"
      "              op['LOAD_CONST'], 0, op['RETURN_VALUE'], 0])\n"
      "co = f.__code__.replace(co_code=code, co_stacksize=0x100001,\n"
      "                        co_exceptiontable=b'', co_linetable=b'')\n");
  ASSERT_TRUE(co);
  std::string reason;
  EXPECT_TRUE(CompileAndFree(co.get(), &reason)) << reason;
}

// ---- Finding 2: an exception handler level above the stack at an error exit -----------
// The frontend checks an exception entry's depth against the stack depth *before* each
// covered instruction, but an instruction that fails has already consumed its operands:
// BINARY_OP fails with depth - 2 items left. With the entry's depth between the two, the
// error stub called rt_unwind(depth 0, level 1): it kept slot 0, whose item BINARY_OP had
// already released, and handed it to the handler as an owned reference (a use after free
// at run time; the interpreter has no answer for such a table either). Found by the
// fuzzer's auditing assembler ("error exit unwinds to a level above the stack").
//   0 RESUME; 1 LOAD_CONST 0; 2 LOAD_CONST 0; 3 BINARY_OP + (4: CACHE); 5 RETURN_VALUE;
//   6 RETURN_VALUE (the handler)        exception table: [3, 4) -> 6, depth 1

// The hostile code of finding 2 with the handler at `level`.
std::string HandlerAboveErrorDepth(int level) {
  return "code = bytes([op['RESUME'], 0, op['LOAD_CONST'], 0, op['LOAD_CONST'], 0,\n"
         "              op['BINARY_OP'], 0, 0, 0, op['RETURN_VALUE'], 0,\n"
         "              op['RETURN_VALUE'], 0])\n"
         "table = bytes([0x80 | 3, 1, 6, " + std::to_string(level << 1) + "])\n"
         "co = f.__code__.replace(co_code=code, co_stacksize=2, co_consts=(None,),\n"
         "                        co_exceptiontable=table, co_linetable=b'')\n";
}

TEST(FrontendRegressions, HandlerLevelAboveErrorDepthIsRefused) {
  PyRef co = HostileCode(HandlerAboveErrorDepth(1));
  ASSERT_TRUE(co);
  std::string reason;
  EXPECT_FALSE(CompileAndFree(co.get(), &reason));
  EXPECT_THAT(reason, HasSubstr("exception handler level 1 above the stack"));
  EXPECT_THAT(reason, HasSubstr("BINARY_OP"));
}

TEST(FrontendRegressions, HandlerLevelAtErrorDepthCompiles) {
  // The same code with the handler at level 0 (what a compiler would emit) is compiled.
  PyRef co = HostileCode(HandlerAboveErrorDepth(0));
  ASSERT_TRUE(co);
  std::string reason;
  EXPECT_TRUE(CompileAndFree(co.get(), &reason)) << reason;
}

// ---- Review finding 3: COMPARE_OP fused with a jump that has another handler ---------
// COMPARE_OP + POP_JUMP_*_IF_* are emitted as one (no bool object); the truth test of a
// non-bool comparison result belongs to the jump, but its error exit used the exception
// handler of COMPARE_OP. Compiler output never puts a handler boundary between the two;
// hand-made code can, and then an exception from the truth test went to the wrong handler
// (or to none). Found while reviewing the lowering for the fuzzer's audit, not by the
// fuzzer (it never runs code). The fix: no fusion across differing handlers.
//   0 RESUME; 1 LOAD_CONST 0; 2 LOAD_CONST 0; 3 COMPARE_OP == (4, 5: CACHE);
//   6 POP_JUMP_FORWARD_IF_FALSE +2; 7 LOAD_CONST 0; 8 RETURN_VALUE; 9 LOAD_CONST 0;
//   10 RETURN_VALUE; 11 RETURN_VALUE (the handler, returns the exception)

// Emits the COMPARE_OP of that code, with exception table `table` (a Python bytes
// expression), over a mock assembler; true if it was fused with the jump (no bool object
// is made of the comparison).
bool CompareIsFused(const std::string& table) {
  PyRef co = HostileCode(
      "code = bytes([op['RESUME'], 0, op['LOAD_CONST'], 0, op['LOAD_CONST'], 0,\n"
      "              op['COMPARE_OP'], 2, 0, 0, 0, 0,\n"
      "              op['POP_JUMP_FORWARD_IF_FALSE'], 2, op['LOAD_CONST'], 0,\n"
      "              op['RETURN_VALUE'], 0, op['LOAD_CONST'], 0, op['RETURN_VALUE'], 0,\n"
      "              op['RETURN_VALUE'], 0])\n"
      "co = f.__code__.replace(co_code=code, co_stacksize=2, co_consts=(None,),\n"
      "                        co_exceptiontable=" + table + ", co_linetable=b'')\n");
  if (!co) return false;
  auto* code = reinterpret_cast<PyCodeObject*>(co.get());
  const AnalysisResult r = Analyze(test::InputFor(code));
  EXPECT_TRUE(r.ok) << r.reason;
  if (!r.ok) return false;
  ::testing::NiceMock<x64::MockPyAsm> pa;
  bool made_bool = false;
  ON_CALL(pa, SelectBool(::testing::_, ::testing::_))
      .WillByDefault([&made_bool](auto...) { made_bool = true; });
  rt::CacheArena caches;
  x64::Lowering lowering(pa, r.analysis, code, caches);
  EXPECT_TRUE(lowering.EmitOneForTest(lowering.FindForTest(COMPARE_OP))) << lowering.reason();
  return !made_bool;
}

TEST(FrontendRegressions, CompareNotFusedAcrossHandlerBoundary) {
  // Only the jump (unit 6) is covered: [6, 7) -> 11, depth 0.
  EXPECT_FALSE(CompareIsFused("bytes([0x80 | 6, 1, 11, 0])"));
}

TEST(FrontendRegressions, CompareFusedUnderOneHandler) {
  EXPECT_TRUE(CompareIsFused("b''"));                          // no handler at all
  EXPECT_TRUE(CompareIsFused("bytes([0x80 | 3, 4, 11, 0])"));  // [3, 7) -> 11: both covered
}

}  // namespace
}  // namespace pyjion::frontend
