#!/usr/bin/env python3
"""An independent judge of `jam import`: MIDI files made by mido (format 0 and 1, running status, several
resolutions, tempo and time-signature changes, note-ons of velocity 0, overlapping notes) are imported, the
session is exported as JSON (and the MIDI file itself too, which must give the same), and every note, program, channel, volume, pan, the title, tempo, meter, key and
loop are compared with what the file says, worked out here from mido's reading of it. Malformed and damaged
files must give a clear error (exit status 1 and an error code), never a crash.

usage: python3 Tools/test_midi_import.py PATH/TO/jam
Needs mido (`python3 -m pip install mido`).
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import mido

PPQ = 480
PITCH_CLASS = {"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6,
               "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11}
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def scale(tick, division):
    return (tick * PPQ + division // 2) // division


def expected_session(mid):
    """What the import must make of a file, from mido's reading of it and the rules of `jam import --help`."""
    division = mid.ticks_per_beat
    events = []  # (tick, track, index, message) for meta events
    groups = []
    first_program = {}
    end = 0
    for t, track in enumerate(mid.tracks):
        tick = 0
        parts = {}
        for i, m in enumerate(track):
            tick += m.time
            if m.is_meta:
                events.append((tick, t, i, m))
                continue
            if not hasattr(m, "channel"):
                continue
            part = parts.setdefault(m.channel, {"notes": [], "sounding": {}, "program": None, "volume": None, "pan": None})
            at = scale(tick, division)
            if m.type == "note_on" and m.velocity > 0:
                part["sounding"].setdefault(m.note, []).append((at, m.velocity))
            elif m.type in ("note_on", "note_off"):
                queue = part["sounding"].get(m.note)
                if queue:
                    start, velocity = queue.pop(0)
                    part["notes"].append((start, max(1, at - start), m.note, velocity))
            elif m.type == "program_change":
                part["program"] = part["program"] if part["program"] is not None else m.program
                first_program.setdefault(m.channel, (tick, t, i, m.program))
                if first_program[m.channel] > (tick, t, i, m.program):
                    first_program[m.channel] = (tick, t, i, m.program)
            elif m.type == "control_change" and m.control == 7 and part["volume"] is None:
                part["volume"] = m.value
            elif m.type == "control_change" and m.control == 10 and part["pan"] is None:
                part["pan"] = m.value
        chunk_end = scale(tick, division)
        end = max(end, chunk_end)
        name = next((m.name for m in track if m.type == "track_name"), None)
        for channel in sorted(parts):
            part = parts[channel]
            for key, queue in part["sounding"].items():
                for start, velocity in queue:
                    part["notes"].append((start, max(1, chunk_end - start), key, velocity))
            if not part["notes"] and len(parts) > 1:
                continue
            groups.append((t, channel, name, len(parts), part))
            for n in part["notes"]:
                end = max(end, n[0] + n[1])
    events.sort(key=lambda e: e[:3])
    tempos = [m.tempo for _, _, _, m in events if m.type == "set_tempo"]
    signatures = [m for _, _, _, m in events if m.type == "time_signature"]
    keys = [m.key for _, _, _, m in events if m.type == "key_signature"]
    meter = (signatures[0].numerator, signatures[0].denominator) if signatures else (4, 4)
    bar = meter[0] * PPQ * 4 // meter[1]
    first = mid.tracks[0]
    conductor = mid.type == 0 or not any(not m.is_meta for m in first)
    title = next((m.name for m in first if m.type == "track_name"), None) if conductor else None
    return {
        "tempo": round(60_000_000 / tempos[0], 2) if tempos else 120,
        "meter": meter,
        "key": keys[0] if keys else None,
        "loopBars": max(1, -(-end // bar)),
        "title": title,
        "tempoChanges": len(set(tempos)) > 1,
        "tracks": [{
            "name": (name or ("Drums" if channel == 9 else None)) and ((name or "Drums") + (f" (channel {channel + 1})" if parts > 1 else "")),
            "instrument": "drums" if channel == 9 else (part["program"] if part["program"] is not None else first_program.get(channel, (0, 0, 0, 0))[3]),
            "channel": channel,
            "volume": 100 if part["volume"] is None else part["volume"],
            "pan": 0 if part["pan"] is None else part["pan"] - 64,
            "notes": sorted(part["notes"]),
        } for (t, channel, name, parts, part) in groups],
    }


def import_and_read(jam, path, tmp, label):
    log = os.path.join(tmp, re.sub(r"[^a-z0-9]", "-", label.lower()) + ".jamlog")
    result = subprocess.run([jam, "import", path, "-o", log], capture_output=True)
    if not check(result.returncode == 0, f"{label}: import failed: {result.stderr.decode(errors='replace')}"):
        return None, ""
    out = subprocess.run([jam, "export", log, "--format", "json", "-o", "-"], capture_output=True)
    check(out.returncode == 0, f"{label}: export failed: {out.stderr.decode(errors='replace')}")
    # export (like analyze and replay) also reads the MIDI file itself: the same document, with no log between.
    direct = subprocess.run([jam, "export", path, "--format", "json", "-o", "-"], capture_output=True)
    check(direct.returncode == 0 and direct.stdout == out.stdout, f"{label}: export of the MIDI file itself differs from export of its import")
    return json.loads(out.stdout), result.stderr.decode(errors="replace")


def compare(mid, document, warnings, label):
    want = expected_session(mid)
    check(document["tempo"] == want["tempo"], f"{label}: tempo {document['tempo']}, expected {want['tempo']}")
    check((document["meter"]["numerator"], document["meter"]["denominator"]) == want["meter"], f"{label}: meter {document['meter']}")
    if want["key"] is None:
        check(document["key"] is None, f"{label}: key {document['key']}, expected none")
    else:
        minor = want["key"].endswith("m")
        tonic = want["key"][:-1] if minor else want["key"]
        got = document["key"]
        check(got is not None and got["mode"] == ("minor" if minor else "major") and PITCH_CLASS[got["tonic"]] == PITCH_CLASS[tonic],
              f"{label}: key {got}, expected {want['key']}")
    check(document["loopBars"] == want["loopBars"], f"{label}: {document['loopBars']} bars, expected {want['loopBars']}")
    if want["title"] is not None:
        check(document["title"] == want["title"], f"{label}: title {document['title']!r}, expected {want['title']!r}")
    check(("tempo_changes" in warnings) == want["tempoChanges"], f"{label}: tempo change warning: {warnings!r}")
    if not check(len(document["tracks"]) == len(want["tracks"]), f"{label}: {len(document['tracks'])} tracks, expected {len(want['tracks'])}"):
        return
    for i, (got, exp) in enumerate(zip(document["tracks"], want["tracks"])):
        where = f"{label} track {i}"
        for field in ("instrument", "channel", "volume", "pan"):
            check(got[field] == exp[field], f"{where}: {field} {got[field]!r}, expected {exp[field]!r}")
        if exp["name"] is not None:
            check(got["name"] == exp["name"], f"{where}: name {got['name']!r}, expected {exp['name']!r}")
        notes = sorted((n["tick"], n["duration"], n["pitch"], n["velocity"]) for n in got["notes"])
        check(notes == exp["notes"], f"{where}: notes differ:\n  got      {notes[:8]}\n  expected {exp['notes'][:8]}")


def song_format1(division, rng):
    mid = mido.MidiFile(type=1, ticks_per_beat=division)
    conductor = mido.MidiTrack()
    conductor += [mido.MetaMessage("track_name", name="Format one"), mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100)),
                  mido.MetaMessage("time_signature", numerator=3, denominator=4), mido.MetaMessage("key_signature", key="Bb")]
    mid.tracks.append(conductor)
    for channel, program in [(0, 33), (3, 81), (9, None)]:
        track = mido.MidiTrack()
        track.append(mido.MetaMessage("track_name", name=f"Part {channel}"))
        if program is not None:
            track.append(mido.Message("program_change", channel=channel, program=program))
        track.append(mido.Message("control_change", channel=channel, control=7, value=rng.randint(0, 127)))
        track.append(mido.Message("control_change", channel=channel, control=10, value=rng.randint(0, 127)))
        events = []
        for _ in range(30):
            start = rng.randrange(0, 12 * division)
            length = rng.randrange(1, 2 * division)
            pitch = rng.randint(35, 81) if channel == 9 else rng.randint(30, 90)
            events.append((start, 1, pitch, rng.randint(1, 127)))
            events.append((start + length, 0, pitch, 0))
        events.sort(key=lambda e: (e[0], e[1]))
        now = 0
        for tick, on, pitch, velocity in events:
            # Half the note-offs are note-ons of velocity 0, as many files write them.
            message = mido.Message("note_on", channel=channel, note=pitch, velocity=velocity, time=tick - now) if on or rng.random() < 0.5 \
                else mido.Message("note_off", channel=channel, note=pitch, velocity=64, time=tick - now)
            track.append(message)
            now = tick
        track.append(mido.Message("pitchwheel", channel=channel, pitch=1000, time=5))
        mid.tracks.append(track)
    return mid


