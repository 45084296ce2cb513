# pycopt-sample: pyc=unchecked-hash
"""A small RPN calculator, for Python 2.7 and 3.6+.

On 3.7+ the sample has this as unchecked-hash-based pycs (PEP 552).
"""
from __future__ import division, print_function

import operator

OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul,
             "/": operator.truediv, "%": operator.mod, "^": pow}


def evaluate(text):
    stack = []
    try:
        for token in text.split():
            if token in OPERATORS:
                b, a = stack.pop(), stack.pop()
                stack.append(OPERATORS[token](a, b))
            elif "." in token:
                stack.append(float(token))
            else:
                stack.append(int(token))
        value, = stack
    except ZeroDivisionError:
        return "division by zero"
    except (IndexError, ValueError) as e:
        return "bad input (%s)" % type(e).__name__
    return value


if __name__ == "__main__":
    for example in ("1 2 3 * +", "2 3 2 ^ ^", "2 100 ^ 1 -", "7 2 / 7 2 % -",
                    "1.5 4 2.25 - *", "10 5 5 - /", "1 +", "1 2", "x"):
        print("%-16s = %s" % (example, evaluate(example)))
