"""Exceptions, `with` and pattern matching: raise/re-raise, try/except/else/finally in every
shape, chaining, sys.exc_info(), context managers, tracebacks through several compiled
frames, and the MATCH_* opcodes. Every test compares the compiled run with the interpreter
(result, printed output, exception type, message and traceback frames)."""
import sys
import traceback

import pytest

import pyjion_x64
from jitutil import assert_compiled, jit_enabled, run_both, run_interpreted, run_jit


# ---- raise -----------------------------------------------------------------------------

def raise_it(exc):
    raise exc


def raise_from(exc, cause):
    raise exc from cause


def bare_raise():
    raise


class NotAnException:
    pass


class BadFactory(Exception):
    def __new__(cls, *args):
        return 42  # calling the class does not give an exception instance


class FailingInit(Exception):
    def __init__(self):
        raise KeyError("from __init__")


@pytest.mark.parametrize("exc", [ValueError, KeyError, StopIteration, SystemExit,
                                 KeyboardInterrupt, GeneratorExit, 1, "text", None,
                                 NotAnException, NotAnException(), int, BadFactory,
                                 FailingInit])
def test_raise_class_or_bad_object(exc):
    run_both(raise_it, exc)


@pytest.mark.parametrize("make", [lambda: ValueError("v"), lambda: OSError(2, "nope"),
                                  lambda: KeyError("k"), lambda: Exception(1, 2, 3)])
def test_raise_instance(make):
    # a fresh instance per run, since raising adds to the instance's traceback
    def f(factory):
        raise factory()
    run_both(f, make)


def check_cause(exc, cause):
    try:
        raise exc from cause
    except BaseException as e:
        c = e.__cause__
        return (type(e), type(c), c.args if c is not None else None,
                e.__context__, e.__suppress_context__)


@pytest.mark.parametrize("cause", [KeyError, ValueError("c"), None, FailingInit])
def test_raise_from_sets_cause(cause):
    run_both(check_cause, ValueError, cause)


@pytest.mark.parametrize("cause", [1, "x", NotAnException, int])
def test_raise_from_bad_cause(cause):
    run_both(raise_from, ValueError, cause)


def test_raise_from_with_bad_exception():
    run_both(raise_from, 3, KeyError)


def test_bare_raise_without_active_exception():
    run_both(bare_raise)


def reraise_in_handler(exc):
    try:
        raise exc
    except ValueError:
        raise


@pytest.mark.parametrize("exc", [ValueError, KeyError])
def test_bare_raise_in_handler(exc):
    run_both(reraise_in_handler, exc)


def reraise_via_helper():
    try:
        raise ValueError("handled")
    except ValueError:
        bare_raise()  # re-raises the caller's handled exception, adds no frame of its own


def test_bare_raise_in_called_function():
    run_both(reraise_via_helper)
    assert_compiled(bare_raise)


def reraise_after_inner_handler():
    try:
        raise ValueError("outer")
    except ValueError:
        try:
            raise KeyError("inner")
        except KeyError:
            pass
        raise  # the outer one again: POP_EXCEPT restored it


def test_bare_raise_after_nested_handler():
    run_both(reraise_after_inner_handler)


def reraise_caught_later():
    try:
        raise ValueError("first")
    except ValueError as e:
        first = e
    try:
        raise first
    except ValueError as e:
        return e is first, [f.lineno for f in traceback.extract_tb(e.__traceback__)]


def test_raise_same_instance_twice():
    run_both(reraise_caught_later)


# ---- try / except / else / finally --------------------------------------------------------

def try_shapes(exc):
    out = []
    try:
        out.append("body")
        if exc is not None:
            raise exc
    except KeyError as e:
        out.append(("keyerror", str(e)))
    except (ValueError, TypeError) as e:
        out.append(("value-or-type", type(e).__name__))
    except Exception:
        out.append("exception")
    else:
        out.append("else")
    finally:
        out.append("finally")
    out.append("after")
    return out


@pytest.mark.parametrize("exc", [None, KeyError, ValueError, TypeError, ZeroDivisionError,
                                 KeyboardInterrupt])
def test_try_except_else_finally(exc):
    run_both(try_shapes, exc)


def try_except_only(exc):
    try:
        raise exc
    except KeyError:
        return "caught"


@pytest.mark.parametrize("exc", [KeyError, LookupError, ValueError])
def test_except_that_does_not_match(exc):
    run_both(try_except_only, exc)


def try_else(raise_in_else):
    out = []
    try:
        out.append("body")
    except ValueError:
        out.append("handler")
    else:
        out.append("else")
        if raise_in_else:
            raise ValueError("from else")  # not caught by this try's handler
    return out


