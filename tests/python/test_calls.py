"""Call family: LOAD_METHOD, KW_NAMES, PRECALL, CALL, CALL_FUNCTION_EX, MAKE_FUNCTION,
LOAD_BUILD_CLASS, GET_LEN, PRINT_EXPR, SETUP_ANNOTATIONS, IMPORT_NAME/FROM/STAR.

Every behaviour runs interpreted and compiled (run_both, which also asserts that the
function was compiled); module and class bodies are exec'd with the JIT on at threshold 0
and their code objects checked with pyjion_x64.info."""
import _thread
import contextlib
import dis
import functools
import io
import os
import signal
import sys
import types

import pytest

import pyjion_x64
from jitutil import assert_compiled, jit_enabled, run_both, run_interpreted, run_jit


# ---- positional, keyword, defaults, kwonly, *args, **kwargs -------------------------------

def target(a, b=2, *args, c, d=4, **kw):
    return (a, b, args, c, d, sorted(kw.items()))


def posonly(a, b, /, c=3):
    return (a, b, c)


def call_forms():
    return [
        target(1, c=3),
        target(1, 2, 3, 4, c=5, e=6),
        target(a=1, c=2),
        target(1, c=2, d=5, z=9, y=8),
        target(*(1, 2, 3), c=4),
        target(1, *[2, 3], *(4,), c=5, **{"q": 1}),
        target(**{"a": 1, "c": 2}),
        posonly(1, 2),
        posonly(1, 2, c=7),
        posonly(*"ab"),
    ]


def test_argument_binding_forms():
    run_both(call_forms)


def call_many_args(f):
    return f(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, k1=1, k2=2, k3=3)


def test_many_positional_and_keyword_args():
    def collect(*args, **kwargs):
        return args, kwargs
    run_both(call_many_args, collect)


def two(a, b):
    return a + b


def kwonly(*, x):
    return x


def call_missing():
    return two(1)


def call_too_many():
    return two(1, 2, 3)


def call_unexpected_kw():
    return two(1, 2, z=3)


def call_dup_kw():
    return two(1, a=2)


def call_kwonly_positional():
    return kwonly(1)


def call_posonly_as_kw():
    return posonly(1, b=2)


@pytest.mark.parametrize("caller", [call_missing, call_too_many, call_unexpected_kw,
                                    call_dup_kw, call_kwonly_positional, call_posonly_as_kw])
def test_wrong_arguments_messages(caller):
    exc = run_both(caller)
    assert isinstance(exc, TypeError)


def call_builtin_wrong():
    return len(1, 2)


def call_not_callable(x):
    return x(1)


def call_method_not_callable(o):
    return o.attr()


class HasAttr:
    attr = 5


def test_builtin_and_non_callable_errors():
    assert isinstance(run_both(call_builtin_wrong), TypeError)
    assert isinstance(run_both(call_not_callable, 3), TypeError)
    assert isinstance(run_both(call_not_callable, None), TypeError)
    assert isinstance(run_both(call_method_not_callable, HasAttr()), TypeError)


def call_missing_method(o):
    return o.no_such_method(1)


def test_missing_method_attribute_error():
    exc = run_both(call_missing_method, [1, 2])
    assert isinstance(exc, AttributeError)
    assert "no_such_method" in str(exc)
    run_both(call_missing_method, HasAttr())


# ---- CALL_FUNCTION_EX ---------------------------------------------------------------------

def star_call(f, a):
    return f(*a)


def star_star_call(f, a, k):
    return f(*a, **k)


def gen3():
    # A user-defined iterator class, not a generator (generators are another family).
    class It:
        def __init__(self):
            self.i = 0

        def __iter__(self):
            return self

        def __next__(self):
            self.i += 1
            if self.i > 3:
                raise StopIteration
            return self.i
    return It()


def collect_args(*a):
    return a


@pytest.mark.parametrize("args", [(1, 2, 3), [1, 2, 3], "abc", range(3), {1: 2, 3: 4}])
def test_star_args_kinds(args):
    run_both(star_call, collect_args, args)


def test_star_args_iterator():
    # Each run needs its own iterator, so the two runs are made separately.
    want = run_interpreted(star_call, collect_args, gen3())
    got = run_jit(star_call, collect_args, gen3())
    assert got == want == (("ok", (1, 2, 3)), "")


@pytest.mark.parametrize("bad", [1, None, 2.5])
def test_star_args_not_iterable_message(bad):
    exc = run_both(star_call, two, bad)
    assert "argument after * must be an iterable" in str(exc)
    exc = run_both(star_star_call, two, bad, {})
    assert "argument after * must be an iterable" in str(exc)


def test_star_args_iterator_raising():
    class Bad:
        def __iter__(self):
            raise ValueError("no iteration today")
    exc = run_both(star_call, two, Bad())
    assert isinstance(exc, ValueError)


@pytest.mark.parametrize("kw", [{"b": 2}, {}, {"b": 2, "c": 3}])
def test_star_star_kwargs(kw):
    run_both(star_star_call, two, (1,), kw)


def test_star_star_errors():
    assert isinstance(run_both(star_star_call, two, (1,), 5), TypeError)
    assert isinstance(run_both(star_star_call, two, (1,), {"a": 2}), TypeError)
    assert isinstance(run_both(star_star_call, two, (1,), {1: 2}), TypeError)


