# Jump chains and dead code: nested `and`/`or`/`not` conditions over every
# combination of inputs (branch-to-branch threading), chained conditional
# expressions, handlers that can never run (`try: pass`), code after
# infinite loops and after return in every branch, empty bodies, expression
# statements with no effect (`None`, `...`, a number, a string), and
# `pass`-only branches.
from __future__ import print_function

import itertools


def condition_table():
    rows = []
    for a, b, c, d in itertools.product((0, 1), repeat=4):
        r = 0
        if a and (b or c) and not d:
            r |= 1
        if (a or b) and (c or d):
            r |= 2
        if not (a and b) or (c and not d):
            r |= 4
        while a and not b:
            r |= 8
            break
        x = "p" if a else "q" if b else "r" if c else "s"
        y = (a and "A") or (b and "B") or "none"
        rows.append("%d%d%d%d:%d%s%s" % (a, b, c, d, r, x, y))
    return " ".join(rows)


def never_raising_body():
    out = []
    try:
        pass
    except Exception:
        out.append("handler for an empty body")
    try:
        x = 1
        y = "two"
    except NameError:
        out.append("handler for constant stores")
    else:
        out.append("else %d %s" % (x, y))
    try:
        pass
    finally:
        out.append("finally of an empty body")
    return out


def after_infinite_loop(n):
    i = 0
    while True:
        i += 1
        if i >= n:
            return "returned at %d" % i
    return "dead after while True"  # noqa


def all_branches_return(v):
    if v > 0:
        return "positive"
    elif v < 0:
        return "negative"
    else:
        return "zero"
    return "dead"  # noqa


def empty_bodies(flag):
    for _ in range(3):
        pass
    while flag:
        flag -= 1
    if flag:
        pass
    else:
        pass
    try:
        pass
    except ValueError:
        pass
    return "empty bodies done, flag %d" % flag


def no_effect_statements():
    None
    Ellipsis
    1
    "a string statement, not a docstring"
    (1, 2)
    -5
    return "no-effect statements done"


def jump_to_jump(items):
    count = 0
    for item in items:
        if item:
            if item > 2:
                continue
            else:
                count += item
        else:
            continue
    return count


def short_circuit_side_effects():
    calls = []

    def t(v):
        calls.append(v)
        return v
    r1 = t(0) and t(1) and t(2)
    r2 = t(1) and t(0) or t(3) and t(4)
    r3 = not (t(5) or t(6))
    return r1, r2, r3, calls


print(condition_table())
print(never_raising_body())
print(after_infinite_loop(3))
print([all_branches_return(v) for v in (5, -5, 0)])
print(empty_bodies(2))
print(no_effect_statements())
print(jump_to_jump([0, 1, 2, 3, 4, 2]))
print(short_circuit_side_effects())
print("done")
