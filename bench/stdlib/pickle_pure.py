"""pickle's pure-Python _Pickler and _Unpickler (protocol 2) round-tripping nested dicts, tuples, lists, floats and strs.

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
import pickle, io
data = [{"a%d" % i: (i, float(i) / 3, "s" * (i % 7), [i, i + 1, None, True]), "k": {1: 2, 3: (4, 5)}} for i in range(300)]
blob = pickle.dumps(data, protocol=2)
def run():
    total = 0
    for _ in range(200):
        out = pickle._Unpickler(io.BytesIO(blob)).load()
        total += len(out)
        s = io.BytesIO(); pickle._Pickler(s, 2).dump(data); total += len(s.getvalue())
    return total

result = run()
if result != 4873200:
    raise SystemExit("pickle_pure: wrong result %r" % (result,))
print("pickle_pure: ok", result)
