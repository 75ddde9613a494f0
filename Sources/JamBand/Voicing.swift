/// The pitches a keyboard plays for a chord, and the voice leading that picks them: of every voicing
/// of the chord in the register, the one with the least total semitone motion from the previous
/// voicing, where a previous seventh resolves down by step when the new chord has that note.
public struct Voicing: Hashable, Sendable {
    /// Ascending MIDI pitches.
    public var pitches: [Int]
    public var chord: Chord

    public init(pitches: [Int], chord: Chord) {
        self.pitches = pitches.sorted()
        self.chord = chord
    }

    /// Total motion in semitones from another voicing, voice by voice from the bottom (a voice added
    /// or dropped moves from or to the nearest pitch).
    public func motion(from other: Voicing) -> Int {
        if pitches.count == other.pitches.count {
            return zip(pitches, other.pitches).reduce(0) { $0 + abs($1.0 - $1.1) }
        }
        return pitches.reduce(0) { sum, pitch in sum + (other.pitches.map { abs($0 - pitch) }.min() ?? 0) }
    }

    /// The best voicing of `chord` (or of some of its `tones`) in `range` after `previous` (nil: the
    /// one nearest the middle).
    public static func lead(to chord: Chord, tones: [Int]? = nil, from previous: Voicing?, in range: ClosedRange<Int>) -> Voicing {
        let tones = tones ?? chord.tones
        let center = Double(range.lowerBound + range.upperBound) / 2
        // Every way to place each chord tone once in the range, no wider than a tenth.
        var options: [[Int]] = [[]]
        for pc in tones {
            var next: [[Int]] = []
            for partial in options {
                var pitch = range.lowerBound + PitchClass.of(pc - range.lowerBound)
                while pitch <= range.upperBound {
                    next.append(partial + [pitch])
                    pitch += 12
                }
            }
            options = next
        }
        var best: Voicing?
        var bestCost = Double.infinity
        for option in options {
            let sorted = option.sorted()
            guard let low = sorted.first, let high = sorted.last, high - low <= 16 else { continue }
            let voicing = Voicing(pitches: sorted, chord: chord)
            let mean = Double(sorted.reduce(0, +)) / Double(sorted.count)
            var cost = 0.25 * abs(mean - center)
            if let previous {
                cost += Double(voicing.motion(from: previous))
                if let seventh = previous.chord.seventh, let voice = previous.pitches.first(where: { PitchClass.of($0) == seventh }) {
                    // A seventh resolves down by step when the new chord has the note a step below.
                    let resolutions = [voice - 1, voice - 2].filter { chord.contains(pitch: $0) && $0 != voice }
                    if !resolutions.isEmpty && !chord.contains(pitch: voice) && !resolutions.contains(where: sorted.contains) { cost += 6 }
                }
            }
            if cost < bestCost || (cost == bestCost && sorted.lexicographicallyPrecedes(best?.pitches ?? [])) {
                bestCost = cost
                best = voicing
            }
        }
        if let best { return best }
        // A range too narrow for the chord: stack it from the bottom.
        var pitches: [Int] = []
        var floor = range.lowerBound - 1
        for pc in tones {
            var pitch = floor + 1 + PitchClass.of(pc - floor - 1)
            if pitch <= floor { pitch += 12 }
            pitches.append(pitch)
            floor = pitch
        }
        return Voicing(pitches: pitches, chord: chord)
    }
}
