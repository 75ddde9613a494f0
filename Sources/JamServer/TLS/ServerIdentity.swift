// The server's TLS identity: a certificate and its private key.
//
// With no certificate given, the first start generates a self-signed P-256
// certificate (SAN localhost, 127.0.0.1, ::1), usable as its own trust root
// (CA:TRUE, digitalSignature + keyCertSign), stores it in the data directory and
// reuses it on later starts. Clients pin it by file or by SHA-256 fingerprint.
// TLS 1.2 is the minimum, TLS 1.3 is preferred (BoringSSL negotiates the highest
// version both sides offer).

import Crypto
import Foundation
import JamClient
import NIOCore
import NIOSSL
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure to load, generate or use the server's TLS identity.
///
/// `code` is stable and snake_case, for scripts and tests; `message` is for people.
public struct ServerIdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func certificateUnreadable(_ path: String, _ why: String) -> Self {
        .init(code: "certificate_unreadable", message: "cannot read the TLS certificate at \(path): \(why)")
    }
    static func keyUnreadable(_ path: String, _ why: String) -> Self {
        .init(code: "key_unreadable", message: "cannot read the TLS private key at \(path): \(why)")
    }
    static func keyMismatch(certificate: String, key: String) -> Self {
        .init(
            code: "key_mismatch",
            message: "the private key \(key) does not belong to the certificate \(certificate)"
        )
    }
}

/// The server's TLS identity: where its certificate and key live, and the
/// certificate's SHA-256 fingerprint for clients to pin.
public struct ServerIdentity: Sendable {
    /// Path of the PEM certificate (the leaf first, then any chain).
    public let certificatePath: String
    /// Path of the PEM private key.
    public let keyPath: String
    /// SHA-256 of the leaf certificate's DER encoding: lowercase hex, no colons.
    public let fingerprint: String
    /// True when this start generated the certificate (first start with no `--cert`).
    public let generated: Bool
    /// The leaf certificate's validity window.
    public let notValidBefore: Date
    public let notValidAfter: Date

    private let chain: [NIOSSLCertificate]
    private let privateKey: NIOSSLPrivateKey

    /// Subdirectory of the data directory that holds a generated identity.
    public static let directoryName = "tls"
    public static let certificateFileName = "cert.pem"
    public static let keyFileName = "key.pem"
    /// The generated certificate is valid from one day before its creation...
    public static let backdating: TimeInterval = 24 * 60 * 60
    /// ...for ten years.
    public static let lifetime: TimeInterval = 10 * 365.25 * 24 * 60 * 60

    /// The identity stored in `dataDirectory/tls/`, generating it on the first start.
    ///
    /// The certificate file is the identity: it is written last, so a key without a
    /// certificate (an interrupted first start) is replaced, while a certificate without
    /// its key is an error (regenerating would silently break every client's pin).
    public static func loadOrCreate(dataDirectory: String, now: Date = .now) throws -> ServerIdentity {
        let directory = (dataDirectory as NSString).appendingPathComponent(directoryName)
        let certificatePath = (directory as NSString).appendingPathComponent(certificateFileName)
        let keyPath = (directory as NSString).appendingPathComponent(keyFileName)
        let fileManager = FileManager.default

        if fileManager.fileExists(atPath: certificatePath) {
            guard fileManager.fileExists(atPath: keyPath) else {
                throw ServerIdentityError.keyUnreadable(
                    keyPath,
                    "the file is missing but its certificate \(certificatePath) exists; restore the key, or delete the certificate to generate a new identity (clients will have to pin the new one)"
                )
            }
            return try load(certificate: certificatePath, key: keyPath, now: now, generated: false)
        }

        try makeDirectory(directory)
        let (certificatePEM, keyPEM) = try generate(now: now)
        // The key first, the certificate last: the certificate's presence means a complete pair.
        try writeAtomically(keyPEM, to: keyPath, permissions: 0o600)
        try writeAtomically(certificatePEM, to: certificatePath, permissions: 0o644)
        return try load(certificate: certificatePath, key: keyPath, now: now, generated: true)
    }

    /// An identity given by the user (`--cert FILE --key FILE`, both PEM).
    ///
    /// Checks that both parse, that the key belongs to the certificate, and that the
    /// certificate is valid at `now`.
    public static func load(certificate: String, key: String, now: Date = .now) throws -> ServerIdentity {
        try load(certificate: certificate, key: key, now: now, generated: false)
    }

