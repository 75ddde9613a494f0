/// Every key of the editor and every command, as the help overlay lists them.
public enum KeyBindings {
    /// One line of help: the keys (or the command) and what they do.
    public struct Entry: Hashable, Sendable {
        public var keys: String
        public var effect: String
    }

    /// The keys of normal mode.
    public static let keys: [Entry] = [
        Entry(keys: "←↓↑→ hjkl", effect: "move the cursor"),
        Entry(keys: "w b", effect: "next / previous bar"),
        Entry(keys: "0 $ Home End", effect: "loop start / end"),
        Entry(keys: "PgUp PgDn", effect: "cursor octave up/down"),
        Entry(keys: "Space Enter", effect: "add or remove a note"),
        Entry(keys: "x Del", effect: "remove the note"),
        Entry(keys: "[ ]", effect: "note shorter / longer"),
        Entry(keys: "- +", effect: "velocity down / up"),
        Entry(keys: "< >", effect: "note octave down / up"),
        Entry(keys: "J K", effect: "note semitone down/up"),
        Entry(keys: "H L", effect: "move note left/right"),
        Entry(keys: "Tab S-Tab t T", effect: "next / previous track"),
        Entry(keys: "m s", effect: "mute / solo the track"),
        Entry(keys: "u Ctrl-Z", effect: "undo your last edit"),
        Entry(keys: "U Ctrl-R/Y", effect: "redo"),
        Entry(keys: "I D", effect: "insert / remove a bar"),
        Entry(keys: "z Z", effect: "finer / coarser grid"),
        Entry(keys: "p", effect: "play / stop"),
        Entry(keys: ": ? F1", effect: "commands / this help"),
        Entry(keys: "Esc Ctrl-L", effect: "clear status / redraw"),
        Entry(keys: "Ctrl-C", effect: "quit"),
    ]

    /// The `:` commands.
    public static let commands: [Entry] = [
        Entry(keys: ":bpm 96", effect: "tempo, 20–400"),
        Entry(keys: ":meter 3/4", effect: "time signature"),
        Entry(keys: ":key D minor", effect: "key, or none"),
        Entry(keys: ":loop 8", effect: "loop length, bars"),
        Entry(keys: ":title TEXT", effect: "session title"),
        Entry(keys: ":track add NAME P", effect: "P: 0–127 or drums"),
        Entry(keys: ":track remove", effect: "remove this track"),
        Entry(keys: ":track name TEXT", effect: "rename the track"),
        Entry(keys: ":track program P", effect: "new sound"),
        Entry(keys: ":track volume|pan N", effect: "mix the track"),
        Entry(keys: ":dur 1/8  :vel 96", effect: "new notes"),
        Entry(keys: ":step 1/16", effect: "grid step"),
        Entry(keys: ":chat TEXT", effect: "say something"),
        Entry(keys: ":invite ROLE STYLE", effect: "call an AI player"),
        Entry(keys: ":dismiss [NAME]", effect: "send it away"),
        Entry(keys: ":export FILE.mid", effect: "write a MIDI file"),
        Entry(keys: ":play :stop", effect: "playback"),
        Entry(keys: ":undo :redo", effect: "as u and U"),
        Entry(keys: ":help :q", effect: "this help; quit"),
    ]

    /// Columns the help overlay gives the keys of each list.
    static let keyColumns = 14
    static let commandColumns = 19
}
