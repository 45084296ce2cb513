#!/usr/bin/env bash
# The whole test suite: formatting, lints, every test in release mode (the
# corpus-wide tests read ~1 GB of .pyc and need optimized code to stay fast), then a
# quick run of CPython's own test suite over stdlibs optimized by pycopt at -O2.
set -euo pipefail
cd "$(dirname "$0")"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --release -- -D warnings
cargo test --workspace --release

# CPython's language tests on a copy of each interpreter whose .pyc files went
# through `pycopt opt -O2 --in-place`, against an untouched copy
# (corpus/scripts/cpython_test_suite.sh; the full list is documented in the README;
# byte-identical -O0 --rebuild is covered by core/tests/cfg_rebuild.rs).
cargo build --release -q -p pycopt -p pycopt-corpus
found="$(./target/release/pycopt-corpus list)"
for v in 3.8 3.9 3.10 3.11 3.12 3.13; do
  if ! awk -v v="$v" '$1 == v && $4 != "" { ok = 1 } END { exit !ok }' <<<"$found"; then
    if [[ "${CI:-}" == true ]]; then
      echo "CPython $v not found (see corpus/README.md); required under CI" >&2
      exit 1
    fi
    echo "notice: CPython $v not found; its test-suite run is skipped" >&2
    continue
  fi
  corpus/scripts/cpython_test_suite.sh "$v" --quick -- -O2
done
