"""Runs one generated program in this (fresh) process and reports, one JSON line each:

    python child.py interp PROGRAM.py      # the JIT is never imported
    python child.py jit PROGRAM.py         # pyjion_x64.config(threshold=0); enable(); run

Records, in order: the module body, every entry of the program's CASES list (a call), a
"probe" call of every function/lambda/comprehension code object the program defines (with
None arguments, comprehensions with an empty iterator: every code object runs at least once,
in both modes alike), the program's globals, then in jit mode the list of code objects that
pyjion_x64.info() does not report as compiled (must be empty), and "<done>". Each record
holds the printed output and either the repr of the result or the exception's type, message,
traceback lines (inside the program) and context/cause chain. Object addresses are masked.
Before each call a {"start": name} line is written, so that a crash can be pinned on a case.
"""
import gc
import hashlib
import io
import json
import os
import re
import resource
import sys
import types
import warnings

ADDR = re.compile(r'0x[0-9a-fA-F]{8,}')
LONG = 3000


def clean(text):
    text = ADDR.sub('0x?', text)
    if len(text) > LONG:
        text = '%s...<%d chars, sha1 %s>' % (text[:200], len(text), hashlib.sha1(text.encode('utf-8', 'replace')).hexdigest())
    return text


def out_shape(text):
    """What runner.known_class needs of an output too long to keep: its lines in sorted
    order (digest) and whether it holds trace or profile events."""
    lines = text.splitlines()
    return {'sorted': hashlib.sha1('\n'.join(sorted(lines)).encode('utf-8', 'replace')).hexdigest(),
            'traced': any(l.startswith(('T ', 'P ')) for l in lines)}


def safe_repr(value):
    try:
        return clean(repr(value))
    except BaseException as exc:  # a huge int, a __repr__ that raises
        try:
            return '<repr raised %s: %s>' % (type(exc).__name__, clean(str(exc)))
        except BaseException:
            return '<repr raised %s>' % type(exc).__name__


def safe_str(exc):
    try:
        return clean(str(exc))
    except BaseException as inner:
        return '<str raised %s>' % type(inner).__name__


def exc_name(exc):
    t = type(exc)
    return t.__qualname__ if t.__module__ in ('builtins', '__progfuzz__') else '%s.%s' % (t.__module__, t.__qualname__)


def describe(exc, path):
    tb = []
    t = exc.__traceback__
    while t is not None:
        if t.tb_frame.f_code.co_filename == path:
            tb.append([t.tb_lineno, t.tb_frame.f_code.co_name])
        t = t.tb_next
    chain = []
    seen = 0
    e = exc
    while seen < 4:
        nxt = e.__cause__ if e.__cause__ is not None else e.__context__
        if nxt is None:
            break
        chain.append([exc_name(nxt), safe_str(nxt), e.__cause__ is not None, e.__suppress_context__])
        e = nxt
        seen += 1
    return {'kind': 'raised', 'type': exc_name(exc), 'msg': safe_str(exc), 'tb': tb, 'chain': chain}


