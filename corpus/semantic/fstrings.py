# f-strings and formatting: conversions (!r !s !a), nested format specs,
# `=` self-documenting expressions, evaluation order of the parts, custom
# __format__/__str__/__repr__ being called (never folded), constant-only
# f-strings, str.format and %-formatting (never folded), bytes formatting.
# requires: 3.8
log = []


class Fmt:
    def __init__(self, v):
        self.v = v

    def __format__(self, spec):
        log.append("format %r" % spec)
        return "<%s|%s>" % (self.v, spec)

    def __str__(self):
        log.append("str")
        return "str(%s)" % self.v

    def __repr__(self):
        log.append("repr")
        return "Fmt(%r)" % (self.v,)


def ev(tag):
    log.append(tag)
    return tag


def basics():
    name = "world"
    width = 10
    precision = 3
    value = 3.14159265
    return [
        f"hello {name}",
        f"{name!r} {name!s} {'é'!a}",
        f"[{name:>{width}}]",
        f"[{value:{width}.{precision}f}]",
        f"{value=:.2f}",
        f"{name=}",
        f"{width * 2 = }",
        f"{{literal braces}}",
        f"constant only",
        f"{1 + 1}",
        f"{'nested ' + f'{name}'}",
        f"{3:04d}|{-3:+05d}|{255:#x}|{255:08b}|{1234567:,}",
        f"{0.5:.0f} {1.5:.0f} {2.5:.0f}",
        f"{-0.0} {-0.0:+}",
        f"{float('nan')} {1e309} {-1e309:10}",
    ]


def hooks():
    del log[:]
    obj = Fmt(1)
    s = f"{obj} {obj:spec} {obj!r} {obj!s}"
    return s, list(log)


def order():
    del log[:]
    s = f"{ev('a')}{ev('b')}{ev('c')!r}"
    return s, list(log)


def other_formatting():
    return [
        "%s|%r|%5.1f|%-4d|%x" % ("s", "r", 2.25, 7, 255),
        "%(a)s-%(b)s" % {"a": 1, "b": 2},
        "%%" % (),
        "{0}{1}{0}".format("a", "b"),
        "{x:>5}".format(x="r"),
        "{!r}".format("q"),
        b"%d-%s" % (5, b"bytes"),
        format(12.5, "08.3f"),
        format(Fmt(2), "direct"),
    ]


for item in basics():
    print(item)
print(hooks())
print(order())
for item in other_formatting():
    print(item)
print("done")
