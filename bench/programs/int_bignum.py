"""Integers beyond one machine digit, at the sizes programs meet them: 64-bit
hash mixing (splitmix64, FNV-1a) with masks, Miller-Rabin on 64-bit
candidates with a hand-written square-and-multiply, Fibonacci numbers modulo
a Mersenne prime by fast doubling, pi by Machin's formula in 256- to 1248-bit
fixed point, and a digit sum of a few thousand-digit numbers."""

N = 13
EXPECTED = 23053554715115343

MASK64 = (1 << 64) - 1
M61 = (1 << 61) - 1


def splitmix64(state, count):
    total = 0
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z ^= z >> 31
        total = (total + z) & MASK64
    return state, total


def fnv1a64(words):
    h = 0xCBF29CE484222325
    for w in words:
        for ch in w:
            h ^= ord(ch)
            h = (h * 0x100000001B3) & MASK64
    return h


def pow_mod(base, exp, mod):
    result = 1
    base %= mod
    while exp:
        if exp & 1:
            result = result * base % mod
        base = base * base % mod
        exp >>= 1
    return result


def is_prime64(n):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d = n - 1
    s = 0
    while d & 1 == 0:
        d >>= 1
        s += 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow_mod(a, d, n)
        if x == 1 or x == n - 1:
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def fib_mod(n, m):
    """(F(n), F(n+1)) mod m by fast doubling, iteratively over n's bits."""
    a, b = 0, 1
    for bit in bin(n)[2:]:
        c = a * ((2 * b - a) % m) % m
        d = (a * a + b * b) % m
        if bit == "1":
            a, b = d, (c + d) % m
        else:
            a, b = c, d
    return a, b


def arctan_inv(x, one):
    """arctan(1/x) in fixed point with scale `one`."""
    power = one // x
    total = power
    x2 = x * x
    k = 1
    sign = -1
    while power:
        power //= x2
        k += 2
        total += sign * (power // k)
        sign = -sign
    return total


def machin_pi(bits):
    one = 1 << bits
    return 4 * (4 * arctan_inv(5, one) - arctan_inv(239, one))


def digit_sum(n):
    total = 0
    while n:
        n, r = divmod(n, 10 ** 9)
        while r:
            r, d = divmod(r, 10)
            total += d
    return total


def main():
    acc = 0
    words = [f"key-{i}-{i * 7919 % 1000}" for i in range(400)]
    for round_no in range(N):
        state, total = splitmix64(0x1234567 + round_no, 60000)
        acc ^= total
        for k in range(0, 400, 20):
            acc = (acc + fnv1a64(words[k:] + words[:k])) & MASK64
        primes = 0
        candidate = (state | (1 << 63)) | 1
        while primes < 120:
            if is_prime64(candidate):
                primes += 1
                acc = (acc * 31 + candidate) & MASK64
            candidate += 2
        for n in range(1000, 2500):
            f, g = fib_mod(n * 1000003 + round_no, M61)
            acc = (acc + f * 3 + g) % M61
        for bits in range(256, 1280, 32):
            acc ^= machin_pi(bits) >> (bits - 60)
        acc += digit_sum(3 ** (2000 + round_no * 100)) + digit_sum(7 ** 1500)
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"int_bignum: wrong result {result!r}")
    print(f"int_bignum: ok {result}")


if __name__ == "__main__":
    main()
