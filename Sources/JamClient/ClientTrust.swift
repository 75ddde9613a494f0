import NIOSSL

/// How a client decides to trust the server's certificate.
public enum ClientTrust: Sendable, Equatable {
    /// Trust exactly the certificate(s) in this PEM file (the server's generated
    /// certificate is its own CA): full verification, including the server's identity.
    /// NIOSSL accepts the certificate when a DNS SAN matches the `serverHostname` given to
    /// `makeClientHandler` *or* an IP SAN matches the address connected to.
    case pinnedCertificate(path: String)
    /// Trust a server whose leaf certificate has this SHA-256 fingerprint (hex, colons
    /// and case ignored), whatever its issuer or names.
    case fingerprint(String)
    /// The system's trust store and full verification (a certificate from a public CA).
    case systemRoots

    /// A client-side context for this trust: TLS 1.2 minimum, 1.3 preferred.
    ///
    /// For `.fingerprint` the check is done by the handler from `makeClientHandler`; a
    /// plain `NIOSSLClientHandler` on this context falls back to the system roots and so
    /// refuses a self-signed server (fails closed).
    public func makeClientContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = nil
        switch self {
        case .pinnedCertificate(let path):
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw ClientError(code: "certificate_unreadable", message: "cannot read the pinned certificate at \(path): not a PEM certificate (\(error))")
            }
            guard !certificates.isEmpty else {
                throw ClientError(code: "certificate_unreadable", message: "cannot read the pinned certificate at \(path): the file holds no PEM certificate")
            }
            configuration.trustRoots = .certificates(certificates)
            configuration.certificateVerification = .fullVerification
        case .fingerprint(let text):
            _ = try Self.expectedFingerprint(text)
            // Not `.none`: with `.none` NIOSSL never calls the custom verification callback.
            configuration.certificateVerification = .noHostnameVerification
        case .systemRoots:
            configuration.trustRoots = .default
            configuration.certificateVerification = .fullVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ClientError(code: "tls_context_failed", message: "cannot set up client TLS: \(error)")
        }
    }

    /// The client handler for one connection on a context from `makeClientContext()`.
    /// `serverHostname` is sent as SNI and verified (pinned certificate, system roots);
    /// pass nil when connecting to an IP address.
    public func makeClientHandler(context: NIOSSLContext, serverHostname: String?) throws -> NIOSSLClientHandler {
        switch self {
        case .pinnedCertificate, .systemRoots:
            return try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
        case .fingerprint(let text):
            let expected = try Self.expectedFingerprint(text)
            return try NIOSSLClientHandler(
                context: context,
                serverHostname: serverHostname,
                customVerificationCallback: { certificates, promise in
                    guard let leaf = certificates.first, let der = try? leaf.toDERBytes() else {
                        promise.succeed(.failed)
                        return
                    }
                    promise.succeed(Fingerprint.sha256Hex(der) == expected ? .certificateVerified : .failed)
                }
            )
        }
    }

    private static func expectedFingerprint(_ text: String) throws -> String {
        guard let hex = Fingerprint.normalize(text) else {
            throw ClientError(
                code: "fingerprint_invalid",
                message: "a SHA-256 fingerprint is 64 hex digits (colons allowed), not \"\(text)\""
            )
        }
        return hex
    }
}
