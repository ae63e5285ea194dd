"""`for k in d` and `for v in d.values()`: FOR_ITER steps exact dict key and value iterators
inline (DictIterNext) while the dict is unchanged, its table combined and the entry at the
iterator's position holds an item; everything else (deleted entries, split tables, the end,
a dict changed during iteration) is dictiter_iternextkey/value's. Every test compares with
the interpreter and asserts the compiled code has the inline steps."""
import sys

import pytest

import pyjion_x64
from jitutil import run_both


def assert_dict_steps(func):
    notes = [n for _, n in pyjion_x64.native(func)[2]]
    assert "dict key iterator" in notes and "dict value iterator" in notes, notes


class Key:
    """A key of a general (not all-str) table, with an __eq__ that is never needed."""

    def __init__(self, n):
        self.n = n

    def __hash__(self):
        return hash(self.n)

    def __eq__(self, other):
        return isinstance(other, Key) and other.n == self.n

    def __repr__(self):
        return "Key(%d)" % self.n


class Holder:
    pass


class DictSub(dict):
    pass


def dict_loops(n):
    out = []
    by_str = {"k%d" % i: i * i for i in range(n)}          # unicode entries
    by_int = {i * 7: str(i) for i in range(n)}              # general entries
    mixed = {1: "one", "two": 2, (3,): 3.0, Key(4): None}
    for d in (by_str, by_int, mixed, {}, DictSub(a=1, b=2)):
        out.append([k for k in d])
        out.append([v for v in d.values()])
        total = 0
        for k in d:
            total += hash(k) % 97
        for v in d.values():
            total += 1 if v is None else hash(v) % 89
        out.append(total)
    holed = dict(by_int)
    for k in list(holed)[::3]:                              # deleted entries in the table
        del holed[k]
    out.append([k for k in holed])
    out.append([v for v in holed.values()])
    h = Holder()
    h.a, h.b, h.c = 1, 2, 3                                 # a split table (shared keys)
    out.append([k for k in h.__dict__])
    out.append([v for v in vars(h).values()])
    it = iter(by_str)
    next(it, None)
    for k in it:                                            # partly consumed, then resumed
        out.append(k)
        if len(out) > 20:
            break
    out.append(list(it))
    for k in it:                                            # exhausted stays exhausted
        out.append(("after the end", k))
    replaced = dict.fromkeys("abcd", 0)
    for k in replaced:                                      # values replaced: allowed
        replaced[k] = k * 2
    for v in replaced.values():
        out.append(v)
    return out


def dict_changed_size(n):
    d = {i: i for i in range(n + 1)}
    for k in d:
        print("key", k)  # how far the loop gets before the error shows
        if k == n // 2:
            d[k + 1000] = 0


def dict_values_changed_size(n):
    d = {str(i): i for i in range(n + 1)}
    for v in d.values():
        print("value", v)
        if v == n // 2:
            del d[str(v)]


def dict_keys_changed(n):
    # the same size, but a key removed and another added: CPython finds an item after the
    # length it started with ran out
    d = {i: i for i in range(n + 1)}
    for k in d:
        print("key", k)
        if k == 0:
            del d[0]
            d[-1] = -1


@pytest.mark.parametrize("n", [0, 1, 5, 60])
def test_dict_loops(n):
    run_both(dict_loops, n)
    assert_dict_steps(dict_loops)


@pytest.mark.parametrize("func", [dict_changed_size, dict_values_changed_size, dict_keys_changed])
@pytest.mark.parametrize("n", [0, 3, 20])
def test_dicts_changed_during_iteration(func, n):
    run_both(func, n)


def test_dict_loop_refcounts():
    keys = [Key(i) for i in range(6)]
    values = [object() for _ in range(6)]
    d = dict(zip(keys, values))
    s = {"s%d" % i: v for i, v in enumerate(values)}
    before = [sys.getrefcount(x) for x in keys + values]
    for _ in range(3):
        run_both(dict_loops, 5)
        run_both(lambda: [k for k in d] + [v for v in d.values()] + [v for v in s.values()])
    assert [sys.getrefcount(x) for x in keys + values] == before
