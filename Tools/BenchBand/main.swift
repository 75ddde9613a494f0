import Foundation
import JamBand
import JamCore
import JamMIDI

// jam-bench-band: the bandmate's quality on generated pieces with known chords, and its speed.
//
//   swift run -c release jam-bench-band [--pieces N] [--seed S] [--runs R] [--verbose] [--key-errors] [--confusion] [--debug-piece N] [--export DIR]
//
// --confusion: for one-line pieces (melody alone or with drums) whose key is heard right, how each beat's
// chord heard relates to the true one, and how well the analysis's confidence and support predict it.
// --export DIR: every piece as played (the humans and the band) as DIR/piece-N.mid, and DIR/pieces.tsv with
// each piece's true key and the key the band heard, for outside judges (Tools/judge_band_keys.py).

struct Options {
    var pieces = 192
    var seed: UInt64 = 2024
    var runs = 20
    var verbose = false
    var export: String?

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--pieces": pieces = Int(rest.popFirst() ?? "") ?? pieces
            case "--seed": seed = UInt64(rest.popFirst() ?? "") ?? seed
            case "--runs": runs = Int(rest.popFirst() ?? "") ?? runs
            case "--verbose", "-v": verbose = true
            case "--key-errors", "--confusion": break
            case "--debug-piece": _ = rest.popFirst()
            case "--export": export = rest.popFirst()
            case "--help", "-h":
                print("usage: jam-bench-band [--pieces N] [--seed S] [--runs R] [--verbose] [--key-errors] [--confusion] [--debug-piece N] [--export DIR]")
                exit(0)
            default:
                print("unknown argument \(argument)")
                exit(2)
            }
        }
    }
}

let options = Options(CommandLine.arguments)

/// A ratio kept as hits over total.
struct Ratio {
    var hits = 0.0
    var total = 0.0
    mutating func add(_ hit: Bool) { total += 1; if hit { hits += 1 } }
    mutating func add(_ other: Ratio) { hits += other.hits; total += other.total }
    var value: Double { total > 0 ? hits / total : .nan }
}

func format(_ x: Double, _ digits: Int = 3) -> String {
    guard x.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let v = (x * scale).rounded() / scale
    var s = "\(v)"
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    }
    return s
}

let roles: [BandRole] = [.bass, .drums, .keys, .lead]
func band(for piece: Piece, seed: UInt64) -> [Bandmate] {
    let tracks = roles.map { "ai\($0.rawValue).part" }
    return roles.enumerated().map { index, role in
        Bandmate(
            role: role, style: piece.style, density: 0.6, complexity: 0.4, seed: seed &+ UInt64(index), track: tracks[index],
            owner: "ai\(role.rawValue)", ignoring: Set(tracks))
    }
}

/// Runs the band on a document: each bandmate responds in turn and its operation is applied.
func play(_ band: [Bandmate], on document: Document) -> (Document, [Reading]) {
    var document = document
    var readings: [Reading] = []
    for bandmate in band {
        let response = bandmate.respond(to: document)
        if let operation = response.operation {
            do { try document.apply(operation) } catch { fatalError("\(bandmate.role) made an invalid operation: \(error)") }
        }
        readings.append(response.reading)
    }
    return (document, readings)
}

/// The pitch classes a track sounds at a tick; with `hold`, those of its last onset when none sounds.
func sounding(_ notes: [Note], at tick: Int, hold: Bool) -> PitchClassSet {
    var set = PitchClassSet()
    var lastOnset = -1
    for note in notes where note.tick <= tick {
        if note.tick + note.duration > tick { set.insert(note.pitch) }
        lastOnset = max(lastOnset, note.tick)
    }
    if set.isEmpty && hold && lastOnset >= 0 {
        // The last chord struck: the notes starting within a 32nd of the last onset (humanised apart).
        for note in notes where note.tick <= tick && note.tick >= lastOnset - 60 { set.insert(note.pitch) }
    }
    return set
}

struct Quality {
    var noteInChord = Ratio()
    var oracleNoteInChord = Ratio()
    var readingNoteInChord = Ratio()
    var strongBass = Ratio()
    var strongKeys = Ratio()
    var key = Ratio()
    var outputKey = Ratio()
    var humanKey = Ratio()
    var mixKey = Ratio()
    var chordExact = Ratio()
    var chordRoot = Ratio()
    var silent = Ratio()
    var silentPitched = Ratio()

