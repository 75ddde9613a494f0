import Foundation
import JamClient
import JamServer
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Testing

@Suite("ServerIdentity")
struct ServerIdentityTests {
    @Test func generatesOnFirstStartAndReusesAfterwards() async throws {
        try await withScratchDirectory { dir in
            let first = try ServerIdentity.loadOrCreate(dataDirectory: dir)
            #expect(first.generated)
            #expect(first.certificatePath == dir + "/tls/cert.pem")
            #expect(first.keyPath == dir + "/tls/key.pem")
            #expect(first.fingerprint.count == 64)
            #expect(first.fingerprint.allSatisfy { "0123456789abcdef".contains($0) })
            #expect(first.announcement.contains(first.certificatePath))
            #expect(first.announcement.contains(first.fingerprint))

            let second = try ServerIdentity.loadOrCreate(dataDirectory: dir)
            #expect(!second.generated)
            #expect(second.fingerprint == first.fingerprint)
            #expect(second.certificatePath == first.certificatePath)

            // Another data directory, another identity.
            try await withGeneratedIdentity { other in
                #expect(other.fingerprint != first.fingerprint)
            }
        }
    }

    @Test func keyFileIsPrivateToTheOwner() async throws {
        try await withScratchDirectory { dir in
            let identity = try ServerIdentity.loadOrCreate(dataDirectory: dir)
            let keyAttributes = try FileManager.default.attributesOfItem(atPath: identity.keyPath)
            #expect((keyAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let dirAttributes = try FileManager.default.attributesOfItem(atPath: dir + "/tls")
            #expect((dirAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
            // No temporary files left behind.
            let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/tls").sorted()
            #expect(names == ["cert.pem", "key.pem"])
        }
    }

    @Test func validityStartsADayEarlyAndLastsTenYears() async throws {
        try await withScratchDirectory { dir in
            let now = Date(timeIntervalSince1970: 1_750_000_000)
            let identity = try ServerIdentity.loadOrCreate(dataDirectory: dir, now: now)
            #expect(identity.notValidBefore == now.addingTimeInterval(-86_400))
            let years = identity.notValidAfter.timeIntervalSince(identity.notValidBefore) / (365.25 * 86_400)
            #expect(abs(years - 10) < 0.01)
        }
    }

    @Test func opensslSeesACertificateAuthorityForLocalhost() async throws {
        try await withGeneratedIdentity { identity in
            let text = try runOpenSSL(["x509", "-in", identity.certificatePath, "-noout", "-text"])
            #expect(text.contains("CA:TRUE"), "\(text)")
            #expect(text.contains("Digital Signature"), "\(text)")
            #expect(text.contains("Certificate Sign"), "\(text)")
            #expect(text.contains("DNS:localhost"), "\(text)")
            #expect(text.contains("IP Address:127.0.0.1"), "\(text)")
            #expect(text.contains("IP Address:0:0:0:0:0:0:0:1") || text.contains("IP Address:::1"), "\(text)")
            #expect(text.contains("prime256v1") || text.contains("P-256"), "\(text)")
            #expect(text.contains("ecdsa-with-SHA256"), "\(text)")

            // Our fingerprint is openssl's, without colons and in lower case.
            let fingerprintLine = try runOpenSSL([
                "x509", "-in", identity.certificatePath, "-noout", "-fingerprint", "-sha256",
            ])
            let opensslFingerprint = fingerprintLine.split(separator: "=").last.map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(opensslFingerprint == identity.displayFingerprint)
            #expect(Fingerprint.normalize(opensslFingerprint ?? "") == identity.fingerprint)

            // The key is the certificate's.
            let keyPublic = try runOpenSSL(["pkey", "-in", identity.keyPath, "-pubout"])
            let certificatePublic = try runOpenSSL(["x509", "-in", identity.certificatePath, "-noout", "-pubkey"])
            #expect(keyPublic.contains("BEGIN PUBLIC KEY"))
            #expect(keyPublic == certificatePublic)
        }
    }

    @Test func userCertificateAndKeyLoad() async throws {
        try await withGeneratedIdentity { generated in
            let loaded = try ServerIdentity.load(certificate: generated.certificatePath, key: generated.keyPath)
            #expect(!loaded.generated)
            #expect(loaded.fingerprint == generated.fingerprint)
            #expect(loaded.certificatePath == generated.certificatePath)
            _ = try loaded.makeServerContext()
        }
    }

