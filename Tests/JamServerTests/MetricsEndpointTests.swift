import Foundation
import JamServer
import NIOCore
import NIOPosix
import Testing

@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    @Test func serverMetricsAppearInTheExposition() {
        let metrics = ServerMetrics()
        metrics.sessions.set(Int64(3))
        metrics.connections.increment()
        metrics.connections.increment()
        metrics.operationsCommitted.increment(by: Int64(5))
        metrics.transforms.increment()
        metrics.recordCommit(latency: .milliseconds(3))
        metrics.slowConsumerDisconnects.increment()
        metrics.protocolError(code: "bad_json")
        metrics.protocolError(code: "bad_json")
        metrics.protocolError(code: "line_too_long")

        let text = metrics.exposition()
        #expect(text.contains("jam_sessions 3"), "\(text)")
        #expect(text.contains("jam_connections 2"), "\(text)")
        #expect(text.contains("jam_operations_committed_total 5"), "\(text)")
        #expect(text.contains("jam_transforms_total 1"), "\(text)")
        #expect(text.contains("jam_slow_consumer_disconnects_total 1"), "\(text)")
        #expect(text.contains(#"jam_protocol_errors_total{code="bad_json"} 2"#), "\(text)")
        #expect(text.contains(#"jam_protocol_errors_total{code="line_too_long"} 1"#), "\(text)")
        // 3 ms: above the 2.5 ms bucket, inside the 5 ms one.
        #expect(text.contains(#"jam_commit_latency_seconds_bucket{le="0.0025"} 0"#), "\(text)")
        #expect(text.contains(#"jam_commit_latency_seconds_bucket{le="0.005"} 1"#), "\(text)")
        #expect(text.contains(#"jam_commit_latency_seconds_bucket{le="1.0"} 1"#), "\(text)")
        #expect(text.contains("jam_commit_latency_seconds_count 1"), "\(text)")
        #expect(text.contains("# TYPE jam_commit_latency_seconds histogram"), "\(text)")
        #expect(text.contains("# HELP jam_sessions"), "\(text)")
    }

    @Test func separateRegistriesAreIndependent() {
        let a = ServerMetrics()
        let b = ServerMetrics()
        a.operationsCommitted.increment(by: Int64(7))
        #expect(a.exposition().contains("jam_operations_committed_total 7"))
        #expect(b.exposition().contains("jam_operations_committed_total 0"))
    }

    @Test func servesMetricsOverHTTP() async throws {
        let metrics = ServerMetrics()
        metrics.sessions.set(Int64(2))
        metrics.operationsCommitted.increment(by: Int64(11))
        metrics.protocolError(code: "unknown_verb")

        try await withMetricsEndpoint(metrics) { port in
            let response = try await httpExchange(
                port: port,
                request: "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            )
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(response)")
            #expect(response.lowercased().contains("content-type: text/plain; version=0.0.4"), "\(response)")
            #expect(response.contains("jam_sessions 2"), "\(response)")
            #expect(response.contains("jam_operations_committed_total 11"), "\(response)")
            #expect(response.contains(#"jam_protocol_errors_total{code="unknown_verb"} 1"#), "\(response)")
            for name in [
                "jam_connections", "jam_transforms_total", "jam_commit_latency_seconds_bucket",
                "jam_slow_consumer_disconnects_total",
            ] {
                #expect(response.contains(name), "\(name) missing from \(response)")
            }

            // Values are read at each scrape.
            metrics.sessions.set(Int64(5))
            let again = try await httpExchange(
                port: port,
                request: "GET /metrics?x=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            )
            #expect(again.contains("jam_sessions 5"), "\(again)")
        }
    }

    @Test func otherPathsAre404AndOtherMethods405() async throws {
        try await withMetricsEndpoint(ServerMetrics()) { port in
            let notFound = try await httpExchange(
                port: port,
                request: "GET /nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            )
            #expect(notFound.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(notFound)")
            #expect(!notFound.contains("jam_sessions"), "\(notFound)")

            let post = try await httpExchange(
                port: port,
                request: "POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"), "\(post)")
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withMetricsEndpoint(ServerMetrics()) { port in
            let request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"
            let last = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            let response = try await httpExchange(port: port, request: request + request + last)
            #expect(response.components(separatedBy: "HTTP/1.1 200 OK\r\n").count - 1 == 3, "\(response)")
        }
    }

    @Test func endpointStopsWhenCancelled() async throws {
        let endpoint = try await MetricsEndpoint.bind(host: "127.0.0.1", port: 0, metrics: ServerMetrics())
        #expect(endpoint.port > 0)
        #expect(endpoint.host == "127.0.0.1")
        let task = Task { try await endpoint.run() }
        // Serving...
        let response = try await httpExchange(
            port: endpoint.port,
            request: "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        // ...until cancelled; then the port no longer accepts connections.
        task.cancel()
        try await metricsTestTimeout(seconds: 10) { try await task.value }
        await #expect(throws: (any Error).self) {
            _ = try await httpExchange(
                port: endpoint.port,
                request: "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            )
        }
    }
}

// MARK: - Support

private struct MetricsTestFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body` with an endpoint on 127.0.0.1 (port 0), then cancels it and waits for it to stop.
private func withMetricsEndpoint(
    _ metrics: ServerMetrics,
    _ body: @Sendable (Int) async throws -> Void
) async throws {
    let endpoint = try await MetricsEndpoint.bind(host: "127.0.0.1", port: 0, metrics: metrics)
    #expect(endpoint.port > 0)
    let server = Task { try await endpoint.run() }
    do {
        try await body(endpoint.port)
    } catch {
        server.cancel()
        _ = try? await metricsTestTimeout(seconds: 10) { try await server.value }
        throw error
    }
    server.cancel()
    try await metricsTestTimeout(seconds: 10) { try await server.value }
}

/// Sends `request` on a plain TCP connection and reads until the server closes it
/// (or 10 seconds pass).
private func httpExchange(port: Int, request: String) async throws -> String {
    try await metricsTestTimeout(seconds: 10) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = ByteBuffer()
            for try await chunk in inbound {
                var chunk = chunk
                received.writeBuffer(&chunk)
            }
            return String(buffer: received)
        }
    }
}

/// `body`'s result, or a failure if it takes longer than `seconds`.
private func metricsTestTimeout<T: Sendable>(
    seconds: Int,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw MetricsTestFailure(description: "timed out after \(seconds) seconds")
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else {
            throw MetricsTestFailure(description: "no result")
        }
        return result
    }
}
