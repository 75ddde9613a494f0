import JamCore

/// Something an import had to simplify, so the user knows what the session does not keep.
public struct MIDIWarning: Hashable, Sendable, CustomStringConvertible {
    /// Stable, snake_case: `tempo_changes`, `meter_changes`, `key_changes`, `program_changes`,
    /// `tempo_clamped`, `meter_unsupported`, `unterminated_notes`, `unmatched_note_offs`, `loop_clamped`,
    /// `format_2`, `name_truncated`.
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// An imported session document and what the import simplified.
public struct MIDIImported: Hashable, Sendable {
    public var document: Document
    public var warnings: [MIDIWarning]
}

/// A Standard MIDI File (format 0, 1 or 2, any ticks-per-quarter division) as a session document.
///
/// - Ticks are rescaled to 480 per quarter note (rounded to the nearest tick).
/// - Tempo, time signature and key come from the earliest tempo, time-signature and key-signature
///   events. A session has one of each: later changes are reported as warnings, and notes keep their
///   positions in beats (so a song that speeds up plays at its first tempo, on the same grid).
/// - Each (track chunk, channel) with notes becomes a track, in chunk then channel order; a chunk with
///   a single channel and no notes still becomes an (empty) track, so exported empty tracks come back.
///   Channel 10 is drums. The program is the group's first program change (else the first one on that
///   channel anywhere in the file, else 0); volume and pan come from controllers 7 and 10.
/// - Note-ons pair with note-offs (or note-ons of velocity 0) first in, first out, per channel and key;
///   a note left sounding ends at its chunk's end.
/// - The title is the name of a format 0 file's track or a format 1 file's first track when it holds no
///   channel messages (the conductor track), unless one is given; the loop is the whole song, rounded up
///   to whole bars.
public enum MIDIImport {
    /// The title when neither the caller nor the file gives one.
    public static let defaultTitle = "Imported MIDI"

    /// The document a MIDI file's bytes describe.
    public static func document(from bytes: [UInt8]) throws(MIDIError) -> Document {
        try read(bytes).document
    }

    /// The document and the import's warnings; `title` overrides the file's, `fallbackTitle` is used
    /// when the file has none.
    public static func read(_ bytes: [UInt8], title: String? = nil, fallbackTitle: String = defaultTitle) throws(MIDIError) -> MIDIImported {
        try convert(MIDIReader.file(from: bytes), title: title, fallbackTitle: fallbackTitle)
    }

    /// Converts a parsed file (`tick_out_of_range` when a position does not fit a document).
    public static func convert(_ file: MIDIFile, title: String? = nil, fallbackTitle: String = defaultTitle) throws(MIDIError) -> MIDIImported {
        var converter = Converter(file: file)
        return try converter.run(title: title, fallbackTitle: fallbackTitle)
    }
}

private struct Converter {
    let file: MIDIFile
    var warnings: [MIDIWarning] = []

    init(file: MIDIFile) {
        self.file = file
    }

    /// A file tick at 480 per quarter, rounded to nearest. Ends of notes may pass 2^40 by a note's
    /// longest duration; `run` checks starts against 2^40.
    func scale(_ tick: Int) throws(MIDIError) -> Int {
        let (product, overflow) = tick.multipliedReportingOverflow(by: Document.ppq)
        let scaled = overflow ? Int.max : (product + file.ticksPerQuarter / 2) / file.ticksPerQuarter
        guard !overflow, scaled <= DocumentLimits.maxTick + DocumentLimits.maxDuration else {
            throw MIDIError(code: "tick_out_of_range", message: "tick \(tick) at \(file.ticksPerQuarter) per quarter is past the 2^40 ticks a session holds")
        }
        return scaled
    }

    mutating func warn(_ code: String, _ message: String) {
        warnings.append(MIDIWarning(code: code, message: message))
    }

    /// Events of one kind across all tracks, earliest first (ties in track order).
    func all<T>(_ pick: (MIDIMessage) -> T?) -> [(tick: Int, value: T)] {
        var found: [(tick: Int, track: Int, index: Int, value: T)] = []
        for (t, track) in file.tracks.enumerated() {
            for (i, event) in track.events.enumerated() {
                if let value = pick(event.message) { found.append((event.tick, t, i, value)) }
            }
        }
        found.sort { ($0.tick, $0.track, $0.index) < ($1.tick, $1.track, $1.index) }
        return found.map { ($0.tick, $0.value) }
    }

