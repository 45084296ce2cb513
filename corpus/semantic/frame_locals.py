# locals(), vars(), sys._getframe().f_locals and traceback frame locals: what
# they show depends on which stores the code still performs (dead-store
# elimination and constant propagation change it; dead stores of constants
# are planted below). This file visibly introspects frames, so not even
# -O3's no-frame-introspection assumption applies to it: every line must
# match (outside_observer.py covers introspection the observed file cannot
# show). 3.13 (PEP 667) makes f_locals a write-through proxy; older versions
# only sync writes back in some cases.
from __future__ import print_function

import sys


def mark(*args):
    print("  ", *args)


def shown(d):
    return sorted((k, v if not callable(v) else "<callable>") for k, v in d.items())


def plain():
    a = 1
    b = "two"
    unused = [3]
    dead = "a constant nobody reads"  # noqa: F841
    mark("locals()", shown(locals()))
    c = a + 1
    mark("vars()", shown(vars()))
    del b
    mark("after del", shown(locals()))
    return c, len(unused)


def via_frame():
    x = 10
    y = x * 2
    x = "dead store"
    frame = sys._getframe()
    mark("f_locals", [kv for kv in shown(frame.f_locals) if kv[0] != "frame"])
    del frame
    return y


def caller_locals():
    def peek():
        return shown(sys._getframe(1).f_locals)
    secret = "caller's"
    count = 3
    mark("caller", peek())
    return secret, count


def traceback_locals():
    def failing(n):
        doubled = n * 2
        temp = "temp"
        raise ValueError(doubled)
    try:
        failing(21)
    except ValueError:
        tb = sys.exc_info()[2]
        while tb.tb_next is not None:
            tb = tb.tb_next
        mark("traceback frame", shown(tb.tb_frame.f_locals))
        name = tb.tb_frame.f_code.co_name
        del tb
        return name


def write_through():
    v = "original"
    frame = sys._getframe()
    try:
        frame.f_locals["v"] = "written"
    except TypeError:
        pass
    mark("after f_locals write", v)
    del frame
    return "write attempted"


def in_comprehension():
    outer = 1
    # 3.12+ inlines the comprehension, so its locals() includes `outer`.
    mark("comprehension", [sorted(k for k in locals() if k != ".0") for i in range(1)][0])
    return outer


def module_level():
    g = vars(sys.modules[__name__])
    return [k for k in ("mark", "plain", "MODULE_CONSTANT") if k in g]


MODULE_CONSTANT = 7

print(plain())
print(via_frame())
print(caller_locals())
print(traceback_locals())
print(write_through())
print(in_comprehension())
print(module_level())
print("done")
