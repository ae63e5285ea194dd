"""Coroutines whose bodies run compiled, against the interpreter.

As for generators (test_generators.py), the interpreter creates the coroutine
(RETURN_GENERATOR) and every send() enters its machine code where it stopped: `await` is
GET_AWAITABLE, SEND and YIELD_VALUE; `async with` is BEFORE_ASYNC_WITH; `async for` is
GET_AITER, GET_ANEXT and END_ASYNC_FOR. Each test compares results, output, exceptions and
tracebacks with the interpreter (run_both), asserts that the coroutine functions were
compiled, and that their machine code really resumed them (stats()['generator_resumes']).
"""
import asyncio
import types

from jitutil import run_both_resumed


def run_coro_test(func, *args, coroutines=(), min_resumes=1):
    return run_both_resumed(func, *args, compiled=coroutines, min_resumes=min_resumes)


def drive(coro):
    """Runs a coroutine to completion by hand: what it yields, and what it returns."""
    yielded = []
    try:
        while True:
            yielded.append(coro.send(None))
    except StopIteration as e:
        return yielded, e.value


# ---- await chains -------------------------------------------------------------------------

@types.coroutine
def switch(tag):
    got = yield tag
    return got


async def fib(n):
    if n <= 1:
        await switch(n)
        return n
    return await fib(n - 1) + await fib(n - 2)


def test_await_chains_resume_compiled():
    run_coro_test(lambda: drive(fib(12)), coroutines=[fib, switch], min_resumes=200)


async def adder(values):
    total = 0
    for v in values:
        total += await switch(v)
    return total


def drive_send_values():
    c = adder([1, 2, 3])
    out = [c.send(None)]
    out.append(c.send(10))
    out.append(c.send(20))
    try:
        c.send(30)
    except StopIteration as e:
        out.append(("returned", e.value))
    try:
        c.send(None)
    except RuntimeError as e:
        out.append(str(e))                       # cannot reuse already awaited coroutine
    return out


def test_values_sent_into_awaits():
    run_coro_test(drive_send_values, coroutines=[adder])


# ---- errors of await ----------------------------------------------------------------------

class AwaitsCoroutine:
    def __await__(self):
        return fib(1)


class AwaitsNonIterator:
    def __await__(self):
        return 42


class AwaitsGenerator:
    def __await__(self):
        yield "from __await__"
        return "done"


async def awaits(obj):
    return await obj


async def awaits_twice():
    inner = fib(2)
    first = awaits(inner)
    first.send(None)                             # inner is now being awaited
    try:
        return await inner
    finally:
        first.close()


async def raises_stop_iteration():
    raise StopIteration(5)


def drive_await_errors():
    out = []
    for obj in (42, AwaitsCoroutine(), AwaitsNonIterator(), AwaitsGenerator(), [1]):
        try:
            out.append(drive(awaits(obj)))
        except TypeError as e:
            out.append(str(e))
    for c in (awaits_twice(), raises_stop_iteration()):
        try:
            out.append(drive(c))
        except RuntimeError as e:
            out.append((str(e), type(e.__cause__).__name__))
    return out


def test_await_errors_match_the_interpreter():
    run_coro_test(drive_await_errors, coroutines=[awaits, awaits_twice])


# ---- async with -----------------------------------------------------------------------------

class Manager:
    def __init__(self, log, suppress=False, bad_enter=False):
        self.log, self.suppress, self.bad_enter = log, suppress, bad_enter

    async def __aenter__(self):
        self.log.append("enter")
        await switch("entering")
        return self

    async def __aexit__(self, typ, val, tb):
        self.log.append(("exit", typ.__name__ if typ else None))
        await switch("exiting")
        return self.suppress


class BadEnter:
    def __aenter__(self):
        return 1

    async def __aexit__(self, *exc):
        return False


class NoExit:
    async def __aenter__(self):
        return self


class BadExit:
    async def __aenter__(self):
        return self

    def __aexit__(self, *exc):
        return 2