    mutating func run(title: String?, fallbackTitle: String) throws(MIDIError) -> MIDIImported {
        if file.format == 2 {
            warn("format_2", "the file's tracks are independent patterns (format 2); they are imported as if played together")
        }
        var document = Document()
        document.tempo = tempo()
        document.meter = meter()
        document.key = key()

        var trackNumber = 0
        var noteNumber = 0
        var end = 0
        let firstPrograms = firstProgramPerChannel()
        var unterminated = 0
        var unmatched = 0
        for (chunkIndex, chunk) in file.tracks.enumerated() {
            end = max(end, try scale(chunk.endTick))
            var parts = [Int: Part]()
            for event in chunk.events {
                guard let channel = event.message.channel else { continue }
                var part = parts[channel] ?? Part()
                let tick = try scale(event.tick)
                switch event.message {
                case .noteOn(_, let key, let velocity) where velocity > 0:
                    part.sounding[key, default: []].append((tick, velocity))
                case .noteOn(_, let key, _), .noteOff(_, let key, _):
                    if var queue = part.sounding[key], !queue.isEmpty {
                        let (start, velocity) = queue.removeFirst()
                        part.sounding[key] = queue
                        part.notes.append((start, max(1, tick - start), key, velocity))
                    } else {
                        unmatched += 1
                    }
                case .programChange(_, let program):
                    if part.program == nil { part.program = program } else if part.program != program { part.programChanges += 1 }
                case .controlChange(_, MIDIMessage.Controller.volume, let value):
                    if part.volume == nil { part.volume = value }
                case .controlChange(_, MIDIMessage.Controller.pan, let value):
                    if part.pan == nil { part.pan = value }
                default:
                    break
                }
                parts[channel] = part
            }
            let chunkEnd = try scale(chunk.endTick)
            let single = parts.count == 1
            for channel in parts.keys.sorted() {
                var part = parts[channel]!
                for key in part.sounding.keys.sorted() {
                    for (start, velocity) in part.sounding[key]! {
                        unterminated += 1
                        part.notes.append((start, max(1, chunkEnd - start), key, velocity))
                    }
                }
                guard !part.notes.isEmpty || single else { continue }
                if part.programChanges > 0 {
                    warn("program_changes", "track \(chunkIndex), channel \(channel + 1) changes program \(part.programChanges) times; the session keeps the first")
                }
                trackNumber += 1
                let drums = channel == GeneralMIDI.drumChannel
                let program = part.program ?? firstPrograms[channel] ?? 0
                let instrument: Instrument = drums ? .drums : .program(program)
                var name = chunk.name ?? GeneralMIDI.name(instrument)
                if parts.count > 1 { name += " (channel \(channel + 1))" }
                var notes: [Note] = []
                notes.reserveCapacity(part.notes.count)
                for n in part.notes {
                    guard n.tick <= DocumentLimits.maxTick else {
                        throw MIDIError(code: "tick_out_of_range", message: "a note starts at tick \(n.tick), past the 2^40 ticks a session holds")
                    }
                    guard n.duration <= DocumentLimits.maxDuration else {
                        throw MIDIError(code: "tick_out_of_range", message: "a note of \(n.duration) ticks is longer than the 2^32 a session holds")
                    }
                    noteNumber += 1
                    notes.append(Note(id: "m.n\(noteNumber)", tick: n.tick, duration: n.duration, pitch: n.pitch, velocity: n.velocity))
                    end = max(end, n.tick + n.duration)
                }
                document.tracks.append(Track(
                    id: "m.t\(trackNumber)", name: truncated(name, "track \(trackNumber)'s name"), instrument: instrument,
                    channel: channel, volume: part.volume ?? 100, pan: min(max((part.pan ?? 64) - 64, -64), 63),
                    notes: notes))
            }
        }
        if unterminated > 0 {
            warn("unterminated_notes", unterminated == 1 ? "a note has no note-off; it ends at its track's end" : "\(unterminated) notes have no note-off; each ends at its track's end")
        }
        if unmatched > 0 {
            warn("unmatched_note_offs", unmatched == 1 ? "a note-off matches no sounding note and is ignored" : "\(unmatched) note-offs match no sounding note and are ignored")
        }

        let bar = document.meter.ticksPerBar()
        let bars = max(1, (end + bar - 1) / bar)
        if bars > DocumentLimits.loopBars.upperBound {
            warn("loop_clamped", "the song lasts \(bars) bars; the loop holds at most \(DocumentLimits.loopBars.upperBound)")
        }
        document.loopBars = min(bars, DocumentLimits.loopBars.upperBound)
        document.title = truncated(title ?? fileTitle() ?? fallbackTitle, "the title")
        if let problem = document.validate().first {
            throw MIDIError(code: "invalid_document", message: "the imported document breaks a rule: \(problem)")
        }
        return MIDIImported(document: document, warnings: warnings)
    }

