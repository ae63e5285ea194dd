"""fractions.Fraction arithmetic: a running sum of products of fractions, reduced now and then (operator fallbacks, gcd, __new__).

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
import zlib
from fractions import Fraction as F
s = F(0)
for i in range(1, 250000):
    s += F(1, i * (i + 1)) * F(i % 7 + 1, 3)
    if i % 500 == 0: s = F(s.numerator % 10**12, s.denominator % 10**12 + 1)

result = zlib.crc32(str(s).encode())
if result != 3732830813:
    raise SystemExit("fractions_sum: wrong result %r" % (result,))
print("fractions_sum: ok", result)
