import ArgumentParser
import Foundation

/// How a measured run goes: its pace, its length, where its figures go.
struct RunOptions: ParsableArguments {
    @Option(help: "Edits (messages) a second per sending client; 0 sends each as soon as the last is acknowledged.")
    var rate: Double = 5

    @Option(help: "Seconds measured.")
    var duration: Double = 10

    @Option(help: "Seconds of sending before measuring starts.")
    var warmup: Double = 1

    @Option(help: "Seconds to wait after the run for what is in flight.")
    var drain: Double = 5

    @Option(help: "Seed of the random edits.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Write the figures as JSON to this file.", valueName: "FILE"))
    var json: String?

    @Option(help: "A name for this run in the table and the JSON.")
    var label: String?

    @Option(help: "Event-loop threads of the generator.")
    var threads = 1

    @Option(help: "Connections opened (handshake and join) at a time.")
    var parallel = 64

    @Option(help: "The server's process id: report the CPU it used while measuring.")
    var serverPid: Int32?

    var serverCPU: ProcessCPU? { serverPid.map { ProcessCPU(pid: $0) } }

    func validate() throws {
        guard rate >= 0, duration > 0, warmup >= 0, drain >= 0 else { throw ValidationError("rates and times must not be negative") }
        guard threads >= 1, parallel >= 1 else { throw ValidationError("--threads and --parallel must be at least 1") }
    }

    /// Prints the table and writes the JSON.
    func publish(_ report: Report) throws {
        print(report.table)
        if let json { try report.write(json: json) }
    }
}
