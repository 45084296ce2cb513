# Comparison and boolean folding: chained comparisons evaluate the middle
# operand once and short-circuit; `and`/`or` return an operand, not a bool;
# `not`, `in` on constant tuples and frozensets, `is None`; user __eq__,
# __lt__, __bool__ and __contains__ hooks must run (never folded away).
from __future__ import print_function

calls = []


def v(x):
    calls.append(x)
    return x


def show(label, fn):
    del calls[:]
    try:
        r = fn()
    except Exception as e:
        print(label, "raises", type(e).__name__, "calls", calls)
    else:
        print(label, "=", repr(r), "calls", calls)


class Loud(object):
    def __init__(self, name, truth=True):
        self.name = name
        self.truth = truth

    def __eq__(self, other):
        calls.append("eq:" + self.name)
        return False

    def __ne__(self, other):
        calls.append("ne:" + self.name)
        return True

    def __lt__(self, other):
        calls.append("lt:" + self.name)
        return True

    def __bool__(self):
        calls.append("bool:" + self.name)
        return self.truth

    __nonzero__ = __bool__
    __hash__ = object.__hash__

    def __contains__(self, item):
        calls.append("contains:" + self.name)
        return item == 1

    def __repr__(self):
        return "Loud(%s)" % self.name


def constants():
    show("1 < 2", lambda: 1 < 2)
    show("1 < 2 < 3", lambda: 1 < 2 < 3)
    show("3 > 2 > 2", lambda: 3 > 2 > 2)
    show("1 == 1.0", lambda: 1 == 1.0)
    show("True == 1", lambda: True == 1)
    show("True is 1 (via names)", lambda: (lambda a, b: a is b)(True, 1))
    show("None is None", lambda: None is None)
    show("None is not None", lambda: None is not None)
    show("not 0", lambda: not 0)
    show("not ()", lambda: not ())
    show("not 'a'", lambda: not "a")
    show("not not 3", lambda: not not 3)
    show("not 0.0", lambda: not 0.0)
    show("not -0.0", lambda: not -0.0)
    show("not 0j", lambda: not 0j)
    show("2 in (1, 2, 3)", lambda: 2 in (1, 2, 3))
    show("2 not in (1, 2, 3)", lambda: 2 not in (1, 2, 3))
    show("2.0 in {1, 2, 3}", lambda: 2.0 in {1, 2, 3})
    show("'b' in {'a', 'b'}", lambda: "b" in {"a", "b"})
    show("True in {1}", lambda: True in {1})
    show("(1, 2) < (1, 3)", lambda: (1, 2) < (1, 3))
    show("'a' < 'b' < 'c'", lambda: "a" < "b" < "c")
    show("1 < 2.5 < 3", lambda: 1 < 2.5 < 3)
    show("2 ** 64 > 1.8e19", lambda: 2 ** 64 > 1.8e19)
    show("0 or ''", lambda: 0 or "")
    show("0 or 'x'", lambda: 0 or "x")
    show("'' and 1", lambda: "" and 1)
    show("1 and 2", lambda: 1 and 2)
    show("None or 0 or () or 'last'", lambda: None or 0 or () or "last")
    show("1 and 0 and 2", lambda: 1 and 0 and 2)
    show("(1 or 2) and 0", lambda: (1 or 2) and 0)
    show("not (1 and 0)", lambda: not (1 and 0))
    show("1 if 0 else 2", lambda: 1 if 0 else 2)
    show("'y' if 'x' else 'n'", lambda: "y" if "x" else "n")


def side_effects():
    show("v(1) < v(2) < v(3)", lambda: v(1) < v(2) < v(3))
    show("v(1) < v(0) < v(3)", lambda: v(1) < v(0) < v(3))
    show("v(0) and v(1)", lambda: v(0) and v(1))
    show("v(0) or v(1)", lambda: v(0) or v(1))
    show("v(2) and v(0) or v(3)", lambda: v(2) and v(0) or v(3))
    show("not v(0)", lambda: not v(0))
    show("v(1) in (v(1), v(2))", lambda: v(1) in (v(1), v(2)))
    show("v(3) if v(0) else v(4)", lambda: v(3) if v(0) else v(4))
    show("v(1) == v(1) == v(2)", lambda: v(1) == v(1) == v(2))


def hooks():
    a = Loud("a")
    b = Loud("b", truth=False)
    show("a == a", lambda: a == a)
    show("a != a", lambda: a != a)
    show("a < 1 < 2", lambda: a < 1 < 2)
    show("not a", lambda: not a)
    show("not b", lambda: not b)
    show("a and 5", lambda: a and 5)
    show("b or 6", lambda: b or 6)
    show("b and 7", lambda: b and 7)
    show("1 in a", lambda: 1 in a)
    show("2 not in a", lambda: 2 not in a)
    show("a in (1, 2)", lambda: a in (1, 2))
    show("a in (a,)", lambda: a in (a,))
    show("5 if a else 6", lambda: 5 if a else 6)
    show("5 if b else 6", lambda: 5 if b else 6)
    r = []
    if a:
        r.append("if a")
    if not b:
        r.append("if not b")
    if a and not b:
        r.append("if a and not b")
    while b:
        r.append("never")
    print("statements:", r, "calls", calls)


def conditions_in_statements():
    x = 3
    out = []
    if x > 2 and x < 5:
        out.append("2<x<5")
    if not (x == 3):
        out.append("not x==3")
    else:
        out.append("x==3")
    if x in (1, 2, 3):
        out.append("in tuple")
    if x not in {4, 5}:
        out.append("not in set")
    if x is not None:
        out.append("not None")
    if (x > 1) == True:
        out.append("(x > 1) == True")
    if (x > 1) is True:
        out.append("(x > 1) is True")
    print(out)


constants()
side_effects()
hooks()
conditions_in_statements()
print("done")
