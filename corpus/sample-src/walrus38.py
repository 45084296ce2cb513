# pycopt-sample: min=3.8
"""Python 3.8: assignment expressions, positional-only parameters, f"{x=}",
`continue` in `finally`, unparenthesized starred `return` values."""

LINES = ("GET /index 200 512", "POST /items 201 48", "junk",
         "GET /big.iso 200 7340032", "GET /missing 404 0")


def chunks(data, size, /, *, pad=None):
    it = iter(data)
    while chunk := [x for _, x in zip(range(size), it)]:
        if pad is not None and (short := size - len(chunk)):
            chunk += [pad] * short
        yield chunk


def head_tail(first, *rest):
    return first, *rest[-2:]


def retries():
    log = []
    for attempt in range(4):
        try:
            if attempt % 2:
                raise RuntimeError(attempt)
            log.append(f"ok {attempt}")
        except RuntimeError as e:
            log.append(f"failed {e}")
        finally:
            if attempt < 3:
                continue
            log.append("last")
    return log


def main():
    records = [parts for line in LINES if len(parts := line.split()) == 4]
    sizes = [n for *_, s in records if (n := int(s)) > 100]
    print(f"{sizes=}", f"{len(records) = }", f"{sum(sizes)=:,}")
    total = 0
    print([(i, total := total + i * i) for i in range(5)], total)
    print(list(chunks(range(7), 3)), list(chunks("abcde", 2, pad="-")))
    print(head_tail(1, 2, 3, 4, 5), retries())


if __name__ == "__main__":
    main()
