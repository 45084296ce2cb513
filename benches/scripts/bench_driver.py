"""Runs one benchmark program from .pyc files only, for pycopt-bench.

Usage (pycopt-bench builds this command line; it is not meant for people):

    python [-O|-OO] bench_driver.py --dir D --main NAME --mode count|time
        --out RESULT.json [--loops N] [--warmups W] [--values V] [--clock wall|cpu]
        [--count-scope program|all]
        [-- PROGRAM-ARGS...]

D holds the program's modules as plain ``NAME.pyc`` files (packages as
``PKG/__init__.pyc``) and no source. A meta-path finder placed first serves
every module found there: it reads the file itself, checks the magic number of
this interpreter, unmarshals the code and remembers the exact bytes, so the
result names (by size and FNV-1a 64 hash) every file that was really executed;
pycopt-bench compares them with the variant's files. The main module NAME runs
as ``__main__``.

Modes:

* ``count``: executed instructions, counted per code object and offset, then
  summed per opcode name. 3.8-3.11: ``sys.settrace`` with
  ``frame.f_trace_opcodes = True`` ('opcode' events); 3.12+:
  ``sys.monitoring`` INSTRUCTION events under a free tool id. Counting starts
  just before the main module's code runs and stops when it returns, and
  instructions are split into the program's own code objects (those reachable
  from the modules loaded from D) and everything else (stdlib, the shim).
  ``--count-scope program`` (the default) traces only the program's code
  objects, which keeps stdlib-heavy programs fast ("other" is then 0);
  ``all`` traces everything. Each benchmark function runs once with loops=1.
* ``time``: each benchmark function runs ``--warmups`` times with loops=1,
  then ``--values`` times with ``--loops``; the best of those, in seconds
  per inner loop, is reported, by wall clock or (``--clock cpu``) the
  process's CPU time.
* ``pyperf``: the real pyperf (it must be importable) times the program; the
  arguments after ``--`` are the program's and pyperf's (``-o FILE`` etc.).
  Workers pyperf spawns run this script again and find their settings in the
  environment; every process appends the files it executed to OUT.loaded.

Benchmarks use pyperf's API; the shim in ``shim/pyperf`` stands in for it.
"""

import argparse
import dis
import json
import marshal
import os
import sys
import time

import importlib.abc
import importlib.util

HERE = os.path.dirname(os.path.abspath(__file__))


def fnv1a64(data):
    """FNV-1a, 64 bits: the same function pycopt-bench computes in Rust."""
    h = 0xCBF29CE484222325
    for b in bytearray(data):
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def header_len():
    return 16 if sys.version_info >= (3, 7) else 12


class PycOnlyLoader(importlib.abc.Loader):
    """Loads a module from one .pyc file, remembering the bytes it executed."""

    def __init__(self, driver, path):
        self.driver = driver
        self.path = path

    def create_module(self, spec):
        return None

    def get_code(self, fullname):
        with open(self.path, "rb") as f:
            data = f.read()
        magic = importlib.util.MAGIC_NUMBER
        if data[:4] != magic:
            raise ImportError("%s: magic %r is not this interpreter's %r"
                              % (self.path, data[:4], magic))
        code = marshal.loads(data[header_len():])
        self.driver.loaded.append((fullname, self.path, data, code))
        self.driver.on_code(code)
        return code

    def exec_module(self, module):
        code = self.get_code(module.__name__)
        exec(code, module.__dict__)


class PycOnlyFinder(importlib.abc.MetaPathFinder):
    """Finds modules of the program folder: NAME.pyc or PKG/__init__.pyc."""

    def __init__(self, driver, root):
        self.driver = driver
        self.root = root

    def find_spec(self, fullname, path=None, target=None):
        parts = fullname.split(".")
        base = os.path.join(self.root, *parts)
        init = os.path.join(base, "__init__.pyc")
        if os.path.isfile(init):
            loader = PycOnlyLoader(self.driver, init)
            return importlib.util.spec_from_file_location(
                fullname, init, loader=loader, submodule_search_locations=[base])
        if os.path.isfile(base + ".pyc"):
            loader = PycOnlyLoader(self.driver, base + ".pyc")
            return importlib.util.spec_from_file_location(
                fullname, base + ".pyc", loader=loader)
        return None


