import Dispatch
import Foundation
import JamCore

/// The OT core's benchmark: apply and transform rates and a 1M-operation replay, on seeded random edits.
/// `jam-bench-core [--ops N] [--seed S]`, or `jam-bench-core --check N` to run the OT laws on N random pairs,
/// or `jam-bench-core --check-kinds N [--jobs J] [--kinds A,B [--case I]]` to check TP1 on N pairs of
/// single components for each of the 100 ordered pairs of component kinds (or one pair, or one case of it).
struct Options {
    var ops = 1_000_000
    var seed: UInt64 = 42
    var check: Int?
    var checkKinds: Int?
    var jobs = ProcessInfo.processInfo.activeProcessorCount
    var kinds: (ComponentKind, ComponentKind)?
    var replayCase: Int?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw usage("\(flag) needs a value") }
            switch flag {
            case "--ops": ops = try number(value, flag)
            case "--seed": seed = UInt64(try number(value, flag))
            case "--check": check = try number(value, flag)
            case "--check-kinds": checkKinds = try number(value, flag)
            case "--jobs": jobs = try number(value, flag)
            case "--kinds":
                let names = value.split(separator: ",").map(String.init)
                guard names.count == 2, let a = ComponentKind(type: names[0]), let b = ComponentKind(type: names[1]) else {
                    throw usage("--kinds takes two component types, e.g. note.set,time.remove")
                }
                kinds = (a, b)
            case "--case":
                guard let index = Int(value), index >= 0 else { throw usage("--case takes a case number") }
                replayCase = index
            default: throw usage("unknown option \(flag)")
            }
        }
    }

    private func number(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value > 0 else { throw usage("\(flag) takes a positive number") }
        return value
    }

    private func usage(_ message: String) -> UsageError {
        UsageError(description: "\(message)\nusage: jam-bench-core [--ops N] [--seed S] | --check N [--seed S]"
            + " | --check-kinds N [--seed S] [--jobs J] [--kinds A,B [--case I]]")
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func rate(_ count: Int, _ time: Double) -> String {
    String(format: "%.2fM/s", Double(count) / time / 1e6)
}

/// A working document: 8 tracks of 500 notes, as a busy loop.
func busyDocument(_ edits: inout RandomEdits) -> Document {
    edits.document(tracks: 8, notesPerTrack: 500...500)
}

/// Note edits only (the common case while jamming), each valid after the ones before.
func noteEdits(_ count: Int, on start: Document, _ edits: inout RandomEdits) -> [Component] {
    var document = start
    var list: [Component] = []
    list.reserveCapacity(count)
    while list.count < count {
        let track = document.tracks.randomElement(using: &edits.generator)!
        let component: Component
        switch Int.random(in: 0..<4, using: &edits.generator) {
        case 0:
            component = .noteAdd(track: track.id, note: edits.note())
        case 1 where !track.notes.isEmpty:
            component = .noteRemove(track: track.id, note: track.notes.values.randomElement(using: &edits.generator)!)
        default:
            guard let note = track.notes.values.randomElement(using: &edits.generator) else { continue }
            let value = Int.random(in: 0...127, using: &edits.generator)
            component = .noteSet(track: track.id, note: note.id, field: .pitch, value: value, old: note.pitch)
        }
        guard (try? document.apply(component)) != nil else { continue }
        list.append(component)
    }
    return list
}

func runChecks(_ pairs: Int, seed: UInt64) {
    let shards = ProcessInfo.processInfo.activeProcessorCount
    let failures = LockedList()
    let time = seconds {
        DispatchQueue.concurrentPerform(iterations: shards) { shard in
            let each = pairs / shards
            let seed = seed &+ UInt64(shard) &* 1_000_003
            if let failure = Convergence.checkTP1(pairs: each, seed: seed) { failures.append("\(failure)") }
            if let failure = Convergence.checkInverse(count: each / 4, seed: seed) { failures.append("\(failure)") }
            if let failure = Convergence.checkSequences(count: each / 4, seed: seed) { failures.append("\(failure)") }
        }
    }
    let perShard = pairs / shards
    print("OT laws on \(perShard * shards) TP1 pairs, \(perShard / 4 * shards) inversions, \(perShard / 4 * shards) sequences (seed \(seed), \(shards) shards) in \(String(format: "%.1f", time)) s")
    if failures.items.isEmpty {
        print("all held")
    } else {
        failures.items.forEach { print($0) }
        exit(1)
    }
}

/// TP1 on `pairs` cases of each ordered pair of component kinds (or of `--kinds` only), each pair's cases
/// cut into slices that `jobs` threads take in turn. Prints the table of kept pairs and failures, the
/// draws, the time and the cost of a pair; exits 1 on a failure, naming the command that replays it.
func runKindChecks(_ pairs: Int, _ options: Options) {
    let kindPairs = options.kinds.map { [$0] } ?? ComponentKind.allCases.flatMap { a in ComponentKind.allCases.map { (a, $0) } }
    let slices = max(1, min(pairs / Convergence.casesPerDocument, options.jobs * 4))
    let tasks = kindPairs.indices.flatMap { pair in (0..<slices).map { (pair, $0) } }
    let board = KindBoard(kindPairs, slices: slices)
    let seed = options.seed
    print("TP1 per kind pair: \(pairs) pairs for each of \(kindPairs.count) ordered pairs of kinds (seed \(seed), \(options.jobs) jobs)")
    let time = seconds {
        DispatchQueue.concurrentPerform(iterations: options.jobs) { _ in
            while let task = board.take(tasks.count) {
                let (pair, slice) = tasks[task]
                let first = pairs * slice / slices
                let count = pairs * (slice + 1) / slices - first
                let result = Convergence.checkTP1(kinds: kindPairs[pair], pairs: count, seed: seed, from: first)
                if let done = board.finish(pair, result) {
                    let line = "\(done.a) × \(done.b): \(done.kept) kept of \(done.generated), \(done.rewritten) rewritten, \(done.failures) failed"
                    FileHandle.standardError.write(Data("\(line)\n".utf8))
                }
            }
        }
    }
    let results = board.results
    printKindTable(results)
    let generated = results.reduce(0) { $0 + $1.generated }, kept = results.reduce(0) { $0 + $1.kept }
    let rewritten = results.reduce(0) { $0 + $1.rewritten }, failures = results.reduce(0) { $0 + $1.failures }
    print("\(kept) pairs checked of \(generated) drawn (\(generated - kept) drawn again: a component did not apply); \(rewritten) rewritten by a rule")
    print(String(format: "%.1f s on %d jobs: %.0f ns a pair (per job)", time, options.jobs, time * Double(options.jobs) / Double(max(1, kept)) * 1e9))
    if failures == 0 {
        print("all held")
        return
    }
    for result in results {
        guard let failure = result.firstFailure else { continue }
        print("\(result.failures) failures; the first: \(failure)")
        print("replay: jam-bench-core --kinds \(result.a),\(result.b) --case \(failure.index) --seed \(seed)")
    }
    exit(1)
}

/// One case of the per-kind check, alone.
func replayKindCase(_ kinds: (ComponentKind, ComponentKind), _ index: Int, seed: UInt64) {
    let result = Convergence.checkTP1(kinds: kinds, pairs: 1, seed: seed, from: index)
    if let failure = result.firstFailure {
        print(failure)
        exit(1)
    }
    print("case \(index) of \(kinds.0) × \(kinds.1) (seed \(seed)) held\(result.rewritten > 0 ? ", rewritten by a rule" : "")")
}

/// The 10×10 table: rows are the kind of `a`, columns the kind of `b`; a cell is the pairs kept, and
/// `!F` when F of them failed.
func printKindTable(_ results: [Convergence.KindPairCheck]) {
    let short: [ComponentKind: String] = [
        .trackAdd: "t.add", .trackRemove: "t.remove", .trackMove: "t.move", .trackSet: "t.set", .noteAdd: "n.add",
        .noteRemove: "n.remove", .noteSet: "n.set", .timeInsert: "time.ins", .timeRemove: "time.rm", .sessionSet: "s.set",
    ]
    let columns = ComponentKind.allCases.filter { b in results.contains { $0.b == b } }
    let rows = ComponentKind.allCases.filter { a in results.contains { $0.a == a } }
    let pad = { (text: String, width: Int) in String(repeating: " ", count: max(0, width - text.count)) + text }
    let table = { (title: String, cell: (Convergence.KindPairCheck) -> String) in
        let width = max(9, (results.map { cell($0).count }.max() ?? 0) + 1)
        print(title)
        print(pad("a \\ b", 9) + columns.map { pad(short[$0]!, width) }.joined())
        for a in rows {
            let cells = columns.map { b in results.first { $0.a == a && $0.b == b }.map { pad(cell($0), width) } ?? pad("", width) }
            print(pad(short[a]!, 9) + cells.joined())
        }
    }
    table("pairs checked (!F: F of them failed)", keptCell)
    table("% of them a rule rewrote (the two met)") { String(format: "%.1f", 100 * Double($0.rewritten) / Double(max(1, $0.kept))) }
}

func keptCell(_ result: Convergence.KindPairCheck) -> String {
    let kept = result.kept >= 1_000_000 && result.kept % 100_000 == 0
        ? String(format: "%gM", Double(result.kept) / 1e6) : "\(result.kept)"
    return result.failures == 0 ? kept : "\(kept)!\(result.failures)"
}

/// The per-kind check's shared state: the next task, and each pair's slices as they finish.
final class KindBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var merged: [Convergence.KindPairCheck]
    private var remaining: [Int]

    init(_ pairs: [(ComponentKind, ComponentKind)], slices: Int) {
        merged = pairs.map { Convergence.KindPairCheck(a: $0.0, b: $0.1) }
        remaining = Array(repeating: slices, count: pairs.count)
    }

    /// The next task's number, or nil when all are taken.
    func take(_ count: Int) -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Records a slice; the pair's merged result once its last slice is in.
    func finish(_ pair: Int, _ result: Convergence.KindPairCheck) -> Convergence.KindPairCheck? {
        lock.withLock {
            merged[pair].merge(result)
            remaining[pair] -= 1
            return remaining[pair] == 0 ? merged[pair] : nil
        }
    }

    var results: [Convergence.KindPairCheck] { lock.withLock { merged } }
}

