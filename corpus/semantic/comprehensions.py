# Comprehensions (inlined into the enclosing function on 3.12+, PEP 709): an
# iteration variable shadowing an outer local, global or cell is restored
# afterwards, also when the comprehension raises; an outer local that is
# unbound before the comprehension stays unbound after it (the LOAD_FAST_CHECK
# trap); class bodies only see their own names in the first iterable;
# nested comprehensions; generator expressions are lazy; dict and set
# comprehensions (printed sorted).
# requires: 3.6

x = "global x"


def rt(v):
    return v


def shadows_local():
    x = "outer local"
    squares = [x * x for x in range(4)]
    return squares, x


def shadows_global():
    squares = [x * 2 for x in range(3)]
    return squares, x


def shadows_cell():
    v = "cell value"
    get = lambda: v  # noqa: E731
    values = [v for v in range(3)]
    return values, v, get()


def unbound_after(flag):
    values = [y for y in "ab"]
    if flag:
        y = "assigned later"
    try:
        return values, y
    except NameError as e:
        return values, type(e).__name__


def unbound_outer_used_inside():
    try:
        values = [z for _ in range(1)]
    except NameError as e:
        values = type(e).__name__
    z = 1
    return values, z


def restored_after_exception():
    x = "outer"
    try:
        [1 // (x - 1) for x in range(3)]
    except ZeroDivisionError:
        pass
    return x


def unbound_restored_after_exception():
    try:
        [1 // (w - 1) for w in range(3)]
    except ZeroDivisionError:
        pass
    try:
        return w
    except NameError as e:
        return type(e).__name__
    w = "never"  # noqa


def same_name_everywhere():
    x = [1, 2, 3]
    x = [x for x in x if x != 2]
    return x


def nested():
    matrix = [[i * j for j in range(3)] for i in range(3)]
    flat = [v for row in matrix for v in row if v]
    pairs = [(i, j) for i in range(3) for j in range(i)]
    return matrix, flat, pairs


def dict_and_set():
    d = {k: len(k) for k in ("a", "bb", "ccc")}
    s = {n % 3 for n in range(10)}
    return sorted(d.items()), sorted(s)


def lazy_generator():
    log = []

    def src():
        for i in range(3):
            log.append("yield %d" % i)
            yield i
    g = (i * 10 for i in src())
    log.append("created")
    first = next(g)
    log.append("first %d" % first)
    return list(g), log


def first_iterable_eager():
    try:
        (v for v in 1 / rt(0))
    except ZeroDivisionError:
        return "first iterable evaluated at creation"
    return "lazy"


def tuple_targets():
    pairs = [(1, "a"), (2, "b")]
    nums = [n for n, _ in pairs]
    swapped = {v: k for k, v in pairs}
    return nums, sorted(swapped.items())


def comprehension_in_loop():
    out = []
    for i in range(3):
        out.append([i + j for j in range(i)])
    return out, i


def conditional_comprehension(flag):
    if flag:
        data = [c.upper() for c in "abc"]
    else:
        data = None
    return data


v = "global v"


class ClassScope:
    v = "class v"
    first_iterable = [c for c in v]  # the first iterable sees the class
    body = [v for _ in range(1)]  # the body sees the global
    try:
        hidden = [hidden_name for _ in range(1)]  # noqa: F821
    except NameError:
        hidden = "NameError"
    hidden_name = "class-only name"


print(shadows_local())
print(shadows_global())
print(shadows_cell())
print(unbound_after(True))
print(unbound_after(False))
print(unbound_outer_used_inside())
print(restored_after_exception())
print(unbound_restored_after_exception())
print(same_name_everywhere())
print(nested())
print(dict_and_set())
print(lazy_generator())
print(first_iterable_eager())
print(tuple_targets())
print(comprehension_in_loop())
print(conditional_comprehension(True), conditional_comprehension(False))
print(ClassScope.first_iterable, ClassScope.body, ClassScope.hidden)
print("done")
