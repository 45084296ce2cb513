# Asserts in the shapes the compilers produce (boolean operators, chained
# comparisons, conditional expressions, comprehensions, loops, finally bodies,
# generators, class and module bodies). Under -O none of them runs: no
# AssertionError, and no side effect of a test (note() records evaluations).
# Boolean pieces on a continuation line use plain locals: up to 3.11 such a piece
# may stay (see strip-asserts), which evaluates only that local.
# versions: 3.6-3.13
calls = []


def note(x):
    calls.append(x)
    return x


def check(name, f, *args):
    try:
        r = f(*args)
        print(name, 'returned', r)
    except AssertionError as e:
        print(name, 'AssertionError', e.args)


def simple(a):
    assert note(a), 'simple %r' % (a,)
    return 'simple-ok'


def boolean(a, b):
    assert (a or
            note(b)), (
        'multi')
    assert note(a) and (note(b) or not a)
    return 'bool-ok'


def chained(a, b, c):
    assert note(a) < b < c, 'chain'
    return 'chain-ok'


def ifexp(a, b, c):
    assert (note(a) if b else note(c)), 'ifexp'
    return 'ifexp-ok'


def loop(items):
    total = 0
    for i in items:
        assert note(i) >= 0, i
        total += i
    while total > 100:
        assert total % 2 == 1
        total //= 2
    return total


def comp(xs):
    assert all([note(x) for x in xs]), 'comp'
    assert not any(x < 0 for x in xs)
    return len(xs)


def tryfinally(x):
    try:
        y = x * 2
    finally:
        assert note(x) != 3, 'finally'
    return y


def gen(n):
    for i in range(n):
        assert i != 2, 'gen'
        yield i


def same_line(a):
    x = 1; assert note(a)
    return x


def in_try(a):
    try:
        assert note(a), 'in try'
    except ZeroDivisionError:
        return 'handler'
    return 'after try'


class C:
    assert note('class body') == 'nope', 'class'
    v = 1


try:
    assert note('module') == 'nope', 'module level'
    print('module passed')
except AssertionError as e:
    print('module AssertionError', e)

check('simple', simple, 0)
check('simple', simple, 1)
check('boolean', boolean, 0, 0)
check('boolean', boolean, 1, 0)
check('chained', chained, 1, 2, 3)
check('chained', chained, 3, 2, 1)
check('ifexp', ifexp, 0, True, 1)
check('loop', loop, [1, 2, -3, 200])
check('loop', loop, [3, 300])
check('comp', comp, [1, 0, 2])
check('tryfinally', tryfinally, 3)
check('gen', lambda: list(gen(4)))
check('same_line', same_line, 0)
check('in_try', in_try, 0)
print('C.v', C.v)
print('calls', calls)
