// A tiny HTTP/1.1 server for Prometheus: `GET /metrics` answers the registry's text
// exposition, anything else 404 (405 for another method on /metrics).
//
// Structured concurrency: `bind` opens the listening socket (port 0 picks a free
// one, see `port`), `run` serves until its task is cancelled or, as a
// ServiceLifecycle service, until graceful shutdown; then the socket is closed.

import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

public struct MetricsEndpoint: Service {
    public let registry: PrometheusCollectorRegistry
    /// The address actually bound.
    public let host: String
    public let port: Int

    /// A connection that sends nothing for this long is closed.
    public static let idleTimeout: TimeAmount = .seconds(60)
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>

    /// Binds `host:port` (port 0: any free port). Call `run()` exactly once afterwards:
    /// it serves and, when it returns, closes the socket.
    public static func bind(
        host: String,
        port: Int,
        registry: PrometheusCollectorRegistry,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MetricsEndpoint {
        let serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        IdleStateHandler(readTimeout: Self.idleTimeout)
                    )
                    try channel.pipeline.syncOperations.addHandler(CloseOnIdleHandler())
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }
        guard let boundPort = serverChannel.channel.localAddress?.port else {
            try? await serverChannel.channel.close()
            throw MetricsEndpointError(message: "the metrics socket on \(host):\(port) has no local port")
        }
        let boundHost = serverChannel.channel.localAddress?.ipAddress ?? host
        return MetricsEndpoint(registry: registry, host: boundHost, port: boundPort, serverChannel: serverChannel)
    }

    /// Binds `host:port` for the server's metrics (see `bind(host:port:registry:group:)`).
    public static func bind(
        host: String,
        port: Int,
        metrics: ServerMetrics,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MetricsEndpoint {
        try await bind(host: host, port: port, registry: metrics.registry, group: group)
    }

    private init(
        registry: PrometheusCollectorRegistry,
        host: String,
        port: Int,
        serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    ) {
        self.registry = registry
        self.host = host
        self.port = port
        self.serverChannel = serverChannel
    }

    /// Serves connections until the task is cancelled or a graceful shutdown is
    /// requested; then closes the listening socket and every connection.
    public func run() async throws {
        let registry = self.registry
        try await cancelWhenGracefulShutdown {
            try await serverChannel.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask {
                                await Self.serve(connection, registry: registry)
                            }
                        }
                    } catch {
                        // The listening socket failed or closed: stop accepting.
                    }
                }
            }
        }
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        registry: PrometheusCollectorRegistry
    ) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let head):
                        request = head
                    case .body:
                        continue
                    case .end:
                        guard let head = request else { return }
                        request = nil
                        let keepAlive = head.isKeepAlive
                        try await respond(to: head, keepAlive: keepAlive, registry: registry, outbound: outbound)
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            // A client that went away, or an idle one we closed: nothing to report.
        }
    }

    private static func respond(
        to head: HTTPRequestHead,
        keepAlive: Bool,
        registry: PrometheusCollectorRegistry,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let status: HTTPResponseStatus
        var body = ByteBuffer()
        var headers = HTTPHeaders()
        if path == "/metrics" {
            if head.method == .GET || head.method == .HEAD {
                status = .ok
                body.writeBytes(registry.emitToBuffer())
                headers.add(name: "Content-Type", value: contentType)
            } else {
                status = .methodNotAllowed
                headers.add(name: "Allow", value: "GET, HEAD")
                headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
                body.writeString("method not allowed\n")
            }
        } else {
            status = .notFound
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            body.writeString("not found; try /metrics\n")
        }
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")

        let responseHead = HTTPResponseHead(version: head.version, status: status, headers: headers)
        try await outbound.write(.head(responseHead))
        if head.method != .HEAD {
            try await outbound.write(.body(.byteBuffer(body)))
        }
        try await outbound.write(.end(nil))
    }
}

public struct MetricsEndpointError: Error, Sendable, CustomStringConvertible {
    public let code = "metrics_endpoint_failed"
    public let message: String
    public var description: String { "\(code): \(message)" }
}

/// Closes a connection when IdleStateHandler reports that it sent nothing for a while.
private final class CloseOnIdleHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
