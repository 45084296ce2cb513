# 3.8 syntax: assignment expressions (also inside comprehensions, where they
# bind in the enclosing function: with 3.12 inlining the comprehension
# variable is restored but the walrus target is not), in while conditions and
# in if chains; positional-only parameters (binding errors and **kwargs
# taking a positional-only name); `continue` inside `finally`.
# requires: 3.8
def walrus_basics(data):
    out = []
    if (n := len(data)) > 3:
        out.append("long %d" % n)
    else:
        out.append("short %d" % n)
    it = iter(data)
    while (item := next(it, None)) is not None:
        out.append(item)
    out.append(("after loop", item))
    return out


def walrus_in_comprehension(values):
    total = 0
    partial = [total := total + v for v in values]
    last = None
    found = any((last := v) > 2 for v in values)
    return partial, total, found, last


def walrus_unbound(values):
    [hit := v for v in values if v < 0]
    try:
        return hit
    except NameError as e:
        return type(e).__name__


def walrus_shadow():
    v = "outer v"
    [(w := v) for v in range(3)]
    return v, w


def posonly(a, b, /, c, *, d=4):
    return a, b, c, d


def posonly_kwargs(a, /, **kw):
    return a, sorted(kw.items())


def posonly_errors():
    out = []
    for thunk in (lambda: posonly(1, 2, 3),
                  lambda: posonly(1, 2, c=3, d=5),
                  lambda: posonly(1, b=2, c=3),
                  lambda: posonly_kwargs(1, a=2)):
        try:
            out.append(repr(thunk()))
        except TypeError as e:
            out.append("TypeError: %s" % e)
    return out


def continue_in_finally():
    out = []
    for i in range(4):
        try:
            if i == 1:
                raise ValueError(i)
            out.append(i)
        finally:
            if i % 2:
                continue  # swallows the ValueError at i == 1
            out.append("f%d" % i)
    return out


print(walrus_basics("ab"))
print(walrus_basics("abcde"))
print(walrus_in_comprehension([1, 2, 3, 4]))
print(walrus_unbound([1, 2]), walrus_unbound([1, -2, -3]))
print(walrus_shadow())
for line in posonly_errors():
    print(line)
print(posonly.__code__.co_posonlyargcount, posonly.__code__.co_argcount)
print(continue_in_finally())
print("done")
