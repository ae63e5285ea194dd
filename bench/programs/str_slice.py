"""String slicing and methods: palindrome search by expanding around
centres, run-length encoding with character loops, a Caesar cipher,
find/replace/split/strip cleanup of messy lines, and case changes."""

import random
import zlib

N = 85
EXPECTED = (3329718958, 929475)

SYLLABLES = ["ab", "ba", "level", "noon", "ra", "car", "ace", "x", "deed", "tot", "mo", "om"]


def make_lines(rng, count):
    lines = []
    for _ in range(count):
        words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(1, 4)))
                 for _ in range(rng.randrange(4, 12))]
        line = "  " * rng.randrange(3) + " ".join(words) + " \t" * rng.randrange(2)
        if rng.random() < 0.3:
            line = line.upper()
        lines.append(line)
    return lines


def longest_palindrome(s):
    best_start, best_len = 0, 1 if s else 0
    n = len(s)
    for centre in range(2 * n - 1):
        lo = centre // 2
        hi = lo + centre % 2
        while lo >= 0 and hi < n and s[lo] == s[hi]:
            lo -= 1
            hi += 1
        length = hi - lo - 1
        if length > best_len:
            best_start, best_len = lo + 1, length
    return s[best_start:best_start + best_len]


def run_length(s):
    if not s:
        return ""
    out = []
    prev = s[0]
    count = 1
    for ch in s[1:]:
        if ch == prev:
            count += 1
        else:
            out.append(f"{count}{prev}" if count > 1 else prev)
            prev = ch
            count = 1
    out.append(f"{count}{prev}" if count > 1 else prev)
    return "".join(out)


def caesar(s, shift):
    out = []
    for ch in s:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + shift) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + shift) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


def clean(line):
    line = line.strip().lower().replace("\t", " ")
    while "  " in line:
        line = line.replace("  ", " ")
    return line


def word_stats(line):
    words = line.split(" ")
    pals = [w for w in words if w == w[::-1]]
    reversed_line = " ".join(w[::-1] for w in reversed(words))
    pos = line.find("car")
    count_a = line.count("a")
    middle = line[len(line) // 4: 3 * len(line) // 4]
    return len(pals), reversed_line, pos, count_a, middle


def main():
    rng = random.Random(1234)
    lines = make_lines(rng, 400)
    crc = 0
    pal_total = 0
    for rnd in range(N):
        for line in lines:
            c = clean(line)
            p = longest_palindrome(c.replace(" ", ""))
            pal_total += len(p)
            npals, rev, pos, na, mid = word_stats(c)
            rle = run_length(c)
            enc = caesar(line.strip(), rnd % 26)
            if caesar(enc, 26 - rnd % 26) != line.strip():
                raise SystemExit("str_slice: caesar round trip failed")
            out = "|".join((p, rev[:20], mid.title(), rle[-15:], enc.swapcase()[:10]))
            crc = zlib.crc32(out.encode(), crc)
            pal_total += npals + pos + na
    result = (crc, pal_total)
    if result != EXPECTED:
        raise SystemExit(f"str_slice: wrong result {result!r}")
    print(f"str_slice: ok {crc:08x} {pal_total}")


if __name__ == "__main__":
    main()
