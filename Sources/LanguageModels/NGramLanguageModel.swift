/// An n-gram language model with interpolated modified Kneser-Ney smoothing over the ids of
/// one of this module's tokenizers, orders 1...6.
///
/// The lowest order interpolates with the uniform distribution over the whole vocabulary, so
/// every token (end-of-text included) has positive probability after any context, and each
/// next-token distribution sums to 1. The model is defined entirely by its tokenizer and its
/// top-order counts (`NGramCounts`); everything else is derived deterministically on load.
public struct NGramLanguageModel: LanguageModel {
    /// The tokenizer, as a storable value.
    public let vocabulary: AnyTokenizer
    /// Top-order n-gram counts of the training text.
    public let counts: NGramCounts
    /// Levels by order: `levels[k - 1]` is order k.
    let levels: [KneserNeyLevel]
    /// p_1(w), the smoothed lowest order including its uniform share, per token id.
    let unigram: [Double]

    /// Builds the model from counts gathered with `vocabulary`'s ids.
    public init(vocabulary: AnyTokenizer, counts: NGramCounts) throws {
        guard (1...TokenTuple.slots).contains(counts.order) else {
            throw LanguageModelError.invalidParameter(name: "order", value: "\(counts.order)", reason: "must be in 1...6")
        }
        guard !counts.keys.isEmpty else { throw LanguageModelError.emptyTrainingData(what: "an n-gram model") }
        self.vocabulary = vocabulary
        self.counts = counts
        var levels: [KneserNeyLevel] = []
        var current = counts
        while true {
            levels.append(KneserNeyLevel(counts: current))
            guard current.order > 1 else { break }
            current = KneserNeyLevel.continuationCounts(of: current)
        }
        self.levels = levels.reversed()
        let size = vocabulary.vocabularySize
        let lowest = self.levels[0]
        var unigram = [Double](repeating: lowest.gamma[0] / Double(size), count: size)
        for i in 0..<lowest.followerToken.count {
            let token = Int(lowest.followerToken[i])
            precondition(token < size, "counted token \(token) outside vocabulary of \(size)")
            unigram[token] += lowest.followerWeight[i]
        }
        self.unigram = unigram
    }

    /// The n of the model.
    public var order: Int { counts.order }
    public var tokenizer: any Tokenizer { vocabulary }
    public var contextWindow: Int? { order - 1 }

    /// Natural-log next-token probabilities after `context` (only its last `order - 1` tokens
    /// matter): one pass over the vocabulary plus the seen followers of each matched context.
    public func nextTokenLogProbabilities(context: [Int]) -> [Double] {
        var probabilities = nextTokenProbabilities(context: context)
        for index in probabilities.indices { probabilities[index] = cLog(probabilities[index]) }
        return probabilities
    }

    /// Next-token probabilities (not logs) after `context`.
    public func nextTokenProbabilities(context: [Int]) -> [Double] {
        let matched = matchedChain(context: context)
        // p = w_m + gamma_m (w_{m-1} + gamma_{m-1} ( ... + gamma_2 p_1)): add from the top down.
        var probabilities = [Double](repeating: 0, count: unigram.count)
        var scale = 1.0
        for m in matched.reversed() {
            let level = levels[m.level]
            let start = Int(level.followerStart[m.context])
            let end = Int(level.followerStart[m.context + 1])
            for i in start..<end {
                probabilities[Int(level.followerToken[i])] += scale * level.followerWeight[i]
            }
            scale *= level.gamma[m.context]
        }
        for index in probabilities.indices { probabilities[index] += scale * unigram[index] }
        return probabilities
    }

    /// Number of counted positions in training (tokens plus one end-of-text per document).
    public var trainingTokenCount: Int64 { counts.totalCount }
}
