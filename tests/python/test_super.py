"""`super().name(...)` in instance methods: CALL 0 of the builtin super and the LOAD_METHOD
after it run as one step (rt_super_method) that makes no super object and no bound method,
through a cache keyed on the instance's exact type and version. Everything unusual (class
methods, a rebound `super`, a deleted or reassigned first argument, non-function
attributes, the MRO changed after warm-up) takes the ordinary path. Every test compares
with the interpreter; the step's own counter shows it ran."""
import builtins
import sys

import pytest

import pyjion_x64
from jitutil import assert_compiled, jit_enabled, run_both


class Base:
    def __init__(self, x):
        self.x = x

    def area(self):
        return ("Base.area", self.x)

    def scaled(self, k, *, by=1):
        return ("Base.scaled", self.x * k * by)

    @staticmethod
    def st(a):
        return ("Base.st", a)

    @classmethod
    def cm(cls, a):
        return ("Base.cm", cls.__name__, a)

    @property
    def prop(self):
        return ("Base.prop", self.x)

    data = 42


class Mid(Base):
    def __init__(self, x, y=0):
        super().__init__(x)
        self.y = y

    def area(self):
        return ("Mid.area",) + super().area()


class Left(Mid):
    def area(self):
        return ("Left.area",) + super().area()


class Right(Mid):
    def area(self):
        return ("Right.area",) + super().area()


class Diamond(Left, Right):  # MRO: Diamond Left Right Mid Base
    def area(self):
        return ("Diamond.area",) + super().area()


class OldStyle(Diamond):
    def area(self):
        # super(C, self) with C anywhere in the MRO, skipping what comes before it
        return (super(OldStyle, self).area(), super(Right, self).area(),
                super(Base, self).__repr__()[:8])

    def wrong(self, other):
        out = []
        for args in ((Base, other), (5, self), (Base, Base), (OldStyle, OldStyle)):
            try:
                out.append(super(*args).area())
            except TypeError as e:
                out.append(str(e))
        try:
            out.append(super(Left, other).area())  # other is no Left
        except TypeError as e:
            out.append(str(e))
        try:
            out.append(super(OldStyle, OldStyle).area())  # class mode: unbound function
        except TypeError as e:
            out.append(str(e))
        return out


class Plain:
    def __init__(self, v):
        super().__init__()        # object.__init__: a slot wrapper
        self.v = v

    def __repr__(self):
        return "Plain(%r) %s" % (self.v, super().__repr__()[:8])


class MyList(list):
    def append(self, x):
        super().append(("wrapped", x))  # a method descriptor of list


class MyDict(dict):
    def __setitem__(self, k, v):
        super().__setitem__(k, (v, "set"))


class Borrows:
    append = list.append       # a descriptor of list, on a class that is no list
    init = object.__init__


class Borrower(Borrows):
    def use(self):
        try:
            super().append(1)
        except TypeError as e:
            return str(e)


class Uses(Base):
    def calls(self):
        out = [super().scaled(2, by=3)]
        out.append(super().st(1))       # a staticmethod: the ordinary path
        out.append(super().cm(2))       # a classmethod: likewise
        out.append(super().prop)        # LOAD_ATTR: not this step
        try:
            super().data()              # an int found: not callable
        except TypeError as e:
            out.append(str(e))
        try:
            super().missing()
        except AttributeError as e:
            out.append(str(e))
        return out

    def with_cell(self):
        f = lambda: self.x             # self lives in a cell
        return super().area(), f()

    def deleted_self(self):
        del self
        return super().area()

    def rebound_self(self):
        self = 5
        return super().area()

    @classmethod
    def class_mode(cls):
        return super().cm(3)


def hierarchy(n):
    out = []
    for i in range(n):
        for cls in (Mid, Left, Right, Diamond):
            o = cls(i, y=i + 1)
            out.append((cls.__name__, o.area(), o.x, o.y))
        out.append(repr(Plain(i)).split(" ")[0])
        lst = MyList()
        lst.append(i)
        d = MyDict()
        d["k"] = i
        out.append((lst, d))
    return out


