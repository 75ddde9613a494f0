/// Why a log could not be opened, written or read: a stable snake_case `code` for machines, a message
/// for people, and the byte offset of the frame at fault when there is one.
public struct LogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code, spelled in snake_case.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The session name does not match `[a-z0-9][a-z0-9_-]{0,63}`.
        public static let invalidSessionName = Code(rawValue: "invalid_session_name")
        /// There is no log for this session (or no such file).
        public static let notFound = Code(rawValue: "not_found")
        /// A log for this session exists already (on `create`).
        public static let alreadyExists = Code(rawValue: "already_exists")
        /// Another writer holds the log.
        public static let locked = Code(rawValue: "locked")
        /// A system call failed; the message has the call and `errno`'s text.
        public static let ioError = Code(rawValue: "io_error")
        /// The file does not start with the log magic.
        public static let notALog = Code(rawValue: "not_a_log")
        /// The header frame is missing, damaged or not a header.
        public static let headerInvalid = Code(rawValue: "header_invalid")
        /// The header names a format version this code does not read.
        public static let unsupportedFormat = Code(rawValue: "unsupported_format")
        /// A frame is damaged: it runs past the end of the file, or a field or its checksum is wrong.
        public static let corruptFrame = Code(rawValue: "corrupt_frame")
        /// A valid frame whose payload is not what its kind requires, or that breaks the log's order.
        public static let recordInvalid = Code(rawValue: "record_invalid")
        /// A frame's or an entry's revision is not the one that must come next.
        public static let revisionMismatch = Code(rawValue: "revision_mismatch")
        /// An author's seq does not increase.
        public static let duplicateSeq = Code(rawValue: "duplicate_seq")
        /// An entry's author or seq is malformed.
        public static let invalidEntry = Code(rawValue: "invalid_entry")
        /// An operation does not apply to the document before it.
        public static let operationFailed = Code(rawValue: "operation_failed")
        /// A snapshot's document differs from its hash, from the replayed document, or its exactly-once
        /// memory differs from the replayed one.
        public static let snapshotMismatch = Code(rawValue: "snapshot_mismatch")
        /// A record would exceed the maximum payload size (2^28 bytes).
        public static let recordTooLarge = Code(rawValue: "record_too_large")
        /// The requested revision is not in the log.
        public static let revisionNotFound = Code(rawValue: "revision_not_found")
        /// An earlier write or sync failed; the log takes no more appends until it is reopened.
        public static let logFailed = Code(rawValue: "log_failed")
        /// The log was closed.
        public static let closed = Code(rawValue: "closed")
    }

    public var code: Code
    public var message: String
    /// The byte offset of the frame at fault, when there is one.
    public var offset: Int?

    public init(_ code: Code, _ message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(code) at byte \(offset): \(message)" }
        return "\(code): \(message)"
    }
}

/// Something recovery did that a person should know about. The open still succeeded.
public struct LogWarning: Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A torn or corrupt tail was cut off at `offset`.
        public static let tailCut = Code(rawValue: "tail_cut")
        /// The header's session name differs from the file's.
        public static let sessionMismatch = Code(rawValue: "session_mismatch")
    }

    public var code: Code
    public var message: String
    /// Where the log was cut (for `tail_cut`).
    public var offset: Int?
    /// How many bytes were cut (for `tail_cut`).
    public var bytesCut: Int?
    /// Where the cut bytes were saved, if they were.
    public var savedTo: String?

    public init(_ code: Code, _ message: String, offset: Int? = nil, bytesCut: Int? = nil, savedTo: String? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.bytesCut = bytesCut
        self.savedTo = savedTo
    }

    public var description: String {
        if let offset { return "\(code) at byte \(offset): \(message)" }
        return "\(code): \(message)"
    }
}
