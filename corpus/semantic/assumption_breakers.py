# What -O3's assumptions assume away, done on purpose: a builtin patched at
# run time through the builtins module (`builtins` assumption), module
# constants rebound through globals(), setattr on the module object and
# exec (`final-globals` assumption). Lines whose value depends on the
# assumption are marked "~builtins:" / "~final-globals:" and may differ under
# -O3; every other line, including the restored state afterwards, must not.
# observes: builtins final-globals
from __future__ import print_function

import sys

try:
    import builtins
except ImportError:  # Python 2
    import __builtin__ as builtins

WIDTH = 80
MODE = "normal"


def measure():
    return len("abcd")


def width():
    return WIDTH


def mode_is_normal():
    return MODE == "normal"


def absolute():
    return abs(-5)


print("baseline:", measure(), width(), mode_is_normal(), absolute())

original_len = builtins.len
builtins.len = lambda obj: -1
try:
    print("~builtins: len patched in builtins:", measure())
finally:
    builtins.len = original_len
print("len restored:", measure())

original_abs = builtins.abs
builtins.abs = lambda x: "patched abs"
try:
    print("~builtins: abs patched:", absolute())
finally:
    builtins.abs = original_abs
print("abs restored:", absolute())

globals()["WIDTH"] = 132
print("~final-globals: WIDTH through globals():", width())
setattr(sys.modules[__name__], "MODE", "patched")
print("~final-globals: MODE through setattr:", mode_is_normal())
exec("WIDTH = 40", globals())
print("~final-globals: WIDTH through exec:", width())
globals()["WIDTH"] = 80
setattr(sys.modules[__name__], "MODE", "normal")
print("restored:", width(), mode_is_normal())
print("done")
