import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the terminal reports: a key, or a new size.
public enum TerminalEvent: Hashable, Sendable {
    case key(KeyPress)
    case resize(TerminalSize)
}

/// The real terminal, in raw mode on the alternate screen, for the time of one scope.
///
/// ``withRawMode(input:output:isolation:_:)`` saves the terminal's settings, switches to raw mode (no
/// echo, no line editing, and no signals from keys: Ctrl-C arrives as a key), the alternate screen, a
/// hidden cursor and no autowrap, and always puts everything back: when the scope returns, when it
/// throws, and when the process gets SIGINT, SIGTERM, SIGHUP, SIGQUIT or a crash signal (the handler
/// restores the terminal with `tcsetattr` and `write`, then lets the signal do what it did before).
/// One scope at a time per process.
public final class Terminal: Sendable {
    /// The file descriptor keys are read from.
    public let input: Int32
    /// The file descriptor the screen is written to.
    public let output: Int32
    /// Keys and resizes, in order. Ends when the input ends (the terminal hung up) or the scope ends.
    public let events: AsyncStream<TerminalEvent>

    fileprivate init(input: Int32, output: Int32, events: AsyncStream<TerminalEvent>) {
        self.input = input
        self.output = output
        self.events = events
    }

    /// The terminal's size now (80×24 when it cannot be asked).
    public var size: TerminalSize { Self.size(of: output, or: input) }

    /// Writes bytes to the terminal, all of them.
    public func write(_ bytes: [UInt8]) throws(TerminalError) {
        guard writeAll(output, bytes) else {
            throw TerminalError(code: "write_failed", message: "cannot write to the terminal: \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `body` with the terminal in raw mode on the alternate screen, and restores the terminal
    /// however `body` ends.
    public static func withRawMode<Result>(
        input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Terminal) async throws -> Result
    ) async throws -> Result {
        let session = try RawSession(input: input, output: output)
        defer { session.end() }
        return try await body(session.terminal)
    }

    /// Bytes that enter the alternate screen, hide the cursor, turn autowrap off and clear.
    static let enterBytes = Array("\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l\u{1B}[0m\u{1B}[2J".utf8)
    /// Bytes that undo ``enterBytes``.
    static let restoreBytes = Array("\u{1B}[0m\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l".utf8)

    static func size(of fd: Int32, or other: Int32) -> TerminalSize {
        var size = winsize()
        for candidate in [fd, other] where ioctl(candidate, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return TerminalSize(columns: Int(size.ws_col), rows: Int(size.ws_row))
        }
        return TerminalSize(columns: 80, rows: 24)
    }
}

/// Writes all the bytes, waiting while the descriptor is full; false on an error.
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && errno == EAGAIN {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pfd, 1, 100)
            } else {
                return false
            }
        }
        return true
    }
}

/// One raw-mode scope: the saved settings, the signal handlers, the wake pipe and the key reader.
private final class RawSession: Sendable {
    let terminal: Terminal
    let wakeRead: Int32
    let wakeWrite: Int32
    let readerDone = DispatchSemaphore(value: 0)

    init(input: Int32, output: Int32) throws(TerminalError) {
        guard isatty(input) == 1 else {
            throw TerminalError(code: "not_a_terminal", message: "input (fd \(input)) is not a terminal; jam join needs one")
        }
        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else {
            throw TerminalError(code: "termios_failed", message: "cannot read the terminal's settings: \(String(cString: strerror(errno)))")
        }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            throw TerminalError(code: "pipe_failed", message: "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in pipeFDs {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        guard SignalRestore.arm(input: input, output: output, saved: saved, wake: wakeWrite) else {
            close(wakeRead)
            close(wakeWrite)
            throw TerminalError(code: "terminal_busy", message: "the terminal is already in raw mode in this process")
        }
        var raw = saved
        cfmakeraw(&raw)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            // A read returns as soon as one byte is there.
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else {
            let reason = String(cString: strerror(errno))
            SignalRestore.disarm()
            close(wakeRead)
            close(wakeWrite)
            throw TerminalError(code: "termios_failed", message: "cannot put the terminal in raw mode: \(reason)")
        }
        _ = writeAll(output, Terminal.enterBytes)

        let (events, continuation) = AsyncStream.makeStream(of: TerminalEvent.self, bufferingPolicy: .unbounded)
        terminal = Terminal(input: input, output: output, events: events)
        let reader = KeyReader(input: input, output: output, wake: wakeRead, continuation: continuation)
        let done = readerDone
        let thread = Thread {
            reader.run()
            done.signal()
        }
        thread.name = "jam-terminal-keys"
        thread.start()
    }

    /// Stops the reader (so that it takes no key meant for the shell), then restores the terminal.
    func end() {
        var quit = KeyReader.quit
        _ = write(wakeWrite, &quit, 1)
        readerDone.wait()
        SignalRestore.end()
        close(wakeRead)
        close(wakeWrite)
    }
}

/// Reads the input on its own thread and turns bytes into events.
private struct KeyReader: Sendable {
    static let quit: UInt8 = UInt8(ascii: "Q")
    static let resized: UInt8 = UInt8(ascii: "W")
    /// How long a lone Escape waits for the rest of a sequence.
    static let escapeMilliseconds: Int32 = 30

    let input: Int32
    let output: Int32
    let wake: Int32
    let continuation: AsyncStream<TerminalEvent>.Continuation

