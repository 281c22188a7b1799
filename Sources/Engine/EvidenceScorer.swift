import AttributionCore
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

    /// Evidence of `response` after `prompt` under every hypothesis, in hypothesis order.
    public func evidence(prompt: String, response: String) -> [TokenEvidence] {
        (0..<models.count).map { evidence(prompt: prompt, responses: [response], hypothesis: $0)[0] }
    }

    /// Evidence of many responses to one prompt under hypothesis `h`, sharing the scoring cache.
    public func evidence(prompt: String, responses: [String], hypothesis h: Int) -> [TokenEvidence] {
        let hm = models.hypotheses[h]
        let tokenizer = hm.model.tokenizer
        let promptTokens = tokenizer.encode(prompt)
        let encoded = responses.map { hm.replacement.encode($0, with: tokenizer) }
        let scores = hm.model.scoreContinuations(promptTokens: promptTokens, continuations: encoded.map(\.tokens), settings: models.settings)
        return zip(scores, encoded).map { score, enc in
            evidence(score, standIns: enc.standIns, model: hm)
        }
    }

    func evidence(_ score: ContinuationScore, standIns: [Int], model hm: HypothesisModel) -> TokenEvidence {
        var decoded = score.decodedLogProbabilities
        var bg = score.tokens.map { hm.background[$0] }
        for k in standIns {
            decoded[k] += hm.replacement.logMultiplicity
            bg[k] += hm.replacement.logMultiplicity
        }
        if let eos = score.endOfText {
            decoded.append(eos.decoded)
            bg.append(hm.background[hm.model.tokenizer.endOfTextToken])
        }
        let excess = score.tokenCount - score.newTokenLimit
        if excess > 0 {
            decoded += Array(repeating: Self.excessTokenLogPenalty, count: excess)
            bg += Array(repeating: Self.excessTokenLogPenalty, count: excess)
        }
        return TokenEvidence(decodedLogProbs: decoded, backgroundLogProbs: bg)
    }
}
