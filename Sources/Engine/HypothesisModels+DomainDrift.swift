import Foundation
import LanguageModels

/// Domain drift: a fine-tune is its base with text of some domain mixed in, so each model of
/// a hypothesis becomes a sequence-level equal mixture of "model drifted toward domain d", one
/// per domain of a library, each with a contextual drift model of that domain's text in the
/// model's own tokenizer (see `HypothesisModel.driftModel`).
///
/// A response is then explained by its base plus whichever domain fits it, instead of by the
/// base plus context-free noise. Without this, "base plus domain" text is better explained by
/// a candidate that is itself a fine-tune of a relative (round1-like's `fortunes-dialog`,
/// base plus jargon) than by the true base.
extension HypothesisModels {
    /// One domain of the library: a name (for identities) and its documents.
    public struct DriftDomain: Sendable {
        public var name: String
        public var documents: [String]
        public init(name: String, documents: [String]) {
            self.name = name
            self.documents = documents
        }
    }

    /// Order of the domain drift models (trigram: context matters, little text per domain).
    public static let domainDriftOrder = 3

    /// Every component replaced by one component per domain, each drifting toward that domain.
    /// Drift models are trained once per (tokenizer, domain) and shared by every component with
    /// that tokenizer; a component whose model cannot be fine-tuned is refused (`FineTuningUnavailable`).
    /// - Parameter progress: called after each drift model is trained, with a short line.
    public func withDomainDrift(domains: [DriftDomain], progress: (String) -> Void = { _ in }) throws -> HypothesisModels {
        precondition(!domains.isEmpty, "need at least one drift domain")
        var trained: [String: (model: any LanguageModel, identity: String)] = [:]
        var copy = self
        copy.components = try components.map { group in
            try group.flatMap { hm -> [HypothesisModel] in
                guard let m = hm.model as? any TextModellingLanguageModel else {
                    throw FineTuningUnavailable(step: "domain drift", model: hm.name, remedy: "run with --no-domain-drift", needsTextModels: true)
                }
                return try domains.map { domain in
                    let key = m.tokenizer.identifier + "|" + domain.name
                    let drift: (model: any LanguageModel, identity: String)
                    if let known = trained[key] {
                        drift = known
                    } else {
                        let model = try m.textModel(of: domain.documents, order: Self.domainDriftOrder)
                        drift = (model, domain.name + ":" + model.contentHash)
                        trained[key] = drift
                        progress("drift model \(domain.name) for \(m.tokenizer.identifier)")
                    }
                    return HypothesisModel(name: hm.name, model: hm.model, identity: hm.identity, settings: settings,
                                           driftModel: drift.model, driftIdentity: drift.identity)
                }
            }
        }
        return copy
    }
}

/// Fine-tuned components: a fine-tune carries the signature of fine-tuning itself (its
/// counts are its base's merged with other text, which reshapes the whole tail that
/// temperature 3 samples from), so a pristine base explains its answers worse than another
/// candidate that is itself a fine-tune. Each n-gram component gains copies of itself
/// fine-tuned on generic text at a few strengths, the same way a user would fine-tune it.
extension HypothesisModels {
    /// Every n-gram component followed by its fine-tunes on `documents` at each of `strengths`
    /// (with `keepOriginal` false, the fine-tunes alone: the component replaced).
    /// - Parameter progress: called after each fine-tune is built, with a short line.
    public func withFineTunedComponents(documents: [String], strengths: [Double], seed: UInt64, keepOriginal: Bool = true,
                                        progress: (String) -> Void = { _ in }) throws -> HypothesisModels {
        precondition(!strengths.isEmpty && strengths.allSatisfy { $0 > 0 && $0 < 1 }, "strengths must be in (0, 1)")
        var copy = self
        copy.components = try components.map { group in
            try group.flatMap { hm -> [HypothesisModel] in
                guard let m = hm.model as? any FineTunableLanguageModel else {
                    throw FineTuningUnavailable(step: "fine-tuned components", model: hm.name, remedy: "leave out the fine-tuned components")
                }
                let tuned = try strengths.map { s in
                    let model = try m.tuned(toward: documents, strength: s, seed: seed)
                    progress("fine-tuned \(hm.name) at strength \(s)")
                    return HypothesisModel(name: hm.name, model: model, identity: hm.identity + "+tuned:\(s):" + model.contentHash,
                                           settings: settings)
                }
                return keepOriginal ? [hm] + tuned : tuned
            }
        }
        return copy
    }
}

extension HypothesisModels {
    /// The same hypotheses with every component of every candidate base but `except` replaced
    /// by `transform` of it (`None` as it is): oracle worlds fine-tune the competitors of the truth.
    public func mappingCandidates(except: String, _ transform: (HypothesisModel) throws -> HypothesisModel) rethrows -> HypothesisModels {
        var copy = self
        for (h, name) in baseNames.enumerated() where name != except { copy.components[h] = try components[h].map(transform) }
        return copy
    }

    /// The same hypotheses with base `name`'s model(s) replaced by `model` alone (a diagnostic:
    /// `attrib zoo explain --oracle-worlds` puts the fine-tune itself in its true base's place).
    /// Returns nil when no base has that name.
    public func replacingBase(named name: String, with model: any LanguageModel, identity: String) -> HypothesisModels? {
        guard let h = baseNames.firstIndex(of: name) else { return nil }
        var copy = self
        copy.components[h] = [HypothesisModel(name: name, model: model, identity: identity, settings: settings)]
        return copy
    }
}
