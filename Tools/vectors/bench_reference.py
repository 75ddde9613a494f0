#!/usr/bin/env python3
"""The peer for jam-bench-core: the same kinds of work done by the Python reference implementation.

It times note-edit applies (one component per operation, on a document of 8 tracks x 500 notes) and
transforms of concurrent single-component pairs drawn from the transform vectors. The reference is written
for clarity (it copies the document per apply), so it is a floor to compare with, not a rival.

    python3 Tools/vectors/bench_reference.py [--ops N]
"""
import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Protocol", "vectors")


def busy_document(rng):
    tracks = []
    for t in range(8):
        notes = [{"id": "s.n%d.%d" % (t, i), "tick": rng.randrange(32) * 120, "duration": 240,
                  "pitch": rng.randrange(36, 85), "velocity": 100} for i in range(500)]
        tracks.append({"id": "s.t%d" % t, "name": "T%d" % t, "instrument": 0, "channel": 0, "volume": 100,
                       "pan": 0, "mute": False, "solo": False, "owner": "s", "notes": notes})
    return {"title": "bench", "tempo": 120, "meter": {"numerator": 4, "denominator": 4}, "key": None,
            "loopBars": 4, "ppq": 480, "tracks": tracks}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(42)

    doc = busy_document(rng)
    notes = [(t["id"], n) for t in doc["tracks"] for n in t["notes"]]
    start = time.perf_counter()
    for _ in range(args.ops):
        tid, n = rng.choice(notes)
        value = rng.randrange(128)
        op = [{"type": "note.set", "track": tid, "note": n["id"], "field": "pitch", "value": value, "old": n["pitch"]}]
        doc = reference.apply(doc, op)
        n["pitch"] = value
    took = time.perf_counter() - start
    print("reference apply      %.4fM/s  (%d note components on 8 x 500 notes)" % (args.ops / took / 1e6, args.ops))

    with open(os.path.join(VECTORS, "transform.json"), encoding="utf-8") as f:
        pairs = [(c["a"], c["b"], c["aWins"]) for c in json.load(f)["cases"] if len(c["a"]) == 1 and len(c["b"]) == 1]
    count = max(args.ops * 10, len(pairs))
    start = time.perf_counter()
    for i in range(count):
        a, b, wins = pairs[i % len(pairs)]
        reference.transform(a, b, wins)
    took = time.perf_counter() - start
    print("reference transform  %.4fM/s  (%d single-component pairs from transform.json)" % (count / took / 1e6, count))


if __name__ == "__main__":
    main()
