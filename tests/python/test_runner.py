"""The command line: `python -m pyjion_x64 script.py`, `-m module`, `-X jit`, PYJION_X64=1,
--threshold/--stats, and behaviour identical to `python script.py` (argv, __main__, exit
status, uncaught exceptions). Also Ctrl-C and GIL hand-off in compiled loops."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

PY = sys.executable


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJION_X64")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run(args, cwd=None, timeout=60, **env):
    return subprocess.run([PY] + args, capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env=_env(**env), preexec_fn=_default_sigint)


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


SCRIPT = """
    import sys
    import pyjion_x64

    def work(n):
        total = 0
        for i in range(n):
            total += i * i
        return total

    print(__name__, sys.argv[1:], work(100))
    print("compiled", pyjion_x64.info(work)["compiled"])
    if len(sys.argv) > 1 and sys.argv[1] == "fail":
        raise ValueError("bad " + sys.argv[2])
    sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


def test_script_runs_like_python(tmp_path):
    script = write(tmp_path, "app.py", SCRIPT)
    plain = run([str(script), "7", "x"])
    jit = run(["-m", "pyjion_x64", "--threshold", "0", str(script), "7", "x"])
    assert plain.returncode == jit.returncode == 7
    assert plain.stdout.splitlines()[0] == jit.stdout.splitlines()[0] == "__main__ ['7', 'x'] 328350"
    assert jit.stdout.splitlines()[1] == "compiled True"
    assert jit.stderr == plain.stderr == ""


def test_uncaught_exception_printed_like_python(tmp_path):
    script = write(tmp_path, "app.py", SCRIPT)
    plain = run([str(script), "fail", "input"])
    jit = run(["-m", "pyjion_x64", "--threshold=0", str(script), "fail", "input"])
    assert plain.returncode == jit.returncode == 1
    assert jit.stderr == plain.stderr
    assert "ValueError: bad input" in jit.stderr


def test_run_module(tmp_path):
    write(tmp_path, "mymod.py", SCRIPT)
    plain = run(["-m", "mymod", "3"], cwd=tmp_path)
    jit = run(["-X", "jit", "-m", "pyjion_x64", "--threshold", "0", "-m", "mymod", "3"], cwd=tmp_path)
    assert plain.returncode == jit.returncode == 3
    assert jit.stdout.splitlines()[0] == plain.stdout.splitlines()[0]
    assert jit.stdout.splitlines()[1] == "compiled True"


def test_stats_reports_compiled_and_refused(tmp_path):
    script = write(tmp_path, "app.py", SCRIPT)
    jit = run(["-m", "pyjion_x64", "--threshold", "0", "--stats", str(script)])
    assert jit.returncode == 0
    line = [l for l in jit.stderr.splitlines() if l.startswith("pyjion_x64:")][0]
    compiled = int(line.split()[1])
    assert compiled >= 2  # at least the module body and work()


def test_bad_threshold_argument(tmp_path):
    script = write(tmp_path, "app.py", SCRIPT)
    r = run(["-m", "pyjion_x64", "--threshold", "many", str(script)])
    assert r.returncode != 0 and "--threshold" in r.stderr


CHECK_ENABLED = """
    import pyjion_x64
    print(pyjion_x64.is_enabled(), pyjion_x64.config()["threshold"])
"""


def test_dash_x_jit_enables_at_startup(tmp_path):
    script = write(tmp_path, "check.py", CHECK_ENABLED)
    assert run([str(script)]).stdout.split()[0] == "False"
    assert run(["-X", "jit", str(script)]).stdout.split()[0] == "True"
    assert run(["-X", "jit", "-X", "jit-threshold=5", str(script)]).stdout.split() == ["True", "5"]


def test_environment_variable_enables_at_startup(tmp_path):
    script = write(tmp_path, "check.py", CHECK_ENABLED)
    assert run([str(script)], PYJION_X64="1", PYJION_X64_THRESHOLD="9").stdout.split() == ["True", "9"]
    assert run([str(script)], PYJION_X64="0").stdout.split()[0] == "False"


STARTUP_CODE = """
    import sys
    import pyjion_x64

    def work(n):
        total = 0
        for i in range(n):
            total += i
        return total

    work(10)
    files = sorted({c["file"] for c in pyjion_x64._core._code_stats() if c["compiled"]})
    print(repr([pyjion_x64.is_enabled(), pyjion_x64.config()["threshold"],
                pyjion_x64.info(work)["compiled"], files]))
"""


@pytest.mark.parametrize("flags", [["-X", "jit"], ["-Xjit", "-B"], ["-X", "jit", "-Bm"]])
def test_runner_leaves_start_up_code_uncompiled(tmp_path, flags):
    # With `-m pyjion_x64` the runner enables the JIT when the program starts: site's
    # start-up, runpy and the runner itself (loops, so compiled on a first call) stay
    # with the interpreter. The program's code is compiled as before.
    import ast
    script = write(tmp_path, "app.py", STARTUP_CODE)
    argv = flags + (["pyjion_x64"] if flags[-1].endswith("m") else ["-m", "pyjion_x64"])
    out = run(argv + [str(script)])
    assert out.returncode == 0, out.stderr
    enabled, threshold, work_compiled, files = ast.literal_eval(out.stdout)
    assert enabled and threshold == "auto" and work_compiled
    assert files == [str(script)]  # work(); the module body has no loop
    out = run(argv + [str(script)], PYJION_X64_THRESHOLD="3")  # still read at start-up
    enabled, threshold, work_compiled, files = ast.literal_eval(out.stdout)
    assert enabled and threshold == 3 and not work_compiled and files == []
    # without the runner, -X jit enables during start-up, and start-up code compiles
    out = run(["-X", "jit", "-X", "jit-threshold=0", str(script)])
    enabled, threshold, work_compiled, files = ast.literal_eval(out.stdout)
    assert enabled and work_compiled and "<frozen site>" in files


