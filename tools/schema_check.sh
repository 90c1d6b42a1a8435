#!/usr/bin/env bash
# API schema testing: schemathesis against the OpenAPI document of a live `pad serve`.
#
# Starts `pad serve` on a free loopback port with a random token, then lets schemathesis send
# generated requests (valid and invalid) to every route the document lists and checks each
# answer: no 5xx, a status code the document lists for the route, the documented content
# type, and a body that matches the documented schema. Prints the inputs tried per route.
#
# Usage: tools/schema_check.sh [PAD_BINARY]
#   PAD_BINARY              default: $CARGO_TARGET_DIR/release/pad (build it first)
#   SCHEMA_CHECK_EXAMPLES   most generated cases per route and phase (default 250)
#   SCHEMA_CHECK_SEED       schemathesis' random seed (default 20; set another to explore)
#   SCHEMA_CHECK_VENV       where schemathesis is installed (default $HOME/.pad-schemathesis)
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
PAD="${1:-${CARGO_TARGET_DIR:-$HOME/pad-target}/release/pad}"
EXAMPLES="${SCHEMA_CHECK_EXAMPLES:-250}"
SEED="${SCHEMA_CHECK_SEED:-20}"
VENV="${SCHEMA_CHECK_VENV:-$HOME/.pad-schemathesis}"

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
    echo "schema_check: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
[ -x "$PAD" ] || { echo "schema_check: no pad binary at $PAD (cargo build --release)" >&2; exit 1; }

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the system picks a free port, and the server says which in its first log line.
token="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
PAD_API_TOKEN="$token" RUST_LOG=info "$PAD" serve --addr 127.0.0.1:0 --log-format json \
    >"$work/stdout" 2>"$work/log" &
server=$!
url=""
for _ in $(seq 1200); do
    url="$(grep -o 'listening on http://[0-9.:]*' "$work/log" | head -n 1 | sed 's/listening on //')" || true
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/log" >&2; echo "schema_check: pad serve stopped" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { cat "$work/log" >&2; echo "schema_check: pad serve did not start" >&2; exit 1; }
echo "schema_check: pad serve at $url; schemathesis $SCHEMATHESIS_VERSION, $EXAMPLES cases per route and phase, seed $SEED"

status=0
"$VENV/bin/st" run "$url/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" \
    --seed "$SEED" \
    --continue-on-failure \
    --generation-database none \
    --no-color \
    --report ndjson --report-ndjson-path "$work/events.ndjson" || status=$?

# Inputs tried per route, from schemathesis' event log; requests with a method the route does
# not have (schemathesis checks that they are refused) are counted apart.
SCHEMA_URL="$url/openapi.json" SCHEMA_TOKEN="$token" python3 - "$work/events.ndjson" <<'EOF'
import collections, json, os, sys, urllib.request

request = urllib.request.Request(
    os.environ["SCHEMA_URL"], headers={"Authorization": "Bearer " + os.environ["SCHEMA_TOKEN"]}
)
with urllib.request.urlopen(request) as answer:
    paths = json.load(answer)["paths"]
documented = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
tried, other_methods = collections.Counter(), 0
with open(sys.argv[1], encoding="utf-8") as events:
    for line in events:
        body = json.loads(line).get("ScenarioFinished")
        if not isinstance(body, dict):
            continue
        for case in ((body.get("recorder") or {}).get("cases") or {}).values():
            value = case.get("value", case)
            label = f"{value.get('method', '?').upper()} {value.get('path', '?')}"
            if label in documented:
                tried[label] += 1
            else:
                other_methods += 1
print("schema_check: inputs tried per route")
for label in sorted(documented, key=lambda label: label.split(" ", 1)[::-1]):
    print(f"  {tried[label]:6d}  {label}")
print(f"  {other_methods:6d}  requests with a method the route does not have")
print(f"  {sum(tried.values()) + other_methods:6d}  in all")
EOF

if grep -q '"level": *"ERROR"\|panicked' "$work/log"; then
    echo "schema_check: the server logged errors:" >&2
    grep '"level": *"ERROR"\|panicked' "$work/log" | head -n 20 >&2
    status=1
fi
kill -0 "$server" 2>/dev/null || { echo "schema_check: pad serve died during the run" >&2; status=1; }
exit "$status"
