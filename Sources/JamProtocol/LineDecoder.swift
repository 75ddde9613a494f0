import NIOCore

/// Splits a byte stream into lines: one message per line, ended by LF or CRLF (PROTOCOL.md §1).
///
/// Each line comes out as a `ByteBuffer` without its terminator; empty lines are skipped. A line longer
/// than `maxLineBytes` is refused with `line_too_long` both when its newline arrives and while it is still
/// being buffered, so a peer cannot make the server hold an endless line (as NATS does; NIO's
/// `LineBasedFrameDecoder` has no limit). An unterminated last line at the end of the stream is dropped.
///
/// Use it in a pipeline as `ByteToMessageHandler(LineDecoder(maxLineBytes: limits.lineBytes))`, or without
/// a channel through `NIOSingleStepByteToMessageProcessor` or `next(in:)`.
public struct LineDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The longest line accepted, in bytes, terminator excluded.
    public let maxLineBytes: Int
    /// How many bytes after the reader index have been searched for LF without finding one, so that a
    /// line arriving a byte at a time is scanned once, not once per byte.
    private var scanned = 0

    /// A decoder refusing lines longer than `maxLineBytes` bytes (terminator excluded).
    public init(maxLineBytes: Int) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
    }

    /// The next non-empty line in `buffer`, consumed with its terminator, or nil if no complete line is
    /// there yet. Throws `line_too_long` for an over-long line, complete or not.
    public mutating func next(in buffer: inout ByteBuffer) throws(ProtocolError) -> ByteBuffer? {
        while true {
            let start = scanned
            let found: (newline: Int, endsWithCR: Bool)? = buffer.withUnsafeReadableBytes { bytes in
                guard start < bytes.count,
                    let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
                else { return nil }
                return (newline, newline > 0 && bytes[newline - 1] == UInt8(ascii: "\r"))
            }
            guard let (newline, endsWithCR) = found else {
                let pending = buffer.readableBytes
                scanned = pending
                // Over the limit already, unless the extra byte is the CR of a CRLF to come.
                if pending > maxLineBytes {
                    let lastIsCR = buffer.getInteger(at: buffer.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r")
                    if !(pending == maxLineBytes + 1 && lastIsCR) {
                        throw ProtocolError(
                            .lineTooLong, "a line is longer than \(maxLineBytes) bytes (\(pending) buffered, no end yet)")
                    }
                }
                return nil
            }
            scanned = 0
            let length = endsWithCR ? newline - 1 : newline
            guard length <= maxLineBytes else {
                throw ProtocolError(.lineTooLong, "a line of \(length) bytes is longer than \(maxLineBytes)")
            }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: newline + 1 - length)
            if length > 0 { return line }
        }
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        try next(in: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        if let line = try next(in: &buffer) { return line }
        // An unterminated last line is not a message: drop it.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        scanned = 0
        return nil
    }
}
