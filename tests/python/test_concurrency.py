"""Threads, signals and recursion depth under the JIT.

Every scenario runs in a subprocess with a timeout (a deadlock or crash fails the test
instead of hanging or killing pytest), and uses jitutil there, so each function is asserted
to be compiled.

Recursion depth. With no PEP 523 hook, CPython 3.11 runs Python-to-Python calls inside one
C call of _PyEval_EvalFrameDefault; with any hook installed (the JIT's) every Python call is
a C-level call, through _PyEval_Vector and pj_eval_frame, and uses C stack: 340-420 bytes
per level between two compiled functions (measured on x86-64/gcc 12); an interpreted
(refused) function's level costs more, since _PyEval_EvalFrameDefault's own frame is larger.
  - at the default recursion limit (1000) the C stack is never the limit: RecursionError is
    raised at exactly the same depth, with the same message and traceback, as in the
    interpreter, for direct, method, mutual, keyword and *args recursion, and the process
    goes on (test_deep_recursion_at_default_limit);
  - with sys.setrecursionlimit(100000): the interpreter alone recurses 100,000 levels deep
    (its frames live on the heap). Under the JIT, before this change, a compiled recursion
    died with SIGSEGV after ~24,900 levels (8 MB main-thread stack). Now pj_eval_frame
    checks the remaining C stack on every entry and raises RecursionError("maximum
    recursion depth exceeded (C stack)") once less than 256 kB (or a quarter of a small
    thread stack) is left: a simple compiled recursion stops after ~19,500 levels, where
    the interpreter alone would go on; the exception is catchable and the process goes on
    (test_recursion_beyond_the_c_stack_at_high_limit). Threads get the same guard against
    their own stack (threading.stack_size). C code that recurses without entering Python
    frames (deeply nested repr, pickling) is not covered by the guard, as in CPython.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PRELUDE = """
import sys
sys.path.insert(0, %r)
import pyjion_x64
from jitutil import run_both, run_jit, assert_compiled, jit_enabled
""" % TESTS_DIR


def _script(tmp_path, body, name="scenario.py"):
    path = tmp_path / name
    path.write_text(PRELUDE + textwrap.dedent(body))
    return path


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJION_X64")}
    env["PYTHONFAULTHANDLER"] = "1"     # a crash prints the Python stacks of every thread
    return env


def _run(path, timeout):
    try:
        return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                              timeout=timeout, env=_env())
    except subprocess.TimeoutExpired as exc:
        raise AssertionError("deadlock or hang: no exit after %ss\nstdout: %s\nstderr: %s"
                             % (timeout, exc.stdout, exc.stderr))


# ---------------------------------------------------------------------------------------
# Threads

THREADS = """
import gc, json, threading, time, types

SECONDS = %(seconds)s
N_THREADS = 8

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

class Box:
    __slots__ = ("v",)
    def __init__(self, v):
        self.v = v

def work(seed):
    total, d, boxes = 0, {}, []
    for i in range(300):
        try:
            total += (seed * 7 + i) %% 11 // (i %% 5)
        except ZeroDivisionError:
            total -= 1
        d[i %% 13] = d.get(i %% 13, 0) + i
        boxes.append(Box(i))
        if i %% 50 == 0:
            time.sleep(0)                    # a C call that releases the GIL
    s = "-".join(str(b.v) for b in boxes[:5])
    return total, sorted(d.items())[:3], fib(12), s, sum(b.v for b in boxes)

def raiser(n):
    if n == 0:
        raise KeyError("deep")
    return raiser(n - 1)

def catcher(n):
    try:
        raiser(n)
    except KeyError as e:
        return "caught %%s at %%d" %% (e, n)

def template(x):
    return x * 3 + 1000000007

BASE = template.__code__
K = BASE.co_consts.index(1000000007)

def fresh(value):
    consts = list(BASE.co_consts)
    consts[K] = value
    return types.FunctionType(BASE.replace(co_consts=tuple(consts)), globals(), "fresh")

# expected results, computed with the JIT off
pyjion_x64.disable()
EXPECTED = {t: work(t) for t in range(N_THREADS)}
CAUGHT = catcher(20)

# code objects shared by all threads and first called by several of them at once
SHARED = [fresh(-i) for i in range(2000)]
shared_lock = threading.Lock()
next_shared = [0]

pyjion_x64.config(threshold=0)
pyjion_x64.enable()
sys.setswitchinterval(1e-5)          # switch threads (eval breaker) as often as possible
errors, counts = [], {}
start = threading.Barrier(N_THREADS)

