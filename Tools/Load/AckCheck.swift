import JamLog

/// The crash test's question for one session: which acknowledged operations is its log missing?
struct AckCheck: Sendable {
    /// What the log holds: each operation's author and seq, by revision.
    var committed: [Int: (author: String, seq: Int)] = [:]

    /// Reads every operation of a log (stopping with its error at the first damaged frame).
    init(reader: LogReader) throws(LogError) {
        var cursor = reader.records()
        while let located = try cursor.next() {
            if case .operation(let entry) = located.record { committed[entry.revision] = (entry.author, entry.seq) }
        }
    }

    init(committed: [Int: (author: String, seq: Int)]) {
        self.committed = committed
    }

    /// The last revision in the log.
    var revision: Int { committed.keys.max() ?? 0 }

    /// Every acknowledgement whose revision does not hold that author's operation with that seq, said
    /// in words.
    func missing(_ entries: [AckJournal.Entry]) -> [String] {
        entries.compactMap { entry in
            if let found = committed[entry.revision], found.author == entry.author, found.seq == entry.seq { return nil }
            let there = committed[entry.revision].map { "\($0.author) seq \($0.seq)" } ?? "nothing"
            return "\(entry.author) seq \(entry.seq) acknowledged at revision \(entry.revision), where the log has \(there)"
        }
    }
}
