/// The ten kinds of component, in the order DOCUMENT.md §4 writes the transform's pair rules. Names a kind
/// without its payload: to generate or check components of one kind (`RandomEdits.component(ofKind:on:)`,
/// `Convergence.checkTP1(kinds:pairs:seed:from:)`).
public enum ComponentKind: Int, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case trackAdd, trackRemove, trackMove, trackSet, noteAdd, noteRemove, noteSet, timeInsert, timeRemove, sessionSet

    /// The kind's `type` on the wire (`note.set`).
    public var type: String {
        switch self {
        case .trackAdd: "track.add"
        case .trackRemove: "track.remove"
        case .trackMove: "track.move"
        case .trackSet: "track.set"
        case .noteAdd: "note.add"
        case .noteRemove: "note.remove"
        case .noteSet: "note.set"
        case .timeInsert: "time.insert"
        case .timeRemove: "time.remove"
        case .sessionSet: "session.set"
        }
    }

    /// The kind whose wire `type` this is.
    public init?(type: String) {
        guard let kind = Self.allCases.first(where: { $0.type == type }) else { return nil }
        self = kind
    }

    public var description: String { type }
}

extension Component {
    /// This component's kind.
    public var componentKind: ComponentKind {
        switch self {
        case .trackAdd: .trackAdd
        case .trackRemove: .trackRemove
        case .trackMove: .trackMove
        case .trackSet: .trackSet
        case .noteAdd: .noteAdd
        case .noteRemove: .noteRemove
        case .noteSet: .noteSet
        case .timeInsert: .timeInsert
        case .timeRemove: .timeRemove
        case .sessionSet: .sessionSet
        }
    }
}
