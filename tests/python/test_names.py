"""Names family: globals (and the LOAD_GLOBAL inline cache), builtins, LOAD/STORE/DELETE_NAME,
cells, free variables, class bodies and module-level code, interpreted vs compiled."""
import builtins
import inspect
import sys
import traceback
import types

import pytest

import pyjion_x64
from jitutil import assert_compiled, jit_enabled, run_both, run_interpreted, run_jit


def make(source, name, namespace=None):
    """Defines `name` by running `source` (interpreted: the JIT is off between tests) in
    `namespace`, a fresh globals dict by default."""
    ns = {"__builtins__": builtins} if namespace is None else namespace
    exec(source, ns)
    return ns[name]


def same_outcome(func, *args):
    """run_both, plus identical `traceback.format_exception` text for exceptions (this
    includes the "Did you mean" suggestions computed from NameError.name and the frame)."""
    want, _ = run_interpreted(func, *args)
    got = run_both(func, *args)
    if want[0] == "raised":
        assert traceback.format_exception(got) == traceback.format_exception(want[4])
    return got


# -- globals ---------------------------------------------------------------------------------

G_VALUE = "module global"
G_INT = 10**9 + 7


def read_global():
    return G_VALUE


def loop_over_global():
    # One LOAD_GLOBAL site run 100 times in one call: the first run fills its cache.
    total = 0
    i = 0
    while i < 100:
        total = total + G_INT
        i = i + 1
    return total


def test_read_global():
    assert run_both(read_global) == "module global"
    assert run_both(loop_over_global) == 100 * G_INT


def test_load_global_refcounts():
    obj = G_INT
    with jit_enabled(0):
        loop_over_global()
        before = sys.getrefcount(obj)
        for _ in range(200):
            loop_over_global()
        assert sys.getrefcount(obj) == before
    assert_compiled(loop_over_global)


def write_global(v):
    global G_WRITTEN
    G_WRITTEN = v
    return G_WRITTEN


def test_write_global():
    assert run_both(write_global, 42) == 42
    assert G_WRITTEN == 42
    obj = object()
    with jit_enabled(0):
        write_global(obj)
        before = sys.getrefcount(obj)
        for _ in range(100):
            write_global(obj)
        assert sys.getrefcount(obj) == before
        write_global(None)
        assert sys.getrefcount(obj) == before - 1
    assert_compiled(write_global)


def delete_global():
    global G_DELETED
    G_DELETED = 1
    del G_DELETED
    return G_DELETED


def delete_missing_global():
    global G_NEVER_DEFINED
    del G_NEVER_DEFINED


def test_delete_global():
    exc = same_outcome(delete_global)
    assert isinstance(exc, NameError) and exc.name == "G_DELETED"
    assert "G_DELETED" not in globals()
    exc = same_outcome(delete_missing_global)
    assert str(exc) == "name 'G_NEVER_DEFINED' is not defined"
    assert exc.name == "G_NEVER_DEFINED"


def read_builtin():
    return len


def test_builtins():
    assert run_both(read_builtin) is len


def undefined_name():
    return some_undefined_name_xyz  # noqa: F821


def typo_of_global():
    return read_globl  # noqa: F821  ("Did you mean: 'read_global'?")


def typo_of_builtin():
    return isinstanc  # noqa: F821  ("Did you mean: 'isinstance'?")


@pytest.mark.parametrize("func", [undefined_name, typo_of_global, typo_of_builtin])
def test_name_error_message_name_and_suggestion(func):
    exc = same_outcome(func)
    assert type(exc) is NameError
    assert exc.name == str(exc).split("'")[1]
    text = "".join(traceback.format_exception(exc))
    if func is not undefined_name:
        assert "Did you mean" in text


def test_name_error_long_name_is_truncated_like_ceval():
    name = "n" * 300
    f = make("def f():\n    return %s\n" % name, "f")
    exc = same_outcome(f)
    assert str(exc) == "name '%s' is not defined" % ("n" * 200)
    assert exc.name == name


def test_shadowed_builtin_and_cache_invalidation():
    ns = {"__builtins__": builtins}
    f = make("def f():\n    return len\n", "f", ns)
    with jit_enabled(0):
        assert f() is len
        assert f() is len  # cache hit
        ns["len"] = 5      # shadow: a new key in globals
        assert f() == 5
        ns["len"] = 6      # rebinding an existing key changes only its value
        assert f() == 6
        del ns["len"]      # unshadow
        assert f() is len
        ns["other"] = 1    # unrelated change
        assert f() is len
    assert_compiled(f)


