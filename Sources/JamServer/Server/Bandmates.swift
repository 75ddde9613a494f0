import JamProtocol

/// Starts and stops AI bandmates for the server's INVITE and DISMISS (PROTOCOL.md §2.2).
///
/// The server only relays the request: a bandmate joins the session over TLS like any client, so it
/// gets no privilege a human lacks. `jam serve` plugs in JamBand's implementation; a server without
/// one answers INVITE with `unavailable`.
public protocol Bandmates: Sendable {
    /// Starts a bandmate in `session`, asked for by `requester`, which connects to this server on `port`.
    /// Returns once it has joined (its PEER is out), with its display name; throws the error to answer.
    func invite(_ invite: ClientMessage.Invite, session: String, by requester: Peer, port: Int) async throws(ProtocolError) -> String
    /// Stops a bandmate this server started in `session`; it leaves like any member.
    func dismiss(_ dismiss: ClientMessage.Dismiss, session: String, by requester: Peer) async throws(ProtocolError)
    /// Stops every bandmate (the server is shutting down).
    func stopAll() async
}
