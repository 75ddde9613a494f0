/// A time signature such as 4/4, 3/4 or 6/8.
public struct Meter: Hashable, Sendable, Codable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Ticks in one bar at `ppq` ticks a quarter note.
    public func ticksPerBar(ppq: Int = Document.ppq) -> Int {
        numerator * ppq * 4 / denominator
    }

    public var description: String { "\(numerator)/\(denominator)" }
}

/// A key: a tonic spelled as a pitch name and a mode.
public struct Key: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The tonic names a key may have, with their pitch classes.
    public static let tonics: [String: Int] = [
        "C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6,
        "Gb": 6, "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11,
    ]
    public static let modes: Set<String> = ["major", "minor"]

    public var tonic: String
    public var mode: String

    public init(tonic: String, mode: String) {
        self.tonic = tonic
        self.mode = mode
    }

    /// The tonic's pitch class (0 = C), if the tonic is a known name.
    public var pitchClass: Int? { Key.tonics[tonic] }

    public var description: String { "\(tonic) \(mode)" }
}
