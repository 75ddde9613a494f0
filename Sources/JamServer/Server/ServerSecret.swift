import Crypto
import Foundation

/// The server's private key for resume secrets: a client's secret is an HMAC of its session and id, so
/// a rejoin is checked without storing anything per client, and survives restarts.
struct ServerSecret: Sendable {
    private let key: [UInt8]

    init(key: SymmetricKey) {
        self.key = key.withUnsafeBytes { Array($0) }
    }

    /// Reads `server.secret` from the data directory, or makes it (readable by the owner only).
    static func loadOrCreate(directory: String) throws -> ServerSecret {
        let path = (directory as NSString).appendingPathComponent("server.secret")
        if let data = FileManager.default.contents(atPath: path), data.count >= 32 {
            return ServerSecret(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ServerError(.dataDirectory, "cannot write \(path)")
        }
        return ServerSecret(key: key)
    }

    /// The resume secret of `client` in `session`.
    func resume(session: String, client: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(session)/\(client)".utf8), using: SymmetricKey(data: key))
        return mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