class Counter(object):
    """Executed instructions per (id of the code object, byte offset).

    Keyed by id, not by the code object: code objects hash by value, which
    would cost a hash of their constants on every event. The program's code
    objects stay alive for the whole run, so their ids are never reused; a
    short-lived foreign code object whose id is reused only mixes counts
    among "other" code.
    """

    def __init__(self, program, scope_all):
        self.counts = {}
        self.mechanism = None
        self.program = program
        self.scope_all = scope_all
        self.active = False

    def add_code(self, code):
        """Counts `code` too (3.12+, program scope: local events)."""
        if self.active and not self.scope_all and sys.version_info >= (3, 12):
            mon = sys.monitoring
            mon.set_local_events(self.tool, code, mon.events.INSTRUCTION)

    def start(self):
        counts = self.counts
        program = self.program
        scope_all = self.scope_all
        if sys.version_info >= (3, 12):
            mon = sys.monitoring
            tool = None
            for t in range(6):
                if mon.get_tool(t) is None:
                    tool = t
                    break
            if tool is None:
                raise RuntimeError("no free sys.monitoring tool id")
            self.tool = tool
            mon.use_tool_id(tool, "pycopt-bench")

            def on_instruction(code, offset):
                key = (id(code), offset)
                counts[key] = counts.get(key, 0) + 1

            mon.register_callback(tool, mon.events.INSTRUCTION, on_instruction)
            self.mechanism = "sys.monitoring INSTRUCTION"
            self.active = True
            if scope_all:
                mon.set_events(tool, mon.events.INSTRUCTION)
            else:
                for code in list(program.values()):
                    self.add_code(code)
        else:
            def local(frame, event, arg):
                if event == "opcode":
                    key = (id(frame.f_code), frame.f_lasti)
                    counts[key] = counts.get(key, 0) + 1
                return local

            def global_trace(frame, event, arg):
                if scope_all or id(frame.f_code) in program:
                    frame.f_trace_opcodes = True
                    return local
                return None

            self.mechanism = "sys.settrace f_trace_opcodes"
            self.active = True
            sys.settrace(global_trace)

    def stop(self):
        self.active = False
        if sys.version_info >= (3, 12):
            mon = sys.monitoring
            mon.set_events(self.tool, 0)
            for code in self.program.values():
                mon.set_local_events(self.tool, code, 0)
            mon.register_callback(self.tool, mon.events.INSTRUCTION, None)
            mon.free_tool_id(self.tool)
        else:
            sys.settrace(None)


class Session(object):
    """What the pyperf shim hands its benchmark calls to."""

    def __init__(self, mode, loops, warmups, values):
        self.mode = mode
        self.loops = loops
        self.warmups = warmups
        self.values = max(1, values)
        self.benches = []

    def run_time_func(self, name, time_func, args, inner_loops):
        if self.mode == "count":
            time_func(1, *args)
            self.benches.append({"name": name, "loops": 1,
                                 "inner_loops": inner_loops})
            return None
        for _ in range(self.warmups):
            time_func(1, *args)
        values = [time_func(self.loops, *args) for _ in range(self.values)]
        # The best of the timed calls: other load only ever adds time.
        seconds = min(values)
        self.benches.append({
            "name": name, "loops": self.loops, "inner_loops": inner_loops,
            "seconds": seconds, "values": values,
            "seconds_per_loop": seconds / (self.loops * inner_loops),
        })
        return None


def code_objects(code, out):
    """Every code object reachable from `code` through co_consts."""
    if id(code) in out:
        return
    out[id(code)] = code
    for c in code.co_consts:
        if isinstance(c, type(code)):
            code_objects(c, out)


def code_name(code):
    name = getattr(code, "co_qualname", code.co_name)
    return "%s:%d" % (name, code.co_firstlineno)


