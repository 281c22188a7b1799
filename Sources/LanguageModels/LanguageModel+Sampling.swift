import Common

extension LanguageModel {
    /// Samples a continuation of `promptTokens` from the decoded distribution of `settings`,
    /// one token at a time, until end-of-text is sampled or `settings.newTokenLimit` is reached.
    public func sample<Generator: RandomNumberGenerator>(
        promptTokens: [Int], settings: DecodingSettings, using generator: inout Generator
    ) -> Generation {
        let limit = settings.newTokenLimit(promptTokenCount: promptTokens.count)
        let endOfText = tokenizer.endOfTextToken
        var context = promptTokens
        var tokens: [Int] = []
        var ended = false
        while tokens.count < limit {
            let token = sampleNextToken(context: context, settings: settings, using: &generator)
            if token == endOfText {
                ended = true
                break
            }
            tokens.append(token)
            context.append(token)
        }
        return Generation(promptTokens: promptTokens, tokens: tokens, endedWithEndOfText: ended, text: tokenizer.decode(tokens))
    }

    /// The next token after `context`: a draw from the decoded distribution of `settings`.
    public func sampleNextToken<Generator: RandomNumberGenerator>(
        context: [Int], settings: DecodingSettings, using generator: inout Generator
    ) -> Int {
        let decoded = settings.decodedLogProbabilities(raw: nextTokenLogProbabilities(context: context))
        return sampleIndex(logProbabilities: decoded, using: &generator)
    }

    /// Samples a continuation of the text `prompt` (tokenized by this model).
    public func sample<Generator: RandomNumberGenerator>(
        prompt: String, settings: DecodingSettings, using generator: inout Generator
    ) -> Generation {
        sample(promptTokens: tokenizer.encode(prompt), settings: settings, using: &generator)
    }

    /// Samples a continuation with a generator seeded by `settings.seed`.
    public func sample(prompt: String, settings: DecodingSettings) -> Generation {
        var generator = SeededGenerator(seed: settings.seed)
        return sample(prompt: prompt, settings: settings, using: &generator)
    }

    /// What an MLMAC-style API returns as `generated_text`: the prompt followed by a sampled
    /// continuation.
    public func generateText<Generator: RandomNumberGenerator>(
        prompt: String, settings: DecodingSettings, using generator: inout Generator
    ) -> String {
        prompt + sample(prompt: prompt, settings: settings, using: &generator).text
    }
}

/// Draws an index with probability exp(logProbabilities[i]) (which must sum to 1), by
/// inverting the cumulative distribution at a uniform draw with 53 random bits.
public func sampleIndex<Generator: RandomNumberGenerator>(
    logProbabilities: [Double], using generator: inout Generator
) -> Int {
    let uniform = Double(generator.next() >> 11) * 0x1.0p-53
    var cumulative = 0.0
    var last = 0
    for (index, logProbability) in logProbabilities.enumerated() where logProbability > -.infinity {
        cumulative += cExp(logProbability)
        last = index
        if uniform < cumulative { return index }
    }
    // Rounding left the total a hair below 1: the draw falls on the last possible token.
    return last
}
