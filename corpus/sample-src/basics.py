# -*- coding: utf-8 -*-
"""A bit of everything, for Python 2.7 and 3.6+.

Output is the same on all versions but for one folded zero (-0j). -O drops
the asserts, -OO the docstrings too: the last line tells which happened.
"""
from __future__ import division, print_function, unicode_literals

import binascii
import math

try:
    NUMBERS, TEXT = (int, long, float), unicode
except NameError:  # Python 3
    NUMBERS, TEXT = (int, float), str

BIG = 340282366920938463463374607431768211507
NEG_BIG = -98765432109876543210987654321098765
MASK = 0xFFFFFFFFFFFFFFFF
INF = 1e309
RAW = b"\x00\x01pycopt\xfe\xff"
GREETING = "na\u00efve caf\u00e9 \u2014 \u65e5\u672c\u8a9e \u2603 Ωmega"
PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59,
          61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113)
COLORS = ("red", "orange", "yellow", "green", "blue", "indigo", "violet",
          "black", "white", "grey", "cyan", "magenta", "teal", "olive")


def fmt(v):
    """Render a value identically on Python 2 and 3."""
    if isinstance(v, NUMBERS) and not isinstance(v, bool):
        return repr(v).rstrip("L")
    if isinstance(v, TEXT):
        return "'%s'" % v.encode("unicode_escape").decode("ascii")
    if isinstance(v, (bytes, bytearray)):
        return "x" + binascii.hexlify(v).decode("ascii")
    if isinstance(v, (dict, set)):
        v = sorted(v.items() if isinstance(v, dict) else v)
    if isinstance(v, (list, tuple)):
        return "[%s]" % ", ".join(fmt(x) for x in v)
    return repr(v)


def show(label, *values):
    print("%-9s" % label, " ".join(fmt(v) for v in values))


