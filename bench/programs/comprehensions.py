"""List, dict and set comprehensions: filtering and transforming tabular
rows, nested comprehensions for matrix transpose and pairwise tables,
dict comprehensions for lookups and inversions, and set comprehensions
for distinct values, with conditions and conditional expressions."""

import random

N = 240
EXPECTED = 9368319009

REGIONS = ["north", "south", "east", "west", "centre"]


def make_rows(rng, count):
    return [(i, REGIONS[rng.randrange(5)], rng.randrange(1, 500), rng.randrange(0, 40), rng.random() < 0.2)
            for i in range(count)]


def analyse(rows):
    valid = [r for r in rows if not r[4] and r[3] > 0]
    revenue = [price * qty for _, _, price, qty, _ in valid]
    by_id = {r[0]: r for r in valid}
    region_totals = {reg: sum(p * q for _, rg, p, q, _ in valid if rg == reg) for reg in REGIONS}
    big_regions = sorted({rg for _, rg, p, q, _ in valid if p * q > 15000})
    qty_buckets = {q // 10: [r[0] for r in valid if r[3] // 10 == q // 10] for q in range(0, 40, 10)}
    labels = ["high" if x > 8000 else "mid" if x > 2000 else "low" for x in revenue]
    distinct_prices = {p % 97 for _, _, p, _, _ in rows}
    return revenue, by_id, region_totals, big_regions, qty_buckets, labels, distinct_prices


def matrix_work(rng, size):
    m = [[rng.randrange(-9, 10) for _ in range(size)] for _ in range(size)]
    t = [[m[j][i] for j in range(size)] for i in range(size)]
    prod = [[sum(a * b for a, b in zip(row, col)) for col in t] for row in m]
    flat = [x for row in prod for x in row if x % 3 == 0]
    diag = [prod[i][i] for i in range(size)]
    pairs = [(i, j) for i in range(size) for j in range(i + 1, size) if (m[i][j] + m[j][i]) % 5 == 0]
    return sum(flat), sum(diag), len(pairs)


def invert(mapping):
    inv = {v: k for k, v in mapping.items()}
    return {k: inv[v] for k, v in mapping.items() if v in inv}


def main():
    rng = random.Random(1234)
    acc = 0
    for _ in range(N):
        rows = make_rows(rng, 2500)
        revenue, by_id, region_totals, big, buckets, labels, prices = analyse(rows)
        acc += sum(revenue) + len(by_id) + len(big) + len(prices)
        acc += sum(v * (i + 1) for i, v in enumerate(region_totals[r] for r in REGIONS))
        acc += sum(len(v) for v in buckets.values()) + labels.count("high") * 7
        squares = {i: i * i for i in range(300) if i % 3}
        acc += len(invert(squares)) + sum(invert(squares).values())
        acc += sum(matrix_work(rng, 24))
        words = [f"w{n % 37}" for n in range(600)]
        acc += len({w for w in words if w.endswith("1")}) + sum(len(w) for w in words if "3" in w)
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"comprehensions: wrong result {result!r}")
    print(f"comprehensions: ok {result}")


if __name__ == "__main__":
    main()
