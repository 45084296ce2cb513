#!/usr/bin/env bash
# Measures `pycopt opt` against the interpreter's own compileall on the same stdlib,
# in the same run on the same machine, and the static reduction pycopt makes.
#
# Usage: corpus/scripts/opt_vs_compileall.sh X.Y [LEVEL...]     (default levels: 2 3)
#        PYCOPT_VS_ROUNDS=N (default 5) timed rounds per tool
#
# Steps: the interpreter's stdlib folder (lib/pythonX.Y without site-packages and
# without existing __pycache__ folders) is copied to a temporary folder. Then, round
# by round: the __pycache__ folders are removed and the interpreter's
# `compileall -q -j 0` compiles every source from scratch (as a fresh install does);
# the output folder is removed and `pycopt opt -OLEVEL` rewrites every compiled file
# into it. Both write every file through a temporary and a rename, on all cores;
# deleting is not timed. Wall times are medians over the rounds (creating thousands
# of files right after deleting thousands costs the kernel a varying amount; the
# rounds see the same conditions for both tools). One markdown row per level: files,
# compileall seconds, pycopt seconds, ratio, peak MiB (from /usr/bin/time),
# instructions and code bytes before/after.
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
version="${1:-}"
[[ "$version" =~ ^[23]\.[0-9]+$ ]] || { sed -n '2,14p' "$0"; exit 2; }
shift
levels=("$@")
[[ ${#levels[@]} -gt 0 ]] || levels=(2 3)

cargo build --release -q -p pycopt -p pycopt-corpus --manifest-path "$here/Cargo.toml"
pycopt="$here/target/release/pycopt"
python="$("$here/target/release/pycopt-corpus" list | awk -v v="$version" '$1 == v && $4 != "" { print $4 }' | head -1)"
[[ -n "$python" && "$python" != MISSING ]] || { echo "no interpreter for $version" >&2; exit 2; }
lib="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"

work="$(mktemp -d "${TMPDIR:-/tmp}/pycopt-vs-compileall-$version-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
tar -C "$lib" --exclude=./site-packages --exclude=__pycache__ -cf - . | tar -C "$work/src" -xf -

rounds="${PYCOPT_VS_ROUNDS:-5}"
compileall() { "$python" -m compileall -q -j 0 "$work/src" >/dev/null 2>&1 || true; }
uncompiled() { find "$work/src" -name __pycache__ -type d -prune -exec rm -rf {} +; }
timed() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
compileall

echo "| version | level | files | compileall s | pycopt s | ratio | peak MiB | instructions | code bytes |"
echo "|---|---|---:|---:|---:|---:|---:|---|---|"
for level in "${levels[@]}"; do
  rm -rf "$work/out"
  /usr/bin/time -f '%e %M' -o "$work/time.txt" \
    "$pycopt" opt -q -O"$level" "$work/src" -o "$work/out" --report "$work/report.json" || true
  read -r _ rss_kb < "$work/time.txt"
  : > "$work/compile_s"; : > "$work/opt_s"
  for _ in $(seq "$rounds"); do
    uncompiled
    timed compileall >> "$work/compile_s"
    rm -rf "$work/out"
    timed "$pycopt" opt -q -O"$level" "$work/src" -o "$work/out" >> "$work/opt_s"
  done
  compile_s=$(median < "$work/compile_s")
  wall=$(median < "$work/opt_s")
  "$python" - "$work/report.json" "$version" "$level" "$compile_s" "$wall" "$rss_kb" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
version, level, comp, wall, rss = sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
t = r["totals"]
def ch(a, b):
    return "%d → %d (%+.2f%%)" % (a, b, (b - a) * 100.0 / a if a else 0.0)
print("| %s | -O%s | %d | %.1f | %.2f | %.1f× faster | %.0f | %s | %s |" % (
    version, level, r["files"], comp, wall, comp / wall if wall else 0, rss / 1024.0,
    ch(t["instrs_before"], t["instrs_after"]), ch(t["code_bytes_before"], t["code_bytes_after"])))
if r["failed"] or t["kept"]:
    print("  (%d files failed, %d code objects kept)" % (r["failed"], len(t["kept"])), file=sys.stderr)
PY
done
