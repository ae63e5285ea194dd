// Runtime helpers of the call family: method lookup, calls, function creation, imports and
// the module-level statements (LOAD_BUILD_CLASS, SETUP_ANNOTATIONS, PRINT_EXPR, GET_LEN).
// Semantics follow CPython 3.11's Python/ceval.c; see helpers.h for the ownership convention.
//
// Helpers that work on several stack items take `base`, the address of the lowest of them in
// frame->localsplus, and write their result into base[0] before they release anything (a
// release can run __del__, which must find the result held).
#pragma once

#include <Python.h>

#include "runtime/shim.h"

extern "C" {

// LOAD_METHOD (obj -- meth_or_NULL, self_or_attr). base[0] is obj. On success base[0..1]
// become [meth, obj] (method found: obj moves up as self) or [NULL, attr] (obj released);
// returns 0. On failure returns -1 with the exception set and obj still owned by base[0],
// as in ceval (error depth = depth before the instruction).
int rt_load_method(PyObject** base, PyObject* name);

// PRECALL n + CALL n (NULL_or_meth, callable_or_self, arg1..argn -- result). base[0] is
// the lowest of the n+2 slots. Does PRECALL's bound-method unpacking ([NULL, method] ->
// [im_func, im_self]) first, then PyObject_Vectorcall with PY_VECTORCALL_ARGUMENTS_OFFSET
// and `kwnames` (KW_NAMES's tuple or NULL). Steals all n+2 slots; the result (new reference)
// is written to base[0] and returned, NULL with an exception set on failure.
// oparg may carry kCallDescrFast or kCallDescrFastWithKeywords: the interpreter has
// specialised the PRECALL as PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST or
// PRECALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS, so when that instruction's guards pass the
// references are released in its order (arguments, self, descriptor), not CALL's.
constexpr int kCallDescrFast = 1 << 30;
constexpr int kCallDescrFastWithKeywords = 1 << 29;
// cache: the call site's CallCache (below). rt_call is the generic handler: every kind of
// callable, and it picks the site's handler for the next calls from what it sees.
struct CallCache;
// CALL_FUNCTION_EX's site: the last function called directly with positional parameters
// only (pos), or through the keyword binder (kw).
struct ExCallCache {
  PjCallCache pos;
  PjKwCallCache kw;
};
PyObject* rt_call(PyThreadState* tstate, PyObject** base, int oparg, PyObject* kwnames,
                  CallCache* cache);

// A CALL site's inline cache. Compiled code calls `handler` (initially rt_call); the
// specialised handlers take the site's usual kind of callable straight to it, guarded by
// what they check on every call, and hand anything else back to rt_call:
//   rt_call_py:    a Python function run directly (pj_call_cached; pj_call_kw_cached
//                  for keyword arguments, *args, **kwargs, keyword-only parameters);
//   rt_call_descr: a method descriptor of a builtin type (LOAD_METHOD gave [descr, self]),
//                  METH_O / METH_NOARGS / METH_FASTCALL[|METH_KEYWORDS], same PyMethodDef
//                  and exact type of self as when filled;
//   rt_call_cfunc: a builtin function object (len, isinstance, a bound builtin method)
//                  with the same PyMethodDef, METH_O / METH_FASTCALL[|METH_KEYWORDS];
//   rt_call_class: a plain class instantiated with its Python __init__ run directly (the
//                  same class, its version tag unchanged: the same __init__ and __new__),
//                  keyword arguments included;
//   rt_call_class_new: a class whose __new__ is a Python function (and __init__ object's:
//                  namedtuples, Fraction), __new__(cls, ...) run directly (the same class,
//                  its version tag unchanged, its staticmethod wrapping the same function);
//   rt_call_conversion: str(x) and int(x), which are PyObject_Str(x) and PyNumber_Long(x)
//                  (ceval's PRECALL_NO_KW_STR_1 for str; neither type has a vectorcall in
//                  3.11, so the generic call builds an argument tuple for type_call);
//   rt_call_min_max: the builtins min and max with two or more positional arguments,
//                  compared as builtin_min/builtin_max do (they are METH_VARARGS: the
//                  generic call builds an argument tuple and iterates over it).
// No keyword arguments on the other specialised paths. A site whose handler keeps missing
// goes generic for good after kMaxRespecialisations.
typedef PyObject* (*CallHandler)(PyThreadState* tstate, PyObject** base, int oparg,
                                 PyObject* kwnames, CallCache* cache);
struct CallCache {
  CallHandler handler = rt_call;
  PjCallCache py{};              // the last directly called Python function (shim.h)
  PjKwCallCache kw{};            // ... called with keyword arguments
  PyMethodDef* ml = nullptr;     // the builtin's method definition (static C data)
  PyTypeObject* self_type = nullptr;
  PyTypeObject* cls = nullptr;   // rt_call_class: the class (compared by identity),
  uint32_t cls_version = 0;      //   its tp_version_tag when filled,
  PyObject* init = nullptr;      //   and its __init__ (rt_call_class_new: its __new__'s
                                 //   function), borrowed: the class keeps it,
  PyObject* new_wrapper = nullptr;  // rt_call_class_new: through this staticmethod, or NULL
  unsigned respecialisations = 0;
  // The builtin the machine code calls itself (x64 BuiltinCall), set only when the site's
  // argument count fits its convention: a method descriptor with inline_ml on a self of
  // exactly inline_self_type, or (inline_self_type NULL) a builtin function object with
  // inline_ml. inline_conv says how its C function takes the arguments.
  PyMethodDef* inline_ml = nullptr;
  PyTypeObject* inline_self_type = nullptr;
  uint8_t inline_conv = 0;
  // Set once the site has called a vectorcall callable it does not specialise (a type, a
  // builtin of another convention, a functools.partial...): the machine code then calls
  // any such callable's vectorcall itself (x64 VectorCall) before trying the handler.
  uint8_t vectorcall = 0;
};
// CallCache::inline_conv: METH_FASTCALL[|METH_KEYWORDS] (self, args, nargs[, NULL]),
// METH_O (self, arg) and METH_NOARGS (self, NULL), the last two inside a recursion check
// as in CPython; kInlineOUnchecked: METH_O without it (len and list.append, which warm
// CPython code calls through PRECALL_NO_KW_LEN and PRECALL_NO_KW_LIST_APPEND).
constexpr uint8_t kInlineFast = 0, kInlineO = 1, kInlineNoArgs = 2, kInlineOUnchecked = 3;
constexpr unsigned kMaxRespecialisations = 8;

PyObject* rt_call_py(PyThreadState* tstate, PyObject** base, int oparg, PyObject* kwnames,
                     CallCache* cache);
PyObject* rt_call_class(PyThreadState* tstate, PyObject** base, int oparg, PyObject* kwnames,
                        CallCache* cache);
PyObject* rt_call_class_new(PyThreadState* tstate, PyObject** base, int oparg,
                            PyObject* kwnames, CallCache* cache);
PyObject* rt_call_conversion(PyThreadState* tstate, PyObject** base, int oparg,
                             PyObject* kwnames, CallCache* cache);
PyObject* rt_call_min_max(PyThreadState* tstate, PyObject** base, int oparg,
                          PyObject* kwnames, CallCache* cache);
PyObject* rt_call_descr(PyThreadState* tstate, PyObject** base, int oparg, PyObject* kwnames,
                        CallCache* cache);
PyObject* rt_call_cfunc(PyThreadState* tstate, PyObject** base, int oparg, PyObject* kwnames,
                        CallCache* cache);

// CALL_FUNCTION_EX (NULL, func, callargs[, kwargs] -- result): has_kwargs = oparg & 1.
// Non-dict kwargs are merged into a new dict (format_kwargs_error on failure), non-tuple
// callargs become a tuple (check_args_iterable first), then PyObject_Call, or where that
// comes down to calling a compiled function with positional arguments, a direct call
// through the site's `cache` (also for callees with *args, **kwargs or keyword-only
// parameters). Steals all slots; result written to base[0] and returned, or NULL.
PyObject* rt_call_function_ex(PyThreadState* tstate, PyObject** base, int has_kwargs,
                              ExCallCache* cache);

// MAKE_FUNCTION flags ([defaults] [kwdefaults] [annotations] [closure] code -- func):
// base[0] is the lowest item (popcount(flags & 0xf) + 1 items). Steals them all; the new
// function is written to base[0] and returned, or NULL.
PyObject* rt_make_function(PjFrame* frame, PyObject** base, int flags);

// LOAD_BUILD_CLASS (-- builtins.__build_class__): new reference or NULL (NameError
// "__build_class__ not found").
PyObject* rt_load_build_class(PyThreadState* tstate, PjFrame* frame);

// GET_LEN (obj -- obj, len): borrows obj. New int or NULL.
PyObject* rt_get_len(PyObject* obj);

// PRINT_EXPR (value --): calls sys.displayhook(value). Steals value; 0 or -1.
int rt_print_expr(PyThreadState* tstate, PyObject* value);

// SETUP_ANNOTATIONS (--): makes sure frame->f_locals has __annotations__. 0 or -1.
int rt_setup_annotations(PyThreadState* tstate, PjFrame* frame);

// IMPORT_NAME (level, fromlist -- module): ceval's import_name. Steals level and fromlist.
PyObject* rt_import_name(PyThreadState* tstate, PjFrame* frame, PyObject* name,
                         PyObject* level, PyObject* fromlist);

// IMPORT_FROM (module -- module, value): ceval's import_from. Borrows module.
PyObject* rt_import_from(PyThreadState* tstate, PyObject* module, PyObject* name);

// IMPORT_STAR (module --): ceval's import_all_from into the frame's locals, synchronised
// with the fast locals through the frame object. Steals module; 0 or -1.
int rt_import_star(PyThreadState* tstate, PjFrame* frame, PyObject* module);

}  // extern "C"

namespace pyjion::rt {

// func(*args) (borrowed) for the runtime's own calls of a Python function (an operator
// method, a property's getter or setter), directly when it is compiled (through the
// caller's cache `py`), its frame holding references of its own: a new reference or NULL.
template <int N>
PyObject* CallFunction(PyObject* func, PyObject* const (&borrowed)[N], PjCallCache* py) {
  PyObject* args[N];
  for (int i = 0; i < N; i++) args[i] = Py_NewRef(borrowed[i]);
  PyObject* res = pj_call_cached(PyThreadState_Get(), Py_NewRef(func), args, N, py);
  if (res != PJ_NOT_DIRECT) return res;  // the call took the references
  // not compiled (yet), or tracing: an ordinary call
  res = PyObject_Vectorcall(func, args, N, nullptr);
  Py_DECREF(func);
  for (int i = 0; i < N; i++) Py_DECREF(args[i]);
  return res;
}

}  // namespace pyjion::rt
