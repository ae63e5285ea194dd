// pyjion_x64._core: the extension module. Python-facing API over the runtime:
// enable/disable/is_enabled, config, jit (decorator), info, stats, native (machine code and
// annotations). Refuses to import on anything but CPython 3.11.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string>

#include "runtime/code_arena.h"
#include "runtime/helpers_super.h"
#include "runtime/jit_state.h"
#include "runtime/perf_map.h"

using namespace pyjion::rt;

namespace {

// The code object behind a function, bound method, or code object; nullptr + TypeError.
PyCodeObject* CodeOf(PyObject* obj, const char* api) {
  if (PyMethod_Check(obj)) obj = PyMethod_GET_FUNCTION(obj);
  if (PyCode_Check(obj)) return reinterpret_cast<PyCodeObject*>(obj);
  if (PyFunction_Check(obj)) {
    return reinterpret_cast<PyCodeObject*>(PyFunction_GET_CODE(obj));
  }
  PyErr_Format(PyExc_TypeError, "%s() expects a function or code object, not %.200s", api,
               Py_TYPE(obj)->tp_name);
  return nullptr;
}

PyObject* Enable(PyObject*, PyObject*) {
  const bool was = GetConfig().enabled;
  GetConfig().enabled = true;
  UpdateHook();
  return PyBool_FromLong(!was);
}

PyObject* Disable(PyObject*, PyObject*) {
  const bool was = GetConfig().enabled;
  GetConfig().enabled = false;
  UpdateHook();
  return PyBool_FromLong(was);
}

PyObject* IsEnabled(PyObject*, PyObject*) { return PyBool_FromLong(GetConfig().enabled); }

PyObject* ThresholdObject() {
  if (GetConfig().threshold == Config::kAuto) return PyUnicode_FromString("auto");
  return PyLong_FromLong(GetConfig().threshold);
}

PyObject* ConfigDict() {
  return Py_BuildValue("{s:N,s:O,s:O}", "threshold", ThresholdObject(), "enabled",
                       GetConfig().enabled ? Py_True : Py_False, "perf_map",
                       PerfMapEnabled() ? Py_True : Py_False);
}

PyObject* Configure(PyObject*, PyObject* args, PyObject* kwargs) {
  static const char* kwlist[] = {"threshold", "perf_map", nullptr};
  PyObject* threshold = Py_None;
  PyObject* perf_map = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OO:config", const_cast<char**>(kwlist),
                                   &threshold, &perf_map)) {
    return nullptr;
  }
  if (perf_map != Py_None) {
    if (!PyBool_Check(perf_map)) {
      PyErr_Format(PyExc_TypeError, "config(): perf_map must be a bool, not %.200s",
                   Py_TYPE(perf_map)->tp_name);
      return nullptr;
    }
  }
  const bool auto_threshold = PyUnicode_Check(threshold) &&
                              PyUnicode_CompareWithASCIIString(threshold, "auto") == 0;
  if (threshold != Py_None && !auto_threshold) {
    if (!PyLong_Check(threshold) || PyBool_Check(threshold)) {
      PyErr_Format(PyExc_TypeError,
                   "config(): threshold must be an int or 'auto', not %.200s",
                   Py_TYPE(threshold)->tp_name);
      return nullptr;
    }
    int overflow = 0;
    long value = PyLong_AsLongAndOverflow(threshold, &overflow);
    if (value == -1 && PyErr_Occurred()) return nullptr;
    if (overflow > 0) {  // ValueError, not OverflowError: a bad setting, like a negative one
      PyErr_Format(PyExc_ValueError, "config(): threshold must be <= %ld", LONG_MAX);
      return nullptr;
    }
    if (value < 0 || overflow < 0) {
      PyErr_SetString(PyExc_ValueError, "config(): threshold must be >= 0");
      return nullptr;
    }
    GetConfig().threshold = value;
  }
  if (auto_threshold) GetConfig().threshold = Config::kAuto;
  if (perf_map != Py_None) SetPerfMapEnabled(perf_map == Py_True);
  return ConfigDict();
}

PyObject* Jit(PyObject*, PyObject* func) {
  PyCodeObject* code = CodeOf(func, "jit");
  if (code == nullptr) return nullptr;
  CodeState* state = StateFor(code, true);
  if (state == nullptr) return nullptr;
  if (!state->forced) {
    state->forced = true;
    NoteForced();
  }
  return Py_NewRef(func);
}

