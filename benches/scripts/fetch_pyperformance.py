"""Fetches pyperformance's pure-Python benchmarks for pycopt-bench.

    python3 benches/scripts/fetch_pyperformance.py [--cache DIR]
        [--version 1.14.0] [--benchmarks nbody,go,...|default|all]

Downloads the pyperformance source distribution from PyPI with pip (the
ordinary client; nothing is vendored in git), unpacks it into the cache
(default: target/bench-cache of the checkout) and lays out each wanted
benchmark as a program folder pycopt-bench reads:

    CACHE/programs/NAME/run_benchmark.py     the benchmark, as shipped
    CACHE/programs/NAME/data/...             its data files, if any
    CACHE/programs/NAME/program.json         name, origin, main module, args

Only benchmarks whose sole dependency is pyperf are taken (pycopt-bench
supplies a pyperf stand-in); ``all`` takes every such benchmark except those
that start subprocesses or servers. Idempotent: an existing download is reused
and program folders are rewritten. Runs on Python 3.8+.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The list, plus a few more pure-Python ones that finish quickly.
DEFAULT = [
    "nbody", "richards", "chaos", "go", "hexiom", "fannkuch", "spectral_norm",
    "nqueens", "raytrace", "deltablue", "float", "unpack_sequence",
    "generators", "coroutines", "deepcopy", "json_dumps", "pickle_pure_python",
    "logging", "regex_effbot", "regex_v8", "pyflate", "scimark",
    "meteor_contest", "comprehensions", "richards_super", "pprint",
]

# Benchmarks that need more than the interpreter and pyperf's API.
EXCLUDED = {
    "2to3": "runs a subprocess",
    "python_startup": "runs subprocesses",
    "python_startup_no_site": "runs subprocesses",
    "concurrent_imap": "uses thread and process pools",
    "asyncio_tcp": "opens sockets",
    "asyncio_tcp_ssl": "opens sockets",
    "hg_startup": "needs Mercurial",
}

# Smaller problem sizes for opcode counting, which runs 20-100x slower than
# normal execution (the same arguments are used for every variant, so the
# counts stay comparable; timing uses the benchmark's defaults).
COUNT_ARGS = {
    "nbody": ["--iterations", "2000"],
    "chaos": ["--iterations", "400"],
    "hexiom": ["--level", "10"],
    "raytrace": ["--width", "40", "--height", "40"],
}


def pip_download(version, dest):
    """The pyperformance sdist (downloaded once); returns its path."""
    os.makedirs(dest, exist_ok=True)
    want = "pyperformance" if version == "latest" else "pyperformance==" + version
    have = [f for f in os.listdir(dest) if f.startswith("pyperformance-") and f.endswith(".tar.gz")]
    if version != "latest":
        name = "pyperformance-%s.tar.gz" % version
        if name in have:
            return os.path.join(dest, name)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
           "--disable-pip-version-check", "-d", dest, want]
    print("fetch: " + " ".join(cmd), file=sys.stderr)
    subprocess.check_call(cmd)
    have = sorted(f for f in os.listdir(dest)
                  if f.startswith("pyperformance-") and f.endswith(".tar.gz"))
    if version != "latest":
        return os.path.join(dest, "pyperformance-%s.tar.gz" % version)
    return os.path.join(dest, have[-1])


def extract(sdist, dest):
    """Unpacks the benchmarks folder of the sdist; returns it."""
    base = os.path.basename(sdist)[:-len(".tar.gz")]
    out = os.path.join(dest, base)
    bench_dir = os.path.join(out, "pyperformance", "data-files", "benchmarks")
    if os.path.isdir(bench_dir):
        return base, bench_dir
    with tarfile.open(sdist) as tar:
        members = []
        for m in tar.getmembers():
            parts = m.name.split("/")
            if ".." in parts or m.name.startswith("/") or not (m.isfile() or m.isdir()):
                continue
            if "/data-files/benchmarks/" in m.name or m.name.endswith("/data-files/benchmarks"):
                members.append(m)
        if hasattr(tarfile, "data_filter"):
            # Refuses links out of dest, device files and the like (PEP 706).
            tar.extractall(dest, members=members, filter="data")
        else:
            tar.extractall(dest, members=members)
    return base, bench_dir


def toml_value(text, key):
    """A string or list-of-strings value of a simple TOML file (no tomllib on 3.8)."""
    m = re.search(r'^%s\s*=\s*(.+)$' % re.escape(key), text, re.M)
    if not m:
        return None
    raw = m.group(1).strip()
    if raw.startswith("["):
        # A list may span lines: read up to the closing bracket.
        start = m.start(1)
        end = text.index("]", start)
        return re.findall(r'"([^"]*)"', text[start:end + 1])
    return raw.strip('"')


def manifest(bench_dir):
    """(name, folder, extra toml or None) for each benchmark of the MANIFEST."""
    out = []
    section = None
    with open(os.path.join(bench_dir, "MANIFEST")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if not line:
                continue
            if line.startswith("["):
                section = line
                continue
            if section != "[benchmarks]" or line.startswith("name"):
                continue
            name, meta = line.split()
            if meta == "<local>":
                out.append((name, "bm_" + name, None))
            elif meta.startswith("<local:"):
                base = meta[len("<local:"):-1]
                out.append((name, "bm_" + base, "bm_%s.toml" % name))
    return out


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cache", default=os.path.join(ROOT, "target", "bench-cache"))
    p.add_argument("--version", default="1.14.0",
                   help="pyperformance release (default 1.14.0, pinned for reproducible "
                        "figures; 'latest' for the newest)")
    p.add_argument("--benchmarks", default="default",
                   help="comma-separated names, 'default' or 'all'")
    opts = p.parse_args(argv)

    cache = os.path.abspath(opts.cache)
    sdist = pip_download(opts.version, os.path.join(cache, "downloads"))
    base, bench_dir = extract(sdist, os.path.join(cache, "src"))
    known = manifest(bench_dir)
    names = [n for n, _, _ in known]
    if opts.benchmarks == "default":
        wanted = DEFAULT
    elif opts.benchmarks == "all":
        wanted = [n for n in names if n not in EXCLUDED]
    else:
        wanted = [w.strip() for w in opts.benchmarks.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        p.error("not in pyperformance %s: %s" % (base, ", ".join(unknown)))

    programs = os.path.join(cache, "programs")
    os.makedirs(programs, exist_ok=True)
    taken, skipped = [], []
    for name, folder, extra in known:
        if name not in wanted:
            continue
        src = os.path.join(bench_dir, folder)
        with open(os.path.join(src, "pyproject.toml")) as f:
            pyproject = f.read()
        deps = toml_value(pyproject, "dependencies") or []
        if deps != ["pyperf"] or os.path.exists(os.path.join(src, "requirements.txt")):
            skipped.append((name, "depends on %s" % ", ".join(deps)))
            continue
        if name in EXCLUDED:
            skipped.append((name, EXCLUDED[name]))
            continue
        args = toml_value(pyproject, "extra_opts") or []
        if extra:
            with open(os.path.join(src, extra)) as f:
                args = toml_value(f.read(), "extra_opts") or []
        requires = toml_value(pyproject, "requires-python") or ">=3.8"
        m = re.match(r">=\s*(\d+)\.(\d+)", requires)
        dest = os.path.join(programs, name)
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.toml", "requirements.txt",
                                                                  "__pycache__", "*.pyc"))
        meta = {
            "name": name,
            "origin": base,
            "main": "run_benchmark",
            "args": args,
            "count_args": COUNT_ARGS.get(name, []),
            "min_python": "%s.%s" % (m.group(1), m.group(2)) if m else "3.8",
        }
        with open(os.path.join(dest, "program.json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
        taken.append(name)
    for name, why in skipped:
        print("skipped %s: %s" % (name, why), file=sys.stderr)
    print("%d benchmarks of %s in %s" % (len(taken), base, programs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
