import AttributionCore
import Engine
import Foundation
import LanguageModels
import Storage
import Testing
@testable import Workflow

@Suite struct PrecomputeTests {
    static func models() throws -> HypothesisModels {
        func docs(_ name: String) throws -> [String] {
            try String(contentsOfFile: "/usr/share/common-licenses/\(name)", encoding: .utf8).components(separatedBy: "\n\n")
        }
        let a = try NGramLanguageModel(tokenizer: .byte, order: 3, documents: docs("GPL-3"))
        let b = try NGramLanguageModel(tokenizer: .bpe(vocabularySize: 300), order: 2, documents: docs("Apache-2.0"))
        let none = try NGramLanguageModel(tokenizer: .byte, order: 2, documents: docs("Artistic"))
        return HypothesisModels(bases: [("a", a, a.contentHash), ("b", b, b.contentHash)], none: [(none, none.contentHash)], settings: .mlmac)
    }

    @Test func storedTensorsAreReusedAndChangedModelsInvalidateThem() throws {
        let models = try Self.models()
        let space = models.space(noneMass: 0.1, latentGrid: [0.05, 0.3])
        let builder = TensorBuilder(models: models, space: space, observation: DriftMixtureModel(), samples: 8, seed: 4)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attrib-precompute-\(UUID().uuidString).sqlite").path
        let store = try ResponseStore(path: path)
        let pool = PromptPool(prompts: ["The ", "You may", "License"])
        let first = try Precompute(builder: builder, store: store).bank(for: pool)
        #expect(first.cached == 0 && first.computed == 3)
        let second = try Precompute(builder: builder, store: ResponseStore(path: path)).bank(for: pool)
        #expect(second.cached == 3 && second.computed == 0)
        #expect(second.bank.tensors == first.bank.tensors)
        // Another seed (or another model) is another fingerprint: nothing stale is read.
        let other = TensorBuilder(models: models, space: space, observation: DriftMixtureModel(), samples: 8, seed: 5)
        #expect(other.fingerprint(prompt: "The ") != builder.fingerprint(prompt: "The "))
        let third = try Precompute(builder: other, store: store).bank(for: PromptPool(prompts: ["The "]))
        #expect(third.cached == 0 && third.computed == 1)
    }
}
