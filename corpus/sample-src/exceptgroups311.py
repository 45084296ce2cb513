# pycopt-sample: min=3.11
"""Python 3.11: exception groups and `except*`, exception notes, and the
zero-cost exception tables every 3.11+ code object carries."""


class ValidationError(ValueError):
    pass


def validate(record):
    problems = []
    if not record.get("name"):
        problems.append(ValidationError("missing name"))
    if not isinstance(record.get("age"), int):
        err = TypeError("age must be an int")
        err.add_note(f"got {record.get('age')!r}")
        problems.append(err)
    elif record["age"] < 0:
        problems.append(ValidationError("negative age"))
    if problems:
        raise ExceptionGroup(f"record {record.get('id')}", problems)
    return record["name"]


def check_all(records):
    log = []
    for record in records:
        try:
            log.append(f"valid {validate(record)}")
        except* ValidationError as group:
            log.append(f"{group.message}: values {[str(e) for e in group.exceptions]}")
        except* TypeError as group:
            notes = [n for e in group.exceptions for n in getattr(e, "__notes__", [])]
            log.append(f"{group.message}: types {notes}")
    return log


def nested():
    try:
        try:
            raise ExceptionGroup("outer", [
                KeyError("k"),
                ExceptionGroup("inner", [OSError("disk"), KeyError("j")]),
            ])
        except* KeyError as keys:
            print("keys:", sorted(repr(e) for e in keys.exceptions[0:1]),
                  len(keys.exceptions))
    except* OSError as rest:
        print("left over:", [type(e).__name__ for e in rest.exceptions])
    else:
        print("no exception escaped")
    finally:
        print("nested done")


def split_demo():
    group = ExceptionGroup("mixed", [ValueError(1), TypeError(2), ValueError(3)])
    match, rest = group.split(ValueError)
    print(len(match.exceptions), [type(e).__name__ for e in rest.exceptions])
    sub = group.subgroup(lambda e: isinstance(e, TypeError))
    print(sub.message, sub.exceptions)


RECORDS = (
    {"id": 1, "name": "ada", "age": 36},
    {"id": 2, "name": "", "age": -1},
    {"id": 3, "name": "bob", "age": "old"},
    {"id": 4, "age": None},
)

if __name__ == "__main__":
    for line in check_all(RECORDS):
        print(line)
    nested()
    split_demo()
