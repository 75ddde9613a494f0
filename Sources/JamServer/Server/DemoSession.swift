import JamCore

/// The session `jam serve --demo` offers a newcomer: a short D minor groove with bass and drums.
public enum DemoSession {
    public static let name = "demo"

    public static var document: Document {
        let bass = [(0, 38), (960, 45), (1920, 43), (2880, 45), (3840, 38), (4800, 41), (5760, 43), (6720, 45)]
        let kick = stride(from: 0, to: 7680, by: 960).map { $0 }
        let snare = stride(from: 480, to: 7680, by: 960).map { $0 }
        return Document(
            title: "Demo jam", tempo: 96, meter: Meter(4, 4), key: Key(tonic: "D", mode: "minor"), loopBars: 4,
            tracks: [
                Track(
                    id: "demo.bass", name: "Bass", instrument: .program(33), channel: 1, owner: "demo",
                    notes: bass.enumerated().map { Note(id: "demo.b\($0.offset)", tick: $0.element.0, duration: 840, pitch: $0.element.1, velocity: 96) }),
                Track(
                    id: "demo.drums", name: "Drums", instrument: .drums, channel: 9, owner: "demo",
                    notes: kick.enumerated().map { Note(id: "demo.k\($0.offset)", tick: $0.element, duration: 120, pitch: 36, velocity: 110) }
                        + snare.enumerated().map { Note(id: "demo.s\($0.offset)", tick: $0.element, duration: 120, pitch: 38, velocity: 100) }),
            ])
    }
}
