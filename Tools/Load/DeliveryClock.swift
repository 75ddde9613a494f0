import NIOConcurrencyHelpers

/// Matches deliveries with sends across clients: the send time of a message, keyed by what every
/// receiver can read off it (a Jam revision; a NATS publisher and sequence), and the deliveries that
/// arrived before it was known (a Jam author learns its revision from the ACK, which may come after
/// another client has received the broadcast).
final class DeliveryClock: Sendable {
    /// A delivery: when it arrived and how many bytes its line had.
    struct Arrival: Sendable {
        var time: UInt64
        var bytes: Int
    }

    private struct Entry {
        var sent: UInt64?
        var early: [Arrival] = []
        var seen = 0
    }

    private let table = NIOLockedValueBox<[UInt64: Entry]>([:])
    /// How many deliveries each message has; its entry goes once all have arrived.
    let receivers: Int

    init(receivers: Int) {
        self.receivers = receivers
    }

    /// Records that message `key` was sent at `time`; returns the deliveries that came before this
    /// was known.
    func sent(_ key: UInt64, at time: UInt64) -> [Arrival] {
        guard receivers > 0 else { return [] }
        return table.withLockedValue { table in
            var entry = table[key] ?? Entry()
            entry.sent = time
            let early = entry.early
            entry.early = []
            if entry.seen >= receivers {
                table[key] = nil
            } else {
                table[key] = entry
            }
            return early
        }
    }

    /// Records a delivery of message `key`; returns the send time if it is known already
    /// (otherwise `sent` returns this delivery later).
    func delivered(_ key: UInt64, _ arrival: Arrival) -> UInt64? {
        table.withLockedValue { table in
            var entry = table[key] ?? Entry()
            entry.seen += 1
            let sent = entry.sent
            if sent == nil { entry.early.append(arrival) }
            if entry.seen >= receivers && sent != nil {
                table[key] = nil
            } else {
                table[key] = entry
            }
            return sent
        }
    }

    /// Messages with deliveries still to come (or whose send is not yet known).
    var outstanding: Int { table.withLockedValue { $0.count } }
}
