import JamCore
import JamProtocol

/// The keyboard's state machine over a ``SessionViewModel``: every key binding of ``KeyBindings`` and
/// the `:` command line.
///
/// An edit is built from the model's document, applied to it at once (so the screen shows it before
/// the server answers, and the next key builds on it), and returned as ``EditorAction/submit(_:)`` for
/// the connection to send. An edit that cannot apply, and a command that does not parse, change
/// nothing and say why on the status line.
public struct Editor: Sendable {
    public var model: SessionViewModel
    /// The last number used in a note id and a track id this editor made.
    private var noteCounter = 0
    private var trackCounter = 0

    public init(model: SessionViewModel) {
        self.model = model
    }

    /// Velocity steps of `-` and `+`.
    static let velocityStep = 8
    /// The finest and the coarsest grid `z` and `Z` reach, and the shortest and longest note `[` and `]`
    /// give a new note.
    static let finestStep = Document.ppq / 16
    static let coarsestStep = Document.ppq * 4
    static let longestNewNote = Document.ppq * 16

    /// Answers one key.
    public mutating func handle(_ key: KeyPress) -> [EditorAction] {
        let before = model.clampedCursor
        var actions: [EditorAction]
        switch model.mode {
        case .help:
            model.mode = .normal
            actions = key == .control("c") ? [.quit] : []
        case .command(let text):
            actions = commandLine(key, text: text)
        case .normal:
            model.cursor = model.clampedCursor
            actions = normal(key)
        }
        return actions + cursorMoved(from: before)
    }

    /// Runs one command line, with or without its leading colon (`"bpm 96"`, `":q"`).
    public mutating func execute(_ line: String) -> [EditorAction] {
        let before = model.clampedCursor
        model.cursor = model.clampedCursor
        return run(line) + cursorMoved(from: before)
    }

    // MARK: Keys

    private mutating func commandLine(_ key: KeyPress, text: String) -> [EditorAction] {
        switch key {
        case .character(let c):
            model.mode = .command(text + String(c))
        case .backspace:
            model.mode = text.isEmpty ? .normal : .command(String(text.dropLast()))
        case .control("u"):
            model.mode = .command("")
        case .escape, .control("c"):
            model.mode = .normal
        case .enter:
            model.mode = .normal
            model.cursor = model.clampedCursor
            return run(text)
        default:
            break
        }
        return []
    }

    private mutating func normal(_ key: KeyPress) -> [EditorAction] {
        let step = max(1, model.settings.step)
        switch key {
        case .left, .character("h"): moveTime(by: -step)
        case .right, .character("l"): moveTime(by: step)
        case .up, .character("k"): movePitch(by: 1)
        case .down, .character("j"): movePitch(by: -1)
        case .pageUp: movePitch(by: 12)
        case .pageDown: movePitch(by: -12)
        case .character("w"): moveToBar(1)
        case .character("b"): moveToBar(-1)
        case .home, .character("0"): model.cursor.tick = 0
        case .end, .character("$"): model.cursor.tick = model.loopTicks - 1
        case .character(" "), .enter: return toggleNote()
        case .character("x"), .delete: return removeNote()
        case .character("["): return changeDuration(longer: false)
        case .character("]"): return changeDuration(longer: true)
        case .character("-"): return changeVelocity(by: -Self.velocityStep)
        case .character("+"), .character("="): return changeVelocity(by: Self.velocityStep)
        case .character("<"): return transpose(by: -12)
        case .character(">"): return transpose(by: 12)
        case .character("J"): return transpose(by: -1)
        case .character("K"): return transpose(by: 1)
        case .character("H"): return shiftNote(by: -step)
        case .character("L"): return shiftNote(by: step)
        case .tab, .character("t"): selectTrack(by: 1)
        case .backTab, .character("T"): selectTrack(by: -1)
        case .character("m"): return toggle(.mute)
        case .character("s"): return toggle(.solo)
        case .character("u"), .control("z"): return [.undo]
        case .character("U"), .control("r"), .control("y"): return [.redo]
        case .character("I"): return insertBar()
        case .character("D"): return removeBar()
        case .character("z"): setStep(model.settings.step / 2)
        case .character("Z"): setStep(model.settings.step * 2)
        case .character("p"): return [model.playhead == nil ? .play : .stop]
        case .character(":"): model.mode = .command("")
        case .character("?"), .function(1): model.mode = .help
        case .escape: model.status = nil
        case .control("l"): return [.redraw]
        case .control("c"): return [.quit]
        default: break
        }
        model.cursor = model.clampedCursor
        return []
    }

