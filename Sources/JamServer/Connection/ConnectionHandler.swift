import JamProtocol
import Logging
import NIOCore
import NIOSSL

/// The channel's end of a client connection, after the TLS handler and the line decoder: hands each line
/// to the connection's inbox, holds reads back while the inbox is full, and reports the close. Decisions
/// stay in `ClientConnection` and `Session`.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let connection: ClientConnection
    /// Set for a connection over the server's limit: it gets one ERR and is closed.
    private let refusal: ProtocolError?
    private var watchdog: RepeatedTask?
    private var started = false

    init(connection: ClientConnection, refusal: ProtocolError? = nil) {
        self.connection = connection
        self.refusal = refusal
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        if let refusal {
            // The ERR waits in the TLS handler until the handshake is done; the outbox closes after it.
            connection.refuse(refusal)
            return
        }
        watchdog = connection.start(on: context.eventLoop)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refusal == nil else { return }
        connection.receive(.line(unwrapInboundIn(data)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as ProtocolError:
            connection.receive(.failed(error))
        case NIOSSLError.uncleanShutdown:
            connection.logger.debug("closed without TLS close_notify")
            connection.outbox.close()
        case let error as NIOSSLError:
            connection.logger.notice("TLS failed; connection closed", metadata: ["error": "\(error)"])
            connection.outbox.close()
        default:
            connection.logger.info("connection failed", metadata: ["error": "\(error)"])
            connection.outbox.close()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchdog?.cancel()
        if refusal == nil { connection.receive(.closed) }
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if connection.mayRead() { context.read() }
    }
}
