import JamBand
import JamCore

/// A benchmark piece: human parts over a known progression, with the truth to judge the bandmate by.
///
/// The generator knows nothing of the analysis: it writes music the way a player would (chord tones on
/// the beats, passing and neighbour notes between, rests between phrases) from a table of common
/// progressions, in a random key, meter and style.
struct Piece {
    enum Texture: String, CaseIterable {
        case melody = "melody alone"
        case chords = "melody + chords"
        case bass = "melody + bass"
        case drums = "melody + drums"
    }

    var name: String
    var key: Tonality
    var meter: Meter
    var style: Style
    var texture: Texture
    /// Whether the harmony repeats a four-chord progression (else two different ones follow each other).
    var repeats: Bool
    var bars: Int
    /// The true chord of every beat.
    var truth: [Chord]
    var document: Document
    static let melodyTrack = "h1.melody"
}

/// Chords relative to a key: semitones above the tonic and a quality.
typealias Step = (offset: Int, quality: ChordQuality)

/// Common progressions, each starting on its key's tonic or leading straight to it (vi–IV–I–V is left
/// out: it is the minor key's i–VI–III–VII, and which of the two a piece is, is a matter of opinion).
enum Progressions {
    static let major: [[Step]] = [
        [(0, .major), (7, .major), (9, .minor), (5, .major)],
        [(0, .major), (9, .minor), (5, .major), (7, .major)],
        [(2, .minor7), (7, .dominant7), (0, .major7), (0, .major7)],
        [(0, .major), (5, .major), (7, .major), (0, .major)],
        [(0, .major7), (9, .minor7), (2, .minor7), (7, .dominant7)],
        [(0, .major), (4, .minor), (5, .major), (7, .major)],
        [(0, .major), (10, .major), (5, .major), (0, .major)],
        [(0, .dominant7), (5, .dominant7), (0, .dominant7), (7, .dominant7)],
        [(0, .major), (2, .dominant7), (5, .major), (7, .dominant7)],
    ]
    static let minor: [[Step]] = [
        [(0, .minor), (8, .major), (3, .major), (10, .major)],
        [(0, .minor), (5, .minor), (7, .minor), (0, .minor)],
        [(0, .minor), (5, .minor), (7, .dominant7), (0, .minor)],
        [(2, .halfDiminished7), (7, .dominant7), (0, .minor7), (0, .minor7)],
        [(0, .minor7), (5, .dominant7), (0, .minor7), (5, .dominant7)],
        [(0, .minor), (10, .major), (8, .major), (7, .dominant7)],
        [(0, .minor), (8, .major), (5, .minor), (7, .major)],
    ]
}

struct PieceMaker {
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    /// Eight bars, or sixteen in meters of two beats.
    mutating func piece(index: Int, texture: Piece.Texture) -> Piece {
        let key = Tonality(tonic: int(0...11), mode: chance(0.6) ? .major : .minor)
        let meter = pick([Meter(4, 4), Meter(4, 4), Meter(4, 4), Meter(3, 4), Meter(6, 8), Meter(12, 8), Meter(2, 4), Meter(5, 4)])
        let style = pick(Style.allCases)
        let grid = BeatGrid(meter: meter)
        let perBar = grid.beatsPerBar
        let bars = perBar <= 2 ? 16 : 8
        // A third of the pieces do not repeat a four-chord progression: two different ones follow each other.
        let table = key.mode == .major ? Progressions.major : Progressions.minor
        var progression = pick(table)
        let repeats = !chance(0.33)
        if !repeats {
            var second = pick(table)
            while second.map(\.offset) == progression.map(\.offset) { second = pick(table) }
            progression += second
        }
        // In four-beat bars, a quarter of the pieces change chord every half bar.
        let halfBars = perBar == 4 && chance(0.25)
        var truth: [Chord] = []
        for bar in 0..<bars {
            for beat in 0..<perBar {
                let slot = halfBars ? bar * 2 + beat / 2 : bar
                let step = progression[slot % progression.count]
                truth.append(Chord(root: key.tonic + step.offset, quality: step.quality))
            }
        }
        var tracks = [melody(grid: grid, truth: truth, key: key, bars: bars)]
        switch texture {
        case .melody: break
        case .chords: tracks.append(comping(grid: grid, truth: truth, bars: bars))
        case .bass: tracks.append(bassLine(grid: grid, truth: truth, bars: bars))
        case .drums: tracks.append(drums(grid: grid, bars: bars))
        }
        let document = Document(title: "piece \(index)", tempo: 110, meter: meter, key: nil, loopBars: bars, tracks: tracks)
        return Piece(
            name: "\(index) \(key.name) \(meter) \(style.rawValue) \(texture.rawValue)", key: key, meter: meter, style: style,
            texture: texture, repeats: repeats, bars: bars, truth: truth, document: document)
    }

