import JamCore
import JamProtocol

/// Where this member's cursor is: a track, a time and a pitch.
public struct EditCursor: Hashable, Sendable {
    /// The selected track's id; nil when the session has no track.
    public var track: String?
    /// Ticks from the start, on the step grid.
    public var tick: Int
    /// 0…127.
    public var pitch: Int

    public init(track: String? = nil, tick: Int = 0, pitch: Int = 60) {
        self.track = track
        self.tick = tick
        self.pitch = pitch
    }
}

/// Another member's cursor, as CURSOR reports it.
public struct RemoteCursor: Hashable, Sendable {
    public var track: String?
    public var tick: Int
    public var pitch: Int?

    public init(track: String?, tick: Int, pitch: Int?) {
        self.track = track
        self.tick = tick
        self.pitch = pitch
    }
}

/// How new notes are made and how fine the grid is.
public struct NoteSettings: Hashable, Sendable {
    /// Length of a new note, in ticks.
    public var duration: Int
    /// Velocity of a new note, 1…127.
    public var velocity: Int
    /// Ticks per column of the piano roll and per cursor step.
    public var step: Int

    public init(duration: Int = Document.ppq / 2, velocity: Int = 96, step: Int = Document.ppq / 4) {
        self.duration = duration
        self.velocity = velocity
        self.step = step
    }
}

/// The line at the bottom: the last error, chat line or notice.
public struct StatusMessage: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case info
        case error
        /// A chat line from this client.
        case chat(client: String)
    }

    public var kind: Kind
    public var text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// What the keyboard is doing.
public enum EditorMode: Hashable, Sendable {
    /// Keys edit and move.
    case normal
    /// A `:` command line being typed, with its text so far (without the colon).
    case command(String)
    /// The help overlay is shown; any key closes it.
    case help
}

/// Everything the session view shows, as a value: the lead's event loop updates it from the
/// connection, the ``Editor`` from the keyboard, and ``SessionView`` draws it.
public struct SessionViewModel: Hashable, Sendable {
    public var session: String
    public var document: Document
    public var revision: Int
    /// How the connection stands, in words (`connected`, `reconnecting (attempt 2 in 800 ms)`).
    public var connection: String
    /// Whether edits flow now: the connection text is green when true.
    public var isConnected: Bool
    /// This member's client id, once joined; the prefix of the ids it makes.
    public var client: String?
    /// The members, in the order the server lists them. Set with ``setRoster(_:)``.
    public private(set) var roster: [Peer]
    public private(set) var colors: PeerColors
    /// Other members' cursors, by client id.
    public var cursors: [String: RemoteCursor]
    public var cursor: EditCursor
    public var settings: NoteSettings
    public var status: StatusMessage?
    public var mode: EditorMode
    /// Where playback is, in ticks, while it plays; nil when stopped.
    public var playhead: Int?

    public init(
        session: String, document: Document = Document(), revision: Int = 0, connection: String = "connecting",
        isConnected: Bool = false, client: String? = nil, roster: [Peer] = []
    ) {
        self.session = session
        self.document = document
        self.revision = revision
        self.connection = connection
        self.isConnected = isConnected
        self.client = client
        self.roster = []
        colors = PeerColors()
        cursors = [:]
        cursor = EditCursor(track: document.tracks.first?.id)
        settings = NoteSettings()
        status = nil
        mode = .normal
        playhead = nil
        setRoster(roster)
    }

    // MARK: Updates from the connection

    /// Replaces the roster, giving newcomers a colour and forgetting the cursors of those who left.
    public mutating func setRoster(_ peers: [Peer]) {
        roster = peers
        colors.assign(peers.map(\.client))
        let present = Set(peers.map(\.client))
        cursors = cursors.filter { present.contains($0.key) }
    }

    /// Another member's cursor moved.
    public mutating func receive(_ cursor: ServerMessage.Cursor) {
        guard cursor.client != client else { return }
        cursors[cursor.client] = RemoteCursor(track: cursor.track, tick: cursor.tick, pitch: cursor.pitch)
    }

    /// A chat line: shown on the status line.
    public mutating func receive(_ chat: ServerMessage.Chat) {
        status = StatusMessage(.chat(client: chat.client), chat.text)
    }

    public mutating func show(error text: String) {
        status = StatusMessage(.error, text)
    }

    public mutating func show(info text: String) {
        status = StatusMessage(.info, text)
    }

    // MARK: Derived

    /// The selected track: the cursor's, or the first when the cursor's is gone.
    public var selectedTrack: Track? {
        cursor.track.flatMap { document[track: $0] } ?? document.tracks.first
    }

    public var selectedTrackIndex: Int? {
        cursor.track.flatMap { document.trackIndex($0) } ?? (document.tracks.isEmpty ? nil : 0)
    }

    /// The note of the selected track that sounds at the cursor's pitch and time (the latest to start).
    public var noteUnderCursor: Note? {
        guard let track = selectedTrack else { return nil }
        return track.notes.values
            .filter { $0.pitch == cursor.pitch && $0.tick <= cursor.tick && cursor.tick < $0.tick + $0.duration }
            .max { $0.tick != $1.tick ? $0.tick < $1.tick : $0.id < $1.id }
    }

    public var ticksPerBar: Int { max(1, document.meter.ticksPerBar()) }

    /// Ticks of one beat: a quarter in x/4, an eighth in x/8.
    public var ticksPerBeat: Int { max(1, Document.ppq * 4 / max(1, document.meter.denominator)) }

    /// The loop's length in ticks.
    public var loopTicks: Int { ticksPerBar * max(1, document.loopBars) }

    /// This member's role: a listener may not edit.
    public var role: Role {
        roster.first { $0.client == client }?.role ?? .player
    }

    /// A client's display name: from the roster, else the id itself.
    public func name(of client: String) -> String {
        roster.first { $0.client == client }?.name ?? client
    }

    public func color(of client: String) -> Color {
        colors.color(of: client)
    }

    /// The cursor, moved inside the loop and onto the step grid, and onto an existing track.
    public var clampedCursor: EditCursor {
        var c = cursor
        c.track = selectedTrack?.id
        let step = max(1, settings.step)
        let lastStep = max(0, (loopTicks - 1) / step)
        c.tick = min(max(0, c.tick / step), lastStep) * step
        c.pitch = min(max(0, c.pitch), 127)
        return c
    }
}

/// The client id that made an id such as `c7.n12`: the part before the first dot.
func author(of id: String) -> String {
    id.split(separator: ".", maxSplits: 1).first.map(String.init) ?? id
}
