import JamClient
import JamProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// What the driver needs of a load client's channel handler. Every member is used on the handler's
/// event loop only.
protocol LoadHandler: ChannelInboundHandler, AnyObject, SendableMetatype {
    /// Succeeds once the client can start (joined, subscribed); fails if it cannot.
    var ready: EventLoopFuture<Void> { get }
    /// Succeeds when the connection has closed.
    var closed: EventLoopFuture<Void> { get }
    /// Starts sending as `plan` says.
    func start(_ plan: RunPlan)
    /// Whether nothing this client sent is waiting for its acknowledgement.
    var isIdle: Bool { get }
    /// Says goodbye and closes.
    func stop()
}

/// One open load client: its channel and its handler, reachable from the driver.
struct LoadConnection<Handler: LoadHandler>: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<Handler>
    let ready: EventLoopFuture<Void>
    let closed: EventLoopFuture<Void>

    /// Runs `body` on the handler's event loop.
    func run<T: Sendable>(_ body: @escaping @Sendable (Handler) -> T) async throws -> T {
        let handler = self.handler
        return try await channel.eventLoop.submit { body(handler.value) }.get()
    }
}

/// Opens TCP connections to one server, with TLS verified against a pinned certificate, a line decoder
/// and a load client's handler.
struct Connector: Sendable {
    let group: MultiThreadedEventLoopGroup
    let host: String
    let port: Int
    let trust: ClientTrust
    let context: NIOSSLContext
    /// The longest line accepted from the server.
    let maxLineBytes: Int

    init(threads: Int, host: String, port: Int, certificate: String, maxLineBytes: Int = Limits.default.serverLineBytes) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        self.host = host
        self.port = port
        trust = .pinnedCertificate(path: certificate)
        context = try trust.makeClientContext()
        self.maxLineBytes = maxLineBytes
    }

    /// The name to verify: none for an IP address (NIOSSL then checks the certificate's IP addresses).
    var serverHostname: String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    /// A client handler for TLS on this connector's context.
    func makeTLSHandler() throws -> NIOSSLClientHandler {
        try trust.makeClientHandler(context: context, serverHostname: serverHostname)
    }

    /// Connects; `tlsFirst` false leaves TLS to the handler (NATS sends INFO in the clear first).
    func open<Handler: LoadHandler>(
        tlsFirst: Bool = true, make: @escaping @Sendable (any EventLoop) -> Handler
    ) async throws -> LoadConnection<Handler> where Handler.InboundIn == ByteBuffer {
        let maxLineBytes = self.maxLineBytes
        let tls: NIOSSLClientHandler.Type? = tlsFirst ? NIOSSLClientHandler.self : nil
        let connector = self
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(30))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if tls != nil { try sync.addHandler(connector.makeTLSHandler()) }
                    try sync.addHandler(ByteToMessageHandler(LineDecoder(maxLineBytes: maxLineBytes)))
                    try sync.addHandler(make(channel.eventLoop))
                }
            }
            .connect(host: host, port: port).get()
        return try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: Handler.self)
            return LoadConnection(
                channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                ready: handler.ready, closed: handler.closed)
        }.get()
    }

    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}
