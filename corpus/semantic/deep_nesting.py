# Deep nesting: eight nested loops with break/continue at several depths,
# ten nested try blocks (except, finally, else) with return and break in
# the middle, a function with fifty sequential handlers, and loops inside
# handlers inside loops. Exercises block stacks (<= 3.10), exception tables
# (3.11+) and handler depths.
from __future__ import print_function


def eight_loops():
    count = 0
    for a in range(2):
        for b in range(2):
            for c in range(2):
                if c and a:
                    continue
                for d in range(2):
                    for e in range(2):
                        for f in range(3):
                            if f == 2:
                                break
                            for g in range(2):
                                for h in range(2):
                                    if h:
                                        break
                                    count += 1
                        else:
                            count += 100
    return count


def ten_tries(fail_level):
    trail = []
    try:
        try:
            try:
                try:
                    try:
                        try:
                            try:
                                try:
                                    try:
                                        try:
                                            if fail_level == 10:
                                                raise ValueError(10)
                                            trail.append("core")
                                        finally:
                                            trail.append("f10")
                                    except KeyError:
                                        trail.append("never")
                                    if fail_level == 8:
                                        raise KeyError(8)
                                except KeyError as e:
                                    trail.append("caught KeyError %s at 8" % e)
                                else:
                                    trail.append("else 8")
                            finally:
                                trail.append("f7")
                                if fail_level == 7:
                                    return trail + ["return in finally 7"]
                        except ZeroDivisionError:
                            trail.append("never")
                    finally:
                        trail.append("f5")
                except IndexError:
                    trail.append("never")
            finally:
                trail.append("f3")
        except ValueError as e:
            trail.append("caught ValueError %s at 2" % e)
    finally:
        trail.append("f1")
    return trail


def fifty_handlers():
    caught = []
    exceptions = (ValueError, KeyError, IndexError, TypeError, ZeroDivisionError)
    for i in range(50):
        exc = exceptions[i % 5]
        try:
            raise exc(i)
        except ValueError:
            caught.append("V")
        except KeyError:
            caught.append("K")
        except IndexError:
            caught.append("I")
        except TypeError:
            caught.append("T")
        except ZeroDivisionError:
            caught.append("Z")
    return "".join(caught)


def handlers_in_loops():
    out = []
    for i in range(4):
        try:
            for j in range(4):
                try:
                    if j == i:
                        raise LookupError(j)
                    if j > i:
                        break
                except LookupError:
                    out.append("L%d%d" % (i, j))
                    for k in range(2):
                        try:
                            if k:
                                continue
                            out.append("k%d" % k)
                        finally:
                            out.append("fk%d" % k)
                    if i == 2:
                        raise RuntimeError(i)
        except RuntimeError as e:
            out.append("R%s" % e)
            continue
        finally:
            out.append("F%d" % i)
        out.append("end%d" % i)
    return out


def break_through_finallies():
    out = []
    while True:
        try:
            try:
                try:
                    out.append("inner")
                    break
                finally:
                    out.append("f3")
            finally:
                out.append("f2")
        finally:
            out.append("f1")
    return out


print(eight_loops())
for level in (0, 10, 8, 7):
    print(level, ten_tries(level))
print(fifty_handlers())
print(handlers_in_loops())
print(break_through_finallies())
print("done")
