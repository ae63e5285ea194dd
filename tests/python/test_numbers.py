"""Inline int and float arithmetic against the interpreter: values at the edges of the
inline paths (one and two 30-bit digits, 2**60, 64-bit results), every inline operator
with negative operands, zero divisors, shift counts out of range, int/float mixtures,
NaN, infinities and -0.0, and float temporaries reused for results (never a float that
anything else can see)."""
import math

from jitutil import run_both, run_both_warm

EDGES = [0, 1, -1, 2, -2, 3, 7, -7, 255, 256, 257, -5, -6,
         2 ** 30 - 1, 2 ** 30, -(2 ** 30), 2 ** 31, 2 ** 32 - 1, 2 ** 32,
         2 ** 53 + 1, 2 ** 59, 2 ** 60 - 1, 2 ** 60, -(2 ** 60) + 1, -(2 ** 60),
         2 ** 62, 2 ** 63 - 1, -(2 ** 63), 2 ** 64, 10 ** 30, -(10 ** 30), True, False]


def int_ops(values):
    out = []
    for a in values:
        for b in values:
            row = [a + b, a - b, a * b, a & b, a | b, a ^ b]
            shift = b if -2 <= b <= 70 else 3  # huge counts would allocate gigabytes
            for f in (lambda: a // b, lambda: a % b, lambda: a << shift, lambda: a >> shift,
                      lambda: a >> b if b > 0 else 0, lambda: a / b):
                try:
                    row.append(f())
                except (ZeroDivisionError, ValueError, OverflowError, MemoryError) as e:
                    row.append(type(e).__name__)
            out.append(row)
    return out


def shifts(values):
    out = []
    for a in values:
        for s in (0, 1, 29, 30, 31, 33, 60, 62, 63, 64, 65, 100):
            out.append((a << s, a >> s))
    return out


def test_int_operators_at_the_edges():
    small = [v for v in EDGES if not isinstance(v, int) or abs(v) < 2 ** 64] + [10 ** 30]
    run_both(int_ops, small)


def test_shifts_across_the_64_bit_boundary():
    run_both(shifts, [0, 1, -1, 3, -3, 2 ** 30 + 5, -(2 ** 40), 2 ** 59 - 1])


def inplace_ops(n):
    acc, mask, h = 0, 0xFFFFFFFF, 2166136261
    for i in range(n):
        acc += i * i
        acc -= i // 3
        acc %= 1000003
        h ^= i
        h = (h * 16777619) & mask
        h = ((h << 5) | (h >> 27)) & mask
    return acc, h


def test_inplace_loops_of_two_digit_ints():
    run_both(inplace_ops, 5000)


class Loud(int):
    def __add__(self, other):
        return ("Loud.__add__", int(self), other)

    def __rmod__(self, other):
        return ("Loud.__rmod__", other, int(self))


def multi_digit_site(pairs):
    """One site each, fed multi-digit ints (int's own slot, past the inline path) first,
    then bools, an int subclass with operator methods, floats and a zero divisor."""
    out = []
    for a, b in pairs:
        row = []
        for f in (lambda: a + b, lambda: a % b, lambda: a >> b, lambda: a * b - b):
            try:
                row.append(f())
            except (ZeroDivisionError, ValueError, TypeError) as e:
                row.append((type(e).__name__, str(e)))
        out.append(row)
    return out


def test_multi_digit_ints_then_other_types_at_the_same_sites():
    big = [(2 ** 64 + k, 2 ** 40 + 3 * k) for k in range(50)]
    rest = [(True, 3), (2 ** 70, Loud(5)), (Loud(2 ** 65), 7), (2 ** 80, 0), (2 ** 80, -1),
            (10 ** 30, 2.5), (2 ** 64, 2 ** 64)]
    run_both(multi_digit_site, big + rest + big)


