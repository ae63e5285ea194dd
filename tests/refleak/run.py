"""Reference-leak check of the compiled test bodies, under a debug interpreter.

    make BUILD=build-dbg VENV=.venv-dbg PYTHON=/usr/bin/python3.11d install
    .venv-dbg/bin/python tests/refleak/run.py                 # every module using run_both/run_jit
    .venv-dbg/bin/python tests/refleak/run.py -k test_core    # extra arguments go to pytest

First a self-check: the checker must catch the leak planted in selfcheck_cases.py. Then
pytest on the modules of tests/python that call jitutil.run_both/run_jit in-process,
with tests/refleak/refleak_plugin.py and --refleak: after each test, every compiled body it
ran is repeated compiled and interpreted, and sys.gettotalrefcount() /
sys.getallocatedblocks() must move by the same amount (see the plugin's docstring). Exit
status: pytest's (non-zero if any test leaks or fails).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(os.path.dirname(HERE), "python")


def modules():
    """tests/python modules whose tests run compiled bodies in this process."""
    found = []
    for name in sorted(os.listdir(TESTS)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        with open(os.path.join(TESTS, name)) as f:
            if re.search(r"\brun_(?:both|jit)\(", f.read()):
                found.append(os.path.join(TESTS, name))
    return found


def selfcheck(pytest):
    """The checker must catch selfcheck_cases.py's leak and pass the other cases."""
    import io
    import contextlib
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = pytest.main(["-p", "refleak_plugin", "--refleak", "-q", "-p", "no:cacheprovider",
                              "--rootdir", HERE, os.path.join(HERE, "selfcheck_cases.py")])
    text = out.getvalue()
    leaks = re.findall(r"^LEAK (\S+)", text, re.M)
    if status != 1 or leaks != ["selfcheck_cases.py::test_leaks_when_compiled"] \
            or "1 failed, 2 passed" not in text:
        sys.stdout.write(text)
        sys.exit("refleak self-check failed: the checker did not catch exactly the planted leak")
    print("refleak self-check: planted leak caught, clean cases passed")


def main(argv):
    if not hasattr(sys, "gettotalrefcount"):
        sys.exit("tests/refleak/run.py needs a debug interpreter (python3.11-dbg), not %s"
                 % sys.executable)
    import pytest
    sys.path[:0] = [HERE, TESTS]
    selfcheck(pytest)
    paths = [a for a in argv if not a.startswith("-") and os.path.exists(a)]
    args = ["-p", "refleak_plugin", "--refleak", "-q", "-p", "no:cacheprovider"] + argv
    if not paths:
        args += modules()
    return pytest.main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
