#!/usr/bin/env python3
"""Independent judges of `jam export`: mido reads the exported MIDI files, Python's `wave` the WAV files.

For seeded random documents (written here, in Python, from Protocol/DOCUMENT.md), the script makes a log
with `jam import DOC.json`, exports it as JSON, MIDI and WAV, and checks:
  - MIDI (with mido): format 1, 480 ticks per quarter, one track per document track plus a conductor track;
    title, tempo, time signature and key signature meta events; each track's name, General MIDI program
    (none for drums), channel (drums on channel 10), volume and pan; every note-on and note-off against the
    notes of the JSON export (and the notes themselves, paired first-in first-out, where no two notes of one
    pitch nest); every track's end at the loop's end (or the last note-off, if later).
  - WAV (with wave): 16-bit stereo PCM at 44.1 kHz, the length of N loops plus a short tail, not silent,
    not clipped.

usage: python3 Tools/test_midi_export.py PATH/TO/jam [--cases N] [--seed S]
Needs mido (`python3 -m pip install mido`).
"""
import argparse
import array
import json
import os
import random
import subprocess
import sys
import tempfile
import wave

import mido

PPQ = 480
TONICS = ["C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B"]
PITCH_CLASS = {"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6,
               "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11}
# mido spells key signatures by name: sharps/flats -> (major, minor).
MAJOR_BY_SHARPS = {-7: "Cb", -6: "Gb", -5: "Db", -4: "Ab", -3: "Eb", -2: "Bb", -1: "F", 0: "C", 1: "G", 2: "D",
                   3: "A", 4: "E", 5: "B", 6: "F#", 7: "C#"}
MINOR_BY_SHARPS = {-7: "Ab", -6: "Eb", -5: "Bb", -4: "F", -3: "C", -2: "G", -1: "D", 0: "A", 1: "E", 2: "B",
                   3: "F#", 4: "C#", 5: "G#", 6: "D#", 7: "A#"}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def run(jam, *args):
    result = subprocess.run([jam, *args], capture_output=True)
    if result.returncode != 0:
        sys.exit(f"jam {' '.join(args)} failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
    return result


def random_document(rng, index):
    tracks = []
    for t in range(rng.randint(0, 6)):
        drums = rng.random() < 0.3
        notes = []
        for n in range(rng.randint(0, 40)):
            notes.append({
                "id": f"p{index}.n{t}.{n}",
                "tick": rng.randrange(0, 4 * 16) * 120 + rng.choice([0, 0, 0, rng.randrange(120)]),
                "duration": rng.choice([1, 30, 60, 120, 240, 480, 960, rng.randrange(1, 3000)]),
                "pitch": rng.randint(35, 81) if drums else rng.randint(0, 127),
                "velocity": rng.randint(1, 127),
            })
        tracks.append({
            "id": f"p{index}.t{t}", "name": rng.choice(["Bass", "Keys", "Kit", "Lead ♪", "Pad", ""]) + f" {t}",
            "instrument": "drums" if drums else rng.randint(0, 127),
            "channel": 9 if drums else rng.randint(0, 15),
            "volume": rng.randint(0, 127), "pan": rng.randint(-64, 63),
            "mute": rng.random() < 0.1, "solo": False, "owner": f"c{t}", "notes": notes,
        })
    denominator = rng.choice([2, 4, 4, 4, 8, 8, 16])
    return {
        "title": rng.choice(["Tuesday jam", "Blues in F", "Ünïcode \"quoted\" / slash", "x"]),
        "tempo": rng.choice([60, 96.5, 120, 133.25, 20, 400, rng.randint(40, 240)]),
        "meter": {"numerator": rng.randint(1, 12), "denominator": denominator},
        "key": None if rng.random() < 0.3 else {"tonic": rng.choice(TONICS), "mode": rng.choice(["major", "minor"])},
        "loopBars": rng.randint(1, 8), "ppq": PPQ, "tracks": tracks,
    }


def export_channels(tracks):
    """The channel each track is written on: drums on 9; a program track on 9 moves to the lowest free one."""
    used = {t["channel"] for t in tracks if t["instrument"] != "drums" and t["channel"] != 9}
    out = []
    for t in tracks:
        if t["instrument"] == "drums":
            out.append(9)
        elif t["channel"] != 9:
            out.append(t["channel"])
        else:
            free = next((c for c in range(16) if c != 9 and c not in used), 8)
            used.add(free)
            out.append(free)
    return out


def absolute(track):
    tick = 0
    for message in track:
        tick += message.time
        yield tick, message


def nested(notes):
    for a in notes:
        for b in notes:
            if a is not b and a["pitch"] == b["pitch"] and a["tick"] < b["tick"] and \
                    b["tick"] + b["duration"] < a["tick"] + a["duration"]:
                return True
    return False


def check_midi(path, doc, label):
    # Names are written as UTF-8 (the Standard MIDI File leaves text encoding open; mido assumes Latin-1).
    mid = mido.MidiFile(path, charset="utf-8")
    check(mid.type == 1, f"{label}: format {mid.type}, expected 1")
    check(mid.ticks_per_beat == PPQ, f"{label}: {mid.ticks_per_beat} ticks per quarter, expected {PPQ}")
    if not check(len(mid.tracks) == len(doc["tracks"]) + 1, f"{label}: {len(mid.tracks)} tracks for {len(doc['tracks'])}"):
        return
    bar = doc["meter"]["numerator"] * PPQ * 4 // doc["meter"]["denominator"]
    last_off = max((n["tick"] + n["duration"] for t in doc["tracks"] for n in t["notes"]), default=0)
    end = max(doc["loopBars"] * bar, last_off)

    # The conductor track: every meta event, and nothing else.
    metas = {}
    for tick, message in absolute(mid.tracks[0]):
        check(message.is_meta, f"{label}: a channel message in the conductor track: {message}")
        metas.setdefault(message.type, []).append((tick, message))
    check(metas.get("track_name", [(0, None)])[0][1].name == doc["title"], f"{label}: title {metas.get('track_name')}")
    tempo = metas["set_tempo"][0][1].tempo
    check(tempo == round(60_000_000 / doc["tempo"]), f"{label}: tempo {tempo} µs for {doc['tempo']} bpm")
    signature = metas["time_signature"][0][1]
    check((signature.numerator, signature.denominator) == (doc["meter"]["numerator"], doc["meter"]["denominator"]),
          f"{label}: time signature {signature} for {doc['meter']}")
    if doc["key"] is None:
        check("key_signature" not in metas, f"{label}: a key signature for a session without a key")
    else:
        name = metas["key_signature"][0][1].key
        minor = name.endswith("m")
        tonic = name[:-1] if minor else name
        check(minor == (doc["key"]["mode"] == "minor"), f"{label}: key {name} for {doc['key']}")
        check(PITCH_CLASS[tonic] == PITCH_CLASS[doc["key"]["tonic"]], f"{label}: key {name} for {doc['key']}")
    check(all(tick == 0 for kind, events in metas.items() if kind != "end_of_track" for tick, _ in events),
          f"{label}: conductor meta events not at tick 0")
    check(metas["end_of_track"][0][0] == end, f"{label}: conductor ends at {metas['end_of_track'][0][0]}, expected {end}")

    channels = export_channels(doc["tracks"])
    for index, (track, mtrack) in enumerate(zip(doc["tracks"], mid.tracks[1:])):
        where = f"{label} track {index} ({track['id']})"
        channel = channels[index]
        names = [m.name for _, m in absolute(mtrack) if m.type == "track_name"]
        check(names == [track["name"]], f"{where}: names {names}, expected {track['name']!r}")
        programs = [(m.channel, m.program) for _, m in absolute(mtrack) if m.type == "program_change"]
        expected_programs = [] if track["instrument"] == "drums" else [(channel, track["instrument"])]
        check(programs == expected_programs, f"{where}: programs {programs}, expected {expected_programs}")
        controls = {(m.control, m.value) for _, m in absolute(mtrack) if m.type == "control_change"}
        check(controls == {(7, track["volume"]), (10, track["pan"] + 64)}, f"{where}: controllers {controls}")
        ons, offs = [], []
        sounding = {}
        paired = []
        for tick, m in absolute(mtrack):
            if not m.is_meta:
                check(m.channel == channel, f"{where}: a message on channel {m.channel}, expected {channel}")
            if m.type == "note_on" and m.velocity > 0:
                ons.append((tick, m.note, m.velocity))
                sounding.setdefault(m.note, []).append((tick, m.velocity))
            elif m.type in ("note_off", "note_on"):
                offs.append((tick, m.note))
                if check(sounding.get(m.note), f"{where}: note-off of {m.note} at {tick} with no note sounding"):
                    start, velocity = sounding[m.note].pop(0)
                    paired.append((start, tick - start, m.note, velocity))
            elif m.type == "end_of_track":
                check(tick == end, f"{where}: ends at {tick}, expected {end}")
        notes = track["notes"]
        check(sorted(ons) == sorted((n["tick"], n["pitch"], n["velocity"]) for n in notes), f"{where}: note-ons differ")
        check(sorted(offs) == sorted((n["tick"] + n["duration"], n["pitch"]) for n in notes), f"{where}: note-offs differ")
        if not nested(notes):
            check(sorted(paired) == sorted((n["tick"], n["duration"], n["pitch"], n["velocity"]) for n in notes),
                  f"{where}: notes differ")


def check_wav(path, doc, loops, label):
    with wave.open(path, "rb") as w:
        check(w.getnchannels() == 2, f"{label}: {w.getnchannels()} channels")
        check(w.getsampwidth() == 2, f"{label}: {8 * w.getsampwidth()} bits")
        check(w.getframerate() == 44100, f"{label}: {w.getframerate()} Hz")
        check(w.getcomptype() == "NONE", f"{label}: compressed")
        frames = w.getnframes()
        samples = array.array("h")
        samples.frombytes(w.readframes(frames))
    if sys.byteorder == "big":
        samples.byteswap()
    bar = doc["meter"]["numerator"] * PPQ * 4 // doc["meter"]["denominator"]
    loop_seconds = doc["loopBars"] * bar * 60 / (doc["tempo"] * PPQ)
    expected = round(loop_seconds * 44100)
    # N loops, then the last notes' release tail (a couple of seconds at most).
    check(loops * expected <= frames <= loops * expected + 8 * 44100 + expected,
          f"{label}: {frames} frames for {loops} loops of {expected}")
    check(len(samples) == 2 * frames, f"{label}: {len(samples)} samples for {frames} frames")
    peak = max((abs(s) for s in samples), default=0)
    check(peak < 32767, f"{label}: clipped (peak {peak})")
    audible = any(not t["mute"] and t["volume"] > 20 and any(n["tick"] < doc["loopBars"] * bar and n["velocity"] > 20 for n in t["notes"])
                  for t in doc["tracks"])
    if audible:
        rms = (sum(s * s for s in samples[::7]) / max(1, len(samples[::7]))) ** 0.5
        check(rms > 5, f"{label}: silent (rms {rms:.2f})")
        check(peak > 100, f"{label}: silent (peak {peak})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("jam")
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20241124)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(args.cases):
            doc = random_document(rng, case)
            label = f"case {case} (seed {args.seed})"
            source = os.path.join(tmp, f"doc{case}.json")
            with open(source, "w") as f:
                json.dump(doc, f, ensure_ascii=False)
            log = os.path.join(tmp, f"case-{case}.jamlog")
            run(args.jam, "import", source, "-o", log)
            exported = os.path.join(tmp, f"case{case}.json")
            run(args.jam, "export", log, "--format", "json", "-o", exported)
            with open(exported) as f:
                document = json.load(f)
            check(document["tracks"] == [dict(t, notes=sorted(t["notes"], key=lambda n: (n["tick"], n["pitch"], n["id"].encode())))
                                         for t in doc["tracks"]] and document["title"] == doc["title"],
                  f"{label}: the JSON export is not the imported document")
            midi = os.path.join(tmp, f"case{case}.mid")
            run(args.jam, "export", log, "-o", midi)
            check_midi(midi, document, label)
            if case % 4 == 0:
                loops = 1 + case % 3
                audio = os.path.join(tmp, f"case{case}.wav")
                run(args.jam, "export", log, "--format", "wav", "--loops", str(loops), "-o", audio)
                check_wav(audio, document, loops, label)
    for failure in failures[:40]:
        print("FAIL", failure)
    if failures:
        sys.exit(f"{len(failures)} failures")
    print(f"ok: {args.cases} random documents exported as MIDI (read by mido) and JSON agree; "
          f"{(args.cases + 3) // 4} WAV renders are well-formed, audible and unclipped")


if __name__ == "__main__":
    main()