    mutating func add(_ q: Quality) {
        silentPitched.add(q.silentPitched)
        noteInChord.add(q.noteInChord); oracleNoteInChord.add(q.oracleNoteInChord); readingNoteInChord.add(q.readingNoteInChord)
        strongBass.add(q.strongBass); strongKeys.add(q.strongKeys); key.add(q.key); outputKey.add(q.outputKey); humanKey.add(q.humanKey); mixKey.add(q.mixKey)
        chordExact.add(q.chordExact); chordRoot.add(q.chordRoot); silent.add(q.silent)
    }
}

let frame = Document.ppq / 4
/// A little after a frame or beat starts, so that a note humanised a few ticks late still counts.
let probe = 30

func measure(_ piece: Piece, _ document: Document, _ readings: [Reading]) -> Quality {
    var q = Quality()
    let grid = BeatGrid(meter: piece.meter)
    let melody = document[track: Piece.melodyTrack]!.sortedNotes
    let keys = document[track: "aikeys.part"]?.sortedNotes ?? []
    let bass = document[track: "aibass.part"]?.sortedNotes ?? []
    let reading = readings[2]
    let end = piece.bars * grid.barTicks
    // Note-in-chord: every sixteenth where the melody sounds.
    for t in stride(from: 0, to: end, by: frame) {
        let heard = sounding(melody, at: t + probe, hold: false)
        guard let pc = heard.members.last else { continue }
        q.noteInChord.add(sounding(keys, at: t + probe, hold: true).contains(pc))
        q.oracleNoteInChord.add(piece.truth[grid.beat(containing: t)].pitchClasses.contains(pc))
        q.readingNoteInChord.add(reading.chord(atTick: t).pitchClasses.contains(pc))
    }
    // Strong beats: the bass and keys notes sounding there, against the true chord.
    let perBar = grid.beatsPerBar
    for beat in 0..<(piece.bars * perBar) where grid.beats[beat % perBar].isStrong {
        let t = grid.tick(ofBeat: beat) + probe
        let truth = piece.truth[beat].pitchClasses
        for note in bass where note.tick <= t && note.tick + note.duration > t { q.strongBass.add(truth.contains(note.pitch)) }
        for note in keys where note.tick <= t && note.tick + note.duration > t { q.strongKeys.add(truth.contains(note.pitch)) }
    }
    q.key.add(reading.key == piece.key)
    // The key by Krumhansl–Schmuckler (as music21 judges exported MIDI) of what the band plays, of what
    // the humans play, and of the two together.
    func keyOf(_ tracks: [Track]) -> Tonality {
        var histogram = [Double](repeating: 0, count: 12)
        for track in tracks where track.instrument != .drums {
            for note in track.notes.values { histogram[PitchClass.of(note.pitch)] += Double(note.duration) }
        }
        let correlations = KeyProfiles.correlations(histogram)
        return Tonality.all[(0..<24).max { correlations[$0] < correlations[$1] }!]
    }
    q.outputKey.add(keyOf(document.tracks.filter { $0.id.hasPrefix("ai") }) == piece.key)
    q.humanKey.add(keyOf(document.tracks.filter { !$0.id.hasPrefix("ai") }) == piece.key)
    q.mixKey.add(keyOf(document.tracks) == piece.key)
    for beat in 0..<min(reading.beats, piece.truth.count) {
        q.chordExact.add(reading.chord(atBeat: beat) == piece.truth[beat])
        q.chordRoot.add(reading.chord(atBeat: beat).root == piece.truth[beat].root)
    }
    // Beats where a human plays and no AI part sounds.
    let human = document.tracks.filter { !$0.id.hasPrefix("ai") }.flatMap(\.notes.values)
    let ai = document.tracks.filter { $0.id.hasPrefix("ai") }.flatMap(\.notes.values)
    let pitched = document.tracks.filter { $0.id.hasPrefix("ai") && $0.instrument != .drums }.flatMap(\.notes.values)
    for beat in 0..<(piece.bars * perBar) {
        let start = grid.tick(ofBeat: beat), stop = grid.tick(ofBeat: beat + 1)
        guard human.contains(where: { $0.tick < stop && $0.tick + $0.duration > start }) else { continue }
        q.silent.add(!ai.contains { $0.tick < stop && $0.tick + $0.duration > start })
        q.silentPitched.add(!pitched.contains { $0.tick < stop && $0.tick + $0.duration > start })
    }
    return q
}

