"""Generator functions and generator expressions: a lazy pipeline that
produces sensor readings, parses, filters, smooths with a sliding window
and batches them, consumed by ordinary for-loops, plus generator
expressions fed to sum/any/all/min/max and a yield-from tree walk."""

import random
from collections import deque

N = 110
EXPECTED = 160429507


def readings(rng, count):
    for i in range(count):
        sensor = i % 7
        value = 20.0 + sensor + rng.gauss(0.0, 2.0)
        if rng.random() < 0.02:
            yield f"{i};s{sensor};ERR"
        else:
            yield f"{i};s{sensor};{value:.3f}"


def parse(lines):
    for line in lines:
        seq, sensor, raw = line.split(";")
        if raw == "ERR":
            continue
        yield int(seq), sensor, float(raw)


def only(records, wanted):
    for rec in records:
        if rec[1] in wanted:
            yield rec


def moving_average(records, width):
    window = deque()
    total = 0.0
    for seq, sensor, value in records:
        window.append(value)
        total += value
        if len(window) > width:
            total -= window.popleft()
        if len(window) == width:
            yield seq, total / width


def batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def countdown_tree(depth, label=1):
    yield label
    if depth > 0:
        yield from countdown_tree(depth - 1, label * 2)
        yield from countdown_tree(depth - 1, label * 2 + 1)


def primes():
    found = []
    n = 2
    while True:
        if all(n % p for p in found if p * p <= n):
            found.append(n)
            yield n
        n += 1


def main():
    rng = random.Random(1234)
    acc = 0
    for rnd in range(N):
        pipeline = moving_average(only(parse(readings(rng, 6000)), {"s1", "s3", "s4"}), 5)
        batch_count = 0
        peak = 0.0
        for batch in batches(pipeline, 64):
            batch_count += 1
            avg = sum(v for _, v in batch) / len(batch)
            hi = max(v for _, v in batch)
            if hi > peak:
                peak = hi
            if any(v > 26.0 for _, v in batch):
                acc += 1
            if all(v > 20.0 for _, v in batch):
                acc += 2
            acc += int(avg * 1000) + min(seq for seq, _ in batch) % 13
        acc += batch_count + int(peak * 1000)
        tree_sum = 0
        for label in countdown_tree(9):
            tree_sum += label
        acc += tree_sum
        for i, p in enumerate(primes()):
            if i == 300 + rnd:
                acc += p
                break
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"generators: wrong result {result!r}")
    print(f"generators: ok {result}")


if __name__ == "__main__":
    main()
