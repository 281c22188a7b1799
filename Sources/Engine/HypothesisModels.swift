import AttributionCore
import Common
import Foundation
import LanguageModels

/// The language model behind one hypothesis, with the background distribution the drift
/// mixture uses for it.
public struct HypothesisModel: Sendable {
    /// Display name (a base's name, or "None").
    public let name: String
    public let model: any LanguageModel
    /// A string that changes whenever the model does (for example its file's content hash);
    /// part of every cache fingerprint that depends on this model.
    public let identity: String
    /// `log u(token)` (natural log) over the model's vocabulary, end-of-text included: the
    /// decoded distribution at the start of a text, i.e. the model's broadest guess. A drifted
    /// fine-tune's tokens that the base finds unlikely in context still get this much.
    public let background: [Double]
    /// How this model's tokenizer stands for a U+FFFD in a response (see `ReplacementCharacter`).
    public let replacement: ReplacementCharacter
    /// A contextual drift model with the same tokenizer (for example a low-order model of
    /// generic text): when set, the drift mixture's `u` is its decoded next-token
    /// distribution in context instead of the fixed `background`, so drift toward other
    /// text is modelled as text rather than as context-free noise.
    public let driftModel: (any LanguageModel)?
    /// Identities of `model` alone and of `driftModel` (empty without one): components that
    /// share a model share its scoring cache.
    public let modelIdentity: String
    public let driftIdentity: String
    /// Every token by its piece, for scoring all segmentations of a response.
    public let pieces: PieceIndex

    public init(name: String, model: any LanguageModel, identity: String, settings: DecodingSettings,
                driftModel: (any LanguageModel)? = nil, driftIdentity: String = "") {
        precondition(driftModel.map { $0.tokenizer.identifier == model.tokenizer.identifier } ?? true,
                     "a drift model must share its hypothesis model's tokenizer")
        self.name = name
        self.model = model
        self.identity = driftModel == nil ? identity : identity + "+drift:" + driftIdentity
        self.modelIdentity = identity
        self.driftIdentity = driftIdentity
        self.driftModel = driftModel
        let background = settings.decodedLogProbabilities(raw: model.nextTokenLogProbabilities(context: []))
        self.background = background
        self.replacement = ReplacementCharacter(tokenizer: model.tokenizer, background: background)
        self.pieces = PieceIndex(tokenizer: model.tokenizer)
    }
}

/// A sampled token that is not valid UTF-8 on its own (a lone byte of a multi-byte
/// character) reaches the API's caller as U+FFFD: the decoded text has lost which token it
/// was. Re-encoding U+FFFD would score three bytes the model never sampled (and overrun the
/// length limit), so each U+FFFD of a response is scored as one *stand-in* invalid token,
/// credited with the number of invalid tokens it may stand for (a flat tempered distribution
/// makes them about equally likely): `log q(stand-in) + log(count)`.
public struct ReplacementCharacter: Sendable {
    /// The invalid token with the largest background probability.
    public let standIn: Int
    /// Natural log of the number of tokens whose piece is not valid UTF-8 on its own.
    public let logMultiplicity: Double

    init(tokenizer: any Tokenizer, background: [Double]) {
        var best = -1, count = 0
        for token in 0..<tokenizer.vocabularySize where token != tokenizer.endOfTextToken {
            let piece = tokenizer.piece(of: token)
            guard !piece.isEmpty, String(validating: piece, as: UTF8.self) == nil else { continue }
            count += 1
            if best < 0 || background[token] > background[best] { best = token }
        }
        // A vocabulary without invalid pieces cannot produce U+FFFD from a lone token; fall
        // back to re-encoding the character as its bytes.
        standIn = best
        logMultiplicity = count > 0 ? Foundation.log(Double(count)) : 0
    }

    /// Tokens of `text` for scoring, with one stand-in per U+FFFD, and the positions of the stand-ins.
    public func encode(_ text: String, with tokenizer: any Tokenizer) -> (tokens: [Int], standIns: [Int]) {
        guard standIn >= 0, text.unicodeScalars.contains("\u{FFFD}") else { return (tokenizer.encode(text), []) }
        var tokens = [Int](), standIns = [Int]()
        for (k, segment) in text.split(separator: "\u{FFFD}", omittingEmptySubsequences: false).enumerated() {
            if k > 0 { standIns.append(tokens.count); tokens.append(standIn) }
            if !segment.isEmpty { tokens += tokenizer.encode(String(segment)) }
        }
        return (tokens, standIns)
    }
}

