"""frame->prev_instr is stored lazily by compiled code (only before a call out, a dealloc or
an error exit), so everything that can look at a running frame's line must still see the
interpreter's: finalizers run by a release, tracemalloc's traceback of an allocation made
inline, tracebacks, and a frame object that outlives its call."""
import sys
import tracemalloc

from jitutil import run_both


class Noisy:
    lines = []

    def __del__(self):
        Noisy.lines.append(sys._getframe(1).f_lineno)


def releases():
    Noisy.lines = []
    a = Noisy()
    a = 1                      # STORE_FAST releases the old value
    Noisy()                    # POP_TOP
    x = Noisy()
    del x                      # DELETE_FAST
    pair = (Noisy(), 2)
    first, second = pair
    pair = None                # the tuple goes, first still holds its item
    first = second + a         # now the item goes
    return Noisy.lines


def test_finalizers_see_the_releasing_line():
    run_both(releases)


def allocations(n):
    x = 0.5
    out = []
    for i in range(n):
        y = x * 3.0 + i
        out.append(y)
        z = i * 1000003 + 7
        out.append(z)
    return len(out)


def _allocation_lines(func):
    first = func.__code__.co_firstlineno
    last = first + 10
    tracemalloc.start()
    try:
        func(3000)
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    lines = set()
    for stat in snapshot.statistics("lineno"):
        frame = stat.traceback[0]
        if frame.filename == __file__ and first <= frame.lineno <= last:
            lines.add(frame.lineno)
    return sorted(lines)


def tracemalloc_lines():
    return _allocation_lines(allocations)


def test_tracemalloc_attributes_inline_allocations_to_their_line():
    lines = run_both(tracemalloc_lines)
    assert lines, "no allocation was traced"


def keep(x):
    f = sys._getframe()
    x = x + 1
    return f


def escaped_frame_line():
    f = keep(1)
    return f.f_lineno, f.f_locals["x"], f.f_code.co_name


def test_escaped_frame_reports_the_return_line():
    run_both(escaped_frame_line)
