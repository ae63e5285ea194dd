"""Big-integer arithmetic: factorials by product trees, Fibonacci numbers by
iteration and by fast doubling, modular exponentiation (Miller-Rabin on
large candidates), and digit sums of huge numbers via chunked divmod."""

N = 28
EXPECTED = 4211870993


def product_range(lo, hi):
    if hi - lo < 8:
        r = 1
        for k in range(lo, hi):
            r *= k
        return r
    mid = (lo + hi) // 2
    return product_range(lo, mid) * product_range(mid, hi)


def factorial(n):
    return product_range(1, n + 1)


def fib_iter(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def fib_doubling(n):
    if n == 0:
        return 0, 1
    a, b = fib_doubling(n >> 1)
    c = a * (2 * b - a)
    d = a * a + b * b
    if n & 1:
        return d, c + d
    return c, d


def digit_sum(n):
    # split into base-10**9 chunks by repeated divmod on a shrinking number
    chunks = []
    big = 10 ** 9
    while n:
        n, r = divmod(n, big)
        chunks.append(r)
    total = 0
    for c in chunks:
        while c:
            c, d = divmod(c, 10)
            total += d
    return total


def is_probable_prime(n):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29):
        if n % p == 0:
            return n == p
    d = n - 1
    s = 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in (2, 3, 5, 7, 11, 13, 17):
        x = pow(a, d, n)
        if x == 1 or x == n - 1:
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def next_prime(n):
    n |= 1
    while not is_probable_prime(n):
        n += 2
    return n


def isqrt_newton(n):
    x = 1 << ((n.bit_length() + 1) // 2)
    while True:
        y = (x + n // x) // 2
        if y >= x:
            return x
        x = y


def main():
    acc = 0
    for round_no in range(N):
        f = factorial(3000 + round_no * 37)
        acc += digit_sum(f) + f.bit_length()
        a = fib_iter(12000 + round_no)
        b, _ = fib_doubling(12000 + round_no)
        if a != b:
            raise SystemExit("int_bignum: fibonacci mismatch")
        acc += digit_sum(a) % 100000
        p = next_prime(3 ** (300 + round_no) + 7 * round_no)
        acc += p % 1000003
        r = isqrt_newton(f)
        if not (r * r <= f < (r + 1) * (r + 1)):
            raise SystemExit("int_bignum: isqrt wrong")
        acc ^= r & 0xFFFFFFFF
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"int_bignum: wrong result {result!r}")
    print(f"int_bignum: ok {result}")


if __name__ == "__main__":
    main()
