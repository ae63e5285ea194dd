"""Core families: locals, constants, operators (with their inline fast paths), jumps, loops."""
import sys

import pytest

import pyjion_x64
from jitutil import assert_compiled, jit_enabled, run_both


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    return a * b


INT_EDGES = [0, 1, -1, 5, -5, 255, 256, 257, -6, 2**30 - 1, -(2**30 - 1), 2**30, 2**62, 10**40]
FLOAT_EDGES = [0.0, -0.0, 1.5, float("inf"), float("-inf"), float("nan"), 1e308]


@pytest.mark.parametrize("op", [add, sub, mul])
@pytest.mark.parametrize("a", INT_EDGES)
@pytest.mark.parametrize("b", [0, 1, -1, 2**30 - 1, 2**30, 7])
def test_int_arith(op, a, b):
    run_both(op, a, b)


@pytest.mark.parametrize("op", [add, sub, mul])
@pytest.mark.parametrize("a", FLOAT_EDGES)
@pytest.mark.parametrize("b", FLOAT_EDGES + [3])
def test_float_arith(op, a, b):
    run_both(op, a, b)


@pytest.mark.parametrize("a,b", [(True, 1), (1, True), ("a", "b"), ([1], [2]), (1, "x"),
                                 (1, 2.5), (2.5, 1), (1j, 2), (None, 1)])
def test_arith_mixed_and_errors(a, b):
    run_both(add, a, b)
    run_both(sub, a, b)


class IntSub(int):
    pass


def test_int_subclass_goes_slow_path():
    assert run_both(add, IntSub(3), 4) == 7


def test_fast_path_refcounts():
    big_a, big_b = 10**6 + 1, 10**6 + 2  # boxed results, not cached small ints
    with jit_enabled(0):
        before = sys.getrefcount(big_a), sys.getrefcount(big_b)
        for _ in range(1000):
            add(big_a, big_b)
            sub(big_a, big_b)
        assert (sys.getrefcount(big_a), sys.getrefcount(big_b)) == before
        x, y = 1.25, 2.5
        before = sys.getrefcount(x), sys.getrefcount(y)
        for _ in range(1000):
            add(x, y)
        assert (sys.getrefcount(x), sys.getrefcount(y)) == before
    assert_compiled(add)
    assert_compiled(sub)


def binops(a, b):
    return [a + b, a - b, a * b, a / b, a // b, a % b, a ** 2, a << 2, a >> 1, a & b, a | b,
            a ^ b, -a, +a, ~a, not a]


@pytest.mark.parametrize("a,b", [(7, 3), (-7, 3), (7, -3), (2**70, 3)])
def test_all_binary_ops(a, b):
    run_both(binops, a, b)


def inplace(a, b):
    a += b
    a -= 1
    a *= b
    a //= 2
    a **= 2
    a %= 1000
    a <<= 1
    a >>= 1
    a |= 8
    a &= 0xff
    a ^= 3
    return a


def test_inplace_ops():
    run_both(inplace, 5, 6)


@pytest.mark.parametrize("a,b", [(1, 0), (1.0, 0.0), (1, 0.0)])
def test_division_by_zero(a, b):
    def div(a, b):
        return a / b
    run_both(div, a, b)


def compare_branch(a, b):
    out = []
    if a < b:
        out.append("lt")
    if a <= b:
        out.append("le")
    if a == b:
        out.append("eq")
    if a != b:
        out.append("ne")
    if a > b:
        out.append("gt")
    if a >= b:
        out.append("ge")
    return out


@pytest.mark.parametrize("a,b", [(1, 2), (2, 1), (2, 2), (-1, 1), (2**40, 1), (1.5, 1.5),
                                 (float("nan"), 1.0), (1.0, float("nan")), (-0.0, 0.0),
                                 (1, 1.0), ("a", "b"), ((1,), (1,))])
def test_compare_and_branch(a, b):
    run_both(compare_branch, a, b)


def compare_values(a, b):
    return [a < b, a <= b, a == b, a != b, a > b, a >= b, a is b, a is not b]


@pytest.mark.parametrize("a,b", [(1, 2), (None, None), ("x", "x"), (1.0, 1)])
def test_compare_values(a, b):
    run_both(compare_values, a, b)


def test_compare_type_error():
    run_both(compare_branch, 1, "x")


def contains(x, c):
    return [x in c, x not in c]


@pytest.mark.parametrize("x,c", [(1, [1, 2]), (3, (1, 2)), ("a", "abc"), (1, {1: 2}), (1, 5)])
def test_contains(x, c):
    run_both(contains, x, c)


