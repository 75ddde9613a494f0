import Foundation
import JamProtocol
import Testing

/// The server driven by `openssl s_client`, an independent TLS client, as a person would by hand.
@Suite struct OpenSSLClientTests {
    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("openssl s_client verifies the certificate, joins, edits and gets its ACK")
    func talkByHand() async throws {
        let openssl = try #require(Self.openssl, "openssl is needed: apt-get install -y openssl (.ci/run installs it)")
        let server = try await TestServer.start()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "s_client", "-quiet", "-verify_return_error", "-CAfile", server.identity.certificatePath,
            "-verify_hostname", "localhost", "-connect", "127.0.0.1:\(server.port)",
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = Pipe()
        let lines = LineCollector()
        // A thread of its own reads the pipe: a readabilityHandler runs on Dispatch's shared queues,
        // which a full parallel test run can keep busy for longer than any timeout.
        let reader = Thread {
            while case let data = output.fileHandleForReading.availableData, !data.isEmpty { lines.append(data) }
        }
        reader.start()
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        try await lines.waitFor(prefix: "HELLO ")
        input.fileHandleForWriting.write(Data(#"JOIN {"session":"by-hand","name":"terminal"}"#.utf8 + [0x0A]))
        let welcome = try await lines.waitFor(prefix: "WELCOME ")
        #expect(welcome.contains(#""session":"by-hand""#))
        input.fileHandleForWriting.write(Data(#"OP {"base":0,"seq":1,"op":[{"type":"session.set","field":"tempo","value":99,"old":120}]}"#.utf8 + [0x0A]))
        let ack = try await lines.waitFor(prefix: "ACK ")
        #expect(ack == #"ACK {"revision":1,"seq":1}"#)
        input.fileHandleForWriting.write(Data("BOGUS {}\n".utf8))
        let error = try await lines.waitFor(prefix: "ERR ")
        #expect(error.contains(#""code":"unknown_verb""#))
        input.fileHandleForWriting.write(Data("BYE\n".utf8))
        try await lines.waitFor(prefix: "BYE")
        try input.fileHandleForWriting.close()
        try await server.stop()
    }
}

/// Lines a child process printed, awaited with a timeout.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var lines: [String] = []

    func append(_ data: Data) {
        lock.withLock {
            buffer.append(data)
            while let newline = buffer.firstIndex(of: 0x0A) {
                lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
                buffer.removeSubrange(...newline)
            }
        }
    }

    /// The first line starting with `prefix` not taken yet; fails after looking for `timeout`. The time is
    /// counted in looks, not on the wall clock: while a full parallel run keeps the cooperative threads
    /// busy, the server (whose connections are served there too) and this waiter stall alike, and a wall
    /// clock would expire before either had a chance.
    @discardableResult
    func waitFor(prefix: String, timeout: Duration = .seconds(30)) async throws -> String {
        let interval = Duration.milliseconds(20)
        for _ in 0..<Int(timeout / interval) {
            let found: String? = lock.withLock {
                guard let index = lines.firstIndex(where: { $0.hasPrefix(prefix) }) else { return nil }
                defer { lines.removeSubrange(...index) }
                return lines[index]
            }
            if let found { return found }
            try await Task.sleep(for: interval)
        }
        throw TestFailure("openssl printed no line starting \(prefix) within \(timeout); saw: \(lock.withLock { lines })")
    }
}
