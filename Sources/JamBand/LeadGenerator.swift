import JamCore

/// Plays the lead as call and response: where a human phrase ends in a rest of about a beat, it
/// answers with a phrase of similar length made from the humans' own material (a variable-order
/// Markov model over their melodic steps and rhythms), chord tones on strong beats, in the key.
public struct LeadGenerator: Sendable {
    public init() {}

    /// A step of the material: the move in scale steps to the next note and the time to it in sixteenths.
    struct Token: Hashable, Sendable {
        var step: Int
        var sixteenths: Int
    }

    /// The answers to every phrase followed by room enough.
    public func notes(reading: Reading, phrases: [Phrase], style: Style, density: Double, complexity: Double, seed: UInt64) -> [PlayedNote] {
        let grid = reading.grid
        let sixteenth = Document.ppq / 4
        let pieceEnd = reading.bars * grid.barTicks
        var notes: [PlayedNote] = []
        var model = MarkovModel<Token>(maxOrder: complexity > 0.6 ? 2 : 3)
        for (index, call) in phrases.enumerated() {
            model.learn(tokens(call, reading: reading))
            let nextStart = index + 1 < phrases.count ? phrases[index + 1].start : pieceEnd
            // Answer from the next eighth after the call; leave a sixteenth before the humans go on.
            let start = (call.end + sixteenth * 2 - 1) / (sixteenth * 2) * (sixteenth * 2)
            let room = nextStart - sixteenth - start
            let length = min(call.length, room)
            guard length >= Document.ppq, call.notes.count >= 2 else { continue }
            var random = Seeds.generator(seed, UInt64(call.start), 0x1EAD)
            guard random.chance(0.55 + 0.45 * density) else { continue }
            notes += answer(call, from: start, length: length, model: model, reading: reading, &random)
        }
        return notes
    }

    func tokens(_ phrase: Phrase, reading: Reading) -> [Token] {
        let sixteenth = Document.ppq / 4
        var tokens: [Token] = []
        for (a, b) in zip(phrase.notes, phrase.notes.dropFirst()) {
            let key = reading.key(atBar: a.tick / reading.grid.barTicks)
            let step = Self.degree(b.pitch, key) - Self.degree(a.pitch, key)
            let gap = max(1, min(16, Int((Double(b.tick - a.tick) / Double(sixteenth)).rounded())))
            tokens.append(Token(step: max(-7, min(7, step)), sixteenths: gap))
        }
        return tokens
    }

    func answer(_ call: Phrase, from start: Int, length: Int, model: MarkovModel<Token>, reading: Reading, _ random: inout SeededGenerator) -> [PlayedNote] {
        let sixteenth = Document.ppq / 4
        let pitches = call.notes.map(\.pitch)
        let low = max(36, (pitches.min() ?? 60) - 2), high = min(100, (pitches.max() ?? 72) + 2)
        let velocity = call.notes.reduce(0) { $0 + $1.velocity } / max(1, call.notes.count)
        var history = Array(tokens(call, reading: reading).suffix(3))
        var tick = start
        var pitch = snap(call.notes.last!.pitch, at: tick, reading: reading, chordTone: true, low: low, high: high)
        var played: [PlayedNote] = []
        while tick < start + length {
            let token = model.next(after: history, using: &random) ?? Token(step: 0, sixteenths: 4)
            history.append(token)
            let nextTick = tick + token.sixteenths * sixteenth
            let last = nextTick >= start + length
            let stop = last ? min(start + length, tick + 2 * Document.ppq) : nextTick - 10
            played.append(PlayedNote(tick: tick, duration: max(30, stop - tick), pitch: pitch, velocity: velocity + random.jitter(6)))
            guard !last else { break }
            let key = reading.key(atBar: nextTick / reading.grid.barTicks)
            var step = token.step
            if Self.pitch(ofDegree: Self.degree(pitch, key) + step, key) > high || Self.pitch(ofDegree: Self.degree(pitch, key) + step, key) < low { step = -step }
            let moved = Self.pitch(ofDegree: Self.degree(pitch, key) + step, key)
            tick = nextTick
            let onStrongBeat = Self.isStrongBeat(tick, reading.grid)
            pitch = snap(moved, at: tick, reading: reading, chordTone: onStrongBeat, low: low, high: high)
        }
        // The answer ends on a chord tone.
        if var final = played.popLast() {
            final.pitch = snap(final.pitch, at: final.tick, reading: reading, chordTone: true, low: low, high: high)
            played.append(final)
        }
        return played
    }

    /// The nearest pitch in range that is a chord tone (or, off the strong beats, in the key's palette
    /// or the chord).
    func snap(_ pitch: Int, at tick: Int, reading: Reading, chordTone: Bool, low: Int, high: Int) -> Int {
        let chord = reading.chord(atTick: tick)
        let allowed = chordTone ? chord.pitchClasses : reading.key(atBar: tick / reading.grid.barTicks).palette.union(chord.pitchClasses)
        for distance in 0...12 {
            for candidate in [pitch - distance, pitch + distance] where candidate >= low && candidate <= high && allowed.contains(candidate) {
                return candidate
            }
        }
        return BassGenerator.fit(pitch)
    }

    static func isStrongBeat(_ tick: Int, _ grid: BeatGrid) -> Bool {
        let beat = grid.beat(containing: tick)
        return grid.tick(ofBeat: beat) == tick && grid.beats[beat % grid.beatsPerBar].isStrong
    }

    /// A pitch's place on the key's scale, counting scale steps from C-1 (a note off the scale takes
    /// the step below it).
    static func degree(_ pitch: Int, _ key: Tonality) -> Int {
        let degrees = key.degrees
        let relative = pitch - key.tonic
        let octave = Int((Double(relative) / 12).rounded(.down))
        let within = relative - octave * 12
        let index = degrees.map { PitchClass.of($0 - key.tonic) }.lastIndex { $0 <= within } ?? 0
        return octave * 7 + index
    }

    static func pitch(ofDegree degree: Int, _ key: Tonality) -> Int {
        let octave = Int((Double(degree) / 7).rounded(.down))
        let index = degree - octave * 7
        return key.tonic + octave * 12 + PitchClass.of(key.degrees[index] - key.tonic)
    }
}
