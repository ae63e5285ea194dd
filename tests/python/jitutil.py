"""Differential test support: run the same function interpreted and compiled and compare.

    from jitutil import run_both, assert_compiled

    def f(a, b):
        return a + b
    run_both(f, 1, 2)        # same result/exception/output/traceback, and f was compiled

The interpreted run uses a deep copy of the function's code objects (so no JIT state is
shared) with the JIT disabled; the compiled run enables the JIT at threshold 0 and then
asserts that pyjion_x64.info(f)['compiled'] is True.
"""
import contextlib
import io
import sys
import traceback
import types

import pyjion_x64


def clone_code(code):
    """A fresh copy of code and of every code object nested in its constants."""
    consts = tuple(clone_code(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_consts=consts)


def clone_function(func):
    clone = types.FunctionType(clone_code(func.__code__), func.__globals__, func.__name__,
                               func.__defaults__, func.__closure__)
    clone.__kwdefaults__ = func.__kwdefaults__
    clone.__qualname__ = func.__qualname__
    return clone


def _outcome(func, args, kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            result = ("ok", func(*args, **kwargs))
        except BaseException as exc:  # compared below, never swallowed silently
            frames = [(f.name, f.lineno, f.line) for f in traceback.extract_tb(exc.__traceback__)]
            # the first frame is this helper calling func; the rest belong to the test code
            result = ("raised", type(exc), str(exc), frames[1:], exc)
    return result, out.getvalue()


def assert_compiled(func):
    info = pyjion_x64.info(func)
    assert info["compiled"], "%s was not compiled: %s" % (func.__qualname__, info["reason"])


@contextlib.contextmanager
def jit_enabled(threshold=0):
    old = pyjion_x64.config()["threshold"]
    was = pyjion_x64.is_enabled()
    pyjion_x64.config(threshold=threshold)
    pyjion_x64.enable()
    try:
        yield
    finally:
        pyjion_x64.config(threshold=old)
        if not was:
            pyjion_x64.disable()


def run_interpreted(func, *args, **kwargs):
    was = pyjion_x64.is_enabled()
    pyjion_x64.disable()
    try:
        return _outcome(clone_function(func), args, kwargs)
    finally:
        if was:
            pyjion_x64.enable()


def run_jit(func, *args, **kwargs):
    with jit_enabled(0):
        outcome = _outcome(func, args, kwargs)
    assert_compiled(func)
    return outcome


def run_both(func, *args, **kwargs):
    """Asserts identical behaviour interpreted vs compiled; returns the compiled result."""
    (want, want_out) = run_interpreted(func, *args, **kwargs)
    (got, got_out) = run_jit(func, *args, **kwargs)
    return _compare(want, want_out, got, got_out)


def generator_resumes():
    """How many times generators' and coroutines' machine code resumed them so far."""
    return pyjion_x64.stats()["generator_resumes"]


def run_both_resumed(func, *args, compiled=(), min_resumes=1):
    """run_both for code driving generators or coroutines: also asserts that their machine
    code resumed them at least min_resumes times and that every function in `compiled`
    was compiled."""
    before = generator_resumes()
    result = run_both(func, *args)
    assert generator_resumes() - before >= min_resumes
    for f in compiled:
        assert_compiled(f)
    return result


def run_both_warm(func, warm_args, *args, **kwargs):
    """run_both on warm code: two fresh copies of func are first called 50 times with
    warm_args in the plain interpreter (the JIT off), so that CPython quickens and
    specialises both; then one copy runs interpreted (its specialised instructions) and
    the other is compiled at threshold 0 (with those instructions as type feedback)."""
    interp, jit = clone_function(func), clone_function(func)
    was = pyjion_x64.is_enabled()
    pyjion_x64.disable()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for _ in range(50):
                interp(*warm_args)
                jit(*warm_args)
        (want, want_out) = _outcome(interp, args, kwargs)
    finally:
        if was:
            pyjion_x64.enable()
    with jit_enabled(0):
        (got, got_out) = _outcome(jit, args, kwargs)
    assert_compiled(jit)
    return _compare(want, want_out, got, got_out)


def _compare(want, want_out, got, got_out):
    assert got_out == want_out, "printed output differs:\ninterpreted:\n%s\ncompiled:\n%s" % (want_out, got_out)
    assert got[0] == want[0], "interpreted %r, compiled %r" % (want, got)
    if want[0] == "ok":
        assert type(got[1]) is type(want[1])
        assert _same_value(got[1], want[1]), "interpreted %r, compiled %r" % (want[1], got[1])
        return got[1]
    assert got[1] is want[1], "exception type: interpreted %r, compiled %r" % (want[1], got[1])
    assert got[2] == want[2], "message: interpreted %r, compiled %r" % (want[2], got[2])
    assert got[3] == want[3], "traceback: interpreted %r, compiled %r" % (want[3], got[3])
    return got[4]


def _same_value(a, b):
    if isinstance(a, float) and a != a:
        return b != b
    return a == b
