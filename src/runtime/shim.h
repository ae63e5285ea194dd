/* The boundary between CPython's internal headers and the C++ JIT.
 *
 * CPython 3.11's internal headers do not compile as C++ with g++ 12, so everything that
 * needs them lives in cpython_shim.c (C, Py_BUILD_CORE) and is handed over here as plain
 * offsets, a mirror struct checked field by field with _Static_assert, and functions.
 * Owns: PjFrame (mirror of _PyInterpreterFrame), PjOffsets, the PEP 523 evaluator
 * (pj_eval_frame), the eval-breaker slow path and frame-object access. */
#ifndef PYJION_RUNTIME_SHIM_H
#define PYJION_RUNTIME_SHIM_H

#include <Python.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Mirror of 3.11's _PyInterpreterFrame (Include/internal/pycore_frame.h). cpython_shim.c
 * asserts at compile time that every field has the same offset as in the real struct. */
typedef struct PjFrame {
  PyObject *f_func;            /* strong: PyFunctionObject */
  PyObject *f_globals;         /* borrowed */
  PyObject *f_builtins;        /* borrowed */
  PyObject *f_locals;          /* strong or NULL */
  PyCodeObject *f_code;        /* strong */
  PyObject *frame_obj;         /* PyFrameObject or NULL */
  struct PjFrame *previous;
  uint16_t *prev_instr;
  int stacktop;
  bool is_entry;
  char owner;
  PyObject *localsplus[1];
} PjFrame;

/* Offsets the emitter bakes into machine code. Filled once from offsetof in the shim. */
typedef struct PjOffsets {
  int frame_f_func, frame_f_globals, frame_f_builtins, frame_f_locals, frame_f_code;
  int frame_prev_instr, frame_stacktop, frame_localsplus;
  int tstate_interp;          /* PyThreadState.interp */
  int tstate_cframe;          /* PyThreadState.cframe */
  int cframe_use_tracing;     /* _PyCFrame.use_tracing (uint8_t) */
  int interp_eval_breaker;    /* PyInterpreterState.ceval.eval_breaker (int) */
  int long_digit0;            /* PyLongObject.ob_digit[0] */
  int float_ob_fval;          /* PyFloatObject.ob_fval */
  int long_sizeof;            /* sizeof(PyLongObject): stride of the small-int array */
  int dictkeys_nentries;      /* PyDictKeysObject.dk_nentries (Py_ssize_t) */
  /* a dict's entries, which FOR_ITER reads for dict key and value iterators: they start
   * (1 << dk_log2_index_bytes) bytes after dk_indices; PyDictKeyEntry (hash, key, value:
   * 24 bytes) in a DICT_KEYS_GENERAL table, else PyDictUnicodeEntry (key, value: 16) */
  int dictkeys_log2_index_bytes, dictkeys_kind, dictkeys_indices; /* uint8_t, uint8_t, - */
  int dictkeys_general;       /* DICT_KEYS_GENERAL */
  int module_md_dict;         /* PyModuleObject.md_dict */
  /* frames pushed and popped by compiled code (direct entries, x64/pyasm_xbyak_entry.cc) */
  int frame_previous, frame_frame_obj, frame_is_entry; /* is_entry and owner: 2 bytes */
  int tstate_datastack_top, tstate_datastack_limit, tstate_recursion_remaining;
  int cframe_current_frame;
  int frame_specials_words;   /* FRAME_SPECIALS_SIZE: a frame's words besides localsplus */
  long stack_floor_tls;       /* the C-stack floor's offset from the thread pointer (%fs) */
  /* generator frames: the generator's gi_frame_state (int8_t) relative to its frame, and
   * the FRAME_SUSPENDED value YIELD_VALUE writes there */
  int gen_frame_state_from_frame;
  int frame_suspended;
} PjOffsets;

/* Native entry of a compiled code object: runs the frame from its first instruction and
 * returns the result, NULL with an exception set, or PJ_DEOPT (frame->prev_instr and
 * frame->stacktop describe where the interpreter must resume). */
typedef PyObject *(*PjNativeEntry)(PyThreadState *tstate, PjFrame *frame);
#define PJ_DEOPT ((PyObject *)1)
/* A generator's native entry called with a frame suspended where its machine code cannot
 * resume it (the caller restores frame->stacktop and hands the frame to the interpreter). */
#define PJ_NOT_RESUMABLE ((PyObject *)3)
/* How many times a generator's machine code resumed it (stats()['generator_resumes']), how
 * many of those resumes compiled code made directly (rt_for_iter, rt_send:
 * stats()['direct_resumes']), how many generators and coroutines direct calls made
 * (stats()['generators_made']), and how many calls from C (a compiled function's own
 * vectorcall) ran machine code directly (stats()['calls_from_c']). */
