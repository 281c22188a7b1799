import ArgumentParser
import Foundation
import Testing
@testable import AttribCLI

@Suite struct CommandTreeTests {
    /// Every leaf command, as the words that reach it from `attrib`.
    static func leaves(_ command: any ParsableCommand.Type, _ path: [String] = []) -> [(path: [String], type: any ParsableCommand.Type)] {
        let subcommands = command.configuration.subcommands
        if subcommands.isEmpty { return [(path, command)] }
        return subcommands.flatMap { leaves($0, path + [$0.configuration.commandName ?? String(describing: $0).lowercased()]) }
    }

    /// No command declares two options of the same name (an option group sharing a name with
    /// the command's own option once made `zoo explain --samples` ambiguous; release builds do
    /// not check this).
    @Test func noCommandHasTwoOptionsOfTheSameName() {
        let all = Self.leaves(AttribCommand.self)
        #expect(all.count >= 9)
        for (path, type) in all {
            let help = AttribCommand.helpMessage(for: type)
            var seen = Set<String>()
            let options = help.components(separatedBy: "OPTIONS:").dropFirst().joined()
            for line in options.split(separator: "\n") where line.hasPrefix("  -") {
                // An option's line starts with its names ("-h, --help", "--samples <samples>");
                // later words are its description, which may mention other options.
                let words = line.split(separator: " ")
                guard let first = words.first, first.hasPrefix("-") else { continue }
                let names = first.hasSuffix(",") ? words.prefix(2) : words.prefix(1)
                for word in names where word.hasPrefix("--") {
                    let name = word.trimmingCharacters(in: CharacterSet(charactersIn: ",<>"))
                    #expect(!seen.contains(name), "attrib \(path.joined(separator: " ")) declares \(name) twice")
                    seen.insert(name)
                }
            }
        }
    }
}