final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ item: String) { lock.withLock { list.append(item) } }
    var items: [String] { lock.withLock { list } }
}

func runBenchmarks(_ options: Options) {
    var edits = RandomEdits(seed: options.seed)
    let start = busyDocument(&edits)
    print("jam-bench-core: \(options.ops) ops, seed \(options.seed), document of \(start.tracks.count) tracks × 500 notes")

    // Component applies: note edits in place.
    let components = noteEdits(options.ops, on: start, &edits)
    var document = start
    let applyTime = seconds {
        for component in components { try! document.apply(component) }
    }
    print("apply      \(rate(components.count, applyTime))  (\(components.count) note components in \(String(format: "%.3f", applyTime)) s)")

    // Transforms: pairs of concurrent single-component operations on the same document.
    var other = RandomEdits(seed: options.seed ^ 0xABCDEF, site: "b")
    let small = edits.document(tracks: 4, notesPerTrack: 8...8)
    let pairs = (0..<options.ops).map { _ in (JamCore.Operation([edits.component(on: small) ?? .timeInsert(at: 0, span: 1)]), JamCore.Operation([other.component(on: small) ?? .timeInsert(at: 0, span: 1)])) }
    var kept = 0
    let transformTime = seconds {
        for (i, (a, b)) in pairs.enumerated() {
            let (a2, b2) = transform(a, b, aWins: i & 1 == 0)
            kept &+= a2.components.count &+ b2.components.count
        }
    }
    print("transform  \(rate(pairs.count, transformTime))  (\(pairs.count) pairs of random components of every kind in \(String(format: "%.3f", transformTime)) s; \(kept) components out)")

    // Replay: 1M random operations of every kind from an empty session, as a log replay.
    var replayEdits = RandomEdits(seed: options.seed &+ 7)
    var live = replayEdits.document(tracks: 4, notesPerTrack: 20...20)
    let origin = live
    var log: [JamCore.Operation] = []
    log.reserveCapacity(options.ops)
    while log.count < options.ops {
        let op = replayEdits.operation(on: live)
        guard !op.isEmpty else { continue }
        try! live.apply(op)
        log.append(op)
    }
    var replayed = origin
    let replayTime = seconds {
        for op in log { try! replayed.apply(op) }
    }
    let componentCount = log.reduce(0) { $0 + $1.components.count }
    precondition(replayed == live, "replay diverged")
    print("replay     \(String(format: "%.3f", replayTime)) s for \(log.count) ops (\(componentCount) components, every kind; final \(replayed.tracks.count) tracks, \(replayed.noteCount) notes)")

    let hashTime = seconds { _ = replayed.contentHash }
    print("hash       \(String(format: "%.2f", hashTime * 1000)) ms for the final document")
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    if let index = options.replayCase {
        guard let kinds = options.kinds else { throw UsageError(description: "--case needs --kinds A,B") }
        replayKindCase(kinds, index, seed: options.seed)
    } else if let pairs = options.checkKinds {
        runKindChecks(pairs, options)
    } else if let pairs = options.check {
        runChecks(pairs, seed: options.seed)
    } else {
        runBenchmarks(options)
    }
} catch {
    print(error)
    exit(2)
}