/// Transposes the human pitched notes from `beat` on by `interval`: the bandmate must follow.
func transposed(_ piece: Piece, _ document: Document, from beat: Int, by interval: Int) -> (Document, [Chord]) {
    let grid = BeatGrid(meter: piece.meter)
    let tick = grid.tick(ofBeat: beat)
    var document = document
    for index in document.tracks.indices where !document.tracks[index].id.hasPrefix("ai") && document.tracks[index].instrument != .drums {
        for (id, note) in document.tracks[index].notes where note.tick >= tick {
            document.tracks[index].notes[id]!.pitch = note.pitch + interval
        }
    }
    let truth = piece.truth.enumerated().map { $0.offset >= beat ? $0.element.transposed(by: interval) : $0.element }
    return (document, truth)
}

/// Beats from `beat` until the melody's note-in-chord against the AI keys, over two beats, is ≥ 0.6.
/// With `truth`, the same for the true chords: how long the melody itself takes to sit on its chords.
func adaptation(_ piece: Piece, _ document: Document, from beat: Int, truth: Bool = false) -> Int? {
    let grid = BeatGrid(meter: piece.meter)
    let melody = document[track: Piece.melodyTrack]!.sortedNotes
    let keys = document[track: "aikeys.part"]?.sortedNotes ?? []
    let beats = piece.bars * grid.beatsPerBar
    for b in beat..<(beats - 1) {
        var ratio = Ratio()
        for t in stride(from: grid.tick(ofBeat: b), to: grid.tick(ofBeat: b + 2), by: frame) {
            guard let pc = sounding(melody, at: t + probe, hold: false).members.last else { continue }
            let chord = truth ? piece.truth[grid.beat(containing: t)].pitchClasses : sounding(keys, at: t + probe, hold: true)
            ratio.add(chord.contains(pc))
        }
        if ratio.total > 0 && ratio.value >= 0.6 { return b - beat }
    }
    return nil
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

var maker = PieceMaker(seed: options.seed)
let pieces = (0..<options.pieces).map { maker.piece(index: $0, texture: Piece.Texture.allCases[$0 % Piece.Texture.allCases.count]) }

var overall = Quality()
/// Every piece's own figures: the pieces are the sample, so the spread of the figures is theirs.
var perPiece: [Quality] = []
var byTexture: [Piece.Texture: Quality] = [:]
var byRepetition: [Bool: Quality] = [:]
var byKeyHeard: [Bool: Quality] = [:]
var confusion: [String: Int] = [:]
var calibration = [Ratio](repeating: Ratio(), count: 10)
var supportCalibration = [Ratio](repeating: Ratio(), count: 10)
var adaptations: [Int] = []
var truthAdaptations: [Int] = []
var unadapted = 0
var manifest = "piece\ttonic\tmode\theard_tonic\theard_mode\ttexture\tstyle\n"
if let directory = options.export {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
}
for (index, piece) in pieces.enumerated() {
    let players = band(for: piece, seed: options.seed &+ UInt64(index) &* 7919)
    let (document, readings) = play(players, on: piece.document)
    let q = measure(piece, document, readings)
    overall.add(q)
    perPiece.append(q)
    if let directory = options.export {
        let heard = readings[2].key
        try Data(MIDIExport.bytes(from: document)).write(to: URL(fileURLWithPath: "\(directory)/piece-\(index).mid"))
        manifest += "\(index)\t\(piece.key.tonic)\t\(piece.key.mode)\t\(heard.tonic)\t\(heard.mode)\t\(piece.texture.rawValue)\t\(piece.style)\n"
    }
    byTexture[piece.texture, default: Quality()].add(q)
    byRepetition[piece.repeats, default: Quality()].add(q)
    if piece.texture == .melody || piece.texture == .drums {
        byKeyHeard[readings[2].key == piece.key, default: Quality()].add(q)
        if readings[2].key == piece.key && CommandLine.arguments.contains("--confusion") {
            for beat in 0..<min(readings[2].beats, piece.truth.count) {
                let heard = readings[2].chord(atBeat: beat), truth = piece.truth[beat]
                let shared = heard.pitchClasses.intersection(truth.pitchClasses).count
                let kind: String
                if heard == truth { kind = "exact" }
                else if heard.triad == truth.triad { kind = heard.quality.isSeventh ? "same triad, heard seventh" : "same triad, heard triad" }
                else if heard.root == truth.root { kind = "same root" }
                else if heard.triad.pitchClasses.isSubset(of: truth.pitchClasses) { kind = "heard triad in truth" }
                else { kind = "shares \(shared) of \(truth.tones.count), root +\(PitchClass.of(heard.root - truth.root))" }
                confusion[kind, default: 0] += 1
                if let segment = readings[2].segment(atBeat: beat) {
                    calibration[min(9, Int(segment.confidence * 10))].add(heard.root == truth.root)
                    let support = segment.support
                    for pc in 0..<12 where support[pc] > 0.05 { supportCalibration[min(9, Int(support[pc] * 10))].add(truth.pitchClasses.contains(pc)) }
                }
            }
        }
    }
    if CommandLine.arguments.contains("--key-errors") && readings[2].key != piece.key {
        let grid = BeatGrid(meter: piece.meter)
        let truth = (0..<piece.bars).map { piece.truth[$0 * grid.beatsPerBar].symbol(in: piece.key) }
        print("key \(readings[2].key.name) for \(piece.name): \(truth.prefix(4).joined(separator: " "))  (correlation \(format(readings[2].keyCorrelation, 2)))")
    }
    if options.verbose {
        print("\(piece.name): key \(readings[2].key.name) nic \(format(q.noteInChord.value)) strong \(format(q.strongBass.value))/\(format(q.strongKeys.value)) chords \(format(q.chordExact.value))")
        print("   heard: \(readings[2].summary(maxBars: 16))")
        let truth = Reading(grid: BeatGrid(meter: piece.meter), bars: piece.bars, key: piece.key, keyCorrelation: 0, keyMargin: 0, barKeys: [], segments: piece.truth.enumerated().map { ChordSegment(startBeat: $0.offset, beats: 1, chord: $0.element, confidence: 1) }, groove: readings[2].groove, proposed: false)
        print("   truth: \(truth.summary(maxBars: 16))")
    }
    // Adaptation: the humans move up a tritone at beat 16; the band, already playing, responds.
    if piece.texture != .drums {
        var shifted = piece
        let (moved, truth) = transposed(piece, document, from: 16, by: 6)
        shifted.truth = truth
        let (after, afterReadings) = play(players, on: moved)
        if let beats = adaptation(shifted, after, from: 16) {
            adaptations.append(beats)
            if beats > 4 && options.verbose {
                print("slow adaptation: \(beats) beats for \(piece.name)")
                print("   heard: \(afterReadings[2].summary(maxBars: 16)); bar keys \(afterReadings[2].barKeys.map(\.name))")
            }
        } else { unadapted += 1 }
        if let beats = adaptation(shifted, after, from: 16, truth: true) { truthAdaptations.append(beats) }
    }
}

if let directory = options.export {
    try manifest.write(toFile: "\(directory)/pieces.tsv", atomically: true, encoding: .utf8)
}

// Speed: 8 bars × 4 parts regenerated, from nothing and after a one-note edit.
var fresh: [Double] = []
var edited: [Double] = []
var alone: [Double] = []
let clock = ContinuousClock()
func milliseconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}
for (index, piece) in pieces.filter({ $0.bars == 8 }).prefix(16).enumerated() {
    let players = band(for: piece, seed: UInt64(index))
    let (document, _) = play(players, on: piece.document)
    var edit = document
    let melody = edit.trackIndex(Piece.melodyTrack)!
    let note = edit.tracks[melody].sortedNotes[edit.tracks[melody].notes.count / 2]
    edit.tracks[melody].notes[note.id]!.pitch += 2
    for _ in 0..<options.runs {
        // As in a session: the band shares an ear, which has heard the session before the edit.
        let ear = BandEar()
        var start = clock.now
        for bandmate in players { _ = await bandmate.respond(to: piece.document, ear: ear) }
        fresh.append(milliseconds(since: start))
        start = clock.now
        for bandmate in players { _ = await bandmate.respond(to: edit, ear: ear) }
        edited.append(milliseconds(since: start))
        // As `jam bot` processes: each bandmate reads the session itself.
        start = clock.now
        for bandmate in players { _ = bandmate.respond(to: edit) }
        alone.append(milliseconds(since: start))
    }
}

