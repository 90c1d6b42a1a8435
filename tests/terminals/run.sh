#!/usr/bin/env bash
# The dashboard in real terminals, under Xvfb: Debian's xterm in VT340 mode (sixel images) and
# kitty. Each launch runs `pad --graphics on`, which asks the terminal about graphics before it
# draws; the keys j, c (the customer view, with its chart image where the terminal shows one),
# Esc and q go in with xdotool; a launch passes when the dashboard started, answered the keys
# (its --timing report counts them) and quit with status 0 within the time allowed.
#
# Then a start that fails on purpose after the terminal was taken over (`--fail-at-start`, an
# error and a panic): afterwards the terminal must be line-buffered and echoing again
# (`stty -a` shows `icanon` and `echo`) and mouse movements must not be reported. A control
# run that leaves mouse reporting on checks that this check can fail.
#
# Usage: tests/terminals/run.sh PATH-TO-PAD [LAUNCHES-PER-TERMINAL]   (run from anywhere;
# TERMINALS="xterm" or "kitty" runs the launches in one of them only)
# Needs Xvfb, xterm, kitty and xdotool. Ends with "N passed, N failed"; exits 1 on any failure.
set -uo pipefail

pad=$(realpath "${1:?usage: run.sh PATH-TO-PAD [LAUNCHES]}")
launches=${2:-12}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
passed=0
failed=0
xvfb=""

