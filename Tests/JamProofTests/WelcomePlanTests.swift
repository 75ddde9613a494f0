import JamCore
import JamLog
import JamProtocol
import JamServer
import Testing

/// The WELCOME shows the durable revision only: the regression tests of what the chaos simulator found
/// (a rejoin or a fresh join shown operations that a crash then took back).
@Suite struct WelcomePlanTests {
    /// A session at revision 0 with `count` tempo changes committed by `c1` (seq 1…count), none durable.
    private func state(committing count: Int, window: Int = 1000) -> SessionState {
        var limits = JamProtocol.Limits()
        limits.transformWindow = window
        limits.catchUpOps = 1
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

    @Test("a fresh join is shown the durable revision, not what is committed in memory")
    func freshJoinSeesTheDurableRevision() {
        var state = state(committing: 3)
        state.markDurable(through: 1)
        let plan = WelcomePlan.fresh(state: state)
        #expect(plan.revision == 1)
        guard case .snapshot(let document) = plan.content else {
            Issue.record("not a snapshot")
            return
        }
        #expect(document.tempo == 101)
        #expect(plan.hash == document.contentHash)
    }

    @Test("a rejoin gets the missed operations up to the durable revision, and its pending seq is committed only once durable")
    func rejoinStopsAtTheDurableRevision() throws {
        var state = state(committing: 3)
        state.markDurable(through: 2)
        let rejoin = ClientMessage.Rejoin(client: "c1", resume: "r", revision: 1, pending: [3])
        let plan = try WelcomePlan.rejoin(rejoin, resume: "r", state: state).get()
        #expect(plan.revision == 2)
        #expect(plan.content == .missed([CommittedOperation(revision: 2, author: "c1", op: state.history[1].operation)]))
        #expect(plan.committed.isEmpty, "seq 3 is committed at revision 3, which is not durable yet")
        state.markDurable(through: 3)
        let later = try WelcomePlan.rejoin(rejoin, resume: "r", state: state).get()
        #expect(later.committed == [CommittedSequence(seq: 3, revision: 3)])
        #expect(later.revision == 3 && later.hash == state.document.contentHash)
    }

    @Test("a rejoin claiming a revision beyond the durable one is future_revision; a wrong secret is unknown_client")
    func rejoinRefusals() {
        var state = state(committing: 2)
        state.markDurable(through: 1)
        let ahead = WelcomePlan.rejoin(ClientMessage.Rejoin(client: "c1", resume: "r", revision: 2), resume: "r", state: state)
        #expect(ahead.failureCode == .futureRevision)
        let stranger = WelcomePlan.rejoin(ClientMessage.Rejoin(client: "c1", resume: "x", revision: 0), resume: "r", state: state)
        #expect(stranger.failureCode == .unknownClient)
    }

    @Test("operations not yet durable stay in the history beyond the transform window")
    func historyKeepsWhatIsNotDurable() {
        var state = state(committing: 12, window: 2)
        #expect(state.history.count == 12)
        #expect(state.durableDocument == Document())
        state.markDurable(through: 12)
        _ = state.submit(author: "c1", base: 12, seq: 13, operation: JamCore.Operation([.sessionSet(value: .tempo(60), old: .tempo(112))]), time: 0)
        #expect(state.history.count == 2, "once durable, the window applies again")
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
}

extension Result where Failure == ProtocolError {
    fileprivate var failureCode: ProtocolError.Code? {
        if case .failure(let error) = self { error.code } else { nil }
    }
}
