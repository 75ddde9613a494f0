import ArgumentParser
import Foundation
import JamClient
import JamProtocol

/// How a command reaches a server and joins a session: shared by join, tail, send and bot.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The server's address.")
    var host = "127.0.0.1"

    @Option(help: "The server's port.")
    var port = 7890

    @Option(name: .customLong("ca"), help: ArgumentHelp(
        "Trust the server whose certificate (or CA) is in this PEM file. Default: jam-data/tls/cert.pem when it exists (a local `jam serve`), else the system's roots.",
        valueName: "FILE"))
    var ca: String?

    @Option(help: ArgumentHelp("Trust the server whose certificate has this SHA-256 fingerprint (as `jam serve` prints it).", valueName: "HEX"))
    var fingerprint: String?

    @Option(help: ArgumentHelp("The session's secret, when the server asks for one.", valueName: "SECRET"))
    var token: String?

    func validate() throws {
        guard ca == nil || fingerprint == nil else { throw ValidationError("give --ca or --fingerprint, not both") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
    }

    var endpoint: Endpoint {
        let trust: ClientTrust
        if let fingerprint {
            trust = .fingerprint(fingerprint)
        } else if let ca {
            trust = .pinnedCertificate(path: ca)
        } else if FileManager.default.fileExists(atPath: "jam-data/tls/cert.pem") {
            trust = .pinnedCertificate(path: "jam-data/tls/cert.pem")
        } else {
            trust = .systemRoots
        }
        return Endpoint(host: host, port: port, trust: trust)
    }

    /// Connects and joins, or prints why not (with the error's code) and exits 1.
    func connect(_ command: String, join request: JoinRequest, reconnect: ReconnectPolicy = .standard) async throws -> JamConnection {
        do {
            return try await JamConnection.connect(to: endpoint, join: request, reconnect: reconnect)
        } catch {
            printError("jam \(command): \(error)")
            if error.code == "tls_failed" && ca == nil && fingerprint == nil {
                printError("jam \(command): pin the server's certificate with --ca FILE or --fingerprint HEX")
            }
            throw ExitCode.failure
        }
    }
}

extension Role: ExpressibleByArgument {}

/// A session name checked as the server will check it.
func validateSession(_ session: String) throws {
    let ok = session.utf8.count <= 64 && session.first.map { $0.isLowercase || $0.isNumber } == true
        && session.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" || $0 == "-" }
    guard ok else { throw ValidationError("a session name is 1–64 of a–z, 0–9, _ and -, starting with a letter or digit") }
}
