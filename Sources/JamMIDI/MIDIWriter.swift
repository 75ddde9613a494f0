/// Writes a `MIDIFile` as Standard MIDI File bytes: an `MThd` chunk, then one `MTrk` chunk per track,
/// delta times as variable-length quantities, and running status for channel messages (optional).
public struct MIDIWriter: Sendable {
    /// Omit a channel message's status byte when it repeats the previous one (as most writers do).
    public var runningStatus: Bool

    public init(runningStatus: Bool = true) {
        self.runningStatus = runningStatus
    }

    /// The file's bytes. Refuses (`invalid_event`, `invalid_header`) what a file cannot hold: ticks going
    /// backwards, data values out of range, more than 65535 tracks.
    public func bytes(_ file: MIDIFile) throws(MIDIError) -> [UInt8] {
        guard (0...2).contains(file.format) else {
            throw MIDIError(code: "invalid_header", message: "format \(file.format) is not 0, 1 or 2")
        }
        guard (1...0x7FFF).contains(file.ticksPerQuarter) else {
            throw MIDIError(code: "invalid_header", message: "ticks per quarter \(file.ticksPerQuarter) is not 1…32767")
        }
        guard file.tracks.count <= 0xFFFF, file.format != 0 || file.tracks.count == 1 else {
            throw MIDIError(code: "invalid_header", message: "format \(file.format) cannot hold \(file.tracks.count) tracks")
        }
        var out: [UInt8] = Array("MThd".utf8)
        out.appendBigEndian(UInt32(6))
        out.appendBigEndian(UInt16(file.format))
        out.appendBigEndian(UInt16(file.tracks.count))
        out.appendBigEndian(UInt16(file.ticksPerQuarter))
        for (index, track) in file.tracks.enumerated() {
            let body = try chunk(track, index: index)
            out.append(contentsOf: Array("MTrk".utf8))
            out.appendBigEndian(UInt32(body.count))
            out.append(contentsOf: body)
        }
        return out
    }

    private func chunk(_ track: MIDITrack, index: Int) throws(MIDIError) -> [UInt8] {
        var out: [UInt8] = []
        var previous = 0
        var status: UInt8?
        var ended = false
        for (number, event) in track.events.enumerated() {
            func fail(_ why: String) -> MIDIError {
                MIDIError(code: "invalid_event", message: "track \(index), event \(number): \(why)")
            }
            guard !ended else { throw fail("an event after the end of track") }
            guard event.tick >= previous else { throw fail("tick \(event.tick) is before the previous event's \(previous)") }
            var delta = event.tick - previous
            // A gap longer than a delta time holds is bridged with empty text events.
            while delta > VLQ.max {
                VLQ.append(VLQ.max, to: &out)
                out.append(contentsOf: [0xFF, 0x01, 0])
                status = nil
                delta -= VLQ.max
            }
            VLQ.append(delta, to: &out)
            previous = event.tick
            switch try Self.encode(event.message, fail) {
            case .channel(let bytes):
                if !runningStatus || status != bytes[0] { out.append(bytes[0]) }
                out.append(contentsOf: bytes.dropFirst())
                status = bytes[0]
            case .other(let bytes):
                out.append(contentsOf: bytes)
                status = nil
            }
            if event.message == .endOfTrack { ended = true }
        }
        if !ended {
            VLQ.append(0, to: &out)
            out.append(contentsOf: [0xFF, MIDIMessage.MetaType.endOfTrack, 0])
        }
        return out
    }

    private enum Encoded {
        /// Status byte first; it may be left out under running status.
        case channel([UInt8])
        case other([UInt8])
    }

