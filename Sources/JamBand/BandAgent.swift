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
    private let debounce: Duration
    private var reading: Reading?
    private var scheduled: Task<Void, Never>?
    /// How many operations it has committed (for tests and logs).
    public private(set) var answers = 0

    /// An agent on a joined connection, playing `bandmate` (whose `track` and `owner` are set from the
    /// connection's client id when empty).
    public init(connection: JamConnection, bandmate: Bandmate, debounce: Duration = .milliseconds(250)) async {
        self.connection = connection
        var bandmate = bandmate
        let client = await connection.client ?? "ai"
        if bandmate.owner.isEmpty { bandmate.owner = client }
        if bandmate.track.isEmpty { bandmate.track = "\(client).\(bandmate.role.rawValue)" }
        self.bandmate = bandmate
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

    /// Reads the session and submits the difference.
    private func answer() async {
        let document = await connection.document
        let aiMembers = Set(await connection.roster.filter { $0.kind == .ai }.map(\.client))
        bandmate.ignoring = Set(document.tracks.filter { aiMembers.contains($0.owner) && $0.id != bandmate.track }.map(\.id))
        let response = bandmate.respond(to: document, after: reading)
        reading = response.reading
        if let operation = response.operation {
            do {
                try await connection.submit(operation, undoable: false)
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
