import Crypto

/// SHA-256 certificate fingerprints as people write them and as clients pin them.
public enum Fingerprint {
    /// The lowercase hex SHA-256 of DER bytes.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `ab:cd…`/`AB CD…`/`abcd…` → `abcd…`; nil unless it is 64 hex digits.
    public static func normalize(_ text: String) -> String? {
        let hex = text.lowercased().filter { $0 != ":" && $0 != " " }
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        return hex
    }

    /// `abcd…` → `AB:CD:…`, the form `openssl x509 -fingerprint` prints.
    public static func colonSeparated(_ hex: String) -> String {
        var pairs: [String] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            pairs.append(hex[index..<next].uppercased())
            index = next
        }
        return pairs.joined(separator: ":")
    }
}
