# async with, async for, async generators (asend/athrow/aclose), async
# comprehensions and await inside them, all driven by hand without asyncio:
# __aenter__/__aexit__ order, suppression in __aexit__, exceptions and
# early exits (return/break) through async with and async for.
# requires: 3.6
log = []


class Tick:
    def __init__(self, tag):
        self.tag = tag

    def __await__(self):
        log.append("tick " + str(self.tag))
        return (yield self.tag)


class ACM:
    def __init__(self, name, suppress=False):
        self.name = name
        self.suppress = suppress

    async def __aenter__(self):
        await Tick("aenter " + self.name)
        log.append("enter " + self.name)
        return self.name.upper()

    async def __aexit__(self, typ, value, tb):
        await Tick("aexit " + self.name)
        log.append("exit %s %s" % (self.name, typ.__name__ if typ else None))
        return self.suppress


class ARange:
    def __init__(self, n):
        self.n = n
        self.i = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        await Tick("anext %d" % self.i)
        self.i += 1
        return self.i - 1


def run(coro):
    """Runs a coroutine to completion, answering every yield with None."""
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        return e.value


def show(label, coro_fn):
    del log[:]
    try:
        r = run(coro_fn())
    except Exception as e:
        r = "raised %s" % type(e).__name__
    print(label, "->", r)
    print("   ", log)


async def plain():
    async with ACM("a") as name:
        log.append("body " + name)
    return "ok"


async def suppressed():
    async with ACM("s", suppress=True):
        raise ValueError
    return "after suppressed"


async def not_suppressed():
    async with ACM("n"):
        raise KeyError


async def return_from_async_with():
    async with ACM("r"):
        async with ACM("inner"):
            return "returned"


async def loop():
    out = []
    async for i in ARange(5):
        if i == 1:
            continue
        if i == 3:
            break
        out.append(i)
    else:
        out.append("no else after break")
    async for i in ARange(1):
        out.append("second loop %d" % i)
    else:
        out.append("else")
    return out


async def agen(n):
    try:
        for i in range(n):
            got = yield i
            log.append("agen got %r" % (got,))
            await Tick("agen %d" % i)
    except KeyError:
        log.append("agen caught KeyError")
        yield "recovered"
    finally:
        log.append("agen finally")


async def use_agen():
    out = []
    async for v in agen(3):
        out.append(v)
    g = agen(5)
    out.append(await g.__anext__())
    out.append(await g.asend("sent"))
    out.append(await g.athrow(KeyError))
    await g.aclose()
    return out


async def comprehensions():
    a = [i async for i in ARange(3)]
    b = [await Tick(i) for i in range(2)]
    c = [i async for i in ARange(4) if i % 2]
    return a, b, c


show("plain", plain)
show("suppressed", suppressed)
show("not suppressed", not_suppressed)
show("return from async with", return_from_async_with)
show("async for", loop)
show("async generator", use_agen)
show("async comprehensions", comprehensions)
print("done")