def numbers():
    """Big integers on both sides of 2**64; signed zeros, inf, nan, complex."""
    show("bigint", divmod(BIG, 1000000007), NEG_BIG // 7, NEG_BIG % 7,
         pow(3, BIG, 2 ** 89 - 1), BIG >> 70, -(1 << 65) >> 3,
         BIG & MASK, BIG ^ NEG_BIG, ~NEG_BIG, 7 // -2, -7 % 3, 10 / 4)
    total = 0
    for p in PRIMES:
        total = total * 31 + p
    assert total > MASK, "expected an integer beyond 64 bits"
    nan = INF - INF
    show("float", math.copysign(1.0, -0.0), math.copysign(1.0, 0.0), INF,
         -1e309, nan != nan, math.isnan(nan), round(2.675, 2), 0.1 + 0.2)
    show("complex", (1.5 - 2j) ** 2, abs(3 + 4j), -0j, (1 + 2j) / (3 - 4j))
    return total


def text():
    show("text", GREETING, GREETING.upper(), len(GREETING.encode("utf-8")),
         "%05.1f|%-4s|%x|%r|{0:^5}|{1:,}".format("mid", 1234567) % (3.14, "ab", 255, 7))
    show("bytes", RAW, RAW[2:8], RAW[::-3], bytearray(RAW[:2]) + b"!")


def containers():
    """Comprehensions of every kind and constant membership tests."""
    table = {c[:3]: len(c) for c in COLORS if c not in {"teal", "gold", "red"}}
    show("comps", [(a, b) for a in range(4) for b in range(a) if a - b > 1],
         {c[0] for c in COLORS if c[-1] in ("e", "n")}, sorted(table.items())[:3],
         list(n * n for n in range(-3, 12) if n in {1, 2, 3, 5, 8}))
    first, (second, third), rest = 1, (2, 3), [4, 5]
    data = list(range(12))
    del data[::4]
    data[1:3] = ["a", "b", "c"]
    show("slices", first, second, third, rest, data, data[-3:], data[::5])


class Oops(Exception):
    """A local exception type."""


def control_flow():
    """Loops with else, try/except/else/finally, nesting and re-raising."""
    log = []
    for n in range(1, 11):
        try:
            if n % 3 == 0:
                raise Oops(n)
            value = 100 // (n - 7)
        except Oops as e:
            log.append(e.args[0])
            continue
        except ZeroDivisionError:
            log.append("zero")
        else:
            log.append(value)
        finally:
            log.append(".")
        if n == 8:
            break
    else:
        log.append("no break")
    count = 0
    while count < 50:
        count += 7
    else:
        log.append(count)
    try:
        try:
            raise Oops("inner")
        finally:
            log.append("finally")
    except Oops as e:
        log.append(TEXT(e))
    show("flow", log)


def make_counter(start=0, step=1):
    """A closure over a mutable cell (no `nonlocal` on 2.7)."""
    state = [start]

    def counter(times=1):
        for _ in range(times):
            state[0] += step
        return state[0]
    return counter


def countdown(n, log):
    """A generator steered with send() and closed early."""
    try:
        while n > 0:
            jump = yield n
            n -= jump or 1
    finally:
        log.append(n)


def functions(*rest, **options):
    c = make_counter(10, 5)
    log = []
    gen = countdown(10, log)
    steps = [next(gen), gen.send(3), next(gen)]
    gen.close()
    show("funcs", c(), c(3), rest, sorted(TEXT(k) for k in options),
         [f(10) for f in [lambda x, k=k: x + k for k in range(3)]], steps,
         log, ["odd" if x % 2 else 1 < x <= 3 != x for x in range(5)])


class Shape(object):
    """Base class: class attribute, property, classmethod, staticmethod."""

    sides = 0

    def __init__(self, size):
        self.size = size

    @property
    def label(self):
        return "%s%d" % (type(self).__name__[0], self.sides)

    @classmethod
    def unit(cls):
        return cls(1)

    @staticmethod
    def describe(shape):
        return "%s:%.3f" % (shape.label, shape.area())

    def __lt__(self, other):
        return self.area() < other.area()


class Square(Shape):
    __slots__ = ("extra",)
    sides = 4

    def area(self):
        return self.size ** 2


class Circle(Shape):
    def __init__(self, radius):
        super(Circle, self).__init__(radius)

    def area(self):
        return math.pi * self.size ** 2


class Recorder(object):
    """A context manager that records events and swallows KeyError."""

    log = []

    def __enter__(self):
        self.log.append("enter")
        return self

    def __exit__(self, kind, value, tb):
        self.log.append(TEXT(kind.__name__) if kind else "ok")
        return kind is KeyError


def classes():
    shapes = sorted([Square(3), Circle.unit(), Square.unit(), Circle(2)])
    log = Recorder.log
    with Recorder() as r:
        log.append(r is not None)
    with Recorder():
        {}["missing"]
    try:
        with Recorder():
            raise Oops(42)
    except Oops as e:
        log.append(e.args[0])
    show("classes", [Shape.describe(s) for s in shapes], log)


def mix(values):
    state = 0
    for v in values[1:]:
        state = (state * 1000003 ^ v) & MASK
    return state


def many_constants(s=0):
    """More than 256 constants in one code object: EXTENDED_ARG on 3.x.

    Lists of at most 30 items, each with a variable first, are built item
    by item from single LOAD_CONSTs (larger or all-constant ones are not).
    """
    chunks = [
        [s, 877857, 271713, 429535, 692466, 781831, 517283, 761701, 233058,
         972504, 296327, 303173, 754978, 426934, 597168, 636162, 525359,
         120099, 380465, 723108, 979845, 750194, 164776, 244420, 323163,
         230954, 785868, 778536, 771886, 124661],
        [s, 612013, 261291, 991923, 586676, 771592, 832977, 830195, 412733,
         971746, 318121, 911924, 372167, 731018, 939767, 401878, 701117,
         406154, 869269, 427016, 606279, 479016, 494334, 904061, 311790,
         773956, 591926, 114689, 161298, 761636],
        [s, 422036, 835690, 993664, 577703, 834187, 560090, 231637, 873576,
         179720, 836072, 200279, 716275, 576362, 564741, 746026, 981718,
         583123, 143948, 900405, 220209, 173980, 781786, 827936, 810919,
         168680, 654234, 537562, 279013, 226830],
        [s, 323572, 985777, 657190, 610747, 292742, 628485, 309544, 505808,
         945982, 312038, 153347, 722066, 105226, 180686, 963648, 656453,
         732743, 792275, 687225, 845774, 270320, 513184, 611105, 295012,
         610950, 757483, 541185, 485969, 931407],
        [s, 981660, 605125, 852181, 624212, 300455, 241343, 859828, 757413,
         817875, 647383, 624045, 876516, 397437, 279271, 641589, 969456,
         305946, 759192, 618006, 715799, 689528, 729290, 904307, 340320,
         461818, 699791, 399956, 630445, 797537],
        [s, 383851, 984519, 264032, 682395, 974521, 240619, 685778, 857128,
         401923, 551019, 871535, 972449, 226410, 545992, 362349, 191419,
         960741, 550651, 404772, 934940, 615049, 389782, 793327, 153605,
         803334, 821501, 969142, 875109, 332669],
        [s, 783970, 552995, 405916, 691132, 856881, 891885, 875585, 165873,
         325660, 898583, 493050, 751716, 348525, 510618, 782390, 518741,
         193070, 232158, 723207, 124307, 897511, 303182, 530530, 721329,
         977444, 766129, 278102, 556923, 110640],
        [s, 568643, 119781, 752280, 687958, 735473, 577185, 425156, 791924,
         253623, 401561, 552619, 860774, 811526, 656151, 316288, 758947,
         583784, 294032, 124862, 953379, 518055, 426195, 179834, 677425,
         557554, 789648, 871720, 849268, 589129],
        [s, 686527, 896485, 308427, 203227, 734483, 512368, 337467, 592377,
         228043, 839270, 778132, 943377, 683232, 200693, 316275, 417028,
         254567, 382056, 452250, 588833, 995966, 221709, 211424, 578114,
         638363, 223045, 874239, 617107, 885859],
        [s, 421143, 377623, 783887, 256662, 559853, 294055, 987673, 145997],
    ]
    return mix(sum(chunks, []))


def main():
    """Runs everything; -OO removes this docstring."""
    total = numbers()
    text()
    containers()
    control_flow()
    functions(1, 2, key="k", other=None)
    classes()
    try:
        assert False, "only raised without -O"
        asserts = "removed"
    except AssertionError:
        asserts = "raised"
    show("end", total, many_constants(), __debug__, asserts, main.__doc__)

if __name__ == "__main__":
    main()
