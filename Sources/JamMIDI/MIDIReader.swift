/// Reads Standard MIDI File bytes into a `MIDIFile`: formats 0, 1 and 2, any ticks-per-quarter division,
/// running status, sysex and meta events; chunks of unknown types are skipped.
///
/// Every malformed input is a `MIDIError` with a stable code and the byte offset where reading
/// stopped, never a trap: `not_midi`, `invalid_header`, `unsupported_division`, `truncated_chunk`,
/// `missing_track`, `truncated_event`, `invalid_vlq`, `missing_status`, `invalid_data_byte`,
/// `unexpected_status`, `invalid_meta`, `events_after_end_of_track`.
public enum MIDIReader {
    public static func file(from bytes: [UInt8]) throws(MIDIError) -> MIDIFile {
        var input = ByteInput(bytes)
        guard bytes.count >= 4, Array(bytes[0..<4]) == Array("MThd".utf8) else {
            throw MIDIError(code: "not_midi", message: "the file does not start with an MThd chunk", offset: 0)
        }
        input.position = 4
        let headerLength = Int(try input.uint32("the header chunk's length"))
        guard headerLength >= 6 else {
            throw MIDIError(code: "invalid_header", message: "the MThd chunk has \(headerLength) bytes, it needs 6", offset: 4)
        }
        guard headerLength <= bytes.count - input.position else {
            throw MIDIError(code: "truncated_chunk", message: "the MThd chunk says \(headerLength) bytes, the file has \(bytes.count - input.position) left", offset: 4)
        }
        let headerStart = input.position
        let format = Int(try input.uint16("the format"))
        let declaredTracks = Int(try input.uint16("the track count"))
        let division = Int(try input.uint16("the division"))
        input.position = headerStart + headerLength
        guard format <= 2 else {
            throw MIDIError(code: "invalid_header", message: "format \(format) is not 0, 1 or 2", offset: headerStart)
        }
        guard division & 0x8000 == 0 else {
            throw MIDIError(code: "unsupported_division", message: "the file counts time in SMPTE frames; only ticks per quarter note are supported", offset: headerStart + 4)
        }
        guard division > 0 else {
            throw MIDIError(code: "invalid_header", message: "the division is 0 ticks per quarter note", offset: headerStart + 4)
        }
        guard format != 0 || declaredTracks == 1 else {
            throw MIDIError(code: "invalid_header", message: "a format 0 file has exactly one track, this one declares \(declaredTracks)", offset: headerStart + 2)
        }
        var tracks: [MIDITrack] = []
        while tracks.count < declaredTracks {
            guard input.remaining > 0 else {
                throw MIDIError(code: "missing_track", message: "the header declares \(declaredTracks) tracks, the file ends after \(tracks.count)", offset: input.position)
            }
            let chunkStart = input.position
            guard input.remaining >= 8 else {
                throw MIDIError(code: "truncated_chunk", message: "a chunk header needs 8 bytes, the file has \(input.remaining) left", offset: chunkStart)
            }
            let type = try input.bytes(4, "a chunk type")
            let length = Int(try input.uint32("a chunk length"))
            guard length <= input.remaining else {
                throw MIDIError(code: "truncated_chunk", message: "the \(chunkName(type)) chunk says \(length) bytes, the file has \(input.remaining) left", offset: chunkStart)
            }
            let end = input.position + length
            if type == Array("MTrk".utf8) {
                tracks.append(try track(&input, end: end))
            }
            input.position = end
        }
        return MIDIFile(format: format, ticksPerQuarter: division, tracks: tracks)
    }

    private static func chunkName(_ type: [UInt8]) -> String {
        let printable = type.allSatisfy { (0x20..<0x7F).contains($0) }
        return printable ? String(decoding: type, as: UTF8.self) : type.map { String($0, radix: 16) }.joined(separator: " ")
    }

    /// Reads one MTrk chunk's events, from `input.position` to `end`.
    private static func track(_ input: inout ByteInput, end: Int) throws(MIDIError) -> MIDITrack {
        var chunk = input
        chunk.limit = end
        var events: [MIDIEvent] = []
        var tick = 0
        var running: UInt8?
        var ended = false
        while chunk.remaining > 0 {
            let eventStart = chunk.position
            guard !ended else {
                throw MIDIError(code: "events_after_end_of_track", message: "bytes follow the end-of-track event in its chunk", offset: eventStart)
            }
            tick += try chunk.vlq("a delta time")
            var status = try chunk.byte("an event")
            var firstData: UInt8?
            if status < 0x80 {
                guard let previous = running else {
                    throw MIDIError(code: "missing_status", message: "a data byte 0x\(hex(status)) where an event's status byte is needed (no running status)", offset: chunk.position - 1)
                }
                firstData = status
                status = previous
            }
            let message: MIDIMessage
            switch status {
            case 0x80...0xEF:
                running = status
                let channel = Int(status & 0x0F)
                let a: UInt8
                if let firstData { a = firstData } else { a = try chunk.data("a channel message") }
                switch status & 0xF0 {
                case 0x80: message = .noteOff(channel: channel, key: Int(a), velocity: Int(try chunk.data("a note-off")))
                case 0x90: message = .noteOn(channel: channel, key: Int(a), velocity: Int(try chunk.data("a note-on")))
                case 0xA0: message = .polyPressure(channel: channel, key: Int(a), value: Int(try chunk.data("a key pressure")))
                case 0xB0: message = .controlChange(channel: channel, controller: Int(a), value: Int(try chunk.data("a control change")))
                case 0xC0: message = .programChange(channel: channel, program: Int(a))
                case 0xD0: message = .channelPressure(channel: channel, value: Int(a))
                default: message = .pitchBend(channel: channel, value: Int(a) | Int(try chunk.data("a pitch bend")) << 7)
                }
            case 0xF0, 0xF7:
                running = nil
                let length = try chunk.vlq("a sysex length")
                message = .sysex(status: status, data: try chunk.bytes(length, "a sysex event"))
            case 0xFF:
                running = nil
                let type = try chunk.byte("a meta event type")
                let length = try chunk.vlq("a meta event length")
                let data = try chunk.bytes(length, "a meta event")
                message = try meta(type, data, offset: eventStart)
                if message == .endOfTrack { ended = true }
            default:
                throw MIDIError(code: "unexpected_status", message: "status byte 0x\(hex(status)) (a system message) does not belong in a file", offset: chunk.position - 1)
            }
            events.append(MIDIEvent(tick: tick, message))
        }
        return MIDITrack(events: events)
    }

