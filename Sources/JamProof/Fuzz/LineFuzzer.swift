import JamCore
import JamProtocol
import NIOCore

/// The first fuzz harness's body: bytes as a stream from a peer, through the `LineDecoder` and the
/// decoding of both directions' messages. Decoding may refuse anything, but must never trap, and:
/// - the lines do not depend on how the stream is cut into reads;
/// - a message that decodes re-encodes to a line that decodes to the same message.
///
/// A property that fails traps with a description, which is what a fuzzer reports.
public enum LineFuzzer {
    /// The limits input is decoded under: the defaults, and small ones so that the limits' own paths
    /// are reached by short inputs.
    static let small: Limits = {
        var limits = Limits()
        limits.lineBytes = 200
        limits.serverLineBytes = 400
        limits.depth = 6
        limits.nameBytes = 8
        limits.chatBytes = 16
        limits.rejoinPending = 3
        return limits
    }()

    /// The limits a re-encoded line is decoded under: the encoder may escape more than the input did
    /// (`/` as `\\/`), so the line may grow past a length limit the original just met.
    static let roomy: Limits = {
        var limits = Limits()
        limits.lineBytes = 1 << 30
        limits.serverLineBytes = 1 << 30
        return limits
    }()

    /// Runs one input. Its first byte chooses the line limit and how the stream is cut into reads.
    /// True when some line decoded as a message.
    @discardableResult
    public static func run(_ input: [UInt8]) -> Bool {
        guard let control = input.first else { return false }
        let stream = Array(input.dropFirst())
        let maxLine = control & 1 == 0 ? Limits().lineBytes : 16 + Int(control >> 1)
        let whole = lines(of: stream, maxLine: maxLine, cuts: [stream.count])
        let cuts = stream.indices.map { 1 + Int(stream[$0] ^ control) % 7 }
        let pieces = lines(of: stream, maxLine: maxLine, cuts: cuts)
        guard whole == pieces else {
            fatalError("the lines depend on how the stream is cut: \(whole) whole, \(pieces) in pieces")
        }
        var decoded = false
        for line in whole.lines {
            for limits in [Limits(), small] {
                if check(ClientMessage.self, line, limits: limits) { decoded = true }
                if check(ServerMessage.self, line, limits: limits) { decoded = true }
            }
        }
        return decoded
    }

    /// Seed inputs: real lines of every verb, both directions, alone and several to a stream (LF and
    /// CRLF), under both line limits.
    public static func corpus() -> [[UInt8]] {
        var edits = RandomEdits(seed: 42, site: "c1")
        let document = edits.document(tracks: 2, notesPerTrack: 1...3)
        let op = edits.operation(on: document)
        let peer = Peer(client: "c1", name: "Ana")
        let client: [ClientMessage] = [
            .join(.init(session: "tuesday", name: "Ana")),
            .join(.init(session: "tuesday", name: "Bo", role: .listener, kind: .ai, token: "t",
                        rejoin: .init(client: "c7", resume: "2f0c", revision: 41, pending: [5]))),
            .op(.init(base: 3, seq: 4, op: op)),
            .cursor(.init(track: "c1.t1", tick: 480, pitch: 60)),
            .chat(.init(text: "hi \u{e9}/\"")),
            .ping, .pong, .bye(Bye(reason: "done")),
            .invite(.init(role: "bass", style: "rock", seed: 3, density: 0.5, complexity: 0.25)),
            .dismiss(.init(name: "AI Bass")),
        ]
        let server: [ServerMessage] = [
            .hello(.init(auth: .none, limits: Limits())),
            .welcome(.init(client: "c1", session: "tuesday", revision: 0, hash: document.contentHash, resume: "r", roster: [peer], content: .snapshot(document))),
            .welcome(.init(client: "c1", session: "tuesday", revision: 5, hash: "h", resume: "r", roster: [peer],
                           content: .missed([CommittedOperation(revision: 5, author: "c2", op: op)]), committed: [CommittedSequence(seq: 2, revision: 5)])),
            .ack(.init(seq: 4, revision: 5)),
            .op(CommittedOperation(revision: 6, author: "c2", op: op)),
            .cursor(.init(client: "c2", tick: 0)),
            .chat(.init(client: "c2", text: "yo")),
            .peer(.init(.join, peer)),
            .ping, .pong, .bye(Bye(reason: "shutting down")),
            .err(ProtocolError(JamError(.staleValue, "note n1 tick is 0, not 480"), seq: 4)),
        ]
        let lines: [[UInt8]] = client.map { $0.encodeLine() } + server.map { $0.encodeLine() }
        var inputs: [[UInt8]] = []
        for line in lines {
            inputs.append([0] + line)
            inputs.append([1] + line)
        }
        inputs.append([0] + Array(lines.prefix(6).joined()))
        let crlf: [[UInt8]] = lines.suffix(6).map { Array($0.dropLast()) + Array("\r\n".utf8) }
        inputs.append([2] + Array(crlf.joined()))
        return inputs
    }

    /// The lines a `LineDecoder` finds when the stream arrives in reads of the sizes `cuts` (cycled),
    /// and the error that stopped it, if any.
    private static func lines(of stream: [UInt8], maxLine: Int, cuts: [Int]) -> Lines {
        var decoder = LineDecoder(maxLineBytes: maxLine)
        var buffer = ByteBuffer()
        var found = Lines()
        var offset = 0
        var cut = 0
        while offset < stream.count {
            let size = max(1, cuts[cut % cuts.count])
            cut += 1
            buffer.writeBytes(stream[offset..<min(stream.count, offset + size)])
            offset += size
            do {
                while let line = try decoder.next(in: &buffer) {
                    found.lines.append(Array(line.readableBytesView))
                }
            } catch {
                found.error = error.code
                return found
            }
        }
        return found
    }

    private struct Lines: Equatable {
        var lines: [[UInt8]] = []
        var error: ProtocolError.Code?
    }

    /// A line that decodes as `Message` re-encodes to a line that decodes to the same message.
    private static func check<Message: LineMessage>(_: Message.Type, _ line: [UInt8], limits: Limits) -> Bool {
        guard let message = try? Message.decode(line: line, limits: limits) else { return false }
        let again = Array(message.encodeLine().dropLast())
        do {
            let decoded = try Message.decode(line: again, limits: roomy)
            guard decoded == message else {
                fatalError("\(Message.self) does not survive a round trip: \(String(decoding: line, as: UTF8.self)) → \(String(decoding: again, as: UTF8.self))")
            }
        } catch {
            fatalError("\(Message.self) re-encodes to a line it refuses (\(error)): \(String(decoding: line, as: UTF8.self)) → \(String(decoding: again, as: UTF8.self))")
        }
        return true
    }
}
