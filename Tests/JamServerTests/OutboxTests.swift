import NIOCore
import Testing

@testable import JamServer

/// What an outbox decides: a burst of lines goes out as one buffer (one TLS record, not one per line), in
/// order, with one flush scheduled; past the cap the client is a slow consumer; a close goes after the
/// last line, even past the cap.
@Suite struct OutboxTests {
    static func line(_ text: String) -> ByteBuffer { ByteBuffer(string: text + "\n") }

    @Test func aBurstIsOneFlushOfOneBufferInOrder() {
        var state = OutboxState(capacity: 1 << 20)
        let lines = (1...40).map { Self.line("OP {\"revision\":\($0)}") }
        var decisions: [OutboxState.Enqueued] = []
        for line in lines { decisions.append(state.enqueue(line)) }
        #expect(decisions.first == .queued(flush: true))
        #expect(decisions.dropFirst().allSatisfy { $0 == .queued(flush: false) })
        let flush = state.takeFlush()
        #expect(flush == .init(bytes: ByteBuffer(string: (1...40).map { "OP {\"revision\":\($0)}\n" }.joined()), close: false))
        #expect(state.enqueue(Self.line("PING")) == .queued(flush: true))
        #expect(state.takeFlush().bytes == Self.line("PING"))
        #expect(state.takeFlush() == .init(bytes: nil, close: false))
    }

    @Test func whatTheSocketHasNotTakenCountsAgainstTheCap() {
        let line = Self.line(String(repeating: "x", count: 99))
        var state = OutboxState(capacity: 250)
        #expect(state.enqueue(line) == .queued(flush: true))
        #expect(state.enqueue(line) == .queued(flush: false))
        _ = state.takeFlush()
        // Flushed but not yet on the socket: the third line would make 300 unsent bytes.
        #expect(state.enqueue(line) == .refused)
        #expect(state.overflowed)
        #expect(state.enqueue(Self.line("PING")) == .refused)
    }

    @Test func aSentFlushMakesRoomAgain() {
        let line = Self.line(String(repeating: "x", count: 99))
        var state = OutboxState(capacity: 250)
        _ = state.enqueue(line)
        _ = state.enqueue(line)
        let flush = state.takeFlush()
        state.sent(flush.bytes?.readableBytes ?? 0)
        #expect(state.unsent == 0)
        #expect(state.enqueue(line) == .queued(flush: true))
        #expect(!state.overflowed)
    }

    @Test func closeSendsItsLastLinePastTheCapThenCloses() {
        var state = OutboxState(capacity: 10)
        #expect(state.enqueue(Self.line("too long for the cap")) == .refused)
        let first = state.close(after: Self.line("ERR slow_consumer"))
        let second = state.close(after: Self.line("BYE"))
        #expect(first && !second)
        #expect(state.enqueue(Self.line("PING")) == .refused)
        #expect(state.takeFlush() == .init(bytes: Self.line("ERR slow_consumer"), close: true))
    }

    @Test func closeWhileAFlushIsPendingJoinsIt() {
        var state = OutboxState(capacity: 1 << 20)
        #expect(state.enqueue(Self.line("OP 1")) == .queued(flush: true))
        let flushToo = state.close(after: Self.line("BYE"))
        #expect(!flushToo)
        #expect(state.takeFlush() == .init(bytes: ByteBuffer(string: "OP 1\nBYE\n"), close: true))
    }

    @Test func aBigBurstGivesItsRoomBack() {
        var state = OutboxState(capacity: 1 << 20)
        for index in 0..<5 { _ = state.enqueue(Self.line("PEER \(index)")) }
        _ = state.takeFlush()
        #expect(state.queued.capacity >= 5)
        for index in 0..<1000 { _ = state.enqueue(Self.line("PEER \(index)")) }
        _ = state.takeFlush()
        #expect(state.queued.isEmpty)
        #expect(state.queued.capacity <= OutboxState.keptCapacity)
    }
}