def _kwargs_passthrough_variant():
    """star_star_call with its BUILD_MAP/DICT_MERGE replaced by a plain LOAD_FAST, so the
    non-dict kwargs reach CALL_FUNCTION_EX itself (only its own code converts them then)."""
    def passthrough(f, a, k):
        return f(*a, **k)
    code = passthrough.__code__
    raw = bytearray(code.co_code)
    ops = list(dis.get_instructions(code))
    build = next(i for i in ops if i.opname == "BUILD_MAP")
    load_k = next(i for i in ops if i.opname == "LOAD_FAST" and i.argval == "k")
    merge = next(i for i in ops if i.opname == "DICT_MERGE")
    assert load_k.offset == build.offset + 2 and merge.offset == build.offset + 4
    raw[build.offset:build.offset + 6] = bytes([dis.opmap["LOAD_FAST"], load_k.arg,
                                                dis.opmap["NOP"], 0, dis.opmap["NOP"], 0])
    return types.FunctionType(code.replace(co_code=bytes(raw)), globals(), "passthrough")


class Mapping:
    def __init__(self, d):
        self.d = d

    def keys(self):
        return list(self.d)

    def __getitem__(self, k):
        return self.d[k]


def test_call_function_ex_converts_non_dict_kwargs():
    f = _kwargs_passthrough_variant()
    assert run_both(f, two, (1,), Mapping({"b": 5})) == 6
    exc = run_both(f, two, (1,), 7)  # format_kwargs_error: not a mapping
    assert "argument after ** must be a mapping, not int" in str(exc)

    class DupKeys(Mapping):
        def keys(self):
            return ["b", "b"]
    exc = run_both(f, two, (1,), DupKeys({"b": 5}))  # format_kwargs_error: KeyError
    assert "got multiple values for keyword argument 'b'" in str(exc)


def star_site_binding(n):
    """One f(*args) / f(*args, **{}) site over callees whose parameters are not all
    positional (bound as a call with those arguments would: *args, **kwargs, keyword-only
    defaults, replaced __kwdefaults__ and __defaults__), a bound method, a generator
    function, a required keyword-only parameter left out and too many arguments."""
    def kwonly_default(a, b=2, *, c=3):
        return ("kwonly_default", a, b, c)

    def varargs(a, *rest, d=4, **kw):
        return ("varargs", a, rest, d, kw)

    def required_kwonly(a, *, must):
        return ("required", a, must)

    def gen(*xs):
        yield from xs

    class K:
        def m(self, x, *more, scale=10):
            return ("m", x * scale, more)

    k = K()
    callees = [kwonly_default, varargs, k.m]
    out = []
    for i in range(n):
        if i == n // 2:
            kwonly_default.__kwdefaults__ = {"c": "new c"}
            kwonly_default.__defaults__ = ("new b",)
        f = callees[i % 3]
        args = (i,) if i % 2 else (i, i + 1, i + 2)[: 2 if f is kwonly_default else 3]
        out.append(f(*args))
        out.append(f(*args, **{}))
    out.append(list(gen(*(1, 2, 3))))
    for f, args in ((required_kwonly, (1,)), (kwonly_default, (1, 2, 3))):
        try:
            f(*args)
        except TypeError as e:
            out.append(str(e))
    return out


def test_star_calls_bind_keyword_only_and_varargs_directly():
    run_both(star_site_binding, 24)


def test_star_call_refcounts():
    args = (object(), object())
    kw = {"b": object()}
    f = lambda a, b: None  # noqa: E731
    with jit_enabled(0):
        before = [sys.getrefcount(x) for x in (args, kw) + args + (kw["b"],)]
        kwonly = lambda a, *rest, b=None: None  # noqa: E731
        for _ in range(500):
            star_call(f, args)
            star_star_call(f, args[:1], kw)
            star_call(f, list(args))
            star_call(kwonly, args)
        after = [sys.getrefcount(x) for x in (args, kw) + args + (kw["b"],)]
    assert before == after
    assert_compiled(star_call)
    assert_compiled(star_star_call)


# ---- methods ------------------------------------------------------------------------------

class Point:
    count = 0

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y

    def scaled(self, k, *, offset=0):
        return Point(self.x * k + offset, self.y * k + offset)

    @classmethod
    def origin(cls):
        return cls(0, 0)

    @staticmethod
    def add(a, b):
        return a + b

    def __call__(self, z):
        return (self.x, self.y, z)

    def __repr__(self):
        return "Point(%r, %r)" % (self.x, self.y)

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


def method_forms(p):
    bound = p.norm2
    unbound = Point.norm2
    out = [p.norm2(), bound(), unbound(p), p.scaled(2), p.scaled(2, offset=1),
           Point.origin(), p.origin(), Point.add(1, 2), p.add(3, 4), p(5), Point(7, 8)]
    out.append(Point.scaled(p, 3, offset=2))
    out.append(getattr(p, "scaled")(1))
    return out


def test_method_forms():
    run_both(method_forms, Point(3, 4))


def builtin_methods(n):
    lst = []
    for i in range(n):
        lst.append(i)
    lst.extend([10, 11])
    s = ",".join(str(x) for x in []) + "-".join(["a", "b", str(n)])
    d = {}
    d.setdefault("k", []).append(1)
    append = lst.append
    append(99)
    return lst, s, d, "abc".upper(), "a b c".split(), str.upper("x"), [3, 1, 2].index(2)


def test_builtin_methods():
    run_both(builtin_methods, 4)


def bound_method_objects(p):
    m = p.scaled          # a PyMethod: PRECALL unpacks it into [function, self]
    meths = [p.norm2, p.scaled]
    return m(2), m(2, offset=1), meths[0](), meths[1](3, offset=4)


def test_bound_method_objects_are_unpacked():
    run_both(bound_method_objects, Point(1, 2))


def test_bound_method_refcounts():
    p = Point(1, 2)
    m = p.norm2
    with jit_enabled(0):
        before = (sys.getrefcount(p), sys.getrefcount(m), sys.getrefcount(Point.norm2))
        for _ in range(1000):
            call_not_callable_ok(m)
            method_only(p)
        after = (sys.getrefcount(p), sys.getrefcount(m), sys.getrefcount(Point.norm2))
    assert before == after
    assert_compiled(call_not_callable_ok)
    assert_compiled(method_only)


