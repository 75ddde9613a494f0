import NIOCore

/// Connecting many clients and running them through one plan.
enum LoadDriver {
    /// Opens `count` clients, at most `parallelism` handshakes and joins at a time, each ready (joined,
    /// subscribed) or failed; in index order.
    static func connect<Handler: LoadHandler>(
        count: Int, parallelism: Int, open: @escaping @Sendable (Int) async throws -> LoadConnection<Handler>
    ) async -> [Result<LoadConnection<Handler>, any Error>] {
        await withTaskGroup(of: (Int, Result<LoadConnection<Handler>, any Error>).self) { group in
            var results = [Result<LoadConnection<Handler>, any Error>?](repeating: nil, count: count)
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask {
                    do {
                        let connection = try await open(index)
                        try await connection.ready.get()
                        return (index, .success(connection))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(count, max(1, parallelism)) { add() }
            for await (index, result) in group {
                results[index] = result
                if next < count { add() }
            }
            return results.map { $0! }
        }
    }

    /// Like ``connect(count:parallelism:open:)``, failing with the first client that could not connect
    /// (closing the others).
    static func connectAll<Handler: LoadHandler>(
        count: Int, parallelism: Int, open: @escaping @Sendable (Int) async throws -> LoadConnection<Handler>
    ) async throws -> [LoadConnection<Handler>] {
        let results = await connect(count: count, parallelism: parallelism, open: open)
        var connections: [LoadConnection<Handler>] = []
        var failure: (any Error)?
        for result in results {
            switch result {
            case .success(let connection): connections.append(connection)
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure {
            for connection in connections { connection.channel.close(promise: nil) }
            throw failure
        }
        return connections
    }

    /// Starts every client on `plan`, waits for its end, then up to `drain` seconds for what is in flight
    /// to be acknowledged and delivered; then says goodbye. With `untilClosed`, returns early once every
    /// connection has closed (the server went away).
    /// Returns when sending ended (the plan's end, or when the last connection closed if that was
    /// sooner) and the CPU seconds the server (`server`, if given) and the generator used while measuring.
    @discardableResult
    static func run<Handler: LoadHandler>(
        _ connections: [LoadConnection<Handler>], plan: RunPlan, recorder: Recorder, clocks: [DeliveryClock],
        drain: Double, untilClosed: Bool = false, server: ProcessCPU? = nil
    ) async -> (ended: UInt64, cpu: CPUWindow) {
        recorder.begin(plan)
        for connection in connections {
            _ = try? await connection.run { $0.start(plan) }
        }
        let generator = ProcessCPU()
        var startCPU: CPUWindow?
        var cpu = CPUWindow()
        var ended = plan.end
        while LoadClock.now() < plan.end {
            let now = LoadClock.now()
            if startCPU == nil, now >= plan.measureFrom {
                startCPU = CPUWindow(server: server?.seconds(), generator: generator.seconds())
            }
            let next = startCPU == nil && now < plan.measureFrom ? min(plan.measureFrom, now + 200_000_000) : min(plan.end, now + 200_000_000)
            try? await Task.sleep(for: .nanoseconds(Int64(next - min(next, LoadClock.now()))))
            if startCPU == nil, LoadClock.now() >= plan.measureFrom {
                startCPU = CPUWindow(server: server?.seconds(), generator: generator.seconds())
            }
            if untilClosed, await allClosed(connections) {
                ended = min(plan.end, LoadClock.now())
                break
            }
        }
        if let startCPU {
            if let before = startCPU.server, let after = server?.seconds() { cpu.server = after - before }
            if let before = startCPU.generator, let after = generator.seconds() { cpu.generator = after - before }
        }
        let deadline = LoadClock.now() + UInt64(drain * 1e9)
        while LoadClock.now() < deadline {
            if await allIdle(connections), clocks.allSatisfy({ $0.outstanding == 0 }) { break }
            if untilClosed, await allClosed(connections) { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        for connection in connections {
            _ = try? await connection.run { $0.stop() }
        }
        for connection in connections {
            try? await connection.closed.get()
        }
        return (ended, cpu)
    }

    private static func allIdle<Handler: LoadHandler>(_ connections: [LoadConnection<Handler>]) async -> Bool {
        for connection in connections where connection.channel.isActive {
            guard (try? await connection.run({ $0.isIdle })) ?? true else { return false }
        }
        return true
    }

    private static func allClosed<Handler: LoadHandler>(_ connections: [LoadConnection<Handler>]) async -> Bool {
        connections.allSatisfy { !$0.channel.isActive }
    }
}
