/// Rewrites two concurrent operations so that each applies after the other (TP1):
/// `apply(apply(S, a), b′) == apply(apply(S, b), a′)` for every `S` on which `a` and `b` are valid.
/// `aWins` breaks ties; the server gives it to the operation committed first.
public func transform(_ a: Operation, _ b: Operation, aWins: Bool) -> (aPrime: Operation, bPrime: Operation) {
    let (a2, b2) = transform(a.components, b.components, aWins: aWins)
    return (Operation(a2), Operation(b2))
}

/// Transforms component lists by splitting the longer side: `(a0 + rest) × b` is `a0 × b`, then
/// `rest × b′`. A component may turn into none or two.
func transform(_ a: [Component], _ b: [Component], aWins: Bool) -> ([Component], [Component]) {
    if a.isEmpty || b.isEmpty { return (a, b) }
    if a.count == 1 && b.count == 1 { return transform(a[0], b[0], xWins: aWins) }
    if a.count > 1 {
        var bRest = b
        var aOut: [Component] = []
        aOut.reserveCapacity(a.count)
        for component in a {
            let (c2, b2) = transform([component], bRest, aWins: aWins)
            aOut.append(contentsOf: c2)
            bRest = b2
        }
        return (aOut, bRest)
    }
    var aRest = a
    var bOut: [Component] = []
    bOut.reserveCapacity(b.count)
    for component in b {
        let (a2, c2) = transform(aRest, [component], aWins: aWins)
        aRest = a2
        bOut.append(contentsOf: c2)
    }
    return (aRest, bOut)
}

extension Component {
    /// The order in which the pair rules are written; a pair is handled with its lower kind first.
    var kind: Int { componentKind.rawValue }
}

/// `(x′, y′)`: `x` rewritten to apply after `y`, and `y` to apply after `x` (DOCUMENT.md §4).
func transform(_ x: Component, _ y: Component, xWins: Bool) -> ([Component], [Component]) {
    if x.kind > y.kind {
        let (y2, x2) = ordered(y, x, xWins: !xWins)
        return (x2, y2)
    }
    return ordered(x, y, xWins: xWins)
}