    @Test func mismatchedKeyIsRefused() async throws {
        try await withGeneratedIdentity { a in
            try await withGeneratedIdentity { b in
                let error = #expect(throws: ServerIdentityError.self) {
                    try ServerIdentity.load(certificate: a.certificatePath, key: b.keyPath)
                }
                #expect(error?.code == "key_mismatch")
                #expect(error?.message.contains(a.certificatePath) == true)
                #expect(error?.message.contains(b.keyPath) == true)
            }
        }
    }

    @Test func unreadableFilesHaveClearErrors() async throws {
        try await withScratchDirectory { dir in
            let good = try ServerIdentity.loadOrCreate(dataDirectory: dir)

            let missing = #expect(throws: ServerIdentityError.self) {
                try ServerIdentity.load(certificate: dir + "/nope.pem", key: good.keyPath)
            }
            #expect(missing?.code == "certificate_unreadable")
            #expect(missing?.message.contains("nope.pem") == true)

            let missingKey = #expect(throws: ServerIdentityError.self) {
                try ServerIdentity.load(certificate: good.certificatePath, key: dir + "/nokey.pem")
            }
            #expect(missingKey?.code == "key_unreadable")

            let garbage = dir + "/garbage.pem"
            try Data("this is not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
            let notPEM = #expect(throws: ServerIdentityError.self) {
                try ServerIdentity.load(certificate: garbage, key: good.keyPath)
            }
            #expect(notPEM?.code == "certificate_unreadable")

            let badKey = #expect(throws: ServerIdentityError.self) {
                try ServerIdentity.load(certificate: good.certificatePath, key: garbage)
            }
            #expect(badKey?.code == "key_unreadable")

            // The certificate given as the key: a PEM file, but no key.
            let certificateAsKey = #expect(throws: ServerIdentityError.self) {
                try ServerIdentity.load(certificate: good.certificatePath, key: good.certificatePath)
            }
            #expect(certificateAsKey?.code == "key_unreadable")
        }
    }

    @Test func certificateWithoutItsKeyIsNotSilentlyReplaced() async throws {
        try await withScratchDirectory { dir in
            let first = try ServerIdentity.loadOrCreate(dataDirectory: dir)
            let before = try String(contentsOfFile: first.certificatePath, encoding: .utf8)
            try FileManager.default.removeItem(atPath: first.keyPath)
            let error = #expect(throws: ServerIdentityError.self) {
                try ServerIdentity.loadOrCreate(dataDirectory: dir)
            }
            #expect(error?.code == "key_unreadable")
            // The certificate is still there, unchanged.
            #expect(try String(contentsOfFile: first.certificatePath, encoding: .utf8) == before)
        }
    }

    @Test func keyWithoutCertificateIsReplaced() async throws {
        try await withScratchDirectory { dir in
            let first = try ServerIdentity.loadOrCreate(dataDirectory: dir)
            try FileManager.default.removeItem(atPath: first.certificatePath)
            let second = try ServerIdentity.loadOrCreate(dataDirectory: dir)
            #expect(second.generated)
            #expect(second.fingerprint != first.fingerprint)
        }
    }

    @Test func expiredCertificateIsRefused() async throws {
        try await withScratchDirectory { dir in
            let longAgo = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01: valid until 2009
            _ = try ServerIdentity.loadOrCreate(dataDirectory: dir, now: longAgo)
            let error = #expect(throws: ServerIdentityError.self) {
                try ServerIdentity.loadOrCreate(dataDirectory: dir)
            }
            #expect(error?.code == "certificate_expired")
        }
    }

    @Test func fingerprintsAreNormalized() {
        let hex = String(repeating: "ab", count: 32)
        #expect(Fingerprint.normalize(hex) == hex)
        #expect(Fingerprint.normalize(hex.uppercased()) == hex)
        let colons = Array(repeating: "AB", count: 32).joined(separator: ":")
        #expect(Fingerprint.normalize(colons) == hex)
        #expect(Fingerprint.normalize("abcd") == nil)
        #expect(Fingerprint.normalize(String(repeating: "zz", count: 32)) == nil)
        let error = #expect(throws: ClientError.self) {
            try ClientTrust.fingerprint("not-a-fingerprint").makeClientContext()
        }
        #expect(error?.code == "fingerprint_invalid")
    }
}

// MARK: - Handshakes over loopback

