#!/usr/bin/env bash
# Load test of a scoring API (pad serve or the Python reference in bench/python/) with wrk.
#
#   bench/load/run.sh BASE_URL LABEL [DURATION]          # /predict and /explain at 1, 16, 64 connections
#   bench/load/run.sh --soak PID BASE_URL LABEL          # 60 s on /predict at 16 connections, RSS before/after
#
#   bench/load/run.sh http://127.0.0.1:8001 python 10s
#   bench/load/run.sh --soak "$(pgrep -of 'uvicorn.*8001')" http://127.0.0.1:8001 python
#
# Prints one Markdown table row per run (header first). Only loopback servers are accepted
# (127.0.0.1, localhost, [::1]). Each wrk run is bounded by DURATION (default 10s).
#
# Environment:
#   CONNECTIONS    connection counts (default "1 16 64"); -t1 for 1 connection, -t2 otherwise
#   ENDPOINTS      paths (default "/predict /explain")
#   TIMEOUT        wrk's per-request timeout (default 10s; wrk's own 2s would count slow
#                  answers as errors)
#   SOAK_DURATION  soak length (default 60s); SOAK_CONNECTIONS (default 16)
#   PAD_API_TOKEN  sent as a bearer token when set; PAD_IDS_FILE / PAD_CLIENT_IDS: see post.lua
#   RAW            a file to append wrk's full output to (default: not kept)
#
# In soak mode the RSS (VmRSS from /proc/PID/status) of PID and of its descendants (uvicorn's
# workers under its master process) is printed before and after.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
script="$here/post.lua"
export PAD_IDS_FILE=${PAD_IDS_FILE:-$here/ids.txt}
timeout=${TIMEOUT:-10s}

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

soak_pid=
if [[ ${1:-} == --soak ]]; then
    [[ $# -ge 4 ]] || usage
    soak_pid=$2
    shift 2
    [[ $soak_pid =~ ^[0-9]+$ && -r /proc/$soak_pid/status ]] || { echo "no such process: $soak_pid" >&2; exit 2; }
fi
[[ $# -ge 2 ]] || usage
base=${1%/}
label=$2
duration=${3:-10s}

if ! [[ $base =~ ^https?://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?$ ]]; then
    echo "refusing $1: only loopback URLs (127.0.0.1, localhost, [::1]) with no path" >&2
    exit 2
fi
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 2; }

# One request first, so that a wrong URL or token fails loudly instead of as a fast 404 run.
first_id=$(grep -m1 -E '^[0-9]+$' "$PAD_IDS_FILE")
auth=()
[[ -n ${PAD_API_TOKEN:-} ]] && auth=(-H "Authorization: Bearer $PAD_API_TOKEN")
status=$(curl -s -o /dev/null -w '%{http_code}' -m 30 -X POST -H 'Content-Type: application/json' \
    "${auth[@]}" -d "{\"client_id\": $first_id}" "$base/predict" || true)
if [[ $status != 200 ]]; then
    echo "POST $base/predict {\"client_id\": $first_id} answered '$status', not 200" >&2
    exit 1
fi

field() { # field NAME LINE
    sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

# One wrk run; prints its table row.
run() { # run PATH CONNECTIONS DURATION
    local path=$1 connections=$2 length=$3 threads=2 output line
    ((connections > 1)) || threads=1
    output=$(wrk -t"$threads" -c"$connections" -d"$length" --timeout "$timeout" -s "$script" "$base$path")
    [[ -n ${RAW:-} ]] && printf '## %s %s c=%s\n%s\n' "$label" "$path" "$connections" "$output" >>"$RAW"
    line=$(grep '^wrk_result ' <<<"$output" | sed 's/$/ /')
    [[ -n $line ]] || { echo "no result from wrk:" >&2; echo "$output" >&2; exit 1; }
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$path" "$connections" \
        "$threads" "$length" "$(field rps "$line")" "$(field p50_ms "$line")" "$(field p90_ms "$line")" \
        "$(field p99_ms "$line")" "$(field non2xx "$line")" "$(field errors "$line")"
}

header() {
    echo '| server | endpoint | connections | threads | duration | req/s | p50 ms | p90 ms | p99 ms | non-2xx | socket errors |'
    echo '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
}

rss_kib() { # rss_kib PID: VmRSS in KiB, 0 if gone
    awk '/^VmRSS:/ { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0
}

descendants() { # descendants PID: every process below PID
    local child
    for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        echo "$child"
        descendants "$child"
    done
}

rss_report() { # rss_report WHEN
    local total own pid line
    own=$(rss_kib "$soak_pid")
    total=$own
    line="PID $soak_pid ${own} KiB"
    for pid in $(descendants "$soak_pid"); do
        own=$(rss_kib "$pid")
        total=$((total + own))
        line+=", child $pid ${own} KiB"
    done
    printf 'RSS %s: %s (total %d KiB = %.1f MiB)\n' "$1" "$line" "$total" "$(awk "BEGIN { print $total / 1024 }")"
}

if [[ -n $soak_pid ]]; then
    rss_report before
    header
    run /predict "${SOAK_CONNECTIONS:-16}" "${SOAK_DURATION:-60s}"
    rss_report after
    exit 0
fi

header
for path in ${ENDPOINTS:-/predict /explain}; do
    for connections in ${CONNECTIONS:-1 16 64}; do
        run "$path" "$connections" "$duration"
    done
done