/// The pair rules, for `x.kind <= y.kind`.
private func ordered(_ x: Component, _ y: Component, xWins: Bool) -> ([Component], [Component]) {
    switch (x, y) {
    // MARK: Tracks in the list
    case let (.trackAdd(i, t), .trackAdd(j, u)):
        if t.id == u.id {
            if t == u && i == j { return ([], []) }
            return xWins
                ? ([.trackRemove(index: j, track: u), .trackAdd(index: i, track: t)], [])
                : ([], [.trackRemove(index: i, track: t), .trackAdd(index: j, track: u)])
        }
        if i < j || (i == j && xWins) {
            return ([x], [.trackAdd(index: j + 1, track: u)])
        }
        return ([.trackAdd(index: i + 1, track: t)], [y])

    case let (.trackAdd(i, t), .trackRemove(j, u)):
        return ([.trackAdd(index: i > j ? i - 1 : i, track: t)], [.trackRemove(index: j >= i ? j + 1 : j, track: u)])

    case let (.trackAdd(i, t), .trackMove(id, f, to)):
        let i1 = i > f ? i - 1 : i
        let i2 = i1 > to ? i1 + 1 : i1
        return ([.trackAdd(index: i2, track: t)], [.trackMove(track: id, from: f >= i ? f + 1 : f, to: i2 <= to ? to + 1 : to)])

    case let (.trackAdd(i, t), .timeInsert(at, span)):
        return ([.trackAdd(index: i, track: t.insertingTime(at: at, span: span))], [y])

    case let (.trackAdd(i, t), .timeRemove(at, span, removed)):
        // Notes the remover did not see are kept, at the seam.
        let (kept, inside) = t.splitting(at: at, span: span)
        var seamed = kept
        for var note in inside {
            note.tick = at
            seamed.notes[note.id] = note
        }
        let lift = inside.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }.map {
            Component.noteSet(track: t.id, note: $0.id, field: .tick, value: at + span, old: $0.tick)
        }
        return ([.trackAdd(index: i, track: seamed)], lift + [.timeRemove(at: at, span: span, removed: removed)])

    case let (.trackRemove(i, t), .trackRemove(j, u)):
        if t.id == u.id { return ([], []) }
        return ([.trackRemove(index: i > j ? i - 1 : i, track: t)], [.trackRemove(index: j > i ? j - 1 : j, track: u)])

    case let (.trackRemove(d, t), .trackMove(id, f, to)):
        if t.id == id { return ([.trackRemove(index: to, track: t)], []) }
        let d1 = d > f ? d - 1 : d
        let d2 = d1 >= to ? d1 + 1 : d1
        return ([.trackRemove(index: d2, track: t)], [.trackMove(track: id, from: f > d ? f - 1 : f, to: d2 < to ? to - 1 : to)])

    case let (.trackRemove(d, t), .trackSet(id, _, _)) where id == t.id,
        let (.trackRemove(d, t), .noteAdd(id, _)) where id == t.id,
        let (.trackRemove(d, t), .noteRemove(id, _)) where id == t.id,
        let (.trackRemove(d, t), .noteSet(id, _, _, _, _)) where id == t.id:
        return ([.trackRemove(index: d, track: t.applying(y))], [])

    case let (.trackRemove(d, t), .timeInsert(at, span)):
        return ([.trackRemove(index: d, track: t.insertingTime(at: at, span: span))], [y])

    case let (.trackRemove(d, t), .timeRemove(at, span, removed)):
        let (kept, _) = t.splitting(at: at, span: span)
        return ([.trackRemove(index: d, track: kept)], [.timeRemove(at: at, span: span, removed: removed.filter { $0.track != t.id })])

    case let (.trackMove(xid, f1, t1), .trackMove(yid, f2, t2)):
        if xid == yid {
            return xWins ? ([.trackMove(track: xid, from: t2, to: t1)], []) : ([], [.trackMove(track: yid, from: t1, to: t2)])
        }
        // Each target as a gap of the list without both tracks; equal gaps: the winner first.
        let yp = f2 > f1 ? f2 - 1 : f2
        let xp = f1 > f2 ? f1 - 1 : f1
        let gx = t1 > yp ? t1 - 1 : t1
        let gy = t2 > xp ? t2 - 1 : t2
        let xFirst = gx < gy || (gx == gy && xWins)
        let finalX = xFirst ? gx : gx + 1
        let finalY = xFirst ? gy + 1 : gy
        return (
            [.trackMove(track: xid, from: position(f1, afterMove: f2, to: t2), to: finalX)],
            [.trackMove(track: yid, from: position(f2, afterMove: f1, to: t1), to: finalY)]
        )

    // MARK: Sets
    case let (.trackSet(t1, v1, _), .trackSet(t2, v2, _)) where t1 == t2 && v1.field == v2.field:
        return xWins ? ([.trackSet(track: t1, value: v1, old: v2)], []) : ([], [.trackSet(track: t2, value: v2, old: v1)])

    case let (.sessionSet(v1, _), .sessionSet(v2, _)) where v1.field == v2.field:
        return xWins ? ([.sessionSet(value: v1, old: v2)], []) : ([], [.sessionSet(value: v2, old: v1)])

    case let (.noteSet(t1, n1, f1, v1, _), .noteSet(t2, n2, f2, v2, _)) where t1 == t2 && n1 == n2 && f1 == f2:
        return xWins
            ? ([.noteSet(track: t1, note: n1, field: f1, value: v1, old: v2)], [])
            : ([], [.noteSet(track: t2, note: n2, field: f2, value: v2, old: v1)])

    // MARK: Notes
    case let (.noteAdd(t1, n), .noteAdd(t2, m)) where t1 == t2 && n.id == m.id:
        if n == m { return ([], []) }
        return xWins
            ? ([.noteRemove(track: t2, note: m), .noteAdd(track: t1, note: n)], [])
            : ([], [.noteRemove(track: t1, note: n), .noteAdd(track: t2, note: m)])

    case let (.noteRemove(t1, n), .noteRemove(t2, m)) where t1 == t2 && n.id == m.id:
        return ([], [])

    case let (.noteRemove(t1, n), .noteSet(t2, id, field, value, _)) where t1 == t2 && n.id == id:
        var changed = n
        changed[field] = value
        return ([.noteRemove(track: t1, note: changed)], [])

    // MARK: Time against notes
    case let (.noteAdd(t, n), .timeInsert(at, span)):
        return ([.noteAdd(track: t, note: n.insertingTime(at: at, span: span))], [y])

    case let (.noteRemove(t, n), .timeInsert(at, span)):
        return ([.noteRemove(track: t, note: n.insertingTime(at: at, span: span))], [y])

    case let (.noteSet(t, id, .tick, value, old), .timeInsert(at, span)):
        let shift = { (tick: Int) in tick >= at ? tick + span : tick }
        return ([.noteSet(track: t, note: id, field: .tick, value: shift(value), old: shift(old))], [y])

    case let (.noteAdd(t, n), .timeRemove(at, span, removed)):
        if inside(n.tick, at, span) {
            // The remover did not see this note: it is kept, at the seam.
            var seamed = n
            seamed.tick = at
            return (
                [.noteAdd(track: t, note: seamed)],
                [.noteSet(track: t, note: n.id, field: .tick, value: at + span, old: n.tick), y]
            )
        }
        return ([.noteAdd(track: t, note: n.removingTime(at: at, span: span))], [.timeRemove(at: at, span: span, removed: removed)])

    case let (.noteRemove(t, n), .timeRemove(at, span, removed)):
        if inside(n.tick, at, span) {
            return ([], [.timeRemove(at: at, span: span, removed: removed.filter { !($0.track == t && $0.note.id == n.id) })])
        }
        return ([.noteRemove(track: t, note: n.removingTime(at: at, span: span))], [y])

    case let (.noteSet(t, id, field, value, old), .timeRemove(at, span, removed)):
        let entry = removed.firstIndex { $0.track == t && $0.note.id == id }
        guard field == .tick else {
            guard let entry else { return ([x], [y]) }
            var changed = removed
            changed[entry].note[field] = value
            return ([], [.timeRemove(at: at, span: span, removed: changed)])
        }
        let shift = { (tick: Int) in tick >= at + span ? tick - span : tick }
        switch (inside(old, at, span), inside(value, at, span), entry) {
        case (true, true, let entry?):
            var changed = removed
            changed[entry].note.tick = value
            return ([], [.timeRemove(at: at, span: span, removed: changed)])
        case (true, false, let entry?):
            // Dragged out of the removed span: it survives where it was dragged to.
            var note = removed[entry].note
            note.tick = shift(value)
            var rest = removed
            rest.remove(at: entry)
            return ([.noteAdd(track: t, note: note)], [.timeRemove(at: at, span: span, removed: rest)])
        case (false, true, _):
            // Dragged into the removed span: the remover did not see it there, so it stays, at the seam.
            return (
                [.noteSet(track: t, note: id, field: .tick, value: at, old: shift(old))],
                [.noteSet(track: t, note: id, field: .tick, value: at + span, old: value), y]
            )
        default:
            return ([.noteSet(track: t, note: id, field: .tick, value: shift(value), old: shift(old))], [y])
        }

    // MARK: Time against time
    case let (.timeInsert(a1, s1), .timeInsert(a2, s2)):
        if a1 < a2 || (a1 == a2 && xWins) {
            return ([x], [.timeInsert(at: a2 + s1, span: s2)])
        }
        return ([.timeInsert(at: a1 + s2, span: s1)], [y])

    case let (.timeInsert(a, s), .timeRemove(a2, s2, removed)):
        let shifted = { (items: [RemovedNote]) in
            items.map { item in
                var item = item
                if item.note.tick >= a { item.note.tick += s }
                return item
            }
        }
        if a <= a2 {
            return ([x], [.timeRemove(at: a2 + s, span: s2, removed: shifted(removed))])
        }
        if a >= a2 + s2 {
            return ([.timeInsert(at: a - s2, span: s)], [y])
        }
        // Time inserted inside a removed span goes with it.
        return ([], [.timeRemove(at: a2, span: s2 + s, removed: shifted(removed))])

    case let (.timeRemove(a1, s1, r1), .timeRemove(a2, s2, r2)):
        return (remainder(a1, s1, r1, after: a2, s2), remainder(a2, s2, r2, after: a1, s1))

    default:
        return ([x], [y])
    }
}

