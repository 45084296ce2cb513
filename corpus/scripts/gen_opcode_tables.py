#!/usr/bin/env python3
"""Generate pycopt's per-version opcode tables from the CPython interpreters themselves.

Writes one file per supported version, ``core/data/opcodes/cpython-X.Y.txt``, which
``core/build.rs`` turns into static Rust tables. A build never needs Python; this
script is run by hand when a table has to change, and by the test suite in
``--check`` mode to prove the committed files still match the interpreters.

Usage::

    python3 corpus/scripts/gen_opcode_tables.py            # regenerate every file
    python3 corpus/scripts/gen_opcode_tables.py --check    # compare, exit 1 on difference
    python3 corpus/scripts/gen_opcode_tables.py --stdlib   # extra: scan each stdlib (slow)
    python3 corpus/scripts/gen_opcode_tables.py --versions 3.11,3.12 ...

Exit status: 0 success; 1 verification failure or (``--check``) a difference from the
committed files; 3 a needed interpreter was not found.

How it works
------------
The driver runs under any python3. For each version it starts that version's
interpreter with a small worker (``WORKER`` below, valid Python 2.7 and 3.6+) that dumps
raw facts as JSON: ``opcode.opmap`` and the ``has*`` lists, inline cache counts, the
specialized / instrumented / pseudo opcode sets, ``dis.stack_effect`` sampled for every
opcode over arguments 0..600 plus some large ones (with ``jump=False`` and ``jump=True``
from 3.8 on), what ``dis.findlabels`` says each jump opcode targets, and how
``dis.get_instructions`` interprets sample arguments of every opcode (which reveals the
name-index shifts, compare shifts, packed local pairs, deref index spaces, ...).

The driver then derives each table entry from those facts, fits each stack effect to a
small formula in the argument (see ``FORMULA SYNTAX``), re-parses the formula text it is
about to write and checks it against every sampled ``dis.stack_effect`` value, and fails
if anything does not fit. It also compiles small probe programs with each interpreter and
checks that a stack-depth walk driven by the written tables reproduces ``co_stacksize``
exactly (this is what verifies the hand-held 2.7 / 3.6 / 3.7 jump-edge facts).

Facts that are not in the ``opcode``/``dis`` modules are held here, each in one
documented table: ``FLOW`` (block-flow classes), ``RUNTIME_ONLY`` (opcodes a compiler
never emits), ``ENCODING`` (2.7's instruction encoding versus wordcode),
``PY27_DEREF_INDEX``, ``PY27_STACK`` (2.7 has no ``dis.stack_effect``), ``EDGE_RULES``
(the jump/fall-through split before 3.8, where ``dis.stack_effect`` has no ``jump=``),
``DIS_GAPS`` (3.6/3.7 opcodes ``dis.stack_effect`` refuses) and ``WALK`` (how each
compiler walks the flow graph for ``co_stacksize``, needed to re-enact it). Each is
checked against the interpreters wherever it can be: FLOW against the jump lists,
RUNTIME_ONLY and FLOW against the versions whose ``opmap`` has each name, the stack
tables and WALK through ``STACK_PROBES``.

``--stdlib`` additionally compiles each interpreter's whole standard library, checks that
no forbidden opcode appears and that every jump lands on an instruction, and reports how
often the table-driven walk reproduces ``co_stacksize`` (a report, not a gate: the 2.7-3.9
peephole pass and 3.13's late RETURN_CONST/superinstruction forming change code after
``co_stacksize`` was computed, so a few walks come out lower).

FILE FORMAT
-----------
Line oriented, ``#`` starts a comment line. Header lines are ``key value...``:

    version 3.11              supported version this file describes
    interpreter 3.11.7        the interpreter it was generated from
    encoding wordcode         ``wordcode`` (2-byte units, 3.6+) or ``bytes3`` (2.7:
                              1-byte opcode, 2 more bytes of little-endian arg if it has one)
    extended_arg 144 8        EXTENDED_ARG opcode and how far its argument is shifted
    have_argument 90          opcode.HAVE_ARGUMENT
    cache 0                   the CACHE opcode (3.11+), else ``-``
    jump_unit code_units      jump arguments count ``bytes`` (<= 3.9) or ``code_units`` (3.10+)
    deref_index localsplus    deref arguments index ``cells_then_frees`` (<= 3.10: cellvars
                              then freevars) or ``localsplus`` (3.11+: the fast-locals space)
    stack_effects dis         ``dis``: both edges checked against dis.stack_effect(jump=...);
                              ``dis-max``/``dis-base``: dis has no jump=, per-edge split from
                              EDGE_RULES, checked by co_stacksize probes; ``derived``: 2.7
    cmp_op <,<=,...           opcode.cmp_op, comma-separated (entries may hold spaces)
    nb_ops NB_ADD:+,...       opcode._nb_ops (3.11+), ``name:symbol`` per entry
    intrinsic1 ... / intrinsic2 ...   opcode._intrinsic_{1,2}_descs (3.12+), comma-separated

Then one line per opcode number:

    op CODE NAME ARG CACHE KIND JUMP STACK STACK_JUMP FLOW
        ARG         ``arg`` or ``noarg`` (3.12+: opcode.hasarg; before: >= HAVE_ARGUMENT)
        CACHE       inline CACHE code units that follow the instruction
        KIND        how the argument is read: ``-`` (none), ``raw``, ``const``, ``name``,
                    ``name>>N`` (name index is arg >> N, low N bits are flags), ``local``,
                    ``local_pair`` (two 4-bit local indices), ``free``, ``compare``,
                    ``compare>>N``, ``binary_op``, ``intrinsic1``, ``intrinsic2``, ``jump``,
                    ``format_value``, ``convert_value``
        JUMP        ``-``, ``abs``, ``fwd`` or ``back`` (relative jumps count from the end of
                    the instruction including its inline caches)
        STACK       stack effect on the fall-through edge, a formula in the argument ``a``
        STACK_JUMP  stack effect on the jump edge (``-`` for non-jumps)
        FLOW        comma list of ``jump`` (unconditional), ``branch`` (conditional),
                    ``for_iter``, ``setup`` (pushes a block whose handler is the target),
                    ``return``, ``raise``, ``term`` (no fall-through), ``unwind`` (the
                    target's depth comes from the block stack), ``extended_arg``,
                    ``cache``, ``nop``; or ``-``
    forbidden CODE NAME KIND BASE   exists in the interpreter, never in a .pyc: KIND is
                    ``specialized``, ``instrumented`` or ``runtime``; BASE the opcode it stands
                    for, or ``-``
    pseudo NUMBER NAME              compiler-internal pseudo-op (>= 256, never a byte)
    cache_fields NAME F:N,F:N       the inline cache fields of opcode NAME (3.11+,
                    ``opcode._cache_format``): field names and code units, in order; the
                    units add up to the opcode's CACHE count

FORMULA SYNTAX
--------------
A sum of terms without spaces: an integer, or ``[K*]FEATURE`` where FEATURE is ``a`` (the
full argument), ``(a&M)``, ``(a>>S)``, ``[a&M]`` (1 if any bit of M is set, else 0) or
``[a==K]`` (1 if equal, else 0). Example: ``-1-[a&1]-[a&2]-[a&4]-[a&8]``.
"""

import argparse
import difflib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import threading

