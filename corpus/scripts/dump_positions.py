# Prints what the running interpreter itself decodes from the side tables of every
# code object in the given .pyc files, in a plain text form that pycopt's
# `core/tests/side_tables.rs` regenerates from its own decoders and compares.
#
# Usage: pythonX.Y dump_positions.py FILE.pyc...
#
# Works on 2.7 and 3.6+. For each file:
#   file <path as given>
# then for each code object, depth first in co_consts order, each object once
# (the order of pycopt_core::code::walk_code):
#   code <co_name> <co_firstlineno> <len(co_code)>
#   S <offset> <line>                   dis.findlinestarts(code)   (before 3.10)
#   L <start> <end> <line|None>         code.co_lines()           (3.10+)
#   P <count> <line> <endline> <col> <endcol>
#                                       code.co_positions(), equal neighbours
#                                       counted together           (3.11+)
#   E <start> <end> <target> <depth> <lasti 0|1>
#                                       dis._parse_exception_table (3.11+)
from __future__ import print_function

import dis
import marshal
import sys
import types


def header_size():
    if sys.version_info[0] == 2:
        return 8
    if sys.version_info[:2] == (3, 6):
        return 12
    return 16


def show(value):
    return "None" if value is None else str(value)


def dump_code(code, out, seen):
    if id(code) in seen:
        return
    seen.add(id(code))
    out.append("code %s %d %d" % (code.co_name, code.co_firstlineno, len(code.co_code)))
    if sys.version_info[:2] < (3, 10):
        for offset, line in dis.findlinestarts(code):
            out.append("S %d %d" % (offset, line))
    else:
        for start, end, line in code.co_lines():
            out.append("L %d %d %s" % (start, end, show(line)))
    if sys.version_info[:2] >= (3, 11):
        last = None
        count = 0
        for pos in code.co_positions():
            if pos == last:
                count += 1
                continue
            if last is not None:
                out.append("P %d %s" % (count, " ".join(show(v) for v in last)))
            last = pos
            count = 1
        if last is not None:
            out.append("P %d %s" % (count, " ".join(show(v) for v in last)))
        for e in dis._parse_exception_table(code):
            out.append(
                "E %d %d %d %d %d" % (e.start, e.end, e.target, e.depth, 1 if e.lasti else 0)
            )
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            dump_code(const, out, seen)


def main(paths):
    out = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        out.append("file %s" % path)
        dump_code(marshal.loads(data[header_size():]), out, set())
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
