#!/usr/bin/env bash
# Runs each fuzz target for SECONDS seconds (default 60) with cargo fuzz, starting from a seed
# corpus of the small test fixtures, and prints the inputs tried per target.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Safe Rust needs no
# sanitizer (`--sanitizer none`), and an optimised build finds more per second. The build goes
# to its own target directory (the instrumented polars is not the tests' one): the first build
# takes a long time. A crash leaves its input in fuzz/artifacts/TARGET/; replay it with
# `cargo +nightly fuzz run --sanitizer none -O TARGET FILE`.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(model_parse model_explain card csv parquet api_json)
fi
export CARGO_TARGET_DIR="${PAD_FUZZ_TARGET_DIR:-$HOME/pad-fuzz-target}"
corpus_root="${PAD_FUZZ_CORPUS:-$CARGO_TARGET_DIR/corpus}"
fuzz=(cargo +nightly fuzz)
options=(--sanitizer none -O)

# Copies the files of $2... smaller than 128 KiB into corpus folder $1.
seed() {
    local folder="$1"
    shift
    mkdir -p "$folder"
    for file in "$@"; do
        if [ -f "$file" ] && [ "$(stat -c %s "$file")" -lt 131072 ]; then
            cp "$file" "$folder/"
        fi
    done
}

# What the build is made from (hashed before the build may update fuzz/Cargo.lock): CI runs
# cargo fuzz only over a build of the same dependencies.
dependencies=$(cd .. && cat Cargo.toml Cargo.lock fuzz/Cargo.toml fuzz/Cargo.lock 2>/dev/null | sha256sum | cut -d' ' -f1)
"${fuzz[@]}" build "${options[@]}"
echo "$dependencies" >"$CARGO_TARGET_DIR/dependencies.sha256"
status=0
for target in "${targets[@]}"; do
    corpus="$corpus_root/$target"
    case "$target" in
        model_parse | model_explain) seed "$corpus" ../tests/fixtures/*.model.txt ../tests/fixtures/lgbm/*.model.txt ;;
        card) seed "$corpus" ../assets/model.json ;;
        csv) seed "$corpus" ../tests/fixtures/lgbm/*.input.csv seeds/csv/* ;;
        parquet) seed "$corpus" seeds/parquet/* ;;
        api_json) seed "$corpus" seeds/api_json/* ;;
    esac
    log="$CARGO_TARGET_DIR/fuzz-$target.log"
    if "${fuzz[@]}" run "${options[@]}" "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result="FAILED (see $log and fuzz/artifacts/$target/)"
        status=1
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    echo "fuzz: $target: ${execs:-?} inputs in ${seconds}s: $result"
done
exit "$status"