    /// Notes being read for one channel of one chunk.
    struct Part {
        var notes: [(tick: Int, duration: Int, pitch: Int, velocity: Int)] = []
        /// key → note-ons waiting for their note-off, oldest first.
        var sounding: [Int: [(tick: Int, velocity: Int)]] = [:]
        var program: Int?
        var programChanges = 0
        var volume: Int?
        var pan: Int?
    }

    func firstProgramPerChannel() -> [Int: Int] {
        var first: [Int: Int] = [:]
        for (_, value) in all({ message -> (Int, Int)? in
            if case .programChange(let c, let p) = message { return (c, p) }
            return nil
        }) where first[value.0] == nil {
            first[value.0] = value.1
        }
        return first
    }

    func fileTitle() -> String? {
        guard let first = file.tracks.first else { return nil }
        let conductor = file.format == 0 || !first.events.contains { $0.message.channel != nil }
        guard conductor, let name = first.name, !name.isEmpty else { return nil }
        return name
    }

    mutating func truncated(_ text: String, _ what: String) -> String {
        guard text.utf8.count > DocumentLimits.maxTextBytes else { return text }
        var out = ""
        for character in text {
            guard out.utf8.count + String(character).utf8.count <= DocumentLimits.maxTextBytes else { break }
            out.append(character)
        }
        warn("name_truncated", "\(what) is cut to \(DocumentLimits.maxTextBytes) bytes")
        return out
    }

    mutating func tempo() -> Double {
        let tempos = all { message -> Int? in
            if case .tempo(let us) = message { return us }
            return nil
        }
        guard let first = tempos.first else { return 120 }
        let changes = Set(tempos.map(\.value)).count - 1
        var bpm = (60_000_000 / Double(first.value) * 100).rounded() / 100
        if changes > 0 {
            warn("tempo_changes", "the song has \(changes + 1) tempos; the session keeps the first, \(bpm) bpm, and the notes keep their beats")
        }
        if !DocumentLimits.tempo.contains(bpm) {
            let clamped = min(max(bpm, DocumentLimits.tempo.lowerBound), DocumentLimits.tempo.upperBound)
            warn("tempo_clamped", "\(bpm) bpm is outside \(Int(DocumentLimits.tempo.lowerBound))–\(Int(DocumentLimits.tempo.upperBound)); the session plays at \(clamped)")
            bpm = clamped
        }
        return bpm
    }

    mutating func meter() -> Meter {
        let signatures = all { message -> Meter? in
            guard case .timeSignature(let n, let d, _, _) = message else { return nil }
            return Meter(n, d < 31 ? 1 << d : 0)
        }
        guard let first = signatures.first?.value else { return Meter(4, 4) }
        if Set(signatures.map(\.value)).count > 1 {
            warn("meter_changes", "the song changes time signature; the session keeps the first, \(first)")
        }
        guard (1...32).contains(first.numerator), DocumentLimits.meterDenominators.contains(first.denominator) else {
            warn("meter_unsupported", "time signature \(first.numerator)/\(first.denominator) is not one a session has; using 4/4")
            return Meter(4, 4)
        }
        return first
    }

    mutating func key() -> Key? {
        let keys = all { message -> Key? in
            if case .keySignature(let sharps, let minor) = message { return GeneralMIDI.key(sharps: sharps, minor: minor) }
            return nil
        }
        guard let first = keys.first?.value else { return nil }
        if Set(keys.map(\.value)).count > 1 {
            warn("key_changes", "the song changes key; the session keeps the first, \(first)")
        }
        return first
    }
}
