# Class bodies: every STORE_NAME is observable (a metaclass __prepare__
# namespace records each store, repeated and "dead" ones included); class
# scope is not visible from methods; names read in the class body fall back
# to globals; loops, conditionals, try and del inside a class body;
# __qualname__, __module__, __init_subclass__, class decorators, properties,
# __slots__, and a class attribute shadowing a builtin.
# requires: 3.6
x = "global x"


class Recording(dict):
    def __init__(self):
        super().__init__()
        self.log = []

    def __setitem__(self, key, value):
        if not key.startswith("__"):
            self.log.append("set %s=%r" % (key, value if not callable(value) else "<fn>"))
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self.log.append("del %s" % key)
        super().__delitem__(key)


class Meta(type):
    @classmethod
    def __prepare__(mcs, name, bases):
        return Recording()

    def __new__(mcs, name, bases, ns):
        cls = super().__new__(mcs, name, bases, dict(ns))
        cls.store_log = list(ns.log)
        return cls


class Stores(metaclass=Meta):
    a = 1
    a = 2  # a dead store in a function, observable here
    b = a + 1
    tmp = "temporary"
    del tmp
    for i in range(2):
        c = i
    if a > 1:
        d = "branch"
    else:
        d = "other"
    try:
        e = 1 / 0
    except ZeroDivisionError:
        e = "caught"
    x = x + " seen in class"

    def method(self):
        return x  # the global, not the class attribute


class Counter:
    count = 0
    len = "class attribute named len"

    def __init__(self):
        Counter.count += 1
        self.n = Counter.count

    @property
    def double(self):
        return self.n * 2

    @staticmethod
    def static():
        return len("abc")  # the builtin, not the class attribute

    @classmethod
    def klass(cls):
        return cls.__name__, cls.len


def decorate(cls):
    cls.decorated = True
    return cls


@decorate
class Decorated:
    pass


class Registry:
    subclasses = []

    def __init_subclass__(cls, tag=None, **kw):
        super().__init_subclass__(**kw)
        Registry.subclasses.append((cls.__name__, tag))


class One(Registry, tag="one"):
    pass


class Two(Registry):
    pass


class Slotted:
    __slots__ = ("p", "q")

    def __init__(self):
        self.p = 1


def make_local_class(v):
    class Local:
        value = v

        def get(self):
            return self.value, v
    return Local


class Outer:
    class Inner:
        def where(self):
            return type(self).__qualname__


def slots_check():
    s = Slotted()
    try:
        s.r = 3
    except AttributeError:
        r = "no attribute r"
    try:
        s.q
    except AttributeError:
        q = "q unset"
    return s.p, r, q


print(Stores.store_log)
print(Stores.a, Stores.b, Stores.c, Stores.d, Stores.e, hasattr(Stores, "tmp"))
print(Stores.x, "|", Stores().method())
c1, c2 = Counter(), Counter()
print(c1.n, c2.n, c2.double, Counter.static(), Counter.klass())
print(Decorated.decorated, Registry.subclasses)
print(slots_check())
L = make_local_class(7)
print(L().get(), L.__qualname__, L.__module__)
print(Outer.Inner().where(), Outer.Inner.__qualname__)
print("done")
