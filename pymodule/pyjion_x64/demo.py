"""`make demo`: times a small numeric program under the interpreter and under the JIT.

    python -m pyjion_x64.demo [--repeat N]

The same functions run twice in this process: first with the JIT off, then with it on
at threshold 0 (each function is compiled on its first call; the compile time is part of
the first JIT run). Each timing is the best of N runs. Results must agree, and every
workload function must report compiled=True, or the demo fails.
"""
import argparse
import sys
import time

import pyjion_x64


def mandelbrot(width, height, max_iter):
    """Counts points of the Mandelbrot set on a grid: float arithmetic and loops."""
    inside = 0
    for y in range(height):
        ci = 2.0 * y / height - 1.0
        for x in range(width):
            cr = 3.0 * x / width - 2.0
            zr = 0.0
            zi = 0.0
            i = 0
            while i < max_iter:
                zr2 = zr * zr
                zi2 = zi * zi
                if zr2 + zi2 > 4.0:
                    break
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
                i += 1
            if i == max_iter:
                inside += 1
    return inside


def prime_sieve(limit):
    """Sum of the primes below limit: integer arithmetic, lists and subscripts."""
    flags = [True] * limit
    total = 0
    p = 2
    while p < limit:
        if flags[p]:
            total += p
            q = p * p
            while q < limit:
                flags[q] = False
                q += p
        p += 1
    return total


def collatz_longest(limit):
    """Longest Collatz chain below limit: integer operations and comparisons."""
    best, best_n = 0, 0
    n = 1
    while n < limit:
        steps, m = 0, n
        while m != 1:
            if m % 2 == 0:
                m = m // 2
            else:
                m = 3 * m + 1
            steps += 1
        if steps > best:
            best, best_n = steps, n
        n += 1
    return best_n, best


WORKLOAD = [
    (mandelbrot, (120, 80, 60)),
    (prime_sieve, (300_000,)),
    (collatz_longest, (60_000,)),
]


def run_workload():
    return [func(*args) for func, args in WORKLOAD]


def best_time(repeat):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run_workload()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    pyjion_x64.disable()
    interp_time, interp_result = best_time(args.repeat)

    pyjion_x64.config(threshold=0)
    pyjion_x64.enable()
    jit_time, jit_result = best_time(args.repeat)
    pyjion_x64.disable()

    not_compiled = [f.__name__ for f, _ in WORKLOAD if not pyjion_x64.info(f)["compiled"]]
    if not_compiled:
        for name in not_compiled:
            print("not compiled: %s: %s" % (name, pyjion_x64.info(globals()[name])["reason"]))
        return 1
    if jit_result != interp_result:
        print("results differ: interpreter %r, JIT %r" % (interp_result, jit_result))
        return 1

    compile_ms = sum(pyjion_x64.info(f)["compile_ns"] for f, _ in WORKLOAD) / 1e6
    print("workload: %s" % ", ".join(f.__name__ for f, _ in WORKLOAD))
    print("interpreter: %8.3f s" % interp_time)
    print("pyjion_x64:  %8.3f s  (compiling took %.2f ms)" % (jit_time, compile_ms))
    print("speed-up:    %8.2fx" % (interp_time / jit_time))
    return 0


if __name__ == "__main__":
    sys.exit(main())
