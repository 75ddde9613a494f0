import JamCore

/// Plays a recorded session back: its operations in order, with their original timing scaled by a
/// speed, pausable and steppable both ways. Pure: the caller says how much time passed.
public struct ReplayPlayer: Sendable {
    /// One recorded edit: when it was committed (milliseconds since 1970) and what it did.
    public struct Step: Hashable, Sendable {
        public var revision: Int
        public var time: Int64
        public var author: String
        public var operation: JamCore.Operation

        public init(revision: Int, time: Int64, author: String, operation: JamCore.Operation) {
            self.revision = revision
            self.time = time
            self.author = author
            self.operation = operation
        }
    }

    /// A recorded pause longer than this is cut to it (at speed 1), so a jam with a coffee break in it
    /// does not keep the screen still for an hour.
    public static let longestPause: Int64 = 3000

    public private(set) var document: Document
    public let steps: [Step]
    /// How many steps are applied to ``document``.
    public private(set) var position = 0
    public var speed: Double
    public var isPaused = false
    /// Milliseconds of replay time waited since the last step.
    private var waited = 0.0

    /// A player at the document before `steps` (their revisions follow on from it).
    public init(start: Document, steps: [Step], speed: Double = 1) {
        document = start
        self.steps = steps
        self.speed = speed
    }

    public var isFinished: Bool { position == steps.count }
    /// The revision ``document`` is at.
    public var revision: Int { position == 0 ? (steps.first.map { $0.revision - 1 } ?? 0) : steps[position - 1].revision }
    /// The last step applied, if any.
    public var current: Step? { position == 0 ? nil : steps[position - 1] }

    /// Lets `elapsed` real milliseconds pass; true when the document changed.
    public mutating func advance(by elapsed: Double) -> Bool {
        guard !isPaused, !isFinished else { return false }
        waited += elapsed * speed
        var changed = false
        while !isFinished {
            let gap = min(Self.longestPause, max(0, steps[position].time - (current?.time ?? steps[position].time)))
            guard waited >= Double(gap) else { break }
            waited -= Double(gap)
            changed = stepForward() || changed
        }
        return changed
    }

    /// Applies the next step; false at the end (or if the recorded step does not apply).
    @discardableResult
    public mutating func stepForward() -> Bool {
        guard !isFinished, (try? document.apply(steps[position].operation)) != nil else { return false }
        position += 1
        return true
    }

    /// Undoes the last step applied; false at the start.
    @discardableResult
    public mutating func stepBack() -> Bool {
        guard position > 0, (try? document.apply(steps[position - 1].operation.inverse)) != nil else { return false }
        position -= 1
        waited = 0
        return true
    }
}
