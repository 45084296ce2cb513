# Builtins shadowed in ways visible in the bytecode, which no level may fold
# through (not even -O3's `builtins` assumption, which is only about builtins
# being patched at run time): a module that rebinds `len` at module level
# after using the builtin, a parameter named `len`, a local `abs`, a class
# attribute `min`, a `global max` rebinding inside a function, `del` of the
# module-level binding restoring the builtin, and shadowing through import.
from __future__ import print_function


def before_rebinding():
    return len("abc"), abs(-3), max((1, 5, 2))


print("before:", before_rebinding())


def len(obj):  # noqa: A001 - the module now shadows the builtin
    return "module len of %r" % (obj,)


def uses_len():
    return len("abc")


def param_named_len(len):
    return len("abc")


def local_abs():
    abs = lambda x: "local abs %r" % (x,)  # noqa: E731
    return abs(-3)


class Shadowing(object):
    min = lambda *a: "class min"  # noqa: E731

    def call(self):
        # Inside a method, `min` is the builtin: class scope is not visible.
        return min(3, 1, 2), self.min(3, 1, 2)

    inside_body = min(3, 1, 2)  # in the class body, the class attribute


def rebind_max_globally():
    global max
    max = lambda *a: "global max"  # noqa: E731


def uses_max():
    return max((1, 5, 2))


def chr_from_import():
    from string import ascii_letters as chr  # noqa: A001
    return chr[:3]


def isinstance_shadow(isinstance=lambda a, b: "param isinstance"):
    return isinstance(1, int)


print("uses_len:", uses_len())
print("param_named_len:", param_named_len(lambda s: "param len %r" % (s,)))
print("local_abs:", local_abs())
print("Shadowing:", Shadowing().call(), Shadowing.inside_body)
print("uses_max before:", uses_max())
rebind_max_globally()
print("uses_max after:", uses_max())
del max
print("uses_max after del:", uses_max())
del len
print("uses_len after del:", uses_len())
print("chr_from_import:", chr_from_import(), chr(65))
print("isinstance_shadow:", isinstance_shadow(), isinstance_shadow(isinstance))
ord = "module-level ord"  # noqa: A001
try:
    print(ord("a"))
except TypeError as e:
    print("calling the shadowed ord:", type(e).__name__)
print("done")
