#!/usr/bin/env python3
"""Writes Protocol/vectors/*.json from hand-listed cases, with results computed by reference.py.

Every transform case is checked for TP1 (apply(apply(S,a),b') == apply(apply(S,b),a'), compared as
canonical JSON), for both operations being valid on S, and for the result not depending on which side
is split first; cases that state an expectation by hand (ties, conventions TP1 cannot see) are checked
against it; error cases state the expected code by hand. Nothing is written if any check fails.

    python3 Tools/vectors/make_vectors.py
"""

import copy
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Protocol", "vectors")

# ---------------------------------------------------------------------------------------------
# Building blocks


def note(nid, tick, duration, pitch, velocity=100):
    return {"id": nid, "tick": tick, "duration": duration, "pitch": pitch, "velocity": velocity}


def track(tid, name, instrument, channel, notes=(), volume=100, pan=0, mute=False, solo=False, owner=None):
    return {"id": tid, "name": name, "instrument": instrument, "channel": channel, "volume": volume,
            "pan": pan, "mute": mute, "solo": solo, "owner": owner if owner is not None else tid.split(".")[0],
            "notes": [copy.deepcopy(n) for n in notes]}


def document(tracks, title="Tuesday jam", tempo=120, meter=(4, 4), key=("D", "minor"), loopBars=8, ppq=480):
    return {"title": title, "tempo": tempo, "meter": {"numerator": meter[0], "denominator": meter[1]},
            "key": None if key is None else {"tonic": key[0], "mode": key[1]}, "loopBars": loopBars,
            "ppq": ppq, "tracks": [copy.deepcopy(t) for t in tracks]}


A, B, C = "c1.t1", "c2.t1", "c3.t1"
BASS = track(A, "Bass", 33, 0, [note("c1.n1", 0, 480, 38, 96), note("c1.n2", 960, 480, 41, 90),
                                note("c1.n3", 1920, 240, 43)])
DRUMS = track(B, "Drums", "drums", 9, [note("c2.n1", 0, 120, 36, 110), note("c2.n2", 480, 120, 38),
                                       note("c2.n3", 1440, 120, 42, 80)])
KEYS = track(C, "Keys", 0, 2, [note("c3.n1", 960, 960, 60, 80)], pan=-20)
LEAD = track("c4.t1", "Lead", 81, 3, [note("c4.n1", 480, 240, 72), note("c4.n2", 1200, 240, 74)])
LEAD_B = track("c4.t1", "Lead (take 2)", 81, 3, [note("c4.n1", 0, 480, 76)])
PAD = track("c5.t1", "Pad", 89, 4)
D1 = document([BASS])
D2 = document([BASS, DRUMS])
D3 = document([BASS, DRUMS, KEYS])
D4 = document([BASS, DRUMS, KEYS, PAD])

X1 = note("c9.n1", 600, 240, 50)       # new notes made by a client c9
X2 = note("c9.n1", 600, 480, 52, 70)   # same id as X1, other content
X3 = note("c9.n2", 1200, 120, 55)


def _track_of(doc, tid):
    for i, t in enumerate(doc["tracks"]):
        if t["id"] == tid:
            return i, t
    raise KeyError(tid)


def _note_of(doc, tid, nid):
    for n in _track_of(doc, tid)[1]["notes"]:
        if n["id"] == nid:
            return n
    raise KeyError(nid)


# component builders; the `doc` ones copy what they carry (old values, removed content) from doc
def ta(i, t):
    return {"type": "track.add", "index": i, "track": copy.deepcopy(t)}


def tr(doc, i):
    return {"type": "track.remove", "index": i, "track": copy.deepcopy(doc["tracks"][i])}


def tm(doc, tid, to):
    return {"type": "track.move", "track": tid, "from": _track_of(doc, tid)[0], "to": to}


def ts(doc, tid, field, value):
    return {"type": "track.set", "track": tid, "field": field, "value": value,
            "old": copy.deepcopy(_track_of(doc, tid)[1][field])}


def na(tid, n):
    return {"type": "note.add", "track": tid, "note": copy.deepcopy(n)}


def nr(doc, tid, nid):
    return {"type": "note.remove", "track": tid, "note": copy.deepcopy(_note_of(doc, tid, nid))}


def ns(doc, tid, nid, field, value):
    return {"type": "note.set", "track": tid, "note": nid, "field": field, "value": value,
            "old": _note_of(doc, tid, nid)[field]}


def ti(at, span):
    return {"type": "time.insert", "at": at, "span": span}


def td(doc, at, span):
    removed = [{"track": t["id"], "note": copy.deepcopy(n)} for t in doc["tracks"] for n in t["notes"]
               if at <= n["tick"] < at + span]
    return {"type": "time.remove", "at": at, "span": span, "removed": sorted(removed, key=R.removed_sort_key)}


def ss(doc, field, value):
    return {"type": "session.set", "field": field, "value": value, "old": copy.deepcopy(doc[field])}


def after(doc, *components):
    return R.apply(doc, list(components))


def with_(d, **kw):
    d = copy.deepcopy(d)
    d.update(kw)
    return d


# ---------------------------------------------------------------------------------------------
# Transform cases

TRANSFORM = []


def T(name, why, doc, a, b, a_wins=True, expect=None, mirror=None):
    """One case; `a`/`b` may be single components. mirror (default: when the kinds differ) also adds
    the case with a and b swapped and aWins flipped, so the same side wins."""
    a = a if isinstance(a, list) else [a]
    b = b if isinstance(b, list) else [b]
    TRANSFORM.append({"name": name, "why": why, "doc": doc, "a": a, "b": b, "aWins": a_wins, "expect": expect})
    if mirror is None:
        mirror = not (len(a) == 1 and len(b) == 1 and a[0]["type"] == b[0]["type"])
    if mirror:
        exp = None
        if expect:
            exp = {"aPrime": expect["bPrime"], "bPrime": expect["aPrime"]}
        TRANSFORM.append({"name": name + " [mirrored]", "why": why + " (operands swapped)", "doc": doc,
                          "a": b, "b": a, "aWins": not a_wins, "expect": exp})


def E(a_prime, b_prime):
    return {"aPrime": a_prime, "bPrime": b_prime}


# --- track.add ----------------------------------------------------------------------------------
T("track.add vs track.add, a's index lower", "two adds of other ids: i < j keeps i, the other goes to j+1",
  D2, ta(0, LEAD), ta(2, PAD), expect=E([ta(0, LEAD)], [ta(3, PAD)]))
T("track.add vs track.add, same index, a wins", "two adds at the same index: the winner keeps i and stands first",
  D2, ta(1, LEAD), ta(1, PAD), True, expect=E([ta(1, LEAD)], [ta(2, PAD)]))
T("track.add vs track.add, same index, b wins", "two adds at the same index: the winner keeps i and stands first",
  D2, ta(1, LEAD), ta(1, PAD), False, expect=E([ta(2, LEAD)], [ta(1, PAD)]))
T("track.add vs track.add, a's index higher", "two adds of other ids: i > j becomes i+1",
  D2, ta(2, LEAD), ta(0, PAD), expect=E([ta(3, LEAD)], [ta(0, PAD)]))
T("track.add vs track.add, same id, same content, same index", "same-id adds with T = U and i = j: both become nothing",
  D2, ta(1, LEAD), ta(1, LEAD), True, expect=E([], []))
T("track.add vs track.add, same id, other content, a wins", "same-id adds: the winner removes the loser's track and adds its own",
  D2, ta(0, LEAD), ta(2, LEAD_B), True, expect=E([{"type": "track.remove", "index": 2, "track": LEAD_B}, ta(0, LEAD)], []))
T("track.add vs track.add, same id, other content, b wins", "same-id adds: the loser becomes nothing, the winner replaces",
  D2, ta(0, LEAD), ta(2, LEAD_B), False, expect=E([], [{"type": "track.remove", "index": 0, "track": LEAD}, ta(2, LEAD_B)]))
