import Foundation
import JamCore
@testable import JamLog

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TempDir {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/jamlog-tests-\(UUID().uuidString.lowercased())"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func read(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: file(name)) ?? Data())
    }

    func write(_ name: String, _ bytes: [UInt8]) {
        try! Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: file(name))
    }

    func list() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

/// Decodes an operation from its DOCUMENT.md §2 JSON.
func op(_ json: String) -> JamCore.Operation {
    try! JSONDecoder().decode(JamCore.Operation.self, from: Data(json.utf8))
}

/// Makes a valid, varied stream of operations by keeping its own copy of the document: adds tracks
/// and notes, sets note fields, removes notes, renames the session, inserts time. Past `maxNotes`
/// notes it removes as often as it adds, like a long session on a loop of fixed size.
struct OpGenerator {
    var document: Document
    var revision = 0
    var maxNotes: Int
    private var counter = 0
    private var rng: UInt64
    /// Every note the generator added and has not removed: (track, note id).
    private var notes: [(track: String, id: String)] = []

    init(document: Document = Document(), seed: UInt64 = 1, maxNotes: Int = 2000) {
        self.document = document
        self.maxNotes = maxNotes
        self.rng = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    private mutating func random(_ n: Int) -> Int {
        rng ^= rng << 13
        rng ^= rng >> 7
        rng ^= rng << 17
        return Int(rng % UInt64(n))
    }

    /// The next operation; it applies to `document`, which it then updates.
    mutating func next() -> JamCore.Operation {
        counter += 1
        let n = counter
        let json: String
        if document.tracks.isEmpty || (document.tracks.count < 3 && random(40) == 0) {
            let id = "c1.t\(n)"
            json = #"[{"type":"track.add","index":0,"track":{"id":"\#(id)","name":"Track \#(n)","instrument":33,"channel":1,"volume":100,"pan":0,"mute":false,"solo":false,"owner":"c1","notes":[]}}]"#
        } else {
            let track = document.tracks[random(document.tracks.count)]
            var choice = random(10)
            if notes.isEmpty && choice < 3 { choice = 9 }
            if notes.count >= maxNotes && choice >= 5 { choice = 0 }
            switch choice {
            case 0:
                let k = random(notes.count)
                let (t, id) = notes[k]
                notes.swapAt(k, notes.count - 1)
                notes.removeLast()
                let note = document[track: t]!.notes[id]!
                json = #"[{"type":"note.remove","track":"\#(t)","note":{"id":"\#(note.id)","tick":\#(note.tick),"duration":\#(note.duration),"pitch":\#(note.pitch),"velocity":\#(note.velocity)}}]"#
            case 1, 2:
                let (t, id) = notes[random(notes.count)]
                let note = document[track: t]!.notes[id]!
                let value = 1 + random(127)
                json = #"[{"type":"note.set","track":"\#(t)","note":"\#(note.id)","field":"velocity","value":\#(value),"old":\#(note.velocity)}]"#
            case 3:
                let title = "Jam \"\(n)\" / ünïcode"
                let encodedTitle = String(decoding: try! JSONEncoder().encode(title), as: UTF8.self)
                let encodedOld = String(decoding: try! JSONEncoder().encode(document.title), as: UTF8.self)
                json = #"[{"type":"session.set","field":"title","value":\#(encodedTitle),"old":\#(encodedOld)}]"#
            case 4 where random(4) == 0:
                json = #"[{"type":"time.insert","at":\#(random(4) * 480),"span":480}]"#
            default:
                notes.append((track.id, "c1.n\(n)"))
                json = #"[{"type":"note.add","track":"\#(track.id)","note":{"id":"c1.n\#(n)","tick":\#(random(64) * 120),"duration":240,"pitch":\#(36 + random(48)),"velocity":\#(1 + random(127))}}]"#
            }
        }
        let operation = op(json)
        try! document.apply(operation)
        revision += 1
        return operation
    }

    /// The next entry for `author`, with the given seq.
    mutating func entry(author: String = "alice", seq: Int) -> LogEntry {
        let operation = next()
        return LogEntry(revision: revision, author: author, seq: seq, operation: operation, time: 1_700_000_000_000 + Int64(revision))
    }
}

/// Options for fast tests: no sync (the data still reaches the file).
let fast = SessionLog.Options(snapshotInterval: 1000, sync: false)

/// Appends `count` operations (batches of `batch`) by authors alice and bob alternating; returns the generator.
@discardableResult
func fill(_ log: SessionLog, _ gen: inout OpGenerator, count: Int, batch: Int = 1, seqs: inout [String: Int]) throws -> [LogEntry] {
    var all: [LogEntry] = []
    var pending: [LogEntry] = []
    for i in 0..<count {
        let author = i % 3 == 0 ? "bob" : "alice"
        let seq = (seqs[author] ?? 0) + 1
        seqs[author] = seq
        pending.append(gen.entry(author: author, seq: seq))
        if pending.count == batch {
            try log.append(pending)
            all += pending
            pending.removeAll()
        }
    }
    if !pending.isEmpty {
        try log.append(pending)
        all += pending
    }
    return all
}

/// The offsets of every frame of a sound log, in order.
func frameOffsets(_ path: String) throws -> [(offset: Int, kind: LogRecordKind, revision: Int)] {
    let reader = try LogReader(path: path)
    var cursor = reader.records()
    var out: [(Int, LogRecordKind, Int)] = []
    while let r = try cursor.next() { out.append((r.offset, r.kind, r.revision)) }
    return out
}

/// Builds log bytes frame by frame, for crafting logs a correct writer would never write.
struct LogBuilder {
    var bytes: [UInt8]
    var lastSnapshot: Int
    var revision = 0
    private(set) var offsets: [Int] = []

    init(session: String = "crafted", document: Document = Document()) {
        bytes = SessionLog.initialBytes(session: session, document: document, time: 0)
        // The revision-0 snapshot starts after the magic and the header frame.
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8
        lastSnapshot = 8 + 32 + headerLength
        offsets = [8, lastSnapshot]
    }

    /// Appends a raw frame; returns its offset.
    @discardableResult
    mutating func frame(_ kind: LogRecordKind, revision: Int, snapshot: Int? = nil, payload: [UInt8]) -> Int {
        let offset = bytes.count
        FrameHeader.appendFrame(kind: kind, revision: revision, snapshot: snapshot ?? lastSnapshot, payload: payload, to: &bytes)
        offsets.append(offset)
        return offset
    }

    @discardableResult
    mutating func operation(_ entry: LogEntry, revision: Int? = nil, snapshot: Int? = nil) -> Int {
        let payload = try! Payload.encodeOperation(entry, encoder: Payload.makeEncoder())
        self.revision = revision ?? entry.revision
        return frame(.operation, revision: self.revision, snapshot: snapshot, payload: payload)
    }

    @discardableResult
    mutating func snapshot(_ document: Document, clients: ClientCommits, revision: Int? = nil) -> Int {
        let payload = Payload.encodeSnapshot(document: document, clients: clients, time: 0, encoder: Payload.makeEncoder()).payload
        let offset = frame(.snapshot, revision: revision ?? self.revision, payload: payload)
        lastSnapshot = offset
        return offset
    }
}
