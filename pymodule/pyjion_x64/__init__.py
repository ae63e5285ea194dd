"""pyjion_x64: a JIT compiler for CPython 3.11 that turns hot functions into x86-64 code.

    import pyjion_x64
    pyjion_x64.enable()              # compile every function once it is hot
    pyjion_x64.config(threshold=0)   # ... on its first call

    @pyjion_x64.jit                  # or just this one, even with the JIT off
    def f(x): ...

    pyjion_x64.info(f)               # {'compiled': True, 'failed': False, ...}
"""
import sys

if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
    raise ImportError(
        "pyjion_x64 requires CPython 3.11; this is %s %s"
        % (sys.implementation.name, sys.version.split()[0])
    )

from ._core import config, disable, enable, info, is_enabled, jit, native, stats  # noqa: E402

__all__ = ["config", "dis", "disable", "enable", "info", "is_enabled", "jit", "native", "stats"]



def __getattr__(name):
    # pyjion_x64.dis (annotated machine code) is imported on first use: it needs re,
    # subprocess and more, which would slow down every start-up with the JIT on.
    if name == "dis":
        import importlib
        return importlib.import_module(".dis", __name__)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
