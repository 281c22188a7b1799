import Engine
import AttributionCore
import Foundation
import LanguageModels
import Testing
@testable import Engine

@Suite struct EngineTests {
    let models = EngineFixture.models

    @Test func evidenceIsTheDecodedScoreWithEndOfText() {
        let scorer = EvidenceScorer(models: models)
        let ev = scorer.evidence(prompt: "The ", response: "terms")
        #expect(ev.count == 4)
        for (h, e) in ev.enumerated() {
            let s = models.hypotheses[h].model.scoreContinuation(prompt: "The ", continuation: "terms", settings: .mlmac)
            #expect(abs(e.decodedLogProbs.reduce(0, +) - s.totalDecodedLogProbability) < 1e-9)
            #expect(e.decodedLogProbs.count == s.tokenCount + (s.endOfText == nil ? 0 : 1))
            #expect(e.backgroundLogProbs.allSatisfy { $0 < 0 && $0.isFinite })
        }
    }

    @Test func responsesLongerThanTheLimitArePenalised() {
        // 19 bytes of prompt leave the byte model one new token; a 5-byte answer exceeds it by 4.
        let scorer = EvidenceScorer(models: models)
        let e = scorer.evidence(prompt: String(repeating: "a", count: 19), response: "bcdef")[0]
        #expect(e.decodedLogProbs.suffix(4) == Array(repeating: EvidenceScorer.excessTokenLogPenalty, count: 4))
    }

    @Test func tensorsAreDeterministicAndFavourTheirOwnState() {
        let space = models.space(noneMass: 0.1, latentGrid: [])
        let builder = TensorBuilder(models: models, space: space, observation: DriftMixtureModel(eps: 0.05), samples: 24, seed: 3)
        let tensors = builder.tensors(prompts: EngineFixture.prompts, threads: 2)
        #expect(tensors == builder.tensors(prompts: EngineFixture.prompts, threads: 1))
        // Gibbs' inequality: summed over prompts, a state's own samples score best under itself.
        // (Per prompt it can fail: scoring re-tokenizes the decoded text, and two near-uniform
        // byte models at temperature 3 differ by less than the Monte Carlo noise.)
        let bank = PromptBank(space: space, tensors: tensors)
        for i in 0..<4 {
            let totals = (0..<4).map { j in (0..<bank.count).reduce(0.0) { $0 + bank.meanScore(prompt: $1, from: i, under: j) } }
            #expect(totals.indices.max { totals[$0] < totals[$1] } == i, "state \(i): \(totals)")
        }
        let gains = bank.eig(logWeights: space.logPriorStates)
        #expect(gains.allSatisfy { $0 > -1e-3 })
        #expect(gains.reduce(0, +) / Double(gains.count) > 0.05)
    }

    @Test func attributesFineTunesEndToEnd() async throws {
        let space = models.space(noneMass: 0.1, latentGrid: [0.02, 0.2])
        let observation = DriftMixtureModel(eps: 0.1)
        let builder = TensorBuilder(models: models, space: space, observation: observation, samples: 16, seed: 1)
        let bank = PromptBank(space: space, tensors: builder.tensors(prompts: EngineFixture.prompts))
        // Fine-tune 0: base 1 (Apache, BPE) lightly tuned on GPL-2 text. Fine-tune 1: base 2 as is.
        // Fine-tune 2: a model of the None reference's family that is no candidate (BSD text, byte).
        let apache = models.hypotheses[1].model as! NGramLanguageModel
        let fineTunes: [Int: any LanguageModel] = [
            0: try apache.fineTuned(on: EngineFixture.documents("GPL-2"), strength: 0.1, seed: 5),
            1: models.hypotheses[2].model,
            2: try EngineFixture.model("LGPL-2.1", .byte, order: 3),
        ]
        var settings = EngineSettings()
        settings.observation.segmentationBeam = EvidenceScorer(models: models).segmentationBeam
        settings.observation.eps = observation.eps
        settings.observation.beta = observation.beta
        settings.stopping.threshold = 0.95
        settings.stopping.budgetPerModel = 25
        settings.stopping.eigFloor = nil
        settings.scheduling.repeatPrompts = true
        settings.seed = 2
        let runner = AttributionRunner(bank: bank, prompts: EngineFixture.prompts, models: models, settings: settings)
        let result = try await runner.run(models: [0, 1, 2], oracle: ModelOracle(models: fineTunes, settings: .mlmac))
        #expect(result.map(\.attribution) == ["apache-bpe", "mpl-bpe", "None"])
        for r in result {
            #expect(r.queries == r.asked.count && r.queries >= 1)
            #expect(r.asked.allSatisfy { $0.eig != nil })
        }
        // Same seed, same oracle: the same decisions.
        let again = try await runner.run(models: [0, 1, 2], oracle: ModelOracle(models: fineTunes, settings: .mlmac))
        #expect(again == result)
    }
}

