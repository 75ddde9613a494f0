import ArgumentParser
import Foundation
import JamCore
import JamMIDI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a session, at a revision or a moment, as a Standard MIDI File, WAV audio or JSON.",
        discussion: """
            mid: format 1 at 480 ticks per quarter — a conductor track (title, tempo, time and key signature) \
            and one track per session track with its name, General MIDI program, volume, pan and notes; drums \
            on channel 10; every track ends at the loop's end.
            wav: 16-bit stereo PCM rendered by the built-in synthesizer, --loops times round the loop (notes \
            after the loop's end do not play); mute, solo, volume and pan are honoured and the mix never clips. \
            A progress bar shows on standard error when it is a terminal and the render is long.
            json: the document's canonical JSON.
            The format defaults to OUT's extension (.mid, .midi, .wav, .json). OUT may be - for standard output.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mid, json, wav
    }

    @OptionGroup var source: SessionSourceOptions

    @Option(help: "mid, wav or json (default: from OUT's extension).")
    var format: Format?

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write, or - for standard output.", valueName: "OUT"))
    var output: String

    @Option(help: ArgumentHelp("WAV only: how many times to play the loop.", valueName: "N"))
    var loops = 1

    @Option(help: ArgumentHelp("WAV only: samples per second.", valueName: "HZ"))
    var sampleRate = 44_100

    var resolvedFormat: Format? {
        if let format { return format }
        switch (output as NSString).pathExtension.lowercased() {
        case "mid", "midi", "smf": return .mid
        case "wav", "wave": return .wav
        case "json": return .json
        default: return nil
        }
    }

    func validate() throws {
        guard resolvedFormat != nil else { throw ValidationError("give --format mid|wav|json (OUT's extension does not say)") }
        guard loops >= 1 else { throw ValidationError("--loops must be at least 1") }
        guard (8000...192_000).contains(sampleRate) else { throw ValidationError("--sample-rate must be 8000…192000") }
    }

    func run() async throws {
        let session = try await source.load("export")
        let document = session.document
        let sink = try OutputFile(output, command: "export")
        let what: String
        do {
            switch resolvedFormat ?? .json {
            case .json:
                try sink.write(Array(document.canonicalJSON()) + Array("\n".utf8))
                what = "the document as JSON"
            case .mid:
                try sink.write(try MIDIExport.bytes(from: document))
                what = "a MIDI file of \(document.tracks.count + 1) tracks, \(document.noteCount) notes"
            case .wav:
                what = try renderWAV(document, to: sink)
            }
            try sink.close()
        } catch {
            sink.abandon()
            printError("jam export: \(error)")
            throw ExitCode.failure
        }
        if output != "-" {
            printError("jam export: wrote \(output): \(what)\(session.position.map { ", at \($0)" } ?? "")")
        }
    }

    private func renderWAV(_ document: Document, to sink: OutputFile) throws -> String {
        let bar = ProgressBar("rendering")
        defer { bar.finish() }
        var synth = Synthesizer(sampleRate: sampleRate)
        synth.maxSeconds = 4 * 3600
        let audio = try synth.render(document, loops: loops) { bar.update($0 * 0.6) }
        try WAVWriter.write(audio, progress: { bar.update(0.6 + $0 * 0.4) }) { try sink.write($0) }
        if audio.skippedNotes > 0 {
            printError("jam export: \(audio.skippedNotes) notes start after the loop's end and are not in the audio")
        }
        let peak = audio.peak > 0 ? String(format: "%.1f dBFS", 20 * log10(Double(audio.peak))) : "silent"
        return String(format: "%.1f s of audio (%d loop%@) at %d Hz, peak %@", audio.seconds, loops, loops == 1 ? "" : "s", sampleRate, peak)
    }
}

/// A file being written, or standard output. A file is written beside its target and renamed over
/// it when complete, so a failed export leaves no half file.
final class OutputFile {
    private let path: String
    private let temporary: String?
    private let handle: FileHandle

    init(_ path: String, command: String) throws {
        self.path = path
        if path == "-" {
            temporary = nil
            handle = FileHandle.standardOutput
            return
        }
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            printError("jam \(command): cannot write \(path)")
            throw ExitCode.failure
        }
        self.temporary = temporary
        self.handle = handle
    }

    func write(_ bytes: [UInt8]) throws {
        try handle.write(contentsOf: bytes)
    }

    func close() throws {
        guard let temporary else { return }
        try handle.close()
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ExportFailure(description: "cannot write \(path): \(reason)")
        }
    }

    func abandon() {
        guard let temporary else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }
}

struct ExportFailure: Error, CustomStringConvertible {
    var description: String
}
