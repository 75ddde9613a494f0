import JamCore
import Testing
@testable import JamMIDI

/// Bytes from a hex string with spaces.
func hexBytes(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16)! }
}

/// A file of the given header fields and MTrk bodies (hex).
func smf(format: Int = 1, division: Int = 480, tracks: [String]) -> [UInt8] {
    var out = Array("MThd".utf8) + [0, 0, 0, 6, 0, UInt8(format), 0, UInt8(tracks.count), UInt8(division >> 8), UInt8(division & 0xFF)]
    for body in tracks {
        let bytes = hexBytes(body)
        out += Array("MTrk".utf8) + [UInt8(bytes.count >> 24), UInt8((bytes.count >> 16) & 0xFF), UInt8((bytes.count >> 8) & 0xFF), UInt8(bytes.count & 0xFF)] + bytes
    }
    return out
}

@Suite struct MIDIReaderTests {
    @Test(arguments: [
        (0, [0x00]), (0x40, [0x40]), (0x7F, [0x7F]), (0x80, [0x81, 0x00]), (0x2000, [0xC0, 0x00]),
        (0x3FFF, [0xFF, 0x7F]), (0x4000, [0x81, 0x80, 0x00]), (0x1F_FFFF, [0xFF, 0xFF, 0x7F]),
        (0x20_0000, [0x81, 0x80, 0x80, 0x00]), (0x0FFF_FFFF, [0xFF, 0xFF, 0xFF, 0x7F]),
    ] as [(Int, [UInt8])])
    func variableLengthQuantities(value: Int, bytes: [UInt8]) throws {
        var out: [UInt8] = []
        VLQ.append(value, to: &out)
        #expect(out == bytes)
        var input = ByteInput(bytes)
        #expect(try input.vlq("a test") == value)
        #expect(input.remaining == 0)
    }

