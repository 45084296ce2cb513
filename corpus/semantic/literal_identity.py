# `is` between constants. Language-guaranteed or universally relied-upon
# identities (None, True, Ellipsis, the same object loaded twice, small
# ints, the empty tuple, interned identifier-like strings) must never change.
# Identities that are implementation-defined (a string built at run time
# versus an equal literal, equal literals in different functions, equal
# floats) may change when an optimizer folds or merges constants: those
# lines are marked "~literal-identity:".
# observes: literal-identity
from __future__ import print_function


def mark(*args):
    print("~literal-identity:", *args)


def same(a, b):
    return a is b


def robust():
    a = None
    b = None
    t1 = ()
    t2 = ()
    e = Ellipsis
    s = "identifier_like"
    u = "identifier_like"
    small1 = 7
    small2 = 7
    obj = object()
    alias = obj
    return [
        same(a, b), same(True, 1 == 1), same(e, Ellipsis), same(t1, t2),
        same(s, u), same(small1, small2), same(obj, alias), same(len, len),
        same(None, a), same(False, not True),
    ]


def const_a():
    return "hello, world!"


def const_b():
    return "hello, world!"


def float_a():
    return 2.5


def float_b():
    return 2.5


def implementation_defined():
    built = "".join(["hello, ", "world!"])
    mark("built string is literal", same(built, const_a()))
    mark("equal literals across functions", same(const_a(), const_b()))
    mark("equal floats across functions", same(float_a(), float_b()))
    x = 1000
    y = 999 + 1
    mark("1000 is 999 + 1", same(x, y))
    s = "ab"
    t = s + "c"
    mark("'ab' + 'c' built from a local", same(t, "abc"))
    big = 2 ** 70
    big2 = 2 ** 70
    mark("2 ** 70 twice", same(big, big2))
    tup = (1, 2)
    tup2 = (1, 2)
    mark("equal tuple literals", same(tup, tup2))
    n = -5
    m = -5
    mark("small negative ints", same(n, m))


def equality_is_stable():
    # Whatever identity says, equality and hashing must not change.
    built = "".join(["hello, ", "world!"])
    return built == const_a(), hash(2.5) == hash(float_b()), 1000 == 999 + 1


print(robust())
implementation_defined()
print(equality_is_stable())
print("done")
