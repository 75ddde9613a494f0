import JamCore

/// What the editor asks of the program around it, in answer to a key or a command.
public enum EditorAction: Hashable, Sendable {
    /// Send this operation, made on the editor's document and already applied to it.
    case submit(JamCore.Operation)
    /// Undo this member's last edit (the connection knows the history).
    case undo
    case redo
    /// This member's cursor moved: send CURSOR.
    case cursor(track: String?, tick: Int, pitch: Int?)
    /// Send a chat line.
    case chat(String)
    /// Invite an AI bandmate to play `role` in `style`.
    case invite(role: String, style: String)
    /// Dismiss an AI bandmate: the one named, or any when nil.
    case dismiss(String?)
    /// Write the session as a Standard MIDI File.
    case export(path: String)
    case play
    case stop
    /// Leave the session and restore the terminal.
    case quit
    /// Redraw the whole screen (Ctrl-L): the terminal may show something else.
    case redraw
}
