#!/usr/bin/env bash
# Runs CPython's own test suite over a stdlib whose .pyc files pycopt rewrote, and
# compares the results with an untouched copy of the same installation.
#
# Usage: corpus/scripts/cpython_test_suite.sh X.Y [--quick] [--keep] [-- PYCOPT_OPT_ARGS...]
#
#   X.Y            interpreter version, found by the project's search (corpus/README.md)
#   --quick        a short list of language tests (what CI runs) instead of the full list
#   --keep         keep the temporary copies (their paths are printed)
#   PYCOPT_OPT_ARGS  what `pycopt opt` is given besides --in-place (default: -O0 --rebuild)
#
# With other arguments than the default, tests that read bytecode on purpose
# (test_dis, test_peepholer, test_compile) may differ: the differences are printed
# and do not fail the run. With -O0 --rebuild every outcome must be identical.
#
# Steps: the interpreter's prefix (bin/ and lib/, without site-packages) is copied
# twice into a temporary folder; every .py of each copy is compiled with that
# interpreter's compileall (same sources, same mtimes, so both get the same .pyc);
# one copy is rewritten in place with `pycopt opt`; then `python -m test` runs the
# same tests in both and the outcome of every test (passed, failed, skipped, ...) is
# compared. Exit status: 0 when every test has the same outcome in both, 1 otherwise,
# 2 for a usage or setup error.
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
version="${1:-}"
[[ "$version" =~ ^[23]\.[0-9]+$ ]] || { sed -n '2,20p' "$0"; exit 2; }
shift
quick=0 keep=0
opt_args=(-O0 --rebuild)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    --) shift; opt_args=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

cargo build --release -q -p pycopt -p pycopt-corpus --manifest-path "$here/Cargo.toml"
pycopt="$here/target/release/pycopt"
python="$("$here/target/release/pycopt-corpus" list | awk -v v="$version" '$1 == v && $4 != "" { print $4 }' | head -1)"
[[ -n "$python" && "$python" != MISSING ]] || { echo "no interpreter for $version" >&2; exit 2; }
prefix="$("$python" -c 'import sys; print(sys.prefix)')"
libname="python$version"

work="$(mktemp -d "${TMPDIR:-/tmp}/pycopt-testsuite-$version-XXXXXX")"
[[ $keep == 1 ]] || trap 'rm -rf "$work"' EXIT

full_list=(test_grammar test_exceptions test_generators test_coroutines test_with
  test_contextlib test_scope test_class test_descr test_patma test_sys_settrace
  test_traceback test_inspect test_json test_re test_collections test_itertools
  test_functools test_dataclasses test_enum test_typing test_fstring test_long
  test_float test_math test_pickle test_copy test_unpack test_listcomps test_genexps
  test_compile test_sys test_builtin test_types test_string test_unicode test_bytes
  test_dict test_set test_list test_tuple test_int test_operator test_keywordonlyarg
  test_positional_only_arg test_named_expressions test_exception_group test_except_star
  test_opcodes test_peepholer test_dis test_lambda test_property test_super test_decorators
  test_richcmp test_augassign test_bool test_contextlib_async test_asyncgen
  test_yield_from test_raise test_with test_global test_nonlocal test_funcattrs)
quick_list=(test_grammar test_exceptions test_generators test_scope test_with
  test_unpack test_listcomps test_patma)
if [[ $quick == 1 ]]; then tests=("${quick_list[@]}"); else tests=("${full_list[@]}"); fi
# PYCOPT_TESTS="test_a test_b" runs only those modules (to look into one difference).
if [[ -n "${PYCOPT_TESTS:-}" ]]; then read -ra tests <<<"$PYCOPT_TESTS"; fi

for side in stock pycopt; do
  mkdir -p "$work/$side"
  tar -C "$prefix" --exclude="lib/$libname/site-packages" -cf - bin lib | tar -C "$work/$side" -xf -
  mkdir -p "$work/$side/lib/$libname/site-packages"
done
# Only tests that exist in this version, once each.
present=()
for t in "${tests[@]}"; do
  if [[ -e "$work/stock/lib/$libname/test/$t.py" || -d "$work/stock/lib/$libname/test/$t" ]]; then
    [[ " ${present[*]-} " == *" $t "* ]] || present+=("$t")
  fi
done

for side in stock pycopt; do
  # Test data folders hold deliberately broken sources: compile failures are expected.
  "$work/$side/bin/$libname" -m compileall -q -j0 "$work/$side/lib/$libname" >/dev/null 2>&1 || true
done
echo "== pycopt opt ${opt_args[*]} --in-place ($version, $(find "$work/pycopt/lib" -name '*.pyc' | wc -l) files)"
# A file pycopt cannot process is kept as it was, so the tests would still pass on it:
# that must fail the run, not slip through.
if ! "$pycopt" opt "${opt_args[@]}" --in-place -q --report "$work/opt-report.json" "$work/pycopt/lib/$libname"; then
  echo "== $version: pycopt failed on some files:" >&2
  grep -o '"error": "[^"]*"' "$work/opt-report.json" | head -20 >&2 || true
  exit 1
fi

run_tests() {
  local side="$1"
  # -v prints one "test_x ... ok/FAIL/skipped" line per test case.
  (cd "$work/$side" && PYTHONHASHSEED=0 "$work/$side/bin/$libname" -m test -v "${present[@]}" \
    >"$work/$side.log" 2>&1) || true
  # Outcome per test case, sorted: the comparison ignores timing and ordering, and
  # the copy's own folder (warnings print source paths) reads as <prefix>.
  grep -E '^[A-Za-z_][A-Za-z0-9_]* \(.*\) \.\.\. ' "$work/$side.log" \
    | sed -E -e "s#$work/$side#<prefix>#g" \
      -e 's/ \.\.\. (ok|FAIL|ERROR|skipped|expected failure|unexpected success).*/ ... \1/' \
    | sort >"$work/$side.outcomes" || true
}
echo "== running ${#present[@]} test modules twice: ${present[*]}"
run_tests stock
run_tests pycopt

stock_n=$(wc -l <"$work/stock.outcomes")
if diff -u "$work/stock.outcomes" "$work/pycopt.outcomes" >"$work/outcomes.diff"; then
  echo "== $version: identical outcomes for $stock_n test cases ($(grep -c ' ok$' "$work/stock.outcomes") ok)"
  tail -3 "$work/pycopt.log"
  exit 0
fi
# Test modules that read bytecode on purpose (disassembly text, co_consts indices,
# what the peephole optimizer left): an optimizer that changes bytecode changes what
# they see. Their differences are listed, and only fail the run for the default
# -O0 --rebuild, which must be byte-identical.
bytecode_tests='test_dis|test_peepholer|test_compile'
filter() { grep -Ev "\((test\.)?($bytecode_tests)\." "$1" || true; }
if [[ "${opt_args[*]}" != "-O0 --rebuild" ]] \
  && diff -u <(filter "$work/stock.outcomes") <(filter "$work/pycopt.outcomes") >/dev/null; then
  echo "== $version: identical outcomes for $stock_n test cases except tests that read bytecode ($bytecode_tests):"
  grep -E '^[-+][^-+]' "$work/outcomes.diff" | head -40 || true
  exit 0
fi
echo "== $version: outcomes differ (stock: $stock_n test cases):"
grep -E '^[-+][^-+]' "$work/outcomes.diff" | grep -Ev "\((test\.)?($bytecode_tests)\." | head -200 || true
exit 1
