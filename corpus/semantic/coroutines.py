# Coroutines driven by hand (no asyncio): await on custom awaitables that
# yield to the driver, values sent back in, exceptions thrown in, close(),
# return values through StopIteration, try/finally across awaits, await in
# loops and handlers, types.coroutine generators, cr_frame after completion.
# requires: 3.6
import types


class Suspend:
    """Awaitable that yields `tag` to the driver and returns what it sends."""

    def __init__(self, tag):
        self.tag = tag

    def __await__(self):
        got = yield self.tag
        return "%s->%s" % (self.tag, got)


@types.coroutine
def raw_yield(value):
    got = yield value
    return got


def drive(coro, script=()):
    """Send None first, then the items of script; 'throw:X' throws X()."""
    trace = []
    script = list(script)
    value = None
    method = "send"
    while True:
        try:
            if method == "send":
                yielded = coro.send(value)
            else:
                yielded = coro.throw(value)
        except StopIteration as e:
            trace.append("return %r" % (e.value,))
            return trace
        except Exception as e:
            trace.append("raised %s %s" % (type(e).__name__, e))
            return trace
        trace.append("yielded %r" % (yielded,))
        item = script.pop(0) if script else "x%d" % len(trace)
        if isinstance(item, str) and item.startswith("throw:"):
            method, value = "throw", {"ValueError": ValueError, "KeyError": KeyError}[item[6:]]("thrown")
        else:
            method, value = "send", item


async def simple():
    a = await Suspend("a")
    b = await Suspend("b")
    return a + "|" + b


async def in_loop(n):
    total = []
    for i in range(n):
        total.append(await Suspend(i))
        if i == 1:
            continue
    return total


async def with_handlers():
    log = []
    try:
        await Suspend("try")
        log.append("after first await")
        await Suspend("second")
    except ValueError as e:
        log.append("caught %s" % e)
        got = await Suspend("in handler")
        log.append(got)
    finally:
        log.append("finally")
        await Suspend("in finally")
    return log


async def awaits_coroutine():
    inner = await simple()
    direct = await raw_yield("raw")
    return inner, direct


async def never_suspends(x):
    if x:
        return "immediate %s" % x
    return None


def close_it():
    log = []

    async def body():
        try:
            await Suspend("first")
            log.append("not reached")
        finally:
            log.append("finally on close")

    c = body()
    c.send(None)
    c.close()
    log.append("frame after close: %s" % (c.cr_frame is None))
    return log


def finished_frame():
    c = never_suspends(1)
    try:
        c.send(None)
    except StopIteration as e:
        result = e.value
    return result, c.cr_frame is None


print(drive(simple()))
print(drive(simple(), ["one", "two"]))
print(drive(in_loop(3)))
print(drive(with_handlers()))
print(drive(with_handlers(), ["s1", "throw:ValueError", "s3"]))
print(drive(with_handlers(), ["throw:KeyError", "s2"]))
print(drive(awaits_coroutine(), [1, 2, 3]))
print(drive(never_suspends(5)))
print(drive(never_suspends(0)))
print(close_it())
print(finished_frame())
print("done")
