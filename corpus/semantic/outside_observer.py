# Functions with constant locals, dead stores of constants and foldable
# branches, observed from another module (semantic_pkg.observer: a trace
# function, a caller's-locals peek, traceback frame locals). Nothing in this
# file shows the introspection, so -O3's no-frame-introspection assumption
# applies here: the line events and locals it reports ("~line-events:",
# "~frame-locals:") may change under -O3, and must not at -O0..-O2 and -Os.
# The functions' results must never change.
# observes: line-events frame-locals
from __future__ import print_function

from semantic_pkg import observer


def constant_locals(n):
    width = 80
    unused = "dead constant"
    height = width // 4
    if width > 50:
        mode = "wide"
    else:
        mode = "narrow"
    return height * n, mode


def peeking():
    limit = 3
    label = "never read again"
    seen = observer.peek()
    return limit, seen


def failing(x):
    scale = 2
    note = "dead before the failure"
    return scale * x["missing"]


def loop_with_constant(n):
    step = 2
    total = 0
    for i in range(n):
        total += step * i
    return total


for fn, args in ((constant_locals, (3,)), (loop_with_constant, (4,))):
    result, events, at_return = observer.watch(fn, *args)
    print(fn.__name__, "->", result)
    print("~line-events:", events)
    print("~frame-locals:", at_return)
limit, seen = peeking()
print("peeking ->", limit)
print("~frame-locals:", seen)
print("~frame-locals:", observer.locals_at_failure(failing, {}))
print("done")
