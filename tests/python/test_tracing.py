"""Tracing and profiling: compiled functions hand their frames to the interpreter when
sys.settrace / sys.setprofile are active, including when tracing starts in the middle of
a compiled function (pdb.set_trace does that), so debuggers see the same events."""
import subprocess
import sys

import pytest

import pyjion_x64
from jitutil import assert_compiled, clone_function, jit_enabled


def _record(func, *args, start_inside=False):
    events = []

    def tracer(frame, event, arg):
        if frame.f_code.co_name in ("target", "inner"):
            events.append((frame.f_code.co_name, event, frame.f_lineno))
        return tracer

    def start():
        sys.settrace(tracer)
        sys._getframe(1).f_trace = tracer

    try:
        if start_inside:
            result = func(start, *args)
        else:
            sys.settrace(tracer)
            result = func(*args)
    finally:
        sys.settrace(None)
    return result, events


def inner(x):
    y = x + 1
    return y * 2


def target(n):
    total = 0
    for i in range(n):
        total += inner(i)
    return total


def target_starting_trace(start, n):
    total = 1
    start()
    for i in range(n):
        total += inner(i)
    total -= 1
    return total


target_starting_trace.__code__ = target_starting_trace.__code__.replace(co_name="target")


def test_settrace_before_call_matches_interpreter():
    with jit_enabled(0):
        target(2)                      # compile target and inner
    assert_compiled(target)
    assert_compiled(inner)
    want = _record(clone_function(target), 3)
    with jit_enabled(0):
        got = _record(target, 3)
    assert got == want
    assert want[1]  # events were recorded at all


def test_trace_started_inside_compiled_function():
    want = _record(clone_function(target_starting_trace), 3, start_inside=True)
    with jit_enabled(0):
        got = _record(target_starting_trace, 3, start_inside=True)
    assert_compiled(target_starting_trace)
    assert got == want
    assert any(e[0] == "target" and e[1] == "line" for e in got[1])


def test_setprofile_sees_calls_of_compiled_functions():
    def profile(func):
        calls = []

        def profiler(frame, event, arg):
            if event in ("call", "return") and frame.f_code.co_name in ("target", "inner"):
                calls.append((event, frame.f_code.co_name))

        sys.setprofile(profiler)
        try:
            func(2)
        finally:
            sys.setprofile(None)
        return calls

    want = profile(clone_function(target))
    with jit_enabled(0):
        target(1)
        got = profile(target)
    assert_compiled(target)
    assert got == want and len(want) == 6


def test_compiled_code_runs_again_after_tracing_stops():
    with jit_enabled(0):
        assert target(4) == sum((i + 1) * 2 for i in range(4))
        _record(target, 2)
        before = pyjion_x64.info(inner)["run_count"]
        assert target(4) == 20
        assert pyjion_x64.info(inner)["run_count"] == before + 4
    assert_compiled(target)


SNEAKY_FRAME = r'''
import gc, sys
HOOK_FIRST = sys.argv[1] == "hook-first"
if HOOK_FIRST:
    sys.addaudithook(lambda event, args: None)   # as regrtest does: audit events allocate
import pyjion_x64
pyjion_x64.config(threshold=0)
pyjion_x64.enable()
if not HOOK_FIRST:
    sys.addaudithook(lambda event, args: None)

def trace(frame, event, arg):
    pass

def main():
    sneaky = None
    def callback(phase, info):
        nonlocal sneaky
        sneaky = sys._getframe().f_back
        gc.callbacks.remove(callback)

    def f():
        while True:
            yield

    g = f()
    next(g)
    gc.disable()
    gc.collect()
    gc.set_threshold(1, 0, 0)
    sys.settrace(trace)          # the first trace of the process: the hook steps aside
    gc.callbacks.append(callback)
    gc.enable()
    next(g)
    sys.settrace(None)
    assert g.gi_frame is sneaky, (g.gi_frame, sneaky)
    assert pyjion_x64.info(f)["compiled"], pyjion_x64.info(f)

main()
assert pyjion_x64.info(main)["compiled"], pyjion_x64.info(main)
print("ok")
'''


@pytest.mark.parametrize("order", ["hook-first", "jit-first"])
def test_stepping_aside_for_a_tracer_allocates_nothing_mid_frame(order):
    # CPython's test_frame.test_sneaky_frame_object, in a fresh process so that this is the
    # first traced frame: the hook steps aside when a traced frame reaches it, and whatever
    # it allocated there could run the GC (and its callbacks) before the frame is linked.
    # A Python audit hook runs (and allocates) when any audit hook is added: ours is added
    # with the JIT when that hook came first, and never when it came after.
    proc = subprocess.run([sys.executable, "-c", SNEAKY_FRAME, order], capture_output=True,
                          text=True, timeout=60)
    assert proc.stdout == "ok\n", proc.stdout + proc.stderr


AUDIT_HOOK_ON_DEMAND = r'''
import sys, tempfile
import pyjion_x64
pyjion_x64.config(threshold=0)
pyjion_x64.enable()

def work(path):
    with open(path, "w") as f:          # audited events: open, and frame attributes below
        f.write("x")
    return sys._getframe().f_code.co_name

def trace(frame, event, arg):
    return None

with tempfile.NamedTemporaryFile() as tmp:
    assert work(tmp.name) == "work"
    assert pyjion_x64.info(work)["compiled"], pyjion_x64.info(work)
    print(pyjion_x64.stats()["audit_hook"])
    sys.settrace(trace)
    work(tmp.name)
    sys.settrace(None)
    print(pyjion_x64.stats()["audit_hook"])
    runs = pyjion_x64.info(work)["run_count"]
    work(tmp.name)
    print(pyjion_x64.info(work)["run_count"] - runs)
'''


def test_audit_hook_is_added_by_the_first_traced_frame():
    # Every audited operation builds its arguments once any audit hook exists; the hook's
    # own (which puts it back in front after tracing) is added only when tracing starts,
    # and compiled code runs again once tracing stops.
    proc = subprocess.run([sys.executable, "-c", AUDIT_HOOK_ON_DEMAND], capture_output=True,
                          text=True, timeout=60)
    assert proc.stdout.split() == ["False", "True", "1"], proc.stdout + proc.stderr
