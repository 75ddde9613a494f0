/// The feel of what the humans play: the meter's beats, how busy they are, their swing and their registers.
public struct Groove: Hashable, Sendable {
    /// The register of one human track.
    public struct Register: Hashable, Sendable {
        public var track: String
        public var low: Int
        public var median: Int
        public var high: Int
        public var notes: Int
        /// Notes per distinct start: 1 for a melody, 3 or more for block chords.
        public var polyphony: Double

        /// A melodic line: mostly one note at a time, above the bass register.
        public var isMelodic: Bool { polyphony <= 1.3 && median >= 52 }
    }

    public var grid: BeatGrid
    /// Note onsets a beat in each bar, over every human track (drums included).
    public var density: [Double]
    /// Long-to-short ratio of the humans' off-beat eighths; nil when too few to tell.
    public var swing: Double?
    /// The pitched human tracks' registers, lowest median first.
    public var registers: [Register]

    /// Onsets a beat over the whole piece.
    public var meanDensity: Double { density.isEmpty ? 0 : density.reduce(0, +) / Double(density.count) }

    /// The range of the humans' melody: the highest track's.
    public var melodyRange: ClosedRange<Int>? {
        registers.last.map { $0.low...$0.high }
    }

    /// Measures the groove of the notes heard; `bars` is how many bars the reading covers.
    public static func measure(pitched: [HeardTrack], drums: [HeardTrack], grid: BeatGrid, bars: Int) -> Groove {
        let perBar = Double(grid.beatsPerBar)
        var density = [Double](repeating: 0, count: bars)
        var offBeats: [Double] = []
        var sixteenths = 0
        for track in pitched + drums {
            for note in track.notes {
                let bar = note.tick / grid.barTicks
                guard bar < bars else { continue }
                density[bar] += 1 / perBar
                let beat = grid.beat(containing: note.tick)
                let info = grid.beats[beat % grid.beatsPerBar]
                guard info.subdivisions == 4 else { continue }
                let f = Double(note.tick - grid.tick(ofBeat: beat)) / Double(info.length)
                if f > 0.45 && f < 0.8 { offBeats.append(f) }
                if (f > 0.15 && f < 0.35) || f >= 0.8 { sixteenths += 1 }
            }
        }
        var swing: Double?
        if offBeats.count >= 4 && sixteenths * 2 < offBeats.count {
            let sorted = offBeats.sorted()
            let median = sorted[sorted.count / 2]
            swing = min(3, max(1, median / (1 - median)))
        }
        let registers = pitched.compactMap { track -> Register? in
            guard !track.notes.isEmpty else { return nil }
            let pitches = track.notes.map(\.pitch).sorted()
            let starts = Set(track.notes.map(\.tick)).count
            return Register(
                track: track.id, low: pitches[0], median: pitches[pitches.count / 2], high: pitches[pitches.count - 1], notes: pitches.count,
                polyphony: Double(pitches.count) / Double(max(1, starts)))
        }.sorted { $0.median < $1.median }
        return Groove(grid: grid, density: density, swing: swing, registers: registers)
    }
}