// _compile(f): compiles f's code now, without running it; True if it compiled.
PyObject* CompileNow(PyObject*, PyObject* obj) {
  PyCodeObject* code = CodeOf(obj, "_compile");
  if (code == nullptr) return nullptr;
  CodeState* state = StateFor(code, true);
  if (state == nullptr) return nullptr;
  const bool ok = EnsureCompiled(code, state);
  if (PyErr_Occurred()) return nullptr;
  return PyBool_FromLong(ok);
}

PyObject* Info(PyObject*, PyObject* obj) {
  PyCodeObject* code = CodeOf(obj, "info");
  if (code == nullptr) return nullptr;
  CodeState* state = StateFor(code, false);
  if (state == nullptr && PyErr_Occurred()) return nullptr;
  const bool compiled = state && state->status == CodeState::Status::kCompiled;
  const bool failed = state && state->status == CodeState::Status::kFailed;
  PyObject* reason;
  if (compiled) {
    reason = Py_NewRef(Py_None);
  } else if (failed) {
    reason = PyUnicode_FromString(state->reason.c_str());
  } else if (!GetConfig().enabled && !(state && state->forced)) {
    reason = PyUnicode_FromString("the JIT is not enabled");
  } else if (state && CompiledByTime(*state)) {
    char text[160];  // PyUnicode_FromFormat has no %f
    snprintf(text, sizeof text,
             "not compiled yet: standard library code, compiled once the interpreter has run it "
             "for %.2f ms (%.2f ms so far)",
             StdlibBudgetNs(code) / 1e6, state->interp_ns / 1e6);
    reason = PyUnicode_FromString(text);
  } else {
    PyObject* threshold = ThresholdObject();
    if (threshold == nullptr) return nullptr;
    reason = PyUnicode_FromFormat("not compiled yet: %llu calls, threshold %S",
                                  static_cast<unsigned long long>(state ? state->run_count : 0),
                                  threshold);
    Py_DECREF(threshold);
  }
  if (reason == nullptr) return nullptr;
  PyObject* d = Py_BuildValue(
      "{s:O,s:O,s:N,s:K,s:n,s:L}", "compiled", compiled ? Py_True : Py_False, "failed",
      failed ? Py_True : Py_False, "reason", reason, "run_count",
      static_cast<unsigned long long>(state ? state->run_count : 0), "native_size",
      static_cast<Py_ssize_t>(compiled ? state->compiled.size : 0), "compile_ns",
      static_cast<long long>(state ? state->compile_ns : 0));
  return d;
}

PyObject* Native(PyObject*, PyObject* obj) {
  PyCodeObject* code = CodeOf(obj, "native");
  if (code == nullptr) return nullptr;
  CodeState* state = StateFor(code, false);
  if (state == nullptr || state->status != CodeState::Status::kCompiled) {
    if (PyErr_Occurred()) return nullptr;
    Py_RETURN_NONE;
  }
  PyObject* notes = PyList_New(0);
  if (notes == nullptr) return nullptr;
  for (const pyjion::x64::CodeNote& note : state->compiled.notes) {
    PyObject* item = Py_BuildValue("(ns)", static_cast<Py_ssize_t>(note.offset),
                                   pyjion::x64::NoteText(note).c_str());
    if (item == nullptr || PyList_Append(notes, item) < 0) {
      Py_XDECREF(item);
      Py_DECREF(notes);
      return nullptr;
    }
    Py_DECREF(item);
  }
  return Py_BuildValue("(y#KN)", static_cast<const char*>(state->compiled.region.base),
                       static_cast<Py_ssize_t>(state->compiled.size),
                       static_cast<unsigned long long>(
                           reinterpret_cast<uintptr_t>(state->compiled.region.base)),
                       notes);
}

