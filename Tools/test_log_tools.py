#!/usr/bin/env python3
"""A judge of the offline log tools.

1. A log written here from Protocol/LOG.md alone (frames, CRC32C, snapshots hashed with the Python
   reference of Tools/vectors/reference.py), with operations by a person and an AI at known times:
   `jam log verify` accepts it, `jam log info` reports its participants and times, and `jam replay --rev`
   and `--at` (ISO 8601, milliseconds, +duration) find the right revision.
2. `jam log info`, `jam log verify`, `jam replay` and `jam export` on a log cut at every frame boundary and
   inside frames, and with bytes flipped: no command may crash (exit status 0 or 1 only, never a signal);
   `jam log verify` must name the first bad record's byte offset, found here by walking the frames.

usage: python3 Tools/test_log_tools.py PATH/TO/jam
"""
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors"))
import reference  # noqa: E402  (the Python reference of DOCUMENT.md)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def frames(data):
    """(offset, size, kind) of every valid frame from offset 8, and the offset of the first invalid one (or None)."""
    out = []
    at = 8
    while at < len(data):
        if at + 32 > len(data):
            return out, at
        kind, length = data[at], int.from_bytes(data[at + 4:at + 8], "little")
        size = 32 + length
        if kind not in b"HSO" or data[at + 1:at + 4] != b"\0\0\0" or at + size > len(data):
            return out, at
        crc = int.from_bytes(data[at + 24:at + 28], "little")
        end = int.from_bytes(data[at + size - 4:at + size], "little")
        if crc32c(data[at + 28:at + 28 + length], crc32c(data[at:at + 24])) != crc or end != size:
            return out, at
        out.append((at, size, chr(kind)))
        at += size
    return out, None


def frame(kind, revision, snapshot, payload):
    head = kind.encode() + b"\0\0\0" + len(payload).to_bytes(4, "little") + revision.to_bytes(8, "little") + \
        snapshot.to_bytes(8, "little")
    crc = crc32c(payload, crc32c(head))
    return head + crc.to_bytes(4, "little") + payload + (32 + len(payload)).to_bytes(4, "little")


