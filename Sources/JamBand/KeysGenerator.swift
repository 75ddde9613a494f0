import JamCore

/// Plays the keys: the chords heard, voice-led from one to the next, in the style's comping rhythm
/// (pads, stabs, swing and bossa comping), in a register kept out of the humans' melody.
public struct KeysGenerator: Sendable {
    public init() {}

    /// The register for the keys: twenty semitones between C3 and C#6 overlapping the humans'
    /// melody least, nearest the middle of the keyboard.
    public static func register(avoiding melody: ClosedRange<Int>?) -> ClosedRange<Int> {
        let candidates = (48...66).map { $0...($0 + 19) }
        func overlap(_ r: ClosedRange<Int>) -> Int {
            guard let melody, r.overlaps(melody) else { return 0 }
            return min(r.upperBound, melody.upperBound) - max(r.lowerBound, melody.lowerBound) + 1
        }
        return candidates.min { a, b in
            let (oa, ob) = (overlap(a), overlap(b))
            return oa != ob ? oa < ob : abs(a.lowerBound - 55) < abs(b.lowerBound - 55)
        }!
    }

    /// The tones the keys voice for a chord: those the analysis is fairly sure of (at least 65% likely,
    /// the chord's two likeliest at least), and without a perfect fifth it is unsure of (under 80%).
    /// The fifth is the tone a voicing most easily does without, and the one that tells a chord from
    /// its relative or mediant (C–E–G from A–C–E, E–G–B): where those are in doubt, the keys play the
    /// shell the candidates share (C–E for C or Am), as an accompanist does on an unsure beat.
    public static func tones(for span: BarContext.Span) -> [Int] {
        var tones = span.safeTones(0.65)
        let fifth = span.chord.fifth
        if span.chord.quality.intervals[2] == 7 && span.support[fifth] < 0.8 && tones.count > 2 {
            tones.removeAll { $0 == fifth }
        }
        return tones
    }

    /// One hit of the comping rhythm: where in the span (in beats), how long, how hard.
    struct Hit {
        var t: Double
        var length: Double
        var velocity: Int
    }

    /// The bar's notes and the last voicing, for the next bar to lead from.
    public func notes(for c: BarContext, after previous: Voicing?) -> (notes: [PlayedNote], last: Voicing?) {
        var random = c.random(0x4B45)
        let range = Self.register(avoiding: c.melodyRange)
        var voicing = previous
        var notes: [PlayedNote] = []
        for span in c.chords {
            let next = Voicing.lead(to: span.chord, tones: Self.tones(for: span), from: voicing, in: range)
            voicing = next
            let end = c.end(of: span)
            let beatLength = c.grid.beats[span.beat].length
            let hits = rhythm(c, span, &random)
            let ticks = hits.map { c.tick(beat: span.beat + Int($0.t.rounded(.down)), fraction: $0.t - $0.t.rounded(.down)) }
            for (k, hit) in hits.enumerated() where ticks[k] < end && (k == 0 || ticks[k] > ticks[k - 1]) {
                let following = ticks[(k + 1)...].first { $0 > ticks[k] } ?? end
                let stop = min(end, following) - 5
                let tick = ticks[k]
                let length = min(stop, tick + Int(hit.length * Double(beatLength))) - tick
                guard length > 0 else { continue }
                for pitch in next.pitches {
                    notes.append(PlayedNote(tick: tick, duration: length, pitch: pitch, velocity: hit.velocity))
                }
            }
        }
        return (Humanizer.pitched(c.style).apply(notes, floor: c.start, using: &random), voicing)
    }

    /// The comping rhythm of one chord span: it always strikes where the chord begins.
    func rhythm(_ c: BarContext, _ span: BarContext.Span, _ random: inout SeededGenerator) -> [Hit] {
        let n = Double(span.beats)
        var hits: [Hit] = []
        switch c.style {
        case .ballad:
            if c.density > 0.6 && span.beats > 2 {
                hits = [Hit(t: 0, length: 2, velocity: 62), Hit(t: 2, length: n - 2, velocity: 56)]
            } else {
                hits = [Hit(t: 0, length: n, velocity: 62)]
            }
        case .house:
            hits = [Hit(t: 0, length: 0.3, velocity: 92)]
            for k in 0..<span.beats { hits.append(Hit(t: Double(k) + 0.5, length: 0.3, velocity: 96)) }
        case .rock:
            let step = c.density < 0.4 ? 2.0 : (c.density < 0.8 ? 1.0 : 0.5)
            var t = 0.0
            while t < n {
                hits.append(Hit(t: t, length: step * 0.9, velocity: t == 0 ? 88 : 78))
                t += step
            }
        case .funk:
            hits = [Hit(t: 0, length: 0.2, velocity: 100)]
            for k in 0..<span.beats {
                let t = Double(k)
                if k > 0 && random.chance(0.3 + 0.3 * c.density) { hits.append(Hit(t: t, length: 0.2, velocity: 90)) }
                if random.chance(0.25 + 0.4 * c.complexity) { hits.append(Hit(t: t + 0.75, length: 0.15, velocity: 84)) }
                if random.chance(0.2 + 0.4 * c.density) { hits.append(Hit(t: t + 0.5, length: 0.2, velocity: 94)) }
            }
        case .swing:
            // Charleston comping: on the beat, and on the "and" of the next, with an occasional push.
            hits = [Hit(t: 0, length: 0.7, velocity: 80)]
            var t = 0.0
            while t < n {
                if t + 1.5 < n && random.chance(0.5 + 0.4 * c.density) { hits.append(Hit(t: t + 1.5, length: 0.45, velocity: 74)) }
                t += 2
                if t < n && random.chance(0.3 * c.density) { hits.append(Hit(t: t, length: 0.6, velocity: 72)) }
            }
        case .bossa:
            // The two-bar bossa comping figure, read from where the span sits in the pair of bars.
            let figure: [Double] = c.bar % 2 == 0 ? [0, 1.5, 3] : [1, 2.5]
            hits = [Hit(t: 0, length: 0.45, velocity: 76)]
            for position in figure {
                let t = position - Double(span.beat)
                if t > 0 && t < n { hits.append(Hit(t: t, length: 0.45, velocity: 74)) }
            }
        }
        return hits.sorted { $0.t < $1.t }
    }
}