T("track.add vs track.add, same id, same content, other index", "same-id adds with T = U but i != j: the winner's index stands",
  D2, ta(0, LEAD), ta(2, LEAD), True, expect=E([{"type": "track.remove", "index": 2, "track": LEAD}, ta(0, LEAD)], []))
T("track.add vs track.add, same id, same index, other content", "same-id adds with i = j but T != U: remove and re-add the winner's",
  D1, ta(1, LEAD_B), ta(1, LEAD), True)

T("track.add before a removed track", "track.add i vs track.remove j, i < j: the add keeps i, the remove becomes j+1",
  D3, ta(0, LEAD), tr(D3, 1), expect=E([ta(0, LEAD)], [tr(D3, 1) | {"index": 2}]))
T("track.add at the removed track's index", "track.add i vs track.remove j, i = j: add keeps i, remove becomes j+1",
  D3, ta(1, LEAD), tr(D3, 1), expect=E([ta(1, LEAD)], [tr(D3, 1) | {"index": 2}]))
T("track.add after a removed track", "track.add i vs track.remove j, i > j: the add becomes i-1",
  D3, ta(3, LEAD), tr(D3, 0), expect=E([ta(2, LEAD)], [tr(D3, 0)]))
T("track.add at the end vs removing the last track", "track.add i vs track.remove j with i = count, j = count-1",
  D2, ta(2, PAD), tr(D2, 1))

T("track.add before both ends of a move", "track.add vs track.move: i before f and t shifts the move by one",
  D3, ta(0, LEAD), tm(D3, C, 1))
T("track.add after both ends of a move", "track.add vs track.move: i after f and t keeps everything",
  D3, ta(3, LEAD), tm(D3, A, 1))
T("track.add at the moved track's old index", "track.add vs track.move with i = f: f' = f+1 (f >= i)",
  D3, ta(1, LEAD), tm(D3, B, 2), expect=E([ta(1, LEAD)], [tm(D3, B, 2) | {"from": 2, "to": 3}]))
T("track.add where a track is moved to (tie)", "track.add vs track.move with i1 = t: at a tie the new track goes before the moved one",
  D3, ta(2, LEAD), tm(D3, A, 1), expect=E([ta(1, LEAD)], [tm(D3, A, 1) | {"from": 0, "to": 2}]))
T("track.add at the front while a track moves to the front (tie)", "track.add vs track.move backward, tie at 0: new track first",
  D3, ta(0, LEAD), tm(D3, C, 0), expect=E([ta(0, LEAD)], [tm(D3, C, 0) | {"from": 3, "to": 1}]))
T("track.add between the ends of a move", "track.add vs track.move forward across the insertion point",
  D3, ta(2, LEAD), tm(D3, A, 2), expect=E([ta(1, LEAD)], [tm(D3, A, 2) | {"from": 0, "to": 3}]))

T("track.add vs track.set", "track.add commutes with a set on another track", D2, ta(1, LEAD), ts(D2, A, "name", "Bass 2"))
T("track.add vs note.add", "track.add commutes with note edits of other tracks", D2, ta(0, LEAD), na(B, X1))
T("track.add vs note.remove", "track.add commutes with note edits of other tracks", D2, ta(2, LEAD), nr(D2, A, "c1.n2"))
T("track.add vs note.set", "track.add commutes with note edits of other tracks", D3, ta(1, LEAD), ns(D3, C, "c3.n1", "velocity", 100))
T("track.add vs time.insert", "time.insert vs track.add: the added track's notes at or after a shift (480 is exactly a)",
  D2, ta(1, LEAD), ti(480, 1920))
T("track.add vs time.insert after its notes", "time.insert vs track.add: notes before a keep their ticks",
  D2, ta(1, LEAD), ti(1440, 480))
T("track.add vs time.remove over one of its notes", "time.remove vs track.add: T's notes inside stay at the seam (lifted past the span first), others shift",
  D2, ta(1, LEAD), td(D2, 960, 960))
T("track.add vs time.remove before its notes", "time.remove vs track.add: notes after the span shift earlier, R unchanged",
  D2, ta(0, LEAD), td(D2, 0, 240))
T("track.add vs session.set", "session.set commutes with everything but a set of its field", D2, ta(0, LEAD), ss(D2, "tempo", 96.5))

# --- track.remove ---------------------------------------------------------------------------
T("track.remove vs track.remove, a lower", "two removals of other tracks: the higher index drops by one",
  D3, tr(D3, 0), tr(D3, 2), expect=E([tr(D3, 0)], [tr(D3, 2) | {"index": 1}]))
T("track.remove vs track.remove, a higher", "two removals of other tracks: the higher index drops by one",
  D3, tr(D3, 2), tr(D3, 1))
T("track.remove vs track.remove, adjacent", "two removals of neighbouring tracks", D2, tr(D2, 1), tr(D2, 0))
T("track.remove vs track.remove, same track", "two removals of one track: both become nothing",
  D3, tr(D3, 1), tr(D3, 1), expect=E([], []))

T("track.remove before a moved track", "track.remove d vs track.move of another track, d before f and t",
  D3, tr(D3, 0), tm(D3, C, 1), expect=E([tr(D3, 0)], [tm(D3, C, 1) | {"from": 1, "to": 0}]))
T("track.remove after a moved track", "track.remove d vs track.move, d1 >= t: d' = d1+1",
  D3, tr(D3, 2), tm(D3, A, 1), expect=E([tr(D3, 2)], [tm(D3, A, 1)]))
T("track.remove of the track a move jumps over", "track.remove d vs track.move across d: both indices adjust",
  D3, tr(D3, 1), tm(D3, A, 2), expect=E([tr(D3, 1) | {"index": 0}], [tm(D3, A, 2) | {"to": 1}]))
T("track.remove vs a move of the same track", "track.remove d T vs track.move of T: remove at t, the move becomes nothing",
  D3, tr(D3, 1), tm(D3, B, 2), expect=E([tr(D3, 1) | {"index": 2}], []))
T("track.remove vs a move of the same track to the front", "track.remove vs track.move of the same track, backward",
  D3, tr(D3, 2), tm(D3, C, 0), False, expect=E([tr(D3, 2) | {"index": 0}], []))

T("track removed while renamed", "track.set vs track.remove of its track: set becomes nothing, remove carries the new name",
  D2, tr(D2, 0), ts(D2, A, "name", "Bass 2"),
  expect=E([{"type": "track.remove", "index": 0, "track": with_(BASS, name="Bass 2")}], []))
T("track removed while another track is muted", "track.set of another track commutes with track.remove",
  D2, tr(D2, 0), ts(D2, B, "mute", True))
T("track removed while a note is added to it", "note.add vs track.remove of its track: remove carries T plus the note",
  D2, tr(D2, 1), na(B, X1))
T("track removed while a note is added to another track", "note.add to another track commutes with track.remove",
  D2, tr(D2, 1), na(A, X1))
T("track removed while a note is removed from it", "note.remove vs track.remove of its track: remove carries T without it",
  D2, tr(D2, 0), nr(D2, A, "c1.n1"))
T("track removed while one of its notes is changed", "note.set vs track.remove of its track: remove carries the set note",
  D3, tr(D3, 2), ns(D3, C, "c3.n1", "pitch", 64), False)
T("track removed while a note of another track is changed", "note.set on another track commutes with track.remove",
  D3, tr(D3, 2), ns(D3, A, "c1.n1", "tick", 240))
T("track.remove vs time.insert", "time.insert vs track.remove: the removal carries T with its notes shifted",
  D2, tr(D2, 0), ti(960, 480))
T("track.remove vs time.remove", "time.remove vs track.remove: T loses its notes inside and shifts the rest; R drops T's notes",
  D3, tr(D3, 0), td(D3, 960, 960))
T("track.remove of a track with no notes in the removed span", "time.remove vs track.remove where T has nothing inside",
  D3, tr(D3, 2), td(D3, 0, 480))
T("track.remove vs session.set", "session.set commutes with track.remove", D2, tr(D2, 1), ss(D2, "title", "Wednesday jam"))

# --- track.move -----------------------------------------------------------------------------
T("move vs move, crossing", "two moves of other tracks: targets become gaps of R, each side moves to the final index",
  D3, tm(D3, A, 2), tm(D3, C, 0))
