// The metrics the server updates, registered in one PrometheusCollectorRegistry.
//
// Made from a registry rather than through the global MetricsSystem bootstrap, so
// that tests (and several servers in one process) each have their own.

import Prometheus

public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Sessions open now.
    public let sessions: Gauge
    /// Client connections open now.
    public let connections: Gauge
    /// Operations committed to a session log.
    public let operationsCommitted: Counter
    /// Operations transformed over concurrent ones before being committed.
    public let transforms: Counter
    /// Time from receiving an operation to committing it, in seconds.
    public let commitLatency: DurationHistogram
    /// Clients disconnected because their outbound buffer passed the cap.
    public let slowConsumerDisconnects: Counter

    /// Upper bounds of the commit latency histogram: 0.5 ms to 1 s.
    public static let commitLatencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1),
    ]

    public enum Name {
        public static let sessions = "jam_sessions"
        public static let connections = "jam_connections"
        public static let operationsCommitted = "jam_operations_committed_total"
        public static let transforms = "jam_transforms_total"
        public static let commitLatency = "jam_commit_latency_seconds"
        public static let slowConsumerDisconnects = "jam_slow_consumer_disconnects_total"
        public static let protocolErrors = "jam_protocol_errors_total"
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        sessions = registry.makeGauge(
            descriptor: Self.descriptor(Name.sessions, unit: "", help: "Sessions open now.")
        )
        connections = registry.makeGauge(
            descriptor: Self.descriptor(Name.connections, unit: "", help: "Client connections open now.")
        )
        operationsCommitted = registry.makeCounter(
            descriptor: Self.descriptor(
                Name.operationsCommitted,
                unit: "total",
                help: "Operations committed to a session log."
            )
        )
        transforms = registry.makeCounter(
            descriptor: Self.descriptor(
                Name.transforms,
                unit: "total",
                help: "Operations transformed over concurrent operations before commit."
            )
        )
        commitLatency = registry.makeDurationHistogram(
            descriptor: Self.descriptor(
                Name.commitLatency,
                unit: "seconds",
                help: "Time from receiving an operation to committing it."
            ),
            buckets: Self.commitLatencyBuckets
        )
        slowConsumerDisconnects = registry.makeCounter(
            descriptor: Self.descriptor(
                Name.slowConsumerDisconnects,
                unit: "total",
                help: "Clients disconnected for not reading fast enough."
            )
        )
    }

    /// Counts one protocol error, labelled by its stable code (`bad_json`, `line_too_long`, …).
    /// Codes come from the server's own list: a label per arbitrary string would grow without bound.
    public func protocolError(code: String) {
        registry.makeCounter(
            descriptor: Self.descriptor(
                Name.protocolErrors,
                unit: "total",
                help: "Protocol errors sent to clients, by code."
            ),
            labels: [("code", code)]
        ).increment()
    }

    /// Records one commit's latency.
    public func recordCommit(latency: Duration) {
        commitLatency.record(latency)
    }

    /// The registry's metrics in the Prometheus text format.
    public func exposition() -> String {
        registry.emitToString()
    }

    /// `jam_transforms_total` → metricName "jam_transforms", unitName "total"; the
    /// descriptor joins them again with "_".
    private static func descriptor(_ fullName: String, unit: String, help: String) -> MetricNameDescriptor {
        var base = fullName
        if !unit.isEmpty {
            precondition(fullName.hasSuffix("_" + unit), "\(fullName) does not end in _\(unit)")
            base = String(fullName.dropLast(unit.count + 1))
        }
        return MetricNameDescriptor(metricName: base, unitName: unit, helpText: help)
    }
}
