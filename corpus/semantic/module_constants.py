# Module-level "constants" whose rebinding is visible in the module's own
# bytecode, so no level may fold them (not even -O3's final-globals
# assumption): a constant reassigned later in the module, one rebound by a
# `global` statement in a function, augmented assignment, a for-loop target,
# a name deleted (NameError afterwards), a name bound by import and by def,
# a class body binding the same name, a function called before the constant
# exists (NameError), `if __name__ == "__main__"` style guards.
from __future__ import print_function

LIMIT = 10
RATE = 0.5
NAME = "first"
FLAGS = (1, 2)
SEEN = []


def early_reader():
    return MISSING_YET  # noqa: F821


try:
    early_reader()
except NameError as e:
    SEEN.append("NameError before assignment")
MISSING_YET = "now bound"
SEEN.append(early_reader())


def read_limit():
    return LIMIT


def read_all():
    return LIMIT, RATE, NAME, FLAGS


def bump_limit():
    global LIMIT
    LIMIT = LIMIT + 1


class UsesSameName(object):
    LIMIT = "class attribute"
    from_class = LIMIT  # the class binding

    def method(self):
        return LIMIT  # the module global


class ReadsGlobal(object):
    doubled = LIMIT * 2  # no class binding: the global


print("initial:", read_all())
LIMIT = 20
print("after reassignment:", read_limit())
bump_limit()
print("after global statement:", read_limit())
RATE *= 4
print("after augmented:", read_all())
for NAME in ("loop-a", "loop-b"):
    pass
print("after for target:", read_all())
print("class:", UsesSameName.from_class, UsesSameName().method(), ReadsGlobal.doubled)
del FLAGS
try:
    read_all()
except NameError as e:
    print("after del:", type(e).__name__)
FLAGS = (3,)
print("rebound:", read_all())


def RATE():  # noqa: F811 - a def rebinds the constant
    return "RATE is now a function"


print("after def:", read_all()[1]())
from os import sep as NAME  # noqa: E402,F811
print("after import binding:", NAME == "/" or NAME == "\\")
if __name__ == "__main__":
    STATUS = "main"
else:
    STATUS = "imported"
print("status:", STATUS, SEEN)
print("done")
