import JamCore

/// The beats of a bar for a meter: where each starts, how long it is, how it divides, how strong it is.
///
/// Simple meters beat in their denominator (4/4: four quarters, each in four sixteenths). Compound
/// meters (6/8, 9/8, 12/8) beat in dotted quarters divided in three. Other eighth meters group their
/// eighths in twos with a three at the end (5/8 = 2+3, 7/8 = 2+2+3).
public struct BeatGrid: Hashable, Sendable {
    public struct Beat: Hashable, Sendable {
        /// Ticks from the start of the bar.
        public var offset: Int
        public var length: Int
        /// Equal parts the beat divides into for rhythms: 4 (sixteenths of a quarter), 3 (compound), 2.
        public var subdivisions: Int
        /// 2 for the downbeat, 1 for the bar's other strong beat (beat 3 of 4/4), 0 otherwise.
        public var strength: Int

        public var isStrong: Bool { strength > 0 }
    }

    public let meter: Meter
    public let barTicks: Int
    public let beats: [Beat]

    public init(meter: Meter) {
        self.meter = meter
        let unit = Document.ppq * 4 / max(1, meter.denominator)
        barTicks = max(1, meter.numerator * unit)
        var groups: [Int]
        let n = max(1, meter.numerator)
        if meter.denominator <= 4 {
            groups = Array(repeating: 1, count: n)
        } else if n % 3 == 0 && n > 3 {
            groups = Array(repeating: 3, count: n / 3)
        } else if n <= 3 {
            groups = [n]
        } else {
            groups = Array(repeating: 2, count: n % 2 == 0 ? n / 2 : (n - 3) / 2)
            if n % 2 == 1 { groups.append(3) }
        }
        var beats: [Beat] = []
        var offset = 0
        for group in groups {
            let subdivisions = meter.denominator <= 4 ? 4 : (group == 2 ? 4 : group)
            beats.append(Beat(offset: offset, length: group * unit, subdivisions: subdivisions, strength: 0))
            offset += group * unit
        }
        beats[0].strength = 2
        if beats.count >= 2 && beats.count != 3 {
            // The beat nearest the middle of the bar, not the first, is the second strong beat.
            let middle = barTicks / 2
            let index = (1..<beats.count).min { abs(beats[$0].offset - middle) < abs(beats[$1].offset - middle) }!
            beats[index].strength = 1
        }
        self.beats = beats
    }

    public var beatsPerBar: Int { beats.count }

    /// The tick where a beat counted from the start of the piece begins.
    public func tick(ofBeat globalBeat: Int) -> Int {
        let bar = globalBeat / beats.count
        return bar * barTicks + beats[globalBeat % beats.count].offset
    }

    /// The beat (counted from the start of the piece) that contains a tick.
    public func beat(containing tick: Int) -> Int {
        let bar = max(0, tick) / barTicks
        let offset = max(0, tick) - bar * barTicks
        var index = beats.count - 1
        while index > 0 && beats[index].offset > offset { index -= 1 }
        return bar * beats.count + index
    }

    /// The index of the bar's strong beat after the downbeat, if it has one: where a half-bar chord begins.
    public var halfBarBeat: Int? { beats.firstIndex { $0.strength == 1 } }

    /// Ticks from the bar's start of a position given as a beat of the bar and a fraction of it.
    ///
    /// In a beat divided in three, a fraction falls on the nearest third, later on a tie: the
    /// off-beat eighth of a simple rhythm becomes the last third, as a compound meter plays it.
    public func offset(beat index: Int, fraction: Double, swing: Swing = .straight) -> Int {
        let beat = beats[index]
        var f = fraction
        if beat.subdivisions == 3 {
            f = min(2, max(fraction > 0 ? 1 : 0, (f * 3 + 0.001).rounded(.toNearestOrAwayFromZero))) / 3
        } else {
            f = swing.place(f)
        }
        return beat.offset + Int((Double(beat.length) * f).rounded())
    }
}
