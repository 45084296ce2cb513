# Unbound locals: `del` of locals, conditional assignment, assignment only in
# a handler or after a raising call, loops that delete and re-bind, a local
# read in an exception handler when the try body raised before assigning it.
# On 3.12+ a plain LOAD_FAST of a possibly-unbound local crashes the
# interpreter instead of raising: every read here must stay checked.
from __future__ import print_function


def rt(v):
    return v


def boom():
    raise ValueError("boom")


def attempt(fn, *args):
    try:
        return fn(*args)
    except NameError as e:  # UnboundLocalError is a subclass
        return type(e).__name__


def conditional(flag):
    if flag:
        a = "assigned"
    return a


def deleted(flag):
    b = "value"
    if flag:
        del b
    return b


def delete_then_rebind(n):
    out = []
    c = "first"
    for i in range(n):
        out.append(c)
        del c
        if i % 2 == 0:
            c = "rebound %d" % i
    try:
        out.append(c)
    except NameError:
        out.append("unbound at end")
    return out


def assigned_after_raise():
    try:
        d = boom()
    except ValueError:
        pass
    return d


def assigned_in_handler(flag):
    try:
        if flag:
            boom()
    except ValueError:
        e2 = "from handler"
    return e2


def read_in_handler():
    try:
        f = 1
        boom()
        g = 2
    except ValueError:
        try:
            return f, g
        except NameError as e:
            return f, type(e).__name__


def loop_never_runs(items):
    for item in items:
        h = item
    return h


def while_assign(n):
    while n > 0:
        k = n
        n -= 1
    return k


def del_twice():
    m = 1
    del m
    try:
        del m
    except NameError as e:
        return "second del: " + type(e).__name__


def del_in_loop():
    out = []
    for i in range(3):
        x = i
        out.append(x)
        del x
    try:
        return out, x
    except NameError as e:
        return out, type(e).__name__


def augmented_unbound():
    try:
        q += 1  # noqa: F821
    except NameError as e:
        return type(e).__name__


def except_as_unbinds():
    try:
        boom()
    except ValueError as err:
        kind = type(err).__name__
    try:
        return kind, err  # unbound after the handler on 3.x
    except NameError as e:
        return kind, type(e).__name__


def many_paths(n):
    if n > 0:
        r = "positive"
    elif n < 0:
        pass
    else:
        r = "zero"
        del r
    return r


def with_enter_fails():
    class Bad(object):
        def __enter__(self):
            raise KeyError("enter")

        def __exit__(self, *a):
            return False
    try:
        with Bad() as w:
            pass
    except KeyError:
        pass
    return w


def unpack_fails():
    try:
        p, q = rt((1, 2, 3))
    except ValueError:
        pass
    return p


for label, fn, args in [
    ("conditional(True)", conditional, (True,)),
    ("conditional(False)", conditional, (False,)),
    ("deleted(False)", deleted, (False,)),
    ("deleted(True)", deleted, (True,)),
    ("delete_then_rebind(3)", delete_then_rebind, (3,)),
    ("delete_then_rebind(2)", delete_then_rebind, (2,)),
    ("assigned_after_raise", assigned_after_raise, ()),
    ("assigned_in_handler(True)", assigned_in_handler, (True,)),
    ("assigned_in_handler(False)", assigned_in_handler, (False,)),
    ("read_in_handler", read_in_handler, ()),
    ("loop_never_runs('ab')", loop_never_runs, ("ab",)),
    ("loop_never_runs('')", loop_never_runs, ("",)),
    ("while_assign(3)", while_assign, (3,)),
    ("while_assign(0)", while_assign, (0,)),
    ("del_twice", del_twice, ()),
    ("del_in_loop", del_in_loop, ()),
    ("augmented_unbound", augmented_unbound, ()),
    ("except_as_unbinds", except_as_unbinds, ()),
    ("many_paths(1)", many_paths, (1,)),
    ("many_paths(-1)", many_paths, (-1,)),
    ("many_paths(0)", many_paths, (0,)),
    ("with_enter_fails", with_enter_fails, ()),
    ("unpack_fails", unpack_fails, ()),
]:
    print(label, "->", attempt(fn, *args))
print("done")