def odd_cases(n):
    out = [OldStyle(1).area(), OldStyle(2).wrong(object())]
    u = Uses(3)
    b = Borrower()
    for _ in range(n):
        out.append(b.use())
        out.append(u.calls())
        out.append(u.with_cell())
        out.append(Uses.class_mode())
        for m in (u.deleted_self, u.rebound_self):
            try:
                out.append(m())
            except (RuntimeError, TypeError) as e:
                out.append((type(e).__name__, str(e)))
    return out


def mutated_after_warm_up(n):
    class A:
        def m(self):
            return "A.m"

    class B(A):
        def m(self):
            return ("B.m", super().m())

    class C:
        def m(self):
            return "C.m"

    class D(B):
        pass

    out = []
    objs = [B(), D()]
    for i in range(n):
        for o in objs:
            try:
                out.append(o.m())
            except (AttributeError, TypeError) as e:
                out.append(str(e))
        if i == n // 6:
            A.m = lambda self: "new A.m"
        if i == 2 * n // 6:
            del A.m                       # nothing after B: AttributeError
        if i == 3 * n // 6:
            B.__bases__ = (C,)            # another MRO
        if i == 4 * n // 6:
            C.m = staticmethod(lambda: "static C.m")
        if i == 5 * n // 6:
            C.m = len                     # a builtin function: bound by nothing
    return out


def one_code_many_classes(n):
    # the same method code in classes a factory makes: in X's MRO both A1.m and A2.m run
    # that code, for the same instance type, with different __class__ cells
    def make(tag, base):
        class A(base):
            def m(self):
                return (tag,) + super().m()
        return A

    class Root:
        def m(self):
            return ("Root",)

    A1 = make("A1", Root)
    A2 = make("A2", Root)

    class X(A1, A2):
        pass

    return [(X().m(), A1().m(), A2().m()) for _ in range(n)]


def super_rebound(n):
    out = []
    for i in range(n):
        out.append(Mid(i).area())
        if i == n // 3:
            builtins.super = lambda *a: Base(-1)  # Mid's super() now finds this
        if i == 2 * n // 3:
            builtins.super = _real_super
    return out


_real_super = super


def test_hierarchies():
    run_both(hierarchy, 8)
    assert_compiled(Mid.area)


def test_odd_cases_take_the_ordinary_path():
    run_both(odd_cases, 4)


def test_classes_mutated_after_warm_up():
    run_both(mutated_after_warm_up, 36)


def test_one_code_in_many_classes():
    run_both(one_code_many_classes, 10)


def test_super_rebound_in_builtins():
    try:
        run_both(super_rebound, 30)
    finally:
        builtins.super = _real_super


def test_the_step_runs():
    def work(n):
        return [Diamond(i).area() for i in range(n)] + [OldStyle(i).area() for i in range(n)]

    with jit_enabled(0):
        work(3)
        before = pyjion_x64.stats()["super_methods"]
        got = work(100)
        done = pyjion_x64.stats()["super_methods"] - before
    assert got[5] == Diamond(5).area() and got[105] == OldStyle(5).area()
    # each Diamond(i): Mid.__init__'s super().__init__, and area's four super() calls; each
    # OldStyle(i): that __init__, super(OldStyle, self).area (Diamond's, and its four),
    # super(Right, self).area (Mid's, and its one) and super(Base, self).__repr__ (a slot
    # wrapper)
    assert done == 100 * 5 + 100 * (1 + 5 + 2 + 1)
    assert_compiled(Diamond.area)
    assert_compiled(Mid.__init__)


def test_refcounts_unchanged():
    o = Diamond(1)
    o2 = OldStyle(2)
    watched = (o, o2, Diamond, OldStyle, Right, Base.area)
    before = [sys.getrefcount(x) for x in watched]
    for _ in range(3):
        run_both(lambda: [o.area() for _ in range(10)] + [o2.area() for _ in range(10)])
    assert [sys.getrefcount(x) for x in watched] == before
