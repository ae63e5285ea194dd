"""Containers families: subscripts, slices, attributes (lower_attr.cc) and building,
extending and unpacking containers, comprehensions and f-strings (lower_build.cc).

Every behaviour runs interpreted and compiled (jitutil.run_both, which also asserts that
the function was compiled). Inputs are passed as arguments and never mutated across the
two runs: functions that mutate copy their input first with the opcodes under test
(`[*a]`, `{**d}`) or restore what they changed. Fast paths get refcount checks.
"""
import collections
import contextlib
import io
import sys
import traceback
import types

import pytest

import pyjion_x64
from jitutil import (assert_compiled, jit_enabled, run_both, run_both_warm, run_interpreted,
                     run_jit)


class IntSub(int):
    pass


class DictMissing(dict):
    def __missing__(self, key):
        return ("missing", key)


class DictNoMissing(dict):
    pass


class ListSub(list):
    pass


class Box:
    """__getitem__/__setitem__/__delitem__ that record what they were given."""

    def __init__(self):
        self.log = []

    def __getitem__(self, key):
        if key == "boom":
            raise LookupError("no boom")
        return ("get", key)

    def __setitem__(self, key, value):
        if key == "boom":
            raise LookupError("cannot set boom")
        self.log.append(("set", key, value))

    def __delitem__(self, key):
        if key == "boom":
            raise LookupError("cannot delete boom")
        self.log.append(("del", key))


# ---- BINARY_SUBSCR ------------------------------------------------------------------------

def subscr(a, i):
    return a[i]


SEQ_INDEXES = [0, 1, 2, -1, -3, 3, -4, 2**30 - 1, 2**30, -(2**30), 2**62, -(2**62), 10**30,
               True, False, IntSub(1), IntSub(-1)]


@pytest.mark.parametrize("seq", [[10, 20, 30], (10, 20, 30), [], (), ListSub([1, 2, 3]),
                                 "abc", b"abc", range(3)])
@pytest.mark.parametrize("i", SEQ_INDEXES)
def test_subscr_sequence_index(seq, i):
    run_both(subscr, seq, i)


@pytest.mark.parametrize("i", [1.0, "1", None, [1], slice(1, 2)])
def test_subscr_sequence_bad_or_slice_index(i):
    run_both(subscr, [1, 2, 3], i)
    run_both(subscr, (1, 2, 3), i)


@pytest.mark.parametrize("d,k", [({1: "a", "x": 2}, 1), ({1: "a", "x": 2}, "x"),
                                 ({1: "a"}, 2), ({}, "missing"), ({(1, 2): 3}, (1, 2)),
                                 ({}, (1, 2)), ({}, ()), ({1: 2}, 1.0), ({1: 2}, True),
                                 ({}, [1]), ({}, {}),
                                 (DictMissing(a=1), "a"), (DictMissing(a=1), "b"),
                                 (DictNoMissing(a=1), "b"),
                                 (collections.defaultdict(int, a=1), "a"),
                                 (collections.Counter("aab"), "z")])
def test_subscr_dict(d, k):
    run_both(subscr, d, k)


def test_subscr_key_error_carries_the_key():
    key = ("k", 1)
    exc = run_both(subscr, {}, key)
    assert isinstance(exc, KeyError) and exc.args == (key,)


def test_subscr_user_getitem_and_class_getitem():
    run_both(subscr, Box(), 5)
    run_both(subscr, Box(), "boom")
    run_both(subscr, list, int)
    run_both(subscr, 5, 0)          # 'int' object is not subscriptable
    run_both(subscr, type, 0)       # 'type' object is not subscriptable


def subscr_in_try(a, i, b):
    try:
        return [b, (b, a[i])]
    except (IndexError, KeyError) as e:
        return ("caught", type(e).__name__, str(e), b)


@pytest.mark.parametrize("a,i", [([1], 0), ([1], 5), ({}, "k"), ((1,), -2)])
def test_subscr_error_unwinds_to_handler_with_deeper_stack(a, i):
    run_both(subscr_in_try, a, i, "b")


def subscr_chain(a, i, j, k):
    return a[i][j][k]


def test_subscr_chain():
    data = [{"x": (1, [2, 3])}]
    run_both(subscr_chain, data, 0, "x", 1)
    run_both(subscr_chain, data, -1, "x", 2)
    run_both(subscr_chain, data, 0, "y", 1)


def subscr_loop(a, n):
    total = 0
    i = 0
    while i < n:
        total = total + a[i] + a[-1 - i]
        i = i + 1
    return total


def test_subscr_loop_over_list_and_tuple():
    run_both(subscr_loop, list(range(50)), 50)
    run_both(subscr_loop, tuple(range(50)), 50)
    run_both(subscr_loop, list(range(50)), 51)


def test_subscr_refcounts_on_fast_paths():
    item0, item1 = object(), object()
    lst, tup = [item0, item1], (item0, item1)
    d = {"k": item0, 1: item1}
    idx = 10**20 + 1  # never a fast-path index: goes through the generic helper
    with jit_enabled(0):
        before = [sys.getrefcount(o) for o in (item0, item1, lst, tup, d, idx)]
        for _ in range(1000):
            subscr(lst, 0)
            subscr(lst, -1)
            subscr(tup, 1)
            subscr(tup, -2)
            subscr(d, "k")
            subscr(d, 1)
            try:
                subscr(lst, idx)
            except IndexError:
                pass
            try:
                subscr(d, "missing")
            except KeyError:
                pass
        after = [sys.getrefcount(o) for o in (item0, item1, lst, tup, d, idx)]
    assert after == before
    assert_compiled(subscr)