def compact(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_log(path, session, created, document, entries, snapshot_every, transports=None):
    """A log as LOG.md §2–3 describe it: magic, header, revision-0 snapshot, operations, and a snapshot
    after every `snapshot_every` operations. `entries` are (author, kind, seq, time, op); `transports`
    maps a revision to a transport written after it (after its snapshot, if any)."""
    transports = transports or {}
    def snapshot_payload(doc, clients, time):
        canonical = reference.canonical_json(doc).encode()
        return b'{"clients":' + compact(clients) + b',"document":' + canonical + b',"hash":"' + \
            reference.doc_hash(doc).encode() + b'","time":' + str(time).encode() + b"}"
    out = b"\x89JAMLOG\n" + frame("H", 0, 0, compact({"created": created, "format": 1, "session": session}))
    last_snapshot = len(out)
    out += frame("S", 0, 0, snapshot_payload(document, {}, created))
    clients = {}
    for revision, (author, kind, seq, time, op) in enumerate(entries, start=1):
        document = reference.apply(document, op)
        clients[author] = {"rev": revision, "seq": seq}
        out += frame("O", revision, last_snapshot, compact({"author": author, "kind": kind, "op": op, "seq": seq, "time": time}))
        if revision % snapshot_every == 0:
            offset = len(out)
            out += frame("S", revision, last_snapshot, snapshot_payload(document, clients, time + 1))
            last_snapshot = offset
        if revision in transports:
            out += frame("T", revision, last_snapshot, compact(transports[revision]))
    with open(path, "wb") as f:
        f.write(out)


def iso(milliseconds):
    moment = datetime.datetime.fromtimestamp(milliseconds / 1000, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds % 1000:03d}Z"


def independent_log(jam, tmp):
    created = 1_732_482_780_000
    document = {"title": "Title 0", "tempo": 120, "meter": {"numerator": 4, "denominator": 4}, "key": None,
                "loopBars": 4, "ppq": 480, "tracks": []}
    entries = []
    for r in range(1, 61):
        author, kind = ("ana", "human") if r % 3 else ("drummer", "ai")
        op = [{"type": "session.set", "field": "title", "value": f"Title {r}", "old": f"Title {r - 1}"}]
        entries.append((author, kind, r, created + 1000 * r, op))
    path = os.path.join(tmp, "written.jamlog")
    # Transport records (LOG.md §3) between operations, right after a snapshot, and last in the file.
    playing = {"segments": [{"playing": False, "tempo": 120, "tick": 0, "time": created * 1000},
                            {"playing": True, "tempo": 120, "tick": 0, "time": created * 1000 + 250_000}]}
    transports = {5: playing, 14: playing, 60: {"segments": [{"playing": False, "tempo": 96, "tick": 1920, "time": created * 1000 + 9_000_000}]}}
    write_log(path, "written", created, document, entries, snapshot_every=7, transports=transports)
    verify = run(jam, "log", "verify", path)
    check(verify.returncode == 0 and b"sound" in verify.stdout, f"independent log: verify: {verify.stdout!r} {verify.stderr!r}")
    info = run(jam, "log", "info", "--json", path)
    summary = json.loads(info.stdout or b"{}")
    people = {p["author"]: (p["kind"], p["operations"], p["first"], p["last"]) for p in summary.get("participants", [])}
    check(people == {"ana": ("human", 40, created + 1000, created + 59000), "drummer": ("ai", 20, created + 3000, created + 60000)},
          f"independent log: participants {people}")
    check(summary.get("snapshots") == [0] + list(range(7, 61, 7)) and summary.get("created") == created,
          f"independent log: info {summary}")

    def title(*args):
        result = run(jam, "replay", "--print", *args, path)
        check(result.returncode == 0, f"replay {args}: {result.stderr!r}")
        return json.loads(result.stdout or b"{}").get("title")
    for r in (0, 1, 6, 7, 8, 34, 59, 60):
        check(title("--rev", str(r)) == f"Title {r}", f"replay --rev {r}")
        at = created + 1000 * r
        check(title("--at", str(at + 999)) == f"Title {r}", f"replay --at {at + 999} (ms)")
        check(title("--at", iso(at)) == f"Title {r}", f"replay --at {iso(at)}")
        if r > 0:
            check(title("--at", str(at - 1)) == f"Title {r - 1}", f"replay --at {at - 1}")
        check(title("--at", f"+{r}s") == f"Title {r}", f"replay --at +{r}s")
    check(title("--at", "+1m") == "Title 60", "replay --at +1m")
    check(title("--at", "+0m59.5s") == "Title 59", "replay --at +0m59.5s")
    bad = run(jam, "replay", "--at", "yesterday", path)
    check(bad.returncode != 0 and b"--at" in bad.stderr, f"replay --at yesterday: {bad.stderr!r}")


def run(jam, *args):
    return subprocess.run([jam, *args], capture_output=True)


def never_crashes(jam, path, label):
    for args in (["log", "info", path], ["log", "info", "--json", path], ["log", "verify", path], ["replay", path],
                 ["replay", "--print", path], ["replay", "--rev", "1", path], ["replay", "--at", "+1s", path],
                 ["export", path, "-o", path + ".mid"], ["export", path, "-o", path + ".json"]):
        result = run(jam, *args)
        check(result.returncode in (0, 1), f"{label}: jam {' '.join(args[:-1])} exited {result.returncode}: {result.stderr[-300:]!r}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    jam = sys.argv[1]
    assert crc32c(b"123456789") == 0xE3069283
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        independent_log(jam, tmp)
        doc = {"title": "Damage", "tempo": 110, "meter": {"numerator": 4, "denominator": 4}, "key": None, "loopBars": 4,
               "ppq": 480, "tracks": [{"id": f"t{t}", "name": f"T{t}", "instrument": t * 10, "channel": t, "volume": 100,
                                       "pan": 0, "mute": False, "solo": False, "owner": "",
                                       "notes": [{"id": f"n{t}.{i}", "tick": 120 * i, "duration": 120, "pitch": 40 + i % 40,
                                                  "velocity": 1 + i % 127} for i in range(250)]} for t in range(3)]}
        with open(os.path.join(tmp, "doc.json"), "w") as f:
            json.dump(doc, f)
        log = os.path.join(tmp, "damage.jamlog")
        result = run(jam, "import", os.path.join(tmp, "doc.json"), "-o", log)
        if result.returncode != 0:
            sys.exit(f"jam import failed: {result.stderr.decode()}")
        data = open(log, "rb").read()
        walked, bad = frames(data)
        check(bad is None, f"the fresh log has a bad frame at {bad}")
        operations = sum(1 for _, _, kind in walked if kind == "O")

        info = run(jam, "log", "info", "--json", log)
        check(info.returncode == 0, f"info on a sound log exited {info.returncode}")
        summary = json.loads(info.stdout)
        check(summary["revision"] == operations and summary["operations"] == operations, f"info: {summary}")
        check(len(summary["snapshots"]) == sum(1 for _, _, k in walked if k == "S"), f"info snapshots: {summary['snapshots']}")
        check(summary["size"] == len(data) and summary["session"] == "damage", f"info: {summary}")
        check([p["author"] for p in summary["participants"]] == ["import"], f"info participants: {summary['participants']}")
        verify = run(jam, "log", "verify", log)
        check(verify.returncode == 0 and b"sound" in verify.stdout, f"verify on a sound log: {verify.stdout!r} {verify.stderr!r}")
        replayed = run(jam, "replay", "--print", log)
        exported = run(jam, "export", log, "--format", "json", "-o", "-")
        check(replayed.stdout == exported.stdout and json.loads(replayed.stdout)["tracks"][0]["notes"][0]["id"] == "n0.0",
              "replay --print and export --format json differ")

        # Cuts: at every frame boundary the log is shorter but sound; inside a frame, verify names that frame.
        cuts = sorted({o for o, _, _ in walked} | {o + rng.randrange(1, s) for o, s, _ in walked} | {0, 3, 8, len(data) - 1})
        for cut in cuts:
            path = os.path.join(tmp, "cut.jamlog")
            with open(path, "wb") as f:
                f.write(data[:cut])
            label = f"log cut at {cut} of {len(data)}"
            never_crashes(jam, path, label)
            verify = run(jam, "log", "verify", path)
            text = (verify.stdout + verify.stderr).decode(errors="replace")
            boundary = cut in {o for o, _, _ in walked}
            second = walked[1][0] + walked[1][1]
            if boundary and cut >= second:
                check(verify.returncode == 0, f"{label}: a log cut at a frame boundary is sound: {text}")
            elif cut >= second:
                frame = max(o for o, _, _ in walked if o <= cut)
                check(verify.returncode == 1 and f"at byte {frame} " in text, f"{label}: verify must name byte {frame}: {text}")
            else:
                check(verify.returncode == 1, f"{label}: verify of a log without its first frames must fail: {text}")

        # Flipped bytes: verify names the frame holding the first flipped byte.
        for round_ in range(40):
            damaged = bytearray(data)
            position = rng.randrange(len(data))
            damaged[position] ^= 1 << rng.randrange(8)
            path = os.path.join(tmp, "flip.jamlog")
            with open(path, "wb") as f:
                f.write(bytes(damaged))
            label = f"log with byte {position} flipped"
            never_crashes(jam, path, label)
            verify = run(jam, "log", "verify", path)
            text = (verify.stdout + verify.stderr).decode(errors="replace")
            check(verify.returncode == 1, f"{label}: verify passed")
            if position >= 8:
                frame = max(o for o, _, _ in walked if o <= position)
                offset = re.search(r"at byte (\d+)", text)
                check(offset is not None and int(offset.group(1)) == frame, f"{label}: verify must name byte {frame}: {text}")
    for failure in failures[:40]:
        print("FAIL", failure)
    if failures:
        sys.exit(f"{len(failures)} failures")
    print(f"ok: a log written from LOG.md alone verifies, summarises and seeks by revision and time; {len(cuts)} cut "
          f"and 40 flipped copies of a log: no command crashes, verify names the first bad frame")


if __name__ == "__main__":
    main()
