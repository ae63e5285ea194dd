/* The only C translation unit: everything that needs CPython 3.11's internal headers.
 *
 * Owns the PEP 523 evaluator pj_eval_frame and the frame contract it keeps for compiled
 * code (the same one _PyEval_EvalFrameDefault keeps; CPYTHON311.md section 1):
 *   entry: push a C-stack _PyCFrame, link frame->previous / cframe.current_frame, mark the
 *          frame as an entry frame, enter a recursion level (RecursionError as ceval);
 *   run:   frame->stacktop = -1 while native code runs; the native code writes the exact
 *          stacktop back on every exit;
 *   exit:  leave the recursion level, restore tstate->cframe; never clear or pop the frame.
 * A native exit of PJ_DEOPT hands the frame to _PyEval_EvalFrameDefault, which resumes at
 * frame->prev_instr + 1. Also: offsets for the emitter, the eval-breaker slow path, and
 * traceback entries. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include "internal/pycore_ceval.h"
#include "internal/pycore_code.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_long.h"
#include "internal/pycore_moduleobject.h"
#include "internal/pycore_object.h"
#include "internal/pycore_pyerrors.h"
#include "internal/pycore_pystate.h"
#include "internal/pycore_runtime.h"
#include "opcode.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "shim.h"

#define PJ_SAME_OFFSET(field) \
  _Static_assert(offsetof(PjFrame, field) == offsetof(_PyInterpreterFrame, field), \
                 "PjFrame." #field " does not match _PyInterpreterFrame")
PJ_SAME_OFFSET(f_func);
PJ_SAME_OFFSET(f_globals);
PJ_SAME_OFFSET(f_builtins);
PJ_SAME_OFFSET(f_locals);
PJ_SAME_OFFSET(f_code);
PJ_SAME_OFFSET(frame_obj);
PJ_SAME_OFFSET(previous);
PJ_SAME_OFFSET(prev_instr);
PJ_SAME_OFFSET(stacktop);
PJ_SAME_OFFSET(is_entry);
PJ_SAME_OFFSET(owner);
PJ_SAME_OFFSET(localsplus);
_Static_assert(sizeof(_Py_CODEUNIT) == sizeof(uint16_t), "code unit size");

static const PjOffsets kOffsets = {
    .frame_f_func = offsetof(_PyInterpreterFrame, f_func),
    .frame_f_globals = offsetof(_PyInterpreterFrame, f_globals),
    .frame_f_builtins = offsetof(_PyInterpreterFrame, f_builtins),
    .frame_f_locals = offsetof(_PyInterpreterFrame, f_locals),
    .frame_f_code = offsetof(_PyInterpreterFrame, f_code),
    .frame_prev_instr = offsetof(_PyInterpreterFrame, prev_instr),
    .frame_stacktop = offsetof(_PyInterpreterFrame, stacktop),
    .frame_localsplus = offsetof(_PyInterpreterFrame, localsplus),
    .tstate_interp = offsetof(PyThreadState, interp),
    .tstate_cframe = offsetof(PyThreadState, cframe),
    .cframe_use_tracing = offsetof(_PyCFrame, use_tracing),
    .interp_eval_breaker = offsetof(PyInterpreterState, ceval.eval_breaker),
    .long_digit0 = offsetof(PyLongObject, ob_digit),
    .float_ob_fval = offsetof(PyFloatObject, ob_fval),
    .long_sizeof = sizeof(PyLongObject),
    .dictkeys_nentries = offsetof(PyDictKeysObject, dk_nentries),
    .dictkeys_log2_index_bytes = offsetof(PyDictKeysObject, dk_log2_index_bytes),
    .dictkeys_kind = offsetof(PyDictKeysObject, dk_kind),
    .dictkeys_indices = offsetof(PyDictKeysObject, dk_indices),
    .dictkeys_general = DICT_KEYS_GENERAL,
    .module_md_dict = offsetof(PyModuleObject, md_dict),
    .frame_previous = offsetof(_PyInterpreterFrame, previous),
    .frame_frame_obj = offsetof(_PyInterpreterFrame, frame_obj),
    .frame_is_entry = offsetof(_PyInterpreterFrame, is_entry),
    .tstate_datastack_top = offsetof(PyThreadState, datastack_top),
    .tstate_datastack_limit = offsetof(PyThreadState, datastack_limit),
    .tstate_recursion_remaining = offsetof(PyThreadState, recursion_remaining),
    .cframe_current_frame = offsetof(_PyCFrame, current_frame),
    .frame_specials_words = FRAME_SPECIALS_SIZE,
    .gen_frame_state_from_frame =
        (int)offsetof(PyGenObject, gi_frame_state) - (int)offsetof(PyGenObject, gi_iframe),
    .frame_suspended = FRAME_SUSPENDED,
};
_Static_assert(sizeof(PyDictKeyEntry) == 24 && offsetof(PyDictKeyEntry, me_key) == 8 &&
                   offsetof(PyDictKeyEntry, me_value) == 16,
               "dict entries as FOR_ITER reads them (x64/pyasm_xbyak.cc DictIterNext)");
_Static_assert(sizeof(PyDictUnicodeEntry) == 16 && offsetof(PyDictUnicodeEntry, me_key) == 0 &&
                   offsetof(PyDictUnicodeEntry, me_value) == 8,
               "unicode dict entries as FOR_ITER reads them");
_Static_assert(sizeof(((PyDictKeysObject *)0)->dk_log2_index_bytes) == 1 &&
                   sizeof(((PyDictKeysObject *)0)->dk_kind) == 1,
               "dict keys' byte fields");
_Static_assert(sizeof(((PyGenObject *)0)->gi_frame_state) == 1, "gi_frame_state is one byte");
_Static_assert(offsetof(_PyInterpreterFrame, owner) ==
                   offsetof(_PyInterpreterFrame, is_entry) + 1,
               "is_entry and owner are stored as one 16-bit word");

static long stack_floor_tls_offset(void);

const PjOffsets *pj_offsets(void) {
  static PjOffsets offsets;
  static int ready;
  if (!ready) {
    offsets = kOffsets;
    offsets.stack_floor_tls = stack_floor_tls_offset();
    ready = 1;
  }
  return &offsets;
}

PyObject *pj_small_ints(void) { return (PyObject *)&_PyLong_SMALL_INTS[0]; }

/* ---- the evaluator ------------------------------------------------------------------ */

static _PyFrameEvalFunction previous_eval_frame = NULL;
static unsigned long long generator_resumes = 0; /* under the GIL */
static unsigned long long generators_made = 0;
static unsigned long long direct_resumes = 0;
static unsigned long long calls_from_c = 0;
static int hook_installed = 0;
static int stepped_aside = 0; /* the hook is installed but out of the way (step_aside) */
static PyInterpreterState *stepped_interp = NULL; /* ... of this interpreter */
static void step_aside(PyThreadState *tstate);
static void add_step_back_audit_hook(void);
static int audit_hooks_exist(PyInterpreterState *interp);

static inline int is_fresh_frame(_PyInterpreterFrame *frame) {
  return frame->owner == FRAME_OWNED_BY_THREAD &&
         frame->prev_instr == _PyCode_CODE(frame->f_code) - 1;
}

static PyObject *eval_default(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag) {
  return _PyEval_EvalFrameDefault(tstate, frame, throwflag);
}

