import JamCore

/// The part a bandmate plays.
public enum BandRole: String, CaseIterable, Codable, Hashable, Sendable {
    case bass, drums, keys, lead

    /// The track name a bandmate gives the track it creates.
    public var trackName: String {
        switch self {
        case .bass: "AI Bass"
        case .drums: "AI Drums"
        case .keys: "AI Keys"
        case .lead: "AI Lead"
        }
    }

    /// The instrument for the role in a style: General MIDI programs (33 fingered bass, 4 electric
    /// piano, 0 grand piano, 65 alto sax, 73 flute, 81 saw lead, 27 clean guitar) or the kit.
    public func instrument(for style: Style) -> Instrument {
        switch (self, style) {
        case (.drums, _): .drums
        case (.bass, .swing), (.bass, .bossa): .program(32)
        case (.bass, .house): .program(38)
        case (.bass, _): .program(33)
        case (.keys, .swing), (.keys, .ballad): .program(0)
        case (.keys, _): .program(4)
        case (.lead, .swing): .program(65)
        case (.lead, .bossa): .program(73)
        case (.lead, .house): .program(81)
        case (.lead, .ballad): .program(71)
        case (.lead, _): .program(27)
        }
    }

    /// What the part plays, for the chat line ("walking bass").
    public func describe(_ style: Style) -> String {
        switch (self, style) {
        case (.bass, .rock): "eighth-note bass"
        case (.bass, .funk): "syncopated bass"
        case (.bass, .swing): "walking bass"
        case (.bass, .bossa): "bossa bass"
        case (.bass, .ballad): "long bass notes"
        case (.bass, .house): "off-beat bass"
        case (.drums, .rock): "rock beat"
        case (.drums, .funk): "sixteenth-note funk beat"
        case (.drums, .swing): "swing ride"
        case (.drums, .bossa): "bossa groove with cross-stick"
        case (.drums, .ballad): "brushed ballad beat"
        case (.drums, .house): "four on the floor"
        case (.keys, .rock): "chords on the beat"
        case (.keys, .funk): "funky stabs"
        case (.keys, .swing): "swing comping"
        case (.keys, .bossa): "bossa comping"
        case (.keys, .ballad): "pads"
        case (.keys, .house): "off-beat stabs"
        case (.lead, _): "answering your phrases"
        }
    }
}
