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


def _main_module():
    """The module `-m` names on this interpreter's command line, or None (a script, -c,
    the REPL). Python's own short options may be bundled (`-Im mod`, `-Xjit`)."""
    args = list(getattr(sys, "orig_argv", ()))[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--" or not arg.startswith("-") or arg == "-":
            return None
        if arg.startswith("--"):  # --check-hash-based-pycs takes a value
            i += 2 if arg == "--check-hash-based-pycs" else 1
            continue
        for j, letter in enumerate(arg[1:], 1):
            if letter == "c":
                return None
            if letter == "m":
                value = arg[j + 1:]
                return value if value else (args[i + 1] if i + 1 < len(args) else None)
            if letter in "WX":
                if j + 1 == len(arg):
                    i += 1  # the value is the next argument
                break
        i += 1
    return None


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
    # `-m pyjion_x64` enables the JIT itself once the program starts: the rest of site's
    # start-up, runpy and the runner are not the program, and compiling them (their loops
    # count as hot on a first call) cost more than all of start-up (about 15 ms).
    if _main_module() != "pyjion_x64":
        pyjion_x64.enable()
