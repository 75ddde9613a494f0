import JamCore
import JamProtocol

/// What a session's WELCOME says (PROTOCOL.md §3), decided from its state alone, so that the session
/// actor and the chaos simulator (JamProof) run the same decision.
///
/// A WELCOME shows the session at its last *durable* revision, never beyond: operations committed in
/// memory but not yet on disk reach the new member later, as `OP`s (or, its own, as `ACK`s), once they
/// are durable, like everyone else's. A WELCOME that showed them would let a crash take back what a
/// client already built on (the chaos simulator found this: replicas diverged after a restart).
package struct WelcomePlan: Hashable, Sendable {
    /// The revision the WELCOME is at: the session's durable revision.
    package var revision: Int
    /// The hash of the document at `revision`.
    package var hash: String
    /// The document at `revision`, or the operations a rejoining client missed up to it.
    package var content: ServerMessage.Welcome.Content
    /// The rejoin's pending sequences committed by `revision`, with their revisions.
    package var committed: [CommittedSequence]

    /// A fresh join's: the document at the durable revision.
    package static func fresh(state: SessionState) -> WelcomePlan {
        let document = state.durableDocument
        return WelcomePlan(revision: state.durableRevision, hash: document.contentHash, content: .snapshot(document), committed: [])
    }

    /// A rejoin's, or its refusal: `unknown_client` when `rejoin.resume` is not `resume`, the secret the
    /// server gives that client id; `future_revision` when the client claims a revision the session has
    /// not made durable. The operations missed when the session still keeps them all and they are at
    /// most `catchUpOps`; the document otherwise.
    package static func rejoin(_ rejoin: ClientMessage.Rejoin, resume: String, state: SessionState) -> Result<WelcomePlan, ProtocolError> {
        guard resume == rejoin.resume else {
            return .failure(ProtocolError(.unknownClient, "no client \(rejoin.client) with that resume secret here; join afresh", verb: "JOIN"))
        }
        let durable = state.durableRevision
        guard rejoin.revision <= durable else {
            return .failure(ProtocolError(.futureRevision, "revision \(rejoin.revision) is after \(durable)", verb: "JOIN"))
        }
        let document = state.durableDocument
        let content: ServerMessage.Welcome.Content
        if let missed = state.missed(since: rejoin.revision, through: durable) {
            content = .missed(missed.map { CommittedOperation(revision: $0.revision, author: $0.author, op: $0.operation) })
        } else {
            content = .snapshot(document)
        }
        let committed = state.committed(rejoin.pending, by: rejoin.client).filter { $0.revision <= durable }
        return .success(WelcomePlan(revision: durable, hash: document.contentHash, content: content, committed: committed))
    }
}
