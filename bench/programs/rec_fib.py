"""Deep pure recursion: naive recursive Fibonacci, the Takeuchi function,
recursive binomial coefficients, Towers of Hanoi move counting, mutual
recursion and a recursive partition-count, all without memoisation."""

N = 31
EXPECTED = (1346269, 9, 2496144, 131071, (0, 14566, 29133, 29124, 0, 14566, 14558, 29124, 0), 29, 526823, 3856275)


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def tak(x, y, z):
    if y >= x:
        return z
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))


def binomial(n, k):
    if k == 0 or k == n:
        return 1
    return binomial(n - 1, k - 1) + binomial(n - 1, k)


def hanoi(n, src, dst, via, moves):
    if n == 0:
        return 0
    count = hanoi(n - 1, src, via, dst, moves)
    moves[src * 3 + dst] += 1
    return count + 1 + hanoi(n - 1, via, dst, src, moves)


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


def partitions(n, largest):
    if n == 0:
        return 1
    if n < 0 or largest == 0:
        return 0
    return partitions(n - largest, largest) + partitions(n, largest - 1)


def depth_sum(n):
    # linear recursion to a moderate depth
    if n == 0:
        return 0
    return n + depth_sum(n - 1)


def main():
    f = fib(N)
    t = tak(24, 16, 8)
    b = binomial(24, 11)
    moves = [0] * 9
    h = hanoi(17, 0, 2, 1, moves)
    parity = sum(1 for k in range(0, 400, 7) if is_even(k))
    p = partitions(56, 56)
    d = sum(depth_sum(k) for k in range(0, 900, 30))
    result = (f, t, b, h, tuple(moves), parity, p, d)
    if result != EXPECTED:
        raise SystemExit(f"rec_fib: wrong result {result!r}")
    print(f"rec_fib: ok {f} {p}")


if __name__ == "__main__":
    main()