def test_builtins_dict_changes_invalidate():
    b = {"x": 1}
    ns = {"__builtins__": b}
    f = make("def f():\n    return x\n", "f", ns)
    with jit_enabled(0):
        assert f() == 1
        assert f() == 1
        b["x"] = 2
        assert f() == 2
        del b["x"]
        with pytest.raises(NameError) as info:
            f()
        assert info.value.name == "x"
        b["x"] = 3
        assert f() == 3
        ns["x"] = 4
        assert f() == 4
        ns.clear()  # also drops __builtins__, but the function keeps its builtins dict
        assert f() == 3
    assert_compiled(f)


def test_same_code_different_globals():
    src = "def f():\n    return g\n"
    f1 = make(src, "f", {"__builtins__": builtins, "g": "one"})
    f2 = types.FunctionType(f1.__code__, {"__builtins__": builtins, "g": "two"})
    with jit_enabled(0):
        for _ in range(3):
            assert f1() == "one"
            assert f2() == "two"
    assert_compiled(f1)


LOOP_SRC = """
def f(n, readd):
    global G
    G = 1
    total = 0
    i = 0
    while i < n:
        if i == 5:
            G = 100
        if i == 8 and readd:
            G = 1000
        total = total + G
        if i == 7:
            del G
        i = i + 1
    return total
"""


def test_global_rebound_and_deleted_inside_a_compiled_loop():
    f = make(LOOP_SRC, "f")
    assert run_both(f, 8, False) == 5 + 300
    exc = same_outcome(f, 9, False)
    assert type(exc) is NameError and exc.name == "G"
    assert run_both(f, 12, True) == 5 + 300 + 4000


def test_shadow_builtin_inside_a_compiled_loop():
    src = ("def f():\n    global len\n    out = 0\n    i = 0\n    while i < 6:\n"
           "        if i == 2:\n            len = 10\n        if i == 4:\n            del len\n"
           "        if len == 10:\n            out = out + 1\n        i = i + 1\n    return out\n")
    f = make(src, "f")
    assert run_both(f) == 2
    assert "len" not in f.__globals__


class MissingGlobals(dict):
    def __missing__(self, key):
        if key == "boom":
            raise ValueError("boom")
        return "missing:" + key


class Builtins:
    def __getitem__(self, key):
        if key == "fromb":
            return "from builtins mapping"
        if key == "bad":
            raise TypeError("bad builtins")
        raise KeyError(key)


@pytest.mark.parametrize("expr", ["anything", "boom", "present"])
def test_globals_dict_subclass_uses_mapping_protocol(expr):
    ns = MissingGlobals({"__builtins__": builtins, "present": 1})
    f = types.FunctionType(make("def f():\n    return %s\n" % expr, "f").__code__, ns)
    same_outcome(f)
    same_outcome(f)


@pytest.mark.parametrize("expr", ["fromb", "bad", "nowhere", "g"])
def test_non_dict_builtins(expr):
    ns = {"__builtins__": Builtins(), "g": "global"}
    f = types.FunctionType(make("def f():\n    return %s\n" % expr, "f").__code__, ns)
    exc = same_outcome(f)
    if expr == "nowhere":
        assert type(exc) is NameError and exc.name == "nowhere"


# -- closures, cells, nonlocal ---------------------------------------------------------------

def outer3(a):
    def middle(b):
        def inner(c):
            return a + b + c
        return inner
    return middle


INNER3 = outer3(1)(20)


def test_closure_three_deep():
    assert run_both(INNER3, 300) == 321
    assert run_both(INNER3, "x") is not None  # TypeError, same message and traceback


def make_counter():
    n = 10

    def bump(k):
        nonlocal n
        old = n
        n = n + k
        new = n
        n = old
        return new
    return bump


BUMP = make_counter()


def test_nonlocal():
    assert run_both(BUMP, 5) == 15
    assert BUMP.__closure__[0].cell_contents == 10


def cell_argument(x):
    if 0:
        def inner():
            return x
    x = x + 1
    return x


def cell_argument_untouched(x):
    if 0:
        def inner():
            return x
    return x


def test_cell_for_argument():
    assert run_both(cell_argument, 41) == 42
    obj = object()
    with jit_enabled(0):
        before = sys.getrefcount(obj)
        for _ in range(100):
            assert cell_argument_untouched(obj) is obj
        assert sys.getrefcount(obj) == before
    assert_compiled(cell_argument_untouched)


def cell_store_and_delete(v):
    if 0:
        def inner():
            return x
    x = v
    x = v
    del x
    x = v
    return x


def test_store_delete_deref_refcounts():
    obj = object()
    assert run_both(cell_store_and_delete, 7) == 7
    with jit_enabled(0):
        before = sys.getrefcount(obj)
        for _ in range(100):
            cell_store_and_delete(obj)
        assert sys.getrefcount(obj) == before
    assert_compiled(cell_store_and_delete)


def make_unbound_free():
    def inner():
        return v
    if 0:
        v = 1
    return inner


