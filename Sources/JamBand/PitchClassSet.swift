/// A set of pitch classes as twelve bits: chords, scales and the notes heard in a window.
public struct PitchClassSet: Hashable, Sendable {
    /// Bit `n` is pitch class `n`.
    public var bits: UInt16

    public init(bits: UInt16 = 0) {
        self.bits = bits & 0x0FFF
    }

    public init(_ pitchClasses: some Sequence<Int>) {
        var bits: UInt16 = 0
        for pitchClass in pitchClasses { bits |= 1 << UInt16(PitchClass.of(pitchClass)) }
        self.bits = bits
    }

    public func contains(_ pitchClass: Int) -> Bool {
        bits & (1 << UInt16(PitchClass.of(pitchClass))) != 0
    }

    public mutating func insert(_ pitchClass: Int) {
        bits |= 1 << UInt16(PitchClass.of(pitchClass))
    }

    public var count: Int { bits.nonzeroBitCount }

    public var isEmpty: Bool { bits == 0 }

    /// The members in ascending order.
    public var members: [Int] { (0..<12).filter { contains($0) } }

    /// The set moved up by `interval` semitones.
    public func transposed(by interval: Int) -> PitchClassSet {
        let shift = UInt16(PitchClass.of(interval))
        let wide = UInt32(bits) << shift
        return PitchClassSet(bits: UInt16(truncatingIfNeeded: (wide | (wide >> 12)) & 0x0FFF))
    }

    public func union(_ other: PitchClassSet) -> PitchClassSet {
        PitchClassSet(bits: bits | other.bits)
    }

    public func intersection(_ other: PitchClassSet) -> PitchClassSet {
        PitchClassSet(bits: bits & other.bits)
    }

    /// True when every member of `self` is in `other`.
    public func isSubset(of other: PitchClassSet) -> Bool {
        bits & ~other.bits == 0
    }
}
