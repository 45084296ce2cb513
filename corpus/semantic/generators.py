# Generators: send, throw, close, yield inside try/except/finally, GeneratorExit
# caught and handled, yield in a loop with else, generators that ignore
# GeneratorExit (RuntimeError), gi_frame after exhaustion, generator
# expressions evaluating their first iterable eagerly, lazy evaluation order.
from __future__ import print_function

log = []


def counter(n):
    i = 0
    while i < n:
        got = yield i
        if got is not None:
            log.append("counter got %r" % (got,))
            i = got
        else:
            i += 1
    log.append("counter finished")


def guarded():
    try:
        log.append("guarded start")
        try:
            yield "a"
        except ValueError as e:
            log.append("inner caught %s" % e)
            yield "after ValueError"
        yield "b"
    except GeneratorExit:
        log.append("GeneratorExit seen")
        raise
    finally:
        log.append("guarded finally")


def stubborn():
    while True:
        try:
            got = yield "still here"
        except GeneratorExit:
            log.append("ignoring GeneratorExit")
        else:
            if got == "stop":
                return


def yields_in_finally():
    try:
        yield 1
    finally:
        log.append("finally before its yield")
        yield "from finally"
        log.append("finally after its yield")


def loop_else(items):
    for x in items:
        if x < 0:
            return
        yield x
    else:
        yield "else"


def chained_expressions():
    def src(name, n):
        log.append("src %s created" % name)
        for i in range(n):
            log.append("src %s yields %d" % (name, i))
            yield i

    gen = (x * 10 for x in src("outer", 3) if x != 1)
    log.append("genexp created")
    first = next(gen)
    log.append("first %d" % first)
    rest = list(gen)
    return first, rest


def run(label, fn):
    del log[:]
    try:
        r = fn()
    except Exception as e:
        r = "raised %s" % type(e).__name__
    print(label, "->", r, log)


def use_counter():
    g = counter(5)
    out = [next(g), next(g), g.send(3), next(g)]
    try:
        next(g)
    except StopIteration:
        out.append("StopIteration")
    out.append(g.gi_frame is None)
    return out


def use_guarded_close():
    g = guarded()
    out = [next(g)]
    g.close()
    out.append(g.gi_frame is None)
    g.close()  # closing twice is a no-op
    return out


def use_guarded_throw():
    g = guarded()
    out = [next(g), g.throw(ValueError("boom")), next(g)]
    try:
        g.throw(KeyError("k"))
    except KeyError as e:
        out.append("KeyError propagated %s" % e)
    return out


def use_stubborn():
    g = stubborn()
    next(g)
    try:
        g.close()
    except RuntimeError as e:
        r = "RuntimeError: %s" % e
    else:
        r = "closed"
    try:
        g.send("stop")
    except StopIteration:
        r += ", then stopped"
    return r


def use_yields_in_finally():
    g = yields_in_finally()
    out = [next(g)]
    try:
        g.close()
    except RuntimeError:
        out.append("close raised RuntimeError")
    try:
        next(g)
    except GeneratorExit:
        # The finally block resumes and re-raises the pending GeneratorExit.
        out.append("then GeneratorExit escaped")
    return out


def not_started():
    g = guarded()
    g.close()  # a generator that never started runs nothing
    try:
        next(g)
    except StopIteration:
        return "StopIteration after close"


def throw_unstarted():
    g = guarded()
    try:
        g.throw(ValueError("early"))
    except ValueError as e:
        return "unstarted throw raises at once: %s" % e


run("counter", use_counter)
run("guarded close", use_guarded_close)
run("guarded throw", use_guarded_throw)
run("stubborn", use_stubborn)
run("yields in finally", use_yields_in_finally)
run("loop else", lambda: (list(loop_else([1, 2])), list(loop_else([1, -1, 2]))))
run("chained expressions", chained_expressions)
run("not started", not_started)
run("throw unstarted", throw_unstarted)
print("done")