cleanup() {
    [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

for tool in Xvfb xterm kitty xdotool; do
    command -v "$tool" >/dev/null || { echo "terminals: $tool is not installed"; echo "0 passed, 1 failed"; exit 1; }
done

# A display of our own: Xvfb picks a free number and writes it to the given descriptor. It must
# not reset when its last client leaves (between two launches), or the next terminal may find
# no display ("Can't open display").
exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp -noreset >"$work/xvfb.log" 2>&1 &
xvfb=$!
exec 3>&-
# A loaded machine can take seconds to start it: up to 60 s.
for _ in $(seq 1200); do [ -s "$work/display" ] && break; sleep 0.05; done
if [ ! -s "$work/display" ]; then
    echo "terminals: Xvfb gave no display number within 60 s: $(cat "$work/xvfb.log")"
    echo "0 passed, 1 failed"
    exit 1
fi
export DISPLAY=":$(cat "$work/display")"
# kitty needs OpenGL 3.3: Mesa's software renderer under Xvfb.
export LIBGL_ALWAYS_SOFTWARE=1

pass() { passed=$((passed + 1)); [ -n "${quiet:-}" ] || echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# Waits up to $2 seconds (in 50 ms steps) for the command $1 to succeed.
wait_for() {
    local steps=$(($2 * 20))
    for _ in $(seq "$steps"); do eval "$1" && return 0; sleep 0.05; done
    return 1
}

# Runs the shell script $2 in terminal $1 (xterm or kitty), 140×40, at the top left corner,
# where the pointer is, so that xdotool's keys and mouse go to it.
open_terminal() {
    case $1 in
        xterm) xterm -ti vt340 -geometry 140x40+0+0 -e "$2" >"$work/terminal.err" 2>&1 & ;;
        kitty) kitty --config NONE -o initial_window_width=140c -o initial_window_height=40c \
            -o remember_window_size=no "$2" >"$work/terminal.err" 2>&1 & ;;
    esac
    terminal_pid=$!
    xdotool mousemove 300 200
}

close_terminal() {
    kill "$terminal_pid" 2>/dev/null
    wait "$terminal_pid" 2>/dev/null
}

# One launch of the dashboard in terminal $1; $2 names it in messages.
launch() {
    local terminal=$1 name=$2 dir="$work/$2"
    mkdir -p "$dir"
    cat >"$dir/run.sh" <<EOF
#!/usr/bin/env bash
cd '$root'
'$pad' --graphics on --timing --log '$dir/log' 2>'$dir/err'
echo \$? >'$dir/status'
EOF
    chmod +x "$dir/run.sh"
    open_terminal "$terminal" "$dir/run.sh"
    # Ready once it has asked the terminal about graphics (the log says what it chose).
    if ! wait_for "grep -q 'terminal graphics' '$dir/log' 2>/dev/null" 20; then
        fail "$name: no graphics answer logged within 20 s; pad's error output: $(cat "$dir/err" 2>&1);" \
            "log: $(cat "$dir/log" 2>&1); the terminal's: $(cat "$work/terminal.err");" \
            "terminal running: $(kill -0 "$terminal_pid" 2>/dev/null && echo yes || echo no);" \
            "processes: $(ps -o pid,stat,wchan:20,args --ppid "$terminal_pid" 2>&1 | tr '\n' '|')"
        import -window root "/tmp/pad-terminals-$name.png" 2>/dev/null
        close_terminal
        return
    fi
    for key in j c Escape q; do
        sleep 0.25
        xdotool key "$key"
    done
    if ! wait_for "[ -s '$dir/status' ]" 10; then
        fail "$name: still running 10 s after q (keys not read?); $(grep -o 'terminal graphics.*' "$dir/log")"
        close_terminal
        return
    fi
    close_terminal
    local status presses
    status=$(cat "$dir/status")
    presses=$(sed -n 's/^key to frame: \([0-9]*\) presses.*/\1/p' "$dir/err")
    if [ "$status" != 0 ]; then
        fail "$name: exit status $status: $(cat "$dir/err")"
    elif ! grep -q '^first frame:' "$dir/err" || [ "${presses:-0}" -lt 2 ]; then
        fail "$name: started but answered ${presses:-no} keys: $(cat "$dir/err")"
    else
        pass "$name: started, answered $presses keys, status 0"
    fi
    grep -o 'terminal graphics.*' "$dir/log" | sed 's/.*: //' >>"$work/chosen-$terminal"
}

# A start that fails in xterm: $1 is the command run in place of the dashboard, $2 the exit
# status it must end with; $3 is "restored" when the terminal must be back as it was, or
# "broken" for the control, whose command leaves raw mode and mouse reports on.
restored_after() {
    local command=$1 expected=$2 wanted=$3 name=$4 dir="$work/$4"
    mkdir -p "$dir"
    cat >"$dir/run.sh" <<EOF
#!/usr/bin/env bash
cd '$root'
$command 2>'$dir/err'
echo \$? >'$dir/status'
stty -a >'$dir/stty'
# Whatever the terminal sends for two seconds while the pointer moves over it.
stty -icanon -echo min 0 time 20
touch '$dir/listening'
head -c 64 >'$dir/input'
stty sane
touch '$dir/done'
EOF
    chmod +x "$dir/run.sh"
    open_terminal xterm "$dir/run.sh"
    if ! wait_for "[ -e '$dir/listening' ]" 20; then
        fail "$name: the shell did not get past the failed start ($(cat "$dir/err" 2>/dev/null))"
        close_terminal
        return
    fi
    for position in "400 300" "500 350" "200 150"; do
        xdotool mousemove $position
        sleep 0.1
    done
    wait_for "[ -e '$dir/done' ]" 5
    close_terminal
    local status reports found=""
    status=$(cat "$dir/status")
    reports=$(od -An -c "$dir/input" | tr -d ' \n')
    [ "$status" = "$expected" ] || found+=" exit status $status (not $expected);"
    grep -qw -- '-icanon' "$dir/stty" && found+=" not line-buffered (-icanon);"
    grep -qw -- '-echo' "$dir/stty" && found+=" not echoing (-echo);"
    [ -n "$reports" ] && found+=" mouse reports arrive ($reports);"
    if [ "$wanted" = restored ] && [ -z "$found" ]; then
        pass "$name: terminal restored (icanon, echo, no mouse reports)"
    elif [ "$wanted" = broken ] && [[ $found == *-icanon*-echo*mouse* ]]; then
        pass "$name: the check sees what it must:$found"
    else
        fail "$name:$found $(head -c 300 "$dir/err")"
    fi
}

started=$(date +%s)
for terminal in ${TERMINALS:-xterm kitty}; do
    before=$passed
    for i in $(seq "$launches"); do
        quiet=1 launch "$terminal" "$terminal-$i"
    done
    echo "$terminal: $((passed - before)) of $launches launches started, answered keys and quit with status 0;" \
        "chosen: $(sort "$work/chosen-$terminal" 2>/dev/null | uniq -c | tr -s ' \n' ' ')"
done
# xterm in VT340 mode shows sixel images; Debian's kitty (0.26) predates Unicode placeholders.
terminals=" ${TERMINALS:-xterm kitty} "
if [[ $terminals != *" xterm "* ]]; then
    :
elif grep -q 'Ok(Sixel)' "$work/chosen-xterm" 2>/dev/null && ! grep -vq 'Ok(Sixel)' "$work/chosen-xterm"; then
    pass "xterm -ti vt340: sixel images every time"
else
    fail "xterm -ti vt340: not sixel every time: $(sort "$work/chosen-xterm" 2>/dev/null | uniq -c)"
fi
kitty_version=$(kitty --version | sed -n 's/^kitty \([0-9.]*\).*/\1/p')
if [ "$(printf '%s\n0.28.0\n' "$kitty_version" | sort -V | head -1)" = 0.28.0 ]; then wanted='Ok(Kitty)'; else wanted='Err(KittyWithoutPlaceholders)'; fi
if [[ $terminals != *" kitty "* ]]; then
    :
elif grep -q "$wanted" "$work/chosen-kitty" 2>/dev/null && ! grep -vq "$wanted" "$work/chosen-kitty"; then
    pass "kitty $kitty_version: $wanted every time"
else
    fail "kitty $kitty_version: wanted $wanted: $(sort "$work/chosen-kitty" 2>/dev/null | uniq -c)"
fi

restored_after "'$pad' --graphics on --fail-at-start error" 1 restored "failed start (error)"
restored_after "'$pad' --graphics on --fail-at-start panic" 101 restored "failed start (panic)"
restored_after "printf '\\033[?1049h\\033[?1003h\\033[?1006h'; stty raw -echo; false" 1 broken "control (raw mode and mouse reports left on)"

echo "terminals: $(($(date +%s) - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
