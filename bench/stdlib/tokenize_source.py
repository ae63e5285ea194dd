"""tokenize.generate_tokens over 40 copies of this file's own source, 120 times (a generator driven by regular expressions).

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
import tokenize, io
src = open(__file__).read() * 40
n = 0
for _ in range(120):
    n += sum(1 for _ in tokenize.generate_tokens(io.StringIO(src).readline))

result = n
if result != 427320:
    raise SystemExit("tokenize_source: wrong result %r" % (result,))
print("tokenize_source: ok", result)
