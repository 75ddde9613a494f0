/// The chord qualities the bandmate hears and plays: triads, suspensions and the common sevenths.
public enum ChordQuality: String, CaseIterable, Codable, Hashable, Sendable {
    case major, minor, diminished, augmented, sus2, sus4
    case dominant7, major7, minor7, halfDiminished7, diminished7

    /// Semitones above the root, root first, in stacking order (root, third, fifth, seventh).
    public var intervals: [Int] {
        switch self {
        case .major: [0, 4, 7]
        case .minor: [0, 3, 7]
        case .diminished: [0, 3, 6]
        case .augmented: [0, 4, 8]
        case .sus2: [0, 2, 7]
        case .sus4: [0, 5, 7]
        case .dominant7: [0, 4, 7, 10]
        case .major7: [0, 4, 7, 11]
        case .minor7: [0, 3, 7, 10]
        case .halfDiminished7: [0, 3, 6, 10]
        case .diminished7: [0, 3, 6, 9]
        }
    }

    /// What follows the root in a chord symbol: "" (C), "m" (Cm), "7", "maj7", "m7b5", ….
    public var suffix: String {
        switch self {
        case .major: ""
        case .minor: "m"
        case .diminished: "dim"
        case .augmented: "aug"
        case .sus2: "sus2"
        case .sus4: "sus4"
        case .dominant7: "7"
        case .major7: "maj7"
        case .minor7: "m7"
        case .halfDiminished7: "m7b5"
        case .diminished7: "dim7"
        }
    }

    /// Reads a suffix as written in lead sheets, including common alternatives ("min7", "ø", "°7", "+").
    public init?(suffix: Substring) {
        switch suffix {
        case "", "maj", "M": self = .major
        case "m", "min", "-": self = .minor
        case "dim", "°", "o": self = .diminished
        case "aug", "+": self = .augmented
        case "sus2": self = .sus2
        case "sus4", "sus": self = .sus4
        case "7", "dom7": self = .dominant7
        case "maj7", "M7", "Δ", "Δ7": self = .major7
        case "m7", "min7", "-7": self = .minor7
        case "m7b5", "ø", "ø7", "-7b5": self = .halfDiminished7
        case "dim7", "°7", "o7": self = .diminished7
        default: return nil
        }
    }

    /// True for the four-note qualities.
    public var isSeventh: Bool { intervals.count == 4 }

    /// How unusual the quality is, as a log-prior against the major triad: roughly the natural log of
    /// how much rarer it is in the songs of pop and jazz corpora (majors are most common, then minors and
    /// the common sevenths; suspended, diminished and augmented chords are rare).
    var rarity: Double {
        switch self {
        case .major: 0
        case .minor: -0.2
        case .dominant7, .minor7: -0.6
        case .major7: -0.9
        case .halfDiminished7, .diminished: -1.5
        case .sus4: -1.8
        case .sus2, .diminished7: -2.2
        case .augmented: -3.0
        }
    }
}
