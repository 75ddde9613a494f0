import Foundation
import JamCore
import JamProtocol
import Testing

/// PROTOCOL.md and the code say the same thing.
@Suite("PROTOCOL.md")
struct SpecificationTests {
    static func text() throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("Protocol/PROTOCOL.md"), encoding: .utf8)
    }

    /// The rows of the table under `heading`: cells of lines starting with `|`, header and rule left out.
    static func table(after heading: String) throws -> [[String]] {
        let text = try text()
        let section = try #require(text.range(of: heading), "PROTOCOL.md has \(heading)")
        var rows: [[String]] = []
        var inTable = false
        for line in text[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") {
                inTable = true
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                rows.append(cells.map { $0.trimmingCharacters(in: .whitespaces) })
            } else if inTable {
                break
            }
        }
        return Array(rows.dropFirst(2))
    }

    /// The `code` words of a cell.
    static func codeWords(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }
            .map { String($0.element) }
    }

    @Test("§5 lists every error code with whether it closes the connection")
    func errorTable() throws {
        var documented: [String: Bool] = [:]
        for row in try Self.table(after: "## 5. Errors") {
            guard let code = Self.codeWords(row[0]).first else { continue }  // the core's codes
            documented[code] = row[2] == "yes"
        }
        #expect(Set(documented.keys) == Set(ProtocolError.Code.all.map(\.rawValue)))
        for code in ProtocolError.Code.all {
            #expect(documented[code.rawValue] == code.closesConnection, "\(code)")
        }
    }

    @Test("§6 gives every limit with its default")
    func limitsTable() throws {
        let defaults = try JSONDecoder().decode([String: Int].self, from: JSONEncoder().encode(Limits()))
        var documented: [String: Int] = [:]
        for row in try Self.table(after: "## 6. Limits") {
            let names = Self.codeWords(row[0])
            let values = row[1].replacingOccurrences(of: #"\([^)]*\)"#, with: "", options: .regularExpression)
                .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            #expect(names.count == values.count, "\(row)")
            for (name, value) in zip(names, values) { documented[name] = value }
        }
        #expect(documented == defaults)
        #expect(Set(Limits.names) == Set(defaults.keys))
    }

    @Test("every verb is described", arguments: Verb.allCases)
    func verbs(verb: Verb) throws {
        #expect(try Self.text().contains("`\(verb.rawValue)`"))
    }

    /// The example lines of the code blocks: `(direction if known, line)`, annotations and elided lines left out.
    static func examples() throws -> [(Direction?, String)] {
        var examples: [(Direction?, String)] = []
        var inBlock = false
        for var line in try text().split(separator: "\n").map(String.init) {
            if line.hasPrefix("```") {
                inBlock.toggle()
                continue
            }
            guard inBlock else { continue }
            var direction: Direction?
            if line.hasPrefix("S: ") { direction = .serverToClient }
            if line.hasPrefix("C: ") { direction = .clientToServer }
            if direction != nil { line.removeFirst(3) }
            if let note = line.range(of: "   (") { line = String(line[..<note.lowerBound]) }
            line = line.trimmingCharacters(in: .whitespaces)
            let word = line.prefix { $0 != " " }
            guard Verb(rawValue: String(word)) != nil, !line.contains("...") else { continue }
            examples.append((direction, line))
        }
        return examples
    }

    @Test("every example line decodes, and an example snapshot's hash is its document's")
    func exampleLines() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 30)
        for (direction, line) in examples {
            let asClient = Result { () throws(ProtocolError) in try ClientMessage.decode(line: line) }
            let asServer = Result { () throws(ProtocolError) in try ServerMessage.decode(line: line) }
            switch direction {
            case .clientToServer?: #expect(throws: Never.self, "\(line)") { try asClient.get() }
            case .serverToClient?: #expect(throws: Never.self, "\(line)") { try asServer.get() }
            case nil:
                #expect((try? asClient.get()) != nil || (try? asServer.get()) != nil, "\(line)")
            }
            if case .welcome(let welcome)? = try? asServer.get(), case .snapshot(let document) = welcome.content,
                welcome.hash.utf8.count == 64
            {
                #expect(welcome.hash == document.contentHash, "\(line)")
            }
        }
    }
}
