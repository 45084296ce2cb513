# pycopt-bench: min=3.8
"""Hot loops that look up builtins and module constants on every iteration,
and small helpers called many times: what assumptions about builtins and
final globals (pycopt --assume builtins,final-globals) and inlining open up."""

import pyperf

LIMIT = 1000
WEIGHTS = (3, 1, 4, 1, 5, 9, 2, 6)


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def norm(values):
    total = 0
    for v in values:
        total += abs(v) * WEIGHTS[len(values) % len(WEIGHTS)]
    return clamp(total, 0, LIMIT)


def work(rows):
    acc = 0
    for row in rows:
        acc += norm(row)
        acc += int(isinstance(row, list)) + len(str(len(row)))
        if acc > LIMIT * LIMIT:
            acc = 0
    return acc


def run(loops, rows):
    t0 = pyperf.perf_counter()
    for _ in range(loops):
        work(rows)
    return pyperf.perf_counter() - t0


if __name__ == "__main__":
    runner = pyperf.Runner()
    runner.argparser.add_argument("--n", type=int, default=4000)
    args = runner.parse_args()
    rows = [[(i * j) % 17 - 8 for j in range(i % 7 + 1)] for i in range(args.n)]
    runner.bench_time_func("builtins_and_globals", run, rows)
