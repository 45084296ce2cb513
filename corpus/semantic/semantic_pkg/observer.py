# Frame introspection done from outside the observed file, which is what
# -O3's no-frame-introspection assumption assumes never happens (a debugger,
# a tracer, a test runner showing locals): used by outside_observer.py.
import sys


def watch(fn, *args):
    """Runs fn(*args) under a trace function that follows only fn's own frame.

    Returns (result, line events relative to fn's first line, the sorted local
    names and values seen at fn's return)."""
    code = fn.__code__
    first = code.co_firstlineno
    events = []
    at_return = []

    def tracer(frame, event, arg):
        if frame.f_code is not code:
            return None
        events.append("%s %d" % (event[:4], frame.f_lineno - first))
        if event == "return":
            at_return.append(sorted((k, repr(v)) for k, v in frame.f_locals.items()))
        return tracer

    sys.settrace(tracer)
    try:
        result = fn(*args)
    finally:
        sys.settrace(None)
    return result, " ".join(events), at_return


def peek():
    """The caller's locals, as a debugger's variables view would show them."""
    caller = sys._getframe(1)
    try:
        return sorted((k, repr(v)) for k, v in caller.f_locals.items())
    finally:
        del caller


def locals_at_failure(fn, *args):
    """Calls fn(*args), which must raise; returns the locals of the innermost
    frame of the traceback (what pytest --showlocals or Sentry show)."""
    try:
        fn(*args)
    except Exception:
        tb = sys.exc_info()[2]
        while tb.tb_next is not None:
            tb = tb.tb_next
        frame = tb.tb_frame
        del tb
        return sorted((k, repr(v)) for k, v in frame.f_locals.items())
    return None
