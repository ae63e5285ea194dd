"""Generators and coroutines made and resumed by compiled code itself, against the
interpreter.

When compiled code calls a compiled generator or coroutine function, the call makes the
generator object and its frame as RETURN_GENERATOR would (stats()['generators_made']); a
`for` loop over a generator and an `await` / `yield from` resume it straight into its
machine code, settling it as genobject.c's gen_send_ex2 does
(stats()['direct_resumes']). Each test compares results, output, exceptions and tracebacks
with the interpreter (run_both), asserts that the functions were compiled, and that the
direct paths really ran (the counters grew by at least what the test's loops need).
"""
import gc
import inspect
import sys
import types
import warnings
import weakref

import pyjion_x64
from jitutil import assert_compiled, jit_enabled, run_both


def counters():
    s = pyjion_x64.stats()
    return s["generators_made"], s["direct_resumes"]


def run_direct_test(func, *args, compiled=(), min_made=0, min_direct=0):
    made, direct = counters()
    result = run_both(func, *args)
    now_made, now_direct = counters()
    assert now_made - made >= min_made, "generators made directly: %d" % (now_made - made)
    assert now_direct - direct >= min_direct, "direct resumes: %d" % (now_direct - direct)
    for f in compiled:
        assert_compiled(f)
    return result


# ---- generators made by direct calls ----------------------------------------------------

def with_defaults(n, step=2, start=0):
    for i in range(start, n, step):
        yield i


def closes_over(n):
    scale = n + 1

    def inner():
        return scale
    return (x * scale + inner() for x in range(n))


def argument_in_a_cell(a):
    get = lambda: a
    yield get()
    a = a * 10
    yield get()


