#!/bin/sh
# Runs the frontend fuzzer (libFuzzer, ASan+UBSan) for SECONDS on a scratch copy of the
# seed corpus, building it first if needed. Prints exactly one line on stdout:
#   frontend-fuzz: N inputs run, 0 divergences, C crashes
# and exits non-zero on any crash, sanitizer report, timeout or out-of-memory (C > 0), or
# when the build fails. On failure the reproducers and the fuzzer log are named on stderr.
#
#   fuzz/frontend/run.sh 60
#   FUZZ_SEED=1 fuzz/frontend/run.sh 120          # fixed seed (CI)
#
# Environment: FUZZ_BUILD   build directory (default <repo>/build-fuzz-frontend)
#              FUZZ_SEED    libFuzzer -seed (default: random)
#              FUZZ_RUNS    stop after this many inputs too (libFuzzer -runs): with FUZZ_SEED
#                           an exactly repeatable campaign, whatever the machine's speed
#              FUZZ_TIMEOUT seconds one input may take before it counts as a hang (10)
#              FUZZ_SCRATCH scratch directory (default: a new mktemp -d; removed on success)
#              CC, CXX      clang and clang++ (default clang, clang++)
# Needs the Debian packages clang and libclang-rt-14-dev (libFuzzer and the sanitizer
# runtimes), plus what the main build needs (python3.11-dev, libxbyak-dev, cmake).
set -eu

usage() { echo "usage: $0 SECONDS" >&2; exit 2; }
[ $# -eq 1 ] || usage
case "$1" in ''|*[!0-9]*) usage ;; esac
SECONDS_TO_RUN=$1

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz-frontend}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
TIMEOUT=${FUZZ_TIMEOUT:-10}
SCRATCH=${FUZZ_SCRATCH:-$(mktemp -d "${TMPDIR:-/tmp}/frontend-fuzz.XXXXXX")}
mkdir -p "$SCRATCH/corpus" "$SCRATCH/artifacts"
LOG=$SCRATCH/fuzz.log
BUILD_LOG=$SCRATCH/build.log

fail_build() {
  echo "frontend-fuzz: build failed, see $BUILD_LOG" >&2
  tail -n 30 "$BUILD_LOG" >&2
  echo "frontend-fuzz: 0 inputs run, 0 divergences, 0 crashes"
  exit 1
}

# Build (configure once; the build itself is incremental).
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$HERE" -B "$BUILD" -DCMAKE_C_COMPILER="${CC:-clang}" \
        -DCMAKE_CXX_COMPILER="${CXX:-clang++}" -DPython_EXECUTABLE=/usr/bin/python3.11 \
        >"$BUILD_LOG" 2>&1 || fail_build
fi
cmake --build "$BUILD" -j "$(nproc)" >>"$BUILD_LOG" 2>&1 || fail_build

# Fuzz a scratch copy of the corpus, so new units never land in the repository.
# -detect_leaks=0 turns off libFuzzer's leak check after each new input (CPython's free
# lists make nearly every input look like it leaks, and the checks cost two thirds of the
# throughput); LeakSanitizer still checks the whole process at exit, which fails the run.
cp "$HERE"/corpus/* "$SCRATCH/corpus/"
set +e
"$BUILD/fuzz_frontend" -max_total_time="$SECONDS_TO_RUN" -timeout="$TIMEOUT" \
    -rss_limit_mb=4096 -max_len=16384 -detect_leaks=0 -print_final_stats=1 \
    -artifact_prefix="$SCRATCH/artifacts/" ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
    ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
    "$SCRATCH/corpus" >"$LOG" 2>&1
STATUS=$?
set -e

# Inputs run: libFuzzer's final stats, else its last progress line ("#N ...").
RUNS=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$LOG" | tail -n 1)
if [ -z "$RUNS" ]; then
  RUNS=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$LOG" | tail -n 1)
fi
RUNS=${RUNS:-0}
CRASHES=$(find "$SCRATCH/artifacts" -type f | wc -l)
if [ "$STATUS" -ne 0 ] && [ "$CRASHES" -eq 0 ]; then
  CRASHES=1  # the fuzzer died without writing a reproducer (e.g. killed by a signal)
fi

if [ "$CRASHES" -ne 0 ]; then
  echo "frontend-fuzz: fuzzer exit status $STATUS; log: $LOG" >&2
  grep -E "==fefuzz==|ERROR: |SUMMARY: |runtime error|Test unit written" "$LOG" | head -n 20 >&2 || true
  find "$SCRATCH/artifacts" -type f -exec echo "frontend-fuzz: reproducer {}" \; >&2
  echo "frontend-fuzz: reproduce with $BUILD/fuzz_frontend <reproducer>" >&2
fi
echo "frontend-fuzz: $RUNS inputs run, 0 divergences, $CRASHES crashes"
if [ "$CRASHES" -ne 0 ]; then
  exit 1
fi
[ -n "${FUZZ_SCRATCH:-}" ] || rm -rf "$SCRATCH"
exit 0
