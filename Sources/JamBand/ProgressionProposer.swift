/// Proposes a progression when the humans have played no harmony yet (only drums, or nothing): a
/// common one for the style, in the session's key, one chord a bar.
public struct ProgressionProposer: Sendable {
    public init() {}

    /// A chord relative to the key: semitones above the tonic and a quality.
    private typealias Step = (offset: Int, quality: ChordQuality)

    private func choices(_ style: Style, _ mode: Tonality.Mode) -> [[Step]] {
        switch (style, mode) {
        case (.rock, .major): [[(0, .major), (7, .major), (9, .minor), (5, .major)], [(0, .major), (5, .major), (7, .major), (5, .major)]]
        case (.rock, .minor): [[(0, .minor), (8, .major), (3, .major), (10, .major)], [(0, .minor), (10, .major), (8, .major), (10, .major)]]
        case (.funk, .major): [[(0, .dominant7), (0, .dominant7), (5, .dominant7), (5, .dominant7)]]
        case (.funk, .minor): [[(0, .minor7), (0, .minor7), (5, .dominant7), (5, .dominant7)], [(0, .minor7), (5, .minor7), (0, .minor7), (7, .minor7)]]
        case (.swing, .major): [[(0, .major7), (9, .minor7), (2, .minor7), (7, .dominant7)], [(2, .minor7), (7, .dominant7), (0, .major7), (0, .major7)]]
        case (.swing, .minor): [[(2, .halfDiminished7), (7, .dominant7), (0, .minor7), (0, .minor7)]]
        case (.bossa, .major): [[(0, .major7), (0, .major7), (2, .dominant7), (2, .dominant7), (2, .minor7), (7, .dominant7), (0, .major7), (0, .major7)]]
        case (.bossa, .minor): [[(0, .minor7), (5, .minor7), (7, .dominant7), (0, .minor7)]]
        case (.ballad, .major): [[(0, .major), (9, .minor), (5, .major), (7, .major)], [(0, .major), (4, .minor), (5, .major), (7, .major)]]
        case (.ballad, .minor): [[(0, .minor), (8, .major), (5, .minor), (7, .major)]]
        case (.house, .major): [[(9, .minor), (5, .major), (0, .major), (7, .major)], [(0, .major), (7, .major), (9, .minor), (5, .major)]]
        case (.house, .minor): [[(0, .minor), (8, .major), (3, .major), (10, .major)], [(0, .minor), (5, .minor), (8, .major), (7, .major)]]
        }
    }

    /// One chord for each of `bars` bars, the pattern repeated; `seed` picks among the style's patterns.
    public func progression(key: Tonality, style: Style, bars: Int, seed: UInt64) -> [Chord] {
        let options = choices(style, key.mode)
        let pattern = options[Int(seed % UInt64(options.count))]
        return (0..<max(0, bars)).map { bar in
            let step = pattern[bar % pattern.count]
            return Chord(root: key.tonic + step.offset, quality: step.quality)
        }
    }
}
