# pycopt-sample: min=3.12
"""Python 3.12: type parameter syntax (PEP 695), `type` aliases, f-strings
with nested quotes and backslashes (PEP 701), inlined comprehensions."""

from collections.abc import Callable, Hashable

type Pair[T] = tuple[T, T]
type Tree = dict[str, "Tree"] | None


class Stack[T]:
    def __init__(self) -> None:
        self.items: list[T] = []

    def push(self, item: T) -> "Stack[T]":
        self.items.append(item)
        return self

    def pop(self) -> T:
        return self.items.pop()


class Registry[K: Hashable, *Vs, **P]:
    entries: dict[K, tuple[*Vs]]


def first[T](items: list[T]) -> T:
    return items[0]


def clamp[N: (int, float)](value: N, low: N, high: N) -> N:
    return max(low, min(value, high))


def twice[**P, R](func: Callable[P, R]) -> Callable[P, list[R]]:
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> list[R]:
        return [func(*args, **kwargs) for _ in range(2)]
    return wrapper


@twice
def greet(name: str) -> str:
    return f"hi {name}"


def fstrings(words: list[str]) -> None:
    print(f"{'\n'.join(words)!r}")
    print(f"{f"{f"{len(words)}"}"} words: {", ".join(w.upper() for w in words)}")
    print(f"{
        len(words)  # a comment inside an f-string
        * 2
    }")


def main() -> None:
    s = Stack[int]().push(1).push(2)
    print(s.pop(), s.items, first(["x", "y"]), clamp(15, 0, 10), clamp(-0.5, 0.0, 1.0))
    print(greet("ada"))
    print(Pair.__type_params__, Pair.__value__, Tree.__value__)
    print(Stack.__type_params__, first.__type_params__, clamp.__type_params__[0].__constraints__)
    print([p.__name__ for p in Registry.__type_params__])
    fstrings(["alpha", "beta"])
    x = "outer"
    squares = [x * x for x in range(4)]
    print(squares, x)


if __name__ == "__main__":
    main()