/* C stack guard. With a PEP 523 hook installed every Python call is a C call (no inlined
 * Python-to-Python calls), ~340 bytes of C stack per level between compiled functions and
 * more through the interpreter, so a recursion limit raised far above the default would
 * overflow the C stack (SIGSEGV) long before RecursionError. Every entry therefore checks
 * that at least kStackMargin bytes of this thread's stack are left (a quarter of the stack
 * for small thread stacks) and otherwise fails the way ceval fails a frame entry at the
 * recursion limit: RecursionError, NULL, frame untouched. The margin leaves room for the
 * C code that runs between two Python frames and for the exception handling. */
#define PJ_STACK_MARGIN (256 * 1024)

/* initial-exec: a plain %fs-relative load on every call, not a __tls_get_addr call (the few
 * bytes come from the static TLS surplus glibc keeps for loaded modules) */
#define PJ_TLS _Thread_local __attribute__((tls_model("initial-exec")))
static PJ_TLS uintptr_t stack_floor; /* lowest address a frame may start at; 0: not known
                                        yet, 1: the stack's bounds are unknown (no check) */

static __attribute__((noinline)) uintptr_t find_c_stack_floor(void) {
  stack_floor = 1;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void *addr = NULL;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0 && addr != NULL) {
      size_t margin = size / 4 < PJ_STACK_MARGIN ? size / 4 : PJ_STACK_MARGIN;
      stack_floor = (uintptr_t)addr + margin;
    }
    pthread_attr_destroy(&attr);
  }
  return stack_floor;
}

/* The thread pointer (%fs:0 on x86-64 Linux) and initial-exec TLS give every thread's
 * stack_floor at the same offset from it, which compiled code reads directly. */
static long stack_floor_tls_offset(void) {
  uintptr_t tp;
  __asm__("mov %%fs:0, %0" : "=r"(tp));
  return (long)((uintptr_t)&stack_floor - tp);
}

static inline int c_stack_exhausted(void) {
  uintptr_t floor = stack_floor;
  if (__builtin_expect(floor == 0, 0)) floor = find_c_stack_floor();
  /* the frame address, not a local's: under ASan locals may live on a heap "fake stack" */
  return (uintptr_t)__builtin_frame_address(0) < floor;
}

static inline PjDirectTarget *direct_target(PyCodeObject *code);
static PyObject *function_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                     PyObject *kwnames);

/* The caller's slots whose references the next fresh frame of their function takes
 * (pj_move_call_refs in shim.h). */
static PJ_TLS struct {
  PyObject **slots; /* slots[0] is the function; NULL: none pending */
  int n;
} pending_move;

void pj_move_call_refs(PyObject **slots, int n) {
  pending_move.slots = slots;
  pending_move.n = n;
}

void pj_move_call_refs_done(void) { pending_move.slots = NULL; }

/* The frame _PyEval_Vector made for the pending call holds its own references to the
 * function and every argument (in its locals, *args tuple or **kwargs dict): the caller's
 * go, none of them the last. */
static void take_pending_refs(_PyInterpreterFrame *frame) {
  PyObject **slots = pending_move.slots;
  pending_move.slots = NULL;  /* this frame's or nobody's: never a frame further in */
  if ((PyObject *)frame->f_func != slots[0] || !is_fresh_frame(frame)) return;
  for (int i = 0; i < pending_move.n; i++) {
    PyObject *o = slots[i];
    slots[i] = NULL;
    Py_DECREF(o);
  }
}

/* Runs frame's machine code linked into the current _PyCFrame, as ceval's inlined calls
 * link a frame (no _PyCFrame of its own: the caller's tracing state is the callee's), with
 * a recursion level (RecursionError as ceval); unlinked again after, whatever the result. */
static inline PyObject *run_linked(PyThreadState *tstate, _PyInterpreterFrame *frame,
                                   PjNativeEntry entry) {
  _PyCFrame *cframe = tstate->cframe;
  frame->previous = cframe->current_frame;
  cframe->current_frame = frame;
  PyObject *result;
  if (_Py_EnterRecursiveCallTstate(tstate, "")) {
    tstate->recursion_remaining--;
    result = NULL;
  } else {
    frame->stacktop = -1;
    result = entry(tstate, (PjFrame *)frame);
  }
  _Py_LeaveRecursiveCallTstate(tstate);
  cframe->current_frame = frame->previous;
  return result;
}

/* After a native exit that hands the frame to the interpreter, the interpreter's result
 * in *result, and 1: PJ_DEOPT (prev_instr and stacktop were written by the native code; the
 * interpreter links the frame again and resumes at prev_instr + 1) or PJ_NOT_RESUMABLE (the
 * frame gets back the stacktop it was entered with). Else 0, *result untouched. */
static inline int hand_over(PyThreadState *tstate, _PyInterpreterFrame *frame, int stacktop,
                            PyObject **result) {
  if (*result == PJ_NOT_RESUMABLE) {
    frame->stacktop = stacktop;
  } else if (*result != PJ_DEOPT) {
    return 0;
  }
  *result = eval_default(tstate, frame, 0);
  return 1;
}

/* Runs frame's machine code under the frame contract (the top of this file): a C-stack
 * _PyCFrame of its own, frame linked and marked as an entry frame, a recursion level
 * (run_linked); a PJ_DEOPT or PJ_NOT_RESUMABLE exit hands the frame to the interpreter.
 * `resume`: a generator's or coroutine's frame resumed (counted for stats()). */
static PyObject *enter_native(PyThreadState *tstate, _PyInterpreterFrame *frame,
                              PjNativeEntry entry, int resume) {
  const int stacktop = frame->stacktop;
  _PyCFrame cframe;
  _PyCFrame *prev_cframe = tstate->cframe;
  cframe.use_tracing = prev_cframe->use_tracing;
  cframe.previous = prev_cframe;
  cframe.current_frame = prev_cframe->current_frame;
  tstate->cframe = &cframe;
  frame->is_entry = true;
  PyObject *result = run_linked(tstate, frame, entry);
  tstate->cframe = cframe.previous;
  tstate->cframe->use_tracing = cframe.use_tracing;
  if (!hand_over(tstate, frame, stacktop, &result) && resume) generator_resumes++;
  return result;
}