T("move vs move, equal gaps, a wins", "two moves of other tracks with gx = gy: the winner comes first",
  D3, tm(D3, A, 2), tm(D3, B, 2), True, expect=E([tm(D3, A, 1)], [tm(D3, A, 0) | {"track": B, "to": 2}]))
T("move vs move, equal gaps, b wins", "two moves of other tracks with gx = gy: the winner comes first",
  D3, tm(D3, A, 2), tm(D3, B, 2), False, expect=E([tm(D3, A, 2)], [tm(D3, A, 0) | {"track": B, "to": 1}]))
T("move vs move, swap of neighbours, a wins", "two moves of other tracks both targeting gap 0: winner first",
  D3, tm(D3, A, 1), tm(D3, B, 0), True)
T("move vs move, swap of neighbours, b wins", "two moves of other tracks both targeting gap 0: winner first",
  D3, tm(D3, A, 1), tm(D3, B, 0), False)
T("move vs move, ends swapped in four tracks", "two moves of other tracks, first to last and last to first",
  D4, tm(D4, A, 3), tm(D4, PAD["id"], 0))
T("move vs move, disjoint", "two moves of other tracks that do not interact", D4, tm(D4, A, 1), tm(D4, C, 3))
T("move vs move, same track, a wins", "two moves of one track: the winner's target, x' = move t2 -> t1",
  D3, tm(D3, A, 2), tm(D3, A, 1), True, expect=E([tm(D3, A, 2) | {"from": 1}], []))
T("move vs move, same track, b wins", "two moves of one track: the loser becomes nothing",
  D3, tm(D3, A, 2), tm(D3, A, 1), False, expect=E([], [tm(D3, A, 1) | {"from": 2}]))
T("move vs move, same track, same target", "two identical moves: the winner's move t2 -> t1 is kept even when t2 = t1",
  D3, tm(D3, B, 0), tm(D3, B, 0), True, expect=E([tm(D3, B, 0) | {"from": 0}], []))
T("track.move vs track.set", "track.move commutes with sets", D3, tm(D3, A, 2), ts(D3, A, "volume", 80))
T("track.move vs note.add", "note edits and track.move leave each other unchanged", D2, tm(D2, B, 0), na(B, X1))
T("track.move vs note.remove", "note edits and track.move leave each other unchanged", D2, tm(D2, A, 1), nr(D2, A, "c1.n3"))
T("track.move vs note.set", "note edits and track.move leave each other unchanged", D2, tm(D2, A, 1), ns(D2, A, "c1.n2", "duration", 240))
T("track.move vs time.insert", "time operations commute with track.move", D2, tm(D2, A, 1), ti(0, 1920))
T("track.move vs time.remove", "time operations commute with track.move", D2, tm(D2, B, 0), td(D2, 480, 480))
T("track.move vs session.set", "session.set commutes with track.move", D2, tm(D2, B, 0), ss(D2, "loopBars", 16))

# --- track.set ------------------------------------------------------------------------------
T("track.set vs track.set, same field, a wins", "two sets of one field: the winner's value stands, old = the loser's value",
  D2, ts(D2, A, "name", "Bass 2"), ts(D2, A, "name", "Low end"), True,
  expect=E([{"type": "track.set", "track": A, "field": "name", "value": "Bass 2", "old": "Low end"}], []))
T("track.set vs track.set, same field, b wins", "two sets of one field: the loser becomes nothing",
  D2, ts(D2, A, "name", "Bass 2"), ts(D2, A, "name", "Low end"), False,
  expect=E([], [{"type": "track.set", "track": A, "field": "name", "value": "Low end", "old": "Bass 2"}]))
T("track.set vs track.set, instrument to drums vs program, b wins", "the set rule with values of different JSON types",
  D2, ts(D2, A, "instrument", "drums"), ts(D2, A, "instrument", 34), False)
T("track.set vs track.set, same value, a wins", "the set rule when both set the same value: winner's set with old = value",
  D2, ts(D2, B, "volume", 80), ts(D2, B, "volume", 80), True)
T("track.set vs track.set, other fields", "sets of other fields commute", D2, ts(D2, A, "mute", True), ts(D2, A, "solo", True))
T("track.set vs track.set, other tracks", "sets of other tracks commute", D2, ts(D2, A, "pan", -64), ts(D2, B, "pan", 63))
T("track.set vs note.add", "track.set commutes with note edits", D2, ts(D2, A, "volume", 90), na(A, X1))
T("track.set vs note.remove", "track.set commutes with note edits", D2, ts(D2, A, "owner", "c2"), nr(D2, A, "c1.n1"))
T("track.set vs note.set", "track.set commutes with note edits", D2, ts(D2, B, "channel", 10), ns(D2, B, "c2.n2", "velocity", 127))
T("track.set vs time.insert", "time operations commute with track.set", D2, ts(D2, A, "name", "Bass 2"), ti(0, 480))
T("track.set vs time.remove", "time operations commute with track.set", D2, ts(D2, A, "name", "Bass 2"), td(D2, 0, 960))
T("track.set vs session.set", "session.set commutes with track.set", D2, ts(D2, A, "name", "Bass 2"), ss(D2, "title", "Bass 2"))

# --- note.add -------------------------------------------------------------------------------
T("note.add vs note.add, same id, other content, a wins", "same-id note adds: the winner removes the loser's note and adds its own",
  D1, na(A, X1), na(A, X2), True, expect=E([{"type": "note.remove", "track": A, "note": X2}, na(A, X1)], []))
T("note.add vs note.add, same id, other content, b wins", "same-id note adds: the loser becomes nothing",
  D1, na(A, X1), na(A, X2), False, expect=E([], [{"type": "note.remove", "track": A, "note": X1}, na(A, X2)]))
T("note.add vs note.add, same id, same content", "same-id note adds with N = M: both become nothing",
  D1, na(A, X1), na(A, X1), True, expect=E([], []))
T("note.add vs note.add, other ids", "adds of different notes commute", D1, na(A, X1), na(A, X3))
T("note.add vs note.add, same id in other tracks", "a note is named by its track and id: other tracks commute",
  D2, na(A, X1), na(B, X2))
T("note.add vs note.remove", "different notes commute", D1, na(A, X1), nr(D1, A, "c1.n2"))
T("note.add vs note.set", "different notes commute", D1, na(A, X1), ns(D1, A, "c1.n1", "tick", 600))
T("note.add before a time.insert", "time.insert vs note.add with tick < a: unchanged",
  D1, na(A, X1), ti(960, 480), expect=E([na(A, X1)], [ti(960, 480)]))
T("note.add exactly at a time.insert", "time.insert vs note.add with tick = a: the note moves later",
  D1, na(A, X1), ti(600, 480), expect=E([na(A, with_(X1, tick=1080))], [ti(600, 480)]))
T("note.add after a time.insert", "time.insert vs note.add with tick > a: shifted by s", D1, na(A, X1), ti(0, 1920))
T("note.add inside a removed span", "time.remove vs note.add inside: the remover never saw it, so it is kept at the seam",
  D2, na(A, X1), td(D2, 480, 480), expect=E([na(A, with_(X1, tick=480))], [
      {"type": "note.set", "track": A, "note": X1["id"], "field": "tick", "value": 960, "old": X1["tick"]},
      td(D2, 480, 480)]))
T("note.add at the start of a removed span", "time.remove vs note.add at tick = a: inside",
  D2, na(B, X1), td(D2, 600, 300))
T("note.add at the end of a removed span", "time.remove vs note.add at tick = a+s: outside, shifted to a",
  D2, na(A, X1), td(D2, 300, 300), expect=E([na(A, with_(X1, tick=300))], [td(D2, 300, 300)]))
T("note.add before a removed span", "time.remove vs note.add before the span: unchanged", D2, na(A, X1), td(D2, 960, 960))
T("note.add after a removed span", "time.remove vs note.add after the span: tick shifted earlier", D2, na(A, X3), td(D2, 0, 480))
T("note.add vs session.set", "session.set commutes with note.add", D1, na(A, X1), ss(D1, "meter", {"numerator": 7, "denominator": 8}))