class Driver(object):
    def __init__(self, opts):
        self.opts = opts
        self.loaded = []
        # id -> code object, for every code object of the program's modules.
        self.program = {}
        self.counter = None

    def on_code(self, code):
        new = {}
        code_objects(code, new)
        for k, c in new.items():
            if k not in self.program:
                self.program[k] = c
                if self.counter:
                    self.counter.add_code(c)

    def run(self):
        opts = self.opts
        root = os.path.abspath(opts.dir)
        sys.dont_write_bytecode = True
        sys.path.insert(0, os.path.join(HERE, "shim"))
        sys.path.insert(0, root)
        sys.meta_path.insert(0, PycOnlyFinder(self, root))
        main_path = os.path.join(root, opts.main + ".pyc")
        sys.argv = [main_path] + list(opts.program_args)

        import pyperf  # the shim: imported before counting starts
        if getattr(pyperf, "_session", False) is False:
            raise RuntimeError("pyperf resolved to %r, not the shim" % pyperf.__file__)
        session = Session(opts.mode, opts.loops, opts.warmups, opts.values)
        pyperf._session = session
        if opts.clock == "cpu":
            # Benchmarks time themselves with pyperf.perf_counter(): make it
            # this process's CPU time, which a busy machine disturbs far less
            # than wall time (time spent waiting for a core is not counted).
            pyperf.perf_counter = time.process_time

        loader = PycOnlyLoader(self, main_path)
        spec = importlib.util.spec_from_file_location("__main__", main_path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        module.__builtins__ = __builtins__
        sys.modules["__main__"] = module
        code = loader.get_code("__main__")

        counter = None
        if opts.mode == "count":
            counter = Counter(self.program, opts.count_scope == "all")
            self.counter = counter
        exit_code = 0
        t0 = time.perf_counter()
        if counter:
            counter.start()
        try:
            exec(code, module.__dict__)
        except SystemExit as e:
            exit_code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            if counter:
                counter.stop()
        wall = time.perf_counter() - t0

        result = {
            "python": sys.version.split()[0],
            "mode": opts.mode,
            "optimize": sys.flags.optimize,
            "exit_code": exit_code,
            "wall_seconds": wall,
            "benches": session.benches,
            "loaded": [],
            "stray": [],
        }
        program = self.program
        for name, path, data, code in self.loaded:
            result["loaded"].append({
                "module": name, "path": path, "size": len(data), "fnv64": fnv1a64(data),
            })
        served = set(os.path.abspath(p) for _, p, _, _ in self.loaded)
        for name, mod in sorted(sys.modules.items()):
            f = getattr(mod, "__file__", None)
            if f and os.path.abspath(f).startswith(root + os.sep) \
                    and os.path.abspath(f) not in served:
                result["stray"].append({"module": name, "path": f})
        if counter:
            result["counting"] = self.summarize(counter, program)
            result["counting"]["scope"] = opts.count_scope
        with open(opts.out, "w") as f:
            json.dump(result, f, indent=1, sort_keys=True)
        return exit_code

    def summarize(self, counter, program):
        opname = dis.opname
        by_op = {}
        by_code = {}
        program_total = 0
        other_total = 0
        raw = {}
        for (cid, offset), n in counter.counts.items():
            raw.setdefault(cid, {})[offset] = n
        for cid, offsets in raw.items():
            total = sum(offsets.values())
            if cid not in program:
                other_total += total
                continue
            program_total += total
            code = program[cid]
            co_code = code.co_code
            name = code_name(code)
            by_code[name] = by_code.get(name, 0) + total
            for offset, n in offsets.items():
                op = opname[co_code[offset]]
                by_op[op] = by_op.get(op, 0) + n
        return {
            "mechanism": counter.mechanism,
            "program": program_total,
            "other": other_total,
            "all": program_total + other_total,
            "by_opcode": by_op,
            "by_code": by_code,
        }


PYPERF_ENV = "PYCOPT_BENCH_DRIVER"


class PyperfDriver(object):
    """Runs the program under the real pyperf (``--mode pyperf``).

    The parent process and every worker pyperf spawns (which run this script
    again, finding their settings in PYCOPT_BENCH_DRIVER) load the program
    through the same finder, and each appends the files it executed to the
    record file, one JSON line per process, for pycopt-bench to check. Program
    and pyperf arguments come after ``--``.
    """

    def __init__(self, config, argv):
        self.config = config
        self.argv = argv
        self.loaded = []

    def on_code(self, code):
        pass

    def run(self):
        root = self.config["dir"]
        sys.dont_write_bytecode = True
        sys.path.insert(0, root)
        sys.meta_path.insert(0, PycOnlyFinder(self, root))
        import pyperf
        if getattr(pyperf, "_session", False) is not False:
            raise RuntimeError("--mode pyperf found the shim, not pyperf")
        main_path = os.path.join(root, self.config["main"] + ".pyc")
        # pyperf's workers run sys.argv[0] again: keep it this script.
        sys.argv = [os.path.abspath(__file__)] + list(self.argv)
        loader = PycOnlyLoader(self, main_path)
        spec = importlib.util.spec_from_file_location("__main__", main_path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        module.__builtins__ = __builtins__
        sys.modules["__main__"] = module
        code = loader.get_code("__main__")
        exit_code = 0
        try:
            exec(code, module.__dict__)
        except SystemExit as e:
            exit_code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        record = {"pid": os.getpid(), "worker": "--worker" in self.argv, "loaded": []}
        for name, path, data, _ in self.loaded:
            record["loaded"].append({"module": name, "path": path, "size": len(data),
                                     "fnv64": fnv1a64(data)})
        with open(self.config["record"], "a") as f:
            f.write(json.dumps(record) + "\n")
        return exit_code


def main(argv):
    config = os.environ.get(PYPERF_ENV)
    if config and "--dir" not in argv:
        # A worker pyperf spawned: `python bench_driver.py --worker ...`.
        return PyperfDriver(json.loads(config), argv).run()
    if "--" in argv:
        at = argv.index("--")
        mine, rest = argv[:at], argv[at + 1:]
    else:
        mine, rest = argv, []
    # Not __doc__: it is None under -OO.
    p = argparse.ArgumentParser(description="Runs one benchmark program from .pyc files only.")
    p.add_argument("--dir", required=True)
    p.add_argument("--main", required=True)
    p.add_argument("--mode", choices=("count", "time", "pyperf"), required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--loops", type=int, default=1)
    p.add_argument("--warmups", type=int, default=0)
    p.add_argument("--values", type=int, default=1)
    p.add_argument("--count-scope", choices=("program", "all"), default="program")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    opts = p.parse_args(mine)
    opts.program_args = rest
    if opts.mode == "pyperf":
        config = {"dir": os.path.abspath(opts.dir), "main": opts.main,
                  "record": os.path.abspath(opts.out) + ".loaded"}
        os.environ[PYPERF_ENV] = json.dumps(config)
        if sys.flags.optimize:
            # pyperf starts workers as plain `python`: carry -O/-OO over.
            os.environ["PYTHONOPTIMIZE"] = str(sys.flags.optimize)
        return PyperfDriver(config, rest).run()
    return Driver(opts).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
