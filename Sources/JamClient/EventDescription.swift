import JamCore
import JamProtocol

/// Events and operations as one readable line each, for `jam tail`, logs and tests.
public struct EventDescription: Sendable {
    /// Names for client ids, learned from the roster and peer events.
    public private(set) var names: [String: String] = [:]

    public init() {}

    /// The line for `event`; nil for events not worth a line (acks of others' work never arrive here).
    public mutating func line(for event: JamEvent) -> String? {
        switch event {
        case .state(let state):
            return "state \(state)"
        case .joined(let client, let revision, let roster, let rejoined):
            for peer in roster { names[peer.client] = peer.name }
            let members = roster.map(Self.member).joined(separator: ", ")
            return "\(rejoined ? "rejoined" : "joined") as \(client) at rev \(revision); members: \(members)"
        case .operation(let committed):
            let parts = committed.op.components.map(Self.describe).joined(separator: "; ")
            return "rev \(committed.revision) \(name(committed.author)): \(parts.isEmpty ? "(nothing)" : parts)"
        case .changed:
            return nil
        case .acknowledged(let seq, let revision):
            return "ack seq \(seq) as rev \(revision)"
        case .refused(let error, let seq):
            return "refused seq \(seq): \(error)"
        case .peer(let event, _):
            names[event.peer.client] = event.peer.name
            return "\(event.event == .join ? "joined" : "left"): \(Self.member(event.peer))"
        case .cursor(let cursor):
            let place = [cursor.track.map { "track \($0)" }, "tick \(cursor.tick)", cursor.pitch.map { "pitch \(Pitch.name($0))" }]
            return "cursor \(name(cursor.client)): " + place.compactMap { $0 }.joined(separator: " ")
        case .chat(let chat):
            return "chat \(name(chat.client)): \(chat.text)"
        case .transport(let transport):
            return "transport " + transport.segments.map(Self.describe).joined(separator: ", then ")
        case .error(let error):
            return "error \(error)"
        }
    }

    /// One transport segment in words: "playing from tick 0 at 120 bpm, server time 1764028800250000".
    public static func describe(_ segment: Transport.Segment) -> String {
        let tempo = segment.tempo == segment.tempo.rounded() ? "\(Int(segment.tempo))" : "\(segment.tempo)"
        return "\(segment.playing ? "playing from" : "stopped at") tick \(segment.tick) at \(tempo) bpm, server time \(segment.time)"
    }

    private func name(_ client: String) -> String {
        names[client].map { "\($0) (\(client))" } ?? client
    }

    private static func member(_ peer: Peer) -> String {
        peer.name + (peer.kind == .ai ? " [AI]" : "") + (peer.role == .listener ? " [listener]" : "")
    }

    /// One component in words: "note.add keys/n3 E4 at 480 for 240 vel 90".
    public static func describe(_ component: Component) -> String {
        switch component {
        case .trackAdd(let index, let track):
            return "track.add \(track.id) \"\(track.name)\" (\(track.instrument)) at \(index) with \(track.notes.count) notes"
        case .trackRemove(_, let track):
            return "track.remove \(track.id)"
        case .trackMove(let track, let from, let to):
            return "track.move \(track) \(from)→\(to)"
        case .trackSet(let track, let value, _):
            return "track.set \(track) \(field(value))"
        case .noteAdd(let track, let note):
            return "note.add \(track)/\(note.id) \(Pitch.name(note.pitch)) at \(note.tick) for \(note.duration) vel \(note.velocity)"
        case .noteRemove(let track, let note):
            return "note.remove \(track)/\(note.id)"
        case .noteSet(let track, let note, let field, let value, _):
            return "note.set \(track)/\(note) \(field.rawValue) \(field == .pitch ? Pitch.name(value) : String(value))"
        case .timeInsert(let at, let span):
            return "time.insert \(span) ticks at \(at)"
        case .timeRemove(let at, let span, let removed):
            return "time.remove \(span) ticks at \(at) (\(removed.count) notes)"
        case .sessionSet(let value, _):
            return "session.set \(field(value))"
        }
    }
}

/// `mute(true)` → `mute true`: a field value as a person reads it.
private func field(_ value: some Any) -> String {
    var text = "\(value)"
    if let open = text.firstIndex(of: "("), text.last == ")" {
        text = text[..<open] + " " + text[text.index(after: open)..<text.index(before: text.endIndex)]
    }
    return text
}

/// MIDI pitch names, middle C = C4 = 60.
public enum Pitch {
    static let names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]

    /// "C4" for 60, "A#-1" for 10.
    public static func name(_ pitch: Int) -> String {
        names[((pitch % 12) + 12) % 12] + String(pitch / 12 - (pitch < 0 && pitch % 12 != 0 ? 1 : 0) - 1)
    }
}
