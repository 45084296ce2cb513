"""Module docstring of docstrings.py."""
# __doc__ of the module, functions, classes, methods, properties, lambdas and
# nested functions; a function whose docstring is also a literal it returns
# (the constant is shared: stripping the docstring must keep the returned
# value); a first statement that is an f-string-free expression, not a
# docstring; code that builds help text from docstrings. `--strip
# docstrings` (part of -O3) removes them as `python -OO` does, so under -O3
# the expected output is the stock program compiled with optimize=2. No
# asserts and no __debug__ here (optimize=2 would drop them too).
# observes: docstrings
from __future__ import print_function


def documented():
    """Function docstring."""
    return 1


def shares_constant():
    "doc"
    return "doc"


def shares_constant_twice():
    """same text"""
    a = "same text"
    return a, "same text" == a


def undocumented():
    return None


def not_a_docstring():
    x = "first statement is an assignment"
    return x


def number_first():
    42
    return "a number is not a docstring"


class Documented(object):
    """Class docstring."""

    def method(self):
        """Method docstring."""
        return "method"

    @property
    def prop(self):
        """Property docstring."""
        return "prop"

    class Inner(object):
        """Inner class docstring."""


def outer():
    """Outer docstring."""
    def inner():
        """Inner function docstring."""
        return "inner"
    return inner


def help_text(*fns):
    lines = []
    for f in fns:
        doc = f.__doc__
        lines.append("%s: %s" % (f.__name__, doc.strip() if doc else "(no help)"))
    return lines


lam = lambda: "lambda"  # noqa: E731

print("module:", __doc__)
print("documented:", documented.__doc__, documented())
print("shares_constant:", shares_constant.__doc__, shares_constant())
print("shares_constant_twice:", shares_constant_twice.__doc__, shares_constant_twice())
print("undocumented:", undocumented.__doc__)
print("not_a_docstring:", not_a_docstring.__doc__, not_a_docstring())
print("number_first:", number_first.__doc__, number_first())
print("class:", Documented.__doc__)
print("method:", Documented.method.__doc__, Documented().method())
print("property:", Documented.prop.__doc__, Documented().prop)
print("inner class:", Documented.Inner.__doc__)
print("nested:", outer.__doc__, outer().__doc__, outer()())
print("lambda:", lam.__doc__, lam())
print("help:", help_text(documented, undocumented, shares_constant))
print("done")