    private static func encode(_ message: MIDIMessage, _ fail: (String) -> MIDIError) throws(MIDIError) -> Encoded {
        func data(_ value: Int, _ what: String) throws(MIDIError) -> UInt8 {
            guard (0...127).contains(value) else { throw fail("\(what) \(value) is not 0…127") }
            return UInt8(value)
        }
        func status(_ base: UInt8, _ channel: Int) throws(MIDIError) -> UInt8 {
            guard (0...15).contains(channel) else { throw fail("channel \(channel) is not 0…15") }
            return base | UInt8(channel)
        }
        func meta(_ type: UInt8, _ payload: [UInt8]) -> Encoded {
            var bytes: [UInt8] = [0xFF, type]
            VLQ.append(payload.count, to: &bytes)
            return .other(bytes + payload)
        }
        switch message {
        case .noteOff(let c, let k, let v):
            return .channel([try status(0x80, c), try data(k, "key"), try data(v, "velocity")])
        case .noteOn(let c, let k, let v):
            return .channel([try status(0x90, c), try data(k, "key"), try data(v, "velocity")])
        case .polyPressure(let c, let k, let v):
            return .channel([try status(0xA0, c), try data(k, "key"), try data(v, "pressure")])
        case .controlChange(let c, let n, let v):
            return .channel([try status(0xB0, c), try data(n, "controller"), try data(v, "value")])
        case .programChange(let c, let p):
            return .channel([try status(0xC0, c), try data(p, "program")])
        case .channelPressure(let c, let v):
            return .channel([try status(0xD0, c), try data(v, "pressure")])
        case .pitchBend(let c, let v):
            guard (0...16383).contains(v) else { throw fail("pitch bend \(v) is not 0…16383") }
            return .channel([try status(0xE0, c), UInt8(v & 0x7F), UInt8(v >> 7)])
        case .sysex(let s, let payload):
            guard s == 0xF0 || s == 0xF7 else { throw fail("sysex status 0x\(String(s, radix: 16)) is not F0 or F7") }
            guard payload.count <= VLQ.max else { throw fail("sysex of \(payload.count) bytes is too long") }
            var bytes: [UInt8] = [s]
            VLQ.append(payload.count, to: &bytes)
            return .other(bytes + payload)
        case .tempo(let us):
            guard (1...0xFF_FFFF).contains(us) else { throw fail("tempo \(us) µs per quarter does not fit 24 bits") }
            return meta(MIDIMessage.MetaType.tempo, [UInt8(us >> 16), UInt8((us >> 8) & 0xFF), UInt8(us & 0xFF)])
        case .timeSignature(let n, let d, let c, let b):
            for (value, what) in [(n, "numerator"), (d, "denominator power"), (c, "clocks per click"), (b, "32nds per quarter")]
            where !(0...255).contains(value) {
                throw fail("time signature \(what) \(value) is not a byte")
            }
            return meta(MIDIMessage.MetaType.timeSignature, [UInt8(n), UInt8(d), UInt8(c), UInt8(b)])
        case .keySignature(let sharps, let minor):
            guard (-7...7).contains(sharps) else { throw fail("key signature \(sharps) is not −7…7") }
            return meta(MIDIMessage.MetaType.keySignature, [UInt8(bitPattern: Int8(sharps)), minor ? 1 : 0])
        case .trackName(let name):
            return meta(MIDIMessage.MetaType.trackName, Array(name.utf8))
        case .endOfTrack:
            return meta(MIDIMessage.MetaType.endOfTrack, [])
        case .meta(let type, let payload):
            guard type < 0x80 else { throw fail("meta type 0x\(String(type, radix: 16)) is not below 0x80") }
            guard payload.count <= VLQ.max else { throw fail("meta event of \(payload.count) bytes is too long") }
            return meta(type, payload)
        }
    }
}

/// Variable-length quantities: 7 bits a byte, high bit set on all but the last, at most 4 bytes.
enum VLQ {
    static let max = 0x0FFF_FFFF

    static func append(_ value: Int, to out: inout [UInt8]) {
        var groups: [UInt8] = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 {
            groups.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        out.append(contentsOf: groups.reversed())
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
