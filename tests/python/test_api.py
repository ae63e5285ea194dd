"""The Python API: enable/disable/is_enabled, config, jit, info, native, stats, dis, and
clear errors for bad arguments."""
import pytest

import pyjion_x64
from jitutil import assert_compiled, jit_enabled


def test_enable_disable_roundtrip():
    assert not pyjion_x64.is_enabled()
    assert pyjion_x64.enable() is True
    assert pyjion_x64.enable() is False          # already on
    assert pyjion_x64.is_enabled()
    assert pyjion_x64.disable() is True
    assert pyjion_x64.disable() is False
    assert not pyjion_x64.is_enabled()


def test_config_sets_and_returns_settings():
    old = pyjion_x64.config()["threshold"]
    try:
        assert pyjion_x64.config(threshold=7)["threshold"] == 7
        assert pyjion_x64.config()["threshold"] == 7
    finally:
        pyjion_x64.config(threshold=old)


@pytest.mark.parametrize("bad,exc", [(-1, ValueError), ("3", TypeError), (1.5, TypeError),
                                     (True, TypeError)])
def test_config_rejects_bad_threshold(bad, exc):
    with pytest.raises(exc, match="threshold"):
        pyjion_x64.config(threshold=bad)


def test_config_rejects_unknown_and_positional():
    with pytest.raises(TypeError):
        pyjion_x64.config(level=2)
    with pytest.raises(TypeError):
        pyjion_x64.config(3)


@pytest.mark.parametrize("api", [pyjion_x64.info, pyjion_x64.jit, pyjion_x64.native])
@pytest.mark.parametrize("bad", [None, 3, "f", len, object()])
def test_non_functions_raise_type_error(api, bad):
    with pytest.raises(TypeError, match="expects a function or code object"):
        api(bad)


def test_jit_decorator_compiles_on_first_call_with_jit_off():
    def f(x):
        return x * 2 + 1

    assert pyjion_x64.jit(f) is f
    assert not pyjion_x64.is_enabled()
    info = pyjion_x64.info(f)
    assert not info["compiled"] and not info["failed"]
    assert f(20) == 41
    info = pyjion_x64.info(f)
    assert info["compiled"] and info["reason"] is None
    assert info["native_size"] > 0 and info["compile_ns"] > 0 and info["run_count"] == 1


def test_info_on_code_objects_and_methods():
    class C:
        def m(self, x):
            return x - 1

    c = C()
    with jit_enabled(0):
        assert c.m(5) == 4
    assert_compiled(C.m)
    assert pyjion_x64.info(c.m) == pyjion_x64.info(C.m.__code__)


def test_info_reason_when_not_enabled_and_below_threshold():
    def f(x):
        return x

    assert pyjion_x64.info(f)["reason"] == "the JIT is not enabled"
    with jit_enabled(threshold=5):
        f(1)
        info = pyjion_x64.info(f)
        assert not info["compiled"] and info["run_count"] == 1
        assert "threshold 5" in info["reason"]


def test_refused_function_reports_reason():
    async def gen():
        yield 1

    with jit_enabled(0):
        agen = gen()
        try:
            agen.asend(None).send(None)
        except StopIteration as e:
            assert e.value == 1
    info = pyjion_x64.info(gen)
    assert info["failed"] and not info["compiled"]
    assert "async generator" in info["reason"]
    assert pyjion_x64.native(gen) is None
    stats = pyjion_x64.stats()
    assert stats["reasons"][info["reason"]] >= 1
    assert any(r["qualname"].endswith("gen") for r in stats["refused"])


def test_native_and_dis_show_the_machine_code():
    def f(a, b):
        return a - b

    pyjion_x64.jit(f)
    assert f(5, 3) == 2
    code, address, notes = pyjion_x64.native(f)
    assert len(code) == pyjion_x64.info(f)["native_size"] and address > 0
    names = [text for _, text in notes]
    assert any("BINARY_OP" in n for n in names) and any("RETURN_VALUE" in n for n in names)
    text = pyjion_x64.dis.dis_text(f)
    assert "# 6 BINARY_OP" in text and "call rt_binary_op_ic" in text and "ret" in text


def test_stats_counts_compiles():
    before = pyjion_x64.stats()["compiled"]

    def f():
        return 1

    pyjion_x64.jit(f)
    f()
    after = pyjion_x64.stats()
    assert after["compiled"] == before + 1
    assert after["mapped_bytes"] > 0 and after["compile_ns"] > 0
