import AttributionCore
import Foundation
import LanguageModels

/// Turns an observed (prompt, response) pair into per-hypothesis `TokenEvidence`.
///
/// Each hypothesis scores the response with its own tokenizer from the exact prompt/response
/// boundary, under the API's decoding settings: per-token decoded log-probabilities plus the
/// end-of-text term when the response ended before the length limit. A response with more
/// tokens than the hypothesis's length limit allows could not have come from it (up to
/// tokenization differences): each excess token costs `excessTokenLogPenalty` nats under both
/// the model and the background, so drift cannot explain it away.
public struct EvidenceScorer: Sendable {
    public let models: HypothesisModels
    /// Natural-log penalty per token beyond a hypothesis's length limit.
    public static let excessTokenLogPenalty = -12.0

    public init(models: HypothesisModels) { self.models = models }

    /// Evidence of `response` after `prompt` under every hypothesis's first model, in hypothesis order.
    public func evidence(prompt: String, response: String) -> [TokenEvidence] {
        models.hypotheses.map { evidence(prompt: prompt, responses: [response], model: $0)[0] }
    }

    /// Log-likelihood (natural log) of each response under every state of `space`: for a
    /// hypothesis with several models (None), the log of the mean of their likelihoods.
    /// Result `[r][j]` for response `r` and state `j`.
    public func logLikelihoods(prompt: String, responses: [String], observation: any ObservationModel,
                               space: HypothesisSpace) -> [[Double]] {
        precondition(space.hypothesisCount == models.count, "the space needs one hypothesis per model group")
        let n = space.stateCount
        var out = [[Double]](repeating: [Double](repeating: 0, count: n), count: responses.count)
        let latents = (0..<n).map { space.latentValue(ofState: $0) }
        for h in 0..<models.count {
            let group = models.components[h]
            let scored = group.map { self.evidence(prompt: prompt, responses: responses, model: $0) }
            let logCount = Foundation.log(Double(group.count))
            for j in 0..<n where space.hypothesis(ofState: j) == h {
                for r in 0..<responses.count {
                    if group.count == 1 {
                        out[r][j] = observation.logLikelihood(scored[0][r], latent: latents[j])
                    } else {
                        out[r][j] = LogSpace.logSumExp(scored.map { observation.logLikelihood($0[r], latent: latents[j]) }) - logCount
                    }
                }
            }
        }
        return out
    }

    /// Evidence of many responses to one prompt under one model, sharing the scoring cache.
    public func evidence(prompt: String, responses: [String], model hm: HypothesisModel) -> [TokenEvidence] {
        let tokenizer = hm.model.tokenizer
        let promptTokens = tokenizer.encode(prompt)
        let encoded = responses.map { hm.replacement.encode($0, with: tokenizer) }
        let scores = hm.model.scoreContinuations(promptTokens: promptTokens, continuations: encoded.map(\.tokens), settings: models.settings)
        let drift = hm.driftModel?.scoreContinuations(promptTokens: promptTokens, continuations: encoded.map(\.tokens), settings: models.settings)
        return scores.indices.map { k in
            evidence(scores[k], standIns: encoded[k].standIns, model: hm, drift: drift?[k])
        }
    }

    func evidence(_ score: ContinuationScore, standIns: [Int], model hm: HypothesisModel, drift: ContinuationScore?) -> TokenEvidence {
        var decoded = score.decodedLogProbabilities
        var bg = drift?.decodedLogProbabilities ?? score.tokens.map { hm.background[$0] }
        for k in standIns {
            decoded[k] += hm.replacement.logMultiplicity
            bg[k] += hm.replacement.logMultiplicity
        }
        if let eos = score.endOfText {
            decoded.append(eos.decoded)
            bg.append(drift?.endOfText?.decoded ?? hm.background[hm.model.tokenizer.endOfTextToken])
        }
        let excess = score.tokenCount - score.newTokenLimit
        if excess > 0 {
            decoded += Array(repeating: Self.excessTokenLogPenalty, count: excess)
            bg += Array(repeating: Self.excessTokenLogPenalty, count: excess)
        }
        return TokenEvidence(decodedLogProbs: decoded, backgroundLogProbs: bg)
    }
}
