import ArgumentParser
import JamCore

@main
struct Jam: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jam",
        abstract: "A collaborative real-time jam server and its tools.",
        version: "jam \(JamVersion.program) (document model \(JamVersion.document))",
        subcommands: [ServeCommand.self, JoinCommand.self, TailCommand.self, SendCommand.self, BotCommand.self, PlayCommand.self, DocCommand.self,
                      LogCommand.self, ReplayCommand.self, ExportCommand.self, ImportCommand.self, AnalyzeCommand.self]
    )
}