def untrace():
    """A call that left tracing or profiling on (a probe of the program's TRACE_ON) does not
    get to trace the harness and the calls after it."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.settrace(None)
        sys.setprofile(None)
        sys._getframe(1).f_trace = None


class Runner:
    """Between calls sys.stdout is self.ambient, so that output printed outside any call (a
    __del__ running when the harness drops a value) is kept: it goes into the next record
    as 'pre'."""

    def __init__(self, path, report):
        self.path = path
        self.report = report
        self.ambient = io.StringIO()
        sys.stdout = self.ambient

    def take_ambient(self):
        text = self.ambient.getvalue()
        self.ambient.seek(0)
        self.ambient.truncate()
        return clean(text)

    def emit(self, obj):
        self.report.write(json.dumps(obj, sort_keys=True) + '\n')
        self.report.flush()

    def call(self, name, fn, *args, **kwargs):
        self.emit({'start': name})
        pre = self.take_ambient()
        out = io.StringIO()
        sys.stdout = out
        try:
            try:
                value = fn(*args, **kwargs)
                rec = {'kind': 'ok', 'value': safe_repr(value)}
                value = None   # a __del__ it triggers prints into this call's output
            except BaseException as exc:
                rec = describe(exc, self.path)
        finally:
            untrace()
            sys.stdout = self.ambient
        rec['case'] = name
        rec['pre'] = pre
        text = out.getvalue()
        rec['out'] = clean(text)
        if len(text) > LONG:
            rec['out_shape'] = out_shape(text)
        self.emit(rec)

    def quiet_call(self, fn, args, kwargs):
        """A warm-up call: its outcome only goes into a digest."""
        out = io.StringIO()
        sys.stdout = out
        try:
            try:
                rec = 'ok ' + safe_repr(fn(*args, **kwargs))
            except BaseException as exc:
                rec = 'raised %s %s' % (exc_name(exc), safe_str(exc))
        finally:
            untrace()
            sys.stdout = self.ambient
        return rec + '|' + clean(out.getvalue())


def walk(code):
    yield code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield from walk(c)


def is_class_body(code, module_code):
    return code is module_code or not (code.co_flags & 0x2)  # CO_NEWLOCALS: functions only


def probe(runner, code, ns, module_code):
    """Run a code object once: a function with None arguments, a comprehension with an empty
    iterator, a class body in a fresh namespace (free variables are empty cells)."""
    closure = tuple(types.CellType() for _ in code.co_freevars)
    name = 'probe:%s:%d' % (code.co_qualname, code.co_firstlineno)
    if is_class_body(code, module_code):
        kw = {'closure': closure} if closure else {}
        runner.call(name, exec, code, ns, {}, **kw)
        return
    fn = types.FunctionType(code, ns, code.co_name, None, closure)
    if code.co_name in ('<listcomp>', '<setcomp>', '<dictcomp>'):
        args = (iter(()),)
    else:
        args = (None,) * code.co_argcount
    kwonly = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    runner.call(name, fn, *args, **{k: None for k in kwonly})


def install_passthrough():
    """CPython's evaluator behind a pass-through PEP 523 hook (see passthrough.c), when the
    parent built it."""
    lib = os.environ.get('PROGFUZZ_PASSTHROUGH')
    if lib:
        import ctypes
        if ctypes.PyDLL(lib).progfuzz_install_passthrough() != 1:
            raise SystemExit('cannot install the pass-through frame evaluator')


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode not in ('interp', 'jit'):
        raise SystemExit('mode must be interp or jit')
    # Reference cycles are never collected while the program runs: objects die only by
    # reference counting, at the same instant in both modes, so the output of __del__
    # methods checks the JIT's reference counting.
    gc.disable()
    if os.environ.get('PROGFUZZ_PERTURB'):
        # shift the addresses objects get (runner.interp_is_deterministic)
        main.ballast = [object() for _ in range(1237)] + [bytearray(n) for n in range(1, 400, 7)]
    limit = 2 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    report = os.fdopen(os.dup(1), 'w')
    sys.setrecursionlimit(1000)
    with open(path) as f:
        src = f.read()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        module_code = compile(src, path, 'exec')
    codes = list(walk(module_code))
    runner = Runner(path, report)
    ns = {'__name__': '__progfuzz__', '__builtins__': __builtins__}
    if mode == 'jit':
        import pyjion_x64
        pyjion_x64.config(threshold=0)
        pyjion_x64.enable()
    else:
        install_passthrough()
    runner.call('<module>', exec, module_code, ns)
    cases = ns.get('CASES', [])
    if not isinstance(cases, list):
        cases = []
    warmup = ns.get('WARMUP', 0)
    if isinstance(warmup, int) and warmup > 0:
        # The program asks for warm code: every call is made `warmup` times in the plain
        # interpreter first (the JIT is off, so CPython quickens and specialises the code),
        # then the JIT compiles the quickened code on the next call, guided by its caches.
        if mode == 'jit':
            pyjion_x64.disable()
            install_passthrough()
        digest = hashlib.sha1()
        for _ in range(min(warmup, 50)):
            for name, fn, args, kwargs in cases:
                digest.update(runner.quiet_call(fn, args, kwargs).encode('utf-8', 'replace'))
        runner.emit({'case': '<warmup>', 'kind': 'ok', 'out': '', 'value': digest.hexdigest()})
        if mode == 'jit':
            pyjion_x64.config(threshold=0)
            pyjion_x64.enable()
    for name, fn, args, kwargs in cases:
        runner.call(name, fn, *args, **kwargs)
    for code in codes:
        if code is not module_code:
            probe(runner, code, ns, module_code)
    names = sorted(k for k in ns if k[:1] == 'G' or k == 'MODVAL')
    runner.emit({'case': '<globals>', 'kind': 'ok', 'out': '',
                 'value': clean(' '.join('%s=%s' % (k, safe_repr(ns[k])) for k in names))})
    if mode == 'jit':
        pyjion_x64.disable()
        missing = []
        for code in codes:
            info = pyjion_x64.info(code)
            if not info['compiled']:
                missing.append([code.co_qualname, code.co_firstlineno, info['reason']])
        runner.emit({'case': '<compiled>', 'missing': missing, 'count': len(codes)})
    runner.emit({'case': '<done>'})
    sys.stdout = open(os.devnull, 'w')   # finalizers at exit print nowhere


if __name__ == '__main__':
    main()