@pytest.mark.parametrize("flag", [False, True])
def test_exception_in_else(flag):
    run_both(try_else, flag)


def exception_in_finally(exc):
    try:
        if exc is not None:
            raise exc
    finally:
        raise KeyError("from finally")


@pytest.mark.parametrize("exc", [None, ValueError])
def test_exception_in_finally(exc):
    e = run_both(exception_in_finally, exc)
    assert type(e.__context__) is (exc if exc is not None else type(None))


def exception_in_handler(exc):
    try:
        raise exc
    except ValueError as e:
        raise KeyError("in handler")


def test_exception_in_handler_chains_context():
    e = run_both(exception_in_handler, ValueError)
    assert type(e.__context__) is ValueError and e.__cause__ is None


def chaining(kind):
    try:
        try:
            raise ValueError("a")
        except ValueError as e:
            if kind == 0:
                raise KeyError("b")
            if kind == 1:
                raise KeyError("b") from e
            raise KeyError("b") from None
    except KeyError as e:
        ctx, cause = e.__context__, e.__cause__
        return (type(ctx).__name__, str(ctx), type(cause).__name__, e.__suppress_context__)


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_context_cause_suppress(kind):
    run_both(chaining, kind)


def nested_try(a, b):
    out = []
    try:
        try:
            out.append(1)
            raise a
        except KeyError:
            out.append("inner-key")
            raise b
        finally:
            out.append("inner-finally")
    except ValueError as e:
        out.append(("outer-value", type(e.__context__).__name__))
    except KeyError:
        out.append("outer-key")
    finally:
        out.append("outer-finally")
    return out


@pytest.mark.parametrize("a,b", [(KeyError, ValueError), (ValueError, KeyError),
                                 (KeyError, KeyError), (TypeError, ValueError)])
def test_nested_try(a, b):
    run_both(nested_try, a, b)


def finally_return(exc):
    try:
        if exc is not None:
            raise exc
        return "body"
    finally:
        return "finally"  # swallows the exception and overrides the return


@pytest.mark.parametrize("exc", [None, ValueError])
def test_return_in_finally(exc):
    run_both(finally_return, exc)


def return_in_try(out):
    try:
        return "try"
    finally:
        out.append("finally ran")


def test_return_inside_try_runs_finally():
    def f():
        out = []
        r = return_in_try(out)
        return r, out
    run_both(f)


def return_in_except():
    try:
        raise ValueError
    except ValueError:
        return sys.exc_info()[0]
    finally:
        print("finally", sys.exc_info()[0])


def test_return_inside_except():
    run_both(return_in_except)


def loop_control(n):
    out = []
    for i in range(n):
        try:
            if i == 1:
                continue
            if i == 3:
                raise ValueError(i)
            if i == 5:
                break
            out.append(i)
        except ValueError as e:
            out.append(("caught", e.args[0]))
            continue
        finally:
            out.append(("finally", i))
    while True:
        try:
            try:
                break
            finally:
                out.append("inner-finally")
        finally:
            out.append("outer-finally")
    for i in range(3):
        try:
            raise KeyError(i)
        except KeyError:
            if i == 1:
                break
            out.append(("except", i))
    return out


@pytest.mark.parametrize("n", [0, 2, 4, 8])
def test_break_continue_in_try_finally_and_except(n):
    run_both(loop_control, n)


def except_tuple(exc, types):
    try:
        raise exc
    except types as e:
        return type(e).__name__


@pytest.mark.parametrize("exc,types", [
    (KeyError, (KeyError, ValueError)), (ValueError, (KeyError, ValueError)),
    (IndexError, (LookupError,)), (TypeError, ()), (TypeError, (KeyError, (TypeError,))),
    (KeyError, BaseException)])
def test_except_tuple_of_types(exc, types):
    run_both(except_tuple, exc, types)


@pytest.mark.parametrize("types", [1, "KeyError", NotAnException, (KeyError, 1),
                                   (NotAnException,), [KeyError]])
def test_except_with_bad_type(types):
    run_both(except_tuple, KeyError, types)


def except_as_is_cleared(exc):
    try:
        raise exc
    except Exception as e:
        pass
    return e


def test_except_as_name_is_deleted_after_the_block():
    run_both(except_as_is_cleared, ValueError)


def except_as_global_name():
    try:
        raise ValueError("g")
    except ValueError as err:
        pass
    return err


def test_except_as_name_cleared_without_shadowing():
    run_both(except_as_global_name)


class Stop(BaseException):
    pass


def base_exception_subclass(exc):
    try:
        try:
            raise exc
        except Exception:
            return "caught as Exception"
    except BaseException as e:
        return "caught as BaseException: " + type(e).__name__


