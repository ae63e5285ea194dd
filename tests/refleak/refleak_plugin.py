"""pytest plugin: reference-leak check of every compiled test body (`--refleak`).

Needs a debug interpreter (sys.gettotalrefcount), e.g. Debian's python3.11-dbg with the
extension built for it; tests/refleak/run.py is the entry point.

How it works. jitutil runs every compiled test body through jitutil._outcome(func, args,
kwargs) with the JIT enabled (run_jit, and run_both through it). The plugin wraps
_outcome and records those calls while a test runs. After the test function has returned
(so its own assertions saw an untouched first run), each recorded call is measured four
ways, like CPython's regrtest -R but per call, with an interpreted baseline:

  jit/same      the same function, compiled, called REPS times
  interp/same   a clone of it (jitutil.clone_function: fresh code objects the JIT has no
                state for) called REPS times with the JIT off: interpreted
  jit/fresh     a fresh clone per call, compiled on its first call and dropped: covers
                what compiling and freeing a code object does to reference counts
  interp/fresh  a fresh clone per call, interpreted

Each is warmed up first (WARMUP calls), then sys.gettotalrefcount() and
sys.getallocatedblocks() are read before and after REPS calls (gc.collect() before each
read; everything older is gc.freeze()d first so that stays fast). A compiled body leaks if
it keeps more references than the interpreted run of the same body (any amount), or more
memory blocks (at least one per call: block counts wander by a few either way), in every
one of ATTEMPTS measurements (the regrtest way of ignoring a cache that fills up once).
Bodies with legitimate growth (appending to a global list) grow the same in both and pass.
Fewer references than interpreted is reported as a NOTE, not a failure: an over-decref
soon crashes a debug interpreter (negative refcount), and what shows up in practice is a
leak of CPython's own that compiled code does not have.

A leaking test fails with a table of the measurements; a summary of every checked call is
printed at the end (-rA not needed).
"""
import gc
import sys
import time

import pytest

WARMUP = 3
LONG_WARMUP = 150         # calls before re-measuring a block count that only grew so far
REPS = 10
ATTEMPTS = 3
MAX_CALLS_PER_TEST = 40
SLOW_CALL = 0.25          # seconds: such bodies get REPS_SLOW repetitions
REPS_SLOW = 3


def pytest_addoption(parser):
    group = parser.getgroup("refleak")
    group.addoption("--refleak", action="store_true", default=False,
                    help="check every compiled test body for reference leaks (debug "
                         "interpreter only)")


class Recorder:
    def __init__(self):
        self.calls = None          # list while a test runs, else None
        self.measuring = False

    def wrap(self, jitutil, pyjion_x64):
        original = jitutil._outcome

        def _outcome(func, args, kwargs):
            if (self.calls is not None and not self.measuring and pyjion_x64.is_enabled()
                    and len(self.calls) < MAX_CALLS_PER_TEST):
                self.calls.append((func, args, dict(kwargs)))
            return original(func, args, kwargs)

        jitutil._outcome = _outcome
        return original


