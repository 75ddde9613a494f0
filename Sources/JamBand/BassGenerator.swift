import JamCore

/// Plays the bass: roots and fifths on the strong beats, approach notes into chord changes (diatonic,
/// or chromatic as complexity grows), walking quarter notes for swing, within E1–G3.
public struct BassGenerator: Sendable {
    /// E1 (MIDI 28) to G3 (MIDI 55): the four-string bass and a little more.
    public static let range = 28...55

    public init() {}

    enum Kind: Hashable {
        case root, fifth, octave, chordTone, walk, approach, ghost
    }

    /// One note of the rhythm before it has a pitch: where, how long (in beats), what it is.
    struct Event {
        var span: Int
        var beat: Int
        var fraction: Double
        var length: Double
        var kind: Kind
        var velocity: Int
    }

    /// The note the bass rests on for a span: the root when the analysis is all but sure of it (90%),
    /// else the chord's surest tone when that is clearly surer than the root. It is a tone the likely
    /// chords share, so the chord sounds over it (an inversion) instead of over a root that may be wrong.
    static func anchor(_ span: BarContext.Span) -> Int {
        let root = span.chord.root
        let best = span.chord.tones.max { span.support[$0] < span.support[$1] } ?? root
        return span.support[root] >= 0.9 || span.support[best] < span.support[root] + 0.15 ? root : best
    }

    public func notes(for c: BarContext) -> [PlayedNote] {
        var random = c.random(0xBA55)
        var events: [Event] = []
        for (index, span) in c.chords.enumerated() {
            events += rhythm(c, index, span, changes: c.chord(after: index) != span.chord, &random)
        }
        events.sort { ($0.beat, $0.fraction) < ($1.beat, $1.fraction) }

        var notes: [PlayedNote] = []
        var last: Int? = nil
        var rootPitch = 0
        var rootSpan = -1
        for (n, event) in events.enumerated() {
            let span = c.chords[event.span]
            let chord = span.chord
            if event.span != rootSpan {
                rootPitch = Self.home(Self.anchor(span))
                rootSpan = event.span
            }
            let hedged = Self.anchor(span) != chord.root
            let strong = event.fraction == 0 && c.grid.beats[min(event.beat, c.grid.beatsPerBar - 1)].isStrong
            let pitch: Int
            switch event.kind {
            case .root, .ghost:
                pitch = rootPitch
            case .fifth:
                pitch = hedged ? rootPitch : Self.fit(rootPitch + (chord.fifth - chord.root + 12) % 12)
            case .octave:
                pitch = rootPitch + 12 <= Self.range.upperBound ? rootPitch + 12 : Self.fit(rootPitch - 12)
            case .chordTone:
                let tones = chord.tones.dropFirst()
                let pc = tones[tones.startIndex + Int(random.next() % UInt64(tones.count))]
                pitch = Self.nearest(pc, to: last ?? rootPitch)
            case .walk:
                let target = Self.home(c.chord(after: event.span).root)
                pitch = walk(from: last ?? rootPitch, toward: target, chord: chord, key: c.key, chordTonesOnly: strong, &random)
            case .approach:
                let target = Self.home(c.chord(after: event.span).root)
                pitch = approach(target, key: c.key, complexity: c.complexity, &random)
            }
            let tick = c.tick(beat: event.beat, fraction: event.fraction)
            let beatLength = c.grid.beats[min(event.beat, c.grid.beatsPerBar - 1)].length
            var end = tick + Int(event.length * Double(beatLength))
            if n + 1 < events.count { end = min(end, c.tick(beat: events[n + 1].beat, fraction: events[n + 1].fraction) - 10) }
            end = min(end, c.end(of: span))
            notes.append(PlayedNote(tick: tick, duration: max(30, end - tick), pitch: pitch, velocity: event.velocity))
            last = pitch
        }
        return Humanizer.pitched(c.style).apply(notes, floor: c.start, using: &random)
    }

