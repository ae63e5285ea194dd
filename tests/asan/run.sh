#!/bin/sh
# Builds pyjion_x64 with AddressSanitizer + UBSan (CMake option PJ_SANITIZE) and runs the
# Python test suite against it:
#
#   tests/asan/run.sh                         # build-asan/ and .venv-asan/, all of tests/python
#   BUILD=build-x VENV=.venv-x tests/asan/run.sh -k test_core    # extra arguments go to pytest
#
# The interpreter itself is not instrumented, so the sanitizer runtimes are preloaded.
#   PYTHONMALLOC=malloc   every Python object is its own malloc block, so ASan sees
#                         use-after-free and overflows of objects (pymalloc would hide them
#                         inside its arenas);
#   detect_leaks=0        CPython does not free everything at exit;
#   handle_segv=0         a crash stays a crash (SIGSEGV), as the hostile-input tests expect
#                         of plain CPython running garbage bytecode; ASan still reports
#                         every invalid access it instruments;
#   halt_on_error / abort_on_error, UBSan halt_on_error: any report fails the test run.
# Every subprocess a test starts inherits the environment, so it is sanitized too.
# (test_memory's churn subprocess turns ASan's quarantine off, or freed memory waiting
# there would make its RSS grow.)
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-asan}
VENV=${VENV:-.venv-asan}
PYTHON=${PYTHON:-/usr/bin/python3.11}

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -DPython_EXECUTABLE="$PYTHON" -DCMAKE_BUILD_TYPE=Release -DPJ_SANITIZE=ON
fi
grep -q "PJ_SANITIZE:BOOL=ON" "$BUILD/CMakeCache.txt" || {
  echo "$BUILD was configured without -DPJ_SANITIZE=ON" >&2; exit 2; }
make BUILD="$BUILD" VENV="$VENV" PYTHON="$PYTHON" install

LIBASAN=$(${CC:-gcc} -print-file-name=libasan.so)
LIBUBSAN=$(${CC:-gcc} -print-file-name=libubsan.so)
export LD_PRELOAD="$LIBASAN $LIBUBSAN"
export ASAN_OPTIONS="detect_leaks=0:handle_segv=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export PYTHONMALLOC=malloc
"$BUILD/pj_cpp_tests" --gtest_brief=1
exec "$VENV/bin/python" -m pytest -q tests/python "$@"