class RefleakPlugin:
    def __init__(self, config):
        if not hasattr(sys, "gettotalrefcount"):
            raise pytest.UsageError("--refleak needs a debug interpreter (python3.11-dbg): "
                                    "sys.gettotalrefcount is missing")
        import jitutil
        import pyjion_x64
        self.jitutil, self.pyjion_x64 = jitutil, pyjion_x64
        self.recorder = Recorder()
        self.outcome = self.recorder.wrap(jitutil, pyjion_x64)   # the unwrapped _outcome
        self.rows = []        # (test id, func name, diffs per kind)
        self.leaks = []
        self.notes = []

    # -- measuring ---------------------------------------------------------------------

    @staticmethod
    def _totals():
        gc.collect()
        return sys.gettotalrefcount(), sys.getallocatedblocks()

    def _run(self, callables):
        """Calls each of callables; returns (refcount delta, blocks delta)."""
        before = self._totals()
        for call in callables:
            call()
        after = self._totals()
        return after[0] - before[0], after[1] - before[1]

    def _measure(self, func, args, kwargs, reps, warmup=WARMUP):
        jitutil, pj = self.jitutil, self.pyjion_x64
        outcome = self.outcome

        def compiled(f):
            return lambda: outcome(f, args, kwargs)

        def jit(kind):
            with jitutil.jit_enabled(0):
                if kind == "same":
                    calls = [compiled(func)] * reps
                    warm = [compiled(func)] * warmup
                else:
                    # clones made inside the measured window are dropped inside it too
                    calls = [lambda: outcome(jitutil.clone_function(func), args, kwargs)] * reps
                    warm = calls[:1] * warmup
                for call in warm:
                    call()
                return self._run(calls)

        def interp(kind):
            was = pj.is_enabled()
            pj.disable()
            try:
                if kind == "same":
                    clone = jitutil.clone_function(func)
                    calls = [lambda: outcome(clone, args, kwargs)] * reps
                else:
                    calls = [lambda: outcome(jitutil.clone_function(func), args, kwargs)] * reps
                for call in calls[:WARMUP]:
                    call()
                return self._run(calls)
            finally:
                if was:
                    pj.enable()

        return {"same": (jit("same"), interp("same")), "fresh": (jit("fresh"), interp("fresh"))}

    def check(self, item, calls):
        # Everything alive now is moved out of the collector's sight (gc.freeze), so the
        # gc.collect() around each measurement only scans what the measurement created:
        # fast even in a big debug process, and it still frees every cycle made there.
        gc.collect()
        gc.freeze()
        try:
            self._check(item, calls)
        finally:
            gc.unfreeze()

    def _check(self, item, calls):
        seen = set()
        for func, args, kwargs in calls:
            # identities, not reprs (tests pass objects whose __repr__ raises); `calls`
            # keeps them alive, so the ids stay unique
            key = (id(func), tuple(map(id, args)), tuple((k, id(v)) for k, v in kwargs.items()))
            if key in seen:
                continue
            seen.add(key)
            start = time.monotonic()
            with self.jitutil.jit_enabled(0):
                self.outcome(func, args, kwargs)
            reps = REPS_SLOW if time.monotonic() - start > SLOW_CALL else REPS
            history = []
            leak = less = None
            # A count of memory blocks that grew every time may still be warming up (free
            # lists and arenas filling over the first hundred or so fresh compiles): such a
            # suspect is measured again, ATTEMPTS more times, after LONG_WARMUP calls.
            attempts = [WARMUP] * ATTEMPTS + [LONG_WARMUP] + [WARMUP] * (ATTEMPTS - 1)
            for n, warmup in enumerate(attempts):
                if n == ATTEMPTS:
                    if not leak or any(what == "refs" for _, what in leak):
                        break
                    leak = less = None
                m = self._measure(func, args, kwargs, reps, warmup)
                history.append(m)
                diffs = {(kind, what): m[kind][0][i] - m[kind][1][i]
                         for kind in ("same", "fresh") for i, what in enumerate(("refs", "blocks"))}
                # more references than interpreted: any amount; more memory blocks: at least
                # one per call, and the compiled run's own count must have grown by that much
                # (block counts wander either way: free lists, caches, arenas released while
                # measuring, which can leave both runs at -50 blocks and 10 apart)
                now = {k for k, v in diffs.items()
                       if (v >= 1 if k[1] == "refs" else v >= reps and m[k[0]][0][1] >= reps)}
                fewer = {k for k, v in diffs.items() if k[1] == "refs" and v <= -1}
                leak = now if leak is None else leak & now
                less = fewer if less is None else less & fewer
                if not leak and not less:
                    break
            name = getattr(func, "__qualname__", repr(func))
            self.rows.append((item.nodeid, name, history[-1]))
            if less:
                # The compiled body keeps fewer references than the interpreted one, every
                # time. Over-decrefs crash a debug interpreter soon enough (negative
                # refcount); what shows up here in practice is CPython's own leak that the
                # JIT does not have (3.11.2 leaks 2 references per f(*non_iterable, **{})).
                self.notes.append("%s %s: compiled keeps fewer references than interpreted "
                                  "in %s: %s" % (item.nodeid, name, sorted(less),
                                                 _table(history)))
            if leak:
                self.leaks.append((item.nodeid, name))
                raise AssertionError("reference leak in compiled %s (%d calls per "
                                     "measurement):\n%s\n  more every time in: %s"
                                     % (name, reps, _table(history), sorted(leak)))

    # -- hooks -------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        funcargs = {name: pyfuncitem.funcargs[name]
                    for name in pyfuncitem._fixtureinfo.argnames}
        self.recorder.calls = []
        try:
            pyfuncitem.obj(**funcargs)
        finally:
            calls, self.recorder.calls = self.recorder.calls, None
        self.recorder.measuring = True
        try:
            self.check(pyfuncitem, calls)
        finally:
            self.recorder.measuring = False
            self.pyjion_x64.disable()
        return True

    def pytest_terminal_summary(self, terminalreporter):
        tr = terminalreporter
        tr.section("refleak: compiled vs interpreted, per %d calls" % REPS)
        for nodeid, name, m in self.rows:
            (sj, si), (fj, fi) = m["same"], m["fresh"]
            tr.write_line("%-70s %-28s same refs %+d/%+d blocks %+d/%+d  fresh refs %+d/%+d "
                          "blocks %+d/%+d" % (nodeid[-70:], name[:28], sj[0], si[0], sj[1], si[1],
                                              fj[0], fi[0], fj[1], fi[1]))
        for note in self.notes:
            tr.write_line("NOTE " + note)
        tr.write_line("%d compiled bodies checked, %d leaking" % (len(self.rows), len(self.leaks)))
        for nodeid, name in self.leaks:
            tr.write_line("LEAK %s %s" % (nodeid, name))


def _table(history):
    lines = []
    for m in history:
        for kind in ("same", "fresh"):
            (jr, jb), (ir, ib) = m[kind]
            lines.append("  %-5s jit refs %+d blocks %+d | interpreted refs %+d blocks %+d"
                         % (kind, jr, jb, ir, ib))
    return "\n".join(lines)


def pytest_configure(config):
    if config.getoption("--refleak"):
        config.pluginmanager.register(RefleakPlugin(config), "refleak-checker")
