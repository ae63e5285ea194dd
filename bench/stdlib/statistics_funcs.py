"""statistics.mean, stdev, median and fmean over a list of floats (exact fractions inside).

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
import statistics
data = [((i * 7919) % 1000) / 7 for i in range(4000)]
n = 0
for _ in range(200):
    n += statistics.mean(data) + statistics.stdev(data) + statistics.median(data) + statistics.fmean(data)

result = round(n, 6)
if result != 51063.173754:
    raise SystemExit("statistics_funcs: wrong result %r" % (result,))
print("statistics_funcs: ok", result)
