"""difflib.unified_diff of two line lists and SequenceMatcher.ratio of two joined texts.

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
import difflib
a = [("line %d " % (i * 7 % 101)) * (i % 5 + 1) for i in range(600)]
b = [x if i % 9 else x + "!" for i, x in enumerate(a)]
n = 0
for _ in range(600):
    n += len(list(difflib.unified_diff(a, b)))
    n += int(difflib.SequenceMatcher(None, "".join(a[:80]), "".join(b[:80])).ratio() * 1000)

result = n
if result != 666600:
    raise SystemExit("difflib_diff: wrong result %r" % (result,))
print("difflib_diff: ok", result)
