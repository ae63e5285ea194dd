"""Bitwise integer code: a 64-bit xorshift generator, hand-written popcount
and bit reversal, FNV-1a and murmur-style mixing with 32/64-bit masks, and
an 8x8 bitboard of knight/king attacks used for a Game of Life variant."""

N = 36000
EXPECTED = 16677390628580252305

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF
NOT_A = 0xFEFEFEFEFEFEFEFE
NOT_H = 0x7F7F7F7F7F7F7F7F
NOT_AB = 0xFCFCFCFCFCFCFCFC
NOT_GH = 0x3F3F3F3F3F3F3F3F


def xorshift64(state):
    state ^= (state << 13) & MASK64
    state ^= state >> 7
    state ^= (state << 17) & MASK64
    return state


def popcount(x):
    count = 0
    while x:
        x &= x - 1
        count += 1
    return count


def reverse32(x):
    x = ((x >> 1) & 0x55555555) | ((x & 0x55555555) << 1)
    x = ((x >> 2) & 0x33333333) | ((x & 0x33333333) << 2)
    x = ((x >> 4) & 0x0F0F0F0F) | ((x & 0x0F0F0F0F) << 4)
    x = ((x >> 8) & 0x00FF00FF) | ((x & 0x00FF00FF) << 8)
    return ((x >> 16) | (x << 16)) & MASK32


def fnv1a(data):
    h = 0x811C9DC5
    for byte in data:
        h ^= byte
        h = (h * 0x01000193) & MASK32
    return h


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def king_attacks(bb):
    east = (bb << 1) & NOT_A
    west = (bb >> 1) & NOT_H
    row = bb | east | west
    return (east | west | (row << 8) | (row >> 8)) & MASK64


def knight_attacks(bb):
    l1 = (bb >> 1) & NOT_H
    l2 = (bb >> 2) & NOT_GH
    r1 = (bb << 1) & NOT_A
    r2 = (bb << 2) & NOT_AB
    h1 = l1 | r1
    h2 = l2 | r2
    return ((h1 << 16) | (h1 >> 16) | (h2 << 8) | (h2 >> 8)) & MASK64


def life_step(board):
    # count king-neighbours per square bit by bit, then apply B3/S23
    new = 0
    for sq in range(64):
        bit = 1 << sq
        n = popcount(king_attacks(bit) & board)
        alive = board & bit
        if n == 3 or (alive and n == 2):
            new |= bit
    return new


def main():
    state = 0x9E3779B97F4A7C15
    acc = 0
    board = 0
    for i in range(N):
        state = xorshift64(state)
        word = state & MASK32
        acc = (acc + popcount(word) * reverse32(word)) & MASK64
        acc ^= mix64(state ^ i)
        data = word.to_bytes(4, "little") + (i & 0xFFFF).to_bytes(2, "big")
        acc = (acc * 31 + fnv1a(data)) & MASK64
        if i % 50 == 0:
            board = state ^ knight_attacks(state & 0x0000FFFFFFFF0000)
        board = life_step(board)
        acc = (acc + popcount(board) + (knight_attacks(board) & 0xFFFF)) & MASK64
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"int_bits: wrong result {result!r}")
    print(f"int_bits: ok {result:016x}")


if __name__ == "__main__":
    main()
