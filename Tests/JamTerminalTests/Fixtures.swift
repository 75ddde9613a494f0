import JamCore
import JamProtocol
@testable import JamTerminal

/// A small session: a bass track of c1's with three notes, a drum track of the bandmate's, in D minor.
enum Fixtures {
    static let bass = Track(
        id: "c1.t1", name: "Bass", instrument: .program(33), channel: 0, owner: "c1",
        notes: [
            Note(id: "c1.n1", tick: 0, duration: 480, pitch: 62, velocity: 96),
            Note(id: "c1.n2", tick: 480, duration: 240, pitch: 65, velocity: 96),
            Note(id: "c2.n1", tick: 1920, duration: 960, pitch: 57, velocity: 110),
        ])
    static let drums = Track(
        id: "c2.t1", name: "Beat", instrument: .drums, channel: 9, owner: "c2",
        notes: [Note(id: "c2.n2", tick: 0, duration: 120, pitch: 36, velocity: 100)])

    static let document = Document(
        title: "Tuesday", tempo: 96, meter: Meter(4, 4), key: Key(tonic: "D", mode: "minor"), loopBars: 4,
        tracks: [bass, drums])

    static let roster = [
        Peer(client: "c1", name: "ann"),
        Peer(client: "c2", name: "bandmate", kind: .ai),
        Peer(client: "c3", name: "cy", role: .listener),
    ]

    /// The model as c1 sees it, cursor on the bass at D4 on the first beat.
    static func model() -> SessionViewModel {
        var model = SessionViewModel(
            session: "demo", document: document, revision: 42, connection: "connected", isConnected: true,
            client: "c1", roster: roster)
        model.cursor = EditCursor(track: "c1.t1", tick: 0, pitch: 62)
        return model
    }
}
