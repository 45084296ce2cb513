# match statements: literal, capture, wildcard, value (dotted), sequence,
# mapping, class (with __match_args__) and or-patterns, `as` bindings,
# guards with side effects (evaluated only when the pattern matched),
# True/None matched by identity, -0.0 and 0 matching by equality, strings
# not matching sequence patterns, names bound by a successful case only.
# requires: 3.10
log = []


class Color:
    RED = "red"
    GREEN = "green"


class Point:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


def guard(tag, result):
    log.append(tag)
    return result


def classify(subject):
    match subject:
        case 0:
            return "zero (== 0)"
        case True:
            return "True (is True)"
        case None:
            return "None"
        case 1 | 2 | 3:
            return "small int"
        case "text":
            return "the string 'text'"
        case Color.RED:
            return "value pattern Color.RED"
        case str() as s if guard("str guard", len(s) > 3):
            return "long str %r" % s
        case str():
            return "short str"
        case []:
            return "empty sequence"
        case [x]:
            return "one element %r" % (x,)
        case [x, y, *rest] if guard("seq guard", x == y):
            return "starts with a pair %r, rest %r" % (x, rest)
        case (first, *_, last):
            return "sequence %r..%r" % (first, last)
        case {"kind": "circle", "r": r}:
            return "circle r=%r" % r
        case {"kind": kind, **others}:
            return "mapping kind=%r others=%r" % (kind, sorted(others))
        case Point(0, 0):
            return "origin"
        case Point(x=0, y=y):
            return "on the y axis at %r" % y
        case Point(x, y) if guard("point guard", x == y):
            return "diagonal %r" % x
        case Point():
            return "some point"
        case float(f) if f != f:
            return "nan"
        case int(n) | float(n):
            return "number %r" % (n,)
        case _:
            return "other %s" % type(subject).__name__


def binding_after_failed_match(subject):
    result = "unbound"
    match subject:
        case [a, 1]:
            result = "matched a=%r" % (a,)
        case _:
            pass
    return result


def nested_match(cmd):
    match cmd.split():
        case ["go", direction]:
            match direction:
                case "north" | "south":
                    return "vertical"
                case _:
                    return "horizontal"
        case ["quit" | "exit"]:
            return "bye"
        case _:
            return "unknown"


subjects = [0, 0.0, -0.0, False, True, None, 2, 7, "text", "red", "hello", "hi",
            [], [9], [4, 4, 5, 6], (1, 2, 3), {"kind": "circle", "r": 2},
            {"kind": "square", "side": 1, "color": "blue"}, Point(0, 0),
            Point(0, 5), Point(3, 3), Point(1, 2), float("nan"), 2.5, 10 ** 30,
            {1, 2}, "ab"]
for s in subjects:
    del log[:]
    print(repr(s) if not isinstance(s, (Point, set)) else type(s).__name__,
          "->", classify(s), log)
print(binding_after_failed_match([5, 1]), binding_after_failed_match([5, 2]))
print([nested_match(c) for c in ("go north", "go east", "exit", "jump")])
print("done")
