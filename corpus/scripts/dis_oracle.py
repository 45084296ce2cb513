"""Print CPython's own disassembly of .pyc files: the oracle for `pycopt dis`.

Usage: pythonX.Y dis_oracle.py < list-of-pyc-paths

For each path (one per line on stdin) prints a line `=== PATH`, then what
`dis.dis(code)` prints for the file's module code object, with memory addresses
replaced by 0x0 so outputs can be compared. On 2.7 and 3.6, whose `dis.dis` does not
descend into nested code objects, nested ones are printed the way 3.7+ prints them
(a blank line, `Disassembly of <code object ...>:`, then the disassembly), in the
same depth-first order. Run with PYTHONHASHSEED=0 (frozenset reprs depend on it).
Works on Python 2.7 and 3.6+.
"""
import dis
import marshal
import re
import sys

if sys.version_info[0] == 2:
    # io.StringIO accepts only unicode on 2.7, and 2.7's dis prints byte strings.
    from StringIO import StringIO
else:
    from io import StringIO

# Only the addresses in code object reprs: string constants may hold " at 0x..." too.
ADDR = re.compile(r"(<code object .*? at )0x[0-9a-fA-F]+(, file )")
HEADER = {2: 8, 6: 12}.get(sys.version_info[1] if sys.version_info[0] == 3 else 2, 16)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    return marshal.loads(data[HEADER:])


def disassemble_tree(code, out):
    recursive = sys.version_info >= (3, 7)
    old = sys.stdout
    sys.stdout = out
    try:
        if recursive:
            dis.dis(code)
            return
        dis.disassemble(code)
        stack = [c for c in reversed(code.co_consts) if hasattr(c, "co_code")]
        while stack:
            c = stack.pop()
            out.write("\nDisassembly of %r:\n" % (c,))
            dis.disassemble(c)
            stack.extend(x for x in reversed(c.co_consts) if hasattr(x, "co_code"))
    finally:
        sys.stdout = old


def main():
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        out = StringIO()
        try:
            disassemble_tree(load(path), out)
            text = out.getvalue()
        except Exception as e:  # report, keep going
            text = "!!! %s: %s\n" % (type(e).__name__, e)
        sys.stdout.write("=== %s\n" % path)
        sys.stdout.write(ADDR.sub(r"\g<1>0x0\g<2>", text))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
