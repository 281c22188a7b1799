import AttributionCore
import Common
import Engine
import Foundation
import LanguageModels
@testable import Engine

/// Small real models trained on the licence texts every Debian system ships
/// (/usr/share/common-licenses), with different tokenizers, so the engine is tested on
/// real language models and real text.
enum EngineFixture {
    static func documents(_ name: String) throws -> [String] {
        let text = try String(contentsOfFile: "/usr/share/common-licenses/\(name)", encoding: .utf8)
        return text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    static func model(_ name: String, _ tokenizer: TokenizerConfiguration, order: Int = 3) throws -> NGramLanguageModel {
        try NGramLanguageModel(tokenizer: tokenizer, order: order, documents: documents(name))
    }

    /// Three bases, a None reference and the MLMAC decoding.
    static let models: HypothesisModels = {
        let bases: [(name: String, model: any LanguageModel, identity: String)] = [
            ("gpl3-byte", try! model("GPL-3", .byte, order: 4), "gpl3"),
            ("apache-bpe", try! model("Apache-2.0", .bpe(vocabularySize: 400)), "apache"),
            ("mpl-bpe", try! model("MPL-2.0", .bpe(vocabularySize: 1000)), "mpl"),
        ]
        let none = try! model("Artistic", .byte, order: 3)
        return HypothesisModels(bases: bases, none: [(none, "artistic")], settings: .mlmac)
    }()

    static let prompts = ["The ", "You may", "Licensor", "of this License", "Copyright (C) ", "software", "the terms", "a"]
}

/// An in-process oracle answering from one language model per fine-tuned model, seeded per
/// (model, query number) so a rerun gets the same answers.
actor ModelOracle: Oracle {
    let models: [Int: any LanguageModel]
    let settings: DecodingSettings
    private var asked: [Int: Int] = [:]

    init(models: [Int: any LanguageModel], settings: DecodingSettings) {
        self.models = models
        self.settings = settings
    }

    func ask(model: Int, prompt: String) async throws -> OracleAnswer {
        let sequence = asked[model, default: 0]
        asked[model] = sequence + 1
        var rng = SeededGenerator.stream(UInt64(model) << 32 | UInt64(sequence), 77)
        return OracleAnswer(prompt: prompt, continuation: models[model]!.sample(prompt: prompt, settings: settings, using: &rng).text)
    }

    func queryCounts() async throws -> [Int: Int]? { asked }
}
