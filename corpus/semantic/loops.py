# Loops: for/while with break, continue and else; nested loops with break out
# of the inner one; loop variables after the loop (and unbound after a loop
# over nothing); iterators with side effects; loop bodies that return; a
# `continue` inside try/finally; while loops whose condition becomes constant.
from __future__ import print_function


def for_else(items, stop):
    out = []
    for x in items:
        if x == stop:
            out.append("break at %r" % (x,))
            break
        if x % 2:
            continue
        out.append(x)
    else:
        out.append("else")
    return out


def while_else(n, stop):
    out = []
    i = 0
    while i < n:
        i += 1
        if i == stop:
            out.append("break")
            break
        if i % 3 == 0:
            continue
        out.append(i)
    else:
        out.append("else")
    return out, i


def nested(limit):
    found = []
    for i in range(4):
        for j in range(4):
            if j > i:
                break
            if (i + j) % 2:
                continue
            found.append((i, j))
            if len(found) >= limit:
                return found, "returned from inner loop"
        else:
            found.append("inner else %d" % i)
    else:
        found.append("outer else")
    return found, "finished"


def loop_variable_after(items):
    for item in items:
        pass
    try:
        return "last item %r" % (item,)
    except NameError as e:  # UnboundLocalError is a NameError
        return type(e).__name__


class Counting(object):
    def __init__(self, n):
        self.n = n
        self.log = []

    def __iter__(self):
        self.log.append("iter")
        return self

    def __next__(self):
        if self.n == 0:
            self.log.append("stop")
            raise StopIteration
        self.n -= 1
        self.log.append("next")
        return self.n

    next = __next__


def iterator_protocol():
    c = Counting(3)
    for _ in c:
        pass
    d = Counting(5)
    for v in d:
        if v == 3:
            break
    return c.log, d.log


def continue_in_try(n):
    out = []
    for i in range(n):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            out.append("body %d" % i)
        finally:
            out.append("finally %d" % i)
    else:
        out.append("else")
    return out


def while_true_return(items):
    it = iter(items)
    while True:
        try:
            x = next(it)
        except StopIteration:
            return "exhausted"
        if x < 0:
            return "negative %d" % x


def unpacking_loops():
    out = []
    for a, (b, c) in [(1, (2, 3)), (4, (5, 6))]:
        out.append(a + b + c)
    for k, v in sorted({"x": 1, "y": 2}.items()):
        out.append(k * v)
    for i, ch in enumerate("ab"):
        out.append((i, ch))
    return out


def modified_during_loop():
    items = [1, 2, 3]
    seen = []
    for x in items:
        seen.append(x)
        if x == 1:
            items.append(4)
    return seen


def countdown_while(n):
    steps = 0
    while n:
        n -= 1
        steps += 1
    return steps, n


print(for_else([0, 1, 2, 3, 4], 3))
print(for_else([0, 1, 2], 9))
print(for_else([], 0))
print(while_else(10, 5))
print(while_else(4, 99))
print(while_else(0, 99))
print(nested(99))
print(nested(3))
print(loop_variable_after("abc"))
print(loop_variable_after(""))
print(iterator_protocol())
print(continue_in_try(5))
print(continue_in_try(2))
print(while_true_return([1, 2, -3, 4]))
print(while_true_return([1, 2]))
print(unpacking_loops())
print(modified_during_loop())
print(countdown_while(7))
print("done")
