"""Regression tests for the bugs the differential program fuzzer (fuzz/progfuzz) found.

Each test is the fuzzer's minimised reproducer, tidied by hand, run through
jitutil.run_both (same result, exception, message, traceback and printed output,
interpreted and compiled, and the function asserted compiled). Objects whose __del__
prints make the instant at which the compiled code releases a reference visible: ceval's
order is part of the semantics the JIT must keep.
"""
from jitutil import run_both


class Noisy:
    """Says when it dies."""

    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print("del", self.tag)


class NoisyKey(Noisy):
    def __hash__(self):
        return 7

    def __eq__(self, other):
        return isinstance(other, NoisyKey)


# -- progfuzz seed 5, programs 2, 17, 25, 101, 109: dict displays released their operands
# first to last; BUILD_MAP and BUILD_CONST_KEY_MAP pop them last to first (the keys tuple of
# BUILD_CONST_KEY_MAP before the values). Visible when a repeated key drops a value.

def const_key_map_repeated_keys():
    d = {"k": Noisy(1), "k": Noisy(2), "k": Noisy(3), "j": Noisy(4)}
    print("built", sorted(d))
    del d
    print("end")


def test_build_const_key_map_releases_values_last_first():
    run_both(const_key_map_repeated_keys)


def map_repeated_keys(k, j):
    d = {k: Noisy(1), j: Noisy(2), k: Noisy(3), j: Noisy(4), k: Noisy(5)}
    print("built", sorted(d))
    del d
    print("end")


def test_build_map_releases_items_last_first():
    run_both(map_repeated_keys, "k", "j")


def map_repeated_object_keys():
    d = {NoisyKey("k1"): Noisy("v1"), NoisyKey("k2"): Noisy("v2"), "s": Noisy("v3")}
    print("built", len(d))
    del d
    print("end")


def test_build_map_releases_keys_and_values_last_first():
    run_both(map_repeated_object_keys)
