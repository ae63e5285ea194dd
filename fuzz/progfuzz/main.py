"""Differential program fuzzer for pyjion_x64: random programs, interpreted vs JIT.

    .venv/bin/python fuzz/progfuzz/main.py --seconds 120 --seed 1
    .venv/bin/python fuzz/progfuzz/main.py --replay fuzz/progfuzz/findings/<dir>/minimized.py
    .venv/bin/python fuzz/progfuzz/main.py --dump --seed 1 --index 7      # print one program

Program k of the campaign with seed S is generated from the integer S * 1000003 + k, so a
campaign and each of its programs can be reproduced exactly. Every program runs in two
fresh processes (child.py): interpreted, and under the JIT at threshold 0 with every code
object asserted compiled. Divergences and crashes are minimised (minimize.py) and saved
under --out with the seeds and a report. The last line printed is always

    progfuzz: N programs run, D divergences, C crashes (...)

and the exit status is 1 when D + C > 0. Programs whose only divergences are of a class
known and not fixed yet (runner.known_class) are counted apart and do not fail a campaign.
"""
import argparse
import concurrent.futures
import os
import shutil
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen  # noqa: E402
import minimize  # noqa: E402
import runner  # noqa: E402

DEFAULT_OUT = os.path.join(HERE, 'findings')


def program_seed(seed, index):
    return seed * 1000003 + index


def log(msg):
    sys.stderr.write(msg + '\n')
    sys.stderr.flush()


class Finding:
    def __init__(self, seed, index, source, outcome):
        self.seed = seed
        self.index = index
        self.source = source
        self.outcome = outcome
        self.minimized = None
        self.min_outcome = None
        self.min_runs = 0


def still_fails_fn(python, key, timeout):
    def still_fails(src):
        names = None
        out = runner.run_pair(src, python, timeout=timeout, name='min')
        return out.status in ('divergence', 'crash') and out.key == key
    return still_fails


def minimize_finding(f, python, seconds, timeout):
    key = f.outcome.key
    deadline = time.time() + seconds
    still_fails = still_fails_fn(python, key, timeout)
    src = f.source
    # first cut: keep only the failing call (or none, for module/probe/global records)
    case = key[1] or ''
    if not case.startswith(('probe:', '<')) and key[0] != 'not-compiled':
        cut = minimize.keep_cases(src, {case})
        if cut and still_fails(cut):
            src = cut
    elif key[0] in ('divergence', 'crash', 'not-compiled'):
        cut = minimize.keep_cases(src, set())
        if cut and still_fails(cut):
            src = cut
    small, runs = minimize.minimize(src, still_fails, deadline)
    f.minimized = small
    f.min_runs = runs
    f.min_outcome = runner.run_pair(small, python, timeout=timeout, name='final')


def report_text(f, python):
    o = f.min_outcome if f.min_outcome is not None and f.min_outcome.status == f.outcome.status else f.outcome
    lines = [
        'progfuzz finding: %s' % f.outcome.status,
        'campaign seed %d, program %d (generator seed %d)' % (f.seed, f.index, program_seed(f.seed, f.index)),
        'key: %r' % (f.outcome.key,),
        '',
        'regenerate:  %s fuzz/progfuzz/main.py --dump --seed %d --index %d' % (python, f.seed, f.index),
        'replay:      %s fuzz/progfuzz/main.py --replay <this dir>/minimized.py' % python,
        '',
        'details (%s program):' % ('minimized' if o is f.min_outcome else 'original'),
    ]
    lines += ['  ' + d for d in o.details[:40]]
    if o is not f.outcome:
        lines += ['', 'details (original program):'] + ['  ' + d for d in f.outcome.details[:40]]
    if o.jit is not None and o.jit.stderr.strip():
        lines += ['', 'jit stderr (tail):'] + ['  ' + l for l in o.jit.stderr.strip().splitlines()[-20:]]
    return '\n'.join(lines) + '\n'


def save_finding(f, out_dir, python):
    name = 's%d-p%d-%s' % (f.seed, f.index, f.outcome.status)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'original.py'), 'w') as fh:
        fh.write(f.source)
    if f.minimized is not None:
        with open(os.path.join(d, 'minimized.py'), 'w') as fh:
            fh.write('# progfuzz: campaign seed %d, program %d (%s %r)\n' % (f.seed, f.index, f.outcome.status,
                                                                           f.outcome.key) + f.minimized)
    with open(os.path.join(d, 'report.txt'), 'w') as fh:
        fh.write(report_text(f, python))
    return d


def replay(path, python, timeout):
    out = runner.run_path(os.path.abspath(path), python, timeout)
    print('%s: %s %s' % (path, out.status, out.key or ''))
    for d in out.details:
        print('  ' + d)
    return 0 if out.status == 'ok' else 1


