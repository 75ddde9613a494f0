/// A Standard MIDI File in memory: its format, its time division and its tracks of timed events.
///
/// Events carry absolute ticks; `MIDIWriter` turns them into delta times and `MIDIReader` back.
public struct MIDIFile: Hashable, Sendable {
    /// 0 (one track), 1 (simultaneous tracks) or 2 (independent patterns).
    public var format: Int
    /// Ticks per quarter note (the header's division), 1…32767.
    public var ticksPerQuarter: Int
    public var tracks: [MIDITrack]

    public init(format: Int = 1, ticksPerQuarter: Int = 480, tracks: [MIDITrack] = []) {
        self.format = format
        self.ticksPerQuarter = ticksPerQuarter
        self.tracks = tracks
    }
}

/// One `MTrk` chunk: events in time order.
public struct MIDITrack: Hashable, Sendable {
    /// Events with non-decreasing ticks; the writer ends the chunk with an end-of-track event at the
    /// last tick if the list does not end with one.
    public var events: [MIDIEvent]

    public init(events: [MIDIEvent] = []) {
        self.events = events
    }

    /// The tick of the end-of-track event, or of the last event when there is none.
    public var endTick: Int {
        events.last?.tick ?? 0
    }

    /// The first track-name meta event's text.
    public var name: String? {
        for event in events {
            if case .trackName(let name) = event.message { return name }
        }
        return nil
    }
}

/// A message at an absolute tick.
public struct MIDIEvent: Hashable, Sendable {
    public var tick: Int
    public var message: MIDIMessage

    public init(tick: Int, _ message: MIDIMessage) {
        self.tick = tick
        self.message = message
    }
}

/// What an event says. Channels are 0–15 (MIDI channel minus one, so drums are 9); data values 0–127.
public enum MIDIMessage: Hashable, Sendable {
    case noteOff(channel: Int, key: Int, velocity: Int)
    /// A note-on with velocity 0 is a note-off; the reader keeps it as written.
    case noteOn(channel: Int, key: Int, velocity: Int)
    case polyPressure(channel: Int, key: Int, value: Int)
    case controlChange(channel: Int, controller: Int, value: Int)
    case programChange(channel: Int, program: Int)
    case channelPressure(channel: Int, value: Int)
    /// 0…16383, 8192 is centre.
    case pitchBend(channel: Int, value: Int)
    /// A system-exclusive event: `status` is 0xF0 or 0xF7, `data` what follows its length.
    case sysex(status: UInt8, data: [UInt8])
    /// Meta 0x51: microseconds per quarter note.
    case tempo(microsecondsPerQuarter: Int)
    /// Meta 0x58: the denominator as a power of two (3 = eighths), MIDI clocks per metronome click and
    /// notated 32nd notes per quarter.
    case timeSignature(numerator: Int, denominatorPower: Int, clocksPerClick: Int, thirtySecondsPerQuarter: Int)
    /// Meta 0x59: sharps (positive) or flats (negative), −7…7, and major or minor.
    case keySignature(sharps: Int, minor: Bool)
    /// Meta 0x03.
    case trackName(String)
    /// Meta 0x2F.
    case endOfTrack
    /// Any other meta event.
    case meta(type: UInt8, data: [UInt8])

    /// The channel of a channel message.
    public var channel: Int? {
        switch self {
        case .noteOff(let c, _, _), .noteOn(let c, _, _), .polyPressure(let c, _, _), .controlChange(let c, _, _),
             .programChange(let c, _), .channelPressure(let c, _), .pitchBend(let c, _):
            c
        default:
            nil
        }
    }

    /// Standard controller numbers the export and import use.
    public enum Controller {
        public static let volume = 7
        public static let pan = 10
    }
}

extension MIDIMessage {
    /// Meta type numbers.
    enum MetaType {
        static let trackName: UInt8 = 0x03
        static let endOfTrack: UInt8 = 0x2F
        static let tempo: UInt8 = 0x51
        static let timeSignature: UInt8 = 0x58
        static let keySignature: UInt8 = 0x59
    }
}
