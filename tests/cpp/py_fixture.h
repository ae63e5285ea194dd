// Shared helpers for C++ tests that need real CPython objects. The embedded interpreter is
// initialised once for the whole test binary by test_main.cc; every helper here assumes it
// is running and that the calling thread holds the GIL (the main test thread does).
//
//   PyRef                   owning PyObject* (Py_XDECREF on destruction).
//   ExecSource(src)         runs `src` in a fresh module dict, returns that dict.
//   LoadFunction(src, name) the function object `name` defined by `src`.
//   CompileFunctionCode     its __code__ (or the module code object when name is null).
//   InputFor(...)           the frontend::CodeInput of a code object, via rt::MakeCodeInput.
//   CallForIntRows          calls a Python oracle and reads back a list of int tuples.
// Failures print the Python traceback and return null / an empty CodeInput, so a test can
// ASSERT on the result without leaking a pending exception into the next test.
#pragma once

#include <Python.h>

#include <string>
#include <utility>
#include <vector>

#include "frontend/analysis.h"
#include "runtime/code_input.h"

namespace pyjion::test {

class PyRef {
 public:
  PyRef() = default;
  explicit PyRef(PyObject* owned) : obj_(owned) {}
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  PyRef(PyRef&& other) noexcept : obj_(other.release()) {}
  PyRef& operator=(PyRef&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~PyRef() { Py_XDECREF(obj_); }

  PyObject* get() const { return obj_; }
  PyObject* release() { return std::exchange(obj_, nullptr); }
  void reset(PyObject* owned = nullptr) { Py_XDECREF(std::exchange(obj_, owned)); }
  explicit operator bool() const { return obj_ != nullptr; }

 private:
  PyObject* obj_ = nullptr;
};

// Prints and clears a pending Python exception; returns nullptr for convenient chaining.
inline PyObject* ReportPyError() {
  if (PyErr_Occurred()) PyErr_Print();
  return nullptr;
}

// Executes `source` as a module body in a fresh globals dict; new reference or nullptr.
inline PyObject* ExecSource(const char* source, const char* filename = "<pyjion-test>") {
  PyRef globals(PyDict_New());
  if (!globals) return ReportPyError();
  PyRef module_name(PyUnicode_FromString("__pjtest__"));
  if (!module_name ||
      PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) < 0 ||
      PyDict_SetItemString(globals.get(), "__name__", module_name.get()) < 0)
    return ReportPyError();
  PyRef code(Py_CompileString(source, filename, Py_file_input));
  if (!code) return ReportPyError();
  PyRef result(PyEval_EvalCode(code.get(), globals.get(), globals.get()));
  if (!result) return ReportPyError();
  return globals.release();
}

// The object bound to `name` after running `source`; new reference or nullptr.
inline PyObject* LoadFunction(const char* source, const char* name) {
  PyRef globals(ExecSource(source));
  if (!globals) return nullptr;
  PyObject* fn = PyDict_GetItemString(globals.get(), name);  // borrowed
  if (!fn) {
    PyErr_Format(PyExc_KeyError, "source defines no '%s'", name);
    return ReportPyError();
  }
  Py_INCREF(fn);
  return fn;
}

// The __code__ of function `func_name` defined by `source` (after running `source`, so any
// warm-up calls it makes have quickened the code), or the module's own code object when
// func_name is null. New reference or nullptr.
inline PyCodeObject* CompileFunctionCode(const char* source, const char* func_name) {
  if (!func_name) {
    PyObject* code = Py_CompileString(source, "<pyjion-test>", Py_file_input);
    return code ? reinterpret_cast<PyCodeObject*>(code)
                : reinterpret_cast<PyCodeObject*>(ReportPyError());
  }
  PyRef fn(LoadFunction(source, func_name));
  if (!fn) return nullptr;
  PyObject* code = PyObject_GetAttrString(fn.get(), "__code__");
  if (!code || !PyCode_Check(code)) {
    Py_XDECREF(code);
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "__code__ is not a code object");
    return reinterpret_cast<PyCodeObject*>(ReportPyError());
  }
  return reinterpret_cast<PyCodeObject*>(code);
}

// The frontend's view of `co` (empty CodeInput if co is null or unusable).
inline frontend::CodeInput InputFor(PyCodeObject* co) {
  frontend::CodeInput in;
  if (!co || !rt::MakeCodeInput(co, &in)) return frontend::CodeInput{};
  return in;
}

inline frontend::CodeInput InputFor(const char* source, const char* func_name) {
  PyRef code(reinterpret_cast<PyObject*>(CompileFunctionCode(source, func_name)));
  return InputFor(reinterpret_cast<PyCodeObject*>(code.get()));
}

// Calls fn(*args) (args: a tuple, may be null for no arguments) and converts the result, an
// iterable of tuples of ints, into rows. False (error printed) on any failure.
inline bool CallForIntRows(PyObject* fn, PyObject* args,
                           std::vector<std::vector<long long>>* rows) {
  rows->clear();
  PyRef empty;
  if (!args) {
    empty.reset(PyTuple_New(0));
    args = empty.get();
  }
  PyRef result(args ? PyObject_Call(fn, args, nullptr) : nullptr);
  PyRef list(result ? PySequence_List(result.get()) : nullptr);
  if (!list) return ReportPyError(), false;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list.get()); ++i) {
    PyRef row(PySequence_Tuple(PyList_GET_ITEM(list.get(), i)));
    if (!row) return ReportPyError(), false;
    std::vector<long long> values;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(row.get()); ++k) {
      const long long v = PyLong_AsLongLong(PyTuple_GET_ITEM(row.get(), k));
      if (v == -1 && PyErr_Occurred()) return ReportPyError(), false;
      values.push_back(v);
    }
    rows->push_back(std::move(values));
  }
  return true;
}

}  // namespace pyjion::test
