import JamCore
import JamProtocol
import Testing

@testable import jam_load

/// The generator reads revisions and seqs off server lines without decoding them: it must find the
/// top-level field, whatever the operation holds.
@Suite struct LineScanTests {
    static let tricky = Track(
        id: "c1.t1", name: #"{"revision":7} "seq":3"#, instrument: .program(0), channel: 0, volume: 100, pan: 0, owner: "c1")

    @Test(arguments: [1, 42, 9_007_199_254_740_991])
    func revisionOfABroadcast(revision: Int) {
        let op = ServerMessage.op(CommittedOperation(revision: revision, author: "c7", op: [.trackAdd(index: 0, track: Self.tricky)]))
        let line = Array(op.encodeLine().dropLast())
        line.withUnsafeBytes { bytes in
            #expect(LineScan.starts(bytes, with: "OP "))
            #expect(LineScan.lastInteger(bytes, key: "revision") == revision)
        }
    }

    @Test func seqAndRevisionOfAnAck() {
        let line = Array(ServerMessage.ack(.init(seq: 17, revision: 4096)).encodeLine().dropLast())
        line.withUnsafeBytes { bytes in
            #expect(LineScan.starts(bytes, with: "ACK "))
            #expect(!LineScan.starts(bytes, with: "OP "))
            #expect(LineScan.lastInteger(bytes, key: "seq") == 17)
            #expect(LineScan.lastInteger(bytes, key: "revision") == 4096)
        }
    }

    @Test(arguments: [#"ACK {"seq":}"#, #"OP {"author":"c1"}"#, "", "PING"])
    func absentOrEmptyFields(line: String) {
        Array(line.utf8).withUnsafeBytes { bytes in
            #expect(LineScan.lastInteger(bytes, key: "seq") == nil)
            #expect(LineScan.lastInteger(bytes, key: "revision") == nil)
        }
    }
}
