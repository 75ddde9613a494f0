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

    private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let context: ServerContext
    private let open = NIOLockedValueBox<[ConnectionID: Outbox]>([:])
    private let counter = NIOLockedValueBox<UInt64>(0)
    private let limits: JamProtocol.Limits

    /// Where the server listens.
    public let port: Int
    public let host: String

    private init(channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, context: ServerContext, host: String) {
        self.channel = channel
        self.context = context
        self.limits = context.limits
        self.host = host
        port = channel.channel.localAddress?.port ?? 0
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
        let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                        try child.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maxLineBytes: lineBytes)))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                    }
                }
        } catch {
            throw ServerError(.bindFailed, "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        let context = ServerContext(
            registry: registry, secret: secret, limits: configuration.limits, token: configuration.token,
            metrics: configuration.metrics, logger: logger, bandmates: configuration.bandmates,
            port: channel.channel.localAddress?.port ?? configuration.port)
        return JamServer(channel: channel, context: context, host: configuration.host)
    }

    /// Serves until the listening channel closes (`shutdown`, or a graceful shutdown of the service group).
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        let id = ConnectionID(value: counter.withLockedValue { $0 += 1; return $0 })
                        group.addTask { await self.serve(connection, id: id) }
                    }
                }
                await farewell()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    /// Stops accepting; `run` then tells every client the server is going, flushes the logs and returns.
    public func shutdown() {
        channel.channel.close(promise: nil)
    }

    private func serve(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, id: ConnectionID) async {
        let connection = ClientConnection(id: id, context: context, channel: channel.channel)
        let admitted = open.withLockedValue { open -> Bool in
            guard open.count < limits.connections else { return false }
            open[id] = connection.outbox
            return true
        }
        context.metrics?.connections.set(to: Double(open.withLockedValue { $0.count }))
        guard admitted else {
            await connection.refuseAtOnce(channel, ProtocolError(.serverFull, "the server has \(limits.connections) connections"))
            return
        }
        await connection.run(channel)
        open.withLockedValue { $0[id] = nil }
        context.metrics?.connections.set(to: Double(open.withLockedValue { $0.count }))
    }

    /// Says BYE to every session member and every connection not yet joined, and closes the logs.
    private func farewell() async {
        await context.bandmates?.stopAll()
        await context.registry.closeAll(reason: "shutdown")
        for outbox in open.withLockedValue({ Array($0.values) }) {
            outbox.close(after: ServerMessage.bye(Bye(reason: "shutdown")).line())
        }
    }
}
