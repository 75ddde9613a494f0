/// Why the OT core refused a document or an operation: a stable snake_case `code` for machines
/// (it travels on the wire and in vectors) and a message for people.
public struct JamError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code, spelled in snake_case on the wire.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let unknownTrack = Code(rawValue: "unknown_track")
        public static let trackExists = Code(rawValue: "track_exists")
        public static let unknownNote = Code(rawValue: "unknown_note")
        public static let noteExists = Code(rawValue: "note_exists")
        public static let indexOutOfRange = Code(rawValue: "index_out_of_range")
        public static let invalidID = Code(rawValue: "invalid_id")
        public static let nameTooLong = Code(rawValue: "name_too_long")
        public static let titleTooLong = Code(rawValue: "title_too_long")
        public static let invalidOwner = Code(rawValue: "invalid_owner")
        public static let programOutOfRange = Code(rawValue: "program_out_of_range")
        public static let channelOutOfRange = Code(rawValue: "channel_out_of_range")
        public static let volumeOutOfRange = Code(rawValue: "volume_out_of_range")
        public static let panOutOfRange = Code(rawValue: "pan_out_of_range")
        public static let tickOutOfRange = Code(rawValue: "tick_out_of_range")
        public static let durationOutOfRange = Code(rawValue: "duration_out_of_range")
        public static let pitchOutOfRange = Code(rawValue: "pitch_out_of_range")
        public static let velocityOutOfRange = Code(rawValue: "velocity_out_of_range")
        public static let tempoOutOfRange = Code(rawValue: "tempo_out_of_range")
        public static let meterInvalid = Code(rawValue: "meter_invalid")
        public static let keyInvalid = Code(rawValue: "key_invalid")
        public static let loopOutOfRange = Code(rawValue: "loop_out_of_range")
        public static let ppqInvalid = Code(rawValue: "ppq_invalid")
        public static let spanInvalid = Code(rawValue: "span_invalid")
        public static let staleValue = Code(rawValue: "stale_value")
        public static let contentMismatch = Code(rawValue: "content_mismatch")
        public static let removedNotSorted = Code(rawValue: "removed_not_sorted")
        public static let fieldTypeMismatch = Code(rawValue: "field_type_mismatch")
        public static let malformed = Code(rawValue: "malformed")
    }

    public var code: Code
    public var message: String
    /// The index of the offending component within its operation, when there is one.
    public var component: Int?

    public init(_ code: Code, _ message: String, component: Int? = nil) {
        self.code = code
        self.message = message
        self.component = component
    }

    public var description: String {
        if let component { return "\(code) (component \(component)): \(message)" }
        return "\(code): \(message)"
    }
}
