// Copies a live code object into frontend::CodeInput (see code_input.h). Uses only the
// public 3.11 headers: cpython/code.h exposes the PyCodeObject fields and _PyCode_CODE.
#include "runtime/code_input.h"

#include <cstring>

namespace pyjion::rt {
namespace {

// True if `obj` is a tuple whose items are all str (what KW_NAMES requires).
bool IsTupleOfStr(PyObject* obj) {
  if (!PyTuple_CheckExact(obj)) return false;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(obj); ++i)
    if (!PyUnicode_Check(PyTuple_GET_ITEM(obj, i))) return false;
  return true;
}

void CopyName(PyCodeObject* co, std::string* name) {
  name->clear();
  if (!co->co_qualname || !PyUnicode_Check(co->co_qualname)) return;
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(co->co_qualname, &size);
  if (utf8)
    name->assign(utf8, static_cast<size_t>(size));
  else
    PyErr_Clear();  // e.g. lone surrogates: the name is only for messages
}

}  // namespace

bool MakeCodeInput(PyCodeObject* co, frontend::CodeInput* out) {
  if (!co || !PyCode_Check(reinterpret_cast<PyObject*>(co))) return false;
  if (!PyTuple_Check(co->co_consts) || !PyTuple_Check(co->co_names) ||
      !PyBytes_Check(co->co_exceptiontable))
    return false;
  const Py_ssize_t nunits = Py_SIZE(co);
  const _Py_CODEUNIT* code = _PyCode_CODE(co);
  out->units.resize(static_cast<size_t>(nunits));
  if (nunits > 0) std::memcpy(out->units.data(), code, sizeof(uint16_t) * nunits);
  out->exception_table.assign(PyBytes_AS_STRING(co->co_exceptiontable),
                              static_cast<size_t>(PyBytes_GET_SIZE(co->co_exceptiontable)));
  out->nlocalsplus = co->co_nlocalsplus;
  out->nlocals = co->co_nlocals;
  out->ncellvars = co->co_ncellvars;
  out->nfreevars = co->co_nfreevars;
  out->stacksize = co->co_stacksize;
  out->nconsts = static_cast<int>(PyTuple_GET_SIZE(co->co_consts));
  out->nnames = static_cast<int>(PyTuple_GET_SIZE(co->co_names));
  out->argcount = co->co_argcount;
  out->kwonlyargcount = co->co_kwonlyargcount;
  out->flags = co->co_flags;
  CopyName(co, &out->name);
  out->const_is_tuple_of_str.assign(static_cast<size_t>(out->nconsts), false);
  for (int i = 0; i < out->nconsts; ++i)
    out->const_is_tuple_of_str[i] = IsTupleOfStr(PyTuple_GET_ITEM(co->co_consts, i));
  return true;
}

}  // namespace pyjion::rt
