"""Float loops over lists of lists: dense matrix multiply, LU decomposition
with partial pivoting, forward/back substitution and a residual check,
all with plain Python lists of floats."""

import math
import random

N = 40
SIZE = 80
EXPECTED = 17332.194557


def random_matrix(rng, rows, cols):
    return [[rng.uniform(-1.0, 1.0) for _ in range(cols)] for _ in range(rows)]


def matmul(a, b):
    n = len(a)
    m = len(b[0])
    inner = len(b)
    bt = [[b[k][j] for k in range(inner)] for j in range(m)]
    out = []
    for i in range(n):
        row = a[i]
        out_row = []
        for j in range(m):
            col = bt[j]
            s = 0.0
            for k in range(inner):
                s += row[k] * col[k]
            out_row.append(s)
        out.append(out_row)
    return out


def lu_decompose(a):
    n = len(a)
    lu = [row[:] for row in a]
    perm = list(range(n))
    sign = 1.0
    for col in range(n):
        pivot = col
        best = abs(lu[col][col])
        for r in range(col + 1, n):
            v = abs(lu[r][col])
            if v > best:
                best = v
                pivot = r
        if best == 0.0:
            raise ZeroDivisionError("singular matrix")
        if pivot != col:
            lu[col], lu[pivot] = lu[pivot], lu[col]
            perm[col], perm[pivot] = perm[pivot], perm[col]
            sign = -sign
        prow = lu[col]
        diag = prow[col]
        for r in range(col + 1, n):
            row = lu[r]
            factor = row[col] / diag
            row[col] = factor
            for c in range(col + 1, n):
                row[c] -= factor * prow[c]
    return lu, perm, sign


def lu_solve(lu, perm, b):
    n = len(lu)
    y = [0.0] * n
    for i in range(n):
        s = b[perm[i]]
        row = lu[i]
        for j in range(i):
            s -= row[j] * y[j]
        y[i] = s
    x = [0.0] * n
    for i in range(n - 1, -1, -1):
        s = y[i]
        row = lu[i]
        for j in range(i + 1, n):
            s -= row[j] * x[j]
        x[i] = s / row[i]
    return x


def determinant(lu, sign):
    det = sign
    for i in range(len(lu)):
        det *= lu[i][i]
    return det


def matvec(a, x):
    return [sum(r * v for r, v in zip(row, x)) for row in a]


def main():
    rng = random.Random(1234)
    checksum = 0.0
    worst = 0.0
    for _ in range(N):
        a = random_matrix(rng, SIZE, SIZE)
        b = random_matrix(rng, SIZE, SIZE)
        c = matmul(a, b)
        for i in range(SIZE):
            c[i][i] += SIZE  # keep it well conditioned
        lu, perm, sign = lu_decompose(c)
        rhs = [rng.uniform(-5.0, 5.0) for _ in range(SIZE)]
        x = lu_solve(lu, perm, rhs)
        residual = max(abs(p - q) for p, q in zip(matvec(c, x), rhs))
        worst = max(worst, residual)
        checksum += sum(x) + math.log(abs(determinant(lu, sign))) + sum(c[7])
    if worst > 1e-9:
        raise SystemExit(f"float_matrix: residual too large {worst}")
    result = round(checksum, 6)
    if result != EXPECTED:
        raise SystemExit(f"float_matrix: wrong result {result!r}")
    print(f"float_matrix: ok {result:.6f}")


if __name__ == "__main__":
    main()
