import ArgumentParser
import Foundation
import Simulation
import SimulatorServer
import Workflow

/// `attrib serve`: the simulated MLMAC API over a built zoo.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a built zoo's fine-tunes over an MLMAC-compatible HTTP API on loopback.")

    @Option(help: "A zoo folder built by `attrib zoo build` (holds manifest.json).") var zoo: String
    @Option(help: "Port to listen on (0: a free port, printed).") var port = 8080
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Bearer tokens, one per line (`TOKEN` or `TOKEN NAME`).") var tokens: String
    @Option(help: "Seed of the response sampling.") var seed: UInt64 = 1
    @Option(help: "Answer 503 'currently loading' for the first SECONDS per model.") var loadingSeconds = 0.0
    @Option(help: "Answer 429 above this many requests per second per token.") var rateLimit: Int?
    @Option(help: "Fraction of requests answered with 500.") var errorRate = 0.0
    @Option(help: "Fraction of counted requests whose connection is dropped.") var dropRate = 0.0
    @Option(help: "Fraction of answers sent as truncated JSON.") var malformedRate = 0.0
    @Option(help: "Delay before every answer, in seconds.") var delay = 0.0

    func run() throws {
        let command = self
        try blockingAwait { try await command.execute() }
    }

    func execute() async throws {
        let directory = URL(fileURLWithPath: zoo)
        let manifest = try ZooManifest.load(directory: directory)
        let responder = try ZooResponder(manifest: manifest, directory: directory, seed: seed)
        let knobs = FaultKnobs(loadingSeconds: loadingSeconds, rateLimitPerSecond: rateLimit, errorRate: errorRate,
                               dropRate: dropRate, malformedRate: malformedRate, responseDelay: delay, seed: seed)
        let server = try await SimulatorServer.start(responder: responder, tokens: try TokenRegistry(contentsOf: tokens),
                                                     knobs: knobs, host: host, port: port)
        FileHandle.standardOutput.write(Data("serving \(manifest.fineTunes.count) fine-tunes of \(manifest.name) at \(server.baseURL)\n".utf8))
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
