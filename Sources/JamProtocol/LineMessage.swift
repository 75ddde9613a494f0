import NIOCore

/// A message that travels as one line, in either direction: decoding from and encoding to a line.
public protocol LineMessage: Hashable, Sendable {
    /// Decodes the bytes of one line (without its terminator), checking them against `limits`:
    /// length, UTF-8, verb, nesting depth, JSON, fields. Throws the ``ProtocolError`` to answer with.
    static func decode(bytes: UnsafeRawBufferPointer, limits: Limits) throws(ProtocolError) -> Self

    /// The line, LF included, that sends this message.
    func encodeLine() -> [UInt8]
}

extension LineMessage {
    /// Decodes one line (without its terminator), as ``decode(bytes:limits:)``.
    public static func decode(line: ByteBuffer, limits: Limits = .default) throws(ProtocolError) -> Self {
        let result: Result<Self, ProtocolError> = line.withUnsafeReadableBytes { bytes in
            Result { () throws(ProtocolError) in try decode(bytes: bytes, limits: limits) }
        }
        return try result.get()
    }

    /// Decodes one line (without its terminator), as ``decode(bytes:limits:)``.
    public static func decode(line: [UInt8], limits: Limits = .default) throws(ProtocolError) -> Self {
        let result: Result<Self, ProtocolError> = line.withUnsafeBytes { bytes in
            Result { () throws(ProtocolError) in try decode(bytes: bytes, limits: limits) }
        }
        return try result.get()
    }

    /// Decodes one line (without its terminator), as ``decode(bytes:limits:)``.
    public static func decode(line: String, limits: Limits = .default) throws(ProtocolError) -> Self {
        try decode(line: Array(line.utf8), limits: limits)
    }

    /// Writes the line, LF included, that sends this message.
    public func encodeLine(into buffer: inout ByteBuffer) {
        buffer.writeBytes(encodeLine())
    }

    /// The line, LF included, in a new buffer.
    public func encodeLine(allocator: ByteBufferAllocator) -> ByteBuffer {
        let bytes = encodeLine()
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return buffer
    }
}