    /// A CURSOR for the server when the cursor moved; listeners send none (the server forbids them).
    private func cursorMoved(from before: EditCursor) -> [EditorAction] {
        let after = model.clampedCursor
        guard after != before, model.role != .listener else { return [] }
        return [.cursor(track: after.track, tick: after.tick, pitch: after.pitch)]
    }

    private mutating func moveTime(by ticks: Int) {
        model.cursor.tick += ticks
        model.cursor = model.clampedCursor
    }

    private mutating func movePitch(by semitones: Int) {
        model.cursor.pitch = min(max(0, model.cursor.pitch + semitones), 127)
    }

    /// To the start of the next bar, or of this bar (the previous one when already there).
    private mutating func moveToBar(_ direction: Int) {
        let bar = model.ticksPerBar
        let tick = model.cursor.tick
        let start = tick / bar * bar
        model.cursor.tick = direction > 0 ? start + bar : (tick == start ? start - bar : start)
        if model.cursor.tick >= model.loopTicks { model.cursor.tick = tick }
        model.cursor.tick = max(0, model.cursor.tick)
        model.cursor = model.clampedCursor
    }

    private mutating func selectTrack(by offset: Int) {
        let tracks = model.document.tracks
        guard let index = model.selectedTrackIndex, !tracks.isEmpty else { return }
        model.cursor.track = tracks[(index + offset).floorModulo(tracks.count)].id
    }

    private mutating func setStep(_ ticks: Int) {
        let step = min(max(Self.finestStep, ticks), Self.coarsestStep)
        model.settings.step = step
        model.show(info: "grid: \(MusicNames.duration(step)) a column")
    }

    // MARK: Edits

    private mutating func toggleNote() -> [EditorAction] {
        if model.noteUnderCursor != nil { return removeNote() }
        guard let track = editableTrack(), let client = model.client else { return [] }
        let cursor = model.cursor
        let note = Note(
            id: newNoteID(client: client), tick: cursor.tick, duration: model.settings.duration,
            pitch: cursor.pitch, velocity: model.settings.velocity)
        return submit([.noteAdd(track: track.id, note: note)])
    }

    private mutating func removeNote() -> [EditorAction] {
        guard let (track, note) = editableNote() else { return [] }
        return submit([.noteRemove(track: track.id, note: note)])
    }

    /// `[` and `]`: the note under the cursor halves or doubles, and new notes take its new length;
    /// without a note, only the length of new notes changes.
    private mutating func changeDuration(longer: Bool) -> [EditorAction] {
        guard let note = model.noteUnderCursor else {
            let current = model.settings.duration
            let next = longer ? current * 2 : current / 2
            model.settings.duration = min(max(Self.finestStep, next), Self.longestNewNote)
            model.show(info: "new notes: \(MusicNames.duration(model.settings.duration))")
            return []
        }
        let next = max(1, longer ? note.duration * 2 : note.duration / 2)
        guard next != note.duration, next <= 1 << 32, let (track, _) = editableNote() else { return [] }
        model.settings.duration = min(max(Self.finestStep, next), Self.longestNewNote)
        return submit([.noteSet(track: track.id, note: note.id, field: .duration, value: next, old: note.duration)])
    }

    /// `-` and `+`: the note under the cursor, and new notes, get softer or louder.
    private mutating func changeVelocity(by delta: Int) -> [EditorAction] {
        guard let note = model.noteUnderCursor else {
            model.settings.velocity = min(max(1, model.settings.velocity + delta), 127)
            model.show(info: "new notes: velocity \(model.settings.velocity)")
            return []
        }
        let next = min(max(1, note.velocity + delta), 127)
        guard next != note.velocity, let (track, _) = editableNote() else { return [] }
        model.settings.velocity = next
        return submit([.noteSet(track: track.id, note: note.id, field: .velocity, value: next, old: note.velocity)])
    }

