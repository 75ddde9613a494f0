import JamCore
import JamTerminal
import Testing

@Suite struct ReplayPlayerTests {
    static let steps: [ReplayPlayer.Step] = [
        .init(revision: 1, time: 1_000, author: "a", operation: [.sessionSet(value: .tempo(100), old: .tempo(120))]),
        .init(revision: 2, time: 1_500, author: "b", operation: [.sessionSet(value: .tempo(110), old: .tempo(100))]),
        .init(revision: 3, time: 3_600_000, author: "a", operation: [.sessionSet(value: .tempo(90), old: .tempo(110))]),
    ]

    @Test("steps come at their recorded intervals, scaled by the speed; long pauses are cut")
    func timing() {
        var player = ReplayPlayer(start: Document(tempo: 120), steps: Self.steps, speed: 2)
        var changed = player.advance(by: 1)
        #expect(changed && player.revision == 1, "the first step is due at once")
        changed = player.advance(by: 240)
        #expect(!changed && player.revision == 1, "480 ms of 500 at double speed")
        changed = player.advance(by: 20)
        #expect(changed && player.document.tempo == 110)
        changed = player.advance(by: 1_400)
        #expect(!changed, "a pause of an hour is cut to 3 s: 1.5 s at double speed")
        changed = player.advance(by: 100)
        #expect(changed && player.isFinished && player.document.tempo == 90)
    }

    @Test("pause holds; stepping back and forth walks the revisions exactly")
    func stepping() {
        var player = ReplayPlayer(start: Document(tempo: 120), steps: Self.steps)
        player.isPaused = true
        let held = player.advance(by: 10_000)
        #expect(!held && player.revision == 0)
        let forward = [player.stepForward(), player.stepForward()]
        #expect(forward == [true, true] && player.document.tempo == 110)
        var back = player.stepBack()
        #expect(back && player.document.tempo == 100 && player.revision == 1)
        back = player.stepBack()
        #expect(back && player.document == Document(tempo: 120))
        back = player.stepBack()
        #expect(!back, "nothing before the start")
    }
}
