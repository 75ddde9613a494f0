/// Pitch classes (0 = C … 11 = B) and their names: the arithmetic every part of the bandmate shares.
public enum PitchClass {
    static let sharpNames = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
    static let flatNames = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]

    /// The pitch class of a MIDI note number or any integer interval.
    public static func of(_ pitch: Int) -> Int {
        ((pitch % 12) + 12) % 12
    }

    /// The name of a pitch class, spelt with flats or sharps as the key prefers.
    public static func name(_ pitchClass: Int, flats: Bool) -> String {
        (flats ? flatNames : sharpNames)[of(pitchClass)]
    }

    /// Parses a pitch name: a letter and any number of sharps (`#`, `♯`) or flats (`b`, `♭`).
    public static func parse(_ name: Substring) -> Int? {
        guard let letter = name.first, let natural = ["C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11][String(letter).uppercased()] else {
            return nil
        }
        var pitchClass = natural
        for accidental in name.dropFirst() {
            switch accidental {
            case "#", "♯": pitchClass += 1
            case "b", "♭": pitchClass -= 1
            default: return nil
            }
        }
        return of(pitchClass)
    }

    /// The smallest signed distance from one pitch class to another, −5…6.
    public static func distance(from a: Int, to b: Int) -> Int {
        let d = of(b - a)
        return d > 6 ? d - 12 : d
    }
}