// A long session: 64 bars (a piece eight times over), all four parts.
var long: [Double] = []
if let piece = pieces.first(where: { $0.bars == 8 && $0.meter == Meter(4, 4) }) {
    var document = piece.document
    document.loopBars = 64
    for index in document.tracks.indices {
        let notes = Array(document.tracks[index].notes.values)
        for round in 1..<8 {
            for note in notes {
                var copy = note
                copy.id = "\(note.id).r\(round)"
                copy.tick += round * 8 * document.meter.ticksPerBar()
                document.tracks[index].notes[copy.id] = copy
            }
        }
    }
    let players = band(for: piece, seed: 1)
    for _ in 0..<max(1, options.runs / 4) {
        let ear = BandEar()
        let start = clock.now
        for bandmate in players { _ = await bandmate.respond(to: document, ear: ear) }
        long.append(milliseconds(since: start))
    }
}

/// The half-width of the 95% interval of a figure pooled over the pieces (each piece's notes hang
/// together, so the piece is the unit sampled: the ratio estimator's linearised variance).
func interval(_ figure: (Quality) -> Ratio, over pieces: [Quality]) -> Double {
    let all = pieces.map(figure).filter { $0.total > 0 }
    let hits = all.reduce(0) { $0 + $1.hits }, total = all.reduce(0) { $0 + $1.total }
    guard all.count > 1, total > 0 else { return .nan }
    let ratio = hits / total
    let squares = all.reduce(0) { $0 + ($1.hits - ratio * $1.total) * ($1.hits - ratio * $1.total) }
    let n = Double(all.count)
    return 1.96 * (squares * n / (n - 1)).squareRoot() / total
}

