import JamBand
import JamCore

/// Small documents written by hand for the tests.
enum Fixtures {
    static let beat = Document.ppq

    /// A track of notes given as (beat, beats, pitch), all at one velocity.
    static func track(_ id: String, _ notes: [(Double, Double, Int)], owner: String = "h1", instrument: Instrument = .program(0), channel: Int = 0) -> Track {
        Track(
            id: id, name: id, instrument: instrument, channel: channel, owner: owner,
            notes: notes.enumerated().map { index, n in
                Note(id: "\(id).n\(index)", tick: Int(n.0 * Double(beat)), duration: max(1, Int(n.1 * Double(beat))), pitch: n.2, velocity: 90)
            })
    }

    /// Block chords, one a bar, each held for the bar, from symbols such as "Cm7".
    static func chords(_ symbols: [String], id: String = "h.chords", beatsPerBar: Int = 4, octave: Int = 4, bass: Bool = false) -> Track {
        var notes: [(Double, Double, Int)] = []
        for (bar, symbol) in symbols.enumerated() {
            let chord = Chord(symbol: symbol)!
            var previous = 12 * (octave + 1) - 1
            if bass { notes.append((Double(bar * beatsPerBar), Double(beatsPerBar), 36 + chord.root)) }
            for pc in chord.tones {
                var pitch = 12 * (octave + 1) + pc
                while pitch <= previous { pitch += 12 }
                notes.append((Double(bar * beatsPerBar), Double(beatsPerBar), pitch))
                previous = pitch
            }
        }
        return track(id, notes)
    }

    static func document(_ tracks: [Track], bars: Int = 4, meter: Meter = Meter(4, 4), key: Key? = nil) -> Document {
        Document(title: "test", tempo: 120, meter: meter, key: key, loopBars: bars, tracks: tracks)
    }

    /// The C major scale up an octave in quarter notes, then the top C held.
    static var cMajorScale: Track {
        track("h.melody", [60, 62, 64, 65, 67, 69, 71, 72].enumerated().map { (Double($0.offset), 1, $0.element) } + [(8, 4, 72)])
    }
}
