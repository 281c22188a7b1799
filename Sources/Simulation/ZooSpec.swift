import LanguageModels

/// A model zoo: candidate bases, non-candidate reference models, fine-tunes with known
/// provenance, the API's decoding settings and a seed. Read from JSON (see
/// `Experiments/zoos/README.md`); `validate(file:)` checks every cross-reference.
public struct ZooSpec: Codable, Sendable, Hashable {
    /// Name of the zoo (used in the manifest).
    public var name: String
    /// Seed of every random choice (fine-tune rounding, public ids, oracle sampling).
    public var seed: UInt64
    /// The API's decoding settings; omitted fields take MLMAC's values.
    public var decoding: DecodingSpec?
    /// Candidate base models, in the order the manifest lists them.
    public var bases: [ModelSpec]
    /// Models that are not candidates: fine-tunes of these are answered `None`.
    public var references: [ModelSpec]?
    /// The fine-tuned models behind the API; public ids are a seeded shuffle of this list.
    public var fineTunes: [FineTuneSpec]

    public init(name: String, seed: UInt64, decoding: DecodingSpec? = nil, bases: [ModelSpec],
                references: [ModelSpec]? = nil, fineTunes: [FineTuneSpec]) {
        self.name = name
        self.seed = seed
        self.decoding = decoding
        self.bases = bases
        self.references = references
        self.fineTunes = fineTunes
    }

    /// Every corpus a model of this zoo is fine-tuned on (derived bases and references, and the
    /// fine-tunes behind the API): text that calibration must not use.
    public var fineTuningDomains: Set<String> {
        Set(bases.compactMap(\.domain) + (references ?? []).compactMap(\.domain) + fineTunes.map(\.domain))
    }
}

/// One base or reference model. Exactly one recipe applies:
/// - **trained**: `corpus`, `order` and either `tokenizer` (`byte`, `char-N`, `word-N`,
///   `bpe-N`, trained on the same text) or `tokenizerFrom` (share another model's tokenizer);
///   `trainBytes` caps the training text (default 600,000 bytes of the corpus's train split).
/// - **reduced**: `from` and a smaller `order`: the same counts at a lower order (a near
///   relative, like distilgpt2 to gpt2).
/// - **derived**: `from`, `domain` and `strength`: a fine-tune of another model that is itself
///   a candidate (like DialoGPT from gpt2-large).
public struct ModelSpec: Codable, Sendable, Hashable {
    public var name: String
    public var corpus: String?
    public var trainBytes: Int?
    public var tokenizer: String?
    public var tokenizerFrom: String?
    public var order: Int?
    public var from: String?
    public var domain: String?
    public var domainBytes: Int?
    public var strength: Double?

    public init(name: String, corpus: String? = nil, trainBytes: Int? = nil, tokenizer: String? = nil,
                tokenizerFrom: String? = nil, order: Int? = nil, from: String? = nil, domain: String? = nil,
                domainBytes: Int? = nil, strength: Double? = nil) {
        self.name = name
        self.corpus = corpus
        self.trainBytes = trainBytes
        self.tokenizer = tokenizer
        self.tokenizerFrom = tokenizerFrom
        self.order = order
        self.from = from
        self.domain = domain
        self.domainBytes = domainBytes
        self.strength = strength
    }
}

/// One fine-tuned model behind the API: `base` (a base or a reference model) continued on the
/// `domain` corpus's finetune split with `strength` in [0, 1].
public struct FineTuneSpec: Codable, Sendable, Hashable {
    public var name: String
    public var base: String
    public var domain: String
    public var domainBytes: Int?
    public var strength: Double
    /// Per-model decoding overrides (one real model wrote up to 250 tokens).
    public var decoding: DecodingSpec?

    public init(name: String, base: String, domain: String, domainBytes: Int? = nil, strength: Double,
                decoding: DecodingSpec? = nil) {
        self.name = name
        self.base = base
        self.domain = domain
        self.domainBytes = domainBytes
        self.strength = strength
        self.decoding = decoding
    }
}

/// Decoding settings with every field optional; missing fields fall back to a parent.
public struct DecodingSpec: Codable, Sendable, Hashable {
    public var temperature: Double?
    public var topK: Int?
    public var topP: Double?
    public var maxNewTokens: Int?
    public var maxTotalTokens: Int?
    public var minNewTokens: Int?

    public init(temperature: Double? = nil, topK: Int? = nil, topP: Double? = nil, maxNewTokens: Int? = nil,
                maxTotalTokens: Int? = nil, minNewTokens: Int? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.maxTotalTokens = maxTotalTokens
        self.minNewTokens = minNewTokens
    }

    /// Every value out of range, as (field, reason): the one check of a decoding, for zoo specs
    /// and bases files alike.
    public func problems() -> [(field: String, reason: String)] {
        var out: [(field: String, reason: String)] = []
        if let t = temperature, !(t > 0 && t.isFinite) { out.append(("temperature", "must be positive")) }
        if let k = topK, k < 1 { out.append(("topK", "must be at least 1")) }
        if let p = topP, !(p > 0 && p <= 1) { out.append(("topP", "must be in (0, 1]")) }
        if let n = maxNewTokens, n < 1 { out.append(("maxNewTokens", "must be at least 1")) }
        if let n = maxTotalTokens, n < 1 { out.append(("maxTotalTokens", "must be at least 1")) }
        if let n = minNewTokens, n < 0 { out.append(("minNewTokens", "must not be negative")) }
        return out
    }

    /// `parent` with the fields set here replacing its own.
    public func applied(to parent: DecodingSettings) -> DecodingSettings {
        var settings = parent
        if let temperature { settings.temperature = temperature }
        if let topK { settings.topK = topK }
        if let topP { settings.topP = topP }
        if let maxNewTokens { settings.maxNewTokens = maxNewTokens }
        if let maxTotalTokens { settings.maxTotalTokens = maxTotalTokens }
        if let minNewTokens { settings.minNewTokens = minNewTokens }
        return settings
    }
}
