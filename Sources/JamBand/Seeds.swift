import JamCore

/// Seeds derived from a bandmate's seed and a place in the music, so that every bar draws its own
/// random numbers: a change in one bar leaves the others' choices as they were.
enum Seeds {
    /// A well-mixed combination of values (SplitMix64's finaliser over each in turn).
    static func mix(_ values: UInt64...) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for value in values {
            h ^= value &+ 0x9E37_79B9_7F4A_7C15 &+ (h << 6) &+ (h >> 2)
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
        }
        return h
    }

    static func generator(_ values: UInt64...) -> SeededGenerator {
        var h: UInt64 = 0x1357_9BDF_2468_ACE0
        for value in values { h = mix(h, value) }
        return SeededGenerator(seed: h)
    }
}

extension SeededGenerator {
    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        p >= 1 || (p > 0 && Double(next() >> 11) / Double(1 << 53) < p)
    }

    /// A uniform integer in `-amount...amount`.
    mutating func jitter(_ amount: Int) -> Int {
        amount <= 0 ? 0 : Int(next() % UInt64(2 * amount + 1)) - amount
    }

    /// An index drawn with the given weights (all zero: the first).
    mutating func pick(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return 0 }
        var x = Double(next() >> 11) / Double(1 << 53) * total
        for (index, weight) in weights.enumerated() {
            x -= weight
            if x < 0 { return index }
        }
        return weights.count - 1
    }
}
