#!/usr/bin/env python3
"""An outside check of `jam analyze`'s key: Bach chorales from music21's corpus, heard whole and as the
soprano line alone, against music21's Krumhansl-Schmuckler key and against the key the score itself shows.

    python3 Tools/test_analyze.py .build/debug/jam [--count 40] [--verbose] [--cache DIR]

Needs music21 (pip install music21; its package ships the corpus). The chorales are taken evenly from the
sorted list of the corpus's BWV files, so the run is deterministic. Each is written as MIDI by music21 (the
whole chorale, and its first part alone) and read back by `jam analyze FILE --json`.

The score's key: the tonic is the lowest note of the last chord (a chorale ends on its tonic, in the bass),
the mode is the third that the key signature gives above it (so a Picardy third in the last chord does
not make a minor chorale major, and a minor chorale written with one flat fewer, as Bach often did, is
still minor). Chorales whose final bass is not in their key signature's scale are left out of that count.

Fails when an agreement rate is below its floor. The floors sit under the rates of a first honest
measurement (see FLOORS) by a margin, so that a change of music21 version or of the bandmate's
analysis that loses a few chorales does not fail, and one that loses the plot does.

With --cache DIR the MIDI files and music21's keys are kept in DIR and reused on the next run (parsing
the corpus is most of the time), so that checking a change of the analysis takes seconds.
"""

import json
import os
import subprocess
import sys
import tempfile

# Agreement floors. The first measurement (40 chorales, before the tonic cues) gave 0.925, 0.825 and 0.750;
# music21's own Krumhansl-Schmuckler agreed with the score's key on 0.750 of them (whole) and 0.600 (soprano).
FLOORS = {
    "whole vs score key": 0.85,
    "whole vs music21": 0.75,
    "soprano vs score key": 0.65,
}

NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def pitch_class(name):
    """'Bb' / 'F#' / 'E-' (music21's flat) → 0…11."""
    pc = NAMES[name[0].upper()]
    for accidental in name[1:]:
        if accidental in "#♯":
            pc += 1
        elif accidental in "b-♭":
            pc -= 1
    return pc % 12


def score_key(score):
    """(tonic pitch class, 'major'|'minor') from the final bass note and the key signature, or None."""
    from music21 import chord as m21chord

    signatures = list(score.parts[0].recurse().getElementsByClass("KeySignature"))
    if not signatures:
        return None
    sharps = signatures[0].sharps
    major_tonic = (7 * sharps) % 12
    scale = {(major_tonic + step) % 12 for step in (0, 2, 4, 5, 7, 9, 11)}
    chords = list(score.chordify().recurse().getElementsByClass(m21chord.Chord))
    if not chords:
        return None
    tonic = chords[-1].bass().pitchClass
    if tonic not in scale:
        return None
    if (tonic + 4) % 12 in scale:
        return (tonic, "major")
    if (tonic + 3) % 12 in scale:
        return (tonic, "minor")
    return None


def music21_key(stream):
    key = stream.analyze("Krumhansl")
    return (key.tonic.pitchClass, key.mode)


def jam_key(jam, path):
    out = subprocess.run([jam, "analyze", path, "--json"], capture_output=True, text=True, check=True).stdout
    key = json.loads(out)["key"]
    return (pitch_class(key["tonic"]), key["mode"])


def name(key):
    if key is None:
        return "-"
    names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
    return f"{names[key[0]]} {key[1]}"


def options(args, count):
    """(jam, --count, --verbose, --cache) from a key judge's arguments, or None without a jam binary."""
    if not args or args[0].startswith("-"):
        return None
    count = int(args[args.index("--count") + 1]) if "--count" in args else count
    cache = args[args.index("--cache") + 1] if "--cache" in args else None
    return args[0], count, "--verbose" in args, cache


def main():
    parsed = options(sys.argv[1:], count=40)
    if parsed is None:
        print(__doc__)
        return 2
    jam, count, verbose, cache = parsed

    from music21 import corpus

    paths = sorted(str(p) for p in corpus.getComposer("bach") if os.path.basename(str(p)).startswith("bwv"))
    step = max(1, len(paths) // count)
    chosen = paths[::step][:count]

    tallies = {}

    def tally(label, a, b):
        if a is None or b is None:
            return
        hits, total = tallies.get(label, (0, 0))
        tallies[label] = (hits + (a == b), total + 1)

    with tempfile.TemporaryDirectory() as scratch:
        directory = cache or scratch
        os.makedirs(directory, exist_ok=True)
        for index, path in enumerate(chosen):
            whole_file = os.path.join(directory, f"{index}.mid")
            soprano_file = os.path.join(directory, f"{index}.soprano.mid")
            keys_file = os.path.join(directory, f"{index}.keys.json")
            if cache and os.path.exists(keys_file):
                with open(keys_file) as f:
                    known = json.load(f)
                if known is None:
                    continue
                reference, m21_whole, m21_soprano = (tuple(k) if k else None for k in known)
            else:
                score = corpus.parse(path)
                if len(score.parts) < 2:
                    if cache:
                        with open(keys_file, "w") as f:
                            json.dump(None, f)
                    continue
                score.write("midi", fp=whole_file)
                score.parts[0].write("midi", fp=soprano_file)
                reference = score_key(score)
                m21_whole = music21_key(score)
                m21_soprano = music21_key(score.parts[0])
                if cache:
                    with open(keys_file, "w") as f:
                        json.dump([reference, m21_whole, m21_soprano], f)
            jam_whole = jam_key(jam, whole_file)
            jam_soprano = jam_key(jam, soprano_file)
            tally("whole vs score key", jam_whole, reference)
            tally("whole vs music21", jam_whole, m21_whole)
            tally("soprano vs score key", jam_soprano, reference)
            tally("soprano vs music21 on the soprano", jam_soprano, m21_soprano)
            tally("(music21 whole vs score key)", m21_whole, reference)
            tally("(music21 soprano vs score key)", m21_soprano, reference)
            if verbose:
                print(
                    f"{os.path.basename(path):14} score {name(reference):9} music21 {name(m21_whole):9} jam {name(jam_whole):9}"
                    f"| soprano: music21 {name(m21_soprano):9} jam {name(jam_soprano)}"
                )

    print(f"jam analyze against {len(chosen)} Bach chorales (music21 corpus):")
    return 1 if report(tallies, FLOORS) else 0


def report(tallies, floors, width=36):
    """Prints each agreement (label: (hits, total)) with its floor, if any; True when one is under it."""
    failed = False
    for label, (hits, total) in tallies.items():
        rate = hits / total if total else float("nan")
        floor = floors.get(label)
        verdict = ""
        if floor is not None:
            verdict = f"  (floor {floor:.2f})"
            if rate < floor:
                verdict += "  FAIL"
                failed = True
        print(f"  {label:{width}} {hits:3}/{total:<3} = {rate:.3f}{verdict}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
