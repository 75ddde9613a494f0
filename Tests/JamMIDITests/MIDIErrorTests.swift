import JamMIDI
import Testing

@Test func errorNamesItsCodeAndOffset() {
    let error = MIDIError(code: "truncated_chunk", message: "the MTrk chunk ends early", offset: 22)
    #expect(error.description == "truncated_chunk: the MTrk chunk ends early (at byte 22)")
    #expect(MIDIError(code: "not_midi", message: "no MThd").description == "not_midi: no MThd")
}
