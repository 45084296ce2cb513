"""Module docstring: gone under -OO, so __doc__ is None."""
# Docstrings of modules, classes, functions, methods, properties and coroutines go
# under -OO; a string a function also returns stays; an explicit __doc__ assignment
# that is not the first statement stays; lambdas never have one.
# versions: 3.6-3.13
import sys


def f():
    """f's doc."""
    return 1


def g():
    "g doc"
    return "g doc"


async def h():
    """h doc"""


class C:
    """C doc."""

    def m(self):
        """m doc"""

    @property
    def p(self):
        """p doc"""
        return 1


class D:
    x = 1
    __doc__ = 'explicit, later'


lam = lambda: 'x'
print(repr(__doc__), repr(f.__doc__), repr(g.__doc__), g(), repr(h.__doc__))
print(repr(C.__doc__), repr(C.m.__doc__), repr(C.p.__doc__), repr(D.__doc__))
print(repr(lam.__doc__), repr(sys.modules[__name__].__doc__), f())