@Suite struct ReplacementCharacterTests {
    @Test func eachReplacementCharacterIsOneStandInToken() throws {
        let byte = EngineFixture.models.hypotheses[0]
        #expect(abs(byte.replacement.logMultiplicity - log(128.0)) < 1e-12)  // bytes 0x80...0xFF
        let (tokens, standIns) = byte.replacement.encode("a\u{FFFD}b\u{FFFD}", with: byte.model.tokenizer)
        #expect(tokens.count == 4 && standIns == [1, 3])
        #expect(tokens[1] == byte.replacement.standIn && byte.model.tokenizer.piece(of: tokens[1]).first! >= 0x80)
        // Without U+FFFD the text is encoded as usual.
        #expect(byte.replacement.encode("plain", with: byte.model.tokenizer).tokens == byte.model.tokenizer.encode("plain"))
        // The evidence credits the stand-in with its multiplicity.
        let e = EvidenceScorer(models: EngineFixture.models).evidence(prompt: "x", response: "\u{FFFD}")[0]
        let s = byte.model.scoreContinuation(promptTokens: byte.model.tokenizer.encode("x"), continuationTokens: [byte.replacement.standIn], settings: .mlmac)
        #expect(abs(e.decodedLogProbs[0] - (s.decodedLogProbabilities[0] + log(128.0))) < 1e-9)
    }
}

@Suite struct NoneMixtureTests {
    /// With several reference models, a response's likelihood under None is the mean of its
    /// likelihoods under each (checked against the single-reference scores by hand).
    @Test func noneIsTheMeanOfItsReferences() throws {
        let base = EngineFixture.models.hypotheses[0]
        let refA = try EngineFixture.model("Artistic", .byte, order: 3)
        let refB = try EngineFixture.model("BSD", .bpe(vocabularySize: 300), order: 2)
        let settings = DecodingSettings.mlmac
        let mixed = HypothesisModels(bases: [(base.name, base.model, base.identity)], none: [(refA, "a"), (refB, "b")], settings: settings)
        let onlyA = HypothesisModels(bases: [(base.name, base.model, base.identity)], none: [(refA, "a")], settings: settings)
        let onlyB = HypothesisModels(bases: [(base.name, base.model, base.identity)], none: [(refB, "b")], settings: settings)
        let obs = DriftMixtureModel(eps: 0.1)
        let space = mixed.space(noneMass: 0.2, latentGrid: [])
        let responses = ["terms", " of the", "\u{FFFD}x"]
        let m = EvidenceScorer(models: mixed).logLikelihoods(prompt: "The ", responses: responses, observation: obs, space: space)
        let a = EvidenceScorer(models: onlyA).logLikelihoods(prompt: "The ", responses: responses, observation: obs, space: space)
        let b = EvidenceScorer(models: onlyB).logLikelihoods(prompt: "The ", responses: responses, observation: obs, space: space)
        for r in responses.indices {
            #expect(abs(m[r][0] - a[r][0]) < 1e-12)  // the base is unchanged
            #expect(abs(m[r][1] - log((exp(a[r][1]) + exp(b[r][1])) / 2)) < 1e-9)
        }
        // Each None sample comes from one of the references: the fingerprint names both.
        let builder = TensorBuilder(models: mixed, space: space, observation: obs, samples: 2, seed: 1)
        #expect(builder.fingerprint(prompt: "x") != TensorBuilder(models: onlyA, space: space, observation: obs, samples: 2, seed: 1).fingerprint(prompt: "x"))
    }
}
