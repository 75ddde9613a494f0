/// How hard one chaos session shakes the system: how many members, how long, and how often each fault
/// strikes. Chances are per tick of virtual time unless said otherwise; ranges are drawn per session.
public struct ChaosConfig: Sendable, Hashable {
    /// Members per session (players, one listener and the AI bandmates among them), drawn as
    /// `lowerBound + span × u^membersSkew` for a uniform u: a skew above 1 makes most sessions small
    /// and a few large (a session's cost grows with the square of its members).
    public var members: ClosedRange<Int>
    public var membersSkew: Double
    /// Ticks of activity before the faults stop and everything drains.
    public var ticks: Int
    /// Chance in a thousand that a player edits (or undoes, or redoes) in a tick.
    public var actPerMille: Int
    /// Of a player's actions, the percentage that are undos, and that are redos.
    public var undoPercent: Int
    public var redoPercent: Int
    /// Percentage of members that join only after the session has started.
    public var lateJoinPercent: Int
    /// Members that are listeners, and AI bandmates.
    public var listeners: Int
    public var bandmates: Int
    /// Most ticks a message takes on a link (each link stays in order).
    public var maxDelay: Int
    /// Chance in a thousand, per connection and tick, that it breaks.
    public var breakPerMille: Int
    /// Percentage of rejoins after which the member sends its last OP once more although the WELCOME
    /// said it was committed (the protocol's tolerated duplicate: the server acknowledges it again).
    public var resendPercent: Int
    /// Ticks a member waits before reconnecting.
    public var reconnectDelay: ClosedRange<Int>
    /// Chance in a thousand, per tick, that the server process dies, and that it restarts cleanly.
    public var crashPerMille: Int
    public var cleanRestartPerMille: Int
    /// Ticks the server stays down.
    public var downtime: ClosedRange<Int>
    /// Ticks a log write (one group-commit batch) takes.
    public var writeLatency: ClosedRange<Int>
    /// The log's snapshot interval, drawn per session, so that recovery starts from snapshots too.
    public var snapshotInterval: ClosedRange<Int>
    /// The server's catch-up and transform windows, drawn per session: small values force snapshot
    /// rejoins and `revision_too_old` refusals.
    public var catchUpOps: ClosedRange<Int>
    public var transformWindow: ClosedRange<Int>
    /// Sync the log after every batch, as the server does (off only to measure what sync costs).
    public var sync: Bool
    /// Every message crosses the link as its encoded line and is decoded on arrival.
    public var wire: Bool
    /// Check after every server event a member handles that its view of the server is the document of
    /// a durable revision.
    public var checkEveryEvent: Bool

    public init(
        members: ClosedRange<Int> = 5...7, membersSkew: Double = 1, ticks: Int = 80, actPerMille: Int = 120, undoPercent: Int = 12,
        redoPercent: Int = 10, lateJoinPercent: Int = 20, listeners: Int = 1, bandmates: Int = 1, maxDelay: Int = 4,
        breakPerMille: Int = 8, resendPercent: Int = 50, reconnectDelay: ClosedRange<Int> = 1...8, crashPerMille: Int = 10,
        cleanRestartPerMille: Int = 3, downtime: ClosedRange<Int> = 1...6, writeLatency: ClosedRange<Int> = 0...6,
        snapshotInterval: ClosedRange<Int> = 4...60, catchUpOps: ClosedRange<Int> = 3...40,
        transformWindow: ClosedRange<Int> = 8...80, sync: Bool = true, wire: Bool = true, checkEveryEvent: Bool = true
    ) {
        self.members = members
        self.membersSkew = membersSkew
        self.ticks = ticks
        self.actPerMille = actPerMille
        self.undoPercent = undoPercent
        self.redoPercent = redoPercent
        self.lateJoinPercent = lateJoinPercent
        self.listeners = listeners
        self.bandmates = bandmates
        self.maxDelay = maxDelay
        self.breakPerMille = breakPerMille
        self.resendPercent = resendPercent
        self.reconnectDelay = reconnectDelay
        self.crashPerMille = crashPerMille
        self.cleanRestartPerMille = cleanRestartPerMille
        self.downtime = downtime
        self.writeLatency = writeLatency
        self.snapshotInterval = snapshotInterval
        self.catchUpOps = catchUpOps
        self.transformWindow = transformWindow
        self.sync = sync
        self.wire = wire
        self.checkEveryEvent = checkEveryEvent
    }

    /// Small sessions for CI: thousands of them run in well under a minute.
    public static let ci = ChaosConfig()

    /// The long mode's sessions: 5–50 members (most sessions small, one in eight over 30), longer runs,
    /// larger windows.
    public static let long = ChaosConfig(
        members: 5...50, membersSkew: 3, ticks: 200, actPerMille: 60, catchUpOps: 3...200, transformWindow: 8...400)
}
