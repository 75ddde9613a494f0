import JamCore
import JamLog
import JamProtocol
import Logging
import NIOPosix

/// The sessions in memory, by name: loaded from their logs on the first join, unloaded when their last
/// member leaves (their state lives on in the log).
actor SessionRegistry {
    private var sessions: [String: Session] = [:]
    private var loading: [String: Task<Session, any Error>] = [:]
    private let directory: String
    private let limits: JamProtocol.Limits
    private let metrics: ServerMetrics?
    private let logger: Logger
    private let initialDocument: @Sendable (String) -> Document

    init(directory: String, limits: JamProtocol.Limits, metrics: ServerMetrics?, logger: Logger, initialDocument: @escaping @Sendable (String) -> Document) {
        self.directory = directory
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
        self.initialDocument = initialDocument
    }

    /// The live session called `name`, loaded or created from its log.
    func session(_ name: String) async throws -> Session {
        if let session = sessions[name] { return session }
        if let task = loading[name] { return try await task.value }
        let (directory, limits, metrics, logger, document) = (self.directory, self.limits, self.metrics, self.logger, initialDocument(name))
        let task = Task<Session, any Error> {
            let (log, recovery) = try await NIOThreadPool.singleton.runIfActive {
                try SessionLog.openOrCreate(directory: directory, session: name, initialDocument: document)
            }
            for warning in recovery.warnings {
                logger.warning("session log repaired", metadata: ["session": "\(name)", "warning": "\(warning)"])
            }
            logger.info(recovery.created ? "session created" : "session loaded",
                metadata: ["session": "\(name)", "revision": "\(recovery.revision)", "log": "\(log.path)"])
            return Session(name: name, log: log, recovery: recovery, limits: limits, metrics: metrics, logger: logger)
        }
        loading[name] = task
        defer { loading[name] = nil }
        let session = try await task.value
        sessions[name] = session
        metrics?.sessions.set(to: Double(sessions.count))
        return session
    }

    /// Unloads `name` if nobody is in it and nothing waits for its log.
    func release(_ name: String) async {
        guard let session = sessions[name], await session.closeIfEmpty() else { return }
        if sessions[name] === session { sessions[name] = nil }
        metrics?.sessions.set(to: Double(sessions.count))
        logger.info("session unloaded", metadata: ["session": "\(name)"])
    }

    /// Closes every session: members hear BYE, logs are flushed and closed.
    func closeAll(reason: String) async {
        for session in sessions.values { await session.close(reason: reason) }
        sessions.removeAll()
        metrics?.sessions.set(to: 0)
    }

    var names: [String] { Array(sessions.keys) }
}
