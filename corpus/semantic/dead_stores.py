# Dead stores and store->load patterns. A dead store whose value has a
# finalizer must still release the old value at the same moment (the order
# of __init__/__del__ messages shows it); a dead store's right-hand side must
# still be evaluated (side effects, exceptions); a store followed by `del`
# must stay (deleting an unbound local raises); chained, swapped, unpacked
# and augmented stores; `x = x`.
from __future__ import print_function

log = []


class Noisy(object):
    def __init__(self, name):
        self.name = name
        log.append("init " + name)

    def __del__(self):
        log.append("del " + self.name)


def effect(v):
    log.append("effect %r" % (v,))
    return v


def overwritten():
    a = Noisy("first")
    a = Noisy("second")
    log.append("before return")
    return a.name


def never_read():
    b = Noisy("unused")
    log.append("after unused store")
    return "result"


def dead_rhs_effect():
    x = effect(1)
    x = effect(2)
    return x


def dead_rhs_raises():
    try:
        y = 1 // 0
        y = 5
    except ZeroDivisionError:
        return "the dead store's value still raised"
    return y


def store_then_del():
    z = 1
    del z
    return "deleted"


def del_unstored(flag):
    if flag:
        w = 1
    try:
        del w
    except NameError as e:
        return type(e).__name__
    return "deleted w"


def chained():
    p = q = effect("shared")
    p = "p only"
    return p, q


def swap():
    a, b = 1, 2
    a, b = b, a
    c, d, e = "x", "y", "z"
    c, d, e = e, c, d
    return a, b, c, d, e


def self_assign():
    s = "same"
    s = s
    return s


def augmented_dead():
    n = 1
    n += 2
    n = 10
    return n


def store_load_pairs():
    t = effect("t")
    u = t
    v = u
    return v


def loop_stores():
    last = None
    for i in range(3):
        last = Noisy("loop%d" % i)
    log.append("loop finished")
    name = last.name
    last = None
    log.append("last cleared")
    return name


def finalizer_in_handler():
    try:
        tmp = Noisy("in try")
        raise ValueError
    except ValueError:
        log.append("handler runs; tmp still alive: %s" % (tmp.name,))
        tmp = None
        log.append("tmp released")
    return "handled"


def run(label, fn):
    del log[:]
    r = fn()
    log.append("returned")
    print(label, "->", r, log)


run("overwritten", overwritten)
run("never_read", never_read)
run("dead_rhs_effect", dead_rhs_effect)
run("dead_rhs_raises", dead_rhs_raises)
run("store_then_del", store_then_del)
run("del_unstored(False)", lambda: del_unstored(False))
run("del_unstored(True)", lambda: del_unstored(True))
run("chained", chained)
run("swap", swap)
run("self_assign", self_assign)
run("augmented_dead", augmented_dead)
run("store_load_pairs", store_load_pairs)
run("loop_stores", loop_stores)
run("finalizer_in_handler", finalizer_in_handler)
print("done")
