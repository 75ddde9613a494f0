import NIOCore
import Testing

@testable import JamServer

/// A writer's batch goes out as one buffer (one TLS record, not one per line), in order, unchanged.
@Suite struct OutboxTests {
    static func line(_ text: String) -> ByteBuffer { ByteBuffer(string: text + "\n") }

    @Test func aBatchIsJoinedInOrder() {
        let lines = (1...40).map { Self.line("OP {\"revision\":\($0)}") }
        let joined = Outbox.joined(lines)
        #expect(joined == ByteBuffer(string: (1...40).map { "OP {\"revision\":\($0)}\n" }.joined()))
    }

    @Test func aLoneLineIsSentAsItIs() {
        #expect(Outbox.joined([Self.line("PING")]) == Self.line("PING"))
        #expect(Outbox.joined([]) == nil)
    }

    @Test func whatIsQueuedComesOutOnce() async {
        let outbox = Outbox(capacity: 1 << 20)
        outbox.send(Self.line("ACK {\"revision\":1,\"seq\":1}"))
        outbox.send(Self.line("OP {\"revision\":2}"))
        let batch = await outbox.next()
        #expect(batch.flatMap(Outbox.joined) == ByteBuffer(string: "ACK {\"revision\":1,\"seq\":1}\nOP {\"revision\":2}\n"))
        outbox.close()
        #expect(await outbox.next() == nil)
    }
}
