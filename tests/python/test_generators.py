"""Generators whose bodies run compiled, against the interpreter.

The interpreter creates a generator (RETURN_GENERATOR); every next()/send() then enters the
generator's machine code at the point where it stopped, and YIELD_VALUE suspends it again.
throw() resumes in the interpreter up to the next yield; a throw() that ends a `yield from`
resumes the machine code at the SEND's target. Each test compares results, output,
exceptions and tracebacks with the interpreter (run_both), asserts that the generator
functions were compiled, and that their machine code really resumed them
(stats()['generator_resumes'] grew).
"""
import sys

import pytest

import pyjion_x64
from jitutil import assert_compiled, generator_resumes, run_both_resumed


def run_gen_test(func, *args, generators=(), min_resumes=1):
    return run_both_resumed(func, *args, compiled=generators, min_resumes=min_resumes)


# ---- next, send, return values ----------------------------------------------------------

def counter(n):
    total = 0
    for i in range(n):
        got = yield i * 2
        if got is not None:
            total += got
    return total


def drive_counter():
    out = [list(counter(5))]
    it = counter(4)
    out.append(next(it))
    out.append(it.send(10))
    out.append(it.send(20))
    out.append(it.send(None))
    try:
        it.send(3)
    except StopIteration as e:
        out.append(("returned", e.value))
    out.append(next(it, "exhausted"))
    try:
        counter(2).send(5)
    except TypeError as e:
        out.append(str(e))
    return out


def test_next_send_and_return_value():
    run_gen_test(drive_counter, generators=[counter], min_resumes=10)


def many_locals_and_stack(n):
    a, b, c = 1, 2.5, "s"
    for i in range(n):
        d = [a, b, c, i]
        # a yield in the middle of an expression: the stack below it survives the suspension
        e = (a + i, (yield d), c * (i % 3), (yield (b, i)))
        a += 1
        yield e


def drive_many_locals():
    g = many_locals_and_stack(4)
    out = [next(g)]
    for k in range(20):
        try:
            out.append(g.send(k))
        except StopIteration:
            out.append("done")
            break
    return out


def test_stack_and_locals_survive_suspension():
    run_gen_test(drive_many_locals, generators=[many_locals_and_stack], min_resumes=10)


# ---- yield from -----------------------------------------------------------------------------

def inner(n):
    for i in range(n):
        x = yield ("inner", i)
        if x == "stop":
            return ("stopped at", i)
    return ("inner done", n)


def outer():
    r1 = yield from inner(2)
    yield ("outer got", r1)
    r2 = yield from inner(5)
    yield ("outer got", r2)
    r3 = yield from [10, 20]
    yield ("list gave", r3)
    yield from range(3)
    yield from (x * x for x in range(3))


def drive_outer():
    g = outer()
    out = []
    for v in g:
        out.append(v)
        if v == ("inner", 1) and len(out) > 3:
            out.append(g.send("stop"))
    return out


def test_yield_from_generators_lists_and_genexps():
    run_gen_test(drive_outer, generators=[outer, inner], min_resumes=10)


def deep(n):
    if n == 0:
        yield "bottom"
        return "ret0"
    r = yield from deep(n - 1)
    yield (n, r)
    return "ret%d" % n


def test_deep_yield_from_chains():
    run_gen_test(lambda: list(deep(30)), generators=[deep], min_resumes=30)


async def a_coroutine():
    return 1


def yield_from_coroutine():
    coro = a_coroutine()
    try:
        yield from coro
    finally:
        coro.close()


def drive_yield_from_coroutine():
    try:
        return list(yield_from_coroutine())
    except TypeError as e:
        return str(e)


def test_yield_from_a_coroutine_is_refused_as_in_the_interpreter():
    run_gen_test(drive_yield_from_coroutine, generators=[yield_from_coroutine], min_resumes=1)


# ---- throw, close, finally ------------------------------------------------------------------

def guarded():
    try:
        yield 1
        yield 2
    except ValueError as e:
        got = yield ("caught", str(e))
        yield ("after catch", got)
    finally:
        print("finally runs")
    yield "after finally"


def drive_throw_close():
    out = []
    g = guarded()
    out.append(next(g))
    out.append(g.throw(ValueError("boom")))
    out.append(g.send("sent"))          # resumed by the machine code after the throw
    out.append(next(g))
    g.close()
    g2 = guarded()
    out.append(next(g2))
    try:
        g2.throw(KeyError("k"))
    except KeyError as e:
        out.append(("escaped", repr(e)))
    g3 = guarded()
    g3.close()                          # never started
    g4 = guarded()
    next(g4)
    del g4                              # closed by its destructor: finally runs now
    out.append("deleted")
    return out


def test_throw_close_and_finally():
    run_gen_test(drive_throw_close, generators=[guarded], min_resumes=3)


class Thrower:
    """An iterator with a throw method that ends the delegation with a value."""

    def __init__(self):
        self.n = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.n += 1
        return ("thrower", self.n)

    def throw(self, *args):
        raise StopIteration("thrown and returned")


def delegating():
    r = yield from inner(10)
    yield ("inner returned", r)
    r = yield from Thrower()
    yield ("thrower returned", r)
    yield "end"


def drive_throw_into_yield_from():
    g = delegating()
    out = [next(g), next(g)]
    try:
        g.throw(ValueError("into inner"))
    except ValueError as e:
        out.append(("inner did not catch", str(e)))
    g = delegating()
    out.append(next(g))
    out.append(g.send("stop"))          # inner returns: resumed after the yield from
    out.append(next(g))
    # the throw ends Thrower's delegation with a value: the generator goes on at the SEND's
    # target, resumed by the machine code
    out.append(g.throw(KeyError("x")))
    out.append(next(g))
    return out


