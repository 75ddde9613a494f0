import ArgumentParser
import Foundation
import JamProtocol
import NIOCore

/// `jam-load idle`: many idle TLS connections, and what they cost the server in memory.
struct IdleRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Open many idle TLS connections to a Jam server (or nats-server) and measure the server's memory per connection.",
        discussion: """
            Reads VmRSS of --server-pid from /proc before connecting and again --settle seconds after the last \
            connection is up. With --per-session N each connection also joins a session of N members \
            (sessions idle0, idle1, …); with 0 it stays unjoined (the server's joinSeconds must then outlast \
            the run). The server's `connections` limit (1024 by default) and both processes' open-file limits \
            must allow the count. With --nats the server is a nats-server, the peer: each connection sends \
            CONNECT and subscribes to the subject of its group of N (idle0, idle1, …), NATS's join.
            """
    )

    @Option(help: "The server's address.")
    var host = "127.0.0.1"

    @Option(help: "The server's port.")
    var port = 7890

    @Option(name: .customLong("ca"), help: ArgumentHelp("The server's certificate, to pin.", valueName: "FILE"))
    var ca = "jam-data/tls/cert.pem"

    @Option(help: "Connections to open.")
    var connections = 10_000

    @Option(help: "Members per session; 0 leaves the connections unjoined.")
    var perSession = 20

    @Flag(help: "The server is a nats-server (TLS after its clear-text INFO).")
    var nats = false

    @Option(help: "The server's process id, to read its memory.")
    var serverPid: Int32?

    @Option(help: "Seconds to wait after connecting before reading the server's memory again.")
    var settle: Double = 3

    @Option(help: "Connections opened at a time.")
    var parallel = 100

    @Option(help: "Event-loop threads of the generator.")
    var threads = 1

    @Option(help: ArgumentHelp("Write the figures as JSON to this file.", valueName: "FILE"))
    var json: String?

    /// What the run found.
    struct Figures: Codable {
        var connections: Int
        var opened: Int
        var failed: Int
        var perSession: Int
        var connectSeconds: Double
        var rssBeforeKiB: Int?
        var rssAfterKiB: Int?
        var kibPerConnection: Double?
        var firstFailure: String?
    }

    func run() async throws {
        let connector = try Connector(threads: threads, host: host, port: port, certificate: ca)
        let perSession = self.perSession
        let group = { @Sendable (index: Int) in perSession > 0 ? index / perSession : index }
        if nats {
            let (clock, recorder) = (DeliveryClock(receivers: 0), Recorder())
            try await measure(connector) { index in
                let setup = NATSLoadClient.Setup(
                    index: index, publishes: false, subject: "idle\(group(index))", size: 24, seed: 0, connector: connector,
                    clock: clock, recorder: recorder)
                return try await connector.open(tlsFirst: false) { NATSLoadClient(setup, eventLoop: $0) }
            }
        } else {
            try await measure(connector) { index in
                let join = perSession > 0 ? ("idle\(group(index))", "idle\(index % perSession)") : nil
                return try await connector.open { IdleClient(join: join, eventLoop: $0) }
            }
        }
    }

    /// Opens the connections with `open`, reads the server's memory, and reports.
    private func measure<Handler: LoadHandler>(
        _ connector: Connector, open: @escaping @Sendable (Int) async throws -> LoadConnection<Handler>
    ) async throws {
        let before = serverPid.flatMap(Self.residentKiB)
        let started = LoadClock.now()
        let results = await LoadDriver.connect(count: connections, parallelism: parallel, open: open)
        let connectSeconds = Double(LoadClock.now() - started) / 1e9
        let opened = results.compactMap { try? $0.get() }
        let firstFailure: String? = results.lazy.compactMap { result -> String? in
            if case .failure(let error) = result { return "\(error)" }
            return nil
        }.first
        try? await Task.sleep(for: .seconds(settle))
        let after = serverPid.flatMap(Self.residentKiB)
        var figures = Figures(
            connections: connections, opened: opened.count, failed: connections - opened.count, perSession: perSession,
            connectSeconds: (connectSeconds * 10).rounded() / 10, rssBeforeKiB: before, rssAfterKiB: after, firstFailure: firstFailure)
        if let before, let after, !opened.isEmpty {
            figures.kibPerConnection = (Double(after - before) / Double(opened.count) * 10).rounded() / 10
        }
        for connection in opened { connection.channel.close(promise: nil) }
        for connection in opened { try? await connection.closed.get() }
        await connector.shutdown()
        print("idle: \(figures.opened) of \(connections) TLS connections open\(perSession > 0 ? (nats ? ", subscribed \(perSession) to a subject" : ", joined \(perSession) to a session") : ", unjoined") in \(figures.connectSeconds) s")
        if let before, let after {
            print("server RSS \(before) KiB → \(after) KiB: \(figures.kibPerConnection.map { "\($0)" } ?? "?") KiB per connection")
        }
        if let firstFailure { print("first failure: \(firstFailure)") }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try encoder.encode(figures).write(to: URL(fileURLWithPath: json))
        }
    }

    /// VmRSS of a process, in KiB.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}

/// A connection that joins (or not) and then only answers PINGs.
final class IdleClient: LoadHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let join: (session: String, name: String)?
    private let readyPromise: EventLoopPromise<Void>
    private let closedPromise: EventLoopPromise<Void>

    init(join: (session: String, name: String)?, eventLoop: any EventLoop) {
        self.join = join
        readyPromise = eventLoop.makePromise()
        closedPromise = eventLoop.makePromise()
    }

    var ready: EventLoopFuture<Void> { readyPromise.futureResult }
    var closed: EventLoopFuture<Void> { closedPromise.futureResult }
    var isIdle: Bool { true }
    func start(_ plan: RunPlan) {}
    func stop() {}

    func channelInactive(context: ChannelHandlerContext) {
        readyPromise.fail(ChannelError.ioOnClosedChannel)
        closedPromise.succeed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        readyPromise.fail(error)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        line.withUnsafeReadableBytes { bytes in
            if LineScan.starts(bytes, with: "PING") {
                send(.pong, context: context)
            } else if LineScan.starts(bytes, with: "HELLO") {
                if let join {
                    send(.join(.init(session: join.session, name: join.name)), context: context)
                } else {
                    readyPromise.succeed()
                }
            } else if LineScan.starts(bytes, with: "WELCOME") {
                readyPromise.succeed()
            } else if LineScan.starts(bytes, with: "ERR") {
                let error = try? ServerMessage.decode(line: line)
                readyPromise.fail(IdleFailure(message: error.map { "\($0)" } ?? "unreadable ERR"))
            }
        }
    }

    private func send(_ message: ClientMessage, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: message.encodeLine())), promise: nil)
    }
}

/// Why an idle connection did not come up.
struct IdleFailure: Error, CustomStringConvertible {
    var code = "idle_refused"
    var message: String
    var description: String { message }
}
