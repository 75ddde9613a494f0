import JamCore
import JamProtocol
import Testing
@testable import JamTerminal

private func editor() -> Editor {
    Editor(model: Fixtures.model())
}

/// Commands that edit: each makes one operation, with the old values, that applies to the document.
@Test(arguments: [
    ("bpm 120", [Component.sessionSet(value: .tempo(120), old: .tempo(96))]),
    (":tempo 87.5", [.sessionSet(value: .tempo(87.5), old: .tempo(96))]),
    ("meter 3/4", [.sessionSet(value: .meter(Meter(3, 4)), old: .meter(Meter(4, 4)))]),
    ("meter 6/8", [.sessionSet(value: .meter(Meter(6, 8)), old: .meter(Meter(4, 4)))]),
    ("key A minor", [.sessionSet(value: .key(Key(tonic: "A", mode: "minor")), old: .key(Key(tonic: "D", mode: "minor")))]),
    ("key bb", [.sessionSet(value: .key(Key(tonic: "Bb", mode: "major")), old: .key(Key(tonic: "D", mode: "minor")))]),
    ("key F#m", [.sessionSet(value: .key(Key(tonic: "F#", mode: "minor")), old: .key(Key(tonic: "D", mode: "minor")))]),
    ("key C maj", [.sessionSet(value: .key(Key(tonic: "C", mode: "major")), old: .key(Key(tonic: "D", mode: "minor")))]),
    ("key none", [.sessionSet(value: .key(nil), old: .key(Key(tonic: "D", mode: "minor")))]),
    ("loop 8", [.sessionSet(value: .loopBars(8), old: .loopBars(4))]),
    ("title Late night", [.sessionSet(value: .title("Late night"), old: .title("Tuesday"))]),
    ("track name Low end", [.trackSet(track: "c1.t1", value: .name("Low end"), old: .name("Bass"))]),
    ("track program 34", [.trackSet(track: "c1.t1", value: .instrument(.program(34)), old: .instrument(.program(33)))]),
    ("track program drums", [.trackSet(track: "c1.t1", value: .instrument(.drums), old: .instrument(.program(33)))]),
    ("track volume 90", [.trackSet(track: "c1.t1", value: .volume(90), old: .volume(100))]),
    ("track pan -20", [.trackSet(track: "c1.t1", value: .pan(-20), old: .pan(0))]),
    ("track remove", [.trackRemove(index: 0, track: Fixtures.bass)]),
])
func editingCommands(line: String, expected: [Component]) throws {
    var e = editor()
    let actions = e.execute(line)
    #expect(actions.first == .submit(JamCore.Operation(expected)))
    #expect(e.model.document == (try Fixtures.document.applying(JamCore.Operation(expected))))
    #expect(e.model.status?.kind == .info)
}

/// `:track add`: a fresh id, the next free channel (drums on 10), owned by this member, at the end, and
/// the cursor goes to it.
@Test(arguments: [
    ("track add Lead 81", "Lead", Instrument.program(81), 1),
    ("track add Kit drums", "Kit", .drums, 9),
    ("track add Lead Synth 81", "Lead Synth", .program(81), 1),
    ("track add \"Pad\" 89", "Pad", .program(89), 1),
    ("track add Keys", "Keys", .program(0), 1),
])
func addingATrack(line: String, name: String, instrument: Instrument, channel: Int) throws {
    var e = editor()
    let actions = e.execute(line)
    let track = Track(id: "c1.t2", name: name, instrument: instrument, channel: channel, owner: "c1")
    let op = JamCore.Operation([.trackAdd(index: 2, track: track)])
    #expect(actions.first == .submit(op))
    #expect(e.model.document == (try Fixtures.document.applying(op)))
    #expect(actions.last == .cursor(track: "c1.t2", tick: 0, pitch: instrument == .drums ? 38 : 62))
}

