import Foundation

/// A fuzz harness: its name (`Tools/fuzz.sh NAME`), its body, and its seed inputs. The fuzz build calls
/// `body` from `LLVMFuzzerTestOneInput`; the normal build of the same executable replays files.
public struct FuzzHarness: Sendable {
    public var name: String
    /// Runs one input; true when it went deep (a line decoded; an operation applied).
    public var body: @Sendable ([UInt8]) -> Bool
    public var corpus: @Sendable () -> [[UInt8]]

    public static let lines = FuzzHarness(name: "lines", body: { LineFuzzer.run($0) }, corpus: { LineFuzzer.corpus() })
    public static let operations = FuzzHarness(name: "operations", body: { OperationFuzzer.run($0) }, corpus: { OperationFuzzer.corpus() })
    public static let all = [lines, operations]

    /// The files under `paths` (files, or directories read one level deep), sorted.
    public static func files(in paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// The executable's normal (not fuzzing) main: `--write-corpus DIR` writes the seed inputs there;
    /// otherwise every file given (or in a directory given) is run through the body. Returns the exit status.
    public func replay(arguments: [String]) -> Int32 {
        if arguments.first == "--write-corpus", arguments.count == 2 {
            let directory = arguments[1]
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for (index, input) in corpus().enumerated() {
                    let path = (directory as NSString).appendingPathComponent(String(format: "seed-%03d", index))
                    try Data(input).write(to: URL(fileURLWithPath: path))
                }
            } catch {
                print("cannot write the corpus: \(error)")
                return 1
            }
            return 0
        }
        guard !arguments.isEmpty, !arguments.contains(where: { $0.hasPrefix("-") }) else {
            print("usage: jam-fuzz-\(name) FILE-OR-DIRECTORY...   run inputs through the harness (a crash is a finding)")
            print("       jam-fuzz-\(name) --write-corpus DIRECTORY   write the seed inputs")
            print("Fuzz it with Tools/fuzz.sh \(name) SECONDS.")
            return 2
        }
        let files = Self.files(in: arguments)
        var deep = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("cannot read \(file)")
                return 1
            }
            if body(Array(data)) { deep += 1 }
        }
        print("\(files.count) inputs ran through the \(name) harness without a finding (\(deep) went deep: \(name == "lines" ? "a message decoded" : "the operation applied"))")
        return 0
    }
}
