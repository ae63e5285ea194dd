"""Word statistics over a built-in text: string methods, dicts, Counter, sorting,
comprehensions, lambdas, slicing, unpacking, enumerate/zip, closures and nonlocal."""
import collections
import re

TEXT = """It was the best of times, it was the worst of times, it was the age of wisdom,
it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity,
it was the season of Light, it was the season of Darkness, it was the spring of hope,
it was the winter of despair."""


def tokenize(text):
    return [w.lower() for w in re.findall(r"[A-Za-z']+", text)]


def make_counter():
    seen = 0

    def count(words):
        nonlocal seen
        seen += len(words)
        return seen
    return count


def ngrams(words, n):
    return [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]


def summarize(words):
    freq = collections.Counter(words)
    top = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    lengths = {}
    for w in words:
        lengths.setdefault(len(w), set()).add(w)
    longest = max(lengths)
    first, *middle, last = words
    return {
        "top": top,
        "longest": sorted(lengths[longest]),
        "ends": (first, last, len(middle)),
        "vowels": sum([1 for w in words for c in w if c in "aeiou"]),
    }


def main():
    words = tokenize(TEXT)
    counter = make_counter()
    counter(words[:10])
    print("count", counter(words[10:]))
    for key, value in summarize(words).items():
        print(f"{key:>8}: {value}")
    pairs = ngrams(words, 2)
    common = collections.Counter(pairs).most_common(3)
    print(common)
    for i, (a, b) in enumerate(zip(words[::7], words[1::7])):
        if i > 3:
            break
        print(i, a.upper(), b.title(), a[::-1], b.center(9, "*"))
    table = str.maketrans("aeiou", "AEIOU")
    print(" ".join(words[:8]).translate(table))
    print(sorted({w[0] for w in words}), "-".join(map(str, range(5))))


if __name__ == "__main__":
    main()
