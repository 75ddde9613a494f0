import Foundation
import Testing
@testable import JamTerminal

#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair: the tests play the user at `main`, the terminal code runs on `side`.
private struct PseudoTerminal: ~Copyable {
    let main: Int32
    let side: Int32

    init() throws {
        var main: Int32 = -1, side: Int32 = -1
        var size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&main, &side, nil, nil, &size) == 0 else { throw TerminalError(code: "openpty", message: "openpty failed") }
        _ = fcntl(main, F_SETFL, fcntl(main, F_GETFL) | O_NONBLOCK)
        self.main = main
        self.side = side
    }

    deinit {
        close(main)
        close(side)
    }

    var settings: termios {
        var t = termios()
        tcgetattr(side, &t)
        return t
    }

    func type(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { write(main, $0.baseAddress, $0.count) }
    }

    /// What the code wrote to the terminal so far.
    func output() -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(main, &buffer, buffer.count)
            guard n > 0 else { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func resize(columns: UInt16, rows: UInt16) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(side, UInt(TIOCSWINSZ), &size)
    }
}

private func bytes(of settings: termios) -> [UInt8] {
    withUnsafeBytes(of: settings) { Array($0) }
}

private func isRaw(_ t: termios) -> Bool {
    t.c_lflag & tcflag_t(ICANON | ECHO | ISIG | IEXTEN) == 0 && t.c_iflag & tcflag_t(ICRNL | IXON) == 0
}

private struct Boom: Error {}

/// SIGHUPs seen by the handler the signal test installs before the terminal's.
nonisolated(unsafe) private var hangups = 0

private func countHangup(_: Int32) {
    hangups += 1
}

/// One terminal per process at a time: these run one after the other.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct TerminalTests {
    @Test func rawInsideRestoredAfterANormalExit() async throws {
        let pty = try PseudoTerminal()
        let before = pty.settings
        #expect(!isRaw(before))
        let key = try await Terminal.withRawMode(input: pty.side, output: pty.side) { terminal -> KeyPress? in
            #expect(isRaw(pty.settings))
            #expect(terminal.size == TerminalSize(columns: 80, rows: 24))
            try terminal.write(Array("hello".utf8))
            pty.type("\u{1B}[A")
            for await event in terminal.events {
                if case .key(let key) = event { return key }
            }
            return nil
        }
        #expect(key == .up)
        #expect(bytes(of: pty.settings) == bytes(of: before))
        let output = pty.output()
        #expect(output.hasPrefix("\u{1B}[?1049h\u{1B}[?25l"))
        #expect(output.contains("hello"))
        #expect(output.hasSuffix("\u{1B}[?25h\u{1B}[?1049l"))
    }

    @Test func restoredAfterAThrownError() async throws {
        let pty = try PseudoTerminal()
        let before = pty.settings
        await #expect(throws: Boom.self) {
            try await Terminal.withRawMode(input: pty.side, output: pty.side) { _ in
                #expect(isRaw(pty.settings))
                throw Boom()
            }
        }
        #expect(bytes(of: pty.settings) == bytes(of: before))
        #expect(pty.output().hasSuffix("\u{1B}[?1049l"))
    }

    /// A key typed after the scope ended is the shell's: the reader has stopped and leaves it unread.
    @Test func theReaderStopsWithTheScope() async throws {
        let pty = try PseudoTerminal()
        try await Terminal.withRawMode(input: pty.side, output: pty.side) { _ in }
        pty.type("z\n")
        var buffer = [UInt8](repeating: 0, count: 8)
        let n = read(pty.side, &buffer, buffer.count)
        #expect(n >= 1 && buffer[0] == UInt8(ascii: "z"))
    }

    /// A signal that would end the process restores the terminal at once, then does what it did before
    /// the scope: here, runs the handler the test installed (otherwise it ends the process, which the
    /// tests cannot watch from inside).
    @Test func aSignalRestoresTheTerminalThenDoesWhatItDidBefore() async throws {
        let pty = try PseudoTerminal()
        let before = pty.settings
        var action = sigaction()
        action.__sigaction_handler.sa_handler = countHangup
        sigemptyset(&action.sa_mask)
        var old = sigaction()
        sigaction(SIGHUP, &action, &old)
        defer { sigaction(SIGHUP, &old, nil) }
        hangups = 0
        try await Terminal.withRawMode(input: pty.side, output: pty.side) { _ in
            #expect(isRaw(pty.settings))
            kill(getpid(), SIGHUP)
            while hangups == 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(bytes(of: pty.settings) == bytes(of: before))
            #expect(pty.output().hasSuffix("\u{1B}[?1049l"))
        }
        #expect(hangups == 1)
        #expect(bytes(of: pty.settings) == bytes(of: before))
        #expect(pty.output().isEmpty, "the scope's end restores nothing twice")
        var now = sigaction()
        sigaction(SIGHUP, nil, &now)
        #expect(unsafeBitCast(now.__sigaction_handler.sa_handler, to: Int.self)
            == unsafeBitCast(countHangup as @convention(c) (Int32) -> Void, to: Int.self))
    }

    @Test func aResizeArrivesAsAnEvent() async throws {
        let pty = try PseudoTerminal()
        let size = try await Terminal.withRawMode(input: pty.side, output: pty.side) { terminal -> TerminalSize? in
            pty.resize(columns: 100, rows: 30)
            kill(getpid(), SIGWINCH)
            for await event in terminal.events {
                if case .resize(let size) = event { return size }
            }
            return nil
        }
        #expect(size == TerminalSize(columns: 100, rows: 30))
    }

    @Test func oneScopeAtATimeAndNoneWithoutATerminal() async throws {
        let pty = try PseudoTerminal()
        let before = pty.settings
        try await Terminal.withRawMode(input: pty.side, output: pty.side) { _ in
            await #expect(throws: TerminalError(code: "terminal_busy", message: "the terminal is already in raw mode in this process")) {
                try await Terminal.withRawMode(input: pty.side, output: pty.side) { _ in }
            }
            #expect(isRaw(pty.settings))
        }
        #expect(bytes(of: pty.settings) == bytes(of: before))
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { fds.forEach { close($0) } }
        do {
            try await Terminal.withRawMode(input: fds[0], output: fds[1]) { _ in }
            Issue.record("a pipe was taken for a terminal")
        } catch let error as TerminalError {
            #expect(error.code == "not_a_terminal")
        }
    }
}