PyObject* StatsDict(PyObject*, PyObject*) {
  const Stats& s = GetStats();
  PyObject* reasons = PyDict_New();
  if (reasons == nullptr) return nullptr;
  for (const auto& [reason, count] : s.reasons) {
    PyObject* n = PyLong_FromUnsignedLongLong(count);
    if (n == nullptr || PyDict_SetItemString(reasons, reason.c_str(), n) < 0) {
      Py_XDECREF(n);
      Py_DECREF(reasons);
      return nullptr;
    }
    Py_DECREF(n);
  }
  PyObject* refused = PyList_New(0);
  if (refused == nullptr) {
    Py_DECREF(reasons);
    return nullptr;
  }
  for (const Refusal& r : s.refusals) {
    PyObject* item = Py_BuildValue("{s:s,s:s,s:i,s:s}", "qualname", r.qualname.c_str(),
                                   "filename", r.filename.c_str(), "firstlineno", r.firstlineno,
                                   "reason", r.reason.c_str());
    if (item == nullptr || PyList_Append(refused, item) < 0) {
      Py_XDECREF(item);
      Py_DECREF(reasons);
      Py_DECREF(refused);
      return nullptr;
    }
    Py_DECREF(item);
  }
  return Py_BuildValue("{s:K,s:K,s:L,s:n,s:n,s:K,s:K,s:K,s:K,s:K,s:O,s:N,s:N}", "compiled",
                       static_cast<unsigned long long>(s.compiled), "failed",
                       static_cast<unsigned long long>(s.failed), "compile_ns",
                       static_cast<long long>(s.compile_ns), "mapped_bytes",
                       static_cast<Py_ssize_t>(MappedCodeBytes()), "arena_bytes",
                       static_cast<Py_ssize_t>(ArenaBytes()), "generator_resumes",
                       pj_generator_resumes(), "direct_resumes", pj_direct_resumes(),
                       "generators_made", pj_generators_made(), "calls_from_c", pj_calls_from_c(),
                       "super_methods", rt_super_methods(), "audit_hook",
                       pj_audit_hook_added() ? Py_True : Py_False, "reasons", reasons, "refused",
                       refused);
}

// _code_stats(): one dict per code object the JIT has state for (alive now).
PyObject* CodeStats(PyObject*, PyObject*) {
  PyObject* list = PyList_New(0);
  if (list == nullptr) return nullptr;
  for (const CodeState* state : LiveStates()) {
    const bool compiled = state->status == CodeState::Status::kCompiled;
    PyObject* item = Py_BuildValue(
        "{s:O,s:O,s:i,s:O,s:s,s:n,s:L,s:K}", "name", state->code->co_qualname, "file",
        state->code->co_filename, "line", state->code->co_firstlineno, "compiled",
        compiled ? Py_True : Py_False, "reason", state->reason.c_str(), "native_bytes",
        static_cast<Py_ssize_t>(compiled ? state->compiled.size : 0), "compile_ns",
        static_cast<long long>(state->compile_ns), "run_count",
        static_cast<unsigned long long>(state->run_count));
    if (item == nullptr || PyList_Append(list, item) < 0) {
      Py_XDECREF(item);
      Py_DECREF(list);
      return nullptr;
    }
    Py_DECREF(item);
  }
  return list;
}

PyMethodDef kMethods[] = {
    {"enable", Enable, METH_NOARGS, "enable()\n--\n\nCompile hot functions from now on."},
    {"disable", Disable, METH_NOARGS, "disable()\n--\n\nStop compiling and running JIT code."},
    {"is_enabled", IsEnabled, METH_NOARGS, "is_enabled()\n--\n\nWhether the JIT is on."},
    {"config", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Configure)),
     METH_VARARGS | METH_KEYWORDS,
     "config(*, threshold=None, perf_map=None)\n--\n\nSet what is given (threshold: calls before compiling, or 'auto'); return the settings as a dict."},
    {"jit", Jit, METH_O, "jit(f)\n--\n\nCompile f on its first call, even with the JIT off."},
    {"info", Info, METH_O, "info(f)\n--\n\nJIT status of a function or code object."},
    {"_compile", CompileNow, METH_O,
     "_compile(f)\n--\n\nCompile f (a function or code object) now, without running it."},
    {"native", Native, METH_O,
     "native(f)\n--\n\n(machine code bytes, address, [(offset, note)]) or None."},
    {"stats", StatsDict, METH_NOARGS, "stats()\n--\n\nProcess-wide compile counters."},
    {"_code_stats", CodeStats, METH_NOARGS,
     "_code_stats()\n--\n\nPer code object: name, file, line, compiled, reason, native_bytes, "
     "compile_ns, run_count."},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef kModule = {PyModuleDef_HEAD_INIT, "pyjion_x64._core",
                       "The pyjion_x64 JIT compiler (x86-64, CPython 3.11).", -1, kMethods};

}  // namespace

PyMODINIT_FUNC PyInit__core(void) {
  if ((Py_Version >> 16) != 0x030B) {
    PyErr_Format(PyExc_ImportError,
                 "pyjion_x64 requires CPython 3.11; this interpreter is %s", Py_GetVersion());
    return nullptr;
  }
  if (!InitJitState()) return nullptr;
  return PyModule_Create(&kModule);
}
