#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Print the repr() of every constant in a list of .pyc files, one per line.

Used by pycopt-core's differential test (core/tests/pyrepr.rs), which walks the
same files in the same order with pycopt_core::pyrepr and compares line by line.
Runs on Python 2.7 and 3.6+.  Run it with PYTHONHASHSEED=0: the order of
frozenset elements in a repr depends on string hashes, and pycopt reproduces the
hashes of seed 0.

Usage: dump_const_reprs.py FILELIST > OUT
  FILELIST holds one .pyc path per line (UTF-8).  The output has, for each file,
  a line "=== N" (N = index in the list, from 0), then one line per constant:
    - the constant's repr, walking co_consts depth first: a constant's own line,
      then (for a tuple) its elements' lines in order, (for a code object) its
      co_consts' lines, and (for a frozenset) its elements' lines sorted, since
      element order is what the repr of the frozenset itself tests;
    - a code object's address (" at 0x...") is written " at 0x0";
    - a repr that raises ValueError (an int over the 3.11+ digit limit) is
      written "!ValueError";
    - backslash, CR and LF in a line are written \\, \r and \n, so every
      line is one line and the escaping can be undone.
  A file that cannot be read is one line "!error".
"""
import marshal
import re
import sys

PY2 = sys.version_info[0] == 2
if PY2:
    HEADER = 8
elif sys.version_info[:2] == (3, 6):
    HEADER = 12
else:
    HEADER = 16

CODE_TYPE = type(compile("0", "<dump>", "eval"))
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+,")


def escape(text):
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def line(obj):
    try:
        text = repr(obj)
    except ValueError:
        return "!ValueError"
    if type(obj) is CODE_TYPE:
        text = ADDRESS.sub(" at 0x0,", text, 1)
    return escape(text)


def walk(obj, out):
    out.append(line(obj))
    kind = type(obj)
    if kind is tuple:
        for item in obj:
            walk(item, out)
    elif kind is frozenset:
        sub = []
        for item in obj:
            walk(item, sub)
        sub.sort()
        out.extend(sub)
    elif kind is CODE_TYPE:
        for item in obj.co_consts:
            walk(item, out)


def main():
    with open(sys.argv[1], "rb") as f:
        paths = [p for p in f.read().decode("utf-8").split("\n") if p]
    if PY2:
        write = sys.stdout.write
        encode = lambda s: s
    else:
        write = sys.stdout.buffer.write
        encode = lambda s: s.encode("utf-8", "backslashreplace")
    for index, path in enumerate(paths):
        out = ["=== %d" % index]
        try:
            with open(path, "rb") as f:
                data = f.read()
            code = marshal.loads(data[HEADER:])
        except Exception:
            out.append("!error")
        else:
            walk(code, out)
        out.append("")
        write(encode("\n".join(out)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
