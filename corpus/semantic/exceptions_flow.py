# try/except/else/finally in every combination: nested handlers, handler
# order, exceptions in else and finally, re-raise, `raise from`, implicit
# __context__ chaining, the `except E as e` name being unbound afterwards,
# sys.exc_info() inside and after handlers, return values overridden by a
# `return` in finally, exceptions swallowed by `break`/`return` in finally.
# 3.x only (exception chaining).
# requires: 3.6
import sys

log = []


def chain(e):
    names = []
    seen = 0
    while e is not None and seen < 5:
        names.append(type(e).__name__ + ("(cause)" if e.__suppress_context__ else ""))
        e = e.__cause__ if e.__cause__ is not None else e.__context__
        seen += 1
    return " <- ".join(names)


def basic(kind):
    log.clear()
    try:
        log.append("try")
        if kind == "value":
            raise ValueError(kind)
        if kind == "key":
            raise KeyError(kind)
        if kind == "zero":
            1 / 0
        log.append("try end")
    except ValueError as e:
        log.append("except ValueError %s" % e)
    except (KeyError, IndexError) as e:
        log.append("except (KeyError, IndexError) %s" % type(e).__name__)
    except Exception:
        log.append("except Exception")
    else:
        log.append("else")
    finally:
        log.append("finally")
    return list(log)


def nested(kind):
    out = []
    try:
        try:
            try:
                if kind:
                    raise LookupError("inner")
                out.append("no error")
            except KeyError:
                out.append("not this handler")
            finally:
                out.append("inner finally")
        except LookupError as e:
            out.append("middle caught %s" % e)
            raise RuntimeError("from handler")
    except RuntimeError as e:
        out.append("outer caught %s; chain %s" % (e, chain(e)))
    return out


def else_raises():
    try:
        try:
            pass
        except ValueError:
            return "wrong handler"
        else:
            raise TypeError("raised in else")
        finally:
            log.append("finally after else")
    except TypeError as e:
        return "outer got %s (context %r)" % (e, e.__context__)


def return_in_finally(n):
    try:
        if n == 0:
            return "try"
        if n == 1:
            raise ValueError("swallowed")
    finally:
        if n < 3:
            return "finally overrides (%d)" % n
    return "after"


def break_in_finally():
    out = []
    for i in range(3):
        try:
            out.append(i)
            raise KeyError(i)
        finally:
            break  # swallows the KeyError
    out.append("loop done, exc_info %r" % (sys.exc_info()[0],))
    return out


def raise_from():
    try:
        try:
            {}["missing"]
        except KeyError as e:
            raise ValueError("converted") from e
    except ValueError as e:
        first = chain(e)
    try:
        try:
            {}["missing"]
        except KeyError:
            raise ValueError("hidden") from None
    except ValueError as e:
        second = chain(e) + " suppress=%s" % e.__suppress_context__
    return first, second


def name_unbound_after_except():
    e = "before"
    try:
        raise ValueError("x")
    except ValueError as e:
        inside = type(e).__name__
    try:
        return inside, e
    except NameError as err:
        return inside, type(err).__name__


def exc_info_states():
    states = [sys.exc_info()[0]]
    try:
        raise IndexError
    except IndexError:
        states.append(sys.exc_info()[0])
        try:
            raise KeyError
        except KeyError:
            states.append(sys.exc_info()[0])
        states.append(sys.exc_info()[0])
    states.append(sys.exc_info()[0])
    return [s.__name__ if s else None for s in states]


def reraise(kind):
    try:
        try:
            raise kind("first")
        except ValueError:
            log.append("handler re-raises")
            raise
    except Exception as e:
        return "%s %s" % (type(e).__name__, e)


def handler_order():
    out = []
    for exc in (KeyError, IndexError, LookupError, ZeroDivisionError):
        try:
            raise exc()
        except KeyError:
            out.append("KeyError")
        except LookupError:
            out.append("LookupError for %s" % exc.__name__)
        except ArithmeticError:
            out.append("ArithmeticError")
    return out


def finally_raises():
    try:
        try:
            raise ValueError("original")
        finally:
            raise KeyError("from finally")
    except KeyError as e:
        return chain(e)


def loop_with_handlers():
    out = []
    for i in range(5):
        try:
            if i % 2:
                raise ValueError(i)
            out.append("ok %d" % i)
        except ValueError:
            out.append("odd %d" % i)
            continue
        finally:
            out.append("f%d" % i)
        out.append("after %d" % i)
    return out


for kind in ("none", "value", "key", "zero"):
    print(kind, basic(kind))
print(nested(True))
print(nested(False))
log.clear()
print(else_raises(), log)
for n in range(4):
    print("return_in_finally", n, return_in_finally(n))
print(break_in_finally())
print(raise_from())
print(name_unbound_after_except())
print(exc_info_states())
log.clear()
print(reraise(ValueError), log)
log.clear()
print(reraise(TypeError), log)
print(handler_order())
print(finally_raises())
print(loop_with_handlers())
print("done")