    @Test func runningStatusAndNoteOnVelocityZero() throws {
        // Format 0, 96 ticks a quarter: program 5 on channel 3, then C4 and E4 under running status,
        // ended by note-ons of velocity 0, then a note-off with its own status.
        let bytes = smf(format: 0, division: 96, tracks: [
            "00 FF 03 04 53 6F 6E 67 00 C2 05 00 92 3C 64 00 40 50 60 3C 00 00 40 00 00 82 43 40 10 43 00 00 FF 2F 00",
        ])
        let file = try MIDIReader.file(from: bytes)
        #expect(file.format == 0)
        #expect(file.ticksPerQuarter == 96)
        #expect(file.tracks.count == 1)
        #expect(file.tracks[0].events == [
            MIDIEvent(tick: 0, .trackName("Song")),
            MIDIEvent(tick: 0, .programChange(channel: 2, program: 5)),
            MIDIEvent(tick: 0, .noteOn(channel: 2, key: 60, velocity: 100)),
            MIDIEvent(tick: 0, .noteOn(channel: 2, key: 64, velocity: 80)),
            MIDIEvent(tick: 96, .noteOn(channel: 2, key: 60, velocity: 0)),
            MIDIEvent(tick: 96, .noteOn(channel: 2, key: 64, velocity: 0)),
            MIDIEvent(tick: 96, .noteOff(channel: 2, key: 67, velocity: 64)),
            MIDIEvent(tick: 112, .noteOff(channel: 2, key: 67, velocity: 0)),
            MIDIEvent(tick: 112, .endOfTrack),
        ])
    }

    @Test func writerAndReaderAgreeWithAndWithoutRunningStatus() throws {
        let file = MIDIFile(format: 1, ticksPerQuarter: 960, tracks: [
            MIDITrack(events: [
                MIDIEvent(tick: 0, .tempo(microsecondsPerQuarter: 500_000)),
                MIDIEvent(tick: 0, .timeSignature(numerator: 6, denominatorPower: 3, clocksPerClick: 36, thirtySecondsPerQuarter: 8)),
                MIDIEvent(tick: 0, .keySignature(sharps: -3, minor: true)),
                MIDIEvent(tick: 0, .meta(type: 0x01, data: Array("hello".utf8))),
                MIDIEvent(tick: 10, .endOfTrack),
            ]),
            MIDITrack(events: [
                MIDIEvent(tick: 0, .trackName("Lead ünï")),
                MIDIEvent(tick: 0, .sysex(status: 0xF0, data: [0x7E, 0x7F, 0x09, 0x01, 0xF7])),
                MIDIEvent(tick: 0, .controlChange(channel: 1, controller: 7, value: 90)),
                MIDIEvent(tick: 0, .controlChange(channel: 1, controller: 10, value: 20)),
                MIDIEvent(tick: 5, .noteOn(channel: 1, key: 60, velocity: 1)),
                MIDIEvent(tick: 5, .polyPressure(channel: 1, key: 60, value: 3)),
                MIDIEvent(tick: 300, .pitchBend(channel: 1, value: 16383)),
                MIDIEvent(tick: 300, .channelPressure(channel: 1, value: 7)),
                MIDIEvent(tick: 100_000, .noteOff(channel: 1, key: 60, velocity: 127)),
                MIDIEvent(tick: 100_000, .endOfTrack),
            ]),
        ])
        for running in [true, false] {
            let bytes = try MIDIWriter(runningStatus: running).bytes(file)
            #expect(try MIDIReader.file(from: bytes) == file)
        }
        #expect(try MIDIWriter(runningStatus: true).bytes(file).count < MIDIWriter(runningStatus: false).bytes(file).count)
    }

    @Test func unknownChunksAreSkipped() throws {
        var bytes = smf(tracks: ["00 90 3C 40 60 80 3C 40 00 FF 2F 00"])
        bytes.insert(contentsOf: Array("XFIH".utf8) + [0, 0, 0, 3, 1, 2, 3], at: 14)
        bytes[11] = 1
        let file = try MIDIReader.file(from: bytes)
        #expect(file.tracks.count == 1)
        #expect(file.tracks[0].events.count == 3)
    }

    @Test(arguments: [
        ("empty", [UInt8](), "not_midi", 0),
        ("riff", Array("RIFF....".utf8), "not_midi", 0),
        ("short header", Array("MThd".utf8) + [0, 0, 0, 6, 0, 1], "truncated_chunk", 4),
        ("tiny header", Array("MThd".utf8) + [0, 0, 0, 2, 0, 1], "invalid_header", 4),
        ("format 3", smf(format: 3, tracks: []), "invalid_header", 8),
        ("smpte", Array("MThd".utf8) + [0, 0, 0, 6, 0, 1, 0, 0, 0xE7, 0x28], "unsupported_division", 12),
        ("division 0", smf(division: 0, tracks: []), "invalid_header", 12),
        ("format 0 two tracks", smf(format: 0, tracks: ["00 FF 2F 00", "00 FF 2F 00"]), "invalid_header", 10),
        ("missing track", Array(smf(tracks: ["00 FF 2F 00"]).prefix(14)), "missing_track", 14),
        ("cut chunk header", Array(smf(tracks: ["00 FF 2F 00"]).prefix(14)) + [0x4D, 0x54], "truncated_chunk", 14),
        ("chunk past end", Array(smf(tracks: ["00 90 3C 40 00 FF 2F 00"]).dropLast(3)), "truncated_chunk", 14),
        ("long vlq", smf(tracks: ["FF FF FF FF 00 FF 2F 00"]), "invalid_vlq", 22),
        ("no status", smf(tracks: ["00 3C 40 00 FF 2F 00"]), "missing_status", 23),
        ("meta cancels running status", smf(tracks: ["00 90 3C 40 00 FF 01 00 00 3C 00 00 FF 2F 00"]), "missing_status", 31),
        ("data byte high", smf(tracks: ["00 90 3C C0 00 FF 2F 00"]), "invalid_data_byte", 25),
        ("event cut", smf(tracks: ["00 90 3C"]), "truncated_event", 25),
        ("system message", smf(tracks: ["00 F2 00 00 00 FF 2F 00"]), "unexpected_status", 23),
        ("bad tempo", smf(tracks: ["00 FF 51 02 07 A1 00 FF 2F 00"]), "invalid_meta", 22),
        ("zero tempo", smf(tracks: ["00 FF 51 03 00 00 00 00 FF 2F 00"]), "invalid_meta", 22),
        ("bad key", smf(tracks: ["00 FF 59 02 09 00 00 FF 2F 00"]), "invalid_meta", 22),
        ("after end", smf(tracks: ["00 FF 2F 00 00 90 3C 40"]), "events_after_end_of_track", 26),
        ("meta too long", smf(tracks: ["00 FF 01 7F 41"]), "truncated_event", 26),
    ] as [(String, [UInt8], String, Int)])
    func malformedFilesAreNamedErrors(name: String, bytes: [UInt8], code: String, offset: Int) {
        do {
            _ = try MIDIReader.file(from: bytes)
            Issue.record("\(name): read without error")
        } catch {
            #expect(error.code == code, "\(name): \(error)")
            #expect(error.offset == offset, "\(name): \(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func damagedFilesNeverTrap() throws {
        var edits = RandomEdits(seed: 99)
        var generator = SeededGenerator(seed: 7)
        var readable = 0
        for round in 0..<300 {
            let document = edits.document(tracks: 3, notesPerTrack: 1...12)
            let good = try MIDIWriter(runningStatus: round % 2 == 0).bytes(MIDIExport.file(from: document))
            for _ in 0..<10 {
                var bad = good
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bad = Array(bad.prefix(Int.random(in: 0..<bad.count, using: &generator)))
                case 1:
                    let i = Int.random(in: 0..<bad.count, using: &generator)
                    bad[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
                default:
                    let i = Int.random(in: 0..<bad.count, using: &generator)
                    bad[i] = UInt8.random(in: 0...255, using: &generator)
                }
                do {
                    _ = try MIDIImport.read(bad)
                    readable += 1
                } catch {
                    #expect(!error.code.isEmpty)
                }
            }
        }
        // Some damage (a changed velocity) still reads; most does not.
        #expect(readable > 0 && readable < 3000)
    }
}