class Noisy:
    """Prints when it dies, so the order in which an instruction releases its operands is
    in the output; its comparison, arithmetic and hash may be told to fail."""

    def __init__(self, tag, fail=False, key=None):
        self.tag, self.fail, self.key = tag, fail, key or tag

    def __del__(self):
        print("del", self.tag)

    def __hash__(self):
        if self.fail:
            raise RuntimeError("hash of %s" % self.tag)
        return hash(self.key)

    def __eq__(self, other):
        return isinstance(other, Noisy) and self.key == other.key

    def __lt__(self, other):
        if self.fail:
            raise RuntimeError("compare %s" % self.tag)
        return self.tag < other.tag

    def __add__(self, other):
        if self.fail:
            raise RuntimeError("add %s" % self.tag)
        return self.tag + other.tag


def generic_paths_release_order(n):
    # operands that are temporaries (owned by the instruction) on the generic paths, where
    # the JIT calls PyObject_GetItem, PyNumber_Add, PyObject_RichCompare itself: released
    # left first after the call, on success and on failure, as ceval does
    for i in range(n):
        for fail in (False, True):
            try:
                print({Noisy("k%d" % i): Noisy("v%d" % i)}[Noisy("lookup", fail, "k%d" % i)].tag)
            except (KeyError, RuntimeError) as e:
                print("error", type(e).__name__)
            try:
                print({}[Noisy("missing%d" % i)])
            except KeyError as e:
                print("missing", e.args[0].tag)
            try:
                print(Noisy("l%d" % i, fail) + Noisy("r%d" % i))
            except RuntimeError as e:
                print("error", e)
            try:
                print(Noisy("a%d" % i, fail) < Noisy("b%d" % i))
            except RuntimeError as e:
                print("error", e)
            try:
                if Noisy("c%d" % i, fail) < Noisy("d%d" % i):
                    print("less")
            except RuntimeError as e:
                print("error", e)
            try:
                print([Noisy("item%d" % i)][Noisy("index%d" % i)])
            except TypeError as e:
                print("error", e)


def test_generic_paths_release_owned_operands_in_the_interpreters_order():
    # cold (no feedback: the dict is released before the key) and warm (BINARY_SUBSCR_DICT
    # as feedback: the key first)
    run_both(generic_paths_release_order, 2)
    run_both_warm(generic_paths_release_order, (2,), 3)


# ---- slices (BUILD_SLICE + BINARY_SUBSCR / STORE_SUBSCR / DELETE_SUBSCR) ------------------

def slice2(a, i, j):
    return a[i:j]


def slice3(a, i, j, k):
    return a[i:j:k]


def slice_forms(a):
    return a[:], a[1:], a[:-1], a[::2], a[::-1], a[-3:], a[1:-1:2], a[100:], a[:-100]


BOUNDS = [None, 0, 1, -1, 3, -3, 100, -100]


@pytest.mark.parametrize("seq", [list(range(6)), tuple(range(6)), "abcdef", b"abcdef",
                                 range(6)])
def test_slices(seq):
    for i in BOUNDS:
        for j in BOUNDS:
            run_both(slice2, seq, i, j)
    for k in [None, 1, 2, -1, -2, 0, 7]:
        run_both(slice3, seq, 1, None, k)
        run_both(slice3, seq, None, -2, k)
    run_both(slice_forms, seq)


def test_slice_bad_bounds_and_user_getitem():
    run_both(slice2, [1, 2], "a", 1)
    run_both(slice3, [1, 2], 0, 1, 1.5)
    run_both(slice2, Box(), 1, None)
    run_both(slice3, Box(), "x", [1], None)
    run_both(slice2, {}, 1, 2)       # unhashable slice in 3.11: TypeError


def slice_assign(a, i, j, v):
    a = [*a]
    a[i:j] = v
    return a


def slice_assign_step(a, v):
    a = [*a]
    a[::2] = v
    return a


def slice_delete(a, i, j):
    a = [*a]
    del a[i:j]
    return a


def slice_delete_step(a, k):
    a = [*a]
    del a[::k]
    return a


def test_slice_assignment_and_deletion():
    base = list(range(8))
    run_both(slice_assign, base, 1, 3, ["x", "y", "z"])
    run_both(slice_assign, base, -2, None, [])
    run_both(slice_assign, base, None, None, "ab")
    run_both(slice_assign, base, 2, 4, 5)                # must assign iterable
    run_both(slice_assign_step, base, "abcd")
    run_both(slice_assign_step, base, "abc")             # extended slice size mismatch
    run_both(slice_delete, base, 2, 5)
    run_both(slice_delete, base, -3, None)
    run_both(slice_delete_step, base, 2)
    run_both(slice_delete_step, base, -3)
    run_both(slice_delete_step, base, 0)                 # slice step cannot be zero


# ---- STORE_SUBSCR -------------------------------------------------------------------------

def store_list(a, i, v):
    a = [*a]
    a[i] = v
    return a


def store_dict(d, k, v):
    d = {**d}
    d[k] = v
    return d


def store_into(c, k, v):
    c[k] = v
    return c


@pytest.mark.parametrize("i", SEQ_INDEXES + [1.5, "0", None])
def test_store_list_index(i):
    run_both(store_list, [1, 2, 3], i, "v")


class RecordObject:
    def __init__(self, i):
        self.name = "n%d" % i
        self.id = i


class HashesAsName:
    def __hash__(self):
        return hash("name")

    def __eq__(self, other):
        return other == "name"


def records_by_constant_keys(dicts):
    """d["name"] at one site over dicts built alike (the key found at the hinted entry),
    then in another order, with keys deleted and re-added, split instance dicts, a dict
    with a non-str key that compares equal, an equal key that is another object, a dict
    subclass and a missing key (the interpreter's KeyError)."""
    out = []
    for d in dicts:
        try:
            out.append((d["name"], d["id"]))
        except KeyError as e:
            out.append(("KeyError", e.args))
    return out


class WithMissing(dict):
    def __missing__(self, key):
        return "missing " + key


