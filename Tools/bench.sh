#!/usr/bin/env bash
# The peer benchmark, in one go, on release builds:
#   (a) Jam: 1 session × 32 clients, closed loop, every edit broadcast to the 31 others;
#   (b) nats-server over TLS on loopback: 32 subscribers, 32 publishers, Jam's mean message size, the
#       same generator and flow control; prints Jam's delivered messages/s over NATS's (goal ≥ 0.5);
#   (c) 200 editors × 5 edits/s in one session (goal: ack p95 ≤ 5 ms), and nats-server with 200 publishers
#       at the same rate and size, each message to the 199 others;
#   (d) the editors-per-session ceiling at 5 edits/s each with ack p95 < 50 ms (goal ≥ 1000);
#   (e) 10k idle TLS connections, joined 20 to a session (goal ≤ 20 KiB of server RSS each), and as many
#       to nats-server, subscribed 20 to a subject.
# Prints a table and writes Tools/bench-results.json (or $1).
#
#   Tools/bench.sh [RESULTS.json]
#   BENCH_SECONDS=10 (each run's measured time), BENCH_STEPS="100 200 …" (the ceiling's steps),
#   BENCH_CEILING_RATE=5 (edits/s of each editor in the ceiling's steps),
#   BENCH_IDLE=10000, BENCH_THREADS=1 (the generator's event loops),
#   BENCH_NICE=-10 (run servers and generator at that niceness, as root, on a machine others are using)
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=${1:-Tools/bench-results.json}
SECONDS_EACH=${BENCH_SECONDS:-10}
STEPS=${BENCH_STEPS:-"100 150 200 250 300 400 500 600 800 1000 1200 1500 2000"}
IDLE=${BENCH_IDLE:-10000}
CEILING_RATE=${BENCH_CEILING_RATE:-5}
THREADS=${BENCH_THREADS:-1}
RUN=(nice -n "${BENCH_NICE:-0}")

if ! command -v nats-server >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
fi
build() {
    local out
    out=$(swift build -c release --product "$1" 2>&1) || { echo "$out" | tail -30; echo "cannot build $1"; exit 1; }
}
build jam
build jam-load
BIN=$(swift build -c release --show-bin-path)
ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jam-bench.XXXXXX")
# The machine's state: latencies here hang on the load of other processes and on fdatasync (the log's).
conditions() {
    python3 - "$WORK" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
times = []
for _ in range(200):
    os.write(fd, b"x" * 2000)
    start = time.perf_counter()
    os.fdatasync(fd)
    times.append((time.perf_counter() - start) * 1000)
os.close(fd)
os.unlink(path)
times.sort()
print(f"{os.getloadavg()[0]:.2f} {times[100]:.3f} {times[198]:.3f}")
PY
}
BEFORE=$(conditions)
SERVER=""
NATS=""
cleanup() {
    [[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null || true
    [[ -n "$NATS" ]] && kill "$NATS" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
field() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))' "$@"; }

# Throughput: no rate limit binds. Rooms: the default rates (5 edits/s is well under them), bigger rooms.
cat >"$WORK/throughput.json" <<'JSON'
{"opsPerSecond": 1000000, "opsBurst": 1000000, "messagesPerSecond": 1000000, "messagesBurst": 1000000}
JSON
cat >"$WORK/rooms.json" <<'JSON'
{"peersPerSession": 10000, "connections": 20000, "joinSeconds": 600}
JSON

# start_jam NAME LIMITS: a fresh server with its own data directory; sets PORT and SERVER.
start_jam() {
    PORT=$(free_port)
    "${RUN[@]}" "$BIN/jam" serve --data "$WORK/$1" --port "$PORT" --limits "$WORK/$2" --log-level error >"$WORK/$1.log" 2>&1 &
    SERVER=$!
    until grep -q "listening on" "$WORK/$1.log" 2>/dev/null; do
        kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/$1.log"; exit 1; }
        sleep 0.05
    done
    CA="$WORK/$1/tls/cert.pem"
}
stop_jam() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }
load() { "${RUN[@]}" "$BIN/jam-load" "$@" --threads "$THREADS"; }

