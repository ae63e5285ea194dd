"""Regression tests for the bugs the differential program fuzzer (fuzz/progfuzz) found.

Each test is the fuzzer's minimised reproducer, tidied by hand, run through
jitutil.run_both (same result, exception, message, traceback and printed output,
interpreted and compiled, and the function asserted compiled). Objects whose __del__
prints make the instant at which the compiled code releases a reference visible: ceval's
order is part of the semantics the JIT must keep.
"""
import os
import subprocess
import sys

import pyjion_x64

from jitutil import run_both, run_both_warm


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


# -- Found reviewing helpers_containers.cc against ceval (the fuzzer's reproducer was lost).
# Operands whose last reference the helper drops, in the order ceval drops them.

class NoisyStr(str):
    """A str subclass that says when it dies: what __format__ may hand to BUILD_STRING."""

    def __del__(self):
        print("del", str(self))


class FormatsNoisy:
    def __init__(self, tag):
        self.tag = tag

    def __format__(self, spec):
        return NoisyStr(self.tag)


def fstring_of_noisy_parts():
    s = f"{FormatsNoisy('a')}-{FormatsNoisy('b')}-{FormatsNoisy('c')}"
    print("built", s)


def test_build_string_releases_parts_last_first():
    # BUILD_STRING: `while (--oparg >= 0) Py_DECREF(POP());` after the join.
    run_both(fstring_of_noisy_parts)


class UnhashableNoisy(Noisy):
    def __hash__(self):
        del self  # the TypeError's traceback must not keep the key alive
        raise TypeError("unhashable noisy")


class NoisyKeyBadEq(Noisy):
    def __hash__(self):
        return 7

    def __eq__(self, other):
        del self, other
        raise ValueError("no eq")


def dictcomp_eq_fails():
    try:
        return {NoisyKeyBadEq("k%d" % i): Noisy("v%d" % i) for i in range(2)}
    except ValueError as e:
        print("caught", e)


def test_map_add_failed_insert_releases_value_then_key():
    # MAP_ADD: _PyDict_SetItem_Take2 drops the value before the key when the insertion fails
    # (after hashing, which drops the key first).
    run_both(dictcomp_eq_fails)


def dictcomp_hash_fails():
    try:
        return {UnhashableNoisy("k%d" % i): Noisy("v%d" % i) for i in range(2)}
    except TypeError as e:
        print("caught", e)


def test_map_add_failed_hash_releases_key_then_value():
    run_both(dictcomp_hash_fails)


def store_dict_hash_fails(d):
    try:
        d[UnhashableNoisy("k")] = Noisy("v")
    except TypeError as e:
        print("caught", e)


def store_dict_eq_fails():
    d = {NoisyKeyBadEq("k1"): 1}
    try:
        d[NoisyKeyBadEq("k2")] = Noisy("v2")
    except ValueError as e:
        print("caught", e)


def store_into_temporary_dict():
    {}[Noisy("k")] = Noisy("v")
    print("end")


def store_dict_replaces():
    d = {NoisyKey("k1"): Noisy("v1")}
    d[NoisyKey("k2")] = Noisy("v2")  # drops v1, then the new key k2
    print("stored")


def test_store_subscr_dict_releases_value_container_sub():
    # STORE_SUBSCR on an exact dict: PyObject_SetItem, then value, container, sub released.
    run_both(store_dict_hash_fails, {})
    run_both(store_dict_eq_fails)
    run_both(store_into_temporary_dict)
    run_both(store_dict_replaces)


# -- progfuzz seed 3, program 1 (new noisy statements, WARMUP): warm code compiled from
# STORE_SUBSCR_DICT / BINARY_SUBSCR_DICT released the operands in the generic
# instruction's order. The specialised forms release differently: STORE_SUBSCR_DICT is
# _PyDict_SetItem_Take2 (key then value when hashing fails, value then key when the
# insertion fails), then the dict; BINARY_SUBSCR_DICT releases the key before the dict,
# on success and on error. Visible with a temporary dict or keys that die.

def store_made(make_dict, make_key, make_value):
    make_dict()[make_key()] = make_value()
    print("stored")


def load_made(make_dict, make_key):
    return make_dict()[make_key()]


