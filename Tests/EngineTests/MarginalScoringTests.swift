import AttributionCore
import Foundation
import LanguageModels
import Testing
@testable import Engine

/// The answer scorer with a segmentation beam: each state's log-likelihood is beta times the
/// drift-mixed sum over the response's segmentations, computed by the LanguageModels forward pass.
@Suite struct MarginalScoringTests {
    @Test func scorerUsesTheSegmentationMarginalPerLatent() {
        let models = EngineFixture.models
        let grid = [0.02, 0.3]
        let space = models.space(noneMass: 0.1, latentGrid: grid)
        let observation = DriftMixtureModel(eps: 0.1, beta: 0.5)
        let scorer = EvidenceScorer(models: models, segmentationBeam: 64)
        let prompt = "You may", responses = [" not use", " copy\u{FFFD}it"]
        let ll = scorer.logLikelihoods(prompt: prompt, responses: responses, observation: observation, space: space)
        for (r, response) in responses.enumerated() {
            let (bytes, replacements) = PieceIndex.bytes(of: response)
            for j in 0..<space.stateCount where space.hypothesis(ofState: j) < models.baseNames.count {
                let hm = models.components[space.hypothesis(ofState: j)][0]
                let eps = space.latentValue(ofState: j)!
                let expected = hm.model.marginalLogProbabilities(
                    promptTokens: hm.model.tokenizer.encode(prompt), continuation: bytes, replacements: replacements,
                    settings: models.settings, index: hm.pieces, beam: 64,
                    mixers: [{ decoded, token in observation.tokenLogLikelihood(decoded: decoded, background: hm.background[token], latent: eps) }])
                #expect(expected != nil)
                #expect(abs(ll[r][j] - 0.5 * expected![0]) < 1e-9, "response \(r) state \(j)")
            }
        }
    }

    /// Beam 0 keeps the canonical scorer exactly.
    @Test func beamZeroIsTheCanonicalScorer() {
        let models = EngineFixture.models
        let space = models.space(noneMass: 0.1, latentGrid: [0.1])
        let observation = DriftMixtureModel(eps: 0.1, beta: 1)
        let canonical = EvidenceScorer(models: models).logLikelihoods(prompt: "The ", responses: [" terms"], observation: observation, space: space)
        let ll = EvidenceScorer(models: models, segmentationBeam: 0).logLikelihoods(prompt: "The ", responses: [" terms"], observation: observation, space: space)
        #expect(ll == canonical)
        let evidence = EvidenceScorer(models: models).evidence(prompt: "The ", response: " terms")
        #expect(abs(canonical[0][0] - observation.logLikelihood(evidence[0], latent: 0.1)) < 1e-12)
    }

    /// The per-token term of the drift mixture is the term the whole-response model sums.
    @Test func tokenTermsSumToTheResponseLikelihood() {
        let model = DriftMixtureModel(eps: 0.2, beta: 0.7)
        let evidence = TokenEvidence(decodedLogProbs: [-1, -2.5, -0.3], backgroundLogProbs: [-3, -1, -6])
        let summed = zip(evidence.decodedLogProbs, evidence.backgroundLogProbs)
            .map { model.tokenLogLikelihood(decoded: $0, background: $1, latent: nil) }.reduce(0, +)
        #expect(abs(model.logLikelihood(evidence, latent: nil) - 0.7 * summed) < 1e-12)
        let byHand = log(0.8 * exp(-1.0) + 0.2 * exp(-3.0))
        #expect(abs(model.tokenLogLikelihood(decoded: -1, background: -3, latent: nil) - byHand) < 1e-12)
    }
}
