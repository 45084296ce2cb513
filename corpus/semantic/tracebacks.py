# Line numbers seen at run time must survive every optimization level:
# traceback entries (relative to each function's first line) for exceptions
# raised in multi-line statements, nested calls, handlers, finally blocks,
# generators, comprehensions and lambdas; f_lineno at call sites; the line
# `warnings.warn(stacklevel=2)` attributes; and an uncaught exception at the
# end, whose traceback on stderr and exit status 1 are compared too.
# exit: 1
from __future__ import print_function

import sys
import traceback
import warnings


def where(tb):
    out = []
    for frame, lineno in traceback.walk_tb(tb) if hasattr(traceback, "walk_tb") else []:
        code = frame.f_code
        out.append("%s+%d" % (code.co_name, lineno - code.co_firstlineno))
    if not out:  # 2.7 has no walk_tb
        while tb is not None:
            code = tb.tb_frame.f_code
            out.append("%s+%d" % (code.co_name, tb.tb_lineno - code.co_firstlineno))
            tb = tb.tb_next
    return " > ".join(out)


def report(label, fn):
    try:
        fn()
    except Exception as e:
        print(label, type(e).__name__, where(sys.exc_info()[2]))
    else:
        print(label, "did not raise")


def multi_line_expression(d):
    total = (
        d["a"]
        + d["b"]
        + d["missing"]
    )
    return total


def nested_calls():
    def level2(x):
        return [1, 2][x]

    def level1(x):
        y = x + 1
        return level2(y + 1)
    return level1(0)


def in_handler():
    try:
        {}["k"]
    except KeyError:
        n = None
        n.attribute  # AttributeError while handling KeyError
    return "unreached"


def in_finally():
    try:
        x = 1
    finally:
        x = x + "s"
    return x


def in_generator():
    def gen():
        yield 1
        yield 1 // 0
    return list(gen())


def in_comprehension():
    values = [1, 2, 0, 4]
    return [10 // v
            for v in values]


def in_lambda():
    f = (lambda x:
         x.upper())
    return f(5)


def after_loop():
    acc = 0
    for i in range(3):
        acc += i
    while acc:
        acc -= 1
    raise RuntimeError("after loops")


def deep_branch(n):
    if n > 0:
        if n > 1:
            if n > 2:
                return int("not a number")
            return "two"
        return "one"
    return "zero"


def reraised():
    try:
        int("x")
    except ValueError:
        raise


def current_lines():
    first = sys._getframe().f_code.co_firstlineno
    lines = [sys._getframe().f_lineno - first]
    for i in range(2):
        lines.append(sys._getframe().f_lineno - first)
    lines.append(
        sys._getframe().f_lineno - first
    )
    return lines


def warn_here():
    warnings.warn("from warn_here", UserWarning, stacklevel=2)


def warning_lines():
    first = warning_lines.__code__.co_firstlineno
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_here()
        x = 1
        if x:
            warn_here()
    return [(str(w.message), w.lineno - first) for w in caught]


report("multi_line_expression", lambda: multi_line_expression({"a": 1, "b": 2}))
report("nested_calls", nested_calls)
report("in_handler", in_handler)
report("in_finally", in_finally)
report("in_generator", in_generator)
report("in_comprehension", in_comprehension)
report("in_lambda", in_lambda)
report("after_loop", after_loop)
report("deep_branch", lambda: deep_branch(3))
report("reraised", reraised)
print("current_lines", current_lines())
print("warning_lines", warning_lines())
print("uncaught next")
sys.stdout.flush()


def uncaught(depth):
    if depth:
        return uncaught(depth - 1)
    return {}["uncaught"]


uncaught(2)
