"""An int temporary (the result of the operation before, held by nothing but the operand
stack) may take the next int operation's one-digit result in place, as float temporaries
do: `(a * b + c) & m` boxes once. Nothing anyone else holds may change: ints in locals,
globals, containers, call results, cached small ints. Every test compares with the
interpreter and checks that what others hold is intact."""
import sys

import pytest

import pyjion_x64
from jitutil import assert_compiled, run_both

BIG = 10 ** 6
ZERO = 0
HELD = [123456, -98765, 2 ** 29 + 3]


def held():
    return BIG


def chains(n):
    out = []
    t = 7
    for i in range(n):
        t = (t * 31 + i) & 0x3FFFFFFF        # stays one digit
        u = (t * 40503 + 12345) % 1000003    # two digits in between
        v = (i * i - 5000) * -3 + 1          # negative and positive
        w = (i + 1000) - (i + 1000)          # small results come from the cache
        x = ((i << 20) + 7) >> 3
        y = (BIG + i) * 2 - BIG              # a global operand
        z = (held() + 1) * 2                 # a call result others hold
        h = (HELD[i % 3] + 0) * 1            # a list item
        big = (i + 2 ** 29) * 4 - 2 ** 30    # across the one-digit boundary both ways
        out.append((t, u, v, w, w is ZERO, x, y, z, h, big, (i - 300) * 1 is (i - 300)))
    return out


def small_identity(n):
    out = []
    for i in range(n):
        a = (i + 1000) * 2 - 2000 - i        # 0: the cached zero
        b = (i * 3 + 1000) - 1000 - 2 * i    # i: cached while small
        out.append((a is ZERO, b == i, b is i if i < 200 else None))
    return out


@pytest.mark.parametrize("n", [1, 10, 300])
def test_int_chains(n):
    before = (BIG, list(HELD))
    run_both(chains, n)
    assert (BIG, HELD) == before
    assert held() == 10 ** 6


def test_small_results_are_the_cached_ints():
    run_both(small_identity, 300)


def test_values_held_elsewhere_never_change():
    keep = []

    def f(n):
        out = []
        for i in range(n):
            t = i * 70001 + 5         # a temporary stored: the local holds it
            keep.append(t)
            out.append(t + 1)         # the local's int must not change
            out.append((t * 2) - 1)
        return out

    got = run_both(f, 50)
    assert keep[-50:] == [i * 70001 + 5 for i in range(50)] and len(keep) == 100
    assert got == f(50)
    assert_compiled(f)


def test_refcounts_of_held_ints():
    vals = [10 ** 7 + i for i in range(3)]
    before = [sys.getrefcount(v) for v in vals]

    def f():
        return [(v + 1) * 2 - v for v in vals] + [(v * 1) + 0 for v in vals]

    for _ in range(3):
        run_both(f)
    assert [sys.getrefcount(v) for v in vals] == before
    assert vals == [10 ** 7 + i for i in range(3)]
