# Global and builtin loads inside loops (what loop-invariant hoisting would
# move out): a global rebound by a call made inside the loop, a global that
# does not exist until the second iteration (NameError timing and line), a
# global deleted during the loop, a loop that never runs (a hoisted load
# must not raise there), and a builtin shadowed midway by a module global
# created through globals() (invisible in the bytecode: -O3's `builtins`
# assumption assumes it away, so that line is marked "~builtins:").
# observes: builtins
from __future__ import print_function

import sys

FACTOR = 1
LATE = None
del LATE


def rebind_factor(v):
    global FACTOR
    FACTOR = v


def rebound_by_call():
    out = []
    for i in range(4):
        out.append(FACTOR * i)
        if i == 1:
            rebind_factor(10)
    rebind_factor(1)
    return out


def appears_later():
    out = []
    for i in range(3):
        if i == 1:
            globals()["LATE"] = "late global"
        try:
            out.append(LATE)  # noqa: F821
        except NameError:
            out.append("NameError at iteration %d" % i)
    del globals()["LATE"]
    return out


def deleted_midway():
    global TEMP
    TEMP = "temp"
    out = []
    for i in range(3):
        try:
            out.append(TEMP)
        except NameError:
            out.append("gone")
        if i == 0:
            del TEMP
    return out


def never_runs():
    for _ in ():
        UNDEFINED_GLOBAL  # noqa: F821
    while False:
        UNDEFINED_GLOBAL  # noqa: F821
    return "loops over nothing did not touch UNDEFINED_GLOBAL"


def first_iteration_name_error():
    try:
        for i in range(3):
            UNDEFINED_EITHER  # noqa: F821
    except NameError:
        tb = sys.exc_info()[2]
        while tb.tb_next is not None:
            tb = tb.tb_next
        return "NameError at relative line %d, i=%d" % (
            tb.tb_lineno - first_iteration_name_error.__code__.co_firstlineno, i)


def builtin_shadowed_midway():
    out = []
    for i in range(3):
        out.append(len("abc"))
        if i == 0:
            globals()["len"] = lambda s: "module len"
    del globals()["len"]
    out.append(len("abc"))
    return out


def nested_loops_with_global():
    total = 0
    for i in range(3):
        for j in range(3):
            total += FACTOR * (i + j)
        if i == 1:
            rebind_factor(100)
    rebind_factor(1)
    return total


print(rebound_by_call())
print(appears_later())
print(deleted_midway())
print(never_runs())
print(first_iteration_name_error())
print("~builtins:", builtin_shadowed_midway())
print(nested_loops_with_global())
print("done")
