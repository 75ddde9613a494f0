import Crypto
import Foundation

extension Document {
    /// The canonical JSON of DOCUMENT.md §1: sorted keys, no white space, notes in (tick, pitch, id)
    /// order. Equal documents have equal bytes, on every replica and in every language.
    public func canonicalJSON() -> Data {
        var out = CanonicalWriter()
        out.document(self)
        return Data(out.bytes)
    }

    /// The lowercase hex SHA-256 of the canonical JSON: what replicas and replays compare.
    public var contentHash: String {
        // Not `String(format: "%02x")` per byte: that took most of the time of a hash.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(2 * SHA256.byteCount)
        for byte in SHA256.hash(data: canonicalJSON()) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// Writes JSON with keys in byte order; each writer below lists its keys already sorted.
struct CanonicalWriter {
    var bytes: [UInt8] = []

    mutating func document(_ d: Document) {
        raw("{\"key\":")
        if let key = d.key {
            raw("{\"mode\":"); string(key.mode); raw(",\"tonic\":"); string(key.tonic); raw("}")
        } else {
            raw("null")
        }
        raw(",\"loopBars\":"); int(d.loopBars)
        raw(",\"meter\":{\"denominator\":"); int(d.meter.denominator)
        raw(",\"numerator\":"); int(d.meter.numerator)
        raw("},\"ppq\":"); int(Document.ppq)
        raw(",\"tempo\":"); number(d.tempo)
        raw(",\"title\":"); string(d.title)
        raw(",\"tracks\":[")
        for (i, track) in d.tracks.enumerated() {
            if i > 0 { raw(",") }
            self.track(track)
        }
        raw("]}")
    }

    mutating func track(_ t: Track) {
        raw("{\"channel\":"); int(t.channel)
        raw(",\"id\":"); string(t.id)
        raw(",\"instrument\":")
        switch t.instrument {
        case .program(let p): int(p)
        case .drums: raw("\"drums\"")
        }
        raw(",\"mute\":"); raw(t.mute ? "true" : "false")
        raw(",\"name\":"); string(t.name)
        raw(",\"notes\":[")
        for (i, note) in t.sortedNotes.enumerated() {
            if i > 0 { raw(",") }
            raw("{\"duration\":"); int(note.duration)
            raw(",\"id\":"); string(note.id)
            raw(",\"pitch\":"); int(note.pitch)
            raw(",\"tick\":"); int(note.tick)
            raw(",\"velocity\":"); int(note.velocity)
            raw("}")
        }
        raw("],\"owner\":"); string(t.owner)
        raw(",\"pan\":"); int(t.pan)
        raw(",\"solo\":"); raw(t.solo ? "true" : "false")
        raw(",\"volume\":"); int(t.volume)
        raw("}")
    }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ v: Int) {
        bytes.append(contentsOf: String(v).utf8)
    }

    /// The shortest text that reads back to the same Double; integral values without a fraction.
    mutating func number(_ v: Double) {
        if v.rounded() == v, abs(v) < 1e15 {
            int(Int(v))
        } else {
            bytes.append(contentsOf: "\(v)".utf8)
        }
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0..<0x20:
                raw("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
