import Foundation
import JamClient
import JamCore
import JamProtocol
import JamServer
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// A real server on a loopback port 0 with a real data directory, for end-to-end tests.
struct TestServer {
    let server: JamServer
    let directory: String
    let identity: ServerIdentity
    let task: Task<Void, any Error>

    var port: Int { server.port }

    static func start(
        directory: String? = nil, limits: Limits = .default, token: String? = nil, metrics: ServerMetrics? = nil,
        bandmates: (any Bandmates)? = nil
    ) async throws -> TestServer {
        let directory = directory ?? temporaryDirectory()
        let identity = try ServerIdentity.loadOrCreate(dataDirectory: directory)
        var configuration = JamServer.Configuration(dataDirectory: directory, tls: try identity.makeServerContext())
        configuration.port = 0
        configuration.limits = limits
        configuration.token = token
        configuration.metrics = metrics
        configuration.bandmates = bandmates
        var logger = Logger(label: "jam.test")
        logger.logLevel = .warning
        let server = try await JamServer.bind(configuration, logger: logger)
        let task = Task { try await server.run() }
        return TestServer(server: server, directory: directory, identity: identity, task: task)
    }

    /// Stops the server and waits until it has said goodbye and flushed its logs.
    func stop() async throws {
        server.shutdown()
        try await withTimeout(.seconds(10)) { try await task.value }
    }

    func connect(_ trust: ClientTrust? = nil) async throws -> LineClient {
        try await LineClient.connect(port: port, trust: trust ?? .pinnedCertificate(path: identity.certificatePath))
    }

    /// Connects and reads HELLO (unless given a connection past its HELLO), joins `session`, answering
    /// PINGs meanwhile, and returns the client with its WELCOME.
    func join(
        _ session: String, name: String, role: Role = .player, rejoin: ClientMessage.Rejoin? = nil, token: String? = nil,
        on connection: LineClient? = nil
    ) async throws -> (LineClient, ServerMessage.Welcome) {
        let client: LineClient
        if let connection {
            client = connection
        } else {
            client = try await connect()
            guard case .hello = try await client.next() else { throw TestFailure("no HELLO") }
        }
        try await client.send(.join(.init(session: session, name: name, role: role, token: token, rejoin: rejoin)))
        while true {
            let message = try await client.next()
            switch message {
            case .welcome(let welcome): return (client, welcome)
            case .ping: try await client.send(.pong)
            default: throw TestFailure("\(String(describing: message)) instead of WELCOME")
            }
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("jam-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs `body`, failing if it takes longer than `limit`: every await on a socket goes through this.
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TestFailure("timed out after \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// A TLS client speaking the line protocol: sends messages or raw bytes, reads server messages.
final class LineClient: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let mailbox = Mailbox()
    private let reader: Task<Void, Never>

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
        let mailbox = self.mailbox
        reader = Task {
            do {
                for try await line in channel.inbound { await mailbox.put(.line(line)) }
                await mailbox.put(.closed)
            } catch {
                await mailbox.put(.failed("\(error)"))
            }
        }
    }

    static func connect(port: Int, trust: ClientTrust) async throws -> LineClient {
        let context = try trust.makeClientContext()
        let channel = try await withTimeout(.seconds(10)) {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maxLineBytes: Limits.default.serverLineBytes)))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        }
        return LineClient(channel: channel)
    }

    func send(_ message: ClientMessage) async throws {
        try await send(raw: message.encodeLine())
    }

    func send(raw text: String) async throws {
        try await send(raw: Array(text.utf8))
    }

    func send(raw bytes: [UInt8]) async throws {
        try await withTimeout(.seconds(10)) { [channel] in
            try await channel.outbound.write(ByteBuffer(bytes: bytes))
        }
    }

    /// The next server message; nil when the server closed the connection.
    func next(timeout: Duration = .seconds(10)) async throws -> ServerMessage? {
        switch try await mailbox.take(timeout: timeout) {
        case .line(let line): return try ServerMessage.decode(line: line)
        case .closed, .failed: return nil
        }
    }

    /// Reads until a message matches, failing on close or timeout; returns the match.
    func expect<T>(_ what: String, timeout: Duration = .seconds(10), _ match: (ServerMessage) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let message = try await next(timeout: deadline - .now) else { throw TestFailure("closed while waiting for \(what)") }
            if let found = match(message) { return found }
        }
    }

    /// The next ERR, skipping anything else.
    func expectError(timeout: Duration = .seconds(10)) async throws -> ProtocolError {
        try await expect("ERR", timeout: timeout) { if case .err(let e) = $0 { e } else { nil } }
    }

    /// True once the server has closed the connection (anything it sent before is skipped).
    func isClosed(timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard try await next(timeout: deadline - .now) != nil else { return true }
        }
    }

    /// Stops reading from the socket, as a client that hangs would.
    func stopReading() async throws {
        try await channel.channel.setOption(.autoRead, value: false)
    }

    func resumeReading() async throws {
        try await channel.channel.setOption(.autoRead, value: true)
        channel.channel.read()
    }

    func close() async {
        channel.outbound.finish()
        try? await channel.channel.close()
        reader.cancel()
    }

    deinit {
        channel.outbound.finish()
    }
}

/// Lines read in the background, taken one at a time with a timeout.
actor Mailbox {
    enum Item: Sendable {
        case line(ByteBuffer)
        case closed
        case failed(String)
    }

    private var items: [Item] = []
    private var waiter: CheckedContinuation<Item?, Never>?
    private var ended: Item?

    func put(_ item: Item) {
        if case .line = item {} else { ended = item }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: item)
        } else {
            items.append(item)
        }
    }

    func take(timeout: Duration) async throws -> Item {
        if !items.isEmpty { return items.removeFirst() }
        if let ended { return ended }
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.expire()
        }
        defer { timer.cancel() }
        guard let item = await withCheckedContinuation({ waiter = $0 }) else {
            throw TestFailure("no message within \(timeout)")
        }
        return item
    }

    private func expire() {
        waiter?.resume(returning: nil)
        waiter = nil
    }
}
