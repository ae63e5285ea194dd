"""Small-integer loops: a sieve of Eratosthenes over a bytearray, a
smallest-prime-factor table used for totients and divisor counts,
Collatz chain lengths with a cache, and modular arithmetic in loops."""

N = 1500000
EXPECTED = (114155, 11596, 256469743101, (160, 1361360), 626331, 509, 536135806)


def sieve(limit):
    flags = bytearray([1]) * (limit + 1)
    flags[0] = flags[1] = 0
    i = 2
    while i * i <= limit:
        if flags[i]:
            for j in range(i * i, limit + 1, i):
                flags[j] = 0
        i += 1
    return [i for i in range(limit + 1) if flags[i]]


def smallest_factors(limit):
    spf = list(range(limit + 1))
    for i in range(2, int(limit ** 0.5) + 1):
        if spf[i] == i:
            for j in range(i * i, limit + 1, i):
                if spf[j] == j:
                    spf[j] = i
    return spf


def totient_and_divisors(n, spf):
    phi = n
    divisors = 1
    while n > 1:
        p = spf[n]
        e = 0
        while n % p == 0:
            n //= p
            e += 1
        phi = phi // p * (p - 1)
        divisors *= e + 1
    return phi, divisors


def collatz_lengths(limit):
    cache = [0] * (limit + 1)
    cache[1] = 1
    best = 1
    best_n = 1
    for start in range(2, limit + 1):
        n = start
        steps = 0
        while n >= start or cache[n] == 0:
            if n & 1:
                n = 3 * n + 1
            else:
                n >>= 1
            steps += 1
            if n < start:
                break
        length = steps + cache[n]
        cache[start] = length
        if length > best:
            best = length
            best_n = start
    return best_n, best


def modular_walk(primes, count):
    acc = 0
    for p in primes[:count]:
        # multiplicative order-ish walk and a Fermat check, done by hand
        x = 1
        for _ in range(20):
            x = x * 7 % p
        r = 1
        b = 3 % p
        e = p - 1
        while e:
            if e & 1:
                r = r * b % p
            b = b * b % p
            e >>= 1
        acc = (acc * 31 + x + r) % 1000000007
    return acc


def main():
    primes = sieve(N)
    spf = smallest_factors(N)
    phi_sum = 0
    most_divisors = (0, 0)
    for n in range(2, N + 1, 3):
        phi, d = totient_and_divisors(n, spf)
        phi_sum += phi
        if d > most_divisors[0]:
            most_divisors = (d, n)
    best_n, best_len = collatz_lengths(N // 2)
    walk = modular_walk(primes, 3000)
    twin = sum(1 for a, b in zip(primes, primes[1:]) if b - a == 2)
    result = (len(primes), twin, phi_sum, most_divisors, best_n, best_len, walk)
    if result != EXPECTED:
        raise SystemExit(f"int_sieve: wrong result {result!r}")
    print(f"int_sieve: ok {len(primes)} {phi_sum}")


if __name__ == "__main__":
    main()