    /// `<`, `>`, `J`, `K`: the note under the cursor moves in pitch and the cursor goes with it;
    /// without a note, `<` and `>` move the cursor an octave.
    private mutating func transpose(by semitones: Int) -> [EditorAction] {
        guard let note = model.noteUnderCursor else {
            if abs(semitones) == 12 {
                movePitch(by: semitones)
            } else {
                model.show(error: "no note under the cursor to move")
            }
            return []
        }
        let next = note.pitch + semitones
        guard (0...127).contains(next) else {
            model.show(error: "\(MusicNames.pitch(note.pitch)) cannot go \(semitones > 0 ? "higher" : "lower")")
            return []
        }
        guard let (track, _) = editableNote() else { return [] }
        let actions = submit([.noteSet(track: track.id, note: note.id, field: .pitch, value: next, old: note.pitch)])
        if !actions.isEmpty { model.cursor.pitch = next }
        return actions
    }

    /// `H` and `L`: the note under the cursor moves a step in time and the cursor goes with it.
    private mutating func shiftNote(by ticks: Int) -> [EditorAction] {
        guard let (track, note) = editableNote() else { return [] }
        let next = note.tick + ticks
        guard next >= 0, next < model.loopTicks else {
            model.show(error: "the note cannot leave the loop")
            return []
        }
        let actions = submit([.noteSet(track: track.id, note: note.id, field: .tick, value: next, old: note.tick)])
        if !actions.isEmpty {
            model.cursor.tick += ticks
            model.cursor = model.clampedCursor
        }
        return actions
    }

    private mutating func toggle(_ field: TrackField.Name) -> [EditorAction] {
        guard let track = editableTrack() else { return [] }
        let component: Component = field == .mute
            ? .trackSet(track: track.id, value: .mute(!track.mute), old: .mute(track.mute))
            : .trackSet(track: track.id, value: .solo(!track.solo), old: .solo(track.solo))
        return submit([component])
    }

    /// `I`: a bar of silence before the cursor's bar, the loop one bar longer.
    private mutating func insertBar() -> [EditorAction] {
        guard canEdit() else { return [] }
        let bars = model.document.loopBars
        guard bars < 1024 else {
            model.show(error: "the loop is at its longest, 1024 bars")
            return []
        }
        let bar = model.ticksPerBar
        let start = model.cursor.tick / bar * bar
        let actions = submit([.timeInsert(at: start, span: bar), .sessionSet(value: .loopBars(bars + 1), old: .loopBars(bars))])
        if !actions.isEmpty { model.show(info: "inserted a bar at bar \(start / bar + 1)") }
        return actions
    }

    /// `D`: the cursor's bar and every note starting in it removed, the loop one bar shorter.
    private mutating func removeBar() -> [EditorAction] {
        guard canEdit() else { return [] }
        let bars = model.document.loopBars
        guard bars > 1 else {
            model.show(error: "the loop has only one bar")
            return []
        }
        let bar = model.ticksPerBar
        let start = model.cursor.tick / bar * bar
        let removed = model.document.notesStarting(in: start, span: bar)
        let actions = submit([
            .timeRemove(at: start, span: bar, removed: removed), .sessionSet(value: .loopBars(bars - 1), old: .loopBars(bars)),
        ])
        if !actions.isEmpty {
            model.cursor = model.clampedCursor
            model.show(info: "removed bar \(start / bar + 1)" + (removed.isEmpty ? "" : " and its \(removed.count) notes"))
        }
        return actions
    }

    // MARK: Commands

