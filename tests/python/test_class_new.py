"""Calling a class whose __new__ is a Python function and whose __init__ is object's
(namedtuples, fractions.Fraction, singletons): CALL runs __new__(cls, ...) directly
(rt_call_class_new) instead of type_call -> slot_tp_new -> a call from C. Every test
compares with the interpreter (results, exceptions, the moments objects die), and the
direct path is checked by the calls from C it saves."""
import sys
from collections import namedtuple
from fractions import Fraction

import pyjion_x64
from jitutil import assert_compiled, jit_enabled, run_both

Point = namedtuple("Point", "x y z", defaults=(0,))


class Noisy:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print("del", self.tag)


class Made:
    def __new__(cls, a, b=2, *, c=3):
        self = super().__new__(cls)
        self.v = (a, b, c)
        return self


class Sub(Made):
    def __init__(self, *args, **kwargs):  # type_call runs it: __new__ gave an instance of it
        self.init_args = (args, sorted(kwargs))


class Picky:
    def __new__(cls, kind, *rest):
        if kind == "sub":
            return object.__new__(PickySub)
        if kind == "other":
            return ["not", "an", "instance", rest]
        if kind == "none":
            return None
        if kind == "raise":
            raise ValueError("no %r" % (rest,))
        return object.__new__(cls)


class PickySub(Picky):
    def __init__(self, kind, *rest):
        print("PickySub.__init__", kind, rest)


def namedtuples(n):
    out = []
    for i in range(n):
        p = Point(i, i + 1)
        q = Point(x=i, y=-i, z=i * 2)
        r = Point(i, z=5, y=1)
        out.append((p, q, r, p._replace(z=9), Point._make([i, 0, 1])))
    for args, kwargs in [((), {}), ((1, 2, 3, 4), {}), ((1,), {"q": 2}), ((1, 2), {"x": 3})]:
        try:
            Point(*args, **kwargs)
        except TypeError as e:
            out.append(str(e))
    return out


def fractions(n):
    total = Fraction(0)
    for i in range(1, n + 1):
        total += Fraction(1, i) * Fraction(i, i + 1)
    out = [total, Fraction(3, 6), Fraction("1/3"), Fraction(numerator=4, denominator=8)]
    try:
        Fraction(1, 0)
    except ZeroDivisionError as e:
        out.append(str(e))
    return out


def python_new(n):
    out = []
    for i in range(n):
        m = Made(i, c=-i)
        s = Sub(i, 5, c=1)
        out.append((type(m).__name__, m.v, type(s).__name__, s.v, s.init_args))
        for kind in ("plain", "sub", "other", "none", "raise"):
            try:
                o = Picky(kind, i)
                out.append((kind, type(o).__name__, o if isinstance(o, list) else None))
            except ValueError as e:
                out.append(str(e))
    try:
        Made()
    except TypeError as e:
        out.append(str(e))
    return out


def arguments_die_in_order(n):
    # the arguments outlive __new__'s frame, as type_call's argument tuple keeps them
    for i in range(n):
        Made(Noisy("a%d" % i), Noisy("b%d" % i), c=Noisy("c%d" % i))
        print("after", i)
        Point(Noisy("x%d" % i), Noisy("y%d" % i))
        print("after point", i)


def class_changed_after_warm_up(n):
    class C:
        def __new__(cls, x):
            o = object.__new__(cls)
            o.x = x
            return o

    def other_new(cls, x):
        o = object.__new__(cls)
        o.x = ("other", x)
        return o

    out = []
    for i in range(n):
        try:
            o = C(i)
            out.append((type(o).__name__, o.x, getattr(o, "y", None)))
        except TypeError as e:
            out.append(str(e))
        if i == n // 6:
            C.__dict__["__new__"].__init__(other_new)  # staticmethod re-initialised
        if i == 2 * n // 6:
            C.__new__ = lambda cls, x: ("a plain function", x)  # not wrapped
        if i == 3 * n // 6:
            C.__new__ = staticmethod(other_new)
            C.__init__ = lambda self, x: setattr(self, "y", -x)  # __init__ now runs too
        if i == 4 * n // 6:
            del C.__init__
            del C.__new__  # object.__new__ with an argument and no __init__: TypeError
        if i == 5 * n // 6:
            C.__new__ = staticmethod(other_new)
    return out


def metaclass_gains_call(n):
    # classes whose metaclass calls as type does (ABCMeta, a plain subclass of type) are
    # instantiated directly, until the metaclass gets a __call__ of its own
    import abc

    class Meta(type):
        pass

    class WithNew(metaclass=Meta):
        def __new__(cls, v):
            o = object.__new__(cls)
            o.v = ("new", v)
            return o

    class AbcMeta(abc.ABCMeta):
        pass

    class WithInit(metaclass=AbcMeta):
        def __init__(self, v):
            self.v = ("init", v)

    out = []
    for i in range(n):
        out.append((WithNew(i).v, WithInit(i).v))
        if i == n // 2:
            Meta.__call__ = lambda cls, *a: ("Meta.__call__", cls.__name__, a)
            AbcMeta.__call__ = lambda cls, *a: ("AbcMeta.__call__", a)
    del Meta.__call__
    del AbcMeta.__call__
    out.append((WithNew(-1).v, WithInit(-1).v))
    return out


def test_namedtuples():
    run_both(namedtuples, 30)


def test_fractions():
    run_both(fractions, 40)


def test_python_new_variants():
    run_both(python_new, 12)
    assert_compiled(python_new)


def test_arguments_die_in_order():
    run_both(arguments_die_in_order, 4)


def test_class_changed_after_warm_up():
    run_both(class_changed_after_warm_up, 36)


def test_metaclasses_that_gain_a_call():
    run_both(metaclass_gains_call, 12)


def test_new_runs_directly_not_through_a_call_from_c():
    def make(n):
        return [Point(i, i) for i in range(n)] + [Made(i) for i in range(n)] + \
            [Fraction(i, 3) for i in range(n)]  # ABCMeta's classes too

    def calls_from_c(n):
        before = pyjion_x64.stats()["calls_from_c"]
        got = make(n)
        assert len(got) == 3 * n
        return pyjion_x64.stats()["calls_from_c"] - before

    with jit_enabled(0):
        make(5)  # compiled, __new__s too; the sites specialised
        # type_call -> slot_tp_new would call each __new__ from C: 400 more
        assert calls_from_c(200) == calls_from_c(0)  # (make itself, from this frame)
    assert_compiled(Point.__new__)
    assert_compiled(Made.__new__)
    assert_compiled(Fraction.__new__)


def test_refcounts_unchanged():
    items = [object() for _ in range(3)]
    watched = items + [Point, Made, Sub, Picky, PickySub]
    before = [sys.getrefcount(x) for x in watched]
    for _ in range(3):
        run_both(lambda: [Point(*items), Made(items[0], c=items[1]).v, Sub(*items[:2]).v])
        run_both(lambda: [type(Picky(k, items[2])) for k in ("plain", "sub", "other")])
    assert [sys.getrefcount(x) for x in watched] == before
