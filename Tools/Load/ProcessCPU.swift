#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// CPU time a process has used, from /proc: to say who was busy during a run (the server, or the
/// generator itself) and what a delivered message cost the server.
struct ProcessCPU: Sendable {
    /// The process; nil reads this one.
    var pid: Int32?

    /// User plus system seconds so far; nil if /proc cannot tell.
    func seconds() -> Double? {
        let path = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        // After the command's closing parenthesis: state is field 3, utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// CPU used by the server and by the generator over a run's measured window.
struct CPUWindow: Sendable {
    var server: Double?
    var generator: Double?
}
