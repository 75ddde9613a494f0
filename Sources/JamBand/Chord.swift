/// A chord: a root pitch class and a quality. Symbols are spelt for a key ("Bbmaj7", "F#m7b5").
public struct Chord: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The root's pitch class, 0 = C.
    public var root: Int
    public var quality: ChordQuality

    public init(root: Int, quality: ChordQuality) {
        self.root = PitchClass.of(root)
        self.quality = quality
    }

    /// Parses a symbol such as "Cm7", "Bbmaj7", "F#m7b5", "Ebsus4".
    public init?(symbol: String) {
        var rest = Substring(symbol)
        guard let letter = rest.first, "ABCDEFG".contains(letter.uppercased()) else { return nil }
        var name = String(rest.removeFirst())
        while let next = rest.first, next == "#" || next == "♯" || next == "b" || next == "♭" {
            // "b" after the letter is a flat only when it is not the start of a suffix (none starts with b).
            name.append(rest.removeFirst())
        }
        guard let root = PitchClass.parse(Substring(name)), let quality = ChordQuality(suffix: rest) else { return nil }
        self.init(root: root, quality: quality)
    }

    /// Every chord the analysis considers: 12 roots × 11 qualities.
    public static let all: [Chord] = ChordQuality.allCases.flatMap { quality in (0..<12).map { Chord(root: $0, quality: quality) } }

    /// The chord's pitch classes, root first, in stacking order.
    public var tones: [Int] { quality.intervals.map { PitchClass.of(root + $0) } }

    public var pitchClasses: PitchClassSet { PitchClassSet(tones) }

    public func contains(pitch: Int) -> Bool { pitchClasses.contains(pitch) }

    /// The third (nil for suspended chords), the fifth and the seventh, as pitch classes.
    public var third: Int? {
        let third = quality.intervals[1]
        return third == 3 || third == 4 ? PitchClass.of(root + third) : nil
    }

    public var fifth: Int { PitchClass.of(root + quality.intervals[2]) }

    public var seventh: Int? { quality.isSeventh ? PitchClass.of(root + quality.intervals[3]) : nil }

    /// The symbol spelt with flats or sharps.
    public func symbol(flats: Bool) -> String {
        PitchClass.name(root, flats: flats) + quality.suffix
    }

    /// The symbol spelt as a key prefers.
    public func symbol(in key: Tonality) -> String { symbol(flats: key.prefersFlats) }

    public var description: String { symbol(flats: [1, 3, 8, 10].contains(root)) }

    public func transposed(by interval: Int) -> Chord {
        Chord(root: root + interval, quality: quality)
    }

    /// The chord without its seventh: the triad it extends.
    public var triad: Chord {
        switch quality {
        case .dominant7, .major7: Chord(root: root, quality: .major)
        case .minor7: Chord(root: root, quality: .minor)
        case .halfDiminished7, .diminished7: Chord(root: root, quality: .diminished)
        default: self
        }
    }
}
