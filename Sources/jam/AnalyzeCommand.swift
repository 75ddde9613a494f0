import ArgumentParser
import Foundation
import JamBand
import JamCore

/// `jam analyze`: the key and the chord of every beat, as the bandmate hears them.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Print the key and the chord of every beat of a piece, as the AI bandmate hears them.",
        discussion: """
            FILE is a Standard MIDI File, a session log, or a document JSON file. The analysis is the \
            bandmate's own: key by the Krumhansl–Kessler and Temperley profiles, smoothed over the bars and \
            confirmed by the harmony; chords by template matching and segmentation per beat or half bar. \
            Drum tracks count for the groove only. With no pitched notes, the chords printed are the \
            progression the bandmate would propose (--style).
            """
    )

    @OptionGroup var source: SessionSourceOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(name: .customLong("ignore"), help: ArgumentHelp("A track id not to listen to (repeat for more).", valueName: "TRACK"))
    var ignored: [String] = []

    @Option(help: ArgumentHelp("The style whose progression is proposed when there is no harmony.", valueName: "STYLE"))
    var style: String = "rock"

    func run() async throws {
        guard let style = Style(name: style) else {
            throw ValidationError("unknown style \(self.style); one of \(Style.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let (document, position) = try await load()
        let reading = Listener(ignoring: Set(ignored), style: style).read(document)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let report = AnalysisReport(file: source.file ?? "session \(source.session ?? "")", revision: position, reading: reading, tempo: document.tempo)
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        } else {
            print(text(reading, document: document, position: position))
        }
    }

    /// The document to read, and its revision when it came from a log.
    func load() async throws -> (Document, Int?) {
        let loaded = try await source.load("analyze")
        return (loaded.document, loaded.revision)
    }

    func text(_ reading: Reading, document: Document, position: Int?) -> String {
        var lines: [String] = []
        let at = position.map { " at revision \($0)" } ?? ""
        lines.append("\(source.file ?? "session \(source.session ?? "")")\(at): \(document.meter), \(reading.bars) bars, \(String(format: "%g", document.tempo)) bpm")
        let swing = reading.groove.swing.map { "swing \(format($0))" } ?? "straight"
        lines.append(
            "key: \(reading.key.name)" + (reading.proposed ? " (nothing to hear: the progression is a proposal)" : " (correlation \(format(reading.keyCorrelation)), lead \(format(reading.keyMargin)))"))
        lines.append("groove: \(format(reading.groove.meanDensity)) onsets a beat, \(swing)")
        lines.append(reading.summary(maxBars: 16))
        let perBar = reading.grid.beatsPerBar
        var lastKey = reading.key
        for beat in 0..<reading.beats {
            let bar = beat / perBar
            let chord = reading.chord(atBeat: beat)
            let key = reading.key(atBar: bar)
            let confidence = reading.segment(atBeat: beat)?.confidence ?? 0
            var line = "\(bar + 1).\(beat % perBar + 1)".padding(toLength: 7, withPad: " ", startingAt: 0)
            line += chord.symbol(in: key).padding(toLength: 8, withPad: " ", startingAt: 0) + format(confidence)
            if key != lastKey {
                line += "  (now in \(key.name))"
                lastKey = key
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

private func format(_ value: Double) -> String {
    String(format: "%.2f", value)
}

/// The analysis as JSON: what `jam analyze --json` prints.
struct AnalysisReport: Encodable {
    struct KeyReport: Encodable {
        var tonic: String
        var mode: String
        var name: String
        var correlation: Double
        var margin: Double
    }

    struct Beat: Encodable {
        var bar: Int
        var beat: Int
        var tick: Int
        var chord: String
        var root: String
        var quality: String
        var confidence: Double
        var key: String
    }

    struct Segment: Encodable {
        var startBeat: Int
        var beats: Int
        var chord: String
        var confidence: Double
    }

    struct Register: Encodable {
        var track: String
        var low: Int
        var median: Int
        var high: Int
    }

    struct GrooveReport: Encodable {
        var onsetsPerBeat: Double
        var swing: Double?
        var registers: [Register]
    }

    var file: String
    var revision: Int?
    var meter: String
    var tempo: Double
    var bars: Int
    var proposed: Bool
    var key: KeyReport
    var summary: String
    var beats: [Beat]
    var segments: [Segment]
    var groove: GrooveReport

    init(file: String, revision: Int?, reading: Reading, tempo: Double) {
        self.file = file
        self.revision = revision
        meter = reading.grid.meter.description
        self.tempo = tempo
        bars = reading.bars
        proposed = reading.proposed
        let key = reading.key
        self.key = KeyReport(
            tonic: key.key.tonic, mode: key.mode.rawValue, name: key.name, correlation: reading.keyCorrelation, margin: reading.keyMargin)
        summary = reading.summary(maxBars: reading.bars)
        let perBar = reading.grid.beatsPerBar
        beats = (0..<reading.beats).map { beat in
            let chord = reading.chord(atBeat: beat)
            let barKey = reading.key(atBar: beat / perBar)
            return Beat(
                bar: beat / perBar + 1, beat: beat % perBar + 1, tick: reading.grid.tick(ofBeat: beat), chord: chord.symbol(in: barKey),
                root: PitchClass.name(chord.root, flats: barKey.prefersFlats), quality: chord.quality.rawValue,
                confidence: reading.segment(atBeat: beat)?.confidence ?? 0, key: barKey.name)
        }
        segments = reading.segments.map {
            Segment(startBeat: $0.startBeat, beats: $0.beats, chord: $0.chord.symbol(in: reading.key(atBar: $0.startBeat / perBar)), confidence: $0.confidence)
        }
        groove = GrooveReport(
            onsetsPerBeat: reading.groove.meanDensity, swing: reading.groove.swing,
            registers: reading.groove.registers.map { Register(track: $0.track, low: $0.low, median: $0.median, high: $0.high) })
    }
}
