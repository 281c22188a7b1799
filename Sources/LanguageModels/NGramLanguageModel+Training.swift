import Common

extension NGramLanguageModel {
    /// Trains an order-`order` model on `documents` (each is followed by end-of-text) with the
    /// given tokenizer. Deterministic.
    public init(vocabulary: AnyTokenizer, order: Int, documents: [String]) throws {
        guard (1...TokenTuple.slots).contains(order) else {
            throw LanguageModelError.invalidParameter(name: "order", value: "\(order)", reason: "must be in 1...6")
        }
        guard !documents.isEmpty else { throw LanguageModelError.emptyTrainingData(what: "an n-gram model") }
        let sequences = vocabulary.encode(documents: documents)
        try self.init(
            vocabulary: vocabulary,
            counts: NGramCounts(documents: sequences, order: order, endOfText: vocabulary.endOfTextToken))
    }

    /// Trains a tokenizer and then a model on the same documents.
    public init(tokenizer configuration: TokenizerConfiguration, order: Int, documents: [String]) throws {
        try self.init(vocabulary: AnyTokenizer(training: configuration, documents: documents), order: order, documents: documents)
    }

    /// The same training text at a lower order: exact (the counts are marginalised, nothing is
    /// retrained), so it is a near relative of `self`.
    public func reduced(toOrder target: Int) throws -> NGramLanguageModel {
        guard (1...order).contains(target) else {
            throw LanguageModelError.invalidParameter(name: "order", value: "\(target)", reason: "must be in 1...\(order)")
        }
        return try NGramLanguageModel(vocabulary: vocabulary, counts: counts.reduced(toOrder: target))
    }

    /// A fine-tune: continued training on `documents`, keeping this model's tokenizer and order.
    ///
    /// The merged counts are `a * base + b * domain` with the domain holding a share `strength`
    /// of the count mass: `a N_base / (a N_base + b N_domain) = 1 - strength`. The domain is
    /// repeated up to `maxDomainEpochs` times (`b <= maxDomainEpochs`, like several epochs of
    /// fine-tuning); beyond that the base is thinned instead (`a < 1`, as if continued from a
    /// subsample), so smoothing stays sane at every strength. Scaled counts are rounded
    /// stochastically with `seed`. Strength 0 returns `self` unchanged; strength 1 is a model
    /// of the domain alone with this tokenizer.
    public func fineTuned(
        on documents: [String], strength: Double, seed: UInt64, maxDomainEpochs: Double = 4
    ) throws -> NGramLanguageModel {
        guard strength >= 0, strength <= 1, strength.isFinite else {
            throw LanguageModelError.invalidParameter(name: "strength", value: "\(strength)", reason: "must be in [0, 1]")
        }
        if strength == 0 { return self }
        guard !documents.isEmpty else { throw LanguageModelError.emptyTrainingData(what: "fine-tuning") }
        let domain = NGramCounts(
            documents: vocabulary.encode(documents: documents), order: order, endOfText: vocabulary.endOfTextToken)
        // Domain weight relative to base weight that gives the domain the share `strength`.
        let ratio = strength == 1 ? Double.infinity
            : strength / (1 - strength) * Double(counts.totalCount) / Double(domain.totalCount)
        let domainWeight = min(ratio, max(1, maxDomainEpochs))
        let baseWeight = strength == 1 ? 0 : min(1, domainWeight / ratio)
        var generator = SeededGenerator(seed: seed)
        return try NGramLanguageModel(
            vocabulary: vocabulary,
            counts: counts.merged(weight: baseWeight, with: domain, otherWeight: domainWeight, using: &generator))
    }
}