PyObject *pj_eval_frame(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag) {
  if (pending_move.slots != NULL) take_pending_refs(frame);
  if (c_stack_exhausted()) {
    PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded (C stack)");
    return NULL;
  }
  if (tstate->cframe->use_tracing) {
    step_aside(tstate);
    return eval_default(tstate, frame, throwflag);
  }
  if (throwflag) return eval_default(tstate, frame, throwflag);
  /* A generator's or coroutine's frame is created by RETURN_GENERATOR in the interpreter;
   * its body runs compiled from each resume (gen_send_ex2, with the sent value pushed).
   * throw() resumes in the interpreter, and so does every async generator for now. */
  const int resume = frame->owner == FRAME_OWNED_BY_GENERATOR;
  const int gen_flags = frame->f_code->co_flags &
                        (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE);
  if (resume ? (gen_flags & CO_ASYNC_GENERATOR) != 0 : !is_fresh_frame(frame)) {
    return eval_default(tstate, frame, throwflag);
  }
  if (!resume && gen_flags != 0) {
    /* counted, and compiled when due (or refused, with its reason), but run by ceval */
    PjDirectTarget *t = direct_target(frame->f_code);
    if ((t == NULL || t->entry == NULL) && pj_entry_for(tstate, frame->f_code, NULL) == NULL &&
        PyErr_Occurred())
      return NULL;
    return eval_default(tstate, frame, throwflag);
  }
  /* compiled already: straight to its machine code; else count, maybe compile */
  PjDirectTarget *target = direct_target(frame->f_code);
  PjNativeEntry entry;
  int64_t *interp_ns = NULL;
  if (target != NULL && target->entry != NULL) {
    target->run_count++;
    entry = target->entry;
  } else {
    entry = pj_entry_for(tstate, frame->f_code, &interp_ns);
  }
  /* a function whose compiled code a C caller reached through _PyEval_Vector: its next
   * calls from C go straight to the machine code */
  PyFunctionObject *func = (PyFunctionObject *)frame->f_func;
  if (entry != NULL && func->vectorcall == _PyFunction_Vectorcall)
    func->vectorcall = function_vectorcall;
  if (entry == NULL) {
    if (PyErr_Occurred()) return NULL; /* compiling raised (MemoryError) */
    if (interp_ns == NULL) return eval_default(tstate, frame, 0);
    const int64_t start = pj_now_ns();
    PyObject *res = eval_default(tstate, frame, 0); /* the frame keeps its code (and state) */
    *interp_ns += pj_now_ns() - start;
    return res;
  }

  return enter_native(tstate, frame, entry, resume);
}

unsigned long long pj_generator_resumes(void) { return generator_resumes; }
unsigned long long pj_generators_made(void) { return generators_made; }
unsigned long long pj_direct_resumes(void) { return direct_resumes; }
unsigned long long pj_calls_from_c(void) { return calls_from_c; }

/* genobject.c's _PyGen_yf (not exported): what a suspended generator or coroutine is
 * awaiting or delegating to (a new reference), or NULL. Suspended in a `yield from` /
 * `await` means at a YIELD_VALUE followed by RESUME 2 or 3, with the delegate on top of the
 * frame's stack; compiled frames suspend exactly so. */
PyObject *pj_gen_yf(PyObject *gen) {
  PyGenObject *g = (PyGenObject *)gen;
  if (g->gi_frame_state >= FRAME_CLEARED || g->gi_frame_state == FRAME_CREATED) return NULL;
  _PyInterpreterFrame *frame = (_PyInterpreterFrame *)g->gi_iframe;
  const _Py_CODEUNIT next = frame->prev_instr[1];
  const int op = _Py_OPCODE(next);
  if ((op != RESUME && op != RESUME_QUICK) || _Py_OPARG(next) < 2) return NULL;
  return Py_NewRef(frame->localsplus[frame->stacktop - 1]);
}

/* ---- direct calls between compiled functions ------------------------------------------ */

/* The layout of co_extra (Objects/codeobject.c keeps it private). pj_check_extra_layout
 * confirms it against _PyCode_GetExtra before direct calls use it. */
typedef struct {
  Py_ssize_t ce_size;
  void *ce_extras[1];
} PjCodeExtra;

static Py_ssize_t extra_index = -1;  /* -1 until the layout is confirmed */
static Py_ssize_t requested_index = -1;

void pj_set_extra_index(Py_ssize_t index) { requested_index = index; }

void pj_check_extra_layout(PyCodeObject *code) {
  if (extra_index >= 0 || requested_index < 0) return;
  void *expected = NULL;
  if (_PyCode_GetExtra((PyObject *)code, requested_index, &expected) < 0) {
    PyErr_Clear();
    return;
  }
  PjCodeExtra *extra = (PjCodeExtra *)code->co_extra;
  if (expected != NULL && extra != NULL && requested_index < extra->ce_size &&
      extra->ce_extras[requested_index] == expected)
    extra_index = requested_index;
}

static inline PjDirectTarget *direct_target(PyCodeObject *code) {
  PjCodeExtra *extra = (PjCodeExtra *)code->co_extra;
  if (extra == NULL || extra_index < 0 || extra_index >= extra->ce_size) return NULL;
  return (PjDirectTarget *)extra->ce_extras[extra_index];
}

/* _PyFrame_Clear's take_ownership (not exported): a frame object that outlives the call
 * gets its own copy of the frame, linked to its caller's frame object. `prev` is the
 * current frame here (the callee was unlinked), so its frame object is PyEval_GetFrame's. */
static void take_ownership(PyFrameObject *f, _PyInterpreterFrame *frame) {
  Py_ssize_t size = ((char *)&frame->localsplus[frame->stacktop]) - (char *)frame;
  memcpy((_PyInterpreterFrame *)f->_f_frame_data, frame, size);
  frame = (_PyInterpreterFrame *)f->_f_frame_data;
  f->f_frame = frame;
  frame->owner = FRAME_OWNED_BY_FRAME_OBJECT;
  if (_PyFrame_IsIncomplete(frame)) {
    PyCodeObject *code = frame->f_code;
    frame->prev_instr = _PyCode_CODE(code) + code->_co_firsttraceable;
  }
  _PyInterpreterFrame *prev = frame->previous;
  while (prev != NULL && _PyFrame_IsIncomplete(prev)) prev = prev->previous;
  if (prev != NULL) {
    PyObject *back = pj_frame_object((PjFrame *)prev);
    if (back == NULL) {
      PyErr_Clear(); /* a MemoryError: the frame just has no f_back */
    } else {
      f->f_back = (PyFrameObject *)Py_NewRef(back);
    }
    frame->previous = NULL;
  }
  if (!PyObject_GC_IsTracked((PyObject *)f)) PyObject_GC_Track((PyObject *)f);
}

/* _PyFrame_Clear (not exported), for a frame already unlinked: a frame object that outlives
 * it takes a copy of the frame, else the frame's references go. */
static void clear_frame(_PyInterpreterFrame *frame) {
  if (frame->frame_obj != NULL) {
    PyFrameObject *f = frame->frame_obj;
    frame->frame_obj = NULL;
    if (Py_REFCNT(f) > 1) {
      take_ownership(f, frame);
      Py_DECREF(f);
      return;
    }
    Py_DECREF(f);
  }
  for (int i = 0; i < frame->stacktop; i++) Py_XDECREF(frame->localsplus[i]);
  Py_XDECREF(frame->f_locals);
  Py_DECREF(frame->f_func);
  Py_DECREF(frame->f_code);
}

/* _PyEvalFrameClearAndPop for a frame pushed by pj_call_direct (never the first frame of a
 * data-stack chunk: those are only made by the interpreter's slow path). */
static void clear_and_pop(PyThreadState *tstate, _PyInterpreterFrame *frame) {
  tstate->recursion_remaining--;
  clear_frame(frame);
  tstate->recursion_remaining++;
  tstate->datastack_top = (PyObject **)frame;
}

/* ---- generators and coroutines resumed directly -------------------------------------- */

