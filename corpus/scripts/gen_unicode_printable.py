#!/usr/bin/env python3
"""Generate core/data/unicode/nonprintable-X.Y.txt for pycopt_core::pyrepr.

Python 3's repr() of a str escapes every character that is not printable
(str.isprintable(): Unicode categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs except
the space), and which characters are printable depends on the Unicode database
each Python version ships.  This script asks each interpreter itself, so the
tables are exactly the interpreters' own.

Usage:
    gen_unicode_printable.py [PYTHON ...]
With no arguments it uses ~/.pyenv/versions/3.*/bin/python3.* (one per minor
version, the highest patch release).  Each interpreter is run with --emit,
which prints its version and the inclusive ranges of non-printable code points;
the driver writes them to core/data/unicode/nonprintable-X.Y.txt (relative to
this repository), in this format:

    # comment lines (the interpreter's version and Unicode database version)
    START END      one inclusive range per line, lowercase hex, no 0x

The --emit side runs on any Python 3; the driver needs Python 3.6+.
"""
import glob
import os
import subprocess
import sys


def emit():
    import unicodedata

    ranges = []
    start = None
    for cp in range(0x110000):
        printable = chr(cp).isprintable()
        if not printable and start is None:
            start = cp
        elif printable and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    out = sys.stdout
    out.write("# CPython %s, Unicode %s\n" % (sys.version.split()[0], unicodedata.unidata_version))
    out.write("# non-printable code points (str.isprintable() is False), inclusive hex ranges\n")
    for a, b in ranges:
        out.write("%x %x\n" % (a, b))


def default_pythons():
    found = {}
    home = os.path.expanduser("~/.pyenv/versions")
    for path in glob.glob(os.path.join(home, "3.*", "bin", "python3.*")):
        name = os.path.basename(path)
        if not name[len("python"):].replace(".", "").isdigit():
            continue
        parts = os.path.basename(os.path.dirname(os.path.dirname(path))).split(".")
        key = (int(parts[0]), int(parts[1]))
        patch = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
        if key not in found or found[key][0] < patch:
            found[key] = (patch, path)
    return [found[k][1] for k in sorted(found)]


def main():
    if sys.argv[1:] == ["--emit"]:
        emit()
        return
    pythons = sys.argv[1:] or default_pythons()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    outdir = os.path.join(root, "core", "data", "unicode")
    os.makedirs(outdir, exist_ok=True)
    env = dict(os.environ)
    for var in ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP"):
        env.pop(var, None)
    for python in pythons:
        version = subprocess.check_output(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], env=env
        ).decode().strip()
        text = subprocess.check_output([python, os.path.abspath(__file__), "--emit"], env=env)
        path = os.path.join(outdir, "nonprintable-%s.txt" % version)
        with open(path, "wb") as f:
            f.write(text)
        print("%s: %s" % (python, path))


if __name__ == "__main__":
    main()
