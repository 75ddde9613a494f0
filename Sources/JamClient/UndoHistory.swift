import JamCore

/// One author's undo and redo stacks, after ot.js's `UndoManager`.
///
/// Each stack is a path back from the document as it is now: its top entry applies to the current
/// document, the entry below it to the document that the top leaves, and so on. The author's own edits
/// are ``record(_:tag:)``ed; every other operation applied to the document (edits of others, as applied
/// to this replica) is passed to ``transform(against:)``, which rewrites both stacks to apply after it,
/// the other operation winning every tie. So an undo inverts only what the author did, over everything
/// done since, and never reverts someone else's edit: an entry whose whole effect someone else has
/// replaced or removed transforms into nothing and is dropped.
///
/// Entries carry a `tag`, the number of the local edit they came from, so that an edit the server
/// refused can be taken out of the stacks again (``forget(_:revertedBy:)``).
public struct UndoHistory: Hashable, Sendable {
    /// One step of a stack: the operation that undoes (or redoes) one edit.
    public struct Entry: Hashable, Sendable {
        /// Valid on the document as the entries above it leave it (the top one: the current document).
        public var operation: Operation
        /// The number of the local edit this entry came from.
        public var tag: Int

        public init(operation: Operation, tag: Int) {
            self.operation = operation
            self.tag = tag
        }
    }

    /// What undo applies, the next one last.
    public private(set) var undoStack: [Entry] = []
    /// What redo applies, the next one last.
    public private(set) var redoStack: [Entry] = []
    /// The most entries a stack keeps; the oldest go first. Every remote operation is transformed
    /// against every entry, so this bounds that cost.
    public var limit: Int
    /// How many entries were dropped because they no longer applied when their turn came. Stays 0 unless
    /// a refusal or a snapshot broke a stack's path.
    public private(set) var discarded = 0

    /// An empty history keeping at most `limit` steps each way.
    public init(limit: Int = 500) {
        self.limit = max(1, limit)
    }

    public var canUndo: Bool { !undoStack.isEmpty }
    public var canRedo: Bool { !redoStack.isEmpty }

    /// Records an edit the author has just applied to the document: it becomes the next undo, and what
    /// could be redone is forgotten.
    public mutating func record(_ operation: Operation, tag: Int = 0) {
        guard !operation.isEmpty else { return }
        push(Entry(operation: operation.inverse, tag: tag), on: &undoStack)
        redoStack.removeAll()
    }

    /// An operation not recorded here (an edit of others, as applied to this replica) was applied to the
    /// document: rewrites both stacks to apply after it. It wins every tie, so no entry reverts it.
    public mutating func transform(against operation: Operation) {
        guard !operation.isEmpty else { return }
        undoStack = Self.transform(undoStack, against: operation)
        redoStack = Self.transform(redoStack, against: operation)
    }

    /// Takes the next undo off the stack and applies it to `document` (the document the stacks are
    /// about); it goes to the redo stack under `tag`. Returns the operation applied, or nil when there is
    /// nothing to undo. An entry that no longer applies (possible only after a refusal or a snapshot
    /// broke the path) is dropped and the next one is tried.
    public mutating func undo(applyingTo document: inout Document, tag: Int = 0) -> Operation? {
        guard let operation = Self.pop(&undoStack, applyingTo: &document, discarded: &discarded) else { return nil }
        push(Entry(operation: operation.inverse, tag: tag), on: &redoStack)
        return operation
    }

    /// Takes the next redo off the stack and applies it to `document`; its inverse becomes the next undo,
    /// under `tag`. Returns the operation applied, or nil when there is nothing to redo.
    public mutating func redo(applyingTo document: inout Document, tag: Int = 0) -> Operation? {
        guard let operation = Self.pop(&redoStack, applyingTo: &document, discarded: &discarded) else { return nil }
        push(Entry(operation: operation.inverse, tag: tag), on: &undoStack)
        return operation
    }

    /// Takes the entries of the local edits numbered `tags` out of both stacks, those edits having been
    /// refused by the server and reverted on the document by `revert`.
    ///
    /// In a stack that holds some of them, each is removed from the path and the entries above it are
    /// rewritten as if its edit had never been made (the later edits winning ties, as they do in the
    /// revert). A stack that holds none of them is transformed against `revert`.
    public mutating func forget(_ tags: Range<Int>, revertedBy revert: Operation) {
        undoStack = Self.forget(tags, in: undoStack, revert: revert)
        redoStack = Self.forget(tags, in: redoStack, revert: revert)
    }

    /// Forgets everything, as after the document was replaced by a snapshot.
    public mutating func clear() {
        undoStack.removeAll()
        redoStack.removeAll()
    }

    // MARK: - Stacks

    private func push(_ entry: Entry, on stack: inout [Entry]) {
        guard !entry.operation.isEmpty else { return }
        stack.append(entry)
        if stack.count > limit { stack.removeFirst(stack.count - limit) }
    }

    private static func pop(_ stack: inout [Entry], applyingTo document: inout Document, discarded: inout Int) -> Operation? {
        while let entry = stack.popLast() {
            if (try? document.apply(entry.operation)) != nil { return entry.operation }
            discarded += 1
        }
        return nil
    }

    /// ot.js's `transformStack`: from the top down, each entry against the operation as it stands at
    /// that entry's level.
    static func transform(_ stack: [Entry], against operation: Operation) -> [Entry] {
        var other = operation
        var result: [Entry] = []
        result.reserveCapacity(stack.count)
        var index = stack.endIndex
        while index > stack.startIndex, !other.isEmpty {
            index -= 1
            let (mine, theirs) = JamCore.transform(stack[index].operation, other, aWins: false)
            if !mine.isEmpty { result.append(Entry(operation: mine, tag: stack[index].tag)) }
            other = theirs
        }
        // Below the level where the operation became nothing, the entries are unchanged.
        return Array(stack[..<index]) + result.reversed()
    }

    /// Removes the entries tagged `tags` from a path, highest first (see ``forget(_:revertedBy:)``).
    static func forget(_ tags: Range<Int>, in stack: [Entry], revert: Operation) -> [Entry] {
        guard stack.contains(where: { tags.contains($0.tag) }) else { return transform(stack, against: revert) }
        var stack = stack
        var k = stack.endIndex
        while k > stack.startIndex {
            k -= 1
            guard tags.contains(stack[k].tag) else { continue }
            // `undoing` takes the document from after the forgotten edit to before it. Carry it up the
            // path: each later edit is rewritten to apply without the forgotten one.
            var undoing = stack[k].operation
            var above: [Entry] = []
            for entry in stack[(k + 1)...] {
                let edit = entry.operation.inverse
                let (edit2, undoing2) = JamCore.transform(edit, undoing, aWins: true)
                if !edit2.isEmpty { above.append(Entry(operation: edit2.inverse, tag: entry.tag)) }
                undoing = undoing2
            }
            stack = Array(stack[..<k]) + above
        }
        return stack
    }
}