def call_not_callable_ok(f):
    return f()


def method_only(p):
    return p.norm2()


# ---- callables: classes, __call__, lambdas, decorators, closures ------------------------

def counting(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return fn(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


@counting
def decorated(a, b=10):
    return a * b


def callables():
    sq = lambda x, y=2: x ** y  # noqa: E731
    out = [sq(3), sq(2, y=5), (lambda *a, **k: (a, k))(1, z=2)]
    out.append(decorated(3))
    out.append(decorated(3, b=4))
    out.append(Point(1, 2)(3))
    out.append(int("42"))
    out.append(dict(a=1, b=2))
    out.append(type("T", (), {"v": 1})().v)
    return out


def test_callables():
    run_both(callables)


def make_adder(n):
    def adder(x):
        def inner(y):
            return x + y + n
        return inner
    return adder


def closures():
    return make_adder(1)(2)(3), [make_adder(i)(i)(i) for i in range(4)]


def test_closures_returning_closures():
    run_both(closures)
    assert_compiled(make_adder)


def make_function_forms():
    def f(a, b=1, *args, c=2, d, **kw) -> int:
        return a
    x = 5

    def g(y: "ann" = x):
        return x + y
    return (f.__defaults__, f.__kwdefaults__, f.__annotations__, f.__qualname__, f.__name__,
            g.__defaults__, g.__annotations__, g(), g.__closure__ is not None,
            (lambda: 0).__qualname__, f.__code__ is make_function_forms.__code__.co_consts[1],
            f.__globals__ is globals(), f.__module__)


def test_make_function_attributes():
    run_both(make_function_forms)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def test_recursion_fib():
    assert run_both(fib, 20) == 6765
    assert_compiled(fib)


def runaway(n):
    return runaway(n + 1)


def runaway_kw(n, *, step=1):
    return runaway_kw(n=n + step, step=step)


@pytest.mark.parametrize("fn", [runaway, runaway_kw])
def test_recursion_limit_through_calls(fn):
    exc = run_both(fn, 0)
    assert isinstance(exc, RecursionError)


def deep(n):
    if n == 0:
        raise ValueError("bottom")
    return deep(n - 1)


def test_exception_through_compiled_frames_traceback():
    exc = run_both(deep, 5)
    assert isinstance(exc, ValueError)


def level3(x):
    return 1 / x


def level2(x):
    y = x - 1
    return level3(y) + 1


def level1(x):
    return [level2(x)]


def test_traceback_lines_across_frames():
    exc = run_both(level1, 1)
    assert isinstance(exc, ZeroDivisionError)
    names = [f.name for f in __import__("traceback").extract_tb(exc.__traceback__)]
    assert names[-3:] == ["level1", "level2", "level3"]


# ---- Python functions called from C (their vectorcall goes to the machine code) -------------

def negate(x):
    return -x


def pair_up(a, b=10):
    return (a, b)


def fails_at_three(x):
    if x == 3:
        raise KeyError(x)
    return x * 2


class Slots:
    """Type slots that call Python methods from C: __init__, __eq__, __hash__, __repr__,
    __lt__ (sorting), __getitem__ (iteration by index)."""
    def __init__(self, v):
        self.v = v

    def __eq__(self, other):
        return isinstance(other, Slots) and self.v == other.v

    def __hash__(self):
        return hash(self.v) & 7

    def __repr__(self):
        return "Slots(%d)" % self.v

    def __lt__(self, other):
        return self.v > other.v

    def __getitem__(self, i):
        if i >= self.v:
            raise IndexError(i)
        return i * self.v


def called_from_c(n):
    """Every kind of C caller, several calls each (the first through _PyEval_Vector, the
    rest straight to the compiled code), positional and with defaults; then an exception
    raised inside a function that map() calls, with its traceback."""
    import functools
    import re
    data = list(range(n))
    objs = list(map(Slots, data))
    out = [list(map(negate, data)), sorted(data, key=negate), list(filter(lambda x: x % 2, data)),
           min(data, key=negate), max(data, key=negate), functools.reduce(pair_up, data),
           list(map(pair_up, data)), list(map(pair_up, data, data)), len(set(objs)),
           sorted(objs), repr(objs), list(objs[3]), objs.index(Slots(2)), Slots(1) in objs,
           re.sub(r"\d", lambda m: str(negate(int(m.group()))), "a1b2c3"),
           functools.partial(pair_up, b=5)(1), functools.partial(pair_up, 7)(),
           [f(2) for f in map(lambda k: lambda x: x + k, data)]]
    try:
        out.append(list(map(fails_at_three, data)))
    except KeyError as e:
        import traceback
        out.append([(f.name, f.line) for f in traceback.extract_tb(e.__traceback__)])
    return out


def kw_binder(a, b=2, *rest, c, d=4, **extra):
    return (a, b, rest, c, d, sorted(extra.items()))


class KwInit:
    def __init__(self, a, *, b=2):
        self.v = (a, b)


class CallMeta(type):
    def __call__(cls, v, *, scale=1):
        return ("meta call", cls.__name__, v * scale)


class Metered(metaclass=CallMeta):
    pass


def called_from_c_with_keywords(n):
    """C callers passing keywords, or calling functions with *args, **kwargs or keyword-only
    parameters: functools.partial, a class's __init__ through type_call, a metaclass's
    __call__, dataclasses.replace; wrong keywords raise the interpreter's TypeError."""
    import dataclasses
    import functools

    @dataclasses.dataclass
    class P:
        x: int
        y: int = 0

    out = []
    for i in range(n):
        out.append(functools.partial(kw_binder, c=i)(1))
        out.append(functools.partial(kw_binder, 1, 2, 3, c=i, z=5)(d=6, w=7))
        out.append(list(map(functools.partial(KwInit, b=i), range(3)))[2].v)
        out.append((KwInit(i).v, Metered(i), Metered(i, scale=3), repr(dataclasses.replace(P(i), y=i + 1))))
        for bad in ({"e": 1}, {"a": 1}, {}):
            try:
                out.append(functools.partial(kw_binder, 0, **bad)())
            except TypeError as e:
                out.append(str(e))
    return out


def test_python_functions_called_from_c_with_keywords():
    for _ in range(2):
        run_both(called_from_c_with_keywords, 4)
    for fn in (kw_binder, KwInit.__init__, CallMeta.__call__):
        assert_compiled(fn)


def calls_from_c():
    return pyjion_x64.stats()["calls_from_c"]


def test_python_functions_called_from_c():
    run_both(called_from_c, 6)
    before = calls_from_c()
    for _ in range(2):
        run_both(called_from_c, 6)
    for fn in (negate, pair_up, fails_at_three, Slots.__init__, Slots.__eq__, Slots.__lt__):
        assert_compiled(fn)
    # the later runs' calls from C went straight to the machine code
    assert calls_from_c() - before >= 2 * 6 * 5


async def coro_plus_one(x):
    return x + 1


def coroutines_made_from_c(n, depth, direct):
    """A compiled coroutine function called from C (map) while coroutine origins are
    tracked (asyncio's debug mode): the interpreter makes the coroutines and records their
    origins, as without the JIT; with tracking off the calls are direct again (how many:
    appended to `direct`)."""
    sys.set_coroutine_origin_tracking_depth(depth)
    try:
        before = calls_from_c()
        coros = list(map(coro_plus_one, range(n)))
        direct.append(calls_from_c() - before)
    finally:
        sys.set_coroutine_origin_tracking_depth(0)
    out = []
    for c in coros:
        origin = c.cr_origin
        out.append(None if origin is None else [(name, line) for _, line, name in origin])
        try:
            c.send(None)
        except StopIteration as e:
            out.append(e.value)
    return out


def test_coroutines_made_from_c_while_origins_are_tracked():
    direct = []
    run_both(coroutines_made_from_c, 3, 0, direct)
    assert_compiled(coro_plus_one)
    assert run_both(coroutines_made_from_c, 3, 2, direct)[0] is not None  # origins recorded
    assert direct[-1] == 0
    run_both(coroutines_made_from_c, 3, 0, direct)
    assert direct[-1] == 3  # the compiled run's calls


def code_swapped_after_calls_from_c(n):
    """A function called from C many times, then its __code__ and __defaults__ replaced:
    later calls from C run the new code (interpreted until it is compiled)."""
    def f(a, b=1):
        return ("first", a, b)

    out = []
    for i in range(n):
        if i == 3:
            f.__defaults__ = (2,)
        if i == 5:
            f.__code__ = (lambda a, b=3: ("second", a, b)).__code__
        if i == 7:
            f.__defaults__ = None
        try:
            out.append(list(map(f, [i])))
        except TypeError as e:
            out.append(str(e))
        out.append(sorted([i, 1], key=lambda x, f=f: f(x, 0)))
    return out


def test_code_and_defaults_replaced_after_calls_from_c():
    run_both(code_swapped_after_calls_from_c, 9)


def recurse_through_c(n):
    """Recursion whose every level goes through a C caller (map): RecursionError, as in the
    interpreter, with no crash."""
    return list(map(recurse_through_c, [n + 1]))


def test_recursion_through_c_callers():
    exc = run_both(recurse_through_c, 0)
    assert isinstance(exc, RecursionError)


def profiled_calls_from_c(n):
    """With a profile function set, calls from C deliver call and return events as in the
    interpreter (the JIT steps aside); without it they are direct again."""
    events = []

    def prof(frame, event, arg):
        if frame.f_code is negate.__code__:
            events.append(event)
    sys.setprofile(prof)
    try:
        first = list(map(negate, range(n)))
    finally:
        sys.setprofile(None)
    return first, events, list(map(negate, range(n)))


def test_profiled_calls_from_c():
    run_both(profiled_calls_from_c, 3)


def catch_in_caller(x):
    try:
        return level1(x)
    except ZeroDivisionError as e:
        return "caught %s" % e


def test_exception_caught_in_caller():
    assert run_both(catch_in_caller, 1) == "caught division by zero"


def test_argument_refcounts_after_many_calls():
    a, b = object(), [1, 2]
    with jit_enabled(0):
        before = (sys.getrefcount(a), sys.getrefcount(b))
        for _ in range(1000):
            call_many_args(lambda *x, **k: None)
            kw_call(two, b)
            target(a, b, a, c=b)
        after = (sys.getrefcount(a), sys.getrefcount(b))
    assert before == after
    assert_compiled(kw_call)
    assert_compiled(call_many_args)


def kw_call(f, b):
    try:
        return f(b, b=b)
    except TypeError:
        return None


# ---- direct calls that take parameters from the defaults ----------------------------------

SHARED = []


def with_defaults(a, b=10, c=SHARED, d=None):
    c.append(a)
    return (a, b, len(c), d)


class Walker:
    def step(self, n, scale=3):
        return n * scale


def calls_with_defaults(n):
    out = []
    w = Walker()
    for i in range(n):
        out.append(with_defaults(i))
        out.append(with_defaults(i, 1))
        out.append(with_defaults(i, 1, [], "d"))
        out.append(w.step(i))
        out.append(w.step(i, 1))
    del SHARED[:]
    return out


def test_direct_calls_fill_parameters_from_the_defaults():
    run_both(calls_with_defaults, 20)
    assert_compiled(with_defaults)
    assert_compiled(Walker.step)


def replaced_defaults(f):
    f.__defaults__ = (5,)
    out = []
    for step in range(5):
        if step == 2:
            f.__defaults__ = (7,)
        if step == 3:
            f.__defaults__ = ()
        if step == 4:
            f.__defaults__ = None
        try:
            out.append(f(1))
        except TypeError as e:
            out.append(str(e))
    return out


def test_defaults_replaced_between_direct_calls():
    def one_default(a, b=5):
        return a + b
    got = run_both(replaced_defaults, one_default)
    assert got[:3] == [6, 6, 8] and "missing 1 required positional argument" in got[3]


def test_default_reference_counts_after_direct_calls():
    default = object()

    def f(a, b=default):
        return b

    def loop(n):
        for i in range(n):
            f(i)
    with jit_enabled(0):
        loop(10)
        before = sys.getrefcount(default)
        loop(1000)
        after = sys.getrefcount(default)
    assert before == after
    assert_compiled(loop)
    assert_compiled(f)


# ---- super() ------------------------------------------------------------------------------

class Base:
    def __init__(self, v):
        self.v = v
        self.log = ["Base.__init__"]

    def describe(self):
        return "Base(%r)" % self.v

    @classmethod
    def make(cls, v):
        return cls(v)


class Child(Base):
    def __init__(self, v):
        super().__init__(v * 2)
        self.log.append("Child.__init__")

    def describe(self):
        return "Child/" + super().describe()

    def describe_explicit(self):
        return super(Child, self).describe()

    def describe_closure(self):
        # self is captured by a closure, so it lives in a cell: super() must look through it
        def inner():
            return self.v
        return super().describe() + str(inner())

    @classmethod
    def make(cls, v):
        obj = super().make(v + 1)
        obj.log.append("Child.make")
        return obj


class GrandChild(Child):
    def __init__(self, v):
        super().__init__(v)
        self.log.append("GrandChild.__init__")

    def describe(self):
        return "Grand/" + super().describe()


def super_forms(v):
    c = Child(v)
    g = GrandChild(v)
    m = Child.make(v)
    return (c.v, c.log, c.describe(), c.describe_explicit(), c.describe_closure(), g.log,
            g.describe(), m.v, m.log)


def test_super_forms():
    run_both(super_forms, 3)
    for fn in (Child.__init__, Child.describe, Child.describe_closure, GrandChild.__init__,
               Child.describe_explicit, Child.make.__func__):
        assert_compiled(fn)


def super_without_args_outside_class():
    return super()


def test_super_errors():
    exc = run_both(super_without_args_outside_class)
    assert isinstance(exc, RuntimeError)


# ---- imports ------------------------------------------------------------------------------

def import_forms():
    import os as o
    import os.path
    import collections.abc as cabc
    from os import path, sep
    from collections import OrderedDict as OD
    from json import dumps
    return (o is sys.modules["os"], os.path is path, sep, OD.__name__, cabc.Mapping.__name__,
            dumps([1]))


def test_import_forms():
    run_both(import_forms)


def import_missing_module():
    import pyjion_no_such_module_xyz  # noqa: F401


def from_missing_name():
    from os import pyjion_no_such_name  # noqa: F401


def from_missing_name_builtin_module():
    from sys import pyjion_no_such_name  # noqa: F401


def relative_without_package():
    from . import something  # noqa: F401


@pytest.mark.parametrize("fn", [import_missing_module, from_missing_name,
                                from_missing_name_builtin_module])
def test_failing_imports(fn):
    exc = run_both(fn)
    assert isinstance(exc, ImportError)


def test_from_missing_name_message_and_attributes():
    exc = run_both(from_missing_name)
    assert str(exc).startswith("cannot import name 'pyjion_no_such_name' from 'os' (")
    assert exc.name == "os" and exc.path == sys.modules["os"].__file__
    exc = run_both(from_missing_name_builtin_module)
    assert str(exc) == "cannot import name 'pyjion_no_such_name' from 'sys' (unknown location)"


def test_relative_import_without_package():
    g = {"__name__": "notapackage", "__builtins__": __builtins__}
    fn = types.FunctionType(relative_without_package.__code__, g)
    exc = run_both(fn)
    assert isinstance(exc, ImportError)


@pytest.fixture
def package_dir(tmp_path):
    """A package whose submodule is only reachable through sys.modules, plus a circular
    import pair; removed from sys.modules afterwards."""
    pkg = tmp_path / "pjcallpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "sub.py").write_text("VALUE = 41\n")
    (tmp_path / "pjcirc_a.py").write_text(
        "import pjcirc_b\nthing = 1\n")
    (tmp_path / "pjcirc_b.py").write_text(
        "import sys\n"
        "def grab():\n    from pjcirc_a import thing\n    return thing\n\n"
        "sys.modules['pjcirc_keep'] = sys.modules[__name__]  # outlives the failed import\n"
        "result = grab()\n")
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in list(sys.modules):
        if name.startswith(("pjcallpkg", "pjcirc_")):
            del sys.modules[name]


def import_submodule_via_sys_modules():
    # `from pkg import sub` after the attribute was removed: IMPORT_FROM falls back on
    # sys.modules["pjcallpkg.sub"].
    for name in ("pjcallpkg.sub", "pjcallpkg"):
        sys.modules.pop(name, None)
    import pjcallpkg.sub
    del pjcallpkg.sub
    from pjcallpkg import sub
    return sub.VALUE


def test_import_from_falls_back_on_sys_modules(package_dir):
    assert run_both(import_submodule_via_sys_modules) == 41


def import_circular():
    for name in ("pjcirc_a", "pjcirc_b"):
        sys.modules.pop(name, None)
    import pjcirc_a  # noqa: F401


def test_circular_import_message(package_dir):
    exc = run_both(import_circular)
    assert isinstance(exc, ImportError)
    assert "partially initialized module 'pjcirc_a'" in str(exc)
    assert "most likely due to a circular import" in str(exc)
    assert_compiled(sys.modules["pjcirc_keep"].grab)


def test_custom_import_hook_gets_the_frame_arguments():
    calls = []

    def fake_import(name, globals=None, locals=None, fromlist=(), level=0):
        calls.append((name, globals is g, locals, fromlist, level))
        return types.SimpleNamespace(x=1, y=2)

    builtins = dict(__builtins__ if isinstance(__builtins__, dict) else vars(__builtins__))
    builtins["__import__"] = fake_import
    g = {"__builtins__": builtins, "__name__": "m"}
    src = "def f():\n    import a.b\n    from c import x, y\n    return x + y\n"
    exec(compile(src, "<hook>", "exec"), g)
    run_both(g["f"])
    assert calls == [("a.b", True, None, None, 0), ("c", True, None, ("x", "y"), 0)] * 2


# ---- module and class bodies (exec'd) -----------------------------------------------------

def exec_both(src, mode="exec", globals_factory=None, code_filter=None):
    """Runs `src` interpreted and then compiled (JIT on, threshold 0); returns both outcomes
    (namespace dict, printed output, exception repr) and the compiled code objects."""
    def one(jit):
        code = compile(src, "<pjtest>", mode)
        g = globals_factory() if globals_factory else {"__name__": "pjmod"}
        out = io.StringIO()
        err = None
        with contextlib.redirect_stdout(out):
            ctx = jit_enabled(0) if jit else contextlib.nullcontext()
            with ctx:
                try:
                    exec(code, g)
                except Exception as e:  # compared below
                    err = (type(e), str(e))
        g.pop("__builtins__", None)
        return code, g, out.getvalue(), err
    was = pyjion_x64.is_enabled()
    pyjion_x64.disable()
    _, want_g, want_out, want_err = one(False)
    code, got_g, got_out, got_err = one(True)
    if was:
        pyjion_x64.enable()
    assert got_out == want_out
    assert got_err == want_err
    return code, want_g, got_g


def _comparable(ns):
    return {k: v for k, v in ns.items() if not isinstance(v, (types.FunctionType, type))}


def test_import_star_in_module_body():
    src = "from os.path import *\nresult = join('a', 'b')\nhas_private = '_get_sep' in dir()\n"
    code, want, got = exec_both(src)
    assert pyjion_x64.info(code)["compiled"], pyjion_x64.info(code)["reason"]
    assert _comparable(got) == _comparable(want)
    assert got["result"] == os.path.join("a", "b") and got["has_private"] is False
    assert got["splitext"] is os.path.splitext


def test_import_star_all_with_bad_item():
    mod = types.ModuleType("pjbadall")
    mod.__all__ = ["ok", 3]
    mod.ok = 1
    sys.modules["pjbadall"] = mod
    try:
        code, want, got = exec_both("from pjbadall import *\n")
        assert pyjion_x64.info(code)["compiled"]
    finally:
        del sys.modules["pjbadall"]


def test_class_body_compiled():
    src = (
        "class K:\n"
        "    '''doc'''\n"
        "    a: int = 1\n"
        "    def m(self):\n"
        "        return self.a\n"
        "    b = m\n"
        "class L(K, metaclass=type):\n"
        "    def m(self):\n"
        "        return super().m() + 1\n"
        "out = (K().m(), L().m(), K.__doc__, K.__annotations__, L.__mro__[1] is K,\n"
        "       K.__qualname__, L.m.__qualname__)\n"
    )
    code, want, got = exec_both(src)
    assert got["out"] == want["out"] == (1, 2, "doc", {"a": int}, True, "K", "L.m")
    assert pyjion_x64.info(code)["compiled"], pyjion_x64.info(code)["reason"]
    bodies = [c for c in code.co_consts if isinstance(c, types.CodeType)]
    assert {c.co_name for c in bodies} == {"K", "L"}
    for body in bodies:
        info = pyjion_x64.info(body)
        assert info["compiled"], (body.co_name, info["reason"])


def test_module_annotations():
    src = "x: int = 1\ny: 'str'\nz: list = [x]\n"
    code, want, got = exec_both(src)
    assert got["__annotations__"] == want["__annotations__"] == {"x": int, "y": "str",
                                                                   "z": list}
    assert pyjion_x64.info(code)["compiled"], pyjion_x64.info(code)["reason"]


def test_annotations_with_non_dict_locals():
    class Locals(dict):
        pass

    src = "x: int = 1\n"
    code = compile(src, "<pjtest>", "exec")
    want_l, got_l = Locals(), Locals()
    exec(compile(src, "<pjtest>", "exec"), {}, want_l)
    with jit_enabled(0):
        exec(code, {}, got_l)
    assert got_l == want_l and got_l["__annotations__"] == {"x": int}
    assert pyjion_x64.info(code)["compiled"]


def test_print_expr_uses_displayhook():
    code, want, got = exec_both("x = 1 + 2; x; 'text'; None; print(x)\n", mode="single")
    assert pyjion_x64.info(code)["compiled"], pyjion_x64.info(code)["reason"]
    seen = []
    old = sys.displayhook
    sys.displayhook = seen.append
    try:
        with jit_enabled(0):
            code = compile("40 + 2\n", "<pjtest>", "single")
            exec(code, {})
    finally:
        sys.displayhook = old
    assert seen == [42]
    assert pyjion_x64.info(code)["compiled"]


def test_print_expr_lost_displayhook():
    old = sys.displayhook
    del sys.displayhook
    try:
        results = []
        for jit in (False, True):
            code = compile("7\n", "<pjtest>", "single")
            ctx = jit_enabled(0) if jit else contextlib.nullcontext()
            with ctx:
                try:
                    exec(code, {})
                except RuntimeError as e:
                    results.append(str(e))
        assert results == ["lost sys.displayhook"] * 2
        assert pyjion_x64.info(code)["compiled"]
    finally:
        sys.displayhook = old


def test_build_class_not_found():
    src = "class K:\n    pass\n"
    code, want, got = exec_both(src, globals_factory=lambda: {"__builtins__": {}})
    assert pyjion_x64.info(code)["compiled"]
    # Both runs raised the same NameError (exec_both compared them); check it is that one.
    exc = None
    try:
        exec(compile(src, "<x>", "exec"), {"__builtins__": {}})
    except NameError as e:
        exc = e
    assert str(exc) == "__build_class__ not found"


# ---- GET_LEN (pattern matching) -----------------------------------------------------------

def match_len(x):
    match x:
        case []:
            return "empty"
        case [a]:
            return ("one", a)
        case [a, b, *rest]:
            return ("many", a, b, len(rest))
        case _:
            return "other"


@pytest.mark.parametrize("x", [[], [1], (1, 2), [1, 2, 3, 4], "ab", 5, range(3)])
def test_get_len_in_match(x):
    run_both(match_len, x)


class BadLen:
    def __len__(self):
        raise ValueError("len failed")

    def __getitem__(self, i):
        return i


def test_get_len_error():
    import collections.abc
    collections.abc.Sequence.register(BadLen)
    exc = run_both(match_len, BadLen())
    assert isinstance(exc, ValueError)


# ---- the eval breaker after CALL and CALL_FUNCTION_EX ----------------------------------------

class Interrupted(Exception):
    pass


def _raising_handler(signum, frame):
    raise Interrupted("signal %d" % signum)


def interrupt_then_return():
    # interrupt_main only marks the signal pending; ceval runs the handler at the
    # eval-breaker check right after this CALL, so the traceback points at this line.
    _thread.interrupt_main(signal.SIGUSR1)
    return "not interrupted"


def interrupt_ex_then_return(args):
    _thread.interrupt_main(*args)
    return "not interrupted"


@pytest.mark.parametrize("fn,args", [(interrupt_then_return, ()),
                                     (interrupt_ex_then_return, ((signal.SIGUSR1,),))])
def test_eval_breaker_is_polled_after_calls(fn, args):
    old = signal.signal(signal.SIGUSR1, _raising_handler)
    try:
        exc = run_both(fn, *args)
    finally:
        signal.signal(signal.SIGUSR1, old)
    assert isinstance(exc, Interrupted)
    frames = __import__("traceback").extract_tb(exc.__traceback__)
    assert [f.name for f in frames[-2:]] == [fn.__name__, "_raising_handler"]
    assert frames[-2].line.startswith("_thread.interrupt_main(")


# ---- tracing switched on by a callee -----------------------------------------------------

def _start_tracing(events):
    def tracer(frame, event, arg):
        if frame.f_code.co_name == "traced_after_star_call":
            events.append((event, frame.f_lineno))
        return tracer
    sys.settrace(tracer)
    sys._getframe(1).f_trace = tracer


def traced_after_star_call(events):
    _start_tracing(*(events,))   # CALL_FUNCTION_EX switches tracing on
    x = len(events)
    return x + 1


def test_tracing_started_by_a_call_is_honoured_for_the_rest_of_the_frame():
    results = []
    for jit in (False, True):
        events = []
        fn = traced_after_star_call if jit else __import__("jitutil").clone_function(
            traced_after_star_call)
        ctx = jit_enabled(0) if jit else contextlib.nullcontext()
        try:
            with ctx:
                fn(events)
        finally:
            sys.settrace(None)
        results.append(events)
    assert_compiled(traced_after_star_call)
    assert results[0] == results[1]
    assert [e for e, _ in results[1]][:2] == ["line", "line"]


# ---- direct calls with keyword arguments --------------------------------------------------

def kw_target(a, b=2, c=3, *, d, e=5):
    return (a, b, c, d, e)


def keyword_call_forms(n):
    out = []
    for i in range(n):
        out.append(kw_target(i, d=i))                 # keyword-only, defaults elsewhere
        out.append(kw_target(i, c=-i, d=0))           # a positional parameter by name
        out.append(kw_target(a=i, e=i, d=1, b=7))     # every order
        out.append(kw_target(i, 1, 2, e=9, d=8))      # all given
    return out


def test_keyword_calls_bind_as_the_interpreter_does():
    run_both(keyword_call_forms, 6)
    assert_compiled(kw_target)


def results_or_type_errors(calls):
    """Each call's result, or the message of the TypeError it raised."""
    out = []
    for call in calls:
        try:
            out.append(call())
        except TypeError as e:
            out.append(str(e))
    return out


def keyword_call_errors(n):
    out = []
    calls = [
        lambda: kw_target(1),                  # d missing
        lambda: kw_target(b=1, d=1),           # a missing
        lambda: kw_target(1, a=1, d=1),        # a given twice
        lambda: kw_target(1, d=1, z=1),        # no parameter z
        lambda: posonly(1, b=2, c=3),          # positional-only by name
    ]
    for i in range(n):
        out += results_or_type_errors(calls)
    return out


def test_keyword_call_errors_are_the_interpreters():
    run_both(keyword_call_errors, 3)


def keyword_defaults_replaced(n):
    def f(a, b=1, *, k=10):
        return (a, b, k)

    out = []
    for i in range(n):
        if i == 3:
            f.__defaults__ = (2,)
            f.__kwdefaults__ = {"k": 20}
        if i == 5:
            f.__kwdefaults__ = None            # k now required
        if i == 7:
            f.__defaults__ = None              # b now required
            f.__kwdefaults__ = {"k": 30}
        if i == 9:
            f.__code__ = (lambda a, b=0, *, k=0: ("other code", a, k)).__code__
            f.__defaults__ = (0,)
        try:
            out.append(f(i, k=i) if i % 2 else f(a=i))
        except TypeError as e:
            out.append(str(e))
    return out


def test_keyword_calls_follow_replaced_defaults_and_code():
    run_both(keyword_defaults_replaced, 12)


class KwMethods:
    def __init__(self):
        self.total = 0

    def add(self, x, *, times=1, scale=1):
        self.total += x * times * scale
        return self.total


def keyword_method_calls(n):
    o = KwMethods()
    add = o.add
    out = []
    for i in range(n):
        out.append(o.add(i, times=2))          # [method, self] from LOAD_METHOD
        out.append(add(x=i, scale=3))          # a bound method object
    return out


def test_keyword_calls_of_methods():
    run_both(keyword_method_calls, 8)
    assert_compiled(KwMethods.add)


def many_parameters(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15,
                    p16=16, *, last=17):
    return p0 + p16 + last


def keyword_call_of_many_parameters(n):
    return [many_parameters(*range(16), last=i) for i in range(n)] + [
        many_parameters(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, p16=i)
        for i in range(n)]


def test_keyword_calls_of_functions_with_many_parameters():
    run_both(keyword_call_of_many_parameters, 4)


def keyword_arguments_die_with_the_callee(n):
    # the callee's frame owns the arguments (as in ceval): a value dropped by the callee
    # dies before the call returns
    import weakref

    class Token:
        pass

    log = []

    def consume(a, *, token):
        ref = weakref.ref(token)
        del token
        log.append(ref() is None)
        return a

    for i in range(n):
        consume(i, token=Token())
    return log


def test_keyword_arguments_die_with_the_callee():
    # Not run_both: the interpreted run shares this process's PEP 523 hook, and with an
    # evaluator installed ceval's CALL goes through _PyEval_Vector, which keeps the caller's
    # references. Plain CPython 3.11 (no evaluator) moves them into the callee's frame.
    with jit_enabled(0):
        assert keyword_arguments_die_with_the_callee(5) == [True] * 5
    assert_compiled(keyword_arguments_die_with_the_callee)


def keyword_calls_of(a, b, n):
    for _ in range(n):
        kw_target(a, d=b)
        kw_target(b=a, a=b, d=a)
        try:
            kw_target(a, a=b, d=a)
        except TypeError:
            pass


def test_keyword_call_refcounts():
    a, b = object(), [1]
    with jit_enabled(0):
        keyword_calls_of(a, b, 2)
        before = (sys.getrefcount(a), sys.getrefcount(b))
        keyword_calls_of(a, b, 200)
        after = (sys.getrefcount(a), sys.getrefcount(b))
    assert before == after
    assert_compiled(keyword_calls_of)


# ---- direct calls of functions with *args, **kwargs and keyword-only parameters -----------

def star_target(a, b=2, /, c=3, *rest, k, m=6, **extra):
    extra["seen"] = True  # a fresh dict every call
    return (a, b, c, rest, k, m, sorted(extra.items()))


def star_call_forms(n):
    out = []
    for i in range(n):
        out.append(star_target(i, k=0))                         # empty *rest and **extra
        out.append(star_target(i, 1, 2, 3, 4, k=i))             # extra positionals
        out.append(star_target(i, k=1, z=2, c=-1))              # unknown name to **extra
        out.append(star_target(i, b=9, k=1))                    # positional-only by name
        out.append(star_target(i, 5, 6, 7, m=8, k=9, q=10))     # everything at once
    return out


def test_star_parameters_bind_as_the_interpreter_does():
    run_both(star_call_forms, 5)
    assert_compiled(star_target)


def kwonly_after_star(message, *args, verbosity=1):
    return (message, args, verbosity)


def positional_calls_of_star_functions(n):
    # positional calls (no KW_NAMES) of functions with *args or keyword-only parameters
    out = []
    for i in range(n):
        out.append(kwonly_after_star("m", i, i + 1))
        out.append(kwonly_after_star("m"))
        out.append(kwonly_after_star("m", verbosity=i))
    return out


def test_positional_calls_of_star_functions():
    run_both(positional_calls_of_star_functions, 6)
    assert_compiled(kwonly_after_star)


def forwarding(func):
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


@forwarding
@forwarding
def wrapped(x, y, *, scale=1):
    return (x - y) * scale


def decorated_calls(n):
    return [wrapped(i, 1, scale=2) + wrapped(y=i, x=3) for i in range(n)]


def test_forwarding_decorators():
    run_both(decorated_calls, 8)
    assert_compiled(wrapped)


def star_call_errors(n):
    out = []
    for i in range(n):
        out += results_or_type_errors((lambda: star_target(i),                 # k missing
                                       lambda: star_target(k=1),               # a missing
                                       lambda: star_target(i, c=1, k=2, **{"c": 3}),
                                       lambda: kwonly_after_star(verbosity=1)))
    return out


def test_star_call_errors():
    run_both(star_call_errors, 3)


def star_argument_refcounts(a, b, n):
    for _ in range(n):
        star_target(a, b, a, b, k=a, z=b)
        kwonly_after_star(a, b, verbosity=b)


def test_star_call_refcounts():
    a, b = object(), [1]
    with jit_enabled(0):
        star_argument_refcounts(a, b, 2)
        before = (sys.getrefcount(a), sys.getrefcount(b))
        star_argument_refcounts(a, b, 200)
        after = (sys.getrefcount(a), sys.getrefcount(b))
    assert before == after
    assert_compiled(star_argument_refcounts)
