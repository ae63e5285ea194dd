# Entry points of pyjion_x64. `make` builds everything and installs it into .venv;
# `make demo` and `make test` build first when needed. See README.md.
PYTHON      ?= /usr/bin/python3.11
BUILD       ?= build
VENV        ?= .venv
JOBS        ?= $(shell nproc)
DEB_PACKAGES = cmake g++ make python3.11 python3.11-dev python3.11-venv libpython3-dev \
               libxbyak-dev googletest libgtest-dev libgmock-dev python3-pytest binutils

SITE        = $(VENV)/lib/python3.11/site-packages
VPY         = $(VENV)/bin/python
PY_SOURCES  = $(wildcard pymodule/pyjion_x64/*.py) pymodule/_pyjion_x64_autoload.py pymodule/pyjion_x64.pth

.PHONY: all deps build install demo test test-cpp test-python clean

all: install

# Installs only the Debian packages that are missing (needs root or sudo).
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DPython_EXECUTABLE=$(PYTHON) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(VPY): | deps
	$(PYTHON) -m venv --system-site-packages --without-pip $(VENV)

install: build $(VPY)
	@mkdir -p $(SITE)/pyjion_x64
	@cp pymodule/pyjion_x64/*.py $(SITE)/pyjion_x64/
	@cp $(BUILD)/_core*.so $(SITE)/pyjion_x64/
	@cp pymodule/_pyjion_x64_autoload.py pymodule/pyjion_x64.pth $(SITE)/
	@echo "pyjion_x64 installed in $(VENV)"

demo: install
	$(VPY) -m pyjion_x64.demo

test-cpp: build
	$(BUILD)/pj_cpp_tests

test-python: install
	env -u PYTHONDONTWRITEBYTECODE $(VPY) -m pytest -q tests/python

test: test-cpp test-python

clean:
	rm -rf $(BUILD) $(VENV)
