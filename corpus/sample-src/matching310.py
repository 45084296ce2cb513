# pycopt-sample: min=3.10
"""Python 3.10: structural pattern matching with every kind of pattern,
parenthesized context managers and `X | Y` union types."""

from contextlib import contextmanager


class Point:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y


class Color:
    RED = "red"
    GREEN = "green"


def classify(subject):
    match subject:
        case None:
            return "nothing"
        case True | False as flag:
            return f"bool {flag}"
        case 0 | 0.0:
            return "zero"
        case int(n) if n < 0:
            return f"negative {n}"
        case int() | float() as number:
            return f"number {number}"
        case Color.RED:
            return "the red constant"
        case str() as text if len(text) > 5:
            return f"long text {text[:5]}..."
        case "go" | "stop":
            return f"command {subject}"
        case []:
            return "empty sequence"
        case [x]:
            return f"singleton {x!r}"
        case [first, *_, last] if first == last:
            return f"bookends {first}"
        case [("add" | "sub") as op, int(a), int(b)]:
            return f"{op} -> {a + b if op == 'add' else a - b}"
        case [_, _, *rest]:
            return f"long sequence, {len(rest)} more"
        case {"type": "user", "name": str(name), **extra}:
            return f"user {name} with {sorted(extra)}"
        case {"type": kind}:
            return f"mapping of type {kind}"
        case Point(0, 0):
            return "origin"
        case Point(x=0, y=y) | Point(x=y, y=0):
            return f"on an axis at {y}"
        case Point(x, y) if x == y:
            return f"diagonal {x}"
        case Point():
            return "some point"
        case _:
            return f"unknown {type(subject).__name__}"


SUBJECTS = (
    None, True, 0, -3, 2.5, "red", "a long string", "go", [], ("solo",),
    [1, 2, 1], ["add", 2, 3], ["sub", 9, 4], [1, 2, 3, 4, 5],
    {"type": "user", "name": "ada", "age": 36, "admin": True},
    {"type": "robot"}, Point(0, 0), Point(0, 7), Point(4, 0), Point(2, 2),
    Point(1, 5), {1, 2},
)


@contextmanager
def tag(name, log):
    log.append(f"<{name}>")
    try:
        yield name
    finally:
        log.append(f"</{name}>")


def main():
    for subject in SUBJECTS:
        print(classify(subject))
    log = []
    with (
        tag("outer", log) as outer,
        tag("inner", log) as inner,
    ):
        log.append(f"{outer}+{inner}")
    print("".join(log))
    print([isinstance(v, int | str) for v in (1, "a", 2.0, None)])


if __name__ == "__main__":
    main()