/// `a ≤ tick < a + span`.
func inside(_ tick: Int, _ at: Int, _ span: Int) -> Bool {
    tick >= at && tick - at < span
}

/// Where an element at `p` stands after another element moves from `from` to `to`.
private func position(_ p: Int, afterMove from: Int, to: Int) -> Int {
    let p1 = p > from ? p - 1 : p
    return p1 >= to ? p1 + 1 : p1
}

/// What is left of removing `[a, a+s)` once `[b, b+t)` is gone.
private func remainder(_ a: Int, _ s: Int, _ removed: [RemovedNote], after b: Int, _ t: Int) -> [Component] {
    let map = { (tick: Int) in tick < b ? tick : (tick < b + t ? b : tick - t) }
    let start = map(a)
    let span = map(a + s) - start
    guard span > 0 else { return [] }
    let left = removed.compactMap { item -> RemovedNote? in
        guard !inside(item.note.tick, b, t) else { return nil }
        return RemovedNote(track: item.track, note: item.note.removingTime(at: b, span: t))
    }
    return [.timeRemove(at: start, span: span, removed: left)]
}

extension Note {
    func insertingTime(at: Int, span: Int) -> Note {
        var note = self
        if note.tick >= at { note.tick += span }
        return note
    }

    /// The note after `time.remove at span`, for a note that starts outside the span.
    func removingTime(at: Int, span: Int) -> Note {
        var note = self
        if note.tick >= at + span { note.tick -= span }
        return note
    }
}

extension Track {
    func insertingTime(at: Int, span: Int) -> Track {
        var track = self
        track.insertTime(at: at, span: span)
        return track
    }

    /// The track after `time.remove at span`, and the notes that span took.
    func splitting(at: Int, span: Int) -> (Track, [Note]) {
        let taken = notes.values.filter { JamCore.inside($0.tick, at, span) }
        var track = self
        track.removeTime(at: at, span: span)
        return (track, taken)
    }

    /// The track with a component confined to it applied (used to keep carried content current).
    func applying(_ component: Component) -> Track {
        var track = self
        switch component {
        case .trackSet(_, let value, _):
            track.set(value)
        case .noteAdd(_, let note):
            track.notes[note.id] = note
        case .noteRemove(_, let note):
            track.notes[note.id] = nil
        case .noteSet(_, let id, let field, let value, _):
            track.notes[id]?[field] = value
        default:
            break
        }
        return track
    }
}
