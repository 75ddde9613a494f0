#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A thin, blocking wrapper around a file descriptor: every call loops over short transfers and
/// `EINTR` and turns failures into `io_error` with the call, the path and `errno`'s text.
struct LogFile: Sendable {
    let fd: Int32
    let path: String

    enum Mode { case readOnly, readWrite }

    /// Opens an existing file. `not_found` if it does not exist.
    static func open(_ path: String, mode: Mode) throws(LogError) -> LogFile {
        let flags: Int32 = (mode == .readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC
        let fd = retrying { Glibc_open(path, flags, 0) }
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw LogError(.notFound, "no file at \(path)") }
            if e == EISDIR { throw LogError(.notALog, "\(path) is a directory") }
            throw ioError("open", path, e)
        }
        let file = LogFile(fd: fd, path: path)
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            file.close()
            throw LogError(.notALog, "\(path) is not a regular file")
        }
        return file
    }

    /// Creates (or truncates) a file for writing.
    static func create(_ path: String) throws(LogError) -> LogFile {
        let fd = retrying { Glibc_open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw LogError(.notFound, "the directory of \(path) does not exist") }
            throw ioError("open", path, e)
        }
        return LogFile(fd: fd, path: path)
    }

    /// Creates a file that must not exist yet; nil if it does.
    static func createNew(_ path: String) throws(LogError) -> LogFile? {
        let fd = retrying { Glibc_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        guard fd >= 0 else {
            let e = errno
            if e == EEXIST { return nil }
            throw ioError("open", path, e)
        }
        return LogFile(fd: fd, path: path)
    }

    func close() {
        _ = Glibc_close(fd)
    }

    /// Takes an exclusive advisory lock; `locked` if another open file still holds it after a short
    /// wait. The wait covers a lock whose last holder has just closed: a child process spawned at that
    /// moment shares the descriptor (and so the lock) until its exec closes it.
    func lockExclusive() throws(LogError) {
        for attempt in 0...Self.lockAttempts {
            if retrying({ flock(fd, LOCK_EX | LOCK_NB) }) == 0 { return }
            let e = errno
            guard e == EWOULDBLOCK || e == EAGAIN else { throw LogError.ioError("flock", path, e) }
            if attempt < Self.lockAttempts { usleep(Self.lockPause) }
        }
        throw LogError(.locked, "\(path) is open in another writer")
    }

    /// How often, and how many microseconds apart, a held lock is tried again: half a second in all.
    static let lockAttempts = 50
    static let lockPause: useconds_t = 10_000

    func size() throws(LogError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LogError.ioError("fstat", path, errno) }
        return Int(st.st_size)
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                throw LogError.ioError("pread", path, e)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads `count` bytes at `offset`, fewer only at the end of the file.
    func read(count: Int, at offset: Int) throws(LogError) -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try bytes.withUnsafeMutableBytes { b in
            Result { () throws(LogError) -> Int in try read(into: b, at: offset) }
        }.get()
        if n < count { bytes.removeLast(count - n) }
        return bytes
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(LogError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                throw LogError.ioError("pwrite", path, e)
            }
            done += n
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(LogError) {
        try bytes.withUnsafeBytes { b in
            Result { () throws(LogError) in try write(b, at: offset) }
        }.get()
    }

    /// Makes the file's data (and its size) durable.
    func sync() throws(LogError) {
        #if canImport(Darwin)
        let rc = retrying { fcntl(fd, F_FULLFSYNC) }
        #else
        let rc = retrying { fdatasync(fd) }
        #endif
        guard rc == 0 else { throw LogError.ioError("fdatasync", path, errno) }
    }

    func truncate(to size: Int) throws(LogError) {
        let rc = retrying { ftruncate(fd, off_t(size)) }
        guard rc == 0 else { throw LogError.ioError("ftruncate", path, errno) }
    }

    /// Makes a directory's entries (a new or renamed file in it) durable.
    static func syncDirectory(_ path: String) throws(LogError) {
        let fd = retrying { Glibc_open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        guard fd >= 0 else { throw LogError.ioError("open", path, errno) }
        defer { _ = Glibc_close(fd) }
        guard retrying({ fsync(fd) }) == 0 else { throw LogError.ioError("fsync", path, errno) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }
}

extension LogError {
    static func ioError(_ call: String, _ path: String, _ code: Int32) -> LogError {
        LogError(.ioError, "\(call) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }
}

private func ioError(_ call: String, _ path: String, _ code: Int32) -> LogError {
    LogError.ioError(call, path, code)
}

/// Repeats a system call while it fails with `EINTR`.
@inline(__always)
func retrying(_ call: () -> Int32) -> Int32 {
    while true {
        let rc = call()
        if rc == -1 && errno == EINTR { continue }
        return rc
    }
}

@inline(__always)
private func Glibc_open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

@inline(__always)
private func Glibc_close(_ fd: Int32) -> Int32 {
    close(fd)
}
