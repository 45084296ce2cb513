# Closures and cells: late binding in loops, default-argument capture, an
# argument that is also a cell, nonlocal across three levels, a cell deleted
# with `del` (NameError on the free variable), cells assigned after the inner
# function is created, __class__ cells and zero-argument super(), global
# statements inside nested functions, closures created by comprehensions.
# requires: 3.6

g_value = "global"


def late_binding():
    fs = [lambda: i for i in range(3)]
    gs = [lambda i=i: i for i in range(3)]
    hs = []
    for j in range(3):
        hs.append(lambda: j)
    return [f() for f in fs], [g() for g in gs], [h() for h in hs]


def arg_is_cell(x, y=10):
    def get():
        return x + y
    x = x * 2
    return get


def counter():
    count = 0

    def inc(by=1):
        nonlocal count
        count += by
        return count
    return inc


def three_levels():
    a = 1

    def middle():
        b = 2

        def inner():
            nonlocal a, b
            a += 10
            b += 20
            return a, b
        r = inner()
        return r, b
    r = middle()
    return r, a


def assigned_after_creation():
    def read():
        return later

    try:
        before = read()
    except NameError as e:
        before = type(e).__name__
    later = "bound now"
    return before, read()


def deleted_cell():
    v = "alive"

    def read():
        return v
    first = read()
    del v
    try:
        second = read()
    except NameError as e:
        second = type(e).__name__
    v = "rebound"
    return first, second, read()


class Base:
    def who(self):
        return "Base.who"


class Child(Base):
    def who(self):
        return "Child.who > " + super().who()

    def cls_name(self):
        return __class__.__name__

    @classmethod
    def make(cls):
        return cls().who()


def global_in_nested():
    def setter():
        global g_value
        g_value = "set by nested"

    def reader():
        return g_value
    before = reader()
    setter()
    return before, reader()


def shadow_global():
    g_value = "local shadows global"

    def inner():
        return g_value
    return inner()


def nonlocal_in_generator():
    total = 0

    def gen():
        nonlocal total
        for i in range(4):
            total += i
            yield total
    values = list(gen())
    return values, total


def comprehension_closures():
    base = 100
    adders = [(lambda x, n=n: x + n + base) for n in range(3)]
    base = 1000
    return [f(1) for f in adders]


def cell_in_loop_with_del():
    out = []
    for i in range(3):
        item = "item%d" % i

        def show():
            return item
        out.append(show())
        if i == 1:
            del item
            try:
                out.append(show())
            except NameError:
                out.append("deleted")
    return out


def free_var_names():
    x, y = 1, 2

    def uses():
        return x + y
    return sorted(uses.__code__.co_freevars), uses.__closure__ is not None


print(late_binding())
f = arg_is_cell(5)
print(f(), f.__code__.co_freevars)
inc = counter()
print(inc(), inc(), inc(5))
print(three_levels())
print(assigned_after_creation())
print(deleted_cell())
print(Child().who(), Child().cls_name(), Child.make())
print(global_in_nested(), g_value)
print(shadow_global(), g_value)
print(nonlocal_in_generator())
print(comprehension_closures())
print(cell_in_loop_with_del())
print(free_var_names())
print("done")
