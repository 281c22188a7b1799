import ArgumentParser
import Corpora
import Foundation
import Simulation

/// `attrib zoo`: the simulated challenge's model zoo.
struct ZooCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "Build and inspect simulated model zoos (bases, fine-tunes, answer key).",
        subcommands: [ZooBuild.self, ZooFiguresCommand.self, ZooFloorCommand.self, ZooExplainCommand.self, ZooCeilingCommand.self, ZooLogCommand.self])
}