def test_throw_into_yield_from_resumes_at_the_send_target():
    run_gen_test(drive_throw_into_yield_from, generators=[delegating, inner], min_resumes=4)


# ---- errors inside generators -----------------------------------------------------------------

def raises_inside(n):
    for i in range(n):
        yield 10 // (n - 1 - i)


def raises_stop_iteration():
    yield 1
    raise StopIteration("explicit")


def next_on_exhausted():
    it = iter([])
    yield 1
    yield next(it)


def drive_errors():
    out = []
    try:
        out.append(list(raises_inside(4)))
    except ZeroDivisionError as e:
        out.append(str(e))
    for gen in (raises_stop_iteration, next_on_exhausted):
        try:
            out.append(list(gen()))
        except RuntimeError as e:
            out.append((str(e), type(e.__cause__).__name__))
    return out


def test_exceptions_inside_generators():
    run_gen_test(drive_errors, generators=[raises_inside, raises_stop_iteration,
                                           next_on_exhausted], min_resumes=4)


def traceback_gen():
    yield 1
    yield {}["missing"]


def test_traceback_through_a_resumed_generator():
    exc = run_gen_test(lambda: list(traceback_gen()), generators=[traceback_gen])
    assert isinstance(exc, KeyError)


def exc_state_gen():
    try:
        raise ValueError("in generator")
    except ValueError:
        yield sys.exc_info()[0].__name__
        yield repr(sys.exc_info()[1])
    yield sys.exc_info()[0]


def drive_exc_state():
    out = []
    g = exc_state_gen()
    try:
        raise KeyError("in caller")
    except KeyError:
        out.append(next(g))
        out.append(sys.exc_info()[0].__name__)
        out.append(next(g))
    out.append(next(g))
    return out


def test_exception_state_is_the_generators_own():
    run_gen_test(drive_exc_state, generators=[exc_state_gen], min_resumes=2)


# ---- the generator object as seen from outside ------------------------------------------------

def introspected():
    x = 1
    y = yield "first"
    x += 1
    yield sys._getframe().f_back.f_code.co_name
    yield "last"


def drive_introspection():
    g = introspected()
    out = [g.gi_running, g.gi_suspended, g.gi_frame.f_lineno]
    out.append(next(g))
    out += [g.gi_running, g.gi_suspended, g.gi_frame.f_lineno, sorted(g.gi_frame.f_locals)]
    out.append(g.send("y"))
    out += [g.gi_frame.f_lineno, g.gi_frame.f_locals["x"], g.gi_frame.f_locals["y"]]
    out.append(next(g))
    out.append(next(g, "end"))
    out += [g.gi_frame, g.gi_running, g.gi_suspended]
    return out


def test_gi_frame_running_and_suspended():
    run_gen_test(drive_introspection, generators=[introspected], min_resumes=3)


def reentrant():
    yield next(me)


def drive_reentrant():
    global me
    me = reentrant()
    try:
        next(me)
    except ValueError as e:
        return str(e)


def test_generator_already_executing():
    run_gen_test(drive_reentrant, generators=[reentrant], min_resumes=1)


def gi_yieldfrom_gen():
    yield from inner(2)


def drive_gi_yieldfrom():
    g = gi_yieldfrom_gen()
    next(g)
    return [type(g.gi_yieldfrom).__name__, g.gi_yieldfrom.gi_frame.f_lineno, list(g)]


def test_gi_yieldfrom():
    run_gen_test(drive_gi_yieldfrom, generators=[gi_yieldfrom_gen], min_resumes=1)


# ---- generator expressions and consumers ----------------------------------------------------

def generator_expressions(n):
    data = list(range(n))
    k = 3
    return (sum(x * k for x in data), any(x > n - 2 for x in data),
            all(x >= 0 for x in data), max((x % 7, x) for x in data),
            list(y for x in data if x % 2 for y in (x, -x)),
            sorted({x % 5 for x in (v * v for v in data)}),
            "".join(str(x) for x in data[:5]))


def test_generator_expressions():
    run_gen_test(generator_expressions, 200, min_resumes=200)


class Noisy:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print("del", self.tag)


def holds_noisy(n):
    held = Noisy("held")
    try:
        for i in range(n):
            yield Noisy(i)
    finally:
        print("closing")
        del held


def drive_break():
    for item in holds_noisy(5):
        if item.tag == 2:
            break
    print("after break")
    return "ok"


def test_breaking_out_closes_at_the_interpreters_moment():
    run_gen_test(drive_break, generators=[holds_noisy], min_resumes=2)


# ---- the JIT switched on and off around a running generator -----------------------------------

def long_lived(n):
    for i in range(n):
        yield i


def test_generator_made_by_the_interpreter_resumed_by_the_jit():
    pyjion_x64.disable()
    g = long_lived(6)
    first = [next(g), next(g)]
    pyjion_x64.config(threshold=0)
    before = generator_resumes()
    pyjion_x64.enable()
    try:
        rest = list(g)
    finally:
        pyjion_x64.disable()
    assert first + rest == list(range(6))
    assert generator_resumes() - before >= 3
    assert_compiled(long_lived)


def traced_midway():
    yield 1
    sys.settrace(lambda *a: None)
    yield 2
    sys.settrace(None)
    yield 3


def test_tracing_switched_on_inside_a_generator():
    run_gen_test(lambda: list(traced_midway()), generators=[traced_midway], min_resumes=1)