@pytest.mark.parametrize("exc", [Stop, KeyboardInterrupt, SystemExit, ValueError])
def test_keyboard_interrupt_like_exceptions(exc):
    run_both(base_exception_subclass, exc)


def test_uncaught_base_exception_propagates():
    run_both(raise_it, Stop)


# ---- assert ---------------------------------------------------------------------------------

def assert_plain(x):
    assert x
    return "passed"


def assert_message(x):
    assert x, "bad value %r" % (x,)
    return "passed"


def assert_caught(x):
    try:
        assert x, x
    except AssertionError as e:
        return e.args


@pytest.mark.parametrize("x", [0, 1, "", [1], None])
def test_assert(x):
    run_both(assert_plain, x)
    run_both(assert_message, x)
    run_both(assert_caught, x)


def test_assert_uses_the_builtin_class_even_if_shadowed():
    def f():
        AssertionError = KeyError  # noqa: F841 (LOAD_ASSERTION_ERROR ignores names)
        assert False
    run_both(f)


# ---- sys.exc_info ------------------------------------------------------------------------

def exc_info_states():
    states = [sys.exc_info()]
    try:
        raise ValueError("outer")
    except ValueError:
        states.append(sys.exc_info()[:2])
        try:
            raise KeyError("inner")
        except KeyError:
            states.append(sys.exc_info()[:2])
        states.append(sys.exc_info()[:2])
    states.append(sys.exc_info())
    try:
        pass
    finally:
        states.append(sys.exc_info())
    try:
        raise TypeError
    except TypeError:
        pass
    finally:
        states.append(sys.exc_info())
    return [(s[0], str(s[1])) if s[0] else s for s in states]


def test_exc_info_inside_and_after_handlers():
    run_both(exc_info_states)


def exc_info_in_callee():
    return sys.exc_info()[0]


def exc_info_seen_by_callee():
    before = exc_info_in_callee()
    try:
        raise KeyError
    except KeyError:
        during = exc_info_in_callee()
    return before, during, exc_info_in_callee()


def test_exc_info_seen_by_called_function():
    run_both(exc_info_seen_by_callee)


def test_exc_info_restored_when_handler_raises():
    def f():
        try:
            try:
                raise ValueError
            except ValueError:
                raise KeyError
        except KeyError:
            pass
        return sys.exc_info()
    run_both(f)


def test_handled_exception_of_the_caller_is_restored():
    def f():
        try:
            raise ValueError("caller's")
        except ValueError:
            try_shapes(KeyError)  # compiled callee handles and finishes its own exception
            return str(sys.exc_info()[1])
    run_both(f)


# ---- tracebacks through compiled frames -----------------------------------------------------

def level3(kind):
    if kind == "key":
        return {}["missing"]
    if kind == "zero":
        return 1 / 0
    raise ValueError("level3")


def level2(kind):
    x = level3(kind)
    return x


def level1(kind):
    try:
        return level2(kind)
    finally:
        pass


def level0(kind):
    try:
        level1(kind)
    except KeyError as e:
        raise RuntimeError("wrapped") from e


def format_both(func, *args, **kwargs):
    """traceback.format_exception text of func's exception, interpreted and compiled."""
    (want, _), (got, _) = run_interpreted(func, *args, **kwargs), run_jit(func, *args, **kwargs)
    assert want[0] == got[0] == "raised"
    return ("".join(traceback.format_exception(want[4])),
            "".join(traceback.format_exception(got[4])))


@pytest.mark.parametrize("kind", ["key", "zero", "value"])
def test_tracebacks_through_several_frames(kind):
    run_both(level0, kind)
    want, got = format_both(level0, kind)
    assert got == want
    for fn in (level1, level2, level3):
        assert_compiled(fn)


def test_traceback_text_of_chained_exceptions():
    want, got = format_both(exception_in_handler, ValueError)
    assert got == want and "During handling of the above exception" in got
    want, got = format_both(raise_from, ValueError, KeyError)
    assert got == want and "direct cause" in got


def finally_reraise_lines():
    try:
        x = 1
        raise ValueError("line")  # the traceback entry must point here, not at the finally
    finally:
        x = 2
        x = 3


def test_reraise_after_finally_keeps_the_raising_line():
    run_both(finally_reraise_lines)
    want, got = format_both(finally_reraise_lines)
    assert got == want


def test_frame_lineno_after_reraise():
    def f():
        try:
            finally_reraise_lines()
        except ValueError as e:
            tb = e.__traceback__.tb_next
            return tb.tb_lineno, tb.tb_frame.f_lineno, tb.tb_lasti
    run_both(f)


