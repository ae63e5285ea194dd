"""Backtracking constraint solvers: N-queens counting with column/diagonal
sets, and a sudoku solver that keeps row/column/box candidate sets, picks
the most constrained cell, and undoes its choices on backtrack."""

N = 11
ROUNDS = 3
EXPECTED = (2680, (0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9), 60693, 936636569356002034)

PUZZLES = [
    "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79",
    "..9748...7.........2.1.9.....7...24..64.1.59..98...3.....8.3.2.........6...2759..",
    "1....7.9..3..2...8..96..5....53..9...1..8...26....4...3......1..4......7..7...3..",
    ".......1.4.........2...........5.4.7..8...3....1.9....3..4..2...5.1........8.6...",
    "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..",
]


def queens(n):
    cols = set()
    diag1 = set()
    diag2 = set()
    placement = []
    solutions = [0, None]

    def place(row):
        if row == n:
            solutions[0] += 1
            if solutions[1] is None:
                solutions[1] = tuple(placement)
            return
        for col in range(n):
            if col in cols or (row - col) in diag1 or (row + col) in diag2:
                continue
            cols.add(col)
            diag1.add(row - col)
            diag2.add(row + col)
            placement.append(col)
            place(row + 1)
            placement.pop()
            cols.remove(col)
            diag1.remove(row - col)
            diag2.remove(row + col)

    place(0)
    return solutions[0], solutions[1]


class Sudoku:
    def __init__(self, text):
        self.grid = [0 if ch == "." else int(ch) for ch in text]
        self.rows = [set() for _ in range(9)]
        self.cols = [set() for _ in range(9)]
        self.boxes = [set() for _ in range(9)]
        self.guesses = 0
        for i, v in enumerate(self.grid):
            if v:
                self.assign(i, v)

    @staticmethod
    def box_of(i):
        return (i // 27) * 3 + (i % 9) // 3

    def assign(self, i, v):
        self.grid[i] = v
        self.rows[i // 9].add(v)
        self.cols[i % 9].add(v)
        self.boxes[self.box_of(i)].add(v)

    def unassign(self, i, v):
        self.grid[i] = 0
        self.rows[i // 9].discard(v)
        self.cols[i % 9].discard(v)
        self.boxes[self.box_of(i)].discard(v)

    def candidates(self, i):
        used = self.rows[i // 9] | self.cols[i % 9] | self.boxes[self.box_of(i)]
        return [v for v in range(1, 10) if v not in used]

    def best_cell(self):
        best = None
        best_cands = None
        for i, v in enumerate(self.grid):
            if v:
                continue
            cands = self.candidates(i)
            if best_cands is None or len(cands) < len(best_cands):
                best, best_cands = i, cands
                if len(cands) <= 1:
                    break
        return best, best_cands

    def solve(self):
        i, cands = self.best_cell()
        if i is None:
            return True
        for v in cands:
            self.guesses += 1
            self.assign(i, v)
            if self.solve():
                return True
            self.unassign(i, v)
        return False

    def valid(self):
        units = []
        for k in range(9):
            units.append([self.grid[k * 9 + j] for j in range(9)])
            units.append([self.grid[j * 9 + k] for j in range(9)])
            units.append([self.grid[(k // 3) * 27 + (k % 3) * 3 + (j // 3) * 9 + j % 3] for j in range(9)])
        return all(sorted(u) == list(range(1, 10)) for u in units)


def main():
    count, first = queens(N)
    guesses = 0
    digest = 0
    for text in PUZZLES * ROUNDS:
        s = Sudoku(text)
        if not s.solve() or not s.valid():
            raise SystemExit("solver: sudoku not solved")
        for i, ch in enumerate(text):
            if ch != "." and int(ch) != s.grid[i]:
                raise SystemExit("solver: clue overwritten")
        guesses += s.guesses
        digest = (digest * 131 + int("".join(map(str, s.grid[:18])))) % (1 << 61)
    result = (count, first, guesses, digest)
    if result != EXPECTED:
        raise SystemExit(f"solver: wrong result {result!r}")
    print(f"solver: ok {count} {guesses}")


if __name__ == "__main__":
    main()
