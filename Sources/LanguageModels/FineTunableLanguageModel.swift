import Foundation

/// A model that can be fine-tuned toward a text, here and now: what calibration (its models of
/// known provenance are the candidates fine-tuned on calibration text), domain drift, the
/// `None` reference's drift models and the diagnostics need. A step that needs it refuses a
/// model without it, naming the model (`FineTuningUnavailable`).
public protocol FineTunableLanguageModel: LanguageModel {
    /// This model fine-tuned toward `documents`: `strength` in [0, 1] is the domain's share
    /// (0: this model; 1: the documents alone), `seed` fixes every random choice.
    func tuned(toward documents: [String], strength: Double, seed: UInt64) throws -> any FineTunableLanguageModel
    /// A model of `documents` alone, in this model's tokenizer, conditioning on at most
    /// `order - 1` tokens: what a fine-tune drifts toward (contextual or domain drift).
    func textModel(of documents: [String], order: Int) throws -> any FineTunableLanguageModel
    /// A smoother relative of this model itself, conditioning on at most `order - 1` tokens
    /// (drift toward the model's own lower orders, a diagnostic).
    func smoothed(toOrder order: Int) throws -> any FineTunableLanguageModel
    /// A stable hash of the parameters (two equal hashes: the same model).
    var contentHash: String { get }
    /// Writes the model where `init(contentsOf:)` of its kind (named by the file) reads it back.
    func write(to url: URL) throws
}

/// A step needed a model to be fine-tunable and it was not.
public struct FineTuningUnavailable: Error, Equatable, CustomStringConvertible {
    /// What needed it ("calibration", "domain drift", ...).
    public var step: String
    /// The model's name in the run (a base of the bases file).
    public var model: String
    /// What to do instead.
    public var remedy: String

    public init(step: String, model: String, remedy: String) {
        self.step = step
        self.model = model
        self.remedy = remedy
    }

    public var description: String {
        "\(step) fine-tunes every candidate toward a text, and \(model) cannot be fine-tuned here (only embedded n-gram models can); \(remedy)"
    }
}

extension NGramLanguageModel: FineTunableLanguageModel {
    public func tuned(toward documents: [String], strength: Double, seed: UInt64) throws -> any FineTunableLanguageModel {
        try fineTuned(on: documents, strength: strength, seed: seed)
    }

    public func textModel(of documents: [String], order: Int) throws -> any FineTunableLanguageModel {
        try NGramLanguageModel(vocabulary: vocabulary, order: order, documents: documents)
    }

    public func smoothed(toOrder order: Int) throws -> any FineTunableLanguageModel {
        try reduced(toOrder: min(order, self.order))
    }
}
