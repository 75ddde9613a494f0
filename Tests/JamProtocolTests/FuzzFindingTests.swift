import JamProtocol
import Testing

/// Inputs the fuzzers (Tools/fuzz.sh) found, each once a crash, now refused cleanly.
@Suite struct FuzzFindingTests {
    @Test("a WELCOME at revision 0 carrying missed operations is invalid_value, not a trap")
    func welcomeAtRevisionZeroWithOps() {
        let line = #"WELCOME {"client":"c1","hash":"h","ops":[{"author":"c2","op":[],"revision":1}],"resume":"r","revision":0,"roster":[],"session":"s"}"#
        #expect(throws: ProtocolError.self) { try ServerMessage.decode(line: line) }
        do {
            _ = try ServerMessage.decode(line: line)
        } catch {
            #expect(error.code == .invalidValue)
        }
    }
}