/* genobject.c's gen_send_ex2 (neither throw() nor close()) for an exact generator or
 * coroutine whose machine code can take it from where it is (created, or suspended at a
 * yield), with arg NULL for next(): pushes the sent value, links the generator's frame and
 * exception state, runs the machine code (a PJ_DEOPT exit hands the frame to the
 * interpreter, as pj_eval_frame does) and
 * settles the generator as gen_send_ex2 does: a yield gives PYGEN_NEXT, a return
 * PYGEN_RETURN with the value (NULL and no exception for next() returning None), an error
 * PYGEN_ERROR (StopIteration raised inside becomes RuntimeError). PJ_SEND_NOT_DIRECT, having
 * done nothing, for everything else (states and values gen_send_ex2 reports errors for,
 * tracing, no compiled code, little C stack): the caller then goes through CPython. */
#define PJ_SEND_NOT_DIRECT ((PySendResult)-2)
static inline __attribute__((always_inline)) PySendResult
send_direct(PyThreadState *tstate, PyGenObject *gen, PyObject *arg, PyObject **presult) {
  const int state = gen->gi_frame_state;
  if (state != FRAME_SUSPENDED && (state != FRAME_CREATED || (arg != NULL && arg != Py_None)))
    return PJ_SEND_NOT_DIRECT;
  _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
  PjDirectTarget *target = direct_target(frame->f_code);
  if (target == NULL || target->entry == NULL || !hook_installed ||
      tstate->cframe->use_tracing || c_stack_exhausted())
    return PJ_SEND_NOT_DIRECT;

  _PyFrame_StackPush(frame, Py_NewRef(arg != NULL ? arg : Py_None));
  gen->gi_exc_state.previous_item = tstate->exc_info;
  tstate->exc_info = &gen->gi_exc_state;
  gen->gi_frame_state = FRAME_EXECUTING;
  target->run_count++;
  const int stacktop = frame->stacktop;
  PyObject *result = run_linked(tstate, frame, target->entry);
  if (!hand_over(tstate, frame, stacktop, &result)) {
    generator_resumes++;
    direct_resumes++;
  }
  if (gen->gi_frame_state == FRAME_EXECUTING) gen->gi_frame_state = FRAME_COMPLETED;
  tstate->exc_info = gen->gi_exc_state.previous_item;
  gen->gi_exc_state.previous_item = NULL;
  frame->previous = NULL;
  if (result != NULL) {
    if (gen->gi_frame_state == FRAME_SUSPENDED) {
      *presult = result;
      return PYGEN_NEXT;
    }
    if (result == Py_None && arg == NULL) Py_CLEAR(result);
  } else if (PyErr_ExceptionMatches(PyExc_StopIteration)) {
    _PyErr_FormatFromCause(PyExc_RuntimeError, "%s",
                           PyCoro_CheckExact(gen) ? "coroutine raised StopIteration"
                                                  : "generator raised StopIteration");
  }
  /* finished: clear the frame, first the exception state (a cycle through its traceback) */
  _PyErr_ClearExcState(&gen->gi_exc_state);
  gen->gi_frame_state = FRAME_CLEARED;
  clear_frame(frame);
  *presult = result;
  return result != NULL ? PYGEN_RETURN : PYGEN_ERROR;
}

/* gen_iternext for a generator resumed directly: the next item, or NULL (finished: a value
 * returned is StopIteration's; or an error), or PJ_NOT_DIRECT (send_direct declined). */
static inline PyObject *gen_next_direct(PyThreadState *tstate, PyGenObject *gen) {
  PyObject *item;
  const PySendResult status = send_direct(tstate, gen, NULL, &item);
  if (status == PJ_SEND_NOT_DIRECT) return PJ_NOT_DIRECT;
  if (status == PYGEN_RETURN) {
    _PyGen_SetStopIterationValue(item);
    Py_DECREF(item);
    return NULL;
  }
  return item;
}

/* FOR_ITER's helper (runtime/helpers.h): gen_iternext for a generator resumed directly. */
PyObject *rt_for_iter(PyObject *iter) {
  if (Py_IS_TYPE(iter, &PyGen_Type)) {
    PyObject *item = gen_next_direct(_PyThreadState_GET(), (PyGenObject *)iter);
    if (item != PJ_NOT_DIRECT) return item;
  }
  return (*Py_TYPE(iter)->tp_iternext)(iter);
}

/* PyGen_Type's tp_iternext while the hook is installed: a generator a C consumer iterates
 * (sum(), list(), str.join(), any(), next(), a C extension, the interpreter's own FOR_ITER)
 * is resumed in its machine code directly, as rt_for_iter does, instead of through
 * gen_send_ex2 and the hook; everything else, and any other interpreter (the type is
 * shared by all of them, the JIT's state is not), is gen_iternext's. gen.__next__ is a
 * slot wrapper holding gen_iternext itself. */
static iternextfunc gen_iternext_default = NULL;
static PyInterpreterState *hook_interp = NULL;

static PyObject *gen_iternext_direct(PyObject *gen) {
  PyThreadState *tstate = _PyThreadState_GET();
  if (tstate->interp == hook_interp) {
    PyObject *item = gen_next_direct(tstate, (PyGenObject *)gen);
    if (item != PJ_NOT_DIRECT) return item;
  }
  return gen_iternext_default(gen);
}

/* SEND's helper (runtime/helpers_gen.h): PyIter_Send, a generator or coroutine resumed
 * directly. */
long rt_send(PyObject **base) {
  PyObject *receiver = base[0];
  PyObject *v = base[1];
  PyObject *retval = NULL;
  PySendResult status = PJ_SEND_NOT_DIRECT;
  if (Py_IS_TYPE(receiver, &PyCoro_Type) || Py_IS_TYPE(receiver, &PyGen_Type))
    status = send_direct(_PyThreadState_GET(), (PyGenObject *)receiver, v, &retval);
  if (status == PJ_SEND_NOT_DIRECT) status = PyIter_Send(receiver, v, &retval);
  Py_DECREF(v);
  if (status == PYGEN_ERROR) return -1;
  if (status == PYGEN_RETURN) {
    base[0] = retval;
    Py_DECREF(receiver);
    return 1;
  }
  base[1] = retval;
  return 0;
}

static unsigned code_epoch = 1;

void pj_code_state_freed(void) { code_epoch++; }
const unsigned *pj_code_epoch_address(void) { return &code_epoch; }
const int *pj_hook_installed_address(void) { return &hook_installed; }

int pj_check_recursive_call(PyThreadState *tstate) { return _Py_CheckRecursiveCall(tstate, ""); }

PyObject *pj_direct_deopt(PyThreadState *tstate, PjFrame *frame) {
  return eval_default(tstate, (_PyInterpreterFrame *)frame, 0);
}

static void clear_and_pop(PyThreadState *tstate, _PyInterpreterFrame *frame);
void pj_direct_clear_and_pop(PyThreadState *tstate, PjFrame *frame) {
  clear_and_pop(tstate, (_PyInterpreterFrame *)frame);
}

void pj_direct_args_with_defaults(PyObject **locals, PyObject *func, PyObject *const *args,
                                  Py_ssize_t nargs, Py_ssize_t argcount) {
  for (Py_ssize_t i = 0; i < nargs; i++) locals[i] = args[i];
  if (nargs < argcount) {
    PyObject *defaults = ((PyFunctionObject *)func)->func_defaults;
    const Py_ssize_t ndefaults = PyTuple_GET_SIZE(defaults);
    for (Py_ssize_t i = nargs; i < argcount; i++)
      locals[i] = Py_NewRef(PyTuple_GET_ITEM(defaults, ndefaults - (argcount - i)));
  }
}

