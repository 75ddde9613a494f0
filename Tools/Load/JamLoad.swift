import ArgumentParser

/// `jam-load`: real TLS clients against a Jam server (or nats-server, for comparison), measured with
/// HdrHistogram; and the check of the crash test, that every acknowledged operation is in the log.
@main
struct JamLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jam-load",
        abstract: "Load a Jam server (or nats-server) with real TLS clients and measure it.",
        discussion: """
            Build it in release: swift build -c release --product jam-load. Every run prints a table and, \
            with --json FILE, writes the same figures as JSON. Tools/bench.sh and Tools/crash-test.sh drive it.
            """,
        subcommands: [JamRun.self, NATSRun.self, IdleRun.self, CheckAcks.self]
    )
}