def unbound_cell():
    if 0:
        def inner():
            return y
    return y
    y = 1  # noqa


def delete_cell_twice():
    if 0:
        def inner():
            return z
    z = 1
    del z
    del z


def read_deleted_cell():
    if 0:
        def inner():
            return z
    z = 1
    del z
    return z


def make_free_deleter():
    w = 1

    def inner():
        nonlocal w
        del w
        return w
    return inner


def test_unbound_free_variable():
    exc = same_outcome(make_unbound_free())
    assert type(exc) is NameError
    assert str(exc) == ("cannot access free variable 'v' where it is not associated with a "
                        "value in enclosing scope")


@pytest.mark.parametrize("func", [unbound_cell, delete_cell_twice, read_deleted_cell])
def test_unbound_cell_variable(func):
    exc = same_outcome(func)
    assert type(exc) is UnboundLocalError
    assert "where it is not associated with a value" in str(exc)


def test_delete_free_variable():
    f = make_free_deleter()
    want = run_interpreted(f)[0]
    f = make_free_deleter()  # the interpreted run emptied the cell; start again
    got = run_jit(f)[0]
    assert want[0] == got[0] == "raised"
    assert want[1:4] == got[1:4]
    assert got[1] is NameError and "free variable 'w'" in got[2]


# -- class bodies (LOAD_CLASSDEREF, LOAD_NAME/STORE_NAME in a class namespace) ---------------

def class_body_code(maker):
    return next(c for c in maker.__code__.co_consts if isinstance(c, types.CodeType))


def run_maker(maker, *args):
    """Runs maker (which builds a class) interpreted, then with the JIT on; the class body
    must have been compiled. Returns (interpreted outcome, compiled outcome)."""
    want = run_interpreted(maker, *args)[0]
    with jit_enabled(0):
        got = _outcome(maker, args)
    info = pyjion_x64.info(class_body_code(maker))
    assert info["compiled"], info["reason"]
    return want, got


def _outcome(func, args):
    try:
        return ("ok", func(*args))
    except BaseException as exc:
        frames = [(f.name, f.lineno, f.line) for f in traceback.extract_tb(exc.__traceback__)]
        return ("raised", type(exc), str(exc), frames[1:], exc)


def make_class(v):
    class C:
        a = v
        b = a
        del b
        c = len
    return C


