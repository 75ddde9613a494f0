import Histogram
import NIOConcurrencyHelpers

/// Everything one run measures. Latencies are in microseconds.
struct LoadStats: Sendable {
    /// submit → the author's acknowledgement (Jam's ACK; NATS's echo of the publisher's own message).
    var ack = LoadStats.histogram()
    /// submit → arrival at each other client.
    var delivery = LoadStats.histogram()
    /// Operations sent in the measured window.
    var submitted = 0
    /// Of those, acknowledged (committed).
    var acknowledged = 0
    /// Deliveries to other clients of operations sent in the measured window.
    var delivered = 0
    /// Bytes of those deliveries' lines (terminator included).
    var deliveredBytes = 0
    /// Paced sends that had to wait for the previous acknowledgement.
    var late = 0
    /// Refusals and failures by code.
    var errors: [String: Int] = [:]
    /// Connections that closed before the run ended.
    var disconnects = 0
    /// The last acknowledgement or delivery of a measured operation (monotonic nanoseconds).
    var lastEvent: UInt64 = 0

    static func histogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    }
}

/// The shared, locked record of a run, written by every client (on whichever event loop it runs).
final class Recorder: Sendable {
    private let state = NIOLockedValueBox(LoadStats())
    private let plan = NIOLockedValueBox<RunPlan?>(nil)

    /// Sets the window; nothing is counted before.
    func begin(_ plan: RunPlan) {
        self.plan.withLockedValue { $0 = plan }
    }

    private func measures(_ sentAt: UInt64) -> Bool {
        plan.withLockedValue { $0?.measures(sentAt) ?? false }
    }

    private var interval: UInt64 { plan.withLockedValue { $0?.interval ?? 0 } }

    func submitted(at time: UInt64) {
        guard measures(time) else { return }
        state.withLockedValue { $0.submitted += 1 }
    }

    func late() {
        state.withLockedValue { $0.late += 1 }
    }

    /// An acknowledgement at `now` of an operation sent at `sentAt`. Paced runs record it corrected for
    /// coordinated omission: a wait longer than the send interval also counts the sends it held back.
    func acknowledged(sentAt: UInt64, now: UInt64) {
        guard measures(sentAt) else { return }
        let micros = max(1, (now &- sentAt) / 1000)
        let interval = self.interval / 1000
        state.withLockedValue {
            $0.acknowledged += 1
            $0.lastEvent = max($0.lastEvent, now)
            if interval > 0 {
                _ = $0.ack.recordCorrectedValue(micros, expectedInterval: interval)
            } else {
                _ = $0.ack.record(micros)
            }
        }
    }

    /// A delivery of an operation sent at `sentAt`.
    func delivered(sentAt: UInt64, _ arrival: DeliveryClock.Arrival) {
        guard measures(sentAt) else { return }
        let micros = max(1, (arrival.time &- sentAt) / 1000)
        state.withLockedValue {
            _ = $0.delivery.record(micros)
            $0.delivered += 1
            $0.deliveredBytes += arrival.bytes
            $0.lastEvent = max($0.lastEvent, arrival.time)
        }
    }

    func error(_ code: String) {
        state.withLockedValue { $0.errors[code, default: 0] += 1 }
    }

    func disconnected() {
        state.withLockedValue { $0.disconnects += 1 }
    }

    var stats: LoadStats { state.withLockedValue { $0 } }
}