WARM_STORE = (dict, lambda: 1, lambda: 2)
WARM_LOAD = (lambda: {1: 2}, lambda: 1)


def test_store_subscr_dict_specialised_releases_as_take2_then_dict():
    run_both_warm(store_made, WARM_STORE, dict, lambda: Noisy("k"), lambda: Noisy("v"))
    run_both_warm(store_made, WARM_STORE, dict, lambda: UnhashableNoisy("k"), lambda: Noisy("v"))
    run_both_warm(store_made, WARM_STORE, lambda: {NoisyKeyBadEq("k1"): 1},
                  lambda: NoisyKeyBadEq("k2"), lambda: Noisy("v"))
    run_both_warm(store_made, WARM_STORE, lambda: {NoisyKey("k1"): Noisy("v1")},
                  lambda: NoisyKey("k2"), lambda: Noisy("v2"))
    # not an exact dict: the specialised instruction deoptimises to the generic order
    run_both_warm(store_made, WARM_STORE, lambda: type("D", (dict,), {})(),
                  lambda: Noisy("k"), lambda: Noisy("v"))


def test_binary_subscr_dict_specialised_releases_key_then_dict():
    run_both_warm(load_made, WARM_LOAD, lambda: {NoisyKey("k1"): "v"}, lambda: NoisyKey("k2"))
    run_both_warm(load_made, WARM_LOAD, lambda: {NoisyKeyBadEq("k1"): "v"},
                  lambda: NoisyKeyBadEq("k2"))
    run_both_warm(load_made, WARM_LOAD, lambda: {Noisy("k1"): "v"}, lambda: UnhashableNoisy("k2"))


# -- progfuzz seed 1, program 13 (noisy statements, WARMUP): a method call on a
# temporary, `{N('n20'): 1}.get(N('n33'))`. Warm, the interpreter runs
# PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST (or ..._FAST_WITH_KEYWORDS): the arguments are
# released first, then self, then the method descriptor; the generic CALL releases the
# callable, then self and the arguments.

class NoisyCallable(Noisy):
    def __call__(self, item):
        return 0


def get_from_temporary(make_self, make_arg):
    return make_self().get(make_arg())


def sort_temporary(make_list, make_key):
    make_list().sort(key=make_key())
    print("sorted")


def test_call_method_descriptor_fast_releases_args_then_self():
    run_both_warm(get_from_temporary, (lambda: {1: 2}, lambda: 1),
                  lambda: {NoisyKey("k1"): "v"}, lambda: Noisy("q"))
    run_both_warm(get_from_temporary, (lambda: {1: 2}, lambda: 1),
                  lambda: {NoisyKeyBadEq("k1"): "v"}, lambda: NoisyKeyBadEq("q"))
    # not the descriptor's exact type: the generic order
    run_both_warm(get_from_temporary, (lambda: {1: 2}, lambda: 1),
                  lambda: type("D", (dict,), {})({NoisyKey("k1"): "v"}), lambda: Noisy("q"))
    run_both_warm(sort_temporary, (lambda: [2, 1], lambda: abs),
                  lambda: [Noisy("a"), Noisy("b")], lambda: NoisyCallable("key"))


# -- progfuzz seed 13, program 61 (WARMUP): `v15 = C0; return v10` with v10 unbound. Warm,
# the pair runs as STORE_FAST__LOAD_FAST, and ceval reports the second half's
# UnboundLocalError at the first half (prev_instr is not moved): the line of the store.
# The same holds for LOAD_FAST__LOAD_FAST and LOAD_CONST__LOAD_FAST; in a chain of pairs
# every other instruction is dispatched. The JIT reported the load's own line.

def store_then_unbound(flag):
    if flag:
        w = 1
    v = 2
    return w


def const_then_unbound(flag):
    if flag:
        w = 1
    return (3,
            w)


def load_then_unbound(a, flag):
    if flag:
        w = 1
    return (a,
            w)


def chain_of_loads(a, b, c, flag):
    if flag:
        w = 1
    return (a,
            b,
            c,
            w)


