"""Closures and decorators: function factories capturing variables,
nonlocal counters and accumulators, decorators built with functools.wraps
that forward *args/**kwargs (counting, memoising, validating), and
composed pipelines of small closures."""

import functools

N = 140000
EXPECTED = (19723793610, 4, 140000, 13, 1400000, 'score', 601080390, 288)


def counted(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


def clamp_result(lo, hi):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            value = func(*args, **kwargs)
            if value < lo:
                return lo
            if value > hi:
                return hi
            return value
        return wrapper
    return decorator


def memoize(func):
    cache = {}

    @functools.wraps(func)
    def wrapper(*args):
        try:
            return cache[args]
        except KeyError:
            value = cache[args] = func(*args)
            return value
    wrapper.cache = cache
    return wrapper


def make_counter(start=0, step=1):
    count = start

    def tick():
        nonlocal count
        count += step
        return count
    return tick


def make_accumulator():
    total = 0
    history = []

    def add(x):
        nonlocal total
        total += x
        history.append(total)
        return total

    def stats():
        return total, len(history), max(history) if history else 0
    return add, stats


def make_linear(a, b):
    return lambda x: a * x + b


def compose(*funcs):
    def composed(x):
        for f in reversed(funcs):
            x = f(x)
        return x
    return composed


def make_polynomial(coeffs):
    def poly(x):
        result = 0
        for c in coeffs:
            result = result * x + c
        return result
    return poly


@counted
@clamp_result(-1000, 1000)
def score(x, y, *, weight=1, bias=0):
    return (x * weight - y) + bias


@memoize
def grid_paths(r, c):
    if r == 0 or c == 0:
        return 1
    return grid_paths(r - 1, c) + grid_paths(r, c - 1)


def main():
    acc = 0
    tick = make_counter(10, 3)
    add, stats = make_accumulator()
    linears = [make_linear(a, b) for a in range(1, 6) for b in range(-2, 3)]
    pipeline = compose(*linears[:4])
    poly = make_polynomial([3, -2, 5, 1])
    for i in range(N):
        t = tick()
        acc += add(t % 17 - 8)
        for f in linears:
            acc += f(i % 13) % 101
        acc += pipeline(i % 7) % 1009
        acc += poly(i % 11 - 5)
        for j in range(5):
            acc += score(i % 50, j * 7, weight=j, bias=-3)
            acc += score(j, i % 40)
        counter = make_counter(i)
        acc += counter() + counter()
    total, n, high = stats()
    paths = grid_paths(16, 16)
    result = (acc, total, n, high, score.calls, score.__name__, paths, len(grid_paths.cache))
    if result != EXPECTED:
        raise SystemExit(f"closures: wrong result {result!r}")
    print(f"closures: ok {acc}")


if __name__ == "__main__":
    main()
