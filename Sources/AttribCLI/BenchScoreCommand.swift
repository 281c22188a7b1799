import ArgumentParser
import Common
import Foundation
import ServerModels

/// `attrib bench score`: scoring throughput of a model on llama.cpp servers through attrib's
/// client (the figure `scripts/real-models/throughput.py` compares with a plain Python client).
struct BenchScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Time raw log-probabilities of every position of fixed texts on inference servers.",
        discussion: """
            Each position of each text (tokenized by the server) is one forced-token request, \
            as scoring an answer makes them; texts are spread over --threads threads. Prints \
            tokens per second; --json prints one JSON object.
            """)

    @Option(help: "Server base URLs, comma-separated (replicas of one model).") var urls: String
    @Option(help: "Requests in flight per replica.") var concurrency = 2
    @Option(help: "Scoring threads (default: replicas x concurrency).") var threads: Int?
    @Option(help: "Copies of the built-in texts to score.") var repeats = 2
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Also write the scores as a direct_eval.py request (JSON: model path, cases with the prompt ids the server evaluated, tokens and attrib's raw log-probabilities).")
    var dump: String?
    @Option(help: "The GGUF file the servers serve, recorded in --dump for the direct evaluation.") var modelFile = ""

    /// Latin, Cyrillic, CJK and code, as the agreement test uses.
    static let texts = [
        "The committee will meet again on Thursday to discuss the budget for next year.",
        "Москва — столица России, и в ней живёт больше двенадцати миллионов человек.",
        "東京は日本の首都で、世界で最も人口の多い都市圏の一つです。",
        "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)",
    ]

    func run() throws {
        let endpoints = urls.split(separator: ",").map { ServerEndpoint(url: String($0)) }
        let replicas = ReplicaSet(endpoints: endpoints, concurrencyPerReplica: concurrency)
        let model = try ServerLanguageModel.connect(replicas, name: "bench")
        let texts = (0..<repeats).flatMap { r in Self.texts.map { "\(r) \($0)" } }
        let encoded = texts.map { model.tokenizer.encode($0) }
        let start = Date()
        let scores = try parallelMap(encoded.count, threads: threads ?? endpoints.count * concurrency) { k -> [Double] in
            let tokens = encoded[k]
            return (1..<tokens.count).map { i in model.logProbabilities(of: [tokens[i]], after: Array(tokens[..<i]))[0] }
        }
        let seconds = Date().timeIntervalSince(start)
        let positions = scores.map(\.count).reduce(0, +)
        if let dump {
            let cases: [[String: Any]] = encoded.indices.map { k in
                ["prompt": model.prompt(Array(encoded[k].prefix(1))), "tokens": Array(encoded[k].dropFirst()), "attrib_raw": scores[k]]
            }
            let object: [String: Any] = ["model": modelFile, "temperature": 3.0, "cases": cases]
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: dump))
        }
        let rate = Double(positions) / seconds
        if json {
            print("{\"positions\": \(positions), \"seconds\": \(seconds), \"tokens_per_second\": \(rate), \"replicas\": \(endpoints.count)}")
        } else {
            print(String(format: "%d positions in %.2f s: %.1f tokens/s over %d replica(s)", positions, seconds, rate, endpoints.count))
        }
    }
}
