import ArgumentParser
import Foundation
import JamCore

struct DocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc",
        abstract: "Work with session documents (JSON, as Protocol/DOCUMENT.md).",
        subcommands: [Validate.self, Hash.self, Apply.self]
    )

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a document against every rule of the model; prints each error with its code.",
            discussion: "Exits 0 when the document is valid, 1 when it is not."
        )

        @Argument(help: "A document JSON file, or - for standard input.")
        var file: String

        func run() throws {
            let document = try loadDocument(file)
            let errors = document.validate()
            guard errors.isEmpty else {
                for error in errors { printError("\(file): \(error)") }
                throw ExitCode.failure
            }
            print("\(file): valid — \(document.tracks.count) tracks, \(document.noteCount) notes, hash \(document.contentHash)")
        }
    }

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a document's content hash (SHA-256 of its canonical JSON).")

        @Argument(help: "A document JSON file, or - for standard input.")
        var file: String

        @Flag(help: "Print the canonical JSON instead of the hash.")
        var canonical = false

        func run() throws {
            let document = try loadDocument(file)
            if canonical {
                FileHandle.standardOutput.write(document.canonicalJSON() + Data("\n".utf8))
            } else {
                print(document.contentHash)
            }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply operations (one JSON array per line) to a document and print the result.",
            discussion: "Stops at the first refused operation, naming its line and error code, and exits 1."
        )

        @Argument(help: "A document JSON file.")
        var file: String

        @Argument(help: "A file of operations, one JSON array per line, or - for standard input.")
        var operations: String

        func run() throws {
            var document = try loadDocument(file)
            let lines = String(decoding: try readInput(operations), as: UTF8.self).split(whereSeparator: \.isNewline)
            for (number, line) in lines.enumerated() {
                do {
                    let operation = try JSONDecoder().decode(JamCore.Operation.self, from: Data(line.utf8))
                    try document.apply(operation)
                } catch let error as JamError {
                    printError("\(operations):\(number + 1): \(error)")
                    throw ExitCode.failure
                } catch {
                    printError("\(operations):\(number + 1): malformed: \(error)")
                    throw ExitCode.failure
                }
            }
            FileHandle.standardOutput.write(document.canonicalJSON() + Data("\n".utf8))
        }
    }
}

func readInput(_ path: String) throws -> Data {
    if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        printError("jam: cannot read \(path): \(error.localizedDescription)")
        throw ExitCode.failure
    }
}

func loadDocument(_ path: String) throws -> Document {
    let data = try readInput(path)
    do {
        return try JSONDecoder().decode(Document.self, from: data)
    } catch let error as JamError {
        printError("\(path): \(error)")
        throw ExitCode.failure
    } catch {
        printError("\(path): malformed: not a Jam document (\(describe(error)))")
        throw ExitCode.failure
    }
}

/// A decoding error in a sentence: what was wrong and where.
func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
        "missing \"\(key.stringValue)\" at \(path(context))"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
        "\(context.debugDescription) at \(path(context))"
    case DecodingError.dataCorrupted(let context):
        context.debugDescription
    default:
        "\(error)"
    }
}

private func path(_ context: DecodingError.Context) -> String {
    let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
    return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
