/// A playing style: it picks the drum templates, the bass and comping rhythms, and the swing.
public enum Style: String, CaseIterable, Codable, Hashable, Sendable {
    case rock, funk, swing, bossa, ballad, house

    /// Parses a style name as people type it ("Bossa Nova", "bossa-nova", "bossa").
    public init?(name: String) {
        let folded = name.lowercased().filter { $0.isLetter }
        switch folded {
        case "bossanova": self = .bossa
        case "jazz": self = .swing
        default: self.init(rawValue: folded)
        }
    }
}
