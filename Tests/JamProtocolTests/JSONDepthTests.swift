import JamProtocol
import Testing

@Suite("JSONDepth")
struct JSONDepthTests {
    @Test(
        "measures nesting, honouring strings and escapes",
        arguments: [
            ("", 0),
            ("1", 0),
            ("{}", 1),
            ("[]", 1),
            (#"{"a":[1,{"b":[]}]}"#, 4),
            (#"{"a":[],"b":{},"c":[[]]}"#, 3),
            (#""[[[{{{""#, 0),
            (#"{"a":"\"[[[["}"#, 1),
            (#"["\\",["#, 2),
            (#"["\\\"[",1]"#, 1),
            (#"{"a":"}}}","b":[["x"]]}"#, 3),
            ("]]]][[", 2),
        ])
    func measure(json: String, depth: Int) {
        #expect(JSONDepth.measure(Array(json.utf8)) == depth)
    }

    @Test("stops at the first level over the limit")
    func stopsEarly() {
        let deep = Array(String(repeating: "[", count: 1_000_000).utf8)
        #expect(JSONDepth.measure(deep, limit: 32) == 33)
        #expect(!JSONDepth.isWithin(deep, limit: 32))
        #expect(JSONDepth.isWithin(Array("[[[]]]".utf8), limit: 3))
        #expect(!JSONDepth.isWithin(Array("[[[[]]]]".utf8), limit: 3))
    }

    @Test("a line nested past the limit is too_deep before it is parsed, whatever the limit")
    func tooDeepLine() {
        var limits = Limits()
        limits.depth = 3
        #expect(decodeError(#"CURSOR {"tick":1,"x":[[]]}"#, limits: limits) == nil)
        let error = decodeError(#"CURSOR {"tick":1,"x":[[[]]]}"#, limits: limits)
        #expect(error?.code == .tooDeep)
        #expect(error?.verb == "CURSOR")
        // Far deeper than Foundation's parser could recurse: still a clean error.
        let hostile = "OP {\"op\":" + String(repeating: "[", count: 250_000)
        #expect(decodeError(hostile)?.code == .tooDeep)
    }
}
