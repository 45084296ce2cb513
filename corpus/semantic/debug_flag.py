# __debug__: the compiler folds `if __debug__:` and `__debug__` itself into
# constants when it compiles, so a bytecode rewriter cannot re-fold them: the
# output must be the same at every level, -O3's `--strip asserts` included
# (it is not the same as compiling with `python -O`). No asserts here.
from __future__ import print_function


def guarded():
    out = []
    if __debug__:
        out.append("debug branch")
    else:
        out.append("optimized branch")
    if not __debug__:
        out.append("not debug")
    return out


def as_value():
    flag = __debug__
    return flag, type(flag).__name__, __debug__ and "and", __debug__ or "or"


def in_loop():
    n = 0
    while __debug__:
        n += 1
        if n == 3:
            break
    return n


def conditional_expression():
    return "debug" if __debug__ else "release"


class Config(object):
    DEBUG = __debug__
    if __debug__:
        level = "verbose"
    else:
        level = "quiet"


print(guarded())
print(as_value())
print(in_loop())
print(conditional_expression())
print(Config.DEBUG, Config.level)
print("done")
