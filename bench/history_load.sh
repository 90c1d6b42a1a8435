#!/usr/bin/env bash
# Loading and aggregating the credit history at Kaggle's full sizes: `pad synth` writes a
# folder in Kaggle's layout (ROWS clients with their bureau, bureau-balance and card tables, as
# Parquet), then `pad predict --timing` reads it with the shipped model (which reads the
# history) under `/usr/bin/time -v`: its `load` line times reading the five tables, the checks,
# the lazy group-by aggregates and the model inputs; GNU time gives the peak memory.
#
#   bench/history_load.sh [ROWS]      # ROWS: clients, default 307511 (Kaggle's application_train)
#
# Environment: PAD (the binary; default release/pad in cargo's target directory), DIR (the
# folder written, default a temporary one, removed at the end).
set -euo pipefail
rows=${1:-307511}
cd "$(dirname "$0")/.."
pad=${PAD:-$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/pad}
dir=${DIR:-$(mktemp -d)}
"$pad" synth --rows "$rows" --seed 1 --no-target --out "$dir/application_test.parquet" --tables "$dir"
for table in application_test bureau bureau_balance credit_card_balance; do
    printf '%-22s %s\n' "$table" "$(du -h "$dir/$table.parquet" | cut -f1)"
done
/usr/bin/time -v "$pad" predict --data "$dir" --out /dev/null --timing 2>&1 |
    grep -E 'load|score|Maximum resident|Elapsed|warning' || true
if [[ -z ${DIR:-} ]]; then
    rm -rf "$dir"
fi
