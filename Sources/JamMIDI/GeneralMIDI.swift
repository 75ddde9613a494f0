import JamCore

/// General MIDI level 1: program and drum names, program families, and key signatures in sharps and
/// flats, for naming imported tracks, printing piano rolls and choosing synthesizer voices.
public enum GeneralMIDI {
    /// The drum channel (MIDI channel 10).
    public static let drumChannel = 9

    /// The sixteen families of eight programs each.
    public enum Family: Int, CaseIterable, Sendable {
        case piano, chromaticPercussion, organ, guitar, bass, strings, ensemble, brass
        case reed, pipe, synthLead, synthPad, synthEffects, ethnic, percussive, soundEffects

        public init(program: Int) {
            self = Family(rawValue: min(max(program, 0), 127) / 8) ?? .piano
        }
    }

    /// The name of program 0…127.
    public static func programName(_ program: Int) -> String {
        programNames.indices.contains(program) ? programNames[program] : "Program \(program)"
    }

    /// The GM drum name of a key on channel 10 (35…81), or nil.
    public static func drumName(_ key: Int) -> String? {
        drumNames[key]
    }

    /// The name of an instrument: a program's name or "Drums".
    public static func name(_ instrument: Instrument) -> String {
        switch instrument {
        case .program(let p): programName(p)
        case .drums: "Drums"
        }
    }

    static let programNames: [String] = [
        "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
        "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet",
        "Celesta", "Glockenspiel", "Music Box", "Vibraphone", "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
        "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ", "Reed Organ", "Accordion", "Harmonica",
        "Tango Accordion",
        "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)", "Electric Guitar (clean)",
        "Electric Guitar (muted)", "Overdriven Guitar", "Distortion Guitar", "Guitar Harmonics",
        "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass", "Slap Bass 1",
        "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
        "Violin", "Viola", "Cello", "Contrabass", "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani",
        "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2", "Choir Aahs", "Voice Oohs",
        "Synth Voice", "Orchestra Hit",
        "Trumpet", "Trombone", "Tuba", "Muted Trumpet", "French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2",
        "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax", "Oboe", "English Horn", "Bassoon", "Clarinet",
        "Piccolo", "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
        "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)", "Lead 5 (charang)",
        "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
        "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)", "Pad 5 (bowed)", "Pad 6 (metallic)",
        "Pad 7 (halo)", "Pad 8 (sweep)",
        "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)", "FX 5 (brightness)",
        "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
        "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bagpipe", "Fiddle", "Shanai",
        "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock", "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal",
        "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet", "Telephone Ring", "Helicopter", "Applause",
        "Gunshot",
    ]

    static let drumNames: [Int: String] = [
        35: "Acoustic Bass Drum", 36: "Bass Drum 1", 37: "Side Stick", 38: "Acoustic Snare", 39: "Hand Clap",
        40: "Electric Snare", 41: "Low Floor Tom", 42: "Closed Hi-Hat", 43: "High Floor Tom", 44: "Pedal Hi-Hat",
        45: "Low Tom", 46: "Open Hi-Hat", 47: "Low-Mid Tom", 48: "Hi-Mid Tom", 49: "Crash Cymbal 1", 50: "High Tom",
        51: "Ride Cymbal 1", 52: "Chinese Cymbal", 53: "Ride Bell", 54: "Tambourine", 55: "Splash Cymbal",
        56: "Cowbell", 57: "Crash Cymbal 2", 58: "Vibraslap", 59: "Ride Cymbal 2", 60: "Hi Bongo", 61: "Low Bongo",
        62: "Mute Hi Conga", 63: "Open Hi Conga", 64: "Low Conga", 65: "High Timbale", 66: "Low Timbale",
        67: "High Agogo", 68: "Low Agogo", 69: "Cabasa", 70: "Maracas", 71: "Short Whistle", 72: "Long Whistle",
        73: "Short Guiro", 74: "Long Guiro", 75: "Claves", 76: "Hi Wood Block", 77: "Low Wood Block",
        78: "Mute Cuica", 79: "Open Cuica", 80: "Mute Triangle", 81: "Open Triangle",
    ]

    /// A note name with its octave, middle C (60) being C4.
    public static func noteName(_ pitch: Int) -> String {
        let names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
        return "\(names[((pitch % 12) + 12) % 12])\(pitch / 12 - 1)"
    }

    // MARK: Key signatures

    /// Major keys by sharps (index 0 = 7 flats … 14 = 7 sharps), spelled as Jam tonics; 7 flats
    /// (C♭ major) is spelled B, its enharmonic, since Jam has no C♭.
    static let majorTonics = ["B", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
    static let minorTonics = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"]

    /// The key of a key-signature event, if it is in range.
    public static func key(sharps: Int, minor: Bool) -> Key? {
        guard (-7...7).contains(sharps) else { return nil }
        return Key(tonic: (minor ? minorTonics : majorTonics)[sharps + 7], mode: minor ? "minor" : "major")
    }

    /// The signature of a key: its spelling's when the tonic is in the circle of fifths (D♭ major is 5 flats),
    /// otherwise its enharmonic's with the fewest accidentals (D♯ major is written as E♭ major, 3 flats).
    public static func sharps(of key: Key) -> (sharps: Int, minor: Bool)? {
        let minor = key.mode == "minor"
        let tonics = minor ? minorTonics : majorTonics
        // The last match: B major is 5 sharps, not the C♭ major spelled B at index 0.
        if let exact = tonics.lastIndex(of: key.tonic) { return (exact - 7, minor) }
        guard let pitchClass = key.pitchClass else { return nil }
        let candidates = tonics.indices.filter { Key.tonics[tonics[$0]] == pitchClass }
        guard let best = candidates.min(by: { abs($0 - 7) < abs($1 - 7) }) else { return nil }
        return (best - 7, minor)
    }
}