    private mutating func run(_ line: String) -> [EditorAction] {
        var text = Substring(line).drop { $0 == " " }
        if text.hasPrefix(":") { text = text.dropFirst().drop { $0 == " " } }
        let name = text.prefix { $0 != " " }
        let rest = String(text.dropFirst(name.count).drop { $0 == " " })
            .trimmingTrailing()
        let words = CommandWords.split(rest)
        switch name {
        case "":
            return []
        case "q", "q!", "quit", "exit":
            return [.quit]
        case "help", "h":
            model.mode = .help
            return []
        case "bpm", "tempo":
            return setTempo(words)
        case "meter":
            return setMeter(words)
        case "key":
            return setKey(words)
        case "loop", "bars":
            return setLoop(words)
        case "title":
            return setTitle(rest)
        case "track":
            return track(words)
        case "dur", "duration":
            return setNoteLength(words)
        case "vel", "velocity":
            return setVelocity(words)
        case "step", "grid":
            guard words.count == 1, let ticks = MusicNames.ticks(words[0]), ticks >= Self.finestStep / 2, ticks <= Self.coarsestStep * 4 else {
                return usage("usage: :step 1/16 (a fraction of a whole note, 1/128 to 4)")
            }
            setStep(ticks)
            return []
        case "chat", "say":
            return chat(rest)
        case "invite":
            guard words.count >= 2 else { return usage("usage: :invite ROLE STYLE, e.g. :invite bass funk") }
            return [.invite(role: words[0], style: words.dropFirst().joined(separator: " "))]
        case "dismiss":
            return [.dismiss(rest.isEmpty ? nil : rest)]
        case "export":
            guard !rest.isEmpty else { return usage("usage: :export FILE.mid") }
            return [.export(path: words.count == 1 ? words[0] : rest)]
        case "play":
            return [.play]
        case "stop":
            return [.stop]
        case "undo":
            return [.undo]
        case "redo":
            return [.redo]
        default:
            return usage("unknown command :\(name) (:help lists them)")
        }
    }

    private mutating func usage(_ text: String) -> [EditorAction] {
        model.show(error: text)
        return []
    }

    private mutating func setTempo(_ words: [String]) -> [EditorAction] {
        guard words.count == 1 else { return usage("usage: :bpm BPM, a number from 20 to 400, e.g. :bpm 96") }
        guard let bpm = Double(words[0]), bpm.isFinite, (20...400).contains(bpm) else {
            return usage("tempo must be a number from 20 to 400, not \"\(words[0])\"")
        }
        return setSession(.tempo(bpm), describe: "tempo \(Self.format(bpm)) bpm")
    }

    private mutating func setMeter(_ words: [String]) -> [EditorAction] {
        let parts = words.count == 1 ? words[0].split(separator: "/", omittingEmptySubsequences: false) : []
        guard parts.count == 2, let numerator = Int(parts[0]), let denominator = Int(parts[1]) else {
            return usage("usage: :meter N/D, e.g. :meter 3/4 or :meter 6/8")
        }
        guard (1...32).contains(numerator), [1, 2, 4, 8, 16, 32].contains(denominator) else {
            return usage("a meter is 1–32 beats over 1, 2, 4, 8, 16 or 32, not \(words[0])")
        }
        return setSession(.meter(Meter(numerator, denominator)), describe: "meter \(numerator)/\(denominator)")
    }

    private mutating func setKey(_ words: [String]) -> [EditorAction] {
        guard !words.isEmpty, words.count <= 2 else {
            return usage("usage: :key TONIC [major|minor], e.g. :key D minor, :key Bb, :key F#m, :key none")
        }
        if words.count == 1, ["none", "off", "-"].contains(words[0].lowercased()) {
            return setSession(.key(nil), describe: "no key")
        }
        var tonic = words[0]
        var mode = words.count == 2 ? words[1].lowercased() : "major"
        if words.count == 1, tonic.count >= 2, tonic.hasSuffix("m") {
            tonic.removeLast()
            mode = "minor"
        }
        tonic = tonic.prefix(1).uppercased() + tonic.dropFirst().lowercased()
        switch mode {
        case "major", "maj": mode = "major"
        case "minor", "min", "m": mode = "minor"
        default: return usage("a key's mode is major or minor, not \"\(mode)\"")
        }
        guard JamCore.Key.tonics[tonic] != nil else {
            return usage("no tonic \"\(words[0])\": use C C# Db D D# Eb E F F# Gb G G# Ab A A# Bb B")
        }
        let key = JamCore.Key(tonic: tonic, mode: mode)
        return setSession(.key(key), describe: "key \(key)")
    }

    private mutating func setLoop(_ words: [String]) -> [EditorAction] {
        guard words.count == 1 else { return usage("usage: :loop BARS, 1 to 1024") }
        guard let bars = Int(words[0]), (1...1024).contains(bars) else {
            return usage("a loop is 1 to 1024 bars, not \"\(words[0])\"")
        }
        return setSession(.loopBars(bars), describe: "loop \(bars) bars")
    }

