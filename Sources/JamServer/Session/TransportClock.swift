import Foundation

/// The server's clock for the shared transport (PROTOCOL.md §2.4): microseconds since the Unix epoch.
enum TransportClock {
    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    }
}
