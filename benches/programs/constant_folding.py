# pycopt-bench: min=3.8
"""Arithmetic on constants in hot code: what constant folding and propagation
remove. CPython folds `2 * 3` itself, but not through names bound once to a
constant, not `-(x)` chains through locals, and not `len("...")`."""

import pyperf

SECONDS_PER_DAY = 24 * 60 * 60
SCALE = 3
OFFSET = SCALE * 7 + 1


def mix(n):
    """Integer work with local names that hold constants."""
    width = 8
    height = width * 2
    area = width * height
    mask = (1 << width) - 1
    total = 0
    for i in range(n):
        k = i & mask
        total += k * area + (k ^ mask) - height
        total += SECONDS_PER_DAY // 3600 + OFFSET * SCALE
        if total > 10 ** 9:
            total -= 10 ** 9
    return total


def floats(n):
    half = 1 / 2
    third = 1.0 / 3.0
    pi = 3.141592653589793
    acc = 0.0
    for i in range(n):
        x = i * half
        acc += x * third - pi * half + (2.0 ** 0.5) * third
    return acc


def strings(n):
    sep = ", "
    prefix = "item" + "-" + "x"
    out = 0
    for i in range(n):
        out += len(prefix) + len(sep) * 2
        out += len("abc" * 3)
    return out


def run(loops, n):
    t0 = pyperf.perf_counter()
    for _ in range(loops):
        total = mix(n)
        assert total >= 0
        floats(n)
        strings(n)
    return pyperf.perf_counter() - t0


if __name__ == "__main__":
    runner = pyperf.Runner()
    runner.argparser.add_argument("--n", type=int, default=20000)
    args = runner.parse_args()
    runner.bench_time_func("constant_folding", run, args.n)
