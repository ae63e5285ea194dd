/* fefuzz_new_code(): builds a code object the way marshal.loads() does (see make_code.c).
 * New reference, or NULL with a Python exception set. Borrows every PyObject* in parts. */
#ifndef FEFUZZ_MAKE_CODE_H
#define FEFUZZ_MAKE_CODE_H

#include <Python.h>

#ifdef __cplusplus
extern "C" {
#endif

struct FefuzzCodeParts {
  PyObject *filename, *name, *qualname;
  PyObject *code;                 /* bytes, even length */
  PyObject *consts, *names;       /* tuples; names: str only */
  PyObject *localsplusnames;      /* tuple of str */
  PyObject *localspluskinds;      /* bytes, same length as localsplusnames */
  PyObject *linetable, *exceptiontable;  /* bytes */
  int flags, firstlineno, argcount, posonlyargcount, kwonlyargcount, stacksize;
};

PyObject *fefuzz_new_code(const struct FefuzzCodeParts *parts);

#ifdef __cplusplus
}
#endif

#endif