# --- note.remove ----------------------------------------------------------------------------
T("note.remove vs note.remove, same note", "two removals of one note: both become nothing",
  D1, nr(D1, A, "c1.n2"), nr(D1, A, "c1.n2"), expect=E([], []))
T("note.remove vs note.remove, other notes", "removals of different notes commute", D2, nr(D2, A, "c1.n2"), nr(D2, B, "c2.n2"))
T("note.remove vs note.set of the same note", "note.set vs note.remove of its note: remove carries the set note",
  D1, nr(D1, A, "c1.n2"), ns(D1, A, "c1.n2", "velocity", 127),
  expect=E([{"type": "note.remove", "track": A, "note": note("c1.n2", 960, 480, 41, 127)}], []))
T("note.remove vs note.set of the same note's tick", "note.set of tick vs note.remove: remove carries the new tick",
  D1, nr(D1, A, "c1.n2"), ns(D1, A, "c1.n2", "tick", 0), False)
T("note.remove vs note.set of another note", "different notes commute", D1, nr(D1, A, "c1.n2"), ns(D1, A, "c1.n1", "pitch", 40))
T("note.remove after a time.insert", "time.insert vs note.remove with tick >= a: carries the shifted note",
  D1, nr(D1, A, "c1.n2"), ti(960, 960), expect=E([{"type": "note.remove", "track": A, "note": note("c1.n2", 1920, 480, 41, 90)}],
                                                 [ti(960, 960)]))
T("note.remove before a time.insert", "time.insert vs note.remove with tick < a: unchanged", D1, nr(D1, A, "c1.n1"), ti(960, 960))
T("note.remove inside a removed span", "time.remove vs note.remove inside: nothing, R loses the note",
  D2, nr(D2, A, "c1.n2"), td(D2, 960, 960))
T("note.remove after a removed span", "time.remove vs note.remove outside: carries the note with tick shifted",
  D2, nr(D2, A, "c1.n3"), td(D2, 960, 480))
T("note.remove vs session.set", "session.set commutes with note.remove", D1, nr(D1, A, "c1.n3"), ss(D1, "key", None))

# --- note.set -------------------------------------------------------------------------------
T("note.set vs note.set, same field, a wins", "two sets of one note field: the winner's value stands",
  D1, ns(D1, A, "c1.n1", "pitch", 40), ns(D1, A, "c1.n1", "pitch", 36), True,
  expect=E([{"type": "note.set", "track": A, "note": "c1.n1", "field": "pitch", "value": 40, "old": 36}], []))
T("note.set vs note.set, same field, b wins", "two sets of one note field: the loser becomes nothing",
  D1, ns(D1, A, "c1.n1", "pitch", 40), ns(D1, A, "c1.n1", "pitch", 36), False)
T("note.set vs note.set, both drag the same note, b wins", "two tick sets of one note: the winner's tick stands",
  D1, ns(D1, A, "c1.n2", "tick", 1200), ns(D1, A, "c1.n2", "tick", 720), False)
T("note.set vs note.set, other fields", "sets of other fields of one note commute",
  D1, ns(D1, A, "c1.n1", "tick", 240), ns(D1, A, "c1.n1", "duration", 960))
T("note.set vs note.set, other notes", "sets of different notes commute",
  D2, ns(D2, A, "c1.n1", "velocity", 1), ns(D2, B, "c2.n1", "velocity", 1))
T("note.set of tick across a time.insert", "time.insert vs note.set of tick: value and old both shifted (old >= a only)",
  D1, ns(D1, A, "c1.n2", "tick", 240), ti(480, 480),
  expect=E([ns(D1, A, "c1.n2", "tick", 240) | {"old": 1440}], [ti(480, 480)]))
T("note.set of tick, both after a time.insert", "time.insert vs note.set of tick: both shifted",
  D1, ns(D1, A, "c1.n1", "tick", 1200), ti(0, 480))
T("note.set of tick from exactly the insert point", "time.insert vs note.set of tick with old = a: old moves later",
  D1, ns(D1, A, "c1.n2", "tick", 720), ti(960, 240))
T("note.set of velocity vs time.insert", "time.insert vs note.set of another field: unchanged",
  D1, ns(D1, A, "c1.n3", "velocity", 64), ti(0, 480))
T("note.set of pitch, note inside a removed span", "time.remove vs note.set of another field, note inside: nothing, R takes the value",
  D2, ns(D2, B, "c2.n3", "pitch", 46), td(D2, 960, 960))
T("note.set of pitch, note outside a removed span", "time.remove vs note.set of another field, outside: unchanged",
  D2, ns(D2, B, "c2.n1", "pitch", 35), td(D2, 960, 960))
T("note.set of tick within a removed span", "time.remove vs note.set of tick, o and v inside: nothing, R takes tick v",
  D2, ns(D2, A, "c1.n2", "tick", 1200), td(D2, 960, 960))
T("note dragged out of a removed span", "time.remove vs note.set of tick, o inside, v outside: note.add at shift_r(v), R loses it",
  D2, ns(D2, A, "c1.n2", "tick", 2400), td(D2, 960, 960),
  expect=E([na(A, note("c1.n2", 1440, 480, 41, 90))],
           [with_(td(D2, 960, 960), removed=[{"track": B, "note": note("c2.n3", 1440, 120, 42, 80)}])]))
T("note dragged out of a removed span to before it", "time.remove vs note.set of tick, o inside, v before the span",
  D2, ns(D2, B, "c2.n3", "tick", 240), td(D2, 960, 960))
T("note dragged into a removed span", "time.remove vs note.set of tick, o outside, v inside: kept at the seam (tick = a)",
  D2, ns(D2, A, "c1.n3", "tick", 1000), td(D2, 960, 960),
  expect=E([{"type": "note.set", "track": A, "note": "c1.n3", "field": "tick", "value": 960, "old": 960}],
           [{"type": "note.set", "track": A, "note": "c1.n3", "field": "tick", "value": 1920, "old": 1000},
            td(D2, 960, 960)]))
T("note dragged from before into a removed span", "time.remove vs note.set of tick, o before the span, v inside",
  D2, ns(D2, B, "c2.n2", "tick", 1500), td(D2, 960, 960))
T("note dragged across a removed span", "time.remove vs note.set of tick, o before and v after the span: both shift_r-ed",
  D2, ns(D2, B, "c2.n2", "tick", 2400), td(D2, 960, 960))
T("note.set vs session.set", "session.set commutes with note.set", D1, ns(D1, A, "c1.n1", "duration", 1), ss(D1, "tempo", 140))

# --- time.insert ----------------------------------------------------------------------------
T("time.insert vs time.insert, a earlier", "two inserts, a2 < a: the earlier keeps its place, the later moves by s2",
  D2, ti(480, 480), ti(960, 240), expect=E([ti(480, 480)], [ti(1440, 240)]))
T("time.insert vs time.insert, same point, a wins", "two inserts at one point: the winner's time comes first",
  D2, ti(960, 480), ti(960, 240), True, expect=E([ti(960, 480)], [ti(1440, 240)]))
T("time.insert vs time.insert, same point, b wins", "two inserts at one point: the winner's time comes first",
  D2, ti(960, 480), ti(960, 240), False, expect=E([ti(1200, 480)], [ti(960, 240)]))
T("time.insert vs time.insert, a later", "two inserts, a2 > a: the later moves by the other's span", D2, ti(1920, 1920), ti(0, 480))
T("time.insert before a removed span", "time.insert vs time.remove, a < a2: the removal moves later, R shifted",
  D2, ti(480, 240), td(D2, 960, 960), expect=E([ti(480, 240)], [with_(td(D2, 960, 960), at=1200, removed=[
      {"track": A, "note": note("c1.n2", 1200, 480, 41, 90)}, {"track": B, "note": note("c2.n3", 1680, 120, 42, 80)}])]))
T("time.insert at the start of a removed span", "time.insert vs time.remove, a = a2: counts as before, the removal moves later",
  D2, ti(960, 480), td(D2, 960, 960))