    func run() {
        defer { continuation.finish() }
        // Threads made from a worker inherit its blocked signals; this one takes the signals the
        // terminal handles, so a process-directed SIGWINCH or SIGTERM always finds a thread.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in SignalRestore.fatal + [SIGWINCH] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        var decoder = KeyDecoder()
        var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let ready = poll(&fds, 2, decoder.hasPending ? Self.escapeMilliseconds : -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if ready == 0 {
                for key in decoder.flush() { continuation.yield(.key(key)) }
                continue
            }
            if fds[1].revents != 0 {
                let n = read(wake, &buffer, buffer.count)
                if n > 0 {
                    if buffer[0..<n].contains(Self.quit) { return }
                    if buffer[0..<n].contains(Self.resized) {
                        continuation.yield(.resize(Terminal.size(of: output, or: input)))
                    }
                }
            }
            if fds[0].revents != 0 {
                let n = read(input, &buffer, buffer.count)
                if n > 0 {
                    for key in decoder.decode(buffer[0..<n]) { continuation.yield(.key(key)) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    for key in decoder.flush() { continuation.yield(.key(key)) }
                    return
                }
            }
        }
    }
}

/// What a signal handler needs to put the terminal back, set before the handlers are installed, in
/// memory that is never freed, and read by the handlers with only async-signal-safe calls.
private struct RestoreState {
    /// 1 from the start of a raw-mode scope to its end: the handlers are installed.
    var active: Int32
    /// 1 while the terminal is raw: cleared by whoever restores it first, the scope or a handler.
    var armed: Int32
    var input: Int32
    var output: Int32
    var wake: Int32
    var saved: termios
}

/// The signal handlers that restore the terminal, and the one place that knows whether it is raw.
private enum SignalRestore {
    /// Signals that end the process: the handler restores the terminal, then the signal does what it did before.
    static let fatal: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE]

    nonisolated(unsafe) static let state: UnsafeMutablePointer<RestoreState> = {
        let pointer = UnsafeMutablePointer<RestoreState>.allocate(capacity: 1)
        pointer.initialize(to: RestoreState(active: 0, armed: 0, input: -1, output: -1, wake: -1, saved: termios()))
        return pointer
    }()

    /// The handlers that were there before, by signal number, put back when the scope ends.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let count = Int((fatal + [SIGWINCH]).max()!) + 1
        let pointer = UnsafeMutablePointer<sigaction>.allocate(capacity: count)
        pointer.initialize(repeating: sigaction(), count: count)
        return pointer
    }()

    nonisolated(unsafe) static let restoreBytes: UnsafeMutableBufferPointer<UInt8> = {
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Terminal.restoreBytes.count)
        _ = buffer.initialize(from: Terminal.restoreBytes)
        return buffer
    }()

    static let lock = NSLock()

    /// Records the settings to restore and installs the handlers; false if a scope is already active.
    static func arm(input: Int32, output: Int32, saved: termios, wake: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard state.pointee.active == 0 else { return false }
        _ = restoreBytes
        state.pointee = RestoreState(active: 1, armed: 1, input: input, output: output, wake: wake, saved: saved)
        for signal in fatal {
            var current = sigaction()
            sigaction(signal, nil, &current)
            previous[Int(signal)] = current
            // A signal the process ignores stays ignored.
            if isIgnored(current) { continue }
            install(signal, handler: onFatalSignal, flags: 0)
        }
        var current = sigaction()
        sigaction(SIGWINCH, nil, &current)
        previous[Int(SIGWINCH)] = current
        install(SIGWINCH, handler: onResize, flags: Int32(SA_RESTART))
        return true
    }

    /// Ends the scope: puts the saved settings back unless a signal handler already did, and the old
    /// handlers.
    static func end() {
        lock.lock()
        defer { lock.unlock() }
        guard state.pointee.active != 0 else { return }
        if state.pointee.armed != 0 {
            state.pointee.armed = 0
            restoreTerminal(state)
        }
        uninstall()
    }

    /// Ends a scope that never switched the terminal.
    static func disarm() {
        lock.lock()
        defer { lock.unlock() }
        state.pointee.armed = 0
        uninstall()
    }

    private static func uninstall() {
        for signal in fatal + [SIGWINCH] {
            sigaction(signal, previous + Int(signal), nil)
        }
        state.pointee.active = 0
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        guard let handler = action.__sigaction_handler.sa_handler else { return false }
        let ignore = SIG_IGN
        return action.sa_flags & Int32(SA_SIGINFO) == 0 && unsafeBitCast(handler, to: Int.self) == unsafeBitCast(ignore, to: Int.self)
    }

    private static func install(_ signal: Int32, handler: @convention(c) (Int32) -> Void, flags: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = flags
        sigaction(signal, &action, nil)
    }
}

/// Async-signal-safe: `tcsetattr` and `write` only.
private func restoreTerminal(_ state: UnsafeMutablePointer<RestoreState>) {
    let bytes = SignalRestore.restoreBytes
    _ = write(state.pointee.output, bytes.baseAddress, bytes.count)
    _ = tcsetattr(state.pointee.input, TCSANOW, &state.pointee.saved)
}

/// The fatal signals' handler: restore once, put back what was there, and raise the signal again, so it
/// ends the process as it would have (or runs the handler that was there, such as Swift's backtracer).
private func onFatalSignal(_ signal: Int32) {
    let state = SignalRestore.state
    if state.pointee.armed != 0 {
        state.pointee.armed = 0
        restoreTerminal(state)
    }
    sigaction(signal, SignalRestore.previous + Int(signal), nil)
    raise(signal)
}

/// SIGWINCH: wake the reader, which asks for the new size.
private func onResize(_: Int32) {
    let state = SignalRestore.state
    guard state.pointee.active != 0 else { return }
    let saved = errno
    var byte = UInt8(ascii: "W")
    _ = write(state.pointee.wake, &byte, 1)
    errno = saved
}
