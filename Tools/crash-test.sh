#!/usr/bin/env bash
# The crash test: a real `jam serve` under load from jam-load, killed with SIGKILL at random moments and
# restarted, KILLS times. The clients append every ACK they receive to a journal; after every restart
# each session log must verify (`jam log verify`, and jam-load check --verify, which runs the same
# LogReader.verify()) and hold every acknowledged operation, by the same author with the same seq, at
# the acknowledged revision.
#
#   Tools/crash-test.sh [KILLS]          default 20; CI runs 3
#   JAM_BUILD=debug Tools/crash-test.sh  use the debug build (CI has it already); default release
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-20}
CONFIGURATION=${JAM_BUILD:-release}

build() {
    local out
    out=$(swift build -c "$CONFIGURATION" --product "$1" 2>&1) || { echo "$out" | tail -30; echo "cannot build $1"; exit 1; }
}
build jam
build jam-load
BIN=$(swift build -c "$CONFIGURATION" --show-bin-path)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jam-crash.XXXXXX")
DATA=$WORK/data
ACKS=$WORK/acks.txt
SERVER=""
LOAD=""
cleanup() {
    [[ -n "$LOAD" ]] && kill "$LOAD" 2>/dev/null || true
    [[ -n "$SERVER" ]] && kill -9 "$SERVER" 2>/dev/null || true
    if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# No rate limit binds: the clients send back to back, so that kills land among many writes in flight.
cat >"$WORK/limits.json" <<'JSON'
{"opsPerSecond": 1000000, "opsBurst": 1000000, "messagesPerSecond": 1000000, "messagesBurst": 1000000}
JSON

start_server() {
    "$BIN/jam" serve --data "$DATA" --port "$PORT" --limits "$WORK/limits.json" --log-level warning \
        >>"$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 300); do
        if grep -q "listening on" "$WORK/server.log" 2>/dev/null && [[ $(grep -c "listening on" "$WORK/server.log") -ge $1 ]]; then
            return 0
        fi
        kill -0 "$SERVER" 2>/dev/null || { echo "crash-test: the server did not start"; cat "$WORK/server.log"; exit 1; }
        sleep 0.05
    done
    echo "crash-test: the server did not start listening"; exit 1
}

# Checks every session log against the journal; the server is up (its recovery has run) and idle.
check() {
    local logs=("$DATA"/*.jamlog)
    [[ -e "${logs[0]}" ]] || return 0
    if "$BIN/jam" log verify --help >/dev/null 2>&1; then
        VERIFIED_BY="jam log verify and jam-load check --verify"
        for log in "${logs[@]}"; do
            "$BIN/jam" log verify "$log" >/dev/null || { echo "crash-test: jam log verify $log failed after restart $1"; "$BIN/jam" log verify "$log"; exit 1; }
        done
    fi
    if [[ -s "$ACKS" ]]; then
        "$BIN/jam-load" check --acks "$ACKS" --data "$DATA" --verify >"$WORK/check.txt" \
            || { echo "crash-test: check failed after restart $1"; exit 1; }
    fi
}

VERIFIED_BY="jam-load check --verify"
starts=0
for kill in $(seq 1 "$KILLS"); do
    starts=$((starts + 1))
    start_server "$starts"
    check "$((kill - 1))"
    "$BIN/jam-load" jam --port "$PORT" --ca "$DATA/tls/cert.pem" --sessions 2 --clients 4 --rate 0 \
        --duration 120 --warmup 0 --drain 0 --until-closed --acks "$ACKS" --seed "$kill" --session-prefix crash \
        >"$WORK/load-$kill.txt" 2>&1 &
    LOAD=$!
    delay=$((RANDOM % 2500 + 500))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$SERVER"
    wait "$SERVER" 2>/dev/null || true
    SERVER=""
    wait "$LOAD" 2>/dev/null || true
    LOAD=""
    acknowledged=$(grep -o "acknowledged [0-9]*" "$WORK/load-$kill.txt" | head -1 | cut -d' ' -f2 || true)
    echo "kill $kill/$KILLS after ${delay} ms: ${acknowledged:-0} operations acknowledged in this run, $(wc -l <"$ACKS") in all"
done
starts=$((starts + 1))
start_server "$starts"
check "$KILLS"
cat "$WORK/check.txt"
cuts=$(grep -c "session log repaired" "$WORK/server.log" || true)
echo "crash-test: $KILLS kills; after every restart the logs verified ($VERIFIED_BY) and held all $(wc -l <"$ACKS") acknowledged operations ($cuts torn tails cut on recovery)"
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
SERVER=""
