import ArgumentParser
import Foundation
import JamClient
import JamCore
import JamMIDI
import JamProtocol
import JamTerminal

struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join a session in a full-screen terminal editor: tracks, a piano roll, everyone's cursors.",
        discussion: """
            Edits show at once and reach the others within the network round trip; a dropped connection \
            is retried and nothing typed meanwhile is lost. Press ? for every key, : for commands \
            (:bpm 96, :meter 3/4, :key D minor, :track add NAME PROGRAM, :chat TEXT, :invite bass funk, \
            :dismiss NAME, :play, :stop, :export FILE.mid, :help, :q); p plays or stops the session's \
            shared transport, on the next bar line for everyone. The terminal is restored on :q, Ctrl-C, SIGTERM \
            and errors. Needs a terminal of at least 80×24.
            """
    )

    @Argument(help: "The session to join (created if new).")
    var session: String

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Your name in the session.")
    var name = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "player"

    @Option(help: "player (edits) or listener (watches).")
    var role: Role = .player

    func validate() throws {
        try validateSession(session)
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ValidationError("jam join needs a terminal; for scripts use jam tail and jam send")
        }
    }

    /// What the loop reacts to.
    private enum Input: Sendable {
        case terminal(TerminalEvent)
        case jam(JamEvent)
        case terminalClosed
        case connectionClosed
        /// Time to move the playhead.
        case tick
    }

    /// How often the playhead moves while playing: about 30 times a second.
    private static let playheadInterval = Duration.milliseconds(33)

    func run() async throws {
        let jam = try await connection.connect("join", join: JoinRequest(session: session, name: name, role: role))
        var editor = Editor(model: SessionViewModel(
            session: session, document: await jam.document, revision: await jam.revision, connection: "connected",
            isConnected: true, client: await jam.client, roster: await jam.roster))
        var view = SessionView()
        var renderer = ScreenRenderer()
        var failure: String?
        try await Terminal.withRawMode { terminal in
            let (inputs, sink) = AsyncStream.makeStream(of: Input.self)
            let forwarders = [
                Task {
                    for await event in terminal.events { sink.yield(.terminal(event)) }
                    sink.yield(.terminalClosed)
                },
                Task {
                    for await event in jam.events { sink.yield(.jam(event)) }
                    sink.yield(.connectionClosed)
                },
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: Self.playheadInterval)
                        sink.yield(.tick)
                    }
                },
            ]
            defer { forwarders.forEach { $0.cancel() } }
            var size = terminal.size
            try terminal.write(renderer.update(to: view.render(editor.model, size: size)))
            loop: for await input in inputs {
                switch input {
                case .terminal(.key(let key)):
                    for action in editor.handle(key) {
                        if await perform(action, jam: jam, editor: &editor) == false { break loop }
                        if action == .redraw { renderer.invalidate() }
                    }
                case .terminal(.resize(let new)):
                    size = new
                    renderer.invalidate()
                case .jam(let event):
                    await apply(event, jam: jam, to: &editor.model)
                case .tick:
                    let playhead = await Self.playhead(jam: jam, loopTicks: editor.model.loopTicks)
                    guard playhead != editor.model.playhead else { continue loop }
                    editor.model.playhead = playhead
                case .terminalClosed:
                    break loop
                case .connectionClosed:
                    if case .closed(let error?) = await jam.state { failure = "\(error)" }
                    break loop
                }
                try terminal.write(renderer.update(to: view.render(editor.model, size: size)))
            }
        }
        await jam.leave()
        if let failure {
            printError("jam join: \(failure)")
            throw ExitCode.failure
        }
    }

    /// Does what the editor asks; false to leave.
    private func perform(_ action: EditorAction, jam: JamConnection, editor: inout Editor) async -> Bool {
        switch action {
        case .submit(let operation):
            do {
                try await jam.submit(operation)
            } catch {
                editor.model.show(error: "\(error)")
            }
            editor.model.document = await jam.document
        case .undo:
            if !(await jam.undo()) { editor.model.show(info: "nothing of yours to undo") }
            editor.model.document = await jam.document
        case .redo:
            if !(await jam.redo()) { editor.model.show(info: "nothing to redo") }
            editor.model.document = await jam.document
        case .cursor(let track, let tick, let pitch):
            await jam.setCursor(track: track, tick: tick, pitch: pitch)
        case .chat(let text):
            await jam.chat(text)
        case .invite(let role, let style):
            await jam.invite(ClientMessage.Invite(role: role, style: style))
            editor.model.show(info: "invited a \(role) player (\(style))")
        case .dismiss(let who):
            let roster = await jam.roster
            let bandmate = who ?? roster.last { $0.kind == .ai }?.name
            guard let bandmate else {
                editor.model.show(error: "no AI bandmate to dismiss")
                break
            }
            await jam.dismiss(bandmate)
        case .export(let path):
            do {
                let bytes = try MIDIExport.bytes(from: await jam.document)
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                editor.model.show(info: "wrote \(path) (\(bytes.count) bytes)")
            } catch {
                editor.model.show(error: "cannot write \(path): \(error.localizedDescription)")
            }
        case .play:
            await jam.play()
        case .stop:
            await jam.stop()
        case .quit:
            return false
        case .redraw:
            break
        }
        return true
    }

    /// The tick the shared transport plays now, within the loop; nil when it stands (or before the clock
    /// is measured).
    private static func playhead(jam: JamConnection, loopTicks: Int) async -> Int? {
        let now = ContinuousClock.now
        guard await jam.isPlaying(at: now), let tick = await jam.currentTick(at: now) else { return nil }
        let whole = Int(tick.rounded(.down))
        return ((whole % loopTicks) + loopTicks) % loopTicks
    }

    /// Brings what the connection reports into the view.
    private func apply(_ event: JamEvent, jam: JamConnection, to model: inout SessionViewModel) async {
        switch event {
        case .state(let state):
            model.connection = "\(state)"
            if case .connected = state { model.isConnected = true } else { model.isConnected = false }
        case .joined(let client, let revision, let roster, _):
            model.client = client
            model.revision = revision
            model.setRoster(roster)
        case .changed(let document, let revision):
            model.document = document
            model.revision = revision
        case .acknowledged(_, let revision):
            model.revision = max(model.revision, revision)
        case .operation(let committed):
            model.revision = max(model.revision, committed.revision)
        case .refused(let error, _):
            model.show(error: "refused: \(error)")
            model.document = await jam.document
        case .peer(_, let roster):
            model.setRoster(roster)
        case .cursor(let cursor):
            model.receive(cursor)
        case .chat(let chat):
            model.receive(chat)
        case .transport(let transport):
            if let now = transport.segments.first, let next = transport.segments.dropFirst().first {
                let change = now.playing == next.playing ? "\(Int(next.tempo.rounded())) bpm" : next.playing ? "playing" : "stopping"
                model.show(info: "\(change) from the next bar line")
            }
        case .error(let error):
            model.show(error: "\(error)")
        }
    }
}
