import JamCore

/// A key as the bandmate hears it: a tonic pitch class and a mode, with its scale and diatonic chords.
///
/// JamCore's `Key` is the session field people set (a spelt name); this is the analysed value.
public struct Tonality: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Mode: String, Hashable, Sendable, Codable, CaseIterable {
        case major, minor
    }

    public var tonic: Int
    public var mode: Mode

    public init(tonic: Int, mode: Mode) {
        self.tonic = PitchClass.of(tonic)
        self.mode = mode
    }

    /// The tonality of a session key; nil for a tonic name JamCore does not know.
    public init?(_ key: Key) {
        guard let tonic = key.pitchClass, let mode = Mode(rawValue: key.mode) else { return nil }
        self.init(tonic: tonic, mode: mode)
    }

    /// All 24 major and minor keys, majors first, each by tonic.
    public static let all: [Tonality] = Mode.allCases.flatMap { mode in (0..<12).map { Tonality(tonic: $0, mode: mode) } }

    /// The index of this key in `all`.
    public var index: Int { (mode == .major ? 0 : 12) + tonic }

    /// The diatonic scale: major, or natural minor.
    public var scale: PitchClassSet {
        PitchClassSet((mode == .major ? [0, 2, 4, 5, 7, 9, 11] : [0, 2, 3, 5, 7, 8, 10]).map { tonic + $0 })
    }

    /// The scale as pitch classes in degree order, tonic first.
    public var degrees: [Int] {
        (mode == .major ? [0, 2, 4, 5, 7, 9, 11] : [0, 2, 3, 5, 7, 8, 10]).map { PitchClass.of(tonic + $0) }
    }

    /// The pitch classes a piece in this key uses without sounding out of key: the scale, and in minor
    /// also the raised sixth and seventh of the melodic and harmonic minor.
    public var palette: PitchClassSet {
        mode == .major ? scale : scale.union(PitchClassSet([tonic + 9, tonic + 11]))
    }

    /// Major keys spelt with flats, and minor keys whose relative major is.
    public var prefersFlats: Bool {
        let major = mode == .major ? tonic : PitchClass.of(tonic + 3)
        return [1, 3, 5, 8, 10].contains(major) || (mode == .minor && major == 6)
    }

    /// "D minor", "Bb major".
    public var name: String { "\(PitchClass.name(tonic, flats: prefersFlats)) \(mode.rawValue)" }

    public var description: String { name }

    /// The session key with the same tonic and mode, spelt as this key prefers.
    public var key: Key { Key(tonic: PitchClass.name(tonic, flats: prefersFlats), mode: mode.rawValue) }

    /// The relative key: A minor for C major and back.
    public var relative: Tonality {
        mode == .major ? Tonality(tonic: tonic + 9, mode: .minor) : Tonality(tonic: tonic + 3, mode: .major)
    }

    public func transposed(by interval: Int) -> Tonality { Tonality(tonic: tonic + interval, mode: mode) }

    /// The chord built on a scale degree (0 = tonic) from the scale's own notes; in minor, the fifth
    /// degree is major (the harmonic minor's dominant), as in practice.
    public func chord(degree: Int, seventh: Bool = false) -> Chord {
        let d = ((degree % 7) + 7) % 7
        let steps = mode == .major ? [0, 2, 4, 5, 7, 9, 11] : [0, 2, 3, 5, 7, 8, 10]
        func note(_ k: Int) -> Int { steps[(d + k) % 7] + ((d + k) >= 7 ? 12 : 0) }
        var third = note(2) - note(0), sev = note(6) - note(0)
        let fifth = note(4) - note(0)
        if mode == .minor && d == 4 {
            third = 4
            sev = 10
        }
        let quality: ChordQuality
        switch (third, fifth, seventh ? sev : nil) {
        case (4, 7, nil): quality = .major
        case (3, 7, nil): quality = .minor
        case (3, 6, nil): quality = .diminished
        case (4, 8, nil): quality = .augmented
        case (4, 7, 10): quality = .dominant7
        case (4, 7, 11): quality = .major7
        case (3, 7, 10): quality = .minor7
        case (3, 6, 10): quality = .halfDiminished7
        case (3, 6, 9): quality = .diminished7
        default: quality = third == 4 ? .major : .minor
        }
        return Chord(root: tonic + steps[d], quality: quality)
    }

    /// How much a chord belongs in this key, 0 (diatonic) and below: each tone outside the palette
    /// costs, and the chords on the tonic, dominant and subdominant earn a little. In a major key the
    /// dominant sevenths on the tonic and the subdominant (I7, IV7) are the blues' own chords: their
    /// flat sevenths (the blue seventh and third) cost as a tone of the palette outside the scale.
    func fit(_ chord: Chord) -> Double {
        let degree = PitchClass.of(chord.root - tonic)
        var allowed = palette.bits
        if mode == .major, chord.quality == .dominant7, degree == 0 || degree == 5, let seventh = chord.seventh {
            allowed |= PitchClassSet([seventh]).bits
        }
        let outside = chord.pitchClasses.bits & ~allowed
        let scaleOutside = chord.pitchClasses.bits & ~scale.bits
        var score = -0.6 * Double(outside.nonzeroBitCount) - 0.15 * Double(scaleOutside.nonzeroBitCount - outside.nonzeroBitCount)
        switch (mode, degree) {
        case (.major, 0), (.minor, 0): score += 0.3
        case (.major, 7), (.minor, 7), (.major, 5), (.minor, 5): score += 0.2
        case (.major, 9), (.major, 2), (.minor, 8), (.minor, 3), (.minor, 10): score += 0.1
        default: break
        }
        return score
    }
}