@Suite("TLS handshakes")
struct TLSHandshakeTests {
    @Test func pinnedCertificateHandshakeNegotiatesTLS13() async throws {
        try await withGeneratedIdentity { identity in
            try await withTLSServer(identity) { port in
                let trust = ClientTrust.pinnedCertificate(path: identity.certificatePath)
                let version = try await handshake(port: port, trust: trust, serverHostname: "localhost")
                #expect(version == .tlsv13)
                // Connecting by IP (no SNI): the address is checked against the IP SAN.
                let byIP = try await handshake(port: port, trust: trust, serverHostname: nil)
                #expect(byIP == .tlsv13)
            }
        }
    }

    @Test func anotherPinnedCertificateFails() async throws {
        try await withGeneratedIdentity { identity in
            try await withGeneratedIdentity { stranger in
                try await withTLSServer(identity) { port in
                    let error = await #expect(throws: NIOSSLError.self) {
                        try await handshake(
                            port: port,
                            trust: .pinnedCertificate(path: stranger.certificatePath),
                            serverHostname: "localhost"
                        )
                    }
                    #expect(String(describing: error).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(describing: error))")
                }
            }
        }
    }

    @Test func wrongHostNameFailsWithPinnedCertificate() async throws {
        // NIOSSL accepts a certificate whose DNS SAN matches the name *or* whose IP SAN
        // matches the address connected to, so the name check needs an address outside the
        // SANs: 127.0.0.2, also loopback on Linux.
        try await withGeneratedIdentity { identity in
            try await withTLSServer(identity, host: "127.0.0.2") { port in
                let trust = ClientTrust.pinnedCertificate(path: identity.certificatePath)
                let good = try await handshake(host: "127.0.0.2", port: port, trust: trust, serverHostname: "localhost")
                #expect(good == .tlsv13)
                await #expect(throws: NIOSSLExtraError.self) {
                    try await handshake(host: "127.0.0.2", port: port, trust: trust, serverHostname: "jam.example.org")
                }
                await #expect(throws: NIOSSLExtraError.self) {
                    try await handshake(host: "127.0.0.2", port: port, trust: trust, serverHostname: nil)
                }
            }
        }
    }

    @Test func fingerprintHandshake() async throws {
        try await withGeneratedIdentity { identity in
            try await withTLSServer(identity) { port in
                let version = try await handshake(
                    port: port,
                    trust: .fingerprint(identity.fingerprint),
                    serverHostname: "localhost"
                )
                #expect(version == .tlsv13)
                // The colon-separated form pins just as well, and no host name is needed.
                let displayed = try await handshake(
                    port: port,
                    trust: .fingerprint(identity.displayFingerprint),
                    serverHostname: nil
                )
                #expect(displayed == .tlsv13)
            }
        }
    }

    @Test func wrongFingerprintFails() async throws {
        try await withGeneratedIdentity { identity in
            try await withGeneratedIdentity { stranger in
                #expect(stranger.fingerprint != identity.fingerprint)
                try await withTLSServer(identity) { port in
                    let error = await #expect(throws: NIOSSLError.self) {
                        try await handshake(
                            port: port,
                            trust: .fingerprint(stranger.fingerprint),
                            serverHostname: "localhost"
                        )
                    }
                    #expect(String(describing: error).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(describing: error))")
                }
            }
        }
    }

    @Test func fingerprintContextAloneFailsClosed() async throws {
        // A plain NIOSSLClientHandler on a `.fingerprint` context, without the verifying
        // callback, must not accept the self-signed server.
        try await withGeneratedIdentity { identity in
            try await withTLSServer(identity) { port in
                let context = try ClientTrust.fingerprint(identity.fingerprint).makeClientContext()
                let error = await #expect(throws: NIOSSLError.self) {
                    try await handshake(port: port) {
                        try NIOSSLClientHandler(context: context, serverHostname: "localhost")
                    }
                }
                #expect(String(describing: error).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(describing: error))")
            }
        }
    }

    @Test func tls12IsTheMinimum() async throws {
        try await withGeneratedIdentity { identity in
            let certificates = try NIOSSLCertificate.fromPEMFile(identity.certificatePath)
            func client(maximum: TLSVersion) throws -> NIOSSLContext {
                var configuration = TLSConfiguration.makeClientConfiguration()
                configuration.minimumTLSVersion = .tlsv1
                configuration.maximumTLSVersion = maximum
                configuration.trustRoots = .certificates(certificates)
                configuration.certificateVerification = .fullVerification
                return try NIOSSLContext(configuration: configuration)
            }
            let tls12 = try client(maximum: .tlsv12)
            let tls11 = try client(maximum: .tlsv11)
            try await withTLSServer(identity) { port in
                // The same client succeeds when it may use TLS 1.2...
                let version = try await handshake(port: port) {
                    try NIOSSLClientHandler(context: tls12, serverHostname: "localhost")
                }
                #expect(version == .tlsv12)
                // ...and fails when limited to TLS 1.1.
                let error = await #expect(throws: NIOSSLError.self) {
                    try await handshake(port: port) {
                        try NIOSSLClientHandler(context: tls11, serverHostname: "localhost")
                    }
                }
                #expect(String(describing: error).contains("PROTOCOL_VERSION"), "\(String(describing: error))")
            }
        }
    }
}