func line(_ label: String, _ q: Quality) -> String {
    "\(label.padding(toLength: 18, withPad: " ", startingAt: 0)) nic \(format(q.noteInChord.value))  strong bass \(format(q.strongBass.value)) keys \(format(q.strongKeys.value))  key \(format(q.key.value, 2))  chords \(format(q.chordExact.value, 2)) (root \(format(q.chordRoot.value, 2)))  silent \(format(q.silent.value))"
}

print("jam-bench-band: \(pieces.count) pieces of 8 bars (16 in two-beat meters), seed \(options.seed)")
print("")
print("note-in-chord, melody vs AI keys (goal ≥ 0.70):      \(format(overall.noteInChord.value))   [truth chords \(format(overall.oracleNoteInChord.value)), chords heard \(format(overall.readingNoteInChord.value)); ReaLchords 0.484, GAPT 0.497, human 0.727]")
print("strong-beat chord tones vs truth (goal ≥ 0.95):   bass \(format(overall.strongBass.value)) ± \(format(interval(\.strongBass, over: perPiece)))   keys \(format(overall.strongKeys.value)) ± \(format(interval(\.strongKeys, over: perPiece)))   (± : 95% interval over the pieces)")
print("key accuracy (goal ≥ 90%):                         \(format(overall.key.value * 100, 1))% ± \(format(interval(\.key, over: perPiece) * 100, 1))   [Krumhansl–Schmuckler on the band's notes \(format(overall.outputKey.value * 100, 1))%, the humans' \(format(overall.humanKey.value * 100, 1))%, both \(format(overall.mixKey.value * 100, 1))%]")
print("chords heard = truth, per beat:                    \(format(overall.chordExact.value))   [root right \(format(overall.chordRoot.value))]")
print("beats humans play and the band is silent (≤ 4%):   \(format(overall.silent.value * 100, 2))%   [the pitched parts alone: \(format(overall.silentPitched.value * 100, 2))%]")
let meanAdaptation = adaptations.isEmpty ? Double.nan : Double(adaptations.reduce(0, +)) / Double(adaptations.count)
let meanTruth = truthAdaptations.isEmpty ? Double.nan : Double(truthAdaptations.reduce(0, +)) / Double(truthAdaptations.count)
let within2 = Double(adaptations.filter { $0 <= 2 }.count) / Double(max(1, adaptations.count + unadapted))
print("adaptation to +6 semitones at beat 16 (goal ≤ 2):   mean \(format(meanAdaptation, 2)) beats, \(format(within2 * 100, 1))% within 2, max \(adaptations.max() ?? -1), never \(unadapted) of \(adaptations.count + unadapted)   [true chords: mean \(format(meanTruth, 2)), max \(truthAdaptations.max() ?? -1)]")
print("regeneration, 8 bars × 4 parts (goal p95 ≤ 20 ms): from nothing p50 \(format(percentile(fresh, 0.5), 2)) ms p95 \(format(percentile(fresh, 0.95), 2)) ms; after an edit p50 \(format(percentile(edited, 0.5), 2)) ms p95 \(format(percentile(edited, 0.95), 2)) ms (\(fresh.count) runs)")
print("                                                   each bandmate reading alone (jam bot processes): p50 \(format(percentile(alone, 0.5), 2)) ms p95 \(format(percentile(alone, 0.95), 2)) ms")
print("regeneration, 64 bars × 4 parts:                   p50 \(format(percentile(long, 0.5), 2)) ms p95 \(format(percentile(long, 0.95), 2)) ms (\(long.count) runs)")
print("")
for texture in Piece.Texture.allCases { if let q = byTexture[texture] { print(line(texture.rawValue, q)) } }
if let q = byRepetition[true] { print(line("4 chords looped", q)) }
if let q = byRepetition[false] { print(line("8 chords", q)) }
if let q = byKeyHeard[true] { print(line("line, key right", q) + "  (\(Int(q.key.total)) pieces)") }
if let q = byKeyHeard[false] { print(line("line, key wrong", q) + "  (\(Int(q.key.total)) pieces)") }
if !confusion.isEmpty {
    print("")
    print("one line, key right: each beat's chord heard against the truth")
    for (kind, n) in confusion.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) { print("   \(kind): \(n)") }
    print("   confidence → root right: " + calibration.enumerated().map { "\($0.offset * 10)%: \(format($0.element.value, 2)) (\(Int($0.element.total)))" }.joined(separator: ", "))
    print("   support → tone in truth: " + supportCalibration.enumerated().map { "\($0.offset * 10)%: \(format($0.element.value, 2)) (\(Int($0.element.total)))" }.joined(separator: ", "))
}
if let flag = CommandLine.arguments.firstIndex(of: "--debug-piece"), flag + 1 < CommandLine.arguments.count, let n = Int(CommandLine.arguments[flag + 1]), pieces.indices.contains(n) {
    let piece = pieces[n]
    let grid = BeatGrid(meter: piece.meter)
    let reading = Listener(ignoring: []).read(piece.document)
    print(piece.name)
    for bar in 0..<piece.bars {
        let notes = piece.document[track: Piece.melodyTrack]!.sortedNotes.filter { $0.tick / grid.barTicks == bar }
        print("bar \(bar + 1) truth \(piece.truth[bar * grid.beatsPerBar]):", notes.map { "\(PitchClass.name($0.pitch, flats: piece.key.prefersFlats))@\(Double($0.tick % grid.barTicks) / 480)" }.joined(separator: " "))
        // The other pitched parts, as MIDI pitch@beat/beats.
        for track in piece.document.tracks where track.id != Piece.melodyTrack && track.instrument != .drums {
            let others = track.sortedNotes.filter { $0.tick / grid.barTicks == bar }
            print("      \(track.id):", others.map { "\($0.pitch)@\(Double($0.tick % grid.barTicks) / 480)/\(Double($0.duration) / 480)" }.joined(separator: " "))
        }
    }
    for segment in reading.segments {
        print(segment.startBeat, segment.beats, segment.candidates.map { "\($0.chord) \(format($0.probability, 2))" }.joined(separator: ", "))
    }
}