def runner(tid):
    try:
        start.wait()
        deadline = time.monotonic() + SECONDS
        i = 0
        while time.monotonic() < deadline:
            assert work(tid) == EXPECTED[tid], (tid, work(tid))
            f = fresh(tid * 10_000_000 + i)          # compiled here, in this thread
            assert f(2) == 6 + tid * 10_000_000 + i
            if i %% 25 == 0:
                assert pyjion_x64.info(f)["compiled"], pyjion_x64.info(f)
            assert catcher(20) == CAUGHT
            with shared_lock:
                k = next_shared[0] // 3 %% len(SHARED)   # each shared function: 3 threads
                next_shared[0] += 1
            assert SHARED[k](5) == 15 - k
            if i %% 40 == 0:
                gc.collect()                          # code objects die in any thread
            i += 1
        counts[tid] = i
    except BaseException as exc:
        import traceback
        errors.append("thread %%d: %%s" %% (tid, traceback.format_exc()))

threads = [threading.Thread(target=runner, args=(t,)) for t in range(N_THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join(SECONDS + 60)
alive = [t.name for t in threads if t.is_alive()]
for func in (work, fib, catcher, raiser, runner):
    assert_compiled(func)
print(json.dumps({"errors": errors, "alive": alive, "counts": counts,
                  "compiled": pyjion_x64.stats()["compiled"],
                  "shared_compiled": sum(pyjion_x64.info(f)["compiled"] for f in SHARED)}))
"""


def test_eight_threads_compiling_and_running(tmp_path):
    import json
    seconds = 5
    r = _run(_script(tmp_path, THREADS % {"seconds": seconds}), timeout=seconds + 120)
    assert r.returncode == 0, r.stderr[-5000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["errors"] == [], out["errors"][:3]
    assert out["alive"] == []
    assert sorted(out["counts"]) == [str(t) for t in range(8)]
    assert all(n >= 5 for n in out["counts"].values()), out["counts"]
    # each iteration compiled one fresh function; all shared ones that ran were compiled
    assert out["compiled"] >= sum(out["counts"].values())
    assert out["shared_compiled"] >= min(2000, sum(out["counts"].values()) // 3)
    assert r.stderr == ""


# ---------------------------------------------------------------------------------------
# Signals

ALARM = """
import signal

fired = []

def handler(signum, frame):
    fired.append(frame.f_code.co_name)
    flag[0] = True

flag = [False]

def spin():
    n = 0
    while not flag[0]:
        n += 1
    return n

signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.2)
(kind, n), _ = run_jit(spin)
assert kind == "ok" and n > 1000, (kind, n)
assert fired == ["spin"], fired          # the handler ran while spin's compiled loop spun

# a handler that raises: the exception leaves the compiled loop exactly as it leaves the
# interpreted one (type, message, traceback lines)
class Timeout(Exception):
    pass

def raising_handler(signum, frame):
    raise Timeout("alarm in %s" % frame.f_code.co_name)

def spin_forever():
    signal.setitimer(signal.ITIMER_REAL, 0.2)     # armed by each run, interpreted and compiled
    n = 0
    while True:
        n += 1

def spin_calls():
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    items = []
    while True:
        items.append(len(items))
        if len(items) > 1000:
            items.clear()

signal.signal(signal.SIGALRM, raising_handler)
exc = run_both(spin_forever)     # one poll point (the backward jump): same traceback line
assert isinstance(exc, Timeout) and str(exc) == "alarm in spin_forever", exc

# With calls in the loop the handler may run at any of several poll points (CPython's
# specialised list.append/len skip the check the JIT makes after every call), so only the
# exception and the frame are compared.
(kind, exc_type, message, frames, exc), _ = run_jit(spin_calls)
assert (kind, exc_type, message) == ("raised", Timeout, "alarm in spin_calls"), (kind, exc_type)
assert frames[0][0] == "spin_calls" and frames[1][0] == "raising_handler", frames
print("ok", fired)
"""


def test_alarm_handler_runs_while_compiled_loop_spins(tmp_path):
    r = _run(_script(tmp_path, ALARM), timeout=60)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split() == ["ok", "['spin']"]


SIGINT = """
import os

def spin():
    n = 0
    try:
        print("ready", flush=True)
        while True:
            n += 1
    finally:
        print("finally ran", n > 0, flush=True)

with jit_enabled(0):
    try:
        spin()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
assert_compiled(spin)
print("compiled", flush=True)
"""


def test_sigint_interrupts_compiled_loop_and_runs_finally(tmp_path):
    path = _script(tmp_path, SIGINT)
    proc = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.3)                      # well inside the compiled loop by now
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    assert out.split("\n")[:3] == ["finally ran True", "interrupted", "compiled"], (out, err)
    assert proc.returncode == 0, err


ASYNC_EXC = """
import ctypes, threading, time

class Stop(Exception):
    pass

started = threading.Event()
result = []

def spin():
    n = 0
    started.set()
    try:
        while True:
            n += 1
    except Stop:
        return "stopped after %d" % (n > 0)
    finally:
        result.append("finally")

def body():
    result.append(spin())

with jit_enabled(0):
    t = threading.Thread(target=body)
    t.start()
    started.wait()
    time.sleep(0.2)
    # what threading-based timeouts use: an asynchronous exception, raised at the next
    # eval-breaker poll of the (compiled) loop in the other thread
    n = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(t.ident), ctypes.py_object(Stop))
    assert n == 1, n
    t.join(30)
