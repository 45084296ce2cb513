# with-statements: __enter__/__exit__ order, what __exit__ receives, exception
# suppression, exceptions raised by __enter__ and __exit__, return/break/
# continue leaving a with block, nested and multi-item withs, `as` targets
# that are unpacked or attributes.
from __future__ import print_function

log = []


class CM(object):
    def __init__(self, name, suppress=False, fail_enter=False, fail_exit=False):
        self.name = name
        self.suppress = suppress
        self.fail_enter = fail_enter
        self.fail_exit = fail_exit

    def __enter__(self):
        log.append("enter " + self.name)
        if self.fail_enter:
            raise KeyError("enter " + self.name)
        return (self.name, len(log))

    def __exit__(self, typ, value, tb):
        log.append("exit %s %s" % (self.name, typ.__name__ if typ else None))
        if self.fail_exit:
            raise IndexError("exit " + self.name)
        return self.suppress


def run(label, fn):
    del log[:]
    try:
        r = fn()
    except Exception as e:
        r = "raised %s" % type(e).__name__
    print(label, "->", r, log)


def plain():
    with CM("a") as v:
        log.append("body %r" % (v,))
    return "ok"


def raises_in_body(suppress):
    with CM("a", suppress=suppress):
        log.append("body")
        raise ValueError("body")
    return "after with"


def return_inside():
    with CM("a"):
        return "returned from with"


def loop_exits():
    out = []
    for i in range(4):
        with CM("loop%d" % i):
            if i == 1:
                continue
            if i == 2:
                break
            out.append(i)
    return out


def nested_multi():
    with CM("outer"), CM("inner", suppress=True):
        log.append("body")
        raise ValueError
    with CM("x") as (name, n):
        log.append("unpacked %s" % name)
    return "nested done"


def enter_fails():
    with CM("good"):
        with CM("bad", fail_enter=True):
            log.append("never")
    return "not reached"


def exit_fails():
    with CM("a", fail_exit=True):
        raise ValueError("replaced by the exit's exception")


class Holder(object):
    pass


def attribute_target():
    h = Holder()
    with CM("attr") as h.value:
        pass
    d = {}
    with CM("item") as d["k"]:
        pass
    return h.value[0], d["k"][0]


def with_in_generator():
    with CM("gen"):
        yield 1
        yield 2


def generator_closed_inside_with():
    g = with_in_generator()
    first = next(g)
    g.close()
    return first


def suppressed_value_of_name():
    x = "before"
    with CM("s", suppress=True):
        x = "inside"
        raise KeyError
        x = "dead"  # noqa
    return x


run("plain", plain)
run("raises, not suppressed", lambda: raises_in_body(False))
run("raises, suppressed", lambda: raises_in_body(True))
run("return inside", return_inside)
run("loop exits", loop_exits)
run("nested multi", nested_multi)
run("enter fails", enter_fails)
run("exit fails", exit_fails)
run("attribute target", attribute_target)
run("generator closed", generator_closed_inside_with)
run("suppressed value of name", suppressed_value_of_name)
print("done")