echo "== (a) Jam: 1 session × 32 clients, closed loop"
start_jam a throughput.json
load jam --port "$PORT" --ca "$CA" --server-pid "$SERVER" --clients 32 --rate 0 --warmup 2 --duration "$SECONDS_EACH" --label "jam 32 clients" --json "$WORK/a.json"
stop_jam
SIZE=$(field "$WORK/a.json" 'round(mean_message_bytes)')

echo "== (b) nats-server: 32 subscribers, 32 publishers, $SIZE-byte messages, closed loop"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/nats-key.pem" -out "$WORK/nats-cert.pem" 2>/dev/null
NATS_PORT=$(free_port)
cat >"$WORK/nats.conf" <<CONF
listen: "127.0.0.1:$NATS_PORT"
tls { cert_file: "$WORK/nats-cert.pem", key_file: "$WORK/nats-key.pem" }
CONF
# start_nats: a fresh nats-server; sets NATS.
start_nats() {
    "${RUN[@]}" nats-server -c "$WORK/nats.conf" >"$WORK/nats.log" 2>&1 &
    NATS=$!
    until grep -q "Server is ready" "$WORK/nats.log" 2>/dev/null; do sleep 0.05; done
}
stop_nats() { kill "$NATS"; wait "$NATS" 2>/dev/null || true; NATS=""; }
start_nats
load nats --port "$NATS_PORT" --ca "$WORK/nats-cert.pem" --server-pid "$NATS" --clients 32 --rate 0 --size "$SIZE" --warmup 2 --duration "$SECONDS_EACH" --label "nats 32 clients" --json "$WORK/b.json"

echo "== (c) 200 editors × 5 edits/s in one session, then NATS with 200 publishers at the same rate"
start_jam c rooms.json
load jam --port "$PORT" --ca "$CA" --server-pid "$SERVER" --clients 200 --rate 5 --warmup 2 --duration "$SECONDS_EACH" --parallel 32 --label "jam 200 editors" --json "$WORK/c.json"
stop_jam
# The peer at the same fan-out: 200 publishers × 5/s, each message to 199 others.
SIZE_C=$(field "$WORK/c.json" 'round(mean_message_bytes)')
load nats --port "$NATS_PORT" --ca "$WORK/nats-cert.pem" --server-pid "$NATS" --clients 200 --rate 5 --size "$SIZE_C" --warmup 2 --duration "$SECONDS_EACH" --parallel 32 --label "nats 200 publishers" --json "$WORK/c-nats.json"
stop_nats

echo "== (d) editors per session at $CEILING_RATE edits/s each, until ack p95 ≥ 50 ms"
start_jam d rooms.json
CEILING=0
for editors in $STEPS; do
    load jam --port "$PORT" --ca "$CA" --server-pid "$SERVER" --clients "$editors" --rate "$CEILING_RATE" --warmup 2 --duration "$SECONDS_EACH" --parallel 32 \
        --session-prefix "ceiling$editors-" --label "jam $editors editors" --json "$WORK/d-$editors.json" || break
    p95=$(field "$WORK/d-$editors.json" 'ack["p95_ms"]')
    errors=$(field "$WORK/d-$editors.json" 'sum(errors.values()) + disconnects')
    if python3 -c "import sys; sys.exit(0 if $p95 < 50 and $errors == 0 else 1)"; then CEILING=$editors; else break; fi
done
stop_jam

echo "== (e) $IDLE idle TLS connections, 20 to a session; then to nats-server"
start_jam e rooms.json
sleep 1
load idle --port "$PORT" --ca "$CA" --connections "$IDLE" --per-session 20 --server-pid "$SERVER" --settle 3 --json "$WORK/e.json"
stop_jam
: >"$WORK/nats.log"
start_nats
sleep 1
load idle --nats --port "$NATS_PORT" --ca "$WORK/nats-cert.pem" --connections "$IDLE" --per-session 20 --server-pid "$NATS" --settle 3 --json "$WORK/e-nats.json"
stop_nats

