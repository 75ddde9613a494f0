import Testing
@testable import JamTerminal

private func decodeAll(_ bytes: [UInt8]) -> [KeyPress] {
    var decoder = KeyDecoder()
    return decoder.decode(bytes) + decoder.flush()
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Test(arguments: [
    ("a", [KeyPress.character("a")]),
    ("Q:", [.character("Q"), .character(":")]),
    (" ", [.character(" ")]),
    ("\r", [.enter]),
    ("\n", [.enter]),
    ("\t", [.tab]),
    ("\u{7F}", [.backspace]),
    ("\u{08}", [.backspace]),
    ("\u{1B}", [.escape]),
    ("\u{03}", [.control("c")]),
    ("\u{12}", [.control("r")]),
    ("\u{1A}", [.control("z")]),
    ("\u{00}", [.control("@")]),
    ("\u{1B}[A", [.up]),
    ("\u{1B}[B", [.down]),
    ("\u{1B}[C", [.right]),
    ("\u{1B}[D", [.left]),
    ("\u{1B}OA", [.up]),
    ("\u{1B}OB", [.down]),
    ("\u{1B}OC", [.right]),
    ("\u{1B}OD", [.left]),
    ("\u{1B}[1;5A", [.up]),
    ("\u{1B}[H", [.home]),
    ("\u{1B}[F", [.end]),
    ("\u{1B}OH", [.home]),
    ("\u{1B}OF", [.end]),
    ("\u{1B}[1~", [.home]),
    ("\u{1B}[4~", [.end]),
    ("\u{1B}[7~", [.home]),
    ("\u{1B}[8~", [.end]),
    ("\u{1B}[2~", [.insert]),
    ("\u{1B}[3~", [.delete]),
    ("\u{1B}[5~", [.pageUp]),
    ("\u{1B}[6~", [.pageDown]),
    ("\u{1B}[Z", [.backTab]),
    ("\u{1B}OP", [.function(1)]),
    ("\u{1B}[11~", [.function(1)]),
    ("\u{1B}[15~", [.function(5)]),
    ("\u{1B}[17~", [.function(6)]),
    ("\u{1B}[24~", [.function(12)]),
    ("\u{1B}[[A", [.function(1)]),
    ("é", [.character("é")]),
    ("漢", [.character("漢")]),
    ("🎹", [.character("🎹")]),
    ("\u{1B}x", [.escape, .character("x")]),
    ("\u{1B}\u{1B}", [.escape, .escape]),
    ("\u{1B}[99~k", [.character("k")]),
    ("\u{1B}[200~", []),
])
func decodesKeys(input: String, keys: [KeyPress]) {
    #expect(decodeAll(bytes(input)) == keys)
}

/// A stream of every kind of key, cut at every place into two reads and fed byte by byte, decodes the same.
@Test func decodesTheSameHoweverReadsSplitTheBytes() {
    let stream = bytes("a\u{1B}[Aé\u{1B}OB漢\r\u{1B}[5~🎹\u{1B}[1;5C\u{7F}x\u{1B}[Z")
    let expected: [KeyPress] = [
        .character("a"), .up, .character("é"), .down, .character("漢"), .enter, .pageUp, .character("🎹"), .right,
        .backspace, .character("x"), .backTab,
    ]
    #expect(decodeAll(stream) == expected)
    for cut in 0...stream.count {
        var decoder = KeyDecoder()
        let keys = decoder.decode(stream[..<cut]) + decoder.decode(stream[cut...])
        #expect(keys == expected, "cut at \(cut)")
        #expect(!decoder.hasPending)
    }
    var decoder = KeyDecoder()
    var keys: [KeyPress] = []
    for byte in stream { keys += decoder.decode([byte]) }
    #expect(keys == expected)
}

@Test func aLoneEscapeWaitsForTheFlush() {
    var decoder = KeyDecoder()
    #expect(decoder.decode(bytes("\u{1B}")).isEmpty)
    #expect(decoder.hasPending)
    #expect(decoder.flush() == [.escape])
    #expect(!decoder.hasPending)
    // A sequence cut short by the flush is Escape and ordinary keys.
    #expect(decoder.decode(bytes("\u{1B}[")).isEmpty)
    #expect(decoder.flush() == [.escape, .character("[")])
}

@Test func brokenInputBecomesReplacementCharacters() {
    #expect(decodeAll([0xFF]) == [.character("\u{FFFD}")])
    #expect(decodeAll([0xC3, 0x41]) == [.character("\u{FFFD}"), .character("A")])
    var decoder = KeyDecoder()
    #expect(decoder.decode([0xE6, 0xBC]).isEmpty)
    #expect(decoder.flush() == [.character("\u{FFFD}")])
    // A runaway sequence with no final byte is dropped after a while, and what follows decodes.
    let runaway = [0x1B, UInt8(ascii: "[")] + Array(repeating: UInt8(ascii: "1"), count: 40) + bytes("q")
    #expect(decodeAll(runaway).last == .character("q"))
}
