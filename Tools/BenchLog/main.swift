import Dispatch
import Foundation
import JamCore
import JamLog

/// The session log's reading benchmark: builds a log of N seeded operations (a busy 8-track loop of about
/// 2000 notes edited note by note, and operations of every kind; five authors, one an AI), then times a full verify, seeking to random revisions and to random
/// moments through the snapshots, the summary `jam log info` prints, and reading one operation record.
/// `jam-bench-log [--ops N] [--seeks K] [--interval I] [--seed S] [--keep DIR] [--verify 0]`; with `--keep DIR`
/// the log stays there and a later run with the same options reuses it.
struct Options {
    var ops = 1_000_000
    var seeks = 300
    var interval = 1000
    var seed: UInt64 = 42
    var keep: String?
    var verify = true

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value\n\(Self.usage)") }
            switch flag {
            case "--ops": ops = try number(value, flag)
            case "--seeks": seeks = try number(value, flag)
            case "--interval": interval = try number(value, flag)
            case "--seed": seed = UInt64(try number(value, flag))
            case "--keep": keep = value
            case "--verify": verify = value != "0"
            default: throw UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
    }

    static let usage = "usage: jam-bench-log [--ops N] [--seeks K] [--interval I] [--seed S] [--keep DIR] [--verify 0]"

    private func number(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value > 0 else {
            throw UsageError(description: "\(flag) takes a positive number\n\(Self.usage)")
        }
        return value
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
}

func seconds<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try body()
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// CPU time of this thread: what a seek costs when the machine is shared and the wall clock waits.
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func milliseconds(_ values: [Double]) -> String {
    let sorted = values.sorted()
    func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] * 1000 }
    return String(format: "median %.2f ms, p95 %.2f ms, max %.2f ms", at(0.5), at(0.95), sorted.last! * 1000)
}