FLOATS = [0.0, -0.0, 1.5, -2.25, 1e300, -1e300, 1e-310, math.inf, -math.inf, math.nan,
          3, -4, 0, 2 ** 53 + 1, 2 ** 60, -(2 ** 61), 10 ** 20]


def float_ops(values):
    out = []
    for a in values:
        for b in values:
            row = []
            for f in (lambda: a + b, lambda: a - b, lambda: a * b, lambda: a / b,
                      lambda: a * 2, lambda: 2 * a, lambda: a / 3, lambda: 1 / a,
                      lambda: a + 1, lambda: a - 0.5):
                try:
                    r = f()
                    row.append(repr(r) if isinstance(r, float) else r)
                except (ZeroDivisionError, OverflowError) as e:
                    row.append(type(e).__name__)
            out.append(row)
    return out


def test_float_operators_with_ints_nan_inf_and_negative_zero():
    run_both(float_ops, FLOATS)


class MyInt(int):
    pass


class MyFloat(float):
    pass


def float_int_site(pairs):
    """One site fed a float with an int on either side (one, two and three digits, around
    2**53 where the conversion rounds), then bools, int and float subclasses, zero
    divisors and a str; a float temporary on the left (a result nothing else holds)."""
    out = []
    for a, b in pairs:
        row = []
        for f in (lambda: a + b, lambda: a - b, lambda: a * b, lambda: a / b,
                  lambda: (a * 1.0) - b, lambda: b / (a + 0.0)):
            try:
                r = f()
                row.append((type(r).__name__, repr(r)))
            except (ZeroDivisionError, OverflowError, TypeError) as e:
                row.append((type(e).__name__, str(e)))
        out.append(row)
    return out


def test_floats_with_ints_of_any_size_and_type_at_one_site():
    ints = [0, 1, -7, 2 ** 30 - 1, 2 ** 30, -(2 ** 31) - 3, 2 ** 53 - 1, 2 ** 53 + 1,
            2 ** 60 - 1, -(2 ** 60) + 1, 2 ** 62 + 1, 10 ** 20]
    floats = [0.5, -0.0, 3.25, math.nan, math.inf, 1e308]
    pairs = [(f, i) for f in floats for i in ints] + [(i, f) for f in floats for i in ints]
    odd = [(1.5, True), (False, 2.0), (MyInt(3), 0.5), (0.5, MyInt(-2)), (MyFloat(1.5), 4),
           (4, MyFloat(0.25)), (2.0, "s"), (0.0, 0), (1, 0.0)]
    run_both(float_int_site, pairs + odd + pairs)


def float_int_compares(pairs):
    """Floats against ints on either side (both of unknown types, and constants), all six
    operators, alone and fused with jumps."""
    out = []
    for a, b in pairs:
        row = [a < b, a <= b, a == b, a != b, a > b, a >= b]
        if a < b:
            row.append("lt")
        if not a >= b:
            row.append("not ge")
        if a == b:
            row.append("eq")
        row += [a < 0, a >= 1, 0 < a, -3 == a, a != 2 ** 40, 2 ** 50 > a]
        out.append(row)
    return out


def test_floats_compared_with_ints_of_any_size_and_type():
    ints = [0, 1, -1, 2, -3, 2 ** 40, 2 ** 48 - 1, 2 ** 48, 2 ** 48 + 1, -(2 ** 48) - 1,
            2 ** 53, 2 ** 53 + 1, 2 ** 60 - 1, 2 ** 62 + 1, -(10 ** 20)]
    floats = [0.0, -0.0, 0.5, -1.0, 2.0, float(2 ** 48), float(2 ** 48) + 2, float(2 ** 53),
              float(2 ** 53 + 2), 1e20, math.nan, math.inf, -math.inf]
    pairs = [(f, i) for f in floats for i in ints] + [(i, f) for f in floats for i in ints]
    odd = [(0.5, True), (True, 1.0), (MyInt(3), 3.0), (3.0, MyInt(3)), (MyFloat(2.0), 2),
           (2, MyFloat(2.5)), (1.0, "s")]
    run_both(float_int_compares, pairs + odd[:-1] + pairs)
    run_both(float_int_compares, pairs[:10] + odd[-1:])  # TypeError for '<' with a str