    /// The rhythm of one chord span in the style.
    func rhythm(_ c: BarContext, _ index: Int, _ span: BarContext.Span, changes: Bool, _ random: inout SeededGenerator) -> [Event] {
        let n = span.beats
        var events: [Event] = []
        func add(_ t: Double, _ length: Double, _ kind: Kind, _ velocity: Int) {
            let whole = Int(t.rounded(.down))
            events.append(Event(span: index, beat: span.beat + whole, fraction: t - Double(whole), length: length, kind: kind, velocity: velocity))
        }
        func isStrong(_ t: Double) -> Bool {
            t == t.rounded(.down) && c.grid.beats[span.beat + Int(t)].isStrong
        }
        let approachChance = 0.35 + 0.5 * c.complexity
        switch c.style {
        case .rock:
            let step = c.density < 0.35 ? 2.0 : (c.density < 0.7 ? 1.0 : 0.5)
            var t = 0.0
            while t < Double(n) {
                let lastOne = t + step >= Double(n)
                var kind: Kind = .root
                if t > 0 && !isStrong(t) && random.chance(0.4 * c.complexity) { kind = t.truncatingRemainder(dividingBy: 1) == 0.5 ? .octave : .fifth }
                if lastOne && t > 0 && changes && !isStrong(t) && random.chance(approachChance) { kind = .approach }
                add(t, step * 0.9, kind, t == 0 ? 100 : 88)
                t += step
            }
        case .funk:
            for k in 0..<n {
                let t = Double(k)
                let lastBeat = k == n - 1
                if k == 0 || isStrong(t) || random.chance(0.6 + 0.3 * c.density) {
                    add(t, 0.4, k == 0 || isStrong(t) ? .root : (random.chance(0.5) ? .octave : .chordTone), 108)
                }
                if random.chance(0.2 * c.complexity) { add(t + 0.25, 0.2, .chordTone, 80) }
                if random.chance(0.3 + 0.4 * c.complexity) { add(t + 0.5, 0.2, .octave, 92) }
                if lastBeat && changes && random.chance(approachChance + 0.15) {
                    add(t + 0.75, 0.2, .approach, 96)
                } else if random.chance(0.25 + 0.4 * c.density) {
                    add(t + 0.75, 0.15, .ghost, 52)
                }
            }
        case .swing:
            if c.density < 0.3 {
                // A two-feel: half notes, root then fifth.
                add(0, min(2, Double(n)) * 0.95, .root, 92)
                if n > 2 { add(2, Double(n - 2) * 0.95, changes && !isStrong(2) ? .approach : .fifth, 84) }
            } else {
                for k in 0..<n {
                    let t = Double(k)
                    let kind: Kind
                    if k == 0 { kind = .root }
                    else if k == n - 1 && !isStrong(t) && (changes || random.chance(0.5)) { kind = .approach }
                    else { kind = .walk }
                    add(t, 0.92, kind, k == 0 ? 96 : 84)
                }
            }
        case .bossa:
            var t = 0
            while t < n {
                if n - t >= 2 {
                    add(Double(t), 1.45, .root, 92)
                    let lastPair = t + 2 >= n
                    add(Double(t) + 1.5, 0.45, lastPair && changes && random.chance(c.complexity) ? .approach : .fifth, 82)
                } else {
                    add(Double(t), 0.9, .root, 88)
                }
                t += 2
            }
        case .ballad:
            if c.density < 0.5 || n <= 2 {
                add(0, Double(n) * 0.97, .root, 80)
            } else {
                add(0, 2 * 0.97, .root, 80)
                add(2, Double(n - 2) * 0.97, .fifth, 74)
            }
            if changes && n >= 2 && random.chance(c.complexity - 0.3) {
                add(Double(n) - 0.5, 0.45, .approach, 72)
            }
        case .house:
            for k in 0..<n {
                let t = Double(k)
                if (span.beat + k == 0 && c.density > 0.5) { add(t, 0.4, .root, 104) }
                add(t + 0.5, 0.4, k % 2 == 1 ? .octave : .root, 100)
                if random.chance(0.3 * c.density) && !(k == n - 1 && changes) { add(t + 0.75, 0.2, .ghost, 70) }
            }
        }
        return events
    }

    /// The next note of a walking line: a step or a leap of at most a fourth, towards the target,
    /// a chord tone on a strong beat, a scale or chord tone otherwise.
    func walk(from last: Int, toward target: Int, chord: Chord, key: Tonality, chordTonesOnly: Bool, _ random: inout SeededGenerator) -> Int {
        let allowed = chordTonesOnly ? chord.pitchClasses : chord.pitchClasses.union(key.scale)
        var best = last, bestScore = Double.infinity
        for candidate in (last - 5)...(last + 5) where candidate != last && Self.range.contains(candidate) && allowed.contains(candidate) {
            let distance = Double(abs(candidate - target))
            let leap = Double(abs(candidate - last))
            // Prefer getting closer to the target without landing on it early; steps over leaps.
            let score = abs(distance - 2.5) + 0.3 * leap + Double(random.next() % 100) / 100
            if score < bestScore {
                bestScore = score
                best = candidate
            }
        }
        return best
    }

    /// A note leading into `target`: a half step below or above, the scale step above or below, or the
    /// target's dominant (its fifth, a fourth below or fifth above). Chromatic only with complexity.
    func approach(_ target: Int, key: Tonality, complexity: Double, _ random: inout SeededGenerator) -> Int {
        let scaleAbove = (target + 1...target + 2).first { key.scale.contains($0) } ?? target + 2
        let scaleBelow = (target - 2...target - 1).reversed().first { key.scale.contains($0) } ?? target - 2
        let dominant = target - 5 >= Self.range.lowerBound ? target - 5 : target + 7
        let options = [target - 1, target + 1, scaleAbove, scaleBelow, dominant]
        let chromatic = complexity >= 0.35 ? complexity : 0
        let choice = random.pick(weights: [0.6 * chromatic, 0.4 * chromatic, 0.3, 0.3, 0.25])
        return Self.fit(options[choice])
    }

    /// Where a chord's root is played: A1–G#2, the bass's home octave. Fixed, so that a line leading
    /// into the next bar arrives where that bar, played on its own, begins.
    static func home(_ pitchClass: Int) -> Int {
        33 + PitchClass.of(pitchClass - 33)
    }

    /// The pitch of a pitch class nearest a reference, within the range.
    static func nearest(_ pitchClass: Int, to reference: Int) -> Int {
        let base = reference + PitchClass.distance(from: reference, to: pitchClass)
        return fit(base)
    }

    /// A pitch moved by octaves into the range.
    static func fit(_ pitch: Int) -> Int {
        var p = pitch
        while p < range.lowerBound { p += 12 }
        while p > range.upperBound { p -= 12 }
        return p
    }
}
