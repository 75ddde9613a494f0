import ArgumentParser
import Foundation
import JamBand
import JamCore
import JamProtocol
import JamServer
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a Jam server: TLS line protocol, sessions, durable session logs.",
        discussion: """
            With no --cert/--key, the first start makes a self-signed certificate in DIR/tls and reuses it \
            afterwards; its path and SHA-256 fingerprint are printed so that clients can pin it. The server \
            serves until SIGINT or SIGTERM, then tells its clients it is going, flushes every session log \
            and exits 0.

            Talk to it by hand:
              openssl s_client -quiet -CAfile jam-data/tls/cert.pem -connect 127.0.0.1:7890
              JOIN {"session":"demo","name":"me"}
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 7890

    @Option(name: .customLong("data"), help: ArgumentHelp("Where session logs, the certificate and the server secret live.", valueName: "DIR"))
    var data = "jam-data"

    @Option(help: ArgumentHelp("A PEM certificate to serve instead of the generated one (with --key).", valueName: "FILE"))
    var cert: String?

    @Option(help: ArgumentHelp("The PEM private key of --cert.", valueName: "FILE"))
    var key: String?

    @Option(help: ArgumentHelp("A secret every JOIN must carry.", valueName: "SECRET"))
    var token: String?

    @Option(name: .customLong("metrics-port"), help: "Serve Prometheus metrics over HTTP on this port (on --host).")
    var metricsPort: Int?

    @Option(help: ArgumentHelp(
        "Limits to enforce instead of PROTOCOL.md §6's defaults: a JSON object of limit names and positive integers; a name left out keeps its default.",
        valueName: "FILE"))
    var limits: String?

    @Flag(help: "Offer a ready session called \"demo\" (bass and drums in D minor) to join at once.")
    var demo = false

    @Option(help: "How much to log.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (cert == nil) == (key == nil) else { throw ValidationError("--cert and --key go together") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        if let token, token.isEmpty { throw ValidationError("--token must not be empty") }
    }

    func run() async throws {
        var logger = Logger(label: "jam.server")
        logger.logLevel = logLevel
        let identity: ServerIdentity
        do {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            if let cert, let key {
                identity = try ServerIdentity.load(certificate: cert, key: key)
            } else {
                identity = try ServerIdentity.loadOrCreate(dataDirectory: data)
            }
        } catch {
            printError("jam serve: \(error)")
            throw ExitCode.failure
        }
        var configuration = JamServer.Configuration(dataDirectory: data, tls: try identity.makeServerContext())
        configuration.host = host
        configuration.port = port
        configuration.token = token
        configuration.bandmates = BandHost(trust: .fingerprint(identity.fingerprint))
        if let limits {
            do {
                configuration.limits = try loadLimits(limits)
            } catch {
                printError("jam serve: \(error)")
                throw ExitCode.failure
            }
        }
        let connections = configuration.limits.connections
        if let files = OpenFileLimit.raise(toServe: connections), files.connections < connections {
            printError(
                "jam serve: warning: the open-file limit (\(files.soft); hard limit \(files.hard)) leaves room for about "
                    + "\(files.connections) connections, not the \(connections) the limits allow; raise the hard limit (ulimit -Hn)")
        }
        if demo {
            configuration.initialDocument = { $0 == DemoSession.name ? DemoSession.document : Document(title: $0) }
        } else {
            configuration.initialDocument = { Document(title: $0) }
        }
        var services: [any Service] = []
        if let metricsPort {
            let metrics = ServerMetrics()
            configuration.metrics = metrics
            let endpoint = try await MetricsEndpoint.bind(host: host, port: metricsPort, registry: metrics.registry)
            say("Metrics:  http://\(host):\(endpoint.port)/metrics")
            services.append(endpoint)
        }
        let server: JamServer
        do {
            server = try await JamServer.bind(configuration, logger: logger)
        } catch {
            printError("jam serve: \(error)")
            throw ExitCode.failure
        }
        services.insert(server, at: 0)
        say("Jam \(JamVersion.program) listening on \(host):\(server.port) (TLS)")
        say("Data:     \(URL(fileURLWithPath: data).standardizedFileURL.path)")
        say(identity.announcement)
        if demo { say("Demo session ready: join \"\(DemoSession.name)\"") }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        say("Jam server stopped; every session log is flushed.")
    }
}

/// Why a --limits file was refused.
struct LimitsFileError: Error, CustomStringConvertible {
    var code = "limits_invalid"
    var message: String
    var description: String { message }
}

/// Reads a --limits file: JamProtocol.Limits as JSON, every value positive, unknown names refused.
func loadLimits(_ path: String) throws -> JamProtocol.Limits {
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw LimitsFileError(message: "cannot read the limits file \(path): \(error.localizedDescription)")
    }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw LimitsFileError(message: "\(path) is not a JSON object of limits")
    }
    let unknown = Set(object.keys).subtracting(JamProtocol.Limits.names)
    guard unknown.isEmpty else {
        throw LimitsFileError(message: "\(path) names unknown limits: \(unknown.sorted().joined(separator: ", ")) (known: \(JamProtocol.Limits.names.joined(separator: ", ")))")
    }
    let limits: JamProtocol.Limits
    do {
        limits = try JSONDecoder().decode(JamProtocol.Limits.self, from: data)
    } catch {
        throw LimitsFileError(message: "\(path): every limit is an integer (\(error))")
    }
    let encoded = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(limits)) as? [String: Int]) ?? [:]
    if let bad = encoded.filter({ $0.value <= 0 }).keys.sorted().first {
        throw LimitsFileError(message: "\(path): \(bad) must be positive")
    }
    return limits
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Writes a line to standard output at once (print is block-buffered when the output is a pipe).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The bandmates INVITE starts: JamBand's host, which the server only relays to.
extension BandHost: Bandmates {}