def test_dict_subscripts_by_constant_str_keys():
    same = [{"id": i, "name": "n%d" % i, "x": 0} for i in range(6)]
    moved = {"x": 1, "name": "moved", "id": -1}
    deleted = {"id": 7, "name": "old", "z": 0}
    del deleted["name"]
    deleted["name"] = "readded"
    gone = {"id": 8, "name": "gone"}
    del gone["name"]
    split = vars(RecordObject(9))
    general = {HashesAsName(): 1, "name": "general", "id": 10}
    built = {"".join(["na", "me"]): "joined key", "id": 11}
    big = {"k%d" % i: i for i in range(40)}
    big.update(name="big", id=12)
    dicts = same + [moved, deleted, gone, split, general, built, big, WithMissing(id=13)] + same
    run_both(records_by_constant_keys, dicts)


class Index:
    def __init__(self, i):
        self.i = i

    def __index__(self):
        return self.i


class SeqWithGetitem:
    def __getitem__(self, key):
        return ("getitem", key.start, key.stop, key.step)


class ListSub(list):
    pass


def two_bound_slices(items, bounds):
    """x[a:b] at one site (one call, no slice object for str/list/tuple with None or int
    bounds) over built-in sequences, subclasses, bytes, a class with __getitem__, bounds
    negative, out of range, huge, bools, __index__ objects and bad ones (the TypeError)."""
    out = []
    for x in items:
        for a, b in bounds:
            try:
                r = x[a:b]
                out.append((type(r).__name__, r, r is x))
            except TypeError as e:
                out.append(("TypeError", str(e)))
        out.append((x[:], x[1:], x[:-1]))
    return out


def test_two_bound_slices_of_any_sequence():
    items = ["", "abc\u00e9d", [1, 2, 3, 4], (5, 6, 7), (), b"bytes", ListSub([8, 9]),
             SeqWithGetitem(), range(5)]
    bounds = [(None, None), (0, None), (None, 2), (1, -1), (-100, 100), (3, 1), (2 ** 100, None),
              (-(2 ** 100), 2 ** 64), (True, False), (Index(1), Index(3)), (0, 1.5), ("a", None)]
    run_both(two_bound_slices, items, bounds)


@pytest.mark.parametrize("k", [1, "a", (1, 2), None, 1.0, True, [1], {}])
def test_store_dict(k):
    run_both(store_dict, {1: "one", "a": 2}, k, "v")


def test_store_other_containers():
    run_both(store_into, (1, 2), 0, 5)         # 'tuple' object does not support item assignment
    run_both(store_into, "ab", 0, "c")
    run_both(store_into, 5, 0, 1)
    box = Box()
    with jit_enabled(0):
        store_into(box, "k", "v")
        store_into(box, slice(1, None), "w")
        with pytest.raises(LookupError, match="cannot set boom"):
            store_into(box, "boom", 1)
    assert box.log == [("set", "k", "v"), ("set", slice(1, None), "w")]
    assert_compiled(store_into)
    run_both(store_into, Box(), "boom", 1)


def test_store_list_subclass_and_dict_subclass_go_generic():
    class L(list):
        def __setitem__(self, i, v):
            list.__setitem__(self, i, ("wrapped", v))

    class D(dict):
        def __setitem__(self, k, v):
            dict.__setitem__(self, k, ("wrapped", v))

    lst, d = L([1, 2]), D()
    with jit_enabled(0):
        store_into(lst, 0, "x")
        store_into(d, "k", "y")
    assert lst == [("wrapped", "x"), 2] and d == {"k": ("wrapped", "y")}
    assert_compiled(store_into)


def store_loop(a, n):
    i = 0
    while i < n:
        a[i] = a[i] * 2
        i = i + 1
    return a


def test_store_loop_and_refcounts():
    vals = [10**20 + i for i in range(5)]
    with jit_enabled(0):
        lst = [*vals]
        before = [sys.getrefcount(v) for v in vals] + [sys.getrefcount(lst)]
        for _ in range(500):
            store_into(lst, 0, vals[1])
            store_into(lst, -1, vals[0])
            store_into(lst, 0, vals[0])
            store_into(lst, -1, vals[4])
        after = [sys.getrefcount(v) for v in vals] + [sys.getrefcount(lst)]
        assert lst == vals
        assert after == before
        d = {}
        before = [sys.getrefcount(v) for v in vals] + [sys.getrefcount(d)]
        for _ in range(500):
            store_into(d, "a", vals[2])
            store_into(d, "a", vals[3])
        del d["a"]
        assert [sys.getrefcount(v) for v in vals] + [sys.getrefcount(d)] == before
    assert_compiled(store_into)
    run_both(store_loop, [1, 2, 3], 3)


# ---- DELETE_SUBSCR ------------------------------------------------------------------------

def del_list(a, i):
    a = [*a]
    del a[i]
    return a


def del_dict(d, k):
    d = {**d}
    del d[k]
    return d


def del_from(c, k):
    del c[k]


@pytest.mark.parametrize("i", [0, -1, 2, 3, -4, "x", slice(None, None, 2)])
def test_delete_list(i):
    run_both(del_list, [1, 2, 3], i)


@pytest.mark.parametrize("k", ["a", "missing", (1,), [1]])
def test_delete_dict(k):
    run_both(del_dict, {"a": 1, (1,): 2}, k)


def test_delete_user_and_immutable():
    run_both(del_from, (1, 2), 0)
    run_both(del_from, Box(), "boom")
    box = Box()
    with jit_enabled(0):
        del_from(box, 3)
    assert box.log == [("del", 3)]
    assert_compiled(del_from)


# ---- attributes ---------------------------------------------------------------------------

class Plain:
    cls_attr = "class"

    def __init__(self):
        self.x = 1

    def method(self):
        return self.x


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1


class WithProperty:
    def __init__(self):
        self._v = 0

    @property
    def p(self):
        return ("p", self._v)

    @p.setter
    def p(self, value):
        if value is None:
            raise ValueError("no None")
        self._v = value

    @p.deleter
    def p(self):
        self._v = "deleted"

    @property
    def ro(self):
        return "read only"

    @property
    def broken(self):
        raise RuntimeError("broken getter")


