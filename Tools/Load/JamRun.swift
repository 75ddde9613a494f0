import ArgumentParser
import Foundation
import JamCore

/// `jam-load jam`: S sessions × C clients over TLS, each submitting random valid edits.
struct JamRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jam",
        abstract: "Load a Jam server: sessions of clients submitting random edits over TLS.",
        discussion: """
            Each client sends one random edit per OP (made with RandomEdits, so edits collide on the same \
            tracks, notes and bars), keeps at most one unacknowledged, and times submit → ACK and, at every \
            other member, submit → delivery. The server's rate limits apply: opsPerSecond (50) per client \
            unless the server was started with a higher one (jam serve --limits FILE).
            """
    )

    @Option(help: "The server's address.")
    var host = "127.0.0.1"

    @Option(help: "The server's port.")
    var port = 7890

    @Option(name: .customLong("ca"), help: ArgumentHelp("The server's certificate, to pin.", valueName: "FILE"))
    var ca = "jam-data/tls/cert.pem"

    @Option(help: "The server's token, if it wants one.")
    var token: String?

    @Option(help: "Sessions.")
    var sessions = 1

    @Option(help: "Clients in each session, all of them editing.")
    var clients = 32

    @Option(help: "Session names are this followed by a number.")
    var sessionPrefix = "load"

    @Option(help: "Most components of one edit.")
    var components = 2

    @Option(help: ArgumentHelp("Append every ACK to this file as `SESSION AUTHOR SEQ REVISION` (the crash test).", valueName: "FILE"))
    var acks: String?

    @Flag(help: "End early, without complaint, when every connection has closed (the crash test kills the server).")
    var untilClosed = false

    @OptionGroup var run: RunOptions

    func validate() throws {
        guard sessions >= 1, clients >= 1, components >= 1 else { throw ValidationError("--sessions, --clients and --components must be at least 1") }
    }

    func run() async throws {
        let connector = try Connector(threads: run.threads, host: host, port: port, certificate: ca)
        let recorder = Recorder()
        let mirrors = (0..<sessions).map { _ in SessionMirror() }
        let clocks = (0..<sessions).map { _ in DeliveryClock(receivers: clients - 1) }
        let journal = try acks.map { try AckJournal(path: $0) }
        let (sessions, prefix, token, components, seed) = (self.sessions, sessionPrefix, token, components, run.seed)
        let connections: [LoadConnection<JamLoadClient>]
        do {
            // Index i is member i / sessions of session i % sessions: every session's keeper comes first.
            connections = try await LoadDriver.connectAll(count: sessions * clients, parallelism: run.parallel) { index in
                let session = index % sessions
                let setup = JamLoadClient.Setup(
                    session: "\(prefix)\(session)", name: "load\(index / sessions)", token: token, keeper: index < sessions,
                    seed: seed &* 1_000_003 &+ UInt64(index), components: components, mirror: mirrors[session],
                    clock: clocks[session], recorder: recorder, journal: journal)
                return try await connector.open { JamLoadClient(setup, eventLoop: $0) }
            }
        } catch {
            FileHandle.standardError.write(Data("jam-load jam: cannot connect all clients: \(error)\n".utf8))
            await connector.shutdown()
            throw ExitCode.failure
        }
        let plan = RunPlan(rate: run.rate, warmup: run.warmup, duration: run.duration)
        let (ended, cpu) = await LoadDriver.run(
            connections, plan: plan, recorder: recorder, clocks: clocks, drain: run.drain, untilClosed: untilClosed, server: run.serverCPU)
        await connector.shutdown()
        let report = Report(
            label: run.label ?? "jam", mode: "jam", sessions: sessions, clients: sessions * clients,
            publishers: sessions * clients, plan: plan, ended: ended, cpu: cpu, stats: recorder.stats, rate: run.rate)
        try run.publish(report)
    }
}
