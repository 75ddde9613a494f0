import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import JamServer

/// How a broadcast reaches one event loop: in one task, each outbox flushed once, and the outboxes sent
/// an acknowledgement first, since their editors are waiting.
@Suite struct DeliveryTests {
    /// Records, across channels, the order in which they write.
    final class WriteRecorder: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = ByteBuffer
        let name: String
        let order: NIOLockedValueBox<[String]>

        init(name: String, order: NIOLockedValueBox<[String]>) {
            self.name = name
            self.order = order
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            order.withLockedValue { $0.append(name) }
            context.write(data, promise: promise)
        }
    }

    @Test(arguments: [false, true])
    func acknowledgementsGoFirstOnTheirLoop(acknowledged: Bool) throws {
        let loop = EmbeddedEventLoop()
        let order = NIOLockedValueBox<[String]>([])
        let names = ["watcher", "author", "listener"]
        let channels = try names.map { name in
            let channel = EmbeddedChannel(handler: WriteRecorder(name: name, order: order), loop: loop)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            return channel
        }
        let outboxes = channels.map { Outbox(channel: $0, capacity: 1 << 20) }
        let (op, ack) = (ByteBuffer(string: "OP {}\n"), ByteBuffer(string: "ACK {}\n"))
        Delivery.batch { delivery in
            delivery.send(op, to: outboxes[0])
            delivery.send(op, to: outboxes[1])
            delivery.send(acknowledged ? ack : op, to: outboxes[1], first: acknowledged)
            delivery.send(op, to: outboxes[2])
        }
        #expect(order.withLockedValue { $0 }.isEmpty)
        loop.run()
        #expect(order.withLockedValue { $0 } == (acknowledged ? ["author", "watcher", "listener"] : names))
        // One write each: the author's two lines went out together, in the order sent.
        let authorBytes = try channels[1].readOutbound(as: ByteBuffer.self)
        #expect(authorBytes.map { String(buffer: $0) } == "OP {}\n" + (acknowledged ? "ACK {}\n" : "OP {}\n"))
        for channel in channels { _ = try channel.finish() }
    }
}