def song_format0(division):
    mid = mido.MidiFile(type=0, ticks_per_beat=division)
    track = mido.MidiTrack()
    q = division
    track += [mido.MetaMessage("track_name", name="Format zero"), mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90)),
              mido.MetaMessage("time_signature", numerator=6, denominator=8), mido.MetaMessage("key_signature", key="F#m"),
              mido.Message("program_change", channel=1, program=24), mido.Message("sysex", data=[0x7E, 0x7F, 0x09, 0x01]),
              mido.MetaMessage("marker", text="A"),
              mido.Message("note_on", channel=1, note=60, velocity=90), mido.Message("note_on", channel=1, note=64, velocity=80),
              mido.Message("note_on", channel=1, note=67, velocity=80), mido.Message("note_on", channel=9, note=36, velocity=120),
              mido.Message("note_on", channel=1, note=60, velocity=70, time=q // 2),  # overlaps the first C
              mido.Message("note_off", channel=9, note=36, velocity=0, time=q // 4),
              mido.Message("note_on", channel=1, note=60, velocity=0, time=q // 4),
              mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(140)),  # a tempo change: notes keep their beats
              mido.Message("note_off", channel=1, note=60, velocity=0, time=q),
              mido.Message("note_on", channel=1, note=64, velocity=0), mido.Message("note_on", channel=1, note=67, velocity=0),
              mido.Message("note_on", channel=2, note=72, velocity=1, time=3 * q),  # never ended
              mido.MetaMessage("end_of_track", time=q)]
    mid.tracks.append(track)
    return mid


def written_status_bytes(data):
    """Channel-message status bytes actually written in a file's track chunks (a walk of the raw bytes)."""
    count = 0
    at = 14
    while at + 8 <= len(data):
        length = int.from_bytes(data[at + 4:at + 8], "big")
        body, at = data[at + 8:at + 8 + length], at + 8 + length
        i = 0
        running = None

        def vlq():
            nonlocal i
            value = 0
            while True:
                b = body[i]
                i += 1
                value = value << 7 | (b & 0x7F)
                if b < 0x80:
                    return value
        while i < len(body):
            vlq()
            explicit = body[i] >= 0x80
            status = body[i] if explicit else running
            i += explicit
            if status == 0xFF:
                i += 1
                length = vlq()  # not `i += vlq()`: that reads i before vlq moves it
                i += length
                running = None
            elif status in (0xF0, 0xF7):
                length = vlq()
                i += length
                running = None
            else:
                count += explicit
                running = status
                i += 1 if (status & 0xF0) in (0xC0, 0xD0) else 2
    return count


def malformed(jam, good, tmp):
    """Damaged and hand-made bad files: exit status 1 with an error code on stderr, never a crash."""
    cases = [
        ("empty", b""),
        ("not midi", b"hello, world\n"),
        ("header only", good[:14]),
        ("smpte division", b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\xe7\x28MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"),
        ("long vlq", b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x08\xff\xff\xff\xff\x00\xff\x2f\x00"),
        ("no status", b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x07\x00\x3c\x40\x00\xff\x2f\x00"),
    ]
    cases += [(f"cut at {n}", good[:n]) for n in (20, 30, len(good) // 2, len(good) - 1)]
    codes = re.compile(r"(not_midi|invalid_header|unsupported_division|truncated_chunk|missing_track|truncated_event|invalid_vlq|"
                       r"missing_status|invalid_data_byte|unexpected_status|invalid_meta|events_after_end_of_track|neither a MIDI file)")
    for name, data in cases:
        path = os.path.join(tmp, "bad.mid")
        with open(path, "wb") as f:
            f.write(data)
        log = os.path.join(tmp, "bad-out.jamlog")
        result = subprocess.run([jam, "import", path, "-o", log], capture_output=True)
        stderr = result.stderr.decode(errors="replace")
        check(result.returncode == 1, f"malformed {name}: exit status {result.returncode}: {stderr}")
        check(codes.search(stderr) is not None, f"malformed {name}: no error code in {stderr!r}")
        check(not os.path.exists(log), f"malformed {name}: a log was written")
    rng = random.Random(5)
    for round_ in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = os.path.join(tmp, "flipped.mid")
        with open(path, "wb") as f:
            f.write(bytes(data))
        log = os.path.join(tmp, f"flipped-{round_}.jamlog")
        result = subprocess.run([jam, "import", path, "-o", log], capture_output=True)
        check(result.returncode in (0, 1), f"damaged file {round_}: exit status {result.returncode} (a crash): {result.stderr[-300:]!r}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    jam = sys.argv[1]
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        songs = [(f"format 1 at {d}", song_format1(d, rng)) for d in (24, 96, 480, 960, 1000)]
        songs += [(f"format 0 at {d}", song_format0(d)) for d in (96, 384, 480)]
        good = None
        for label, mid in songs:
            path = os.path.join(tmp, "song.mid")
            mid.save(path)
            data = open(path, "rb").read()
            good = good or data
            # mido writes running status: repeated status bytes are left out.
            channel_messages = sum(1 for t in mid.tracks for m in t if not m.is_meta and m.type != "sysex")
            check(written_status_bytes(data) < channel_messages, f"{label}: the file does not use running status")
            document, warnings = import_and_read(jam, path, tmp, label)
            if document is not None:
                compare(mido.MidiFile(path), document, warnings, label)
        malformed(jam, good, tmp)
    for failure in failures[:40]:
        print("FAIL", failure)
    if failures:
        sys.exit(f"{len(failures)} failures")
    print(f"ok: {len(songs)} mido-made songs import as mido reads them; malformed and damaged files give clear errors")


if __name__ == "__main__":
    main()
