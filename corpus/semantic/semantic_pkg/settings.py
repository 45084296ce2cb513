# Star-exported by semantic_pkg.consumer; rebound from outside by
# star_imports.py (the external rebinding -O3's final-globals assumes away).
__all__ = ["LIMIT", "SCALE", "greet", "limit_here", "Shape"]

LIMIT = 5
SCALE = 2.5
HIDDEN = "not in __all__"
_PRIVATE = "underscore"


def greet(name):
    return "hello %s (limit %d)" % (name, LIMIT)


def limit_here():
    return LIMIT


class Shape(object):
    sides = LIMIT - 1
