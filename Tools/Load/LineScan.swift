/// Reading the few fields a load client needs off a server line without decoding its JSON: the server
/// writes keys sorted and without white space (PROTOCOL.md §1), and a quote inside a JSON string is
/// escaped, so `"key":` followed by digits can only be that key.
enum LineScan {
    /// Whether the line starts with `prefix`.
    static func starts(_ bytes: UnsafeRawBufferPointer, with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return prefix.withUTF8Buffer { prefix in
            for i in 0..<count where bytes[i] != prefix[i] { return false }
            return true
        }
    }

    /// The non-negative integer after the last `"key":` in the line.
    static func lastInteger(_ bytes: UnsafeRawBufferPointer, key: StaticString) -> Int? {
        key.withUTF8Buffer { key -> Int? in
            let n = key.count + 3
            var i = bytes.count - n
            while i >= 0 {
                if bytes[i] == UInt8(ascii: "\""), bytes[i + key.count + 1] == UInt8(ascii: "\""),
                    bytes[i + key.count + 2] == UInt8(ascii: ":"),
                    (0..<key.count).allSatisfy({ bytes[i + 1 + $0] == key[$0] })
                {
                    return integer(bytes, at: i + n)
                }
                i -= 1
            }
            return nil
        }
    }

    /// The non-negative integer starting at `index`, if digits are there.
    static func integer(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        var value = 0
        var i = index
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
            i += 1
        }
        return i > index ? value : nil
    }
}
