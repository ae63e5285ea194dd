"""Whole programs (tests/python/programs/*.py, ordinary scripts without generators of
their own) run under `python -m pyjion_x64 --threshold 0` must print exactly what they print
under the interpreter, and every code object they execute must be compiled, module bodies
included. The only refusals allowed are coroutine code (for instance the standard
library's coroutines that these programs call)."""
import json
import os
import signal
import subprocess
import sys

import pytest

PROGRAMS = os.path.join(os.path.dirname(__file__), "programs")
ALLOWED_REFUSAL = "coroutine and async generator code runs in the interpreter"

RUN_WITH_JIT = """
import json, runpy, sys
import pyjion_x64
path, report = sys.argv[1], sys.argv[2]
sys.argv = [path]
sys.path[0] = %r
pyjion_x64.config(threshold=0)
pyjion_x64.enable()
try:
    runpy.run_path(path, run_name="__main__")
finally:
    pyjion_x64.disable()
    with open(report, "w") as f:
        json.dump(pyjion_x64.stats(), f)
"""


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJION_X64")}
    env["PYTHONHASHSEED"] = "0"
    return env


def _run(args):
    return subprocess.run([sys.executable] + args, capture_output=True, text=True, timeout=300,
                          env=_env(), preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.parametrize("program", sorted(p for p in os.listdir(PROGRAMS) if p.endswith(".py")))
def test_program_output_identical_and_all_compiled(program, tmp_path):
    path = os.path.join(PROGRAMS, program)
    plain = _run([path])
    assert plain.returncode == 0, plain.stderr
    report = tmp_path / "stats.json"
    jit = _run(["-c", RUN_WITH_JIT % PROGRAMS, path, str(report)])
    assert jit.stderr == plain.stderr
    assert jit.stdout == plain.stdout
    assert jit.returncode == 0
    stats = json.loads(report.read_text())
    bad = [r for r in stats["refused"] if r["reason"] != ALLOWED_REFUSAL]
    assert not bad, "refused: %s" % bad
    assert stats["compiled"] > 5
    ours = [r for r in stats["refused"] if r["filename"] == path]
    assert not ours, "this program's own code was refused: %s" % ours