/// Commands that ask the program for something other than an edit.
@Test(arguments: [
    ("chat hello there", EditorAction.chat("hello there")),
    ("say hi", .chat("hi")),
    ("invite bass funk", .invite(role: "bass", style: "funk")),
    ("invite drums latin jazz", .invite(role: "drums", style: "latin jazz")),
    ("dismiss", .dismiss(nil)),
    ("dismiss bandmate", .dismiss("bandmate")),
    ("export jam.mid", .export(path: "jam.mid")),
    ("export \"my jam.mid\"", .export(path: "my jam.mid")),
    ("play", .play), ("stop", .stop), ("undo", .undo), ("redo", .redo),
    ("q", .quit), (":q", .quit), ("quit", .quit),
])
func programCommands(line: String, action: EditorAction) {
    var e = editor()
    #expect(e.execute(line) == [action])
    #expect(e.model.document == Fixtures.document)
}

@Test func settingCommands() {
    var e = editor()
    #expect(e.execute("dur 1/4").isEmpty)
    #expect(e.model.settings.duration == 480)
    #expect(e.execute("dur 3/16").isEmpty)
    #expect(e.model.settings.duration == 360)
    #expect(e.execute("dur 100t").isEmpty)
    #expect(e.model.settings.duration == 100)
    #expect(e.execute("vel 70").isEmpty)
    #expect(e.model.settings.velocity == 70)
    #expect(e.execute("step 1/8").isEmpty)
    #expect(e.model.settings.step == 240)
    #expect(e.execute("help").isEmpty)
    #expect(e.model.mode == .help)
    #expect(e.execute("bpm 96").isEmpty)
    #expect(e.model.status == StatusMessage(.info, "already tempo 96 bpm"))
}

/// Bad commands change nothing and say what is wrong.
@Test(arguments: [
    ("bpm", "usage: :bpm BPM"),
    ("bpm fast", "tempo must be a number from 20 to 400, not \"fast\""),
    ("bpm 500", "tempo must be a number from 20 to 400, not \"500\""),
    ("bpm nan", "tempo must be a number from 20 to 400"),
    ("meter", "usage: :meter N/D"),
    ("meter 3-4", "usage: :meter N/D"),
    ("meter 5/3", "a meter is 1–32 beats over 1, 2, 4, 8, 16 or 32, not 5/3"),
    ("meter 0/4", "a meter is 1–32 beats"),
    ("key", "usage: :key TONIC"),
    ("key H minor", "no tonic \"H\""),
    ("key D dorian", "a key's mode is major or minor, not \"dorian\""),
    ("loop 0", "a loop is 1 to 1024 bars, not \"0\""),
    ("loop many", "a loop is 1 to 1024 bars"),
    ("track", "usage: :track add NAME"),
    ("track add", "usage: :track add NAME"),
    ("track add Bass 300", "a program is a General MIDI number 0–127 or drums, not \"300\""),
    ("track volume 200", "usage: :track volume V, 0–127"),
    ("track pan left", "usage: :track pan P"),
    ("track fly", "usage: :track add NAME"),
    ("chat", "usage: :chat TEXT"),
    ("chat " + String(repeating: "x", count: 2001), "a chat line is at most 2000 bytes"),
    ("invite bass", "usage: :invite ROLE STYLE"),
    ("export", "usage: :export FILE.mid"),
    ("dur 1/7", "usage: :dur 1/8"),
    ("vel 0", "usage: :vel N"),
    ("step 1/1024", "usage: :step 1/16"),
    ("title " + String(repeating: "t", count: 201), "a title is at most 200 bytes"),
    ("nonsense 1 2", "unknown command :nonsense (:help lists them)"),
])
func badCommandsSayWhy(line: String, message: String) {
    var e = editor()
    #expect(e.execute(line).isEmpty)
    #expect(e.model.status?.kind == .error)
    #expect(e.model.status?.text.hasPrefix(message) == true, "\(e.model.status?.text ?? "no status")")
    #expect(e.model.document == Fixtures.document)
    #expect(e.model.settings == NoteSettings())
}

@Test func anEmptyCommandLineDoesNothing() {
    var e = editor()
    #expect(e.execute("").isEmpty)
    #expect(e.execute(":").isEmpty)
    #expect(e.model.status == nil)
}