class WithGetattr:
    def __init__(self):
        self.real = "real"

    def __getattr__(self, name):
        if name.startswith("no"):
            raise AttributeError("custom: " + name)
        return ("virtual", name)


class WithGetattribute:
    def __getattribute__(self, name):
        if name == "secret":
            raise AttributeError("hidden")
        return ("ga", name)


def load_x(o):
    return o.x


def load_attrs(o):
    return o.cls_attr, o.x, o.method(), o.method


def load_a(o):
    return o.a


def load_b(o):
    return o.b


def load_p(o):
    return o.p


def load_ro(o):
    return o.ro


def load_broken(o):
    return o.broken


def load_real_and_virtual(o):
    return o.real, o.anything, o.nothing


def load_secret(o):
    return o.secret, o.other


def test_load_attr_plain():
    run_both(load_x, Plain())
    run_both(load_attrs, Plain())
    run_both(load_x, Slotted())      # no attribute x
    run_both(load_a, Slotted())
    run_both(load_b, Slotted())      # unset slot: AttributeError 'b'
    run_both(load_x, 5)
    run_both(load_x, None)
    run_both(load_x, types.SimpleNamespace(x="ns"))
    run_both(load_x, types)          # module attribute error message


def test_load_attr_descriptors_and_hooks():
    run_both(load_p, WithProperty())
    run_both(load_ro, WithProperty())
    run_both(load_broken, WithProperty())
    run_both(load_real_and_virtual, WithGetattr())
    run_both(load_secret, WithGetattribute())
    run_both(load_x, Plain)          # type object: no attribute x


def store_x(o, v):
    old = o.x
    o.x = v
    new = o.x
    o.x = old
    return new


def store_attr(o, v):
    o.attr = v


def store_p(o, v):
    o.p = v
    r = o.p
    o.p = 0
    return r


def store_ro(o, v):
    o.ro = v


def test_store_attr():
    run_both(store_x, Plain(), "new")
    run_both(store_x, Slotted(), 1)        # x not a slot: the load fails first
    run_both(store_attr, Slotted(), 1)     # 'Slotted' object has no attribute 'attr'
    run_both(store_attr, 5, 1)
    run_both(store_attr, object(), 1)
    run_both(store_p, WithProperty(), 5)
    run_both(store_p, WithProperty(), None)
    run_both(store_ro, WithProperty(), 5)  # property 'ro' of 'WithProperty' object has no setter
    o = Plain()
    with jit_enabled(0):
        store_attr(o, "set")
    assert o.attr == "set"
    assert_compiled(store_attr)


def del_x(o):
    del o.x


def del_p(o):
    del o.p
    r = o.p
    o.p = 0
    return r


def test_delete_attr():
    run_both(del_x, Slotted())             # x is not a slot
    run_both(del_x, 5)
    run_both(del_p, WithProperty())
    run_both(store_ro, WithProperty(), 1)
    o, s = Plain(), Slotted()
    with jit_enabled(0):
        del_x(o)
        with pytest.raises(AttributeError):
            del_x(o)
    assert not hasattr(o, "x")
    assert_compiled(del_x)

    def del_a(o):
        del o.a
    with jit_enabled(0):
        del_a(s)
    assert not hasattr(s, "a")
    assert_compiled(del_a)


def load_colour(o):
    return o.colur


def load_upper(s):
    return s.uper


class Colourful:
    def __init__(self):
        self.colour = "red"


def store_unslotted(o):
    o.attr = 1


def _formatted(outcome):
    """The traceback module's text plus the interpreter's own display (sys.excepthook), which
    in 3.11 is what adds "Did you mean" from AttributeError.name/.obj."""
    result, _ = outcome
    assert result[0] == "raised"
    exc = result[4]
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        sys.__excepthook__(type(exc), exc, exc.__traceback__)
    return lines + err.getvalue().splitlines()


@pytest.mark.parametrize("func,arg", [(load_colour, Colourful()), (load_upper, "abc"),
                                      (load_x, Slotted()), (store_unslotted, Slotted())])
def test_attribute_error_suggestions_and_traceback_text(func, arg):
    want = _formatted(run_interpreted(func, arg))
    got = _formatted(run_jit(func, arg))
    assert got == want
    assert any("Did you mean" in line for line in got) == any("Did you mean" in line
                                                              for line in want)
    if func is load_colour:
        assert got[-1].endswith("Did you mean: 'colour'?")


def test_load_attr_refcounts():
    o = Plain()
    o.x = 10**20 + 7
    val = o.x
    with jit_enabled(0):
        before = sys.getrefcount(o), sys.getrefcount(val)
        for _ in range(1000):
            load_x(o)
            store_x(o, "tmp")
            try:
                load_secret(WithGetattribute())
            except AttributeError:
                pass
        assert (sys.getrefcount(o), sys.getrefcount(val)) == before
    assert_compiled(load_x)


# ---- building containers ------------------------------------------------------------------

def build_all(a, b, c):
    return (a, b, c), [a, b, c], {a, b, c}, {a: b, b: c}, {"x": a, "y": b}, (), [], {}, (a,), [a]


def build_big(a):
    return ((a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a),
            [a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a],
            {a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})


@pytest.mark.parametrize("args", [(1, 2, 3), ("a", "b", "a"), (1, 1.0, True), (None, (), "")])
def test_build_displays(args):
    run_both(build_all, *args)
    run_both(build_big, args[0])


def test_build_unhashable_and_duplicates():
    run_both(build_all, [1], 2, 3)         # unhashable in the set
    run_both(build_all, 1, [2], 3)

    def dup(a, b):
        return {a: 1, b: 2, a: 3}, {"k": a, "k2": b}
    run_both(dup, "x", "y")
    run_both(dup, 1, 1.0)


def build_map_n(k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11, k12):
    return {k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9, k10: 10, k11: 11,
            k12: 12}


def build_map_6(k1, k2, k3, k4, k5, k6):
    return {k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6}