def unbound_in_lasti_handler(flag):
    # the error inside `with`: the lasti-pushing cleanup sees the first half's offset
    if flag:
        w = 1
    with open(__file__) as f:
        v = 2
        x = w


def test_superinstruction_second_half_reports_at_first_half():
    run_both_warm(store_then_unbound, (True,), False)
    run_both_warm(const_then_unbound, (True,), False)
    run_both_warm(load_then_unbound, (1, True), 1, False)
    run_both_warm(chain_of_loads, (1, 2, 3, True), 1, 2, 3, False)
    run_both_warm(unbound_in_lasti_handler, (True,), False)


# -- progfuzz seed 1, programs 19, 31, 96: the store ending a try body and the load
# starting its `else:` form a pair, and the load is also the target of a jump from inside
# the try. Whether the pair ran as one dispatch depends on the path, and with it the line
# of the load's UnboundLocalError; the handler is looked up at the load itself (ceval's
# next_instr - 1), so the try's handler never catches it. (A first version of the
# superinstruction change looked the handler up at the first half and refused these.)

def pair_across_try_else(flag, bind):
    if bind:
        w = 0
    try:
        if flag:
            v = 1
    except UnboundLocalError:
        print("caught in the try's handler")
    else:
        return w


def pair_across_try_else_bound(flag):
    w = 2
    try:
        if flag:
            v = 1
    except UnboundLocalError:
        print("caught")
    else:
        return w


def test_pair_split_by_exception_range_and_jump_target():
    for flag in (True, False):
        run_both_warm(pair_across_try_else, (True, True), flag, False)
        run_both_warm(pair_across_try_else, (False, True), flag, False)
        for warm in (True, False):
            run_both_warm(pair_across_try_else_bound, (warm,), flag)


# -- progfuzz seed 1, programs 29, 34, 41, 68, 105: a FOR_ITER whose body never jumps back
# (`for x in it: return x`) is no loop header, so its iterator could still be virtual (in a
# register) when the loop ran out; the exhausted path released whatever was in the
# iterator's frame slot instead of the iterator (a crash on a later call).

class NoisyIter(Noisy):
    def __init__(self, tag, items):
        super().__init__(tag)
        self.items = list(items)

    def __iter__(self):
        return self

    def __next__(self):
        if not self.items:
            raise StopIteration
        return self.items.pop(0)


def first_or_none(it):
    for x in it:
        return x
    return None


def first_in_range(n):
    for i in range(1, n):
        return i
    return "empty"


def loops_that_never_jump_back(n):
    out = []
    for k in range(n):
        out.append(first_or_none(NoisyIter(k, range(k % 2))))
        out.append(first_in_range(k % 3))
        out.append(first_or_none([]))
    print("end", out)


def test_for_iter_without_back_edge():
    run_both(loops_that_never_jump_back, 6)
    for f in (first_or_none, first_in_range):
        assert pyjion_x64.info(f)["compiled"], f.__name__


# -- progfuzz seeds 1, 2, 3 (programs 5, 27, 78, 91, 118, 32, 59), plain CPython as the
# baseline: ceval's CALL moves the caller's references into the callee's frame (no frame
# evaluator installed), so an argument dies with the callee's locals, not after them. The
# JIT did so only for calls to code already compiled; a first call (the callee compiled on
# the way in), a keyword call, arguments that do not bind and calls made while a profiler
# is on released them after the callee's frame. (A frame that was running when profiling
# started finishes in the interpreter, behind the hook again once profiling stops: the calls
# it makes after that still release their arguments after the callee's frame.)

def takes_one(a):
    w = Noisy("local")


def takes_one_kw(a, *, b):
    w = Noisy("local kw")


def takes_two(a, b):
    pass


def takes_star(a, *args, k):
    pass


def takes_star_args(*args, **kwargs):
    pass


class Holder:
    def method(self, a):
        w = Noisy("method local")


