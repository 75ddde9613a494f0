import JamCore
import JamLog
import JamProtocol
import JamServer
import Testing

/// WELCOME plans, and the release queue that holds a WELCOME until its revision is durable: the
/// regression tests of what the chaos simulator found (members shown operations that a crash then took
/// back, their replicas diverging after the restart).
@Suite struct WelcomePlanTests {
    /// A session at revision 0 with `count` tempo changes committed by `c1` (seq 1…count).
    private func state(committing count: Int) -> SessionState {
        var limits = JamProtocol.Limits()
        limits.catchUpOps = 2
        var state = SessionState(document: Document(), revision: 0, clients: [:], limits: limits)
        for n in 1...count {
            let op = JamCore.Operation([.sessionSet(value: .tempo(Double(100 + n)), old: .tempo(Double(n == 1 ? 120 : 99 + n)))])
            let outcome = state.submit(author: "c1", base: n - 1, seq: n, operation: op, time: 0)
            guard case .committed = outcome else {
                Issue.record("seq \(n): \(outcome)")
                return state
            }
        }
        return state
    }

    @Test("a fresh join is shown the session's document at its revision")
    func freshJoin() {
        let state = state(committing: 3)
        let plan = WelcomePlan.fresh(state: state)
        #expect(plan.revision == 3 && plan.hash == state.document.contentHash)
        #expect(plan.content == .snapshot(state.document))
    }

    @Test("a rejoin gets what it missed and which of its pending sequences are committed; a snapshot when too far behind")
    func rejoin() throws {
        let state = state(committing: 3)
        let near = try WelcomePlan.rejoin(ClientMessage.Rejoin(client: "c1", resume: "r", revision: 1, pending: [3]), resume: "r", state: state).get()
        #expect(near.content == .missed(state.history.suffix(2).map { CommittedOperation(revision: $0.revision, author: $0.author, op: $0.operation) }))
        #expect(near.committed == [CommittedSequence(seq: 3, revision: 3)])
        let far = try WelcomePlan.rejoin(ClientMessage.Rejoin(client: "c1", resume: "r", revision: 0), resume: "r", state: state).get()
        #expect(far.content == .snapshot(state.document) && far.committed.isEmpty)
    }

    @Test("a rejoin claiming a revision the session has not reached is future_revision; a wrong secret is unknown_client")
    func rejoinRefusals() {
        let state = state(committing: 2)
        let ahead = WelcomePlan.rejoin(ClientMessage.Rejoin(client: "c1", resume: "r", revision: 3), resume: "r", state: state)
        #expect(ahead.failureCode == .futureRevision)
        let stranger = WelcomePlan.rejoin(ClientMessage.Rejoin(client: "c1", resume: "x", revision: 0), resume: "r", state: state)
        #expect(stranger.failureCode == .unknownClient)
    }
}

@Suite struct ReleaseQueueTests {
    private func entry(_ revision: Int) -> LogEntry {
        LogEntry(revision: revision, author: "c\(revision)", seq: 1, operation: JamCore.Operation(), time: 0)
    }

    @Test("nothing is released before its revision is durable, and everything in the order it was held")
    func releasesInOrderOnceDurable() {
        var queue = ReleaseQueue(durableRevision: 4)
        queue.append(.commit(entry(5)))
        queue.append(.ack(client: "c9", connection: ConnectionID(value: 1), seq: 3, revision: 4))
        queue.append(.commit(entry(6)))
        queue.append(.ack(client: "c8", connection: ConnectionID(value: 2), seq: 7, revision: 6))
        #expect(queue.nextBatch == [entry(5), entry(6)])
        #expect(queue.release() == [.ack(client: "c9", connection: ConnectionID(value: 1), seq: 3, revision: 4)])
        queue.markDurable(through: 5)
        #expect(queue.nextBatch == [entry(6)])
        #expect(queue.release() == [.commit(entry(5))])
        queue.markDurable(through: 6)
        #expect(queue.release() == [.commit(entry(6)), .ack(client: "c8", connection: ConnectionID(value: 2), seq: 7, revision: 6)])
        #expect(queue.isEmpty && queue.nextBatch.isEmpty)
    }

    @Test("a WELCOME waits until its revision is durable, after the operations it holds and before the later ones")
    func welcomeWaitsForTheLog() {
        let welcome = ServerMessage.Welcome(client: "c9", session: "s", revision: 6, hash: "h", resume: "r", roster: [], content: .snapshot(Document()))
        var queue = ReleaseQueue(durableRevision: 4)
        queue.append(.commit(entry(5)))
        queue.append(.commit(entry(6)))
        queue.append(.welcome(client: "c9", connection: ConnectionID(value: 3), welcome: welcome))
        queue.append(.commit(entry(7)))
        queue.markDurable(through: 5)
        #expect(queue.release() == [.commit(entry(5))])
        queue.markDurable(through: 7)
        #expect(queue.release() == [.commit(entry(6)), .welcome(client: "c9", connection: ConnectionID(value: 3), welcome: welcome), .commit(entry(7))])
    }
}

extension Result where Failure == ProtocolError {
    fileprivate var failureCode: ProtocolError.Code? {
        if case .failure(let error) = self { error.code } else { nil }
    }
}
