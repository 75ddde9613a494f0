import JamCore

/// The AI bandmate's mind: it listens to the humans' tracks, hears a key, chords and a groove, and
/// plays its part on the one track it owns. Pure: the same document gives the same answer.
///
/// It edits only its own track: `note.remove` and `note.add` there, and a `track.add` the first time.
/// Every bar is played from that bar's context alone (chords, next chord, key, settings, seed), so a
/// bar whose harmony and groove did not change is played as it was and the operation leaves it alone.
public struct Bandmate: Hashable, Sendable {
    public var role: BandRole
    public var style: Style
    /// How busy the part is, 0…1.
    public var density: Double
    /// How adventurous: approach notes, variations, fills, 0…1.
    public var complexity: Double
    public var seed: UInt64
    /// The id of the track the bandmate owns and plays on.
    public var track: String
    /// The participant id it creates its track as (its client id); tracks of this owner are not
    /// listened to, so bandmates of one agent do not follow each other.
    public var owner: String
    /// Other tracks not to listen to: other AI bandmates' tracks.
    public var ignoring: Set<String>

    public init(
        role: BandRole, style: Style, density: Double = 0.6, complexity: Double = 0.4, seed: UInt64 = 1, track: String,
        owner: String = "", ignoring: Set<String> = []
    ) {
        self.role = role
        self.style = style
        self.density = min(1, max(0, density))
        self.complexity = min(1, max(0, complexity))
        self.seed = seed
        self.track = track
        self.owner = owner
        self.ignoring = ignoring
    }

    /// What the bandmate does about a document.
    public struct Response: Hashable, Sendable {
        /// The edit to submit, nil when the part is already as it should be.
        public var operation: JamCore.Operation?
        /// What it hears, when that changed from the previous reading (or there was none).
        public var chat: String?
        /// What it hears now: pass it back as `after` next time.
        public var reading: Reading
        /// The bars whose notes the operation changes.
        public var changedBars: [Int]

        /// The operation cut into operations of at most `maxComponents` components, to apply in order,
        /// for a part too large for one protocol line (a long loop played from nothing). Each is valid on
        /// the document the ones before it leave.
        public func operations(maxComponents: Int = 500) -> [JamCore.Operation] {
            guard let operation else { return [] }
            let size = max(1, maxComponents)
            return stride(from: 0, to: operation.components.count, by: size).map {
                JamCore.Operation(Array(operation.components[$0..<min($0 + size, operation.components.count)]))
            }
        }
    }

    /// The listener the bandmate hears with: everything but its own track, its owner's tracks and the
    /// ignored ones. Not its seed: the progression it proposes over silence is the one every bandmate
    /// of the session proposes, whatever their seeds, so that bass and keys agree.
    public var listener: Listener {
        Listener(ignoring: ignoring.union([track]), ignoringOwner: owner, style: style)
    }

    /// Listens, plays, and returns the minimal operation from the document's state of the bandmate's
    /// track to the part it wants, and a chat line when its reading differs from `previous`.
    public func respond(to document: Document, after previous: Reading? = nil) -> Response {
        let hearing = listener.hearing(document)
        return respond(to: document, after: previous, hearing: hearing, reading: listener.read(hearing))
    }

    /// As `respond(to:after:)`, with the session read by `ear`: once for every bandmate sharing it.
    public func respond(to document: Document, after previous: Reading? = nil, ear: BandEar) async -> Response {
        let listener = self.listener, hearing = listener.hearing(document)
        return respond(to: document, after: previous, hearing: hearing, reading: await ear.reading(of: hearing, by: listener))
    }

