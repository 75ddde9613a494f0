/// Estimates the offset from this machine's clock to the server's from PING/PONG round trips.
///
/// Like NTP's clock filter and Ableton Link, it trusts the fastest round trips (a short round trip
/// bounds the error): of the measurements in each few seconds it keeps the fastest. Clocks also drift
/// apart (crystals differ by tens of parts per million: milliseconds in ten minutes), so instead of a
/// flat median it follows a robust line through those kept minutes (Theil–Sen: the median of the
/// pairwise slopes, then the median intercept), which neither lags behind a drift nor follows an
/// outlier.
///
/// A measurement: the client's clock when the PING left (`sent`), the server's clock when it answered
/// (`server`), and the client's clock when the PONG arrived (`received`), all in microseconds. The
/// server's instant is taken to be mid-way through the round trip; one measurement is off by at most
/// half its round trip, and by half the difference of the two paths' delays, which no round-trip
/// method can see.
public struct ClockSync: Sendable {
    public struct Sample: Hashable, Sendable {
        /// The local instant the measurement stands for (mid-way through its round trip).
        public var local: Int64
        /// Server time minus local time then.
        public var offset: Int64
        public var roundTrip: Int64
    }

    /// How often a client measures.
    public static let pingInterval = Duration.milliseconds(250)

    /// The span of local time each kept measurement is the fastest of, microseconds.
    public let bucket: Int64
    /// How many of those are kept (the oldest go first): their span is the line's baseline.
    public let capacity: Int
    /// The fastest measurement of each bucket, oldest first.
    public private(set) var samples: [Sample] = []
    /// The line through the kept measurements: offset at `local`, and its slope.
    private var fit: (local: Int64, offset: Double, slope: Double)?

    public init(bucket: Duration = .seconds(5), capacity: Int = 60) {
        self.bucket = max(1, bucket.components.seconds * 1_000_000 + bucket.components.attoseconds / 1_000_000_000_000)
        self.capacity = max(1, capacity)
    }

    /// Adds one round trip; a reply that came back before it left (a clock jump) is ignored.
    public mutating func add(sent: Int64, server: Int64, received: Int64) {
        guard received >= sent else { return }
        let roundTrip = received - sent
        let local = sent + roundTrip / 2
        let sample = Sample(local: local, offset: server - local, roundTrip: roundTrip)
        if let last = samples.last, last.local / bucket == local / bucket {
            guard roundTrip < last.roundTrip else { return }
            samples[samples.count - 1] = sample
        } else {
            samples.append(sample)
            if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
        }
        refit()
    }

    /// Server time minus local time at local instant `local`, in microseconds; nil before the first
    /// measurement.
    public func offset(at local: Int64) -> Int64? {
        guard let fit else { return nil }
        return Int64((fit.offset + fit.slope * Double(local - fit.local)).rounded())
    }

    /// The server's clock at local instant `local`, once there is an estimate.
    public func serverTime(at local: Int64) -> Int64? {
        offset(at: local).map { local + $0 }
    }

    private mutating func refit() {
        var slopes: [Double] = []
        for i in samples.indices {
            for j in samples.indices where j > i && samples[j].local != samples[i].local {
                slopes.append(Double(samples[j].offset - samples[i].offset) / Double(samples[j].local - samples[i].local))
            }
        }
        let slope = slopes.isEmpty ? 0 : median(slopes)
        let anchor = samples[samples.count - 1].local
        fit = (anchor, median(samples.map { Double($0.offset) + slope * Double(anchor - $0.local) }), slope)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
