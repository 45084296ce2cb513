# Constant conditions and dead branches. Code in a dead branch can still
# matter: an assignment there makes the name local (so reading it raises
# UnboundLocalError), a `yield` there makes the function a generator, a
# `global` there applies to the whole function. Code after return/raise/break
# is dead. Branches on single-assignment locals become constant after
# propagation.
from __future__ import print_function

counter = 0


def dead_assignment():
    if 0:
        x = 1
    return x  # noqa: F821 - x is local, never bound


def dead_generator():
    print("body runs only when iterated")
    if False:
        yield 1
    return


def dead_global():
    if 0:
        global counter
    counter = 10


def dead_yield_in_while():
    while 0:
        yield "never"
    yield "after"


def branches(n):
    out = []
    if 1:
        out.append("if 1")
    if 0:
        out.append("if 0")
    else:
        out.append("else of if 0")
    if True:
        out.append("if True")
    if not True:
        out.append("not True")
    if "":
        out.append("if ''")
    elif ():
        out.append("elif ()")
    elif "x":
        out.append("elif 'x'")
    if None:
        out.append("if None")
    if 2 > 1:
        out.append("2 > 1")
    if 1 if n else 0:
        out.append("conditional expression on n")
    while 0:
        out.append("while 0")
    while False:
        out.append("while False")
    else:
        out.append("else of while False")
    k = 0
    while 1:
        k += 1
        if k == 3:
            break
    out.append("while 1 ran %d" % k)
    while True:
        out.append("while True once")
        break
    else:
        out.append("never: else after break")
    return out


def propagated(flag):
    limit = 10
    mode = "fast"
    empty = ()
    if limit > 5:
        a = "limit > 5"
    else:
        a = "limit <= 5"
    if mode == "slow":
        b = "slow"
    elif mode == "fast":
        b = "fast"
    else:
        b = "other"
    if empty:
        c = "non-empty"
    else:
        c = "empty"
    if flag and limit:
        d = "flag and limit"
    else:
        d = "not both"
    return a, b, c, d, limit * 2


def after_return():
    return "returned"
    print("dead after return")  # noqa


def after_raise():
    try:
        raise ValueError("v")
        print("dead after raise")  # noqa
    except ValueError as e:
        return "caught " + str(e)


def after_break():
    out = []
    for i in range(3):
        out.append(i)
        break
        out.append("dead after break")  # noqa
    for i in range(3):
        continue
        out.append("dead after continue")  # noqa
    out.append(i)
    return out


def and_or_constants(x):
    # Constant operands mixed with a variable one.
    return (0 and x, 1 and x, 0 or x, 1 or x, x and 0, x or 0, not (0 and x))


def try_dead(code):
    try:
        if code == 1:
            return "one"
        if 0:
            raise KeyError("never")
    except KeyError:
        return "impossible"
    finally:
        print("finally of try_dead(%d)" % code)
    return "fell through"


try:
    dead_assignment()
except UnboundLocalError as e:
    print("dead_assignment:", type(e).__name__)
g = dead_generator()
print("dead_generator is a generator:", type(g).__name__)
print("list:", list(g))
dead_global()
print("counter after dead_global:", counter)
print("dead_yield_in_while:", list(dead_yield_in_while()))
print(branches(1))
print(branches(0))
print(propagated(True))
print(propagated(0))
print(after_return())
print(after_raise())
print(after_break())
print(and_or_constants(5))
print(and_or_constants(0))
print(try_dead(1))
print(try_dead(2))
print("done")
