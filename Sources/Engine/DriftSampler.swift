import AttributionCore
import Common
import LanguageModels

/// Samples responses from the generative model of one state (hypothesis h, drift eps; for a
/// hypothesis with several models, one of them drawn uniformly per response): at
/// each step a token is drawn from `(1 - eps) q_h(. | context) + eps u_h(.)`, the same
/// mixture the `DriftMixtureModel` scores, under the API's length limit. Generation ends at
/// end-of-text or at the limit, exactly like the API.
public struct DriftSampler: Sendable {
    public let models: HypothesisModels

    public init(models: HypothesisModels) { self.models = models }

    /// One response text for `prompt` from hypothesis `h` with drift `eps` in [0, 1).
    public func sample(prompt: String, hypothesis h: Int, eps: Double, rng: inout SeededGenerator) -> String {
        let group = models.components[h]
        let hm = group.count == 1 ? group[0] : group[Int(rng.next() % UInt64(group.count))]
        let model = hm.model
        let settings = models.settings
        let promptTokens = model.tokenizer.encode(prompt)
        let limit = settings.newTokenLimit(promptTokenCount: promptTokens.count)
        let eos = model.tokenizer.endOfTextToken
        var context = promptTokens
        var tokens = [Int]()
        while tokens.count < limit {
            let fromBackground = eps > 0 && rng.nextUnit() < eps
            let token: Int
            if fromBackground {
                token = hm.driftModel.map { $0.sampleNextToken(context: context, settings: settings, using: &rng) }
                    ?? sampleIndex(logProbabilities: hm.background, using: &rng)
            } else {
                token = model.sampleNextToken(context: context, settings: settings, using: &rng)
            }
            if token == eos { break }
            tokens.append(token)
            context.append(token)
        }
        return model.tokenizer.decode(tokens)
    }
}
