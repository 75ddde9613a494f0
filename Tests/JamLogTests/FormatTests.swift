import Foundation
import JamCore
import Testing
@testable import JamLog

/// The bit-at-a-time CRC32C, as a reference for the table-driven one.
private func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}

@Suite struct CRC32CTests {
    @Test func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 B.4: 32 bytes of zeros, of 0xFF, and ascending 0…31.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func matchesBitwiseReferenceAtEveryLengthAndAlignment() {
        var bytes = [UInt8]()
        var x: UInt32 = 12345
        for _ in 0..<300 {
            x = x &* 1_103_515_245 &+ 12345
            bytes.append(UInt8(truncatingIfNeeded: x >> 16))
        }
        for start in 0..<9 {
            for end in stride(from: start, through: bytes.count, by: 7) {
                let slice = Array(bytes[start..<end])
                #expect(CRC32C.checksum(slice) == referenceCRC32C(slice), "bytes \(start)..<\(end)")
            }
        }
    }

    @Test func continuesAcrossPieces() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(bytes[..<split])
            #expect(CRC32C.checksum(bytes[split...], continuing: first) == whole)
        }
    }
}

@Suite struct SessionNameTests {
    @Test func acceptsTheGrammar() {
        for name in ["a", "0", "tuesday-jam", "a_b-c", "x9", String(repeating: "z", count: 64), "0-_"] {
            #expect(SessionName.isValid(name), "\(name)")
        }
    }

    @Test func refusesEverythingElse() {
        let bad = ["", "-a", "_a", "A", "aB", "a.b", "..", "../etc", "a/b", "/abs", "a b", "é", "a\u{0}",
                   String(repeating: "z", count: 65), "a\n"]
        for name in bad {
            #expect(!SessionName.isValid(name), "\(name.debugDescription)")
            #expect(throws: LogError.self) { try SessionName.logPath(directory: "/tmp", session: name) }
        }
    }

    @Test func refusedBeforeAnyPathIsBuilt() throws {
        let dir = TempDir()
        defer { dir.remove() }
        for name in ["../escape", "Bad", ""] {
            do {
                _ = try SessionLog.openOrCreate(directory: dir.path, session: name)
                Issue.record("opened \(name)")
            } catch {
                #expect(error.code == .invalidSessionName)
            }
            #expect(throws: LogError.self) { try LogReader(directory: dir.path, session: name) }
        }
        #expect(dir.list().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/../escape.jamlog"))
    }
}

@Suite struct FrameFormatTests {
    @Test func frameLayoutIsAsDocumented() {
        let payload = Array(#"{"a":1}"#.utf8)
        var bytes: [UInt8] = []
        FrameHeader.appendFrame(kind: .operation, revision: 0x0102, snapshot: 0x0304, payload: payload, to: &bytes)
        #expect(bytes.count == 32 + payload.count)
        #expect(bytes[0] == 0x4F)
        #expect(bytes[1...3] == [0, 0, 0])
        #expect(bytes[4...7] == [7, 0, 0, 0])
        #expect(bytes[8...15] == [0x02, 0x01, 0, 0, 0, 0, 0, 0])
        #expect(bytes[16...23] == [0x04, 0x03, 0, 0, 0, 0, 0, 0])
        let crc = CRC32C.checksum(Array(bytes[0..<24]) + payload)
        #expect(Array(bytes[24...27]) == withUnsafeBytes(of: crc.littleEndian) { Array($0) })
        #expect(Array(bytes[28..<35]) == payload)
        #expect(Array(bytes[35...]) == [39, 0, 0, 0])
    }

    /// The example of LOG.md §8, byte for byte (computed independently, with a bitwise CRC in Python).
    @Test func exampleBytes() {
        let bytes = SessionLog.initialBytes(session: "demo", document: Document(), time: 0)
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let expected = "894a414d4c4f470a4800000029000000000000000000000000000000000000000ba57abe7b2263726561746564223a302c22666f726d6174223a312c2273657373696f6e223a2264656d6f227d4900000053000000e300000000000000000000000000000000000000846e0bb27b22636c69656e7473223a7b7d2c22646f63756d656e74223a7b226b6579223a6e756c6c2c226c6f6f7042617273223a342c226d65746572223a7b2264656e6f6d696e61746f72223a342c226e756d657261746f72223a347d2c22707071223a3438302c2274656d706f223a3132302c227469746c65223a22556e7469746c6564222c22747261636b73223a5b5d7d2c2268617368223a2261393966666536366665623661313162386639336363363635323235323939393966306662373863333235306661356339623763393739653537313133353232222c2274696d65223a307d03010000"
        #expect(hex == expected)
        #expect(bytes.count == 340)
        #expect(Document().contentHash == "a99ffe66feb6a11b8f93cc66522529999f0fb78c3250fa5c9b7c979e57113522")
    }
}