T("time.insert inside a removed span", "time.insert vs time.remove, inside: the insert becomes nothing, the removal swallows it",
  D2, ti(1200, 480), td(D2, 960, 960), expect=E([], [with_(td(D2, 960, 960), span=1440, removed=[
      {"track": A, "note": note("c1.n2", 960, 480, 41, 90)}, {"track": B, "note": note("c2.n3", 1920, 120, 42, 80)}])]))
T("time.insert at the end of a removed span", "time.insert vs time.remove, a = a2+s2: unchanged removal, insert at a-s2",
  D2, ti(1920, 480), td(D2, 960, 960), expect=E([ti(960, 480)], [td(D2, 960, 960)]))
T("time.insert after a removed span", "time.insert vs time.remove, a > a2+s2: insert moves to a-s2", D2, ti(2400, 960), td(D2, 0, 960))
T("time.insert vs session.set", "insert a bar (time.insert) commutes with a loopBars set", D2, ti(1920, 1920), ss(D2, "loopBars", 9))

# --- time.remove ----------------------------------------------------------------------------
T("time.remove vs time.remove, disjoint, a earlier", "two removals: the later one is mapped by m to t-s",
  D2, td(D2, 0, 480), td(D2, 960, 960))
T("time.remove vs time.remove, adjacent", "two removals touching at a point: each keeps its own notes",
  D2, td(D2, 480, 480), td(D2, 960, 480))
T("time.remove vs time.remove, overlapping", "overlapping removals: each removes what the other did not; R2 keeps notes outside y",
  D3, td(D3, 480, 960), td(D3, 960, 960))
T("time.remove vs time.remove, nested", "a removal inside another becomes nothing; the outer one loses the inner's notes",
  D3, td(D3, 0, 1920), td(D3, 480, 600), expect=E([with_(td(D3, 0, 1920), span=1320, removed=[
      {"track": A, "note": note("c1.n1", 0, 480, 38, 96)}, {"track": B, "note": note("c2.n1", 0, 120, 36, 110)},
      {"track": B, "note": note("c2.n3", 840, 120, 42, 80)}])], []))
T("time.remove vs time.remove, identical", "identical removals: both become nothing",
  D2, td(D2, 960, 960), td(D2, 960, 960), expect=E([], []))
T("time.remove vs time.remove, same start, a longer", "removals from one point, one longer: the longer keeps the rest",
  D2, td(D2, 960, 960), td(D2, 960, 480))
T("time.remove vs time.remove, empty spans", "removals of empty time still shift each other",
  D2, td(D2, 100, 200), td(D2, 600, 100))
T("time.remove vs session.set", "time operations commute with session.set", D2, td(D2, 1920, 1920), ss(D2, "loopBars", 7))

# --- session.set ----------------------------------------------------------------------------
T("session.set vs session.set, title, a wins", "two sets of one session field: the winner's value stands",
  D1, ss(D1, "title", "Mardi"), ss(D1, "title", "Tuesday jam (live)"), True,
  expect=E([{"type": "session.set", "field": "title", "value": "Mardi", "old": "Tuesday jam (live)"}], []))
T("session.set vs session.set, title, b wins", "two sets of one session field: the loser becomes nothing",
  D1, ss(D1, "title", "Mardi"), ss(D1, "title", "Tuesday jam (live)"), False)
T("session.set vs session.set, tempo, b wins", "the set rule on a fractional tempo",
  D1, ss(D1, "tempo", 96.5), ss(D1, "tempo", 140), False)
T("session.set vs session.set, key to null vs key change, a wins", "the set rule with a null value",
  D1, ss(D1, "key", None), ss(D1, "key", {"tonic": "F", "mode": "major"}), True)
T("session.set vs session.set, meter", "the set rule on an object value",
  D1, ss(D1, "meter", {"numerator": 3, "denominator": 4}), ss(D1, "meter", {"numerator": 6, "denominator": 8}), False)
T("session.set vs session.set, other fields", "session sets of other fields commute",
  D1, ss(D1, "tempo", 90), ss(D1, "loopBars", 4))

# --- multi-component operations --------------------------------------------------------------
T("insert a bar vs a note added in the next bar", "multi-component: time.insert + loopBars set vs note.add after the insert point",
  D2, [ti(1920, 1920), ss(D2, "loopBars", 9)], [na(A, note("c9.n1", 1920, 480, 45))], mirror=True)
T("insert a bar vs resizing the loop, a wins", "multi-component: the loopBars sets conflict, the time op commutes",
  D2, [ti(1920, 1920), ss(D2, "loopBars", 9)], [ss(D2, "loopBars", 4)], True, mirror=True)
T("insert a bar vs resizing the loop, b wins", "multi-component: the loopBars sets conflict, the time op commutes",
  D2, [ti(1920, 1920), ss(D2, "loopBars", 9)], [ss(D2, "loopBars", 4)], False, mirror=True)
T("add a note then drag it into a removed span", "multi-component: note.add then note.set of its tick into y's span: kept at the seam",
  D2, [na(A, X1), ns(after(D2, na(A, X1)), A, X1["id"], "tick", 1000)], [td(D2, 960, 960)], mirror=True)
T("remove a track and re-add it edited vs a rename", "multi-component: track.remove + track.add vs track.set of the same track",
  D2, [tr(D2, 1), ta(0, with_(DRUMS, name="Kit"))], [ts(D2, B, "name", "Drum kit")], True, mirror=True)
T("move and rename vs move and remove another", "multi-component: each component of a against each of b",
  D3, [tm(D3, A, 2), ts(D3, A, "name", "Bass 2")], [tm(D3, A, 1), tr(after(D3, tm(D3, A, 1)), 2)], True, mirror=True)
T("move and rename vs move and remove another, b wins", "multi-component: each component of a against each of b",
  D3, [tm(D3, A, 2), ts(D3, A, "name", "Bass 2")], [tm(D3, A, 1), tr(after(D3, tm(D3, A, 1)), 2)], False, mirror=True)
T("two note edits vs insert then remove", "multi-component: note sets against time.insert then note.remove",
  D2, [ns(D2, A, "c1.n2", "tick", 1200), ns(D2, A, "c1.n2", "pitch", 43)],
  [ti(480, 480), nr(after(D2, ti(480, 480)), A, "c1.n2")], True, mirror=True)
T("remove a bar and add a note vs add a note and drag another", "multi-component: time.remove + note.add vs note.add + note.set",
  D2, [td(D2, 0, 960), na(B, note("c8.n1", 960, 120, 49))],
  [na(A, X1), ns(D2, B, "c2.n3", "tick", 600)], False, mirror=True)


# ---------------------------------------------------------------------------------------------
# Apply cases

APPLY = []


def OK(name, doc, op):
    APPLY.append({"name": name, "doc": doc, "op": op if isinstance(op, list) else [op], "expect": None})


def ERR(name, doc, op, code, component=0):
    APPLY.append({"name": name, "doc": doc, "op": op if isinstance(op, list) else [op],
                  "expect": {"code": code, "component": component}})


LONG201 = "x" * 201
E100 = "é" * 100  # 200 UTF-8 bytes, 100 characters
E101 = "é" * 101  # 202 UTF-8 bytes
OWNER65 = "o" * 65
ID65 = "c1." + "t" * 62
D_KEYLESS = document([BASS], key=None)
D_EDGE = document([track(A, "Bass", 33, 0, [note("c1.n1", (1 << 40) - 100, 480, 38)])])

