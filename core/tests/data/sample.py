# -*- coding: utf-8 -*-
"""Tiny module for pycopt's hostile-input tests."""
BIG = 1267650600228229401496703205376
NEG = -1180591620717411303424
PI = 3.14159
CPLX = 1.5j
T = (1, u'a', 2.5, (None, True))
S = u'h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c'
SUR = u'\ud800x'
B = b'\x00\xff raw'


def outer(a, b=2, *args, **kw):
    total = a + b

    def inner(x):
        return x * total + len(args)

    return inner(3) if a in {1, 2, 3} else [inner(i) for i in range(a)]


class Shape(object):
    sides = 0

    def __init__(self, name):
        self.name = name

    def describe(self):
        try:
            return u'%s \u00e0 %d' % (self.name, self.sides)
        except (TypeError, ValueError):
            return None


lam = lambda q: q ** 2