/// The K candidate bases plus the `None` hypothesis's reference models, under the API's
/// decoding settings. Hypothesis `h < K` is base `h`; hypothesis `K` is `None`.
///
/// `None` is an explicit generative model: an equal mixture of reference models that are
/// none of the candidates (for example models of other text, with tokenizers of several
/// kinds), so that a fine-tune of an unlisted model is better explained by it than by its
/// nearest base. A response's likelihood under `None` is the mean of its likelihoods under
/// the references (a sequence-level mixture, so tokenizers need not agree).
public struct HypothesisModels: Sendable {
    /// The model(s) of each hypothesis: one per base; the references for `None`.
    public internal(set) var components: [[HypothesisModel]]
    public let settings: DecodingSettings
    public let hasNone: Bool

    /// - Parameters:
    ///   - bases: (name, model, identity) of each candidate base, in hypothesis order.
    ///   - none: the reference models of the `None` hypothesis and their identities; empty leaves `None` out.
    ///   - settings: the API's decoding settings (MLMAC: temperature 3, 20 tokens with the prompt).
    public init(bases: [(name: String, model: any LanguageModel, identity: String)],
                none: [(model: any LanguageModel, identity: String)], settings: DecodingSettings) {
        precondition(!bases.isEmpty, "need at least one candidate base")
        var cs = bases.map { [HypothesisModel(name: $0.name, model: $0.model, identity: $0.identity, settings: settings)] }
        if !none.isEmpty { cs.append(none.map { HypothesisModel(name: "None", model: $0.model, identity: $0.identity, settings: settings) }) }
        self.components = cs
        self.settings = settings
        self.hasNone = !none.isEmpty
    }

    /// The first (for a base: the only) model of each hypothesis.
    public var hypotheses: [HypothesisModel] { components.map { $0[0] } }
    public var count: Int { components.count }
    /// Groups of two or more candidate bases (hypothesis indices) that share a tokenizer: the
    /// near relatives of a family (a larger or smaller model, a distilled or derived one).
    public var tokenizerFamilies: [[Int]] {
        let names = baseNames
        var groups: [String: [Int]] = [:], order: [String] = []
        for h in names.indices {
            let id = components[h][0].model.tokenizer.identifier
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(h)
        }
        return order.compactMap { groups[$0]!.count > 1 ? groups[$0] : nil }
    }

    public var baseNames: [String] { components.prefix(hasNone ? count - 1 : count).map { $0[0].name } }

    /// The same hypotheses with a contextual drift model for each component (nil keeps the
    /// fixed background). `make` receives each model and its position among all components
    /// (the bases in order, then the `None` references: the order of `init`'s arguments) and
    /// returns its drift model and identity.
    public func withDriftModels(_ make: (_ position: Int, HypothesisModel) throws -> (model: any LanguageModel, identity: String)?) rethrows -> HypothesisModels {
        var copy = self
        var position = 0
        copy.components = try components.map { group in
            try group.map { hm in
                defer { position += 1 }
                guard let drift = try make(position, hm) else { return hm }
                return HypothesisModel(name: hm.name, model: hm.model, identity: hm.identity, settings: settings,
                                       driftModel: drift.model, driftIdentity: drift.identity)
            }
        }
        return copy
    }

    /// The same models under other decoding settings (each component's background is recomputed).
    public func decoding(_ settings: DecodingSettings) -> HypothesisModels {
        var copy = HypothesisModels(settings: settings, hasNone: hasNone, components: [])
        copy.components = components.map { group in
            group.map { hm in
                HypothesisModel(name: hm.name, model: hm.model, identity: hm.modelIdentity, settings: settings,
                                driftModel: hm.driftModel, driftIdentity: hm.driftIdentity)
            }
        }
        return copy
    }

    private init(settings: DecodingSettings, hasNone: Bool, components: [[HypothesisModel]]) {
        self.settings = settings
        self.hasNone = hasNone
        self.components = components
    }

    /// Every component's name and identity, in order, into `hash`: the part of a cache
    /// fingerprint that changes whenever any model does.
    public func combineIdentities(into hash: inout StableHash) {
        for group in components { for m in group { hash.combine(m.name); hash.combine(m.identity) } }
    }

    /// A hypothesis space over these models with the given `None` prior mass and latent grid.
    public func space(noneMass: Double, latentGrid: [Double]) -> HypothesisSpace {
        HypothesisSpace(baseNames: baseNames, noneMass: hasNone ? noneMass : 0, latentGrid: latentGrid)
    }
}
