extension Component {
    /// The components that undo this one on the document it produced.
    public var inverse: [Component] {
        switch self {
        case .trackAdd(let index, let track): [.trackRemove(index: index, track: track)]
        case .trackRemove(let index, let track): [.trackAdd(index: index, track: track)]
        case .trackMove(let track, let from, let to): [.trackMove(track: track, from: to, to: from)]
        case .trackSet(let track, let value, let old): [.trackSet(track: track, value: old, old: value)]
        case .noteAdd(let track, let note): [.noteRemove(track: track, note: note)]
        case .noteRemove(let track, let note): [.noteAdd(track: track, note: note)]
        case .noteSet(let track, let note, let field, let value, let old):
            [.noteSet(track: track, note: note, field: field, value: old, old: value)]
        case .timeInsert(let at, let span): [.timeRemove(at: at, span: span, removed: [])]
        case .timeRemove(let at, let span, let removed):
            [.timeInsert(at: at, span: span)] + removed.map { .noteAdd(track: $0.track, note: $0.note) }
        case .sessionSet(let value, let old): [.sessionSet(value: old, old: value)]
        }
    }
}

extension Operation {
    /// The operation that undoes this one on the document it produced.
    public var inverse: Operation {
        Operation(components.reversed().flatMap(\.inverse))
    }

    /// One operation equal to applying `operations` in order.
    public static func compose(_ operations: [Operation]) -> Operation {
        var result: [Component] = []
        for component in operations.lazy.flatMap(\.components) {
            if let last = result.last, let merged = last.merging(component) {
                result[result.count - 1] = merged
            } else {
                result.append(component)
            }
        }
        return Operation(result)
    }

    /// This operation followed by `other`.
    public func composed(with other: Operation) -> Operation {
        .compose([self, other])
    }
}

extension Component {
    /// `self` then `next` as one set, when both set the same field of the same target. Two sets of a
    /// note's tick stay apart: against a concurrent `time.remove`, the path through the span matters.
    func merging(_ next: Component) -> Component? {
        switch (self, next) {
        case let (.trackSet(t1, v1, old), .trackSet(t2, v2, o2)) where t1 == t2 && v1.field == v2.field && v1 == o2:
            .trackSet(track: t1, value: v2, old: old)
        case let (.noteSet(t1, n1, f1, v1, old), .noteSet(t2, n2, f2, v2, o2))
        where t1 == t2 && n1 == n2 && f1 == f2 && f1 != .tick && v1 == o2:
            .noteSet(track: t1, note: n1, field: f1, value: v2, old: old)
        case let (.sessionSet(v1, old), .sessionSet(v2, o2)) where v1.field == v2.field && v1 == o2:
            .sessionSet(value: v2, old: old)
        default:
            nil
        }
    }
}