/* A direct call's frame for func (stolen) with nargs positional arguments (stolen) and, up
 * to argcount, the function's defaults; the other locals cleared. */
static inline void init_direct_frame(_PyInterpreterFrame *frame, PyFunctionObject *func,
                                     PyObject *const *args, Py_ssize_t nargs,
                                     Py_ssize_t argcount) {
  PyCodeObject *code = (PyCodeObject *)func->func_code;
  _PyFrame_InitializeSpecials(frame, func, NULL, code->co_nlocalsplus);
  pj_direct_args_with_defaults(frame->localsplus, (PyObject *)func, args, nargs, argcount);
  for (int i = (int)argcount; i < code->co_nlocalsplus; i++) frame->localsplus[i] = NULL;
}

/* A frame of `size` words on the data stack (the caller checked the space), for the
 * caller to fill. _PyFrame_PushUnchecked. */
static inline _PyInterpreterFrame *push_frame(PyThreadState *tstate, size_t size) {
  PyObject **base = tstate->datastack_top;
  tstate->datastack_top = base + size;
  return (_PyInterpreterFrame *)base;
}

/* Runs a pushed and filled frame of target's code and pops it: CALL_PY_EXACT_ARGS /
 * CALL_PY_WITH_DEFAULTS entering the frame, then RETURN_VALUE's pop_frame. */
static inline __attribute__((always_inline)) PyObject *run_pushed(
    PyThreadState *tstate, _PyInterpreterFrame *frame, PjDirectTarget *target) {
  target->run_count++;
  PyObject *result = run_linked(tstate, frame, target->entry);
  if (result == PJ_DEOPT) result = eval_default(tstate, frame, 0);
  clear_and_pop(tstate, frame);
  return result;
}

/* A frame of `size` words for func (whose code's machine code is target->entry) with nargs
 * positional arguments (stolen) and, up to argcount, the function's defaults, run and
 * popped. */
static inline __attribute__((always_inline)) PyObject *run_direct(
    PyThreadState *tstate, PyFunctionObject *func, PyObject *const *args, Py_ssize_t nargs,
    PjDirectTarget *target, size_t size) {
  _PyInterpreterFrame *frame = push_frame(tstate, size);
  init_direct_frame(frame, func, args, nargs, target->argcount);
  return run_pushed(tstate, frame, target);
}

/* The generator or coroutine that calling func with nargs arguments (stolen, as is func)
 * makes: what the call's frame does up to RETURN_GENERATOR (genobject.c's make_gen and
 * _Py_MakeCoro, then ceval's COPY_FREE_VARS, MAKE_CELL and RETURN_GENERATOR), done in the
 * generator's own frame, which the first send() then enters at the machine code's resume
 * point after RETURN_GENERATOR. PJ_NOT_DIRECT, consuming nothing, for a coroutine while
 * coroutine origins are tracked (the interpreter records them). */
static PyObject *make_generator(PyThreadState *tstate, PyFunctionObject *func,
                                PyObject *const *args, Py_ssize_t nargs, PjDirectTarget *target) {
  PyCodeObject *code = (PyCodeObject *)func->func_code;
  const int coro = (code->co_flags & CO_COROUTINE) != 0;
  if (coro && tstate->coroutine_origin_tracking_depth != 0) return PJ_NOT_DIRECT;
  PyGenObject *gen = PyObject_GC_NewVar(PyGenObject, coro ? &PyCoro_Type : &PyGen_Type,
                                        code->co_nlocalsplus + code->co_stacksize);
  if (gen == NULL) {
    for (Py_ssize_t i = 0; i < nargs; i++) Py_DECREF(args[i]);
    Py_DECREF(func);
    return NULL;
  }
  gen->gi_code = (PyCodeObject *)Py_NewRef(code);
  gen->gi_weakreflist = NULL;
  gen->gi_name = Py_NewRef(func->func_name != NULL ? func->func_name : code->co_name);
  gen->gi_qualname =
      Py_NewRef(func->func_qualname != NULL ? func->func_qualname : code->co_qualname);
  gen->gi_exc_state.exc_value = NULL;
  gen->gi_exc_state.previous_item = NULL;
  gen->gi_origin_or_finalizer = NULL;
  gen->gi_hooks_inited = 0;
  gen->gi_closed = 0;
  gen->gi_running_async = 0;

  _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
  init_direct_frame(frame, func, args, nargs, target->argcount);
  const _Py_CODEUNIT *units = _PyCode_CODE(code);
  for (int i = 0; i < target->gen_start; i++) {
    const int oparg = _Py_OPARG(units[i]);
    if (_Py_OPCODE(units[i]) == COPY_FREE_VARS) {
      PyObject *closure = func->func_closure;
      const int offset = code->co_nlocalsplus - oparg;
      for (int k = 0; k < oparg; k++)
        frame->localsplus[offset + k] = Py_NewRef(PyTuple_GET_ITEM(closure, k));
    } else { /* MAKE_CELL */
      PyObject *initial = frame->localsplus[oparg];
      PyObject *cell = PyCell_New(initial);
      if (cell == NULL) {
        for (int k = 0; k < code->co_nlocalsplus; k++) Py_CLEAR(frame->localsplus[k]);
        Py_DECREF(frame->f_func);
        Py_DECREF(frame->f_code);
        gen->gi_frame_state = FRAME_CLEARED; /* nothing for gen_dealloc to finalise */
        _PyObject_GC_TRACK(gen);
        Py_DECREF(gen);
        return NULL;
      }
      Py_XDECREF(initial);
      frame->localsplus[oparg] = cell;
    }
  }
  frame->prev_instr = (_Py_CODEUNIT *)units + target->gen_start;
  frame->owner = FRAME_OWNED_BY_GENERATOR;
  frame->previous = NULL;
  gen->gi_frame_state = FRAME_CREATED;
  _PyObject_GC_TRACK(gen);
  target->run_count++;
  generators_made++;
  return (PyObject *)gen;
}

/* A direct call of target's code: its frame run (run_direct), or the generator it makes. */
static inline PyObject *start_direct(PyThreadState *tstate, PyFunctionObject *func,
                                     PyObject *const *args, Py_ssize_t nargs,
                                     PjDirectTarget *target, size_t size) {
  if (target->gen_start >= 0) return make_generator(tstate, func, args, nargs, target);
  return run_direct(tstate, func, args, nargs, target, size);
}

static PyObject *c_stack_error(PyObject *callable, PyObject *const *args, Py_ssize_t nargs) {
  PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded (C stack)");
  for (Py_ssize_t i = 0; i < nargs; i++) Py_DECREF(args[i]);
  Py_DECREF(callable);
  return NULL;
}

static inline int has_stack_space(PyThreadState *tstate, size_t size) {
  PyObject **base = tstate->datastack_top;
  return base != NULL && size < (size_t)(tstate->datastack_limit - base);
}

/* func's defaults give at least the n last positional parameters. */
static inline int has_defaults(PyFunctionObject *func, Py_ssize_t n) {
  return func->func_defaults != NULL && n <= PyTuple_GET_SIZE(func->func_defaults);
}

