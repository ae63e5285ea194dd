"""pprint.pformat of a list of dicts of lists, tuples and dicts (PrettyPrinter's _safe_repr and line splitting).

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
import pprint
data = [{"key%d" % i: [i, (i, str(i)), {"n": list(range(i % 10))}]} for i in range(400)]
n = 0
for _ in range(120):
    n += len(pprint.pformat(data))

result = n
if result != 2668680:
    raise SystemExit("pprint_format: wrong result %r" % (result,))
print("pprint_format: ok", result)
