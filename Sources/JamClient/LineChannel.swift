#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JamProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// One TLS connection carrying lines: the transport under ``JamConnection``.
struct LineChannel: Sendable {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Connects, with TLS verified as `endpoint.trust` says, and frames lines up to `maxLineBytes`.
    static func open(_ endpoint: Endpoint, context: NIOSSLContext, maxLineBytes: Int, timeout: Duration) async throws(ClientError) -> LineChannel {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try endpoint.trust.makeClientHandler(context: context, serverHostname: endpoint.serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tls)
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maxLineBytes: maxLineBytes)))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            return LineChannel(channel: channel)
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(code: "connect_failed", message: "cannot connect to \(endpoint.host):\(endpoint.port): \(reason(error))")
        }
    }

    /// Closes a channel in use (its reader and writer, inside `executeThenClose`, then end).
    func close() {
        channel.channel.close(promise: nil)
    }

    /// Closes a channel that was never used: its writer must be finished, or NIO traps.
    func abandon() async {
        try? await channel.executeThenClose { _, outbound in outbound.finish() }
    }
}

/// The cause of a failed connect in a few words ("Connection refused"), not NIO's full report.
private func reason(_ error: any Error) -> String {
    if let error = error as? NIOConnectionError {
        if let failure = error.connectionErrors.first { return reason(failure.error) }
        if let dns = error.dnsAAAAError ?? error.dnsAError { return "cannot resolve \(error.host): \(dns)" }
    }
    if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
    if error is ChannelError { return "timed out" }
    return "\(error)"
}
