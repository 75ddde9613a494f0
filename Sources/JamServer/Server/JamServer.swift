import Foundation
import JamCore
import JamLog
import JamProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The Jam server: TLS on one port, line protocol, sessions kept in memory and logged to `dataDirectory`.
///
/// `bind` opens the port (port 0 picks one; see `port`), `run` serves until `shutdown` or a graceful
/// shutdown of its service group, then says goodbye to every client and flushes every log.
public final class JamServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 7890
        public var dataDirectory: String
        public var tls: NIOSSLContext
        public var token: String?
        public var limits = JamProtocol.Limits.default
        public var metrics: ServerMetrics?
        /// The document a session starts with when its log does not exist yet.
        public var initialDocument: @Sendable (String) -> Document = { _ in Document() }
        /// Who plays the AI bandmates that INVITE asks for; nil answers INVITE with `unavailable`.
        public var bandmates: (any Bandmates)?

        public init(dataDirectory: String, tls: NIOSSLContext) {
            self.dataDirectory = dataDirectory
            self.tls = tls
        }
    }

    private let channel: any Channel
    private let context: ServerContext
    private let connections: OpenConnections

    /// Where the server listens.
    public let port: Int
    public let host: String

    private init(channel: any Channel, context: ServerContext, connections: OpenConnections, host: String) {
        self.channel = channel
        self.context = context
        self.connections = connections
        self.host = host
        port = channel.localAddress?.port ?? 0
    }

    /// Opens the data directory and the port.
    public static func bind(_ configuration: Configuration, logger: Logger = Logger(label: "jam.server")) async throws -> JamServer {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: configuration.dataDirectory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            } catch {
                throw ServerError(.dataDirectory, "cannot create \(configuration.dataDirectory): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw ServerError(.dataDirectory, "\(configuration.dataDirectory) is not a directory")
        }
        let secret = try ServerSecret.loadOrCreate(directory: configuration.dataDirectory)
        let registry = SessionRegistry(
            directory: configuration.dataDirectory, limits: configuration.limits, metrics: configuration.metrics,
            logger: logger, initialDocument: configuration.initialDocument)
        let tls = configuration.tls
        let lineBytes = configuration.limits.lineBytes
        // The context needs the port, known once bound; connections accepted before then wait for it.
        let promise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: ServerContext.self)
        let connections = OpenConnections(limit: configuration.limits.connections, metrics: configuration.metrics)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                // Each connection keeps its last read buffer for the next read: start it small, as most
                // reads are a line or two, and let it grow for clients that send more.
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536))
                .childChannelInitializer { child in
                    promise.futureResult.hop(to: child.eventLoop).flatMapThrowing { context in
                        let (connection, refusal) = connections.admit(child, context: context)
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                        try child.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maxLineBytes: lineBytes)))
                        try child.pipeline.syncOperations.addHandler(ConnectionHandler(connection: connection, refusal: refusal))
                    }
                }
                .bind(host: configuration.host, port: configuration.port).get()
        } catch {
            promise.fail(error)
            throw ServerError(.bindFailed, "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        let context = ServerContext(
            registry: registry, secret: secret, limits: configuration.limits, token: configuration.token,
            metrics: configuration.metrics, logger: logger, bandmates: configuration.bandmates,
            port: channel.localAddress?.port ?? configuration.port)
        promise.succeed(context)
        return JamServer(channel: channel, context: context, connections: connections, host: configuration.host)
    }

    /// Serves until the listening channel closes (`shutdown`, or a graceful shutdown of the service group).
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
            await farewell()
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    /// Stops accepting; `run` then tells every client the server is going, flushes the logs and returns.
    public func shutdown() {
        channel.close(promise: nil)
    }

    /// Says BYE to every session member and every connection not yet joined, closes the logs, and waits
    /// for the connections to close.
    private func farewell() async {
        await context.bandmates?.stopAll()
        await context.registry.closeAll(reason: "shutdown")
        let open = connections.all
        for connection in open {
            connection.outbox.close(after: ServerMessage.bye(Bye(reason: "shutdown")).line())
        }
        for connection in open {
            await connection.closed()
        }
    }
}
