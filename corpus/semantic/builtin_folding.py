# Calls of builtins on constant arguments (what builtin folding would fold):
# results that are exact and immutable, calls that raise (must keep raising
# at run time), results that are mutable (must stay fresh objects), the
# int->str digit limit (3.11+ and late 3.8-3.10 releases raise ValueError),
# and hash() of str, which is randomized per process (here PYTHONHASHSEED=0,
# but only its consistency is printed).
from __future__ import print_function


def show(label, fn):
    try:
        r = fn()
    except Exception as e:
        print(label, "raises", type(e).__name__)
    else:
        print(label, "=", type(r).__name__, repr(r))


def pure():
    show("len('abc')", lambda: len("abc"))
    show("len(())", lambda: len(()))
    show("len(b'\\x00\\x01')", lambda: len(b"\x00\x01"))
    show("abs(-3)", lambda: abs(-3))
    show("abs(-0.0)", lambda: abs(-0.0))
    show("abs(-2 ** 70)", lambda: str(abs(-2 ** 70)))
    show("isinstance(1, int)", lambda: isinstance(1, int))
    show("isinstance(True, int)", lambda: isinstance(True, int))
    show("isinstance(1.0, (int, str))", lambda: isinstance(1.0, (int, str)))
    show("chr(65)", lambda: chr(65))
    show("ord('a')", lambda: ord("a"))
    show("min((3, 1, 2))", lambda: min((3, 1, 2)))
    show("max(3, 1.5)", lambda: max(3, 1.5))
    show("max(1, 1.0)", lambda: max(1, 1.0))
    show("min(1.0, 1)", lambda: min(1.0, 1))
    show("max('b', 'ab')", lambda: max("b", "ab"))
    show("bool('')", lambda: bool(""))
    show("int('42')", lambda: int("42"))
    show("int('-0x1f', 16)", lambda: int("-0x1f", 16))
    show("float('-0')", lambda: float("-0"))
    show("round(2.5)", lambda: round(2.5))
    show("divmod(-7, 2)", lambda: divmod(-7, 2))
    show("pow(2, -1)", lambda: pow(2, -1))
    show("pow(3, 4, 5)", lambda: pow(3, 4, 5))
    show("sum((1, 2, 3))", lambda: sum((1, 2, 3)))
    show("sum((0.1,) * 10)", lambda: sum((0.1,) * 10))
    show("repr(-0.0)", lambda: repr(-0.0))
    show("str(1e16)", lambda: str(1e16))
    show("hex(255)", lambda: hex(255))
    show("bin(-5)", lambda: bin(-5))
    show("sorted('cba')", lambda: sorted("cba"))
    show("tuple(reversed((1, 2)))", lambda: tuple(reversed((1, 2))))


def raising():
    show("len(5)", lambda: len(5))
    show("chr(-1)", lambda: chr(-1))
    show("ord('')", lambda: ord(""))
    show("min(())", lambda: min(()))
    show("max(1, 'a')", lambda: max(1, "a"))
    show("int('x')", lambda: int("x"))
    show("int('1' * 5000)", lambda: int("1" * 5000) > 0)
    show("str(10 ** 5000)", lambda: len(str(10 ** 5000)))
    show("abs('a')", lambda: abs("a"))
    show("pow(0, -1)", lambda: pow(0, -1))
    show("divmod(1, 0)", lambda: divmod(1, 0))
    show("float('1e500')", lambda: float("1e500"))
    show("round(float('nan'))", lambda: round(float("nan")))


def mutable_results():
    def fresh():
        return list((1, 2)), dict(a=1), set("ab"), bytearray(b"x")
    first, second = fresh(), fresh()
    same = [a is b for a, b in zip(first, second)]
    first[0].append(3)
    return same, second[0], len(first[2])


def hashes():
    return hash("abc") == hash("ab" + "c"), hash(1) == hash(1.0), hash(-1), hash(0.5)


pure()
raising()
print(mutable_results())
print(hashes())
print("done")
