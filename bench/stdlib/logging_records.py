"""The logging package: a logger with a formatter and a stream handler writing warnings and errors (with %-style arguments and timestamps) while debug and info calls are filtered by level.

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
import io, logging
stream = io.StringIO()
h = logging.StreamHandler(stream)
h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
log = logging.getLogger("probe")
log.addHandler(h); log.setLevel(logging.WARNING); log.propagate = False
def run(n):
    for i in range(n):
        log.warning("warning %d %s", i, "x")
        log.debug("silent %d", i)
        log.info("silent")
        log.error("error %s", i)
for _ in range(9):
    stream.seek(0); stream.truncate()
    run(10000)

result = len(stream.getvalue().splitlines())
if result != 20000:
    raise SystemExit("logging_records: wrong result %r" % (result,))
print("logging_records: ok", result)
