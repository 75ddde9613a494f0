/// The session's shared transport: whether it plays, and which tick sounds at which instant of the
/// server's clock. Every participant computes the same beat from it and its own clock offset.
///
/// A transport is a short timeline: the segment in force and, at most, one change scheduled on a
/// later bar line (so nobody stumbles: a change never lands mid-bar). Times are microseconds of the
/// server's clock.
public struct Transport: Hashable, Sendable, Codable {
    /// From `time` on, the music is at `tick` and runs at `tempo` (quarter notes a minute), or stands.
    public struct Segment: Hashable, Sendable, Codable {
        public var time: Int64
        public var tick: Int
        public var tempo: Double
        public var playing: Bool

        public init(time: Int64, tick: Int, tempo: Double, playing: Bool) {
            self.time = time
            self.tick = tick
            self.tempo = tempo
            self.playing = playing
        }

        /// The tick (fractional) at `time`, which must not be before the segment's start.
        func tick(at time: Int64) -> Double {
            guard playing else { return Double(tick) }
            return Double(tick) + Double(time - self.time) * tempo * Double(Document.ppq) / 60_000_000
        }

        /// The instant `tick` (at or after the segment's start) sounds, when playing.
        func time(of tick: Int) -> Int64 {
            time + Int64((Double(tick - self.tick) * 60_000_000 / (tempo * Double(Document.ppq))).rounded())
        }
    }

    /// What a participant asks of the transport.
    public enum Change: Hashable, Sendable {
        case play
        case stop
        case tempo(Double)
    }

    /// In time order; the first is in force from its time, the others take over at theirs.
    public private(set) var segments: [Segment]

    /// Stopped at the start, at `tempo`.
    public init(tempo: Double = 120, time: Int64 = 0) {
        segments = [Segment(time: time, tick: 0, tempo: tempo, playing: false)]
    }

    public init(segments: [Segment]) {
        precondition(!segments.isEmpty, "a transport has a segment in force")
        self.segments = segments
    }

    /// The segment in force at `time`.
    public func segment(at time: Int64) -> Segment {
        segments.last { $0.time <= time } ?? segments[0]
    }

    /// The tick sounding at `time` of the server's clock (fractional: the phase within the tick).
    public func tick(at time: Int64) -> Double {
        let segment = segment(at: time)
        return segment.tick(at: max(time, segment.time))
    }

    /// Whether the music plays at `time`.
    public func isPlaying(at time: Int64) -> Bool { segment(at: time).playing }

    /// The transport after `change`, asked for at `now`: it lands on the first bar line at least `lead`
    /// after `now` (a start from standstill begins at the bar it stood on, `lead` from now), so that
    /// every participant hears of it before it happens. A change still pending is replaced.
    public func scheduling(_ change: Change, now: Int64, meter: Meter, lead: Int64) -> Transport {
        let current = segment(at: now)
        let pending = segments.filter { $0.time > now }
        let bar = meter.ticksPerBar()
        var next: Segment
        switch (change, current.playing) {
        case (.play, false):
            let start = (current.tick / bar) * bar
            next = Segment(time: now + lead, tick: start, tempo: current.tempo, playing: true)
        case (.tempo(let tempo), false):
            // Standing still, a tempo takes at once, and a start already scheduled keeps its time.
            let retimed = ([current] + pending).map { Segment(time: max($0.time, now), tick: $0.tick, tempo: tempo, playing: $0.playing) }
            return Transport(segments: retimed)
        case (.play, true):
            return Transport(segments: [current] + pending.filter(\.playing))
        case (.stop, false):
            return Transport(segments: [current])
        case (.stop, true), (.tempo, true):
            let earliest = current.tick(at: now + lead)
            let barTick = Int((earliest / Double(bar)).rounded(.up)) * bar
            next = Segment(time: current.time(of: barTick), tick: barTick, tempo: current.tempo, playing: true)
            if case .tempo(let tempo) = change { next.tempo = tempo } else { next.playing = false }
        }
        return Transport(segments: [current, next])
    }

    /// The transport with what is past by `now` dropped: the segment in force and those still to come.
    public func trimmed(at now: Int64) -> Transport {
        let current = segment(at: now)
        return Transport(segments: [current] + segments.filter { $0.time > now })
    }
}
