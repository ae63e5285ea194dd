// The perf map: with PYJION_X64_PERF_MAP=1 or config(perf_map=True), every compiled code
// object is appended to /tmp/perf-<pid>.map as `START SIZE name` (hex), the format perf
// reads for JIT code, so `perf report` names samples in compiled code
// `py::qualname:file:line`. The file is reopened after a fork (new pid).
#pragma once

#include <Python.h>

#include <cstddef>

namespace pyjion::rt {

bool PerfMapEnabled();
void SetPerfMapEnabled(bool on);
// Records `size` bytes of machine code at `start` as the code of `code`.
void PerfMapAdd(PyCodeObject* code, const void* start, size_t size);

}  // namespace pyjion::rt