def calls_releasing_arguments():
    takes_one(Noisy("arg"))
    takes_one_kw(Noisy("arg kw"), b=Noisy("b"))
    Holder().method(Noisy("method arg"))
    try:
        takes_two(Noisy("x"), Noisy("y"), Noisy("surplus"))
    except TypeError as e:
        print(e)
    try:
        takes_star(Noisy(1), Noisy(2), Noisy(3))
    except TypeError as e:
        print(e)
    # keyword arguments that do not bind (progfuzz seed 23483, program 2123): the values
    # from the failing one on go first, the rest with the frame's locals
    for call in (lambda: takes_three_star(Noisy(1), Noisy(2), Noisy(3), a1=Noisy(4), a2=Noisy(5)),
                 lambda: takes_three_star(Noisy(1), a2=Noisy(2), bogus=Noisy(3), a1=Noisy(4)),
                 lambda: takes_posonly(Noisy(1), a=Noisy(2), b=Noisy(3)),
                 lambda: takes_posonly(Noisy(1), Noisy(2), Noisy(3), c=Noisy(4)),
                 lambda: takes_kwargs(Noisy(1), Noisy(2), Noisy(3), x=Noisy(4), b=Noisy(5)),
                 lambda: takes_kwargs(b=Noisy(1), z=Noisy(2))):
        try:
            call()
        except TypeError as e:
            print(e)
    print("end")


def takes_three_star(a0, a1, a2, *args):
    pass


def takes_posonly(a, /, b, *, c, **kw):
    pass


def takes_kwargs(a, b=2, **kw):
    pass


def run_in_fresh_process(check):
    """check() in a new interpreter: there the JIT's hook is off while the JIT is disabled,
    so run_both's interpreted run is plain CPython (here an earlier test's @jit function
    keeps the hook installed, and a hooked interpreter releases call arguments late)."""
    script = "import sys; sys.path.insert(0, %r); import %s as t; t.%s()" % (
        os.path.dirname(os.path.abspath(__file__)), __name__.rsplit(".", 1)[-1], check.__name__)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def check_callee_frame_takes_the_arguments():
    for f in (takes_one, takes_one_kw, takes_two, takes_star, Holder.method):
        f.__code__ = f.__code__.replace()  # not compiled yet: the first calls below compile them
    run_both(calls_releasing_arguments)
    for f in (takes_one, takes_one_kw, Holder.method):
        assert pyjion_x64.info(f)["compiled"], f.__name__


def test_callee_frame_takes_the_arguments():
    run_in_fresh_process(check_callee_frame_takes_the_arguments)


def quiet_profiler(frame, event, arg):
    pass


def calls_while_profiled():
    import sys
    sys.setprofile(quiet_profiler)
    try:
        takes_star_args(Noisy("p1"), Noisy("p2"), k=Noisy("p3"))
        takes_one(Noisy("p4"))
    finally:
        sys.setprofile(None)
    print("end")


def check_arguments_released_as_plain_cpython_while_profiling():
    run_both(calls_while_profiled)


def test_arguments_released_as_plain_cpython_while_profiling():
    run_in_fresh_process(check_arguments_released_as_plain_cpython_while_profiling)


# -- progfuzz with the inline-cache generator (gen_ics.py), seeds 1-3, 34 programs: a call
# site's direct-call cache filled while the callee's defaults supplied the missing
# arguments kept using them after `__defaults__` was replaced (None, or too short): the
# frame was filled from a NULL or short tuple (SIGSEGV). Now the defaults are checked on
# every such call, and the call raises the interpreter's TypeError.

def with_default(a, b=1):
    return a + b


class WithDefault:
    def m(self, a, b=1):
        return a + b


def defaults_replaced_after_warm_up(replacement):
    out = []
    obj = WithDefault()
    saved_f, saved_m = with_default.__defaults__, WithDefault.m.__defaults__
    try:
        for i in range(20):
            if i == 12:
                with_default.__defaults__ = replacement
                WithDefault.m.__defaults__ = replacement
            try:
                out.append((with_default(i), obj.m(i)))
            except TypeError as e:
                out.append(str(e))
    finally:
        with_default.__defaults__, WithDefault.m.__defaults__ = saved_f, saved_m
    return out


def test_direct_call_after_defaults_replaced():
    for replacement in (None, (), (5,), (5, 6)):
        run_both(defaults_replaced_after_warm_up, replacement)
    assert pyjion_x64.info(with_default)["compiled"]
    assert pyjion_x64.info(WithDefault.m)["compiled"]
