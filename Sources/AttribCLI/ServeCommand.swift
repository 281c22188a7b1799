import ArgumentParser
import Foundation
import Simulation
import SimulatorServer
import Workflow

/// `attrib serve`: the simulated MLMAC API over a built zoo.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a built zoo's fine-tunes (or any models) over MLMAC- and OpenAI-compatible HTTP APIs on loopback.")

    @Option(help: "A zoo folder built by `attrib zoo build` (holds manifest.json).") var zoo: String?
    @Option(help: "Instead of --zoo: a bases file whose bases are the models to serve, model N being the N-th (model files or inference servers), under its decoding.")
    var suspects: String?
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

    func validate() throws {
        guard (zoo == nil) != (suspects == nil) else { throw ValidationError("Give exactly one of --zoo and --suspects.") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port).") }
        for (flag, rate) in [("--error-rate", errorRate), ("--drop-rate", dropRate), ("--malformed-rate", malformedRate)] where !(0...1).contains(rate) {
            throw ValidationError("\(flag) is a fraction in [0, 1], got \(rate).")
        }
        guard loadingSeconds >= 0 else { throw ValidationError("--loading-seconds cannot be negative, got \(loadingSeconds).") }
        guard delay >= 0 else { throw ValidationError("--delay cannot be negative, got \(delay).") }
        if let rateLimit, rateLimit < 1 { throw ValidationError("--rate-limit must be at least 1 request per second, got \(rateLimit).") }
    }

    func run() async throws {
        try await execute()
    }

    func execute() async throws {
        let responder: ZooResponder
        let what: String
        if let zoo {
            let directory = URL(fileURLWithPath: zoo)
            let manifest = try ZooManifest.load(directory: directory)
            responder = try ZooResponder(manifest: manifest, directory: directory, seed: seed)
            what = "\(manifest.fineTunes.count) fine-tunes of \(manifest.name)"
        } else {
            let path = suspects!
            let file = try BasesFile.load(path: path)
            let models = try file.baseModels(directory: URL(fileURLWithPath: path).deletingLastPathComponent())
            responder = ZooResponder(models: models.map(\.model), settings: models.map { _ in file.settings }, seed: seed)
            what = "\(models.count) models (" + models.enumerated().map { "\($0): \($1.name)" }.joined(separator: ", ") + ")"
        }
        let knobs = FaultKnobs(loadingSeconds: loadingSeconds, rateLimitPerSecond: rateLimit, errorRate: errorRate,
                               dropRate: dropRate, malformedRate: malformedRate, responseDelay: delay, seed: seed)
        let server = try await SimulatorServer.start(responder: responder, tokens: try TokenRegistry(contentsOf: tokens),
                                                     knobs: knobs, host: host, port: port)
        FileHandle.standardOutput.write(Data("serving \(what) at \(server.baseURL) (MLMAC: POST /query; OpenAI: POST /v1/completions)\n".utf8))
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
