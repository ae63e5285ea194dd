"""`for a, b in ...` over enumerate, dict items and zip: FOR_ITER and UNPACK_SEQUENCE 2 are
compiled together and the pair goes straight into the unpacked slots (rt_for_iter_pair),
keeping each iterator's reusable result tuple as its tp_iternext does. Every test compares
with the interpreter (results, exceptions, tracebacks, and the moments objects die: Noisy
prints), and asserts that the compiled code has the fused step."""
import sys

import pytest

import pyjion_x64
from jitutil import run_both


class Noisy:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print("del", self.tag)

    def __repr__(self):
        return "Noisy(%s)" % self.tag


def assert_pair_step(func):
    notes = [n for _, n in pyjion_x64.native(func)[2]]
    assert "call rt_for_iter_pair" in notes, notes


def enumerate_loops(n):
    out = []
    for i, x in enumerate(range(n)):
        out.append(i * x)
    for i, c in enumerate("abc", start=-2):
        out.append((i, c))
    for i, x in enumerate([Noisy("a"), Noisy("b"), Noisy("c")]):
        out.append((i, x.tag))
        del x  # the reused result tuple still holds it until the next step
        print("after del", i)
    big = sys.maxsize - 2
    for i, c in enumerate("wxyz", big):  # counting past sys.maxsize goes on in a big int
        out.append((i - big, c))
    it = enumerate([10, 20, 30, 40])
    for i, x in it:
        out.append((i, x))
        if i == 1:
            break
    for i, x in it:  # resumed after the break
        out.append(("again", i, x))
    for i, x in it:  # exhausted
        out.append("never")
    kept = []
    it = enumerate("pqrs")
    for i, x in it:  # a tuple taken out by next() makes the iterator build fresh ones
        kept.append(next(it))
        out.append((i, x))
    out.append(kept)
    return out


def enumerate_of_failing_source(n):
    def gen():
        yield "g0"  # not Noisy: the traceback keeps the frames, and their locals, alive
        yield "g1"
        raise KeyError("from the source")
    out = []
    for i, x in enumerate(gen()):
        out.append((i, x))
    return out


def dict_items_loops(n):
    d = {i: str(i) for i in range(n)}
    out = [(k, v) for k, v in d.items()]
    for k, v in {"a": 1, "b": 2}.items():
        out.append((k, v))
    split = Noisy("holder")
    split.x, split.y = Noisy("vx"), Noisy("vy")
    for k, v in vars(split).items():  # an instance dict
        out.append((k, repr(v)))
    del split
    noisy = {1: Noisy("one"), 2: Noisy("two"), 3: Noisy("three")}
    for k, v in noisy.items():
        noisy[k] = None  # the value lives on in v and the result tuple
        print("replaced", k)
    it = iter(d.items())
    for k, v in it:
        if k == 1:
            break
    out.append(list(it))
    return out


def dict_changed_size(n):
    d = {i: i for i in range(n + 2)}
    for k, v in d.items():
        print("step", k, v)
        if k == 1:
            d["new"] = 0


def dict_keys_changed(n):
    d = {i: i for i in range(n + 2)}
    for k, v in d.items():
        print("step", k, v)
        if k == 0:
            del d[n + 1]
            d["other"] = 1


def zip_loops(n):
    out = []
    for a, b in zip(range(n), "abcdefgh"):
        out.append((a, b))
    src = iter([1, 2, 3, 4])
    for a, b in zip(src, "xy"):  # the first iterator's third item is taken, then dropped
        out.append((a, b))
    out.append(list(src))
    for a, b in zip([Noisy("z0"), Noisy("z1")], [Noisy("w0"), Noisy("w1")]):
        out.append((a.tag, b.tag))
        del a, b
        print("body done")
    for a, b in zip((), range(3)):
        out.append("never")
    for a, b, c in zip("ab", "cd", "ef"):  # three: no pair
        out.append(a + b + c)
    return out


def zip_strict(n):
    out = []
    for a, b in zip(range(n), range(n + 1), strict=True):
        out.append(a + b)
    return out


def zip_failing(n):
    def gen():
        yield 1
        raise ValueError("second source failed")
    out = []
    for a, b in zip(["f0", "f1"], gen()):
        out.append(a)
    return out


def other_pairs(n):
    """Items that are not made by a pair iterator: tuples and lists from a list, a
    generator's tuples, and items that do not unpack."""
    out = []
    for a, b in [(1, 2), [3, 4]]:
        out.append(a - b)
    for a, b in ((i, -i) for i in range(n)):
        out.append(a + b)
    for a, b in [(1, 2), (3,)]:
        out.append(a)


@pytest.mark.parametrize("func", [enumerate_loops, enumerate_of_failing_source, dict_items_loops,
                                  dict_changed_size, dict_keys_changed, zip_loops, zip_strict,
                                  zip_failing, other_pairs])
@pytest.mark.parametrize("n", [0, 3])
def test_pair_loops(func, n):
    run_both(func, n)
    assert_pair_step(func)


def zip_second_fails(items):
    def second():
        yield 0
        raise ValueError("second")
    try:
        for a, b in zip(items, second()):  # the first source's second item is taken, then lost
            pass
    except ValueError:
        pass
    return [(a, b) for a, b in zip(items, items[1:])]


def test_pair_loop_refcounts():
    items = [object() for _ in range(4)]
    d = dict(zip(range(4), items))
    before = [sys.getrefcount(x) for x in items]
    for _ in range(3):
        run_both(lambda: [(i, x) for i, x in enumerate(items)])
        run_both(lambda: [(k, v) for k, v in d.items()])
        run_both(lambda: [(a, b) for a, b in zip(items, d.values())])
        run_both(zip_second_fails, items)
    assert_pair_step(zip_second_fails)
    assert [sys.getrefcount(x) for x in items] == before
