// Interned strs created on first use and kept for the life of the process, like ceval's
// _Py_ID(...): the attribute and method names the runtime helpers look up.
#pragma once

#include <Python.h>

namespace pyjion::rt {

// NULL (with MemoryError set) only if creating it fails; a later call tries again. The GIL
// serialises the first calls.
class InternedName {
 public:
  explicit constexpr InternedName(const char* text) : text_(text) {}
  PyObject* get() {
    if (obj_ == nullptr) obj_ = PyUnicode_InternFromString(text_);
    return obj_;
  }

 private:
  const char* text_;
  PyObject* obj_ = nullptr;
};

}  // namespace pyjion::rt
