import ArgumentParser
import Foundation

/// `jam-load nats`: the same clients and pacing against nats-server, for a yardstick.
struct NATSRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nats",
        abstract: "Load nats-server over TLS with the same clients and pacing, for comparison with Jam.",
        discussion: """
            Every client subscribes to one subject; the first --publishers of them publish messages of \
            --size bytes on it, each keeping one unacknowledged (its own echo acknowledges it), so the \
            fan-out and the flow control match `jam-load jam` with one session. Start nats-server with TLS \
            (tls { cert_file, key_file }); pass its certificate with --ca.
            """
    )

    @Option(help: "The server's address.")
    var host = "127.0.0.1"

    @Option(help: "The server's port.")
    var port = 4443

    @Option(name: .customLong("ca"), help: ArgumentHelp("The server's certificate, to pin.", valueName: "FILE"))
    var ca: String

    @Option(help: "Subscribers, all on one subject.")
    var clients = 32

    @Option(help: "How many of them publish (default: all).")
    var publishers: Int?

    @Option(help: "Payload bytes of each message (use the mean size of Jam's OP lines).")
    var size = 200

    @Option(help: "The subject.")
    var subject = "jam.load"

    @OptionGroup var run: RunOptions

    func validate() throws {
        guard clients >= 1, (publishers ?? clients) >= 1, (publishers ?? clients) <= clients else {
            throw ValidationError("need at least one client, and at most --clients publishers")
        }
        guard size >= 24 else { throw ValidationError("--size must be at least 24 (the payload carries the publisher and sequence)") }
    }

    func run() async throws {
        let connector = try Connector(threads: run.threads, host: host, port: port, certificate: ca, maxLineBytes: 1 << 20)
        let recorder = Recorder()
        let clock = DeliveryClock(receivers: clients - 1)
        let (publishers, subject, size, seed) = (self.publishers ?? clients, subject, size, run.seed)
        let connections: [LoadConnection<NATSLoadClient>]
        do {
            connections = try await LoadDriver.connectAll(count: clients, parallelism: run.parallel) { index in
                let setup = NATSLoadClient.Setup(
                    index: index, publishes: index < publishers, subject: subject, size: size, seed: seed,
                    connector: connector, clock: clock, recorder: recorder)
                return try await connector.open(tlsFirst: false) { NATSLoadClient(setup, eventLoop: $0) }
            }
        } catch {
            FileHandle.standardError.write(Data("jam-load nats: cannot connect all clients: \(error)\n".utf8))
            await connector.shutdown()
            throw ExitCode.failure
        }
        let plan = RunPlan(rate: run.rate, warmup: run.warmup, duration: run.duration)
        let (_, cpu) = await LoadDriver.run(connections, plan: plan, recorder: recorder, clocks: [clock], drain: run.drain, server: run.serverCPU)
        await connector.shutdown()
        let report = Report(
            label: run.label ?? "nats", mode: "nats", sessions: 1, clients: clients, publishers: publishers,
            plan: plan, cpu: cpu, stats: recorder.stats, rate: run.rate)
        try run.publish(report)
    }
}
