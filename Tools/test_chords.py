#!/usr/bin/env python3
"""An outside judge of `jam analyze`'s chords: real music it has never seen, against human analysts' labels.

    python3 Tools/test_chords.py .build/debug/jam [--madrigals all|none|3.1,4.19,…] [--verbose] [--show PIECE] [--cache DIR]

music21's corpus ships Roman-numeral analyses (by Tymoczko et al.) of 20 Bach chorales
(bach/choraleAnalyses/riemenschneider*.rntxt, whose "BWV:" header names the chorale, also in the corpus)
and of Monteverdi madrigals (monteverdi/madrigal.*.rntxt, beside their scores). Each score is written as
MIDI by music21, the whole texture and its top part alone, and read back by `jam analyze FILE --json`.
Every beat jam prints is compared with the analyst's chord that covers most of that beat:

  root   jam's root is the analyst's root;
  tones  the share of jam's chord tones that are tones of the analyst's chord (what the bandmate's keys
         would play, heard against what the analyst says sounds);
  exact  jam's pitch-class set is the analyst's (a seventh more or less is a miss).

"soprano" is the top part alone (in a chorale, the tune Bach harmonised: the analyst's chords are the
harmony he heard in it). Two references in the same run: "tonic triad", the tonic triad of jam's own key
of each beat on every beat (a floor); "beginner's triad", the first of I, V, IV, vi, ii, iii, vii° (minor:
i, V, iv, VI, III, VII, ii°) in the soprano's jam key that holds the tune's note at the beat, what a
beginner harmonising the tune by ear would play.

Alignment. music21 writes MIDI from the first note, expanding repeats; this writes the parts without their
measures (so nothing is repeated: the analyses follow the score as written) and shifts a pickup bar so
that it ends on a barline, as it would in a sequencer: jam's bars are then the score's. A beat at tick T is
at quarter T/480 - pickup-shift of the score. The analyst's chords are placed by bar number and beat in the
score (a few madrigal scores have bars of eight quarters where the analysis counts four: the rest of such
a bar has no label). A piece counts only when the analyst's bass is the lowest sounding note of the score
at most chord onsets (at least ALIGNMENT, in some transposition): this finds the transposition of a
chorale whose corpus score is in another key than its analysis (BWV 184.5, 145.5) and leaves out pieces
whose analysis follows another version or numbering of the score (the orchestral BWV 41.6; 22 of the 48
madrigals). The pieces left out are named.

Fails when an agreement is under its floor (FLOORS: a margin under a first honest measurement). With
--cache DIR the MIDI files and the parsed labels are kept and reused (parsing is most of the time).
--verbose prints each piece's figures, the commonest disagreements, and the beat-by-beat comparison of
one piece (--show, a name such as bwv269 or madrigal.3.1).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter

# Floors, about 0.05 under the first measurement (19 chorales: whole 0.895 / 0.959 / 0.847 for root /
# tones / exact, soprano 0.343 / 0.601 / 0.194; the 4 default madrigals: whole 0.871 / 0.915 / 0.793,
# soprano 0.341 / 0.577 / 0.264): one piece lost does not fail, losing the plot does.
FLOORS = {
    ("bach", "whole", "root"): 0.85,
    ("bach", "whole", "tones"): 0.91,
    ("bach", "whole", "exact"): 0.79,
    ("bach", "soprano", "root"): 0.29,
    ("bach", "soprano", "tones"): 0.55,
    ("bach", "soprano", "exact"): 0.14,
    ("monteverdi", "whole", "root"): 0.82,
    ("monteverdi", "whole", "tones"): 0.86,
    ("monteverdi", "whole", "exact"): 0.74,
    ("monteverdi", "soprano", "root"): 0.29,
    ("monteverdi", "soprano", "tones"): 0.52,
    ("monteverdi", "soprano", "exact"): 0.21,
}

# The least share of the analyst's chord onsets whose bass is the score's lowest note, for a piece to count.
ALIGNMENT = 0.75

# The Monteverdi madrigals taken by default (parsing one takes seconds): every seventh, in the corpus's
# order, of the 26 whose analysis lines up with their score (of 48). --madrigals all takes every one.
MADRIGALS = ("3.1", "3.13", "3.20", "4.19")

# jam's chord qualities (Sources/JamBand/ChordQuality.swift), semitones above the root.
QUALITIES = {
    "major": (0, 4, 7),
    "minor": (0, 3, 7),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "dominant7": (0, 4, 7, 10),
    "major7": (0, 4, 7, 11),
    "minor7": (0, 3, 7, 10),
    "halfDiminished7": (0, 3, 6, 10),
    "diminished7": (0, 3, 6, 9),
}

NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SPELLING = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
TICKS_PER_QUARTER = 480  # Document.ppq: jam's ticks, whatever the MIDI file's division


def pitch_class(name):
    """'Bb' / 'F#' / 'E-' (music21's flat) → 0…11."""
    pc = NAMES[name[0].upper()]
    for accidental in name[1:]:
        if accidental in "#♯":
            pc += 1
        elif accidental in "b-♭":
            pc -= 1
    return pc % 12


def chorale_name(bwv):
    """The corpus name of a chorale from an analysis's BWV header: '269' → bwv269, '248(2).12' →
    bwv248.12-2, '41.6s' → bwv41.6."""
    part = re.match(r"^(\d+)\((\d+)\)\.(\d+)$", bwv)
    if part:
        return f"bwv{part.group(1)}.{part.group(3)}-{part.group(2)}"
    return "bwv" + re.sub(r"[a-z]+$", "", bwv)


def pieces(madrigals):
    """(corpus, name, analysis path, score locator) of the pieces to judge, in a fixed order; `madrigals`
    names the madrigals ("3.1", …), or is None for all of them."""
    from music21 import corpus

    root = os.path.dirname(corpus.__file__)
    chosen = []
    analyses = os.path.join(root, "bach", "choraleAnalyses")
    for file in sorted(os.listdir(analyses)):
        if not file.endswith(".rntxt"):
            continue
        path = os.path.join(analyses, file)
        with open(path, encoding="utf-8") as f:
            header = re.search(r"^BWV:\s*(\S+)", f.read(), re.M)
        if header:
            name = chorale_name(header.group(1))
            chosen.append(("bach", name, path, ("corpus", name)))
    folder = os.path.join(root, "monteverdi")

    def book_and_number(file):
        return tuple(int(x) for x in file.split(".")[1:3])

    files = sorted((f for f in os.listdir(folder) if f.endswith(".rntxt")), key=book_and_number)
    for file in files:
        if madrigals is not None and file[len("madrigal.") : -len(".rntxt")] not in madrigals:
            continue
        path = os.path.join(folder, file)
        chosen.append(("monteverdi", file[: -len(".rntxt")], path, ("file", path[: -len(".rntxt")] + ".mxl")))
    return chosen


def sounding(notes, offset):
    """The pitches of a part's notes (offset, end, midi pitches) sounding at an offset."""
    for start, end, pitches in notes:
        if start <= offset < end:
            return pitches
        if start > offset:
            break
    return ()


def prepare(piece, whole_file, soprano_file):
    """Parses a score and its analysis; writes the MIDI files; returns the labels and alignment as JSON."""
    from music21 import converter, corpus, harmony, key, meter, roman, stream

    kind, name, analysis_path, (how, where) = piece
    score = corpus.parse(where) if how == "corpus" else converter.parse(where)
    analysis = converter.parse(analysis_path, format="romanText")
    # Each chord where the score's bar of the same number puts it: the analyses count 4/4 bars where a few
    # madrigal scores have a bar of eight quarters (the rest of such a bar has no label), and a chorale's
    # bar split at a repeat sign is two measures of one number.
    bars = {}
    for measure in score.parts[0].getElementsByClass(stream.Measure):
        bars.setdefault(measure.number, float(measure.offset))
    numerals = []
    for measure in analysis.parts[0].getElementsByClass(stream.Measure):
        if measure.number not in bars:
            continue
        for numeral in measure.getElementsByClass(roman.RomanNumeral):
            numerals.append((bars[measure.number] + float(numeral.offset), float(numeral.quarterLength), numeral))
    numerals.sort(key=lambda n: n[0])

    # The parts' notes, ties joined, without measures (no repeats), a pickup shifted to end on a barline.
    # (music21 would write chord symbols as chords held to the end: they are left out.)
    parts = list(score.parts)
    first = parts[0].getElementsByClass(stream.Measure)[0]
    pickup = float(first.paddingLeft)
    notes = []
    flat_parts = []
    for part in parts:
        flat = part.stripTies().flatten()
        out = stream.Part()
        for signature in (meter.TimeSignature, key.KeySignature):
            found = flat.getElementsByClass(signature)
            if found:
                out.insert(0, found[0])
        mine = []
        for element in flat.notes:
            if isinstance(element, harmony.Harmony):
                continue  # a chord symbol (some madrigals' texts are read as such) is not a sounding note
            offset = float(element.offset)
            mine.append((offset, offset + float(element.quarterLength), tuple(p.midi for p in element.pitches)))
            out.insert(offset + pickup, element)
        notes.append(sorted(mine))
        flat_parts.append(out)
    whole = stream.Score(flat_parts)
    whole.write("midi", fp=whole_file)
    stream.Score([flat_parts[0]]).write("midi", fp=soprano_file)

    # Alignment: the analyst's bass against the lowest note sounding at each chord's onset, in each
    # transposition; the best one must hold at ALIGNMENT or more.
    votes = Counter()
    onsets = 0
    for offset, _, numeral in numerals:
        pitches = [p for part in notes for p in sounding(part, offset)]
        if not pitches:
            continue
        onsets += 1
        votes[(min(pitches) - numeral.bass().pitchClass) % 12] += 1
    transposition, hits = votes.most_common(1)[0] if votes else (0, 0)
    alignment = hits / onsets if onsets else 0.0

    labels = []
    for index, (offset, length, numeral) in enumerate(numerals):
        if index + 1 < len(numerals):
            length = min(length, numerals[index + 1][0] - offset)
        labels.append({
            "offset": offset,
            "length": length,
            "root": (numeral.root().pitchClass + transposition) % 12,
            "tones": sorted({(pc + transposition) % 12 for pc in numeral.pitchClasses}),
            "figure": numeral.figure,
            "spelt": [(p.transpose(transposition) if transposition else p).name.replace("-", "b") for p in numeral.pitches],
            "key": f"{SPELLING[(numeral.key.tonic.pitchClass + transposition) % 12]} {numeral.key.mode}",
        })
    end = max((n[1] for part in notes for n in part), default=0.0)
    melody = [(start, stop, max(pitches) % 12) for start, stop, pitches in notes[0]]
    return {"pickup": pickup, "transposition": transposition, "alignment": alignment, "end": end, "labels": labels, "melody": melody}


def jam_beats(jam, path):
    """jam's beats from `jam analyze PATH --json`: start and length in quarters from the file's start, root
    and tones as pitch classes, the chord symbol, bar and beat, and the key (tonic pitch class, mode)."""
    out = subprocess.run([jam, "analyze", path, "--json"], capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    beats = report["beats"]
    result = []
    for index, beat in enumerate(beats):
        start = beat["tick"] / TICKS_PER_QUARTER
        if index + 1 < len(beats):
            length = beats[index + 1]["tick"] / TICKS_PER_QUARTER - start
        else:
            length = result[-1]["length"] if result else 1.0
        quality = beat["quality"]
        if quality not in QUALITIES:
            raise SystemExit(f"jam printed a chord quality this judge does not know: {quality}")
        root = pitch_class(beat["root"])
        tonic, mode = beat["key"].split(" ")
        result.append({
            "start": start, "length": length, "root": root,
            "tones": {(root + i) % 12 for i in QUALITIES[quality]},
            "chord": beat["chord"], "bar": beat["bar"], "beat": beat["beat"],
            "key": (pitch_class(tonic), mode),
        })
    return result


def covering(labels, start, end):
    """The label covering most of [start, end), the earliest on a tie; None where none does."""
    best, most = None, 0.0
    for label in labels:
        overlap = min(end, label["offset"] + label["length"]) - max(start, label["offset"])
        if overlap > most + 1e-9:
            best, most = label, overlap
    return best


def tonic_triad(key):
    tonic, mode = key
    return {tonic, (tonic + (4 if mode == "major" else 3)) % 12, (tonic + 7) % 12}


# The diatonic triads in the order a beginner tries them under a tune's note: I, V, IV, vi, ii, iii, vii°
# (minor: i, V, iv, VI, III, VII, ii°), each as (root above the tonic, intervals).
BEGINNER = {
    "major": ((0, (0, 4, 7)), (7, (0, 4, 7)), (5, (0, 4, 7)), (9, (0, 3, 7)), (2, (0, 3, 7)), (4, (0, 3, 7)), (11, (0, 3, 6))),
    "minor": ((0, (0, 3, 7)), (7, (0, 4, 7)), (5, (0, 3, 7)), (8, (0, 4, 7)), (3, (0, 4, 7)), (10, (0, 4, 7)), (2, (0, 3, 6))),
}


def beginner_triad(key, note):
    """The first triad of BEGINNER in the key that holds the tune's note (the tonic's without a note, or when
    none holds it, a chromatic note): (root, tones)."""
    tonic, mode = key
    for root, intervals in BEGINNER[mode]:
        tones = {(tonic + root + i) % 12 for i in intervals}
        if note is None or note in tones:
            return (tonic + root) % 12, tones
    return tonic, tonic_triad(key)


class Tally:
    """Sums of the three agreements over beats."""

    def __init__(self):
        self.beats = 0
        self.root = 0
        self.tones = 0.0
        self.exact = 0

    def add(self, root, tones, truth):
        self.beats += 1
        self.root += root == truth["root"]
        self.tones += len(tones & set(truth["tones"])) / len(tones)
        self.exact += tones == set(truth["tones"])

    def merge(self, other):
        self.beats += other.beats
        self.root += other.root
        self.tones += other.tones
        self.exact += other.exact

    def rates(self):
        n = max(1, self.beats)
        return {"root": self.root / n, "tones": self.tones / n, "exact": self.exact / n}


def relation(truth, heard):
    """A disagreement in words: jam's chord relative to the analyst's."""
    interval = (heard["root"] - truth["root"]) % 12
    truth_tones = {(pc - truth["root"]) % 12 for pc in truth["tones"]}
    shape = "triad+7" if len(truth_tones) == 4 else "triad" if len(truth_tones) == 3 else f"{len(truth_tones)} tones"
    quality = "major" if 4 in truth_tones else "minor" if 3 in truth_tones else "other"
    if 6 in truth_tones and 7 not in truth_tones:
        quality = "diminished"
    heard_shape = sorted((pc - heard["root"]) % 12 for pc in heard["tones"])
    names = {tuple(v): k for k, v in QUALITIES.items()}
    return f"analyst's {quality} {shape}, jam's {names[tuple(heard_shape)]} with its root {interval} semitones above"


def note_at(melody, offset):
    """The pitch class of the tune sounding at an offset, or None in a rest."""
    for start, end, pc in melody:
        if start <= offset < end:
            return pc
    return None


def compare(beats, prepared):
    """Per beat of jam's reading where the analysis has a label: (beat, label, the beat's score offset)."""
    shift = prepared["pickup"]
    pairs = []
    for beat in beats:
        start = beat["start"] - shift
        end = start + beat["length"]
        if start < 0 or start >= prepared["end"]:
            continue
        truth = covering(prepared["labels"], start, end)
        if truth is not None:
            pairs.append((beat, truth, start))
    return pairs


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__)
        return 2
    jam = args[0]
    verbose = "--verbose" in args
    cache = args[args.index("--cache") + 1] if "--cache" in args else None
    madrigals = MADRIGALS
    if "--madrigals" in args:
        chosen = args[args.index("--madrigals") + 1]
        madrigals = None if chosen == "all" else () if chosen == "none" else tuple(chosen.split(","))
    show = args[args.index("--show") + 1] if "--show" in args else "bwv269"

    listenings = (
        "whole", "soprano", "tonic triad (whole's key)", "tonic triad (soprano's key)", "beginner's triad (soprano's key)")
    totals = {}
    counted = Counter()
    left_out = []
    confusions = Counter()
    shown = None

    with tempfile.TemporaryDirectory() as scratch:
        directory = cache or scratch
        os.makedirs(directory, exist_ok=True)
        for piece in pieces(madrigals):
            kind, name = piece[0], piece[1]
            whole_file = os.path.join(directory, f"{name}.mid")
            soprano_file = os.path.join(directory, f"{name}.soprano.mid")
            labels_file = os.path.join(directory, f"{name}.labels.json")
            if cache and os.path.exists(labels_file) and os.path.exists(whole_file) and os.path.exists(soprano_file):
                with open(labels_file) as f:
                    prepared = json.load(f)
            else:
                prepared = prepare(piece, whole_file, soprano_file)
                if cache:
                    with open(labels_file, "w") as f:
                        json.dump(prepared, f)
            if prepared["alignment"] < ALIGNMENT:
                left_out.append(f"{name} (bass agreement {prepared['alignment']:.2f})")
                continue
            counted[kind] += 1
            whole = compare(jam_beats(jam, whole_file), prepared)
            soprano = compare(jam_beats(jam, soprano_file), prepared)
            per_piece = {}
            for listening, pairs in (("whole", whole), ("soprano", soprano)):
                tally, floor, beginner = Tally(), Tally(), Tally()
                for beat, truth, start in pairs:
                    tally.add(beat["root"], beat["tones"], truth)
                    floor.add(beat["key"][0], tonic_triad(beat["key"]), truth)
                    beginner.add(*beginner_triad(beat["key"], note_at(prepared["melody"], start)), truth)
                    if beat["root"] != truth["root"]:
                        confusions[(kind, listening, relation(truth, beat))] += 1
                tallies = [(listening, tally), (f"tonic triad ({listening}'s key)", floor)]
                if listening == "soprano":
                    tallies.append(("beginner's triad (soprano's key)", beginner))
                for label, t in tallies:
                    totals.setdefault((kind, label), Tally()).merge(t)
                    per_piece[label] = t.rates()
            if verbose:
                if sum(counted.values()) == 1:
                    print("per piece, root/tones/exact: jam whole, the tonic triad (whole's key), jam soprano; the share of the")
                    print("analyst's basses that are the score's lowest note, and the transposition of the analysis found")
                figures = "  ".join(
                    f"{r['root']:.2f}/{r['tones']:.2f}/{r['exact']:.2f}"
                    for r in (per_piece["whole"], per_piece["tonic triad (whole's key)"], per_piece["soprano"])
                )
                extra = f", transposed {prepared['transposition']}" if prepared["transposition"] else ""
                print(f"  {name:14} {len(whole):3} beats  {figures}  (aligned {prepared['alignment']:.2f}{extra})")
            if name == show:
                shown = (name, whole, soprano)

    if verbose and shown:
        name, whole, soprano = shown
        print(f"\n{name} beat by beat (score offset in quarters; the analyst's figure, key and tones; jam's chord whole and soprano):")
        for (beat, truth, start), (alone, _, _) in zip(whole, soprano):
            tones = " ".join(truth["spelt"])
            marks = ("" if beat["root"] == truth["root"] else "  ≠whole") + ("" if alone["root"] == truth["root"] else "  ≠soprano")
            print(f"  {beat['bar']:3}.{beat['beat']}  q{start:6.2f}  {truth['figure']:10} {truth['key']:9} [{tones:14}] "
                  f"jam {beat['chord']:7} soprano {alone['chord']:7}{marks}")
    if verbose:
        for kind in ("bach", "monteverdi"):
            for listening in ("whole", "soprano"):
                common = [(k[2], n) for k, n in confusions.most_common() if k[0] == kind and k[1] == listening][:6]
                if common:
                    print(f"\ncommonest root disagreements, {kind}, {listening}:")
                    for words, n in common:
                        print(f"  {n:4}  {words}")
        print()

    failed = False
    for kind, title in (("bach", "Bach chorales"), ("monteverdi", "Monteverdi madrigals")):
        if not counted[kind]:
            continue
        print(f"jam analyze's chords against the analysts', {counted[kind]} {title} (music21 corpus), per beat:")
        print(f"  {'listening':34} {'beats':>6} {'root':>6} {'tones':>6} {'exact':>6}   floors")
        for listening in listenings:
            tally = totals.get((kind, listening))
            if tally is None:
                continue
            rates = tally.rates()
            line = f"  {listening:34} {tally.beats:6}"
            notes, floors = [], []
            for measure in ("root", "tones", "exact"):
                line += f" {rates[measure]:6.3f}"
                floor = FLOORS.get((kind, listening, measure))
                if floor is not None:
                    floors.append(f"{floor:.2f}")
                    if rates[measure] < floor:
                        notes.append(f"{measure} under its floor")
                        failed = True
            if floors:
                line += "   " + "/".join(floors)
            print(line + ("  FAIL: " + "; ".join(notes) if notes else ""))
    if left_out:
        print(f"left out (the analysis does not line up with the score): {', '.join(left_out)}")
    if not counted["bach"]:
        print("FAIL: no chorale's analysis lined up with its score")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