let options: Options
do {
    options = try Options(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}

let directory = options.keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("jam-bench-log-\(getpid())").path
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { if options.keep == nil { try? FileManager.default.removeItem(atPath: directory) } }
let session = "bench-\(options.ops)"
let path = directory + "/" + session + ".jamlog"
// With --keep, a log built before with the same options is reused (its hashes are then not probed).
let reuse = options.keep != nil && FileManager.default.fileExists(atPath: path)

/// A busy session's edits: mostly one note added, removed or changed (keeping about `target` notes),
/// and one in fifty a random operation of any kind (tracks, time, session settings).
struct Workload {
    var edits: RandomEdits
    let target: Int
    var counter = 0

    mutating func next(on document: Document) -> JamCore.Operation {
        let tracks = document.tracks.filter { !$0.notes.isEmpty }
        if document.tracks.count < 6 {
            counter += 1
            var track = edits.track(notes: 0)
            track.id = "w.t\(counter)"
            return [.trackAdd(index: document.tracks.count, track: track)]
        }
        if Int.random(in: 0..<50, using: &edits.generator) == 0 {
            return edits.operation(on: document)
        }
        let count = document.noteCount
        if count < target && Bool.random(using: &edits.generator) || tracks.isEmpty {
            let track = document.tracks.randomElement(using: &edits.generator)!
            counter += 1
            var note = edits.note()
            note.id = "w.n\(counter)"
            note.tick = Int.random(in: 0..<(16 * 16), using: &edits.generator) * 120
            return [.noteAdd(track: track.id, note: note)]
        }
        let track = tracks.randomElement(using: &edits.generator)!
        let note = track.notes.values.randomElement(using: &edits.generator)!
        if count > target && Bool.random(using: &edits.generator) {
            return [.noteRemove(track: track.id, note: note)]
        }
        let field = NoteField.allCases.randomElement(using: &edits.generator)!
        let value =
            switch field {
            case .tick: Int.random(in: 0..<(16 * 16), using: &edits.generator) * 120
            case .duration: Int.random(in: 1...8, using: &edits.generator) * 60
            case .pitch: Int.random(in: 24...96, using: &edits.generator)
            case .velocity: Int.random(in: 1...127, using: &edits.generator)
            }
        return [.noteSet(track: track.id, note: note.id, field: field, value: value, old: note[field])]
    }
}

/// Builds the log: seeded edits of a busy 8-track loop, appended in batches of 64 without fsync.
/// Returns the hashes of the document at a few revisions, to check seeks against.
func build() throws -> [Int: String] {
    var edits = RandomEdits(seed: options.seed, site: "c1")
    var document = edits.document(tracks: 8, notesPerTrack: 250...250)
    var workload = Workload(edits: edits, target: 2000)
    let t0: Int64 = 1_732_482_780_000
    let authors: [(String, AuthorKind)] = [("c1", .human), ("c2", .human), ("c3", .human), ("c4", .human), ("c5", .ai)]
    var probes: [Int: String] = [0: document.contentHash]
    var probeRevisions = Set((0..<20).map { ($0 * 7919 + 13) % options.ops + 1 })
    probeRevisions.insert(options.ops)
    var rng = SeededGenerator(seed: options.seed ^ 0xBEEF)
    let (log, _) = try SessionLog.create(
        directory: directory, session: session, document: document,
        options: SessionLog.Options(snapshotInterval: options.interval, sync: false), time: t0)
    var seqs = [Int](repeating: 0, count: authors.count)
    var components = 0
    let (_, buildTime) = try seconds {
        var batch: [LogEntry] = []
        batch.reserveCapacity(64)
        for revision in 1...options.ops {
            let operation = workload.next(on: document)
            try document.apply(operation)
            components += operation.components.count
            let a = revision % authors.count
            seqs[a] += 1
            // Commits 40–90 ms apart: a busy session.
            let time = t0 + Int64(revision) * 65 + Int64.random(in: -25...25, using: &rng)
            batch.append(LogEntry(revision: revision, author: authors[a].0, seq: seqs[a], operation: operation, time: time, kind: authors[a].1))
            if probeRevisions.contains(revision) { probes[revision] = document.contentHash }
            if batch.count == 64 || revision == options.ops {
                try log.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
    }
    let size = log.size
    log.close()
    print("log: \(options.ops) operations (\(components) components), \(size / 1_000_000) MB, snapshot interval \(options.interval); built in \(String(format: "%.1f", buildTime)) s")
    print("final document: \(document.tracks.count) tracks, \(document.noteCount) notes, \(document.canonicalJSON().count) bytes as JSON")
    return probes
}

let probes = reuse ? [:] : try build()
let t0: Int64 = 1_732_482_780_000
var rng = SeededGenerator(seed: options.seed ^ 0xF00D)
let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
if reuse { print("reusing \(path) (\(size / 1_000_000) MB)") }

// Full verify.
if options.verify {
    let (report, verifyTime) = seconds { (try? LogReader(path: path))?.verify() }
    guard let report, report.isValid, reuse || report.hash == probes[options.ops] else {
        print("verify FAILED: \(String(describing: report?.error))")
        exit(1)
    }
    print(String(format: "verify (every frame, checksum, payload, apply, snapshot hash): %.2f s = %.0f ops/s, %.0f MB/s",
                 verifyTime, Double(options.ops) / verifyTime, Double(size) / verifyTime / 1e6))
}

// Seek to random revisions, each with a fresh reader (as `jam replay --rev N` does).
var seekTimes: [Double] = []
for revision in probes.keys.sorted() {
    let (state, _) = try seconds { try LogReader(path: path).state(at: revision) }
    guard state.document.contentHash == probes[revision] else {
        print("seek FAILED at revision \(revision)")
        exit(1)
    }
}
var worst = (revision: 0, time: 0.0)
var seekCPU: [Double] = []
for _ in 0..<options.seeks {
    let revision = Int.random(in: 0...options.ops, using: &rng)
    let cpu = cpuSeconds()
    let (_, t) = try seconds { try LogReader(path: path).state(at: revision) }
    seekCPU.append(cpuSeconds() - cpu)
    seekTimes.append(t)
    if t > worst.time { worst = (revision, t) }
}
print("seek to a random revision (open + state(at:)), \(options.seeks) seeks: \(milliseconds(seekTimes)); slowest at revision \(worst.revision)")
print("  the same seeks in CPU time: \(milliseconds(seekCPU))")

// The worst place: just before a snapshot, where the most operations are replayed.
let reader = try LogReader(path: path)
let snapshots = try reader.snapshotList()
var beforeSnapshot: [Double] = []
for snapshot in snapshots.suffix(50) where snapshot.revision > 0 {
    let (_, t) = try seconds { try LogReader(path: path).state(at: snapshot.revision - 1) }
    beforeSnapshot.append(t)
}
print("seek to the revision before a snapshot (the longest replay), \(beforeSnapshot.count) seeks: \(milliseconds(beforeSnapshot))")

// Seek by wall-clock time (`jam replay --at`): find the revision, then the state.
var timeSeeks: [Double] = []
for _ in 0..<min(options.seeks, 100) {
    let moment = t0 + Int64.random(in: 0...(Int64(options.ops) * 65), using: &rng)
    let (_, t) = try seconds {
        let r = try LogReader(path: path)
        return try r.state(at: r.revision(atTime: moment))
    }
    timeSeeks.append(t)
}
print("seek to a random moment (revision(atTime:) + state(at:)), \(timeSeeks.count) seeks: \(milliseconds(timeSeeks))")

let (entry, entryTime) = try seconds { try LogReader(path: path).entry(at: options.ops / 2) }
print(String(format: "one operation record (entry(at:)): %.2f ms (revision %d by %@)", entryTime * 1000, entry.revision, entry.author))

let (summary, summaryTime) = try seconds { try LogReader(path: path).summary() }
print(String(format: "summary (jam log info): %.2f s, %d participants, %d snapshots", summaryTime, summary.participants.count, summary.snapshotRevisions.count))
