"""Runs a program interpreted and under the JIT (two fresh processes) and compares them.

    outcome = run_pair(source, python)
    outcome.status   # 'ok', 'divergence', 'crash' (the JIT process died or hung), 'invalid'
    outcome.key      # what a minimised program must still show: (status, case)
    outcome.details  # human-readable lines, one per diverging function (case)
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, 'child.py')
FIELDS = ('kind', 'value', 'type', 'msg', 'tb', 'chain', 'pre', 'out')
DEFAULT_TIMEOUT = 20


PASSTHROUGH_C = os.path.join(HERE, 'passthrough.c')
_passthrough = {}
_passthrough_lock = threading.Lock()


def passthrough_lib(python):
    """Path of passthrough.c built for `python` (cached in the temp dir), or None (with a
    warning) when it cannot be built: the baseline then runs without a frame hook."""
    with _passthrough_lock:
        if python in _passthrough:
            return _passthrough[python]
        lib = None
        try:
            inc = subprocess.run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["include"])'],
                                 capture_output=True, text=True, check=True, env=child_env(None)).stdout.strip()
            with open(PASSTHROUGH_C, 'rb') as f:
                tag = hashlib.sha1(f.read() + inc.encode() + python.encode()).hexdigest()[:16]
            path = os.path.join(tempfile.gettempdir(), 'progfuzz-passthrough-%d-%s.so' % (os.getuid(), tag))
            if not os.path.exists(path):
                tmp = path + '.%d.tmp' % os.getpid()
                subprocess.run([os.environ.get('CC', 'cc'), '-O2', '-shared', '-fPIC', '-I', inc, PASSTHROUGH_C,
                                '-o', tmp], check=True, capture_output=True, text=True)
                os.replace(tmp, path)
            lib = path
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, 'stderr', '') or str(exc)
            sys.stderr.write('progfuzz: cannot build passthrough.c (%s); the interpreted baseline runs '
                             'without a frame hook and may differ in when call arguments die\n' % detail.strip())
        _passthrough[python] = lib
        return lib


def child_env(passthrough):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYJION_X64', 'PYTHON', 'PROGFUZZ'))}
    env['PYTHONHASHSEED'] = '0'
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    if passthrough:
        env['PROGFUZZ_PASSTHROUGH'] = passthrough
    return env


class ChildResult:
    def __init__(self, mode):
        self.mode = mode
        self.records = []        # result records in order
        self.by_case = {}
        self.done = False
        self.started = None      # last case started without a result
        self.rc = None
        self.stderr = ''
        self.timed_out = False
        self.compiled = None     # jit only: {'missing': [...], 'count': n}

    def describe_death(self):
        if self.timed_out:
            how = 'timed out'
        elif self.rc is not None and self.rc < 0:
            try:
                how = 'killed by %s' % signal.Signals(-self.rc).name
            except ValueError:
                how = 'killed by signal %d' % -self.rc
        else:
            how = 'exit status %s without a result' % self.rc
        tail = self.stderr.strip().splitlines()[-6:]
        return '%s process %s in case %s%s' % (self.mode, how, self.started,
                                               (': ' + ' | '.join(tail)) if tail else '')


def _parse(result, stdout):
    for line in stdout.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict):
            continue  # a line the program itself wrote to the real stdout
        if 'start' in rec:
            result.started = rec['start']
            continue
        case = rec.get('case')
        if case == '<done>':
            result.done = True
        elif case == '<compiled>':
            result.compiled = rec
        else:
            result.started = None
            result.records.append(rec)
            # the same case name can occur twice (two probes of same-named lambdas): number them
            name = case
            k = 1
            while name in result.by_case:
                k += 1
                name = '%s~%d' % (case, k)
            rec['case'] = name
            result.by_case[name] = rec


BASELINE = {'hooked': False}   # main.py --baseline hooked puts the pass-through hook in


def start_child(python, mode, path, perturb=False):
    lib = passthrough_lib(python) if BASELINE['hooked'] else None
    env = child_env(lib)
    if perturb:
        env['PROGFUZZ_PERTURB'] = '1'
    return subprocess.Popen([python, CHILD, mode, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env, start_new_session=True)


def finish_child(proc, mode, timeout):
    result = ChildResult(mode)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        result.timed_out = True
    result.rc = proc.returncode
    result.stderr = err.decode('utf-8', 'replace')
    _parse(result, out.decode('utf-8', 'replace'))
    if result.rc != 0:
        result.done = False
    return result


def base_name(case):
    """A case name without the line number of probes (line numbers move while minimising)."""
    if case and case.startswith('probe:'):
        return re.sub(r':\d+(~\d+)?$', '', case)
    return case


class Outcome:
    def __init__(self, status, key=None, details=(), cases=0, interp=None, jit=None):
        self.status = status
        self.key = key
        self.details = list(details)
        self.cases = cases
        self.interp = interp
        self.jit = jit

    def __repr__(self):
        return 'Outcome(%s, %r, %d details)' % (self.status, self.key, len(self.details))


def short(v, n=300):
    s = v if isinstance(v, str) else json.dumps(v)
    return s if len(s) <= n else s[:n] + '...'


# Divergence classes known and not fixed yet, reported apart (status 'known') so that a
# campaign fails on anything new. Each names why it is known:
#   unbound-local-line: an UnboundLocalError whose traceback line is the one before, where
#     warm CPython code has fused STORE_FAST x; LOAD_FAST y into STORE_FAST__LOAD_FAST (whose
#     second half does not update the frame's instruction pointer); the JIT compiles before
#     CPython quickens and reports the LOAD_FAST's own line;
#   tracing-toggled: sys.settrace / sys.setprofile turned on and off inside a compiled frame
#     (issue 8: tracing that starts in the middle of a compiled frame), seen as the same
#     output lines in another order (arguments released in another order after the call:
#     a frame entered while profiling is on runs in CPython's evaluator, which behind a
#     PEP 523 hook does not inline its calls, so its callees' arguments outlive their frames),
#     or as any output difference of a case that printed trace or profile events ('T ...',
#     'P ...': the events delivered differ). Outputs the child cut short are judged by the
#     shape it sends along (child.out_shape).
TRACING_CALLS = ('sys.settrace(', 'sys.setprofile(', 'TRACE_ON(')


def known_class(rec, other, diffs, source):
    if diffs == ['tb'] and rec.get('type') == other.get('type') == 'UnboundLocalError' and \
            rec.get('msg') == other.get('msg'):
        a, b = rec.get('tb') or [], other.get('tb') or []
        if len(a) == len(b) and a and [f[1] for f in a] == [f[1] for f in b] and a[:-1] == b[:-1] \
                and a[-1][0] < b[-1][0]:
            return 'unbound-local-line'
    if diffs == ['out'] and source is not None and any(t in source for t in TRACING_CALLS):
        a, b = out_shape(rec), out_shape(other)
        if a['sorted'] == b['sorted'] or a['traced']:
            return 'tracing-toggled'
    return None


def out_shape(rec):
    """child.out_shape of a record's output: the child sends it along when the output was
    too long to keep whole."""
    if 'out_shape' in rec:
        return rec['out_shape']
    lines = (rec.get('out') or '').splitlines()
    return {'sorted': sorted(lines), 'traced': any(l.startswith(('T ', 'P ')) for l in lines)}


def compare(interp, jit, source=None):
    if not interp.done:
        return Outcome('invalid', details=['interpreted run did not finish: ' + interp.describe_death()],
                       interp=interp, jit=jit)
    cases = sum(1 for r in interp.records if not r['case'].startswith(('probe:', '<')))
    if not jit.done:
        return Outcome('crash', key=('crash', base_name(jit.started)), details=[jit.describe_death()],
                       cases=cases, interp=interp, jit=jit)
    details = []
    first = None
    known = set()
    for rec in interp.records:
        case = rec['case']
        other = jit.by_case.get(case)
        if other is None:
            details.append('%s: missing from the JIT run' % case)
            first = first or case
            continue
        diffs = [f for f in FIELDS if rec.get(f) != other.get(f)]
        cls = known_class(rec, other, diffs, source) if diffs else None
        if cls is not None:
            known.add(cls)
            details.append('%s: known (%s)' % (case, cls))
            continue
        if diffs:
            first = first or case
            for f in diffs:
                details.append('%s: %s differs: interpreted %s | jit %s' % (case, f, short(rec.get(f)),
                                                                          short(other.get(f))))
    for case in jit.by_case:
        if case not in interp.by_case:
            details.append('%s: only in the JIT run' % case)
            first = first or case
    if first is not None:
        return Outcome('divergence', key=('divergence', base_name(first)), details=details, cases=cases,
                       interp=interp, jit=jit)
    missing = (jit.compiled or {}).get('missing', [])
    if known and not missing and jit.compiled is not None:
        return Outcome('known', key=('known', ','.join(sorted(known))), details=details, cases=cases,
                       interp=interp, jit=jit)
    if jit.compiled is None or missing:
        details = ['not compiled: %s (line %s): %s' % tuple(m) for m in missing] or ['no compile report']
        return Outcome('divergence', key=('not-compiled', missing[0][0] if missing else None), details=details,
                       cases=cases, interp=interp, jit=jit)
    return Outcome('ok', cases=cases, interp=interp, jit=jit)


def run_path(path, python, timeout=DEFAULT_TIMEOUT, source=None):
    """Both runs of the program at path, concurrently."""
    pi = start_child(python, 'interp', path)
    pj = start_child(python, 'jit', path)
    interp = finish_child(pi, 'interp', timeout)
    jit = finish_child(pj, 'jit', timeout)
    if source is None:
        with open(path) as f:
            source = f.read()
    return compare(interp, jit, source)


def interp_is_deterministic(source, python, first, timeout=DEFAULT_TIMEOUT):
    """Runs the interpreted side once more, with object addresses shifted: False if anything
    differs from `first` (the program depends on addresses or other accidents of the run: a
    generator bug, not a JIT one)."""
    fd, path = tempfile.mkstemp(prefix='progfuzz_again_', suffix='.py')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(source)
        again = finish_child(start_child(python, 'interp', path, perturb=True), 'interp', timeout)
    finally:
        os.unlink(path)
    strip = lambda recs: [{k: v for k, v in r.items() if k != 'tb'} for r in recs]
    return again.done == first.done and strip(again.records) == strip(first.records)


def run_pair(source, python, timeout=DEFAULT_TIMEOUT, tmpdir=None, name='prog'):
    fd, path = tempfile.mkstemp(prefix='progfuzz_%s_' % name, suffix='.py', dir=tmpdir)
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(source)
        return run_path(path, python, timeout, source)
    finally:
        os.unlink(path)
