# assert statements: passing and failing asserts, messages evaluated only on
# failure, asserts whose test has side effects, asserts in loops, handlers
# and generators. `--strip asserts` (part of -O3) removes them, tests and
# side effects included, as `python -O` does; so under -O3 the expected
# output is the stock program compiled with optimize=1 (see README.md).
# This program must not use __debug__ (bytecode-level stripping cannot
# re-fold `if __debug__:` blocks the compiler already folded).
# An assert that cannot pass is printed as `~unconditional-asserts:`: from 3.10
# CPython deletes the code after it, so `--strip asserts` keeps it (README).
# observes: asserts unconditional-asserts
from __future__ import print_function

calls = []


def effect(v):
    calls.append(v)
    return v


def passing():
    assert True
    assert 1 + 1 == 2, "arithmetic"
    assert effect("passing test"), effect("message not evaluated")
    return "passing done"


def failing(x):
    try:
        assert x > 0, "x must be positive, got %r" % (x,)
        return "assert passed for %r" % (x,)
    except AssertionError as e:
        return "AssertionError: %s" % e


def no_message():
    try:
        assert effect(0)
    except AssertionError as e:
        return "AssertionError with args %r" % (e.args,)
    return "not raised"


def in_loop():
    count = 0
    for i in range(5):
        assert effect(i) < 10
        count += 1
    return count


def in_generator():
    for i in range(3):
        assert i != 2, "generator stops at 2"
        yield i


def collect():
    out = []
    try:
        for v in in_generator():
            out.append(v)
    except AssertionError as e:
        out.append("stopped: %s" % e)
    return out


def assert_false():
    try:
        assert False, "always fails"
    except AssertionError as e:
        return str(e)
    return "stripped"


def nested_handlers():
    try:
        try:
            assert [], "empty list is falsy"
        finally:
            calls.append("finally ran")
    except AssertionError:
        return "caught outside"
    return "no assertion"


for fn in (passing, lambda: failing(3), lambda: failing(-1), no_message,
           in_loop, collect, assert_false, nested_handlers):
    del calls[:]
    result = fn()
    if fn is assert_false:
        print("~unconditional-asserts:", result, calls)
    else:
        print(result, calls)
print("done")
