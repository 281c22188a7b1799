import Foundation
@testable import LanguageModels

/// Real text for tests: the MLMAC round-1 log lines (multilingual, with literal `\n`s), read
/// from `../shared/mlmac/round1-log` relative to the repository root.
enum Fixtures {
    static let logDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/mlmac/round1-log").standardizedFileURL

    /// Every line of every file of the log, in a fixed order.
    static let logLines: [String] = {
        let sets = ["DialoGPT", "Multilingual-MiniLM-L12-H384"]
        let files = ["prompts"] + (0...11).filter { $0 != 9 }.map(String.init)
        var lines: [String] = []
        for set in sets {
            for file in files {
                let url = logDirectory.appendingPathComponent(set).appendingPathComponent("\(file).csv")
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                lines += text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            }
        }
        return lines
    }()

    /// The prompts of both sets: training documents for the tests' models.
    static let promptDocuments: [String] = {
        ["DialoGPT", "Multilingual-MiniLM-L12-H384"].flatMap { set -> [String] in
            let url = logDirectory.appendingPathComponent(set).appendingPathComponent("prompts.csv")
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init)
        }
    }()

    /// The continuations (prompt prefix removed) that fine-tuned model 10 wrote in both sets:
    /// a second domain, disjoint from the prompts.
    static let responseDocuments: [String] = {
        let prompts = promptDocuments.sorted { $0.utf8.count > $1.utf8.count }
        return ["DialoGPT", "Multilingual-MiniLM-L12-H384"].flatMap { set -> [String] in
            let url = logDirectory.appendingPathComponent(set).appendingPathComponent("10.csv")
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line -> String? in
                let line = String(line)
                let prompt = prompts.first { line.hasPrefix($0) } ?? ""
                let continuation = String(line.utf8.dropFirst(prompt.utf8.count))!
                return continuation.utf8.count > 20 ? continuation : nil
            }
        }
    }()

    static let tokenizerConfigurations: [TokenizerConfiguration] = [
        .byte, .character(maxCharacters: 200), .word(vocabularySize: 1500), .bpe(vocabularySize: 300), .bpe(vocabularySize: 1000),
    ]

    /// A trained tokenizer of each kind (trained once per process).
    static let tokenizers: [AnyTokenizer] = tokenizerConfigurations.map {
        try! AnyTokenizer(training: $0, documents: promptDocuments)
    }

    /// Small trained models over several tokenizers and orders.
    static let models: [NGramLanguageModel] = [
        try! NGramLanguageModel(vocabulary: tokenizers[0], order: 4, documents: promptDocuments),
        try! NGramLanguageModel(vocabulary: tokenizers[2], order: 2, documents: promptDocuments),
        try! NGramLanguageModel(vocabulary: tokenizers[3], order: 3, documents: promptDocuments),
        try! NGramLanguageModel(vocabulary: tokenizers[4], order: 5, documents: promptDocuments),
    ]
}
