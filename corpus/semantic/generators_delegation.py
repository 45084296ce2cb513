# Generator delegation (3.x): `yield from` passing send/throw/close through to
# the inner generator, return values through StopIteration and `yield from`,
# `return` inside try/finally of a generator, StopIteration raised inside a
# generator becoming RuntimeError (PEP 479), generator state inspection.
# requires: 3.6
from __future__ import generator_stop

import inspect

log = []


def inner(tag):
    try:
        got = yield tag + "1"
        log.append("inner %s got %r" % (tag, got))
        got = yield tag + "2"
        log.append("inner %s got %r" % (tag, got))
    except ValueError as e:
        log.append("inner %s caught %s" % (tag, e))
        return "inner %s recovered" % tag
    finally:
        log.append("inner %s finally" % tag)
    return "inner %s result" % tag


def outer():
    a = yield from inner("a")
    log.append("outer got %r" % (a,))
    b = yield from inner("b")
    log.append("outer got %r" % (b,))
    return a, b


def returns_in_finally():
    try:
        yield 1
        return "from try"
    finally:
        log.append("finally runs on return")


def pep479():
    yield 1
    raise StopIteration("inside")


def states():
    g = inner("s")
    out = [inspect.getgeneratorstate(g)]
    next(g)
    out.append(inspect.getgeneratorstate(g))
    g.close()
    out.append(inspect.getgeneratorstate(g))
    return out


def from_iterables():
    yield from range(3)
    yield from "ab"
    yield from (x * x for x in range(3))
    yield from []
    return "iterables done"


def run(label, fn):
    del log[:]
    try:
        r = fn()
    except Exception as e:
        r = "raised %s: %s" % (type(e).__name__, e)
    print(label, "->", r)
    print("   ", log)


def drive_outer():
    g = outer()
    out = [next(g), g.send("x"), g.send("y"), g.send("z")]
    try:
        g.send("w")
    except StopIteration as e:
        out.append(("StopIteration", e.value))
    return out


def throw_through():
    g = outer()
    out = [next(g), g.throw(ValueError("v"))]
    out.append(g.gi_yieldfrom is not None)
    g.close()
    out.append(g.gi_yieldfrom)
    return out


def return_value():
    g = returns_in_finally()
    next(g)
    try:
        next(g)
    except StopIteration as e:
        return e.value


def collect(gen):
    out = []
    while True:
        try:
            out.append(next(gen))
        except StopIteration as e:
            out.append(("return", e.value))
            return out


run("drive outer", drive_outer)
run("throw through", throw_through)
run("return value", return_value)
run("pep479", lambda: list(pep479()))
run("states", states)
run("from iterables", lambda: collect(from_iterables()))
print("done")