def campaign(args):
    python = args.python
    stop_at = time.time() + args.seconds
    lock = threading.Lock()
    counts = {'programs': 0, 'cases': 0, 'invalid': 0, 'flaky': 0, 'known': 0}
    findings = []
    index = [0]

    def next_index():
        with lock:
            i = index[0]
            index[0] += 1
            return i

    def worker():
        while time.time() < stop_at and (args.programs is None or index[0] < args.programs):
            i = next_index()
            if args.programs is not None and i >= args.programs:
                break
            src = gen.generate(program_seed(args.seed, i))
            out = runner.run_pair(src, python, timeout=args.timeout, name='s%d_p%d' % (args.seed, i))
            if out.status == 'divergence' and out.key[0] == 'divergence' and \
                    not runner.interp_is_deterministic(src, python, out.interp, args.timeout):
                with lock:
                    counts['programs'] += 1
                    counts['flaky'] += 1
                log('program %d: not deterministic even interpreted (a generator bug), skipped: %s'
                    % (i, out.details[0][:300]))
                continue
            with lock:
                counts['programs'] += 1
                counts['cases'] += out.cases
                if out.status == 'known':
                    counts['known'] += 1
                    log('program %d: known divergence %s (runner.known_class)' % (i, out.key[1]))
                elif out.status == 'invalid':
                    counts['invalid'] += 1
                    if args.verbose:
                        log('program %d invalid: %s' % (i, out.details[0]))
                elif out.status != 'ok':
                    findings.append(Finding(args.seed, i, src, out))
                    log('program %d: %s %r' % (i, out.status, out.key))
                    for d in out.details[:8]:
                        log('    ' + d)
                elif args.verbose:
                    log('program %d ok: %d functions' % (i, out.cases))

    threads = [threading.Thread(target=worker) for _ in range(args.jobs)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    findings.sort(key=lambda f: f.index)
    if findings:
        os.makedirs(args.out, exist_ok=True)
    seen_keys = set()
    minimized = 0
    for f in findings:
        distinct = (f.outcome.status, f.outcome.key) not in seen_keys
        seen_keys.add((f.outcome.status, f.outcome.key))
        if distinct and minimized < args.max_minimize and args.minimize_seconds > 0:
            minimized += 1
            log('minimizing program %d (%s %r) for up to %d s' % (f.index, f.outcome.status, f.outcome.key,
                                                                   args.minimize_seconds))
            minimize_finding(f, python, args.minimize_seconds, args.timeout)
            log('  %d -> %d chars after %d runs' % (len(f.source), len(f.minimized), f.min_runs))
        d = save_finding(f, args.out, python)
        log('saved %s' % d)
    ndiv = sum(1 for f in findings if f.outcome.status == 'divergence')
    ncrash = sum(1 for f in findings if f.outcome.status == 'crash')
    print('progfuzz: %d programs run, %d divergences, %d crashes (seed %d, %.0f s, %d calls compared, '
          '%d invalid and %d nondeterministic programs skipped, %d with known divergences only)'
          % (counts['programs'], ndiv, ncrash, args.seed, elapsed, counts['cases'], counts['invalid'],
             counts['flaky'], counts['known']))
    sys.stdout.flush()
    return 1 if ndiv + ncrash else 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seconds', type=float, default=60, help='campaign length (generation and runs)')
    p.add_argument('--seed', type=int, default=None, help='campaign seed (default: from the clock)')
    p.add_argument('--out', default=DEFAULT_OUT, help='where findings are saved')
    p.add_argument('--jobs', type=int, default=os.cpu_count() or 1, help='programs run at once')
    p.add_argument('--programs', type=int, default=None, help='stop after this many programs')
    p.add_argument('--timeout', type=float, default=runner.DEFAULT_TIMEOUT, help='per process, seconds')
    p.add_argument('--minimize-seconds', type=float, default=120, help='per finding')
    p.add_argument('--max-minimize', type=int, default=3, help='distinct findings minimised per campaign')
    p.add_argument('--python', default=sys.executable, help='interpreter with pyjion_x64 installed')
    p.add_argument('--replay', metavar='PROGRAM', help='run one saved program both ways and compare')
    p.add_argument('--dump', action='store_true', help='print program --index of campaign --seed')
    p.add_argument('--index', type=int, default=0)
    p.add_argument('--baseline', choices=('plain', 'hooked'), default='plain',
                   help='interpreted run in plain CPython (default), or behind a pass-through PEP 523 '
                        'hook (passthrough.c), which stops CPython inlining Python-to-Python calls')
    p.add_argument('--verbose', '-v', action='store_true')
    args = p.parse_args(argv)
    runner.BASELINE['hooked'] = args.baseline == 'hooked'
    if args.replay:
        return replay(args.replay, args.python, args.timeout)
    if args.seed is None:
        args.seed = int(time.time()) % 100000
    if args.dump:
        sys.stdout.write(gen.generate(program_seed(args.seed, args.index)))
        return 0
    return campaign(args)


if __name__ == '__main__':
    sys.exit(main())