assert not t.is_alive()
assert_compiled(spin)
print(result)
"""


def test_async_exception_stops_compiled_loop_in_another_thread(tmp_path):
    r = _run(_script(tmp_path, ASYNC_EXC), timeout=60)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == "['finally', 'stopped after 1']", r.stdout


# ---------------------------------------------------------------------------------------
# Recursion depth

RECURSION = """
def rec(n):
    return rec(n + 1)

def rec_add(n):
    if n == 0:
        return 0
    return rec_add(n - 1) + 1

class Node:
    def down(self, n):
        return self.down(n + 1)

def down(n):
    return Node().down(n)

def mutual_a(n):
    return mutual_b(n + 1)

def mutual_b(n):
    return mutual_a(n + 1)

def rec_kw(n, *, step=1):
    return rec_kw(n + step, step=step)

def rec_star(*args):
    return rec_star(*args, 1)

def catches(n):
    try:
        return rec(0)
    except RecursionError as e:
        return "caught: %s" % e

for func, args in [(rec, (0,)), (down, (0,)), (mutual_a, (0,)), (rec_kw, (0,)),
                   (rec_star, ()), (catches, (0,)), (rec_add, (900,)), (rec_add, (2000,))]:
    result = run_both(func, *args)
    print(func.__name__, type(result).__name__, result if not isinstance(result, BaseException)
          else str(result))
assert_compiled(rec)
assert_compiled(mutual_b)
# the depth bookkeeping is intact afterwards: a deep-but-legal recursion still works
print(run_both(rec_add, 900))
"""


def test_deep_recursion_at_default_limit(tmp_path):
    r = _run(_script(tmp_path, RECURSION), timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.splitlines()
    msg = "RecursionError maximum recursion depth exceeded"
    assert lines[0] == "rec " + msg
    assert lines[1] == "down " + msg
    assert lines[2] == "mutual_a " + msg
    assert lines[3].startswith("rec_kw RecursionError maximum recursion depth exceeded")
    assert lines[4].startswith("rec_star RecursionError maximum recursion depth exceeded")
    assert lines[5] == "catches str caught: maximum recursion depth exceeded"
    assert lines[6] == "rec_add int 900"
    assert lines[7] == "rec_add " + msg
    assert lines[8] == "900"


HIGH_LIMIT = """
import threading
sys.setrecursionlimit(100_000)

def rec_add(n):
    if n == 0:
        return 0
    return rec_add(n - 1) + 1

# well within the C stack: same result as the interpreter
print(run_both(rec_add, 10_000))

# beyond it: the interpreter finishes, the JIT raises RecursionError instead of crashing
(want, _) = __import__("jitutil").run_interpreted(rec_add, 95_000)
(got, _) = run_jit(rec_add, 95_000)
print(want[:2], got[0], got[1].__name__, got[2])

# and the process goes on: the depth bookkeeping is intact
print(run_both(rec_add, 5_000))

# a thread with a small stack gets the same protection against its own stack
def in_thread(out):
    try:
        out.append(run_jit(rec_add, 50_000)[0][:3])
    except BaseException as e:
        out.append(repr(e))

threading.stack_size(2 * 1024 * 1024)
out = []
t = threading.Thread(target=in_thread, args=(out,))
t.start()
t.join()
print(out[0][0], out[0][1].__name__, out[0][2])
"""


def test_recursion_beyond_the_c_stack_at_high_limit(tmp_path):
    r = _run(_script(tmp_path, HIGH_LIMIT), timeout=120)
    assert r.returncode == 0, "exit %d\n%s" % (r.returncode, r.stderr[-3000:])
    lines = r.stdout.splitlines()
    assert lines[0] == "10000"
    assert lines[1] == ("('ok', 95000) raised RecursionError "
                        "maximum recursion depth exceeded (C stack)"), lines[1]
    assert lines[2] == "5000"
    assert lines[3] == "raised RecursionError maximum recursion depth exceeded (C stack)", lines[3]
