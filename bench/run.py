#!/usr/bin/env python3
"""Runs the benchmark suite: every program in bench/programs, in fresh processes, the plain
interpreter and the JIT alternating, and prints a table of medians and ratios.

    make bench                      # all programs, 5 repetitions each
    make bench BENCH=rec_fib        # one (or several, comma-separated)
    python3 bench/run.py --reps 7 --json out.json --bench rec_fib,closures
    python3 bench/run.py --merge a.json b.json c.json   # pool earlier runs' repetitions
    python3 bench/run.py --dir bench/stdlib             # the standard-library drivers

For each repetition both runs are made back to back, the order swapped on every other
repetition, so the machine's load drifts the same way for both. The ratio of a benchmark is
the median of the per-repetition ratios JIT/interpreter (below 1: the JIT is faster); the
spread is the range of those ratios. The geometric mean is over the benchmarks' ratios.
Compile time is what the JIT spent compiling (pyjion_x64.stats()['compile_ns']) as a share
of the JIT run's wall time. These machines are noisy: compare ratios, never absolute
times, and re-run any surprising figure.

Interpreter: `INTERP prog.py`; JIT: `JIT_PYTHON -X jit -m pyjion_x64 --stats=json F prog.py`
(the command a user runs), each with PYTHON* and PYJION_X64* variables removed from the
environment. Every run must exit 0 and print its `<name>: ok ...` line.
"""
import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROGRAMS = os.path.join(HERE, "programs")

# The two benchmarks whose time is mostly spent in C (judged against 1.02, not 0.95).
C_BOUND = {"re_control", "json_control"}


def clean_env():
    return {k: v for k, v in os.environ.items()
            if not k.startswith("PYTHON") and not k.startswith("PYJION_X64")}


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_once(cmd, name):
    """Wall time of one run, checking that the program succeeded."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(),
                          preexec_fn=_default_sigint, cwd=ROOT)
    elapsed = time.perf_counter() - start
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith(name + ": ok"):
        sys.stderr.write("%s failed (status %d):\n%s%s\n" % (" ".join(cmd), proc.returncode,
                                                             proc.stdout[-2000:], proc.stderr[-4000:]))
        raise SystemExit(1)
    return elapsed


def run_jit(args, path, name):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        stats_path = f.name
    try:
        cmd = [args.jit_python, "-X", "jit", "-m", "pyjion_x64"] + args.jit_option + \
              ["--stats=json", stats_path, path]
        elapsed = run_once(cmd, name)
        with open(stats_path) as f:
            stats = json.load(f)
    finally:
        os.unlink(stats_path)
    return elapsed, stats


def measure(args, name):
    path = os.path.join(args.dir, name + ".py")
    interp, jit, ratios, compile_share, compiled = [], [], [], [], []
    for rep in range(args.reps):
        order = ("interp", "jit") if rep % 2 == 0 else ("jit", "interp")
        for kind in order:
            if kind == "interp":
                interp.append(run_once([args.interp, path], name))
            else:
                elapsed, stats = run_jit(args, path, name)
                jit.append(elapsed)
                compile_share.append(stats["compile_ns"] / 1e9 / elapsed)
                compiled.append(stats["compiled"])
        ratios.append(jit[-1] / interp[-1])
    return summarise(name, interp, jit, ratios, compile_share, compiled)


def summarise(name, interp, jit, ratios, compile_share, compiled):
    return {
        "name": name,
        "interp_median": statistics.median(interp),
        "jit_median": statistics.median(jit),
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "compile_share": statistics.median(compile_share),
        "compiled_code_objects": max(compiled),
        "interp_times": interp,
        "jit_times": jit,
        "ratios": ratios,
    }


def merge(paths):
    """The results of several --json runs pooled: every benchmark's alternated repetitions
    from all of them (the compile share is the median of the runs' medians)."""
    pooled = {}
    for path in paths:
        with open(path) as f:
            for r in json.load(f)["results"]:
                p = pooled.setdefault(r["name"], ([], [], [], [], []))
                p[0].extend(r["interp_times"])
                p[1].extend(r["jit_times"])
                p[2].extend(r["ratios"])
                p[3].append(r["compile_share"])
                p[4].append(r["compiled_code_objects"])
    return [summarise(name, *lists) for name, lists in sorted(pooled.items())]


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def print_table(results, out=sys.stdout):
    head = "%-18s %9s %9s %7s %15s %9s" % ("benchmark", "interp s", "jit s", "ratio",
                                           "spread", "compile")
    print(head, file=out)
    print("-" * len(head), file=out)
    for r in results:
        print("%-18s %9.3f %9.3f %7.3f %7.3f-%-7.3f %8.2f%%" % (
            r["name"], r["interp_median"], r["jit_median"], r["ratio"], r["ratio_min"],
            r["ratio_max"], 100 * r["compile_share"]), file=out)
    print("-" * len(head), file=out)
    ratios = [r["ratio"] for r in results]
    over = [r["name"] for r in results
            if r["ratio"] > (1.02 if r["name"] in C_BOUND else 0.95)]
    print("geometric mean ratio (JIT / interpreter): %.3f over %d benchmarks; "
          "%d faster, %d slower" % (geomean(ratios), len(ratios),
                                    sum(1 for x in ratios if x < 1),
                                    sum(1 for x in ratios if x >= 1)), file=out)
    print("above target (0.95; C-bound controls 1.02): %s" % (", ".join(over) or "none"),
          file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", default="", help="comma-separated names (default: all)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions per benchmark (>= 5)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--interp", default="/usr/bin/python3.11", help="the plain interpreter")
    ap.add_argument("--jit-python", default=os.path.join(ROOT, ".venv", "bin", "python"),
                    help="the interpreter with pyjion_x64 installed")
    ap.add_argument("--jit-option", action="append", default=[],
                    help="extra runner option for the JIT runs (e.g. --threshold=0)")
    ap.add_argument("--dir", default=PROGRAMS,
                    help="where the programs are (default bench/programs; bench/stdlib holds "
                         "drivers of the standard library's own pure-Python code)")
    ap.add_argument("--merge", nargs="+", metavar="JSON",
                    help="run nothing: pool the repetitions of earlier --json runs")
    args = ap.parse_args()
    if args.merge:
        results = merge(args.merge)
        print_table(results)
        if args.json:
            write_json(args, results, sum(len(r["ratios"]) for r in results) // len(results))
        return
    args.dir = os.path.abspath(args.dir)
    names = sorted(f[:-3] for f in os.listdir(args.dir) if f.endswith(".py"))
    if args.bench:
        wanted = [n.strip() for n in args.bench.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            raise SystemExit("unknown benchmark(s): %s (have: %s)" % (", ".join(unknown),
                                                                       ", ".join(names)))
        names = wanted
    results = []
    for name in names:
        r = measure(args, name)
        results.append(r)
        print("%-18s ratio %.3f  (interp %.3f s, jit %.3f s)" % (
            name, r["ratio"], r["interp_median"], r["jit_median"]), file=sys.stderr, flush=True)
    print_table(results)
    if args.json:
        write_json(args, results, args.reps)


def write_json(args, results, reps):
    with open(args.json, "w") as f:
        json.dump({"reps": reps, "interp": args.interp, "jit_python": args.jit_python,
                   "geomean": geomean([r["ratio"] for r in results]),
                   "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