OK("empty operation is the no-op", D2, [])
OK("track.add at the end", D2, ta(2, LEAD))
OK("track.add at the front, with notes", D2, ta(0, LEAD))
OK("track.add of a track without notes", D1, ta(1, PAD))
OK("track.add with a 200-byte name", D1, ta(1, with_(PAD, name=E100)))
OK("track.add with a 64-character id and empty owner", D1, ta(0, with_(PAD, id="c1." + "t" * 61, owner="")))
OK("track.remove with its notes", D2, tr(D2, 0))
OK("track.move forward", D3, tm(D3, A, 2))
OK("track.move backward", D3, tm(D3, C, 0))
OK("track.move to its own position", D3, tm(D3, B, 1))
OK("track.set name", D2, ts(D2, A, "name", "Basse électrique"))
OK("track.set instrument to drums", D2, ts(D2, A, "instrument", "drums"))
OK("track.set instrument from drums to a program", D2, ts(D2, B, "instrument", 127))
OK("track.set channel", D2, ts(D2, A, "channel", 15))
OK("track.set volume to 0", D2, ts(D2, A, "volume", 0))
OK("track.set pan hard left", D2, ts(D2, A, "pan", -64))
OK("track.set mute", D2, ts(D2, B, "mute", True))
OK("track.set solo", D2, ts(D2, B, "solo", True))
OK("track.set owner to empty", D2, ts(D2, A, "owner", ""))
OK("note.add", D2, na(A, X1))
OK("note.add with extreme values", D1, na(A, note("c9.n9", 1 << 40, 1 << 32, 127, 1)))
OK("note.add with pitch 0 at tick 0", D1, na(A, note("c9.n9", 0, 1, 0, 127)))
OK("note.remove", D2, nr(D2, B, "c2.n2"))
OK("note.set tick", D2, ns(D2, A, "c1.n1", "tick", 1440))
OK("note.set duration", D2, ns(D2, A, "c1.n1", "duration", 1 << 32))
OK("note.set pitch", D2, ns(D2, B, "c2.n1", "pitch", 35))
OK("note.set velocity", D2, ns(D2, B, "c2.n1", "velocity", 1))
OK("time.insert at 0 moves every note", D2, ti(0, 480))
OK("time.insert at a note's tick moves that note", D2, ti(960, 960))
OK("time.insert after every note", D2, ti(5000, 1 << 32))
OK("time.remove of a bar with its notes", D2, td(D2, 960, 960))
OK("time.remove keeps the duration of a note that starts before it", D3, td(D3, 1000, 500))
OK("time.remove of empty time", D2, td(D2, 100, 200))
OK("time.remove sorted by track then note id", D3, td(D3, 0, 1000))
OK("session.set title", D1, ss(D1, "title", "Jam à Zürich 🎸"))
OK("session.set tempo 96.5", D1, ss(D1, "tempo", 96.5))
OK("session.set tempo at the bounds", D1, [ss(D1, "tempo", 20), {"type": "session.set", "field": "tempo", "value": 400, "old": 20}])
OK("session.set meter", D1, ss(D1, "meter", {"numerator": 7, "denominator": 8}))
OK("session.set key to null", D1, ss(D1, "key", None))
OK("session.set key from null", D_KEYLESS, ss(D_KEYLESS, "key", {"tonic": "F#", "mode": "major"}))
OK("session.set loopBars", D1, ss(D1, "loopBars", 1024))
OK("insert a bar: time.insert plus loopBars", D2, [ti(1920, 1920), ss(D2, "loopBars", 9)])
OK("later components see earlier ones", D2, [ta(0, LEAD), tm(after(D2, ta(0, LEAD)), "c4.t1", 2),
                                              na("c4.t1", X1), ns(after(D2, ta(0, LEAD), na("c4.t1", X1)), "c4.t1", "c9.n1", "pitch", 51)])
OK("a note removed and added back", D1, [nr(D1, A, "c1.n1"), na(A, note("c1.n1", 0, 480, 38, 96))])

ERR("malformed: unknown component type", D1, [{"type": "track.rename", "track": A, "name": "x"}], "malformed")
ERR("malformed: component without type", D1, [{"index": 0, "track": PAD}], "malformed")
ERR("malformed: component is not an object", D1, [42], "malformed")
ERR("malformed: note without velocity", D1, na(A, {"id": "c9.n1", "tick": 0, "duration": 1, "pitch": 60}), "malformed")
ERR("field_type_mismatch: volume as a string", D1, {"type": "track.set", "track": A, "field": "volume", "value": "loud", "old": 100},
    "field_type_mismatch")
ERR("field_type_mismatch: mute as a number", D1, {"type": "track.set", "track": A, "field": "mute", "value": 1, "old": False},
    "field_type_mismatch")
ERR("field_type_mismatch: tempo as a string", D1, {"type": "session.set", "field": "tempo", "value": "fast", "old": 120},
    "field_type_mismatch")
ERR("field_type_mismatch: meter as a string", D1, {"type": "session.set", "field": "meter", "value": "4/4",
                                                    "old": {"numerator": 4, "denominator": 4}}, "field_type_mismatch")
ERR("field_type_mismatch: fractional pitch", D1, {"type": "note.set", "track": A, "note": "c1.n1", "field": "pitch",
                                                   "value": 60.5, "old": 38}, "field_type_mismatch")
ERR("field_type_mismatch is checked before ids", D1, {"type": "track.set", "track": "no such id!", "field": "volume",
                                                       "value": "loud", "old": 100}, "field_type_mismatch")
ERR("invalid_id: space in a track id", D1, ta(1, with_(PAD, id="c5 t1")), "invalid_id")
ERR("invalid_id: empty note id", D1, na(A, with_(X1, id="")), "invalid_id")
ERR("invalid_id: 65-character track id", D1, ta(1, with_(PAD, id=ID65)), "invalid_id")
ERR("invalid_id: slash in a note id of an added track", D1, ta(1, with_(LEAD, notes=[note("c4/n1", 0, 1, 60)])), "invalid_id")
ERR("invalid_id is checked before unknown_track", D1, ts(D1, A, "volume", 1) | {"track": "c9 t1"}, "invalid_id")
ERR("unknown_track: track.set", D1, ts(D1, A, "name", "x") | {"track": "c9.t1"}, "unknown_track")
ERR("unknown_track: note.add", D1, na("c9.t1", X1), "unknown_track")
ERR("unknown_track: track.move", D1, {"type": "track.move", "track": "c9.t1", "from": 0, "to": 0}, "unknown_track")
ERR("unknown_track is checked before stale_value", D1, ts(D1, A, "volume", 1) | {"track": "c9.t1", "old": 5}, "unknown_track")
ERR("unknown_note: note.set", D1, ns(D1, A, "c1.n1", "pitch", 40) | {"note": "c1.n9"}, "unknown_note")
ERR("unknown_note: note.remove", D1, na(A, X1) | {"type": "note.remove"}, "unknown_note")
ERR("track_exists: track.add of a present id", D2, ta(0, with_(PAD, id=B)), "track_exists")
ERR("track_exists is checked before ranges", D2, ta(0, with_(PAD, id=B, volume=200)), "track_exists")
ERR("note_exists: note.add of a present id", D1, na(A, with_(X1, id="c1.n2")), "note_exists")
ERR("note_exists: track.add with a repeated note id", D1, ta(1, with_(LEAD, notes=[note("c4.n1", 0, 1, 60), note("c4.n1", 9, 1, 61)])),
    "note_exists")