unsigned long long pj_generator_resumes(void);
unsigned long long pj_direct_resumes(void);
unsigned long long pj_generators_made(void);
unsigned long long pj_calls_from_c(void);
/* genobject.c's _PyGen_yf for a generator or coroutine: the object its `yield from` or
 * `await` delegates to (a new reference), or NULL if it is not suspended in one. */
PyObject *pj_gen_yf(PyObject *gen);

/* Whether the hook has added its audit hook, which every PySys_Audit call in the process
 * then pays for; it is added by the first traced frame (stats()['audit_hook']). */
int pj_audit_hook_added(void);

/* What a caller needs to know to run a code object's machine code directly, without the
 * interpreter's call machinery: the head of the per-code JIT state kept in co_extra
 * (runtime/jit_state.h). */
/* A compiled function's direct entry (x64/pyasm_xbyak_entry.cc): pushes its own frame on the
 * data stack for `func` with nargs arguments (stolen, as is the function reference; the
 * function's defaults give the rest up to argcount), runs, pops the frame and returns the
 * result or NULL with an exception set; or returns PJ_NOT_DIRECT, consuming nothing, when
 * the data stack or the C stack has no room, or nargs does not fit (more than argcount, or
 * too few defaults): the caller then makes an ordinary call. */
typedef PyObject *(*PjDirectEntry)(PyThreadState *tstate, PyObject *func, PyObject *const *args,
                                   Py_ssize_t nargs);
/* For a direct entry called with fewer arguments than argcount: moves the nargs arguments'
 * references into locals[0..nargs) and new references to func's last defaults into the
 * rest, up to argcount (the entry checked that there are enough). */
void pj_direct_args_with_defaults(PyObject **locals, PyObject *func, PyObject *const *args,
                                  Py_ssize_t nargs, Py_ssize_t argcount);

typedef struct PjDirectTarget {
  PjNativeEntry entry; /* non-NULL once compiled */
  PjDirectEntry direct_entry; /* non-NULL when compiled with one (argcount >= 0) */
  int argcount;        /* positional parameters if the code takes only those (no *args,
                          **kwargs, keyword-only parameters; not an async generator, and a
                          generator or coroutine only with gen_start >= 0), else -1 */
  int gen_start;       /* a generator or coroutine whose bytecode before RETURN_GENERATOR
                          is only COPY_FREE_VARS and MAKE_CELL: RETURN_GENERATOR's index (a
                          direct call makes the generator itself), else -1 */
  unsigned long long run_count; /* entries since the JIT was first enabled */
} PjDirectTarget;

/* The co_extra index of the JIT state (set once by the JIT), and the check, on a code
 * object that has JIT state, that co_extra is laid out as the shim reads it. */
void pj_set_extra_index(Py_ssize_t index);
void pj_check_extra_layout(PyCodeObject *code);

/* Calls `callable` with nargs positional arguments as CPython 3.11's inlined
 * Python-to-Python calls do (CALL_PY_EXACT_ARGS / CALL_PY_WITH_DEFAULTS), when it is a
 * plain function whose code is compiled and takes exactly these arguments (defaults filled
 * in): pushes its frame on the thread's data stack, links it, runs its machine code and
 * pops it. Returns PJ_NOT_DIRECT, consuming nothing, when that is not possible (the caller
 * then makes an ordinary call). Otherwise steals callable and args and returns the result
 * or NULL with an exception set. */
#define PJ_NOT_DIRECT ((PyObject *)2)
PyObject *pj_call_direct(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
                         Py_ssize_t nargs);

/* Whether pj_call_direct(tstate, callable, args, nargs) would call directly now (so that a
 * caller holding borrowed arguments need not take references for nothing). */
int pj_can_call_direct(PyThreadState *tstate, PyObject *callable, Py_ssize_t nargs);

/* A call site's memory of its last direct callee, so that the next call skips the lookup
 * through the callee's code object: valid while the function's code is `code` and no code
 * state has died since (`epoch`: code objects' addresses may be reused after that). */
typedef struct PjCallWay {
  PyObject *code;          /* compared only */
  PjDirectTarget *target;
  unsigned epoch;
  int nargs;
  int framesize;
} PjCallWay;
#define PJ_CALL_OLDER_WAYS 7
typedef struct PjCallCache {
  PjCallWay last;          /* the last callee, which compiled call sites check inline */
  /* callees before it: a polymorphic site (a dispatch table's functions, a copier per
   * type) finds them without looking through each code object */
  PjCallWay older[PJ_CALL_OLDER_WAYS];
  int victim;              /* the older way a new callee's predecessor goes to next */
} PjCallCache;

/* CALL of a plain function that is not called directly goes through PyObject_Vectorcall,
 * whose _PyEval_Vector gives the callee new references to the function and the arguments;
 * ceval's CALL (no evaluator installed) moves the caller's references into the callee's
 * frame instead, so the arguments die with the callee's locals, not after them. Before
 * such a call the caller names its stack slots (the function, then the n - 1 arguments):
 * when pj_eval_frame meets that function's fresh frame, it releases the caller's
 * references and sets the slots to NULL, which makes the frame their only owner, as in
 * ceval. pj_move_call_refs_done() forgets slots not taken (the callee's frame never ran:
 * bad arguments). */
