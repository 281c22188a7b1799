/// Identifies one paid query in the journal: the `sequence`-th query (from 0) of run
/// `runID` to fine-tuned model `model`.
///
/// A deterministic engine that re-runs with the same seed asks the same prompts in the
/// same per-model order, so its keys hit the journal and nothing is paid twice. `prompt`
/// is stored and checked: the same (run, model, sequence) with another prompt means the
/// engine diverged, and the journal refuses (`JournalError.divergence`).
public struct QueryKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var runID: String
    public var model: Int
    public var sequence: Int
    public var prompt: String

    public init(runID: String, model: Int, sequence: Int, prompt: String) {
        self.runID = runID
        self.model = model
        self.sequence = sequence
        self.prompt = prompt
    }

    /// Run, model and sequence number; the prompt is left out (it can be long).
    public var description: String { "run \(runID), model \(model), query #\(sequence)" }
}
