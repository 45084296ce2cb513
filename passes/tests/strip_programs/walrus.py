# A name bound only by a walrus inside an assert is unbound under -O: the load after
# it must raise UnboundLocalError, not read garbage (3.12+ code generation turns the
# LOAD_FAST into LOAD_FAST_CHECK once the store is gone).
# versions: 3.8-3.13


def f(x):
    assert (y := x + 1) > 0, 'positive'
    try:
        return y
    except NameError as e:
        return type(e).__name__


def g(xs):
    assert [z for z in xs if (w := z)] is not None
    try:
        return w
    except NameError as e:
        return type(e).__name__


print(f(1), g([1, 2]))
