# Entry points of pyjion_x64. `make` builds everything and installs it into .venv;
# `make demo` and `make test` build first when needed. See README.md.
PYTHON      ?= /usr/bin/python3.11
BUILD       ?= build
VENV        ?= .venv
JOBS        ?= $(shell nproc)
DEB_PACKAGES = cmake g++ make python3.11 python3.11-dev python3.11-venv libpython3-dev \
               libxbyak-dev googletest libgtest-dev libgmock-dev python3-pytest binutils
FUZZ_PACKAGES = clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
FUZZ_SEED   ?= 1

SITE        = $(VENV)/lib/python3.11/site-packages
VPY         = $(VENV)/bin/python
PY_SOURCES  = $(wildcard pymodule/pyjion_x64/*.py) pymodule/_pyjion_x64_autoload.py pymodule/pyjion_x64.pth

.PHONY: all deps fuzz-deps build install demo test test-cpp test-python test-refleak test-asan \
        ci test-all fuzz fuzz-ci bench clean

all: install

# Installs only the Debian packages that are missing (needs root or sudo).
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(FUZZ_PACKAGES)"

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DPython_EXECUTABLE=$(PYTHON) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(VPY): | deps
	$(PYTHON) -m venv --system-site-packages --without-pip $(VENV)

install: build $(VPY)
	@mkdir -p $(SITE)/pyjion_x64
	@cp pymodule/pyjion_x64/*.py $(SITE)/pyjion_x64/
	@# a new file renamed into place: rewriting the installed .so in place would change the
	@# machine code under any process that has it loaded (SIGILL/SIGSEGV in running programs)
	@for so in $(BUILD)/_core*.so; do \
	  dst=$(SITE)/pyjion_x64/$$(basename $$so); \
	  cp $$so $$dst.tmp.$$$$ && mv -f $$dst.tmp.$$$$ $$dst; \
	done
	@cp pymodule/_pyjion_x64_autoload.py pymodule/pyjion_x64.pth $(SITE)/
	@echo "pyjion_x64 installed in $(VENV)"

demo: install
	$(VPY) -m pyjion_x64.demo

test-cpp: build
	$(BUILD)/pj_cpp_tests

test-python: install
	env -u PYTHONDONTWRITEBYTECODE $(VPY) -m pytest -q tests/python

test: test-cpp test-python

# Reference leaks: the in-process compiled test bodies, repeated under Debian's debug
# interpreter (sys.gettotalrefcount), with the extension built for it in $(DBG_BUILD).
DBG_PYTHON ?= /usr/bin/python3.11d
DBG_BUILD  ?= build-dbg
DBG_VENV   ?= .venv-dbg
test-refleak:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="python3.11-dbg"
	@$(MAKE) --no-print-directory BUILD=$(DBG_BUILD) VENV=$(DBG_VENV) PYTHON=$(DBG_PYTHON) install
	env -u PYTHONDONTWRITEBYTECODE $(DBG_VENV)/bin/python tests/refleak/run.py

# AddressSanitizer + UBSan build of the extension (build-asan/, .venv-asan/), then the C++
# tests and the whole Python suite against it (see tests/asan/run.sh).
test-asan: deps
	env -u PYTHONDONTWRITEBYTECODE PYTHON=$(PYTHON) sh tests/asan/run.sh

# What CI (.ci/run) runs: the tests, the short fixed fuzz campaign and the refleak run.
ci: test fuzz-ci test-refleak

# Everything, ASan included (its instrumented build takes the longest).
test-all: ci test-asan

# Both fuzzers for FUZZ_SECONDS each; one summary line each; non-zero on any finding.
fuzz: install fuzz-deps
	@status=0; \
	$(VPY) fuzz/progfuzz/main.py --seconds $(FUZZ_SECONDS) || status=1; \
	sh fuzz/frontend/run.sh $(FUZZ_SECONDS) || status=1; \
	exit $$status

# The short campaign CI runs on every change: fixed seeds and fixed counts, so it is the
# same campaign on every machine (a slow machine may stop early at the time limit).
FUZZ_CI_SEED ?= 1
FUZZ_CI_PROGRAMS ?= 120
FUZZ_CI_INPUTS   ?= 40000
fuzz-ci: install fuzz-deps
	@status=0; \
	$(VPY) fuzz/progfuzz/main.py --seconds 300 --seed $(FUZZ_CI_SEED) --programs $(FUZZ_CI_PROGRAMS) || status=1; \
	FUZZ_SEED=$(FUZZ_SEED) FUZZ_RUNS=$(FUZZ_CI_INPUTS) sh fuzz/frontend/run.sh 300 || status=1; \
	exit $$status

# The benchmark suite (bench/programs): interpreter and JIT alternating in fresh processes,
# BENCH_REPS repetitions each; a table on stdout and JSON in $(BUILD)/bench.json.
# BENCH=name[,name...] runs only those.
BENCH      ?=
BENCH_REPS ?= 5
bench: install
	$(VPY) bench/run.py --reps $(BENCH_REPS) --interp $(PYTHON) --jit-python $(VPY) \
	  --json $(BUILD)/bench.json $(if $(BENCH),--bench $(BENCH))

clean:
	rm -rf $(BUILD) $(VENV)