class PrepareMeta(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return {"v": "from __prepare__"}


def make_class_prepared(v):
    class C(metaclass=PrepareMeta):
        a = v
    return C


class Namespace(dict):
    def __getitem__(self, key):
        if key == "fail":
            raise LookupError("namespace lookup failed")
        return dict.__getitem__(self, key)


class NamespaceMeta(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return Namespace()


def make_class_mapping(v, w):
    class C(metaclass=NamespaceMeta):
        a = v
        b = w
    return C


def make_class_mapping_error(fail):
    class C(metaclass=NamespaceMeta):
        a = fail
    return C


def make_class_unbound():
    class C:
        a = v
    if 0:
        v = 1
    return C


def test_class_body_loads_enclosing_variable():
    want, got = run_maker(make_class, 5)
    assert want[0] == got[0] == "ok"
    assert (got[1].a, got[1].c) == (want[1].a, want[1].c) == (5, len)
    assert not hasattr(got[1], "b")


def test_class_body_namespace_first():
    want, got = run_maker(make_class_prepared, "from cell")
    assert got[1].a == want[1].a == "from __prepare__"


def test_class_body_non_dict_namespace():
    want, got = run_maker(make_class_mapping, 1, 2)
    assert (got[1].a, got[1].b) == (want[1].a, want[1].b) == (1, 2)
    want, got = run_maker(make_class_mapping_error, 3)
    assert want[:4] == got[:4]
    assert got[1] is LookupError


def test_class_body_unbound_free_variable():
    want, got = run_maker(make_class_unbound)
    assert want[:4] == got[:4]
    assert got[1] is NameError and "free variable 'v'" in got[2]


# -- module-level code: LOAD_NAME / STORE_NAME / DELETE_NAME / globals --------------------------

def exec_both(source, make_ns=None):
    """Executes module source interpreted and compiled, each in a fresh namespace; asserts
    the module code object was compiled. Returns (namespaces, outcomes)."""
    outcomes, namespaces = [], []
    for jit in (False, True):
        code = compile(source, "<m>", "exec")
        ns = make_ns() if make_ns else {"__builtins__": builtins}
        namespaces.append(ns)
        if jit:
            with jit_enabled(0):
                outcomes.append(_outcome(exec, (code, ns)))
            info = pyjion_x64.info(code)
            assert info["compiled"], info["reason"]
        else:
            outcomes.append(_outcome(exec, (code, ns)))
    want, got = outcomes
    assert want[0] == got[0]
    if want[0] == "raised":
        assert want[1:4] == got[1:4]
        assert (traceback.format_exception(want[4]) == traceback.format_exception(got[4]))
    return namespaces, outcomes


def clean(ns):
    return {k: v for k, v in ns.items() if k != "__builtins__"}


def test_module_level_names():
    src = "x = 1\ny = x + 2\nz = len\ndel x\nglobal q\nq = y\nr = q\ndel q\n"
    (want, got), _ = exec_both(src)
    assert clean(got) == clean(want) == {"y": 3, "z": len, "r": 3}


@pytest.mark.parametrize("src", ["a = 1\nb = a + undefined_thing\n",
                                 "a = 1\ndel a\ndel a\n",
                                 "a = lenn\n",
                                 "global q\nq = 1\ndel q\ndel q\n"])
def test_module_level_name_errors(src):
    _, (want, got) = exec_both(src)
    assert got[1] is NameError
    assert got[4].name == want[4].name


class LoggingLocals:
    def __init__(self):
        self.data, self.log = {}, []

    def __getitem__(self, key):
        self.log.append(("get", key))
        return self.data[key]

    def __setitem__(self, key, value):
        self.log.append(("set", key))
        self.data[key] = value

    def __delitem__(self, key):
        self.log.append(("del", key))
        if key == "explode":
            raise RuntimeError("replaced by NameError, as in ceval")
        del self.data[key]


@pytest.mark.parametrize("src", ["a = 1\nb = a\nc = len\ndel a\n",
                                 "a = missing_name\n",
                                 "explode = 1\ndel explode\n",
                                 "del never_set\n"])
def test_exec_with_mapping_locals(src):
    logs, results = [], []
    for jit in (False, True):
        code = compile(src, "<m>", "exec")
        loc = LoggingLocals()
        ns = {"__builtins__": builtins}
        if jit:
            with jit_enabled(0):
                results.append(_outcome(exec, (code, ns, loc)))
            assert pyjion_x64.info(code)["compiled"], pyjion_x64.info(code)["reason"]
        else:
            results.append(_outcome(exec, (code, ns, loc)))
        logs.append((loc.log, loc.data))
    assert logs[0] == logs[1]
    assert results[0][:4] == results[1][:4]


@pytest.mark.parametrize("src", ["x\n", "x = 1\n", "del x\n"])
def test_name_ops_without_locals_raise_system_error(src):
    # Module code flagged CO_OPTIMIZED and run as a function gets no f_locals.
    code = compile(src, "<m>", "exec")
    code = code.replace(co_flags=code.co_flags | inspect.CO_OPTIMIZED | inspect.CO_NEWLOCALS)
    f = types.FunctionType(code, {"__builtins__": builtins})
    exc = same_outcome(f)
    assert type(exc) is SystemError and "'x'" in str(exc)


def test_class_body_compiled_in_module():
    src = "class K:\n    a = 1\n    b = a + 1\n    c = len\n"
    for jit in (False, True):
        code = compile(src, "<m>", "exec")
        ns = {"__builtins__": builtins}
        if jit:
            with jit_enabled(0):
                exec(code, ns)
        else:
            exec(code, ns)
        assert (ns["K"].a, ns["K"].b, ns["K"].c) == (1, 2, len)
    body = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    assert pyjion_x64.info(body)["compiled"], pyjion_x64.info(body)["reason"]


# -- need MAKE_FUNCTION / CALL (calls family): compiled outer functions -----------------------

def outer_with_cell_arg(x):
    def inner():
        return x
    x = x + 1
    return inner()


def test_outer_function_creating_closure():
    assert run_both(outer_with_cell_arg, 1) == 2


def call_builtin(x):
    return len(x)  # LOAD_GLOBAL with oparg & 1: pushes NULL, then len


def test_load_global_for_a_call():
    assert run_both(call_builtin, "abc") == 3
    same_outcome(call_builtin, 5)


def nested_calls(a):
    def middle(b):
        def inner(c):
            return a + b + c
        return inner(b)
    return middle(a)


def test_nested_closures_called():
    assert run_both(nested_calls, 2) == 6


class CountingStr(str):
    calls = 0

    def __eq__(self, other):
        CountingStr.calls += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_global_key_with_custom_eq_is_looked_up_every_time():
    # A str-subclass key makes every lookup call its __eq__: no cache may skip those calls.
    ns = {"__builtins__": builtins}
    ns[CountingStr("zz")] = 5
    f = make("def f():\n    t = 0\n    i = 0\n    while i < 10:\n        t = t + zz\n"
             "        i = i + 1\n    return t\n", "f", ns)
    counts = []
    for run in (run_interpreted, run_jit):
        CountingStr.calls = 0
        assert run(f)[0] == ("ok", 50)
        counts.append(CountingStr.calls)
    assert counts[0] == counts[1] >= 10