def const_key_map_n(v):
    return {"a": v, "b": v, "c": v, "d": v, "e": v, "f": v, "g": v, "h": v, "i": v, "j": v,
            "k": v, "l": v}


@pytest.mark.parametrize("keys", [[chr(ord("a") + i) for i in range(12)], list(range(12)),
                                  ["a", 1] + [chr(ord("b") + i) for i in range(10)],
                                  [1, 2, 3, 4, "a", "b", "c", "d", "e", "f", "g", "h"]])
def test_dict_display_sizes_match_interpreter(keys):
    want = run_interpreted(build_map_n, *keys)[0][1]
    got = run_both(build_map_n, *keys)
    assert sys.getsizeof(got) == sys.getsizeof(want)
    want6 = run_interpreted(build_map_6, *keys[:6])[0][1]
    got6 = run_both(build_map_6, *keys[:6])
    assert sys.getsizeof(got6) == sys.getsizeof(want6)
    want_c = run_interpreted(const_key_map_n, 1)[0][1]
    got_c = run_both(const_key_map_n, 1)
    assert sys.getsizeof(got_c) == sys.getsizeof(want_c)


def test_build_const_key_map_bad_keys_via_edited_code():
    def f(a, b):
        return {"x": a, "y": b}
    consts = tuple(["not a tuple" if c == ("x", "y") else c for c in f.__code__.co_consts])
    f.__code__ = f.__code__.replace(co_consts=consts)
    exc = run_both(f, 1, 2)
    assert isinstance(exc, SystemError) and str(exc) == "bad BUILD_CONST_KEY_MAP keys argument"


def test_build_refcounts():
    a, b = object(), object()
    with jit_enabled(0):
        before = sys.getrefcount(a), sys.getrefcount(b)
        for _ in range(500):
            build_all(a, b, 3)
            build_big(a)
            try:
                build_all([], b, 3)
            except TypeError:
                pass
        assert (sys.getrefcount(a), sys.getrefcount(b)) == before
    assert_compiled(build_all)


# ---- star displays: LIST_EXTEND, SET_UPDATE, DICT_UPDATE, LIST_TO_TUPLE ---------------------

def star_list(a, b):
    return [*a, *b], [1, *a, 2, *b, 3]


def star_tuple(a, b):
    return (*a,), (*a, *b), (0, *b)


def star_set(a, b):
    return {*a}, {*a, *b, 99}


def star_dict(a, b):
    return {**a}, {**a, **b}, {"first": 0, **b, "last": 1}


def const_list():
    return [1, 2, 3, 4, 5], {1, 2, 3, 4, 5}


class Mapping:
    def keys(self):
        return ["k1", "k2"]

    def __getitem__(self, key):
        return key.upper()


class NotAMapping:
    def keys(self):
        raise AttributeError("keys on purpose")


@pytest.mark.parametrize("a,b", [((1, 2), [3]), ("ab", range(2)), ({1: 2}, {3}), ([], ()),
                                 (1, [2]), ([1], 2), (None, []), ("ab", 5)])
def test_star_sequences(a, b):
    run_both(star_list, a, b)
    run_both(star_tuple, a, b)


@pytest.mark.parametrize("a,b", [((1, 2), [3]), ("ab", range(2)), ([], ()), (1, [2]),
                                 ([[1]], [2]), ([1], 2)])
def test_star_sets(a, b):
    run_both(star_set, a, b)


@pytest.mark.parametrize("a,b", [({1: 2}, {"x": 3}), ({}, {}), ({1: 2}, {1: 3}),
                                 (Mapping(), {"k1": "over"}), ({}, 5), ([1], {}),
                                 ({}, NotAMapping()), ({}, [(1, 2)])])
def test_star_dicts(a, b):
    run_both(star_dict, a, b)


def test_constant_displays():
    run_both(const_list)


def call_star(g, a, b):
    return g(*a, *b)


def call_starstar(g, a, b):
    return g(**a, **b)


def call_starstar_one(g, a):
    return g(**a)


def kwfunc(**kw):
    return sorted(kw.items())


def test_call_star_args_use_list_to_tuple():
    run_both(call_star, max, [1, 5], (3,))
    run_both(call_star, max, [1, 5], 5)         # Value after * must be an iterable, not int


@pytest.mark.parametrize("a,b", [({"x": 1}, {"y": 2}), ({"x": 1}, {"x": 2}), ({"x": 1}, 5),
                                 ({}, NotAMapping()), ({}, Mapping())])
def test_dict_merge_for_calls(a, b):
    run_both(call_starstar, kwfunc, a, b)
    run_both(call_starstar, dict, a, b)


def test_dict_merge_error_messages():
    exc = run_both(call_starstar, kwfunc, {"x": 1}, {"x": 2})
    assert str(exc) == "test_containers.kwfunc() got multiple values for keyword argument 'x'"
    exc = run_both(call_starstar_one, kwfunc, 1)
    assert str(exc) == "test_containers.kwfunc() argument after ** must be a mapping, not int"


def test_star_refcounts():
    a = (object(), object())
    item = object()
    lst = [item]
    d = {"k": item}
    with jit_enabled(0):
        before = [sys.getrefcount(o) for o in (a[0], a[1], item, lst, d)]
        for _ in range(300):
            star_list(a, lst)
            star_tuple(a, lst)
            star_dict(d, d)
            try:
                star_list(a, 5)
            except TypeError:
                pass
        assert [sys.getrefcount(o) for o in (a[0], a[1], item, lst, d)] == before
    assert_compiled(star_list)


# ---- comprehensions (separate code objects) -------------------------------------------------

def nested_code_objects(func):
    found, todo = [], list(func.__code__.co_consts)
    while todo:
        c = todo.pop()
        if isinstance(c, types.CodeType):
            found.append(c)
            todo.extend(c.co_consts)
    return found


def run_comprehension(func, *args):
    result = run_both(func, *args)
    codes = nested_code_objects(func)
    assert codes, "no comprehension code object found"
    for code in codes:
        info = pyjion_x64.info(code)
        assert info["compiled"], "%s not compiled: %s" % (code.co_name, info["reason"])
    return result


