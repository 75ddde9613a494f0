/// Session names and the file names built from them (LOG.md §1).
public enum SessionName {
    /// True if `name` matches `[a-z0-9][a-z0-9_-]{0,63}`: 1 to 64 bytes, starting with a lowercase
    /// letter or digit. Such a name cannot contain `/`, `.` or `..`, so it cannot leave the data directory.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...64).contains(bytes.count) else { return false }
        for (i, b) in bytes.enumerated() {
            let alnum = (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            if alnum { continue }
            if i > 0 && (b == 0x5F || b == 0x2D) { continue }  // _ -
            return false
        }
        return true
    }

    /// Throws `invalid_session_name` unless `name` is valid.
    public static func validate(_ name: String) throws(LogError) {
        guard isValid(name) else {
            throw LogError(.invalidSessionName, "session name \(name.debugDescription) does not match [a-z0-9][a-z0-9_-]{0,63}")
        }
    }

    /// The log file's path for `session` in `directory`, after validating the name.
    public static func logPath(directory: String, session: String) throws(LogError) -> String {
        try validate(session)
        return join(directory, session + ".jamlog")
    }

    static func join(_ directory: String, _ file: String) -> String {
        if directory.isEmpty { return file }
        return directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }
}
