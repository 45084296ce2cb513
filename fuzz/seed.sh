#!/usr/bin/env bash
# Seeds fuzz/corpus/ from the sample .pyc files in core/tests/data/.
#   read_pyc:     each sample as it is.
#   read_marshal: each sample's marshal stream (header removed) behind a first byte
#                 that selects its version, once with default and once with small
#                 limits (see src/checks.rs, marshal_setup).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../core/tests/data"
mkdir -p "$here/corpus/read_pyc" "$here/corpus/read_marshal"
versions=(2.7 3.6 3.7 3.8 3.9 3.10 3.11 3.12 3.13)
for f in "$data"/sample-*.pyc; do
    name=$(basename "$f")
    cp "$f" "$here/corpus/read_pyc/$name"
    v=${name#sample-}; v=${v%.pyc}; v=${v%-checked-hash}
    case $v in 2.7) header=8 ;; 3.6) header=12 ;; *) header=16 ;; esac
    for i in "${!versions[@]}"; do [[ ${versions[$i]} == "$v" ]] && sel=$i; done
    for limits in 0 128; do
        out="$here/corpus/read_marshal/$name.$limits"
        printf "\\$(printf '%03o' $((sel + limits)))" > "$out"
        tail -c +$((header + 1)) "$f" >> "$out"
    done
done
echo "seeded $(ls "$here/corpus/read_pyc" | wc -l) + $(ls "$here/corpus/read_marshal" | wc -l) inputs"