STDLIB_POLICY = """
    import sys
    import collections, random
    import pyjion_x64

    def mine(n):              # the program's loop: compiled on its first call
        total = 0
        for i in range(n):
            total += i
        return total

    mine(3)
    Point = collections.namedtuple("Point", "x y")  # stdlib loops, run once: left alone
    rng = random.Random(1)
    first = pyjion_x64.info(random.Random.randrange)["compiled"]
    for i in range(200000):            # a hot standard-library function: compiled in time
        rng.randrange(100)
    print(repr([pyjion_x64.info(mine)["compiled"], pyjion_x64.info(collections.namedtuple),
                first, pyjion_x64.info(random.Random.randrange)["compiled"]]))
"""


def test_standard_library_code_compiles_once_its_interpreter_time_pays_for_it(tmp_path):
    # namedtuple runs once for well under its budget (about 1.5 ms of interpreter time),
    # even on a debug interpreter; 200 000 randrange calls are far over theirs
    import ast
    script = write(tmp_path, "policy.py", STDLIB_POLICY)
    out = run(["-X", "jit", "-m", "pyjion_x64", str(script)])
    assert out.returncode == 0, out.stderr
    mine, factory, first, later = ast.literal_eval(out.stdout)
    assert mine and not first and later
    assert not factory["compiled"] and factory["run_count"] == 1
    assert "standard library code, compiled once the interpreter has run it" in factory["reason"]
    # an explicit threshold counts calls for every function, the standard library's too
    out = run(["-X", "jit", "-m", "pyjion_x64", "--threshold", "0", str(script)])
    mine, factory, first, later = ast.literal_eval(out.stdout)
    assert mine and factory["compiled"] and later


def test_main_module_reads_bundled_options():
    import _pyjion_x64_autoload as autoload
    cases = {("py", "-m", "pyjion_x64", "a.py"): "pyjion_x64",
             ("py", "-Im", "pyjion_x64"): "pyjion_x64",
             ("py", "-mpyjion_x64"): "pyjion_x64",
             ("py", "-X", "jit", "-W", "ignore", "-m", "x"): "x",
             ("py", "-Xjit", "-Wdefault", "-m", "x"): "x",
             ("py", "-c", "-m"): None,
             ("py", "-Bc", "pass"): None,
             ("py", "script.py", "-m", "x"): None,
             ("py",): None}
    saved = sys.orig_argv
    try:
        for argv, module in cases.items():
            sys.orig_argv = list(argv)
            assert autoload._main_module() == module, argv
    finally:
        sys.orig_argv = saved


SPIN = """
    import sys
    import pyjion_x64
    pyjion_x64.config(threshold=0)
    pyjion_x64.enable()

    def spin():
        sys.stdout.write("ready %s\\n" % pyjion_x64.info(spin)["compiled"])
        sys.stdout.flush()
        while True:
            pass

    try:
        spin()
    except KeyboardInterrupt:
        print("interrupted")
"""


def test_ctrl_c_interrupts_compiled_infinite_loop(tmp_path):
    script = write(tmp_path, "spin.py", SPIN)
    proc = subprocess.Popen([PY, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(), preexec_fn=_default_sigint)
    try:
        assert proc.stdout.readline().strip() == "ready True"
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert out.strip() == "interrupted", err
    assert proc.returncode == 0


THREADS = """
    import threading
    import pyjion_x64
    pyjion_x64.config(threshold=0)
    pyjion_x64.enable()

    stop = False

    def spin():
        n = 0
        while not stop:
            n += 1
        return n

    def count(limit):
        total = 0
        for i in range(limit):
            total += i
        return total

    t = threading.Thread(target=spin)
    t.start()
    result = count(2_000_000)   # needs the GIL back from the spinning thread
    stop = True
    t.join()
    print(result, pyjion_x64.info(spin)["compiled"], pyjion_x64.info(count)["compiled"])
"""


def test_compiled_loop_does_not_starve_other_threads(tmp_path):
    script = write(tmp_path, "threads.py", THREADS)
    r = run([str(script)], timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(sum(range(2_000_000))), "True", "True"]


def test_import_on_wrong_python_is_refused():
    code = ("import sys\nsys.version_info = (3, 12, 0, 'final', 0)\n"
            "try:\n    import pyjion_x64\nexcept ImportError as e:\n    print('ImportError:', e)\n")
    r = run(["-c", code])
    assert r.stdout.startswith("ImportError: pyjion_x64 requires CPython 3.11"), r.stdout + r.stderr
