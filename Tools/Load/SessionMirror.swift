import JamCore
import NIOConcurrencyHelpers

/// One session's document as its keeper client last saw it, shared with the session's other clients
/// of this process: they make their random edits on it without decoding every broadcast themselves,
/// so the generator spends its time on the wire, not on replicas.
final class SessionMirror: Sendable {
    private let state = NIOLockedValueBox<(document: Document, revision: Int)?>(nil)

    func publish(_ document: Document, revision: Int) {
        state.withLockedValue { $0 = (document, revision) }
    }

    /// The latest document and its revision; nil before the keeper joined.
    var snapshot: (document: Document, revision: Int)? { state.withLockedValue { $0 } }
}
