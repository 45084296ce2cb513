# Exception groups (3.11+): except* splitting a group between handlers, nested
# groups, unmatched parts re-raised, naked exceptions wrapped, raising inside
# an except* handler, finally with except*, split()/subgroup(), notes.
# requires: 3.11
def describe(eg):
    if isinstance(eg, BaseExceptionGroup):
        return "%s(%r, [%s])" % (type(eg).__name__, eg.message,
                                 ", ".join(describe(e) for e in eg.exceptions))
    return "%s(%s)" % (type(eg).__name__, eg)


def split_between_handlers():
    log = []
    try:
        raise ExceptionGroup("batch", [ValueError(1), TypeError(2), ValueError(3), KeyError(4)])
    except* ValueError as eg:
        log.append("ValueError part: " + describe(eg))
    except* (TypeError, KeyError) as eg:
        log.append("Type/Key part: " + describe(eg))
    return log


def unmatched_reraised():
    log = []
    try:
        try:
            raise ExceptionGroup("outer", [ValueError("v"), ExceptionGroup("inner", [OSError("o"), KeyError("k")])])
        except* OSError as eg:
            log.append("OSError part: " + describe(eg))
        finally:
            log.append("finally ran")
    except ExceptionGroup as rest:
        log.append("left over: " + describe(rest))
    return log


def naked_exception():
    result = None
    try:
        raise KeyError("naked")
    except* KeyError as eg:
        result = "wrapped as " + describe(eg)
    return result


def raise_in_handler():
    try:
        try:
            raise ExceptionGroup("g", [ValueError(1)])
        except* ValueError:
            raise RuntimeError("from handler")
    except ExceptionGroup as eg:
        return describe(eg)
    except RuntimeError as e:
        return "plain " + describe(e)


def split_api():
    eg = ExceptionGroup("all", [ValueError(1), TypeError(2), ExceptionGroup("sub", [ValueError(3)])])
    match, rest = eg.split(ValueError)
    sub = eg.subgroup(lambda e: isinstance(e, TypeError))
    return describe(match), describe(rest), describe(sub)


def notes():
    try:
        try:
            raise ValueError("with notes")
        except ValueError as e:
            e.add_note("first note")
            e.add_note("second note")
            raise
    except ValueError as e:
        return e.__notes__


def loop_with_except_star():
    out = []
    for i in range(3):
        try:
            if i == 1:
                raise ExceptionGroup("loop", [ValueError(i)])
            out.append("no error %d" % i)
        except* ValueError:
            out.append("caught in loop %d" % i)
        else:
            out.append("else %d" % i)
    return out


for fn in (split_between_handlers, unmatched_reraised, naked_exception,
           raise_in_handler, split_api, notes, loop_with_except_star):
    print(fn.__name__, "->", fn())
print("done")
