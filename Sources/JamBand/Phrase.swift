import JamCore

/// A human phrase: notes of the melody with no rest of about a beat inside.
public struct Phrase: Hashable, Sendable {
    public var notes: [Note]
    public var start: Int { notes.first?.tick ?? 0 }
    /// The end of the last note.
    public var end: Int
    public var length: Int { end - start }

    /// The melody of the humans' melodic tracks (one note at a time, above the bass; the highest
    /// track when none is), the highest note where several start together, cut into phrases at rests
    /// of at least `rest` ticks.
    public static func phrases(of tracks: [HeardTrack], groove: Groove, rest: Int) -> [Phrase] {
        var melodic = Set(groove.registers.filter(\.isMelodic).map(\.track))
        if melodic.isEmpty, let highest = groove.registers.last { melodic = [highest.track] }
        var byStart: [Int: Note] = [:]
        for track in tracks where melodic.contains(track.id) {
            for note in track.notes where (byStart[note.tick]?.pitch ?? -1) < note.pitch { byStart[note.tick] = note }
        }
        let melody = byStart.values.sorted { $0.tick < $1.tick }
        var phrases: [Phrase] = []
        for note in melody {
            if var last = phrases.last, note.tick - last.end < rest {
                last.notes.append(note)
                last.end = max(last.end, note.tick + note.duration)
                phrases[phrases.count - 1] = last
            } else {
                phrases.append(Phrase(notes: [note], end: note.tick + note.duration))
            }
        }
        return phrases
    }
}
