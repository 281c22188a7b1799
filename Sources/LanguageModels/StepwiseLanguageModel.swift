/// A model whose next-token distribution is costly to materialise as a vector (a model on an
/// inference server, with a vocabulary of 50,000 to 260,000 tokens behind an HTTP round
/// trip). Scoring asks it for single raw log-probabilities and for the temperature
/// normaliser of a context; sampling asks it for one sampled token. Both agree with
/// `nextTokenLogProbabilities` (which such a model still answers, slowly) up to the
/// precision its server reports.
public protocol StepwiseLanguageModel: LanguageModel {
    /// Raw natural-log probabilities of `tokens` after `context` (no temperature).
    func logProbabilities(of tokens: [Int], after context: [Int]) -> [Double]
    /// `log sum_w p(w | context)^(1/T)`: the normaliser of the distribution tempered by
    /// `temperature`, whose log-probability of `w` is `log p(w) / T - normaliser`.
    func logNormaliser(after context: [Int], temperature: Double) -> Double
    /// One token drawn from the decoded distribution of `settings` after `context`; the same
    /// `seed` with the same context draws the same token.
    func sampleToken(after context: [Int], settings: DecodingSettings, seed: UInt64) -> Int
}

extension LanguageModel {
    /// The next token after `context` under `settings`: the server's draw for a stepwise
    /// model (seeded by one draw of `generator`), otherwise a draw from the decoded vector.
    public func sampleNextToken<Generator: RandomNumberGenerator>(
        context: [Int], settings: DecodingSettings, using generator: inout Generator
    ) -> Int {
        if let stepwise = self as? any StepwiseLanguageModel {
            return stepwise.sampleToken(after: context, settings: settings, seed: generator.next())
        }
        let decoded = settings.decodedLogProbabilities(raw: nextTokenLogProbabilities(context: context))
        return sampleIndex(logProbabilities: decoded, using: &generator)
    }

    /// Whether answers are scored over all their segmentations under this model: false for a
    /// stepwise model, where every candidate token of every path would be a round trip
    /// (answers are then scored along the tokenizer's own path only).
    public var supportsSegmentationScoring: Bool { !(self is any StepwiseLanguageModel) }
}
