"""Tuple packing and unpacking in long straight-line functions: unrolled
mixing rounds full of `a, b = b, a + b` and swaps, helpers that return
tuples unpacked by the caller (`x, y, z = rotate(...)`), and a long
statistics function juggling many locals."""

N = 160000
EXPECTED = (167910970, 5243647122, 32772, 0, 65535, 65535, 0, 79993, 80007, 14.0)

M = 0xFFFFFFFF


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M


def quarter(a, b, c, d):
    a, d = (a + b) & M, d ^ a
    d = rotl(d, 16)
    c, b = (c + d) & M, b ^ c
    b = rotl(b, 12)
    a, d = (a + b) & M, d ^ a
    d = rotl(d, 8)
    c, b = (c + d) & M, b ^ c
    b = rotl(b, 7)
    return a, b, c, d


def mix_block(s0, s1, s2, s3, s4, s5, s6, s7):
    s0, s1, s2, s3 = quarter(s0, s1, s2, s3)
    s4, s5, s6, s7 = quarter(s4, s5, s6, s7)
    s0, s5, s2, s7 = quarter(s0, s5, s2, s7)
    s4, s1, s6, s3 = quarter(s4, s1, s6, s3)
    s0, s4 = s4, s0
    s1, s5 = s5, s1
    s2, s6 = s6, s2
    s3, s7 = s7, s3
    a, b = s0, s1
    a, b = b, (a + b) & M
    a, b = b, (a + b) & M
    a, b = b, (a + b) & M
    c, d = s2, s3
    c, d = d, c ^ d
    c, d = d ^ a, c ^ b
    e, f, g, h = s4, s5, s6, s7
    e, f, g, h = h, e, f, g
    e, f, g, h = (e + a) & M, (f + b) & M, g ^ c, h ^ d
    s0, s1, s2, s3, s4, s5, s6, s7 = e, f, g, h, a, b, c, d
    s0, s1, s2, s3 = quarter(s0, s1, s2, s3)
    s4, s5, s6, s7 = quarter(s4, s5, s6, s7)
    return s0, s1, s2, s3, s4, s5, s6, s7


def rotate_xyz(x, y, z, cx, sx, cy, sy, cz, sz):
    y, z = y * cx - z * sx, y * sx + z * cx
    x, z = x * cy + z * sy, -x * sy + z * cy
    x, y = x * cz - y * sz, x * sz + y * cz
    return x, y, z


def stats(values):
    n = 0
    total = 0
    lo, hi = values[0], values[0]
    first, second = values[0], values[0]
    prev, cur = 0, 0
    ups, downs = 0, 0
    for v in values:
        n, total = n + 1, total + v
        lo, hi = (v, hi) if v < lo else (lo, v) if v > hi else (lo, hi)
        if v > first:
            first, second = v, first
        elif v > second:
            second = v
        prev, cur = cur, v
        ups, downs = (ups + 1, downs) if cur > prev else (ups, downs + 1)
    mean = total // n
    spread = hi - lo
    gap = first - second
    return n, total, mean, lo, hi, spread, gap, ups, downs


def main():
    state = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, 1, 2, 3, 4)
    acc = 0
    outputs = []
    for i in range(N):
        s0, s1, s2, s3, s4, s5, s6, s7 = state
        s4 = (s4 + i) & M
        s0, s1, s2, s3, s4, s5, s6, s7 = mix_block(s0, s1, s2, s3, s4, s5, s6, s7)
        state = (s0, s1, s2, s3, s4, s5, s6, s7)
        lo, hi = s0 & 0xFFFF, s1 >> 16
        lo, hi = hi, lo
        outputs.append(lo ^ hi)
        fa, fb = 0, 1
        for _ in range(s2 % 20):
            fa, fb = fb, fa + fb
        acc = (acc + fa + s3 % 1000) & M
    n, total, mean, lo, hi, spread, gap, ups, downs = stats(outputs)
    x, y, z = 1.0, 2.0, 3.0
    for k in range(N):
        x, y, z = rotate_xyz(x, y, z, 0.8, 0.6, 0.6, 0.8, 0.28, 0.96)
        x, y, z = y, z, x
    norm = round(x * x + y * y + z * z, 6)
    result = (acc, total, mean, lo, hi, spread, gap, ups, downs, norm)
    if result != EXPECTED:
        raise SystemExit(f"unpack_long: wrong result {result!r}")
    print(f"unpack_long: ok {acc} {total}")


if __name__ == "__main__":
    main()
