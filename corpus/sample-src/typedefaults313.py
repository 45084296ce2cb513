# pycopt-sample: min=3.13
"""Python 3.13: defaults for type parameters (PEP 696)."""

type Grid[T = int] = list[list[T]]


class Cache[K, V = str]:
    def __init__(self) -> None:
        self.data: dict[K, V] = {}

    def put(self, key: K, value: V) -> "Cache[K, V]":
        self.data[key] = value
        return self


def pick[T = float, *Ts = *tuple[int, ...], **P = [str]](value: T) -> T:
    return value


def main() -> None:
    params = Cache.__type_params__
    print([p.__name__ for p in params], [p.has_default() for p in params])
    print(params[1].__default__, Grid.__type_params__[0].__default__)
    print([str(p.__default__) for p in pick.__type_params__])
    print(Cache[int]().put(1, "one").data, pick(2.5))


if __name__ == "__main__":
    main()
