import Foundation
import Histogram

/// What a run prints and writes: latency percentiles, rates, errors.
struct Report: Codable, Sendable {
    struct Latency: Codable, Sendable {
        var count: UInt64
        var p50Ms: Double
        var p95Ms: Double
        var p99Ms: Double
        var maxMs: Double

        init(_ histogram: Histogram<UInt64>) {
            count = histogram.totalCount
            p50Ms = Latency.ms(histogram.totalCount == 0 ? 0 : histogram.valueAtPercentile(50))
            p95Ms = Latency.ms(histogram.totalCount == 0 ? 0 : histogram.valueAtPercentile(95))
            p99Ms = Latency.ms(histogram.totalCount == 0 ? 0 : histogram.valueAtPercentile(99))
            maxMs = Latency.ms(histogram.totalCount == 0 ? 0 : histogram.max)
        }

        private static func ms(_ micros: UInt64) -> Double { (Double(micros) / 10).rounded() / 100 }
    }

    var label: String
    var mode: String
    var sessions: Int
    var clients: Int
    var publishers: Int
    /// Edits a second per client; 0 for a closed loop.
    var rate: Double
    var durationSeconds: Double
    var ack: Latency
    var delivery: Latency
    var submitted: Int
    var acknowledged: Int
    var delivered: Int
    var committedPerSecond: Double
    var deliveredPerSecond: Double
    var meanMessageBytes: Double
    var late: Int
    var errors: [String: Int]
    var disconnects: Int
    /// CPU the server used while measuring, in percent of one core (nil without --server-pid).
    var serverCpuPercent: Double?
    /// Server CPU microseconds per delivered message.
    var serverCpuMicrosPerDelivery: Double?
    /// CPU the generator used while measuring, in percent of one core.
    var generatorCpuPercent: Double?

    /// `ended` is when sending stopped, if before the plan's end (the server went away).
    init(
        label: String, mode: String, sessions: Int, clients: Int, publishers: Int, plan: RunPlan, ended: UInt64? = nil,
        cpu: CPUWindow = CPUWindow(), stats: LoadStats, rate: Double
    ) {
        self.label = label
        self.mode = mode
        self.sessions = sessions
        self.clients = clients
        self.publishers = publishers
        self.rate = rate
        let window = Double(min(plan.end, ended ?? plan.end) &- plan.measureFrom) / 1e9
        durationSeconds = (max(0, window) * 10).rounded() / 10
        ack = Latency(stats.ack)
        delivery = Latency(stats.delivery)
        submitted = stats.submitted
        acknowledged = stats.acknowledged
        delivered = stats.delivered
        // Over the window, or until the last measured event if the server was still busy after it.
        let span = max(window, Double(stats.lastEvent &- plan.measureFrom) / 1e9, 1e-9)
        committedPerSecond = (Double(stats.acknowledged) / span).rounded()
        deliveredPerSecond = (Double(stats.delivered) / span).rounded()
        meanMessageBytes = stats.delivered == 0 ? 0 : (Double(stats.deliveredBytes) / Double(stats.delivered) * 10).rounded() / 10
        late = stats.late
        if window > 0 {
            serverCpuPercent = cpu.server.map { ($0 / window * 1000).rounded() / 10 }
            generatorCpuPercent = cpu.generator.map { ($0 / window * 1000).rounded() / 10 }
            if let server = cpu.server, deliveredPerSecond > 0 {
                serverCpuMicrosPerDelivery = (server / (deliveredPerSecond * window) * 1e7).rounded() / 10
            }
        }
        errors = stats.errors
        disconnects = stats.disconnects
    }

    /// The table for people.
    var table: String {
        let pace = rate > 0 ? "\(Report.number(rate)) edits/s each" : "closed loop"
        var lines = [
            "\(label): \(mode), \(sessions) session(s) × \(clients / max(1, sessions)) clients (\(publishers) sending), \(pace), \(Report.number(durationSeconds)) s measured",
            "                        p50        p95        p99        max      count",
        ]
        for (name, latency) in [("submit → ack", ack), ("submit → delivery", delivery)] {
            lines.append(
                name.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + [latency.p50Ms, latency.p95Ms, latency.p99Ms, latency.maxMs].map { Report.column(String(format: "%.2f ms", $0)) }.joined()
                    + Report.column("\(latency.count)"))
        }
        lines.append(
            "committed \(Report.number(committedPerSecond)) ops/s, delivered \(Report.number(deliveredPerSecond)) msgs/s "
                + "(\(Report.number(meanMessageBytes)) B each); submitted \(submitted), acknowledged \(acknowledged), "
                + "delivered \(delivered), late sends \(late), disconnects \(disconnects)")
        if serverCpuPercent != nil || generatorCpuPercent != nil {
            let server = serverCpuPercent.map { "server \(Report.number($0))% of a core" + (serverCpuMicrosPerDelivery.map { " (\(Report.number($0)) µs a delivery)" } ?? "") }
            let generator = generatorCpuPercent.map { "generator \(Report.number($0))%" }
            lines.append("cpu: " + [server, generator].compactMap { $0 }.joined(separator: ", "))
        }
        let errorText = errors.isEmpty ? "none" : errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("errors: \(errorText)")
        return lines.joined(separator: "\n")
    }

    func write(json path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    private static func column(_ text: String) -> String {
        String(repeating: " ", count: max(1, 11 - text.count)) + text
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