def temporaries(n):
    keep = []
    x, v, dt = 0.0, 1.0, 0.001
    for i in range(n):
        a = -x * 4.0 - 0.1 * v          # temporaries take results
        v += a * dt
        x += v * dt
        t = x * v
        keep.append(t)                   # a result that escapes: never written again
        keep.append(t + 0.0)
        same = x * 1.0
        alias = same
        same = same + 1.0                # `alias` still sees the old value
        keep.append((alias, same))
    return x, v, keep[-6:], len(keep)


def test_float_temporaries_reused_only_when_nothing_else_holds_them():
    run_both(temporaries, 2000)


def mixed_compare(values):
    return [(a < b, a <= b, a == b, a != b, a > b, a >= b) for a in values for b in values]


def test_comparisons_of_two_digit_ints():
    run_both(mixed_compare, [0, 1, -1, 2 ** 30, -(2 ** 30), 2 ** 59, -(2 ** 59), 2 ** 60,
                             2 ** 61, -(2 ** 62), 10 ** 20])


def constant_operands(values):
    out = []
    for x in values:
        row = [x + 1, x - 3, x * 7, x * -2, 3 * x, x & 0xFF, x | 8, x ^ -1, x << 3, x << 40,
               x >> 2, x >> 100, x // 10, x % 10, x // -3, x % -3, x // 8, x % 8, x // 1,
               x % 1, x < 5, 5 < x, x == 0, 0 != x, x >= -7, -7 >= x, 2 ** 31 - 1 + x]
        out.append(row)
    return out


def test_constant_int_operands_as_immediates():
    run_both(constant_operands, [0, 1, -1, 7, -7, 10, -10, 255, 2 ** 30, -(2 ** 30) - 5,
                                 2 ** 59, -(2 ** 59), 2 ** 61, 10 ** 20, -(10 ** 20), True])


# ---- str + / += stored back into the same local: appended in place ----------------------

def concat_in_place(n):
    s = ""
    t = "start"
    kept = []
    for i in range(n):
        s += str(i)                 # += into the same local
        t = t + "."                 # + stored back into its left operand
        if i % 7 == 0:
            alias = s               # another reference: s must not change under it
            s += "!"
            kept.append(alias)
        if i % 11 == 0:
            kept.append([s, s])     # copies on the stack and in a list
            s += "?"
        u = s
        u += u                      # the right operand is the same local
        kept.append(len(u))
        w = "w"
        w = w + s[:3] + w           # the left operand of the second + is not w
        kept.append(w)
        # the left operand materialised at a branch: in place only when it is the local's
        # string itself, as ceval checks at run time
        s += "a" if i % 2 else "b"
        alias = s
        s += "c" if i % 3 else "d"  # alias must keep its value
        kept.append(alias)
        v = s if i % 5 else "other"
        s = v + ("e" if i % 2 else "f")  # a temporary that is sometimes s's string
        w = (w if i % 4 else s) + ("x" if i else "y")
        kept.append(w)
    try:
        s += 5
    except TypeError as e:
        kept.append(str(e))
    b = b"x"
    b += b"y"                       # not str: the ordinary path
    x = 1.5
    x += 2                          # numbers on the same site shape
    return s, t, kept, b, x


def test_str_concatenation_in_place():
    run_both(concat_in_place, 60)
    run_both_warm(concat_in_place, (20,), 60)


def concat_into_one_site(values):
    acc = values[0]
    for v in values[1:]:
        acc += v                    # str, then list, then int: one site, any operands
    return acc


def test_in_place_site_sees_other_types():
    for values in (["a", "b", "c"], [[1], [2], [3]], [1, 2, 3], ["a", 1]):
        run_both(concat_into_one_site, values)
