// Copies what the frontend needs out of a live PyCodeObject into a Python-free
// frontend::CodeInput. Owns: MakeCodeInput(). Call with the GIL held.
#pragma once

#include <Python.h>

#include "frontend/analysis.h"

namespace pyjion::rt {

// Fills *out from `co`: the live (possibly quickened) units of _PyCode_CODE(co), the
// exception table bytes, slot/const/name counts, flags and the qualified name.
// Returns false (with no Python exception left set) if `co` is not a usable code object.
bool MakeCodeInput(PyCodeObject* co, frontend::CodeInput* out);

}  // namespace pyjion::rt
