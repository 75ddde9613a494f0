/// What a session's bandmates hear, read once. They listen to the same humans (each ignores its own
/// and the other bandmates' tracks), so the first to read a state of the session reads it for all:
/// four parts regenerate for the cost of one reading, which matters on two cores.
public actor BandEar {
    private struct Key: Hashable {
        var hearing: Listener.Hearing
        var style: Style
        var seed: UInt64
    }

    private var last: (key: Key, reading: Task<Reading, Never>)?

    public init() {}

    /// `listener`'s reading of what it hears: the last one made, when that was of the same hearing, style
    /// and seed. Listeners must otherwise differ only in what they ignore, as bandmates' do.
    public func reading(of hearing: Listener.Hearing, by listener: Listener) async -> Reading {
        let key = Key(hearing: hearing, style: listener.style, seed: listener.seed)
        if let last, last.key == key { return await last.reading.value }
        let reading = Task.detached { listener.read(key.hearing) }
        last = (key, reading)
        return await reading.value
    }
}
