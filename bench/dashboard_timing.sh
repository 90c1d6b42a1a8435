#!/usr/bin/env bash
# The real dashboard's speed and memory: runs the release `pad --timing` in a detached tmux
# session at 140x40 under `/usr/bin/time -v`, presses Down then p (next client, predict) PAIRS
# times, quits, and prints the dashboard's own timing lines and the process's peak memory.
#
#   bench/dashboard_timing.sh [HISTORY]     # HISTORY: reference population, default data/history.parquet
#
# Environment:
#   PAD        the binary (default: release/pad in cargo's target directory; build it first)
#   PAIRS      how many Down + p pairs (default 40; keep it under the 999 clients after the first)
#   KEY_SLEEP  seconds between two keys (default 0.1)
#   SETTLE     seconds between the first frame and the first key, for the background portfolio
#              job to finish as it would before a person's first key (default 1)
#   TOGETHER   1: send each Down and p in one write, so both keys wait for the client's fields
#              and its explanation (the whole "next client + predict" step per key)
#   SCREEN     a file to save the last screen before `q` in (default: not saved)
#   RECORD     1: after each p, also d then Enter (record the decision as proposed) in a fresh
#              SQLite journal in the temporary folder; the dashboard then also prints `key to
#              recorded` (from Enter to the frame saying "recorded", after the commit)
#
# `first frame` counts from the start of the dashboard command (before loading the data and
# model) to the end of the first draw; `key to frame` from the moment the dashboard read a
# key to the end of the first draw after all the work it started is done.
# Needs tmux and GNU time (`apt-get install tmux time`).
set -euo pipefail

# Paths given relative to where the script was called from, before moving to the repository.
history=${1:+$(realpath -m -- "$1")}
pad=${PAD:-}
if [[ $pad == */* ]]; then
    pad=$(realpath -m -- "$pad")
fi
cd "$(dirname "$0")/.."
if [[ -z $pad ]]; then
    # Cargo's own answer, so CARGO_TARGET_DIR and .cargo/config are honoured.
    target=$(cargo metadata --no-deps --format-version 1 2>/dev/null |
        grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4) || true
    pad=${target:-target}/release/pad
fi
pairs=${PAIRS:-40}
key_sleep=${KEY_SLEEP:-0.1}
settle=${SETTLE:-1}

for tool in tmux /usr/bin/time; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "dashboard_timing: $tool not found (apt-get install tmux time)" >&2
        exit 1
    fi
done
if [[ ! -x $pad ]]; then
    echo "dashboard_timing: no binary $pad (cargo build --release, or set PAD)" >&2
    exit 1
fi
if [[ -n $history && ! -f $history ]]; then
    echo "dashboard_timing: no history file $history" >&2
    exit 1
fi

# A private tmux server (its socket in a temporary folder, no user configuration), killed on exit.
work=$(mktemp -d)
socket=$work/tmux.sock
session=dashboard-timing
cleanup() {
    tmux -S "$socket" kill-server 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# No status line (the dashboard gets all 40 rows); the pane stays after the program ends, so
# its exit status and any message can be read.
printf 'set -g status off\nset -g remain-on-exit on\n' >"$work/tmux.conf"

command=(/usr/bin/time -v -o "$work/time.txt" "$pad" --timing)
if [[ ${RECORD:-0} == 1 ]]; then
    command+=(--journal "sqlite://$work/journal.sqlite")
fi
if [[ -n $history ]]; then
    command+=(--history "$history")
fi
tmux -S "$socket" -f "$work/tmux.conf" new-session -d -s "$session" -x 140 -y 40 -c "$PWD" \
    "$(printf '%q ' "${command[@]}") 2>$(printf '%q' "$work/timing.txt"); echo \$? >$(printf '%q' "$work/status")"

screen() { tmux -S "$socket" capture-pane -p -t "$session"; }
# The program's exit status once it has ended, else nothing. The shell in the pane writes it:
# tmux's #{pane_dead_status} can stay empty for good when tmux misses the child's SIGCHLD
# (tmux/tmux#311).
exit_status() { [[ -f $work/status ]] && cat "$work/status"; }
dead() { [[ -n $(exit_status) ]]; }
fail() {
    echo "dashboard_timing: $1; last screen:" >&2
    screen >&2
    cat "$work/timing.txt" >&2 2>/dev/null || true
    exit 1
}

# Polls the screen until it shows TEXT, for up to SECONDS.
wait_for() {
    local text=$1 seconds=$2 start=$SECONDS
    until screen | grep -qF -- "$text"; do
        dead && fail "pad exited while waiting for '$text'"
        ((SECONDS - start < seconds)) || fail "no '$text' after ${seconds} s"
        sleep 0.05
    done
}

wait_for "The decision is hidden" 60
sleep "$settle"
for ((i = 0; i < pairs; i++)); do
    if [[ ${TOGETHER:-0} == 1 ]]; then
        tmux -S "$socket" send-keys -t "$session" Down p
    else
        tmux -S "$socket" send-keys -t "$session" Down
        sleep "$key_sleep"
        tmux -S "$socket" send-keys -t "$session" p
    fi
    sleep "$key_sleep"
    if [[ ${RECORD:-0} == 1 ]]; then
        wait_for ": probability of default" 10
        tmux -S "$socket" send-keys -t "$session" d
        sleep "$key_sleep"
        tmux -S "$socket" send-keys -t "$session" Enter
        wait_for "recorded: decision #$((i + 1)) " 10
    fi
done
# The last client's decision must be on screen: every key was handled.
wait_for "client $((400001 + pairs))" 10
wait_for ": probability of default" 10
if [[ -n ${SCREEN:-} ]]; then
    screen >"$SCREEN"
fi

tmux -S "$socket" send-keys -t "$session" q
start=$SECONDS
until dead; do
    ((SECONDS - start < 10)) || fail "pad still running after q"
    sleep 0.05
done
status=$(exit_status)
[[ $status == 0 ]] || fail "pad exited with status $status"

cat "$work/timing.txt"
rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
echo "peak memory: $((rss_kb / 1024)) MiB (maximum resident set size ${rss_kb} kB)"
