#!/usr/bin/env bash
# Registry figures against a local MLflow server (the virtual environment .ci/run creates):
#
#   bench/mlflow.sh [PAD_BINARY]
#
# 1. Opening the shipped model: `pad predict` of one client with --model assets/model.txt, with
#    models:/credit@champion from a warm cache (the alias is still asked of the server), and
#    from the server with an empty cache; RUNS runs each (default 10), median wall time.
# 2. A hot swap under load: `pad serve --model models:/credit@champion --poll 1`, wrk at 16
#    connections on /predict for 6 s before the swap, then for 6 s during which the alias moves
#    to a version 2 (other leaf values) after 2 s; requests per second of both, non-2xx answers.
# Needs wrk. Loopback only; everything lives in a temporary folder removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
pad=$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/pad}")
venv="${PAD_MLFLOW_VENV:-$HOME/.pad-tools/mlflow}"
runs="${RUNS:-10}"
work=$(mktemp -d)
server_pid=
serve_pid=
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill -- "-$server_pid" 2>/dev/null || true
    sleep 1
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
setsid "$venv/bin/mlflow" server --host 127.0.0.1 --port "$port" --workers 1 \
    --backend-store-uri "sqlite:///$work/mlflow.db" --artifacts-destination "$work/artifacts" \
    >"$work/server.log" 2>&1 &
server_pid=$!
export MLFLOW_TRACKING_URI="http://127.0.0.1:$port" PAD_MODEL_CACHE="$work/cache"
until curl -sf "$MLFLOW_TRACKING_URI/health" >/dev/null; do sleep 0.5; done
"$pad" models register credit --model assets/model.txt --experiment bench >/dev/null
"$pad" models promote credit 1 >/dev/null
head -2 data/applicants.csv >"$work/one.csv"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
file_ms=$(for _ in $(seq "$runs"); do time_ms "$pad" predict --model assets/model.txt --data "$work/one.csv"; done | median)
"$pad" predict --model models:/credit@champion --data "$work/one.csv" >/dev/null 2>&1
warm_ms=$(for _ in $(seq "$runs"); do time_ms "$pad" predict --model models:/credit@champion --data "$work/one.csv"; done | median)
cold_ms=$(for i in $(seq "$runs"); do PAD_MODEL_CACHE="$work/cold-$i" time_ms "$pad" predict --model models:/credit@champion --data "$work/one.csv"; done | median)
echo "| opening the shipped model (median of $runs) | file | models:/credit@champion, warm cache | same, empty cache |"
echo "|---|---:|---:|---:|"
echo "| pad predict, one client | $file_ms ms | $warm_ms ms (+$((warm_ms - file_ms)) ms) | $cold_ms ms |"

# Version 2: tree 0's leaf values doubled, with a card of its own version label.
python3 - "$work" <<'PY'
import hashlib, json, sys
work = sys.argv[1]
lines = open("assets/model.txt").read().split("\n")
i = next(n for n, line in enumerate(lines) if line.startswith("leaf_value="))
lines[i] = "leaf_value=" + " ".join(repr(float(v) * 2) for v in lines[i][len("leaf_value="):].split())
text = "\n".join(lines)
open(f"{work}/model.txt", "w").write(text)
card = json.load(open("assets/model.json"))
card["model_version"] = "sha256-" + hashlib.sha256(text.encode()).hexdigest()[:12]
json.dump(card, open(f"{work}/model.json", "w"), indent=2)
PY
"$pad" models register credit --model "$work/model.txt" --experiment bench >/dev/null
serve_port=$(free_port)
"$pad" serve --addr "127.0.0.1:$serve_port" --model models:/credit@champion --poll 1 2>"$work/serve.log" &
serve_pid=$!
complete=
until curl -sf "http://127.0.0.1:$serve_port/health" >/dev/null; do sleep 0.2; done
# Only clients with a complete application: an incomplete one is a 422 by design, which would
# hide a failed answer among the expected ones.
for id in $(cat bench/load/ids.txt); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"client_id\": $id}" "http://127.0.0.1:$serve_port/predict")
    [ "$code" = 200 ] && complete+=" $id"
done
export PAD_CLIENT_IDS="$complete"
echo "clients in the load: $(echo $complete | wc -w) of $(wc -l <bench/load/ids.txt) (the others are incomplete applications)"
load() { wrk -t2 -c16 -d6s --timeout 10s -s bench/load/post.lua "http://127.0.0.1:$serve_port/predict" | grep wrk_result; }
before=$(load)
(sleep 2; "$pad" models promote credit 2 >/dev/null) &
promote_pid=$!
during=$(load)
wait "$promote_pid"
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
echo
echo "| /predict, 16 connections, 6 s | requests/s | p99 | non-2xx | socket errors |"
echo "|---|---:|---:|---:|---:|"
echo "| before the swap | $(field "$before" rps) | $(field "$before" p99_ms) ms | $(field "$before" non2xx) | $(field "$before" errors) |"
echo "| the alias moved 2 s in | $(field "$during" rps) | $(field "$during" p99_ms) ms | $(field "$during" non2xx) | $(field "$during" errors) |"
grep -c "model swapped" "$work/serve.log" | sed 's/^/swaps logged: /' || true
grep -E "moved|swapped|cannot|WARN|ERROR" "$work/serve.log" | grep -v "request refused" | tail -5
