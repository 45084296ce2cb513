# pycopt-bench: min=3.8
"""Branches and jumps: jumps to jumps, constant conditions, chained
comparisons and boolean operators, early returns and dead stores; what
jump threading, branch folding and dead-code elimination act on."""

import pyperf

DEBUG = False
TRACE = 0


def classify(x):
    if DEBUG:
        print("classify", x)
    if x < 0:
        if x < -100:
            return 0
        else:
            return 1
    elif x == 0:
        return 2
    elif 0 < x < 10:
        return 3
    elif x < 100 and not (x % 2 == 0 and x % 3 == 0):
        return 4
    else:
        return 5


def scan(data):
    counts = [0] * 6
    for x in data:
        unused = x * 2
        counts[classify(x)] += 1
        while True:
            if x > 50 or x < -50:
                break
            x += 25
        if TRACE:
            print(unused)
    return counts


def loop_else(n):
    found = 0
    for i in range(n):
        for j in (2, 3, 5, 7):
            if i % j == 0:
                break
        else:
            found += 1
    return found


def run(loops, data, n):
    t0 = pyperf.perf_counter()
    for _ in range(loops):
        scan(data)
        loop_else(n)
    return pyperf.perf_counter() - t0


if __name__ == "__main__":
    runner = pyperf.Runner()
    runner.argparser.add_argument("--n", type=int, default=20000)
    args = runner.parse_args()
    data = [((i * 7919) % 401) - 200 for i in range(args.n)]
    runner.bench_time_func("control_flow", run, data, args.n)
