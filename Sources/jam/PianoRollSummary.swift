import JamCore
import JamMIDI

/// A document as text for people: the session's settings, then each track with its sound and mix and a
/// piano roll of its loop — one row per pitch used (drum names on drum tracks), one column per cell of
/// at least a 16th note, `#` where a note starts, `=` while it sounds, `|` at bar lines.
struct PianoRollSummary {
    /// The widest roll, in cells; longer loops use longer cells.
    var maxCells = 96

    func render(_ document: Document, position: String?) -> String {
        let bar = document.meter.ticksPerBar()
        let loop = document.loopBars * bar
        var out = "\(document.title) — \(format(document.tempo)) bpm, \(document.meter), \(document.key.map(\.description) ?? "no key"), "
            + "loop \(document.loopBars) bar\(document.loopBars == 1 ? "" : "s"), \(document.tracks.count) track\(document.tracks.count == 1 ? "" : "s"), \(document.noteCount) notes\n"
        if let position { out += position + "\n" }
        out += "hash \(document.contentHash)\n"
        let cell = cellTicks(loop: loop)
        let anySolo = document.tracks.contains { $0.solo }
        for track in document.tracks {
            var flags: [String] = []
            if track.mute { flags.append("muted") }
            if track.solo { flags.append("solo") }
            if anySolo && !track.solo && !track.mute { flags.append("silent: another track is solo") }
            let channel = track.instrument == .drums ? GeneralMIDI.drumChannel + 1 : track.channel + 1
            out += "\n\(track.name) [\(track.id)] — \(GeneralMIDI.name(track.instrument)), channel \(channel), volume \(track.volume), pan \(track.pan)"
            if !track.owner.isEmpty { out += ", owner \(track.owner)" }
            if !flags.isEmpty { out += " (\(flags.joined(separator: ", ")))" }
            out += ", \(track.notes.count) note\(track.notes.count == 1 ? "" : "s")\n"
            out += roll(track, loop: loop, bar: bar, cell: cell)
        }
        return out
    }

    func cellTicks(loop: Int) -> Int {
        let sixteenth = Document.ppq / 4
        let sixteenths = (loop + sixteenth - 1) / sixteenth
        return max(1, (sixteenths + maxCells - 1) / maxCells) * sixteenth
    }

    private func roll(_ track: Track, loop: Int, bar: Int, cell: Int) -> String {
        let inLoop = track.notes.values.filter { $0.tick < loop }
        let outside = track.notes.count - inLoop.count
        guard !inLoop.isEmpty else {
            return outside > 0 ? "  (\(outside) notes after the loop's end)\n" : ""
        }
        let cells = (loop + cell - 1) / cell
        let drums = track.instrument == .drums
        let label: (Int) -> String = { pitch in
            drums ? "\(GeneralMIDI.drumName(pitch) ?? "Drum \(pitch)") \(pitch)" : GeneralMIDI.noteName(pitch)
        }
        let pitches = Set(inLoop.map(\.pitch)).sorted(by: >)
        let width = pitches.map { label($0).count }.max() ?? 0
        var out = ""
        for pitch in pitches {
            var row = [Character](repeating: ".", count: cells)
            for note in inLoop where note.pitch == pitch {
                let first = note.tick / cell
                let last = min(cells - 1, (min(note.tick + note.duration, loop) - 1) / cell)
                if last > first { for c in (first + 1)...last where row[c] == "." { row[c] = "=" } }
                row[first] = "#"
            }
            var line = "  " + label(pitch).padding(toLength: width, withPad: " ", startingAt: 0) + " |"
            for (c, mark) in row.enumerated() {
                if c > 0 && (c * cell) % bar == 0 { line += "|" }
                line.append(mark)
            }
            out += line + "|\n"
        }
        if outside > 0 { out += "  (and \(outside) notes after the loop's end)\n" }
        return out
    }

    private func format(_ tempo: Double) -> String {
        tempo == tempo.rounded() ? String(Int(tempo)) : String(tempo)
    }
}
