import Foundation

/// What a log holds, for people: its session, size, revisions, snapshots, participants and time span.
/// Made by `LogReader.summary()` from one pass over the frames, without replaying operations.
public struct LogSummary: Hashable, Sendable {
    /// One author of operations.
    public struct Participant: Hashable, Sendable {
        public var author: String
        /// nil when the log does not say (LOG.md §3 `kind`); the latest one recorded otherwise.
        public var kind: AuthorKind?
        public var operations: Int
        /// Times of its first and last operation, milliseconds since the Unix epoch.
        public var first: Int64
        public var last: Int64
    }

    public var header: LogHeader
    /// The file's size in bytes.
    public var size: Int
    /// The last revision before the end or the damage.
    public var revision: Int
    public var operations: Int
    /// The snapshots' revisions, in log order.
    public var snapshotRevisions: [Int]
    /// Authors in order of their first operation.
    public var participants: [Participant]
    /// The first and last operation's times; nil when there is none.
    public var firstOperation: Int64?
    public var lastOperation: Int64?
    /// The first damaged or misplaced frame, if any; the summary covers the frames before it.
    public var damage: LogError?
}

extension LogReader {
    private struct OperationHead: Decodable {
        var author: String
        var kind: String?
        var time: Int64
    }

    /// One pass over every frame (checksums and order checked, operation payloads decoded for their
    /// author, kind and time; documents are not decoded). Stops at the first damaged frame and reports it.
    public func summary() throws(LogError) -> LogSummary {
        var scanner = FrameScanner(file: file, fileSize: size)
        var checker = SequenceChecker()
        var summary = LogSummary(
            header: header, size: size, revision: 0, operations: 0, snapshotRevisions: [], participants: [])
        var position: [String: Int] = [:]
        scan: while true {
            switch try scanner.next() {
            case .end:
                break scan
            case .damaged(let at, let reason):
                summary.damage = LogError(.corruptFrame, reason, offset: at)
                break scan
            case .frame(let at, let h):
                do {
                    try checker.check(offset: at, header: h)
                } catch {
                    summary.damage = error
                    break scan
                }
                switch h.kind {
                case .header:
                    break
                case .snapshot:
                    summary.snapshotRevisions.append(h.revision)
                case .transport:
                    break
                case .operation:
                    let head: OperationHead
                    do {
                        head = try decoder.decode(OperationHead.self, from: Data(scanner.payload()))
                    } catch {
                        summary.damage = LogError(.recordInvalid, "operation record for revision \(h.revision) does not decode: \(Payload.describe(error))", offset: at)
                        break scan
                    }
                    summary.operations += 1
                    summary.firstOperation = summary.firstOperation ?? head.time
                    summary.lastOperation = head.time
                    let kind = head.kind.flatMap(AuthorKind.init)
                    if let i = position[head.author] {
                        summary.participants[i].operations += 1
                        summary.participants[i].last = head.time
                        if let kind { summary.participants[i].kind = kind }
                    } else {
                        position[head.author] = summary.participants.count
                        summary.participants.append(LogSummary.Participant(author: head.author, kind: kind, operations: 1, first: head.time, last: head.time))
                    }
                }
                summary.revision = checker.revision
            }
        }
        return summary
    }
}