    private mutating func setTitle(_ title: String) -> [EditorAction] {
        guard title.utf8.count <= 200 else { return usage("a title is at most 200 bytes") }
        return setSession(.title(title), describe: "title \"\(title)\"")
    }

    private mutating func setSession(_ value: SessionField, describe: String) -> [EditorAction] {
        let old = model.document.value(of: value.field)
        guard old != value else {
            model.show(info: "already \(describe)")
            return []
        }
        let actions = submit([.sessionSet(value: value, old: old)])
        if !actions.isEmpty { model.show(info: describe) }
        return actions
    }

    private mutating func setNoteLength(_ words: [String]) -> [EditorAction] {
        guard words.count == 1, let ticks = MusicNames.ticks(words[0]), ticks <= 1 << 32 else {
            return usage("usage: :dur 1/8 (a fraction of a whole note, or ticks as 120t)")
        }
        model.settings.duration = ticks
        model.show(info: "new notes: \(MusicNames.duration(ticks))")
        return []
    }

    private mutating func setVelocity(_ words: [String]) -> [EditorAction] {
        guard words.count == 1, let velocity = Int(words[0]), (1...127).contains(velocity) else {
            return usage("usage: :vel N, a velocity from 1 to 127")
        }
        model.settings.velocity = velocity
        model.show(info: "new notes: velocity \(velocity)")
        return []
    }

    private mutating func chat(_ text: String) -> [EditorAction] {
        guard !text.isEmpty else { return usage("usage: :chat TEXT") }
        let limit = Limits.default.chatBytes
        guard text.utf8.count <= limit else { return usage("a chat line is at most \(limit) bytes") }
        return [.chat(text)]
    }

    private mutating func track(_ words: [String]) -> [EditorAction] {
        let usageText = "usage: :track add NAME [PROGRAM|drums], :track remove, :track name|program|volume|pan VALUE"
        guard let verb = words.first else { return usage(usageText) }
        let arguments = Array(words.dropFirst())
        switch verb {
        case "add":
            return addTrack(arguments)
        case "remove", "rm", "delete":
            guard let track = editableTrack(), let index = model.selectedTrackIndex else { return [] }
            let actions = submit([.trackRemove(index: index, track: track)])
            if !actions.isEmpty {
                let tracks = model.document.tracks
                model.cursor.track = tracks.isEmpty ? nil : tracks[min(index, tracks.count - 1)].id
                model.show(info: "removed track \(track.name) (u brings it back)")
            }
            return actions
        case "name", "rename":
            guard !arguments.isEmpty else { return usage("usage: :track name NEW NAME") }
            let name = arguments.joined(separator: " ")
            guard name.utf8.count <= 200 else { return usage("a track name is at most 200 bytes") }
            return setTrack(.name(name))
        case "program", "instrument":
            guard arguments.count == 1, let instrument = Self.instrument(arguments[0]) else {
                return usage("usage: :track program P, a General MIDI program 0–127 or drums")
            }
            return setTrack(.instrument(instrument))
        case "volume", "vol":
            guard arguments.count == 1, let volume = Int(arguments[0]), (0...127).contains(volume) else {
                return usage("usage: :track volume V, 0–127")
            }
            return setTrack(.volume(volume))
        case "pan":
            guard arguments.count == 1, let pan = Int(arguments[0]), (-64...63).contains(pan) else {
                return usage("usage: :track pan P, -64 (left) to 63 (right)")
            }
            return setTrack(.pan(pan))
        default:
            return usage(usageText)
        }
    }

