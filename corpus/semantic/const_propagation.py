# Single-assignment locals (constant propagation candidates) next to look-alikes
# that must not be propagated: a store that does not dominate the load, a
# store inside a loop read before it on the next iteration, a deleted local,
# an argument, a cell, a mutable value, a value read in a handler, and a
# store that is also an augmented assignment. Folding after propagation must
# keep numeric semantics (-0.0, big ints, division by zero raising at run time).
from __future__ import print_function


def rt(v):
    return v


def simple():
    width = 80
    height = 25
    title = "term"
    area = width * height
    return area, title + "inal", width // -7, -width % 7


def float_zero():
    z = -0.0
    p = 0.0
    return repr(z), repr(p), repr(z + p), repr(z * 1), repr(-z), z == p


def big_values():
    big = 2 ** 100
    neg = -7
    return big // neg, big % neg, big >> 90, neg ** 2, neg ** -1


def division_by_zero_constant():
    zero = 0
    try:
        return 10 // zero
    except ZeroDivisionError:
        return "10 // zero raised at run time"


def not_dominating(flag):
    if flag:
        k = 5
    try:
        return k + 1
    except NameError as e:
        return type(e).__name__


def loop_carried(n):
    out = []
    for i in range(n):
        if i > 0:
            out.append(prev)  # noqa: F821 - bound by the previous iteration
        prev = "iteration %d" % i
    return out


def argument(a=1):
    return a * 2


def reassigned_argument(a):
    a = 3
    return a + 1


def cell_constant():
    c = 42

    def read():
        return c
    return read()


def mutable_value():
    items = []
    items.append(1)
    same = items
    same.append(2)
    return items


def tuple_constant():
    t = (1, 2, 3)
    u = t
    return t is u, t + (4,), len(t), t[-1]


def read_in_handler():
    marker = "set before try"
    try:
        rt(1) / rt(0)
    except ZeroDivisionError:
        return marker


def augmented():
    n = 10
    n += 5
    return n


def conditional_expression():
    mode = "debug"
    level = 1 if mode == "debug" else 2
    return level


def in_while():
    limit = 3
    count = 0
    while count < limit:
        count += 1
    return count


def shadowed_by_except():
    e = "not an exception"
    try:
        raise KeyError("k")
    except KeyError as e:  # noqa: F841
        pass
    try:
        return e
    except NameError as err:
        return type(err).__name__


def string_ops():
    sep = ", "
    parts = ("a", "b")
    word = "ab"
    return sep.join(parts), word * 3, word[::-1], len(word), word in "xaby"


def bool_constants():
    on = True
    off = False
    return on + on, on and off, on or off, not off, on is True


def none_constant():
    nothing = None
    if nothing is None:
        return "is None"
    return "not None"


def ellipsis_constant():
    e = Ellipsis
    return e is Ellipsis, repr(e)


print(simple())
print(float_zero())
print(big_values())
print(division_by_zero_constant())
print(not_dominating(True), not_dominating(False))
print(loop_carried(3))
print(argument(), argument(5), reassigned_argument(9))
print(cell_constant())
print(mutable_value(), mutable_value())
print(tuple_constant())
print(read_in_handler())
print(augmented())
print(conditional_expression())
print(in_while())
print(shadowed_by_except())
print(string_ops())
print(bool_constants())
print(none_constant())
print(ellipsis_constant())
print("done")
