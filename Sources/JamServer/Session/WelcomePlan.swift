import JamCore
import JamProtocol

/// What a session's WELCOME says (PROTOCOL.md §3), decided from its state alone, so that the session
/// actor and the chaos simulator (JamProof) run the same decision.
///
/// The plan describes the session at its current `revision`, which may not be durable yet: the session
/// holds the WELCOME back in its ``ReleaseQueue`` until it is, as it does ACKs and OPs, so that no crash
/// can take back what a client was shown (the chaos simulator found replicas diverging after a restart
/// when WELCOME went out at once).
package struct WelcomePlan: Hashable, Sendable {
    /// The revision the WELCOME is at.
    package var revision: Int
    /// The hash of the document at `revision`.
    package var hash: String
    /// The document at `revision`, or the operations a rejoining client missed up to it.
    package var content: ServerMessage.Welcome.Content
    /// The rejoin's pending sequences already committed, with their revisions.
    package var committed: [CommittedSequence]

    /// A fresh join's: the document.
    package static func fresh(state: SessionState) -> WelcomePlan {
        WelcomePlan(revision: state.revision, hash: state.document.contentHash, content: .snapshot(state.document), committed: [])
    }

    /// A rejoin's, or its refusal: `unknown_client` when `rejoin.resume` is not `resume`, the secret the
    /// server gives that client id; `future_revision` when the client claims a revision the session has
    /// not reached. The operations missed when the session still keeps them all and they are at most
    /// `catchUpOps`; the document otherwise.
    package static func rejoin(_ rejoin: ClientMessage.Rejoin, resume: String, state: SessionState) -> Result<WelcomePlan, ProtocolError> {
        guard resume == rejoin.resume else {
            return .failure(ProtocolError(.unknownClient, "no client \(rejoin.client) with that resume secret here; join afresh", verb: "JOIN"))
        }
        guard rejoin.revision <= state.revision else {
            return .failure(ProtocolError(.futureRevision, "revision \(rejoin.revision) is after \(state.revision)", verb: "JOIN"))
        }
        let content: ServerMessage.Welcome.Content
        if let missed = state.missed(since: rejoin.revision) {
            content = .missed(missed.map { CommittedOperation(revision: $0.revision, author: $0.author, op: $0.operation) })
        } else {
            content = .snapshot(state.document)
        }
        return .success(WelcomePlan(
            revision: state.revision, hash: state.document.contentHash, content: content,
            committed: state.committed(rejoin.pending, by: rejoin.client)))
    }
}
