/// A colour for each participant, assigned the first time the roster shows them and kept for the rest
/// of the session, so that a person's cursor, notes and name always share one colour.
///
/// Each newcomer gets the least used colour of the palette (the earliest on a tie), so that up to
/// `palette.count` people all differ. A client never seen in the roster (the owner of a track who has
/// left) gets a colour from a hash of its id, the same every time.
public struct PeerColors: Hashable, Sendable {
    public static let palette: [Color] = [
        .brightCyan, .brightMagenta, .brightYellow, .brightGreen, .brightBlue, .brightRed,
        .cyan, .magenta, .yellow, .green, .blue, .red,
    ]

    private var assigned: [String: Int] = [:]

    public init() {}

    /// Gives each client that has none a colour, in order.
    public mutating func assign(_ clients: some Sequence<String>) {
        for client in clients where assigned[client] == nil {
            var uses = Array(repeating: 0, count: Self.palette.count)
            for index in assigned.values { uses[index] += 1 }
            let least = uses.min()!
            assigned[client] = uses.firstIndex(of: least)!
        }
    }

    public func color(of client: String) -> Color {
        if let index = assigned[client] { return Self.palette[index] }
        // FNV-1a: stable across runs, unlike Hasher.
        var hash: UInt32 = 2_166_136_261
        for byte in client.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return Self.palette[Int(hash % UInt32(Self.palette.count))]
    }
}
