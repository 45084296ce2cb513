# -*- coding: utf-8 -*-
# String, bytes and tuple operations on constants (what a folder would fold):
# concatenation, repetition, slicing with negative steps, indexing that counts
# code points not bytes, membership, comparisons, methods, %-formatting (never
# to be folded), nested constant tuples, a lone surrogate.
from __future__ import print_function, unicode_literals


def rt(x):
    return x


def show(label, fn):
    try:
        r = fn()
    except Exception as e:
        print(label, "raises", type(e).__name__)
    else:
        print(label, "=", type(r).__name__, repr(r))


def strings():
    show("'ab' + 'cd'", lambda: "ab" + "cd")
    show("'ab' 'cd'", lambda: "ab" "cd")
    show("'ab' * 3", lambda: "ab" * 3)
    show("'ab' * 0", lambda: "ab" * 0)
    show("'ab' * -1", lambda: "ab" * -1)
    show("'hello'[1]", lambda: "hello"[1])
    show("'hello'[-1]", lambda: "hello"[-1])
    show("'hello'[1:4]", lambda: "hello"[1:4])
    show("'hello'[::-1]", lambda: "hello"[::-1])
    show("'hello'[::-2]", lambda: "hello"[::-2])
    show("'hello'[4:1:-1]", lambda: "hello"[4:1:-1])
    show("'hello'[-100:100]", lambda: "hello"[-100:100])
    show("'hello'[3:1]", lambda: "hello"[3:1])
    show("'ell' in 'hello'", lambda: "ell" in "hello")
    show("'' in 'hello'", lambda: "" in "hello")
    show("'x' not in 'hello'", lambda: "x" not in "hello")
    show("'abc' < 'abd'", lambda: "abc" < "abd")
    show("'Z' < 'a'", lambda: "Z" < "a")
    show("'abc' == 'abc'", lambda: "abc" == "abc")
    show("'abc'.upper()", lambda: "abc".upper())
    show("'a,b,,c'.split(',')", lambda: "a,b,,c".split(","))
    show("'-'.join(('x', 'y'))", lambda: "-".join(("x", "y")))
    show("'%s-%d-%r' % ('a', 5, 'b')", lambda: "%s-%d-%r" % ("a", 5, "b"))
    show("'%5.2f|%-4s|%x' % (3.14159, 'ab', 255)", lambda: "%5.2f|%-4s|%x" % (3.14159, "ab", 255))
    show("'%(a)s' % {'a': 1}", lambda: "%(a)s" % {"a": 1})
    show("'{0}{1}{0}'.format('x', 'y')", lambda: "{0}{1}{0}".format("x", "y"))
    show("'{:>6.2f}'.format(2.5)", lambda: "{:>6.2f}".format(2.5))
    show("str(12345)", lambda: str(12345))


def unicode_text():
    s = "naïve café — 日本語 ☃"
    show("len(s)", lambda: len(s))
    show("s[2]", lambda: s[2])
    show("s[-1]", lambda: s[-1])
    show("s[6:10]", lambda: s[6:10])
    show("len('日本語')", lambda: len("日本語"))
    show("'日本語'[1]", lambda: "日本語"[1])
    show("'é' * 3", lambda: "é" * 3)
    show("'é'.upper()", lambda: "é".upper())
    show("ord('€')", lambda: ord("€"))
    show("chr(8364)", lambda: "%04x" % ord("€"))
    show("len(s.encode('utf-8'))", lambda: len(s.encode("utf-8")))
    show("'\\U0001F600'", lambda: len("\U0001F600"))
    lone = "a\ud800b"
    show("len(lone surrogate)", lambda: len(lone))
    show("lone[1] escaped", lambda: lone[1].encode("unicode_escape"))
    show("lone surrogate + 'c'", lambda: (lone + "c").encode("unicode_escape"))


def byte_strings():
    show("b'ab' + b'cd'", lambda: b"ab" + b"cd")
    show("b'ab' * 2", lambda: b"ab" * 2)
    show("b'hello'[1]", lambda: b"hello"[1])
    show("b'hello'[1:3]", lambda: b"hello"[1:3])
    show("b'hello'[::-1]", lambda: b"hello"[::-1])
    show("b'\\xff\\x00'[0]", lambda: b"\xff\x00"[0])
    show("b'ell' in b'hello'", lambda: b"ell" in b"hello")
    show("b'abc' < b'abd'", lambda: b"abc" < b"abd")
    show("len(b'\\x00' * 5)", lambda: len(b"\x00" * 5))
    show("b'%d' % 5 (3.5+)", lambda: b"%d" % 5)


def tuples():
    show("(1, 2) + (3,)", lambda: (1, 2) + (3,))
    show("(1,) * 3", lambda: (1,) * 3)
    show("(1, (2, (3, 'x')))", lambda: (1, (2, (3, "x"))))
    show("(1, 2, 3)[::-1]", lambda: (1, 2, 3)[::-1])
    show("(1, 2, 3)[1:]", lambda: (1, 2, 3)[1:])
    show("(1, 2) < (1, 2, 0)", lambda: (1, 2) < (1, 2, 0))
    show("(1, 2) == (1.0, 2.0)", lambda: (1, 2) == (1.0, 2.0))
    show("2 in (1, 2.0)", lambda: 2 in (1, 2.0))
    show("len(((),) * 4)", lambda: len(((),) * 4))
    show("(0.0, -0.0)", lambda: (0.0, -0.0))
    show("(-0.0, 0.0)", lambda: (-0.0, 0.0))
    show("((1, 2) * 2).count(2)", lambda: ((1, 2) * 2).count(2))
    t = (1, 2, 3)
    a, b, c = t
    show("a, b, c = t", lambda: (a, b, c))
    x, y = "xy"
    show("x, y = 'xy'", lambda: (x, y))
    show("tuple('abc')", lambda: tuple("abc"))
    show("rt((1, 2)) + rt((3,))", lambda: rt((1, 2)) + rt((3,)))


strings()
unicode_text()
byte_strings()
tuples()
print("done")