/* The direct-call target of callable with nargs arguments and its frame size, or NULL. */
static PjDirectTarget *lookup_direct(PyThreadState *tstate, PyObject *callable,
                                     Py_ssize_t nargs, size_t *size) {
  if (!hook_installed || !Py_IS_TYPE(callable, &PyFunction_Type) ||
      tstate->cframe->use_tracing)
    return NULL;
  PyFunctionObject *func = (PyFunctionObject *)callable;
  PyCodeObject *code = (PyCodeObject *)func->func_code;
  PjDirectTarget *target = direct_target(code);
  if (target == NULL || target->entry == NULL) return NULL;
  const Py_ssize_t argcount = target->argcount;
  if (nargs != argcount && (nargs > argcount || !has_defaults(func, argcount - nargs)))
    return NULL;
  *size = (size_t)code->co_nlocalsplus + code->co_stacksize + FRAME_SPECIALS_SIZE;
  return target;
}

PyObject *pj_call_direct(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
                         Py_ssize_t nargs) {
  size_t size;
  PjDirectTarget *target = lookup_direct(tstate, callable, nargs, &size);
  if (target == NULL || !has_stack_space(tstate, size)) return PJ_NOT_DIRECT;
  if (c_stack_exhausted()) return c_stack_error(callable, args, nargs);
  return start_direct(tstate, (PyFunctionObject *)callable, args, nargs, target, size);
}

/* A direct call of target's code for callable with nargs arguments (callable and args
 * stolen, unless PJ_NOT_DIRECT): the code's direct entry, else its frame of `size` words
 * pushed here if the data stack has room (PJ_NOT_DIRECT, consuming nothing, if not), or
 * RecursionError when the C stack is low (the direct entry declines then too). */
static inline PyObject *enter_target(PyThreadState *tstate, PyObject *callable,
                                     PyObject *const *args, Py_ssize_t nargs,
                                     PjDirectTarget *target, size_t size) {
  if (target->direct_entry != NULL) {
    PyObject *res = target->direct_entry(tstate, callable, args, nargs);
    if (res != PJ_NOT_DIRECT) return res;
  }
  if (!has_stack_space(tstate, size)) return PJ_NOT_DIRECT;
  if (c_stack_exhausted()) return c_stack_error(callable, args, nargs);
  return start_direct(tstate, (PyFunctionObject *)callable, args, nargs, target, size);
}

/* make_generator's refusal (a coroutine while origins are tracked), known before any
 * reference moves. */
static inline int declines_generator(PyThreadState *tstate, PyFunctionObject *func,
                                     const PjDirectTarget *target) {
  return target->gen_start >= 0 &&
         (((PyCodeObject *)func->func_code)->co_flags & CO_COROUTINE) != 0 &&
         tstate->coroutine_origin_tracking_depth != 0;
}

/* The vectorcall of plain functions whose code was compiled (pj_eval_frame sets it the first
 * time such a function's frame comes through the hook): a C caller (map(), sorted(key=), a
 * type slot such as __init__ or __eq__, a bound method, the interpreter's own CALL, which
 * goes through vectorcall while an evaluator is installed) runs the machine code directly,
 * as pj_call_direct does, the frame holding its own references to the function and the
 * arguments (borrowed here). Keyword arguments, tracing, code not compiled (any more), a
 * coroutine whose origin must be recorded, or no room: _PyFunction_Vectorcall, as before. */
#define PJ_VECTORCALL_MAX_ARGS 16
static PyObject *function_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                     PyObject *kwnames) {
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  PyThreadState *tstate = _PyThreadState_GET();
  size_t size;
  PjDirectTarget *target;
  if (kwnames != NULL || nargs > PJ_VECTORCALL_MAX_ARGS ||
      (target = lookup_direct(tstate, callable, nargs, &size)) == NULL ||
      !has_stack_space(tstate, size) ||
      declines_generator(tstate, (PyFunctionObject *)callable, target))
    return _PyFunction_Vectorcall(callable, args, nargsf, kwnames);
  PyObject *owned[PJ_VECTORCALL_MAX_ARGS];
  for (Py_ssize_t i = 0; i < nargs; i++) owned[i] = Py_NewRef(args[i]);
  Py_INCREF(callable);
  /* a compiled caller that named its slots for this call (pj_move_call_refs) keeps them and
   * releases them after the call */
  pending_move.slots = NULL;
  calls_from_c++;
  return enter_target(tstate, callable, owned, nargs, target, size); /* room checked above */
}

int pj_can_call_direct(PyThreadState *tstate, PyObject *callable, Py_ssize_t nargs) {
  size_t size;
  PjDirectTarget *target = lookup_direct(tstate, callable, nargs, &size);
  return target != NULL && has_stack_space(tstate, size);
}

/* pj_call_cached's miss of the first way: an older way of the same code (and epoch and
 * argument count), which trades places with the first, or else lookup_direct, whose result
 * becomes the first way, the first moving to the older ways in turn. The target and frame
 * size, or NULL (not direct: the cache is left alone). */
static PjDirectTarget *lookup_older_ways(PyThreadState *tstate, PyObject *callable,
                                         Py_ssize_t nargs, size_t *size, PjCallCache *cache) {
  PyFunctionObject *func = (PyFunctionObject *)callable;
  PjCallWay found;
  int at = -1;
  if (Py_IS_TYPE(callable, &PyFunction_Type) && hook_installed && !tstate->cframe->use_tracing) {
    for (int i = 0; i < PJ_CALL_OLDER_WAYS; i++) {
      const PjCallWay *w = &cache->older[i];
      if (w->code == func->func_code && w->epoch == code_epoch && w->nargs == nargs) {
        at = i;
        break;
      }
    }
  }
  if (at >= 0) {
    found = cache->older[at];
    if (nargs != found.target->argcount && !has_defaults(func, found.target->argcount - nargs))
      return NULL;  /* __defaults__ replaced since */
    *size = (size_t)found.framesize;
  } else {
    PjDirectTarget *target = lookup_direct(tstate, callable, nargs, size);
    if (target == NULL) return NULL;
    found = (PjCallWay){func->func_code, target, code_epoch, (int)nargs, (int)*size};
    at = cache->victim;
    cache->victim = (at + 1) % PJ_CALL_OLDER_WAYS;
  }
  cache->older[at] = cache->last;
  cache->last = found;
  return found.target;
}

PyObject *pj_call_cached(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
                         Py_ssize_t nargs, PjCallCache *cache) {
  PyFunctionObject *func = (PyFunctionObject *)callable;
  size_t size;
  PjDirectTarget *target;
  if (Py_IS_TYPE(callable, &PyFunction_Type) && func->func_code == cache->last.code &&
      cache->last.epoch == code_epoch && nargs == cache->last.nargs && hook_installed &&
      !tstate->cframe->use_tracing) {
    target = cache->last.target;
    size = cache->last.framesize;
    if (nargs != target->argcount && !has_defaults(func, target->argcount - nargs))
      return PJ_NOT_DIRECT;  /* __defaults__ replaced since the cache was filled */
  } else {
    target = lookup_older_ways(tstate, callable, nargs, &size, cache);
    if (target == NULL) return PJ_NOT_DIRECT;
  }
  return enter_target(tstate, callable, args, nargs, target, size);
}

/* Where each of code's parameters gets its value in a call with nargs arguments, the last
 * of them named by kwnames (or none: NULL), as initialize_locals binds them: cache->source
 * and first_default, and with *args or **kwargs which arguments go there (varargs_from,
 * to_kwargs). 0 if the call does not bind that simply (the ordinary call then binds it, or
 * raises its TypeError). */
