# pycopt-bench: min=3.8
"""Asserts on hot paths and docstrings everywhere: what CPython's -O/-OO
remove, and what pycopt --strip asserts,docstrings removes without running
the interpreter in -O mode."""

import pyperf


class Vector:
    """A 2-D vector."""

    __slots__ = ("x", "y")

    def __init__(self, x, y):
        """Make a vector."""
        assert isinstance(x, (int, float)), "x must be a number"
        assert isinstance(y, (int, float)), "y must be a number"
        self.x = x
        self.y = y

    def add(self, other):
        """Sum of two vectors."""
        assert isinstance(other, Vector)
        return Vector(self.x + other.x, self.y + other.y)

    def dot(self, other):
        """Dot product."""
        assert isinstance(other, Vector)
        return self.x * other.x + self.y * other.y


def walk(n):
    """Add up vectors."""
    pos = Vector(0, 0)
    step = Vector(1, 2)
    total = 0
    for i in range(n):
        assert i >= 0
        pos = pos.add(step)
        total += pos.dot(step)
    return total


def run(loops, n):
    """Timed loop."""
    t0 = pyperf.perf_counter()
    for _ in range(loops):
        walk(n)
    return pyperf.perf_counter() - t0


if __name__ == "__main__":
    runner = pyperf.Runner()
    runner.argparser.add_argument("--n", type=int, default=10000)
    args = runner.parse_args()
    runner.bench_time_func("docstrings_asserts", run, args.n)
