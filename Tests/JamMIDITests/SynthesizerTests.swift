import JamCore
import Testing
@testable import JamMIDI

/// One bar of 4/4 at 240 bpm (one second): a note on every beat of a track, and a kick on each.
func shortLoop(instrument: Instrument = .program(0), volume: Int = 100, pan: Int = 0) -> Document {
    let notes = (0..<4).map { Note(id: "n\($0)", tick: $0 * 480, duration: 240, pitch: 60 + 2 * $0, velocity: 100) }
    let kicks = (0..<4).map { Note(id: "k\($0)", tick: $0 * 480, duration: 60, pitch: 36, velocity: 110) }
    return Document(tempo: 240, loopBars: 1, tracks: [
        Track(id: "t1", name: "Lead", instrument: instrument, volume: volume, pan: pan, notes: notes),
        Track(id: "t2", name: "Kit", instrument: .drums, channel: 9, notes: kicks),
    ])
}

func channels(_ audio: LoopedAudio) -> (left: [Int16], right: [Int16]) {
    let pcm = audio.pcm16(0..<audio.frames)
    return (stride(from: 0, to: pcm.count, by: 2).map { pcm[$0] }, stride(from: 1, to: pcm.count, by: 2).map { pcm[$0] })
}

func rms(_ samples: [Int16]) -> Double {
    guard !samples.isEmpty else { return 0 }
    return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
}

@Suite struct SynthesizerTests {
    let synth = Synthesizer(sampleRate: 8000)

    @Test(arguments: GeneralMIDI.Family.allCases)
    func everyFamilySoundsWithoutClipping(family: GeneralMIDI.Family) throws {
        let audio = try synth.render(shortLoop(instrument: .program(family.rawValue * 8)))
        let (left, right) = channels(audio)
        #expect(rms(left) > 100, "\(family) is silent")
        #expect(audio.peak <= synth.ceiling + 1e-6)
        #expect(left.allSatisfy { abs(Int($0)) < 32767 } && right.allSatisfy { abs(Int($0)) < 32767 })
    }

    @Test func loudMixesAreScaledUnderTheCeiling() throws {
        var document = shortLoop(volume: 127)
        // Sixty notes at once.
        document.tracks[0].notes = Dictionary(uniqueKeysWithValues: (0..<60).map { ("x\($0)", Note(id: "x\($0)", tick: 0, duration: 480, pitch: 40 + $0, velocity: 127)) })
        let audio = try synth.render(document)
        #expect(audio.gain < 1)
        #expect(abs(audio.peak - synth.ceiling) < 1e-3)
    }

    @Test func panVolumeMuteAndSolo() throws {
        var left = shortLoop(pan: -64)
        left.tracks.removeLast()
        let (l, r) = channels(try synth.render(left))
        #expect(rms(l) > 100)
        #expect(rms(r) < 1)

        var quiet = shortLoop(volume: 40)
        quiet.tracks.removeLast()
        var loud = quiet
        loud.tracks[0].volume = 120
        #expect(rms(channels(try synth.render(loud)).left) > 5 * rms(channels(try synth.render(quiet)).left))

        var muted = shortLoop()
        for i in muted.tracks.indices { muted.tracks[i].mute = true }
        #expect(rms(channels(try synth.render(muted)).left) == 0)

        var solo = shortLoop(pan: -64)
        solo.tracks[1].pan = 63
        solo.tracks[1].solo = true
        let (soloLeft, soloRight) = channels(try synth.render(solo))
        #expect(rms(soloLeft) < rms(soloRight) / 10)
    }

    @Test func loopsRepeatAndRenderingIsDeterministic() throws {
        let document = shortLoop(instrument: .program(0))
        let once = try synth.render(document, loops: 1)
        let thrice = try synth.render(document, loops: 3)
        #expect(thrice.loopFrames == 8000)
        #expect(thrice.frames == once.frames + 2 * once.loopFrames)
        let a = thrice.pcm16(8000..<16000)
        let b = thrice.pcm16(16000..<24000)
        #expect(a == b)
        #expect(try synth.render(document, loops: 3).pcm16(0..<thrice.frames) == thrice.pcm16(0..<thrice.frames))
    }

    @Test func notesAfterTheLoopAreNotRendered() throws {
        var document = shortLoop()
        document.tracks[0].notes["late"] = Note(id: "late", tick: 1920, duration: 10, pitch: 60, velocity: 1)
        #expect(try synth.render(document).skippedNotes == 1)
    }

    @Test func badRequestsAreErrors() {
        #expect(throws: MIDIError.self) { try synth.render(shortLoop(), loops: 0) }
        var long = shortLoop()
        long.tempo = 20
        long.loopBars = 1024
        #expect { try synth.render(long) } throws: { ($0 as? MIDIError)?.code == "loop_too_long" }
        long.loopBars = 40
        #expect { try synth.render(long, loops: 1000) } throws: { ($0 as? MIDIError)?.code == "render_too_long" }
    }

    @Test func wavHeaderAndSamples() throws {
        let audio = try synth.render(shortLoop())
        let bytes = try WAVWriter.bytes(audio)
        #expect(bytes.count == 44 + audio.frames * 4)
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        #expect(Array(bytes[0..<4]) == Array("RIFF".utf8))
        #expect(u32(4) == bytes.count - 8)
        #expect(Array(bytes[8..<16]) == Array("WAVEfmt ".utf8))
        #expect([u32(16), u16(20), u16(22), u32(24), u32(28), u16(32), u16(34)] == [16, 1, 2, 8000, 32000, 4, 16])
        #expect(Array(bytes[36..<40]) == Array("data".utf8))
        #expect(u32(40) == audio.frames * 4)
        var streamed: [UInt8] = []
        var reports: [Double] = []
        try WAVWriter.write(audio, blockFrames: 1000, progress: { reports.append($0) }) { streamed += $0 }
        #expect(streamed == bytes)
        #expect(reports.last == 1)
    }
}
