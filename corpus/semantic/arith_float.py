# Float arithmetic whose folding has traps: -0.0 (kept distinct from 0.0),
# nan and inf, floor division and modulo signs on floats, correctly rounded
# int/int division, overflow to inf versus OverflowError, ** on floats,
# complex numbers. Constant operands and run-time operands side by side.
from __future__ import division, print_function

import math


def rt(x):
    return x


def fmt(r):
    if isinstance(r, float):
        # repr of -0.0 and nan is stable; also show the sign bit explicitly.
        return "%r (sign %s)" % (r, "-" if math.copysign(1.0, r) < 0 else "+")
    if isinstance(r, complex):
        return "complex(%s, %s)" % (fmt(r.real), fmt(r.imag))
    if isinstance(r, tuple):
        return "(" + ", ".join(fmt(x) for x in r) + ")"
    return repr(r)


def show(label, fn):
    try:
        r = fn()
    except Exception as e:
        print(label, "raises", type(e).__name__)
    else:
        print(label, "=", type(r).__name__, fmt(r))


def zeros():
    show("-0.0", lambda: -0.0)
    show("0.0", lambda: 0.0)
    show("-(0.0)", lambda: -(0.0))
    show("0.0 * -1", lambda: 0.0 * -1)
    show("-0.0 + 0.0", lambda: -0.0 + 0.0)
    show("-0.0 - 0.0", lambda: -0.0 - 0.0)
    show("-0.0 * -0.0", lambda: -0.0 * -0.0)
    show("0.0 == -0.0", lambda: 0.0 == -0.0)
    show("(0.0, -0.0)", lambda: (0.0, -0.0))
    show("(-0.0, 0.0)", lambda: (-0.0, 0.0))
    show("rt: -rt(0.0)", lambda: -rt(0.0))
    show("-0.0 // 1", lambda: -0.0 // 1)
    show("0.0 % -1", lambda: 0.0 % -1)
    show("-0.0 % 1", lambda: -0.0 % 1)
    show("round(-0.4)", lambda: round(-0.4))
    show("abs(-0.0)", lambda: abs(-0.0))
    show("1 / -0.0 (raises)", lambda: 1 / -0.0)
    show("math.atan2(0.0, -0.0)", lambda: math.atan2(0.0, -0.0))
    show("math.atan2(-0.0, -0.0)", lambda: math.atan2(-0.0, -0.0))
    d = {0.0: "zero"}
    d[-0.0] = "negative zero overwrote"
    print("dict with 0.0 and -0.0:", len(d), d[0.0])


def specials():
    inf = 1e309
    show("1e309", lambda: 1e309)
    show("-1e309", lambda: -1e309)
    show("1e308 * 10", lambda: 1e308 * 10)
    show("inf - inf", lambda: inf - inf)
    show("1e309 - 1e309", lambda: 1e309 - 1e309)
    nan = inf - inf
    show("nan == nan", lambda: nan == nan)
    show("nan != nan", lambda: nan != nan)
    show("nan < 1", lambda: nan < 1)
    show("nan is nan", lambda: nan is nan)
    show("[nan] == [nan]", lambda: [nan] == [nan])
    show("nan in (nan,)", lambda: nan in (nan,))
    show("float('nan') in (float('nan'),)", lambda: float("nan") in (float("nan"),))
    show("inf == 1e309", lambda: inf == 1e309)
    show("inf > 10 ** 400", lambda: inf > 10 ** 400)
    show("inf * 0", lambda: inf * 0)
    show("-inf // 1", lambda: -inf // 1)
    show("inf % 3", lambda: inf % 3)
    show("5.0 % inf", lambda: 5.0 % inf)
    show("-5.0 % inf", lambda: -5.0 % inf)
    show("int(inf)", lambda: int(inf))
    show("int(nan)", lambda: int(nan))
    show("math.isnan(nan)", lambda: math.isnan(nan))
    show("min(nan, 1.0)", lambda: min(nan, 1.0))
    show("max(1.0, nan)", lambda: max(1.0, nan))


def signs():
    show("7.5 // 2", lambda: 7.5 // 2)
    show("-7.5 // 2", lambda: -7.5 // 2)
    show("7.5 // -2", lambda: 7.5 // -2)
    show("7.5 % -2", lambda: 7.5 % -2)
    show("-7.5 % 2", lambda: -7.5 % 2)
    show("-1e-300 % 1.0", lambda: -1e-300 % 1.0)
    show("divmod(-7.5, 2)", lambda: divmod(-7.5, 2))
    show("divmod(7.0, -0.5)", lambda: divmod(7.0, -0.5))
    show("rt: -7.5 // 2", lambda: rt(-7.5) // rt(2))
    show("rt: 7.5 % -2", lambda: rt(7.5) % rt(-2))
    show("1 / 0.0", lambda: 1 / 0.0)
    show("1.0 // 0", lambda: 1.0 // 0)
    show("1.0 % 0.0", lambda: 1.0 % 0.0)


def rounding():
    show("0.1 + 0.2", lambda: 0.1 + 0.2)
    show("1 / 3", lambda: 1 / 3)
    show("2 / 3", lambda: 2 / 3)
    show("(2 ** 70 + 1) / 2 ** 70", lambda: (2 ** 70 + 1) / 2 ** 70)
    show("(10 ** 30 + 1) / 10 ** 30", lambda: (10 ** 30 + 1) / 10 ** 30)
    show("(2 ** 1100) / (2 ** 1099)", lambda: (2 ** 1100) / (2 ** 1099))
    show("2 ** 1100 / 3", lambda: 2 ** 1100 / 3)
    show("float(2 ** 1024)", lambda: float(2 ** 1024))
    show("2 ** 1023 * 2.0", lambda: 2 ** 1023 * 2.0)
    show("9007199254740993 / 1", lambda: 9007199254740993 / 1)
    show("float(9007199254740993)", lambda: float(9007199254740993))
    show("round(2.675, 2)", lambda: round(2.675, 2))
    show("round(0.5)", lambda: round(0.5))
    show("round(1.5)", lambda: round(1.5))
    show("round(-2.5)", lambda: round(-2.5))
    show("1e16 + 1.0", lambda: 1e16 + 1.0)
    show("5e-324 / 2", lambda: 5e-324 / 2)
    show("-5e-324 / 2", lambda: -5e-324 / 2)


def powers():
    show("2.0 ** -1", lambda: 2.0 ** -1)
    show("0.0 ** -1", lambda: 0.0 ** -1)
    show("(-8) ** (1 / 3)", lambda: (-8) ** (1 / 3))
    show("(-8.0) ** 0.5", lambda: (-8.0) ** 0.5)
    show("10.0 ** 400", lambda: 10.0 ** 400)
    show("(-0.0) ** 3", lambda: (-0.0) ** 3)
    show("(-0.0) ** 2", lambda: (-0.0) ** 2)
    show("1e309 ** 0", lambda: 1e309 ** 0)
    show("(1e309 - 1e309) ** 0", lambda: (1e309 - 1e309) ** 0)
    show("1.0 ** (1e309 - 1e309)", lambda: 1.0 ** (1e309 - 1e309))
    show("rt: 2.0 ** rt(0.5)", lambda: rt(2.0) ** rt(0.5))


def complexes():
    show("(1.5 - 2j) ** 2", lambda: (1.5 - 2j) ** 2)
    show("abs(3 + 4j)", lambda: abs(3 + 4j))
    show("-0j", lambda: -0j)
    show("0j", lambda: 0j)
    show("-(0j)", lambda: -(0j))
    show("(1 + 2j) / (3 - 4j)", lambda: (1 + 2j) / (3 - 4j))
    show("1j * 1j", lambda: 1j * 1j)
    show("1j ** 2", lambda: 1j ** 2)
    show("(1 + 0j) / 0", lambda: (1 + 0j) / 0)
    show("1e309j * 0", lambda: 1e309j * 0)


zeros()
specials()
signs()
rounding()
powers()
complexes()
print("done")
