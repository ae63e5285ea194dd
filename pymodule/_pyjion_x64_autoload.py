"""Turns the JIT on at interpreter start-up when asked to.

Imported by pyjion_x64.pth (installed in site-packages) on every start-up; it does
nothing unless `-X jit` or PYJION_X64=1 is given. `-X jit-threshold=N` or
PYJION_X64_THRESHOLD=N sets the threshold. Kept tiny: it runs in every process.
"""
import os
import sys


def _threshold():
    value = sys._xoptions.get("jit-threshold") or os.environ.get("PYJION_X64_THRESHOLD")
    if value in (None, True, ""):
        return None
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        sys.stderr.write("pyjion_x64: ignoring bad threshold %r\n" % (value,))
        return None


def _wanted():
    return "jit" in sys._xoptions or os.environ.get("PYJION_X64", "") not in ("", "0")


def autoload():
    if not _wanted():
        return
    try:
        import pyjion_x64
    except ImportError as exc:
        sys.stderr.write("pyjion_x64: JIT not enabled: %s\n" % (exc,))
        return
    threshold = _threshold()
    if threshold == "auto" or (threshold is not None and threshold >= 0):
        pyjion_x64.config(threshold=threshold)
    pyjion_x64.enable()
