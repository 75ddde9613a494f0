import ArgumentParser
import Foundation
import JamCore
import JamLog
import JamTerminal

/// `jam replay FILE --watch`: the session's piano roll, replayed with its original timing.
enum ReplayWatch {
    static func run(file: String, from revision: Int?, speed: Double) async throws {
        let player: ReplayPlayer
        let session: String
        do {
            let reader = try LogReader(path: file)
            session = reader.header.session
            let start = revision ?? 0
            let initial = try reader.state(at: start)
            var steps: [ReplayPlayer.Step] = []
            var records = reader.records()
            while let located = try records.next() {
                guard case .operation(let entry) = located.record, entry.revision > start else { continue }
                steps.append(ReplayPlayer.Step(revision: entry.revision, time: entry.time, author: entry.author, operation: entry.operation))
            }
            player = ReplayPlayer(start: initial.document, steps: steps, speed: speed)
        } catch {
            printError("jam replay: \(file): \(error)")
            throw ExitCode.failure
        }
        try await watch(player, session: session)
    }

    private static func watch(_ start: ReplayPlayer, session: String) async throws {
        var player = start
        var model = SessionViewModel(session: session, document: player.document, revision: player.revision, connection: "replay", isConnected: true)
        var view = SessionView()
        var renderer = ScreenRenderer()
        try await Terminal.withRawMode { terminal in
            var size = terminal.size
            let (ticks, tick) = AsyncStream.makeStream(of: TerminalEvent?.self)
            let forwarders = [
                Task {
                    for await event in terminal.events { tick.yield(event) }
                    tick.finish()
                },
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(30))
                        tick.yield(nil)
                    }
                },
            ]
            defer { forwarders.forEach { $0.cancel() } }
            var last = ContinuousClock.now
            var shownTrack: String?
            loop: for await event in ticks {
                let now = ContinuousClock.now
                let elapsed = last.duration(to: now)
                last = now
                switch event {
                case nil:
                    _ = player.advance(by: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                case .key(.character("q")), .key(.control("c")), .key(.escape):
                    break loop
                case .key(.character(" ")):
                    player.isPaused.toggle()
                case .key(.right):
                    player.isPaused = true
                    player.stepForward()
                case .key(.left):
                    player.isPaused = true
                    player.stepBack()
                case .key(.character("+")):
                    player.speed = min(64, player.speed * 2)
                case .key(.character("-")):
                    player.speed = max(1.0 / 16, player.speed / 2)
                case .key(.tab):
                    let tracks = player.document.tracks.map(\.id)
                    let index = tracks.firstIndex(of: model.cursor.track ?? "") ?? -1
                    model.cursor.track = tracks.isEmpty ? nil : tracks[(index + 1) % tracks.count]
                case .key(.up):
                    model.cursor.pitch = min(127, model.cursor.pitch + 12)
                case .key(.down):
                    model.cursor.pitch = max(0, model.cursor.pitch - 12)
                case .resize(let new):
                    size = new
                    renderer.invalidate()
                default:
                    break
                }
                model.document = player.document
                model.revision = player.revision
                if model.cursor.track == nil || model.document.trackIndex(model.cursor.track!) == nil {
                    model.cursor.track = model.document.tracks.first?.id
                }
                if model.cursor.track != shownTrack, let index = model.selectedTrackIndex {
                    // Centre the roll on the track's notes.
                    let pitches = model.document.tracks[index].notes.values.map(\.pitch).sorted()
                    if !pitches.isEmpty { model.cursor.pitch = pitches[pitches.count / 2] }
                    shownTrack = model.cursor.track
                }
                let state = player.isFinished ? "end" : player.isPaused ? "paused" : "playing ×\(player.speed)"
                let when = player.current.map { Date(timeIntervalSince1970: Double($0.time) / 1000).formatted(date: .omitted, time: .standard) } ?? "start"
                model.connection = "replay \(state)"
                model.show(info: "rev \(player.revision) of \(player.steps.last?.revision ?? 0) · \(when) · \(player.current?.author ?? "") · Space pause · ←/→ step · +/- speed · Tab track · q quit")
                try terminal.write(renderer.update(to: view.render(model, size: size)))
            }
        }
    }
}