static int match_keywords(PyCodeObject *code, Py_ssize_t nargs, PyObject *kwnames,
                          PjKwCallCache *cache) {
  const Py_ssize_t nkw = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
  const Py_ssize_t npos = nargs - nkw;
  const int argcount = code->co_argcount;
  const int nparams = argcount + code->co_kwonlyargcount;
  const int varargs = (code->co_flags & CO_VARARGS) != 0;
  const int varkw = (code->co_flags & CO_VARKEYWORDS) != 0;
  if (npos < 0 || (npos > argcount && !varargs) || nparams > PJ_KW_MAX_PARAMS ||
      nargs > PJ_KW_MAX_ARGS)
    return 0;
  for (int j = 0; j < nparams; j++)
    cache->source[j] = (signed char)(j < npos && j < argcount ? j : -1);
  cache->varargs_from = (signed char)(npos < argcount ? npos : argcount);
  cache->to_kwargs = 0;
  for (Py_ssize_t k = 0; k < nkw; k++) {
    PyObject *name = PyTuple_GET_ITEM(kwnames, k);
    PyObject *const *params = &PyTuple_GET_ITEM(code->co_localsplusnames, 0);
    int found = -1;
    for (int j = code->co_posonlyargcount; j < nparams && found < 0; j++)  /* as ceval: */
      if (params[j] == name) found = j;                                    /* identity, */
    for (int j = code->co_posonlyargcount; j < nparams && found < 0; j++)  /* then equality */
      if (PyUnicode_CheckExact(name) && _PyUnicode_Equal(params[j], name)) found = j;
    if (found >= 0 && cache->source[found] >= 0) return 0; /* given twice */
    if (found >= 0) {
      cache->source[found] = (signed char)(npos + k);
    } else if (varkw) {
      cache->to_kwargs |= 1u << k;
    } else {
      return 0; /* no such parameter */
    }
  }
  cache->first_default = argcount;
  for (int j = (int)npos; j < argcount; j++) {
    if (cache->source[j] < 0) {
      cache->first_default = j;
      break;
    }
  }
  return 1;
}

/* The *args tuple and **kwargs dict of a call bound by cache (new references in *tuple and
 * *dict, NULL where the code has none), made from borrowed arguments before anything is
 * consumed. 0 on a failure to allocate them (the error cleared: the ordinary call then
 * fails as it will). */
static int make_star_args(PyCodeObject *code, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames, const PjKwCallCache *cache, PyObject **tuple,
                          PyObject **dict) {
  *tuple = *dict = NULL;
  const Py_ssize_t nkw = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
  if (code->co_flags & CO_VARKEYWORDS) {
    *dict = PyDict_New();
    if (*dict == NULL) goto failed;
    for (Py_ssize_t k = 0; k < nkw; k++) {
      if ((cache->to_kwargs & (1u << k)) &&
          PyDict_SetItem(*dict, PyTuple_GET_ITEM(kwnames, k), args[nargs - nkw + k]) < 0)
        goto failed;
    }
  }
  if (code->co_flags & CO_VARARGS) {
    const Py_ssize_t from = cache->varargs_from, n = nargs - nkw - from;
    *tuple = PyTuple_New(n > 0 ? n : 0);
    if (*tuple == NULL) goto failed;
    for (Py_ssize_t i = 0; i < n; i++) PyTuple_SET_ITEM(*tuple, i, Py_NewRef(args[from + i]));
  }
  return 1;
failed:
  Py_CLEAR(*tuple);
  Py_CLEAR(*dict);
  PyErr_Clear();
  return 0;
}

PyObject *pj_call_kw_cached(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
                            Py_ssize_t nargs, PyObject *kwnames, PjKwCallCache *cache) {
  if (!hook_installed || !Py_IS_TYPE(callable, &PyFunction_Type) ||
      tstate->cframe->use_tracing)
    return PJ_NOT_DIRECT;
  PyFunctionObject *func = (PyFunctionObject *)callable;
  PyCodeObject *code = (PyCodeObject *)func->func_code;
  if (func->func_code != cache->code || cache->epoch != code_epoch ||
      kwnames != cache->kwnames || nargs != cache->nargs) {
    PjDirectTarget *target = direct_target(code);
    const int flags = CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE;
    if (target == NULL || target->entry == NULL || (code->co_flags & flags) != 0 ||
        !match_keywords(code, nargs, kwnames, cache)) {
      cache->code = NULL;
      return PJ_NOT_DIRECT;
    }
    cache->code = func->func_code;
    cache->kwnames = kwnames;
    cache->target = target;
    cache->epoch = code_epoch;
    cache->nargs = (int)nargs;
    cache->framesize = code->co_nlocalsplus + code->co_stacksize + FRAME_SPECIALS_SIZE;
  }
  const size_t size = (size_t)cache->framesize;
  if (!has_stack_space(tstate, size)) return PJ_NOT_DIRECT;
  /* *args and **kwargs first: making them may collect garbage, whose finalizers may change
   * the function (its code: checked again; its defaults: read after) */
  PyObject *star_tuple, *star_dict;
  if (!make_star_args(code, args, nargs, kwnames, cache, &star_tuple, &star_dict))
    return PJ_NOT_DIRECT;
  /* the defaults, as they are now: positional ones from __defaults__, keyword-only ones
   * from __kwdefaults__ (looked up before anything is consumed; no allocation after) */
  const int argcount = code->co_argcount;
  const int nparams = argcount + code->co_kwonlyargcount;
  PyObject *defaults = func->func_defaults;
  Py_ssize_t ndefaults = defaults != NULL ? PyTuple_GET_SIZE(defaults) : 0;
  PyObject *kwonly[PJ_KW_MAX_PARAMS];
  int bound = func->func_code == cache->code && cache->epoch == code_epoch &&
              cache->first_default >= argcount - ndefaults;
  for (int j = argcount; j < nparams && bound; j++) {
    if (cache->source[j] >= 0) continue;
    PyObject *kwdefs = func->func_kwdefaults;
    PyObject *value = NULL;
    if (kwdefs != NULL && PyDict_CheckExact(kwdefs)) {
      value = PyDict_GetItemWithError(kwdefs, PyTuple_GET_ITEM(code->co_localsplusnames, j));
      if (value == NULL && PyErr_Occurred()) PyErr_Clear(); /* the ordinary call raises */
    }
    bound = value != NULL;
    kwonly[j] = value;
  }
  if (!bound || c_stack_exhausted()) {
    Py_XDECREF(star_tuple);
    Py_XDECREF(star_dict);
    return bound ? c_stack_error(callable, args, nargs) : PJ_NOT_DIRECT;
  }
  _PyInterpreterFrame *frame = push_frame(tstate, size);
  _PyFrame_InitializeSpecials(frame, func, NULL, code->co_nlocalsplus);
  PyObject **locals = frame->localsplus;
  for (int j = 0; j < nparams; j++) {
    const int from = cache->source[j];
    if (from >= 0) locals[j] = args[from];
    else if (j < argcount) locals[j] = Py_NewRef(PyTuple_GET_ITEM(defaults, ndefaults - (argcount - j)));
    else locals[j] = Py_NewRef(kwonly[j]);
  }
  int next = nparams;
  if (star_tuple != NULL) {  /* the tuple holds references of its own */
    locals[next++] = star_tuple;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(star_tuple); i++)
      Py_DECREF(args[cache->varargs_from + i]);
  }
  if (star_dict != NULL) {  /* the dict holds references of its own */
    locals[next++] = star_dict;
    const Py_ssize_t nkw = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++)
      if (cache->to_kwargs & (1u << k)) Py_DECREF(args[nargs - nkw + k]);
  }
  for (int j = next; j < code->co_nlocalsplus; j++) locals[j] = NULL;
  return run_pushed(tstate, frame, cache->target);
}

