#!/usr/bin/env bash
# The whole test suite: formatting, lints, then every test in release mode (the
# corpus-wide tests read ~1 GB of .pyc and need optimized code to stay fast).
set -euo pipefail
cd "$(dirname "$0")"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --release -- -D warnings
cargo test --workspace --release
