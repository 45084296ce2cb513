# Calls: keyword arguments, defaults evaluated once (a mutable default that
# accumulates), keyword-only arguments, *args/**kwargs packing and unpacking,
# evaluation order of arguments, binding errors (TypeError messages), and
# the signature-related code fields every rewrite must keep
# (co_argcount, co_kwonlyargcount, co_varnames prefix, flags, defaults).
# requires: 3.6
import functools
import inspect

order = []


def ev(tag, value=None):
    order.append(tag)
    return tag if value is None else value


def defaults(a, b=2, c=ev("default c evaluated once", 3)):
    return a, b, c


def accumulate(item, bucket=[]):  # noqa: B006 - deliberate
    bucket.append(item)
    return list(bucket)


def kwonly(a, *, key, flag=False):
    return a, key, flag


def packing(first, *rest, **named):
    return first, rest, sorted(named.items())


def everything(a, b=1, *args, c, d=4, **kw):
    return a, b, args, c, d, sorted(kw.items())


def call_errors():
    out = []
    for thunk in (lambda: defaults(),
                  lambda: defaults(1, 2, 3, 4),
                  lambda: defaults(1, a=1),
                  lambda: kwonly(1, 2),
                  lambda: kwonly(1),
                  lambda: defaults(1, d=4),
                  lambda: packing(**{"first": 1, "x": 2})):
        try:
            out.append(repr(thunk()))
        except TypeError as e:
            out.append("TypeError: " + str(e))
    return out


def evaluation_order():
    del order[:]

    def f(*args, **kw):
        return len(args), sorted(kw)
    r = f(ev("a"), ev("b"), *[ev("star")], k=ev("k"), **{"z": ev("dstar")})
    return r, list(order)


def signature_fields(fn):
    code = fn.__code__
    return (
        fn.__name__,
        code.co_argcount,
        code.co_kwonlyargcount,
        code.co_varnames[:code.co_argcount + code.co_kwonlyargcount],
        bool(code.co_flags & inspect.CO_VARARGS),
        bool(code.co_flags & inspect.CO_VARKEYWORDS),
        fn.__defaults__,
        sorted((fn.__kwdefaults__ or {}).items()),
        str(inspect.signature(fn)),
    )


def decorator(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return ("wrapped", fn(*args, **kwargs))
    return wrapper


@decorator
def decorated(x, y=10, *, z=20):
    return x + y + z


print(defaults(1), defaults(1, c=9), defaults(b=5, a=0))
print(accumulate(1), accumulate(2), accumulate(3, []))
print(kwonly(1, key="k"), kwonly(a=0, flag=True, key=None))
print(packing(1), packing(1, 2, 3, x=4, y=5), packing(*(1, 2), **{"z": 3}))
print(everything(1, c=3), everything(1, 2, 3, 4, c=5, d=6, e=7))
for line in call_errors():
    print(line)
print(evaluation_order())
for fn in (defaults, accumulate, kwonly, packing, everything):
    print(signature_fields(fn))
print(decorated(1), decorated(1, 2, z=3), decorated.__name__, str(inspect.signature(decorated)))
print("done")