    /// A melody: phrases of two bars; chord tones on the beats (some leaning in from a step away),
    /// passing and neighbour notes between; the end of most phrases left as a rest.
    mutating func melody(grid: BeatGrid, truth: [Chord], key: Tonality, bars: Int) -> Track {
        let center = int(62...74)
        var pitch = center
        var notes: [Note] = []
        let perBar = grid.beatsPerBar
        func nearest(_ allowed: PitchClassSet, to reference: Int, leap: Int) -> Int {
            var options: [Int] = []
            for candidate in (reference - leap)...(reference + leap) where allowed.contains(candidate) && abs(candidate - center) <= 9 { options.append(candidate) }
            return options.isEmpty ? reference : options[Int.random(in: 0..<options.count, using: &random)]
        }
        for bar in 0..<bars {
            let restBeats = bar % 2 == 1 && chance(0.75) ? (perBar >= 4 ? int(1...2) : 1) : 0
            for beat in 0..<(perBar - restBeats) {
                let global = bar * perBar + beat
                let info = grid.beats[beat]
                let start = bar * grid.barTicks + info.offset
                let chord = truth[global]
                // The beat's rhythm: one note, two, or (in a compound beat) three.
                let parts = info.subdivisions == 3 ? pick([[3], [2, 1], [1, 1, 1]]) : pick([[4], [4], [2, 2], [2, 2], [3, 1], [1, 1, 2]])
                let unit = info.length / (info.subdivisions == 3 ? 3 : 4)
                var at = start
                // Now and then the beat starts on a note a step from a chord tone and resolves to it
                // (an appoggiatura), as players lean on the beat.
                let leaning = parts.count > 1 && chance(0.2)
                for (k, part) in parts.enumerated() {
                    if k == 0 && leaning {
                        let target = nearest(chord.pitchClasses, to: pitch, leap: 5)
                        pitch = nearest(PitchClassSet(key.scale.members.filter { !chord.pitchClasses.contains($0) }), to: target, leap: 2)
                    } else if k == 0 {
                        pitch = nearest(chord.pitchClasses, to: pitch, leap: 5)
                    } else if k == 1 && leaning {
                        pitch = nearest(chord.pitchClasses, to: pitch, leap: 2)
                    } else {
                        // A passing or neighbour note from the key, or another chord tone.
                        pitch = chance(0.55) ? nearest(key.scale, to: pitch, leap: 2) : nearest(chord.pitchClasses, to: pitch, leap: 4)
                    }
                    notes.append(Note(id: "h1.m\(notes.count)", tick: at, duration: part * unit - 10, pitch: pitch, velocity: 80 + int(0...20)))
                    at += part * unit
                }
            }
        }
        return Track(id: Piece.melodyTrack, name: "Melody", instrument: .program(73), channel: 0, owner: "h1", notes: notes)
    }

    /// A human rhythm part: the chord voiced in the middle of the keyboard, on the bar or the beats.
    mutating func comping(grid: BeatGrid, truth: [Chord], bars: Int) -> Track {
        var notes: [Note] = []
        let perBar = grid.beatsPerBar
        let everyBeat = chance(0.5)
        for beat in 0..<(bars * perBar) {
            let chord = truth[beat]
            let changes = beat == 0 || truth[beat - 1] != chord
            guard everyBeat || changes || beat % perBar == 0 else { continue }
            var length = grid.beats[beat % perBar].length
            if !everyBeat {
                var b = beat + 1
                while b < bars * perBar && truth[b] == chord && b % perBar != 0 { length += grid.beats[b % perBar].length; b += 1 }
            }
            var previous = 50
            for pc in chord.tones {
                var p = 51 + PitchClass.of(pc - 51)
                while p <= previous { p += 12 }
                notes.append(Note(id: "h2.c\(notes.count)", tick: grid.tick(ofBeat: beat), duration: length - 20, pitch: p, velocity: 70))
                previous = p
            }
        }
        return Track(id: "h2.chords", name: "Guitar", instrument: .program(25), channel: 1, owner: "h2", notes: notes)
    }

    mutating func bassLine(grid: BeatGrid, truth: [Chord], bars: Int) -> Track {
        var notes: [Note] = []
        let perBar = grid.beatsPerBar
        for beat in 0..<(bars * perBar) where grid.beats[beat % perBar].isStrong || truth[beat] != truth[max(0, beat - 1)] {
            let chord = truth[beat]
            let pc = grid.beats[beat % perBar].strength == 1 && chance(0.5) ? chord.fifth : chord.root
            notes.append(Note(id: "h3.b\(notes.count)", tick: grid.tick(ofBeat: beat), duration: grid.beats[beat % perBar].length - 20, pitch: 36 + PitchClass.of(pc - 36) + (pc < 4 ? 12 : 0), velocity: 90))
        }
        return Track(id: "h3.bass", name: "Bass", instrument: .program(33), channel: 2, owner: "h3", notes: notes)
    }

    mutating func drums(grid: BeatGrid, bars: Int) -> Track {
        var notes: [Note] = []
        for beat in 0..<(bars * grid.beatsPerBar) {
            let strength = grid.beats[beat % grid.beatsPerBar].strength
            notes.append(Note(id: "h4.d\(notes.count)", tick: grid.tick(ofBeat: beat), duration: 60, pitch: strength > 0 ? 36 : 38, velocity: 100))
            notes.append(Note(id: "h4.d\(notes.count)", tick: grid.tick(ofBeat: beat), duration: 60, pitch: 42, velocity: 70))
        }
        return Track(id: "h4.drums", name: "Drums", instrument: .drums, channel: 9, owner: "h4", notes: notes)
    }
}
