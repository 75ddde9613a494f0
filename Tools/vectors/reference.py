"""Reference implementation of Protocol/DOCUMENT.md (version 1), in plain Python 3.

Independent of the Swift JamCore sources: everything here is derived from DOCUMENT.md alone.
It is used by make_vectors.py to compute the expected results of the test vectors.

Public functions:
    validate_document(doc)            -> None, or raises JamError (component None)
    normalize_document(doc)           -> deep copy with notes sorted and `key` present
    apply(doc, op)                    -> new document, or raises JamError(code, component)
    try_apply(doc, op)                -> (doc, None) or (None, {"code", "component", "message"})
    transform(a, b, a_wins, doc=None) -> (a', b')
    invert(op)                        -> operation
    compose(*ops)                     -> operation
    canonical_json(doc), doc_hash(doc)

Readings of DOCUMENT.md that are not spelled out there are marked "READING:" below.
"""

import copy
import hashlib
import json
import math
import re

MAX_TICK = 1 << 40
MAX_SPAN = 1 << 32
ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
TONICS = {"C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B"}
MODES = {"major", "minor"}
DENOMINATORS = {1, 2, 4, 8, 16, 32}
TRACK_SET_FIELDS = ("name", "instrument", "channel", "volume", "pan", "mute", "solo", "owner")
NOTE_SET_FIELDS = ("tick", "duration", "pitch", "velocity")
SESSION_SET_FIELDS = ("title", "tempo", "meter", "key", "loopBars")
TRACK_FIELDS = ("id",) + TRACK_SET_FIELDS + ("notes",)
NOTE_FIELDS = ("id",) + NOTE_SET_FIELDS
COMPONENT_TYPES = ("track.add", "track.remove", "track.move", "track.set", "note.add", "note.remove",
                   "note.set", "time.insert", "time.remove", "session.set")