// MARK: - Support

/// A fresh temporary directory, removed when `body` returns.
private func withScratchDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let path = FileManager.default.temporaryDirectory.path + "/jam-identity-tests-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A new identity in its own temporary directory (removed when `body` returns).
private func withGeneratedIdentity<T>(_ body: (ServerIdentity) async throws -> T) async throws -> T {
    try await withScratchDirectory { path in
        try await body(try ServerIdentity.loadOrCreate(dataDirectory: path))
    }
}

private struct IdentityTestFailure: Error, CustomStringConvertible {
    let description: String
}

private func runOpenSSL(_ arguments: [String]) throws -> String {
    let openssl = "/usr/bin/openssl"
    guard FileManager.default.isExecutableFile(atPath: openssl) else {
        // A failure, not a skip: this check is part of what the tests promise.
        throw IdentityTestFailure(
            description: "\(openssl) is missing: install it (apt-get install openssl) to run the certificate checks"
        )
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: openssl)
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw IdentityTestFailure(
            description: "openssl \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                + String(decoding: errorData, as: UTF8.self)
        )
    }
    return String(decoding: data, as: UTF8.self)
}

/// Runs `body` with a TLS server on `host` (port 0) using the identity's server
/// context; closes it afterwards.
private func withTLSServer(
    _ identity: ServerIdentity,
    host: String = "127.0.0.1",
    _ body: (Int) async throws -> Void
) async throws {
    let context = try identity.makeServerContext()
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
            }
        }
        .bind(host: host, port: 0)
        .get()
    do {
        let port = try #require(server.localAddress?.port)
        try await body(port)
    } catch {
        try? await server.close()
        throw error
    }
    try await server.close()
}

/// Connects to `host`:`port` with `trust` and returns the negotiated TLS version,
/// or throws if the handshake fails (or takes over 10 seconds).
private func handshake(
    host: String = "127.0.0.1",
    port: Int,
    trust: ClientTrust,
    serverHostname: String?
) async throws -> TLSVersion {
    let context = try trust.makeClientContext()
    return try await handshake(host: host, port: port) {
        try trust.makeClientHandler(context: context, serverHostname: serverHostname)
    }
}

private func handshake(
    host: String = "127.0.0.1",
    port: Int,
    makeHandler: @escaping @Sendable () throws -> NIOSSLClientHandler
) async throws -> TLSVersion {
    let group = MultiThreadedEventLoopGroup.singleton
    let eventLoop = group.next()
    let done = eventLoop.makePromise(of: TLSVersion.self)
    let timeout = eventLoop.scheduleTask(in: .seconds(10)) {
        done.fail(IdentityTestFailure(description: "no TLS handshake result within 10 seconds"))
    }
    let channel: Channel
    do {
        channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(done: done))
                }
            }
            .connect(host: host, port: port)
            .get()
    } catch {
        timeout.cancel()
        done.fail(error)
        throw error
    }
    do {
        let version = try await done.futureResult.get()
        timeout.cancel()
        try? await channel.close()
        return version
    } catch {
        timeout.cancel()
        try? await channel.close()
        throw error
    }
}

/// Completes `done` with the negotiated version when the handshake completes, or fails
/// it on an error or an early close.
private final class HandshakeWatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let done: EventLoopPromise<TLSVersion>

    init(done: EventLoopPromise<TLSVersion>) {
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            do {
                let handler = try context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
                if let version = handler.tlsVersion {
                    done.succeed(version)
                } else {
                    done.fail(IdentityTestFailure(description: "handshake completed with no TLS version"))
                }
            } catch {
                done.fail(error)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(IdentityTestFailure(description: "connection closed before the TLS handshake completed"))
        context.fireChannelInactive()
    }
}