def loops(n):
    total = 0
    i = 0
    while True:
        i += 1
        if i > n:
            break
        if i % 3 == 0:
            continue
        total += i
    else:
        total = -1
    for j in range(n):
        if j == 5:
            break
        total += j
    else:
        total += 1000
    for j in [1, 2, 3]:
        total += j
    else:
        total += 10000
    return total


@pytest.mark.parametrize("n", [0, 3, 10, 100])
def test_loops(n):
    run_both(loops, n)


class TupleSub(tuple):
    def __iter__(self):
        return iter(("sub",) + tuple(self))


def tuple_loops(n):
    """Exact tuple iterators stepped inline: empty, partly consumed before the loop, resumed
    after a break, exhausted (and stays exhausted), nested, items outliving the tuple, and a
    tuple subclass with its own __iter__."""
    t = tuple(range(n))
    out = [[x * 2 for x in t], [x for x in ()]]
    it = iter(t)
    next(it, None)
    for x in it:
        out.append(x)
        if x == 2:
            break
    out.append(list(it))
    out.append(list(it))  # exhausted: nothing more
    for x in it:
        out.append(("after the end", x))
    pairs = tuple((i, str(i)) for i in range(n))
    for a, b in pairs:
        for c in (a, b, (a, b)):
            out.append(c)
    kept = []
    for item in tuple([object(), [n], "s" * n]):
        kept.append(item)
    out.append(len(kept))
    out.append([x for x in TupleSub((1, 2))])
    return out


@pytest.mark.parametrize("n", [0, 1, 4, 50])
def test_tuple_loops(n):
    run_both(tuple_loops, n)


def test_tuple_loop_refcounts():
    items = tuple(object() for _ in range(5))
    before = [sys.getrefcount(x) for x in items]
    for _ in range(3):
        run_both(tuple_loops, 4)
        run_both(lambda t: [x for x in t], items)
    assert [sys.getrefcount(x) for x in items] == before


def range_loop_variables(n):
    # `for i in range(...)` may write the next value into the loop variable's own int when
    # nothing else holds it (as ceval's FOR_ITER_RANGE does): every value must still be
    # right, and an int kept elsewhere (a list, another variable, a frame's locals, a
    # closure) must never change under its holder
    out, kept = [], []
    for i in range(1000, 1000 + n):             # one-digit ints above the small-int cache
        out.append(i - 1000)
    for i in range(1000, 1000 + n):
        kept.append(i)                          # held twice: a fresh int each time
    last = None
    for i in range(2 ** 30 - 3, 2 ** 30 + 3):   # across the one-digit boundary
        prev, last = last, i
        out.append((prev, i))
    for i in range(-2000, -2000 + n):           # negative: never in place
        out.append(i)
    for i in range(5000, 5000 + n, 7):
        if i % 3 == 0:
            i = str(i)                          # rebound to something else in the body
        elif i % 3 == 1:
            del i                               # or unbound
    snapshots = []
    for i in range(3000, 3000 + n):
        snapshots.append(dict(locals_of(i)))
    closures = []
    for i in range(7000, 7000 + n):
        closures.append(lambda i=i: i)
    return (out, kept, last, [s["v"] for s in snapshots], [c() for c in closures])


def locals_of(v):
    return {"v": v}


@pytest.mark.parametrize("n", [0, 1, 50])
def test_range_loop_variables(n):
    run_both(range_loop_variables, n)


def truthiness(values):
    out = []
    for v in values:
        out.append(1 if v else 0)
        out.append(v or "default")
        out.append(v and "yes")
        if v is None:
            out.append("none")
        if v is not None:
            out.append("some")
    return out


def test_truthiness():
    run_both(truthiness, [0, 1, "", "x", [], [0], None, 0.0, float("nan"), {}, True, False])


class BadBool:
    def __bool__(self):
        raise ValueError("no truth")


def test_truth_error():
    def f(x):
        if x:
            return 1
        return 2
    run_both(f, BadBool())


def test_unbound_local():
    def f(flag):
        if flag:
            x = 1
        return x
    run_both(f, True)
    run_both(f, False)


def test_delete_fast():
    def f():
        x = 1
        del x
        del x
    run_both(f)


def test_iter_errors():
    def f(x):
        for i in x:
            pass
    run_both(f, 5)

    class BadIter:
        def __iter__(self):
            return self

        def __next__(self):
            raise KeyError("boom")
    run_both(f, BadIter())


def test_threshold_counts_calls():
    def g(x):
        return x + 1
    with jit_enabled(threshold=3):
        for i in range(3):
            g(i)
            assert not pyjion_x64.info(g)["compiled"]
        g(0)
        assert_compiled(g)
        assert pyjion_x64.info(g)["run_count"] == 4
