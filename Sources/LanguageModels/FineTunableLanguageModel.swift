import Foundation

/// A model that can be fine-tuned toward a text, here and now: what calibration needs (its
/// models of known provenance are the candidates fine-tuned on calibration text), and the
/// oracle worlds of the diagnostics. Embedded n-gram models (a mixture with a model of the
/// text) and models on a worker (gradient descent, `WorkerLanguageModel`) have it. A step
/// that needs it refuses a model without it, naming the model (`FineTuningUnavailable`).
public protocol FineTunableLanguageModel: LanguageModel {
    /// This model fine-tuned toward `documents`: `strength` in [0, 1] is how far (0: this
    /// model; 1: as far as the model's kind goes), `seed` fixes every random choice.
    func tuned(toward documents: [String], strength: Double, seed: UInt64) throws -> any FineTunableLanguageModel
    /// A stable hash of the parameters (two equal hashes: the same model).
    var contentHash: String { get }
}

/// A model that holds resources elsewhere until it is given back: a fine-tune served by a
/// worker (its weights in the worker's memory). A step that made one for its own use (the
/// calibration models) releases it when done with it; it is not to be used after that.
public protocol ReleasableLanguageModel: LanguageModel {
    /// Gives the resources back (a fine-tune: unloaded from its workers); nothing for a model
    /// that holds none of its own (a base).
    func release() throws
}

/// A model that builds small n-gram models of a text in its own tokenizer, and is written to
/// a file: what the drift models need (contextual drift files, domain drift, self drift).
/// Embedded n-gram models have it; a step that needs it refuses a model without it.
public protocol TextModellingLanguageModel: FineTunableLanguageModel {
    /// A model of `documents` alone, in this model's tokenizer, conditioning on at most
    /// `order - 1` tokens: what a fine-tune drifts toward (contextual or domain drift).
    func textModel(of documents: [String], order: Int) throws -> any TextModellingLanguageModel
    /// A smoother relative of this model itself, conditioning on at most `order - 1` tokens
    /// (drift toward the model's own lower orders, a diagnostic).
    func smoothed(toOrder order: Int) throws -> any TextModellingLanguageModel
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
    /// What the step needed: fine-tuning, or n-gram models of a text in the model's tokenizer.
    public var needsTextModels: Bool

    public init(step: String, model: String, remedy: String, needsTextModels: Bool = false) {
        self.step = step
        self.model = model
        self.remedy = remedy
        self.needsTextModels = needsTextModels
    }

    public var description: String {
        needsTextModels
            ? "\(step) builds n-gram models of a text in each model's own tokenizer, and \(model) cannot here (only embedded n-gram models can); \(remedy)"
            : "\(step) fine-tunes every candidate toward a text, and \(model) cannot be fine-tuned here (embedded n-gram models and models on a worker can); \(remedy)"
    }
}

extension NGramLanguageModel: TextModellingLanguageModel {
    public func tuned(toward documents: [String], strength: Double, seed: UInt64) throws -> any FineTunableLanguageModel {
        try fineTuned(on: documents, strength: strength, seed: seed)
    }

    public func textModel(of documents: [String], order: Int) throws -> any TextModellingLanguageModel {
        try NGramLanguageModel(vocabulary: vocabulary, order: order, documents: documents)
    }

    public func smoothed(toOrder order: Int) throws -> any TextModellingLanguageModel {
        try reduced(toOrder: min(order, self.order))
    }
}
