# Operations that raise must keep raising, at the same place, with the same
# exception (a folder must leave them alone): division by zero, bad operand
# types, indexing out of range, overflow; and repetitions by huge counts whose
# result is empty (no memory needed) must not be "folded" into an error.
from __future__ import print_function


def rt(x):
    return x


def show(label, fn):
    try:
        r = fn()
    except Exception as e:
        print(label, "raises", type(e).__name__)
    else:
        if isinstance(r, (str, bytes, tuple)) and len(r) > 40:
            r = "%s of length %d" % (type(r).__name__, len(r))
        print(label, "=", repr(r))


def division():
    show("1 / 0", lambda: 1 / 0)
    show("1 // 0", lambda: 1 // 0)
    show("1 % 0", lambda: 1 % 0)
    show("divmod(1, 0)", lambda: divmod(1, 0))
    show("0 ** -1", lambda: 0 ** -1)
    show("0.0 ** -1", lambda: 0.0 ** -1)
    show("1.0 / 0", lambda: 1.0 / 0)
    show("rt(1) / rt(0)", lambda: rt(1) / rt(0))
    show("(2 ** 100) % 0", lambda: (2 ** 100) % 0)


def types():
    show("'a' + 1", lambda: "a" + 1)
    show("1 + 'a'", lambda: 1 + "a")
    show("None + 1", lambda: None + 1)
    show("-'a'", lambda: -"a")
    show("~1.5", lambda: ~1.5)
    show("'a' - 'b'", lambda: "a" - "b")
    show("[] * 'x'", lambda: [] * "x")
    show("'ab' * 2.0", lambda: "ab" * 2.0)
    show("() + []", lambda: () + [])
    show("'%d' % 'x'", lambda: "%d" % "x")
    show("'%s %s' % ('a',)", lambda: "%s %s" % ("a",))
    show("'%s' % ()", lambda: "%s" % ())
    show("1 < 'a'", lambda: 1 < "a")
    show("(1, 2) < (1, 'a')", lambda: (1, 2) < (1, "a"))
    show("None < None", lambda: None < None)
    show("1 << 1.0", lambda: 1 << 1.0)
    show("b'a' + 'a'", lambda: b"a" + "a")
    show("len(5)", lambda: len(5))
    pair = (1, 2)
    show("pair[1.0]", lambda: pair[1.0])
    show("{}[[]]", lambda: {}[[]])
    show("hash([])", lambda: hash([]))
    show("1 in 5", lambda: 1 in 5)
    show("'a' in ('a', [])", lambda: "a" in ("a", []))
    show("[] in ('a', [])", lambda: [] in ("a", []))
    show("[] in frozenset()", lambda: [] in frozenset())


def indexing():
    show("'abc'[5]", lambda: "abc"[5])
    show("'abc'[-4]", lambda: "abc"[-4])
    show("'abc'[-3]", lambda: "abc"[-3])
    show("'abc'[10:]", lambda: "abc"[10:])
    show("(1, 2)[3]", lambda: (1, 2)[3])
    show("b'ab'[2]", lambda: b"ab"[2])
    show("()[0]", lambda: ()[0])
    show("'abc'[::0]", lambda: "abc"[::0])
    show("'abc'[2 ** 70]", lambda: "abc"[2 ** 70])
    show("'abc'[:2 ** 70]", lambda: "abc"[:2 ** 70])
    show("'abc'[-2 ** 70:]", lambda: "abc"[-2 ** 70:])
    show("{'a': 1}['b']", lambda: {"a": 1}["b"])


def repetition():
    show("'' * 2 ** 62", lambda: "" * 2 ** 62)
    show("b'' * 2 ** 62", lambda: b"" * 2 ** 62)
    show("() * 2 ** 62", lambda: () * 2 ** 62)
    show("'x' * -5", lambda: "x" * -5)
    show("'x' * -2 ** 70", lambda: "x" * -2 ** 70)
    show("(1,) * 0", lambda: (1,) * 0)
    show("'ab' * 3", lambda: "ab" * 3)
    show("3 * 'ab'", lambda: 3 * "ab")
    show("'ab' * True", lambda: "ab" * True)
    show("'ab' * False", lambda: "ab" * False)
    show("'-' * 50", lambda: "-" * 50)
    show("'' * 10 ** 20", lambda: "" * 10 ** 20)
    show("'x' * 10 ** 20", lambda: "x" * 10 ** 20)
    show("(None,) * 2 ** 70", lambda: (None,) * 2 ** 70)
    show("rt('') * rt(2 ** 62)", lambda: rt("") * rt(2 ** 62))


def overflow():
    show("float(10 ** 400)", lambda: float(10 ** 400))
    show("10 ** 400 / 1", lambda: 10 ** 400 / 1)
    show("10 ** 400 * 1.0", lambda: 10 ** 400 * 1.0)
    show("1e308 * 10", lambda: 1e308 * 10)
    show("2.0 ** 10000", lambda: 2.0 ** 10000)
    show("int(1e309)", lambda: int(1e309))
    show("chr(-1)", lambda: chr(-1))
    show("chr(0x110000)", lambda: chr(0x110000))
    show("ord('ab')", lambda: ord("ab"))
    show("round(1e309)", lambda: round(1e309))


def in_statements():
    # The same operations outside lambdas, as statements, so folding of a
    # statement-level expression is covered too.
    try:
        x = 1 / 0
        print("not reached", x)
    except ZeroDivisionError:
        print("statement 1 / 0 raised")
    try:
        y = "a" + 1
        print("not reached", y)
    except TypeError:
        print("statement 'a' + 1 raised")
    try:
        (1, 2)[5]
        print("not reached")
    except IndexError:
        print("expression statement (1, 2)[5] raised")
    try:
        1 // 0
    except ZeroDivisionError:
        print("expression statement 1 // 0 raised")
    try:
        -"a"
    except TypeError:
        print("expression statement -'a' raised")
    z = 0
    try:
        z = z + 1
        z = z / 0
    except ZeroDivisionError:
        print("z was", z, "when division raised")


division()
types()
indexing()
repetition()
overflow()
in_statements()
print("done")
