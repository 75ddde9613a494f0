import JamBand
import JamCore
import JamProtocol

/// Where a chaos member's edits come from: random edits (a person), or an agent, whose edits a closure
/// makes from the replica (the seam for the AI bandmate).
public enum ChaosPlayer: Sendable {
    /// A person: `RandomEdits`, biased towards collisions with the others.
    case person(RandomEdits)
    /// An AI bandmate: its edits come from `make`, given the member's replica.
    case agent(ChaosAgent)

    var kind: PeerKind {
        switch self {
        case .person: .human
        case .agent: .ai
        }
    }

    /// The next edit on `document`, or nil when the player has nothing to do now.
    mutating func edit(on document: Document, random: inout SeededGenerator) -> JamCore.Operation? {
        switch self {
        case .person(var edits):
            let op = edits.operation(on: document)
            self = .person(edits)
            return op
        case .agent(let agent):
            return agent.make(document, agent.name, &random)
        }
    }
}

/// An agent that edits a session: a closure from the replica (its name and a seeded generator too) to
/// its next edit. ``bandmate(role:style:)`` is JamBand's AI bandmate; ``arpeggiator`` a cheap stand-in.
public struct ChaosAgent: Sendable {
    /// Makes the agent's next edit, valid on the document given, or nil.
    public typealias Make = @Sendable (_ document: Document, _ name: String, _ random: inout SeededGenerator) -> JamCore.Operation?

    /// Which agent this is, as `jam-chaos --agent` names it.
    public var label: String
    /// The member's name stem.
    public var name: String
    public var make: Make

    public init(label: String, name: String, make: @escaping Make) {
        self.label = label
        self.name = name
        self.make = make
    }

    /// The agents `jam-chaos --agent` offers, by label.
    public static func named(_ label: String) -> ChaosAgent? {
        switch label {
        case "bandmate": .bandmate()
        case "arpeggiator": .arpeggiator()
        default: nil
        }
    }

    /// CI's choice for a session: JamBand's bandmate in one session in fifty (it is costly in a debug
    /// build), the arpeggiator in the others.
    public static func mixed(seed: UInt64) -> ChaosAgent {
        seed % 50 == 0 ? .bandmate() : .arpeggiator()
    }

    /// JamBand's bandmate, as the server runs it: it listens to the replica and rewrites its own track
    /// to the part it wants (nil when the part is already right).
    public static func bandmate(role: BandRole = .bass, style: Style = .rock, name: String = "band") -> ChaosAgent {
        ChaosAgent(label: "bandmate", name: name) { document, name, random in
            let seed = random.next() % 4
            let bandmate = Bandmate(role: role, style: style, seed: seed, track: "ai.\(name)", owner: name)
            return bandmate.respond(to: document).operation
        }
    }

    /// A simple stand-in bandmate: keeps a track of its own and adds, moves and removes notes of a
    /// pentatonic scale on it, on the loop's 16th-note grid.
    public static func arpeggiator(name: String = "band") -> ChaosAgent {
        ChaosAgent(label: "arpeggiator", name: name) { document, name, random in
            let trackID = "ai.\(name)"
            guard let track = document.tracks.first(where: { $0.id == trackID }) else {
                guard document.tracks.count < RandomEdits.maxTracks else { return nil }
                let track = Track(
                    id: trackID, name: "Bandmate \(name)", instrument: .program(33), channel: 1, volume: 100, pan: 0,
                    owner: name, notes: [])
                return JamCore.Operation([.trackAdd(index: document.tracks.count, track: track)])
            }
            let steps = max(1, document.loopBars) * 16
            let ids = track.notes.keys.sorted()
            let roll = Int.random(in: 0..<10, using: &random)
            if roll < 6 || ids.isEmpty {
                let scale = [0, 3, 5, 7, 10]
                let pitch = 36 + 12 * Int.random(in: 0...2, using: &random) + scale.randomElement(using: &random)!
                let note = Note(
                    id: "ai.\(String(random.next() & 0xFF_FFFF_FFFF, radix: 36))", tick: Int.random(in: 0..<steps, using: &random) * 120,
                    duration: 120 * Int.random(in: 1...4, using: &random), pitch: pitch, velocity: Int.random(in: 60...110, using: &random))
                guard track.notes[note.id] == nil else { return nil }
                return JamCore.Operation([.noteAdd(track: trackID, note: note)])
            }
            let note = track.notes[ids.randomElement(using: &random)!]!
            if roll < 8 {
                return JamCore.Operation([.noteRemove(track: trackID, note: note)])
            }
            let tick = Int.random(in: 0..<steps, using: &random) * 120
            return JamCore.Operation([.noteSet(track: trackID, note: note.id, field: .tick, value: tick, old: note.tick)])
        }
    }
}