def list_comp(a):
    return [x * 2 for x in a if x != 3]


def set_comp(a):
    return {x % 3 for x in a}


def dict_comp(a):
    return {x: x * x for x in a}


def dict_comp_pairs(pairs):
    return {k: v for k, v in pairs}


def nested_comp(n):
    return [[i * j for j in n] for i in n]


def nested_flat_comp(rows):
    return [x for row in rows for x in row if x]


def comp_of_dict_and_set(rows):
    return [{k: {v, k} for k, v in row} for row in rows]


def comp_raises(a):
    return [10 // x for x in a]


def comp_unpack_error(a):
    return {k: v for k, v in a}


@pytest.mark.parametrize("a", [[1, 2, 3, 4], (), range(7), "abc"])
def test_comprehensions(a):
    if a == "abc":
        run_comprehension(list_comp, a)
        return
    run_comprehension(list_comp, a)
    run_comprehension(set_comp, a)
    run_comprehension(dict_comp, a)


def test_nested_comprehensions():
    run_comprehension(nested_comp, [1, 2, 3])
    run_comprehension(nested_flat_comp, [[1, 0, 2], [], [3]])
    run_comprehension(comp_of_dict_and_set, [[(1, 2), (3, 4)], [(5, 5)]])
    run_comprehension(dict_comp_pairs, [("a", 1), ("b", 2), ("a", 3)])


def test_comprehension_errors():
    run_comprehension(comp_raises, [1, 2, 0])
    run_comprehension(comp_unpack_error, [(1, 2), (1, 2, 3)])
    run_comprehension(comp_unpack_error, [(1, 2), 5])
    run_comprehension(set_comp, [[1]])
    run_comprehension(dict_comp_pairs, [([1], 2)])


def test_comprehension_refcounts():
    items = [object() for _ in range(4)]
    with jit_enabled(0):
        before = [sys.getrefcount(o) for o in items]
        for _ in range(300):
            [x for x in items]
            set_comp(range(10))
            dict_comp_pairs([(o, o) for o in items])
        assert [sys.getrefcount(o) for o in items] == before


# ---- UNPACK_SEQUENCE / UNPACK_EX ------------------------------------------------------------

class Iterable:
    """Iterable over a tuple, fresh iterator each time; optionally raises at position n."""

    def __init__(self, items, fail_at=None):
        self.items, self.fail_at = items, fail_at

    def __iter__(self):
        return _Iter(self.items, self.fail_at)


class _Iter:
    def __init__(self, items, fail_at):
        self.items, self.fail_at, self.i = items, fail_at, 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.i == self.fail_at:
            raise RuntimeError("iteration failed at %d" % self.i)
        if self.i >= len(self.items):
            raise StopIteration
        self.i += 1
        return self.items[self.i - 1]


class OnlyGetitem:
    def __getitem__(self, i):
        if i >= 2:
            raise IndexError
        return i * 10


def unpack2(s):
    a, b = s
    return b, a


def unpack3(s):
    a, b, c = s
    return [c, b, a]


def unpack1(s):
    a, = s
    return a


def unpack0(s):
    () = s
    return "empty"


def unpack_nested(s):
    a, (b, c), d = s
    return a, b, c, d


def unpack_loop(pairs):
    out = []
    for k, v in pairs:
        out = [*out, v, k]
    return out


UNPACK_INPUTS = [(1, 2), [1, 2], (1, 2, 3), [1, 2, 3], (1,), [1], (), [], "ab", "abc", b"xy",
                 {1: 2, 3: 4}, {5, 6}, range(2), range(3), 5, None, 1.5,
                 Iterable((1, 2)), Iterable((1, 2, 3)), Iterable((1,)), Iterable((1, 2), 1),
                 Iterable((1, 2, 3), 2), OnlyGetitem()]


@pytest.mark.parametrize("s", UNPACK_INPUTS)
def test_unpack_sequence(s):
    run_both(unpack2, s)
    run_both(unpack3, s)
    run_both(unpack1, s)
    run_both(unpack0, s)


def test_unpack_messages():
    assert str(run_both(unpack2, (1, 2, 3))) == "too many values to unpack (expected 2)"
    assert str(run_both(unpack3, [1, 2])) == "not enough values to unpack (expected 3, got 2)"
    assert str(run_both(unpack2, 7)) == "cannot unpack non-iterable int object"
    assert str(run_both(unpack3, Iterable((1, 2, 3), 2))) == "iteration failed at 2"


def test_unpack_nested_and_loop():
    run_both(unpack_nested, (1, [2, 3], 4))
    run_both(unpack_nested, (1, (2,), 4))
    run_both(unpack_nested, (1, 2, 4))
    run_both(unpack_loop, [(1, 2), [3, 4], "ab"])
    run_both(unpack_loop, [(1, 2), (3,)])


def unpack_many(s):
    a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r = s
    return r, a, i


def test_unpack_long_sequence_uses_helper():
    run_both(unpack_many, tuple(range(18)))
    run_both(unpack_many, list(range(18)))
    run_both(unpack_many, range(17))


def star_mid(s):
    a, *b, c = s
    return a, b, c


def star_first(s):
    *a, b = s
    return a, b


def star_last(s):
    a, b, *c = s
    return a, b, c


def star_only(s):
    *a, = s
    return a


def star_many_after(s):
    a, *b, c, d, e = s
    return a, b, c, d, e


@pytest.mark.parametrize("s", [(1, 2), [1, 2, 3], (1, 2, 3, 4, 5, 6), (), [1], "abcd",
                               range(5), 5, None, Iterable((1, 2, 3)), Iterable((1, 2, 3), 1),
                               Iterable((1, 2, 3, 4), 3), OnlyGetitem()])
def test_unpack_ex(s):
    run_both(star_mid, s)
    run_both(star_first, s)
    run_both(star_last, s)
    run_both(star_only, s)
    run_both(star_many_after, s)


def test_unpack_ex_messages():
    assert str(run_both(star_mid, (1,))) == \
        "not enough values to unpack (expected at least 2, got 1)"
    assert str(run_both(star_many_after, (1, 2, 3))) == \
        "not enough values to unpack (expected at least 4, got 3)"
    assert str(run_both(star_last, [1])) == \
        "not enough values to unpack (expected at least 2, got 1)"
    assert str(run_both(star_mid, 3)) == "cannot unpack non-iterable int object"


def unpack_in_try(s):
    try:
        x = [0, (1, 2)]
        a, b = s
        return x, a, b
    except ValueError as e:
        return "caught", str(e)


def test_unpack_error_caught():
    run_both(unpack_in_try, (1, 2))
    run_both(unpack_in_try, (1, 2, 3))


def test_unpack_refcounts():
    items = (object(), object(), object())
    as_list = [*items]
    with jit_enabled(0):
        before = [sys.getrefcount(o) for o in items] + [sys.getrefcount(items),
                                                        sys.getrefcount(as_list)]
        for _ in range(500):
            unpack3(items)
            unpack3(as_list)
            star_mid(items)
            star_mid(as_list)
            for bad in (items[:2], as_list[:2], Iterable(items, 2), items + items):
                try:
                    unpack3(bad)
                except (ValueError, RuntimeError):
                    pass
            try:
                star_many_after(items)
            except ValueError:
                pass
        del bad
        after = [sys.getrefcount(o) for o in items] + [sys.getrefcount(items),
                                                       sys.getrefcount(as_list)]
        assert after == before
    assert_compiled(unpack3)
    assert_compiled(star_mid)


# ---- f-strings: FORMAT_VALUE, BUILD_STRING ----------------------------------------------------

class StrSub(str):
    def __format__(self, spec):
        return "StrSub.__format__(%r)" % spec

    def __str__(self):
        return "StrSub.__str__"


class Fmt:
    def __format__(self, spec):
        return "Fmt[" + spec + "]"

    def __repr__(self):
        return "Fmt-repr-\u00e9"

    def __str__(self):
        return "Fmt-str"


class BadStr:
    def __str__(self):
        raise ValueError("bad __str__")

    def __repr__(self):
        return 5   # TypeError: __repr__ returned non-string

    def __format__(self, spec):
        raise KeyError(spec)


def fstr_plain(a):
    return f"{a}"


def fstr_conversions(a):
    return f"{a!s}|{a!r}|{a!a}"


def fstr_spec(a, w, p):
    return f"[{a:>10}][{a:{w}}][{a!r:^{w}.{p}}][{a:{w}.{p}}]"


def fstr_number(x, w, p):
    return f"{x:{w}.{p}f}|{x:,}|{x!r:>{w}}|{x:#x}" if isinstance(x, int) else f"{x:{w}.{p}f}"


def fstr_many(a, b, c):
    return f"a={a} b={b!r} c={c:>3} {a}{b}{c} {'lit'} {a!a:<4}|end"


@pytest.mark.parametrize("a", ["plain", "\u00e9\u4e2d", "", 42, 3.5, None, [1, "x"], Fmt(),
                               StrSub("sub")])
def test_fstrings(a):
    run_both(fstr_plain, a)
    run_both(fstr_conversions, a)
    run_both(fstr_many, a, a, a)


@pytest.mark.parametrize("a", ["text", "\u00e9", Fmt(), StrSub("s")])
def test_fstring_specs(a):
    run_both(fstr_spec, a, 6, 2)
    run_both(fstr_spec, a, "<8", 3)


def test_fstring_numbers_and_errors():
    run_both(fstr_number, 1234567, 12, 3)
    run_both(fstr_number, 3.14159, 10, 2)
    run_both(fstr_number, 3.14159, "x", 2)     # Invalid format specifier
    run_both(fstr_spec, 5, "q", 1)             # Unknown format code
    run_both(fstr_plain, BadStr())
    run_both(fstr_conversions, BadStr())


class IntSub(int):
    def __format__(self, spec):
        return "IntSub(%s)" % spec


def fstr_builtin_specs(values, spec):
    """Exact ints, floats and strs with specs (formatted as their own __format__ does,
    without the method call), next to bools, subclasses and an empty dynamic spec."""
    return [f"{v:>8}|{v:{spec}}|{v!s:^9}" if not isinstance(v, float) else
            f"{v:>8.3f}|{v:{spec}}|{v:e}|{v:%}" for v in values]


def test_fstring_specs_of_builtin_values():
    values = [0, -5, 2 ** 70, True, IntSub(3), 0.5, -0.0, float("nan"), float("inf"), 1e300,
              "s", "\u00e9t\u00e9", ""]
    for spec in ("", "<6", "^10", "*>7"):
        run_both(fstr_builtin_specs, values, spec)
    run_both(fstr_builtin_specs, [3.5], ",d")  # ValueError: Unknown format code 'd'


def test_fstring_str_subclass_is_not_short_cut():
    assert run_both(fstr_plain, StrSub("x")) == "StrSub.__format__('')"


def test_fstring_refcounts():
    s = "refcounted-" + str(10**20)
    o = Fmt()
    with jit_enabled(0):
        before = sys.getrefcount(s), sys.getrefcount(o)
        for _ in range(500):
            fstr_plain(s)
            fstr_conversions(s)
            fstr_spec(s, 30, 4)
            fstr_plain(o)
            fstr_many(s, o, s)
        assert (sys.getrefcount(s), sys.getrefcount(o)) == before
        assert fstr_plain(s) is s
    assert_compiled(fstr_plain)


# ---- code compiled after the interpreter specialised it (type hints) --------------------------

def _specialised(func, *names):
    import dis
    ops = {i.opname for i in dis.get_instructions(func, adaptive=True)}
    return all(n in ops for n in names)


def hinted_subscr(a, i):
    return a[i]


def hinted_store(a, i, v):
    a[i] = v


def hinted_unpack(s):
    a, b = s
    return b, a


@pytest.mark.parametrize("warm", ["list", "tuple", "dict"])
def test_specialised_subscr_still_handles_every_type(warm):
    f = types.FunctionType(hinted_subscr.__code__.replace(), globals(), "hinted_subscr")
    sample = {"list": ([1, 2], 1), "tuple": ((1, 2), 1), "dict": ({1: "x"}, 1)}[warm]
    with jit_enabled(300):
        for _ in range(400):
            f(*sample)
    assert_compiled(f)
    assert _specialised(f, "BINARY_SUBSCR_" + {"list": "LIST_INT", "tuple": "TUPLE_INT",
                                               "dict": "DICT"}[warm])
    for args in [([1, 2], 1), ([1, 2], -1), ([1, 2], 2), ((1, 2), 0), ((1, 2), -3),
                 ({1: "x"}, 1), ({1: "x"}, 2), (DictMissing(), 1), ("ab", 1), (Box(), 1)]:
        run_both(f, *args)


@pytest.mark.parametrize("warm", ["list", "dict"])
def test_specialised_store_still_handles_every_type(warm):
    f = types.FunctionType(hinted_store.__code__.replace(), globals(), "hinted_store")
    target = [0, 0] if warm == "list" else {}
    with jit_enabled(300):
        for _ in range(400):
            f(target, 1, "v")
    assert_compiled(f)
    assert _specialised(f, "STORE_SUBSCR_" + {"list": "LIST_INT", "dict": "DICT"}[warm])
    lst, d, box = [0, 0], {}, Box()
    with jit_enabled(0):
        f(lst, -1, "a")
        f(d, "k", "b")
        f(box, 2, "c")
        with pytest.raises(IndexError, match="list assignment index out of range"):
            f(lst, 2, "x")
        with pytest.raises(TypeError, match="unhashable"):
            f(d, [], "x")
    assert lst == [0, "a"] and d == {"k": "b"} and box.log == [("set", 2, "c")]


@pytest.mark.parametrize("warm", [(1, 2), [1, 2]])
def test_specialised_unpack_still_handles_every_type(warm):
    f = types.FunctionType(hinted_unpack.__code__.replace(), globals(), "hinted_unpack")
    with jit_enabled(300):
        for _ in range(400):
            f(warm)
    assert_compiled(f)
    assert _specialised(f, "UNPACK_SEQUENCE_TWO_TUPLE" if isinstance(warm, tuple)
                        else "UNPACK_SEQUENCE_LIST")
    for s in [(1, 2), [1, 2], (1, 2, 3), [1], "ab", Iterable((1, 2)), 5]:
        run_both(f, s)


# ---- LOAD_ATTR inline cache (compiled after the interpreter specialised the load) ---------------

class Point:
    def __init__(self, x=1, y=2):
        self.a, self.b, self.c, self.x, self.y = "a", "b", "c", x, y


class PointSub(Point):
    pass


class OtherWithX:
    def __init__(self):
        self.x = "other"


class SlotPoint:
    __slots__ = ("x", "y")

    def __init__(self, x=1, y=2):
        self.x, self.y = x, y


def cached_load_y(o):
    return o.y


def _warm_attr_load(cls, func):
    f = types.FunctionType(func.__code__.replace(), globals(), func.__name__)
    obj = cls()
    with jit_enabled(300):
        for _ in range(400):
            f(obj)
    assert_compiled(f)
    return f


def test_cached_instance_attribute_load():
    f = _warm_attr_load(Point, cached_load_y)
    assert _specialised(f, "LOAD_ATTR_INSTANCE_VALUE")
    p = Point(y="why")
    run_both(f, p)
    run_both(f, PointSub())                 # another type: the version guard fails
    run_both(f, OtherWithX())               # no y: AttributeError from the slow path
    run_both(f, SlotPoint())
    run_both(f, 5)
    q = Point()
    del q.y                                 # unset entry in the values array
    exc = run_both(f, q)
    assert isinstance(exc, AttributeError)
    r = Point(y="dict")
    r.__dict__["extra"] = 1                 # materialised __dict__: no values array
    assert run_both(f, r) == "dict"
    s = Point(y="class changed")
    s.__class__ = PointSub
    assert run_both(f, s) == "class changed"


def test_cached_instance_attribute_sees_type_changes():
    class Local:
        def __init__(self):
            self.y = "instance"
    f = _warm_attr_load(Local, cached_load_y)
    assert _specialised(f, "LOAD_ATTR_INSTANCE_VALUE")
    o = Local()
    with jit_enabled(0):
        assert f(o) == "instance"
        Local.y = property(lambda self: "property wins")   # data descriptor on the type
        assert f(o) == "property wins"
        del Local.y
        assert f(o) == "instance"
        Local.z = 1                                          # any change bumps the version
        assert f(o) == "instance"
    assert_compiled(f)


def test_cached_slot_load():
    f = _warm_attr_load(SlotPoint, cached_load_y)
    assert _specialised(f, "LOAD_ATTR_SLOT")
    run_both(f, SlotPoint(y="slot"))
    run_both(f, Point(y="not a slot"))
    o = SlotPoint()
    del o.y
    exc = run_both(f, o)
    assert isinstance(exc, AttributeError)

    class SlotSub(SlotPoint):
        __slots__ = ()
    run_both(f, SlotSub(y="sub"))


def test_cached_attribute_refcounts():
    f = _warm_attr_load(Point, cached_load_y)
    g = _warm_attr_load(SlotPoint, cached_load_y)
    val = 10**20 + 3
    p, s = Point(y=val), SlotPoint(y=val)
    with jit_enabled(0):
        before = sys.getrefcount(val), sys.getrefcount(p), sys.getrefcount(s)
        for _ in range(1000):
            assert f(p) is val
            assert g(s) is val
        assert (sys.getrefcount(val), sys.getrefcount(p), sys.getrefcount(s)) == before