VERSIONS = [(2, 7), (3, 6), (3, 7), (3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_DIR = os.path.join(ROOT, "core", "data", "opcodes")
SCRIPT_REL = "corpus/scripts/gen_opcode_tables.py"

EXIT_MISMATCH = 1
EXIT_NO_INTERPRETER = 3

# Arguments at which every stack effect is sampled and verified: every value 0..600
# (so every low-byte bit pattern, alone and with bit 8 set), plus large ones reachable
# only through EXTENDED_ARG prefixes.
SAMPLE_ARGS = list(range(0, 601)) + [
    767, 1000, 1023, 1024, 4095, 4096, 65535, 65536, 70000, (1 << 20) + 5, (1 << 24) - 1,
]

# Arguments dis.get_instructions is asked to interpret, per opcode.
PROBE_ARGS = [0, 1, 2, 3, 4, 5, 16, 17, 32, 0x35]


def vset(*ranges):
    """Versions covered by ranges like ``"2.7-3.10"`` or ``"3.12"``."""
    out = set()
    for r in ranges:
        lo, _, hi = r.partition("-")
        lo = tuple(int(x) for x in lo.split("."))
        hi = tuple(int(x) for x in (hi or r).split(".")) if hi else lo
        out.update(v for v in VERSIONS if lo <= v <= hi)
    return frozenset(out)


ALL = vset("2.7-3.13")

# ---------------------------------------------------------------------------------------
# Facts not in the opcode/dis modules.
# ---------------------------------------------------------------------------------------

# Block-flow classes, by name and the versions whose opmap holds that name (checked: the
# name must exist in exactly those versions). Every opcode that dis treats as a jump
# (hasjrel/hasjabs/hasjump) must be exactly one of jump/branch/setup (checked).
#   jump     unconditional jump: control never falls through (so also ``term``)
#   branch   conditional jump: either edge (3.8 CALL_FINALLY, a call into a finally
#            block, is modelled as a branch, as the 3.8 compiler's stack walk does)
#   for_iter FOR_ITER: branch taken when the iterator is exhausted
#   setup    pushes a block (<= 3.10); the target is its handler, reached by unwinding
#   return   leaves the frame with a value; raise: raises or re-raises
#   term     ends the basic block: nothing after it is reached by falling through
#            (return, raise, re-raise, unconditional jump, 2.7-3.7 BREAK_LOOP whose
#            target comes from the block stack)
#   unwind   leaves through the block stack (2.7-3.7 BREAK_LOOP, CONTINUE_LOOP): whatever
#            the stack holds is popped down to the loop block's level, so the depth at the
#            target is the loop's own, not this opcode's depth plus an effect
FLOW = [
    ("JUMP_FORWARD", ALL, "jump,term"),
    ("JUMP_ABSOLUTE", vset("2.7-3.10"), "jump,term"),
    ("CONTINUE_LOOP", vset("2.7-3.7"), "jump,term,unwind"),
    ("JUMP_BACKWARD", vset("3.11-3.13"), "jump,term"),
    ("JUMP_BACKWARD_NO_INTERRUPT", vset("3.11-3.13"), "jump,term"),
    ("POP_JUMP_IF_FALSE", vset("2.7-3.10", "3.12-3.13"), "branch"),
    ("POP_JUMP_IF_TRUE", vset("2.7-3.10", "3.12-3.13"), "branch"),
    ("POP_JUMP_IF_NONE", vset("3.12-3.13"), "branch"),
    ("POP_JUMP_IF_NOT_NONE", vset("3.12-3.13"), "branch"),
    ("POP_JUMP_FORWARD_IF_FALSE", vset("3.11"), "branch"),
    ("POP_JUMP_FORWARD_IF_TRUE", vset("3.11"), "branch"),
    ("POP_JUMP_FORWARD_IF_NONE", vset("3.11"), "branch"),
    ("POP_JUMP_FORWARD_IF_NOT_NONE", vset("3.11"), "branch"),
    ("POP_JUMP_BACKWARD_IF_FALSE", vset("3.11"), "branch"),
    ("POP_JUMP_BACKWARD_IF_TRUE", vset("3.11"), "branch"),
    ("POP_JUMP_BACKWARD_IF_NONE", vset("3.11"), "branch"),
    ("POP_JUMP_BACKWARD_IF_NOT_NONE", vset("3.11"), "branch"),
    ("JUMP_IF_FALSE_OR_POP", vset("2.7-3.11"), "branch"),
    ("JUMP_IF_TRUE_OR_POP", vset("2.7-3.11"), "branch"),
    ("JUMP_IF_NOT_EXC_MATCH", vset("3.9-3.10"), "branch"),
    ("SEND", vset("3.11-3.13"), "branch"),
    ("CALL_FINALLY", vset("3.8"), "branch"),
    ("FOR_ITER", ALL, "branch,for_iter"),
    ("SETUP_LOOP", vset("2.7-3.7"), "setup"),
    ("SETUP_EXCEPT", vset("2.7-3.7"), "setup"),
    ("SETUP_FINALLY", vset("2.7-3.10"), "setup"),
    ("SETUP_WITH", vset("2.7-3.10"), "setup"),
    ("SETUP_ASYNC_WITH", vset("3.6-3.10"), "setup"),
    ("RETURN_VALUE", ALL, "return,term"),
    ("RETURN_CONST", vset("3.12-3.13"), "return,term"),
    ("RAISE_VARARGS", ALL, "raise,term"),
    ("RERAISE", vset("3.9-3.13"), "raise,term"),
    ("BREAK_LOOP", vset("2.7-3.7"), "term,unwind"),
    ("EXTENDED_ARG", ALL, "extended_arg"),
    ("CACHE", vset("3.11-3.13"), "cache"),
    ("NOP", ALL, "nop"),
]
FLOW_WORDS = ["jump", "branch", "for_iter", "setup", "return", "raise", "term", "unwind",
              "extended_arg", "cache", "nop"]

# Opcodes in opcode.opmap that no compiler emits and that marshal never writes, so a .pyc
# holding one is corrupt or crafted (checked: present in exactly these versions; the
# --stdlib scan confirms none appears in compiled code).
#   INTERPRETER_EXIT  ends the interpreter's own entry trampoline (3.12+)
#   RESERVED          placeholder number kept free by the 3.12+ code generator
#   ENTER_EXECUTOR    written over JUMP_BACKWARD at run time when an optimizer executor is
#                     attached (3.13); the de-optimized code marshal writes has the original
RUNTIME_ONLY = [
    ("INTERPRETER_EXIT", vset("3.12-3.13")),
    ("RESERVED", vset("3.12-3.13")),
    ("ENTER_EXECUTOR", vset("3.13")),
]

# Instruction encoding, which the opcode module does not state:
#   2.7: an opcode byte, followed (only if op >= HAVE_ARGUMENT) by a 16-bit little-endian
#   argument; EXTENDED_ARG supplies the high 16 bits (the 2.7 dis module multiplies its
#   argument by 65536). 3.6+: wordcode, each instruction is opcode byte + argument byte,
#   and each EXTENDED_ARG prefix shifts its byte in from the left by 8 bits.
ENCODING = {
    (2, 7): ("bytes3", 16),
}
ENCODING_DEFAULT = ("wordcode", 8)

# 2.7 deref arguments: "the name of the variable is co_cellvars[i] if i is less than the
# length of co_cellvars, otherwise co_freevars[i - len(co_cellvars)]" (2.7 dis docs). From
# 3.6 on this is measured with dis.get_instructions.
PY27_DEREF_INDEX = "cells_then_frees"

# Stack effects of 2.7, which has no dis.stack_effect: the numbers the 2.7 compiler
# itself uses to compute co_stacksize (its opcode_stack_effect table plus its stack
# walk's jump-edge rules: FOR_ITER's exit edge pops the iterator, SETUP_EXCEPT and
# SETUP_FINALLY handlers start with the three exception values pushed, and the
# JUMP_IF_*_OR_POP fall-through edge pops the tested value). Opcodes the compiler never
# emits (STOP_CODE, NOP, EXTENDED_ARG) are 0. Verified only indirectly: the co_stacksize
# probes below must come out exactly, and --stdlib reports how often a walk driven by this
# table reproduces co_stacksize across the 2.7 standard library.
# name -> (fall-through formula, jump-edge formula or None for "same").
PY27_STACK = {
    "STOP_CODE": ("0", None), "NOP": ("0", None), "EXTENDED_ARG": ("0", None),
    "POP_TOP": ("-1", None), "ROT_TWO": ("0", None), "ROT_THREE": ("0", None),
    "DUP_TOP": ("1", None), "ROT_FOUR": ("0", None),
    "UNARY_POSITIVE": ("0", None), "UNARY_NEGATIVE": ("0", None), "UNARY_NOT": ("0", None),
    "UNARY_CONVERT": ("0", None), "UNARY_INVERT": ("0", None),
    "SET_ADD": ("-1", None), "LIST_APPEND": ("-1", None), "MAP_ADD": ("-2", None),
    "BINARY_POWER": ("-1", None), "BINARY_MULTIPLY": ("-1", None),
    "BINARY_DIVIDE": ("-1", None), "BINARY_MODULO": ("-1", None),
    "BINARY_ADD": ("-1", None), "BINARY_SUBTRACT": ("-1", None),
    "BINARY_SUBSCR": ("-1", None), "BINARY_FLOOR_DIVIDE": ("-1", None),
    "BINARY_TRUE_DIVIDE": ("-1", None), "INPLACE_FLOOR_DIVIDE": ("-1", None),
    "INPLACE_TRUE_DIVIDE": ("-1", None),
    "SLICE+0": ("0", None), "SLICE+1": ("-1", None), "SLICE+2": ("-1", None),
    "SLICE+3": ("-2", None),
    "STORE_SLICE+0": ("-2", None), "STORE_SLICE+1": ("-3", None),
    "STORE_SLICE+2": ("-3", None), "STORE_SLICE+3": ("-4", None),
    "DELETE_SLICE+0": ("-1", None), "DELETE_SLICE+1": ("-2", None),
    "DELETE_SLICE+2": ("-2", None), "DELETE_SLICE+3": ("-3", None),
    "INPLACE_ADD": ("-1", None), "INPLACE_SUBTRACT": ("-1", None),
    "INPLACE_MULTIPLY": ("-1", None), "INPLACE_DIVIDE": ("-1", None),
    "INPLACE_MODULO": ("-1", None), "STORE_SUBSCR": ("-3", None),
    "STORE_MAP": ("-2", None), "DELETE_SUBSCR": ("-2", None),
    "BINARY_LSHIFT": ("-1", None), "BINARY_RSHIFT": ("-1", None),
    "BINARY_AND": ("-1", None), "BINARY_XOR": ("-1", None), "BINARY_OR": ("-1", None),
    "INPLACE_POWER": ("-1", None), "GET_ITER": ("0", None),
    "PRINT_EXPR": ("-1", None), "PRINT_ITEM": ("-1", None), "PRINT_NEWLINE": ("0", None),
    "PRINT_ITEM_TO": ("-2", None), "PRINT_NEWLINE_TO": ("-1", None),
    "INPLACE_LSHIFT": ("-1", None), "INPLACE_RSHIFT": ("-1", None),
    "INPLACE_AND": ("-1", None), "INPLACE_XOR": ("-1", None), "INPLACE_OR": ("-1", None),
    "BREAK_LOOP": ("0", None),
    # The handler of a with block starts with __exit__ and up to three exception values.
    "SETUP_WITH": ("4", None),
    "WITH_CLEANUP": ("-1", None),
    "LOAD_LOCALS": ("1", None), "RETURN_VALUE": ("-1", None), "IMPORT_STAR": ("-1", None),
    "EXEC_STMT": ("-3", None), "YIELD_VALUE": ("0", None), "POP_BLOCK": ("0", None),
    # Pops up to three values (an exception), or fewer after a return/break/continue.
    "END_FINALLY": ("-3", None),
    "BUILD_CLASS": ("-2", None),
    "STORE_NAME": ("-1", None), "DELETE_NAME": ("0", None),
    "UNPACK_SEQUENCE": ("-1+a", None),
    "FOR_ITER": ("1", "-1"),
    "STORE_ATTR": ("-2", None), "DELETE_ATTR": ("-1", None),
    "STORE_GLOBAL": ("-1", None), "DELETE_GLOBAL": ("0", None),
    "DUP_TOPX": ("a", None), "LOAD_CONST": ("1", None), "LOAD_NAME": ("1", None),
    "BUILD_TUPLE": ("1-a", None), "BUILD_LIST": ("1-a", None), "BUILD_SET": ("1-a", None),
    # The argument is only a size hint.
    "BUILD_MAP": ("1", None),
    "LOAD_ATTR": ("0", None), "COMPARE_OP": ("-1", None),
    "IMPORT_NAME": ("-1", None), "IMPORT_FROM": ("1", None),
    "JUMP_FORWARD": ("0", None), "JUMP_ABSOLUTE": ("0", None),
    "JUMP_IF_TRUE_OR_POP": ("-1", "0"), "JUMP_IF_FALSE_OR_POP": ("-1", "0"),
    "POP_JUMP_IF_FALSE": ("-1", None), "POP_JUMP_IF_TRUE": ("-1", None),
    "LOAD_GLOBAL": ("1", None), "CONTINUE_LOOP": ("0", None),
    "SETUP_LOOP": ("0", None), "SETUP_EXCEPT": ("0", "3"), "SETUP_FINALLY": ("0", "3"),
    "LOAD_FAST": ("1", None), "STORE_FAST": ("-1", None), "DELETE_FAST": ("0", None),
    "RAISE_VARARGS": ("-a", None),
    # CALL_FUNCTION*: low byte positional count, high byte keyword count (2 items each).
    "CALL_FUNCTION": ("-(a&255)-2*(a>>8)", None),
    "CALL_FUNCTION_VAR": ("-1-(a&255)-2*(a>>8)", None),
    "CALL_FUNCTION_KW": ("-1-(a&255)-2*(a>>8)", None),
    "CALL_FUNCTION_VAR_KW": ("-2-(a&255)-2*(a>>8)", None),
    "MAKE_FUNCTION": ("-a", None), "MAKE_CLOSURE": ("-1-a", None),
    "BUILD_SLICE": ("-1-[a==3]", None),
    "LOAD_CLOSURE": ("1", None), "LOAD_DEREF": ("1", None), "STORE_DEREF": ("-1", None),
}

# Per-edge stack effects before 3.8, where dis.stack_effect takes no ``jump=``.
# Everything not listed has the same effect on both edges, equal to dis.stack_effect.
#   "base": 3.6's compiler adds dis.stack_effect on every edge, then adjusts: FOR_ITER's
#           exit edge -2 (pops the iterator and the unpushed item), SETUP_EXCEPT and
#           SETUP_FINALLY handlers +3 on top of the 6 already counted, and the fall-through
#           of JUMP_IF_*_OR_POP -1. Checked: the listed edge minus its adjustment equals
#           dis.stack_effect.
#   "max":  3.7's compiler has per-edge effects and dis.stack_effect reports their
#           maximum. Checked: max(fall-through, jump) equals dis.stack_effect.
# Both are also checked by the co_stacksize probes.
EDGE_RULES = {
    (3, 6): ("base", {
        "FOR_ITER": ("0", "-2"),
        "SETUP_EXCEPT": ("0", "+3"),
        "SETUP_FINALLY": ("0", "+3"),
        "JUMP_IF_TRUE_OR_POP": ("-1", "0"),
        "JUMP_IF_FALSE_OR_POP": ("-1", "0"),
    }),
    (3, 7): ("max", {
        "FOR_ITER": ("1", "-1"),
        "JUMP_IF_TRUE_OR_POP": ("-1", "0"),
        "JUMP_IF_FALSE_OR_POP": ("-1", "0"),
        "SETUP_EXCEPT": ("0", "6"),
        "SETUP_FINALLY": ("0", "6"),
        "SETUP_WITH": ("1", "6"),
        "SETUP_ASYNC_WITH": ("0", "5"),
    }),
}

# Opcodes for which dis.stack_effect raises on 3.6/3.7 because the compiler never emits
# them itself (the peephole pass writes NOPs, the assembler EXTENDED_ARGs); neither
# touches the stack. Checked: dis.stack_effect really raises for exactly these.
DIS_GAPS = {
    (3, 6): {"NOP": "0", "EXTENDED_ARG": "0"},
    (3, 7): {"NOP": "0", "EXTENDED_ARG": "0"},
}

# How each compiler walks the flow graph to compute co_stacksize (the --check probes
# reproduce co_stacksize with the same walk, so the walk is part of what they verify):
#   "dfs"       2.7 and 3.6: a depth-first search that re-walks a block whenever it is
#               reached deeper than before, but never re-enters a block already on the
#               current path (so a loop whose body nets a positive effect - 3.6 counts
#               SETUP_FINALLY as +6 on both edges - is walked once), and that keeps
#               walking into the next block after everything but JUMP_ABSOLUTE and
#               JUMP_FORWARD, even after a return.
#   "worklist"  3.7+: every block gets one start depth; nothing is walked past an
#               opcode that ends the block; 3.7's CONTINUE_LOOP does not propagate.
WALK = {(2, 7): "dfs", (3, 6): "dfs"}

# Programs whose co_stacksize each interpreter computes; a stack walk over their bytecode
# driven by the generated table must give exactly the same number for every code object.
# They exercise every jump-edge rule above, in every version that has the construct.
STACK_PROBES = [
    ("for", "def f(x):\n    for i in x:\n        g(i, i)\n    return 1\n"),
    ("while", "def f(a):\n    while a:\n        a = a - 1\n    else:\n        a = 2\n"),
    ("break", "def f(x):\n    for i in x:\n        if i:\n            break\n        if g(i):\n            continue\n        h(i)\n"),
    ("or_add", "def f(a, b, c):\n    return (a or b) + c\n"),
    ("and_add", "def f(a, b, c):\n    return (a and b) + c\n"),
    ("try_except", "def f():\n    try:\n        g()\n    except E as e:\n        h(e)\n"),
    ("try_bare", "def f():\n    try:\n        pass\n    except:\n        pass\n"),
    ("try_finally", "def f():\n    try:\n        pass\n    finally:\n        pass\n"),
    ("try_finally_return", "def f(x):\n    try:\n        return x + 1\n    finally:\n        g()\n"),
    ("with", "def f(x):\n    with x as y:\n        g(y)\n"),
    ("with_nested", "def f(x):\n    for i in x:\n        with i:\n            try:\n                g(1, 2, 3)\n            except E:\n                continue\n"),
    ("compare_chain", "def f(a, b, c):\n    return a < b < c\n"),
    ("cond_expr", "def f(a, b):\n    return [b if a else -b, a]\n"),
    ("calls", "def f(a, *b, **c):\n    return g(a, 1, x=2, *b, **c)\n"),
    ("comprehension", "def f(x):\n    return [i for i in x if i], {i: i for i in x}\n"),
    ("closure", "def f(a):\n    def g(b):\n        return a + b\n    return g\n"),
    ("class", "class C(object):\n    x = 1\n    def m(self):\n        return self.x\n"),
    ("generator", "def f(x):\n    for i in x:\n        yield i\n"),
    ("module", "import os\nfrom sys import path\nx = [1, 2, 3]\nif x:\n    y = x[0]\n"),
    ("py3_async_with", "async def f(x):\n    async with x as y:\n        await y\n"),
    ("py3_async_for", "async def f(x):\n    async for i in x:\n        await i\n"),
    ("py3_yield_from", "def f(x):\n    yield from x\n"),
    ("py3_fstring", "def f(a, b):\n    return f'{a!r:>{b}} {a}'\n"),
    ("py3_unpack_ex", "def f(x):\n    a, *b, c = x\n    return [*b, *x]\n"),
    ("py3_try_finally_loop", "def f(x):\n    for i in x:\n        try:\n            if i:\n                break\n        finally:\n            g()\n"),
    ("py310_match", "def f(x):\n    match x:\n        case [a, b]:\n            return a\n        case {'k': v}:\n            return v\n        case C(p=1):\n            return 0\n"),
    ("py311_except_star", "def f():\n    try:\n        g()\n    except* E as e:\n        h(e)\n"),
]


# ---------------------------------------------------------------------------------------
# The worker: runs inside each interpreter (Python 2.7 and 3.6+), prints JSON.
# ---------------------------------------------------------------------------------------

WORKER = r'''
from __future__ import print_function
import dis, json, opcode, os, sys

PY2 = sys.version_info[0] == 2

PROBE_SRC = (
    "def outer():\n"
    "    x0 = x1 = x2 = 0\n"
    "    def f(v0, v1, v2, v3, v4, v5, v6, v7):\n"
    "        y0 = y1 = y2 = 0\n"
    "        def g():\n"
    "            return y0, y1, y2\n"
    "        return (n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, x0, x1, x2,\n"
    "                'k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8')\n"
    "    return f\n"
)


def takes_arg(op):
    if hasattr(opcode, "hasarg"):
        return op in opcode.hasarg
    return op >= opcode.HAVE_ARGUMENT


def cache_entries():
    ice = getattr(opcode, "_inline_cache_entries", None)
    if ice is None:
        return {}
    if isinstance(ice, dict):
        return dict((k, v) for k, v in ice.items() if v)
    return dict((opcode.opname[i], n) for i, n in enumerate(ice) if n)


def stack_effects(ops, args):
    se = getattr(dis, "stack_effect", None)
    out = {}
    if se is None:
        return out
    edges = (False, True) if sys.version_info >= (3, 8) else (None,)
    for op in ops:
        per = []
        for jump in edges:
            vals = []
            for a in (args if takes_arg(op) else [None]):
                try:
                    if jump is None:
                        v = se(op) if a is None else se(op, a)
                    else:
                        v = se(op, a, jump=jump)
                except (ValueError, TypeError):
                    v = None
                vals.append(v)
            per.append(vals)
        out[str(op)] = per
    return out


def jump_labels(ops):
    nop = opcode.opmap["NOP"]
    out = {}
    for op in ops:
        res = []
        for arg in (3, 7):
            pos = 20
            if PY2:
                raw = [nop] * pos + [op, arg & 255, arg >> 8] + [nop] * 40
                code = "".join(chr(c) for c in raw)
            else:
                raw = [nop, 0] * (pos // 2) + [op, arg] + [0, 0] * 40
                code = bytes(bytearray(raw))
            res.append([pos, arg, sorted(dis.findlabels(code))])
        out[str(op)] = res
    return out


def probe_code():
    ns = {}
    exec(compile(PROBE_SRC, "<probe>", "exec"), ns)
    return ns["outer"]().__code__


def with_code(co, raw):
    if hasattr(co, "replace"):
        kw = {"co_code": raw}
        if sys.version_info >= (3, 11):
            kw["co_exceptiontable"] = b""
            kw["co_linetable"] = b""
        elif sys.version_info >= (3, 10):
            kw["co_linetable"] = b""
        else:
            kw["co_lnotab"] = b""
        return co.replace(**kw)
    import types
    return types.CodeType(co.co_argcount, co.co_kwonlyargcount, co.co_nlocals,
                          co.co_stacksize, co.co_flags, raw, co.co_consts, co.co_names,
                          co.co_varnames, co.co_filename, co.co_name, co.co_firstlineno,
                          b"", co.co_freevars, co.co_cellvars)


def arg_probes(ops, cache, args, nargs_extra):
    if PY2:
        return None
    co = probe_code()
    nop = opcode.opmap["NOP"]
    out = {}
    for op in ops:
        name = opcode.opname[op]
        # Building code objects that hold these can crash the interpreter.
        if not takes_arg(op) or name.startswith("INSTRUMENTED_") or name in SKIP:
            continue
        res = []
        for arg in args + (list(range(nargs_extra)) if op in opcode.hasfree else []):
            raw = [op, arg] + [0, 0] * cache.get(name, 0) + [nop, 0] * 2
            try:
                ins = list(dis.get_instructions(with_code(co, bytes(bytearray(raw)))))[0]
                res.append([arg, repr(ins.argval), str(ins.argrepr)])
            except Exception as e:
                res.append([arg, "ERR", type(e).__name__])
        out[str(op)] = res
    info = {
        "names": list(co.co_names),
        "varnames": list(co.co_varnames),
        "cellvars": list(co.co_cellvars),
        "freevars": list(co.co_freevars),
        "consts": [repr(c) for c in co.co_consts],
    }
    if hasattr(co, "_varname_from_oparg"):
        lp = []
        i = 0
        while True:
            try:
                lp.append(co._varname_from_oparg(i))
            except Exception:
                break
            i += 1
        info["localsplus"] = lp
    return {"ops": out, "code": info}


def facts(args):
    opmap = dict(opcode.opmap)
    real = sorted(set(op for op in opmap.values() if op < 256))
    cache = cache_entries()
    has = {}
    for name in dir(opcode):
        if name.startswith("has") and isinstance(getattr(opcode, name), list):
            has[name] = sorted(set(getattr(opcode, name)))
    jumps = sorted(set(op for k in ("hasjrel", "hasjabs", "hasjump") for op in has.get(k, [])
                       if op in real))
    isback = getattr(dis, "_is_backward_jump", None)
    specs = getattr(opcode, "_specializations", {})
    pseudo = getattr(opcode, "_pseudo_ops", None)
    out = {
        "version": list(sys.version_info[:3]),
        "opmap": opmap,
        "HAVE_ARGUMENT": opcode.HAVE_ARGUMENT,
        "EXTENDED_ARG": opcode.EXTENDED_ARG,
        "has": has,
        "hasarg": has.get("hasarg"),
        "cache": cache,
        "all_opmap": dict(getattr(dis, "_all_opmap", {}) or {}),
        "specializations": dict((k, list(v)) for k, v in specs.items()),
        "specialized_opmap": dict(getattr(opcode, "_specialized_opmap", {}) or {}),
        "min_instrumented": getattr(opcode, "MIN_INSTRUMENTED_OPCODE", None),
        "pseudo_names": sorted(pseudo) if pseudo else [],
        "min_pseudo": getattr(opcode, "MIN_PSEUDO_OPCODE", None),
        "cmp_op": list(opcode.cmp_op),
        "nb_ops": [list(x) for x in getattr(opcode, "_nb_ops", [])],
        "intrinsic1": list(getattr(opcode, "_intrinsic_1_descs", [])),
        "intrinsic2": list(getattr(opcode, "_intrinsic_2_descs", [])),
        "backward": [op for op in jumps if isback is not None and isback(op)],
        "labels": jump_labels(jumps),
        "takes_arg": [op for op in real if takes_arg(op)],
        "stack": stack_effects(real, args),
        "probes": arg_probes(real, cache, PROBE_ARGS, 16),
        # Names and sizes of each opcode's inline cache fields (3.11+), in order.
        "cache_format": [[name, [[f, n] for f, n in fields.items()]]
                         for name, fields in getattr(opcode, "_cache_format", {}).items()],
    }
    print(json.dumps(out, sort_keys=True))


def walk(co, label, emit):
    code = co.co_code
    if not PY2:
        code = bytes(code)
    exc = []
    if sys.version_info >= (3, 11):
        for e in dis._parse_exception_table(co):
            exc.append([e.start, e.end, e.target, e.depth, int(e.lasti)])
    h = code.encode("hex") if PY2 else code.hex()
    emit({"label": label, "name": co.co_name, "code": h, "stacksize": co.co_stacksize,
          "exc": exc})
    for c in co.co_consts:
        if hasattr(c, "co_code"):
            walk(c, label, emit)


def emit_line(d):
    sys.stdout.write(json.dumps(d) + "\n")


def codes(sources):
    for label, src in sources:
        try:
            co = compile(src, label, "exec", 0, True)
        except SyntaxError:
            emit_line({"label": label, "skipped": "SyntaxError"})
            continue
        walk(co, label, emit_line)


def stdlib():
    import warnings
    warnings.simplefilter("ignore")
    root = os.path.dirname(os.__file__)
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        for fn in sorted(files):
            if not fn.endswith(".py"):
                continue
            path = os.path.join(d, fn)
            try:
                with open(path, "rb") as fh:
                    src = fh.read()
                co = compile(src, path, "exec", 0, True)
            except Exception:
                continue
            walk(co, os.path.relpath(path, root), emit_line)


if sys.argv[1] == "facts":
    payload = json.loads(sys.stdin.read())
    PROBE_ARGS = payload["probe_args"]
    SKIP = payload["skip"]
    facts(payload["args"])
elif sys.argv[1] == "codes":
    codes(json.loads(sys.stdin.read()))
elif sys.argv[1] == "stdlib":
    stdlib()
'''


# ---------------------------------------------------------------------------------------
# Interpreter discovery.
# ---------------------------------------------------------------------------------------

def interpreter_version(path):
    """(major, minor, micro) of the interpreter at ``path``, or None if it does not run."""
    try:
        out = subprocess.run(
            [path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        return tuple(int(x) for x in out.stdout.decode().strip().split("."))
    except ValueError:
        return None


def find_interpreters(wanted):
    """Map each wanted (major, minor) to (path, full version).

    Order: the paths listed in $PYCOPT_PYTHONS (colon-separated); else ``pythonX.Y`` on
    PATH if it really runs that version (a pyenv shim for a non-global version fails);
    else ``$PYENV_ROOT`` (or ``~/.pyenv``) ``/versions/X.Y.*/bin/pythonX.Y``.
    """
    found = {}
    env = os.environ.get("PYCOPT_PYTHONS", "")
    for path in [p for p in env.split(os.pathsep) if p]:
        v = interpreter_version(path)
        if v and v[:2] in wanted and v[:2] not in found:
            found[v[:2]] = (path, v)
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for mm in wanted:
        if mm in found:
            continue
        exe = "python%d.%d" % mm
        path = shutil.which(exe)
        if path:
            v = interpreter_version(path)
            if v and v[:2] == mm:
                found[mm] = (path, v)
                continue
        cands = glob.glob(os.path.join(pyenv, "versions", "%d.%d.*" % mm, "bin", exe))

        def key(p):
            tail = os.path.basename(os.path.dirname(os.path.dirname(p)))
            return [int(x) if x.isdigit() else -1 for x in re.split(r"[.]", tail)]
        for path in sorted(cands, key=key, reverse=True):
            v = interpreter_version(path)
            if v and v[:2] == mm:
                found[mm] = (path, v)
                break
    return found


def run_worker(path, mode, payload=None):
    proc = subprocess.run([path, "-c", WORKER, mode], input=json.dumps(payload).encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise GenError("worker (%s %s) failed:\n%s" % (path, mode, proc.stderr.decode()))
    return proc.stdout.decode()


class GenError(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Stack-effect formulas.
# ---------------------------------------------------------------------------------------

TERM_RE = re.compile(r"([+-]?)(\d+\*)?(a|\(a&\d+\)|\(a>>\d+\)|\[a&\d+\]|\[a==\d+\]|\d+)")


def parse_formula(text):
    """Parse FORMULA SYNTAX into (constant, [(coef, kind, n)])."""
    pos, const, terms = 0, 0, []
    if not text:
        raise GenError("empty formula")
    while pos < len(text):
        m = TERM_RE.match(text, pos)
        if not m or m.end() == pos or (pos > 0 and not m.group(1)):
            raise GenError("bad formula %r at %d" % (text, pos))
        sign = -1 if m.group(1) == "-" else 1
        coef = int(m.group(2)[:-1]) if m.group(2) else 1
        feat = m.group(3)
        if feat.isdigit():
            if m.group(2):
                raise GenError("bad formula %r" % text)
            const += sign * int(feat)
        elif feat == "a":
            terms.append((sign * coef, "arg", 0))
        else:
            n = int(re.search(r"\d+", feat).group())
            kind = {"(a&": "mask", "(a>": "shr", "[a&": "bit", "[a=": "eq"}[feat[:3]]
            terms.append((sign * coef, kind, n))
        pos = m.end()
    return const, terms


def feature_value(kind, n, a):
    if kind == "arg":
        return a
    if kind == "mask":
        return a & n
    if kind == "shr":
        return a >> n
    if kind == "bit":
        return 1 if a & n else 0
    if kind == "eq":
        return 1 if a == n else 0
    raise GenError(kind)


def eval_formula(text, a):
    const, terms = parse_formula(text)
    return const + sum(c * feature_value(k, n, a) for c, k, n in terms)


def render_formula(const, terms):
    parts = []
    for coef, kind, n in terms:
        if coef == 0:
            continue
        feat = {"arg": "a", "mask": "(a&%d)", "shr": "(a>>%d)", "bit": "[a&%d]",
                "eq": "[a==%d]"}[kind]
        if "%d" in feat:
            feat = feat % n
        mag = "" if abs(coef) == 1 else "%d*" % abs(coef)
        parts.append(("-" if coef < 0 else "+") + mag + feat)
    text = ""
    if const != 0 or not parts:
        text = str(const)
    for p in parts:
        text += p
    if text.startswith("+"):
        text = text[1:]
    return text


def fit_formula(vals, args):
    """Smallest formula among the templates that matches every sampled value."""
    sample = dict(zip(args, vals))
    if len(sample) == 1:
        return render_formula(vals[0], [])

    def matches(const, terms):
        return all(const + sum(c * feature_value(k, n, a) for c, k, n in terms) == v
                   for a, v in sample.items())

    c = sample[0]
    cands = [
        (c, []),
        (c, [(sample[1] - c, "arg", 0)]),
        (c, [(sample[1] - c, "mask", 255), (sample[256] - c, "shr", 8)]),
        (c, [(sample[1 << i] - c, "bit", 1 << i) for i in range(10)]),
    ]
    counts = {}
    for v in vals:
        counts[v] = counts.get(v, 0) + 1
    mode = max(sorted(counts), key=lambda v: counts[v])
    odd = [a for a, v in sample.items() if v != mode]
    if len(odd) == 1:
        cands.append((mode, [(sample[odd[0]] - mode, "eq", odd[0])]))
    for const, terms in cands:
        terms = [t for t in terms if t[0] != 0]
        if matches(const, terms):
            return render_formula(const, terms)
    return None


# ---------------------------------------------------------------------------------------
# Building one table.
# ---------------------------------------------------------------------------------------

def vtext(v):
    return "%d.%d" % v


def build_table(facts, mm):
    """Derive the table for version ``mm`` from the worker's ``facts``; raise on anything
    that does not verify. Returns a dict the writer and the stack walker use."""
    errors = []
    opmap = facts["opmap"]
    names_by_op = {}
    for name, op in opmap.items():
        names_by_op.setdefault(op, []).append(name)
    for op, names in names_by_op.items():
        if len(names) > 1:
            errors.append("opcode %d has several names %s" % (op, names))

    # Forbidden opcodes: specialized (dis._all_opmap beyond opmap), instrumented, runtime.
    forbidden = {}
    spec_base = {}
    for fam, members in facts["specializations"].items():
        for m in members:
            spec_base[m] = fam
    for name, op in facts["specialized_opmap"].items():
        if name not in spec_base:
            errors.append("%s in _specialized_opmap but in no family" % name)
    for name, op in sorted(facts["all_opmap"].items()):
        if name in opmap:
            if opmap[name] != op:
                errors.append("%s: _all_opmap %d, opmap %d" % (name, op, opmap[name]))
            continue
        if name not in spec_base:
            errors.append("%s (%d) is in dis._all_opmap but is no known specialization"
                          % (name, op))
            continue
        forbidden[op] = (name, "specialized", spec_base[name])
    for name in spec_base:
        if name not in facts["all_opmap"]:
            errors.append("specialization %s has no number" % name)
    min_instr = facts["min_instrumented"]
    for name, op in opmap.items():
        is_instr = name.startswith("INSTRUMENTED_")
        if min_instr is not None and op < 256 and (op >= min_instr) != is_instr:
            errors.append("%s (%d) vs MIN_INSTRUMENTED_OPCODE %d" % (name, op, min_instr))
        if is_instr:
            base = name[len("INSTRUMENTED_"):]
            forbidden[op] = (name, "instrumented", base if base in opmap else "-")
    for name, versions in RUNTIME_ONLY:
        if (name in opmap) != (mm in versions):
            errors.append("RUNTIME_ONLY %s: presence in %s does not match its versions"
                          % (name, vtext(mm)))
        if name in opmap:
            forbidden[opmap[name]] = (name, "runtime", "-")

    # Pseudo-ops: numbers >= 256 (3.12 lists them in _pseudo_ops, 3.13 only in opmap).
    pseudo = sorted((op, name) for name, op in opmap.items() if op >= 256)
    for name in facts["pseudo_names"]:
        if opmap.get(name, 0) < 256:
            errors.append("pseudo-op %s has a byte-sized number" % name)
    if facts["min_pseudo"] is not None and any(op < facts["min_pseudo"] for op, _ in pseudo):
        errors.append("opmap entry >= 256 below MIN_PSEUDO_OPCODE")

    real = sorted(op for op in set(opmap.values()) if op < 256 and op not in forbidden)
    takes_arg = set(facts["takes_arg"])
    cache = facts["cache"]
    has = {k: set(v) for k, v in facts["has"].items()}
    jrel = has.get("hasjrel", set()) | has.get("hasjump", set())
    jabs = has.get("hasjabs", set())
    extended_arg = facts["EXTENDED_ARG"]
    if opmap.get("EXTENDED_ARG") != extended_arg:
        errors.append("EXTENDED_ARG constant does not match opmap")
    cache_op = opmap.get("CACHE")
    encoding, ext_shift = ENCODING.get(mm, ENCODING_DEFAULT)
    isize = 3 if encoding == "bytes3" else 2
    # 3.12+: HAVE_ARGUMENT is only a hint; record where it disagrees with hasarg.
    for name in cache:
        if name not in opmap:
            errors.append("cache entry for unknown opcode %s" % name)

    # Flow classes.
    flow = {}
    for name, versions, words in FLOW:
        if not set(words.split(",")) <= set(FLOW_WORDS):
            errors.append("FLOW %s: unknown words %s" % (name, words))
        present = opmap.get(name, 256) < 256
        if present != (mm in versions):
            errors.append("FLOW %s: presence in %s does not match its versions"
                          % (name, vtext(mm)))
        if present:
            flow[opmap[name]] = words

    # Jumps: kind from dis.findlabels, cross-checked with hasjrel/hasjabs/_is_backward_jump.
    jumps = {}
    units = set()
    for op_s, res in facts["labels"].items():
        op = int(op_s)
        if op in forbidden:
            continue
        name = opmap_name(opmap, op)
        length = isize + 2 * cache.get(name, 0)
        kinds = set()
        for pos, arg, labels in res:
            if len(labels) != 1:
                errors.append("%s: findlabels gave %r" % (name, labels))
                continue
            label = labels[0]
            got = None
            for unit in (1, 2):
                for kind, want in (("abs", arg * unit), ("fwd", pos + length + arg * unit),
                                   ("back", pos + length - arg * unit)):
                    if label == want:
                        got = (kind, unit)
            if got is None:
                errors.append("%s: label %d for arg %d at %d fits no rule"
                              % (name, label, arg, pos))
            kinds.add(got)
        if len(kinds) != 1:
            errors.append("%s: inconsistent jump kinds %r" % (name, kinds))
            continue
        kind, unit = kinds.pop()
        units.add(unit)
        if (kind == "abs") != (op in jabs) or (kind != "abs") != (op in jrel):
            errors.append("%s: findlabels says %s but has* lists disagree" % (name, kind))
        if (kind == "back") != (op in facts["backward"]) and mm >= (3, 11):
            errors.append("%s: direction disagrees with dis._is_backward_jump" % name)
        jumps[op] = kind
    if len(units) != 1:
        errors.append("jump units %r" % units)
    jump_unit = "bytes" if units == {1} else "code_units"
    for op in real:
        w = flow.get(op, "")
        is_jump = any(x in w.split(",") for x in ("jump", "branch", "setup"))
        if is_jump != (op in jumps):
            errors.append("%s: FLOW class %r but dis jump=%s" % (opmap_name(opmap, op), w,
                                                                 op in jumps))

    # Argument kinds.
    probes = facts["probes"]
    kinds, deref_index = arg_kinds(mm, real, opmap, has, jumps, takes_arg, facts, probes,
                                   errors)

    # Stack effects.
    stack, stack_jump, source = stack_formulas(mm, real, opmap, jumps, takes_arg, facts,
                                               errors)

    if errors:
        raise GenError("CPython %s:\n  " % vtext(mm) + "\n  ".join(errors))

    ops = []
    for op in real:
        name = opmap_name(opmap, op)
        ops.append({
            "code": op, "name": name, "arg": op in takes_arg, "cache": cache.get(name, 0),
            "kind": kinds[op], "jump": jumps.get(op, "-"), "stack": stack[op],
            "stack_jump": stack_jump[op] if op in jumps else "-",
            "flow": flow.get(op, "-"),
        })
    header = [
        ("version", vtext(mm)),
        ("interpreter", "%d.%d.%d" % tuple(facts["version"])),
        ("encoding", encoding),
        ("extended_arg", "%d %d" % (extended_arg, ext_shift)),
        ("have_argument", str(facts["HAVE_ARGUMENT"])),
        ("cache", "-" if cache_op is None else str(cache_op)),
        ("jump_unit", jump_unit),
        ("deref_index", deref_index),
        ("stack_effects", source),
        ("cmp_op", ",".join(facts["cmp_op"])),
    ]
    if facts["nb_ops"]:
        header.append(("nb_ops", ",".join("%s:%s" % tuple(x) for x in facts["nb_ops"])))
    if facts["intrinsic1"]:
        header.append(("intrinsic1", ",".join(facts["intrinsic1"])))
    if facts["intrinsic2"]:
        header.append(("intrinsic2", ",".join(facts["intrinsic2"])))
    cache_format = facts.get("cache_format", [])
    cache_of = dict((o["name"], o["cache"]) for o in ops)
    for name, fields in cache_format:
        if name in cache_of and sum(n for _, n in fields) != cache_of[name]:
            errors.append("%s: _cache_format sizes %s do not add up to %d cache entries"
                          % (name, fields, cache_of[name]))
    if errors:
        raise GenError("CPython %s:\n  " % vtext(mm) + "\n  ".join(errors))
    return {
        "version": mm, "header": header, "ops": ops,
        "cache_format": [(n, f) for n, f in cache_format if n in cache_of],
        "forbidden": sorted((op,) + v for op, v in forbidden.items()),
        "pseudo": pseudo, "isize": isize, "ext_shift": ext_shift,
        "extended_arg": extended_arg, "unit": 1 if jump_unit == "bytes" else 2,
        "have_argument": facts["HAVE_ARGUMENT"], "walk": WALK.get(mm, "worklist"),
        "cache": cache_op,
    }


def opmap_name(opmap, op):
    for name, o in opmap.items():
        if o == op:
            return name
    raise GenError("no name for %d" % op)


def arg_kinds(mm, real, opmap, has, jumps, takes_arg, facts, probes, errors):
    """KIND column for every real opcode, and the deref index space."""
    kinds = {}
    hasconst, hasname = has.get("hasconst", set()), has.get("hasname", set())
    haslocal, hasfree = has.get("haslocal", set()), has.get("hasfree", set())
    hascompare = has.get("hascompare", set())
    deref_index = PY27_DEREF_INDEX if probes is None else None
    info = probes["code"] if probes else None

    def pr(op):
        return {a: (val, rep) for a, val, rep in probes["ops"].get(str(op), [])}

    def shift_fit(op, table):
        """The shift s for which argval(arg) == table[arg >> s] at every probe in range."""
        got = pr(op)
        fits = []
        for s in range(0, 7):
            checked = 0
            ok = True
            for a in PROBE_ARGS:
                i = a >> s
                if i < len(table):
                    checked += 1
                    if got.get(a, ("ERR",))[0] != repr(table[i]):
                        ok = False
            if ok and checked >= 2:
                fits.append(s)
        if len(fits) != 1:
            errors.append("%s: argument shift ambiguous %r" % (opmap_name(opmap, op), fits))
            return 0
        return fits[0]

    for op in real:
        name = opmap_name(opmap, op)
        if op not in takes_arg:
            kinds[op] = "-"
            for lst in (hasconst, hasname, haslocal, hasfree, hascompare):
                if op in lst:
                    errors.append("%s takes no argument but is in a has* list" % name)
            continue
        if op in jumps:
            kinds[op] = "jump"
        elif op in hasconst:
            kinds[op] = "const"
            if probes:
                # 3.11's dis resolves only LOAD_CONST and shows KW_NAMES as <unknown>.
                consts = info["consts"]
                bad = [a for a, (v, _) in pr(op).items()
                       if a < len(consts) and v not in (consts[a], "<unknown>")]
                if bad:
                    errors.append("%s: const probes %r" % (name, bad))
        elif op in hasname:
            kinds[op] = "name"
            if probes:
                s = shift_fit(op, info["names"])
                if s:
                    kinds[op] = "name>>%d" % s
        elif op in haslocal:
            kinds[op] = "local"
            if probes:
                got = pr(op)
                lp = info.get("localsplus") or info["varnames"]
                pair = repr((lp[3], lp[5]))
                if got[0x35][0] == pair:
                    kinds[op] = "local_pair"
                elif got[3][0] != repr(lp[3]):
                    errors.append("%s: local probe %r" % (name, got[3]))
        elif op in hasfree:
            kinds[op] = "free"
            if probes:
                got = pr(op)
                seen = [got[a][0] for a in range(16) if a in got and got[a][0] != "ERR"]
                cf = [repr(x) for x in info["cellvars"] + info["freevars"]]
                lp = [repr(x) for x in info.get("localsplus", [])]
                if seen and seen == cf[:len(seen)] and len(seen) >= len(cf):
                    space = "cells_then_frees"
                elif seen and lp and seen == lp[:len(seen)] and len(seen) >= len(lp):
                    space = "localsplus"
                else:
                    errors.append("%s: deref probes %r fit no index space" % (name, seen))
                    space = None
                if deref_index not in (None, space):
                    errors.append("deref index spaces differ between opcodes")
                deref_index = space
        elif op in hascompare:
            kinds[op] = "compare"
            if probes:
                s = shift_fit(op, facts["cmp_op"])
                if s:
                    kinds[op] = "compare>>%d" % s
        else:
            kinds[op] = "raw"
            if probes:
                reps = {a: rep for a, (_, rep) in pr(op).items()}
                special = classify_raw(reps, facts)
                if special:
                    kinds[op] = special
    if deref_index is None:
        errors.append("no deref index space measured")
    return kinds, deref_index


def classify_raw(reps, facts):
    """Recognise argument tables dis applies to opcodes outside the has* lists."""
    def seq(table, n):
        return all(reps.get(i) == table[i] for i in range(n))
    if facts["nb_ops"] and seq([s for _, s in facts["nb_ops"]], 6):
        return "binary_op"
    if facts["intrinsic1"] and seq(facts["intrinsic1"], 6):
        return "intrinsic1"
    if facts["intrinsic2"] and seq(facts["intrinsic2"], 4):
        return "intrinsic2"
    if reps.get(1) == "str" and reps.get(2) == "repr" and reps.get(3) == "ascii":
        return "format_value" if "format" in (reps.get(4) or "") else "convert_value"
    return None


def stack_formulas(mm, real, opmap, jumps, takes_arg, facts, errors):
    """(fall-through formulas, jump-edge formulas, header word), verified."""
    stack, stack_jump = {}, {}
    if mm == (2, 7):
        for op in real:
            name = opmap_name(opmap, op)
            if name not in PY27_STACK:
                errors.append("PY27_STACK has no entry for %s" % name)
                continue
            fall, jump = PY27_STACK[name]
            stack[op] = render_formula(*parse_formula(fall))
            stack_jump[op] = render_formula(*parse_formula(jump or fall))
            if jump is not None and op not in jumps:
                errors.append("PY27_STACK gives %s a jump edge" % name)
        for name in PY27_STACK:
            if name not in opmap:
                errors.append("PY27_STACK names unknown %s" % name)
        return stack, stack_jump, "derived"

    se = facts["stack"]
    rule, edges = EDGE_RULES.get(mm, ("dis", {}))
    for name in edges:
        if name not in opmap or opmap[name] not in jumps:
            errors.append("EDGE_RULES %s: %s is not a jump" % (vtext(mm), name))
    for op in real:
        name = opmap_name(opmap, op)
        series = se.get(str(op))
        args = SAMPLE_ARGS if op in takes_arg else [0]
        failed = not series or any(v is None for s in series for v in s)
        gap = DIS_GAPS.get(mm, {}).get(name)
        if failed != (gap is not None):
            errors.append("%s: dis.stack_effect %s" % (
                name, "failed" if failed else "works although DIS_GAPS lists it"))
            continue
        if gap is not None:
            stack[op] = stack_jump[op] = gap
            continue
        fits = []
        for vals in series:
            f = fit_formula(vals, args)
            if f is None:
                errors.append("%s: no formula fits %r..." % (name, vals[:20]))
            fits.append(f)
        if None in fits:
            continue
        if rule == "dis":
            fall, jump = fits
            if op not in jumps and fall != jump:
                errors.append("%s is no jump but its edges differ" % name)
        elif rule == "base":
            base = fits[0]
            adj = edges.get(name, ("0", "0"))
            fall = render_formula(*add_const(base, adj[0]))
            jump = render_formula(*add_const(base, adj[1]))
        else:  # "max"
            base = fits[0]
            fall, jump = edges.get(name, (base, base))
        # Verify the text that will be written, at every sample.
        for i, a in enumerate(args):
            f_v, j_v = eval_formula(fall, a), eval_formula(jump, a)
            if rule == "dis":
                ok = f_v == series[0][i] and j_v == series[1][i]
            elif rule == "base":
                adj = edges.get(name, ("0", "0"))
                ok = (f_v - eval_formula(adj[0], a) == series[0][i]
                      and j_v - eval_formula(adj[1], a) == series[0][i])
            else:
                ok = max(f_v, j_v) == series[0][i]
            if not ok:
                errors.append("%s: formula %s / %s wrong at arg %d" % (name, fall, jump, a))
                break
        stack[op] = fall
        stack_jump[op] = jump
    source = {"dis": "dis", "base": "dis-base", "max": "dis-max"}[rule]
    return stack, stack_jump, source


def add_const(formula, delta):
    const, terms = parse_formula(formula)
    return const + eval_formula(delta, 0), terms


# ---------------------------------------------------------------------------------------
# Stack-depth walk over real bytecode, driven by a generated table.
# ---------------------------------------------------------------------------------------

def decode(table, code):
    """[(offset, op, arg, next_offset)] with EXTENDED_ARG folded into the instruction that
    follows; each instruction's offset is that of its first prefix."""
    by_code = {o["code"]: o for o in table["ops"]}
    out = []
    i, ext, start = 0, 0, None
    wordcode = table["isize"] == 2
    while i < len(code):
        op = code[i]
        info = by_code.get(op)
        if info is None:
            raise GenError("undecodable opcode %d at %d" % (op, i))
        if wordcode:
            arg = code[i + 1] | ext
            nxt = i + 2 + 2 * info["cache"]
        elif info["arg"]:
            arg = code[i + 1] | (code[i + 2] << 8) | ext
            nxt = i + 3
        else:
            arg, nxt = 0, i + 1
        if start is None:
            start = i
        if op == table["extended_arg"]:
            ext = arg << table["ext_shift"]
        else:
            out.append((start, op, arg, i, nxt))
            ext, start = 0, None
        i = nxt
    return out, by_code


_PARSED = {}


def eval_cached(text, a):
    parsed = _PARSED.get(text)
    if parsed is None:
        parsed = _PARSED[text] = parse_formula(text)
    const, terms = parsed
    return const + sum(c * feature_value(k, n, a) for c, k, n in terms)


def jump_target(info, arg, nxt, unit):
    if info["jump"] == "abs":
        return arg * unit
    if info["jump"] == "fwd":
        return nxt + arg * unit
    return nxt - arg * unit


def max_depth(table, code, exc):
    """The largest stack depth CPython's own co_stacksize computation reaches on
    ``code``, re-enacted with the table's effects: each edge gets the table's stack effect
    for it, an exception handler (3.11+) starts at the depth its exception-table entry
    records plus the saved lasti if any plus the exception, and the walk is the one the
    version's compiler does (see WALK)."""
    instrs, by_code = decode(table, code)
    if table["walk"] == "dfs":
        # The walk recurses once per block on the current path: give it a deep stack.
        threading.stack_size(256 * 1024 * 1024)
        result = []
        thread = threading.Thread(target=lambda: result.append(
            _dfs_depth(table, instrs, by_code, len(code))))
        thread.start()
        thread.join()
        if not result:
            raise GenError("stack walk failed")
        return result[0]
    return _worklist_depth(table, instrs, by_code, len(code), exc)


def _worklist_depth(table, instrs, by_code, size, exc):
    index = {start: n for n, (start, _, _, _, _) in enumerate(instrs)}
    unit = table["unit"]
    depth_at = {0: 0}
    work = [0]
    best = 0
    for start, end, target, depth, lasti in exc:
        d = depth + lasti + 1
        if depth_at.get(target, -1) < d:
            depth_at[target] = d
            work.append(target)
    steps = 0
    while work:
        steps += 1
        if steps > 1000000:
            raise GenError("stack walk does not converge")
        off = work.pop()
        n = index.get(off)
        if n is None:
            raise GenError("jump into the middle of an instruction at %d" % off)
        d = depth_at[off]
        best = max(best, d)
        start, op, arg, real_off, nxt = instrs[n]
        info = by_code[op]
        words = info["flow"].split(",")
        succ = []
        if info["jump"] != "-" and "unwind" not in words:
            succ.append((jump_target(info, arg, nxt, unit),
                         d + eval_cached(info["stack_jump"], arg)))
        if "term" not in words:
            succ.append((nxt, d + eval_cached(info["stack"], arg)))
        for target, nd in succ:
            # Clamp at 0: on 3.11/3.12 dis counts RETURN_GENERATOR as 0 although the
            # resumed frame holds the sent value that the POP_TOP after it removes (the
            # compiler adds that prefix after computing co_stacksize).
            nd = max(nd, 0)
            best = max(best, nd)
            if target < size and depth_at.get(target, -1) < nd:
                depth_at[target] = nd
                work.append(target)
    return best


def _dfs_depth(table, instrs, by_code, size):
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100000))
    index = {start: n for n, (start, _, _, _, _) in enumerate(instrs)}
    unit = table["unit"]
    leaders = {0}
    for start, op, arg, real_off, nxt in instrs:
        info = by_code[op]
        if info["jump"] != "-":
            leaders.add(jump_target(info, arg, nxt, unit))
    start_depth = {}
    on_path = set()
    best = [0]

    def walk(off, depth):
        if off in on_path or start_depth.get(off, -1 << 30) >= depth:
            return
        n = index.get(off)
        if n is None:
            raise GenError("jump into the middle of an instruction at %d" % off)
        on_path.add(off)
        start_depth[off] = depth
        while True:
            start, op, arg, real_off, nxt = instrs[n]
            info = by_code[op]
            words = info["flow"].split(",")
            if info["jump"] != "-":
                jd = depth + eval_cached(info["stack_jump"], arg)
                best[0] = max(best[0], jd)
                walk(jump_target(info, arg, nxt, unit), jd)
            depth += eval_cached(info["stack"], arg)
            best[0] = max(best[0], depth)
            n += 1
            if ("jump" in words and "unwind" not in words) or n >= len(instrs):
                break
            if instrs[n][0] in leaders:
                walk(instrs[n][0], depth)
                break
        on_path.discard(off)

    walk(0, 0)
    return best[0]


def check_probes(table, path):
    """Every code object of STACK_PROBES must get exactly its co_stacksize."""
    mm = table["version"]
    sources = []
    for label, src in STACK_PROBES:
        if label.startswith("py3_") and mm < (3, 6):
            continue
        if label.startswith("py310_") and mm < (3, 10):
            continue
        if label.startswith("py311_") and mm < (3, 11):
            continue
        sources.append((label, src))
    lines = run_worker(path, "codes", sources).splitlines()
    bad = []
    count = 0
    for line in lines:
        d = json.loads(line)
        if "skipped" in d:
            bad.append("%s did not compile" % d["label"])
            continue
        count += 1
        try:
            got = max_depth(table, bytearray.fromhex(d["code"]), d["exc"])
        except GenError as e:
            bad.append("%s:%s %s" % (d["label"], d["name"], e))
            continue
        if got != d["stacksize"]:
            bad.append("%s:%s walk %d, co_stacksize %d" % (d["label"], d["name"], got,
                                                            d["stacksize"]))
    if bad:
        raise GenError("CPython %s co_stacksize probes:\n  %s" % (vtext(mm), "\n  ".join(bad)))
    return count


# ---------------------------------------------------------------------------------------
# Output.
# ---------------------------------------------------------------------------------------

def render(table):
    mm = table["version"]
    head = [
        "# CPython %s opcode table for pycopt (core/build.rs embeds it)." % vtext(mm),
        "# Generated by %s from CPython %s's own opcode and dis modules." % (
            SCRIPT_REL, dict(table["header"])["interpreter"]),
        "# Do not edit: regenerate with `python3 %s`; the format is described there."
        % SCRIPT_REL,
    ]
    if mm == (2, 7):
        head.append("# Stack effects: 2.7 has no dis.stack_effect, so they are the 2.7 "
                    "compiler's own numbers held in")
        head.append("# the generator (PY27_STACK), checked only through co_stacksize probes.")
    elif mm in EDGE_RULES:
        head.append("# Stack effects: dis.stack_effect has no jump= here; the per-edge "
                    "split of the jump opcodes")
        head.append("# comes from the generator's EDGE_RULES and is checked through "
                    "co_stacksize probes.")
    lines = head + [""]
    for key, value in table["header"]:
        lines.append("%s %s" % (key, value))
    lines.append("")
    lines.append("# code %-30s %-5s %5s %-13s %-4s %-26s %-26s %s" % (
        "name", "arg", "cache", "kind", "jump", "stack", "stack_jump", "flow"))
    for o in table["ops"]:
        lines.append("op %3d %-30s %-5s %5d %-13s %-4s %-26s %-26s %s" % (
            o["code"], o["name"], "arg" if o["arg"] else "noarg", o["cache"], o["kind"],
            o["jump"], o["stack"], o["stack_jump"], o["flow"]))
    if table.get("cache_format"):
        lines.append("")
        lines.append("# Inline cache fields (opcode._cache_format): name:code units, in order.")
        for name, fields in table["cache_format"]:
            lines.append("cache_fields %-30s %s" % (
                name, ",".join("%s:%d" % (f, n) for f, n in fields)))
    if table["forbidden"]:
        lines.append("")
        lines.append("# Never in a .pyc: marshal writes specialized and instrumented forms "
                     "back as their base opcode,")
        lines.append("# and no compiler emits the runtime-only ones.")
        for op, name, kind, base in table["forbidden"]:
            lines.append("forbidden %3d %-44s %-12s %s" % (op, name, kind, base))
    if table["pseudo"]:
        lines.append("")
        lines.append("# Compiler pseudo-ops: numbered from 256, never bytes of a .pyc.")
        for op, name in table["pseudo"]:
            lines.append("pseudo %d %s" % (op, name))
    return "\n".join(lines) + "\n"


def data_path(mm):
    return os.path.join(DATA_DIR, "cpython-%d.%d.txt" % mm)


def normalized(text):
    """Text with the interpreter patch version masked, for --check comparisons."""
    return re.sub(r"(?m)^(interpreter \d+\.\d+)\.\d+$", r"\1.x",
                  re.sub(r"(from CPython \d+\.\d+)\.\d+('s own)", r"\1.x\2", text))


# ---------------------------------------------------------------------------------------
# --stdlib: compile each interpreter's standard library and walk every code object.
# ---------------------------------------------------------------------------------------

def stdlib_report(table, path):
    mm = table["version"]
    forbidden = {op: name for op, name, _, _ in table["forbidden"]}
    proc = subprocess.Popen([path, "-c", WORKER, "stdlib"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    total = same = over = under = errs = 0
    seen = set()
    diffs = {}
    examples = []
    for line in proc.stdout:
        d = json.loads(line)
        code = bytearray.fromhex(d["code"])
        total += 1
        try:
            instrs, _ = decode(table, code)
        except GenError as e:
            errs += 1
            examples.append("%s:%s %s" % (d["label"], d["name"], e))
            continue
        for start, op, _, real_off, nxt in instrs:
            seen.add(op)
            if start != real_off:
                seen.add(table["extended_arg"])
            if table["cache"] is not None and nxt - real_off > table["isize"]:
                seen.add(table["cache"])
            if op in forbidden:
                raise GenError("%s:%s holds forbidden %s" % (d["label"], d["name"],
                                                             forbidden[op]))
        try:
            got = max_depth(table, code, d["exc"])
        except GenError as e:
            errs += 1
            examples.append("%s:%s %s" % (d["label"], d["name"], e))
            continue
        diffs[got - d["stacksize"]] = diffs.get(got - d["stacksize"], 0) + 1
        if got == d["stacksize"]:
            same += 1
        elif got > d["stacksize"]:
            over += 1
            if len(examples) < 8:
                examples.append("%s:%s walk %d > %d" % (d["label"], d["name"], got,
                                                         d["stacksize"]))
        else:
            under += 1
            if len(examples) < 8:
                examples.append("%s:%s walk %d < %d" % (d["label"], d["name"], got,
                                                         d["stacksize"]))
    proc.wait()
    names = {o["code"]: o["name"] for o in table["ops"]}
    unseen = sorted(names[op] for op in names if op not in seen)
    print("CPython %s stdlib: %d code objects, walk == co_stacksize for %d (%.2f%%), "
          "higher %d, lower %d, errors %d" % (vtext(mm), total, same,
                                               100.0 * same / max(total, 1), over, under,
                                               errs))
    print("  walk minus co_stacksize: %s" % ", ".join(
        "%+d: %d" % (k, diffs[k]) for k in sorted(diffs)))
    print("  no forbidden opcode seen; real opcodes never seen: %s" % " ".join(unseen))
    for e in examples[:8]:
        print("  e.g. " + e)


# ---------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and compare with the committed files")
    ap.add_argument("--stdlib", action="store_true",
                    help="also walk every code object of each interpreter's stdlib (slow)")
    ap.add_argument("--versions", help="comma-separated subset, e.g. 3.11,3.12")
    opts = ap.parse_args(argv)

    wanted = VERSIONS
    if opts.versions:
        wanted = [tuple(int(x) for x in v.split(".")) for v in opts.versions.split(",")]
        for v in wanted:
            if v not in VERSIONS:
                ap.error("unsupported version %s" % vtext(v))
    found = find_interpreters(wanted)
    missing = [v for v in wanted if v not in found]
    if missing:
        sys.stderr.write("gen_opcode_tables: no interpreter for %s (set PYCOPT_PYTHONS or "
                         "install them under pyenv)\n" % ", ".join(vtext(v) for v in missing))
        return EXIT_NO_INTERPRETER

    status = 0
    for mm in wanted:
        path, full = found[mm]
        try:
            facts = json.loads(run_worker(path, "facts", {
                "args": SAMPLE_ARGS, "probe_args": PROBE_ARGS,
                "skip": [name for name, _ in RUNTIME_ONLY]}))
            table = build_table(facts, mm)
            nprobe = check_probes(table, path)
        except GenError as e:
            sys.stderr.write("gen_opcode_tables: verification failed: %s\n" % e)
            return EXIT_MISMATCH
        text = render(table)
        target = data_path(mm)
        if opts.check:
            try:
                with open(target) as fh:
                    old = fh.read()
            except OSError:
                old = ""
            if normalized(old) != normalized(text):
                status = EXIT_MISMATCH
                sys.stderr.write("gen_opcode_tables: %s differs from CPython %s:\n" %
                                 (os.path.relpath(target, ROOT), "%d.%d.%d" % full))
                sys.stderr.writelines(difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True), "committed", "generated"))
            else:
                print("ok   %s (CPython %d.%d.%d, %d stack probes)" % (
                    os.path.relpath(target, ROOT), full[0], full[1], full[2], nprobe))
        else:
            os.makedirs(DATA_DIR, exist_ok=True)
            with open(target, "w") as fh:
                fh.write(text)
            print("wrote %s (CPython %d.%d.%d, %d opcodes, %d stack probes)" % (
                os.path.relpath(target, ROOT), full[0], full[1], full[2], len(table["ops"]),
                nprobe))
        if opts.stdlib:
            try:
                stdlib_report(table, path)
            except GenError as e:
                sys.stderr.write("gen_opcode_tables: stdlib scan failed: %s\n" % e)
                status = EXIT_MISMATCH
    return status


if __name__ == "__main__":
    sys.exit(main())