def deep(n):
    if n == 0:
        raise KeyError(n)
    try:
        deep(n - 1)
    finally:
        n += 1


def test_many_compiled_frames_with_finally():
    run_both(deep, 6)
    want, got = format_both(deep, 6)
    assert got == want


# ---- with ------------------------------------------------------------------------------------

class CM:
    def __init__(self, log, name="cm", suppress=False, fail_enter=False, fail_exit=False):
        self.log, self.name, self.suppress = log, name, suppress
        self.fail_enter, self.fail_exit = fail_enter, fail_exit

    def __enter__(self):
        self.log.append((self.name, "enter"))
        if self.fail_enter:
            raise KeyError("enter failed")
        return self.name

    def __exit__(self, typ, val, tb):
        self.log.append((self.name, "exit", typ and typ.__name__, str(val),
                         tb is not None and tb.tb_lineno))
        if self.fail_exit:
            raise TypeError("exit failed")
        return self.suppress


def with_body(exc, **kw):
    log = []
    with CM(log, **kw) as name:
        log.append(("body", name))
        if exc is not None:
            raise exc
        log.append("body end")
    log.append("after")
    return log


@pytest.mark.parametrize("exc", [None, ValueError, Stop])
@pytest.mark.parametrize("kw", [{}, {"suppress": True}, {"suppress": 1}, {"suppress": ""},
                                {"fail_enter": True}, {"fail_exit": True}])
def test_with_statement(exc, kw):
    run_both(with_body, exc, **kw)


def with_return(flag):
    log = []
    with CM(log):
        if flag:
            return log
        log.append("no return")
    return log


@pytest.mark.parametrize("flag", [True, False])
def test_with_returning_from_inside(flag):
    run_both(with_return, flag)


def nested_with(exc, suppress_inner, suppress_outer):
    log = []
    with CM(log, "outer", suppress_outer) as a, CM(log, "inner", suppress_inner) as b:
        log.append((a, b))
        with CM(log, "innermost"):
            if exc is not None:
                raise exc
    return log


@pytest.mark.parametrize("exc", [None, ValueError])
@pytest.mark.parametrize("si,so", [(False, False), (True, False), (False, True)])
def test_nested_with(exc, si, so):
    run_both(nested_with, exc, si, so)


def with_in_loop(n):
    log = []
    for i in range(n):
        with CM(log, str(i)):
            if i == 1:
                continue
            if i == 3:
                break
            log.append(i)
    return log


def test_with_break_continue():
    run_both(with_in_loop, 5)


class OnlyEnter:
    def __enter__(self):
        return self


class OnlyExit:
    def __exit__(self, *args):
        return False


class EnterNotCallable:
    __enter__ = None

    def __exit__(self, *args):
        return False


class ExitReturnsBadBool:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        class Bad:
            def __bool__(self):
                raise ZeroDivisionError("bad bool")
        return Bad()


def with_plain(mgr, exc):
    with mgr:
        if exc is not None:
            raise exc
    return "done"


@pytest.mark.parametrize("mgr", [1, None, OnlyEnter(), OnlyExit(), EnterNotCallable(),
                                 ExitReturnsBadBool()])
@pytest.mark.parametrize("exc", [None, ValueError])
def test_with_protocol_errors(mgr, exc):
    run_both(with_plain, mgr, exc)


def test_with_exception_chaining_in_exit():
    e = run_both(with_body, ValueError, fail_exit=True)
    assert type(e) is TypeError and type(e.__context__) is ValueError
    want, got = format_both(with_body, ValueError, fail_exit=True)
    assert got == want


def test_with_exc_info_inside_exit():
    class Peek:
        def __enter__(self):
            return self

        def __exit__(self, *args):
            self.seen = sys.exc_info()[0]
            return True

    def f():
        p = Peek()
        with p:
            raise KeyError
        return p.seen, sys.exc_info()
    run_both(f)


# ---- reference counts ------------------------------------------------------------------------

class Counted(Exception):
    pass


def raise_and_catch(cls, cause, mgr):
    try:
        raise cls from cause
    except cls as e:
        pass
    try:
        with mgr:
            raise cls
    except cls:
        pass
    with mgr:
        pass
    try:
        try:
            raise cls
        finally:
            pass
    except cls:
        pass
    return sys.exc_info()[0]


def test_exception_paths_do_not_leak():
    cause = KeyError("cause")
    mgr = CM([], suppress=False)
    args = (Counted, cause, mgr)
    with jit_enabled(0):
        raise_and_catch(*args)
        mgr.log.clear()
        before = [sys.getrefcount(a) for a in args]
        for _ in range(200):
            raise_and_catch(*args)
        mgr.log.clear()
        after = [sys.getrefcount(a) for a in args]
    assert after == before
    assert_compiled(raise_and_catch)


