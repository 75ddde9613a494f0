/// The ranges DOCUMENT.md gives every field, checked by `apply` and by `Document.validate()`.
public enum DocumentLimits {
    public static let maxTick = 1 << 40
    public static let maxDuration = 1 << 32
    public static let maxSpan = 1 << 32
    public static let maxTextBytes = 200
    public static let maxIDLength = 64
    public static let tempo: ClosedRange<Double> = 20...400
    public static let loopBars: ClosedRange<Int> = 1...1024
    public static let meterDenominators: Set<Int> = [1, 2, 4, 8, 16, 32]
}

enum Validate {
    static func id(_ id: String) throws(JamError) {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= DocumentLimits.maxIDLength else {
            throw JamError(.invalidID, "an id has 1–\(DocumentLimits.maxIDLength) characters")
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                throw JamError(.invalidID, "id \"\(id)\" may use only A–Z a–z 0–9 . _ : -")
            }
        }
    }

    static func noteField(_ field: NoteField, _ value: Int) throws(JamError) {
        switch field {
        case .tick:
            guard (0...DocumentLimits.maxTick).contains(value) else { throw JamError(.tickOutOfRange, "tick \(value) is outside 0…2^40") }
        case .duration:
            guard (1...DocumentLimits.maxDuration).contains(value) else {
                throw JamError(.durationOutOfRange, "duration \(value) is outside 1…2^32")
            }
        case .pitch:
            guard (0...127).contains(value) else { throw JamError(.pitchOutOfRange, "pitch \(value) is outside 0…127") }
        case .velocity:
            guard (1...127).contains(value) else { throw JamError(.velocityOutOfRange, "velocity \(value) is outside 1…127") }
        }
    }

    static func note(_ note: Note) throws(JamError) {
        for field in NoteField.allCases {
            try noteField(field, note[field])
        }
    }

    static func trackField(_ value: TrackField) throws(JamError) {
        switch value {
        case .name(let name):
            guard name.utf8.count <= DocumentLimits.maxTextBytes else { throw JamError(.nameTooLong, "a track name has at most 200 bytes") }
        case .instrument(.program(let p)):
            guard (0...127).contains(p) else { throw JamError(.programOutOfRange, "program \(p) is outside 0…127") }
        case .instrument(.drums):
            break
        case .channel(let v):
            guard (0...15).contains(v) else { throw JamError(.channelOutOfRange, "channel \(v) is outside 0…15") }
        case .volume(let v):
            guard (0...127).contains(v) else { throw JamError(.volumeOutOfRange, "volume \(v) is outside 0…127") }
        case .pan(let v):
            guard (-64...63).contains(v) else { throw JamError(.panOutOfRange, "pan \(v) is outside −64…63") }
        case .mute, .solo:
            break
        case .owner(let owner):
            guard owner.utf8.count <= DocumentLimits.maxIDLength else { throw JamError(.invalidOwner, "an owner has at most 64 bytes") }
        }
    }

    static func ids(of track: Track) throws(JamError) {
        try id(track.id)
        for noteID in track.notes.keys { try id(noteID) }
    }

    /// A whole track's ids, then its fields and notes.
    static func track(_ track: Track) throws(JamError) {
        try ids(of: track)
        for field in TrackField.Name.allCases { try trackField(track.value(of: field)) }
        for note in track.notes.values { try self.note(note) }
    }

    static func sessionField(_ value: SessionField) throws(JamError) {
        switch value {
        case .title(let title):
            guard title.utf8.count <= DocumentLimits.maxTextBytes else { throw JamError(.titleTooLong, "a title has at most 200 bytes") }
        case .tempo(let tempo):
            guard tempo.isFinite, DocumentLimits.tempo.contains(tempo) else {
                throw JamError(.tempoOutOfRange, "tempo \(tempo) is outside 20…400 bpm")
            }
        case .meter(let meter):
            guard (1...32).contains(meter.numerator), DocumentLimits.meterDenominators.contains(meter.denominator) else {
                throw JamError(.meterInvalid, "meter \(meter) is not n/d with n in 1…32 and d in 1, 2, 4, 8, 16, 32")
            }
        case .key(let key):
            if let key, key.pitchClass == nil || !Key.modes.contains(key.mode) {
                throw JamError(.keyInvalid, "key \"\(key)\" is not a known tonic with mode major or minor")
            }
        case .loopBars(let bars):
            guard DocumentLimits.loopBars.contains(bars) else { throw JamError(.loopOutOfRange, "loop of \(bars) bars is outside 1…1024") }
        }
    }

    static func span(at: Int, span: Int) throws(JamError) {
        guard (0...DocumentLimits.maxTick).contains(at), (1...DocumentLimits.maxSpan).contains(span) else {
            throw JamError(.spanInvalid, "a span needs 0 ≤ at ≤ 2^40 and 1 ≤ span ≤ 2^32")
        }
    }
}

extension Document {
    /// Every rule of DOCUMENT.md §1 this document breaks, each message naming where; empty when valid.
    public func validate() -> [JamError] {
        var errors: [JamError] = []
        func check(_ place: String, _ body: () throws(JamError) -> Void) {
            do {
                try body()
            } catch {
                errors.append(JamError(error.code, place.isEmpty ? error.message : "\(place): \(error.message)"))
            }
        }
        for field in SessionField.Name.allCases {
            check("") { () throws(JamError) in try Validate.sessionField(value(of: field)) }
        }
        var seen = Set<String>()
        for (index, track) in tracks.enumerated() {
            let place = "track \(index) (\(track.id))"
            check(place) { () throws(JamError) in try Validate.id(track.id) }
            if !seen.insert(track.id).inserted {
                errors.append(JamError(.trackExists, "\(place): another track has this id"))
            }
            for field in TrackField.Name.allCases {
                check(place) { () throws(JamError) in try Validate.trackField(track.value(of: field)) }
            }
            for note in track.sortedNotes {
                check("\(place), note \(note.id)") { () throws(JamError) in try Validate.id(note.id) }
                for field in NoteField.allCases {
                    check("\(place), note \(note.id)") { () throws(JamError) in try Validate.noteField(field, note[field]) }
                }
            }
        }
        return errors
    }
}
