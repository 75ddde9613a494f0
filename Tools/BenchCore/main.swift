import Dispatch
import Foundation
import JamCore

/// The OT core's benchmark: apply and transform rates and a 1M-operation replay, on seeded random edits.
/// `jam-bench-core [--ops N] [--seed S]`, or `jam-bench-core --check N` to run the OT laws on N random pairs.
struct Options {
    var ops = 1_000_000
    var seed: UInt64 = 42
    var check: Int?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw usage("\(flag) needs a value") }
            switch flag {
            case "--ops": ops = try number(value, flag)
            case "--seed": seed = UInt64(try number(value, flag))
            case "--check": check = try number(value, flag)
            default: throw usage("unknown option \(flag)")
            }
        }
    }

    private func number(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value > 0 else { throw usage("\(flag) takes a positive number") }
        return value
    }

    private func usage(_ message: String) -> UsageError {
        UsageError(description: "\(message)\nusage: jam-bench-core [--ops N] [--seed S] | --check N [--seed S]")
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
    if let pairs = options.check {
        runChecks(pairs, seed: options.seed)
    } else {
        runBenchmarks(options)
    }
} catch {
    print(error)
    exit(2)
}