async def uses_managers(log):
    async with Manager(log) as m:
        log.append(type(m).__name__)
    try:
        async with Manager(log):
            raise KeyError("inside")
    except KeyError as e:
        log.append(repr(e))
    async with Manager(log, suppress=True):
        raise ValueError("suppressed")
    for bad in (BadEnter(), NoExit(), BadExit(), 3):
        try:
            async with bad:
                log.append("unreachable")
        except TypeError as e:
            log.append(str(e))
    return log


def test_async_with():
    run_coro_test(lambda: drive(uses_managers([])), coroutines=[uses_managers])


# ---- async for ------------------------------------------------------------------------------

class Ticker:
    def __init__(self, n, fail_at=None):
        self.i, self.n, self.fail_at = 0, n, fail_at

    def __aiter__(self):
        return self

    async def __anext__(self):
        await switch(self.i)
        self.i += 1
        if self.i == self.fail_at:
            raise LookupError("tick %d" % self.i)
        if self.i > self.n:
            raise StopAsyncIteration
        return self.i


class BadNext:
    def __aiter__(self):
        return self

    def __anext__(self):
        return 7                                 # not awaitable


class NoNext:
    def __aiter__(self):
        return 1


async def agen(n):
    for i in range(n):
        yield i * 10                             # an async generator: runs in the interpreter


async def uses_async_for(n):
    out = []
    async for t in Ticker(n):
        out.append(t)
    async for v in agen(3):
        out.append(v)
    out.append([t async for t in Ticker(2)])
    try:
        async for t in Ticker(n, fail_at=2):
            out.append(t)
    except LookupError as e:
        out.append(repr(e))
    for bad in (BadNext(), NoNext(), 5):
        try:
            async for t in bad:
                out.append(t)
        except TypeError as e:
            out.append((str(e), type(e.__cause__).__name__))
    return out


def test_async_for():
    run_coro_test(lambda: drive(uses_async_for(3)), coroutines=[uses_async_for])


async def fails_in_async_for():
    async for t in Ticker(3, fail_at=2):
        pass


def test_async_for_traceback():
    exc = run_coro_test(lambda: drive(fails_in_async_for()), coroutines=[fails_in_async_for])
    assert isinstance(exc, LookupError)


# ---- throw, close, introspection ------------------------------------------------------------

async def guarded(log):
    try:
        while True:
            try:
                await switch("waiting")
            except ValueError as e:
                log.append("caught %s" % e)
    finally:
        log.append("finally")


def drive_throw_close():
    log = []
    c = guarded(log)
    log.append(c.send(None))
    log.append(c.throw(ValueError("one")))       # through the await, into the coroutine
    log.append(c.send(None))
    log.append(c.cr_running)
    log.append(c.cr_suspended)
    log.append(c.cr_await is not None)
    log.append(c.cr_frame.f_code.co_name)
    c.close()
    log.append((c.cr_frame, c.cr_await, c.cr_suspended))
    return log


def test_throw_close_and_introspection():
    run_coro_test(drive_throw_close, coroutines=[guarded])


# ---- asyncio --------------------------------------------------------------------------------

async def worker(q, out):
    while True:
        item = await q.get()
        if item is None:
            q.task_done()
            return
        await asyncio.sleep(0)
        out.append(item * 2)
        q.task_done()


async def failing(n):
    await asyncio.sleep(0)
    raise ZeroDivisionError(n)


async def sleeper():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        return "cancelled"


async def main(n):
    q = asyncio.Queue()
    out = []
    workers = [asyncio.create_task(worker(q, out)) for _ in range(3)]
    for i in range(n):
        await q.put(i)
    for _ in workers:
        await q.put(None)
    await q.join()
    results = await asyncio.gather(failing(1), fib(6), return_exceptions=True)
    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    task.cancel()
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.001)
    except asyncio.TimeoutError:
        timed_out = True
    return sorted(out), [repr(r) for r in results], await task, timed_out


def test_asyncio_program():
    run_coro_test(lambda: asyncio.run(main(40)), coroutines=[main, worker, failing, sleeper],
                  min_resumes=40)