ERR("index_out_of_range: track.add past the end", D2, ta(3, PAD), "index_out_of_range")
ERR("index_out_of_range: track.add at -1", D2, ta(-1, PAD), "index_out_of_range")
ERR("index_out_of_range: track.move to count", D3, tm(D3, A, 3), "index_out_of_range")
ERR("index_out_of_range: track.remove at count", D2, tr(D2, 1) | {"index": 2}, "index_out_of_range")
ERR("name_too_long: 201 ASCII bytes", D1, ts(D1, A, "name", LONG201), "name_too_long")
ERR("name_too_long: 101 two-byte characters", D1, ta(1, with_(PAD, name=E101)), "name_too_long")
ERR("title_too_long: 202 UTF-8 bytes", D1, ss(D1, "title", E101), "title_too_long")
ERR("invalid_owner: 65 characters", D1, ts(D1, A, "owner", OWNER65), "invalid_owner")
ERR("program_out_of_range: 128", D1, ts(D1, A, "instrument", 128), "program_out_of_range")
ERR("program_out_of_range: -1 in an added track", D1, ta(1, with_(PAD, instrument=-1)), "program_out_of_range")
ERR("channel_out_of_range: 16", D1, ts(D1, A, "channel", 16), "channel_out_of_range")
ERR("volume_out_of_range: 128", D1, ts(D1, A, "volume", 128), "volume_out_of_range")
ERR("pan_out_of_range: 64", D1, ts(D1, A, "pan", 64), "pan_out_of_range")
ERR("pan_out_of_range: -65", D1, ts(D1, A, "pan", -65), "pan_out_of_range")
ERR("tick_out_of_range: note.add past 2^40", D1, na(A, with_(X1, tick=(1 << 40) + 1)), "tick_out_of_range")
ERR("tick_out_of_range: note.set to -1", D1, ns(D1, A, "c1.n2", "tick", -1), "tick_out_of_range")
ERR("tick_out_of_range: time.insert pushes a note past 2^40", D_EDGE, ti(0, 200), "tick_out_of_range")
ERR("duration_out_of_range: 0", D1, na(A, with_(X1, duration=0)), "duration_out_of_range")
ERR("duration_out_of_range: 2^32 + 1", D1, ns(D1, A, "c1.n1", "duration", (1 << 32) + 1), "duration_out_of_range")
ERR("pitch_out_of_range: 128", D1, ns(D1, A, "c1.n1", "pitch", 128), "pitch_out_of_range")
ERR("velocity_out_of_range: 0", D1, na(A, with_(X1, velocity=0)), "velocity_out_of_range")
ERR("tempo_out_of_range: 19.5", D1, ss(D1, "tempo", 19.5), "tempo_out_of_range")
ERR("tempo_out_of_range: 400.5", D1, ss(D1, "tempo", 400.5), "tempo_out_of_range")
ERR("meter_invalid: denominator 3", D1, ss(D1, "meter", {"numerator": 5, "denominator": 3}), "meter_invalid")
ERR("meter_invalid: numerator 33", D1, ss(D1, "meter", {"numerator": 33, "denominator": 4}), "meter_invalid")
ERR("meter_invalid: numerator 0", D1, ss(D1, "meter", {"numerator": 0, "denominator": 4}), "meter_invalid")
ERR("key_invalid: tonic H", D1, ss(D1, "key", {"tonic": "H", "mode": "minor"}), "key_invalid")
ERR("key_invalid: mode dorian", D1, ss(D1, "key", {"tonic": "D", "mode": "dorian"}), "key_invalid")
ERR("loop_out_of_range: 0", D1, ss(D1, "loopBars", 0), "loop_out_of_range")
ERR("loop_out_of_range: 1025", D1, ss(D1, "loopBars", 1025), "loop_out_of_range")
ERR("span_invalid: time.insert of span 0", D1, ti(480, 0), "span_invalid")
ERR("span_invalid: time.insert of span 2^32 + 1", D1, ti(480, (1 << 32) + 1), "span_invalid")
ERR("span_invalid: time.remove of span 0", D1, td(D1, 480, 0), "span_invalid")
ERR("stale_value: track.set", D1, ts(D1, A, "name", "x") | {"old": "Guitar"}, "stale_value")
ERR("stale_value: note.set", D1, ns(D1, A, "c1.n1", "velocity", 100) | {"old": 95}, "stale_value")
ERR("stale_value: session.set tempo", D1, ss(D1, "tempo", 90) | {"old": 100}, "stale_value")
ERR("stale_value: session.set key with old null", D1, ss(D1, "key", {"tonic": "E", "mode": "major"}) | {"old": None}, "stale_value")
ERR("stale_value is checked before ranges", D1, ns(D1, A, "c1.n1", "velocity", 0) | {"old": 1}, "stale_value")
ERR("content_mismatch: track.remove with another name", D2, tr(D2, 0) | {"track": with_(BASS, name="Bass 2")}, "content_mismatch")
ERR("content_mismatch: track.remove missing a note", D2, tr(D2, 0) | {"track": with_(BASS, notes=BASS["notes"][:2])},
    "content_mismatch")
ERR("content_mismatch: track.remove of a track at another index", D2, tr(D2, 0) | {"index": 1}, "content_mismatch")
ERR("content_mismatch: note.remove with another velocity", D1, nr(D1, A, "c1.n1") | {"note": note("c1.n1", 0, 480, 38, 97)},
    "content_mismatch")
ERR("content_mismatch: time.remove missing a note of the span", D2,
    td(D2, 960, 960) | {"removed": td(D2, 960, 960)["removed"][:1]}, "content_mismatch")
ERR("content_mismatch: time.remove listing a note outside the span", D2,
    td(D2, 960, 960) | {"removed": td(D2, 0, 1920)["removed"]}, "content_mismatch")
ERR("removed_not_sorted: track ids out of order", D2,
    td(D2, 0, 480) | {"removed": list(reversed(td(D2, 0, 480)["removed"]))}, "removed_not_sorted")
ERR("removed_not_sorted: note ids out of order in one track", D1,
    td(D1, 0, 1000) | {"removed": list(reversed(td(D1, 0, 1000)["removed"]))}, "removed_not_sorted")
ERR("atomic: second component fails, document unchanged", D2, [ts(D2, A, "name", "Bass 2"), ns(D2, A, "c1.n1", "pitch", 200)],
    "pitch_out_of_range", 1)
ERR("atomic: second add of the same track", D1, [ta(1, PAD), ta(0, PAD)], "track_exists", 1)
ERR("atomic: set of a note removed by the first component", D1, [nr(D1, A, "c1.n1"), ns(D1, A, "c1.n1", "pitch", 40)],
    "unknown_note", 1)
ERR("atomic: third component fails", D1, [ti(0, 480), ss(D1, "loopBars", 9), ss(D1, "loopBars", 10)], "stale_value", 2)
ERR("ppq_invalid: a document with ppq 96 (document-level, component null)", document([BASS], ppq=96), [], "ppq_invalid", None)


# ---------------------------------------------------------------------------------------------
# Invert cases

INVERT = []


def INV(name, doc, op):
    INVERT.append({"name": name, "doc": doc, "op": op if isinstance(op, list) else [op]})


INV("track.add", D2, ta(1, LEAD))
INV("track.remove", D2, tr(D2, 0))
INV("track.move", D3, tm(D3, A, 2))
INV("track.set", D2, ts(D2, B, "instrument", 0))
INV("note.add", D1, na(A, X1))
INV("note.remove", D1, nr(D1, A, "c1.n2"))
INV("note.set", D1, ns(D1, A, "c1.n2", "tick", 100))
INV("time.insert", D2, ti(960, 480))
INV("time.remove with notes", D3, td(D3, 960, 960))
INV("time.remove of empty time", D2, td(D2, 100, 200))
INV("session.set key to null", D1, ss(D1, "key", None))
INV("session.set tempo", D1, ss(D1, "tempo", 96.5))
INV("empty operation", D1, [])
INV("insert a bar", D2, [ti(1920, 1920), ss(D2, "loopBars", 9)])
INV("add a track then edit it", D1, [ta(0, LEAD), ts(after(D1, ta(0, LEAD)), "c4.t1", "mute", True), na("c4.t1", X1)])
INV("remove a bar then move a track", D2, [td(D2, 0, 1920), tm(D2, B, 0)])


# ---------------------------------------------------------------------------------------------
# Canonical cases

CANONICAL = [
    {"name": "the example document", "doc": document([BASS])},
    {"name": "two tracks, drums and negative pan", "doc": document([BASS, with_(DRUMS, pan=-64)])},
    {"name": "unicode title", "doc": document([PAD], title="Jam à Zürich — 東京 🎸")},
    {"name": "quote, backslash and slash in strings", "doc": document([with_(PAD, name='say "hi" \\ A/B')], title="AC/DC")},
    {"name": "tempo 96.5", "doc": document([BASS], tempo=96.5)},
    {"name": "tempo given as 120.0 is written 120", "doc": document([], tempo=120.0)},
    {"name": "key null", "doc": document([KEYS], key=None)},
    {"name": "key absent is written as null", "doc": {k: v for k, v in document([KEYS]).items() if k != "key"}},
    {"name": "notes given out of order", "doc": document([track(A, "Bass", 33, 0, [
        note("c1.n9", 960, 10, 40), note("c1.n3", 0, 10, 41), note("c1.n2", 960, 10, 38),
        note("c1.n1", 0, 10, 41), note("c1.n10", 960, 10, 40)])])},
    {"name": "extreme integers", "doc": document([track(A, "x", 0, 0, [note("c1.n1", 1 << 40, 1 << 32, 127, 127)])],
                                                 tempo=400, loopBars=1024)},
    {"name": "no tracks", "doc": document([], title="", tempo=20.25, meter=(12, 8), key=("Bb", "major"), loopBars=1)},
]


