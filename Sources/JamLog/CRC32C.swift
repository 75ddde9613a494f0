/// CRC32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
///
/// The checksum of every log frame (LOG.md §2). Table-driven, eight bytes per step ("slicing by 8"),
/// so checking a log costs far less than reading it. `checksum("123456789")` is `0xE3069283`.
public enum CRC32C {
    /// The CRC32C of `bytes`, continuing from `crc` (the CRC of the bytes before them; 0 to start).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var state = ~crc
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return crc }
        var count = bytes.count
        tables.withUnsafeBufferPointer { t in
            let t = t.baseAddress!
            while count >= 8 {
                let lo = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ state
                let hi = UInt32(littleEndian: (p + 4).loadUnaligned(as: UInt32.self))
                state = t[7 * 256 + Int(lo & 0xFF)]
                    ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)]
                    ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)]
                    ^ t[Int(hi >> 24)]
                p += 8
                count -= 8
            }
            while count > 0 {
                state = t[Int((state ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (state >> 8)
                p += 1
                count -= 1
            }
        }
        return ~state
    }

    /// The CRC32C of a byte sequence, continuing from `crc`.
    public static func checksum(_ bytes: some Sequence<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: crc) }) {
            return result
        }
        let array = Array(bytes)
        return array.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// Eight 256-entry tables: `tables[k * 256 + b]` is the CRC state after byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let previous = t[(k - 1) * 256 + b]
                t[k * 256 + b] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()
}
