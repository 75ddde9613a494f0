import JamProtocol
import NIOCore
import NIOTestUtils
import Testing

@Suite("LineDecoder")
struct LineDecoderTests {
    private func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// Runs `chunks` through a decoder as a stream, returning the lines (as text) or the error.
    private func lines(_ chunks: [String], max: Int = 16, eof: Bool = false) -> Result<[String], ProtocolError> {
        let processor = NIOSingleStepByteToMessageProcessor(LineDecoder(maxLineBytes: max))
        var out: [String] = []
        do {
            for chunk in chunks {
                try processor.process(buffer: ByteBuffer(string: chunk)) { out.append(String(buffer: $0)) }
            }
            if eof { try processor.finishProcessing(seenEOF: true) { out.append(String(buffer: $0)) } }
            return .success(out)
        } catch let error as ProtocolError {
            return .failure(error)
        } catch {
            Issue.record("unexpected error \(error)")
            return .success(out)
        }
    }

    @Test("ByteToMessageDecoderVerifier: drip-fed, one line per write and all at once")
    func verifier() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (buffer("PING\n"), [buffer("PING")]),
                (buffer("CHAT {\"text\":\"hé\"}\r\n"), [buffer("CHAT {\"text\":\"hé\"}")]),
                (buffer("\n"), []),
                (buffer("\r\n"), []),
                (buffer("BYE\nPONG\r\nOP {}\n"), [buffer("BYE"), buffer("PONG"), buffer("OP {}")]),
                (buffer("a\rb\n"), [buffer("a\rb")]),
            ],
            decoderFactory: { LineDecoder(maxLineBytes: 64) })
    }

    @Test("ByteToMessageDecoderVerifier: lines exactly at the limit, with LF and with CRLF")
    func verifierAtTheLimit() throws {
        let full = String(repeating: "x", count: 8)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (buffer(full + "\n"), [buffer(full)]),
                (buffer(full + "\r\n"), [buffer(full)]),
                (buffer("y\r\n"), [buffer("y")]),
            ],
            decoderFactory: { LineDecoder(maxLineBytes: 8) })
    }

    @Test("a complete line over the limit is refused at its newline", arguments: ["\n", "\r\n"])
    func overLongCompleteLine(terminator: String) {
        let result = lines(["0123456789abcdefX" + terminator + "PING\n"])
        #expect(result.errorCode == .lineTooLong)
        #expect(lines(["0123456789abcdef" + terminator]).lines == ["0123456789abcdef"])
    }

    @Test("a partial line over the limit is refused before its newline arrives")
    func overLongPartialLine() {
        // 16 bytes are fine; the 17th, with no newline yet, is refused.
        #expect(lines(["0123456789abcdef"]).lines == [])
        #expect(lines(["0123456789abcdef", "X"]).errorCode == .lineTooLong)
        // Byte by byte, too.
        #expect(lines("0123456789abcdefX".map { String($0) }).errorCode == .lineTooLong)
        // After complete lines in the same chunk, the partial one is still measured on its own.
        #expect(lines(["PING\nPONG\n0123456789abcdefX"]).errorCode == .lineTooLong)
        #expect(lines(["PING\nPONG\n0123456789abcdef"]).lines == ["PING", "PONG"])
    }

    @Test("a CR at the limit may be the start of CRLF, but nothing after it")
    func carriageReturnAtTheLimit() {
        #expect(lines(["0123456789abcdef\r"]).lines == [])
        #expect(lines(["0123456789abcdef\r", "\n"]).lines == ["0123456789abcdef"])
        #expect(lines(["0123456789abcdef\r", "x"]).errorCode == .lineTooLong)
        #expect(lines(["0123456789abcdefX\r"]).errorCode == .lineTooLong)
    }

    @Test("CRLF and LF are both terminators; a lone CR is not")
    func terminators() {
        #expect(lines(["PING\r\nPONG\nBYE\r", "\n"]).lines == ["PING", "PONG", "BYE"])
        #expect(lines(["a\rb\n"]).lines == ["a\rb"])
    }

    @Test("empty lines are skipped")
    func emptyLines() {
        #expect(lines(["\n\r\n\nPING\n\n"]).lines == ["PING"])
    }

    @Test("an unterminated last line is dropped at the end of the stream")
    func unterminatedLastLine() {
        #expect(lines(["PING\nPON"], eof: true).lines == ["PING"])
    }

    @Test("a long line drip-fed a byte at a time comes out whole")
    func longDripFedLine() throws {
        let text = String(repeating: "abcdefgh", count: 4096)
        let processor = NIOSingleStepByteToMessageProcessor(LineDecoder(maxLineBytes: text.utf8.count))
        var out: [ByteBuffer] = []
        for byte in Array((text + "\r\n").utf8) {
            try processor.process(buffer: ByteBuffer(bytes: [byte])) { out.append($0) }
        }
        #expect(out == [ByteBuffer(string: text)])
    }

    @Test("next(in:) consumes exactly one line and its terminator")
    func nextConsumesOneLine() throws {
        var decoder = LineDecoder(maxLineBytes: 100)
        var stream = ByteBuffer(string: "PING\r\nPONG\nBY")
        #expect(try decoder.next(in: &stream) == ByteBuffer(string: "PING"))
        #expect(String(buffer: stream) == "PONG\nBY")
        #expect(try decoder.next(in: &stream) == ByteBuffer(string: "PONG"))
        #expect(try decoder.next(in: &stream) == nil)
        #expect(String(buffer: stream) == "BY")
        stream.writeString("E\n")
        #expect(try decoder.next(in: &stream) == ByteBuffer(string: "BYE"))
        #expect(stream.readableBytes == 0)
    }

    @Test("the error of an over-long line is line_too_long and closes the connection")
    func errorClosesConnection() throws {
        var decoder = LineDecoder(maxLineBytes: 4)
        var stream = ByteBuffer(string: "PINGS")
        let error = #expect(throws: ProtocolError.self) { try decoder.next(in: &stream) }
        #expect(error?.code == .lineTooLong)
        #expect(error?.closesConnection == true)
        let line = try #require(error.map { ServerMessage.err($0).encodeLine() })
        #expect(line.starts(with: Array(#"ERR {"close":true,"code":"line_too_long","#.utf8)))
    }
}

extension Result<[String], ProtocolError> {
    var lines: [String]? { try? get() }
    var errorCode: ProtocolError.Code? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
