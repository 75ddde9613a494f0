import JamCore

/// A human track as the bandmate hears it: its id and its notes in time order.
public struct HeardTrack: Hashable, Sendable {
    public var id: String
    public var isDrums: Bool
    public var notes: [Note]

    public init(_ track: Track) {
        id = track.id
        isDrums = track.instrument == .drums || track.channel == 9
        notes = track.sortedNotes
    }
}
