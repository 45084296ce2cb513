# Integer arithmetic whose folding has traps: floor division and modulo signs,
# shifts and bitwise operators on negatives, big integers, ** with negative
# exponents, bool as int, exact int/float comparisons, the int->str digit limit.
# Every expression appears twice: with constant operands (foldable) and with
# operands that only exist at run time.
from __future__ import print_function


def rt(x):
    return x


def show(label, fn):
    try:
        r = fn()
    except Exception as e:
        print(label, "raises", type(e).__name__)
    else:
        print(label, "=", type(r).__name__, repr(r).rstrip("L"))


def signs():
    show("7 // 2", lambda: 7 // 2)
    show("-7 // 2", lambda: -7 // 2)
    show("7 // -2", lambda: 7 // -2)
    show("-7 // -2", lambda: -7 // -2)
    show("7 % -3", lambda: 7 % -3)
    show("-7 % 3", lambda: -7 % 3)
    show("-7 % -3", lambda: -7 % -3)
    show("divmod(-7, 2)", lambda: divmod(-7, 2))
    show("rt: -7 // 2", lambda: rt(-7) // rt(2))
    show("rt: 7 % -3", lambda: rt(7) % rt(-3))
    # Classic division on 2.7 (no __future__ import here), true division on 3.x.
    show("7 / 2", lambda: 7 / 2)
    show("-7 / 2", lambda: -7 / 2)
    show("rt: -7 / 2", lambda: rt(-7) / rt(2))
    show("6 / 3", lambda: 6 / 3)


def shifts_and_bits():
    show("-1 >> 1", lambda: -1 >> 1)
    show("-9 >> 2", lambda: -9 >> 2)
    show("1 << 70", lambda: 1 << 70)
    show("-(1 << 65) >> 3", lambda: -(1 << 65) >> 3)
    show("-6 & 5", lambda: -6 & 5)
    show("-6 | 5", lambda: -6 | 5)
    show("-6 ^ 5", lambda: -6 ^ 5)
    show("~0", lambda: ~0)
    show("~-(2 ** 70)", lambda: ~-(2 ** 70))
    show("1 << -1", lambda: 1 << -1)
    show("rt: 1 << -1", lambda: rt(1) << rt(-1))
    show("rt: -9 >> 2", lambda: rt(-9) >> rt(2))


def powers():
    show("2 ** -1", lambda: 2 ** -1)
    show("2 ** -2", lambda: 2 ** -2)
    show("(-2) ** -3", lambda: (-2) ** -3)
    show("0 ** -1", lambda: 0 ** -1)
    show("0 ** 0", lambda: 0 ** 0)
    show("(-2) ** 63", lambda: (-2) ** 63)
    show("2 ** 64", lambda: 2 ** 64)
    show("-2 ** 2", lambda: -2 ** 2)
    show("pow(3, 100, 7)", lambda: pow(3, 100, 7))
    show("pow(-3, 3, 5)", lambda: pow(-3, 3, 5))
    show("rt: 2 ** -1", lambda: rt(2) ** rt(-1))
    show("rt: 0 ** -1", lambda: rt(0) ** rt(-1))
    show("10 ** 20 // 3", lambda: 10 ** 20 // 3)
    show("2 ** 200 % 1000007", lambda: 2 ** 200 % 1000007)


def big():
    a = 340282366920938463463374607431768211507
    b = -98765432109876543210987654321098765
    show("a + b", lambda: a + b)
    show("a * b", lambda: a * b)
    show("a // b", lambda: a // b)
    show("a % b", lambda: a % b)
    show("b // 7", lambda: b // 7)
    show("a >> 70", lambda: a >> 70)
    show("a & b", lambda: a & b)
    show("a ^ b", lambda: a ^ b)
    show("a / b", lambda: a / b)
    show("(10 ** 400) / (10 ** 399)", lambda: (10 ** 400) / (10 ** 399))
    show("(10 ** 400 + 1) // 10 ** 399", lambda: (10 ** 400 + 1) // 10 ** 399)
    show("2 ** 53 + 1 == 2.0 ** 53", lambda: 2 ** 53 + 1 == 2.0 ** 53)
    show("2 ** 53 + 1 > 2.0 ** 53", lambda: 2 ** 53 + 1 > 2.0 ** 53)
    show("float(2 ** 53 + 1)", lambda: float(2 ** 53 + 1))
    show("float(10 ** 400)", lambda: float(10 ** 400))
    show("10 ** 400 > 1e308", lambda: 10 ** 400 > 1e308)
    show("10 ** 400 < float('inf')", lambda: 10 ** 400 < float("inf"))
    # The int->str digit limit (3.11+, 3.8.14+, 3.9.14+, 3.10.7+) raises here.
    show("len(str(10 ** 5000))", lambda: len(str(10 ** 5000)))
    show("len(repr(rt(10) ** 4000))", lambda: len(repr(rt(10) ** 4000).rstrip("L")))


def bools():
    show("True + 1", lambda: True + 1)
    show("True * 3", lambda: True * 3)
    show("-True", lambda: -True)
    show("True & 3", lambda: True & 3)
    show("True & False", lambda: True & False)
    show("True | False", lambda: True | False)
    show("True ^ True", lambda: True ^ True)
    show("True / 2", lambda: True / 2)
    show("False ** 0", lambda: False ** 0)
    show("True << 3", lambda: True << 3)
    show("rt(True) + rt(True)", lambda: rt(True) + rt(True))


def unary():
    x = 5
    show("-x", lambda: -x)
    show("+x", lambda: +x)
    show("--x", lambda: --x)
    show("-(-(2 ** 63))", lambda: -(-(2 ** 63)))
    show("abs(-(2 ** 64))", lambda: abs(-(2 ** 64)))
    show("int('-0')", lambda: int("-0"))
    show("-0", lambda: -0)


def augmented():
    n = 7
    n //= -2
    print("n //= -2 ->", n)
    n %= 3
    print("n %= 3 ->", n)
    n **= 3
    print("n **= 3 ->", n)
    n <<= 65
    print("n <<= 65 ->", repr(n).rstrip("L"))
    n >>= 66
    print("n >>= 66 ->", n)
    n -= 2 ** 64
    print("n -= 2 ** 64 ->", repr(n).rstrip("L"))


signs()
shifts_and_bits()
powers()
big()
bools()
unary()
augmented()
print("done")
