"""copy.deepcopy of a dict holding instances of a plain class, lists, tuples and nested dicts (the memo, dispatch table and __reduce_ex__ paths).

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
import copy
class A:
    def __init__(self, i): self.i = i; self.l = [i, str(i), (i, i)]; self.d = {"x": i}
data = {"list": [A(i) for i in range(50)], "t": tuple(range(30)), "s": "abc", "n": {"a": [1, 2, {"b": 3}]}}
n = 0
for _ in range(3000):
    n += len(copy.deepcopy(data)["list"])

result = n
if result != 150000:
    raise SystemExit("copy_deepcopy: wrong result %r" % (result,))
print("copy_deepcopy: ok", result)
