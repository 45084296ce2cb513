# 3.12 syntax: PEP 695 generic functions and classes and `type` aliases
# (annotation scopes: their own code objects, lazily evaluated alias values,
# class-scope names visible to them), PEP 701 f-strings (nested quotes,
# multi-line expressions), inlined comprehensions inside generic functions.
# requires: 3.12
log = []


def first[T](items: list[T]) -> T:
    return items[0]


class Box[T]:
    def __init__(self, item: T):
        self.item = item

    def map[U](self, fn) -> "Box[U]":
        return Box(fn(self.item))


type Pair[K, V] = tuple[K, V]
type Lazy = UndefinedUntilEvaluated  # noqa: F821


class Scoped:
    Alias = int
    type Inner = list[Alias]  # sees the class-scope name

    def generic[X: (int, str)](self, x: X) -> X:
        return x


def comprehension_in_generic[T](values: list[T]) -> list[T]:
    seen = "outer"
    out = [seen for seen in values]
    return out + [seen]


def fstrings():
    names = ["a", "b"]
    songs = {"x": 1}
    return [
        f"{'-'.join(names)}",
        f"{songs["x"]}",
        f"{
            len(names)
            + 1
        }",
        f"{f"{f"{1 + 1}"}"}",
    ]


print(first([3, 2]), Box(2).map(str).item)
print(first.__type_params__, Box.__type_params__, Box.map.__type_params__)
print(Pair.__name__, Pair.__type_params__, Pair.__value__)
try:
    Lazy.__value__
except NameError as e:
    print("lazy alias:", type(e).__name__)
print(Scoped.Inner.__value__, Scoped().generic("s"), Scoped.generic.__type_params__[0].__constraints__)
print(comprehension_in_generic([1, 2]))
print(fstrings())
print("done")
