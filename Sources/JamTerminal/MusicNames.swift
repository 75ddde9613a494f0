import JamCore

/// Names the session view shows for pitches, drums, programs and durations.
public enum MusicNames {
    private static let pitchClasses = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]

    /// A MIDI note number as a name with its octave, middle C (60) being `C4`.
    public static func pitch(_ pitch: Int) -> String {
        let octave = pitch.floorDivided(by: 12) - 1
        return pitchClasses[pitch.floorModulo(12)] + String(octave)
    }

    /// Whether the pitch is a black key.
    public static func isBlackKey(_ pitch: Int) -> Bool {
        [1, 3, 6, 8, 10].contains(pitch.floorModulo(12))
    }

    /// A General MIDI percussion sound's short name (at most 5 characters), for notes 35…81.
    public static func drum(_ pitch: Int) -> String? {
        guard (35...81).contains(pitch) else { return nil }
        return drums[pitch - 35]
    }

    private static let drums = [
        "Kick2", "Kick", "Stick", "Snare", "Clap", "Snar2", "LFTom", "ClHH", "HFTom", "PdlHH",
        "LoTom", "OpHH", "LMTom", "HMTom", "Crash", "HiTom", "Ride", "China", "RBell", "Tamb",
        "Splsh", "Cowbl", "Crsh2", "Vibra", "Ride2", "HBngo", "LBngo", "MCnga", "OCnga", "LCnga",
        "HTimb", "LTimb", "HAgog", "LAgog", "Cabas", "Marac", "SWhis", "LWhis", "SGuir", "LGuir",
        "Clave", "HWood", "LWood", "MCuic", "OCuic", "MTri", "OTri",
    ]

    /// An instrument's short name: the General MIDI program's, or `Drums`.
    public static func instrument(_ instrument: Instrument) -> String {
        switch instrument {
        case .drums: "Drums"
        case .program(let p) where programs.indices.contains(p): programs[p]
        case .program(let p): "Prog \(p)"
        }
    }

    /// The 128 General MIDI programs, shortened to at most 10 characters.
    public static let programs = [
        "Piano", "BrightPno", "E.Grand", "HonkyTonk", "E.Piano 1", "E.Piano 2", "Harpsichd", "Clavinet",
        "Celesta", "Glockenspl", "MusicBox", "Vibraphone", "Marimba", "Xylophone", "TubulrBell", "Dulcimer",
        "DrawOrgan", "PercOrgan", "RockOrgan", "ChrchOrgan", "ReedOrgan", "Accordion", "Harmonica", "TangoAccd",
        "NylonGtr", "SteelGtr", "JazzGtr", "CleanGtr", "MutedGtr", "Overdrive", "DistGtr", "GtrHarmnc",
        "AcouBass", "FingrBass", "PickBass", "Fretless", "SlapBass 1", "SlapBass 2", "SynBass 1", "SynBass 2",
        "Violin", "Viola", "Cello", "Contrabass", "TremStrng", "Pizzicato", "Harp", "Timpani",
        "Strings 1", "Strings 2", "SynStrng 1", "SynStrng 2", "ChoirAahs", "VoiceOohs", "SynVoice", "OrchHit",
        "Trumpet", "Trombone", "Tuba", "MuteTrumpt", "FrenchHorn", "Brass", "SynBrass 1", "SynBrass 2",
        "SopranoSax", "AltoSax", "TenorSax", "BariSax", "Oboe", "EnglshHorn", "Bassoon", "Clarinet",
        "Piccolo", "Flute", "Recorder", "PanFlute", "BlownBottl", "Shakuhachi", "Whistle", "Ocarina",
        "SquareLead", "SawLead", "Calliope", "ChiffLead", "Charang", "VoiceLead", "FifthsLead", "BassLead",
        "NewAgePad", "WarmPad", "Polysynth", "ChoirPad", "BowedPad", "MetalPad", "HaloPad", "SweepPad",
        "Rain", "Soundtrack", "Crystal", "Atmosphere", "Brightness", "Goblins", "Echoes", "SciFi",
        "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bagpipe", "Fiddle", "Shanai",
        "TinkleBell", "Agogo", "SteelDrums", "Woodblock", "TaikoDrum", "MelodicTom", "SynthDrum", "RevCymbal",
        "FretNoise", "BreathNois", "Seashore", "BirdTweet", "Telephone", "Helicopter", "Applause", "Gunshot",
    ]

    /// A length in ticks as a fraction of a whole note (`1/8`, `3/16`, `1`), or ticks when it is none.
    public static func duration(_ ticks: Int) -> String {
        let whole = Document.ppq * 4
        guard ticks > 0 else { return "\(ticks)t" }
        let divisor = gcd(ticks, whole)
        let (numerator, denominator) = (ticks / divisor, whole / divisor)
        guard denominator <= 64 else { return "\(ticks)t" }
        return denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)"
    }

    /// A fraction of a whole note (`1/16`, `3/8`, `2`) or a tick count (`120t`) as ticks; nil when it is
    /// neither or not a whole number of ticks.
    public static func ticks(_ text: String) -> Int? {
        let whole = Document.ppq * 4
        if text.hasSuffix("t") { return Int(text.dropLast()).flatMap { $0 > 0 ? $0 : nil } }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let numerator = Int(parts[0]), numerator > 0, numerator <= 1024 else { return nil }
        guard parts.count <= 2 else { return nil }
        let denominator = parts.count == 2 ? Int(parts[1]) : 1
        guard let denominator, denominator > 0, (numerator * whole) % denominator == 0 else { return nil }
        return numerator * whole / denominator
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        b == 0 ? a : gcd(b, a % b)
    }
}

extension Int {
    /// Division rounding towards minus infinity.
    func floorDivided(by divisor: Int) -> Int {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }

    /// The remainder that is never negative for a positive divisor.
    func floorModulo(_ divisor: Int) -> Int {
        let r = self % divisor
        return r < 0 ? r + divisor : r
    }
}
