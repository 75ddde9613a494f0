import Foundation
import JamCore
import Testing
@testable import JamLog

/// Measures group commit: the same operations appended one per sync and in batches, with real syncs.
/// Small by default so the suite stays fast; `JAMLOG_BENCH_OPS=100000` scales it up and
/// `JAMLOG_BENCH_SEEK=1` adds a timed seek over a large log. Prints its figures; asserts correctness.
@Suite struct ThroughputTests {
    static var scale: Int { Int(ProcessInfo.processInfo.environment["JAMLOG_BENCH_OPS"] ?? "") ?? 2000 }

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test func groupCommitThroughput() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let total = Self.scale
        var gen = OpGenerator(seed: 31)
        let entries = (1...total).map { gen.entry(author: "c\($0 % 16)", seq: $0) }
        var report: [String] = []
        for batch in [1, 16, 256] {
            let count = batch == 1 ? min(total, 200) : total
            let session = "bench-\(batch)"
            let (log, _) = try SessionLog.create(directory: dir.path, session: session)
            let elapsed = try seconds {
                var i = 0
                while i < count {
                    try log.append(Array(entries[i..<min(count, i + batch)]))
                    i += batch
                }
            }
            #expect(log.revision == count)
            let size = log.size
            log.close()
            let rate = Double(count) / elapsed
            report.append("batch \(batch): \(count) ops in \(String(format: "%.3f", elapsed)) s = \(Int(rate)) ops/s, \(size / max(count, 1)) bytes/op")
            let (reopened, recovery) = try SessionLog.open(directory: dir.path, session: session)
            reopened.close()
            #expect(recovery.revision == count)
        }
        print("JamLog append throughput (fdatasync per batch):\n  " + report.joined(separator: "\n  "))
    }

    @Test func seekCostOnALargeLog() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let total = ProcessInfo.processInfo.environment["JAMLOG_BENCH_SEEK"] == nil ? 3000 : Self.scale
        var gen = OpGenerator(seed: 37)
        let (log, _) = try SessionLog.create(directory: dir.path, session: "seek", options: SessionLog.Options(sync: false))
        var hashes: [Int: String] = [0: gen.document.contentHash]
        let probes = Set([1, total / 3, total / 2 + 7, total - 1, total])
        var batch: [LogEntry] = []
        let appendTime = try seconds {
            for i in 1...total {
                batch.append(gen.entry(author: "c\(i % 16)", seq: i))
                if probes.contains(i) { hashes[i] = gen.document.contentHash }
                if batch.count == 500 || i == total {
                    try log.append(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        let size = log.size
        log.close()
        var lines = ["\(total) ops, \(size) bytes, appended (no sync) in \(String(format: "%.2f", appendTime)) s"]
        let openTime = try seconds {
            let (again, recovery) = try SessionLog.open(directory: dir.path, session: "seek")
            again.close()
            #expect(recovery.document.contentHash == hashes[total])
        }
        lines.append("open with recovery: \(String(format: "%.1f", openTime * 1000)) ms")
        for revision in probes.sorted() {
            var state: LogState?
            let t = try seconds {
                let reader = try LogReader(directory: dir.path, session: "seek")
                state = try reader.state(at: revision)
            }
            #expect(state?.document.contentHash == hashes[revision])
            lines.append("state(at: \(revision)): \(String(format: "%.1f", t * 1000)) ms")
        }
        print("JamLog seek:\n  " + lines.joined(separator: "\n  "))
    }
}
