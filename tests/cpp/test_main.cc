// Entry point of pj_cpp_tests: GoogleTest/GoogleMock main plus one embedded CPython
// interpreter, initialised before the first test and finalised after the last. Tests run on
// the main thread, which holds the GIL throughout; helpers live in py_fixture.h.
#include <Python.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

class EmbeddedPython : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!Py_IsInitialized()) Py_InitializeEx(/*initsigs=*/0);
    ASSERT_TRUE(Py_IsInitialized());
  }
  void TearDown() override {
    if (Py_IsInitialized()) Py_FinalizeEx();
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleMock(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new EmbeddedPython);  // gtest takes ownership
  return RUN_ALL_TESTS();
}
