#!/usr/bin/env python3
"""An outside judge of the bandmate's key: music21's key analyses of exported MIDI.

    swift run -c release jam-bench-band --seed S --runs 1 --export DIR
    python3 Tools/judge_band_keys.py DIR

For every piece jam-bench-band played and exported (the humans' parts and the band's), music21 finds the
key of the whole file, of the humans' parts alone and of the band's parts alone (tracks named "AI ..."),
and the script counts how often each is the piece's true key. Two of music21's analyses judge:
analyze("key"), its default (Aarden-Essen profiles in music21 10), and analyze("Krumhansl")
(Krumhansl-Kessler profiles). A bandmate that plays in the key makes the whole easier to read than the
humans alone; one that plays in the wrong key, harder.
"""
import csv
import os
import sys
from collections import defaultdict

import music21

METHODS = ("key", "Krumhansl")


def key_of(parts, method):
    """(tonic pitch class, mode) that music21's `method` hears in these parts, or None when they hold no pitch."""
    score = music21.stream.Score()
    for part in parts:
        score.insert(0, part)
    if not any(n.pitches for n in score.recurse().notes):
        return None
    key = score.analyze(method)
    return key.tonic.pitchClass, key.mode


def judge(directory):
    with open(os.path.join(directory, "pieces.tsv")) as f:
        pieces = list(csv.DictReader(f, delimiter="\t"))
    if not pieces:
        sys.exit(f"no pieces listed in {directory}/pieces.tsv")
    hits = defaultdict(lambda: [0, 0])
    own = 0
    for row in pieces:
        truth = (int(row["tonic"]), row["mode"])
        heard = (int(row["heard_tonic"]), row["heard_mode"])
        own += heard == truth
        score = music21.converter.parse(os.path.join(directory, f"piece-{row['piece']}.mid"))
        parts = list(score.parts)
        band = [p for p in parts if (p.partName or "").startswith("AI ")]
        humans = [p for p in parts if not (p.partName or "").startswith("AI ")]
        if not band:
            sys.exit(f"piece {row['piece']}: no track named 'AI ...' in the MIDI file")
        for method in METHODS:
            results = {"whole": key_of(parts, method), "humans": key_of(humans, method), "band": key_of(band, method)}
            for name, found in results.items():
                for group in ("all", row["texture"], "band heard the key" if heard == truth else "band heard another key"):
                    hits[(method, group, name)][0] += found == truth
                    hits[(method, group, name)][1] += 1
    print(f"{len(pieces)} pieces; the bandmate's own reading of the key is right for {100 * own / len(pieces):.1f}%")
    for method in METHODS:
        print(f"music21 {music21.__version__} analyze({method!r}) of the exported MIDI = the true key:")
        groups = []
        for m, group, _ in hits:
            if m == method and group not in groups:
                groups.append(group)
        for group in groups:
            cells = [f"{name} {100 * h / n:5.1f}%" for (m, g, name), (h, n) in hits.items() if m == method and g == group]
            count = hits[(method, group, "whole")][1]
            print(f"  {group + f' ({count})':30} " + "   ".join(cells))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    judge(sys.argv[1])
