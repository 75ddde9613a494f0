/// Measures how deeply a JSON text nests arrays and objects, by a single scan of its bytes.
///
/// Foundation's `JSONDecoder` recurses once per level, so a line of a hundred thousand `[` could exhaust
/// the stack: the depth is checked with this scan before any parsing. The scan honours strings and their
/// escapes (`"[\"{"` nests nothing) and does not validate anything else; the parser does that.
public enum JSONDepth {
    /// The deepest nesting of arrays and objects in `bytes` (`{}` is 1, `{"a":[1]}` is 2), or the first
    /// depth above `limit` if the scan stopped there.
    public static func measure<Bytes: Sequence<UInt8>>(_ bytes: Bytes, limit: Int = .max) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > deepest {
                    deepest = depth
                    if deepest > limit { return deepest }
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                // A stray closer cannot make later openers shallower than they are.
                if depth > 0 { depth -= 1 }
            default:
                break
            }
        }
        return deepest
    }

    /// Whether `bytes` nests arrays and objects at most `limit` deep.
    public static func isWithin<Bytes: Sequence<UInt8>>(_ bytes: Bytes, limit: Int) -> Bool {
        measure(bytes, limit: limit) <= limit
    }
}
