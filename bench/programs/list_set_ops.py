"""List and set operations: a sorted insertion queue with insert/index/pop,
a stack-based bracket matcher, list sorting with keys, slicing and
reversal, plus set union/intersection/difference and membership tests
for a friend-recommendation style computation on integer ids."""

import bisect
import random

N = 84
EXPECTED = 15001955


def sorted_insert_workload(rng, count):
    items = []
    removed = 0
    for i in range(count):
        v = rng.randrange(100000)
        pos = bisect.bisect_left(items, v)
        items.insert(pos, v)
        if i % 5 == 4:
            items.pop(len(items) // 2)
            removed += 1
        if i % 7 == 0 and items:
            target = items[len(items) // 3]
            removed += items.index(target) % 3
    return items, removed


def bracket_depths(rng, count):
    pairs = {")": "(", "]": "[", "}": "{"}
    balanced = 0
    max_depth = 0
    for _ in range(count):
        s = "".join(rng.choice("()[]{}(") for _ in range(rng.randrange(4, 30)))
        stack = []
        ok = True
        for ch in s:
            if ch in "([{":
                stack.append(ch)
                if len(stack) > max_depth:
                    max_depth = len(stack)
            elif not stack or stack.pop() != pairs[ch]:
                ok = False
                break
        if ok and not stack:
            balanced += 1
    return balanced, max_depth


def make_friends(rng, people, degree):
    friends = [set() for _ in range(people)]
    for p in range(people):
        for _ in range(degree):
            q = rng.randrange(people)
            if q != p:
                friends[p].add(q)
                friends[q].add(p)
    return friends


def recommend(friends, person):
    mine = friends[person]
    scores = {}
    for f in mine:
        for candidate in friends[f] - mine:
            if candidate != person:
                scores[candidate] = scores.get(candidate, 0) + 1
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [c for c, _ in ranked[:5]]


def list_shuffle_ops(rng, count):
    data = [rng.randrange(1000) for _ in range(count)]
    data.sort(key=lambda x: (x % 10, -x))
    rev = data[::-1]
    evens = data[::2]
    data.extend(rev[:10])
    data.remove(data[3])
    chunks = [data[i:i + 16] for i in range(0, len(data), 16)]
    return sum(c[0] - c[-1] for c in chunks) + evens[5] + len(data) + data.count(data[7])


def main():
    rng = random.Random(1234)
    acc = 0
    for _ in range(N):
        items, removed = sorted_insert_workload(rng, 3000)
        acc += items[0] + items[-1] + len(items) + removed
        balanced, depth = bracket_depths(rng, 600)
        acc += balanced * 100 + depth
        friends = make_friends(rng, 400, 6)
        for person in range(0, 400, 3):
            rec = recommend(friends, person)
            acc += sum(rec) % 997
            common = friends[person] & friends[(person + 1) % 400]
            union = friends[person] | friends[(person + 2) % 400]
            acc += len(common) * 3 + len(union) + (person in union)
        acc += list_shuffle_ops(rng, 2000)
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"list_set_ops: wrong result {result!r}")
    print(f"list_set_ops: ok {result}")


if __name__ == "__main__":
    main()
