# pycopt-sample: min=3.6
"""Python 3.6: f-strings, async/await, async generators and comprehensions,
annotations, keyword-only arguments, nonlocal, yield from, unpacking.
Coroutines are driven by hand (no event loop), so the output is fixed."""

import math

WIDTH = 10
PRECISION = 3
LIMIT = 1_000_000  # underscores in numeric literals (3.6)


class Tick:
    """An awaitable that suspends once and resumes with a value."""

    def __init__(self, value):
        self.value = value

    def __await__(self):
        got = yield ("tick", self.value)
        return self.value if got is None else got


async def double_after_tick(n):
    value = await Tick(n)
    return 2 * value


async def ticker(count):
    """An async generator (3.6)."""
    for i in range(count):
        yield await Tick(i * i)


async def gather(count):
    squares = [v async for v in ticker(count) if v % 2 == 0]
    doubled = [await double_after_tick(v) for v in squares]
    total = 0
    async for v in ticker(3):
        total += v
    return squares, doubled, total


def run(coro):
    """Drive a coroutine to completion, counting its suspensions."""
    suspensions = 0
    try:
        while True:
            coro.send(None)
            suspensions += 1
    except StopIteration as stop:
        return stop.value, suspensions


def fstrings():
    name, value, items = "pycopt", math.pi, ["a", "b", "c"]
    accent = "caf\u00e9"
    rows = [
        f"plain {name}",
        f"{name!r:>{WIDTH}}|{name!s:<{WIDTH}}|{accent!a}",
        f"{value:.{PRECISION}f} {value:{WIDTH}.2e} {LIMIT:,} {LIMIT:#x}",
        f"{{braces}} {len(items)} {', '.join(items)} {items[-1]!r}",
        f"{'nested ' + f'{value:.1f}'} {3 if value > 3 else 4} {(lambda x: x * 2)(21)}",
        f"""{
            name.upper()
        }""" f" and {name[::-1]}" "!",
    ]
    for row in rows:
        print(row)


def keyword_only(a, *, scale=2, shift: int = 0) -> int:
    return a * scale + shift


def accumulator():
    total = 0

    def add(x):
        nonlocal total
        total += x
        return total
    return add


def delegate():
    yield from range(3)
    result = yield from inner()
    yield result


def inner():
    yield "inner"
    return "returned"


class Plugin:
    registry = []

    def __init_subclass__(cls, tag="?", **kwargs):
        super().__init_subclass__(**kwargs)
        Plugin.registry.append((cls.__name__, tag))


class Alpha(Plugin, tag="a"):
    pass


class Beta(Plugin):
    pass


def unpacking():
    first, *middle, last = range(6)
    merged = {**{"a": 1, "b": 2}, "b": 3, **{"c": 4}}
    combined = [*range(2), *"xy", *middle]
    print(first, middle, last, merged, combined, *combined[:2], sep=" | ")


def chained_exceptions():
    try:
        try:
            {}["key"]
        except KeyError as e:
            raise ValueError("lookup failed") from e
    except ValueError as e:
        print(type(e.__cause__).__name__, e, e.__suppress_context__)


def main():
    fstrings()
    print(run(double_after_tick(21)))
    print(run(gather(6)))
    count: int = 3
    ratio: float
    print(keyword_only(5), keyword_only(5, scale=3, shift=count), count)
    print(sorted(keyword_only.__annotations__), "ratio" in locals())
    add = accumulator()
    add(5)
    print(add(10), list(delegate()))
    print(Plugin.registry)
    unpacking()
    chained_exceptions()


if __name__ == "__main__":
    main()