void pj_move_call_refs(PyObject **slots, int n);
void pj_move_call_refs_done(void);

/* pj_call_direct through a call site's cache (filled on a miss). */
PyObject *pj_call_cached(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
                         Py_ssize_t nargs, PjCallCache *cache);

/* A keyword call site's memory of its last direct callee: the function's code, the site's
 * keyword names (the KW_NAMES constant) and positional count, and where each parameter's
 * value comes from, worked out once (initialize_locals's matching of names to parameters). */
#define PJ_KW_MAX_PARAMS 16
#define PJ_KW_MAX_ARGS 32
typedef struct PjKwCallCache {
  PyObject *code;      /* compared only */
  PyObject *kwnames;   /* compared only (NULL: positional arguments only) */
  PjDirectTarget *target;
  unsigned epoch;
  int nargs;           /* all arguments, positional and keyword */
  int framesize;
  int first_default;   /* the first positional parameter left to its default (or argcount) */
  unsigned to_kwargs;  /* bit k: keyword argument k goes into **kwargs */
  signed char varargs_from; /* the first positional argument that goes into *args */
  signed char source[PJ_KW_MAX_PARAMS]; /* per parameter: its argument, or -1: the default */
} PjKwCallCache;

/* pj_call_cached for any call of a compiled plain function (not a generator or coroutine)
 * whose arguments bind without an error, keyword arguments included (kwnames: their names,
 * the last PyTuple_GET_SIZE(kwnames) of the nargs arguments; or NULL): the function's frame
 * is filled as _PyEvalFramePushAndInit fills it (defaults, keyword-only parameters from
 * __kwdefaults__, *args and **kwargs made) and run directly. PJ_NOT_DIRECT, consuming
 * nothing, otherwise (the ordinary call then binds the arguments, or raises the
 * TypeError). */
PyObject *pj_call_kw_cached(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
                            Py_ssize_t nargs, PyObject *kwnames, PjKwCallCache *cache);

/* Called whenever a code object's JIT state is freed: invalidates every PjCallCache. */
void pj_code_state_freed(void);

/* The slow paths of a direct entry: a deopt (the interpreter runs the rest of the frame),
 * the recursion check at the limit and popping a frame whose frame object outlives the
 * call; and the addresses of the caches' epoch and of the hook's installed flag, which
 * compiled call sites check inline. */
PyObject *pj_direct_deopt(PyThreadState *tstate, PjFrame *frame);
int pj_check_recursive_call(PyThreadState *tstate); /* _Py_CheckRecursiveCall(tstate, "") */
void pj_direct_clear_and_pop(PyThreadState *tstate, PjFrame *frame);
const unsigned *pj_code_epoch_address(void);
const int *pj_hook_installed_address(void);

const PjOffsets *pj_offsets(void);

/* Small-int cache: pj_small_ints()[i + 5] is the int i for -5 <= i <= 256. */
PyObject *pj_small_ints(void);
#define PJ_SMALL_INT_MIN (-5)
#define PJ_SMALL_INT_MAX 256

/* The PEP 523 evaluator. Falls through to _PyEval_EvalFrameDefault for anything that is
 * not compiled; see cpython_shim.c for the frame contract it keeps. */
PyObject *pj_eval_frame(PyThreadState *tstate, struct _PyInterpreterFrame *frame, int throwflag);

/* Install / remove pj_eval_frame on the current interpreter. */
void pj_install_hook(void);
void pj_uninstall_hook(void);
int pj_hook_installed(void);

/* Implemented in C++ (runtime/jit_state.cc): decides whether this entry runs native code,
 * compiling first when the code object has become hot. Returns NULL to use the interpreter;
 * then, if *interp_ns is set, the caller adds the interpreter's time for this call there
 * (code that is compiled once its interpreted time pays for compiling it). */
PjNativeEntry pj_entry_for(PyThreadState *tstate, PyCodeObject *code, int64_t **interp_ns);
/* Monotonic clock in nanoseconds. */
int64_t pj_now_ns(void);

/* The eval-breaker slow path (ceval's eval_frame_handle_pending): signals, pending calls,
 * GIL drop requests, async exceptions. 0 to continue, -1 with an exception set. */
int pj_handle_eval_breaker(PyThreadState *tstate);

/* The frame object of `frame` (created on demand), borrowed; frame must be the current one. */
PyObject *pj_frame_object(PjFrame *frame);

/* ceval's `error:` label: add a traceback entry for the current frame at prev_instr. */
void pj_add_traceback(PyThreadState *tstate, PjFrame *frame);

/* PyFunctionObject.func_closure etc. are public; kept here for C++ callers' convenience. */
#ifdef __cplusplus
}
#endif

#endif /* PYJION_RUNTIME_SHIM_H */