class JamError(Exception):
    def __init__(self, code, message="", component=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message or code
        self.component = component

    def as_dict(self):
        return {"code": self.code, "component": self.component, "message": self.message}


# ---------------------------------------------------------------------------------------------
# Types and values


def is_int(v):
    return type(v) is int  # bool is not an integer here


def is_num(v):
    return (type(v) is int or type(v) is float) and math.isfinite(v)


def is_str(v):
    return type(v) is str


def is_bool(v):
    return type(v) is bool


def same_value(a, b):
    """Equality of JSON values where true != 1 and 120 == 120.0."""
    if is_bool(a) or is_bool(b):
        return a is b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(p, q) for p, q in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def utf8_len(s):
    return len(s.encode("utf-8"))


def valid_id(s):
    return is_str(s) and ID_RE.fullmatch(s) is not None


def note_sort_key(n):
    return (n["tick"], n["pitch"], n["id"].encode("utf-8"))


def removed_sort_key(e):
    return (e["track"].encode("utf-8"), e["note"]["id"].encode("utf-8"))


# shape predicates -------------------------------------------------------------


def meter_shape(v):
    return isinstance(v, dict) and is_int(v.get("numerator")) and is_int(v.get("denominator"))


def key_shape(v):
    return v is None or (isinstance(v, dict) and is_str(v.get("tonic")) and is_str(v.get("mode")))


def note_shape(n):
    return (isinstance(n, dict) and is_str(n.get("id")) and all(is_int(n.get(f)) for f in NOTE_SET_FIELDS))


TRACK_FIELD_TYPE = {
    "name": is_str,
    "instrument": lambda v: is_int(v) or is_str(v),  # READING: any string is the right type; only "drums" is in range
    "channel": is_int,
    "volume": is_int,
    "pan": is_int,
    "mute": is_bool,
    "solo": is_bool,
    "owner": is_str,
}
NOTE_FIELD_TYPE = {f: is_int for f in NOTE_SET_FIELDS}
SESSION_FIELD_TYPE = {"title": is_str, "tempo": is_num, "meter": meter_shape, "key": key_shape, "loopBars": is_int}


def track_shape(t):
    if not isinstance(t, dict) or not is_str(t.get("id")):
        return False
    for f in TRACK_SET_FIELDS:
        if f not in t or not TRACK_FIELD_TYPE[f](t[f]):
            return False
    notes = t.get("notes")
    return isinstance(notes, list) and all(note_shape(n) for n in notes)


# range checks: return an error code or None -------------------------------------


def track_field_range(field, v):
    if field == "name":
        return None if utf8_len(v) <= 200 else "name_too_long"
    if field == "instrument":
        if v == "drums" or (is_int(v) and 0 <= v <= 127):
            return None
        return "program_out_of_range"
    if field == "channel":
        return None if 0 <= v <= 15 else "channel_out_of_range"
    if field == "volume":
        return None if 0 <= v <= 127 else "volume_out_of_range"
    if field == "pan":
        return None if -64 <= v <= 63 else "pan_out_of_range"
    if field == "owner":
        # READING: "at most 64 characters" counted as Unicode scalars (vectors only use ASCII owners)
        return None if len(v) <= 64 else "invalid_owner"
    return None  # mute, solo


def note_field_range(field, v):
    if field == "tick":
        return None if 0 <= v <= MAX_TICK else "tick_out_of_range"
    if field == "duration":
        return None if 1 <= v <= MAX_SPAN else "duration_out_of_range"
    if field == "pitch":
        return None if 0 <= v <= 127 else "pitch_out_of_range"
    if field == "velocity":
        return None if 1 <= v <= 127 else "velocity_out_of_range"
    raise AssertionError(field)


def session_field_range(field, v):
    if field == "title":
        return None if utf8_len(v) <= 200 else "title_too_long"
    if field == "tempo":
        return None if 20 <= v <= 400 else "tempo_out_of_range"
    if field == "meter":
        ok = 1 <= v["numerator"] <= 32 and v["denominator"] in DENOMINATORS
        return None if ok else "meter_invalid"
    if field == "key":
        ok = v is None or (v["tonic"] in TONICS and v["mode"] in MODES)
        return None if ok else "key_invalid"
    if field == "loopBars":
        return None if 1 <= v <= 1024 else "loop_out_of_range"
    raise AssertionError(field)


def check_note_ranges(n):
    for f in NOTE_SET_FIELDS:
        code = note_field_range(f, n[f])
        if code:
            raise JamError(code, "note %s: %s = %r" % (n["id"], f, n[f]))


def check_track_ranges(t):
    for f in TRACK_SET_FIELDS:
        code = track_field_range(f, t[f])
        if code:
            raise JamError(code, "track %s: %s" % (t["id"], f))
    for n in t["notes"]:
        check_note_ranges(n)


# ---------------------------------------------------------------------------------------------
# Normal form


def normalize_note(n):
    return {f: n[f] for f in NOTE_FIELDS}


def normalize_track(t):
    out = {f: copy.deepcopy(t[f]) for f in TRACK_FIELDS if f != "notes"}
    out["notes"] = sorted((normalize_note(n) for n in t["notes"]), key=note_sort_key)
    return out


def normalize_document(doc):
    key = doc.get("key")
    return {
        "title": doc["title"],
        "tempo": doc["tempo"],
        "meter": {"numerator": doc["meter"]["numerator"], "denominator": doc["meter"]["denominator"]},
        "key": None if key is None else {"tonic": key["tonic"], "mode": key["mode"]},
        "loopBars": doc["loopBars"],
        "ppq": doc["ppq"],
        "tracks": [normalize_track(t) for t in doc["tracks"]],
    }


def tracks_equal(t, u):
    return _canon(normalize_track(t)) == _canon(normalize_track(u))


def notes_equal(n, m):
    return _canon(normalize_note(n)) == _canon(normalize_note(m))


def _canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Canonical JSON and hash (section 1)


def _canonical_tempo(t):
    if isinstance(t, float) and t.is_integer():
        return int(t)
    return t


def canonical_json(doc):
    d = normalize_document(doc)
    d["tempo"] = _canonical_tempo(d["tempo"])
    # sort_keys sorts by code point, which is the UTF-8 byte order; json escapes '"', '\' and
    # control characters, leaves '/' alone, and with ensure_ascii=False writes the rest as is.
    return json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def doc_hash(doc):
    return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Document validation


def validate_document(doc):
    """Raises JamError (component None) when `doc` is not a valid document."""
    # shape
    if not isinstance(doc, dict):
        raise JamError("malformed", "document is not an object")
    if not (is_str(doc.get("title")) and is_num(doc.get("tempo")) and meter_shape(doc.get("meter"))
            and key_shape(doc.get("key")) and is_int(doc.get("loopBars")) and is_int(doc.get("ppq"))
            and isinstance(doc.get("tracks"), list) and all(track_shape(t) for t in doc["tracks"])):
        raise JamError("malformed", "document shape")
    # ids
    for t in doc["tracks"]:
        if not valid_id(t["id"]):
            raise JamError("invalid_id", t["id"])
        for n in t["notes"]:
            if not valid_id(n["id"]):
                raise JamError("invalid_id", n["id"])
    # existence
    seen = set()
    for t in doc["tracks"]:
        if t["id"] in seen:
            raise JamError("track_exists", t["id"])
        seen.add(t["id"])
        nids = [n["id"] for n in t["notes"]]
        if len(set(nids)) != len(nids):
            raise JamError("note_exists", t["id"])
    # ranges
    for f in SESSION_FIELD_TYPE:
        code = session_field_range(f, doc.get(f))
        if code:
            raise JamError(code, f)
    if doc["ppq"] != 480:
        raise JamError("ppq_invalid", str(doc["ppq"]))
    for t in doc["tracks"]:
        check_track_ranges(t)


# ---------------------------------------------------------------------------------------------
# Apply (section 2)


def _track_index(d, tid):
    for i, t in enumerate(d["tracks"]):
        if t["id"] == tid:
            return i
    return None


def _note_index(t, nid):
    for i, n in enumerate(t["notes"]):
        if n["id"] == nid:
            return i
    return None


def _need(cond, code, msg=""):
    if not cond:
        raise JamError(code, msg)


def _apply_component(d, c):
    """Applies component c to the (normalized, private) document d in place."""
    _need(isinstance(c, dict) and c.get("type") in COMPONENT_TYPES, "malformed", "not a component")
    kind = c["type"]
    tracks = d["tracks"]

    if kind == "track.add":
        _need(is_int(c.get("index")) and track_shape(c.get("track")), "malformed")
        t = c["track"]
        _need(valid_id(t["id"]), "invalid_id", t["id"])
        for n in t["notes"]:
            _need(valid_id(n["id"]), "invalid_id", n["id"])
        _need(_track_index(d, t["id"]) is None, "track_exists", t["id"])
        nids = [n["id"] for n in t["notes"]]
        _need(len(set(nids)) == len(nids), "note_exists", t["id"])
        _need(0 <= c["index"] <= len(tracks), "index_out_of_range")
        check_track_ranges(t)
        tracks.insert(c["index"], normalize_track(t))

    elif kind == "track.remove":
        _need(is_int(c.get("index")) and track_shape(c.get("track")), "malformed")
        t = c["track"]
        _need(valid_id(t["id"]), "invalid_id", t["id"])
        # READING: a carried track whose id is nowhere in the document is unknown_track (existence
        # runs before carried content); a known id at another index is content_mismatch.
        _need(_track_index(d, t["id"]) is not None, "unknown_track", t["id"])
        _need(0 <= c["index"] < len(tracks), "index_out_of_range")
        _need(tracks_equal(tracks[c["index"]], t), "content_mismatch", "track at index differs")
        del tracks[c["index"]]

    elif kind == "track.move":
        _need(is_str(c.get("track")) and is_int(c.get("from")) and is_int(c.get("to")), "malformed")
        _need(valid_id(c["track"]), "invalid_id", c["track"])
        _need(_track_index(d, c["track"]) is not None, "unknown_track", c["track"])
        _need(0 <= c["from"] < len(tracks) and 0 <= c["to"] < len(tracks), "index_out_of_range")
        # READING: the carried id must be the track at `from` (content_mismatch otherwise)
        _need(tracks[c["from"]]["id"] == c["track"], "content_mismatch", "track at from differs")
        t = tracks.pop(c["from"])
        tracks.insert(c["to"], t)

    elif kind == "track.set":
        _need(is_str(c.get("track")) and c.get("field") in TRACK_SET_FIELDS
              and "value" in c and "old" in c, "malformed")
        f = c["field"]
        _need(TRACK_FIELD_TYPE[f](c["value"]) and TRACK_FIELD_TYPE[f](c["old"]), "field_type_mismatch", f)
        _need(valid_id(c["track"]), "invalid_id", c["track"])
        ti = _track_index(d, c["track"])
        _need(ti is not None, "unknown_track", c["track"])
        _need(same_value(tracks[ti][f], c["old"]), "stale_value", f)
        code = track_field_range(f, c["value"])
        _need(code is None, code, f)
        tracks[ti][f] = copy.deepcopy(c["value"])

    elif kind == "note.add":
        _need(is_str(c.get("track")) and note_shape(c.get("note")), "malformed")
        n = c["note"]
        _need(valid_id(c["track"]), "invalid_id", c["track"])
        _need(valid_id(n["id"]), "invalid_id", n["id"])
        ti = _track_index(d, c["track"])
        _need(ti is not None, "unknown_track", c["track"])
        _need(_note_index(tracks[ti], n["id"]) is None, "note_exists", n["id"])
        check_note_ranges(n)
        tracks[ti]["notes"].append(normalize_note(n))
        tracks[ti]["notes"].sort(key=note_sort_key)

    elif kind == "note.remove":
        _need(is_str(c.get("track")) and note_shape(c.get("note")), "malformed")
        n = c["note"]
        _need(valid_id(c["track"]), "invalid_id", c["track"])
        _need(valid_id(n["id"]), "invalid_id", n["id"])
        ti = _track_index(d, c["track"])
        _need(ti is not None, "unknown_track", c["track"])
        ni = _note_index(tracks[ti], n["id"])
        _need(ni is not None, "unknown_note", n["id"])
        _need(notes_equal(tracks[ti]["notes"][ni], n), "content_mismatch", n["id"])
        del tracks[ti]["notes"][ni]

    elif kind == "note.set":
        _need(is_str(c.get("track")) and is_str(c.get("note")) and c.get("field") in NOTE_SET_FIELDS
              and "value" in c and "old" in c, "malformed")
        f = c["field"]
        _need(is_int(c["value"]) and is_int(c["old"]), "field_type_mismatch", f)
        _need(valid_id(c["track"]), "invalid_id", c["track"])
        _need(valid_id(c["note"]), "invalid_id", c["note"])
        ti = _track_index(d, c["track"])
        _need(ti is not None, "unknown_track", c["track"])
        ni = _note_index(tracks[ti], c["note"])
        _need(ni is not None, "unknown_note", c["note"])
        note = tracks[ti]["notes"][ni]
        _need(note[f] == c["old"], "stale_value", f)
        code = note_field_range(f, c["value"])
        _need(code is None, code, f)
        note[f] = c["value"]
        tracks[ti]["notes"].sort(key=note_sort_key)

    elif kind == "time.insert":
        _need(is_int(c.get("at")) and is_int(c.get("span")), "malformed")
        a, s = c["at"], c["span"]
        # READING: `span_invalid` covers both the `at` and the `span` bounds
        _need(0 <= a <= MAX_TICK and 1 <= s <= MAX_SPAN, "span_invalid")
        for t in tracks:
            for n in t["notes"]:
                if n["tick"] >= a:
                    _need(n["tick"] + s <= MAX_TICK, "tick_out_of_range", n["id"])
        for t in tracks:
            for n in t["notes"]:
                if n["tick"] >= a:
                    n["tick"] += s
            t["notes"].sort(key=note_sort_key)

    elif kind == "time.remove":
        _need(is_int(c.get("at")) and is_int(c.get("span")) and isinstance(c.get("removed"), list), "malformed")
        R = c["removed"]
        for e in R:
            _need(isinstance(e, dict) and is_str(e.get("track")) and note_shape(e.get("note")), "malformed")
        a, s = c["at"], c["span"]
        for e in R:
            _need(valid_id(e["track"]), "invalid_id", e["track"])
            _need(valid_id(e["note"]["id"]), "invalid_id", e["note"]["id"])
        for e in R:
            ti = _track_index(d, e["track"])
            _need(ti is not None, "unknown_track", e["track"])
            _need(_note_index(tracks[ti], e["note"]["id"]) is not None, "unknown_note", e["note"]["id"])
        for e in R:
            t = tracks[_track_index(d, e["track"])]
            _need(notes_equal(t["notes"][_note_index(t, e["note"]["id"])], e["note"]), "content_mismatch",
                  e["note"]["id"])
        inside = sorted(((t["id"], n["id"]) for t in tracks for n in t["notes"] if a <= n["tick"] < a + s))
        listed = sorted((e["track"], e["note"]["id"]) for e in R)
        _need(inside == listed, "content_mismatch", "removed is not exactly the notes in the span")
        keys = [removed_sort_key(e) for e in R]
        _need(all(keys[k] < keys[k + 1] for k in range(len(keys) - 1)), "removed_not_sorted")
        _need(0 <= a <= MAX_TICK and 1 <= s <= MAX_SPAN, "span_invalid")
        for t in tracks:
            kept = []
            for n in t["notes"]:
                if a <= n["tick"] < a + s:
                    continue
                if n["tick"] >= a + s:
                    n["tick"] -= s
                kept.append(n)
            t["notes"] = sorted(kept, key=note_sort_key)

    elif kind == "session.set":
        _need(c.get("field") in SESSION_SET_FIELDS and "value" in c and "old" in c, "malformed")
        f = c["field"]
        _need(SESSION_FIELD_TYPE[f](c["value"]) and SESSION_FIELD_TYPE[f](c["old"]), "field_type_mismatch", f)
        _need(same_value(d[f], c["old"]), "stale_value", f)
        code = session_field_range(f, c["value"])
        _need(code is None, code, f)
        v = copy.deepcopy(c["value"])
        if f == "meter":
            v = {"numerator": v["numerator"], "denominator": v["denominator"]}
        if f == "key" and v is not None:
            v = {"tonic": v["tonic"], "mode": v["mode"]}
        d[f] = v


def apply(doc, op):
    """Returns the new document; raises JamError with `component` set. `doc` is not modified."""
    validate_document(doc)
    if not isinstance(op, list):
        raise JamError("malformed", "operation is not an array")
    d = normalize_document(doc)
    for i, c in enumerate(op):
        try:
            _apply_component(d, c)
        except JamError as e:
            e.component = i
            raise
    return d


def try_apply(doc, op):
    try:
        return apply(doc, op), None
    except JamError as e:
        return None, e.as_dict()


# ---------------------------------------------------------------------------------------------
# Invert and compose (section 3)


def _swap_set(c):
    c = copy.deepcopy(c)
    c["value"], c["old"] = c["old"], c["value"]
    return c


def invert_component(c):
    k = c["type"]
    if k == "track.add":
        return [{"type": "track.remove", "index": c["index"], "track": copy.deepcopy(c["track"])}]
    if k == "track.remove":
        return [{"type": "track.add", "index": c["index"], "track": copy.deepcopy(c["track"])}]
    if k == "track.move":
        return [{"type": "track.move", "track": c["track"], "from": c["to"], "to": c["from"]}]
    if k in ("track.set", "note.set", "session.set"):
        return [_swap_set(c)]
    if k == "note.add":
        return [{"type": "note.remove", "track": c["track"], "note": copy.deepcopy(c["note"])}]
    if k == "note.remove":
        return [{"type": "note.add", "track": c["track"], "note": copy.deepcopy(c["note"])}]
    if k == "time.insert":
        return [{"type": "time.remove", "at": c["at"], "span": c["span"], "removed": []}]
    if k == "time.remove":
        out = [{"type": "time.insert", "at": c["at"], "span": c["span"]}]
        for e in c["removed"]:
            out.append({"type": "note.add", "track": e["track"], "note": copy.deepcopy(e["note"])})
        return out
    raise ValueError(k)


def invert(op):
    out = []
    for c in reversed(op):
        out.extend(invert_component(c))
    return out


def _set_target(c):
    k = c["type"]
    if k == "track.set":
        return ("track", c["track"], c["field"])
    if k == "note.set":
        return ("note", c["track"], c["note"], c["field"])
    if k == "session.set":
        return ("session", c["field"])
    return None


def compose(*ops):
    """One operation equal to applying `ops` in sequence: concatenated, with a set merged into the set
    just before it when both have the same target and field (never two sets of a note's tick). Sets
    whose old equals their value are kept: they still win conflicts."""
    out = []
    for op in ops:
        for c in op:
            c = copy.deepcopy(c)
            target = _set_target(c)
            last = out[-1] if out else None
            if (target is not None and last is not None and _set_target(last) == target
                    and not (c["type"] == "note.set" and c["field"] == "tick")
                    and same_value(last["value"], c["old"])):
                last["value"] = c["value"]
            else:
                out.append(c)
    return out


# ---------------------------------------------------------------------------------------------
# Transform (section 4)


def _with(c, **kw):
    c = copy.deepcopy(c)
    c.update(kw)
    return c


def _shift_i(t, a, s):
    return t + s if t >= a else t


def _inside(t, a, s):
    return a <= t < a + s


def _shift_r(t, a, s):
    return t - s if t >= a + s else t


def _note_with_tick(n, tick):
    n = copy.deepcopy(n)
    n["tick"] = tick
    return n


def _sort_removed(R):
    return sorted(R, key=removed_sort_key)


def _apply_edit_to_track(t, x):
    """The track `t` with edit x (track.set / note.add / note.remove / note.set on t) applied."""
    t = normalize_track(t)
    k = x["type"]
    if k == "track.set":
        t[x["field"]] = copy.deepcopy(x["value"])
    elif k == "note.add":
        t["notes"].append(normalize_note(x["note"]))
    elif k == "note.remove":
        t["notes"] = [n for n in t["notes"] if n["id"] != x["note"]["id"]]
    elif k == "note.set":
        for n in t["notes"]:
            if n["id"] == x["note"]:
                n[x["field"]] = x["value"]
    t["notes"].sort(key=note_sort_key)
    return t


def _set_rule(x, y, x_wins):
    if x_wins:
        return [_with(x, old=copy.deepcopy(y["value"]))], []
    return [], [_with(y, old=copy.deepcopy(x["value"]))]


# tracks in the list ----------------------------------------------------------------------


def _r_ta_ta(x, y, xw, doc):
    i, j, T, U = x["index"], y["index"], x["track"], y["track"]
    if T["id"] == U["id"]:
        if i == j and tracks_equal(T, U):
            return [], []
        if xw:
            return [{"type": "track.remove", "index": j, "track": copy.deepcopy(U)}, copy.deepcopy(x)], []
        return [], [{"type": "track.remove", "index": i, "track": copy.deepcopy(T)}, copy.deepcopy(y)]
    xi = i if (i < j or (i == j and xw)) else i + 1
    yj = j if (j < i or (j == i and not xw)) else j + 1
    return [_with(x, index=xi)], [_with(y, index=yj)]


def _r_ta_tr(x, y, xw, doc):
    i, j = x["index"], y["index"]
    return [_with(x, index=i - 1 if i > j else i)], [_with(y, index=j + 1 if j >= i else j)]


def _r_ta_tm(x, y, xw, doc):
    i, f, t = x["index"], y["from"], y["to"]
    i1 = i - 1 if i > f else i
    ip = i1 + 1 if i1 > t else i1
    fp = f + 1 if f >= i else f
    tp = t + 1 if ip <= t else t
    return [_with(x, index=ip)], [_with(y, **{"from": fp, "to": tp})]


def _r_tr_tr(x, y, xw, doc):
    i, j = x["index"], y["index"]
    if x["track"]["id"] == y["track"]["id"]:
        return [], []
    return [_with(x, index=i - 1 if i > j else i)], [_with(y, index=j - 1 if j > i else j)]


def _r_tr_tm(x, y, xw, doc):
    d, f, t = x["index"], y["from"], y["to"]
    if x["track"]["id"] == y["track"]:
        return [_with(x, index=t)], []
    d1 = d - 1 if d > f else d
    dp = d1 + 1 if d1 >= t else d1
    fp = f - 1 if f > d else f
    tp = t - 1 if dp < t else t
    return [_with(x, index=dp)], [_with(y, **{"from": fp, "to": tp})]


def _r_tm_tm(x, y, xw, doc):
    f1, t1, f2, t2 = x["from"], x["to"], y["from"], y["to"]
    if x["track"] == y["track"]:
        if xw:
            return [_with(x, **{"from": t2, "to": t1})], []
        return [], [_with(y, **{"from": t1, "to": t2})]
    yp = f2 - 1 if f2 > f1 else f2  # Y's index without X
    gx = t1 - 1 if t1 > yp else t1  # X's gap in R
    xp = f1 - 1 if f1 > f2 else f1  # X's index without Y
    gy = t2 - 1 if t2 > xp else t2  # Y's gap in R
    x_first = gx < gy or (gx == gy and xw)
    if x_first:
        final_x, final_y = gx, gy + 1
    else:
        final_x, final_y = gx + 1, gy
    x_after_y = xp + 1 if t2 <= xp else xp  # X's index in the list after y
    y_after_x = yp + 1 if t1 <= yp else yp  # Y's index in the list after x
    return ([_with(x, **{"from": x_after_y, "to": final_x})],
            [_with(y, **{"from": y_after_x, "to": final_y})])


# a track removed while someone edits it; sets ---------------------------------------------


def _r_edit_tr(x, y, xw, doc):
    if x["track"] != y["track"]["id"]:
        return [x], [y]
    return [], [_with(y, track=_apply_edit_to_track(y["track"], x))]


def _r_ts_ts(x, y, xw, doc):
    if x["track"] == y["track"] and x["field"] == y["field"]:
        return _set_rule(x, y, xw)
    return [x], [y]


def _r_ss_ss(x, y, xw, doc):
    if x["field"] == y["field"]:
        return _set_rule(x, y, xw)
    return [x], [y]


# notes --------------------------------------------------------------------------------------


def _r_na_na(x, y, xw, doc):
    N, M = x["note"], y["note"]
    if x["track"] != y["track"] or N["id"] != M["id"]:
        return [x], [y]
    if notes_equal(N, M):
        return [], []
    if xw:
        return [{"type": "note.remove", "track": y["track"], "note": copy.deepcopy(M)}, x], []
    return [], [{"type": "note.remove", "track": x["track"], "note": copy.deepcopy(N)}, y]


def _r_nr_nr(x, y, xw, doc):
    if x["track"] == y["track"] and x["note"]["id"] == y["note"]["id"]:
        return [], []
    return [x], [y]


def _r_nr_ns(x, y, xw, doc):
    if x["track"] == y["track"] and x["note"]["id"] == y["note"]:
        n = copy.deepcopy(x["note"])
        n[y["field"]] = y["value"]
        return [_with(x, note=n)], []
    return [x], [y]


def _r_ns_ns(x, y, xw, doc):
    if x["track"] == y["track"] and x["note"] == y["note"] and x["field"] == y["field"]:
        return _set_rule(x, y, xw)
    return [x], [y]


# time.insert --------------------------------------------------------------------------------


def _shift_track_i(T, a, s):
    T = normalize_track(T)
    for n in T["notes"]:
        n["tick"] = _shift_i(n["tick"], a, s)
    T["notes"].sort(key=note_sort_key)
    return T


def _r_note_ti(x, y, xw, doc):  # note.add / note.remove against time.insert
    return [_with(x, note=_note_with_tick(x["note"], _shift_i(x["note"]["tick"], y["at"], y["span"])))], [y]


def _r_ns_ti(x, y, xw, doc):
    if x["field"] != "tick":
        return [x], [y]
    a, s = y["at"], y["span"]
    return [_with(x, value=_shift_i(x["value"], a, s), old=_shift_i(x["old"], a, s))], [y]


def _r_track_ti(x, y, xw, doc):  # track.add / track.remove against time.insert
    return [_with(x, track=_shift_track_i(x["track"], y["at"], y["span"]))], [y]


def _r_ti_ti(x, y, xw, doc):
    a2, a = x["at"], y["at"]
    xa = a2 if (a2 < a or (a2 == a and xw)) else a2 + y["span"]
    ya = a if (a < a2 or (a == a2 and not xw)) else a + x["span"]
    return [_with(x, at=xa)], [_with(y, at=ya)]


def _r_td_ti(x, y, xw, doc):
    a2, s2, R = x["at"], x["span"], x["removed"]
    a, s = y["at"], y["span"]
    # READING: in every case the ticks carried in R are shifted by the insert (the "inside" row of
    # DOCUMENT.md writes plain `R`, but R's notes at or after `a` have moved and must match).
    Rs = [{"track": e["track"], "note": _note_with_tick(e["note"], _shift_i(e["note"]["tick"], a, s))} for e in R]
    if a <= a2:
        return [_with(x, at=a2 + s, removed=Rs)], [y]
    if a >= a2 + s2:
        return [x], [_with(y, at=a - s2)]
    return [_with(x, span=s2 + s, removed=Rs)], []


# time.remove --------------------------------------------------------------------------------


def _r_na_td(x, y, xw, doc):
    a, s, N = y["at"], y["span"], x["note"]
    if _inside(N["tick"], a, s):
        # The remover did not see this note: it is kept, at the seam.
        lift = {"type": "note.set", "track": x["track"], "note": N["id"], "field": "tick", "value": a + s, "old": N["tick"]}
        return [_with(x, note=_note_with_tick(N, a))], [lift, y]
    return [_with(x, note=_note_with_tick(N, _shift_r(N["tick"], a, s)))], [y]


def _r_nr_td(x, y, xw, doc):
    a, s, N = y["at"], y["span"], x["note"]
    if _inside(N["tick"], a, s):
        R = [e for e in y["removed"] if not (e["track"] == x["track"] and e["note"]["id"] == N["id"])]
        return [], [_with(y, removed=R)]
    return [_with(x, note=_note_with_tick(N, _shift_r(N["tick"], a, s)))], [y]


def _r_ns_td(x, y, xw, doc):
    a, s, R = y["at"], y["span"], y["removed"]
    tid, nid, f = x["track"], x["note"], x["field"]
    entry = None
    for e in R:
        if e["track"] == tid and e["note"]["id"] == nid:
            entry = e
    others = [e for e in R if e is not entry]
    if f != "tick":
        if entry is None:  # the note is inside the span exactly when it is in R
            return [x], [y]
        n = copy.deepcopy(entry["note"])
        n[f] = x["value"]
        return [], [_with(y, removed=_sort_removed(others + [{"track": tid, "note": n}]))]
    o, v = x["old"], x["value"]
    o_in, v_in = _inside(o, a, s), _inside(v, a, s)
    if o_in and v_in:
        n = _note_with_tick(entry["note"], v)
        return [], [_with(y, removed=_sort_removed(others + [{"track": tid, "note": n}]))]
    if o_in and not v_in:
        n = _note_with_tick(entry["note"], _shift_r(v, a, s))
        return [{"type": "note.add", "track": tid, "note": n}], [_with(y, removed=others)]
    if not o_in and v_in:
        # Dragged into the removed span: the remover did not see it there, so it stays, at the seam.
        lift = {"type": "note.set", "track": tid, "note": nid, "field": "tick", "value": a + s, "old": v}
        return [_with(x, value=a, old=_shift_r(o, a, s))], [lift, y]
    return [_with(x, value=_shift_r(v, a, s), old=_shift_r(o, a, s))], [y]


def _split_track_r(T, a, s):
    """(T without its notes inside the span, the others shifted; the notes inside)."""
    T = normalize_track(T)
    kept, gone = [], []
    for n in T["notes"]:
        if _inside(n["tick"], a, s):
            gone.append(n)
        else:
            kept.append(_note_with_tick(n, _shift_r(n["tick"], a, s)))
    T["notes"] = sorted(kept, key=note_sort_key)
    return T, gone


def _r_ta_td(x, y, xw, doc):
    a, s = y["at"], y["span"]
    T2, gone = _split_track_r(x["track"], a, s)
    # Notes the remover did not see are kept, at the seam.
    T2["notes"] = sorted(T2["notes"] + [_note_with_tick(n, a) for n in gone], key=note_sort_key)
    lifts = [{"type": "note.set", "track": T2["id"], "note": n["id"], "field": "tick", "value": a + s, "old": n["tick"]}
             for n in sorted(gone, key=lambda n: n["id"].encode())]
    return [_with(x, track=T2)], lifts + [y]


def _r_tr_td(x, y, xw, doc):
    T2, _ = _split_track_r(x["track"], y["at"], y["span"])
    R = [e for e in y["removed"] if e["track"] != T2["id"]]
    return [_with(x, track=T2)], [_with(y, removed=R)]


def _td_against_td(x, y):
    a2, s2, R2 = x["at"], x["span"], x["removed"]
    a, s = y["at"], y["span"]

    def m(t):
        return t if t < a else (a if t < a + s else t - s)

    start, end = m(a2), m(a2 + s2)
    if end <= start:
        return []
    R = [{"track": e["track"], "note": _note_with_tick(e["note"], _shift_r(e["note"]["tick"], a, s))}
         for e in R2 if not _inside(e["note"]["tick"], a, s)]
    return [_with(x, at=start, span=end - start, removed=R)]


def _r_td_td(x, y, xw, doc):
    return _td_against_td(x, y), _td_against_td(y, x)


_RULES = {
    ("track.add", "track.add"): _r_ta_ta,
    ("track.add", "track.remove"): _r_ta_tr,
    ("track.add", "track.move"): _r_ta_tm,
    ("track.remove", "track.remove"): _r_tr_tr,
    ("track.remove", "track.move"): _r_tr_tm,
    ("track.move", "track.move"): _r_tm_tm,
    ("track.set", "track.remove"): _r_edit_tr,
    ("note.add", "track.remove"): _r_edit_tr,
    ("note.remove", "track.remove"): _r_edit_tr,
    ("note.set", "track.remove"): _r_edit_tr,
    ("track.set", "track.set"): _r_ts_ts,
    ("session.set", "session.set"): _r_ss_ss,
    ("note.add", "note.add"): _r_na_na,
    ("note.remove", "note.remove"): _r_nr_nr,
    ("note.remove", "note.set"): _r_nr_ns,
    ("note.set", "note.set"): _r_ns_ns,
    ("note.add", "time.insert"): _r_note_ti,
    ("note.remove", "time.insert"): _r_note_ti,
    ("note.set", "time.insert"): _r_ns_ti,
    ("track.add", "time.insert"): _r_track_ti,
    ("track.remove", "time.insert"): _r_track_ti,
    ("time.insert", "time.insert"): _r_ti_ti,
    ("time.remove", "time.insert"): _r_td_ti,
    ("note.add", "time.remove"): _r_na_td,
    ("note.remove", "time.remove"): _r_nr_td,
    ("note.set", "time.remove"): _r_ns_td,
    ("track.add", "time.remove"): _r_ta_td,
    ("track.remove", "time.remove"): _r_tr_td,
    ("time.remove", "time.remove"): _r_td_td,
}


def transform_component(x, y, x_wins, doc=None):
    """(x', y') for two components valid on the same document `doc`; each is a list of components.
    Pairs with no rule commute."""
    x, y = copy.deepcopy(x), copy.deepcopy(y)
    rule = _RULES.get((x["type"], y["type"]))
    if rule is not None:
        return rule(x, y, x_wins, doc)
    rule = _RULES.get((y["type"], x["type"]))
    if rule is not None:
        yp, xp = rule(y, x, not x_wins, doc)
        return xp, yp
    return [x], [y]


def transform(a, b, a_wins, doc=None, split="longer"):
    """(a', b') with apply(apply(S, a), b') == apply(apply(S, b), a').

    `doc` is the document both apply to; it is only read by the one rule that needs a note's full
    content (note.set of tick dragged into a span removed concurrently). `split` chooses which side is
    split first ("longer", "a", "b"); every choice gives the same result."""
    a, b = list(a), list(b)
    if not a or not b:
        return copy.deepcopy(a), copy.deepcopy(b)
    if len(a) == 1 and len(b) == 1:
        return transform_component(a[0], b[0], a_wins, doc)
    split_a = len(b) == 1 or (len(a) > 1 and (split == "a" or (split == "longer" and len(a) >= len(b))))
    if split_a:
        a0p, b1 = transform(a[:1], b, a_wins, doc, split)
        d1 = apply(doc, a[:1]) if doc is not None else None
        restp, b2 = transform(a[1:], b1, a_wins, d1, split)
        return a0p + restp, b2
    a1, b0p = transform(a, b[:1], a_wins, doc, split)
    d1 = apply(doc, b[:1]) if doc is not None else None
    a2, restp = transform(a1, b[1:], a_wins, d1, split)
    return a2, b0p + restp
