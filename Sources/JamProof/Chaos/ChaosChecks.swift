import JamCore
import JamLog

extension ChaosSession {
    /// The checks after the drain: every replica is the server's document; the log verifies, holds the
    /// server's document, and reloads to it; every operation a member saw acknowledged is in the log
    /// exactly once; every operation in the log was acknowledged to its author; and no two committed
    /// operations of a member carry the same local edit (nothing was applied twice).
    mutating func check() {
        let revision = server.state.revision
        let hash = server.state.document.contentHash
        stats[.revisions] = revision
        if server.durableRevision != revision {
            problem("the server settled at revision \(revision) with only \(server.durableRevision) durable")
        }
        for member in members {
            guard let machine = member.machine else {
                problem("\(member.name) never joined")
                continue
            }
            if machine.state != .synchronized { problem("\(member.name) still has operations in flight: \(machine.state)") }
            if machine.revision != revision { problem("\(member.name) is at revision \(machine.revision), the server at \(revision)") }
            if machine.document.contentHash != hash { problem("\(member.name)'s replica is not the server's document") }
        }
        checkLog(revision: revision, hash: hash)
        checkExactlyOnce()
    }

    /// The log, reloaded as a restarted server would, and read offline.
    private mutating func checkLog(revision: Int, hash: String) {
        _ = server.crash(random: &random)
        do {
            server = try ChaosServer.restart(after: server)
        } catch {
            problem("the log does not reopen: \(error)")
            return
        }
        for line in server.problems { problem("reload: \(line)") }
        if server.state.revision != revision || server.state.document.contentHash != hash {
            problem("the log reloads to revision \(server.state.revision), not the server's \(revision) and document")
        }
        server.crash(random: &random).map { problem("a write was under way after the reload: \($0)") }
        do {
            let reader = try LogReader(directory: directory, session: ChaosServer.session)
            let verification = reader.verify()
            if let error = verification.error { problem("the log does not verify: \(error)") }
            if verification.revision != revision || verification.hash != hash {
                problem("the log verifies to revision \(verification.revision), not \(revision), or to another document")
            }
            var cursor = reader.records()
            while let located = try cursor.next() {
                if case .operation(let entry) = located.record {
                    logged[Committed(author: entry.author, seq: entry.seq), default: 0] += 1
                }
            }
        } catch {
            problem("the log cannot be read: \(error)")
        }
    }

    /// Exactly once, from both sides.
    private mutating func checkExactlyOnce() {
        var authors: [String: Int] = [:]
        for (index, member) in members.enumerated() {
            guard let client = member.client else { continue }
            authors[client] = index
            for seq in member.acknowledged.sorted() {
                let count = logged[Committed(author: client, seq: seq), default: 0]
                if count != 1 { problem("\(member.name) saw seq \(seq) acknowledged; the log holds it \(count) times") }
            }
            let ranges = member.acknowledged.sorted().compactMap { seq -> (seq: Int, edits: Range<Int>)? in
                guard let edits = member.carried[seq] else {
                    problem("\(member.name): seq \(seq) was acknowledged but never sent")
                    return nil
                }
                return (seq, edits)
            }.sorted { $0.edits.lowerBound < $1.edits.lowerBound }
            for (a, b) in zip(ranges, ranges.dropFirst()) where a.edits.overlaps(b.edits) {
                problem("\(member.name): seqs \(a.seq) and \(b.seq) were both committed, and both carry local edits \(a.edits.clamped(to: b.edits)): applied twice")
            }
        }
        for (committed, count) in logged.sorted(by: { ($0.key.author, $0.key.seq) < ($1.key.author, $1.key.seq) }) {
            if count > 1 { problem("\(committed.author) seq \(committed.seq) is in the log \(count) times") }
            guard let index = authors[committed.author] else {
                problem("\(committed.author), author of seq \(committed.seq) in the log, is no member's client id")
                continue
            }
            if !members[index].acknowledged.contains(committed.seq) {
                problem("\(members[index].name)'s seq \(committed.seq) is in the log but was never acknowledged to it")
            }
        }
    }
}

/// An operation's identity for exactly-once: its author's client id and its seq.
struct Committed: Hashable {
    var author: String
    var seq: Int
}
