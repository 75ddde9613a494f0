import JamClient
import JamCore
import JamProtocol
import Testing

@Suite struct EventDescriptionTests {
    @Test("operations, members and chat read as one line each, with names for client ids")
    func lines() {
        var description = EventDescription()
        let ana = Peer(client: "c1", name: "ana")
        let bot = Peer(client: "c2", name: "bass", kind: .ai)
        #expect(description.line(for: .joined(client: "c9", revision: 4, roster: [ana], rejoined: false)) == "joined as c9 at rev 4; members: ana")
        #expect(description.line(for: .peer(.init(.join, bot), roster: [ana, bot])) == "joined: bass [AI]")
        let note = Note(id: "n1", tick: 480, duration: 240, pitch: 64, velocity: 90)
        let operation = CommittedOperation(revision: 5, author: "c1", op: [.noteAdd(track: "keys", note: note), .trackSet(track: "keys", value: .mute(true), old: .mute(false))])
        #expect(description.line(for: .operation(operation)) == "rev 5 ana (c1): note.add keys/n1 E4 at 480 for 240 vel 90; track.set keys mute true")
        #expect(description.line(for: .chat(.init(client: "c2", text: "D minor"))) == "chat bass (c2): D minor")
        #expect(description.line(for: .cursor(.init(client: "c7", track: "keys", tick: 0, pitch: 61))) == "cursor c7: track keys tick 0 pitch C#4")
        #expect(description.line(for: .changed(Document(), revision: 5)) == nil)
    }

    @Test(arguments: [(60, "C4"), (69, "A4"), (0, "C-1"), (127, "G9"), (23, "B0")])
    func pitchNames(pitch: Int, name: String) {
        #expect(Pitch.name(pitch) == name)
    }
}
