import JamClient
import JamCore
import JamProtocol

/// A bandmate at work in a session: an ordinary member on a ``JamConnection`` that listens and
/// answers. After the others' edits it waits for a quiet moment (the debounce), reads the session
/// afresh, and submits the minimal difference on its own track as one operation; it says in CHAT what
/// it hears when that changes. Concurrent edits are handled by OT like anyone's.
public actor BandAgent {
    public nonisolated let connection: JamConnection
    private var bandmate: Bandmate
    private let ear: BandEar
    private let debounce: Duration
    private var reading: Reading?
    private var scheduled: Task<Void, Never>?
    /// How many operations it has committed (for tests and logs).
    public private(set) var answers = 0

    /// An agent on a joined connection, playing `bandmate` (whose `track` and `owner` are set from the
    /// connection's client id when empty); it reads the session through `ear`, which the session's
    /// other bandmates in this process share.
    public init(connection: JamConnection, bandmate: Bandmate, ear: BandEar = BandEar(), debounce: Duration = .milliseconds(250)) async {
        self.connection = connection
        var bandmate = bandmate
        let client = await connection.client ?? "ai"
        if bandmate.owner.isEmpty { bandmate.owner = client }
        if bandmate.track.isEmpty { bandmate.track = "\(client).\(bandmate.role.rawValue)" }
        self.bandmate = bandmate
        self.ear = ear
        self.debounce = debounce
    }

    /// Plays until the connection closes: answers the session as it is, then every burst of edits.
    public func run() async {
        await answer()
        for await event in connection.events {
            switch event {
            case .changed, .joined:
                schedule()
            case .peer(let event, _) where event.peer.kind == .ai:
                schedule()
            case .state(.closed):
                scheduled?.cancel()
                return
            default:
                break
            }
        }
        scheduled?.cancel()
    }

    /// Answers once the session has been quiet for the debounce.
    private func schedule() {
        scheduled?.cancel()
        scheduled = Task { [debounce] in
            try? await Task.sleep(for: debounce)
            guard !Task.isCancelled else { return }
            await self.answer()
        }
    }

    /// The bars of the loop under the playhead at `tick` and the one after it.
    static func committedBars(at tick: Double, in document: Document) -> Set<Int> {
        let bar = max(1, document.meter.ticksPerBar())
        let bars = max(1, document.loopBars)
        let current = Int(tick) / bar % bars
        return [current, (current + 1) % bars]
    }

    /// Answers again just after the next bar line, when the horizon has moved on.
    private func scheduleAtNextBar(after tick: Double, in document: Document) {
        let bar = Double(max(1, document.meter.ticksPerBar()))
        let ticksToGo = bar - tick.truncatingRemainder(dividingBy: bar) + 1
        let seconds = ticksToGo * 60 / (document.tempo * Double(Document.ppq))
        scheduled?.cancel()
        scheduled = Task {
            try? await Task.sleep(for: .seconds(seconds))
            guard !Task.isCancelled else { return }
            await self.answer()
        }
    }

    /// Reads the session and submits the difference.
    private func answer() async {
        let document = await connection.document
        let aiMembers = Set(await connection.roster.filter { $0.kind == .ai }.map(\.client))
        bandmate.ignoring = Set(document.tracks.filter { aiMembers.contains($0.owner) && $0.id != bandmate.track }.map(\.id))
        let response = await bandmate.respond(to: document, after: reading, ear: ear)
        reading = response.reading
        var operation = response.operation
        if let planned = operation, await connection.isPlaying(), let tick = await connection.currentTick() {
            // While the music plays, the bar under the playhead and the next are committed: they are
            // not changed any more. What they would have changed lands from the following bar line.
            let horizon = Self.committedBars(at: tick, in: document)
            let barTicks = max(1, document.meter.ticksPerBar())
            // A note's removal and re-addition go together, whichever of them falls in the horizon.
            let frozen = Set(planned.components.compactMap(\.editedNote).filter { horizon.contains($0.tick / barTicks) }.map(\.id))
            let kept = planned.components.filter { component in
                guard let note = component.editedNote else { return true }
                return !frozen.contains(note.id)
            }
            if kept.count < planned.components.count { scheduleAtNextBar(after: tick, in: document) }
            operation = kept.isEmpty ? nil : JamCore.Operation(kept)
        }
        if let operation {
            do {
                // A long part played from nothing is sent in pieces that each fit a protocol line.
                var planned = response
                planned.operation = operation
                for piece in planned.operations(maxComponents: 500) {
                    try await connection.submit(piece, undoable: false)
                }
                answers += 1
            } catch {
                // The session moved between the read and the submit: read it again.
                schedule()
                return
            }
        }
        if let chat = response.chat {
            await connection.chat(chat)
        }
    }
}

extension Component {
    /// The note a `note.add` or `note.remove` puts in or takes out.
    var editedNote: Note? {
        switch self {
        case .noteAdd(_, let note), .noteRemove(_, let note): note
        default: nil
        }
    }
}