    private static func meta(_ type: UInt8, _ data: [UInt8], offset: Int) throws(MIDIError) -> MIDIMessage {
        func require(_ count: Int, _ name: String) throws(MIDIError) {
            guard data.count == count else {
                throw MIDIError(code: "invalid_meta", message: "a \(name) meta event has \(data.count) data bytes, it needs \(count)", offset: offset)
            }
        }
        switch type {
        case MIDIMessage.MetaType.trackName:
            return .trackName(text(data))
        case MIDIMessage.MetaType.endOfTrack:
            try require(0, "end-of-track")
            return .endOfTrack
        case MIDIMessage.MetaType.tempo:
            try require(3, "tempo")
            let us = Int(data[0]) << 16 | Int(data[1]) << 8 | Int(data[2])
            guard us > 0 else {
                throw MIDIError(code: "invalid_meta", message: "a tempo of 0 microseconds per quarter note", offset: offset)
            }
            return .tempo(microsecondsPerQuarter: us)
        case MIDIMessage.MetaType.timeSignature:
            try require(4, "time signature")
            return .timeSignature(numerator: Int(data[0]), denominatorPower: Int(data[1]), clocksPerClick: Int(data[2]), thirtySecondsPerQuarter: Int(data[3]))
        case MIDIMessage.MetaType.keySignature:
            try require(2, "key signature")
            let sharps = Int(Int8(bitPattern: data[0]))
            guard (-7...7).contains(sharps), data[1] <= 1 else {
                throw MIDIError(code: "invalid_meta", message: "key signature \(sharps) \(data[1] == 0 ? "major" : "minor") is out of range (−7…7, 0 or 1)", offset: offset)
            }
            return .keySignature(sharps: sharps, minor: data[1] == 1)
        default:
            return .meta(type: type, data: data)
        }
    }

    /// Text in a meta event: UTF-8 when it is valid UTF-8, else Latin-1 (what older files use).
    static func text(_ bytes: [UInt8]) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}

func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}

/// A cursor over bytes that throws `MIDIError` (with the offset) instead of reading past `limit`.
struct ByteInput {
    let bytes: [UInt8]
    var position = 0
    var limit: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.limit = bytes.count
    }

    var remaining: Int { limit - position }

    private func truncated(_ what: String, needs count: Int) -> MIDIError {
        MIDIError(code: "truncated_event", message: "\(what) needs \(count) more bytes, its chunk has \(remaining) left", offset: position)
    }

    mutating func byte(_ what: String) throws(MIDIError) -> UInt8 {
        guard position < limit else { throw truncated(what, needs: 1) }
        defer { position += 1 }
        return bytes[position]
    }

    /// A data byte (below 0x80).
    mutating func data(_ what: String) throws(MIDIError) -> UInt8 {
        let value = try byte(what)
        guard value < 0x80 else {
            throw MIDIError(code: "invalid_data_byte", message: "\(what) has a data byte 0x\(hex(value)) with its high bit set", offset: position - 1)
        }
        return value
    }

    mutating func bytes(_ count: Int, _ what: String) throws(MIDIError) -> [UInt8] {
        guard count <= remaining else { throw truncated(what, needs: count) }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func uint16(_ what: String) throws(MIDIError) -> UInt16 {
        let b = try bytes(2, what)
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    mutating func uint32(_ what: String) throws(MIDIError) -> UInt32 {
        let b = try bytes(4, what)
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    /// A variable-length quantity of at most 4 bytes (`invalid_vlq` for a fifth).
    mutating func vlq(_ what: String) throws(MIDIError) -> Int {
        let start = position
        var value = 0
        for _ in 0..<4 {
            let b = try byte(what)
            value = value << 7 | Int(b & 0x7F)
            if b < 0x80 { return value }
        }
        throw MIDIError(code: "invalid_vlq", message: "\(what) runs past 4 bytes, the most a variable-length quantity has", offset: start)
    }
}
