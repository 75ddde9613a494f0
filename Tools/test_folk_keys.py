#!/usr/bin/env python3
"""An outside check of `jam analyze`'s key on melodies alone: folk songs of the Essen collection (music21's
corpus), against the tonic their editors gave and music21's Krumhansl-Schmuckler key as a peer.

    python3 Tools/test_folk_keys.py .build/debug/jam [--count 200] [--verbose] [--cache DIR]

Needs music21 (pip install music21; its package ships the corpus). The songs are taken evenly from the
tunes of the corpus's Essen files (in sorted order), so the run is deterministic. Each is parsed from its
own ABC text by music21, its notes written as MIDI by mido and read back by `jam analyze FILE --json`.

The song's key: the tonic is the Essen editors' (the ABC `K:` field, which in this collection names the
tonic and spells every note off its major scale with an accidental) where the song ends on it; the mode
is the third above it that sounds longer in the tune. Songs that end elsewhere (many of the Chinese songs
end on another note of their pentatonic mode, which major and minor do not name), that sound neither
third, or whose K: field is not a plain note name, are left out.

A lone tune is the hardest case of the bandmate's listening (it has no chords to lean on) and the one a
benchmark of generated melodies knows least about, so real tunes keep it honest. Fails when an agreement
rate is below its floor; the floors sit under the rates of a first honest measurement (see FLOORS) by a
margin, so that a change of music21 version or a few songs lost does not fail, and losing the plot does.

With --cache DIR the MIDI files and the reference keys are kept in DIR and reused on the next run.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

from test_analyze import jam_key, music21_key, name, options, pitch_class, report

# Agreement floors, under the first measurement (see BENCHMARKS.md).
FLOORS = {
    "jam vs the editors' key": 0.80,
}

LEFT_OUT = ("test", "variant", "folkHaydn")


def tunes():
    """Every tune of the corpus's Essen files as (file name, ABC text with its header), in order."""
    from music21 import corpus

    paths = sorted(str(p) for p in corpus.getCorePaths() if "essenFolksong" in str(p))
    for path in paths:
        base = os.path.basename(path)
        if base.startswith(LEFT_OUT):
            continue
        with open(path, encoding="latin-1") as f:
            text = f.read()
        for tune in re.split(r"\n(?=X:)", text):
            if tune.lstrip().startswith("X:"):
                yield base, tune.strip() + "\n"


def reference_key(tune, score):
    """(tonic pitch class, mode) from the K: field and the third that sounds longer, or None."""
    match = re.search(r"^K:\s*([A-G][b#]?)\s*$", tune, re.M)
    if not match:
        return None
    tonic = pitch_class(match.group(1))
    notes = list(score.recurse().notes)
    if not notes or notes[-1].pitches[-1].pitchClass != tonic:
        return None
    durations = [0.0] * 12
    for note in notes:
        for p in note.pitches:
            durations[p.pitchClass] += float(note.quarterLength)
    minor, major = durations[(tonic + 3) % 12], durations[(tonic + 4) % 12]
    if minor == major:
        return None
    return (tonic, "major" if major > minor else "minor")


def write_midi(score, path):
    """The tune's notes as a one-track MIDI file at 480 ticks a quarter (mido, not music21's writer,
    which stumbles on some of these scores' repeated time signatures)."""
    import mido

    events = []
    for note in score.flatten().notes:
        start = round(float(note.offset) * 480)
        end = start + max(1, round(float(note.quarterLength) * 480))
        for p in note.pitches:
            events.append((end, 0, p.midi))
            events.append((start, 1, p.midi))
    events.sort()
    track = mido.MidiTrack()
    now = 0
    for tick, on, pitch in events:
        track.append(mido.Message("note_on" if on else "note_off", note=pitch, velocity=80 if on else 64, time=tick - now))
        now = tick
    midi = mido.MidiFile(ticks_per_beat=480)
    midi.tracks.append(track)
    midi.save(path)


def main():
    parsed = options(sys.argv[1:], count=200)
    if parsed is None:
        print(__doc__)
        return 2
    jam, count, verbose, cache = parsed

    import music21

    everything = list(tunes())
    step = max(1, len(everything) // count)
    chosen = everything[::step][:count]
    tallies = {}

    def tally(label, a, b):
        hits, total = tallies.get(label, (0, 0))
        tallies[label] = (hits + (a == b), total + 1)

    with tempfile.TemporaryDirectory() as scratch:
        directory = cache or scratch
        os.makedirs(directory, exist_ok=True)
        for index, (base, tune) in enumerate(chosen):
            midi_file = os.path.join(directory, f"folk-{index}.mid")
            keys_file = os.path.join(directory, f"folk-{index}.keys.json")
            if cache and os.path.exists(keys_file):
                with open(keys_file) as f:
                    known = json.load(f)
                reference, peer = (tuple(k) if k else None for k in known) if known else (None, None)
            else:
                try:
                    score = music21.converter.parseData(tune, format="abc")
                except Exception as error:  # a tune music21 cannot read is no test of jam
                    print(f"  {base}: music21 cannot read a tune ({error.__class__.__name__}); left out")
                    score = None
                reference = reference_key(tune, score) if score is not None else None
                peer = None
                if reference is not None:
                    write_midi(score, midi_file)
                    peer = music21_key(score)
                if cache:
                    with open(keys_file, "w") as f:
                        json.dump([reference, peer] if reference else None, f)
            if reference is None:
                continue
            found = jam_key(jam, midi_file)
            tally("jam vs the editors' key", found, reference)
            tally("jam vs music21", found, peer)
            tally("(music21 vs the editors' key)", peer, reference)
            if verbose:
                title = re.search(r"^T:\s*(.*)$", tune, re.M)
                print(f"{base:14} {name(reference):9} jam {name(found):9} music21 {name(peer):9} {title.group(1) if title else ''}")

    songs = max(total for _, total in tallies.values()) if tallies else 0
    print(f"jam analyze against {songs} Essen folk songs (music21 corpus), melody alone:")
    if not tallies:
        print("  no song read: FAIL")
        return 1
    return 1 if report(tallies, FLOORS, width=32) else 0


if __name__ == "__main__":
    sys.exit(main())