def make_many(rounds):
    out = []
    for r in range(rounds):
        out.append(list(with_defaults(r)))
        out.append(list(with_defaults(r, 3)))
        out.append(list(with_defaults(r, 1, r // 2)))
        out.append(sum(closes_over(r)))
        out.append(list(argument_in_a_cell(r)))
        for x in with_defaults(r, 2, 1):
            out.append(x)
    return out


def test_generators_made_by_direct_calls():
    # each generator function is compiled at its first call and made directly from then on
    run_direct_test(make_many, 30, compiled=[make_many, with_defaults, argument_in_a_cell],
                    min_made=100, min_direct=100)


def created(a, b=5):
    c = a + b
    yield c
    yield sys._getframe().f_back.f_code.co_name


def drive_created():
    out = []
    for k in range(3):
        g = created(k)
        out += [g.__name__, g.__qualname__, g.gi_code is created.__code__,
                inspect.getgeneratorstate(g), g.gi_running, g.gi_suspended,
                g.gi_frame.f_lineno, g.gi_frame.f_back, sorted(g.gi_frame.f_locals.items()),
                g.gi_yieldfrom]
        try:
            g.send(k)
        except TypeError as e:
            out.append(str(e))
        ref = weakref.ref(g)
        out.append(next(g))
        out.append(next(g))
        out.append(inspect.getgeneratorstate(g))
        g.close()
        out.append(inspect.getgeneratorstate(g))
        del g
        gc.collect()
        out.append(ref())
    unstarted = created(1)
    unstarted.close()
    out += [inspect.getgeneratorstate(unstarted), unstarted.gi_frame, next(unstarted, "done")]
    return out


def test_a_generator_made_directly_looks_made_by_the_interpreter():
    run_direct_test(drive_created, compiled=[drive_created, created], min_made=3)


def renamed_gen():
    yield 1


def drive_renamed():
    renamed_gen.__qualname__ = "Other.renamed"
    renamed_gen.__name__ = "renamed"
    try:
        out = []
        for _ in range(2):  # compiled at the first call, made directly by the second
            g = renamed_gen()
            out.append([g.__name__, g.__qualname__, repr(g).split(" at ")[0], list(g)])
        return out
    finally:
        renamed_gen.__qualname__ = "renamed_gen"
        renamed_gen.__name__ = "renamed_gen"


def test_a_generator_takes_its_functions_names():
    run_direct_test(drive_renamed, min_made=1)


def gen_a():
    yield "a"


def gen_b(x=1):
    yield "b%d" % x


def plain_function():
    return "plain"


def drive_replaced(target):
    out = []
    for k in range(4):
        if k == 1:
            target.__defaults__ = (7,)
        if k == 2:
            target.__code__ = gen_a.__code__
        if k == 3:
            target.__code__ = plain_function.__code__
            target.__defaults__ = None
        g = target()
        out.append(g if isinstance(g, str) else list(g))
    return out


def test_defaults_and_code_replaced_between_calls():
    f1 = types.FunctionType(gen_b.__code__, globals(), "f", (1,))
    f2 = types.FunctionType(gen_b.__code__, globals(), "f", (1,))
    made, _ = counters()
    want = drive_replaced(f1)
    assert want == [["b1"], ["b7"], ["a"], "plain"]
    pyjion_x64.config(threshold=0)
    pyjion_x64.enable()
    try:
        drive_replaced(types.FunctionType(gen_b.__code__, globals(), "g", (1,)))
        got = drive_replaced(f2)
    finally:
        pyjion_x64.disable()
    assert got == want
    assert counters()[0] - made >= 2
    assert_compiled(drive_replaced)


# ---- coroutines made by direct calls ------------------------------------------------------

async def co_add(a, b=1):
    return a + b


async def co_outer(n):
    total = 0
    for i in range(n):
        total += await co_add(i)
        total += await co_add(i, 10)
    return total


def run_co(coro):
    try:
        coro.send(None)
    except StopIteration as e:
        return e.value
    raise AssertionError("the coroutine suspended")


def test_coroutines_made_and_awaited_directly():
    result = run_direct_test(lambda: run_co(co_outer(50)), compiled=[co_outer, co_add],
                             min_made=90, min_direct=90)
    assert result == sum(2 * i + 11 for i in range(50))


def never_awaited():
    caught = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for i in range(3):
            c = co_add(i)
            caught.append((c.__qualname__, inspect.getcoroutinestate(c)))
            del c
            gc.collect()
        caught += [(type(x.message).__name__, str(x.message)) for x in w]
    return caught


def test_a_coroutine_made_directly_and_never_awaited_warns():
    result = run_direct_test(never_awaited, compiled=[never_awaited], min_made=3)
    assert ("RuntimeWarning", "coroutine 'co_add' was never awaited") in result


def tracked_origins():
    old = sys.get_coroutine_origin_tracking_depth()
    sys.set_coroutine_origin_tracking_depth(2)
    try:
        c = co_add(1)
        origin = [(name, line) for (_, line, name) in c.cr_origin]
        c.close()
    finally:
        sys.set_coroutine_origin_tracking_depth(old)
    c = co_add(2)
    untracked = c.cr_origin
    c.close()
    return origin, untracked


def test_coroutine_origins_are_recorded_when_tracked():
    origin, untracked = run_direct_test(tracked_origins, compiled=[tracked_origins], min_made=1)
    assert origin[0][0] == "tracked_origins" and untracked is None


# ---- generators resumed directly by for loops --------------------------------------------

def returns_value(n):
    for i in range(n):
        yield i
    return "value"


def stops_explicitly():
    yield 1
    raise StopIteration("inside")


def fails_later(n):
    for i in range(n):
        yield 10 // (n - 1 - i)


def caller_name():
    while True:
        yield sys._getframe(1).f_code.co_name


def drive_for_loops():
    out = []
    for x in returns_value(3):
        out.append(x)
    for _ in range(2):
        try:
            for x in stops_explicitly():
                out.append(x)
        except RuntimeError as e:
            out.append((str(e), repr(e.__cause__)))
    try:
        for x in fails_later(3):
            out.append(x)
    except ZeroDivisionError as e:
        out.append(str(e))
    for name in caller_name():
        out.append(name)
        if len(out) > 12:
            break
    return out


def test_for_loops_resume_generators_directly():
    run_direct_test(drive_for_loops, compiled=[drive_for_loops, returns_value, fails_later],
                    min_direct=10)


def failing_deep():
    yield 1
    yield {}["missing"]


def test_traceback_through_a_directly_resumed_generator():
    def consume():
        total = []
        for x in failing_deep():
            total.append(x)
        return total
    exc = run_direct_test(consume, min_direct=2)
    assert isinstance(exc, KeyError)


def yields_exc_info():
    try:
        raise ValueError("generator's")
    except ValueError:
        yield repr(sys.exc_info()[1])
        yield repr(sys.exc_info()[1])
    yield repr(sys.exc_info()[1])


def drive_exc_info():
    out = []
    try:
        raise KeyError("caller's")
    except KeyError:
        for x in yields_exc_info():
            out.append(x)
            out.append(repr(sys.exc_info()[1]))
    out.append(sys.exc_info())
    return out


def test_exception_state_across_direct_resumes():
    run_direct_test(drive_exc_info, compiled=[yields_exc_info], min_direct=3)


def nested(depth):
    if depth == 0:
        yield 0
        return
    for x in nested(depth - 1):
        yield x + 1


def drive_nested(depth, limit):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        return [x for x in nested(depth)]
    except RecursionError as e:
        return str(e)
    finally:
        sys.setrecursionlimit(old)


def test_nested_generators_and_the_recursion_limit():
    run_direct_test(drive_nested, 100, 1000, compiled=[nested], min_made=90, min_direct=90)
    assert "recursion" in run_direct_test(drive_nested, 300, 200)


def reenters():
    for x in me_gen:
        yield x


def drive_reenters():
    global me_gen
    me_gen = reenters()
    try:
        for x in me_gen:
            pass
    except ValueError as e:
        return str(e)


def test_a_generator_looping_over_itself():
    run_direct_test(drive_reenters, compiled=[reenters], min_direct=1)


# ---- generators that C code iterates (PyGen_Type's tp_iternext while the JIT is on) -------

def squares(n):
    for i in range(n):
        yield i * i


def self_next():
    yield next(me_too)


def drive_c_consumers(n):
    """Generators and generator expressions consumed by builtins written in C: sum, list,
    tuple, sorted, str.join, any/all (stopping early), min/max, dict, zip and enumerate
    pulling from them, next() with and without a default, a returned value
    (StopIteration.value), StopIteration raised inside (RuntimeError), an exception out of
    sum() with its traceback, and a generator that calls next() on itself."""
    global me_too
    out = [sum(squares(n)), list(squares(n)), tuple(x + 1 for x in squares(n)),
           sorted(squares(n), reverse=True), ",".join(str(x) for x in squares(n)),
           any(x > 4 for x in squares(n)), all(x < 4 for x in squares(n)),
           min(squares(n)), max(x for x in squares(n)), dict((x, -x) for x in squares(n)),
           list(zip(squares(n), (c for c in "abcdef"))), list(enumerate(squares(3))),
           sum(sum(squares(k)) for k in range(n))]
    g = returns_value(2)
    out.append([next(g), next(g), next(g, "default")])
    g = returns_value(1)
    next(g)
    try:
        next(g)
    except StopIteration as e:
        out.append(("stop", e.value))
    try:
        list(stops_explicitly())
    except RuntimeError as e:
        out.append((str(e), repr(e.__cause__)))
    try:
        sum(fails_later(3))
    except ZeroDivisionError as e:
        import traceback
        out.append([(f.name, f.line) for f in traceback.extract_tb(e.__traceback__)])
    me_too = self_next()
    try:
        list(me_too)
    except ValueError as e:
        out.append(str(e))
    g = squares(n)
    out.append((next(g), g.gi_running, g.gi_suspended, list(g), g.gi_frame))
    return out


def test_generators_iterated_by_c_code_resume_directly():
    run_direct_test(drive_c_consumers, 6, compiled=[drive_c_consumers, squares, returns_value, fails_later],
                    min_direct=60)


def test_generators_iterate_alike_with_the_jit_on_and_off():
    g = squares(3)
    with_jit = type(g).__next__
    with jit_enabled(0):
        sum(squares(4))
        direct = counters()[1]
        assert sum(squares(4)) == 14
        assert counters()[1] > direct
        assert_compiled(squares)
    pyjion_x64.disable()  # (the hook stays while a @jit function forces it)
    assert sum(squares(4)) == 14
    assert type(g).__next__ is with_jit and list(g) == [0, 1, 4]


# ---- coroutines and delegating generators resumed directly by SEND ------------------------

async def co_stops():
    raise StopIteration("in coroutine")


async def co_fails(n):
    await co_add(n)
    return {}[n]


async def awaits_errors():
    out = []
    for _ in range(2):
        try:
            await co_stops()
        except RuntimeError as e:
            out.append((str(e), repr(e.__cause__)))
    try:
        await co_fails(3)
    except KeyError as e:
        out.append(repr(e))
    return out


def test_errors_out_of_directly_awaited_coroutines():
    run_direct_test(lambda: run_co(awaits_errors()), compiled=[awaits_errors, co_fails],
                    min_direct=3)


def sub(n):
    got = []
    for i in range(n):
        got.append((yield i))
    return got


def delegates(n):
    result = yield from sub(n)
    yield ("sub returned", result)


def drive_delegation():
    g = delegates(3)
    out = [next(g)]
    for v in "abc":
        out.append(g.send(v))
    out.append(next(g, "end"))
    return out


def test_yield_from_resumes_directly():
    run_direct_test(drive_delegation, compiled=[delegates, sub], min_direct=4)