def test_raised_exceptions_are_released():
    import weakref

    def f(box):
        try:
            raise box.pop()
        except Counted as outer:
            refs = [weakref.ref(outer)]
            try:
                raise Counted("inner")  # PUSH_EXC_INFO saves outer, POP_EXCEPT restores it
            except Counted as inner:
                refs.append(weakref.ref(inner))
            with CM([], suppress=True):
                raise Counted("in with")
            return refs
    with jit_enabled(0):
        refs = f([Counted("x")])
    assert [r() for r in refs] == [None, None]
    assert_compiled(f)


# ---- pattern matching (MATCH_MAPPING, MATCH_SEQUENCE, MATCH_KEYS, MATCH_CLASS) ----------------

class Point:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y


class BadMatchArgs:
    __match_args__ = ["x"]
    x = 1


class NonStrMatchArgs:
    __match_args__ = (1,)


class NoMatchArgs:
    a = 5


class Keys:
    a = "k"
    b = "k"


def match_subject(subject):
    match subject:
        case {"kind": "point", "x": x, "y": y}:
            return ("map-point", x, y)
        case {"kind": k, **rest}:
            return ("map-rest", k, sorted(rest))
        case {}:
            return "empty-or-other-mapping"
        case [1, *others]:
            return ("seq-star", others)
        case [a, b]:
            return ("pair", a, b)
        case []:
            return "empty-seq"
        case Point(0, y=yy):
            return ("point-on-axis", yy)
        case Point(x, y) if x == y:
            return ("diagonal", x)
        case Point(x=px):
            return ("point", px)
        case int(n) | float(n):
            return ("number", n)
        case str() as s:
            return ("str", s)
        case NoMatchArgs(a=5):
            return "no-match-args"
        case _:
            return "default"


@pytest.mark.parametrize("subject", [
    {"kind": "point", "x": 1, "y": 2}, {"kind": "line", "a": 1, "b": 2}, {}, {"other": 1},
    [1, 2, 3], (1,), [5, 6], (7, 8), [], (), Point(0, 4), Point(3, 3), Point(1, 2), 5, 2.5,
    True, "text", b"bytes", NoMatchArgs(), None, object(), range(2), {1, 2}])
def test_match_statement(subject):
    run_both(match_subject, subject)


def match_class_with(cls, subject):
    match subject:
        case cls(a):
            return ("one", a)
        case _:
            return "none"


def match_class_two(cls, subject):
    match subject:
        case cls(a, b):
            return ("two", a, b)
        case _:
            return "none"


@pytest.mark.parametrize("cls,subject", [
    (BadMatchArgs, BadMatchArgs()), (NonStrMatchArgs, NonStrMatchArgs()),
    (NoMatchArgs, NoMatchArgs()), (Point, Point(1, 2)), (Point, 5), ("notatype", 5),
    (int, 7), (str, "s")])
def test_match_class_errors_and_positionals(cls, subject):
    run_both(match_class_with, cls, subject)
    run_both(match_class_two, cls, subject)


def match_repeated_attribute(subject):
    match subject:
        case Point(x, x=other):
            return other
    return "none"


def test_match_class_repeated_attribute():
    run_both(match_repeated_attribute, Point(1, 2))


def match_value_keys(subject):
    match subject:
        case {Keys.a: 1, Keys.b: 2}:
            return "matched"
    return "none"


def test_match_duplicate_key():
    run_both(match_value_keys, {"k": 1})


class MissingMapping(dict):
    def __missing__(self, key):
        return "from missing"


class RaisingGet(dict):
    def get(self, key, default=None):
        raise LookupError("get failed")


@pytest.mark.parametrize("subject", [MissingMapping(kind="x"), MissingMapping(),
                                     RaisingGet(kind=1)])
def test_match_mapping_subclasses(subject):
    run_both(match_subject, subject)


def test_match_does_not_leak():
    subject = Point(1, 2)
    mapping = {"kind": "point", "x": 1, "y": 2}
    with jit_enabled(0):
        match_subject(subject)
        match_subject(mapping)
        before = sys.getrefcount(subject), sys.getrefcount(mapping), sys.getrefcount(Point)
        for _ in range(200):
            match_subject(subject)
            match_subject(mapping)
            match_subject(5)
        after = sys.getrefcount(subject), sys.getrefcount(mapping), sys.getrefcount(Point)
    assert after == before
    assert_compiled(match_subject)