void pj_install_hook(void) {
  PyInterpreterState *interp = _PyInterpreterState_GET();
  if (hook_installed) return;
  previous_eval_frame = _PyInterpreterState_GetEvalFrameFunc(interp);
  _PyInterpreterState_SetEvalFrameFunc(interp, pj_eval_frame);
  hook_installed = 1;
  stepped_aside = 0;
  hook_interp = interp;
  if (gen_iternext_default == NULL) gen_iternext_default = PyGen_Type.tp_iternext;
  if (PyGen_Type.tp_iternext == gen_iternext_default) PyGen_Type.tp_iternext = gen_iternext_direct;
  if (audit_hooks_exist(interp)) add_step_back_audit_hook();
}

void pj_uninstall_hook(void) {
  if (!hook_installed) return;
  PyInterpreterState *interp = _PyInterpreterState_GET();
  _PyInterpreterState_SetEvalFrameFunc(interp, previous_eval_frame);
  hook_installed = 0;
  stepped_aside = 0;
  hook_interp = NULL;
  if (PyGen_Type.tp_iternext == gen_iternext_direct) PyGen_Type.tp_iternext = gen_iternext_default;
}

/* While tracing or profiling is on, every new frame runs in the interpreter anyway; the
 * hook then steps aside, so that the interpreter inlines Python-to-Python calls again
 * (CALL moves the caller's references into the callee's frame only when no evaluator is
 * installed) and traced code releases call arguments exactly as plain CPython does. Any
 * change of the trace or profile function (the sys.settrace / sys.setprofile audit events,
 * raised for C callers of PyEval_SetTrace too) puts it back; the next traced frame that
 * reaches it steps aside again. */
static int step_back_in(const char *event, PyObject *args, void *data) {
  (void)args;
  (void)data;
  if (stepped_aside && hook_installed &&
      (strcmp(event, "sys.settrace") == 0 || strcmp(event, "sys.setprofile") == 0)) {
    _PyInterpreterState_SetEvalFrameFunc(stepped_interp, pj_eval_frame);
    stepped_aside = 0;
  }
  return 0;
}

/* Every PySys_Audit call builds its argument tuple and calls each hook as soon as any hook
 * exists (frame.f_code, sys._getframe, open, exec, import...: logging pays for one on every
 * record), so ours is added only when it is needed, by the first traced frame, and only if
 * that runs nothing: with no hook of anyone's yet, PySys_AddAuditHook calls none and only
 * allocates its entry with PyMem_RawMalloc. Python hooks would run there, before the traced
 * frame is linked, and may collect garbage (test_frame's sneaky frame object); so if hooks
 * already exist when the JIT is enabled, ours is added then, and if hooks appear later, the
 * hook stays in front of traced frames instead of stepping aside. Never removed (CPython
 * cannot). */
static int audit_hook_added = 0;

int pj_audit_hook_added(void) { return audit_hook_added; }

static int audit_hooks_exist(PyInterpreterState *interp) {
  return _PyRuntime.audit_hook_head != NULL || interp->audit_hooks != NULL;
}

static void add_step_back_audit_hook(void) {
  if (audit_hook_added) return;
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  audit_hook_added = PySys_AddAuditHook(step_back_in, NULL) == 0;
  PyErr_Clear();
  PyErr_Restore(type, value, tb);
}

static void step_aside(PyThreadState *tstate) {
  if (!hook_installed || stepped_aside || previous_eval_frame != _PyEval_EvalFrameDefault)
    return;  /* another evaluator was installed before ours: stay in front of it */
  if (!audit_hook_added) {
    if (audit_hooks_exist(tstate->interp)) return;
    add_step_back_audit_hook();
    if (!audit_hook_added) return;
  }
  stepped_interp = tstate->interp;
  _PyInterpreterState_SetEvalFrameFunc(stepped_interp, previous_eval_frame);
  stepped_aside = 1;
}

int pj_hook_installed(void) { return hook_installed; }

/* ---- eval breaker ----------------------------------------------------------------- */

/* ceval.c's COMPUTE_EVAL_BREAKER, needed after we consume an async exception. */
static void recompute_eval_breaker(PyInterpreterState *interp) {
  struct _ceval_runtime_state *ceval = &_PyRuntime.ceval;
  struct _ceval_state *ceval2 = &interp->ceval;
  int main_thread = PyThread_get_thread_ident() == _PyRuntime.main_thread;
  int can_signals = main_thread && interp == _PyRuntime.interpreters.main;
  _Py_atomic_store_relaxed(
      &ceval2->eval_breaker,
      _Py_atomic_load_relaxed(&ceval2->gil_drop_request) |
          (_Py_atomic_load_relaxed(&ceval->signals_pending) && can_signals) |
          (_Py_atomic_load_relaxed(&ceval2->pending.calls_to_do) && main_thread) |
          ceval2->pending.async_exc);
}

int pj_handle_eval_breaker(PyThreadState *tstate) {
  PyInterpreterState *interp = tstate->interp;
  struct _ceval_state *ceval2 = &interp->ceval;
  /* Signals (main thread only) and pending calls; both reset their own flags. */
  if (_Py_atomic_load_relaxed(&_PyRuntime.ceval.signals_pending) ||
      _Py_atomic_load_relaxed(&ceval2->pending.calls_to_do)) {
    if (Py_MakePendingCalls() < 0) return -1;
  }
  /* Another thread asked for the GIL: drop it and take it back (forced switching). */
  if (_Py_atomic_load_relaxed(&ceval2->gil_drop_request)) {
    PyThreadState *ts = PyEval_SaveThread();
    PyEval_RestoreThread(ts);
  }
  if (tstate->async_exc != NULL) {
    PyObject *exc = tstate->async_exc;
    tstate->async_exc = NULL;
    ceval2->pending.async_exc = 0;
    recompute_eval_breaker(interp);
    PyErr_SetNone(exc);
    Py_DECREF(exc);
    return -1;
  }
  return 0;
}

/* ---- frames and tracebacks ---------------------------------------------------------- */

PyObject *pj_frame_object(PjFrame *pf) {
  _PyInterpreterFrame *frame = (_PyInterpreterFrame *)pf;
  if (frame->frame_obj) return (PyObject *)frame->frame_obj;
  PyThreadState *tstate = _PyThreadState_GET();
  if (tstate->cframe->current_frame != frame) return NULL;
  return (PyObject *)PyEval_GetFrame(); /* creates and attaches the frame object */
}

void pj_add_traceback(PyThreadState *tstate, PjFrame *pf) {
  _PyInterpreterFrame *frame = (_PyInterpreterFrame *)pf;
  if (_PyFrame_IsIncomplete(frame)) return;
  PyObject *f = pj_frame_object(pf);
  if (f != NULL) PyTraceBack_Here((PyFrameObject *)f);
}