AFTER=$(conditions)
python3 - "$WORK" "$RESULTS" "$CEILING" "$STEPS" "$BEFORE" "$AFTER" "$CEILING_RATE" <<'PY'
import glob, json, os, platform, subprocess, sys
work, results, ceiling, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
probe = lambda text: dict(zip(["load_average_1m", "fdatasync_p50_ms", "fdatasync_p99_ms"], map(float, text.split())))
conditions = {"before": probe(sys.argv[5]), "after": probe(sys.argv[6]), "nice": int(os.environ.get("BENCH_NICE", "0"))}
load = lambda name: json.load(open(os.path.join(work, name)))
a, b, c, cn, e, en = load("a.json"), load("b.json"), load("c.json"), load("c-nats.json"), load("e.json"), load("e-nats.json")
d = [load(f"d-{n}.json") for n in steps if os.path.exists(os.path.join(work, f"d-{n}.json"))]
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ratio = a["delivered_per_second"] / b["delivered_per_second"] if b["delivered_per_second"] else 0
out = {
    "machine": {"cpus": os.cpu_count(), "model": model, "kernel": platform.release(),
                "nats_server": subprocess.run(["nats-server", "--version"], capture_output=True, text=True).stdout.strip()},
    "conditions": conditions, "jam_32": a, "nats_32": b, "ratio_delivered": round(ratio, 3), "room_200": c, "nats_room_200": cn,
    "ceiling": {"editors": ceiling, "rate": float(sys.argv[7]), "steps": d}, "idle": e, "nats_idle": en,
}
json.dump(out, open(results, "w"), indent=2, sort_keys=True)
row = lambda name, figure, goal, ok: print(f"{name:<50}{figure:<34}{goal:<14}{'met' if ok else 'MISSED'}")
print()
print(f"machine: {os.cpu_count()} × {model}")
for when in ("before", "after"):
    state = conditions[when]
    print(f"{when}: load average {state['load_average_1m']}, fdatasync p50 {state['fdatasync_p50_ms']} ms, p99 {state['fdatasync_p99_ms']} ms")
print(f"{'benchmark':<50}{'figure':<34}{'goal':<14}")
row("(a/b) delivered msgs/s, Jam / NATS", f"{a['delivered_per_second']:.0f} / {b['delivered_per_second']:.0f} = {ratio:.2f}", "≥ 0.5", ratio >= 0.5)
cpu = lambda r: f"{r.get('server_cpu_micros_per_delivery')} µs ({r.get('server_cpu_percent')}% / gen {r.get('generator_cpu_percent')}%)"
row("(a/b) server CPU a delivery, Jam / NATS", f"{a.get('server_cpu_micros_per_delivery')} / {b.get('server_cpu_micros_per_delivery')} µs", "", True)
row("(a) Jam CPU: a delivery (server % / gen %)", cpu(a), "", True)
row("(b) NATS CPU: a delivery (server % / gen %)", cpu(b), "", True)
row("(a) Jam 32 clients: ack p50/p95/p99 ms", f"{a['ack']['p50_ms']} / {a['ack']['p95_ms']} / {a['ack']['p99_ms']}", "", True)
row("(b) NATS 32 clients: ack p50/p95/p99 ms", f"{b['ack']['p50_ms']} / {b['ack']['p95_ms']} / {b['ack']['p99_ms']}", "", True)
row("(c) 200 editors × 5/s: ack p95 ms", f"{c['ack']['p95_ms']} (delivery p95 {c['delivery']['p95_ms']})", "≤ 5", c["ack"]["p95_ms"] <= 5)
row("(c) NATS, 200 publishers × 5/s: ack p95 ms", f"{cn['ack']['p95_ms']} (delivery p95 {cn['delivery']['p95_ms']})", "", True)
row(f"(d) editors per session at {sys.argv[7]}/s, ack p95 < 50 ms", f"{ceiling}", "≥ 1000", ceiling >= 1000)
per = e.get("kib_per_connection")
row(f"(e) server RSS per idle connection ({e['opened']})", f"{per} KiB", "≤ 20 KiB", per is not None and per <= 20)
row(f"(e) NATS RSS per idle connection ({en['opened']})", f"{en.get('kib_per_connection')} KiB", "", True)
print(f"wrote {results}")
PY
