import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar on standard error, drawn only when standard error is a terminal and the work has
/// taken longer than `delay` (short work shows nothing), redrawn at most once a percent.
final class ProgressBar {
    private let label: String
    private let enabled: Bool
    private let start = Date()
    private let delay: TimeInterval
    private var shown = -1
    private var drawn = false

    init(_ label: String, delay: TimeInterval = 0.3) {
        self.label = label
        self.delay = delay
        enabled = isatty(STDERR_FILENO) == 1
    }

    /// Reports `fraction` (0…1) of the work done.
    func update(_ fraction: Double) {
        guard enabled, Date().timeIntervalSince(start) >= delay else { return }
        let percent = Int((min(max(fraction, 0), 1) * 100).rounded(.down))
        guard percent != shown else { return }
        shown = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)%".utf8))
        drawn = true
    }

    /// Clears the bar's line, if one was drawn.
    func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        drawn = false
    }
}