# ---------------------------------------------------------------------------------------------
# Checks and output


class Failure(Exception):
    pass


def canon_op(op):
    return json.dumps(op, sort_keys=True)


def build_transform():
    out, problems, names = [], [], set()
    for c in TRANSFORM:
        name, doc, a, b, aw = c["name"], c["doc"], c["a"], c["b"], c["aWins"]
        if name in names:
            problems.append("%s: duplicate name" % name)
        names.add(name)
        try:
            R.validate_document(doc)
            sa, sb = R.apply(doc, a), R.apply(doc, b)
            ap, bp = R.transform(a, b, aw, doc)
            for split in ("a", "b"):
                if R.transform(a, b, aw, doc, split=split) != (ap, bp):
                    problems.append("%s: result depends on the split order" % name)
            left, right = R.apply(sa, bp), R.apply(sb, ap)
            if R.canonical_json(left) != R.canonical_json(right):
                problems.append("%s: TP1 fails\n  S.a.b' = %s\n  S.b.a' = %s" % (name, R.canonical_json(left),
                                                                                 R.canonical_json(right)))
                continue
            if c["expect"] is not None:
                if canon_op(ap) != canon_op(c["expect"]["aPrime"]):
                    problems.append("%s: aPrime %s, expected by hand %s" % (name, ap, c["expect"]["aPrime"]))
                if canon_op(bp) != canon_op(c["expect"]["bPrime"]):
                    problems.append("%s: bPrime %s, expected by hand %s" % (name, bp, c["expect"]["bPrime"]))
        except (R.JamError, ValueError, KeyError) as e:
            problems.append("%s: %r" % (name, e))
            continue
        out.append({"name": name, "why": c["why"], "doc": R.normalize_document(doc), "a": a, "b": b, "aWins": aw,
                    "aPrime": ap, "bPrime": bp, "final": left})
    kinds = set(R.COMPONENT_TYPES)
    covered = {(c["a"][0]["type"], c["b"][0]["type"]) for c in out if len(c["a"]) == 1 and len(c["b"]) == 1}
    for x in sorted(kinds):
        for y in sorted(kinds):
            if (x, y) not in covered:
                problems.append("no single-component case for %s vs %s" % (x, y))
    if len(out) < 100:
        problems.append("only %d transform cases" % len(out))
    return out, problems


def build_apply():
    out, problems, codes, names = [], [], set(), set()
    for c in APPLY:
        name, doc, op = c["name"], c["doc"], c["op"]
        if name in names:
            problems.append("%s: duplicate name" % name)
        names.add(name)
        result, err = R.try_apply(doc, op)
        exp = c["expect"]
        if exp is None:
            if err is not None:
                problems.append("%s: expected success, got %s" % (name, err))
                continue
            out.append({"name": name, "doc": R.normalize_document(doc), "op": op, "result": result})
        else:
            got = None if err is None else {"code": err["code"], "component": err["component"]}
            if got != exp:
                problems.append("%s: expected %s, got %s" % (name, exp, got or "success"))
                continue
            codes.add(exp["code"])
            out.append({"name": name, "doc": doc if exp["component"] is None else R.normalize_document(doc), "op": op,
                        "error": exp})
    all_codes = {"unknown_track", "track_exists", "unknown_note", "note_exists", "index_out_of_range", "invalid_id",
                 "name_too_long", "title_too_long", "invalid_owner", "program_out_of_range", "channel_out_of_range",
                 "volume_out_of_range", "pan_out_of_range", "tick_out_of_range", "duration_out_of_range",
                 "pitch_out_of_range", "velocity_out_of_range", "tempo_out_of_range", "meter_invalid", "key_invalid",
                 "loop_out_of_range", "ppq_invalid", "span_invalid", "stale_value", "content_mismatch",
                 "removed_not_sorted", "field_type_mismatch", "malformed"}
    for code in sorted(all_codes - codes):
        problems.append("no apply case for error code %s" % code)
    kinds = {c["op"][0]["type"] for c in out if "result" in c and c["op"]}
    for k in sorted(set(R.COMPONENT_TYPES) - kinds):
        problems.append("no valid apply case starting with %s" % k)
    if len(out) < 50:
        problems.append("only %d apply cases" % len(out))
    return out, problems


def build_invert():
    out, problems = [], []
    for c in INVERT:
        try:
            inv = R.invert(c["op"])
            back = R.apply(R.apply(c["doc"], c["op"]), inv)
            if R.canonical_json(back) != R.canonical_json(c["doc"]):
                problems.append("%s: apply(apply(doc, op), inverse) != doc" % c["name"])
                continue
        except R.JamError as e:
            problems.append("%s: %r" % (c["name"], e))
            continue
        out.append({"name": c["name"], "doc": R.normalize_document(c["doc"]), "op": c["op"], "inverse": inv})
    if len(out) < 12:
        problems.append("only %d invert cases" % len(out))
    return out, problems


def build_canonical():
    out, problems = [], []
    for c in CANONICAL:
        try:
            R.validate_document(c["doc"])
            text = R.canonical_json(c["doc"])
        except R.JamError as e:
            problems.append("%s: %r" % (c["name"], e))
            continue
        back = json.loads(text)
        if R.canonical_json(back) != text:
            problems.append("%s: canonical form is not a fixed point" % c["name"])
        out.append({"name": c["name"], "doc": c["doc"], "canonical": text, "hash": R.doc_hash(c["doc"])})
    return out, problems


def pretty(v, level=0, width=120):
    """JSON with one space of indentation per level; short objects and arrays stay on one line."""
    one = json.dumps(v, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(v, (dict, list)) or not v or len(one) + level <= width:
        return one
    pad = " " * (level + 1)
    if isinstance(v, dict):
        # members whose one-line form is short share lines; the others get lines of their own
        lines, line = [], ""
        for k, x in v.items():
            item = json.dumps(k, ensure_ascii=False) + ": " + pretty(x, level + 1, width)
            if "\n" not in item and len(item) <= 60:
                if line and len(pad) + len(line) + 2 + len(item) <= width:
                    line += ", " + item
                    continue
                if line:
                    lines.append(pad + line)
                line = item
                continue
            if line:
                lines.append(pad + line)
                line = ""
            lines.append(pad + item)
        if line:
            lines.append(pad + line)
        return "{\n" + ",\n".join(lines) + "\n" + " " * level + "}"
    items = [pad + pretty(x, level + 1, width) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + " " * level + "]"


def main():
    built = {}
    problems = []
    for fname, fn in (("transform.json", build_transform), ("apply.json", build_apply),
                      ("invert.json", build_invert), ("canonical.json", build_canonical)):
        cases, p = fn()
        built[fname] = cases
        problems += ["%s: %s" % (fname, x) for x in p]
    if problems:
        print("NOT WRITING: %d problem(s)" % len(problems), file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    check = "--check" in sys.argv[1:]
    stale = []
    os.makedirs(OUT, exist_ok=True)
    for fname, cases in built.items():
        text = pretty({"version": 1, "cases": cases}) + "\n"
        assert json.loads(text) == {"version": 1, "cases": cases}
        path = os.path.join(OUT, fname)
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(fname)
            print("checked Protocol/vectors/%s: %d cases" % (fname, len(cases)))
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote Protocol/vectors/%s: %d cases" % (fname, len(cases)))
    if stale:
        print("STALE: %s differ from what the reference writes; run python3 Tools/vectors/make_vectors.py"
              % ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
