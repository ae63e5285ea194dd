"""Self-check of the leak checker (run by tests/refleak/run.py before the real suite).

test_leaks_when_compiled keeps one extra reference per call only while the JIT is on, the
shape of a reference leak in compiled code: the checker must fail it. The other two must
pass: a body that grows the same whether compiled or not, and one that does not grow.
"""
import pyjion_x64
from jitutil import run_both

KEPT = []


def leaky(x):
    if pyjion_x64.is_enabled():
        KEPT.append(object())
    return x + 1


def grows_in_both(x):
    KEPT.append(x)
    return len(KEPT) > 0


def clean(x):
    try:
        return {"k": [x, str(x)]}[x]
    except KeyError as e:
        return repr(e)


def test_leaks_when_compiled():
    run_both(leaky, 1)


def test_same_growth_is_not_a_leak():
    run_both(grows_in_both, 1)


def test_clean():
    run_both(clean, 1)
