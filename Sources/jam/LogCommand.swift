import ArgumentParser
import Foundation
import JamLog

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Inspect and check session logs offline (Protocol/LOG.md).",
        subcommands: [Info.self, Verify.self]
    )

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarise a log: session, format, revisions, participants, time span, size, snapshots.",
            discussion: """
                Reads every frame once (checksums included) without replaying operations. A damaged log is \
                summarised up to the damage, which is named with its byte offset; the exit status is then 1.
                """
        )

        @Argument(help: ArgumentHelp("A session log (.jamlog).", valueName: "FILE"))
        var file: String

        @Flag(help: "Print a JSON object instead of text.")
        var json = false

        func run() throws {
            let summary: LogSummary
            do {
                summary = try LogReader(path: file).summary()
            } catch {
                printError("jam log info: \(file): \(error)")
                throw ExitCode.failure
            }
            if json {
                FileHandle.standardOutput.write(Data((encodeJSON(summary) + "\n").utf8))
            } else {
                print(text(summary), terminator: "")
            }
            if summary.damage != nil { throw ExitCode.failure }
        }

        func text(_ s: LogSummary) -> String {
            var lines: [(String, String)] = [
                ("session", s.header.session),
                ("format", "\(s.header.format)"),
                ("size", "\(s.size) bytes (\(bytes(s.size)))"),
                ("revisions", "0…\(s.revision), \(s.operations) operations"),
                ("snapshots", "\(s.snapshotRevisions.count), at revisions \(list(s.snapshotRevisions))"),
                ("created", WallClock.format(s.header.created)),
            ]
            if let first = s.firstOperation, let last = s.lastOperation {
                lines.append(("edits", "\(WallClock.format(first)) → \(WallClock.format(last)) (\(WallClock.span(max(0, last - first))))"))
            }
            let humans = s.participants.filter { $0.kind == .human }.count
            let ais = s.participants.filter { $0.kind == .ai }.count
            let unknown = s.participants.count - humans - ais
            var counts = "\(humans) human, \(ais) AI"
            if unknown > 0 { counts += ", \(unknown) not recorded" }
            lines.append(("participants", "\(s.participants.count) (\(counts))"))
            let width = lines.map(\.0.count).max() ?? 0
            var out = lines.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 + "\n" }.joined()
            let authorWidth = s.participants.map(\.author.count).max() ?? 0
            for p in s.participants {
                let kind = p.kind?.rawValue ?? "?"
                out += "  " + p.author.padding(toLength: authorWidth + 2, withPad: " ", startingAt: 0)
                    + kind.padding(toLength: 7, withPad: " ", startingAt: 0)
                    + "\(p.operations) operations, \(WallClock.format(p.first)) → \(WallClock.format(p.last))\n"
            }
            if let damage = s.damage {
                out += "damage".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "\(damage)\n"
                out += "  (readers stop there; `jam log verify` checks every record, a server opening the log cuts the tail)\n"
            }
            return out
        }

        func list(_ revisions: [Int]) -> String {
            guard revisions.count > 8 else { return revisions.map(String.init).joined(separator: ", ") }
            return (revisions.prefix(4).map(String.init) + ["…"] + revisions.suffix(3).map(String.init)).joined(separator: ", ")
        }

        func bytes(_ count: Int) -> String {
            let units = ["B", "KiB", "MiB", "GiB", "TiB"]
            var value = Double(count)
            var unit = 0
            while value >= 1024 && unit < units.count - 1 {
                value /= 1024
                unit += 1
            }
            return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
        }

        func encodeJSON(_ s: LogSummary) -> String {
            var object: [String: Any] = [
                "session": s.header.session, "format": s.header.format, "created": s.header.created, "size": s.size,
                "revision": s.revision, "operations": s.operations, "snapshots": s.snapshotRevisions,
                "participants": s.participants.map { p -> [String: Any] in
                    ["author": p.author, "kind": p.kind?.rawValue ?? NSNull(), "operations": p.operations, "first": p.first, "last": p.last]
                },
            ]
            object["firstOperation"] = s.firstOperation ?? NSNull()
            object["lastOperation"] = s.lastOperation ?? NSNull()
            if let damage = s.damage {
                object["damage"] = ["code": damage.code.rawValue, "message": damage.message, "offset": damage.offset ?? NSNull()] as [String: Any]
            } else {
                object["damage"] = NSNull()
            }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record of a log: checksums, revision order, that every operation applies, that snapshots equal the replay.",
            discussion: """
                Checks LOG.md §3's rules 1–5 and every frame's validity. Exits 0 when the log is sound; otherwise \
                names the first bad record (its number, counting the header as 1, and its byte offset) and exits 1. \
                A truncated or corrupted log is reported, never a crash.
                """
        )

        @Argument(help: ArgumentHelp("A session log (.jamlog).", valueName: "FILE"))
        var file: String

        func run() throws {
            let reader: LogReader
            do {
                reader = try LogReader(path: file)
            } catch {
                // Not a log, or its header is bad: record 1 (or the magic) is the first bad one.
                let bad = [.notALog, .headerInvalid, .unsupportedFormat].contains(error.code)
                printError("jam log verify: \(file): \(bad ? "record 1 is bad: " : "")\(error)")
                throw ExitCode.failure
            }
            let start = Date()
            let report = reader.verify()
            let seconds = Date().timeIntervalSince(start)
            let counts = "\(report.frames) records (\(report.snapshots) snapshots, \(report.operations) operations)"
            guard let error = report.error else {
                print("\(file): sound — \(counts), revisions 0…\(report.revision), \(report.validEnd) bytes, hash \(report.hash ?? "-"), checked in \(String(format: "%.2f", seconds)) s")
                return
            }
            print("\(file): record \(report.frames + 1) at byte \(error.offset.map(String.init) ?? "?") is bad: \(error.code): \(error.message)")
            print("  the \(counts) before it are sound, through revision \(report.revision) (bytes 0…\(report.validEnd))")
            throw ExitCode.failure
        }
    }
}
