/* A PEP 523 frame evaluator that only calls CPython's own: installed by child.py in the
 * interpreted run, so that the baseline runs with a frame-evaluation hook like the JIT.
 *
 * With any hook installed, CPython 3.11 stops inlining Python-to-Python calls (CALL takes
 * PyObject_Vectorcall; CALL_PY_EXACT_ARGS, CALL_PY_WITH_DEFAULTS and BINARY_SUBSCR_GETITEM
 * deopt). That changes who owns call arguments: inlined, the callee frame steals them and
 * releases them when it is cleared; through vectorcall, the caller releases them after the
 * call returns. The order is visible through __del__. pyjion_x64 cannot inline (see
 * CPYTHON311.md, "Inlining is disabled"), so the fuzzer compares it with the interpreter
 * in the same configuration. Built by runner.py with the C compiler (cc).
 */
#include <Python.h>

static PyObject *passthrough(PyThreadState *tstate, struct _PyInterpreterFrame *frame,
                             int throwflag) {
    return _PyEval_EvalFrameDefault(tstate, frame, throwflag);
}

/* Called through ctypes.PyDLL (with the GIL held). 1 when installed. */
int progfuzz_install_passthrough(void) {
    PyInterpreterState *interp = PyInterpreterState_Get();
    _PyInterpreterState_SetEvalFrameFunc(interp, passthrough);
    return _PyInterpreterState_GetEvalFrameFunc(interp) == passthrough;
}
