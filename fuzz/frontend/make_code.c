/* The frontend fuzzer's code-object constructor: _PyCode_Validate + _PyCode_New, exactly the
 * path marshal.loads() (and so any .pyc file) takes. Unlike PyCode_NewWithPosOnlyArgs it
 * takes co_localspluskinds as raw bytes, so the fuzzer can hand the JIT every kind
 * combination a hostile .pyc could carry. C, because CPython 3.11's internal headers do not
 * compile as C++. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include "internal/pycore_code.h"

#include "make_code.h"

PyObject *fefuzz_new_code(const struct FefuzzCodeParts *p) {
  struct _PyCodeConstructor con = {
      .filename = p->filename,
      .name = p->name,
      .qualname = p->qualname,
      .flags = p->flags,
      .code = p->code,
      .firstlineno = p->firstlineno,
      .linetable = p->linetable,
      .consts = p->consts,
      .names = p->names,
      .localsplusnames = p->localsplusnames,
      .localspluskinds = p->localspluskinds,
      .argcount = p->argcount,
      .posonlyargcount = p->posonlyargcount,
      .kwonlyargcount = p->kwonlyargcount,
      .stacksize = p->stacksize,
      .exceptiontable = p->exceptiontable,
  };
  if (_PyCode_Validate(&con) < 0) return NULL;
  return (PyObject *)_PyCode_New(&con);
}
