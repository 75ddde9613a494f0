import JamCore

/// A session document as a Standard MIDI File: format 1 at 480 ticks per quarter (the document's own
/// ticks, unchanged).
///
/// - Track 0, the conductor: the title as its name, then tempo, time signature and key signature.
/// - One track per document track, in order: its name, a General MIDI program change (none for drums),
///   volume (controller 7) and pan (controller 10), then its notes as note-on/note-off pairs.
/// - Drums play on channel 10 (9 here), whatever the track's channel; a program track set to channel 10
///   moves to the lowest channel no other track uses, so that GM players do not play it as drums.
/// - Every track ends at the loop's end (`loopBars` bars), or at the last note-off if a note outlasts it.
///
/// Muted and soloed tracks are exported like the others: mute and solo are for listening, and a DAW
/// has its own. At one tick, note-offs come before note-ons, and note-ons of one pitch shortest first,
/// so that a reader pairing note-ons with note-offs first-in first-out gets every note back — except
/// when two notes of one pitch on one track nest (the inner one ends first), which one MIDI channel
/// cannot tell apart from two notes that overlap the other way.
public enum MIDIExport {
    /// The velocity written on note-off events.
    public static let noteOffVelocity = 64

    public static func file(from document: Document) -> MIDIFile {
        let end = endTick(of: document)
        var conductor: [MIDIEvent] = [
            MIDIEvent(tick: 0, .trackName(document.title)),
            MIDIEvent(tick: 0, .tempo(microsecondsPerQuarter: microsecondsPerQuarter(document.tempo))),
            MIDIEvent(tick: 0, timeSignature(document.meter)),
        ]
        if let key = document.key, let signature = GeneralMIDI.sharps(of: key) {
            conductor.append(MIDIEvent(tick: 0, .keySignature(sharps: signature.sharps, minor: signature.minor)))
        }
        conductor.append(MIDIEvent(tick: end, .endOfTrack))
        let channels = exportChannels(document.tracks)
        var tracks = [MIDITrack(events: conductor)]
        for (track, channel) in zip(document.tracks, channels) {
            tracks.append(MIDITrack(events: events(of: track, channel: channel, end: end)))
        }
        return MIDIFile(format: 1, ticksPerQuarter: Document.ppq, tracks: tracks)
    }

    /// The file's bytes (`invalid_event` only for a document that breaks DOCUMENT.md's ranges).
    public static func bytes(from document: Document) throws(MIDIError) -> [UInt8] {
        try MIDIWriter().bytes(file(from: document))
    }

    /// The tick where every track ends: the loop's end, or the last note-off if later.
    public static func endTick(of document: Document) -> Int {
        let loopEnd = document.loopBars * document.meter.ticksPerBar()
        let lastOff = document.tracks.lazy.flatMap { $0.notes.values }.map { $0.tick + $0.duration }.max() ?? 0
        return max(loopEnd, lastOff)
    }

    /// The MIDI channel (0–15) each track is written on.
    public static func exportChannels(_ tracks: [Track]) -> [Int] {
        var used = Set(tracks.filter { $0.instrument != .drums && $0.channel != GeneralMIDI.drumChannel }.map(\.channel))
        return tracks.map { track in
            if track.instrument == .drums { return GeneralMIDI.drumChannel }
            guard track.channel == GeneralMIDI.drumChannel else { return track.channel }
            let free = (0..<16).first { $0 != GeneralMIDI.drumChannel && !used.contains($0) } ?? 8
            used.insert(free)
            return free
        }
    }

    /// 60 000 000 / bpm, rounded: what a tempo event holds.
    public static func microsecondsPerQuarter(_ bpm: Double) -> Int {
        Int((60_000_000 / bpm).rounded())
    }

    static func timeSignature(_ meter: Meter) -> MIDIMessage {
        let power = meter.denominator.trailingZeroBitCount
        let clocksPerNote = 96 / max(meter.denominator, 1)
        // Compound meters (6/8, 9/8, 12/16) click on the dotted beat.
        let compound = meter.numerator % 3 == 0 && meter.numerator > 3 && meter.denominator >= 8
        return .timeSignature(
            numerator: meter.numerator, denominatorPower: power,
            clocksPerClick: compound ? 3 * clocksPerNote : max(clocksPerNote, 1), thirtySecondsPerQuarter: 8)
    }

    private static func events(of track: Track, channel: Int, end: Int) -> [MIDIEvent] {
        var events = [MIDIEvent(tick: 0, .trackName(track.name))]
        if case .program(let program) = track.instrument {
            events.append(MIDIEvent(tick: 0, .programChange(channel: channel, program: program)))
        }
        events.append(MIDIEvent(tick: 0, .controlChange(channel: channel, controller: MIDIMessage.Controller.volume, value: track.volume)))
        events.append(MIDIEvent(tick: 0, .controlChange(channel: channel, controller: MIDIMessage.Controller.pan, value: track.pan + 64)))
        // (tick, 0 = off / 1 = on, pitch, duration): offs first at a tick, ons of a pitch shortest first.
        var notes: [(tick: Int, on: Int, pitch: Int, duration: Int, velocity: Int)] = []
        notes.reserveCapacity(track.notes.count * 2)
        for note in track.notes.values {
            notes.append((note.tick, 1, note.pitch, note.duration, note.velocity))
            notes.append((note.tick + note.duration, 0, note.pitch, 0, noteOffVelocity))
        }
        notes.sort { ($0.tick, $0.on, $0.pitch, $0.duration, $0.velocity) < ($1.tick, $1.on, $1.pitch, $1.duration, $1.velocity) }
        for n in notes {
            let message: MIDIMessage =
                n.on == 1
                ? .noteOn(channel: channel, key: n.pitch, velocity: n.velocity)
                : .noteOff(channel: channel, key: n.pitch, velocity: n.velocity)
            events.append(MIDIEvent(tick: n.tick, message))
        }
        events.append(MIDIEvent(tick: end, .endOfTrack))
        return events
    }
}
