/// The versions Jam reports: of the program, and of the document model it speaks.
public enum JamVersion {
    public static let program = "0.1.0"
    /// The version of DOCUMENT.md this core implements.
    public static let document = 1
}