    /// `:track add NAME [PROGRAM]`: the last word is the program when it is one, so a name may have
    /// spaces without quotes.
    private mutating func addTrack(_ arguments: [String]) -> [EditorAction] {
        guard !arguments.isEmpty else { return usage("usage: :track add NAME [PROGRAM|drums], e.g. :track add Bass 33") }
        var nameWords = arguments
        var instrument = Instrument.program(0)
        if arguments.count >= 2 {
            guard let parsed = Self.instrument(arguments.last!) else {
                return usage("a program is a General MIDI number 0–127 or drums, not \"\(arguments.last!)\"")
            }
            instrument = parsed
            nameWords.removeLast()
        }
        let name = nameWords.joined(separator: " ")
        guard name.utf8.count <= 200 else { return usage("a track name is at most 200 bytes") }
        guard canEdit(), let client = model.client else { return [] }
        let document = model.document
        let channel: Int
        if instrument == .drums {
            channel = 9
        } else {
            let used = Set(document.tracks.map(\.channel))
            channel = (0..<16).first { $0 != 9 && !used.contains($0) } ?? 0
        }
        let track = Track(id: newTrackID(client: client), name: name, instrument: instrument, channel: channel, owner: client)
        let actions = submit([.trackAdd(index: document.tracks.count, track: track)])
        if !actions.isEmpty {
            model.cursor.track = track.id
            if instrument == .drums { model.cursor.pitch = 38 }
            model.show(info: "added track \(name) (\(MusicNames.instrument(instrument)))")
        }
        return actions
    }

    private mutating func setTrack(_ value: TrackField) -> [EditorAction] {
        guard let track = editableTrack() else { return [] }
        let old = track.value(of: value.field)
        guard old != value else { return [] }
        let actions = submit([.trackSet(track: track.id, value: value, old: old)])
        if !actions.isEmpty { model.show(info: "track \(track.name): \(value.field.rawValue) \(Self.describe(value))") }
        return actions
    }

    private static func describe(_ value: TrackField) -> String {
        switch value {
        case .name(let v), .owner(let v): v
        case .instrument(let v): MusicNames.instrument(v)
        case .channel(let v), .volume(let v), .pan(let v): String(v)
        case .mute(let v), .solo(let v): v ? "on" : "off"
        }
    }

    private static func instrument(_ word: String) -> Instrument? {
        if word.lowercased() == "drums" { return .drums }
        guard let program = Int(word), (0...127).contains(program) else { return nil }
        return .program(program)
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }

    // MARK: Submitting

    /// Whether this member may edit now; if not, the status line says why.
    private mutating func canEdit() -> Bool {
        guard model.client != nil else {
            model.show(error: "not joined yet: edits wait for the session")
            return false
        }
        guard model.role != .listener else {
            model.show(error: "you joined as a listener: listeners cannot edit")
            return false
        }
        return true
    }

    private mutating func editableTrack() -> Track? {
        guard canEdit() else { return nil }
        guard let track = model.selectedTrack else {
            model.show(error: "no track yet: add one with :track add NAME PROGRAM")
            return nil
        }
        return track
    }

    private mutating func editableNote() -> (Track, Note)? {
        guard let track = editableTrack() else { return nil }
        guard let note = model.noteUnderCursor else {
            model.show(error: "no note under the cursor")
            return nil
        }
        return (track, note)
    }

    /// Applies the edit to the model's document and hands it on, or says why it does not apply.
    private mutating func submit(_ components: [Component]) -> [EditorAction] {
        let operation = JamCore.Operation(components)
        do {
            try model.document.apply(operation)
        } catch {
            model.show(error: "edit refused: \(error.message)")
            return []
        }
        return [.submit(operation)]
    }

    /// `client.nN`, the first N after the last one used that no note of the session has.
    private mutating func newNoteID(client: String) -> String {
        let tracks = model.document.tracks
        while true {
            noteCounter += 1
            let id = "\(client).n\(noteCounter)"
            if !tracks.contains(where: { $0.notes[id] != nil }) { return id }
        }
    }

    /// `client.tN`, the first N after the last one used that no track has.
    private mutating func newTrackID(client: String) -> String {
        while true {
            trackCounter += 1
            let id = "\(client).t\(trackCounter)"
            if model.document.trackIndex(id) == nil { return id }
        }
    }
}

/// Splits a command's arguments into words: spaces separate them, double quotes keep spaces in one.
enum CommandWords {
    static func split(_ text: String) -> [String] {
        var words: [String] = []
        var word = ""
        var quoted = false
        var started = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character == " " && !quoted {
                if started { words.append(word) }
                word = ""
                started = false
            } else {
                word.append(character)
                started = true
            }
        }
        if started { words.append(word) }
        return words
    }
}

extension String {
    func trimmingTrailing() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
