import ArgumentParser
import Foundation
import JamClient
import JamCore
import JamMIDI
import JamProtocol

struct PlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play a session in time with everyone: raw audio to stdout (for aplay or sox), or a WAV file.",
        discussion: """
            Joins as a listener, syncs its clock with the server's, and renders the session with the \
            built-in synthesizer while the shared transport plays (`p` or :play in jam join), each loop \
            from the document as it is when that loop begins, so edits are heard from the next loop. \
            Standard output gets 16-bit little-endian stereo PCM at 44.1 kHz, silence while stopped:

              jam play demo | aplay -f cd
              jam play demo | play -t raw -r 44100 -e signed -b 16 -c 2 -

            With -o FILE.wav it records --loops whole loops, from the next loop start, and exits.
            """
    )

    @Argument(help: "The session to play.")
    var session: String

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Record to this WAV file instead of streaming to stdout.", valueName: "FILE"))
    var output: String?

    @Option(help: "With -o: how many loops to record.")
    var loops = 4

    @Option(help: "Your name in the session.")
    var name = "play-\(ProcessInfo.processInfo.processIdentifier)"

    func validate() throws {
        try validateSession(session)
        guard (1...1000).contains(loops) else { throw ValidationError("--loops is 1…1000") }
        if output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("standard output is a terminal: pipe it to a player (jam play \(session) | aplay -f cd) or give -o FILE.wav")
        }
    }

    static let sampleRate = 44_100
    /// Audio goes out this far ahead of the moment it sounds, so the player's buffer never runs dry.
    static let lead = 0.15

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let jam = try await connection.connect("play", join: JoinRequest(session: session, name: name, role: .listener))
        let synced = ContinuousClock.now + .seconds(10)
        while await jam.currentTick() == nil {
            guard ContinuousClock.now < synced else {
                printError("jam play: no clock sync with the server within 10 s")
                throw ExitCode.failure
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        var recorded: [Int16] = []
        var loopsRecorded = 0
        let synthesizer = Synthesizer(sampleRate: Self.sampleRate)
        printError("jam play: \(session): waiting for the transport to play (p in jam join)…")
        var announced = false
        while true {
            guard await jam.isPlaying(), let tick = await jam.currentTick() else {
                if case .closed = await jam.state { break }
                announced = false
                if output == nil { try emit(Array(repeating: 0, count: Self.sampleRate / 10 * 2)) }
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            let document = await jam.document
            let loopTicks = Double(max(1, document.meter.ticksPerBar() * max(1, document.loopBars)))
            let ticksPerSecond = document.tempo * Double(Document.ppq) / 60
            var position = tick.truncatingRemainder(dividingBy: loopTicks)
            if output != nil && position > 1 {
                // A recording starts on a loop start.
                try await Task.sleep(for: .seconds((loopTicks - position) / ticksPerSecond - Self.lead))
                continue
            }
            if !announced {
                printError("jam play: playing at \(document.tempo) bpm, \(document.loopBars) bars a loop")
                announced = true
            }
            let audio = try synthesizer.render(document, loops: 1)
            let loopStart = ContinuousClock.now - .seconds(position / ticksPerSecond)
            var frame = Int(position / loopTicks * Double(audio.loopFrames))
            let chunk = Self.sampleRate / 20
            while frame < audio.loopFrames {
                let end = min(audio.loopFrames, frame + chunk)
                let samples = audio.pcm16(frame..<end)
                if output != nil { recorded += samples } else { try emit(samples) }
                frame = end
                let due = loopStart + .seconds(Double(frame) / Double(Self.sampleRate) - Self.lead)
                if due > .now { try await Task.sleep(until: due) }
                guard await jam.isPlaying() else { break }
            }
            position = 0
            if output != nil {
                loopsRecorded += 1
                if loopsRecorded == loops { break }
            }
        }
        if let output {
            var bytes = try WAVWriter.header(frames: recorded.count / 2, sampleRate: Self.sampleRate)
            bytes.reserveCapacity(bytes.count + recorded.count * 2)
            for sample in recorded { bytes += [UInt8(truncatingIfNeeded: sample), UInt8(truncatingIfNeeded: sample >> 8)] }
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: output))
            } catch {
                printError("jam play: cannot write \(output): \(error.localizedDescription)")
                throw ExitCode.failure
            }
            printError("jam play: wrote \(loopsRecorded) loops, \(Double(recorded.count / 2 * 10 / Self.sampleRate) / 10) s, to \(output)")
        }
        await jam.leave()
    }

    private func emit(_ samples: [Int16]) throws {
        var bytes = [UInt8]()
        bytes.reserveCapacity(samples.count * 2)
        for sample in samples { bytes += [UInt8(truncatingIfNeeded: sample), UInt8(truncatingIfNeeded: sample >> 8)] }
        do {
            try FileHandle.standardOutput.write(contentsOf: bytes)
        } catch {
            // The player went away (a closed pipe): stop quietly.
            throw ExitCode.success
        }
    }
}
