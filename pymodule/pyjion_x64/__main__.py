"""Run a script or module with the JIT on, exactly as `python script.py` would.

    python -X jit -m pyjion_x64 [--threshold N] [--stats] script.py [args...]
    python -X jit -m pyjion_x64 [--threshold N] [--stats=json FILE] -m module [args...]

sys.argv, sys.path[0], __main__, the exit status and the printing of uncaught exceptions
(without this runner's own frames) match the plain interpreter.
"""
import atexit
import os
import sys

import pyjion_x64

USAGE = ("usage: python -X jit -m pyjion_x64 [--threshold N] [--stats | --stats=json FILE] "
         "(script.py | -m module) [args...]")


def _parse(argv):
    threshold, stats = None, False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--stats":
            stats = True
        elif arg == "--stats=json":
            i += 1
            if i >= len(argv):
                sys.exit(USAGE)
            stats = argv[i]
        elif arg == "--threshold" or arg.startswith("--threshold="):
            if "=" in arg:
                value = arg.split("=", 1)[1]
            else:
                i += 1
                if i >= len(argv):
                    sys.exit(USAGE)
                value = argv[i]
            if value == "auto":
                threshold = value
            else:
                try:
                    threshold = int(value)
                except ValueError:
                    sys.exit("pyjion_x64: --threshold takes a whole number or 'auto', not %r"
                             % value)
                if threshold < 0:
                    sys.exit("pyjion_x64: --threshold must be >= 0")
        elif arg in ("-h", "--help"):
            print(USAGE)
            sys.exit(0)
        else:
            break
        i += 1
    rest = argv[i:]
    if not rest or (rest[0] == "-m" and len(rest) < 2):
        sys.exit(USAGE)
    return threshold, stats, rest


def print_stats(file=None):
    file = file or sys.stderr
    s = pyjion_x64.stats()
    print("pyjion_x64: %d code objects compiled, %d refused, %.1f ms compiling"
          % (s["compiled"], s["failed"], s["compile_ns"] / 1e6), file=file)
    for reason, count in sorted(s["reasons"].items(), key=lambda kv: (-kv[1], kv[0])):
        print("  %6d  %s" % (count, reason), file=file)
        examples = [r for r in s["refused"] if r["reason"] == reason][:5]
        for r in examples:
            print("            %s (%s:%d)" % (r["qualname"], r["filename"], r["firstlineno"]),
                  file=file)


def write_stats_json(path):
    s = pyjion_x64.stats()  # before json is imported: its import is not the program's
    s["code"] = pyjion_x64._core._code_stats()
    pyjion_x64.disable()
    import json
    with open(path, "w") as f:
        json.dump(s, f, indent=1)


def _strip_runner_frames(tb):
    """Drops the frames of this runner and of runpy: `python script.py` has none."""
    own = os.path.abspath(__file__)
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__") != "runpy" and \
                os.path.abspath(frame.f_code.co_filename) != own:
            break
        tb = tb.tb_next
    return tb


def _run_script(script):
    """Runs a source file as `python script.py` does: a fresh __main__ module, __file__ the
    absolute path, the code compiled from the file's bytes (so its encoding declaration
    counts). Directories and zip files go through runpy, which knows their __main__.py."""
    import importlib.machinery
    path = os.path.abspath(script)
    if not os.path.isfile(path) or path.endswith(".pyz"):
        import runpy
        runpy.run_path(script, run_name="__main__")
        return
    with open(path, "rb") as f:
        source = f.read()
    if source[:2] == b"PK" or source[:4] == b"\x50\x4b\x03\x04":  # a zip archive
        import runpy
        runpy.run_path(script, run_name="__main__")
        return
    code = compile(source, path, "exec", dont_inherit=True)
    module = type(sys)("__main__")
    module.__file__ = path
    module.__cached__ = None
    module.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    module.__spec__ = None
    module.__package__ = None
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    exec(code, module.__dict__)


def main():
    threshold, stats, rest = _parse(sys.argv[1:])
    if threshold is not None:
        pyjion_x64.config(threshold=threshold)
    if stats is True:
        atexit.register(print_stats)
    elif stats:
        atexit.register(write_stats_json, stats)
    pyjion_x64.enable()
    if rest[0] == "-m":
        sys.argv = rest[1:]
        import runpy
        run = lambda: runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        script = rest[0]
        sys.argv = rest
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        run = lambda: _run_script(script)
    try:
        run()
    except SystemExit:
        raise
    except BaseException as exc:  # print like the interpreter's top level, then exit 1
        tb = _strip_runner_frames(exc.__traceback__)
        sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        if isinstance(exc, KeyboardInterrupt):
            import signal
            sys.stdout.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        sys.exit(1)


if __name__ == "__main__":
    main()
