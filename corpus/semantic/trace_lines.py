# sys.settrace line events (PEP 626 on 3.10+: one event per executed line):
# the sequence of (event, line relative to the function's first line) for
# functions with loops, constant conditions, dead code, try/except/finally,
# with, multi-line expressions, comprehensions and generators. Passes that
# merge, move or remove line-carrying instructions change these sequences.
# This file visibly installs a trace function, so not even -O3's
# no-frame-introspection assumption applies to it: every line must match
# (outside_observer.py covers tracing that the traced file cannot show).
from __future__ import print_function

import sys

events = []
TRACED = set()


def tracer(frame, event, arg):
    code = frame.f_code
    if code.co_name not in TRACED and code.co_name not in ("<listcomp>", "<genexpr>"):
        return None
    first = FIRSTS.get(code.co_name, code.co_firstlineno)
    events.append("%s %d" % (event[:4], frame.f_lineno - first))
    return tracer


def traced(fn, *args):
    del events[:]
    TRACED.add(fn.__name__)
    sys.settrace(tracer)
    try:
        result = fn(*args)
    except Exception as e:
        result = "raised %s" % type(e).__name__
    finally:
        sys.settrace(None)
        TRACED.discard(fn.__name__)
    print(fn.__name__, args, "->", result)
    print("   ", " ".join(events))


def loop_with_branches(n):
    total = 0
    for i in range(n):
        if i == 1:
            continue
        if i == 3:
            break
        total += i
    else:
        total = -1
    return total


def constant_conditions():
    x = 0
    if 1:
        x += 1
    if 0:
        x += 100
    while 0:
        x += 1000
    if not x:
        pass
    else:
        x += 10
    return x


def dead_after_return(flag):
    if flag:
        return "early"
        x = 1  # noqa: F841
    return "late"


def handlers(kind):
    try:
        if kind:
            raise ValueError(kind)
        r = "ok"
    except ValueError:
        r = "caught"
    finally:
        r += "+finally"
    return r


class Ctx(object):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


def with_block():
    with Ctx():
        a = 1
        raise KeyError(a)
    return "suppressed"


def multi_line(a, b):
    value = (
        a
        + b
    )
    result = max(
        value,
        10,
    )
    return result


def comprehension(n):
    squares = [i * i
               for i in range(n)]
    return sum(squares)


def generator_user():
    g = (x + 1 for x in range(2))
    return list(g)


def store_chain():
    a = b = 5
    c = a
    a = 7
    return a + b + c


def nested_loops():
    count = 0
    for i in range(2):
        for j in range(2):
            if i == j:
                continue
            count += 1
    return count


def while_true():
    n = 0
    while True:
        n += 1
        if n > 2:
            break
    return n


def uncaught():
    x = 1
    y = x - 1
    return x / y


FIRSTS = {}
for _f in (loop_with_branches, constant_conditions, dead_after_return, handlers,
           with_block, multi_line, comprehension, generator_user, store_chain,
           nested_loops, while_true, uncaught):
    FIRSTS[_f.__name__] = _f.__code__.co_firstlineno

traced(loop_with_branches, 5)
traced(loop_with_branches, 2)
traced(constant_conditions)
traced(dead_after_return, True)
traced(dead_after_return, False)
traced(handlers, "")
traced(handlers, "bad")
traced(with_block)
traced(multi_line, 1, 2)
traced(comprehension, 3)
traced(generator_user)
traced(store_chain)
traced(nested_loops)
traced(while_true)
traced(uncaught)
print("done")