    /// A server-side TLS context: TLS 1.2 minimum, 1.3 preferred, no client certificates.
    /// Build it once and share it between connections.
    public func makeServerContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(privateKey)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = nil  // the highest BoringSSL supports: TLS 1.3
        configuration.certificateVerification = .none
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerIdentityError(
                code: "tls_context_failed",
                message: "cannot set up TLS with \(certificatePath) and \(keyPath): \(error)"
            )
        }
    }

    /// The fingerprint in the usual colon-separated uppercase form (`AB:CD:…`), as
    /// `openssl x509 -fingerprint -sha256` prints it.
    public var displayFingerprint: String {
        Fingerprint.colonSeparated(fingerprint)
    }

    /// Lines for the server to print at start, so that clients can pin the certificate.
    public var announcement: String {
        """
        TLS certificate: \(certificatePath)\(generated ? " (generated on this start)" : "")
        TLS certificate SHA-256 fingerprint: \(fingerprint)
        """
    }

    // MARK: - Loading

    private static func load(certificate certificatePath: String, key keyPath: String, now: Date, generated: Bool)
        throws -> ServerIdentity
    {
        let certificateBytes = try readFile(certificatePath) { ServerIdentityError.certificateUnreadable(certificatePath, $0) }
        let keyBytes = try readFile(keyPath) { ServerIdentityError.keyUnreadable(keyPath, $0) }

        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
        } catch {
            throw ServerIdentityError.certificateUnreadable(certificatePath, "not a PEM certificate (\(error))")
        }
        guard let leaf = chain.first else {
            throw ServerIdentityError.certificateUnreadable(certificatePath, "the file holds no PEM certificate")
        }
        let leafDER: [UInt8]
        let parsedLeaf: Certificate
        do {
            leafDER = try leaf.toDERBytes()
            parsedLeaf = try Certificate(derEncoded: leafDER)
        } catch {
            throw ServerIdentityError.certificateUnreadable(certificatePath, "cannot parse the certificate (\(error))")
        }

        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw ServerIdentityError.keyUnreadable(
                keyPath,
                "not an unencrypted PEM private key (\(error))"
            )
        }

        // Does the key belong to the certificate? swift-certificates reads the key types
        // a server uses (EC P-256/384/521, RSA, Ed25519); for anything else BoringSSL's own
        // check when building the context below decides.
        var keyChecked = false
        if let keyText = String(bytes: keyBytes, encoding: .utf8),
            let parsedKey = try? Certificate.PrivateKey(pemEncoded: keyText)
        {
            guard parsedKey.publicKey == parsedLeaf.publicKey else {
                throw ServerIdentityError.keyMismatch(certificate: certificatePath, key: keyPath)
            }
            keyChecked = true
        }

        if now < parsedLeaf.notValidBefore {
            throw ServerIdentityError(
                code: "certificate_not_yet_valid",
                message: "the TLS certificate \(certificatePath) is not valid before \(parsedLeaf.notValidBefore)"
            )
        }
        if now > parsedLeaf.notValidAfter {
            throw ServerIdentityError(
                code: "certificate_expired",
                message: "the TLS certificate \(certificatePath) expired on \(parsedLeaf.notValidAfter)"
                    + (generated
                        ? ""
                        : "; give a current one, or delete it (and its key) to generate a new identity")
            )
        }

        let identity = ServerIdentity(
            certificatePath: certificatePath,
            keyPath: keyPath,
            fingerprint: Fingerprint.sha256Hex(leafDER),
            generated: generated,
            notValidBefore: parsedLeaf.notValidBefore,
            notValidAfter: parsedLeaf.notValidAfter,
            chain: chain,
            privateKey: privateKey
        )
        // BoringSSL's checks (it also refuses a key that does not match the certificate).
        do {
            _ = try identity.makeServerContext()
        } catch let error as ServerIdentityError where !keyChecked {
            throw ServerIdentityError.keyMismatch(certificate: certificatePath, key: keyPath).withDetail(error.message)
        }
        return identity
    }

    private static func readFile(_ path: String, _ failure: (String) -> ServerIdentityError) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw failure("no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("permission denied or not a regular file")
        }
        return Array(data)
    }

    // MARK: - Generation

    /// A new self-signed identity as (certificate PEM, private key PEM).
    static func generate(now: Date) throws -> (certificate: String, key: String) {
        do {
            let signingKey = P256.Signing.PrivateKey()
            let privateKey = Certificate.PrivateKey(signingKey)
            let publicKey = Certificate.PublicKey(signingKey.publicKey)
            let name = try DistinguishedName {
                OrganizationName("Jam")
                CommonName("Jam server (self-signed)")
            }
            let extensions = try Certificate.Extensions {
                // Its own trust root: a client pins it as the only CA.
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                // BoringSSL refuses an EC server certificate without digitalSignature.
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectKeyIdentifier(hash: publicKey)
                SubjectAlternativeNames([
                    .dnsName("localhost"),
                    .ipAddress(.init(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(.init(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                ])
            }
            let notValidBefore = wholeSeconds(now.addingTimeInterval(-backdating))
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: notValidBefore,
                notValidAfter: notValidBefore.addingTimeInterval(lifetime),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: privateKey
            )
            return (try certificate.serializeAsPEM().pemString, signingKey.pemRepresentation)
        } catch {
            throw ServerIdentityError(code: "generation_failed", message: "cannot generate a TLS certificate: \(error)")
        }
    }

    private static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    // MARK: - Files

    private static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw ServerIdentityError(
                code: "data_directory_unwritable",
                message: "cannot create \(path) for the TLS certificate: \(error.localizedDescription)"
            )
        }
    }

    /// Writes `text` to a temporary file created with `permissions` (never wider), flushes
    /// it to disk, then renames it into place.
    private static func writeAtomically(_ text: String, to path: String, permissions: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())"
        func failure(_ step: String) -> ServerIdentityError {
            ServerIdentityError(
                code: "data_directory_unwritable",
                message: "cannot write \(path) (\(step)): \(String(cString: strerror(errno)))"
            )
        }
        _ = unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw failure("open") }
        var problem: ServerIdentityError?
        if fchmod(fd, permissions) != 0 { problem = failure("chmod") }
        let bytes = Array(text.utf8)
        var written = 0
        while problem == nil && written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n >= 0 {
                written += n
            } else if errno != EINTR {
                problem = failure("write")
            }
        }
        if problem == nil && fsync(fd) != 0 { problem = failure("fsync") }
        close(fd)
        if problem == nil && rename(temporary, path) != 0 { problem = failure("rename") }
        if let problem {
            _ = unlink(temporary)
            throw problem
        }
    }
}

extension ServerIdentityError {
    fileprivate func withDetail(_ detail: String) -> ServerIdentityError {
        ServerIdentityError(code: code, message: "\(message) (\(detail))")
    }
}