    private func respond(to document: Document, after previous: Reading?, hearing: Listener.Hearing, reading: Reading) -> Response {
        let wanted = notes(for: reading, heard: hearing.pitched)
        var components: [Component] = []
        let existing: [Note]
        if let index = document.trackIndex(track) {
            existing = Array(document.tracks[index].notes.values)
        } else {
            existing = []
            let created = Track(
                id: track, name: role.trackName, instrument: role.instrument(for: style), channel: channel(in: document),
                owner: owner)
            components.append(.trackAdd(index: document.tracks.count, track: created))
        }
        let diff = NoteDiff(existing: existing, wanted: wanted)
        components += diff.removed.map { .noteRemove(track: track, note: $0) }
        components += diff.added.map { .noteAdd(track: track, note: $0) }
        let barTicks = reading.grid.barTicks
        let changed = Set((diff.removed + diff.added).map { $0.tick / barTicks }).sorted()
        let line = chatLine(reading)
        let chat = previous.map(chatLine) == line ? nil : line
        return Response(operation: components.isEmpty ? nil : JamCore.Operation(components), chat: chat, reading: reading, changedBars: changed)
    }

    /// "D minor: Dm7 | G7 | Cmaj7 — walking bass, swing".
    public func chatLine(_ reading: Reading) -> String {
        let part = "\(role.describe(style)), \(style.rawValue)"
        if reading.proposed {
            return "Nothing to follow yet, so I propose \(reading.summary()) — \(part)"
        }
        return "\(reading.summary()) — \(part)"
    }

    /// The part the bandmate wants on its track for a reading, with ids.
    public func notes(for reading: Reading, heard: [HeardTrack]) -> [Note] {
        let swing = feel(reading)
        var played: [[PlayedNote]] = Array(repeating: [], count: reading.bars)
        switch role {
        case .lead:
            let rest = reading.grid.beats.map(\.length).min() ?? Document.ppq
            let phrases = Phrase.phrases(of: heard, groove: reading.groove, rest: rest * 9 / 10)
            for note in LeadGenerator().notes(reading: reading, phrases: phrases, style: style, density: density, complexity: complexity, seed: seed) {
                let bar = note.tick / reading.grid.barTicks
                if bar < reading.bars { played[bar].append(note) }
            }
        case .bass, .drums, .keys:
            var voicing: Voicing?
            for bar in 0..<reading.bars {
                let context = BarContext(bar: bar, reading: reading, style: style, density: density, complexity: complexity, seed: seed, swing: swing)
                switch role {
                case .bass: played[bar] = BassGenerator().notes(for: context)
                case .drums: played[bar] = DrumGenerator().notes(for: context)
                default:
                    let result = KeysGenerator().notes(for: context, after: voicing)
                    played[bar] = result.notes
                    voicing = result.last
                }
            }
        }
        let prefix = idPrefix
        var notes: [Note] = []
        for (bar, barNotes) in played.enumerated() {
            var seen = Set<Int>()
            var index = 0
            for note in barNotes.sorted(by: PlayedNote.before) where seen.insert(note.tick &* 128 &+ note.pitch).inserted {
                notes.append(Note(id: "\(prefix).\(bar).\(index)", tick: note.tick, duration: note.duration, pitch: note.pitch, velocity: note.velocity))
                index += 1
            }
        }
        return notes
    }

    /// The swing the part plays with: the style's, or the humans' where they swing and the style allows.
    func feel(_ reading: Reading) -> Swing {
        let heard = reading.groove.swing
        switch style {
        case .swing: return Swing(ratio: heard.map { max(1.4, $0) } ?? 2)
        case .funk: return heard.map { $0 > 1.2 ? Swing(ratio: $0, level: .sixteenth) : .straight } ?? .straight
        case .rock, .ballad: return heard.map { $0 > 1.3 ? Swing(ratio: $0) : .straight } ?? .straight
        case .bossa, .house: return .straight
        }
    }

    /// Note ids start with the track id (itself made with the owner's prefix), cut to leave room for
    /// the bar and index within the 64 characters an id may have.
    var idPrefix: String {
        guard track.utf8.count > 48 else { return track }
        let hash = track.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        return String(track.utf8.prefix(40))! + String(hash % 1_000_000)
    }

    /// The channel for a new track: 9 for drums, otherwise the lowest other channel no track uses.
    func channel(in document: Document) -> Int {
        if role == .drums { return 9 }
        let used = Set(document.tracks.map(\.channel))
        let preferred: Int = switch role {
        case .bass: 1
        case .keys: 2
        default: 3
        }
        if !used.contains(preferred) { return preferred }
        return (0..<16).first { $0 != 9 && !used.contains($0) } ?? preferred
    }
}
